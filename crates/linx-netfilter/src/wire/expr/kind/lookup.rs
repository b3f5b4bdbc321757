//! `lookup`: match a register against a set, or map it through a map (also the wire form
//! of set and vmap literals, as lookups of the anonymous set created for them).

use super::super::SetRefs;
use super::common::valid;
use super::common::{Fit, Misfit, fields, no_nul, put_reg};
use crate::Reason;
use crate::consts::expr as c;
use crate::expr::{SetLiteral, VmapLiteral};
use crate::names::check_name;
use crate::wire::attr::lookup as lk;
use crate::wire::{NftStr, Writer};
use crate::{Expr, Reg};

/// Write [`Expr::Lookup`]'s attributes, with the set's batch id when it is created in the
/// same batch.
pub(crate) fn encode(
    w: &mut Writer<'_>,
    set: &str,
    sreg: Reg,
    dreg: Option<Reg>,
    inverted: bool,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    let id = refs.set_id(set);
    put_lookup(w, sreg, dreg, no_nul("lookup", set)?, id, inverted)
}

/// Write a [`Expr::SetLiteral`] as a lookup of the anonymous set made for it.
pub(crate) fn encode_set_literal(
    w: &mut Writer<'_>,
    lit: &SetLiteral,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    let (set, id) = refs.anonymous()?;
    put_lookup(
        w,
        lit.sreg,
        None,
        no_nul("lookup", set)?,
        Some(id),
        lit.inverted,
    )
}

/// Write a [`Expr::VmapLiteral`] as a lookup, into the verdict register, of the anonymous
/// map made for it.
pub(crate) fn encode_vmap_literal(
    w: &mut Writer<'_>,
    lit: &VmapLiteral,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    let (set, id) = refs.anonymous()?;
    let dreg = Some(Reg::VERDICT);
    put_lookup(w, lit.sreg, dreg, no_nul("lookup", set)?, Some(id), false)
}

/// A lookup's attributes in libnftnl's order: `SREG`, `DREG`, `SET`, `SET_ID`, `FLAGS`
/// (only when inverted).
fn put_lookup(
    w: &mut Writer<'_>,
    sreg: Reg,
    dreg: Option<Reg>,
    set: &str,
    set_id: Option<u32>,
    inverted: bool,
) -> Result<(), crate::Error> {
    w.put_be32(lk::NFTA_LOOKUP_SREG, sreg.number())?;
    put_reg(w, lk::NFTA_LOOKUP_DREG, dreg)?;
    w.put_str(lk::NFTA_LOOKUP_SET, set)?;
    if let Some(id) = set_id {
        w.put_be32(lk::NFTA_LOOKUP_SET_ID, id)?;
    }
    if inverted {
        w.put_be32(lk::NFTA_LOOKUP_FLAGS, c::NFT_LOOKUP_F_INV)?;
    }
    Ok(())
}

/// `lookup` (the batch id is ignored).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            lk::NFTA_LOOKUP_SET,
            lk::NFTA_LOOKUP_SREG,
            lk::NFTA_LOOKUP_DREG,
            lk::NFTA_LOOKUP_SET_ID,
            lk::NFTA_LOOKUP_FLAGS,
        ],
    )?;
    let inverted = match f.u32(lk::NFTA_LOOKUP_FLAGS)?.unwrap_or(0) {
        0 => false,
        c::NFT_LOOKUP_F_INV => true,
        _ => return Err(Misfit),
    };
    Ok(Expr::Lookup {
        set: f.req::<NftStr, _>(lk::NFTA_LOOKUP_SET)?,
        sreg: f.req_reg(lk::NFTA_LOOKUP_SREG)?,
        dreg: f.reg(lk::NFTA_LOOKUP_DREG)?,
        inverted,
    })
}

/// [`Expr::Lookup`]'s own check (the set's existence and kind are checked with the
/// table's references): a valid set name and registers.
pub(crate) fn check(set: &str, sreg: Reg, dreg: Option<Reg>) -> Result<(), Reason> {
    check_name(set)?;
    valid(sreg)?;
    if let Some(dreg) = dreg {
        valid(dreg)?;
    }
    Ok(())
}
