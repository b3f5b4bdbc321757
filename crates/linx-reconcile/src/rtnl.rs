//! The rtnetlink [`Source`]: keeps one network namespace's links, addresses, routes, rules
//! and neighbours converged on a `linx_rtnl::reconcile::Desired` state.
//!
//! Why here and not in `linx-rtnl`: implementing [`Source`] in `linx-rtnl` would make it
//! depend on this crate, an arrow pointing up (style.md §1). So `linx-rtnl` offers the two
//! mechanisms, the single-shot pass ([`linx_rtnl::reconcile`]) and the monitor
//! ([`linx_rtnl::monitor`]), and this module, in the top crate, adapts them. The generic
//! loop and the [`Source`] trait know nothing of this module.
//!
//! ```no_run
//! use linx_netlink_sys::Netns;
//! use linx_reconcile::LoopOptions;
//! use linx_reconcile::rtnl::RtnlSource;
//! use linx_rtnl::reconcile::Desired;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let desired: Desired = serde_json::from_str(r#"{
//!     "addresses": [ { "dev": "eth0", "address": "10.0.0.2/24" } ],
//!     "routes": [ { "dst": "default", "gateway": "10.0.0.1" } ]
//! }"#)?;
//! let lp = LoopOptions::new(RtnlSource::new(), Netns::Pid(4242), desired)
//!     .interval(std::time::Duration::from_secs(30))
//!     .name("container-4242")
//!     .start();
//! let pass = lp.reconcile().await?;
//! println!("{:?}", pass.outcome());
//! # Ok(()) }
//! ```
//!
//! # Contract
//! - **Scope** is a [`Netns`]. Each pass opens a short-lived rtnetlink socket in it, runs
//!   [`linx_rtnl::reconcile::reconcile`] (observe, plan, ordered fail-fast apply) and closes
//!   the socket, so the source holds no socket between passes and a namespace that goes away
//!   only fails the passes that follow (`Err`: the pass could not run).
//! - **Subscribe** opens a [`linx_rtnl::monitor::AsyncMonitor`] in the namespace (groups and
//!   receive buffer from [`RtnlSource::monitor_options`]). Every event, of any kind, is a
//!   [`Hint::Changed`]; `ResyncNeeded` is a [`Hint::Resync`]; a message that does not decode
//!   is a `Changed` too (something happened). The socket failure that ends the monitor ends
//!   the hints with that error, and the loop resubscribes.
//! - Opening a socket in a namespace other than the host's runs on tokio's blocking pool
//!   (`linx-netlink-sys` enters the namespace on a helper thread and waits for it), so a slow
//!   namespace file never stalls a runtime worker. Needs a runtime with IO and time enabled.
//! - Ownership, protocol and what is never touched are `linx_rtnl::reconcile`'s contract;
//!   [`Options`] are forwarded unchanged.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use linx_netlink_sys::{AsyncSocket, Netns};
use linx_rtnl::monitor::{AsyncMonitor, Event, MonitorOptions};
use linx_rtnl::reconcile::{self, Desired, LastApplied, Observed, Options, Plan};

use crate::source::{Hint, Hints, MonitorError, Observe, Report, Source, SubscribeError};

/// The rtnetlink [`Source`]: scope [`Netns`], desired [`Desired`], ownership
/// [`LastApplied`], options [`Options`], report [`reconcile::Report`].
///
/// One value can serve many loops (one per namespace); it holds only the monitor settings.
///
/// ```
/// use linx_reconcile::rtnl::RtnlSource;
/// use linx_rtnl::monitor::{Group, MonitorOptions};
///
/// // Wake up on address and route changes only (links and neighbours still converge on
/// // every timer pass).
/// let source = RtnlSource::new().monitor_options(
///     MonitorOptions::new().groups([Group::IPV4_IFADDR, Group::IPV4_ROUTE]),
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct RtnlSource {
    monitor: MonitorOptions,
}

impl RtnlSource {
    /// A source whose monitor joins linx-rtnl's default groups (links, neighbours, IPv4/IPv6
    /// addresses, routes, rules) with its default 4 MiB receive buffer.
    pub fn new() -> RtnlSource {
        RtnlSource::default()
    }

    /// The monitor's groups and receive buffer.
    pub fn monitor_options(mut self, options: MonitorOptions) -> RtnlSource {
        self.monitor = options;
        self
    }

    /// Observe `scope` and compute the plan a pass would apply, applying nothing (a dry run;
    /// the plan prints every kernel call in order).
    pub async fn plan(
        &self,
        scope: &Netns,
        desired: &Desired,
        last_applied: &LastApplied,
        options: &Options,
    ) -> Result<Plan, linx_rtnl::Error> {
        let sock = open(scope).await?;
        reconcile::plan(&sock, desired, last_applied, options).await
    }
}

impl Source for RtnlSource {
    type Scope = Netns;
    type Desired = Desired;
    type LastApplied = LastApplied;
    type Options = Options;
    type Report = reconcile::Report;
    type Error = linx_rtnl::Error;

    async fn reconcile(
        &self,
        scope: &Netns,
        desired: &Desired,
        last_applied: &LastApplied,
        options: &Options,
    ) -> Result<reconcile::Report, linx_rtnl::Error> {
        let sock = open(scope).await?;
        let report = reconcile::reconcile(&sock, desired, last_applied, options).await;
        // Closed here, whatever the pass did.
        drop(sock);
        report
    }

    async fn subscribe(&self, scope: &Netns) -> Result<Hints, SubscribeError<linx_rtnl::Error>> {
        let monitor = if matches!(scope, Netns::Host) {
            AsyncMonitor::with_options(Netns::Host, &self.monitor)
        } else {
            let (netns, options) = (scope.clone(), self.monitor.clone());
            blocking(move || AsyncMonitor::with_options(netns, &options)).await
        }
        .map_err(SubscribeError::Failed)?;
        tracing::debug!(rcvbuf = monitor.rcvbuf(), "rtnetlink monitor open");
        Ok(Hints::from_stream(MonitorHints {
            monitor,
            held: None,
        }))
    }
}

impl Observe for RtnlSource {
    type Observed = Observed;

    /// One dump per resource (routes of the options' protocol only), on a short-lived socket.
    async fn observe(
        &self,
        scope: &Netns,
        options: &Options,
    ) -> Result<Observed, linx_rtnl::Error> {
        let sock = open(scope).await?;
        reconcile::observe(&sock, options).await
    }
}

impl Report for reconcile::Report {
    type LastApplied = LastApplied;

    fn converged(&self) -> bool {
        reconcile::Report::converged(self)
    }

    fn last_applied(&self) -> &LastApplied {
        &self.last_applied
    }

    fn applied(&self) -> usize {
        self.applied.len()
    }

    fn failed(&self) -> usize {
        usize::from(self.failed.is_some())
    }

    fn pending(&self) -> usize {
        self.pending.len()
    }
}

/// A tokio rtnetlink socket in `netns`, opened off the runtime's workers unless it is the
/// host's (which needs no helper thread, and means the calling thread's namespace).
async fn open(netns: &Netns) -> Result<AsyncSocket, linx_rtnl::Error> {
    let sock = if matches!(netns, Netns::Host) {
        linx_rtnl::open_async(Netns::Host)
    } else {
        let netns = netns.clone();
        blocking(move || linx_rtnl::open_async(netns)).await
    };
    Ok(sock?)
}

/// Run `work` on tokio's blocking pool (inside the runtime's context, so tokio sockets can
/// be registered there).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        // The closure panicked: carry the panic on in this task.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Never started because the runtime is shutting down: this task goes with it.
        Err(_) => std::future::pending().await,
    }
}

/// A monitor's events as hints.
struct MonitorHints {
    monitor: AsyncMonitor,
    /// An item read while classifying an error, yielded next.
    held: Option<Result<Event, linx_rtnl::Error>>,
}

impl Stream for MonitorHints {
    type Item = Result<Hint, MonitorError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let item = match this.held.take() {
            Some(item) => item,
            None => match Pin::new(&mut this.monitor).poll_next(cx) {
                Poll::Ready(Some(item)) => item,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            },
        };
        let hint = match item {
            Ok(Event::ResyncNeeded) => Hint::Resync,
            Ok(_) => Hint::Changed,
            Err(error) => {
                // Either one message that did not decode (the monitor reads on) or the socket
                // failure that ends it (the stream ends right after it): look at what follows.
                match Pin::new(&mut this.monitor).poll_next(cx) {
                    Poll::Ready(None) => return Poll::Ready(Some(Err(Box::new(error)))),
                    Poll::Ready(Some(next)) => this.held = Some(next),
                    Poll::Pending => {}
                }
                tracing::debug!(error = %error, "rtnetlink announcement not decoded; a wake-up all the same");
                Hint::Changed
            }
        };
        Poll::Ready(Some(Ok(hint)))
    }
}
