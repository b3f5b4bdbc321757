//! Property tests: JSON round trips of valid rulesets, never-panic validation of arbitrary
//! models and inputs, and the key-type id algebra.

use linx_ip::{Ip, Mac, Subnet};
use linx_netfilter::expr::{
    Bitwise, CmpOp, CtKey, Dynset, DynsetOp, ImmediateData, Log, LogFlags, Masquerade, MetaKey,
    Nat, NatFlags, NatType, PayloadBase, RateUnit, Redirect, RejectType, SetLiteral, UnknownExpr,
    VmapLiteral,
};
use linx_netfilter::{
    Chain, ChainFlags, ChainKind, ChainType, CtState, DataType, ElemValue, Expr, Family, Flowtable,
    FlowtableFlags, Hook, KeyType, Map, MapElement, MapValue, Object, ObjectKind, ObjectType,
    Policy, Priority, PriorityName, Reg, Rule, Ruleset, Set, SetElement, SetFlags, Table,
    TableFlags, Verdict,
};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::select;

// ---------------------------------------------------------------- shared pieces

fn scalar_key() -> impl Strategy<Value = KeyType> {
    select(vec![
        KeyType::Ipv4Addr,
        KeyType::Ipv6Addr,
        KeyType::EtherAddr,
        KeyType::InetProto,
        KeyType::InetService,
        KeyType::Mark,
        KeyType::Ifname,
        KeyType::CtState,
    ])
}

fn meta_key() -> impl Strategy<Value = MetaKey> {
    prop_oneof![
        (0u32..=16).prop_map(MetaKey::from_number),
        (17u32..40).prop_map(MetaKey::Other),
    ]
}

fn ct_key() -> impl Strategy<Value = CtKey> {
    prop_oneof![
        (0u32..=4).prop_map(CtKey::from_number),
        (5u32..30).prop_map(CtKey::Other)
    ]
}

fn payload_base() -> impl Strategy<Value = PayloadBase> {
    (0u32..5).prop_map(PayloadBase::from_number)
}

fn ifname() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,14}"
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,40}"
}

fn bytes(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), len)
}

/// A value of scalar type `key`.
fn value_of(key: &KeyType) -> BoxedStrategy<ElemValue> {
    match key {
        KeyType::Ipv4Addr => any::<[u8; 4]>()
            .prop_map(|o| ElemValue::Ip(Ip::V4(o)))
            .boxed(),
        KeyType::Ipv6Addr => any::<[u8; 16]>()
            .prop_map(|o| ElemValue::Ip(Ip::V6(o)))
            .boxed(),
        KeyType::EtherAddr => any::<[u8; 6]>()
            .prop_map(|o| ElemValue::Mac(Mac::new(o)))
            .boxed(),
        KeyType::InetProto => any::<u8>().prop_map(ElemValue::Proto).boxed(),
        KeyType::InetService => any::<u16>().prop_map(ElemValue::Port).boxed(),
        KeyType::Mark => any::<u32>().prop_map(ElemValue::Mark).boxed(),
        KeyType::Ifname => ifname().prop_map(|n| ElemValue::Ifname(n.into())).boxed(),
        KeyType::CtState => (0u32..0x80)
            .prop_map(|b| ElemValue::CtState(CtState::from_bits_retain(b)))
            .boxed(),
        KeyType::Raw { len, .. } => bytes(*len as usize..=*len as usize)
            .prop_map(|b| ElemValue::Bytes(b.into()))
            .boxed(),
        KeyType::Concat(_) => unreachable!("scalar keys only"),
    }
}

/// A valid element of scalar `key`: a value, or (interval sets) a range or a prefix.
fn element_of(key: &KeyType, interval: bool) -> BoxedStrategy<SetElement> {
    let value = value_of(key).prop_map(SetElement::Value);
    if !interval {
        return value.boxed();
    }
    let range = (value_of(key), value_of(key)).prop_map(|(a, b)| {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        SetElement::range(lo, hi)
    });
    match key {
        KeyType::Ipv4Addr | KeyType::Ipv6Addr => {
            let max: u8 = if *key == KeyType::Ipv4Addr { 32 } else { 128 };
            let prefix = (value_of(key), 0..=max).prop_map(|(v, len)| {
                let ElemValue::Ip(ip) = v else { unreachable!() };
                SetElement::Prefix(Subnet::new(ip, len).expect("len in range").network())
            });
            prop_oneof![value, range, prefix].boxed()
        }
        _ => prop_oneof![value, range].boxed(),
    }
}

/// A key type (scalar or a 2..=3 field concatenation) and distinct valid elements.
fn key_and_elements(interval: bool) -> impl Strategy<Value = (KeyType, Vec<SetElement>)> {
    prop_oneof![
        3 => scalar_key().prop_map(|k| (k, false)),
        1 => vec(scalar_key(), 2..=3).prop_map(|f| (KeyType::Concat(f), true)),
    ]
    .prop_flat_map(move |(key, concat)| {
        let element = if concat {
            let KeyType::Concat(fields) = &key else {
                unreachable!()
            };
            fields
                .iter()
                .map(|f| element_of(f, interval))
                .collect::<Vec<_>>()
                .prop_map(SetElement::concat)
                .boxed()
        } else {
            element_of(&key, interval)
        };
        (Just(key), btree_set(element, 0..6))
    })
    .prop_map(|(key, elements)| (key, elements.into_iter().collect()))
}

fn verdict_terminal() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        Just(Verdict::Accept),
        Just(Verdict::Drop),
        Just(Verdict::Continue),
        Just(Verdict::Return),
        any::<u16>().prop_map(Verdict::Queue),
    ]
}

// ---------------------------------------------------------------- valid rulesets

/// Expressions valid in any family and any chain.
fn safe_expr() -> impl Strategy<Value = Expr> {
    let reg = select(vec![Reg::R1, Reg::R2, Reg::R3, Reg::R4]);
    prop_oneof![
        (payload_base(), 0u32..64, 1u32..=16, reg.clone()).prop_map(|(base, offset, len, dreg)| {
            checked(linx_netfilter::expr::Payload::new(base, offset, len, dreg))
        }),
        (meta_key(), reg.clone())
            .prop_map(|(key, dreg)| checked(linx_netfilter::expr::Meta::new(key, dreg))),
        (ct_key(), reg.clone())
            .prop_map(|(key, dreg)| checked(linx_netfilter::expr::Ct::new(key, dreg))),
        (select(CmpOp::ALL.to_vec()), bytes(1..=16), reg.clone()).prop_map(|(op, data, sreg)| {
            checked(linx_netfilter::expr::Cmp::new(sreg, op, data))
        }),
        (1usize..=16)
            .prop_flat_map(|len| (bytes(len..=len), bytes(len..=len)))
            .prop_map(|(mask, xor)| Expr::bitwise(mask, xor)),
        (any::<u64>(), any::<u64>()).prop_map(|(packets, bytes)| Expr::from(
            linx_netfilter::expr::Counter::new(packets, bytes)
        )),
        (
            any::<u64>(),
            select(RateUnit::ALL.to_vec()),
            any::<u32>(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(rate, unit, burst, bytes, over)| Expr::from(
                linx_netfilter::expr::Limit::new(rate, unit, burst, bytes, over)
            )),
        (any::<u64>(), any::<bool>(), any::<u64>()).prop_map(|(bytes, over, consumed)| {
            Expr::from(linx_netfilter::expr::Quota::new(bytes, over, consumed))
        }),
        (
            any::<u16>(),
            proptest::option::of("[ -~]{0,30}"),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u16>()),
            0u32..0x40
        )
            .prop_map(
                |(group, prefix, snaplen, qthreshold, flags)| checked(Log::new(
                    Some(group),
                    prefix,
                    snaplen,
                    qthreshold,
                    None,
                    LogFlags::from_bits_retain(flags)
                ))
            ),
        (proptest::option::of("[ -~]{0,30}"), 0u32..=8).prop_map(|(prefix, level)| checked(
            Log::new(None, prefix, None, None, Some(level), LogFlags::TCP_SEQ)
        )),
        bytes(1..=16).prop_map(|data| Expr::immediate(Reg::R2, data)),
        ("[a-z]{1,8}", bytes(0..=12)).prop_map(|(name, data)| Expr::unknown(name, data)),
        key_and_elements(true)
            .prop_filter("literals are not empty", |(_, e)| !e.is_empty())
            .prop_map(|(key, elements)| Expr::set_literal(key, elements)),
        (key_and_elements(false), any::<bool>())
            .prop_filter("literals are not empty", |((_, e), _)| !e.is_empty())
            .prop_map(|((key, elements), inverted)| {
                let lit = SetLiteral::new(key, elements);
                Expr::from(if inverted { lit.inverted() } else { lit })
            }),
        (key_and_elements(false), vec(verdict_terminal(), 6))
            .prop_filter("literals are not empty", |((_, e), _)| !e.is_empty())
            .prop_map(|((key, elements), verdicts)| Expr::from(VmapLiteral::new(
                key,
                elements.into_iter().zip(verdicts),
            ))),
    ]
}

#[derive(Debug, Clone)]
struct RuleSpec {
    exprs: Vec<Expr>,
    tagged: bool,
    comment: Option<String>,
    handle: Option<u64>,
    verdict: Option<Verdict>,
    /// Jump to a regular chain (base chains only), use a set, use an object.
    jump: Option<usize>,
    lookup: Option<usize>,
    objref: Option<usize>,
}

fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    (
        vec(safe_expr(), 0..4),
        any::<bool>(),
        proptest::option::of(text()),
        proptest::option::of(any::<u64>()),
        proptest::option::of(verdict_terminal()),
        proptest::option::of(any::<usize>()),
        proptest::option::of(any::<usize>()),
        proptest::option::of(any::<usize>()),
    )
        .prop_map(
            |(exprs, tagged, comment, handle, verdict, jump, lookup, objref)| RuleSpec {
                exprs,
                tagged,
                comment,
                handle,
                verdict,
                jump,
                lookup,
                objref,
            },
        )
}

#[derive(Debug, Clone)]
struct ChainSpec {
    base: Option<(usize, Priority, Option<Policy>)>,
    handle: Option<u64>,
    rules: Vec<RuleSpec>,
}

fn priority() -> impl Strategy<Value = Priority> {
    prop_oneof![
        any::<i32>().prop_map(Priority::Value),
        (-1000i32..1000).prop_map(|o| Priority::FILTER.offset(o)),
    ]
}

fn chain_spec() -> impl Strategy<Value = ChainSpec> {
    (
        proptest::option::of((
            any::<usize>(),
            priority(),
            proptest::option::of(select(Policy::ALL.to_vec())),
        )),
        proptest::option::of(any::<u64>()),
        vec(rule_spec(), 0..4),
    )
        .prop_map(|(base, handle, rules)| ChainSpec {
            base,
            handle,
            rules,
        })
}

/// A named set of a generated table: key, elements, interval, timeout, comment.
type SetSpec = (KeyType, Vec<SetElement>, bool, Option<u64>, Option<String>);

#[derive(Debug, Clone)]
struct TableSpec {
    family: Family,
    flags: u32,
    chains: Vec<ChainSpec>,
    sets: Vec<SetSpec>,
    vmaps: Vec<Vec<(u16, Verdict)>>,
    dmaps: Vec<Vec<(u16, [u8; 4])>>,
    objects: Vec<ObjectKind>,
    flowtable: bool,
}

fn object_kind() -> impl Strategy<Value = ObjectKind> {
    prop_oneof![
        (any::<u64>(), any::<u64>())
            .prop_map(|(packets, bytes)| ObjectKind::Counter { packets, bytes }),
        (any::<u64>(), any::<bool>(), any::<u64>())
            .prop_map(|(bytes, over, used)| ObjectKind::Quota { bytes, over, used }),
        (
            any::<u64>(),
            select(RateUnit::ALL.to_vec()),
            any::<u32>(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(rate, unit, burst, bytes, over)| ObjectKind::Limit {
                rate,
                unit,
                burst,
                bytes,
                over
            }),
        (3u32..100, bytes(0..=8)).prop_map(|(kind_id, data)| ObjectKind::Raw { kind_id, data }),
    ]
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        select(Family::ALL.to_vec()),
        0u32..8,
        vec(chain_spec(), 0..4),
        vec(
            (
                any::<bool>(),
                proptest::option::of(1u64..100_000),
                proptest::option::of(text()),
            )
                .prop_flat_map(|(interval, timeout, comment)| {
                    key_and_elements(interval)
                        .prop_map(move |(k, e)| (k, e, interval, timeout, comment.clone()))
                }),
            0..3,
        ),
        vec(
            btree_set(any::<u16>(), 0..4)
                .prop_flat_map(|ports| {
                    let n = ports.len();
                    (Just(ports), vec(verdict_terminal(), n))
                })
                .prop_map(|(ports, verdicts)| ports.into_iter().zip(verdicts).collect()),
            0..2,
        ),
        vec(
            btree_set(any::<u16>(), 0..4)
                .prop_flat_map(|ports| {
                    let n = ports.len();
                    (Just(ports), vec(any::<[u8; 4]>(), n))
                })
                .prop_map(|(ports, addrs)| ports.into_iter().zip(addrs).collect()),
            0..2,
        ),
        vec(object_kind(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(family, flags, chains, sets, vmaps, dmaps, objects, flowtable)| TableSpec {
                family,
                flags,
                chains,
                sets,
                vmaps,
                dmaps,
                objects,
                flowtable,
            },
        )
}

fn hooks(family: Family) -> Vec<Hook> {
    Hook::ALL
        .iter()
        .copied()
        .filter(|h| h.number(family).is_some())
        .collect()
}

fn build_table(index: usize, spec: &TableSpec) -> Table {
    let mut t = Table::new(spec.family, format!("t{index}"));
    t.flags = TableFlags::from_bits_retain(spec.flags);
    for (i, (key, elements, interval, timeout, comment)) in spec.sets.iter().enumerate() {
        let mut set = Set::new(format!("s{i}"), key.clone()).elements(elements.iter().cloned());
        if *interval {
            set = set.interval();
        }
        if let Some(ms) = timeout {
            set = set.timeout(*ms);
        }
        set.comment = comment.clone();
        t.add_set(set).unwrap();
    }
    let regular: Vec<usize> = (0..spec.chains.len())
        .filter(|&i| spec.chains[i].base.is_none())
        .collect();
    for (i, elements) in spec.vmaps.iter().enumerate() {
        let mut map = Map::vmap(format!("v{i}"), KeyType::InetService);
        for (j, (port, verdict)) in elements.iter().enumerate() {
            let verdict = match regular.get(j % regular.len().max(1)) {
                Some(&target) if j % 2 == 0 => Verdict::Jump(format!("c{target}")),
                _ => verdict.clone(),
            };
            map = map.element(SetElement::port(*port), verdict);
        }
        t.add_map(map).unwrap();
    }
    for (i, elements) in spec.dmaps.iter().enumerate() {
        let map = Map::new(
            format!("d{i}"),
            KeyType::InetService,
            DataType::Value(KeyType::Ipv4Addr),
        )
        .elements(
            elements
                .iter()
                .map(|(p, a)| MapElement::new(SetElement::port(*p), Ip::V4(*a))),
        );
        t.add_map(map).unwrap();
    }
    for (i, kind) in spec.objects.iter().enumerate() {
        t.add_object(Object::new(format!("o{i}"), kind.clone()).comment(format!("object {i}")))
            .unwrap();
    }
    if spec.flowtable && spec.family.is_ip() {
        t.add_flowtable(Flowtable::new("ft", ["eth0", "eth1"]).flags(FlowtableFlags::COUNTER))
            .unwrap();
    }
    let family_hooks = hooks(spec.family);
    for (i, c) in spec.chains.iter().enumerate() {
        let mut chain = match &c.base {
            None => Chain::regular(format!("c{i}")),
            Some((pick, prio, policy)) => {
                let hook = family_hooks[pick % family_hooks.len()];
                let mut chain = Chain::base(format!("c{i}"), ChainType::Filter, hook, *prio);
                if hook.is_per_device() {
                    chain = chain.device("eth0");
                }
                if let Some(policy) = policy {
                    chain = chain.policy(*policy);
                }
                chain
            }
        };
        chain.handle = c.handle;
        t.add_chain(chain).unwrap();
        for (j, r) in c.rules.iter().enumerate() {
            let mut rule = Rule::raw(r.exprs.iter().cloned());
            if let (Some(n), false) = (r.lookup, t.sets().is_empty()) {
                rule = rule.expr(Expr::lookup(format!("s{}", n % t.sets().len())));
            }
            if let (Some(n), false) = (r.objref, t.objects().is_empty()) {
                let (kind, name) = t.objects()[n % t.objects().len()].key();
                rule = rule.expr(Expr::objref(kind, name));
            }
            match (r.jump, c.base.is_some() && !regular.is_empty()) {
                (Some(n), true) => rule = rule.jump(format!("c{}", regular[n % regular.len()])),
                _ => {
                    if let Some(v) = &r.verdict {
                        rule = rule.verdict(v.clone());
                    }
                }
            }
            if r.tagged {
                rule = rule.tag(format!("r{j}"));
            }
            rule.comment = r.comment.clone();
            rule.handle = r.handle;
            t.add_rule(&format!("c{i}"), rule).unwrap();
        }
    }
    // vmaps with jumps are reachable only through a lookup; add one from a base chain.
    t
}

fn ruleset() -> impl Strategy<Value = Ruleset> {
    vec(table_spec(), 0..3).prop_map(|specs| {
        let mut rs = Ruleset::new();
        for (i, spec) in specs.iter().enumerate() {
            rs.insert_table(build_table(i, spec)).unwrap();
        }
        rs
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn json_round_trips_valid_rulesets(rs in ruleset()) {
        rs.validate().unwrap();
        let json = rs.to_json();
        let back = Ruleset::from_json(&json).unwrap();
        prop_assert_eq!(&back, &rs);
        // The serde Deserialize impl reads the same.
        let via_serde: Ruleset = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&via_serde, &rs);
        // Pretty output too.
        prop_assert_eq!(Ruleset::from_json(&rs.to_json_pretty()).unwrap(), rs);
    }

    #[test]
    fn tables_and_chains_round_trip_alone(rs in ruleset()) {
        for table in rs.tables() {
            let json = serde_json::to_string(table).unwrap();
            let back: Table = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, table);
            for chain in table.chains() {
                let back: Chain = serde_json::from_str(&serde_json::to_string(chain).unwrap()).unwrap();
                prop_assert_eq!(&back, chain);
            }
            for set in table.sets() {
                let back: Set = serde_json::from_str(&serde_json::to_string(set).unwrap()).unwrap();
                prop_assert_eq!(&back, set);
            }
            for map in table.maps() {
                let back: Map = serde_json::from_str(&serde_json::to_string(map).unwrap()).unwrap();
                prop_assert_eq!(&back, map);
            }
        }
    }
}

// ---------------------------------------------------------------- never panic

fn any_reg() -> impl Strategy<Value = Reg> {
    prop_oneof![3 => (0u32..=24).prop_map(Reg), 1 => any::<u32>().prop_map(Reg)]
}

fn any_key() -> impl Strategy<Value = KeyType> {
    let leaf = prop_oneof![
        4 => scalar_key(),
        1 => (any::<u32>(), 0u32..80).prop_map(|(type_id, len)| KeyType::Raw { type_id, len }),
    ];
    leaf.prop_recursive(2, 8, 6, |inner| vec(inner, 0..7).prop_map(KeyType::Concat))
}

fn any_value() -> impl Strategy<Value = ElemValue> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| ElemValue::Ip(Ip::V4(o))),
        any::<[u8; 16]>().prop_map(|o| ElemValue::Ip(Ip::V6(o))),
        any::<[u8; 6]>().prop_map(|o| ElemValue::Mac(Mac::new(o))),
        any::<u8>().prop_map(ElemValue::Proto),
        any::<u16>().prop_map(ElemValue::Port),
        any::<u32>().prop_map(ElemValue::Mark),
        "\\PC{0,20}".prop_map(|n| ElemValue::Ifname(n.into())),
        any::<u32>().prop_map(|b| ElemValue::CtState(CtState::from_bits_retain(b))),
        bytes(0..=20).prop_map(|b| ElemValue::Bytes(b.into())),
    ]
}

fn any_element() -> impl Strategy<Value = SetElement> {
    let leaf = prop_oneof![
        any_value().prop_map(SetElement::Value),
        (any_value(), any_value()).prop_map(|(a, b)| SetElement::range(a, b)),
        (any::<[u8; 4]>(), 0u8..=32)
            .prop_map(|(o, l)| SetElement::Prefix(Subnet::new(Ip::V4(o), l).unwrap())),
        (any::<[u8; 16]>(), 0u8..=128)
            .prop_map(|(o, l)| SetElement::Prefix(Subnet::new(Ip::V6(o), l).unwrap())),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        vec(inner, 0..5).prop_map(SetElement::concat)
    })
}

fn any_verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        verdict_terminal(),
        "[a-c]{0,2}".prop_map(Verdict::Jump),
        "[a-c]{0,2}".prop_map(Verdict::Goto),
    ]
}

fn any_name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-c]{0,2}", "\\PC{0,300}", Just("__set0".to_owned())]
}

/// A checked expression, or a counter where the arbitrary fields fail the kind's checks
/// (expressions are checked when they are built).
fn checked<T: Into<Expr>>(built: Result<T, linx_netfilter::Reason>) -> Expr {
    built.map_or_else(|_| Expr::counter(), Into::into)
}

fn any_expr() -> impl Strategy<Value = Expr> {
    let leaf =
        prop_oneof![
            (payload_base(), any::<u32>(), 0u32..100, any_reg()).prop_map(
                |(base, offset, len, dreg)| checked(linx_netfilter::expr::Payload::new(
                    base, offset, len, dreg
                ))
            ),
            ((0u32..40).prop_map(MetaKey::from_number), any_reg())
                .prop_map(|(key, dreg)| checked(linx_netfilter::expr::Meta::new(key, dreg))),
            ((0u32..10).prop_map(CtKey::from_number), any_reg())
                .prop_map(|(key, dreg)| checked(linx_netfilter::expr::Ct::new(key, dreg))),
            (any_reg(), select(CmpOp::ALL.to_vec()), bytes(0..=70)).prop_map(|(sreg, op, data)| {
                checked(linx_netfilter::expr::Cmp::new(sreg, op, data))
            }),
            (any_reg(), any_reg(), 0u32..70, bytes(0..=20), bytes(0..=20)).prop_map(
                |(sreg, dreg, _len, mask, xor)| checked(Bitwise::new(sreg, dreg, mask, xor))
            ),
            (
                any_name(),
                any_reg(),
                proptest::option::of(any_reg()),
                any::<bool>()
            )
                .prop_map(|(set, sreg, dreg, inverted)| checked(
                    linx_netfilter::expr::Lookup::new(set, sreg, dreg, inverted)
                )),
            (
                any_key(),
                any::<u32>(),
                vec(any_element(), 0..4),
                any_reg(),
                any::<bool>()
            )
                .prop_map(|(key, flags, elements, sreg, inverted)| {
                    let lit = SetLiteral::new(key, elements)
                        .with_flags(SetFlags::from_bits_retain(flags))
                        .with_sreg(sreg);
                    Expr::from(if inverted { lit.inverted() } else { lit })
                }),
            (
                any_key(),
                any::<u32>(),
                vec((any_element(), any_verdict()), 0..4),
                any_reg()
            )
                .prop_map(|(key, flags, elements, sreg)| Expr::from(
                    VmapLiteral::new(key, elements)
                        .with_flags(SetFlags::from_bits_retain(flags))
                        .with_sreg(sreg)
                )),
            (select(RejectType::ALL.to_vec()), any::<u8>())
                .prop_map(|(kind, code)| checked(linx_netfilter::expr::Reject::new(kind, code))),
            Just(Expr::counter()),
            (any::<u64>(), select(RateUnit::ALL.to_vec())).prop_map(|(r, u)| Expr::limit(r, u)),
            any::<u64>().prop_map(Expr::quota),
            ((0u32..40).prop_map(ObjectType::from_number), any_name())
                .prop_map(|(kind, name)| Expr::from(linx_netfilter::expr::Objref::new(kind, name))),
            (
                proptest::option::of(any::<u16>()),
                proptest::option::of(any_name()),
                proptest::option::of(any::<u32>()),
                proptest::option::of(any::<u16>()),
                proptest::option::of(any::<u32>())
            )
                .prop_map(|(group, prefix, snaplen, qthreshold, level)| checked(
                    Log::new(group, prefix, snaplen, qthreshold, level, LogFlags::empty())
                )),
            (any_reg(), any_verdict()).prop_map(|(dreg, v)| checked(
                linx_netfilter::expr::Immediate::new(dreg, ImmediateData::Verdict(v))
            )),
            (any_reg(), bytes(0..=70)).prop_map(|(dreg, b)| checked(
                linx_netfilter::expr::Immediate::new(dreg, ImmediateData::Value(b))
            )),
            (
                select(vec![NatType::Snat, NatType::Dnat]),
                select(Family::ALL.to_vec()),
                proptest::option::of(any_reg()),
                proptest::option::of(any_reg()),
                any::<u32>()
            )
                .prop_map(|(kind, family, a, p, flags)| checked(Nat::new(
                    kind,
                    family,
                    a,
                    None,
                    p,
                    a,
                    NatFlags::from_bits_retain(flags),
                ))),
            (
                proptest::option::of(any_reg()),
                proptest::option::of(any_reg())
            )
                .prop_map(|(a, b)| checked(Masquerade::new(NatFlags::empty(), a, b))),
            (
                proptest::option::of(any_reg()),
                proptest::option::of(any_reg())
            )
                .prop_map(|(a, b)| checked(Redirect::new(NatFlags::RANDOM, a, b))),
            (any_name(), bytes(0..=8))
                .prop_map(|(name, data)| checked(UnknownExpr::new(name, data))),
        ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        (
            any_name(),
            select(vec![DynsetOp::Add, DynsetOp::Update, DynsetOp::Delete]),
            any_reg(),
            proptest::option::of(any_reg()),
            proptest::option::of(any::<u64>()),
            vec(inner, 0..3),
        )
            .prop_map(|(set, op, sreg_key, sreg_data, timeout_ms, exprs)| {
                checked(
                    Dynset::new(set, op)
                        .with_timeout_ms(timeout_ms)
                        .with_sreg_key(sreg_key)
                        .and_then(|d| d.with_sreg_data(sreg_data))
                        .and_then(|d| d.with_exprs(exprs)),
                )
            })
    })
}

fn any_chain_kind() -> impl Strategy<Value = ChainKind> {
    prop_oneof![
        Just(ChainKind::Regular),
        (
            select(ChainType::ALL.to_vec()),
            select(Hook::ALL.to_vec()),
            prop_oneof![
                any::<i32>().prop_map(Priority::Value),
                (select(PriorityName::ALL.to_vec()), any::<i32>())
                    .prop_map(|(n, o)| Priority::named(n).offset(o))
            ],
            proptest::option::of(select(Policy::ALL.to_vec())),
            proptest::collection::vec(any_name(), 0..3)
        )
            .prop_map(
                |(chain_type, hook, priority, policy, devices)| ChainKind::Base(
                    linx_netfilter::BaseChain {
                        chain_type,
                        hook,
                        priority,
                        policy,
                        devices,
                    }
                )
            ),
    ]
}

/// Exprs, tag, comment.
type RuleParts = (Vec<Expr>, Option<String>, Option<String>);
/// Name, kind, flags, rules.
type MessChain = (String, ChainKind, u32, Vec<RuleParts>);
/// Name, key, flags, elements, timeout.
type MessSet = (String, KeyType, u32, Vec<SetElement>, Option<u64>);
/// Name, key, data (None: verdict), elements.
type MessMap = (
    String,
    KeyType,
    Option<KeyType>,
    Vec<(SetElement, Option<Verdict>)>,
);

#[derive(Debug, Clone)]
struct Mess {
    family: Family,
    chains: Vec<MessChain>,
    sets: Vec<MessSet>,
    maps: Vec<MessMap>,
    objects: Vec<(String, ObjectKind)>,
    flowtables: Vec<(String, Hook, Vec<String>)>,
}

fn mess() -> impl Strategy<Value = Mess> {
    (
        select(Family::ALL.to_vec()),
        vec(
            (
                any_name(),
                any_chain_kind(),
                any::<u32>(),
                vec(
                    (
                        vec(any_expr(), 0..4),
                        proptest::option::of(any_name()),
                        proptest::option::of(any_name()),
                    ),
                    0..3,
                ),
            ),
            0..4,
        ),
        vec(
            (
                any_name(),
                any_key(),
                any::<u32>(),
                vec(any_element(), 0..4),
                proptest::option::of(any::<u64>()),
            ),
            0..3,
        ),
        vec(
            (
                any_name(),
                any_key(),
                proptest::option::of(any_key()),
                vec((any_element(), proptest::option::of(any_verdict())), 0..3),
            ),
            0..2,
        ),
        vec((any_name(), object_kind()), 0..3),
        vec(
            (
                any_name(),
                select(Hook::ALL.to_vec()),
                vec(any_name(), 0..3),
            ),
            0..2,
        ),
    )
        .prop_map(|(family, chains, sets, maps, objects, flowtables)| Mess {
            family,
            chains,
            sets,
            maps,
            objects,
            flowtables,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Builders and `validate` return `Ok` or `Err` on any model, never panic; whatever
    /// `validate` accepts also survives a JSON round trip.
    #[test]
    fn validation_never_panics(m in mess()) {
        let mut t = Table::new(m.family, "t");
        for (name, kind, flags, rules) in &m.chains {
            let rules: Vec<Rule> = rules.iter().map(|(exprs, tag, comment)| Rule {
                exprs: exprs.clone(), tag: tag.clone(), comment: comment.clone(), handle: None, raw: false,
            }).collect();
            // Through the builder (may be refused) ...
            let chain = Chain::with_kind(name.clone(), kind.clone()).flags(ChainFlags::from_bits_retain(*flags));
            let _ = t.clone().add_chain(chain.clone().with_rules(rules.clone()));
            for rule in &rules {
                let mut probe = t.clone();
                if probe.add_chain(chain.clone()).is_ok() {
                    let _ = probe.add_rule(name, rule.clone());
                }
            }
            // ... and forced in by direct edits.
            if t.add_chain(Chain::with_kind(format!("x{}", t.chains().len()), ChainKind::Regular)
                .with_rules(rules.iter().map(|_| Rule::new([])))).is_ok() {
                let at = t.chains().len() - 1;
                let forced = format!("x{at}");
                let c = t.chain_mut(&forced).unwrap();
                c.kind = kind.clone();
                for (i, rule) in rules.iter().enumerate() {
                    *c.rule_mut(i).unwrap() = rule.clone();
                }
            }
        }
        for (name, key, flags, elements, timeout) in &m.sets {
            let mut set = Set::new(name.clone(), key.clone()).flags(SetFlags::from_bits_retain(*flags));
            set.elements = elements.clone();
            set.timeout_ms = *timeout;
            let _ = t.clone().add_set(set.clone());
            if t.add_set(Set::new(format!("y{}", t.sets().len()), KeyType::Mark)).is_ok() {
                let n = format!("y{}", t.sets().len() - 1);
                *t.set_mut(&n).unwrap() = set;
            }
        }
        for (name, key, data, elements) in &m.maps {
            let data = data.clone().map_or(DataType::Verdict, DataType::Value);
            let mut map = Map::new(name.clone(), key.clone(), data);
            map.elements = elements.iter().map(|(k, v)| MapElement {
                key: k.clone(),
                value: v.clone().map_or_else(|| MapValue::Data(k.clone()), MapValue::Verdict),
            }).collect();
            let _ = t.clone().add_map(map.clone());
            if t.add_map(Map::vmap(format!("z{}", t.maps().len()), KeyType::Mark)).is_ok() {
                let n = format!("z{}", t.maps().len() - 1);
                *t.map_mut(&n).unwrap() = map;
            }
        }
        for (name, kind) in &m.objects {
            let _ = t.add_object(Object::new(name.clone(), kind.clone()));
        }
        for (name, hook, devices) in &m.flowtables {
            let mut ft = Flowtable::new(name.clone(), devices.clone());
            ft.hook = *hook;
            let _ = t.add_flowtable(ft);
        }
        let verdict = t.validate();
        let _ = t.to_string();
        for chain in t.chains() {
            let _ = chain.to_string();
            for rule in chain.rules() {
                let _ = rule.display_in(m.family, "t", chain.name()).to_string();
            }
        }
        let mut rs = Ruleset::new();
        if verdict.is_ok() {
            rs.insert_table(t).unwrap();
            rs.validate_for_reconcile().ok();
            prop_assert_eq!(Ruleset::from_json(&rs.to_json()).unwrap(), rs);
        } else {
            prop_assert!(rs.insert_table(t).is_err());
        }
    }

    #[test]
    fn from_json_never_panics_on_text(text in "\\PC{0,200}") {
        let _ = Ruleset::from_json(&text);
    }

    #[test]
    fn from_json_never_panics_on_mangled_rulesets(rs in ruleset(), cuts in vec((any::<usize>(), any::<u8>()), 1..4)) {
        let mut bytes = rs.to_json().into_bytes();
        for (at, b) in cuts {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = b' ' + b % 95;
            }
        }
        if let Ok(text) = String::from_utf8(bytes) {
            if let Ok(back) = Ruleset::from_json(&text) {
                back.validate().unwrap();
            }
        }
    }

    // ------------------------------------------------------------ key types

    #[test]
    fn concat_ids_fold_and_split(fields in vec(scalar_key(), 2..=5)) {
        let key = KeyType::Concat(fields);
        prop_assert_eq!(KeyType::from_type_id(key.type_id(), key.key_len()), key);
    }

    #[test]
    fn from_type_id_is_total(id in any::<u32>(), len in any::<u32>()) {
        let key = KeyType::from_type_id(id, len);
        prop_assert_eq!(key.type_id(), id);
        prop_assert_eq!(key.key_len(), len);
    }

    #[test]
    fn text_forms_round_trip(p in prop_oneof![
        any::<i32>().prop_map(Priority::Value),
        (select(PriorityName::ALL.to_vec()), any::<i32>()).prop_map(|(n, o)| Priority::named(n).offset(o)),
    ], bits in any::<u32>()) {
        prop_assert_eq!(p.to_string().parse::<Priority>().unwrap(), p);
        let f = SetFlags::from_bits_retain(bits);
        prop_assert_eq!(f.to_string().parse::<SetFlags>().unwrap(), f);
        let c = CtState::from_bits_retain(bits);
        prop_assert_eq!(serde_json::from_str::<CtState>(&serde_json::to_string(&c).unwrap()).unwrap(), c);
    }
}
