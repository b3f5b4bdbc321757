//! The neighbour message: the `NDA_*` attribute ids, `struct ndmsg`, and [`Neighbour`]
//! with its one attribute declaration (`typed_attrs!`), from which its decoder, encoder and
//! length come.
//!
//! # Contract
//! - `NDA_DST` of an `AF_INET` entry is exactly 4 bytes and of an `AF_INET6` entry exactly
//!   16; anything else is a `BadSize` error located at the attribute. Entries of any other
//!   family (bridge FDB, `AF_BRIDGE`) keep every attribute raw.
//! - The first occurrence of a declared attribute is typed; duplicates, unknown types and
//!   known types with flag bits stay in [`Neighbour::other`]; the order of arrival is kept
//!   in [`Neighbour::wire_order`], so `emit(parse(bytes)) == bytes`.
//! - A value built in code emits `NDA_DST`, `NDA_LLADDR`, `NDA_PROBES`, `NDA_CACHEINFO`
//!   (the kernel's order, `neigh_fill_info`), then `other`.

use std::fmt;

use linx_ip::{Ip, Mac};
use linx_netlink_codec::consts::{AF_INET, AF_INET6};
use linx_netlink_codec::decl::walk;
use linx_netlink_codec::{
    AttrWriter, DecodeCx, DecodeError, FixedHeader, MsgView, NlBuffer, RawAttrs, WireOrder,
    nl_header, typed_attrs,
};

use super::types::{LinkAddr, NTF_PROXY, NTF_ROUTER, NeighCacheInfo, NudState};
use crate::addr::ExactAddr;
use crate::error::Error;

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
    /// `ndm_type`: `RTN_*` ([`RTN_UNICAST`](super::RTN_UNICAST) for normal entries).
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
    /// Every other attribute (and later duplicates), as received.
    pub other: RawAttrs,
    /// The order the attributes arrived in (see [`WireOrder`]).
    pub wire_order: WireOrder,
}

// Slots in the order `neigh_fill_info` writes them.
typed_attrs! {
    impl Neighbour {
        1: NDA_DST => dst as ExactAddr,
        2: NDA_LLADDR => lladdr as LinkAddr,
        3: NDA_PROBES => probes as u32,
        4: NDA_CACHEINFO => cacheinfo as NeighCacheInfo,
    }
}

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
        let attrs = payload.get(NdMsg::LEN..).unwrap_or_default();
        let mut head = Neighbour {
            family: h.family,
            index: h.ifindex as u32,
            state: NudState::from_bits(h.state),
            flags: h.flags,
            ndm_type: h.ndm_type,
            ..Default::default()
        };
        if matches!(h.family, AF_INET | AF_INET6) {
            return Neighbour::with_attrs(head, attrs, NdMsg::LEN, DecodeCx::family(h.family));
        }
        // Another family: nothing is typed, every attribute is kept as received.
        walk(attrs, NdMsg::LEN, |raw_type, p, _| {
            // Cannot fail: the payload came with a 16-bit length, so it fits one.
            let _ = head.other.push_raw(raw_type, p);
            head.wire_order.raw();
            Ok(())
        })?;
        Ok(head)
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
        NdMsg::LEN + self.attrs_len()
    }

    /// Append the encoded payload (ndmsg + attributes): in the order received for a decoded
    /// entry, else `NDA_DST`, `NDA_LLADDR`, `NDA_PROBES`, `NDA_CACHEINFO` (the kernel's
    /// order), then [`other`](Self::other) unchanged.
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
        NdMsg {
            family: self.family,
            ifindex: self.index as i32,
            state: self.state.bits(),
            flags: self.flags,
            ndm_type: self.ndm_type,
        }
        .append(buf);
        self.emit_attrs(&mut AttrWriter::new(buf))?;
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
