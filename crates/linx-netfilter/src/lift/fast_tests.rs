//! The fast path against the general lift: whenever the fast path answers, its statements
//! are exactly the general lift's (which are proved by lowering the whole rule), on every
//! golden capture of nft's expressions, every rule of the print corpus as nft loads it,
//! statement lists lowered to expressions and arbitrary expression lists; and it answers
//! on the shapes of `linx-bench nft-list` and on most corpus rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use linx_ip::ip;
use proptest::prelude::*;

use super::tests::{arb_expr, arb_family};
use super::{Statement, fast, lift_general};
use crate::expr::{CtKey, MetaKey};
use crate::stmt::{Field, HeaderField, Match, Op, Value};
use crate::{Expr, Family, Table, Verdict};

/// Fast path and general lift agree whenever the fast path answers; `true` when it did.
fn agrees(exprs: &[Expr], family: Family, table: Option<&Table>) -> bool {
    let Some(fast) = fast::lift(exprs, family) else {
        return false;
    };
    let general = lift_general(exprs, family, table);
    assert_eq!(
        fast, general,
        "{family}: the fast path differs from the general lift on {exprs:?}"
    );
    // And what it claims lowers back to the rule (the general lift's proof, again).
    if fast.iter().any(|s| !matches!(s, Statement::Expr(_))) {
        assert_eq!(
            Statement::lower_all(family, &fast).ok().as_deref(),
            Some(exprs),
            "{family}: {fast:?} does not lower back"
        );
    }
    true
}

fn golden() -> BTreeMap<String, Vec<Expr>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lower/golden.json");
    let text = std::fs::read_to_string(path).expect("read tests/lower/golden.json");
    serde_json::from_str(&text).expect("parse tests/lower/golden.json")
}

#[test]
fn bench_rule_takes_the_fast_path() {
    // `ip saddr 10.0.0.1 accept` in an inet table, as nft and `linx-bench` write it.
    let m = Match::new(HeaderField::IpSaddr, Op::Eq, Value::Ip(ip!("10.0.0.1"))).unwrap();
    let stmts = vec![Statement::Match(m), Statement::Verdict(Verdict::Accept)];
    let exprs = Statement::lower_all(Family::Inet, &stmts).unwrap();
    assert_eq!(exprs.len(), 5);
    assert!(agrees(&exprs, Family::Inet, None));
    assert_eq!(fast::lift(&exprs, Family::Inet), Some(stmts));
}

#[test]
fn flag_tests_take_the_fast_path() {
    // `ct state established,related accept`, `tcp flags syn / fin,syn,rst,ack` is not one.
    let ct = Match::new(Field::Ct(CtKey::State), Op::AnySet, Value::Int(6)).unwrap();
    let tcp = Match::new(HeaderField::TcpFlags, Op::NoneSet, Value::Int(0x17)).unwrap();
    let rules = [
        vec![Statement::Match(ct), Statement::Verdict(Verdict::Accept)],
        vec![
            Statement::Match(tcp),
            Statement::Counter {
                packets: 0,
                bytes: 0,
            },
        ],
    ];
    for stmts in rules {
        let exprs = Statement::lower_all(Family::Inet, &stmts).unwrap();
        assert!(agrees(&exprs, Family::Inet, None), "{stmts:?}");
        assert_eq!(fast::lift(&exprs, Family::Inet), Some(stmts));
    }
}

#[test]
fn protocol_matches_left_out_as_the_general_lift_does() {
    let m = |f: Field, v: u64| Statement::Match(Match::new(f, Op::Eq, Value::Int(v)).unwrap());
    let nfproto = m(Field::Meta(MetaKey::Nfproto), 2);
    let l4 = m(Field::Meta(MetaKey::L4proto), 6);
    let mark = m(Field::Meta(MetaKey::Mark), 1);
    let dport = m(Field::Header(HeaderField::TcpDport), 22);
    let saddr = m(Field::Header(HeaderField::IpProtocol), 6);
    let ct = m(Field::Ct(CtKey::Mark), 7);
    let rules: Vec<Vec<Statement>> = vec![
        vec![nfproto.clone(), mark.clone(), saddr.clone(), dport.clone()],
        vec![nfproto.clone(), l4.clone(), mark.clone(), dport.clone()],
        vec![l4.clone(), nfproto.clone(), dport.clone()],
        vec![mark.clone(), l4.clone(), ct.clone(), dport.clone()],
        vec![saddr.clone(), dport.clone(), ct],
        vec![nfproto.clone(), nfproto, saddr],
        vec![l4.clone(), l4, dport],
    ];
    for family in [Family::Inet, Family::Ip, Family::Ip6] {
        for stmts in &rules {
            if let Ok(exprs) = Statement::lower_all(family, stmts) {
                agrees(&exprs, family, None);
                // Written out as raw expressions with a protocol match repeated.
                let mut twice = exprs[..2].to_vec();
                twice.extend(exprs.iter().cloned());
                agrees(&twice, family, None);
            }
        }
    }
}

#[test]
fn every_golden_capture_agrees_and_the_common_ones_are_fast() {
    let mut answered = 0;
    let all = golden();
    for (key, exprs) in &all {
        let family: Family = key.split('|').next().unwrap().parse().expect("family");
        if agrees(exprs, family, None) {
            answered += 1;
        }
    }
    // The captures are mostly the rarer shapes, one each; the plain ones are fast.
    assert!(answered >= 30, "only {answered} of {} captures", all.len());
}

/// A field for generated rules: the ones the fast path reads, and some it declines.
fn arb_field() -> impl Strategy<Value = Field> {
    prop_oneof![
        (0u32..36).prop_map(|n| Field::Meta(MetaKey::from_number(n))),
        (0u32..30).prop_map(|n| Field::Ct(CtKey::from_number(n))),
        // Named keys spelt as numbers: no cached load is theirs.
        (0u32..70).prop_map(|n| Field::Meta(MetaKey::Other(n))),
        (0u32..70).prop_map(|n| Field::Ct(CtKey::Other(n))),
        proptest::sample::select(HeaderField::ALL).prop_map(Field::Header),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..4).prop_map(Value::Int),
        Just(Value::Int(2)),
        Just(Value::Int(6)),
        Just(Value::Int(10)),
        Just(Value::Int(17)),
        (0u64..70000).prop_map(Value::Int),
        any::<u32>().prop_map(|n| Value::Int(u64::from(n))),
        any::<[u8; 4]>().prop_map(|b| Value::Ip(linx_ip::Ip::from(b))),
        any::<[u8; 16]>().prop_map(|b| Value::Ip(linx_ip::Ip::from(b))),
        "[a-z]{1,4}\\*?".prop_map(Value::Ifname),
    ]
}

fn arb_op() -> impl Strategy<Value = Op> {
    proptest::sample::select(
        &[
            Op::Eq,
            Op::Eq,
            Op::Ne,
            Op::Lt,
            Op::Ge,
            Op::AnySet,
            Op::NoneSet,
        ][..],
    )
}

fn arb_stmt() -> impl Strategy<Value = Statement> {
    let proto = |k: MetaKey| {
        proptest::sample::select(&[2u64, 10, 6, 17, 1, 58][..]).prop_map(move |v| {
            Statement::Match(Match::new(Field::Meta(k), Op::Eq, Value::Int(v)).unwrap())
        })
    };
    prop_oneof![
        // Flag tests of numbers only: the lowering does not take others (and, since
        // Expr::bitwise checks its lengths, panics on `iifname & "ab*" != 0`).
        4 => (arb_field(), arb_op(), arb_value())
            .prop_filter("flag tests are of numbers", |(_, op, v)| {
                !matches!(op, Op::AnySet | Op::NoneSet) || matches!(v, Value::Int(_))
            })
            .prop_filter_map("no match", |(f, op, v)| Match::new(f, op, v).map(Statement::Match)),
        2 => proto(MetaKey::Nfproto),
        2 => proto(MetaKey::L4proto),
        1 => proptest::sample::select(&[6u64, 17, 1][..]).prop_map(|v| Statement::Match(
            Match::new(HeaderField::IpProtocol, Op::Eq, Value::Int(v)).unwrap()
        )),
        1 => Just(Statement::Verdict(Verdict::Accept)),
        1 => Just(Statement::Verdict(Verdict::Jump("other".into()))),
        1 => Just(Statement::Counter { packets: 1, bytes: 2 }),
        1 => Just(Statement::Notrack),
    ]
}

fn arb_fast_family() -> impl Strategy<Value = Family> {
    prop_oneof![
        3 => Just(Family::Inet),
        1 => Just(Family::Ip),
        1 => Just(Family::Ip6),
        1 => arb_family(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lowered_statements_agree(
        stmts in proptest::collection::vec(arb_stmt(), 0..6),
        family in arb_fast_family(),
    ) {
        if let Ok(exprs) = Statement::lower_all(family, &stmts) {
            agrees(&exprs, family, None);
        }
    }

    #[test]
    fn arbitrary_expressions_agree(
        exprs in proptest::collection::vec(arb_expr(), 0..8),
        family in arb_fast_family(),
    ) {
        agrees(&exprs, family, None);
    }
}

/// Every rule of every corpus file, loaded with `nft -f` into a fresh namespace and pulled:
/// the fast path agrees with the general lift wherever it answers, and answers on most
/// rules.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn corpus_rules_agree_and_most_are_fast() {
    use linx_testns::TestNs;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read tests/corpus")
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "nft"))
        .collect();
    files.sort();
    let (mut rules, mut fast_rules) = (0usize, 0usize);
    for file in &files {
        let ns = TestNs::new();
        let out = ns.run("nft", &["-f", &file.display().to_string()]);
        assert!(out.status.success(), "nft -f {} refused", file.display());
        let sock = linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER");
        let rs = crate::pull(&sock, crate::Scope::All).expect("pull");
        for t in rs.tables() {
            for c in t.chains() {
                for r in c.rules() {
                    rules += 1;
                    if agrees(&r.exprs, t.family(), Some(t)) {
                        fast_rules += 1;
                    }
                }
            }
        }
    }
    eprintln!("corpus: {fast_rules} of {rules} rules on the fast path");
    assert!(rules > 1000, "the corpus has {rules} rules");
    // The corpus holds every statement kind in all six families, most once; the plain
    // shapes (468 of 2,191 rules when this was written) are fast.
    assert!(
        fast_rules * 100 >= rules * 20,
        "only {fast_rules} of {rules} corpus rules on the fast path"
    );
}

#[test]
fn a_statement_is_no_larger_than_a_match_needs() {
    // Every lifted rule moves its statements into a vector: rare large ones are boxed.
    assert!(size_of::<Statement>() <= size_of::<Match>() + 8);
}

#[test]
fn fields_by_offset_name_loads_as_a_scan_of_the_protocol_does() {
    use crate::stmt::{Datatype, Proto};
    // The search `payload_field` did before it read fields by offset.
    let scan = |proto: Proto, offset: u32, len: u32| {
        let (bit_off, bits) = (offset * 8, len * 8);
        let fields = HeaderField::of_proto(proto);
        fields
            .iter()
            .copied()
            .find(|f| {
                f.bit_offset() == bit_off
                    && f.is_byte_aligned()
                    && (f.bit_len() == bits
                        || (bits < f.bit_len()
                            && matches!(
                                f.datatype(),
                                Datatype::Ipv4Addr | Datatype::Ipv6Addr | Datatype::EtherAddr
                            )))
            })
            .or_else(|| {
                fields.iter().copied().find(|f| {
                    !f.is_byte_aligned()
                        && f.bit_offset() / 8 == offset
                        && (f.bit_offset() + f.bit_len()).div_ceil(8) == offset + len
                })
            })
    };
    let protos: std::collections::BTreeSet<Proto> =
        HeaderField::ALL.iter().map(|f| f.proto()).collect();
    for proto in protos {
        for offset in 0..80 {
            for len in 0..20 {
                assert_eq!(
                    super::payload_field(proto, offset, len),
                    scan(proto, offset, len),
                    "{proto} {offset} {len}"
                );
            }
        }
    }
}

#[test]
fn flag_tests_with_bitwise_masks_of_any_length_never_panic() {
    // `ct state` loaded, masked by a bitwise of 0, 4 or 65 bytes (the decoder's checks
    // aside), compared with zero: only the 4-byte mask is a flag test.
    for n in [0usize, 1, 4, 65] {
        let b = crate::expr::Bitwise {
            sreg: crate::Reg::R1,
            dreg: crate::Reg::R1,
            len: n as u32,
            mask: vec![0x06; n],
            xor: vec![0; n],
        };
        let exprs = vec![
            Expr::ct(CtKey::State),
            Expr::Bitwise(Box::new(b)),
            Expr::cmp_neq([0; 4]),
            Expr::accept(),
        ];
        for family in [Family::Inet, Family::Ip, Family::Ip6] {
            let fast = fast::lift(&exprs, family);
            assert_eq!(fast.is_some(), n == 4, "{n} bytes: {fast:?}");
            agrees(&exprs, family, None);
            let _ = super::lift(&exprs, family);
        }
    }
}
