//! Policy-routing rules (`ip rule`): list, add and delete.
//!
//! A rule picks the routing table a packet is looked up in, by its source and destination
//! prefix, firewall mark, input/output interface ... Messages are `RTM_NEWRULE` /
//! `RTM_DELRULE` / `RTM_GETRULE` with a `struct fib_rule_hdr` header and `FRA_*` attributes:
//!
//! ```text
//!  0        1         2         3     4       5      6      7        8            12
//! +--------+---------+---------+-----+-------+------+------+--------+------------+--------------+
//! | family | dst_len | src_len | tos | table | res1 | res2 | action | flags u32  | FRA_* attrs..|
//! +--------+---------+---------+-----+-------+------+------+--------+------------+--------------+
//!   all host order (<linux/fib_rules.h>); addresses inside attributes are network order
//! ```
//!
//! Why this shape: a rule is mostly selectors, and a [`RuleSpec`] names them the way
//! `ip rule add` does; the family follows from the address selectors (IPv4 when there are
//! none), so mixing families is caught before anything is sent. Decoded [`Rule`]s keep every
//! attribute like [`Route`](crate::route::Route)s do.
//!
//! # Contract
//! - Decoding is lossless: `emit(parse(bytes)) == bytes` for every rule message the kernel
//!   sends; unmodelled attributes (`FRA_SUPPRESS_PREFIXLEN`, `FRA_UID_RANGE`, port ranges
//!   ...) and duplicates stay in [`Rule::other`], the order in [`Rule::wire_order`].
//!   Interface names are typed only when they are UTF-8 with one trailing NUL, else raw.
//! - [`Rule::parse`] never panics; a modelled attribute with a malformed value is a
//!   [`DecodeError`](linx_netlink_codec::DecodeError) naming it.
//! - Input errors come before anything is sent: a look-up rule without table is
//!   [`Error::MissingOption`](crate::Error::MissingOption)`("table")`, selectors of two families
//!   [`Error::FamilyMismatch`](crate::Error::FamilyMismatch), a bad prefix
//!   [`Error::Ip`](crate::Error::Ip), a bad interface name
//!   [`Error::BadOption`](crate::Error::BadOption). Duplicates are `EEXIST` from the kernel;
//!   deleting a rule that is not there is `ENOENT`.
//! - Tables above 255 travel in `FRA_TABLE` with the header's table 0, as iproute2 sends
//!   them. Interface names go to the kernel as names (a rule may name an interface that does
//!   not exist yet).
//! - [`list`] dumps every family (`AF_UNSPEC`): IPv4, IPv6, and the multicast-routing rules
//!   (families 128/129) when the kernel has them.
//! - Out of scope: uid ranges, L4 port and protocol selectors, tun_id, l3mdev (kept raw when
//!   decoded, never built).
//!
//! # Layout
//! `message` (the `fib_rule_hdr` header, the `FRA_*` numbers and the [`Rule`] they declare),
//! `spec` (the [`RuleSpec`] builder), `request` (the pure request builders and the dump call)
//! and `verbs`, each importing only the ones before it. Everything is re-exported here, so
//! the public paths are `linx_rtnl::rule::*`.
//!
//! # See also
//! ip-rule(8), `<linux/fib_rules.h>`.

mod message;
mod request;
mod spec;
mod verbs;

pub use message::*;
pub use request::{RuleDecoder, add_request, delete_request, list_call};
pub use spec::RuleSpec;
pub use verbs::*;
