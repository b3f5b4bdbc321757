//! The [`Source`] trait: what a subsystem provides so the loop can converge it.
//!
//! The loop knows nothing about links, sysctls or cgroups. A subsystem plugs in by saying how
//! to run one converging pass over a scope ([`Source::reconcile`]) and, optionally, how to be
//! woken early when something in that scope changes ([`Source::subscribe`]). Everything the
//! pass needs (the scope, the desired state, what was applied before, the options) is opaque
//! here and is handed back to the source untouched.
//!
//! # Contract
//! - **Level-triggered.** A pass observes the scope, compares it with the desired state and
//!   applies what differs; it never acts on what a hint said. Hints ([`Hint`]) are wake-ups,
//!   not deltas: the monitor behind them is allowed to lose events, and a lost event costs
//!   latency, never correctness, because the next pass (timer or hint) looks again.
//! - **`Err` means the pass could not run at all** (the namespace is gone, the socket could not
//!   be opened). Failures of single operations belong in the [`Report`], with
//!   [`Report::converged`] false; the loop threads that report's [`Report::last_applied`] into
//!   the next pass, while after an `Err` it keeps the previous one.
//! - **Ownership lives in `last_applied`.** A source deletes or reverts only what its previous
//!   `last_applied` says it installed; state that merely appeared is foreign and left alone.
//!   `last_applied` is plain data (`Default` is "owns nothing"), so a consumer may persist it.
//! - The futures are `Send`, so the loop runs on a multi-threaded tokio runtime. Passes of one
//!   loop never overlap; a source used by several loops (one per scope) must allow concurrent
//!   calls on `&self`.
//! - Out of scope: retries, cadence, persistence, reaping foreign state. Those are the
//!   consumer's policy; the loop supplies the mechanism.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::sync::mpsc;

/// A boxed error a monitor ends with ([`Hints`] items).
pub type MonitorError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The outcome of one successful pass, as far as the loop needs to read it.
///
/// The loop reads [`converged`](Report::converged) and the counts for its logs, and threads
/// [`last_applied`](Report::last_applied) into the next pass. Sources add whatever else they
/// report (the ops themselves, a plan, errors per op) as ordinary fields.
///
/// ```
/// use linx_reconcile::Report;
///
/// struct Counted { ops: usize, owned: Vec<String> }
///
/// impl Report for Counted {
///     type LastApplied = Vec<String>;
///     fn converged(&self) -> bool { true }
///     fn last_applied(&self) -> &Vec<String> { &self.owned }
///     fn applied(&self) -> usize { self.ops }
///     fn failed(&self) -> usize { 0 }
///     fn pending(&self) -> usize { 0 }
/// }
///
/// let r = Counted { ops: 2, owned: vec!["a".into()] };
/// assert!(r.converged());
/// assert_eq!(r.last_applied(), &["a".to_string()]);
/// ```
pub trait Report {
    /// What the source owns after this pass (the next pass's `last_applied`).
    type LastApplied;

    /// True when the scope matched the desired state at the end of the pass (every planned
    /// operation succeeded, or there was nothing to do).
    fn converged(&self) -> bool;

    /// What the source owns after this pass: the previous ownership, plus what it installed,
    /// minus what it removed; an operation that failed leaves its key as it was.
    fn last_applied(&self) -> &Self::LastApplied;

    /// How many operations this pass applied successfully.
    fn applied(&self) -> usize;

    /// How many operations this pass tried and the kernel (or whatever backs the source)
    /// refused.
    fn failed(&self) -> usize;

    /// How many planned operations were not tried (a fail-fast source stops at the first
    /// failure; a best-effort one tries everything and reports 0 here).
    fn pending(&self) -> usize;
}

/// A subsystem the loop can converge: one pass at a time over one scope.
///
/// Implement it with `async fn` (the returned futures must be `Send`). The loop calls
/// [`reconcile`](Source::reconcile) for every pass and [`subscribe`](Source::subscribe) once at
/// start and again whenever the monitor dies; it never calls anything else (see [`Observe`]).
///
/// ```
/// use linx_reconcile::{Report, Source};
///
/// /// Keeps a counter at the desired value (a stand-in for a real subsystem).
/// struct Counter(std::sync::atomic::AtomicU64);
///
/// struct Done(u64);
/// impl Report for Done {
///     type LastApplied = u64;
///     fn converged(&self) -> bool { true }
///     fn last_applied(&self) -> &u64 { &self.0 }
///     fn applied(&self) -> usize { 1 }
///     fn failed(&self) -> usize { 0 }
///     fn pending(&self) -> usize { 0 }
/// }
///
/// impl Source for Counter {
///     type Scope = ();
///     type Desired = u64;
///     type LastApplied = u64;
///     type Options = ();
///     type Report = Done;
///     type Error = std::io::Error;
///
///     async fn reconcile(&self, _: &(), desired: &u64, _: &u64, _: &()) -> Result<Done, std::io::Error> {
///         self.0.store(*desired, std::sync::atomic::Ordering::Relaxed);
///         Ok(Done(*desired))
///     }
///     // `subscribe` keeps its default: no monitor, the loop runs on its timer alone.
/// }
/// ```
pub trait Source: Send + Sync + 'static {
    /// Where a pass works: a network namespace, a sysctl target, a cgroup path.
    type Scope: Send + Sync + 'static;
    /// The state the consumer wants the scope in.
    type Desired: Send + Sync + 'static;
    /// What this source installed before, and therefore owns. `Default` owns nothing.
    type LastApplied: Default + Clone + Send + Sync + 'static;
    /// Options forwarded verbatim to every pass.
    type Options: Default + Send + Sync + 'static;
    /// The outcome of a pass that ran.
    type Report: Report<LastApplied = Self::LastApplied> + Send + Sync + 'static;
    /// Why a pass (or a subscription) could not run at all.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Run one converging pass: observe `scope`, compare with `desired`, apply what differs,
    /// touching only what `last_applied` owns among the things desired no longer names.
    ///
    /// `Err` only when the pass could not run at all; failures of single operations go in the
    /// report.
    fn reconcile(
        &self,
        scope: &Self::Scope,
        desired: &Self::Desired,
        last_applied: &Self::LastApplied,
        options: &Self::Options,
    ) -> impl Future<Output = Result<Self::Report, Self::Error>> + Send;

    /// Start watching `scope` and return its wake-ups.
    ///
    /// The default answers [`SubscribeError::Unsupported`]: the loop then runs on its timer
    /// (and on `put_desired` / forced passes) alone.
    fn subscribe(
        &self,
        scope: &Self::Scope,
    ) -> impl Future<Output = Result<Hints, SubscribeError<Self::Error>>> + Send {
        let _ = scope;
        std::future::ready(Err(SubscribeError::Unsupported))
    }
}

/// A source that can also read its scope without changing it (for dry runs, status pages and
/// tests). The loop never calls it; it is a separate trait so a source without it needs no
/// placeholder type.
///
/// ```
/// use linx_reconcile::{Observe, Source};
///
/// async fn show<S: Observe>(source: &S, scope: &S::Scope) -> Result<S::Observed, S::Error> {
///     source.observe(scope, &S::Options::default()).await
/// }
/// ```
pub trait Observe: Source {
    /// What an observation returns.
    type Observed: Send + 'static;

    /// Read the part of `scope` this source manages.
    fn observe(
        &self,
        scope: &Self::Scope,
        options: &Self::Options,
    ) -> impl Future<Output = Result<Self::Observed, Self::Error>> + Send;
}

/// Why [`Source::subscribe`] returned no hints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubscribeError<E> {
    /// The source has no monitor (or not for this scope): the loop runs timer-only, for good.
    #[error("the source has no monitor")]
    Unsupported,
    /// The monitor could not be started; the loop runs timer-only and tries again later.
    #[error("the monitor could not be started: {0}")]
    Failed(#[source] E),
}

/// One wake-up from a monitor.
///
/// Neither variant carries what changed: the loop answers both with a full pass (debounced),
/// which is what makes a lossy monitor safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hint {
    /// Something in the scope changed (one monitor event).
    Changed,
    /// The monitor lost events (the kernel's `ENOBUFS`, a lagging buffer): something changed,
    /// and only a full pass can tell what.
    Resync,
}

/// The wake-ups of one subscription: a stream of [`Hint`]s.
///
/// An `Err` item or the end of the stream means the monitor died: the loop drops it,
/// subscribes again (with backoff) and runs a resync pass, since changes made while nobody
/// watched were missed. A monitor that merely lost events and goes on yields
/// [`Hint::Resync`] instead. Dropping a `Hints` must stop the monitor behind it.
///
/// ```
/// use linx_reconcile::{Hint, Hints};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, rx) = tokio::sync::mpsc::channel(16);
/// let mut hints = Hints::from_receiver(rx);
/// tx.send(Ok(Hint::Changed)).await.unwrap();
/// drop(tx);
/// assert_eq!(hints.next().await.map(|h| h.ok()), Some(Some(Hint::Changed)));
/// assert!(hints.next().await.is_none()); // the sender is gone: the monitor died
/// # }
/// ```
pub struct Hints {
    stream: Pin<Box<dyn Stream<Item = Result<Hint, MonitorError>> + Send + 'static>>,
}

impl Hints {
    /// Wrap any stream of hints.
    pub fn from_stream<S>(stream: S) -> Hints
    where
        S: Stream<Item = Result<Hint, MonitorError>> + Send + 'static,
    {
        Hints {
            stream: Box::pin(stream),
        }
    }

    /// Wrap the receiving end of a channel: handy for a monitor running in its own task, which
    /// ends the subscription by dropping the sender (and notices the loop dropped it when a
    /// send fails).
    pub fn from_receiver(receiver: mpsc::Receiver<Result<Hint, MonitorError>>) -> Hints {
        Hints::from_stream(ReceiverStream(receiver))
    }

    /// The next hint; `None` once the monitor has died.
    pub async fn next(&mut self) -> Option<Result<Hint, MonitorError>> {
        std::future::poll_fn(|cx| self.stream.as_mut().poll_next(cx)).await
    }
}

impl fmt::Debug for Hints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hints").finish_non_exhaustive()
    }
}

impl Stream for Hints {
    type Item = Result<Hint, MonitorError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

/// A tokio receiver seen as a stream (tokio-stream's wrapper, without the extra crate).
struct ReceiverStream(mpsc::Receiver<Result<Hint, MonitorError>>);

impl Stream for ReceiverStream {
    type Item = Result<Hint, MonitorError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}
