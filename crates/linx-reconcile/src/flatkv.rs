//! FlatKV: ownership, diff and best-effort apply for subsystems that are a flat map of
//! independent keys (sysctls, cgroup files), so such a [`Source`](crate::Source) is a few lines
//! of reading and writing.
//!
//! Three-way like rtnl's addresses: what may be changed back is decided by what this
//! reconciler owns (its `last_applied`, here an [`Ownership`]), never by what merely appeared.
//! Unlike rtnl, keys are independent of each other, so nothing is ordered and one failure
//! does not stop the rest.
//!
//! ```
//! use std::collections::BTreeMap;
//! use linx_reconcile::flatkv::{self, OnRelease, Op, Ownership};
//! use linx_reconcile::Report;
//!
//! let desired = BTreeMap::from([("net.ipv4.ip_forward", 1)]);
//! let observed = BTreeMap::from([("net.ipv4.ip_forward", 0)]);
//! let plan = flatkv::diff(&desired, &observed, &Ownership::new(), OnRelease::Revert);
//! assert_eq!(plan.ops(), &[Op::Set { key: "net.ipv4.ip_forward", value: 1, observed: Some(0) }]);
//!
//! let report = plan.apply(|_op| Ok::<(), std::io::Error>(())); // write the key here
//! assert!(report.converged());
//! // Owned now, with the value found before it was first set.
//! let owned = &report.last_applied()["net.ipv4.ip_forward"];
//! assert_eq!((owned.applied(), owned.original()), (&1, Some(&0)));
//!
//! // Dropped from desired: the original value goes back.
//! let observed = BTreeMap::from([("net.ipv4.ip_forward", 1)]);
//! let plan = flatkv::diff(&BTreeMap::new(), &observed, report.last_applied(), OnRelease::Revert);
//! assert_eq!(plan.ops(), &[Op::Revert { key: "net.ipv4.ip_forward", original: 0 }]);
//! ```
//!
//! # Contract
//! - **Ownership**: a key is owned once this reconciler set it, or found it already at the
//!   desired value; its `original` is the value observed the first time it was owned and is
//!   never replaced after (`None` when the key did not exist then).
//! - **Diff** ([`diff`]): a [`Op::Set`] for each desired key whose observed value differs or is
//!   missing; for each owned key no longer desired, [`Op::Revert`] to its original when the
//!   policy is [`OnRelease::Revert`], the original is known, the key still exists and differs
//!   from it, else [`Op::Release`] (forget it, write nothing). Keys neither desired nor owned
//!   never appear. Sets come first, then reverts and releases, each in key order.
//! - **Apply** ([`Plan::apply`], or [`Plan::into_steps`] for async writers): best effort,
//!   every op is tried, nothing is pending, nothing is rolled back. A successful set owns the
//!   key; a failed set leaves the key's previous ownership (owned or not) as it was; a
//!   successful revert or a release forgets the key; a failed revert keeps it owned, so the
//!   next pass tries again.
//! - Pure: no IO, no clock. Ownership serialises (serde), so it can be persisted.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::source::Report;

/// What this reconciler owns: key → [`Owned`]. The `LastApplied` of a FlatKV source.
pub type Ownership<K, V> = BTreeMap<K, Owned<V>>;

/// One owned key: the value this reconciler wants it at, and the value found before it took
/// the key over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owned<V> {
    applied: V,
    original: Option<V>,
}

impl<V> Owned<V> {
    /// An owned key (e.g. when building ownership by hand in a test or a migration).
    pub fn new(applied: V, original: Option<V>) -> Owned<V> {
        Owned { applied, original }
    }

    /// The value this reconciler set (or found already desired).
    pub fn applied(&self) -> &V {
        &self.applied
    }

    /// The value observed when the key was first owned; `None` if the key did not exist then.
    pub fn original(&self) -> Option<&V> {
        self.original.as_ref()
    }
}

/// What to do with an owned key that is no longer desired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum OnRelease {
    /// Forget it and leave its value alone (the default: nothing is written that the
    /// consumer did not ask for).
    #[default]
    Forget,
    /// Write back the value found before this reconciler first owned it, when that is known.
    Revert,
}

/// One step of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op<K, V> {
    /// Write `value` to `key` (found at `observed`; `None`: the key was missing).
    Set {
        /// The key.
        key: K,
        /// The desired value.
        value: V,
        /// The value before the write.
        observed: Option<V>,
    },
    /// Write `original` back to `key`, then forget it.
    Revert {
        /// The key.
        key: K,
        /// The value found before this reconciler first owned the key.
        original: V,
    },
    /// Forget `key` without writing anything.
    Release {
        /// The key.
        key: K,
    },
}

impl<K, V> Op<K, V> {
    /// The key the op is about.
    pub fn key(&self) -> &K {
        match self {
            Op::Set { key, .. } | Op::Revert { key, .. } | Op::Release { key } => key,
        }
    }
}

impl<K: fmt::Display, V: fmt::Display> fmt::Display for Op<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Set {
                key,
                value,
                observed: Some(old),
            } => write!(f, "set {key} = {value} (was {old})"),
            Op::Set {
                key,
                value,
                observed: None,
            } => write!(f, "set {key} = {value} (was missing)"),
            Op::Revert { key, original } => write!(f, "revert {key} = {original}"),
            Op::Release { key } => write!(f, "release {key}"),
        }
    }
}

/// The ops that converge a flat map, and the ownership they start from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a plan changes nothing until it is applied"]
pub struct Plan<K, V> {
    ops: Vec<Op<K, V>>,
    /// The previous ownership plus the desired keys found already at their value.
    base: Ownership<K, V>,
}

/// Compute the ops that bring `observed` to `desired`, touching only keys that are desired
/// or `owned` (see the module contract for the rules).
///
/// `observed` needs only the desired and owned keys; a key absent from it is taken as
/// missing.
pub fn diff<K, V>(
    desired: &BTreeMap<K, V>,
    observed: &BTreeMap<K, V>,
    owned: &Ownership<K, V>,
    on_release: OnRelease,
) -> Plan<K, V>
where
    K: Ord + Clone,
    V: PartialEq + Clone,
{
    let mut base = owned.clone();
    let mut ops = Vec::new();
    for (key, value) in desired {
        let now = observed.get(key);
        if now == Some(value) {
            // Already right: owned from now on, without a write.
            let original = match owned.get(key) {
                Some(prior) => prior.original.clone(),
                None => now.cloned(),
            };
            base.insert(
                key.clone(),
                Owned {
                    applied: value.clone(),
                    original,
                },
            );
        } else {
            ops.push(Op::Set {
                key: key.clone(),
                value: value.clone(),
                observed: now.cloned(),
            });
        }
    }
    for (key, prior) in owned {
        if desired.contains_key(key) {
            continue;
        }
        let op = match (on_release, &prior.original, observed.get(key)) {
            (OnRelease::Revert, Some(original), Some(now)) if now != original => Op::Revert {
                key: key.clone(),
                original: original.clone(),
            },
            _ => Op::Release { key: key.clone() },
        };
        ops.push(op);
    }
    Plan { ops, base }
}

impl<K: Ord + Clone, V: Clone> Plan<K, V> {
    /// The ops, in the order they are applied.
    pub fn ops(&self) -> &[Op<K, V>] {
        &self.ops
    }

    /// True when nothing needs writing or forgetting.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Apply every op with `write` (called for sets and reverts; releases need no write) and
    /// report. Best effort: a failure does not stop the rest.
    pub fn apply<E>(
        self,
        mut write: impl FnMut(&Op<K, V>) -> Result<(), E>,
    ) -> FlatReport<K, V, E> {
        let (ops, mut steps) = self.into_steps();
        for op in ops {
            let result = match op {
                Op::Release { .. } => Ok(()),
                _ => write(&op),
            };
            steps.record(op, result);
        }
        steps.finish()
    }

    /// The ops and a [`Steps`] to record their results in, for writers that are async or
    /// need more than a closure: write each op (a release needs no write; record it as
    /// `Ok(())`), [`record`](Steps::record) the result, then [`finish`](Steps::finish).
    ///
    /// ```
    /// # use std::collections::BTreeMap;
    /// # use linx_reconcile::flatkv::{self, OnRelease, Ownership};
    /// # async fn write(_: &flatkv::Op<&str, u32>) -> Result<(), std::io::Error> { Ok(()) }
    /// # async fn pass() {
    /// let desired = BTreeMap::from([("a", 1)]);
    /// let plan = flatkv::diff(&desired, &BTreeMap::new(), &Ownership::new(), OnRelease::Forget);
    /// let (ops, mut steps) = plan.into_steps();
    /// for op in ops {
    ///     let result = write(&op).await;
    ///     steps.record(op, result);
    /// }
    /// let report = steps.finish();
    /// # }
    /// ```
    pub fn into_steps<E>(self) -> (Vec<Op<K, V>>, Steps<K, V, E>) {
        (
            self.ops,
            Steps {
                ownership: self.base,
                applied: Vec::new(),
                failed: Vec::new(),
            },
        )
    }
}

/// Results of a plan's ops as they are applied, turned into a [`FlatReport`] at the end.
#[derive(Debug)]
#[must_use = "call `finish` to get the report and the new ownership"]
pub struct Steps<K, V, E> {
    ownership: Ownership<K, V>,
    applied: Vec<Op<K, V>>,
    failed: Vec<(Op<K, V>, E)>,
}

impl<K: Ord + Clone, V: Clone, E> Steps<K, V, E> {
    /// Record the result of one op (ops of the plan, each once).
    pub fn record(&mut self, op: Op<K, V>, result: Result<(), E>) {
        match result {
            Ok(()) => {
                match &op {
                    Op::Set {
                        key,
                        value,
                        observed,
                    } => {
                        let original = match self.ownership.get(key) {
                            Some(prior) => prior.original.clone(),
                            None => observed.clone(),
                        };
                        self.ownership.insert(
                            key.clone(),
                            Owned {
                                applied: value.clone(),
                                original,
                            },
                        );
                    }
                    Op::Revert { key, .. } | Op::Release { key } => {
                        self.ownership.remove(key);
                    }
                }
                self.applied.push(op);
            }
            // A failed set leaves the key's previous ownership alone; a failed revert (or
            // release) keeps the key owned so the next pass tries again.
            Err(error) => self.failed.push((op, error)),
        }
    }

    /// The report: what was applied, what failed and why, and the new ownership.
    pub fn finish(self) -> FlatReport<K, V, E> {
        FlatReport {
            applied: self.applied,
            failed: self.failed,
            last_applied: self.ownership,
        }
    }
}

/// The outcome of applying a FlatKV [`Plan`].
#[derive(Debug)]
pub struct FlatReport<K, V, E> {
    applied: Vec<Op<K, V>>,
    failed: Vec<(Op<K, V>, E)>,
    last_applied: Ownership<K, V>,
}

impl<K, V, E> FlatReport<K, V, E> {
    /// The ops that succeeded, in order.
    pub fn applied_ops(&self) -> &[Op<K, V>] {
        &self.applied
    }

    /// The ops that failed, with their errors, in order.
    pub fn failed_ops(&self) -> &[(Op<K, V>, E)] {
        &self.failed
    }
}

impl<K, V, E> Report for FlatReport<K, V, E> {
    type LastApplied = Ownership<K, V>;

    fn converged(&self) -> bool {
        self.failed.is_empty()
    }

    fn last_applied(&self) -> &Ownership<K, V> {
        &self.last_applied
    }

    fn applied(&self) -> usize {
        self.applied.len()
    }

    fn failed(&self) -> usize {
        self.failed.len()
    }

    /// Always 0: every op is tried.
    fn pending(&self) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Map = BTreeMap<&'static str, u32>;

    fn map(pairs: &[(&'static str, u32)]) -> Map {
        pairs.iter().copied().collect()
    }

    fn owned(pairs: &[(&'static str, u32, Option<u32>)]) -> Ownership<&'static str, u32> {
        pairs
            .iter()
            .map(|&(k, applied, original)| (k, Owned::new(applied, original)))
            .collect()
    }

    /// Apply with every write succeeding except those whose key is in `fail`.
    fn run(plan: Plan<&'static str, u32>, fail: &[&str]) -> FlatReport<&'static str, u32, String> {
        plan.apply(|op| {
            if fail.contains(op.key()) {
                Err(format!("refused {}", op.key()))
            } else {
                Ok(())
            }
        })
    }

    #[test]
    fn set_where_observed_differs_or_is_missing_and_own_it() {
        let desired = map(&[("a", 1), ("b", 2), ("c", 3)]);
        let observed = map(&[("a", 9), ("b", 2)]);
        let plan = diff(&desired, &observed, &Ownership::new(), OnRelease::Revert);
        assert_eq!(
            plan.ops(),
            &[
                Op::Set {
                    key: "a",
                    value: 1,
                    observed: Some(9)
                },
                Op::Set {
                    key: "c",
                    value: 3,
                    observed: None
                },
            ]
        );
        let report = run(plan, &[]);
        assert!(report.converged());
        assert_eq!(
            (report.applied(), report.failed(), report.pending()),
            (2, 0, 0)
        );
        // "b" was already right: owned without a write, original = what was there.
        assert_eq!(
            report.last_applied(),
            &owned(&[("a", 1, Some(9)), ("b", 2, Some(2)), ("c", 3, None)])
        );
    }

    #[test]
    fn converged_state_plans_nothing() {
        let desired = map(&[("a", 1)]);
        let prior = owned(&[("a", 1, Some(0))]);
        let plan = diff(&desired, &desired, &prior, OnRelease::Revert);
        assert!(plan.is_empty());
        assert_eq!(run(plan, &[]).last_applied(), &prior);
    }

    #[test]
    fn original_is_captured_once() {
        // Owned since the value was 0; someone changed it to 5; we set it back to 1.
        let prior = owned(&[("a", 1, Some(0))]);
        let plan = diff(
            &map(&[("a", 1)]),
            &map(&[("a", 5)]),
            &prior,
            OnRelease::Revert,
        );
        assert_eq!(
            plan.ops(),
            &[Op::Set {
                key: "a",
                value: 1,
                observed: Some(5)
            }]
        );
        assert_eq!(run(plan, &[]).last_applied(), &prior);
        // A new desired value keeps the original too.
        let plan = diff(
            &map(&[("a", 2)]),
            &map(&[("a", 1)]),
            &prior,
            OnRelease::Revert,
        );
        assert_eq!(run(plan, &[]).last_applied(), &owned(&[("a", 2, Some(0))]));
    }

    #[test]
    fn undesired_owned_key_reverts_to_its_original() {
        let prior = owned(&[("a", 1, Some(0)), ("keep", 7, Some(7))]);
        let plan = diff(
            &map(&[("keep", 7)]),
            &map(&[("a", 1), ("keep", 7)]),
            &prior,
            OnRelease::Revert,
        );
        assert_eq!(
            plan.ops(),
            &[Op::Revert {
                key: "a",
                original: 0
            }]
        );
        let report = run(plan, &[]);
        assert!(report.converged());
        assert_eq!(report.last_applied(), &owned(&[("keep", 7, Some(7))]));
    }

    #[test]
    fn release_when_forgetting_or_original_unknown_or_nothing_to_write() {
        let prior = owned(&[
            ("a", 1, Some(0)),
            ("b", 1, None),
            ("c", 1, Some(4)),
            ("d", 1, Some(0)),
        ]);
        // c already back at its original; d vanished.
        let observed = map(&[("a", 1), ("b", 1), ("c", 4)]);
        let plan = diff(&Map::new(), &observed, &prior, OnRelease::Revert);
        assert_eq!(
            plan.ops(),
            &[
                Op::Revert {
                    key: "a",
                    original: 0
                },
                Op::Release { key: "b" },
                Op::Release { key: "c" },
                Op::Release { key: "d" },
            ]
        );
        // Forget: release everything, write nothing.
        let plan = diff(&Map::new(), &observed, &prior, OnRelease::Forget);
        assert!(plan.ops().iter().all(|op| matches!(op, Op::Release { .. })));
        let mut writes = 0;
        let report = plan.apply(|_| {
            writes += 1;
            Ok::<(), String>(())
        });
        assert_eq!(writes, 0);
        assert_eq!(report.applied(), 4);
        assert!(report.last_applied().is_empty());
    }

    #[test]
    fn foreign_keys_are_never_touched() {
        // "x" is observed but neither desired nor owned.
        let plan = diff(
            &map(&[("a", 1)]),
            &map(&[("a", 1), ("x", 3)]),
            &Ownership::new(),
            OnRelease::Revert,
        );
        assert!(plan.is_empty());
        assert!(!run(plan, &[]).last_applied().contains_key("x"));
    }

    #[test]
    fn failed_set_keeps_prior_ownership_and_the_rest_is_still_tried() {
        let prior = owned(&[("a", 1, Some(0))]);
        let desired = map(&[("a", 2), ("b", 2), ("c", 2)]);
        let plan = diff(&desired, &map(&[("a", 1)]), &prior, OnRelease::Revert);
        let report = run(plan, &["a", "b"]);
        assert!(!report.converged());
        assert_eq!(
            (report.applied(), report.failed(), report.pending()),
            (1, 2, 0)
        );
        assert_eq!(report.failed_ops()[0].1, "refused a");
        // a: still owned at its old value; b: still not owned; c: owned.
        assert_eq!(
            report.last_applied(),
            &owned(&[("a", 1, Some(0)), ("c", 2, None)])
        );
    }

    #[test]
    fn failed_revert_stays_owned() {
        let prior = owned(&[("a", 1, Some(0)), ("b", 1, Some(0))]);
        let plan = diff(
            &Map::new(),
            &map(&[("a", 1), ("b", 1)]),
            &prior,
            OnRelease::Revert,
        );
        let report = run(plan, &["a"]);
        assert!(!report.converged());
        assert_eq!(
            report.applied_ops(),
            &[Op::Revert {
                key: "b",
                original: 0
            }]
        );
        assert_eq!(report.last_applied(), &owned(&[("a", 1, Some(0))]));
        // The next pass tries again.
        let plan = diff(
            &Map::new(),
            &map(&[("a", 1)]),
            report.last_applied(),
            OnRelease::Revert,
        );
        assert_eq!(
            plan.ops(),
            &[Op::Revert {
                key: "a",
                original: 0
            }]
        );
    }

    #[test]
    fn steps_give_the_same_report_as_apply() {
        let desired = map(&[("a", 1), ("b", 2)]);
        let prior = owned(&[("z", 1, Some(0))]);
        let plan = diff(&desired, &map(&[("z", 1)]), &prior, OnRelease::Revert);
        let by_apply = run(plan.clone(), &["b"]);
        let (ops, mut steps) = plan.into_steps();
        for op in ops {
            let result = if op.key() == &"b" {
                Err("refused b".to_owned())
            } else {
                Ok(())
            };
            steps.record(op, result);
        }
        let by_steps = steps.finish();
        assert_eq!(by_steps.last_applied(), by_apply.last_applied());
        assert_eq!(by_steps.applied_ops(), by_apply.applied_ops());
    }

    #[test]
    fn ownership_round_trips_through_json() {
        let ownership: Ownership<String, String> = [
            (
                "net.ipv4.ip_forward".to_owned(),
                Owned::new("1".to_owned(), Some("0".to_owned())),
            ),
            (
                "vm.swappiness".to_owned(),
                Owned::new("10".to_owned(), None),
            ),
        ]
        .into_iter()
        .collect();
        let json = serde_json::to_string(&ownership).unwrap();
        assert_eq!(
            json,
            r#"{"net.ipv4.ip_forward":{"applied":"1","original":"0"},"vm.swappiness":{"applied":"10","original":null}}"#
        );
        let back: Ownership<String, String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ownership);
    }

    #[test]
    fn ops_print_as_a_plan() {
        let op: Op<&str, u32> = Op::Set {
            key: "a",
            value: 1,
            observed: None,
        };
        assert_eq!(op.to_string(), "set a = 1 (was missing)");
        assert_eq!(
            Op::<&str, u32>::Set {
                key: "a",
                value: 1,
                observed: Some(0)
            }
            .to_string(),
            "set a = 1 (was 0)"
        );
        assert_eq!(
            Op::<&str, u32>::Revert {
                key: "a",
                original: 0
            }
            .to_string(),
            "revert a = 0"
        );
        assert_eq!(
            Op::<&str, u32>::Release { key: "a" }.to_string(),
            "release a"
        );
    }
}
