//! The blocking driver: runs any [`Exchange`] on a [`Socket`] in blocking mode.
//!
//! It holds no protocol logic and has one loop ([`Driver::step`]): send what the exchange
//! asks, receive one datagram with the exchange's deadline as `poll(2)` timeout, feed its
//! messages. [`run`] drives an exchange to its result; [`Stream`] hands a reply's items out
//! as they arrive.
//!
//! # Contract
//! - **Sharing.** Each exchange holds the socket's gate ([`Socket::exclusive`]) from its first
//!   send to its last reply: threads sharing a `&Socket` are served one exchange at a time and
//!   each reads exactly its own replies. A thread that asks for a second exchange while its
//!   own [`Stream`] is unfinished gets [`Error::Busy`] (not a deadlock).
//! - **Clean socket.** An exchange that ends before its reply was read to the end (an error,
//!   a timeout, a dropped [`Stream`]) marks the socket dirty; the next exchange first drains
//!   the receive queue without waiting (the kernel produces the rest of an abandoned dump
//!   inside those reads), so stray replies never reach it and the kernel never answers its
//!   dump with `EBUSY`.
//! - **Memory.** [`Stream`] decodes replies as datagrams arrive: O(one datagram) however long
//!   the dump.
//! - **Bounds.** Every wait for a reply has the exchange's deadline. Waiting for the socket
//!   itself has none: it lasts as long as the exchange ahead (itself bounded by its
//!   deadlines), or as long as another thread keeps an unfinished [`Stream`] alive.
//!
//! # Example
//! ```no_run
//! use linx_netlink_codec::{consts::*, Call, MsgView, Request};
//! use linx_netlink_sys::{Netns, Socket};
//!
//! let sock = Socket::open(NETLINK_ROUTE, Netns::Host)?;
//! let req = Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16);
//! let links = Call::new(req, |m: &MsgView<'_>| Ok(m.bytes().len())).collect(&sock)?;
//! println!("{} links, {} retries", links.items.len(), links.retries);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Instant;

use linx_netlink_sys::{Exclusive, Socket};

use crate::engine::{Decoder, DumpEvent, Exchange, Inbox, Queue, Request, Talk};
use crate::error::Error;

/// The most datagrams a drain reads before giving up (a runaway multicast flood).
pub(crate) const DRAIN_MAX: usize = 1 << 20;

/// One exchange's hold on a blocking socket and its receive state.
#[derive(Debug)]
pub struct Driver<'s> {
    sock: Exclusive<'s>,
    inbox: Inbox,
    /// The clock, read once per datagram (not per message).
    now: Instant,
    /// The exchange finished through its replies (nothing of it left queued).
    clean: bool,
}

impl<'s> Driver<'s> {
    /// Take `sock` for one exchange (waiting for other exchanges to finish) and drain what an
    /// abandoned exchange left queued.
    pub fn new(sock: &'s Socket) -> Result<Self, Error> {
        let sock = sock.exclusive().ok_or(Error::Busy)?;
        if sock.is_dirty() {
            drain(&sock);
            sock.set_dirty(false);
        }
        Ok(Driver {
            sock,
            inbox: Inbox::new(),
            now: Instant::now(),
            clean: false,
        })
    }

    /// One turn of the loop: feed the rest of the current datagram if any; otherwise send
    /// what is due and wait (up to the exchange's deadline) for the next datagram.
    pub fn step<M: Exchange + ?Sized>(&mut self, m: &mut M) -> Result<(), Error> {
        if !self.inbox.is_empty() {
            return self.feed(m);
        }
        if self.receive(m)? {
            self.feed(m)?;
        }
        Ok(())
    }

    /// Send what is due and wait for the next datagram; `Ok(true)` when one was received
    /// and is waiting in the inbox, unfed.
    fn receive<M: Exchange + ?Sized>(&mut self, m: &mut M) -> Result<bool, Error> {
        // Deadlines armed by a send count from now, not from the last datagram.
        self.now = Instant::now();
        while let Some(tx) = m.poll_transmit(self.now, &mut || self.sock.next_seq()) {
            // Something is in flight again: not clean until its replies are read.
            self.clean = false;
            if let Err(e) = self.sock.send(tx) {
                let now = Instant::now();
                m.handle_send_error(now, e)?;
            }
        }
        if m.is_finished() {
            return Ok(false);
        }
        let timeout = m
            .poll_timeout()
            .map(|d| d.saturating_duration_since(Instant::now()));
        // Acknowledgements have a known maximum size: read them with one syscall, without
        // probing the size first.
        let bound = m.reply_bound();
        let got = match bound {
            Some(b) => self.sock.recv_bounded(&mut self.inbox.buf, b, timeout),
            None => self.sock.recv(&mut self.inbox.buf, timeout),
        };
        match got {
            Ok(_) => {
                self.now = Instant::now();
                self.inbox.received();
                Ok(true)
            }
            // Longer than anything the exchange uses: nothing of it is lost to the exchange.
            Err(linx_netlink_sys::Error::Truncated { .. }) if bound.is_some() => {
                self.now = Instant::now();
                Ok(false)
            }
            Err(linx_netlink_sys::Error::Timeout) => {
                self.now = Instant::now();
                m.handle_timeout(self.now).map(|()| false)
            }
            Err(e) => {
                self.now = Instant::now();
                m.handle_io_error(self.now, e)?;
                self.settle(m).map(|()| false)
            }
        }
    }

    /// After a socket error the exchange survived (replies lost to `ENOBUFS`), read what is
    /// already queued before anything is sent: an overflowed netlink socket drops every new
    /// message until its queue has been read empty.
    fn settle<M: Exchange + ?Sized>(&mut self, m: &mut M) -> Result<(), Error> {
        for _ in 0..DRAIN_MAX {
            if m.is_finished() {
                return Ok(());
            }
            match self.sock.try_recv(&mut self.inbox.buf) {
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

    /// After a message was handled outside [`feed`](Self::feed): the exchange that finished
    /// through its replies leaves the socket clean.
    #[inline]
    fn note_progress<M: Exchange + ?Sized>(&mut self, m: &M) {
        if m.is_finished() {
            self.clean = !m.has_pending_replies();
        }
    }

    fn feed<M: Exchange + ?Sized>(&mut self, m: &mut M) -> Result<(), Error> {
        self.inbox.feed(self.now, m, usize::MAX)?;
        self.note_progress(m);
        Ok(())
    }

    /// Drive `m` to its result.
    pub fn run<M: Exchange>(mut self, mut m: M) -> Result<M::Output, Error> {
        while !m.is_finished() {
            self.step(&mut m)?;
        }
        Ok(m.finish())
    }
}

impl Drop for Driver<'_> {
    fn drop(&mut self) {
        if !self.clean {
            self.sock.set_dirty(true);
        }
    }
}

/// Read and drop whatever is queued, without waiting (one syscall per datagram: the bytes
/// are not looked at, so a datagram longer than the buffer is dropped as well).
fn drain(sock: &Socket) {
    let mut buf = Vec::new();
    for _ in 0..DRAIN_MAX {
        match sock.try_recv_bounded(&mut buf, linx_netlink_sys::RECV_MIN) {
            Ok(_) | Err(linx_netlink_sys::Error::Truncated { .. }) => {}
            // Overflow is reported once and the queue goes on: keep reading.
            Err(e) if e.errno() == Some(crate::Errno::ENOBUFS) => {}
            Err(_) => return,
        }
    }
}

/// Drive any [`Exchange`] on a blocking socket to its result.
///
/// ```no_run
/// use linx_netlink_codec::{blocking, consts::*, engine::{Collect, Talk}, MsgView, Request};
/// # let sock = linx_netlink_sys::Socket::open(NETLINK_ROUTE, linx_netlink_sys::Netns::Host)?;
/// let req = Request::dump(RTM_GETLINK, vec![0; 16]);
/// let talk = Talk::new(req, |m: &MsgView<'_>| Ok(m.kind()), Collect::default());
/// let links = blocking::run(&sock, talk)??;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run<M: Exchange>(sock: &Socket, m: M) -> Result<M::Output, Error> {
    Driver::new(sock)?.run(m)
}

/// A reply being received: an iterator of [`DumpEvent`]s, decoded as datagrams arrive.
/// Dropping it early leaves the socket dirty, and the next exchange drains it.
#[must_use = "a stream does nothing unless iterated"]
pub struct Stream<'s, D: Decoder> {
    driver: Result<Driver<'s>, Option<Error>>,
    talk: Talk<D, Queue<D::Item>>,
}

impl<D: Decoder> std::fmt::Debug for Stream<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("seq", &self.talk.seq())
            .field("restarts", &self.talk.restarts())
            .finish_non_exhaustive()
    }
}

/// Send `req` on `sock` and stream its reply through `dec`.
pub(crate) fn stream<D: Decoder>(sock: &Socket, req: Request, dec: D) -> Stream<'_, D> {
    Stream {
        driver: Driver::new(sock).map_err(Some),
        talk: Talk::new(req, dec, Queue::default()),
    }
}

impl<D: Decoder> Stream<'_, D> {
    /// Restarts so far (after `NLM_F_DUMP_INTR`).
    pub fn retries(&self) -> u32 {
        self.talk.restarts()
    }
}

impl<D: Decoder> Iterator for Stream<'_, D> {
    type Item = Result<DumpEvent<D::Item>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let driver = match &mut self.driver {
            Ok(d) => d,
            Err(e) => return e.take().map(Err),
        };
        loop {
            if let Some(ev) = self.talk.sink_mut().pop() {
                return Some(ev);
            }
            if self.talk.is_finished() {
                // Let go of the socket now, not when the stream is dropped.
                self.driver = Err(None);
                return self.talk.take_error().map(Err);
            }
            // The messages of the datagram at hand: an item is decoded straight into the
            // caller's hands (no trip through the queue, which only carries restarts).
            let res = match driver.inbox.next_msg() {
                Some(Ok(msg)) => match self.talk.classify(driver.now, &msg) {
                    Ok(true) => {
                        let item = self.talk.decode(&msg);
                        driver.note_progress(&self.talk);
                        return Some(match item {
                            Ok(t) => Ok(DumpEvent::Item(t)),
                            Err(e) => Err(e.into()),
                        });
                    }
                    Ok(false) => {
                        driver.note_progress(&self.talk);
                        Ok(())
                    }
                    // As in `feed`: an exchange that failed on a message leaves the socket
                    // dirty (the rest of its datagram and reply is drained by the next one).
                    Err(e) => Err(e),
                },
                Some(Err(e)) => self
                    .talk
                    .handle_malformed(e)
                    .map(|()| driver.note_progress(&self.talk)),
                // The next datagram, or a timeout / socket error handled as `step` does.
                None => driver.receive(&mut self.talk).map(drop),
            };
            if let Err(e) = res {
                self.driver = Err(None);
                return Some(Err(e));
            }
        }
    }
}
