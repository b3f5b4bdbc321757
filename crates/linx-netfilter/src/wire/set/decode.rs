//! [`decode_set`]: a `NEWSET` message (a `GETSET` dump) back into a [`SetInfo`].
//!
//! The `NEWSET` attributes are declared once with the codec's `typed_attrs!` ([`SetAttrs`],
//! with the description nest [`SetDesc`] and a concatenation field [`SetField`]); nests are
//! declared with and without `NLA_F_NESTED`, which the encoder sets and the kernel's dumps
//! do not. Two walks stay written here because the declaration has no form for them: the
//! list of concatenation fields in `NFTA_SET_DESC_CONCAT` (a repeated attribute; each
//! field is the declared [`SetField`]) and the set userdata (a TLV stream of one-byte types
//! and lengths, not attributes).
//!
//! # Contract
//! - Never panics; a malformed attribute, or a declared attribute whose value does not
//!   decode, is a [`DecodeError`] (located at the attribute's payload, the codec's
//!   convention).
//! - The first occurrence of a declared attribute is read. Attributes the model does not
//!   name are kept raw in [`SetExtras::attrs`] in their wire order, for re-sending; dropped
//!   are the ones sent by the encoder itself or dump-only (`NFTA_SET_ID`, `NFTA_SET_PAD`,
//!   `NFTA_SET_TYPE`, `NFTA_SET_COUNT`, with any flag bits) and repeats (or flag-bit
//!   variants) of declared attributes. The decoder this replaced read repeats last-wins; the
//!   kernel never repeats them, and a test compares the two on every other input.
//! - What the model derives on push (userdata TLVs, raw attributes) is dropped from the
//!   extras ([`SetInfo::drop_derivable`]), so a set Linx pushed comes back with empty extras.

use linx_netlink_codec::consts::NLA_F_NESTED;
use linx_netlink_codec::value::ListOf;
use linx_netlink_codec::{
    AttrValue, AttrWriter, Be32, Be64, DecodeCx, DecodeError, RawAttrs, WireOrder, typed_attrs,
};

use super::elements::Plan;
use super::spec::{Elems, NO_EXTRAS, SetSpec};
use super::userdata::{derived_userdata, udata};
use crate::wire::attr::{list, set as sa, set_desc, set_field};
use crate::wire::{NftStr, invalid};
use crate::{
    DataType, ElemAttrs, KeyType, Map, MapElement, RawElement, Set, SetElement, SetExtras, SetFlags,
};

/// Element extras the element decoder kept (see [`SetExtras`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeptElements {
    /// Extra attributes by element position.
    pub elements: Vec<ElemAttrs>,
    /// Catch-all elements, raw.
    pub raw: Vec<RawElement>,
}

/// A set (or map) as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetInfo {
    /// Table name.
    pub table: String,
    /// Set name (`__set0` for anonymous sets).
    pub name: String,
    /// Flags as reported (including `anonymous`, `map`, `concat`).
    pub flags: SetFlags,
    /// Key type (from type id and length).
    pub key: KeyType,
    /// Data type, for maps.
    pub data: Option<DataType>,
    /// `auto-merge` from the set userdata.
    pub auto_merge: bool,
    /// Default element timeout.
    pub timeout_ms: Option<u64>,
    /// GC interval.
    pub gc_interval_ms: Option<u32>,
    /// Size.
    pub size: Option<u32>,
    /// Comment from the set userdata.
    pub comment: Option<String>,
    /// Kernel handle.
    pub handle: Option<u64>,
    /// What the model does not name: other userdata TLVs, attributes, field description
    /// (element extras are the element decoder's).
    pub extras: SetExtras,
}

impl SetInfo {
    /// The model flags: `map` and `concat` are the encoder's and are dropped.
    fn model_flags(&self) -> SetFlags {
        SetFlags::from_bits_retain(self.flags.bits() & !(SetFlags::MAP | SetFlags::CONCAT).bits())
    }

    /// The size as the model holds it: nft (and [`encode_set`](super::encode_set)) sizes a
    /// constant set by its wire elements; that implied size is dropped, as `nft list` does.
    fn model_size(&self, elems: Elems<'_>) -> Option<u32> {
        let size = self.size?;
        if !self.flags.contains(SetFlags::CONSTANT) {
            return Some(size);
        }
        let spec = SetSpec {
            name: &self.name,
            key: &self.key,
            data: self.data.as_ref(),
            flags: self.flags,
            auto_merge: self.auto_merge,
            timeout_ms: None,
            gc_interval_ms: None,
            size: None,
            comment: None,
            id: 0,
            elems,
            extras: &self.extras,
        };
        match Plan::new(&spec, elems) {
            Ok(plan) if plan.wire_count() == size as usize => None,
            _ => Some(size),
        }
    }

    /// Forget the kept userdata and field description when they are exactly what the encoder
    /// derives from the model (a set Linx wrote comes back with empty extras).
    pub(super) fn drop_derivable(&mut self) {
        let kept_concat = std::mem::take(&mut self.extras.concat);
        let kept_userdata = std::mem::take(&mut self.extras.userdata);
        let spec = SetSpec {
            name: &self.name,
            key: &self.key,
            data: self.data.as_ref(),
            flags: self.flags,
            auto_merge: false,
            timeout_ms: None,
            gc_interval_ms: None,
            size: None,
            comment: None,
            id: 0,
            elems: Elems::Set(&[]),
            extras: &NO_EXTRAS,
        };
        // The field lengths the encoder writes for a concatenation it can split.
        let derived_concat = spec.key.is_concat().then(|| {
            spec.key
                .fields()
                .iter()
                .map(|f| f.key_len())
                .collect::<Vec<u32>>()
        });
        let userdata_derived = derived_userdata(&spec).is_ok_and(|d| d == kept_userdata);
        if derived_concat.is_none() || derived_concat != field_lens(&kept_concat) {
            self.extras.concat = kept_concat;
        }
        if !userdata_derived {
            self.extras.userdata = kept_userdata;
        }
    }

    /// The set's extras with the element extras the element decoder kept.
    fn extras_with(&self, kept: KeptElements) -> SetExtras {
        let mut extras = self.extras.clone();
        extras.elements = kept.elements;
        extras.raw_elements = kept.raw;
        extras
    }

    /// The named set this describes, with `elements`.
    pub(crate) fn into_set(self, elements: Vec<SetElement>, kept: KeptElements) -> Set {
        let flags = self.model_flags();
        let size = self.model_size(Elems::Set(&elements));
        let extras = self.extras_with(kept);
        Set {
            name: self.name,
            key: self.key,
            flags,
            auto_merge: self.auto_merge,
            timeout_ms: self.timeout_ms,
            gc_interval_ms: self.gc_interval_ms,
            size,
            elements,
            comment: self.comment,
            handle: self.handle,
            extras,
        }
    }

    /// The named map this describes, with `elements` (a set without data type becomes a
    /// verdict map; callers only ask for maps when [`SetInfo::data`] is set).
    pub(crate) fn into_map(self, elements: Vec<MapElement>, kept: KeptElements) -> Map {
        let flags = self.model_flags();
        let size = self.model_size(Elems::Map(&elements));
        let extras = self.extras_with(kept);
        Map {
            name: self.name,
            key: self.key,
            data: self.data.unwrap_or(DataType::Verdict),
            flags,
            auto_merge: self.auto_merge,
            timeout_ms: self.timeout_ms,
            gc_interval_ms: self.gc_interval_ms,
            size,
            elements,
            comment: self.comment,
            handle: self.handle,
            extras,
        }
    }
}

/// Read the set userdata: `auto-merge` and the comment become model fields, every other TLV
/// (and a truncated tail) is kept as it is in [`SetExtras::userdata`]: userdata is opaque to
/// the kernel and may come from any tool.
pub(super) fn read_userdata(p: &[u8], info: &mut SetInfo) {
    let mut rest = p;
    while let [kind, len, tail @ ..] = rest {
        let Some(value) = tail.get(..usize::from(*len)) else {
            info.extras.userdata.extend_from_slice(rest);
            return;
        };
        match *kind {
            udata::MERGE_ELEMENTS => {
                if let Ok(v) = <[u8; 4]>::try_from(value) {
                    info.auto_merge = u32::from_ne_bytes(v) != 0;
                }
            }
            udata::COMMENT => {
                let text = value.split(|&b| b == 0).next().unwrap_or_default();
                info.comment = Some(String::from_utf8_lossy(text).into_owned());
            }
            _ => info
                .extras
                .userdata
                .extend_from_slice(&rest[..2 + value.len()]),
        }
        rest = &tail[usize::from(*len)..];
    }
}

/// One field of `NFTA_SET_DESC_CONCAT` (an `NFTA_LIST_ELEM`), declared once.
#[derive(Default)]
struct SetField {
    len: Option<Be32>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl SetField {
        1: set_field::NFTA_SET_FIELD_LEN => len as Be32,
    }
}

/// The field lengths of an `NFTA_SET_DESC_CONCAT` payload (a list of `NFTA_LIST_ELEM`, each
/// the declared [`SetField`]), `None` when it does not parse.
pub(super) fn field_lens(concat: &[u8]) -> Option<Vec<u32>> {
    ListOf::<SetField, { list::NFTA_LIST_ELEM }>::parse_value(concat)
        .ok()?
        .into_iter()
        .map(|f| f.len.map(|l| l.0))
        .collect()
}

/// `NFTA_SET_DESC`, declared once (`NFTA_SET_DESC_CONCAT` with and without
/// `NLA_F_NESTED`: the encoder sets it, the kernel's dumps do not). Other attributes are
/// ignored.
#[derive(Default)]
struct SetDesc {
    size: Option<Be32>,
    concat: Option<Vec<u8>>,
    concat_n: Option<Vec<u8>>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl SetDesc {
        1: set_desc::NFTA_SET_DESC_SIZE => size as Be32,
        2: set_desc::NFTA_SET_DESC_CONCAT => concat as Vec<u8>,
        3: set_desc::NFTA_SET_DESC_CONCAT | NLA_F_NESTED => concat_n as Vec<u8>,
    }
}

/// The attributes of a `NEWSET` message, declared once (`NFTA_SET_DESC` with and without
/// `NLA_F_NESTED`: the encoder sets it, the kernel's dumps do not). What is not declared
/// here stays in `other`, in wire order, and becomes [`SetExtras::attrs`] (see
/// [`decode_set`]).
#[derive(Default)]
struct SetAttrs {
    table: Option<String>,
    name: Option<String>,
    flags: Option<Be32>,
    key_type: Option<Be32>,
    key_len: Option<Be32>,
    data_type: Option<Be32>,
    data_len: Option<Be32>,
    timeout_ms: Option<Be64>,
    gc_interval_ms: Option<Be32>,
    handle: Option<Be64>,
    userdata: Option<Vec<u8>>,
    desc: Option<SetDesc>,
    desc_n: Option<SetDesc>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl SetAttrs {
        1: sa::NFTA_SET_TABLE => table as NftStr,
        2: sa::NFTA_SET_NAME => name as NftStr,
        3: sa::NFTA_SET_FLAGS => flags as Be32,
        4: sa::NFTA_SET_KEY_TYPE => key_type as Be32,
        5: sa::NFTA_SET_KEY_LEN => key_len as Be32,
        6: sa::NFTA_SET_DATA_TYPE => data_type as Be32,
        7: sa::NFTA_SET_DATA_LEN => data_len as Be32,
        8: sa::NFTA_SET_TIMEOUT => timeout_ms as Be64,
        9: sa::NFTA_SET_GC_INTERVAL => gc_interval_ms as Be32,
        10: sa::NFTA_SET_HANDLE => handle as Be64,
        11: sa::NFTA_SET_USERDATA => userdata as Vec<u8>,
        12: sa::NFTA_SET_DESC => desc as SetDesc,
        13: sa::NFTA_SET_DESC | NLA_F_NESTED => desc_n as SetDesc,
    }
}

/// Whether an attribute [`SetAttrs`] did not type is dropped rather than kept in
/// [`SetExtras::attrs`] for re-sending: a second occurrence (or a flag-bit variant) of a
/// declared attribute, or one that is sent by the encoder itself (`NFTA_SET_ID`),
/// meaningless in a new batch (`NFTA_SET_PAD`) or dump-only (`NFTA_SET_TYPE`,
/// `NFTA_SET_COUNT`: the kernel refuses them in `NEWSET`).
fn dropped(kind: u16) -> bool {
    matches!(
        kind,
        sa::NFTA_SET_ID | sa::NFTA_SET_PAD | sa::NFTA_SET_TYPE | sa::NFTA_SET_COUNT
    ) || SetAttrs::SCHEMA.iter().any(|s| s.id == kind)
}

/// Decode the attributes (after the nfgenmsg) of a `NEWSET` message.
pub(crate) fn decode_set(attrs: &[u8]) -> Result<SetInfo, DecodeError> {
    let a = SetAttrs::with_attrs(SetAttrs::default(), attrs, 0, DecodeCx::default())?;
    let mut extras = SetExtras::default();
    let mut w = AttrWriter::new(&mut extras.attrs);
    for raw in a.other.iter() {
        let raw = raw?;
        if !dropped(raw.kind()) {
            w.put(raw.raw_type(), raw.payload())
                .map_err(|_| invalid("set attribute", 0))?;
        }
    }
    let desc = a.desc.or(a.desc_n);
    let (size, concat) = match desc {
        Some(d) => (d.size.map(u32::from), d.concat.or(d.concat_n)),
        None => (None, None),
    };
    extras.concat = concat.unwrap_or_default();
    let mut info = SetInfo {
        table: a.table.ok_or_else(|| invalid("set without table", 0))?,
        name: a.name.ok_or_else(|| invalid("set without name", 0))?,
        flags: SetFlags::from_bits_retain(a.flags.map_or(0, u32::from)),
        key: KeyType::from_type_id(
            a.key_type.map_or(0, u32::from),
            a.key_len
                .ok_or_else(|| invalid("set without key length", 0))?
                .0,
        ),
        data: a
            .data_type
            .map(|t| DataType::from_type_id(t.0, a.data_len.map_or(0, u32::from))),
        auto_merge: false,
        timeout_ms: a.timeout_ms.map(u64::from),
        gc_interval_ms: a.gc_interval_ms.map(u32::from),
        size,
        comment: None,
        handle: a.handle.map(u64::from),
        extras,
    };
    read_userdata(a.userdata.as_deref().unwrap_or_default(), &mut info);
    info.drop_derivable();
    Ok(info)
}
