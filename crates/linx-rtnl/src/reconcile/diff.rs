//! The pure diff: which creates, updates and deletes turn an observed set of objects into a
//! desired one.
//!
//! Two engines share one algorithm. [`two_way`] deletes every observed object no desired one
//! claims: for a resource whose ownership the kernel records (routes carry `rtm_protocol`, so
//! the caller passes only the routes of its protocol). [`three_way`] deletes only observed
//! objects whose key is in an owned set (the keys this reconciler installed before): for
//! addresses, neighbours, rules and links, which carry no owner, so that foreign objects that
//! merely appeared are left alone. Both compare objects through an [`Identity`]: a key that
//! says "the same object", and a test that says whether its mutable value already matches.
//!
//! # Contract
//! - Output order: creates (in desired order), then updates (in desired order), then deletes
//!   (in observed order). Deletes carry the observed object, so the kernel's own index and
//!   handle reach the delete request.
//! - A desired object whose key is observed and [`in_sync`](Identity::in_sync) yields nothing;
//!   observed but out of sync, an [`Op::Update`] with both.
//! - [`three_way`] never deletes a key outside the owned set; [`two_way`] never deletes a key
//!   that is desired.
//! - Desired keys are expected unique (the reconciler rejects duplicates before diffing); a
//!   repeated key diffs as a create of the repeat.
//! - O(desired + observed) time with one hash map over the observed keys; nothing is
//!   formatted.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

/// A fast, non-keyed hasher for the diff's maps (multiply-rotate, as rustc's `FxHasher`):
/// keys are small fixed-size values from the kernel and the caller's own desired state, so
/// flooding resistance buys nothing here, and SipHash was the largest cost of a 10k-route
/// diff.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i.into());
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(i.into());
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i.into());
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The diff's hash-map state: [`FxHasher`].
pub(crate) type Fx = BuildHasherDefault<FxHasher>;

/// One change a diff asks for.
///
/// ```
/// use linx_rtnl::reconcile::diff::Op;
/// let op: Op<&str, &str> = Op::Update("new", "old");
/// assert_eq!(op.desired(), Some(&"new"));
/// assert_eq!(op.observed(), Some(&"old"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op<D, O> {
    /// Create the desired object: it is not observed.
    Create(D),
    /// Change the observed object (second) to the desired one (first): same key, other value.
    Update(D, O),
    /// Delete the observed object (it carries the kernel's index and handle).
    Delete(O),
}

impl<D, O> Op<D, O> {
    /// The desired side (creates and updates).
    pub fn desired(&self) -> Option<&D> {
        match self {
            Op::Create(d) | Op::Update(d, _) => Some(d),
            Op::Delete(_) => None,
        }
    }

    /// The observed side (updates and deletes).
    pub fn observed(&self) -> Option<&O> {
        match self {
            Op::Update(_, o) | Op::Delete(o) => Some(o),
            Op::Create(_) => None,
        }
    }

    /// `"create"`, `"update"` or `"delete"`.
    ///
    /// ```
    /// use linx_rtnl::reconcile::diff::Op;
    /// assert_eq!(Op::<u8, u8>::Delete(1).verb(), "delete");
    /// ```
    pub fn verb(&self) -> &'static str {
        match self {
            Op::Create(_) => "create",
            Op::Update(..) => "update",
            Op::Delete(_) => "delete",
        }
    }
}

/// How a diff recognises the same object on both sides, and tells whether it needs a change.
///
/// `desired_key(d) == observed_key(o)` means "the same object"; `in_sync(d, o)` means its
/// mutable value already matches (a field the desired side leaves open matches anything).
///
/// ```
/// use linx_rtnl::reconcile::diff::{two_way, Identity, Op};
/// // (name, mtu) pairs keyed by name; the mtu is the mutable value.
/// let id: Identity<(&str, u32), (&str, u32), &str> = Identity {
///     desired_key: |d| d.0,
///     observed_key: |o| o.0,
///     in_sync: |d, o| d.1 == o.1,
/// };
/// let ops = two_way(vec![("a", 1500), ("b", 9000)], vec![("b", 1500), ("c", 1500)], &id);
/// assert_eq!(ops, vec![
///     Op::Create(("a", 1500)),
///     Op::Update(("b", 9000), ("b", 1500)),
///     Op::Delete(("c", 1500)),
/// ]);
/// ```
#[derive(Clone, Copy)]
pub struct Identity<D, O, K> {
    /// The key of a desired object.
    pub desired_key: fn(&D) -> K,
    /// The key of an observed object.
    pub observed_key: fn(&O) -> K,
    /// Whether the observed object already has the desired value.
    pub in_sync: fn(&D, &O) -> bool,
}

/// Two-way diff: every observed object that no desired object claims is deleted. Use it when
/// the caller passes only objects it owns (routes of its protocol).
pub fn two_way<D, O, K: Eq + Hash>(
    desired: impl IntoIterator<Item = D>,
    observed: impl IntoIterator<Item = O>,
    id: &Identity<D, O, K>,
) -> Vec<Op<D, O>> {
    engine(desired, observed, id, |_| true).0
}

/// [`two_way`] that refuses a key desired twice: `Err` carries the second desired object
/// with that key (the diff finds it on its way, so a caller needs no set of its own).
///
/// ```
/// use linx_rtnl::reconcile::diff::{two_way_unique, Identity};
/// let id: Identity<u32, u32, u32> = Identity { desired_key: |d| *d, observed_key: |o| *o, in_sync: |_, _| true };
/// assert_eq!(two_way_unique(vec![1, 2, 1], vec![], &id).unwrap_err(), 1);
/// assert_eq!(two_way_unique(vec![1, 2], vec![2], &id).unwrap().len(), 1);
/// ```
pub fn two_way_unique<D, O, K: Eq + Hash>(
    desired: impl IntoIterator<Item = D>,
    observed: impl IntoIterator<Item = O>,
    id: &Identity<D, O, K>,
) -> Result<Vec<Op<D, O>>, D> {
    match engine(desired, observed, id, |_| true) {
        (ops, None) => Ok(ops),
        (_, Some(d)) => Err(d),
    }
}

/// Three-way diff: like [`two_way`], but an observed object nobody desires is deleted only
/// when its key is in `owned` (what this reconciler applied before).
///
/// ```
/// use std::collections::HashSet;
/// use linx_rtnl::reconcile::diff::{three_way, Identity, Op};
/// let id: Identity<u32, u32, u32> = Identity { desired_key: |d| *d, observed_key: |o| *o, in_sync: |_, _| true };
/// let owned: HashSet<u32> = [2].into();
/// // 2 was ours and is no longer desired: deleted; 3 is foreign: kept.
/// assert_eq!(three_way(vec![1], vec![2, 3], &owned, &id), vec![Op::Create(1), Op::Delete(2)]);
/// ```
pub fn three_way<D, O, K: Eq + Hash, S: BuildHasher>(
    desired: impl IntoIterator<Item = D>,
    observed: impl IntoIterator<Item = O>,
    owned: &HashSet<K, S>,
    id: &Identity<D, O, K>,
) -> Vec<Op<D, O>> {
    engine(desired, observed, id, |k| owned.contains(k)).0
}

fn engine<D, O, K: Eq + Hash>(
    desired: impl IntoIterator<Item = D>,
    observed: impl IntoIterator<Item = O>,
    id: &Identity<D, O, K>,
    deletable: impl Fn(&K) -> bool,
) -> (Vec<Op<D, O>>, Option<D>) {
    // Collected in place where the source allows it (a `Vec` filtered, as the plan passes
    // its dumps): 10k routes are not moved into a second buffer, whose first touch costs
    // page faults.
    let mut slots: Vec<Option<O>> = observed.into_iter().map(Some).collect();
    let mut index: HashMap<K, usize, Fx> =
        HashMap::with_capacity_and_hasher(slots.len(), Fx::default());
    for (i, slot) in slots.iter_mut().enumerate() {
        let Some(o) = slot else { continue };
        // Observed keys are unique in the kernel; should a dump repeat one, the first counts
        // and the repeat is ignored (never deleted on the strength of a duplicate).
        match index.entry((id.observed_key)(o)) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(_) => *slot = None,
        }
    }
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    // A key desired twice: the first counts, the second is reported. Found without a set of
    // every desired key: an observed key's slot is empty once claimed, and only the keys
    // created (few, in a pass that heals drift) are remembered.
    let mut created: HashSet<K, Fx> = HashSet::default();
    let mut duplicate = None;
    for d in desired {
        let k = (id.desired_key)(&d);
        match index.get(&k) {
            Some(&i) => match slots[i].take() {
                Some(o) if (id.in_sync)(&d, &o) => {}
                Some(o) => updates.push(Op::Update(d, o)),
                None => {
                    duplicate.get_or_insert(d);
                }
            },
            None => {
                if created.insert(k) {
                    creates.push(Op::Create(d));
                } else {
                    duplicate.get_or_insert(d);
                }
            }
        }
    }
    let mut ops = creates;
    ops.append(&mut updates);
    ops.extend(
        slots
            .into_iter()
            .flatten()
            .filter(|o| deletable(&(id.observed_key)(o)))
            .map(Op::Delete),
    );
    (ops, duplicate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (key, value) pairs; the value is mutable.
    type Kv = (u8, u8);

    const ID: Identity<Kv, Kv, u8> = Identity {
        desired_key: |d| d.0,
        observed_key: |o| o.0,
        in_sync: |d, o| d.1 == o.1,
    };

    /// What the kernel looks like after `ops` are applied to `observed`.
    fn apply(observed: &[Kv], ops: &[Op<Kv, Kv>]) -> Vec<Kv> {
        let mut state: Vec<Kv> = observed.to_vec();
        for op in ops {
            match op {
                Op::Create(d) => state.push(*d),
                Op::Update(d, o) => {
                    let at = state.iter().position(|x| x == o).unwrap();
                    state[at] = *d;
                }
                Op::Delete(o) => state.retain(|x| x != o),
            }
        }
        state
    }

    fn unique(v: Vec<Kv>) -> Vec<Kv> {
        let mut seen = HashSet::new();
        v.into_iter().filter(|x| seen.insert(x.0)).collect()
    }

    #[test]
    fn order_is_creates_updates_deletes() {
        let ops = two_way(
            vec![(3, 0), (1, 1), (2, 0)],
            vec![(1, 0), (9, 0), (2, 0)],
            &ID,
        );
        assert_eq!(
            ops,
            vec![
                Op::Create((3, 0)),
                Op::Update((1, 1), (1, 0)),
                Op::Delete((9, 0))
            ]
        );
    }

    #[test]
    fn a_key_desired_twice_is_reported_whether_observed_or_not() {
        // Observed and in sync, observed and changed, not observed.
        for observed in [vec![(1, 0)], vec![(1, 5)], vec![]] {
            let err = two_way_unique(vec![(1, 0), (2, 0), (1, 7)], observed.clone(), &ID);
            assert_eq!(err.unwrap_err(), (1, 7), "observed {observed:?}");
        }
        let ok = two_way_unique(vec![(1, 0), (2, 0)], vec![(1, 5), (3, 0)], &ID).unwrap();
        assert_eq!(
            ok,
            vec![
                Op::Create((2, 0)),
                Op::Update((1, 0), (1, 5)),
                Op::Delete((3, 0))
            ]
        );
    }

    #[test]
    fn three_way_deletes_only_owned() {
        let owned: HashSet<u8> = [9].into();
        let ops = three_way(vec![], vec![(8, 0), (9, 0)], &owned, &ID);
        assert_eq!(ops, vec![Op::Delete((9, 0))]);
        assert!(three_way(vec![], vec![(8, 0)], &HashSet::new(), &ID).is_empty());
    }

    #[test]
    fn equal_sides_diff_to_nothing() {
        let s = vec![(1, 1), (2, 2)];
        assert!(two_way(s.clone(), s, &ID).is_empty());
    }

    proptest! {
        #[test]
        fn two_way_applied_then_diffed_is_empty(d in proptest::collection::vec(any::<Kv>(), 0..20),
                                                 o in proptest::collection::vec(any::<Kv>(), 0..20)) {
            let (d, o) = (unique(d), unique(o));
            let ops = two_way(d.clone(), o.clone(), &ID);
            let after = apply(&o, &ops);
            prop_assert!(two_way(d.clone(), after, &ID).is_empty());
        }

        #[test]
        fn three_way_converges_and_spares_foreign_keys(
            d in proptest::collection::vec(any::<Kv>(), 0..20),
            o in proptest::collection::vec(any::<Kv>(), 0..20),
            owned in proptest::collection::hash_set(any::<u8>(), 0..20),
        ) {
            let (d, o) = (unique(d), unique(o));
            let ops = three_way(d.clone(), o.clone(), &owned, &ID);
            for op in &ops {
                if let Op::Delete(x) = op {
                    prop_assert!(owned.contains(&x.0), "deleted a foreign key {}", x.0);
                    prop_assert!(!d.iter().any(|y| y.0 == x.0), "deleted a desired key");
                }
            }
            let after = apply(&o, &ops);
            prop_assert!(three_way(d.clone(), after.clone(), &owned, &ID).is_empty());
            // Every desired object is present with its value afterwards.
            for x in &d {
                prop_assert!(after.contains(x));
            }
        }
    }
}
