//! `lookup`: match a register against a set, or map it through a map (also the wire form
//! of set and vmap literals, as lookups of the anonymous set created for them).

use super::super::SetRefs;
use super::common::valid;
use super::common::{Fit, Misfit, checked_expr, fields, no_nul, put_reg};
use super::strict::{be32, slots};
use crate::Reason;
use crate::consts::expr as c;
use crate::expr::{SetLiteral, VmapLiteral};
use crate::nla::attr::lookup as lk;
use crate::nla::{NftStr, Writer};
use crate::{Expr, Reg};

checked_expr! {
    /// The fields of [`Expr::Lookup`]: is the key in `sreg` in set `set`? With `dreg`, a map
    /// lookup storing the value (`Some(Reg::VERDICT)` for a verdict map).
    ///
    /// The set name is a reference: that the table holds such a set or map (so that the name is
    /// valid), and that the registers fit its key and data, is checked when the rule is added.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::Lookup};
    /// let l = Lookup::new("blocked", Reg::R1, None, false)?;
    /// assert_eq!(Expr::from(l.clone()), Expr::lookup("blocked"));
    /// assert_eq!((l.set(), l.sreg(), l.dreg(), l.inverted()), ("blocked", Reg::R1, None, false));
    /// assert!(Lookup::new("m", Reg::R1, Some(Reg(6)), false).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Lookup via LookupRepr = "LookupRepr" {
        /// The named set or map.
        set: Box<str>,
        /// Register holding the key (serde default 1).
        #[serde(default = "crate::expr::r1")]
        sreg: Reg,
        /// Register for the looked-up value (maps only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dreg: Option<Reg>,
        /// Match when the key is *not* in the set (`NFT_LOOKUP_F_INV`).
        #[serde(default, skip_serializing_if = "crate::expr::is_false")]
        inverted: bool,
    }
}

impl Lookup {
    /// A checked `lookup`: valid registers.
    #[inline]
    pub fn new(
        set: impl Into<String>,
        sreg: Reg,
        dreg: Option<Reg>,
        inverted: bool,
    ) -> Result<Lookup, Reason> {
        Lookup {
            set: set.into().into_boxed_str(),
            sreg,
            dreg,
            inverted,
        }
        .checked()
    }

    /// `self` when it passes [`Lookup::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Lookup, Reason> {
        valid(self.sreg)?;
        if let Some(dreg) = self.dreg {
            valid(dreg)?;
        }
        Ok(self)
    }

    /// The named set or map.
    pub fn set(&self) -> &str {
        &self.set
    }

    /// Register holding the key (serde default 1).
    pub fn sreg(&self) -> Reg {
        self.sreg
    }

    /// Register for the looked-up value (maps only).
    pub fn dreg(&self) -> Option<Reg> {
        self.dreg
    }

    /// Match when the key is *not* in the set (`NFT_LOOKUP_F_INV`).
    pub fn inverted(&self) -> bool {
        self.inverted
    }
}

impl From<Lookup> for Expr {
    /// [`Expr::Lookup`].
    fn from(value: Lookup) -> Expr {
        Expr::Lookup(value)
    }
}

/// Write [`Expr::Lookup`]'s attributes, with the set's batch id when it is created in the
/// same batch.
#[inline]
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
#[inline]
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
#[inline]
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
    Ok(Expr::Lookup(
        Lookup {
            set: f.req::<NftStr, _>(lk::NFTA_LOOKUP_SET)?.into_boxed_str(),
            sreg: f.req_reg(lk::NFTA_LOOKUP_SREG)?,
            dreg: f.reg(lk::NFTA_LOOKUP_DREG)?,
            inverted,
        }
        .checked()?,
    ))
}

/// [`decode`] of `lookup` with `SET`, `SREG`, `DREG` and `FLAGS` at most once each (any
/// order; `SET_ID`, which the kernel never dumps, is left to [`decode`]), or `None` for
/// anything else (the fast path, `codec/fast.rs`).
#[inline(always)]
pub(crate) fn fast(data: &[u8]) -> Option<Expr> {
    let [set, sreg, dreg, set_id, flags] = slots::<5>(data)?;
    if set_id.is_some() {
        return None;
    }
    let inverted = match flags.map(|f| be32(Some(f))) {
        None | Some(Some(0)) => false,
        Some(Some(c::NFT_LOOKUP_F_INV)) => true,
        _ => return None,
    };
    let set = set?;
    let set = set.split(|&b| b == 0).next().unwrap_or_default();
    let lookup = Lookup {
        set: std::str::from_utf8(set).ok()?.into(),
        sreg: Reg(be32(sreg)?),
        dreg: match dreg {
            None => None,
            Some(r) => Some(Reg(be32(Some(r))?)),
        },
        inverted,
    };
    lookup.checked().ok().map(Expr::Lookup)
}
