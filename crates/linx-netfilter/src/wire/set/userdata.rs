//! Set userdata on the wire: nft's TLVs (`type u8 | len u8 | value`) in `NFTA_SET_USERDATA`,
//! written the way nft(8) 1.0.6 does, merged with the TLVs another tool wrote
//! ([`SetExtras::userdata`](crate::SetExtras::userdata)) by TLV type.
//!
//! # Contract
//! - [`set_userdata`] writes the TLVs in nft's order (see the parent module's docs); the
//!   comment and `auto-merge` always come from the model, other TLVs from the extras when
//!   they have any, else derived from the key and data types ([`derived_userdata`]).
//! - A TLV longer than 255 bytes is an encoding error, never truncated.

use super::spec::SetSpec;
use crate::{DataType, KeyType, SetFlags};

/// Set userdata TLV types (`enum nftnl_udata_set_types` in libnftnl).
pub(super) mod udata {
    /// `NFTNL_UDATA_SET_KEYBYTEORDER`: u32, nft's `enum byteorder` of the key.
    pub(in crate::wire::set) const KEYBYTEORDER: u8 = 0;
    /// `NFTNL_UDATA_SET_DATABYTEORDER`: u32, byte order of map data.
    pub(in crate::wire::set) const DATABYTEORDER: u8 = 1;
    /// `NFTNL_UDATA_SET_MERGE_ELEMENTS`: u32, nft's `auto-merge`.
    pub(in crate::wire::set) const MERGE_ELEMENTS: u8 = 2;
    /// `NFTNL_UDATA_SET_KEY_TYPEOF`: nested typeof description of the key.
    pub(in crate::wire::set) const KEY_TYPEOF: u8 = 3;
    /// `NFTNL_UDATA_SET_DATA_TYPEOF`: nested typeof description of the data.
    pub(in crate::wire::set) const DATA_TYPEOF: u8 = 4;
    /// `NFTNL_UDATA_SET_DATA_INTERVAL`: u32, map data are intervals.
    pub(in crate::wire::set) const DATA_INTERVAL: u8 = 6;
    /// `NFTNL_UDATA_SET_COMMENT`: NUL-terminated comment.
    pub(in crate::wire::set) const COMMENT: u8 = 7;
    /// Typeof payload for a concatenation nft cannot describe further:
    /// `{NFTNL_UDATA_SET_TYPEOF_EXPR: u32 EXPR_CONCAT (13), NFTNL_UDATA_SET_TYPEOF_DATA: {}}`.
    pub(in crate::wire::set) const TYPEOF_CONCAT: [u8; 8] = [0, 4, 13, 0, 0, 0, 1, 0];
    /// Typeof payload of an anonymous verdict map's data: expr `EXPR_VERDICT` (1), no data.
    pub(in crate::wire::set) const TYPEOF_VERDICT: [u8; 8] = [0, 4, 1, 0, 0, 0, 1, 0];
    /// nft's `BYTEORDER_HOST_ENDIAN`.
    pub(in crate::wire::set) const HOST_ENDIAN: u32 = 1;
    /// nft's `BYTEORDER_BIG_ENDIAN`.
    pub(in crate::wire::set) const BIG_ENDIAN: u32 = 2;
    /// Element userdata `NFTNL_UDATA_SET_ELEM_FLAGS` with `NFTNL_SET_ELEM_F_INTERVAL_OPEN`.
    pub(in crate::wire::set) const ELEM_FLAGS: u8 = 1;
    /// `NFTNL_SET_ELEM_F_INTERVAL_OPEN`: the interval runs to the type's maximum.
    pub(in crate::wire::set) const ELEM_F_INTERVAL_OPEN: u32 = 1;
}

/// nft's byte-order tag for a key or data type (set userdata).
fn udata_byteorder(key: &KeyType) -> u32 {
    match key {
        KeyType::Ipv4Addr | KeyType::Ipv6Addr | KeyType::EtherAddr | KeyType::InetService => {
            udata::BIG_ENDIAN
        }
        KeyType::Mark | KeyType::CtState | KeyType::Ifname => udata::HOST_ENDIAN,
        KeyType::InetProto | KeyType::Concat(_) | KeyType::Raw { .. } => 0,
    }
}

/// Append one userdata TLV.
pub(super) fn put_tlv(out: &mut Vec<u8>, kind: u8, value: &[u8]) -> Result<(), crate::Error> {
    let len = u8::try_from(value.len()).map_err(|_| crate::Error::Encode {
        what: "set userdata".into(),
        reason: "TLV longer than 255 bytes".into(),
    })?;
    out.push(kind);
    out.push(len);
    out.extend_from_slice(value);
    Ok(())
}

/// The set userdata for `spec`: what nft writes (see the module docs for the TLVs), or, for
/// a pulled set that kept another tool's TLVs, those merged with the comment and
/// `auto-merge` by TLV type.
pub(super) fn set_userdata(spec: &SetSpec<'_>) -> Result<Vec<u8>, crate::Error> {
    if spec.extras.userdata.is_empty() {
        return derived_userdata(spec);
    }
    let mut tlvs: Vec<(u8, &[u8])> = tlvs(&spec.extras.userdata)
        .filter(|(kind, _)| !matches!(*kind, udata::MERGE_ELEMENTS | udata::COMMENT))
        .collect();
    let merge = 1u32.to_ne_bytes();
    if spec.auto_merge {
        tlvs.push((udata::MERGE_ELEMENTS, &merge));
    }
    let mut comment = Vec::new();
    if let Some(text) = spec.comment {
        comment.extend_from_slice(text.as_bytes());
        comment.push(0);
        tlvs.push((udata::COMMENT, &comment));
    }
    tlvs.sort_by_key(|(kind, _)| *kind);
    let mut ud = Vec::with_capacity(spec.extras.userdata.len() + comment.len() + 8);
    for (kind, value) in tlvs {
        put_tlv(&mut ud, kind, value)?;
    }
    Ok(ud)
}

/// The userdata TLVs in `bytes` (`type u8 | len u8 | value`); a truncated tail ends them.
pub(super) fn tlvs(bytes: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let [kind, len, tail @ ..] = rest else {
            return None;
        };
        let value = tail.get(..usize::from(*len))?;
        rest = &tail[usize::from(*len)..];
        Some((*kind, value))
    })
}

/// The set userdata nft writes for `spec`'s model fields.
pub(super) fn derived_userdata(spec: &SetSpec<'_>) -> Result<Vec<u8>, crate::Error> {
    let mut ud = Vec::with_capacity(64);
    let anonymous = spec.flags.contains(SetFlags::ANONYMOUS);
    put_tlv(
        &mut ud,
        udata::KEYBYTEORDER,
        &udata_byteorder(spec.key).to_ne_bytes(),
    )?;
    if let Some(data) = spec.data {
        let order = match data {
            DataType::Verdict => 0,
            DataType::Value(t) => udata_byteorder(t),
        };
        put_tlv(&mut ud, udata::DATABYTEORDER, &order.to_ne_bytes())?;
    }
    if spec.auto_merge {
        put_tlv(&mut ud, udata::MERGE_ELEMENTS, &1u32.to_ne_bytes())?;
    }
    if spec.key.is_concat() && !anonymous {
        put_tlv(&mut ud, udata::KEY_TYPEOF, &udata::TYPEOF_CONCAT)?;
    }
    if let Some(data) = spec.data {
        match data {
            DataType::Verdict if anonymous => {
                put_tlv(&mut ud, udata::DATA_TYPEOF, &udata::TYPEOF_VERDICT)?;
            }
            DataType::Value(t) if t.is_concat() => {
                put_tlv(&mut ud, udata::DATA_TYPEOF, &udata::TYPEOF_CONCAT)?;
            }
            _ => {}
        }
        put_tlv(&mut ud, udata::DATA_INTERVAL, &0u32.to_ne_bytes())?;
    }
    if let Some(comment) = spec.comment {
        let mut z = Vec::with_capacity(comment.len() + 1);
        z.extend_from_slice(comment.as_bytes());
        z.push(0);
        put_tlv(&mut ud, udata::COMMENT, &z)?;
    }
    Ok(ud)
}
