//! Links (network interfaces): list, get, create, delete and change them.
//!
//! Messages are `RTM_NEWLINK` / `RTM_DELLINK` / `RTM_GETLINK` / `RTM_SETLINK` with a
//! `struct ifinfomsg` header and `IFLA_*` attributes:
//!
//! ```text
//!  0      1      2          4            8            12           16
//! +------+------+----------+------------+------------+------------+----------------+
//! |family| pad  | type u16 | index s32  | flags u32  | change u32 | IFLA_* attrs...|
//! +------+------+----------+------------+------------+------------+----------------+
//!   all host order (<linux/rtnetlink.h>, <linux/if_link.h>)
//! ```
//!
//! # Contract
//! - [`Link`] keeps every attribute: the modelled ones as typed fields, the rest (statistics,
//!   `IFLA_AF_SPEC`, ...) as wire bytes in [`Link::other`]. [`LinkData::Other`] keeps the
//!   `IFLA_INFO_DATA` of kinds this crate does not model.
//! - Changes touch only what they name: [`set_up`] changes only `IFF_UP` (flags + change
//!   mask), [`set_mtu`] sends only the MTU.
//! - Creating a kind the kernel lacks fails with [`Error::KindNotSupported`].
//!
//! # See also
//! rtnetlink(7), ip-link(8).

use linx_netlink_codec::Dumped;
use std::fmt;

use linx_ip::{IntoMac, Ip, Mac};
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    AttrIter, AttrView, AttrWriter, Call, DecodeError, EncodeError, Errno, FixedHeader, MsgView,
    NlBuffer, RawAttrs, Request, Transport,
};
use linx_netlink_sys::Netns;

use crate::decode::{first, ip_val, val};
use crate::error::{Error, about, no_such, on_link};
pub(crate) use crate::ifindex::index_of;
pub use crate::ifindex::{IFNAMSIZ, IfInfoMsg};
use crate::ifindex::{by_name, check_name, header};
use crate::route::{WireOrder, emit_ordered};
use crate::verb::verb;

/// `IFLA_ADDRESS`: hardware address.
pub const IFLA_ADDRESS: u16 = 1;
/// `IFLA_BROADCAST`: hardware broadcast address.
pub const IFLA_BROADCAST: u16 = 2;
/// `IFLA_LINK`: index of the parent link.
pub const IFLA_LINK: u16 = 5;
/// `IFLA_MASTER`: index of the master (bridge, bond) link.
pub const IFLA_MASTER: u16 = 10;
/// `IFLA_TXQLEN`: transmit queue length.
pub const IFLA_TXQLEN: u16 = 13;
/// `IFLA_OPERSTATE`: RFC 2863 operational state.
pub const IFLA_OPERSTATE: u16 = 16;
/// `IFLA_LINKINFO`: nested kind and kind-specific data.
pub const IFLA_LINKINFO: u16 = 18;
/// `IFLA_NET_NS_PID`: move to the network namespace of this process.
pub const IFLA_NET_NS_PID: u16 = 19;
/// `IFLA_IFALIAS`: free-form alias.
pub const IFLA_IFALIAS: u16 = 20;
/// `IFLA_NET_NS_FD`: move to the network namespace of this file descriptor.
pub const IFLA_NET_NS_FD: u16 = 28;
/// `IFLA_CARRIER`: carrier state.
pub const IFLA_CARRIER: u16 = 33;
/// `IFLA_LINK_NETNSID`: namespace id of the parent link's namespace.
pub const IFLA_LINK_NETNSID: u16 = 37;
/// `IFLA_MIN_MTU`.
pub const IFLA_MIN_MTU: u16 = 50;
/// `IFLA_MAX_MTU`.
pub const IFLA_MAX_MTU: u16 = 51;
/// `IFLA_PERM_ADDRESS`: permanent hardware address.
pub const IFLA_PERM_ADDRESS: u16 = 54;
/// `IFLA_INFO_KIND`.
pub const IFLA_INFO_KIND: u16 = 1;
/// `IFLA_INFO_DATA`.
pub const IFLA_INFO_DATA: u16 = 2;
/// `IFLA_INFO_SLAVE_KIND`.
pub const IFLA_INFO_SLAVE_KIND: u16 = 4;
/// `VETH_INFO_PEER`: the peer, as a whole ifinfomsg + attributes.
pub const VETH_INFO_PEER: u16 = 1;
/// `IFLA_MACVLAN_MODE`.
pub const IFLA_MACVLAN_MODE: u16 = 1;
/// `IFLA_IPVLAN_MODE`.
pub const IFLA_IPVLAN_MODE: u16 = 1;
/// `IFLA_VLAN_ID`.
pub const IFLA_VLAN_ID: u16 = 1;
/// `IFLA_VLAN_PROTOCOL` (big-endian ethertype).
pub const IFLA_VLAN_PROTOCOL: u16 = 5;
/// `IFLA_VXLAN_ID`: the VNI.
pub const IFLA_VXLAN_ID: u16 = 1;
/// `IFLA_VXLAN_GROUP`: IPv4 multicast group or unicast remote.
pub const IFLA_VXLAN_GROUP: u16 = 2;
/// `IFLA_VXLAN_LINK`: underlay device index.
pub const IFLA_VXLAN_LINK: u16 = 3;
/// `IFLA_VXLAN_LOCAL`: IPv4 source address.
pub const IFLA_VXLAN_LOCAL: u16 = 4;
/// `IFLA_VXLAN_TTL`.
pub const IFLA_VXLAN_TTL: u16 = 5;
/// `IFLA_VXLAN_LEARNING`.
pub const IFLA_VXLAN_LEARNING: u16 = 7;
/// `IFLA_VXLAN_PORT`: UDP destination port (big-endian).
pub const IFLA_VXLAN_PORT: u16 = 15;
/// `IFLA_VXLAN_GROUP6`: IPv6 group or remote.
pub const IFLA_VXLAN_GROUP6: u16 = 16;
/// `IFLA_VXLAN_LOCAL6`: IPv6 source address.
pub const IFLA_VXLAN_LOCAL6: u16 = 17;
/// `IFF_UP`: administratively up.
pub const IFF_UP: u32 = 0x1;
/// `IFF_LOOPBACK`.
pub const IFF_LOOPBACK: u32 = 0x8;
/// `IFF_LOWER_UP`: the driver signals L1 up.
pub const IFF_LOWER_UP: u32 = 0x1_0000;

/// A network interface as the kernel reports it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Link {
    /// Interface index.
    pub index: u32,
    /// `ARPHRD_*` device type (1 = Ethernet, 772 = loopback).
    pub link_type: u16,
    /// `IFF_*` flags.
    pub flags: u32,
    /// `IFLA_IFNAME`.
    pub name: String,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_ADDRESS`, when it is a 6-byte MAC (other lengths stay in [`other`](Self::other)).
    pub address: Option<Mac>,
    /// `IFLA_BROADCAST`, when it is a 6-byte MAC.
    pub broadcast: Option<Mac>,
    /// `IFLA_PERM_ADDRESS`, when it is a 6-byte MAC.
    pub perm_address: Option<Mac>,
    /// `IFLA_LINK`: parent link index (veth peer, macvlan/vlan parent ...).
    pub parent: Option<u32>,
    /// `IFLA_LINK_NETNSID`: the parent lives in this other namespace.
    pub link_netnsid: Option<i32>,
    /// `IFLA_MASTER`: master link index (bridge, bond).
    pub master: Option<u32>,
    /// `IFLA_TXQLEN`.
    pub txqlen: Option<u32>,
    /// `IFLA_OPERSTATE`.
    pub operstate: Option<OperState>,
    /// `IFLA_CARRIER`.
    pub carrier: Option<bool>,
    /// `IFLA_IFALIAS`.
    pub alias: Option<String>,
    /// `IFLA_MIN_MTU`.
    pub min_mtu: Option<u32>,
    /// `IFLA_MAX_MTU`.
    pub max_mtu: Option<u32>,
    /// `IFLA_LINKINFO`: kind and kind-specific data.
    pub info: Option<LinkInfo>,
    /// Every other attribute, as received.
    pub other: RawAttrs,
    /// The order the attributes arrived in, so [`emit`](Self::emit) gives the kernel's bytes
    /// back (empty for values built in code: canonical order).
    pub wire_order: WireOrder,
}

/// Typed slots of [`Link`] for [`WireOrder`], 1-based, in canonical emit order.
const SLOTS: u8 = 15;

fn slot_of(kind: u16) -> usize {
    match kind {
        IFLA_IFNAME => 1,
        IFLA_MTU => 2,
        IFLA_ADDRESS => 3,
        IFLA_BROADCAST => 4,
        IFLA_PERM_ADDRESS => 5,
        IFLA_LINK => 6,
        IFLA_MASTER => 7,
        IFLA_TXQLEN => 8,
        IFLA_MIN_MTU => 9,
        IFLA_MAX_MTU => 10,
        IFLA_LINK_NETNSID => 11,
        IFLA_OPERSTATE => 12,
        IFLA_CARRIER => 13,
        IFLA_IFALIAS => 14,
        _ => 15, // IFLA_LINKINFO
    }
}

/// `IFLA_OPERSTATE` values (RFC 2863).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperState {
    /// `IF_OPER_UNKNOWN` (0).
    Unknown,
    /// `IF_OPER_NOTPRESENT` (1).
    NotPresent,
    /// `IF_OPER_DOWN` (2).
    Down,
    /// `IF_OPER_LOWERLAYERDOWN` (3).
    LowerLayerDown,
    /// `IF_OPER_TESTING` (4).
    Testing,
    /// `IF_OPER_DORMANT` (5).
    Dormant,
    /// `IF_OPER_UP` (6).
    Up,
    /// A value this crate does not know.
    Other(u8),
}

impl From<u8> for OperState {
    fn from(v: u8) -> Self {
        match v {
            0 => OperState::Unknown,
            1 => OperState::NotPresent,
            2 => OperState::Down,
            3 => OperState::LowerLayerDown,
            4 => OperState::Testing,
            5 => OperState::Dormant,
            6 => OperState::Up,
            n => OperState::Other(n),
        }
    }
}

impl From<OperState> for u8 {
    fn from(v: OperState) -> u8 {
        match v {
            OperState::Unknown => 0,
            OperState::NotPresent => 1,
            OperState::Down => 2,
            OperState::LowerLayerDown => 3,
            OperState::Testing => 4,
            OperState::Dormant => 5,
            OperState::Up => 6,
            OperState::Other(n) => n,
        }
    }
}

impl OperState {
    /// The name `ip -j link` prints (`"UP"`, `"DOWN"`, `"UNKNOWN"` ...).
    ///
    /// ```
    /// assert_eq!(linx_rtnl::link::OperState::Up.as_str(), "UP");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            OperState::Unknown | OperState::Other(_) => "UNKNOWN",
            OperState::NotPresent => "NOTPRESENT",
            OperState::Down => "DOWN",
            OperState::LowerLayerDown => "LOWERLAYERDOWN",
            OperState::Testing => "TESTING",
            OperState::Dormant => "DORMANT",
            OperState::Up => "UP",
        }
    }
}

/// `IFLA_LINKINFO`: what kind of link this is, and its kind-specific data.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LinkInfo {
    /// `IFLA_INFO_KIND` (`"veth"`, `"bridge"` ...).
    pub kind: Option<String>,
    /// `IFLA_INFO_DATA`, decoded by kind.
    pub data: Option<LinkData>,
    /// `IFLA_INFO_SLAVE_KIND`: the master's kind, for ports (`"bridge"`).
    pub slave_kind: Option<String>,
    /// Other `IFLA_INFO_*` attributes (slave data, xstats), as received.
    pub other: RawAttrs,
}

/// `IFLA_INFO_DATA`, decoded according to `IFLA_INFO_KIND`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkData {
    /// veth: the peer (present in requests; the kernel does not report it in dumps).
    Veth {
        /// `VETH_INFO_PEER`.
        peer: Option<Box<Link>>,
        /// Other attributes.
        other: RawAttrs,
    },
    /// macvlan / macvtap.
    Macvlan {
        /// `IFLA_MACVLAN_MODE`.
        mode: Option<MacvlanMode>,
        /// Other attributes.
        other: RawAttrs,
    },
    /// ipvlan.
    Ipvlan {
        /// `IFLA_IPVLAN_MODE`.
        mode: Option<IpvlanMode>,
        /// Other attributes.
        other: RawAttrs,
    },
    /// 802.1Q VLAN.
    Vlan {
        /// `IFLA_VLAN_ID`.
        id: Option<u16>,
        /// `IFLA_VLAN_PROTOCOL` (ethertype, host value: 0x8100 or 0x88a8).
        protocol: Option<u16>,
        /// Other attributes.
        other: RawAttrs,
    },
    /// VXLAN.
    Vxlan(Vxlan),
    /// Any other kind (bridge, tun, ...): the attribute list as received.
    Other(Vec<u8>),
}

/// VXLAN parameters.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Vxlan {
    /// `IFLA_VXLAN_ID`: the VNI (24 bits).
    pub vni: Option<u32>,
    /// `IFLA_VXLAN_PORT`: UDP destination port.
    pub port: Option<u16>,
    /// `IFLA_VXLAN_GROUP`/`GROUP6`: multicast group, or unicast remote.
    pub remote: Option<Ip>,
    /// `IFLA_VXLAN_LOCAL`/`LOCAL6`: source address.
    pub local: Option<Ip>,
    /// `IFLA_VXLAN_LINK`: underlay device index.
    pub underlay: Option<u32>,
    /// `IFLA_VXLAN_TTL`.
    pub ttl: Option<u8>,
    /// `IFLA_VXLAN_LEARNING`.
    pub learning: Option<bool>,
    /// Other attributes.
    pub other: RawAttrs,
}

/// macvlan modes (`enum macvlan_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacvlanMode {
    /// `MACVLAN_MODE_PRIVATE` (1): no traffic between macvlans of one parent.
    Private,
    /// `MACVLAN_MODE_VEPA` (2): traffic between macvlans goes out through the switch.
    Vepa,
    /// `MACVLAN_MODE_BRIDGE` (4): macvlans of one parent talk directly.
    Bridge,
    /// `MACVLAN_MODE_PASSTHRU` (8): one macvlan takes over the parent.
    Passthru,
    /// `MACVLAN_MODE_SOURCE` (16).
    Source,
    /// A value this crate does not know.
    Other(u32),
}

impl From<u32> for MacvlanMode {
    fn from(v: u32) -> Self {
        match v {
            1 => Self::Private,
            2 => Self::Vepa,
            4 => Self::Bridge,
            8 => Self::Passthru,
            16 => Self::Source,
            n => Self::Other(n),
        }
    }
}

impl From<MacvlanMode> for u32 {
    fn from(v: MacvlanMode) -> u32 {
        match v {
            MacvlanMode::Private => 1,
            MacvlanMode::Vepa => 2,
            MacvlanMode::Bridge => 4,
            MacvlanMode::Passthru => 8,
            MacvlanMode::Source => 16,
            MacvlanMode::Other(n) => n,
        }
    }
}

/// ipvlan modes (`enum ipvlan_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpvlanMode {
    /// `IPVLAN_MODE_L2` (0).
    L2,
    /// `IPVLAN_MODE_L3` (1).
    L3,
    /// `IPVLAN_MODE_L3S` (2).
    L3s,
    /// A value this crate does not know.
    Other(u16),
}

impl From<u16> for IpvlanMode {
    fn from(v: u16) -> Self {
        match v {
            0 => Self::L2,
            1 => Self::L3,
            2 => Self::L3s,
            n => Self::Other(n),
        }
    }
}

impl From<IpvlanMode> for u16 {
    fn from(v: IpvlanMode) -> u16 {
        match v {
            IpvlanMode::L2 => 0,
            IpvlanMode::L3 => 1,
            IpvlanMode::L3s => 2,
            IpvlanMode::Other(n) => n,
        }
    }
}

// ------------------------------------------------------------------------------- decoding

fn mac_or_raw(slot: &mut Option<Mac>, a: &AttrView<'_>, other: &mut RawAttrs) {
    match Mac::from_bytes(a.payload()) {
        Some(m) if slot.is_none() => *slot = Some(m),
        _ => other.push(a),
    }
}

impl Link {
    /// Decode an `RTM_NEWLINK` payload (after `nlmsghdr`).
    ///
    /// ```
    /// use linx_rtnl::Link;
    /// let mut payload = vec![0u8; 16];
    /// payload[4] = 1; // index 1
    /// payload.extend_from_slice(&[7, 0, 3, 0, b'l', b'o', 0, 0]); // IFLA_IFNAME "lo"
    /// let l = Link::parse(&payload).unwrap();
    /// assert_eq!((l.index, l.name.as_str()), (1, "lo"));
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Link, DecodeError> {
        let h = IfInfoMsg::parse(payload)?;
        let mut l = Link {
            index: h.index as u32,
            link_type: h.link_type,
            flags: h.flags,
            // Link dumps carry many attributes this type does not model (stats, AF_SPEC):
            // one allocation for all of them instead of a growth series.
            other: RawAttrs::with_capacity(payload.len()),
            ..Default::default()
        };
        let base = IfInfoMsg::LEN;
        let mut name = None;
        for a in AttrIter::new(&payload[base..]) {
            let a = a.map_err(|mut e| {
                e.offset += base;
                e
            })?;
            let kept_raw = l.other.as_bytes().len();
            let o = &mut l.other;
            match a.kind() {
                IFLA_IFNAME => first(&mut name, val::<String>(&a, base)?, &a, o),
                IFLA_MTU => first(&mut l.mtu, val(&a, base)?, &a, o),
                IFLA_ADDRESS => mac_or_raw(&mut l.address, &a, o),
                IFLA_BROADCAST => mac_or_raw(&mut l.broadcast, &a, o),
                IFLA_PERM_ADDRESS => mac_or_raw(&mut l.perm_address, &a, o),
                IFLA_LINK => first(&mut l.parent, val(&a, base)?, &a, o),
                IFLA_LINK_NETNSID => first(&mut l.link_netnsid, val(&a, base)?, &a, o),
                IFLA_MASTER => first(&mut l.master, val(&a, base)?, &a, o),
                IFLA_TXQLEN => first(&mut l.txqlen, val(&a, base)?, &a, o),
                IFLA_OPERSTATE => first(&mut l.operstate, val::<u8>(&a, base)?.into(), &a, o),
                IFLA_CARRIER => first(&mut l.carrier, val::<u8>(&a, base)? != 0, &a, o),
                IFLA_IFALIAS => first(&mut l.alias, val(&a, base)?, &a, o),
                IFLA_MIN_MTU => first(&mut l.min_mtu, val(&a, base)?, &a, o),
                IFLA_MAX_MTU => first(&mut l.max_mtu, val(&a, base)?, &a, o),
                IFLA_LINKINFO => {
                    let info = LinkInfo::parse(a.payload())
                        .map_err(|e| e.within(a.kind(), base + a.offset() + 4))?;
                    first(&mut l.info, info, &a, o)
                }
                _ => o.push(&a),
            }
            if l.other.as_bytes().len() > kept_raw {
                l.wire_order.raw();
            } else {
                l.wire_order.typed(slot_of(a.kind()));
            }
        }
        l.name = name.unwrap_or_default();
        Ok(l)
    }

    /// Decode a reply message (`RTM_NEWLINK`).
    pub fn from_msg(m: &MsgView<'_>) -> Result<Link, DecodeError> {
        Link::parse(m.payload())
    }

    /// Whether `IFF_UP` is set.
    ///
    /// ```
    /// let l = linx_rtnl::Link { flags: 1, ..Default::default() };
    /// assert!(l.is_up());
    /// ```
    pub fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
    }

    /// The link kind (`"veth"`, `"bridge"` ...), if the kernel reported one.
    pub fn kind(&self) -> Option<&str> {
        self.info.as_ref()?.kind.as_deref()
    }

    /// Append the encoded payload (ifinfomsg + attributes). Modelled attributes come first
    /// in a fixed order, then [`other`](Self::other) unchanged.
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), Error> {
        Ok(self.emit_payload(buf)?)
    }

    fn emit_payload<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        let h = IfInfoMsg {
            family: 0,
            link_type: self.link_type,
            index: self.index as i32,
            flags: self.flags,
            change: 0,
        };
        let start = buf.len();
        buf.put_zeros(IfInfoMsg::LEN);
        h.emit(&mut buf.as_mut_slice()[start..]);
        let mut w = AttrWriter::new(buf);
        emit_ordered(&self.wire_order, &self.other, SLOTS, &mut w, |t, w| {
            self.emit_slot(t, w)
        })
    }

    fn emit_slot<B: NlBuffer + ?Sized>(
        &self,
        slot: u8,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        let mac = |w: &mut AttrWriter<'_, B>, t, m: Option<Mac>| match m {
            Some(m) => w.put(t, m.as_bytes()),
            None => Ok(()),
        };
        let u32_ = |w: &mut AttrWriter<'_, B>, t, v: Option<u32>| match v {
            Some(v) => w.put_u32(t, v),
            None => Ok(()),
        };
        match slot {
            1 if !self.name.is_empty() => w.put_str(IFLA_IFNAME, &self.name),
            2 => u32_(w, IFLA_MTU, self.mtu),
            3 => mac(w, IFLA_ADDRESS, self.address),
            4 => mac(w, IFLA_BROADCAST, self.broadcast),
            5 => mac(w, IFLA_PERM_ADDRESS, self.perm_address),
            6 => u32_(w, IFLA_LINK, self.parent),
            7 => u32_(w, IFLA_MASTER, self.master),
            8 => u32_(w, IFLA_TXQLEN, self.txqlen),
            9 => u32_(w, IFLA_MIN_MTU, self.min_mtu),
            10 => u32_(w, IFLA_MAX_MTU, self.max_mtu),
            11 => match self.link_netnsid {
                Some(v) => w.put(IFLA_LINK_NETNSID, &v.to_ne_bytes()),
                None => Ok(()),
            },
            12 => match self.operstate {
                Some(v) => w.put_u8(IFLA_OPERSTATE, v.into()),
                None => Ok(()),
            },
            13 => match self.carrier {
                Some(v) => w.put_u8(IFLA_CARRIER, v as u8),
                None => Ok(()),
            },
            14 => match &self.alias {
                Some(v) => w.put_str(IFLA_IFALIAS, v),
                None => Ok(()),
            },
            15 => match &self.info {
                Some(info) => {
                    let n = w.begin_nest(IFLA_LINKINFO, false);
                    info.emit(w)?;
                    w.end_nest(n)
                }
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

impl LinkInfo {
    /// Decode the payload of `IFLA_LINKINFO`.
    pub fn parse(buf: &[u8]) -> Result<LinkInfo, DecodeError> {
        let mut info = LinkInfo::default();
        let mut data = None;
        for a in AttrIter::new(buf) {
            let a = a?;
            match a.kind() {
                IFLA_INFO_KIND => first(&mut info.kind, val(&a, 0)?, &a, &mut info.other),
                IFLA_INFO_SLAVE_KIND => {
                    first(&mut info.slave_kind, val(&a, 0)?, &a, &mut info.other)
                }
                IFLA_INFO_DATA if data.is_none() => data = Some(a),
                _ => info.other.push(&a),
            }
        }
        if let Some(a) = data {
            let d = LinkData::parse(info.kind.as_deref(), a.payload())
                .map_err(|e| e.within(a.kind(), a.offset() + 4))?;
            info.data = Some(d);
        }
        Ok(info)
    }

    fn emit<B: NlBuffer + ?Sized>(&self, w: &mut AttrWriter<'_, B>) -> Result<(), EncodeError> {
        if let Some(k) = &self.kind {
            w.put_str(IFLA_INFO_KIND, k)?;
        }
        if let Some(d) = &self.data {
            let n = w.begin_nest(IFLA_INFO_DATA, false);
            d.emit(w)?;
            w.end_nest(n)?;
        }
        if let Some(k) = &self.slave_kind {
            w.put_str(IFLA_INFO_SLAVE_KIND, k)?;
        }
        self.other.emit(w.buffer());
        Ok(())
    }
}

impl LinkData {
    /// Decode `IFLA_INFO_DATA` for `kind`; kinds not modelled (or no kind) keep raw bytes.
    pub fn parse(kind: Option<&str>, buf: &[u8]) -> Result<LinkData, DecodeError> {
        let mut other = RawAttrs::default();
        let attrs = || AttrIter::new(buf);
        Ok(match kind {
            Some("veth") => {
                let mut peer = None;
                for a in attrs() {
                    let a = a?;
                    match a.kind() {
                        VETH_INFO_PEER if peer.is_none() => {
                            let l = Link::parse(a.payload())
                                .map_err(|e| e.within(a.kind(), a.offset() + 4))?;
                            peer = Some(Box::new(l));
                        }
                        _ => other.push(&a),
                    }
                }
                LinkData::Veth { peer, other }
            }
            Some("macvlan" | "macvtap") => {
                let mut mode = None;
                for a in attrs() {
                    let a = a?;
                    match a.kind() {
                        IFLA_MACVLAN_MODE => {
                            first(&mut mode, val::<u32>(&a, 0)?.into(), &a, &mut other)
                        }
                        _ => other.push(&a),
                    }
                }
                LinkData::Macvlan { mode, other }
            }
            Some("ipvlan" | "ipvtap") => {
                let mut mode = None;
                for a in attrs() {
                    let a = a?;
                    match a.kind() {
                        IFLA_IPVLAN_MODE => {
                            first(&mut mode, val::<u16>(&a, 0)?.into(), &a, &mut other)
                        }
                        _ => other.push(&a),
                    }
                }
                LinkData::Ipvlan { mode, other }
            }
            Some("vlan") => {
                let (mut id, mut protocol) = (None, None);
                for a in attrs() {
                    let a = a?;
                    match a.kind() {
                        IFLA_VLAN_ID => first(&mut id, val(&a, 0)?, &a, &mut other),
                        IFLA_VLAN_PROTOCOL => first(
                            &mut protocol,
                            val::<linx_netlink_codec::Be16>(&a, 0)?.0,
                            &a,
                            &mut other,
                        ),
                        _ => other.push(&a),
                    }
                }
                LinkData::Vlan {
                    id,
                    protocol,
                    other,
                }
            }
            Some("vxlan") => {
                let mut v = Vxlan::default();
                for a in attrs() {
                    let a = a?;
                    let o = &mut v.other;
                    match a.kind() {
                        IFLA_VXLAN_ID => first(&mut v.vni, val(&a, 0)?, &a, o),
                        IFLA_VXLAN_PORT => first(
                            &mut v.port,
                            val::<linx_netlink_codec::Be16>(&a, 0)?.0,
                            &a,
                            o,
                        ),
                        IFLA_VXLAN_GROUP => first(&mut v.remote, ip_val(&a, 0, 4)?, &a, o),
                        IFLA_VXLAN_GROUP6 => first(&mut v.remote, ip_val(&a, 0, 16)?, &a, o),
                        IFLA_VXLAN_LOCAL => first(&mut v.local, ip_val(&a, 0, 4)?, &a, o),
                        IFLA_VXLAN_LOCAL6 => first(&mut v.local, ip_val(&a, 0, 16)?, &a, o),
                        IFLA_VXLAN_LINK => first(&mut v.underlay, val(&a, 0)?, &a, o),
                        IFLA_VXLAN_TTL => first(&mut v.ttl, val(&a, 0)?, &a, o),
                        IFLA_VXLAN_LEARNING => {
                            first(&mut v.learning, val::<u8>(&a, 0)? != 0, &a, o)
                        }
                        _ => o.push(&a),
                    }
                }
                LinkData::Vxlan(v)
            }
            _ => LinkData::Other(buf.to_vec()),
        })
    }

    fn emit<B: NlBuffer + ?Sized>(&self, w: &mut AttrWriter<'_, B>) -> Result<(), EncodeError> {
        match self {
            LinkData::Veth { peer, other } => {
                if let Some(p) = peer {
                    let n = w.begin_nest(VETH_INFO_PEER, false);
                    p.emit_payload(w.buffer())?;
                    w.end_nest(n)?;
                }
                other.emit(w.buffer());
            }
            LinkData::Macvlan { mode, other } => {
                if let Some(m) = mode {
                    w.put_u32(IFLA_MACVLAN_MODE, (*m).into())?;
                }
                other.emit(w.buffer());
            }
            LinkData::Ipvlan { mode, other } => {
                if let Some(m) = mode {
                    w.put_u16(IFLA_IPVLAN_MODE, (*m).into())?;
                }
                other.emit(w.buffer());
            }
            LinkData::Vlan {
                id,
                protocol,
                other,
            } => {
                if let Some(id) = id {
                    w.put_u16(IFLA_VLAN_ID, *id)?;
                }
                if let Some(p) = protocol {
                    w.put_be16(IFLA_VLAN_PROTOCOL, *p)?;
                }
                other.emit(w.buffer());
            }
            LinkData::Vxlan(v) => {
                if let Some(x) = v.vni {
                    w.put_u32(IFLA_VXLAN_ID, x)?;
                }
                for (t4, t6, ip) in [
                    (IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, v.remote),
                    (IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, v.local),
                ] {
                    if let Some(ip) = ip {
                        w.put(if ip.is_ipv4() { t4 } else { t6 }, ip.as_bytes())?;
                    }
                }
                if let Some(x) = v.underlay {
                    w.put_u32(IFLA_VXLAN_LINK, x)?;
                }
                if let Some(x) = v.ttl {
                    w.put_u8(IFLA_VXLAN_TTL, x)?;
                }
                if let Some(x) = v.learning {
                    w.put_u8(IFLA_VXLAN_LEARNING, x as u8)?;
                }
                if let Some(p) = v.port {
                    w.put_be16(IFLA_VXLAN_PORT, p)?;
                }
                v.other.emit(w.buffer());
            }
            LinkData::Other(b) => w.buffer().put_slice(b),
        }
        Ok(())
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Link<{:?} ({}) {}",
            self.name,
            self.index,
            if self.is_up() { "UP" } else { "DOWN" }
        )?;
        if let Some(m) = self.mtu {
            write!(f, " MTU={m}")?;
        }
        if let Some(k) = self.kind() {
            write!(f, " kind={k}")?;
        }
        f.write_str(">")
    }
}

/// `{:?}` prints the short form (`Link<"lo" (1) UP MTU=65536>`); `{:#?}` every field.
impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        f.debug_struct("Link")
            .field("index", &self.index)
            .field("name", &self.name)
            .field("link_type", &self.link_type)
            .field("flags", &format_args!("{:#x}", self.flags))
            .field("mtu", &self.mtu)
            .field("address", &self.address)
            .field("broadcast", &self.broadcast)
            .field("perm_address", &self.perm_address)
            .field("parent", &self.parent)
            .field("link_netnsid", &self.link_netnsid)
            .field("master", &self.master)
            .field("txqlen", &self.txqlen)
            .field("operstate", &self.operstate)
            .field("carrier", &self.carrier)
            .field("alias", &self.alias)
            .field("min_mtu", &self.min_mtu)
            .field("max_mtu", &self.max_mtu)
            .field("info", &self.info)
            .field("other", &self.other)
            .finish()
    }
}

// ------------------------------------------------------------------------------- requests

/// The decoder of link dumps: [`Link::from_msg`].
pub type LinkDecoder = fn(&MsgView<'_>) -> Result<Link, DecodeError>;

/// The call behind [`list`]: an `RTM_GETLINK` dump decoded into [`Link`]s. Use it to stream
/// ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::link::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<LinkDecoder> {
    let mut p = header(0, 0, 0);
    // Cannot fail: a 4-byte attribute.
    let _ = AttrWriter::new(&mut p).put_u32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
    Call::new(
        Request::dump(RTM_GETLINK, p).with_header_len(IfInfoMsg::LEN),
        Link::from_msg as LinkDecoder,
    )
}

verb! {
    /// All links of the socket's namespace. Like every `list` verb it returns a
    /// [`Dumped`]: the items (it reads like a `Vec`) and how many times the kernel
    /// interrupted the dump (`NLM_F_DUMP_INTR`) before a consistent one came through. The
    /// bound on those restarts is the request's: set it through [`list_call`].
    ///
    /// ```no_run
    /// use linx_netlink_codec::Call;
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let links = linx_rtnl::link::list(&sock)?;
    /// println!("{} links after {} restarts", links.len(), links.retries);
    /// // A tighter bound than the default (engine::DEFAULT_DUMP_RETRIES):
    /// let links = linx_rtnl::link::list_call().map_request(|r| r.with_dump_retries(3)).collect(&sock)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Link> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The link named `name`; `ENODEV` reads `no such interface "name"`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo = linx_rtnl::link::get(&sock, "lo")?;
    /// assert!(lo.is_up());
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn get(sock, name: &str) -> Link {
        get_link(sock, name).await.map_err(|e| on_link(e, name))
    }
}

pub(crate) async fn get_link<S: Transport>(sock: &S, name: &str) -> Result<Link, Error> {
    let call = Call::new(by_name(RTM_GETLINK, 0, name)?, Link::from_msg);
    match sock.single(call).await {
        Ok(Some(l)) => Ok(l),
        Ok(None) => Err(no_such(
            Error::Netlink(linx_netlink_codec::NetlinkError::new(Errno::ENODEV)),
            "interface",
            name,
        )),
        Err(e) => Err(no_such(e.into(), "interface", name)),
    }
}

verb! {
    /// The link with index `index`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo = linx_rtnl::link::get_by_index(&sock, 1)?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn get_by_index(sock, index: u32) -> Link {
        let req = Request::new(RTM_GETLINK, 0, header(index, 0, 0)).with_header_len(IfInfoMsg::LEN);
        match sock.single(Call::new(req, Link::from_msg)).await {
            Ok(Some(l)) => Ok(l),
            Ok(None) => Err(Error::Netlink(linx_netlink_codec::NetlinkError::new(Errno::ENODEV))),
            Err(e) => Err(no_such(e.into(), "interface index", &index.to_string())),
        }
    }
}

verb! {
    /// Whether the link named `name` is administratively up (`IFF_UP`).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// assert!(linx_rtnl::link::is_up(&sock, "lo")?);
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn is_up(sock, name: &str) -> bool {
        Ok(get_link(sock, name).await.map_err(|e| on_link(e, name))?.is_up())
    }
}

/// What kind of link [`add`] creates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewKind {
    /// A veth pair; the peer gets this name.
    Veth {
        /// Peer name.
        peer: String,
    },
    /// A bridge.
    Bridge,
    /// A dummy link.
    Dummy,
    /// A macvlan on `parent`.
    Macvlan {
        /// Parent link name.
        parent: String,
        /// Mode.
        mode: MacvlanMode,
    },
    /// An ipvlan on `parent`.
    Ipvlan {
        /// Parent link name.
        parent: String,
        /// Mode.
        mode: IpvlanMode,
    },
    /// An 802.1Q VLAN on `parent`.
    Vlan {
        /// Parent link name.
        parent: String,
        /// VLAN id, 1..=4094.
        id: u16,
    },
    /// A VXLAN.
    Vxlan {
        /// VNI, 0..2^24.
        vni: u32,
        /// UDP port (the kernel defaults to 8472 when absent; IANA's is 4789).
        port: Option<u16>,
        /// Multicast group or unicast remote.
        remote: Option<Ip>,
        /// Source address.
        local: Option<Ip>,
        /// Underlay device name.
        underlay: Option<String>,
    },
}

impl NewKind {
    /// The `IFLA_INFO_KIND` string.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::link::NewKind::Bridge.kind(), "bridge");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            NewKind::Veth { .. } => "veth",
            NewKind::Bridge => "bridge",
            NewKind::Dummy => "dummy",
            NewKind::Macvlan { .. } => "macvlan",
            NewKind::Ipvlan { .. } => "ipvlan",
            NewKind::Vlan { .. } => "vlan",
            NewKind::Vxlan { .. } => "vxlan",
        }
    }
}

/// A link to create: name, kind and optional settings. Build it, then pass it to [`add`].
///
/// ```
/// use linx_rtnl::link::{NewLink, MacvlanMode};
/// let spec = NewLink::macvlan("mv0", "eth0", MacvlanMode::Bridge).mtu(1400).up();
/// assert_eq!(spec.name(), "mv0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a NewLink does nothing until passed to link::add"]
pub struct NewLink {
    name: String,
    kind: NewKind,
    mtu: Option<u32>,
    address: Option<Result<Mac, String>>,
    master: Option<String>,
    up: bool,
}

impl NewLink {
    /// A link `name` of `kind`.
    pub fn new(name: impl Into<String>, kind: NewKind) -> Self {
        NewLink {
            name: name.into(),
            kind,
            mtu: None,
            address: None,
            master: None,
            up: false,
        }
    }
    /// A veth pair `name` ↔ `peer`.
    pub fn veth(name: impl Into<String>, peer: impl Into<String>) -> Self {
        Self::new(name, NewKind::Veth { peer: peer.into() })
    }
    /// A bridge.
    pub fn bridge(name: impl Into<String>) -> Self {
        Self::new(name, NewKind::Bridge)
    }
    /// A dummy link.
    pub fn dummy(name: impl Into<String>) -> Self {
        Self::new(name, NewKind::Dummy)
    }
    /// A macvlan on `parent`.
    pub fn macvlan(name: impl Into<String>, parent: impl Into<String>, mode: MacvlanMode) -> Self {
        Self::new(
            name,
            NewKind::Macvlan {
                parent: parent.into(),
                mode,
            },
        )
    }
    /// An ipvlan on `parent`.
    pub fn ipvlan(name: impl Into<String>, parent: impl Into<String>, mode: IpvlanMode) -> Self {
        Self::new(
            name,
            NewKind::Ipvlan {
                parent: parent.into(),
                mode,
            },
        )
    }
    /// A VLAN `id` (1..=4094, checked by [`add`]) on `parent`.
    pub fn vlan(name: impl Into<String>, parent: impl Into<String>, id: u16) -> Self {
        Self::new(
            name,
            NewKind::Vlan {
                parent: parent.into(),
                id,
            },
        )
    }
    /// A VXLAN with `vni`; set the rest with [`vxlan_remote`](Self::vxlan_remote) etc.
    pub fn vxlan(name: impl Into<String>, vni: u32) -> Self {
        Self::new(
            name,
            NewKind::Vxlan {
                vni,
                port: None,
                remote: None,
                local: None,
                underlay: None,
            },
        )
    }
    /// VXLAN: destination UDP port.
    pub fn vxlan_port(mut self, port: u16) -> Self {
        if let NewKind::Vxlan { port: p, .. } = &mut self.kind {
            *p = Some(port);
        }
        self
    }
    /// VXLAN: unicast remote or multicast group.
    pub fn vxlan_remote(mut self, ip: Ip) -> Self {
        if let NewKind::Vxlan { remote, .. } = &mut self.kind {
            *remote = Some(ip);
        }
        self
    }
    /// VXLAN: local source address.
    pub fn vxlan_local(mut self, ip: Ip) -> Self {
        if let NewKind::Vxlan { local, .. } = &mut self.kind {
            *local = Some(ip);
        }
        self
    }
    /// VXLAN: underlay device.
    pub fn vxlan_underlay(mut self, dev: impl Into<String>) -> Self {
        if let NewKind::Vxlan { underlay, .. } = &mut self.kind {
            *underlay = Some(dev.into());
        }
        self
    }
    /// Set the MTU.
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }
    /// Set the hardware address (a [`Mac`] or its string form; checked by [`add`]).
    pub fn address(mut self, mac: impl IntoMac) -> Self {
        self.address = Some(mac.into_mac().map_err(|e| e.to_string()));
        self
    }
    /// Enslave to `master` (a bridge) on creation.
    pub fn master(mut self, master: impl Into<String>) -> Self {
        self.master = Some(master.into());
        self
    }
    /// Bring the link up on creation.
    pub fn up(mut self) -> Self {
        self.up = true;
        self
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The kind.
    pub fn kind(&self) -> &NewKind {
        &self.kind
    }

    /// Check everything that can be checked without the kernel.
    pub fn validate(&self) -> Result<(), Error> {
        check_name(&self.name)?;
        if self.mtu == Some(0) {
            return Err(Error::BadOption {
                name: "mtu",
                value: "0 (must be > 0)".into(),
            });
        }
        if let Some(Err(e)) = &self.address {
            return Err(Error::BadOption {
                name: "address",
                value: e.clone(),
            });
        }
        match &self.kind {
            NewKind::Veth { peer } => check_name(peer)?,
            NewKind::Macvlan { parent, .. } | NewKind::Ipvlan { parent, .. } => check_name(parent)?,
            NewKind::Vlan { parent, id } => {
                check_name(parent)?;
                if !(1..=4094).contains(id) {
                    return Err(Error::BadOption {
                        name: "vlan id",
                        value: format!("{id} (must be 1..=4094)"),
                    });
                }
            }
            NewKind::Vxlan {
                vni,
                remote,
                local,
                underlay,
                ..
            } => {
                if *vni >= 1 << 24 {
                    return Err(Error::BadOption {
                        name: "vni",
                        value: format!("{vni} (must be < 16777216)"),
                    });
                }
                if let (Some(r), Some(l)) = (remote, local) {
                    if r.family() != l.family() {
                        return Err(Error::FamilyMismatch(format!(
                            "vxlan remote {r} and local {l}"
                        )));
                    }
                }
                if let Some(u) = underlay {
                    check_name(u)?;
                }
            }
            NewKind::Bridge | NewKind::Dummy => {}
        }
        Ok(())
    }

    /// Encode the `RTM_NEWLINK` payload, with parent/master/underlay names already resolved
    /// to indexes (`resolve` maps a name to its index).
    pub fn encode(&self, mut resolve: impl FnMut(&str) -> u32) -> Result<Vec<u8>, Error> {
        self.validate()?;
        let mut p = header(
            0,
            if self.up { IFF_UP } else { 0 },
            if self.up { IFF_UP } else { 0 },
        );
        let mut w = AttrWriter::new(&mut p);
        w.put_str(IFLA_IFNAME, &self.name)?;
        if let Some(m) = self.mtu {
            w.put_u32(IFLA_MTU, m)?;
        }
        if let Some(Ok(mac)) = &self.address {
            w.put(IFLA_ADDRESS, mac.as_bytes())?;
        }
        if let Some(m) = &self.master {
            w.put_u32(IFLA_MASTER, resolve(m))?;
        }
        match &self.kind {
            NewKind::Macvlan { parent, .. }
            | NewKind::Ipvlan { parent, .. }
            | NewKind::Vlan { parent, .. } => {
                w.put_u32(IFLA_LINK, resolve(parent))?;
            }
            _ => {}
        }
        let info = w.begin_nest(IFLA_LINKINFO, false);
        w.put_str(IFLA_INFO_KIND, self.kind.kind())?;
        let data = match &self.kind {
            NewKind::Bridge | NewKind::Dummy => None,
            NewKind::Veth { peer } => Some(LinkData::Veth {
                peer: Some(Box::new(Link {
                    name: peer.clone(),
                    ..Default::default()
                })),
                other: RawAttrs::default(),
            }),
            NewKind::Macvlan { mode, .. } => Some(LinkData::Macvlan {
                mode: Some(*mode),
                other: RawAttrs::default(),
            }),
            NewKind::Ipvlan { mode, .. } => Some(LinkData::Ipvlan {
                mode: Some(*mode),
                other: RawAttrs::default(),
            }),
            NewKind::Vlan { id, .. } => Some(LinkData::Vlan {
                id: Some(*id),
                protocol: None,
                other: RawAttrs::default(),
            }),
            NewKind::Vxlan {
                vni,
                port,
                remote,
                local,
                underlay,
            } => Some(LinkData::Vxlan(Vxlan {
                vni: Some(*vni),
                port: *port,
                remote: *remote,
                local: *local,
                underlay: underlay.as_deref().map(&mut resolve),
                ..Default::default()
            })),
        };
        if let Some(d) = data {
            let n = w.begin_nest(IFLA_INFO_DATA, false);
            d.emit(&mut w)?;
            w.end_nest(n)?;
        }
        w.end_nest(info)?;
        Ok(p)
    }

    /// The names [`encode`](Self::encode) needs resolved, with their role.
    fn names(&self) -> Vec<(&str, &'static str)> {
        let mut v = Vec::new();
        if let Some(m) = &self.master {
            v.push((m.as_str(), "master interface"));
        }
        match &self.kind {
            NewKind::Macvlan { parent, .. }
            | NewKind::Ipvlan { parent, .. }
            | NewKind::Vlan { parent, .. } => v.push((parent.as_str(), "parent interface")),
            NewKind::Vxlan {
                underlay: Some(u), ..
            } => v.push((u.as_str(), "underlay interface")),
            _ => {}
        }
        v
    }
}

verb! {
    /// Create a link (`RTM_NEWLINK` with `NLM_F_CREATE | NLM_F_EXCL`): `EEXIST` if the name is
    /// taken, [`Error::KindNotSupported`] when the kernel lacks the kind, `no such parent
    /// interface "x"` when a parent is missing.
    ///
    /// ```no_run
    /// use linx_rtnl::link::{self, NewLink};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// link::add(&sock, NewLink::veth("ve0", "ve1").mtu(9000))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add(sock, spec: NewLink) -> () {
        spec.validate()?;
        let mut idx = Vec::new();
        for (name, what) in spec.names() {
            let index = index_of(sock, name, what).await.map_err(|e| about(e, "link", spec.name()))?;
            idx.push((name.to_owned(), index));
        }
        let payload = spec.encode(|n| idx.iter().find(|(m, _)| m == n).map_or(0, |x| x.1))?;
        let req = Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, payload).with_header_len(IfInfoMsg::LEN);
        sock.ack(req).await.map_err(|e| about(kind_error(e.into(), spec.kind.kind()), "link", spec.name()))
    }
}

fn kind_error(e: Error, kind: &str) -> Error {
    match e {
        Error::Netlink(n)
            if n.errno == Errno::EOPNOTSUPP
                && n.message()
                    .is_none_or(|m| m.contains("Unknown device type")) =>
        {
            Error::KindNotSupported {
                kind: kind.to_owned(),
                source: n,
            }
        }
        other => other,
    }
}

verb! {
    /// Delete the link named `name`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::delete(&sock, "ve0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete(sock, name: &str) -> () {
        let req = delete_request(name)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

/// The `RTM_DELLINK` request [`delete`] sends.
///
/// ```
/// let req = linx_rtnl::link::delete_request("ve0").unwrap();
/// assert_eq!(req.kind(), linx_netlink_codec::consts::RTM_DELLINK);
/// ```
pub fn delete_request(name: &str) -> Result<Request, Error> {
    by_name(RTM_DELLINK, 0, name)
}

/// The `RTM_SETLINK` request [`set_up`] (`up = true`) or [`set_down`] sends: by name, only
/// `IFF_UP` in the change mask.
///
/// ```
/// let req = linx_rtnl::link::set_up_request("ve0", true).unwrap();
/// assert_eq!(&req.payload()[8..16], &[1, 0, 0, 0, 1, 0, 0, 0]);
/// ```
pub fn set_up_request(name: &str, up: bool) -> Result<Request, Error> {
    set_req(name, if up { IFF_UP } else { 0 }, IFF_UP, |_| Ok(()))
}

/// The `RTM_SETLINK` request [`set_mtu`] sends: by name, only `IFLA_MTU`.
///
/// ```
/// assert!(linx_rtnl::link::set_mtu_request("ve0", 0).is_err());
/// ```
pub fn set_mtu_request(name: &str, mtu: u32) -> Result<Request, Error> {
    if mtu == 0 {
        return Err(Error::BadOption {
            name: "mtu",
            value: "0 (must be > 0)".into(),
        });
    }
    set_req(name, 0, 0, |w| Ok(w.put_u32(IFLA_MTU, mtu)?))
}

/// An `RTM_SETLINK` for `name` with extra attributes written by `f`.
fn set_req(
    name: &str,
    flags: u32,
    change: u32,
    f: impl FnOnce(&mut AttrWriter<'_, Vec<u8>>) -> Result<(), Error>,
) -> Result<Request, Error> {
    check_name(name)?;
    let mut p = header(0, flags, change);
    let mut w = AttrWriter::new(&mut p);
    w.put_str(IFLA_IFNAME, name)?;
    f(&mut w)?;
    Ok(Request::new(RTM_SETLINK, 0, p).with_header_len(IfInfoMsg::LEN))
}

verb! {
    /// Bring `name` up: only `IFF_UP` changes.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_up(&sock, "lo")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_up(sock, name: &str) -> () {
        let req = set_up_request(name, true)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Bring `name` down: only `IFF_UP` changes.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_down(&sock, "ve0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_down(sock, name: &str) -> () {
        let req = set_up_request(name, false)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Set the MTU of `name` (must be > 0; the kernel enforces the device's range).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_mtu(&sock, "ve0", 9000)?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_mtu(sock, name: &str, mtu: u32) -> () {
        let req = set_mtu_request(name, mtu)?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Rename `name` to `new_name` (the link must be down).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_name(&sock, "ve0", "uplink")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_name(sock, name: &str, new_name: &str) -> () {
        check_name(new_name)?;
        let index = index_of(sock, name, "interface").await.map_err(|e| on_link(e, name))?;
        let mut p = header(index, 0, 0);
        AttrWriter::new(&mut p).put_str(IFLA_IFNAME, new_name)?;
        let req = Request::new(RTM_SETLINK, 0, p).with_header_len(IfInfoMsg::LEN);
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Set the hardware address of `name` (a [`Mac`] or its string form).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_address(&sock, "ve0", "02:00:00:00:00:01")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_address(sock, name: &str, mac: impl IntoMac) -> () {
        let mac = mac.into_mac()?;
        let req = set_req(name, 0, 0, |w| Ok(w.put(IFLA_ADDRESS, mac.as_bytes())?))?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Enslave `name` to `master` (a bridge, typically).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_master(&sock, "ve0", "br0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_master(sock, name: &str, master: &str) -> () {
        let m = index_of(sock, master, "master interface").await.map_err(|e| about(e, "link", name))?;
        let req = set_req(name, 0, 0, |w| Ok(w.put_u32(IFLA_MASTER, m)?))?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Release `name` from its master.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::link::set_nomaster(&sock, "ve0")?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn set_nomaster(sock, name: &str) -> () {
        let req = set_req(name, 0, 0, |w| Ok(w.put_u32(IFLA_MASTER, 0)?))?;
        sock.ack(req).await.map_err(|e| on_link(e, name))
    }
}

verb! {
    /// Move `name` into another network namespace: `Netns::Pid` uses `IFLA_NET_NS_PID`,
    /// `Netns::Path` (and `Host`, the caller's own) open the namespace file and use
    /// `IFLA_NET_NS_FD`. A file that does not open is the socket layer's namespace error
    /// (`open network namespace "/run/netns/blue": ENOENT (2)`).
    ///
    /// ```no_run
    /// use linx_netlink_sys::Netns;
    /// let sock = linx_rtnl::open(Netns::Host)?;
    /// linx_rtnl::link::move_to_netns(&sock, "ve1", &Netns::Path("/run/netns/blue".into()))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn move_to_netns(sock, name: &str, target: &Netns) -> () {
        let file = match target {
            Netns::Pid(_) => None,
            Netns::Host => Some("/proc/self/ns/net".into()),
            Netns::Path(p) => Some(p.clone()),
        };
        let fd = match &file {
            Some(p) => Some(std::fs::File::open(p).map_err(|e| linx_netlink_sys::Error::Netns {
                stage: linx_netlink_sys::Stage::Open,
                path: p.clone(),
                errno: e.raw_os_error().map_or(Errno::EIO, Errno::from_raw),
            })?),
            None => None,
        };
        let req = set_req(name, 0, 0, |w| {
            match (target, &fd) {
                (Netns::Pid(pid), _) => w.put_u32(IFLA_NET_NS_PID, *pid)?,
                (_, Some(f)) => {
                    use std::os::fd::AsRawFd;
                    w.put_u32(IFLA_NET_NS_FD, f.as_raw_fd() as u32)?
                }
                _ => {}
            }
            Ok(())
        })?;
        let r = sock.ack(req).await.map_err(|e| on_link(e, name));
        drop(fd); // the fd must stay open until the kernel has acted
        r
    }
}
