//! Value types shared by the rtnetlink objects: who installed a route or rule
//! ([`Protocol`]), how far its destination is ([`Scope`]), what it does ([`RouteType`]), how
//! a table is named ([`TableName`]), how a caller names a link ([`LinkRef`]) and a prefix
//! ([`IntoCidr`]), with the kernel constants behind them.
//!
//! Why a module of its own: routes, rules, addresses and links all use these, so they live in
//! a leaf module every object module may import, and object modules do not import each
//! other for them. The public paths are `linx_rtnl::route::*` (re-exported there).
//!
//! # Contract
//! - Every `u8` is a valid [`Protocol`], [`Scope`] and [`RouteType`] (unknown numbers are kept:
//!   `Protocol(76)`, `RouteType::Other(42)`); conversions to and from `u8` are lossless.
//! - Parsing names ([`Protocol`]'s `FromStr`, [`IntoCidr`]) never panics; bad input is an
//!   error value.
//! - [`Protocol`] is also its own attribute value codec (one byte, `FRA_PROTOCOL`).
//!
//! # See also
//! `<linux/rtnetlink.h>` (`RTN_*`, `RTPROT_*`, `RT_SCOPE_*`), iproute2's `rt_protos`.

use std::fmt;
use std::str::FromStr;

use linx_ip::{IntoIp, Ip, IpError, Subnet};
use linx_netlink_codec::{AttrValue, AttrWriter, DecodeError, EncodeError, NlBuffer};

use crate::error::Error;

/// `RTN_UNSPEC`: no type (a delete matching any type).
pub const RTN_UNSPEC: u8 = 0;
/// `RTN_UNICAST`: a gateway or direct route.
pub const RTN_UNICAST: u8 = 1;
/// `RTN_LOCAL`: accept locally.
pub const RTN_LOCAL: u8 = 2;
/// `RTN_BROADCAST`: accept locally as broadcast, send as broadcast.
pub const RTN_BROADCAST: u8 = 3;
/// `RTN_ANYCAST`: accept locally as broadcast, send as unicast.
pub const RTN_ANYCAST: u8 = 4;
/// `RTN_MULTICAST`: multicast route.
pub const RTN_MULTICAST: u8 = 5;
/// `RTN_BLACKHOLE`: drop silently.
pub const RTN_BLACKHOLE: u8 = 6;
/// `RTN_UNREACHABLE`: drop, answer ICMP host unreachable.
pub const RTN_UNREACHABLE: u8 = 7;
/// `RTN_PROHIBIT`: drop, answer ICMP communication prohibited.
pub const RTN_PROHIBIT: u8 = 8;
/// `RTN_THROW`: continue the lookup in the next rule's table.
pub const RTN_THROW: u8 = 9;
/// `RTN_NAT`: stateless NAT (obsolete).
pub const RTN_NAT: u8 = 10;
/// `RTN_XRESOLVE`: external resolver (not implemented by Linux).
pub const RTN_XRESOLVE: u8 = 11;

/// `RTPROT_UNSPEC`: unknown origin (in a delete or filter: any).
pub const RTPROT_UNSPEC: u8 = 0;
/// `RTPROT_REDIRECT`: installed by an ICMP redirect.
pub const RTPROT_REDIRECT: u8 = 1;
/// `RTPROT_KERNEL`: installed by the kernel (connected routes).
pub const RTPROT_KERNEL: u8 = 2;
/// `RTPROT_BOOT`: installed during boot; what `ip route add` uses.
pub const RTPROT_BOOT: u8 = 3;
/// `RTPROT_STATIC`: installed by the administrator.
pub const RTPROT_STATIC: u8 = 4;
/// `RTPROT_GATED`.
pub const RTPROT_GATED: u8 = 8;
/// `RTPROT_RA`: IPv6 router advertisement.
pub const RTPROT_RA: u8 = 9;
/// `RTPROT_MRT`: Merit MRT.
pub const RTPROT_MRT: u8 = 10;
/// `RTPROT_ZEBRA`.
pub const RTPROT_ZEBRA: u8 = 11;
/// `RTPROT_BIRD`.
pub const RTPROT_BIRD: u8 = 12;
/// `RTPROT_DNROUTED`.
pub const RTPROT_DNROUTED: u8 = 13;
/// `RTPROT_XORP`.
pub const RTPROT_XORP: u8 = 14;
/// `RTPROT_NTK`: Netsukuku.
pub const RTPROT_NTK: u8 = 15;
/// `RTPROT_DHCP`: a DHCP client.
pub const RTPROT_DHCP: u8 = 16;
/// `RTPROT_MROUTED`: multicast daemon.
pub const RTPROT_MROUTED: u8 = 17;
/// `RTPROT_KEEPALIVED`.
pub const RTPROT_KEEPALIVED: u8 = 18;
/// `RTPROT_BABEL`.
pub const RTPROT_BABEL: u8 = 42;
/// `RTPROT_OPENR`.
pub const RTPROT_OPENR: u8 = 99;
/// `RTPROT_BGP`.
pub const RTPROT_BGP: u8 = 186;
/// `RTPROT_ISIS`.
pub const RTPROT_ISIS: u8 = 187;
/// `RTPROT_OSPF`.
pub const RTPROT_OSPF: u8 = 188;
/// `RTPROT_RIP`.
pub const RTPROT_RIP: u8 = 189;
/// `RTPROT_EIGRP`.
pub const RTPROT_EIGRP: u8 = 192;

/// `RT_SCOPE_UNIVERSE`: reachable anywhere (gateway routes).
pub const RT_SCOPE_UNIVERSE: u8 = 0;
/// `RT_SCOPE_SITE`: interior to the site (IPv6).
pub const RT_SCOPE_SITE: u8 = 200;
/// `RT_SCOPE_LINK`: on the attached link (device routes).
pub const RT_SCOPE_LINK: u8 = 253;
/// `RT_SCOPE_HOST`: on this host (local routes).
pub const RT_SCOPE_HOST: u8 = 254;
/// `RT_SCOPE_NOWHERE`: no destination; in a delete, match any scope.
pub const RT_SCOPE_NOWHERE: u8 = 255;

/// `RTNL_FAMILY_IPMR`: IPv4 multicast routes (in `AF_UNSPEC` dumps).
pub const RTNL_FAMILY_IPMR: u8 = 128;
/// `RTNL_FAMILY_IP6MR`: IPv6 multicast routes.
pub const RTNL_FAMILY_IP6MR: u8 = 129;

/// Who installed a route (`rtm_protocol`, `RTPROT_*`): any number 0..=255 is valid, the
/// named ones are conventions. A reconciler tags its routes with its own number and then
/// manages only routes carrying it.
///
/// ```
/// use linx_rtnl::route::Protocol;
/// assert_eq!(Protocol::from(4), Protocol::STATIC);
/// assert_eq!("static".parse::<Protocol>().unwrap(), Protocol::STATIC);
/// assert_eq!("76".parse::<Protocol>().unwrap(), Protocol(76));
/// assert_eq!(Protocol(76).to_string(), "76");
/// assert_eq!(Protocol::BOOT.to_string(), "boot");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Protocol(pub u8);

impl Protocol {
    /// `RTPROT_UNSPEC` (0).
    pub const UNSPEC: Protocol = Protocol(RTPROT_UNSPEC);
    /// `RTPROT_REDIRECT` (1).
    pub const REDIRECT: Protocol = Protocol(RTPROT_REDIRECT);
    /// `RTPROT_KERNEL` (2).
    pub const KERNEL: Protocol = Protocol(RTPROT_KERNEL);
    /// `RTPROT_BOOT` (3): the default for routes added here and by `ip route add`.
    pub const BOOT: Protocol = Protocol(RTPROT_BOOT);
    /// `RTPROT_STATIC` (4).
    pub const STATIC: Protocol = Protocol(RTPROT_STATIC);
    /// `RTPROT_RA` (9).
    pub const RA: Protocol = Protocol(RTPROT_RA);
    /// `RTPROT_DHCP` (16).
    pub const DHCP: Protocol = Protocol(RTPROT_DHCP);

    const NAMES: &'static [(u8, &'static str)] = &[
        (RTPROT_UNSPEC, "unspec"),
        (RTPROT_REDIRECT, "redirect"),
        (RTPROT_KERNEL, "kernel"),
        (RTPROT_BOOT, "boot"),
        (RTPROT_STATIC, "static"),
        (RTPROT_GATED, "gated"),
        (RTPROT_RA, "ra"),
        (RTPROT_MRT, "mrt"),
        (RTPROT_ZEBRA, "zebra"),
        (RTPROT_BIRD, "bird"),
        (RTPROT_DNROUTED, "dnrouted"),
        (RTPROT_XORP, "xorp"),
        (RTPROT_NTK, "ntk"),
        (RTPROT_DHCP, "dhcp"),
        (RTPROT_MROUTED, "mrouted"),
        (RTPROT_KEEPALIVED, "keepalived"),
        (RTPROT_BABEL, "babel"),
        (RTPROT_OPENR, "openr"),
        (RTPROT_BGP, "bgp"),
        (RTPROT_ISIS, "isis"),
        (RTPROT_OSPF, "ospf"),
        (RTPROT_RIP, "rip"),
        (RTPROT_EIGRP, "eigrp"),
    ];

    /// The kernel header's name (`"kernel"`, `"static"`, `"bird"` ...), if it has one; these
    /// are also iproute2's `rt_protos` names.
    ///
    /// ```
    /// use linx_rtnl::route::Protocol;
    /// assert_eq!(Protocol(2).name(), Some("kernel"));
    /// assert_eq!(Protocol(76).name(), None);
    /// ```
    pub fn name(self) -> Option<&'static str> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == self.0)
            .map(|(_, s)| *s)
    }
}

impl From<u8> for Protocol {
    fn from(v: u8) -> Self {
        Protocol(v)
    }
}

impl From<Protocol> for u8 {
    fn from(v: Protocol) -> u8 {
        v.0
    }
}

impl FromStr for Protocol {
    type Err = Error;
    /// A name from [`Protocol::name`] or a number 0..=255.
    fn from_str(s: &str) -> Result<Self, Error> {
        if let Some((n, _)) = Self::NAMES.iter().find(|(_, name)| *name == s) {
            return Ok(Protocol(*n));
        }
        s.parse::<u8>().map(Protocol).map_err(|_| Error::BadOption {
            name: "protocol",
            value: format!("{s:?} (a name such as \"static\" or a number 0..=255)"),
        })
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Protocol({self})")
    }
}

/// One byte on the wire (`FRA_PROTOCOL`).
impl AttrValue for Protocol {
    const CODEC: &'static str = "u8";
    #[inline]
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        u8::parse_value(p).map(Protocol)
    }
    fn value_len(_: &Self) -> usize {
        1
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(&[v.0]);
        Ok(())
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &Self,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_u8(raw_type, v.0)
    }
}

/// How far away a route's destination is (`rtm_scope`, `RT_SCOPE_*`). Any number is valid;
/// the named ones are the kernel's.
///
/// ```
/// use linx_rtnl::route::Scope;
/// assert_eq!(Scope::from(253), Scope::LINK);
/// assert_eq!(Scope::LINK.to_string(), "link");
/// assert_eq!(Scope::UNIVERSE.to_string(), "global"); // as ip(8) names it
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Scope(pub u8);

impl Scope {
    /// `RT_SCOPE_UNIVERSE` (0): gateway routes.
    pub const UNIVERSE: Scope = Scope(RT_SCOPE_UNIVERSE);
    /// `RT_SCOPE_SITE` (200).
    pub const SITE: Scope = Scope(RT_SCOPE_SITE);
    /// `RT_SCOPE_LINK` (253): directly attached.
    pub const LINK: Scope = Scope(RT_SCOPE_LINK);
    /// `RT_SCOPE_HOST` (254): this host.
    pub const HOST: Scope = Scope(RT_SCOPE_HOST);
    /// `RT_SCOPE_NOWHERE` (255): in a delete, any scope.
    pub const NOWHERE: Scope = Scope(RT_SCOPE_NOWHERE);

    /// iproute2's name (`"global"`, `"site"`, `"link"`, `"host"`, `"nowhere"`).
    ///
    /// ```
    /// assert_eq!(linx_rtnl::route::Scope::HOST.name(), Some("host"));
    /// ```
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            RT_SCOPE_UNIVERSE => "global",
            RT_SCOPE_SITE => "site",
            RT_SCOPE_LINK => "link",
            RT_SCOPE_HOST => "host",
            RT_SCOPE_NOWHERE => "nowhere",
            _ => return None,
        })
    }
}

impl From<u8> for Scope {
    fn from(v: u8) -> Self {
        Scope(v)
    }
}

impl From<Scope> for u8 {
    fn from(v: Scope) -> u8 {
        v.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({self})")
    }
}

/// What a route does with a packet (`rtm_type`, `RTN_*`).
///
/// ```
/// use linx_rtnl::route::RouteType;
/// assert_eq!(RouteType::from(6), RouteType::Blackhole);
/// assert_eq!(u8::from(RouteType::Prohibit), 8);
/// assert_eq!(RouteType::Unreachable.to_string(), "unreachable");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum RouteType {
    /// `RTN_UNSPEC` (0).
    #[default]
    Unspec,
    /// `RTN_UNICAST` (1): forward to a gateway or a directly attached host.
    Unicast,
    /// `RTN_LOCAL` (2): deliver locally.
    Local,
    /// `RTN_BROADCAST` (3).
    Broadcast,
    /// `RTN_ANYCAST` (4).
    Anycast,
    /// `RTN_MULTICAST` (5).
    Multicast,
    /// `RTN_BLACKHOLE` (6): drop silently.
    Blackhole,
    /// `RTN_UNREACHABLE` (7): drop with ICMP unreachable.
    Unreachable,
    /// `RTN_PROHIBIT` (8): drop with ICMP prohibited.
    Prohibit,
    /// `RTN_THROW` (9): fail this table's lookup, continue with the next rule.
    Throw,
    /// `RTN_NAT` (10).
    Nat,
    /// `RTN_XRESOLVE` (11).
    Xresolve,
    /// A value not listed above.
    Other(u8),
}

impl From<u8> for RouteType {
    fn from(v: u8) -> Self {
        match v {
            RTN_UNSPEC => Self::Unspec,
            RTN_UNICAST => Self::Unicast,
            RTN_LOCAL => Self::Local,
            RTN_BROADCAST => Self::Broadcast,
            RTN_ANYCAST => Self::Anycast,
            RTN_MULTICAST => Self::Multicast,
            RTN_BLACKHOLE => Self::Blackhole,
            RTN_UNREACHABLE => Self::Unreachable,
            RTN_PROHIBIT => Self::Prohibit,
            RTN_THROW => Self::Throw,
            RTN_NAT => Self::Nat,
            RTN_XRESOLVE => Self::Xresolve,
            n => Self::Other(n),
        }
    }
}

impl From<RouteType> for u8 {
    fn from(v: RouteType) -> u8 {
        match v {
            RouteType::Unspec => RTN_UNSPEC,
            RouteType::Unicast => RTN_UNICAST,
            RouteType::Local => RTN_LOCAL,
            RouteType::Broadcast => RTN_BROADCAST,
            RouteType::Anycast => RTN_ANYCAST,
            RouteType::Multicast => RTN_MULTICAST,
            RouteType::Blackhole => RTN_BLACKHOLE,
            RouteType::Unreachable => RTN_UNREACHABLE,
            RouteType::Prohibit => RTN_PROHIBIT,
            RouteType::Throw => RTN_THROW,
            RouteType::Nat => RTN_NAT,
            RouteType::Xresolve => RTN_XRESOLVE,
            RouteType::Other(n) => n,
        }
    }
}

impl RouteType {
    /// iproute2's name (`"unicast"`, `"blackhole"` ...).
    ///
    /// ```
    /// assert_eq!(linx_rtnl::route::RouteType::Local.name(), Some("local"));
    /// ```
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::Unspec => "unspec",
            Self::Unicast => "unicast",
            Self::Local => "local",
            Self::Broadcast => "broadcast",
            Self::Anycast => "anycast",
            Self::Multicast => "multicast",
            Self::Blackhole => "blackhole",
            Self::Unreachable => "unreachable",
            Self::Prohibit => "prohibit",
            Self::Throw => "throw",
            Self::Nat => "nat",
            Self::Xresolve => "xresolve",
            Self::Other(_) => return None,
        })
    }
}

impl fmt::Display for RouteType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", u8::from(*self)),
        }
    }
}

/// A routing table id as iproute2 prints it: `main`, `local`, `default`, or the number.
///
/// ```
/// use linx_rtnl::route::TableName;
/// assert_eq!(TableName(254).to_string(), "main");
/// assert_eq!(TableName(100).to_string(), "100");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableName(pub u32);

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("unspec"),
            253 => f.write_str("default"),
            254 => f.write_str("main"),
            255 => f.write_str("local"),
            n => write!(f, "{n}"),
        }
    }
}

/// A link named by the caller: its name (resolved to an index before sending; `ENODEV`
/// reads `no such interface "x"`) or its index.
///
/// ```
/// use linx_rtnl::route::LinkRef;
/// assert_eq!(LinkRef::from("eth0"), LinkRef::Name("eth0".into()));
/// assert_eq!(LinkRef::from(2), LinkRef::Index(2));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LinkRef {
    /// By name.
    Name(String),
    /// By interface index.
    Index(u32),
}

impl From<&str> for LinkRef {
    fn from(v: &str) -> Self {
        LinkRef::Name(v.to_owned())
    }
}

impl From<String> for LinkRef {
    fn from(v: String) -> Self {
        LinkRef::Name(v)
    }
}

impl From<&String> for LinkRef {
    fn from(v: &String) -> Self {
        LinkRef::Name(v.clone())
    }
}

impl From<u32> for LinkRef {
    fn from(v: u32) -> Self {
        LinkRef::Index(v)
    }
}

impl fmt::Display for LinkRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkRef::Name(n) => f.write_str(n),
            LinkRef::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A prefix selector: a [`Subnet`], or a bare address meaning its full-width prefix
/// (`"10.0.0.1"` is `10.0.0.1/32`), as `ip route` and `ip rule` read them.
///
/// Implemented for `Subnet`, `&Subnet`, `Ip`, `&Ip`, `&str`, `String`, `&String`,
/// `std::net::{IpAddr, Ipv4Addr, Ipv6Addr}` and `(T, u8)` for any `T: IntoIp`.
///
/// ```
/// use linx_rtnl::route::IntoCidr;
/// assert_eq!("10.0.0.0/8".into_cidr()?.prefix(), 8);
/// assert_eq!("10.0.0.1".into_cidr()?.prefix(), 32);
/// assert_eq!("fd00::1".into_cidr()?.prefix(), 128);
/// assert!("10.0.0.0/33".into_cidr().is_err());
/// # Ok::<(), linx_ip::IpError>(())
/// ```
pub trait IntoCidr {
    /// Convert; a string with `/` must be a valid subnet, one without a valid address.
    fn into_cidr(self) -> Result<Subnet, IpError>;
}

impl IntoCidr for &str {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        if self.contains('/') {
            self.parse()
        } else {
            self.parse::<Ip>().map(Subnet::host)
        }
    }
}

impl IntoCidr for String {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        self.as_str().into_cidr()
    }
}

impl IntoCidr for &String {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        self.as_str().into_cidr()
    }
}

impl IntoCidr for Subnet {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Ok(self)
    }
}

impl IntoCidr for &Subnet {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Ok(*self)
    }
}

impl IntoCidr for Ip {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Ok(Subnet::host(self))
    }
}

impl IntoCidr for &Ip {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Ok(Subnet::host(*self))
    }
}

impl IntoCidr for std::net::IpAddr {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Ok(Subnet::host(self.into()))
    }
}

impl IntoCidr for std::net::Ipv4Addr {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Ok(Subnet::host(self.into()))
    }
}

impl IntoCidr for std::net::Ipv6Addr {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Ok(Subnet::host(self.into()))
    }
}

impl<T: IntoIp> IntoCidr for (T, u8) {
    fn into_cidr(self) -> Result<Subnet, IpError> {
        Subnet::new(self.0.into_ip()?, self.1)
    }
}
