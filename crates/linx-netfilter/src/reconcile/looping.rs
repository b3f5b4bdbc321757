//! A long-running reconcile loop for one ruleset, woken by anything that yields.
//!
//! Why a loop over wake-ups and not a timer or a monitor: what should trigger a pass is the
//! program's choice (a timer, a config reload, an nf_tables monitor reporting a foreign
//! commit, or all of them merged into one channel). [`run_on_wake`] takes any iterator:
//! each item is one "something may have changed" signal, and the loop ends when the
//! iterator does or the callback says stop.
//!
//! # Contract
//! - One pass at start, then one per wake-up; passes never overlap (blocking socket).
//! - A failed pass does not end the loop: its error goes to the callback, which decides
//!   (a [`ConcurrentModification`](crate::NetfilterError::ConcurrentModification) usually
//!   just waits for the next wake-up).
//! - The socket is the caller's: keep it open for as long as `owner` tables should live.
//! - On tokio the same loop is three lines around the async [`reconcile()`](super::reconcile()):
//!   `loop { let r = reconcile(&sock, &desired, &opts).await; ...; wakes.recv().await; }`.

use std::ops::ControlFlow;

use linx_netlink_sys::Socket;

use super::{ReconcileOptions, ReconcileReport, reconcile};
use crate::{NetfilterError, Ruleset};

/// Reconcile `desired` now and again after each item of `wakes`, handing every pass's
/// outcome to `on_pass` (return [`ControlFlow::Break`] to stop). Returns the number of
/// passes run.
///
/// A timer (`std::iter::repeat_with(|| std::thread::sleep(interval))`), a channel
/// (`receiver.iter()`) or a monitor's event iterator mapped to `()` all fit.
///
/// ```no_run
/// use std::ops::ControlFlow;
/// use std::time::Duration;
/// use linx_netfilter::reconcile::{run_on_wake, ReconcileOptions};
/// # let desired = linx_netfilter::Ruleset::new();
/// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
/// // Every 5 seconds, forever: heals any foreign change to our tables.
/// let every = std::iter::repeat_with(|| std::thread::sleep(Duration::from_secs(5)));
/// run_on_wake(&sock, &desired, &ReconcileOptions::new(), every, |pass| {
///     match pass {
///         Ok(r) if r.sent => eprintln!("healed: {r}"),
///         Ok(_) => {}
///         Err(e) => eprintln!("reconcile failed: {e}"),
///     }
///     ControlFlow::Continue(())
/// });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_on_wake<W, F>(
    sock: &Socket,
    desired: &Ruleset,
    opts: &ReconcileOptions,
    wakes: W,
    mut on_pass: F,
) -> usize
where
    W: IntoIterator,
    F: FnMut(Result<ReconcileReport, NetfilterError>) -> ControlFlow<()>,
{
    let mut passes = 1;
    if on_pass(reconcile(sock, desired, opts)).is_break() {
        return passes;
    }
    for _ in wakes {
        passes += 1;
        if on_pass(reconcile(sock, desired, opts)).is_break() {
            break;
        }
    }
    passes
}
