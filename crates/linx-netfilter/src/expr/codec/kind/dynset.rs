//! `dynset`: add or update an element of a set from the packet, with the expressions
//! (counter, limit, quota, ...) the element carries.

use super::super::{MAX_DEPTH, SetRefs, decode_nested, encode as encode_elem, encode_body};
use super::common::valid;
use super::common::{Fit, Misfit, checked_expr, fields, no_nul, refuse};
use crate::Expr;
use crate::Reason;
use crate::Reg;
use crate::expr::DynsetOp;
use crate::nla::attr::{dynset as dy, list};
use crate::nla::{NftStr, Writer};

/// `NFT_DYNSET_F_EXPR` (`enum nft_dynset_flags`): nft sets it when it sends more than one
/// expression in `NFTA_DYNSET_EXPRESSIONS`.
const NFT_DYNSET_F_EXPR: u32 = 1 << 1;

checked_expr! {
    /// The fields of [`Expr::Dynset`]: add, update or delete the key in `sreg_key` in a named
    /// set from the packet path (boxed in [`Expr`]).
    ///
    /// [`Expr::dynset`] and [`Dynset::new`] build one on register 1 without timeout or
    /// expressions; the `with_*` methods set the rest, checked. The set is a reference: that
    /// the table holds it (so that its name is valid), with the flags the dynset needs, is
    /// checked when the rule is added.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::{Dynset, DynsetOp}};
    /// let d = Dynset::new("seen", DynsetOp::Update)
    ///     .with_timeout_ms(Some(10_000))
    ///     .with_exprs(vec![Expr::counter()])?;
    /// assert_eq!((d.set(), d.timeout_ms(), d.exprs().len()), ("seen", Some(10_000), 1));
    /// assert_eq!(
    ///     Expr::from(d).to_string(),
    ///     "dynset update reg 1 set seen timeout 10000ms [ counter pkts 0 bytes 0 ]"
    /// );
    /// // Only stateful expressions go with an element.
    /// assert!(Dynset::new("seen", DynsetOp::Add).with_exprs(vec![Expr::accept()]).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Dynset via DynsetRepr = "DynsetRepr" {
        /// The named set (`NFTA_DYNSET_SET_NAME`); it needs the `dynamic` or `timeout` flag
        /// and must not be `constant`.
        set: String,
        /// What to do (`NFTA_DYNSET_OP`).
        op: DynsetOp,
        /// Register holding the key (`NFTA_DYNSET_SREG_KEY`; serde default 1).
        #[serde(default = "crate::expr::r1")]
        sreg_key: Reg,
        /// Register holding the value, for maps (`NFTA_DYNSET_SREG_DATA`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sreg_data: Option<Reg>,
        /// Element timeout in milliseconds (`NFTA_DYNSET_TIMEOUT`; the set needs the
        /// `timeout` flag). `None` is no timeout; `Some(0)` is refused by the encoder.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
        /// Stateful expressions attached to the element (counter, limit, quota), sent as
        /// `NFTA_DYNSET_EXPR` for one and `NFTA_DYNSET_EXPRESSIONS` for more.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        exprs: Vec<Expr>,
    }
}

impl Dynset {
    /// `op` the key in register 1 on set `set`, with no timeout and no expressions.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Dynset, DynsetOp}};
    /// let d = Dynset::new("seen", DynsetOp::Add);
    /// assert_eq!((d.sreg_key(), d.timeout_ms(), d.exprs().len()), (Reg::R1, None, 0));
    /// assert_eq!(Expr::from(d), Expr::dynset("seen", DynsetOp::Add));
    /// ```
    #[inline]
    pub fn new(set: impl Into<String>, op: DynsetOp) -> Dynset {
        Dynset {
            set: set.into(),
            op,
            sreg_key: Reg::R1,
            sreg_data: None,
            timeout_ms: None,
            exprs: Vec::new(),
        }
    }

    /// The key from `reg` (a valid register).
    pub fn with_sreg_key(self, reg: Reg) -> Result<Dynset, Reason> {
        Dynset {
            sreg_key: reg,
            ..self
        }
        .checked()
    }

    /// The value from `reg`, for maps (a valid register).
    pub fn with_sreg_data(self, reg: Option<Reg>) -> Result<Dynset, Reason> {
        Dynset {
            sreg_data: reg,
            ..self
        }
        .checked()
    }

    /// The element timeout in milliseconds.
    pub fn with_timeout_ms(self, timeout_ms: Option<u64>) -> Dynset {
        Dynset { timeout_ms, ..self }
    }

    /// The expressions the element carries: only stateful ones (counter, limit, quota, or
    /// ones the model does not know).
    pub fn with_exprs(self, exprs: Vec<Expr>) -> Result<Dynset, Reason> {
        Dynset { exprs, ..self }.checked()
    }

    /// `self` when it passes the checks of the `with_*` methods.
    #[inline]
    pub(crate) fn checked(self) -> Result<Dynset, Reason> {
        check(&self)?;
        Ok(self)
    }

    /// The named set.
    pub fn set(&self) -> &str {
        &self.set
    }

    /// What to do.
    pub fn op(&self) -> DynsetOp {
        self.op
    }

    /// Register holding the key.
    pub fn sreg_key(&self) -> Reg {
        self.sreg_key
    }

    /// Register holding the value, for maps.
    pub fn sreg_data(&self) -> Option<Reg> {
        self.sreg_data
    }

    /// Element timeout in milliseconds.
    pub fn timeout_ms(&self) -> Option<u64> {
        self.timeout_ms
    }

    /// Stateful expressions attached to the element.
    pub fn exprs(&self) -> &[Expr] {
        &self.exprs
    }
}

impl From<Dynset> for Expr {
    /// [`Expr::Dynset`], boxed.
    fn from(value: Dynset) -> Expr {
        Expr::Dynset(Box::new(value))
    }
}

/// Write [`Expr::Dynset`]'s attributes, its expressions nested (one as `EXPR`, several as
/// `EXPRESSIONS` with `NFT_DYNSET_F_EXPR`); `timeout_ms: Some(0)` is refused.
#[inline]
pub(crate) fn encode(
    w: &mut Writer<'_>,
    dynset: &Dynset,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    let Dynset {
        set,
        op,
        sreg_key,
        sreg_data,
        timeout_ms,
        exprs,
    } = dynset;
    w.put_be32(dy::NFTA_DYNSET_SREG_KEY, sreg_key.number())?;
    if let Some(reg) = sreg_data {
        w.put_be32(dy::NFTA_DYNSET_SREG_DATA, reg.number())?;
    }
    w.put_be32(dy::NFTA_DYNSET_OP, op.number())?;
    match timeout_ms {
        Some(0) => {
            return Err(refuse(
                "dynset",
                "timeout_ms 0 means no timeout; leave it unset",
            ));
        }
        Some(ms) => w.put_be64(dy::NFTA_DYNSET_TIMEOUT, *ms)?,
        None => {}
    }
    w.put_str(dy::NFTA_DYNSET_SET_NAME, no_nul("dynset", set)?)?;
    if let Some(id) = refs.set_id(set) {
        w.put_be32(dy::NFTA_DYNSET_SET_ID, id)?;
    }
    match exprs.as_slice() {
        [] => {}
        [one] => {
            let nest = w.begin_nest(dy::NFTA_DYNSET_EXPR, true);
            encode_body(w, one, refs)?;
            w.end_nest(nest)?;
        }
        many => {
            let nest = w.begin_nest(dy::NFTA_DYNSET_EXPRESSIONS, true);
            for e in many {
                encode_elem(w, e, refs)?;
            }
            w.end_nest(nest)?;
            w.put_be32(dy::NFTA_DYNSET_FLAGS, NFT_DYNSET_F_EXPR)?;
        }
    }
    Ok(())
}

/// `dynset` with its expressions (decoded one level down; the batch id is ignored).
pub(crate) fn decode(data: &[u8], depth: usize) -> Fit<Expr> {
    if depth >= MAX_DEPTH {
        return Err(Misfit);
    }
    let f = fields!(
        data,
        [
            dy::NFTA_DYNSET_SET_NAME,
            dy::NFTA_DYNSET_SET_ID,
            dy::NFTA_DYNSET_OP,
            dy::NFTA_DYNSET_SREG_KEY,
            dy::NFTA_DYNSET_SREG_DATA,
            dy::NFTA_DYNSET_TIMEOUT,
            dy::NFTA_DYNSET_EXPR,
            dy::NFTA_DYNSET_PAD,
            dy::NFTA_DYNSET_FLAGS,
            dy::NFTA_DYNSET_EXPRESSIONS,
        ],
    )?;
    match f.u32(dy::NFTA_DYNSET_FLAGS)?.unwrap_or(0) {
        0 | NFT_DYNSET_F_EXPR => {}
        _ => return Err(Misfit),
    }
    let nested = |payload: &[u8]| decode_nested(payload, depth + 1).map_err(Misfit::from);
    let exprs = match (
        f.get(dy::NFTA_DYNSET_EXPR),
        f.get(dy::NFTA_DYNSET_EXPRESSIONS),
    ) {
        (None, None) => Vec::new(),
        (Some(one), None) => vec![nested(one.payload())?],
        (None, Some(many)) => {
            let mut exprs = Vec::new();
            for elem in many.nested() {
                let elem = elem?;
                if elem.kind() != list::NFTA_LIST_ELEM {
                    return Err(Misfit);
                }
                exprs.push(nested(elem.payload())?);
            }
            exprs
        }
        (Some(_), Some(_)) => return Err(Misfit),
    };
    Ok(Expr::from(
        Dynset {
            set: f.req::<NftStr, _>(dy::NFTA_DYNSET_SET_NAME)?,
            op: DynsetOp::from_number(f.req_u32(dy::NFTA_DYNSET_OP)?).ok_or(Misfit)?,
            sreg_key: f.req_reg(dy::NFTA_DYNSET_SREG_KEY)?,
            sreg_data: f.reg(dy::NFTA_DYNSET_SREG_DATA)?,
            // The kernel reports "no timeout" as 0.
            timeout_ms: f.u64(dy::NFTA_DYNSET_TIMEOUT)?.filter(|&ms| ms != 0),
            exprs,
        }
        .checked()?,
    ))
}

/// [`Dynset`]'s own check (the set is a reference, checked with the table's references):
/// valid registers, and only stateful expressions.
fn check(dynset: &Dynset) -> Result<(), Reason> {
    let Dynset {
        sreg_key,
        sreg_data,
        exprs,
        ..
    } = dynset;
    valid(*sreg_key)?;
    if let Some(reg) = sreg_data {
        valid(*reg)?;
    }
    for inner in exprs {
        // Expressions the model does not name (connlimit, last, ...) are kept as
        // pulled; whether they are stateful is the kernel's call.
        if !matches!(
            inner,
            Expr::Counter(_) | Expr::Limit(_) | Expr::Quota(_) | Expr::Unknown(_)
        ) {
            return Err(Reason::NotStateful {
                expr: inner.modelled_name(),
            });
        }
    }
    Ok(())
}
