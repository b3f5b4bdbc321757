//! Number tables, helpers and text forms of the model.

use linx_ip::ip;
use linx_netfilter::expr::nat::{
    dnat_to, dnat_to_with, masquerade, masquerade_with, redirect, redirect_with, snat_to,
};
use linx_netfilter::expr::{
    Bitwise, CmpData, CmpOp, CtKey, MetaKey, NatFlags, NatOptions, NatType, PayloadBase, RateUnit,
    RejectType,
};
use linx_netfilter::{
    Chain, ChainType, CtState, DataType, ElemValue, Expr, Family, Hook, KeyType, Map, Policy,
    Priority, Reg, Rule, Ruleset, Set, SetElement, TableFlags, Verdict,
};

#[test]
fn key_type_ids_and_lengths() {
    let table = [
        (KeyType::Ipv4Addr, 7, 4),
        (KeyType::Ipv6Addr, 8, 16),
        (KeyType::EtherAddr, 9, 6),
        (KeyType::InetProto, 12, 1),
        (KeyType::InetService, 13, 2),
        (KeyType::Mark, 19, 4),
        (KeyType::CtState, 26, 4),
        (KeyType::Ifname, 41, 16),
    ];
    for (key, id, len) in table.iter().cloned() {
        assert_eq!((key.type_id(), key.key_len()), (id, len), "{key}");
        assert_eq!(KeyType::from_type_id(id, len), key);
        // The wrong length is not this type.
        assert_eq!(
            KeyType::from_type_id(id, len + 1),
            KeyType::Raw {
                type_id: id,
                len: len + 1
            }
        );
    }
}

#[test]
fn concat_fold_and_split() {
    let k = KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]);
    assert_eq!(k.type_id(), 7 << 6 | 13);
    assert_eq!(k.key_len(), 8);
    let k = KeyType::Concat(vec![
        KeyType::EtherAddr,
        KeyType::InetProto,
        KeyType::Ifname,
    ]);
    assert_eq!(k.type_id(), (9 << 12) | (12 << 6) | 41);
    assert_eq!(k.key_len(), 8 + 4 + 16);
    assert_eq!(KeyType::from_type_id(k.type_id(), k.key_len()), k);
    // Lengths must agree, every chunk must be known.
    assert_eq!(
        KeyType::from_type_id(k.type_id(), 27),
        KeyType::Raw {
            type_id: k.type_id(),
            len: 27
        }
    );
    assert_eq!(
        KeyType::from_type_id(7 << 6 | 63, 8),
        KeyType::Raw {
            type_id: 7 << 6 | 63,
            len: 8
        }
    );
    assert_eq!(
        KeyType::from_type_id(7 << 12 | 13, 8),
        KeyType::Raw {
            type_id: 7 << 12 | 13,
            len: 8
        }
    );
    // Five fields fit the 32-bit id.
    let five = KeyType::Concat(vec![KeyType::Mark; 5]);
    assert_eq!(KeyType::from_type_id(five.type_id(), five.key_len()), five);
    assert_eq!(five.to_string(), "mark . mark . mark . mark . mark");
}

#[test]
fn data_types() {
    assert_eq!(DataType::Verdict.type_id(), 0xffff_ff00);
    assert_eq!(DataType::from_type_id(0xffff_ff00, 0), DataType::Verdict);
    let d = DataType::Value(KeyType::Concat(vec![
        KeyType::Ipv4Addr,
        KeyType::InetService,
    ]));
    assert_eq!(DataType::from_type_id(d.type_id(), d.data_len()), d);
}

#[test]
fn element_bytes_and_order() {
    assert_eq!(ElemValue::Port(0x1234).key_bytes(), [0x12, 0x34]);
    assert_eq!(
        ElemValue::Mark(0x0102_0304).key_bytes(),
        0x0102_0304u32.to_ne_bytes()
    );
    assert_eq!(
        ElemValue::CtState(CtState::ESTABLISHED).key_bytes(),
        2u32.to_ne_bytes()
    );
    assert_eq!(ElemValue::Proto(17).key_bytes(), [17]);
    assert_eq!(ElemValue::Ip(ip!("2001:db8::1")).key_bytes().len(), 16);
    let name = ElemValue::Ifname("eth0".into()).key_bytes();
    assert_eq!(&name[..5], b"eth0\0");
    assert_eq!(name.len(), 16);
    assert_eq!(
        KeyType::Mark.byte_order(),
        linx_netfilter::expr::ByteOrder::Host
    );
    assert_eq!(
        KeyType::Ipv4Addr.byte_order(),
        linx_netfilter::expr::ByteOrder::Big
    );
}

#[test]
fn kernel_numbers() {
    assert_eq!(
        Family::ALL.iter().map(|f| f.nfproto()).collect::<Vec<_>>(),
        [2, 10, 1, 3, 7, 5]
    );
    for family in Family::ALL {
        assert_eq!(Family::from_nfproto(family.nfproto()), Some(*family));
    }
    let verdicts = [
        (Verdict::Drop, 0),
        (Verdict::Accept, 1),
        (Verdict::Queue(0), 3),
        (Verdict::Continue, -1),
        (Verdict::Jump("c".into()), -3),
        (Verdict::Goto("c".into()), -4),
        (Verdict::Return, -5),
    ];
    for (v, code) in verdicts {
        assert_eq!(v.code(), code);
        assert_eq!(Verdict::from_code(code, v.target()), Some(v));
    }
    assert_eq!(Verdict::from_code(-2, None), None); // NFT_BREAK
    assert_eq!(
        Verdict::from_code(3 | (65535 << 16), None),
        Some(Verdict::Queue(65535))
    );
    assert_eq!((Policy::Drop.code(), Policy::Accept.code()), (0, 1));
    assert_eq!(
        CmpOp::ALL.iter().map(|o| o.number()).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(
        [
            PayloadBase::Link,
            PayloadBase::Network,
            PayloadBase::Transport,
            PayloadBase::Inner
        ]
        .map(|b| b.number()),
        [0, 1, 2, 3]
    );
    assert_eq!(MetaKey::Nfproto.number(), 15);
    assert_eq!(MetaKey::L4proto.number(), 16);
    assert_eq!(MetaKey::Nftrace.number(), 12);
    assert_eq!(MetaKey::Rtclassid.number(), 13);
    for n in 0..40 {
        assert_eq!(MetaKey::from_number(n).number(), n);
        assert_eq!(CtKey::from_number(n).number(), n);
    }
    assert_eq!(
        [
            CtKey::State,
            CtKey::Direction,
            CtKey::Status,
            CtKey::Mark,
            CtKey::Secmark
        ]
        .map(|k| k.number()),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(
        [
            CtState::INVALID,
            CtState::ESTABLISHED,
            CtState::RELATED,
            CtState::NEW,
            CtState::UNTRACKED
        ]
        .map(|s| s.bits()),
        [1, 2, 4, 8, 0x40]
    );
    assert_eq!(
        RejectType::ALL
            .iter()
            .map(|r| r.number())
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(
        [TableFlags::DORMANT, TableFlags::OWNER, TableFlags::PERSIST].map(|f| f.bits()),
        [1, 2, 4]
    );
    assert_eq!(
        RateUnit::ALL
            .iter()
            .map(|u| u.seconds())
            .collect::<Vec<_>>(),
        [1, 60, 3600, 86400, 604800]
    );
}

#[test]
fn payload_aliases() {
    let net = |o, l| Expr::payload(PayloadBase::Network, o, l);
    let th = |o, l| Expr::payload(PayloadBase::Transport, o, l);
    assert_eq!(Expr::ip_saddr(), net(12, 4));
    assert_eq!(Expr::ip_daddr(), net(16, 4));
    assert_eq!(Expr::ip_protocol(), net(9, 1));
    assert_eq!(Expr::ip6_saddr(), net(8, 16));
    assert_eq!(Expr::ip6_daddr(), net(24, 16));
    assert_eq!(Expr::ip6_nexthdr(), net(6, 1));
    assert_eq!(Expr::ip6_hoplimit(), net(7, 1));
    assert_eq!(Expr::tcp_sport(), th(0, 2));
    assert_eq!(Expr::tcp_dport(), th(2, 2));
    assert_eq!(Expr::udp_sport(), th(0, 2));
    assert_eq!(Expr::udp_dport(), th(2, 2));
    assert_eq!(Expr::tcp_flags(), th(13, 1));
    assert_eq!(Expr::icmp_type(), th(0, 1));
    assert_eq!(Expr::icmp_code(), th(1, 1));
    assert_eq!(Expr::icmpv6_type(), th(0, 1));
    assert_eq!(Expr::icmpv6_code(), th(1, 1));
}

#[test]
fn byte_order_of_helpers() {
    // Host-order fields: native bytes.
    assert_eq!(
        Expr::meta_mark_eq(0x10)[1],
        Expr::cmp_eq(0x10u32.to_ne_bytes())
    );
    assert_eq!(
        Expr::ct_mark_eq(0x10)[1],
        Expr::cmp_eq(0x10u32.to_ne_bytes())
    );
    for (key, exprs) in [
        (MetaKey::Iif, Expr::meta_iif_eq(3)),
        (MetaKey::Oif, Expr::meta_oif_eq(3)),
        (MetaKey::Skuid, Expr::meta_skuid_eq(3)),
        (MetaKey::Skgid, Expr::meta_skgid_eq(3)),
        (MetaKey::Len, Expr::meta_cmp(MetaKey::Len, CmpOp::Eq, 3)),
    ] {
        assert_eq!(exprs, [Expr::meta(key), Expr::cmp_eq(3u32.to_ne_bytes())]);
    }
    // Two-byte host field.
    assert_eq!(
        Expr::meta_cmp(MetaKey::Iiftype, CmpOp::Eq, 1)[1],
        Expr::cmp_eq(1u16.to_ne_bytes())
    );
    // Network-order fields: big-endian.
    assert_eq!(Expr::tcp_dport_eq(0x1234)[1], Expr::cmp_eq([0x12, 0x34]));
    assert_eq!(Expr::udp_sport_eq(53)[1], Expr::cmp_eq([0, 53]));
    assert_eq!(
        Expr::meta_cmp(MetaKey::Protocol, CmpOp::Eq, 0x86dd)[1],
        Expr::cmp_eq([0x86, 0xdd])
    );
    assert_eq!(
        Expr::ip_daddr_eq(ip!("192.0.2.1"))[1],
        Expr::cmp_eq([192, 0, 2, 1])
    );
    // ct state: ct load, native mask, cmp neq 0 on 4 bytes.
    assert_eq!(
        Expr::ct_state(&[CtState::NEW]),
        [
            Expr::from(linx_netfilter::expr::Ct::new(CtKey::State, Reg::R1).unwrap()),
            Expr::from(
                Bitwise::new(Reg::R1, Reg::R1, 8u32.to_ne_bytes().to_vec(), vec![0; 4]).unwrap()
            ),
            Expr::from(
                linx_netfilter::expr::Cmp::new(Reg::R1, CmpOp::Neq, CmpData::from([0; 4])).unwrap()
            ),
        ]
    );
    // Prefix matches.
    assert_eq!(
        Expr::ip_saddr_in(ip!("2001:db8::/32")),
        [
            Expr::ip6_saddr(),
            Expr::bitwise(ip!("ffff:ffff::").as_bytes(), [0; 16]),
            Expr::cmp_eq(ip!("2001:db8::").as_bytes()),
        ]
    );
    assert_eq!(
        Expr::ip_saddr_in(ip!("10.1.2.3/16"))[2],
        Expr::cmp_eq([10, 1, 0, 0])
    );
}

#[test]
fn nat_helper_outputs() {
    let flags = |f| f;
    assert_eq!(
        dnat_to(ip!("2001:db8::2"), 443),
        [
            Expr::immediate(Reg::R1, ip!("2001:db8::2").as_bytes()),
            Expr::immediate(Reg::R2, [0x01, 0xbb]),
            Expr::from(
                linx_netfilter::expr::Nat::new(
                    NatType::Dnat,
                    Family::Ip6,
                    Some(Reg::R1),
                    None,
                    Some(Reg::R2),
                    None,
                    flags(NatFlags::MAP_IPS | NatFlags::PROTO_SPECIFIED)
                )
                .unwrap()
            ),
        ]
    );
    assert_eq!(
        snat_to(ip!("192.0.2.1"), None),
        [
            Expr::immediate(Reg::R1, [192, 0, 2, 1]),
            Expr::from(
                linx_netfilter::expr::Nat::new(
                    NatType::Snat,
                    Family::Ip,
                    Some(Reg::R1),
                    None,
                    None,
                    None,
                    NatFlags::MAP_IPS
                )
                .unwrap()
            ),
        ]
    );
    let opts = NatOptions {
        flags: NatFlags::RANDOM | NatFlags::PERSISTENT,
        reg_addr: Reg::R3,
        reg_port: Reg::R4,
    };
    let e = dnat_to_with(ip!("10.0.0.1"), 80, opts);
    assert_eq!(e[0], Expr::immediate(Reg::R3, [10, 0, 0, 1]));
    assert_eq!(e[1], Expr::immediate(Reg::R4, [0, 80]));
    match &e[2] {
        Expr::Nat(nat) => {
            assert_eq!(nat.flags().bits(), 0x04 | 0x08 | 0x01 | 0x02);
            assert_eq!(
                (nat.reg_addr_min(), nat.reg_proto_min()),
                (Some(Reg::R3), Some(Reg::R4))
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        masquerade(),
        [Expr::from(
            linx_netfilter::expr::Masquerade::new(NatFlags::empty(), None, None).unwrap()
        )]
    );
    assert_eq!(
        masquerade_with(NatFlags::FULLY_RANDOM, Some((1000, 1000))),
        [
            Expr::immediate(Reg::R1, 1000u16.to_be_bytes()),
            Expr::from(
                linx_netfilter::expr::Masquerade::new(
                    NatFlags::FULLY_RANDOM | NatFlags::PROTO_SPECIFIED,
                    Some(Reg::R1),
                    None
                )
                .unwrap()
            ),
        ]
    );
    assert_eq!(
        redirect(None),
        [Expr::from(
            linx_netfilter::expr::Redirect::new(NatFlags::empty(), None, None).unwrap()
        )]
    );
    assert_eq!(
        redirect_with(NatFlags::NETMAP, Some((10, 20))),
        [
            Expr::immediate(Reg::R1, [0, 10]),
            Expr::immediate(Reg::R2, [0, 20]),
            Expr::from(
                linx_netfilter::expr::Redirect::new(
                    NatFlags::NETMAP | NatFlags::PROTO_SPECIFIED,
                    Some(Reg::R1),
                    Some(Reg::R2)
                )
                .unwrap()
            ),
        ]
    );
    assert_eq!(
        redirect(8080)[0],
        Expr::immediate(Reg::R1, 8080u16.to_be_bytes())
    );
    assert_eq!(
        [
            NatFlags::MAP_IPS,
            NatFlags::PROTO_SPECIFIED,
            NatFlags::RANDOM,
            NatFlags::PERSISTENT,
            NatFlags::FULLY_RANDOM,
            NatFlags::NETMAP
        ]
        .map(|f| f.bits()),
        [0x01, 0x02, 0x04, 0x08, 0x10, 0x40]
    );
}

#[test]
fn reject_defaults() {
    assert_eq!(
        Expr::reject(RejectType::IcmpUnreach),
        Expr::from(linx_netfilter::expr::Reject::new(RejectType::IcmpUnreach, 3).unwrap())
    );
    assert_eq!(
        Expr::reject(RejectType::TcpReset),
        Expr::from(linx_netfilter::expr::Reject::new(RejectType::TcpReset, 0).unwrap())
    );
    assert_eq!(
        Expr::reject(RejectType::IcmpxUnreach),
        Expr::from(linx_netfilter::expr::Reject::new(RejectType::IcmpxUnreach, 1).unwrap())
    );
}

#[test]
fn verdict_sugar() {
    let r = Rule::new(Expr::tcp_dport_eq(22)).accept();
    assert_eq!(r.exprs.last(), Some(&Expr::verdict(Verdict::Accept)));
    let r = Rule::new([]).verdict(Verdict::Jump("x".into()));
    assert_eq!(r.exprs, [Expr::jump("x")]);
    assert_eq!(Rule::new([]).drop().exprs, [Expr::drop()]);
    assert_eq!(Rule::new([]).goto("g").exprs, [Expr::goto("g")]);
}

#[test]
fn display_reads_like_the_seed() {
    let rule = Rule::new(Expr::meta_l4proto_eq(6))
        .exprs(Expr::tcp_dport_eq(22))
        .accept()
        .tag("ssh")
        .handle(5);
    assert_eq!(
        rule.display_in(Family::Inet, "filter", "input").to_string(),
        "Rule<inet/filter/input #5 tag=ssh: meta load l4proto => reg 1; cmp eq reg 1 0x06; \
         payload load 2b @ transport header + 2 => reg 1; cmp eq reg 1 0x0016; immediate reg 0 accept>"
    );
    assert_eq!(Rule::new([]).to_string(), "Rule<>");
    assert_eq!(
        Rule::new([Expr::counter()]).comment("c").to_string(),
        "Rule<comment=\"c\": counter pkts 0 bytes 0>"
    );

    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "filter", TableFlags::default())
        .unwrap();
    t.add_chain(
        Chain::base(
            "input",
            ChainType::Filter,
            Hook::Input,
            Priority::FILTER.offset(-5),
        )
        .policy(Policy::Drop),
    )
    .unwrap();
    t.add_rule("input", rule).unwrap();
    t.add_set(Set::new("s", KeyType::InetService).element(SetElement::port(1)))
        .unwrap();
    t.add_map(Map::vmap("v", KeyType::Mark)).unwrap();
    assert_eq!(
        t.to_string(),
        "Table<inet/filter flags=owner 1 chains 1 rules 1 sets 1 maps>"
    );
    assert_eq!(
        t.chain("input").unwrap().to_string(),
        "Chain<input type filter hook input priority filter - 5 policy drop, 1 rules>"
    );
    assert_eq!(rs.to_string(), "Ruleset<1 tables: inet/filter>");
    assert_eq!(
        format!(
            "{:?}",
            TableFlags::OWNER | TableFlags::from_bits_retain(0x80)
        ),
        "TableFlags(owner|0x80)"
    );

    // Expressions, one of each.
    let cases: Vec<(Expr, &str)> = vec![
        (
            Expr::bitwise([0xff], [0]),
            "bitwise reg 1 = (reg 1 & 0xff) ^ 0x00 (1b)",
        ),
        (Expr::ct(CtKey::State), "ct load state => reg 1"),
        (Expr::lookup_inverted("s"), "lookup reg 1 set s inverted"),
        (Expr::vmap("v"), "lookup reg 1 set v dreg 0"),
        (
            Expr::set_literal(
                KeyType::InetService,
                [SetElement::port(1), SetElement::port(2)],
            ),
            "lookup reg 1 { 1, 2 }",
        ),
        (
            Expr::reject(RejectType::TcpReset),
            "reject type tcp_reset code 0",
        ),
        (
            Expr::limit(10, RateUnit::Second),
            "limit rate 10/second burst 5 pkts",
        ),
        (Expr::quota(100), "quota bytes 100 consumed 0"),
        (Expr::log_group(2, Some("x ")), "log prefix \"x \" group 2"),
        (Expr::immediate(Reg::R2, [1, 2]), "immediate reg 2 0x0102"),
        (masquerade().remove(0), "masq"),
        (
            redirect(8080).remove(1),
            "redir proto_min reg 1 flags proto_specified",
        ),
        (Expr::unknown("fib", vec![0xab]), "fib 0xab"),
    ];
    for (expr, text) in cases {
        assert_eq!(expr.to_string(), text);
    }
}

#[test]
fn text_forms_parse_back() {
    for text in ["filter", "filter + 10", "srcnat - 5", "-150", "0", "out"] {
        let p: Priority = text.parse().unwrap();
        assert_eq!(p.to_string(), text);
    }
    assert_eq!(
        "mangle+3".parse::<Priority>().unwrap(),
        Priority::MANGLE.offset(3)
    );
    for bad in ["", "filterx", "filter +", "filter + x", "+5x"] {
        assert!(bad.parse::<Priority>().is_err(), "{bad:?}");
    }
    for family in Family::ALL {
        assert_eq!(family.to_string().parse::<Family>().unwrap(), *family);
    }
    let f: TableFlags = "owner|persist".parse().unwrap();
    assert_eq!(f.bits(), 6);
    assert_eq!("owner, 0x80".parse::<TableFlags>().unwrap().bits(), 0x82);
    assert!("bogus".parse::<TableFlags>().is_err());
    assert_eq!("".parse::<TableFlags>().unwrap(), TableFlags::empty());
}
