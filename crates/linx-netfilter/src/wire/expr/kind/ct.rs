//! `ct`: a load of conntrack state into a register, without direction (`ct set` and
//! directional keys stay [`crate::Expr::Unknown`]).

use super::common::{Fit, fields};
use super::common::{load, valid};
use crate::Reason;
use crate::expr::CtKey;
use crate::wire::Writer;
use crate::wire::attr::ct as ctk;
use crate::{Expr, Reg};

/// Write [`Expr::Ct`]'s attributes: `KEY`, `DREG`.
pub(crate) fn encode(w: &mut Writer<'_>, key: CtKey, dreg: Reg) -> Result<(), crate::Error> {
    w.put_be32(ctk::NFTA_CT_KEY, key.number())?;
    w.put_be32(ctk::NFTA_CT_DREG, dreg.number())?;
    Ok(())
}

/// `ct` (a load without direction; `ct set` does not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [ctk::NFTA_CT_DREG, ctk::NFTA_CT_KEY])?;
    Ok(Expr::Ct {
        key: CtKey::from_number(f.req_u32(ctk::NFTA_CT_KEY)?),
        dreg: f.req_reg(ctk::NFTA_CT_DREG)?,
    })
}

/// [`Expr::Ct`]'s own check: the key's value fits at `dreg` (a key of
/// variable length only needs a valid register).
pub(crate) fn check(key: CtKey, dreg: Reg) -> Result<(), Reason> {
    match key.len() {
        Some(len) => load(dreg, len),
        None => valid(dreg),
    }
}
