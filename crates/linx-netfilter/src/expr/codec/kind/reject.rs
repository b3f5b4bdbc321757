//! `reject`: refuse the packet with an ICMP error or a TCP reset.

use super::common::{Fit, Misfit, checked_expr, fields};
use crate::Expr;
use crate::expr::RejectType;
use crate::nla::Writer;
use crate::nla::attr::reject as rj;
use crate::{Family, Reason};

checked_expr! {
    /// The fields of [`Expr::Reject`]: drop the packet and answer with an ICMP error or a TCP
    /// reset.
    ///
    /// Whether the table's family allows it (not `arp`) is checked when the rule is added.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::{Reject, RejectType}};
    /// let r = Reject::new(RejectType::TcpReset, 0)?;
    /// assert_eq!(Expr::from(r), Expr::reject(RejectType::TcpReset));
    /// assert_eq!(r.kind(), RejectType::TcpReset);
    /// assert!(Reject::new(RejectType::IcmpxUnreach, 200).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Reject via RejectRepr = "RejectRepr" {
        /// How to answer.
        #[serde(rename = "type")]
        kind: RejectType,
        /// The ICMP/icmpx code (0 for a TCP reset).
        code: u8,
    }
}

impl Reject {
    /// A checked `reject`: an icmpx code is at most `NFT_REJECT_ICMPX_MAX` (3).
    #[inline]
    pub fn new(kind: RejectType, code: u8) -> Result<Reject, Reason> {
        Reject { kind, code }.checked()
    }

    /// `self` when it passes [`Reject::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Reject, Reason> {
        check_code(self.kind, self.code)?;
        Ok(self)
    }

    /// How to answer.
    pub fn kind(&self) -> RejectType {
        self.kind
    }

    /// The ICMP/icmpx code (0 for a TCP reset).
    pub fn code(&self) -> u8 {
        self.code
    }
}

impl From<Reject> for Expr {
    /// [`Expr::Reject`].
    fn from(value: Reject) -> Expr {
        Expr::Reject(value)
    }
}

/// Write [`Expr::Reject`]'s attributes: `TYPE`, `ICMP_CODE`.
#[inline]
pub(crate) fn encode(w: &mut Writer<'_>, kind: RejectType, code: u8) -> Result<(), crate::Error> {
    w.put_be32(rj::NFTA_REJECT_TYPE, kind.number())?;
    w.put_u8(rj::NFTA_REJECT_ICMP_CODE, code)?;
    Ok(())
}

/// `reject` (the kernel leaves the code out of a TCP reset: 0).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [rj::NFTA_REJECT_TYPE, rj::NFTA_REJECT_ICMP_CODE])?;
    Ok(Expr::Reject(
        Reject {
            kind: RejectType::from_number(f.req_u32(rj::NFTA_REJECT_TYPE)?).ok_or(Misfit)?,
            code: f.opt::<u8, _>(rj::NFTA_REJECT_ICMP_CODE)?.unwrap_or(0),
        }
        .checked()?,
    ))
}

/// What [`Expr::Reject`] needs of its table: not an `arp` table.
pub(crate) fn check_family(family: Family) -> Result<(), Reason> {
    if family == Family::Arp {
        return Err(Reason::ExprNotInFamily {
            expr: "reject",
            family,
        });
    }
    Ok(())
}

/// [`Reject`]'s own check: an ICMPX code within `NFT_REJECT_ICMPX_MAX`.
fn check_code(kind: RejectType, code: u8) -> Result<(), Reason> {
    if kind == RejectType::IcmpxUnreach && code > crate::consts::expr::NFT_REJECT_ICMPX_MAX {
        return Err(Reason::RejectCode { code });
    }
    Ok(())
}
