//! The receive loop every multicast reader of this crate shares (the nf_tables
//! [`monitor`](crate::monitor) and the [`nflog`](crate::nflog) listener): one engine trait and
//! the three drivers written once against it.
//!
//! Why: both readers are the same loop around different protocol logic: take what the
//! engine has queued, else receive one datagram into its buffer and hand the outcome over,
//! where `ENOBUFS` (or a datagram too long) means "notifications were lost" and any other
//! failure ends the reader. The loop, the timeout arithmetic and the overrun test live here;
//! what a datagram means stays in each engine.
//!
//! # Contract
//! - An engine is sans-IO: [`Engine::poll_step`] yields queued items, asks for a receive, or
//!   reports the failure that ended it; [`Engine::handle_recv`] takes a receive's outcome
//!   (into [`Engine::recv_buf`], at most [`Engine::MAX_DATAGRAM`] bytes).
//! - The drivers hold no protocol logic. Timeouts and `EAGAIN` never reach an engine.

#[cfg(feature = "tokio")]
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use linx_netlink_sys::{Errno, Socket};

/// What an engine has for its driver.
#[derive(Debug)]
pub(crate) enum Step<T, E> {
    /// Yield this item.
    Item(Result<T, E>),
    /// Nothing queued: receive the next datagram.
    Recv,
    /// A socket failure (this one) was reported: the reader is finished.
    Ended(linx_netlink_sys::Error),
}

/// The protocol side of a multicast reader.
pub(crate) trait Engine {
    /// What the reader yields.
    type Item;
    /// Its error.
    type Error;
    /// The longest datagram received (one `recvmsg` into a buffer of this bound).
    const MAX_DATAGRAM: usize;
    /// The next queued item, or what to do instead.
    fn poll_step(&mut self) -> Step<Self::Item, Self::Error>;
    /// The buffer to receive into.
    fn recv_buf(&mut self) -> &mut Vec<u8>;
    /// A receive's outcome; an item to yield at once, if any (else poll again).
    fn handle_recv(
        &mut self,
        got: Result<usize, linx_netlink_sys::Error>,
    ) -> Option<Result<Self::Item, Self::Error>>;
    /// The error a finished reader keeps returning from `next_timeout`.
    fn ended(e: linx_netlink_sys::Error) -> Self::Error;
}

/// Whether a receive failure means messages were lost but the socket is fine: `ENOBUFS`,
/// or a datagram longer than the bound (cut, so lost).
pub(crate) fn is_overrun(e: &linx_netlink_sys::Error) -> bool {
    e.errno() == Some(Errno::ENOBUFS) || matches!(e, linx_netlink_sys::Error::Truncated { .. })
}

/// The next item, waiting at most `timeout` on a blocking socket: `Ok(None)` when none came.
pub(crate) fn next_timeout<E: Engine>(
    sock: &Socket,
    eng: &mut E,
    timeout: Duration,
) -> Result<Option<E::Item>, E::Error> {
    let deadline = Instant::now().checked_add(timeout);
    loop {
        match eng.poll_step() {
            Step::Item(item) => return item.map(Some),
            Step::Ended(e) => return Err(E::ended(e)),
            Step::Recv => {}
        }
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let got = sock.recv_bounded(eng.recv_buf(), E::MAX_DATAGRAM, left);
        if let Err(linx_netlink_sys::Error::Timeout) = got {
            return Ok(None);
        }
        if let Some(item) = eng.handle_recv(got) {
            return item.map(Some);
        }
    }
}

/// The next item, waiting as long as it takes; `None` once the reader ended.
pub(crate) fn next<E: Engine>(sock: &Socket, eng: &mut E) -> Option<Result<E::Item, E::Error>> {
    loop {
        match eng.poll_step() {
            Step::Item(item) => return Some(item),
            Step::Ended(_) => return None,
            Step::Recv => {}
        }
        let got = sock.recv_bounded(eng.recv_buf(), E::MAX_DATAGRAM, None);
        if let Some(item) = eng.handle_recv(got) {
            return Some(item);
        }
    }
}

/// Polls for the next item on a tokio socket: receives without waiting while datagrams are
/// queued, registers for readiness only after `EAGAIN`.
#[cfg(feature = "tokio")]
pub(crate) fn poll_next<E: Engine>(
    sock: &linx_netlink_sys::AsyncSocket,
    eng: &mut E,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<E::Item, E::Error>>> {
    loop {
        match eng.poll_step() {
            Step::Item(item) => return Poll::Ready(Some(item)),
            Step::Ended(_) => return Poll::Ready(None),
            Step::Recv => {}
        }
        let got = match sock.poll_recv_bounded(cx, eng.recv_buf(), E::MAX_DATAGRAM) {
            Poll::Ready(got) => got,
            Poll::Pending => return Poll::Pending,
        };
        if let Some(item) = eng.handle_recv(got) {
            return Poll::Ready(Some(item));
        }
    }
}
