//! A raw range of the IPv4 or IPv6 header compared with a value, as nft lists it in `ip`
//! and `ip6` tables: split into the header's fields (`@nh,0,8 0x45` lists as `ip version 4
//! ip hdrlength 5`, and in `ip6` as `ip6 version 4 ip6 dscp af22/4`).
//!
//! nft walks its field templates from the range's first bit: each template that starts
//! there and fits takes its bits and the range goes on after it; one that starts there but
//! is longer takes the bits left as a prefix of the field (the value shifted to the field's
//! width, `/bits`); no template starting there leaves the rest as a raw range. Each part
//! prints as its own match with the compare's operator.
//!
//! A named map looked up with a sub-byte field of those headers as its key (`ip dscp map
//! @m`) lists as the raw bytes masked and shifted (`(@nh,8,8 & 0xfc) >> 2 map @m`): nft
//! names a map's key only when it is a masked field, not when it is shifted too.
//!
//! # Contract
//! - `None` where this is not such a range (the caller prints the match as usual);
//!   `Some(None)` where nft's text would hold what is not printed exactly here: a raw rest,
//!   a prefix of a field other than `dscp`, a protocol field (`ip protocol`, `ip6 nexthdr`,
//!   which nft also records as context), values wider than 64 bits.

use crate::expr::PayloadBase;
use crate::stmt::{Datatype, Field, HeaderField, Key, MapLookup, Match, Op, Proto, Value};
use crate::{Family, SetFlags, Table};

use super::Printer;
use super::value;

/// nft's field templates (bit offset, bit length) of the IPv4 header, in order.
const IP: &[(u32, u32)] = &[
    (0, 4),
    (4, 4),
    (8, 6),
    (14, 2),
    (16, 16),
    (32, 16),
    (48, 16),
    (64, 8),
    (72, 8),
    (80, 16),
    (96, 32),
    (128, 32),
];

/// nft's field templates of the IPv6 header, in order.
const IP6: &[(u32, u32)] = &[
    (0, 4),
    (4, 6),
    (10, 2),
    (12, 20),
    (32, 16),
    (48, 8),
    (56, 8),
    (64, 128),
    (192, 128),
];

impl Printer {
    /// `m` as nft lists it when it compares a raw range of the network header of an `ip`
    /// or `ip6` table (the module contract).
    pub(super) fn split_match(&self, m: &Match, family: Family) -> Option<Option<String>> {
        if let Some(text) = shifted_raw(m) {
            return Some(Some(text));
        }
        let (proto, templates, header_bits) = match family {
            Family::Ip => (Proto::Ip, IP, 160),
            Family::Ip6 => (Proto::Ip6, IP6, 320),
            _ => return None,
        };
        let Key::Field(Field::Raw {
            base: PayloadBase::Network,
            bit_offset,
            bit_len,
        }) = m.key()
        else {
            return None;
        };
        if *bit_offset >= header_bits {
            return None;
        }
        Some(self.split_parts(m, proto, templates, *bit_offset, *bit_len))
    }

    /// A lookup in a named map of `table` keyed by a sub-byte field of the IPv4 (IPv6)
    /// header in an `ip` (`ip6`) table, as nft lists it: `None` for other lookups; an
    /// unprintable `Some(None)` for such a key in other families (nft keeps the protocol
    /// match a raw range does not make implicit).
    pub(super) fn shifted_map_lookup(
        &self,
        m: &MapLookup,
        table: &Table,
    ) -> Option<Option<String>> {
        let Key::Field(Field::Header(h)) = m.key() else {
            return None;
        };
        let shift = crate::stmt::bits::shift(&Field::Header(*h));
        let map = table.map(m.map())?;
        if shift == 0 || map.flags.contains(SetFlags::ANONYMOUS) || m.map().starts_with("__") {
            return None;
        }
        let own = matches!(
            (table.family(), h.proto()),
            (Family::Ip, Proto::Ip) | (Family::Ip6, Proto::Ip6)
        );
        if !own || m.is_interval() {
            return Some(None);
        }
        let bytes = crate::stmt::bits::covered_bytes(*h);
        let raw = Field::Raw {
            base: PayloadBase::Network,
            bit_offset: h.bit_offset() / 8 * 8,
            bit_len: bytes * 8,
        };
        let mask = mask_bits(h.bit_len()) << shift;
        Some(Some(format!(
            "({raw} & {mask:#x}) >> {shift} map @{}",
            m.map()
        )))
    }

    fn split_parts(
        &self,
        m: &Match,
        proto: Proto,
        templates: &[(u32, u32)],
        bit_offset: u32,
        bit_len: u32,
    ) -> Option<String> {
        let op = m.op();
        if !matches!(op, Op::Eq | Op::Ne) || m.mask().is_some() || bit_len > 64 || bit_len == 0 {
            return None;
        }
        let Value::Int(mut value) = *m.value() else {
            return None;
        };
        let (mut at, mut left) = (bit_offset, bit_len);
        let mut parts = Vec::new();
        for &(off, len) in templates {
            if left == 0 {
                break;
            }
            if off != at {
                continue;
            }
            let h = HeaderField::find(proto, off, len)?;
            if matches!(h, HeaderField::IpProtocol | HeaderField::Ip6Nexthdr) {
                return None;
            }
            let take = len.min(left);
            // The top `take` bits of what is left of the value.
            let part = value >> (left - take);
            value &= mask_bits(left - take);
            if take == len {
                let pm = Match::new(Field::Header(h), op, Value::Int(part))?;
                parts.push(self.match_text(&pm)?);
            } else {
                // The bits left are a prefix of a longer field.
                if h.datatype() != Datatype::Dscp {
                    return None;
                }
                let full = part << (len - take);
                let v = value::value(self, h.datatype(), &Value::Int(full), len)?;
                let neg = if op == Op::Ne { " !=" } else { "" };
                parts.push(format!("{}{neg} {v}/{take}", Field::Header(h)));
            }
            at += take;
            left -= take;
        }
        if left != 0 || parts.is_empty() {
            return None;
        }
        Some(parts.join(" "))
    }
}

/// A masked compare of a raw range ending inside a byte, as nft lists it: the bytes
/// loaded, masked to the range's bits and shifted down, then the compare's mask and value
/// (`(@th,104,16 & 0x3ff0) >> 4 & 0x3f == 0x2`); `None` for any other match.
fn shifted_raw(m: &Match) -> Option<String> {
    let Key::Field(Field::Raw {
        base,
        bit_offset,
        bit_len,
    }) = m.key()
    else {
        return None;
    };
    let (Some(Value::Int(mask)), Value::Int(value)) = (m.mask(), m.value()) else {
        return None;
    };
    let first = bit_offset / 8;
    let bytes = (bit_offset + bit_len).div_ceil(8) - first;
    let shift = (bytes * 8).checked_sub(bit_offset % 8 + bit_len)?;
    if shift == 0 || bytes > 8 || *bit_len >= 64 {
        return None;
    }
    let op = match m.op() {
        Op::Eq => "==",
        Op::Ne => "!=",
        _ => return None,
    };
    let loaded = Field::Raw {
        base: *base,
        bit_offset: first * 8,
        bit_len: bytes * 8,
    };
    let field_mask = mask_bits(*bit_len) << shift;
    Some(format!(
        "({loaded} & {field_mask:#x}) >> {shift} & {mask:#x} {op} {value:#x}"
    ))
}

/// The low `bits` bits set.
fn mask_bits(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(bit_offset: u32, bit_len: u32, op: Op, v: u64) -> Match {
        let f = Field::Raw {
            base: PayloadBase::Network,
            bit_offset,
            bit_len,
        };
        Match::new(f, op, Value::Int(v)).unwrap()
    }

    #[test]
    fn shifted_keys_of_named_maps() {
        use crate::stmt::{MapLookup, Source, Statement};
        use crate::{DataType, KeyType, Map};
        for (family, field, text) in [
            (Family::Ip, HeaderField::IpDscp, "(@nh,8,8 & 0xfc) >> 2"),
            (Family::Ip6, HeaderField::Ip6Dscp, "(@nh,0,16 & 0xfc0) >> 6"),
        ] {
            let mut t = Table::new(family, "t");
            let key = KeyType::from_type_id(5, 1);
            t.add_map(Map::new("m", key, DataType::Value(KeyType::Mark)))
                .unwrap();
            let lookup = MapLookup::new(field, "m").unwrap();
            let stmts = vec![Statement::MetaSet {
                key: crate::expr::MetaKey::Mark,
                value: Source::Map(lookup),
            }];
            let exprs = Statement::lower_all(family, &stmts).unwrap();
            assert_eq!(crate::lift::lift_in(&exprs, &t), stmts);
            let printed = Printer::new().statements(&stmts, &t).unwrap();
            assert_eq!(printed, format!("meta mark set {text} map @m"));
            // In inet nft keeps the protocol match: not printed here.
            let mut inet = Table::new(Family::Inet, "t");
            let key = KeyType::from_type_id(5, 1);
            inet.add_map(Map::new("m", key, DataType::Value(KeyType::Mark)))
                .unwrap();
            assert_eq!(Printer::new().statements(&stmts, &inet), None);
        }
    }

    #[test]
    fn splits_as_nft_lists() {
        let p = Printer::new();
        let m = raw(0, 8, Op::Eq, 0x45);
        assert_eq!(
            p.split_match(&m, Family::Ip),
            Some(Some("ip version 4 ip hdrlength 5".to_owned()))
        );
        assert_eq!(
            p.split_match(&m, Family::Ip6),
            Some(Some("ip6 version 4 ip6 dscp af22/4".to_owned()))
        );
        assert_eq!(
            p.split_match(&raw(0, 8, Op::Ne, 0x45), Family::Ip),
            Some(Some("ip version != 4 ip hdrlength != 5".to_owned()))
        );
        // Not a header range of these families: printed as usual.
        assert_eq!(p.split_match(&m, Family::Inet), None);
        assert_eq!(p.split_match(&raw(160, 8, Op::Eq, 1), Family::Ip), None);
        // A protocol field, or no template where the range starts: not printed here.
        assert_eq!(
            p.split_match(&raw(64, 16, Op::Eq, 0x4006), Family::Ip),
            Some(None)
        );
        assert_eq!(
            p.split_match(&raw(8, 8, Op::Eq, 1), Family::Ip6),
            Some(None)
        );
    }
}
