//! `objref`: use a named stateful object (counter, quota, limit, ...) of the table.

use super::common::{Fit, fields, no_nul};
use crate::Reason;
use crate::names::check_name;
use crate::wire::attr::objref as ob;
use crate::wire::{NftStr, Writer};
use crate::{Expr, ObjectType};

/// Write [`Expr::Objref`]'s attributes: `IMM_TYPE`, `IMM_NAME` (without its NUL, as
/// libnftnl writes it).
pub(crate) fn encode(w: &mut Writer<'_>, kind: ObjectType, name: &str) -> Result<(), crate::Error> {
    w.put_be32(ob::NFTA_OBJREF_IMM_TYPE, kind.number())?;
    // libnftnl writes this one name without its NUL terminator.
    w.put(ob::NFTA_OBJREF_IMM_NAME, no_nul("objref", name)?.as_bytes())?;
    Ok(())
}

/// `objref` (a named object; object maps do not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [ob::NFTA_OBJREF_IMM_TYPE, ob::NFTA_OBJREF_IMM_NAME])?;
    Ok(Expr::Objref {
        kind: ObjectType::from_number(f.req_u32(ob::NFTA_OBJREF_IMM_TYPE)?),
        name: f.req::<NftStr, _>(ob::NFTA_OBJREF_IMM_NAME)?,
    })
}

/// [`Expr::Objref`]'s own check (the object's existence is checked with the table's
/// references): a valid object name.
pub(crate) fn check(name: &str) -> Result<(), Reason> {
    check_name(name)
}
