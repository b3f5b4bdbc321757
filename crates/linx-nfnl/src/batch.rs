//! Atomic batch transactions: `BATCH_BEGIN`, the caller's messages, `BATCH_END`, in one
//! datagram.
//!
//! Why this shape: the kernel takes a whole nfnetlink batch from **one** datagram and applies
//! all of it or none of it. So a batch is encoded into one buffer, the socket's send buffer is
//! raised to fit it (`SO_SNDBUFFORCE` when privileged), and replies are matched back to the
//! caller's messages by sequence number.
//!
//! ```text
//! [BATCH_BEGIN seq s, nfgenmsg{res_id = subsys}, (NFNL_BATCH_GENID)]
//! [message 1, seq s+1] ... [message n, seq s+n, NLM_F_ACK]
//! [BATCH_END seq s+n+1, nfgenmsg{res_id = subsys}]
//! ```
//!
//! # Contract
//! - Only the last message asks for an ACK by default ([`AckMode::Last`]): the kernel reports
//!   every failing message whether it asked for an ACK or not, so attribution is kept, and
//!   10k ACKs cannot overflow the receive buffer. [`AckMode::All`] asks for every ACK.
//! - A refusal is reported with the 1-based position of the message among the caller's
//!   messages ([`Refusal::batch_seq`]); a refusal of the batch itself (generation mismatch
//!   `ERESTART`, commit failure) has `batch_seq: None`. Nothing of a refused batch is applied.
//! - A batch larger than the send buffer the kernel grants fails before sending with
//!   [`Error::TooLarge`].
//! - A batch whose verdict does not arrive (timeout, socket error after sending) is never
//!   reported as simply failed: [`send`] reads the ruleset generation before sending and again
//!   after, and answers [`Error::NotCommitted`] when it did not move (nothing was applied) or
//!   [`Error::Unconfirmed`] when it did (a commit happened; the caller checks the ruleset).

use std::time::{Duration, Instant};

use linx_netlink_codec::consts::*;
use linx_netlink_codec::engine::Exchange;
use linx_netlink_codec::msg::{parse_error, resolve_offset};
use linx_netlink_codec::{AttrWriter, MsgView, MsgWriter, NetlinkError};

use crate::error::{Error, Refusal};
use crate::{NFNL_BATCH_GENID, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NfGenMsg, family};

/// Which messages of a batch ask for an ACK.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AckMode {
    /// Only the last message (default): completion is known, errors still come for every
    /// failing message.
    #[default]
    Last,
    /// Every message.
    All,
}

/// Room kept in front of a batch's messages for `BATCH_BEGIN` (nlmsghdr 16, nfgenmsg 4 and
/// an 8-byte `NFNL_BATCH_GENID`), so the datagram is the message buffer itself: no copy and
/// no memmove of megabytes when a large batch is sent.
const HEAD_ROOM: usize = NLMSG_HDRLEN + 4 + 8;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    /// Offset of the message in the buffer (head room included, so also in the datagram
    /// buffer `tx`).
    off: usize,
    /// Its family header length (for ext-ack attribute paths).
    header_len: usize,
}

/// A batch being built: messages are encoded as they are pushed (one buffer, no copies later).
///
/// ```
/// use linx_nfnl::batch::Batch;
/// use linx_nfnl::{msg_type, nft_msg, subsys, NfGenMsg, family};
///
/// let mut b = Batch::new(subsys::NFTABLES);
/// let mut payload = NfGenMsg::new(family::INET).to_bytes().to_vec();
/// linx_netlink_codec::AttrWriter::new(&mut payload).put_str(1, "filter").unwrap(); // NFTA_TABLE_NAME
/// let n = b.push(msg_type(subsys::NFTABLES, nft_msg::NEWTABLE), linx_netlink_codec::consts::NLM_F_CREATE, &payload);
/// assert_eq!((n, b.len()), (1, 1));
/// ```
#[derive(Clone, Debug)]
#[must_use = "a batch does nothing until sent with batch::send"]
pub struct Batch {
    subsys: u8,
    genid: Option<u32>,
    ack: AckMode,
    timeout: Duration,
    /// [`HEAD_ROOM`] bytes, then the encoded messages without sequence numbers (patched at
    /// send time).
    body: Vec<u8>,
    entries: Vec<Entry>,
}

impl Batch {
    /// An empty batch for subsystem `subsys` (usually [`subsys::NFTABLES`](crate::subsys::NFTABLES)).
    pub fn new(subsys: u8) -> Self {
        Batch {
            subsys,
            genid: None,
            ack: AckMode::Last,
            timeout: linx_netlink_codec::engine::DEFAULT_TIMEOUT,
            body: vec![0; HEAD_ROOM],
            entries: Vec::new(),
        }
    }

    /// Commit only if the ruleset generation is still `genid` (else the kernel refuses the
    /// batch with `ERESTART`): compare-and-swap for read-modify-write.
    pub fn with_genid(mut self, genid: u32) -> Self {
        self.genid = Some(genid);
        self
    }

    /// Which messages ask for an ACK (default [`AckMode::Last`]).
    pub fn with_ack_mode(mut self, mode: AckMode) -> Self {
        self.ack = mode;
        self
    }

    /// Per-datagram reply timeout (default 5 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Append a message of nlmsghdr type `kind` with `flags` (e.g. `NLM_F_CREATE`) and an
    /// encoded `payload` that starts with an [`NfGenMsg`]. Returns its 1-based position.
    pub fn push(&mut self, kind: u16, flags: u16, payload: &[u8]) -> usize {
        let off = self.body.len();
        let mut w = MsgWriter::begin(&mut self.body, kind, flags | NLM_F_REQUEST, 0);
        w.put_bytes(payload);
        // Cannot fail: `payload` is a slice in memory, far below 4 GiB in practice; if it
        // were not, the length is saturated and the kernel refuses the message.
        let _ = w.finish();
        self.entries.push(Entry { off, header_len: 4 });
        self.entries.len()
    }

    /// Append a message of type `kind` for `family` whose attributes `f` writes straight into
    /// the batch buffer (no intermediate payload copy): the nfgenmsg is written first. When `f`
    /// fails, the partial message is removed and its error returned. Returns the message's
    /// 1-based position.
    ///
    /// ```
    /// use linx_nfnl::batch::Batch;
    /// use linx_nfnl::{family, msg_type, nft_msg, subsys};
    /// let mut b = Batch::new(subsys::NFTABLES);
    /// let n = b
    ///     .push_with(msg_type(subsys::NFTABLES, nft_msg::NEWTABLE), 0, family::INET, |w| w.put_str(1, "t"))
    ///     .unwrap();
    /// assert_eq!(n, 1);
    /// assert_eq!(b.encoded_len(), 40 + 16 + 4 + 8);
    /// ```
    // Inline: each caller's closure makes its own copy, kept in the caller's codegen unit
    // (whichever unit the partition puts this crate's generic instances in) so the writer
    // and the closure inline into it; measured on nf_tables set and rule pushes.
    #[inline]
    pub fn push_with<E>(
        &mut self,
        kind: u16,
        flags: u16,
        family: u8,
        f: impl FnOnce(&mut AttrWriter<'_, Vec<u8>>) -> Result<(), E>,
    ) -> Result<usize, E>
    where
        E: From<linx_netlink_codec::EncodeError>,
    {
        let off = self.body.len();
        let mut w = MsgWriter::begin(&mut self.body, kind, flags | NLM_F_REQUEST, 0);
        w.put_bytes(&NfGenMsg::new(family).to_bytes());
        let written = f(&mut w.attrs());
        let finished = written.and_then(|()| w.finish().map_err(E::from));
        if let Err(e) = finished {
            self.body.truncate(off);
            return Err(e);
        }
        self.entries.push(Entry { off, header_len: 4 });
        Ok(self.entries.len())
    }

    /// Reserve room for about `bytes` more bytes of messages, so a large batch is written
    /// into one allocation instead of growing (and copying) its buffer step by step.
    ///
    /// ```
    /// let mut b = linx_nfnl::batch::Batch::new(linx_nfnl::subsys::NFTABLES);
    /// b.reserve(1 << 20);
    /// assert!(b.is_empty());
    /// ```
    pub fn reserve(&mut self, bytes: usize) {
        self.body.reserve(bytes);
    }

    /// The encoded bytes of message `pos` (1-based, as [`push`](Self::push) returns it):
    /// its `nlmsghdr` (sequence number still 0, no `NLM_F_ACK`: both are set when sent) and
    /// payload. What an extended-ACK offset of a refusal of that message counts from.
    ///
    /// ```
    /// use linx_nfnl::batch::Batch;
    /// use linx_nfnl::{family, msg_type, nft_msg, subsys};
    /// let mut b = Batch::new(subsys::NFTABLES);
    /// b.push_with(msg_type(subsys::NFTABLES, nft_msg::NEWTABLE), 0, family::INET, |w| w.put_str(1, "t")).unwrap();
    /// assert_eq!(b.message(1).map(<[u8]>::len), Some(16 + 4 + 8));
    /// assert!(b.message(2).is_none());
    /// ```
    pub fn message(&self, pos: usize) -> Option<&[u8]> {
        let i = pos.checked_sub(1)?;
        let start = self.entries.get(i)?.off;
        let end = self.entries.get(i + 1).map_or(self.body.len(), |e| e.off);
        self.body.get(start..end)
    }

    /// Number of messages (without the envelope).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the batch has no messages.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Size of the datagram the batch will be sent as, envelope included.
    pub fn encoded_len(&self) -> usize {
        self.body.len() - HEAD_ROOM + 2 * 20 + if self.genid.is_some() { 8 } else { 0 }
    }

    /// The sans-IO exchange that sends this batch and collects its replies.
    pub fn into_machine(self) -> BatchMachine {
        BatchMachine {
            batch: self,
            tx: Vec::new(),
            seqs: None,
            state: State::Send,
            refusals: Vec::new(),
            unconfirmed: None,
            deadline: None,
            start: 0,
            end_at: 0,
            probe_due: false,
            probe: None,
            probe_tx: Vec::new(),
            overflows: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Send,
    Wait,
    Done,
}

/// The sans-IO exchange of one [`Batch`]: implements [`Exchange`] so every driver runs it.
#[derive(Debug)]
pub struct BatchMachine {
    batch: Batch,
    tx: Vec<u8>,
    /// (sequence number of BEGIN, of the first message); messages are consecutive.
    seqs: Option<(u32, u32)>,
    state: State,
    refusals: Vec<Refusal>,
    /// Why the verdict is missing (set when the exchange ended without one).
    unconfirmed: Option<linx_netlink_codec::Error>,
    deadline: Option<Instant>,
    /// Where the datagram starts in `tx` (BATCH_BEGIN is written at the end of the head room).
    start: usize,
    /// Offset of BATCH_END in `tx`.
    end_at: usize,
    /// After `ENOBUFS`: a probe (`NLMSG_NOOP` with `NLM_F_ACK`) is due, or its sequence
    /// number once sent. Its ACK comes after every surviving reply of the batch: if the
    /// verdict has not come by then, it was lost.
    probe_due: bool,
    probe: Option<u32>,
    probe_tx: Vec<u8>,
    /// Overflows seen; past [`MAX_PROBES`] the verdict is given up as lost.
    overflows: u32,
}

/// How many `ENOBUFS` probes a batch sends before its verdict counts as lost.
const MAX_PROBES: u32 = 8;

impl BatchMachine {
    /// The encoded datagram (after [`Exchange::poll_transmit`]).
    pub fn datagram(&self) -> &[u8] {
        self.tx.get(self.start..).unwrap_or_default()
    }

    fn encode(&mut self, seq: &mut dyn FnMut() -> u32) {
        let n = self.batch.entries.len();
        let begin = seq();
        let envelope = NfGenMsg {
            family: family::UNSPEC,
            version: 0,
            res_id: self.batch.subsys as u16,
        }
        .to_bytes();
        let mut head = Vec::with_capacity(HEAD_ROOM);
        let mut w = MsgWriter::begin(&mut head, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, begin);
        w.put_bytes(&envelope);
        if let Some(g) = self.batch.genid {
            // Cannot fail: a 4-byte attribute.
            let _ = w.attrs().put_be32(NFNL_BATCH_GENID, g);
        }
        let _ = w.finish();
        // The body becomes the datagram: BATCH_BEGIN goes into the head room in front of the
        // messages (at most HEAD_ROOM bytes), and the datagram starts where it starts.
        self.tx = std::mem::take(&mut self.batch.body);
        debug_assert!(head.len() <= HEAD_ROOM, "BATCH_BEGIN outgrew the head room");
        self.start = HEAD_ROOM - head.len();
        self.tx[self.start..HEAD_ROOM].copy_from_slice(&head);
        self.end_at = self.tx.len();
        let b = &self.batch;
        // Sequence numbers are drawn one per message so a shared counter stays consistent,
        // but must be consecutive for attribution: draw them all, then check.
        let first = if n > 0 { seq() } else { begin.wrapping_add(1) };
        let mut expect = first;
        for (i, e) in b.entries.iter().enumerate() {
            let s = if i == 0 { first } else { seq() };
            if s != expect {
                expect = s; // a concurrent user of the counter: fall back to recorded seqs
            }
            expect = expect.wrapping_add(1);
            let at = e.off;
            self.tx[at + 8..at + 12].copy_from_slice(&s.to_ne_bytes());
            let ack = match b.ack {
                AckMode::All => true,
                AckMode::Last => i + 1 == n,
            };
            if ack {
                let flags = u16::from_ne_bytes([self.tx[at + 6], self.tx[at + 7]]) | NLM_F_ACK;
                self.tx[at + 6..at + 8].copy_from_slice(&flags.to_ne_bytes());
            }
        }
        let end = seq();
        let mut w = MsgWriter::begin(&mut self.tx, NFNL_MSG_BATCH_END, NLM_F_REQUEST, end);
        w.put_bytes(&envelope);
        let _ = w.finish();
        self.seqs = Some((begin, first));
    }

    /// Map a reply's sequence number to the caller's 1-based position (Some(None) for the
    /// envelope, None for a stranger).
    fn position(&self, seq: u32) -> Option<Option<usize>> {
        let (begin, first) = self.seqs?;
        if seq == begin {
            return Some(None);
        }
        let written =
            |e: &Entry| self.tx.get(e.off + 8..e.off + 12) == Some(&seq.to_ne_bytes()[..]);
        // Sequence numbers are consecutive unless a shared counter was used concurrently:
        // try the message that number would be first (one read instead of a walk over a
        // batch of 10k messages for the final ACK).
        let guess = seq.wrapping_sub(first) as usize;
        if self.batch.entries.get(guess).is_some_and(written) {
            return Some(Some(guess + 1));
        }
        // Read the sequence numbers actually written (robust to a shared counter).
        if let Some(i) = self.batch.entries.iter().position(written) {
            return Some(Some(i + 1));
        }
        let end_at = self.end_at;
        if self.tx.get(end_at + 8..end_at + 12) == Some(&seq.to_ne_bytes()[..]) {
            return Some(None);
        }
        None
    }

    fn last_seq(&self) -> Option<u32> {
        let at = self.batch.entries.last()?.off;
        self.tx
            .get(at + 8..at + 12)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn locate(&self, pos: Option<usize>, mut e: NetlinkError) -> NetlinkError {
        if let (Some(p), Some(off)) = (pos, e.ext_ack.offset) {
            let entry = &self.batch.entries[p - 1];
            e.ext_ack.path = resolve_offset(&self.tx[entry.off..], entry.header_len, off);
        }
        e
    }

    /// The outcome once finished: `Ok` when committed, [`Error::Batch`] when refused, and
    /// `Error::Request` with the cause when no verdict arrived (a refusal that did arrive
    /// still proves nothing was applied).
    pub fn result(self) -> Result<(), Error> {
        let mut all = self.refusals;
        if all.is_empty() {
            return match self.unconfirmed {
                Some(cause) => Err(Error::Request(cause)),
                None => Ok(()),
            };
        }
        all.sort_by_key(|r| r.batch_seq.unwrap_or(0));
        Err(Error::Batch {
            first: all[0].clone(),
            all,
        })
    }
}

impl Exchange for BatchMachine {
    type Output = Result<(), Error>;

    fn poll_transmit(&mut self, now: Instant, seq: &mut dyn FnMut() -> u32) -> Option<&[u8]> {
        if self.state == State::Wait && self.probe_due {
            let s = seq();
            linx_netlink_codec::pipeline::write_probe(&mut self.probe_tx, s);
            self.probe = Some(s);
            self.probe_due = false;
            self.deadline = now.checked_add(self.batch.timeout);
            return Some(&self.probe_tx);
        }
        if self.state != State::Send {
            return None;
        }
        if self.batch.is_empty() {
            self.state = State::Done;
            return None;
        }
        self.encode(seq);
        self.state = State::Wait;
        self.deadline = now.checked_add(self.batch.timeout);
        Some(self.datagram())
    }

    fn handle_message(
        &mut self,
        now: Instant,
        msg: &MsgView<'_>,
    ) -> Result<(), linx_netlink_codec::Error> {
        if self.state != State::Wait || msg.kind() != NLMSG_ERROR {
            return Ok(());
        }
        if self.probe.is_some() && self.probe == Some(msg.seq()) {
            // Everything the kernel kept of the batch's replies came before this: the
            // verdict was among what the overflow dropped.
            self.state = State::Done;
            self.unconfirmed = Some(linx_netlink_codec::Error::Sys(
                linx_netlink_sys::Error::Os {
                    stage: linx_netlink_sys::Stage::Recv,
                    errno: linx_netlink_codec::Errno::ENOBUFS,
                },
            ));
            return Ok(());
        }
        let Some(pos) = self.position(msg.seq()) else {
            return Ok(());
        };
        self.deadline = now.checked_add(self.batch.timeout);
        let res = match parse_error(msg) {
            Ok(res) => res,
            // A reply of ours that does not decode may have been the verdict: it is open,
            // and `drive` settles it by the generation.
            Err(e) => {
                self.state = State::Done;
                self.unconfirmed = Some(e.into());
                return Ok(());
            }
        };
        let is_last = Some(msg.seq()) == self.last_seq();
        if let Some(e) = res {
            let error = self.locate(pos, e);
            self.refusals.push(Refusal {
                batch_seq: pos,
                error,
            });
            if pos.is_none() {
                // The batch itself was refused (ERESTART, commit failure): nothing else that
                // matters follows.
                self.state = State::Done;
            }
        }
        let all_answered = match self.batch.ack {
            AckMode::Last => is_last,
            AckMode::All => is_last, // replies arrive in order; the last one closes
        };
        if all_answered {
            self.state = State::Done;
        }
        Ok(())
    }

    fn poll_timeout(&self) -> Option<Instant> {
        if self.state == State::Wait {
            self.deadline
        } else {
            None
        }
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), linx_netlink_codec::Error> {
        if let Some(d) = self.poll_timeout()
            && now >= d
        {
            self.state = State::Done;
            self.unconfirmed = Some(linx_netlink_codec::Error::Timeout(self.batch.timeout));
        }
        Ok(())
    }

    fn has_pending_replies(&self) -> bool {
        // Stopped before the last reply: refusals or the verdict may still be queued.
        self.unconfirmed.is_some() || self.refusals.iter().any(|r| r.batch_seq.is_none())
    }

    fn handle_malformed(
        &mut self,
        error: linx_netlink_codec::DecodeError,
    ) -> Result<(), linx_netlink_codec::Error> {
        // The verdict may have been in the datagram that did not frame.
        self.state = State::Done;
        self.unconfirmed = Some(error.into());
        Ok(())
    }

    fn handle_io_error(
        &mut self,
        _now: Instant,
        error: linx_netlink_sys::Error,
    ) -> Result<(), linx_netlink_codec::Error> {
        if self.state == State::Send {
            // Nothing was sent.
            return Err(linx_netlink_codec::Error::Sys(error));
        }
        self.overflows += 1;
        if self.state == State::Wait
            && error.errno() == Some(linx_netlink_codec::Errno::ENOBUFS)
            && self.overflows <= MAX_PROBES
        {
            // Replies were dropped, perhaps the verdict: read what survived (the driver does
            // before sending), then probe to learn where the replies end.
            self.probe_due = true;
            self.probe = None;
            return Ok(());
        }
        self.state = State::Done;
        self.unconfirmed = Some(linx_netlink_codec::Error::Sys(error));
        Ok(())
    }

    fn is_finished(&self) -> bool {
        self.state == State::Done
    }

    fn finish(self) -> Self::Output {
        self.result()
    }
}

/// Make sure `sock`'s send buffer holds a datagram of `len` bytes (a batch's
/// [`Batch::encoded_len`]): raises it when needed, [`Error::TooLarge`] when the kernel will not
/// grant enough. [`send`] calls it; verbs that drive a [`BatchMachine`] themselves call it
/// first.
pub fn fit<S: linx_netlink_codec::Transport + ?Sized>(sock: &S, len: usize) -> Result<(), Error> {
    // The kernel refuses datagrams larger than sk_sndbuf - 32; it reports twice what was set.
    const SMALL: usize = 200 * 1024;
    if len + 64 <= SMALL {
        return Ok(());
    }
    let want = len + 4096;
    let got = sock.set_sndbuf(want)?;
    if got < len + 64 {
        return Err(Error::TooLarge { len, sndbuf: got });
    }
    Ok(())
}

linx_netlink_codec::verb! {
    error = Error;
    /// Send `batch` and wait for the kernel's verdict: `Ok(())` when it was committed,
    /// [`Error::Batch`] with every refusal (and nothing applied) otherwise.
    ///
    /// ```no_run
    /// use linx_nfnl::batch::{self, Batch};
    /// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
    /// let b = Batch::new(linx_nfnl::subsys::NFTABLES);
    /// batch::send(&sock, b)?;
    /// # Ok::<(), linx_nfnl::Error>(())
    /// ```
    pub fn send(sock, batch: Batch) -> () {
        if batch.is_empty() {
            return Ok(());
        }
        fit(sock, batch.encoded_len())?;
        drive(sock, batch.into_machine()).await
    }
}

/// Run a batch exchange and settle a missing verdict with the ruleset generation: read it
/// before sending; if no verdict arrives, read it again: unchanged means nothing was committed
/// ([`Error::NotCommitted`]), moved means a commit happened ([`Error::Unconfirmed`]).
///
/// ```no_run
/// use linx_nfnl::batch::{self, Batch};
/// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
/// let b = Batch::new(linx_nfnl::subsys::NFTABLES);
/// <linx_netlink_sys::Socket as linx_netlink_codec::Flavor>::run(batch::drive(&sock, b.into_machine()))?;
/// # Ok::<(), linx_nfnl::Error>(())
/// ```
pub async fn drive<S: linx_netlink_codec::Transport>(
    sock: &S,
    machine: BatchMachine,
) -> Result<(), Error> {
    let before = crate::generation::get_on(sock).await?.id;
    match sock.drive(machine).await {
        Ok(Err(Error::Request(cause))) => {
            // When the generation cannot be read again, the outcome stays unknown.
            let after = crate::generation::get_on(sock).await.ok().map(|g| g.id);
            if after == Some(before) {
                Err(Error::NotCommitted {
                    cause,
                    generation: before,
                })
            } else {
                Err(Error::Unconfirmed {
                    cause,
                    before,
                    after,
                })
            }
        }
        Ok(res) => res,
        Err(e) => Err(Error::Request(e)),
    }
}

/// Encode an attribute list into a payload after an [`NfGenMsg`] for `family`: a small
/// helper for callers building messages by hand.
///
/// ```
/// let p = linx_nfnl::batch::payload(linx_nfnl::family::INET, |w| w.put_str(1, "t"));
/// assert_eq!(&p[..4], &[1, 0, 0, 0]);
/// ```
pub fn payload(
    family: u8,
    f: impl FnOnce(&mut AttrWriter<'_, Vec<u8>>) -> Result<(), linx_netlink_codec::EncodeError>,
) -> Vec<u8> {
    let mut p = NfGenMsg::new(family).to_bytes().to_vec();
    // Attributes built here are small; an oversize one is a caller bug we surface by
    // leaving it out (the kernel then rejects the message with its own error).
    let _ = f(&mut AttrWriter::new(&mut p));
    p
}
