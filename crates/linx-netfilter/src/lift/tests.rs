//! Lift tests: shapes nft writes, and never-panic on arbitrary expression lists.

use proptest::prelude::*;

use super::*;
use crate::Verdict;
use crate::expr::Nat;
use crate::expr::{Cmp, Ct, Meta};
use crate::expr::{CtKey, MetaKey};
use crate::expr::{Immediate, Lookup, Reject};

fn tcp_dport_22() -> Vec<Expr> {
    let mut e = Expr::meta_l4proto_eq(6);
    e.extend(Expr::tcp_dport_eq(22));
    e.push(Expr::accept());
    e
}

#[test]
fn dependency_dropped_before_its_field() {
    let s = lift(&tcp_dport_22(), Family::Inet);
    let m = Match::new(HeaderField::TcpDport, Op::Eq, Value::Int(22)).unwrap();
    assert_eq!(
        s,
        vec![Statement::Match(m), Statement::Verdict(Verdict::Accept)]
    );
}

#[test]
fn ct_state_flag_test() {
    let e = Expr::ct_state(&[crate::CtState::ESTABLISHED, crate::CtState::RELATED]);
    let s = lift(&e, Family::Inet);
    let m = Match::new(Field::Ct(CtKey::State), Op::AnySet, Value::Int(6)).unwrap();
    assert_eq!(s, vec![Statement::Match(m)]);
}

#[test]
fn transport_without_dependency_is_th() {
    let s = lift(&Expr::tcp_dport_eq(22), Family::Inet);
    let m = Match::new(HeaderField::ThDport, Op::Eq, Value::Int(22)).unwrap();
    assert_eq!(s, vec![Statement::Match(m)]);
}

#[test]
fn unknown_stays_an_expression() {
    let e = vec![Expr::unknown("fib", [1, 2]), Expr::meta(MetaKey::Mark)];
    let s = lift(&e, Family::Ip);
    assert!(!is_fully_lifted(&s));
    assert_eq!(s.len(), 2);
}

fn arb_reg() -> impl Strategy<Value = Reg> {
    prop_oneof![
        Just(Reg::R1),
        Just(Reg::R2),
        Just(Reg::VERDICT),
        (0u32..30).prop_map(Reg)
    ]
}

pub(super) fn arb_expr() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0u32..4, 0u32..40, 0u32..20, arb_reg()).prop_map(|(b, o, l, r)| Expr::Payload(
            crate::expr::Payload {
                base: PayloadBase::from_number(b),
                offset: o,
                len: l,
                dreg: r
            }
        )),
        (0u32..30, arb_reg()).prop_map(|(k, r)| Expr::Meta(Meta {
            key: MetaKey::from_number(k),
            dreg: r
        })),
        (0u32..8, arb_reg()).prop_map(|(k, r)| Expr::Ct(Ct {
            key: CtKey::from_number(k),
            dreg: r
        })),
        (
            arb_reg(),
            0u32..6,
            proptest::collection::vec(any::<u8>(), 0..20)
        )
            .prop_map(|(r, op, d)| {
                Expr::Cmp(Cmp {
                    sreg: r,
                    op: CmpOp::from_number(op).unwrap_or(CmpOp::Eq),
                    data: d.into(),
                })
            }),
        (
            arb_reg(),
            arb_reg(),
            0u32..20,
            proptest::collection::vec(any::<u8>(), 0..20),
            proptest::collection::vec(0u8..2, 0..20)
        )
            .prop_map(|(s, d, len, mask, xor)| Expr::from(crate::expr::Bitwise {
                sreg: s,
                dreg: d,
                len,
                mask,
                xor
            })),
        (arb_reg(), proptest::collection::vec(any::<u8>(), 0..20)).prop_map(|(r, d)| {
            Expr::Immediate(Immediate {
                dreg: r,
                data: ImmediateData::Value(d),
            })
        }),
        Just(Expr::accept()),
        Just(Expr::counter()),
        (arb_reg(), any::<bool>(), proptest::option::of(arb_reg())).prop_map(|(r, inv, d)| {
            Expr::Lookup(Lookup {
                set: "s".into(),
                sreg: r,
                dreg: d,
                inverted: inv,
            })
        }),
        (
            0u32..2,
            proptest::option::of(arb_reg()),
            proptest::option::of(arb_reg()),
            proptest::option::of(arb_reg())
        )
            .prop_map(|(k, a, p, q)| Expr::from(Nat {
                kind: NatType::from_number(k).unwrap_or(NatType::Snat),
                family: Family::Ip,
                reg_addr_min: a,
                reg_addr_max: None,
                reg_proto_min: p,
                reg_proto_max: q,
                flags: crate::expr::NatFlags::empty(),
            })),
        // Payload writes of any attributes (offsets and lengths up to the extremes).
        (
            prop_oneof![Just(1u32), any::<u32>()],
            0u32..5,
            prop_oneof![0u32..48, Just(u32::MAX / 8), Just(u32::MAX)],
            prop_oneof![0u32..20, Just(u32::MAX)],
            (0u32..3, 0u32..20, 0u32..2),
        )
            .prop_map(|(sreg, base, offset, len, (ty, off, flags))| {
                crate::stmt::PayloadWrite {
                    sreg,
                    base: PayloadBase::from_number(base),
                    offset,
                    len,
                    csum_type: ty,
                    csum_offset: off,
                    csum_flags: flags,
                }
                .expr()
            }),
        (0u32..3, any::<u8>()).prop_map(|(k, c)| Expr::Reject(Reject {
            kind: crate::expr::RejectType::from_number(k)
                .unwrap_or(crate::expr::RejectType::TcpReset),
            code: c
        })),
    ]
}

pub(super) fn arb_family() -> impl Strategy<Value = Family> {
    prop::sample::select(vec![
        Family::Ip,
        Family::Ip6,
        Family::Inet,
        Family::Arp,
        Family::Bridge,
        Family::Netdev,
    ])
}

proptest! {
    /// Lift and print never panic, on any expression list.
    #[test]
    fn never_panics(exprs in proptest::collection::vec(arb_expr(), 0..12), family in arb_family()) {
        let stmts = lift(&exprs, family);
        let mut table = crate::Table::new(family, "t");
        let _ = &mut table;
        let rule = crate::Rule::new(exprs.clone());
        let _ = crate::print::Printer::new().rule(&rule, &table).text();
        let _ = crate::print::Printer::new().statements(&stmts, &table);
    }
}

/// The text a rule of `exprs` prints as in a table of `family`.
fn printed(exprs: Vec<Expr>, family: Family) -> String {
    let table = Table::new(family, "t");
    let rule = crate::Rule::new(exprs);
    crate::print::Printer::new()
        .rule(&rule, &table)
        .text()
        .to_owned()
}

fn bitwise(mask: &[u8]) -> Expr {
    Expr::bitwise(mask, vec![0; mask.len()])
}

#[test]
fn sub_byte_field_is_the_one_its_mask_selects() {
    // `ip hdrlength 5`: the low nibble of the byte `ip version` shares.
    let e = vec![
        Expr::payload(PayloadBase::Network, 0, 1),
        bitwise(&[0x0f]),
        Expr::cmp_eq([5]),
    ];
    let m = Match::new(HeaderField::IpHdrlength, Op::Eq, Value::Int(5)).unwrap();
    assert_eq!(lift(&e, Family::Ip), vec![Statement::Match(m)]);
    assert_eq!(printed(e, Family::Ip), "ip hdrlength 5");
}

#[test]
fn masked_integers_and_addresses_print_as_nft_does() {
    // `ip frag-off & 8191 != 0`
    let e = vec![
        Expr::payload(PayloadBase::Network, 6, 2),
        bitwise(&[0x1f, 0xff]),
        Expr::cmp(CmpOp::Neq, [0, 0]),
    ];
    assert_eq!(printed(e, Family::Ip), "ip frag-off & 8191 != 0");
    // A whole address under a byte-aligned mask is a masked match (nft loads fewer bytes
    // for a prefix) and prints as the prefix.
    let e = vec![
        Expr::payload(PayloadBase::Network, 16, 4),
        bitwise(&[255, 255, 0, 0]),
        Expr::cmp_eq([10, 1, 0, 0]),
    ];
    let s = lift(&e, Family::Ip);
    assert!(matches!(&s[..], [Statement::Match(m)] if m.mask().is_some()));
    assert_eq!(printed(e, Family::Ip), "ip daddr 10.1.0.0/16");
}

#[test]
fn host_order_ranges_need_their_byteorder() {
    // `meta length 100-200` without the conversion nft writes is not a range match.
    let mut e = vec![Expr::meta(MetaKey::Len)];
    e.push(Expr::cmp(CmpOp::Gte, 100u32.to_be_bytes()));
    e.push(Expr::cmp(CmpOp::Lte, 200u32.to_be_bytes()));
    assert!(!is_fully_lifted(&lift(&e, Family::Ip)));
    let m = Statement::Match(
        Match::new(
            Field::Meta(MetaKey::Len),
            Op::Eq,
            Value::range(Value::Int(100), Value::Int(200)),
        )
        .unwrap(),
    );
    let lowered = Statement::lower_all(Family::Ip, std::slice::from_ref(&m)).unwrap();
    assert!(
        lowered
            .iter()
            .any(|x| matches!(x, Expr::Unknown(u) if u.name == "byteorder"))
    );
    assert_eq!(lift(&lowered, Family::Ip), vec![m]);
    assert_eq!(printed(lowered, Family::Ip), "meta length 100-200");
}

#[test]
fn meta_and_ct_keys_print_with_their_datatypes() {
    let meta = |n: u32, data: &[u8]| vec![Expr::meta(MetaKey::from_number(n)), Expr::cmp_eq(data)];
    let ct = |n: u32, data: &[u8]| vec![Expr::ct(CtKey::from_number(n)), Expr::cmp_eq(data)];
    let cases: Vec<(Vec<Expr>, &str)> = vec![
        (meta(21, &0u32.to_ne_bytes()), "iifgroup \"default\""),
        (meta(22, &1u32.to_ne_bytes()), "oifgroup 1"),
        (meta(23, &1u32.to_ne_bytes()), "meta cgroup 1"),
        (meta(25, &[1]), "meta ipsec exists"),
        (meta(25, &[0]), "meta ipsec missing"),
        (meta(31, &[6]), "meta day \"Saturday\""),
        (
            meta(34, b"vrf-blue\0\0\0\0\0\0\0\0"),
            "meta sdifname \"vrf-blue\"",
        ),
        (
            meta(26, b"vrf\0\0\0\0\0\0\0\0\0\0\0\0\0"),
            "meta iifkind \"vrf\"",
        ),
        (ct(5, &30_000u32.to_ne_bytes()), "ct expiration 30s"),
        (ct(5, &1_500u32.to_ne_bytes()), "ct expiration 1s500ms"),
        (ct(6, b"ftp\0\0\0\0\0\0\0\0\0\0\0\0\0"), "ct helper \"ftp\""),
        (ct(23, &1u32.to_be_bytes()), "ct id 1"),
    ];
    for (e, want) in cases {
        assert!(is_fully_lifted(&lift(&e, Family::Inet)), "{want}");
        assert_eq!(printed(e, Family::Inet), want);
    }
    // `meta random & 255 == 0`: a big-endian integer under a mask.
    let e = vec![
        Expr::meta(MetaKey::from_number(24)),
        bitwise(&[0, 0, 0, 255]),
        Expr::cmp_eq([0, 0, 0, 0]),
    ];
    assert_eq!(printed(e, Family::Inet), "meta random & 255 == 0");
}

/// `stmts` lower in `family` and lift back to `want`.
fn lifts_as(family: Family, stmts: &[Statement], want: &[Statement]) {
    let exprs = Statement::lower_all(family, stmts).expect("lowers");
    assert_eq!(lift(&exprs, family), want, "{family}: {exprs:?}");
}

/// `s` alone lowers in `family` and lifts back to itself.
fn lifts_back(family: Family, s: &Statement) {
    lifts_as(family, std::slice::from_ref(s), std::slice::from_ref(s));
}

fn is(key: impl Into<Key>, v: impl Into<Value>) -> Statement {
    Statement::is(key, v).expect("a statement")
}

#[test]
fn vlan_fields_after_the_vlan_ethertype() {
    let id = is(HeaderField::VlanId, 100u16);
    for family in [Family::Bridge, Family::Netdev, Family::Inet] {
        lifts_back(family, &id);
    }
    // nft keeps `ether type 8021q` before `vlan type`, and drops it across one before
    // another VLAN field.
    let s = [
        is(HeaderField::EtherType, 0x8100u16),
        is(HeaderField::VlanType, 0x0806u16),
    ];
    lifts_as(Family::Bridge, &s, &s);
    let s = [
        is(HeaderField::VlanType, 0x86ddu16),
        is(HeaderField::VlanPcp, 3u8),
    ];
    lifts_as(Family::Bridge, &s, &s);
    // A network field after a VLAN field rests on `vlan type`, which nft drops.
    let s = [is(HeaderField::VlanId, 5u16), is(HeaderField::IpDscp, 46u8)];
    lifts_as(Family::Netdev, &s, &s);
}

#[test]
fn sub_byte_fields_in_sets() {
    let dscp = Statement::in_set(HeaderField::IpDscp, [8u8.into(), 46u8.into()]).unwrap();
    lifts_back(Family::Inet, &dscp);
    let v6 = Statement::in_set(HeaderField::Ip6Dscp, [34u8.into()]).unwrap();
    lifts_back(Family::Ip6, &v6);
    // A named set holds the value: the field is shifted down first.
    let named = Statement::in_named(HeaderField::IpDscp, "ds").unwrap();
    let exprs = Statement::lower_all(Family::Ip, std::slice::from_ref(&named)).unwrap();
    assert!(matches!(&exprs[2], Expr::Unknown(u) if u.name == "bitwise"));
    assert_eq!(lift(&exprs, Family::Ip), [named]);
    let concat = Statement::in_named(
        Key::concat([HeaderField::IpDscp.into(), HeaderField::IpEcn.into()]),
        "de",
    )
    .unwrap();
    lifts_back(Family::Ip, &concat);
}

#[test]
fn icmp_fields_past_the_code() {
    let mtu = is(HeaderField::IcmpMtu, 1280u16);
    lifts_back(Family::Inet, &mtu);
    // nft's own dependency of `icmp id` is a set of the echo types, which it prints.
    let id = is(HeaderField::IcmpId, 7u16);
    let echo = Statement::in_set(HeaderField::IcmpType, [8u8.into(), 0u8.into()]).unwrap();
    lifts_as(Family::Ip, std::slice::from_ref(&id), &[echo, id.clone()]);
    let s = [is(HeaderField::IcmpType, 0u8), id];
    lifts_as(Family::Ip, &s, &s);
    let s = [
        is(HeaderField::Icmpv6Type, 130u8),
        is(HeaderField::Icmpv6MaxDelay, 3u16),
    ];
    lifts_as(Family::Ip6, &s, &s[1..]);
}

#[test]
fn protocol_matches_nft_does_not_print_stay_statements() {
    let s = [
        is(Field::Meta(MetaKey::Nfproto), 2u8),
        is(HeaderField::UdpDport, 5353u16),
        is(HeaderField::IpDaddr, linx_ip::ip!("224.0.0.251")),
    ];
    lifts_as(Family::Inet, &s, &s);
    let s = [
        is(Field::Meta(MetaKey::L4proto), 1u8),
        Statement::in_set(HeaderField::IcmpType, [8u8.into()]).unwrap(),
    ];
    lifts_as(Family::Inet, &s, &s);
    let s = [
        is(HeaderField::EtherType, 0x0800u16),
        is(HeaderField::IpTtl, 1u8),
    ];
    lifts_as(Family::Netdev, &s, &s);
}

#[test]
fn masks_prefixes_and_wildcards() {
    let mac = |s: &str| Value::Mac(s.parse().unwrap());
    let m = Statement::masked(
        HeaderField::EtherDaddr,
        mac("ff:ff:ff:00:00:00"),
        Op::Eq,
        mac("01:00:5e:00:00:00"),
    )
    .unwrap();
    lifts_back(Family::Bridge, &m);
    let m = Statement::masked(
        HeaderField::IpDaddr,
        linx_ip::ip!("0.0.0.255"),
        Op::Eq,
        linx_ip::ip!("0.0.0.255"),
    )
    .unwrap();
    lifts_back(Family::Ip, &m);
    let w = is(Field::Meta(MetaKey::Iifname), "lan*");
    lifts_back(Family::Inet, &w);
    let set = Statement::in_set(
        Field::Meta(MetaKey::Iifname),
        [Value::from("eth*"), Value::from("lo")],
    )
    .unwrap();
    lifts_back(Family::Inet, &set);
    let all = Statement::any_of(HeaderField::TcpFlags, 0xffu8).unwrap();
    lifts_back(Family::Inet, &all);
}

#[test]
fn lookups_in_interval_sets_of_host_order_keys() {
    use crate::{KeyType, Rule, Set, Table};
    let mut t = Table::new(Family::Inet, "t");
    t.add_set(Set::new("marks", KeyType::Mark).interval())
        .unwrap();
    t.add_set(Set::new("plain", KeyType::Mark)).unwrap();
    for name in ["marks", "plain"] {
        let s = vec![Statement::Match(
            Match::new(
                Field::Meta(MetaKey::Mark),
                Op::Eq,
                Value::SetRef(name.into()),
            )
            .unwrap(),
        )];
        let rule = Rule::from_statements_in(&t, s.clone()).unwrap();
        // The interval set's lookup converts the mark (byteorder), the plain one does not.
        assert_eq!(rule.exprs.len(), if name == "marks" { 3 } else { 2 });
        assert_eq!(lift_in(&rule.exprs, &t), s);
        // Without the table, the conversion is not a statement.
        if name == "marks" {
            assert!(!is_fully_lifted(&lift(&rule.exprs, Family::Inet)));
        }
    }
}
