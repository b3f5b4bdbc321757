//! The netlink codec and request engine of Linx.
//!
//! Netlink is a datagram protocol of TLV-encoded messages. This crate is everything between
//! a socket ([`linx_netlink_sys`]) and a family's typed verbs (`linx-rtnl`, `linx-nfnl`):
//!
//! - [`attr`]: attributes (`nlattr`), zero-copy iteration and an appending writer;
//! - [`msg`]: `nlmsghdr` framing, `NLMSG_ERROR`/`NLMSG_DONE` payloads and extended ACK;
//! - [`decl`]: the one way to declare a wire format: [`nl_header!`] for a fixed header (a
//!   field table with byte order; it generates an inlined reader and writer) and
//!   [`typed_attrs!`] for the attributes an owned type models (type id, field, value codec,
//!   nested or dispatched on a sibling; it generates parse, emit and length, keeps unknown
//!   attributes raw and the wire order in [`WireOrder`]), with [`kind_dispatch!`] for values
//!   decoded by a sibling kind name;
//! - [`table`]: [`attr_table!`], the same declaration read into a borrowed [`AttrTable`]
//!   (all-or-nothing or first-of-each) for decoders that build their own model;
//! - [`value`]: [`AttrValue`], the value codecs of attribute payloads (integers, big-endian
//!   wrappers, strings, bytes, flags) that declarations name per attribute;
//! - [`consts`]: the kernel's constants under the kernel's names;
//! - [`error`]: [`DecodeError`], [`NetlinkError`] (errno + the kernel's own words) and
//!   [`Error`];
//! - [`engine`]: the sans-IO request engine: every exchange (ACK, single reply, dump,
//!   stream) is one [`Exchange`] state machine; [`pipeline`] adds pipelined ACKed requests
//!   with an exact [`Outcome`] per request;
//! - [`blocking`] and, with the `tokio` feature, `nonblocking`: the two thin drivers, one
//!   loop each; [`script`]: a fake kernel in a closure, to test any verb without a socket;
//! - [`call`]: [`Call`], a request with its decoder, runnable on either driver;
//! - [`transport`]: [`Transport`] and [`Flavor`], so a multi-step verb is written once as an
//!   `async` body and returns a value (blocking) or a future (tokio).
//!
//! Why this shape: a verb is written once, as a [`Request`] plus a [`Decoder`]; it runs on
//! either driver unchanged, and the protocol rules are tested without a kernel.
//!
//! # Sharing, fairness, partial failure
//! - **Sharing is safe.** A socket (`&Socket` across threads, `Arc<AsyncSocket>` across
//!   tasks) serves one exchange at a time: each exchange holds the socket's gate from its
//!   first send to its last reply, so no reader can take another's replies and no
//!   interleaving yields a wrong `Ok`. Concurrent callers wait their turn (tokio tasks in
//!   arrival order). The kernel allows one dump per socket anyway; open more sockets for
//!   parallel work.
//! - **Fair on tokio.** A long dump spends tokio's cooperative budget per datagram, so it
//!   yields to other tasks and a `tokio::time::timeout` around it fires.
//! - **Cancellation and errors leave the socket clean.** An exchange abandoned mid-reply
//!   (dropped future or stream, timeout, error) marks the socket dirty, and the next exchange
//!   drains the leftovers before sending.
//! - **Exact partial outcomes.** Pipelined requests report, per request, applied, refused
//!   (with the kernel's text), unknown (its ACK was lost) or not sent ([`Outcome`]).
//!
//! # Contract
//! - **No panics on input.** Every decoder returns `Result`; lengths are checked before
//!   slices are taken. Property tests feed arbitrary bytes to every entry point.
//! - **Lossless.** Unknown attributes are kept as wire bytes ([`RawAttrs`], [`RawAttr`]) and
//!   re-emitted byte for byte; declared types keep the attributes' order ([`WireOrder`]).
//! - **Byte order** is explicit per field and per value type: netlink headers and rtnetlink
//!   values are host order, [`Be16`]/[`Be32`]/[`Be64`] are network order.
//! - **One errno table**: [`Errno`] is `linx_netlink_sys::Errno`, re-exported.
//! - Pure modules (`attr`, `msg`, `decl`, `value`, `engine`) do no I/O, read no clock and spawn no
//!   threads; only the drivers touch a socket.
//! - No `unsafe` code.
//!
//! # Example
//! Declare a message once, then decode and re-emit it (the [`decl`] module has a larger
//! example with nested and dispatched attributes):
//!
//! ```
//! use linx_netlink_codec::{
//!     consts::*, nl_header, typed_attrs, AttrWriter, DecodeCx, DecodeError, EncodeError,
//!     FixedHeader, MsgIter, MsgWriter, RawAttrs, WireOrder,
//! };
//!
//! nl_header! {
//!     /// `struct ifinfomsg` (`<linux/rtnetlink.h>`), host order.
//!     pub struct IfInfoMsg[16] {
//!         /// Address family.
//!         pub family: u8 [0] ne,
//!         /// `ARPHRD_*` device type.
//!         pub link_type: u16 [2] ne,
//!         /// Interface index.
//!         pub index: i32 [4] ne,
//!         /// `IFF_*` flags.
//!         pub flags: u32 [8] ne,
//!         /// Mask of flags to change.
//!         pub change: u32 [12] ne,
//!     }
//! }
//!
//! /// A link: the index from the header, name and MTU typed, everything else kept.
//! #[derive(Debug, Default, PartialEq)]
//! struct Link {
//!     index: i32,
//!     name: Option<String>,
//!     mtu: Option<u32>,
//!     other: RawAttrs,
//!     wire_order: WireOrder,
//! }
//!
//! typed_attrs! {
//!     impl Link {
//!         1: IFLA_IFNAME => name as String,
//!         2: IFLA_MTU => mtu as u32,
//!     }
//! }
//!
//! impl Link {
//!     fn parse(p: &[u8]) -> Result<Link, DecodeError> {
//!         let h = IfInfoMsg::parse(p)?;
//!         let head = Link { index: h.index, ..Default::default() };
//!         Link::with_attrs(head, &p[IfInfoMsg::LEN..], IfInfoMsg::LEN, DecodeCx::family(h.family))
//!     }
//!     fn emit(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
//!         IfInfoMsg { index: self.index, ..Default::default() }.append(buf);
//!         self.emit_attrs(&mut AttrWriter::new(buf))
//!     }
//! }
//!
//! // Build an RTM_NEWLINK message ...
//! let link = Link { index: 3, name: Some("lo".into()), mtu: Some(65536), ..Default::default() };
//! let mut buf = Vec::new();
//! let mut w = MsgWriter::begin(&mut buf, RTM_NEWLINK, NLM_F_REQUEST, 1);
//! link.emit(w.buffer()).unwrap();
//! w.finish().unwrap();
//!
//! // ... and read it back.
//! let msg = MsgIter::new(&buf).next().unwrap().unwrap();
//! assert_eq!(Link::parse(msg.payload()).unwrap(), link);
//! ```
#![forbid(unsafe_code)]

pub mod attr;
pub mod blocking;
pub mod call;
pub mod consts;
pub mod decl;
pub mod engine;
pub mod error;
pub mod msg;
#[cfg(feature = "tokio")]
pub mod nonblocking;
pub mod pipeline;
pub mod script;
pub mod table;
pub mod transport;
pub mod value;

pub use attr::{AttrIter, AttrView, AttrWriter, NlBuffer, RawAttr, RawAttrs, align};
pub use call::Call;
pub use decl::{FixedHeader, WireOrder};
pub use engine::{Decoder, DumpEvent, Dumped, Exchange, Request, Talk};
pub use error::{
    AttrPath, DecodeError, DecodeErrorKind, EncodeError, Errno, Error, ExtAck, NetlinkError,
};
pub use msg::{MsgIter, MsgView, MsgWriter, NlHeader};
pub use pipeline::{Outcome, Outcomes};
pub use table::AttrTable;
pub use transport::{Flavor, Transport};
pub use value::{AttrValue, Be16, Be32, Be64, DecodeCx, NulStr};
