//! The statement layer's attribute writer: expression data for the kinds the register model
//! keeps as bytes (`exthdr`, `fib`, directional `ct`, payload writes, `range`, `bitwise`
//! shifts ...), written in the kernel's dump order.
//!
//! Why one module: every lowering of such a kind writes netlink attributes; they all go
//! through the codec's [`AttrWriter`] here, so there is one header/padding rule.
//!
//! # Contract
//! - An attribute is appended with its native-endian header and padded to 4 bytes; values
//!   are big endian, as nf_tables expects them.
//! - The payloads are a few bytes; one too long for an attribute (over 64 KiB) is not written.

use linx_netlink_codec::AttrWriter;

/// Appends attribute `kind` holding `payload`.
pub(crate) fn put_attr(out: &mut Vec<u8>, kind: u16, payload: &[u8]) {
    // Fails only for a payload longer than an attribute holds, which writes nothing.
    let _ = AttrWriter::new(out).put(kind, payload);
}

/// Appends attribute `kind` holding `value` big endian.
pub(crate) fn put_u32(out: &mut Vec<u8>, kind: u16, value: u32) {
    put_attr(out, kind, &value.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::{put_attr, put_u32};

    #[test]
    fn header_payload_and_padding() {
        let mut out = Vec::new();
        put_attr(&mut out, 3, &[7]);
        put_u32(&mut out, 1, 0x0102_0304);
        let [l0, l1] = 5u16.to_ne_bytes();
        let [t0, t1] = 3u16.to_ne_bytes();
        let [m0, m1] = 8u16.to_ne_bytes();
        let [u0, u1] = 1u16.to_ne_bytes();
        assert_eq!(
            out,
            [l0, l1, t0, t1, 7, 0, 0, 0, m0, m1, u0, u1, 1, 2, 3, 4]
        );
        put_attr(&mut out, 9, &vec![0; 70_000]);
        assert_eq!(out.len(), 16);
    }
}
