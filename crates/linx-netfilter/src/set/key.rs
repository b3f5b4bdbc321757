//! [`KeyType`]: the type of a set's keys (and of a map's data), with nft's type ids.
//!
//! Why typed keys: the kernel stores only a key length and an opaque type id (nftables'
//! `enum datatypes`); what a key *means* (an IPv4 address, a port in network order, a mark
//! in host order) decides how elements are encoded. The model carries the meaning, and
//! [`KeyType::type_id`] / [`KeyType::key_len`] give the two numbers the kernel stores.
//!
//! # Contract
//! - Ids and lengths (§7.1): ipv4_addr 7/4, ipv6_addr 8/16, ether_addr 9/6, inet_proto 12/1,
//!   inet_service 13/2, mark 19/4, ct_state 26/4, ifname 41/16.
//! - Concatenations: id = fold of `id << 6 | field_id` in field order; length = sum of the
//!   fields' lengths each rounded up to 4 bytes. [`KeyType::from_type_id`] splits 6-bit
//!   chunks back; anything it cannot name becomes [`KeyType::Raw`] (never an error), so a
//!   kernel set with a foreign type survives a pull.
//! - Byte order of each field, in every kind of set: the "Byte order" section of
//!   [`KeyType`], the one place it is written down; [`KeyType::byte_order`] gives a type's
//!   order in a plain set.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::byte_order::ByteOrder;
use crate::consts::datatype as t;
use crate::consts::set::TYPE_BITS;

/// The type of a set key or map value.
///
/// ```
/// use linx_netfilter::KeyType;
/// let k = KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]);
/// assert_eq!(k.type_id(), (7 << 6) | 13);
/// assert_eq!(k.key_len(), 8);
/// assert_eq!(KeyType::from_type_id(k.type_id(), 8), k);
/// assert_eq!(k.to_string(), "ipv4_addr . inet_service");
/// ```
///
/// # Byte order
/// The bytes of a key field or of map data are ordered by the field's type, as nft(8) orders
/// them, and, for keys, by whether the set is an interval set. Each rule below is fixed on
/// a kernel dump of a set nft wrote (nft 1.0.6, Linux 6.18), one test per rule, in
/// `crates/linx-netfilter/src/wire/set/order_tests.rs`; the encoder and decoder that
/// follow them are in `src/wire/set.rs`.
/// - **Network order** (big endian): `ipv4_addr`, `ipv6_addr`, `inet_service`, in every
///   set. Ethernet addresses, protocol numbers and interface names (NUL padded to 16 bytes)
///   are byte strings, the same in every set.
/// - **Host order**: `mark` and `ct_state` (4 bytes) in plain sets, alone or as a field of
///   a plain concatenation: the mark `0xaabbccdd` is `dd cc bb aa` on x86-64.
/// - **Interval keys are big endian.** The kernel compares interval keys as big-endian
///   numbers, so a scalar interval set (`flags interval`) holds marks and conntrack states
///   big endian: each range `[lo, hi]` is a start element `lo` and an element `hi + 1`
///   flagged `NFT_SET_ELEM_INTERVAL_END` (none when `hi` is the type's maximum), after an
///   end element at 0 unless the first range starts at 0. `0x10-0x20` is `00 00 00 10` and
///   `00 00 00 21`. A mark prefix (`0xaabb0000/16`) is stored as its range and comes back as
///   a [`SetElement::Range`](crate::SetElement::Range); only addresses come back as
///   prefixes.
/// - **Concatenations**: every field is padded with zeros to 4 bytes (port 443 is
///   `01 bb 00 00`). In a plain concatenation each field keeps its own order
///   (`10.0.0.1 . 0x1` is `0a 00 00 01 01 00 00 00`). In an interval concatenation (the
///   kernel's pipapo set: one element per range, `KEY` and an inclusive `KEY_END`) every
///   field is big endian, marks included.
/// - **Map data** keep their type's order in every map, interval maps included: mark data
///   are host order even where the keys are big endian. A verdict is its code, big endian.
/// - **Types the model does not name** ([`KeyType::Raw`]: `typeof meta length`,
///   `typeof meta priority`, the integer key of an anonymous set in a rule) stay the kernel's
///   bytes ([`ElemValue::Bytes`](crate::ElemValue::Bytes)): host order in a plain set, big
///   endian in an interval set (nft switched them). They are written back unchanged; the
///   model never swaps bytes it cannot type.
/// - **Set userdata**: nft records the byte order of the key and of map data
///   (`NFTNL_UDATA_SET_KEYBYTEORDER` / `NFTNL_UDATA_SET_DATABYTEORDER`: 1 host for marks,
///   conntrack states, interface names and integer `typeof` keys; 2 big endian for
///   addresses, ports and Ethernet addresses; 0 for protocols, concatenations and verdicts)
///   and `typeof` descriptions, which it prints the elements by. The tag names the type's
///   order, also in interval sets, whose bytes are big endian. Linx writes the same TLVs for
///   the types it names; a pulled set whose TLVs differ from those (`typeof` keys and
///   concatenations, raw types) keeps them in
///   [`SetExtras::userdata`](crate::SetExtras::userdata) and re-sends them byte for byte, so
///   nft lists it as before.
/// - **Element attributes**: timeouts and expirations are u64 milliseconds, big endian, as
///   every nf_tables integer attribute; comments and whatever else an element carries are
///   kept as the kernel sent them ([`SetExtras::elements`](crate::SetExtras::elements)).
/// - Host order is the order of the host that wrote the set: elements copied between hosts
///   of different endianness need swapping, as with nft.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyType {
    /// An IPv4 address, 4 bytes, network order.
    Ipv4Addr,
    /// An IPv6 address, 16 bytes, network order.
    Ipv6Addr,
    /// An Ethernet address, 6 bytes.
    EtherAddr,
    /// An IP protocol number (`meta l4proto`, `ip protocol`), 1 byte.
    InetProto,
    /// A TCP/UDP/SCTP port, 2 bytes, network order.
    InetService,
    /// A packet or conntrack mark, 4 bytes, host order.
    Mark,
    /// An interface name, 16 bytes, NUL padded.
    Ifname,
    /// A conntrack state bit set, 4 bytes, host order.
    CtState,
    /// A concatenation (`ipv4_addr . inet_service`): 2 to 5 scalar fields, matched together.
    Concat(Vec<KeyType>),
    /// A type the model does not name, kept as its id and length; elements are raw bytes.
    Raw {
        /// The type id as stored in the kernel.
        type_id: u32,
        /// The key length in bytes.
        len: u32,
    },
}

/// The scalar types with id, length and nft name.
const SCALARS: &[(KeyType, u32, u32, &str)] = &[
    (KeyType::Ipv4Addr, t::TYPE_IPADDR, 4, "ipv4_addr"),
    (KeyType::Ipv6Addr, t::TYPE_IP6ADDR, 16, "ipv6_addr"),
    (KeyType::EtherAddr, t::TYPE_ETHERADDR, 6, "ether_addr"),
    (KeyType::InetProto, t::TYPE_INET_PROTOCOL, 1, "inet_proto"),
    (
        KeyType::InetService,
        t::TYPE_INET_SERVICE,
        2,
        "inet_service",
    ),
    (KeyType::Mark, t::TYPE_MARK, 4, "mark"),
    (KeyType::CtState, t::TYPE_CT_STATE, 4, "ct_state"),
    (KeyType::Ifname, t::TYPE_IFNAME, 16, "ifname"),
];

/// `len` rounded up to a multiple of 4 (one 32-bit register).
const fn pad4(len: u32) -> u32 {
    len.div_ceil(4) * 4
}

impl KeyType {
    /// Most fields in a concatenation: the 32-bit type id holds five 6-bit field ids.
    pub const MAX_CONCAT_FIELDS: usize = 5;

    /// The row of a scalar type in [`SCALARS`].
    fn scalar(&self) -> Option<&'static (KeyType, u32, u32, &'static str)> {
        SCALARS.iter().find(|row| &row.0 == self)
    }

    /// The type id the kernel stores (`NFTA_SET_KEY_TYPE` / `NFTA_SET_DATA_TYPE`).
    ///
    /// ```
    /// use linx_netfilter::KeyType;
    /// assert_eq!(KeyType::Ipv4Addr.type_id(), 7);
    /// assert_eq!(KeyType::Ifname.type_id(), 41);
    /// let k = KeyType::Concat(vec![KeyType::Ifname, KeyType::Ipv6Addr, KeyType::InetService]);
    /// assert_eq!(k.type_id(), (((41 << 6) | 8) << 6) | 13);
    /// ```
    pub fn type_id(&self) -> u32 {
        match self {
            KeyType::Concat(fields) => fields
                .iter()
                .fold(0u32, |id, field| (id << TYPE_BITS) | field.type_id()),
            KeyType::Raw { type_id, .. } => *type_id,
            // Every other variant is a row of SCALARS.
            scalar => scalar.scalar().map_or(0, |row| row.1),
        }
    }

    /// The key length the kernel stores (`NFTA_SET_KEY_LEN`): the field width for scalars,
    /// the sum of 4-byte-padded field widths for concatenations.
    ///
    /// ```
    /// use linx_netfilter::KeyType;
    /// assert_eq!(KeyType::InetService.key_len(), 2);
    /// assert_eq!(KeyType::EtherAddr.key_len(), 6);
    /// let k = KeyType::Concat(vec![KeyType::EtherAddr, KeyType::InetProto]);
    /// assert_eq!(k.key_len(), 8 + 4);
    /// ```
    pub fn key_len(&self) -> u32 {
        match self {
            KeyType::Concat(fields) => fields.iter().map(|f| pad4(f.key_len())).sum(),
            KeyType::Raw { len, .. } => *len,
            scalar => scalar.scalar().map_or(0, |row| row.2),
        }
    }

    /// The type for a stored id and length. Scalars must have their own length; an id of
    /// 64 or more is split into 6-bit field ids, and becomes a concatenation when every
    /// field is a known scalar and the padded widths add up to `len`. Anything else is
    /// [`KeyType::Raw`].
    ///
    /// ```
    /// use linx_netfilter::KeyType;
    /// assert_eq!(KeyType::from_type_id(13, 2), KeyType::InetService);
    /// assert_eq!(
    ///     KeyType::from_type_id((12 << 6) | 13, 8),
    ///     KeyType::Concat(vec![KeyType::InetProto, KeyType::InetService]),
    /// );
    /// assert_eq!(KeyType::from_type_id(13, 4), KeyType::Raw { type_id: 13, len: 4 });
    /// assert_eq!(KeyType::from_type_id(0, 4), KeyType::Raw { type_id: 0, len: 4 });
    /// ```
    pub fn from_type_id(type_id: u32, len: u32) -> KeyType {
        let raw = KeyType::Raw { type_id, len };
        if let Some(row) = SCALARS.iter().find(|row| row.1 == type_id) {
            return if row.2 == len { row.0.clone() } else { raw };
        }
        if type_id >> TYPE_BITS == 0 {
            return raw;
        }
        let mut fields = Vec::new();
        let mut rest = type_id;
        while rest != 0 {
            let chunk = rest & ((1 << TYPE_BITS) - 1);
            match SCALARS.iter().find(|row| row.1 == chunk) {
                Some(row) => fields.push(row.0.clone()),
                None => return raw,
            }
            rest >>= TYPE_BITS;
        }
        fields.reverse();
        let concat = KeyType::Concat(fields);
        if concat.key_len() == len { concat } else { raw }
    }

    /// The fields of a concatenation, or the type itself as its only field.
    ///
    /// ```
    /// use linx_netfilter::KeyType;
    /// assert_eq!(KeyType::Mark.fields(), &[KeyType::Mark]);
    /// ```
    pub fn fields(&self) -> &[KeyType] {
        match self {
            KeyType::Concat(fields) => fields,
            scalar => std::slice::from_ref(scalar),
        }
    }

    /// `true` for a concatenation.
    ///
    /// ```
    /// use linx_netfilter::KeyType;
    /// assert!(KeyType::Concat(vec![KeyType::Mark, KeyType::Mark]).is_concat());
    /// assert!(!KeyType::Mark.is_concat());
    /// ```
    pub fn is_concat(&self) -> bool {
        matches!(self, KeyType::Concat(_))
    }

    /// How the kernel orders the bytes of one field of this type **in a plain set or in map
    /// data**: network order for addresses and ports, host order for marks and conntrack
    /// states, byte strings for Ethernet addresses, protocol numbers, interface names and
    /// raw types (reported as [`ByteOrder::Big`]; nft's userdata tags interface names host
    /// order, which changes nothing for a byte string). A concatenation reports
    /// [`ByteOrder::Big`]; ask its fields. Interval keys are big endian whatever the type:
    /// see the "Byte order" section of [`KeyType`].
    ///
    /// ```
    /// use linx_netfilter::{KeyType, expr::ByteOrder};
    /// assert_eq!(KeyType::InetService.byte_order(), ByteOrder::Big);
    /// assert_eq!(KeyType::Mark.byte_order(), ByteOrder::Host);
    /// ```
    pub fn byte_order(&self) -> ByteOrder {
        match self {
            KeyType::Mark | KeyType::CtState => ByteOrder::Host,
            _ => ByteOrder::Big,
        }
    }

    /// Why the kernel (or the encoder) cannot hold this type, if so: a concatenation needs
    /// 2..=5 known scalar fields and at most 64 bytes.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        match self {
            KeyType::Concat(fields) => {
                if fields.len() < 2 {
                    Some("a concatenation needs at least 2 fields")
                } else if fields.len() > KeyType::MAX_CONCAT_FIELDS {
                    Some("a concatenation has at most 5 fields")
                } else if fields.iter().any(|f| f.scalar().is_none()) {
                    Some("concatenation fields must be named scalar types")
                } else if self.key_len() > crate::consts::reg::NFT_DATA_VALUE_MAXLEN {
                    Some("key longer than 64 bytes")
                } else {
                    None
                }
            }
            KeyType::Raw { len, .. } => {
                if *len == 0 || *len > crate::consts::reg::NFT_DATA_VALUE_MAXLEN {
                    Some("raw key length must be 1..=64 bytes")
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    /// nft's type names; a concatenation joins them with ` . `; raw types print
    /// `type <id>/<len>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Concat(fields) => {
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" . ")?;
                    }
                    write!(f, "{field}")?;
                }
                Ok(())
            }
            KeyType::Raw { type_id, len } => write!(f, "type {type_id}/{len}"),
            scalar => f.write_str(scalar.scalar().map_or("?", |row| row.3)),
        }
    }
}
