//! Routes: list (whole FIB or kernel-side filtered), resolve a destination, add, replace and
//! delete.
//!
//! Messages are `RTM_NEWROUTE` / `RTM_DELROUTE` / `RTM_GETROUTE` with a `struct rtmsg` header
//! and `RTA_*` attributes:
//!
//! ```text
//!  0        1         2         3     4       5          6       7      8            12
//! +--------+---------+---------+-----+-------+----------+-------+------+------------+--------------+
//! | family | dst_len | src_len | tos | table | protocol | scope | type | flags u32  | RTA_* attrs..|
//! +--------+---------+---------+-----+-------+----------+-------+------+------------+--------------+
//!   all host order (<linux/rtnetlink.h>); addresses inside attributes are network order
//! ```
//!
//! Why this shape:
//! - A route dump is the biggest thing rtnetlink sends (a full BGP table is ~1M routes), so
//!   [`Route::parse`] is a single pass over the attributes into a flat struct of `Copy`
//!   fields: no allocation for an ordinary route. Only attributes this module does not model
//!   (`RTA_CACHEINFO`, `RTA_METRICS`, `RTA_MULTIPATH`, `RTA_PREF` ...) are copied, as wire
//!   bytes, into [`Route::other`].
//! - Filtering belongs in the kernel: [`list_filtered`] puts the table, protocol, type,
//!   output interface and family into the dump request, and with `NETLINK_GET_STRICT_CHK`
//!   (which [`crate::open`] enables) the kernel only sends matching routes. The same filter
//!   is applied again client-side, so an older kernel that ignores it gives the same answer.
//! - Requests are built by pure functions ([`add_request`], [`delete_request`] ...) from a
//!   [`RouteSpec`], so their exact bytes are tested without a kernel; a spec's
//!   [`build`](RouteSpec::build) is also the desired-state [`Route`] a reconciler compares.
//!
//! # Contract
//! - Decoding is lossless: `emit(parse(bytes)) == bytes` for every route message the kernel
//!   sends (padding as zero). Modelled attributes become typed fields (the first occurrence;
//!   a duplicate stays raw), everything else is kept in [`Route::other`], and the order the
//!   attributes arrived in is kept in [`Route::wire_order`].
//! - [`Route::parse`] never panics and allocates only when an unmodelled attribute is present. A
//!   modelled attribute with a malformed value fails the message with a
//!   [`DecodeError`](linx_netlink_codec::DecodeError) naming the attribute.
//! - Input is checked before anything is sent: bad addresses ([`Error::Ip`](crate::Error::Ip)),
//!   families that do not agree ([`Error::FamilyMismatch`](crate::Error::FamilyMismatch)), table 0
//!   ([`Error::BadOption`](crate::Error::BadOption)). Kernel refusals are
//!   [`Error::Netlink`](crate::Error::Netlink): `EEXIST` from [`add`] on a duplicate, `ESRCH` from
//!   [`delete`] when nothing matches, `ENETUNREACH` from [`get`] when nothing routes.
//! - The table travels in `RTA_TABLE`, and also in the header when it fits (above 255 the
//!   header says `RT_TABLE_UNSPEC`). iproute2 sends small tables in the header only; Linx
//!   sends both so that a [`RouteSpec::build`] equals the route the kernel reports back.
//! - Out of scope: multipath and nexthop objects (kept raw, never built), `RTAX_*` metrics,
//!   MPLS routes.
//!
//! # Layout
//! One file per concept, each importing only the ones before it: `message` (the `rtmsg`
//! header, the `RTA_*` numbers and the [`Route`] they declare), `spec` (the [`RouteSpec`] /
//! [`RouteOptions`] builders), `filter` ([`RouteFilter`] and the decoder that re-checks it),
//! `request` (the pure request builders and calls) and `verbs` (what talks to a socket).
//! Everything is re-exported here, so the public paths are `linx_rtnl::route::*`.
//!
//! # See also
//! rtnetlink(7), ip-route(8), `<linux/rtnetlink.h>`.

mod filter;
mod message;
mod request;
mod spec;
mod verbs;

pub use linx_netlink_codec::WireOrder;

pub use crate::types::*;
pub use filter::{FilteredRoutes, RouteFilter};
pub use message::*;
pub use request::{
    RouteDecoder, add_request, delete_request, dump_request, get_request, list_call,
    list_filtered_call, replace_request,
};
pub use spec::{RouteOptions, RouteSpec};
pub use verbs::*;
