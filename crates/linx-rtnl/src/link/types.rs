//! The link message: [`Link`] (`RTM_NEWLINK` decoded), [`LinkInfo`] (`IFLA_LINKINFO`) and
//! [`LinkData`] (`IFLA_INFO_DATA` by kind), each attribute declared once with
//! `typed_attrs!` / `kind_dispatch!`.
//!
//! # Contract
//! - Top-level attributes and those of `IFLA_LINKINFO` keep their wire order
//!   (`emit(parse(bytes)) == bytes`); inside kind data declared inline (veth, macvlan,
//!   ipvlan, vlan) the typed attributes are written first, then the rest as received.
//! - The first occurrence of a modelled attribute is typed; duplicates, unmodelled ones and
//!   values with no typed form (a 4-byte "hardware address", a carrier of 2) stay raw.
//! - Decoding never panics; a modelled attribute that does not decode is an error naming
//!   its path and offset.

use std::fmt;

use linx_ip::Mac;
use linx_netlink_codec::consts::{IFLA_IFNAME, IFLA_MTU};
use linx_netlink_codec::{
    AttrValue, AttrWriter, DecodeCx, DecodeError, EncodeError, FixedHeader, MsgView, NlBuffer,
    RawAttrs, WireOrder, kind_dispatch, typed_attrs,
};

use super::kinds::{IpvlanMode, MacvlanMode, Vxlan};
use super::{
    IFF_UP, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_CARRIER, IFLA_IFALIAS, IFLA_INFO_DATA,
    IFLA_INFO_KIND, IFLA_INFO_SLAVE_KIND, IFLA_IPVLAN_MODE, IFLA_LINK, IFLA_LINK_NETNSID,
    IFLA_LINKINFO, IFLA_MACVLAN_MODE, IFLA_MASTER, IFLA_MAX_MTU, IFLA_MIN_MTU, IFLA_OPERSTATE,
    IFLA_PERM_ADDRESS, IFLA_TXQLEN, IFLA_VLAN_ID, IFLA_VLAN_PROTOCOL, VETH_INFO_PEER,
};
use crate::codecs::{BoolU8, MacAddr, NetU16};
use crate::error::Error;
use crate::ifindex::IfInfoMsg;

/// A network interface as the kernel reports it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Link {
    /// Interface index.
    pub index: u32,
    /// `ARPHRD_*` device type (1 = Ethernet, 772 = loopback).
    pub link_type: u16,
    /// `IFF_*` flags.
    pub flags: u32,
    /// `IFLA_IFNAME` (empty when absent).
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

typed_attrs! {
    pub(crate) impl Link {
        1: IFLA_IFNAME => name as String [plain],
        2: IFLA_MTU => mtu as u32,
        3: IFLA_ADDRESS => address as MacAddr,
        4: IFLA_BROADCAST => broadcast as MacAddr,
        5: IFLA_PERM_ADDRESS => perm_address as MacAddr,
        6: IFLA_LINK => parent as u32,
        7: IFLA_MASTER => master as u32,
        8: IFLA_TXQLEN => txqlen as u32,
        9: IFLA_MIN_MTU => min_mtu as u32,
        10: IFLA_MAX_MTU => max_mtu as u32,
        11: IFLA_LINK_NETNSID => link_netnsid as i32,
        12: IFLA_OPERSTATE => operstate as OperState,
        13: IFLA_CARRIER => carrier as BoolU8,
        14: IFLA_IFALIAS => alias as String,
        15: IFLA_LINKINFO => info as LinkInfo,
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

/// `IFLA_OPERSTATE`: one byte; every value is typed (unknown ones as [`OperState::Other`]).
///
/// ```
/// use linx_netlink_codec::AttrValue;
/// use linx_rtnl::link::OperState;
/// assert_eq!(OperState::parse_value(&[6]).unwrap(), OperState::Up);
/// ```
impl AttrValue for OperState {
    const CODEC: &'static str = "operstate";
    #[inline]
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        u8::parse_value(p).map(Self::from)
    }
    fn value_len(_: &Self) -> usize {
        1
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(&[u8::from(*v)]);
        Ok(())
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &Self,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_u8(raw_type, u8::from(*v))
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
    /// The order the attributes arrived in (empty for values built in code).
    pub wire_order: WireOrder,
}

typed_attrs! {
    nested impl LinkInfo {
        1: IFLA_INFO_KIND => kind as String,
        2: IFLA_INFO_DATA => data as LinkData [by kind],
        3: IFLA_INFO_SLAVE_KIND => slave_kind as String,
    }
}

kind_dispatch! {
    /// `IFLA_INFO_DATA`, decoded according to `IFLA_INFO_KIND`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum LinkData {
        /// veth: the peer (present in requests; the kernel does not report it in dumps).
        "veth" => Veth {
            /// `VETH_INFO_PEER`.
            peer: Box<Link> [VETH_INFO_PEER] as Peer,
        },
        /// macvlan / macvtap.
        "macvlan" | "macvtap" => Macvlan {
            /// `IFLA_MACVLAN_MODE`.
            mode: MacvlanMode [IFLA_MACVLAN_MODE] as MacvlanMode,
        },
        /// ipvlan / ipvtap.
        "ipvlan" | "ipvtap" => Ipvlan {
            /// `IFLA_IPVLAN_MODE`.
            mode: IpvlanMode [IFLA_IPVLAN_MODE] as IpvlanMode,
        },
        /// 802.1Q VLAN.
        "vlan" => Vlan {
            /// `IFLA_VLAN_ID`.
            id: u16 [IFLA_VLAN_ID] as u16,
            /// `IFLA_VLAN_PROTOCOL` (ethertype, host value: 0x8100 or 0x88a8).
            protocol: u16 [IFLA_VLAN_PROTOCOL] as NetU16,
        },
        /// VXLAN.
        "vxlan" => Vxlan(Vxlan),
        _ => Other(Vec<u8>),
    }
}

/// `VETH_INFO_PEER`: the peer as a whole `ifinfomsg` and its attributes, a [`Link`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Peer;

impl AttrValue<Box<Link>> for Peer {
    const CODEC: &'static str = "veth peer";
    fn parse_value(p: &[u8]) -> Result<Box<Link>, DecodeError> {
        Link::parse(p).map(Box::new)
    }
    fn value_len(v: &Box<Link>) -> usize {
        IfInfoMsg::LEN + v.attrs_len()
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Box<Link>, buf: &mut B) -> Result<(), EncodeError> {
        v.emit_payload(buf)
    }
}

// ------------------------------------------------------------------------------- decoding

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
        let head = Link {
            index: h.index as u32,
            link_type: h.link_type,
            flags: h.flags,
            // Link dumps carry many attributes this type does not model (stats, AF_SPEC):
            // one allocation for all of them instead of a growth series.
            other: RawAttrs::with_capacity(payload.len()),
            ..Default::default()
        };
        let attrs = payload.get(IfInfoMsg::LEN..).unwrap_or_default();
        Link::with_attrs(head, attrs, IfInfoMsg::LEN, DecodeCx::default())
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

    /// Append the encoded payload (ifinfomsg + attributes): in the order received for a
    /// decoded link, else the modelled attributes in a fixed order, then
    /// [`other`](Self::other) unchanged.
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), Error> {
        Ok(self.emit_payload(buf)?)
    }

    pub(crate) fn emit_payload<B: NlBuffer + ?Sized>(
        &self,
        buf: &mut B,
    ) -> Result<(), EncodeError> {
        IfInfoMsg {
            family: 0,
            link_type: self.link_type,
            index: self.index as i32,
            flags: self.flags,
            change: 0,
        }
        .append(buf);
        self.emit_attrs(&mut AttrWriter::new(buf))
    }
}

impl LinkInfo {
    /// Decode the payload of `IFLA_LINKINFO`.
    pub fn parse(buf: &[u8]) -> Result<LinkInfo, DecodeError> {
        <LinkInfo as AttrValue>::parse_value(buf)
    }
}

impl LinkData {
    /// Decode `IFLA_INFO_DATA` for `kind`; kinds not modelled (or no kind) keep raw bytes.
    pub fn parse(kind: Option<&str>, buf: &[u8]) -> Result<LinkData, DecodeError> {
        Ok(LinkData::decode(buf, DecodeCx::default().with_key(kind))?
            .unwrap_or_else(|| LinkData::Other(buf.to_vec())))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{IFLA_VXLAN_GROUP6, IFLA_VXLAN_ID};

    fn emit(l: &Link) -> Vec<u8> {
        let mut b = Vec::new();
        l.emit(&mut b).unwrap();
        b
    }

    #[test]
    fn kind_data_built_in_code_round_trips() {
        for data in [
            LinkData::Veth {
                peer: Some(Box::new(Link {
                    name: "ve1".into(),
                    mtu: Some(9000),
                    ..Default::default()
                })),
                other: RawAttrs::default(),
            },
            LinkData::Ipvlan {
                mode: Some(IpvlanMode::L3s),
                other: RawAttrs::default(),
            },
            LinkData::Vxlan(Vxlan {
                vni: Some(42),
                remote: Some("fd00::1".parse().unwrap()),
                local: Some("fd00::2".parse().unwrap()),
                port: Some(4789),
                learning: Some(false),
                ..Default::default()
            }),
            LinkData::Vxlan(Vxlan {
                remote: Some("239.1.1.1".parse().unwrap()),
                ttl: Some(8),
                ..Default::default()
            }),
        ] {
            let kind = match &data {
                LinkData::Veth { .. } => "veth",
                LinkData::Ipvlan { .. } => "ipvlan",
                _ => "vxlan",
            };
            let l = Link {
                index: 3,
                name: "x0".into(),
                carrier: Some(true),
                info: Some(LinkInfo {
                    kind: Some(kind.into()),
                    data: Some(data),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let b = emit(&l);
            let back = Link::parse(&b).unwrap();
            assert_eq!(back, l);
            assert_eq!(emit(&back), b);
            let info = l.info.as_ref().unwrap();
            assert_eq!(
                LinkInfo::attr_len(info),
                b.len() - 16 - 8 - 8,
                "header, name, carrier"
            );
        }
    }

    #[test]
    fn values_without_a_typed_form_stay_raw() {
        let mut p = vec![0u8; 16];
        let mut w = AttrWriter::new(&mut p);
        w.put_u8(IFLA_CARRIER, 2).unwrap();
        w.put(IFLA_ADDRESS, &[10, 0, 0, 1]).unwrap();
        let info = w.begin_nest(IFLA_LINKINFO, false);
        w.put_str(IFLA_INFO_KIND, "vxlan").unwrap();
        let data = w.begin_nest(IFLA_INFO_DATA, false);
        w.put(IFLA_VXLAN_GROUP6, &[0xfd; 16]).unwrap();
        w.put_u32(IFLA_VXLAN_ID, 7).unwrap();
        w.end_nest(data).unwrap();
        w.end_nest(info).unwrap();
        let l = Link::parse(&p).unwrap();
        assert_eq!((l.carrier, l.address), (None, None));
        assert_eq!(l.other.iter().count(), 2);
        assert_eq!(emit(&l), p, "kept in the order received");
        // an address of the wrong size for its type is an error, not a panic
        let bad = LinkData::parse(Some("vxlan"), &[8, 0, 16, 0, 1, 2, 3, 4]);
        assert!(bad.is_err());
    }
}
