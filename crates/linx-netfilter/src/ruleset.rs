//! [`Ruleset`]: the tables of one network namespace, and its JSON file format.
//!
//! Why a map keyed by (family, name): that is the kernel's identity of a table, two families
//! may each have a table called `filter`, and a `BTreeMap` gives every consumer (encoder,
//! diff, `Display`, JSON) the same deterministic order: by family, then name.
//!
//! # Contract
//! - [`Ruleset::validate`] checks every table completely ([`Table::validate`]; rules the
//!   `add_*` methods checked and nothing changed since are not checked twice); the push
//!   layer calls it before encoding, so a ruleset that fails it never reaches the kernel.
//! - Table references: `"filter"` must be unique across families (else
//!   [`Error::AmbiguousTableName`]); `(Family::Inet, "filter")` is always exact.
//! - [`Ruleset::from_json`] and every serde `Deserialize` run the same checks as the builders
//!   plus `validate`; problems come back as typed [`Error`]s (only element values inside rule
//!   literals are reported through [`Error::Json`], with the reason in the message).
//!
//! # JSON format
//!
//! A ruleset file is an object with a `tables` list. Every field not shown as required may be
//! left out; `flags` of a table default to `["owner"]` (write `[]` to opt out).
//!
//! - **table**: `family` (`ip`, `ip6`, `inet`, `arp`, `bridge`, `netdev`), `name`, `flags`,
//!   `chains`, `sets`, `maps`, `objects`, `flowtables`.
//! - **chain**: `name`; a base chain adds `type` (`filter`, `nat`, `route`), `hook`,
//!   `priority` (a number, a name such as `"filter"`, or `"srcnat + 10"`), and optionally
//!   `policy` (`accept`/`drop`) and `device` (or `devices`, a list, for several); optional
//!   `userdata` (hex, another tool's chain comment); `rules`.
//! - **rule**: `exprs`, optional `tag`, `comment`. Expressions are objects with one key, the
//!   expression name: `payload {base, offset, len, dreg}`, `meta {key, dreg}`,
//!   `cmp {sreg, op, data}`, `bitwise {sreg, dreg, len, mask, xor}`, `ct {key, dreg}`,
//!   `lookup {set, sreg, dreg, inverted}`, `set_literal {key, elements, flags, sreg,
//!   inverted}`, `vmap_literal {key, elements, sreg}`, `reject {type, code}`,
//!   `counter {}`, `limit {rate, unit, burst, bytes, over}`, `quota {bytes, over, consumed}`,
//!   `dynset {set, op, sreg_key, sreg_data, timeout_ms, exprs}`, `objref {kind, name}`,
//!   `log {group, prefix, snaplen, qthreshold, level, flags}`, `immediate {dreg, data}` with
//!   `data` `{"verdict": ...}` or `{"value": "<hex>"}`, `nat {type, family, reg_addr_min,
//!   reg_addr_max, reg_proto_min, reg_proto_max, flags}`, `masquerade {flags, reg_proto_min,
//!   reg_proto_max}`, `redirect {...}`, `unknown {name, data}`. Registers are numbers
//!   (default 1; 0 for `immediate`), byte strings lower-case hex **in the byte order the
//!   kernel compares** (big-endian for packet fields, native for meta/ct host integers).
//! - **verdict**: `"accept"`, `"drop"`, `"continue"`, `"return"`, `{"jump": "chain"}`,
//!   `{"goto": "chain"}`, `{"queue": 3}`.
//! - **set**: `name`, `key` (`ipv4_addr`, `ipv6_addr`, `ether_addr`, `inet_proto`,
//!   `inet_service`, `mark`, `ifname`, `ct_state`, `{"concat": [...]}`), `flags`
//!   (`constant`, `interval`, `timeout`, `dynamic`, ...), `auto_merge`, `timeout_ms`,
//!   `gc_interval_ms`, `size`, `elements`, `comment`. **map**: the same plus `data`
//!   (`"verdict"` or a key type) and elements as `[key, value]` pairs.
//! - **element**: addresses, prefixes (`"10.0.0.0/8"`), MACs, interface names and conntrack
//!   states (`"established"`) are strings; ports, protocols and marks numbers; a range is
//!   `{"range": [lo, hi]}`; a concatenation is a list with one part per key field.
//! - **object**: `name`, `kind` (`{"counter": {...}}`, `{"quota": {"bytes": ...}}`,
//!   `{"limit": {"rate": .., "unit": ..}}`, `{"raw": {"kind_id": .., "data": "<hex>"}}`),
//!   `comment`. **flowtable**: `name`, `priority`, `devices`, `flags`.
//!
//! A complete example, read and validated:
//!
//! ```
//! use linx_netfilter::{Family, Ruleset};
//!
//! let json = r#"{
//!   "tables": [{
//!     "family": "inet",
//!     "name": "filter",
//!     "flags": ["owner"],
//!     "sets": [
//!       {"name": "blocklist", "key": "ipv4_addr", "flags": ["interval"],
//!        "elements": ["192.0.2.0/24", {"range": ["198.51.100.1", "198.51.100.9"]}]},
//!       {"name": "svc", "key": {"concat": ["ipv4_addr", "inet_service"]},
//!        "elements": [["10.0.0.2", 22], ["10.0.0.3", 443]]}
//!     ],
//!     "maps": [
//!       {"name": "ports", "key": "inet_service", "data": "verdict",
//!        "elements": [[22, {"jump": "ssh"}], [80, "accept"]]}
//!     ],
//!     "objects": [{"name": "dropped", "kind": {"counter": {}}}],
//!     "chains": [
//!       {"name": "input", "type": "filter", "hook": "input", "priority": "filter",
//!        "policy": "drop",
//!        "rules": [
//!          {"tag": "est", "exprs": [
//!            {"ct": {"key": "state"}},
//!            {"bitwise": {"len": 4, "mask": "06000000", "xor": "00000000"}},
//!            {"cmp": {"op": "neq", "data": "00000000"}},
//!            {"immediate": {"data": {"verdict": "accept"}}}]},
//!          {"tag": "block", "comment": "known bad", "exprs": [
//!            {"meta": {"key": "nfproto"}},
//!            {"cmp": {"op": "eq", "data": "02"}},
//!            {"payload": {"base": "network", "offset": 12, "len": 4}},
//!            {"lookup": {"set": "blocklist"}},
//!            {"objref": {"kind": "counter", "name": "dropped"}},
//!            {"immediate": {"data": {"verdict": "drop"}}}]},
//!          {"tag": "ports", "exprs": [
//!            {"meta": {"key": "l4proto"}},
//!            {"set_literal": {"key": "inet_proto", "elements": ["tcp", 17]}},
//!            {"payload": {"base": "transport", "offset": 2, "len": 2}},
//!            {"lookup": {"set": "ports", "dreg": 0}}]}
//!        ]},
//!       {"name": "ssh", "rules": [
//!         {"exprs": [{"limit": {"rate": 10, "unit": "minute", "burst": 5}},
//!                    {"immediate": {"data": {"verdict": "accept"}}}]}]}
//!     ]
//!   }, {
//!     "family": "ip",
//!     "name": "nat",
//!     "flags": [],
//!     "chains": [
//!       {"name": "post", "type": "nat", "hook": "postrouting", "priority": "srcnat",
//!        "rules": [{"exprs": [{"masquerade": {}}]}]}
//!     ]
//!   }]
//! }"#;
//!
//! let rs = Ruleset::from_json(json)?;
//! let filter = rs.table(Family::Inet, "filter").expect("read above");
//! assert_eq!(filter.chain("input").map(|c| c.rules().len()), Some(3));
//! assert_eq!(rs.to_string(), "Ruleset<2 tables: ip/nat, inet/filter>");
//! // Written back and read again, it is the same ruleset.
//! assert_eq!(Ruleset::from_json(&rs.to_json_pretty())?, rs);
//! # Ok::<(), linx_netfilter::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::table::TableDoc;
use crate::{Error, Family, Table, TableFlags, TableId};

/// A reference to a table: a bare name (unique across families) or family and name.
///
/// ```
/// use linx_netfilter::{Family, TableRef};
/// assert_eq!(TableRef::from("filter"), TableRef::Name("filter".into()));
/// assert_eq!(TableRef::from((Family::Ip, "nat")), TableRef::Qualified(Family::Ip, "nat".into()));
/// assert_eq!(TableRef::from((Family::Ip, "nat")).to_string(), "ip/nat");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TableRef {
    /// A bare name.
    Name(String),
    /// Family and name.
    Qualified(Family, String),
}

impl From<&str> for TableRef {
    fn from(name: &str) -> TableRef {
        TableRef::Name(name.to_owned())
    }
}

impl From<String> for TableRef {
    fn from(name: String) -> TableRef {
        TableRef::Name(name)
    }
}

impl From<(Family, &str)> for TableRef {
    fn from((family, name): (Family, &str)) -> TableRef {
        TableRef::Qualified(family, name.to_owned())
    }
}

impl From<(Family, String)> for TableRef {
    fn from((family, name): (Family, String)) -> TableRef {
        TableRef::Qualified(family, name)
    }
}

impl From<&TableId> for TableRef {
    fn from(id: &TableId) -> TableRef {
        TableRef::Qualified(id.family, id.name.clone())
    }
}

impl fmt::Display for TableRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableRef::Name(name) => f.write_str(name),
            TableRef::Qualified(family, name) => write!(f, "{family}/{name}"),
        }
    }
}

/// All tables of a ruleset, keyed by (family, name).
///
/// ```
/// use linx_netfilter::{
///     Chain, ChainType, Expr, Family, Hook, Policy, Priority, Rule, Ruleset, TableFlags,
/// };
///
/// let mut rs = Ruleset::new();
/// let t = rs.add_table(Family::Inet, "filter", TableFlags::default())?;
/// t.add_chain(Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop))?;
/// t.add_rule("input", Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(22)).accept().tag("ssh"))?;
/// rs.validate()?;
/// assert_eq!(rs.table_ref("filter")?.rule_count(), 1);
/// # Ok::<(), linx_netfilter::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ruleset {
    tables: BTreeMap<(Family, String), Table>,
}

impl Ruleset {
    /// An empty ruleset.
    ///
    /// ```
    /// assert!(linx_netfilter::Ruleset::new().is_empty());
    /// ```
    pub fn new() -> Ruleset {
        Ruleset::default()
    }

    /// Adds an empty table.
    ///
    /// # Errors
    /// [`Error::DuplicateTable`], [`Error::BadTable`] (bad name).
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Ip, "t", TableFlags::PERSIST | TableFlags::OWNER)?;
    /// rs.add_table(Family::Ip6, "t", TableFlags::empty())?; // other family, same name
    /// assert!(matches!(rs.add_table(Family::Ip, "", TableFlags::default()), Err(Error::BadTable { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add_table(
        &mut self,
        family: Family,
        name: impl Into<String>,
        flags: TableFlags,
    ) -> Result<&mut Table, Error> {
        let mut table = Table::new(family, name);
        table.flags = flags;
        self.insert_table(table)
    }

    /// Adds a complete table after [`Table::validate`].
    ///
    /// # Errors
    /// [`Error::DuplicateTable`] and anything [`Table::validate`] reports.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Family, Ruleset, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_chain(Chain::regular("c"))?;
    /// let mut rs = Ruleset::new();
    /// rs.insert_table(t)?;
    /// assert_eq!(rs.len(), 1);
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn insert_table(&mut self, table: Table) -> Result<&mut Table, Error> {
        let key = (table.family(), table.name().to_owned());
        if self.tables.contains_key(&key) {
            return Err(Error::DuplicateTable { table: table.id() });
        }
        table.validate()?;
        Ok(self.tables.entry(key).or_insert(table))
    }

    /// This ruleset with everything that depends on the kernel's bookkeeping rather than on
    /// its meaning taken out: handles and use counts cleared, set, map and literal elements
    /// sorted, chain and flowtable priorities resolved to numbers, a base chain's `accept`
    /// policy written as no policy (the kernel's default). Compare `pulled.canonical() == pushed.canonical()` to check a round trip.
    ///
    /// ```
    /// use linx_netfilter::{Family, KeyType, Ruleset, Set, SetElement, TableFlags};
    /// let mut a = Ruleset::new();
    /// a.add_table(Family::Inet, "t", TableFlags::default())?
    ///     .add_set(Set::new("s", KeyType::InetService).elements([SetElement::port(80), SetElement::port(22)]))?;
    /// let mut b = a.clone();
    /// b.table_mut(Family::Inet, "t").unwrap().handle = Some(7);
    /// assert_ne!(a, b);
    /// assert_eq!(a.canonical(), b.canonical());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn canonical(&self) -> Ruleset {
        let mut rs = self.clone();
        for t in rs.tables.values_mut() {
            t.canonicalize();
        }
        rs
    }

    /// Inserts a pulled table without validation (replacing one of the same identity).
    pub(crate) fn insert_pulled(&mut self, table: Table) {
        self.tables
            .insert((table.family(), table.name().to_owned()), table);
    }

    /// The table of `family` called `name`.
    ///
    /// ```
    /// use linx_netfilter::{Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// assert!(rs.table(Family::Inet, "t").is_some());
    /// assert!(rs.table(Family::Ip, "t").is_none());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn table(&self, family: Family, name: &str) -> Option<&Table> {
        self.tables.get(&(family, name.to_owned()))
    }

    /// The table of `family` called `name`, mutably.
    ///
    /// ```
    /// use linx_netfilter::{Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// rs.table_mut(Family::Inet, "t").unwrap().flags = TableFlags::empty();
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn table_mut(&mut self, family: Family, name: &str) -> Option<&mut Table> {
        self.tables.get_mut(&(family, name.to_owned()))
    }

    /// The key of the table `table` refers to.
    fn resolve(&self, table: &TableRef) -> Result<(Family, String), Error> {
        match table {
            TableRef::Qualified(family, name) => {
                let key = (*family, name.clone());
                if self.tables.contains_key(&key) {
                    Ok(key)
                } else {
                    Err(Error::NoSuchTable {
                        table: table.to_string(),
                    })
                }
            }
            TableRef::Name(name) => {
                let families: Vec<Family> = self
                    .tables
                    .keys()
                    .filter(|(_, n)| n == name)
                    .map(|(f, _)| *f)
                    .collect();
                match families.as_slice() {
                    [] => Err(Error::NoSuchTable {
                        table: name.clone(),
                    }),
                    [family] => Ok((*family, name.clone())),
                    _ => Err(Error::AmbiguousTableName {
                        table: name.clone(),
                        families,
                    }),
                }
            }
        }
    }

    /// The table a reference names.
    ///
    /// # Errors
    /// [`Error::NoSuchTable`], [`Error::AmbiguousTableName`] (a bare name in several
    /// families).
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Ip, "t", TableFlags::default())?;
    /// assert_eq!(rs.table_ref("t")?.family(), Family::Ip);
    /// rs.add_table(Family::Ip6, "t", TableFlags::default())?;
    /// assert!(matches!(rs.table_ref("t"), Err(Error::AmbiguousTableName { .. })));
    /// assert_eq!(rs.table_ref((Family::Ip6, "t"))?.family(), Family::Ip6);
    /// assert!(matches!(rs.table_ref("u"), Err(Error::NoSuchTable { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn table_ref(&self, table: impl Into<TableRef>) -> Result<&Table, Error> {
        let key = self.resolve(&table.into())?;
        self.tables
            .get(&key)
            .ok_or(Error::NoSuchTable { table: key.1 })
    }

    /// The table a reference names, mutably.
    ///
    /// # Errors
    /// As [`Ruleset::table_ref`].
    ///
    /// ```
    /// use linx_netfilter::{Chain, Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// rs.table_ref_mut("t")?.add_chain(Chain::regular("c"))?;
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn table_ref_mut(&mut self, table: impl Into<TableRef>) -> Result<&mut Table, Error> {
        let key = self.resolve(&table.into())?;
        self.tables
            .get_mut(&key)
            .ok_or(Error::NoSuchTable { table: key.1 })
    }

    /// Removes and returns the table a reference names.
    ///
    /// # Errors
    /// As [`Ruleset::table_ref`].
    ///
    /// ```
    /// use linx_netfilter::{Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// assert_eq!(rs.remove_table("t")?.name(), "t");
    /// assert!(rs.is_empty());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn remove_table(&mut self, table: impl Into<TableRef>) -> Result<Table, Error> {
        let key = self.resolve(&table.into())?;
        self.tables
            .remove(&key)
            .ok_or(Error::NoSuchTable { table: key.1 })
    }

    /// The tables, ordered by family then name.
    ///
    /// ```
    /// use linx_netfilter::{Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "b", TableFlags::default())?;
    /// rs.add_table(Family::Ip, "a", TableFlags::default())?;
    /// let names: Vec<String> = rs.tables().map(|t| t.id().to_string()).collect();
    /// assert_eq!(names, ["ip/a", "inet/b"]);
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn tables(&self) -> impl ExactSizeIterator<Item = &Table> {
        self.tables.values()
    }

    /// The tables, mutably.
    ///
    /// ```
    /// use linx_netfilter::{Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// for t in rs.tables_mut() { t.flags = TableFlags::empty(); }
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn tables_mut(&mut self) -> impl ExactSizeIterator<Item = &mut Table> {
        self.tables.values_mut()
    }

    /// Keep every table after the pushing socket closes: clears the `owner` flag (the
    /// default, under which the kernel deletes a table when the socket that created it
    /// closes) and returns the names of the tables that had it. What a short-lived process
    /// (a CLI, a one-shot job) calls before [`push`](fn@crate::push); a daemon that holds its
    /// socket keeps `owner` tables, which then cannot outlive it by accident.
    ///
    /// ```
    /// use linx_netfilter::{Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "app", TableFlags::default())?; // owner
    /// rs.add_table(Family::Ip, "nat", TableFlags::empty())?;
    /// assert_eq!(rs.release_ownership(), ["inet/app"]);
    /// assert!(rs.tables().all(|t| !t.flags.contains(TableFlags::OWNER)));
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn release_ownership(&mut self) -> Vec<String> {
        let mut released = Vec::new();
        for t in self.tables.values_mut() {
            if t.flags.contains(TableFlags::OWNER) {
                t.flags.remove(TableFlags::OWNER | TableFlags::PERSIST);
                released.push(format!("{}/{}", t.family(), t.name()));
            }
        }
        released
    }

    /// The number of tables.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::Ruleset::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.tables.len()
    }

    /// `true` without tables.
    ///
    /// ```
    /// assert!(linx_netfilter::Ruleset::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Checks every table completely ([`Table::validate`]: rules already checked when added
    /// and unchanged since are not checked again). Run before anything is encoded.
    ///
    /// # Errors
    /// The first problem found, tables in order.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Error, Family, Rule, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// let t = rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// t.add_chain(Chain::regular("a"))?;
    /// t.add_chain(Chain::regular("b"))?;
    /// t.add_rule("a", Rule::new([]).jump("b"))?;
    /// t.add_rule("b", Rule::new([]).jump("a"))?;
    /// assert!(matches!(rs.validate(), Err(Error::BadVerdict { .. }))); // a loop
    /// # Ok::<(), Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        for table in self.tables.values() {
            table.validate()?;
        }
        Ok(())
    }

    /// [`Ruleset::validate`], then what [`reconcile`](mod@crate::reconcile) needs: in every
    /// chain with more than one rule, every rule is tagged (single-rule chains may be
    /// untagged); and no anonymous set kept as a set of a table (a pulled leftover the kernel
    /// would name anew on every creation). Named objects, flowtables and set or vmap
    /// literals are fine: the diff compares them and re-creates what changed.
    ///
    /// # Errors
    /// [`Error::TagRequired`], [`Error::NotReconcilable`], or a validation error.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Error, Family, Rule, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// let t = rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// t.add_chain(Chain::regular("c"))?;
    /// t.add_rule("c", Rule::new([]).accept())?;
    /// rs.validate_for_reconcile()?; // one untagged rule is fine
    /// rs.table_ref_mut("t")?.add_rule("c", Rule::new([]).drop().tag("d"))?;
    /// assert!(matches!(rs.validate_for_reconcile(), Err(Error::TagRequired { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn validate_for_reconcile(&self) -> Result<(), Error> {
        self.validate()?;
        for table in self.tables.values() {
            for chain in table.chains() {
                let rules = chain.rules();
                if rules.len() > 1 && rules.iter().any(|r| r.tag.is_none()) {
                    return Err(Error::TagRequired {
                        family: table.family(),
                        table: table.name().to_owned(),
                        chain: chain.name().to_owned(),
                    });
                }
            }
            if let Some(what) = table.unreconcilable() {
                return Err(Error::NotReconcilable {
                    table: table.id(),
                    what,
                });
            }
        }
        Ok(())
    }

    /// Reads a ruleset from the JSON format of the module docs and validates it.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed input; otherwise the typed error of the first check that
    /// fails.
    ///
    /// ```
    /// use linx_netfilter::{Error, Ruleset};
    /// let bad = r#"{"tables": [{"family": "inet", "name": "t",
    ///     "chains": [{"name": "c", "hook": "input"}]}]}"#;
    /// assert!(matches!(Ruleset::from_json(bad), Err(Error::IncompleteBaseChain { missing: "type", .. })));
    /// assert!(matches!(Ruleset::from_json("{"), Err(Error::Json { .. })));
    /// ```
    pub fn from_json(json: &str) -> Result<Ruleset, Error> {
        let doc: RulesetDoc = serde_json::from_str(json)?;
        Ruleset::try_from(doc)
    }

    /// The ruleset as compact JSON (the format [`Ruleset::from_json`] reads).
    ///
    /// ```
    /// use linx_netfilter::{Family, Ruleset, TableFlags};
    /// let mut rs = Ruleset::new();
    /// rs.add_table(Family::Inet, "t", TableFlags::default())?;
    /// assert_eq!(rs.to_json(), r#"{"tables":[{"family":"inet","name":"t","flags":["owner"]}]}"#);
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        // Serializing this model cannot fail: no maps with non-string keys, no foreign types.
        serde_json::to_string(self).expect("ruleset serializes to JSON")
    }

    /// The ruleset as indented JSON.
    ///
    /// ```
    /// let json = linx_netfilter::Ruleset::new().to_json_pretty();
    /// assert_eq!(json, "{\n  \"tables\": []\n}");
    /// ```
    pub fn to_json_pretty(&self) -> String {
        // As in `to_json`.
        serde_json::to_string_pretty(self).expect("ruleset serializes to JSON")
    }
}

impl fmt::Display for Ruleset {
    /// `Ruleset<2 tables: ip/nat, inet/filter>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ruleset<{} tables", self.tables.len())?;
        for (i, table) in self.tables.values().enumerate() {
            f.write_str(if i == 0 { ": " } else { ", " })?;
            write!(f, "{}", table.id())?;
        }
        f.write_str(">")
    }
}

/// The serde shape of a ruleset, written.
#[derive(Serialize)]
struct RulesetSer<'a> {
    tables: Vec<&'a Table>,
}

impl Serialize for Ruleset {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RulesetSer {
            tables: self.tables.values().collect(),
        }
        .serialize(serializer)
    }
}

/// The serde shape of a ruleset, read back (unchecked).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesetDoc {
    #[serde(default)]
    tables: Vec<TableDoc>,
}

impl TryFrom<RulesetDoc> for Ruleset {
    type Error = Error;
    fn try_from(doc: RulesetDoc) -> Result<Ruleset, Error> {
        let mut rs = Ruleset::new();
        for table in doc.tables {
            rs.insert_table(table.into_table()?)?;
        }
        Ok(rs)
    }
}

impl<'de> Deserialize<'de> for Ruleset {
    /// Reads and validates; errors carry the typed error's text.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ruleset, D::Error> {
        Ruleset::try_from(RulesetDoc::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}
