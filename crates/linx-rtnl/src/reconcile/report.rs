//! What one pass did: the [`Report`] (applied, failed, pending steps and the new
//! ownership). A module of its own because it names both the plan's steps and the ownership
//! state, which do not depend on each other.
//!
//! # Contract
//! - [`Report::converged`] is true exactly when nothing failed and nothing is pending.

use std::fmt;

use super::plan::Step;
use super::state::LastApplied;
use crate::error::Error;

/// The step that failed, and why.
#[derive(Debug)]
pub struct Failure {
    /// The step.
    pub step: Step,
    /// The kernel's refusal (naming the object).
    pub error: Error,
}

/// What one pass did. `{}`/`{:?}`: `Report<converged: 4 applied>`,
/// `Report<2 applied, 1 failed, 3 pending>`, `Report<no-op>`.
#[derive(Default)]
pub struct Report {
    /// The steps applied, in order.
    pub applied: Vec<Step>,
    /// The step that failed (at most one: the pass stops there).
    pub failed: Option<Failure>,
    /// The steps after the failure, not tried.
    pub pending: Vec<Step>,
    /// Ownership after the pass: the previous, plus applied creates, minus applied deletes.
    /// Thread it into the next pass (and persist it).
    pub last_applied: LastApplied,
}

impl Report {
    /// Whether the namespace matched the desired state after this pass (nothing failed,
    /// nothing pending).
    pub fn converged(&self) -> bool {
        self.failed.is_none() && self.pending.is_empty()
    }

    /// Whether the pass had nothing to do.
    pub fn is_noop(&self) -> bool {
        self.converged() && self.applied.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_noop() {
            f.write_str("Report<no-op>")
        } else if self.converged() {
            write!(f, "Report<converged: {} applied>", self.applied.len())
        } else {
            write!(
                f,
                "Report<{} applied, {} failed, {} pending>",
                self.applied.len(),
                usize::from(self.failed.is_some()),
                self.pending.len()
            )
        }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)?;
        if f.alternate() {
            for s in &self.applied {
                write!(f, "\n  applied: {s}")?;
            }
            if let Some(x) = &self.failed {
                write!(f, "\n  failed: {} ({})", x.step, x.error)?;
            }
            for s in &self.pending {
                write!(f, "\n  pending: {s}")?;
            }
        }
        Ok(())
    }
}
