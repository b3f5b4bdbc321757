//! What a listener yields: [`Event`], and the pure decoding of received datagrams into events
//! ([`Event::from_msg`], [`events`]).
//!
//! # Contract
//! - Pure: bytes in, events out. No socket, no clock; allocation only for the decoded
//!   packets (and the bytes of an [`Event::Unknown`]).
//! - Never panics, whatever the bytes (a property test feeds arbitrary datagrams).
//! - Nothing is dropped silently: a message type this module does not model is an
//!   [`Event::Unknown`] with the whole message; a packet that does not decode is one `Err`.

use std::fmt;

use linx_netlink_codec::consts::*;
use linx_netlink_codec::msg::parse_error;
use linx_netlink_codec::{MsgIter, MsgView};
use linx_nfnl::{msg_type, subsys};

use super::consts::NFULNL_MSG_PACKET;
use super::error::NflogError;
use super::packet::Packet;

/// The message type of a logged packet: `NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_PACKET`.
pub const PACKET_MSG_TYPE: u16 = msg_type(subsys::ULOG, NFULNL_MSG_PACKET);

/// One thing a listener reports.
///
/// ```
/// use linx_netfilter::nflog::Event;
/// assert!(Event::ResyncNeeded.is_resync());
/// assert_eq!(Event::ResyncNeeded.to_string(), "resync needed");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `NFULNL_MSG_PACKET`: a packet a rule logged to the group.
    Packet(Box<Packet>),
    /// Any other message, kept whole (header and payload, without trailing padding).
    Unknown {
        /// `nlmsg_type`.
        msg_type: u16,
        /// The message as received.
        bytes: Vec<u8>,
    },
    /// The kernel dropped packets for this listener (`ENOBUFS`: the receive buffer was full;
    /// `NLMSG_OVERRUN`; or a datagram too long to receive). Nothing says how many; the
    /// listener goes on with the packets after the loss.
    ResyncNeeded,
}

impl Event {
    /// The event for one received message.
    ///
    /// - `None` for messages that report nothing: `NLMSG_NOOP`, `NLMSG_DONE` (the end of a
    ///   batch of packets) and acknowledgements (errno 0).
    /// - `Some(Err(NflogError::Kernel(..)))` for an `NLMSG_ERROR` with an errno.
    /// - `Some(Err(NflogError::Decode(..)))` for a packet that does not decode.
    ///
    /// ```
    /// use linx_netfilter::nflog::Event;
    /// use linx_netlink_codec::MsgView;
    /// // nlmsghdr (type 0x0400, a packet) + nfgenmsg (IPv4, group 1) + NFULA_PREFIX "x".
    /// let mut b = vec![28, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1];
    /// b.extend_from_slice(&[6, 0, 10, 0, b'x', 0, 0, 0]);
    /// # #[cfg(target_endian = "little")] {
    /// let ev = Event::from_msg(&MsgView::new_checked(&b)?).unwrap()?;
    /// let Event::Packet(p) = ev else { panic!() };
    /// assert_eq!(p.prefix.as_deref(), Some("x"));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_msg(msg: &MsgView<'_>) -> Option<Result<Event, NflogError>> {
        Some(match msg.kind() {
            PACKET_MSG_TYPE => Packet::from_msg(msg)
                .map(|p| Event::Packet(Box::new(p)))
                .map_err(NflogError::Decode),
            NLMSG_NOOP | NLMSG_DONE => return None,
            NLMSG_OVERRUN => Ok(Event::ResyncNeeded),
            NLMSG_ERROR => {
                return match parse_error(msg) {
                    Ok(None) => None,
                    Ok(Some(e)) => Some(Err(NflogError::Kernel(e))),
                    Err(e) => Some(Err(NflogError::Decode(e))),
                };
            }
            msg_type => Ok(Event::Unknown {
                msg_type,
                bytes: msg.bytes().to_vec(),
            }),
        })
    }

    /// Whether this is [`Event::ResyncNeeded`].
    pub fn is_resync(&self) -> bool {
        matches!(self, Event::ResyncNeeded)
    }

    /// The packet, when this is one.
    ///
    /// ```
    /// assert!(linx_netfilter::nflog::Event::ResyncNeeded.packet().is_none());
    /// ```
    pub fn packet(&self) -> Option<&Packet> {
        match self {
            Event::Packet(p) => Some(p),
            _ => None,
        }
    }
}

impl fmt::Display for Event {
    /// `packet group 5 ipv4 hook 3 prefix "lx " (84 bytes)`, `unknown message type 1025
    /// (20 bytes)`, `resync needed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Packet(p) => {
                write!(f, "packet group {} family {}", p.group, p.family)?;
                if let Some(h) = p.hook() {
                    write!(f, " hook {h}")?;
                }
                if let Some(prefix) = &p.prefix {
                    write!(f, " prefix {prefix:?}")?;
                }
                if let Some(payload) = &p.payload {
                    write!(f, " ({} bytes)", payload.len())?;
                }
                Ok(())
            }
            Event::Unknown { msg_type, bytes } => {
                write!(f, "unknown message type {msg_type} ({} bytes)", bytes.len())
            }
            Event::ResyncNeeded => f.write_str("resync needed"),
        }
    }
}

/// The events of one received datagram, in order.
///
/// Each message becomes what [`Event::from_msg`] makes of it (messages that report nothing
/// are skipped). Framing that cannot be trusted (an `nlmsg_len` below 16 or past the end) is
/// one `Err` that ends the datagram: nothing after it can be located.
///
/// ```
/// use linx_netfilter::nflog::events;
/// // NLMSG_NOOP (skipped), then a message of type 0x0401 (kept raw).
/// let mut d = vec![16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// d.extend_from_slice(&[16, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/// let got: Vec<_> = events(&d).collect::<Result<_, _>>()?;
/// assert_eq!(got.len(), 1);
/// assert!(events(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]).next().unwrap().is_err());
/// # Ok::<(), linx_netfilter::nflog::NflogError>(())
/// ```
pub fn events(datagram: &[u8]) -> Events<'_> {
    Events {
        msgs: MsgIter::new(datagram),
        len: datagram.len(),
        ended: false,
    }
}

/// Iterator returned by [`events`].
#[derive(Clone, Debug)]
pub struct Events<'a> {
    msgs: MsgIter<'a>,
    len: usize,
    ended: bool,
}

impl Events<'_> {
    /// Byte offset of the next message (the datagram's length once all was read).
    pub fn position(&self) -> usize {
        if self.ended {
            self.len
        } else {
            self.msgs.position()
        }
    }
}

impl Iterator for Events<'_> {
    type Item = Result<Event, NflogError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.msgs.next()? {
                Ok(msg) => {
                    if let Some(item) = Event::from_msg(&msg) {
                        return Some(item);
                    }
                }
                Err(e) => {
                    self.ended = true;
                    return Some(Err(NflogError::Decode(e)));
                }
            }
        }
    }
}
