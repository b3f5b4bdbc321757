//! `limit`: a token-bucket rate limit, in packets or bytes.

use super::common::{Fit, Misfit, checked_expr, fields, flag};
use crate::Expr;
use crate::Reason;
use crate::consts::expr as c;
use crate::expr::RateUnit;
use crate::nla::Writer;
use crate::nla::attr::limit as li;

checked_expr! {
    /// The fields of [`Expr::Limit`]: match while under `rate` per `unit` (packets, or bytes
    /// with `bytes`).
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::{Limit, RateUnit}};
    /// let l = Limit::new(10, RateUnit::Second, 5, false, true);
    /// assert_eq!(Expr::from(l).to_string(), "limit rate 10/second burst 5 pkts over");
    /// assert!(l.over() && !l.bytes());
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Limit via LimitRepr = "LimitRepr" {
        /// Packets (or bytes) per unit.
        rate: u64,
        /// The time unit.
        unit: RateUnit,
        /// Burst allowance (packets, or bytes with `bytes`).
        #[serde(default)]
        burst: u32,
        /// Count bytes instead of packets (`NFT_LIMIT_PKT_BYTES`).
        #[serde(default, skip_serializing_if = "crate::expr::is_false")]
        bytes: bool,
        /// Match when *over* the rate (`NFT_LIMIT_F_INV`).
        #[serde(default, skip_serializing_if = "crate::expr::is_false")]
        over: bool,
    }
}

impl Limit {
    /// A limit of `rate` per `unit` with `burst`, in bytes when `bytes`, inverted when `over`.
    #[inline]
    pub fn new(rate: u64, unit: RateUnit, burst: u32, bytes: bool, over: bool) -> Limit {
        Limit {
            rate,
            unit,
            burst,
            bytes,
            over,
        }
    }

    /// `self`: a `limit` has no checks of its own (serde goes through here).
    #[inline]
    pub(crate) fn checked(self) -> Result<Limit, Reason> {
        Ok(self)
    }

    /// Packets (or bytes) per unit.
    pub fn rate(&self) -> u64 {
        self.rate
    }

    /// The time unit.
    pub fn unit(&self) -> RateUnit {
        self.unit
    }

    /// Burst allowance (packets, or bytes with `bytes`).
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Count bytes instead of packets (`NFT_LIMIT_PKT_BYTES`).
    pub fn bytes(&self) -> bool {
        self.bytes
    }

    /// Match when *over* the rate (`NFT_LIMIT_F_INV`).
    pub fn over(&self) -> bool {
        self.over
    }
}

impl From<Limit> for Expr {
    /// [`Expr::Limit`].
    fn from(value: Limit) -> Expr {
        Expr::Limit(value)
    }
}

/// Write [`Expr::Limit`]'s attributes: `RATE`, `UNIT`, `BURST` (only when not 0), `TYPE`,
/// `FLAGS`.
#[inline]
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
    Ok(Expr::Limit(
        Limit {
            rate: f.req_u64(li::NFTA_LIMIT_RATE)?,
            unit: RateUnit::from_seconds(f.req_u64(li::NFTA_LIMIT_UNIT)?).ok_or(Misfit)?,
            burst: f.u32(li::NFTA_LIMIT_BURST)?.unwrap_or(0),
            bytes,
            over,
        }
        .checked()?,
    ))
}
