//! `immediate`: load a constant or a verdict into a register.

use super::common::{Fit, Misfit, fields, no_nul};
use crate::consts::verdict as v;
use crate::expr::ImmediateData;
use crate::wire::attr::{data as d, immediate as im, verdict as va};
use crate::wire::{NftStr, Writer, put_value, put_verdict};
use crate::{Expr, Reg, Verdict};

/// Write [`Expr::Immediate`]'s attributes: `DREG`, `DATA` (a value or a verdict).
pub(crate) fn encode(
    w: &mut Writer<'_>,
    dreg: Reg,
    data: &ImmediateData,
) -> Result<(), crate::Error> {
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
    Ok(())
}

/// `immediate` (a verdict or data).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [im::NFTA_IMMEDIATE_DREG, im::NFTA_IMMEDIATE_DATA])?;
    Ok(Expr::Immediate {
        dreg: f.req_reg(im::NFTA_IMMEDIATE_DREG)?,
        data: immediate_data(&f.get(im::NFTA_IMMEDIATE_DATA).ok_or(Misfit)?)?,
    })
}

/// The payload of an `NFTA_DATA_*` nest holding exactly one value or verdict.
fn immediate_data(a: &linx_netlink_codec::AttrView<'_>) -> Fit<ImmediateData> {
    let f = fields!(a.payload(), [d::NFTA_DATA_VALUE, d::NFTA_DATA_VERDICT])?;
    match (f.get(d::NFTA_DATA_VALUE), f.get(d::NFTA_DATA_VERDICT)) {
        (Some(val), None) => Ok(ImmediateData::Value(val.payload().to_vec())),
        (None, Some(verdict)) => strict_verdict(verdict.payload()).map(ImmediateData::Verdict),
        _ => Err(Misfit),
    }
}

/// An `NFTA_DATA_VERDICT` payload that [`put_verdict`] writes back byte for byte: a code,
/// plus a chain exactly for jump and goto; a queue code carries no flag bits.
fn strict_verdict(payload: &[u8]) -> Fit<Verdict> {
    let f = fields!(payload, [va::NFTA_VERDICT_CODE, va::NFTA_VERDICT_CHAIN])?;
    let code = f.req_u32(va::NFTA_VERDICT_CODE)?;
    let chain = f.opt::<NftStr, _>(va::NFTA_VERDICT_CHAIN)?;
    let verdict = match (code as i32, chain) {
        (v::NF_DROP, None) => Verdict::Drop,
        (v::NF_ACCEPT, None) => Verdict::Accept,
        (v::NFT_CONTINUE, None) => Verdict::Continue,
        (v::NFT_RETURN, None) => Verdict::Return,
        (v::NFT_JUMP, Some(chain)) => Verdict::Jump(chain),
        (v::NFT_GOTO, Some(chain)) => Verdict::Goto(chain),
        (_, None) if code & 0xffff == v::NF_QUEUE as u32 => {
            Verdict::Queue((code >> v::NF_VERDICT_QBITS) as u16)
        }
        _ => return Err(Misfit),
    };
    Ok(verdict)
}
