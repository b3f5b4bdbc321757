//! `ct`: a load of conntrack state into a register, without direction (`ct set` and
//! directional keys stay [`crate::Expr::Unknown`]).

use super::common::{Fit, checked_expr, fields};
use super::common::{load, valid};
use crate::Reason;
use crate::expr::CtKey;
use crate::nla::Writer;
use crate::nla::attr::ct as ctk;
use crate::{Expr, Reg};

checked_expr! {
    /// The fields of [`Expr::Ct`]: load a conntrack value into `dreg` (host order, see
    /// [`CtKey`]).
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Ct, CtKey}};
    /// let c = Ct::new(CtKey::State, Reg::R1)?;
    /// assert_eq!(Expr::from(c), Expr::ct(CtKey::State));
    /// assert_eq!((c.key(), c.dreg()), (CtKey::State, Reg::R1));
    /// assert!(Ct::new(CtKey::State, Reg(7)).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Ct via CtRepr = "CtRepr" {
        /// What to load.
        key: CtKey,
        /// Destination register (serde default 1).
        #[serde(default = "crate::expr::r1")]
        dreg: Reg,
    }
}

impl Ct {
    /// A checked `ct` load: the key's value fits at `dreg` (a key of unknown width only needs
    /// a valid register).
    #[inline]
    pub fn new(key: CtKey, dreg: Reg) -> Result<Ct, Reason> {
        Ct { key, dreg }.checked()
    }

    /// `self` when it passes [`Ct::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Ct, Reason> {
        check(self.key, self.dreg)?;
        Ok(self)
    }

    /// What to load.
    pub fn key(&self) -> CtKey {
        self.key
    }

    /// Destination register (serde default 1).
    pub fn dreg(&self) -> Reg {
        self.dreg
    }
}

impl From<Ct> for Expr {
    /// [`Expr::Ct`].
    fn from(value: Ct) -> Expr {
        Expr::Ct(value)
    }
}

/// Write [`Expr::Ct`]'s attributes: `KEY`, `DREG`.
#[inline]
pub(crate) fn encode(w: &mut Writer<'_>, key: CtKey, dreg: Reg) -> Result<(), crate::Error> {
    w.put_be32(ctk::NFTA_CT_KEY, key.number())?;
    w.put_be32(ctk::NFTA_CT_DREG, dreg.number())?;
    Ok(())
}

/// `ct` (a load without direction; `ct set` does not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [ctk::NFTA_CT_DREG, ctk::NFTA_CT_KEY])?;
    Ok(Expr::Ct(
        Ct {
            key: CtKey::from_number(f.req_u32(ctk::NFTA_CT_KEY)?),
            dreg: f.req_reg(ctk::NFTA_CT_DREG)?,
        }
        .checked()?,
    ))
}

/// [`Expr::Ct`]'s own check: the key's value fits at `dreg` (a key of
/// variable length only needs a valid register).
pub(crate) fn check(key: CtKey, dreg: Reg) -> Result<(), Reason> {
    match key.len() {
        Some(len) => load(dreg, len),
        None => valid(dreg),
    }
}
