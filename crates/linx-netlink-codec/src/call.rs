//! [`Call`]: a request paired with the decoder of its reply — the unit a verb is written as.
//!
//! A family crate writes each read verb once, as a function returning a `Call` (build the
//! request, name the decoder). The caller then runs it on whichever driver it has:
//! [`Call::collect`] / [`Call::single`] on either flavour (a value on a blocking [`Socket`],
//! a future on an `AsyncSocket`), [`Call::stream`] (blocking) or `Call::stream_async`
//! (feature `tokio`). The protocol logic is the engine's, shared by both.
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

use std::future::Future;

use linx_netlink_sys::Socket;

use crate::blocking;
use crate::engine::{Decoder, Dumped, Request};
use crate::error::Error;
use crate::transport::{Flavor, Transport};

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

    /// Run and collect every reply item: the value on a blocking socket, a future on a tokio
    /// socket.
    pub fn collect<S: Transport + Flavor>(
        self,
        sock: &S,
    ) -> S::Run<impl Future<Output = Result<Dumped<D::Item>, Error>>> {
        S::run(sock.collect(self))
    }

    /// Run and return the first reply item (the rest is read and dropped).
    pub fn single<S: Transport + Flavor>(
        self,
        sock: &S,
    ) -> S::Run<impl Future<Output = Result<Option<D::Item>, Error>>> {
        S::run(sock.single(self))
    }

    /// Run on a blocking socket, streaming the reply.
    pub fn stream(self, sock: &Socket) -> blocking::Stream<'_, D> {
        blocking::stream(sock, self.request, self.decoder)
    }

    /// Run on a tokio socket, streaming the reply.
    #[cfg(feature = "tokio")]
    pub fn stream_async(
        self,
        sock: &linx_netlink_sys::AsyncSocket,
    ) -> crate::nonblocking::AsyncStream<'_, D> {
        crate::nonblocking::stream(sock, self.request, self.decoder)
    }
}
