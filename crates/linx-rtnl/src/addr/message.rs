//! The address message: the `IFA_*` attribute ids, `struct ifaddrmsg`, and [`Address`]
//! with its one attribute declaration (`typed_attrs!`), from which its decoder, encoder and
//! length come.
//!
//! # Contract
//! - `IFA_*` address attributes of an `AF_INET` message are exactly 4 bytes and of an
//!   `AF_INET6` message exactly 16 ([`ExactAddr`]); anything else is a `BadSize` error
//!   located at the attribute. Messages of any other family keep every attribute raw.
//! - The first occurrence of a declared attribute is typed; duplicates, unknown types,
//!   known types with flag bits, and labels that are not one NUL-terminated UTF-8 string
//!   stay in [`Address::other`]. The order of arrival is kept in [`Address::wire_order`],
//!   so `emit(parse(bytes)) == bytes`.
//! - A value built in code emits its typed attributes in the kernel's order for the family
//!   (`inet_fill_ifaddr` / `inet6_fill_ifaddr`), then `other`.

use std::fmt;

use linx_ip::{Ip, Subnet};
use linx_netlink_codec::consts::{AF_INET, AF_INET6};
use linx_netlink_codec::decl::{emit_ordered, walk};
use linx_netlink_codec::{
    AttrWriter, DecodeCx, DecodeError, FixedHeader, MsgView, NlBuffer, NulStr, RawAttrs, WireOrder,
    nl_header, typed_attrs,
};

use super::codec::ExactAddr;
use super::types::{AddrFlags, AddrScope, CacheInfo};
use crate::error::Error;

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
    /// Every other attribute (and later duplicates), as received.
    pub other: RawAttrs,
    /// The order the attributes arrived in (see [`WireOrder`]).
    pub wire_order: WireOrder,
}

// Slots in the order `inet_fill_ifaddr` writes them (the canonical order of a value built
// in code); `inet6_fill_ifaddr`'s order is `INET6_ORDER`.
typed_attrs! {
    impl Address {
        1: IFA_ADDRESS => address as ExactAddr,
        2: IFA_LOCAL => local as ExactAddr,
        3: IFA_BROADCAST => broadcast as ExactAddr,
        4: IFA_ANYCAST => anycast as ExactAddr,
        5: IFA_MULTICAST => multicast as ExactAddr,
        6: IFA_LABEL => label as NulStr,
        7: IFA_PROTO => proto as u8,
        8: IFA_FLAGS => ifa_flags as AddrFlags,
        9: IFA_RT_PRIORITY => rt_priority as u32,
        10: IFA_CACHEINFO => cacheinfo as CacheInfo,
    }
}

/// The slots in the order the kernel writes an IPv6 address (`inet6_fill_ifaddr`: LOCAL
/// (peer case), ADDRESS, RT_PRIORITY, CACHEINFO, FLAGS, PROTO; `inet6_fill_ifacaddr` /
/// `ifmcaddr`: ANYCAST or MULTICAST, CACHEINFO).
const INET6_ORDER: [usize; 10] = [2, 1, 3, 5, 4, 6, 9, 10, 8, 7];

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
        let attrs = payload.get(IfAddrMsg::LEN..).unwrap_or_default();
        let mut head = Address {
            family: h.family,
            prefix_len: h.prefix_len,
            header_flags: h.flags,
            scope: h.scope.into(),
            index: h.index,
            ..Default::default()
        };
        if matches!(h.family, AF_INET | AF_INET6) {
            return Address::with_attrs(head, attrs, IfAddrMsg::LEN, DecodeCx::family(h.family));
        }
        // Another family: nothing is typed, every attribute is kept as received.
        walk(attrs, IfAddrMsg::LEN, |raw_type, p, _| {
            // Cannot fail: the payload came with a 16-bit length, so it fits one.
            let _ = head.other.push_raw(raw_type, p);
            head.wire_order.raw();
            Ok(())
        })?;
        Ok(head)
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
            .unwrap_or(AddrFlags::from_bits(u32::from(self.header_flags)))
    }

    /// Length of [`emit`](Self::emit)'s output.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::addr::Address::default().buffer_len(), 8);
    /// ```
    pub fn buffer_len(&self) -> usize {
        IfAddrMsg::LEN + self.attrs_len()
    }

    /// Append the encoded payload (ifaddrmsg + attributes): in the order received for a
    /// decoded address, else the typed attributes in the kernel's order for the family,
    /// then [`other`](Self::other) unchanged.
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
        IfAddrMsg {
            family: self.family,
            prefix_len: self.prefix_len,
            flags: self.header_flags,
            scope: self.scope.into(),
            index: self.index,
        }
        .append(buf);
        let mut w = AttrWriter::new(buf);
        if self.family == AF_INET6 && self.wire_order.is_empty() {
            let mut order = WireOrder::default();
            for s in INET6_ORDER {
                order.typed(s);
            }
            emit_ordered(&order, &self.other, Self::SLOTS, &mut w, |s, w| {
                self.emit_slot(s, w)
            })?;
        } else {
            self.emit_attrs(&mut w)?;
        }
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
            .field("wire_order", &self.wire_order)
            .finish()
    }
}
