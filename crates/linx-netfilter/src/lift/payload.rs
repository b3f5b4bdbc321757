//! Raw payload ranges and header writes in the lift.
//!
//! # Contract
//! - A payload load the protocol context does not name becomes a [`Field::Raw`] range
//!   (`@nh,96,32`) only where nft prints it as one: where no protocol is known for its base
//!   (and no match the context does not follow could have named one), or past the last field
//!   of a header whose fields the table holds completely (ip, ip6, tcp, udp; `th` past its
//!   ports). Elsewhere nft may split the range into named fields: the load stays unlifted.
//! - A payload write (`payload write reg 1 => ...`) becomes a [`PayloadSet`]: the value is
//!   register 1's immediate, a whole field loaded there, or, for a write nft widens (a
//!   sub-byte field, an odd-length field under a checksum), the bits the bitwise operation
//!   clears and ors back into the bytes it loaded from the same place. The target is named
//!   like a load, exactly (bit offset and length), and carries a checksum update when the
//!   write has checksum attributes. Verification by lowering decides the rest.
//! - Nothing here panics, on any data.

use super::{Deps, Lifter, Loaded, Pending, bytes_to_value, whole_field};
use crate::expr::Payload;
use crate::expr::{Bitwise, PayloadBase};
use crate::stmt::{
    Field, HeaderField, Key, PayloadSet, PayloadWrite, Proto, Source, Statement, Value,
};
use crate::{Expr, Reg};

/// `true` when `exprs` (what a register holds) is one payload load that `b` clears bits of
/// and ors a value into, in place: the first half of a widened header write.
pub(super) fn rewrites_load(exprs: &[Expr], b: &Bitwise) -> bool {
    matches!(
        exprs,
        [Expr::Payload(Payload { len, dreg, .. })]
            if *dreg == b.sreg
                && b.sreg == b.dreg
                && *len == b.len
                && b.mask.len() == b.len as usize
                && b.xor.len() == b.len as usize
    )
}

/// Big-endian number of up to 16 bytes.
fn be128(b: &[u8]) -> Option<u128> {
    if b.len() > 16 {
        return None;
    }
    Some(b.iter().fold(0u128, |n, x| (n << 8) | u128::from(*x)))
}

impl Lifter<'_> {
    /// A load the context does not name, as a raw range where nft prints one (the module
    /// contract); `known` is the protocol the context names for `base`, if any.
    pub(super) fn raw_load(
        &self,
        base: PayloadBase,
        offset: u32,
        len: u32,
        known: Option<Proto>,
    ) -> Loaded {
        let (Some(bit_offset), Some(bit_len)) = (offset.checked_mul(8), len.checked_mul(8)) else {
            return Loaded::Opaque;
        };
        if !self.raw_allowed(base, known, bit_offset, bit_len) {
            return Loaded::Opaque;
        }
        Loaded::Field {
            field: Field::Raw {
                base,
                bit_offset,
                bit_len,
            },
            bytes: len,
            deps: Deps::new(),
        }
    }

    /// Whether nft prints bits `bit_offset..+bit_len` of `base` as a raw range, in the
    /// context named by `known`.
    fn raw_allowed(
        &self,
        base: PayloadBase,
        known: Option<Proto>,
        bit_offset: u32,
        bit_len: u32,
    ) -> bool {
        use crate::expr::MetaKey;
        if bit_len == 0 || bit_len > 512 || bit_offset > 0xffff * 8 {
            return false;
        }
        // Matches that set nft's protocol context in ways the lift does not follow (sets,
        // negations, VLAN types): after one, a raw range might have had a name.
        let touched = |keys: &[Field]| {
            self.out.iter().any(|s| match s {
                Statement::Match(m) => match m.key() {
                    Key::Field(f) => keys.contains(f),
                    Key::Concat(fs) => fs.iter().any(|f| keys.contains(f)),
                },
                _ => false,
            })
        };
        let link = [Field::Meta(MetaKey::Iiftype)];
        let network = [
            Field::Meta(MetaKey::Nfproto),
            Field::Meta(MetaKey::Protocol),
            Field::Header(HeaderField::EtherType),
            Field::Header(HeaderField::VlanType),
        ];
        let transport = [
            Field::Meta(MetaKey::L4proto),
            Field::Header(HeaderField::IpProtocol),
            Field::Header(HeaderField::Ip6Nexthdr),
        ];
        match (base, known) {
            (PayloadBase::Inner, _) => true,
            (PayloadBase::Link, None) => self.iiftype.is_none() && !touched(&link),
            (PayloadBase::Network, None) => {
                self.nfproto.is_none() && self.ethertype.is_none() && !touched(&network)
            }
            (PayloadBase::Transport, Some(Proto::Th)) => bit_offset >= 32 && !touched(&transport),
            // Past the last field of headers the table has every field of.
            (PayloadBase::Network, Some(Proto::Ip)) => bit_offset >= 160,
            (PayloadBase::Network, Some(Proto::Ip6)) => bit_offset >= 320,
            (PayloadBase::Transport, Some(Proto::Tcp)) => bit_offset >= 160,
            (PayloadBase::Transport, Some(Proto::Udp)) => bit_offset >= 64,
            _ => false,
        }
    }

    /// The target of a write of bits `bit_offset..+bit_len` of `base`: the field the context
    /// names exactly there, with the dependencies nft drops, or a raw range where nft prints
    /// one. nft names a write only by a field of exactly its bits (it does not split writes
    /// as it splits matches): in a header the table has every field of, other bits are a raw
    /// range.
    fn write_target(
        &mut self,
        base: PayloadBase,
        bit_offset: u32,
        bit_len: u32,
    ) -> Option<(Field, Deps)> {
        if bit_len == 0 || bit_len > 512 || bit_offset > 0xffff * 8 {
            return None;
        }
        let raw = Field::Raw {
            base,
            bit_offset,
            bit_len,
        };
        let Some((proto, dep)) = self.proto_at(base, bit_offset / 8) else {
            // No protocol known: raw where a load of those bytes would be.
            let first = bit_offset / 8;
            let bytes = (bit_offset + bit_len).div_ceil(8) - first;
            return match self.raw_load(base, first, bytes, None) {
                Loaded::Field { .. } => Some((raw, Deps::new())),
                _ => None,
            };
        };
        // Past the Ethernet header without a VLAN context: raw only where no EtherType was
        // matched at all.
        if proto == Proto::Ether
            && bit_offset >= 112
            && (self.ethertype.is_some()
                || self.out.iter().any(|s| {
                    matches!(s, Statement::Match(m) if m.key().fields().iter().any(|f| matches!(
                        f,
                        Field::Header(HeaderField::EtherType | HeaderField::VlanType)
                    )))
                }))
        {
            return None;
        }
        if let Some(h) = HeaderField::find(proto, bit_offset, bit_len) {
            return Some((Field::Header(h), self.deps_of(proto, dep)));
        }
        let complete = matches!(
            proto,
            Proto::Ip | Proto::Ip6 | Proto::Tcp | Proto::Udp | Proto::Th | Proto::Ether
        );
        complete.then_some((raw, Deps::new()))
    }

    /// `payload write reg N => len @ base + offset [csum ...]`: a [`PayloadSet`] of what
    /// register N holds (the module contract). On `Err`, the loads taken, for the fallback.
    pub(super) fn payload_write(&mut self, data: &[u8]) -> Result<(), Vec<Pending>> {
        let w = PayloadWrite::parse(data).ok_or_else(Vec::new)?;
        let Some(p) = self.take(Reg(w.sreg)) else {
            return Err(Vec::new());
        };
        // nft writes at most a register's 16 bytes, within the first 64 KiB.
        if w.offset > 0xffff || w.len == 0 || w.len > 16 {
            return Err(vec![p]);
        }
        let (bit_offset, bits) = (w.offset * 8, w.len * 8);
        let checksum = w.csum_type != 0 || w.csum_flags != 0;
        let widened = match p.exprs.as_slice() {
            [
                Expr::Payload(Payload {
                    base, offset, len, ..
                }),
                Expr::Bitwise(b),
            ] if *base == w.base && *offset == w.offset && *len == w.len => Some(b.as_ref()),
            _ => None,
        };
        let (target, deps, value) = if let Some(b) = widened {
            // The bits the mask clears are the field; the xor holds its value there.
            // nft widens writes to at most 8 bytes.
            let (Some(mask), Some(xor)) = (be128(&b.mask), be128(&b.xor)) else {
                return Err(vec![p]);
            };
            if bits > 64 {
                return Err(vec![p]);
            }
            let all = (1u128 << bits) - 1;
            let field_bits = all & !mask;
            if field_bits == 0 || xor & !field_bits != 0 {
                return Err(vec![p]);
            }
            let shift = field_bits.trailing_zeros();
            let n = field_bits.count_ones();
            if (field_bits >> shift).count_ones() != n || (field_bits >> shift) + 1 != 1u128 << n {
                return Err(vec![p]);
            }
            let Ok(v) = u64::try_from(xor >> shift) else {
                return Err(vec![p]);
            };
            let start = bit_offset + bits - shift - n;
            let Some((target, deps)) = self.write_target(w.base, start, n) else {
                return Err(vec![p]);
            };
            (target, deps, Source::Value(Value::Int(v)))
        } else {
            let Some((target, mut deps)) = self.write_target(w.base, bit_offset, bits) else {
                return Err(vec![p]);
            };
            let value = match &p.loaded {
                Loaded::Data(d) => match bytes_to_value(&target, d) {
                    Some(v) => Source::Value(v),
                    None => return Err(vec![p]),
                },
                other => match whole_field(other) {
                    Some((f, d)) => {
                        deps.extend(d);
                        Source::Field(f)
                    }
                    None => return Err(vec![p]),
                },
            };
            (target, deps, value)
        };
        let stmt = if checksum {
            PayloadSet::new(target, value)
        } else {
            PayloadSet::without_checksum(target, value)
        };
        let Some(stmt) = stmt else {
            return Err(vec![p]);
        };
        let mut deps = deps;
        deps.sort_unstable();
        deps.dedup();
        self.drop_deps(&deps);
        self.out.push(Statement::PayloadSet(stmt));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Bitwise;
    use crate::print::Printer;
    use crate::{Family, Table};

    fn write(base: PayloadBase, offset: u32, len: u32, csum: (u32, u32, u32)) -> Expr {
        PayloadWrite {
            sreg: 1,
            base,
            offset,
            len,
            csum_type: csum.0,
            csum_offset: csum.1,
            csum_flags: csum.2,
        }
        .expr()
    }

    fn rmw(base: PayloadBase, offset: u32, mask: &[u8], xor: &[u8]) -> Vec<Expr> {
        let len = mask.len() as u32;
        vec![
            Expr::payload(base, offset, len),
            Expr::from(Bitwise {
                sreg: Reg::R1,
                dreg: Reg::R1,
                len,
                mask: mask.to_vec(),
                xor: xor.to_vec(),
            }),
        ]
    }

    /// The lift of `exprs` in a `family` table, printed.
    fn printed(family: Family, exprs: &[Expr]) -> Option<String> {
        let stmts = super::super::lift(exprs, family);
        Printer::new().statements(&stmts, &Table::new(family, "t"))
    }

    #[test]
    fn widened_ttl_write_lifts_with_its_checksum() {
        // nft: `ip ttl set 64` loads two bytes, keeps the protocol, writes both back.
        let mut e = rmw(PayloadBase::Network, 8, &[0x00, 0xff], &[0x40, 0x00]);
        e.push(write(PayloadBase::Network, 8, 2, (1, 10, 0)));
        let s = super::super::lift(&e, Family::Ip);
        let want = PayloadSet::new(HeaderField::IpTtl.into(), Source::Value(Value::Int(64)));
        assert_eq!(s, vec![Statement::PayloadSet(want.unwrap())]);
        assert_eq!(printed(Family::Ip, &e).as_deref(), Some("ip ttl set 64"));
        // In inet, after its `meta nfproto ipv4` dependency (dropped).
        let mut inet = vec![Expr::meta(crate::expr::MetaKey::Nfproto), Expr::cmp_eq([2])];
        inet.extend(e);
        assert_eq!(
            printed(Family::Inet, &inet).as_deref(),
            Some("ip ttl set 64")
        );
    }

    #[test]
    fn sub_byte_writes_lift_to_their_field() {
        // ip dscp set ef: two bytes from offset 0, under the IPv4 checksum.
        let mut e = rmw(PayloadBase::Network, 0, &[0xff, 0x03], &[0x00, 0xb8]);
        e.push(write(PayloadBase::Network, 0, 2, (1, 10, 0)));
        assert_eq!(printed(Family::Ip, &e).as_deref(), Some("ip dscp set ef"));
        // ip6 flowlabel set 12345: three bytes, no checksum.
        let mut e = rmw(PayloadBase::Network, 1, &[0xf0, 0, 0], &[0x00, 0x30, 0x39]);
        e.push(write(PayloadBase::Network, 1, 3, (0, 0, 0)));
        assert_eq!(
            printed(Family::Ip6, &e).as_deref(),
            Some("ip6 flowlabel set 12345")
        );
        // A mask whose cleared bits are not one run is no field.
        let mut e = rmw(PayloadBase::Network, 1, &[0x5a], &[0x00]);
        e.push(write(PayloadBase::Network, 1, 1, (0, 0, 0)));
        assert!(!super::super::is_fully_lifted(&super::super::lift(
            &e,
            Family::Ip6
        )));
    }

    #[test]
    fn raw_writes_print_by_name_or_as_ranges() {
        // `@nh,64,8 set 128` in an ip table: nft lists it as `ip ttl set 128`.
        let e = vec![
            Expr::immediate(Reg::R1, [0x80]),
            write(PayloadBase::Network, 8, 1, (0, 0, 0)),
        ];
        let s = super::super::lift(&e, Family::Ip);
        assert!(matches!(&s[..], [Statement::PayloadSet(p)] if !p.checksum()));
        assert_eq!(printed(Family::Ip, &e).as_deref(), Some("ip ttl set 128"));
        // `@nh,8,8 set 0x10`: no field of exactly those bits.
        let e = vec![
            Expr::immediate(Reg::R1, [0x10]),
            write(PayloadBase::Network, 1, 1, (0, 0, 0)),
        ];
        assert_eq!(printed(Family::Ip, &e).as_deref(), Some("@nh,8,8 set 0x10"));
        // A raw range with checksum attributes is nothing nft writes.
        let e = vec![
            Expr::immediate(Reg::R1, [0x10]),
            write(PayloadBase::Network, 1, 1, (1, 10, 0)),
        ];
        assert!(printed(Family::Ip, &e).is_none());
    }

    #[test]
    fn field_sources_and_addresses() {
        let e = vec![
            Expr::payload(PayloadBase::Network, 12, 4),
            write(PayloadBase::Network, 16, 4, (1, 10, 1)),
        ];
        assert_eq!(
            printed(Family::Ip, &e).as_deref(),
            Some("ip daddr set ip saddr")
        );
        let e = vec![
            Expr::immediate(Reg::R1, [10, 0, 0, 2]),
            write(PayloadBase::Network, 12, 4, (1, 10, 1)),
        ];
        assert_eq!(
            printed(Family::Ip, &e).as_deref(),
            Some("ip saddr set 10.0.0.2")
        );
    }

    #[test]
    fn raw_matches_print_in_hex() {
        let e = vec![
            Expr::payload(PayloadBase::Network, 12, 4),
            Expr::cmp_eq([0xc0, 0xa8, 0, 1]),
        ];
        assert_eq!(
            printed(Family::Inet, &e).as_deref(),
            Some("@nh,96,32 0xc0a80001")
        );
        let e = vec![
            Expr::payload(PayloadBase::Inner, 0, 4),
            Expr::cmp_eq([0, 0x47, 0x65, 0x54]),
        ];
        assert_eq!(
            printed(Family::Ip, &e).as_deref(),
            Some("@ih,0,32 0x476554")
        );
        let mut wide = vec![Expr::payload(PayloadBase::Network, 0, 16)];
        wide.push(Expr::cmp_eq([0u8; 16]));
        assert_eq!(
            printed(Family::Inet, &wide).as_deref(),
            Some("@nh,0,128 0x0")
        );
        // In an ip table nft splits a range starting at a field into fields: not raw.
        let e = vec![
            Expr::payload(PayloadBase::Network, 12, 8),
            Expr::cmp_eq([10, 0, 0, 1, 10, 0, 0, 2]),
        ];
        assert!(printed(Family::Ip, &e).is_none());
        // Past the header it is raw.
        let e = vec![
            Expr::payload(PayloadBase::Network, 20, 1),
            Expr::cmp_eq([1]),
        ];
        assert_eq!(printed(Family::Ip, &e).as_deref(), Some("@nh,160,8 0x1"));
    }

    #[test]
    fn flag_writes_print_as_nft_joins_them() {
        let mut e = vec![Expr::meta(crate::expr::MetaKey::L4proto), Expr::cmp_eq([6])];
        e.extend(rmw(
            PayloadBase::Transport,
            12,
            &[0xff, 0x00],
            &[0x00, 0x12],
        ));
        e.push(write(PayloadBase::Transport, 12, 2, (1, 16, 0)));
        assert_eq!(
            printed(Family::Ip, &e).as_deref(),
            Some("tcp flags set syn | ack")
        );
    }

    #[test]
    fn malformed_writes_stay_expressions() {
        for data in [&[][..], &[8, 0, 5, 0, 0, 0, 0, 1], &[1, 2, 3]] {
            let e = vec![
                Expr::immediate(Reg::R1, [1]),
                Expr::unknown("payload", data.to_vec()),
            ];
            let s = super::super::lift(&e, Family::Ip);
            assert!(!super::super::is_fully_lifted(&s));
        }
    }
}
