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
//!   included: [`Error::Ip`] for a bad IP or MAC, [`Error::BadOption`] for a state that is not
//!   exactly one NUD bit. Kernel refusals are [`Error::Netlink`] with the kernel's text
//!   (`EEXIST` on a duplicate `add`, `ENOENT` deleting a missing entry); an unknown link
//!   name reads `no such interface "x"`.
//! - [`Neighbour`] decoding is lossless: typed fields for `AF_INET`/`AF_INET6` entries
//!   (`NDA_DST`, `NDA_LLADDR` of any length, `NDA_PROBES`, `NDA_CACHEINFO`), every other
//!   attribute in [`Neighbour::other`]; entries of other families (bridge FDB, `AF_BRIDGE`)
//!   keep all their attributes raw. [`Neighbour::emit`] writes them in the kernel's order
//!   (`neigh_fill_info`), so `emit(parse(bytes)) == bytes` for what the kernel sends.
//! - Parsing never panics and allocates only for unmodelled attributes and non-MAC link-layer
//!   addresses.
//! - Out of scope: proxy entries (`NTF_PROXY`), flush, bridge FDB verbs.
//!
//! # See also
//! rtnetlink(7), ip-neighbour(8), arp(7), `<linux/neighbour.h>`.

use linx_netlink_codec::Dumped;
use std::fmt;

use linx_ip::{IntoIp, IntoMac, Ip, Mac};
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    AttrIter, AttrValue, AttrWriter, Call, DecodeError, FixedHeader, MsgView, NlBuffer, RawAttrs,
    Request, align, nl_header,
};

use crate::decode::first;
use crate::error::{Error, on_link};
use crate::link::index_of;
use crate::verb::verb;

/// `NDA_DST`: the neighbour's network address (the table key).
pub const NDA_DST: u16 = 1;
/// `NDA_LLADDR`: the link-layer address (6 bytes on Ethernet; the device's address length).
pub const NDA_LLADDR: u16 = 2;
/// `NDA_CACHEINFO`: `struct nda_cacheinfo` (ages in clock ticks, reference count).
pub const NDA_CACHEINFO: u16 = 3;
/// `NDA_PROBES`: u32 number of probes sent.
pub const NDA_PROBES: u16 = 4;
/// `NDA_IFINDEX`: u32 link index (in a dump request: only this link's entries).
pub const NDA_IFINDEX: u16 = 8;
/// `NDA_MASTER`: u32 master index (in a dump request: only ports of this master).
pub const NDA_MASTER: u16 = 9;
/// `NDA_PROTOCOL`: u8 protocol that installed the entry.
pub const NDA_PROTOCOL: u16 = 12;
/// `NDA_FLAGS_EXT`: u32 extended `NTF_EXT_*` flags.
pub const NDA_FLAGS_EXT: u16 = 15;
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

nl_header! {
    /// `struct ndmsg` (`<linux/neighbour.h>`); bytes 1..4 are padding.
    ///
    /// ```
    /// use linx_netlink_codec::FixedHeader;
    /// use linx_rtnl::neigh::NdMsg;
    /// let h = NdMsg::parse(&[2, 0, 0, 0, 3, 0, 0, 0, 0x80, 0, 0, 1]).unwrap();
    /// assert_eq!((h.family, h.ndm_type), (2, 1));
    /// ```
    pub struct NdMsg[12] {
        /// `ndm_family`: `AF_INET`, `AF_INET6` (`AF_UNSPEC` in a dump of both).
        pub family: u8 [0] ne,
        /// `ndm_ifindex`: link index.
        pub ifindex: i32 [4] ne,
        /// `ndm_state`: `NUD_*` bits.
        pub state: u16 [8] ne,
        /// `ndm_flags`: `NTF_*` bits.
        pub flags: u8 [10] ne,
        /// `ndm_type`: `RTN_*` (unicast for normal entries).
        pub ndm_type: u8 [11] ne,
    }
}

// ------------------------------------------------------------------------------- values

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
const NUD_NAMES: [(u16, &str); 8] = [
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

    /// Whether this is exactly one known state (what [`replace`] accepts).
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
        let mut rest = self.0;
        let mut sep = "";
        for (bit, name) in NUD_NAMES {
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
        if p.len() < Self::LEN {
            return Err(DecodeError::truncated(
                "nda_cacheinfo",
                0,
                Self::LEN,
                p.len(),
            ));
        }
        let u = |i: usize| u32::from_ne_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]]);
        Ok(NeighCacheInfo {
            confirmed: u(0),
            used: u(4),
            updated: u(8),
            refcnt: u(12),
            rest: p[Self::LEN..].to_vec(),
        })
    }

    /// The encoded payload.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::neigh::NeighCacheInfo::default().to_bytes(), [0; 16]);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN + self.rest.len());
        for v in [self.confirmed, self.used, self.updated, self.refcnt] {
            b.extend_from_slice(&v.to_ne_bytes());
        }
        b.extend_from_slice(&self.rest);
        b
    }
}

/// A neighbour table entry as the kernel reports it (`RTM_NEWNEIGH`).
///
/// `{}` and `{:?}` print the short form `Neighbour<10.0.0.2 lladdr 02:00:00:00:00:02 dev 2
/// PERMANENT>`; `{:#?}` every field.
///
/// ```
/// use linx_rtnl::neigh::{Neighbour, NudState};
/// let n = Neighbour {
///     family: 2,
///     index: 2,
///     state: NudState::PERMANENT,
///     dst: Some("10.0.0.2".parse().unwrap()),
///     lladdr: Some("02:00:00:00:00:02".parse::<linx_ip::Mac>().unwrap().into()),
///     ..Default::default()
/// };
/// assert_eq!(n.to_string(), "Neighbour<10.0.0.2 lladdr 02:00:00:00:00:02 dev 2 PERMANENT>");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Neighbour {
    /// `ndm_family`: `AF_INET` (2) or `AF_INET6` (10).
    pub family: u8,
    /// `ndm_ifindex`: the link.
    pub index: u32,
    /// `ndm_state`.
    pub state: NudState,
    /// `ndm_flags`: `NTF_*` bits ([`NTF_ROUTER`], [`NTF_PROXY`] ...).
    pub flags: u8,
    /// `ndm_type`: `RTN_*` ([`RTN_UNICAST`] for normal entries).
    pub ndm_type: u8,
    /// `NDA_DST`: the neighbour's IP.
    pub dst: Option<Ip>,
    /// `NDA_LLADDR`: its link-layer address (absent while unresolved).
    pub lladdr: Option<LinkAddr>,
    /// `NDA_PROBES`: probes sent.
    pub probes: Option<u32>,
    /// `NDA_CACHEINFO`: ages and reference count.
    pub cacheinfo: Option<NeighCacheInfo>,
    /// Every other attribute (and later duplicates), as received.
    pub other: RawAttrs,
}

// ------------------------------------------------------------------------------- decoding

impl Neighbour {
    /// Decode an `RTM_NEWNEIGH` / `RTM_DELNEIGH` payload (after `nlmsghdr`).
    ///
    /// ```
    /// use linx_rtnl::neigh::{Neighbour, NudState};
    /// // ndmsg {AF_INET, ifindex 2, NUD_REACHABLE, flags 0, RTN_UNICAST}, NDA_DST 10.0.0.2
    /// let mut p = vec![2, 0, 0, 0];
    /// p.extend_from_slice(&2i32.to_ne_bytes());
    /// p.extend_from_slice(&2u16.to_ne_bytes());
    /// p.extend_from_slice(&[0, 1]);
    /// p.extend_from_slice(&8u16.to_ne_bytes());
    /// p.extend_from_slice(&1u16.to_ne_bytes());
    /// p.extend_from_slice(&[10, 0, 0, 2]);
    /// let n = Neighbour::parse(&p).unwrap();
    /// assert_eq!(n.state, NudState::REACHABLE);
    /// assert_eq!(n.to_string(), "Neighbour<10.0.0.2 dev 2 REACHABLE>");
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Neighbour, DecodeError> {
        let h = NdMsg::parse(payload)?;
        let mut n = Neighbour {
            family: h.family,
            index: h.ifindex as u32,
            state: NudState(h.state),
            flags: h.flags,
            ndm_type: h.ndm_type,
            ..Default::default()
        };
        let ip_len = match h.family {
            AF_INET => Some(4),
            AF_INET6 => Some(16),
            _ => None,
        };
        let base = NdMsg::LEN;
        for at in AttrIter::new(&payload[base..]) {
            let at = at.map_err(|mut e| {
                e.offset += base;
                e
            })?;
            let o = &mut n.other;
            let Some(len) = ip_len else {
                o.push(&at);
                continue;
            };
            let loc = |e: DecodeError| e.within(at.kind(), base + at.offset() + 4);
            // The type field as received: a known type with flag bits set stays raw.
            match at.raw_type() {
                NDA_DST => {
                    let p = at.payload();
                    let ip = Ip::from_bytes(p)
                        .filter(|_| p.len() == len)
                        .ok_or_else(|| loc(DecodeError::bad_size("ip address", len, p.len())))?;
                    first(&mut n.dst, ip, &at, o)
                }
                NDA_LLADDR => first(&mut n.lladdr, LinkAddr::from_bytes(at.payload()), &at, o),
                NDA_PROBES => first(
                    &mut n.probes,
                    u32::parse_value(at.payload()).map_err(loc)?,
                    &at,
                    o,
                ),
                NDA_CACHEINFO => {
                    let c = NeighCacheInfo::parse(at.payload()).map_err(loc)?;
                    first(&mut n.cacheinfo, c, &at, o)
                }
                _ => o.push(&at),
            }
        }
        Ok(n)
    }

    /// Decode a reply message (`RTM_NEWNEIGH`).
    ///
    /// ```
    /// use linx_netlink_codec::{MsgView, MsgWriter, consts::RTM_NEWNEIGH};
    /// let mut buf = Vec::new();
    /// let mut w = MsgWriter::begin(&mut buf, RTM_NEWNEIGH, 0, 1);
    /// w.put_bytes(&[10, 0, 0, 0, 3, 0, 0, 0, 0x40, 0, 0, 1]);
    /// w.finish().unwrap();
    /// let n = linx_rtnl::neigh::Neighbour::from_msg(&MsgView::new_checked(&buf).unwrap()).unwrap();
    /// assert_eq!(n.family, 10);
    /// ```
    pub fn from_msg(m: &MsgView<'_>) -> Result<Neighbour, DecodeError> {
        Neighbour::parse(m.payload())
    }

    /// The link-layer address when it is a MAC.
    ///
    /// ```
    /// let n = linx_rtnl::neigh::Neighbour::default();
    /// assert!(n.mac().is_none());
    /// ```
    pub fn mac(&self) -> Option<Mac> {
        self.lladdr.as_ref()?.mac()
    }

    /// Length of [`emit`](Self::emit)'s output.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::neigh::Neighbour::default().buffer_len(), 12);
    /// ```
    pub fn buffer_len(&self) -> usize {
        let attr = |len: usize| align(4 + len);
        NdMsg::LEN
            + self.dst.map_or(0, |ip| attr(ip.as_bytes().len()))
            + self.lladdr.as_ref().map_or(0, |l| attr(l.as_bytes().len()))
            + self.probes.map_or(0, |_| attr(4))
            + self
                .cacheinfo
                .as_ref()
                .map_or(0, |c| attr(NeighCacheInfo::LEN + c.rest.len()))
            + self.other.as_bytes().len()
    }

    /// Append the encoded payload (ndmsg + attributes): `NDA_DST`, `NDA_LLADDR`,
    /// `NDA_PROBES`, `NDA_CACHEINFO` (the kernel's order), then [`other`](Self::other)
    /// unchanged.
    ///
    /// ```
    /// use linx_rtnl::neigh::Neighbour;
    /// let n = Neighbour { family: 10, index: 3, dst: Some("fd00::9".parse().unwrap()), ..Default::default() };
    /// let mut buf = Vec::new();
    /// n.emit(&mut buf).unwrap();
    /// assert_eq!(buf.len(), n.buffer_len());
    /// assert_eq!(Neighbour::parse(&buf).unwrap(), n);
    /// ```
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), Error> {
        let h = NdMsg {
            family: self.family,
            ifindex: self.index as i32,
            state: self.state.0,
            flags: self.flags,
            ndm_type: self.ndm_type,
        };
        let start = buf.len();
        buf.put_zeros(NdMsg::LEN);
        h.emit(&mut buf.as_mut_slice()[start..]);
        let mut w = AttrWriter::new(buf);
        if let Some(ip) = self.dst {
            w.put(NDA_DST, ip.as_bytes())?;
        }
        if let Some(l) = &self.lladdr {
            w.put(NDA_LLADDR, l.as_bytes())?;
        }
        if let Some(p) = self.probes {
            w.put_u32(NDA_PROBES, p)?;
        }
        if let Some(c) = &self.cacheinfo {
            w.put(NDA_CACHEINFO, &c.to_bytes())?;
        }
        self.other.emit(w.buffer());
        Ok(())
    }
}

impl fmt::Display for Neighbour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Neighbour<")?;
        match self.dst {
            Some(ip) => write!(f, "{ip}")?,
            None => write!(f, "family={}", self.family)?,
        }
        if let Some(l) = &self.lladdr {
            write!(f, " lladdr {l}")?;
        }
        write!(f, " dev {}", self.index)?;
        if self.flags & NTF_ROUTER != 0 {
            f.write_str(" router")?;
        }
        if self.flags & NTF_PROXY != 0 {
            f.write_str(" proxy")?;
        }
        write!(f, " {}>", self.state)
    }
}

/// `{:?}` prints the short form (`Neighbour<10.0.0.2 lladdr ... dev 2 PERMANENT>`); `{:#?}`
/// every field.
impl fmt::Debug for Neighbour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        f.debug_struct("Neighbour")
            .field("family", &self.family)
            .field("index", &self.index)
            .field("state", &self.state)
            .field("flags", &format_args!("{:#x}", self.flags))
            .field("ndm_type", &self.ndm_type)
            .field("dst", &self.dst)
            .field("lladdr", &self.lladdr)
            .field("probes", &self.probes)
            .field("cacheinfo", &self.cacheinfo)
            .field("other", &self.other)
            .finish()
    }
}

// ------------------------------------------------------------------------------- requests

fn header(family: u8, index: u32, state: NudState, ndm_type: u8) -> Vec<u8> {
    let mut b = vec![0u8; NdMsg::LEN];
    NdMsg {
        family,
        ifindex: index as i32,
        state: state.0,
        flags: 0,
        ndm_type,
    }
    .emit(&mut b);
    b
}

fn check_state(state: NudState) -> Result<(), Error> {
    if state.is_single() {
        return Ok(());
    }
    Err(Error::BadOption {
        name: "neighbour state",
        value: format!("{state} (must be exactly one NUD state)"),
    })
}

fn new_request(
    index: u32,
    ip: Ip,
    mac: Mac,
    state: NudState,
    extra: u16,
) -> Result<Request, Error> {
    check_state(state)?;
    let mut p = header(ip.family().af(), index, state, RTN_UNICAST);
    let mut w = AttrWriter::new(&mut p);
    w.put(NDA_DST, ip.as_bytes())?;
    w.put(NDA_LLADDR, mac.as_bytes())?;
    Ok(Request::new(RTM_NEWNEIGH, NLM_F_CREATE | extra, p).with_header_len(NdMsg::LEN))
}

/// The request [`add`] sends: `RTM_NEWNEIGH` with `NLM_F_CREATE | NLM_F_EXCL`, state
/// `NUD_PERMANENT`, type `RTN_UNICAST`, `NDA_DST` and `NDA_LLADDR`. The driver adds
/// `NLM_F_ACK`.
///
/// ```
/// use linx_rtnl::neigh::add_request;
/// let req = add_request(3, "10.0.0.9".parse().unwrap(), "02:00:00:00:00:09".parse().unwrap())?;
/// assert_eq!(req.payload().len(), 12 + 8 + 12);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(index: u32, ip: Ip, mac: Mac) -> Result<Request, Error> {
    new_request(index, ip, mac, NudState::PERMANENT, NLM_F_EXCL)
}

/// The request [`replace`] sends: like [`add_request`] with `NLM_F_CREATE | NLM_F_REPLACE`
/// and `state`, which must be exactly one NUD state ([`NudState::is_single`]).
///
/// ```
/// use linx_rtnl::neigh::{NudState, replace_request};
/// let (ip, mac) = ("10.0.0.9".parse().unwrap(), "02:00:00:00:00:09".parse().unwrap());
/// assert!(replace_request(3, ip, mac, NudState::STALE).is_ok());
/// assert!(replace_request(3, ip, mac, NudState::NONE).is_err());
/// ```
pub fn replace_request(index: u32, ip: Ip, mac: Mac, state: NudState) -> Result<Request, Error> {
    new_request(index, ip, mac, state, NLM_F_REPLACE)
}

/// The request [`delete`] sends: `RTM_DELNEIGH` with `NDA_DST` on link `index` (the header
/// is iproute2's, state `NUD_PERMANENT`, which the kernel ignores on delete).
///
/// ```
/// let req = linx_rtnl::neigh::delete_request(3, "fd00::9".parse().unwrap())?;
/// assert_eq!(req.payload()[0], 10);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(index: u32, ip: Ip) -> Result<Request, Error> {
    let mut p = header(ip.family().af(), index, NudState::PERMANENT, 0);
    AttrWriter::new(&mut p).put(NDA_DST, ip.as_bytes())?;
    Ok(Request::new(RTM_DELNEIGH, 0, p).with_header_len(NdMsg::LEN))
}

/// The decoder of neighbour dumps ([`Neighbour::from_msg`]).
///
/// ```
/// let d: linx_rtnl::neigh::NeighDecoder = linx_rtnl::neigh::Neighbour::from_msg;
/// ```
pub type NeighDecoder = fn(&MsgView<'_>) -> Result<Neighbour, DecodeError>;

/// The call behind [`list`]: an `RTM_GETNEIGH` dump of the ARP and NDP tables, decoded into
/// [`Neighbour`]s. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::neigh::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<NeighDecoder> {
    Call::new(
        Request::dump(RTM_GETNEIGH, vec![0u8; NdMsg::LEN]).with_header_len(NdMsg::LEN),
        Neighbour::from_msg as NeighDecoder,
    )
}

/// The call behind [`list_link`]: an `RTM_GETNEIGH` dump with `NDA_IFINDEX`, which the
/// kernel filters on (as `ip neigh show dev x` does). Filter on [`Neighbour::index`] too when
/// streaming from kernels that ignore it.
///
/// ```
/// let call = linx_rtnl::neigh::list_link_call(3);
/// assert_eq!(call.request.payload().len(), 12 + 8);
/// ```
pub fn list_link_call(index: u32) -> Call<NeighDecoder> {
    let mut p = vec![0u8; NdMsg::LEN];
    // Cannot fail: a 4-byte attribute.
    let _ = AttrWriter::new(&mut p).put_u32(NDA_IFINDEX, index);
    Call::new(
        Request::dump(RTM_GETNEIGH, p).with_header_len(NdMsg::LEN),
        Neighbour::from_msg as NeighDecoder,
    )
}

// ------------------------------------------------------------------------------- verbs

verb! {
    /// Every neighbour entry (ARP and NDP) of the socket's namespace.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for n in linx_rtnl::neigh::list(&sock)? {
    ///     println!("{n}"); // Neighbour<192.168.1.1 lladdr aa:bb:cc:dd:ee:ff dev 2 REACHABLE>
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Neighbour> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The neighbour entries of the link named `link` (filtered by the kernel, and again
    /// here).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let n = linx_rtnl::neigh::list_link(&sock, "eth0")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list_link(sock, link: &str) -> Dumped<Neighbour> {
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let mut dumped = sock.collect(list_link_call(index)).await?;
        dumped.retain(|n| n.index == index);
        Ok(dumped)
    }
}

verb! {
    /// Add a permanent (static) entry `ip` → `mac` on `link` (`NLM_F_CREATE | NLM_F_EXCL`:
    /// `EEXIST` if the entry exists). The family (ARP or NDP) comes from `ip`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::neigh::add(&sock, "eth0", "10.0.0.10", "02:aa:bb:cc:dd:ee")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(sock, link: &str, ip: impl IntoIp, mac: impl IntoMac) -> () {
        let (ip, mac) = (ip.into_ip()?, mac.into_mac()?);
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = add_request(index, ip, mac)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Create or overwrite the entry `ip` → `mac` on `link` with `state` (e.g.
    /// [`NudState::REACHABLE`], [`NudState::STALE`], [`NudState::NOARP`],
    /// [`NudState::PERMANENT`]; exactly one state) — `NLM_F_CREATE | NLM_F_REPLACE`.
    ///
    /// ```no_run
    /// use linx_rtnl::neigh::{self, NudState};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// neigh::replace(&sock, "eth0", "10.0.0.10", "02:aa:bb:cc:dd:ee", NudState::STALE)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replace(sock, link: &str, ip: impl IntoIp, mac: impl IntoMac, state: NudState) -> () {
        let (ip, mac) = (ip.into_ip()?, mac.into_mac()?);
        // Check the state before the name lookup goes to the kernel.
        check_state(state)?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = replace_request(index, ip, mac, state)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Delete the entry for `ip` on `link`; `ENOENT` if there is none.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::neigh::delete(&sock, "eth0", "10.0.0.10")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delete(sock, link: &str, ip: impl IntoIp) -> () {
        let ip = ip.into_ip()?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = delete_request(index, ip)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}
