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
//! - Each transport call is one [`Exchange`] holding the socket from its first send to its
//!   last reply (see the drivers' sharing contracts).
//!
//! The [`Call`] runners ([`Call::collect`], [`Call::single`], [`Call::stream`]) and
//! [`Request::execute`] live here too: they run on a transport, so they sit above it (the
//! `call` and `engine` modules only describe what to run).
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
use crate::engine::{
    Collect, Decoder, DumpEvent, Dumped, Exchange, First, ForEach, Ignore, Request, Talk,
};
use crate::error::Error;
use crate::pipeline::{AckPipeline, Outcomes, window_for};

/// What a verb needs from a socket: run an [`Exchange`], and two socket buffer sizes.
/// Implemented for [`Socket`] (blocking; futures complete on first poll), `AsyncSocket`
/// (tokio) and [`Script`](crate::script::Script) (a fake kernel for tests). Everything else
/// is provided on top of [`drive`](Transport::drive).
pub trait Transport {
    /// Run one exchange to its result, holding the socket for its whole duration.
    fn drive<M: Exchange>(&self, m: M) -> impl Future<Output = Result<M::Output, Error>>;

    /// The receive buffer the socket was granted (`SO_RCVBUF`), which bounds how many
    /// replies may be in flight.
    fn rcvbuf(&self) -> Result<usize, Error>;

    /// Ask for a send buffer of `bytes` (`SO_SNDBUFFORCE`, else `SO_SNDBUF`); returns what was
    /// granted.
    fn set_sndbuf(&self, bytes: usize) -> Result<usize, Error>;

    /// The socket's netlink port id (what the kernel records as the owner of what this
    /// socket creates, e.g. an nf_tables `owner` table).
    fn port_id(&self) -> u32;

    /// Wait `d` between two attempts (a verb's re-dump): the thread sleeps on a blocking
    /// socket, the task sleeps on tokio (the runtime goes on), virtual time jumps in a script.
    fn pause(&self, d: std::time::Duration) -> impl Future<Output = ()>;

    /// Run `call` and collect its reply (the items of the last, complete attempt).
    fn collect<D: Decoder>(
        &self,
        call: Call<D>,
    ) -> impl Future<Output = Result<Dumped<D::Item>, Error>> {
        async move {
            self.drive(Talk::new(call.request, call.decoder, Collect::default()))
                .await?
        }
    }

    /// Run `call` and return its first reply item (the rest is read and dropped).
    fn single<D: Decoder>(
        &self,
        call: Call<D>,
    ) -> impl Future<Output = Result<Option<D::Item>, Error>> {
        async move {
            self.drive(Talk::new(call.request, call.decoder, First::default()))
                .await?
        }
    }

    /// Send `req` with `NLM_F_ACK` and wait for the acknowledgement.
    fn ack(&self, req: Request) -> impl Future<Output = Result<(), Error>> {
        async move {
            let talk = Talk::new(req.with_ack(), crate::engine::Discard, Ignore).acks_only();
            self.drive(talk).await?
        }
    }

    /// Run `call`, handing each reply event to `f` as it is decoded (O(one datagram) memory).
    /// Returns how many dump restarts happened.
    fn for_each<D: Decoder, F: FnMut(DumpEvent<D::Item>)>(
        &self,
        call: Call<D>,
        f: F,
    ) -> impl Future<Output = Result<u32, Error>> {
        async move {
            self.drive(Talk::new(call.request, call.decoder, ForEach::new(f)))
                .await?
        }
    }

    /// Send `reqs` pipelined, at most `window` in flight (fewer when the receive buffer is
    /// small: see [`window_for`]), and return each one's [`Outcome`](crate::pipeline::Outcome)
    /// in order. `Err` only when nothing could be sent.
    fn ack_all(
        &self,
        reqs: Vec<Request>,
        window: usize,
    ) -> impl Future<Output = Result<Outcomes, Error>> {
        async move {
            let longest = reqs
                .iter()
                .map(|r| r.payload().len() + crate::NlHeader::LEN)
                .max()
                .unwrap_or(0);
            let window = window_for(self.rcvbuf()?, longest, window);
            self.drive(AckPipeline::new(reqs, window)).await
        }
    }
}

impl Request {
    /// Send this request with `NLM_F_ACK` on `sock` and wait for the acknowledgement: the
    /// value on a blocking socket, a future on a tokio socket.
    ///
    /// ```no_run
    /// use linx_netlink_codec::{consts::*, Request};
    /// # let sock = linx_netlink_sys::Socket::open(NETLINK_ROUTE, linx_netlink_sys::Netns::Host)?;
    /// // RTM_NEWADDR for ifindex 1 ... (payload elided)
    /// Request::new(RTM_NEWADDR, NLM_F_CREATE, vec![2, 8, 0, 0, 1, 0, 0, 0]).execute(&sock)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute<S: Transport + Flavor>(
        self,
        sock: &S,
    ) -> S::Run<impl Future<Output = Result<(), Error>>> {
        S::run(sock.ack(self))
    }
}

impl<D: Decoder> Call<D> {
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
    pub fn stream(self, sock: &Socket) -> crate::blocking::Stream<'_, D> {
        crate::blocking::stream(sock, self.request, self.decoder)
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

/// How a verb's body reaches the caller: the value itself (blocking) or a future (async).
pub trait Flavor {
    /// What a verb returns in this flavour for a body `F`.
    type Run<F: Future>;
    /// Turn a verb body into this flavour's return value.
    fn run<F: Future>(body: F) -> Self::Run<F>;
}

impl Transport for Socket {
    async fn drive<M: Exchange>(&self, m: M) -> Result<M::Output, Error> {
        crate::blocking::run(self, m)
    }

    fn rcvbuf(&self) -> Result<usize, Error> {
        Ok(Socket::rcvbuf(self)?)
    }

    fn set_sndbuf(&self, bytes: usize) -> Result<usize, Error> {
        Ok(Socket::set_sndbuf(self, bytes)?)
    }

    fn port_id(&self) -> u32 {
        Socket::port_id(self)
    }

    async fn pause(&self, d: std::time::Duration) {
        std::thread::sleep(d);
    }
}

impl Flavor for Socket {
    type Run<F: Future> = F::Output;
    fn run<F: Future>(body: F) -> F::Output {
        block_on_ready(body)
    }
}

/// Poll a future whose awaits are all synchronous to completion.
pub(crate) fn block_on_ready<F: Future>(body: F) -> F::Output {
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
        async fn drive<M: Exchange>(&self, m: M) -> Result<M::Output, Error> {
            crate::nonblocking::run(self, m).await
        }

        fn rcvbuf(&self) -> Result<usize, Error> {
            Ok(self.get_ref().rcvbuf()?)
        }

        fn set_sndbuf(&self, bytes: usize) -> Result<usize, Error> {
            Ok(self.get_ref().set_sndbuf(bytes)?)
        }

        fn port_id(&self) -> u32 {
            self.get_ref().port_id()
        }

        async fn pause(&self, d: std::time::Duration) {
            tokio::time::sleep(d).await;
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
