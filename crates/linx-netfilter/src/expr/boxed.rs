//! [`UnknownExpr`], the fields of [`Expr::Unknown`], and the `From` impls of the two boxed
//! literals ([`SetLiteral`], [`VmapLiteral`]). The other boxed kinds ([`Bitwise`](super::Bitwise),
//! [`Dynset`](super::Dynset), [`Log`](super::Log), [`Nat`](super::Nat)) live in their kind
//! modules with their encoder and decoder.
//!
//! Why boxed: an [`Expr`] is as large as its largest variant, and a pulled ruleset holds
//! tens of thousands of expressions (about five per rule). The instructions nearly every rule
//! uses (payload, meta, cmp, immediate, lookup, counter) fit in 40 bytes; the rare ones that
//! do not pay an allocation, once each.
//!
//! # Contract
//! - serde: the JSON form is that of the struct variant each replaced, unknown fields
//!   refused: `{"unknown": {"name": "fib", "data": "..."}}`. It deserializes through
//!   [`UnknownExpr::new`]'s check.
//! - `From<T> for Expr` wraps a value in its variant; that allocates the box and nothing
//!   else. Nothing here panics.

use super::{Expr, SetLiteral, VmapLiteral};
use crate::Reason;

crate::expr::codec::kind::common::checked_expr! {
    /// The fields of [`Expr::Unknown`]: an expression the model does not know, kept as its
    /// kernel name and raw `NFTA_EXPR_DATA` bytes and re-emitted unchanged.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::UnknownExpr};
    /// let e = Expr::unknown("numgen", [0, 0]);
    /// assert_eq!(e, Expr::from(UnknownExpr::new("numgen", vec![0, 0]).unwrap()));
    /// assert_eq!(e.kernel_name(), "numgen");
    /// assert_eq!(serde_json::to_string(&e)?, r#"{"unknown":{"name":"numgen","data":"0000"}}"#);
    /// assert!(UnknownExpr::new("", vec![]).is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct UnknownExpr via UnknownExprRepr = "UnknownExprRepr" {
        /// The kernel expression name (`NFTA_EXPR_NAME`: `"fib"`, `"numgen"`, ...).
        name: String,
        /// The nested attribute bytes inside `NFTA_EXPR_DATA`, hex in serde.
        #[serde(with = "crate::hex")]
        data: Vec<u8>,
    }
}

impl UnknownExpr {
    /// A checked unknown expression: the name is not empty (its bytes are not checked).
    pub fn new(name: impl Into<String>, data: impl Into<Vec<u8>>) -> Result<UnknownExpr, Reason> {
        UnknownExpr {
            name: name.into(),
            data: data.into(),
        }
        .checked()
    }

    /// `self` when it passes [`UnknownExpr::new`]'s check.
    pub(crate) fn checked(self) -> Result<UnknownExpr, Reason> {
        if self.name.is_empty() {
            return Err(Reason::EmptyName);
        }
        Ok(self)
    }

    /// The kernel expression name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The nested attribute bytes inside `NFTA_EXPR_DATA`.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

impl From<UnknownExpr> for Expr {
    /// [`Expr::Unknown`], boxed.
    fn from(value: UnknownExpr) -> Expr {
        Expr::Unknown(Box::new(value))
    }
}

impl From<SetLiteral> for Expr {
    /// [`Expr::SetLiteral`], boxed.
    fn from(value: SetLiteral) -> Expr {
        Expr::SetLiteral(Box::new(value))
    }
}

impl From<VmapLiteral> for Expr {
    /// [`Expr::VmapLiteral`], boxed.
    fn from(value: VmapLiteral) -> Expr {
        Expr::VmapLiteral(Box::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{DynsetOp, Log};

    /// The point of the boxes: an expression stays at 40 bytes on 64-bit targets (it was
    /// 80). A new inline field that breaks this belongs in a box.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn expr_is_40_bytes() {
        assert!(
            std::mem::size_of::<Expr>() <= 40,
            "Expr is {} bytes",
            std::mem::size_of::<Expr>()
        );
    }

    /// A boxed variant reads and writes the JSON of the struct variant it replaced,
    /// defaults and unknown-field refusal included.
    #[test]
    fn json_shape_unchanged() {
        let e: Expr = serde_json::from_str(r#"{"dynset":{"set":"s","op":"add"}}"#).unwrap();
        assert_eq!(e, Expr::dynset("s", DynsetOp::Add));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"dynset":{"set":"s","op":"add","sreg_key":1}}"#
        );
        let e: Expr = serde_json::from_str(r#"{"log":{}}"#).unwrap();
        assert_eq!(e, Expr::from(Log::default()));
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"log":{}}"#);
        let e: Expr =
            serde_json::from_str(r#"{"bitwise":{"len":1,"mask":"ff","xor":"00"}}"#).unwrap();
        assert_eq!(e, Expr::bitwise([0xff], [0]));
        for bad in [
            r#"{"log":{"grup":1}}"#,
            r#"{"dynset":{"set":"s","op":"add","x":1}}"#,
            r#"{"bitwise":{"len":1,"mask":"ff","xor":"00","op":0}}"#,
            r#"{"unknown":{"name":"fib","data":"","extra":true}}"#,
        ] {
            assert!(serde_json::from_str::<Expr>(bad).is_err(), "{bad}");
        }
    }
}
