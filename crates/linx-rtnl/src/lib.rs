//! rtnetlink (`NETLINK_ROUTE`) for Linx: links, addresses, routes, neighbours, rules and link
//! statistics, as typed values and verbs.
//!
//! Every verb takes the socket first and is written once: on a blocking
//! `linx_netlink_sys::Socket` it returns its result, on an `AsyncSocket` (feature `tokio`) it
//! returns a `Send` future of the same result (see [`linx_netlink_codec::transport`]).
//!
//! ```no_run
//! use linx_rtnl::link;
//!
//! let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
//! for l in link::list(&sock)? {
//!     println!("{l}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The main types are re-exported here: the objects ([`Link`], [`Address`], [`Route`],
//! [`Neighbour`], [`Rule`], [`Stats`]), the specs the verbs take ([`NewLink`],
//! [`AddrOptions`], [`RouteSpec`], [`RouteOptions`], [`RuleSpec`]), the [`Monitor`] that
//! watches a namespace (`AsyncMonitor` with feature `tokio`) and [`Error`]; each module holds
//! the rest of its family (flags, enums, filters, request builders). [`reconcile`] converges a
//! namespace on a desired state authored by names; [`monitor`] and [`reconcile`] together are
//! what the `linx-reconcile` loop drives.
//!
//! # Contract
//! - Input is validated before anything is sent; mistakes are typed [`Error`] variants.
//! - Kernel refusals are [`Error::Netlink`] with the kernel's extended-ACK text. A refusal of
//!   a request about a named link names it (`link "ve0": EEXIST (17)`), and a bare `ENODEV`
//!   for a name the caller gave is reworded `no such interface "x"`.
//! - Decoding keeps every attribute: typed fields for what is modelled, the wire bytes of
//!   the rest in an `other` field, re-emitted unchanged. Top-level attributes of every object
//!   keep their wire order (`WireOrder`), so `emit(parse(bytes)) == bytes`; inside a link's
//!   kind data (`IFLA_INFO_DATA`) modelled attributes are re-emitted first (same
//!   attributes, same bytes each).
//! - No socket or framing code lives here (see `linx-netlink-sys`, `linx-netlink-codec`).
//!   No `unsafe`.
#![forbid(unsafe_code)]

use linx_netlink_sys::{Netns, Socket};

pub mod addr;
pub mod codecs;
pub mod error;
mod ifindex;
pub mod link;
pub mod monitor;
pub mod neigh;
pub mod reconcile;
pub mod route;
pub mod rule;
pub mod stats;
mod types;
mod values;
mod verb;

pub use addr::{AddrOptions, Address};
pub use error::Error;
pub use link::{Link, NewLink};
#[cfg(feature = "tokio")]
pub use monitor::AsyncMonitor;
pub use monitor::{Monitor, MonitorOptions};
pub use neigh::Neighbour;
pub use reconcile::{Desired, LastApplied, Plan, Report};
pub use route::{Route, RouteOptions, RouteSpec};
pub use rule::{Rule, RuleSpec};
pub use stats::Stats;

/// The netlink protocol number this crate speaks (`NETLINK_ROUTE`, `<linux/netlink.h>`).
pub const PROTOCOL: i32 = linx_netlink_codec::consts::NETLINK_ROUTE;

/// Open a blocking rtnetlink socket in `netns`, with strict dump checking enabled (so
/// filtered dumps are filtered by the kernel).
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Path("/run/netns/blue".into()))?;
/// # Ok::<(), linx_netlink_sys::Error>(())
/// ```
pub fn open(netns: Netns) -> Result<Socket, linx_netlink_sys::Error> {
    let sock = Socket::open(PROTOCOL, netns)?;
    // Best effort: kernels before 4.20 lack it, and filtered dumps then return everything
    // (the verbs filter again client-side).
    let _ = sock.set_strict_check(true);
    Ok(sock)
}

/// Open a tokio rtnetlink socket in `netns` (feature `tokio`; call inside a runtime).
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let sock = linx_rtnl::open_async(linx_netlink_sys::Netns::Host)?;
/// let links = linx_rtnl::link::list(&sock).await?;
/// # Ok(()) }
/// ```
#[cfg(feature = "tokio")]
pub fn open_async(netns: Netns) -> Result<linx_netlink_sys::AsyncSocket, linx_netlink_sys::Error> {
    linx_netlink_sys::AsyncSocket::new(open(netns)?)
}
