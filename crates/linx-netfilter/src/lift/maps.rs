//! Lift of values computed from the packet: map lookups with a result register (read by
//! `meta`/`ct set`, NAT, or nothing), object references through object maps, and bit
//! operations on a whole field.
//!
//! The result of a lookup waits in its register as [`Loaded::Mapped`] until a statement
//! reads it; the protocol matches its key relied on are dropped then, as for a match. Like
//! everything the lift returns, these are checked by lowering them again.

use super::{Deps, Lifter, Loaded, Pending, attrs, field_is_whole, int_of};
use crate::expr::{Bitwise, MetaKey, NatFlags, NatType};
use crate::stmt::{
    BitOp, Bits, Field, Key, MapLookup, Nat, NatKind, NatMap, Op, Source, Statement,
};
use crate::{Expr, Family, Reg};

/// `NFT_BITWISE_LSHIFT` / `NFT_BITWISE_RSHIFT`.
const LSHIFT: u32 = 1;
const RSHIFT: u32 = 2;

impl Lifter<'_> {
    /// `lookup reg K set M dreg K`: the value map `M` holds for the key, kept in register
    /// `dreg` for the statement that reads it.
    pub(super) fn mapped(
        &mut self,
        set: &str,
        dreg: Reg,
        key: Key,
        deps: Deps,
        mut taken: Vec<Pending>,
        e: &Expr,
    ) {
        let Some(mut lookup) = MapLookup::new(key, set) else {
            return self.fail_taken(taken, e);
        };
        if taken
            .iter()
            .any(|p| matches!(p.loaded, Loaded::Swapped { .. }))
        {
            lookup = lookup.in_interval_map();
        }
        taken.sort_by_key(|p| p.seq);
        let seq = taken.first().map_or(self.pos, |p| p.seq);
        let mut exprs: Vec<Expr> = taken.into_iter().flat_map(|p| p.exprs).collect();
        exprs.push(e.clone());
        if let Some(old) = self.regs.remove(&dreg.0) {
            self.flush_all(vec![old]);
        }
        self.regs.insert(
            dreg.0,
            Pending {
                loaded: Loaded::Mapped { lookup, deps },
                exprs: exprs.into(),
                seq,
            },
        );
    }

    /// `bitwise reg = reg << n` / `>> n` on a whole integer field (`NFTA_BITWISE_SREG` 1,
    /// `DREG` 2, `LEN` 3, `OP` 6, `DATA` 7 holding the shift as a host-order u32).
    pub(super) fn shift(&mut self, data: &[u8], e: &Expr) -> Result<(), Vec<Pending>> {
        let (mut sreg, mut dreg, mut len, mut op, mut n) = (None, None, None, None, None);
        for (kind, payload) in attrs(data).ok_or_else(Vec::new)? {
            let be = || payload.try_into().ok().map(u32::from_be_bytes);
            match kind {
                1 if sreg.is_none() => sreg = be(),
                2 if dreg.is_none() => dreg = be(),
                3 if len.is_none() => len = be(),
                6 if op.is_none() => op = be(),
                7 if n.is_none() => {
                    let inner = attrs(payload).ok_or_else(Vec::new)?;
                    let [(1, v)] = inner[..] else {
                        return Err(Vec::new());
                    };
                    n = v.try_into().ok().map(u32::from_ne_bytes);
                }
                _ => return Err(Vec::new()),
            }
        }
        let (Some(sreg), Some(dreg), Some(len), Some(op), Some(n)) = (sreg, dreg, len, op, n)
        else {
            return Err(Vec::new());
        };
        if sreg != dreg {
            return Err(Vec::new());
        }
        let Some(mut p) = self.take(Reg(sreg)) else {
            return Err(Vec::new());
        };
        let next = match &p.loaded {
            Loaded::Field { field, bytes, deps }
                if *bytes == len && *bytes == field.bit_len().div_ceil(8) =>
            {
                let op = match op {
                    LSHIFT => BitOp::Shl(n),
                    RSHIFT => BitOp::Shr(n),
                    _ => return Err(vec![p]),
                };
                match Bits::new(*field, op) {
                    Some(bits) => Loaded::Bits {
                        bits,
                        deps: deps.clone(),
                    },
                    None => return Err(vec![p]),
                }
            }
            _ => return Err(vec![p]),
        };
        p.loaded = next;
        p.exprs.push(e.clone());
        self.regs.insert(sreg, p);
        Ok(())
    }

    /// `objref` through an object map: `NFTA_OBJREF_SET_SREG` 3 and `NFTA_OBJREF_SET_NAME`
    /// 4 (a NUL-terminated name), the key in that register.
    pub(super) fn objref_map(&mut self, data: &[u8]) -> Result<(), Vec<Pending>> {
        let (mut sreg, mut name) = (None, None);
        for (kind, payload) in attrs(data).ok_or_else(Vec::new)? {
            match kind {
                3 if sreg.is_none() => {
                    sreg = Some(u32::from_be_bytes(
                        payload.try_into().map_err(|_| Vec::new())?,
                    ));
                }
                4 if name.is_none() => {
                    let s = payload.strip_suffix(&[0]).ok_or_else(Vec::new)?;
                    name = Some(std::str::from_utf8(s).map_err(|_| Vec::new())?.to_owned());
                }
                _ => return Err(Vec::new()),
            }
        }
        let (Some(sreg), Some(name)) = (sreg, name) else {
            return Err(Vec::new());
        };
        let want = self.set_key_len(&name);
        let (key, deps, taken) = self.key_at(Reg(sreg), want)?;
        let Some(lookup) = MapLookup::new(key, name) else {
            return Err(taken);
        };
        self.drop_deps(&deps);
        self.out.push(Statement::ObjrefMap(lookup));
        Ok(())
    }

    /// `snat`/`dnat` whose address register holds a map lookup's result: the port is none,
    /// an immediate, a second lookup, or the data after the address in the first map's
    /// result (`addr . port`).
    pub(super) fn nat_map(
        &mut self,
        kind: NatType,
        family: Family,
        addr: Reg,
        [amax, pmin, pmax]: [Option<Reg>; 3],
        flags: NatFlags,
    ) -> Result<(), Vec<Pending>> {
        let known = NatFlags::MAP_IPS
            | NatFlags::PROTO_SPECIFIED
            | NatFlags::NETMAP
            | NatFlags::RANDOM
            | NatFlags::FULLY_RANDOM
            | NatFlags::PERSISTENT;
        if !flags.difference(known).is_empty() {
            return Err(Vec::new());
        }
        let kind = match kind {
            NatType::Snat => NatKind::Snat,
            NatType::Dnat => NatKind::Dnat,
        };
        let Some(a) = self.take(addr) else {
            return Err(Vec::new());
        };
        let Loaded::Mapped { lookup, deps } = &a.loaded else {
            return Err(vec![a]);
        };
        let (lookup, mut deps) = (lookup.clone(), deps.clone());
        let mut taken = vec![a];
        let mut port = None;
        let map = match (amax, pmin, pmax) {
            // The last address after the first in the lookup's result: interval data.
            (Some(_), None, None) => NatMap::AddrRange(lookup),
            (Some(_), ..) => return Err(taken),
            (None, None, None) => NatMap::Addr(lookup),
            (None, Some(r), max) if max.is_none() || max == Some(r) => match self.take(r) {
                Some(p) => {
                    let next = match &p.loaded {
                        // The protocol match the port's key relies on stays: nft
                        // prints it (`meta l4proto tcp dnat to ... : tcp dport map ...`).
                        Loaded::Mapped { lookup: pl, .. } => {
                            Some(NatMap::AddrAndPort(lookup.clone(), pl.clone()))
                        }
                        Loaded::Data(d) => {
                            let v = <[u8; 2]>::try_from(d.as_slice())
                                .ok()
                                .map(u16::from_be_bytes);
                            port = v.map(|v| crate::stmt::Value::Int(u64::from(v)));
                            port.as_ref().map(|_| NatMap::Addr(lookup.clone()))
                        }
                        _ => None,
                    };
                    taken.push(p);
                    match next {
                        Some(m) => m,
                        None => return Err(taken),
                    }
                }
                None => NatMap::AddrPort(lookup),
            },
            _ => return Err(taken),
        };
        deps.sort_unstable();
        deps.dedup();
        self.keep_l4_before_nfproto(&mut deps);
        let user = flags.difference(NatFlags::MAP_IPS | NatFlags::PROTO_SPECIFIED);
        let Some(nat) = Nat::from_map(kind, Some(family), map, port) else {
            return Err(taken);
        };
        self.drop_deps(&deps);
        self.out
            .push(Statement::Nat(Box::new(nat.with_flags(user))));
        Ok(())
    }
}

impl Lifter<'_> {
    /// In inet, a key of a network and a transport field (`ip daddr . tcp dport`) after
    /// the rule's own `meta l4proto tcp`: nft writes its `meta nfproto ipv4` after that
    /// match, which the lowering of the key alone would write before it. The `meta
    /// l4proto` match then stays a statement (the printer leaves it out, as nft does) and
    /// only the `meta nfproto` match is dropped.
    fn keep_l4_before_nfproto(&self, deps: &mut Deps) {
        if !self.keep || self.family != Family::Inet {
            return;
        }
        let meta = |i: usize, key: MetaKey| {
            matches!(
                self.out.get(i),
                Some(Statement::Match(m))
                    if m.key() == &Key::Field(Field::Meta(key))
                        && m.op() == Op::Eq
                        && m.mask().is_none()
            )
        };
        if let [a, b] = deps[..] {
            if a + 1 == b && meta(a, MetaKey::L4proto) && meta(b, MetaKey::Nfproto) {
                *deps = Deps::one(b);
            }
        }
    }
}

/// `(field & mask) ^ xor` with a non-zero xor on a whole integer field.
pub(super) fn and_xor(loaded: &Loaded, b: &Bitwise) -> Option<Loaded> {
    let Loaded::Field { field, bytes, deps } = loaded else {
        return None;
    };
    if *bytes != b.len
        || b.mask.len() != b.len as usize
        || b.xor.len() != b.len as usize
        || *bytes != field.bit_len().div_ceil(8)
        || !field_is_whole(field)
        || b.sreg != b.dreg
    {
        return None;
    }
    let op = BitOp::AndXor {
        mask: int_of(field, &b.mask)?,
        xor: int_of(field, &b.xor)?,
    };
    Some(Loaded::Bits {
        bits: Bits::new(*field, op)?,
        deps: deps.clone(),
    })
}

/// What a `set` statement stores from a register holding a lookup result, bits of a field,
/// or a whole field under a mask.
pub(super) fn source(loaded: &Loaded) -> Option<(Source, Deps)> {
    Some(match loaded {
        Loaded::Mapped { lookup, deps } => (Source::Map(lookup.clone()), deps.clone()),
        Loaded::Bits { bits, deps } => (Source::Bits(*bits), deps.clone()),
        Loaded::Masked {
            field,
            bytes,
            mask,
            deps,
        } if field_is_whole(field) && *bytes == field.bit_len().div_ceil(8) => {
            let op = BitOp::AndXor {
                mask: int_of(field, mask)?,
                xor: 0,
            };
            (Source::Bits(Bits::new(*field, op)?), deps.clone())
        }
        _ => return None,
    })
}

/// A directional `ct` load (`NFTA_CT_DREG` 1, `NFTA_CT_KEY` 2, `NFTA_CT_DIRECTION` 3, in
/// that order, as the lowering writes it) of a key [`ct_dir_info`] names.
///
/// [`ct_dir_info`]: crate::stmt::ct_dir_info
pub(super) fn ct_dir_load(data: &[u8]) -> Option<(Reg, Loaded)> {
    let [(1, dreg), (2, key), (3, dir)] = attrs(data)?[..] else {
        return None;
    };
    let dreg = u32::from_be_bytes(dreg.try_into().ok()?);
    let key = crate::expr::CtKey::from_number(u32::from_be_bytes(key.try_into().ok()?));
    let [dir] = dir else { return None };
    let dir = crate::stmt::CtDirection::from_number(*dir)?;
    let (_, len, ..) = crate::stmt::ct_dir_info(key)?;
    Some((
        Reg(dreg),
        Loaded::Field {
            field: crate::stmt::Field::CtDir { key, dir },
            bytes: len,
            deps: Deps::new(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use linx_ip::ip;

    use crate::expr::{CtKey, DynsetOp, MetaKey};
    use crate::lift::{lift, lift_in};
    use crate::print::Printer;
    use crate::stmt::{
        BitOp, Bits, CtDirection, Field, HeaderField as H, Key, MapLookup, Nat, NatKind, NatMap,
        SetUpdate, Source, Statement,
    };
    use crate::{DataType, Family, KeyType, Map, MapElement, SetElement, SetFlags, Table};

    /// lift(lower(stmts)) == stmts in `family`, checked against `table`.
    fn round_trip(family: Family, table: &Table, stmts: Vec<Statement>) -> String {
        let exprs = Statement::lower_all(family, &stmts).expect("lower");
        assert_eq!(lift_in(&exprs, table), stmts);
        Printer::new().statements(&stmts, table).expect("nft text")
    }

    fn table(family: Family) -> Table {
        let mut t = Table::new(family, "t");
        t.add_map(Map::new(
            "m",
            KeyType::InetService,
            DataType::Value(KeyType::Mark),
        ))
        .unwrap();
        let mut anon = Map::new(
            "__map0",
            KeyType::InetService,
            DataType::Value(KeyType::Mark),
        )
        .elements([
            MapElement::new(SetElement::port(80), SetElement::mark(2)),
            MapElement::new(SetElement::port(22), SetElement::mark(1)),
        ]);
        anon.flags = SetFlags::ANONYMOUS | SetFlags::CONSTANT;
        t.add_map(anon).unwrap();
        t.add_map(Map::new(
            "fwd",
            KeyType::InetService,
            DataType::Value(KeyType::Ipv4Addr),
        ))
        .unwrap();
        t.add_map(Map::new(
            "pair",
            KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]),
            DataType::Value(KeyType::Concat(vec![
                KeyType::Ipv4Addr,
                KeyType::InetService,
            ])),
        ))
        .unwrap();
        t.add_map(Map::new(
            "last",
            KeyType::Ipv4Addr,
            DataType::Value(KeyType::Ipv4Addr),
        ))
        .unwrap();
        t
    }

    fn mark_set(value: Source) -> Vec<Statement> {
        vec![Statement::MetaSet {
            key: MetaKey::Mark,
            value,
        }]
    }

    #[test]
    fn map_sources_lift_and_print() {
        let t = table(Family::Inet);
        let named = MapLookup::new(H::TcpDport, "m").unwrap();
        assert_eq!(
            round_trip(Family::Inet, &t, mark_set(Source::Map(named))),
            "meta mark set tcp dport map @m"
        );
        let anon = MapLookup::new(H::TcpDport, "__map0").unwrap();
        assert_eq!(
            round_trip(Family::Inet, &t, mark_set(Source::Map(anon))),
            "meta mark set tcp dport map { 22 : 0x00000001, 80 : 0x00000002 }"
        );
        // A map the table lacks lifts (the key width is the loads') but does not print.
        let missing = MapLookup::new(H::TcpDport, "nope").unwrap();
        let exprs = Statement::lower_all(Family::Inet, &mark_set(Source::Map(missing))).unwrap();
        let stmts = lift_in(&exprs, &t);
        assert!(Printer::new().statements(&stmts, &t).is_none());
    }

    #[test]
    fn bit_operations_print_in_nft_forms() {
        let t = table(Family::Ip);
        let mark = Field::Meta(MetaKey::Mark);
        let cases = [
            (
                BitOp::AndXor {
                    mask: 0xffff_ffef,
                    xor: 0x10,
                },
                "meta mark | 0x00000010",
            ),
            (
                BitOp::AndXor {
                    mask: 0xffff_0000,
                    xor: 0,
                },
                "meta mark & 0xffff0000",
            ),
            (
                BitOp::AndXor {
                    mask: 0xffff_0000,
                    xor: 0x42,
                },
                "meta mark & 0xffff0042 | 0x00000042",
            ),
            (
                BitOp::AndXor {
                    mask: 0xffff_ffff,
                    xor: 1,
                },
                "meta mark ^ 0x00000001",
            ),
            (BitOp::Shl(1), "meta mark << 1"),
            (BitOp::Shr(8), "meta mark >> 8"),
        ];
        for (op, text) in cases {
            let bits = Bits::new(mark, op).unwrap();
            assert_eq!(
                round_trip(Family::Ip, &t, mark_set(Source::Bits(bits))),
                format!("meta mark set {text}")
            );
        }
        // Overlapping mask and xor bits have no nft form here.
        let odd = Bits::new(
            mark,
            BitOp::AndXor {
                mask: 0xff,
                xor: 0x1,
            },
        )
        .unwrap();
        let stmts = mark_set(Source::Bits(odd));
        assert!(Printer::new().statements(&stmts, &t).is_none());
        assert!(Bits::new(Field::Ct(CtKey::State), BitOp::Shl(1)).is_none());
    }

    #[test]
    fn nat_from_maps_lifts_and_prints() {
        let t = table(Family::Ip);
        let fwd = MapLookup::new(H::TcpDport, "fwd").unwrap();
        let nat = Nat::from_map(
            NatKind::Dnat,
            Some(Family::Ip),
            NatMap::Addr(fwd.clone()),
            None,
        )
        .unwrap();
        let mut rule = vec![Statement::Nat(Box::new(nat))];
        assert_eq!(
            round_trip(Family::Ip, &t, rule.clone()),
            "dnat to tcp dport map @fwd"
        );
        let port = Some(crate::stmt::Value::Int(8080));
        let nat = Nat::from_map(NatKind::Dnat, Some(Family::Ip), NatMap::Addr(fwd), port).unwrap();
        rule[0] = Statement::Nat(Box::new(nat));
        assert_eq!(
            round_trip(Family::Ip, &t, rule.clone()),
            "dnat to tcp dport map @fwd:8080"
        );
        let key = Key::concat([H::IpDaddr.into(), H::TcpDport.into()]);
        let pair = MapLookup::new(key, "pair").unwrap();
        let nat = Nat::from_map(
            NatKind::Dnat,
            Some(Family::Ip),
            NatMap::AddrPort(pair),
            None,
        )
        .unwrap();
        rule[0] = Statement::Nat(Box::new(nat.clone()));
        assert_eq!(
            round_trip(Family::Ip, &t, rule),
            "dnat ip to ip daddr . tcp dport map @pair"
        );
        // In inet, the rule's own `meta l4proto tcp` before the key's `meta nfproto ipv4`
        // stays a statement, and prints as nft lists it: not at all.
        let l4 = crate::stmt::Match::new(
            Field::Meta(MetaKey::L4proto),
            crate::stmt::Op::Eq,
            crate::stmt::Value::Int(6),
        )
        .unwrap();
        let inet = table(Family::Inet);
        assert_eq!(
            round_trip(
                Family::Inet,
                &inet,
                vec![Statement::Match(l4), Statement::Nat(Box::new(nat))]
            ),
            "dnat ip to ip daddr . tcp dport map @pair"
        );
        assert!(
            Nat::from_map(
                NatKind::Masquerade,
                None,
                NatMap::Addr(MapLookup::new(H::TcpDport, "fwd").unwrap()),
                None
            )
            .is_none()
        );
    }

    /// A netlink attribute: length, type, payload, padding.
    fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
        let len = 4 + payload.len();
        let mut out = Vec::with_capacity(len.next_multiple_of(4));
        out.extend_from_slice(&(len as u16).to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(payload);
        out.resize(len.next_multiple_of(4), 0);
        out
    }

    #[test]
    fn object_maps_print_by_their_object_type() {
        let mut t = table(Family::Ip);
        let counter_type = attr(15, &1u32.to_be_bytes());
        let mut named = crate::Set::new("cm", KeyType::InetService);
        named.flags = SetFlags::OBJECT;
        named.extras.attrs = counter_type.clone();
        t.add_set(named).unwrap();
        let mut anon =
            crate::Set::new("__objmap0", KeyType::InetService).element(SetElement::port(53));
        anon.flags = SetFlags::ANONYMOUS | SetFlags::CONSTANT | SetFlags::OBJECT;
        anon.extras.attrs = counter_type;
        anon.extras.elements = vec![crate::ElemAttrs {
            index: 0,
            attrs: attr(9, b"dns\0"),
        }];
        t.add_set(anon).unwrap();
        let named = Statement::ObjrefMap(MapLookup::new(H::TcpDport, "cm").unwrap());
        assert_eq!(
            round_trip(Family::Ip, &t, vec![named]),
            "counter name tcp dport map @cm"
        );
        let anon = Statement::ObjrefMap(MapLookup::new(H::UdpDport, "__objmap0").unwrap());
        assert_eq!(
            round_trip(Family::Ip, &t, vec![anon]),
            "counter name udp dport map { 53 : \"dns\" }"
        );
    }

    #[test]
    fn dynset_with_data_and_conntrack_keys() {
        let t = table(Family::Ip);
        let update = SetUpdate {
            op: DynsetOp::Add,
            set: "last".into(),
            key: H::IpSaddr.into(),
            timeout_ms: None,
            data: Some(H::IpDaddr.into()),
            stmts: Vec::new(),
        };
        assert_eq!(
            round_trip(Family::Ip, &t, vec![Statement::SetUpdate(Box::new(update))]),
            "add @last { ip saddr : ip daddr }"
        );
        let field = Field::CtDir {
            key: CtKey::from_number(19),
            dir: CtDirection::Original,
        };
        let m = Statement::is(field, ip!("10.0.0.1")).unwrap();
        assert_eq!(
            round_trip(Family::Ip, &t, vec![m]),
            "ct original ip saddr 10.0.0.1"
        );
        let zone = Statement::CtDirSet {
            key: CtKey::from_number(17),
            dir: CtDirection::Reply,
            value: Source::Value(crate::stmt::Value::Int(4)),
        };
        assert_eq!(
            round_trip(Family::Ip, &t, vec![zone]),
            "ct reply zone set 4"
        );
        let net = crate::stmt::Value::Prefix("10.0.0.0/24".parse().unwrap());
        let m = Statement::is(
            Field::CtDir {
                key: CtKey::from_number(20),
                dir: CtDirection::Original,
            },
            net,
        )
        .unwrap();
        assert_eq!(
            round_trip(Family::Ip, &t, vec![m]),
            "ct original ip daddr 10.0.0.0/24"
        );
        let label = Field::Ct(CtKey::from_number(13));
        let m = Statement::matching(label, crate::stmt::Op::AnySet, 127u64).unwrap();
        assert_eq!(round_trip(Family::Ip, &t, vec![m]), "ct label 127");
        let set = Statement::CtSet {
            key: CtKey::from_number(13),
            value: Source::Value(crate::stmt::Value::Int(64)),
        };
        assert_eq!(round_trip(Family::Ip, &t, vec![set]), "ct label set 64");
        let events = Statement::CtSet {
            key: CtKey::from_number(18),
            value: Source::Value(crate::stmt::Value::Int(0x43f)),
        };
        assert_eq!(
            round_trip(Family::Ip, &t, vec![events]),
            "ct event set new,related,destroy,reply,assured,protoinfo,label"
        );
        // A label outside the 128 bits does not lower.
        let big = Statement::CtSet {
            key: CtKey::from_number(13),
            value: Source::Value(crate::stmt::Value::Int(128)),
        };
        assert!(Statement::lower_all(Family::Ip, &[big]).is_err());
        // Without the table, the same expressions lift the same.
        let exprs = Statement::lower_all(
            Family::Ip,
            &[Statement::is(field, ip!("10.0.0.2")).unwrap()],
        )
        .unwrap();
        assert!(crate::lift::is_fully_lifted(&lift(&exprs, Family::Ip)));
    }
}
