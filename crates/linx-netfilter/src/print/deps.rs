//! Protocol matches nft does not print: the dependency matches it drops when a later field
//! makes them implicit, in the cases where the lift keeps them as statements because the
//! lowering of the field alone would write a different match.
//!
//! - inet, bridge, netdev: `meta l4proto icmp` (`ipv6-icmp`) directly before an `icmp`
//!   (`icmpv6`) field (nft writes `meta nfproto` too when it adds the dependency itself);
//! - inet: `meta nfproto ipv4` (`ipv6`) before a later `ip` (`ip6`) field, with only
//!   matches between them (`meta nfproto ipv4 udp dport 5353 ip daddr 224.0.0.251` lists as
//!   `udp dport 5353 ip daddr 224.0.0.251`);
//! - inet: `meta l4proto tcp` (`udp` ...) directly before a NAT statement whose map key
//!   has a field of that protocol after a network field (`meta l4proto tcp dnat ip to ip
//!   daddr . tcp dport map @m` lists as `dnat ip to ip daddr . tcp dport map @m`: nft
//!   writes the key's `meta nfproto ipv4` after the rule's own match);
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
            (Family::Inet, Field::Meta(MetaKey::L4proto), v) => nat_key_reads(stmts.get(i + 1), v),
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

/// Whether `s` is a NAT statement whose map key is a concatenation of a network field
/// and then a field of the transport protocol numbered `l4`.
fn nat_key_reads(s: Option<&Statement>, l4: u64) -> bool {
    let Some(Statement::Nat(n)) = s else {
        return false;
    };
    let Some(map) = n.map() else { return false };
    let Some(want) = u8::try_from(l4).ok().and_then(Proto::from_l4proto) else {
        return false;
    };
    let fields = map.addr_map().key().fields();
    let proto = |f: Option<&Field>| match f {
        Some(Field::Header(h)) => Some(h.proto()),
        _ => None,
    };
    matches!(proto(fields.first()), Some(Proto::Ip | Proto::Ip6))
        && fields.iter().skip(1).any(|f| proto(Some(f)) == Some(want))
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

    #[test]
    fn l4proto_before_a_nat_key() {
        use crate::stmt::{MapLookup, Nat, NatKind, NatMap};
        let nat = |fields: Vec<Field>| {
            let lookup = MapLookup::new(Key::concat(fields), "m").unwrap();
            let nat = Nat::from_map(
                NatKind::Dnat,
                Some(Family::Ip),
                NatMap::AddrPort(lookup),
                None,
            );
            Statement::Nat(Box::new(nat.unwrap()))
        };
        let l4 = eq(Field::Meta(MetaKey::L4proto), 6);
        let tcp = nat(vec![
            HeaderField::IpDaddr.into(),
            HeaderField::TcpDport.into(),
        ]);
        assert_eq!(
            hidden(&[l4.clone(), tcp.clone()], Family::Inet),
            [true, false]
        );
        let udp = nat(vec![
            HeaderField::IpDaddr.into(),
            HeaderField::UdpDport.into(),
        ]);
        assert_eq!(hidden(&[l4.clone(), udp], Family::Inet), [false, false]);
        assert_eq!(
            hidden(&[l4, Statement::Notrack, tcp], Family::Inet),
            [false, false, false]
        );
    }
}
