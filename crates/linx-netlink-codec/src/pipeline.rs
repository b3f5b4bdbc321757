//! Pipelined requests: many ACKed requests in flight at once, several per datagram.
//!
//! Why: a request/ACK round trip per message costs two syscalls and a wake-up; the kernel
//! processes every message of a datagram in order and acknowledges each. Sending a window of
//! requests per datagram and collecting their ACKs by sequence number cuts that overhead
//! (route-add of 10k routes is the benchmark that cares).
//!
//! [`AckPipeline`] is sans-IO like [`Exchange`](crate::Exchange): call
//! [`poll_transmit`](AckPipeline::poll_transmit) to get the next datagram (it takes fresh
//! sequence numbers from the closure you pass), feed every received message to
//! [`handle_message`](AckPipeline::handle_message), and check
//! [`poll_timeout`](AckPipeline::poll_timeout). The drivers run it in
//! [`blocking::ack_all`](crate::blocking::ack_all) and the tokio equivalent.
//!
//! # Contract
//! - Every request gets `NLM_F_ACK`; each result is reported at the request's index, in the
//!   caller's order. A refusal does not stop the others (the kernel goes on with the next
//!   message), so results can be mixed.
//! - At most `window` requests are in flight; the next window is sent once all ACKs of the
//!   current one arrived. The receive buffer must hold a window of ACKs: keep the window
//!   modest (the default is 128) or enable `NETLINK_CAP_ACK`.
//! - Messages with unknown sequence numbers are ignored.

use std::time::{Duration, Instant};

use crate::consts::*;
use crate::engine::Request;
use crate::error::{Error, NetlinkError};
use crate::msg::{MsgView, parse_error, resolve_offset};

/// Default number of requests in flight.
pub const DEFAULT_WINDOW: usize = 128;

/// Sends requests in windows and collects their ACKs. See the [module docs](self).
#[derive(Debug)]
pub struct AckPipeline {
    reqs: Vec<Request>,
    next: usize,
    window: usize,
    /// (seq, request index, offset of the message in `tx`).
    inflight: Vec<(u32, usize, usize)>,
    answered: usize,
    results: Vec<Option<Result<(), NetlinkError>>>,
    tx: Vec<u8>,
    timeout: Duration,
    deadline: Option<Instant>,
}

impl AckPipeline {
    /// A pipeline over `reqs` with at most `window` (≥ 1) requests in flight.
    pub fn new(reqs: Vec<Request>, window: usize) -> Self {
        let timeout = reqs
            .iter()
            .map(Request::timeout)
            .max()
            .unwrap_or(crate::engine::DEFAULT_TIMEOUT);
        let n = reqs.len();
        AckPipeline {
            reqs,
            next: 0,
            window: window.max(1),
            inflight: Vec::new(),
            answered: 0,
            results: (0..n).map(|_| None).collect(),
            tx: Vec::new(),
            timeout,
            deadline: None,
        }
    }

    /// Whether every request has its result.
    pub fn is_finished(&self) -> bool {
        self.next == self.reqs.len() && self.answered == self.inflight.len()
    }

    /// The next datagram to send (a window of requests), or `None` while ACKs are pending or
    /// when finished. `seq` hands out sequence numbers.
    pub fn poll_transmit(&mut self, now: Instant, mut seq: impl FnMut() -> u32) -> Option<&[u8]> {
        if self.answered != self.inflight.len() || self.next == self.reqs.len() {
            return None;
        }
        self.inflight.clear();
        self.answered = 0;
        self.tx.clear();
        let end = (self.next + self.window).min(self.reqs.len());
        for i in self.next..end {
            let s = seq();
            let off = self.tx.len();
            let r = &self.reqs[i];
            if r.encode_with_flags(r.flags() | NLM_F_ACK, s, &mut self.tx)
                .is_err()
            {
                self.tx.truncate(off);
                self.results[i] = Some(Err(NetlinkError::new(crate::Errno::EMSGSIZE)));
                continue;
            }
            self.inflight.push((s, i, off));
        }
        self.next = end;
        if self.inflight.is_empty() {
            return self.poll_transmit(now, seq);
        }
        self.deadline = Some(now + self.timeout);
        Some(&self.tx)
    }

    /// When the pipeline times out unless an ACK arrives.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.answered < self.inflight.len() {
            self.deadline
        } else {
            None
        }
    }

    /// Fail with [`Error::Timeout`] when the deadline has passed.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Error> {
        match self.poll_timeout() {
            Some(d) if now >= d => Err(Error::Timeout(self.timeout)),
            _ => Ok(()),
        }
    }

    /// Feed one received message.
    pub fn handle_message(&mut self, now: Instant, msg: &MsgView<'_>) -> Result<(), Error> {
        if msg.kind() != NLMSG_ERROR {
            return Ok(());
        }
        // ACKs come back in order: look at the first unanswered slot first.
        let pos = self.inflight[self.answered.min(self.inflight.len())..]
            .iter()
            .position(|(s, _, _)| *s == msg.seq())
            .map(|p| p + self.answered)
            .or_else(|| self.inflight.iter().position(|(s, _, _)| *s == msg.seq()));
        let Some(pos) = pos else { return Ok(()) };
        let (_, idx, off) = self.inflight[pos];
        if self.results[idx].is_some() {
            return Ok(());
        }
        let res = match parse_error(msg)? {
            None => Ok(()),
            Some(mut e) => {
                if let Some(o) = e.ext_ack.offset {
                    let hl = self.reqs[idx].header_len_hint();
                    e.ext_ack.path = resolve_offset(&self.tx[off..], hl, o);
                }
                Err(e)
            }
        };
        self.results[idx] = Some(res);
        self.answered += 1;
        self.deadline = Some(now + self.timeout);
        Ok(())
    }

    /// The results, in request order (call when finished).
    pub fn into_results(self) -> Vec<Result<(), NetlinkError>> {
        self.results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(NetlinkError::new(crate::Errno::ETIMEDOUT))))
            .collect()
    }
}

impl crate::engine::Machine for AckPipeline {
    type Output = Vec<Result<(), NetlinkError>>;
    fn poll_transmit(&mut self, now: Instant, seq: &mut dyn FnMut() -> u32) -> Option<&[u8]> {
        AckPipeline::poll_transmit(self, now, seq)
    }
    fn handle_message(&mut self, now: Instant, msg: &MsgView<'_>) -> Result<(), Error> {
        AckPipeline::handle_message(self, now, msg)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        AckPipeline::poll_timeout(self)
    }
    fn handle_timeout(&mut self, now: Instant) -> Result<(), Error> {
        AckPipeline::handle_timeout(self, now)
    }
    fn is_finished(&self) -> bool {
        AckPipeline::is_finished(self)
    }
    fn finish(self) -> Self::Output {
        self.into_results()
    }
}
