//! The loop: one tokio task that runs passes of a [`Source`] over one scope, on a timer, on
//! monitor hints and on request.
//!
//! A consumer that only needs "converge now" calls [`Source::reconcile`] itself. This module is
//! for the consumer that wants the scope *kept* converged: it owns the timing (first pass,
//! periodic resync, debounced wake-ups, monitor restarts) so that every subsystem does not
//! rewrite it, and leaves every decision about *what* to converge to the source and the
//! consumer.
//!
//! # Contract
//! - **Explicit start, no globals.** [`Loop::start`] spawns one task on the current tokio
//!   runtime and returns its handle; nothing runs before that and nothing is shared between
//!   loops. Dropping the handle (or [`Loop::stop`]) ends the task after the pass in flight,
//!   if any; a pass is never cut in the middle.
//! - **Passes never overlap**, and each sees the newest desired state.
//! - **When passes run**: once right after start; `interval` after the end of the previous
//!   pass (whatever started it), unless the timer is off; `debounce` after the first monitor
//!   hint or [`Loop::put_desired`] of a quiet period (later ones in that window join the same
//!   pass, so a burst of N hints costs one pass); at once for [`Loop::reconcile`]; and at once
//!   after a resubscription. Hints and desired-state changes that arrive before a pass starts
//!   are answered by that pass; ones that arrive while it runs schedule the next.
//! - **`last_applied` threading.** A pass that returns a report hands the report's
//!   `last_applied` to the next pass; a pass that returns `Err` leaves it as it was.
//! - **Monitor**: subscribed before the first pass (if enabled). `Unsupported` means timer-only
//!   for the loop's lifetime. A subscription that fails, ends or yields an error means
//!   timer-only until a resubscription succeeds: it is retried after 100 ms, doubling per
//!   consecutive failure up to 30 s (a monitor that stayed up 30 s resets the count), and each
//!   successful resubscription runs a resync pass, because changes made while nobody watched
//!   were missed.
//! - **Observability**: every pass is published as a [`Pass`] (its report or its error) to
//!   [`Loop::passes`] subscribers and kept for [`Loop::last_pass`]. Logs go through `tracing`
//!   only (no output unless the consumer installs a subscriber): a `pass` span per pass with the
//!   loop's name, pass number and cause; a warning per failed or unconverged pass and per
//!   monitor death; an info event per (re)subscription.
//! - A panic inside the source ends the task; [`Loop::stop`] reports it as
//!   [`Error::Panicked`], the other methods as [`Error::Stopped`].

use std::any::type_name;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_core::Stream;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};
use tracing::Instrument as _;

use crate::source::{Hint, Hints, MonitorError, Report, Source, SubscribeError};

/// Default time between the end of one pass and the next timer pass.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// Default delay between the first hint of a quiet period and the pass it schedules.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(100);

/// First resubscription delay after a monitor failure.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
/// Longest resubscription delay; a monitor that lived this long resets the failure count.
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Hints read without waiting before a pass (they are all answered by it); a bound so a
/// flooding monitor cannot hold a pass back.
const DRAIN_MAX: usize = 4096;
/// Passes kept for a [`Loop::passes`] subscriber that reads slower than the loop runs.
const PASS_BACKLOG: usize = 64;

/// The [`Pass`] type of a source.
pub type PassOf<S> = Pass<<S as Source>::Report, <S as Source>::Error>;

/// Errors of the loop handle itself (a pass's own errors are in its [`Pass`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The loop's task has ended (stopped, or a source panicked), so it cannot take requests.
    #[error("reconcile loop {name:?} is not running")]
    Stopped {
        /// The loop's name.
        name: Arc<str>,
    },
    /// The loop's task panicked (a source method panicked).
    #[error("reconcile loop {name:?} panicked: {message}")]
    Panicked {
        /// The loop's name.
        name: Arc<str>,
        /// The panic's message, when it was a string.
        message: String,
    },
}

/// What started a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// The first pass, right after [`Loop::start`].
    Start,
    /// The periodic timer.
    Timer,
    /// A monitor hint (debounced).
    Hint,
    /// [`Loop::put_desired`] (debounced).
    Desired,
    /// [`Loop::reconcile`].
    Forced,
    /// A successful resubscription after the monitor died or could not start.
    Resync,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cause::Start => "start",
            Cause::Timer => "timer",
            Cause::Hint => "hint",
            Cause::Desired => "desired",
            Cause::Forced => "forced",
            Cause::Resync => "resync",
        })
    }
}

/// One pass of the loop: its number, its cause, and its report or error.
///
/// Cheap to clone: the report and the error are shared behind `Arc`s.
#[derive(Debug)]
pub struct Pass<R, E> {
    number: u64,
    cause: Cause,
    outcome: Result<Arc<R>, Arc<E>>,
    elapsed: Duration,
}

impl<R, E> Clone for Pass<R, E> {
    fn clone(&self) -> Self {
        Pass {
            number: self.number,
            cause: self.cause,
            outcome: self.outcome.clone(),
            elapsed: self.elapsed,
        }
    }
}

impl<R: Report, E> Pass<R, E> {
    /// The pass's number: 1 for the first pass of a loop, then counting up by one.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// What started the pass.
    pub fn cause(&self) -> Cause {
        self.cause
    }

    /// The report, or why the pass could not run.
    pub fn outcome(&self) -> Result<&Arc<R>, &Arc<E>> {
        self.outcome.as_ref()
    }

    /// The report, or why the pass could not run (owned).
    pub fn into_outcome(self) -> Result<Arc<R>, Arc<E>> {
        self.outcome
    }

    /// The report, if the pass ran.
    pub fn report(&self) -> Option<&Arc<R>> {
        self.outcome.as_ref().ok()
    }

    /// The error, if the pass could not run.
    pub fn error(&self) -> Option<&Arc<E>> {
        self.outcome.as_ref().err()
    }

    /// True when the pass ran and its report says converged.
    pub fn converged(&self) -> bool {
        self.report().is_some_and(|r| r.converged())
    }

    /// How long the source's `reconcile` took.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// How to run a loop: the required source, scope and desired state, and the optional
/// settings, each with its default. Build it, then [`start`](LoopOptions::start) it.
///
/// ```
/// # use linx_reconcile::{LoopOptions, Report, Source};
/// # struct Noop;
/// # struct R(());
/// # impl Report for R {
/// #     type LastApplied = ();
/// #     fn converged(&self) -> bool { true }
/// #     fn last_applied(&self) -> &() { &self.0 }
/// #     fn applied(&self) -> usize { 0 }
/// #     fn failed(&self) -> usize { 0 }
/// #     fn pending(&self) -> usize { 0 }
/// # }
/// # impl Source for Noop {
/// #     type Scope = (); type Desired = (); type LastApplied = (); type Options = ();
/// #     type Report = R; type Error = std::io::Error;
/// #     async fn reconcile(&self, _: &(), _: &(), _: &(), _: &()) -> Result<R, std::io::Error> { Ok(R(())) }
/// # }
/// use std::time::Duration;
///
/// let options = LoopOptions::new(Noop, (), ())
///     .interval(Duration::from_secs(30)) // or `None`: no timer
///     .debounce(Duration::from_millis(50))
///     .name("ns-blue");
/// ```
#[must_use = "options do nothing until `start` is called"]
pub struct LoopOptions<S: Source> {
    source: Arc<S>,
    scope: S::Scope,
    desired: S::Desired,
    reconcile_options: S::Options,
    last_applied: S::LastApplied,
    interval: Option<Duration>,
    monitor: bool,
    debounce: Duration,
    name: Option<String>,
}

impl<S: Source> LoopOptions<S> {
    /// The required parts: what to converge (`source`, by value or already in an `Arc`),
    /// where (`scope`) and to what (`desired`). Everything else starts at its default:
    /// default reconcile options, an empty `last_applied`, a 5 s timer, the monitor on, a
    /// 100 ms debounce, and the source's type name as the loop's name.
    pub fn new(source: impl Into<Arc<S>>, scope: S::Scope, desired: S::Desired) -> Self {
        LoopOptions {
            source: source.into(),
            scope,
            desired,
            reconcile_options: S::Options::default(),
            last_applied: S::LastApplied::default(),
            interval: Some(DEFAULT_INTERVAL),
            monitor: true,
            debounce: DEFAULT_DEBOUNCE,
            name: None,
        }
    }

    /// Options handed to every [`Source::reconcile`] call, unchanged.
    pub fn reconcile_options(mut self, options: S::Options) -> Self {
        self.reconcile_options = options;
        self
    }

    /// What the source owns already (e.g. read back from the consumer's storage after a
    /// restart); the default owns nothing.
    pub fn last_applied(mut self, last_applied: S::LastApplied) -> Self {
        self.last_applied = last_applied;
        self
    }

    /// Time from the end of a pass to the next timer pass, or `None` for no timer (passes then
    /// run only on hints, `put_desired` and `reconcile`).
    ///
    /// # Panics
    /// If the interval is zero (that would be a busy loop).
    pub fn interval(mut self, interval: impl Into<Option<Duration>>) -> Self {
        let interval = interval.into();
        assert!(
            interval != Some(Duration::ZERO),
            "reconcile loop interval must be longer than zero (use None for no timer)"
        );
        self.interval = interval;
        self
    }

    /// Whether to subscribe to the source's monitor for early wake-ups (default true).
    pub fn monitor(mut self, on: bool) -> Self {
        self.monitor = on;
        self
    }

    /// Delay from the first hint (or `put_desired`) of a quiet period to the pass it
    /// schedules; what arrives in between joins that pass.
    pub fn debounce(mut self, debounce: Duration) -> Self {
        self.debounce = debounce;
        self
    }

    /// The loop's name, for logs and errors.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Start the loop (same as [`Loop::start`]).
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn start(self) -> Loop<S> {
        Loop::start(self)
    }
}

impl<S: Source> fmt::Debug for LoopOptions<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopOptions")
            .field("interval", &self.interval)
            .field("monitor", &self.monitor)
            .field("debounce", &self.debounce)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The latest pass and the latest report, as the handle reads them.
struct Latest<S: Source> {
    pass: Option<PassOf<S>>,
    report: Option<Arc<S::Report>>,
}

/// A running loop. Dropping it stops the loop (after the pass in flight); [`Loop::stop`]
/// does the same and waits for it.
///
/// The handle is `Send + Sync`: share it behind an `Arc` to call [`put_desired`] or
/// [`reconcile`] from several tasks; their requests are served one pass at a time.
///
/// [`put_desired`]: Loop::put_desired
/// [`reconcile`]: Loop::reconcile
pub struct Loop<S: Source> {
    name: Arc<str>,
    source: Arc<S>,
    forced: mpsc::Sender<oneshot::Sender<PassOf<S>>>,
    desired: watch::Sender<Arc<S::Desired>>,
    latest: watch::Receiver<Latest<S>>,
    passes: broadcast::Sender<PassOf<S>>,
    task: JoinHandle<()>,
}

impl<S: Source> Loop<S> {
    /// Spawn the loop's task on the current tokio runtime; its first pass starts at once.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn start(options: LoopOptions<S>) -> Loop<S> {
        let name: Arc<str> = options
            .name
            .unwrap_or_else(|| type_name::<S>().to_owned())
            .into();
        let (forced_tx, forced_rx) = mpsc::channel(16);
        let desired = Arc::new(options.desired);
        let (desired_tx, desired_rx) = watch::channel(desired.clone());
        let (latest_tx, latest_rx) = watch::channel(Latest {
            pass: None,
            report: None,
        });
        let (passes_tx, _) = broadcast::channel(PASS_BACKLOG);
        let runner = Runner {
            name: name.clone(),
            source: options.source.clone(),
            scope: options.scope,
            options: options.reconcile_options,
            desired,
            desired_rx,
            last_applied: options.last_applied,
            interval: options.interval,
            debounce: options.debounce,
            monitor_on: options.monitor,
            forced: forced_rx,
            latest: latest_tx,
            passes: passes_tx.clone(),
            number: 0,
            monitor: Monitor::Off,
            failures: 0,
            wake: None,
            timer: None,
        };
        let task = tokio::spawn(runner.run());
        Loop {
            name,
            source: options.source,
            forced: forced_tx,
            desired: desired_tx,
            latest: latest_rx,
            passes: passes_tx,
            task,
        }
    }

    /// The loop's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source the loop drives (for [`Observe`](crate::Observe), or the source's own
    /// state).
    pub fn source(&self) -> &Arc<S> {
        &self.source
    }

    /// Replace the desired state and schedule a (debounced) pass with it.
    ///
    /// Several calls within one debounce window cost one pass, with the last value.
    pub fn put_desired(&self, desired: S::Desired) -> Result<(), Error> {
        self.desired
            .send(Arc::new(desired))
            .map_err(|_| self.stopped())
    }

    /// The desired state the next pass will use.
    pub fn desired(&self) -> Arc<S::Desired> {
        self.desired.borrow().clone()
    }

    /// Run a pass now (after the one in flight, if any) and return it.
    ///
    /// Requests that arrive together share one pass. Dropping the future does not cancel the
    /// pass.
    pub async fn reconcile(&self) -> Result<PassOf<S>, Error> {
        let (tx, rx) = oneshot::channel();
        self.forced.send(tx).await.map_err(|_| self.stopped())?;
        rx.await.map_err(|_| self.stopped())
    }

    /// The latest pass (report or error); `None` before the first pass ends.
    pub fn last_pass(&self) -> Option<PassOf<S>> {
        self.latest.borrow().pass.clone()
    }

    /// The report of the latest pass that ran; `None` before the first one. A later pass
    /// that could not run does not replace it (see [`last_pass`](Loop::last_pass)).
    pub fn last_report(&self) -> Option<Arc<S::Report>> {
        self.latest.borrow().report.clone()
    }

    /// Every pass from now on, in order. A subscriber more than 64 passes behind gets
    /// [`broadcast::error::RecvError::Lagged`] and continues with the newest ones.
    pub fn passes(&self) -> broadcast::Receiver<PassOf<S>> {
        self.passes.subscribe()
    }

    /// True once the loop's task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stop the loop: no pass starts after this call, a pass in flight completes, the
    /// monitor is dropped; returns once the task has ended.
    pub async fn stop(self) -> Result<(), Error> {
        let Loop {
            name,
            forced,
            desired,
            task,
            ..
        } = self;
        drop(forced);
        drop(desired);
        match task.await {
            Ok(()) => Ok(()),
            Err(e) if e.is_panic() => {
                let payload = e.into_panic();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(not a string)".to_owned());
                Err(Error::Panicked { name, message })
            }
            // Cancelled: the runtime is shutting down, which ended the loop too.
            Err(_) => Ok(()),
        }
    }

    fn stopped(&self) -> Error {
        Error::Stopped {
            name: self.name.clone(),
        }
    }
}

impl<S: Source> fmt::Debug for Loop<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loop")
            .field("name", &self.name)
            .field("finished", &self.task.is_finished())
            .finish_non_exhaustive()
    }
}

/// The monitor as the task sees it.
enum Monitor {
    /// Not wanted, or the source has none: timer only.
    Off,
    /// Subscribed since `since`.
    Active { hints: Hints, since: Instant },
    /// Failed or died: timer only until a resubscription at `retry_at` succeeds.
    Down { retry_at: Instant },
}

/// What woke the task.
enum Step<S: Source> {
    /// The handle is gone.
    Stop,
    /// A forced pass was asked for.
    Force(oneshot::Sender<PassOf<S>>),
    /// `put_desired` was called.
    Desired,
    /// The monitor sent a hint.
    Hint(Hint),
    /// The monitor died (ended, or ended with an error).
    MonitorDied(Option<MonitorError>),
    /// The debounce window armed by a hint or `put_desired` is over.
    Wake(Cause),
    /// The timer is due.
    Timer,
    /// Time to subscribe again.
    Resubscribe,
}

/// The loop's task state.
struct Runner<S: Source> {
    name: Arc<str>,
    source: Arc<S>,
    scope: S::Scope,
    options: S::Options,
    desired: Arc<S::Desired>,
    desired_rx: watch::Receiver<Arc<S::Desired>>,
    last_applied: S::LastApplied,
    interval: Option<Duration>,
    debounce: Duration,
    monitor_on: bool,
    forced: mpsc::Receiver<oneshot::Sender<PassOf<S>>>,
    latest: watch::Sender<Latest<S>>,
    passes: broadcast::Sender<PassOf<S>>,
    /// Number of the last pass run.
    number: u64,
    monitor: Monitor,
    /// Consecutive monitor failures (subscriptions refused, monitors that died young).
    failures: u32,
    /// A debounced pass armed for this instant, and what armed it.
    wake: Option<(Instant, Cause)>,
    /// When the next timer pass is due.
    timer: Option<Instant>,
}

impl<S: Source> Runner<S> {
    async fn run(mut self) {
        if self.monitor_on {
            self.subscribe().await;
        } else {
            tracing::debug!(name = %self.name, "monitor off by option; timer-only");
        }
        self.pass(Cause::Start, Vec::new()).await;
        loop {
            match self.next_step().await {
                Step::Stop => break,
                Step::Force(waiter) => {
                    let mut waiters = vec![waiter];
                    while let Ok(w) = self.forced.try_recv() {
                        waiters.push(w);
                    }
                    self.pass(Cause::Forced, waiters).await;
                }
                Step::Desired => {
                    // `changed` marked the value seen, so take it now.
                    self.desired = self.desired_rx.borrow_and_update().clone();
                    self.arm(Cause::Desired);
                }
                Step::Hint(hint) => {
                    if hint == Hint::Resync {
                        tracing::debug!(name = %self.name, "monitor lost events; resync pass due");
                    } else {
                        tracing::trace!(name = %self.name, "hint");
                    }
                    self.arm(Cause::Hint);
                }
                Step::MonitorDied(error) => self.monitor_died(error),
                Step::Wake(cause) => self.pass(cause, Vec::new()).await,
                Step::Timer => self.pass(Cause::Timer, Vec::new()).await,
                Step::Resubscribe => {
                    if self.subscribe().await {
                        self.pass(Cause::Resync, Vec::new()).await;
                    }
                }
            }
        }
        tracing::debug!(name = %self.name, passes = self.number, "loop stopped");
    }

    /// Wait for the next thing to do. Deadlines are checked before hints, so a flooding
    /// monitor cannot hold back the debounced pass it keeps asking for.
    async fn next_step(&mut self) -> Step<S> {
        let wake = self.wake;
        let timer = self.timer;
        let retry = match self.monitor {
            Monitor::Down { retry_at } => Some(retry_at),
            _ => None,
        };
        let hints = match &mut self.monitor {
            Monitor::Active { hints, .. } => Some(hints),
            _ => None,
        };
        tokio::select! {
            biased;
            w = self.forced.recv() => match w {
                Some(w) => Step::Force(w),
                None => Step::Stop,
            },
            changed = self.desired_rx.changed() => match changed {
                Ok(()) => Step::Desired,
                Err(_) => Step::Stop,
            },
            () = sleep_until_some(wake.map(|(at, _)| at)) => {
                // The branch only completes when `wake` is set.
                Step::Wake(wake.map_or(Cause::Hint, |(_, cause)| cause))
            }
            () = sleep_until_some(timer) => Step::Timer,
            () = sleep_until_some(retry) => Step::Resubscribe,
            item = next_hint(hints) => match item {
                Some(Ok(hint)) => Step::Hint(hint),
                Some(Err(e)) => Step::MonitorDied(Some(e)),
                None => Step::MonitorDied(None),
            },
        }
    }

    /// Schedule a debounced pass, unless one is scheduled already (the first request of a
    /// window decides when it runs).
    fn arm(&mut self, cause: Cause) {
        if self.wake.is_none() {
            self.wake = Some((Instant::now() + self.debounce, cause));
        }
    }

    /// Subscribe to the source's monitor; true when hints flow.
    async fn subscribe(&mut self) -> bool {
        match self.source.subscribe(&self.scope).await {
            Ok(hints) => {
                tracing::info!(name = %self.name, "monitor subscribed");
                self.monitor = Monitor::Active {
                    hints,
                    since: Instant::now(),
                };
                true
            }
            Err(SubscribeError::Unsupported) => {
                self.monitor = Monitor::Off;
                if self.interval.is_none() {
                    tracing::warn!(
                        name = %self.name,
                        "the source has no monitor and the timer is off: passes run only on \
                         put_desired and reconcile"
                    );
                } else {
                    tracing::info!(name = %self.name, "the source has no monitor; timer-only");
                }
                false
            }
            Err(SubscribeError::Failed(error)) => {
                self.failures = self.failures.saturating_add(1);
                let delay = backoff(self.failures);
                tracing::warn!(
                    name = %self.name,
                    error = %error,
                    retry_in = ?delay,
                    "monitor could not be started; timer-only until it can"
                );
                self.monitor = Monitor::Down {
                    retry_at: Instant::now() + delay,
                };
                false
            }
        }
    }

    /// The monitor ended (with `error`, or just ended): go timer-only and plan a
    /// resubscription.
    fn monitor_died(&mut self, error: Option<MonitorError>) {
        let lived_long = match self.monitor {
            Monitor::Active { since, .. } => since.elapsed() >= BACKOFF_MAX,
            _ => false,
        };
        if lived_long {
            self.failures = 0;
        }
        self.failures = self.failures.saturating_add(1);
        let delay = backoff(self.failures);
        match error {
            Some(error) => tracing::warn!(
                name = %self.name,
                error = %error,
                resubscribe_in = ?delay,
                "monitor failed; resubscribing, then a resync pass"
            ),
            None => tracing::warn!(
                name = %self.name,
                resubscribe_in = ?delay,
                "monitor ended; resubscribing, then a resync pass"
            ),
        }
        // Dropping the old `Hints` here stops what is left of that monitor.
        self.monitor = Monitor::Down {
            retry_at: Instant::now() + delay,
        };
    }

    /// Read, without waiting, the hints already there: the pass about to start answers them.
    /// A monitor found dead is handled as in the main loop.
    fn drain_hints(&mut self) {
        let Monitor::Active { hints, .. } = &mut self.monitor else {
            return;
        };
        let mut cx = Context::from_waker(Waker::noop());
        let mut died = None;
        for _ in 0..DRAIN_MAX {
            match Pin::new(&mut *hints).poll_next(&mut cx) {
                Poll::Ready(Some(Ok(_))) => continue,
                Poll::Ready(Some(Err(e))) => {
                    died = Some(Some(e));
                    break;
                }
                Poll::Ready(None) => {
                    died = Some(None);
                    break;
                }
                Poll::Pending => break,
            }
        }
        if let Some(error) = died {
            self.monitor_died(error);
        }
    }

    /// Run one pass and publish it to `waiters`, [`Loop::passes`] and [`Loop::last_pass`].
    async fn pass(&mut self, cause: Cause, waiters: Vec<oneshot::Sender<PassOf<S>>>) {
        // What asked for a pass before this point is answered by this one.
        self.wake = None;
        if self.desired_rx.has_changed().unwrap_or(false) {
            self.desired = self.desired_rx.borrow_and_update().clone();
        }
        self.drain_hints();

        self.number += 1;
        let span = tracing::info_span!("pass", name = %self.name, pass = self.number, %cause);
        let started = Instant::now();
        let result = self
            .source
            .reconcile(
                &self.scope,
                &self.desired,
                &self.last_applied,
                &self.options,
            )
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();

        let outcome = match result {
            Ok(report) => {
                if report.converged() {
                    tracing::debug!(
                        parent: &span,
                        applied = report.applied(),
                        ?elapsed,
                        "pass converged"
                    );
                } else {
                    tracing::warn!(
                        parent: &span,
                        applied = report.applied(),
                        failed = report.failed(),
                        pending = report.pending(),
                        ?elapsed,
                        "pass did not converge"
                    );
                }
                self.last_applied = report.last_applied().clone();
                Ok(Arc::new(report))
            }
            Err(error) => {
                tracing::warn!(
                    parent: &span,
                    error = %error,
                    ?elapsed,
                    "pass could not run; keeping the previous last_applied"
                );
                Err(Arc::new(error))
            }
        };
        let pass = Pass {
            number: self.number,
            cause,
            outcome,
            elapsed,
        };
        self.latest.send_modify(|latest| {
            if let Ok(report) = &pass.outcome {
                latest.report = Some(report.clone());
            }
            latest.pass = Some(pass.clone());
        });
        // No subscriber is not an error.
        let _ = self.passes.send(pass.clone());
        for waiter in waiters {
            // A caller that stopped waiting is not an error either.
            let _ = waiter.send(pass.clone());
        }
        self.timer = self.interval.map(|interval| Instant::now() + interval);
    }
}

/// Sleep until `deadline`, or forever without one.
async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The next hint of an active monitor, or never without one.
async fn next_hint(hints: Option<&mut Hints>) -> Option<Result<Hint, MonitorError>> {
    match hints {
        Some(hints) => hints.next().await,
        None => std::future::pending().await,
    }
}

/// The delay before resubscription attempt `failures` (1-based): 100 ms, doubling, at most
/// 30 s.
fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    BACKOFF_MIN.saturating_mul(1 << doublings).min(BACKOFF_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_100ms_to_30s() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(4), Duration::from_millis(800));
        assert_eq!(backoff(9), Duration::from_millis(25_600));
        assert_eq!(backoff(10), BACKOFF_MAX);
        assert_eq!(backoff(u32::MAX), BACKOFF_MAX);
        assert_eq!(backoff(0), Duration::from_millis(100));
    }
}
