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
//! one [`Subnet`] (or its string form) and the family comes from it; a prefix too long for the
//! family is refused before anything is sent. The request bytes are built by pure functions
//! ([`add_request`], [`replace_request`], [`delete_request`]) that the verbs call, so the exact
//! bytes are tested without a kernel, against what iproute2 sends for the same command.
//!
//! # Contract
//! - Input is validated before any message (the name lookup included) is sent: a bad subnet
//!   is [`Error::Ip`], a broadcast of the other family [`Error::FamilyMismatch`], a bad label
//!   or lifetime [`Error::BadOption`]. Kernel refusals (`EEXIST` on a duplicate `add`,
//!   `EADDRNOTAVAIL` on deleting a missing address) are [`Error::Netlink`] with the kernel's
//!   text; an unknown link name reads `no such interface "x"`.
//! - Requests match iproute2's: `IFA_LOCAL` and `IFA_ADDRESS` both carry the address (v4 and
//!   v6), flags up to `0xff` ride the header byte and larger sets `IFA_FLAGS`, lifetimes
//!   `IFA_CACHEINFO`.
//! - [`Address`] decoding is lossless: typed fields for the modelled attributes (address
//!   values typed for `AF_INET`/`AF_INET6`, any other family keeps every attribute raw), the
//!   rest in [`Address::other`]. [`Address::emit`] writes the typed attributes in the order
//!   the kernel does for the family (`inet_fill_ifaddr` / `inet6_fill_ifaddr`), then `other`,
//!   so `emit(parse(bytes)) == bytes` for what the kernel sends.
//! - Parsing never panics and allocates only for the label, unmodelled attributes and
//!   oversized cache info.
//! - Out of scope: peer (point-to-point) addresses in requests, `IFA_RT_PRIORITY`/`IFA_PROTO`
//!   in requests (both decode), multicast/anycast dumps (`RTM_GETMULTICAST`/`RTM_GETANYCAST`).
//!
//! # See also
//! rtnetlink(7), ip-address(8), `<linux/if_addr.h>`.

use linx_netlink_codec::Dumped;
use std::fmt;

use linx_ip::{Family, IntoIp, IntoSubnet, Ip, IpError, Subnet};
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    AttrIter, AttrWriter, Call, DecodeError, FixedHeader, MsgView, NlBuffer, RawAttrs, Request,
    nl_header,
};

use crate::decode::{first, ip_val, val};
use crate::error::{Error, on_link};
use crate::link::index_of;
use crate::verb::verb;

/// `IFA_ADDRESS`: the prefix address (the peer on point-to-point links; else the address).
pub const IFA_ADDRESS: u16 = 1;
/// `IFA_LOCAL`: the interface's own address.
pub const IFA_LOCAL: u16 = 2;
/// `IFA_LABEL`: IPv4 label (`eth0:1`), a NUL-terminated string of at most 15 bytes.
pub const IFA_LABEL: u16 = 3;
/// `IFA_BROADCAST`: IPv4 broadcast address.
pub const IFA_BROADCAST: u16 = 4;
/// `IFA_ANYCAST`: anycast address (IPv6 anycast dumps).
pub const IFA_ANYCAST: u16 = 5;
/// `IFA_CACHEINFO`: `struct ifa_cacheinfo` (lifetimes and timestamps).
pub const IFA_CACHEINFO: u16 = 6;
/// `IFA_MULTICAST`: multicast group address (multicast dumps).
pub const IFA_MULTICAST: u16 = 7;
/// `IFA_FLAGS`: u32 `IFA_F_*` flags (the header byte holds only the low 8 bits).
pub const IFA_FLAGS: u16 = 8;
/// `IFA_RT_PRIORITY`: u32 metric of the prefix route.
pub const IFA_RT_PRIORITY: u16 = 9;
/// `IFA_TARGET_NETNSID`: s32 namespace id (dump requests into another namespace).
pub const IFA_TARGET_NETNSID: u16 = 10;
/// `IFA_PROTO`: u8 protocol that installed the address (`IFAPROT_*`).
pub const IFA_PROTO: u16 = 11;
/// `INFINITY_LIFE_TIME`: a lifetime that never expires ("forever").
pub const INFINITY_LIFE_TIME: u32 = 0xFFFF_FFFF;
/// `IFNAMSIZ`: labels are at most 15 bytes plus the NUL.
const IFNAMSIZ: usize = 16;

nl_header! {
    /// `struct ifaddrmsg` (`<linux/if_addr.h>`).
    ///
    /// ```
    /// use linx_netlink_codec::FixedHeader;
    /// use linx_rtnl::addr::IfAddrMsg;
    /// let h = IfAddrMsg::parse(&[10, 64, 0x80, 0, 1, 0, 0, 0]).unwrap();
    /// assert_eq!((h.family, h.prefix_len, h.flags), (10, 64, 0x80));
    /// ```
    pub struct IfAddrMsg[8] {
        /// `ifa_family`: `AF_INET` or `AF_INET6` (`AF_UNSPEC` in a dump of both).
        pub family: u8 [0] ne,
        /// `ifa_prefixlen`: prefix length of the address.
        pub prefix_len: u8 [1] ne,
        /// `ifa_flags`: the low 8 bits of the `IFA_F_*` flags.
        pub flags: u8 [2] ne,
        /// `ifa_scope`: `RT_SCOPE_*`.
        pub scope: u8 [3] ne,
        /// `ifa_index`: interface index (in a dump request: only this link's addresses).
        pub index: u32 [4] ne,
    }
}

// ------------------------------------------------------------------------------- values

/// A set of `IFA_F_*` address flags. Unknown bits are kept.
///
/// ```
/// use linx_rtnl::addr::AddrFlags;
/// let f = AddrFlags::NODAD | AddrFlags::NOPREFIXROUTE;
/// assert!(f.contains(AddrFlags::NODAD));
/// assert_eq!(f.bits(), 0x202);
/// assert_eq!(f.to_string(), "nodad noprefixroute");
/// assert_eq!(AddrFlags::from_bits(0x1_0000).to_string(), "0x10000");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AddrFlags(u32);

/// Flag bits with the names iproute2 prints.
const ADDR_FLAG_NAMES: [(u32, &str); 12] = [
    (0x01, "secondary"),
    (0x02, "nodad"),
    (0x04, "optimistic"),
    (0x08, "dadfailed"),
    (0x10, "home"),
    (0x20, "deprecated"),
    (0x40, "tentative"),
    (0x80, "permanent"),
    (0x100, "mngtmpaddr"),
    (0x200, "noprefixroute"),
    (0x400, "autojoin"),
    (0x800, "stable-privacy"),
];

impl AddrFlags {
    /// `IFA_F_SECONDARY` (0x01): an IPv4 address that is not the first of its subnet.
    pub const SECONDARY: AddrFlags = AddrFlags(0x01);
    /// `IFA_F_TEMPORARY` (0x01, same bit as secondary): an IPv6 privacy address.
    pub const TEMPORARY: AddrFlags = AddrFlags(0x01);
    /// `IFA_F_NODAD` (0x02): skip IPv6 duplicate address detection (usable at once).
    pub const NODAD: AddrFlags = AddrFlags(0x02);
    /// `IFA_F_OPTIMISTIC` (0x04): IPv6 optimistic DAD (RFC 4429).
    pub const OPTIMISTIC: AddrFlags = AddrFlags(0x04);
    /// `IFA_F_DADFAILED` (0x08): duplicate address detection failed.
    pub const DADFAILED: AddrFlags = AddrFlags(0x08);
    /// `IFA_F_HOMEADDRESS` (0x10): Mobile IPv6 home address.
    pub const HOMEADDRESS: AddrFlags = AddrFlags(0x10);
    /// `IFA_F_DEPRECATED` (0x20): preferred lifetime over; not used for new connections.
    pub const DEPRECATED: AddrFlags = AddrFlags(0x20);
    /// `IFA_F_TENTATIVE` (0x40): DAD still running; the address is not usable yet.
    pub const TENTATIVE: AddrFlags = AddrFlags(0x40);
    /// `IFA_F_PERMANENT` (0x80): configured, not learned (no expiry managed by the kernel).
    pub const PERMANENT: AddrFlags = AddrFlags(0x80);
    /// `IFA_F_MANAGETEMPADDR` (0x100): the kernel creates privacy addresses from this /64.
    pub const MANAGETEMPADDR: AddrFlags = AddrFlags(0x100);
    /// `IFA_F_NOPREFIXROUTE` (0x200): do not install the prefix route for this address.
    pub const NOPREFIXROUTE: AddrFlags = AddrFlags(0x200);
    /// `IFA_F_MCAUTOJOIN` (0x400): join the multicast group (multicast addresses).
    pub const MCAUTOJOIN: AddrFlags = AddrFlags(0x400);
    /// `IFA_F_STABLE_PRIVACY` (0x800): RFC 7217 stable privacy address.
    pub const STABLE_PRIVACY: AddrFlags = AddrFlags(0x800);

    /// No flags.
    ///
    /// ```
    /// assert!(linx_rtnl::addr::AddrFlags::empty().is_empty());
    /// ```
    pub const fn empty() -> AddrFlags {
        AddrFlags(0)
    }

    /// The set with exactly these bits (unknown bits included).
    ///
    /// ```
    /// use linx_rtnl::addr::AddrFlags;
    /// assert_eq!(AddrFlags::from_bits(0x02), AddrFlags::NODAD);
    /// ```
    pub const fn from_bits(bits: u32) -> AddrFlags {
        AddrFlags(bits)
    }

    /// The raw bits.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::addr::AddrFlags::PERMANENT.bits(), 0x80);
    /// ```
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set.
    ///
    /// ```
    /// use linx_rtnl::addr::AddrFlags;
    /// assert!(!AddrFlags::NODAD.contains(AddrFlags::NODAD | AddrFlags::HOMEADDRESS));
    /// ```
    pub const fn contains(self, other: AddrFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no bit is set.
    ///
    /// ```
    /// assert!(!linx_rtnl::addr::AddrFlags::NODAD.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for AddrFlags {
    type Output = AddrFlags;
    fn bitor(self, rhs: AddrFlags) -> AddrFlags {
        AddrFlags(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for AddrFlags {
    fn bitor_assign(&mut self, rhs: AddrFlags) {
        self.0 |= rhs.0;
    }
}

impl From<u32> for AddrFlags {
    fn from(v: u32) -> Self {
        AddrFlags(v)
    }
}

impl From<AddrFlags> for u32 {
    fn from(v: AddrFlags) -> u32 {
        v.0
    }
}

/// The names iproute2 prints, space-separated; unknown bits as one hex number.
impl fmt::Display for AddrFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        let mut sep = "";
        for (bit, name) in ADDR_FLAG_NAMES {
            if rest & bit != 0 {
                write!(f, "{sep}{name}")?;
                sep = " ";
                rest &= !bit;
            }
        }
        if rest != 0 {
            write!(f, "{sep}{rest:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for AddrFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AddrFlags({self})")
    }
}

/// `ifa_scope`: how far the address is valid (`RT_SCOPE_*`, `<linux/rtnetlink.h>`).
///
/// ```
/// use linx_rtnl::addr::AddrScope;
/// assert_eq!(AddrScope::from(253), AddrScope::Link);
/// assert_eq!(u8::from(AddrScope::Host), 254);
/// assert_eq!(AddrScope::Other(7).to_string(), "7");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum AddrScope {
    /// `RT_SCOPE_UNIVERSE` (0): global, printed `global` by iproute2.
    #[default]
    Universe,
    /// `RT_SCOPE_SITE` (200): site-local.
    Site,
    /// `RT_SCOPE_LINK` (253): valid on this link only.
    Link,
    /// `RT_SCOPE_HOST` (254): valid on this host only (loopback).
    Host,
    /// `RT_SCOPE_NOWHERE` (255): not a destination.
    Nowhere,
    /// A value this crate does not name.
    Other(u8),
}

impl From<u8> for AddrScope {
    fn from(v: u8) -> Self {
        match v {
            0 => AddrScope::Universe,
            200 => AddrScope::Site,
            253 => AddrScope::Link,
            254 => AddrScope::Host,
            255 => AddrScope::Nowhere,
            n => AddrScope::Other(n),
        }
    }
}

impl From<AddrScope> for u8 {
    fn from(v: AddrScope) -> u8 {
        match v {
            AddrScope::Universe => 0,
            AddrScope::Site => 200,
            AddrScope::Link => 253,
            AddrScope::Host => 254,
            AddrScope::Nowhere => 255,
            AddrScope::Other(n) => n,
        }
    }
}

/// The name `ip -j addr` prints in `"scope"` (`global`, `link`, `host` ...; a number when
/// unnamed).
impl fmt::Display for AddrScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrScope::Universe => f.write_str("global"),
            AddrScope::Site => f.write_str("site"),
            AddrScope::Link => f.write_str("link"),
            AddrScope::Host => f.write_str("host"),
            AddrScope::Nowhere => f.write_str("nowhere"),
            AddrScope::Other(n) => write!(f, "{n}"),
        }
    }
}

/// `struct ifa_cacheinfo` (`IFA_CACHEINFO`): lifetimes in seconds and timestamps in
/// hundredths of a second since boot.
///
/// ```text
///  0                4             8         12        16
/// +----------------+-------------+---------+---------+
/// | ifa_prefered   | ifa_valid   | cstamp  | tstamp  |   u32 each, host order
/// +----------------+-------------+---------+---------+
/// ```
///
/// ```
/// use linx_rtnl::addr::CacheInfo;
/// let c = CacheInfo::parse(&[50, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
/// # #[cfg(target_endian = "little")]
/// assert_eq!((c.preferred, c.valid), (50, 100));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct CacheInfo {
    /// `ifa_prefered`: seconds left as preferred ([`INFINITY_LIFE_TIME`] = forever).
    pub preferred: u32,
    /// `ifa_valid`: seconds left as valid ([`INFINITY_LIFE_TIME`] = forever).
    pub valid: u32,
    /// `cstamp`: creation time, hundredths of a second since boot.
    pub cstamp: u32,
    /// `tstamp`: last update time, hundredths of a second since boot.
    pub tstamp: u32,
    /// Bytes past the 16 this crate knows (a newer kernel's longer struct), kept for re-emit.
    pub rest: Vec<u8>,
}

impl CacheInfo {
    /// Size of the struct this crate knows.
    pub const LEN: usize = 16;

    /// Decode the payload of `IFA_CACHEINFO`; longer payloads keep their tail in
    /// [`rest`](Self::rest), shorter ones are an error.
    ///
    /// ```
    /// assert!(linx_rtnl::addr::CacheInfo::parse(&[0; 15]).is_err());
    /// ```
    pub fn parse(p: &[u8]) -> Result<CacheInfo, DecodeError> {
        if p.len() < Self::LEN {
            return Err(DecodeError::truncated(
                "ifa_cacheinfo",
                0,
                Self::LEN,
                p.len(),
            ));
        }
        let u = |i: usize| u32::from_ne_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]]);
        Ok(CacheInfo {
            preferred: u(0),
            valid: u(4),
            cstamp: u(8),
            tstamp: u(12),
            rest: p[Self::LEN..].to_vec(),
        })
    }

    /// The encoded payload.
    ///
    /// ```
    /// use linx_rtnl::addr::CacheInfo;
    /// let c = CacheInfo { preferred: 1, valid: 2, ..Default::default() };
    /// assert_eq!(CacheInfo::parse(&c.to_bytes()).unwrap(), c);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN + self.rest.len());
        for v in [self.preferred, self.valid, self.cstamp, self.tstamp] {
            b.extend_from_slice(&v.to_ne_bytes());
        }
        b.extend_from_slice(&self.rest);
        b
    }
}

/// An interface address as the kernel reports it (`RTM_NEWADDR`).
///
/// `{}` and `{:?}` print the short form `Address<10.0.0.1/24 dev 2>`; `{:#?}` every field.
///
/// ```
/// use linx_rtnl::addr::Address;
/// let a = Address {
///     family: 2,
///     prefix_len: 24,
///     index: 2,
///     local: Some("10.0.0.1".parse().unwrap()),
///     address: Some("10.0.0.1".parse().unwrap()),
///     ..Default::default()
/// };
/// assert_eq!(a.to_string(), "Address<10.0.0.1/24 dev 2>");
/// assert_eq!(a.subnet().unwrap().to_string(), "10.0.0.1/24");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// `ifa_family`: `AF_INET` (2) or `AF_INET6` (10).
    pub family: u8,
    /// `ifa_prefixlen`.
    pub prefix_len: u8,
    /// `ifa_flags`: the header's flag byte as received (the low 8 bits of
    /// [`ifa_flags`](Self::ifa_flags) from any kernel since 3.14). See [`flags`](Self::flags).
    pub header_flags: u8,
    /// `ifa_scope`.
    pub scope: AddrScope,
    /// `ifa_index`: the interface.
    pub index: u32,
    /// `IFA_ADDRESS`: the prefix address; the peer on point-to-point links.
    pub address: Option<Ip>,
    /// `IFA_LOCAL`: the interface's own address (IPv4 always; IPv6 only with a peer).
    pub local: Option<Ip>,
    /// `IFA_BROADCAST` (IPv4).
    pub broadcast: Option<Ip>,
    /// `IFA_ANYCAST`.
    pub anycast: Option<Ip>,
    /// `IFA_MULTICAST`.
    pub multicast: Option<Ip>,
    /// `IFA_LABEL` (IPv4; the kernel reports the link name when none was set). A label that
    /// is not one NUL-terminated UTF-8 string stays in [`other`](Self::other).
    pub label: Option<String>,
    /// `IFA_PROTO`: who installed the address (`IFAPROT_*`; 0 = unspecified, not sent).
    pub proto: Option<u8>,
    /// `IFA_FLAGS`: the full 32-bit flag set. See [`flags`](Self::flags).
    pub ifa_flags: Option<AddrFlags>,
    /// `IFA_RT_PRIORITY`: metric of the prefix route.
    pub rt_priority: Option<u32>,
    /// `IFA_CACHEINFO`: lifetimes and timestamps.
    pub cacheinfo: Option<CacheInfo>,
    /// Every other attribute (and later duplicates), as received.
    pub other: RawAttrs,
}

// ------------------------------------------------------------------------------- decoding

/// A NUL-terminated UTF-8 string that re-encodes to exactly the same bytes.
fn exact_str(p: &[u8]) -> Option<&str> {
    match p.split_last() {
        Some((0, s)) if !s.contains(&0) => std::str::from_utf8(s).ok(),
        _ => None,
    }
}

impl Address {
    /// Decode an `RTM_NEWADDR` / `RTM_DELADDR` payload (after `nlmsghdr`).
    ///
    /// ```
    /// use linx_rtnl::addr::Address;
    /// // ifaddrmsg {AF_INET, /8, flags 0x80, scope host, index 1}, IFA_LOCAL 127.0.0.1
    /// let mut p = vec![2, 8, 0x80, 254];
    /// p.extend_from_slice(&1u32.to_ne_bytes());
    /// p.extend_from_slice(&8u16.to_ne_bytes());
    /// p.extend_from_slice(&2u16.to_ne_bytes());
    /// p.extend_from_slice(&[127, 0, 0, 1]);
    /// let a = Address::parse(&p).unwrap();
    /// assert_eq!(a.to_string(), "Address<127.0.0.1/8 dev 1 scope host permanent>");
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Address, DecodeError> {
        let h = IfAddrMsg::parse(payload)?;
        let mut a = Address {
            family: h.family,
            prefix_len: h.prefix_len,
            header_flags: h.flags,
            scope: h.scope.into(),
            index: h.index,
            ..Default::default()
        };
        let ip_len = match h.family {
            AF_INET => Some(4),
            AF_INET6 => Some(16),
            _ => None,
        };
        let base = IfAddrMsg::LEN;
        for at in AttrIter::new(&payload[base..]) {
            let at = at.map_err(|mut e| {
                e.offset += base;
                e
            })?;
            let o = &mut a.other;
            let Some(len) = ip_len else {
                o.push(&at);
                continue;
            };
            // Match the type field as received: a known type with flag bits set stays raw,
            // so it re-emits with its bits.
            match at.raw_type() {
                IFA_ADDRESS => first(&mut a.address, ip_val(&at, base, len)?, &at, o),
                IFA_LOCAL => first(&mut a.local, ip_val(&at, base, len)?, &at, o),
                IFA_BROADCAST => first(&mut a.broadcast, ip_val(&at, base, len)?, &at, o),
                IFA_ANYCAST => first(&mut a.anycast, ip_val(&at, base, len)?, &at, o),
                IFA_MULTICAST => first(&mut a.multicast, ip_val(&at, base, len)?, &at, o),
                IFA_LABEL => match exact_str(at.payload()) {
                    Some(s) if a.label.is_none() => a.label = Some(s.to_owned()),
                    _ => o.push(&at),
                },
                IFA_PROTO => first(&mut a.proto, val(&at, base)?, &at, o),
                IFA_FLAGS => first(&mut a.ifa_flags, AddrFlags(val(&at, base)?), &at, o),
                IFA_RT_PRIORITY => first(&mut a.rt_priority, val(&at, base)?, &at, o),
                IFA_CACHEINFO => {
                    let c = CacheInfo::parse(at.payload())
                        .map_err(|e| e.within(at.kind(), base + at.offset() + 4))?;
                    first(&mut a.cacheinfo, c, &at, o)
                }
                _ => o.push(&at),
            }
        }
        Ok(a)
    }

    /// Decode a reply message (`RTM_NEWADDR`).
    ///
    /// ```
    /// use linx_netlink_codec::{MsgView, MsgWriter, consts::RTM_NEWADDR};
    /// let mut buf = Vec::new();
    /// let mut w = MsgWriter::begin(&mut buf, RTM_NEWADDR, 0, 1);
    /// w.put_bytes(&[10, 64, 0, 0, 2, 0, 0, 0]);
    /// w.finish().unwrap();
    /// let a = linx_rtnl::addr::Address::from_msg(&MsgView::new_checked(&buf).unwrap()).unwrap();
    /// assert_eq!((a.family, a.prefix_len), (10, 64));
    /// ```
    pub fn from_msg(m: &MsgView<'_>) -> Result<Address, DecodeError> {
        Address::parse(m.payload())
    }

    /// The interface's own address: `IFA_LOCAL` when present, else `IFA_ADDRESS`.
    ///
    /// ```
    /// let a = linx_rtnl::addr::Address { address: Some("::1".parse().unwrap()), ..Default::default() };
    /// assert_eq!(a.ip().unwrap().to_string(), "::1");
    /// ```
    pub fn ip(&self) -> Option<Ip> {
        self.local.or(self.address)
    }

    /// The peer of a point-to-point address: `IFA_ADDRESS` when it differs from `IFA_LOCAL`.
    ///
    /// ```
    /// let a = linx_rtnl::addr::Address {
    ///     local: Some("10.0.0.1".parse().unwrap()),
    ///     address: Some("10.0.0.2".parse().unwrap()),
    ///     ..Default::default()
    /// };
    /// assert_eq!(a.peer().unwrap().to_string(), "10.0.0.2");
    /// ```
    pub fn peer(&self) -> Option<Ip> {
        match (self.local, self.address) {
            (Some(l), Some(a)) if l != a => Some(a),
            _ => None,
        }
    }

    /// [`ip`](Self::ip) with [`prefix_len`](Self::prefix_len) (`None` if absent or the prefix
    /// is too long for the family).
    ///
    /// ```
    /// let a = linx_rtnl::addr::Address {
    ///     prefix_len: 64,
    ///     address: Some("fd00::1".parse().unwrap()),
    ///     ..Default::default()
    /// };
    /// assert_eq!(a.subnet().unwrap().to_string(), "fd00::1/64");
    /// ```
    pub fn subnet(&self) -> Option<Subnet> {
        Subnet::new(self.ip()?, self.prefix_len).ok()
    }

    /// The flags: `IFA_FLAGS` when present, else the header byte.
    ///
    /// ```
    /// use linx_rtnl::addr::{Address, AddrFlags};
    /// let a = Address { header_flags: 0x80, ..Default::default() };
    /// assert_eq!(a.flags(), AddrFlags::PERMANENT);
    /// ```
    pub fn flags(&self) -> AddrFlags {
        self.ifa_flags
            .unwrap_or(AddrFlags(u32::from(self.header_flags)))
    }

    /// Length of [`emit`](Self::emit)'s output.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::addr::Address::default().buffer_len(), 8);
    /// ```
    pub fn buffer_len(&self) -> usize {
        let attr = |len: usize| linx_netlink_codec::align(4 + len);
        let ips = [
            self.address,
            self.local,
            self.broadcast,
            self.anycast,
            self.multicast,
        ];
        IfAddrMsg::LEN
            + ips
                .iter()
                .flatten()
                .map(|ip| attr(ip.as_bytes().len()))
                .sum::<usize>()
            + self.label.as_ref().map_or(0, |l| attr(l.len() + 1))
            + self.proto.map_or(0, |_| attr(1))
            + self.ifa_flags.map_or(0, |_| attr(4))
            + self.rt_priority.map_or(0, |_| attr(4))
            + self
                .cacheinfo
                .as_ref()
                .map_or(0, |c| attr(CacheInfo::LEN + c.rest.len()))
            + self.other.as_bytes().len()
    }

    /// Append the encoded payload (ifaddrmsg + attributes): the typed attributes in the
    /// kernel's order for the family, then [`other`](Self::other) unchanged.
    ///
    /// ```
    /// use linx_rtnl::addr::Address;
    /// let a = Address { family: 2, prefix_len: 24, index: 3,
    ///     local: Some("10.0.0.1".parse().unwrap()), ..Default::default() };
    /// let mut buf = Vec::new();
    /// a.emit(&mut buf).unwrap();
    /// assert_eq!(Address::parse(&buf).unwrap(), a);
    /// ```
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), Error> {
        let h = IfAddrMsg {
            family: self.family,
            prefix_len: self.prefix_len,
            flags: self.header_flags,
            scope: self.scope.into(),
            index: self.index,
        };
        let start = buf.len();
        buf.put_zeros(IfAddrMsg::LEN);
        h.emit(&mut buf.as_mut_slice()[start..]);
        let mut w = AttrWriter::new(buf);
        let ips = |w: &mut AttrWriter<'_, B>, list: &[(u16, Option<Ip>)]| {
            for (t, ip) in list {
                if let Some(ip) = ip {
                    w.put(*t, ip.as_bytes())?;
                }
            }
            Ok::<(), Error>(())
        };
        let label = |w: &mut AttrWriter<'_, B>| match &self.label {
            Some(l) => w.put_str(IFA_LABEL, l),
            None => Ok(()),
        };
        let proto = |w: &mut AttrWriter<'_, B>| match self.proto {
            Some(p) => w.put_u8(IFA_PROTO, p),
            None => Ok(()),
        };
        let flags = |w: &mut AttrWriter<'_, B>| match self.ifa_flags {
            Some(f) => w.put_u32(IFA_FLAGS, f.0),
            None => Ok(()),
        };
        let prio = |w: &mut AttrWriter<'_, B>| match self.rt_priority {
            Some(p) => w.put_u32(IFA_RT_PRIORITY, p),
            None => Ok(()),
        };
        let cache = |w: &mut AttrWriter<'_, B>| match &self.cacheinfo {
            Some(c) => w.put(IFA_CACHEINFO, &c.to_bytes()),
            None => Ok(()),
        };
        if self.family == AF_INET6 {
            // inet6_fill_ifaddr: LOCAL (peer case), ADDRESS, RT_PRIORITY, CACHEINFO, FLAGS,
            // PROTO; inet6_fill_ifacaddr / ifmcaddr: ANYCAST or MULTICAST, CACHEINFO.
            ips(
                &mut w,
                &[
                    (IFA_LOCAL, self.local),
                    (IFA_ADDRESS, self.address),
                    (IFA_BROADCAST, self.broadcast),
                    (IFA_MULTICAST, self.multicast),
                    (IFA_ANYCAST, self.anycast),
                ],
            )?;
            label(&mut w)?;
            prio(&mut w)?;
            cache(&mut w)?;
            flags(&mut w)?;
            proto(&mut w)?;
        } else {
            // inet_fill_ifaddr: ADDRESS, LOCAL, BROADCAST, LABEL, PROTO, FLAGS, RT_PRIORITY,
            // CACHEINFO; inet_fill_ifmcaddr: MULTICAST, CACHEINFO.
            ips(
                &mut w,
                &[
                    (IFA_ADDRESS, self.address),
                    (IFA_LOCAL, self.local),
                    (IFA_BROADCAST, self.broadcast),
                    (IFA_ANYCAST, self.anycast),
                    (IFA_MULTICAST, self.multicast),
                ],
            )?;
            label(&mut w)?;
            proto(&mut w)?;
            flags(&mut w)?;
            prio(&mut w)?;
            cache(&mut w)?;
        }
        self.other.emit(w.buffer());
        Ok(())
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Address<")?;
        match self.ip() {
            Some(ip) => write!(f, "{ip}/{}", self.prefix_len)?,
            None => write!(f, "family={}", self.family)?,
        }
        if let Some(p) = self.peer() {
            write!(f, " peer {p}")?;
        }
        write!(f, " dev {}", self.index)?;
        if self.scope != AddrScope::Universe {
            write!(f, " scope {}", self.scope)?;
        }
        let flags = self.flags();
        if !flags.is_empty() {
            write!(f, " {flags}")?;
        }
        f.write_str(">")
    }
}

/// `{:?}` prints the short form (`Address<10.0.0.1/24 dev 2>`); `{:#?}` every field.
impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        f.debug_struct("Address")
            .field("family", &self.family)
            .field("prefix_len", &self.prefix_len)
            .field("header_flags", &format_args!("{:#x}", self.header_flags))
            .field("scope", &self.scope)
            .field("index", &self.index)
            .field("address", &self.address)
            .field("local", &self.local)
            .field("broadcast", &self.broadcast)
            .field("anycast", &self.anycast)
            .field("multicast", &self.multicast)
            .field("label", &self.label)
            .field("proto", &self.proto)
            .field("ifa_flags", &self.ifa_flags)
            .field("rt_priority", &self.rt_priority)
            .field("cacheinfo", &self.cacheinfo)
            .field("other", &self.other)
            .finish()
    }
}

// ------------------------------------------------------------------------------- options

/// Optional settings for [`add`] and [`replace`]: label, lifetimes, flags, scope, broadcast.
/// Checked (against the address and link name) before anything is sent.
///
/// ```
/// use linx_rtnl::addr::{AddrFlags, AddrOptions, AddrScope};
/// let opts = AddrOptions::new()
///     .label("eth0:web")
///     .lifetimes(3600, 1800)
///     .flags(AddrFlags::NOPREFIXROUTE)
///     .scope(AddrScope::Link);
/// assert!(opts.validate("eth0", &"10.0.0.5/24".parse().unwrap()).is_ok());
/// assert!(opts.validate("eth1", &"10.0.0.5/24".parse().unwrap()).is_err()); // label
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[must_use = "options do nothing until passed to addr::add or addr::replace"]
pub struct AddrOptions {
    label: Option<String>,
    valid: Option<u32>,
    preferred: Option<u32>,
    flags: AddrFlags,
    scope: Option<AddrScope>,
    broadcast: Option<Result<Ip, IpError>>,
}

impl AddrOptions {
    /// No options: scope universe, no label (the kernel uses the link name), lifetimes
    /// forever, no flags.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::addr::AddrOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// `IFA_LABEL` (IPv4 only): 1 to 15 bytes starting with the link name, as iproute2 and
    /// ifconfig-style aliases (`eth0:1`) expect.
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().label("eth0:1");
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Valid lifetime in seconds ([`INFINITY_LIFE_TIME`] = forever, the default; 0 is
    /// refused). Without a preferred lifetime, the address stays preferred while valid.
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().valid_lifetime(600);
    /// ```
    pub fn valid_lifetime(mut self, secs: u32) -> Self {
        self.valid = Some(secs);
        self
    }

    /// Preferred lifetime in seconds: after it the address is deprecated (not used for new
    /// connections). Must not exceed the valid lifetime (default forever).
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().valid_lifetime(600).preferred_lifetime(300);
    /// ```
    pub fn preferred_lifetime(mut self, secs: u32) -> Self {
        self.preferred = Some(secs);
        self
    }

    /// Both lifetimes at once (`IFA_CACHEINFO`).
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().lifetimes(600, 300);
    /// ```
    pub fn lifetimes(self, valid: u32, preferred: u32) -> Self {
        self.valid_lifetime(valid).preferred_lifetime(preferred)
    }

    /// Add `IFA_F_*` flags (e.g. [`AddrFlags::NODAD`], [`AddrFlags::NOPREFIXROUTE`]); the
    /// kernel keeps the ones it accepts for the family.
    ///
    /// ```
    /// use linx_rtnl::addr::{AddrFlags, AddrOptions};
    /// let o = AddrOptions::new().flags(AddrFlags::NODAD).flags(AddrFlags::HOMEADDRESS);
    /// ```
    pub fn flags(mut self, flags: AddrFlags) -> Self {
        self.flags |= flags;
        self
    }

    /// The scope (default [`AddrScope::Universe`]; the kernel derives IPv6 scopes itself).
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().scope(linx_rtnl::addr::AddrScope::Host);
    /// ```
    pub fn scope(mut self, scope: AddrScope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// `IFA_BROADCAST` (IPv4 only), the typed value or its string; e.g.
    /// `subnet.broadcast()` for the subnet's broadcast address.
    ///
    /// ```
    /// let o = linx_rtnl::addr::AddrOptions::new().broadcast("10.0.0.255");
    /// ```
    pub fn broadcast(mut self, ip: impl IntoIp) -> Self {
        self.broadcast = Some(ip.into_ip());
        self
    }

    /// `(valid, preferred)` when lifetimes are set: an unset valid lifetime is forever, an
    /// unset preferred one equals the valid one.
    fn lifetimes_resolved(&self) -> Option<(u32, u32)> {
        match (self.valid, self.preferred) {
            (None, None) => None,
            (v, p) => {
                let v = v.unwrap_or(INFINITY_LIFE_TIME);
                Some((v, p.unwrap_or(v)))
            }
        }
    }

    /// Every check that does not need the link name.
    fn check(&self, addr: &Subnet) -> Result<(), Error> {
        let v6 = addr.family() == Family::Inet6;
        if let Some(l) = &self.label {
            if v6 {
                return Err(Error::BadOption {
                    name: "label",
                    value: format!("{l:?} (IPv6 addresses have no label)"),
                });
            }
            if l.is_empty() || l.len() >= IFNAMSIZ || l.contains('\0') {
                return Err(Error::BadOption {
                    name: "label",
                    value: format!("{l:?} (1 to 15 bytes, no NUL)"),
                });
            }
        }
        match &self.broadcast {
            None => {}
            Some(Err(e)) => return Err(Error::Ip(e.clone())),
            Some(Ok(b)) if b.family() != addr.family() => {
                return Err(Error::FamilyMismatch(format!(
                    "broadcast {b} for address {addr}"
                )));
            }
            Some(Ok(b)) if v6 => {
                return Err(Error::BadOption {
                    name: "broadcast",
                    value: format!("{b} (IPv6 has no broadcast)"),
                });
            }
            Some(Ok(_)) => {}
        }
        if let Some((valid, preferred)) = self.lifetimes_resolved() {
            if valid == 0 {
                return Err(Error::BadOption {
                    name: "valid lifetime",
                    value: "0 (must be > 0)".into(),
                });
            }
            if preferred > valid {
                return Err(Error::BadOption {
                    name: "preferred lifetime",
                    value: format!("{preferred} (longer than the valid lifetime {valid})"),
                });
            }
        }
        Ok(())
    }

    /// Check the options against the address and the link they are for, without the
    /// kernel (the verbs call this before sending anything).
    ///
    /// ```
    /// use linx_rtnl::{Error, addr::AddrOptions};
    /// let v4 = "10.0.0.5/24".parse().unwrap();
    /// let err = AddrOptions::new().lifetimes(100, 200).validate("eth0", &v4).unwrap_err();
    /// assert!(matches!(err, Error::BadOption { name: "preferred lifetime", .. }));
    /// let err = AddrOptions::new().broadcast("fd00::ff").validate("eth0", &v4).unwrap_err();
    /// assert!(matches!(err, Error::FamilyMismatch(_)));
    /// ```
    pub fn validate(&self, link: &str, addr: &Subnet) -> Result<(), Error> {
        self.check(addr)?;
        if let Some(l) = &self.label {
            if !l.starts_with(link) {
                return Err(Error::BadOption {
                    name: "label",
                    value: format!("{l:?} (must start with the link name {link:?})"),
                });
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------- requests

/// An `RTM_NEWADDR` with `NLM_F_CREATE | extra` for `addr` on link `index`.
fn new_request(index: u32, addr: Subnet, opts: &AddrOptions, extra: u16) -> Result<Request, Error> {
    opts.check(&addr)?;
    let ip = addr.address();
    // iproute2's rule: flags that fit the header byte go there, larger sets in IFA_FLAGS
    // (the kernel takes IFA_FLAGS over the byte when present).
    let bits = opts.flags.bits();
    let header_flags = u8::try_from(bits).unwrap_or(0);
    let mut p = header(
        ip.family(),
        addr.prefix(),
        header_flags,
        opts.scope.unwrap_or_default(),
        index,
    );
    let mut w = AttrWriter::new(&mut p);
    w.put(IFA_LOCAL, ip.as_bytes())?;
    if let Some(l) = &opts.label {
        w.put_str(IFA_LABEL, l)?;
    }
    if let Some(Ok(b)) = &opts.broadcast {
        w.put(IFA_BROADCAST, b.as_bytes())?;
    }
    if bits > 0xff {
        w.put_u32(IFA_FLAGS, bits)?;
    }
    w.put(IFA_ADDRESS, ip.as_bytes())?;
    if let Some((valid, preferred)) = opts.lifetimes_resolved() {
        let c = CacheInfo {
            preferred,
            valid,
            ..Default::default()
        };
        w.put(IFA_CACHEINFO, &c.to_bytes())?;
    }
    Ok(Request::new(RTM_NEWADDR, NLM_F_CREATE | extra, p).with_header_len(IfAddrMsg::LEN))
}

fn header(family: Family, prefix: u8, flags: u8, scope: AddrScope, index: u32) -> Vec<u8> {
    let mut b = vec![0u8; IfAddrMsg::LEN];
    IfAddrMsg {
        family: family.af(),
        prefix_len: prefix,
        flags,
        scope: scope.into(),
        index,
    }
    .emit(&mut b);
    b
}

/// The request [`add`] sends: `RTM_NEWADDR` with `NLM_F_CREATE | NLM_F_EXCL` for `addr` on
/// link `index`, `IFA_LOCAL` and `IFA_ADDRESS` both set to the address (as iproute2 does).
/// The driver adds `NLM_F_ACK`.
///
/// ```
/// use linx_rtnl::addr::{AddrOptions, add_request};
/// let req = add_request(3, "10.0.0.1/24".parse().unwrap(), &AddrOptions::new())?;
/// # #[cfg(target_endian = "little")]
/// assert_eq!(&req.payload()[..8], &[2, 24, 0, 0, 3, 0, 0, 0]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(index: u32, addr: Subnet, opts: &AddrOptions) -> Result<Request, Error> {
    new_request(index, addr, opts, NLM_F_EXCL)
}

/// The request [`replace`] sends: like [`add_request`] with `NLM_F_CREATE | NLM_F_REPLACE`.
///
/// ```
/// use linx_netlink_codec::consts::*;
/// use linx_rtnl::addr::{AddrOptions, replace_request};
/// let req = replace_request(3, "10.0.0.1/24".parse().unwrap(), &AddrOptions::new())?;
/// assert_eq!(req.flags(), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn replace_request(index: u32, addr: Subnet, opts: &AddrOptions) -> Result<Request, Error> {
    new_request(index, addr, opts, NLM_F_REPLACE)
}

/// The request [`delete`] sends: `RTM_DELADDR` for `addr` (address and prefix must match)
/// on link `index`.
///
/// ```
/// use linx_rtnl::addr::delete_request;
/// let req = delete_request(3, "fd00::1/64".parse().unwrap())?;
/// assert_eq!(&req.payload()[..2], &[10, 64][..]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(index: u32, addr: Subnet) -> Result<Request, Error> {
    let ip = addr.address();
    let mut p = header(ip.family(), addr.prefix(), 0, AddrScope::Universe, index);
    let mut w = AttrWriter::new(&mut p);
    w.put(IFA_LOCAL, ip.as_bytes())?;
    w.put(IFA_ADDRESS, ip.as_bytes())?;
    Ok(Request::new(RTM_DELADDR, 0, p).with_header_len(IfAddrMsg::LEN))
}

/// The decoder of address dumps ([`Address::from_msg`]).
///
/// ```
/// let d: linx_rtnl::addr::AddrDecoder = linx_rtnl::addr::Address::from_msg;
/// ```
pub type AddrDecoder = fn(&MsgView<'_>) -> Result<Address, DecodeError>;

/// The call behind [`list`]: an `RTM_GETADDR` dump of both families, decoded into
/// [`Address`]es. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::addr::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<AddrDecoder> {
    list_link_call(0)
}

/// The call behind [`list_link`]: an `RTM_GETADDR` dump whose header names link `index`
/// (0 = all links). With strict checking (which [`open`](crate::open) enables) the kernel
/// sends only that link's addresses; without it, every address, so filter on
/// [`Address::index`] when streaming.
///
/// ```
/// let call = linx_rtnl::addr::list_link_call(2);
/// # #[cfg(target_endian = "little")]
/// assert_eq!(call.request.payload(), &[0, 0, 0, 0, 2, 0, 0, 0]);
/// ```
pub fn list_link_call(index: u32) -> Call<AddrDecoder> {
    let mut p = vec![0u8; IfAddrMsg::LEN];
    IfAddrMsg {
        index,
        ..Default::default()
    }
    .emit(&mut p);
    Call::new(
        Request::dump(RTM_GETADDR, p).with_header_len(IfAddrMsg::LEN),
        Address::from_msg as AddrDecoder,
    )
}

// ------------------------------------------------------------------------------- verbs

verb! {
    /// Every address of the socket's namespace, IPv4 and IPv6.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for a in linx_rtnl::addr::list(&sock)? {
    ///     println!("{a}"); // Address<127.0.0.1/8 dev 1 scope host permanent>
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Address> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The addresses of the link named `link` (filtered by the kernel, and again here).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo: Vec<_> = linx_rtnl::addr::list_link(&sock, "lo")?.iter().filter_map(|a| a.ip()).collect();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list_link(sock, link: &str) -> Dumped<Address> {
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let mut dumped = sock.collect(list_link_call(index)).await?;
        dumped.retain(|a| a.index == index);
        Ok(dumped)
    }
}

verb! {
    /// Add `addr` (`"10.0.0.5/24"`, a [`Subnet`], `(ip, prefix)` ...) to `link`
    /// (`NLM_F_CREATE | NLM_F_EXCL`: `EEXIST` if it is already there). The family comes from
    /// the address; the prefix and `opts` are checked before anything is sent.
    ///
    /// ```no_run
    /// use linx_rtnl::addr::{self, AddrFlags, AddrOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// addr::add(&sock, "eth0", "10.0.42.5/24", AddrOptions::new())?;
    /// addr::add(&sock, "eth0", "fc00::42:5/64", AddrOptions::new().flags(AddrFlags::NODAD))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(sock, link: &str, addr: impl IntoSubnet, opts: AddrOptions) -> () {
        let addr = addr.into_subnet()?;
        opts.validate(link, &addr)?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = add_request(index, addr, &opts)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Add `addr` to `link`, or update it in place (lifetimes, flags) if it is there
    /// (`NLM_F_CREATE | NLM_F_REPLACE`): an idempotent upsert.
    ///
    /// ```no_run
    /// use linx_rtnl::addr::{self, AddrOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// addr::replace(&sock, "eth0", "10.0.42.5/24", AddrOptions::new().lifetimes(600, 300))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replace(sock, link: &str, addr: impl IntoSubnet, opts: AddrOptions) -> () {
        let addr = addr.into_subnet()?;
        opts.validate(link, &addr)?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = replace_request(index, addr, &opts)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Delete `addr` (address and prefix) from `link`; `EADDRNOTAVAIL` if it is not there.
    /// Deleting a primary IPv4 address also deletes the secondaries of its subnet unless
    /// `net.ipv4.conf.<link>.promote_secondaries` is set (kernel behaviour).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::addr::delete(&sock, "eth0", "10.0.42.5/24")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delete(sock, link: &str, addr: impl IntoSubnet) -> () {
        let addr = addr.into_subnet()?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = delete_request(index, addr)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}
