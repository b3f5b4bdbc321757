//! Reconcile push: make the kernel's tables match a desired ruleset by sending only what
//! differs, in one batch guarded by the ruleset generation (compare-and-swap).
//!
//! Why: a firewall manager that owns a few tables shares the namespace with Docker,
//! firewalld or an admin. Replacing its tables wholesale on every change resets counters,
//! churns handles and costs a reload of 10 000 rules for one edited rule; writing a delta
//! computed from a stale read could undo someone else's commit. So [`reconcile()`] reads the
//! generation (`GETGEN`), pulls, [`diff`]s, and sends the [`Patch`] in one batch that
//! carries that generation: if anything committed in between, the kernel refuses the whole
//! batch (`ERESTART`) and the reconcile starts over from a fresh read.
//!
//! ```no_run
//! use linx_netfilter::reconcile::{reconcile, ReconcileOptions};
//! use linx_netfilter::{Chain, ChainType, Expr, Family, Hook, Priority, Rule, Ruleset, TableFlags};
//! let mut desired = Ruleset::new();
//! let t = desired.add_table(Family::Inet, "app", TableFlags::empty())?;
//! t.add_chain(Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER))?;
//! t.add_rule("input", Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(22)).accept().tag("ssh"))?;
//! t.add_rule("input", Rule::new([]).drop().tag("rest"))?;
//! let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
//! let report = reconcile(&sock, &desired, &ReconcileOptions::new())?;
//! println!("{report}"); // e.g. "sent 4 messages (Patch<4 ops: 4 creates>) in 1 attempt, generation 7 -> 8"
//! let again = reconcile(&sock, &desired, &ReconcileOptions::new())?;
//! assert!(!again.sent); // nothing differs: nothing is sent
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Contract
//! 1. **Validate**: [`Ruleset::validate_for_reconcile`]: the ruleset's own checks, and in
//!    every chain with more than one rule every rule carries a tag
//!    ([`Error::TagRequired`](crate::Error::TagRequired)): rules are matched by tag, so an
//!    untagged rule among others could only be handled by rebuilding its chain on every
//!    change. A chain of one rule may leave it untagged. Named objects, flowtables and set or
//!    vmap literals are accepted (this crate's diff compares and re-creates them, unlike the
//!    implementation the spec describes); only anonymous sets kept as sets of a table (what
//!    a pull leaves when a rule's literal cannot be restored) are refused
//!    ([`Error::NotReconcilable`](crate::Error::NotReconcilable)): the kernel names them
//!    anew on each creation, so they could never compare equal. An invalid ruleset sends
//!    nothing.
//! 2. **Read** the generation, **then** pull (each desired table, or the whole namespace
//!    with [`ReconcileOptions::pull_all`]): a commit between the two is caught by the
//!    generation check, never missed.
//! 3. **Diff** ([`diff`]): only tables of the desired ruleset are looked at; tables of
//!    other programs are never touched. An empty patch sends nothing and returns
//!    `sent: false` with the generation unchanged by us.
//! 4. **Send** the patch as one batch ([`encode_patch`]) with the generation
//!    (`NFNL_BATCH_GENID`). On `ERESTART` (the generation moved), sleep `attempt × backoff`
//!    (10 ms by default: 10, 20, 30 ms) and start over at 2; after
//!    [`ReconcileOptions::retries`] retries (default 3) the error is
//!    [`NetfilterError::ConcurrentModification`] with the generation of the last attempt.
//! 5. A refused batch is [`NetfilterError::RefusedOps`]: every refused message with its op
//!    index, what it touched and the attribute the kernel pointed at ([`RefusedOp`]);
//!    nothing was applied. (A refused flowtable on a kernel without flowtables is
//!    [`NetfilterError::Unsupported`].)
//! 6. A lost verdict with a moved generation ([`linx_nfnl::Error::Unconfirmed`]) is settled by
//!    pulling and diffing again: `Ok` only when nothing differs any more.
//! - `Ok` means: at the moment of the commit (or of the empty diff), every desired table was
//!   exactly as desired.
//! - Logs: a `tracing` span `nft_reconcile` per call; an event per attempt's diff, per retry
//!   (`warn`) and per batch sent.
//! - Runs blocking or on tokio (one body, [`verb!`](linx_netlink_codec::verb)).
//!
//! For a long-running loop (reconcile at start-up, on a timer, whenever a monitor reports a
//! foreign change) see [`run_on_wake`].
//!
//! [`diff`]: crate::diff::diff
//! [`Patch`]: crate::diff::Patch

mod encode;
mod looping;
mod refused;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use linx_netlink_codec::{Errno, Transport};
use tracing::Instrument;

use crate::Ruleset;
use crate::diff::{OpKind, Patch, diff};
use crate::op_error::{NetfilterError, Operation};
use crate::pull::Scope;

pub use crate::op_refusal::RefusedOp;
pub use encode::{EncodedPatch, encode_patch};
pub use looping::run_on_wake;

/// What a [`ReconcileOptions::before_push`] hook is shown: the attempt about to send its
/// batch.
#[derive(Debug)]
pub struct Attempt<'a> {
    /// 1 for the first attempt.
    pub number: u32,
    /// The generation read before the pull; the batch carries it.
    pub generation: u32,
    /// The patch about to be sent.
    pub patch: &'a Patch,
}

/// A [`ReconcileOptions::before_push`] hook.
pub type BeforePush = Arc<dyn Fn(&Attempt<'_>) + Send + Sync>;

/// How [`reconcile()`] runs. A builder.
///
/// ```
/// use std::time::Duration;
/// use linx_netfilter::reconcile::ReconcileOptions;
/// let opts = ReconcileOptions::new().retries(5).backoff(Duration::from_millis(1));
/// assert_eq!(opts.max_attempts(), 6);
/// ```
#[derive(Clone)]
#[must_use = "ReconcileOptions does nothing until passed to reconcile"]
pub struct ReconcileOptions {
    retries: u32,
    backoff: Duration,
    pull_all: bool,
    before_push: Option<BeforePush>,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        ReconcileOptions {
            retries: 3,
            backoff: Duration::from_millis(10),
            pull_all: false,
            before_push: None,
        }
    }
}

impl fmt::Debug for ReconcileOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReconcileOptions")
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("pull_all", &self.pull_all)
            .field("before_push", &self.before_push.is_some())
            .finish()
    }
}

impl ReconcileOptions {
    /// The defaults: 3 retries, 10 ms backoff step, pull only the desired tables, no hook.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times to start over after the generation moved (`ERESTART`); 0 tries once.
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// The backoff step: before retry `n` (1-based) the reconcile sleeps `n × step`.
    pub fn backoff(mut self, step: Duration) -> Self {
        self.backoff = step;
        self
    }

    /// Pull the whole namespace instead of each desired table (one set of dumps instead of
    /// one per table; the diff looks at the desired tables either way).
    pub fn pull_all(mut self, yes: bool) -> Self {
        self.pull_all = yes;
        self
    }

    /// A hook run after the diff and before the batch is sent, on every attempt that sends
    /// one. Meant for tests (commit something in between to provoke `ERESTART`) and
    /// logging; it cannot change what is sent.
    ///
    /// ```
    /// use linx_netfilter::reconcile::ReconcileOptions;
    /// let opts = ReconcileOptions::new().before_push(|a| eprintln!("attempt {}: {}", a.number, a.patch));
    /// # let _ = opts;
    /// ```
    pub fn before_push(mut self, f: impl Fn(&Attempt<'_>) + Send + Sync + 'static) -> Self {
        self.before_push = Some(Arc::new(f));
        self
    }

    /// Attempts at most: retries + 1.
    pub fn max_attempts(&self) -> u32 {
        self.retries.saturating_add(1)
    }
}

/// What a [`reconcile()`] did.
///
/// ```
/// use linx_netfilter::reconcile::ReconcileReport;
/// let r = ReconcileReport {
///     patch: linx_netfilter::diff::Patch::new(),
///     sent: false,
///     messages: 0,
///     attempts: 1,
///     generation_before: 7,
///     generation_after: 7,
/// };
/// assert_eq!(r.to_string(), "in sync at generation 7 (1 attempt)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    /// The patch applied (empty when nothing differed).
    pub patch: Patch,
    /// Whether a batch was sent and committed.
    pub sent: bool,
    /// Messages in the batch (0 when nothing was sent).
    pub messages: usize,
    /// Attempts made (1 unless the generation moved under an earlier one).
    pub attempts: u32,
    /// The generation the successful attempt read before its pull.
    pub generation_before: u32,
    /// The generation after the commit (read again); `generation_before` when nothing was
    /// sent.
    pub generation_after: u32,
}

impl ReconcileReport {
    /// The number of ops of `kind` in the patch applied.
    ///
    /// ```
    /// use linx_netfilter::diff::OpKind;
    /// # let r = linx_netfilter::reconcile::ReconcileReport { patch: linx_netfilter::diff::Patch::new(), sent: false, messages: 0, attempts: 1, generation_before: 1, generation_after: 1 };
    /// assert_eq!(r.count(OpKind::ReplaceRule), 0);
    /// ```
    pub fn count(&self, kind: OpKind) -> usize {
        self.patch.count(kind)
    }
}

impl fmt::Display for ReconcileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tries = if self.attempts == 1 {
            "1 attempt".to_owned()
        } else {
            format!("{} attempts", self.attempts)
        };
        if self.sent {
            write!(
                f,
                "sent {} message{} ({}) in {tries}, generation {} -> {}",
                self.messages,
                if self.messages == 1 { "" } else { "s" },
                self.patch,
                self.generation_before,
                self.generation_after
            )
        } else {
            write!(
                f,
                "in sync at generation {} ({tries})",
                self.generation_before
            )
        }
    }
}

linx_netlink_codec::verb! {
    error = NetfilterError;
    /// Make every table of `desired` exactly as given, sending only the difference, in one
    /// batch guarded by the ruleset generation (see the [module docs](self) for the steps,
    /// retries and errors). Other tables are never touched.
    ///
    /// ```no_run
    /// use linx_netfilter::reconcile::{reconcile, ReconcileOptions};
    /// # let desired = linx_netfilter::Ruleset::new();
    /// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
    /// let report = reconcile(&sock, &desired, &ReconcileOptions::new().retries(5))?;
    /// if report.sent {
    ///     println!("applied {}", report.patch);
    /// }
    /// # Ok::<(), linx_netfilter::NetfilterError>(())
    /// ```
    pub fn reconcile(sock, desired: &Ruleset, opts: &ReconcileOptions) -> ReconcileReport {
        let span = tracing::info_span!("nft_reconcile", tables = desired.tables().count());
        reconcile_on(sock, desired, opts).instrument(span).await
    }
}

/// The current generation.
async fn generation<S: Transport>(sock: &S) -> Result<u32, NetfilterError> {
    linx_nfnl::generation::get_on(sock)
        .await
        .map(|g| g.id)
        .map_err(|e| NetfilterError::from_nfnl(Operation::Reconcile, e))
}

/// What the kernel holds of the desired tables (or of everything, with `pull_all`).
async fn current<S: Transport>(
    sock: &S,
    desired: &Ruleset,
    pull_all: bool,
) -> Result<Ruleset, NetfilterError> {
    if pull_all {
        return crate::pull::pull_on(sock, Scope::All).await;
    }
    let mut out = Ruleset::new();
    for t in desired.tables() {
        match crate::pull::pull_on(sock, Scope::Table(t.family(), t.name())).await {
            Ok(rs) => {
                for t in rs.tables() {
                    out.insert_pulled(t.clone());
                }
            }
            // Not there yet: the patch creates it.
            Err(e) if e.errno() == Some(Errno::ENOENT) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The verb's body.
pub(crate) async fn reconcile_on<S: Transport>(
    sock: &S,
    desired: &Ruleset,
    opts: &ReconcileOptions,
) -> Result<ReconcileReport, NetfilterError> {
    desired.validate_for_reconcile()?;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let before = generation(sock).await?;
        let now = current(sock, desired, opts.pull_all).await?;
        let patch = diff(&now, desired);
        tracing::debug!(attempt, generation = before, patch = %patch, "diff");
        if patch.is_empty() {
            return Ok(ReconcileReport {
                patch,
                sent: false,
                messages: 0,
                attempts: attempt,
                generation_before: before,
                generation_after: before,
            });
        }
        let enc = encode_patch(&patch)?;
        let messages = enc.len();
        if let Some(hook) = &opts.before_push {
            hook(&Attempt {
                number: attempt,
                generation: before,
                patch: &patch,
            });
        }
        let batch = enc.into_batch().with_genid(before);
        linx_nfnl::batch::fit(sock, batch.encoded_len())
            .map_err(|e| NetfilterError::from_nfnl(Operation::Reconcile, e))?;
        match linx_nfnl::batch::drive(sock, batch.into_machine()).await {
            Ok(()) => {
                let after = generation(sock).await?;
                tracing::info!(attempt, messages, generation = after, patch = %patch, "batch committed");
                return Ok(ReconcileReport {
                    patch,
                    sent: true,
                    messages,
                    attempts: attempt,
                    generation_before: before,
                    generation_after: after,
                });
            }
            Err(linx_nfnl::Error::Batch { all, .. })
                if all
                    .iter()
                    .any(|r| r.batch_seq.is_none() && r.error.errno == Errno::ERESTART) =>
            {
                if attempt >= opts.max_attempts() {
                    tracing::warn!(
                        attempt,
                        generation = before,
                        "generation kept moving: giving up"
                    );
                    return Err(NetfilterError::ConcurrentModification {
                        operation: Operation::Reconcile,
                        generation: before,
                        attempts: attempt,
                    });
                }
                let pause = opts.backoff.saturating_mul(attempt);
                tracing::warn!(
                    attempt,
                    generation = before,
                    pause_ms = pause.as_millis() as u64,
                    "generation moved before the batch (ERESTART): retrying"
                );
                sock.pause(pause).await;
            }
            Err(linx_nfnl::Error::Batch { all, .. }) => {
                return Err(refused(&patch, desired, all));
            }
            Err(e @ linx_nfnl::Error::Unconfirmed { .. }) => {
                // A commit happened and our verdict was lost: converged or not, by a pull.
                let again = current(sock, desired, opts.pull_all).await?;
                if diff(&again, desired).is_empty() {
                    let after = generation(sock).await?;
                    return Ok(ReconcileReport {
                        patch,
                        sent: true,
                        messages,
                        attempts: attempt,
                        generation_before: before,
                        generation_after: after,
                    });
                }
                return Err(NetfilterError::from_nfnl(Operation::Reconcile, e));
            }
            Err(e) => return Err(NetfilterError::from_nfnl(Operation::Reconcile, e)),
        }
    }
}

/// The error of a refused batch: each refusal named against a second encoding of the patch
/// (the same bytes: see [`encode_patch`]).
fn refused(patch: &Patch, desired: &Ruleset, all: Vec<linx_nfnl::Refusal>) -> NetfilterError {
    let Ok(enc) = encode_patch(patch) else {
        // It encoded a moment ago; unreachable in practice, and the refusals stay unnamed.
        let refusals = all
            .into_iter()
            .map(|r| RefusedOp {
                batch_seq: r.batch_seq,
                op: None,
                what: None,
                attribute: None,
                error: r.error,
            })
            .collect();
        return NetfilterError::RefusedOps {
            operation: Operation::Reconcile,
            refusals,
        };
    };
    let refusals = refused::name_refusals(patch, &enc, Some(desired), all);
    if let Some(first) = refusals.first() {
        let flowtable = first
            .op
            .and_then(|i| patch.ops().get(i))
            .is_some_and(|o| o.kind() == OpKind::CreateFlowtable);
        if flowtable && matches!(first.error.errno, Errno::ENOENT | Errno::EOPNOTSUPP) {
            return NetfilterError::Unsupported {
                operation: Operation::Reconcile,
                feature: "flowtables",
                error: first.error.clone(),
            };
        }
    }
    NetfilterError::RefusedOps {
        operation: Operation::Reconcile,
        refusals,
    }
}
