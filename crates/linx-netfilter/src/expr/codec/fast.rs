//! The expression decoder's fast path: the kinds pulled rules are mostly made of (`payload`,
//! `meta`, `cmp`, `immediate`, `counter`, `lookup`), as the kernel dumps them, read in one
//! pass over the bytes without the general decoder's attribute tables and name dispatch.
//!
//! Why: a pull of 10k rules decodes 50k expressions; the general path (outer table, name
//! match, the kind's exact table, value codecs) took about 415 instructions each.
//!
//! Layout: this module recognises the element (the kernel's `NFTA_EXPR_NAME` attribute,
//! header and name, compared as fixed-size bytes, then `NFTA_EXPR_DATA`) and dispatches on
//! the name; each kind's reader is its `fast` function in `kind/<kind>.rs`, beside its
//! general decoder, built on the strict readers of `kind/strict.rs`.
//!
//! # Contract
//! - [`decode`] returns `Some(e)` only where the general decoder
//!   ([`decode_at`](super::decode::decode_at)) returns `Ok(e)` with the same `e`: it accepts
//!   the element as the kernel dumps it (`NFTA_EXPR_NAME` with no flag bits, the name and one
//!   NUL, then `NFTA_EXPR_DATA`, nothing after them) with the data in the kernel's attribute
//!   order and sizes (`payload`, `meta`, `cmp`, `immediate`; `counter` and `lookup` in any
//!   order, each attribute at most once), and declines (`None`) everything else (another
//!   kind, another order, an attribute it does not read, a duplicate, a size, a flag bit on
//!   a leaf, a value the general path turns into [`Expr::Unknown`], trailing bytes), which
//!   the caller then decodes the general way. A proptest compares both paths on arbitrary
//!   and on structured bytes.
//! - Never panics; allocates only what the expression keeps.

use linx_netlink_codec::consts::NLA_TYPE_MASK;

use super::kind;
use super::kind::strict::head;
use crate::Expr;
use crate::nla::attr::expr as ex;

/// The `NFTA_EXPR_NAME` attribute the kernel writes for `name`: header (`N` bytes, no flag
/// bits), the name and one NUL; `N` is the name's length plus 5, at least 8.
const fn name_attr<const N: usize>(name: &str) -> [u8; N] {
    let b = name.as_bytes();
    assert!(N == b.len() + 5 && N >= 8 && N <= u16::MAX as usize);
    let mut out = [0u8; N];
    let h = head(N as u16, ex::NFTA_EXPR_NAME).to_ne_bytes();
    let mut i = 0;
    while i < 4 {
        out[i] = h[i];
        i += 1;
    }
    let mut i = 0;
    while i < b.len() {
        out[4 + i] = b[i];
        i += 1;
    }
    out
}

/// The first eight bytes of a name attribute as one word: what [`decode`] dispatches on.
const fn key<const N: usize>(attr: &[u8; N]) -> u64 {
    u64::from_ne_bytes([
        attr[0], attr[1], attr[2], attr[3], attr[4], attr[5], attr[6], attr[7],
    ])
}

const PAYLOAD: [u8; 12] = name_attr("payload");
const META: [u8; 9] = name_attr("meta");
const CMP: [u8; 8] = name_attr("cmp");
const IMMEDIATE: [u8; 14] = name_attr("immediate");
const COUNTER: [u8; 12] = name_attr("counter");
const LOOKUP: [u8; 11] = name_attr("lookup");

const PAYLOAD_KEY: u64 = key(&PAYLOAD);
const META_KEY: u64 = key(&META);
const CMP_KEY: u64 = key(&CMP);
const IMMEDIATE_KEY: u64 = key(&IMMEDIATE);
const COUNTER_KEY: u64 = key(&COUNTER);
const LOOKUP_KEY: u64 = key(&LOOKUP);

/// The `NFTA_EXPR_DATA` payload of `elem` when `elem` is name attribute `name` (padded to
/// four bytes) and then `NFTA_EXPR_DATA` (flags masked) up to its end; `None` otherwise.
#[inline(always)]
fn data_after<'a, const N: usize>(elem: &'a [u8], name: &[u8; N]) -> Option<&'a [u8]> {
    if elem.first_chunk::<N>()? != name {
        return None;
    }
    let rest = elem.get((N + 3) & !3..)?;
    let h = rest.first_chunk::<4>()?;
    let len = usize::from(u16::from_ne_bytes([h[0], h[1]]));
    let kind = u16::from_ne_bytes([h[2], h[3]]) & NLA_TYPE_MASK;
    if len != rest.len() || kind != ex::NFTA_EXPR_DATA {
        return None;
    }
    rest.get(4..)
}

/// Decode one `NFTA_LIST_ELEM` payload, or `None` to leave it to the general path.
#[inline]
pub(super) fn decode(elem: &[u8]) -> Option<Expr> {
    let start = u64::from_ne_bytes(*elem.first_chunk::<8>()?);
    // The name as the kernel writes it (one NUL, no padding inside the attribute): the
    // general path, which cuts at the first NUL, reads the same name. Any other spelling is
    // left to it.
    match start {
        PAYLOAD_KEY => kind::payload::fast(data_after(elem, &PAYLOAD)?),
        META_KEY => kind::meta::fast(data_after(elem, &META)?),
        CMP_KEY => kind::cmp::fast(data_after(elem, &CMP)?),
        IMMEDIATE_KEY => kind::immediate::fast(data_after(elem, &IMMEDIATE)?),
        COUNTER_KEY => kind::counter::fast(data_after(elem, &COUNTER)?),
        LOOKUP_KEY => kind::lookup::fast(data_after(elem, &LOOKUP)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::super::decode::decode_at;
    use super::super::kernel_layout::{self as layout, A, put};
    use super::*;
    use crate::Reg;
    use crate::Verdict;
    use crate::expr::{
        Cmp, CmpData, CmpOp, Counter, Immediate, ImmediateData, Lookup, Meta, MetaKey, Payload,
        PayloadBase,
    };

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

        /// ...on arbitrary bytes...
        #[test]
        fn fast_path_agrees_on_arbitrary_bytes(elem in vec(any::<u8>(), 0..96)) {
            if let Some(fast) = decode(&elem) {
                prop_assert_eq!(Some(fast), decode_at(&elem, 0).ok());
            }
        }

        /// ...and on expressions as the kernel dumps them (random values, valid or not),
        /// intact or slightly damaged (a byte, a length, a flag, cut, extended, reordered).
        #[test]
        fn fast_path_agrees_on_kernel_layouts(
            elem in layout::elem(),
            edits in layout::edits(),
            intact in any::<bool>(),
        ) {
            let elem = if intact { elem } else { layout::damage(elem, &edits) };
            if let Some(fast) = decode(&elem) {
                prop_assert_eq!(Some(fast), decode_at(&elem, 0).ok());
            }
        }

        /// The kinds it reads, as the kernel dumps them, take the fast path whenever the
        /// general decoder types them (bar the verdicts it leaves to it: jump, goto, queue).
        #[test]
        fn kernel_layouts_take_the_fast_path(elem in layout::elem()) {
            let general = decode_at(&elem, 0).ok();
            let read = match &general {
                Some(Expr::Payload(_) | Expr::Meta(_) | Expr::Cmp(_) | Expr::Counter(_)) => true,
                Some(Expr::Immediate(i)) => !matches!(
                    i.data(),
                    ImmediateData::Verdict(Verdict::Jump(_) | Verdict::Goto(_) | Verdict::Queue(_))
                ),
                _ => false,
            };
            if read {
                prop_assert_eq!(decode(&elem), general);
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
