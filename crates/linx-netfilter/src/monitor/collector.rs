//! [`Collector`]: the monitor's logic for datagrams received some other way (a socket of
//! your own, a capture, a fuzzer).
//!
//! # Contract
//! Exactly what [`Monitor`](super::Monitor) does with each datagram and each loss, with no
//! socket: pure, never panics, allocation proportional to the changes decoded.

use super::core::{Core, Next};
use super::{Item, MonitorError};
use crate::Ruleset;

/// The sans-IO monitor: feed it datagrams of `NFNLGRP_NFTABLES` notifications (and
/// losses), take the items it yields.
///
/// ```
/// use linx_netfilter::monitor::{Collector, Item};
/// let mut c = Collector::new(0);
/// // A NEWGEN of generation 5 by pid 7 ("nft"), with nothing before it: an empty commit.
/// let mut m = vec![36, 0, 0, 0, 15, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// m.extend_from_slice(&[8, 0, 1, 0, 0, 0, 0, 5, 8, 0, 2, 0, 0, 0, 0, 7, 8, 0, 3, 0, b'n', b'f', b't', 0]);
/// m[0] = m.len() as u8;
/// c.handle_datagram(&m);
/// let Some(Ok(Item::Commit(commit))) = c.poll_item() else { panic!() };
/// assert_eq!((commit.generation, commit.pid, commit.proc_name.as_deref()), (5, Some(7), Some("nft")));
/// assert!(c.poll_item().is_none());
/// ```
#[derive(Debug, Default)]
pub struct Collector {
    core: Core,
}

impl Collector {
    /// A collector that drops commits at or below `floor`.
    pub fn new(floor: u32) -> Collector {
        Collector {
            core: Core::new(floor),
        }
    }

    /// Take one datagram: its entity messages join the commit being collected, a `NEWGEN`
    /// closes it.
    pub fn handle_datagram(&mut self, datagram: &[u8]) {
        self.core.handle_datagram(datagram);
    }

    /// Notifications were lost (`ENOBUFS`): discard the commit being collected and queue
    /// [`Item::ResyncNeeded`].
    ///
    /// ```
    /// use linx_netfilter::monitor::{Collector, Item};
    /// let mut c = Collector::new(0);
    /// c.handle_lost();
    /// assert!(matches!(c.poll_item(), Some(Ok(Item::ResyncNeeded))));
    /// ```
    pub fn handle_lost(&mut self) {
        self.core.handle_recv(Err(linx_netlink_sys::Error::Os {
            stage: linx_netlink_sys::Stage::Recv,
            errno: linx_netlink_sys::Errno::ENOBUFS,
        }));
    }

    /// Drop commits at or below `generation` from now on, queued ones included.
    pub fn set_min_gen(&mut self, generation: u32) {
        self.core.set_min_gen(generation);
    }

    /// Know the sets and maps of `rs`, to decode the elements of later notifications.
    pub fn seed_sets(&mut self, rs: &Ruleset) {
        self.core.seed_sets(rs);
    }

    /// The next item, `None` when nothing is queued.
    pub fn poll_item(&mut self) -> Option<Result<Item, MonitorError>> {
        match self.core.poll_item() {
            Next::Item(item) => Some(item),
            Next::Recv | Next::Ended(_) => None,
        }
    }
}
