//! What declaration blocks need beyond the model's fields: elements of `typeof` keys,
//! per-element state (comments, counters, object references), set attributes the model
//! keeps raw (policy, set counters, object type) and object kinds kept raw (conntrack
//! helpers, timeouts and expectations, synproxy).
//!
//! # Contract
//! - Every function returns `None` for anything it cannot print exactly as nft 1.0.6 does
//!   (the caller prints a `#linx:` line instead): unknown attributes, values whose width
//!   does not fit their type. An element's `expires` is the time left when the kernel
//!   listed it, so it differs from another listing's by the time between the two.
//! - Raw attributes are read defensively: nothing panics on any bytes.

use std::fmt::Write;

use crate::set::{ElemValue, SetElement};
use crate::stmt::Datatype;

use super::Printer;
use super::typeof_key::{Kind, Part};
use super::value;

/// Netlink attributes in `bytes` (`len u16 | type u16 | value`, 4-byte aligned), the nested
/// bit cleared from the type; `None` when malformed.
pub(super) fn attrs(bytes: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let head = bytes.get(at..at + 4)?;
        let len = usize::from(u16::from_ne_bytes([head[0], head[1]]));
        let kind = u16::from_ne_bytes([head[2], head[3]]) & 0x3fff;
        if len < 4 {
            return None;
        }
        out.push((kind, bytes.get(at + 4..at + len)?));
        at += len.next_multiple_of(4);
    }
    Some(out)
}

fn be_u64(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}

fn be_u32(v: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(v.try_into().ok()?))
}

fn be_u16(v: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes(v.try_into().ok()?))
}

fn byte(v: &[u8]) -> Option<u8> {
    match v {
        [b] => Some(*b),
        _ => None,
    }
}

/// A NUL-terminated string attribute nft would print between quotes.
fn cstr(v: &[u8]) -> Option<String> {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    let s = std::str::from_utf8(&v[..end]).ok()?;
    if s.chars().any(|c| c.is_control() || c == '"') {
        return None;
    }
    Some(s.to_owned())
}

/// A counter expression (`NFTA_EXPR_NAME` "counter", data packets and bytes).
fn counter_expr(v: &[u8]) -> Option<(u64, u64)> {
    let mut name = None;
    let mut data = None;
    for (kind, value) in attrs(v)? {
        match kind {
            1 => name = Some(cstr(value)?),
            2 => data = Some(value),
            _ => return None,
        }
    }
    if name.as_deref() != Some("counter") {
        return None;
    }
    let (mut packets, mut bytes) = (0, 0);
    for (kind, value) in attrs(data.unwrap_or_default())? {
        match kind {
            1 => bytes = be_u64(value)?,
            2 => packets = be_u64(value)?,
            3 => {} // padding
            _ => return None,
        }
    }
    Some((packets, bytes))
}

/// Per-element state nft prints after an element's key.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct ElemState {
    /// `counter packets P bytes B`.
    counter: Option<(u64, u64)>,
    /// `comment "..."`.
    comment: Option<String>,
    /// `timeout T`: the element's own timeout in milliseconds (the kernel reports it only
    /// when the element was given one).
    timeout_ms: Option<u64>,
    /// `expires T`: the time left in milliseconds when the kernel listed the element.
    expires_ms: Option<u64>,
    /// The object an object map's element refers to.
    pub(super) objref: Option<String>,
}

impl ElemState {
    /// The state in an element's extra attributes, `None` when any of them does not print
    /// here (other expressions, flags).
    pub(super) fn parse(extra: Option<&[u8]>) -> Option<ElemState> {
        let mut st = ElemState::default();
        for (kind, value) in attrs(extra.unwrap_or_default())? {
            match kind {
                // NFTA_SET_ELEM_TIMEOUT and NFTA_SET_ELEM_EXPIRATION (big-endian ms); nft
                // prints neither when it is zero.
                4 => st.timeout_ms = Some(be_u64(value)?).filter(|t| *t != 0),
                5 => st.expires_ms = Some(be_u64(value)?).filter(|t| *t != 0),
                // NFTA_SET_ELEM_USERDATA: nft's TLVs, comment (0) only.
                6 => {
                    let mut rest = value;
                    while let [k, len, tail @ ..] = rest {
                        let v = tail.get(..usize::from(*len))?;
                        match k {
                            0 => st.comment = Some(cstr(v)?),
                            _ => return None,
                        }
                        rest = &tail[usize::from(*len)..];
                    }
                    if !rest.is_empty() {
                        return None;
                    }
                }
                // NFTA_SET_ELEM_EXPR: one expression.
                7 => st.counter = Some(counter_expr(value)?),
                // NFTA_SET_ELEM_OBJREF.
                9 => st.objref = Some(cstr(value)?),
                _ => return None,
            }
        }
        Some(st)
    }

    /// The text after the key: ` counter packets 0 bytes 0 comment "x"`.
    pub(super) fn suffix(&self) -> String {
        let mut s = String::new();
        if let Some((p, b)) = self.counter {
            let _ = write!(s, " counter packets {p} bytes {b}");
        }
        // nft's order: expressions, timeout, expiration, comment.
        if let Some(t) = self.timeout_ms {
            let _ = write!(s, " timeout {}", super::duration(t));
        }
        if let Some(t) = self.expires_ms {
            let _ = write!(s, " expires {}", super::duration(t));
        }
        if let Some(c) = &self.comment {
            let _ = write!(s, " comment \"{c}\"");
        }
        s
    }
}

/// Set attributes the model keeps raw, as far as nft prints them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct SetAttrs {
    /// `policy memory`.
    pub(super) policy_memory: bool,
    /// A `counter` expression on the set (elements count).
    pub(super) counter: bool,
    /// The object type of an object map.
    pub(super) obj_type: Option<u32>,
}

impl SetAttrs {
    /// `None` when an attribute is not one printed here.
    pub(super) fn parse(bytes: &[u8]) -> Option<SetAttrs> {
        let mut a = SetAttrs::default();
        for (kind, value) in attrs(bytes)? {
            match kind {
                // NFTA_SET_POLICY: performance (0) is not printed.
                8 => match be_u32(value)? {
                    0 => {}
                    1 => a.policy_memory = true,
                    _ => return None,
                },
                // NFTA_SET_OBJ_TYPE.
                15 => a.obj_type = Some(be_u32(value)?),
                // NFTA_SET_EXPR: nft prints a set's counter as `counter`.
                17 => {
                    counter_expr(value)?;
                    a.counter = true;
                }
                _ => return None,
            }
        }
        Some(a)
    }
}

/// nft's name of an object type in an object map's declaration.
pub(super) fn obj_type_name(t: u32) -> Option<&'static str> {
    Some(match t {
        1 => "counter",
        2 => "quota",
        3 => "ct helper",
        4 => "limit",
        7 => "ct timeout",
        8 => "secmark",
        9 => "ct expectation",
        10 => "synproxy",
        _ => return None,
    })
}

/// A number from stored bytes, big endian unless `host` (and the machine little endian).
fn number(bytes: &[u8], host: bool) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut n: u64 = 0;
    if host && cfg!(target_endian = "little") {
        for b in bytes.iter().rev() {
            n = (n << 8) | u64::from(*b);
        }
    } else {
        for b in bytes {
            n = (n << 8) | u64::from(*b);
        }
    }
    Some(n)
}

const DCCP_TYPE: &[&str] = &[
    "request", "response", "data", "ack", "dataack", "closereq", "close", "reset", "sync",
    "syncack",
];
const FIB_ADDR_TYPE: &[&str] = &[
    "unspec",
    "unicast",
    "local",
    "broadcast",
    "anycast",
    "multicast",
    "blackhole",
    "unreachable",
    "prohibit",
    "throw",
    "nat",
    "xresolve",
];

/// A value of `part` from its stored bytes (`host`: in the part's stored byte order, else
/// big endian, as interval bounds are).
fn part_bytes(p: &Printer, part: &Part, bytes: &[u8], host: bool) -> Option<String> {
    if bytes.len() != part.bytes() {
        return None;
    }
    let named = |t: &[&str], n: u64| t.get(usize::try_from(n).ok()?).map(|s| (*s).to_owned());
    match part.kind {
        Kind::Str | Kind::Dt(Datatype::Ifname | Datatype::String) => {
            Some(format!("\"{}\"", cstr(bytes)?))
        }
        Kind::Dt(Datatype::Ipv4Addr | Datatype::Ipv6Addr) => {
            Some(linx_ip::Ip::from_bytes(bytes)?.to_string())
        }
        Kind::Dt(Datatype::EtherAddr) => Some(linx_ip::Mac::from_bytes(bytes)?.to_string()),
        Kind::Dt(dt) => {
            let n = number(bytes, host && part.host)?;
            // nft writes `fin | ack` for several bits in an element (names low bit
            // first); a bit without a name is not printed here.
            if dt.is_bitmask() && n.count_ones() > 1 {
                let names: Option<Vec<String>> = (0..64)
                    .map(|i| 1u64 << i)
                    .filter(|bit| n & bit != 0)
                    .map(|bit| {
                        let name = value::int(p, dt, bit, part.bits);
                        (!name.starts_with("0x")).then_some(name)
                    })
                    .collect();
                return Some(names?.join(" | "));
            }
            // As a statement's value prints (hours and dates formatted, cgroups not).
            value::value(p, dt, &crate::stmt::Value::Int(n), part.bits)
        }
        Kind::DccpType => named(DCCP_TYPE, number(bytes, false)?),
        Kind::FibAddrType => named(FIB_ADDR_TYPE, number(bytes, host && part.host)?),
    }
}

/// A scalar element value of `part`.
fn part_value(p: &Printer, part: &Part, v: &ElemValue, bound: bool) -> Option<String> {
    match (v, part.kind) {
        (ElemValue::Ip(ip), Kind::Dt(Datatype::Ipv4Addr | Datatype::Ipv6Addr)) => {
            Some(ip.to_string())
        }
        (ElemValue::Mac(m), Kind::Dt(Datatype::EtherAddr)) => Some(m.to_string()),
        (ElemValue::Ifname(n), Kind::Str | Kind::Dt(Datatype::Ifname | Datatype::String)) => {
            Some(format!("\"{}\"", cstr(n.as_bytes())?))
        }
        (ElemValue::Ip(_) | ElemValue::Mac(_) | ElemValue::Ifname(_), _) => None,
        // Marks and states are numbers in the model; their stored bytes are host order.
        (ElemValue::Mark(_) | ElemValue::CtState(_), _) => {
            part_bytes(p, part, &v.key_bytes(), part.host)
        }
        // Interval bounds are stored big endian whatever the type.
        _ => part_bytes(p, part, &v.key_bytes(), !bound),
    }
}

/// The number an interval bound stands for.
fn bound_number(v: &ElemValue) -> Option<u64> {
    match v {
        ElemValue::Mark(m) => Some(u64::from(*m)),
        ElemValue::CtState(s) => Some(u64::from(s.bits())),
        ElemValue::Proto(n) => Some(u64::from(*n)),
        ElemValue::Port(n) => Some(u64::from(*n)),
        ElemValue::Bytes(b) => number(b, false),
        _ => None,
    }
}

/// One part of an element of a typeof key (`interval`: of an interval set, whose values
/// the kernel holds big endian).
fn part_element(p: &Printer, part: &Part, e: &SetElement, interval: bool) -> Option<String> {
    match e {
        SetElement::Value(v) => part_value(p, part, v, interval),
        SetElement::Prefix(net) => match part.kind {
            Kind::Dt(Datatype::Ipv4Addr | Datatype::Ipv6Addr) => Some(net.to_string()),
            _ => None,
        },
        SetElement::Range(r) => range(p, part, &r.0, &r.1),
        SetElement::Concat(_) => None,
    }
}

/// `lo-hi`, or `value/len` where nft prefers prefixes (marks).
fn range(p: &Printer, part: &Part, lo: &ElemValue, hi: &ElemValue) -> Option<String> {
    match part.kind {
        // nft prints these ranges as ranges, prefix-shaped or not.
        Kind::Dt(Datatype::Integer | Datatype::InetService | Datatype::EtherAddr) => Some(format!(
            "{}-{}",
            part_value(p, part, lo, true)?,
            part_value(p, part, hi, true)?
        )),
        // Address ranges that are not one prefix (the model holds those as prefixes).
        Kind::Dt(Datatype::Ipv4Addr | Datatype::Ipv6Addr) => {
            if value::is_prefix_range(&lo.key_bytes(), &hi.key_bytes()) {
                return None;
            }
            Some(format!(
                "{}-{}",
                part_value(p, part, lo, true)?,
                part_value(p, part, hi, true)?
            ))
        }
        // An interface name prefix: `"eth*"`, the name padded with 0x00 to 0xff.
        Kind::Str | Kind::Dt(Datatype::Ifname) => {
            let (a, b) = (lo.key_bytes(), hi.key_bytes());
            let name_len = a.iter().position(|&c| c == 0)?;
            let wild = name_len > 0
                && a.len() == b.len()
                && a[..name_len] == b[..name_len]
                && a[name_len..].iter().all(|&c| c == 0)
                && b[name_len..].iter().all(|&c| c == 0xff);
            if !wild {
                return None;
            }
            Some(format!("\"{}*\"", cstr(&a[..name_len])?))
        }
        Kind::Dt(Datatype::Mark) => {
            let (a, b) = (bound_number(lo)?, bound_number(hi)?);
            let width = part.bits;
            let span = b.checked_sub(a)?;
            let host_bits = 64 - span.leading_zeros();
            let is_prefix = span.checked_add(1).is_some_and(u64::is_power_of_two)
                && a & span == 0
                && host_bits < width;
            if is_prefix {
                Some(format!(
                    "{}/{}",
                    value::int(p, Datatype::Mark, a, width),
                    width - host_bits
                ))
            } else {
                Some(format!(
                    "{}-{}",
                    value::int(p, Datatype::Mark, a, width),
                    value::int(p, Datatype::Mark, b, width)
                ))
            }
        }
        _ => None,
    }
}

/// An element of a set whose key nft described with `typeof` (`parts`); `interval` for
/// an interval set.
pub(super) fn typeof_element(
    p: &Printer,
    parts: &[Part],
    e: &SetElement,
    interval: bool,
) -> Option<String> {
    match (parts, e) {
        ([one], _) => part_element(p, one, e, interval),
        // Bitmask fields in a concatenation may list in another order.
        _ if parts
            .iter()
            .any(|p| matches!(p.kind, Kind::Dt(dt) if dt.is_bitmask())) =>
        {
            None
        }
        (_, SetElement::Concat(es)) if es.len() == parts.len() => {
            let texts: Option<Vec<String>> = parts
                .iter()
                .zip(es.iter())
                .map(|(part, e)| part_element(p, part, e, interval))
                .collect();
            Some(texts?.join(" . "))
        }
        // A concatenation the kernel key type did not split: each field padded to 4 bytes.
        (_, SetElement::Value(ElemValue::Bytes(b))) if !interval => {
            let mut texts = Vec::with_capacity(parts.len());
            let mut at = 0;
            for part in parts {
                let n = part.bytes();
                texts.push(part_bytes(p, part, b.get(at..at + n)?, true)?);
                at += n.div_ceil(4) * 4;
            }
            (at == b.len()).then(|| texts.join(" . "))
        }
        _ => None,
    }
}

/// A map data value of address intervals: both bounds in one value, `lo-hi`.
pub(super) fn interval_data(e: &SetElement) -> Option<String> {
    let SetElement::Value(ElemValue::Bytes(b)) = e else {
        return None;
    };
    if b.len() != 8 && b.len() != 32 {
        return None;
    }
    let (lo, hi) = b.split_at(b.len() / 2);
    // Whole prefixes (a single address too: `/32`) print as prefixes.
    if value::is_prefix_range(lo, hi) {
        let len = lo
            .iter()
            .zip(hi)
            .map(|(a, b)| (a ^ b).leading_zeros())
            .take_while(|&n| n == 8)
            .count()
            * 8;
        let first = lo
            .iter()
            .zip(hi)
            .map(|(a, b)| (a ^ b).leading_zeros() as usize)
            .find(|&n| n < 8)
            .unwrap_or(0);
        let bits = if len == lo.len() * 8 {
            len
        } else {
            len + first
        };
        let lo = linx_ip::Ip::from_bytes(lo)?;
        return Some(format!("{lo}/{bits}"));
    }
    let (lo, hi) = (linx_ip::Ip::from_bytes(lo)?, linx_ip::Ip::from_bytes(hi)?);
    Some(format!("{lo}-{hi}"))
}

/// The sort key nft lists an element of a bitmask type by: its lowest bit (nft sorts the
/// `a | b` expression by its left operand); `None` for other elements.
pub(super) fn bitmask_sort_key(part: &Part, e: &SetElement) -> Option<u64> {
    let n = match e {
        SetElement::Value(ElemValue::CtState(s)) => u64::from(s.bits()),
        SetElement::Value(v @ ElemValue::Mark(_)) => number(&v.key_bytes(), part.host)?,
        SetElement::Value(ElemValue::Bytes(b)) => number(b, part.host)?,
        _ => return None,
    };
    Some(n & n.wrapping_neg())
}

/// An object block's keyword and lines for the object kinds the model keeps raw.
pub(super) fn raw_object(kind_id: u32, data: &[u8]) -> Option<(&'static str, Vec<String>)> {
    let a = attrs(data)?;
    let get = |k: u16| a.iter().find(|(kind, _)| *kind == k).map(|(_, v)| *v);
    let known = |ks: &[u16]| a.iter().all(|(k, _)| ks.contains(k));
    Some(match kind_id {
        // NFT_OBJECT_CT_HELPER: name (1), l3proto (2), l4proto (3).
        3 if known(&[1, 2, 3]) => {
            let name = cstr(get(1)?)?;
            let l4 = l4proto(byte(get(3)?)?)?;
            let l3 = l3proto(be_u16(get(2)?)?)?;
            (
                "ct helper",
                vec![
                    format!("type \"{name}\" protocol {l4}"),
                    format!("l3proto {l3}"),
                ],
            )
        }
        // NFT_OBJECT_CT_TIMEOUT: l3proto (1), l4proto (2), per-state timeouts (3).
        7 if known(&[1, 2, 3]) => {
            let proto = byte(get(2)?)?;
            let l3 = l3proto(be_u16(get(1)?)?)?;
            let policy = timeout_policy(proto, get(3)?)?;
            (
                "ct timeout",
                vec![
                    format!("protocol {}", l4proto(proto)?),
                    format!("l3proto {l3}"),
                    format!("policy = {{ {policy} }}"),
                ],
            )
        }
        // NFT_OBJECT_CT_EXPECT: l3proto (1), l4proto (2), dport (3), timeout ms (4),
        // size (5).
        9 if known(&[1, 2, 3, 4, 5]) => {
            let l3 = l3proto(be_u16(get(1)?)?)?;
            let l4 = l4proto(byte(get(2)?)?)?;
            let dport = be_u16(get(3)?)?;
            // The timeout is the one host-order attribute of the object.
            let timeout = u32::from_ne_bytes(get(4)?.try_into().ok()?);
            let size = byte(get(5)?)?;
            (
                "ct expectation",
                vec![
                    format!("protocol {l4}"),
                    format!("dport {dport}"),
                    format!("timeout {}", super::duration(u64::from(timeout))),
                    format!("size {size}"),
                    format!("l3proto {l3}"),
                ],
            )
        }
        // NFT_OBJECT_SYNPROXY: mss (1), wscale (2), flags (3).
        10 if known(&[1, 2, 3]) => {
            let mss = be_u16(get(1)?)?;
            let wscale = byte(get(2)?)?;
            let flags = be_u32(get(3)?)?;
            // mss (1) and wscale (2) are always set by nft; timestamp (8), sack-perm (4).
            if flags & !0xf != 0 || flags & 3 != 3 {
                return None;
            }
            let mut lines = vec![format!("mss {mss}"), format!("wscale {wscale}")];
            // nft writes both words with a space between, either one possibly empty
            // (`timestamp `, ` sack-perm`).
            if flags & 0xc != 0 {
                let ts = if flags & 8 != 0 { "timestamp" } else { "" };
                let sack = if flags & 4 != 0 { "sack-perm" } else { "" };
                lines.push(format!("{ts} {sack}"));
            }
            ("synproxy", lines)
        }
        _ => return None,
    })
}

fn l3proto(n: u16) -> Option<&'static str> {
    Some(match n {
        1 => "inet",
        2 => "ip",
        10 => "ip6",
        _ => return None,
    })
}

fn l4proto(n: u8) -> Option<&'static str> {
    Some(match n {
        6 => "tcp",
        17 => "udp",
        _ => return None,
    })
}

/// The states whose timeout differs from nft's default, in state order: `established :
/// 100, close : 4`.
fn timeout_policy(l4: u8, data: &[u8]) -> Option<String> {
    const TCP: &[(&str, u32)] = &[
        ("syn_sent", 120),
        ("syn_recv", 60),
        ("established", 432_000),
        ("fin_wait", 120),
        ("close_wait", 60),
        ("last_ack", 30),
        ("time_wait", 120),
        ("close", 10),
        ("syn_sent2", 120),
        ("retrans", 300),
        ("unack", 300),
    ];
    const UDP: &[(&str, u32)] = &[("unreplied", 30), ("replied", 120)];
    let states = match l4 {
        6 => TCP,
        17 => UDP,
        _ => return None,
    };
    let mut out = Vec::new();
    for (kind, value) in attrs(data)? {
        let i = usize::from(kind).checked_sub(1)?;
        let (name, default) = states.get(i)?;
        let v = be_u32(value)?;
        if v == *default {
            continue;
        }
        out.push(format!("{name} : {v}"));
    }
    if out.is_empty() {
        return None;
    }
    Some(out.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn element_state() {
        let st = ElemState::parse(Some(&hex("11000600000b746869726420686f737400000000"))).unwrap();
        assert_eq!(st.suffix(), " comment \"third host\"");
        let st = ElemState::parse(Some(&hex(
            "2c0007000c000100636f756e746572001c0002000c00010000000000000000000c0002000000000000000000",
        )))
        .unwrap();
        assert_eq!(st.suffix(), " counter packets 0 bytes 0");
        let st = ElemState::parse(Some(&hex("08000900646e7300"))).unwrap();
        assert_eq!(st.objref.as_deref(), Some("dns"));
        // A timeout and an expiration print in nft's order, before the comment.
        let st = ElemState::parse(Some(&hex(
            "0c00040000000000000075300c000500000000000036ee7411000600000b746869726420686f737400000000",
        )))
        .unwrap();
        assert_eq!(
            st.suffix(),
            " timeout 30s expires 59m59s988ms comment \"third host\""
        );
        // Zero values print nothing, as in nft.
        let st = ElemState::parse(Some(&hex("0c0005000000000000000000"))).unwrap();
        assert_eq!(st.suffix(), "");
        assert_eq!(ElemState::parse(Some(&[1, 0])), None);
        assert_eq!(ElemState::parse(None), Some(ElemState::default()));
    }

    #[test]
    fn set_attributes() {
        let a = SetAttrs::parse(&hex("0800080000000001")).unwrap();
        assert!(a.policy_memory);
        let a = SetAttrs::parse(&hex(
            "2c0011000c000100636f756e746572001c0002000c00010000000000000000000c0002000000000000000000",
        ))
        .unwrap();
        assert!(a.counter);
        assert_eq!(
            SetAttrs::parse(&hex("08000f0000000001")).unwrap().obj_type,
            Some(1)
        );
        assert_eq!(SetAttrs::parse(&hex("0800630000000001")), None);
    }

    #[test]
    fn raw_objects() {
        let helper = [
            8, 0, 1, 0, 102, 116, 112, 0, 5, 0, 3, 0, 6, 0, 0, 0, 6, 0, 2, 0, 0, 2, 0, 0,
        ];
        assert_eq!(
            raw_object(3, &helper),
            Some((
                "ct helper",
                vec![
                    "type \"ftp\" protocol tcp".to_owned(),
                    "l3proto ip".to_owned()
                ]
            ))
        );
        let expect = [
            6, 0, 1, 0, 0, 10, 0, 0, 5, 0, 2, 0, 17, 0, 0, 0, 6, 0, 3, 0, 19, 196, 0, 0, 8, 0, 4,
            0, 48, 117, 0, 0, 5, 0, 5, 0, 4, 0, 0, 0,
        ];
        let (kw, lines) = raw_object(9, &expect).unwrap();
        assert_eq!(kw, "ct expectation");
        assert_eq!(
            lines,
            [
                "protocol udp",
                "dport 5060",
                "timeout 30s",
                "size 4",
                "l3proto ip6"
            ]
        );
        let synproxy = [
            6, 0, 1, 0, 5, 180, 0, 0, 5, 0, 2, 0, 7, 0, 0, 0, 8, 0, 3, 0, 0, 0, 0, 15,
        ];
        assert_eq!(
            raw_object(10, &synproxy).unwrap().1,
            ["mss 1460", "wscale 7", "timestamp sack-perm"]
        );
        let udp = [
            5, 0, 2, 0, 17, 0, 0, 0, 6, 0, 1, 0, 0, 10, 0, 0, 20, 0, 3, 128, 8, 0, 1, 0, 0, 0, 0,
            5, 8, 0, 2, 0, 0, 0, 0, 30,
        ];
        assert_eq!(
            raw_object(7, &udp).unwrap().1,
            [
                "protocol udp",
                "l3proto ip6",
                "policy = { unreplied : 5, replied : 30 }"
            ]
        );
        // Truncations never panic.
        for n in 0..udp.len() {
            let _ = raw_object(7, &udp[..n]);
        }
        assert_eq!(raw_object(8, &[]), None);
    }

    #[test]
    fn interface_name_prefixes() {
        let p = Printer::new();
        let part = Part {
            text: "iifname".into(),
            kind: Kind::Dt(Datatype::Ifname),
            bits: 128,
            host: false,
        };
        let mut hi = b"eth".to_vec();
        hi.resize(16, 0xff);
        assert_eq!(
            range(
                &p,
                &part,
                &ElemValue::Ifname("eth".into()),
                &ElemValue::Bytes(hi.into())
            )
            .as_deref(),
            Some("\"eth*\"")
        );
        let mut other = b"eth".to_vec();
        other.resize(16, 0xfe);
        assert_eq!(
            range(
                &p,
                &part,
                &ElemValue::Ifname("eth".into()),
                &ElemValue::Bytes(other.into())
            ),
            None
        );
    }

    #[test]
    fn mark_prefixes_and_ranges() {
        let p = Printer::new();
        let part = Part {
            text: "meta mark".into(),
            kind: Kind::Dt(Datatype::Mark),
            bits: 32,
            host: true,
        };
        assert_eq!(
            range(&p, &part, &ElemValue::Mark(0x100), &ElemValue::Mark(0x1ff)).as_deref(),
            Some("0x00000100/24")
        );
        assert_eq!(
            range(&p, &part, &ElemValue::Mark(1), &ElemValue::Mark(15)).as_deref(),
            Some("0x00000001-0x0000000f")
        );
    }

    proptest::proptest! {
        /// Elements of any bytes print (or not) without panicking, for every kind of part.
        #[test]
        fn elements_of_any_bytes_never_panic(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20),
            b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20),
            bits in proptest::sample::select(vec![1u32, 8, 12, 16, 20, 32, 48, 64, 128]),
            host in proptest::prelude::any::<bool>(),
            interval in proptest::prelude::any::<bool>(),
        ) {
            let p = Printer::new();
            let kinds = [
                Kind::Str,
                Kind::DccpType,
                Kind::FibAddrType,
                Kind::Dt(Datatype::Integer),
                Kind::Dt(Datatype::Hex),
                Kind::Dt(Datatype::Mark),
                Kind::Dt(Datatype::TcpFlag),
                Kind::Dt(Datatype::CtState),
                Kind::Dt(Datatype::Ipv4Addr),
                Kind::Dt(Datatype::Ipv6Addr),
                Kind::Dt(Datatype::EtherAddr),
                Kind::Dt(Datatype::Ifname),
                Kind::Dt(Datatype::Time),
                Kind::Dt(Datatype::IfIndex),
            ];
            for kind in kinds {
                let part = Part { text: String::new(), kind, bits, host };
                let va = ElemValue::Bytes(a.clone().into());
                let vb = ElemValue::Bytes(b.clone().into());
                let _ = typeof_element(&p, std::slice::from_ref(&part), &SetElement::Value(va.clone()), interval);
                let _ = range(&p, &part, &va, &vb);
                let _ = range(&p, &part, &ElemValue::Mark(1), &ElemValue::Mark(0));
                let two = [part.clone(), part];
                let _ = typeof_element(&p, &two, &SetElement::Value(va.clone()), interval);
                let _ = typeof_element(&p, &two, &SetElement::concat([SetElement::Value(va), SetElement::Value(vb)]), interval);
            }
            let _ = interval_data(&SetElement::Value(ElemValue::Bytes(a.into())));
            let _ = ElemState::parse(Some(&b));
            let _ = SetAttrs::parse(&b);
        }
    }
}
