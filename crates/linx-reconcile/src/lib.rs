//! The generic level-triggered reconcile loop of Linx, the [`Source`] trait it drives, and
//! the subsystem adapters that plug into it.
//!
//! # Why this crate exists
//! A single converging pass is each subsystem's business (`linx_rtnl::reconcile` observes a
//! namespace, diffs it against a desired state and applies the difference). Keeping a scope
//! converged *over time* is the same job for every subsystem: run a pass at start, again on a
//! timer as a safety net, sooner when a monitor says something changed, never two at once,
//! carry ownership from one pass to the next, and survive monitor deaths and failing passes.
//! This crate writes that once, over a small trait, on tokio.
//!
//! - [`Source`]: what a subsystem provides: one pass over a scope
//!   ([`reconcile`](Source::reconcile)), and optionally a monitor of wake-ups
//!   ([`subscribe`](Source::subscribe)).
//! - [`Loop`] / [`LoopOptions`]: the loop, started explicitly, driven through its handle
//!   ([`put_desired`](Loop::put_desired), [`reconcile`](Loop::reconcile),
//!   [`last_report`](Loop::last_report), [`passes`](Loop::passes), [`stop`](Loop::stop)).
//! - [`flatkv`]: ownership, diff and best-effort apply for flat key/value subsystems (sysctl,
//!   cgroup files), so their sources are a few lines.
//! - [`rtnl`]: the `Source` for rtnetlink (links, addresses, routes, rules, neighbours of one
//!   network namespace).
//!
//! # Contract
//! - **Level-triggered.** Every pass compares the whole desired state with what is observed
//!   *now*. Monitor hints are wake-ups, not deltas: netlink multicast drops messages under
//!   load, so nothing here acts on what an event said; a hint only makes the next pass come
//!   sooner, and correctness rests on the pass (and the timer) alone.
//! - **Mechanism here, policy in the consumer.** The loop decides *when* passes run. What the
//!   desired state is, how often to resync, whether and where to persist `last_applied`,
//!   whether foreign state is ever reaped: all of that is the consumer's (and never a default).
//!   Persist name-keyed desired state and `last_applied`; each pass resolves names afresh.
//! - **One loop per scope** (one per namespace for rtnl), started explicitly with
//!   [`Loop::start`]; there is no global state and nothing starts on its own.
//! - **Ownership** is the source's `last_applied`: a successful pass hands its report's
//!   `last_applied` to the next; a pass that could not run keeps the previous one. Sources
//!   touch only what they own among the things desired no longer names.
//! - **Layering** (style.md §1, every arrow points down): this crate is the top library layer.
//!   The generic parts ([`Source`], [`Loop`], [`flatkv`]) mention no subsystem type. The rtnl
//!   adapter lives in this crate's [`rtnl`] module rather than in `linx-rtnl`, because
//!   implementing [`Source`] there would make `linx-rtnl` depend on this crate, an arrow
//!   pointing up. `linx-rtnl` offers the single-shot reconcile and the monitor; this crate
//!   depends on it and adapts them. Nothing below depends on this crate.
//!   There is deliberately no netfilter source: nf_tables ownership is a compare-and-swap on
//!   the ruleset generation, which does not fit the `last_applied` report contract.
//! - Logs go through `tracing` only: no output unless the consumer installs a subscriber.
//! - No `unsafe`.
//!
//! # Example
//! A fake source (it "converges" a string held in memory) driven by the loop:
//!
//! ```
//! use std::sync::Mutex;
//! use linx_reconcile::{Hints, LoopOptions, Report, Source, SubscribeError};
//!
//! /// A value in memory that the loop keeps equal to the desired one.
//! #[derive(Default)]
//! struct Memory(Mutex<String>);
//!
//! struct Done { owned: Vec<String>, changed: bool }
//!
//! impl Report for Done {
//!     type LastApplied = Vec<String>;
//!     fn converged(&self) -> bool { true }
//!     fn last_applied(&self) -> &Vec<String> { &self.owned }
//!     fn applied(&self) -> usize { usize::from(self.changed) }
//!     fn failed(&self) -> usize { 0 }
//!     fn pending(&self) -> usize { 0 }
//! }
//!
//! impl Source for Memory {
//!     type Scope = ();
//!     type Desired = String;
//!     type LastApplied = Vec<String>;
//!     type Options = ();
//!     type Report = Done;
//!     type Error = std::io::Error;
//!
//!     async fn reconcile(&self, _: &(), desired: &String, _: &Vec<String>, _: &())
//!         -> Result<Done, std::io::Error>
//!     {
//!         let mut value = self.0.lock().unwrap();
//!         let changed = *value != *desired;
//!         value.clone_from(desired);
//!         Ok(Done { owned: vec![desired.clone()], changed })
//!     }
//!
//!     async fn subscribe(&self, _: &()) -> Result<Hints, SubscribeError<std::io::Error>> {
//!         Err(SubscribeError::Unsupported) // timer-only
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), linx_reconcile::Error> {
//! let lp = LoopOptions::new(Memory::default(), (), "blue".to_owned())
//!     .interval(std::time::Duration::from_secs(30))
//!     .name("memory")
//!     .start();
//!
//! lp.put_desired("green".to_owned())?;
//! let pass = lp.reconcile().await?; // a pass now, with the newest desired state
//! assert!(pass.converged());
//! assert_eq!(*lp.source().0.lock().unwrap(), "green");
//! assert_eq!(lp.last_report().unwrap().last_applied(), &["green"]);
//! lp.stop().await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod driver;
pub mod flatkv;
pub mod rtnl;
mod source;

pub use driver::{
    Cause, DEFAULT_DEBOUNCE, DEFAULT_INTERVAL, Error, Loop, LoopOptions, Pass, PassOf,
};
pub use source::{Hint, Hints, MonitorError, Observe, Report, Source, SubscribeError};
