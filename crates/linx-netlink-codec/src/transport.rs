//! One verb, two flavours: the [`Transport`] and [`Flavor`] traits.
//!
//! A family crate writes each verb once, as an `async` block over a [`Transport`]: it builds
//! requests, awaits the transport, decodes replies, and may take several steps (resolve a name,
//! then act). [`Flavor::run`] turns that one body into the caller's flavour:
//!
//! - on a blocking [`Socket`], the transport's futures do their I/O synchronously and are
//!   always ready, so `run` polls the body to completion on the spot and returns the value;
//! - on an `AsyncSocket` (feature `tokio`), `run` returns the future for the caller to
//!   `.await`.
//!
//! So `link::list(&sock)?` and `link::list(&async_sock).await?` are the same function.
//!
//! # Contract
//! - The blocking flavour never parks on a future: a blocking verb body must only await this
//!   module's transports (their futures never return `Pending`). Should one ever return
//!   `Pending`, [`Flavor::run`] keeps polling with a yield between polls rather than hang
//!   forever or panic.
//! - Each transport call is one [`Exchange`](crate::Exchange) at a time on the socket.
//!
//! # Example
//! ```no_run
//! use std::future::Future;
//! use linx_netlink_codec::{consts::*, Call, Error, Flavor, MsgView, Request, Transport};
//! use linx_netlink_sys::{Netns, Socket};
//!
//! /// Count links: written once, runs blocking or async.
//! pub fn count_links<S: Transport + Flavor>(sock: &S) -> S::Run<impl Future<Output = Result<usize, Error>> + '_> {
//!     S::run(async move {
//!         let req = Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16);
//!         let call = Call::new(req, |m: &MsgView<'_>| Ok(m.kind()));
//!         Ok(sock.collect(call).await?.items.len())
//!     })
//! }
//!
//! let sock = Socket::open(NETLINK_ROUTE, Netns::Host)?;
//! let n: usize = count_links(&sock)?;
//! # Ok::<(), Error>(())
//! ```

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use linx_netlink_sys::Socket;

use crate::call::Call;
use crate::engine::{Decoder, DumpEvent, Dumped, Request};
use crate::error::Error;

/// What a verb needs from a socket. Implemented for [`Socket`] (blocking; futures complete
/// on first poll) and `AsyncSocket` (tokio).
pub trait Transport {
    /// Run `call` and collect its reply.
    fn collect<D: Decoder>(
        &self,
        call: Call<D>,
    ) -> impl Future<Output = Result<Dumped<D::Item>, Error>>;

    /// Run `call` and return its first reply item (the rest is drained).
    fn single<D: Decoder>(
        &self,
        call: Call<D>,
    ) -> impl Future<Output = Result<Option<D::Item>, Error>>;

    /// Send `req` with `NLM_F_ACK` and wait for the acknowledgement.
    fn ack(&self, req: Request) -> impl Future<Output = Result<(), Error>>;

    /// Send `reqs` pipelined (`window` per datagram) and return each one's result in order.
    fn ack_all(
        &self,
        reqs: Vec<Request>,
        window: usize,
    ) -> impl Future<Output = Result<Vec<Result<(), crate::NetlinkError>>, Error>>;

    /// Drive a custom [`Machine`](crate::engine::Machine) (nfnetlink batches ...).
    fn drive<M: crate::engine::Machine>(
        &self,
        m: M,
    ) -> impl Future<Output = Result<M::Output, Error>>;

    /// The underlying blocking socket (for socket options such as buffer sizes).
    fn socket(&self) -> &Socket;

    /// Run `call`, handing each reply event to `f` as it is decoded (O(one datagram) memory).
    /// Returns how many dump restarts happened.
    fn for_each<D: Decoder, F: FnMut(DumpEvent<D::Item>)>(
        &self,
        call: Call<D>,
        f: F,
    ) -> impl Future<Output = Result<u32, Error>>;
}

/// How a verb's body reaches the caller: the value itself (blocking) or a future (async).
pub trait Flavor {
    /// What a verb returns in this flavour for a body `F`.
    type Run<F: Future>;
    /// Turn a verb body into this flavour's return value.
    fn run<F: Future>(body: F) -> Self::Run<F>;
}

impl Transport for Socket {
    async fn drive<M: crate::engine::Machine>(&self, m: M) -> Result<M::Output, Error> {
        crate::blocking::run(self, m)
    }

    fn socket(&self) -> &Socket {
        self
    }

    async fn collect<D: Decoder>(&self, call: Call<D>) -> Result<Dumped<D::Item>, Error> {
        call.collect(self)
    }

    async fn single<D: Decoder>(&self, call: Call<D>) -> Result<Option<D::Item>, Error> {
        call.single(self)
    }

    async fn ack(&self, req: Request) -> Result<(), Error> {
        crate::blocking::ack(self, req)
    }

    async fn ack_all(
        &self,
        reqs: Vec<Request>,
        window: usize,
    ) -> Result<Vec<Result<(), crate::NetlinkError>>, Error> {
        crate::blocking::ack_all(self, reqs, window)
    }

    async fn for_each<D: Decoder, F: FnMut(DumpEvent<D::Item>)>(
        &self,
        call: Call<D>,
        mut f: F,
    ) -> Result<u32, Error> {
        let mut s = call.stream(self);
        for ev in s.by_ref() {
            f(ev?);
        }
        Ok(s.retries())
    }
}

impl Flavor for Socket {
    type Run<F: Future> = F::Output;
    fn run<F: Future>(body: F) -> F::Output {
        block_on_ready(body)
    }
}

/// Poll a future whose awaits are all synchronous to completion.
fn block_on_ready<F: Future>(body: F) -> F::Output {
    let mut body = pin!(body);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = body.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

#[cfg(feature = "tokio")]
mod tokio_impl {
    use super::*;
    use linx_netlink_sys::AsyncSocket;

    impl Transport for AsyncSocket {
        async fn drive<M: crate::engine::Machine>(&self, m: M) -> Result<M::Output, Error> {
            crate::nonblocking::run(self, m).await
        }

        fn socket(&self) -> &Socket {
            self.get_ref()
        }

        async fn collect<D: Decoder>(&self, call: Call<D>) -> Result<Dumped<D::Item>, Error> {
            call.collect_async(self).await
        }

        async fn single<D: Decoder>(&self, call: Call<D>) -> Result<Option<D::Item>, Error> {
            call.single_async(self).await
        }

        async fn ack(&self, req: Request) -> Result<(), Error> {
            crate::nonblocking::ack(self, req).await
        }

        async fn ack_all(
            &self,
            reqs: Vec<Request>,
            window: usize,
        ) -> Result<Vec<Result<(), crate::NetlinkError>>, Error> {
            crate::nonblocking::ack_all(self, reqs, window).await
        }

        async fn for_each<D: Decoder, F: FnMut(DumpEvent<D::Item>)>(
            &self,
            call: Call<D>,
            mut f: F,
        ) -> Result<u32, Error> {
            let mut s = call.stream_async(self);
            while let Some(ev) = s.next().await {
                f(ev?);
            }
            Ok(s.retries())
        }
    }

    impl Flavor for AsyncSocket {
        type Run<F: Future> = F;
        fn run<F: Future>(body: F) -> F {
            body
        }
    }
}

/// Declare a verb once for both flavours: the body is `async` and awaits a
/// [`Transport`]; the function returns the value on a blocking socket and a future on a tokio
/// socket.
///
/// ```
/// use linx_netlink_codec::{consts::*, verb, Call, MsgView, Request};
///
/// verb! {
///     error = linx_netlink_codec::Error;
///     /// Count links (written once).
///     pub fn count_links(sock) -> usize {
///         let req = Request::dump(RTM_GETLINK, vec![0; 16]);
///         Ok(sock.collect(Call::new(req, |m: &MsgView<'_>| Ok(m.kind()))).await?.items.len())
///     }
/// }
/// ```
#[macro_export]
macro_rules! verb {
    (
        error = $err:ty;
        $(#[$m:meta])* $vis:vis fn $name:ident($sock:ident $(, $arg:ident : $ty:ty)* $(,)?) -> $out:ty $body:block
    ) => {
        $(#[$m])*
        $vis fn $name<S>($sock: &S $(, $arg: $ty)*)
            -> S::Run<impl ::std::future::Future<Output = ::core::result::Result<$out, $err>>>
        where
            S: $crate::Transport + $crate::Flavor,
        {
            S::run(async move $body)
        }
    };
}
