//! Values as nft prints them, by datatype: symbol tables (ICMP types, TCP flags, conntrack
//! states, protocol names ...), hex marks, quoted interface names.
//!
//! # Contract
//! - Every function returns text for any input (numbers nft has no name for print as nft
//!   prints them: decimal, or hex for hex types); nothing panics.
//! - Protocol names are those of a stock `/etc/protocols` (nft asks `getprotobynumber`).

use std::fmt::Write;

use crate::expr::ByteOrder;
use crate::set::{ElemValue, KeyType, SetElement};
use crate::stmt::{Datatype, Field, Value};

use super::Printer;

type Sym = &'static [(u64, &'static str)];

const ICMP_TYPE: Sym = &[
    (0, "echo-reply"),
    (3, "destination-unreachable"),
    (4, "source-quench"),
    (5, "redirect"),
    (8, "echo-request"),
    (9, "router-advertisement"),
    (10, "router-solicitation"),
    (11, "time-exceeded"),
    (12, "parameter-problem"),
    (13, "timestamp-request"),
    (14, "timestamp-reply"),
    (15, "info-request"),
    (16, "info-reply"),
    (17, "address-mask-request"),
    (18, "address-mask-reply"),
];
const ICMP_CODE: Sym = &[
    (0, "net-unreachable"),
    (1, "host-unreachable"),
    (2, "prot-unreachable"),
    (3, "port-unreachable"),
    (4, "frag-needed"),
    (9, "net-prohibited"),
    (10, "host-prohibited"),
    (13, "admin-prohibited"),
];
const ICMPV6_TYPE: Sym = &[
    (1, "destination-unreachable"),
    (2, "packet-too-big"),
    (3, "time-exceeded"),
    (4, "parameter-problem"),
    (128, "echo-request"),
    (129, "echo-reply"),
    (130, "mld-listener-query"),
    (131, "mld-listener-report"),
    (132, "mld-listener-done"),
    (133, "nd-router-solicit"),
    (134, "nd-router-advert"),
    (135, "nd-neighbor-solicit"),
    (136, "nd-neighbor-advert"),
    (137, "nd-redirect"),
    (138, "router-renumbering"),
    (141, "ind-neighbor-solicit"),
    (142, "ind-neighbor-advert"),
    (143, "mld2-listener-report"),
];
const ICMPV6_CODE: Sym = &[
    (0, "no-route"),
    (1, "admin-prohibited"),
    (3, "addr-unreachable"),
    (4, "port-unreachable"),
    (5, "policy-fail"),
    (6, "reject-route"),
];
/// `icmpx` codes (reject).
pub(crate) const ICMPX_CODE: Sym = &[
    (0, "no-route"),
    (1, "port-unreachable"),
    (2, "host-unreachable"),
    (3, "admin-prohibited"),
];
const CT_STATE: Sym = &[
    (1, "invalid"),
    (2, "established"),
    (4, "related"),
    (8, "new"),
    (64, "untracked"),
];
const CT_STATUS: Sym = &[
    (1, "expected"),
    (2, "seen-reply"),
    (4, "assured"),
    (8, "confirmed"),
    (16, "snat"),
    (32, "dnat"),
    (512, "dying"),
];
const CT_DIR: Sym = &[(0, "original"), (1, "reply")];
const CT_EVENT: Sym = &[
    (1, "new"),
    (2, "related"),
    (4, "destroy"),
    (8, "reply"),
    (16, "assured"),
    (32, "protoinfo"),
    (64, "helper"),
    (128, "mark"),
    (256, "seqadj"),
    (512, "secmark"),
    (1024, "label"),
];
const TCP_FLAG: Sym = &[
    (1, "fin"),
    (2, "syn"),
    (4, "rst"),
    (8, "psh"),
    (16, "ack"),
    (32, "urg"),
    (64, "ecn"),
    (128, "cwr"),
];
const PKTTYPE: Sym = &[
    (0, "host"),
    (1, "broadcast"),
    (2, "multicast"),
    (3, "other"),
];
const NFPROTO: Sym = &[(2, "ipv4"), (10, "ipv6")];
const ETHERTYPE: Sym = &[
    (0x0800, "ip"),
    (0x0806, "arp"),
    (0x86dd, "ip6"),
    (0x8100, "8021q"),
    (0x88a8, "8021ad"),
];
const ARPOP: Sym = &[
    (1, "request"),
    (2, "reply"),
    (3, "rrequest"),
    (4, "rreply"),
    (8, "inrequest"),
    (9, "inreply"),
    (10, "nak"),
];
const ARPHRD: Sym = &[
    (1, "ether"),
    (512, "ppp"),
    (768, "ipip"),
    (769, "ipip6"),
    (772, "loopback"),
    (776, "sit"),
    (778, "ipgre"),
];
const DSCP: Sym = &[
    (0, "cs0"),
    (1, "lephb"),
    (8, "cs1"),
    (10, "af11"),
    (12, "af12"),
    (14, "af13"),
    (16, "cs2"),
    (18, "af21"),
    (20, "af22"),
    (22, "af23"),
    (24, "cs3"),
    (26, "af31"),
    (28, "af32"),
    (30, "af33"),
    (32, "cs4"),
    (34, "af41"),
    (36, "af42"),
    (38, "af43"),
    (40, "cs5"),
    (46, "ef"),
    (48, "cs6"),
    (56, "cs7"),
];
const ECN: Sym = &[(0, "not-ect"), (1, "ect1"), (2, "ect0"), (3, "ce")];
const IGMP_TYPE: Sym = &[
    (0x11, "membership-query"),
    (0x12, "membership-report-v1"),
    (0x16, "membership-report-v2"),
    (0x17, "leave-group"),
    (0x22, "membership-report-v3"),
];
const DCCP_PKTTYPE: Sym = &[
    (0, "request"),
    (1, "response"),
    (2, "data"),
    (3, "ack"),
    (4, "dataack"),
    (5, "closereq"),
    (6, "close"),
    (7, "reset"),
    (8, "sync"),
    (9, "syncack"),
];
const BOOLEAN: Sym = &[(0, "missing"), (1, "exists")];
/// Mobility Header types (nft's `mh_type`, RFC 6275 and RFC 5568 numbers).
const MH_TYPE: Sym = &[
    (0, "binding-refresh-request"),
    (1, "home-test-init"),
    (2, "careof-test-init"),
    (3, "home-test"),
    (4, "careof-test"),
    (5, "binding-update"),
    (6, "binding-acknowledgement"),
    (7, "binding-error"),
    (8, "fast-binding-update"),
    (9, "fast-binding-acknowledgement"),
    (10, "fast-binding-advertisement"),
    (11, "experimental-mobility-header"),
    (12, "home-agent-switch-message"),
];

const DAY: Sym = &[
    (0, "Sunday"),
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
];

/// Route address types (`fib ... type`, `RTN_*`).
const FIB_ADDR: Sym = &[
    (0, "unspec"),
    (1, "unicast"),
    (2, "local"),
    (3, "broadcast"),
    (4, "anycast"),
    (5, "multicast"),
    (6, "blackhole"),
    (7, "unreachable"),
    (8, "prohibit"),
    (9, "throw"),
    (10, "nat"),
    (11, "xresolve"),
];

/// Nanoseconds since the epoch as nft prints `meta time` in UTC: `"2030-01-01 00:00:00"`;
/// `None` for a time that is not whole seconds (nft would drop the rest).
fn date(ns: u64) -> Option<String> {
    if ns % 1_000_000_000 != 0 {
        return None;
    }
    let secs = ns / 1_000_000_000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date of a day count since 1970-01-01 (days-from-civil inverted, in eras of
    // 400 years).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    Some(format!(
        "\"{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}\"",
        rest / 3_600,
        rest / 60 % 60,
        rest % 60
    ))
}

/// Seconds since midnight as nft prints `meta hour` in UTC: `"17:30"`, `"17:30:15"`;
/// `None` past the end of the day.
fn hour(secs: u64) -> Option<String> {
    if secs >= 86_400 {
        return None;
    }
    let (h, m, s) = (secs / 3_600, secs / 60 % 60, secs % 60);
    Some(if s == 0 {
        format!("\"{h:02}:{m:02}\"")
    } else {
        format!("\"{h:02}:{m:02}:{s:02}\"")
    })
}

/// Milliseconds as nft's time type prints them: `1d2h3m4s5ms`, zero parts left out, and
/// nothing at all for 0 (nft 1.0.6 prints `ct expiration  accept`).
fn time(ms: u64) -> String {
    if ms == 0 {
        String::new()
    } else {
        super::duration(ms)
    }
}

/// `/etc/protocols` of a stock Debian system (what nft's `getprotobynumber` finds).
const PROTOCOLS: Sym = &[
    (0, "ip"),
    (1, "icmp"),
    (2, "igmp"),
    (3, "ggp"),
    (4, "ipencap"),
    (5, "st"),
    (6, "tcp"),
    (8, "egp"),
    (9, "igp"),
    (12, "pup"),
    (17, "udp"),
    (20, "hmp"),
    (22, "xns-idp"),
    (27, "rdp"),
    (29, "iso-tp4"),
    (33, "dccp"),
    (36, "xtp"),
    (37, "ddp"),
    (38, "idpr-cmtp"),
    (41, "ipv6"),
    (43, "ipv6-route"),
    (44, "ipv6-frag"),
    (45, "idrp"),
    (46, "rsvp"),
    (47, "gre"),
    (50, "esp"),
    (51, "ah"),
    (57, "skip"),
    (58, "ipv6-icmp"),
    (59, "ipv6-nonxt"),
    (60, "ipv6-opts"),
    (73, "rspf"),
    (81, "vmtp"),
    (88, "eigrp"),
    (89, "ospf"),
    (93, "ax.25"),
    (94, "ipip"),
    (97, "etherip"),
    (98, "encap"),
    (103, "pim"),
    (108, "ipcomp"),
    (112, "vrrp"),
    (115, "l2tp"),
    (124, "isis"),
    (132, "sctp"),
    (133, "fc"),
    (135, "mobility-header"),
    (136, "udplite"),
    (137, "mpls-in-ip"),
    (138, "manet"),
    (139, "hip"),
    (140, "shim6"),
    (141, "wesp"),
    (142, "rohc"),
    (143, "ethernet"),
];

fn lookup(table: Sym, n: u64) -> Option<&'static str> {
    table.iter().find(|(v, _)| *v == n).map(|(_, s)| *s)
}

/// Bits as nft prints a bitmask: names of the set bits in table order, `,`-joined; bits
/// without a name make the whole value print as hex.
fn bits(table: Sym, n: u64, width_bits: u32) -> String {
    if n == 0 {
        return hex(0, width_bits);
    }
    let mut names = Vec::new();
    let mut rest = n;
    for (bit, name) in table {
        if n & bit != 0 {
            names.push(*name);
            rest &= !bit;
        }
    }
    if rest != 0 {
        return hex(n, width_bits);
    }
    names.join(",")
}

fn hex(n: u64, width_bits: u32) -> String {
    let digits = (width_bits.div_ceil(4)).max(1) as usize;
    format!("0x{n:0digits$x}")
}

/// An integer of datatype `dt` and width `width_bits`, as nft prints it.
pub(crate) fn int(p: &Printer, dt: Datatype, n: u64, width_bits: u32) -> String {
    let named = |t: Sym| lookup(t, n).map_or_else(|| n.to_string(), str::to_owned);
    match dt {
        Datatype::Integer | Datatype::InetService | Datatype::Uid | Datatype::Gid => n.to_string(),
        Datatype::Hex => format!("0x{n:x}"),
        // nft prints raw payload ranges in hex without leading zeros.
        Datatype::Raw => format!("0x{n:x}"),
        Datatype::TcHandle => match n {
            0 => "none".to_owned(),
            0xffff_ffff => "root".to_owned(),
            n => format!("{:x}:{:x}", n >> 16, n & 0xffff),
        },
        Datatype::Mark => format!("0x{n:08x}"),
        Datatype::InetProto => named(PROTOCOLS),
        Datatype::IcmpType => named(ICMP_TYPE),
        Datatype::IcmpCode => named(ICMP_CODE),
        Datatype::Icmpv6Type => named(ICMPV6_TYPE),
        Datatype::Icmpv6Code => named(ICMPV6_CODE),
        Datatype::IcmpxCode => named(ICMPX_CODE),
        Datatype::CtDir => named(CT_DIR),
        Datatype::PktType => named(PKTTYPE),
        Datatype::NfProto => named(NFPROTO),
        Datatype::ArpOp => named(ARPOP),
        Datatype::ArpHrd => named(ARPHRD),
        Datatype::Ecn => named(ECN),
        Datatype::Boolean => named(BOOLEAN),
        Datatype::MhType => named(MH_TYPE),
        Datatype::IgmpType => named(IGMP_TYPE),
        Datatype::DccpPkttype => named(DCCP_PKTTYPE),
        Datatype::Dscp => lookup(DSCP, n).map_or_else(|| hex(n, 8), str::to_owned),
        Datatype::EtherType => lookup(ETHERTYPE, n).map_or_else(|| hex(n, 16), str::to_owned),
        Datatype::CtState => bits(CT_STATE, n, 32),
        Datatype::CtStatus => bits(CT_STATUS, n, 32),
        Datatype::CtEvent => bits(CT_EVENT, n, 32),
        Datatype::CtLabel => n.to_string(),
        Datatype::TcpFlag => bits(TCP_FLAG, n, 8),
        Datatype::DevGroup => match n {
            0 => "\"default\"".to_owned(),
            n => n.to_string(),
        },
        Datatype::Day => lookup(DAY, n).map_or_else(|| n.to_string(), |d| format!("\"{d}\"")),
        Datatype::Time => time(n),
        Datatype::FibAddr => named(FIB_ADDR),
        Datatype::Realm => match n {
            0 => "\"cosmos\"".to_owned(),
            n => n.to_string(),
        },
        // Callers of `value` get `None` for these (see there); the number otherwise.
        Datatype::Date | Datatype::Hour | Datatype::Cgroupv2 => n.to_string(),
        Datatype::IfIndex => match p.ifname(n) {
            Some(name) => format!("\"{name}\""),
            None => n.to_string(),
        },
        // Addresses and names are never integers; print what nft prints for raw data.
        _ => hex(n, width_bits),
    }
}

/// A [`Value`] of datatype `dt`, or `None` when the value's shape does not fit the type
/// (the caller then does not print the statement).
pub(crate) fn value(p: &Printer, dt: Datatype, v: &Value, width_bits: u32) -> Option<String> {
    Some(match v {
        Value::Int(n) => match dt {
            Datatype::Date => date(*n)?,
            Datatype::Hour => hour(*n)?,
            // nft prints a cgroup's path, which only the host knows.
            Datatype::Cgroupv2 => p.cgroup(*n)?,
            _ => int(p, dt, *n, width_bits),
        },
        Value::Ip(ip) => match dt {
            Datatype::Ipv4Addr | Datatype::Ipv6Addr => ip.to_string(),
            _ => return None,
        },
        Value::Prefix(net) => match dt {
            Datatype::Ipv4Addr | Datatype::Ipv6Addr => net.to_string(),
            _ => return None,
        },
        Value::Mac(mac) => match dt {
            Datatype::EtherAddr => mac.to_string(),
            _ => return None,
        },
        Value::Ifname(name) => match dt {
            Datatype::Ifname | Datatype::String => format!("\"{name}\""),
            _ => return None,
        },
        Value::Bytes(b) => match dt {
            Datatype::Raw => raw_hex(b),
            _ => return None,
        },
        // nft prints ranges numerically: DSCP bounds as hex (`0x08-0x10`), not names.
        Value::Range(r) if dt == Datatype::Dscp => match &**r {
            (Value::Int(lo), Value::Int(hi)) => format!("{}-{}", hex(*lo, 8), hex(*hi, 8)),
            _ => return None,
        },
        Value::Range(r) => format!(
            "{}-{}",
            value(p, dt, &r.0, width_bits)?,
            value(p, dt, &r.1, width_bits)?
        ),
        Value::Concat(_) | Value::Set(_) => return None,
        Value::SetRef(name) => format!("@{name}"),
    })
}

/// Big-endian bytes as one hex number without leading zeros (`0x0` for none), as nft prints
/// raw payload ranges wider than 64 bits.
fn raw_hex(bytes: &[u8]) -> String {
    let mut s = String::from("0x");
    for b in bytes.iter().skip_while(|b| **b == 0) {
        let _ = write!(s, "{b:02x}");
    }
    match s.get(2..3) {
        None => s.push('0'),
        Some("0") => {
            s.remove(2);
        }
        Some(_) => {}
    }
    s
}

/// The datatype of a set key type (scalars only).
pub(crate) fn key_datatype(key: &KeyType) -> Option<Datatype> {
    Some(match key {
        KeyType::Ipv4Addr => Datatype::Ipv4Addr,
        KeyType::Ipv6Addr => Datatype::Ipv6Addr,
        KeyType::EtherAddr => Datatype::EtherAddr,
        KeyType::InetProto => Datatype::InetProto,
        KeyType::InetService => Datatype::InetService,
        KeyType::Mark => Datatype::Mark,
        KeyType::Ifname => Datatype::Ifname,
        KeyType::CtState => Datatype::CtState,
        KeyType::Raw { type_id, .. } => raw_type(*type_id)?.1,
        KeyType::Concat(_) => return None,
    })
}

/// nft's name and datatype for a type id the model keeps raw.
pub(crate) fn raw_type(type_id: u32) -> Option<(&'static str, Datatype)> {
    Some(match type_id {
        2 => ("nf_proto", Datatype::NfProto),
        4 => ("integer", Datatype::Integer),
        10 => ("ether_type", Datatype::EtherType),
        11 => ("arp_op", Datatype::ArpOp),
        14 => ("icmp_type", Datatype::IcmpType),
        15 => ("tcp_flag", Datatype::TcpFlag),
        17 => ("mh_type", Datatype::MhType),
        16 => ("dccp_pkttype", Datatype::DccpPkttype),
        18 => ("time", Datatype::Time),
        20 => ("iface_index", Datatype::IfIndex),
        21 => ("iface_type", Datatype::ArpHrd),
        22 => ("realm", Datatype::Integer),
        23 => ("classid", Datatype::TcHandle),
        24 => ("uid", Datatype::Uid),
        25 => ("gid", Datatype::Gid),
        27 => ("ct_dir", Datatype::CtDir),
        28 => ("ct_status", Datatype::CtStatus),
        29 => ("icmpv6_type", Datatype::Icmpv6Type),
        31 => ("pkt_type", Datatype::PktType),
        32 => ("icmp_code", Datatype::IcmpCode),
        33 => ("icmpv6_code", Datatype::Icmpv6Code),
        34 => ("icmpx_code", Datatype::IcmpxCode),
        35 => ("devgroup", Datatype::DevGroup),
        36 => ("dscp", Datatype::Dscp),
        37 => ("ecn", Datatype::Ecn),
        39 => ("boolean", Datatype::Boolean),
        42 => ("igmp_type", Datatype::IgmpType),
        45 => ("day", Datatype::Day),
        _ => return None,
    })
}

/// A scalar element value of a set with key datatype `dt`; `host` says raw bytes are in
/// host order.
fn elem_value(p: &Printer, dt: Datatype, v: &ElemValue, host: bool) -> Option<String> {
    Some(match v {
        ElemValue::Ip(ip) => ip.to_string(),
        ElemValue::Mac(mac) => mac.to_string(),
        ElemValue::Proto(n) => int(p, dt, u64::from(*n), 8),
        ElemValue::Port(n) => int(p, dt, u64::from(*n), 16),
        ElemValue::Mark(n) => int(p, dt, u64::from(*n), 32),
        ElemValue::Ifname(name) => format!("\"{name}\""),
        ElemValue::CtState(s) if s.bits().count_ones() > 1 => return None,
        ElemValue::CtState(s) => int(p, dt, u64::from(s.bits()), 32),
        ElemValue::Bytes(b) => {
            if b.len() > 8 {
                return None;
            }
            let mut n: u64 = 0;
            if host && cfg!(target_endian = "little") {
                for byte in b.iter().rev() {
                    n = (n << 8) | u64::from(*byte);
                }
            } else {
                for byte in b.iter() {
                    n = (n << 8) | u64::from(*byte);
                }
            }
            if dt == Datatype::IfIndex && b.len() != 4 {
                return None;
            }
            // Several bits of a bitmask print as `fin | ack` in an element list.
            if dt.is_bitmask() && n.count_ones() > 1 {
                return None;
            }
            int(p, dt, n, b.len() as u32 * 8)
        }
    })
}

/// A set element of a set with key type `key` as nft prints it, or `None` when a part's type
/// has no nft printing known here. `host` is the key byte order recorded by nft (raw types).
pub(crate) fn element(p: &Printer, key: &KeyType, e: &SetElement, host: bool) -> Option<String> {
    let fields = key.fields();
    match e {
        SetElement::Concat(parts) => {
            if parts.len() != fields.len() || !key.is_concat() {
                return None;
            }
            let mut out = String::new();
            for (i, (part, field)) in parts.iter().zip(fields).enumerate() {
                if i > 0 {
                    out.push_str(" . ");
                }
                out.push_str(&element(p, field, part, host)?);
            }
            Some(out)
        }
        _ if key.is_concat() => None,
        // Strings (`osf name` keys, type 5) are NUL-padded in their bytes.
        SetElement::Value(ElemValue::Bytes(b))
            if matches!(key, KeyType::Raw { type_id: 5, .. }) =>
        {
            string_elem(b)
        }
        SetElement::Value(v) => elem_value(p, key_datatype(key)?, v, host),
        SetElement::Range(r) => {
            let dt = key_datatype(key)?;
            // Interval keys are big endian whatever the type.
            if !matches!(dt, Datatype::Ipv4Addr | Datatype::Ipv6Addr) {
                let (a, b) = (numeric_be(&r.0), numeric_be(&r.1));
                if a.len() == b.len() && is_prefix_range(&a, &b) {
                    return None;
                }
            }
            let lo = elem_value(p, dt, &r.0, false)?;
            let hi = elem_value(p, dt, &r.1, false)?;
            let mut s = String::new();
            let _ = write!(s, "{lo}-{hi}");
            Some(s)
        }
        SetElement::Prefix(net) => Some(net.to_string()),
    }
}

/// `"Linux"` of a NUL-padded string element; `None` for text nft would not print as is.
fn string_elem(b: &[u8]) -> Option<String> {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let s = std::str::from_utf8(b.get(..end)?).ok()?;
    if s.is_empty() || s.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
        return None;
    }
    Some(format!("\"{s}\""))
}

/// How nft breaks a set's element list: after this many elements on a line (`None`: every
/// element on its own line), by the key's type id.
pub(crate) fn per_line(key: &KeyType) -> Option<usize> {
    match key.type_id() {
        2 | 4 | 11 | 12 | 13 | 15 | 16 | 19 | 20 | 23 | 24 | 25 | 27 => Some(5),
        7 | 26 | 28 | 31 => Some(2),
        _ => None,
    }
}

/// The order nft lists set elements in: by value, each key read in its type's byte order
/// (nft compares them as numbers): big-endian types as stored, host-order types (marks,
/// conntrack states, interface names) and concatenations as little-endian numbers.
pub(crate) fn elem_sort_key(e: &SetElement, key: &KeyType, host: bool) -> Vec<u8> {
    fn bytes(e: &SetElement) -> Vec<u8> {
        match e {
            SetElement::Value(v) => v.key_bytes(),
            SetElement::Range(r) => r.0.key_bytes(),
            SetElement::Prefix(net) => net.address().to_bytes(),
            SetElement::Concat(parts) => {
                let mut out = Vec::new();
                for p in parts.iter() {
                    let mut k = bytes(p);
                    k.resize(k.len().div_ceil(4) * 4, 0);
                    out.extend(k);
                }
                out
            }
        }
    }
    // Elements of concatenations with ranges (pipapo sets) stay in the kernel's order.
    if key.is_concat() && concat_interval(e) {
        return Vec::new();
    }
    let mut k = bytes(e);
    let little = match key {
        KeyType::Mark | KeyType::CtState | KeyType::Ifname | KeyType::Concat(_) => true,
        KeyType::Raw { .. } => host,
        _ => false,
    };
    let interval_int = matches!(e, SetElement::Range(_)) && matches!(key, KeyType::Raw { .. });
    if little && cfg!(target_endian = "little") && !interval_int {
        k.reverse();
    }
    k
}

/// The order nft lists the elements of an anonymous set in a rule.
pub(crate) fn value_sort_key(v: &Value) -> Vec<u8> {
    match v {
        Value::Int(n) => n.to_be_bytes().to_vec(),
        Value::Ip(ip) => ip.to_bytes(),
        Value::Prefix(net) => net.address().to_bytes(),
        Value::Mac(m) => m.as_bytes().to_vec(),
        Value::Ifname(s) => {
            let mut b = s.as_bytes().to_vec();
            b.resize(16, 0);
            b.reverse();
            b
        }
        Value::Bytes(b) => b.clone(),
        Value::Range(r) => value_sort_key(&r.0),
        Value::Concat(parts) => parts.iter().flat_map(value_sort_key).collect(),
        Value::Set(_) | Value::SetRef(_) => Vec::new(),
    }
}

/// The bytes of a scalar value of `field`: big endian (`stored == false`), or as a set
/// stores them (`stored == true`: host-order fields such as marks in host order), the
/// field's width. `None` for values that are not one scalar.
pub(crate) fn field_bytes(field: &Field, v: &Value, stored: bool) -> Option<Vec<u8>> {
    let width = crate::stmt::bits::load_bytes(field) as usize;
    Some(match v {
        Value::Int(n) => {
            if width == 0 || width > 8 {
                return None;
            }
            // Sub-byte fields sit shifted in their bytes.
            let n = n.checked_shl(crate::stmt::bits::shift(field))?;
            let be = n.to_be_bytes()[8 - width..].to_vec();
            if stored && field.byte_order() == ByteOrder::Host && cfg!(target_endian = "little") {
                be.into_iter().rev().collect()
            } else {
                be
            }
        }
        Value::Ip(ip) => ip.to_bytes(),
        Value::Mac(m) => m.as_bytes().to_vec(),
        Value::Ifname(name) => {
            let mut b = name.as_bytes().to_vec();
            b.resize(16, 0);
            b
        }
        Value::Bytes(b) => b.clone(),
        _ => return None,
    })
}

/// The order nft lists the elements of an anonymous set or map of a concatenation in:
/// by the stored key (each field padded to 4 bytes) read as one little-endian number; sets
/// with a range or prefix in an element (the kernel's pipapo sets) keep the kernel's order
/// (an empty key for every element). `None` when a part is not a scalar of its field.
pub(crate) fn concat_sort_key(fields: &[Field], v: &Value, interval: bool) -> Option<Vec<u8>> {
    if interval {
        return Some(Vec::new());
    }
    let Value::Concat(parts) = v else { return None };
    if parts.len() != fields.len() {
        return None;
    }
    let mut out = Vec::new();
    for (f, p) in fields.iter().zip(parts) {
        let mut b = field_bytes(f, p, true)?;
        b.resize(b.len().next_multiple_of(4), 0);
        out.extend(b);
    }
    out.reverse();
    Some(out)
}

/// `true` for a concatenation element holding a range or prefix (a pipapo set's element).
fn concat_interval(e: &SetElement) -> bool {
    match e {
        SetElement::Concat(parts) => parts
            .iter()
            .any(|p| matches!(p, SetElement::Range(_) | SetElement::Prefix(_))),
        _ => false,
    }
}

/// A scalar's value as big-endian bytes (marks and states converted from host order).
fn numeric_be(v: &ElemValue) -> Vec<u8> {
    match v {
        ElemValue::Mark(m) => m.to_be_bytes().to_vec(),
        ElemValue::CtState(s) => s.bits().to_be_bytes().to_vec(),
        other => other.key_bytes(),
    }
}

/// `true` when `[lo, hi]` is exactly one CIDR block (nft prints it as a prefix).
pub(super) fn is_prefix_range(lo: &[u8], hi: &[u8]) -> bool {
    if lo.len() != hi.len() {
        return false;
    }
    let mut i = 0;
    let bits = lo.len() * 8;
    while i < bits {
        let (byte, bit) = (i / 8, 7 - (i % 8));
        if (lo[byte] >> bit) & 1 != (hi[byte] >> bit) & 1 {
            break;
        }
        i += 1;
    }
    (i..bits).all(|j| {
        let (byte, bit) = (j / 8, 7 - (j % 8));
        (lo[byte] >> bit) & 1 == 0 && (hi[byte] >> bit) & 1 == 1
    })
}
