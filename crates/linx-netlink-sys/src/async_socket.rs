//! The tokio flavour: [`AsyncSocket`], a [`Socket`] registered with the
//! reactor (feature `tokio`).
//!
//! All socket logic stays in [`Socket`]; this type only adds readiness. It
//! follows the pattern of tokio's `AsyncFd` docs: try the nonblocking call
//! first, await readiness only after `EAGAIN`, and clear readiness only when a
//! call made under the readiness guard says `EAGAIN`.
//!
//! # Contract
//!
//! - The socket is switched to nonblocking mode for good and registered with
//!   the current tokio runtime: [`AsyncSocket::new`] and [`AsyncSocket::open`]
//!   panic outside a runtime with IO enabled (as `AsyncFd::new` does).
//! - No timeouts here: wrap calls in `tokio::time::timeout` when you need one.
//!   Dropping a `recv` future loses nothing: a datagram is only taken from the
//!   kernel inside a single synchronous `try_recv`.
//! - Readiness is edge-triggered: a reader should drain (call `recv` until it
//!   would wait) rather than assume one wake-up means one datagram; `recv`
//!   does that bookkeeping itself.
//! - [`AsyncSocket::open`] for another namespace blocks the calling task while
//!   the helper thread enters it (a few tens of microseconds).

use std::io::IoSlice;
use std::task::{Context, Poll};

use tokio::io::unix::AsyncFd;

use crate::{Errno, Error, Exclusive, Netns, Socket, Stage};

/// A [`Socket`] driven by tokio readiness.
///
/// ```no_run
/// use linx_netlink_sys::{AsyncSocket, Netns};
///
/// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
/// let sock = AsyncSocket::open(0, Netns::Host)?;
/// sock.get_ref().add_membership(1 /* RTNLGRP_LINK */)?;
/// let mut buf = Vec::new();
/// loop {
///     let n = sock.recv(&mut buf).await?;
///     println!("link event: {n} bytes");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct AsyncSocket {
    inner: AsyncFd<Socket>,
}

impl AsyncSocket {
    /// Makes `socket` nonblocking and registers it with the current runtime.
    ///
    /// ```no_run
    /// use linx_netlink_sys::{AsyncSocket, Netns, Socket};
    ///
    /// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
    /// let sock = Socket::open(0, Netns::Host)?;
    /// sock.set_rcvbuf(4 << 20)?;
    /// let sock = AsyncSocket::new(sock)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(socket: Socket) -> Result<AsyncSocket, Error> {
        socket.set_nonblocking(true)?;
        // SAFETY: `Socket` owns its fd (an `OwnedFd` it never replaces and
        // only closes when dropped), so the fd stays open and `as_raw_fd`
        // returns the same descriptor for as long as the `AsyncFd` owns it.
        let inner =
            unsafe { AsyncFd::register(socket) }.map_err(|e| poll_error(e.into_parts().1))?;
        Ok(AsyncSocket { inner })
    }

    /// [`Socket::open`] followed by [`AsyncSocket::new`].
    ///
    /// ```no_run
    /// use linx_netlink_sys::{AsyncSocket, Netns};
    ///
    /// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
    /// let sock = AsyncSocket::open(12 /* NETLINK_NETFILTER */, Netns::Pid(1234))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(protocol: i32, netns: Netns) -> Result<AsyncSocket, Error> {
        AsyncSocket::new(Socket::open(protocol, netns)?)
    }

    /// The underlying socket, for options, `port_id` and `next_seq`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
    /// # let sock = linx_netlink_sys::AsyncSocket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let seq = sock.get_ref().next_seq();
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_ref(&self) -> &Socket {
        self.inner.get_ref()
    }

    /// Waits, without blocking the runtime, until no other exchange uses the
    /// socket, then holds it (see [`Socket::exclusive`]; blocking and tokio
    /// users share one gate, and tokio waiters are served in arrival order).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
    /// # let sock = linx_netlink_sys::AsyncSocket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let mine = sock.exclusive().await;
    /// assert!(sock.get_ref().try_exclusive().is_none());
    /// drop(mine);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn exclusive(&self) -> Exclusive<'_> {
        self.get_ref().gate.acquire_async().await;
        Exclusive::new(self.get_ref())
    }

    /// Sends one datagram to the kernel, waiting for writability if the
    /// kernel pushes back.
    ///
    /// ```no_run
    /// # async fn demo(request: &[u8]) -> Result<(), linx_netlink_sys::Error> {
    /// # let sock = linx_netlink_sys::AsyncSocket::open(0, linx_netlink_sys::Netns::Host)?;
    /// sock.send(request).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send(&self, buf: &[u8]) -> Result<usize, Error> {
        self.write_with(|s| s.send(buf)).await
    }

    /// Sends the concatenation of `bufs` as one datagram, like
    /// [`Socket::send_vectored`].
    ///
    /// ```no_run
    /// use std::io::IoSlice;
    /// # async fn demo(head: &[u8], body: &[u8]) -> Result<(), linx_netlink_sys::Error> {
    /// # let sock = linx_netlink_sys::AsyncSocket::open(12, linx_netlink_sys::Netns::Host)?;
    /// sock.send_vectored(&[IoSlice::new(head), IoSlice::new(body)]).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize, Error> {
        self.write_with(|s| s.send_vectored(bufs)).await
    }

    /// Receives one whole datagram into `buf` (cleared first, grown as
    /// needed), like [`Socket::try_recv`] but waiting for one to arrive.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
    /// # let sock = linx_netlink_sys::AsyncSocket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let mut buf = Vec::new();
    /// let n = tokio::time::timeout(std::time::Duration::from_secs(1), sock.recv(&mut buf))
    ///     .await
    ///     .map_err(|_| linx_netlink_sys::Error::Timeout)??;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv(&self, buf: &mut Vec<u8>) -> Result<usize, Error> {
        match self.get_ref().try_recv(buf) {
            Err(e) if e.is_would_block() => {}
            done => return done,
        }
        loop {
            let mut guard = self.inner.readable().await.map_err(poll_error)?;
            match guard.get_inner().try_recv(buf) {
                Err(e) if e.is_would_block() => guard.clear_ready(),
                done => return done,
            }
        }
    }

    /// Receives one datagram of at most `bound` bytes without probing its
    /// size first, like [`Socket::recv_bounded`] (a longer one is lost and
    /// reported as [`Error::Truncated`]), waiting for one to arrive.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
    /// # let sock = linx_netlink_sys::AsyncSocket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let mut buf = Vec::new();
    /// let n = sock.recv_bounded(&mut buf, 4096).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv_bounded(&self, buf: &mut Vec<u8>, bound: usize) -> Result<usize, Error> {
        match self.get_ref().try_recv_bounded(buf, bound) {
            Err(e) if e.is_would_block() => {}
            done => return done,
        }
        loop {
            let mut guard = self.inner.readable().await.map_err(poll_error)?;
            match guard.get_inner().try_recv_bounded(buf, bound) {
                Err(e) if e.is_would_block() => guard.clear_ready(),
                done => return done,
            }
        }
    }

    /// Polls for one datagram of at most `bound` bytes, like
    /// [`AsyncSocket::recv_bounded`], for hand-written futures and streams.
    ///
    /// Tries the nonblocking receive first and registers `cx`'s waker only
    /// after it would block (only the waker of the latest call is woken), so
    /// a caller that polls again after each `Ready` drains the socket before
    /// it ever waits.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), linx_netlink_sys::Error> {
    /// # let sock = linx_netlink_sys::AsyncSocket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let mut buf = Vec::new();
    /// let n = std::future::poll_fn(|cx| sock.poll_recv_bounded(cx, &mut buf, 64 << 10)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_recv_bounded(
        &self,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
        bound: usize,
    ) -> Poll<Result<usize, Error>> {
        match self.get_ref().try_recv_bounded(buf, bound) {
            Err(e) if e.is_would_block() => {}
            done => return Poll::Ready(done),
        }
        loop {
            let mut guard = match self.inner.poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(poll_error(e))),
                Poll::Ready(Ok(guard)) => guard,
            };
            match guard.get_inner().try_recv_bounded(buf, bound) {
                Err(e) if e.is_would_block() => guard.clear_ready(),
                done => return Poll::Ready(done),
            }
        }
    }

    async fn write_with(
        &self,
        mut call: impl FnMut(&Socket) -> Result<usize, Error>,
    ) -> Result<usize, Error> {
        match call(self.get_ref()) {
            Err(e) if e.is_would_block() => {}
            done => return done,
        }
        loop {
            let mut guard = self.inner.writable().await.map_err(poll_error)?;
            match call(guard.get_inner()) {
                Err(e) if e.is_would_block() => guard.clear_ready(),
                done => return done,
            }
        }
    }
}

/// Reactor registration and readiness errors (`epoll_ctl(2)`) belong to
/// [`Stage::Poll`].
fn poll_error(e: std::io::Error) -> Error {
    Error::Os {
        stage: Stage::Poll,
        errno: e.raw_os_error().map_or(Errno::EIO, Errno::from_raw),
    }
}
