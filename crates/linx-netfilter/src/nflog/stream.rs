//! The tokio listener: [`AsyncListener`] (feature `tokio`).
//!
//! # Contract
//! A thin driver over the shared core. Start-up and stop run their few requests on the
//! socket before it is registered with tokio (the kernel answers each inside the `send`, so
//! the bounded ACK wait returns at once; only a lost ACK would hold the thread, at most
//! [`ListenOptions::ACK_TIMEOUT`] per request). Reading receives without waiting while
//! datagrams are queued and registers for readiness only after `EAGAIN`
//! ([`AsyncSocket::poll_recv_bounded`]), so a burst is drained in one wake-up. Only the waker
//! of the latest poll is woken: poll from one task.

use std::pin::Pin;
use std::task::{Context, Poll};

use linx_netlink_sys::{AsyncSocket, Netns};

use super::blocking::start;
use super::config;
use super::core::{Core, configure};
use super::{Event, ListenOptions, NflogError};
use crate::subscription;

/// A tokio NFLOG listener: [`AsyncListener::next_event`] (or its `futures_core::Stream`
/// impl, or [`AsyncListener::poll_next_event`] for hand-written futures) yields the
/// events the [module docs](super) describe. The events end after a socket failure;
/// decode errors and [`Event::ResyncNeeded`] do not end them. Dropping it closes the socket.
///
/// ```no_run
/// use linx_netfilter::nflog::{AsyncListener, Event, ListenOptions};
///
/// # async fn demo() -> Result<(), linx_netfilter::nflog::NflogError> {
/// let mut log = AsyncListener::open(linx_netlink_sys::Netns::Host, &ListenOptions::new(5)?)?;
/// while let Some(ev) = log.next_event().await {
///     if let Event::Packet(p) = ev? {
///         println!("{:?} on hook {:?}", p.prefix, p.hook());
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AsyncListener {
    sock: AsyncSocket,
    core: Core,
    options: ListenOptions,
    rcvbuf: usize,
}

impl AsyncListener {
    /// Opens a listener in `netns` as [`Listener::open`](super::Listener::open) does, then
    /// registers its socket with tokio. Call inside a runtime with IO enabled.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::nflog::NflogError> {
    /// use linx_netfilter::nflog::{AsyncListener, ListenOptions};
    /// let log = AsyncListener::open(linx_netlink_sys::Netns::Pid(1234), &ListenOptions::new(7)?)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(netns: Netns, options: &ListenOptions) -> Result<AsyncListener, NflogError> {
        let (sock, core, rcvbuf) = start(netns, options)?;
        Ok(AsyncListener {
            sock: AsyncSocket::new(sock).map_err(NflogError::Open)?,
            core,
            options: options.clone(),
            rcvbuf,
        })
    }

    /// The receive buffer the kernel granted (see
    /// [`Listener::rcvbuf`](super::Listener::rcvbuf)).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::nflog::NflogError> {
    /// # let log = linx_netfilter::nflog::AsyncListener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// println!("{} bytes", log.rcvbuf());
    /// # Ok(())
    /// # }
    /// ```
    pub fn rcvbuf(&self) -> usize {
        self.rcvbuf
    }

    /// The options the listener was opened with.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::nflog::NflogError> {
    /// # let log = linx_netfilter::nflog::AsyncListener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// assert_eq!(log.options().group(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn options(&self) -> &ListenOptions {
        &self.options
    }

    /// The socket. Receiving on it directly takes events away from the listener.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::nflog::NflogError> {
    /// # let log = linx_netfilter::nflog::AsyncListener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// println!("port id {}", log.socket().get_ref().port_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn socket(&self) -> &AsyncSocket {
        &self.sock
    }

    /// Polls for the next event: `Ready(None)` once the listener ended (after a socket
    /// failure was yielded).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::nflog::NflogError> {
    /// # let mut log = linx_netfilter::nflog::AsyncListener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// let ev = std::future::poll_fn(|cx| log.poll_next_event(cx)).await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_next_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Event, NflogError>>> {
        subscription::poll_next(&self.sock, &mut self.core, cx)
    }

    /// The next event; `None` once the listener ended. Cancel-safe: dropping the future
    /// loses no event.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// # let mut log = linx_netfilter::nflog::AsyncListener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// match tokio::time::timeout(Duration::from_secs(1), log.next_event()).await {
    ///     Ok(Some(ev)) => println!("{}", ev?),
    ///     Ok(None) => println!("listener ended"),
    ///     Err(_) => println!("quiet for a second"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next_event(&mut self) -> Option<Result<Event, NflogError>> {
        std::future::poll_fn(|cx| self.poll_next_event(cx)).await
    }

    /// Stops cleanly as [`Listener::stop`](super::Listener::stop) does (`UNBIND`, then
    /// `PF_UNBIND` per family, each acknowledged), then closes the socket.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netfilter::nflog::NflogError> {
    /// # let log = linx_netfilter::nflog::AsyncListener::open(linx_netlink_sys::Netns::Host, &linx_netfilter::nflog::ListenOptions::new(1)?)?;
    /// log.stop()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn stop(mut self) -> Result<(), NflogError> {
        let reqs = config::stop(&self.options);
        configure(
            self.sock.get_ref(),
            &mut self.core,
            &reqs,
            self.options.group(),
            ListenOptions::ACK_TIMEOUT,
        )
    }
}

impl futures_core::Stream for AsyncListener {
    type Item = Result<Event, NflogError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_event(cx)
    }
}
