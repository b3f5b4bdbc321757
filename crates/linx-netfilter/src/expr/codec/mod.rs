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
//! Layout: each kind the model types has its own module under `kind/` (`kind/payload.rs`,
//! `kind/nat.rs` for nat, masq and redir, ...) holding its checked model type, its checks,
//! its encoder and its decoder; the
//! helpers they share (refusals, register writers, the attribute table reader `Fields` and
//! its `Misfit`) live in the leaf `kind/common.rs`. This module's `encode_data` and the
//! `decode` module's `typed` are dispatchers with one arm per kind. Adding an expression
//! kind is one file in `kind/` plus one arm in each dispatcher and the [`Expr`] variant.
//! The codec sits inside [`crate::expr`] (not in `wire`) so the model and its kinds never
//! import the message layer: `wire` builds on `expr`, both on the attribute leaf `nla`.
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
//!   unknown enum value that the model cannot carry, missing mandatory attribute, or fields
//!   the kind's checked constructor refuses: a register too small for the load, ...), becomes
//!   [`Expr::Unknown`] with its raw data, so it is re-emitted unchanged. Lookups of anonymous
//!   sets decode as plain [`Expr::Lookup`]s naming the kernel's set (`__set0`); the pull
//!   assembly turns them back into literals. Only a missing, empty or unreadable `NFTA_EXPR_NAME`
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

use crate::Expr;
use crate::nla::Writer;
use crate::nla::attr::{expr as ex, list};
use kind::common::no_nul;
// The unit tests (`use super::*`) name these as they did when the encoders lived here.
#[cfg(test)]
use crate::expr::{Bitwise, Dynset, ImmediateData, Log, NatFlags};
use crate::expr::{Cmp, Ct, Meta, Payload};
use crate::expr::{Counter, Immediate, Limit, Lookup, Objref, Quota, Reject};
#[cfg(test)]
use crate::{Reg, Verdict};
#[cfg(test)]
use kind::common::refuse;

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

/// Decode the payload of one `NFTA_LIST_ELEM` of an expression list the general way: for an
/// element [`decode_fast`] declined (callers try it first; it answers in an `Option`, which
/// is cheaper per expression than this `Result`).
#[inline]
pub(crate) fn decode(elem: &[u8]) -> Result<Expr, DecodeError> {
    decode::decode_at(elem, 0)
}

/// The fast path: the common kinds as the kernel dumps them, `None` for anything else (see
/// [`fast`]); where it answers, [`decode()`] answers the same.
#[inline(always)]
pub(crate) fn decode_fast(elem: &[u8]) -> Option<Expr> {
    fast::decode(elem)
}

/// [`decode()`] of an expression nested `depth` levels down (a dynset's expressions).
#[inline]
fn decode_nested(elem: &[u8], depth: usize) -> Result<Expr, DecodeError> {
    decode::decode_at(elem, depth)
}

// ---------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------

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
    put_name(w, name)?;
    let data = w.begin_nest(ex::NFTA_EXPR_DATA, true);
    encode_data(w, expr, refs)?;
    w.end_nest(data)?;
    Ok(())
}

/// `NFTA_EXPR_NAME` `name` (NUL-terminated), the bytes `put_str` writes: for a name of at
/// most 11 bytes (every modelled name) assembled on the stack and appended as one
/// fixed-size copy cut to length, instead of a header, a copy of the name and one of the
/// padding (every expression of every rule has a name).
#[inline]
fn put_name(w: &mut Writer<'_>, name: &str) -> Result<(), crate::Error> {
    const ROOM: usize = 16;
    let bytes = name.as_bytes();
    let len = 4 + bytes.len() + 1;
    if len > ROOM {
        w.put_str(ex::NFTA_EXPR_NAME, name)?;
        return Ok(());
    }
    let mut attr = [0u8; ROOM];
    // len <= ROOM, so it fits a u16.
    attr[..2].copy_from_slice(&(len as u16).to_ne_bytes());
    attr[2..4].copy_from_slice(&ex::NFTA_EXPR_NAME.to_ne_bytes());
    // The name by fixed-size pieces (two overlapping pieces of 8, 4, 2 or 1 bytes cover 1 to
    // 11 bytes), not a byte loop (which LLVM may turn into a call to `memcpy`: `cmp` has
    // three) or a call for a copy of any length.
    let n = bytes.len();
    let name_at = &mut attr[4..4 + n];
    if n >= 8 {
        name_at[..8].copy_from_slice(&bytes[..8]);
        name_at[n - 8..].copy_from_slice(&bytes[n - 8..]);
    } else if n >= 4 {
        name_at[..4].copy_from_slice(&bytes[..4]);
        name_at[n - 4..].copy_from_slice(&bytes[n - 4..]);
    } else if n >= 2 {
        name_at[..2].copy_from_slice(&bytes[..2]);
        name_at[n - 2..].copy_from_slice(&bytes[n - 2..]);
    } else if n == 1 {
        name_at[0] = bytes[0];
    }
    let buf = w.buffer();
    let end = buf.len() + len.next_multiple_of(4);
    buf.extend_from_slice(&attr);
    buf.truncate(end);
    Ok(())
}

/// Write the attributes inside `NFTA_EXPR_DATA`, in libnftnl's order.
fn encode_data(
    w: &mut Writer<'_>,
    expr: &Expr,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    match expr {
        Expr::Payload(Payload {
            base,
            offset,
            len,
            dreg,
        }) => kind::payload::encode(w, *base, *offset, *len, *dreg),
        Expr::Meta(Meta { key, dreg }) => kind::meta::encode(w, *key, *dreg),
        Expr::Cmp(Cmp { sreg, op, data }) => kind::cmp::encode(w, *sreg, *op, data),
        Expr::Bitwise(bitwise) => kind::bitwise::encode(w, bitwise),
        Expr::Ct(Ct { key, dreg }) => kind::ct::encode(w, *key, *dreg),
        Expr::Lookup(Lookup {
            set,
            sreg,
            dreg,
            inverted,
        }) => kind::lookup::encode(w, set, *sreg, *dreg, *inverted, refs),
        Expr::SetLiteral(lit) => kind::lookup::encode_set_literal(w, lit, refs),
        Expr::VmapLiteral(lit) => kind::lookup::encode_vmap_literal(w, lit, refs),
        Expr::Reject(Reject { kind, code }) => kind::reject::encode(w, *kind, *code),
        Expr::Counter(Counter { packets, bytes }) => kind::counter::encode(w, *packets, *bytes),
        Expr::Limit(Limit {
            rate,
            unit,
            burst,
            bytes,
            over,
        }) => kind::limit::encode(w, *rate, *unit, *burst, *bytes, *over),
        Expr::Quota(Quota {
            bytes,
            over,
            consumed,
        }) => kind::quota::encode(w, *bytes, *over, *consumed),
        Expr::Dynset(dynset) => kind::dynset::encode(w, dynset, refs),
        Expr::Objref(Objref { kind, name }) => kind::objref::encode(w, *kind, name),
        Expr::Log(log) => kind::log::encode(w, log),
        Expr::Immediate(Immediate { dreg, data }) => kind::immediate::encode(w, *dreg, data),
        Expr::Nat(nat) => kind::nat::encode_nat(w, nat),
        Expr::Masquerade(masq) => kind::nat::encode_masq(w, masq),
        Expr::Redirect(redir) => kind::nat::encode_redir(w, redir),
        Expr::Unknown(raw) => {
            w.buffer().extend_from_slice(&raw.data);
            Ok(())
        }
    }
}

mod decode;
mod fast;
#[cfg(test)]
pub(crate) mod kernel_layout;
pub(crate) mod kind;

#[cfg(test)]
mod tests;
