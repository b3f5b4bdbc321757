//! Interface addresses: list, add, replace and delete them (`ip addr`).
//!
//! Messages are `RTM_NEWADDR` / `RTM_DELADDR` / `RTM_GETADDR` with a `struct ifaddrmsg`
//! header and `IFA_*` attributes:
//!
//! ```text
//!  0        1           2         3         4               8
//! +--------+-----------+---------+---------+---------------+----------------+
//! | family | prefixlen | flags   | scope   | index u32     | IFA_* attrs... |
//! +--------+-----------+---------+---------+---------------+----------------+
//!   u8 each; index host order (<linux/if_addr.h>)
//! ```
//!
//! Why this shape: an address is "this host, on that network" (`10.0.0.5/24`), so verbs take
//! one [`Subnet`](linx_ip::Subnet) (or its string form) and the family comes from it; a prefix too long for the
//! family is refused before anything is sent. The request bytes are built by pure functions
//! ([`add_request`], [`replace_request`], [`delete_request`]) that the verbs call, so the exact
//! bytes are tested without a kernel, against what iproute2 sends for the same command.
//!
//! # Contract
//! - Input is validated before any message (the name lookup included) is sent: a bad subnet
//!   is [`Error::Ip`](crate::Error::Ip), a broadcast of the other family [`Error::FamilyMismatch`](crate::Error::FamilyMismatch), a bad label
//!   or lifetime [`Error::BadOption`](crate::Error::BadOption). Kernel refusals (`EEXIST` on a duplicate `add`,
//!   `EADDRNOTAVAIL` on deleting a missing address) are [`Error::Netlink`](crate::Error::Netlink) with the kernel's
//!   text; an unknown link name reads `no such interface "x"`.
//! - Requests match iproute2's: `IFA_LOCAL` and `IFA_ADDRESS` both carry the address (v4 and
//!   v6), flags up to `0xff` ride the header byte and larger sets `IFA_FLAGS`, lifetimes
//!   `IFA_CACHEINFO`.
//! - [`Address`] decoding is lossless: typed fields for the modelled attributes (address
//!   values typed for `AF_INET`/`AF_INET6`, exactly the family's length; any other family
//!   keeps every attribute raw), the rest in [`Address::other`], the order of arrival in
//!   [`Address::wire_order`], so `emit(parse(bytes)) == bytes`. An address built in code
//!   emits its typed attributes in the order the kernel does for the family
//!   (`inet_fill_ifaddr` / `inet6_fill_ifaddr`), then `other`.
//! - Parsing never panics and allocates only for the label, unmodelled attributes and
//!   oversized cache info.
//! - Out of scope: peer (point-to-point) addresses in requests, `IFA_RT_PRIORITY`/`IFA_PROTO`
//!   in requests (both decode), multicast/anycast dumps (`RTM_GETMULTICAST`/`RTM_GETANYCAST`).
//!
//! # See also
//! rtnetlink(7), ip-address(8), `<linux/if_addr.h>`.
//!
//! # Layout
//! One file per concept, everything public re-exported here: `types` (flags, scope, cache
//! info), `message` (the `IFA_*` ids, `struct ifaddrmsg`, the [`Address`] declaration,
//! parse and emit), `codec` (the strict address codec), `spec` ([`AddrOptions`]),
//! `request` (request bytes and dump calls) and `verbs`.

mod codec;
mod message;
mod request;
mod spec;
mod types;
mod verbs;

pub(crate) use codec::ExactAddr;
pub use message::{
    Address, IFA_ADDRESS, IFA_ANYCAST, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_LABEL,
    IFA_LOCAL, IFA_MULTICAST, IFA_PROTO, IFA_RT_PRIORITY, IFA_TARGET_NETNSID, IfAddrMsg,
};
pub use request::{
    AddrDecoder, add_request, delete_request, list_call, list_link_call, replace_request,
};
pub use spec::AddrOptions;
pub use types::{AddrFlags, AddrScope, CacheInfo, INFINITY_LIFE_TIME};
pub use verbs::{add, delete, list, list_link, replace};
