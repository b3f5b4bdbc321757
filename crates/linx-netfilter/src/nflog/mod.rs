//! NFLOG: the packets nf_tables `log group N` rules send to userspace, as typed events,
//! blocking ([`Listener`], an iterator) or on tokio (`AsyncListener`, feature `tokio`).
//!
//! Why: `log group N` is how a firewall reports what it dropped or saw without going through
//! syslog: the kernel hands each logged packet (its prefix, hook, interfaces, mark, owner,
//! and as much payload as asked for) to the one socket bound to group N (the
//! `nfnetlink_log` subsystem). A listener binds a group on its own socket, in any namespace,
//! configures it, and decodes what arrives with the same attribute machinery as every other
//! Linx decoder, keeping what it does not model.
//!
//! Shape: pure parts ([`ListenOptions`], the request encoder, [`Packet`] and [`events`]), a
//! sans-IO core (receive buffer, ACK waits, what each receive means) and two thin drivers.
//!
//! ```no_run
//! use linx_netfilter::nflog::{CopyMode, Event, ListenOptions, Listener};
//! use linx_netlink_sys::Netns;
//!
//! let opts = ListenOptions::new(5)?.copy_mode(CopyMode::Packet { snaplen: 128 });
//! let mut log = Listener::open(Netns::Path("/run/netns/fw".into()), &opts)?;
//! while let Some(ev) = log.next() {
//!     match ev {
//!         Ok(Event::Packet(p)) => println!("{:?} hook {:?} in {:?}", p.prefix, p.hook(), p.indev),
//!         Ok(Event::ResyncNeeded) => eprintln!("packets were lost"),
//!         Ok(other) => println!("{other}"),
//!         Err(e) => eprintln!("{e}"), // one bad message or, at the end, a socket failure
//!     }
//! }
//! # Ok::<(), linx_netfilter::nflog::NflogError>(())
//! ```
//!
//! # Contract
//! - **Options** ([`ListenOptions`]): group 1..=65535, checked when built
//!   ([`NflogError::BadGroup`] otherwise). Copy mode none, meta (default) or packet with a
//!   snaplen (0xFFFF by default); queue threshold (default 1, sent only above 1, u32 BE);
//!   flush timeout (default none; sent in hundredths of a second, the kernel's unit, at
//!   least 1); flags seq / seq_global / conntrack (u16 BE, sent only when set); families to
//!   bind (default IPv4 and IPv6; bridge and ARP too); receive buffer (default 4 MiB).
//! - **Start-up**, on a new `NETLINK_NETFILTER` socket in the namespace given: the receive
//!   buffer is set first; then one request at a time, each
//!   `NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG` with `NLM_F_REQUEST | NLM_F_ACK`:
//!   `PF_BIND` (command 3) per family with the family's `NFPROTO_*` in `nfgenmsg`; `BIND`
//!   (command 1) with `res_id` = group; `CFG_MODE` (`copy_range` BE32, mode u8, pad);
//!   `CFG_FLAGS`; `CFG_QTHRESH`; `CFG_TIMEOUT`. Each request waits for its own ACK
//!   (matched by sequence number; up to [`ListenOptions::ACK_TIMEOUT`]): a NACK fails
//!   start-up with [`NflogError::Refused`], naming the step and carrying the kernel's
//!   extended-ACK text; no ACK is [`NflogError::NoAck`]. A group another socket holds is
//!   refused at `BIND` with `EPERM`.
//! - **Events**: each `NFULNL_MSG_PACKET` is an [`Event::Packet`] ([`Packet`]: prefix,
//!   hook and hardware protocol, mark, timestamp, in/out/physin/physout interface indexes,
//!   hardware address cut to its length, payload, uid, gid, seq, seq_global; every other
//!   attribute kept raw, in order). Packets that arrive while a start-up request waits for
//!   its ACK are kept and yielded first. Another message type is an [`Event::Unknown`].
//! - **[`Event::ResyncNeeded`]**: the kernel dropped packets for this socket (`ENOBUFS`,
//!   `NLMSG_OVERRUN`, or a datagram longer than 1 MiB). The listener goes on.
//! - **Failures.** A message that does not decode is one `Err` item and the listener reads
//!   on; any other receive failure is yielded once and ends it.
//! - **Stop.** [`Listener::stop`]: `UNBIND` (command 2) of the group, then `PF_UNBIND`
//!   (command 4) per family, each acknowledged, then the socket closes. Dropping a
//!   listener only closes the socket: the kernel then destroys the group's instance itself
//!   (the family bindings stay).
//! - **Namespaces, threads.** The socket is made inside the namespace given and stays
//!   there; no thread changes namespace. A listener is `Send` and read from one thread or
//!   task at a time (`&mut self`).
//! - **Cost.** One `recvmsg` per datagram into one reused buffer; decoding allocates the
//!   packet and its payload. Never panics on anything received.
//! - Out of scope: structured decoding of the payload's headers, the conntrack entry, VLAN
//!   and layer-2 header (kept raw).
//!
//! # See also
//! `<linux/netfilter/nfnetlink_log.h>`, `net/netfilter/nfnetlink_log.c`, libnetfilter_log,
//! nft(8) (`log group`).

mod blocking;
mod config;
pub mod consts;
mod core;
mod error;
mod event;
mod family;
mod options;
mod packet;
#[cfg(feature = "tokio")]
mod stream;

pub use blocking::Listener;
pub use error::{ConfigStep, NflogError};
pub use event::{Event, Events, PACKET_MSG_TYPE, events};
pub use family::LogFamily;
pub use options::{ConfigFlags, CopyMode, ListenOptions};
pub use packet::{HwAddr, Packet, PacketHdr, Timestamp};
#[cfg(feature = "tokio")]
pub use stream::AsyncListener;
