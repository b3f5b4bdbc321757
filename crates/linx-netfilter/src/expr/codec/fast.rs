//! The expression decoder's fast path: the kinds pulled rules are mostly made of (`payload`,
//! `meta`, `cmp`, `immediate`, `counter`, `lookup`), read in one pass over the bytes without
//! the general decoder's attribute tables and name dispatch.
//!
//! Why: a pull of 10k rules decodes 50k expressions; the general path (outer table, name
//! match, the kind's exact table, value codecs) took about 415 instructions each.
//!
//! # Contract
//! - [`decode`] returns `Some(e)` only where the general decoder
//!   ([`decode_at`](super::decode::decode_at)) returns `Ok(e)` with the same `e`: it accepts
//!   the element as the kernel dumps it (`NFTA_EXPR_NAME`, the name and one NUL, then
//!   `NFTA_EXPR_DATA`, nothing after them) with each data attribute of the kind at most
//!   once and of its exact size (`payload` and `meta`: four-byte values only),
//!   and declines (`None`) everything else (another kind, an attribute it does not read, a
//!   duplicate, a size, a value the general path turns into [`Expr::Unknown`], trailing
//!   bytes), which the caller then decodes the general way. A proptest compares both paths
//!   on arbitrary and on structured bytes.
//! - Never panics; allocates only what the expression keeps.

use linx_netlink_codec::consts::NLA_TYPE_MASK;

use crate::consts::verdict as v;
use crate::expr::{
    Cmp, CmpData, CmpOp, Counter, Immediate, ImmediateData, Lookup, Meta, MetaKey, Payload,
    PayloadBase,
};
use crate::nla::attr::data as d;
use crate::nla::attr::expr as ex;
use crate::{Expr, Reg, Verdict};

/// The attribute at the start of `b`: its kind (flags masked), payload and the bytes after
/// it (padding skipped), or `None` when `b` does not start with a well-formed attribute.
#[inline(always)]
fn attr(b: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let hdr = b.get(..4)?;
    let len = usize::from(u16::from_ne_bytes([hdr[0], hdr[1]]));
    let kind = u16::from_ne_bytes([hdr[2], hdr[3]]) & NLA_TYPE_MASK;
    let payload = b.get(4..len)?;
    let rest = b.get((len + 3) & !3..).unwrap_or_default();
    Some((kind, payload, rest))
}

/// The attributes of `data` by kind (slot `kind - 1`), each at most once; `None` for a kind
/// outside `1..=N`, a duplicate, a malformed attribute or trailing bytes.
#[inline(always)]
fn slots<const N: usize>(mut data: &[u8]) -> Option<[Option<&[u8]>; N]> {
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

/// `data` as exactly `N` attributes of one big-endian `u32` each (header length 8), of kinds
/// `1..=N` in any order: the values by kind (slot `kind - 1`). `payload` and `meta` data as
/// the kernel dumps them, read with one length check per attribute.
#[inline(always)]
fn words<const N: usize>(mut data: &[u8]) -> Option<[u32; N]> {
    let mut out = [0u32; N];
    let mut seen = 0u32;
    for _ in 0..N {
        let (head, rest) = data.split_first_chunk::<8>()?;
        if u16::from_ne_bytes([head[0], head[1]]) != 8 {
            return None;
        }
        let kind = u16::from_ne_bytes([head[2], head[3]]) & NLA_TYPE_MASK;
        let i = usize::from(kind).wrapping_sub(1);
        if i >= N || seen & (1 << i) != 0 {
            return None;
        }
        seen |= 1 << i;
        *out.get_mut(i)? = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        data = rest;
    }
    data.is_empty().then_some(out)
}

/// The only attribute of `nest`, when it is of kind `kind`.
#[inline(always)]
fn only(nest: &[u8], kind: u16) -> Option<&[u8]> {
    match attr(nest)? {
        (k, payload, []) if k == kind => Some(payload),
        _ => None,
    }
}

/// A big-endian `u32` of exactly four bytes.
#[inline(always)]
fn be32(p: Option<&[u8]>) -> Option<u32> {
    Some(u32::from_be_bytes(p?.try_into().ok()?))
}

/// A big-endian `u64` of exactly eight bytes (absent: 0).
#[inline(always)]
fn be64_or_zero(p: Option<&[u8]>) -> Option<u64> {
    match p {
        None => Some(0),
        Some(p) => Some(u64::from_be_bytes(p.try_into().ok()?)),
    }
}

/// Decode one `NFTA_LIST_ELEM` payload, or `None` to leave it to the general path.
#[inline]
pub(super) fn decode(elem: &[u8]) -> Option<Expr> {
    let (kind, name, rest) = attr(elem)?;
    if kind != ex::NFTA_EXPR_NAME {
        return None;
    }
    let (kind, data, rest) = attr(rest)?;
    if kind != ex::NFTA_EXPR_DATA || !rest.is_empty() {
        return None;
    }
    // The name as the kernel writes it (one NUL, no padding inside the attribute): the
    // general path, which cuts at the first NUL, reads the same name. Any other spelling is
    // left to it.
    match name {
        b"payload\0" => {
            let [dreg, base, offset, len] = words::<4>(data)?;
            let payload = Payload {
                base: PayloadBase::from_number(base),
                offset,
                len,
                dreg: Reg(dreg),
            };
            Some(Expr::Payload(payload.checked().ok()?))
        }
        b"meta\0" => {
            let [dreg, key] = words::<2>(data)?;
            let meta = Meta {
                key: MetaKey::from_number(key),
                dreg: Reg(dreg),
            };
            Some(Expr::Meta(meta.checked().ok()?))
        }
        b"cmp\0" => {
            let [sreg, op, value] = slots::<3>(data)?;
            let cmp = Cmp {
                sreg: Reg(be32(sreg)?),
                op: CmpOp::from_number(be32(op)?)?,
                data: CmpData::new(only(value?, d::NFTA_DATA_VALUE)?),
            };
            Some(Expr::Cmp(cmp.checked().ok()?))
        }
        b"immediate\0" => {
            let [dreg, value] = slots::<2>(data)?;
            let dreg = Reg(be32(dreg)?);
            let (kind, payload, []) = attr(value?)? else {
                return None;
            };
            let data = match kind {
                d::NFTA_DATA_VALUE => ImmediateData::Value(payload.to_vec()),
                d::NFTA_DATA_VERDICT => {
                    let code = be32(Some(only(
                        payload,
                        crate::nla::attr::verdict::NFTA_VERDICT_CODE,
                    )?))?;
                    ImmediateData::Verdict(match code as i32 {
                        v::NF_ACCEPT => Verdict::Accept,
                        v::NF_DROP => Verdict::Drop,
                        v::NFT_CONTINUE => Verdict::Continue,
                        v::NFT_RETURN => Verdict::Return,
                        _ => return None,
                    })
                }
                _ => return None,
            };
            Some(Expr::Immediate(Immediate { dreg, data }.checked().ok()?))
        }
        b"counter\0" => {
            let [bytes, packets] = slots::<2>(data)?;
            let counter = Counter {
                packets: be64_or_zero(packets)?,
                bytes: be64_or_zero(bytes)?,
            };
            Some(Expr::Counter(counter.checked().ok()?))
        }
        b"lookup\0" => {
            let [set, sreg, dreg, set_id, flags] = slots::<5>(data)?;
            if set_id.is_some() {
                return None;
            }
            let inverted = match flags.map(|f| be32(Some(f))) {
                None | Some(Some(0)) => false,
                Some(Some(crate::consts::expr::NFT_LOOKUP_F_INV)) => true,
                _ => return None,
            };
            let set = set?;
            let set = set.split(|&b| b == 0).next().unwrap_or_default();
            let lookup = Lookup {
                set: std::str::from_utf8(set).ok()?.into(),
                sreg: Reg(be32(sreg)?),
                dreg: match dreg {
                    None => None,
                    Some(r) => Some(Reg(be32(Some(r))?)),
                },
                inverted,
            };
            Some(Expr::Lookup(lookup.checked().ok()?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::super::decode::decode_at;
    use super::*;

    /// An attribute to write: a leaf or a nest.
    #[derive(Debug, Clone)]
    enum A {
        Leaf(u16, Vec<u8>),
        Nest(u16, Vec<A>),
    }

    /// Append `a` (header, payload, padding) to `out`.
    fn put(out: &mut Vec<u8>, a: &A) {
        let (kind, payload) = match a {
            A::Leaf(kind, p) => (*kind, p.clone()),
            A::Nest(kind, inner) => {
                let mut p = Vec::new();
                for a in inner {
                    put(&mut p, a);
                }
                (*kind, p)
            }
        };
        let len = (payload.len() + 4).min(usize::from(u16::MAX)) as u16;
        out.extend_from_slice(&len.to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(&payload);
        out.resize(out.len().next_multiple_of(4), 0);
    }

    /// Kinds around the ones the fast path reads, sometimes with a flag bit.
    fn kind() -> impl Strategy<Value = u16> {
        prop_oneof![
            8 => 0u16..7,
            1 => (0u16..7).prop_map(|k| k | 0x8000),
            1 => (0u16..7).prop_map(|k| k | 0x4000),
        ]
    }

    /// Payloads of the sizes the decoders check, with values around the interesting ones.
    fn payload() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (0u32..40).prop_map(|x| x.to_be_bytes().to_vec()),
            select(vec![0i32, 1, -1, -5, -3, -4, 3, 0x10003, 2])
                .prop_map(|c| c.to_be_bytes().to_vec()),
            any::<u64>().prop_map(|x| x.to_be_bytes().to_vec()),
            vec(any::<u8>(), 0..12),
            "[a-z_]{0,6}\\x00?".prop_map(String::into_bytes),
        ]
    }

    fn attr_tree() -> impl Strategy<Value = A> {
        (kind(), payload())
            .prop_map(|(k, p)| A::Leaf(k, p))
            .prop_recursive(3, 16, 3, |inner| {
                (kind(), vec(inner, 0..4)).prop_map(|(k, v)| A::Nest(k, v))
            })
    }

    /// An expression element: a name (mostly one the fast path reads) and data, sometimes
    /// with attributes around them or bytes cut or added.
    fn element() -> impl Strategy<Value = Vec<u8>> {
        let name = select(vec![
            &b"payload\0"[..],
            b"meta\0",
            b"cmp\0",
            b"immediate\0",
            b"counter\0",
            b"lookup\0",
            b"cmp",
            b"cmp\0x\0",
            b"ct\0",
            b"bitwise\0",
            b"",
        ]);
        (
            name,
            vec(attr_tree(), 0..6),
            select(vec![0u8, 0, 0, 1, 2, 3]),
            vec(attr_tree(), 0..2),
            0usize..4,
        )
            .prop_map(|(name, data, shape, extra, cut)| {
                let mut out = Vec::new();
                let head = [
                    A::Leaf(ex::NFTA_EXPR_NAME, name.to_vec()),
                    A::Nest(ex::NFTA_EXPR_DATA | 0x8000, data),
                ];
                match shape {
                    0 => head.iter().for_each(|a| put(&mut out, a)),
                    1 => head.iter().rev().for_each(|a| put(&mut out, a)),
                    2 => head.iter().chain(&extra).for_each(|a| put(&mut out, a)),
                    _ => {
                        head.iter().for_each(|a| put(&mut out, a));
                        out.extend_from_slice(&[0, 0, 0][..cut.min(3)]);
                    }
                }
                if shape == 3 && cut > 0 {
                    let keep = out.len().saturating_sub(cut);
                    out.truncate(keep);
                }
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        /// The fast path never disagrees with the general decoder: on structured bytes...
        #[test]
        fn fast_path_agrees_on_structured_bytes(elem in element()) {
            if let Some(fast) = decode(&elem) {
                prop_assert_eq!(Some(fast), decode_at(&elem, 0).ok());
            }
        }

        /// ...and on arbitrary bytes.
        #[test]
        fn fast_path_agrees_on_arbitrary_bytes(elem in vec(any::<u8>(), 0..96)) {
            if let Some(fast) = decode(&elem) {
                prop_assert_eq!(Some(fast), decode_at(&elem, 0).ok());
            }
        }
    }

    /// No sets in the batch.
    struct NoSets;

    impl super::super::SetRefs for NoSets {
        fn set_id(&self, _: &str) -> Option<u32> {
            None
        }
        fn anonymous(&mut self) -> Result<(&'static str, u32), crate::Error> {
            Ok(("__set0", 0))
        }
    }

    /// The elements nft's rules are mostly made of take the fast path, as the kernel dumps
    /// them (captured: `meta nfproto ipv4 ip saddr 10.0.0.1 counter accept`).
    #[test]
    fn kernel_layout_takes_the_fast_path() {
        let exprs = [
            Expr::Meta(Meta {
                key: MetaKey::from_number(15),
                dreg: Reg(1),
            }),
            Expr::Cmp(Cmp {
                sreg: Reg(1),
                op: CmpOp::Eq,
                data: CmpData::new(&[2]),
            }),
            Expr::Payload(Payload {
                base: PayloadBase::from_number(1),
                offset: 12,
                len: 4,
                dreg: Reg(1),
            }),
            Expr::Cmp(Cmp {
                sreg: Reg(1),
                op: CmpOp::Eq,
                data: CmpData::new(&[10, 0, 0, 1]),
            }),
            Expr::Counter(Counter {
                packets: 3,
                bytes: 180,
            }),
            Expr::Lookup(Lookup {
                set: "s".into(),
                sreg: Reg(1),
                dreg: Some(Reg(0)),
                inverted: true,
            }),
            Expr::Immediate(Immediate {
                dreg: Reg(1),
                data: ImmediateData::Value(vec![1, 2, 3, 4]),
            }),
            Expr::Immediate(Immediate {
                dreg: Reg(0),
                data: ImmediateData::Verdict(Verdict::Accept),
            }),
        ];
        for e in exprs {
            let mut buf = Vec::new();
            let mut w = linx_netlink_codec::AttrWriter::new(&mut buf);
            super::super::encode(&mut w, &e, &mut NoSets).expect("encodes");
            let elem = &buf[4..];
            assert_eq!(decode(elem), Some(e.clone()), "{e:?}");
            assert_eq!(decode_at(elem, 0).ok(), Some(e));
        }
    }
}
