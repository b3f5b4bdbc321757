//! Sub-byte header fields (`ip dscp`, `vlan id`, `ip6 flowlabel` ...): which field a mask
//! over loaded bytes selects, and where its value sits in them.
//!
//! nft loads the whole bytes covering such a field and masks the field's bits; a compare
//! or a set element then holds the value in place (shifted left by the bits after the
//! field). The lift reads the field back from the mask, and the value by undoing the
//! shift.

use crate::stmt::bits::shift;
use crate::stmt::icmp::{IcmpDep, echo_types, icmp_dep};
use linx_ip::{Ip, Mac};

use crate::set::{ElemValue, SetElement};
use crate::stmt::{Datatype, Field, HeaderField, Match, Op, Value};

/// The sub-byte field of `loaded`'s protocol whose bits are exactly `mask` over the
/// `bytes` loaded at `loaded`'s first byte (`ip version` and `ip hdrlength` share one
/// byte; the mask tells them apart), with its shift.
pub(super) fn sub_field(loaded: &Field, bytes: u32, mask: &[u8]) -> Option<(HeaderField, u32)> {
    let Field::Header(h0) = loaded else {
        return None;
    };
    if h0.is_byte_aligned() || mask.len() != bytes as usize || bytes == 0 || bytes > 8 {
        return None;
    }
    let m = mask.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x));
    let end = (h0.bit_offset() + h0.bit_len()).div_ceil(8);
    HeaderField::of_proto(h0.proto()).iter().find_map(|h| {
        let same_bytes = h.proto() == h0.proto()
            && !h.is_byte_aligned()
            && h.bit_offset() / 8 == h0.bit_offset() / 8
            && (h.bit_offset() + h.bit_len()).div_ceil(8) == end;
        let shift = (bytes * 8).checked_sub(h.bit_offset() % 8 + h.bit_len())?;
        let want = 1u64
            .checked_shl(h.bit_len())?
            .checked_sub(1)?
            .checked_shl(shift)?;
        (same_bytes && want == m).then_some((*h, shift))
    })
}

/// The value of a sub-byte field from its bits in place (`None` when bits outside the
/// field are set); whole fields are unchanged.
pub(super) fn unshift(field: &Field, n: u64) -> Option<u64> {
    let s = shift(field);
    if s == 0 {
        return Some(n);
    }
    let low = 1u64.checked_shl(s)?.checked_sub(1)?;
    if n & low != 0 {
        return None;
    }
    let v = n >> s;
    let max = 1u64
        .checked_shl(field.bit_len())
        .map_or(u64::MAX, |x| x - 1);
    (v <= max).then_some(v)
}

/// A set of ICMP types matched (rather than one), in the lift's ICMP type context.
pub(super) const ICMP_TYPE_SET: u16 = 0x100;

/// The ICMP or ICMPv6 field past the code at `bit_off`/`bits`, given the type the rule
/// matched before (`known`: a type, or [`ICMP_TYPE_SET`]), and whether that type match is
/// a dependency nft drops when it prints. `None` without a fitting type.
pub(super) fn icmp_field(
    proto: crate::stmt::Proto,
    bit_off: u32,
    bits: u32,
    known: u16,
) -> Option<(HeaderField, bool)> {
    HeaderField::of_proto(proto).iter().find_map(|h| {
        if h.proto() != proto || h.bit_offset() != bit_off || h.bit_len() != bits {
            return None;
        }
        match icmp_dep(*h)? {
            IcmpDep::Echo => {
                let echo = echo_types(proto == crate::stmt::Proto::Icmpv6);
                let ok = known == ICMP_TYPE_SET || echo.iter().any(|t| u16::from(*t) == known);
                ok.then_some((*h, false))
            }
            IcmpDep::Type(t) => (u16::from(t) == known).then_some((*h, true)),
        }
    })
}

/// `bitwise reg = reg >> n` as the kernel dumps it (`NFTA_BITWISE_SREG` 1, `DREG` 2, `LEN`
/// 3, `OP` 6 = `NFT_BITWISE_RSHIFT` 2, `DATA` 7 holding the shift as a host-order u32):
/// the register, the length and the shift; `None` for any other bitwise.
pub(super) fn rshift(data: &[u8]) -> Option<(u32, u32, u32)> {
    let u32_of = |p: &[u8]| p.try_into().ok().map(u32::from_be_bytes);
    let (mut sreg, mut dreg, mut len, mut op, mut n) = (None, None, None, None, None);
    for (kind, payload) in super::attrs(data)? {
        match kind {
            1 if sreg.is_none() => sreg = u32_of(payload),
            2 if dreg.is_none() => dreg = u32_of(payload),
            3 if len.is_none() => len = u32_of(payload),
            6 if op.is_none() => op = u32_of(payload),
            7 if n.is_none() => {
                let [(1, v)] = super::attrs(payload)?[..] else {
                    return None;
                };
                n = v.try_into().ok().map(u32::from_ne_bytes);
            }
            _ => return None,
        }
    }
    let (sreg, dreg, len, op, n) = (sreg?, dreg?, len?, op?, n?);
    (sreg == dreg && op == 2).then_some((sreg, len, n))
}

/// The number of leading `0xff` bytes of `mask` when the rest is zero (a prefix ending on
/// a byte), `None` for any other mask.
pub(crate) fn byte_prefix(mask: &[u8]) -> Option<usize> {
    let n = mask.iter().take_while(|b| **b == 0xff).count();
    mask[n..].iter().all(|b| *b == 0).then_some(n)
}

/// `ether daddr 01:00:5e:00:00:00/24`: nft loads the prefix's leading bytes of an Ethernet
/// address and compares them; the match is the address under a byte-prefix mask.
pub(super) fn mac_prefix(field: Field, op: Op, data: &[u8]) -> Option<Match> {
    if field.datatype() != Datatype::EtherAddr || data.is_empty() || data.len() >= 6 {
        return None;
    }
    let mut addr = [0u8; 6];
    let mut mask = [0u8; 6];
    addr.get_mut(..data.len())?.copy_from_slice(data);
    mask.get_mut(..data.len())?.fill(0xff);
    Match::masked(
        field,
        op,
        Value::Mac(Mac::from_bytes(&addr)?),
        Value::Mac(Mac::from_bytes(&mask)?),
    )
}

/// `field & mask == value` of an address (`ip daddr & 0.0.0.255 == 0.0.0.255`, `ether
/// daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00`) under a mask nft would not write as a
/// prefix; `None` when the value has bits outside the mask.
pub(super) fn masked_addr(field: Field, op: Op, mask: &[u8], data: &[u8]) -> Option<Match> {
    if !matches!(op, Op::Eq | Op::Ne)
        || mask.len() != data.len()
        || data.iter().zip(mask).any(|(d, m)| d & !m != 0)
    {
        return None;
    }
    let (value, mask) = match field.datatype() {
        Datatype::Ipv4Addr | Datatype::Ipv6Addr => (
            Value::Ip(Ip::from_bytes(data)?),
            Value::Ip(Ip::from_bytes(mask)?),
        ),
        Datatype::EtherAddr => {
            // A byte prefix is a shorter load, not a mask.
            if byte_prefix(mask).is_some() {
                return None;
            }
            (
                Value::Mac(Mac::from_bytes(data)?),
                Value::Mac(Mac::from_bytes(mask)?),
            )
        }
        _ => return None,
    };
    Match::masked(field, op, value, mask)
}

/// `iifname "eth*"`: the compare of an interface name's leading bytes (no NUL) is nft's
/// wildcard.
pub(super) fn ifname_wildcard(field: Field, op: Op, data: &[u8]) -> Option<Match> {
    if field.datatype() != Datatype::Ifname
        || !matches!(op, Op::Eq | Op::Ne)
        || data.is_empty()
        || data.len() >= 16
        || data.contains(&0)
    {
        return None;
    }
    let name = std::str::from_utf8(data).ok()?;
    Match::new(field, op, Value::Ifname(format!("{name}*")))
}

/// `"eth*"` in a set: the range from the name prefix to the prefix followed by `0xff`
/// bytes, as nft stores a wildcard.
pub(super) fn ifname_range(field: &Field, e: &SetElement) -> Option<Value> {
    let SetElement::Range(r) = e else { return None };
    let (ElemValue::Ifname(lo), ElemValue::Bytes(hi)) = &**r else {
        return None;
    };
    if field.datatype() != Datatype::Ifname || lo.is_empty() || hi.len() != 16 {
        return None;
    }
    let (head, tail) = hi.split_at_checked(lo.len())?;
    (head == lo.as_bytes() && tail.iter().all(|b| *b == 0xff))
        .then(|| Value::Ifname(format!("{lo}*")))
}

/// A concatenation element held as its stored bytes (each part padded to 4 bytes, in its
/// field's byte order) as the values of `fields`.
pub(super) fn concat_blob(fields: &[Field], b: &[u8]) -> Option<Value> {
    let mut parts = Vec::with_capacity(fields.len());
    let mut rest = b;
    for f in fields {
        let len = crate::stmt::bits::load_bytes(f) as usize;
        let padded = len.next_multiple_of(4);
        let (part, tail) = rest.split_at_checked(padded)?;
        let (data, pad) = part.split_at_checked(len)?;
        if pad.iter().any(|x| *x != 0) {
            return None;
        }
        let v = match super::bytes_to_value(f, data)? {
            Value::Int(n) => Value::Int(unshift(f, n)?),
            v => v,
        };
        parts.push(v);
        rest = tail;
    }
    rest.is_empty().then_some(Value::Concat(parts))
}

/// An element of an interval set keyed by a concatenation with a part of a raw type: the
/// stored bytes of its first and last key (`hi` is `lo` for a single key). Host-order
/// parts were converted to big endian before the lookup (nft's `byteorder`), so they read
/// as big-endian numbers here; a part whose bounds differ is a range.
pub(super) fn interval_concat_blob(fields: &[Field], lo: &[u8], hi: &[u8]) -> Option<Value> {
    let mut parts = Vec::with_capacity(fields.len());
    let (mut lo, mut hi) = (lo, hi);
    for f in fields {
        if crate::stmt::bits::shift(f) != 0 {
            return None;
        }
        let len = crate::stmt::bits::load_bytes(f) as usize;
        let padded = len.next_multiple_of(4);
        let (a, a_rest) = lo.split_at_checked(padded)?;
        let (b, b_rest) = hi.split_at_checked(padded)?;
        let value = |part: &[u8]| -> Option<Value> {
            let (data, pad) = part.split_at_checked(len)?;
            if pad.iter().any(|x| *x != 0) {
                return None;
            }
            if f.byte_order() == crate::expr::ByteOrder::Host {
                if !matches!(super::bytes_to_value(f, data)?, Value::Int(_)) || len > 8 {
                    return None;
                }
                return Some(Value::Int(
                    data.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x)),
                ));
            }
            super::bytes_to_value(f, data)
        };
        let (va, vb) = (value(a)?, value(b)?);
        parts.push(if a == b { va } else { Value::range(va, vb) });
        lo = a_rest;
        hi = b_rest;
    }
    (lo.is_empty() && hi.is_empty()).then_some(Value::Concat(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_concatenations_of_host_order_parts() {
        use crate::expr::MetaKey;
        use crate::stmt::{Key, Match, Op, Statement};
        let fields = [Field::Meta(MetaKey::Skuid), Field::Meta(MetaKey::Skgid)];
        let lo = [0, 0, 3, 0xe8, 0, 0, 0, 100];
        let hi = [0, 0, 7, 0xcf, 0, 0, 0, 100];
        let v = interval_concat_blob(&fields, &lo, &hi).unwrap();
        let want = Value::Concat(vec![
            Value::range(Value::Int(1000), Value::Int(1999)),
            Value::Int(100),
        ]);
        assert_eq!(v, want);
        assert_eq!(interval_concat_blob(&fields, &lo, &hi[..4]), None);
        // Lowered with nft's byteorder conversions, lifted back, printed as nft lists it.
        let single = Value::Concat(vec![Value::Int(0), Value::Int(0)]);
        let m = Match::new(Key::concat(fields), Op::Eq, Value::Set(vec![single, want]));
        let stmts = vec![Statement::Match(m.unwrap())];
        let exprs = Statement::lower_all(crate::Family::Inet, &stmts).unwrap();
        assert_eq!(crate::lift::lift(&exprs, crate::Family::Inet), stmts);
        let table = crate::Table::new(crate::Family::Inet, "t");
        assert_eq!(
            crate::print::Printer::new()
                .statements(&stmts, &table)
                .unwrap(),
            "meta skuid . meta skgid { 0 . 0, 1000-1999 . 100 }"
        );
    }

    #[test]
    fn sub_fields_by_mask() {
        let dscp = Field::Header(HeaderField::IpDscp);
        assert_eq!(sub_field(&dscp, 1, &[0xfc]), Some((HeaderField::IpDscp, 2)));
        assert_eq!(sub_field(&dscp, 1, &[0x03]), Some((HeaderField::IpEcn, 0)));
        assert_eq!(sub_field(&dscp, 1, &[0xf0]), None);
        assert_eq!(sub_field(&dscp, 2, &[0xfc]), None);
        let id = Field::Header(HeaderField::VlanId);
        assert_eq!(
            sub_field(&id, 2, &[0x0f, 0xff]),
            Some((HeaderField::VlanId, 0))
        );
        assert_eq!(sub_field(&id, 1, &[0xe0]), None);
        let pcp = Field::Header(HeaderField::VlanPcp);
        assert_eq!(sub_field(&pcp, 1, &[0xe0]), Some((HeaderField::VlanPcp, 5)));
        assert_eq!(
            sub_field(&Field::Header(HeaderField::TcpDport), 2, &[0xff, 0]),
            None
        );
    }

    #[test]
    fn unshifts() {
        assert_eq!(unshift(&Field::Header(HeaderField::IpDscp), 0xb8), Some(46));
        assert_eq!(unshift(&Field::Header(HeaderField::IpDscp), 0xb9), None);
        assert_eq!(unshift(&Field::Header(HeaderField::VlanPcp), 0x60), Some(3));
    }

    #[test]
    fn masks_and_wildcards() {
        let daddr = Field::Header(HeaderField::EtherDaddr);
        assert_eq!(byte_prefix(&[0xff, 0xff, 0, 0]), Some(2));
        assert_eq!(byte_prefix(&[0xff, 0xf0, 0, 0]), None);
        let m = mac_prefix(daddr, Op::Eq, &[1, 0, 0x5e]).unwrap();
        assert_eq!(
            m.value(),
            &Value::Mac(Mac::from_bytes(&[1, 0, 0x5e, 0, 0, 0]).unwrap())
        );
        assert!(mac_prefix(daddr, Op::Eq, &[1; 6]).is_none());
        let mask = [1, 0, 0, 0, 0, 0];
        assert!(masked_addr(daddr, Op::Eq, &mask, &mask).is_some());
        assert!(masked_addr(daddr, Op::Eq, &[0xff, 0, 0, 0, 0, 0], &mask).is_none());
        assert!(masked_addr(daddr, Op::Eq, &mask, &[3, 0, 0, 0, 0, 0]).is_none());
        let ip = Field::Header(HeaderField::IpDaddr);
        assert!(masked_addr(ip, Op::Ne, &[0, 0, 0, 255], &[0, 0, 0, 1]).is_some());
        assert!(masked_addr(ip, Op::Lt, &[0, 0, 0, 255], &[0, 0, 0, 1]).is_none());
        let iif = Field::Meta(crate::expr::MetaKey::Iifname);
        let w = ifname_wildcard(iif, Op::Eq, b"lan").unwrap();
        assert_eq!(w.value(), &Value::Ifname("lan*".into()));
        assert!(ifname_wildcard(iif, Op::Eq, b"la\0").is_none());
        assert!(ifname_wildcard(iif, Op::Eq, b"").is_none());
        let mut hi = b"eth".to_vec();
        hi.resize(16, 0xff);
        let e = SetElement::range(
            ElemValue::Ifname("eth".into()),
            ElemValue::Bytes(hi.clone().into()),
        );
        assert_eq!(ifname_range(&iif, &e), Some(Value::Ifname("eth*".into())));
        hi[5] = 0;
        let e = SetElement::range(ElemValue::Ifname("eth".into()), ElemValue::Bytes(hi.into()));
        assert_eq!(ifname_range(&iif, &e), None);
        let key = [
            Field::Header(HeaderField::EtherSaddr),
            Field::Header(HeaderField::VlanId),
        ];
        let b = [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0, 10, 0, 0];
        let v = concat_blob(&key, &b).unwrap();
        assert_eq!(
            v,
            Value::Concat(vec![
                Value::Mac(Mac::from_bytes(&b[..6]).unwrap()),
                Value::Int(10)
            ])
        );
        assert!(concat_blob(&key, &b[..8]).is_none());
        assert!(concat_blob(&key, &[1; 12]).is_none());
    }

    #[test]
    fn icmp_fields_by_type() {
        use crate::stmt::Proto;
        let f = |p, off, len, t| icmp_field(p, off, len, t);
        assert_eq!(
            f(Proto::Icmp, 48, 16, 3),
            Some((HeaderField::IcmpMtu, true))
        );
        assert_eq!(
            f(Proto::Icmp, 48, 16, 8),
            Some((HeaderField::IcmpSequence, false))
        );
        assert_eq!(
            f(Proto::Icmp, 48, 16, ICMP_TYPE_SET),
            Some((HeaderField::IcmpSequence, false))
        );
        assert_eq!(
            f(Proto::Icmp, 32, 32, 5),
            Some((HeaderField::IcmpGateway, true))
        );
        assert_eq!(f(Proto::Icmp, 32, 16, 11), None);
        assert_eq!(
            f(Proto::Icmpv6, 32, 16, 130),
            Some((HeaderField::Icmpv6MaxDelay, true))
        );
        assert_eq!(
            f(Proto::Icmpv6, 32, 16, 129),
            Some((HeaderField::Icmpv6Id, false))
        );
        assert_eq!(
            f(Proto::Icmpv6, 32, 32, 2),
            Some((HeaderField::Icmpv6Mtu, true))
        );
    }
}
