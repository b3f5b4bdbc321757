//! Sets, maps and their elements on the wire: `NEWSET` attributes, `NEWSETELEM` messages, and
//! the decoders for `GETSET` / `GETSETELEM` dumps.
//!
//! # Contract
//! - [`encode_set`] writes what nft(8) 1.0.6 writes for the same set (attribute order, set
//!   userdata TLVs included); `NFTA_SET_DESC_CONCAT` + `NFT_SET_CONCAT` only for interval
//!   concatenations (pipapo); a plain concat must not carry them.
//! - [`push_elements`] writes elements type-directed (§7.2): interval sets get end markers
//!   (none when the range ends at the type's maximum), concat intervals use `KEY_END`; the
//!   elements are split over as many `NEWSETELEM` messages as needed so no nested list
//!   passes the 64 KiB attribute limit. Nothing unencodable is sent silently: an element the
//!   encoder cannot write is an [`Error`](crate::Error).
//! - [`decode_set`] and [`ElemDecoder`] never panic; elements are materialised by the set's
//!   types (end markers paired back into ranges and prefixes the way the model writes them),
//!   keys of raw types stay bytes.

use linx_netlink_codec::DecodeError;
use linx_nfnl::batch::Batch;

use super::Writer;
use crate::{DataType, KeyType, MapElement, SetElement, SetFlags, Verdict};

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
    /// `NFTA_SET_ID`, unique in the batch.
    pub id: u32,
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

/// Append the `NEWSET` attributes (after the nfgenmsg) for `spec` in table `table`.
pub(crate) fn encode_set(
    w: &mut Writer<'_>,
    table: &str,
    spec: &SetSpec<'_>,
) -> Result<(), crate::Error> {
    let _ = (w, table, spec);
    todo!("wire::set::encode_set")
}

/// Append `NEWSETELEM` messages (flags `NLM_F_CREATE`) carrying `elems` for set `spec` of
/// `table` (nfgenmsg family `family`) to `batch`. Returns how many messages were added.
pub(crate) fn push_elements(
    batch: &mut Batch,
    family: u8,
    table: &str,
    spec: &SetSpec<'_>,
    elems: Elems<'_>,
) -> Result<usize, crate::Error> {
    let _ = (batch, family, table, spec, elems);
    todo!("wire::set::push_elements")
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
}

/// Decode the attributes (after the nfgenmsg) of a `NEWSET` message.
pub(crate) fn decode_set(attrs: &[u8]) -> Result<SetInfo, DecodeError> {
    let _ = attrs;
    todo!("wire::set::decode_set")
}

/// Decoded elements, by the kind of set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Elements {
    /// Elements of a set.
    Set(Vec<SetElement>),
    /// Elements of a map (verdict maps give `MapValue::Verdict` values).
    Map(Vec<MapElement>),
}

/// Collects the elements of one set from its `GETSETELEM` dump messages (interval end
/// markers may arrive in any order and in a different message than their start).
#[derive(Debug)]
pub(crate) struct ElemDecoder<'a> {
    info: &'a SetInfo,
}

impl<'a> ElemDecoder<'a> {
    /// A decoder for the elements of `info`.
    pub(crate) fn new(info: &'a SetInfo) -> Self {
        ElemDecoder { info }
    }

    /// Take the attributes (after the nfgenmsg) of one `NEWSETELEM` message.
    pub(crate) fn feed(&mut self, attrs: &[u8]) -> Result<(), DecodeError> {
        let _ = (self.info, attrs);
        todo!("wire::set::ElemDecoder::feed")
    }

    /// The elements, materialised by the set's types.
    pub(crate) fn finish(self) -> Result<Elements, DecodeError> {
        todo!("wire::set::ElemDecoder::finish")
    }
}
