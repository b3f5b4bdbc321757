//! [`decode_rule_after`](super::decode_rule_after)'s fast path: a `NEWRULE` message's
//! attributes as the kernel dumps them, read in one strict pass instead of the codec's
//! attribute table.
//!
//! Why: a pull of 10k rules spent about 900 instructions per rule outside its expressions
//! on the general walk (the table of first attributes, its string and value readers, the
//! located errors it prepares).
//!
//! # Contract
//! - [`decode`] returns `Some(r)` only where the general decoder returns `Ok(r)` with the
//!   same `r` (same table and chain, or [`RuleChain::Same`]; same expressions, tag, comment,
//!   handle; `raw` false; the expression vector sized as the general path sizes it). It
//!   accepts the attributes in the kernel's order: `TABLE`, `CHAIN` (each once, UTF-8 up to
//!   the first NUL when they are read), `HANDLE` (optional, eight bytes, no flag bits), an
//!   optional `POSITION` (eight bytes, no flag bits; the general path ignores it too),
//!   `EXPRESSIONS` holding only well-formed `NFTA_LIST_ELEM`s, an optional `USERDATA`, and
//!   nothing after them. Each expression goes through the codec's own decoder (its fast
//!   path, then the general one), as on the general path.
//! - Anything else is `None`, including every input on which the general path fails: the
//!   caller then decodes it the general way, which reports the located error. A proptest
//!   compares both paths on arbitrary and on structured bytes.
//! - Never panics; allocates what the rule keeps.

use super::{RuleChain, count_attrs, expr, parse_userdata, reads_as, up_to_nul};
use crate::Rule;
use crate::expr::codec::kind::strict::{attr, head, word};
use crate::nla::attr::{list, rule as ra};

/// `HANDLE` as the kernel dumps it (a big-endian `u64`, no padding attribute before it).
const HANDLE: u32 = head(12, ra::NFTA_RULE_HANDLE);
/// `POSITION` as the kernel dumps it (the handle of the rule before; not modelled).
const POSITION: u32 = head(12, ra::NFTA_RULE_POSITION);

/// An eight-byte attribute with header `want` at the start of `b`: its value and the bytes
/// after it, or `None` (and `b` untouched) when `b` starts with something else.
#[inline(always)]
fn be64_attr(b: &[u8], want: u32) -> Option<(u64, &[u8])> {
    let (a, rest) = b.split_first_chunk::<12>()?;
    if word(a)? != want {
        return None;
    }
    let [_, _, _, _, v @ ..] = *a;
    Some((u64::from_be_bytes(v), rest))
}

/// `p` up to its first NUL, when that is UTF-8 (the string reader's answer; `None` where
/// it reports an error).
#[inline(always)]
fn str_of(p: &[u8]) -> Option<&str> {
    std::str::from_utf8(up_to_nul(p)).ok()
}

/// The rule in `attrs` (after the nfgenmsg) as the kernel dumps it, or `None` to leave it
/// to the general path; `last` as for [`decode_rule_after`](super::decode_rule_after).
#[inline]
pub(super) fn decode<'a>(
    attrs: &'a [u8],
    last: Option<(&str, &str)>,
) -> Option<(RuleChain<'a>, Rule)> {
    let (ra::NFTA_RULE_TABLE, table, rest) = attr(attrs)? else {
        return None;
    };
    let (ra::NFTA_RULE_CHAIN, chain, rest) = attr(rest)? else {
        return None;
    };
    let (handle, rest) = match be64_attr(rest, HANDLE) {
        Some((handle, rest)) => (Some(handle), rest),
        None => (None, rest),
    };
    let rest = be64_attr(rest, POSITION).map_or(rest, |(_, rest)| rest);
    let (ra::NFTA_RULE_EXPRESSIONS, mut elems, rest) = attr(rest)? else {
        return None;
    };
    let userdata = match rest {
        [] => None,
        _ => match attr(rest)? {
            (ra::NFTA_RULE_USERDATA, userdata, []) => Some(userdata),
            _ => return None,
        },
    };
    let names = match last {
        Some((lt, lc)) if reads_as(table, lt) && reads_as(chain, lc) => RuleChain::Same,
        _ => RuleChain::Named(str_of(table)?, str_of(chain)?),
    };
    let mut exprs = Vec::with_capacity(count_attrs(elems));
    while !elems.is_empty() {
        let (list::NFTA_LIST_ELEM, elem, rest) = attr(elems)? else {
            return None;
        };
        // The common kinds as the kernel dumps them, then the general decoder.
        let e = match expr::decode_fast(elem) {
            Some(e) => e,
            None => expr::decode(elem).ok()?,
        };
        exprs.push(e);
        elems = rest;
    }
    let (tag, comment) = match userdata {
        Some(userdata) => parse_userdata(userdata),
        None => (None, None),
    };
    let rule = Rule {
        exprs,
        tag,
        comment,
        handle,
        raw: false,
    };
    Some((names, rule))
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::super::decode_rule_general;
    use super::*;
    use crate::expr::codec::kernel_layout::{self as layout, A};

    /// Two rules of chain `t`/`c` (inet) as a 6.x kernel dumped them: `ip saddr 10.0.0.1
    /// accept` (handle 2, the first: no `POSITION`) and `ip saddr 10.0.0.2 counter accept
    /// comment "hi"` (handle 3, after 2). Native byte order of a little-endian host.
    const DUMPED: [&str; 2] = [
        "060001007400000006000200630000000c0003000000000000000002e400040024000100090001006d\
         6574610000000014000200080002000000000f08000100000000012c00010008000100636d7000200002\
         00080001000000000108000200000000000c0003000500010002000000340001000c0001007061796c6f\
         6164002400020008000100000000010800020000000001080003000000000c0800040000000004\
         2c00010008000100636d700020000200080001000000000108000200000000000c000300080001000a00\
         0001300001000e000100696d6d6564696174650000001c000200080001000000000010000200\
         0c0002000800010000000001",
        "060001007400000006000200630000000c00030000000000000000030c00060000000000000000021001\
         040024000100090001006d6574610000000014000200080002000000000f08000100000000012c000100\
         08000100636d700020000200080001000000000108000200000000000c00030005000100020000003400\
         01000c0001007061796c6f61640024000200080001000000000108000200000000010800030000000\
         00c08000400000000042c00010008000100636d7000200002000800010000000001080002000000000\
         00c000300080001000a0000022c0001000c000100636f756e746572001c0002000c00010000000000000\
         000000c0002000000000000000000300001000e000100696d6d6564696174650000001c000200080001\
         0000000000100002000c0002000800010000000001090007000003686900000000",
    ];

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    /// `decode` answers only what the general path answers, down to the vector's capacity.
    fn agree(attrs: &[u8], last: Option<(&str, &str)>) -> Result<(), TestCaseError> {
        if let Some((names, rule)) = decode(attrs, last) {
            let general = decode_rule_general(attrs, last);
            prop_assert!(general.is_ok(), "{general:?}");
            let (general_names, general_rule) = general.unwrap();
            prop_assert_eq!(names, general_names);
            prop_assert_eq!(rule.raw, general_rule.raw);
            prop_assert_eq!(rule.exprs.capacity(), general_rule.exprs.capacity());
            prop_assert_eq!(rule, general_rule);
        }
        Ok(())
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn the_kernel_dump_takes_the_fast_path() {
        let (first, second) = (unhex(DUMPED[0]), unhex(DUMPED[1]));
        let (names, rule) = decode(&first, None).expect("fast path");
        assert_eq!(names, RuleChain::Named("t", "c"));
        assert_eq!((rule.handle, rule.exprs.len()), (Some(2), 5));
        assert!(
            rule.exprs
                .iter()
                .all(|e| !matches!(e, crate::Expr::Unknown(_)))
        );
        assert_eq!(decode_rule_general(&first, None).unwrap(), (names, rule));
        let (names, rule) = decode(&second, Some(("t", "c"))).expect("fast path");
        assert_eq!(names, RuleChain::Same);
        assert_eq!(
            (rule.handle, rule.exprs.len(), rule.comment.as_deref()),
            (Some(3), 6, Some("hi"))
        );
        assert_eq!(
            decode_rule_general(&second, Some(("t", "c"))).unwrap(),
            (names, rule)
        );
        for last in [None, Some(("t", "d")), Some(("t", "c")), Some(("", "c"))] {
            agree(&first, last).unwrap();
            agree(&second, last).unwrap();
        }
    }

    /// Table and chain names: the kernel's spelling, and without the NUL, with two, with
    /// bytes after it, empty, not UTF-8.
    fn name() -> impl Strategy<Value = Vec<u8>> {
        select(vec![
            &b"t\0"[..],
            b"c\0",
            b"filter\0",
            b"t",
            b"t\0\0",
            b"t\0x\0",
            b"",
            b"\0",
            b"\xff\0",
        ])
        .prop_map(<[u8]>::to_vec)
    }

    /// The previous rule's table and chain.
    fn last() -> impl Strategy<Value = Option<(&'static str, &'static str)>> {
        select(vec![
            None,
            Some(("t", "c")),
            Some(("t", "t")),
            Some(("c", "t")),
            Some(("filter", "c")),
            Some(("", "")),
        ])
    }

    /// Rule userdata: Linx's tag and a comment (TLVs), or other bytes.
    fn userdata() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            ("[a-z]{0,5}", "[a-z]{0,5}").prop_map(|(tag, comment)| {
                let mut u = vec![16, tag.len() as u8 + 1];
                u.extend(tag.bytes().chain([0]));
                u.extend([0, comment.len() as u8 + 1]);
                u.extend(comment.bytes().chain([0]));
                u
            }),
            vec(any::<u8>(), 0..12),
        ]
    }

    /// A `NEWRULE` message's attributes as the kernel dumps them.
    fn rule() -> impl Strategy<Value = Vec<u8>> {
        (
            (name(), name()),
            (
                prop::option::weighted(0.9, any::<u64>()),
                prop::option::of(any::<u64>()),
            ),
            vec(layout::elem(), 0..6),
            prop::option::of(userdata()),
            any::<bool>(),
        )
            .prop_map(
                |((table, chain), (handle, position), elems, userdata, flag)| {
                    let mut attrs = vec![
                        A::Leaf(ra::NFTA_RULE_TABLE, table),
                        A::Leaf(ra::NFTA_RULE_CHAIN, chain),
                    ];
                    attrs.extend(
                        handle.map(|h| A::Leaf(ra::NFTA_RULE_HANDLE, h.to_be_bytes().to_vec())),
                    );
                    attrs.extend(
                        position.map(|p| A::Leaf(ra::NFTA_RULE_POSITION, p.to_be_bytes().to_vec())),
                    );
                    let elems = elems
                        .into_iter()
                        .map(|e| A::Leaf(list::NFTA_LIST_ELEM, e))
                        .collect();
                    let kind = ra::NFTA_RULE_EXPRESSIONS | if flag { 0x8000 } else { 0 };
                    attrs.push(A::Nest(kind, elems));
                    attrs.extend(userdata.map(|u| A::Leaf(ra::NFTA_RULE_USERDATA, u)));
                    layout::bytes(&attrs)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        /// The fast path never disagrees with the general decoder: on rules as the kernel
        /// dumps them, intact or slightly damaged...
        #[test]
        fn fast_path_agrees_on_kernel_rules(
            attrs in rule(),
            edits in layout::edits(),
            intact in any::<bool>(),
            last in last(),
        ) {
            let attrs = if intact { attrs } else { layout::damage(attrs, &edits) };
            agree(&attrs, last)?;
        }

        /// ...and on arbitrary bytes.
        #[test]
        fn fast_path_agrees_on_arbitrary_bytes(attrs in vec(any::<u8>(), 0..160), last in last()) {
            agree(&attrs, last)?;
        }

        /// Every intact rule the general path decodes takes the fast path.
        #[test]
        fn kernel_rules_take_the_fast_path(attrs in rule(), last in last()) {
            let general = decode_rule_general(&attrs, last).ok();
            prop_assert_eq!(decode(&attrs, last).is_some(), general.is_some());
            agree(&attrs, last)?;
        }
    }
}
