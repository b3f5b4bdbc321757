//! A scripted transport: a fake kernel in a closure, so any verb — multi-step ones included —
//! runs and is tested without a socket.
//!
//! Why: the engine is sans-IO, so a verb's protocol (re-dumps, restarts, what happens to
//! replies of an abandoned request, how a pipeline reacts to lost ACKs) can be checked with
//! scripted replies on any machine, deterministically, with virtual time. [`Script`]
//! implements [`Transport`] and the blocking [`Flavor`]: a verb called on it returns its
//! value directly.
//!
//! # Contract
//! - Every message a verb sends is recorded ([`Script::sent`]) and handed to the kernel
//!   closure, which answers by pushing datagrams (or socket errors) onto [`Replies`]. Replies
//!   are delivered in order; replies an exchange does not read stay queued for the next one,
//!   as on a real socket.
//! - Time is virtual: when the exchange waits and nothing is queued, the clock jumps to its
//!   deadline and the exchange times out. An exchange that waits with no deadline and no
//!   reply fails with [`Error::Stalled`] instead of hanging.
//! - Sequence numbers start at 1 and increase by one per message.
//!
//! # Example
//! ```
//! use linx_netlink_codec::script::{Replies, Script};
//! use linx_netlink_codec::{consts::*, Call, MsgView, Request};
//!
//! // A kernel with two links, each dump answered in two datagrams.
//! let kernel = Script::new(|req: &MsgView<'_>, out: &mut Replies| {
//!     if req.kind() == RTM_GETLINK {
//!         out.message(RTM_NEWLINK, NLM_F_MULTI, req.seq(), &[1; 16]);
//!         out.message(RTM_NEWLINK, NLM_F_MULTI, req.seq(), &[2; 16]);
//!         out.done(req.seq());
//!     }
//! });
//! let call = Call::new(Request::dump(RTM_GETLINK, vec![0; 16]), |m: &MsgView<'_>| Ok(m.payload()[0]));
//! let links = call.collect(&kernel)?;
//! assert_eq!(links.items, vec![1, 2]);
//! assert_eq!(kernel.sent().len(), 1);
//! # Ok::<(), linx_netlink_codec::Error>(())
//! ```

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::time::Instant;

use crate::consts::*;
use crate::engine::{Exchange, Inbox};
use crate::error::Error;
use crate::msg::{MsgIter, MsgView, MsgWriter};
use crate::transport::{Flavor, Transport, block_on_ready};

/// What the fake kernel queues for the socket.
#[derive(Debug)]
enum Incoming {
    Datagram(Vec<u8>),
    Fail(linx_netlink_sys::Error),
}

/// The fake kernel's outbox: datagrams (and socket errors) for the verb to receive, in order.
#[derive(Debug, Default)]
pub struct Replies {
    queue: VecDeque<Incoming>,
}

/// Encode one netlink message.
///
/// ```
/// let m = linx_netlink_codec::script::message(3, 2, 9, &[0; 4]);
/// assert_eq!(m.len(), 20);
/// ```
pub fn message(kind: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(16 + payload.len());
    let mut w = MsgWriter::begin(&mut b, kind, flags, seq);
    w.put_bytes(payload);
    // Cannot fail: script payloads are far below 4 GiB.
    let _ = w.finish();
    b
}

impl Replies {
    /// Queue a whole datagram (any number of concatenated messages).
    pub fn datagram(&mut self, bytes: Vec<u8>) {
        self.queue.push_back(Incoming::Datagram(bytes));
    }

    /// Queue one message as its own datagram.
    pub fn message(&mut self, kind: u16, flags: u16, seq: u32, payload: &[u8]) {
        self.datagram(message(kind, flags, seq, payload));
    }

    /// Queue the end of a dump (`NLMSG_DONE`, errno 0).
    pub fn done(&mut self, seq: u32) {
        self.message(NLMSG_DONE, NLM_F_MULTI, seq, &0i32.to_ne_bytes());
    }

    /// Queue the end of a dump with extra flags (`NLM_F_DUMP_INTR`: the dump was interrupted).
    pub fn done_with_flags(&mut self, seq: u32, flags: u16) {
        self.message(NLMSG_DONE, NLM_F_MULTI | flags, seq, &0i32.to_ne_bytes());
    }

    /// Queue an ACK (`NLMSG_ERROR` with errno 0, capped).
    pub fn ack(&mut self, seq: u32) {
        self.datagram(error_message(seq, 0, None));
    }

    /// Queue a refusal with `errno` (positive, e.g. 17 for `EEXIST`) and optional
    /// extended-ACK text.
    pub fn nack(&mut self, seq: u32, errno: i32, text: Option<&str>) {
        self.datagram(error_message(seq, errno, text));
    }

    /// Queue a socket error on receive (`ENOBUFS`: the kernel dropped replies).
    pub fn io_error(&mut self, errno: crate::Errno) {
        self.queue
            .push_back(Incoming::Fail(linx_netlink_sys::Error::Os {
                stage: linx_netlink_sys::Stage::Recv,
                errno,
            }));
    }

    /// How many datagrams and errors are queued.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

/// An `NLMSG_ERROR` message for `seq` (capped echo of a 16-byte header).
fn error_message(seq: u32, errno: i32, text: Option<&str>) -> Vec<u8> {
    let mut p = (-errno).to_ne_bytes().to_vec();
    let mut echo = [0u8; 16];
    crate::NlHeader {
        len: 16,
        kind: 0,
        flags: NLM_F_REQUEST,
        seq,
        pid: 0,
    }
    .emit(&mut echo);
    p.extend_from_slice(&echo);
    let mut flags = NLM_F_CAPPED;
    if let Some(t) = text {
        flags |= NLM_F_ACK_TLVS;
        // Cannot fail: a short string.
        let _ = crate::AttrWriter::new(&mut p).put_str(NLMSGERR_ATTR_MSG, t);
    }
    message(NLMSG_ERROR, flags, seq, &p)
}

/// The port id a [`Script`] reports unless told otherwise.
pub const SCRIPT_PORT_ID: u32 = 4242;

/// The kernel closure's type.
type Kernel = Box<dyn FnMut(&MsgView<'_>, &mut Replies)>;

/// A fake socket answered by a closure. See the [module docs](self).
pub struct Script {
    kernel: RefCell<Kernel>,
    replies: RefCell<Replies>,
    sent: RefCell<Vec<Vec<u8>>>,
    seq: Cell<u32>,
    clock: Cell<Instant>,
    rcvbuf: Cell<usize>,
    sndbuf: Cell<usize>,
    port_id: Cell<u32>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script")
            .field("queued", &self.replies.borrow().len())
            .field("sent", &self.sent.borrow().len())
            .finish_non_exhaustive()
    }
}

impl Script {
    /// A fake socket whose kernel is `kernel`: called with every message sent, it queues the
    /// replies.
    pub fn new(kernel: impl FnMut(&MsgView<'_>, &mut Replies) + 'static) -> Self {
        Script {
            kernel: RefCell::new(Box::new(kernel)),
            replies: RefCell::new(Replies::default()),
            sent: RefCell::new(Vec::new()),
            seq: Cell::new(0),
            clock: Cell::new(Instant::now()),
            rcvbuf: Cell::new(4 << 20),
            sndbuf: Cell::new(4 << 20),
            port_id: Cell::new(SCRIPT_PORT_ID),
        }
    }

    /// Pretend the socket was granted a receive buffer of `bytes` (default 4 MiB).
    ///
    /// ```
    /// use linx_netlink_codec::{script::Script, Transport};
    /// let s = Script::new(|_, _| {}).with_rcvbuf(4096);
    /// assert_eq!(s.rcvbuf().unwrap(), 4096);
    /// ```
    pub fn with_rcvbuf(self, bytes: usize) -> Self {
        self.rcvbuf.set(bytes);
        self
    }

    /// Pretend the socket's port id is `id` (default [`SCRIPT_PORT_ID`]).
    pub fn with_port_id(self, id: u32) -> Self {
        self.port_id.set(id);
        self
    }

    /// Pretend the kernel grants send buffers of at most `bytes` (default 4 MiB).
    pub fn with_max_sndbuf(self, bytes: usize) -> Self {
        self.sndbuf.set(bytes);
        self
    }

    /// Every message sent so far, in order.
    pub fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.borrow().clone()
    }

    /// Queue replies by hand (unsolicited messages, stale replies ...).
    pub fn push(&self, f: impl FnOnce(&mut Replies)) {
        f(&mut self.replies.borrow_mut());
    }

    /// The virtual clock: where timeouts and pauses have moved it.
    ///
    /// ```
    /// use linx_netlink_codec::{script::Script, Transport, Flavor};
    /// let s = Script::new(|_, _| {});
    /// let t0 = s.now();
    /// <Script as Flavor>::run(s.pause(std::time::Duration::from_millis(5)));
    /// assert_eq!(s.now() - t0, std::time::Duration::from_millis(5));
    /// ```
    pub fn now(&self) -> Instant {
        self.clock.get()
    }

    /// Datagrams and errors still queued.
    pub fn queued(&self) -> usize {
        self.replies.borrow().len()
    }

    fn next_seq(&self) -> u32 {
        let s = self.seq.get().wrapping_add(1).max(1);
        self.seq.set(s);
        s
    }

    fn transmit(&self, tx: &[u8]) -> Result<(), Error> {
        for msg in MsgIter::new(tx) {
            let msg = msg?;
            self.sent.borrow_mut().push(msg.bytes().to_vec());
            (self.kernel.borrow_mut())(&msg, &mut self.replies.borrow_mut());
        }
        Ok(())
    }

    fn run_script<M: Exchange>(&self, mut m: M) -> Result<M::Output, Error> {
        let mut inbox = Inbox::new();
        let mut now = self.clock.get();
        while !m.is_finished() {
            if !inbox.is_empty() {
                inbox.feed(now, &mut m, usize::MAX)?;
                continue;
            }
            while let Some(tx) = m.poll_transmit(now, &mut || self.next_seq()) {
                let tx = tx.to_vec();
                self.transmit(&tx)?;
            }
            if m.is_finished() {
                break;
            }
            let next = self.replies.borrow_mut().queue.pop_front();
            match next {
                // As a socket's bounded read does: a datagram longer than the exchange's
                // bound (and than the smallest receive room) is dropped unread.
                Some(Incoming::Datagram(d))
                    if m.reply_bound()
                        .is_some_and(|b| d.len() > b.max(linx_netlink_sys::RECV_MIN)) => {}
                Some(Incoming::Datagram(d)) => {
                    inbox.load(&d);
                    inbox.feed(now, &mut m, usize::MAX)?;
                }
                Some(Incoming::Fail(e)) => {
                    m.handle_io_error(now, e)?;
                    // As the drivers do: read what is queued before anything is sent.
                    while !m.is_finished() {
                        let next = {
                            let mut r = self.replies.borrow_mut();
                            match r.queue.front() {
                                Some(Incoming::Datagram(_)) => r.queue.pop_front(),
                                _ => None,
                            }
                        };
                        let Some(Incoming::Datagram(d)) = next else {
                            break;
                        };
                        inbox.load(&d);
                        inbox.feed(now, &mut m, usize::MAX)?;
                    }
                }
                None => match m.poll_timeout() {
                    Some(deadline) => {
                        now = now.max(deadline);
                        self.clock.set(now);
                        m.handle_timeout(now)?;
                    }
                    None => {
                        return Err(Error::Stalled(
                            "the script queued no reply and the exchange awaits no deadline",
                        ));
                    }
                },
            }
        }
        Ok(m.finish())
    }
}

impl Transport for Script {
    fn drive<M: Exchange>(&self, m: M) -> impl Future<Output = Result<M::Output, Error>> {
        std::future::ready(self.run_script(m))
    }

    fn rcvbuf(&self) -> Result<usize, Error> {
        Ok(self.rcvbuf.get())
    }

    fn set_sndbuf(&self, bytes: usize) -> Result<usize, Error> {
        Ok(bytes.min(self.sndbuf.get()))
    }

    fn port_id(&self) -> u32 {
        self.port_id.get()
    }

    fn pause(&self, d: std::time::Duration) -> impl Future<Output = ()> {
        self.clock.set(self.clock.get() + d);
        std::future::ready(())
    }
}

impl Flavor for Script {
    type Run<F: Future> = F::Output;
    fn run<F: Future>(body: F) -> F::Output {
        block_on_ready(body)
    }
}
