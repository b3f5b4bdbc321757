//! The tokio monitor: [`AsyncMonitor`], a `Stream` of events (feature `tokio`).
//!
//! # Contract
//! A thin driver over the shared core. It receives without waiting while datagrams are
//! queued and registers for readiness only after the socket said `EAGAIN`
//! ([`AsyncSocket::poll_recv_bounded`]), so a burst is drained in one wake-up. Only the
//! waker of the latest poll is woken: poll it from one task.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use linx_netlink_sys::{AsyncSocket, Netns, Socket};

use super::core::{Core, MAX_DATAGRAM, Next};
use super::{Event, Group, MonitorOptions};
use crate::Error;

/// A tokio rtnetlink monitor: a `Stream<Item = Result<Event, Error>>` over a multicast
/// socket in one namespace. See the [module docs](super) for what events mean.
///
/// The stream ends after yielding a socket failure; decode errors and
/// [`Event::ResyncNeeded`] do not end it. Dropping it closes the socket.
///
/// ```no_run
/// use linx_netlink_sys::Netns;
/// use linx_rtnl::monitor::{AsyncMonitor, Event};
///
/// # async fn demo() -> Result<(), linx_rtnl::Error> {
/// let mut mon = AsyncMonitor::open(Netns::Host)?;
/// while let Some(ev) = mon.next_event().await {
///     match ev? {
///         Event::ResyncNeeded => println!("lost events: list again"),
///         ev => println!("{ev}"),
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AsyncMonitor {
    sock: AsyncSocket,
    core: Core,
    groups: Vec<Group>,
    rcvbuf: usize,
}

impl AsyncMonitor {
    /// Opens a monitor in `netns` with the default [`MonitorOptions`]. Call inside a tokio
    /// runtime with IO enabled (registration panics elsewhere, as tokio's `AsyncFd` does).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_rtnl::Error> {
    /// let mon = linx_rtnl::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Pid(1234))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(netns: Netns) -> Result<AsyncMonitor, Error> {
        AsyncMonitor::with_options(netns, &MonitorOptions::new())
    }

    /// Opens a monitor in `netns` set up as `options` say.
    ///
    /// ```no_run
    /// use linx_rtnl::monitor::{AsyncMonitor, Group, MonitorOptions};
    /// # async fn demo() -> Result<(), linx_rtnl::Error> {
    /// let opts = MonitorOptions::new().groups([Group::IPV4_ROUTE]).rcvbuf(32 << 20);
    /// let mon = AsyncMonitor::with_options(linx_netlink_sys::Netns::Host, &opts)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_options(netns: Netns, options: &MonitorOptions) -> Result<AsyncMonitor, Error> {
        let sock = Socket::open(crate::PROTOCOL, netns)?;
        let rcvbuf = options.apply(&sock)?;
        Ok(AsyncMonitor {
            sock: AsyncSocket::new(sock)?,
            core: Core::default(),
            groups: options.group_list().to_vec(),
            rcvbuf,
        })
    }

    /// The receive buffer size the kernel granted, as it reports it (see
    /// [`Monitor::rcvbuf`](super::Monitor::rcvbuf)).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_rtnl::Error> {
    /// let mon = linx_rtnl::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// println!("{} bytes", mon.rcvbuf());
    /// # Ok(())
    /// # }
    /// ```
    pub fn rcvbuf(&self) -> usize {
        self.rcvbuf
    }

    /// The groups joined.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_rtnl::Error> {
    /// let mon = linx_rtnl::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// assert_eq!(mon.groups().len(), 8);
    /// # Ok(())
    /// # }
    /// ```
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The socket. Receiving on it directly takes events away from the monitor.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_rtnl::Error> {
    /// let mon = linx_rtnl::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// println!("port id {}", mon.socket().get_ref().port_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn socket(&self) -> &AsyncSocket {
        &self.sock
    }

    /// The next item of the stream, for callers without a `StreamExt`: `None` once the
    /// stream ended. Cancel-safe: dropping the future loses no event.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// let mut mon = linx_rtnl::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// match tokio::time::timeout(Duration::from_secs(1), mon.next_event()).await {
    ///     Ok(Some(ev)) => println!("{}", ev?),
    ///     Ok(None) => println!("monitor ended"),
    ///     Err(_) => println!("quiet for a second"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next_event(&mut self) -> Option<Result<Event, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl Stream for AsyncMonitor {
    type Item = Result<Event, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match this.core.poll_event() {
                Next::Item(item) => return Poll::Ready(Some(item)),
                Next::Ended(_) => return Poll::Ready(None),
                Next::Recv => {}
            }
            let got = match this
                .sock
                .poll_recv_bounded(cx, this.core.recv_buf(), MAX_DATAGRAM)
            {
                Poll::Ready(got) => got,
                Poll::Pending => return Poll::Pending,
            };
            if let Some(item) = this.core.handle_recv(got) {
                return Poll::Ready(Some(item));
            }
        }
    }
}
