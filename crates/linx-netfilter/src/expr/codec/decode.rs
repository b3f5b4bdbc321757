//! The expression decoder: `NFTA_EXPR_DATA` into the model, all or nothing.
//!
//! [`typed`] dispatches on `NFTA_EXPR_NAME` to the decoder of each kind in [`super::kind`].
//! Each declares the attributes it allows as the codec's exact
//! [`AttrTable`](linx_netlink_codec::AttrTable) (through [`kind::common::fields!`]) and reads
//! them with the codec's value codecs ([`AttrValue`](linx_netlink_codec::AttrValue):
//! `Be32`, `Be64`, `Be16`, `u8`, a register codec, `NftStr`). Why the borrowed table and
//! not an owned `typed_attrs!` type: the model holds an expression only when it can give
//! the kernel's bytes back, so the first unknown attribute, duplicate, malformed or wrongly
//! sized value makes the whole expression a misfit (kept raw by the caller) instead of a
//! decode error; nests are matched with or without `NLA_F_NESTED` (nft sets it, the
//! kernel's dumps do not); and the table borrows every payload, so a pulled rule's
//! expressions are typed without intermediate copies. Written with `typed_attrs!` (one
//! owned set per expression, nests declared twice, the fit checked afterwards), rule
//! decoding cost about 50% more instructions.
//!
//! # Contract
//! - A typed value comes only from data in which every attribute is allowed, present at
//!   most once and well formed, with every attribute its expression requires; anything
//!   else is [`Misfit`], never an error (only a missing, empty or unreadable
//!   `NFTA_EXPR_NAME` or a malformed element is). Fields that decode but fail the kind's
//!   own checks (those its checked constructor applies) are a [`Misfit`] too.
//! - Never panics; allocates only the values the model keeps and, on the misfit path, the
//!   raw copy of the data.
//! - Dynset expressions nest at most [`super::MAX_DEPTH`] levels.

use linx_netlink_codec::{AttrIter, AttrView, DecodeError};

use super::kind;
use super::kind::common::{Fit, Misfit};
use crate::Expr;
use crate::expr::UnknownExpr;
use crate::nla::attr::expr as ex;
use crate::nla::invalid;

#[cfg(test)]
pub(super) use super::kind::nat::range_max;

/// [`decode`] at nesting depth `depth` (dynset expressions are one level down).
#[inline]
pub(super) fn decode_at(elem: &[u8], depth: usize) -> Result<Expr, DecodeError> {
    let t = linx_netlink_codec::attr_table!(first elem, [ex::NFTA_EXPR_NAME, ex::NFTA_EXPR_DATA])?;
    let data = t.get(ex::NFTA_EXPR_DATA).map_or(&[][..], |a| a.payload());
    // The name up to its first NUL, as the string codec reads it. A typed expression's name
    // is ASCII, so it is matched as bytes; only an unknown expression's name is checked as
    // UTF-8 (and kept).
    let Some(raw) = t.get(ex::NFTA_EXPR_NAME).map(|a| a.payload()) else {
        return Err(invalid("expression name", 0));
    };
    let raw = raw
        .iter()
        .position(|&b| b == 0)
        .map_or(raw, |end| &raw[..end]);
    Ok(match typed(raw, data, depth) {
        Ok(expr) => expr,
        Err(Misfit) => {
            let name = t.str(ex::NFTA_EXPR_NAME)?;
            // The kernel names every expression; an empty name is not one.
            let name = name
                .filter(|name| !name.is_empty())
                .ok_or_else(|| invalid("expression name", 0))?;
            Expr::from(UnknownExpr {
                name: name.to_owned(),
                data: sendable(name, data).into_owned(),
            })
        }
    })
}

/// `enum nft_exthdr_attributes` (only the kinds [`sendable`] looks at).
mod exthdr {
    /// `NFTA_EXTHDR_DREG`.
    pub(super) const DREG: u16 = 1;
    /// `NFTA_EXTHDR_OFFSET`.
    pub(super) const OFFSET: u16 = 3;
    /// `NFTA_EXTHDR_LEN`.
    pub(super) const LEN: u16 = 4;
    /// `NFTA_EXTHDR_FLAGS`.
    pub(super) const FLAGS: u16 = 5;
    /// `NFTA_EXTHDR_SREG`.
    pub(super) const SREG: u16 = 7;
}

/// `NFTA_OSF_FLAGS` (`enum nft_osf_attributes`).
const NFTA_OSF_FLAGS: u16 = 3;

/// The `NFTA_EXPR_DATA` of an expression the model does not type, as it must be sent back:
/// `data` without the attributes the kernel reports at their default but refuses when it
/// receives them (nft never sends them):
/// - `exthdr` write (`tcp option ... set`, with `SREG`): `FLAGS` 0;
/// - `exthdr` strip (`reset tcp option ...`, neither `SREG` nor `DREG`): `OFFSET`, `LEN`
///   and `FLAGS` 0;
/// - `osf`: `FLAGS` 0 (the kernel takes only `NFT_OSF_F_VERSION`).
///
/// Everything else, malformed data included, is kept byte for byte.
fn sendable<'a>(name: &str, data: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    let mut attrs = Vec::new();
    for a in AttrIter::new(data) {
        match a {
            Ok(a) => attrs.push(a),
            Err(_) => return data.into(),
        }
    }
    let has = |kind: u16| attrs.iter().any(|a| a.kind() == kind);
    let dump_only: &[u16] = match name {
        "exthdr" if has(exthdr::SREG) => &[exthdr::FLAGS],
        "exthdr" if !has(exthdr::DREG) => &[exthdr::OFFSET, exthdr::LEN, exthdr::FLAGS],
        "osf" => &[NFTA_OSF_FLAGS],
        _ => &[],
    };
    let zero = |a: &AttrView<'_>| a.payload().iter().all(|&b| b == 0);
    if !attrs
        .iter()
        .any(|a| dump_only.contains(&a.kind()) && zero(a))
    {
        return data.into();
    }
    let mut kept = Vec::with_capacity(data.len());
    for (i, a) in attrs.iter().enumerate() {
        if dump_only.contains(&a.kind()) && zero(a) {
            continue;
        }
        // Header, payload and padding as received: up to the next attribute.
        let end = attrs.get(i + 1).map_or(data.len(), |next| next.offset());
        kept.extend_from_slice(data.get(a.offset()..end).unwrap_or_default());
    }
    kept.into()
}

/// A typed decode of expression `name` with `NFTA_EXPR_DATA` payload `data`.
fn typed(name: &[u8], data: &[u8], depth: usize) -> Fit<Expr> {
    match name {
        b"payload" => kind::payload::decode(data),
        b"meta" => kind::meta::decode(data),
        b"cmp" => kind::cmp::decode(data),
        b"bitwise" => kind::bitwise::decode(data),
        b"ct" => kind::ct::decode(data),
        b"lookup" => kind::lookup::decode(data),
        b"reject" => kind::reject::decode(data),
        b"counter" => kind::counter::decode(data),
        b"limit" => kind::limit::decode(data),
        b"quota" => kind::quota::decode(data),
        b"dynset" => kind::dynset::decode(data, depth),
        b"objref" => kind::objref::decode(data),
        b"log" => kind::log::decode(data),
        b"immediate" => kind::immediate::decode(data),
        b"nat" => kind::nat::decode_nat(data),
        b"masq" => kind::nat::decode_masq(data),
        b"redir" => kind::nat::decode_redir(data),
        _ => Err(Misfit),
    }
}
