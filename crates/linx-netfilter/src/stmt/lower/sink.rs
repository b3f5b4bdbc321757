//! Where the lowering writes its expressions: a vector (building a rule), a check against
//! a rule's expressions (verifying a lift), which compares each expression as it is
//! written and keeps none, or nowhere (checking a statement's values).
//!
//! Why: the lift proves every statement list it returns by lowering it again and comparing
//! with the pulled expressions; building that second vector (and dropping it) for every
//! pulled rule cost more than the comparison itself.
//!
//! # Contract
//! - [`Out::Build`] collects every expression in order, as a `Vec` does; [`Out::discard`]
//!   (a check that compares nothing) only counts them.
//! - [`Out::Check`] answers whether the expressions written are exactly `want` (same
//!   count, each equal under the given comparison, in order); a reordering of what was
//!   written ([`Out::move_to_front`]) makes the answer unknown, never a wrong yes.

use crate::Expr;

/// The lowering's output (see the module docs).
pub(in crate::stmt) enum Out<'w> {
    /// Every expression, in order.
    Build(Vec<Expr>),
    /// Compare with `want` as written.
    Check(Check<'w>),
}

/// The state of a streaming comparison.
pub(in crate::stmt) struct Check<'w> {
    want: &'w [Expr],
    same: fn(&Expr, &Expr) -> bool,
    /// Expressions written so far.
    at: usize,
    /// Every one so far equal to its counterpart.
    equal: bool,
    /// What was written was reordered: the comparison cannot tell.
    unsure: bool,
}

impl<'w> Out<'w> {
    /// A check against `want`, expression by expression with `same`.
    pub(in crate::stmt) fn check(want: &'w [Expr], same: fn(&Expr, &Expr) -> bool) -> Out<'w> {
        Out::Check(Check {
            want,
            same,
            at: 0,
            equal: true,
            unsure: false,
        })
    }

    /// An output that keeps nothing and compares nothing (its verdict is `Some(false)`).
    pub(in crate::stmt) fn discard() -> Out<'w> {
        Out::Check(Check {
            want: &[],
            same: |_, _| false,
            at: 0,
            equal: false,
            unsure: false,
        })
    }

    /// Writes `e`.
    #[inline]
    pub(in crate::stmt) fn push(&mut self, e: Expr) {
        match self {
            Out::Build(v) => v.push(e),
            Out::Check(c) => {
                if c.equal {
                    c.equal = c.want.get(c.at).is_some_and(|w| (c.same)(&e, w));
                }
                c.at += 1;
            }
        }
    }

    /// How many expressions were written.
    pub(in crate::stmt) fn len(&self) -> usize {
        match self {
            Out::Build(v) => v.len(),
            Out::Check(c) => c.at,
        }
    }

    /// Moves the expressions written from position `start` on before all the others.
    pub(in crate::stmt) fn move_to_front(&mut self, start: usize) {
        match self {
            Out::Build(v) => {
                let moved: Vec<Expr> = v.drain(start.min(v.len())..).collect();
                v.splice(0..0, moved);
            }
            Out::Check(c) => {
                if start < c.at {
                    c.unsure = true;
                }
            }
        }
    }

    /// The expressions built (none for a check).
    pub(in crate::stmt) fn into_vec(self) -> Vec<Expr> {
        match self {
            Out::Build(v) => v,
            Out::Check(_) => Vec::new(),
        }
    }

    /// For a check: `Some(true)` when exactly `want` was written, `Some(false)` when not,
    /// `None` when the comparison could not tell (a reordering); `None` for a build.
    pub(in crate::stmt) fn verdict(&self) -> Option<bool> {
        match self {
            Out::Check(c) if !c.unsure => Some(c.equal && c.at == c.want.len()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Out;
    use crate::Expr;

    fn eq(a: &Expr, b: &Expr) -> bool {
        a == b
    }

    #[test]
    fn check_answers_as_a_comparison_of_vectors() {
        let want = [Expr::accept(), Expr::drop()];
        let run = |written: &[Expr]| {
            let mut out = Out::check(&want, eq);
            for e in written {
                out.push(e.clone());
            }
            out.verdict()
        };
        assert_eq!(run(&want), Some(true));
        assert_eq!(run(&want[..1]), Some(false));
        assert_eq!(run(&[Expr::drop(), Expr::accept()]), Some(false));
        assert_eq!(
            run(&[Expr::accept(), Expr::drop(), Expr::drop()]),
            Some(false)
        );
        let mut out = Out::check(&want, eq);
        out.push(Expr::drop());
        out.push(Expr::accept());
        out.move_to_front(1);
        assert_eq!(out.verdict(), None);
    }

    #[test]
    fn build_moves_to_front() {
        let mut out = Out::Build(Vec::new());
        for e in [Expr::accept(), Expr::drop(), Expr::cmp_eq([1])] {
            out.push(e);
        }
        out.move_to_front(2);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out.into_vec(),
            vec![Expr::cmp_eq([1]), Expr::accept(), Expr::drop()]
        );
    }
}
