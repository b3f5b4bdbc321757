//! The blocking netlink socket: open, options, send, receive.
//!
//! [`Socket`] owns one bound `AF_NETLINK` fd. It holds no protocol logic: it
//! moves whole datagrams and leaves framing to `linx-netlink-codec`.
//!
//! # Contract
//!
//! - Every method takes `&self`; `Socket` is `Send + Sync`. The kernel keeps
//!   each datagram whole, but two threads receiving at once can take each
//!   other's replies. So an exchange first takes the socket's gate
//!   ([`Socket::exclusive`]) and holds it until its reply is complete; the
//!   codec's drivers always do. Raw `send`/`recv` calls outside a gate are
//!   the caller's own business.
//! - Receiving: [`Socket::recv`] and [`Socket::try_recv`] probe each
//!   datagram's size first (`MSG_PEEK | MSG_TRUNC`, one extra syscall) and so
//!   never cut one. [`Socket::recv_bounded`] and [`Socket::try_recv_bounded`]
//!   skip the probe for a caller that knows how long the next datagram can be
//!   (an acknowledgement, whose size the kernel bounds): one syscall per
//!   datagram, and a longer datagram is reported as [`Error::Truncated`],
//!   never handed out cut.
//! - Blocking: [`Socket::recv`] blocks (or waits up to its timeout) unless the
//!   socket is nonblocking; [`Socket::try_recv`] never blocks. Sending to the
//!   kernel does not block in practice. `EINTR` is retried everywhere.
//! - Allocation: `open` for a namespace other than the host spawns one thread
//!   (and allocates the path). Receiving grows the caller's `Vec` when a
//!   datagram needs more room and otherwise reuses it.

use std::fmt;
use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, OFlag};
use nix::libc;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{self as nixsock, MsgFlags, NetlinkAddr, sockopt};

use crate::error::os;
use crate::{Error, Netns, Stage, sys};

/// `SOL_NETLINK` option numbers from `<linux/netlink.h>`.
mod opt {
    pub(super) const NETLINK_ADD_MEMBERSHIP: i32 = 1;
    pub(super) const NETLINK_DROP_MEMBERSHIP: i32 = 2;
    pub(super) const NETLINK_NO_ENOBUFS: i32 = 5;
    pub(super) const NETLINK_CAP_ACK: i32 = 10;
    pub(super) const NETLINK_EXT_ACK: i32 = 11;
    pub(super) const NETLINK_GET_STRICT_CHK: i32 = 12;
}

/// The smallest buffer offered to the kernel on receive.
///
/// The kernel sizes dump datagrams from the largest buffer length it has seen
/// on this socket's `recvmsg` (capped near 32 KiB). Offering 32 KiB makes dumps
/// arrive in few large datagrams instead of many page-sized ones.
pub const RECV_MIN: usize = 32 * 1024;

/// A netlink sequence number generator: first value 1, wraps to 1, never 0.
///
/// Sequence number 0 is what the kernel uses for unsolicited (multicast)
/// messages, so a request never gets it.
///
/// ```
/// use linx_netlink_sys::SeqCounter;
///
/// let seq = SeqCounter::new();
/// assert_eq!(seq.next(), 1);
/// assert_eq!(seq.next(), 2);
///
/// let seq = SeqCounter::starting_at(u32::MAX);
/// assert_eq!(seq.next(), u32::MAX);
/// assert_eq!(seq.next(), 1);
/// ```
#[derive(Debug)]
pub struct SeqCounter(AtomicU32);

impl SeqCounter {
    /// A counter whose first value is 1.
    ///
    /// ```
    /// assert_eq!(linx_netlink_sys::SeqCounter::new().next(), 1);
    /// ```
    pub const fn new() -> SeqCounter {
        SeqCounter(AtomicU32::new(1))
    }

    /// A counter whose first value is `first` (or 1 if `first` is 0).
    ///
    /// ```
    /// assert_eq!(linx_netlink_sys::SeqCounter::starting_at(0).next(), 1);
    /// ```
    pub const fn starting_at(first: u32) -> SeqCounter {
        SeqCounter(AtomicU32::new(first))
    }

    /// The next sequence number; never 0. Lock-free and safe to call from
    /// several threads.
    ///
    /// ```
    /// let seq = linx_netlink_sys::SeqCounter::new();
    /// assert_ne!(seq.next(), seq.next());
    /// ```
    pub fn next(&self) -> u32 {
        loop {
            // Wraps from u32::MAX to 0; whoever draws the 0 just draws again.
            let seq = self.0.fetch_add(1, Ordering::Relaxed);
            if seq != 0 {
                return seq;
            }
        }
    }
}

impl Default for SeqCounter {
    fn default() -> SeqCounter {
        SeqCounter::new()
    }
}

/// A bound netlink socket in a chosen network namespace.
///
/// ```no_run
/// use linx_netlink_sys::{Netns, Socket};
///
/// # fn main() -> Result<(), linx_netlink_sys::Error> {
/// let sock = Socket::open(0 /* NETLINK_ROUTE */, Netns::Host)?;
/// // RTM_GETLINK dump: nlmsghdr (len, type 18, flags REQUEST|DUMP, seq, pid) + ifinfomsg
/// let mut req = Vec::new();
/// req.extend_from_slice(&32u32.to_ne_bytes());
/// req.extend_from_slice(&18u16.to_ne_bytes());
/// req.extend_from_slice(&0x301u16.to_ne_bytes());
/// req.extend_from_slice(&sock.next_seq().to_ne_bytes());
/// req.extend_from_slice(&0u32.to_ne_bytes());
/// req.extend_from_slice(&[0; 16]);
/// sock.send(&req)?;
/// let mut buf = Vec::new();
/// let n = sock.recv(&mut buf, Some(std::time::Duration::from_secs(1)))?;
/// println!("first datagram: {n} bytes");
/// # Ok(())
/// # }
/// ```
///
/// # See also
///
/// netlink(7), socket(7), `<linux/netlink.h>`.
pub struct Socket {
    fd: OwnedFd,
    protocol: i32,
    netns: Netns,
    port_id: u32,
    seq: SeqCounter,
    /// One exchange at a time (see [`Socket::exclusive`]).
    pub(crate) gate: crate::gate::Gate,
}

impl Socket {
    /// Opens a netlink socket of `protocol` (`NETLINK_ROUTE` = 0,
    /// `NETLINK_NETFILTER` = 12, ...) in `netns`, and binds it.
    ///
    /// Steps: create the socket (`SOCK_CLOEXEC`; in a helper thread for
    /// [`Netns::Pid`] and [`Netns::Path`], see the [crate docs](crate)), ask
    /// for extended ACKs (`NETLINK_EXT_ACK`, errors ignored: kernels before
    /// 4.12 lack it), then bind to port id 0 so the kernel assigns one. An
    /// unbound socket never receives multicast, so a failed bind is an error
    /// and closes the socket. The receive buffer keeps the kernel default.
    ///
    /// Errors name the step: [`Stage::Thread`], [`Stage::Socket`] or
    /// [`Stage::Bind`] ([`Error::Os`]); opening or entering the namespace
    /// ([`Stage::Open`], [`Stage::Setns`]) fails with [`Error::Netns`], which
    /// names the namespace file; [`Error::InvalidNetns`] for `Pid(0)` or a
    /// file that is not a namespace file (a FIFO, a regular file, a
    /// directory ...).
    ///
    /// ```no_run
    /// use linx_netlink_sys::{Netns, Socket};
    ///
    /// let host = Socket::open(0, Netns::Host)?;
    /// let blue = Socket::open(12, Netns::Path("/run/netns/blue".into()))?;
    /// assert_ne!(host.port_id(), 0);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn open(protocol: i32, netns: Netns) -> Result<Socket, Error> {
        let fd = netns.create_socket(protocol)?;
        // Best effort: pre-4.12 kernels answer ENOPROTOOPT, which changes nothing.
        let _ = sys::setsockopt_u32(fd.as_fd(), libc::SOL_NETLINK, opt::NETLINK_EXT_ACK, 1);
        nixsock::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(os(Stage::Bind))?;
        let local: NetlinkAddr = nixsock::getsockname(fd.as_raw_fd()).map_err(os(Stage::Bind))?;
        Ok(Socket {
            fd,
            protocol,
            netns,
            port_id: local.pid(),
            seq: SeqCounter::new(),
            gate: crate::gate::Gate::default(),
        })
    }

    /// The netlink protocol number given to [`Socket::open`].
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// assert_eq!(sock.protocol(), 0);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn protocol(&self) -> i32 {
        self.protocol
    }

    /// The namespace given to [`Socket::open`].
    ///
    /// ```no_run
    /// # use linx_netlink_sys::{Netns, Socket};
    /// let sock = Socket::open(0, Netns::Host)?;
    /// assert_eq!(sock.netns(), &Netns::Host);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn netns(&self) -> &Netns {
        &self.netns
    }

    /// The port id (`nl_pid`) the kernel assigned at bind; replies to this
    /// socket carry it in `nlmsg_pid`.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// assert_ne!(sock.port_id(), 0);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn port_id(&self) -> u32 {
        self.port_id
    }

    /// The next request sequence number: 1, 2, ..., skipping 0 on wrap.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// assert_eq!(sock.next_seq(), 1);
    /// assert_eq!(sock.next_seq(), 2);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn next_seq(&self) -> u32 {
        self.seq.next()
    }

    /// Joins multicast group `group` (`NETLINK_ADD_MEMBERSHIP`; a group
    /// number such as `RTNLGRP_LINK` = 1, not a bit mask).
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// sock.add_membership(1 /* RTNLGRP_LINK */)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn add_membership(&self, group: u32) -> Result<(), Error> {
        self.set_netlink_opt(opt::NETLINK_ADD_MEMBERSHIP, group)
    }

    /// Leaves multicast group `group` (`NETLINK_DROP_MEMBERSHIP`). Messages
    /// already queued stay queued.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// sock.add_membership(1)?;
    /// sock.drop_membership(1)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn drop_membership(&self, group: u32) -> Result<(), Error> {
        self.set_netlink_opt(opt::NETLINK_DROP_MEMBERSHIP, group)
    }

    /// Sets the receive buffer to `bytes` and returns what the kernel reports
    /// afterwards (Linux doubles the request for bookkeeping overhead).
    ///
    /// Tries `SO_RCVBUFFORCE` first, which ignores `net.core.rmem_max` but
    /// needs `CAP_NET_ADMIN` in the initial user namespace; on failure falls
    /// back to `SO_RCVBUF`, which the kernel silently caps at `rmem_max`.
    /// Check the result: 4 MiB may be granted on one host and 208 KiB on
    /// another.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let got = sock.set_rcvbuf(4 << 20)?;
    /// assert_eq!(got, sock.rcvbuf()?);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_rcvbuf(&self, bytes: usize) -> Result<usize, Error> {
        if nixsock::setsockopt(&self.fd, sockopt::RcvBufForce, &bytes).is_err() {
            nixsock::setsockopt(&self.fd, sockopt::RcvBuf, &bytes).map_err(os(Stage::Sockopt))?;
        }
        self.rcvbuf()
    }

    /// Sets the send buffer like [`Socket::set_rcvbuf`] (`SO_SNDBUFFORCE`,
    /// then `SO_SNDBUF` capped at `net.core.wmem_max`) and returns what the
    /// kernel reports. A datagram larger than the send buffer fails with
    /// `EMSGSIZE`, which matters for one-datagram nf_tables batches.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(12, linx_netlink_sys::Netns::Host)?;
    /// let got = sock.set_sndbuf(16 << 20)?;
    /// println!("send buffer: {got} bytes");
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_sndbuf(&self, bytes: usize) -> Result<usize, Error> {
        if nixsock::setsockopt(&self.fd, sockopt::SndBufForce, &bytes).is_err() {
            nixsock::setsockopt(&self.fd, sockopt::SndBuf, &bytes).map_err(os(Stage::Sockopt))?;
        }
        nixsock::getsockopt(&self.fd, sockopt::SndBuf).map_err(os(Stage::Sockopt))
    }

    /// The receive buffer size the kernel reports (`SO_RCVBUF`).
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// assert!(sock.rcvbuf()? > 0);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn rcvbuf(&self) -> Result<usize, Error> {
        nixsock::getsockopt(&self.fd, sockopt::RcvBuf).map_err(os(Stage::Sockopt))
    }

    /// `NETLINK_GET_STRICT_CHK`: the kernel validates dump requests strictly
    /// (header fields and attributes) and honours dump filters.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// sock.set_strict_check(true)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_strict_check(&self, on: bool) -> Result<(), Error> {
        self.set_netlink_opt(opt::NETLINK_GET_STRICT_CHK, u32::from(on))
    }

    /// `NETLINK_CAP_ACK`: error ACKs carry only the failing request's header,
    /// not its whole payload (keeps NACKs of large batches small).
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(12, linx_netlink_sys::Netns::Host)?;
    /// sock.set_cap_ack(true)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_cap_ack(&self, on: bool) -> Result<(), Error> {
        self.set_netlink_opt(opt::NETLINK_CAP_ACK, u32::from(on))
    }

    /// `NETLINK_EXT_ACK`: ACKs carry the kernel's message text and the offset
    /// of the offending attribute. [`Socket::open`] already turns it on.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// sock.set_ext_ack(false)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_ext_ack(&self, on: bool) -> Result<(), Error> {
        self.set_netlink_opt(opt::NETLINK_EXT_ACK, u32::from(on))
    }

    /// `NETLINK_NO_ENOBUFS`: the kernel stops reporting receive-buffer
    /// overruns (`ENOBUFS`) and drops multicast silently instead.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// sock.set_no_enobufs(true)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_no_enobufs(&self, on: bool) -> Result<(), Error> {
        self.set_netlink_opt(opt::NETLINK_NO_ENOBUFS, u32::from(on))
    }

    /// Sets or clears `O_NONBLOCK`. In nonblocking mode [`Socket::recv`]
    /// without a timeout returns `Os { Recv, EAGAIN }` instead of waiting.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// sock.set_nonblocking(true)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_nonblocking(&self, on: bool) -> Result<(), Error> {
        let flags = nix::fcntl::fcntl(&self.fd, FcntlArg::F_GETFL).map_err(os(Stage::Sockopt))?;
        let mut flags = OFlag::from_bits_retain(flags);
        flags.set(OFlag::O_NONBLOCK, on);
        nix::fcntl::fcntl(&self.fd, FcntlArg::F_SETFL(flags)).map_err(os(Stage::Sockopt))?;
        Ok(())
    }

    /// Sends one datagram to the kernel (port id 0) and returns its length.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// # let request: Vec<u8> = Vec::new();
    /// sock.send(&request)?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn send(&self, buf: &[u8]) -> Result<usize, Error> {
        let kernel = NetlinkAddr::new(0, 0);
        retry(|| nixsock::sendto(self.raw(), buf, &kernel, MsgFlags::empty()))
            .map_err(os(Stage::Send))
    }

    /// Sends the concatenation of `bufs` as one datagram to the kernel
    /// (`sendmsg(2)` with an iovec), so a large batch need not be copied into
    /// one contiguous buffer.
    ///
    /// ```no_run
    /// use std::io::IoSlice;
    /// # let sock = linx_netlink_sys::Socket::open(12, linx_netlink_sys::Netns::Host)?;
    /// # let (begin, body, end) = (vec![0u8; 20], vec![0u8; 64], vec![0u8; 20]);
    /// sock.send_vectored(&[IoSlice::new(&begin), IoSlice::new(&body), IoSlice::new(&end)])?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn send_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize, Error> {
        let kernel = NetlinkAddr::new(0, 0);
        retry(|| nixsock::sendmsg(self.raw(), bufs, &[], MsgFlags::empty(), Some(&kernel)))
            .map_err(os(Stage::Send))
    }

    /// Receives one whole datagram into `buf` and returns its length.
    ///
    /// `buf` is cleared first and grown as needed: the datagram's size is
    /// peeked (`MSG_PEEK | MSG_TRUNC`) before it is read, so it is never cut.
    /// At least [`RECV_MIN`] bytes are offered to the kernel.
    ///
    /// `timeout`: `None` waits forever (in nonblocking mode it returns
    /// `Os { Recv, EAGAIN }` at once when nothing is queued); `Some(d)` waits
    /// with `poll(2)` and returns [`Error::Timeout`] after `d` (a zero `d`
    /// still takes a datagram that is already queued). Kernel
    /// errors such as `ENOBUFS` (messages were dropped) come back as
    /// `Os { Recv, .. }`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use linx_netlink_sys::Error;
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    ///
    /// let mut buf = Vec::new();
    /// match sock.recv(&mut buf, Some(Duration::from_millis(100))) {
    ///     Ok(n) => println!("{n} bytes"),
    ///     Err(Error::Timeout) => println!("nothing yet"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<usize, Error> {
        self.recv_wait(buf, timeout, None)
    }

    /// Receives one datagram like [`Socket::recv`], for a caller that knows
    /// the datagram is at most `bound` bytes long: it is read with one
    /// syscall into at least `bound` (and at least [`RECV_MIN`]) bytes of
    /// room, without probing its size first.
    ///
    /// A datagram longer than the room after all is consumed and lost: it
    /// comes back as [`Error::Truncated`] with its full length (`buf` empty),
    /// never cut. So pass a bound only for replies the kernel bounds (an
    /// `NLMSG_ERROR` acknowledgement is at most its header, the error code,
    /// the echoed request and the extended-ACK attributes), or where a longer
    /// datagram would be dropped unread anyway.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let mut buf = Vec::new();
    /// // After sending a 64-byte request with NLM_F_ACK: its ACK fits 64 KiB.
    /// let n = sock.recv_bounded(&mut buf, 64 << 10, Some(std::time::Duration::from_secs(1)))?;
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn recv_bounded(
        &self,
        buf: &mut Vec<u8>,
        bound: usize,
        timeout: Option<Duration>,
    ) -> Result<usize, Error> {
        self.recv_wait(buf, timeout, Some(bound))
    }

    /// [`Socket::recv_bounded`] without ever waiting (`MSG_DONTWAIT`), as
    /// [`Socket::try_recv`] is to [`Socket::recv`].
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let mut buf = Vec::new();
    /// let err = sock.try_recv_bounded(&mut buf, 4096).unwrap_err();
    /// assert!(err.is_would_block());
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn try_recv_bounded(&self, buf: &mut Vec<u8>, bound: usize) -> Result<usize, Error> {
        self.recv_with(buf, MsgFlags::MSG_DONTWAIT, Some(bound))
    }

    /// [`Socket::recv`] with an optional bound (see [`Socket::recv_bounded`]).
    fn recv_wait(
        &self,
        buf: &mut Vec<u8>,
        timeout: Option<Duration>,
        bound: Option<usize>,
    ) -> Result<usize, Error> {
        let Some(timeout) = timeout else {
            return self.recv_with(buf, MsgFlags::empty(), bound);
        };
        // A timeout too large for `Instant` waits forever, still via poll(2),
        // so it behaves the same in nonblocking mode.
        // Fast path: a datagram is usually queued already (dumps are produced inside
        // recvmsg), so try first and pay for poll(2) only when nothing is there.
        match self.recv_with(buf, MsgFlags::MSG_DONTWAIT, bound) {
            Err(e) if e.is_would_block() => {}
            other => return other,
        }
        let deadline = Instant::now().checked_add(timeout);
        loop {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            // A zero timeout still looks once.
            if self.poll_readable(left)? {
                match self.recv_with(buf, MsgFlags::MSG_DONTWAIT, bound) {
                    // Someone else took the datagram; wait for the next one.
                    Err(e) if e.is_would_block() => {}
                    other => return other,
                }
            } else if deadline.is_some_and(|d| Instant::now() >= d) {
                buf.clear();
                return Err(Error::Timeout);
            }
        }
    }

    /// Receives one whole datagram like [`Socket::recv`], without ever
    /// waiting (`MSG_DONTWAIT`): `Os { Recv, EAGAIN }` when nothing is queued.
    /// The tokio driver is built on this.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let mut buf = Vec::new();
    /// let err = sock.try_recv(&mut buf).unwrap_err();
    /// assert!(err.is_would_block());
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn try_recv(&self, buf: &mut Vec<u8>) -> Result<usize, Error> {
        self.recv_with(buf, MsgFlags::MSG_DONTWAIT, None)
    }

    fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    fn set_netlink_opt(&self, name: i32, value: u32) -> Result<(), Error> {
        sys::setsockopt_u32(self.fd.as_fd(), libc::SOL_NETLINK, name, value)
            .map_err(os(Stage::Sockopt))
    }

    /// Sizes `buf` (to the peeked length of the next datagram, or to `bound`
    /// when the caller knows one) and reads the datagram.
    fn recv_with(
        &self,
        buf: &mut Vec<u8>,
        flags: MsgFlags,
        bound: Option<usize>,
    ) -> Result<usize, Error> {
        buf.clear();
        let len = match bound {
            Some(bound) => bound,
            None => {
                let peek = MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC;
                retry(|| nixsock::recv(self.raw(), &mut [], flags | peek))
                    .map_err(os(Stage::Recv))?
            }
        };
        // Read into spare capacity: no memset of the buffer per datagram (a 32 KiB memset
        // per ACK would dominate pipelined requests). With MSG_TRUNC the kernel returns the
        // datagram's real length, so a datagram longer than the room is detected below.
        buf.reserve(len.max(RECV_MIN));
        let flags = (flags | MsgFlags::MSG_TRUNC).bits();
        let got = retry(|| sys::recv_into_spare(self.fd.as_fd(), buf, flags));
        let got = got.map_err(|e| {
            buf.clear();
            os(Stage::Recv)(e)
        })?;
        if got > buf.len() {
            buf.clear();
            return Err(Error::Truncated { len: got });
        }
        buf.truncate(got);
        Ok(got)
    }

    /// Waits up to `timeout` for the socket to become readable (or to have an
    /// error pending). `Ok(false)` when the time ran out.
    fn poll_readable(&self, timeout: Duration) -> Result<bool, Error> {
        // Round up so a sub-millisecond remainder still waits, and clamp to
        // poll's range; the caller loops until its deadline.
        let ms = timeout.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128);
        let ms = PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        match nix::poll::poll(&mut fds, ms) {
            Ok(n) => Ok(n > 0),
            Err(nix::errno::Errno::EINTR) => Ok(false),
            Err(e) => Err(os(Stage::Poll)(e)),
        }
    }
}

/// Runs a system call until it stops failing with `EINTR`.
fn retry<T>(mut call: impl FnMut() -> nix::Result<T>) -> nix::Result<T> {
    loop {
        match call() {
            Err(nix::errno::Errno::EINTR) => {}
            other => return other,
        }
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("fd", &self.fd.as_raw_fd())
            .field("protocol", &self.protocol)
            .field("netns", &self.netns)
            .field("port_id", &self.port_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_starts_at_one() {
        let seq = SeqCounter::new();
        assert_eq!((seq.next(), seq.next(), seq.next()), (1, 2, 3));
        assert_eq!(SeqCounter::default().next(), 1);
    }

    #[test]
    fn seq_skips_zero_on_wrap() {
        let seq = SeqCounter::starting_at(u32::MAX - 1);
        assert_eq!(seq.next(), u32::MAX - 1);
        assert_eq!(seq.next(), u32::MAX);
        assert_eq!(seq.next(), 1);
        assert_eq!(seq.next(), 2);
        assert_eq!(SeqCounter::starting_at(0).next(), 1);
    }

    #[test]
    fn seq_is_unique_across_threads() {
        let seq = SeqCounter::starting_at(u32::MAX - 500);
        let mut all: Vec<u32> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..250).map(|_| seq.next()).collect::<Vec<_>>()))
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("worker panicked"))
                .collect()
        });
        assert!(!all.contains(&0));
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 1000);
    }

    #[test]
    fn socket_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Socket>();
    }
}
