//! Watching nf_tables: every committed change of a namespace's ruleset, grouped by commit
//! and stamped with its generation and the process that made it, blocking ([`Monitor`],
//! an iterator) or on tokio (`AsyncMonitor`, a `futures_core::Stream`, feature `tokio`);
//! and [`snapshot`]: a pull the monitor continues with no gap and no duplicate.
//!
//! Why: a firewall manager that owns some tables must notice when Docker, firewalld or an
//! admin changes the ruleset, and know who did it and in which order. The kernel announces
//! every commit to the `NFNLGRP_NFTABLES` multicast group: one message per changed entity,
//! then a `NEWGEN` with the new generation and the committing process. A monitor joins that
//! group on its own socket, in any namespace, decodes each message with the decoders of
//! [`pull`](mod@crate::pull) (a rule comes with its expressions, printable as nft prints it),
//! and yields a commit when its `NEWGEN` arrives.
//!
//! Shape: pure parts ([`Commit`], [`Change`], [`Entity`], [`Event`], the decoding of one
//! message), a sans-IO core (the receive buffer, the commit being collected, the
//! generation floor, the sets known) and two thin drivers.
//!
//! ```no_run
//! use linx_netfilter::monitor::{Item, Monitor};
//! use linx_netlink_sys::Netns;
//!
//! let mut mon = Monitor::open(Netns::Path("/run/netns/fw".into()))?;
//! for item in &mut mon {
//!     match item {
//!         // gen 1247 by nft (pid 812): add rule inet app input handle 4 tcp dport 22 accept
//!         Ok(Item::Commit(c)) => c.events().for_each(|ev| println!("{ev}")),
//!         Ok(Item::ResyncNeeded) => eprintln!("changes were lost: pull again"),
//!         Ok(_) => {}
//!         Err(e) => eprintln!("{e}"),
//!     }
//! }
//! # Ok::<(), linx_netfilter::monitor::MonitorError>(())
//! ```
//!
//! # Contract
//! - **Commits.** Entity notifications (`NEW`/`DEL` of tables, chains, rules, sets, set
//!   elements, objects, flowtables) are collected until the commit's `NEWGEN`
//!   (`NFTA_GEN_ID`, `NFTA_GEN_PROC_PID`, `NFTA_GEN_PROC_NAME`), then yielded together as
//!   one [`Item::Commit`] in the kernel's order; [`Commit::events`] gives each change with
//!   the commit's generation, pid and process name. A commit of Linx's own push carries
//!   this process's pid and name; one of `nft` carries the `nft` process's.
//! - **Floor.** Commits whose generation is `<=` the floor are dropped whole: initially
//!   [`MonitorOptions::since_gen`] (default 0), then [`Monitor::set_min_gen`] (takes effect
//!   at once, also for commits received and not yet yielded).
//! - **[`Item::ResyncNeeded`]**: notifications were lost (`ENOBUFS`: the receive buffer
//!   was full; `NLMSG_OVERRUN`; a datagram with broken framing or longer than 1 MiB). The
//!   commit being collected is discarded (never yielded in part) and the known sets are
//!   forgotten. The monitor goes on; take a new snapshot.
//!   Each overrun is also logged: a `tracing` warning with the number of changes discarded.
//! - **Receive buffer.** 4 MiB by default ([`MonitorOptions::rcvbuf`]; the kernel grants
//!   twice the request), set before the group is joined (`SO_RCVBUFFORCE` when privileged,
//!   else capped by `net.core.rmem_max`). The kernel sends a commit's notifications at the
//!   end of the commit, whether or not the monitor is reading: a commit of 10k simple rules
//!   fits the default buffer even when nobody reads until it is over (a kernel test checks
//!   exactly that). A monitor that reads while the commit runs (another thread) needs far
//!   less; one that may stall behind commits much larger than that needs a larger buffer,
//!   or it gets [`Item::ResyncNeeded`]. The linx-bench `nft-monitor` command measures it.
//! - **Nothing dropped silently.** A message type not modelled is a [`Change::Unknown`], a
//!   modelled one that does not decode a [`Change::Undecoded`] (both with the bytes). Set
//!   elements are decoded with their set's types when the monitor knows the set (declared
//!   in a commit it saw, or in its snapshot), else kept raw ([`Elements::Raw`]).
//!   Consecutive element messages of one commit for one set are one change. Anonymous
//!   sets (`__set0`) are reported as the sets they are; rules refer to them by name.
//! - **Failures.** A broken datagram or a kernel error message is one `Err` item and the
//!   monitor reads on; any other receive failure is yielded once and ends it.
//! - **Snapshot and tail.** [`Monitor::snapshot`] (and [`snapshot`], which opens the
//!   monitor first) reads the ruleset at a generation `g` it proves exact and sets the floor to `g`.
//!   An attempt is: `g` = `GETGEN`; a barrier batch carrying `NFNL_BATCH_GENID = g` whose
//!   one message (a `GETGEN`, which a batch does not take) is refused, so nothing is
//!   applied, but the kernel checks the generation holding its commit mutex: `ERESTART`
//!   means it moved (retry), a refused message means commit `g` and all before it were
//!   complete (the kernel bumps the generation at the start of a commit, before its
//!   changes become visible); the pull; `GETGEN` again, still `g` or retry (at most
//!   [`SNAPSHOT_ATTEMPTS`] attempts, then [`MonitorError::Unstable`]). Because the monitor
//!   was subscribed before `g` was read, the commits it yields afterwards are exactly those
//!   with generation `> g`: applied in order to the snapshot they give the current
//!   ruleset, with no commit missing and none counted twice (until a
//!   [`Item::ResyncNeeded`]).
//! - **Namespaces, threads.** The socket is made inside the namespace given and stays
//!   there. A monitor is `Send` and read from one thread or task at a time (`&mut self`).
//!   Dropping it closes the socket. Never panics on anything received.
//!
//! # See also
//! `<linux/netfilter/nf_tables.h>` (`enum nf_tables_msg_types`, `NFTA_GEN_*`),
//! `net/netfilter/nf_tables_api.c` (`nf_tables_commit`, `nf_tables_gen_notify`),
//! nft(8) (`nft monitor`).

mod blocking;
mod collector;
mod core;
mod decode;
mod error;
mod event;
mod options;
mod snapshot;
#[cfg(feature = "tokio")]
mod stream;

pub use blocking::{Monitor, snapshot};
pub use collector::Collector;
pub use error::MonitorError;
pub use event::{Change, Commit, Elements, Entity, Event, Item};
pub use options::MonitorOptions;
pub use snapshot::SNAPSHOT_ATTEMPTS;
#[cfg(feature = "tokio")]
pub use stream::{AsyncMonitor, snapshot_async};
