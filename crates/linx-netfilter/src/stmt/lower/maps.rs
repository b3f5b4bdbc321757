//! Lowering of values computed from the packet: map lookups (as a `set` source, a NAT
//! address and port, an object reference) and bit operations on a field.
//!
//! Registers are nft's: a key from register 1 (its fields as [`Cx::load_key_at`] lays
//! them out), the lookup's result in the key's first register, a second key (a NAT port
//! map) in the register after the words the first one took.

use super::{
    Cx, LowerError, SubByte, checked_bitwise, load, put_attr, put_u32, reg_at_word, scalar_bytes,
};
use crate::expr::Lookup;
use crate::expr::{NatFlags, NatType};
use crate::stmt::{BitOp, Bits, MapLookup, Nat, NatKind, NatMap, Value};
use crate::{Expr, Family, Reg};

/// `NFT_BITWISE_LSHIFT` / `NFT_BITWISE_RSHIFT`.
const LSHIFT: u32 = 1;
const RSHIFT: u32 = 2;

impl Cx<'_> {
    /// `field & mask ^ xor` or a shift of `field`, into register 1.
    pub(super) fn bits(&mut self, bits: &Bits) -> Result<(), LowerError> {
        let field = bits.field();
        self.need_field(&field)?;
        let load = load(&field, Reg::R1)?;
        if load.mask.is_some() {
            return Err(LowerError::Unsupported(
                "a bit operation on a sub-byte field",
            ));
        }
        let width = load.width;
        self.out.push(load.expr);
        match bits.op() {
            BitOp::AndXor { mask, xor } => {
                let mask = scalar_bytes(&field, &Value::Int(mask), &width)?;
                let xor = scalar_bytes(&field, &Value::Int(xor), &width)?;
                self.out.push(checked_bitwise(mask, xor)?);
            }
            BitOp::Shl(n) => self.out.push(shift(LSHIFT, n, width.bytes)),
            BitOp::Shr(n) => self.out.push(shift(RSHIFT, n, width.bytes)),
        }
        Ok(())
    }

    /// The key of `m` from word `start`, then its lookup with the result in the key's first
    /// register. Returns the words the key took.
    /// A sub-byte key field is masked in place for an anonymous map (its elements hold the
    /// values in place, as nft writes them), masked and shifted down to its value for a
    /// named map (whose keys are the values).
    pub(super) fn map_lookup(&mut self, m: &MapLookup, start: u32) -> Result<u32, LowerError> {
        let sub = if m.map().starts_with("__") {
            SubByte::InPlace
        } else {
            SubByte::Shifted
        };
        let (_named, words) = self.load_key_at(m.key(), m.is_interval(), start, sub)?;
        let reg = reg_at_word(start);
        self.out.push(Expr::Lookup(Lookup {
            set: m.map().into(),
            sreg: reg,
            dreg: Some(reg),
            inverted: false,
        }));
        Ok(words)
    }

    /// `counter name <key> map <map>`: the key, then an `objref` naming the object map
    /// (`NFTA_OBJREF_SET_SREG` 3, `NFTA_OBJREF_SET_NAME` 4).
    pub(super) fn objref_map(&mut self, m: &MapLookup) -> Result<(), LowerError> {
        let (_named, _) = self.load_key_at(m.key(), false, 0, SubByte::Refuse)?;
        let mut data = Vec::with_capacity(16 + m.map().len());
        put_u32(&mut data, 3, Reg::R1.number());
        let mut name = m.map().as_bytes().to_vec();
        name.push(0);
        put_attr(&mut data, 4, &name);
        self.out.push(Expr::unknown("objref", data));
        Ok(())
    }

    /// `snat`/`dnat` to an address (and port) from maps.
    pub(super) fn nat_map(&mut self, nat: &Nat, map: &NatMap) -> Result<(), LowerError> {
        let family = self.family;
        let nat_family = match (nat.family(), family) {
            (Some(f), Family::Inet) => f,
            (Some(f), t) if f == t => f,
            (None, t @ (Family::Ip | Family::Ip6)) => t,
            (Some(f), _) => {
                return Err(self.conflict(if f == Family::Ip { "ip" } else { "ip6" }));
            }
            (None, _) => {
                return Err(LowerError::NotInFamily {
                    what: "nat without ip or ip6 before the address",
                    family,
                });
            }
        };
        let mut flags = nat.flags() | NatFlags::MAP_IPS;
        let (mut proto_min, mut proto_max) = (None, None);
        let addr_words = if nat_family == Family::Ip6 { 4 } else { 1 };
        let mut addr_max = None;
        match map {
            NatMap::AddrRange(m) => {
                self.map_lookup(m, 0)?;
                addr_max = Some(reg_at_word(addr_words));
            }
            NatMap::Addr(m) => {
                let words = self.map_lookup(m, 0)?;
                if let Some(port) = nat.port() {
                    if self.l4.is_none() && !self.l4_ports {
                        return Err(LowerError::PortWithoutTransport);
                    }
                    let (lo, hi) = match port {
                        Value::Int(p) => (super::port_value(*p)?, None),
                        Value::Range(r) => match &**r {
                            (Value::Int(lo), Value::Int(hi)) => {
                                (super::port_value(*lo)?, Some(super::port_value(*hi)?))
                            }
                            _ => return Err(super::nat_port_error()),
                        },
                        _ => return Err(super::nat_port_error()),
                    };
                    let r = reg_at_word(words);
                    self.out.push(Expr::immediate(r, lo.to_be_bytes()));
                    proto_min = Some(r);
                    if let Some(hi) = hi {
                        let r2 = reg_at_word(words + 4);
                        self.out.push(Expr::immediate(r2, hi.to_be_bytes()));
                        proto_max = Some(r2);
                    }
                    flags |= NatFlags::PROTO_SPECIFIED;
                }
            }
            NatMap::AddrPort(m) => {
                self.map_lookup(m, 0)?;
                if self.l4.is_none() && !self.l4_ports {
                    return Err(LowerError::PortWithoutTransport);
                }
                proto_min = Some(reg_at_word(addr_words));
                flags |= NatFlags::PROTO_SPECIFIED;
            }
            NatMap::AddrAndPort(a, p) => {
                let words = self.map_lookup(a, 0)?;
                self.map_lookup(p, words)?;
                if self.l4.is_none() && !self.l4_ports {
                    return Err(LowerError::PortWithoutTransport);
                }
                proto_min = Some(reg_at_word(words));
                flags |= NatFlags::PROTO_SPECIFIED;
            }
        }
        self.out.push(Expr::from(crate::expr::Nat {
            kind: if nat.kind() == NatKind::Snat {
                NatType::Snat
            } else {
                NatType::Dnat
            },
            family: nat_family,
            reg_addr_min: Some(Reg::R1),
            reg_addr_max: addr_max,
            reg_proto_min: proto_min,
            reg_proto_max: proto_max,
            flags,
        }));
        Ok(())
    }
}

/// `bitwise reg 1 = reg 1 << n` (or `>>`): `NFTA_BITWISE_SREG` 1, `DREG` 2, `LEN` 3, `OP`
/// 6 and `DATA` 7 (a nest holding the shift as a host-order u32), as the kernel dumps it.
fn shift(op: u32, n: u32, len: u32) -> Expr {
    let mut out = Vec::with_capacity(44);
    put_u32(&mut out, 1, Reg::R1.number());
    put_u32(&mut out, 2, Reg::R1.number());
    put_u32(&mut out, 3, len);
    put_u32(&mut out, 6, op);
    let mut nest = Vec::with_capacity(8);
    put_attr(&mut nest, 1, &n.to_ne_bytes());
    put_attr(&mut out, 7, &nest);
    Expr::unknown("bitwise", out)
}
