//! What a monitor yields: [`Item`]s, each a [`Commit`] (the [`Change`]s of one nf_tables
//! transaction, with its generation and the process that made it) or
//! [`Item::ResyncNeeded`]; [`Event`] is one change stamped with its commit's provenance.
//!
//! # Contract
//! - Plain values: no socket, no clock. Printing ([`Event::to_nft`], `Display`) goes
//!   through the crate's [`Printer`], so a rule reads as `nft list ruleset` prints it.
//! - Nothing received is dropped: a message type not modelled here is a
//!   [`Change::Unknown`] with its bytes, a modelled one that does not decode is a
//!   [`Change::Undecoded`] with its bytes and the decode error.
//! - Serialize (for JSON output): an event is one flat object, `{"generation": 1247, "pid": 812,
//!   "proc_name": "nft", "op": "add", "kind": "rule", "family": "inet", ...}`; bytes are
//!   lower-case hex.

use std::fmt;

use linx_netlink_codec::DecodeError;
use serde::{Serialize, Serializer};

use crate::print::UNPRINTED;
use crate::{Chain, Family, Flowtable, Map, Object, Printer, Rule, Set, Table};

/// One thing a monitor reports.
///
/// ```
/// use linx_netfilter::monitor::Item;
/// assert!(Item::ResyncNeeded.commit().is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Item {
    /// One committed transaction, its changes in the kernel's order.
    Commit(Commit),
    /// The kernel dropped notifications for this socket (`ENOBUFS`, `NLMSG_OVERRUN`, a
    /// broken or oversized datagram): something changed that will never be reported. The
    /// changes of a commit that was being collected are discarded with it. Read the
    /// ruleset again (a [snapshot](super::Monitor::snapshot)); the monitor goes on.
    ResyncNeeded,
}

impl Item {
    /// The commit, when this is one.
    pub fn commit(&self) -> Option<&Commit> {
        match self {
            Item::Commit(c) => Some(c),
            Item::ResyncNeeded => None,
        }
    }
}

/// The changes of one committed nf_tables transaction (a batch): the entity notifications
/// the kernel sent, then the `NEWGEN` that closed them.
///
/// ```
/// use linx_netfilter::monitor::{Change, Commit, Entity};
/// use linx_netfilter::{Family, Table};
/// let c = Commit {
///     generation: 7,
///     pid: Some(812),
///     proc_name: Some("nft".into()),
///     changes: vec![Change::Add(Entity::Table(Table::new(Family::Inet, "app")))],
/// };
/// let ev: Vec<_> = c.events().collect();
/// assert_eq!(ev[0].to_string(), "gen 7 by nft (pid 812): add table inet app");
/// assert_eq!(format!("{:?}", ev[0]), "Event<gen=7 nft new_table inet/app>");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Commit {
    /// `NFTA_GEN_ID`: the ruleset generation this commit made (what `GETGEN` reads after it).
    pub generation: u32,
    /// `NFTA_GEN_PROC_PID`: the task that sent the batch, as the kernel numbers it in the
    /// initial pid namespace: a single-threaded process's pid (`nft`), the sending
    /// thread's id in a multi-threaded one.
    pub pid: Option<u32>,
    /// `NFTA_GEN_PROC_NAME`: that task's name (its `comm`, at most 15 bytes; a thread's
    /// name in a multi-threaded process).
    pub proc_name: Option<String>,
    /// The changes, in the order the kernel announced them.
    pub changes: Vec<Change>,
}

impl Commit {
    /// The changes, each stamped with this commit's generation, pid and process name.
    pub fn events(&self) -> impl ExactSizeIterator<Item = Event<'_>> + '_ {
        self.changes.iter().map(move |change| Event {
            generation: self.generation,
            pid: self.pid,
            proc_name: self.proc_name.as_deref(),
            change,
        })
    }
}

/// One change with its commit's provenance. `Display` is one line of nft syntax after the
/// provenance (`gen 1247 by nft (pid 812): add rule inet app input handle 4 tcp dport 22
/// accept`); `Debug` is a summary (`Event<gen=1247 nft new_rule inet/app/input>`).
#[derive(Clone, Copy, PartialEq, Serialize)]
pub struct Event<'a> {
    /// The commit's generation.
    pub generation: u32,
    /// The committing process.
    pub pid: Option<u32>,
    /// Its name.
    pub proc_name: Option<&'a str>,
    /// The change.
    #[serde(flatten)]
    pub change: &'a Change,
}

impl Event<'_> {
    /// The change as nft syntax, printed with `printer` (see [`Change::to_nft`]).
    pub fn to_nft(&self, printer: &Printer) -> String {
        self.change.to_nft(printer)
    }

    /// The provenance prefix: `gen 1247 by nft (pid 812)`.
    pub fn provenance(&self) -> String {
        let name = self.proc_name.unwrap_or("?");
        match self.pid {
            Some(pid) => format!("gen {} by {name} (pid {pid})", self.generation),
            None => format!("gen {} by {name}", self.generation),
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.provenance(),
            self.change.to_nft(&Printer::new())
        )
    }
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Event<gen={} {} {}>",
            self.generation,
            self.proc_name.unwrap_or("?"),
            self.change.summary()
        )
    }
}

/// One notification of a commit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// `NEW*`: the entity was added (or, for a table or chain, updated).
    Add(Entity),
    /// `DEL*`: the entity was deleted; it carries what the kernel reported (with handle).
    Delete(Entity),
    /// An nf_tables (or other) message type this module does not model, whole.
    Unknown {
        /// `nlmsg_type`.
        msg_type: u16,
        /// The message (header included).
        #[serde(serialize_with = "crate::hex::serialize")]
        bytes: Vec<u8>,
    },
    /// A modelled message whose body did not decode, whole, with the error.
    Undecoded {
        /// `nlmsg_type`.
        msg_type: u16,
        /// Why it did not decode.
        #[serde(serialize_with = "display")]
        error: DecodeError,
        /// The message (for grouped set elements, the messages) header included.
        #[serde(serialize_with = "crate::hex::serialize")]
        bytes: Vec<u8>,
    },
}

fn display<T: fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// What a change is about.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Entity {
    /// `NEWTABLE`/`DELTABLE`: the table's attributes (no chains or sets).
    Table(Table),
    /// `NEWCHAIN`/`DELCHAIN`: a chain without rules.
    Chain {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The chain.
        chain: Chain,
    },
    /// `NEWRULE`/`DELRULE`: a rule with its expressions and handle.
    Rule {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The chain.
        chain: String,
        /// The rule.
        rule: Rule,
    },
    /// `NEWSET`/`DELSET` of a set (anonymous sets, `__set0`..., included), no elements.
    Set {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The set.
        set: Set,
    },
    /// `NEWSET`/`DELSET` of a map, no elements.
    Map {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The map.
        map: Map,
    },
    /// `DELSET` of a set the monitor never saw declared: the kernel names a deleted set
    /// and does not describe it.
    SetName {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The set or map.
        name: String,
        /// Its kernel handle.
        handle: Option<u64>,
    },
    /// `NEWSETELEM`/`DELSETELEM`: elements of one set, the consecutive messages of one
    /// commit for the same set grouped (an interval's start and end come apart).
    Elements {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The set or map.
        set: String,
        /// The elements.
        elements: Elements,
    },
    /// `NEWOBJ`/`DELOBJ`: a stateful object.
    Object {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The object.
        object: Object,
    },
    /// `NEWFLOWTABLE`/`DELFLOWTABLE`.
    Flowtable {
        /// The table's family.
        family: Family,
        /// The table.
        table: String,
        /// The flowtable.
        flowtable: Flowtable,
    },
}

/// The elements of an [`Entity::Elements`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Elements {
    /// Elements of a set the monitor knows: the set's declaration holding exactly these
    /// elements (their extras and catch-all elements in its `extras`).
    Set(Set),
    /// Elements of a known map, likewise.
    Map(Map),
    /// Elements of a set the monitor has not seen declared (created before it started and
    /// no snapshot taken, or after a resync): its key type is unknown, so the messages are
    /// kept whole (headers included).
    Raw(#[serde(serialize_with = "crate::hex::serialize")] Vec<u8>),
}

impl Entity {
    /// The family of the entity's table.
    pub fn family(&self) -> Family {
        match self {
            Entity::Table(t) => t.family(),
            Entity::Chain { family, .. }
            | Entity::Rule { family, .. }
            | Entity::Set { family, .. }
            | Entity::Map { family, .. }
            | Entity::SetName { family, .. }
            | Entity::Elements { family, .. }
            | Entity::Object { family, .. }
            | Entity::Flowtable { family, .. } => *family,
        }
    }

    /// The name of the entity's table.
    pub fn table(&self) -> &str {
        match self {
            Entity::Table(t) => t.name(),
            Entity::Chain { table, .. }
            | Entity::Rule { table, .. }
            | Entity::Set { table, .. }
            | Entity::Map { table, .. }
            | Entity::SetName { table, .. }
            | Entity::Elements { table, .. }
            | Entity::Object { table, .. }
            | Entity::Flowtable { table, .. } => table,
        }
    }

    /// The kind's name as the summary uses it: `table`, `chain`, `rule`, `set`, `setelem`,
    /// `obj`, `flowtable` (a map is a `set`, as the kernel's message types say).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Entity::Table(_) => "table",
            Entity::Chain { .. } => "chain",
            Entity::Rule { .. } => "rule",
            Entity::Set { .. } | Entity::Map { .. } | Entity::SetName { .. } => "set",
            Entity::Elements { .. } => "setelem",
            Entity::Object { .. } => "obj",
            Entity::Flowtable { .. } => "flowtable",
        }
    }

    /// `family/table[/name]`.
    fn path(&self) -> String {
        let (f, t) = (self.family(), self.table());
        match self {
            Entity::Table(_) => format!("{f}/{t}"),
            Entity::Chain { chain, .. } => format!("{f}/{t}/{}", chain.name()),
            Entity::Rule { chain, .. } => format!("{f}/{t}/{chain}"),
            Entity::Set { set, .. } => format!("{f}/{t}/{}", set.name),
            Entity::Map { map, .. } => format!("{f}/{t}/{}", map.name),
            Entity::SetName { name, .. } => format!("{f}/{t}/{name}"),
            Entity::Elements { set, .. } => format!("{f}/{t}/{set}"),
            Entity::Object { object, .. } => format!("{f}/{t}/{}", object.name),
            Entity::Flowtable { flowtable, .. } => format!("{f}/{t}/{}", flowtable.name),
        }
    }
}

impl Change {
    /// The entity, for [`Change::Add`] and [`Change::Delete`].
    pub fn entity(&self) -> Option<&Entity> {
        match self {
            Change::Add(e) | Change::Delete(e) => Some(e),
            _ => None,
        }
    }

    /// A short summary: `new_rule inet/app/input`, `del_table inet/app`,
    /// `unknown 0x0a11`, `undecoded 0x0a06`.
    pub fn summary(&self) -> String {
        match self {
            Change::Add(e) => format!("new_{} {}", e.kind_name(), e.path()),
            Change::Delete(e) => format!("del_{} {}", e.kind_name(), e.path()),
            Change::Unknown { msg_type, .. } => format!("unknown {msg_type:#06x}"),
            Change::Undecoded { msg_type, .. } => format!("undecoded {msg_type:#06x}"),
        }
    }

    /// The change as one line of nft syntax, close to what `nft monitor` prints:
    /// `add table inet app`, `add chain inet app input { type filter hook input priority
    /// filter; policy accept; }`, `add rule inet app input handle 4 tcp dport 22 accept`,
    /// `delete rule inet app input handle 4`, `add element inet app s { 10.0.0.1 }`,
    /// `add counter inet app c { packets 0 bytes 0; }`. What cannot be printed as nft
    /// syntax (a rule not fully lifted, raw elements, unknown messages) is a line starting
    /// with [`UNPRINTED`] (`#linx: `); so are the declaration and elements of an anonymous
    /// set, which nft's monitor leaves out (the rule that uses it, decoded in the same
    /// commit, carries it as a literal: `ip saddr { 10.0.0.1, 10.0.0.2 } drop`).
    ///
    /// ```
    /// use linx_netfilter::monitor::{Change, Entity};
    /// use linx_netfilter::{Family, Printer, Table};
    /// let t = Table::new(Family::Ip, "nat");
    /// assert_eq!(Change::Delete(Entity::Table(t)).to_nft(&Printer::new()), "delete table ip nat");
    /// ```
    pub fn to_nft(&self, p: &Printer) -> String {
        let (verb, e) = match self {
            Change::Add(e) => ("add", e),
            Change::Delete(e) => ("delete", e),
            Change::Unknown { msg_type, bytes } => {
                return format!(
                    "{UNPRINTED}message type {msg_type:#06x} ({} bytes)",
                    bytes.len()
                );
            }
            Change::Undecoded {
                msg_type, error, ..
            } => return format!("{UNPRINTED}message type {msg_type:#06x} not decoded: {error}"),
        };
        let add = verb == "add";
        let (f, t) = (e.family(), e.table());
        match e {
            Entity::Table(_) => format!("{verb} table {f} {t}"),
            Entity::Chain { chain, .. } => {
                if !add {
                    return format!("delete chain {f} {t} {}", chain.name());
                }
                let mut bare = chain.clone();
                bare.take_rules();
                let block = p.chain(&bare, &Table::new(f, t));
                one_line(&block, |head| {
                    format!("add {head_kw} {f} {t}", head_kw = head)
                })
            }
            Entity::Rule { chain, rule, .. } => {
                let handle = rule
                    .handle
                    .map(|h| format!(" handle {h}"))
                    .unwrap_or_default();
                if !add {
                    return format!("delete rule {f} {t} {chain}{handle}");
                }
                let text = p.rule(rule, &Table::new(f, t));
                format!("add rule {f} {t} {chain}{handle} {}", text.text())
            }
            Entity::Set { set, .. } => {
                if !add {
                    return format!("delete set {f} {t} {}", set.name);
                }
                let line = one_line(&p.set(set), |head| format!("add {head} {f} {t}"));
                anonymous_as_comment(line, &set.name)
            }
            Entity::Map { map, .. } => {
                if !add {
                    return format!("delete map {f} {t} {}", map.name);
                }
                let line = one_line(&p.map(map), |head| format!("add {head} {f} {t}"));
                anonymous_as_comment(line, &map.name)
            }
            Entity::SetName { name, .. } => format!("{verb} set {f} {t} {name}"),
            Entity::Elements { set, elements, .. } => {
                let block = match elements {
                    Elements::Set(s) => p.set(s),
                    Elements::Map(m) => p.map(m),
                    Elements::Raw(b) => {
                        return format!(
                            "{UNPRINTED}{verb} element {f} {t} {set} ({} bytes, set not known)",
                            b.len()
                        );
                    }
                };
                match element_list(&block) {
                    Some(list) => {
                        anonymous_as_comment(format!("{verb} element {f} {t} {set} {list}"), set)
                    }
                    None => format!("{UNPRINTED}{verb} element {f} {t} {set}"),
                }
            }
            Entity::Object { object, .. } => {
                let kind = object.kind.object_type();
                if !add {
                    return format!("delete {kind} {f} {t} {}", object.name);
                }
                one_line(&p.object(object), |head| format!("add {head} {f} {t}"))
            }
            Entity::Flowtable { flowtable, .. } => {
                if !add {
                    return format!("delete flowtable {f} {t} {}", flowtable.name);
                }
                one_line(&p.flowtable(flowtable, f), |head| {
                    format!("add {head} {f} {t}")
                })
            }
        }
    }
}

/// The declaration or elements of an anonymous set (`__set0`): nft's monitor does not
/// print them (the rule that uses the set shows it as a literal), so they are comments.
fn anonymous_as_comment(line: String, set: &str) -> String {
    if set.starts_with("__") && !line.starts_with(UNPRINTED) {
        format!("{UNPRINTED}{line}")
    } else {
        line
    }
}

/// A printer block (`\tset s {\n\t\ttype ipv4_addr\n\t}\n`) as one line: the keyword before
/// the table (`head` gets `set`), then the name and `{ type ipv4_addr; }`.
fn one_line(block: &str, head: impl FnOnce(&str) -> String) -> String {
    let mut lines = block.lines();
    let first = lines.next().unwrap_or_default().trim();
    if let Some(rest) = first.strip_prefix(UNPRINTED) {
        return format!("{UNPRINTED}{}", head(rest));
    }
    let first = first.trim_end_matches('{').trim_end();
    let (kw, name) = first.split_once(' ').unwrap_or((first, ""));
    let body: Vec<String> = lines
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "}")
        .map(|l| {
            if l.ends_with(';') {
                l.to_owned()
            } else {
                format!("{l};")
            }
        })
        .collect();
    let unprinted = body.iter().any(|l| l.starts_with(UNPRINTED));
    let line = if body.is_empty() {
        format!("{} {name}", head(kw))
    } else {
        format!("{} {name} {{ {} }}", head(kw), body.join(" "))
    };
    if unprinted {
        format!("{UNPRINTED}{}", line.replace(UNPRINTED, ""))
    } else {
        line
    }
}

/// The `{ a, b }` of a printed set or map block's `elements = ...`, on one line.
fn element_list(block: &str) -> Option<String> {
    let at = block.find("elements = ")?;
    let rest = &block[at + "elements = ".len()..];
    let end = rest.rfind('}')?;
    // The block ends with the set's own `}`: the list ends at the one before it.
    let inner = rest[..end].trim_end();
    let inner = inner.strip_suffix('}').map_or(inner, str::trim_end);
    let text: Vec<&str> = inner.split_whitespace().collect();
    let text = text.join(" ");
    (!text.contains(UNPRINTED.trim())).then(|| format!("{text} }}"))
}
