//! Pipelined requests: many ACKed requests in flight at once, several per datagram, with an
//! exact outcome for each.
//!
//! Why: a request/ACK round trip per message costs two syscalls and a wake-up; the kernel
//! processes every message of a datagram in order and acknowledges each. Sending a window of
//! requests per datagram and collecting their ACKs by sequence number cuts that overhead
//! (route-add of 10k routes is the benchmark that cares). The price is that ACKs are queued
//! faster than anyone reads them: a window larger than the receive buffer loses ACKs
//! (`ENOBUFS`), and then what happened to those requests is unknown.
//!
//! [`AckPipeline`] is an [`Exchange`]: the drivers run it
//! ([`Transport::ack_all`](crate::Transport::ack_all)).
//!
//! # Contract
//! - Every request gets `NLM_F_ACK`; its [`Outcome`] is reported at its index, in the
//!   caller's order: [`Outcome::Applied`] (the kernel acknowledged it),
//!   [`Outcome::Refused`] (the kernel's error, extended ACK text included),
//!   [`Outcome::Unknown`] (sent, but its ACK was lost or never came) or
//!   [`Outcome::NotSent`] (the pipeline stopped before sending it). A refusal does not stop
//!   the others (the kernel goes on with the next message).
//! - The window is sized so a window of ACKs fits the receive buffer the socket was granted
//!   ([`window_for`]); the caller's window is only an upper bound.
//! - `ENOBUFS` (ACKs dropped because the receive buffer overflowed) is not fatal: the
//!   pipeline sends a probe (`NLMSG_NOOP` with `NLM_F_ACK`, which the kernel acknowledges
//!   after everything sent before it), reads until the probe's ACK, marks the requests whose
//!   ACK did not come [`Outcome::Unknown`], halves the window and goes on.
//! - A timeout, another socket error or an undecodable reply ends the pipeline: requests in
//!   flight are [`Outcome::Unknown`], the rest [`Outcome::NotSent`] (so is a window whose
//!   datagram could not be sent: the kernel saw none of it); the error is kept in
//!   [`Outcomes::error`]. The driver then marks the socket dirty, so late ACKs never reach
//!   the next exchange.
//! - Messages with unknown sequence numbers are ignored.

use std::time::{Duration, Instant};

use crate::consts::*;
use crate::engine::{Exchange, Request};
use crate::error::{Error, NetlinkError};
use crate::msg::{MsgView, parse_error, resolve_offset};

/// Overflows a pipeline recovers from before it stops (requests in flight unknown, the rest
/// not sent): a socket that overflows even with a window of one is flooded by something else.
pub const MAX_OVERFLOWS: u32 = 32;

/// Default upper bound on requests in flight.
pub const DEFAULT_WINDOW: usize = 128;

/// What the kernel holds against the receive buffer for one ACK of a request of `len` bytes:
/// the socket buffer's own overhead (about 768 bytes for a small message on 64-bit kernels)
/// plus the message; an error ACK echoes the request, so its length counts too.
const fn ack_cost(len: usize) -> usize {
    1024 + len
}

/// The largest window whose ACKs (`reqs` sized like `req_len`) fit a receive buffer of
/// `rcvbuf` bytes (the value `SO_RCVBUF` reports), at most `cap`, at least 1.
///
/// ```
/// use linx_netlink_codec::pipeline::window_for;
/// assert_eq!(window_for(212_992, 100, 128), 128);
/// assert_eq!(window_for(4_608, 100, 128), 4);
/// assert_eq!(window_for(0, 100, 128), 1);
/// ```
pub fn window_for(rcvbuf: usize, req_len: usize, cap: usize) -> usize {
    (rcvbuf / ack_cost(req_len)).clamp(1, cap.max(1))
}

/// Write into `buf` (cleared first) the probe sent after `ENOBUFS`: an `NLMSG_NOOP` with
/// `NLM_F_ACK` and sequence number `seq`. Every netlink family acknowledges it after all that
/// was sent before it, so its ACK marks where the surviving replies end.
///
/// ```
/// let mut b = Vec::new();
/// linx_netlink_codec::pipeline::write_probe(&mut b, 7);
/// let m = linx_netlink_codec::MsgView::new_checked(&b).unwrap();
/// assert_eq!((m.kind(), m.seq(), m.payload().len()), (1, 7, 0));
/// ```
pub fn write_probe(buf: &mut Vec<u8>, seq: u32) {
    buf.clear();
    let w = crate::MsgWriter::begin(buf, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, seq);
    // Cannot fail: an empty message.
    let _ = w.finish();
}

/// What became of one pipelined request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<E = NetlinkError> {
    /// The kernel acknowledged it: it was applied.
    Applied,
    /// The kernel refused it, with its reason.
    Refused(E),
    /// It was sent but its ACK never arrived (lost to `ENOBUFS`, or the pipeline timed out):
    /// it may or may not have been applied.
    Unknown,
    /// It was never sent (the pipeline stopped first): it was not applied.
    NotSent,
}

impl<E> Outcome<E> {
    /// Whether the request was applied.
    ///
    /// ```
    /// use linx_netlink_codec::pipeline::Outcome;
    /// assert!(Outcome::<()>::Applied.is_applied());
    /// assert!(!Outcome::<()>::Unknown.is_applied());
    /// ```
    pub fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied)
    }

    /// The refusal, if the kernel refused it.
    ///
    /// ```
    /// use linx_netlink_codec::pipeline::Outcome;
    /// assert_eq!(Outcome::Refused(7).refusal(), Some(&7));
    /// ```
    pub fn refusal(&self) -> Option<&E> {
        match self {
            Outcome::Refused(e) => Some(e),
            _ => None,
        }
    }

    /// The same outcome with the refusal mapped (to add context to the kernel's error).
    ///
    /// ```
    /// use linx_netlink_codec::pipeline::Outcome;
    /// assert_eq!(Outcome::Refused(7).map_refusal(|e| e + 1), Outcome::Refused(8));
    /// ```
    pub fn map_refusal<F>(self, f: impl FnOnce(E) -> F) -> Outcome<F> {
        match self {
            Outcome::Applied => Outcome::Applied,
            Outcome::Refused(e) => Outcome::Refused(f(e)),
            Outcome::Unknown => Outcome::Unknown,
            Outcome::NotSent => Outcome::NotSent,
        }
    }
}

impl<E: std::fmt::Display> std::fmt::Display for Outcome<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Applied => f.write_str("applied"),
            Outcome::Refused(e) => write!(f, "refused: {e}"),
            Outcome::Unknown => f.write_str("unknown (sent, no acknowledgement received)"),
            Outcome::NotSent => f.write_str("not sent"),
        }
    }
}

/// The outcomes of a pipeline, in request order, and the socket error or timeout that ended
/// it early, if any.
#[derive(Debug)]
#[must_use = "each request has its own outcome"]
pub struct Outcomes<E = NetlinkError> {
    /// One outcome per request, in the caller's order.
    pub outcomes: Vec<Outcome<E>>,
    /// Why the pipeline stopped early (requests after it are [`Outcome::NotSent`]).
    pub error: Option<Error>,
    /// How many times ACKs were lost to `ENOBUFS` and the window halved.
    pub overflows: u32,
}

impl<E> Outcomes<E> {
    /// The same outcomes with each refusal mapped; `f` gets the request's index too.
    ///
    /// ```
    /// use linx_netlink_codec::{Errno, NetlinkError, Outcome, Outcomes};
    /// let o = Outcomes { outcomes: vec![Outcome::Applied, Outcome::Refused(NetlinkError::new(Errno::EEXIST))], error: None, overflows: 0 };
    /// let o = o.map_refusals(|i, e| format!("route {i}: {e}"));
    /// assert_eq!(o.outcomes[1], Outcome::Refused("route 1: netlink EEXIST (17)".to_string()));
    /// ```
    pub fn map_refusals<F>(self, mut f: impl FnMut(usize, E) -> F) -> Outcomes<F> {
        Outcomes {
            outcomes: self
                .outcomes
                .into_iter()
                .enumerate()
                .map(|(i, o)| o.map_refusal(|e| f(i, e)))
                .collect(),
            error: self.error,
            overflows: self.overflows,
        }
    }

    /// Whether every request was applied.
    ///
    /// ```
    /// use linx_netlink_codec::{Outcome, Outcomes};
    /// let o: Outcomes = Outcomes { outcomes: vec![Outcome::Applied], error: None, overflows: 0 };
    /// assert!(o.all_applied());
    /// ```
    pub fn all_applied(&self) -> bool {
        self.outcomes.iter().all(Outcome::is_applied)
    }

    /// Number of requests.
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// Whether there were no requests.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    /// The outcomes in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Outcome<E>> {
        self.outcomes.iter()
    }
}

impl<E> IntoIterator for Outcomes<E> {
    type Item = Outcome<E>;
    type IntoIter = std::vec::IntoIter<Outcome<E>>;
    fn into_iter(self) -> Self::IntoIter {
        self.outcomes.into_iter()
    }
}

/// Sends requests in windows and collects their ACKs. See the [module docs](self).
#[derive(Debug)]
pub struct AckPipeline {
    reqs: Vec<Request>,
    next: usize,
    window: usize,
    /// (seq, request index, offset of the message in `tx`).
    inflight: Vec<(u32, usize, usize)>,
    answered: usize,
    /// The longest acknowledgement any request can get ([`Exchange::reply_bound`]).
    ack_max: usize,
    results: Vec<Option<Outcome>>,
    tx: Vec<u8>,
    /// The probe's datagram (the window's bytes in `tx` are still needed to locate errors).
    probe_tx: Vec<u8>,
    timeout: Duration,
    deadline: Option<Instant>,
    /// Sequence number of the outstanding `ENOBUFS` probe.
    probe: Option<u32>,
    probe_due: bool,
    /// The datagram handed out last was the probe (not a window).
    sent_probe: bool,
    overflows: u32,
    error: Option<Error>,
    done: bool,
}

impl AckPipeline {
    /// A pipeline over `reqs` with at most `window` (≥ 1) requests in flight. Drivers size
    /// the window to the receive buffer first ([`window_for`]).
    pub fn new(reqs: Vec<Request>, window: usize) -> Self {
        let timeout = reqs
            .iter()
            .map(Request::timeout)
            .max()
            .unwrap_or(crate::engine::DEFAULT_TIMEOUT);
        let n = reqs.len();
        let longest = reqs
            .iter()
            .map(|r| r.payload().len() + crate::NlHeader::LEN)
            .max()
            .unwrap_or(0);
        AckPipeline {
            ack_max: crate::msg::ack_len_max(longest),
            reqs,
            next: 0,
            window: window.max(1),
            inflight: Vec::new(),
            answered: 0,
            results: vec![None; n],
            tx: Vec::new(),
            probe_tx: Vec::new(),
            timeout,
            deadline: None,
            probe: None,
            probe_due: false,
            sent_probe: false,
            overflows: 0,
            error: None,
            done: n == 0,
        }
    }

    /// The requests.
    pub fn requests(&self) -> &[Request] {
        &self.reqs
    }

    /// The current window.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Set the window (≥ 1); drivers call this with [`window_for`] before the first send.
    pub fn set_window(&mut self, window: usize) {
        self.window = window.max(1);
    }

    fn window_open(&self) -> bool {
        self.answered == self.inflight.len() && self.probe.is_none() && !self.probe_due
    }

    /// The in-flight window is over: requests without an ACK are unknown.
    fn close_window(&mut self) {
        for &(_, idx, _) in &self.inflight {
            if self.results[idx].is_none() {
                self.results[idx] = Some(Outcome::Unknown);
            }
        }
        self.answered = self.inflight.len();
        self.probe = None;
        self.probe_due = false;
        if self.next == self.reqs.len() {
            self.done = true;
        }
    }

    /// Stop: in flight is unknown, the rest not sent.
    fn abort(&mut self, e: Error) {
        self.close_window();
        for r in &mut self.results {
            if r.is_none() {
                *r = Some(Outcome::NotSent);
            }
        }
        self.error.get_or_insert(e);
        self.done = true;
    }

    /// The outcomes, in request order (call when finished).
    pub fn into_outcomes(self) -> Outcomes {
        Outcomes {
            outcomes: self
                .results
                .into_iter()
                .map(|r| r.unwrap_or(Outcome::NotSent))
                .collect(),
            error: self.error,
            overflows: self.overflows,
        }
    }
}

impl Exchange for AckPipeline {
    type Output = Outcomes;

    fn poll_transmit(&mut self, now: Instant, seq: &mut dyn FnMut() -> u32) -> Option<&[u8]> {
        if self.done {
            return None;
        }
        if self.probe_due {
            // Everything sent before the probe is acknowledged (or lost) before its ACK.
            let s = seq();
            write_probe(&mut self.probe_tx, s);
            self.probe = Some(s);
            self.probe_due = false;
            self.sent_probe = true;
            self.deadline = now.checked_add(self.timeout);
            return Some(&self.probe_tx);
        }
        if !self.window_open() || self.next == self.reqs.len() {
            return None;
        }
        self.inflight.clear();
        self.answered = 0;
        self.sent_probe = false;
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
                self.results[i] = Some(Outcome::Refused(NetlinkError::new(crate::Errno::EMSGSIZE)));
                continue;
            }
            self.inflight.push((s, i, off));
        }
        self.next = end;
        if self.inflight.is_empty() {
            if self.next == self.reqs.len() {
                self.done = true;
                return None;
            }
            return self.poll_transmit(now, seq);
        }
        self.deadline = now.checked_add(self.timeout);
        Some(&self.tx)
    }

    /// A pipeline reads nothing but `NLMSG_ERROR` acknowledgements, each a datagram of its
    /// own no longer than its request allows: any longer datagram (a data reply, a stray) is
    /// one it would ignore.
    fn reply_bound(&self) -> Option<usize> {
        Some(self.ack_max)
    }

    fn handle_message(&mut self, now: Instant, msg: &MsgView<'_>) -> Result<(), Error> {
        if msg.kind() != NLMSG_ERROR || self.done {
            return Ok(());
        }
        if self.probe == Some(msg.seq()) {
            self.close_window();
            return Ok(());
        }
        // ACKs come back in order: look at the first unanswered slot first.
        let start = self.answered.min(self.inflight.len());
        let pos = self.inflight[start..]
            .iter()
            .position(|(s, _, _)| *s == msg.seq())
            .map(|p| p + start)
            .or_else(|| self.inflight.iter().position(|(s, _, _)| *s == msg.seq()));
        let Some(pos) = pos else { return Ok(()) };
        let (_, idx, off) = self.inflight[pos];
        if self.results[idx].is_some() {
            return Ok(());
        }
        let outcome = match parse_error(msg) {
            Ok(None) => Outcome::Applied,
            Ok(Some(mut e)) => {
                if let Some(o) = e.ext_ack.offset {
                    let hl = self.reqs[idx].header_len_hint();
                    if let Some(sent) = self.tx.get(off..) {
                        e.ext_ack.path = resolve_offset(sent, hl, o);
                    }
                }
                Outcome::Refused(e)
            }
            // An ACK of ours that does not decode: what became of the window is unknown.
            Err(e) => {
                self.abort(e.into());
                return Ok(());
            }
        };
        self.results[idx] = Some(outcome);
        self.answered += 1;
        self.deadline = now.checked_add(self.timeout);
        if self.answered == self.inflight.len() && self.probe.is_none() && !self.probe_due {
            self.close_window();
        }
        Ok(())
    }

    fn poll_timeout(&self) -> Option<Instant> {
        if self.done { None } else { self.deadline }
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), Error> {
        if let Some(d) = self.poll_timeout()
            && now >= d
        {
            self.abort(Error::Timeout(self.timeout));
        }
        Ok(())
    }

    fn handle_io_error(
        &mut self,
        _now: Instant,
        error: linx_netlink_sys::Error,
    ) -> Result<(), Error> {
        if error.errno() == Some(crate::Errno::ENOBUFS)
            && !self.done
            && self.overflows < MAX_OVERFLOWS
        {
            // ACKs were dropped. Find out which by a probe, then go on with half the window.
            self.overflows += 1;
            self.window = (self.window / 2).max(1);
            self.probe_due = true;
            self.probe = None;
            return Ok(());
        }
        self.abort(Error::Sys(error));
        Ok(())
    }

    fn handle_send_error(
        &mut self,
        _now: Instant,
        error: linx_netlink_sys::Error,
    ) -> Result<(), Error> {
        if !self.sent_probe {
            // The kernel saw none of this window.
            for &(_, idx, _) in &self.inflight {
                if self.results[idx].is_none() {
                    self.results[idx] = Some(Outcome::NotSent);
                }
            }
        }
        if !self.done {
            self.abort(Error::Sys(error));
        }
        Ok(())
    }

    fn has_pending_replies(&self) -> bool {
        self.error.is_some()
    }

    fn handle_malformed(&mut self, error: crate::DecodeError) -> Result<(), Error> {
        if !self.done {
            self.abort(error.into());
        }
        Ok(())
    }

    fn is_finished(&self) -> bool {
        self.done
    }

    fn finish(self) -> Outcomes {
        self.into_outcomes()
    }
}
