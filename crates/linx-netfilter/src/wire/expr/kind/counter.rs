//! `counter`: packets and bytes seen.

use super::common::{Fit, fields};
use crate::Expr;
use crate::wire::Writer;
use crate::wire::attr::counter as co;

/// Write [`Expr::Counter`]'s attributes: nothing for a fresh counter (as nft sends it),
/// else `BYTES`, `PACKETS`.
pub(crate) fn encode(w: &mut Writer<'_>, packets: u64, bytes: u64) -> Result<(), crate::Error> {
    // nft sends an empty counter; initial values only when there are some.
    if packets != 0 || bytes != 0 {
        w.put_be64(co::NFTA_COUNTER_BYTES, bytes)?;
        w.put_be64(co::NFTA_COUNTER_PACKETS, packets)?;
    }
    Ok(())
}

/// `counter` (missing values are 0).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            co::NFTA_COUNTER_BYTES,
            co::NFTA_COUNTER_PACKETS,
            co::NFTA_COUNTER_PAD,
        ],
    )?;
    Ok(Expr::Counter {
        packets: f.u64(co::NFTA_COUNTER_PACKETS)?.unwrap_or(0),
        bytes: f.u64(co::NFTA_COUNTER_BYTES)?.unwrap_or(0),
    })
}
