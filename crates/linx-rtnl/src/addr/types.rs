//! The value types of an address message: the `IFA_F_*` flag set, the scope and
//! `struct ifa_cacheinfo`, each with its attribute codec.
//!
//! Why a file of their own: the message ([`Address`](super::Address)), the request options
//! ([`AddrOptions`](super::AddrOptions)) and the request builders all use them, so they sit
//! below all three.
//!
//! # Contract
//! - [`AddrFlags`] keeps unknown bits; [`AddrScope`] keeps unknown values
//!   ([`AddrScope::Other`]).
//! - [`CacheInfo`] accepts longer structs (the tail is kept in [`CacheInfo::rest`] and
//!   re-emitted) and refuses shorter ones with a `Truncated` [`DecodeError`]; nothing here
//!   panics on any input.
//! - Codecs are host order (`IFA_FLAGS` is a `u32`, the cache info four `u32`s).

use std::fmt;

use linx_netlink_codec::{AttrValue, AttrWriter, DecodeError, EncodeError, NlBuffer};

use crate::values::{fmt_flags, parse_u32s, put_u32s};

/// `INFINITY_LIFE_TIME`: a lifetime that never expires ("forever").
pub const INFINITY_LIFE_TIME: u32 = 0xFFFF_FFFF;

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
        fmt_flags(f, self.0, &ADDR_FLAG_NAMES)
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
        let ([preferred, valid, cstamp, tstamp], rest) = parse_u32s(p, "ifa_cacheinfo")?;
        Ok(CacheInfo {
            preferred,
            valid,
            cstamp,
            tstamp,
            rest,
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
        put_u32s(&mut b, &self.fields(), &self.rest);
        b
    }

    /// The four `u32` fields in wire order.
    fn fields(&self) -> [u32; 4] {
        [self.preferred, self.valid, self.cstamp, self.tstamp]
    }
}

/// `IFA_FLAGS`: a host-order `u32`.
impl AttrValue for AddrFlags {
    const CODEC: &'static str = "u32";
    #[inline]
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        u32::parse_value(p).map(AddrFlags)
    }
    fn value_len(_: &Self) -> usize {
        4
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        u32::emit_value(&v.0, buf)
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &Self,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_u32(raw_type, v.0)
    }
}

/// `IFA_CACHEINFO`: [`CacheInfo::parse`] and [`CacheInfo::to_bytes`].
impl AttrValue for CacheInfo {
    const CODEC: &'static str = "ifa_cacheinfo";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        CacheInfo::parse(p)
    }
    fn value_len(v: &Self) -> usize {
        CacheInfo::LEN + v.rest.len()
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        put_u32s(buf, &v.fields(), &v.rest);
        Ok(())
    }
}
