//! [`Table`]: a family-scoped container of chains, sets, maps, objects and flowtables.
//!
//! Why builder methods that validate on insertion: a mistake is cheapest to understand where
//! it is made. `add_chain` knows the family and rejects a `nat` chain in a `bridge` table
//! right there; `add_rule` knows the chain and rejects a `masquerade` in a filter chain. Only
//! checks that need the finished table (jump targets, set references, loops) wait for
//! [`Table::validate`].
//!
//! # Contract
//! - Identity: (family, name), fixed at construction.
//! - Default flags: **owner** ([`TableFlags::default`]): the kernel deletes the table when
//!   the socket that created it closes. Pass [`TableFlags::empty`] (or `PERSIST`) to opt out.
//! - Order: chains, sets, maps, objects and flowtables keep insertion order; the encoder
//!   sends them in that order.
//! - Namespaces: chain names unique; sets and maps share one namespace; objects unique per
//!   (kind, name); flowtable names unique.
//! - Fields reachable through `_mut` accessors may be edited freely; [`Table::validate`]
//!   re-checks everything that may have changed: the rules of a chain are checked when
//!   added and again only if the chain's check record is gone (a rule handed out by
//!   [`Chain::rule_mut`], rules added with [`Chain::with_rules`] after the chain, a pull,
//!   deserialization) or no longer matches (the chain's kind changed, the chain moved to a
//!   table of another family); see the [`Chain`] contract. So a rule is checked once per
//!   push, never zero times.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chain::ChainDoc;
use crate::consts::table as c;
use crate::flags::flags;
use crate::set::{MapDoc, SetDoc};
use crate::validate::{RuleCtx, check_name, check_refs, check_rule};
use crate::{Chain, Error, Family, Flowtable, Map, Object, ObjectType, Rule, Set, TableId};

flags! {
    /// Table flags (`NFTA_TABLE_FLAGS`). [`Default`] is `OWNER`.
    ///
    /// ```
    /// use linx_netfilter::TableFlags;
    /// assert_eq!(TableFlags::default(), TableFlags::OWNER);
    /// assert_eq!((TableFlags::OWNER | TableFlags::PERSIST).bits(), 0x6);
    /// ```
    pub struct TableFlags, path = "linx_netfilter::TableFlags", example = "linx_netfilter::TableFlags::OWNER" {
        /// `dormant` (0x1): the table's base chains are not attached to their hooks.
        const DORMANT = c::NFT_TABLE_F_DORMANT, "dormant";
        /// `owner` (0x2): the table belongs to the creating socket and is deleted when it
        /// closes; other processes cannot change it.
        const OWNER = c::NFT_TABLE_F_OWNER, "owner";
        /// `persist` (0x4, kernel 6.9+): with `owner`, keep the table after the socket
        /// closes (ownership is released instead).
        const PERSIST = c::NFT_TABLE_F_PERSIST, "persist";
    }
}

impl Default for TableFlags {
    /// `OWNER`: the newest upstream default.
    fn default() -> TableFlags {
        TableFlags::OWNER
    }
}

/// A table.
///
/// ```
/// use linx_netfilter::{Chain, ChainType, Expr, Family, Hook, Policy, Priority, Rule, Table};
/// let mut t = Table::new(Family::Inet, "filter");
/// t.add_chain(Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop))?;
/// t.add_rule("input", Rule::new(Expr::ct_state(&[linx_netfilter::CtState::ESTABLISHED])).accept())?;
/// t.validate()?;
/// assert_eq!(t.to_string(), "Table<inet/filter flags=owner 1 chains 1 rules>");
/// # Ok::<(), linx_netfilter::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    family: Family,
    name: String,
    /// Flags.
    pub flags: TableFlags,
    /// The kernel's handle, when pulled.
    pub handle: Option<u64>,
    /// The kernel's reference count (`NFTA_TABLE_USE`), when pulled.
    pub use_count: Option<u32>,
    /// Raw table userdata (`NFTA_TABLE_USERDATA`), kept as is.
    pub userdata: Option<Vec<u8>>,
    chains: Vec<Chain>,
    sets: Vec<Set>,
    maps: Vec<Map>,
    objects: Vec<Object>,
    flowtables: Vec<Flowtable>,
}

impl Table {
    /// An empty table with default flags (owner).
    ///
    /// ```
    /// use linx_netfilter::{Family, Table, TableFlags};
    /// let t = Table::new(Family::Ip, "nat");
    /// assert_eq!(t.flags, TableFlags::OWNER);
    /// assert_eq!(t.id().to_string(), "ip/nat");
    /// ```
    pub fn new(family: Family, name: impl Into<String>) -> Table {
        Table {
            family,
            name: name.into(),
            flags: TableFlags::default(),
            handle: None,
            use_count: None,
            userdata: None,
            chains: Vec::new(),
            sets: Vec::new(),
            maps: Vec::new(),
            objects: Vec::new(),
            flowtables: Vec::new(),
        }
    }

    /// The family.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert_eq!(Table::new(Family::Bridge, "b").family(), Family::Bridge);
    /// ```
    pub fn family(&self) -> Family {
        self.family
    }

    /// The name.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert_eq!(Table::new(Family::Bridge, "b").name(), "b");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The identity (family, name).
    ///
    /// ```
    /// use linx_netfilter::{Family, Table, TableId};
    /// assert_eq!(Table::new(Family::Ip6, "x").id(), TableId::new(Family::Ip6, "x"));
    /// ```
    pub fn id(&self) -> TableId {
        TableId::new(self.family, self.name.clone())
    }

    /// Adds a chain after checking its name is new and it fits the family (hooks, types,
    /// priorities, device rules) and checking any rules it already has.
    ///
    /// # Errors
    /// [`Error::DuplicateChain`], [`Error::BadChain`], and the rule errors of
    /// [`Table::add_rule`].
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainType, Error, Family, Hook, Priority, Reason, Table};
    /// let mut t = Table::new(Family::Bridge, "b");
    /// let nat = Chain::base("pre", ChainType::Nat, Hook::Prerouting, Priority::DSTNAT);
    /// assert!(matches!(t.add_chain(nat), Err(Error::BadChain { reason: Reason::TypeNotInFamily { .. }, .. })));
    /// t.add_chain(Chain::regular("web"))?;
    /// assert!(matches!(t.add_chain(Chain::regular("web")), Err(Error::DuplicateChain { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add_chain(&mut self, chain: Chain) -> Result<&mut Chain, Error> {
        let id = self.id();
        if self.chain(chain.name()).is_some() {
            return Err(Error::DuplicateChain {
                table: id,
                chain: chain.name().to_owned(),
            });
        }
        chain.check(&id)?;
        // The rules are checked where they are, in order, each before its tag (as adding
        // them one by one would); then the chain records the check.
        let ctx = RuleCtx {
            table: &id,
            chain: chain.name(),
            base: chain.as_base(),
        };
        let mut tags = HashSet::new();
        for (index, rule) in chain.rules().iter().enumerate() {
            check_rule(rule, &ctx, index)?;
            if let Some(tag) = &rule.tag {
                if !tags.insert(tag.as_str()) {
                    return Err(Error::DuplicateTag {
                        table: id.clone(),
                        chain: chain.name().to_owned(),
                        tag: tag.clone(),
                    });
                }
            }
        }
        let key = ctx.key();
        drop(tags);
        let mut chain = chain;
        chain.record_checked(key);
        self.chains.push(chain);
        // Just pushed, so the vector is not empty.
        Ok(self.chains.last_mut().expect("chain was just pushed"))
    }

    /// Appends a rule to chain `chain` after checking it: userdata (comment ≤ 253 bytes, tag
    /// unique in the chain), registers and lengths, expressions available in the family, NAT
    /// only where the kernel allows it. References to other chains, sets and objects are
    /// checked by [`Table::validate`].
    ///
    /// # Errors
    /// [`Error::NoSuchChain`], [`Error::DuplicateTag`], [`Error::BadRule`],
    /// [`Error::BadVerdict`], [`Error::BadSetElement`] / [`Error::BadMapElement`] (literals).
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainType, Error, Family, Hook, Priority, Reason, Rule, Table};
    /// use linx_netfilter::expr::nat::masquerade;
    /// let mut t = Table::new(Family::Ip, "t");
    /// t.add_chain(Chain::base("fwd", ChainType::Filter, Hook::Forward, Priority::FILTER))?;
    /// let err = t.add_rule("fwd", Rule::new(masquerade())).unwrap_err();
    /// assert!(matches!(err, Error::BadRule { reason: Reason::ExprNeedsChainType { .. }, .. }));
    /// t.add_rule("fwd", Rule::new([]).accept().tag("a"))?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add_rule(&mut self, chain: &str, rule: Rule) -> Result<&mut Rule, Error> {
        let id = self.id();
        let Some(target) = self.chains.iter_mut().find(|c| c.name() == chain) else {
            return Err(Error::NoSuchChain {
                table: id,
                chain: chain.to_owned(),
            });
        };
        let ctx = RuleCtx {
            table: &id,
            chain: target.name(),
            base: target.as_base(),
        };
        check_rule(&rule, &ctx, target.rules().len())?;
        let key = ctx.key();
        target.add_rule(&id, rule, key)
    }

    /// Adds a named set after checking its name is free among sets and maps and the set
    /// itself ([`Set::check`]).
    ///
    /// # Errors
    /// [`Error::DuplicateSet`], [`Error::BadSet`], [`Error::BadSetElement`].
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, KeyType, Map, Set, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_map(Map::vmap("x", KeyType::Mark))?;
    /// assert!(matches!(t.add_set(Set::new("x", KeyType::Mark)), Err(Error::DuplicateSet { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add_set(&mut self, set: Set) -> Result<&mut Set, Error> {
        if self.set(&set.name).is_some() || self.map(&set.name).is_some() {
            return Err(Error::DuplicateSet {
                table: self.id(),
                set: set.name,
            });
        }
        set.check(&self.id())?;
        self.sets.push(set);
        // Just pushed, so the vector is not empty.
        Ok(self.sets.last_mut().expect("set was just pushed"))
    }

    /// Adds a named map (or verdict map) after checking its name is free among sets and maps
    /// and the map itself ([`Map::check`]).
    ///
    /// # Errors
    /// [`Error::DuplicateMap`], [`Error::BadMap`], [`Error::BadMapElement`].
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, KeyType, Map, SetElement, Table, Verdict};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_map(Map::vmap("ports", KeyType::InetService).element(SetElement::port(22), Verdict::Accept))?;
    /// assert!(matches!(t.add_map(Map::vmap("ports", KeyType::Mark)), Err(Error::DuplicateMap { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add_map(&mut self, map: Map) -> Result<&mut Map, Error> {
        if self.set(&map.name).is_some() || self.map(&map.name).is_some() {
            return Err(Error::DuplicateMap {
                table: self.id(),
                map: map.name,
            });
        }
        map.check(&self.id())?;
        self.maps.push(map);
        // Just pushed, so the vector is not empty.
        Ok(self.maps.last_mut().expect("map was just pushed"))
    }

    /// Adds a named object after checking (kind, name) is new and the object is valid.
    ///
    /// # Errors
    /// [`Error::DuplicateObject`], [`Error::BadObject`].
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, Object, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_object(Object::counter("x"))?;
    /// t.add_object(Object::quota("x", 100))?; // another kind may share the name
    /// assert!(matches!(t.add_object(Object::counter("x")), Err(Error::DuplicateObject { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add_object(&mut self, object: Object) -> Result<&mut Object, Error> {
        let (kind, name) = object.key();
        if self.object(kind, name).is_some() {
            return Err(Error::DuplicateObject {
                table: self.id(),
                kind,
                name: name.to_owned(),
            });
        }
        object.check(&self.id())?;
        self.objects.push(object);
        // Just pushed, so the vector is not empty.
        Ok(self.objects.last_mut().expect("object was just pushed"))
    }

    /// Adds a flowtable after checking its name is new and it is valid for the family.
    ///
    /// # Errors
    /// [`Error::DuplicateFlowtable`], [`Error::BadFlowtable`].
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, Flowtable, Reason, Table};
    /// let mut t = Table::new(Family::Netdev, "t");
    /// let err = t.add_flowtable(Flowtable::new("ft", ["eth0"])).unwrap_err();
    /// assert!(matches!(err, Error::BadFlowtable { reason: Reason::FlowtableFamily { .. }, .. }));
    /// ```
    pub fn add_flowtable(&mut self, flowtable: Flowtable) -> Result<&mut Flowtable, Error> {
        if self.flowtable(&flowtable.name).is_some() {
            return Err(Error::DuplicateFlowtable {
                table: self.id(),
                flowtable: flowtable.name,
            });
        }
        flowtable.check(&self.id())?;
        self.flowtables.push(flowtable);
        // Just pushed, so the vector is not empty.
        Ok(self
            .flowtables
            .last_mut()
            .expect("flowtable was just pushed"))
    }

    /// The chains, in order.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert!(Table::new(Family::Inet, "t").chains().is_empty());
    /// ```
    pub fn chains(&self) -> &[Chain] {
        &self.chains
    }

    /// A chain by name.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Family, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_chain(Chain::regular("c"))?;
    /// assert!(t.chain("c").is_some() && t.chain("d").is_none());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.chains.iter().find(|c| c.name() == name)
    }

    /// A chain by name, mutably.
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainFlags, Family, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_chain(Chain::regular("c"))?;
    /// t.chain_mut("c").unwrap().handle = Some(3);
    /// assert_eq!(t.chain("c").unwrap().handle, Some(3));
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn chain_mut(&mut self, name: &str) -> Option<&mut Chain> {
        self.chains.iter_mut().find(|c| c.name() == name)
    }

    /// Removes a chain (rules that jump to it fail [`Table::validate`] afterwards).
    ///
    /// ```
    /// use linx_netfilter::{Chain, Family, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_chain(Chain::regular("c"))?;
    /// assert!(t.remove_chain("c").is_some());
    /// assert!(t.chains().is_empty());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn remove_chain(&mut self, name: &str) -> Option<Chain> {
        let at = self.chains.iter().position(|c| c.name() == name)?;
        Some(self.chains.remove(at))
    }

    /// The named sets, in order.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert!(Table::new(Family::Inet, "t").sets().is_empty());
    /// ```
    pub fn sets(&self) -> &[Set] {
        &self.sets
    }

    /// A set by name.
    ///
    /// ```
    /// use linx_netfilter::{Family, KeyType, Set, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_set(Set::new("s", KeyType::Mark))?;
    /// assert_eq!(t.set("s").map(|s| &s.key), Some(&KeyType::Mark));
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn set(&self, name: &str) -> Option<&Set> {
        self.sets.iter().find(|s| s.name == name)
    }

    /// A set by name, mutably.
    ///
    /// ```
    /// use linx_netfilter::{Family, KeyType, Set, SetElement, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_set(Set::new("s", KeyType::Mark))?;
    /// t.set_mut("s").unwrap().elements.push(SetElement::mark(1));
    /// t.validate()?;
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn set_mut(&mut self, name: &str) -> Option<&mut Set> {
        self.sets.iter_mut().find(|s| s.name == name)
    }

    /// Removes a set.
    ///
    /// ```
    /// use linx_netfilter::{Family, KeyType, Set, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_set(Set::new("s", KeyType::Mark))?;
    /// assert!(t.remove_set("s").is_some());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn remove_set(&mut self, name: &str) -> Option<Set> {
        let at = self.sets.iter().position(|s| s.name == name)?;
        Some(self.sets.remove(at))
    }

    /// The named maps, in order.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert!(Table::new(Family::Inet, "t").maps().is_empty());
    /// ```
    pub fn maps(&self) -> &[Map] {
        &self.maps
    }

    /// A map by name.
    ///
    /// ```
    /// use linx_netfilter::{Family, KeyType, Map, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_map(Map::vmap("v", KeyType::Mark))?;
    /// assert!(t.map("v").is_some_and(Map::is_vmap));
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn map(&self, name: &str) -> Option<&Map> {
        self.maps.iter().find(|m| m.name == name)
    }

    /// A map by name, mutably.
    ///
    /// ```
    /// use linx_netfilter::{Family, KeyType, Map, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_map(Map::vmap("v", KeyType::Mark))?;
    /// t.map_mut("v").unwrap().comment = Some("x".into());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn map_mut(&mut self, name: &str) -> Option<&mut Map> {
        self.maps.iter_mut().find(|m| m.name == name)
    }

    /// Removes a map.
    ///
    /// ```
    /// use linx_netfilter::{Family, KeyType, Map, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_map(Map::vmap("v", KeyType::Mark))?;
    /// assert!(t.remove_map("v").is_some() && t.maps().is_empty());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn remove_map(&mut self, name: &str) -> Option<Map> {
        let at = self.maps.iter().position(|m| m.name == name)?;
        Some(self.maps.remove(at))
    }

    /// The objects, in order.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert!(Table::new(Family::Inet, "t").objects().is_empty());
    /// ```
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    /// An object by kind and name.
    ///
    /// ```
    /// use linx_netfilter::{Family, Object, ObjectType, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_object(Object::counter("c"))?;
    /// assert!(t.object(ObjectType::Counter, "c").is_some());
    /// assert!(t.object(ObjectType::Quota, "c").is_none());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn object(&self, kind: ObjectType, name: &str) -> Option<&Object> {
        self.objects.iter().find(|o| o.key() == (kind, name))
    }

    /// An object by kind and name, mutably.
    ///
    /// ```
    /// use linx_netfilter::{Family, Object, ObjectType, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_object(Object::counter("c"))?;
    /// t.object_mut(ObjectType::Counter, "c").unwrap().handle = Some(9);
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn object_mut(&mut self, kind: ObjectType, name: &str) -> Option<&mut Object> {
        self.objects.iter_mut().find(|o| o.key() == (kind, name))
    }

    /// Removes an object.
    ///
    /// ```
    /// use linx_netfilter::{Family, Object, ObjectType, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_object(Object::counter("c"))?;
    /// assert!(t.remove_object(ObjectType::Counter, "c").is_some());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn remove_object(&mut self, kind: ObjectType, name: &str) -> Option<Object> {
        let at = self.objects.iter().position(|o| o.key() == (kind, name))?;
        Some(self.objects.remove(at))
    }

    /// The flowtables, in order.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert!(Table::new(Family::Inet, "t").flowtables().is_empty());
    /// ```
    pub fn flowtables(&self) -> &[Flowtable] {
        &self.flowtables
    }

    /// A flowtable by name.
    ///
    /// ```
    /// use linx_netfilter::{Family, Flowtable, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_flowtable(Flowtable::new("ft", ["eth0"]))?;
    /// assert!(t.flowtable("ft").is_some());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn flowtable(&self, name: &str) -> Option<&Flowtable> {
        self.flowtables.iter().find(|f| f.name == name)
    }

    /// A flowtable by name, mutably.
    ///
    /// ```
    /// use linx_netfilter::{Family, Flowtable, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_flowtable(Flowtable::new("ft", ["eth0"]))?;
    /// t.flowtable_mut("ft").unwrap().devices.push("eth1".into());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn flowtable_mut(&mut self, name: &str) -> Option<&mut Flowtable> {
        self.flowtables.iter_mut().find(|f| f.name == name)
    }

    /// Removes a flowtable.
    ///
    /// ```
    /// use linx_netfilter::{Family, Flowtable, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_flowtable(Flowtable::new("ft", ["eth0"]))?;
    /// assert!(t.remove_flowtable("ft").is_some());
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn remove_flowtable(&mut self, name: &str) -> Option<Flowtable> {
        let at = self.flowtables.iter().position(|f| f.name == name)?;
        Some(self.flowtables.remove(at))
    }

    /// The number of rules in all chains.
    ///
    /// ```
    /// use linx_netfilter::{Family, Table};
    /// assert_eq!(Table::new(Family::Inet, "t").rule_count(), 0);
    /// ```
    pub fn rule_count(&self) -> usize {
        self.chains.iter().map(|c| c.rules().len()).sum()
    }

    /// Checks the whole table: everything the `add_*` methods check (again where fields
    /// may have been edited: rules added through [`Table::add_rule`] / [`Table::add_chain`]
    /// and not handed out mutably since are not checked twice), then references: jump/goto targets exist and are regular chains, no jump
    /// loops, at most 16 nested jumps, lookups/dynsets name existing sets or maps and use
    /// them as their kind allows, objrefs name existing objects, verdict-map targets exist.
    ///
    /// # Errors
    /// Any [`Error`] variant about this table.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Error, Family, Rule, Table};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_chain(Chain::regular("a"))?;
    /// t.add_rule("a", Rule::new([]).jump("nowhere"))?; // fine until validated
    /// assert!(matches!(t.validate(), Err(Error::NoSuchChain { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let id = self.id();
        check_name(&self.name).map_err(|reason| Error::BadTable {
            table: id.clone(),
            reason,
        })?;
        let mut names = HashSet::new();
        for chain in &self.chains {
            if !names.insert(chain.name()) {
                return Err(Error::DuplicateChain {
                    table: id,
                    chain: chain.name().to_owned(),
                });
            }
            chain.check(&id)?;
            let ctx = RuleCtx {
                table: &id,
                chain: chain.name(),
                base: chain.as_base(),
            };
            if chain.rules_checked_under(ctx.key()) {
                // Checked when added, unchanged since: tags unique, every rule fine.
                continue;
            }
            let mut tags = HashSet::new();
            for (index, rule) in chain.rules().iter().enumerate() {
                check_rule(rule, &ctx, index)?;
                if let Some(tag) = &rule.tag {
                    if !tags.insert(tag) {
                        return Err(Error::DuplicateTag {
                            table: id,
                            chain: chain.name().to_owned(),
                            tag: tag.clone(),
                        });
                    }
                }
            }
        }
        let mut names = HashSet::new();
        for set in &self.sets {
            if !names.insert(set.name.as_str()) {
                return Err(Error::DuplicateSet {
                    table: id,
                    set: set.name.clone(),
                });
            }
            set.check(&id)?;
        }
        for map in &self.maps {
            if !names.insert(map.name.as_str()) {
                return Err(Error::DuplicateMap {
                    table: id,
                    map: map.name.clone(),
                });
            }
            map.check(&id)?;
        }
        let mut keys = HashSet::new();
        for object in &self.objects {
            if !keys.insert(object.key()) {
                let (kind, name) = object.key();
                return Err(Error::DuplicateObject {
                    table: id,
                    kind,
                    name: name.to_owned(),
                });
            }
            object.check(&id)?;
        }
        let mut names = HashSet::new();
        for flowtable in &self.flowtables {
            if !names.insert(flowtable.name.as_str()) {
                return Err(Error::DuplicateFlowtable {
                    table: id,
                    flowtable: flowtable.name.clone(),
                });
            }
            flowtable.check(&id)?;
        }
        check_refs(self)
    }

    /// Checks a bare table name (for `Ruleset::add_table`).
    /// Appends what a pull decoded, without the builders' checks: the kernel's content is
    /// taken as it is (it may hold things the model's validation would refuse to author).
    pub(crate) fn push_pulled(&mut self, item: Pulled) {
        match item {
            Pulled::Chain(c) => self.chains.push(c),
            Pulled::Set(s) => self.sets.push(s),
            Pulled::Map(m) => self.maps.push(m),
            Pulled::Object(o) => self.objects.push(o),
            Pulled::Flowtable(f) => self.flowtables.push(f),
        }
    }

    /// See [`Ruleset::canonical`](crate::Ruleset::canonical).
    pub(crate) fn canonicalize(&mut self) {
        self.handle = None;
        self.use_count = None;
        let family = self.family;
        for c in &mut self.chains {
            c.handle = None;
            if let crate::ChainKind::Base(base) = &mut c.kind {
                if let Ok(value) = base.priority.resolve(family) {
                    base.priority = crate::Priority::Value(value);
                }
                if base.policy == Some(crate::Policy::Accept) {
                    base.policy = None;
                }
            }
            for i in 0..c.rules().len() {
                if let Some(rule) = c.rule_mut(i) {
                    rule.handle = None;
                    for e in &mut rule.exprs {
                        match e {
                            crate::Expr::SetLiteral(l) => l.elements.sort(),
                            crate::Expr::VmapLiteral(l) => l.elements.sort(),
                            _ => {}
                        }
                    }
                }
            }
        }
        for s in &mut self.sets {
            s.handle = None;
            crate::set::sort_with_extras(&mut s.elements, &mut s.extras, Ord::cmp);
        }
        for m in &mut self.maps {
            m.handle = None;
            crate::set::sort_with_extras(&mut m.elements, &mut m.extras, |a, b| a.key.cmp(&b.key));
        }
        for o in &mut self.objects {
            o.handle = None;
        }
        for f in &mut self.flowtables {
            f.handle = None;
            if let Ok(value) = f.priority.resolve(family) {
                f.priority = crate::Priority::Value(value);
            }
        }
    }

    /// Mutable access to all chains (pull assembly: rules are appended unchecked).
    pub(crate) fn chains_mut(&mut self) -> &mut [Chain] {
        &mut self.chains
    }

    pub(crate) fn check_name(&self) -> Result<(), Error> {
        check_name(&self.name).map_err(|reason| Error::BadTable {
            table: self.id(),
            reason,
        })
    }

    /// `true` when the table holds something reconcile cannot manage.
    pub(crate) fn unreconcilable(&self) -> Option<&'static str> {
        // Anonymous sets kept as sets (a pull could not turn them back into literals): the
        // kernel names each creation anew, so they would never compare equal.
        let anonymous = self
            .sets
            .iter()
            .any(|s| s.flags.contains(crate::SetFlags::ANONYMOUS))
            || self
                .maps
                .iter()
                .any(|m| m.flags.contains(crate::SetFlags::ANONYMOUS));
        anonymous.then_some("anonymous sets kept as sets")
    }
}

impl fmt::Display for Table {
    /// `Table<inet/filter flags=owner 2 chains 5 rules 1 sets>` (empty parts left out).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Table<{}/{}", self.family, self.name)?;
        if !self.flags.is_empty() {
            write!(f, " flags={}", self.flags)?;
        }
        write!(
            f,
            " {} chains {} rules",
            self.chains.len(),
            self.rule_count()
        )?;
        for (n, what) in [
            (self.sets.len(), "sets"),
            (self.maps.len(), "maps"),
            (self.objects.len(), "objects"),
            (self.flowtables.len(), "flowtables"),
        ] {
            if n > 0 {
                write!(f, " {n} {what}")?;
            }
        }
        f.write_str(">")
    }
}

/// `Option<Vec<u8>>` as optional hex, for table and chain userdata.
pub(crate) mod opt_hex {
    pub(crate) fn serialize<S: serde::Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => crate::hex::serialize(bytes, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        #[derive(serde::Deserialize)]
        struct Hex(#[serde(with = "crate::hex")] Vec<u8>);
        let hex: Option<Hex> = serde::Deserialize::deserialize(deserializer)?;
        Ok(hex.map(|h| h.0))
    }
}

/// The serde shape of a table, written.
#[derive(Serialize)]
struct TableSer<'a> {
    family: Family,
    name: &'a str,
    flags: TableFlags,
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_hex")]
    userdata: &'a Option<Vec<u8>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    chains: &'a [Chain],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sets: &'a [Set],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    maps: &'a [Map],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    objects: &'a [Object],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    flowtables: &'a [Flowtable],
}

impl Serialize for Table {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TableSer {
            family: self.family,
            name: &self.name,
            flags: self.flags,
            handle: self.handle,
            use_count: self.use_count,
            userdata: &self.userdata,
            chains: &self.chains,
            sets: &self.sets,
            maps: &self.maps,
            objects: &self.objects,
            flowtables: &self.flowtables,
        }
        .serialize(serializer)
    }
}

/// The serde shape of a table, read back (unchecked).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TableDoc {
    family: Family,
    name: String,
    #[serde(default)]
    flags: TableFlags,
    #[serde(default)]
    handle: Option<u64>,
    #[serde(default)]
    use_count: Option<u32>,
    #[serde(default, with = "opt_hex")]
    userdata: Option<Vec<u8>>,
    #[serde(default)]
    chains: Vec<ChainDoc>,
    #[serde(default)]
    sets: Vec<SetDoc>,
    #[serde(default)]
    maps: Vec<MapDoc>,
    #[serde(default)]
    objects: Vec<Object>,
    #[serde(default)]
    flowtables: Vec<Flowtable>,
}

impl TableDoc {
    /// Builds the table through the `add_*` checks (references are left to `validate`).
    pub(crate) fn into_table(self) -> Result<Table, Error> {
        let mut table = Table::new(self.family, self.name);
        table.check_name()?;
        table.flags = self.flags;
        table.handle = self.handle;
        table.use_count = self.use_count;
        table.userdata = self.userdata;
        let id = table.id();
        for doc in self.sets {
            table.add_set(doc.into_set(&id)?)?;
        }
        for doc in self.maps {
            table.add_map(doc.into_map(&id)?)?;
        }
        for object in self.objects {
            table.add_object(object)?;
        }
        for flowtable in self.flowtables {
            table.add_flowtable(flowtable)?;
        }
        for doc in self.chains {
            table.add_chain(doc.into_chain(&id)?)?;
        }
        Ok(table)
    }
}

impl<'de> Deserialize<'de> for Table {
    /// Reads a table and runs the `add_*` checks and [`Table::validate`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Table, D::Error> {
        let table = TableDoc::deserialize(deserializer)?
            .into_table()
            .map_err(serde::de::Error::custom)?;
        table.validate().map_err(serde::de::Error::custom)?;
        Ok(table)
    }
}

/// One decoded table member, for [`Table::push_pulled`].
#[derive(Debug)]
pub(crate) enum Pulled {
    /// A chain (its rules are appended later).
    Chain(Chain),
    /// A named set.
    Set(Set),
    /// A named map.
    Map(Map),
    /// An object.
    Object(Object),
    /// A flowtable.
    Flowtable(Flowtable),
}
