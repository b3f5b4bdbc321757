//! Netlink sockets that know their network namespace, plus the workspace's
//! errno table.
//!
//! This is the bottom of Linx: everything above it (codecs, the request
//! engine, rtnetlink and nf_tables verbs) is pure and talks to the kernel only
//! through a [`Socket`] (or an `AsyncSocket` with the `tokio` feature). It
//! is also the only crate in the workspace with `unsafe`: two system calls
//! nix cannot express (`src/sys.rs`) and, with the `tokio` feature, tokio's
//! `AsyncFd::register`. Everything else uses nix's safe wrappers.
//!
//! Why this shape: a netlink socket belongs to the network namespace it was
//! created in, forever. So "talk to namespace X" is decided once, at
//! [`Socket::open`], by creating the socket inside X on a throwaway thread.
//! After that a socket is just an fd, and the rest of Linx never thinks about
//! namespaces again.
//!
//! ```no_run
//! use std::time::Duration;
//! use linx_netlink_sys::{Netns, Socket};
//!
//! # fn main() -> Result<(), linx_netlink_sys::Error> {
//! // NETLINK_ROUTE in the namespace of process 1234.
//! let sock = Socket::open(0, Netns::Pid(1234))?;
//! sock.add_membership(1 /* RTNLGRP_LINK */)?;
//! let mut buf = Vec::new();
//! let n = sock.recv(&mut buf, Some(Duration::from_secs(5)))?;
//! println!("{n} bytes from the kernel (port id {})", sock.port_id());
//! # Ok(())
//! # }
//! ```
//!
//! # Contract
//!
//! - **Namespaces.** No thread of the caller ever changes namespace.
//!   [`Netns::Host`] uses the calling thread's namespace. [`Netns::Pid`] and
//!   [`Netns::Path`] spawn one short-lived thread that opens the namespace
//!   file (`O_RDONLY | O_CLOEXEC | O_NONBLOCK`, so a FIFO cannot block it),
//!   checks that it is a namespace file (nsfs; anything else is
//!   [`Error::InvalidNetns`] before any `setns`), `setns(2)`s into it,
//!   creates the socket, closes the namespace fd and exits; `open` waits for
//!   it at most 10 s. The socket stays in that namespace for life (and keeps
//!   it alive).
//! - **Sockets.** Created with `SOCK_CLOEXEC`, asked for extended ACKs (best
//!   effort), then bound to port id 0 so the kernel picks one
//!   ([`Socket::port_id`]). Binding is mandatory: an unbound socket never sees
//!   multicast. Any failure closes the fd; nothing leaks.
//! - **Threads.** [`Socket`] is `Send + Sync` and every method takes `&self`.
//!   A request/reply exchange holds the socket's gate ([`Socket::exclusive`],
//!   [`Exclusive`]) from its first send to its last reply, so exchanges of
//!   threads or tasks sharing one socket run one after the other and each
//!   reads only its own replies.
//! - **Blocking.** [`Socket::recv`] blocks, or waits up to its timeout with
//!   `poll(2)`; [`Socket::try_recv`] never blocks. `EINTR` is retried.
//!   Datagrams are never truncated: each is measured before it is read.
//! - **Allocation.** Opening in another namespace spawns a thread. Receiving
//!   grows the caller's buffer when needed. The errno name table is built
//!   once. A namespace error holds its path. Nothing else allocates.
//! - **Errors.** [`Error`] names the failing [`Stage`] and carries an
//!   [`Errno`], which keeps any code (known or not) and prints as
//!   `ENODEV (19)`, the one errno format of the workspace. A namespace that
//!   cannot be opened or entered is named by its file
//!   (`open network namespace "/run/netns/x": ENOENT (2)`). Nothing here
//!   panics on anything the kernel sends.
//! - **Out of scope.** Message framing, sequence demultiplexing and ACK
//!   handling live in `linx-netlink-codec`.
//!
//! # Features
//!
//! - `tokio`: adds `AsyncSocket`, the same socket driven by tokio readiness.
//!
//! # See also
//!
//! netlink(7), setns(2), `<linux/netlink.h>`.

#[cfg(feature = "tokio")]
mod async_socket;
pub mod errno;
mod error;
mod gate;
mod netns;
mod socket;
mod sys;

#[cfg(feature = "tokio")]
pub use async_socket::AsyncSocket;
pub use errno::Errno;
pub use error::{Error, Stage};
pub use gate::Exclusive;
pub use netns::Netns;
pub use socket::{RECV_MIN, SeqCounter, Socket};
