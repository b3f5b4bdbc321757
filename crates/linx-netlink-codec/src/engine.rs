//! The request engine: every netlink exchange as one sans-IO state machine.
//!
//! Why sans-IO: the rules of a netlink exchange (which replies belong to us, when a dump is
//! over, what a `NLM_F_DUMP_INTR` means, how an error carries its extended ACK, which ACK
//! belongs to which pipelined request) are the same whether the socket is blocking, driven by
//! tokio, or a script in a test. They live here once, with bytes and time passed in, and are
//! tested against scripted datagrams with no socket at all. The drivers
//! ([`blocking`](crate::blocking), `nonblocking` with the `tokio` feature, and
//! [`script`](crate::script)) only move bytes, each with one loop.
//!
//! # One shape
//! Every exchange implements [`Exchange`] (`poll_*` out, `handle_*` in):
//! - [`Talk`]: one request and its reply (an ACK, a single reply, a dump), with a
//!   [`Decoder`] turning reply messages into items and a [`Sink`] taking them: [`Collect`]
//!   (the items of the last complete attempt), [`First`], [`ForEach`] (streamed to a
//!   closure), [`Queue`] (streamed to an iterator), [`Ignore`].
//! - [`AckPipeline`](crate::pipeline::AckPipeline): many ACKed requests in flight.
//! - nfnetlink batches (`linx-nfnl`).
//!
//! # Call order (for driver writers)
//! 1. Send every datagram [`Exchange::poll_transmit`] hands out (sequence numbers come from
//!    the closure given to it).
//! 2. Unless [`Exchange::is_finished`], receive one datagram, waiting at most until
//!    [`Exchange::poll_timeout`]; feed each of its messages, in order, to
//!    [`Exchange::handle_message`] (a streaming driver hands control back whenever
//!    [`Exchange::has_event`] says so, and feeds the rest later). If the deadline passes first
//!    call [`Exchange::handle_timeout`]; if the socket fails call [`Exchange::handle_io_error`].
//!    An `Err` from any `handle_*` ends the exchange with that error.
//! 3. Go to 1 until [`Exchange::is_finished`]; then take [`Exchange::finish`].
//! 4. If the loop ends any other way (an error, a dropped stream or future), replies may still
//!    be queued: the drivers mark the socket dirty and the next exchange drains it first.
//!
//! # Contract
//! - Only messages echoing a sequence number of the exchange are its own; everything else
//!   (seq 0 multicast, replies to abandoned requests) is skipped, never an error.
//! - Reply shapes: ACK (`NLMSG_ERROR` errno 0) ends a request; a data message without
//!   `NLM_F_MULTI` ends it too unless `NLM_F_ACK` was asked for (then the ACK ends it);
//!   `NLM_F_MULTI` messages run to `NLMSG_DONE`. `NLMSG_NOOP` is skipped.
//! - `NLMSG_ERROR` with errno ≠ 0 and `NLMSG_DONE` with a negative errno fail the request
//!   with a [`NetlinkError`] carrying the extended ACK, its offset resolved to an attribute
//!   path against the request that was sent.
//! - `NLM_F_DUMP_INTR` on a dump: the rest of the interrupted dump is drained (the kernel
//!   refuses a new dump with `EBUSY` while one runs), then the request is re-sent with a new
//!   sequence number and the sink is told to discard what it received. The first retry is
//!   sent at once, later ones after a growing pause (1 ms doubling to 64 ms), so the retries
//!   outlast a burst of changes. After
//!   [`Request::dump_retries`] restarts (default [`DEFAULT_DUMP_RETRIES`]) the next
//!   interruption fails with [`Error::DumpInterrupted`]. The number of restarts is reported
//!   with the result ([`Dumped::retries`], [`ForEach`]'s output).
//! - A per-datagram timeout: each message of ours pushes the deadline out by the request's
//!   timeout. Time is only ever passed in.
//! - An item that fails to decode fails the exchange with that [`DecodeError`], but only
//!   after the reply was read to its end (so the socket stays clean); a restart forgets it.
//! - Nothing here panics, reads a clock or does I/O. Allocation: the transmit buffer, error
//!   text, and what the sink keeps.

use std::time::{Duration, Instant};

use crate::attr::NlBuffer;
use crate::consts::*;
use crate::error::{DecodeError, EncodeError, Error, NetlinkError};
use crate::msg::{MsgView, NlHeader, parse_done, parse_error, resolve_offset};

/// Default per-datagram timeout: 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default number of times an interrupted dump is retried: 10.
///
/// Under heavy churn (thousands of addresses changing while they are dumped) a dump is
/// interrupted often; ten retries keep well over 99% of dumps successful there.
pub const DEFAULT_DUMP_RETRIES: u32 = 10;

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

/// One exchange as a sans-IO state machine: the single shape every driver runs. See the
/// [module docs](self) for the call order.
pub trait Exchange {
    /// What the exchange produces.
    type Output;

    /// The next datagram to send, encoded with sequence numbers drawn from `seq`, or `None`
    /// when nothing is due now.
    fn poll_transmit(&mut self, now: Instant, seq: &mut dyn FnMut() -> u32) -> Option<&[u8]>;

    /// Feed one received message. `Err` ends the exchange.
    fn handle_message(&mut self, now: Instant, msg: &MsgView<'_>) -> Result<(), Error>;

    /// The deadline for the next datagram, if one is awaited.
    fn poll_timeout(&self) -> Option<Instant>;

    /// The deadline passed. `Err` ends the exchange ([`Error::Timeout`] typically); an
    /// exchange that can say what became of each of its requests records it and finishes.
    fn handle_timeout(&mut self, now: Instant) -> Result<(), Error>;

    /// The socket failed. The default ends the exchange with the error; an exchange that can
    /// recover (a pipeline after `ENOBUFS`) records what was lost and goes on.
    fn handle_io_error(
        &mut self,
        now: Instant,
        error: linx_netlink_sys::Error,
    ) -> Result<(), Error> {
        let _ = now;
        Err(Error::Sys(error))
    }

    /// The datagram `poll_transmit` handed out last could not be sent (the kernel saw none of
    /// it). The default ends the exchange with the error.
    fn handle_send_error(
        &mut self,
        now: Instant,
        error: linx_netlink_sys::Error,
    ) -> Result<(), Error> {
        let _ = now;
        Err(Error::Sys(error))
    }

    /// A received datagram did not frame (a message length that overruns it). The default
    /// ends the exchange with the error; an exchange that reports per-request outcomes
    /// records it and finishes instead.
    fn handle_malformed(&mut self, error: DecodeError) -> Result<(), Error> {
        Err(error.into())
    }

    /// The longest datagram that can still carry something this exchange uses, when it is
    /// known: the driver then reads each datagram with one syscall into at least that much
    /// room instead of probing its size first, and drops a longer datagram unread (it
    /// carries nothing the exchange looks at). `None` (the default) makes the driver probe
    /// every datagram, so none is ever cut: data replies (dumps, `GET` replies, echoes) have
    /// no size a caller can know (a dump's datagrams are at most about 32 KiB unless the
    /// family asks for more, as `RTM_GETLINK` does for links with many VFs).
    ///
    /// Only an exchange that reads nothing but acknowledgements answers: their size is
    /// bounded by the request ([`ack_len_max`](crate::msg::ack_len_max)).
    fn reply_bound(&self) -> Option<usize> {
        None
    }

    /// Whether the exchange finished with replies of its own possibly still queued (it
    /// stopped early: an aborted pipeline, a batch without its verdict). The drivers then
    /// leave the socket dirty so the next exchange drains them.
    fn has_pending_replies(&self) -> bool {
        false
    }

    /// Whether a streamed item is waiting for the caller (a streaming driver stops feeding
    /// messages until it is taken).
    fn has_event(&self) -> bool {
        false
    }

    /// Whether the exchange is complete.
    fn is_finished(&self) -> bool;

    /// The result (call once finished).
    fn finish(self) -> Self::Output;
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

/// A collected reply: the items and how many dump retries it took. It reads like the
/// `Vec` of its items (it dereferences to one and iterates over them), so a `list` verb can
/// return it and still say how many times the kernel interrupted the dump.
///
/// ```
/// use linx_netlink_codec::Dumped;
/// let d = Dumped { items: vec![3, 1, 2], retries: 1 };
/// assert_eq!(d.len(), 3);
/// assert_eq!(d.iter().max(), Some(&3));
/// assert_eq!(d, vec![3, 1, 2]);
/// let v: Vec<i32> = d.into_vec();
/// assert_eq!(v, [3, 1, 2]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dumped<T> {
    /// The items of the last, complete attempt.
    pub items: Vec<T>,
    /// Restarts after `NLM_F_DUMP_INTR` (0 when the first attempt was consistent).
    pub retries: u32,
}

impl<T> Dumped<T> {
    /// The items.
    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<T> std::ops::Deref for Dumped<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> std::ops::DerefMut for Dumped<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<T> IntoIterator for Dumped<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Dumped<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for Dumped<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.items == *other
    }
}

impl<T: PartialEq, const N: usize> PartialEq<[T; N]> for Dumped<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.items[..] == other[..]
    }
}

impl<T> From<Dumped<T>> for Vec<T> {
    fn from(d: Dumped<T>) -> Vec<T> {
        d.items
    }
}

/// Where a [`Talk`] puts the items it decodes. The engine guarantees: items arrive in reply
/// order; [`restart`](Sink::restart) means "forget everything so far"; a decode error is
/// handed over as an item and the exchange goes on to the end of the reply.
pub trait Sink<T> {
    /// What the sink yields when the exchange succeeded.
    type Output;
    /// One decoded item (or why it did not decode).
    fn item(&mut self, item: Result<T, DecodeError>);
    /// The dump restarts: forget what came before.
    fn restart(&mut self, retry: u32);
    /// Whether an item is waiting to be taken (streaming sinks only).
    fn has_event(&self) -> bool {
        false
    }
    /// The exchange ended successfully after `retries` restarts.
    fn finish(self, retries: u32) -> Result<Self::Output, Error>;
}

/// Collects every item of the last complete attempt: output [`Dumped`]. The first decode
/// error fails the collection.
#[derive(Debug)]
pub struct Collect<T> {
    items: Vec<T>,
    error: Option<DecodeError>,
}

impl<T> Default for Collect<T> {
    fn default() -> Self {
        Collect {
            items: Vec::new(),
            error: None,
        }
    }
}

impl<T> Sink<T> for Collect<T> {
    type Output = Dumped<T>;
    fn item(&mut self, item: Result<T, DecodeError>) {
        match item {
            Ok(t) if self.error.is_none() => self.items.push(t),
            Ok(_) => {}
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }
    fn restart(&mut self, _retry: u32) {
        self.items.clear();
        self.error = None;
    }
    fn finish(self, retries: u32) -> Result<Dumped<T>, Error> {
        match self.error {
            Some(e) => Err(e.into()),
            None => Ok(Dumped {
                items: self.items,
                retries,
            }),
        }
    }
}

/// Keeps the first item of the reply (the rest is read and dropped): output `Option<T>`.
#[derive(Debug)]
pub struct First<T> {
    first: Option<T>,
    error: Option<DecodeError>,
}

impl<T> Default for First<T> {
    fn default() -> Self {
        First {
            first: None,
            error: None,
        }
    }
}

impl<T> Sink<T> for First<T> {
    type Output = Option<T>;
    fn item(&mut self, item: Result<T, DecodeError>) {
        if self.first.is_some() || self.error.is_some() {
            return;
        }
        match item {
            Ok(t) => self.first = Some(t),
            Err(e) => self.error = Some(e),
        }
    }
    fn restart(&mut self, _retry: u32) {
        self.first = None;
        self.error = None;
    }
    fn finish(self, _retries: u32) -> Result<Option<T>, Error> {
        match self.error {
            Some(e) => Err(e.into()),
            None => Ok(self.first),
        }
    }
}

/// Drops every item: output `()` (requests answered by an ACK).
#[derive(Clone, Copy, Debug, Default)]
pub struct Ignore;

impl<T> Sink<T> for Ignore {
    type Output = ();
    fn item(&mut self, _item: Result<T, DecodeError>) {}
    fn restart(&mut self, _retry: u32) {}
    fn finish(self, _retries: u32) -> Result<(), Error> {
        Ok(())
    }
}

/// Hands each event to a closure as it is decoded (memory: one datagram): output the number
/// of restarts. After the first decode error the closure sees nothing more of that attempt,
/// and the exchange fails with the error once the reply is read.
pub struct ForEach<F> {
    f: F,
    error: Option<DecodeError>,
}

impl<F> ForEach<F> {
    /// A sink calling `f` for every event.
    pub fn new(f: F) -> Self {
        ForEach { f, error: None }
    }
}

impl<F> std::fmt::Debug for ForEach<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForEach")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T, F: FnMut(DumpEvent<T>)> Sink<T> for ForEach<F> {
    type Output = u32;
    fn item(&mut self, item: Result<T, DecodeError>) {
        if self.error.is_some() {
            return;
        }
        match item {
            Ok(t) => (self.f)(DumpEvent::Item(t)),
            Err(e) => self.error = Some(e),
        }
    }
    fn restart(&mut self, retry: u32) {
        self.error = None;
        (self.f)(DumpEvent::Restart { retry });
    }
    fn finish(self, retries: u32) -> Result<u32, Error> {
        match self.error {
            Some(e) => Err(e.into()),
            None => Ok(retries),
        }
    }
}

/// Holds streamed events until the caller takes them ([`Queue::pop`]); streaming drivers
/// stop feeding while one waits, so it holds at most one message's event.
#[derive(Debug)]
pub struct Queue<T> {
    events: std::collections::VecDeque<Result<DumpEvent<T>, Error>>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue {
            events: std::collections::VecDeque::new(),
        }
    }
}

impl<T> Queue<T> {
    /// The oldest waiting event.
    pub fn pop(&mut self) -> Option<Result<DumpEvent<T>, Error>> {
        self.events.pop_front()
    }
}

impl<T> Sink<T> for Queue<T> {
    type Output = u32;
    fn item(&mut self, item: Result<T, DecodeError>) {
        self.events
            .push_back(item.map(DumpEvent::Item).map_err(Error::from));
    }
    fn restart(&mut self, retry: u32) {
        self.events.push_back(Ok(DumpEvent::Restart { retry }));
    }
    fn has_event(&self) -> bool {
        !self.events.is_empty()
    }
    fn finish(self, retries: u32) -> Result<u32, Error> {
        Ok(retries)
    }
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

/// One request and its reply: an ACK, a single reply or a dump. See the
/// [module docs](self) for the rules it implements.
///
/// ```
/// use std::time::Instant;
/// use linx_netlink_codec::engine::{Collect, Exchange, Talk};
/// use linx_netlink_codec::{consts::*, MsgView, MsgWriter, Request};
///
/// let req = Request::dump(RTM_GETLINK, vec![0; 16]);
/// let mut talk = Talk::new(req, |m: &MsgView<'_>| Ok(m.kind()), Collect::default());
/// let now = Instant::now();
/// let seq = talk.poll_transmit(now, &mut || 7).map(|_| 7).unwrap();
/// // The kernel answers with one link and the end of the dump.
/// let mut reply = Vec::new();
/// MsgWriter::begin(&mut reply, RTM_NEWLINK, NLM_F_MULTI, seq).finish().unwrap();
/// MsgWriter::begin(&mut reply, NLMSG_DONE, NLM_F_MULTI, seq).finish().unwrap();
/// for m in linx_netlink_codec::MsgIter::new(&reply) {
///     talk.handle_message(now, &m.unwrap()).unwrap();
/// }
/// assert!(talk.is_finished());
/// assert_eq!(talk.finish().unwrap().items, vec![RTM_NEWLINK]);
/// ```
#[derive(Debug)]
pub struct Talk<D, K> {
    req: Request,
    seq: u32,
    state: State,
    restarts: u32,
    /// Time of the last activity (send or a message of ours); the deadline is this plus the
    /// timeout, computed only when asked (no clock arithmetic per message).
    last: Option<Instant>,
    tx: Vec<u8>,
    dec: D,
    sink: K,
    error: Option<Error>,
    /// A restarted dump is re-sent no earlier than this (backoff under churn).
    resend_at: Option<Instant>,
    /// Only the acknowledgement is used (data replies are discarded): see
    /// [`Exchange::reply_bound`].
    acks_only: bool,
}

impl<D: Decoder, K: Sink<D::Item>> Talk<D, K> {
    /// A new exchange; the request is sent on the first `poll_transmit`.
    pub fn new(req: Request, dec: D, sink: K) -> Self {
        Talk {
            req,
            seq: 0,
            state: State::Send,
            restarts: 0,
            last: None,
            tx: Vec::new(),
            dec,
            sink,
            error: None,
            resend_at: None,
            acks_only: false,
        }
    }

    /// Mark an exchange whose data replies are discarded, so that only its acknowledgement
    /// matters (what [`Transport::ack`](crate::Transport::ack) runs): its datagrams are then
    /// read without a size probe ([`Exchange::reply_bound`]).
    pub(crate) fn acks_only(mut self) -> Self {
        self.acks_only = true;
        self
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

    /// The sink (a streaming driver pops its events).
    pub fn sink_mut(&mut self) -> &mut K {
        &mut self.sink
    }

    /// The error that ended the exchange, taken (a stream reports it once).
    pub fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    fn fail(&mut self, e: Error) {
        self.state = State::Finished;
        self.error.get_or_insert(e);
    }

    fn after_interruption(&mut self, fail: bool) {
        if fail {
            self.fail(Error::DumpInterrupted {
                attempts: self.restarts,
            });
        } else {
            self.state = State::Send;
            self.resend_at = self.last.map(|t| t + restart_backoff(self.restarts));
            self.sink.restart(self.restarts);
        }
    }

    fn locate(&self, mut e: NetlinkError) -> NetlinkError {
        if let Some(off) = e.ext_ack.offset {
            e.ext_ack.path = resolve_offset(&self.tx, self.req.header_len, off);
        }
        e
    }
}

impl<D: Decoder, K: Sink<D::Item>> Exchange for Talk<D, K> {
    type Output = Result<K::Output, Error>;

    fn poll_transmit(&mut self, now: Instant, seq: &mut dyn FnMut() -> u32) -> Option<&[u8]> {
        if self.state != State::Send {
            return None;
        }
        if let Some(t) = self.resend_at {
            if now < t {
                return None;
            }
            self.resend_at = None;
        }
        self.seq = seq();
        self.tx.clear();
        if let Err(e) = self.req.encode(self.seq, &mut self.tx) {
            self.fail(e.into());
            return None;
        }
        self.state = State::Wait;
        self.last = Some(now);
        Some(&self.tx)
    }

    fn handle_message(&mut self, now: Instant, msg: &MsgView<'_>) -> Result<(), Error> {
        if self.classify(now, msg)? {
            self.sink.item(self.dec.decode(msg));
        }
        Ok(())
    }

    fn reply_bound(&self) -> Option<usize> {
        // Only the ACK of a request that asks for none of the kernel's data: its size is
        // bounded by the request (in `tx`), and a longer datagram (a data reply of a `GET`
        // sent this way, a stray) would be discarded anyway.
        let no_data = !self.req.is_dump() && self.req.flags & NLM_F_ECHO == 0;
        (self.acks_only && no_data && self.state == State::Wait)
            .then(|| crate::msg::ack_len_max(self.tx.len()))
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Wait | State::Drain { .. } => {
                self.last.and_then(|t| t.checked_add(self.req.timeout))
            }
            // A backed-off resend is due then.
            State::Send => self.resend_at,
            State::Finished => None,
        }
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), Error> {
        match self.poll_timeout() {
            Some(d) if now >= d && self.state == State::Send => {
                self.resend_at = None;
                Ok(())
            }
            Some(d) if now >= d => {
                self.state = State::Finished;
                Err(Error::Timeout(self.req.timeout))
            }
            _ => Ok(()),
        }
    }

    fn has_event(&self) -> bool {
        self.sink.has_event()
    }

    fn is_finished(&self) -> bool {
        self.state == State::Finished
    }

    fn finish(self) -> Self::Output {
        match self.error {
            Some(e) => Err(e),
            None => self.sink.finish(self.restarts),
        }
    }
}

impl<D: Decoder, K: Sink<D::Item>> Talk<D, K> {
    /// The bookkeeping of [`Exchange::handle_message`] without the decoding: `Ok(true)` when
    /// `msg` is a data message of this reply that the decoder is due to turn into an item
    /// (a streaming driver then decodes it straight into the caller's hands, without a trip
    /// through the sink).
    #[inline]
    pub(crate) fn classify(&mut self, now: Instant, msg: &MsgView<'_>) -> Result<bool, Error> {
        if msg.seq() != self.seq || matches!(self.state, State::Send | State::Finished) {
            return Ok(false);
        }
        self.last = Some(now);
        let kind = msg.kind();
        if let State::Drain { fail } = self.state {
            if kind == NLMSG_DONE || kind == NLMSG_ERROR {
                self.after_interruption(fail);
            }
            return Ok(false);
        }
        let interrupted = self.req.is_dump() && msg.flags() & NLM_F_DUMP_INTR != 0;
        match kind {
            NLMSG_NOOP => {}
            NLMSG_ERROR => {
                self.state = State::Finished;
                if let Some(e) = parse_error(msg)? {
                    let e = self.locate(e);
                    self.fail(Error::Netlink(e));
                }
            }
            NLMSG_DONE => {
                if interrupted {
                    self.restarts += 1;
                    self.after_interruption(self.restarts > self.req.dump_retries);
                    return Ok(false);
                }
                self.state = State::Finished;
                if let Some(e) = parse_done(msg)? {
                    let e = self.locate(e);
                    self.fail(Error::Netlink(e));
                }
            }
            NLMSG_OVERRUN => self.fail(Error::Overrun),
            _ if interrupted => {
                self.restarts += 1;
                self.state = State::Drain {
                    fail: self.restarts > self.req.dump_retries,
                };
            }
            _ => {
                if msg.flags() & NLM_F_MULTI == 0 && self.req.flags & NLM_F_ACK == 0 {
                    self.state = State::Finished;
                }
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Decode a message [`classify`](Self::classify) accepted.
    #[inline]
    pub(crate) fn decode(&mut self, msg: &MsgView<'_>) -> Result<D::Item, DecodeError> {
        self.dec.decode(msg)
    }
}

/// How long the `retry`-th re-send of an interrupted dump waits: the first retry goes at once
/// (most interruptions are one change), later ones back off (1, 2, 4 ... 64 ms) so that ten
/// retries outlast a burst of changes of a quarter of a second instead of a few dump times.
fn restart_backoff(retry: u32) -> Duration {
    match retry {
        0 | 1 => Duration::ZERO,
        n => Duration::from_millis(1 << (n - 2).min(6)),
    }
}

/// Receive buffer capacity a driver starts with (grown on demand, never truncating).
pub const RECV_BUFFER: usize = 64 * 1024;

/// Spare buffers larger than this are not kept for reuse.
const SPARE_MAX: usize = 1 << 20;

thread_local! {
    /// One spare receive buffer per thread, reused by consecutive exchanges.
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The datagram a driver received and how far its messages were fed: the part of the loop
/// every driver shares. Its buffer is this thread's spare (returned on drop), so back-to-back
/// exchanges do not allocate one each.
#[derive(Debug)]
pub(crate) struct Inbox {
    pub(crate) buf: Vec<u8>,
    pos: usize,
}

impl Inbox {
    pub(crate) fn new() -> Self {
        let buf = SPARE.with(|c| c.take());
        let buf = if buf.capacity() == 0 {
            Vec::with_capacity(RECV_BUFFER)
        } else {
            buf
        };
        Inbox { buf, pos: 0 }
    }

    /// Whether every message of the datagram was fed.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// A new datagram is in `buf`.
    pub(crate) fn received(&mut self) {
        self.pos = 0;
    }

    /// Put a copy of `datagram` in `buf`, as if received (a scripted transport's delivery).
    pub(crate) fn load(&mut self, datagram: &[u8]) {
        self.buf.clear();
        self.buf.extend_from_slice(datagram);
        self.received();
    }

    /// Frame the next message of the current datagram (`None` when it is used up; a tail
    /// shorter than a header is dropped, as [`feed`](Self::feed) does). A message that does
    /// not frame uses up the datagram; its error's offset is within the datagram.
    #[inline]
    pub(crate) fn next_msg(&mut self) -> Option<Result<MsgView<'_>, DecodeError>> {
        let start = self.pos;
        let rest = self.buf.get(start..)?;
        if rest.len() < NlHeader::LEN {
            self.pos = self.buf.len();
            return None;
        }
        match MsgView::new_checked(&self.buf[start..]) {
            Ok(msg) => {
                self.pos = start + crate::align(msg.header().len as usize);
                Some(Ok(msg))
            }
            Err(mut e) => {
                e.offset += start;
                self.pos = self.buf.len();
                Some(Err(e))
            }
        }
    }

    /// Feed the datagram's messages to `m` until it has an event for the caller, is
    /// finished, `limit` messages were fed (a tokio driver spends budget per slice), or the
    /// datagram is used up. A malformed datagram goes to [`Exchange::handle_malformed`].
    pub(crate) fn feed<M: Exchange + ?Sized>(
        &mut self,
        now: Instant,
        m: &mut M,
        limit: usize,
    ) -> Result<(), Error> {
        let mut fed = 0;
        while !m.is_finished() {
            if fed == limit {
                return Ok(());
            }
            fed += 1;
            match self.next_msg() {
                None => break,
                Some(Err(e)) => return m.handle_malformed(e),
                Some(Ok(msg)) => {
                    m.handle_message(now, &msg)?;
                    if m.has_event() {
                        return Ok(());
                    }
                }
            }
        }
        self.pos = self.buf.len();
        Ok(())
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        let mut v = std::mem::take(&mut self.buf);
        if v.capacity() <= SPARE_MAX {
            v.clear();
            SPARE.with(|c| c.set(v));
        }
    }
}
