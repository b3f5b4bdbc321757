//! [`Call`]: a request paired with the decoder of its reply — the unit a verb is written as.
//!
//! A family crate writes each read verb once, as a function returning a `Call` (build the
//! request, name the decoder). The caller then runs it on whichever driver it has:
//! [`Call::collect`] / [`Call::stream`] / [`Call::single`] on a blocking
//! [`Socket`], or the `*_async` forms on an
//! `AsyncSocket` (feature `tokio`). The protocol logic is the engine's, shared by both.
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

use linx_netlink_sys::Socket;

use crate::blocking;
use crate::engine::{Decoder, Dumped, Request};
use crate::error::Error;

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

    /// Run on a blocking socket and collect every reply item.
    pub fn collect(self, sock: &Socket) -> Result<Dumped<D::Item>, Error> {
        blocking::collect(sock, self.request, self.decoder)
    }

    /// Run on a blocking socket, streaming the reply.
    pub fn stream(self, sock: &Socket) -> blocking::Stream<'_, D> {
        blocking::stream(sock, self.request, self.decoder)
    }

    /// Run on a blocking socket and return the first reply item.
    pub fn single(self, sock: &Socket) -> Result<Option<D::Item>, Error> {
        blocking::single(sock, self.request, self.decoder)
    }

    /// Run on a tokio socket and collect every reply item.
    #[cfg(feature = "tokio")]
    pub async fn collect_async(
        self,
        sock: &linx_netlink_sys::AsyncSocket,
    ) -> Result<Dumped<D::Item>, Error> {
        crate::nonblocking::collect(sock, self.request, self.decoder).await
    }

    /// Run on a tokio socket, streaming the reply.
    #[cfg(feature = "tokio")]
    pub fn stream_async(
        self,
        sock: &linx_netlink_sys::AsyncSocket,
    ) -> crate::nonblocking::AsyncStream<'_, D> {
        crate::nonblocking::stream(sock, self.request, self.decoder)
    }

    /// Run on a tokio socket and return the first reply item.
    #[cfg(feature = "tokio")]
    pub async fn single_async(
        self,
        sock: &linx_netlink_sys::AsyncSocket,
    ) -> Result<Option<D::Item>, Error> {
        crate::nonblocking::single(sock, self.request, self.decoder).await
    }
}
