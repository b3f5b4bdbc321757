//! `cmp`: compare a register with a constant.

use super::common::{Fit, Misfit, fields, value};
use super::common::{data_len, load};
use crate::Reason;
use crate::expr::{CmpData, CmpOp};
use crate::wire::attr::cmp as cm;
use crate::wire::{Writer, put_value};
use crate::{Expr, Reg};

/// Write [`Expr::Cmp`]'s attributes: `SREG`, `OP`, `DATA`.
pub(crate) fn encode(
    w: &mut Writer<'_>,
    sreg: Reg,
    op: CmpOp,
    data: &CmpData,
) -> Result<(), crate::Error> {
    w.put_be32(cm::NFTA_CMP_SREG, sreg.number())?;
    w.put_be32(cm::NFTA_CMP_OP, op.number())?;
    put_value(w, cm::NFTA_CMP_DATA, data)?;
    Ok(())
}

/// `cmp`.
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [cm::NFTA_CMP_SREG, cm::NFTA_CMP_OP, cm::NFTA_CMP_DATA],
    )?;
    Ok(Expr::Cmp {
        sreg: f.req_reg(cm::NFTA_CMP_SREG)?,
        op: CmpOp::from_number(f.req_u32(cm::NFTA_CMP_OP)?).ok_or(Misfit)?,
        data: CmpData::new(value(&f.get(cm::NFTA_CMP_DATA).ok_or(Misfit)?)?),
    })
}

/// [`Expr::Cmp`]'s own check: 1..=64 data bytes, which fit at `sreg`.
pub(crate) fn check(sreg: Reg, data: &[u8]) -> Result<(), Reason> {
    let len = data_len(data)?;
    load(sreg, len)
}
