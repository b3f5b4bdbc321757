//! `cmp`: compare a register with a constant.

use super::common::{Fit, Misfit, checked_expr, fields, value};
use super::common::{data_len, load};
use super::strict::{be32s, only};
use crate::Reason;
use crate::expr::{CmpData, CmpOp};
use crate::nla::attr::cmp as cm;
use crate::nla::attr::data as d;
use crate::nla::{Writer, put_value};
use crate::{Expr, Reg};

checked_expr! {
    /// The fields of [`Expr::Cmp`]: compare `sreg` with `data`; the rule stops here unless it
    /// holds.
    ///
    /// [`Expr::cmp`], [`Expr::cmp_eq`] and the match helpers build the usual comparisons on
    /// register 1.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Cmp, CmpOp}};
    /// let c = Cmp::new(Reg::R1, CmpOp::Eq, [0, 22])?;
    /// assert_eq!(Expr::from(c.clone()), Expr::cmp_eq([0, 22]));
    /// assert_eq!((c.sreg(), c.op(), c.data()), (Reg::R1, CmpOp::Eq, &[0, 22][..]));
    /// assert!(Cmp::new(Reg::R1, CmpOp::Eq, []).is_err()); // no data
    /// assert!(Cmp::new(Reg::R4, CmpOp::Eq, [0; 20]).is_err()); // past the register file
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Cmp via CmpRepr = "CmpRepr" {
        /// Source register (serde default 1).
        #[serde(default = "crate::expr::r1")]
        sreg: Reg,
        /// Comparison.
        op: CmpOp,
        /// Bytes to compare with, in the byte order of the loaded value.
        data: CmpData,
    }
}

impl Cmp {
    /// A checked `cmp`: 1 to 64 data bytes, which fit at `sreg`.
    #[inline]
    pub fn new(sreg: Reg, op: CmpOp, data: impl AsRef<[u8]>) -> Result<Cmp, Reason> {
        Cmp {
            sreg,
            op,
            data: CmpData::new(data.as_ref()),
        }
        .checked()
    }

    /// `self` when it passes [`Cmp::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Cmp, Reason> {
        check(self.sreg, &self.data)?;
        Ok(self)
    }

    /// Source register (serde default 1).
    pub fn sreg(&self) -> Reg {
        self.sreg
    }

    /// Comparison.
    pub fn op(&self) -> CmpOp {
        self.op
    }

    /// Bytes to compare with, in the byte order of the loaded value.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

impl From<Cmp> for Expr {
    /// [`Expr::Cmp`].
    fn from(value: Cmp) -> Expr {
        Expr::Cmp(value)
    }
}

/// Write [`Expr::Cmp`]'s attributes: `SREG`, `OP`, `DATA`.
#[inline]
pub(crate) fn encode(
    w: &mut Writer<'_>,
    sreg: Reg,
    op: CmpOp,
    data: &CmpData,
) -> Result<(), crate::Error> {
    w.put_be32(cm::NFTA_CMP_SREG, sreg.number())?;
    w.put_be32(cm::NFTA_CMP_OP, op.number())?;
    put_value(w, cm::NFTA_CMP_DATA, data)?;
    Ok(())
}

/// `cmp`.
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [cm::NFTA_CMP_SREG, cm::NFTA_CMP_OP, cm::NFTA_CMP_DATA],
    )?;
    Ok(Expr::Cmp(
        Cmp {
            sreg: f.req_reg(cm::NFTA_CMP_SREG)?,
            op: CmpOp::from_number(f.req_u32(cm::NFTA_CMP_OP)?).ok_or(Misfit)?,
            data: CmpData::new(value(&f.get(cm::NFTA_CMP_DATA).ok_or(Misfit)?)?),
        }
        .checked()?,
    ))
}

/// [`decode`] of `cmp` as the kernel dumps it (`SREG`, `OP`, in that order, then `DATA`
/// holding one `NFTA_DATA_VALUE`), or `None` for anything else (the fast path,
/// `codec/fast.rs`). The value is checked ([`check`], as [`Cmp::checked`] does) before it
/// is copied.
#[inline(always)]
pub(crate) fn fast(data: &[u8]) -> Option<Expr> {
    let ([sreg, op], nest) = be32s(data, [cm::NFTA_CMP_SREG, cm::NFTA_CMP_OP])?;
    let value = only(only(nest, cm::NFTA_CMP_DATA)?, d::NFTA_DATA_VALUE)?;
    let sreg = Reg(sreg);
    let op = CmpOp::from_number(op)?;
    check(sreg, value).ok()?;
    Some(Expr::Cmp(Cmp {
        sreg,
        op,
        data: CmpData::new(value),
    }))
}

/// [`Expr::Cmp`]'s own check: 1..=64 data bytes, which fit at `sreg`.
pub(crate) fn check(sreg: Reg, data: &[u8]) -> Result<(), Reason> {
    let len = data_len(data)?;
    load(sreg, len)
}
