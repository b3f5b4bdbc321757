//! The value types of a neighbour message: the `NUD_*` state set, the `NTF_*` flags, the
//! link-layer address and `struct nda_cacheinfo`, each with its attribute codec.
//!
//! Why a file of their own: the message ([`Neighbour`](super::Neighbour)) and the request
//! builders both use them.
//!
//! # Contract
//! - [`NudState`] keeps unknown bits; [`LinkAddr`] keeps any length (a [`Mac`] for 6
//!   bytes, raw bytes otherwise), so `NDA_LLADDR` always decodes.
//! - [`NeighCacheInfo`] accepts longer structs (tail kept in [`NeighCacheInfo::rest`]) and
//!   refuses shorter ones with a `Truncated` [`DecodeError`]; nothing here panics.

use std::fmt;

use linx_ip::Mac;
use linx_netlink_codec::{AttrValue, DecodeError, EncodeError, NlBuffer};

use crate::values::{as_bytes_encoding, fmt_flags, parse_u32s, put_u32s};

/// `NTF_USE` (flag): mark the entry used, so the kernel resolves it.
pub const NTF_USE: u8 = 0x01;
/// `NTF_SELF` (flag): bridge FDB entry of the device itself.
pub const NTF_SELF: u8 = 0x02;
/// `NTF_MASTER` (flag): bridge FDB entry of the master.
pub const NTF_MASTER: u8 = 0x04;
/// `NTF_PROXY` (flag): a proxy ARP/NDP entry.
pub const NTF_PROXY: u8 = 0x08;
/// `NTF_EXT_LEARNED` (flag): learned by an external agent (a switch driver).
pub const NTF_EXT_LEARNED: u8 = 0x10;
/// `NTF_OFFLOADED` (flag): offloaded to hardware.
pub const NTF_OFFLOADED: u8 = 0x20;
/// `NTF_STICKY` (flag): bridge FDB entry that does not move.
pub const NTF_STICKY: u8 = 0x40;
/// `NTF_ROUTER` (flag): the IPv6 neighbour is a router.
pub const NTF_ROUTER: u8 = 0x80;
/// `RTN_UNICAST`: the `ndm_type` of a normal entry.
pub const RTN_UNICAST: u8 = 1;

/// A neighbour's `NUD_*` state bits (`<linux/neighbour.h>`). Unknown bits are kept.
///
/// ```
/// use linx_rtnl::neigh::NudState;
/// assert_eq!(NudState::PERMANENT.to_string(), "PERMANENT");
/// assert_eq!((NudState::STALE | NudState::from_bits(0x100)).to_string(), "STALE 0x100");
/// assert_eq!(NudState::NONE.to_string(), "NONE");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NudState(u16);

/// State bits with the names iproute2 prints.
const NUD_NAMES: [(u32, &str); 8] = [
    (0x01, "INCOMPLETE"),
    (0x02, "REACHABLE"),
    (0x04, "STALE"),
    (0x08, "DELAY"),
    (0x10, "PROBE"),
    (0x20, "FAILED"),
    (0x40, "NOARP"),
    (0x80, "PERMANENT"),
];

impl NudState {
    /// `NUD_NONE` (0): no state.
    pub const NONE: NudState = NudState(0);
    /// `NUD_INCOMPLETE` (0x01): resolution in progress, no address yet.
    pub const INCOMPLETE: NudState = NudState(0x01);
    /// `NUD_REACHABLE` (0x02): confirmed reachable recently.
    pub const REACHABLE: NudState = NudState(0x02);
    /// `NUD_STALE` (0x04): usable, but to be confirmed on next use.
    pub const STALE: NudState = NudState(0x04);
    /// `NUD_DELAY` (0x08): waiting a moment before probing.
    pub const DELAY: NudState = NudState(0x08);
    /// `NUD_PROBE` (0x10): being probed.
    pub const PROBE: NudState = NudState(0x10);
    /// `NUD_FAILED` (0x20): resolution failed.
    pub const FAILED: NudState = NudState(0x20);
    /// `NUD_NOARP` (0x40): valid without resolution (no expiry, not probed).
    pub const NOARP: NudState = NudState(0x40);
    /// `NUD_PERMANENT` (0x80): static entry set by an administrator.
    pub const PERMANENT: NudState = NudState(0x80);

    /// The set with exactly these bits (unknown bits included).
    ///
    /// ```
    /// use linx_rtnl::neigh::NudState;
    /// assert_eq!(NudState::from_bits(0x80), NudState::PERMANENT);
    /// ```
    pub const fn from_bits(bits: u16) -> NudState {
        NudState(bits)
    }

    /// The raw bits.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::neigh::NudState::REACHABLE.bits(), 0x02);
    /// ```
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether every bit of `other` is set.
    ///
    /// ```
    /// use linx_rtnl::neigh::NudState;
    /// assert!((NudState::STALE | NudState::NOARP).contains(NudState::NOARP));
    /// ```
    pub const fn contains(self, other: NudState) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether this is exactly one known state (what [`replace`](super::replace) accepts).
    ///
    /// ```
    /// use linx_rtnl::neigh::NudState;
    /// assert!(NudState::STALE.is_single());
    /// assert!(!(NudState::STALE | NudState::NOARP).is_single());
    /// assert!(!NudState::NONE.is_single());
    /// ```
    pub const fn is_single(self) -> bool {
        self.0.count_ones() == 1 && self.0 <= 0x80
    }
}

impl std::ops::BitOr for NudState {
    type Output = NudState;
    fn bitor(self, rhs: NudState) -> NudState {
        NudState(self.0 | rhs.0)
    }
}

impl From<u16> for NudState {
    fn from(v: u16) -> Self {
        NudState(v)
    }
}

impl From<NudState> for u16 {
    fn from(v: NudState) -> u16 {
        v.0
    }
}

/// The names `ip -j neigh` prints in `"state"`, space-separated; unknown bits as hex.
impl fmt::Display for NudState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("NONE");
        }
        fmt_flags(f, u32::from(self.0), &NUD_NAMES)
    }
}

impl fmt::Debug for NudState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NudState({self})")
    }
}

/// A link-layer address (`NDA_LLADDR`): a [`Mac`] on Ethernet-like links, raw bytes for
/// other lengths (empty on `tun`, 4 or 16 on tunnels, 20 on InfiniBand).
///
/// ```
/// use linx_rtnl::neigh::LinkAddr;
/// let a = LinkAddr::from_bytes(&[2, 0, 0, 0, 0, 9]);
/// assert_eq!(a.mac().unwrap().to_string(), "02:00:00:00:00:09");
/// assert_eq!(LinkAddr::from_bytes(&[10, 0, 0, 1]).to_string(), "0a:00:00:01");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum LinkAddr {
    /// A 6-byte MAC address.
    Mac(Mac),
    /// Any other length, as received.
    Other(Vec<u8>),
}

impl LinkAddr {
    /// A [`LinkAddr::Mac`] for 6 bytes, else [`LinkAddr::Other`].
    ///
    /// ```
    /// assert!(linx_rtnl::neigh::LinkAddr::from_bytes(&[]).mac().is_none());
    /// ```
    pub fn from_bytes(b: &[u8]) -> LinkAddr {
        match Mac::from_bytes(b) {
            Some(m) => LinkAddr::Mac(m),
            None => LinkAddr::Other(b.to_vec()),
        }
    }

    /// The wire bytes.
    ///
    /// ```
    /// use linx_rtnl::neigh::LinkAddr;
    /// assert_eq!(LinkAddr::from_bytes(&[1, 2]).as_bytes(), &[1, 2]);
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            LinkAddr::Mac(m) => m.as_bytes(),
            LinkAddr::Other(b) => b,
        }
    }

    /// The MAC, when it is one.
    ///
    /// ```
    /// use linx_rtnl::neigh::LinkAddr;
    /// assert!(LinkAddr::from_bytes(&[0; 6]).mac().is_some());
    /// ```
    pub fn mac(&self) -> Option<Mac> {
        match self {
            LinkAddr::Mac(m) => Some(*m),
            LinkAddr::Other(_) => None,
        }
    }
}

impl From<Mac> for LinkAddr {
    fn from(m: Mac) -> Self {
        LinkAddr::Mac(m)
    }
}

/// Colon-separated lower-case hex, as iproute2 prints it.
impl fmt::Display for LinkAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for LinkAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `struct nda_cacheinfo` (`NDA_CACHEINFO`): ages in clock ticks (`USER_HZ`, 1/100 s) and
/// the reference count.
///
/// ```text
///  0               4          8            12          16
/// +---------------+----------+------------+-----------+
/// | ndm_confirmed | ndm_used | ndm_updated| ndm_refcnt|   u32 each, host order
/// +---------------+----------+------------+-----------+
/// ```
///
/// ```
/// use linx_rtnl::neigh::NeighCacheInfo;
/// let c = NeighCacheInfo { used: 5, ..Default::default() };
/// assert_eq!(NeighCacheInfo::parse(&c.to_bytes()).unwrap(), c);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct NeighCacheInfo {
    /// `ndm_confirmed`: ticks since the neighbour was last confirmed reachable.
    pub confirmed: u32,
    /// `ndm_used`: ticks since the entry was last used.
    pub used: u32,
    /// `ndm_updated`: ticks since the entry last changed.
    pub updated: u32,
    /// `ndm_refcnt`: references held (minus the dump's own).
    pub refcnt: u32,
    /// Bytes past the 16 this crate knows (a newer kernel's longer struct), kept for re-emit.
    pub rest: Vec<u8>,
}

impl NeighCacheInfo {
    /// Size of the struct this crate knows.
    pub const LEN: usize = 16;

    /// Decode the payload of `NDA_CACHEINFO`; longer payloads keep their tail in
    /// [`rest`](Self::rest), shorter ones are an error.
    ///
    /// ```
    /// assert!(linx_rtnl::neigh::NeighCacheInfo::parse(&[0; 12]).is_err());
    /// ```
    pub fn parse(p: &[u8]) -> Result<NeighCacheInfo, DecodeError> {
        let ([confirmed, used, updated, refcnt], rest) = parse_u32s(p, "nda_cacheinfo")?;
        Ok(NeighCacheInfo {
            confirmed,
            used,
            updated,
            refcnt,
            rest,
        })
    }

    /// The encoded payload.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::neigh::NeighCacheInfo::default().to_bytes(), [0; 16]);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN + self.rest.len());
        put_u32s(&mut b, &self.fields(), &self.rest);
        b
    }

    /// The four `u32` fields in wire order.
    fn fields(&self) -> [u32; 4] {
        [self.confirmed, self.used, self.updated, self.refcnt]
    }
}

/// `NDA_LLADDR`: any length ([`LinkAddr::from_bytes`]).
impl AttrValue for LinkAddr {
    const CODEC: &'static str = "link-layer address";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        Ok(LinkAddr::from_bytes(p))
    }
    as_bytes_encoding!(LinkAddr);
}

/// `NDA_CACHEINFO`: [`NeighCacheInfo::parse`] and [`NeighCacheInfo::to_bytes`].
impl AttrValue for NeighCacheInfo {
    const CODEC: &'static str = "nda_cacheinfo";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        NeighCacheInfo::parse(p)
    }
    fn value_len(v: &Self) -> usize {
        NeighCacheInfo::LEN + v.rest.len()
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        put_u32s(buf, &v.fields(), &v.rest);
        Ok(())
    }
}
