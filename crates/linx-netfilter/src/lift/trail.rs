//! The expressions that produced what a register holds, kept for the fallback (an
//! expression the lift does not understand leaves them as expressions, in order).
//!
//! Why not a `Vec`: almost every register holds what a single load wrote; a vector per
//! load was an allocation and a free for every field of every pulled rule.
//!
//! # Contract
//! - Behaves as a `Vec<Expr>` for what the lift does with it (push, read as a slice,
//!   consume in order); one expression is held without allocating.

use std::ops::Deref;

use crate::Expr;

/// One or more expressions, in rule order (see the module docs).
#[derive(Clone, Debug)]
pub(super) enum Trail {
    /// A single expression (a load).
    One(Expr),
    /// Several (a load and what changed it since).
    Many(Vec<Expr>),
}

impl Trail {
    /// The trail of one expression.
    pub(super) fn one(e: Expr) -> Trail {
        Trail::One(e)
    }

    /// Appends `e`.
    pub(super) fn push(&mut self, e: Expr) {
        match self {
            Trail::Many(v) => v.push(e),
            Trail::One(_) => {
                let Trail::One(first) = std::mem::replace(self, Trail::Many(Vec::new())) else {
                    return;
                };
                *self = Trail::Many(vec![first, e]);
            }
        }
    }

    /// The expressions, as a slice.
    pub(super) fn as_slice(&self) -> &[Expr] {
        match self {
            Trail::One(e) => std::slice::from_ref(e),
            Trail::Many(v) => v,
        }
    }
}

impl Deref for Trail {
    type Target = [Expr];
    fn deref(&self) -> &[Expr] {
        self.as_slice()
    }
}

impl From<Vec<Expr>> for Trail {
    fn from(v: Vec<Expr>) -> Trail {
        Trail::Many(v)
    }
}

impl IntoIterator for Trail {
    type Item = Expr;
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        match self {
            Trail::One(e) => IntoIter::One(Some(e)),
            Trail::Many(v) => IntoIter::Many(v.into_iter()),
        }
    }
}

/// The expressions of a [`Trail`], by value, in order.
pub(super) enum IntoIter {
    One(Option<Expr>),
    Many(std::vec::IntoIter<Expr>),
}

impl Iterator for IntoIter {
    type Item = Expr;
    fn next(&mut self) -> Option<Expr> {
        match self {
            IntoIter::One(e) => e.take(),
            IntoIter::Many(v) => v.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Trail;
    use crate::Expr;

    #[test]
    fn behaves_as_a_vec() {
        let (a, b, c) = (Expr::accept(), Expr::drop(), Expr::cmp_eq([1]));
        let mut t = Trail::one(a.clone());
        assert_eq!(t.as_slice(), std::slice::from_ref(&a));
        t.push(b.clone());
        t.push(c.clone());
        assert_eq!(&*t, [a.clone(), b.clone(), c.clone()]);
        let all: Vec<Expr> = t.into_iter().collect();
        assert_eq!(all, vec![a.clone(), b, c]);
        assert_eq!(
            Trail::one(a.clone()).into_iter().collect::<Vec<_>>(),
            vec![a]
        );
    }
}
