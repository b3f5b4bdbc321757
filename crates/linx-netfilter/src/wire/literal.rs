//! The set and vmap literals of a rule (`{ 22, 80 }`, `vmap { 22 : accept }`) as the
//! anonymous sets a batch creates for them: shared by the replace push and the reconcile
//! encoder, which both create a literal's set before the rule that uses it.
//!
//! # Contract
//! - [`Literal::of`] picks the literals out of a rule's expressions in the order the
//!   expression encoder meets them; [`Anonymous::take`] hands the created sets back to the
//!   encoder in that same order (an encoder asking for more sets than were created is an
//!   [`Error::Encode`], never a wrong reference).
//! - A literal's set is named `__set%d`, or `__map%d` when it carries data (the kernel
//!   numbers it).

use crate::Error;
use crate::expr::{Expr, SetLiteral, VmapLiteral};
use crate::wire::set::{Elems, SetSpec};

/// A set literal or vmap literal of a rule.
pub(crate) enum Literal<'a> {
    /// `{ ... }`.
    Set(&'a SetLiteral),
    /// `vmap { ... }`.
    Vmap(&'a VmapLiteral),
}

impl<'a> Literal<'a> {
    /// The literal `e` is, if it is one.
    pub(crate) fn of(e: &'a Expr) -> Option<Literal<'a>> {
        match e {
            Expr::SetLiteral(l) => Some(Literal::Set(l)),
            Expr::VmapLiteral(l) => Some(Literal::Vmap(l)),
            _ => None,
        }
    }

    /// The anonymous set to create for it, with batch set id `id`.
    pub(crate) fn spec(&self, id: u32) -> SetSpec<'a> {
        match self {
            Literal::Set(l) => SetSpec::of_literal(l, id),
            Literal::Vmap(l) => SetSpec::of_vmap(l, id),
        }
    }

    /// Its elements.
    pub(crate) fn elems(&self) -> Elems<'a> {
        match self {
            Literal::Set(l) => Elems::Set(&l.elements),
            Literal::Vmap(l) => Elems::Vmap(&l.elements),
        }
    }
}

/// The name a literal's set is created under: `__map%d` with data, else `__set%d`.
pub(crate) fn anon_name(spec: &SetSpec<'_>) -> &'static str {
    if spec.data.is_some() {
        "__map%d"
    } else {
        "__set%d"
    }
}

/// The anonymous sets created for a run of rules, handed out in literal order.
pub(crate) struct Anonymous {
    sets: Vec<(&'static str, u32)>,
    next: usize,
}

impl Anonymous {
    /// The sets created (name, batch set id), in literal order.
    pub(crate) fn new(sets: Vec<(&'static str, u32)>) -> Anonymous {
        Anonymous { sets, next: 0 }
    }

    /// The next literal's set.
    pub(crate) fn take(&mut self) -> Result<(&'static str, u32), Error> {
        let got = self
            .sets
            .get(self.next)
            .copied()
            .ok_or_else(|| Error::Encode {
                what: "set literal".into(),
                reason: "a set literal nested where the encoder cannot create its set".into(),
            })?;
        self.next += 1;
        Ok(got)
    }
}
