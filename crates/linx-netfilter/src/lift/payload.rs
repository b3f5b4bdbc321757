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

use super::{Lifter, Loaded, Pending, bytes_to_value, whole_field};
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
        [Expr::Payload { len, dreg, .. }]
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
            deps: Vec::new(),
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
    ) -> Option<(Field, Vec<usize>)> {
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
                Loaded::Field { .. } => Some((raw, Vec::new())),
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
        (complete && bit_len <= 512 && bit_offset <= 0xffff * 8).then_some((raw, Vec::new()))
    }

    /// `payload write reg N => len @ base + offset [csum ...]`: a [`PayloadSet`] of what
    /// register N holds (the module contract). On `Err`, the loads taken, for the fallback.
    pub(super) fn payload_write(&mut self, data: &[u8]) -> Result<(), Vec<Pending>> {
        let w = PayloadWrite::parse(data).ok_or_else(Vec::new)?;
        let Some(p) = self.take(Reg(w.sreg)) else {
            return Err(Vec::new());
        };
        let (Some(bit_offset), Some(bits)) = (w.offset.checked_mul(8), w.len.checked_mul(8)) else {
            return Err(vec![p]);
        };
        let checksum = w.csum_type != 0 || w.csum_flags != 0;
        let widened = match p.exprs.as_slice() {
            [
                Expr::Payload {
                    base, offset, len, ..
                },
                Expr::Bitwise(b),
            ] if *base == w.base && *offset == w.offset && *len == w.len => Some(b.as_ref()),
            _ => None,
        };
        let (target, deps, value) = if let Some(b) = widened {
            // The bits the mask clears are the field; the xor holds its value there.
            let (Some(mask), Some(xor)) = (be128(&b.mask), be128(&b.xor)) else {
                return Err(vec![p]);
            };
            let all = if bits >= 128 {
                u128::MAX
            } else {
                (1u128 << bits) - 1
            };
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
