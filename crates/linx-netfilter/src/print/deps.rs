//! Protocol matches nft does not print: the dependency matches it drops when a later field
//! makes them implicit, in the cases where the lift keeps them as statements because the
//! lowering of the field alone would write a different match.
//!
//! - inet, bridge, netdev: `meta l4proto icmp` (`ipv6-icmp`) directly before an `icmp`
//!   (`icmpv6`) field (nft writes `meta nfproto` too when it adds the dependency itself);
//! - inet: `meta nfproto ipv4` (`ipv6`) before a later `ip` (`ip6`) field, with only
//!   matches between them (`meta nfproto ipv4 udp dport 5353 ip daddr 224.0.0.251` lists as
//!   `udp dport 5353 ip daddr 224.0.0.251`);
//! - bridge, netdev: `ether type ip` (`ip6`, `arp`) directly before a field of that
//!   protocol (nft's own dependency there is `meta protocol`).

use crate::Family;
use crate::expr::MetaKey;
use crate::stmt::{Field, HeaderField, Key, Op, Proto, Statement, Value};

/// For each statement, `true` when nft does not print it (see the module docs).
pub(super) fn hidden(stmts: &[Statement], family: Family) -> Vec<bool> {
    let mut out = vec![false; stmts.len()];
    for (i, s) in stmts.iter().enumerate() {
        let Some((key, v)) = proto_match(s) else {
            continue;
        };
        let next = stmts.get(i + 1).and_then(first_proto);
        out[i] = match (family, key, v) {
            (Family::Inet | Family::Bridge | Family::Netdev, Field::Meta(MetaKey::L4proto), 1) => {
                next == Some(Proto::Icmp)
            }
            (Family::Inet | Family::Bridge | Family::Netdev, Field::Meta(MetaKey::L4proto), 58) => {
                next == Some(Proto::Icmpv6)
            }
            (Family::Inet, Field::Meta(MetaKey::Nfproto), 2 | 10) => {
                let want = if v == 2 { Proto::Ip } else { Proto::Ip6 };
                later_field(stmts.get(i + 1..).unwrap_or_default(), want)
            }
            (Family::Bridge | Family::Netdev, Field::Header(HeaderField::EtherType), t) => {
                let want = match t {
                    0x0800 => Proto::Ip,
                    0x86dd => Proto::Ip6,
                    0x0806 => Proto::Arp,
                    _ => continue,
                };
                next == Some(want)
            }
            _ => false,
        };
    }
    out
}

/// `key == value` of one field with a number.
fn proto_match(s: &Statement) -> Option<(Field, u64)> {
    let Statement::Match(m) = s else { return None };
    match (m.key(), m.op(), m.mask(), m.value()) {
        (Key::Field(f), Op::Eq, None, Value::Int(v)) => Some((*f, *v)),
        _ => None,
    }
}

/// The protocol of the first field a match reads, when it is a header field.
fn first_proto(s: &Statement) -> Option<Proto> {
    let Statement::Match(m) = s else { return None };
    match m.key().fields().first()? {
        Field::Header(h) => Some(h.proto()),
        _ => None,
    }
}

/// Whether a match of a `want` field comes in `rest` before anything but matches, and
/// before a match of another network protocol's field or of `meta nfproto`.
fn later_field(rest: &[Statement], want: Proto) -> bool {
    for s in rest {
        let Statement::Match(m) = s else { return false };
        if matches!(m.key(), Key::Field(Field::Meta(MetaKey::Nfproto))) {
            return false;
        }
        match first_proto(s) {
            Some(p) if p == want => return true,
            Some(Proto::Ip | Proto::Ip6 | Proto::Arp) => return false,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stmt::Match;

    fn eq(f: impl Into<Field>, v: u64) -> Statement {
        Statement::Match(Match::new(Key::Field(f.into()), Op::Eq, Value::Int(v)).unwrap())
    }

    #[test]
    fn which_are_hidden() {
        let nfproto = |v| eq(Field::Meta(MetaKey::Nfproto), v);
        let s = [
            nfproto(2),
            eq(HeaderField::UdpDport, 53),
            eq(HeaderField::IpTtl, 1),
        ];
        assert_eq!(hidden(&s, Family::Inet), [true, false, false]);
        assert_eq!(hidden(&s, Family::Ip), [false, false, false]);
        let s = [nfproto(10), eq(HeaderField::IpTtl, 1)];
        assert_eq!(hidden(&s, Family::Inet), [false, false]);
        let s = [nfproto(2), Statement::Notrack, eq(HeaderField::IpTtl, 1)];
        assert_eq!(hidden(&s, Family::Inet), [false, false, false]);
        let l4 = eq(Field::Meta(MetaKey::L4proto), 1);
        let s = [l4.clone(), eq(HeaderField::IcmpType, 8)];
        assert_eq!(hidden(&s, Family::Inet), [true, false]);
        let s = [l4, eq(HeaderField::TcpDport, 8)];
        assert_eq!(hidden(&s, Family::Inet), [false, false]);
        let s = [
            eq(HeaderField::EtherType, 0x0800),
            eq(HeaderField::IpTtl, 1),
        ];
        assert_eq!(hidden(&s, Family::Bridge), [true, false]);
    }
}
