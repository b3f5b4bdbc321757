//! The lift's register file: what each register holds while a rule is followed.
//!
//! Why not a `HashMap`: a rule uses a handful of registers, and the lift runs for every
//! pulled rule; a few inline slots searched linearly (a vector past them) cost a fraction
//! of hashing every access, and nothing is allocated for a usual rule.
//!
//! # Contract
//! - Behaves as a map from register number to value: at most one value per register,
//!   [`RegFile::insert`] returns the value it replaced.
//! - [`RegFile::drain`] yields the values in no particular order (callers sort).

/// A map from register number to `T`, for the few registers one rule uses.
pub(crate) struct RegFile<T> {
    /// The first registers used, without an allocation.
    near: [Option<(u32, T)>; NEAR],
    /// Any more.
    far: Vec<(u32, T)>,
}

/// Registers held without allocating (a rule rarely holds more at once).
const NEAR: usize = 4;

impl<T> RegFile<T> {
    /// An empty register file.
    pub(crate) fn new() -> RegFile<T> {
        RegFile {
            near: [None, None, None, None],
            far: Vec::new(),
        }
    }

    fn near_index(&self, reg: u32) -> Option<usize> {
        self.near
            .iter()
            .position(|s| matches!(s, Some((r, _)) if *r == reg))
    }

    fn far_index(&self, reg: u32) -> Option<usize> {
        self.far.iter().position(|(r, _)| *r == reg)
    }

    /// What `reg` holds, taken out.
    pub(crate) fn remove(&mut self, reg: &u32) -> Option<T> {
        if let Some(i) = self.near_index(*reg) {
            return self.near[i].take().map(|(_, v)| v);
        }
        let i = self.far_index(*reg)?;
        Some(self.far.swap_remove(i).1)
    }

    /// What `reg` holds.
    pub(crate) fn get(&self, reg: &u32) -> Option<&T> {
        if let Some(i) = self.near_index(*reg) {
            return self.near[i].as_ref().map(|(_, v)| v);
        }
        let i = self.far_index(*reg)?;
        self.far.get(i).map(|(_, v)| v)
    }

    /// `true` when `reg` holds something.
    pub(crate) fn contains_key(&self, reg: &u32) -> bool {
        self.near_index(*reg).is_some() || self.far_index(*reg).is_some()
    }

    /// `reg` now holds `value`; what it held before is returned.
    pub(crate) fn insert(&mut self, reg: u32, value: T) -> Option<T> {
        if let Some(i) = self.near_index(reg) {
            return self.near[i]
                .as_mut()
                .map(|slot| std::mem::replace(&mut slot.1, value));
        }
        if let Some(i) = self.far_index(reg) {
            return self
                .far
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, value));
        }
        match self.near.iter_mut().find(|s| s.is_none()) {
            Some(free) => *free = Some((reg, value)),
            None => self.far.push((reg, value)),
        }
        None
    }

    /// `true` when no register holds anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.near.iter().all(Option::is_none) && self.far.is_empty()
    }

    /// Every register's value, leaving the file empty.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = (u32, T)> + '_ {
        self.near
            .iter_mut()
            .filter_map(Option::take)
            .chain(self.far.drain(..))
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
        assert!(f.is_empty());
        // Past the inline slots.
        for r in 0..10 {
            assert_eq!(f.insert(r, "x"), None);
        }
        assert_eq!(f.insert(7, "y"), Some("x"));
        assert_eq!(f.remove(&2), Some("x"));
        assert_eq!(f.insert(20, "z"), None);
        assert_eq!(f.get(&7), Some(&"y"));
        assert_eq!(f.get(&20), Some(&"z"));
        let mut all: Vec<_> = f.drain().collect();
        all.sort();
        assert_eq!(all.len(), 10);
        assert_eq!(all[0], (0, "x"));
        assert!(f.is_empty());
    }
}
