//! The lift's register file: what each register holds while a rule is followed.
//!
//! Why not a `HashMap`: a rule uses a handful of registers, and the lift runs for every
//! pulled rule; a short vector searched linearly costs a fraction of hashing every access.
//!
//! # Contract
//! - Behaves as a map from register number to value: at most one value per register,
//!   [`RegFile::insert`] returns the value it replaced.
//! - [`RegFile::drain`] yields the values in no particular order (callers sort).

/// A map from register number to `T`, for the few registers one rule uses.
pub(crate) struct RegFile<T> {
    slots: Vec<(u32, T)>,
}

impl<T> RegFile<T> {
    /// An empty register file.
    pub(crate) fn new() -> RegFile<T> {
        RegFile { slots: Vec::new() }
    }

    fn index(&self, reg: u32) -> Option<usize> {
        self.slots.iter().position(|(r, _)| *r == reg)
    }

    /// What `reg` holds, taken out.
    pub(crate) fn remove(&mut self, reg: &u32) -> Option<T> {
        let i = self.index(*reg)?;
        Some(self.slots.swap_remove(i).1)
    }

    /// What `reg` holds.
    pub(crate) fn get(&self, reg: &u32) -> Option<&T> {
        let i = self.index(*reg)?;
        self.slots.get(i).map(|(_, v)| v)
    }

    /// `true` when `reg` holds something.
    pub(crate) fn contains_key(&self, reg: &u32) -> bool {
        self.index(*reg).is_some()
    }

    /// `reg` now holds `value`; what it held before is returned.
    pub(crate) fn insert(&mut self, reg: u32, value: T) -> Option<T> {
        match self.index(reg) {
            Some(i) => self
                .slots
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, value)),
            None => {
                self.slots.push((reg, value));
                None
            }
        }
    }

    /// `true` when no register holds anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Every register's value, leaving the file empty.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = (u32, T)> + '_ {
        self.slots.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::RegFile;

    #[test]
    fn behaves_as_a_map() {
        let mut f = RegFile::new();
        assert_eq!(f.insert(1, "a"), None);
        assert_eq!(f.insert(9, "b"), None);
        assert_eq!(f.insert(1, "c"), Some("a"));
        assert_eq!(f.get(&1), Some(&"c"));
        assert!(f.contains_key(&9));
        assert_eq!(f.remove(&9), Some("b"));
        assert!(!f.contains_key(&9));
        assert_eq!(f.remove(&9), None);
        let rest: Vec<_> = f.drain().collect();
        assert_eq!(rest, vec![(1, "c")]);
        assert_eq!(f.get(&1), None);
    }
}
