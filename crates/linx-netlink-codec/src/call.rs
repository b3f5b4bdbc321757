//! [`Call`]: a request paired with the decoder of its reply — the unit a verb is written as.
//!
//! A family crate writes each read verb once, as a function returning a `Call` (build the
//! request, name the decoder). The caller then runs it on whichever driver it has:
//! [`Call::collect`] / [`Call::single`] on either flavour (a value on a blocking [`Socket`](linx_netlink_sys::Socket),
//! a future on an `AsyncSocket`), [`Call::stream`] (blocking) or `Call::stream_async`
//! (feature `tokio`). The protocol logic is the engine's, shared by both.
//!
//! This module only describes a call; the runners are written next to the
//! [`Transport`](crate::transport::Transport) they run on (`transport.rs`), so the module
//! graph points one way: `transport` uses `call`, never the reverse.
//!
//! # Contract
//! A `Call` is inert data until run; running it consumes it. It holds no socket.
//!
//! # Example
//! ```no_run
//! use linx_netlink_codec::{Call, MsgView, Request, consts::*};
//! use linx_netlink_sys::{Netns, Socket};
//!
//! /// A verb, written once: count the links of a namespace.
//! fn link_kinds() -> Call<impl FnMut(&MsgView<'_>) -> Result<u16, linx_netlink_codec::DecodeError>> {
//!     Call::new(Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16), |m: &MsgView<'_>| Ok(m.kind()))
//! }
//!
//! let sock = Socket::open(NETLINK_ROUTE, Netns::Host)?;
//! let n = link_kinds().collect(&sock)?.items.len();
//! println!("{n} links");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::engine::{Decoder, Request};

/// A request and the decoder of its reply messages.
#[derive(Clone, Debug)]
#[must_use = "a call does nothing until run on a socket"]
pub struct Call<D> {
    /// The request to send.
    pub request: Request,
    /// Decodes each data message of the reply.
    pub decoder: D,
}

impl<D: Decoder> Call<D> {
    /// Pair a request with its decoder.
    pub fn new(request: Request, decoder: D) -> Self {
        Call { request, decoder }
    }

    /// Change the request's options (timeout, dump retries ...).
    pub fn map_request(mut self, f: impl FnOnce(Request) -> Request) -> Self {
        self.request = f(self.request);
        self
    }
}
