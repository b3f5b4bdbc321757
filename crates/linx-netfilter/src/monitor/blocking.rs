//! The blocking monitor: [`Monitor`], an iterator of items over a blocking socket, and
//! [`snapshot`] (a pull paired with a monitor).
//!
//! # Contract
//! A thin driver over the shared core: the crate's shared receive loop
//! (`subscription::next`, `next_timeout`: one `recvmsg` per datagram, waiting as long as it
//! is told) hands each outcome to the core; every decision is the core's.

use std::time::Duration;

use linx_netlink_sys::{Netns, Socket};

use super::core::Core;
use super::snapshot::consistent_pull;
use super::{Item, MonitorError, MonitorOptions};
use crate::Ruleset;
use crate::subscription;

/// A blocking nf_tables monitor: the commits of one namespace as they happen. See the
/// [module docs](super) for what it reports.
///
/// It is an `Iterator<Item = Result<Item, MonitorError>>` that waits for each item;
/// [`Monitor::next_timeout`] waits at most a given time.
///
/// ```no_run
/// use linx_netfilter::monitor::{Item, Monitor};
/// let mut mon = Monitor::open(linx_netlink_sys::Netns::Host)?;
/// for item in mon.by_ref().take(3) {
///     if let Item::Commit(c) = item? {
///         for ev in c.events() {
///             println!("{ev}");
///         }
///     }
/// }
/// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
/// ```
#[derive(Debug)]
pub struct Monitor {
    sock: Socket,
    core: Core,
    rcvbuf: usize,
}

impl Monitor {
    /// Opens a monitor in `netns` with the default options.
    ///
    /// ```no_run
    /// let mon = linx_netfilter::monitor::Monitor::open(linx_netlink_sys::Netns::Pid(1234))?;
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn open(netns: Netns) -> Result<Monitor, MonitorError> {
        Monitor::with_options(netns, &MonitorOptions::default())
    }

    /// Opens a monitor in `netns`: a new nfnetlink socket there, its receive buffer set,
    /// then `NFNLGRP_NFTABLES` joined. Every commit after this returns is reported.
    ///
    /// ```no_run
    /// use linx_netfilter::monitor::{Monitor, MonitorOptions};
    /// let opts = MonitorOptions::new().rcvbuf(32 << 20).since_gen(1247);
    /// let mon = Monitor::with_options(linx_netlink_sys::Netns::Host, &opts)?;
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn with_options(netns: Netns, options: &MonitorOptions) -> Result<Monitor, MonitorError> {
        let (sock, rcvbuf) = start(netns, options)?;
        Ok(Monitor {
            sock,
            core: Core::new(options.min_gen()),
            rcvbuf,
        })
    }

    /// The receive buffer the kernel granted, as it reports it (`SO_RCVBUF`: twice the
    /// request, or less when capped at `net.core.rmem_max`).
    ///
    /// ```no_run
    /// # let mon = linx_netfilter::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// assert!(mon.rcvbuf() > 0);
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn rcvbuf(&self) -> usize {
        self.rcvbuf
    }

    /// The socket, for its namespace or port id. Receiving on it directly takes
    /// notifications away from the monitor.
    ///
    /// ```no_run
    /// # let mon = linx_netfilter::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// println!("port id {}", mon.socket().port_id());
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// The generation floor: commits at or below it are dropped.
    ///
    /// ```no_run
    /// # let mon = linx_netfilter::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// assert_eq!(mon.min_gen(), 0);
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn min_gen(&self) -> u32 {
        self.core.min_gen()
    }

    /// Drops every commit whose generation is `<= generation` from now on, including commits
    /// already received and not yet yielded. Takes effect before the next item.
    ///
    /// ```no_run
    /// # let mut mon = linx_netfilter::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// mon.set_min_gen(1247);
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn set_min_gen(&mut self, generation: u32) {
        self.core.set_min_gen(generation);
    }

    /// Takes a snapshot of the namespace's ruleset that this monitor continues exactly:
    /// returns the ruleset and its generation `g`, and sets the floor to `g`, so the
    /// monitor's next commits are exactly those after the snapshot (see the
    /// [module docs](super), "Snapshot and tail"). The monitor's known sets are replaced
    /// by the snapshot's. Opens a request socket in the monitor's namespace for the pull.
    ///
    /// ```no_run
    /// use linx_netfilter::monitor::Monitor;
    /// let mut mon = Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// let (rs, generation) = mon.snapshot()?;
    /// println!("{} tables at generation {generation}", rs.tables().len());
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn snapshot(&mut self) -> Result<(Ruleset, u32), MonitorError> {
        let sock = linx_nfnl::open(self.sock.netns().clone()).map_err(MonitorError::Open)?;
        let (rs, generation) = consistent_pull(&sock)?;
        self.core.set_min_gen(generation);
        self.core.seed_sets(&rs);
        Ok((rs, generation))
    }

    /// The next item, waiting at most `timeout`: `Ok(None)` when none came in time.
    ///
    /// An `Err` is either one bad datagram or kernel error message (the next call reads on)
    /// or the socket failure that stopped the monitor (every later call returns it again).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # let mut mon = linx_netfilter::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// while let Some(item) = mon.next_timeout(Duration::from_secs(1))? {
    ///     println!("{item:?}");
    /// }
    /// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
    /// ```
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Item>, MonitorError> {
        subscription::next_timeout(&self.sock, &mut self.core, timeout)
    }
}

/// Opens the socket in `netns`, sets its receive buffer and joins the group: what both
/// flavours do before they read.
pub(crate) fn start(
    netns: Netns,
    options: &MonitorOptions,
) -> Result<(Socket, usize), MonitorError> {
    let sock = linx_nfnl::open(netns).map_err(MonitorError::Open)?;
    // Before joining: no notification is ever queued into a small buffer.
    let rcvbuf = sock
        .set_rcvbuf(options.rcvbuf_request())
        .map_err(MonitorError::Open)?;
    sock.add_membership(linx_nfnl::NFNLGRP_NFTABLES)
        .map_err(MonitorError::Open)?;
    Ok((sock, rcvbuf))
}

impl Iterator for Monitor {
    type Item = Result<Item, MonitorError>;

    /// Waits for the next item. After a socket failure (yielded once) the iterator ends;
    /// decode errors and [`Item::ResyncNeeded`] do not end it.
    fn next(&mut self) -> Option<Self::Item> {
        subscription::next(&self.sock, &mut self.core)
    }
}

/// Opens a monitor in `netns` and takes a [snapshot](Monitor::snapshot) with it: the
/// ruleset, its generation and the monitor that reports exactly the commits after it.
///
/// ```no_run
/// use linx_netfilter::monitor::{snapshot, Item, MonitorOptions};
/// let (mut rs, generation, mon) = snapshot(linx_netlink_sys::Netns::Host, &MonitorOptions::new())?;
/// println!("generation {generation}");
/// for item in mon {
///     match item? {
///         Item::Commit(c) => assert!(c.generation > generation),
///         Item::ResyncNeeded => { /* take a new snapshot */ }
///         _ => {}
///     }
/// }
/// # Ok::<(), linx_netfilter::monitor::MonitorError>(())
/// ```
pub fn snapshot(
    netns: Netns,
    options: &MonitorOptions,
) -> Result<(Ruleset, u32, Monitor), MonitorError> {
    let mut mon = Monitor::with_options(netns, options)?;
    let (rs, generation) = mon.snapshot()?;
    Ok((rs, generation, mon))
}
