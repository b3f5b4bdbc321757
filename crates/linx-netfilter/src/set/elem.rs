//! Set elements: typed values ([`ElemValue`]), ranges, prefixes and concatenations
//! ([`SetElement`]), and conntrack state bits ([`CtState`]).
//!
//! Why typed values instead of bytes: the same number means different bytes depending on the
//! key type (a port is 2 bytes big-endian, a mark 4 bytes host order), and text addresses must
//! never end up as ASCII in a key. An element says what it is; the set's [`KeyType`] says what
//! it must be, and validation checks they agree before the encoder sees them.
//!
//! # Contract
//! - [`ElemValue::fits`] is the type check: IPv4 for `ipv4_addr`, a port for
//!   `inet_service`, ..., raw bytes of exactly the key length for [`KeyType::Raw`] (and 16
//!   raw bytes for `ifname`: the bounds of an `"eth*"` wildcard are no names).
//! - [`ElemValue::key_bytes`] gives the field bytes in the kernel's order for that type
//!   (unpadded; a concatenation pads each field to 4 bytes).
//! - Ranges and prefixes are only valid in interval sets; a prefix must not have host bits.
//! - serde form is compact and needs the key type to be read back: addresses, prefixes,
//!   MACs, interface names and conntrack states are strings, ports/protocols/marks numbers,
//!   raw bytes a hex string, a range `{"range": [lo, hi]}`, a concatenation a list.

use std::collections::BTreeMap;
use std::fmt;

use linx_ip::{Family as IpFamily, Ip, Mac, Subnet};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize};

use crate::consts::expr as c;
use crate::consts::limits::IFNAMSIZ;
use crate::flags::flags;
use crate::{KeyType, Reason, Verdict};

flags! {
    /// Conntrack state bits (`ct state`), as the kernel loads them into a register: a host
    /// order `u32` with one bit for the packet's state.
    ///
    /// ```
    /// use linx_netfilter::CtState;
    /// let s = CtState::ESTABLISHED | CtState::RELATED;
    /// assert_eq!(s.bits(), 0x6);
    /// assert_eq!(s.to_string(), "established|related");
    /// assert_eq!("new".parse::<CtState>()?, CtState::NEW);
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub struct CtState, path = "linx_netfilter::CtState", example = "linx_netfilter::CtState::NEW" {
        /// `invalid`: the packet belongs to no known connection.
        const INVALID = c::NF_CT_STATE_INVALID_BIT, "invalid";
        /// `established`: a packet of a connection that has seen traffic both ways.
        const ESTABLISHED = c::NF_CT_STATE_ESTABLISHED_BIT, "established";
        /// `related`: a new connection related to an existing one (FTP data, ICMP errors).
        const RELATED = c::NF_CT_STATE_RELATED_BIT, "related";
        /// `new`: the first packet of a connection.
        const NEW = c::NF_CT_STATE_NEW_BIT, "new";
        /// `untracked`: the packet skipped conntrack (`notrack`).
        const UNTRACKED = c::NF_CT_STATE_UNTRACKED_BIT, "untracked";
    }
}

/// One typed value in a set key (or map data).
///
/// ```
/// use linx_netfilter::{ElemValue, KeyType};
/// use linx_ip::ip;
/// let v = ElemValue::Ip(ip!("10.0.0.1"));
/// assert!(v.fits(&KeyType::Ipv4Addr));
/// assert!(!v.fits(&KeyType::Ipv6Addr));
/// assert_eq!(ElemValue::Port(22).key_bytes(), [0, 22]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElemValue {
    /// An IPv4 or IPv6 address (`ipv4_addr` / `ipv6_addr`).
    Ip(Ip),
    /// An Ethernet address (`ether_addr`).
    Mac(Mac),
    /// An IP protocol number (`inet_proto`), e.g. 6 for TCP.
    Proto(u8),
    /// A port (`inet_service`).
    Port(u16),
    /// A mark (`mark`).
    Mark(u32),
    /// An interface name (`ifname`), at most 15 bytes. A boxed `str` (16 bytes, not a
    /// `String`'s 24) keeps a [`SetElement`] at 24 bytes.
    Ifname(Box<str>),
    /// Conntrack state bits (`ct_state`).
    CtState(CtState),
    /// Bytes of a [`KeyType::Raw`] key, exactly its length (boxed, like `Ifname`).
    Bytes(Box<[u8]>),
}

impl ElemValue {
    /// `true` when this value is of scalar type `key` (never for a concatenation).
    ///
    /// ```
    /// use linx_netfilter::{ElemValue, KeyType};
    /// assert!(ElemValue::Mark(1).fits(&KeyType::Mark));
    /// assert!(ElemValue::Bytes([1, 2].into()).fits(&KeyType::Raw { type_id: 0, len: 2 }));
    /// assert!(!ElemValue::Bytes([1].into()).fits(&KeyType::Raw { type_id: 0, len: 2 }));
    /// assert!(!ElemValue::Ifname("a-name-of-16-chr".into()).fits(&KeyType::Ifname));
    /// ```
    pub fn fits(&self, key: &KeyType) -> bool {
        match (self, key) {
            (ElemValue::Ip(ip), KeyType::Ipv4Addr) => ip.family() == IpFamily::Inet,
            (ElemValue::Ip(ip), KeyType::Ipv6Addr) => ip.family() == IpFamily::Inet6,
            (ElemValue::Mac(_), KeyType::EtherAddr)
            | (ElemValue::Proto(_), KeyType::InetProto)
            | (ElemValue::Port(_), KeyType::InetService)
            | (ElemValue::Mark(_), KeyType::Mark)
            | (ElemValue::CtState(_), KeyType::CtState) => true,
            (ElemValue::Ifname(name), KeyType::Ifname) => {
                !name.is_empty() && name.len() < IFNAMSIZ && !name.contains('\0')
            }
            (ElemValue::Bytes(bytes), KeyType::Raw { len, .. }) => bytes.len() == *len as usize,
            // The bounds of a wildcard (`iifname "eth*"`: `eth` then NULs up to `eth` then
            // 0xff bytes) are no names: they stay the 16 bytes the kernel holds.
            (ElemValue::Bytes(bytes), KeyType::Ifname) => bytes.len() == IFNAMSIZ,
            _ => false,
        }
    }

    /// The field bytes in the kernel's order for the value's type: addresses and ports in
    /// network order, marks and conntrack states in **host** order, interface names NUL
    /// padded to 16 bytes, raw bytes as they are.
    ///
    /// ```
    /// use linx_netfilter::{CtState, ElemValue};
    /// use linx_ip::ip;
    /// assert_eq!(ElemValue::Ip(ip!("10.0.0.1")).key_bytes(), [10, 0, 0, 1]);
    /// assert_eq!(ElemValue::Mark(0x10).key_bytes(), 0x10u32.to_ne_bytes());
    /// assert_eq!(ElemValue::CtState(CtState::NEW).key_bytes(), 8u32.to_ne_bytes());
    /// assert_eq!(ElemValue::Ifname("lo".into()).key_bytes().len(), 16);
    /// ```
    pub fn key_bytes(&self) -> Vec<u8> {
        match self {
            ElemValue::Ip(ip) => ip.to_bytes(),
            ElemValue::Mac(mac) => mac.as_bytes().to_vec(),
            ElemValue::Proto(p) => vec![*p],
            ElemValue::Port(p) => p.to_be_bytes().to_vec(),
            ElemValue::Mark(m) => m.to_ne_bytes().to_vec(),
            ElemValue::Ifname(name) => ifname_bytes(name),
            ElemValue::CtState(s) => s.bits().to_ne_bytes().to_vec(),
            ElemValue::Bytes(bytes) => bytes.to_vec(),
        }
    }
}

/// `name` NUL padded (or cut) to `IFNAMSIZ` bytes, as the kernel compares interface names.
pub(crate) fn ifname_bytes(name: &str) -> Vec<u8> {
    let mut out = name.as_bytes().to_vec();
    out.resize(IFNAMSIZ, 0);
    out
}

impl From<Ip> for ElemValue {
    fn from(ip: Ip) -> ElemValue {
        ElemValue::Ip(ip)
    }
}

impl From<Mac> for ElemValue {
    fn from(mac: Mac) -> ElemValue {
        ElemValue::Mac(mac)
    }
}

impl From<CtState> for ElemValue {
    fn from(state: CtState) -> ElemValue {
        ElemValue::CtState(state)
    }
}

impl fmt::Display for ElemValue {
    /// Addresses as text, numbers in decimal, interface names quoted, bytes as `0x...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElemValue::Ip(ip) => write!(f, "{ip}"),
            ElemValue::Mac(mac) => write!(f, "{mac}"),
            ElemValue::Proto(p) => write!(f, "{p}"),
            ElemValue::Port(p) => write!(f, "{p}"),
            ElemValue::Mark(m) => write!(f, "{m:#x}"),
            ElemValue::Ifname(name) => write!(f, "{name:?}"),
            ElemValue::CtState(s) => write!(f, "{s}"),
            ElemValue::Bytes(bytes) => write!(f, "0x{}", crate::hex::encode(bytes)),
        }
    }
}

/// One element of a set (or key of a map element).
///
/// ```
/// use linx_netfilter::{ElemValue, SetElement};
/// use linx_ip::ip;
/// let e = SetElement::concat([SetElement::from(ip!("10.0.0.1")), SetElement::port(22)]);
/// assert_eq!(e.to_string(), "10.0.0.1 . 22");
/// let r = SetElement::range(ElemValue::Port(1000), ElemValue::Port(2000));
/// assert_eq!(r.to_string(), "1000-2000");
/// assert_eq!(SetElement::from(ip!("10.0.0.0/8")).to_string(), "10.0.0.0/8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetElement {
    /// A single value.
    Value(ElemValue),
    /// An inclusive range `(lo, hi)`, `lo..=hi` (interval sets only). Boxed: ranges are
    /// rare next to values, and an unboxed pair would more than double the size of every
    /// element (100k pulled elements: 2.4 MB instead of 6.4 MB). Build one with
    /// [`SetElement::range`].
    Range(Box<(ElemValue, ElemValue)>),
    /// An address prefix, host bits clear (interval sets of addresses only).
    Prefix(Subnet),
    /// One part per field of a concatenated key; parts are values, or ranges and prefixes
    /// in interval sets. A boxed slice: with it, a `SetElement` is 24 bytes (a 100k-element
    /// set holds 2.4 MB); build one with [`SetElement::concat`].
    Concat(Box<[SetElement]>),
}

impl SetElement {
    /// A port (`inet_service`) element.
    ///
    /// ```
    /// use linx_netfilter::{ElemValue, SetElement};
    /// assert_eq!(SetElement::port(22), SetElement::Value(ElemValue::Port(22)));
    /// ```
    pub fn port(port: u16) -> SetElement {
        SetElement::Value(ElemValue::Port(port))
    }

    /// A protocol number (`inet_proto`) element.
    ///
    /// ```
    /// use linx_netfilter::{ElemValue, SetElement};
    /// assert_eq!(SetElement::proto(6), SetElement::Value(ElemValue::Proto(6)));
    /// ```
    pub fn proto(proto: u8) -> SetElement {
        SetElement::Value(ElemValue::Proto(proto))
    }

    /// A mark element.
    ///
    /// ```
    /// use linx_netfilter::{ElemValue, SetElement};
    /// assert_eq!(SetElement::mark(7), SetElement::Value(ElemValue::Mark(7)));
    /// ```
    pub fn mark(mark: u32) -> SetElement {
        SetElement::Value(ElemValue::Mark(mark))
    }

    /// An interface-name element.
    ///
    /// ```
    /// use linx_netfilter::{ElemValue, SetElement};
    /// assert_eq!(SetElement::ifname("eth0"), SetElement::Value(ElemValue::Ifname("eth0".into())));
    /// ```
    pub fn ifname(name: impl Into<String>) -> SetElement {
        SetElement::Value(ElemValue::Ifname(name.into().into_boxed_str()))
    }

    /// A range element `lo..=hi`.
    ///
    /// ```
    /// use linx_netfilter::{ElemValue, SetElement};
    /// assert!(matches!(SetElement::range(ElemValue::Port(1), ElemValue::Port(9)), SetElement::Range(..)));
    /// ```
    pub fn range(lo: impl Into<ElemValue>, hi: impl Into<ElemValue>) -> SetElement {
        SetElement::Range(Box::new((lo.into(), hi.into())))
    }

    /// A concatenation of parts, one per key field.
    ///
    /// ```
    /// use linx_netfilter::SetElement;
    /// let e = SetElement::concat([SetElement::proto(6), SetElement::port(22)]);
    /// assert!(matches!(e, SetElement::Concat(parts) if parts.len() == 2));
    /// ```
    pub fn concat(parts: impl IntoIterator<Item = SetElement>) -> SetElement {
        SetElement::Concat(parts.into_iter().collect())
    }

    /// `true` for a range or prefix, or a concatenation with one (needs an interval set).
    ///
    /// ```
    /// use linx_netfilter::SetElement;
    /// use linx_ip::ip;
    /// assert!(SetElement::from(ip!("10.0.0.0/8")).is_interval());
    /// assert!(!SetElement::port(1).is_interval());
    /// ```
    pub fn is_interval(&self) -> bool {
        match self {
            SetElement::Value(_) => false,
            SetElement::Range(..) | SetElement::Prefix(_) => true,
            SetElement::Concat(parts) => parts.iter().any(SetElement::is_interval),
        }
    }

    /// Checks this element against a set's key type and interval flag.
    pub(crate) fn check(&self, key: &KeyType, interval: bool) -> Result<(), Reason> {
        match (self, key) {
            (SetElement::Concat(parts), KeyType::Concat(fields)) => {
                if parts.len() != fields.len() {
                    return Err(Reason::ElementType { key: key.clone() });
                }
                for (part, field) in parts.iter().zip(fields) {
                    if matches!(part, SetElement::Concat(_)) {
                        return Err(Reason::ElementType { key: key.clone() });
                    }
                    part.check(field, interval).map_err(|reason| match reason {
                        Reason::ElementType { .. } => Reason::ElementType { key: key.clone() },
                        other => other,
                    })?;
                }
                Ok(())
            }
            (SetElement::Concat(_), _) | (_, KeyType::Concat(_)) => {
                Err(Reason::ElementType { key: key.clone() })
            }
            (SetElement::Value(v), _) => fits(v, key),
            (SetElement::Range(range), _) => {
                let (lo, hi) = &**range;
                fits(lo, key)?;
                fits(hi, key)?;
                if !interval {
                    return Err(Reason::IntervalOnly);
                }
                if lo > hi {
                    return Err(Reason::EmptyRange);
                }
                Ok(())
            }
            (SetElement::Prefix(net), KeyType::Ipv4Addr | KeyType::Ipv6Addr) => {
                fits(&ElemValue::Ip(net.address()), key)?;
                if !interval {
                    return Err(Reason::IntervalOnly);
                }
                if net.network() != *net {
                    return Err(Reason::HostBits);
                }
                Ok(())
            }
            (SetElement::Prefix(_), _) => Err(Reason::ElementType { key: key.clone() }),
        }
    }

    /// Reads the compact serde form, typed by `key`.
    pub(crate) fn from_doc(doc: &ElemDoc, key: &KeyType) -> Result<SetElement, Reason> {
        let mismatch = || Reason::ElementType { key: key.clone() };
        match (doc, key) {
            (ElemDoc::List(parts), KeyType::Concat(fields)) => {
                if parts.len() != fields.len() {
                    return Err(mismatch());
                }
                let parts = parts
                    .iter()
                    .zip(fields)
                    .map(|(part, field)| match part {
                        ElemDoc::List(_) => Err(mismatch()),
                        part => SetElement::from_doc(part, field).map_err(|_| mismatch()),
                    })
                    .collect::<Result<_, _>>()?;
                Ok(SetElement::Concat(parts))
            }
            (ElemDoc::Map(map), _) => match (map.len(), map.get("range")) {
                (1, Some(ElemDoc::List(ends))) if ends.len() == 2 => Ok(SetElement::range(
                    ElemValue::from_doc(&ends[0], key)?,
                    ElemValue::from_doc(&ends[1], key)?,
                )),
                _ => Err(mismatch()),
            },
            (ElemDoc::Str(text), KeyType::Ipv4Addr | KeyType::Ipv6Addr) if text.contains('/') => {
                text.parse::<Subnet>()
                    .map(SetElement::Prefix)
                    .map_err(|_| mismatch())
            }
            (doc, key) => ElemValue::from_doc(doc, key).map(SetElement::Value),
        }
    }
}

/// `Err(ElementType)` unless `value` fits `key`.
fn fits(value: &ElemValue, key: &KeyType) -> Result<(), Reason> {
    if value.fits(key) {
        Ok(())
    } else {
        Err(Reason::ElementType { key: key.clone() })
    }
}

impl From<ElemValue> for SetElement {
    fn from(value: ElemValue) -> SetElement {
        SetElement::Value(value)
    }
}

impl From<Ip> for SetElement {
    fn from(ip: Ip) -> SetElement {
        SetElement::Value(ElemValue::Ip(ip))
    }
}

impl From<Subnet> for SetElement {
    fn from(net: Subnet) -> SetElement {
        SetElement::Prefix(net)
    }
}

impl From<Mac> for SetElement {
    fn from(mac: Mac) -> SetElement {
        SetElement::Value(ElemValue::Mac(mac))
    }
}

impl From<CtState> for SetElement {
    fn from(state: CtState) -> SetElement {
        SetElement::Value(ElemValue::CtState(state))
    }
}

impl fmt::Display for SetElement {
    /// `10.0.0.1`, `1000-2000`, `10.0.0.0/8`, `10.0.0.1 . 22` (nft's notation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetElement::Value(v) => write!(f, "{v}"),
            SetElement::Range(range) => write!(f, "{}-{}", range.0, range.1),
            SetElement::Prefix(net) => write!(f, "{net}"),
            SetElement::Concat(parts) => {
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" . ")?;
                    }
                    write!(f, "{part}")?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for ElemValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ElemValue::Ip(ip) => serializer.collect_str(ip),
            ElemValue::Mac(mac) => serializer.collect_str(mac),
            ElemValue::Proto(p) => serializer.serialize_u8(*p),
            ElemValue::Port(p) => serializer.serialize_u16(*p),
            ElemValue::Mark(m) => serializer.serialize_u32(*m),
            ElemValue::Ifname(name) => serializer.serialize_str(name),
            ElemValue::CtState(s) => serializer.collect_str(s),
            ElemValue::Bytes(bytes) => serializer.serialize_str(&crate::hex::encode(bytes)),
        }
    }
}

impl Serialize for SetElement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SetElement::Value(v) => v.serialize(serializer),
            SetElement::Range(range) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("range", &[&range.0, &range.1])?;
                map.end()
            }
            SetElement::Prefix(net) => serializer.collect_str(net),
            SetElement::Concat(parts) => {
                let mut seq = serializer.serialize_seq(Some(parts.len()))?;
                for part in parts {
                    seq.serialize_element(part)?;
                }
                seq.end()
            }
        }
    }
}

/// The untyped serde shape of an element (or map value), typed later by the set's key.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum ElemDoc {
    /// A number: port, protocol, mark, conntrack bits, queue number.
    Num(u64),
    /// A string: address, prefix, MAC, interface name, state names, hex bytes, verdict.
    Str(String),
    /// A concatenation.
    List(Vec<ElemDoc>),
    /// `{"range": [lo, hi]}`, or a verdict such as `{"jump": "chain"}`.
    Map(BTreeMap<String, ElemDoc>),
}

/// Protocol names accepted for `inet_proto` values in JSON.
const PROTO_NAMES: &[(&str, u8)] = &[
    ("icmp", 1),
    ("igmp", 2),
    ("tcp", 6),
    ("udp", 17),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("icmpv6", 58),
    ("sctp", 132),
    ("udplite", 136),
];

impl ElemValue {
    /// Reads one scalar value of type `key` from its serde shape.
    pub(crate) fn from_doc(doc: &ElemDoc, key: &KeyType) -> Result<ElemValue, Reason> {
        let mismatch = || Reason::ElementType { key: key.clone() };
        let value = match (doc, key) {
            (ElemDoc::Str(text), KeyType::Ipv4Addr | KeyType::Ipv6Addr) => {
                ElemValue::Ip(text.parse().map_err(|_| mismatch())?)
            }
            (ElemDoc::Str(text), KeyType::EtherAddr) => {
                ElemValue::Mac(text.parse().map_err(|_| mismatch())?)
            }
            (ElemDoc::Str(text), KeyType::Ifname) => ElemValue::Ifname(text.as_str().into()),
            (ElemDoc::Str(text), KeyType::CtState) => {
                ElemValue::CtState(text.parse().map_err(|_| mismatch())?)
            }
            (ElemDoc::Str(text), KeyType::InetProto) => ElemValue::Proto(
                PROTO_NAMES
                    .iter()
                    .find(|(name, _)| name == text)
                    .map(|(_, n)| *n)
                    .ok_or_else(mismatch)?,
            ),
            (ElemDoc::Str(text), KeyType::Mark) => {
                let n = match text.strip_prefix("0x") {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => text.parse(),
                };
                ElemValue::Mark(n.map_err(|_| mismatch())?)
            }
            (ElemDoc::Str(text), KeyType::Raw { .. }) => ElemValue::Bytes(
                crate::hex::decode(text.strip_prefix("0x").unwrap_or(text))
                    .ok_or_else(mismatch)?
                    .into(),
            ),
            (ElemDoc::Num(n), KeyType::InetProto) => {
                ElemValue::Proto(u8::try_from(*n).map_err(|_| mismatch())?)
            }
            (ElemDoc::Num(n), KeyType::InetService) => {
                ElemValue::Port(u16::try_from(*n).map_err(|_| mismatch())?)
            }
            (ElemDoc::Num(n), KeyType::Mark) => {
                ElemValue::Mark(u32::try_from(*n).map_err(|_| mismatch())?)
            }
            (ElemDoc::Num(n), KeyType::CtState) => ElemValue::CtState(CtState::from_bits_retain(
                u32::try_from(*n).map_err(|_| mismatch())?,
            )),
            _ => return Err(mismatch()),
        };
        Ok(value)
    }
}

/// Reads a verdict from the serde shape of a map value: `"accept"`, `{"jump": "c"}`,
/// `{"queue": 3}`.
pub(crate) fn verdict_from_doc(doc: &ElemDoc) -> Option<Verdict> {
    match doc {
        ElemDoc::Str(text) => match text.as_str() {
            "accept" => Some(Verdict::Accept),
            "drop" => Some(Verdict::Drop),
            "continue" => Some(Verdict::Continue),
            "return" => Some(Verdict::Return),
            _ => None,
        },
        ElemDoc::Map(map) if map.len() == 1 => match map.iter().next()? {
            (k, ElemDoc::Str(chain)) if k == "jump" => Some(Verdict::Jump(chain.clone())),
            (k, ElemDoc::Str(chain)) if k == "goto" => Some(Verdict::Goto(chain.clone())),
            (k, ElemDoc::Num(n)) if k == "queue" => u16::try_from(*n).ok().map(Verdict::Queue),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pulled 100k-element set is 100k of these: boxed ranges, names, raw bytes and
    /// concatenations keep an element at 24 bytes on 64-bit targets (it was 64). A new
    /// inline payload that breaks this belongs in a box.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn set_element_is_24_bytes() {
        assert_eq!(std::mem::size_of::<ElemValue>(), 24);
        assert_eq!(std::mem::size_of::<SetElement>(), 24);
    }
}
