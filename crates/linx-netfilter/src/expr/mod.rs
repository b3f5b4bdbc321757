//! Rule expressions: the [`Expr`] enum, its number tables, and constructors for the common
//! shapes (payload aliases, matches in the right byte order, NAT).
//!
//! Why a flat enum of kernel expressions and not a match language: nf_tables rules *are* a
//! list of register-machine instructions (load into a register, compare, look up, set a
//! verdict), and the kernel hands them back in that form when a ruleset is pulled. Modelling
//! exactly that keeps pull ∘ push the identity and leaves nothing to guess for the encoder.
//! The helpers ([`Expr::tcp_dport_eq`], [`Expr::ct_state`], [`nat::dnat_to`], ...) build the
//! usual instruction sequences so callers rarely write registers by hand.
//!
//! # Contract
//! - Every field is explicit: registers ([`Reg`]), lengths, and data bytes exactly as the
//!   kernel receives them. Constructors use data register 1 ([`Reg::R1`]) unless they say
//!   otherwise.
//! - **Byte order.** Packet fields loaded by [`Expr::Payload`] are in network order, so their
//!   `cmp` data is big-endian. Meta and conntrack values the kernel stores as host integers
//!   (meta `mark`, `iif`, `oif`, `len`, `skuid`, `skgid`, `priority`; ct `mark`, `state`,
//!   `status`) are loaded in **host** order, so their `cmp` data is native-endian. Each helper
//!   says which it uses; [`MetaKey::byte_order`] and [`CtKey::byte_order`] tell for any key.
//! - Anonymous sets are written as [`Expr::SetLiteral`] / [`Expr::VmapLiteral`]; the encoder
//!   turns each into a lookup of a per-table `__set<N>` / `__map<N>`.
//! - Expressions the model does not know stay [`Expr::Unknown`] with their raw attribute bytes.
//! - **Checked types.** Each variant wraps its kind's type ([`Payload`], [`Meta`], [`Cmp`],
//!   [`Lookup`], [`Immediate`], [`Nat`], ...), defined with its encoder and decoder in one
//!   module per kind. Their fields are private: a value is built with the type's `new` (or
//!   `with_*` methods), which applies the checks that concern that expression alone
//!   (registers valid and holding the loaded width, data 1 to 64 bytes, bitwise mask and
//!   xor lengths, log options, stateful dynset expressions, the icmpx reject code, a verdict
//!   only in the verdict register, a non-empty unknown name) and returns the
//!   [`Reason`](crate::Reason) otherwise; getters read the fields; `Expr::from` wraps it.
//!   So an [`Expr`] that exists passes its own checks. The [`Expr`] helpers
//!   ([`Expr::tcp_dport_eq`], [`Expr::counter`], ...) go through the same checks; the few
//!   that take raw bytes or lengths panic on input the checks refuse (see their docs).
//! - serde deserializes through the same checks: a JSON expression that fails them is a
//!   deserialization error.
//! - The decoder never fails on what the kernel sends: an expression whose fields decode but
//!   fail its kind's checks stays [`Expr::Unknown`] with its bytes, re-sent unchanged.
//! - What depends on the rule's place is checked when a rule is added to a table and in
//!   [`Ruleset::validate`](crate::Ruleset::validate): the table family (NAT, reject), the
//!   chain type and hook of NAT, set, map and object references (their names, existence,
//!   key and data widths), jump and goto targets, the contents of set and vmap literals, and
//!   the protocol dependencies of header loads.
//! - Size: an [`Expr`] is 40 bytes on 64-bit targets. Variants whose fields would not fit
//!   in 40, or would push a second 40-byte type inline (bitwise, dynset, log, nat, unknown
//!   and the two literals), hold a `Box` ([`Bitwise`], [`Dynset`], [`Log`], [`Nat`],
//!   [`UnknownExpr`], [`SetLiteral`], [`VmapLiteral`]); the common instructions stay inline
//!   ([`Lookup`] keeps its set name as a `Box<str>` for this).
//! - serde: externally tagged, snake case (`{"payload": {"base": "network", ...}}`); byte
//!   strings are lower-case hex; registers default to 1 (0 for `immediate`).

mod boxed;
pub(crate) mod codec;
mod data;
mod helpers;
mod literal;
pub mod nat;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Verdict;
use crate::consts::expr as c;
use crate::consts::reg as r;
use crate::family::named_enum;
use crate::flags::flags;

pub use crate::byte_order::ByteOrder;
pub use boxed::UnknownExpr;
pub use codec::kind::bitwise::Bitwise;
pub use codec::kind::cmp::Cmp;
pub use codec::kind::counter::Counter;
pub use codec::kind::ct::Ct;
pub use codec::kind::dynset::Dynset;
pub use codec::kind::immediate::Immediate;
pub use codec::kind::limit::Limit;
pub use codec::kind::log::Log;
pub use codec::kind::lookup::Lookup;
pub use codec::kind::meta::Meta;
pub use codec::kind::nat::{Masquerade, Nat, Redirect};
pub use codec::kind::objref::Objref;
pub use codec::kind::payload::Payload;
pub use codec::kind::quota::Quota;
pub use codec::kind::reject::Reject;
pub use data::CmpData;
pub use literal::{SetLiteral, VmapLiteral};
pub use nat::{NatFlags, NatOptions};

/// A data register (`NFTA_*_SREG` / `DREG`).
///
/// Register 0 is the verdict register; 1 to 4 are the 16-byte registers; 8 to 23 address
/// the same storage in 4-byte steps (`NFT_REG32_00..15`, used for concatenations).
///
/// serde form: the number.
///
/// ```
/// use linx_netfilter::Reg;
/// assert_eq!(Reg::R1.number(), 1);
/// assert_eq!(Reg::reg32(2), Reg(10));
/// assert!(Reg::R1.can_hold(16));
/// assert!(!Reg::R4.can_hold(17)); // past the end of the register file
/// assert!(!Reg::VERDICT.can_hold(4));
/// assert!(!Reg(5).is_valid());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reg(pub u32);

impl Reg {
    /// The verdict register (`NFT_REG_VERDICT`).
    pub const VERDICT: Reg = Reg(r::NFT_REG_VERDICT);
    /// `NFT_REG_1`, the default data register.
    pub const R1: Reg = Reg(r::NFT_REG_1);
    /// `NFT_REG_2`.
    pub const R2: Reg = Reg(r::NFT_REG_2);
    /// `NFT_REG_3`.
    pub const R3: Reg = Reg(r::NFT_REG_3);
    /// `NFT_REG_4`.
    pub const R4: Reg = Reg(r::NFT_REG_4);

    /// The 32-bit register `NFT_REG32_<n>` (n in 0..=15; larger values give an invalid
    /// register).
    ///
    /// ```
    /// use linx_netfilter::Reg;
    /// assert_eq!(Reg::reg32(0), Reg(8));
    /// assert!(!Reg::reg32(16).is_valid());
    /// ```
    pub const fn reg32(n: u8) -> Reg {
        Reg(r::NFT_REG32_00 + n as u32)
    }

    /// The register number as sent to the kernel.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::Reg::R4.number(), 4);
    /// ```
    pub const fn number(self) -> u32 {
        self.0
    }

    /// `true` for a register that exists: 0..=4 or 8..=23.
    ///
    /// ```
    /// use linx_netfilter::Reg;
    /// assert!(Reg(23).is_valid() && !Reg(24).is_valid() && !Reg(7).is_valid());
    /// ```
    pub const fn is_valid(self) -> bool {
        self.0 <= r::NFT_REG_4 || (self.0 >= r::NFT_REG32_00 && self.0 <= r::NFT_REG32_15)
    }

    /// Index of the register's first 32-bit word in the register file (the verdict
    /// register covers words 0..4), or `None` for an invalid register.
    const fn word(self) -> Option<u32> {
        if !self.is_valid() {
            None
        } else if self.0 <= r::NFT_REG_4 {
            Some(self.0 * (r::NFT_REG_SIZE / r::NFT_REG32_SIZE))
        } else {
            Some(self.0 - r::NFT_REG32_00 + r::NFT_REG_SIZE / r::NFT_REG32_SIZE)
        }
    }

    /// `true` when `len` bytes of data (1 or more) can be loaded into or read from this
    /// register: a valid data register, not the verdict register, and the bytes end inside
    /// the 80-byte register file (the kernel's `nft_validate_register_load`).
    ///
    /// ```
    /// use linx_netfilter::Reg;
    /// assert!(Reg::R1.can_hold(64)); // spans registers 1 to 4
    /// assert!(!Reg::R2.can_hold(64));
    /// assert!(Reg::reg32(15).can_hold(4) && !Reg::reg32(15).can_hold(5));
    /// ```
    pub const fn can_hold(self, len: u32) -> bool {
        match self.word() {
            Some(word) => {
                self.0 != r::NFT_REG_VERDICT
                    && len > 0
                    && word * r::NFT_REG32_SIZE + len <= r::NFT_REG32_NUM * r::NFT_REG32_SIZE
            }
            None => false,
        }
    }
}

impl fmt::Display for Reg {
    /// `reg 1`, as libnftnl prints registers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reg {}", self.0)
    }
}

/// The default data register, for serde defaults.
pub(crate) fn r1() -> Reg {
    Reg::R1
}

/// The verdict register, for serde defaults.
pub(crate) fn verdict_reg() -> Reg {
    Reg::VERDICT
}

/// Declares a kernel enum that keeps unknown numbers (`Other(n)`), with string serde for
/// named values and a bare number for others.
macro_rules! kernel_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident, path = $path:literal, example = $example:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $num:path, $text:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A number the model does not name, kept as is.
            Other(u32),
        }

        impl $name {
            #[doc = concat!("The kernel number.\n\n```\nuse ", $path, ";\nassert_eq!(", stringify!($name), "::Other(999).number(), 999);\n```")]
            pub const fn number(self) -> u32 {
                match self {
                    $($name::$variant => $num,)*
                    $name::Other(n) => n,
                }
            }

            #[doc = concat!("The value for a kernel number; unknown numbers become `Other`.\n\n```\nuse ", $path, ";\nlet v = ", stringify!($name), "::", stringify!($example), ";\nassert_eq!(", stringify!($name), "::from_number(v.number()), v);\nassert_eq!(", stringify!($name), "::from_number(999), ", stringify!($name), "::Other(999));\n```")]
            pub const fn from_number(number: u32) -> $name {
                match number {
                    $($num => $name::$variant,)*
                    n => $name::Other(n),
                }
            }

            #[doc = concat!("The nft name, or `None` for `Other`.\n\n```\nuse ", $path, ";\nassert!(", stringify!($name), "::", stringify!($example), ".name().is_some());\n```")]
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $($name::$variant => Some($text),)*
                    $name::Other(_) => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            /// The nft name, or the number for `Other`.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}", self.number()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = crate::Error;
            /// A name or a number.
            fn from_str(text: &str) -> Result<$name, crate::Error> {
                $(if text == $text { return Ok($name::$variant); })*
                text.parse::<u32>().map($name::from_number).map_err(|_| crate::Error::UnknownName {
                    what: stringify!($name),
                    name: text.to_owned(),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self.name() {
                    Some(name) => serializer.serialize_str(name),
                    None => serializer.serialize_u32(self.number()),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(untagged)]
                enum Form {
                    Number(u32),
                    Text(String),
                }
                match <Form as ::serde::Deserialize>::deserialize(deserializer)? {
                    Form::Number(n) => Ok($name::from_number(n)),
                    Form::Text(text) => text.parse().map_err(::serde::de::Error::custom),
                }
            }
        }
    };
}
pub(crate) use kernel_enum;

kernel_enum! {
    /// Where a payload load starts (`enum nft_payload_bases`).
    ///
    /// ```
    /// use linx_netfilter::expr::PayloadBase;
    /// assert_eq!(PayloadBase::Transport.number(), 2);
    /// assert_eq!(PayloadBase::Network.to_string(), "network");
    /// ```
    pub enum PayloadBase, path = "linx_netfilter::expr::PayloadBase", example = Network {
        /// `link` (0): the link-layer (Ethernet) header.
        Link = c::NFT_PAYLOAD_LL_HEADER, "link";
        /// `network` (1): the IPv4/IPv6 header.
        Network = c::NFT_PAYLOAD_NETWORK_HEADER, "network";
        /// `transport` (2): the TCP/UDP/ICMP header.
        Transport = c::NFT_PAYLOAD_TRANSPORT_HEADER, "transport";
        /// `inner` (3): the inner header of a tunnel.
        Inner = c::NFT_PAYLOAD_INNER_HEADER, "inner";
    }
}

kernel_enum! {
    /// A meta key (`enum nft_meta_keys`): packet metadata that is not in the packet.
    ///
    /// Note the numbers of `nfproto` (15) and `l4proto` (16) (§7.1).
    ///
    /// ```
    /// use linx_netfilter::expr::MetaKey;
    /// assert_eq!(MetaKey::Nfproto.number(), 15);
    /// assert_eq!(MetaKey::L4proto.number(), 16);
    /// assert_eq!(MetaKey::from_number(3), MetaKey::Mark);
    /// ```
    pub enum MetaKey, path = "linx_netfilter::expr::MetaKey", example = Mark {
        /// `len` (0): packet length, u32 host order.
        Len = c::NFT_META_LEN, "len";
        /// `protocol` (1): the EtherType, u16 network order.
        Protocol = c::NFT_META_PROTOCOL, "protocol";
        /// `priority` (2): the skb priority (tc class), u32 host order.
        Priority = c::NFT_META_PRIORITY, "priority";
        /// `mark` (3): the packet mark, u32 host order.
        Mark = c::NFT_META_MARK, "mark";
        /// `iif` (4): input interface index, u32 host order.
        Iif = c::NFT_META_IIF, "iif";
        /// `oif` (5): output interface index, u32 host order.
        Oif = c::NFT_META_OIF, "oif";
        /// `iifname` (6): input interface name, 16 bytes NUL padded.
        Iifname = c::NFT_META_IIFNAME, "iifname";
        /// `oifname` (7): output interface name, 16 bytes NUL padded.
        Oifname = c::NFT_META_OIFNAME, "oifname";
        /// `iiftype` (8): input interface ARPHRD type, u16 host order.
        Iiftype = c::NFT_META_IIFTYPE, "iiftype";
        /// `oiftype` (9): output interface ARPHRD type, u16 host order.
        Oiftype = c::NFT_META_OIFTYPE, "oiftype";
        /// `skuid` (10): owning socket's uid, u32 host order.
        Skuid = c::NFT_META_SKUID, "skuid";
        /// `skgid` (11): owning socket's gid, u32 host order.
        Skgid = c::NFT_META_SKGID, "skgid";
        /// `nftrace` (12): the trace flag, 1 byte.
        Nftrace = c::NFT_META_NFTRACE, "nftrace";
        /// `rtclassid` (13): routing realm, u32 host order.
        Rtclassid = c::NFT_META_RTCLASSID, "rtclassid";
        /// `secmark` (14): security mark, u32 host order.
        Secmark = c::NFT_META_SECMARK, "secmark";
        /// `nfproto` (15): the netfilter family of the packet (2 IPv4, 10 IPv6), 1 byte.
        Nfproto = c::NFT_META_NFPROTO, "nfproto";
        /// `l4proto` (16): the layer-4 protocol number (6 TCP, 17 UDP), 1 byte.
        L4proto = c::NFT_META_L4PROTO, "l4proto";
    }
}

impl MetaKey {
    /// Bytes the kernel loads for this key, or `None` for `Other` keys.
    ///
    /// ```
    /// use linx_netfilter::expr::MetaKey;
    /// assert_eq!(MetaKey::Iifname.len(), Some(16));
    /// assert_eq!(MetaKey::L4proto.len(), Some(1));
    /// assert_eq!(MetaKey::Other(99).len(), None);
    /// ```
    #[allow(clippy::len_without_is_empty)] // a load width, not a container
    pub const fn len(self) -> Option<u32> {
        match self {
            MetaKey::Iifname | MetaKey::Oifname => Some(16),
            MetaKey::Protocol | MetaKey::Iiftype | MetaKey::Oiftype => Some(2),
            MetaKey::Nftrace | MetaKey::Nfproto | MetaKey::L4proto => Some(1),
            MetaKey::Other(_) => None,
            _ => Some(4),
        }
    }

    /// The byte order of the loaded value: [`ByteOrder::Big`] for `protocol` and for
    /// single bytes and names, [`ByteOrder::Host`] for every integer the kernel keeps as a
    /// host integer (`len`, `mark`, `iif`, `oif`, `skuid`, ...).
    ///
    /// ```
    /// use linx_netfilter::expr::{ByteOrder, MetaKey};
    /// assert_eq!(MetaKey::Skuid.byte_order(), ByteOrder::Host);
    /// assert_eq!(MetaKey::Iifname.byte_order(), ByteOrder::Big);
    /// ```
    pub const fn byte_order(self) -> ByteOrder {
        match self {
            MetaKey::Protocol
            | MetaKey::Iifname
            | MetaKey::Oifname
            | MetaKey::Nftrace
            | MetaKey::Nfproto
            | MetaKey::L4proto
            | MetaKey::Other(_) => ByteOrder::Big,
            _ => ByteOrder::Host,
        }
    }
}

kernel_enum! {
    /// A conntrack key (`enum nft_ct_keys`).
    ///
    /// ```
    /// use linx_netfilter::expr::CtKey;
    /// assert_eq!(CtKey::State.number(), 0);
    /// assert_eq!(CtKey::Secmark.number(), 4);
    /// ```
    pub enum CtKey, path = "linx_netfilter::expr::CtKey", example = State {
        /// `state` (0): [`CtState`](crate::CtState) bits, u32 host order.
        State = c::NFT_CT_STATE, "state";
        /// `direction` (1): 0 original, 1 reply; 1 byte.
        Direction = c::NFT_CT_DIRECTION, "direction";
        /// `status` (2): `IPS_*` status bits, u32 host order.
        Status = c::NFT_CT_STATUS, "status";
        /// `mark` (3): the connection mark, u32 host order.
        Mark = c::NFT_CT_MARK, "mark";
        /// `secmark` (4): the connection's security mark, u32 host order.
        Secmark = c::NFT_CT_SECMARK, "secmark";
    }
}

impl CtKey {
    /// Bytes the kernel loads for this key, or `None` for `Other` keys.
    ///
    /// ```
    /// use linx_netfilter::expr::CtKey;
    /// assert_eq!(CtKey::Direction.len(), Some(1));
    /// assert_eq!(CtKey::Mark.len(), Some(4));
    /// ```
    #[allow(clippy::len_without_is_empty)] // a load width, not a container
    pub const fn len(self) -> Option<u32> {
        match self {
            CtKey::Direction => Some(1),
            CtKey::Other(_) => None,
            _ => Some(4),
        }
    }

    /// The byte order of the loaded value: host order for every named key.
    ///
    /// ```
    /// use linx_netfilter::expr::{ByteOrder, CtKey};
    /// assert_eq!(CtKey::Mark.byte_order(), ByteOrder::Host);
    /// ```
    pub const fn byte_order(self) -> ByteOrder {
        match self {
            CtKey::Other(_) | CtKey::Direction => ByteOrder::Big,
            _ => ByteOrder::Host,
        }
    }
}

named_enum! {
    /// A comparison (`enum nft_cmp_ops`): register `op` data.
    ///
    /// Ordering comparisons compare bytes as a big-endian number (`memcmp`), so use them on
    /// network-order data.
    ///
    /// ```
    /// use linx_netfilter::expr::CmpOp;
    /// assert_eq!(CmpOp::Gte.number(), 5);
    /// assert_eq!(CmpOp::from_number(1), Some(CmpOp::Neq));
    /// ```
    pub enum CmpOp, what = "cmp op", path = "linx_netfilter::expr::CmpOp" {
        /// `eq` (0).
        Eq = "eq",
        /// `neq` (1).
        Neq = "neq",
        /// `lt` (2).
        Lt = "lt",
        /// `lte` (3).
        Lte = "lte",
        /// `gt` (4).
        Gt = "gt",
        /// `gte` (5).
        Gte = "gte",
    }
}

impl CmpOp {
    /// The kernel number (`NFT_CMP_*`).
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::CmpOp::Eq.number(), 0);
    /// ```
    pub const fn number(self) -> u32 {
        match self {
            CmpOp::Eq => c::NFT_CMP_EQ,
            CmpOp::Neq => c::NFT_CMP_NEQ,
            CmpOp::Lt => c::NFT_CMP_LT,
            CmpOp::Lte => c::NFT_CMP_LTE,
            CmpOp::Gt => c::NFT_CMP_GT,
            CmpOp::Gte => c::NFT_CMP_GTE,
        }
    }

    /// The op for a kernel number, `None` above 5.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::CmpOp::from_number(6), None);
    /// ```
    pub const fn from_number(number: u32) -> Option<CmpOp> {
        match number {
            c::NFT_CMP_EQ => Some(CmpOp::Eq),
            c::NFT_CMP_NEQ => Some(CmpOp::Neq),
            c::NFT_CMP_LT => Some(CmpOp::Lt),
            c::NFT_CMP_LTE => Some(CmpOp::Lte),
            c::NFT_CMP_GT => Some(CmpOp::Gt),
            c::NFT_CMP_GTE => Some(CmpOp::Gte),
            _ => None,
        }
    }

    /// The operator symbol (`==`, `!=`, `<`, ...).
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::CmpOp::Lte.symbol(), "<=");
    /// ```
    pub const fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Neq => "!=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
        }
    }
}

named_enum! {
    /// How a reject answers (`enum nft_reject_types`).
    ///
    /// ```
    /// use linx_netfilter::expr::RejectType;
    /// assert_eq!(RejectType::TcpReset.number(), 1);
    /// assert_eq!(RejectType::IcmpxUnreach.default_code(), 1);
    /// ```
    pub enum RejectType, what = "reject type", path = "linx_netfilter::expr::RejectType" {
        /// `icmp_unreach` (0): an ICMP (IPv4) or ICMPv6 destination-unreachable with `code`
        /// in that protocol's numbering.
        IcmpUnreach = "icmp_unreach",
        /// `tcp_reset` (1): a TCP RST (the code is unused).
        TcpReset = "tcp_reset",
        /// `icmpx_unreach` (2): an unreachable with a family-independent code (0 no-route,
        /// 1 port-unreachable, 2 host-unreachable, 3 admin-prohibited).
        IcmpxUnreach = "icmpx_unreach",
    }
}

impl RejectType {
    /// The kernel number (`NFT_REJECT_*`).
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::RejectType::IcmpxUnreach.number(), 2);
    /// ```
    pub const fn number(self) -> u32 {
        match self {
            RejectType::IcmpUnreach => c::NFT_REJECT_ICMP_UNREACH,
            RejectType::TcpReset => c::NFT_REJECT_TCP_RST,
            RejectType::IcmpxUnreach => c::NFT_REJECT_ICMPX_UNREACH,
        }
    }

    /// The type for a kernel number.
    ///
    /// ```
    /// use linx_netfilter::expr::RejectType;
    /// assert_eq!(RejectType::from_number(0), Some(RejectType::IcmpUnreach));
    /// assert_eq!(RejectType::from_number(3), None);
    /// ```
    pub const fn from_number(number: u32) -> Option<RejectType> {
        match number {
            c::NFT_REJECT_ICMP_UNREACH => Some(RejectType::IcmpUnreach),
            c::NFT_REJECT_TCP_RST => Some(RejectType::TcpReset),
            c::NFT_REJECT_ICMPX_UNREACH => Some(RejectType::IcmpxUnreach),
            _ => None,
        }
    }

    /// The port-unreachable code of this type: 3 for ICMP (IPv4; pass 4 explicitly for
    /// ICMPv6), 1 for icmpx, 0 for a TCP reset.
    ///
    /// ```
    /// use linx_netfilter::expr::RejectType;
    /// assert_eq!(RejectType::IcmpUnreach.default_code(), 3);
    /// assert_eq!(RejectType::TcpReset.default_code(), 0);
    /// ```
    pub const fn default_code(self) -> u8 {
        match self {
            RejectType::IcmpUnreach => 3,
            RejectType::TcpReset => 0,
            RejectType::IcmpxUnreach => c::NFT_REJECT_ICMPX_PORT_UNREACH,
        }
    }
}

named_enum! {
    /// The time unit of a rate (`NFTA_LIMIT_UNIT`, sent as seconds).
    ///
    /// ```
    /// use linx_netfilter::expr::RateUnit;
    /// assert_eq!(RateUnit::Minute.seconds(), 60);
    /// assert_eq!(RateUnit::from_seconds(86_400), Some(RateUnit::Day));
    /// ```
    pub enum RateUnit, what = "rate unit", path = "linx_netfilter::expr::RateUnit" {
        /// Per second.
        Second = "second",
        /// Per minute.
        Minute = "minute",
        /// Per hour.
        Hour = "hour",
        /// Per day.
        Day = "day",
        /// Per week.
        Week = "week",
    }
}

impl RateUnit {
    /// Seconds in one unit (the kernel's value).
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::RateUnit::Week.seconds(), 604_800);
    /// ```
    pub const fn seconds(self) -> u64 {
        match self {
            RateUnit::Second => 1,
            RateUnit::Minute => 60,
            RateUnit::Hour => 3_600,
            RateUnit::Day => 86_400,
            RateUnit::Week => 604_800,
        }
    }

    /// The unit of a kernel value, `None` for other second counts.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::RateUnit::from_seconds(7), None);
    /// ```
    pub const fn from_seconds(seconds: u64) -> Option<RateUnit> {
        match seconds {
            1 => Some(RateUnit::Second),
            60 => Some(RateUnit::Minute),
            3_600 => Some(RateUnit::Hour),
            86_400 => Some(RateUnit::Day),
            604_800 => Some(RateUnit::Week),
            _ => None,
        }
    }
}

named_enum! {
    /// What a dynset does with the packet's key (`enum nft_dynset_ops`).
    ///
    /// ```
    /// use linx_netfilter::expr::DynsetOp;
    /// assert_eq!(DynsetOp::Update.number(), 1);
    /// ```
    pub enum DynsetOp, what = "dynset op", path = "linx_netfilter::expr::DynsetOp" {
        /// `add` (0): add the key if missing.
        Add = "add",
        /// `update` (1): add, or refresh the timeout of an existing element.
        Update = "update",
        /// `delete` (2): remove the key.
        Delete = "delete",
    }
}

impl DynsetOp {
    /// The kernel number (`NFT_DYNSET_OP_*`).
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::DynsetOp::Delete.number(), 2);
    /// ```
    pub const fn number(self) -> u32 {
        match self {
            DynsetOp::Add => c::NFT_DYNSET_OP_ADD,
            DynsetOp::Update => c::NFT_DYNSET_OP_UPDATE,
            DynsetOp::Delete => c::NFT_DYNSET_OP_DELETE,
        }
    }

    /// The op for a kernel number.
    ///
    /// ```
    /// use linx_netfilter::expr::DynsetOp;
    /// assert_eq!(DynsetOp::from_number(0), Some(DynsetOp::Add));
    /// assert_eq!(DynsetOp::from_number(3), None);
    /// ```
    pub const fn from_number(number: u32) -> Option<DynsetOp> {
        match number {
            c::NFT_DYNSET_OP_ADD => Some(DynsetOp::Add),
            c::NFT_DYNSET_OP_UPDATE => Some(DynsetOp::Update),
            c::NFT_DYNSET_OP_DELETE => Some(DynsetOp::Delete),
            _ => None,
        }
    }
}

named_enum! {
    /// Source or destination NAT (`enum nft_nat_types`).
    ///
    /// ```
    /// use linx_netfilter::expr::NatType;
    /// assert_eq!(NatType::Dnat.number(), 1);
    /// ```
    pub enum NatType, what = "nat type", path = "linx_netfilter::expr::NatType" {
        /// `snat` (0): rewrite the source.
        Snat = "snat",
        /// `dnat` (1): rewrite the destination.
        Dnat = "dnat",
    }
}

impl NatType {
    /// The kernel number (`NFT_NAT_*`).
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::NatType::Snat.number(), 0);
    /// ```
    pub const fn number(self) -> u32 {
        match self {
            NatType::Snat => c::NFT_NAT_SNAT,
            NatType::Dnat => c::NFT_NAT_DNAT,
        }
    }

    /// The type for a kernel number.
    ///
    /// ```
    /// use linx_netfilter::expr::NatType;
    /// assert_eq!(NatType::from_number(1), Some(NatType::Dnat));
    /// ```
    pub const fn from_number(number: u32) -> Option<NatType> {
        match number {
            c::NFT_NAT_SNAT => Some(NatType::Snat),
            c::NFT_NAT_DNAT => Some(NatType::Dnat),
            _ => None,
        }
    }
}

flags! {
    /// Log flags (`NF_LOG_*`, `NFTA_LOG_FLAGS`): extra fields the kernel writes to syslog.
    ///
    /// ```
    /// use linx_netfilter::expr::LogFlags;
    /// assert_eq!((LogFlags::TCP_SEQ | LogFlags::UID).bits(), 0x9);
    /// ```
    pub struct LogFlags, path = "linx_netfilter::expr::LogFlags", example = "linx_netfilter::expr::LogFlags::UID" {
        /// `tcp_seq`: TCP sequence numbers.
        const TCP_SEQ = c::NF_LOG_TCPSEQ, "tcp_seq";
        /// `tcp_opt`: TCP options.
        const TCP_OPT = c::NF_LOG_TCPOPT, "tcp_opt";
        /// `ip_opt`: IP options.
        const IP_OPT = c::NF_LOG_IPOPT, "ip_opt";
        /// `uid`: the owning socket's uid.
        const UID = c::NF_LOG_UID, "uid";
        /// `macdecode`: decode the MAC header.
        const MACDECODE = c::NF_LOG_MACDECODE, "macdecode";
    }
}

impl Default for LogFlags {
    /// No flags.
    fn default() -> LogFlags {
        LogFlags::empty()
    }
}

/// The value an immediate expression stores: a verdict (into the verdict register) or data.
///
/// serde form: `{"verdict": "accept"}` or `{"value": "0a000001"}` (hex).
///
/// ```
/// use linx_netfilter::{Verdict, expr::ImmediateData};
/// let d = ImmediateData::Verdict(Verdict::Accept);
/// assert_eq!(serde_json::to_string(&d)?, r#"{"verdict":"accept"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImmediateData {
    /// A verdict (`NFTA_DATA_VERDICT`); the register must be [`Reg::VERDICT`].
    Verdict(Verdict),
    /// Bytes (`NFTA_DATA_VALUE`), loaded into a data register as they are.
    Value(#[serde(with = "crate::hex")] Vec<u8>),
}

/// Default-false helper for serde `skip_serializing_if`.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// One nf_tables expression: an instruction of a rule.
///
/// Build them with the constructors ([`Expr::tcp_dport_eq`], [`Expr::meta`],
/// [`Expr::counter`], ...) or write the variants directly. The helpers returning
/// `Vec<Expr>` produce a load plus a comparison.
///
/// ```
/// use linx_netfilter::{Expr, Rule};
/// let rule = Rule::new(Expr::tcp_dport_eq(22)).expr(Expr::counter()).accept();
/// assert_eq!(rule.exprs.len(), 4);
/// assert_eq!(rule.exprs[1].to_string(), "cmp eq reg 1 0x0016");
/// let json = serde_json::to_string(&rule.exprs[0])?;
/// assert_eq!(json, r#"{"payload":{"base":"transport","offset":2,"len":2,"dreg":1}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expr {
    /// `payload`: load `len` bytes at `offset` from a header into `dreg` (network order).
    Payload(Payload),
    /// `meta`: load packet metadata into `dreg` (see [`MetaKey`] for widths and order).
    Meta(Meta),
    /// `cmp`: compare `sreg` with `data`; the rule stops here unless it holds.
    Cmp(Cmp),
    /// `bitwise`: `dreg = (sreg & mask) ^ xor` over `len` bytes (boxed: rare, and two
    /// byte strings long).
    Bitwise(Box<Bitwise>),
    /// `ct`: load a conntrack value into `dreg` (host order, see [`CtKey`]).
    Ct(Ct),
    /// `lookup`: is the key in `sreg` in set `set`? With `dreg`, a map lookup storing the
    /// value (`Some(Reg::VERDICT)` for a verdict map).
    Lookup(Lookup),
    /// An anonymous set (`{ 22, 80 }`); the encoder makes it a `__set<N>` plus a lookup.
    /// Boxed, like every variant too large for the 40 bytes of the common ones.
    SetLiteral(Box<SetLiteral>),
    /// An anonymous verdict map (`vmap { 22 : accept }`); the encoder makes it a `__map<N>`
    /// plus a verdict lookup (boxed).
    VmapLiteral(Box<VmapLiteral>),
    /// `reject`: drop and answer with an ICMP error or TCP reset.
    Reject(Reject),
    /// `counter`: count packets and bytes.
    Counter(Counter),
    /// `limit`: match while under `rate` per `unit` (packets, or bytes with `bytes`).
    Limit(Limit),
    /// `quota`: match until `bytes` bytes have passed (or after, with `over`).
    Quota(Quota),
    /// `dynset`: add, update or delete the key in `sreg_key` in a set from the packet path
    /// (boxed).
    Dynset(Box<Dynset>),
    /// `objref`: use a named stateful object (counter, quota, limit ...).
    Objref(Objref),
    /// `log`: log the packet to NFLOG `group`, or to syslog at `level` without a group
    /// (boxed).
    Log(Box<Log>),
    /// `immediate`: store a verdict or data in a register.
    Immediate(Immediate),
    /// `nat`: source or destination NAT to the address/port in registers (boxed).
    Nat(Box<Nat>),
    /// `masq`: source NAT to the outgoing interface's address.
    Masquerade(Masquerade),
    /// `redir`: destination NAT to this host (optionally to a port).
    Redirect(Redirect),
    /// An expression the model does not know: its kernel name and raw `NFTA_EXPR_DATA`
    /// bytes, re-emitted unchanged (boxed).
    Unknown(Box<UnknownExpr>),
}

impl Expr {
    /// The kernel expression name (`NFTA_EXPR_NAME`); literals report `lookup`, which is
    /// what the encoder turns them into.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::counter().kernel_name(), "counter");
    /// assert_eq!(Expr::accept().kernel_name(), "immediate");
    /// ```
    pub fn kernel_name(&self) -> &str {
        match self {
            Expr::Unknown(raw) => &raw.name,
            modelled => modelled.modelled_name(),
        }
    }

    /// [`Expr::kernel_name`] as a `&'static str`: `"unknown"` for [`Expr::Unknown`] (for
    /// error reasons, which cannot borrow the expression).
    pub(crate) fn modelled_name(&self) -> &'static str {
        match self {
            Expr::Payload(_) => "payload",
            Expr::Meta(_) => "meta",
            Expr::Cmp(_) => "cmp",
            Expr::Bitwise(_) => "bitwise",
            Expr::Ct(_) => "ct",
            Expr::Lookup(_) | Expr::SetLiteral(_) | Expr::VmapLiteral(_) => "lookup",
            Expr::Reject(_) => "reject",
            Expr::Counter(_) => "counter",
            Expr::Limit(_) => "limit",
            Expr::Quota(_) => "quota",
            Expr::Dynset(_) => "dynset",
            Expr::Objref(_) => "objref",
            Expr::Log(_) => "log",
            Expr::Immediate(_) => "immediate",
            Expr::Nat(_) => "nat",
            Expr::Masquerade(_) => "masq",
            Expr::Redirect(_) => "redir",
            Expr::Unknown(_) => "unknown",
        }
    }

    /// The verdicts this expression can decide: an immediate verdict, or the values of a
    /// vmap literal.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Verdict};
    /// assert_eq!(Expr::jump("c").verdicts().collect::<Vec<_>>(), [&Verdict::Jump("c".into())]);
    /// assert_eq!(Expr::counter().verdicts().count(), 0);
    /// ```
    pub fn verdicts(&self) -> impl Iterator<Item = &Verdict> {
        let (single, many) = self.verdict_parts();
        single.into_iter().chain(many.iter().map(|(_, v)| v))
    }

    /// [`Expr::verdicts`] as its two parts: an immediate verdict, and the elements of a
    /// vmap literal (for loops over every expression of a ruleset, which need no iterator
    /// for the expressions without verdicts).
    pub(crate) fn verdict_parts(&self) -> (Option<&Verdict>, &[(crate::SetElement, Verdict)]) {
        match self {
            Expr::Immediate(Immediate {
                data: ImmediateData::Verdict(v),
                ..
            }) => (Some(v), &[]),
            Expr::VmapLiteral(vmap) => (None, &vmap.elements),
            _ => (None, &[]),
        }
    }
}

impl fmt::Display for Expr {
    /// A libnftnl-like one-liner: `payload load 2b @ transport header + 2 => reg 1`,
    /// `cmp eq reg 1 0x0016`, `immediate reg 0 accept`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = |b: &[u8]| format!("0x{}", crate::hex::encode(b));
        match self {
            Expr::Payload(Payload {
                base,
                offset,
                len,
                dreg,
            }) => write!(
                f,
                "payload load {len}b @ {base} header + {offset} => {dreg}"
            ),
            Expr::Meta(Meta { key, dreg }) => write!(f, "meta load {key} => {dreg}"),
            Expr::Cmp(Cmp { sreg, op, data }) => write!(f, "cmp {op} {sreg} {}", hex(data)),
            Expr::Bitwise(b) => {
                let Bitwise {
                    sreg,
                    dreg,
                    len,
                    mask,
                    xor,
                } = &**b;
                write!(
                    f,
                    "bitwise {dreg} = ({sreg} & {}) ^ {} ({len}b)",
                    hex(mask),
                    hex(xor)
                )
            }
            Expr::Ct(Ct { key, dreg }) => write!(f, "ct load {key} => {dreg}"),
            Expr::Lookup(Lookup {
                set,
                sreg,
                dreg,
                inverted,
            }) => {
                write!(f, "lookup {sreg} set {set}")?;
                if let Some(dreg) = dreg {
                    write!(f, " dreg {}", dreg.0)?;
                }
                if *inverted {
                    f.write_str(" inverted")?;
                }
                Ok(())
            }
            Expr::SetLiteral(lit) => write!(f, "{lit}"),
            Expr::VmapLiteral(lit) => write!(f, "{lit}"),
            Expr::Reject(Reject { kind, code }) => write!(f, "reject type {kind} code {code}"),
            Expr::Counter(Counter { packets, bytes }) => {
                write!(f, "counter pkts {packets} bytes {bytes}")
            }
            Expr::Limit(Limit {
                rate,
                unit,
                burst,
                bytes,
                over,
            }) => {
                let what = if *bytes { "bytes" } else { "pkts" };
                let inv = if *over { " over" } else { "" };
                write!(f, "limit rate {rate}/{unit} burst {burst} {what}{inv}")
            }
            Expr::Quota(Quota {
                bytes,
                over,
                consumed,
            }) => {
                let inv = if *over { " over" } else { "" };
                write!(f, "quota bytes {bytes} consumed {consumed}{inv}")
            }
            Expr::Dynset(dynset) => {
                let Dynset {
                    set,
                    op,
                    sreg_key,
                    timeout_ms,
                    exprs,
                    ..
                } = &**dynset;
                write!(f, "dynset {op} {sreg_key} set {set}")?;
                if let Some(ms) = timeout_ms {
                    write!(f, " timeout {ms}ms")?;
                }
                for e in exprs {
                    write!(f, " [ {e} ]")?;
                }
                Ok(())
            }
            Expr::Objref(Objref { kind, name }) => write!(f, "objref type {kind} name {name}"),
            Expr::Log(log) => {
                let Log { group, prefix, .. } = &**log;
                f.write_str("log")?;
                if let Some(prefix) = prefix {
                    write!(f, " prefix {prefix:?}")?;
                }
                if let Some(group) = group {
                    write!(f, " group {group}")?;
                }
                Ok(())
            }
            Expr::Immediate(Immediate { dreg, data }) => match data {
                ImmediateData::Verdict(v) => write!(f, "immediate {dreg} {v}"),
                ImmediateData::Value(bytes) => write!(f, "immediate {dreg} {}", hex(bytes)),
            },
            Expr::Nat(nat) => {
                let Nat {
                    kind,
                    family,
                    reg_addr_min,
                    reg_proto_min,
                    flags,
                    ..
                } = &**nat;
                write!(f, "nat {kind} {family}")?;
                if let Some(reg) = reg_addr_min {
                    write!(f, " addr_min {reg}")?;
                }
                if let Some(reg) = reg_proto_min {
                    write!(f, " proto_min {reg}")?;
                }
                if !flags.is_empty() {
                    write!(f, " flags {flags}")?;
                }
                Ok(())
            }
            Expr::Masquerade(Masquerade {
                flags,
                reg_proto_min,
                ..
            })
            | Expr::Redirect(Redirect {
                flags,
                reg_proto_min,
                ..
            }) => {
                f.write_str(self.kernel_name())?;
                if let Some(reg) = reg_proto_min {
                    write!(f, " proto_min {reg}")?;
                }
                if !flags.is_empty() {
                    write!(f, " flags {flags}")?;
                }
                Ok(())
            }
            Expr::Unknown(raw) => write!(f, "{} {}", raw.name, hex(&raw.data)),
        }
    }
}
