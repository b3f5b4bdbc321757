//! The blocking listener: [`Listener`], an iterator of events over a blocking socket.
//!
//! # Contract
//! A thin driver over the shared core: it sends the configuration requests; the crate's
//! shared receive loop (`subscription`: one `recvmsg` per datagram, waiting as long as it is
//! told) hands each outcome to the core; every decision is the core's.

use std::time::Duration;

use linx_netlink_sys::{Netns, Socket};

use super::config;
use super::core::{Core, configure};
use super::{Event, ListenOptions, NflogError};
use crate::subscription;

/// A blocking NFLOG listener: the group's instance in one namespace and the packets it
/// receives. See the [module docs](super) for start-up, events and stop.
///
/// It is an `Iterator<Item = Result<Event, NflogError>>` that waits for each event;
/// [`Listener::next_timeout`] waits at most a given time. [`Listener::stop`] unbinds
/// cleanly; dropping it only closes the socket (the kernel then drops the group's instance).
///
/// ```no_run
/// use linx_netfilter::nflog::{CopyMode, Event, ListenOptions, Listener};
/// use linx_netlink_sys::Netns;
///
/// let opts = ListenOptions::new(5)?.copy_mode(CopyMode::packet());
/// let mut log = Listener::open(Netns::Host, &opts)?;
/// for ev in log.by_ref().take(10) {
///     match ev? {
///         Event::Packet(p) => println!("{:?}: {} bytes", p.prefix, p.payload.map_or(0, |b| b.len())),
///         Event::ResyncNeeded => println!("the kernel dropped packets"),
///         other => println!("{other}"),
///     }
/// }
/// log.stop()?;
/// # Ok::<(), linx_netfilter::nflog::NflogError>(())
/// ```
#[derive(Debug)]
pub struct Listener {
    sock: Socket,
    core: Core,
    options: ListenOptions,
    rcvbuf: usize,
}

impl Listener {
    /// Opens a listener in `netns`: a new nfnetlink socket there, its receive buffer set,
    /// then the start-up requests, each acknowledged before the next is sent. A refused
    /// request fails with [`NflogError::Refused`] (the kernel's text included), a missing
    /// ACK with [`NflogError::NoAck`]; the socket is then closed.
    ///
    /// ```no_run
    /// use linx_netfilter::nflog::{ListenOptions, Listener};
    /// let log = Listener::open(linx_netlink_sys::Netns::Pid(1234), &ListenOptions::new(100)?)?;
    /// # Ok::<(), linx_netfilter::nflog::NflogError>(())
    /// ```
    pub fn open(netns: Netns, options: &ListenOptions) -> Result<Listener, NflogError> {
        let (sock, core, rcvbuf) = start(netns, options)?;
        Ok(Listener {
            sock,
            core,
            options: options.clone(),
            rcvbuf,
        })
    }

    /// The receive buffer the kernel granted, as it reports it (`SO_RCVBUF`: twice the
    /// request, or less when capped at `net.core.rmem_max`).
    ///
    /// ```no_run
    /// # let log = linx_netfilter::nflog::Listener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// assert!(log.rcvbuf() > 0);
    /// # Ok::<(), linx_netfilter::nflog::NflogError>(())
    /// ```
    pub fn rcvbuf(&self) -> usize {
        self.rcvbuf
    }

    /// The options the listener was opened with.
    ///
    /// ```no_run
    /// # let log = linx_netfilter::nflog::Listener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// assert_eq!(log.options().group(), 1);
    /// # Ok::<(), linx_netfilter::nflog::NflogError>(())
    /// ```
    pub fn options(&self) -> &ListenOptions {
        &self.options
    }

    /// The socket, for its namespace or port id. Receiving on it directly takes events away
    /// from the listener.
    ///
    /// ```no_run
    /// # let log = linx_netfilter::nflog::Listener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// println!("port id {}", log.socket().port_id());
    /// # Ok::<(), linx_netfilter::nflog::NflogError>(())
    /// ```
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// The next event, waiting at most `timeout`: `Ok(None)` when none came in time.
    ///
    /// An `Err` is either one message that did not decode (the next call reads on) or the
    /// socket failure that stopped the listener (every later call returns it again).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # let mut log = linx_netfilter::nflog::Listener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// while let Some(ev) = log.next_timeout(Duration::from_secs(1))? {
    ///     println!("{ev}");
    /// }
    /// # Ok::<(), linx_netfilter::nflog::NflogError>(())
    /// ```
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Event>, NflogError> {
        subscription::next_timeout(&self.sock, &mut self.core, timeout)
    }

    /// Stops cleanly: `UNBIND` of the group, then `PF_UNBIND` per family, each waiting for
    /// its ACK; then the socket closes (also when a request failed, which is returned).
    /// Packets still queued are dropped.
    ///
    /// ```no_run
    /// # let log = linx_netfilter::nflog::Listener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// log.stop()?;
    /// # Ok::<(), linx_netfilter::nflog::NflogError>(())
    /// ```
    pub fn stop(mut self) -> Result<(), NflogError> {
        let reqs = config::stop(&self.options);
        configure(
            &self.sock,
            &mut self.core,
            &reqs,
            self.options.group(),
            ListenOptions::ACK_TIMEOUT,
        )
    }
}

/// Opens the socket in `netns`, sets its receive buffer and runs the start-up requests:
/// what both flavours do before they read.
pub(crate) fn start(
    netns: Netns,
    options: &ListenOptions,
) -> Result<(Socket, Core, usize), NflogError> {
    let sock = linx_nfnl::open(netns).map_err(NflogError::Open)?;
    // Before BIND: no packet of the group is ever queued into a small buffer.
    let rcvbuf = sock
        .set_rcvbuf(options.rcvbuf_request())
        .map_err(NflogError::Open)?;
    let mut core = Core::default();
    configure(
        &sock,
        &mut core,
        &config::startup(options),
        options.group(),
        ListenOptions::ACK_TIMEOUT,
    )?;
    Ok((sock, core, rcvbuf))
}

impl Iterator for Listener {
    type Item = Result<Event, NflogError>;

    /// Waits for the next event. After a socket failure (yielded once) the iterator ends;
    /// decode errors and [`Event::ResyncNeeded`] do not end it.
    fn next(&mut self) -> Option<Self::Item> {
        subscription::next(&self.sock, &mut self.core)
    }
}
