//! Where a header field's bits sit in the bytes nft loads for it.
//!
//! nft loads the whole bytes covering a field; a sub-byte field (`ip dscp`, `vlan id`,
//! `ip6 flowlabel`) is masked to its bits and holds its value shifted left by the bits
//! after it. Compares and anonymous set elements keep the value in place; the lowering,
//! the lift and the printer's element order all need the same two numbers.

use super::{Field, HeaderField};

/// The bytes a load of `h` covers.
pub(crate) fn covered_bytes(h: HeaderField) -> u32 {
    (h.bit_offset() + h.bit_len()).div_ceil(8) - h.bit_offset() / 8
}

/// The bytes of `field` a register holds: those covering a header field, the width of
/// anything else.
pub(crate) fn load_bytes(field: &Field) -> u32 {
    match field {
        Field::Header(h) => covered_bytes(*h),
        other => other.bit_len().div_ceil(8),
    }
}

/// Bits between the end of `field` and the end of the bytes loaded for it: 0 for
/// byte-aligned fields and anything but a header field.
pub(crate) fn shift(field: &Field) -> u32 {
    match field {
        Field::Header(h) if !h.is_byte_aligned() => {
            (covered_bytes(*h) * 8).saturating_sub(h.bit_offset() % 8 + h.bit_len())
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_bits_sit() {
        assert_eq!(shift(&Field::Header(HeaderField::IpDscp)), 2);
        assert_eq!(shift(&Field::Header(HeaderField::Ip6Dscp)), 6);
        assert_eq!(shift(&Field::Header(HeaderField::Ip6Flowlabel)), 0);
        assert_eq!(shift(&Field::Header(HeaderField::TcpDport)), 0);
        assert_eq!(covered_bytes(HeaderField::Ip6Dscp), 2);
        assert_eq!(load_bytes(&Field::Header(HeaderField::VlanId)), 2);
        assert_eq!(load_bytes(&Field::Meta(crate::expr::MetaKey::Mark)), 4);
    }
}
