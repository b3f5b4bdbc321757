//! `reject`: refuse the packet with an ICMP error or a TCP reset.

use super::common::{Fit, Misfit, fields};
use crate::Expr;
use crate::expr::RejectType;
use crate::wire::Writer;
use crate::wire::attr::reject as rj;
use crate::{Family, Reason};

/// Write [`Expr::Reject`]'s attributes: `TYPE`, `ICMP_CODE`.
pub(crate) fn encode(w: &mut Writer<'_>, kind: RejectType, code: u8) -> Result<(), crate::Error> {
    w.put_be32(rj::NFTA_REJECT_TYPE, kind.number())?;
    w.put_u8(rj::NFTA_REJECT_ICMP_CODE, code)?;
    Ok(())
}

/// `reject` (the kernel leaves the code out of a TCP reset: 0).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [rj::NFTA_REJECT_TYPE, rj::NFTA_REJECT_ICMP_CODE])?;
    Ok(Expr::Reject {
        kind: RejectType::from_number(f.req_u32(rj::NFTA_REJECT_TYPE)?).ok_or(Misfit)?,
        code: f.opt::<u8, _>(rj::NFTA_REJECT_ICMP_CODE)?.unwrap_or(0),
    })
}

/// [`Expr::Reject`]'s own check: not in an `arp` table; an ICMPX code within
/// `NFT_REJECT_ICMPX_MAX`.
pub(crate) fn check(family: Family, kind: RejectType, code: u8) -> Result<(), Reason> {
    if family == Family::Arp {
        return Err(Reason::ExprNotInFamily {
            expr: "reject",
            family,
        });
    }
    if kind == RejectType::IcmpxUnreach && code > crate::consts::expr::NFT_REJECT_ICMPX_MAX {
        return Err(Reason::RejectCode { code });
    }
    Ok(())
}
