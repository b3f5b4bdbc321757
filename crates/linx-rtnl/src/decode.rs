//! Attribute-decoding helpers shared by the typed objects (link, addr, neigh).

use linx_ip::Ip;
use linx_netlink_codec::{AttrValue, AttrView, DecodeError, RawAttrs};

/// Set `slot` from the first occurrence; later duplicates are kept raw.
pub(crate) fn first<T>(slot: &mut Option<T>, v: T, a: &AttrView<'_>, other: &mut RawAttrs) {
    if slot.is_none() {
        *slot = Some(v);
    } else {
        other.push(a);
    }
}

/// Decode a scalar attribute, locating errors at the payload (`base` = offset of the
/// attribute list in the message payload).
pub(crate) fn val<T: AttrValue>(a: &AttrView<'_>, base: usize) -> Result<T, DecodeError> {
    T::parse_value(a.payload()).map_err(|e| e.within(a.kind(), base + a.offset() + 4))
}

/// An address of exactly `len` bytes (4 for `AF_INET`, 16 for `AF_INET6`).
pub(crate) fn ip_val(a: &AttrView<'_>, base: usize, len: usize) -> Result<Ip, DecodeError> {
    match Ip::from_bytes(a.payload()) {
        Some(ip) if a.payload().len() == len => Ok(ip),
        _ => Err(DecodeError::bad_size("ip address", len, a.payload().len())
            .within(a.kind(), base + a.offset() + 4)),
    }
}
