//! Sets, maps and their elements on the wire: `NEWSET` attributes, `NEWSETELEM` messages, and
//! the decoders for `GETSET` / `GETSETELEM` dumps.
//!
//! Why this shape: the kernel stores keys as opaque bytes of a fixed length and intervals as
//! separate start and end elements; what a key *means* lives in the model's [`KeyType`]. The
//! encoder turns typed elements into those bytes exactly as nft(8) 1.0.6 does (so captures
//! compare byte for byte), and the decoder pairs the kernel's boundaries back into the
//! model's ranges and prefixes.
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
//!
//! # nft 1.0.6 behaviour reproduced (captured on Linux 6.18)
//! - `NEWSET` order: table, name, flags (always, even 0), key type, key len, data type,
//!   data len, set id, desc { size, concat { field len... } }, timeout (u64 ms), gc interval
//!   (u32 ms), userdata.
//! - Set userdata TLVs (`type u8 | len u8 | value`, integers host order), in this order:
//!   key byte order (0: 2 = big endian for addresses, ports, MACs; 1 = host for marks,
//!   conntrack states, interface names; 0 for protocols, concatenations and raw types),
//!   data byte order (1, maps; 0 for verdicts), merge elements (2, `auto-merge`), key typeof
//!   (3: `{expr 0x0d (concat), data {}}` for named sets with a concatenated key), data
//!   typeof (4: the same for concatenated data; `{expr 1 (verdict), data {}}` for anonymous
//!   verdict maps), data interval (6, maps, 0), comment (7, NUL terminated).
//! - `NFTA_SET_DESC_SIZE` for constant and anonymous sets without an explicit size: the
//!   number of elements sent (end markers included). Anonymous *interval sets* (not maps)
//!   carry `auto-merge`.
//! - Scalar interval sets: elements sorted by key, an interval-end element at key 0 first
//!   unless the first range starts at 0, each range `[lo, hi]` as a start element `lo` and
//!   an end element `hi + 1` (flags first, then key); a range ending at the type maximum
//!   has no end element but the element userdata `{1: u32 1}` (`NFTNL_SET_ELEM_F_INTERVAL_OPEN`).
//!   Host-order types (mark, ct_state) are written **big endian** in interval sets (also as
//!   concat fields), host order elsewhere. Adjacent ranges keep both the end and the start
//!   at the shared key; overlapping ranges are an error unless `auto_merge`, which merges
//!   overlapping and adjacent ranges (sets only: nft has no `auto-merge` for maps).
//! - Concat interval sets keep the element order; `KEY_END` is the inclusive upper bound.
//!   Plain sets keep the element order.
//! - Element nests are numbered 1, 2, ... across all messages of one set; an element that
//!   would push the list nest past 65535 bytes moves to the next message and its number is
//!   skipped, as nft does.
//!
//! # Deviation
//! For an anonymous set (not map) nft also writes the key typeof TLV (3) describing the
//! *matching expression* (`tcp dport` → payload description and template); a
//! [`SetLiteral`] does not know that expression, so the TLV is left out. It is userdata only
//! (nft uses it to print the set); the kernel ignores it.
//!
//! # Decoding: canonical forms
//! The kernel keeps only boundaries, so each decoded interval `[lo, hi]` takes one form:
//! `lo == hi` → [`SetElement::Value`]; an address range that is exactly a CIDR block →
//! [`SetElement::Prefix`]; otherwise [`SetElement::Range`] (concatenations per field).
//! For elements the model's constructors produce, `decode(encode(x)) == x` when `x` is in
//! that form (a `/32` prefix comes back as a value, `10.0.0.0-10.0.0.255` as a `/24`).
//! Interval elements come back sorted by key (the kernel dumps them in descending order,
//! end before start; the decoder pairs them by value, not position); other elements in
//! dump order. Catch-all elements (`*`, no key) are skipped: the model has none.
//!
//! # Files
//! [`spec`] (the input: [`SetSpec`], [`Elems`]), [`encode`] (`NEWSET`), [`userdata`] (nft's
//! set userdata TLVs and the merge with another tool's), [`elements`] (`NEWSETELEM`),
//! [`decode`] (`GETSET` → [`SetInfo`]), [`elem_decode`] (`GETSETELEM` → [`Elements`]).
//!
//! [`KeyType`]: crate::KeyType
//! [`SetLiteral`]: crate::expr::SetLiteral
//! [`SetElement::Value`]: crate::SetElement::Value
//! [`SetElement::Prefix`]: crate::SetElement::Prefix
//! [`SetElement::Range`]: crate::SetElement::Range

use crate::consts::reg::NFT_DATA_VALUE_MAXLEN;

/// What the test modules (`tests`, `order_tests`, `speed`) reach through `use super::*`.
#[cfg(test)]
use {
    super::attr::{set as sa, set_desc, set_elem as ea, set_elem_list as la},
    super::{Data, be32, decode_data, put_value},
    crate::consts::set::NFT_SET_ELEM_INTERVAL_END,
    crate::expr::{SetLiteral, VmapLiteral},
    crate::set::{first_repeat, mix64},
    crate::{
        CtState, DataType, ElemValue, KeyType, Map, MapElement, MapValue, Set, SetElement,
        SetFlags, Verdict,
    },
    decode::*,
    elem_decode::*,
    linx_ip::{Ip, Subnet},
    linx_netlink_codec::AttrIter,
    linx_netlink_codec::consts::NLM_F_CREATE,
    linx_nfnl::batch::Batch,
    linx_nfnl::{msg_type, nft_msg, subsys},
    seen::*,
    std::hash::RandomState,
};

mod decode;
mod elem_decode;
mod elements;
mod encode;
mod seen;
mod spec;
mod userdata;

pub(crate) use decode::{KeptElements, SetInfo, decode_set};
pub(crate) use elem_decode::{ElemDecoder, Elements};
pub(crate) use elements::{push_element_messages, push_elements};
pub(crate) use encode::encode_set;
pub(crate) use spec::{Elems, SetSpec};

/// Longest key or data value (`NFT_DATA_VALUE_MAXLEN`).
const MAX_KEY: usize = NFT_DATA_VALUE_MAXLEN as usize;

/// `NFT_SET_ELEM_CATCHALL`: an element without key that matches everything else.
const NFT_SET_ELEM_CATCHALL: u32 = 0x2;

/// An encoding error for set elements.
fn enc_err(reason: &str) -> crate::Error {
    crate::Error::Encode {
        what: "set elements".into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod order_tests;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod speed;
