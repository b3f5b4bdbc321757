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
//! Files by concept: `types` declares the message ([`Link`], [`LinkInfo`], [`LinkData`]),
//! `kinds/` the kind-specific data with types of their own (one file per kind), `new` the
//! [`NewLink`] builder and its `RTM_NEWLINK` request, `verbs` the verbs and their requests.
//!
//! # Contract
//! - [`Link`] keeps every attribute: the modelled ones as typed fields, the rest (statistics,
//!   `IFLA_AF_SPEC`, ...) as wire bytes in [`Link::other`]. [`LinkData::Other`] keeps the
//!   `IFLA_INFO_DATA` of kinds this crate does not model.
//! - Changes touch only what they name: [`set_up`] changes only `IFF_UP` (flags + change
//!   mask), [`set_mtu`] sends only the MTU.
//! - Creating a kind the kernel lacks fails with [`Error::KindNotSupported`].
//! - [`list`] asks for no extended information: VF info (`IFLA_EXT_MASK`
//!   `RTEXT_FILTER_VF`) only when requested with [`ListOptions::vf_info`].
//!
//! # See also
//! rtnetlink(7), ip-link(8).
//!
//! [`Error::KindNotSupported`]: crate::Error::KindNotSupported

mod kinds;
mod new;
mod types;
mod verbs;

pub(crate) use crate::ifindex::index_of;
pub use crate::ifindex::{IFNAMSIZ, IfInfoMsg};
pub use kinds::{IpvlanMode, MacvlanMode, Vxlan};
pub(crate) use new::PeerNs;
pub use new::{NewKind, NewLink};
pub use types::{Link, LinkData, LinkInfo, OperState};
pub(crate) use verbs::kind_error;
pub use verbs::{
    LinkDecoder, ListOptions, add, delete, delete_request, get, get_by_index, is_up, list,
    list_call, list_with, move_to_netns, set_address, set_down, set_master, set_mtu,
    set_mtu_request, set_name, set_nomaster, set_up, set_up_request,
};

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
