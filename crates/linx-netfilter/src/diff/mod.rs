//! [`diff`]: what must change in the kernel to turn a pulled ruleset into a desired one, as a
//! [`Patch`] of typed operations.
//!
//! Why a pure diff: a reconcile loop must send only what changed (one edited rule in a
//! 10 000-rule table is one `replace`, not a reload), must leave alone every table it does not
//! manage (Docker's, firewalld's, an admin's), and must be checkable without a kernel. So the
//! diff is a function of two values: a ruleset pulled between two GETGENs (it carries the
//! kernel's handles) and the ruleset wanted. The result is plain data that can be inspected,
//! counted, printed as the nft commands it amounts to ([`Patch::to_nft`], a dry run) and,
//! later, encoded into one batch.
//!
//! ```
//! use linx_netfilter::diff::{OpKind, diff};
//! use linx_netfilter::{Chain, Expr, Family, Rule, Ruleset, TableFlags};
//!
//! // What the kernel has (as pulled: rules carry handles) ...
//! let mut current = Ruleset::new();
//! let t = current.add_table(Family::Inet, "app", TableFlags::empty())?;
//! t.add_chain(Chain::regular("input"))?;
//! t.add_rule("input", Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(22)).accept().tag("ssh").handle(4))?;
//! t.add_rule("input", Rule::new([]).drop().tag("rest").handle(5))?;
//! // ... and what is wanted: ssh moves to port 2222, http is new.
//! let mut desired = Ruleset::new();
//! let t = desired.add_table(Family::Inet, "app", TableFlags::empty())?;
//! t.add_chain(Chain::regular("input"))?;
//! t.add_rule("input", Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(2222)).accept().tag("ssh"))?;
//! t.add_rule("input", Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(80)).accept().tag("http"))?;
//! t.add_rule("input", Rule::new([]).drop().tag("rest"))?;
//!
//! let patch = diff(&current, &desired);
//! assert_eq!(patch.to_string(), "Patch<2 ops: 1 create, 1 replace>");
//! assert_eq!(patch.count(OpKind::ReplaceRule), 1);
//! assert_eq!(
//!     patch.to_nft(&linx_netfilter::Printer::new()),
//!     "replace rule inet app input handle 4 tcp dport 2222 accept\n\
//!      insert rule inet app input position 5 tcp dport 80 accept\n"
//! );
//! # Ok::<(), linx_netfilter::Error>(())
//! ```
//!
//! # Contract
//! - Pure: no I/O, no clock; never panics, whatever the two rulesets hold (neither needs to
//!   be validated). Allocation is proportional to the two rulesets.
//! - **Scope**: only tables present in `desired` are looked at. A kernel table absent from
//!   `desired` never appears in a patch; [`OpKind::DeleteTable`] is never produced by
//!   [`diff`] (a caller that really wants a table gone adds the op with [`Patch::push`]).
//! - **Tables** by (family, name); their flags and userdata are not compared. A table only
//!   in `desired` is created with all its contents.
//! - **Chains** by name. A change of kind (base or regular), type, hook, priority (compared
//!   resolved for the family), policy (none ≡ accept), devices (as a set), flags or userdata
//!   (where nft keeps a chain comment, which the kernel cannot change in place) deletes the
//!   chain and creates it again with all its rules.
//! - **Rules**: equal lists (expressions, tag and comment; counter and quota state and the
//!   order of anonymous set elements are ignored) give nothing. When every rule on both
//!   sides is tagged (tags unique on each side) the rules are matched by tag: a tag only in
//!   the kernel is deleted by handle, a changed rule (expressions, comment) is replaced in
//!   place (its handle is kept), a new tag is created at its place (appended, or inserted
//!   before the next rule that stays: [`Position`]). Rules whose order changed are moved
//!   (deleted and created) — the fewest possible, the rest keep their handles — so the
//!   chain ends in the desired order. Otherwise the chain is rebuilt: every rule deleted by
//!   handle, every desired rule appended.
//! - **Sets and maps** by name. A change between set and map, of key type, flags or data
//!   type deletes and creates the set with its elements; otherwise the element set
//!   difference is sent (a map element whose value changed is deleted and added). Other set
//!   attributes (timeout, size, comment, extras) are not compared: the kernel cannot change
//!   them in place either. Element extras (timeouts, comments) travel with added elements
//!   but are not part of an element's identity. Anonymous sets kept from a pull are diffed
//!   like named ones, except that they are never deleted on their own (the kernel deletes
//!   them with the rule that uses them).
//! - **Constant sets**: the kernel refuses (`EBUSY`) to add or delete elements of a set or
//!   map with flag `constant` while a rule uses it, even when that rule is deleted earlier
//!   in the same batch (and an unused one has no room for more elements). So a named
//!   constant set whose elements change (a map element jumping to a re-created chain
//!   included) is deleted and created again with its elements, and the rules using it with
//!   it, never sent an element delta. Anonymous sets are left to their rules.
//! - **Objects** (by kind and name) and **flowtables** (by name) are whole objects: any
//!   change (ignoring counter and quota state) deletes and creates them. Their ops share
//!   the delete-set and create-set buckets ([`OpKind::bucket`]).
//! - **Kernel references**: the kernel refuses to delete a chain, set or object a live rule
//!   or map element still refers to. So a rule that refers to something deleted or
//!   re-created is itself deleted (in the first bucket) and created again, never replaced
//!   in place; likewise a map element that jumps to a re-created chain. References hidden
//!   in raw expressions (`flow add @ft` to a flowtable) or in object maps' raw element
//!   attributes are not seen.
//! - **Reference cycles**: deleting a chain takes its own rules with it, but the kernel
//!   still refuses (`EBUSY`) while any live rule jumps to it, one of its own included. So
//!   the rules of a deleted chain that refer to something deleted (chains jumping to each
//!   other or to themselves, a rule looking up a deleted map whose elements jump back to
//!   the chain) are deleted first too, in the first bucket, as are the map elements that
//!   jump to deleted chains (second bucket): no cycle is left, and the chains then go in
//!   pulled order. A deleted constant map whose elements jump to deleted chains cannot
//!   lose those elements (see "Constant sets"): instead the map itself is deleted ahead of
//!   the chains, in the delete-chain bucket (its rules went in the first).
//! - Rules without a handle in `current` (not pulled) cannot be deleted or replaced by
//!   handle: a chain where one would have to be is re-created instead, and a deleted chain
//!   where one would have to go first is flushed ([`OpKind::FlushChain`], nft's `flush
//!   chain`) instead.
//! - **Order**: ops come in the spec's buckets (delete rules and flush chains, delete
//!   elements, delete chains, delete sets/objects/flowtables, delete tables, create tables, create
//!   sets/objects/flowtables, create chains, add elements, replace rules, create rules),
//!   stable within a bucket: tables in (family, name) order, then the desired order of
//!   their contents. One exception: the deleted constant maps of "Reference cycles" come
//!   first in the delete-chain bucket, not in the delete-set one. Applied in that order,
//!   in one batch, the patch turns `current` into `desired` for every table of `desired`.
//! - Applying is not here (see the reconcile push): ops carry what it needs, handles and
//!   whole objects.

mod nft;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use crate::expr::ImmediateData;
use crate::expr::{Counter, Immediate, Lookup, Objref, Quota};
use crate::{
    Chain, ChainKind, Expr, Family, Flowtable, Map, MapValue, Object, ObjectKind, ObjectType,
    Priority, RawElement, Rule, Ruleset, Set, SetFlags, Table, TableId, Verdict,
};

/// A named set or map, as the diff carries it (the kernel keeps both as sets, in one
/// namespace per table).
///
/// ```
/// use linx_netfilter::diff::SetDef;
/// use linx_netfilter::{KeyType, Set};
/// let s = SetDef::Set(Set::new("s", KeyType::Ipv4Addr));
/// assert_eq!(s.name(), "s");
/// assert!(!s.is_map());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetDef {
    /// A set.
    Set(Set),
    /// A map (data or verdict).
    Map(Map),
}

impl SetDef {
    /// The set's name.
    ///
    /// ```
    /// use linx_netfilter::diff::SetDef;
    /// use linx_netfilter::{KeyType, Map};
    /// assert_eq!(SetDef::Map(Map::vmap("ports", KeyType::InetService)).name(), "ports");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            SetDef::Set(s) => &s.name,
            SetDef::Map(m) => &m.name,
        }
    }

    /// `true` for a map.
    ///
    /// ```
    /// use linx_netfilter::diff::SetDef;
    /// use linx_netfilter::{KeyType, Map};
    /// assert!(SetDef::Map(Map::vmap("m", KeyType::Mark)).is_map());
    /// ```
    pub fn is_map(&self) -> bool {
        matches!(self, SetDef::Map(_))
    }

    /// The number of elements carried (typed ones plus raw ones such as a catch-all).
    ///
    /// ```
    /// use linx_netfilter::diff::SetDef;
    /// use linx_netfilter::{KeyType, Set, SetElement};
    /// let s = Set::new("p", KeyType::InetService).elements([SetElement::port(22), SetElement::port(80)]);
    /// assert_eq!(SetDef::Set(s).element_count(), 2);
    /// ```
    pub fn element_count(&self) -> usize {
        match self {
            SetDef::Set(s) => s.elements.len() + s.extras.raw_elements.len(),
            SetDef::Map(m) => m.elements.len() + m.extras.raw_elements.len(),
        }
    }
}

/// A set or map of a table, borrowed: what the diff compares before it copies anything.
#[derive(Clone, Copy)]
enum SetRef<'a> {
    Set(&'a Set),
    Map(&'a Map),
}

impl<'a> SetRef<'a> {
    fn name(&self) -> &'a str {
        match self {
            SetRef::Set(s) => &s.name,
            SetRef::Map(m) => &m.name,
        }
    }

    fn element_count(&self) -> usize {
        match self {
            SetRef::Set(s) => s.elements.len() + s.extras.raw_elements.len(),
            SetRef::Map(m) => m.elements.len() + m.extras.raw_elements.len(),
        }
    }

    fn flags(&self) -> SetFlags {
        match self {
            SetRef::Set(s) => s.flags,
            SetRef::Map(m) => m.flags,
        }
    }

    fn raw_elements(&self) -> &'a [RawElement] {
        match self {
            SetRef::Set(s) => &s.extras.raw_elements,
            SetRef::Map(m) => &m.extras.raw_elements,
        }
    }

    /// Same definition: kind, key type, flags and, for maps, data type.
    fn same_definition(&self, other: &SetRef<'_>) -> bool {
        match (self, other) {
            (SetRef::Set(a), SetRef::Set(b)) => a.key == b.key && a.flags == b.flags,
            (SetRef::Map(a), SetRef::Map(b)) => {
                a.key == b.key && a.flags == b.flags && a.data == b.data
            }
            _ => false,
        }
    }

    /// This definition holding only the typed elements at `picks` (with their extra
    /// attributes, re-indexed) and the raw elements `raw`.
    fn subset(&self, picks: &[usize], raw: Vec<RawElement>) -> SetDef {
        fn remap(
            extras: &crate::SetExtras,
            picks: &[usize],
            raw: Vec<RawElement>,
        ) -> crate::SetExtras {
            let mut out = extras.clone();
            out.elements.clear();
            let by_index: HashMap<usize, &crate::ElemAttrs> = extras
                .elements
                .iter()
                .map(|a| (a.index as usize, a))
                .collect();
            for (j, &i) in picks.iter().enumerate() {
                if let Some(a) = by_index.get(&i) {
                    out.elements.push(crate::ElemAttrs {
                        index: u32::try_from(j).unwrap_or(u32::MAX),
                        attrs: a.attrs.clone(),
                    });
                }
            }
            out.raw_elements = raw;
            out
        }
        match self {
            SetRef::Set(s) => {
                let mut t = (*s).clone();
                t.elements = picks
                    .iter()
                    .filter_map(|&i| s.elements.get(i).cloned())
                    .collect();
                t.extras = remap(&s.extras, picks, raw);
                SetDef::Set(t)
            }
            SetRef::Map(m) => {
                let mut t = (*m).clone();
                t.elements = picks
                    .iter()
                    .filter_map(|&i| m.elements.get(i).cloned())
                    .collect();
                t.extras = remap(&m.extras, picks, raw);
                SetDef::Map(t)
            }
        }
    }

    /// The definition alone, without elements.
    fn definition(&self) -> SetDef {
        self.subset(&[], Vec::new())
    }

    /// Every element, typed and raw.
    fn all(&self) -> SetDef {
        let n = match self {
            SetRef::Set(s) => s.elements.len(),
            SetRef::Map(m) => m.elements.len(),
        };
        let picks: Vec<usize> = (0..n).collect();
        self.subset(&picks, self.raw_elements().to_vec())
    }
}

/// Where a created rule goes in its chain.
///
/// ```
/// use linx_netfilter::diff::Position;
/// assert_eq!(Position::Before(7).to_string(), "position 7");
/// assert_eq!(Position::Append.to_string(), "");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// At the end of the chain (`add rule`).
    Append,
    /// Right before the rule with this handle, which stays in the chain (`insert rule ...
    /// position <handle>`; the kernel's `NFTA_RULE_POSITION` without `NLM_F_APPEND`).
    /// Several rules created before the same handle keep their order.
    Before(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Append => Ok(()),
            Position::Before(h) => write!(f, "position {h}"),
        }
    }
}

/// The kind of an [`Op`], in patch order.
///
/// ```
/// use linx_netfilter::diff::OpKind;
/// assert!(OpKind::DeleteRule.bucket() < OpKind::CreateTable.bucket());
/// assert_eq!(OpKind::DeleteObject.bucket(), OpKind::DeleteSet.bucket());
/// assert_eq!(OpKind::ReplaceRule.to_string(), "replace_rule");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    /// `delete_rule`: a rule by handle.
    DeleteRule,
    /// `flush_chain`: every rule of a chain about to be deleted, when one that must go
    /// first has no handle (same bucket as `delete_rule`).
    FlushChain,
    /// `delete_set_elements`: elements of a set or map that stays.
    DeleteSetElements,
    /// `delete_chain`.
    DeleteChain,
    /// `delete_set` (or map). Its bucket is `delete_set`'s, except for a constant map whose
    /// elements jump to chains the patch deletes: [`diff`] puts that one first in the
    /// `delete_chain` bucket (the kernel frees the chains only with the map; see the
    /// module's "Constant sets").
    DeleteSet,
    /// A stateful object (same bucket as `delete_set`).
    DeleteObject,
    /// A flowtable (same bucket as `delete_set`).
    DeleteFlowtable,
    /// `delete_table` (only through [`Patch::push`]).
    DeleteTable,
    /// `create_table` (without contents).
    CreateTable,
    /// `create_set` (or map; its elements follow in an `add_set_elements`).
    CreateSet,
    /// A stateful object (same bucket as `create_set`).
    CreateObject,
    /// A flowtable (same bucket as `create_set`).
    CreateFlowtable,
    /// `create_chain` (its rules follow as `create_rule`).
    CreateChain,
    /// `add_set_elements`.
    AddSetElements,
    /// `replace_rule`: a rule's content changed in place, by handle.
    ReplaceRule,
    /// `create_rule`.
    CreateRule,
}

impl OpKind {
    /// The spec's bucket, 1 (first applied) to 11: delete_rule (and flush_chain),
    /// delete_set_elements, delete_chain, delete_set (and objects, flowtables), delete_table,
    /// create_table, create_set (and objects, flowtables), create_chain, add_set_elements,
    /// replace_rule, create_rule. This is a patch's default order; [`diff`] makes one
    /// documented exception (see [`OpKind::DeleteSet`]).
    ///
    /// ```
    /// use linx_netfilter::diff::OpKind;
    /// assert_eq!(OpKind::DeleteRule.bucket(), 1);
    /// assert_eq!(OpKind::FlushChain.bucket(), 1);
    /// assert_eq!(OpKind::CreateRule.bucket(), 11);
    /// ```
    pub fn bucket(self) -> u8 {
        match self {
            OpKind::DeleteRule | OpKind::FlushChain => 1,
            OpKind::DeleteSetElements => 2,
            OpKind::DeleteChain => 3,
            OpKind::DeleteSet | OpKind::DeleteObject | OpKind::DeleteFlowtable => 4,
            OpKind::DeleteTable => 5,
            OpKind::CreateTable => 6,
            OpKind::CreateSet | OpKind::CreateObject | OpKind::CreateFlowtable => 7,
            OpKind::CreateChain => 8,
            OpKind::AddSetElements => 9,
            OpKind::ReplaceRule => 10,
            OpKind::CreateRule => 11,
        }
    }

    /// What the op does to the kernel, for summaries: a deletion, a creation (adding
    /// elements counts as one) or a replacement.
    ///
    /// ```
    /// use linx_netfilter::diff::{Effect, OpKind};
    /// assert_eq!(OpKind::AddSetElements.effect(), Effect::Create);
    /// ```
    pub fn effect(self) -> Effect {
        match self.bucket() {
            1..=5 => Effect::Delete,
            10 => Effect::Replace,
            _ => Effect::Create,
        }
    }

    fn name(self) -> &'static str {
        match self {
            OpKind::DeleteRule => "delete_rule",
            OpKind::FlushChain => "flush_chain",
            OpKind::DeleteSetElements => "delete_set_elements",
            OpKind::DeleteChain => "delete_chain",
            OpKind::DeleteSet => "delete_set",
            OpKind::DeleteObject => "delete_object",
            OpKind::DeleteFlowtable => "delete_flowtable",
            OpKind::DeleteTable => "delete_table",
            OpKind::CreateTable => "create_table",
            OpKind::CreateSet => "create_set",
            OpKind::CreateObject => "create_object",
            OpKind::CreateFlowtable => "create_flowtable",
            OpKind::CreateChain => "create_chain",
            OpKind::AddSetElements => "add_set_elements",
            OpKind::ReplaceRule => "replace_rule",
            OpKind::CreateRule => "create_rule",
        }
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an op does, for [`Patch`] summaries.
///
/// ```
/// use linx_netfilter::diff::{Effect, OpKind};
/// assert_eq!(OpKind::DeleteChain.effect(), Effect::Delete);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Something is removed from the kernel.
    Delete,
    /// Something is added.
    Create,
    /// A rule is changed in place.
    Replace,
}

/// One operation of a [`Patch`]: what changes, with what the kernel call needs (handles of
/// what is deleted or replaced, whole objects for what is created).
///
/// ```
/// use linx_netfilter::diff::{Op, OpKind, Position};
/// use linx_netfilter::{Family, Rule, TableId};
/// let op = Op::CreateRule {
///     table: TableId::new(Family::Inet, "app"),
///     chain: "input".into(),
///     position: Position::Append,
///     rule: Rule::new([]).accept(),
/// };
/// assert_eq!(op.kind(), OpKind::CreateRule);
/// assert_eq!(op.table().name, "app");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Delete a rule by handle.
    DeleteRule {
        /// The rule's table.
        table: TableId,
        /// The rule's chain.
        chain: String,
        /// The kernel's handle of the rule.
        handle: u64,
        /// The rule as pulled (for printing and undo).
        rule: Rule,
    },
    /// Delete every rule of a chain (nft's `flush chain`; the kernel's `DELRULE` without a
    /// handle). Made for a chain the patch deletes whose rules keep references the
    /// deletions need gone but carry no handle to delete them one by one (see the module's
    /// "Kernel references").
    FlushChain {
        /// The chain's table.
        table: TableId,
        /// The chain's name.
        chain: String,
    },
    /// Delete these elements from a set or map that stays.
    DeleteSetElements {
        /// The set's table.
        table: TableId,
        /// The set's definition holding exactly the elements to delete.
        set: SetDef,
    },
    /// Delete a chain (the kernel deletes its rules with it).
    DeleteChain {
        /// The chain's table.
        table: TableId,
        /// The chain as pulled (with its handle), without its rules.
        chain: Chain,
    },
    /// Delete a set or map with its elements.
    DeleteSet {
        /// The set's table.
        table: TableId,
        /// The set as pulled (with its handle), without elements.
        set: SetDef,
    },
    /// Delete a stateful object.
    DeleteObject {
        /// The object's table.
        table: TableId,
        /// The object as pulled.
        object: Object,
    },
    /// Delete a flowtable.
    DeleteFlowtable {
        /// The flowtable's table.
        table: TableId,
        /// The flowtable as pulled.
        flowtable: Flowtable,
    },
    /// Delete a table with everything in it (never produced by [`diff`]).
    DeleteTable {
        /// The table.
        table: TableId,
        /// The kernel's handle, when known.
        handle: Option<u64>,
    },
    /// Create a table (flags and userdata as desired; no contents: they follow as ops).
    CreateTable {
        /// The table, without chains, sets, objects or flowtables.
        table: Table,
    },
    /// Create a set or map (its elements follow in an [`Op::AddSetElements`]).
    CreateSet {
        /// The set's table.
        table: TableId,
        /// The desired set, without elements.
        set: SetDef,
    },
    /// Create a stateful object.
    CreateObject {
        /// The object's table.
        table: TableId,
        /// The desired object.
        object: Object,
    },
    /// Create a flowtable.
    CreateFlowtable {
        /// The flowtable's table.
        table: TableId,
        /// The desired flowtable.
        flowtable: Flowtable,
    },
    /// Create a chain (its rules follow as [`Op::CreateRule`]s).
    CreateChain {
        /// The chain's table.
        table: TableId,
        /// The desired chain, without rules (and without a handle).
        chain: Chain,
    },
    /// Add elements to a set or map.
    AddSetElements {
        /// The set's table.
        table: TableId,
        /// The set's definition holding exactly the elements to add (with their extras).
        set: SetDef,
    },
    /// Replace a rule's content, keeping its handle and place.
    ReplaceRule {
        /// The rule's table.
        table: TableId,
        /// The rule's chain.
        chain: String,
        /// The kernel's handle of the rule replaced.
        handle: u64,
        /// The desired rule (without a handle).
        rule: Rule,
    },
    /// Create a rule.
    CreateRule {
        /// The rule's table.
        table: TableId,
        /// The rule's chain.
        chain: String,
        /// Where it goes.
        position: Position,
        /// The desired rule (without a handle).
        rule: Rule,
    },
}

impl Op {
    /// The op's kind.
    ///
    /// ```
    /// use linx_netfilter::diff::{Op, OpKind};
    /// use linx_netfilter::{Family, TableId};
    /// let op = Op::DeleteTable { table: TableId::new(Family::Ip, "t"), handle: None };
    /// assert_eq!(op.kind(), OpKind::DeleteTable);
    /// ```
    pub fn kind(&self) -> OpKind {
        match self {
            Op::DeleteRule { .. } => OpKind::DeleteRule,
            Op::FlushChain { .. } => OpKind::FlushChain,
            Op::DeleteSetElements { .. } => OpKind::DeleteSetElements,
            Op::DeleteChain { .. } => OpKind::DeleteChain,
            Op::DeleteSet { .. } => OpKind::DeleteSet,
            Op::DeleteObject { .. } => OpKind::DeleteObject,
            Op::DeleteFlowtable { .. } => OpKind::DeleteFlowtable,
            Op::DeleteTable { .. } => OpKind::DeleteTable,
            Op::CreateTable { .. } => OpKind::CreateTable,
            Op::CreateSet { .. } => OpKind::CreateSet,
            Op::CreateObject { .. } => OpKind::CreateObject,
            Op::CreateFlowtable { .. } => OpKind::CreateFlowtable,
            Op::CreateChain { .. } => OpKind::CreateChain,
            Op::AddSetElements { .. } => OpKind::AddSetElements,
            Op::ReplaceRule { .. } => OpKind::ReplaceRule,
            Op::CreateRule { .. } => OpKind::CreateRule,
        }
    }

    /// The table the op touches.
    ///
    /// ```
    /// use linx_netfilter::diff::Op;
    /// use linx_netfilter::{Family, Table};
    /// let op = Op::CreateTable { table: Table::new(Family::Inet, "app") };
    /// assert_eq!(op.table().to_string(), "inet/app");
    /// ```
    pub fn table(&self) -> TableId {
        match self {
            Op::CreateTable { table } => table.id(),
            Op::DeleteRule { table, .. }
            | Op::FlushChain { table, .. }
            | Op::DeleteSetElements { table, .. }
            | Op::DeleteChain { table, .. }
            | Op::DeleteSet { table, .. }
            | Op::DeleteObject { table, .. }
            | Op::DeleteFlowtable { table, .. }
            | Op::DeleteTable { table, .. }
            | Op::CreateSet { table, .. }
            | Op::CreateObject { table, .. }
            | Op::CreateFlowtable { table, .. }
            | Op::CreateChain { table, .. }
            | Op::AddSetElements { table, .. }
            | Op::ReplaceRule { table, .. }
            | Op::CreateRule { table, .. } => table.clone(),
        }
    }
}

/// The operations that turn a pulled ruleset into a desired one, in apply order (see the
/// module's contract). Made by [`diff`]; inspect it with [`Patch::ops`] and the counts,
/// print it with [`Patch::to_nft`].
///
/// `Debug` and `Display` both give the summary; [`Patch::ops`] has the detail.
///
/// ```
/// use linx_netfilter::diff::{Patch, diff};
/// use linx_netfilter::Ruleset;
/// let patch = diff(&Ruleset::new(), &Ruleset::new());
/// assert!(patch.is_empty());
/// assert_eq!(format!("{patch:?}"), "Patch<0 ops>");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[must_use = "a patch does nothing until it is applied"]
pub struct Patch {
    /// Ops in bucket order, stable within a bucket.
    ops: Vec<Op>,
    /// Skeletons of the desired tables (sets and maps without elements): what printing a
    /// rule needs to know about the table it goes into.
    context: BTreeMap<TableId, Table>,
}

impl Patch {
    /// An empty patch.
    ///
    /// ```
    /// assert!(linx_netfilter::diff::Patch::new().is_empty());
    /// ```
    pub fn new() -> Patch {
        Patch::default()
    }

    /// The ops, in apply order.
    ///
    /// ```
    /// use linx_netfilter::diff::Patch;
    /// assert!(Patch::new().ops().is_empty());
    /// ```
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// The ops, by value.
    ///
    /// ```
    /// use linx_netfilter::diff::Patch;
    /// assert!(Patch::new().into_ops().is_empty());
    /// ```
    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    /// `true` when nothing is to change (the reconcile push then sends nothing).
    ///
    /// ```
    /// assert!(linx_netfilter::diff::Patch::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The number of ops.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::diff::Patch::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// The number of ops of `kind`.
    ///
    /// ```
    /// use linx_netfilter::diff::{OpKind, Patch};
    /// assert_eq!(Patch::new().count(OpKind::CreateRule), 0);
    /// ```
    pub fn count(&self, kind: OpKind) -> usize {
        self.ops.iter().filter(|o| o.kind() == kind).count()
    }

    /// The number of ops with this effect (deletions, creations, replacements).
    ///
    /// ```
    /// use linx_netfilter::diff::{Effect, Patch};
    /// assert_eq!(Patch::new().count_effect(Effect::Delete), 0);
    /// ```
    pub fn count_effect(&self, effect: Effect) -> usize {
        self.ops
            .iter()
            .filter(|o| o.kind().effect() == effect)
            .count()
    }

    /// Adds an op at the end of its bucket, keeping the patch in apply order. The one way to
    /// delete a whole table, which [`diff`] never does.
    ///
    /// ```
    /// use linx_netfilter::diff::{Op, OpKind, Patch};
    /// use linx_netfilter::{Family, Table, TableId};
    /// let mut p = Patch::new();
    /// p.push(Op::CreateTable { table: Table::new(Family::Inet, "new") });
    /// p.push(Op::DeleteTable { table: TableId::new(Family::Inet, "old"), handle: Some(3) });
    /// assert_eq!(p.ops()[0].kind(), OpKind::DeleteTable);
    /// assert_eq!(p.to_string(), "Patch<2 ops: 1 create, 1 delete>");
    /// ```
    pub fn push(&mut self, op: Op) {
        let bucket = op.kind().bucket();
        let at = self
            .ops
            .iter()
            .position(|o| o.kind().bucket() > bucket)
            .unwrap_or(self.ops.len());
        self.ops.insert(at, op);
    }

    fn summary(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.ops.len();
        write!(f, "Patch<{n} op{}", if n == 1 { "" } else { "s" })?;
        let parts = [
            (self.count_effect(Effect::Create), "create"),
            (self.count_effect(Effect::Replace), "replace"),
            (self.count_effect(Effect::Delete), "delete"),
        ];
        let mut first = true;
        for (count, word) in parts {
            if count == 0 {
                continue;
            }
            f.write_str(if first { ": " } else { ", " })?;
            first = false;
            write!(f, "{count} {word}{}", if count == 1 { "" } else { "s" })?;
        }
        f.write_str(">")
    }
}

impl fmt::Display for Patch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.summary(f)
    }
}

impl fmt::Debug for Patch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.summary(f)
    }
}

/// The patch that turns `current`, a ruleset pulled from the kernel (rules carry handles),
/// into `desired`, for the tables of `desired` only. Pure; see the module's contract.
///
/// ```
/// use linx_netfilter::diff::{OpKind, diff};
/// use linx_netfilter::{Chain, Family, Rule, Ruleset, TableFlags};
/// let mut current = Ruleset::new();
/// current.add_table(Family::Ip, "docker", TableFlags::empty())?; // not ours
/// let mut desired = Ruleset::new();
/// desired.add_table(Family::Inet, "app", TableFlags::empty())?
///     .add_chain(Chain::regular("c").with_rules([Rule::new([]).accept()]))?;
/// let patch = diff(&current, &desired);
/// let kinds: Vec<OpKind> = patch.ops().iter().map(|o| o.kind()).collect();
/// assert_eq!(kinds, [OpKind::CreateTable, OpKind::CreateChain, OpKind::CreateRule]);
/// assert!(patch.ops().iter().all(|o| o.table().name == "app"));
/// assert!(diff(&desired, &desired).is_empty());
/// # Ok::<(), linx_netfilter::Error>(())
/// ```
pub fn diff(current: &Ruleset, desired: &Ruleset) -> Patch {
    let mut b = Buckets::default();
    let mut context = BTreeMap::new();
    for want in desired.tables() {
        context.insert(want.id(), skeleton(want));
        match current.table(want.family(), want.name()) {
            None => create_table(&mut b, want),
            Some(have) => diff_table(&mut b, have, want),
        }
    }
    Patch {
        ops: b.into_ops(),
        context,
    }
}

/// Ops per bucket while the diff runs.
#[derive(Default)]
struct Buckets {
    by: [Vec<Op>; 11],
}

impl Buckets {
    fn push(&mut self, op: Op) {
        let i = usize::from(op.kind().bucket().saturating_sub(1));
        if let Some(v) = self.by.get_mut(i) {
            v.push(op);
        }
    }

    /// Adds `op` to `bucket` rather than its kind's own (the documented exceptions to the
    /// bucket order, see the module's "Constant sets").
    fn push_in(&mut self, bucket: u8, op: Op) {
        if let Some(v) = self.by.get_mut(usize::from(bucket.saturating_sub(1))) {
            v.push(op);
        }
    }

    fn into_ops(self) -> Vec<Op> {
        self.by.into_iter().flatten().collect()
    }
}

/// A table's definition with its sets and maps (without elements): the context rule text
/// needs.
fn skeleton(t: &Table) -> Table {
    let mut s = bare_table(t);
    for set in t.sets() {
        let mut set = set.clone();
        set.elements.clear();
        set.extras.elements.clear();
        set.extras.raw_elements.clear();
        // A pulled set the builder refuses only loses its printing context.
        let _ = s.add_set(set);
    }
    for map in t.maps() {
        let mut map = map.clone();
        map.elements.clear();
        map.extras.elements.clear();
        map.extras.raw_elements.clear();
        let _ = s.add_map(map);
    }
    s
}

/// The table's own attributes, no contents.
fn bare_table(t: &Table) -> Table {
    let mut s = Table::new(t.family(), t.name());
    s.flags = t.flags;
    s.handle = t.handle;
    s.userdata = t.userdata.clone();
    s
}

/// A desired rule as an op carries it: without a handle (the kernel assigns one, or the op
/// names the one replaced).
fn desired_rule(r: &Rule) -> Rule {
    let mut r = r.clone();
    r.handle = None;
    r
}

/// A chain's own attributes, no rules.
fn bare_chain(c: &Chain) -> Chain {
    let mut out = Chain::with_kind(c.name(), c.kind.clone()).flags(c.flags);
    out.handle = c.handle;
    out.userdata = c.userdata.clone();
    out
}

fn sets_of(t: &Table) -> Vec<SetRef<'_>> {
    t.sets()
        .iter()
        .map(SetRef::Set)
        .chain(t.maps().iter().map(SetRef::Map))
        .collect()
}

fn find_set<'a>(t: &'a Table, name: &str) -> Option<SetRef<'a>> {
    t.set(name)
        .map(SetRef::Set)
        .or_else(|| t.map(name).map(SetRef::Map))
}

fn create_table(b: &mut Buckets, want: &Table) {
    let id = want.id();
    b.push(Op::CreateTable {
        table: bare_table(want),
    });
    for s in sets_of(want) {
        create_set(b, &id, s);
    }
    for o in want.objects() {
        b.push(Op::CreateObject {
            table: id.clone(),
            object: o.clone(),
        });
    }
    for f in want.flowtables() {
        b.push(Op::CreateFlowtable {
            table: id.clone(),
            flowtable: f.clone(),
        });
    }
    for c in want.chains() {
        create_chain(b, &id, c);
    }
}

fn create_set(b: &mut Buckets, id: &TableId, s: SetRef<'_>) {
    b.push(Op::CreateSet {
        table: id.clone(),
        set: s.definition(),
    });
    if s.element_count() > 0 {
        b.push(Op::AddSetElements {
            table: id.clone(),
            set: s.all(),
        });
    }
}

fn create_chain(b: &mut Buckets, id: &TableId, c: &Chain) {
    let mut chain = bare_chain(c);
    chain.handle = None;
    b.push(Op::CreateChain {
        table: id.clone(),
        chain,
    });
    for r in c.rules() {
        b.push(Op::CreateRule {
            table: id.clone(),
            chain: c.name().to_owned(),
            position: Position::Append,
            rule: desired_rule(r),
        });
    }
}

/// What this patch deletes (or re-creates) in one table: live references to any of it must
/// go before it does.
#[derive(Default)]
struct Doomed {
    chains: HashSet<String>,
    sets: HashSet<String>,
    objects: HashSet<(ObjectType, String)>,
}

impl Doomed {
    fn verdict(&self, v: &Verdict) -> bool {
        match v {
            Verdict::Jump(c) | Verdict::Goto(c) => self.chains.contains(c),
            _ => false,
        }
    }

    fn exprs(&self, exprs: &[Expr]) -> bool {
        exprs.iter().any(|e| match e {
            Expr::Immediate(Immediate {
                data: ImmediateData::Verdict(v),
                ..
            }) => self.verdict(v),
            Expr::VmapLiteral(l) => l.elements.iter().any(|(_, v)| self.verdict(v)),
            Expr::Lookup(Lookup { set, .. }) => self.sets.contains(&**set),
            Expr::Dynset(d) => self.sets.contains(&d.set) || self.exprs(&d.exprs),
            Expr::Objref(Objref { kind, name }) => self.objects.contains(&(*kind, name.clone())),
            _ => false,
        })
    }

    /// `true` when the rule refers to something this patch deletes.
    fn rule(&self, r: &Rule) -> bool {
        self.exprs(&r.exprs)
    }

    fn is_empty(&self) -> bool {
        self.chains.is_empty() && self.sets.is_empty() && self.objects.is_empty()
    }
}

fn diff_table(b: &mut Buckets, have: &Table, want: &Table) {
    let id = want.id();
    let family = want.family();
    let mut doomed = Doomed::default();

    // Chains: gone or changed ones are doomed.
    let mut recreate_chains: Vec<&Chain> = Vec::new();
    let mut kept_chains: Vec<(&Chain, &Chain)> = Vec::new();
    let mut new_chains: Vec<&Chain> = Vec::new();
    for c in have.chains() {
        if want.chain(c.name()).is_none() {
            doomed.chains.insert(c.name().to_owned());
        }
    }
    for c in want.chains() {
        match have.chain(c.name()) {
            None => new_chains.push(c),
            Some(h) if !same_chain(h, c, family) => {
                doomed.chains.insert(c.name().to_owned());
                recreate_chains.push(c);
            }
            Some(h) => kept_chains.push((h, c)),
        }
    }

    // Sets and maps.
    let have_sets = sets_of(have);
    let want_sets = sets_of(want);
    let mut set_pairs: Vec<(SetRef<'_>, SetRef<'_>)> = Vec::new();
    let mut new_sets: Vec<SetRef<'_>> = Vec::new();
    for s in &have_sets {
        if !want_sets.iter().any(|w| w.name() == s.name()) {
            doomed.sets.insert(s.name().to_owned());
        }
    }
    for &w in &want_sets {
        match find_set(have, w.name()) {
            None => new_sets.push(w),
            Some(h) if !h.same_definition(&w) => {
                doomed.sets.insert(w.name().to_owned());
                new_sets.push(w);
                // The delete op needs the pulled definition (with its handle).
                set_pairs.push((h, w));
            }
            Some(h) => set_pairs.push((h, w)),
        }
    }

    // Objects and flowtables: whole objects.
    let mut obj_delete: Vec<&Object> = Vec::new();
    let mut obj_create: Vec<&Object> = Vec::new();
    for o in have.objects() {
        let (kind, name) = o.key();
        match want.object(kind, name) {
            Some(w) if same_object(o, w) => {}
            _ => {
                doomed.objects.insert((kind, name.to_owned()));
                obj_delete.push(o);
            }
        }
    }
    for w in want.objects() {
        let (kind, name) = w.key();
        match have.object(kind, name) {
            Some(h) if same_object(h, w) => {}
            _ => obj_create.push(w),
        }
    }
    let mut ft_delete: Vec<&Flowtable> = Vec::new();
    let mut ft_create: Vec<&Flowtable> = Vec::new();
    for f in have.flowtables() {
        match want.flowtable(&f.name) {
            Some(w) if same_flowtable(f, w, family) => {}
            _ => ft_delete.push(f),
        }
    }
    for w in want.flowtables() {
        match have.flowtable(&w.name) {
            Some(h) if same_flowtable(h, w, family) => {}
            _ => ft_create.push(w),
        }
    }

    // Rules of kept chains; a chain whose rules cannot be changed by handle is re-created,
    // which dooms it too (and may doom rules elsewhere that jump to it), so repeat until
    // nothing more is doomed.
    let mut rule_plans: Vec<(&Chain, &Chain, RulePlan)>;
    loop {
        rule_plans = Vec::new();
        let mut more = false;
        for &(h, w) in &kept_chains {
            match plan_rules(h.rules(), w.rules(), &doomed) {
                Some(plan) => rule_plans.push((h, w, plan)),
                None => {
                    doomed.chains.insert(w.name().to_owned());
                    more = true;
                }
            }
        }
        // A constant set bound to a rule takes no element changes (`EBUSY`, even when the
        // rule goes earlier in the batch; an unbound one has no room for more): one whose
        // elements change is re-created, which dooms the rules using it.
        for &(h, w) in &set_pairs {
            if doomed.sets.contains(w.name()) || !constant(w) {
                continue;
            }
            if element_diff(h, w, &doomed) != (None, None) {
                doomed.sets.insert(w.name().to_owned());
                more = true;
            }
        }
        if !more {
            break;
        }
        kept_chains.retain(|(_, w)| {
            if doomed.chains.contains(w.name()) {
                recreate_chains.push(w);
                false
            } else {
                true
            }
        });
    }

    // 1. delete_rule: rules of doomed chains that refer to something doomed (their own
    // chain included), or, when one of them has no handle, the whole chain flushed; then the
    // rule plans' deletions.
    if !doomed.is_empty() {
        for c in have.chains() {
            if !doomed.chains.contains(c.name()) {
                continue;
            }
            let referring = c.rules().iter().filter(|r| doomed.rule(r));
            if referring.clone().any(|r| r.handle.is_none()) {
                b.push(Op::FlushChain {
                    table: id.clone(),
                    chain: c.name().to_owned(),
                });
                continue;
            }
            for r in referring {
                if let Some(handle) = r.handle {
                    b.push(Op::DeleteRule {
                        table: id.clone(),
                        chain: c.name().to_owned(),
                        handle,
                        rule: r.clone(),
                    });
                }
            }
        }
    }
    // Elements of maps about to go that jump to chains about to go: out first, so that
    // the chains are free when their turn comes. A constant map takes no element deletion
    // while bound: it goes as a whole before the chains instead (bucket 3, below).
    let mut early_sets: Vec<SetRef<'_>> = Vec::new();
    for s in &have_sets {
        if let (true, SetRef::Map(m)) = (doomed.sets.contains(s.name()), s) {
            let picks: Vec<usize> = (0..m.elements.len())
                .filter(|&i| {
                    m.elements.get(i).is_some_and(|e| match &e.value {
                        MapValue::Verdict(v) => doomed.verdict(v),
                        MapValue::Data(_) => false,
                    })
                })
                .collect();
            if picks.is_empty() {
                continue;
            }
            if constant(*s) {
                early_sets.push(*s);
            } else {
                b.push(Op::DeleteSetElements {
                    table: id.clone(),
                    set: s.subset(&picks, Vec::new()),
                });
            }
        }
    }
    for (h, _, plan) in &rule_plans {
        for &i in &plan.delete {
            if let Some(r) = h.rules().get(i) {
                if let Some(handle) = r.handle {
                    b.push(Op::DeleteRule {
                        table: id.clone(),
                        chain: h.name().to_owned(),
                        handle,
                        rule: r.clone(),
                    });
                }
            }
        }
    }

    // 2. / 9. elements of sets that stay.
    for &(h, w) in &set_pairs {
        if doomed.sets.contains(w.name()) {
            continue;
        }
        let (del, add) = element_diff(h, w, &doomed);
        if let Some(del) = del {
            b.push(Op::DeleteSetElements {
                table: id.clone(),
                set: del,
            });
        }
        if let Some(add) = add {
            b.push(Op::AddSetElements {
                table: id.clone(),
                set: add,
            });
        }
    }

    // 3. delete_chain, in pulled order: buckets 1 and 2 took every rule and map element
    // that jumped to a doomed chain, and the constant maps whose elements still do go
    // just before (bucket 1 took the rules using them), so none is referenced any more
    // (each takes its remaining rules with it).
    for s in &early_sets {
        b.push_in(
            OpKind::DeleteChain.bucket(),
            Op::DeleteSet {
                table: id.clone(),
                set: s.definition(),
            },
        );
    }
    for c in have.chains() {
        if doomed.chains.contains(c.name()) {
            b.push(Op::DeleteChain {
                table: id.clone(),
                chain: bare_chain(c),
            });
        }
    }

    // 4. delete_set (pulled definitions), objects, flowtables.
    for s in &have_sets {
        if doomed.sets.contains(s.name())
            && !s.flags().contains(SetFlags::ANONYMOUS)
            && !early_sets.iter().any(|e| e.name() == s.name())
        {
            b.push(Op::DeleteSet {
                table: id.clone(),
                set: s.definition(),
            });
        }
    }
    for o in obj_delete {
        b.push(Op::DeleteObject {
            table: id.clone(),
            object: o.clone(),
        });
    }
    for f in ft_delete {
        b.push(Op::DeleteFlowtable {
            table: id.clone(),
            flowtable: f.clone(),
        });
    }

    // 7. create_set (with 9. its elements), objects, flowtables: new sets, and those
    // re-created (doomed above), in desired order.
    for s in want_sets {
        if new_sets.iter().any(|n| n.name() == s.name())
            || (doomed.sets.contains(s.name()) && find_set(have, s.name()).is_some())
        {
            create_set(b, &id, s);
        }
    }
    for o in obj_create {
        b.push(Op::CreateObject {
            table: id.clone(),
            object: o.clone(),
        });
    }
    for f in ft_create {
        b.push(Op::CreateFlowtable {
            table: id.clone(),
            flowtable: f.clone(),
        });
    }

    // 8. create_chain (with 11. their rules), in desired order.
    for c in want.chains() {
        if new_chains.iter().any(|n| n.name() == c.name())
            || recreate_chains.iter().any(|n| n.name() == c.name())
        {
            create_chain(b, &id, c);
        }
    }

    // 10. replace_rule, 11. create_rule of kept chains.
    for (h, w, plan) in rule_plans {
        for (i, j) in plan.replace {
            if let (Some(old), Some(new)) = (h.rules().get(i), w.rules().get(j)) {
                if let Some(handle) = old.handle {
                    b.push(Op::ReplaceRule {
                        table: id.clone(),
                        chain: w.name().to_owned(),
                        handle,
                        rule: desired_rule(new),
                    });
                }
            }
        }
        for (j, position) in plan.create {
            if let Some(r) = w.rules().get(j) {
                b.push(Op::CreateRule {
                    table: id.clone(),
                    chain: w.name().to_owned(),
                    position,
                    rule: desired_rule(r),
                });
            }
        }
    }
}

/// What to do with the rules of a chain that stays.
#[derive(Debug, Default, PartialEq, Eq)]
struct RulePlan {
    /// Current rules to delete, by index.
    delete: Vec<usize>,
    /// (current index, desired index) of rules replaced in place.
    replace: Vec<(usize, usize)>,
    /// Desired rules to create, by index, with where they go.
    create: Vec<(usize, Position)>,
}

/// The rule plan for one chain, or `None` when a rule that has to go has no handle (the
/// chain is then re-created).
fn plan_rules(have: &[Rule], want: &[Rule], doomed: &Doomed) -> Option<RulePlan> {
    let dead: Vec<bool> = have.iter().map(|r| doomed.rule(r)).collect();
    if have.len() == want.len()
        && !dead.contains(&true)
        && have.iter().zip(want).all(|(a, b)| same_rule(a, b))
    {
        return Some(RulePlan::default());
    }
    let plan = match (tag_index(have), tag_index(want)) {
        (Some(have_tags), Some(_)) => {
            // Candidates: desired rules whose tag is in the kernel on a rule that may stay,
            // as (current index, desired index) in desired order.
            let candidates: Vec<(usize, usize)> = want
                .iter()
                .enumerate()
                .filter_map(|(j, r)| {
                    let i = *have_tags.get(r.tag.as_deref()?)?;
                    (!dead.get(i).copied().unwrap_or(true)).then_some((i, j))
                })
                .collect();
            let keep_idx = longest_increasing(&candidates);
            let kept: Vec<(usize, usize)> = keep_idx
                .iter()
                .filter_map(|&k| candidates.get(k).copied())
                .collect();
            let stays_cur: HashSet<usize> = kept.iter().map(|&(i, _)| i).collect();
            let stays_want: HashMap<usize, usize> = kept.iter().map(|&(i, j)| (j, i)).collect();
            let delete: Vec<usize> = (0..have.len()).filter(|i| !stays_cur.contains(i)).collect();
            let replace: Vec<(usize, usize)> = kept
                .iter()
                .copied()
                .filter(|&(i, j)| match (have.get(i), want.get(j)) {
                    (Some(a), Some(b)) => !same_rule(a, b),
                    _ => false,
                })
                .collect();
            // Each created rule goes before the next desired rule that stays, or at the end.
            let mut create = Vec::new();
            let mut next: Option<u64> = None;
            for j in (0..want.len()).rev() {
                match stays_want.get(&j) {
                    Some(&i) => next = have.get(i).and_then(|r| r.handle),
                    None => create.push((j, next.map_or(Position::Append, Position::Before))),
                }
            }
            create.reverse();
            // A staying rule without a handle cannot serve as a position either.
            if kept
                .iter()
                .any(|&(i, _)| have.get(i).is_none_or(|r| r.handle.is_none()))
            {
                return None;
            }
            RulePlan {
                delete,
                replace,
                create,
            }
        }
        _ => RulePlan {
            delete: (0..have.len()).collect(),
            replace: Vec::new(),
            create: (0..want.len()).map(|j| (j, Position::Append)).collect(),
        },
    };
    if plan
        .delete
        .iter()
        .any(|&i| have.get(i).is_none_or(|r| r.handle.is_none()))
    {
        return None;
    }
    Some(plan)
}

/// Tag → index when every rule is tagged and no tag repeats.
fn tag_index(rules: &[Rule]) -> Option<HashMap<&str, usize>> {
    let mut out = HashMap::with_capacity(rules.len());
    for (i, r) in rules.iter().enumerate() {
        if out.insert(r.tag.as_deref()?, i).is_some() {
            return None;
        }
    }
    Some(out)
}

/// Positions in `pairs` of a longest subsequence whose first components increase
/// (patience sorting, O(n log n)).
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<usize> {
    // tails[k]: position in `pairs` of the smallest tail of an increasing run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; pairs.len()];
    for (p, &(i, _)) in pairs.iter().enumerate() {
        let k = tails.partition_point(|&t| pairs.get(t).is_some_and(|&(ti, _)| ti < i));
        prev[p] = k.checked_sub(1).and_then(|k| tails.get(k).copied());
        if k == tails.len() {
            tails.push(p);
        } else if let Some(slot) = tails.get_mut(k) {
            *slot = p;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(p) = at {
        out.push(p);
        at = prev.get(p).copied().flatten();
    }
    out.reverse();
    out
}

/// Same chain attributes: kind, type, hook, priority (resolved), policy (none ≡ accept),
/// devices (as a set), flags, userdata.
fn same_chain(a: &Chain, b: &Chain, family: Family) -> bool {
    let kind = match (&a.kind, &b.kind) {
        (ChainKind::Regular, ChainKind::Regular) => true,
        (ChainKind::Base(x), ChainKind::Base(y)) => {
            let mut dx = x.devices.clone();
            let mut dy = y.devices.clone();
            dx.sort();
            dy.sort();
            x.chain_type == y.chain_type
                && x.hook == y.hook
                && same_priority(x.priority, y.priority, family)
                && x.policy.unwrap_or(crate::Policy::Accept)
                    == y.policy.unwrap_or(crate::Policy::Accept)
                && dx == dy
        }
        _ => false,
    };
    kind && a.flags == b.flags && a.userdata == b.userdata
}

fn same_priority(a: Priority, b: Priority, family: Family) -> bool {
    match (a.resolve(family), b.resolve(family)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn same_flowtable(a: &Flowtable, b: &Flowtable, family: Family) -> bool {
    let mut da = a.devices.clone();
    let mut db = b.devices.clone();
    da.sort();
    db.sort();
    a.hook == b.hook
        && same_priority(a.priority, b.priority, family)
        && da == db
        && a.flags == b.flags
}

/// Same object apart from its state (counter values, quota use).
fn same_object(a: &Object, b: &Object) -> bool {
    fn stateless(k: &ObjectKind) -> ObjectKind {
        match k {
            ObjectKind::Counter { .. } => ObjectKind::Counter {
                packets: 0,
                bytes: 0,
            },
            ObjectKind::Quota { bytes, over, .. } => ObjectKind::Quota {
                bytes: *bytes,
                over: *over,
                used: 0,
            },
            other => other.clone(),
        }
    }
    a.comment == b.comment && stateless(&a.kind) == stateless(&b.kind)
}

/// Same rule for the diff: tag, comment and expressions, ignoring counter and quota state
/// and the order of anonymous set elements.
fn same_rule(a: &Rule, b: &Rule) -> bool {
    a.tag == b.tag
        && a.comment == b.comment
        && (a.exprs == b.exprs || normalized(&a.exprs) == normalized(&b.exprs))
}

fn normalized(exprs: &[Expr]) -> Vec<Expr> {
    exprs
        .iter()
        .map(|e| {
            let mut e = e.clone();
            match &mut e {
                Expr::Counter(Counter { packets, bytes }) => {
                    *packets = 0;
                    *bytes = 0;
                }
                Expr::Quota(Quota { consumed, .. }) => *consumed = 0,
                Expr::SetLiteral(l) => l.elements.sort(),
                Expr::VmapLiteral(l) => l.elements.sort(),
                Expr::Dynset(d) => d.exprs = normalized(&d.exprs),
                _ => {}
            }
            e
        })
        .collect()
}

/// `true` for a named set or map with flag `constant`: the kernel refuses element changes
/// to it while a rule uses it (anonymous ones live and die with their rule).
fn constant(s: SetRef<'_>) -> bool {
    s.flags().contains(SetFlags::CONSTANT) && !s.flags().contains(SetFlags::ANONYMOUS)
}

/// Elements to delete and to add for a set that stays (same definition).
fn element_diff(
    have: SetRef<'_>,
    want: SetRef<'_>,
    doomed: &Doomed,
) -> (Option<SetDef>, Option<SetDef>) {
    let (del, add) = match (have, want) {
        (SetRef::Set(h), SetRef::Set(w)) => {
            let hs: HashSet<&crate::SetElement> = h.elements.iter().collect();
            let ws: HashSet<&crate::SetElement> = w.elements.iter().collect();
            let del: Vec<usize> = (0..h.elements.len())
                .filter(|&i| h.elements.get(i).is_some_and(|e| !ws.contains(e)))
                .collect();
            let add: Vec<usize> = (0..w.elements.len())
                .filter(|&j| w.elements.get(j).is_some_and(|e| !hs.contains(e)))
                .collect();
            (del, add)
        }
        (SetRef::Map(h), SetRef::Map(w)) => {
            // An element stays when the same key maps to the same value and that value does
            // not jump to a chain this patch deletes.
            let live = |v: &MapValue| match v {
                MapValue::Verdict(v) => !doomed.verdict(v),
                MapValue::Data(_) => true,
            };
            let hm: HashMap<&crate::SetElement, &MapValue> = h
                .elements
                .iter()
                .filter(|e| live(&e.value))
                .map(|e| (&e.key, &e.value))
                .collect();
            let wm: HashMap<&crate::SetElement, &MapValue> =
                w.elements.iter().map(|e| (&e.key, &e.value)).collect();
            let del: Vec<usize> = (0..h.elements.len())
                .filter(|&i| {
                    h.elements
                        .get(i)
                        .is_some_and(|e| !live(&e.value) || wm.get(&e.key) != Some(&&e.value))
                })
                .collect();
            let add: Vec<usize> = (0..w.elements.len())
                .filter(|&j| {
                    w.elements
                        .get(j)
                        .is_some_and(|e| hm.get(&e.key) != Some(&&e.value))
                })
                .collect();
            (del, add)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let raw_del: Vec<RawElement> = have
        .raw_elements()
        .iter()
        .filter(|r| !want.raw_elements().contains(r))
        .cloned()
        .collect();
    let raw_add: Vec<RawElement> = want
        .raw_elements()
        .iter()
        .filter(|r| !have.raw_elements().contains(r))
        .cloned()
        .collect();
    let del = (!del.is_empty() || !raw_del.is_empty()).then(|| have.subset(&del, raw_del));
    let add = (!add.is_empty() || !raw_add.is_empty()).then(|| want.subset(&add, raw_add));
    (del, add)
}
