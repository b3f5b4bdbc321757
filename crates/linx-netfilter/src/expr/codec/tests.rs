//! Golden bytes captured from nft 1.0.6 on Linux 6.18 (x86_64), round-trip and
//! never-panic properties.
//!
//! `SENT` constants: the `NFTA_LIST_ELEM`s of the `NEWRULE` nft sends, cut out of
//! `unshare -n bash tests/data/nft-capture.sh tests/data/expr/<file>.nft | python3
//! tests/data/expr/split-rules.py` (one constant per rule, one string per expression; the
//! comment names the nft statement). `K_` constants:
//! what the kernel reports back for the same rule (`nft list ruleset` under strace,
//! `recvmsg`), used to check that pulled rules decode to the authored model.

use super::decode::range_max;
use super::*;
use crate::expr::nat::{dnat_to, masquerade_with, redirect, redirect_with};
use crate::expr::{Cmp, Ct, Meta, Payload};
use crate::expr::{
    CmpOp, CtKey, DynsetOp, LogFlags, MetaKey, NatType, PayloadBase, RateUnit, RejectType,
};
use crate::expr::{Counter, Immediate, Limit, Lookup, Objref, Quota, Reject};
use crate::expr::{Masquerade, Nat, Redirect};
use crate::expr::{SetLiteral, VmapLiteral};
use crate::nla::attr::data as d;
use crate::{CtState, KeyType, SetElement};
use crate::{Family, ObjectType};
use linx_ip::ip;
use linx_netlink_codec::{AttrIter, AttrWriter};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

// ------------------------------------------------------------------ helpers

/// Hex text to bytes.
fn h(text: &str) -> Vec<u8> {
    crate::hex::decode(text).expect("test hex")
}

/// Set ids and anonymous sets handed out in a fixed order.
struct TestRefs {
    ids: Vec<(&'static str, u32)>,
    anon: Vec<(&'static str, u32)>,
    next: usize,
}

impl TestRefs {
    /// Batch ids of named sets and the anonymous sets to hand out.
    fn new(ids: &[(&'static str, u32)], anon: &[(&'static str, u32)]) -> TestRefs {
        TestRefs {
            ids: ids.to_vec(),
            anon: anon.to_vec(),
            next: 0,
        }
    }
    /// No set in the batch.
    fn none() -> TestRefs {
        TestRefs::new(&[], &[])
    }
}

impl SetRefs for TestRefs {
    fn set_id(&self, name: &str) -> Option<u32> {
        self.ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id)
    }
    fn anonymous(&mut self) -> Result<(&'static str, u32), crate::Error> {
        let next = self.anon.get(self.next).copied();
        self.next += 1;
        next.ok_or_else(|| refuse("lookup", "no anonymous set left"))
    }
}

/// Set ids for names of even length (exercises `SET_ID`, which decode ignores).
struct EvenRefs;

impl SetRefs for EvenRefs {
    fn set_id(&self, name: &str) -> Option<u32> {
        (name.len() % 2 == 0).then_some(name.len() as u32)
    }
    fn anonymous(&mut self) -> Result<(&'static str, u32), crate::Error> {
        Ok(("__set%d", 1))
    }
}

/// `encode` of each expression, concatenated.
fn enc_all(exprs: &[Expr], refs: &mut dyn SetRefs) -> Result<Vec<u8>, crate::Error> {
    let mut buf = Vec::new();
    let mut w = AttrWriter::new(&mut buf);
    for e in exprs {
        encode(&mut w, e, refs)?;
    }
    Ok(buf)
}

/// The payload of the single `NFTA_LIST_ELEM` in `elem`.
fn payload_of(elem: &[u8]) -> &[u8] {
    let a = AttrIter::new(elem)
        .next()
        .expect("one attribute")
        .expect("valid");
    assert_eq!(a.kind(), list::NFTA_LIST_ELEM);
    a.payload()
}

/// Decode one captured `NFTA_LIST_ELEM`.
fn dec(elem_hex: &str) -> Expr {
    decode(payload_of(&h(elem_hex))).expect("decodes")
}

/// What a model expression decodes back as: literals become lookups of the anonymous
/// set's wire name.
fn as_pulled(e: &Expr, anon: &mut impl Iterator<Item = &'static str>) -> Expr {
    match e {
        Expr::SetLiteral(lit) => Expr::Lookup(Lookup {
            set: anon.next().unwrap_or_default().into(),
            sreg: lit.sreg,
            dreg: None,
            inverted: lit.inverted,
        }),
        Expr::VmapLiteral(lit) => Expr::Lookup(Lookup {
            set: anon.next().unwrap_or_default().into(),
            sreg: lit.sreg,
            dreg: Some(Reg::VERDICT),
            inverted: false,
        }),
        other => other.clone(),
    }
}

/// `encode(exprs)` is exactly what nft sent, and each sent element decodes back to the
/// model value.
fn golden(sent: &[&str], exprs: &[Expr], refs: &mut TestRefs) {
    assert_eq!(sent.len(), exprs.len(), "expression count");
    let anon: Vec<&'static str> = refs.anon.iter().map(|(n, _)| *n).collect();
    let got = enc_all(exprs, refs).expect("encodes");
    let want: Vec<u8> = sent.iter().flat_map(|s| h(s)).collect();
    assert_eq!(
        crate::hex::encode(&got),
        crate::hex::encode(&want),
        "encode != nft for {exprs:?}"
    );
    let mut anon = anon.into_iter();
    for (elem, e) in sent.iter().zip(exprs) {
        assert_eq!(dec(elem), as_pulled(e, &mut anon), "decode of {elem}");
    }
}

/// Each kernel-reported element decodes to `exprs`.
fn pulled(dump: &[&str], exprs: &[Expr]) {
    let got: Vec<Expr> = dump.iter().map(|e| dec(e)).collect();
    assert_eq!(got, exprs);
}

/// `[a, b, ...]` of expression lists, flattened.
fn cat(parts: impl IntoIterator<Item = Vec<Expr>>) -> Vec<Expr> {
    parts.into_iter().flatten().collect()
}

/// `meta l4proto tcp`, the dependency nft adds before transport matches.
fn tcp() -> Vec<Expr> {
    Expr::meta_l4proto_eq(6)
}

/// `snat to 10.0.0.1-10.0.0.5` in the model (no helper writes address ranges).
fn snat_range() -> Vec<Expr> {
    vec![
        Expr::immediate(Reg::R1, [10, 0, 0, 1]),
        Expr::immediate(Reg::R2, [10, 0, 0, 5]),
        Expr::from(Nat {
            kind: NatType::Snat,
            family: Family::Ip,
            reg_addr_min: Some(Reg::R1),
            reg_addr_max: Some(Reg::R2),
            reg_proto_min: None,
            reg_proto_max: None,
            flags: NatFlags::MAP_IPS,
        }),
    ]
}

/// `update @s2 { ip saddr counter limit rate 10/second }`'s dynset.
fn two_expr_dynset(timeout_ms: Option<u64>) -> Expr {
    Expr::from(Dynset {
        set: "s2".into(),
        op: DynsetOp::Update,
        sreg_key: Reg::R1,
        sreg_data: None,
        timeout_ms,
        exprs: vec![Expr::counter(), Expr::limit(10, RateUnit::Second)],
    })
}

/// `update @s { ip saddr timeout 10s counter }`'s dynset.
fn update_s() -> Expr {
    Expr::from(Dynset {
        set: "s".into(),
        op: DynsetOp::Update,
        sreg_key: Reg::R1,
        sreg_data: None,
        timeout_ms: Some(10_000),
        exprs: vec![Expr::counter()],
    })
}

// ------------------------------------------------------------------ captures

// tests/data/expr/base.nft, table ip t (sets: s = id 1; anonymous __set%d = 2, __map%d = 3)
/// `ip saddr 10.0.0.1 accept`
const IP_SADDR_ACCEPT: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "2c00018008000100636d700020000280080001000000000108000200000000000c000380080001000a000001",
    "300001800e000100696d6d6564696174650000001c0002800800010000000000100002800c0002800800010000000001",
];
/// `tcp dport 22`
const TCP_DPORT: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "340001800c0001007061796c6f616400240002800800010000000001080002000000000208000300000000020800040000000002",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800600010000160000",
];
/// `meta mark 0x10`
const META_MARK: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000030800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800800010010000000",
];
/// `iifname "eth0"`
const IIFNAME: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000060800010000000001",
    "3800018008000100636d70002c00028008000100000000010800020000000000180003801400010065746830000000000000000000000000",
];
/// `ct state established,related accept`
const CT_STATE: &[&str] = &[
    "2000018007000100637400001400028008000200000000000800010000000001",
    "440001800c0001006269747769736500340002800800010000000001080002000000000108000300000000040c00048008000100060000000c0005800800010000000000",
    "2c00018008000100636d700020000280080001000000000108000200000000010c0003800800010000000000",
    "300001800e000100696d6d6564696174650000001c0002800800010000000000100002800c0002800800010000000001",
];
/// `tcp dport { 22, 80 } accept`
const SET_LITERAL: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "340001800c0001007061796c6f616400240002800800010000000001080002000000000208000300000000020800040000000002",
    "300001800b0001006c6f6f6b757000002000028008000200000000010c0001005f5f7365742564000800040000000002",
    "300001800e000100696d6d6564696174650000001c0002800800010000000000100002800c0002800800010000000001",
];
/// `tcp dport vmap { 22 : accept }`
const VMAP_LITERAL: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "340001800c0001007061796c6f616400240002800800010000000001080002000000000208000300000000020800040000000002",
    "380001800b0001006c6f6f6b7570000028000280080002000000000108000300000000000c0001005f5f6d61702564000800040000000003",
];
/// `counter`
const COUNTER: &[&str] = &["140001800c000100636f756e7465720004000280"];
/// `limit rate 10/second burst 5 packets`
const LIMIT_PKTS: &[&str] = &[
    "440001800a0001006c696d6974000000340002800c000100000000000000000a0c0002000000000000000001080003000000000508000400000000000800050000000000",
];
/// `limit rate over 1 mbytes/second`
const LIMIT_OVER_BYTES: &[&str] = &[
    "3c0001800a0001006c696d69740000002c0002800c00010000000000001000000c000200000000000000000108000400000000010800050000000001",
];
/// `quota 100 mbytes`
const QUOTA: &[&str] = &[
    "340001800a00010071756f7461000000240002800c00010000000000064000000c00040000000000000000000800020000000000",
];
/// `quota over 1024 mbytes used 10 bytes` (nft 1.0.6 rejects `1 gbytes` here)
const QUOTA_OVER_USED: &[&str] = &[
    "340001800a00010071756f7461000000240002800c00010000000000400000000c000400000000000000000a0800020000000001",
];
/// `reject with tcp reset`
const REJECT_TCP_RESET: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "240001800b00010072656a65637400001400028008000100000000010500020000000000",
];
/// `log prefix "x" group 5`
const LOG_PREFIX_GROUP: &[&str] =
    &["20000180080001006c6f67001400028006000200780000000600010000050000"];
/// `log level warn flags all`
const LOG_LEVEL_FLAGS: &[&str] =
    &["20000180080001006c6f6700140002800800050000000004080006000000002f"];
/// `counter name "c"`
const OBJREF: &[&str] =
    &["240001800b0001006f626a72656600001400028008000100000000010500020063000000"];
/// `update @s { ip saddr timeout 10s counter }`
const DYNSET_UPDATE: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "540001800b00010064796e736574000044000280080004000000000108000300000000010c000600000000000000271006000100730000000800020000000001140007800c000100636f756e7465720004000280",
];
/// `jump other`
const JUMP: &[&str] = &[
    "3c0001800e000100696d6d6564696174650000002800028008000100000000001c0002801800028008000100fffffffd0a0002006f74686572000000",
];
/// `goto other`
const GOTO: &[&str] = &[
    "3c0001800e000100696d6d6564696174650000002800028008000100000000001c0002801800028008000100fffffffc0a0002006f74686572000000",
];
/// `reject`
const REJECT: &[&str] =
    &["240001800b00010072656a65637400001400028008000100000000000500020003000000"];
/// `meta l4proto tcp dnat to 10.0.0.1:80` (chain type nat hook prerouting)
const DNAT: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000010c000280080001000a000001",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000020c0002800600010000500000",
    "38000180080001006e6174002c00028008000100000000010800020000000002080003000000000108000500000000020800070000000002",
];
/// `meta l4proto tcp redirect to :8080`
const REDIRECT: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000010c000280060001001f900000",
    "240001800a00010072656469720000001400028008000100000000010800030000000002",
];
/// `snat to 10.0.0.1-10.0.0.5` (chain type nat hook postrouting)
const SNAT_RANGE: &[&str] = &[
    "2c0001800e000100696d6d6564696174650000001800028008000100000000010c000280080001000a000001",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000020c000280080001000a000005",
    "30000180080001006e617400240002800800010000000000080002000000000208000300000000010800040000000002",
];
/// `masquerade random,persistent`
const MASQUERADE: &[&str] = &["1c000180090001006d617371000000000c000280080001000000000c"];
/// `reject with icmpx type port-unreachable` (table inet x)
const REJECT_ICMPX: &[&str] =
    &["240001800b00010072656a65637400001400028008000100000000020500020001000000"];
// tests/data/expr/more.nft, table ip t (ids: s 1, s2 2, e 3, m 4, mm 5, __set%d 6)
/// `update @s2 { ip saddr counter limit rate 10/second }` (s2 = id 2)
const DYNSET_TWO_EXPRS: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "980001800b00010064796e73657400008800028008000400000000010800030000000001070001007332000008000200000000025c000a80140001800c000100636f756e7465720004000280440001800a0001006c696d6974000000340002800c000100000000000000000a0c00020000000000000000010800030000000005080004000000000008000500000000000800090000000002",
];
/// `add @m { ip saddr : 0x1 }` (map m = id 4)
const DYNSET_MAP: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000020c0002800800010001000000",
    "3c0001800b00010064796e73657400002c000280080004000000000108000500000000020800030000000000060001006d0000000800020000000004",
];
/// `delete @s { ip saddr }` (s = id 1)
const DYNSET_DELETE: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "340001800b00010064796e7365740000240002800800040000000001080003000000000206000100730000000800020000000001",
];
/// `ip saddr @e` (e = id 3)
const LOOKUP_NAMED: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "2c0001800b0001006c6f6f6b757000001c000280080002000000000106000100650000000800040000000003",
];
/// `ip saddr != @e`
const LOOKUP_INVERTED: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "340001800b0001006c6f6f6b75700000240002800800020000000001060001006500000008000400000000030800050000000001",
];
/// `tcp dport != { 22, 80 }` (__set%d = id 6)
const SET_LITERAL_INVERTED: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "340001800c0001007061796c6f616400240002800800010000000001080002000000000208000300000000020800040000000002",
    "380001800b0001006c6f6f6b757000002800028008000200000000010c0001005f5f73657425640008000400000000060800050000000001",
];
/// `meta mark set ip saddr map @mm` (mm = id 5; `meta set` stays unknown)
const MAP_LOOKUP: &[&str] = &[
    "340001800c0001007061796c6f6164002400028008000100000000010800020000000001080003000000000c0800040000000004",
    "340001800b0001006c6f6f6b757000002400028008000200000000010800030000000001070001006d6d00000800040000000005",
    "24000180090001006d657461000000001400028008000200000000030800030000000001",
];
/// `log group 2 prefix "p" snaplen 64 queue-threshold 10`
const LOG_FULL: &[&str] = &[
    "30000180080001006c6f67002400028006000200700000000600010000020000080003000000004006000400000a0000",
];
/// `limit rate over 5/minute burst 2 packets`
const LIMIT_OVER_PKTS: &[&str] = &[
    "440001800a0001006c696d6974000000340002800c00010000000000000000050c000200000000000000003c080003000000000208000400000000000800050000000001",
];
/// `fib daddr type local` (fib is not modelled)
const FIB: &[&str] = &[
    "2800018008000100666962001c000280080003000000000208000200000000030800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800800010002000000",
];
/// `meta mark set numgen inc mod 2` (neither is modelled)
const NUMGEN: &[&str] = &[
    "340001800b0001006e756d67656e0000240002800800010000000001080002000000000208000300000000000800040000000000",
    "24000180090001006d657461000000001400028008000200000000030800030000000001",
];
/// `reject with icmp type host-unreachable`
const REJECT_ICMP: &[&str] =
    &["240001800b00010072656a65637400001400028008000100000000000500020001000000"];
/// `meta l4proto tcp dnat to 10.0.0.1-10.0.0.9:80-90 persistent`
const DNAT_RANGES: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000010c000280080001000a000001",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000020c000280080001000a000009",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000030c0002800600010000500000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000040c00028006000100005a0000",
    "48000180080001006e6174003c000280080001000000000108000200000000020800030000000001080004000000000208000500000000030800060000000004080007000000000a",
];
/// `meta l4proto tcp masquerade to :1000-2000 fully-random`
const MASQ_PORT_RANGE: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000010c0002800600010003e80000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000020c0002800600010007d00000",
    "2c000180090001006d617371000000001c000280080001000000001208000200000000010800030000000002",
];
/// `meta l4proto tcp masquerade to :1000`
const MASQ_PORT: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000010c0002800600010003e80000",
    "24000180090001006d617371000000001400028008000100000000020800020000000001",
];
/// `meta l4proto tcp redirect to :10-20 random`
const REDIRECT_RANGE: &[&str] = &[
    "24000180090001006d657461000000001400028008000200000000100800010000000001",
    "2c00018008000100636d700020000280080001000000000108000200000000000c0003800500010006000000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000010c00028006000100000a0000",
    "2c0001800e000100696d6d6564696174650000001800028008000100000000020c0002800600010000140000",
    "2c0001800a00010072656469720000001c000280080001000000000108000200000000020800030000000006",
];
/// `redirect`
const REDIRECT_BARE: &[&str] = &["140001800a000100726564697200000004000280"];
/// `dnat to 2001:db8::1` (table ip6 t6)
const DNAT_IP6: &[&str] = &[
    "380001800e000100696d6d656469617465000000240002800800010000000001180002801400010020010db8000000000000000000000001",
    "28000180080001006e6174001c0002800800010000000001080002000000000a0800030000000001",
];
/// `queue num 3` (tests/data/expr/queue.nft; a `queue` expression, not a verdict)
const QUEUE: &[&str] =
    &["240001800a00010071756575650000001400028006000100000300000600020000010000"];
/// `queue num 1-3 bypass`
const QUEUE_BYPASS: &[&str] =
    &["2c0001800a00010071756575650000001c000280060001000001000006000200000300000600030000010000"];

// Kernel reports (nft list ruleset) of the same rules.
/// Kernel report of `ct state established,related accept`
const K_CT_STATE: &[&str] = &[
    "2000010007000100637400001400020008000100000000010800020000000000",
    "4c0001000c00010062697477697365003c00020008000100000000010800020000000001080003000000000408000600000000000c00040008000100060000000c0005000800010000000000",
    "2c00010008000100636d700020000200080001000000000108000200000000010c0003000800010000000000",
    "300001000e000100696d6d6564696174650000001c0002000800010000000000100002000c0002000800010000000001",
];
/// Kernel report of `tcp dport { 22, 80 } accept`
const K_SET_LITERAL: &[&str] = &[
    "24000100090001006d657461000000001400020008000200000000100800010000000001",
    "2c00010008000100636d700020000200080001000000000108000200000000000c0003000500010006000000",
    "340001000c0001007061796c6f616400240002000800010000000001080002000000000208000300000000020800040000000002",
    "300001000b0001006c6f6f6b75700000200002000b0001005f5f73657430000008000200000000010800050000000000",
    "300001000e000100696d6d6564696174650000001c0002000800010000000000100002000c0002000800010000000001",
];
/// Kernel report of `counter`
const K_COUNTER: &[&str] =
    &["2c0001000c000100636f756e746572001c0002000c00010000000000000000000c0002000000000000000000"];
/// Kernel report of `reject with tcp reset`
const K_REJECT_TCP_RESET: &[&str] = &[
    "24000100090001006d657461000000001400020008000200000000100800010000000001",
    "2c00010008000100636d700020000200080001000000000108000200000000000c0003000500010006000000",
    "1c0001000b00010072656a65637400000c0002000800010000000001",
];
/// Kernel report of `counter name "c"`
const K_OBJREF: &[&str] =
    &["240001000b0001006f626a72656600001400020006000200630000000800010000000001"];
/// Kernel report of `update @s { ip saddr timeout 10s counter }`
const K_DYNSET_UPDATE: &[&str] = &[
    "340001000c0001007061796c6f6164002400020008000100000000010800020000000001080003000000000c0800040000000004",
    "6c0001000b00010064796e73657400005c0002000800040000000001080003000000000106000100730000000c00060000000000000027102c0007000c000100636f756e746572001c0002000c00010000000000000000000c00020000000000000000000800090000000000",
];
/// Kernel report of `meta l4proto tcp dnat to 10.0.0.1:80` (chain type nat hook prerouting)
const K_DNAT: &[&str] = &[
    "24000100090001006d657461000000001400020008000200000000100800010000000001",
    "2c00010008000100636d700020000200080001000000000108000200000000000c0003000500010006000000",
    "2c0001000e000100696d6d6564696174650000001800020008000100000000010c000200080001000a000001",
    "2c0001000e000100696d6d6564696174650000001800020008000100000000020c0002000600010000500000",
    "48000100080001006e6174003c0002000800010000000001080002000000000208000300000000010800040000000001080005000000000208000600000000020800070000000003",
];
/// Kernel report of `meta l4proto tcp redirect to :8080`
const K_REDIRECT: &[&str] = &[
    "24000100090001006d657461000000001400020008000200000000100800010000000001",
    "2c00010008000100636d700020000200080001000000000108000200000000000c0003000500010006000000",
    "2c0001000e000100696d6d6564696174650000001800020008000100000000010c000200060001001f900000",
    "2c0001000a00010072656469720000001c000200080001000000000108000200000000010800030000000002",
];
/// Kernel report of `snat to 10.0.0.1-10.0.0.5` (chain type nat hook postrouting)
const K_SNAT_RANGE: &[&str] = &[
    "2c0001000e000100696d6d6564696174650000001800020008000100000000010c000200080001000a000001",
    "2c0001000e000100696d6d6564696174650000001800020008000100000000020c000200080001000a000005",
    "38000100080001006e6174002c00020008000100000000000800020000000002080003000000000108000400000000020800070000000001",
];
/// Kernel report of `update @s2 { ip saddr counter limit rate 10/second }` (s2 = id 2)
const K_DYNSET_TWO_EXPRS: &[&str] = &[
    "340001000c0001007061796c6f6164002400020008000100000000010800020000000001080003000000000c0800040000000004",
    "b40001000b00010064796e7365740000a40002000800040000000001080003000000000107000100733200000c000600000000000000000074000a002c0001000c000100636f756e746572001c0002000c00010000000000000000000c0002000000000000000000440001000a0001006c696d6974000000340002000c000100000000000000000a0c00020000000000000000010800030000000005080004000000000008000500000000000800090000000000",
];
/// Kernel report of `meta l4proto tcp masquerade to :1000`
const K_MASQ_PORT: &[&str] = &[
    "24000100090001006d657461000000001400020008000200000000100800010000000001",
    "2c00010008000100636d700020000200080001000000000108000200000000000c0003000500010006000000",
    "2c0001000e000100696d6d6564696174650000001800020008000100000000010c0002000600010003e80000",
    "2c000100090001006d617371000000001c000200080001000000000208000200000000010800030000000001",
];

// ------------------------------------------------------------------ golden: matches

#[test]
fn golden_ip_saddr_accept() {
    let exprs = cat([Expr::ip_saddr_eq(ip!("10.0.0.1")), vec![Expr::accept()]]);
    golden(IP_SADDR_ACCEPT, &exprs, &mut TestRefs::none());
}

#[test]
fn golden_tcp_dport() {
    golden(
        TCP_DPORT,
        &cat([tcp(), Expr::tcp_dport_eq(22)]),
        &mut TestRefs::none(),
    );
}

#[test]
#[cfg(target_endian = "little")] // the mark is compared in host order
fn golden_meta_mark() {
    golden(META_MARK, &Expr::meta_mark_eq(0x10), &mut TestRefs::none());
}

#[test]
fn golden_iifname() {
    golden(
        IIFNAME,
        &Expr::meta_iifname_eq("eth0"),
        &mut TestRefs::none(),
    );
}

/// The ct state mask is host order (`06 00 00 00` on x86_64), as the model says; §7.1's
/// "32-bit BE" is wrong.
#[test]
#[cfg(target_endian = "little")]
fn golden_ct_state_is_host_order() {
    let states = [CtState::ESTABLISHED, CtState::RELATED];
    let exprs = cat([Expr::ct_state(&states), vec![Expr::accept()]]);
    golden(CT_STATE, &exprs, &mut TestRefs::none());
    pulled(K_CT_STATE, &exprs);
}

#[test]
fn golden_set_literal() {
    let ports = [SetElement::port(22), SetElement::port(80)];
    let exprs = cat([
        tcp(),
        vec![
            Expr::tcp_dport(),
            Expr::set_literal(KeyType::InetService, ports),
            Expr::accept(),
        ],
    ]);
    golden(
        SET_LITERAL,
        &exprs,
        &mut TestRefs::new(&[], &[("__set%d", 2)]),
    );
    let mut kernel = exprs.clone();
    kernel[3] = Expr::lookup("__set0");
    pulled(K_SET_LITERAL, &kernel);
}

#[test]
fn golden_set_literal_inverted() {
    let ports = [SetElement::port(22), SetElement::port(80)];
    let lit = SetLiteral::new(KeyType::InetService, ports).inverted();
    let exprs = cat([tcp(), vec![Expr::tcp_dport(), Expr::from(lit)]]);
    golden(
        SET_LITERAL_INVERTED,
        &exprs,
        &mut TestRefs::new(&[], &[("__set%d", 6)]),
    );
}

#[test]
fn golden_vmap_literal() {
    let lit = VmapLiteral::new(
        KeyType::InetService,
        [(SetElement::port(22), Verdict::Accept)],
    );
    let exprs = cat([tcp(), vec![Expr::tcp_dport(), Expr::from(lit)]]);
    golden(
        VMAP_LITERAL,
        &exprs,
        &mut TestRefs::new(&[], &[("__map%d", 3)]),
    );
}

#[test]
fn golden_named_lookups() {
    let refs = || TestRefs::new(&[("e", 3), ("mm", 5)], &[]);
    golden(
        LOOKUP_NAMED,
        &[Expr::ip_saddr(), Expr::lookup("e")],
        &mut refs(),
    );
    golden(
        LOOKUP_INVERTED,
        &[Expr::ip_saddr(), Expr::lookup_inverted("e")],
        &mut refs(),
    );
    let meta_set = Expr::unknown("meta", h("08000200000000030800030000000001"));
    golden(
        MAP_LOOKUP,
        &[Expr::ip_saddr(), Expr::lookup_map("mm", Reg::R1), meta_set],
        &mut refs(),
    );
}

// ------------------------------------------------------------------ golden: stateful

#[test]
fn golden_counter() {
    golden(COUNTER, &[Expr::counter()], &mut TestRefs::none());
    pulled(K_COUNTER, &[Expr::counter()]);
}

#[test]
fn golden_limits() {
    let none = || TestRefs::none();
    golden(
        LIMIT_PKTS,
        &[Expr::limit(10, RateUnit::Second)],
        &mut none(),
    );
    let over_bytes = Expr::Limit(Limit {
        rate: 1 << 20,
        unit: RateUnit::Second,
        burst: 0,
        bytes: true,
        over: true,
    });
    golden(LIMIT_OVER_BYTES, &[over_bytes], &mut none());
    let over_pkts = Expr::Limit(Limit {
        rate: 5,
        unit: RateUnit::Minute,
        burst: 2,
        bytes: false,
        over: true,
    });
    golden(LIMIT_OVER_PKTS, &[over_pkts], &mut none());
}

#[test]
fn golden_quotas() {
    golden(QUOTA, &[Expr::quota(100 << 20)], &mut TestRefs::none());
    let over = Expr::Quota(Quota {
        bytes: 1 << 30,
        over: true,
        consumed: 10,
    });
    golden(QUOTA_OVER_USED, &[over], &mut TestRefs::none());
}

#[test]
fn golden_objref() {
    let e = Expr::objref(ObjectType::Counter, "c");
    golden(OBJREF, std::slice::from_ref(&e), &mut TestRefs::none());
    pulled(K_OBJREF, &[e]);
}

#[test]
fn golden_dynsets() {
    let ids = [("s", 1), ("s2", 2), ("m", 4)];
    golden(
        DYNSET_UPDATE,
        &[Expr::ip_saddr(), update_s()],
        &mut TestRefs::new(&ids, &[]),
    );
    pulled(K_DYNSET_UPDATE, &[Expr::ip_saddr(), update_s()]);
    golden(
        DYNSET_TWO_EXPRS,
        &[Expr::ip_saddr(), two_expr_dynset(None)],
        &mut TestRefs::new(&ids, &[]),
    );
    // The kernel reports no timeout as 0 and drops NFT_DYNSET_F_EXPR.
    pulled(
        K_DYNSET_TWO_EXPRS,
        &[Expr::ip_saddr(), two_expr_dynset(None)],
    );
    let add = Expr::from(Dynset {
        set: "m".into(),
        op: DynsetOp::Add,
        sreg_key: Reg::R1,
        sreg_data: Some(Reg::R2),
        timeout_ms: None,
        exprs: vec![],
    });
    golden(
        DYNSET_MAP,
        &[
            Expr::ip_saddr(),
            Expr::immediate(Reg::R2, h("01000000")),
            add,
        ],
        &mut TestRefs::new(&ids, &[]),
    );
    let mut delete = Expr::dynset("s", DynsetOp::Delete);
    golden(
        DYNSET_DELETE,
        &[Expr::ip_saddr(), delete.clone()],
        &mut TestRefs::new(&ids, &[]),
    );
    // Without a batch id (set already in the kernel) there is no SET_ID.
    let mut buf = Vec::new();
    encode(
        &mut AttrWriter::new(&mut buf),
        &delete,
        &mut TestRefs::none(),
    )
    .unwrap();
    assert_eq!(decode(payload_of(&buf)).unwrap(), delete);
    if let Expr::Dynset(dynset) = &mut delete {
        dynset.timeout_ms = Some(0);
    }
    assert!(enc_all(&[delete], &mut TestRefs::none()).is_err());
}

#[test]
fn golden_logs() {
    let none = || TestRefs::none();
    golden(
        LOG_PREFIX_GROUP,
        &[Expr::log_group(5, Some("x"))],
        &mut none(),
    );
    let level = Expr::from(Log {
        group: None,
        prefix: None,
        snaplen: None,
        qthreshold: None,
        level: Some(4),
        flags: LogFlags::from_bits_retain(0x2f),
    });
    golden(LOG_LEVEL_FLAGS, &[level], &mut none());
    let full = Expr::from(Log {
        group: Some(2),
        prefix: Some("p".into()),
        snaplen: Some(64),
        qthreshold: Some(10),
        level: None,
        flags: LogFlags::empty(),
    });
    golden(LOG_FULL, &[full], &mut none());
}

// ------------------------------------------------------------------ golden: verdicts

#[test]
fn golden_rejects() {
    let none = || TestRefs::none();
    let tcp_reset = cat([tcp(), vec![Expr::reject(RejectType::TcpReset)]]);
    golden(REJECT_TCP_RESET, &tcp_reset, &mut none());
    // The kernel leaves the code out of a TCP reset.
    pulled(K_REJECT_TCP_RESET, &tcp_reset);
    golden(
        REJECT,
        &[Expr::reject(RejectType::IcmpUnreach)],
        &mut none(),
    );
    golden(
        REJECT_ICMPX,
        &[Expr::reject(RejectType::IcmpxUnreach)],
        &mut none(),
    );
    golden(
        REJECT_ICMP,
        &[Expr::reject_with(RejectType::IcmpUnreach, 1)],
        &mut none(),
    );
}

#[test]
fn golden_jump_goto() {
    golden(JUMP, &[Expr::jump("other")], &mut TestRefs::none());
    golden(GOTO, &[Expr::goto("other")], &mut TestRefs::none());
}

/// nft writes `queue` as its own expression (kept raw); the model's `Verdict::Queue`
/// goes out as an immediate verdict and round-trips.
#[test]
fn queue_expression_is_unknown_and_queue_verdict_round_trips() {
    for elem in [QUEUE[0], QUEUE_BYPASS[0]] {
        assert!(matches!(dec(elem), Expr::Unknown(ref raw) if raw.name == "queue"));
    }
    let e = Expr::verdict(Verdict::Queue(3));
    let bytes = enc_all(std::slice::from_ref(&e), &mut TestRefs::none()).unwrap();
    assert_eq!(decode(payload_of(&bytes)).unwrap(), e);
    // code NF_QUEUE | 3 << 16
    assert!(crate::hex::encode(&bytes).ends_with("0800010000030003"));
    // The bypass flag (0x8000) is not modelled: the immediate stays raw.
    let mut bypass = bytes.clone();
    let n = bypass.len();
    bypass[n - 2] = 0x80;
    assert!(matches!(
        decode(payload_of(&bypass)).unwrap(),
        Expr::Unknown(_)
    ));
}

// ------------------------------------------------------------------ golden: nat

#[test]
fn golden_dnat() {
    let exprs = cat([tcp(), dnat_to(ip!("10.0.0.1"), 80)]);
    golden(DNAT, &exprs, &mut TestRefs::none());
    // The kernel reports map_ips and the max registers equal to the min ones.
    pulled(K_DNAT, &exprs);
    golden(
        DNAT_IP6,
        &dnat_to(ip!("2001:db8::1"), None),
        &mut TestRefs::none(),
    );
}

#[test]
fn golden_dnat_ranges() {
    let exprs = cat([
        tcp(),
        vec![
            Expr::immediate(Reg::R1, [10, 0, 0, 1]),
            Expr::immediate(Reg::R2, [10, 0, 0, 9]),
            Expr::immediate(Reg::R3, [0, 80]),
            Expr::immediate(Reg::R4, [0, 90]),
            Expr::from(Nat {
                kind: NatType::Dnat,
                family: Family::Ip,
                reg_addr_min: Some(Reg::R1),
                reg_addr_max: Some(Reg::R2),
                reg_proto_min: Some(Reg::R3),
                reg_proto_max: Some(Reg::R4),
                flags: NatFlags::MAP_IPS | NatFlags::PROTO_SPECIFIED | NatFlags::PERSISTENT,
            }),
        ],
    ]);
    golden(DNAT_RANGES, &exprs, &mut TestRefs::none());
}

#[test]
fn golden_snat_range() {
    golden(SNAT_RANGE, &snat_range(), &mut TestRefs::none());
    pulled(K_SNAT_RANGE, &snat_range());
}

#[test]
fn golden_masquerade() {
    let none = || TestRefs::none();
    let flags = NatFlags::RANDOM | NatFlags::PERSISTENT;
    golden(MASQUERADE, &masquerade_with(flags, None), &mut none());
    let range = cat([
        tcp(),
        masquerade_with(NatFlags::FULLY_RANDOM, Some((1000, 2000))),
    ]);
    golden(MASQ_PORT_RANGE, &range, &mut none());
    let port = cat([
        tcp(),
        masquerade_with(NatFlags::empty(), Some((1000, 1000))),
    ]);
    golden(MASQ_PORT, &port, &mut none());
    pulled(K_MASQ_PORT, &port);
}

#[test]
fn golden_redirect() {
    let none = || TestRefs::none();
    let port = cat([tcp(), redirect(8080)]);
    golden(REDIRECT, &port, &mut none());
    pulled(K_REDIRECT, &port);
    let range = cat([tcp(), redirect_with(NatFlags::RANDOM, Some((10, 20)))]);
    golden(REDIRECT_RANGE, &range, &mut none());
    golden(REDIRECT_BARE, &redirect(None), &mut none());
}

#[test]
fn nat_non_canonical_values_are_refused() {
    let base = |flags, addr_max, proto_min, proto_max| {
        Expr::from(Nat {
            kind: NatType::Dnat,
            family: Family::Ip,
            reg_addr_min: Some(Reg::R1),
            reg_addr_max: addr_max,
            reg_proto_min: proto_min,
            reg_proto_max: proto_max,
            flags,
        })
    };
    let both = NatFlags::MAP_IPS | NatFlags::PROTO_SPECIFIED;
    let refused = [
        base(NatFlags::empty(), None, None, None),
        base(NatFlags::MAP_IPS, None, Some(Reg::R2), None),
        base(both, Some(Reg::R1), Some(Reg::R2), None),
        base(both, None, Some(Reg::R2), Some(Reg::R2)),
        Expr::Masquerade(Masquerade {
            flags: NatFlags::empty(),
            reg_proto_min: Some(Reg::R1),
            reg_proto_max: None,
        }),
        Expr::Redirect(Redirect {
            flags: NatFlags::PROTO_SPECIFIED,
            reg_proto_min: Some(Reg::R1),
            reg_proto_max: Some(Reg::R1),
        }),
    ];
    for e in refused {
        let err = enc_all(std::slice::from_ref(&e), &mut TestRefs::none());
        assert!(
            matches!(err, Err(crate::Error::Encode { .. })),
            "{e:?}: {err:?}"
        );
    }
    assert!(
        enc_all(
            &[base(both, None, Some(Reg::R2), None)],
            &mut TestRefs::none()
        )
        .is_ok()
    );
}

// ------------------------------------------------------------------ unknown, errors

#[test]
fn unknown_expressions_survive_byte_for_byte() {
    let cases = [
        FIB[0],
        NUMGEN[0],
        NUMGEN[1],
        MAP_LOOKUP[2],
        QUEUE[0],
        QUEUE_BYPASS[0],
    ];
    for elem in cases {
        let bytes = h(elem);
        let e = decode(payload_of(&bytes)).unwrap();
        assert!(matches!(e, Expr::Unknown(_)), "{e:?}");
        let again = enc_all(&[e], &mut TestRefs::none()).unwrap();
        assert_eq!(crate::hex::encode(&again), elem);
    }
    // The cmp after the fib load is typed: host-order 2 (RTN_LOCAL).
    assert_eq!(dec(FIB[1]), Expr::cmp_eq(2u32.to_le_bytes()),);
}

/// `NFTA_EXPR_NAME` + `NFTA_EXPR_DATA` of `name` with the data in `hex`.
fn raw_elem(name: &str, hex: &str) -> Vec<u8> {
    elem_payload(name, &h(hex))
}

#[test]
fn dump_only_attributes_are_dropped_from_unknown_data() {
    // (name, what the kernel 6.18 dumps, what nft 1.0.6 sends, attribute order aside)
    let cases = [
        // tcp option maxseg size set 1360: the kernel adds FLAGS 0, refused with SREG.
        (
            "exthdr",
            "080007000000000105000200020000000800030000000002080004000000000208000500000000000800060000000001",
            "08000700000000010500020002000000080003000000000208000400000000020800060000000001",
        ),
        // reset tcp option sack-perm: OFFSET, LEN and FLAGS 0 are refused by the strip.
        (
            "exthdr",
            "05000200040000000800030000000000080004000000000008000500000000000800060000000001",
            "05000200040000000800060000000001",
        ),
        // osf name "Linux": FLAGS 0 is refused (only NFT_OSF_F_VERSION is taken).
        (
            "osf",
            "050002000000000008000300000000000800010000000001",
            "05000200000000000800010000000001",
        ),
    ];
    for (name, dumped, sent) in cases {
        let e = decode(&raw_elem(name, dumped)).unwrap();
        assert_eq!(e, Expr::unknown(name, h(sent)), "{name} {dumped}");
        // What nft sends is kept as it is.
        assert_eq!(decode(&raw_elem(name, sent)).unwrap(), e);
    }
    // Reads keep FLAGS (tcp option maxseg size 1400, sack-perm exists), as do osf
    // version matches and malformed data.
    for (name, data) in [
        (
            "exthdr",
            "080001000000000105000200020000000800030000000002080004000000000208000500000000000800060000000001",
        ),
        (
            "exthdr",
            "080001000000000105000200040000000800030000000000080004000000000108000500000000010800060000000001",
        ),
        ("osf", "050002000000000008000300000000010800010000000001"),
        ("osf", "0500020000000000080003000000"),
    ] {
        let mut data = h(data);
        data.truncate(data.len() / 4 * 4);
        assert_eq!(
            decode(&elem_payload(name, &data)).unwrap(),
            Expr::unknown(name, data),
            "{name}"
        );
    }
}

#[test]
fn missing_name_is_an_error() {
    let mut buf = Vec::new();
    let mut w = AttrWriter::new(&mut buf);
    let n = w.begin_nest(ex::NFTA_EXPR_DATA, true);
    w.end_nest(n).unwrap();
    assert!(decode(&buf).is_err());
    assert!(decode(&[]).is_err());
    assert!(decode(&[5, 0, 1]).is_err());
}

#[test]
fn misfits_become_unknown() {
    // Each is a typed expression with one thing the model cannot hold.
    let cases: [(&str, &str); 7] = [
        // cmp op 6
        (
            "cmp",
            "0800010000000001080002000000000608000380050001000600000000",
        ),
        // payload with an SREG (a payload write)
        (
            "payload",
            "08000100000000010800020000000001080003000000000c0800040000000004080005000000000100",
        ),
        // limit unit 7 s
        ("limit", "0c000100000000000000000a0c0002000000000000000007"),
        // reject code of 2 bytes
        ("reject", "08000100000000000600020003000000"),
        // duplicate meta key
        ("meta", "08000200000000030800020000000003"),
        // bitwise shift
        (
            "bitwise",
            "0800010000000001080002000000000108000300000000040800060000000001",
        ),
        // lookup flags 2
        (
            "lookup",
            "06000100730000000800020000000001080005000000000200",
        ),
    ];
    for (name, data) in cases {
        let mut data = h(data);
        data.truncate(data.len() / 4 * 4);
        let mut buf = Vec::new();
        let mut w = AttrWriter::new(&mut buf);
        w.put_str(ex::NFTA_EXPR_NAME, name).unwrap();
        let n = w.begin_nest(ex::NFTA_EXPR_DATA, true);
        w.buffer().extend_from_slice(&data);
        w.end_nest(n).unwrap();
        let e = decode(&buf).unwrap();
        assert_eq!(e, Expr::unknown(name, data), "{name}");
    }
}

#[test]
fn strings_with_nul_are_refused() {
    for e in [
        Expr::lookup("a\0b"),
        Expr::objref(ObjectType::Counter, "c\0"),
        Expr::jump("x\0y"),
        Expr::unknown("f\0b", vec![]),
    ] {
        assert!(enc_all(&[e], &mut TestRefs::none()).is_err());
    }
}

#[test]
fn literal_without_anonymous_set_is_an_error() {
    let lit = Expr::set_literal(KeyType::InetService, [SetElement::port(1)]);
    assert!(enc_all(&[lit], &mut TestRefs::none()).is_err());
}

#[test]
fn nested_dynsets_are_bounded() {
    let mut e = Expr::counter();
    for _ in 0..64 {
        e = Expr::from(Dynset {
            set: "s".into(),
            op: DynsetOp::Add,
            sreg_key: Reg::R1,
            sreg_data: None,
            timeout_ms: None,
            exprs: vec![e],
        });
    }
    let bytes = enc_all(&[e], &mut TestRefs::none()).unwrap();
    // Deep levels stay raw; nothing overflows and re-encoding gives the same bytes.
    let d = decode(payload_of(&bytes)).unwrap();
    assert_eq!(enc_all(&[d], &mut TestRefs::none()).unwrap(), bytes);
}

// ------------------------------------------------------------------ properties

/// The expression names the model types.
const KNOWN: &[&str] = &[
    "payload",
    "meta",
    "cmp",
    "bitwise",
    "ct",
    "lookup",
    "reject",
    "counter",
    "limit",
    "quota",
    "dynset",
    "objref",
    "log",
    "immediate",
    "nat",
    "masq",
    "redir",
];

/// Registers, valid ones more often.
fn arb_reg() -> impl Strategy<Value = Reg> {
    prop_oneof![(0u32..24).prop_map(Reg), any::<u32>().prop_map(Reg)]
}

/// Set, chain, object names and prefixes (no NUL).
fn arb_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_%.-]{0,16}"
}

/// Register data.
fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..20)
}

/// Every verdict.
fn arb_verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        Just(Verdict::Accept),
        Just(Verdict::Drop),
        Just(Verdict::Continue),
        Just(Verdict::Return),
        arb_name().prop_map(Verdict::Jump),
        arb_name().prop_map(Verdict::Goto),
        any::<u16>().prop_map(Verdict::Queue),
    ]
}

/// `(min, max)` registers in canonical form (no max equal to min).
fn arb_range() -> impl Strategy<Value = (Option<Reg>, Option<Reg>)> {
    (
        proptest::option::of(arb_reg()),
        proptest::option::of(arb_reg()),
    )
        .prop_map(|(min, max)| (min, range_max(min, max)))
}

/// Flags with the bits the registers imply.
fn canonical_flags(bits: u32, addr: Option<Reg>, proto: Option<Reg>) -> NatFlags {
    let mut flags = NatFlags::from_bits_retain(bits);
    if addr.is_some() {
        flags.insert(NatFlags::MAP_IPS);
    }
    if proto.is_some() {
        flags.insert(NatFlags::PROTO_SPECIFIED);
    }
    flags
}

/// Every variant except dynset and the literals.
fn arb_leaf() -> BoxedStrategy<Expr> {
    let unknown_name =
        "[a-z]{1,8}".prop_filter("not a modelled name", |n| !KNOWN.contains(&n.as_str()));
    prop_oneof![
        (any::<u32>(), any::<u32>(), any::<u32>(), arb_reg()).prop_map(
            |(base, offset, len, dreg)| checked(
                Payload {
                    base: PayloadBase::from_number(base),
                    offset,
                    len,
                    dreg,
                }
                .checked()
            )
        ),
        (any::<u32>(), arb_reg()).prop_map(|(key, dreg)| checked(
            Meta {
                key: MetaKey::from_number(key),
                dreg
            }
            .checked()
        )),
        (arb_reg(), select(CmpOp::ALL), arb_bytes()).prop_map(|(sreg, op, data)| checked(
            Cmp {
                sreg,
                op,
                data: data.into()
            }
            .checked()
        )),
        (arb_reg(), arb_reg(), any::<u32>(), arb_bytes(), arb_bytes()).prop_map(
            |(sreg, dreg, len, mask, xor)| checked(
                Bitwise {
                    sreg,
                    dreg,
                    len,
                    mask,
                    xor
                }
                .checked()
            )
        ),
        (any::<u32>(), arb_reg()).prop_map(|(key, dreg)| checked(
            Ct {
                key: CtKey::from_number(key),
                dreg
            }
            .checked()
        )),
        (
            arb_name(),
            arb_reg(),
            proptest::option::of(arb_reg()),
            any::<bool>()
        )
            .prop_map(|(set, sreg, dreg, inverted)| checked(
                Lookup {
                    set: set.into(),
                    sreg,
                    dreg,
                    inverted
                }
                .checked()
            )),
        (select(RejectType::ALL), any::<u8>())
            .prop_map(|(kind, code)| checked(Reject { kind, code }.checked())),
        (any::<u64>(), any::<u64>())
            .prop_map(|(packets, bytes)| Expr::Counter(Counter { packets, bytes })),
        (
            any::<u64>(),
            select(RateUnit::ALL),
            any::<u32>(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(rate, unit, burst, bytes, over)| Expr::Limit(Limit {
                rate,
                unit,
                burst,
                bytes,
                over
            })),
        (any::<u64>(), any::<bool>(), any::<u64>()).prop_map(|(bytes, over, consumed)| {
            Expr::Quota(Quota {
                bytes,
                over,
                consumed,
            })
        }),
        (any::<u32>(), arb_name()).prop_map(|(kind, name)| Expr::Objref(Objref {
            kind: ObjectType::from_number(kind),
            name
        })),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(arb_name()),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u32>()),
            any::<u32>()
        )
            .prop_map(|(group, prefix, snaplen, qthreshold, level, flags)| {
                checked(
                    Log {
                        group,
                        prefix,
                        snaplen,
                        qthreshold,
                        level,
                        flags: LogFlags::from_bits_retain(flags),
                    }
                    .checked(),
                )
            }),
        (arb_reg(), arb_verdict()).prop_map(|(dreg, v)| checked(
            Immediate {
                dreg,
                data: ImmediateData::Verdict(v)
            }
            .checked()
        )),
        (arb_reg(), arb_bytes())
            .prop_map(|(dreg, data)| checked(Immediate::new(dreg, ImmediateData::Value(data)))),
        (
            select(NatType::ALL),
            select(Family::ALL),
            arb_range(),
            arb_range(),
            any::<u32>()
        )
            .prop_map(|(kind, family, (amin, amax), (pmin, pmax), bits)| {
                checked(
                    Nat {
                        kind,
                        family,
                        reg_addr_min: amin,
                        reg_addr_max: amax,
                        reg_proto_min: pmin,
                        reg_proto_max: pmax,
                        flags: canonical_flags(bits, amin, pmin),
                    }
                    .checked(),
                )
            }),
        (arb_range(), any::<u32>()).prop_map(|((min, max), bits)| checked(Masquerade::new(
            canonical_flags(bits, None, min),
            min,
            max
        ))),
        (arb_range(), any::<u32>()).prop_map(|((min, max), bits)| checked(Redirect::new(
            canonical_flags(bits, None, min),
            min,
            max
        ))),
        (unknown_name, vec(any::<u8>(), 0..40)).prop_map(|(name, data)| Expr::unknown(name, data)),
    ]
    .boxed()
}

/// A checked expression, or a counter where the arbitrary fields fail the kind's checks
/// (the decoder keeps those as unknown bytes).
fn checked<T: Into<Expr>>(built: Result<T, crate::Reason>) -> Expr {
    built.map_or_else(|_| Expr::counter(), Into::into)
}

/// Every variant the decoder gives back (all but the literals).
fn arb_expr() -> impl Strategy<Value = Expr> {
    let dynset = (
        arb_name(),
        select(DynsetOp::ALL),
        arb_reg(),
        proptest::option::of(arb_reg()),
        proptest::option::of(1u64..),
        vec(arb_leaf(), 0..4),
    )
        .prop_map(|(set, op, sreg_key, sreg_data, timeout_ms, exprs)| {
            checked(
                Dynset {
                    set,
                    op,
                    sreg_key,
                    sreg_data,
                    timeout_ms,
                    exprs,
                }
                .checked(),
            )
        });
    prop_oneof![4 => arb_leaf(), 1 => dynset]
}

/// One attribute: header, payload, padding.
fn attr_bytes(raw_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = Vec::new();
    AttrWriter::new(&mut buf).put(raw_type, payload).unwrap();
    buf
}

/// Attribute payloads of the sizes and values expressions use.
fn arb_payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0u32..8).prop_map(|v| v.to_be_bytes().to_vec()),
        any::<u32>().prop_map(|v| v.to_be_bytes().to_vec()),
        any::<u64>().prop_map(|v| v.to_be_bytes().to_vec()),
        any::<u16>().prop_map(|v| v.to_be_bytes().to_vec()),
        any::<u8>().prop_map(|v| vec![v]),
        "[a-z]{0,6}".prop_map(|s| {
            let mut v = s.into_bytes();
            v.push(0);
            v
        }),
        vec(any::<u8>(), 0..12),
    ]
}

/// A random but well-formed `NFTA_EXPR_DATA` payload: plain attributes and nests (data
/// nests, verdict nests, nested expressions).
fn arb_data() -> impl Strategy<Value = Vec<u8>> {
    let leaf = (1u16..=11, arb_payload()).prop_map(|(k, p)| attr_bytes(k, &p));
    let inner = || {
        vec(
            (1u16..=3, arb_payload()).prop_map(|(k, p)| attr_bytes(k, &p)),
            0..3,
        )
        .prop_map(|v| v.concat())
    };
    let nest = (1u16..=11, inner())
        .prop_map(|(k, p)| attr_bytes(k | linx_netlink_codec::consts::NLA_F_NESTED, &p));
    let verdict = (1u16..=11, inner())
        .prop_map(|(k, p)| attr_bytes(k | 0x8000, &attr_bytes(d::NFTA_DATA_VERDICT | 0x8000, &p)));
    let expr = (
        7u16..=7,
        select(KNOWN),
        vec(
            (1u16..=6, arb_payload()).prop_map(|(k, p)| attr_bytes(k, &p)),
            0..4,
        ),
    )
        .prop_map(|(k, name, attrs)| attr_bytes(k | 0x8000, &elem_payload(name, &attrs.concat())));
    vec(
        prop_oneof![4 => leaf, 2 => nest, 1 => verdict, 1 => expr],
        0..7,
    )
    .prop_map(|v| v.concat())
}

/// `NFTA_EXPR_NAME` + `NFTA_EXPR_DATA` as nft writes them.
fn elem_payload(name: &str, data: &[u8]) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = AttrWriter::new(&mut buf);
    w.put_str(ex::NFTA_EXPR_NAME, name).unwrap();
    let n = w.begin_nest(ex::NFTA_EXPR_DATA, true);
    w.buffer().extend_from_slice(data);
    w.end_nest(n).unwrap();
    buf
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// pull ∘ push = identity for every expression the encoder accepts.
    #[test]
    fn decode_encode_round_trip(e in arb_expr()) {
        let bytes = enc_all(std::slice::from_ref(&e), &mut EvenRefs).unwrap();
        prop_assert_eq!(decode(payload_of(&bytes)).unwrap(), e);
    }

    /// Literals come back as lookups of their anonymous set.
    #[test]
    fn literals_come_back_as_lookups(sreg in arb_reg().prop_filter("a valid register", |r| r.is_valid()), inverted in any::<bool>(), vmap in any::<bool>()) {
        let e = if vmap {
            let mut lit = VmapLiteral::new(KeyType::Mark, [(SetElement::mark(1), Verdict::Drop)]);
            lit.sreg = sreg;
            Expr::from(lit)
        } else {
            let mut lit = SetLiteral::new(KeyType::Mark, [SetElement::mark(1)]);
            lit.sreg = sreg;
            lit.inverted = inverted;
            Expr::from(lit)
        };
        let bytes = enc_all(std::slice::from_ref(&e), &mut EvenRefs).unwrap();
        let mut anon = std::iter::once("__set%d");
        prop_assert_eq!(decode(payload_of(&bytes)).unwrap(), as_pulled(&e, &mut anon));
    }

    /// Arbitrary bytes never panic the decoder.
    #[test]
    fn decode_never_panics(bytes in vec(any::<u8>(), 0..300)) {
        let _ = decode(&bytes);
    }

    /// Truncated golden elements never panic the decoder.
    #[test]
    fn truncated_golden_never_panics(i in 0usize..64, cut in 0usize..400) {
        let all = [IP_SADDR_ACCEPT, CT_STATE, DYNSET_UPDATE, DYNSET_TWO_EXPRS, DNAT_RANGES, LOG_FULL, MAP_LOOKUP];
        let elems: Vec<&str> = all.iter().flat_map(|r| r.iter().copied()).collect();
        let bytes = h(elems[i % elems.len()]);
        let payload = payload_of(&bytes);
        let _ = decode(&payload[..cut.min(payload.len())]);
    }

    /// Well-formed nests with a modelled name and random data: no panic; raw results
    /// re-encode byte for byte; typed results survive another encode/decode.
    #[test]
    fn random_nests_decode_losslessly(name in select(KNOWN), data in arb_data()) {
        let payload = elem_payload(name, &data);
        let e = decode(&payload).unwrap();
        let again = enc_all(std::slice::from_ref(&e), &mut EvenRefs).unwrap();
        match &e {
            Expr::Unknown(_) => prop_assert_eq!(payload_of(&again), &payload[..]),
            typed => prop_assert_eq!(&decode(payload_of(&again)).unwrap(), typed),
        }
    }
}

/// `put_name` writes exactly what `put_str` writes, for names of every length around its
/// fixed-size room.
#[test]
fn put_name_is_put_str() {
    let text = "abcdefghijklmnopqrstuvwxyz";
    for n in 0..=20 {
        let name = &text[..n];
        let (mut fast, mut slow) = (vec![7u8], vec![7u8]);
        super::put_name(&mut Writer::new(&mut fast), name).unwrap();
        Writer::new(&mut slow)
            .put_str(ex::NFTA_EXPR_NAME, name)
            .unwrap();
        assert_eq!(fast, slow, "name of {n} bytes");
    }
}
