//! What a match reads: protocol header fields by name ([`HeaderField`]), meta and conntrack
//! keys, and raw payload ranges, with the datatype nft prints their values by.
//!
//! Why one table of header fields: the lift (payload base + offset + length → `tcp dport`),
//! the lowering (the reverse) and the printer all need the same facts (protocol, name, bit
//! offset, bit length, datatype). Each field is one row of [`HeaderField`]'s table, so a new
//! field is one line.
//!
//! # Contract
//! - Bit offsets count from the start of the header the protocol's payload base points at
//!   (`link`, `network` or `transport`; VLAN fields include the 14-byte Ethernet header
//!   before them). Values of fields are big endian in the packet.
//! - Names are nft's (`nft(8)`, nft 1.0.6): `tcp dport`, `ip6 nexthdr`, `meta l4proto`,
//!   `ct state`. Meta and conntrack keys the tables do not name print as numbers and are
//!   never produced by the lift.
//! - Nothing here allocates or panics.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::kinds::{self, Fib, Hash, Ipsec, Numgen, Osf, RtKey, SocketKey};
use crate::expr::{ByteOrder, CtKey, MetaKey, PayloadBase};

mod exthdr;

pub use exthdr::{ExthdrField, ExthdrProto};

/// How nft prints (and parses) the values of a field: the datatype of its expression.
///
/// The printer turns a [`Value`](super::Value) into text by this type (names for protocol
/// numbers and ICMP types, hex for marks, quoted strings for interface names ...).
///
/// ```
/// use linx_netfilter::stmt::{Datatype, HeaderField};
/// assert_eq!(HeaderField::TcpDport.datatype(), Datatype::InetService);
/// assert_eq!(HeaderField::IpProtocol.datatype(), Datatype::InetProto);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Datatype {
    /// A plain unsigned integer, printed in decimal.
    Integer,
    /// An integer nft prints in hex (`0x0800` style, zero padded to the field width).
    Hex,
    /// An IPv4 address.
    Ipv4Addr,
    /// An IPv6 address.
    Ipv6Addr,
    /// An Ethernet address.
    EtherAddr,
    /// An EtherType (`ip`, `ip6`, `arp`, `vlan`, or hex).
    EtherType,
    /// An IP protocol number (`tcp`, `udp`, ... or decimal).
    InetProto,
    /// A TCP/UDP port, decimal.
    InetService,
    /// A packet or conntrack mark, `0x%08x`.
    Mark,
    /// An interface name, quoted.
    Ifname,
    /// An interface index, printed as its name when known.
    IfIndex,
    /// Conntrack state bits (`established,related`).
    CtState,
    /// Conntrack status bits (`dnat`, `snat`, `confirmed`, ...).
    CtStatus,
    /// Conntrack direction (`original`, `reply`).
    CtDir,
    /// Conntrack event bits (`ct event set new,related,destroy`).
    CtEvent,
    /// A conntrack label: the value is the label's bit number (`ct label 1`), the field a
    /// 128-bit bitmap.
    CtLabel,
    /// TCP flag bits (`syn,ack`).
    TcpFlag,
    /// ICMP type names (`echo-request`).
    IcmpType,
    /// ICMP code names (`port-unreachable`).
    IcmpCode,
    /// ICMPv6 type names (`nd-neighbor-solicit`).
    Icmpv6Type,
    /// ICMPv6 code names.
    Icmpv6Code,
    /// icmpx (family independent) code names (`port-unreachable`, `admin-prohibited`).
    IcmpxCode,
    /// The netfilter family (`ipv4`, `ipv6`).
    NfProto,
    /// The packet type (`host`, `broadcast`, `multicast`, `other`).
    PktType,
    /// ARP operation (`request`, `reply`, ...).
    ArpOp,
    /// ARP hardware / interface type (`ether`, `loopback`, ...).
    ArpHrd,
    /// A DSCP value (`cs1`, `ef`, ... or hex).
    Dscp,
    /// An ECN codepoint (`not-ect`, `ect1`, `ect0`, `ce`).
    Ecn,
    /// A user id (printed as a number in the test namespace; nft prints names it can resolve).
    Uid,
    /// A group id.
    Gid,
    /// A boolean (`exists` / `missing`).
    Boolean,
    /// Bytes nft has no type for (raw payload), hex.
    Raw,
    /// A traffic-control handle (`1:5`, `none`, `root`).
    TcHandle,
    /// A network device group (`iifgroup`): `"default"` for group 0 (iproute2's stock
    /// `/etc/iproute2/group`), decimal otherwise.
    DevGroup,
    /// A day of the week (`meta day`): `"Sunday"` (0) to `"Saturday"` (6).
    Day,
    /// A duration in milliseconds (`ct expiration`), printed as nft's `1h2m3s4ms` (nothing
    /// at all for 0, as nft 1.0.6 does).
    Time,
    /// A Mobility Header type (`mh type`): `binding-update`, `home-test`, ... or decimal.
    MhType,
    /// A route's address type (`fib daddr type`): `unicast`, `local`, `broadcast` ...
    FibAddr,
    /// A routing realm (`rt classid`): `"cosmos"` for 0 (iproute2's stock
    /// `/etc/iproute2/rt_realms`), decimal otherwise.
    Realm,
    /// A cgroup v2 id (`socket cgroupv2`); nft prints the cgroup's path, which only the host
    /// knows, so values of this type are not printed.
    Cgroupv2,
    /// A point in time in nanoseconds since the epoch (`meta time`), printed as nft prints
    /// it in UTC: `"2030-01-01 00:00:00"`.
    Date,
    /// Seconds since midnight (`meta hour`), printed as nft prints them in UTC: `"17:30"`.
    Hour,
    /// A NUL-padded string other than an interface name (`osf name`, `ct helper`): printed
    /// quoted as a name is, but its sets have nft's `string` type.
    String,
    /// IGMP message type names (`membership-query`, `leave-group` ...).
    IgmpType,
    /// DCCP packet type names (`request`, `response`, ... `syncack`).
    DccpPkttype,
}

impl Datatype {
    /// Whether nft prints values of this datatype as a comma-separated set of bit names
    /// (`ct state established,related`, `tcp flags syn,ack`): its matches are flag tests.
    ///
    /// ```
    /// use linx_netfilter::stmt::Datatype;
    /// assert!(Datatype::CtState.is_bitmask());
    /// assert!(!Datatype::IcmpCode.is_bitmask());
    /// ```
    pub fn is_bitmask(self) -> bool {
        matches!(
            self,
            Datatype::CtState | Datatype::CtStatus | Datatype::TcpFlag
        )
    }
}

/// A protocol header nft names (`ether`, `ip`, `tcp`, ...).
///
/// ```
/// use linx_netfilter::stmt::Proto;
/// assert_eq!(Proto::Icmpv6.to_string(), "icmpv6");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proto {
    /// `ether`: the Ethernet header (link base).
    Ether,
    /// `vlan`: the 802.1Q header after the Ethernet header (link base).
    Vlan,
    /// `arp`: the ARP header (network base).
    Arp,
    /// `ip`: IPv4 (network base).
    Ip,
    /// `ip6`: IPv6 (network base).
    Ip6,
    /// `icmp` (transport base).
    Icmp,
    /// `icmpv6` (transport base).
    Icmpv6,
    /// `tcp` (transport base).
    Tcp,
    /// `udp` (transport base).
    Udp,
    /// `udplite` (transport base).
    Udplite,
    /// `sctp` (transport base).
    Sctp,
    /// `dccp` (transport base).
    Dccp,
    /// `ah` (transport base).
    Ah,
    /// `esp` (transport base).
    Esp,
    /// `comp` (transport base).
    Comp,
    /// `igmp` (transport base).
    Igmp,
    /// `th`: any transport header's ports, with no protocol implied.
    Th,
}

impl Proto {
    /// The nft keyword.
    pub const fn name(self) -> &'static str {
        match self {
            Proto::Ether => "ether",
            Proto::Vlan => "vlan",
            Proto::Arp => "arp",
            Proto::Ip => "ip",
            Proto::Ip6 => "ip6",
            Proto::Icmp => "icmp",
            Proto::Icmpv6 => "icmpv6",
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Udplite => "udplite",
            Proto::Sctp => "sctp",
            Proto::Dccp => "dccp",
            Proto::Ah => "ah",
            Proto::Esp => "esp",
            Proto::Comp => "comp",
            Proto::Igmp => "igmp",
            Proto::Th => "th",
        }
    }

    /// The payload base its fields are loaded from.
    ///
    /// ```
    /// use linx_netfilter::{expr::PayloadBase, stmt::Proto};
    /// assert_eq!(Proto::Vlan.base(), PayloadBase::Link);
    /// assert_eq!(Proto::Arp.base(), PayloadBase::Network);
    /// ```
    pub const fn base(self) -> PayloadBase {
        match self {
            Proto::Ether | Proto::Vlan => PayloadBase::Link,
            Proto::Arp | Proto::Ip | Proto::Ip6 => PayloadBase::Network,
            _ => PayloadBase::Transport,
        }
    }

    /// The IP protocol number a transport header implies (`meta l4proto` / `ip protocol`
    /// dependency), `None` for `th` and non-transport headers.
    ///
    /// ```
    /// use linx_netfilter::stmt::Proto;
    /// assert_eq!(Proto::Tcp.l4proto(), Some(6));
    /// assert_eq!(Proto::Th.l4proto(), None);
    /// ```
    pub const fn l4proto(self) -> Option<u8> {
        match self {
            Proto::Icmp => Some(1),
            Proto::Igmp => Some(2),
            Proto::Tcp => Some(6),
            Proto::Udp => Some(17),
            Proto::Dccp => Some(33),
            Proto::Esp => Some(50),
            Proto::Ah => Some(51),
            Proto::Icmpv6 => Some(58),
            Proto::Comp => Some(108),
            Proto::Sctp => Some(132),
            Proto::Udplite => Some(136),
            _ => None,
        }
    }

    /// The transport protocol for an IP protocol number (inverse of [`Proto::l4proto`]).
    pub const fn from_l4proto(number: u8) -> Option<Proto> {
        Some(match number {
            1 => Proto::Icmp,
            2 => Proto::Igmp,
            6 => Proto::Tcp,
            17 => Proto::Udp,
            33 => Proto::Dccp,
            50 => Proto::Esp,
            51 => Proto::Ah,
            58 => Proto::Icmpv6,
            108 => Proto::Comp,
            132 => Proto::Sctp,
            136 => Proto::Udplite,
            _ => return None,
        })
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Declares [`HeaderField`] and its table: variant = (protocol, nft name, bit offset, bit
/// length, datatype).
macro_rules! header_fields {
    ($( $(#[$m:meta])* $variant:ident = ($proto:ident, $name:literal, $off:expr, $len:expr, $dt:ident); )*) => {
        /// A protocol header field by name: `ip saddr`, `tcp dport`, `vlan id` ...
        ///
        /// Each variant is a row of one table (protocol, name, bit offset, bit length,
        /// datatype), shared by lift, lowering and printing.
        ///
        /// ```
        /// use linx_netfilter::stmt::{HeaderField, Proto};
        /// let f = HeaderField::Ip6Nexthdr;
        /// assert_eq!((f.proto(), f.name(), f.bit_offset(), f.bit_len()), (Proto::Ip6, "nexthdr", 48, 8));
        /// assert_eq!(f.to_string(), "ip6 nexthdr");
        /// assert_eq!(HeaderField::find(Proto::Tcp, 16, 16), Some(HeaderField::TcpDport));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum HeaderField {
            $( $(#[$m])* #[doc = concat!("`", stringify!($proto), " ", $name, "`")] $variant, )*
        }

        impl HeaderField {
            /// Every field, in table order.
            pub const ALL: &'static [HeaderField] = &[$(HeaderField::$variant),*];

            /// The rows, in variant order (so a variant's discriminant is its row).
            const ROWS: &'static [(Proto, &'static str, u32, u32, Datatype)] =
                &[$((Proto::$proto, $name, $off, $len, Datatype::$dt)),*];

            /// This field's row: a table read (every accessor and every lift of a load
            /// goes through it).
            const fn row(self) -> (Proto, &'static str, u32, u32, Datatype) {
                let i = self as usize;
                if i < HeaderField::ROWS.len() {
                    HeaderField::ROWS[i]
                } else {
                    // Unreachable: one row per variant, by construction of the macro.
                    (Proto::Th, "", 0, 0, Datatype::Raw)
                }
            }
        }
    };
}

header_fields! {
    EtherDaddr = (Ether, "daddr", 0, 48, EtherAddr);
    EtherSaddr = (Ether, "saddr", 48, 48, EtherAddr);
    EtherType = (Ether, "type", 96, 16, EtherType);
    VlanPcp = (Vlan, "pcp", 112, 3, Integer);
    VlanDei = (Vlan, "dei", 115, 1, Integer);
    VlanId = (Vlan, "id", 116, 12, Integer);
    VlanType = (Vlan, "type", 128, 16, EtherType);
    ArpHtype = (Arp, "htype", 0, 16, Integer);
    ArpPtype = (Arp, "ptype", 16, 16, EtherType);
    ArpHlen = (Arp, "hlen", 32, 8, Integer);
    ArpPlen = (Arp, "plen", 40, 8, Integer);
    ArpOperation = (Arp, "operation", 48, 16, ArpOp);
    ArpSaddrEther = (Arp, "saddr ether", 64, 48, EtherAddr);
    ArpSaddrIp = (Arp, "saddr ip", 112, 32, Ipv4Addr);
    ArpDaddrEther = (Arp, "daddr ether", 144, 48, EtherAddr);
    ArpDaddrIp = (Arp, "daddr ip", 192, 32, Ipv4Addr);
    IpVersion = (Ip, "version", 0, 4, Integer);
    IpHdrlength = (Ip, "hdrlength", 4, 4, Integer);
    IpDscp = (Ip, "dscp", 8, 6, Dscp);
    IpEcn = (Ip, "ecn", 14, 2, Ecn);
    IpLength = (Ip, "length", 16, 16, Integer);
    IpId = (Ip, "id", 32, 16, Integer);
    IpFragOff = (Ip, "frag-off", 48, 16, Integer);
    IpTtl = (Ip, "ttl", 64, 8, Integer);
    IpProtocol = (Ip, "protocol", 72, 8, InetProto);
    IpChecksum = (Ip, "checksum", 80, 16, Integer);
    IpSaddr = (Ip, "saddr", 96, 32, Ipv4Addr);
    IpDaddr = (Ip, "daddr", 128, 32, Ipv4Addr);
    Ip6Version = (Ip6, "version", 0, 4, Integer);
    Ip6Dscp = (Ip6, "dscp", 4, 6, Dscp);
    Ip6Ecn = (Ip6, "ecn", 10, 2, Ecn);
    Ip6Flowlabel = (Ip6, "flowlabel", 12, 20, Integer);
    Ip6Length = (Ip6, "length", 32, 16, Integer);
    Ip6Nexthdr = (Ip6, "nexthdr", 48, 8, InetProto);
    Ip6Hoplimit = (Ip6, "hoplimit", 56, 8, Integer);
    Ip6Saddr = (Ip6, "saddr", 64, 128, Ipv6Addr);
    Ip6Daddr = (Ip6, "daddr", 192, 128, Ipv6Addr);
    IcmpType = (Icmp, "type", 0, 8, IcmpType);
    IcmpCode = (Icmp, "code", 8, 8, IcmpCode);
    IcmpChecksum = (Icmp, "checksum", 16, 16, Integer);
    IcmpId = (Icmp, "id", 32, 16, Integer);
    IcmpSequence = (Icmp, "sequence", 48, 16, Integer);
    IcmpGateway = (Icmp, "gateway", 32, 32, Integer);
    IcmpMtu = (Icmp, "mtu", 48, 16, Integer);
    Icmpv6Type = (Icmpv6, "type", 0, 8, Icmpv6Type);
    Icmpv6Code = (Icmpv6, "code", 8, 8, Icmpv6Code);
    Icmpv6Checksum = (Icmpv6, "checksum", 16, 16, Integer);
    Icmpv6Mtu = (Icmpv6, "mtu", 32, 32, Integer);
    Icmpv6Id = (Icmpv6, "id", 32, 16, Integer);
    Icmpv6Sequence = (Icmpv6, "sequence", 48, 16, Integer);
    Icmpv6MaxDelay = (Icmpv6, "max-delay", 32, 16, Integer);
    TcpSport = (Tcp, "sport", 0, 16, InetService);
    TcpDport = (Tcp, "dport", 16, 16, InetService);
    TcpSequence = (Tcp, "sequence", 32, 32, Integer);
    TcpAckseq = (Tcp, "ackseq", 64, 32, Integer);
    TcpDoff = (Tcp, "doff", 96, 4, Integer);
    TcpReserved = (Tcp, "reserved", 100, 4, Integer);
    TcpFlags = (Tcp, "flags", 104, 8, TcpFlag);
    TcpWindow = (Tcp, "window", 112, 16, Integer);
    TcpChecksum = (Tcp, "checksum", 128, 16, Integer);
    TcpUrgptr = (Tcp, "urgptr", 144, 16, Integer);
    UdpSport = (Udp, "sport", 0, 16, InetService);
    UdpDport = (Udp, "dport", 16, 16, InetService);
    UdpLength = (Udp, "length", 32, 16, Integer);
    UdpChecksum = (Udp, "checksum", 48, 16, Integer);
    UdpliteSport = (Udplite, "sport", 0, 16, InetService);
    UdpliteDport = (Udplite, "dport", 16, 16, InetService);
    UdpliteCsumcov = (Udplite, "csumcov", 32, 16, Integer);
    UdpliteChecksum = (Udplite, "checksum", 48, 16, Integer);
    SctpSport = (Sctp, "sport", 0, 16, InetService);
    SctpDport = (Sctp, "dport", 16, 16, InetService);
    SctpVtag = (Sctp, "vtag", 32, 32, Integer);
    SctpChecksum = (Sctp, "checksum", 64, 32, Integer);
    DccpSport = (Dccp, "sport", 0, 16, InetService);
    DccpDport = (Dccp, "dport", 16, 16, InetService);
    DccpType = (Dccp, "type", 67, 4, DccpPkttype);
    AhNexthdr = (Ah, "nexthdr", 0, 8, InetProto);
    AhHdrlength = (Ah, "hdrlength", 8, 8, Integer);
    AhReserved = (Ah, "reserved", 16, 16, Integer);
    AhSpi = (Ah, "spi", 32, 32, Integer);
    AhSequence = (Ah, "sequence", 64, 32, Integer);
    EspSpi = (Esp, "spi", 0, 32, Integer);
    EspSequence = (Esp, "sequence", 32, 32, Integer);
    CompNexthdr = (Comp, "nexthdr", 0, 8, InetProto);
    CompFlags = (Comp, "flags", 8, 8, Hex);
    CompCpi = (Comp, "cpi", 16, 16, Integer);
    IgmpType = (Igmp, "type", 0, 8, IgmpType);
    IgmpMrt = (Igmp, "mrt", 8, 8, Integer);
    IgmpChecksum = (Igmp, "checksum", 16, 16, Integer);
    IgmpGroup = (Igmp, "group", 32, 32, Integer);
    ThSport = (Th, "sport", 0, 16, InetService);
    ThDport = (Th, "dport", 16, 16, InetService);
}

impl HeaderField {
    /// The protocol header.
    pub const fn proto(self) -> Proto {
        self.row().0
    }

    /// The field name after the protocol (`dport`, `saddr ip`).
    pub const fn name(self) -> &'static str {
        self.row().1
    }

    /// Offset in bits from the start of the payload base.
    pub const fn bit_offset(self) -> u32 {
        self.row().2
    }

    /// Width in bits.
    pub const fn bit_len(self) -> u32 {
        self.row().3
    }

    /// How nft prints the field's values.
    pub const fn datatype(self) -> Datatype {
        self.row().4
    }

    /// The payload base (the protocol's).
    pub const fn base(self) -> PayloadBase {
        self.proto().base()
    }

    /// `true` when the field starts and ends on byte boundaries (a plain load, no mask).
    ///
    /// ```
    /// use linx_netfilter::stmt::HeaderField;
    /// assert!(HeaderField::TcpDport.is_byte_aligned());
    /// assert!(!HeaderField::IpDscp.is_byte_aligned());
    /// ```
    pub const fn is_byte_aligned(self) -> bool {
        self.bit_offset() % 8 == 0 && self.bit_len() % 8 == 0
    }

    /// The field of `proto` at this bit offset and length, if the table has one (the first
    /// row wins where two names share bits, as `icmp id` and `icmp gateway` do not).
    pub fn find(proto: Proto, bit_offset: u32, bit_len: u32) -> Option<HeaderField> {
        HeaderField::of_proto(proto)
            .iter()
            .copied()
            .find(|f| f.bit_offset() == bit_offset && f.bit_len() == bit_len)
    }

    /// The fields of `proto`, in table order (the lift looks fields up for every load of
    /// every pulled rule: a scan of one protocol's rows, not of the whole table).
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Proto};
    /// assert!(HeaderField::of_proto(Proto::Tcp).contains(&HeaderField::TcpDport));
    /// assert!(HeaderField::of_proto(Proto::Tcp).iter().all(|f| f.proto() == Proto::Tcp));
    /// ```
    pub fn of_proto(proto: Proto) -> &'static [HeaderField] {
        static BY_PROTO: std::sync::OnceLock<Vec<Vec<HeaderField>>> = std::sync::OnceLock::new();
        let by = BY_PROTO.get_or_init(|| {
            let mut by: Vec<Vec<HeaderField>> = Vec::new();
            for f in HeaderField::ALL {
                let i = f.proto() as usize;
                if by.len() <= i {
                    by.resize_with(i + 1, Vec::new);
                }
                if let Some(v) = by.get_mut(i) {
                    v.push(*f);
                }
            }
            by
        });
        by.get(proto as usize).map_or(&[], Vec::as_slice)
    }
}

impl fmt::Display for HeaderField {
    /// `tcp dport`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.proto().name(), self.name())
    }
}

/// The nft name, load width, byte order and datatype of a meta key, or `None` for keys this
/// table does not name.
///
/// ```
/// use linx_netfilter::{expr::MetaKey, stmt::{Datatype, meta_info}};
/// let (name, len, _, dt) = meta_info(MetaKey::L4proto).unwrap();
/// assert_eq!((name, len, dt), ("l4proto", 1, Datatype::InetProto));
/// assert_eq!(meta_info(MetaKey::Other(19)).unwrap().0, "pkttype");
/// ```
pub fn meta_info(key: MetaKey) -> Option<(&'static str, u32, ByteOrder, Datatype)> {
    use ByteOrder::{Big, Host};
    Some(match key.number() {
        0 => ("length", 4, Host, Datatype::Integer),
        1 => ("protocol", 2, Big, Datatype::EtherType),
        2 => ("priority", 4, Host, Datatype::TcHandle),
        3 => ("mark", 4, Host, Datatype::Mark),
        4 => ("iif", 4, Host, Datatype::IfIndex),
        5 => ("oif", 4, Host, Datatype::IfIndex),
        6 => ("iifname", 16, Big, Datatype::Ifname),
        7 => ("oifname", 16, Big, Datatype::Ifname),
        8 => ("iiftype", 2, Host, Datatype::ArpHrd),
        9 => ("oiftype", 2, Host, Datatype::ArpHrd),
        10 => ("skuid", 4, Host, Datatype::Uid),
        11 => ("skgid", 4, Host, Datatype::Gid),
        12 => ("nftrace", 1, Big, Datatype::Integer),
        13 => ("rtclassid", 4, Host, Datatype::Integer),
        14 => ("secmark", 4, Host, Datatype::Integer),
        15 => ("nfproto", 1, Big, Datatype::NfProto),
        16 => ("l4proto", 1, Big, Datatype::InetProto),
        17 => ("ibrname", 16, Big, Datatype::Ifname),
        18 => ("obrname", 16, Big, Datatype::Ifname),
        19 => ("pkttype", 1, Host, Datatype::PktType),
        20 => ("cpu", 4, Host, Datatype::Integer),
        21 => ("iifgroup", 4, Host, Datatype::DevGroup),
        22 => ("oifgroup", 4, Host, Datatype::DevGroup),
        23 => ("cgroup", 4, Host, Datatype::Integer),
        24 => ("random", 4, Big, Datatype::Integer),
        25 => ("ipsec", 1, Big, Datatype::Boolean),
        // nft's type for the kinds is `string`; it prints as an interface name does.
        26 => ("iifkind", 16, Big, Datatype::Ifname),
        27 => ("oifkind", 16, Big, Datatype::Ifname),
        30 => ("time", 8, Host, Datatype::Date),
        31 => ("day", 1, Host, Datatype::Day),
        32 => ("hour", 4, Host, Datatype::Hour),
        33 => ("sdif", 4, Host, Datatype::IfIndex),
        34 => ("sdifname", 16, Big, Datatype::Ifname),
        _ => return None,
    })
}

/// `true` for the meta keys nft prints without the `meta` keyword (`iif "lo"`, `mark`
/// is not one of them).
pub fn meta_is_unqualified(key: MetaKey) -> bool {
    matches!(key.number(), 4..=7 | 21 | 22)
}

/// The nft name, load width, byte order and datatype of a conntrack key, or `None` for keys
/// this table does not name.
///
/// ```
/// use linx_netfilter::{expr::CtKey, stmt::{Datatype, ct_info}};
/// assert_eq!(ct_info(CtKey::State).unwrap().3, Datatype::CtState);
/// ```
pub fn ct_info(key: CtKey) -> Option<(&'static str, u32, ByteOrder, Datatype)> {
    use ByteOrder::{Big, Host};
    Some(match key.number() {
        0 => ("state", 4, Host, Datatype::CtState),
        1 => ("direction", 1, Big, Datatype::CtDir),
        2 => ("status", 4, Host, Datatype::CtStatus),
        3 => ("mark", 4, Host, Datatype::Mark),
        4 => ("secmark", 4, Host, Datatype::Integer),
        5 => ("expiration", 4, Host, Datatype::Time),
        6 => ("helper", 16, Big, Datatype::String),
        7 => ("l3proto", 1, Big, Datatype::NfProto),
        10 => ("protocol", 1, Big, Datatype::InetProto),
        14 => ("packets", 8, Host, Datatype::Integer),
        15 => ("bytes", 8, Host, Datatype::Integer),
        16 => ("avgpkt", 8, Host, Datatype::Integer),
        13 => ("label", 16, Host, Datatype::CtLabel),
        17 => ("zone", 2, Host, Datatype::Integer),
        18 => ("event", 4, Host, Datatype::CtEvent),
        23 => ("id", 4, Big, Datatype::Integer),
        _ => return None,
    })
}

/// What a match or a `set` statement reads.
///
/// ```
/// use linx_netfilter::{expr::{CtKey, MetaKey}, stmt::{Field, HeaderField}};
/// assert_eq!(Field::Header(HeaderField::TcpDport).to_string(), "tcp dport");
/// assert_eq!(Field::Meta(MetaKey::Iifname).to_string(), "iifname");
/// assert_eq!(Field::Meta(MetaKey::Mark).to_string(), "meta mark");
/// assert_eq!(Field::Ct(CtKey::State).to_string(), "ct state");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// A named protocol header field.
    Header(HeaderField),
    /// Packet metadata (`meta l4proto`, `iifname`, `meta mark` ...).
    Meta(MetaKey),
    /// A conntrack key of the packet's connection (`ct state`, `ct mark` ...).
    Ct(CtKey),
    /// A conntrack key of one direction (`ct original ip saddr`, `ct reply zone`), see
    /// [`ct_dir_info`](super::ct_dir_info).
    CtDir {
        /// The key.
        key: CtKey,
        /// The direction.
        dir: super::CtDirection,
    },
    /// A payload range nft has no name for: `@ll,0,48`, `@nh,96,32`, `@th,16,16`.
    Raw {
        /// The payload base.
        base: PayloadBase,
        /// Offset in bits.
        bit_offset: u32,
        /// Width in bits.
        bit_len: u32,
    },
    /// A field of an IPv6 extension header, an IPv4 or TCP option or an SCTP chunk, or
    /// its presence (`frag id`, `tcp option maxseg size`, `exthdr hbh` + `exists`).
    Exthdr(ExthdrField),
    /// A route lookup (`fib saddr . iif oif`, `fib daddr type`).
    Fib(Fib),
    /// Routing data of the packet (`rt mtu`, `rt ip nexthop`).
    Rt(RtKey),
    /// A generated number (`numgen inc mod 2`).
    Numgen(Numgen),
    /// A hash (`jhash ip saddr mod 2`, `symhash mod 2`).
    Hash(Hash),
    /// A key of the packet's socket (`socket mark`).
    Socket(SocketKey),
    /// The passive OS fingerprint (`osf name`).
    Osf(Osf),
    /// IPsec state (`ipsec in reqid`).
    Ipsec(Ipsec),
}

impl Field {
    /// The datatype its values print by.
    pub fn datatype(&self) -> Datatype {
        match self {
            Field::Header(h) => h.datatype(),
            Field::Meta(k) => meta_info(*k).map_or(Datatype::Integer, |i| i.3),
            Field::Ct(k) => ct_info(*k).map_or(Datatype::Integer, |i| i.3),
            Field::CtDir { key, .. } => super::ct_dir_info(*key).map_or(Datatype::Integer, |i| i.3),
            Field::Raw { .. } => Datatype::Raw,
            Field::Exthdr(x) => x.datatype(),
            special => kinds::info(special).map_or(Datatype::Integer, |i| i.2),
        }
    }

    /// Width in bits of the loaded value.
    pub fn bit_len(&self) -> u32 {
        match self {
            Field::Header(h) => h.bit_len(),
            Field::Meta(k) => meta_info(*k).map_or(0, |i| i.1 * 8),
            Field::Ct(k) => ct_info(*k).map_or(0, |i| i.1 * 8),
            Field::CtDir { key, .. } => super::ct_dir_info(*key).map_or(0, |i| i.1 * 8),
            Field::Raw { bit_len, .. } => *bit_len,
            Field::Exthdr(x) => x.bit_len(),
            special => kinds::info(special).map_or(0, |i| i.0 * 8),
        }
    }

    /// The byte order of the loaded value (payload fields are big endian).
    pub fn byte_order(&self) -> ByteOrder {
        match self {
            Field::Header(_) | Field::Raw { .. } | Field::Exthdr(_) => ByteOrder::Big,
            Field::Meta(k) => meta_info(*k).map_or(ByteOrder::Big, |i| i.2),
            Field::Ct(k) => ct_info(*k).map_or(ByteOrder::Big, |i| i.2),
            Field::CtDir { key, .. } => super::ct_dir_info(*key).map_or(ByteOrder::Big, |i| i.2),
            special => kinds::info(special).map_or(ByteOrder::Big, |i| i.1),
        }
    }
}

impl From<ExthdrField> for Field {
    fn from(field: ExthdrField) -> Field {
        Field::Exthdr(field)
    }
}

impl From<HeaderField> for Field {
    fn from(field: HeaderField) -> Field {
        Field::Header(field)
    }
}

impl fmt::Display for Field {
    /// nft's spelling of the field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Header(h) => write!(f, "{h}"),
            Field::Meta(k) => match meta_info(*k) {
                Some((name, ..)) if meta_is_unqualified(*k) => f.write_str(name),
                Some((name, ..)) => write!(f, "meta {name}"),
                None => write!(f, "meta {}", k.number()),
            },
            Field::CtDir { key, dir } => match super::ct_dir_info(*key) {
                Some((name, ..)) => write!(f, "ct {} {name}", dir.name()),
                None => write!(f, "ct {} {}", dir.name(), key.number()),
            },
            Field::Ct(k) => match ct_info(*k) {
                Some((name, ..)) => write!(f, "ct {name}"),
                None => write!(f, "ct {}", k.number()),
            },
            Field::Raw {
                base,
                bit_offset,
                bit_len,
            } => {
                let b = match base {
                    PayloadBase::Link => "ll",
                    PayloadBase::Network => "nh",
                    PayloadBase::Transport => "th",
                    PayloadBase::Inner => "ih",
                    PayloadBase::Other(_) => "?",
                };
                write!(f, "@{b},{bit_offset},{bit_len}")
            }
            Field::Exthdr(x) => write!(f, "{x}"),
            Field::Fib(x) => write!(f, "{x}"),
            Field::Rt(x) => write!(f, "{x}"),
            Field::Numgen(x) => write!(f, "{x}"),
            Field::Hash(x) => write!(f, "{x}"),
            Field::Socket(x) => write!(f, "{x}"),
            Field::Osf(x) => write!(f, "{x}"),
            Field::Ipsec(x) => write!(f, "{x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{HeaderField, Proto};

    #[test]
    fn every_variant_reads_its_own_row() {
        assert_eq!(HeaderField::ALL.len(), HeaderField::ROWS.len());
        for (i, f) in HeaderField::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(f.row(), HeaderField::ROWS[i]);
        }
        assert_eq!(HeaderField::TcpDport.name(), "dport");
        assert_eq!(HeaderField::TcpDport.proto(), Proto::Tcp);
    }

    #[test]
    fn of_proto_partitions_the_table() {
        let mut n = 0;
        for p in [
            Proto::Ether,
            Proto::Vlan,
            Proto::Arp,
            Proto::Ip,
            Proto::Ip6,
            Proto::Icmp,
            Proto::Icmpv6,
            Proto::Tcp,
            Proto::Udp,
            Proto::Udplite,
            Proto::Sctp,
            Proto::Dccp,
            Proto::Ah,
            Proto::Esp,
            Proto::Comp,
            Proto::Igmp,
            Proto::Th,
        ] {
            let fields = HeaderField::of_proto(p);
            assert!(fields.iter().all(|f| f.proto() == p));
            n += fields.len();
        }
        assert_eq!(n, HeaderField::ALL.len());
    }
}
