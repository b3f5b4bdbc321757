//! The tokio driver: runs the [engine](crate::engine) on an [`AsyncSocket`].
//!
//! The same engine as [`blocking`](crate::blocking); this module only awaits readiness
//! (through `AsyncSocket`, which tries the receive first and awaits only after `WouldBlock`)
//! and applies the engine's deadline with `tokio::time::timeout_at`.
//!
//! # Contract
//! - One exchange at a time per socket.
//! - [`AsyncStream::next`] decodes replies as datagrams arrive (O(one datagram) memory).
//! - Dropping an unfinished stream drains what is queued without blocking or awaiting, like
//!   the blocking driver, so the socket is ready for the next request.
//!
//! # Example
//! ```no_run
//! use linx_netlink_codec::{nonblocking, consts::*, MsgView, Request};
//! use linx_netlink_sys::{AsyncSocket, Netns};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let sock = AsyncSocket::open(NETLINK_ROUTE, Netns::Host)?;
//! let req = Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16);
//! let mut links = nonblocking::stream(&sock, req, |m: &MsgView<'_>| Ok(m.bytes().len()));
//! while let Some(ev) = links.next().await {
//!     println!("{:?}", ev?);
//! }
//! # Ok(()) }
//! ```

use std::time::Instant;

use linx_netlink_sys::AsyncSocket;

use crate::engine::{Action, Collector, Decoder, Discard, DumpEvent, Dumped, Pump, Request};
use crate::error::Error;

/// A reply being received asynchronously.
#[must_use = "a stream does nothing unless polled with next()"]
pub struct AsyncStream<'s, D: Decoder> {
    sock: &'s AsyncSocket,
    pump: Pump,
    dec: D,
    /// The clock, read once per datagram (not per message).
    now: Instant,
}

impl<D: Decoder> std::fmt::Debug for AsyncStream<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncStream")
            .field("pump", &self.pump)
            .finish_non_exhaustive()
    }
}

/// Send `req` on `sock` and stream its reply through `dec`.
pub fn stream<D: Decoder>(sock: &AsyncSocket, req: Request, dec: D) -> AsyncStream<'_, D> {
    AsyncStream {
        sock,
        pump: Pump::new(req),
        dec,
        now: Instant::now(),
    }
}

/// Send `req` and collect every decoded reply message.
pub async fn collect<D: Decoder>(
    sock: &AsyncSocket,
    req: Request,
    dec: D,
) -> Result<Dumped<D::Item>, Error> {
    stream(sock, req, dec).collect_all().await
}

/// Send `req` with `NLM_F_ACK` and wait for the acknowledgement.
pub async fn ack(sock: &AsyncSocket, req: Request) -> Result<(), Error> {
    let mut s = stream(sock, req.with_ack(), Discard);
    while let Some(ev) = s.next().await {
        ev?;
    }
    Ok(())
}

/// Send `req` and return its first decoded reply message; the rest is drained.
pub async fn single<D: Decoder>(
    sock: &AsyncSocket,
    req: Request,
    dec: D,
) -> Result<Option<D::Item>, Error> {
    let mut first = crate::engine::First(None);
    let mut s = stream(sock, req, dec);
    while let Some(ev) = s.next().await {
        first.feed(ev?);
    }
    Ok(first.0)
}

/// Send `reqs` pipelined, `window` per datagram; each request's result in order (see
/// [`blocking::ack_all`](crate::blocking::ack_all)).
pub async fn ack_all(
    sock: &AsyncSocket,
    reqs: Vec<Request>,
    window: usize,
) -> Result<Vec<Result<(), crate::NetlinkError>>, Error> {
    run(sock, crate::pipeline::AckPipeline::new(reqs, window)).await
}

/// Drive any [`Machine`](crate::engine::Machine) on a tokio socket to its result.
pub async fn run<M: crate::engine::Machine>(
    sock: &AsyncSocket,
    mut m: M,
) -> Result<M::Output, Error> {
    let mut buf = Vec::with_capacity(crate::engine::RECV_BUFFER);
    while !m.is_finished() {
        loop {
            let tx = m
                .poll_transmit(Instant::now(), &mut || sock.get_ref().next_seq())
                .map(<[u8]>::to_vec);
            match tx {
                Some(tx) => {
                    sock.send(&tx).await?;
                }
                None => break,
            }
        }
        if m.is_finished() {
            break;
        }
        let recv = sock.recv(&mut buf);
        match m.poll_timeout() {
            Some(d) => match tokio::time::timeout_at(d.into(), recv).await {
                Ok(r) => {
                    r?;
                }
                Err(_) => {
                    m.handle_timeout(Instant::now())?;
                    continue;
                }
            },
            None => {
                recv.await?;
            }
        }
        let now = Instant::now();
        for msg in crate::MsgIter::new(&buf) {
            m.handle_message(now, &msg?)?;
        }
    }
    Ok(m.finish())
}

impl<D: Decoder> AsyncStream<'_, D> {
    /// The next event, or `None` when the reply is complete.
    pub async fn next(&mut self) -> Option<Result<DumpEvent<D::Item>, Error>> {
        loop {
            match self.pump.poll(self.now, &mut self.dec) {
                Action::Event(ev) => return Some(ev),
                Action::Finished => return None,
                Action::Transmit => {
                    let seq = self.sock.get_ref().next_seq();
                    self.now = Instant::now();
                    let bytes = self.pump.transmit(self.now, seq).to_vec();
                    if let Err(e) = self.sock.send(&bytes).await {
                        return Some(Err(self.pump.handle_io_error(e)));
                    }
                }
                Action::Receive { deadline } => {
                    let recv = self.sock.recv(self.pump.recv_buffer());
                    let res = match deadline {
                        Some(d) => match tokio::time::timeout_at(d.into(), recv).await {
                            Ok(r) => r,
                            Err(_) => return Some(Err(self.pump.handle_timeout(Instant::now()))),
                        },
                        None => recv.await,
                    };
                    match res {
                        Ok(_) => {
                            self.now = Instant::now();
                            self.pump.handle_received()
                        }
                        Err(e) => return Some(Err(self.pump.handle_io_error(e))),
                    }
                }
            }
        }
    }

    /// Run the reply to its end and collect it (see [`blocking::Stream::collect_all`]).
    ///
    /// [`blocking::Stream::collect_all`]: crate::blocking::Stream::collect_all
    pub async fn collect_all(mut self) -> Result<Dumped<D::Item>, Error> {
        let mut c = Collector::new();
        while let Some(ev) = self.next().await {
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

impl<D: Decoder> Drop for AsyncStream<'_, D> {
    fn drop(&mut self) {
        while self.pump.drain_step(Instant::now()) {
            match self.sock.get_ref().try_recv(self.pump.recv_buffer()) {
                Ok(_) => self.pump.handle_received(),
                Err(_) => break,
            }
        }
    }
}
