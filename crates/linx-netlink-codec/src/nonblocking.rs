//! The tokio driver: runs any [`Exchange`] on an [`AsyncSocket`].
//!
//! The same engine as [`blocking`](crate::blocking), and the same one loop
//! ([`AsyncDriver::step`]); this module only awaits: the socket's gate, readiness (through
//! `AsyncSocket`, which tries the receive first and awaits only after `WouldBlock`), the
//! engine's deadline (`tokio::time::timeout_at`) and tokio's cooperative budget.
//!
//! # Contract
//! - **Sharing.** Each exchange holds the socket's gate (`AsyncSocket::exclusive`) from its
//!   first send to its last reply: tasks sharing an `Arc<AsyncSocket>` are served one exchange
//!   at a time, in arrival order, and each reads exactly its own replies. A task must not
//!   start a second exchange on a socket while its own [`AsyncStream`] on it is unfinished:
//!   that second exchange would wait for the first forever.
//! - **Fairness.** Every datagram received, and every slice of 32 messages decoded, costs one
//!   unit of the task's tokio budget (`tokio::task::consume_budget`): a long dump, whose
//!   datagrams the kernel produces as fast as they are read, still yields to the runtime
//!   regularly, and `tokio::time::timeout` around it fires.
//! - **Cancellation.** Dropping an exchange's future or stream at any await leaves the socket
//!   marked dirty; the next exchange drains what is queued (the rest of an abandoned dump, late
//!   ACKs) before it sends, so nothing of the abandoned exchange reaches it.
//! - [`AsyncStream::next`] decodes replies as datagrams arrive (O(one datagram) memory).
//!
//! # Example
//! ```no_run
//! use linx_netlink_codec::{consts::*, Call, MsgView, Request};
//! use linx_netlink_sys::{AsyncSocket, Netns};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let sock = AsyncSocket::open(NETLINK_ROUTE, Netns::Host)?;
//! let req = Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16);
//! let mut links = Call::new(req, |m: &MsgView<'_>| Ok(m.bytes().len())).stream_async(&sock);
//! while let Some(ev) = links.next().await {
//!     println!("{:?}", ev?);
//! }
//! # Ok(()) }
//! ```

use std::time::Instant;

use linx_netlink_sys::{AsyncSocket, Exclusive};

use crate::engine::{Decoder, DumpEvent, Exchange, Inbox, Queue, Request, Talk};
use crate::error::Error;

/// Messages fed per unit of tokio budget (a 32 KiB route dump datagram holds ~270).
const FEED_SLICE: usize = 32;

/// One exchange's hold on a tokio socket and its receive state.
#[derive(Debug)]
pub struct AsyncDriver<'s> {
    sock: &'s AsyncSocket,
    gate: Exclusive<'s>,
    inbox: Inbox,
    now: Instant,
    clean: bool,
}

impl<'s> AsyncDriver<'s> {
    /// Take `sock` for one exchange (awaiting other exchanges) and drain what an abandoned
    /// exchange left queued.
    pub async fn new(sock: &'s AsyncSocket) -> Result<Self, Error> {
        let gate = sock.exclusive().await;
        if gate.is_dirty() {
            drain(sock).await;
            gate.set_dirty(false);
        }
        Ok(AsyncDriver {
            sock,
            gate,
            inbox: Inbox::new(),
            now: Instant::now(),
            clean: false,
        })
    }

    /// One turn of the loop (see [`blocking::Driver::step`](crate::blocking::Driver::step)).
    pub async fn step<M: Exchange + ?Sized>(&mut self, m: &mut M) -> Result<(), Error> {
        if !self.inbox.is_empty() {
            // A dump datagram holds up to 32 KiB of messages: spend budget per slice of it,
            // so even a dump of few datagrams yields to the runtime.
            tokio::task::consume_budget().await;
            return self.feed(m);
        }
        // Deadlines armed by a send count from now, not from the last datagram.
        self.now = Instant::now();
        loop {
            let sock = self.gate.socket();
            let Some(tx) = m.poll_transmit(self.now, &mut || sock.next_seq()) else {
                break;
            };
            self.clean = false;
            // Sending to the kernel does not wait in practice; `send` awaits writability if
            // it ever does. The datagram borrows `m`, so it is sent before `m` is touched.
            let sent = match sock.send(tx) {
                Err(e) if e.is_would_block() => {
                    let tx = tx.to_vec();
                    self.sock.send(&tx).await
                }
                other => other,
            };
            if let Err(e) = sent {
                m.handle_send_error(Instant::now(), e)?;
            }
        }
        if m.is_finished() {
            return Ok(());
        }
        tokio::task::consume_budget().await;
        // Acknowledgements have a known maximum size: read without a size probe.
        let bound = m.reply_bound();
        let (sock, buf) = (self.sock, &mut self.inbox.buf);
        let recv = async move {
            match bound {
                Some(b) => sock.recv_bounded(buf, b).await,
                None => sock.recv(buf).await,
            }
        };
        let res = match m.poll_timeout() {
            Some(d) => match tokio::time::timeout_at(d.into(), recv).await {
                Ok(r) => r,
                Err(_) => Err(linx_netlink_sys::Error::Timeout),
            },
            None => recv.await,
        };
        self.now = Instant::now();
        match res {
            Ok(_) => {
                self.inbox.received();
                self.feed(m)
            }
            Err(linx_netlink_sys::Error::Timeout) => m.handle_timeout(self.now),
            // Longer than anything the exchange uses: nothing of it is lost to the exchange.
            Err(linx_netlink_sys::Error::Truncated { .. }) if bound.is_some() => Ok(()),
            Err(e) => {
                m.handle_io_error(self.now, e)?;
                self.settle(m).await
            }
        }
    }

    /// After a socket error the exchange survived, read what is already queued before
    /// anything is sent (see [`blocking::Driver`](crate::blocking::Driver)).
    async fn settle<M: Exchange + ?Sized>(&mut self, m: &mut M) -> Result<(), Error> {
        for _ in 0..crate::blocking::DRAIN_MAX {
            if m.is_finished() {
                return Ok(());
            }
            tokio::task::consume_budget().await;
            match self.gate.socket().try_recv(&mut self.inbox.buf) {
                Ok(_) => {
                    self.now = Instant::now();
                    self.inbox.received();
                    while !self.inbox.is_empty() && !m.is_finished() {
                        self.feed(m)?;
                    }
                }
                Err(e) if e.is_would_block() => return Ok(()),
                Err(e) => m.handle_io_error(Instant::now(), e)?,
            }
        }
        Ok(())
    }

    fn feed<M: Exchange + ?Sized>(&mut self, m: &mut M) -> Result<(), Error> {
        self.inbox.feed(self.now, m, FEED_SLICE)?;
        if m.is_finished() {
            self.clean = !m.has_pending_replies();
        }
        Ok(())
    }

    /// Drive `m` to its result.
    pub async fn run<M: Exchange>(mut self, mut m: M) -> Result<M::Output, Error> {
        while !m.is_finished() {
            self.step(&mut m).await?;
        }
        Ok(m.finish())
    }
}

impl Drop for AsyncDriver<'_> {
    fn drop(&mut self) {
        if !self.clean {
            self.gate.set_dirty(true);
        }
    }
}

/// Read and drop whatever is queued, without waiting for more (but yielding to the runtime
/// as the budget asks: an abandoned dump can be long).
async fn drain(sock: &AsyncSocket) {
    let mut buf = Vec::new();
    for _ in 0..crate::blocking::DRAIN_MAX {
        tokio::task::consume_budget().await;
        // The bytes are not looked at: one syscall per datagram, a longer one dropped too.
        match sock
            .get_ref()
            .try_recv_bounded(&mut buf, linx_netlink_sys::RECV_MIN)
        {
            Ok(_) | Err(linx_netlink_sys::Error::Truncated { .. }) => {}
            Err(e) if e.errno() == Some(crate::Errno::ENOBUFS) => {}
            Err(_) => return,
        }
    }
}

/// Drive any [`Exchange`] on a tokio socket to its result.
pub async fn run<M: Exchange>(sock: &AsyncSocket, m: M) -> Result<M::Output, Error> {
    AsyncDriver::new(sock).await?.run(m).await
}

/// A reply being received asynchronously. Dropping it early leaves the socket dirty, and the
/// next exchange drains it.
#[must_use = "a stream does nothing unless polled with next()"]
pub struct AsyncStream<'s, D: Decoder> {
    sock: &'s AsyncSocket,
    driver: Option<AsyncDriver<'s>>,
    /// The socket was taken (set only once it was: a `next` future dropped while waiting
    /// for the socket must not make the stream look finished).
    started: bool,
    talk: Talk<D, Queue<D::Item>>,
}

impl<D: Decoder> std::fmt::Debug for AsyncStream<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncStream")
            .field("seq", &self.talk.seq())
            .field("restarts", &self.talk.restarts())
            .finish_non_exhaustive()
    }
}

/// Send `req` on `sock` and stream its reply through `dec`.
pub(crate) fn stream<D: Decoder>(sock: &AsyncSocket, req: Request, dec: D) -> AsyncStream<'_, D> {
    AsyncStream {
        sock,
        driver: None,
        started: false,
        talk: Talk::new(req, dec, Queue::default()),
    }
}

impl<D: Decoder> AsyncStream<'_, D> {
    /// The next event, or `None` when the reply is complete.
    pub async fn next(&mut self) -> Option<Result<DumpEvent<D::Item>, Error>> {
        if !self.started {
            match AsyncDriver::new(self.sock).await {
                Ok(d) => self.driver = Some(d),
                Err(e) => return Some(Err(e)),
            }
            self.started = true;
        }
        loop {
            if let Some(ev) = self.talk.sink_mut().pop() {
                return Some(ev);
            }
            if self.talk.is_finished() {
                // Let go of the socket now, not when the stream is dropped.
                self.driver = None;
                return self.talk.take_error().map(Err);
            }
            // No driver while unfinished: a step failed and its error was reported.
            let driver = self.driver.as_mut()?;
            if let Err(e) = driver.step(&mut self.talk).await {
                self.driver = None;
                return Some(Err(e));
            }
        }
    }

    /// Restarts so far (after `NLM_F_DUMP_INTR`).
    pub fn retries(&self) -> u32 {
        self.talk.restarts()
    }
}
