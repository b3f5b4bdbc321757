//! `quota`: a byte budget, matched until (or once) it is used up.

use super::common::{Fit, Misfit, fields, flag};
use crate::Expr;
use crate::consts::expr as c;
use crate::wire::Writer;
use crate::wire::attr::quota as qu;

/// `NFT_QUOTA_F_DEPLETED` (`enum nft_quota_flags`): the kernel reports a used-up quota with
/// it; state, not configuration.
const NFT_QUOTA_F_DEPLETED: u32 = 1 << 1;

/// Write [`Expr::Quota`]'s attributes: `BYTES`, `CONSUMED`, `FLAGS`.
pub(crate) fn encode(
    w: &mut Writer<'_>,
    bytes: u64,
    over: bool,
    consumed: u64,
) -> Result<(), crate::Error> {
    w.put_be64(qu::NFTA_QUOTA_BYTES, bytes)?;
    w.put_be64(qu::NFTA_QUOTA_CONSUMED, consumed)?;
    w.put_be32(qu::NFTA_QUOTA_FLAGS, flag(over, c::NFT_QUOTA_F_INV))?;
    Ok(())
}

/// `quota` (the depleted bit is state and ignored).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            qu::NFTA_QUOTA_BYTES,
            qu::NFTA_QUOTA_FLAGS,
            qu::NFTA_QUOTA_PAD,
            qu::NFTA_QUOTA_CONSUMED,
        ],
    )?;
    let flags = f.u32(qu::NFTA_QUOTA_FLAGS)?.unwrap_or(0);
    if flags & !(c::NFT_QUOTA_F_INV | NFT_QUOTA_F_DEPLETED) != 0 {
        return Err(Misfit);
    }
    Ok(Expr::Quota {
        bytes: f.req_u64(qu::NFTA_QUOTA_BYTES)?,
        over: flags & c::NFT_QUOTA_F_INV != 0,
        consumed: f.u64(qu::NFTA_QUOTA_CONSUMED)?.unwrap_or(0),
    })
}
