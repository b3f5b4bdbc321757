//! [`SetSpec`] and [`Elems`]: a set, map or set literal as the encoder and the decoder see it.
//!
//! Why a view of its own: named sets, maps and the anonymous sets behind set literals and
//! verdict-map literals are written alike; the spec borrows what the wire needs from any of
//! them, so the encoders have one input type.
//!
//! # Contract
//! - Borrows only; building a spec does not allocate.

use crate::expr::{SetLiteral, VmapLiteral};
use crate::{DataType, KeyType, Map, MapElement, Set, SetElement, SetExtras, SetFlags, Verdict};

/// The `DataType::Verdict` anonymous verdict maps point at.
static VERDICT: DataType = DataType::Verdict;

/// A set as the wire sees it: a named set, a map, or the anonymous set of a literal.
#[derive(Debug, Clone)]
pub(crate) struct SetSpec<'a> {
    /// The wire name (`__set%d` / `__map%d` for anonymous sets: the kernel numbers them).
    pub name: &'a str,
    /// Key type.
    pub key: &'a KeyType,
    /// Data type, for maps.
    pub data: Option<&'a DataType>,
    /// Flags as sent (the encoder adds `map`, `concat` where the wire needs them).
    pub flags: SetFlags,
    /// nft's `auto-merge` (set userdata only).
    pub auto_merge: bool,
    /// Default element timeout.
    pub timeout_ms: Option<u64>,
    /// GC interval.
    pub gc_interval_ms: Option<u32>,
    /// Size (`NFTA_SET_DESC_SIZE`).
    pub size: Option<u32>,
    /// Comment (set userdata).
    pub comment: Option<&'a str>,
    /// `NFTA_SET_ID`, unique in the batch; 0 leaves `NFTA_SET_ELEM_LIST_SET_ID` out of the
    /// element messages (elements for a set that already exists).
    pub id: u32,
    /// The elements the set is created with: nft sizes constant and anonymous sets by them.
    pub elems: Elems<'a>,
    /// What a pulled set held beyond the model (userdata, raw attributes, element extras).
    pub extras: &'a SetExtras,
}

/// The extras of everything built in code.
pub(super) static NO_EXTRAS: SetExtras = SetExtras {
    userdata: Vec::new(),
    attrs: Vec::new(),
    concat: Vec::new(),
    elements: Vec::new(),
    raw_elements: Vec::new(),
};

impl<'a> SetSpec<'a> {
    /// The spec of a named set.
    pub(crate) fn of_set(set: &'a Set, id: u32) -> SetSpec<'a> {
        SetSpec {
            name: &set.name,
            key: &set.key,
            data: None,
            flags: set.flags,
            auto_merge: set.auto_merge,
            timeout_ms: set.timeout_ms,
            gc_interval_ms: set.gc_interval_ms,
            size: set.size,
            comment: set.comment.as_deref(),
            id,
            elems: Elems::Set(&set.elements),
            extras: &set.extras,
        }
    }

    /// The spec of a named map (verdict maps included).
    pub(crate) fn of_map(map: &'a Map, id: u32) -> SetSpec<'a> {
        SetSpec {
            name: &map.name,
            key: &map.key,
            data: Some(&map.data),
            flags: map.flags,
            auto_merge: map.auto_merge,
            timeout_ms: map.timeout_ms,
            gc_interval_ms: map.gc_interval_ms,
            size: map.size,
            comment: map.comment.as_deref(),
            id,
            elems: Elems::Map(&map.elements),
            extras: &map.extras,
        }
    }

    /// The anonymous set `__set%d` of a set literal: flags `anonymous | constant` plus the
    /// literal's; interval literals get nft's `auto-merge`.
    pub(crate) fn of_literal(lit: &'a SetLiteral, id: u32) -> SetSpec<'a> {
        let flags = lit.flags | SetFlags::ANONYMOUS | SetFlags::CONSTANT;
        SetSpec {
            name: "__set%d",
            key: &lit.key,
            data: None,
            flags,
            auto_merge: flags.contains(SetFlags::INTERVAL),
            timeout_ms: None,
            gc_interval_ms: None,
            size: None,
            comment: None,
            id,
            elems: Elems::Set(&lit.elements),
            extras: &lit.extras,
        }
    }

    /// The anonymous verdict map `__map%d` of a vmap literal: flags
    /// `anonymous | constant` plus the literal's (`map` is added on the wire).
    pub(crate) fn of_vmap(lit: &'a VmapLiteral, id: u32) -> SetSpec<'a> {
        SetSpec {
            name: "__map%d",
            key: &lit.key,
            data: Some(&VERDICT),
            flags: lit.flags | SetFlags::ANONYMOUS | SetFlags::CONSTANT,
            auto_merge: false,
            timeout_ms: None,
            gc_interval_ms: None,
            size: None,
            comment: None,
            id,
            elems: Elems::Vmap(&lit.elements),
            extras: &lit.extras,
        }
    }

    /// The flags on the wire: `map` for maps, `concat` exactly for interval concatenations.
    pub(super) fn wire_flags(&self) -> SetFlags {
        let mut flags = self.flags;
        if self.data.is_some() {
            flags |= SetFlags::MAP;
        }
        if self.is_pipapo() {
            flags |= SetFlags::CONCAT;
        } else {
            flags = SetFlags::from_bits_retain(flags.bits() & !SetFlags::CONCAT.bits());
        }
        flags
    }

    /// An interval set of concatenations (the kernel's pipapo backend); a pulled set whose
    /// concatenated key the model cannot split says so by its kept field description.
    pub(super) fn is_pipapo(&self) -> bool {
        (self.key.is_concat() || !self.extras.concat.is_empty())
            && self.flags.contains(SetFlags::INTERVAL)
    }
}

/// The elements to write for a set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Elems<'a> {
    /// Set elements.
    Set(&'a [SetElement]),
    /// Map elements (data or verdict values).
    Map(&'a [MapElement]),
    /// Verdict-map literal elements.
    Vmap(&'a [(SetElement, Verdict)]),
}

impl<'a> Elems<'a> {
    /// Number of model elements.
    pub(super) fn len(&self) -> usize {
        match self {
            Elems::Set(e) => e.len(),
            Elems::Map(e) => e.len(),
            Elems::Vmap(e) => e.len(),
        }
    }

    /// The key of element `i`.
    pub(super) fn key(&self, i: usize) -> Option<&'a SetElement> {
        match self {
            Elems::Set(e) => e.get(i),
            Elems::Map(e) => e.get(i).map(|m| &m.key),
            Elems::Vmap(e) => e.get(i).map(|(k, _)| k),
        }
    }

    /// `true` when the elements carry values.
    pub(super) fn has_data(&self) -> bool {
        !matches!(self, Elems::Set(_))
    }
}
