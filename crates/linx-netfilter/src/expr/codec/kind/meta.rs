//! `meta`: a load of packet metadata into a register (`meta set` stays
//! [`crate::Expr::Unknown`]).

use super::common::{Fit, checked_expr, fields};
use super::common::{load, valid};
use super::strict::only_be32s;
use crate::Reason;
use crate::expr::MetaKey;
use crate::nla::Writer;
use crate::nla::attr::meta as me;
use crate::{Expr, Reg};

checked_expr! {
    /// The fields of [`Expr::Meta`]: load packet metadata into `dreg` (see [`MetaKey`] for
    /// widths and byte order).
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Meta, MetaKey}};
    /// let m = Meta::new(MetaKey::Mark, Reg::R1)?;
    /// assert_eq!(Expr::from(m), Expr::meta(MetaKey::Mark));
    /// assert_eq!(m.key(), MetaKey::Mark);
    /// assert!(Meta::new(MetaKey::Iifname, Reg::reg32(15)).is_err()); // 16 bytes past the end
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Meta via MetaRepr = "MetaRepr" {
        /// What to load.
        key: MetaKey,
        /// Destination register (serde default 1).
        #[serde(default = "crate::expr::r1")]
        dreg: Reg,
    }
}

impl Meta {
    /// A checked `meta` load: the key's value fits at `dreg` (a key of unknown width only
    /// needs a valid register).
    #[inline]
    pub fn new(key: MetaKey, dreg: Reg) -> Result<Meta, Reason> {
        Meta { key, dreg }.checked()
    }

    /// `self` when it passes [`Meta::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Meta, Reason> {
        check(self.key, self.dreg)?;
        Ok(self)
    }

    /// What to load.
    pub fn key(&self) -> MetaKey {
        self.key
    }

    /// Destination register (serde default 1).
    pub fn dreg(&self) -> Reg {
        self.dreg
    }
}

impl From<Meta> for Expr {
    /// [`Expr::Meta`].
    fn from(value: Meta) -> Expr {
        Expr::Meta(value)
    }
}

/// Write [`Expr::Meta`]'s attributes: `KEY`, `DREG` (nft's order, not the kernel's).
#[inline]
pub(crate) fn encode(w: &mut Writer<'_>, key: MetaKey, dreg: Reg) -> Result<(), crate::Error> {
    w.put_be32(me::NFTA_META_KEY, key.number())?;
    w.put_be32(me::NFTA_META_DREG, dreg.number())?;
    Ok(())
}

/// `meta` (a load; `meta set` does not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [me::NFTA_META_DREG, me::NFTA_META_KEY])?;
    Ok(Expr::Meta(
        Meta {
            key: MetaKey::from_number(f.req_u32(me::NFTA_META_KEY)?),
            dreg: f.req_reg(me::NFTA_META_DREG)?,
        }
        .checked()?,
    ))
}

/// [`decode`] of `meta` as the kernel dumps a load (`KEY`, `DREG`, in that order), or
/// `None` for anything else (the fast path, `codec/fast.rs`).
#[inline(always)]
pub(crate) fn fast(data: &[u8]) -> Option<Expr> {
    let [key, dreg] = only_be32s(data, [me::NFTA_META_KEY, me::NFTA_META_DREG])?;
    let (key, dreg) = (MetaKey::from_number(key), Reg(dreg));
    // `Meta::checked`'s check, before the value is built.
    check(key, dreg).ok()?;
    Some(Expr::Meta(Meta { key, dreg }))
}

/// [`Expr::Meta`]'s own check: the key's value fits at `dreg` (a key of
/// variable length only needs a valid register).
pub(crate) fn check(key: MetaKey, dreg: Reg) -> Result<(), Reason> {
    match key.len() {
        Some(len) => load(dreg, len),
        None => valid(dreg),
    }
}
