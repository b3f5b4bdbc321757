//! Watching a namespace: the kernel's rtnetlink announcements (links, addresses, routes,
//! neighbours, rules) as typed events, blocking ([`Monitor`], an iterator) or on tokio
//! (`AsyncMonitor`, a `Stream`, feature `tokio`).
//!
//! Why: software that owns part of a namespace (a CNI plugin, a routing daemon, the
//! reconcile loop) must notice when someone else changes it. Polling with dumps is slow and
//! costly; the kernel already announces every change to the rtnetlink multicast groups. A
//! monitor joins those groups on its own socket, in any namespace, and decodes each
//! announcement with the same decoders the `list` verbs use, so an event carries the same
//! [`Link`](crate::Link), [`Address`](crate::Address), [`Route`](crate::Route),
//! [`Neighbour`](crate::Neighbour) or [`Rule`](crate::Rule) a dump would.
//!
//! Shape: one sans-IO core (the receive buffer and what each datagram or receive failure
//! means) and two thin drivers that only receive; [`events`] decodes a datagram you received
//! yourself.
//!
//! ```no_run
//! use linx_netlink_sys::Netns;
//! use linx_rtnl::monitor::{Event, Monitor};
//!
//! let mut mon = Monitor::open(Netns::Path("/run/netns/blue".into()))?;
//! for ev in &mut mon {
//!     match ev {
//!         Ok(Event::NewRoute(r)) => println!("route {r}"),
//!         Ok(Event::DelLink(l)) => println!("link {} is gone", l.name),
//!         Ok(Event::ResyncNeeded) => println!("events were lost: list everything again"),
//!         Ok(other) => println!("{other}"),
//!         Err(e) => eprintln!("{e}"), // one bad message or, at the end, a socket failure
//!     }
//! }
//! # Ok::<(), linx_rtnl::Error>(())
//! ```
//!
//! # Contract
//! - **Events are wake-up hints, not deltas.** An event tells that something changed and
//!   what the kernel said about it then; by the time it is read the object may have changed
//!   again or be gone, and the kernel does not announce every change (some are folded, some
//!   objects change without a message). Consumers that need the truth re-read it (list);
//!   the event says when and what to look at. There is no generation counter here.
//! - **[`Event::ResyncNeeded`]**: the kernel dropped announcements because the receive
//!   buffer was full (`ENOBUFS`), or sent `NLMSG_OVERRUN`, or a datagram longer than the
//!   monitor receives (1 MiB) arrived. Nothing says what was lost: list again everything you
//!   track. The monitor goes on; events after it are new.
//! - **Nothing is dropped silently.** Message types this crate does not model become
//!   [`Event::Unknown`] with the whole message. Inside a modelled object every attribute is
//!   kept, as with `list` (typed fields, the rest raw). A message that does not decode is
//!   one `Err` item ([`Error::Request`](crate::Error::Request) with the typed decode error)
//!   and the monitor reads on. Control messages that announce nothing (`NLMSG_NOOP`,
//!   `NLMSG_DONE`, an `NLMSG_ERROR` with errno 0) are skipped; an `NLMSG_ERROR` with an
//!   errno is an [`Error::Netlink`](crate::Error::Netlink) item.
//! - **Failures.** Any other receive failure is yielded once and ends the monitor (the
//!   iterator and the stream end; [`Monitor::next_timeout`] keeps returning it).
//! - **Setup.** The receive buffer is set before any group is joined (4 MiB by default,
//!   forced past `net.core.rmem_max` when the process may; [`Monitor::rcvbuf`] says what the
//!   kernel granted). Default groups: [`Group::DEFAULT`] (links, neighbours, IPv4/IPv6
//!   addresses, routes, rules).
//! - **Namespaces, threads.** The socket is created inside the namespace given
//!   ([`Netns`](linx_netlink_sys::Netns)) and stays there; no thread changes namespace.
//!   A monitor is `Send`; it is read from one thread or task at a time (`&mut self`).
//!   Dropping it closes the socket and leaves the groups.
//! - **Cost.** One `recvmsg` per datagram into one buffer, allocated on the first receive
//!   and reused; decoding allocates only the decoded object (and the bytes of an
//!   `Unknown`). Never panics on anything the kernel (or anyone) sends.
//!
//! # See also
//! rtnetlink(7), netlink(7), `<linux/rtnetlink.h>` (`enum rtnetlink_groups`), `ip monitor`.

mod blocking;
mod core;
mod event;
mod options;
#[cfg(feature = "tokio")]
mod stream;

pub use blocking::Monitor;
pub use event::{Event, Events, events};
pub use options::{Group, MonitorOptions};
#[cfg(feature = "tokio")]
pub use stream::AsyncMonitor;
