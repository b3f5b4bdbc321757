//! The blocking monitor: [`Monitor`], an iterator of events over a blocking socket.
//!
//! # Contract
//! A thin driver over the shared core: it receives (one `recvmsg` per datagram, waiting as
//! long as it is told) and hands the outcome over; every decision is the core's.

use std::time::{Duration, Instant};

use linx_netlink_sys::{Netns, Socket};

use super::core::{Core, MAX_DATAGRAM, Next};
use super::{Event, Group, MonitorOptions};
use crate::Error;

/// A blocking rtnetlink monitor: a multicast socket in one namespace and the events it
/// receives. See the [module docs](super) for what events mean.
///
/// It is an `Iterator<Item = Result<Event, Error>>` that waits for each event;
/// [`Monitor::next_timeout`] waits at most a given time. Dropping it closes the socket.
///
/// ```no_run
/// use std::time::Duration;
/// use linx_netlink_sys::Netns;
/// use linx_rtnl::monitor::{Event, Monitor};
///
/// let mut mon = Monitor::open(Netns::Pid(1234))?;
/// println!("receive buffer: {} bytes", mon.rcvbuf());
/// while let Some(ev) = mon.next_timeout(Duration::from_secs(5))? {
///     if let Event::NewLink(l) = ev {
///         println!("link {} changed", l.name);
///     }
/// }
/// println!("quiet for 5 s");
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
#[derive(Debug)]
pub struct Monitor {
    sock: Socket,
    core: Core,
    groups: Vec<Group>,
    rcvbuf: usize,
}

impl Monitor {
    /// Opens a monitor in `netns` with the default [`MonitorOptions`] (the usual groups, a
    /// 4 MiB receive buffer).
    ///
    /// ```no_run
    /// let mon = linx_rtnl::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn open(netns: Netns) -> Result<Monitor, Error> {
        Monitor::with_options(netns, &MonitorOptions::new())
    }

    /// Opens a monitor in `netns`: a new socket, its receive buffer set and its groups joined
    /// as `options` say.
    ///
    /// ```no_run
    /// use linx_netlink_sys::Netns;
    /// use linx_rtnl::monitor::{Group, Monitor, MonitorOptions};
    /// let opts = MonitorOptions::new().groups([Group::LINK]);
    /// let mon = Monitor::with_options(Netns::Path("/run/netns/blue".into()), &opts)?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn with_options(netns: Netns, options: &MonitorOptions) -> Result<Monitor, Error> {
        let sock = Socket::open(crate::PROTOCOL, netns)?;
        let rcvbuf = options.apply(&sock)?;
        Ok(Monitor {
            sock,
            core: Core::default(),
            groups: options.group_list().to_vec(),
            rcvbuf,
        })
    }

    /// The receive buffer size the kernel granted, as it reports it (`SO_RCVBUF`: Linux
    /// doubles the request for its bookkeeping, so 4 MiB asked reads 8 MiB; less when the
    /// request was capped at `net.core.rmem_max`).
    ///
    /// ```no_run
    /// let mon = linx_rtnl::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// assert!(mon.rcvbuf() > 0);
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn rcvbuf(&self) -> usize {
        self.rcvbuf
    }

    /// The groups joined.
    ///
    /// ```no_run
    /// use linx_rtnl::monitor::{Group, Monitor};
    /// let mon = Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// assert_eq!(mon.groups(), Group::DEFAULT);
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The socket, for its namespace, port id or options. Receiving on it directly takes
    /// events away from the monitor.
    ///
    /// ```no_run
    /// let mon = linx_rtnl::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// println!("port id {}", mon.socket().port_id());
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// The next event, waiting at most `timeout` for one: `Ok(None)` when none came in time.
    ///
    /// An `Err` is either one message that did not decode (the next call reads on) or the
    /// socket failure that stopped the monitor (every later call returns it again).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let mut mon = linx_rtnl::monitor::Monitor::open(linx_netlink_sys::Netns::Host)?;
    /// // Everything already queued, without waiting:
    /// while let Some(ev) = mon.next_timeout(Duration::ZERO)? {
    ///     println!("{ev}");
    /// }
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            match self.core.poll_event() {
                Next::Item(item) => return item.map(Some),
                Next::Ended(e) => return Err(e.into()),
                Next::Recv => {}
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            // `None` (a timeout too long for `Instant`) waits forever.
            let got = self
                .sock
                .recv_bounded(self.core.recv_buf(), MAX_DATAGRAM, left);
            if let Err(linx_netlink_sys::Error::Timeout) = got {
                return Ok(None);
            }
            if let Some(item) = self.core.handle_recv(got) {
                return item.map(Some);
            }
        }
    }
}

impl Iterator for Monitor {
    type Item = Result<Event, Error>;

    /// Waits for the next event. After a socket failure (yielded once) the iterator ends;
    /// decode errors and [`Event::ResyncNeeded`] do not end it.
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.core.poll_event() {
                Next::Item(item) => return Some(item),
                Next::Ended(_) => return None,
                Next::Recv => {}
            }
            let got = self
                .sock
                .recv_bounded(self.core.recv_buf(), MAX_DATAGRAM, None);
            if let Some(item) = self.core.handle_recv(got) {
                return Some(item);
            }
        }
    }
}
