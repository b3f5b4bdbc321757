//! Anonymous maps keyed by strings (`osf name`) and by fields not filling their bytes
//! (`ip dscp`), as nft prints their lookups.

use crate::expr::MetaKey;
use crate::lift::lift_in;
use crate::print::Printer;
use crate::set::ElemValue;
use crate::stmt::{Field, HeaderField as H, MapLookup, Osf, OsfTtl, Source, Statement};
use crate::{DataType, Family, KeyType, Map, MapElement, SetElement, SetFlags, Table};

/// An anonymous map of `key` to marks with `elems` (key bytes, mark).
fn anon(key: KeyType, elems: &[(&[u8], u32)]) -> Map {
    let mut m = Map::new("__map0", key, DataType::Value(KeyType::Mark)).elements(elems.iter().map(
        |(k, v)| {
            MapElement::new(
                SetElement::Value(ElemValue::Bytes((*k).into())),
                SetElement::mark(*v),
            )
        },
    ));
    m.flags = SetFlags::ANONYMOUS | SetFlags::CONSTANT;
    m
}

fn mark_set(key: impl Into<crate::stmt::Key>) -> Statement {
    Statement::MetaSet {
        key: MetaKey::Mark,
        value: Source::Map(MapLookup::new(key, "__map0").unwrap()),
    }
}

/// Lowers, lifts against `map`'s table and prints `stmt`.
fn text(family: Family, map: Map, stmt: Statement) -> Option<String> {
    let mut t = Table::new(family, "t");
    t.add_map(map).unwrap();
    let exprs = Statement::lower_all(family, std::slice::from_ref(&stmt)).unwrap();
    assert_eq!(lift_in(&exprs, &t), vec![stmt.clone()]);
    Printer::new().statements(&[stmt], &t)
}

#[test]
fn string_keys_print_quoted() {
    let osf = Field::Osf(Osf {
        ttl: OsfTtl::Exact,
        version: false,
    });
    let key = KeyType::Raw {
        type_id: 5,
        len: 16,
    };
    let linux = *b"Linux\0\0\0\0\0\0\0\0\0\0\0";
    let windows = *b"Windows\0\0\0\0\0\0\0\0\0";
    let map = anon(key.clone(), &[(&windows, 2), (&linux, 1)]);
    assert_eq!(
        text(Family::Inet, map, mark_set(osf)).as_deref(),
        Some("meta mark set osf name map { \"Linux\" : 0x00000001, \"Windows\" : 0x00000002 }")
    );
    // Text nft would escape or not print as is: no line.
    let quote = *b"a\"b\0\0\0\0\0\0\0\0\0\0\0\0\0";
    let map = anon(key, &[(&quote, 1)]);
    assert_eq!(text(Family::Inet, map, mark_set(osf)), None);
}

#[test]
fn sub_byte_keys_print_their_values_not_the_bytes() {
    let dscp = KeyType::Raw {
        type_id: 36,
        len: 1,
    };
    // cs1 (8) and cs2 (16) held in place: 8 << 2, 16 << 2.
    let map = anon(dscp.clone(), &[(&[0x40], 2), (&[0x20], 1)]);
    assert_eq!(
        text(Family::Ip, map, mark_set(H::IpDscp)).as_deref(),
        Some("meta mark set ip dscp map { cs1 : 0x00000001, cs2 : 0x00000002 }")
    );
    // Across two bytes: ip6 dscp cs1 is 0x0200 in place.
    let dscp6 = KeyType::Raw {
        type_id: 36,
        len: 2,
    };
    let map = anon(dscp6, &[(&[0x02, 0x00], 1)]);
    assert_eq!(
        text(Family::Ip6, map, mark_set(H::Ip6Dscp)).as_deref(),
        Some("meta mark set ip6 dscp map { cs1 : 0x00000001 }")
    );
    // Bits outside the field: not what nft stores, no line.
    let map = anon(dscp, &[(&[0x21], 1)]);
    assert_eq!(text(Family::Ip, map, mark_set(H::IpDscp)), None);
}

#[test]
fn named_maps_with_sub_byte_keys_shift_them_down() {
    let stmt = Statement::MetaSet {
        key: MetaKey::Mark,
        value: Source::Map(MapLookup::new(H::IpDscp, "m").unwrap()),
    };
    // Load, mask, shift down to the value, look up, set (nft's expressions).
    let exprs = Statement::lower_all(Family::Ip, &[stmt]).unwrap();
    let text: Vec<String> = exprs.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 5);
    assert_eq!(text[0], "payload load 1b @ network header + 1 => reg 1");
    assert_eq!(text[1], "bitwise reg 1 = (reg 1 & 0xfc) ^ 0x00 (1b)");
    assert_eq!(text[3], "lookup reg 1 set m dreg 1");
}
