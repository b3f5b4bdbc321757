//! [`decode_set`]: a `NEWSET` message (a `GETSET` dump) back into a [`SetInfo`].
//!
//! # Contract
//! - Never panics; a malformed attribute is a [`DecodeError`].
//! - What the model derives on push (userdata TLVs, raw attributes) is dropped from the
//!   extras ([`SetInfo::drop_derivable`]), so a set Linx pushed comes back with empty extras.

use linx_netlink_codec::{AttrIter, DecodeError};

use super::elements::Plan;
use super::spec::{Elems, NO_EXTRAS, SetSpec};
use super::userdata::{derived_userdata, udata};
use crate::wire::attr::{set as sa, set_desc, set_field};
use crate::wire::{be32, be64, invalid, string};
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
    fn drop_derivable(&mut self) {
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
fn read_userdata(p: &[u8], info: &mut SetInfo) {
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

/// The field lengths of an `NFTA_SET_DESC_CONCAT` payload, `None` when it does not parse.
pub(super) fn field_lens(concat: &[u8]) -> Option<Vec<u32>> {
    let mut lens = Vec::new();
    for elem in AttrIter::new(concat) {
        let elem = elem.ok()?;
        let len = elem
            .nested()
            .filter_map(Result::ok)
            .find(|a| a.kind() == set_field::NFTA_SET_FIELD_LEN)?;
        lens.push(be32(&len).ok()?);
    }
    Some(lens)
}

/// Decode the attributes (after the nfgenmsg) of a `NEWSET` message.
pub(crate) fn decode_set(attrs: &[u8]) -> Result<SetInfo, DecodeError> {
    let mut table = None;
    let mut name = None;
    let mut flags = 0;
    let mut key_type = 0;
    let mut key_len = None;
    let mut data_type = None;
    let mut data_len = 0;
    let mut timeout_ms = None;
    let mut gc_interval_ms = None;
    let mut size = None;
    let mut handle = None;
    let mut userdata: &[u8] = &[];
    let mut extras = SetExtras::default();
    for a in AttrIter::new(attrs) {
        let a = a?;
        match a.kind() {
            sa::NFTA_SET_TABLE => table = Some(string(&a)?),
            sa::NFTA_SET_NAME => name = Some(string(&a)?),
            sa::NFTA_SET_FLAGS => flags = be32(&a)?,
            sa::NFTA_SET_KEY_TYPE => key_type = be32(&a)?,
            sa::NFTA_SET_KEY_LEN => key_len = Some(be32(&a)?),
            sa::NFTA_SET_DATA_TYPE => data_type = Some(be32(&a)?),
            sa::NFTA_SET_DATA_LEN => data_len = be32(&a)?,
            sa::NFTA_SET_TIMEOUT => timeout_ms = Some(be64(&a)?),
            sa::NFTA_SET_GC_INTERVAL => gc_interval_ms = Some(be32(&a)?),
            sa::NFTA_SET_HANDLE => handle = Some(be64(&a)?),
            sa::NFTA_SET_USERDATA => userdata = a.payload(),
            sa::NFTA_SET_DESC => {
                for d in a.nested() {
                    let d = d.map_err(|e| e.within(a.raw_type(), a.offset()))?;
                    match d.kind() {
                        set_desc::NFTA_SET_DESC_SIZE => {
                            size = Some(be32(&d).map_err(|e| e.within(a.raw_type(), a.offset()))?);
                        }
                        set_desc::NFTA_SET_DESC_CONCAT => {
                            extras.concat = d.payload().to_vec();
                        }
                        _ => {}
                    }
                }
            }
            // Sent by the encoder itself, meaningless in a new batch, or dump-only (the
            // kernel refuses them in NEWSET).
            sa::NFTA_SET_ID | sa::NFTA_SET_PAD | sa::NFTA_SET_TYPE | sa::NFTA_SET_COUNT => {}
            _ => {
                let mut w = linx_netlink_codec::AttrWriter::new(&mut extras.attrs);
                w.put(a.raw_type(), a.payload())
                    .map_err(|_| invalid("set attribute", a.offset()))?;
            }
        }
    }
    let mut info = SetInfo {
        table: table.ok_or_else(|| invalid("set without table", 0))?,
        name: name.ok_or_else(|| invalid("set without name", 0))?,
        flags: SetFlags::from_bits_retain(flags),
        key: KeyType::from_type_id(
            key_type,
            key_len.ok_or_else(|| invalid("set without key length", 0))?,
        ),
        data: data_type.map(|t| DataType::from_type_id(t, data_len)),
        auto_merge: false,
        timeout_ms,
        gc_interval_ms,
        size,
        comment: None,
        handle,
        extras,
    };
    read_userdata(userdata, &mut info);
    info.drop_derivable();
    Ok(info)
}
