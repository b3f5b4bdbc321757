//! `meta`: a load of packet metadata into a register (`meta set` stays
//! [`crate::Expr::Unknown`]).

use super::common::{Fit, fields};
use super::common::{load, valid};
use crate::Reason;
use crate::expr::MetaKey;
use crate::wire::Writer;
use crate::wire::attr::meta as me;
use crate::{Expr, Reg};

/// Write [`Expr::Meta`]'s attributes: `KEY`, `DREG` (nft's order, not the kernel's).
pub(crate) fn encode(w: &mut Writer<'_>, key: MetaKey, dreg: Reg) -> Result<(), crate::Error> {
    w.put_be32(me::NFTA_META_KEY, key.number())?;
    w.put_be32(me::NFTA_META_DREG, dreg.number())?;
    Ok(())
}

/// `meta` (a load; `meta set` does not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [me::NFTA_META_DREG, me::NFTA_META_KEY])?;
    Ok(Expr::Meta {
        key: MetaKey::from_number(f.req_u32(me::NFTA_META_KEY)?),
        dreg: f.req_reg(me::NFTA_META_DREG)?,
    })
}

/// [`Expr::Meta`]'s own check: the key's value fits at `dreg` (a key of
/// variable length only needs a valid register).
pub(crate) fn check(key: MetaKey, dreg: Reg) -> Result<(), Reason> {
    match key.len() {
        Some(len) => load(dreg, len),
        None => valid(dreg),
    }
}
