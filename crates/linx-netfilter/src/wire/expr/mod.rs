//! Expressions on the wire: one `NFTA_LIST_ELEM` { `NFTA_EXPR_NAME`, `NFTA_EXPR_DATA` } per
//! [`Expr`].
//!
//! ```text
//! NFTA_LIST_ELEM (nested)
//! ├─ NFTA_EXPR_NAME   "payload\0"
//! └─ NFTA_EXPR_DATA (nested)
//!    ├─ NFTA_PAYLOAD_DREG    be32
//!    ├─ NFTA_PAYLOAD_BASE    be32
//!    └─ ...                  (per expression, in the order nft(8) writes them)
//! ```
//!
//! Why hand-written per-expression code and not one generic table: the attribute *order* of
//! each expression is libnftnl's, which follows neither the kernel's numbering nor its dump
//! order (nft sends `meta` as key, dreg; the kernel dumps dreg, key), and several expressions
//! omit attributes at their default value in ways nft decides (no `BURST` when 0, no counter
//! values when 0). Golden bytes captured from nft 1.0.6 pin every encoder down.
//!
//! # Contract
//! - [`encode`] writes exactly what nft(8) 1.0.6 writes for the same expression (attribute
//!   order included). Set literals are written as a lookup of the anonymous set the caller
//!   created for them ([`SetRefs::anonymous`]); lookups and dynsets of sets created in the same
//!   batch also carry the set's batch id ([`SetRefs::set_id`]), as nft does.
//! - Byte order: every integer attribute is big-endian (`u64` for counter, quota, limit rate
//!   and unit, dynset timeout in ms; `u16` for log group and queue threshold; `u8` for the
//!   reject code; `u32` otherwise). Register contents (`cmp`, `bitwise`, `immediate` data)
//!   are bytes as the model holds them.
//! - [`decode`] never panics. An expression whose name the model does not know, or whose data
//!   does not decode into the model exactly (unknown attribute, duplicate attribute, odd size,
//!   unknown enum value that the model cannot carry, missing mandatory attribute), becomes
//!   [`Expr::Unknown`] with its raw data, so it is re-emitted unchanged. Lookups of anonymous
//!   sets decode as plain [`Expr::Lookup`]s naming the kernel's set (`__set0`); the pull
//!   assembly turns them back into literals. Only a missing or unreadable `NFTA_EXPR_NAME`
//!   (or a malformed attribute at the element level) is an error.
//! - pull ∘ push is the identity: `decode(encode(e)) == e` for every `e` the encoder accepts
//!   (literals come back as lookups, by design), and `encode(decode(b)) == b` when `decode`
//!   returns [`Expr::Unknown`] for an element written the way nft writes one (name first,
//!   `NFTA_EXPR_DATA` flagged nested).
//! - Canonical forms. Where the kernel treats two model values alike and reports only one of
//!   them back, the decoder returns that one and the encoder refuses the other
//!   ([`crate::Error::Encode`]) instead of silently changing it:
//!   - nat: `map_ips` must be set when `reg_addr_min` is, and `proto_specified` when
//!     `reg_proto_min` is (masq and redir too). On the wire `map_ips` is left out, as nft
//!     does; the kernel sets it itself and reports it back, and the decoder adds it.
//!   - nat, masq, redir: a `_max` register equal to its `_min` register is refused (nft omits
//!     it; the kernel reports it back as equal to `_min`, which decodes as `None`).
//!   - dynset: `timeout_ms: Some(0)` is refused (the kernel reports "no timeout" as 0, which
//!     decodes as `None`).
//! - Unknown expressions hold what must be *sent*: the few attributes the kernel dumps at
//!   their default but refuses when they come back (`exthdr` writes and strips, `osf`; see
//!   [`sendable`]) are dropped on decode. nft never sends them, so its bytes still survive
//!   unchanged.
//! - Runtime state the kernel adds is ignored on decode: `NFT_QUOTA_F_DEPLETED`, the `OP`
//!   attribute of a mask-and-xor `bitwise`, lookup/dynset flags 0, `*_PAD` attributes and the
//!   batch ids (`NFTA_LOOKUP_SET_ID`, `NFTA_DYNSET_SET_ID`).
//! - Strings containing NUL cannot be written (the kernel would cut them) and are refused.
//!
//! # See also
//! `<linux/netfilter/nf_tables.h>` (`enum nft_*_attributes`), `<linux/netfilter/nf_nat.h>`,
//! libnftnl `src/expr/*.c` (attribute order), nft(8).

use linx_netlink_codec::DecodeError;

use super::attr::{
    bitwise as bw, cmp as cm, counter as co, ct as ctk, dynset as dy, expr as ex, immediate as im,
    limit as li, list, log as lg, lookup as lk, masq as ma, meta as me, nat as na, objref as ob,
    payload as pa, quota as qu, redir as rd, reject as rj,
};
use super::{Writer, put_value, put_verdict};
use crate::consts::expr as c;
use crate::expr::{Bitwise, Dynset, ImmediateData, Log, NatFlags};
use crate::{Expr, Reg, Verdict};

/// `NFT_DYNSET_F_EXPR` (`enum nft_dynset_flags`): nft sets it when it sends more than one
/// expression in `NFTA_DYNSET_EXPRESSIONS`.
const NFT_DYNSET_F_EXPR: u32 = 1 << 1;
/// `NFT_QUOTA_F_DEPLETED` (`enum nft_quota_flags`): the kernel reports a used-up quota with
/// it; state, not configuration.
const NFT_QUOTA_F_DEPLETED: u32 = 1 << 1;
/// `NFT_BITWISE_MASK_XOR` (`enum nft_bitwise_ops`): the only bitwise operation the model
/// holds; the kernel dumps it as `NFTA_BITWISE_OP`.
const NFT_BITWISE_MASK_XOR: u32 = 0;
/// How deep dynset expressions may nest before the decoder gives up on typing them (the
/// kernel allows one level; this bounds recursion on hostile input).
const MAX_DEPTH: usize = 4;

/// How the expression encoder names sets: batch ids of sets created in the same batch, and
/// the anonymous sets made for set and vmap literals.
pub(crate) trait SetRefs {
    /// The `NFTA_SET_ID` of named set or map `name` when it is created in this batch.
    fn set_id(&self, name: &str) -> Option<u32>;
    /// The wire name (`__set%d` / `__map%d`) and batch id of the anonymous set created for
    /// the next set or vmap literal of the rule being encoded (literals are numbered in the
    /// order they appear, depth first).
    fn anonymous(&mut self) -> Result<(&'static str, u32), crate::Error>;
}

/// Append `expr` as one `NFTA_LIST_ELEM`.
pub(crate) fn encode(
    w: &mut Writer<'_>,
    expr: &Expr,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    let elem = w.begin_nest(list::NFTA_LIST_ELEM, true);
    encode_body(w, expr, refs)?;
    w.end_nest(elem)?;
    Ok(())
}

/// Decode the payload of one `NFTA_LIST_ELEM` of an expression list.
#[inline]
pub(crate) fn decode(elem: &[u8]) -> Result<Expr, DecodeError> {
    decode::decode_at(elem, 0)
}

// ---------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------

/// The encoder's refusal of `expr` (a kernel expression name) for `reason`.
fn refuse(expr: &str, reason: &str) -> crate::Error {
    crate::Error::Encode {
        what: format!("{expr} expression"),
        reason: reason.to_owned(),
    }
}

/// `text` unchanged, or a refusal when it holds a NUL byte (the kernel would cut it there).
fn no_nul<'s>(expr: &str, text: &'s str) -> Result<&'s str, crate::Error> {
    if text.contains('\0') {
        Err(refuse(expr, "a name or prefix must not contain a NUL byte"))
    } else {
        Ok(text)
    }
}

/// Write `NFTA_EXPR_NAME` and `NFTA_EXPR_DATA` of `expr` (the payload of a list element, or
/// of `NFTA_DYNSET_EXPR`).
fn encode_body(
    w: &mut Writer<'_>,
    expr: &Expr,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    let name = match expr {
        Expr::Unknown(raw) => no_nul("unknown", &raw.name)?,
        // The model's own names are static and free of NUL bytes.
        modelled => modelled.modelled_name(),
    };
    w.put_str(ex::NFTA_EXPR_NAME, name)?;
    let data = w.begin_nest(ex::NFTA_EXPR_DATA, true);
    encode_data(w, expr, refs)?;
    w.end_nest(data)?;
    Ok(())
}

/// Write the attributes inside `NFTA_EXPR_DATA`, in libnftnl's order.
fn encode_data(
    w: &mut Writer<'_>,
    expr: &Expr,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    match expr {
        Expr::Payload {
            base,
            offset,
            len,
            dreg,
        } => {
            w.put_be32(pa::NFTA_PAYLOAD_DREG, dreg.number())?;
            w.put_be32(pa::NFTA_PAYLOAD_BASE, base.number())?;
            w.put_be32(pa::NFTA_PAYLOAD_OFFSET, *offset)?;
            w.put_be32(pa::NFTA_PAYLOAD_LEN, *len)?;
        }
        Expr::Meta { key, dreg } => {
            w.put_be32(me::NFTA_META_KEY, key.number())?;
            w.put_be32(me::NFTA_META_DREG, dreg.number())?;
        }
        Expr::Cmp { sreg, op, data } => {
            w.put_be32(cm::NFTA_CMP_SREG, sreg.number())?;
            w.put_be32(cm::NFTA_CMP_OP, op.number())?;
            put_value(w, cm::NFTA_CMP_DATA, data)?;
        }
        Expr::Bitwise(bitwise) => {
            let Bitwise {
                sreg,
                dreg,
                len,
                mask,
                xor,
            } = &**bitwise;
            w.put_be32(bw::NFTA_BITWISE_SREG, sreg.number())?;
            w.put_be32(bw::NFTA_BITWISE_DREG, dreg.number())?;
            w.put_be32(bw::NFTA_BITWISE_LEN, *len)?;
            put_value(w, bw::NFTA_BITWISE_MASK, mask)?;
            put_value(w, bw::NFTA_BITWISE_XOR, xor)?;
        }
        Expr::Ct { key, dreg } => {
            w.put_be32(ctk::NFTA_CT_KEY, key.number())?;
            w.put_be32(ctk::NFTA_CT_DREG, dreg.number())?;
        }
        Expr::Lookup {
            set,
            sreg,
            dreg,
            inverted,
        } => {
            let id = refs.set_id(set);
            put_lookup(w, *sreg, *dreg, no_nul("lookup", set)?, id, *inverted)?;
        }
        Expr::SetLiteral(lit) => {
            let (set, id) = refs.anonymous()?;
            put_lookup(
                w,
                lit.sreg,
                None,
                no_nul("lookup", set)?,
                Some(id),
                lit.inverted,
            )?;
        }
        Expr::VmapLiteral(lit) => {
            let (set, id) = refs.anonymous()?;
            let dreg = Some(Reg::VERDICT);
            put_lookup(w, lit.sreg, dreg, no_nul("lookup", set)?, Some(id), false)?;
        }
        Expr::Reject { kind, code } => {
            w.put_be32(rj::NFTA_REJECT_TYPE, kind.number())?;
            w.put_u8(rj::NFTA_REJECT_ICMP_CODE, *code)?;
        }
        Expr::Counter { packets, bytes } => {
            // nft sends an empty counter; initial values only when there are some.
            if *packets != 0 || *bytes != 0 {
                w.put_be64(co::NFTA_COUNTER_BYTES, *bytes)?;
                w.put_be64(co::NFTA_COUNTER_PACKETS, *packets)?;
            }
        }
        Expr::Limit {
            rate,
            unit,
            burst,
            bytes,
            over,
        } => {
            w.put_be64(li::NFTA_LIMIT_RATE, *rate)?;
            w.put_be64(li::NFTA_LIMIT_UNIT, unit.seconds())?;
            if *burst != 0 {
                w.put_be32(li::NFTA_LIMIT_BURST, *burst)?;
            }
            let kind = if *bytes {
                c::NFT_LIMIT_PKT_BYTES
            } else {
                c::NFT_LIMIT_PKTS
            };
            w.put_be32(li::NFTA_LIMIT_TYPE, kind)?;
            w.put_be32(li::NFTA_LIMIT_FLAGS, flag(*over, c::NFT_LIMIT_F_INV))?;
        }
        Expr::Quota {
            bytes,
            over,
            consumed,
        } => {
            w.put_be64(qu::NFTA_QUOTA_BYTES, *bytes)?;
            w.put_be64(qu::NFTA_QUOTA_CONSUMED, *consumed)?;
            w.put_be32(qu::NFTA_QUOTA_FLAGS, flag(*over, c::NFT_QUOTA_F_INV))?;
        }
        Expr::Dynset(dynset) => {
            let Dynset {
                set,
                op,
                sreg_key,
                sreg_data,
                timeout_ms,
                exprs,
            } = &**dynset;
            w.put_be32(dy::NFTA_DYNSET_SREG_KEY, sreg_key.number())?;
            if let Some(reg) = sreg_data {
                w.put_be32(dy::NFTA_DYNSET_SREG_DATA, reg.number())?;
            }
            w.put_be32(dy::NFTA_DYNSET_OP, op.number())?;
            match timeout_ms {
                Some(0) => {
                    return Err(refuse(
                        "dynset",
                        "timeout_ms 0 means no timeout; leave it unset",
                    ));
                }
                Some(ms) => w.put_be64(dy::NFTA_DYNSET_TIMEOUT, *ms)?,
                None => {}
            }
            w.put_str(dy::NFTA_DYNSET_SET_NAME, no_nul("dynset", set)?)?;
            if let Some(id) = refs.set_id(set) {
                w.put_be32(dy::NFTA_DYNSET_SET_ID, id)?;
            }
            match exprs.as_slice() {
                [] => {}
                [one] => {
                    let nest = w.begin_nest(dy::NFTA_DYNSET_EXPR, true);
                    encode_body(w, one, refs)?;
                    w.end_nest(nest)?;
                }
                many => {
                    let nest = w.begin_nest(dy::NFTA_DYNSET_EXPRESSIONS, true);
                    for e in many {
                        encode(w, e, refs)?;
                    }
                    w.end_nest(nest)?;
                    w.put_be32(dy::NFTA_DYNSET_FLAGS, NFT_DYNSET_F_EXPR)?;
                }
            }
        }
        Expr::Objref { kind, name } => {
            w.put_be32(ob::NFTA_OBJREF_IMM_TYPE, kind.number())?;
            // libnftnl writes this one name without its NUL terminator.
            w.put(ob::NFTA_OBJREF_IMM_NAME, no_nul("objref", name)?.as_bytes())?;
        }
        Expr::Log(log) => {
            let Log {
                group,
                prefix,
                snaplen,
                qthreshold,
                level,
                flags,
            } = &**log;
            if let Some(prefix) = prefix {
                w.put_str(lg::NFTA_LOG_PREFIX, no_nul("log", prefix)?)?;
            }
            if let Some(group) = group {
                w.put_be16(lg::NFTA_LOG_GROUP, *group)?;
            }
            if let Some(snaplen) = snaplen {
                w.put_be32(lg::NFTA_LOG_SNAPLEN, *snaplen)?;
            }
            if let Some(qthreshold) = qthreshold {
                w.put_be16(lg::NFTA_LOG_QTHRESHOLD, *qthreshold)?;
            }
            if let Some(level) = level {
                w.put_be32(lg::NFTA_LOG_LEVEL, *level)?;
            }
            if !flags.is_empty() {
                w.put_be32(lg::NFTA_LOG_FLAGS, flags.bits())?;
            }
        }
        Expr::Immediate { dreg, data } => {
            w.put_be32(im::NFTA_IMMEDIATE_DREG, dreg.number())?;
            match data {
                ImmediateData::Verdict(verdict) => {
                    if let Verdict::Jump(chain) | Verdict::Goto(chain) = verdict {
                        no_nul("immediate", chain)?;
                    }
                    put_verdict(w, im::NFTA_IMMEDIATE_DATA, verdict)?;
                }
                ImmediateData::Value(bytes) => put_value(w, im::NFTA_IMMEDIATE_DATA, bytes)?,
            }
        }
        Expr::Nat {
            kind,
            family,
            reg_addr_min,
            reg_addr_max,
            reg_proto_min,
            reg_proto_max,
            flags,
        } => {
            check_range("nat", *reg_addr_min, *reg_addr_max, "reg_addr")?;
            check_range("nat", *reg_proto_min, *reg_proto_max, "reg_proto")?;
            if reg_addr_min.is_some() && !flags.contains(NatFlags::MAP_IPS) {
                return Err(refuse(
                    "nat",
                    "flags must include map_ips when reg_addr_min is set",
                ));
            }
            check_proto_flag("nat", *flags, *reg_proto_min)?;
            w.put_be32(na::NFTA_NAT_TYPE, kind.number())?;
            w.put_be32(na::NFTA_NAT_FAMILY, u32::from(family.nfproto()))?;
            put_reg(w, na::NFTA_NAT_REG_ADDR_MIN, *reg_addr_min)?;
            put_reg(w, na::NFTA_NAT_REG_ADDR_MAX, *reg_addr_max)?;
            put_reg(w, na::NFTA_NAT_REG_PROTO_MIN, *reg_proto_min)?;
            put_reg(w, na::NFTA_NAT_REG_PROTO_MAX, *reg_proto_max)?;
            // nft leaves map_ips to the kernel, which sets it for an address register.
            let mut wire = *flags;
            if reg_addr_min.is_some() {
                wire.remove(NatFlags::MAP_IPS);
            }
            if !wire.is_empty() {
                w.put_be32(na::NFTA_NAT_FLAGS, wire.bits())?;
            }
        }
        Expr::Masquerade {
            flags,
            reg_proto_min,
            reg_proto_max,
        } => {
            check_range("masq", *reg_proto_min, *reg_proto_max, "reg_proto")?;
            check_proto_flag("masq", *flags, *reg_proto_min)?;
            if !flags.is_empty() {
                w.put_be32(ma::NFTA_MASQ_FLAGS, flags.bits())?;
            }
            put_reg(w, ma::NFTA_MASQ_REG_PROTO_MIN, *reg_proto_min)?;
            put_reg(w, ma::NFTA_MASQ_REG_PROTO_MAX, *reg_proto_max)?;
        }
        Expr::Redirect {
            flags,
            reg_proto_min,
            reg_proto_max,
        } => {
            check_range("redir", *reg_proto_min, *reg_proto_max, "reg_proto")?;
            check_proto_flag("redir", *flags, *reg_proto_min)?;
            put_reg(w, rd::NFTA_REDIR_REG_PROTO_MIN, *reg_proto_min)?;
            put_reg(w, rd::NFTA_REDIR_REG_PROTO_MAX, *reg_proto_max)?;
            if !flags.is_empty() {
                w.put_be32(rd::NFTA_REDIR_FLAGS, flags.bits())?;
            }
        }
        Expr::Unknown(raw) => w.buffer().extend_from_slice(&raw.data),
    }
    Ok(())
}

/// `bit` when `on`, else 0.
fn flag(on: bool, bit: u32) -> u32 {
    if on { bit } else { 0 }
}

/// A lookup's attributes in libnftnl's order: `SREG`, `DREG`, `SET`, `SET_ID`, `FLAGS`
/// (only when inverted).
fn put_lookup(
    w: &mut Writer<'_>,
    sreg: Reg,
    dreg: Option<Reg>,
    set: &str,
    set_id: Option<u32>,
    inverted: bool,
) -> Result<(), crate::Error> {
    w.put_be32(lk::NFTA_LOOKUP_SREG, sreg.number())?;
    put_reg(w, lk::NFTA_LOOKUP_DREG, dreg)?;
    w.put_str(lk::NFTA_LOOKUP_SET, set)?;
    if let Some(id) = set_id {
        w.put_be32(lk::NFTA_LOOKUP_SET_ID, id)?;
    }
    if inverted {
        w.put_be32(lk::NFTA_LOOKUP_FLAGS, c::NFT_LOOKUP_F_INV)?;
    }
    Ok(())
}

/// A register attribute (big-endian `u32`) when `reg` is set.
fn put_reg(w: &mut Writer<'_>, attr: u16, reg: Option<Reg>) -> Result<(), crate::Error> {
    if let Some(reg) = reg {
        w.put_be32(attr, reg.number())?;
    }
    Ok(())
}

/// Refuse a `_max` register equal to its `_min` register (the canonical form omits it).
fn check_range(
    expr: &str,
    min: Option<Reg>,
    max: Option<Reg>,
    field: &str,
) -> Result<(), crate::Error> {
    if min.is_some() && min == max {
        let reason = format!("{field}_max equal to {field}_min: leave {field}_max unset");
        return Err(refuse(expr, &reason));
    }
    Ok(())
}

/// Refuse a port register without `proto_specified` in `flags`.
fn check_proto_flag(
    expr: &str,
    flags: NatFlags,
    proto_min: Option<Reg>,
) -> Result<(), crate::Error> {
    if proto_min.is_some() && !flags.contains(NatFlags::PROTO_SPECIFIED) {
        return Err(refuse(
            expr,
            "flags must include proto_specified when reg_proto_min is set",
        ));
    }
    Ok(())
}

mod decode;

#[cfg(test)]
mod tests;
