//! Expressions on the wire: one `NFTA_LIST_ELEM` { `NFTA_EXPR_NAME`, `NFTA_EXPR_DATA` } per
//! [`Expr`].
//!
//! # Contract
//! - [`encode`] writes exactly what nft(8) 1.0.6 writes for the same expression (attribute
//!   order included). Set literals are written as a lookup of the anonymous set the caller
//!   created for them ([`SetRefs::anonymous`]); lookups and dynsets of sets created in the same
//!   batch also carry the set's batch id ([`SetRefs::set_id`]), as nft does.
//! - [`decode`] never panics. An expression whose name the model does not know, or whose data
//!   does not decode into the model exactly (unknown attribute, odd size, unknown enum value
//!   that the model cannot carry), becomes [`Expr::Unknown`] with its raw data, so it is
//!   re-emitted unchanged. Lookups of anonymous sets decode as plain [`Expr::Lookup`]s naming
//!   the kernel's set (`__set0`); the pull assembly turns them back into literals.

use linx_netlink_codec::DecodeError;

use super::Writer;
use crate::Expr;

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
    let _ = (w, expr, refs);
    todo!("wire::expr::encode")
}

/// Decode the payload of one `NFTA_LIST_ELEM` of an expression list.
pub(crate) fn decode(elem: &[u8]) -> Result<Expr, DecodeError> {
    let _ = elem;
    todo!("wire::expr::decode")
}
