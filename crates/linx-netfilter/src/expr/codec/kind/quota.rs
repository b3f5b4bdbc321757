//! `quota`: a byte budget, matched until (or once) it is used up.

use super::common::{Fit, Misfit, checked_expr, fields, flag};
use crate::Expr;
use crate::Reason;
use crate::consts::expr as c;
use crate::nla::Writer;
use crate::nla::attr::quota as qu;

checked_expr! {
    /// The fields of [`Expr::Quota`]: match until `bytes` bytes have passed (or after, with
    /// `over`).
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::Quota};
    /// assert_eq!(Expr::from(Quota::new(1000, false, 0)), Expr::quota(1000));
    /// assert_eq!(Quota::new(1000, true, 10).consumed(), 10);
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Quota via QuotaRepr = "QuotaRepr" {
        /// The quota in bytes.
        bytes: u64,
        /// Match when *over* the quota (`NFT_QUOTA_F_INV`).
        #[serde(default, skip_serializing_if = "crate::expr::is_false")]
        over: bool,
        /// Bytes already used.
        #[serde(default)]
        consumed: u64,
    }
}

impl Quota {
    /// A quota of `bytes`, inverted when `over`, with `consumed` bytes used.
    #[inline]
    pub fn new(bytes: u64, over: bool, consumed: u64) -> Quota {
        Quota {
            bytes,
            over,
            consumed,
        }
    }

    /// `self`: a `quota` has no checks of its own (serde goes through here).
    #[inline]
    pub(crate) fn checked(self) -> Result<Quota, Reason> {
        Ok(self)
    }

    /// The quota in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Match when *over* the quota (`NFT_QUOTA_F_INV`).
    pub fn over(&self) -> bool {
        self.over
    }

    /// Bytes already used.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }
}

impl From<Quota> for Expr {
    /// [`Expr::Quota`].
    fn from(value: Quota) -> Expr {
        Expr::Quota(value)
    }
}

/// `NFT_QUOTA_F_DEPLETED` (`enum nft_quota_flags`): the kernel reports a used-up quota with
/// it; state, not configuration.
const NFT_QUOTA_F_DEPLETED: u32 = 1 << 1;

/// Write [`Expr::Quota`]'s attributes: `BYTES`, `CONSUMED`, `FLAGS`.
#[inline]
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
    Ok(Expr::Quota(
        Quota {
            bytes: f.req_u64(qu::NFTA_QUOTA_BYTES)?,
            over: flags & c::NFT_QUOTA_F_INV != 0,
            consumed: f.u64(qu::NFTA_QUOTA_CONSUMED)?.unwrap_or(0),
        }
        .checked()?,
    ))
}
