//! Neighbours (the ARP and NDP tables): list, add, replace and delete them (`ip neigh`).
//!
//! Messages are `RTM_NEWNEIGH` / `RTM_DELNEIGH` / `RTM_GETNEIGH` with a `struct ndmsg`
//! header and `NDA_*` attributes:
//!
//! ```text
//!  0        1      4             8           10      11     12
//! +--------+------+-------------+-----------+-------+------+----------------+
//! | family | pad  | ifindex s32 | state u16 | flags | type | NDA_* attrs... |
//! +--------+------+-------------+-----------+-------+------+----------------+
//!   host order (<linux/neighbour.h>); pad is zero
//! ```
//!
//! Why this shape: a static entry maps an IP to a MAC on one link, so the verbs take exactly
//! those three; the family comes from the IP. The NUD state is a typed bit set
//! ([`NudState`]) because the kernel reports and accepts it as bits. Request bytes come from
//! pure functions ([`add_request`], [`replace_request`], [`delete_request`]) that the verbs
//! call, so they are tested without a kernel against what iproute2 sends.
//!
//! # Contract
//! - Input (IP, MAC, state) is validated before anything is sent, the link-name lookup
//!   included: [`Error::Ip`](crate::Error::Ip) for a bad IP or MAC, [`Error::BadOption`](crate::Error::BadOption) for a state that is not
//!   exactly one NUD bit. Kernel refusals are [`Error::Netlink`](crate::Error::Netlink) with the kernel's text
//!   (`EEXIST` on a duplicate `add`, `ENOENT` deleting a missing entry); an unknown link
//!   name reads `no such interface "x"`.
//! - [`Neighbour`] decoding is lossless: typed fields for `AF_INET`/`AF_INET6` entries
//!   (`NDA_DST`, `NDA_LLADDR` of any length, `NDA_PROBES`, `NDA_CACHEINFO`), every other
//!   attribute in [`Neighbour::other`]; entries of other families (bridge FDB, `AF_BRIDGE`)
//!   keep all their attributes raw. The order of arrival is kept in
//!   [`Neighbour::wire_order`], so `emit(parse(bytes)) == bytes`; an entry built in code
//!   emits in the kernel's order (`neigh_fill_info`).
//! - Parsing never panics and allocates only for unmodelled attributes and non-MAC link-layer
//!   addresses.
//! - Out of scope: proxy entries (`NTF_PROXY`), flush, bridge FDB verbs.
//!
//! # See also
//! rtnetlink(7), ip-neighbour(8), arp(7), `<linux/neighbour.h>`.
//!
//! # Layout
//! One file per concept, everything public re-exported here: `types` (NUD states, `NTF_*`
//! flags, link-layer address, cache info), `message` (the `NDA_*` ids, `struct ndmsg`, the
//! [`Neighbour`] declaration, parse and emit), `request` (request bytes and dump calls)
//! and `verbs`.

mod message;
mod request;
mod types;
mod verbs;

pub use message::{
    NDA_CACHEINFO, NDA_DST, NDA_FLAGS_EXT, NDA_IFINDEX, NDA_LLADDR, NDA_MASTER, NDA_PROBES,
    NDA_PROTOCOL, NdMsg, Neighbour,
};
pub use request::{
    NeighDecoder, add_request, delete_request, list_call, list_link_call, replace_request,
};
pub use types::{
    LinkAddr, NTF_EXT_LEARNED, NTF_MASTER, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER, NTF_SELF,
    NTF_STICKY, NTF_USE, NeighCacheInfo, NudState, RTN_UNICAST,
};
pub use verbs::{add, delete, list, list_link, replace};
