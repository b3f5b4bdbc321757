//! The strict attribute readers of the decoder's fast path: attributes exactly as the
//! kernel dumps them (order, sizes, no flag bits on leaves), read with fixed-size compares.
//!
//! A leaf beside [`super::common`]: each kind's `fast` decoder (`kind/<kind>.rs`), the
//! expression dispatch (`codec/fast.rs`) and the rule reader (`wire/table/fast.rs`) read
//! through it.
//!
//! # Contract
//! - Each reader answers `Some` only for bytes that the codec's general reader
//!   ([`AttrIter`](linx_netlink_codec::AttrIter) and the attribute tables built on it) reads
//!   the same way: the same attributes, payloads and kinds, nothing after them. Anything it
//!   does not expect (another order, size or kind, a flag bit on a leaf, trailing bytes,
//!   a malformed header) is `None`, and the caller takes the general path.
//! - Never panics, never allocates.

use linx_netlink_codec::consts::NLA_TYPE_MASK;

/// The first four bytes of an attribute of `len` bytes (header included) and type `kind`
/// (flag bits included), as one native-order word: what [`word`] reads back.
pub(crate) const fn head(len: u16, kind: u16) -> u32 {
    let l = len.to_ne_bytes();
    let k = kind.to_ne_bytes();
    u32::from_ne_bytes([l[0], l[1], k[0], k[1]])
}

/// The first four bytes of `b` as one native-order word (an attribute header to compare
/// with [`head`]).
#[inline(always)]
pub(crate) fn word(b: &[u8]) -> Option<u32> {
    b.first_chunk::<4>().map(|w| u32::from_ne_bytes(*w))
}

/// The attribute at the start of `b`: its kind (flags masked), payload and the bytes after
/// it (padding skipped), or `None` when `b` does not start with a well-formed attribute
/// (what [`AttrIter`](linx_netlink_codec::AttrIter) reads, bar its tolerance of fewer
/// than four trailing bytes).
#[inline(always)]
pub(crate) fn attr(b: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let hdr = b.first_chunk::<4>()?;
    let len = usize::from(u16::from_ne_bytes([hdr[0], hdr[1]]));
    let kind = u16::from_ne_bytes([hdr[2], hdr[3]]) & NLA_TYPE_MASK;
    let payload = b.get(4..len)?;
    let rest = b.get((len + 3) & !3..).unwrap_or_default();
    Some((kind, payload, rest))
}

/// The only attribute of `nest`, when it is of kind `kind` (flags masked).
#[inline(always)]
pub(crate) fn only(nest: &[u8], kind: u16) -> Option<&[u8]> {
    match attr(nest)? {
        (k, payload, []) if k == kind => Some(payload),
        _ => None,
    }
}

/// The attributes of `data` by kind (slot `kind - 1`), each at most once, in any order;
/// `None` for a kind outside `1..=N`, a duplicate, a malformed attribute or trailing bytes.
#[inline(always)]
pub(crate) fn slots<const N: usize>(mut data: &[u8]) -> Option<[Option<&[u8]>; N]> {
    let mut out = [None; N];
    while !data.is_empty() {
        let (kind, payload, rest) = attr(data)?;
        let slot = out.get_mut(usize::from(kind).checked_sub(1)?)?;
        if slot.replace(payload).is_some() {
            return None;
        }
        data = rest;
    }
    Some(out)
}

/// `data` starting with `N` big-endian `u32` attributes of kinds `kinds`, in that order,
/// each eight bytes long with no flag bits (how the kernel dumps registers, keys, bases,
/// offsets and operators): their values and the bytes after them.
#[inline(always)]
pub(crate) fn be32s<const N: usize>(data: &[u8], kinds: [u16; N]) -> Option<([u32; N], &[u8])> {
    let mut out = [0u32; N];
    let mut rest = data;
    for (value, kind) in out.iter_mut().zip(kinds) {
        let (a, tail) = rest.split_first_chunk::<8>()?;
        if u32::from_ne_bytes([a[0], a[1], a[2], a[3]]) != head(8, kind) {
            return None;
        }
        *value = u32::from_be_bytes([a[4], a[5], a[6], a[7]]);
        rest = tail;
    }
    Some((out, rest))
}

/// `data` as exactly `N` big-endian `u32` attributes of kinds `kinds` ([`be32s`] with
/// nothing after them).
#[inline(always)]
pub(crate) fn only_be32s<const N: usize>(data: &[u8], kinds: [u16; N]) -> Option<[u32; N]> {
    match be32s(data, kinds)? {
        (values, []) => Some(values),
        _ => None,
    }
}

/// A big-endian `u32` of exactly four bytes.
#[inline(always)]
pub(crate) fn be32(p: Option<&[u8]>) -> Option<u32> {
    Some(u32::from_be_bytes(p?.try_into().ok()?))
}

/// A big-endian `u64` of exactly eight bytes (absent: 0).
#[inline(always)]
pub(crate) fn be64_or_zero(p: Option<&[u8]>) -> Option<u64> {
    match p {
        None => Some(0),
        Some(p) => Some(u64::from_be_bytes(p.try_into().ok()?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_reads_back_as_written() {
        let mut buf = Vec::new();
        let mut w = linx_netlink_codec::AttrWriter::new(&mut buf);
        w.put_be32(3, 7).unwrap();
        assert_eq!(word(&buf), Some(head(8, 3)));
        assert_eq!(be32s(&buf, [3]), Some(([7], &[][..])));
        assert_eq!(only_be32s(&buf, [3]), Some([7]));
        assert_eq!(be32s(&buf, [2]), None);
        assert_eq!(only_be32s(&buf[..7], [3]), None);
    }
}
