//! Values computed from the packet as nft prints them: map lookups (`tcp dport map @m`,
//! `ip saddr map { 10.0.0.0/8 : 0x00000010 }`), bit operations (`meta mark | 0x00000010`,
//! `meta mark << 1`), NAT from maps and object references from object maps.
//!
//! # Contract
//! - A named map prints as `@name`; the anonymous map nft made of a literal (`__map0`)
//!   prints as its elements from the table, sorted as nft sorts them. A map the table does
//!   not hold, or elements with no nft text here, print nothing (`None`): the rule is then
//!   not nft's text.

use std::fmt::Write;

use super::value;
use super::{Printer, Userdata};
use crate::stmt::{BitOp, Bits, Field, Key, MapLookup, Nat, NatKind, NatMap, Value};
use crate::{Family, MapValue, ObjectType, SetFlags, Table};

/// `NFTA_SET_OBJ_TYPE`: an object map's object type.
const NFTA_SET_OBJ_TYPE: u16 = 15;
/// `NFTA_SET_ELEM_OBJREF`: an object map element's object name.
const NFTA_SET_ELEM_OBJREF: u16 = 9;
/// nft's set userdata TLV saying the data are intervals (`NFTNL_UDATA_SET_DATA_INTERVAL`).
const UDATA_DATA_INTERVAL: u8 = 6;

impl Printer {
    /// `key map @name` or `key map { k : v, ... }`.
    pub(super) fn map_lookup_text(&self, m: &MapLookup, table: &Table) -> Option<String> {
        if let Some(text) = self.shifted_map_lookup(m, table) {
            return text;
        }
        let key = key_text(m.key());
        let sub = sub_byte(m.key());
        // Other keys not filling their bytes: the elements' form is not known here.
        if sub.is_none() && !m.key().fields().iter().all(whole_bytes) {
            return None;
        }
        Some(format!("{key} map {}", self.map_ref(m.map(), table, sub)?))
    }

    /// A map by name: `@name`, or the elements of an anonymous map. `sub`: the shift and
    /// mask of a sub-byte key field, whose values the anonymous map's elements hold in
    /// place (a named map's lookup is not printed then).
    fn map_ref(&self, name: &str, table: &Table, sub: Option<(usize, u32, u64)>) -> Option<String> {
        if let Some(map) = table.map(name) {
            if !is_anonymous(name, map.flags) {
                return sub.is_none().then(|| format!("@{name}"));
            }
            if !map.extras.attrs.is_empty()
                || !map.extras.elements.is_empty()
                || !map.extras.raw_elements.is_empty()
                || map.elements.is_empty()
            {
                return None;
            }
            let ud = Userdata::parse(&map.extras.userdata);
            let intervals = data_interval(&map.extras.userdata);
            let mut sorted: Vec<&crate::MapElement> = map.elements.iter().collect();
            sorted.sort_by_cached_key(|e| value::elem_sort_key(&e.key, &map.key, ud.key_host));
            let items: Option<Vec<String>> = sorted
                .into_iter()
                .map(|e| {
                    let k = match sub {
                        None => value::element(self, &map.key, &e.key, ud.key_host)?,
                        Some(s) => {
                            let down = shifted_down(&e.key, s)?;
                            value::element(self, &map.key, &down, ud.key_host)?
                        }
                    };
                    let v = match (&e.value, &map.data) {
                        (MapValue::Data(d), crate::DataType::Value(t)) if intervals => {
                            address_interval(d, t)?
                        }
                        (MapValue::Data(d), crate::DataType::Value(t)) => {
                            value::element(self, t, d, ud.data_host)?
                        }
                        _ => return None,
                    };
                    Some(format!("{k} : {v}"))
                })
                .collect();
            return Some(format!("{{ {} }}", items?.join(", ")));
        }
        let set = table.set(name)?;
        if !set.flags.contains(SetFlags::OBJECT) {
            return None;
        }
        if !is_anonymous(name, set.flags) {
            return Some(format!("@{name}"));
        }
        // An anonymous object map: each element names its object.
        if !set.extras.raw_elements.is_empty()
            || set.elements.is_empty()
            || set.extras.elements.len() != set.elements.len()
        {
            return None;
        }
        let ud = Userdata::parse(&set.extras.userdata);
        let mut items: Vec<(Vec<u8>, String)> = Vec::with_capacity(set.elements.len());
        for (i, e) in set.elements.iter().enumerate() {
            let attrs = set.extras.elements.iter().find(|a| a.index as usize == i)?;
            let mut obj = None;
            for a in linx_netlink_codec::AttrIter::new(&attrs.attrs) {
                let a = a.ok()?;
                match a.kind() {
                    NFTA_SET_ELEM_OBJREF if obj.is_none() => {
                        let name = a.payload().strip_suffix(&[0])?;
                        obj = Some(std::str::from_utf8(name).ok()?.to_owned());
                    }
                    _ => return None,
                }
            }
            let k = value::element(self, &set.key, e, ud.key_host)?;
            let sort = value::elem_sort_key(e, &set.key, ud.key_host);
            items.push((sort, format!("{k} : \"{}\"", obj?)));
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let items: Vec<String> = items.into_iter().map(|(_, s)| s).collect();
        Some(format!("{{ {} }}", items.join(", ")))
    }

    /// `meta mark & 0xffff0000 | 0x00000010`, `meta mark << 1`: the field's datatype prints
    /// the operands, in nft's forms (`& m`, `| x`, `^ x`, `& m | x`).
    pub(super) fn bits_text(&self, b: &Bits) -> Option<String> {
        let f = b.field();
        let dt = f.datatype();
        let width = f.bit_len();
        let all = if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        let v = |n: u64| value::value(self, dt, &Value::Int(n), width);
        Some(match b.op() {
            BitOp::Shl(n) => format!("{f} << {n}"),
            BitOp::Shr(n) => format!("{f} >> {n}"),
            BitOp::AndXor { mask, xor } => {
                if xor == 0 {
                    format!("{f} & {}", v(mask)?)
                } else if mask == all {
                    format!("{f} ^ {}", v(xor)?)
                } else if mask & xor != 0 {
                    // Not a set of bits nft's `| x` clears first: no nft form decided here.
                    return None;
                } else if mask | xor == all {
                    format!("{f} | {}", v(xor)?)
                } else {
                    format!("{f} & {} | {}", v(mask | xor)?, v(xor)?)
                }
            }
        })
    }

    /// `dnat [ip|ip6] [prefix] to <key> map <map>[:port | :<key> map <map>]`.
    pub(super) fn nat_map_text(
        &self,
        n: &Nat,
        map: &NatMap,
        family: Family,
        table: &Table,
    ) -> Option<String> {
        use crate::expr::NatFlags as F;
        let mut s = match n.kind() {
            NatKind::Snat => "snat".to_owned(),
            NatKind::Dnat => "dnat".to_owned(),
            _ => return None,
        };
        let flags = n.flags();
        if !flags.difference(F::NETMAP).is_empty() {
            return None;
        }
        let addr = map.addr_map();
        let interval_data = table
            .map(addr.map())
            .is_some_and(|m| data_interval(&m.extras.userdata));
        let show_family = family == Family::Inet
            || flags.contains(F::NETMAP)
            || matches!(map, NatMap::AddrPort(_) | NatMap::AddrRange(_))
            || interval_data;
        if show_family {
            let _ = write!(s, " {}", n.family()?);
        } else if n.family() != Some(family) {
            return None;
        }
        if flags.contains(F::NETMAP) {
            s.push_str(" prefix");
        }
        let _ = write!(s, " to {}", self.map_lookup_text(addr, table)?);
        match (map, n.port()) {
            (NatMap::Addr(_) | NatMap::AddrPort(_) | NatMap::AddrRange(_), None) => {}
            (NatMap::Addr(_), Some(Value::Int(p))) => {
                let _ = write!(s, ":{p}");
            }
            (NatMap::AddrAndPort(_, p), None) => {
                let _ = write!(s, ":{}", self.map_lookup_text(p, table)?);
            }
            _ => return None,
        }
        Some(s)
    }

    /// `counter name <key> map <map>` and the like, by the object map's object type.
    pub(super) fn objref_map_text(&self, m: &MapLookup, table: &Table) -> Option<String> {
        let set = table.set(m.map())?;
        let kind = linx_netlink_codec::AttrIter::new(&set.extras.attrs).find_map(|a| {
            let a = a.ok()?;
            (a.kind() == NFTA_SET_OBJ_TYPE)
                .then(|| Some(u32::from_be_bytes(a.payload().try_into().ok()?)))?
        })?;
        let lookup = self.map_lookup_text(m, table)?;
        Some(match ObjectType::from_number(kind) {
            ObjectType::Counter => format!("counter name {lookup}"),
            ObjectType::Quota => format!("quota name {lookup}"),
            ObjectType::Limit => format!("limit name {lookup}"),
            ObjectType::CtHelper => format!("ct helper set {lookup}"),
            ObjectType::CtTimeout => format!("ct timeout set {lookup}"),
            ObjectType::CtExpect => format!("ct expectation set {lookup}"),
            ObjectType::Synproxy => format!("synproxy name {lookup}"),
            _ => return None,
        })
    }
}

/// The bytes, shift and mask of a header field not filling its bytes (`ip dscp`: 1, 2,
/// 0xfc; `ip6 dscp`: 2, 6, 0x0fc0) as a lookup key; `None` for other keys.
fn sub_byte(key: &crate::stmt::Key) -> Option<(usize, u32, u64)> {
    let crate::stmt::Key::Field(crate::stmt::Field::Header(h)) = key else {
        return None;
    };
    let (start, len) = (h.bit_offset() % 8, h.bit_len());
    if start == 0 && len % 8 == 0 {
        return None;
    }
    let bytes = (start + len).div_ceil(8);
    if bytes > 4 {
        return None;
    }
    let shift = bytes * 8 - start - len;
    let mask = ((1u64 << len) - 1) << shift;
    Some((usize::try_from(bytes).ok()?, shift, mask))
}

/// Whether `f` fills the bytes it is loaded from.
fn whole_bytes(f: &crate::stmt::Field) -> bool {
    use crate::stmt::Field;
    let aligned = match f {
        Field::Header(h) => h.bit_offset() % 8 == 0,
        Field::Raw { bit_offset, .. } => bit_offset % 8 == 0,
        Field::Exthdr(x) => x.is_byte_aligned(),
        _ => true,
    };
    aligned && f.bit_len() % 8 == 0
}

/// An anonymous map's element holding a sub-byte value in place, as its value.
fn shifted_down(
    e: &crate::SetElement,
    (bytes, shift, mask): (usize, u32, u64),
) -> Option<crate::SetElement> {
    use crate::set::ElemValue;
    let crate::SetElement::Value(ElemValue::Bytes(b)) = e else {
        return None;
    };
    if b.len() != bytes {
        return None;
    }
    let n = b.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x));
    if n & !mask != 0 {
        return None;
    }
    let down = (n >> shift).to_be_bytes();
    let out = down.get(down.len() - bytes..)?;
    Some(crate::SetElement::Value(ElemValue::Bytes(out.into())))
}

/// A set nft made of a literal (`__map0`, flagged anonymous).
fn is_anonymous(name: &str, flags: SetFlags) -> bool {
    flags.contains(SetFlags::ANONYMOUS) || name.starts_with("__")
}

/// `true` when nft's set userdata says the map's data are intervals.
fn data_interval(userdata: &[u8]) -> bool {
    super::tlvs(userdata).any(|(kind, v)| kind == UDATA_DATA_INTERVAL && v.iter().any(|b| *b != 0))
}

/// Interval data of addresses (nft stores the first and the last address one after the
/// other): `a/len` when the interval is one prefix, else `a-b`.
fn address_interval(d: &crate::SetElement, t: &crate::KeyType) -> Option<String> {
    let (crate::SetElement::Value(crate::ElemValue::Bytes(b)), crate::KeyType::Raw { type_id, .. }) =
        (d, t)
    else {
        return None;
    };
    let half = match type_id {
        7 => 4,
        8 => 16,
        _ => return None,
    };
    if b.len() != 2 * half {
        return None;
    }
    let (lo, hi) = b.split_at(half);
    let a = linx_ip::Ip::from_bytes(lo)?;
    let z = linx_ip::Ip::from_bytes(hi)?;
    if lo == hi {
        Some(a.to_string())
    } else if value::is_prefix_range(lo, hi) {
        let host: u32 = lo.iter().zip(hi).map(|(x, y)| (x ^ y).count_ones()).sum();
        Some(format!("{a}/{}", half as u32 * 8 - host))
    } else {
        Some(format!("{a}-{z}"))
    }
}

/// A key as nft writes it: a field, or fields joined by ` . `.
fn key_text(key: &Key) -> String {
    let parts: Vec<String> = key.fields().iter().map(Field::to_string).collect();
    parts.join(" . ")
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
