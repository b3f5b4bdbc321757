//! `dynset`: add or update an element of a set from the packet, with the expressions
//! (counter, limit, quota, ...) the element carries.

use super::super::{MAX_DEPTH, SetRefs, decode_nested, encode as encode_elem, encode_body};
use super::common::valid;
use super::common::{Fit, Misfit, fields, no_nul, refuse};
use crate::Expr;
use crate::Reason;
use crate::expr::{Dynset, DynsetOp};
use crate::names::check_name;
use crate::wire::attr::{dynset as dy, list};
use crate::wire::{NftStr, Writer};

/// `NFT_DYNSET_F_EXPR` (`enum nft_dynset_flags`): nft sets it when it sends more than one
/// expression in `NFTA_DYNSET_EXPRESSIONS`.
const NFT_DYNSET_F_EXPR: u32 = 1 << 1;

/// Write [`Expr::Dynset`]'s attributes, its expressions nested (one as `EXPR`, several as
/// `EXPRESSIONS` with `NFT_DYNSET_F_EXPR`); `timeout_ms: Some(0)` is refused.
pub(crate) fn encode(
    w: &mut Writer<'_>,
    dynset: &Dynset,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    let Dynset {
        set,
        op,
        sreg_key,
        sreg_data,
        timeout_ms,
        exprs,
    } = dynset;
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
                encode_elem(w, e, refs)?;
            }
            w.end_nest(nest)?;
            w.put_be32(dy::NFTA_DYNSET_FLAGS, NFT_DYNSET_F_EXPR)?;
        }
    }
    Ok(())
}

/// `dynset` with its expressions (decoded one level down; the batch id is ignored).
pub(crate) fn decode(data: &[u8], depth: usize) -> Fit<Expr> {
    if depth >= MAX_DEPTH {
        return Err(Misfit);
    }
    let f = fields!(
        data,
        [
            dy::NFTA_DYNSET_SET_NAME,
            dy::NFTA_DYNSET_SET_ID,
            dy::NFTA_DYNSET_OP,
            dy::NFTA_DYNSET_SREG_KEY,
            dy::NFTA_DYNSET_SREG_DATA,
            dy::NFTA_DYNSET_TIMEOUT,
            dy::NFTA_DYNSET_EXPR,
            dy::NFTA_DYNSET_PAD,
            dy::NFTA_DYNSET_FLAGS,
            dy::NFTA_DYNSET_EXPRESSIONS,
        ],
    )?;
    match f.u32(dy::NFTA_DYNSET_FLAGS)?.unwrap_or(0) {
        0 | NFT_DYNSET_F_EXPR => {}
        _ => return Err(Misfit),
    }
    let nested = |payload: &[u8]| decode_nested(payload, depth + 1).map_err(Misfit::from);
    let exprs = match (
        f.get(dy::NFTA_DYNSET_EXPR),
        f.get(dy::NFTA_DYNSET_EXPRESSIONS),
    ) {
        (None, None) => Vec::new(),
        (Some(one), None) => vec![nested(one.payload())?],
        (None, Some(many)) => {
            let mut exprs = Vec::new();
            for elem in many.nested() {
                let elem = elem?;
                if elem.kind() != list::NFTA_LIST_ELEM {
                    return Err(Misfit);
                }
                exprs.push(nested(elem.payload())?);
            }
            exprs
        }
        (Some(_), Some(_)) => return Err(Misfit),
    };
    Ok(Expr::from(Dynset {
        set: f.req::<NftStr, _>(dy::NFTA_DYNSET_SET_NAME)?,
        op: DynsetOp::from_number(f.req_u32(dy::NFTA_DYNSET_OP)?).ok_or(Misfit)?,
        sreg_key: f.req_reg(dy::NFTA_DYNSET_SREG_KEY)?,
        sreg_data: f.reg(dy::NFTA_DYNSET_SREG_DATA)?,
        // The kernel reports "no timeout" as 0.
        timeout_ms: f.u64(dy::NFTA_DYNSET_TIMEOUT)?.filter(|&ms| ms != 0),
        exprs,
    }))
}

/// [`Expr::Dynset`]'s own check (the set's existence and kind are checked with the
/// table's references): a valid set name and registers, and only stateful expressions.
pub(crate) fn check(dynset: &Dynset) -> Result<(), Reason> {
    let Dynset {
        set,
        sreg_key,
        sreg_data,
        exprs,
        ..
    } = dynset;
    check_name(set)?;
    valid(*sreg_key)?;
    if let Some(reg) = sreg_data {
        valid(*reg)?;
    }
    for inner in exprs {
        // Expressions the model does not name (connlimit, last, ...) are kept as
        // pulled; whether they are stateful is the kernel's call.
        if !matches!(
            inner,
            Expr::Counter(_) | Expr::Limit(_) | Expr::Quota(_) | Expr::Unknown(_)
        ) {
            return Err(Reason::NotStateful {
                expr: inner.modelled_name(),
            });
        }
    }
    Ok(())
}
