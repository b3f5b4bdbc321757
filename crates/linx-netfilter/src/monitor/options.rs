//! What a monitor asks for: [`MonitorOptions`].
//!
//! # Contract
//! Plain data with defaults: a 4 MiB receive buffer and a generation floor of 0 (every
//! commit is delivered).

/// How to open a monitor: the receive buffer and the generation floor. A builder.
///
/// ```
/// use linx_netfilter::monitor::MonitorOptions;
/// let o = MonitorOptions::new().rcvbuf(16 << 20).since_gen(1247);
/// assert_eq!((o.rcvbuf_request(), o.min_gen()), (16 << 20, 1247));
/// assert_eq!(MonitorOptions::default().rcvbuf_request(), MonitorOptions::DEFAULT_RCVBUF);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "MonitorOptions does nothing until passed to Monitor::with_options"]
pub struct MonitorOptions {
    rcvbuf: usize,
    since_gen: u32,
}

impl MonitorOptions {
    /// The default receive buffer: 4 MiB, room for the messages of a commit of several
    /// thousand rules (see the [module docs](super) for larger commits).
    pub const DEFAULT_RCVBUF: usize = 4 << 20;

    /// The defaults: [`MonitorOptions::DEFAULT_RCVBUF`], floor 0.
    pub fn new() -> MonitorOptions {
        MonitorOptions::default()
    }

    /// The receive buffer to ask for, in bytes (`SO_RCVBUFFORCE` when the process may, else
    /// `SO_RCVBUF`, which `net.core.rmem_max` caps). The kernel drops notifications that do
    /// not fit and reports it as `ENOBUFS` ([`Item::ResyncNeeded`](super::Item::ResyncNeeded)).
    pub fn rcvbuf(mut self, bytes: usize) -> MonitorOptions {
        self.rcvbuf = bytes;
        self
    }

    /// The initial generation floor: commits whose generation is `<= generation` are dropped (see
    /// [`Monitor::set_min_gen`](super::Monitor::set_min_gen)).
    pub fn since_gen(mut self, generation: u32) -> MonitorOptions {
        self.since_gen = generation;
        self
    }

    /// The receive buffer requested.
    pub fn rcvbuf_request(&self) -> usize {
        self.rcvbuf
    }

    /// The initial generation floor.
    pub fn min_gen(&self) -> u32 {
        self.since_gen
    }
}

impl Default for MonitorOptions {
    fn default() -> MonitorOptions {
        MonitorOptions {
            rcvbuf: MonitorOptions::DEFAULT_RCVBUF,
            since_gen: 0,
        }
    }
}
