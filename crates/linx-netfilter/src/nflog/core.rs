//! The sans-IO core both listener drivers share: the receive buffer, the position in the
//! datagram being read, events that arrived while a configuration request waited for its
//! ACK, and what each receive outcome means.
//!
//! # Contract
//! - Reading: [`Core::poll_event`] until it answers [`Next::Recv`]; receive one datagram (at
//!   most [`MAX_DATAGRAM`] bytes) into [`Core::recv_buf`]; hand the outcome to
//!   [`Core::handle_recv`]; repeat. After [`Next::Ended`] the driver stops.
//! - Configuring ([`configure`]): each request is sent, then datagrams are received and
//!   handed to [`Core::handle_ack_recv`] until its ACK (or NACK) arrives. Packets that arrive
//!   meanwhile (the group is live from `BIND` on) are decoded and queued, never dropped:
//!   [`Core::poll_event`] yields them first.
//! - The buffer is allocated on the first receive and reused.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use linx_netlink_codec::MsgIter;
use linx_netlink_codec::consts::NLMSG_ERROR;
use linx_netlink_codec::msg::parse_error;
use linx_netlink_sys::Socket;

use super::config::ConfigRequest;
use super::error::{ConfigStep, NflogError};
use super::event::{Event, events};
use crate::subscription::{Engine, Step, is_overrun};

/// The longest datagram a listener receives, the bound of its one-syscall receive. A
/// datagram of packets is at most the kernel's batching buffer (a little over 64 KiB for a
/// whole packet copy); a longer one would be lost and is reported as
/// [`Event::ResyncNeeded`].
pub(crate) const MAX_DATAGRAM: usize = 1 << 20;

/// What a driver does next (see [`Step`]).
pub(crate) type Next = Step<Event, NflogError>;

/// Where a configuration request stands after a receive.
#[derive(Debug)]
pub(crate) enum Ack {
    /// Acknowledged.
    Done,
    /// Not yet: receive again.
    Wait,
    /// Refused, or the socket failed.
    Failed(NflogError),
}

/// The listener's state between datagrams.
#[derive(Debug, Default)]
pub(crate) struct Core {
    buf: Vec<u8>,
    pos: usize,
    /// Items decoded while a request waited for its ACK.
    queued: VecDeque<Result<Event, NflogError>>,
    failed: Option<linx_netlink_sys::Error>,
}

impl Core {
    /// The next item (queued first, then the current datagram), or what to do instead.
    pub(crate) fn poll_event(&mut self) -> Next {
        if let Some(item) = self.queued.pop_front() {
            return Next::Item(item);
        }
        if let Some(e) = &self.failed {
            return Next::Ended(e.clone());
        }
        let Some(rest) = self.buf.get(self.pos..) else {
            return Next::Recv;
        };
        let mut it = events(rest);
        let item = it.next();
        self.pos += it.position();
        match item {
            Some(item) => Next::Item(item),
            None => Next::Recv,
        }
    }

    /// The buffer to receive the next datagram into (the socket clears it first).
    pub(crate) fn recv_buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// The outcome of a receive into [`Core::recv_buf`] while reading: `None` when a
    /// datagram arrived (poll it), else the item to yield. `ENOBUFS` and a datagram too long
    /// are [`Event::ResyncNeeded`]; any other failure is yielded once and ends the listener.
    /// Timeouts and `EAGAIN` stay with the driver.
    pub(crate) fn handle_recv(
        &mut self,
        got: Result<usize, linx_netlink_sys::Error>,
    ) -> Option<Result<Event, NflogError>> {
        self.pos = 0;
        match got {
            Ok(_) => None,
            Err(e) if is_overrun(&e) => {
                tracing::warn!("NFLOG packets lost (receive buffer overrun): resync needed");
                Some(Ok(Event::ResyncNeeded))
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Some(Err(NflogError::Socket(e)))
            }
        }
    }

    /// The outcome of a receive while request `seq` (`step` of `group`) waits for its ACK.
    /// Everything else in the datagram is decoded and queued for [`Core::poll_event`];
    /// acknowledgements of other sequence numbers are stale and skipped.
    pub(crate) fn handle_ack_recv(
        &mut self,
        got: Result<usize, linx_netlink_sys::Error>,
        seq: u32,
        step: ConfigStep,
        group: u16,
    ) -> Ack {
        match got {
            Ok(_) => {}
            Err(e) if is_overrun(&e) => {
                tracing::warn!("NFLOG packets lost during start-up: resync needed");
                self.queued.push_back(Ok(Event::ResyncNeeded));
                return Ack::Wait;
            }
            Err(e) => return Ack::Failed(NflogError::Socket(e)),
        }
        let mut ack = Ack::Wait;
        for msg in MsgIter::new(&self.buf) {
            let msg = match msg {
                Ok(m) => m,
                Err(e) => {
                    self.queued.push_back(Err(NflogError::Decode(e)));
                    break;
                }
            };
            if msg.kind() == NLMSG_ERROR && msg.seq() == seq {
                ack = match parse_error(&msg) {
                    Ok(None) => Ack::Done,
                    Ok(Some(error)) => Ack::Failed(NflogError::Refused { step, group, error }),
                    Err(e) => Ack::Failed(NflogError::Decode(e)),
                };
            } else if msg.kind() == NLMSG_ERROR && msg.seq() != 0 {
                // An answer to an earlier request: nothing to report.
            } else if let Some(item) = Event::from_msg(&msg) {
                self.queued.push_back(item);
            }
        }
        // Everything in the datagram was handled; reading resumes with the next one.
        self.buf.clear();
        self.pos = 0;
        ack
    }
}

impl Engine for Core {
    type Item = Event;
    type Error = NflogError;
    const MAX_DATAGRAM: usize = MAX_DATAGRAM;

    fn poll_step(&mut self) -> Next {
        self.poll_event()
    }

    fn recv_buf(&mut self) -> &mut Vec<u8> {
        Core::recv_buf(self)
    }

    fn handle_recv(
        &mut self,
        got: Result<usize, linx_netlink_sys::Error>,
    ) -> Option<Result<Event, NflogError>> {
        Core::handle_recv(self, got)
    }

    fn ended(e: linx_netlink_sys::Error) -> NflogError {
        NflogError::Socket(e)
    }
}

/// Send each request and wait for its ACK (at most `wait` each), on a socket in either
/// blocking or nonblocking mode (the receive waits with `poll(2)`). The kernel handles a
/// configuration request inside the `send`, so the ACK is queued before the wait starts.
pub(crate) fn configure(
    sock: &Socket,
    core: &mut Core,
    reqs: &[ConfigRequest],
    group: u16,
    wait: Duration,
) -> Result<(), NflogError> {
    let mut tx = Vec::new();
    for req in reqs {
        let seq = sock.next_seq();
        tx.clear();
        req.encode(seq, &mut tx).map_err(NflogError::Encode)?;
        sock.send(&tx).map_err(NflogError::Socket)?;
        let deadline = Instant::now().checked_add(wait);
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let got = sock.recv_bounded(core.recv_buf(), MAX_DATAGRAM, left);
            if let Err(linx_netlink_sys::Error::Timeout) = got {
                return Err(NflogError::NoAck {
                    step: req.step,
                    group,
                });
            }
            match core.handle_ack_recv(got, seq, req.step, group) {
                Ack::Done => break,
                Ack::Wait => {}
                Ack::Failed(e) => return Err(e),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use linx_netlink_sys::{Errno, Stage};

    /// An `NLMSG_ERROR` for `seq` with `errno` (0: an ACK), echoing a 16-byte header.
    fn ack(seq: u32, errno: i32) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&36u32.to_ne_bytes());
        b.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
        b.extend_from_slice(&0x100u16.to_ne_bytes()); // NLM_F_CAPPED
        b.extend_from_slice(&seq.to_ne_bytes());
        b.extend_from_slice(&0u32.to_ne_bytes());
        b.extend_from_slice(&(-errno).to_ne_bytes());
        b.extend_from_slice(&[0; 16]);
        b
    }

    /// A packet message of group 3 with prefix "p".
    fn packet() -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&28u32.to_ne_bytes());
        b.extend_from_slice(&0x0400u16.to_ne_bytes());
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[2, 0, 0, 3]);
        b.extend_from_slice(&[6, 0, 10, 0, b'p', 0, 0, 0]);
        b
    }

    #[test]
    fn packets_before_the_ack_are_queued_and_stale_acks_skipped() {
        let mut core = Core::default();
        let mut d = ack(4, 0); // stale: an earlier request
        d.extend(packet());
        *core.recv_buf() = d;
        assert!(matches!(
            core.handle_ack_recv(Ok(0), 5, ConfigStep::Mode, 3),
            Ack::Wait
        ));
        let mut d = packet();
        d.extend(ack(5, 0));
        *core.recv_buf() = d;
        assert!(matches!(
            core.handle_ack_recv(Ok(0), 5, ConfigStep::Mode, 3),
            Ack::Done
        ));
        for _ in 0..2 {
            match core.poll_event() {
                Next::Item(Ok(Event::Packet(p))) => assert_eq!(p.prefix.as_deref(), Some("p")),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(core.poll_event(), Next::Recv));
    }

    #[test]
    fn a_nack_fails_with_the_step_and_the_errno() {
        let mut core = Core::default();
        *core.recv_buf() = ack(2, 16);
        match core.handle_ack_recv(Ok(0), 2, ConfigStep::Bind, 9) {
            Ack::Failed(NflogError::Refused { step, group, error }) => {
                assert_eq!(
                    (step, group, error.errno),
                    (ConfigStep::Bind, 9, Errno::EBUSY)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn enobufs_is_a_resync_and_other_failures_end_the_listener() {
        let mut core = Core::default();
        let enobufs = linx_netlink_sys::Error::Os {
            stage: Stage::Recv,
            errno: Errno::ENOBUFS,
        };
        assert!(matches!(
            core.handle_ack_recv(Err(enobufs.clone()), 1, ConfigStep::Bind, 1),
            Ack::Wait
        ));
        assert!(matches!(
            core.poll_event(),
            Next::Item(Ok(Event::ResyncNeeded))
        ));
        assert!(matches!(
            core.handle_recv(Err(enobufs)),
            Some(Ok(Event::ResyncNeeded))
        ));
        let cut = linx_netlink_sys::Error::Truncated { len: 2 << 20 };
        assert!(matches!(
            core.handle_recv(Err(cut)),
            Some(Ok(Event::ResyncNeeded))
        ));
        let e = linx_netlink_sys::Error::Os {
            stage: Stage::Recv,
            errno: Errno::ENOMEM,
        };
        assert!(matches!(
            core.handle_recv(Err(e.clone())),
            Some(Err(NflogError::Socket(_)))
        ));
        assert!(matches!(core.poll_event(), Next::Ended(got) if got == e));
    }

    #[test]
    fn a_bad_frame_is_one_error_then_the_next_datagram() {
        let mut core = Core::default();
        *core.recv_buf() = vec![200, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(core.handle_recv(Ok(18)).is_none());
        assert!(matches!(
            core.poll_event(),
            Next::Item(Err(NflogError::Decode(_)))
        ));
        assert!(matches!(core.poll_event(), Next::Recv));
        *core.recv_buf() = packet();
        assert!(core.handle_recv(Ok(28)).is_none());
        assert!(matches!(
            core.poll_event(),
            Next::Item(Ok(Event::Packet(_)))
        ));
    }
}
