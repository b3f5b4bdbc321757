//! Decoding one nf_tables notification into a [`Change`], with the pull's decoders.
//!
//! # Contract
//! - Pure and never panics. A modelled message that does not decode is a
//!   [`Change::Undecoded`] with its bytes; an unmodelled type is a [`Change::Unknown`].
//! - Set elements need their set's key and data types, which their messages do not carry:
//!   [`SetCache`] remembers the sets declared (from `NEWSET` notifications and from a
//!   snapshot). Elements of a set not in it are kept raw.

use std::collections::HashMap;

use linx_netlink_codec::{DecodeError, MsgView};
use linx_nfnl::{nft_msg, subsys};

use super::event::{Change, Elements, Entity};
use crate::wire::attr::set as sa;
use crate::wire::attr::set_elem_list as el;
use crate::wire::invalid;
use crate::wire::set::{ElemDecoder, Elements as Decoded, KeptElements, SetInfo, decode_set};
use crate::wire::table::{
    decode_chain, decode_flowtable, decode_object, decode_rule_ref, decode_table,
};
use crate::{Family, Map, Ruleset, Set, SetExtras};

/// The sets the monitor knows, by family, table and name.
#[derive(Debug, Default, Clone)]
pub(crate) struct SetCache {
    sets: HashMap<(Family, String, String), SetInfo>,
}

impl SetCache {
    /// Forget everything (after lost notifications, what is known may be stale).
    pub(crate) fn clear(&mut self) {
        self.sets.clear();
    }

    /// Know exactly the sets and maps of `rs`.
    pub(crate) fn seed(&mut self, rs: &Ruleset) {
        self.sets.clear();
        for t in rs.tables() {
            for s in t.sets() {
                self.insert(t.family(), info_of_set(t.name(), s));
            }
            for m in t.maps() {
                self.insert(t.family(), info_of_map(t.name(), m));
            }
        }
    }

    fn insert(&mut self, family: Family, info: SetInfo) {
        self.sets
            .insert((family, info.table.clone(), info.name.clone()), info);
    }

    pub(crate) fn get(&self, family: Family, table: &str, set: &str) -> Option<&SetInfo> {
        // A lookup by borrowed names would need a second map shape; element groups are
        // decoded once per group, so the key is built.
        self.sets.get(&(family, table.to_owned(), set.to_owned()))
    }

    fn remove(&mut self, family: Family, table: &str, set: &str) {
        self.sets
            .remove(&(family, table.to_owned(), set.to_owned()));
    }

    fn remove_table(&mut self, family: Family, table: &str) {
        self.sets
            .retain(|(f, t, _), _| !(*f == family && t == table));
    }
}

/// What the element decoder needs of a set of the model.
fn info_of_set(table: &str, s: &Set) -> SetInfo {
    SetInfo {
        table: table.to_owned(),
        name: s.name.clone(),
        flags: s.flags,
        key: s.key.clone(),
        data: None,
        auto_merge: s.auto_merge,
        timeout_ms: s.timeout_ms,
        gc_interval_ms: s.gc_interval_ms,
        size: s.size,
        comment: s.comment.clone(),
        handle: s.handle,
        extras: declaration_extras(&s.extras),
    }
}

/// What the element decoder needs of a map of the model.
fn info_of_map(table: &str, m: &Map) -> SetInfo {
    SetInfo {
        table: table.to_owned(),
        name: m.name.clone(),
        flags: m.flags,
        key: m.key.clone(),
        data: Some(m.data.clone()),
        auto_merge: m.auto_merge,
        timeout_ms: m.timeout_ms,
        gc_interval_ms: m.gc_interval_ms,
        size: m.size,
        comment: m.comment.clone(),
        handle: m.handle,
        extras: declaration_extras(&m.extras),
    }
}

/// A set's extras without its element extras (those belong to the elements).
fn declaration_extras(x: &SetExtras) -> SetExtras {
    let mut x = x.clone();
    x.elements.clear();
    x.raw_elements.clear();
    x
}

/// The nf_tables op of a message, when it is an nf_tables message.
pub(crate) fn nft_op(kind: u16) -> Option<u8> {
    ((kind >> 8) as u8 == subsys::NFTABLES).then_some(kind as u8)
}

/// Family and attributes of an nf_tables message.
pub(crate) fn split<'m>(m: &MsgView<'m>) -> Result<(Family, &'m [u8]), DecodeError> {
    let p = m.payload();
    let hdr = p
        .get(..4)
        .ok_or_else(|| DecodeError::truncated("nfgenmsg", 16, 4, p.len()))?;
    let family = Family::from_nfproto(hdr[0]).ok_or_else(|| invalid("nfgenmsg family", 16))?;
    Ok((family, &p[4..]))
}

/// The set a `NEWSETELEM`/`DELSETELEM` message is about: family, table, set.
pub(crate) fn elem_target(m: &MsgView<'_>) -> Result<(Family, String, String), DecodeError> {
    let (family, attrs) = split(m)?;
    let t = linx_netlink_codec::attr_table!(
        first attrs,
        [el::NFTA_SET_ELEM_LIST_TABLE, el::NFTA_SET_ELEM_LIST_SET]
    )?;
    let table = t
        .str(el::NFTA_SET_ELEM_LIST_TABLE)?
        .ok_or_else(|| invalid("element list table", 0))?;
    let set = t
        .str(el::NFTA_SET_ELEM_LIST_SET)?
        .ok_or_else(|| invalid("element list set", 0))?;
    Ok((family, table.to_owned(), set.to_owned()))
}

/// Decode one entity message (not `NEWGEN`, not set elements), updating `sets`.
pub(crate) fn decode_entity(m: &MsgView<'_>, sets: &mut SetCache) -> Change {
    let Some(op) = nft_op(m.kind()) else {
        return unknown(m);
    };
    let add = matches!(
        op,
        nft_msg::NEWTABLE
            | nft_msg::NEWCHAIN
            | nft_msg::NEWRULE
            | nft_msg::NEWSET
            | nft_msg::NEWOBJ
            | nft_msg::NEWFLOWTABLE
    );
    let known = add
        || matches!(
            op,
            nft_msg::DELTABLE
                | nft_msg::DELCHAIN
                | nft_msg::DELRULE
                | nft_msg::DELSET
                | nft_msg::DELOBJ
                | nft_msg::DELFLOWTABLE
        );
    if !known {
        return unknown(m);
    }
    match entity(op, m, sets, add) {
        Ok(e) if add => Change::Add(e),
        Ok(e) => Change::Delete(e),
        Err(error) => Change::Undecoded {
            msg_type: m.kind(),
            error,
            bytes: m.bytes().to_vec(),
        },
    }
}

fn unknown(m: &MsgView<'_>) -> Change {
    Change::Unknown {
        msg_type: m.kind(),
        bytes: m.bytes().to_vec(),
    }
}

fn entity(op: u8, m: &MsgView<'_>, sets: &mut SetCache, add: bool) -> Result<Entity, DecodeError> {
    let (family, attrs) = split(m)?;
    Ok(match op {
        nft_msg::NEWTABLE | nft_msg::DELTABLE => {
            let t = decode_table(family, attrs)?;
            if !add {
                sets.remove_table(family, t.name());
            }
            Entity::Table(t)
        }
        nft_msg::NEWCHAIN | nft_msg::DELCHAIN => {
            let (table, chain) = decode_chain(family, attrs)?;
            Entity::Chain {
                family,
                table,
                chain,
            }
        }
        nft_msg::NEWRULE | nft_msg::DELRULE => {
            let (table, chain, mut rule) = decode_rule_ref(attrs)?;
            rule.raw = crate::validate::lacks_dependencies(family, &rule.exprs);
            Entity::Rule {
                family,
                table: table.to_owned(),
                chain: chain.to_owned(),
                rule,
            }
        }
        nft_msg::DELSET => {
            // The kernel names a deleted set (table, name, handle) and describes it no
            // further: what is known of it comes from the declaration seen before.
            let (table, name, handle) = set_name(attrs)?;
            let known = sets.get(family, &table, &name).cloned();
            sets.remove(family, &table, &name);
            match known {
                Some(mut info) => {
                    info.handle = handle.or(info.handle);
                    set_entity(family, info)
                }
                None => Entity::SetName {
                    family,
                    table,
                    name,
                    handle,
                },
            }
        }
        nft_msg::NEWSET => {
            let info = decode_set(attrs)?;
            sets.insert(family, info.clone());
            set_entity(family, info)
        }
        nft_msg::NEWOBJ | nft_msg::DELOBJ => {
            let (table, object) = decode_object(attrs)?;
            Entity::Object {
                family,
                table,
                object,
            }
        }
        _ => {
            let (table, flowtable) = decode_flowtable(family, attrs)?;
            Entity::Flowtable {
                family,
                table,
                flowtable,
            }
        }
    })
}

/// A set or map without elements.
fn set_entity(family: Family, info: SetInfo) -> Entity {
    let table = info.table.clone();
    if info.data.is_some() {
        Entity::Map {
            family,
            table,
            map: info.into_map(Vec::new(), KeptElements::default()),
        }
    } else {
        Entity::Set {
            family,
            table,
            set: info.into_set(Vec::new(), KeptElements::default()),
        }
    }
}

/// Table, name and handle of a `DELSET` message.
fn set_name(attrs: &[u8]) -> Result<(String, String, Option<u64>), DecodeError> {
    let t = linx_netlink_codec::attr_table!(
        first attrs,
        [sa::NFTA_SET_TABLE, sa::NFTA_SET_NAME, sa::NFTA_SET_HANDLE]
    )?;
    let table = t
        .str(sa::NFTA_SET_TABLE)?
        .ok_or_else(|| invalid("set table", 0))?;
    let name = t
        .str(sa::NFTA_SET_NAME)?
        .ok_or_else(|| invalid("set name", 0))?;
    let handle = t
        .value::<linx_netlink_codec::Be64, _>(sa::NFTA_SET_HANDLE)?
        .map(u64::from);
    Ok((table.to_owned(), name.to_owned(), handle))
}

/// Consecutive element messages of one commit for the same set and op, not yet decoded.
#[derive(Debug)]
pub(crate) struct ElemGroup {
    pub(crate) add: bool,
    pub(crate) msg_type: u16,
    pub(crate) family: Family,
    pub(crate) table: String,
    pub(crate) set: String,
    /// The messages, whole, one after the other.
    pub(crate) bytes: Vec<u8>,
    /// Where each message's attributes (after the nfgenmsg) are in `bytes`.
    pub(crate) attrs: Vec<(usize, usize)>,
}

impl ElemGroup {
    /// A group starting with `m` (its target already read).
    pub(crate) fn new(add: bool, m: &MsgView<'_>, target: (Family, String, String)) -> ElemGroup {
        let mut g = ElemGroup {
            add,
            msg_type: m.kind(),
            family: target.0,
            table: target.1,
            set: target.2,
            bytes: Vec::new(),
            attrs: Vec::new(),
        };
        g.push(m);
        g
    }

    /// Whether `m` (with `target`) continues this group.
    pub(crate) fn continues(&self, add: bool, target: &(Family, String, String)) -> bool {
        self.add == add && self.family == target.0 && self.table == target.1 && self.set == target.2
    }

    /// Add a message of the same set.
    pub(crate) fn push(&mut self, m: &MsgView<'_>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(m.bytes());
        // nlmsghdr (16) and nfgenmsg (4) precede the attributes.
        let from = (start + 20).min(self.bytes.len());
        let to = start + 16 + m.payload().len();
        self.attrs.push((from, to.max(from).min(self.bytes.len())));
    }

    /// The change: elements decoded with the set's types, or kept raw.
    pub(crate) fn finish(self, sets: &SetCache) -> Change {
        let Some(info) = sets.get(self.family, &self.table, &self.set) else {
            return self.change(Elements::Raw(self.bytes.clone()));
        };
        let mut dec = ElemDecoder::new(info);
        let mut fed = Ok(());
        for &(from, to) in &self.attrs {
            fed = dec.feed(self.bytes.get(from..to).unwrap_or_default());
            if fed.is_err() {
                break;
            }
        }
        let decoded = fed.and_then(|()| dec.finish());
        match decoded {
            Ok((Decoded::Set(v), kept)) if info.data.is_none() => {
                self.change(Elements::Set(info.clone().into_set(v, kept)))
            }
            Ok((Decoded::Map(v), kept)) if info.data.is_some() => {
                self.change(Elements::Map(info.clone().into_map(v, kept)))
            }
            Ok(_) => Change::Undecoded {
                msg_type: self.msg_type,
                error: invalid("set elements of the wrong kind", 0),
                bytes: self.bytes,
            },
            Err(error) => Change::Undecoded {
                msg_type: self.msg_type,
                error,
                bytes: self.bytes,
            },
        }
    }

    fn change(&self, elements: Elements) -> Change {
        let e = Entity::Elements {
            family: self.family,
            table: self.table.clone(),
            set: self.set.clone(),
            elements,
        };
        if self.add {
            Change::Add(e)
        } else {
            Change::Delete(e)
        }
    }
}

/// Turn the lookups of `rule` that use an anonymous set declared earlier in the same commit
/// (`changes`, with its elements) back into the set or vmap literal it was written as, as a
/// pull does; the set and element changes stay in the commit.
pub(crate) fn restore_literals(
    family: Family,
    table: &str,
    rule: &mut crate::Rule,
    changes: &[Change],
    sets: &SetCache,
) {
    use crate::SetFlags;
    let mut anonymous = crate::pull::Anonymous::new();
    for ch in changes {
        let Change::Add(Entity::Elements {
            family: f,
            table: t,
            set,
            elements,
        }) = ch
        else {
            continue;
        };
        if *f != family || t != table || !set.starts_with("__") {
            continue;
        }
        let Some(info) = sets.get(family, table, set) else {
            continue;
        };
        if !info.flags.contains(SetFlags::ANONYMOUS) {
            continue;
        }
        let decoded = match elements {
            Elements::Set(s) => (
                Decoded::Set(s.elements.clone()),
                KeptElements {
                    elements: s.extras.elements.clone(),
                    raw: s.extras.raw_elements.clone(),
                },
            ),
            Elements::Map(m) => (
                Decoded::Map(m.elements.clone()),
                KeptElements {
                    elements: m.extras.elements.clone(),
                    raw: m.extras.raw_elements.clone(),
                },
            ),
            Elements::Raw(_) => continue,
        };
        anonymous.insert((0, set.clone()), (info.clone(), Some(decoded)));
    }
    if anonymous.is_empty() {
        return;
    }
    let mut taken = std::collections::HashSet::new();
    for e in &mut rule.exprs {
        crate::pull::restore_literal(e, 0, &anonymous, &mut taken);
    }
    rule.raw = crate::validate::lacks_dependencies(family, &rule.exprs);
}
