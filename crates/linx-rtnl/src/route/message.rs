//! The route message: the `struct rtmsg` header ([`RtMsg`]), the `RTA_*` attribute numbers,
//! and [`Route`], declared once with `typed_attrs!` (parse, emit, length and wire order all
//! come from that one table).
//!
//! # Contract
//! - `emit(parse(bytes)) == bytes` for every route message the kernel sends; unmodelled
//!   attributes and duplicates stay raw in [`Route::other`].
//! - [`Route::parse`] never panics and allocates only for unmodelled attributes.

use std::fmt;

use linx_ip::{Family, Ip, Subnet};
use linx_netlink_codec::{
    AttrWriter, DecodeCx, DecodeError, FixedHeader, MsgView, NlBuffer, RawAttrs, WireOrder, align,
    nl_header, typed_attrs,
};

pub use linx_netlink_codec::consts::{RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_TABLE};

use crate::codecs::{Addr, Via};
use crate::error::Error;
use crate::types::{Protocol, RouteType, Scope, TableName};

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
/// `RTA_MARK`: firewall mark (route lookups in [`get`](super::get)).
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
    /// `RTA_MARK`: firewall mark (in [`get`](super::get) replies when a mark was asked for).
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
        self.header().append(buf);
        self.emit_attrs(&mut AttrWriter::new(buf))?;
        Ok(())
    }

    /// The `rtmsg` header of this route.
    pub(super) fn header(&self) -> RtMsg {
        RtMsg {
            family: self.family,
            dst_len: self.dst_len,
            src_len: self.src_len,
            tos: self.tos,
            table: self.header_table,
            protocol: self.protocol.0,
            scope: self.scope.0,
            route_type: self.route_type.into(),
            flags: self.flags,
        }
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
