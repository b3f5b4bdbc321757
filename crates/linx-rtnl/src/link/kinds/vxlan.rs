//! VXLAN data: the VNI, port, addresses and underlay, as a `nested` attribute set.
//!
//! The remote and the local address each have two attribute types, one per family
//! (`IFLA_VXLAN_GROUP` / `IFLA_VXLAN_GROUP6`): both are declared for the one field, with a
//! codec per family ([`AddrV4`], [`AddrV6`]) that writes only its own family's addresses.

use linx_ip::Ip;
use linx_netlink_codec::{RawAttrs, WireOrder, typed_attrs};

use super::super::{
    IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, IFLA_VXLAN_ID, IFLA_VXLAN_LEARNING, IFLA_VXLAN_LINK,
    IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, IFLA_VXLAN_PORT, IFLA_VXLAN_TTL,
};
use crate::codecs::{AddrV4, AddrV6, BoolU8, NetU16};

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
    /// `IFLA_VXLAN_LEARNING` (0 or 1; other values stay in [`other`](Self::other)).
    pub learning: Option<bool>,
    /// Other attributes.
    pub other: RawAttrs,
    /// The order the attributes arrived in (empty for values built in code).
    pub wire_order: WireOrder,
}

typed_attrs! {
    nested impl Vxlan {
        1: IFLA_VXLAN_ID => vni as u32,
        2: IFLA_VXLAN_GROUP => remote as AddrV4,
        3: IFLA_VXLAN_GROUP6 => remote as AddrV6,
        4: IFLA_VXLAN_LOCAL => local as AddrV4,
        5: IFLA_VXLAN_LOCAL6 => local as AddrV6,
        6: IFLA_VXLAN_LINK => underlay as u32,
        7: IFLA_VXLAN_TTL => ttl as u8,
        8: IFLA_VXLAN_LEARNING => learning as BoolU8,
        9: IFLA_VXLAN_PORT => port as NetU16,
    }
}
