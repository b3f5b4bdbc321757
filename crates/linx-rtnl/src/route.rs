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
//! - [`Route::parse`] never panics and allocates only when an unmodelled attribute is present.
//!   A modelled attribute with a malformed value fails the message with a [`DecodeError`]
//!   naming the attribute.
//! - Input is checked before anything is sent: bad addresses ([`Error::Ip`]), families that
//!   do not agree ([`Error::FamilyMismatch`]), table 0 ([`Error::BadOption`]). Kernel
//!   refusals are [`Error::Netlink`]: `EEXIST` from [`add`] on a duplicate, `ESRCH` from
//!   [`delete`] when nothing matches, `ENETUNREACH` from [`get`] when nothing routes.
//! - The table travels in `RTA_TABLE`, and also in the header when it fits (above 255 the
//!   header says `RT_TABLE_UNSPEC`). iproute2 sends small tables in the header only; Linx
//!   sends both so that a [`RouteSpec::build`] equals the route the kernel reports back.
//! - Out of scope: multipath and nexthop objects (kept raw, never built), `RTAX_*` metrics,
//!   MPLS routes.
//!
//! # See also
//! rtnetlink(7), ip-route(8), `<linux/rtnetlink.h>`.

use std::fmt;

use linx_ip::{Family, IntoIp, Ip, IpError, Subnet};
use linx_netlink_codec::consts::{
    AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE,
};
use linx_netlink_codec::{
    AttrWriter, Call, DecodeCx, DecodeError, Dumped, Errno, FixedHeader, MsgView, NetlinkError,
    NlBuffer, RawAttrs, Request, Transport, align, nl_header, typed_attrs,
};

pub use linx_netlink_codec::WireOrder;
pub use linx_netlink_codec::consts::{RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_TABLE};

pub use crate::types::*;

/// Kept at this path for the object modules that write their attributes by hand.
pub(crate) use linx_netlink_codec::decl::emit_ordered;

use crate::codecs::{Addr, Via};
use crate::error::Error;
use crate::verb::verb;

/// `RTA_SRC`: source prefix (policy routing on the source; IPv6).
pub const RTA_SRC: u16 = 2;
/// `RTA_IIF`: input interface index.
pub const RTA_IIF: u16 = 3;
/// `RTA_PRIORITY`: the route's metric.
pub const RTA_PRIORITY: u16 = 6;
/// `RTA_PREFSRC`: preferred source address for locally originated packets.
pub const RTA_PREFSRC: u16 = 7;
/// `RTA_METRICS`: nested `RTAX_*` metrics (MTU, window ...).
pub const RTA_METRICS: u16 = 8;
/// `RTA_MULTIPATH`: an array of `struct rtnexthop`.
pub const RTA_MULTIPATH: u16 = 9;
/// `RTA_FLOW`: routing realm.
pub const RTA_FLOW: u16 = 11;
/// `RTA_CACHEINFO`: `struct rta_cacheinfo` (usage and expiry counters).
pub const RTA_CACHEINFO: u16 = 12;
/// `RTA_MARK`: firewall mark (route lookups in [`get`]).
pub const RTA_MARK: u16 = 16;
/// `RTA_VIA`: gateway of another family (`struct rtvia`: family u16 + address).
pub const RTA_VIA: u16 = 18;
/// `RTA_PREF`: IPv6 router preference.
pub const RTA_PREF: u16 = 20;
/// `RTA_ENCAP_TYPE`: lightweight tunnel type.
pub const RTA_ENCAP_TYPE: u16 = 21;
/// `RTA_ENCAP`: lightweight tunnel parameters.
pub const RTA_ENCAP: u16 = 22;
/// `RTA_EXPIRES`: remaining lifetime (IPv6).
pub const RTA_EXPIRES: u16 = 23;
/// `RTA_UID`: the uid a route lookup was made for.
pub const RTA_UID: u16 = 25;
/// `RTA_NH_ID`: nexthop object id.
pub const RTA_NH_ID: u16 = 30;

/// `RT_TABLE_UNSPEC`: no table (in a dump: all tables; in a request: see `RTA_TABLE`).
pub const RT_TABLE_UNSPEC: u8 = 0;
/// `RT_TABLE_COMPAT`: what the header says when the real table is above 255.
pub const RT_TABLE_COMPAT: u8 = 252;
/// `RT_TABLE_DEFAULT`.
pub const RT_TABLE_DEFAULT: u8 = 253;
/// `RT_TABLE_MAIN`: the table routes go to unless told otherwise.
pub const RT_TABLE_MAIN: u8 = 254;
/// `RT_TABLE_LOCAL`: local and broadcast addresses, maintained by the kernel.
pub const RT_TABLE_LOCAL: u8 = 255;

/// `RTM_F_NOTIFY`: notify the user of route changes.
pub const RTM_F_NOTIFY: u32 = 0x100;
/// `RTM_F_CLONED`: a cached (exception) route rather than a FIB entry.
pub const RTM_F_CLONED: u32 = 0x200;
/// `RTM_F_LOOKUP_TABLE`: in a get, report the table the lookup matched in.
pub const RTM_F_LOOKUP_TABLE: u32 = 0x1000;
/// `RTM_F_FIB_MATCH`: in a get, return the matching FIB entry, not the resolved route.
pub const RTM_F_FIB_MATCH: u32 = 0x2000;

nl_header! {
    /// `struct rtmsg` (`<linux/rtnetlink.h>`), 12 bytes, host order.
    ///
    /// ```
    /// use linx_netlink_codec::FixedHeader;
    /// use linx_rtnl::route::RtMsg;
    /// let h = RtMsg::parse(&[2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]).unwrap();
    /// assert_eq!((h.family, h.dst_len, h.table, h.route_type), (2, 24, 254, 1));
    /// ```
    pub struct RtMsg[12] {
        /// `rtm_family`: `AF_INET`, `AF_INET6` (`AF_UNSPEC` in a dump of both).
        pub family: u8 [0] ne,
        /// `rtm_dst_len`: destination prefix length.
        pub dst_len: u8 [1] ne,
        /// `rtm_src_len`: source prefix length.
        pub src_len: u8 [2] ne,
        /// `rtm_tos`: TOS / DSCP selector.
        pub tos: u8 [3] ne,
        /// `rtm_table`: routing table id, when it fits (see `RTA_TABLE`).
        pub table: u8 [4] ne,
        /// `rtm_protocol`: `RTPROT_*`, who installed the route.
        pub protocol: u8 [5] ne,
        /// `rtm_scope`: `RT_SCOPE_*`, distance to the destination.
        pub scope: u8 [6] ne,
        /// `rtm_type`: `RTN_*`.
        pub route_type: u8 [7] ne,
        /// `rtm_flags`: `RTM_F_*`.
        pub flags: u32 [8] ne,
    }
}

// ----------------------------------------------------------------------------------- Route

/// A route as the kernel reports it (or as a request carries it).
///
/// The header fields are kept as sent; [`table`](Self::table),
/// [`destination`](Self::destination) and [`source`](Self::source) give the usual views.
/// `{}` and `{:?}` print the short form, `Route<10.1.0.0/16 via 10.0.0.1 dev 2 metric 50
/// proto 76 table 100>`; `{:#?}` prints every field.
///
/// ```
/// use linx_ip::ip;
/// use linx_rtnl::route::{Protocol, Route};
/// let r = Route {
///     family: 2,
///     dst_len: 16,
///     dst: Some(ip!("10.1.0.0")),
///     gateway: Some(ip!("10.0.0.1")),
///     metric: Some(50),
///     protocol: Protocol(76),
///     header_table: 100,
///     ..Default::default()
/// };
/// assert_eq!(r.to_string(), "Route<10.1.0.0/16 via 10.0.0.1 metric 50 proto 76 table 100>");
/// let mut bytes = Vec::new();
/// r.emit(&mut bytes)?;
/// assert_eq!(Route::parse(&bytes)?, r);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Route {
    /// `rtm_family`: 2 (`AF_INET`), 10 (`AF_INET6`), 128/129 (multicast routes).
    pub family: u8,
    /// `rtm_dst_len`: destination prefix length (0 with no `dst`: the default route).
    pub dst_len: u8,
    /// `rtm_src_len`: source prefix length.
    pub src_len: u8,
    /// `rtm_tos`.
    pub tos: u8,
    /// `rtm_table`: the header's table byte ([`RT_TABLE_COMPAT`] or 0 when the id is above
    /// 255; see [`table`](Self::table)).
    pub header_table: u8,
    /// `rtm_protocol`.
    pub protocol: Protocol,
    /// `rtm_scope`.
    pub scope: Scope,
    /// `rtm_type`.
    pub route_type: RouteType,
    /// `rtm_flags` (`RTM_F_*`).
    pub flags: u32,
    /// `RTA_DST`: destination network address.
    pub dst: Option<Ip>,
    /// `RTA_SRC`: source network address (length in `src_len`).
    pub src: Option<Ip>,
    /// `RTA_IIF`: input interface index.
    pub iif: Option<u32>,
    /// `RTA_OIF`: output interface index.
    pub oif: Option<u32>,
    /// `RTA_GATEWAY`: next hop of the route's own family.
    pub gateway: Option<Ip>,
    /// `RTA_VIA`: next hop of the other family (an IPv4 route via an IPv6 gateway).
    pub via: Option<Ip>,
    /// `RTA_PRIORITY`: the metric.
    pub metric: Option<u32>,
    /// `RTA_PREFSRC`: preferred source address.
    pub prefsrc: Option<Ip>,
    /// `RTA_TABLE`: the full 32-bit table id.
    pub table_ext: Option<u32>,
    /// `RTA_MARK`: firewall mark (in [`get`] replies when a mark was asked for).
    pub mark: Option<u32>,
    /// Every other attribute (and duplicates of modelled ones), as wire bytes, in order.
    pub other: RawAttrs,
    /// The order the attributes arrived in (see [`WireOrder`]).
    pub wire_order: WireOrder,
}

typed_attrs! {
    impl Route {
        1: RTA_DST => dst as Addr,
        2: RTA_SRC => src as Addr,
        3: RTA_IIF => iif as u32,
        4: RTA_GATEWAY => gateway as Addr,
        5: RTA_VIA => via as Via,
        6: RTA_PREFSRC => prefsrc as Addr,
        7: RTA_TABLE => table_ext as u32,
        8: RTA_PRIORITY => metric as u32,
        9: RTA_MARK => mark as u32,
        10: RTA_OIF => oif as u32,
    }
}

impl Route {
    /// Decode an `RTM_NEWROUTE`/`RTM_DELROUTE` payload (after `nlmsghdr`).
    ///
    /// ```
    /// use linx_rtnl::route::Route;
    /// // rtmsg: AF_INET /24, table main, proto kernel, scope link, unicast; RTA_DST 10.0.0.0
    /// let p = [2, 24, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0, 8, 0, 1, 0, 10, 0, 0, 0];
    /// let r = Route::parse(&p).unwrap();
    /// assert_eq!(r.to_string(), "Route<10.0.0.0/24 proto kernel scope link table main>");
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Route, DecodeError> {
        let Some((h, attrs)) = payload.split_first_chunk::<{ RtMsg::LEN }>() else {
            return Err(DecodeError::truncated(
                "RtMsg",
                0,
                RtMsg::LEN,
                payload.len(),
            ));
        };
        let h = RtMsg::read(h);
        let head = Route {
            family: h.family,
            dst_len: h.dst_len,
            src_len: h.src_len,
            tos: h.tos,
            header_table: h.table,
            protocol: Protocol(h.protocol),
            scope: Scope(h.scope),
            route_type: RouteType::from(h.route_type),
            flags: h.flags,
            ..Default::default()
        };
        Route::with_attrs(head, attrs, RtMsg::LEN, DecodeCx::family(h.family))
    }

    /// Decode a reply message (`RTM_NEWROUTE`).
    ///
    /// ```
    /// use linx_netlink_codec::MsgView;
    /// use linx_rtnl::route::Route;
    /// let mut m = vec![28, 0, 0, 0, 24, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]; // nlmsghdr
    /// m.extend_from_slice(&[10, 0, 0, 0, 254, 3, 0, 7, 0, 0, 0, 0]); // ::/0 unreachable
    /// let r = Route::from_msg(&MsgView::new_checked(&m).unwrap()).unwrap();
    /// assert!(r.is_default());
    /// ```
    pub fn from_msg(m: &MsgView<'_>) -> Result<Route, DecodeError> {
        Route::parse(m.payload())
    }

    /// The routing table: `RTA_TABLE` when present, else the header's byte.
    ///
    /// ```
    /// use linx_rtnl::route::Route;
    /// let r = Route { header_table: 252, table_ext: Some(1000), ..Default::default() };
    /// assert_eq!(r.table(), 1000);
    /// ```
    pub fn table(&self) -> u32 {
        self.table_ext.unwrap_or(self.header_table.into())
    }

    /// The address family, when it is IPv4 or IPv6.
    ///
    /// ```
    /// use linx_rtnl::route::Route;
    /// assert_eq!(Route { family: 10, ..Default::default() }.ip_family(), Some(linx_ip::Family::Inet6));
    /// ```
    pub fn ip_family(&self) -> Option<Family> {
        Family::from_af(self.family)
    }

    /// Whether this is a default route (prefix length 0).
    ///
    /// ```
    /// assert!(linx_rtnl::route::Route::default().is_default());
    /// ```
    pub fn is_default(&self) -> bool {
        self.dst_len == 0
    }

    /// The destination as a subnet: `RTA_DST`/`dst_len`, or `0.0.0.0/0` / `::/0` for a
    /// default route. `None` when it cannot be formed (non-IP family, bad length).
    ///
    /// ```
    /// use linx_ip::ip;
    /// use linx_rtnl::route::Route;
    /// let r = Route { family: 2, dst_len: 8, dst: Some(ip!("10.0.0.0")), ..Default::default() };
    /// assert_eq!(r.destination(), Some(ip!("10.0.0.0/8")));
    /// assert_eq!(Route { family: 10, ..Default::default() }.destination(), Some(ip!("::/0")));
    /// ```
    pub fn destination(&self) -> Option<Subnet> {
        prefix_of(self.family, self.dst, self.dst_len)
    }

    /// The source selector as a subnet (`RTA_SRC`/`src_len`), if the route has one.
    ///
    /// ```
    /// use linx_rtnl::route::Route;
    /// assert_eq!(Route { family: 2, ..Default::default() }.source(), None);
    /// ```
    pub fn source(&self) -> Option<Subnet> {
        if self.src_len == 0 && self.src.is_none() {
            return None;
        }
        prefix_of(self.family, self.src, self.src_len)
    }

    /// Whether the route leaves through interface `index`: its `RTA_OIF`, or any nexthop of
    /// `RTA_MULTIPATH`.
    ///
    /// ```
    /// use linx_rtnl::route::Route;
    /// assert!(Route { oif: Some(2), ..Default::default() }.uses_oif(2));
    /// ```
    pub fn uses_oif(&self, index: u32) -> bool {
        if self.oif == Some(index) {
            return true;
        }
        let Some(mp) = self.other.get(RTA_MULTIPATH) else {
            return false;
        };
        // struct rtnexthop: len u16, flags u8, hops u8, ifindex s32, then attributes.
        let mut p = mp.payload();
        while let Some(h) = p.first_chunk::<8>() {
            let len = usize::from(u16::from_ne_bytes([h[0], h[1]]));
            if u32::from_ne_bytes([h[4], h[5], h[6], h[7]]) == index {
                return true;
            }
            if len < 8 {
                break;
            }
            p = p.get(align(len)..).unwrap_or_default();
        }
        false
    }

    /// Encoded payload length (header + attributes).
    ///
    /// ```
    /// use linx_rtnl::route::Route;
    /// assert_eq!(Route::default().buffer_len(), 12);
    /// ```
    pub fn buffer_len(&self) -> usize {
        RtMsg::LEN + self.attrs_len()
    }

    /// Append the encoded payload (rtmsg + attributes): in the order received for a decoded
    /// route, else in a fixed canonical order (dst, src, iif, gateway, via, prefsrc, table,
    /// metric, mark, oif, then [`other`](Self::other)).
    ///
    /// ```
    /// use linx_rtnl::route::Route;
    /// let p = [2, 24, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0, 8, 0, 1, 0, 10, 0, 0, 0];
    /// let mut out = Vec::new();
    /// Route::parse(&p)?.emit(&mut out)?;
    /// assert_eq!(out, p);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), Error> {
        let h = RtMsg {
            family: self.family,
            dst_len: self.dst_len,
            src_len: self.src_len,
            tos: self.tos,
            table: self.header_table,
            protocol: self.protocol.0,
            scope: self.scope.0,
            route_type: self.route_type.into(),
            flags: self.flags,
        };
        h.append(buf);
        self.emit_attrs(&mut AttrWriter::new(buf))?;
        Ok(())
    }
}

fn prefix_of(family: u8, addr: Option<Ip>, len: u8) -> Option<Subnet> {
    match addr {
        Some(a) => Subnet::from_parts(a, len),
        None if len == 0 => {
            Family::from_af(family).and_then(|f| Subnet::from_parts(Ip::unspecified(f), 0))
        }
        None => None,
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Route<")?;
        if !matches!(self.route_type, RouteType::Unicast | RouteType::Unspec) {
            write!(f, "{} ", self.route_type)?;
        }
        match self.dst {
            None if self.dst_len == 0 => f.write_str("default")?,
            None => write!(f, "?/{}", self.dst_len)?,
            Some(d) => write!(f, "{d}/{}", self.dst_len)?,
        }
        if let Some(s) = self.src {
            write!(f, " from {s}/{}", self.src_len)?;
        }
        if let Some(g) = self.gateway.or(self.via) {
            write!(f, " via {g}")?;
        }
        if let Some(i) = self.iif {
            write!(f, " iif {i}")?;
        }
        if let Some(o) = self.oif {
            write!(f, " dev {o}")?;
        }
        if let Some(p) = self.prefsrc {
            write!(f, " src {p}")?;
        }
        if let Some(m) = self.metric {
            write!(f, " metric {m}")?;
        }
        if self.protocol != Protocol::BOOT && self.protocol != Protocol::UNSPEC {
            write!(f, " proto {}", self.protocol)?;
        }
        if self.scope != Scope::UNIVERSE {
            write!(f, " scope {}", self.scope)?;
        }
        write!(f, " table {}>", TableName(self.table()))
    }
}

/// `{:?}` prints the short form (as `{}`); `{:#?}` every field.
impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        f.debug_struct("Route")
            .field("family", &self.family)
            .field("dst_len", &self.dst_len)
            .field("src_len", &self.src_len)
            .field("tos", &self.tos)
            .field("header_table", &self.header_table)
            .field("protocol", &self.protocol)
            .field("scope", &self.scope)
            .field("route_type", &self.route_type)
            .field("flags", &format_args!("{:#x}", self.flags))
            .field("dst", &self.dst)
            .field("src", &self.src)
            .field("iif", &self.iif)
            .field("oif", &self.oif)
            .field("gateway", &self.gateway)
            .field("via", &self.via)
            .field("metric", &self.metric)
            .field("prefsrc", &self.prefsrc)
            .field("table_ext", &self.table_ext)
            .field("mark", &self.mark)
            .field("other", &self.other)
            .field("wire_order", &self.wire_order)
            .finish()
    }
}

// ------------------------------------------------------------------------------- RouteSpec

/// Options of a route request, mirroring `ip route`'s keywords: a builder, every option
/// unset by default ([`Default`] is "as `ip route add` would do"). Used by [`add_default`]
/// and [`delete_default`], and by [`RouteSpec::options`] to set several options at once.
///
/// ```
/// use linx_rtnl::route::{Protocol, RouteOptions};
/// let opts = RouteOptions::new().table(100).protocol(76).metric(50);
/// assert_eq!(opts, RouteOptions::new().metric(50).protocol(Protocol(76)).table(100));
/// ```
///
/// The fields are private: the builder methods set them, `{:?}` shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "RouteOptions does nothing until passed to a route verb or RouteSpec::options"]
pub struct RouteOptions {
    /// Routing table, 1..=2^32-1 (default: main, 254); sent in `RTA_TABLE` (and in the
    /// header when it fits).
    table: Option<u32>,
    /// Who installs it (default [`Protocol::BOOT`]; in a delete: any).
    protocol: Option<Protocol>,
    /// `RTA_PRIORITY` (omitted when unset: IPv4 uses 0, IPv6 1024; in a delete: any).
    metric: Option<u32>,
    /// Scope (default: universe for gateway routes, link for device routes, host for local
    /// ones; in a delete: any).
    scope: Option<Scope>,
    /// Route type (default unicast; in a delete: any).
    route_type: Option<RouteType>,
    /// Output interface.
    oif: Option<LinkRef>,
    /// Preferred source address (`RTA_PREFSRC`).
    prefsrc: Option<Ip>,
}

impl RouteOptions {
    /// No option set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Routing table, 1..=2^32-1 (default: main, 254); sent in `RTA_TABLE` (and in the
    /// header when it fits).
    pub fn table(mut self, table: u32) -> Self {
        self.table = Some(table);
        self
    }
    /// Who installs the route: a [`Protocol`] or its number (default [`Protocol::BOOT`];
    /// in a delete: any).
    pub fn protocol(mut self, protocol: impl Into<Protocol>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }
    /// `RTA_PRIORITY` (unset: IPv4 uses 0, IPv6 1024; in a delete: any).
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = Some(metric);
        self
    }
    /// Scope (default: universe for gateway routes, link for device routes, host for local
    /// ones; in a delete: any).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }
    /// Route type (default unicast; in a delete: any).
    pub fn route_type(mut self, t: RouteType) -> Self {
        self.route_type = Some(t);
        self
    }
    /// Output interface, by name or index.
    pub fn dev(mut self, dev: impl Into<LinkRef>) -> Self {
        self.oif = Some(dev.into());
        self
    }
    /// Preferred source address (`RTA_PREFSRC`).
    pub fn prefsrc(mut self, src: Ip) -> Self {
        self.prefsrc = Some(src);
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dest {
    Default,
    Prefix(Subnet),
}

/// A route to add, replace or delete: destination, gateway and [`RouteOptions`]. Build it,
/// then pass it to [`add`], [`replace`] or [`delete`] (or the pure [`add_request`] ...).
///
/// Address strings are checked when the spec is used: a bad one is [`Error::Ip`], families
/// that disagree are [`Error::FamilyMismatch`], both before anything is sent.
///
/// ```
/// use linx_rtnl::route::RouteSpec;
/// let spec = RouteSpec::new("10.1.0.0/16").via("10.0.0.1").table(100).protocol(76).metric(50);
/// assert_eq!(spec.to_string(), "10.1.0.0/16 via 10.0.0.1 table 100 metric 50");
/// let r = spec.build(None)?;
/// assert_eq!(r.to_string(), "Route<10.1.0.0/16 via 10.0.0.1 metric 50 proto 76 table 100>");
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a RouteSpec does nothing until passed to route::add / replace / delete"]
pub struct RouteSpec {
    dst: Dest,
    gateway: Option<Ip>,
    src: Option<Subnet>,
    family: Option<Family>,
    opts: RouteOptions,
    error: Option<IpError>,
}

impl RouteSpec {
    /// A route to `dst`: a subnet, or a bare address for a host route.
    pub fn new(dst: impl IntoCidr) -> Self {
        let mut s = Self::with_dest(Dest::Default);
        match dst.into_cidr() {
            Ok(d) => s.dst = Dest::Prefix(d),
            Err(e) => s.error = Some(e),
        }
        s
    }

    /// The default route (`0.0.0.0/0` or `::/0`): the family comes from the gateway, else
    /// [`family`](Self::family), else IPv4.
    pub fn default_route() -> Self {
        Self::with_dest(Dest::Default)
    }

    /// The default route via `gateway`.
    pub fn default_via(gateway: impl IntoIp) -> Self {
        Self::default_route().via(gateway)
    }

    fn with_dest(dst: Dest) -> Self {
        RouteSpec {
            dst,
            gateway: None,
            src: None,
            family: None,
            opts: RouteOptions::default(),
            error: None,
        }
    }

    fn keep<T>(&mut self, r: Result<T, IpError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    /// Next hop (`RTA_GATEWAY`); must be of the destination's family.
    pub fn via(mut self, gateway: impl IntoIp) -> Self {
        self.gateway = self.keep(gateway.into_ip());
        self
    }
    /// Routing table, 1..=2^32-1.
    pub fn table(mut self, table: u32) -> Self {
        self.opts.table = Some(table);
        self
    }
    /// Protocol tag: a [`Protocol`] or its number.
    pub fn protocol(mut self, protocol: impl Into<Protocol>) -> Self {
        self.opts.protocol = Some(protocol.into());
        self
    }
    /// Metric (`RTA_PRIORITY`).
    pub fn metric(mut self, metric: u32) -> Self {
        self.opts.metric = Some(metric);
        self
    }
    /// Scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.opts.scope = Some(scope);
        self
    }
    /// Route type (blackhole, unreachable, prohibit ...).
    pub fn route_type(mut self, t: RouteType) -> Self {
        self.opts.route_type = Some(t);
        self
    }
    /// Output interface, by name or index.
    pub fn dev(mut self, dev: impl Into<LinkRef>) -> Self {
        self.opts.oif = Some(dev.into());
        self
    }
    /// Preferred source address (`RTA_PREFSRC`).
    pub fn prefsrc(mut self, src: impl IntoIp) -> Self {
        self.opts.prefsrc = self.keep(src.into_ip());
        self
    }
    /// Source prefix selector (`RTA_SRC`; IPv6 source routing).
    pub fn src(mut self, src: impl IntoCidr) -> Self {
        self.src = self.keep(src.into_cidr());
        self
    }
    /// The family, for a default route without gateway (checked against the addresses).
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }
    /// Replace all options at once.
    pub fn options(mut self, opts: RouteOptions) -> Self {
        self.opts = opts;
        self
    }

    /// The destination (`None` for the default route).
    ///
    /// ```
    /// use linx_rtnl::route::RouteSpec;
    /// assert_eq!(RouteSpec::default_route().dst(), None);
    /// assert_eq!(RouteSpec::new("10.0.0.1").dst().unwrap().prefix(), 32);
    /// ```
    pub fn dst(&self) -> Option<Subnet> {
        match self.dst {
            Dest::Default => None,
            Dest::Prefix(s) => Some(s),
        }
    }
    /// The gateway.
    pub fn gateway(&self) -> Option<Ip> {
        self.gateway
    }
    /// The options.
    pub fn opts(&self) -> &RouteOptions {
        &self.opts
    }

    /// Check everything that can be checked without the kernel; returns the family.
    ///
    /// ```
    /// use linx_rtnl::{Error, route::RouteSpec};
    /// assert!(matches!(RouteSpec::new("10.0.0.0/8").via("fd00::1").validate(), Err(Error::FamilyMismatch(_))));
    /// assert!(matches!(RouteSpec::new("10.0.0.0/8").table(0).validate(), Err(Error::BadOption { name: "table", .. })));
    /// assert!(matches!(RouteSpec::new("10.0.0.300/8").validate(), Err(Error::Ip(_))));
    /// ```
    pub fn validate(&self) -> Result<Family, Error> {
        if let Some(e) = &self.error {
            return Err(Error::Ip(e.clone()));
        }
        if self.opts.table == Some(0) {
            return Err(Error::BadOption {
                name: "table",
                value: "0 (must be 1..=4294967295)".into(),
            });
        }
        let mut fam: Option<(Family, String)> = self.family.map(|f| (f, format!("family {f}")));
        let mut check = |f: Family, what: String| -> Result<(), Error> {
            match &fam {
                Some((g, w)) if *g != f => Err(Error::FamilyMismatch(format!(
                    "{w} is {g} but {what} is {f}"
                ))),
                Some(_) => Ok(()),
                None => {
                    fam = Some((f, what));
                    Ok(())
                }
            }
        };
        if let Dest::Prefix(d) = self.dst {
            check(d.family(), format!("destination {d}"))?;
        }
        if let Some(g) = self.gateway {
            check(g.family(), format!("gateway {g}"))?;
        }
        if let Some(s) = self.src {
            check(s.family(), format!("source {s}"))?;
        }
        if let Some(p) = self.opts.prefsrc {
            check(p.family(), format!("prefsrc {p}"))?;
        }
        let family = fam.map_or(Family::Inet, |(f, _)| f);
        if let Dest::Prefix(d) = self.dst {
            if family == Family::Inet && d.network() != d {
                return Err(Error::BadOption {
                    name: "destination",
                    value: format!("{d} has host bits set (the network is {})", d.network()),
                });
            }
        }
        Ok(family)
    }

    /// The route [`add`] and [`replace`] send, with the output interface already resolved to
    /// `oif` when the spec names it by name. Also the desired-state value a reconciler
    /// compares with [`list`]'s routes.
    ///
    /// ```
    /// use linx_rtnl::route::{RouteSpec, Scope};
    /// let r = RouteSpec::new("10.9.0.0/16").dev("eth0").build(Some(2))?;
    /// assert_eq!((r.oif, r.scope), (Some(2), Scope::LINK)); // a device route is link-scoped
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn build(&self, oif: Option<u32>) -> Result<Route, Error> {
        self.to_route(false, oif)
    }

    fn oif_index(&self, oif: Option<u32>) -> Result<Option<u32>, Error> {
        match &self.opts.oif {
            None => Ok(None),
            Some(LinkRef::Index(i)) => Ok(Some(*i)),
            Some(LinkRef::Name(n)) => oif.map(Some).ok_or_else(|| Error::BadOption {
                name: "dev",
                value: format!("{n:?} is not resolved to an interface index"),
            }),
        }
    }

    fn to_route(&self, delete: bool, oif: Option<u32>) -> Result<Route, Error> {
        let family = self.validate()?;
        let oif = self.oif_index(oif)?;
        let route_type = self.opts.route_type.unwrap_or(if delete {
            RouteType::Unspec
        } else {
            RouteType::Unicast
        });
        let scope = match self.opts.scope {
            Some(s) => s,
            None if delete => Scope::NOWHERE,
            None => match route_type {
                RouteType::Local | RouteType::Nat => Scope::HOST,
                RouteType::Broadcast | RouteType::Multicast | RouteType::Anycast => Scope::LINK,
                RouteType::Unicast | RouteType::Unspec if self.gateway.is_none() => Scope::LINK,
                _ => Scope::UNIVERSE,
            },
        };
        let protocol = self.opts.protocol.unwrap_or(if delete {
            Protocol::UNSPEC
        } else {
            Protocol::BOOT
        });
        let table = self.opts.table.unwrap_or(RT_TABLE_MAIN.into());
        // The kernel reads RTA_TABLE first; it also reports it for every route, so sending
        // it always makes the built route equal the one read back.
        let header_table = u8::try_from(table).unwrap_or(RT_TABLE_UNSPEC);
        let table_ext = Some(table);
        let (dst, dst_len) = match self.dst {
            Dest::Prefix(d) => (d.address(), d.prefix()),
            Dest::Default => (Ip::unspecified(family), 0),
        };
        // A default route carries no RTA_DST (as the kernel reports it; iproute2 sends an
        // all-zero one, which means the same).
        let dst = (dst_len > 0).then_some(dst);
        Ok(Route {
            family: family.af(),
            dst_len,
            src_len: self.src.map_or(0, |s| s.prefix()),
            header_table,
            protocol,
            scope,
            route_type,
            dst,
            src: self.src.map(|s| s.address()),
            oif,
            gateway: self.gateway,
            metric: self.opts.metric,
            prefsrc: self.opts.prefsrc,
            table_ext,
            ..Default::default()
        })
    }
}

impl fmt::Display for RouteSpec {
    /// `ip route`-like: `10.1.0.0/16 via 10.0.0.1 dev eth0 table 100 metric 50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = self.opts.route_type {
            if t != RouteType::Unicast {
                write!(f, "{t} ")?;
            }
        }
        match self.dst {
            Dest::Default => f.write_str("default")?,
            Dest::Prefix(d) => write!(f, "{d}")?,
        }
        if let Some(g) = self.gateway {
            write!(f, " via {g}")?;
        }
        if let Some(d) = &self.opts.oif {
            write!(f, " dev {d}")?;
        }
        if let Some(t) = self.opts.table {
            write!(f, " table {}", TableName(t))?;
        }
        if let Some(m) = self.opts.metric {
            write!(f, " metric {m}")?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------- requests

fn route_request(kind: u16, flags: u16, r: &Route) -> Result<Request, Error> {
    let mut p = Vec::with_capacity(r.buffer_len());
    r.emit(&mut p)?;
    Ok(Request::new(kind, flags, p).with_header_len(RtMsg::LEN))
}

/// The `RTM_NEWROUTE` (`NLM_F_CREATE | NLM_F_EXCL`) [`add`] sends; `oif` is the resolved
/// index when the spec names its device by name.
///
/// ```
/// use linx_rtnl::route::{add_request, RouteSpec};
/// let req = add_request(&RouteSpec::new("10.1.0.0/16").via("10.0.0.1"), None)?;
/// assert_eq!(req.payload()[..8], [2, 16, 0, 0, 254, 3, 0, 1]); // main, boot, universe, unicast
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(spec: &RouteSpec, oif: Option<u32>) -> Result<Request, Error> {
    route_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &spec.build(oif)?)
}

/// The `RTM_NEWROUTE` (`NLM_F_CREATE | NLM_F_REPLACE`) [`replace`] sends.
///
/// ```
/// use linx_rtnl::route::{replace_request, RouteSpec};
/// let req = replace_request(&RouteSpec::new("10.1.0.0/16").via("10.0.0.9"), None)?;
/// assert_eq!(req.flags() & 0x500, 0x500);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn replace_request(spec: &RouteSpec, oif: Option<u32>) -> Result<Request, Error> {
    route_request(
        RTM_NEWROUTE,
        NLM_F_CREATE | NLM_F_REPLACE,
        &spec.build(oif)?,
    )
}

/// The `RTM_DELROUTE` [`delete`] sends: what the spec leaves open matches anything (scope
/// `RT_SCOPE_NOWHERE`, protocol 0, type 0, any metric); the table defaults to main.
///
/// ```
/// use linx_rtnl::route::{delete_request, RouteSpec};
/// let req = delete_request(&RouteSpec::new("10.1.0.0/16").table(100).metric(50), None)?;
/// assert_eq!(req.payload()[..8], [2, 16, 0, 0, 100, 0, 255, 0]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(spec: &RouteSpec, oif: Option<u32>) -> Result<Request, Error> {
    route_request(RTM_DELROUTE, 0, &spec.to_route(true, oif)?)
}

/// The `RTM_GETROUTE` [`get`] sends: `RTA_DST` with a full-width prefix (IPv4 also asks
/// for the matched table with `RTM_F_LOOKUP_TABLE`, as `ip route get` does).
///
/// ```
/// use linx_ip::ip;
/// let req = linx_rtnl::route::get_request(ip!("10.1.2.3"));
/// assert_eq!(req.payload(), [2, 32, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 8, 0, 1, 0, 10, 1, 2, 3]);
/// ```
pub fn get_request(dest: Ip) -> Request {
    let f = dest.family();
    let r = Route {
        family: f.af(),
        dst_len: f.max_prefix(),
        flags: if f == Family::Inet {
            RTM_F_LOOKUP_TABLE
        } else {
            0
        },
        dst: Some(dest),
        ..Default::default()
    };
    let mut p = Vec::with_capacity(r.buffer_len());
    // Cannot fail: one address attribute.
    let _ = r.emit(&mut p);
    Request::new(RTM_GETROUTE, 0, p).with_header_len(RtMsg::LEN)
}

/// What [`list_filtered`] asks the kernel for. `None` fields match anything.
///
/// ```
/// use linx_rtnl::route::{Protocol, RouteFilter};
/// let f = RouteFilter { table: Some(100), protocol: Some(Protocol(76)), ..Default::default() };
/// # let _ = f;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteFilter {
    /// IPv4 or IPv6 only (`None`: both, and multicast routes).
    pub family: Option<Family>,
    /// One table (1..=2^32-1).
    pub table: Option<u32>,
    /// One protocol (not 0).
    pub protocol: Option<Protocol>,
    /// One route type (not unspec).
    pub route_type: Option<RouteType>,
    /// Routes leaving through this interface (`RTA_OIF` or a multipath nexthop).
    pub oif: Option<LinkRef>,
}

impl RouteFilter {
    fn validate(&self) -> Result<(), Error> {
        let zero = |name| Error::BadOption {
            name,
            value: "0 (0 means any: leave the filter field None)".into(),
        };
        if self.table == Some(0) {
            return Err(zero("table"));
        }
        if self.protocol == Some(Protocol::UNSPEC) {
            return Err(zero("protocol"));
        }
        if self.route_type == Some(RouteType::Unspec) {
            return Err(zero("route type"));
        }
        Ok(())
    }

    /// Whether `r` passes this filter; `oif` is the resolved index of [`oif`](Self::oif).
    /// (The client-side guard behind [`list_filtered`].)
    ///
    /// ```
    /// use linx_rtnl::route::{Route, RouteFilter};
    /// let f = RouteFilter { table: Some(100), ..Default::default() };
    /// assert!(f.matches(&Route { header_table: 100, ..Default::default() }, None));
    /// assert!(!f.matches(&Route { header_table: 254, ..Default::default() }, None));
    /// ```
    pub fn matches(&self, r: &Route, oif: Option<u32>) -> bool {
        self.family.is_none_or(|f| f.af() == r.family)
            && self.table.is_none_or(|t| t == r.table())
            && self.protocol.is_none_or(|p| p == r.protocol)
            && self.route_type.is_none_or(|t| t == r.route_type)
            && oif.is_none_or(|i| r.uses_oif(i))
    }
}

/// The `RTM_GETROUTE` dump request for `filter` (strict-check layout: family, protocol and
/// type in the header, `RTA_TABLE` and `RTA_OIF` as attributes, as iproute2 sends them);
/// `oif` is the resolved index of `filter.oif`.
///
/// ```
/// use linx_rtnl::route::{dump_request, RouteFilter};
/// let req = dump_request(&RouteFilter::default(), None)?;
/// assert_eq!(req.payload(), [0; 12]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn dump_request(filter: &RouteFilter, oif: Option<u32>) -> Result<Request, Error> {
    filter.validate()?;
    let oif = match &filter.oif {
        None => None,
        Some(LinkRef::Index(i)) => Some(*i),
        Some(LinkRef::Name(n)) => Some(oif.ok_or_else(|| Error::BadOption {
            name: "oif",
            value: format!("{n:?} is not resolved to an interface index"),
        })?),
    };
    let r = Route {
        family: filter.family.map_or(AF_UNSPEC, Family::af),
        protocol: filter.protocol.unwrap_or_default(),
        route_type: filter.route_type.unwrap_or_default(),
        table_ext: filter.table,
        oif,
        ..Default::default()
    };
    let mut p = Vec::with_capacity(r.buffer_len());
    r.emit(&mut p)?;
    Ok(Request::dump(RTM_GETROUTE, p).with_header_len(RtMsg::LEN))
}

/// The decoder of route dumps: [`Route::from_msg`].
pub type RouteDecoder = fn(&MsgView<'_>) -> Result<Route, DecodeError>;

/// The call behind [`list`]: an `RTM_GETROUTE` dump of every family and table, decoded into
/// [`Route`]s. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::route::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<RouteDecoder> {
    Call::new(
        Request::dump(RTM_GETROUTE, vec![0; RtMsg::LEN]).with_header_len(RtMsg::LEN),
        Route::from_msg as RouteDecoder,
    )
}

/// The decoder behind [`list_filtered`]: decodes each reply and checks it against the
/// filter again, yielding `None` for routes that do not match (cheap, and right on kernels
/// without strict checking, which ignore the filter, and for multicast routes, which only
/// honour part of it).
///
/// ```
/// use linx_netlink_codec::Decoder;
/// use linx_rtnl::route::{FilteredRoutes, RouteFilter};
/// let mut d = FilteredRoutes::new(RouteFilter { table: Some(100), ..Default::default() }, None);
/// let mut m = vec![28, 0, 0, 0, 24, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0];
/// m.extend_from_slice(&[2, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]); // a main-table route
/// let v = linx_netlink_codec::MsgView::new_checked(&m).unwrap();
/// assert_eq!(d.decode(&v).unwrap(), None);
/// ```
#[derive(Clone, Debug)]
pub struct FilteredRoutes {
    filter: RouteFilter,
    oif: Option<u32>,
}

impl FilteredRoutes {
    /// A decoder for `filter`; `oif` is the resolved index of `filter.oif`.
    pub fn new(filter: RouteFilter, oif: Option<u32>) -> Self {
        FilteredRoutes { filter, oif }
    }
}

impl linx_netlink_codec::Decoder for FilteredRoutes {
    type Item = Option<Route>;
    fn decode(&mut self, m: &MsgView<'_>) -> Result<Option<Route>, DecodeError> {
        let r = Route::from_msg(m)?;
        Ok(self.filter.matches(&r, self.oif).then_some(r))
    }
}

/// The call behind [`list_filtered`]: the kernel-filtered dump, decoded by
/// [`FilteredRoutes`]. `oif` is the resolved index of `filter.oif`.
///
/// ```no_run
/// use linx_rtnl::route::{list_filtered_call, RouteFilter};
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// let f = RouteFilter { table: Some(254), ..Default::default() };
/// let n = list_filtered_call(&f, None)?.collect(&sock)?.items.into_iter().flatten().count();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_filtered_call(
    filter: &RouteFilter,
    oif: Option<u32>,
) -> Result<Call<FilteredRoutes>, Error> {
    let req = dump_request(filter, oif)?;
    Ok(Call::new(req, FilteredRoutes::new(filter.clone(), oif)))
}

// ---------------------------------------------------------------------------------- verbs

async fn resolve<S: Transport>(sock: &S, dev: Option<&LinkRef>) -> Result<Option<u32>, Error> {
    match dev {
        None => Ok(None),
        Some(LinkRef::Index(i)) => Ok(Some(*i)),
        Some(LinkRef::Name(n)) => Ok(Some(crate::link::index_of(sock, n, "interface").await?)),
    }
}

fn reword(e: Error, spec: &RouteSpec) -> Error {
    match e {
        Error::Netlink(n) if n.errno == Errno::EEXIST => {
            Error::Netlink(n.or_message(|| format!("route {spec} already exists")))
        }
        Error::Netlink(n) if n.errno == Errno::ESRCH => {
            Error::Netlink(n.or_message(|| format!("no such route {spec}")))
        }
        other => other,
    }
}

verb! {
    /// Every route of the socket's namespace: all tables, IPv4 and IPv6 (and multicast
    /// routes, families 128/129, when there are any).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for r in linx_rtnl::route::list(&sock)? {
    ///     println!("{r}");
    /// }
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn list(sock) -> Dumped<Route> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The routes matching `filter`, filtered by the kernel (strict dump checking) and
    /// checked again here. A table that does not exist has no routes (`Ok(vec![])`).
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, Protocol, RouteFilter};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let mine = route::list_filtered(&sock, &RouteFilter {
    ///     table: Some(100),
    ///     protocol: Some(Protocol(76)),
    ///     ..Default::default()
    /// })?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn list_filtered(sock, filter: &RouteFilter) -> Dumped<Route> {
        filter.validate()?;
        let oif = resolve(sock, filter.oif.as_ref()).await?;
        match sock.collect(list_filtered_call(filter, oif)?).await {
            Ok(d) => Ok(Dumped { items: d.items.into_iter().flatten().collect(), retries: d.retries }),
            // "FIB table does not exist": a single-family dump of an absent table.
            Err(linx_netlink_codec::Error::Netlink(n))
                if n.errno == Errno::ENOENT && filter.table.is_some() => Ok(Dumped { items: Vec::new(), retries: 0 }),
            Err(e) => Err(e.into()),
        }
    }
}

verb! {
    /// The route the kernel would use to reach `dest` (`ip route get`). Nothing routes
    /// there: `ENETUNREACH` (`no route to <dest>`).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let r = linx_rtnl::route::get(&sock, "1.1.1.1")?;
    /// println!("{r}"); // Route<1.1.1.1/32 via 192.168.1.1 dev 2 src 192.168.1.42 table main>
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn get(sock, dest: impl IntoIp) -> Route {
        let dest = dest.into_ip()?;
        let unreachable = |n: NetlinkError| n.or_message(|| format!("no route to {dest}"));
        match sock.single(Call::new(get_request(dest), Route::from_msg)).await {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(Error::Netlink(unreachable(NetlinkError::new(Errno::ENETUNREACH)))),
            Err(linx_netlink_codec::Error::Netlink(n)) if n.errno == Errno::ENETUNREACH => {
                Err(Error::Netlink(unreachable(n)))
            }
            Err(e) => Err(e.into()),
        }
    }
}

verb! {
    /// Add a route (`NLM_F_CREATE | NLM_F_EXCL`): `EEXIST` if it is already there.
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::add(&sock, &RouteSpec::new("10.50.0.0/24").via("10.0.42.1").table(100).protocol(76).metric(50))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add(sock, spec: &RouteSpec) -> () {
        spec.validate()?;
        let oif = resolve(sock, spec.opts.oif.as_ref()).await?;
        let req = add_request(spec, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

/// Requests sent per datagram by [`add_many`].
pub const ADD_MANY_WINDOW: usize = 256;

verb! {
    /// Add many routes, pipelined: up to [`ADD_MANY_WINDOW`] requests per datagram (fewer
    /// when the socket's receive buffer could not hold that many ACKs), each ACKed, so 10k
    /// routes cost ~40 round trips instead of 10k. Every spec is validated (and every
    /// interface name resolved, once per name) before anything is sent; then each route's
    /// own [`Outcome`](linx_netlink_codec::Outcome) comes back at its index: applied, refused
    /// (with the kernel's reason; one refusal does not stop the others), unknown (its ACK was
    /// lost) or not sent (the pipeline stopped early; [`Outcomes::error`] says why). The
    /// outer `Err` is for input errors, and for transport failures before anything was sent.
    ///
    /// ```no_run
    /// use linx_netlink_codec::Outcome;
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let specs: Vec<RouteSpec> = (0..100u32)
    ///     .map(|i| RouteSpec::new(format!("10.9.{i}.0/24").as_str()).via("10.0.42.1").table(100))
    ///     .collect();
    /// for (spec, outcome) in specs.iter().zip(route::add_many(&sock, &specs)?) {
    ///     match outcome {
    ///         Outcome::Applied => {}
    ///         Outcome::Refused(e) => eprintln!("{e}"),
    ///         other => eprintln!("{spec:?}: {other}"),
    ///     }
    /// }
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    ///
    /// [`Outcomes::error`]: linx_netlink_codec::Outcomes::error
    pub fn add_many(sock, specs: &[RouteSpec]) -> linx_netlink_codec::Outcomes<Error> {
        let mut names: Vec<(String, u32)> = Vec::new();
        let mut reqs = Vec::with_capacity(specs.len());
        for spec in specs {
            spec.validate()?;
            let oif = match spec.opts.oif.as_ref() {
                Some(LinkRef::Name(n)) => match names.iter().find(|(m, _)| m == n) {
                    Some((_, i)) => Some(*i),
                    None => {
                        let i = crate::link::index_of(sock, n, "interface").await?;
                        names.push((n.clone(), i));
                        Some(i)
                    }
                },
                other => resolve(sock, other).await?,
            };
            reqs.push(add_request(spec, oif)?);
        }
        let outcomes = sock.ack_all(reqs, ADD_MANY_WINDOW).await?;
        Ok(outcomes.map_refusals(|i, e| reword(Error::Netlink(e), &specs[i])))
    }
}

verb! {
    /// Add or replace a route (`NLM_F_CREATE | NLM_F_REPLACE`): an existing route with the
    /// same destination, table, tos and metric is changed in place (a new gateway, say).
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::replace(&sock, &RouteSpec::new("10.99.0.0/24").via("10.0.42.9"))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn replace(sock, spec: &RouteSpec) -> () {
        spec.validate()?;
        let oif = resolve(sock, spec.opts.oif.as_ref()).await?;
        let req = replace_request(spec, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

verb! {
    /// Delete the route `spec` describes: unset options match anything (see
    /// [`delete_request`]); with a table and metric only that route goes. `ESRCH` when
    /// nothing matches.
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::delete(&sock, &RouteSpec::new("10.50.0.0/24").table(100).metric(50))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete(sock, spec: &RouteSpec) -> () {
        spec.validate()?;
        let oif = resolve(sock, spec.opts.oif.as_ref()).await?;
        let req = delete_request(spec, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

verb! {
    /// Add the default route via `gateway` (`0.0.0.0/0` or `::/0` by its family) with
    /// `opts`.
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::add_default(&sock, "192.168.1.1", RouteOptions::default())?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add_default(sock, gateway: impl IntoIp, opts: RouteOptions) -> () {
        let spec = RouteSpec::default_via(gateway).options(opts);
        spec.validate()?;
        let oif = resolve(sock, spec.opts.oif.as_ref()).await?;
        let req = add_request(&spec, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), &spec))
    }
}

verb! {
    /// Delete the default route via `gateway` (narrowed by `opts`).
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::delete_default(&sock, "192.168.1.1", RouteOptions::default())?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete_default(sock, gateway: impl IntoIp, opts: RouteOptions) -> () {
        let spec = RouteSpec::default_via(gateway).options(opts);
        spec.validate()?;
        let oif = resolve(sock, spec.opts.oif.as_ref()).await?;
        let req = delete_request(&spec, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), &spec))
    }
}
