//! `payload`: a load of header bytes into a register (writes and checksum updates stay
//! [`crate::Expr::Unknown`]).

use super::common::load;
use super::common::{Fit, fields};
use crate::Reason;
use crate::expr::PayloadBase;
use crate::wire::Writer;
use crate::wire::attr::payload as pa;
use crate::{Expr, Reg};

/// Write [`Expr::Payload`]'s attributes: `DREG`, `BASE`, `OFFSET`, `LEN`.
pub(crate) fn encode(
    w: &mut Writer<'_>,
    base: PayloadBase,
    offset: u32,
    len: u32,
    dreg: Reg,
) -> Result<(), crate::Error> {
    w.put_be32(pa::NFTA_PAYLOAD_DREG, dreg.number())?;
    w.put_be32(pa::NFTA_PAYLOAD_BASE, base.number())?;
    w.put_be32(pa::NFTA_PAYLOAD_OFFSET, offset)?;
    w.put_be32(pa::NFTA_PAYLOAD_LEN, len)?;
    Ok(())
}

/// `payload` (a load; writes and checksum updates do not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            pa::NFTA_PAYLOAD_DREG,
            pa::NFTA_PAYLOAD_BASE,
            pa::NFTA_PAYLOAD_OFFSET,
            pa::NFTA_PAYLOAD_LEN,
        ],
    )?;
    Ok(Expr::Payload {
        base: PayloadBase::from_number(f.req_u32(pa::NFTA_PAYLOAD_BASE)?),
        offset: f.req_u32(pa::NFTA_PAYLOAD_OFFSET)?,
        len: f.req_u32(pa::NFTA_PAYLOAD_LEN)?,
        dreg: f.req_reg(pa::NFTA_PAYLOAD_DREG)?,
    })
}

/// [`Expr::Payload`]'s own check: `len` bytes fit at `dreg`.
pub(crate) fn check(len: u32, dreg: Reg) -> Result<(), Reason> {
    load(dreg, len)
}
