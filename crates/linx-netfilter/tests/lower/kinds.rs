//! Cases of the special-purpose expressions (fib, rt, numgen, hashes, socket, osf, ipsec,
//! meta time keys) and statements (tproxy, synproxy, dup, fwd, ct count), checked like
//! the others against nft's captures.

use linx_ip::ip;
use linx_netfilter::Verdict;
use linx_netfilter::expr::{DynsetOp, MetaKey};
use linx_netfilter::stmt::{
    Dup, DupMap, ExthdrField, ExthdrProto, Fib, FibResult, Field, Fwd, Hash, HashKey,
    HeaderField as H, Ipsec, IpsecKey, MapLookup, Numgen, Op, Osf, OsfTtl, RtKey, SocketKey,
    Source, Statement, Synproxy, Tproxy, Value,
};

use proptest::prelude::*;

use super::{Case, Family};
use Family::{Bridge, Inet, Ip, Ip6, Netdev};

fn fib(daddr: bool, iif: bool, result: FibResult, present: bool) -> Field {
    Field::Fib(Fib::new(daddr, false, iif, false, result, present).expect("a valid fib"))
}

fn jhash(fields: &[H], modulus: u32, seed: Option<u32>, offset: u32) -> Field {
    let key = HashKey::new(fields).expect("a hash key");
    Field::Hash(Hash::jhash(key, modulus, seed, offset).expect("a valid jhash"))
}

fn with_counter(mut stmt: Statement, extra: Statement) -> Statement {
    if let Statement::SetUpdate(u) = &mut stmt {
        u.stmts.push(extra);
    }
    stmt
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            text: "fib saddr . iif oif missing drop",
            families: &[Ip, Ip6, Inet],
            build: || {
                Ok(vec![
                    Statement::is(fib(false, true, FibResult::Oif, true), 0u32)?,
                    Statement::drop(),
                ])
            },
        },
        Case {
            text: "fib daddr type { local, broadcast }",
            families: &[Inet],
            build: || {
                let f = fib(true, false, FibResult::Type, false);
                Ok(vec![Statement::in_set(f, [2u32.into(), 3u32.into()])?])
            },
        },
        Case {
            text: "fib daddr . iif type != local",
            families: &[Ip],
            build: || {
                let f = fib(true, true, FibResult::Type, false);
                Ok(vec![Statement::is_not(f, 2u32)?])
            },
        },
        Case {
            text: "fib daddr oifname \"lo\"",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::is(
                    fib(true, false, FibResult::Oifname, false),
                    "lo",
                )?])
            },
        },
        Case {
            text: "rt ip nexthop 192.168.0.0/16",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::is(
                    Field::Rt(RtKey::Nexthop4),
                    Value::Prefix("192.168.0.0/16".parse()?),
                )?])
            },
        },
        Case {
            text: "rt ip6 nexthop fe80::1",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::is(
                    Field::Rt(RtKey::Nexthop6),
                    ip!("fe80::1"),
                )?])
            },
        },
        Case {
            text: "rt mtu < 1280",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::matching(
                    Field::Rt(RtKey::Mtu),
                    Op::Lt,
                    1280u16,
                )?])
            },
        },
        Case {
            text: "rt classid 10",
            families: &[Ip],
            build: || Ok(vec![Statement::is(Field::Rt(RtKey::Classid), 10u32)?]),
        },
        Case {
            text: "rt ipsec missing",
            families: &[Inet],
            build: || Ok(vec![Statement::is(Field::Rt(RtKey::Ipsec), 0u8)?]),
        },
        Case {
            text: "numgen random mod 10 offset 5 < 8",
            families: &[Ip, Bridge],
            build: || {
                let n = Field::Numgen(Numgen::new(true, 10, 5).expect("numgen"));
                Ok(vec![Statement::matching(n, Op::Lt, 8u32)?])
            },
        },
        Case {
            text: "numgen inc mod 4 { 0, 2 }",
            families: &[Inet],
            build: || {
                let n = Field::Numgen(Numgen::new(false, 4, 0).expect("numgen"));
                Ok(vec![Statement::in_set(n, [0u32.into(), 2u32.into()])?])
            },
        },
        Case {
            text: "jhash ip saddr . tcp dport mod 4 seed 0x1 offset 100 101",
            families: &[Ip, Inet, Bridge, Netdev],
            build: || {
                let h = jhash(&[H::IpSaddr, H::TcpDport], 4, Some(1), 100);
                Ok(vec![Statement::is(h, 101u32)?])
            },
        },
        Case {
            text: "jhash ip6 saddr mod 8 vmap { 0 : accept, 1 : drop }",
            families: &[Ip6, Inet],
            build: || {
                let h = jhash(&[H::Ip6Saddr], 8, None, 0);
                Ok(vec![Statement::vmap(
                    h,
                    [(0u32.into(), Verdict::Accept), (1u32.into(), Verdict::Drop)],
                )?])
            },
        },
        Case {
            text: "symhash mod 32 offset 100 110",
            families: &[Inet],
            build: || {
                let h = Field::Hash(Hash::symhash(32, 100).expect("symhash"));
                Ok(vec![Statement::is(h, 110u32)?])
            },
        },
        Case {
            text: "meta mark set jhash ip saddr mod 4",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::MetaSet {
                    key: MetaKey::Mark,
                    value: Source::Field(jhash(&[H::IpSaddr], 4, None, 0)),
                }])
            },
        },
        Case {
            text: "tcp option maxseg size set rt mtu",
            families: &[Inet, Ip6],
            build: || {
                let mss = ExthdrField::named(ExthdrProto::TcpOption, "maxseg", "size")
                    .ok_or("maxseg size")?;
                Ok(vec![Statement::ExthdrSet {
                    field: mss,
                    value: Source::Field(Field::Rt(RtKey::Mtu)),
                }])
            },
        },
        Case {
            text: "meta mark set numgen inc mod 2 offset 5",
            families: &[Ip],
            build: || {
                let n = Numgen::new(false, 2, 5).expect("numgen");
                Ok(vec![Statement::MetaSet {
                    key: MetaKey::Mark,
                    value: Source::Field(Field::Numgen(n)),
                }])
            },
        },
        Case {
            text: "socket mark 0x00000001",
            families: &[Inet],
            build: || Ok(vec![Statement::is(Field::Socket(SocketKey::Mark), 1u32)?]),
        },
        Case {
            text: "socket transparent 1 socket wildcard 0",
            families: &[Ip],
            build: || {
                Ok(vec![
                    Statement::is(Field::Socket(SocketKey::Transparent), 1u8)?,
                    Statement::is(Field::Socket(SocketKey::Wildcard), 0u8)?,
                ])
            },
        },
        Case {
            text: "osf ttl loose version \"Linux:3.0\"",
            families: &[Inet],
            build: || {
                let o = Osf {
                    ttl: OsfTtl::Loose,
                    version: true,
                };
                Ok(vec![Statement::is(Field::Osf(o), "Linux:3.0")?])
            },
        },
        Case {
            text: "osf name { \"Linux\", \"Windows\" }",
            families: &[Inet],
            build: || {
                let o = Field::Osf(Osf {
                    ttl: OsfTtl::Exact,
                    version: false,
                });
                Ok(vec![Statement::in_set(
                    o,
                    ["Linux".into(), "Windows".into()],
                )?])
            },
        },
        Case {
            text: "osf name vmap { \"Linux\" : accept, \"unknown\" : drop }",
            families: &[Ip],
            build: || {
                let o = Field::Osf(Osf {
                    ttl: OsfTtl::Exact,
                    version: false,
                });
                Ok(vec![Statement::vmap(
                    o,
                    [
                        ("Linux".into(), Verdict::Accept),
                        ("unknown".into(), Verdict::Drop),
                    ],
                )?])
            },
        },
        Case {
            text: "ct helper { \"sip\", \"ftp\" }",
            families: &[Inet],
            build: || {
                let helper = Field::Ct(linx_netfilter::expr::CtKey::from_number(6));
                Ok(vec![Statement::in_set(
                    helper,
                    ["sip".into(), "ftp".into()],
                )?])
            },
        },
        Case {
            text: "ipsec out spnum 1 ip daddr 192.0.2.1",
            families: &[Ip, Inet],
            build: || {
                let i = Ipsec {
                    out: true,
                    spnum: 1,
                    key: IpsecKey::Daddr4,
                };
                Ok(vec![Statement::is(Field::Ipsec(i), ip!("192.0.2.1"))?])
            },
        },
        Case {
            text: "ipsec in spi 1000-2000",
            families: &[Inet],
            build: || {
                let i = Ipsec {
                    out: false,
                    spnum: 0,
                    key: IpsecKey::Spi,
                };
                Ok(vec![Statement::between(Field::Ipsec(i), 1000u32, 2000u32)?])
            },
        },
        Case {
            text: "ipsec in reqid 1",
            families: &[Ip6],
            build: || {
                let i = Ipsec {
                    out: false,
                    spnum: 0,
                    key: IpsecKey::Reqid,
                };
                Ok(vec![Statement::is(Field::Ipsec(i), 1u32)?])
            },
        },
        Case {
            text: "meta hour \"08:00\"-\"17:00\"",
            families: &[Ip, Bridge],
            build: || {
                Ok(vec![Statement::between(
                    Field::Meta(MetaKey::Other(32)),
                    8 * 3600u32,
                    17 * 3600u32,
                )?])
            },
        },
        Case {
            text: "meta time < \"2030-01-01 00:00:00\"",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::matching(
                    Field::Meta(MetaKey::Other(30)),
                    Op::Lt,
                    1_893_456_000_000_000_000u64,
                )?])
            },
        },
        Case {
            text: "ct count over 5 drop",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![
                    Statement::Connlimit {
                        count: 5,
                        over: true,
                    },
                    Statement::drop(),
                ])
            },
        },
        Case {
            text: "ct count 10",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::Connlimit {
                    count: 10,
                    over: false,
                }])
            },
        },
        Case {
            text: "add @sp { tcp dport ct count over 20 }",
            families: &[Inet],
            build: || {
                let add = Statement::set_op(DynsetOp::Add, "sp", H::TcpDport, None);
                Ok(vec![with_counter(
                    add,
                    Statement::Connlimit {
                        count: 20,
                        over: true,
                    },
                )])
            },
        },
        Case {
            text: "meta l4proto tcp tproxy ip to 127.0.0.1:3128",
            families: &[Inet],
            build: || {
                let t = Tproxy::new(Some(Ip), Some(ip!("127.0.0.1")), Some(3128));
                Ok(vec![
                    Statement::is(Field::Meta(MetaKey::L4proto), 6u8)?,
                    Statement::Tproxy(t.ok_or("tproxy")?),
                ])
            },
        },
        Case {
            text: "udp dport 53 tproxy to :5353",
            families: &[Ip, Ip6, Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::UdpDport, 53u16)?,
                    Statement::Tproxy(Tproxy::new(None, None, Some(5353)).ok_or("tproxy")?),
                ])
            },
        },
        Case {
            text: "tcp dport 80 tproxy to [::1]:3128",
            families: &[Ip6],
            build: || {
                let t = Tproxy::new(None, Some(ip!("::1")), Some(3128));
                Ok(vec![
                    Statement::is(H::TcpDport, 80u16)?,
                    Statement::Tproxy(t.ok_or("tproxy")?),
                ])
            },
        },
        Case {
            text: "tcp dport 80 synproxy mss 1460 wscale 7 timestamp sack-perm",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::TcpDport, 80u16)?,
                    Statement::Synproxy(Synproxy {
                        mss: Some(1460),
                        wscale: Some(7),
                        timestamp: true,
                        sack_perm: true,
                    }),
                ])
            },
        },
        Case {
            text: "synproxy timestamp",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::Synproxy(Synproxy {
                    timestamp: true,
                    ..Synproxy::default()
                })])
            },
        },
        Case {
            text: "dup to 10.0.0.4 device \"lo\"",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::Dup(Dup {
                    addr: Some(ip!("10.0.0.4")),
                    device: Some(1),
                })])
            },
        },
        Case {
            text: "dup to ip saddr map @nat4a device \"lo\"",
            families: &[Ip],
            build: || {
                let lookup = MapLookup::new(H::IpSaddr, "nat4a").ok_or("map")?;
                Ok(vec![Statement::DupMap(DupMap {
                    lookup,
                    device: Some(1),
                })])
            },
        },
        Case {
            text: "tcp dport 22 dup to ip daddr map @nat4a",
            families: &[Ip],
            build: || {
                let lookup = MapLookup::new(H::IpDaddr, "nat4a").ok_or("map")?;
                Ok(vec![
                    Statement::is(H::TcpDport, 22u16)?,
                    Statement::DupMap(DupMap {
                        lookup,
                        device: None,
                    }),
                ])
            },
        },
        Case {
            text: "ip6 daddr 2001:db8::1 dup to fd00::4",
            families: &[Ip6],
            build: || {
                Ok(vec![
                    Statement::is(H::Ip6Daddr, ip!("2001:db8::1"))?,
                    Statement::Dup(Dup {
                        addr: Some(ip!("fd00::4")),
                        device: None,
                    }),
                ])
            },
        },
        Case {
            text: "dup to \"lo\"",
            families: &[Netdev],
            build: || {
                Ok(vec![Statement::Dup(Dup {
                    addr: None,
                    device: Some(1),
                })])
            },
        },
        Case {
            text: "fwd to \"lo\"",
            families: &[Netdev],
            build: || {
                Ok(vec![Statement::Fwd(Fwd {
                    device: 1,
                    addr: None,
                })])
            },
        },
        Case {
            text: "fwd ip to 127.0.0.5 device \"lo\"",
            families: &[Netdev],
            build: || {
                Ok(vec![Statement::Fwd(Fwd {
                    device: 1,
                    addr: Some(ip!("127.0.0.5")),
                })])
            },
        },
    ]
}

/// nft's capture of every case lifts to the case's statements and prints as its text
/// (what `nft list ruleset` shows for it).
#[test]
fn special_captures_lift_and_print_as_nft() {
    use linx_netfilter::lift::lift_in;
    use linx_netfilter::print::Printer;
    use linx_netfilter::{DataType, KeyType, Map, Rule, Set, Table};
    let golden = super::golden();
    let printer = Printer::new().with_ifname(1, "lo");
    let mut failures = Vec::new();
    for case in cases() {
        let stmts = (case.build)().expect("build");
        for &family in case.families {
            let Some(exprs) = golden.get(&super::id(family, case.text)) else {
                failures.push(format!("{family} `{}`: no capture", case.text));
                continue;
            };
            let mut table = Table::new(family, "t");
            table
                .add_set(Set::new("sp", KeyType::InetService))
                .expect("set");
            // The map the `dup to ... map @nat4a` cases look up.
            table
                .add_map(Map::new(
                    "nat4a",
                    KeyType::Ipv4Addr,
                    DataType::Value(KeyType::Ipv4Addr),
                ))
                .expect("map");
            let lifted = lift_in(exprs, &table);
            if sorted(&lifted) != sorted(&stmts) {
                failures.push(format!("{family} `{}`: lifted {lifted:?}", case.text));
            }
            let text = printer.rule(&Rule::new(exprs.clone()), &table);
            if text.text() != case.text {
                failures.push(format!("{family} `{}`: printed {}", case.text, text.text()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Statements with the elements of anonymous sets and maps in one order (the kernel lists
/// them in hash order).
fn sorted(stmts: &[Statement]) -> Vec<Statement> {
    use linx_netfilter::stmt::{Match, VerdictMap};
    let by_debug =
        |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| format!("{a:?}").cmp(&format!("{b:?}"));
    stmts
        .iter()
        .map(|s| match s {
            Statement::Match(m) => match m.value() {
                Value::Set(items) => {
                    let mut items = items.clone();
                    items.sort_by(|a, b| by_debug(a, b));
                    let m = Match::new(m.key().clone(), m.op(), Value::Set(items));
                    Statement::Match(m.expect("the same match"))
                }
                _ => s.clone(),
            },
            Statement::Vmap {
                key,
                map: VerdictMap::Anonymous(pairs),
            } => {
                let mut pairs = pairs.clone();
                pairs.sort_by(|a, b| by_debug(a, b));
                Statement::Vmap {
                    key: key.clone(),
                    map: VerdictMap::Anonymous(pairs),
                }
            }
            other => other.clone(),
        })
        .collect()
}

/// Any special field, valid or not for the family (the lowering must refuse, never panic).
pub(super) fn arb_field() -> impl Strategy<Value = Field> {
    let fib = (any::<[bool; 5]>(), 0u8..3).prop_filter_map("fib", |([d, m, i, o, p], r)| {
        let result = [FibResult::Oif, FibResult::Oifname, FibResult::Type][usize::from(r)];
        Fib::new(d, m, i, o, result, p).map(Field::Fib)
    });
    let rt = proptest::sample::select(vec![
        RtKey::Classid,
        RtKey::Nexthop4,
        RtKey::Nexthop6,
        RtKey::Mtu,
        RtKey::Ipsec,
    ]);
    let key = proptest::sample::subsequence(linx_netfilter::stmt::HeaderField::ALL.to_vec(), 1..4)
        .prop_filter_map("a hash key", |fs| HashKey::new(&fs));
    let ipsec = proptest::sample::select(vec![
        IpsecKey::Daddr4,
        IpsecKey::Daddr6,
        IpsecKey::Saddr4,
        IpsecKey::Saddr6,
        IpsecKey::Reqid,
        IpsecKey::Spi,
    ]);
    prop_oneof![
        fib,
        rt.prop_map(Field::Rt),
        (any::<bool>(), any::<u32>(), any::<u32>())
            .prop_filter_map("numgen", |(r, m, o)| Numgen::new(r, m, o)
                .map(Field::Numgen)),
        (
            key,
            any::<u32>(),
            proptest::option::of(any::<u32>()),
            0u32..10
        )
            .prop_filter_map("jhash", |(k, m, s, o)| Hash::jhash(k, m, s, o)
                .map(Field::Hash)),
        (any::<u32>(), any::<u32>())
            .prop_filter_map("symhash", |(m, o)| Hash::symhash(m, o).map(Field::Hash)),
        (0u32..4).prop_map(|l| Field::Socket(if l == 0 {
            SocketKey::Mark
        } else {
            SocketKey::Cgroupv2(l)
        })),
        any::<bool>().prop_map(|version| Field::Osf(Osf {
            ttl: OsfTtl::Exact,
            version
        })),
        (any::<bool>(), any::<u32>(), ipsec).prop_map(|(out, spnum, key)| Field::Ipsec(Ipsec {
            out,
            spnum,
            key
        })),
        (30u32..=32).prop_map(|k| Field::Meta(MetaKey::from_number(k))),
    ]
}

/// Any special statement, valid or not for the family.
pub(super) fn arb_stmt() -> impl Strategy<Value = Statement> {
    let ip = prop_oneof![
        any::<[u8; 4]>().prop_map(linx_ip::Ip::from_octets_v4),
        any::<[u8; 16]>().prop_map(linx_ip::Ip::from_octets_v6),
    ];
    let family = proptest::option::of(proptest::sample::select(vec![Ip, Ip6]));
    prop_oneof![
        (
            family,
            proptest::option::of(ip.clone()),
            proptest::option::of(any::<u16>())
        )
            .prop_filter_map("tproxy", |(f, a, p)| Tproxy::new(f, a, p)
                .map(Statement::Tproxy)),
        (any::<u32>(), any::<bool>())
            .prop_map(|(count, over)| Statement::Connlimit { count, over }),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u8>()),
            any::<bool>()
        )
            .prop_map(|(mss, wscale, timestamp)| Statement::Synproxy(Synproxy {
                mss,
                wscale,
                timestamp,
                sack_perm: !timestamp,
            })),
        (
            proptest::option::of(ip.clone()),
            proptest::option::of(any::<u32>())
        )
            .prop_map(|(addr, device)| Statement::Dup(Dup { addr, device })),
        (any::<u32>(), proptest::option::of(ip))
            .prop_map(|(device, addr)| Statement::Fwd(Fwd { device, addr })),
    ]
}

/// Shapes nft does not write stay expressions (in the rule's order, what is around them
/// still lifted, the whole lowering back to the rule): a jhash over a key
/// register holding an unnamed load, a tproxy whose port register holds no immediate, a
/// fib with both address flags.
#[test]
fn special_shapes_nft_does_not_write_stay_expressions() {
    use linx_netfilter::Expr;
    use linx_netfilter::expr::PayloadBase;
    use linx_netfilter::lift::{is_fully_lifted, lift};
    let golden = super::golden();
    let capture = |key: &str| golden.get(key).cloned().expect("capture");

    let mut exprs = capture("ip|jhash ip saddr . tcp dport mod 4 seed 0x1 offset 100 101");
    for e in &mut exprs {
        if let &mut Expr::Payload(p) = e
            && p.base() == PayloadBase::Network
        {
            let moved = linx_netfilter::expr::Payload::new(p.base(), 13, p.len(), p.dreg());
            *e = Expr::from(moved.unwrap());
        }
    }
    let stmts = lift(&exprs, Ip);
    assert!(!is_fully_lifted(&stmts));
    assert_eq!(Statement::lower_all(Ip, &stmts).ok(), Some(exprs));

    let mut exprs = capture("ip|udp dport 53 tproxy to :5353");
    let n = exprs.len();
    exprs.swap(n - 2, n - 3);
    assert!(!is_fully_lifted(&lift(&exprs, Ip)));

    let mut exprs = capture("ip|fib saddr . iif oif missing drop");
    if let Some(Expr::Unknown(u)) = exprs.first_mut() {
        // NFTA_FIB_FLAGS is the last attribute: saddr and daddr.
        let mut data = u.data().to_vec();
        if let Some(last) = data.last_mut() {
            *last |= 2;
        }
        exprs[0] = Expr::unknown("fib", data);
    }
    assert!(!is_fully_lifted(&lift(&exprs, Ip)));
}
