//! `immediate`: load a constant or a verdict into a register.

use super::common::{Fit, Misfit, checked_expr, data_len, fields, load, no_nul};
use super::strict::{attr, be32, be32s, only};
use crate::Reason;
use crate::consts::verdict as v;
use crate::expr::ImmediateData;
use crate::nla::attr::{data as d, immediate as im, verdict as va};
use crate::nla::{NftStr, Writer, put_value, put_verdict};
use crate::{Expr, Reg, Verdict};

checked_expr! {
    /// The fields of [`Expr::Immediate`]: store a verdict or data in a register.
    ///
    /// [`Expr::verdict`], [`Expr::accept`], [`Expr::immediate`] and friends build the usual
    /// forms.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, Verdict, expr::{Immediate, ImmediateData}};
    /// let i = Immediate::new(Reg::VERDICT, ImmediateData::Verdict(Verdict::Accept))?;
    /// assert_eq!(Expr::from(i.clone()), Expr::accept());
    /// assert_eq!(i.dreg(), Reg::VERDICT);
    /// // A verdict goes to the verdict register; data needs 1 to 64 bytes.
    /// assert!(Immediate::new(Reg::R1, ImmediateData::Verdict(Verdict::Drop)).is_err());
    /// assert!(Immediate::new(Reg::R1, ImmediateData::Value(vec![])).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Immediate via ImmediateRepr = "ImmediateRepr" {
        /// Destination register ([`Reg::VERDICT`] for verdicts; serde default 0).
        #[serde(default = "crate::expr::verdict_reg")]
        dreg: Reg,
        /// What to store.
        data: ImmediateData,
    }
}

impl Immediate {
    /// A checked `immediate`: a verdict goes to [`Reg::VERDICT`]; data is 1 to 64 bytes that
    /// fit at `dreg`.
    #[inline]
    pub fn new(dreg: Reg, data: ImmediateData) -> Result<Immediate, Reason> {
        Immediate { dreg, data }.checked()
    }

    /// `self` when it passes [`Immediate::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Immediate, Reason> {
        check(self.dreg, &self.data)?;
        Ok(self)
    }

    /// Destination register ([`Reg::VERDICT`] for verdicts; serde default 0).
    pub fn dreg(&self) -> Reg {
        self.dreg
    }

    /// What to store.
    pub fn data(&self) -> &ImmediateData {
        &self.data
    }
}

impl From<Immediate> for Expr {
    /// [`Expr::Immediate`].
    fn from(value: Immediate) -> Expr {
        Expr::Immediate(value)
    }
}

/// Write [`Expr::Immediate`]'s attributes: `DREG`, `DATA` (a value or a verdict).
#[inline]
pub(crate) fn encode(
    w: &mut Writer<'_>,
    dreg: Reg,
    data: &ImmediateData,
) -> Result<(), crate::Error> {
    w.put_be32(im::NFTA_IMMEDIATE_DREG, dreg.number())?;
    match data {
        ImmediateData::Verdict(verdict) => {
            if let Verdict::Jump(chain) | Verdict::Goto(chain) = verdict {
                no_nul("immediate", chain)?;
            }
            put_verdict(w, im::NFTA_IMMEDIATE_DATA, verdict)?;
        }
        ImmediateData::Value(bytes) => put_value(w, im::NFTA_IMMEDIATE_DATA, bytes)?,
    }
    Ok(())
}

/// `immediate` (a verdict or data).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [im::NFTA_IMMEDIATE_DREG, im::NFTA_IMMEDIATE_DATA])?;
    Ok(Expr::Immediate(
        Immediate {
            dreg: f.req_reg(im::NFTA_IMMEDIATE_DREG)?,
            data: immediate_data(&f.get(im::NFTA_IMMEDIATE_DATA).ok_or(Misfit)?)?,
        }
        .checked()?,
    ))
}

/// [`decode`] of `immediate` as the kernel dumps it (`DREG`, then `DATA` holding a value or a
/// verdict code alone: accept, drop, continue, return), or `None` for anything else (the
/// fast path, `codec/fast.rs`).
#[inline(always)]
pub(crate) fn fast(data: &[u8]) -> Option<Expr> {
    let ([dreg], nest) = be32s(data, [im::NFTA_IMMEDIATE_DREG])?;
    let (kind, payload, []) = attr(only(nest, im::NFTA_IMMEDIATE_DATA)?)? else {
        return None;
    };
    let data = match kind {
        d::NFTA_DATA_VALUE => ImmediateData::Value(payload.to_vec()),
        d::NFTA_DATA_VERDICT => {
            let code = be32(Some(only(payload, va::NFTA_VERDICT_CODE)?))?;
            ImmediateData::Verdict(match code as i32 {
                v::NF_ACCEPT => Verdict::Accept,
                v::NF_DROP => Verdict::Drop,
                v::NFT_CONTINUE => Verdict::Continue,
                v::NFT_RETURN => Verdict::Return,
                _ => return None,
            })
        }
        _ => return None,
    };
    let dreg = Reg(dreg);
    // `Immediate::checked`'s check, before the value is built.
    check(dreg, &data).ok()?;
    Some(Expr::Immediate(Immediate { dreg, data }))
}

/// [`Expr::Immediate`]'s own check: a verdict goes to [`Reg::VERDICT`]; data is 1 to 64
/// bytes that fit at `dreg`.
#[inline]
pub(crate) fn check(dreg: Reg, data: &ImmediateData) -> Result<(), Reason> {
    match data {
        ImmediateData::Verdict(_) if dreg != Reg::VERDICT => Err(Reason::BadRegister { reg: dreg }),
        ImmediateData::Verdict(_) => Ok(()),
        ImmediateData::Value(bytes) => load(dreg, data_len(bytes)?),
    }
}

/// The payload of an `NFTA_DATA_*` nest holding exactly one value or verdict.
fn immediate_data(a: &linx_netlink_codec::AttrView<'_>) -> Fit<ImmediateData> {
    let f = fields!(a.payload(), [d::NFTA_DATA_VALUE, d::NFTA_DATA_VERDICT])?;
    match (f.get(d::NFTA_DATA_VALUE), f.get(d::NFTA_DATA_VERDICT)) {
        (Some(val), None) => Ok(ImmediateData::Value(val.payload().to_vec())),
        (None, Some(verdict)) => strict_verdict(verdict.payload()).map(ImmediateData::Verdict),
        _ => Err(Misfit),
    }
}

/// An `NFTA_DATA_VERDICT` payload that [`put_verdict`] writes back byte for byte: a code,
/// plus a chain exactly for jump and goto; a queue code carries no flag bits.
fn strict_verdict(payload: &[u8]) -> Fit<Verdict> {
    let f = fields!(payload, [va::NFTA_VERDICT_CODE, va::NFTA_VERDICT_CHAIN])?;
    let code = f.req_u32(va::NFTA_VERDICT_CODE)?;
    let chain = f.opt::<NftStr, _>(va::NFTA_VERDICT_CHAIN)?;
    let verdict = match (code as i32, chain) {
        (v::NF_DROP, None) => Verdict::Drop,
        (v::NF_ACCEPT, None) => Verdict::Accept,
        (v::NFT_CONTINUE, None) => Verdict::Continue,
        (v::NFT_RETURN, None) => Verdict::Return,
        (v::NFT_JUMP, Some(chain)) => Verdict::Jump(chain),
        (v::NFT_GOTO, Some(chain)) => Verdict::Goto(chain),
        (_, None) if code & 0xffff == v::NF_QUEUE as u32 => {
            Verdict::Queue((code >> v::NF_VERDICT_QBITS) as u16)
        }
        _ => return Err(Misfit),
    };
    Ok(verdict)
}
