//! The request engine: one netlink request/reply exchange as a sans-IO state machine.
//!
//! Why sans-IO: the rules of a netlink exchange (which replies belong to us, when a dump is
//! over, what a `NLM_F_DUMP_INTR` means, how an error carries its extended ACK) are the same
//! whether the socket is blocking or driven by tokio. They live here once, with bytes and time
//! passed in, and are tested against scripted datagrams with no socket at all. The drivers
//! ([`blocking`](crate::blocking), and `nonblocking` with the `tokio` feature) only move
//! bytes.
//!
//! Two layers:
//! - [`Exchange`]: the protocol state machine. Inputs: [`Exchange::poll_transmit`] (what to
//!   send, given a fresh sequence number), [`Exchange::handle_message`] (each received
//!   message) and [`Exchange::handle_timeout`]. Output: a [`Step`] per message.
//! - [`Pump`]: an [`Exchange`] plus the receive buffer and a [`Decoder`]; the loop a driver
//!   runs. It says what the driver must do next ([`Action`]) and hands out decoded items.
//!
//! # Call order (for driver writers)
//! 1. `pump.poll(now, &mut decoder)` → [`Action`].
//! 2. `Action::Transmit`: send `pump.transmit(seq, now)` (one datagram) and go to 1.
//! 3. `Action::Receive { deadline }`: receive one datagram into `pump.recv_buffer()`, call
//!    `pump.handle_received()`, go to 1. If the deadline passes first, call
//!    `pump.handle_timeout(now)` and report its error.
//! 4. `Action::Event(..)`: hand the event to the caller.
//! 5. `Action::Finished`: the exchange is over.
//!
//! # Contract
//! - Only messages echoing the current sequence number are ours; everything else (seq 0
//!   multicast, replies to older requests) is skipped, never an error.
//! - Reply shapes: ACK (`NLMSG_ERROR` errno 0) ends a request; a data message without
//!   `NLM_F_MULTI` ends it too unless `NLM_F_ACK` was asked for (then the ACK ends it);
//!   `NLM_F_MULTI` messages run to `NLMSG_DONE`. `NLMSG_NOOP` is skipped.
//! - `NLMSG_ERROR` with errno ≠ 0 and `NLMSG_DONE` with a negative errno fail the request
//!   with a [`NetlinkError`] carrying the extended ACK, its offset resolved to an attribute
//!   path against the request that was sent.
//! - `NLM_F_DUMP_INTR` on a dump: the rest of the interrupted dump is drained (the kernel
//!   refuses a new dump with `EBUSY` while one runs), then the request is re-sent with a new
//!   sequence number and [`Step::Restart`] tells the consumer to discard what it received.
//!   After `dump_retries` restarts the next interruption fails with
//!   [`Error::DumpInterrupted`].
//! - A per-datagram timeout: each message of ours pushes the deadline out by the request's
//!   timeout. Time is only ever passed in.
//! - Nothing here panics or allocates per message, except the transmit buffer and error text.

use std::time::{Duration, Instant};

use crate::attr::NlBuffer;
use crate::consts::*;
use crate::dsl::{Attribute, FixedHeader, Message};
use crate::error::{DecodeError, EncodeError, Error, NetlinkError};
use crate::msg::{MsgView, NlHeader, parse_done, parse_error, resolve_offset};

/// Default per-datagram timeout: 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default number of times an interrupted dump is retried: 2.
pub const DEFAULT_DUMP_RETRIES: u32 = 2;

/// A request to send: message type, flags, encoded payload and the exchange's options.
///
/// `NLM_F_REQUEST` is always added; the sequence number is filled in at send time.
///
/// ```
/// use linx_netlink_codec::{Request, consts::*};
/// let req = Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16);
/// assert!(req.is_dump());
/// assert_eq!(req.flags(), NLM_F_REQUEST | NLM_F_DUMP);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a request does nothing until a driver runs it"]
pub struct Request {
    kind: u16,
    flags: u16,
    payload: Vec<u8>,
    header_len: usize,
    timeout: Duration,
    dump_retries: u32,
}

impl Request {
    /// A request of type `kind` with `flags` (e.g. `NLM_F_ACK | NLM_F_CREATE`) and an
    /// already encoded payload (family header + attributes).
    pub fn new(kind: u16, flags: u16, payload: Vec<u8>) -> Self {
        Request {
            kind,
            flags: flags | NLM_F_REQUEST,
            payload,
            header_len: 0,
            timeout: DEFAULT_TIMEOUT,
            dump_retries: DEFAULT_DUMP_RETRIES,
        }
    }

    /// A dump request (`NLM_F_DUMP`).
    pub fn dump(kind: u16, payload: Vec<u8>) -> Self {
        Self::new(kind, NLM_F_DUMP, payload)
    }

    /// A request whose payload is `msg`; records the header length for error paths.
    ///
    /// ```
    /// use linx_netlink_codec::{Message, Request, RawAttr, nl_attrs, nl_header, consts::*};
    /// nl_header! {
    ///     /// rtgenmsg.
    ///     pub struct RtGen[1] {
    ///         /// family.
    ///         pub family: u8 [0] ne,
    ///     }
    /// }
    /// nl_attrs! {
    ///     /// No attributes.
    ///     pub enum NoAttrs {}
    /// }
    /// let msg: Message<RtGen, NoAttrs> = Message { header: RtGen { family: AF_INET }, attrs: vec![] };
    /// let req = Request::from_message(RTM_GETROUTE, NLM_F_DUMP, &msg).unwrap();
    /// assert_eq!(req.payload(), &[2, 0, 0, 0]);
    /// ```
    pub fn from_message<H: FixedHeader, A: Attribute>(
        kind: u16,
        flags: u16,
        msg: &Message<H, A>,
    ) -> Result<Self, EncodeError> {
        let mut payload = Vec::with_capacity(msg.buffer_len());
        msg.emit(&mut payload)?;
        Ok(Self::new(kind, flags, payload).with_header_len(H::LEN))
    }

    /// Record the family header length (lets extended-ACK offsets resolve to attribute paths).
    pub fn with_header_len(mut self, len: usize) -> Self {
        self.header_len = len;
        self
    }

    /// The same request with `NLM_F_ACK` set: the kernel confirms success explicitly.
    pub fn with_ack(mut self) -> Self {
        self.flags |= NLM_F_ACK;
        self
    }

    /// Per-datagram timeout (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many times an interrupted dump is retried (default [`DEFAULT_DUMP_RETRIES`]).
    pub fn with_dump_retries(mut self, retries: u32) -> Self {
        self.dump_retries = retries;
        self
    }

    /// Message type.
    pub fn kind(&self) -> u16 {
        self.kind
    }
    /// Flags, `NLM_F_REQUEST` included.
    pub fn flags(&self) -> u16 {
        self.flags
    }
    /// Encoded payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    /// Per-datagram timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// Dump retry bound.
    pub fn dump_retries(&self) -> u32 {
        self.dump_retries
    }
    /// The family header length recorded with [`with_header_len`](Self::with_header_len).
    pub fn header_len_hint(&self) -> usize {
        self.header_len
    }

    /// Whether this is a dump (`NLM_F_DUMP` set).
    pub fn is_dump(&self) -> bool {
        self.flags & NLM_F_DUMP == NLM_F_DUMP
    }

    /// Append the full message (header with `seq`, payload) to `buf`.
    pub fn encode<B: NlBuffer + ?Sized>(&self, seq: u32, buf: &mut B) -> Result<(), EncodeError> {
        self.encode_with_flags(self.flags, seq, buf)
    }

    /// Append the full message with `flags` instead of the request's own (pipelines add
    /// `NLM_F_ACK` without copying the request).
    pub fn encode_with_flags<B: NlBuffer + ?Sized>(
        &self,
        flags: u16,
        seq: u32,
        buf: &mut B,
    ) -> Result<(), EncodeError> {
        let mut w = crate::MsgWriter::begin(buf, self.kind, flags, seq);
        w.put_bytes(&self.payload);
        w.finish().map(|_| ())
    }
}

/// What one received message means for the exchange.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a step tells the driver what happened"]
pub enum Step<'a> {
    /// A data message of this request: decode it.
    Item(MsgView<'a>),
    /// Not for us, or a control message with nothing to report.
    Skip,
    /// The request completed successfully (ACK or end of dump).
    Done,
    /// The dump was interrupted and is being sent again: discard every item received so far.
    Restart {
        /// Which retry this is (1 for the first).
        retry: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The request (or its retry) must be sent.
    Send,
    /// Waiting for replies.
    Wait,
    /// Draining an interrupted dump; afterwards retry (or fail when `fail` is set).
    Drain { fail: bool },
    /// Over.
    Finished,
}

/// One request/reply exchange. See the [module docs](self) for the rules it implements.
#[derive(Debug)]
pub struct Exchange {
    req: Request,
    seq: u32,
    state: State,
    restarts: u32,
    /// Time of the last activity (send or a message of ours); the deadline is this plus the
    /// timeout, computed only when asked (no clock arithmetic per message).
    last: Option<Instant>,
    tx: Vec<u8>,
}

impl Exchange {
    /// A new exchange; the request is sent on the first [`poll_transmit`](Self::poll_transmit).
    pub fn new(req: Request) -> Self {
        Exchange {
            req,
            seq: 0,
            state: State::Send,
            restarts: 0,
            last: None,
            tx: Vec::new(),
        }
    }

    /// The request.
    pub fn request(&self) -> &Request {
        &self.req
    }

    /// Sequence number of the message in flight (0 before the first send).
    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// How many times the dump was restarted after `NLM_F_DUMP_INTR`.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// Whether the exchange is over (success or failure).
    pub fn is_finished(&self) -> bool {
        self.state == State::Finished
    }

    /// Whether a message must be sent now.
    pub fn wants_transmit(&self) -> bool {
        self.state == State::Send
    }

    /// The bytes to send now, encoded with sequence number `seq`, or `None` when nothing is
    /// due. Arms the reply deadline.
    pub fn poll_transmit(&mut self, now: Instant, seq: u32) -> Option<&[u8]> {
        if self.state != State::Send {
            return None;
        }
        self.seq = seq;
        self.tx.clear();
        // Cannot fail: the payload length was bounded when the request was built... except
        // for payloads over 4 GiB, which `finish` reports; we then send what fits the header.
        if self.req.encode(seq, &mut self.tx).is_err() {
            self.tx.clear();
        }
        self.state = State::Wait;
        self.last = Some(now);
        Some(&self.tx)
    }

    /// When the exchange times out unless a reply arrives.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Wait | State::Drain { .. } => self.last.map(|t| t + self.req.timeout),
            _ => None,
        }
    }

    /// Tell the exchange the time is `now`; fails it with [`Error::Timeout`] when its
    /// deadline has passed.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Error> {
        match self.poll_timeout() {
            Some(d) if now >= d => {
                self.state = State::Finished;
                Err(Error::Timeout(self.req.timeout))
            }
            _ => Ok(()),
        }
    }

    /// Feed one received message.
    pub fn handle_message<'a>(
        &mut self,
        now: Instant,
        msg: MsgView<'a>,
    ) -> Result<Step<'a>, Error> {
        if msg.seq() != self.seq || matches!(self.state, State::Send | State::Finished) {
            return Ok(Step::Skip);
        }
        self.last = Some(now);
        let kind = msg.kind();
        if let State::Drain { fail } = self.state {
            if kind == NLMSG_DONE || kind == NLMSG_ERROR {
                return self.after_interruption(fail);
            }
            return Ok(Step::Skip);
        }
        let interrupted = self.req.is_dump() && msg.flags() & NLM_F_DUMP_INTR != 0;
        match kind {
            NLMSG_NOOP => Ok(Step::Skip),
            NLMSG_ERROR => {
                self.state = State::Finished;
                match parse_error(&msg)? {
                    None => Ok(Step::Done),
                    Some(e) => Err(Error::Netlink(self.locate(e))),
                }
            }
            NLMSG_DONE => {
                if interrupted {
                    self.restarts += 1;
                    return self.after_interruption(self.restarts > self.req.dump_retries);
                }
                self.state = State::Finished;
                match parse_done(&msg)? {
                    None => Ok(Step::Done),
                    Some(e) => Err(Error::Netlink(self.locate(e))),
                }
            }
            NLMSG_OVERRUN => {
                self.state = State::Finished;
                Err(Error::Overrun)
            }
            _ if interrupted => {
                self.restarts += 1;
                self.state = State::Drain {
                    fail: self.restarts > self.req.dump_retries,
                };
                Ok(Step::Skip)
            }
            _ => {
                if msg.flags() & NLM_F_MULTI == 0 && self.req.flags & NLM_F_ACK == 0 {
                    self.state = State::Finished;
                }
                Ok(Step::Item(msg))
            }
        }
    }

    fn after_interruption(&mut self, fail: bool) -> Result<Step<'static>, Error> {
        if fail {
            self.state = State::Finished;
            Err(Error::DumpInterrupted {
                attempts: self.restarts,
            })
        } else {
            self.state = State::Send;
            Ok(Step::Restart {
                retry: self.restarts,
            })
        }
    }

    fn locate(&self, mut e: NetlinkError) -> NetlinkError {
        if let Some(off) = e.ext_ack.offset {
            e.ext_ack.path = resolve_offset(&self.tx, self.req.header_len, off);
        }
        e
    }
}

/// Turns a data message into a caller's item. Implemented for closures
/// `FnMut(&MsgView) -> Result<T, DecodeError>`.
pub trait Decoder {
    /// The decoded item.
    type Item;
    /// Decode one data message of the reply.
    fn decode(&mut self, msg: &MsgView<'_>) -> Result<Self::Item, DecodeError>;
}

impl<T, F> Decoder for F
where
    F: FnMut(&MsgView<'_>) -> Result<T, DecodeError>,
{
    type Item = T;
    fn decode(&mut self, msg: &MsgView<'_>) -> Result<T, DecodeError> {
        self(msg)
    }
}

/// A decoder that copies each reply message (header included) into a `Vec<u8>`.
///
/// ```
/// use linx_netlink_codec::{engine::RawMessages, Decoder, MsgView};
/// let b = [16, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
/// let out = RawMessages.decode(&MsgView::new_checked(&b).unwrap()).unwrap();
/// assert_eq!(out, b);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RawMessages;

impl Decoder for RawMessages {
    type Item = Vec<u8>;
    fn decode(&mut self, msg: &MsgView<'_>) -> Result<Vec<u8>, DecodeError> {
        Ok(msg.bytes().to_vec())
    }
}

/// A decoder that ignores every data message (for requests answered by an ACK).
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl Decoder for Discard {
    type Item = ();
    fn decode(&mut self, _msg: &MsgView<'_>) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// An event of a reply stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DumpEvent<T> {
    /// A decoded reply message.
    Item(T),
    /// The dump was interrupted and restarted: discard the items received before this event.
    Restart {
        /// Which retry this is (1 for the first).
        retry: u32,
    },
}

/// A collected reply: the items and how many dump retries it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dumped<T> {
    /// The items of the last, complete attempt.
    pub items: Vec<T>,
    /// Restarts after `NLM_F_DUMP_INTR` (0 when the first attempt was consistent).
    pub retries: u32,
}

/// What the driver must do next; returned by [`Pump::poll`].
#[derive(Debug)]
#[must_use = "the driver must act on this"]
pub enum Action<T> {
    /// Hand this event (or error) to the consumer.
    Event(Result<DumpEvent<T>, Error>),
    /// Send [`Pump::transmit`] as one datagram.
    Transmit,
    /// Receive one datagram into [`Pump::recv_buffer`], then call [`Pump::handle_received`].
    Receive {
        /// Give up at this instant (call [`Pump::handle_timeout`]).
        deadline: Option<Instant>,
    },
    /// The exchange is over; no more events.
    Finished,
}

/// An [`Exchange`] with its receive buffer: the loop both drivers run.
#[derive(Debug)]
pub struct Pump {
    ex: Exchange,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

/// Receive buffer capacity a pump starts with (grown on demand, never truncating).
pub const RECV_BUFFER: usize = 64 * 1024;

/// Spare buffers larger than this are not kept for reuse.
const SPARE_MAX: usize = 1 << 20;

thread_local! {
    /// One spare receive buffer per thread, reused by consecutive exchanges.
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A receive buffer: this thread's spare if there is one, else a new one.
pub(crate) fn take_spare_buffer() -> Vec<u8> {
    let v = SPARE.with(|c| c.take());
    if v.capacity() == 0 {
        Vec::with_capacity(RECV_BUFFER)
    } else {
        v
    }
}

/// Give a receive buffer back for the next exchange on this thread.
pub(crate) fn return_spare_buffer(mut v: Vec<u8>) {
    if v.capacity() <= SPARE_MAX {
        v.clear();
        SPARE.with(|c| c.set(v));
    }
}

impl Drop for Pump {
    fn drop(&mut self) {
        return_spare_buffer(std::mem::take(&mut self.buf));
    }
}

impl Pump {
    /// A pump for `req`. Its receive buffer is taken from a per-thread spare (and returned
    /// when the pump is dropped), so back-to-back requests do not allocate one each.
    pub fn new(req: Request) -> Self {
        Pump {
            ex: Exchange::new(req),
            buf: take_spare_buffer(),
            pos: 0,
            done: false,
        }
    }

    /// The exchange.
    pub fn exchange(&self) -> &Exchange {
        &self.ex
    }

    /// Whether no more events will come.
    pub fn is_finished(&self) -> bool {
        self.done
    }

    /// Advance: process buffered messages until there is something for the driver to do.
    pub fn poll<D: Decoder + ?Sized>(&mut self, now: Instant, dec: &mut D) -> Action<D::Item> {
        if self.done {
            return Action::Finished;
        }
        if self.ex.wants_transmit() {
            return Action::Transmit;
        }
        while self.pos < self.buf.len() {
            let rest = &self.buf[self.pos..];
            if rest.len() < NlHeader::LEN {
                self.pos = self.buf.len();
                break;
            }
            let msg = match MsgView::new_checked(rest) {
                Ok(m) => m,
                Err(mut e) => {
                    e.offset += self.pos;
                    self.pos = self.buf.len();
                    return self.fail(e.into());
                }
            };
            self.pos += crate::align(msg.header().len as usize);
            match self.ex.handle_message(now, msg) {
                Ok(Step::Skip) => {}
                Ok(Step::Item(m)) => {
                    let ev = dec.decode(&m).map(DumpEvent::Item).map_err(Error::from);
                    if self.ex.is_finished() {
                        self.done = true;
                    }
                    return Action::Event(ev);
                }
                Ok(Step::Done) => {
                    self.done = true;
                    return Action::Finished;
                }
                Ok(Step::Restart { retry }) => {
                    self.pos = self.buf.len();
                    return Action::Event(Ok(DumpEvent::Restart { retry }));
                }
                Err(e) => return self.fail(e),
            }
        }
        if self.ex.wants_transmit() {
            return Action::Transmit;
        }
        Action::Receive {
            deadline: self.ex.poll_timeout(),
        }
    }

    fn fail<T>(&mut self, e: Error) -> Action<T> {
        self.done = true;
        Action::Event(Err(e))
    }

    /// The datagram to send after [`Action::Transmit`], encoded with `seq`.
    pub fn transmit(&mut self, now: Instant, seq: u32) -> &[u8] {
        self.ex.poll_transmit(now, seq).unwrap_or(&[])
    }

    /// The buffer to receive the next datagram into (the driver's receive clears it).
    pub fn recv_buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// A datagram was received into [`recv_buffer`](Self::recv_buffer).
    pub fn handle_received(&mut self) {
        self.pos = 0;
    }

    /// The deadline passed: the exchange fails with [`Error::Timeout`].
    pub fn handle_timeout(&mut self, now: Instant) -> Error {
        self.done = true;
        match self.ex.handle_timeout(now) {
            Err(e) => e,
            Ok(()) => Error::Timeout(self.ex.req.timeout),
        }
    }

    /// The socket failed: the exchange is over with `e`.
    pub fn handle_io_error(&mut self, e: linx_netlink_sys::Error) -> Error {
        self.done = true;
        Error::Sys(e)
    }

    /// Drive a finished-or-abandoned exchange to its end without a consumer: used when a
    /// stream is dropped early, so the socket is not left with half a dump queued (the kernel
    /// would refuse the next dump with `EBUSY`). Returns `true` when more data is needed.
    pub fn drain_step(&mut self, now: Instant) -> bool {
        loop {
            match self.poll(now, &mut Discard) {
                Action::Event(Ok(_)) => continue,
                Action::Event(Err(_)) | Action::Finished | Action::Transmit => {
                    self.done = true;
                    return false;
                }
                Action::Receive { .. } => return true,
            }
        }
    }
}

/// Collect the events of a stream into [`Dumped`], honouring restarts; on an item decode
/// error the stream is still run to its end (so the socket is clean) and the first error is
/// returned.
pub(crate) struct Collector<T> {
    pub(crate) items: Vec<T>,
    pub(crate) retries: u32,
    pub(crate) error: Option<Error>,
}

impl<T> Collector<T> {
    pub(crate) fn new() -> Self {
        Collector {
            items: Vec::new(),
            retries: 0,
            error: None,
        }
    }

    /// Feed one event; returns `false` when the stream must stop (a fatal error).
    pub(crate) fn feed(&mut self, ev: Result<DumpEvent<T>, Error>, pump_done: bool) -> bool {
        match ev {
            Ok(DumpEvent::Item(t)) => {
                if self.error.is_none() {
                    self.items.push(t);
                }
            }
            Ok(DumpEvent::Restart { retry }) => {
                self.items.clear();
                self.error = None;
                self.retries = retry;
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
                if pump_done {
                    return false;
                }
            }
        }
        true
    }

    pub(crate) fn finish(self) -> Result<Dumped<T>, Error> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(Dumped {
                items: self.items,
                retries: self.retries,
            }),
        }
    }
}

/// Keeps the first item of a reply, forgetting it when the dump restarts (used by `single`).
pub(crate) struct First<T>(pub(crate) Option<T>);

impl<T> First<T> {
    pub(crate) fn feed(&mut self, ev: DumpEvent<T>) {
        match ev {
            DumpEvent::Item(t) => {
                if self.0.is_none() {
                    self.0 = Some(t);
                }
            }
            DumpEvent::Restart { .. } => self.0 = None,
        }
    }
}

/// A sans-IO exchange of any shape (pipelined ACKs, nfnetlink batches ...) that the generic
/// drivers [`blocking::run`](crate::blocking::run) and `nonblocking::run` can drive.
///
/// Call order: `poll_transmit` until it returns `None`, then receive one datagram (with
/// `poll_timeout` as the deadline, calling `handle_timeout` when it passes) and feed each of
/// its messages to `handle_message`; repeat until `is_finished`, then take `finish`.
pub trait Machine {
    /// What the exchange produces.
    type Output;
    /// The next datagram to send, encoded with sequence numbers drawn from `seq`.
    fn poll_transmit(&mut self, now: Instant, seq: &mut dyn FnMut() -> u32) -> Option<&[u8]>;
    /// Feed one received message.
    fn handle_message(&mut self, now: Instant, msg: &MsgView<'_>) -> Result<(), Error>;
    /// The deadline for the next datagram, if one is awaited.
    fn poll_timeout(&self) -> Option<Instant>;
    /// The deadline passed: fail with [`Error::Timeout`] when it really has.
    fn handle_timeout(&mut self, now: Instant) -> Result<(), Error>;
    /// Whether the exchange is complete.
    fn is_finished(&self) -> bool;
    /// The result (call once finished).
    fn finish(self) -> Self::Output;
}
