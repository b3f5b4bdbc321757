//! The blocking driver: runs the [engine](crate::engine) on a [`Socket`] in blocking mode.
//!
//! It holds no protocol logic: it sends what the engine asks, receives one datagram at a time
//! with the engine's deadline as `poll(2)` timeout, and hands events to the caller.
//!
//! # Contract
//! - One exchange at a time per socket: drive a socket from one thread at a time (another
//!   reader could swallow this exchange's replies). Sequence numbers come from the socket.
//! - [`Stream`] decodes replies as datagrams arrive: memory stays O(one datagram) however
//!   long the dump.
//! - Dropping an unfinished [`Stream`] drains the rest of its reply without blocking (the
//!   kernel produces dump chunks inside `recvmsg`), so the socket is ready for the next request.
//!
//! # Example
//! ```no_run
//! use linx_netlink_codec::{blocking, consts::*, Request};
//! use linx_netlink_sys::{Netns, Socket};
//!
//! let sock = Socket::open(NETLINK_ROUTE, Netns::Host)?;
//! let req = Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16);
//! let links = blocking::collect(&sock, req, |m: &linx_netlink_codec::MsgView<'_>| Ok(m.bytes().len()))?;
//! println!("{} links, {} retries", links.items.len(), links.retries);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Instant;

use linx_netlink_sys::Socket;

use crate::engine::{Action, Collector, Decoder, Discard, DumpEvent, Dumped, Pump, Request};
use crate::error::Error;

/// A reply being received: an iterator of [`DumpEvent`]s, decoded as datagrams arrive.
#[must_use = "a stream does nothing unless iterated"]
pub struct Stream<'s, D: Decoder> {
    sock: &'s Socket,
    pump: Pump,
    dec: D,
    /// The clock, read once per datagram (not per message).
    now: Instant,
}

impl<D: Decoder> std::fmt::Debug for Stream<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("pump", &self.pump)
            .finish_non_exhaustive()
    }
}

/// Send `req` on `sock` and stream its reply through `dec`.
pub fn stream<D: Decoder>(sock: &Socket, req: Request, dec: D) -> Stream<'_, D> {
    Stream {
        sock,
        pump: Pump::new(req),
        dec,
        now: Instant::now(),
    }
}

/// Send `req` and collect every decoded reply message (a dump, typically).
pub fn collect<D: Decoder>(sock: &Socket, req: Request, dec: D) -> Result<Dumped<D::Item>, Error> {
    stream(sock, req, dec).collect_all()
}

/// Send `req` with `NLM_F_ACK` and wait for the kernel's acknowledgement.
pub fn ack(sock: &Socket, req: Request) -> Result<(), Error> {
    for ev in stream(sock, req.with_ack(), Discard) {
        ev?;
    }
    Ok(())
}

/// Send `req` and return its first decoded reply message (`None` if the kernel sent only an
/// ACK or an empty dump). The rest of the reply is drained.
pub fn single<D: Decoder>(sock: &Socket, req: Request, dec: D) -> Result<Option<D::Item>, Error> {
    let mut first = crate::engine::First(None);
    for ev in stream(sock, req, dec) {
        first.feed(ev?);
    }
    Ok(first.0)
}

/// Send `reqs` pipelined, `window` per datagram, and return each request's result in order.
/// A kernel refusal of one request does not stop the others; the outer `Err` is for transport
/// failures (socket error, timeout).
///
/// ```no_run
/// use linx_netlink_codec::{blocking, consts::*, Request};
/// # let sock = linx_netlink_sys::Socket::open(NETLINK_ROUTE, linx_netlink_sys::Netns::Host)?;
/// let reqs: Vec<Request> = Vec::new(); // e.g. 10k RTM_NEWROUTE requests
/// for r in blocking::ack_all(&sock, reqs, 128)? {
///     r?;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ack_all(
    sock: &Socket,
    reqs: Vec<Request>,
    window: usize,
) -> Result<Vec<Result<(), crate::NetlinkError>>, Error> {
    run(sock, crate::pipeline::AckPipeline::new(reqs, window))
}

/// Drive any [`Machine`](crate::engine::Machine) on a blocking socket to its result.
pub fn run<M: crate::engine::Machine>(sock: &Socket, mut m: M) -> Result<M::Output, Error> {
    let mut buf = Vec::with_capacity(crate::engine::RECV_BUFFER);
    while !m.is_finished() {
        while let Some(tx) = m.poll_transmit(Instant::now(), &mut || sock.next_seq()) {
            sock.send(tx)?;
        }
        if m.is_finished() {
            break;
        }
        let timeout = m
            .poll_timeout()
            .map(|d| d.saturating_duration_since(Instant::now()));
        match sock.recv(&mut buf, timeout) {
            Ok(_) => {}
            Err(linx_netlink_sys::Error::Timeout) => {
                m.handle_timeout(Instant::now())?;
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        let now = Instant::now();
        for msg in crate::MsgIter::new(&buf) {
            m.handle_message(now, &msg?)?;
        }
    }
    Ok(m.finish())
}

impl<D: Decoder> Stream<'_, D> {
    /// Run the reply to its end and collect it. Restarts discard what came before; an item
    /// that fails to decode fails the whole collection (after the reply was drained).
    pub fn collect_all(mut self) -> Result<Dumped<D::Item>, Error> {
        let mut c = Collector::new();
        while let Some(ev) = self.next() {
            if !c.feed(ev, self.pump.is_finished()) {
                break;
            }
        }
        c.finish()
    }

    /// Restarts so far (after `NLM_F_DUMP_INTR`).
    pub fn retries(&self) -> u32 {
        self.pump.exchange().restarts()
    }
}

impl<D: Decoder> Iterator for Stream<'_, D> {
    type Item = Result<DumpEvent<D::Item>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.pump.poll(self.now, &mut self.dec) {
                Action::Event(ev) => return Some(ev),
                Action::Finished => return None,
                Action::Transmit => {
                    let seq = self.sock.next_seq();
                    self.now = Instant::now();
                    let bytes = self.pump.transmit(self.now, seq);
                    if let Err(e) = self.sock.send(bytes) {
                        return Some(Err(self.pump.handle_io_error(e)));
                    }
                }
                Action::Receive { deadline } => {
                    let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                    match self.sock.recv(self.pump.recv_buffer(), timeout) {
                        Ok(_) => {
                            self.now = Instant::now();
                            self.pump.handle_received()
                        }
                        Err(linx_netlink_sys::Error::Timeout) => {
                            return Some(Err(self.pump.handle_timeout(Instant::now())));
                        }
                        Err(e) => return Some(Err(self.pump.handle_io_error(e))),
                    }
                }
            }
        }
    }
}

impl<D: Decoder> Drop for Stream<'_, D> {
    fn drop(&mut self) {
        while self.pump.drain_step(Instant::now()) {
            match self.sock.try_recv(self.pump.recv_buffer()) {
                Ok(_) => self.pump.handle_received(),
                Err(_) => break,
            }
        }
    }
}
