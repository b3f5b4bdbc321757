//! The right-hand side of a match: a typed [`Value`].
//!
//! Why one value type for every field: the field decides how a value is *read* (its
//! [`Datatype`](super::Datatype) gives names, hex or quotes when printed, and its width and
//! byte order when lowered), so the value itself only says *what* it is: an integer, an
//! address, a prefix, a name, a range, a set. Protocol numbers, ports, marks, ICMP types and
//! flag bits are all [`Value::Int`]; `meta l4proto tcp` is `Int(6)` on a field whose datatype
//! prints `tcp`.
//!
//! # Contract
//! - A lifted value is canonical for its field: integer-like datatypes give
//!   [`Value::Int`], addresses [`Value::Ip`] / [`Value::Prefix`], Ethernet addresses
//!   [`Value::Mac`], interface names [`Value::Ifname`], anything else [`Value::Bytes`]
//!   (network order, the field's width). Builders that want `lift(lower(s)) == s` use the
//!   same forms.
//! - Nothing here allocates beyond the value's own contents; nothing panics.

use linx_ip::{Ip, Mac, Subnet};
use serde::{Deserialize, Serialize};

use crate::Verdict;

/// A value to compare a field with.
///
/// ```
/// use linx_netfilter::stmt::Value;
/// use linx_ip::ip;
/// let ports = Value::Set(vec![Value::Int(22), Value::range(Value::Int(8000), Value::Int(8999))]);
/// assert!(matches!(ports, Value::Set(ref v) if v.len() == 2));
/// let net = Value::Prefix(ip!("10.0.0.0/8"));
/// assert_ne!(net, Value::Ip(ip!("10.0.0.0")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// An integer of the field's type: port, protocol number, mark, ICMP type, flag bits,
    /// interface index ...
    Int(u64),
    /// An IPv4 or IPv6 address.
    Ip(Ip),
    /// An address prefix (`10.0.0.0/8`).
    Prefix(Subnet),
    /// An Ethernet address.
    Mac(Mac),
    /// An interface name (`"eth0"`), at most 15 bytes; a trailing `*` is a wildcard.
    Ifname(String),
    /// Bytes in network order, exactly the field's width (types nft has no name for).
    Bytes(Vec<u8>),
    /// An inclusive range `lo-hi` of two scalar values.
    Range(Box<(Value, Value)>),
    /// A concatenation `a . b`, one value per field of a concatenated key.
    Concat(Vec<Value>),
    /// An anonymous set `{ a, b, c-d }` of scalars, ranges, prefixes or concatenations.
    Set(Vec<Value>),
    /// A named set, `@name`.
    SetRef(String),
}

impl Value {
    /// An inclusive range.
    ///
    /// ```
    /// use linx_netfilter::stmt::Value;
    /// assert_eq!(Value::range(Value::Int(1), Value::Int(2)), Value::Range(Box::new((Value::Int(1), Value::Int(2)))));
    /// ```
    pub fn range(lo: Value, hi: Value) -> Value {
        Value::Range(Box::new((lo, hi)))
    }

    /// `true` for a set, named or anonymous (compared with `==`/`!=` by a lookup).
    pub fn is_set(&self) -> bool {
        matches!(self, Value::Set(_) | Value::SetRef(_))
    }
}

/// The map of a verdict map statement: a named map or an anonymous one.
///
/// ```
/// use linx_netfilter::{Verdict, stmt::{Value, VerdictMap}};
/// let m = VerdictMap::Anonymous(vec![(Value::Int(22), Verdict::Accept)]);
/// assert!(matches!(m, VerdictMap::Anonymous(ref v) if v.len() == 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictMap {
    /// `vmap @name`.
    Named(String),
    /// `vmap { key : verdict, ... }`.
    Anonymous(Vec<(Value, Verdict)>),
}
