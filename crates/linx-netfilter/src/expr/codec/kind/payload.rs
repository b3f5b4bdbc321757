//! `payload`: a load of header bytes into a register (writes and checksum updates stay
//! [`crate::Expr::Unknown`]).

use super::common::load;
use super::common::{Fit, checked_expr, fields};
use super::strict::only_be32s;
use crate::Reason;
use crate::expr::PayloadBase;
use crate::nla::Writer;
use crate::nla::attr::payload as pa;
use crate::{Expr, Reg};

checked_expr! {
    /// The fields of [`Expr::Payload`]: load `len` bytes at `offset` from a header into `dreg`
    /// (network order).
    ///
    /// [`Expr::payload`] and the header aliases ([`Expr::tcp_dport`], ...) build the common
    /// loads on register 1; [`Payload::new`] checks that `len` bytes fit at `dreg`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Payload, PayloadBase}};
    /// let p = Payload::new(PayloadBase::Transport, 2, 2, Reg::R1)?;
    /// assert_eq!(Expr::from(p), Expr::tcp_dport());
    /// assert_eq!((p.base(), p.offset(), p.len(), p.dreg()), (PayloadBase::Transport, 2, 2, Reg::R1));
    /// // 17 bytes do not fit in register 4.
    /// assert!(Payload::new(PayloadBase::Network, 0, 17, Reg::R4).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Payload via PayloadRepr = "PayloadRepr" {
        /// Which header.
        base: PayloadBase,
        /// Byte offset from the header start.
        offset: u32,
        /// Bytes to load.
        len: u32,
        /// Destination register (serde default 1).
        #[serde(default = "crate::expr::r1")]
        dreg: Reg,
    }
}

impl Payload {
    /// A checked `payload` load: `len` bytes (1 or more) fit at `dreg`.
    #[inline]
    pub fn new(base: PayloadBase, offset: u32, len: u32, dreg: Reg) -> Result<Payload, Reason> {
        Payload {
            base,
            offset,
            len,
            dreg,
        }
        .checked()
    }

    /// `self` when it passes [`Payload::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Payload, Reason> {
        check(self.len, self.dreg)?;
        Ok(self)
    }

    /// Which header.
    pub fn base(&self) -> PayloadBase {
        self.base
    }

    /// Byte offset from the header start.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Bytes to load.
    #[allow(clippy::len_without_is_empty)] // a load width, not a container
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Destination register (serde default 1).
    pub fn dreg(&self) -> Reg {
        self.dreg
    }
}

impl From<Payload> for Expr {
    /// [`Expr::Payload`].
    fn from(value: Payload) -> Expr {
        Expr::Payload(value)
    }
}

/// Write [`Expr::Payload`]'s attributes: `DREG`, `BASE`, `OFFSET`, `LEN`.
#[inline]
pub(crate) fn encode(
    w: &mut Writer<'_>,
    base: PayloadBase,
    offset: u32,
    len: u32,
    dreg: Reg,
) -> Result<(), crate::Error> {
    w.put_be32(pa::NFTA_PAYLOAD_DREG, dreg.number())?;
    w.put_be32(pa::NFTA_PAYLOAD_BASE, base.number())?;
    w.put_be32(pa::NFTA_PAYLOAD_OFFSET, offset)?;
    w.put_be32(pa::NFTA_PAYLOAD_LEN, len)?;
    Ok(())
}

/// `payload` (a load; writes and checksum updates do not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            pa::NFTA_PAYLOAD_DREG,
            pa::NFTA_PAYLOAD_BASE,
            pa::NFTA_PAYLOAD_OFFSET,
            pa::NFTA_PAYLOAD_LEN,
        ],
    )?;
    Ok(Expr::Payload(
        Payload {
            base: PayloadBase::from_number(f.req_u32(pa::NFTA_PAYLOAD_BASE)?),
            offset: f.req_u32(pa::NFTA_PAYLOAD_OFFSET)?,
            len: f.req_u32(pa::NFTA_PAYLOAD_LEN)?,
            dreg: f.req_reg(pa::NFTA_PAYLOAD_DREG)?,
        }
        .checked()?,
    ))
}

/// [`decode`] of `payload` as the kernel dumps it (`DREG`, `BASE`, `OFFSET`, `LEN`, in that
/// order), or `None` for anything else (the fast path, `codec/fast.rs`).
#[inline(always)]
pub(crate) fn fast(data: &[u8]) -> Option<Expr> {
    let [dreg, base, offset, len] = only_be32s(
        data,
        [
            pa::NFTA_PAYLOAD_DREG,
            pa::NFTA_PAYLOAD_BASE,
            pa::NFTA_PAYLOAD_OFFSET,
            pa::NFTA_PAYLOAD_LEN,
        ],
    )?;
    // `Payload::checked`'s check, before the value is built.
    check(len, Reg(dreg)).ok()?;
    Some(Expr::Payload(Payload {
        base: PayloadBase::from_number(base),
        offset,
        len,
        dreg: Reg(dreg),
    }))
}

/// [`Expr::Payload`]'s own check: `len` bytes fit at `dreg`.
pub(crate) fn check(len: u32, dreg: Reg) -> Result<(), Reason> {
    load(dreg, len)
}
