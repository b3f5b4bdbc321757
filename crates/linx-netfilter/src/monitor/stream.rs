//! The tokio monitor: [`AsyncMonitor`] (feature `tokio`), a `futures_core::Stream` of items.
//!
//! # Contract
//! A thin driver over the shared core. It receives without waiting while datagrams are
//! queued and registers for readiness only after `EAGAIN`
//! ([`AsyncSocket::poll_recv_bounded`]), so a burst is drained in one wake-up. Only the
//! waker of the latest poll is woken: poll from one task.

use std::pin::Pin;
use std::task::{Context, Poll};

use linx_netlink_sys::{AsyncSocket, Netns};

use super::blocking::start;
use super::core::Core;
use super::snapshot::consistent_pull;
use super::{Item, MonitorError, MonitorOptions};
use crate::Ruleset;
use crate::subscription;

/// A tokio nf_tables monitor: a `Stream<Item = Result<Item, MonitorError>>` of the items
/// the [module docs](super) describe. The stream ends after a socket failure; decode
/// errors and [`Item::ResyncNeeded`] do not end it. Dropping it closes the socket.
///
/// ```no_run
/// use linx_netfilter::monitor::{AsyncMonitor, Item};
///
/// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
/// let mut mon = AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
/// while let Some(item) = mon.next_item().await {
///     if let Item::Commit(c) = item? {
///         c.events().for_each(|ev| println!("{ev}"));
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AsyncMonitor {
    sock: AsyncSocket,
    core: Core,
    rcvbuf: usize,
}

impl AsyncMonitor {
    /// Opens a monitor in `netns` with the default options (inside a tokio runtime with IO).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// let mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Pid(1234))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(netns: Netns) -> Result<AsyncMonitor, MonitorError> {
        AsyncMonitor::with_options(netns, &MonitorOptions::default())
    }

    /// Opens a monitor as [`Monitor::with_options`](super::Monitor::with_options) does, then
    /// registers its socket with tokio.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// use linx_netfilter::monitor::{AsyncMonitor, MonitorOptions};
    /// let mon = AsyncMonitor::with_options(linx_netlink_sys::Netns::Host, &MonitorOptions::new().since_gen(9))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_options(
        netns: Netns,
        options: &MonitorOptions,
    ) -> Result<AsyncMonitor, MonitorError> {
        let (sock, rcvbuf) = start(netns, options)?;
        Ok(AsyncMonitor {
            sock: AsyncSocket::new(sock).map_err(MonitorError::Open)?,
            core: Core::new(options.min_gen()),
            rcvbuf,
        })
    }

    /// The receive buffer the kernel granted (see
    /// [`Monitor::rcvbuf`](super::Monitor::rcvbuf)).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// # let mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// println!("{} bytes", mon.rcvbuf());
    /// # Ok(())
    /// # }
    /// ```
    pub fn rcvbuf(&self) -> usize {
        self.rcvbuf
    }

    /// The socket. Receiving on it directly takes notifications away from the monitor.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// # let mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// println!("port id {}", mon.socket().get_ref().port_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn socket(&self) -> &AsyncSocket {
        &self.sock
    }

    /// The generation floor (see [`Monitor::set_min_gen`](super::Monitor::set_min_gen)).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// # let mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// assert_eq!(mon.min_gen(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn min_gen(&self) -> u32 {
        self.core.min_gen()
    }

    /// Drops every commit whose generation is `<= generation` from now on, queued ones included.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// # let mut mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// mon.set_min_gen(1247);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_min_gen(&mut self, generation: u32) {
        self.core.set_min_gen(generation);
    }

    /// A snapshot this monitor continues exactly, as
    /// [`Monitor::snapshot`](super::Monitor::snapshot) takes it, on a tokio request socket.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// # let mut mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// let (rs, generation) = mon.snapshot().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn snapshot(&mut self) -> Result<(Ruleset, u32), MonitorError> {
        let netns = self.sock.get_ref().netns().clone();
        let sock = linx_nfnl::open_async(netns).map_err(MonitorError::Open)?;
        let (rs, generation) = consistent_pull(&sock).await?;
        self.core.set_min_gen(generation);
        self.core.seed_sets(&rs);
        Ok((rs, generation))
    }

    /// Polls for the next item: `Ready(None)` once the monitor ended.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// # let mut mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// let item = std::future::poll_fn(|cx| mon.poll_next_item(cx)).await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_next_item(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Item, MonitorError>>> {
        subscription::poll_next(&self.sock, &mut self.core, cx)
    }

    /// The next item; `None` once the monitor ended. Cancel-safe: dropping the future
    /// loses nothing.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
    /// # let mut mon = linx_netfilter::monitor::AsyncMonitor::open(linx_netlink_sys::Netns::Host)?;
    /// if let Some(item) = mon.next_item().await {
    ///     println!("{:?}", item?);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next_item(&mut self) -> Option<Result<Item, MonitorError>> {
        std::future::poll_fn(|cx| self.poll_next_item(cx)).await
    }
}

impl futures_core::Stream for AsyncMonitor {
    type Item = Result<Item, MonitorError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_item(cx)
    }
}

/// A tokio monitor opened in `netns` with a [snapshot](AsyncMonitor::snapshot) taken:
/// the ruleset, its generation and the monitor of everything after it.
///
/// ```no_run
/// # async fn demo() -> Result<(), linx_netfilter::monitor::MonitorError> {
/// use linx_netfilter::monitor::{snapshot_async, MonitorOptions};
/// let (rs, generation, mon) = snapshot_async(linx_netlink_sys::Netns::Host, &MonitorOptions::new()).await?;
/// # Ok(())
/// # }
/// ```
pub async fn snapshot_async(
    netns: Netns,
    options: &MonitorOptions,
) -> Result<(Ruleset, u32, AsyncMonitor), MonitorError> {
    let mut mon = AsyncMonitor::with_options(netns, options)?;
    let (rs, generation) = mon.snapshot().await?;
    Ok((rs, generation, mon))
}
