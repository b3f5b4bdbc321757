//! Statements lower to exactly what nft 1.0.6 sends, protocol dependencies included.
//!
//! Each case is a rule text, the families where it is checked (those where its dependency
//! differs) and the statements that say the same. `tests/lower/golden.json` holds, per family
//! and text, the expressions Linx pulls back after `nft -f` loaded the text (Linx's encoder is
//! byte for byte nft's, so the pulled expressions are what nft sent):
//! - `lowering_matches_nft_captures` (no kernel): every case lowers to its capture;
//! - `captures_are_what_nft_sends` (kernel): nft, run now, still sends the captures
//!   (`LINX_LOWER_CAPTURE=1` rewrites the file instead);
//! - `pushed_statements_list_as_nft_text` (kernel, the oracle): the lowered rules pushed by
//!   Linx into one namespace and the texts loaded by nft into another list identically
//!   under `nft list ruleset`;
//! - proptests: lowering never panics, and what it returns passes validation;
//! - the lift (another change's) against the lowering: a rule the lift turns wholly into
//!   statements lowers back to the same expressions (cases and proptest).

use std::collections::BTreeMap;
use std::path::PathBuf;

use linx_ip::{ip, mac};
use linx_netfilter::expr::{
    CtKey, DynsetOp, MetaKey, NatFlags, PayloadBase, RateUnit, SetLiteral, VmapLiteral,
};
use linx_netfilter::stmt::{
    BitOp, Bits, CtDirection, ExthdrField, ExthdrProto, Field, HeaderField as H, Key, LowerError,
    MapLookup, Match, Nat, NatKind, NatMap, Op, Reject, SetUpdate, Source, Statement, Value,
};
use linx_netfilter::{
    Chain, CtState, Expr, Family, Mode, ObjectType, Rule, Scope, Table, Verdict, pull, push,
};
use linx_testns::TestNs;
use proptest::prelude::*;

#[path = "lower/kinds.rs"]
mod kinds;

type Built = Result<Vec<Statement>, Box<dyn std::error::Error>>;

/// One rule text, where it is checked, and its statements.
struct Case {
    text: &'static str,
    families: &'static [Family],
    build: fn() -> Built,
}

use Family::{Arp, Bridge, Inet, Ip, Ip6, Netdev};

const ALL: &[Family] = &[Ip, Ip6, Inet, Arp, Bridge, Netdev];
const L4: &[Family] = &[Ip, Ip6, Inet, Bridge, Netdev];

fn meta(key: MetaKey) -> Field {
    Field::Meta(key)
}

/// `key map @map`.
fn lookup(key: impl Into<Key>, map: &str) -> MapLookup {
    MapLookup::new(key, map).expect("a map name")
}

/// `meta mark set <bits of field>`.
fn mark_bits(field: Field, op: BitOp) -> Built {
    let bits = Bits::new(field, op).ok_or("bits")?;
    Ok(vec![Statement::MetaSet {
        key: MetaKey::Mark,
        value: Source::Bits(bits),
    }])
}

/// `snat`/`dnat` from maps.
fn nat_map(kind: NatKind, family: Option<Family>, map: NatMap, port: Option<Value>) -> Built {
    let nat = Nat::from_map(kind, family, map, port).ok_or("nat")?;
    Ok(vec![Statement::Nat(Box::new(nat))])
}

/// A directional conntrack key.
fn ct_dir(key: u32, dir: CtDirection) -> Field {
    Field::CtDir {
        key: CtKey::from_number(key),
        dir,
    }
}

fn raw(base: PayloadBase, bit_offset: u32, bit_len: u32) -> Field {
    Field::Raw {
        base,
        bit_offset,
        bit_len,
    }
}

fn cases() -> Vec<Case> {
    let mut all = source_cases();
    all.extend(base_cases());
    all
}

/// Values computed from the packet: map lookups, bit operations, NAT and object references
/// from maps, dynsets with data, directional conntrack keys.
fn source_cases() -> Vec<Case> {
    vec![
        Case {
            text: "meta mark set tcp dport map @mm",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::MetaSet {
                    key: MetaKey::Mark,
                    value: Source::Map(lookup(H::TcpDport, "mm")),
                }])
            },
        },
        Case {
            text: "ct mark set ip saddr . tcp dport map @cmm",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::CtSet {
                    key: CtKey::Mark,
                    value: Source::Map(lookup(
                        Key::concat([H::IpSaddr.into(), H::TcpDport.into()]),
                        "cmm",
                    )),
                }])
            },
        },
        Case {
            text: "meta mark set meta mark | 0x00000010",
            families: &[Ip],
            build: || {
                mark_bits(
                    meta(MetaKey::Mark),
                    BitOp::AndXor {
                        mask: 0xffff_ffef,
                        xor: 0x10,
                    },
                )
            },
        },
        Case {
            text: "meta mark set ct mark & 0xffff0042 | 0x00000042",
            families: &[Inet],
            build: || {
                mark_bits(
                    Field::Ct(CtKey::Mark),
                    BitOp::AndXor {
                        mask: 0xffff_0000,
                        xor: 0x42,
                    },
                )
            },
        },
        Case {
            text: "meta mark set meta mark ^ 0x00000001",
            families: &[Ip],
            build: || {
                mark_bits(
                    meta(MetaKey::Mark),
                    BitOp::AndXor {
                        mask: 0xffff_ffff,
                        xor: 1,
                    },
                )
            },
        },
        Case {
            text: "meta mark set meta mark & 0xffff0000",
            families: &[Ip],
            build: || {
                mark_bits(
                    meta(MetaKey::Mark),
                    BitOp::AndXor {
                        mask: 0xffff_0000,
                        xor: 0,
                    },
                )
            },
        },
        Case {
            text: "meta mark set meta mark << 1",
            families: &[Ip],
            build: || mark_bits(meta(MetaKey::Mark), BitOp::Shl(1)),
        },
        Case {
            text: "meta mark set meta mark >> 8",
            families: &[Ip],
            build: || mark_bits(meta(MetaKey::Mark), BitOp::Shr(8)),
        },
        Case {
            text: "dnat to tcp dport map @nat4",
            families: &[Ip],
            build: || {
                nat_map(
                    NatKind::Dnat,
                    None,
                    NatMap::Addr(lookup(H::TcpDport, "nat4")),
                    None,
                )
            },
        },
        Case {
            text: "dnat ip to tcp dport map @nat4:8080",
            families: &[Inet],
            build: || {
                nat_map(
                    NatKind::Dnat,
                    Some(Ip),
                    NatMap::Addr(lookup(H::TcpDport, "nat4")),
                    Some(Value::Int(8080)),
                )
            },
        },
        Case {
            text: "dnat to tcp dport map @nat6",
            families: &[Ip6],
            build: || {
                nat_map(
                    NatKind::Dnat,
                    None,
                    NatMap::Addr(lookup(H::TcpDport, "nat6")),
                    None,
                )
            },
        },
        Case {
            text: "dnat ip to ip daddr . tcp dport map @pair4",
            families: &[Ip, Inet],
            build: || {
                nat_map(
                    NatKind::Dnat,
                    Some(Ip),
                    NatMap::AddrPort(lookup(
                        Key::concat([H::IpDaddr.into(), H::TcpDport.into()]),
                        "pair4",
                    )),
                    None,
                )
            },
        },
        Case {
            // A named map's sub-byte key is shifted down to its value.
            text: "meta mark set ip dscp map @dscpm",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::MetaSet {
                    key: MetaKey::Mark,
                    value: Source::Map(lookup(H::IpDscp, "dscpm")),
                }])
            },
        },
        Case {
            text: "meta mark set ip6 dscp map @dscpm",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::MetaSet {
                    key: MetaKey::Mark,
                    value: Source::Map(lookup(H::Ip6Dscp, "dscpm")),
                }])
            },
        },
        Case {
            // Host-order parts of an interval concatenation, converted to big endian.
            text: "meta skuid . meta skgid { 0 . 0, 1000-1999 . 100 }",
            families: &[Ip, Inet],
            build: || {
                let key = Key::concat([meta(MetaKey::Skuid), meta(MetaKey::Skgid)]);
                let set = Value::Set(vec![
                    Value::Concat(vec![Value::Int(0), Value::Int(0)]),
                    Value::Concat(vec![
                        Value::range(Value::Int(1000), Value::Int(1999)),
                        Value::Int(100),
                    ]),
                ]);
                Ok(vec![Statement::Match(
                    Match::new(key, Op::Eq, set).ok_or("m")?,
                )])
            },
        },
        Case {
            // Masked, shifted down, masked again, compared.
            text: "meta l4proto tcp @th,106,10 & 0x3f == 0x2",
            families: &[Ip, Ip6, Inet],
            build: || {
                let l4 = Match::new(meta(MetaKey::L4proto), Op::Eq, Value::Int(6)).ok_or("m")?;
                let f = raw(PayloadBase::Transport, 106, 10);
                let m = Match::masked(f, Op::Eq, Value::Int(2), Value::Int(0x3f)).ok_or("m")?;
                Ok(vec![Statement::Match(l4), Statement::Match(m)])
            },
        },
        Case {
            text: "ip dscp & 0x3 != 1",
            families: &[Ip, Inet],
            build: || {
                let m = Match::masked(H::IpDscp, Op::Ne, Value::Int(1), Value::Int(3));
                Ok(vec![Statement::Match(m.ok_or("m")?)])
            },
        },
        Case {
            // Listed split into fields (`ip version 4 ip hdrlength 5`).
            text: "@nh,0,8 0x45",
            families: &[Ip, Ip6],
            build: || {
                let m = Match::new(raw(PayloadBase::Network, 0, 8), Op::Eq, Value::Int(0x45));
                Ok(vec![Statement::Match(m.ok_or("m")?)])
            },
        },
        Case {
            // The rule's own protocol match comes before the key's `meta nfproto ipv4`.
            text: "meta l4proto tcp dnat ip to ip daddr . tcp dport map @pair4",
            families: &[Ip, Inet],
            build: || {
                let l4 = Match::new(meta(MetaKey::L4proto), Op::Eq, Value::Int(6)).ok_or("m")?;
                let mut stmts = vec![Statement::Match(l4)];
                stmts.extend(nat_map(
                    NatKind::Dnat,
                    Some(Ip),
                    NatMap::AddrPort(lookup(
                        Key::concat([H::IpDaddr.into(), H::TcpDport.into()]),
                        "pair4",
                    )),
                    None,
                )?);
                Ok(stmts)
            },
        },
        Case {
            text: "dnat ip6 to ip6 daddr . tcp dport map @pair6",
            families: &[Ip6, Inet],
            build: || {
                nat_map(
                    NatKind::Dnat,
                    Some(Ip6),
                    NatMap::AddrPort(lookup(
                        Key::concat([H::Ip6Daddr.into(), H::TcpDport.into()]),
                        "pair6",
                    )),
                    None,
                )
            },
        },
        Case {
            text: "snat ip to ip saddr map @ranges4",
            families: &[Ip],
            build: || {
                nat_map(
                    NatKind::Snat,
                    Some(Ip),
                    NatMap::AddrRange(lookup(H::IpSaddr, "ranges4")),
                    None,
                )
            },
        },
        Case {
            text: "meta l4proto tcp dnat to ip daddr map @nat4a:tcp dport map @port4",
            families: &[Ip],
            build: || {
                let mut out = vec![Statement::is(meta(MetaKey::L4proto), 6u8)?];
                out.extend(nat_map(
                    NatKind::Dnat,
                    None,
                    NatMap::AddrAndPort(lookup(H::IpDaddr, "nat4a"), lookup(H::TcpDport, "port4")),
                    None,
                )?);
                Ok(out)
            },
        },
        Case {
            text: "counter name tcp dport map @cm",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::ObjrefMap(lookup(H::TcpDport, "cm"))]),
        },
        Case {
            text: "add @dm { ip saddr : ip daddr }",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::SetUpdate(Box::new(SetUpdate {
                    op: DynsetOp::Add,
                    set: "dm".into(),
                    key: H::IpSaddr.into(),
                    timeout_ms: None,
                    data: Some(H::IpDaddr.into()),
                    stmts: Vec::new(),
                }))])
            },
        },
        Case {
            text: "update @dmm { ip saddr timeout 1m : meta mark }",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::SetUpdate(Box::new(SetUpdate {
                    op: DynsetOp::Update,
                    set: "dmm".into(),
                    key: H::IpSaddr.into(),
                    timeout_ms: Some(60_000),
                    data: Some(meta(MetaKey::Mark).into()),
                    stmts: Vec::new(),
                }))])
            },
        },
        Case {
            text: "ip6 daddr . tcp dport @cc6",
            families: &[Ip6, Inet],
            build: || {
                Ok(vec![Statement::matching(
                    Key::concat([H::Ip6Daddr.into(), H::TcpDport.into()]),
                    Op::Eq,
                    Value::SetRef("cc6".into()),
                )?])
            },
        },
        Case {
            text: "ct original ip saddr 10.0.0.1",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::is(
                    ct_dir(19, CtDirection::Original),
                    ip!("10.0.0.1"),
                )?])
            },
        },
        Case {
            text: "meta l4proto tcp ct reply proto-dst 443",
            families: &[Ip],
            build: || {
                Ok(vec![
                    Statement::is(meta(MetaKey::L4proto), 6u8)?,
                    Statement::is(ct_dir(12, CtDirection::Reply), 443u16)?,
                ])
            },
        },
        Case {
            text: "ct original zone 1",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::is(
                    ct_dir(17, CtDirection::Original),
                    1u16,
                )?])
            },
        },
        Case {
            text: "ct original ip daddr 10.0.0.0/24",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::is(
                    ct_dir(20, CtDirection::Original),
                    Value::Prefix("10.0.0.0/24".parse()?),
                )?])
            },
        },
        Case {
            text: "ct reply zone set 4",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::CtDirSet {
                    key: CtKey::from_number(17),
                    dir: CtDirection::Reply,
                    value: Source::Value(Value::Int(4)),
                }])
            },
        },
        Case {
            text: "ct event set new,related,destroy",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::CtSet {
                    key: CtKey::from_number(18),
                    value: Source::Value(Value::Int(7)),
                }])
            },
        },
        Case {
            text: "ct label set 64",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::CtSet {
                    key: CtKey::from_number(13),
                    value: Source::Value(Value::Int(64)),
                }])
            },
        },
        Case {
            text: "ct helper { \"ftp\", \"sip\" }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    Field::Ct(CtKey::from_number(6)),
                    [Value::Ifname("ftp".into()), Value::Ifname("sip".into())],
                )?])
            },
        },
        Case {
            text: "ct label 127",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::matching(
                    Field::Ct(CtKey::from_number(13)),
                    Op::AnySet,
                    Value::Int(127),
                )?])
            },
        },
    ]
}

fn base_cases() -> Vec<Case> {
    vec![
        Case {
            text: "tcp dport 22 accept",
            families: L4,
            build: || {
                Ok(vec![
                    Statement::is(H::TcpDport, 22u16)?,
                    Statement::accept(),
                ])
            },
        },
        Case {
            text: "udp sport 53 counter",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::UdpSport, 53u16)?,
                    Statement::counter(),
                ])
            },
        },
        Case {
            text: "udplite dport 53",
            families: &[Inet],
            build: || Ok(vec![Statement::is(H::UdpliteDport, 53u16)?]),
        },
        Case {
            text: "sctp dport 80",
            families: &[Ip6],
            build: || Ok(vec![Statement::is(H::SctpDport, 80u16)?]),
        },
        Case {
            text: "ip saddr 10.0.0.1 drop",
            families: &[Ip, Inet, Bridge, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(H::IpSaddr, ip!("10.0.0.1"))?,
                    Statement::drop(),
                ])
            },
        },
        Case {
            text: "ip6 daddr ::1 drop",
            families: &[Ip6, Inet, Bridge, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(H::Ip6Daddr, ip!("::1"))?,
                    Statement::drop(),
                ])
            },
        },
        Case {
            text: "ip protocol tcp",
            families: &[Ip, Inet, Bridge, Netdev],
            build: || Ok(vec![Statement::is(H::IpProtocol, 6u8)?]),
        },
        Case {
            text: "icmp type echo-request accept",
            families: L4,
            build: || Ok(vec![Statement::is(H::IcmpType, 8u8)?, Statement::accept()]),
        },
        Case {
            text: "icmpv6 type echo-request accept",
            families: L4,
            build: || {
                Ok(vec![
                    Statement::is(H::Icmpv6Type, 128u8)?,
                    Statement::accept(),
                ])
            },
        },
        Case {
            text: "ether saddr 00:11:22:33:44:55",
            families: ALL,
            build: || {
                Ok(vec![Statement::is(
                    H::EtherSaddr,
                    mac!("00:11:22:33:44:55"),
                )?])
            },
        },
        Case {
            text: "vlan id 5",
            families: ALL,
            build: || Ok(vec![Statement::is(H::VlanId, 5u16)?]),
        },
        Case {
            text: "arp operation request",
            families: &[Arp, Bridge, Netdev],
            build: || Ok(vec![Statement::is(H::ArpOperation, 1u16)?]),
        },
        Case {
            text: "th dport 53",
            families: ALL,
            build: || Ok(vec![Statement::is(H::ThDport, 53u16)?]),
        },
        Case {
            text: "tcp sport 1-1024",
            families: &[Inet],
            build: || Ok(vec![Statement::between(H::TcpSport, 1u16, 1024u16)?]),
        },
        Case {
            text: "tcp dport != 1-1024",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::is_not(
                    H::TcpDport,
                    Value::range(1u16.into(), 1024u16.into()),
                )?])
            },
        },
        Case {
            text: "tcp dport < 1024",
            families: &[Ip6],
            build: || Ok(vec![Statement::matching(H::TcpDport, Op::Lt, 1024u16)?]),
        },
        Case {
            text: "tcp flags syn",
            families: &[Inet],
            build: || Ok(vec![Statement::any_of(H::TcpFlags, 0x02u8)?]),
        },
        Case {
            text: "tcp flags & (syn|ack) == syn",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::masked(
                    H::TcpFlags,
                    0x12u8,
                    Op::Eq,
                    0x02u8,
                )?])
            },
        },
        Case {
            text: "tcp flags ! fin,syn",
            families: &[Ip],
            build: || Ok(vec![Statement::none_of(H::TcpFlags, 0x03u8)?]),
        },
        Case {
            text: "ip saddr 10.0.0.0/8",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::is(H::IpSaddr, ip!("10.0.0.0/8"))?]),
        },
        Case {
            text: "ip saddr != 10.0.0.0/12",
            families: &[Inet],
            build: || Ok(vec![Statement::is_not(H::IpSaddr, ip!("10.0.0.0/12"))?]),
        },
        Case {
            text: "ip6 saddr 2001:db8::/32",
            families: &[Ip6, Inet],
            build: || Ok(vec![Statement::is(H::Ip6Saddr, ip!("2001:db8::/32"))?]),
        },
        Case {
            text: "ip6 saddr 2001:db8::/33",
            families: &[Netdev],
            build: || Ok(vec![Statement::is(H::Ip6Saddr, ip!("2001:db8::/33"))?]),
        },
        Case {
            text: "ip dscp cs1",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::is(H::IpDscp, 8u8)?]),
        },
        Case {
            text: "ip saddr 10.0.0.1-10.0.0.9",
            families: &[Bridge],
            build: || {
                Ok(vec![Statement::between(
                    H::IpSaddr,
                    ip!("10.0.0.1"),
                    ip!("10.0.0.9"),
                )?])
            },
        },
        Case {
            text: "meta mark 0x00000005",
            families: &[Ip],
            build: || Ok(vec![Statement::is(meta(MetaKey::Mark), 5u32)?]),
        },
        Case {
            text: "meta mark & 0x000000ff == 0x00000001",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::masked(
                    meta(MetaKey::Mark),
                    0xffu32,
                    Op::Eq,
                    1u32,
                )?])
            },
        },
        Case {
            text: "iifname \"lo\"",
            families: &[Inet],
            build: || Ok(vec![Statement::is(meta(MetaKey::Iifname), "lo")?]),
        },
        Case {
            text: "iifname \"eth*\"",
            families: &[Ip],
            build: || Ok(vec![Statement::is(meta(MetaKey::Iifname), "eth*")?]),
        },
        Case {
            text: "meta l4proto tcp tcp dport 22",
            families: &[Inet, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(meta(MetaKey::L4proto), 6u8)?,
                    Statement::is(H::TcpDport, 22u16)?,
                ])
            },
        },
        Case {
            text: "ip protocol tcp tcp dport 22",
            families: &[Ip, Inet, Bridge],
            build: || {
                Ok(vec![
                    Statement::is(H::IpProtocol, 6u8)?,
                    Statement::is(H::TcpDport, 22u16)?,
                ])
            },
        },
        Case {
            text: "ether type ip ip saddr 1.2.3.4",
            families: &[Inet, Bridge, Ip6],
            build: || {
                Ok(vec![
                    Statement::is(H::EtherType, 0x0800u16)?,
                    Statement::is(H::IpSaddr, ip!("1.2.3.4"))?,
                ])
            },
        },
        Case {
            text: "meta protocol ip ip saddr 1.2.3.4",
            families: &[Inet, Bridge, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(meta(MetaKey::Protocol), 0x0800u16)?,
                    Statement::is(H::IpSaddr, ip!("1.2.3.4"))?,
                ])
            },
        },
        Case {
            text: "vlan id 5 ip saddr 1.2.3.4",
            families: &[Ip, Inet, Bridge, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(H::VlanId, 5u16)?,
                    Statement::is(H::IpSaddr, ip!("1.2.3.4"))?,
                ])
            },
        },
        Case {
            text: "ip saddr 1.2.3.4 icmp type echo-request",
            families: &[Inet, Bridge, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(H::IpSaddr, ip!("1.2.3.4"))?,
                    Statement::is(H::IcmpType, 8u8)?,
                ])
            },
        },
        Case {
            text: "ip6 saddr ::1 tcp dport 22",
            families: &[Ip6, Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::Ip6Saddr, ip!("::1"))?,
                    Statement::is(H::TcpDport, 22u16)?,
                ])
            },
        },
        Case {
            text: "ct state established,related accept",
            families: &[Inet],
            build: || {
                let bits = (CtState::ESTABLISHED | CtState::RELATED).bits();
                Ok(vec![
                    Statement::any_of(Field::Ct(CtKey::State), bits)?,
                    Statement::accept(),
                ])
            },
        },
        Case {
            text: "ct state != established",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::is_not(
                    Field::Ct(CtKey::State),
                    CtState::ESTABLISHED.bits(),
                )?])
            },
        },
        Case {
            text: "ct mark 0x00000003",
            families: &[Ip6],
            build: || Ok(vec![Statement::is(Field::Ct(CtKey::Mark), 3u32)?]),
        },
        Case {
            text: "tcp dport { 22, 80 } accept",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![
                    Statement::in_set(H::TcpDport, [22u16.into(), 80u16.into()])?,
                    Statement::accept(),
                ])
            },
        },
        Case {
            text: "tcp dport { 22, 1000-2000 }",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::in_set(
                    H::TcpDport,
                    [22u16.into(), (1000u16, 2000u16).into()],
                )?])
            },
        },
        Case {
            text: "ip saddr { 10.0.0.1, 10.1.0.0/16 }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    H::IpSaddr,
                    [ip!("10.0.0.1").into(), ip!("10.1.0.0/16").into()],
                )?])
            },
        },
        Case {
            text: "iifname { \"lo\", \"eth0\" }",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::in_set(
                    meta(MetaKey::Iifname),
                    ["lo".into(), "eth0".into()],
                )?])
            },
        },
        Case {
            text: "ip saddr . tcp dport { 10.0.0.1 . 22 }",
            families: &[Ip, Inet],
            build: || {
                let key = Key::concat([H::IpSaddr.into(), H::TcpDport.into()]);
                Ok(vec![Statement::in_set(
                    key,
                    [Value::Concat(vec![ip!("10.0.0.1").into(), 22u16.into()])],
                )?])
            },
        },
        Case {
            // An interval concatenation converts one-byte host-order fields too (a no-op).
            text: "ip6 daddr . meta l4proto { 2001:db8::/32 . tcp }",
            families: &[Ip6, Inet],
            build: || {
                let key = Key::concat([H::Ip6Daddr.into(), meta(MetaKey::L4proto)]);
                Ok(vec![Statement::in_set(
                    key,
                    [Value::Concat(vec![ip!("2001:db8::/32").into(), 6u8.into()])],
                )?])
            },
        },
        Case {
            text: "ip saddr . tcp dport @cc",
            families: &[Inet],
            build: || {
                let key = Key::concat([H::IpSaddr.into(), H::TcpDport.into()]);
                Ok(vec![Statement::in_named(key, "cc")?])
            },
        },
        Case {
            text: "ip saddr @s4 drop",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![
                    Statement::in_named(H::IpSaddr, "s4")?,
                    Statement::drop(),
                ])
            },
        },
        Case {
            text: "ip saddr != @s4",
            families: &[Netdev],
            build: || Ok(vec![Statement::not_in_named(H::IpSaddr, "s4")?]),
        },
        Case {
            text: "tcp dport vmap { 22 : accept, 80 : drop }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::vmap(
                    H::TcpDport,
                    [
                        (22u16.into(), Verdict::Accept),
                        (80u16.into(), Verdict::Drop),
                    ],
                )?])
            },
        },
        Case {
            text: "tcp dport vmap @vm",
            families: &[Ip],
            build: || Ok(vec![Statement::vmap_named(H::TcpDport, "vm")]),
        },
        Case {
            text: "jump other",
            families: &[Ip],
            build: || Ok(vec![Statement::jump("other")]),
        },
        Case {
            text: "limit rate 10/second",
            families: &[Ip],
            build: || Ok(vec![Statement::limit(10, RateUnit::Second)]),
        },
        Case {
            text: "quota 100 bytes",
            families: &[Ip],
            build: || Ok(vec![Statement::quota(100)]),
        },
        Case {
            text: "log prefix \"x: \"",
            families: &[Ip],
            build: || Ok(vec![Statement::log(Some("x: "))?]),
        },
        Case {
            text: "counter name \"cnt\"",
            families: &[Ip],
            build: || Ok(vec![Statement::objref(ObjectType::Counter, "cnt")]),
        },
        Case {
            text: "notrack",
            families: &[Ip],
            build: || Ok(vec![Statement::notrack()]),
        },
        Case {
            text: "meta mark set 0x00000005",
            families: &[Ip],
            build: || Ok(vec![Statement::meta_set(MetaKey::Mark, 5u32)?]),
        },
        Case {
            text: "ip ttl set 64",
            families: &[Ip, Inet, Bridge, Netdev],
            build: || Ok(vec![Statement::payload_set(H::IpTtl, 64u8)?]),
        },
        Case {
            text: "ip protocol set 17",
            families: &[Ip],
            build: || Ok(vec![Statement::payload_set(H::IpProtocol, 17u8)?]),
        },
        Case {
            text: "ip dscp set ef",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::payload_set(H::IpDscp, 46u8)?]),
        },
        Case {
            text: "ip ecn set ce",
            families: &[Ip],
            build: || Ok(vec![Statement::payload_set(H::IpEcn, 3u8)?]),
        },
        Case {
            text: "ip id set 0",
            families: &[Ip],
            build: || Ok(vec![Statement::payload_set(H::IpId, 0u16)?]),
        },
        Case {
            text: "ip saddr 10.0.0.1 ip saddr set 10.0.0.2",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::IpSaddr, ip!("10.0.0.1"))?,
                    Statement::payload_set(H::IpSaddr, ip!("10.0.0.2"))?,
                ])
            },
        },
        Case {
            text: "ip daddr set ip saddr",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::payload_copy(H::IpDaddr, H::IpSaddr)?]),
        },
        Case {
            text: "ip6 hoplimit set 1",
            families: &[Ip6, Inet],
            build: || Ok(vec![Statement::payload_set(H::Ip6Hoplimit, 1u8)?]),
        },
        Case {
            text: "ip6 dscp set ef",
            families: &[Ip6],
            build: || Ok(vec![Statement::payload_set(H::Ip6Dscp, 46u8)?]),
        },
        Case {
            text: "ip6 ecn set ect0",
            families: &[Ip6],
            build: || Ok(vec![Statement::payload_set(H::Ip6Ecn, 2u8)?]),
        },
        Case {
            text: "ip6 flowlabel set 12345",
            families: &[Ip6, Inet],
            build: || Ok(vec![Statement::payload_set(H::Ip6Flowlabel, 12345u32)?]),
        },
        Case {
            text: "ip6 daddr set fd00::1",
            families: &[Ip6],
            build: || Ok(vec![Statement::payload_set(H::Ip6Daddr, ip!("fd00::1"))?]),
        },
        Case {
            text: "tcp dport set 80",
            families: L4,
            build: || Ok(vec![Statement::payload_set(H::TcpDport, 80u16)?]),
        },
        Case {
            text: "tcp flags set syn",
            families: &[Ip],
            build: || Ok(vec![Statement::payload_set(H::TcpFlags, 2u8)?]),
        },
        Case {
            text: "tcp dport set tcp sport",
            families: &[Inet],
            build: || Ok(vec![Statement::payload_copy(H::TcpDport, H::TcpSport)?]),
        },
        Case {
            text: "udp sport set 53",
            families: &[Ip6],
            build: || Ok(vec![Statement::payload_set(H::UdpSport, 53u16)?]),
        },
        Case {
            text: "sctp dport set 2905",
            families: &[Inet],
            build: || Ok(vec![Statement::payload_set(H::SctpDport, 2905u16)?]),
        },
        Case {
            text: "dccp dport set 5000",
            families: &[Inet],
            build: || Ok(vec![Statement::payload_set(H::DccpDport, 5000u16)?]),
        },
        Case {
            text: "icmp type echo-request icmp id set 0",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::IcmpType, 8u8)?,
                    Statement::payload_set(H::IcmpId, 0u16)?,
                ])
            },
        },
        Case {
            text: "ether saddr set 02:00:00:00:00:01",
            families: &[Inet, Bridge, Netdev],
            build: || {
                Ok(vec![Statement::payload_set(
                    H::EtherSaddr,
                    mac!("02:00:00:00:00:01"),
                )?])
            },
        },
        Case {
            text: "vlan pcp set 4",
            families: &[Bridge],
            build: || Ok(vec![Statement::payload_set(H::VlanPcp, 4u8)?]),
        },
        Case {
            text: "vlan id set 20",
            families: &[Bridge],
            build: || Ok(vec![Statement::payload_set(H::VlanId, 20u16)?]),
        },
        Case {
            text: "arp saddr ip set 192.168.1.1",
            families: &[Arp, Bridge],
            build: || {
                Ok(vec![Statement::payload_set(
                    H::ArpSaddrIp,
                    ip!("192.168.1.1"),
                )?])
            },
        },
        Case {
            text: "@nh,8,8 set 0x10",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::payload_set(
                    raw(PayloadBase::Network, 8, 8),
                    0x10u8,
                )?])
            },
        },
        Case {
            text: "meta l4proto tcp @th,16,16 set 443",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(meta(MetaKey::L4proto), 6u8)?,
                    Statement::payload_set_unchecked(H::TcpDport, 443u16)?,
                ])
            },
        },
        Case {
            text: "@nh,0,8 & 0xf0 == 0x40",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::Match(
                    linx_netfilter::stmt::Match::masked(
                        raw(PayloadBase::Network, 0, 8),
                        Op::Eq,
                        Value::Int(0x40),
                        Value::Int(0xf0),
                    )
                    .ok_or("mask")?,
                )])
            },
        },
        Case {
            text: "@ll,96,16 { 0x0800, 0x86dd }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::is(
                    raw(PayloadBase::Link, 96, 16),
                    Value::Set(vec![Value::Int(0x0800), Value::Int(0x86dd)]),
                )?])
            },
        },
        Case {
            text: "@ll,96,16 vmap { 0x0800 : accept, 0x86dd : drop }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::vmap(
                    raw(PayloadBase::Link, 96, 16),
                    [
                        (Value::Int(0x0800), Verdict::Accept),
                        (Value::Int(0x86dd), Verdict::Drop),
                    ],
                )?])
            },
        },
        Case {
            text: "@nh,96,32 . @nh,128,32 { 0x0a000001 . 0x0a000002 }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    Key::concat([
                        raw(PayloadBase::Network, 96, 32),
                        raw(PayloadBase::Network, 128, 32),
                    ]),
                    [Value::Concat(vec![
                        Value::Int(0x0a00_0001),
                        Value::Int(0x0a00_0002),
                    ])],
                )?])
            },
        },
        Case {
            text: "tcp flags set syn | ack",
            families: &[Inet],
            build: || Ok(vec![Statement::payload_set(H::TcpFlags, 0x12u8)?]),
        },
        Case {
            text: "@nh,64,128 0x20010db8000000000000000000000001",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::is(
                    raw(PayloadBase::Network, 64, 128),
                    Value::Bytes(ip!("2001:db8::1").to_bytes()),
                )?])
            },
        },
        Case {
            text: "meta l4proto udp @th,64,32 0x21122112",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(meta(MetaKey::L4proto), 17u8)?,
                    Statement::is(raw(PayloadBase::Transport, 64, 32), 0x2112_2112u32)?,
                ])
            },
        },
        Case {
            text: "@ih,0,32 0x476554",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::is(
                    raw(PayloadBase::Inner, 0, 32),
                    0x47_6554u32,
                )?])
            },
        },
        Case {
            text: "ct mark set 0x00000007",
            families: &[Inet],
            build: || Ok(vec![Statement::ct_set(CtKey::Mark, 7u32)?]),
        },
        Case {
            text: "add @s4 { ip saddr }",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::set_op(
                    DynsetOp::Add,
                    "s4",
                    H::IpSaddr,
                    None,
                )])
            },
        },
        Case {
            text: "update @s4 { ip saddr timeout 10s }",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::set_op(
                    DynsetOp::Update,
                    "s4",
                    H::IpSaddr,
                    Some(10_000),
                )])
            },
        },
        Case {
            text: "add @sp { tcp dport }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::set_op(
                    DynsetOp::Add,
                    "sp",
                    H::TcpDport,
                    None,
                )])
            },
        },
        Case {
            text: "reject",
            families: &[Ip],
            build: || Ok(vec![Statement::reject(Ip)]),
        },
        Case {
            text: "reject",
            families: &[Ip6],
            build: || Ok(vec![Statement::reject(Ip6)]),
        },
        Case {
            text: "reject",
            families: &[Inet, Netdev],
            build: || Ok(vec![Statement::reject(Inet)]),
        },
        Case {
            text: "reject with tcp reset",
            families: &[Ip, Inet, Netdev],
            build: || Ok(vec![Statement::Reject(Reject::TcpReset)]),
        },
        Case {
            text: "reject with icmp type host-unreachable",
            families: &[Ip, Inet, Netdev],
            build: || Ok(vec![Statement::Reject(Reject::Icmp(1))]),
        },
        Case {
            text: "reject with icmpv6 type no-route",
            families: &[Ip6, Inet, Netdev],
            build: || Ok(vec![Statement::Reject(Reject::Icmpv6(0))]),
        },
        Case {
            text: "reject with icmpx type admin-prohibited",
            families: &[Inet, Netdev],
            build: || Ok(vec![Statement::Reject(Reject::Icmpx(3))]),
        },
        Case {
            text: "dnat to 10.0.0.1",
            families: &[Ip],
            build: || Ok(vec![Statement::dnat(None, ip!("10.0.0.1"), None)?]),
        },
        Case {
            text: "dnat ip to 10.0.0.1",
            families: &[Inet],
            build: || Ok(vec![Statement::dnat(Some(Ip), ip!("10.0.0.1"), None)?]),
        },
        Case {
            text: "dnat ip6 to [::1]",
            families: &[Inet],
            build: || Ok(vec![Statement::dnat(Some(Ip6), ip!("::1"), None)?]),
        },
        Case {
            text: "dnat to 10.0.0.0/24",
            families: &[Ip],
            build: || Ok(vec![Statement::dnat(None, ip!("10.0.0.0/24"), None)?]),
        },
        Case {
            text: "tcp dport 1 dnat to 10.0.0.1:80",
            families: &[Ip],
            build: || {
                Ok(vec![
                    Statement::is(H::TcpDport, 1u16)?,
                    Statement::dnat(None, ip!("10.0.0.1"), Some(80u16.into()))?,
                ])
            },
        },
        Case {
            text: "tcp dport 1 snat ip to 10.0.0.1-10.0.0.5:1000-2000 persistent",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::TcpDport, 1u16)?,
                    Statement::nat_with(
                        NatKind::Snat,
                        Some(Ip),
                        Some((ip!("10.0.0.1"), ip!("10.0.0.5")).into()),
                        Some((1000u16, 2000u16).into()),
                        NatFlags::PERSISTENT,
                    )?,
                ])
            },
        },
        Case {
            text: "masquerade",
            families: &[Ip, Ip6, Inet],
            build: || Ok(vec![Statement::masquerade(None)?]),
        },
        Case {
            text: "udp dport 1 masquerade to :1000-2000 random",
            families: &[Ip],
            build: || {
                Ok(vec![
                    Statement::is(H::UdpDport, 1u16)?,
                    Statement::nat_with(
                        NatKind::Masquerade,
                        None,
                        None,
                        Some((1000u16, 2000u16).into()),
                        NatFlags::RANDOM,
                    )?,
                ])
            },
        },
        Case {
            text: "tcp dport 1 redirect to :8080",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::TcpDport, 1u16)?,
                    Statement::redirect(Some(8080u16.into()))?,
                ])
            },
        },
        // Anonymous sets of fields whose key type the model keeps raw (nft's datatype id,
        // elements in the field's byte order).
        Case {
            text: "meta pkttype { broadcast, multicast } accept",
            families: &[Inet, Netdev],
            build: || {
                Ok(vec![
                    Statement::in_set(meta(MetaKey::Other(19)), [1u8.into(), 2u8.into()])?,
                    Statement::accept(),
                ])
            },
        },
        Case {
            text: "icmpv6 type { echo-request, nd-neighbor-solicit }",
            families: &[Ip6, Inet, Bridge],
            build: || {
                Ok(vec![Statement::in_set(
                    H::Icmpv6Type,
                    [128u8.into(), 135u8.into()],
                )?])
            },
        },
        Case {
            text: "ether type { ip, ip6 }",
            families: &[Bridge],
            build: || {
                Ok(vec![Statement::in_set(
                    H::EtherType,
                    [0x0800u16.into(), 0x86ddu16.into()],
                )?])
            },
        },
        Case {
            text: "meta length { 33, 1500 }",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::in_set(
                    meta(MetaKey::Len),
                    [33u32.into(), 1500u32.into()],
                )?])
            },
        },
        // Host-order fields are converted to big endian before orderings, ranges and
        // interval sets (`byteorder`).
        Case {
            text: "meta length { 0-63, 1500 }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    meta(MetaKey::Len),
                    [(0u32, 63u32).into(), 1500u32.into()],
                )?])
            },
        },
        Case {
            text: "meta mark { 0x00000010-0x0000001f, 0x00000100 }",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::in_set(
                    meta(MetaKey::Mark),
                    [(0x10u32, 0x1fu32).into(), 0x100u32.into()],
                )?])
            },
        },
        Case {
            text: "meta length > 40",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::matching(
                    meta(MetaKey::Len),
                    Op::Gt,
                    40u32,
                )?])
            },
        },
        Case {
            text: "ct mark 0x00000010-0x0000001f",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::between(
                    Field::Ct(CtKey::Mark),
                    0x10u32,
                    0x1fu32,
                )?])
            },
        },
        Case {
            text: "meta mark != 0x00000010-0x00000020",
            families: &[Ip],
            build: || {
                Ok(vec![Statement::matching(
                    meta(MetaKey::Mark),
                    Op::Ne,
                    Value::range(0x10u32.into(), 0x20u32.into()),
                )?])
            },
        },
        // A reject's protocol dependency goes first in the rule.
        Case {
            text: "tcp dport 7 reject with icmp host-prohibited",
            families: &[Inet, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(H::TcpDport, 7u16)?,
                    Statement::Reject(Reject::Icmp(10)),
                ])
            },
        },
        Case {
            text: "ip saddr 1.2.3.4 reject with tcp reset",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::IpSaddr, ip!("1.2.3.4"))?,
                    Statement::Reject(Reject::TcpReset),
                ])
            },
        },
        // Sub-byte fields in anonymous sets: masked, elements in place.
        Case {
            text: "ip dscp { cs1, ef }",
            families: &[Ip, Inet, Bridge],
            build: || {
                Ok(vec![Statement::in_set(
                    H::IpDscp,
                    [8u8.into(), 46u8.into()],
                )?])
            },
        },
        Case {
            text: "ip6 dscp { af41, ef }",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::in_set(
                    H::Ip6Dscp,
                    [34u8.into(), 46u8.into()],
                )?])
            },
        },
        Case {
            text: "ip6 flowlabel { 1, 2 }",
            families: &[Ip6, Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    H::Ip6Flowlabel,
                    [1u32.into(), 2u32.into()],
                )?])
            },
        },
        Case {
            text: "vlan id { 10, 20 }",
            families: &[Bridge, Netdev, Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    H::VlanId,
                    [10u16.into(), 20u16.into()],
                )?])
            },
        },
        // Named sets: the field shifted down to its value.
        Case {
            text: "ip dscp @ds",
            families: &[Inet, Bridge],
            build: || Ok(vec![Statement::in_named(H::IpDscp, "ds")?]),
        },
        Case {
            text: "vlan type ip6 vlan pcp 3",
            families: &[Bridge, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(H::VlanType, 0x86ddu16)?,
                    Statement::is(H::VlanPcp, 3u8)?,
                ])
            },
        },
        Case {
            text: "ether type 8021q vlan type arp",
            families: &[Bridge],
            build: || {
                Ok(vec![
                    Statement::is(H::EtherType, 0x8100u16)?,
                    Statement::is(H::VlanType, 0x0806u16)?,
                ])
            },
        },
        Case {
            text: "dccp type request",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::is(H::DccpType, 0u8)?]),
        },
        Case {
            text: "igmp type membership-query",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::is(H::IgmpType, 0x11u8)?]),
        },
        // ICMP fields past the code: the type nft matches first, unless the rule did.
        Case {
            text: "icmp type echo-request icmp id 1234",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![
                    Statement::is(H::IcmpType, 8u8)?,
                    Statement::is(H::IcmpId, 1234u16)?,
                ])
            },
        },
        Case {
            text: "icmp id 7",
            families: &[Ip, Inet],
            build: || Ok(vec![Statement::is(H::IcmpId, 7u16)?]),
        },
        Case {
            text: "icmp mtu 1280",
            families: &[Ip, Inet, Bridge],
            build: || Ok(vec![Statement::is(H::IcmpMtu, 1280u16)?]),
        },
        Case {
            text: "icmp gateway 3232235777",
            families: &[Ip],
            build: || Ok(vec![Statement::is(H::IcmpGateway, 3232235777u32)?]),
        },
        Case {
            text: "icmpv6 max-delay 3",
            families: &[Ip6, Inet],
            build: || Ok(vec![Statement::is(H::Icmpv6MaxDelay, 3u16)?]),
        },
        Case {
            text: "icmpv6 sequence 4",
            families: &[Ip6],
            build: || Ok(vec![Statement::is(H::Icmpv6Sequence, 4u16)?]),
        },
        // Masked addresses and Ethernet prefixes.
        Case {
            text: "ether daddr 01:00:5e:00:00:00/24",
            families: &[Bridge, Inet],
            build: || {
                Ok(vec![Statement::masked(
                    H::EtherDaddr,
                    mac!("ff:ff:ff:00:00:00"),
                    Op::Eq,
                    mac!("01:00:5e:00:00:00"),
                )?])
            },
        },
        Case {
            text: "ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00",
            families: &[Bridge],
            build: || {
                Ok(vec![Statement::masked(
                    H::EtherDaddr,
                    mac!("01:00:00:00:00:00"),
                    Op::Eq,
                    mac!("01:00:00:00:00:00"),
                )?])
            },
        },
        Case {
            text: "ip daddr & 0.0.0.255 != 0.0.0.1",
            families: &[Ip, Inet],
            build: || {
                Ok(vec![Statement::masked(
                    H::IpDaddr,
                    ip!("0.0.0.255"),
                    Op::Ne,
                    ip!("0.0.0.1"),
                )?])
            },
        },
        Case {
            text: "iifname \"eth*\"",
            families: &[Inet],
            build: || Ok(vec![Statement::is(meta(MetaKey::Iifname), "eth*")?]),
        },
        // 16-byte fields of a concatenation: 16-byte registers.
        Case {
            text: "ip6 saddr . ip6 daddr { ::1 . ::2 }",
            families: &[Ip6, Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    Key::concat([H::Ip6Saddr.into(), H::Ip6Daddr.into()]),
                    [Value::Concat(vec![ip!("::1").into(), ip!("::2").into()])],
                )?])
            },
        },
        // After a link-layer field, the network protocol is matched by `ether type`.
        Case {
            text: "ether saddr . ip saddr { 00:11:22:33:44:55 . 1.2.3.4 }",
            families: &[Inet, Netdev, Bridge],
            build: || {
                Ok(vec![Statement::in_set(
                    Key::concat([H::EtherSaddr.into(), H::IpSaddr.into()]),
                    [Value::Concat(vec![
                        mac!("00:11:22:33:44:55").into(),
                        ip!("1.2.3.4").into(),
                    ])],
                )?])
            },
        },
        Case {
            text: "tcp flags { syn, ack, syn | ack }",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::in_set(
                    H::TcpFlags,
                    [0x02u8.into(), 0x10u8.into(), 0x12u8.into()],
                )?])
            },
        },
        Case {
            text: "vlan id 5 icmp type echo-request",
            families: &[Inet, Bridge, Netdev],
            build: || {
                Ok(vec![
                    Statement::is(H::VlanId, 5u16)?,
                    Statement::is(H::IcmpType, 8u8)?,
                ])
            },
        },
        // Protocol matches nft keeps in the rule but does not print.
        Case {
            text: "meta nfproto ipv4 udp dport 5353 ip daddr 224.0.0.251",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(meta(MetaKey::Nfproto), 2u8)?,
                    Statement::is(H::UdpDport, 5353u16)?,
                    Statement::is(H::IpDaddr, ip!("224.0.0.251"))?,
                ])
            },
        },
        Case {
            text: "meta l4proto icmp icmp type { echo-request, echo-reply }",
            families: &[Inet],
            build: || {
                Ok(vec![
                    Statement::is(meta(MetaKey::L4proto), 1u8)?,
                    Statement::in_set(H::IcmpType, [8u8.into(), 0u8.into()])?,
                ])
            },
        },
        // A set of transport protocols with ports allows a NAT port.
        Case {
            text: "meta l4proto { tcp, udp } snat to 1.2.3.4:2000-3000",
            families: &[Ip],
            build: || {
                Ok(vec![
                    Statement::in_set(Field::Meta(MetaKey::L4proto), [6u8.into(), 17u8.into()])?,
                    Statement::snat(None, ip!("1.2.3.4"), Some((2000u16, 3000u16).into()))?,
                ])
            },
        },
        // Extension headers: TCP options and SCTP chunks need nothing, IPv4 options and
        // IPv6 extension headers their network protocol (the EtherType in bridge tables).
        Case {
            text: "tcp option maxseg size 1460",
            families: &[Inet, Bridge],
            build: || Ok(vec![Statement::is(xf(Tcp, "maxseg", "size"), 1460u16)?]),
        },
        Case {
            text: "tcp option sack-perm exists",
            families: &[Ip, Netdev],
            build: || Ok(vec![Statement::is(xe(Tcp, "sack-perm"), 1u8)?]),
        },
        Case {
            text: "tcp option sack1 right 2",
            families: &[Inet],
            build: || Ok(vec![Statement::is(xf(Tcp, "sack1", "right"), 2u32)?]),
        },
        Case {
            text: "tcp option @254,16,16 4660",
            families: &[Ip6],
            build: || {
                let f = ExthdrField::raw(Tcp, 254, 16, 16).ok_or("range")?;
                Ok(vec![Statement::is(f, 4660u16)?])
            },
        },
        Case {
            text: "tcp option mptcp subtype 1",
            families: &[Inet],
            build: || Ok(vec![Statement::is(xf(Tcp, "mptcp", "subtype"), 1u8)?]),
        },
        Case {
            text: "tcp option maxseg size set 1360",
            families: &[Inet, Bridge],
            build: || {
                Ok(vec![Statement::exthdr_set(
                    ExthdrField::named(Tcp, "maxseg", "size").ok_or("name")?,
                    1360u16,
                )?])
            },
        },
        Case {
            text: "reset tcp option sack-perm",
            families: &[Inet, Bridge],
            build: || {
                let f = ExthdrField::exists(Tcp, "sack-perm").ok_or("name")?;
                Ok(vec![Statement::ExthdrReset(f)])
            },
        },
        Case {
            text: "ip option rr ptr 4",
            families: &[Ip, Inet, Bridge, Netdev],
            build: || Ok(vec![Statement::is(xf(IpOpt, "rr", "ptr"), 4u8)?]),
        },
        Case {
            text: "ip option lsrr missing drop",
            families: &[Inet, Bridge],
            build: || {
                Ok(vec![
                    Statement::is(xe(IpOpt, "lsrr"), 0u8)?,
                    Statement::drop(),
                ])
            },
        },
        Case {
            text: "exthdr frag exists",
            families: &[Ip6, Inet, Bridge, Netdev],
            build: || Ok(vec![Statement::is(xe(Ip6x, "frag"), 1u8)?]),
        },
        Case {
            text: "frag more-fragments 1",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::is(
                    xf(Ip6x, "frag", "more-fragments"),
                    1u8,
                )?])
            },
        },
        Case {
            text: "frag frag-off > 0",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::matching(
                    xf(Ip6x, "frag", "frag-off"),
                    Op::Gt,
                    0u16,
                )?])
            },
        },
        Case {
            text: "frag id 100-200",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::between(
                    xf(Ip6x, "frag", "id"),
                    100u32,
                    200u32,
                )?])
            },
        },
        Case {
            text: "srh sid[2] 2001:db8::2",
            families: &[Inet],
            build: || {
                Ok(vec![Statement::is(
                    xf(Ip6x, "srh", "sid[2]"),
                    ip!("2001:db8::2"),
                )?])
            },
        },
        Case {
            text: "mh type { binding-update, home-test }",
            families: &[Ip6],
            build: || {
                Ok(vec![Statement::in_set(
                    xf(Ip6x, "mh", "type"),
                    [5u8.into(), 3u8.into()],
                )?])
            },
        },
        Case {
            text: "rt type 0 rt seg-left > 0",
            families: &[Ip6],
            build: || {
                Ok(vec![
                    Statement::is(xf(Ip6x, "rt", "type"), 0u8)?,
                    Statement::matching(xf(Ip6x, "rt", "seg-left"), Op::Gt, 0u8)?,
                ])
            },
        },
        Case {
            text: "sctp chunk init num-inbound-streams 10",
            families: &[Inet, Bridge],
            build: || {
                Ok(vec![Statement::is(
                    xf(Sctp, "init", "num-inbound-streams"),
                    10u16,
                )?])
            },
        },
        Case {
            text: "sctp chunk data exists",
            families: &[Ip],
            build: || Ok(vec![Statement::is(xe(Sctp, "data"), 1u8)?]),
        },
    ]
    .into_iter()
    .chain(kinds::cases())
    .collect()
}

use ExthdrProto::{Ip6 as Ip6x, IpOption as IpOpt, SctpChunk as Sctp, TcpOption as Tcp};

/// The extension header field nft calls `<header> <field>`.
fn xf(proto: ExthdrProto, header: &str, field: &str) -> Field {
    Field::Exthdr(ExthdrField::named(proto, header, field).expect("an nft name"))
}

/// The presence test of `header`.
fn xe(proto: ExthdrProto, header: &str) -> Field {
    Field::Exthdr(ExthdrField::exists(proto, header).expect("an nft name"))
}

/// What every family's table holds besides the rules (sets, maps, objects the cases use).
fn prelude(family: Family) -> String {
    let chain = if family == Netdev {
        "chain c { type filter hook ingress device lo priority 0; }"
    } else {
        "chain c { }"
    };
    format!(
        "table {family} t {{\n\
         set s4 {{ type ipv4_addr; flags dynamic,timeout; }}\n\
         set sp {{ type inet_service; flags dynamic; }}\n\
         set cc {{ type ipv4_addr . inet_service; }}\n\
         set cc6 {{ type ipv6_addr . inet_service; }}\n\
         map mm {{ type inet_service : mark; }}\n\
         map cmm {{ type ipv4_addr . inet_service : mark; }}\n\
         map nat4 {{ type inet_service : ipv4_addr; }}\n\
         map nat4a {{ type ipv4_addr : ipv4_addr; }}\n\
         map port4 {{ type inet_service : inet_service; }}\n\
         map nat6 {{ type inet_service : ipv6_addr; }}\n\
         map pair4 {{ type ipv4_addr . inet_service : ipv4_addr . inet_service; }}\n\
         map pair6 {{ type ipv6_addr . inet_service : ipv6_addr . inet_service; }}\n\
         map ranges4 {{ type ipv4_addr : interval ipv4_addr; flags interval; }}\n\
         map cm {{ type inet_service : counter; }}\n\
         map dm {{ type ipv4_addr : ipv4_addr; flags dynamic,timeout; }}\n\
         map dmm {{ type ipv4_addr : mark; flags dynamic,timeout; }}\n\
         set ds {{ type dscp; }}\n\
         map dscpm {{ type dscp : mark; }}\n\
         map vm {{ type inet_service : verdict; }}\n\
         counter cnt {{ }}\n\
         chain other {{ }}\n\
         {chain}\n}}\n"
    )
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lower/golden.json")
}

/// `family|text` → expressions.
type Golden = BTreeMap<String, Vec<Expr>>;

fn golden() -> Golden {
    let text = std::fs::read_to_string(golden_path()).expect("read tests/lower/golden.json");
    serde_json::from_str(&text).expect("parse tests/lower/golden.json")
}

fn id(family: Family, text: &str) -> String {
    format!("{family}|{text}")
}

#[test]
fn lowering_matches_nft_captures() {
    let golden = golden();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let stmts = (case.build)().unwrap_or_else(|e| panic!("{}: build: {e}", case.text));
        for &family in case.families {
            let Some(want) = golden.get(&id(family, case.text)) else {
                failures.push(format!("{family} `{}`: no capture", case.text));
                continue;
            };
            checked += 1;
            match Statement::lower_all(family, &stmts) {
                Ok(got) if normal(&got, true) == normal(want, true) => {}
                Ok(got) => failures.push(format!(
                    "{family} `{}`:\n  nft:  {}\n  linx: {}",
                    case.text,
                    show(want),
                    show(&got)
                )),
                Err(e) => failures.push(format!("{family} `{}`: {e}", case.text)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} (family, rule) lowerings equal nft's");
}

/// The expressions with anonymous set elements sorted (the kernel dumps them in hash order)
/// and, when `drop_typeof`, without nft's `typeof` set userdata (which the lowering does not
/// write yet).
fn normal(exprs: &[Expr], drop_typeof: bool) -> Vec<Expr> {
    exprs
        .iter()
        .map(|e| match e {
            Expr::SetLiteral(lit) => {
                let mut elements = lit.elements().to_vec();
                elements.sort();
                let mut extras = lit.extras().clone();
                if drop_typeof {
                    extras.userdata.clear();
                }
                let sorted = SetLiteral::new(lit.key().clone(), elements)
                    .with_flags(lit.flags())
                    .with_sreg(lit.sreg())
                    .with_extras(extras);
                Expr::from(if lit.is_inverted() {
                    sorted.inverted()
                } else {
                    sorted
                })
            }
            Expr::VmapLiteral(lit) => {
                let mut elements = lit.elements().to_vec();
                elements.sort();
                let mut extras = lit.extras().clone();
                if drop_typeof {
                    extras.userdata.clear();
                }
                let sorted = VmapLiteral::new(lit.key().clone(), elements)
                    .with_flags(lit.flags())
                    .with_sreg(lit.sreg())
                    .with_extras(extras);
                Expr::from(sorted)
            }
            e => e.clone(),
        })
        .collect()
}

fn show(exprs: &[Expr]) -> String {
    exprs
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A file name no other test of this run uses: tests run in parallel in one process, and two
/// of them loading the same family must not write (and delete) the same file.
fn unique_path(stem: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("{stem}-{}-{n}.nft", std::process::id()))
}

/// Loads every case of `family` with nft into a fresh namespace and pulls the rules of
/// chain `c`, in order.
fn nft_rules(family: Family, texts: &[&str]) -> (TestNs, Vec<Rule>) {
    let ns = TestNs::new();
    let mut file = prelude(family);
    for text in texts {
        file += &format!("add rule {family} t c {text}\n");
    }
    let path = unique_path(&format!("linx-lower-{family}"));
    std::fs::write(&path, &file).expect("write the nft file");
    let out = ns.run("nft", &["-f", &path.display().to_string()]);
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "nft -f refused the {family} cases: {}\n{file}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sock = linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER");
    let rs = pull(&sock, Scope::All).expect("pull");
    let rules = rs
        .table(family, "t")
        .and_then(|t| t.chain("c"))
        .map(|c| c.rules().to_vec())
        .expect("table t chain c");
    drop(sock);
    (ns, rules)
}

fn texts_of(family: Family) -> Vec<&'static str> {
    cases()
        .into_iter()
        .filter(|c| c.families.contains(&family))
        .map(|c| c.text)
        .collect()
}

#[test]
#[ignore = "kernel test: nft 1.0.6 and a network namespace; run with cargo xtask test"]
fn captures_are_what_nft_sends() {
    let capture = std::env::var_os("LINX_LOWER_CAPTURE").is_some();
    let old = if capture { Golden::new() } else { golden() };
    let mut new = Golden::new();
    let mut failures = Vec::new();
    for &family in ALL {
        let texts = texts_of(family);
        let (_ns, rules) = nft_rules(family, &texts);
        assert_eq!(rules.len(), texts.len(), "{family}: one rule per case");
        for (text, rule) in texts.iter().zip(rules) {
            let key = id(family, text);
            let same = old.get(&key).map(|e| normal(e, false)) == Some(normal(&rule.exprs, false));
            if !capture && !same {
                failures.push(format!("{key}: nft now sends {}", show(&rule.exprs)));
            }
            new.insert(key, rule.exprs);
        }
    }
    if capture {
        let json = serde_json::to_string_pretty(&new).expect("serialize");
        std::fs::write(golden_path(), json + "\n").expect("write golden.json");
        eprintln!("wrote {} captures", new.len());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `nft list ruleset` in `ns`.
fn listing(ns: &TestNs) -> String {
    let out = ns.run("nft", &["list", "ruleset"]);
    assert!(
        out.status.success(),
        "nft list ruleset: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "kernel test: nft 1.0.6 and network namespaces; run with cargo xtask test"]
fn pushed_statements_list_as_nft_text() {
    for &family in ALL {
        let texts = texts_of(family);
        let (nft_ns, _) = nft_rules(family, &texts);
        let want = listing(&nft_ns);

        // The same table, rules from statements, pushed by Linx.
        let ns = TestNs::new();
        let prelude_only = prelude(family);
        let path = unique_path(&format!("linx-lower-p-{family}"));
        std::fs::write(&path, &prelude_only).expect("write");
        let out = ns.run("nft", &["-f", &path.display().to_string()]);
        let _ = std::fs::remove_file(&path);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sock = linx_nfnl::open(ns.netns()).expect("open");
        let mut rs = pull(&sock, Scope::All).expect("pull the prelude");
        let table: &mut Table = rs.table_mut(family, "t").expect("table t");
        for case in cases().into_iter().filter(|c| c.families.contains(&family)) {
            let stmts = (case.build)().expect("build");
            let rule = Rule::from_statements(family, stmts)
                .unwrap_or_else(|e| panic!("{family} `{}`: {e}", case.text));
            table
                .add_rule("c", rule)
                .unwrap_or_else(|e| panic!("{family} `{}`: {e}", case.text));
        }
        push(&sock, &rs, Mode::Replace).unwrap_or_else(|e| panic!("{family}: push: {e}"));
        let got = listing(&ns);
        assert_eq!(got, want, "{family}: nft lists Linx's rules differently");
    }
}

#[test]
fn conflicts_and_bad_values_are_errors() {
    let v6 = [Statement::is(H::Ip6Saddr, ip!("::1")).unwrap()];
    assert!(Statement::lower_all(Ip, &v6).is_err());
    assert!(Statement::lower_all(Arp, &v6).is_err());
    let tcp = [Statement::is(H::TcpDport, 22u16).unwrap()];
    assert!(Statement::lower_all(Arp, &tcp).is_err());
    // tcp after udp
    let both = [
        Statement::is(H::UdpDport, 53u16).unwrap(),
        Statement::is(H::TcpDport, 22u16).unwrap(),
    ];
    assert!(Statement::lower_all(Inet, &both).is_err());
    assert!(Statement::is(H::IpDaddr, ip!("::1")).is_err());
    assert!(Statement::is(H::TcpDport, 70_000u32).is_err());
    assert!(Statement::is(H::VlanId, 4096u16).is_err());
    assert!(Statement::is(meta(MetaKey::Iifname), "sixteen-bytes-xx").is_err());
    // a NAT port needs a transport match first, as nft says
    let nat = [Statement::dnat(None, ip!("10.0.0.1"), Some(80u16.into())).unwrap()];
    assert!(Statement::lower_all(Ip, &nat).is_err());
    // NAT and reject where the family has none
    assert!(Statement::lower_all(Bridge, &[Statement::masquerade(None).unwrap()]).is_err());
    assert!(Statement::lower_all(Arp, &[Statement::reject(Ip)]).is_err());
    assert!(
        Statement::lower_all(
            Inet,
            &[Statement::dnat(None, ip!("10.0.0.1"), None).unwrap()]
        )
        .is_err()
    );
}

#[test]
fn rules_without_protocol_matches_are_refused_unless_raw() {
    let mut t = Table::new(Inet, "t");
    t.add_chain(Chain::regular("c")).unwrap();
    let err = t
        .add_rule("c", Rule::new(Expr::tcp_dport_eq(22)))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            linx_netfilter::Error::BadRule {
                reason: linx_netfilter::Reason::NoProtocolMatch { offset: 2, .. },
                ..
            }
        ),
        "{err}"
    );
    assert!(
        t.add_rule("c", Rule::new(Expr::ip_saddr_eq(ip!("10.0.0.1"))))
            .is_err()
    );
    t.add_rule("c", Rule::raw(Expr::tcp_dport_eq(22))).unwrap();
    let mut with_dep = Expr::meta_l4proto_eq(6);
    with_dep.extend(Expr::tcp_dport_eq(22));
    t.add_rule("c", Rule::new(with_dep)).unwrap();
    // In an ip table the family is the network protocol; the transport still needs a match.
    let mut ip_table = Table::new(Ip, "t");
    ip_table.add_chain(Chain::regular("c")).unwrap();
    ip_table
        .add_rule("c", Rule::new(Expr::ip_saddr_eq(ip!("10.0.0.1"))))
        .unwrap();
    assert!(
        ip_table
            .add_rule("c", Rule::new(Expr::udp_dport_eq(53)))
            .is_err()
    );
    // `ip protocol udp` is a transport match too.
    let mut exprs = vec![Expr::ip_protocol(), Expr::cmp_eq([17])];
    exprs.extend(Expr::udp_dport_eq(53));
    ip_table.add_rule("c", Rule::new(exprs)).unwrap();
    // Every lowered case passes the check in its families.
    for case in cases() {
        let stmts = (case.build)().unwrap();
        for &family in case.families {
            let mut t = Table::new(family, "t");
            t.add_chain(Chain::regular("c")).unwrap();
            // Without a table, host-order keys looked up in named sets are refused.
            let rule = match Rule::from_statements(family, stmts.clone()) {
                Ok(rule) => rule,
                Err(LowerError::NeedsTable { .. }) => continue,
                Err(e) => panic!("{family} `{}`: {e}", case.text),
            };
            if let Err(e) = t.add_rule("c", rule) {
                // Only references to the prelude's sets and objects may be missing here.
                assert!(
                    !matches!(e, linx_netfilter::Error::BadRule { .. }),
                    "{family} `{}`: {e}",
                    case.text
                );
            }
        }
    }
}

fn arb_field() -> impl Strategy<Value = Field> {
    prop_oneof![
        proptest::sample::select(linx_netfilter::stmt::HeaderField::ALL).prop_map(Field::Header),
        (0u32..4, 0u32..400, 0u32..140).prop_map(|(b, o, l)| raw(
            PayloadBase::from_number(b),
            o,
            l
        )),
        (0u32..30).prop_map(|k| Field::Meta(MetaKey::from_number(k))),
        (0u32..20).prop_map(|k| Field::Ct(CtKey::from_number(k))),
        (0u32..4, any::<u8>(), 0u32..2100, 0u32..140).prop_filter_map(
            "an extension header range",
            |(op, kind, offset, len)| {
                let proto = ExthdrProto::from_op(op)?;
                ExthdrField::raw(proto, kind, offset, len).map(Field::Exthdr)
            }
        ),
        (0u32..4, any::<u8>()).prop_filter_map("a presence test", |(op, kind)| {
            Some(Field::Exthdr(ExthdrField::presence(
                ExthdrProto::from_op(op)?,
                kind,
            )))
        }),
        kinds::arb_field(),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        any::<u64>().prop_map(Value::Int),
        (0u64..70_000).prop_map(Value::Int),
        any::<[u8; 4]>().prop_map(|b| Value::Ip(linx_ip::Ip::from_octets_v4(b))),
        any::<[u8; 16]>().prop_map(|b| Value::Ip(linx_ip::Ip::from_octets_v6(b))),
        any::<[u8; 6]>().prop_map(|b| Value::Mac(linx_ip::Mac::new(b))),
        "[a-z*]{0,17}".prop_map(Value::Ifname),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(Value::Bytes),
        (any::<[u8; 4]>(), 0u8..=32).prop_filter_map("prefix", |(b, p)| {
            linx_ip::Subnet::new(linx_ip::Ip::from_octets_v4(b), p)
                .ok()
                .map(Value::Prefix)
        }),
    ];
    scalar.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Value::range(a, b)),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Set),
            proptest::collection::vec(inner, 0..3).prop_map(Value::Concat),
            "[a-z]{1,5}".prop_map(Value::SetRef),
        ]
    })
}

fn arb_op() -> impl Strategy<Value = Op> {
    proptest::sample::select(vec![
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Gt,
        Op::Le,
        Op::Ge,
        Op::AnySet,
        Op::NoneSet,
    ])
}

fn arb_family() -> impl Strategy<Value = Family> {
    proptest::sample::select(ALL.to_vec())
}

fn arb_stmt() -> impl Strategy<Value = Statement> {
    prop_oneof![
        4 => (proptest::collection::vec(arb_field(), 1..3), arb_op(), arb_value()).prop_filter_map(
            "a match the model allows",
            |(fields, op, value)| {
                linx_netfilter::stmt::Match::new(Key::concat(fields), op, value).map(Statement::Match)
            }
        ),
        1 => Just(Statement::accept()),
        1 => Just(Statement::counter()),
        1 => (0u8..4, any::<u8>()).prop_map(|(k, c)| Statement::Reject(match k {
            0 => Reject::TcpReset,
            1 => Reject::Icmp(c),
            2 => Reject::Icmpv6(c),
            _ => Reject::Icmpx(c),
        })),
        1 => (arb_value(), proptest::option::of(arb_value())).prop_map(|(a, p)| {
            Statement::dnat(Some(Ip), a, p).unwrap_or(Statement::notrack())
        }),
        1 => (arb_field(), arb_value(), any::<bool>()).prop_map(|(f, v, csum)| {
            let s = if csum {
                Statement::payload_set(f, v)
            } else {
                Statement::payload_set_unchecked(f, v)
            };
            s.unwrap_or(Statement::notrack())
        }),
        1 => (arb_field(), arb_field()).prop_map(|(f, g)| {
            Statement::payload_copy(f, g).unwrap_or(Statement::notrack())
        }),
        1 => (arb_field(), arb_value()).prop_map(|(f, v)| match f {
            Field::Meta(k) => Statement::meta_set(k, v).unwrap_or(Statement::notrack()),
            Field::Ct(k) => Statement::ct_set(k, v).unwrap_or(Statement::notrack()),
            Field::Exthdr(x) => Statement::exthdr_set(x, v).unwrap_or(Statement::notrack()),
            _ => Statement::notrack(),
        }),
        1 => kinds::arb_stmt(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Lowering returns expressions or an error for any statements in any family; what it
    /// returns passes the rule checks (registers, lengths, protocol matches) apart from
    /// references to named sets, chains and objects.
    #[test]
    fn lowering_never_panics(family in arb_family(), stmts in proptest::collection::vec(arb_stmt(), 0..5)) {
        if let Ok(exprs) = Statement::lower_all(family, &stmts) {
            let mut t = Table::new(family, "t");
            t.add_chain(Chain::regular("c")).unwrap();
            // Without a table, host-order keys looked up in named sets are refused.
            let rule = match Rule::from_statements(family, stmts.clone()) {
                Ok(rule) => rule,
                Err(e) => {
                    prop_assert!(matches!(e, LowerError::NeedsTable { .. }), "{e}");
                    return Ok(());
                }
            };
            if let Err(e) = t.add_rule("c", rule) {
                let text = e.to_string();
                prop_assert!(!text.contains("protocol match"), "{text}: {}", show(&exprs));
            }
        }
    }
}

/// A flag test or mask whose value is wider than its field (a 16-byte name tested against a
/// one-byte field) is refused with a `LowerError`, never a panic of the expression
/// constructors (found by `lowering_never_panics`).
#[test]
fn values_wider_than_their_field_are_errors_not_panics() {
    let mut fields: Vec<Field> = linx_netfilter::stmt::HeaderField::ALL
        .iter()
        .map(|f| Field::Header(*f))
        .collect();
    fields.extend((0..30).map(|k| Field::Meta(MetaKey::from_number(k))));
    fields.extend((0..20).map(|k| Field::Ct(CtKey::from_number(k))));
    let values = [
        Value::Ifname("ab*".into()),
        Value::Bytes(vec![0xff; 16]),
        Value::Bytes(vec![0xff; 17]),
        Value::Int(u64::MAX),
        Value::Ip(linx_ip::Ip::from_octets_v6([0xff; 16])),
    ];
    for family in [Ip, Ip6, Inet, Bridge, Netdev, Arp] {
        for (field, value) in fields
            .iter()
            .flat_map(|f| values.iter().map(move |v| (f, v)))
        {
            for op in [Op::AnySet, Op::NoneSet, Op::Eq, Op::Lt] {
                // `Match::new` checks the shape only, so the lowering sees the wide value.
                let Some(m) =
                    linx_netfilter::stmt::Match::new(Key::from(*field), op, value.clone())
                else {
                    continue;
                };
                // Refused by the lowering, typed; never a panic.
                let _ = Statement::lower_all(family, &[Statement::Match(m)]);
            }
        }
    }
}

/// `lift(lower(s))`: every case the lift turns wholly into statements lowers back to the same
/// expressions (never a wrong statement); how many lift to exactly the statements they were
/// built from is reported. Cases the lift keeps partly as expressions claim nothing (the lift
/// is another change's: today it reorders such rules, see the #14 lowering report).
#[test]
fn lift_of_lowered_cases_lowers_the_same() {
    let (mut exact, mut total) = (0, 0);
    let mut wrong = Vec::new();
    for case in cases() {
        let stmts = (case.build)().unwrap();
        for &family in case.families {
            total += 1;
            let exprs = Statement::lower_all(family, &stmts).unwrap();
            let lifted = linx_netfilter::lift::lift(&exprs, family);
            if lifted == stmts {
                exact += 1;
            }
            if !linx_netfilter::lift::is_fully_lifted(&lifted) {
                continue; // kept (partly) as expressions: nothing claimed
            }
            // nft prints `ether type ip ip saddr ...` in a bridge table as `ip saddr ...` (the
            // ether type is a dependency it drops), but writes `meta protocol` for the latter:
            // the printed text does not carry the first rule's bytes. Known; left to the lift.
            if family == Bridge && case.text.starts_with("ether type ip ") {
                continue;
            }
            match Statement::lower_all(family, &lifted) {
                Ok(again) if again == exprs => {}
                other => wrong.push(format!("{family} `{}`: {lifted:?} -> {other:?}", case.text)),
            }
        }
    }
    eprintln!("{exact} of {total} lowered cases lift to exactly their statements");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// For generated statements that lower, a lift wholly into statements gives statements
    /// that lower to the same expressions.
    #[test]
    fn lower_lift_lower_is_stable(family in arb_family(), stmts in proptest::collection::vec(arb_stmt(), 0..4)) {
        if let Ok(exprs) = Statement::lower_all(family, &stmts) {
            let lifted = linx_netfilter::lift::lift(&exprs, family);
            if linx_netfilter::lift::is_fully_lifted(&lifted) {
                let again = Statement::lower_all(family, &lifted);
                prop_assert_eq!(again.as_ref().ok(), Some(&exprs), "lifted: {:?}", lifted);
            }
        }
    }
}
