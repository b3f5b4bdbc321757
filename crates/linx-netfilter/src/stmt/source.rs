//! Values computed from the packet: a map lookup of a key ([`MapLookup`]) and a field
//! changed bit by bit ([`Bits`]), what `meta ... set`, `ct ... set`, NAT and object
//! references can take besides a constant.
//!
//! Why a type of their own: the same lookup (`tcp dport map { 22 : 0x1 }`, `ip saddr map
//! @m`) feeds a `meta mark set`, a `dnat to`, a `counter name`, so one value names the key
//! and the map, and one lowering loads the key and looks it up.
//!
//! # Contract
//! - A map is named: a map of the table (`@m`), or the anonymous map nft made of a literal
//!   (`__map0`), which the printer writes as its elements (`{ 22 : 0x00000001 }`) from the
//!   table. The lowering writes the lookup of that name and never creates the map.
//! - [`Bits`] holds what the kernel computes (`(field & mask) ^ xor`, or a shift), not
//!   nft's spelling of it (`| 0x10`, `& 0xffff0042 | 0x42`): the printer derives that.
//! - Constructors refuse what no expression list carries (an empty map name, a shift as
//!   wide as the field, a bit operation on a field that is no integer).

use serde::Serialize;

use super::{Datatype, Field, Key};

/// A lookup of `key` in map `map` (`tcp dport map @ports`, `ip saddr . tcp dport map
/// { ... }`): the value stored for the packet's key.
///
/// ```
/// use linx_netfilter::stmt::{HeaderField, MapLookup};
/// let m = MapLookup::new(HeaderField::TcpDport, "port2mark").unwrap();
/// assert_eq!(m.map(), "port2mark");
/// assert!(MapLookup::new(HeaderField::TcpDport, "").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MapLookup {
    key: Key,
    map: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    interval: bool,
}

impl MapLookup {
    /// A lookup of `key` in the map named `map` (a named map, or an anonymous one such as
    /// `__map0`); `None` for an empty name.
    pub fn new(key: impl Into<Key>, map: impl Into<String>) -> Option<MapLookup> {
        let map = map.into();
        (!map.is_empty() && !map.contains('\0')).then(|| MapLookup {
            key: key.into(),
            map,
            interval: false,
        })
    }

    /// The same lookup in an interval map: nft converts host-order keys wider than a byte
    /// (`meta length`, `meta mark`) to big endian before the lookup, as interval keys are
    /// compared as big-endian numbers.
    ///
    /// ```
    /// use linx_netfilter::{expr::MetaKey, stmt::{Field, MapLookup}};
    /// let m = MapLookup::new(Field::Meta(MetaKey::Len), "__map5").unwrap().in_interval_map();
    /// assert!(m.is_interval());
    /// ```
    #[must_use = "builder methods return the changed lookup"]
    pub fn in_interval_map(mut self) -> MapLookup {
        self.interval = true;
        self
    }

    /// `true` for a lookup in an interval map (see [`MapLookup::in_interval_map`]).
    pub fn is_interval(&self) -> bool {
        self.interval
    }

    /// What is looked up.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The map's name.
    pub fn map(&self) -> &str {
        &self.map
    }
}

/// What [`Bits`] does to its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BitOp {
    /// `(field & mask) ^ xor` (nft writes `& m`, `| x`, `^ x` or `& m | x`).
    AndXor {
        /// The AND mask.
        mask: u64,
        /// The XOR value.
        xor: u64,
    },
    /// `field << n`.
    Shl(u32),
    /// `field >> n`.
    Shr(u32),
}

/// A field changed bit by bit (`meta mark & 0xffff0000 | 0x10`, `meta mark << 1`), as a
/// value to store.
///
/// ```
/// use linx_netfilter::expr::MetaKey;
/// use linx_netfilter::stmt::{BitOp, Bits, Field, HeaderField};
/// let or = Bits::new(Field::Meta(MetaKey::Mark), BitOp::AndXor { mask: 0xffff_ffef, xor: 0x10 });
/// assert!(or.is_some());
/// assert!(Bits::new(Field::Meta(MetaKey::Mark), BitOp::Shl(32)).is_none());
/// assert!(Bits::new(HeaderField::IpSaddr.into(), BitOp::Shr(1)).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Bits {
    field: Field,
    op: BitOp,
}

impl Bits {
    /// `op` on `field`; `None` unless the field is a whole integer (or mark) of 1 to 8
    /// bytes, the mask and xor fit it and a shift is narrower than it.
    pub fn new(field: Field, op: BitOp) -> Option<Bits> {
        let bits = field.bit_len();
        let whole = match field {
            Field::Header(h) => h.is_byte_aligned(),
            Field::Raw { bit_len, .. } => bit_len % 8 == 0,
            // Extension header fields may start and end inside bytes.
            Field::Exthdr(_) => false,
            _ => true,
        };
        let int = matches!(
            field.datatype(),
            Datatype::Integer | Datatype::Mark | Datatype::Hex
        );
        if !whole || !int || bits == 0 || bits > 64 {
            return None;
        }
        let fits = |v: u64| bits == 64 || v >> bits == 0;
        let ok = match op {
            BitOp::AndXor { mask, xor } => fits(mask) && fits(xor),
            BitOp::Shl(n) | BitOp::Shr(n) => n > 0 && n < bits,
        };
        ok.then_some(Bits { field, op })
    }

    /// The field read.
    pub fn field(&self) -> Field {
        self.field
    }

    /// What is done to it.
    pub fn op(&self) -> BitOp {
        self.op
    }
}

/// Where a NAT from a map takes its address and port.
///
/// ```
/// use linx_netfilter::stmt::{HeaderField, MapLookup, NatMap};
/// let fwd = MapLookup::new(HeaderField::TcpDport, "fwd").unwrap();
/// assert_eq!(NatMap::Addr(fwd.clone()).addr_map(), &fwd);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NatMap {
    /// The address from a map (`dnat to tcp dport map @fwd`).
    Addr(MapLookup),
    /// An address range from a map whose data are intervals (`snat ip to ip saddr map
    /// @ranges`, `dnat ip prefix to ip saddr map { 10.0.0.0/8 : 192.168.14.0/24 }`): the
    /// lookup fills the first and last address.
    AddrRange(MapLookup),
    /// Address and port from one map whose data is `addr . port` (`dnat ip to ip daddr .
    /// tcp dport map @fwd_pair`).
    AddrPort(MapLookup),
    /// The address from one map, the port from another (`dnat to ip daddr map { ... }:tcp
    /// dport map { ... }`).
    AddrAndPort(MapLookup, MapLookup),
}

impl NatMap {
    /// The map giving the address.
    pub fn addr_map(&self) -> &MapLookup {
        match self {
            NatMap::Addr(m)
            | NatMap::AddrRange(m)
            | NatMap::AddrPort(m)
            | NatMap::AddrAndPort(m, _) => m,
        }
    }
}
