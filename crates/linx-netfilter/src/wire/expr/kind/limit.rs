//! `limit`: a token-bucket rate limit, in packets or bytes.

use super::common::{Fit, Misfit, fields, flag};
use crate::Expr;
use crate::consts::expr as c;
use crate::expr::RateUnit;
use crate::wire::Writer;
use crate::wire::attr::limit as li;

/// Write [`Expr::Limit`]'s attributes: `RATE`, `UNIT`, `BURST` (only when not 0), `TYPE`,
/// `FLAGS`.
pub(crate) fn encode(
    w: &mut Writer<'_>,
    rate: u64,
    unit: RateUnit,
    burst: u32,
    bytes: bool,
    over: bool,
) -> Result<(), crate::Error> {
    w.put_be64(li::NFTA_LIMIT_RATE, rate)?;
    w.put_be64(li::NFTA_LIMIT_UNIT, unit.seconds())?;
    if burst != 0 {
        w.put_be32(li::NFTA_LIMIT_BURST, burst)?;
    }
    let kind = if bytes {
        c::NFT_LIMIT_PKT_BYTES
    } else {
        c::NFT_LIMIT_PKTS
    };
    w.put_be32(li::NFTA_LIMIT_TYPE, kind)?;
    w.put_be32(li::NFTA_LIMIT_FLAGS, flag(over, c::NFT_LIMIT_F_INV))?;
    Ok(())
}

/// `limit`.
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            li::NFTA_LIMIT_RATE,
            li::NFTA_LIMIT_UNIT,
            li::NFTA_LIMIT_BURST,
            li::NFTA_LIMIT_TYPE,
            li::NFTA_LIMIT_FLAGS,
            li::NFTA_LIMIT_PAD,
        ],
    )?;
    let bytes = match f.u32(li::NFTA_LIMIT_TYPE)?.unwrap_or(c::NFT_LIMIT_PKTS) {
        c::NFT_LIMIT_PKTS => false,
        c::NFT_LIMIT_PKT_BYTES => true,
        _ => return Err(Misfit),
    };
    let over = match f.u32(li::NFTA_LIMIT_FLAGS)?.unwrap_or(0) {
        0 => false,
        c::NFT_LIMIT_F_INV => true,
        _ => return Err(Misfit),
    };
    Ok(Expr::Limit {
        rate: f.req_u64(li::NFTA_LIMIT_RATE)?,
        unit: RateUnit::from_seconds(f.req_u64(li::NFTA_LIMIT_UNIT)?).ok_or(Misfit)?,
        burst: f.u32(li::NFTA_LIMIT_BURST)?.unwrap_or(0),
        bytes,
        over,
    })
}
