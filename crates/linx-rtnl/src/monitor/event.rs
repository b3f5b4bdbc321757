//! What a monitor yields: [`Event`], and the pure decoding of received datagrams into events
//! ([`Event::from_msg`], [`events`]).
//!
//! # Contract
//! - Pure: bytes in, events out. No socket, no clock, no allocation beyond the decoded
//!   objects themselves (and the raw bytes of an [`Event::Unknown`]).
//! - Never panics, whatever the bytes.
//! - Objects are decoded by the same functions the `list` verbs use ([`Link::from_msg`],
//!   [`Address::from_msg`], [`Route::from_msg`], [`Neighbour::from_msg`],
//!   [`Rule::from_msg`]), so an event's object equals what a dump would have returned for it.

use std::fmt;

use linx_netlink_codec::consts::*;
use linx_netlink_codec::msg::parse_error;
use linx_netlink_codec::{MsgIter, MsgView};

use crate::{Address, Error, Link, Neighbour, Route, Rule};

/// One thing a monitor reports: an object the kernel announced (new or deleted), a message
/// this crate does not model (kept raw), or the news that announcements were lost.
///
/// "New" covers creation and change alike: the kernel sends `RTM_NEWLINK` for a link that
/// went up and `RTM_NEWROUTE` for a replaced route, with the object's whole current state.
///
/// ```
/// use linx_rtnl::monitor::Event;
/// let ev = Event::ResyncNeeded;
/// assert!(ev.is_resync());
/// assert_eq!(ev.to_string(), "resync needed");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `RTM_NEWLINK`: a link was created or changed.
    NewLink(Box<Link>),
    /// `RTM_DELLINK`: a link was deleted (its last state).
    DelLink(Box<Link>),
    /// `RTM_NEWADDR`: an address was added or changed.
    NewAddr(Box<Address>),
    /// `RTM_DELADDR`: an address was removed.
    DelAddr(Box<Address>),
    /// `RTM_NEWROUTE`: a route was added or replaced.
    NewRoute(Box<Route>),
    /// `RTM_DELROUTE`: a route was deleted.
    DelRoute(Box<Route>),
    /// `RTM_NEWNEIGH`: a neighbour (ARP/NDP entry, bridge FDB entry) appeared or changed
    /// state.
    NewNeigh(Box<Neighbour>),
    /// `RTM_DELNEIGH`: a neighbour was removed.
    DelNeigh(Box<Neighbour>),
    /// `RTM_NEWRULE`: a routing policy rule was added.
    NewRule(Box<Rule>),
    /// `RTM_DELRULE`: a rule was deleted.
    DelRule(Box<Rule>),
    /// Any other message (a type from a group the caller joined that this crate does not
    /// model, `RTM_NEWNETCONF`, `RTM_NEWNSID`, ...), kept whole: header and payload.
    Unknown {
        /// `nlmsg_type`.
        msg_type: u16,
        /// The message as received, `nlmsghdr` included, without trailing padding.
        bytes: Vec<u8>,
    },
    /// The kernel dropped announcements (`ENOBUFS`: the receive buffer overflowed, or
    /// `NLMSG_OVERRUN`, or a datagram too large to receive): the events seen so far no
    /// longer describe the namespace. List again what you track; the monitor goes on.
    ResyncNeeded,
}

impl Event {
    /// The event for one received message, decoded by the same function as the matching
    /// `list` verb.
    ///
    /// - `None` for messages that announce nothing: `NLMSG_NOOP`, `NLMSG_DONE` and an
    ///   `NLMSG_ERROR` acknowledgement (errno 0).
    /// - `Some(Err(Error::Netlink(..)))` for an `NLMSG_ERROR` carrying an errno (a multicast
    ///   socket sends no requests, so this is reported, not swallowed).
    /// - `Some(Ok(Event::ResyncNeeded))` for `NLMSG_OVERRUN`.
    /// - `Some(Err(Error::Request(Decode(..))))` when a known message does not decode.
    /// - `Some(Ok(Event::Unknown { .. }))` for every other type.
    ///
    /// ```
    /// use linx_netlink_codec::MsgView;
    /// use linx_rtnl::monitor::Event;
    /// // RTM_DELADDR of 10.0.0.1/24 on ifindex 2: nlmsghdr, ifaddrmsg, IFA_ADDRESS.
    /// let mut b = vec![0u8; 32];
    /// b[0] = 32; // nlmsg_len
    /// b[4] = 21; // RTM_DELADDR
    /// b[16..24].copy_from_slice(&[2, 24, 0, 0, 2, 0, 0, 0]);
    /// b[24..32].copy_from_slice(&[8, 0, 1, 0, 10, 0, 0, 1]);
    /// let ev = Event::from_msg(&MsgView::new_checked(&b)?).unwrap()?;
    /// let Event::DelAddr(a) = ev else { panic!("{ev:?}") };
    /// assert_eq!((a.ip().unwrap().to_string(), a.prefix_len, a.index), ("10.0.0.1".into(), 24, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_msg(msg: &MsgView<'_>) -> Option<Result<Event, Error>> {
        let decoded = match msg.kind() {
            RTM_NEWLINK => Link::from_msg(msg).map(|o| Event::NewLink(Box::new(o))),
            RTM_DELLINK => Link::from_msg(msg).map(|o| Event::DelLink(Box::new(o))),
            RTM_NEWADDR => Address::from_msg(msg).map(|o| Event::NewAddr(Box::new(o))),
            RTM_DELADDR => Address::from_msg(msg).map(|o| Event::DelAddr(Box::new(o))),
            RTM_NEWROUTE => Route::from_msg(msg).map(|o| Event::NewRoute(Box::new(o))),
            RTM_DELROUTE => Route::from_msg(msg).map(|o| Event::DelRoute(Box::new(o))),
            RTM_NEWNEIGH => Neighbour::from_msg(msg).map(|o| Event::NewNeigh(Box::new(o))),
            RTM_DELNEIGH => Neighbour::from_msg(msg).map(|o| Event::DelNeigh(Box::new(o))),
            RTM_NEWRULE => Rule::from_msg(msg).map(|o| Event::NewRule(Box::new(o))),
            RTM_DELRULE => Rule::from_msg(msg).map(|o| Event::DelRule(Box::new(o))),
            NLMSG_NOOP | NLMSG_DONE => return None,
            NLMSG_OVERRUN => Ok(Event::ResyncNeeded),
            NLMSG_ERROR => {
                return match parse_error(msg) {
                    Ok(None) => None,
                    Ok(Some(refusal)) => Some(Err(Error::Netlink(refusal))),
                    Err(e) => Some(Err(decode_error(e))),
                };
            }
            msg_type => Ok(Event::Unknown {
                msg_type,
                bytes: msg.bytes().to_vec(),
            }),
        };
        Some(decoded.map_err(decode_error))
    }

    /// Whether this is [`Event::ResyncNeeded`].
    ///
    /// ```
    /// assert!(!linx_rtnl::monitor::Event::Unknown { msg_type: 80, bytes: vec![] }.is_resync());
    /// ```
    pub fn is_resync(&self) -> bool {
        matches!(self, Event::ResyncNeeded)
    }

    /// The `nlmsg_type` the event came from (`RTM_NEWLINK` = 16, ...); `None` for
    /// [`Event::ResyncNeeded`].
    ///
    /// ```
    /// use linx_rtnl::monitor::Event;
    /// assert_eq!(Event::Unknown { msg_type: 80, bytes: vec![] }.msg_type(), Some(80));
    /// assert_eq!(Event::ResyncNeeded.msg_type(), None);
    /// ```
    pub fn msg_type(&self) -> Option<u16> {
        Some(match self {
            Event::NewLink(_) => RTM_NEWLINK,
            Event::DelLink(_) => RTM_DELLINK,
            Event::NewAddr(_) => RTM_NEWADDR,
            Event::DelAddr(_) => RTM_DELADDR,
            Event::NewRoute(_) => RTM_NEWROUTE,
            Event::DelRoute(_) => RTM_DELROUTE,
            Event::NewNeigh(_) => RTM_NEWNEIGH,
            Event::DelNeigh(_) => RTM_DELNEIGH,
            Event::NewRule(_) => RTM_NEWRULE,
            Event::DelRule(_) => RTM_DELRULE,
            Event::Unknown { msg_type, .. } => *msg_type,
            Event::ResyncNeeded => return None,
        })
    }
}

/// A decode failure as the crate reports it.
fn decode_error(e: linx_netlink_codec::DecodeError) -> Error {
    Error::Request(linx_netlink_codec::Error::Decode(e))
}

impl fmt::Display for Event {
    /// `new route <route>`, `del link <link>`, `unknown message type 80 (44 bytes)`,
    /// `resync needed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::NewLink(o) => write!(f, "new link {o}"),
            Event::DelLink(o) => write!(f, "del link {o}"),
            Event::NewAddr(o) => write!(f, "new addr {o}"),
            Event::DelAddr(o) => write!(f, "del addr {o}"),
            Event::NewRoute(o) => write!(f, "new route {o}"),
            Event::DelRoute(o) => write!(f, "del route {o}"),
            Event::NewNeigh(o) => write!(f, "new neigh {o}"),
            Event::DelNeigh(o) => write!(f, "del neigh {o}"),
            Event::NewRule(o) => write!(f, "new rule {o}"),
            Event::DelRule(o) => write!(f, "del rule {o}"),
            Event::Unknown { msg_type, bytes } => {
                write!(f, "unknown message type {msg_type} ({} bytes)", bytes.len())
            }
            Event::ResyncNeeded => f.write_str("resync needed"),
        }
    }
}

/// The events of one received datagram, in order: an iterator of `Result<Event, Error>`.
///
/// Each message becomes what [`Event::from_msg`] makes of it (messages that announce nothing
/// are skipped). A message that does not decode is one `Err` item and the next message is
/// decoded as usual; framing that cannot be trusted (an `nlmsg_len` below 16 or past the end
/// of the datagram) is one `Err` item that ends the datagram, since nothing after it can be
/// located.
///
/// ```
/// use linx_rtnl::monitor::{Event, events};
/// // Two messages: NLMSG_NOOP (skipped), then an RTM_NEWNSID (88) this crate keeps raw.
/// let mut d = vec![16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// d.extend_from_slice(&[20, 0, 0, 0, 88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/// let got: Vec<Event> = events(&d).collect::<Result<_, _>>()?;
/// assert_eq!(got.len(), 1);
/// assert_eq!(got[0].msg_type(), Some(88));
/// # Ok::<(), linx_rtnl::Error>(())
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
    /// The datagram's length.
    len: usize,
    /// Set after a framing error: nothing more can be located.
    ended: bool,
}

impl Events<'_> {
    /// Byte offset of the next message in the datagram (its length once everything was
    /// read).
    ///
    /// ```
    /// let d = [16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    /// let mut ev = linx_rtnl::monitor::events(&d);
    /// assert!(ev.next().is_none());
    /// assert_eq!(ev.position(), 16);
    /// ```
    pub fn position(&self) -> usize {
        if self.ended {
            self.len
        } else {
            self.msgs.position()
        }
    }
}

impl Iterator for Events<'_> {
    type Item = Result<Event, Error>;

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
                    return Some(Err(decode_error(e)));
                }
            }
        }
    }
}
