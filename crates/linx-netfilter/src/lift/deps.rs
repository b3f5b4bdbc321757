//! The statement indices a lifted field relies on (the protocol matches nft drops before
//! it), held without a heap allocation in the usual case.
//!
//! Why: every named field the lift follows carries this list, usually of one or two
//! indices; a `Vec` per loaded field was an allocation and a free per field of every
//! pulled rule.
//!
//! # Contract
//! - Behaves as a `Vec<usize>` for what the lift does with it (push, extend, sort, dedup,
//!   clear, read as a slice); up to [`Deps::INLINE`] indices are stored inline, more spill
//!   to the heap.

use std::ops::{Deref, DerefMut};

/// A short list of statement indices (see the module docs).
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub(super) struct Deps {
    inline: [usize; Deps::INLINE],
    len: usize,
    /// Every index, once there are more than fit inline (then `inline` is unused).
    spill: Vec<usize>,
}

impl Deps {
    /// Indices stored without allocating.
    pub(super) const INLINE: usize = 4;

    /// An empty list.
    pub(super) fn new() -> Deps {
        Deps::default()
    }

    /// The list of one index.
    pub(super) fn one(i: usize) -> Deps {
        let mut d = Deps::new();
        d.push(i);
        d
    }

    /// Appends `i`.
    pub(super) fn push(&mut self, i: usize) {
        if self.spill.is_empty() && self.len < Deps::INLINE {
            self.inline[self.len] = i;
            self.len += 1;
            return;
        }
        if self.spill.is_empty() {
            self.spill.extend_from_slice(&self.inline[..self.len]);
        }
        self.spill.push(i);
    }

    /// Empties the list.
    pub(super) fn clear(&mut self) {
        self.len = 0;
        self.spill.clear();
    }

    /// Removes consecutive repeats (as `Vec::dedup`).
    pub(super) fn dedup(&mut self) {
        let s: &mut [usize] = self;
        let mut kept = 0;
        for i in 0..s.len() {
            if kept == 0 || s[i] != s[kept - 1] {
                s[kept] = s[i];
                kept += 1;
            }
        }
        if self.spill.is_empty() {
            self.len = kept;
        } else {
            self.spill.truncate(kept);
        }
    }
}

impl Deref for Deps {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

impl DerefMut for Deps {
    fn deref_mut(&mut self) -> &mut [usize] {
        if self.spill.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spill
        }
    }
}

impl Extend<usize> for Deps {
    fn extend<I: IntoIterator<Item = usize>>(&mut self, iter: I) {
        for i in iter {
            self.push(i);
        }
    }
}

impl<'a> IntoIterator for &'a Deps {
    type Item = &'a usize;
    type IntoIter = std::slice::Iter<'a, usize>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<usize> for Deps {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Deps {
        let mut d = Deps::new();
        d.extend(iter);
        d
    }
}

impl IntoIterator for Deps {
    type Item = usize;
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        IntoIter { deps: self, at: 0 }
    }
}

/// The indices of a [`Deps`], by value.
pub(super) struct IntoIter {
    deps: Deps,
    at: usize,
}

impl Iterator for IntoIter {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let i = self.deps.get(self.at).copied()?;
        self.at += 1;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::Deps;

    #[test]
    fn behaves_as_a_vec() {
        for n in 0..12 {
            let mut d = Deps::new();
            let mut v = Vec::new();
            for i in (0..n).rev() {
                d.push(i / 2);
                v.push(i / 2);
            }
            d.extend([3, 3, 1]);
            v.extend([3, 3, 1]);
            assert_eq!(&*d, v.as_slice());
            d.sort_unstable();
            v.sort_unstable();
            d.dedup();
            v.dedup();
            assert_eq!(&*d, v.as_slice());
            let c = d.clone();
            assert_eq!(&*c, v.as_slice());
            d.clear();
            assert!(d.is_empty());
        }
        assert_eq!(&*Deps::one(7), &[7]);
    }
}
