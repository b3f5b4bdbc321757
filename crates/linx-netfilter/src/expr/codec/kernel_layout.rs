//! Test support: expressions as the kernel dumps them (its attribute order, no flag bits
//! unless asked), with random values and random damage, for the proptests that hold the
//! fast decoders (`fast.rs`, the rule reader `wire/table/fast.rs`) to the general ones.
//! The values range over the interesting ones (valid and invalid registers, operators,
//! keys, verdict codes, sizes around the limits), so both answers of every check are met.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::nla::attr::{cmp as cm, counter as co, ct, data as d, expr as ex, immediate as im};
use crate::nla::attr::{lookup as lk, meta as me, payload as pa, verdict as va};

/// `NLA_F_NESTED`.
const NESTED: u16 = 0x8000;

/// An attribute to write: a leaf or a nest.
#[derive(Debug, Clone)]
pub(crate) enum A {
    /// Kind (flag bits included) and payload.
    Leaf(u16, Vec<u8>),
    /// Kind (flag bits included) and the attributes inside.
    Nest(u16, Vec<A>),
}

/// Append `a` (header, payload, padding) to `out`.
pub(crate) fn put(out: &mut Vec<u8>, a: &A) {
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

/// The bytes of `attrs`, one after the other.
pub(crate) fn bytes(attrs: &[A]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in attrs {
        put(&mut out, a);
    }
    out
}

/// A big-endian `u32` leaf.
fn be32(kind: u16, v: u32) -> A {
    A::Leaf(kind, v.to_be_bytes().to_vec())
}

/// A nest kind, with `NLA_F_NESTED` when `flag` (nft sets it, the kernel does not).
fn nest(kind: u16, flag: bool) -> u16 {
    if flag { kind | NESTED } else { kind }
}

/// Register numbers: the valid ones and their neighbours.
fn reg() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => select(vec![0u32, 1, 2, 3, 4, 8, 9, 15, 19, 22, 23]),
        1 => select(vec![5u32, 7, 24, 25, 0x100, u32::MAX]),
    ]
}

/// Data bytes: mostly the sizes rules compare, sometimes none or more than the kernel takes.
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => vec(any::<u8>(), 1..=16),
        1 => vec(any::<u8>(), 17..=24),
        1 => vec(any::<u8>(), 0..=70),
    ]
}

/// One expression's `NFTA_EXPR_DATA` attributes in the kernel's order, by name.
fn data() -> impl Strategy<Value = (&'static str, Vec<A>)> {
    let payload = (
        reg(),
        0u32..5,
        0u32..80,
        select(vec![0u32, 1, 2, 4, 6, 16, 17, 20, 64, 65]),
    )
        .prop_map(|(dreg, base, offset, len)| {
            (
                "payload",
                vec![
                    be32(pa::NFTA_PAYLOAD_DREG, dreg),
                    be32(pa::NFTA_PAYLOAD_BASE, base),
                    be32(pa::NFTA_PAYLOAD_OFFSET, offset),
                    be32(pa::NFTA_PAYLOAD_LEN, len),
                ],
            )
        });
    let meta = (0u32..50, reg()).prop_map(|(key, dreg)| {
        (
            "meta",
            vec![be32(me::NFTA_META_KEY, key), be32(me::NFTA_META_DREG, dreg)],
        )
    });
    let cmp = (reg(), 0u32..8, value(), any::<bool>()).prop_map(|(sreg, op, v, flag)| {
        (
            "cmp",
            vec![
                be32(cm::NFTA_CMP_SREG, sreg),
                be32(cm::NFTA_CMP_OP, op),
                A::Nest(
                    nest(cm::NFTA_CMP_DATA, flag),
                    vec![A::Leaf(d::NFTA_DATA_VALUE, v)],
                ),
            ],
        )
    });
    let code = select(vec![0i32, 1, -1, -2, -3, -4, -5, 2, 3, 0x10003, 7]);
    let verdict = (
        code,
        prop::option::weighted(0.1, "[a-z]{1,4}\\x00"),
        any::<bool>(),
    )
        .prop_map(|(code, chain, flag)| {
            let mut inner = vec![be32(va::NFTA_VERDICT_CODE, code as u32)];
            if let Some(chain) = chain {
                inner.push(A::Leaf(va::NFTA_VERDICT_CHAIN, chain.into_bytes()));
            }
            A::Nest(nest(d::NFTA_DATA_VERDICT, flag), inner)
        });
    let data_value = value().prop_map(|v| A::Leaf(d::NFTA_DATA_VALUE, v));
    let immediate = (
        prop_oneof![
            3 => Just(0u32),
            1 => reg(),
        ],
        prop_oneof![3 => verdict, 1 => data_value],
        any::<bool>(),
    )
        .prop_map(|(dreg, inner, flag)| {
            (
                "immediate",
                vec![
                    be32(im::NFTA_IMMEDIATE_DREG, dreg),
                    A::Nest(nest(im::NFTA_IMMEDIATE_DATA, flag), vec![inner]),
                ],
            )
        });
    let counter = (any::<u64>(), any::<u64>()).prop_map(|(b, p)| {
        (
            "counter",
            vec![
                A::Leaf(co::NFTA_COUNTER_BYTES, b.to_be_bytes().to_vec()),
                A::Leaf(co::NFTA_COUNTER_PACKETS, p.to_be_bytes().to_vec()),
            ],
        )
    });
    let lookup = (
        select(vec!["s\0", "__set0\0", "set", "", "\u{e9}\0"]),
        reg(),
        prop::option::of(reg()),
        prop::option::of(0u32..3),
    )
        .prop_map(|(set, sreg, dreg, flags)| {
            let mut attrs = vec![
                A::Leaf(lk::NFTA_LOOKUP_SET, set.as_bytes().to_vec()),
                be32(lk::NFTA_LOOKUP_SREG, sreg),
            ];
            attrs.extend(dreg.map(|r| be32(lk::NFTA_LOOKUP_DREG, r)));
            attrs.extend(flags.map(|f| be32(lk::NFTA_LOOKUP_FLAGS, f)));
            ("lookup", attrs)
        });
    // A kind the fast path leaves to the general decoder.
    let ct = (0u32..20, reg()).prop_map(|(key, dreg)| {
        (
            "ct",
            vec![be32(ct::NFTA_CT_KEY, key), be32(ct::NFTA_CT_DREG, dreg)],
        )
    });
    prop_oneof![
        3 => payload,
        3 => meta,
        5 => cmp,
        3 => immediate,
        1 => counter,
        1 => lookup,
        1 => ct,
    ]
}

/// One `NFTA_LIST_ELEM` payload as the kernel dumps it (name, then data; the data nest
/// sometimes flagged nested, as nft writes it).
pub(crate) fn elem() -> impl Strategy<Value = Vec<u8>> {
    (data(), any::<bool>()).prop_map(|((name, attrs), flag)| {
        let mut name = name.as_bytes().to_vec();
        name.push(0);
        bytes(&[
            A::Leaf(ex::NFTA_EXPR_NAME, name),
            A::Nest(nest(ex::NFTA_EXPR_DATA, flag), attrs),
        ])
    })
}

/// One edit of a byte string: where (taken modulo the length) and what.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    /// Set a byte.
    Set(usize, u8),
    /// Add to a byte (a length or kind off by a little).
    Add(usize, u8),
    /// Set a flag bit on the type of an attribute header (its fourth byte).
    Flag(usize, u8),
    /// Cut the bytes from here on.
    Cut(usize),
    /// Append bytes.
    Append(Vec<u8>),
    /// Swap two four-byte aligned eight-byte pieces (attributes out of order).
    Swap(usize, usize),
}

/// A few edits, for [`damage`].
pub(crate) fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        3 => (any::<usize>(), select(vec![1u8, 2, 3, 4, 8, 0xfc, 0xff])).prop_map(|(i, b)| Edit::Add(i, b)),
        2 => (any::<usize>(), select(vec![0x80u8, 0x40])).prop_map(|(i, b)| Edit::Flag(i, b)),
        1 => any::<usize>().prop_map(Edit::Cut),
        1 => vec(any::<u8>(), 1..9).prop_map(Edit::Append),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Swap(i, j)),
    ];
    vec(edit, 1..3)
}

/// `b` with `edits` applied (positions modulo the length at the time).
pub(crate) fn damage(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = b.len();
        if n == 0 {
            if let Edit::Append(more) = e {
                b.extend_from_slice(more);
            }
            continue;
        }
        match e {
            Edit::Set(i, v) => b[i % n] = *v,
            Edit::Add(i, v) => b[i % n] = b[i % n].wrapping_add(*v),
            Edit::Flag(i, v) => {
                let at = (i % n) & !3;
                if let Some(x) = b.get_mut(at + 3) {
                    *x ^= v;
                }
            }
            Edit::Cut(i) => b.truncate(i % n),
            Edit::Append(more) => b.extend_from_slice(more),
            Edit::Swap(i, j) => {
                let pieces = n / 8;
                if pieces >= 2 {
                    let (i, j) = ((i % pieces) * 8, (j % pieces) * 8);
                    for k in 0..8 {
                        b.swap(i + k, j + k);
                    }
                }
            }
        }
    }
    b
}
