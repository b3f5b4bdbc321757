//! `objref`: use a named stateful object (counter, quota, limit, ...) of the table.

use super::common::{Fit, checked_expr, fields, no_nul};
use crate::Reason;
use crate::nla::attr::objref as ob;
use crate::nla::{NftStr, Writer};
use crate::{Expr, ObjectType};

checked_expr! {
    /// The fields of [`Expr::Objref`]: use a named stateful object (counter, quota, limit ...).
    ///
    /// The name is a reference: that the table holds such an object (so that the name is valid)
    /// is checked when the rule is added.
    ///
    /// ```
    /// use linx_netfilter::{Expr, ObjectType, expr::Objref};
    /// let o = Objref::new(ObjectType::Counter, "hits");
    /// assert_eq!((o.kind(), o.name()), (ObjectType::Counter, "hits"));
    /// assert_eq!(Expr::from(o), Expr::objref(ObjectType::Counter, "hits"));
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Objref via ObjrefRepr = "ObjrefRepr" {
        /// The object's kind.
        kind: ObjectType,
        /// The object's name.
        name: String,
    }
}

impl Objref {
    /// A reference to the object `name` of kind `kind`.
    #[inline]
    pub fn new(kind: ObjectType, name: impl Into<String>) -> Objref {
        Objref {
            kind,
            name: name.into(),
        }
    }

    /// `self`: a `objref` has no checks of its own (serde goes through here).
    #[inline]
    pub(crate) fn checked(self) -> Result<Objref, Reason> {
        Ok(self)
    }

    /// The object's kind.
    pub fn kind(&self) -> ObjectType {
        self.kind
    }

    /// The object's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl From<Objref> for Expr {
    /// [`Expr::Objref`].
    fn from(value: Objref) -> Expr {
        Expr::Objref(value)
    }
}

/// Write [`Expr::Objref`]'s attributes: `IMM_TYPE`, `IMM_NAME` (without its NUL, as
/// libnftnl writes it).
#[inline]
pub(crate) fn encode(w: &mut Writer<'_>, kind: ObjectType, name: &str) -> Result<(), crate::Error> {
    w.put_be32(ob::NFTA_OBJREF_IMM_TYPE, kind.number())?;
    // libnftnl writes this one name without its NUL terminator.
    w.put(ob::NFTA_OBJREF_IMM_NAME, no_nul("objref", name)?.as_bytes())?;
    Ok(())
}

/// `objref` (a named object; object maps do not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [ob::NFTA_OBJREF_IMM_TYPE, ob::NFTA_OBJREF_IMM_NAME])?;
    Ok(Expr::Objref(
        Objref {
            kind: ObjectType::from_number(f.req_u32(ob::NFTA_OBJREF_IMM_TYPE)?),
            name: f.req::<NftStr, _>(ob::NFTA_OBJREF_IMM_NAME)?,
        }
        .checked()?,
    ))
}
