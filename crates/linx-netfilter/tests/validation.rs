//! Every validation rule: each rejection next to the closest input that is accepted.

use linx_ip::ip;
use linx_netfilter::expr::nat::{dnat_to, masquerade, redirect, snat_to};
use linx_netfilter::expr::{
    Bitwise, Dynset, DynsetOp, ImmediateData, Log, LogFlags, RejectType, SetLiteral,
};
use linx_netfilter::{
    Chain, ChainFlags, ChainType, DataType, ElemValue, Error, Expr, Family, Flowtable, Hook,
    KeyType, Map, Object, ObjectKind, ObjectType, Policy, Priority, Reason, Reg, Rule, Ruleset,
    Set, SetElement, SetFlags, Table, TableFlags, Verdict,
};

fn table(family: Family) -> Table {
    Table::new(family, "t")
}

fn base(name: &str, t: ChainType, hook: Hook, prio: Priority) -> Chain {
    Chain::base(name, t, hook, prio)
}

/// The reason of a `Bad*` error, for compact assertions.
fn reason(err: Error) -> Reason {
    match err {
        Error::BadTable { reason, .. }
        | Error::BadChain { reason, .. }
        | Error::BadRule { reason, .. }
        | Error::BadSet { reason, .. }
        | Error::BadSetElement { reason, .. }
        | Error::BadMap { reason, .. }
        | Error::BadMapElement { reason, .. }
        | Error::BadObject { reason, .. }
        | Error::BadFlowtable { reason, .. }
        | Error::BadVerdict { reason, .. } => reason,
        other => panic!("not a Bad* error: {other:?}"),
    }
}

fn chain_err(family: Family, chain: Chain) -> Reason {
    reason(table(family).add_chain(chain).unwrap_err())
}

fn chain_ok(family: Family, chain: Chain) {
    table(family).add_chain(chain).unwrap();
}

// ---------------------------------------------------------------- tables

#[test]
fn table_names() {
    let mut rs = Ruleset::new();
    assert_eq!(
        reason(
            rs.add_table(Family::Inet, "", TableFlags::default())
                .unwrap_err()
        ),
        Reason::EmptyName
    );
    let long = "x".repeat(256);
    assert!(matches!(
        reason(
            rs.add_table(Family::Inet, long, TableFlags::default())
                .unwrap_err()
        ),
        Reason::NameTooLong { len: 256, max: 255 }
    ));
    assert_eq!(
        reason(
            rs.add_table(Family::Inet, "a\0b", TableFlags::default())
                .unwrap_err()
        ),
        Reason::NulByte
    );
    rs.add_table(Family::Inet, "x".repeat(255), TableFlags::default())
        .unwrap();
}

#[test]
fn duplicate_tables_and_refs() {
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "f", TableFlags::default())
        .unwrap();
    assert!(matches!(
        rs.add_table(Family::Inet, "f", TableFlags::empty()),
        Err(Error::DuplicateTable { .. })
    ));
    assert_eq!(rs.table_ref("f").unwrap().family(), Family::Inet);
    rs.add_table(Family::Ip, "f", TableFlags::empty()).unwrap();
    match rs.table_ref("f") {
        Err(Error::AmbiguousTableName { table, families }) => {
            assert_eq!(table, "f");
            assert_eq!(families, [Family::Ip, Family::Inet]);
        }
        other => panic!("{other:?}"),
    }
    assert!(rs.table_ref((Family::Ip, "f")).is_ok());
    assert!(matches!(
        rs.table_ref((Family::Arp, "f")),
        Err(Error::NoSuchTable { .. })
    ));
    assert!(matches!(
        rs.remove_table("g"),
        Err(Error::NoSuchTable { .. })
    ));
}

#[test]
fn owner_is_the_default_flag() {
    assert_eq!(TableFlags::default(), TableFlags::OWNER);
    assert_eq!(Table::new(Family::Inet, "t").flags, TableFlags::OWNER);
    let rs = Ruleset::from_json(r#"{"tables":[{"family":"ip","name":"t"}]}"#).unwrap();
    assert_eq!(rs.table(Family::Ip, "t").unwrap().flags, TableFlags::OWNER);
    let rs = Ruleset::from_json(r#"{"tables":[{"family":"ip","name":"t","flags":[]}]}"#).unwrap();
    assert_eq!(
        rs.table(Family::Ip, "t").unwrap().flags,
        TableFlags::empty()
    );
    let rs = Ruleset::from_json(
        r#"{"tables":[{"family":"ip","name":"t","flags":["persist","owner"]}]}"#,
    )
    .unwrap();
    assert_eq!(rs.table(Family::Ip, "t").unwrap().flags.bits(), 0x6);
}

// ---------------------------------------------------------------- chains: hooks per family

#[test]
fn hooks_per_family() {
    use Hook::*;
    let allowed: &[(Family, &[Hook])] = &[
        (
            Family::Ip,
            &[Prerouting, Input, Forward, Output, Postrouting, Ingress],
        ),
        (
            Family::Ip6,
            &[Prerouting, Input, Forward, Output, Postrouting, Ingress],
        ),
        (
            Family::Inet,
            &[Prerouting, Input, Forward, Output, Postrouting, Ingress],
        ),
        (Family::Arp, &[Input, Output]),
        (
            Family::Bridge,
            &[Prerouting, Input, Forward, Output, Postrouting],
        ),
        (Family::Netdev, &[Ingress, Egress]),
    ];
    for (family, hooks) in allowed {
        for hook in Hook::ALL {
            let mut chain = base("c", ChainType::Filter, *hook, Priority::FILTER);
            if hook.is_per_device() {
                chain = chain.device("eth0");
            }
            let result = table(*family).add_chain(chain).map(|_| ());
            if hooks.contains(hook) {
                assert!(result.is_ok(), "{family} {hook}: {result:?}");
                assert!(hook.number(*family).is_some());
            } else {
                assert_eq!(
                    reason(result.unwrap_err()),
                    Reason::HookNotInFamily {
                        hook: *hook,
                        family: *family
                    },
                );
                assert!(hook.number(*family).is_none());
            }
        }
    }
}

#[test]
fn hook_numbers() {
    let inet: Vec<u32> = [
        Hook::Prerouting,
        Hook::Input,
        Hook::Forward,
        Hook::Output,
        Hook::Postrouting,
        Hook::Ingress,
    ]
    .iter()
    .map(|h| h.number(Family::Inet).unwrap())
    .collect();
    assert_eq!(inet, [0, 1, 2, 3, 4, 5]);
    assert_eq!(Hook::Input.number(Family::Arp), Some(0));
    assert_eq!(Hook::Output.number(Family::Arp), Some(1));
    assert_eq!(Hook::Ingress.number(Family::Netdev), Some(0));
    assert_eq!(Hook::Egress.number(Family::Netdev), Some(1));
    assert_eq!(Hook::Postrouting.number(Family::Bridge), Some(4));
    for family in Family::ALL {
        for hook in Hook::ALL {
            if let Some(n) = hook.number(*family) {
                assert_eq!(Hook::from_number(*family, n), Some(*hook));
            }
        }
    }
}

#[test]
fn nat_chains() {
    for family in [Family::Ip, Family::Ip6, Family::Inet] {
        for hook in [
            Hook::Prerouting,
            Hook::Input,
            Hook::Output,
            Hook::Postrouting,
        ] {
            chain_ok(family, base("n", ChainType::Nat, hook, Priority::DSTNAT));
        }
        assert_eq!(
            chain_err(
                family,
                base("n", ChainType::Nat, Hook::Forward, Priority::FILTER)
            ),
            Reason::TypeNotOnHook {
                chain_type: ChainType::Nat,
                hook: Hook::Forward
            }
        );
        assert_eq!(
            chain_err(
                family,
                base("n", ChainType::Nat, Hook::Ingress, Priority::FILTER).device("eth0")
            ),
            Reason::TypeNotOnHook {
                chain_type: ChainType::Nat,
                hook: Hook::Ingress
            }
        );
    }
    for family in [Family::Arp, Family::Bridge] {
        assert_eq!(
            chain_err(
                family,
                base("n", ChainType::Nat, Hook::Output, Priority::FILTER)
            ),
            Reason::TypeNotInFamily {
                chain_type: ChainType::Nat,
                family
            }
        );
    }
    assert_eq!(
        chain_err(
            Family::Netdev,
            base("n", ChainType::Nat, Hook::Ingress, Priority::FILTER).device("e")
        ),
        Reason::TypeNotInFamily {
            chain_type: ChainType::Nat,
            family: Family::Netdev
        }
    );
}

#[test]
fn route_chains() {
    for family in [Family::Ip, Family::Ip6, Family::Inet] {
        chain_ok(
            family,
            base("r", ChainType::Route, Hook::Output, Priority::MANGLE),
        );
        assert_eq!(
            chain_err(
                family,
                base("r", ChainType::Route, Hook::Input, Priority::MANGLE)
            ),
            Reason::TypeNotOnHook {
                chain_type: ChainType::Route,
                hook: Hook::Input
            }
        );
    }
    for family in [Family::Bridge, Family::Arp] {
        assert_eq!(
            chain_err(
                family,
                base("r", ChainType::Route, Hook::Output, Priority::FILTER)
            ),
            Reason::TypeNotInFamily {
                chain_type: ChainType::Route,
                family
            }
        );
    }
}

#[test]
fn devices() {
    // Per-device hooks need one.
    assert_eq!(
        chain_err(
            Family::Netdev,
            base("i", ChainType::Filter, Hook::Ingress, Priority::FILTER)
        ),
        Reason::DeviceRequired {
            hook: Hook::Ingress
        }
    );
    assert_eq!(
        chain_err(
            Family::Netdev,
            base("e", ChainType::Filter, Hook::Egress, Priority::FILTER)
        ),
        Reason::DeviceRequired { hook: Hook::Egress }
    );
    chain_ok(
        Family::Netdev,
        base("e", ChainType::Filter, Hook::Egress, Priority::FILTER).device("eth0"),
    );
    chain_ok(
        Family::Inet,
        base("i", ChainType::Filter, Hook::Ingress, Priority::FILTER).device("eth0"),
    );
    // Others refuse one.
    assert_eq!(
        chain_err(
            Family::Inet,
            base("i", ChainType::Filter, Hook::Input, Priority::FILTER).device("eth0")
        ),
        Reason::DeviceNotAllowed { hook: Hook::Input }
    );
    // Interface name rules.
    for bad in ["", "0123456789abcdef", "a/b", "a b", ".", "..", "a:b"] {
        assert!(
            matches!(
                chain_err(
                    Family::Netdev,
                    base("i", ChainType::Filter, Hook::Ingress, Priority::FILTER).device(bad)
                ),
                Reason::BadInterfaceName { .. }
            ),
            "{bad:?}"
        );
    }
    chain_ok(
        Family::Netdev,
        base("i", ChainType::Filter, Hook::Ingress, Priority::FILTER).device("0123456789abcde"),
    );
    // Regular chains take neither device nor policy.
    assert_eq!(
        chain_err(Family::Inet, Chain::regular("r").device("eth0")),
        Reason::DeviceOnRegularChain
    );
    assert_eq!(
        chain_err(Family::Inet, Chain::regular("r").policy(Policy::Drop)),
        Reason::PolicyOnRegularChain
    );
    chain_ok(
        Family::Inet,
        base("b", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop),
    );
}

#[test]
fn named_priorities_per_family() {
    use linx_netfilter::PriorityName::*;
    let table: &[(Family, &[(linx_netfilter::PriorityName, i32)])] = &[
        (
            Family::Ip,
            &[
                (Raw, -300),
                (Mangle, -150),
                (Dstnat, -100),
                (Filter, 0),
                (Security, 50),
                (Srcnat, 100),
            ],
        ),
        (
            Family::Ip6,
            &[
                (Raw, -300),
                (Mangle, -150),
                (Dstnat, -100),
                (Filter, 0),
                (Security, 50),
                (Srcnat, 100),
            ],
        ),
        (
            Family::Inet,
            &[
                (Raw, -300),
                (Mangle, -150),
                (Dstnat, -100),
                (Filter, 0),
                (Security, 50),
                (Srcnat, 100),
            ],
        ),
        (
            Family::Bridge,
            &[(Dstnat, -300), (Filter, -200), (Out, 100), (Srcnat, 300)],
        ),
        (Family::Arp, &[(Filter, 0)]),
        (Family::Netdev, &[(Filter, 0)]),
    ];
    for (family, names) in table {
        let hook = match family {
            Family::Netdev => Hook::Egress,
            _ => Hook::Output,
        };
        for name in linx_netfilter::PriorityName::ALL {
            let prio = Priority::named(*name).offset(7);
            let mut chain = base("c", ChainType::Filter, hook, prio);
            if hook.is_per_device() {
                chain = chain.device("eth0");
            }
            match names.iter().find(|(n, _)| n == name) {
                Some((_, value)) => {
                    assert_eq!(prio.resolve(*family), Ok(value + 7), "{family} {name}");
                    chain_ok(*family, chain);
                }
                None => assert_eq!(
                    chain_err(*family, chain),
                    Reason::PriorityNotInFamily {
                        name: *name,
                        family: *family
                    }
                ),
            }
        }
    }
    assert_eq!(
        chain_err(
            Family::Ip,
            base(
                "c",
                ChainType::Filter,
                Hook::Input,
                Priority::RAW.offset(i32::MIN)
            )
        ),
        Reason::PriorityOverflow
    );
    chain_ok(
        Family::Ip,
        base(
            "c",
            ChainType::Filter,
            Hook::Input,
            Priority::Value(i32::MIN),
        ),
    );
}

#[test]
fn incomplete_base_chains_from_json() {
    let doc = |chain: &str| {
        format!(r#"{{"tables":[{{"family":"inet","name":"t","chains":[{chain}]}}]}}"#)
    };
    for (chain, missing) in [
        (r#"{"name":"c","hook":"input","priority":0}"#, "type"),
        (r#"{"name":"c","type":"filter","priority":0}"#, "hook"),
        (r#"{"name":"c","type":"filter","hook":"input"}"#, "priority"),
    ] {
        match Ruleset::from_json(&doc(chain)) {
            Err(Error::IncompleteBaseChain {
                missing: m, chain, ..
            }) => {
                assert_eq!((m, chain.as_str()), (missing, "c"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        reason(Ruleset::from_json(&doc(r#"{"name":"c","policy":"drop"}"#)).unwrap_err()),
        Reason::PolicyOnRegularChain
    );
    assert_eq!(
        reason(Ruleset::from_json(&doc(r#"{"name":"c","device":"eth0"}"#)).unwrap_err()),
        Reason::DeviceOnRegularChain
    );
    Ruleset::from_json(&doc(
        r#"{"name":"c","type":"filter","hook":"input","priority":"filter + 5","policy":"drop"}"#,
    ))
    .unwrap();
    Ruleset::from_json(&doc(r#"{"name":"c"}"#)).unwrap();
}

#[test]
fn chain_flags_and_duplicates() {
    assert_eq!(
        chain_err(
            Family::Inet,
            Chain::regular("r").flags(ChainFlags::HW_OFFLOAD)
        ),
        Reason::OffloadOnRegularChain
    );
    chain_ok(
        Family::Netdev,
        base("b", ChainType::Filter, Hook::Ingress, Priority::FILTER)
            .device("eth0")
            .flags(ChainFlags::HW_OFFLOAD),
    );
    let mut t = table(Family::Inet);
    t.add_chain(Chain::regular("c")).unwrap();
    assert!(matches!(
        t.add_chain(Chain::regular("c")),
        Err(Error::DuplicateChain { .. })
    ));
    assert_eq!(
        reason(t.add_chain(Chain::regular("")).unwrap_err()),
        Reason::EmptyName
    );
}

// ---------------------------------------------------------------- rules

fn filter_table() -> Table {
    let mut t = table(Family::Inet);
    t.add_chain(base(
        "input",
        ChainType::Filter,
        Hook::Input,
        Priority::FILTER,
    ))
    .unwrap();
    t.add_chain(Chain::regular("web")).unwrap();
    t
}

fn rule_err(t: &mut Table, chain: &str, rule: Rule) -> Reason {
    reason(t.add_rule(chain, rule).unwrap_err())
}

#[test]
fn comment_length_limit() {
    let mut t = filter_table();
    t.add_rule("input", Rule::new([]).comment("x".repeat(253)))
        .unwrap();
    assert_eq!(
        rule_err(&mut t, "input", Rule::new([]).comment("x".repeat(254))),
        Reason::CommentTooLong { len: 254 }
    );
    assert_eq!(
        rule_err(&mut t, "input", Rule::new([]).comment("a\0b")),
        Reason::NulByte
    );
    // Multi-byte characters count in bytes.
    assert_eq!(
        rule_err(&mut t, "input", Rule::new([]).comment("é".repeat(127))),
        Reason::CommentTooLong { len: 254 }
    );
    // Tag and comment share 256 bytes of userdata.
    t.add_rule(
        "input",
        Rule::new([]).tag("t".repeat(125)).comment("c".repeat(125)),
    )
    .unwrap();
    assert_eq!(
        rule_err(
            &mut t,
            "input",
            Rule::new([]).tag("t".repeat(126)).comment("c".repeat(125))
        ),
        Reason::UserdataTooLong { len: 257 }
    );
}

#[test]
fn tags() {
    let mut t = filter_table();
    t.add_rule("input", Rule::new([]).accept().tag("ssh"))
        .unwrap();
    match t.add_rule("input", Rule::new([]).drop().tag("ssh")) {
        Err(Error::DuplicateTag { chain, tag, .. }) => {
            assert_eq!((chain.as_str(), tag.as_str()), ("input", "ssh"))
        }
        other => panic!("{other:?}"),
    }
    // Same tag elsewhere, and untagged rules, are fine.
    t.add_rule("web", Rule::new([]).tag("ssh")).unwrap();
    t.add_rule("input", Rule::new([])).unwrap();
    t.add_rule("input", Rule::new([])).unwrap();
    assert_eq!(
        rule_err(&mut t, "input", Rule::new([]).tag("")),
        Reason::EmptyTag
    );
    assert!(matches!(
        t.add_rule("nope", Rule::new([])),
        Err(Error::NoSuchChain { .. })
    ));
    // A tag changed through rule_mut is seen by the next add.
    let idx = t.chain("input").unwrap().find_tag("ssh").unwrap();
    t.chain_mut("input").unwrap().rule_mut(idx).unwrap().tag = Some("ssh2".into());
    t.add_rule("input", Rule::new([]).tag("ssh")).unwrap();
    assert!(matches!(
        t.add_rule("input", Rule::new([]).tag("ssh2")),
        Err(Error::DuplicateTag { .. })
    ));
    // validate() sees duplicates made by direct edits.
    t.chain_mut("input").unwrap().rule_mut(0).unwrap().tag = Some("ssh".into());
    assert!(matches!(t.validate(), Err(Error::DuplicateTag { .. })));
    // Duplicate tags inside a chain given to add_chain.
    let chain = Chain::regular("x").with_rules([Rule::new([]).tag("a"), Rule::new([]).tag("a")]);
    assert!(matches!(
        filter_table().add_chain(chain),
        Err(Error::DuplicateTag { .. })
    ));
}

#[test]
fn many_tagged_rules_are_linear() {
    let mut t = filter_table();
    let start = std::time::Instant::now();
    for i in 0..20_000 {
        t.add_rule(
            "input",
            Rule::new(Expr::meta_l4proto_eq(6))
                .exprs(Expr::tcp_dport_eq(22))
                .accept()
                .tag(format!("rule-{i}")),
        )
        .unwrap();
    }
    t.validate().unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn registers_and_lengths() {
    let mut t = filter_table();
    // Loads and comparisons are checked when they are built.
    let payload = |len, dreg| {
        linx_netfilter::expr::Payload::new(linx_netfilter::expr::PayloadBase::Network, 0, len, dreg)
            .map(Expr::from)
    };
    assert_eq!(
        payload(4, Reg(5)).unwrap_err(),
        Reason::BadRegister { reg: Reg(5) }
    );
    assert_eq!(
        payload(4, Reg(24)).unwrap_err(),
        Reason::BadRegister { reg: Reg(24) }
    );
    assert_eq!(
        payload(17, Reg::R4).unwrap_err(),
        Reason::RegisterOverflow {
            reg: Reg::R4,
            len: 17
        }
    );
    assert_eq!(
        payload(4, Reg::VERDICT).unwrap_err(),
        Reason::RegisterOverflow {
            reg: Reg::VERDICT,
            len: 4
        }
    );
    t.add_rule(
        "input",
        Rule::raw([
            payload(16, Reg::R4).unwrap(),
            payload(64, Reg::R1).unwrap(),
            payload(4, Reg::reg32(15)).unwrap(),
        ]),
    )
    .unwrap();
    // cmp data 1..=64 bytes.
    let cmp = |data: &[u8]| {
        linx_netfilter::expr::Cmp::new(Reg::R1, linx_netfilter::expr::CmpOp::Eq, data)
    };
    assert!(matches!(
        cmp(&[]).unwrap_err(),
        Reason::DataLength { got: 0, .. }
    ));
    assert!(matches!(
        cmp(&[0; 65]).unwrap_err(),
        Reason::DataLength { got: 65, .. }
    ));
    t.add_rule("input", Rule::new([Expr::cmp_eq([0; 64])]))
        .unwrap();
    // bitwise mask/xor match len.
    let bitwise = Bitwise::new(Reg::R1, Reg::R1, vec![0xff; 4], vec![0; 3]);
    assert_eq!(
        bitwise.unwrap_err(),
        Reason::DataLength {
            expected: 4,
            got: 3
        }
    );
    t.add_rule("input", Rule::new([Expr::bitwise([0xff; 4], [0; 4])]))
        .unwrap();
    // Verdicts only into the verdict register; data never.
    let immediate = linx_netfilter::expr::Immediate::new;
    let verdict_in_r1 = immediate(Reg::R1, ImmediateData::Verdict(Verdict::Accept));
    assert_eq!(
        verdict_in_r1.unwrap_err(),
        Reason::BadRegister { reg: Reg::R1 }
    );
    assert!(matches!(
        immediate(Reg::VERDICT, ImmediateData::Value(vec![1])).unwrap_err(),
        Reason::RegisterOverflow { .. }
    ));
    t.add_rule("input", Rule::new([Expr::immediate(Reg::R2, [1, 2])]))
        .unwrap();
    // Meta and ct loads have fixed widths.
    let meta =
        linx_netfilter::expr::Meta::new(linx_netfilter::expr::MetaKey::Iifname, Reg::reg32(13));
    assert!(matches!(
        meta.unwrap_err(),
        Reason::RegisterOverflow { len: 16, .. }
    ));
    let unknown = linx_netfilter::expr::UnknownExpr::new(String::new(), vec![]);
    assert_eq!(unknown.unwrap_err(), Reason::EmptyName);
    t.add_rule("input", Rule::new([Expr::unknown("fib", vec![1, 2, 3])]))
        .unwrap();
}

#[test]
fn verdict_targets() {
    let mut t = filter_table();
    assert_eq!(
        rule_err(&mut t, "input", Rule::new([]).jump("")),
        Reason::EmptyName
    );
    assert!(matches!(
        rule_err(&mut t, "input", Rule::new([]).goto("x".repeat(256))),
        Reason::NameTooLong { .. }
    ));
    // Missing target: accepted by add_rule, rejected by validate.
    t.add_rule("input", Rule::new([]).jump("missing")).unwrap();
    assert!(matches!(t.validate(), Err(Error::NoSuchChain { chain, .. }) if chain == "missing"));
    // Target is a base chain.
    let mut t = filter_table();
    t.add_rule("web", Rule::new([]).goto("input")).unwrap();
    match t.validate() {
        Err(Error::BadVerdict {
            chain,
            verdict,
            reason,
            ..
        }) => {
            assert_eq!(chain, "web");
            assert_eq!(*verdict, Verdict::Goto("input".into()));
            assert_eq!(
                reason,
                Reason::JumpToBaseChain {
                    chain: "input".into()
                }
            );
        }
        other => panic!("{other:?}"),
    }
    // Fine.
    let mut t = filter_table();
    t.add_rule("input", Rule::new([]).jump("web")).unwrap();
    t.validate().unwrap();
}

#[test]
fn jump_loops_and_depth() {
    // a -> b -> c -> a
    let mut t = filter_table();
    for name in ["a", "b", "c"] {
        t.add_chain(Chain::regular(name)).unwrap();
    }
    t.add_rule("input", Rule::new([]).jump("a")).unwrap();
    t.add_rule("a", Rule::new([]).jump("b")).unwrap();
    t.add_rule("b", Rule::new([]).goto("c")).unwrap();
    t.validate().unwrap();
    t.add_rule("c", Rule::new([]).jump("a")).unwrap();
    assert!(matches!(
        t.validate(),
        Err(Error::BadVerdict {
            reason: Reason::JumpLoop { .. },
            ..
        })
    ));
    // A loop through a vmap literal counts too.
    let mut t = filter_table();
    t.add_chain(Chain::regular("a")).unwrap();
    t.add_rule(
        "a",
        Rule::new([Expr::vmap_literal(
            KeyType::Mark,
            [(SetElement::mark(1), Verdict::Jump("a".into()))],
        )]),
    )
    .unwrap();
    assert!(matches!(
        t.validate(),
        Err(Error::BadVerdict {
            reason: Reason::JumpLoop { .. },
            ..
        })
    ));
    // Depth: base -> c1 -> ... -> c15 is fine, c16 is one too deep.
    let deep = |n: usize| {
        let mut t = filter_table();
        for i in 1..=n {
            t.add_chain(Chain::regular(format!("c{i}"))).unwrap();
        }
        t.add_rule("input", Rule::new([]).jump("c1")).unwrap();
        for i in 1..n {
            t.add_rule(&format!("c{i}"), Rule::new([]).jump(format!("c{}", i + 1)))
                .unwrap();
        }
        t.validate()
    };
    deep(15).unwrap();
    assert!(matches!(
        deep(16),
        Err(Error::BadVerdict {
            reason: Reason::JumpTooDeep { .. },
            ..
        })
    ));
}

#[test]
fn nat_expressions() {
    let mut t = table(Family::Ip);
    t.add_chain(base(
        "pre",
        ChainType::Nat,
        Hook::Prerouting,
        Priority::DSTNAT,
    ))
    .unwrap();
    t.add_chain(base(
        "post",
        ChainType::Nat,
        Hook::Postrouting,
        Priority::SRCNAT,
    ))
    .unwrap();
    t.add_chain(base("in", ChainType::Nat, Hook::Input, Priority::SRCNAT))
        .unwrap();
    t.add_chain(base("out", ChainType::Nat, Hook::Output, Priority::DSTNAT))
        .unwrap();
    t.add_chain(base(
        "fwd",
        ChainType::Filter,
        Hook::Forward,
        Priority::FILTER,
    ))
    .unwrap();
    t.add_chain(Chain::regular("reg")).unwrap();

    // Need a nat chain.
    assert_eq!(
        rule_err(&mut t, "fwd", Rule::new(masquerade())),
        Reason::ExprNeedsChainType {
            expr: "masq",
            needs: ChainType::Nat
        }
    );
    assert_eq!(
        rule_err(&mut t, "fwd", Rule::new(dnat_to(ip!("10.0.0.1"), None))),
        Reason::ExprNeedsChainType {
            expr: "nat",
            needs: ChainType::Nat
        }
    );
    // Hooks.
    assert_eq!(
        rule_err(&mut t, "pre", Rule::new(masquerade())),
        Reason::ExprNotOnHook {
            expr: "masq",
            hook: Hook::Prerouting
        }
    );
    t.add_rule("post", Rule::new(masquerade())).unwrap();
    assert_eq!(
        rule_err(&mut t, "post", Rule::new(dnat_to(ip!("10.0.0.1"), 80))),
        Reason::ExprNotOnHook {
            expr: "nat",
            hook: Hook::Postrouting
        }
    );
    t.add_rule("pre", Rule::new(dnat_to(ip!("10.0.0.1"), 80)))
        .unwrap();
    t.add_rule("out", Rule::new(dnat_to(ip!("10.0.0.1"), 80)))
        .unwrap();
    assert_eq!(
        rule_err(&mut t, "pre", Rule::new(snat_to(ip!("10.0.0.1"), None))),
        Reason::ExprNotOnHook {
            expr: "nat",
            hook: Hook::Prerouting
        }
    );
    t.add_rule("post", Rule::new(snat_to(ip!("10.0.0.1"), None)))
        .unwrap();
    t.add_rule("in", Rule::new(snat_to(ip!("10.0.0.1"), None)))
        .unwrap();
    assert_eq!(
        rule_err(&mut t, "post", Rule::new(redirect(8080))),
        Reason::ExprNotOnHook {
            expr: "redir",
            hook: Hook::Postrouting
        }
    );
    t.add_rule("pre", Rule::new(redirect(8080))).unwrap();
    t.add_rule("out", Rule::new(redirect(None))).unwrap();
    // Regular chains are left to the kernel.
    t.add_rule("reg", Rule::new(masquerade())).unwrap();
    // Address family against table family.
    assert_eq!(
        rule_err(&mut t, "pre", Rule::new(dnat_to(ip!("2001:db8::1"), None))),
        Reason::NatFamily {
            family: Family::Ip6,
            table_family: Family::Ip
        }
    );
    let mut inet = table(Family::Inet);
    inet.add_chain(base(
        "pre",
        ChainType::Nat,
        Hook::Prerouting,
        Priority::DSTNAT,
    ))
    .unwrap();
    inet.add_rule("pre", Rule::new(dnat_to(ip!("2001:db8::1"), None)))
        .unwrap();
    inet.add_rule("pre", Rule::new(dnat_to(ip!("10.0.0.1"), None)))
        .unwrap();
    let bad_family = Expr::from(
        linx_netfilter::expr::Nat::new(
            linx_netfilter::expr::NatType::Dnat,
            Family::Bridge,
            None,
            None,
            None,
            None,
            Default::default(),
        )
        .unwrap(),
    );
    assert!(matches!(
        rule_err(&mut inet, "pre", Rule::new([bad_family])),
        Reason::NatFamily { .. }
    ));
    // Families without NAT.
    let mut bridge = table(Family::Bridge);
    bridge.add_chain(Chain::regular("r")).unwrap();
    assert_eq!(
        rule_err(&mut bridge, "r", Rule::new(masquerade())),
        Reason::ExprNotInFamily {
            expr: "masq",
            family: Family::Bridge
        }
    );
    assert_eq!(
        rule_err(&mut bridge, "r", Rule::new(dnat_to(ip!("10.0.0.1"), None))),
        Reason::ExprNotInFamily {
            expr: "nat",
            family: Family::Bridge
        }
    );
    t.validate().unwrap();
}

#[test]
fn reject_and_log() {
    let mut t = filter_table();
    assert_eq!(
        linx_netfilter::expr::Reject::new(RejectType::IcmpxUnreach, 4).unwrap_err(),
        Reason::RejectCode { code: 4 }
    );
    t.add_rule(
        "input",
        Rule::new([Expr::reject_with(RejectType::IcmpxUnreach, 3)]),
    )
    .unwrap();
    t.add_rule("input", Rule::new([Expr::reject(RejectType::TcpReset)]))
        .unwrap();
    let mut arp = table(Family::Arp);
    arp.add_chain(Chain::regular("r")).unwrap();
    assert!(matches!(
        rule_err(
            &mut arp,
            "r",
            Rule::new([Expr::reject(RejectType::IcmpUnreach)])
        ),
        Reason::ExprNotInFamily { expr: "reject", .. }
    ));

    // Log options are checked when the log is built.
    let log = |group, prefix: &str, snaplen, level| {
        let prefix = Some(prefix.to_owned());
        Log::new(group, prefix, snaplen, None, level, LogFlags::empty()).map(Expr::from)
    };
    t.add_rule(
        "input",
        Rule::new([log(Some(1), &"p".repeat(127), Some(64), None).unwrap()]),
    )
    .unwrap();
    assert_eq!(
        log(Some(1), &"p".repeat(128), None, None).unwrap_err(),
        Reason::LogPrefixTooLong { len: 128 }
    );
    assert!(matches!(
        log(Some(1), "x", None, Some(4)).unwrap_err(),
        Reason::LogOptions(_)
    ));
    assert!(matches!(
        log(None, "x", Some(64), None).unwrap_err(),
        Reason::LogOptions(_)
    ));
    t.add_rule("input", Rule::new([log(None, "x", None, Some(4)).unwrap()]))
        .unwrap();
}

#[test]
fn lookups_dynsets_objrefs() {
    let mut t = filter_table();
    t.add_set(Set::new("plain", KeyType::Ipv4Addr)).unwrap();
    t.add_set(Set::new("const", KeyType::Ipv4Addr).constant())
        .unwrap();
    t.add_set(Set::new("dyn", KeyType::Ipv4Addr).dynamic().timeout(1000))
        .unwrap();
    t.add_set(Set::new("dyn_no_timeout", KeyType::Ipv4Addr).dynamic())
        .unwrap();
    t.add_map(Map::vmap("vm", KeyType::Ipv4Addr)).unwrap();
    t.add_map(Map::new(
        "dm",
        KeyType::Ipv4Addr,
        DataType::Value(KeyType::Mark),
    ))
    .unwrap();
    t.add_object(Object::counter("hits")).unwrap();

    let check = |t: &Table, expr: Expr| {
        let mut t = t.clone();
        t.add_rule(
            "input",
            Rule::new(Expr::meta_nfproto_eq(2)).exprs([Expr::ip_saddr(), expr]),
        )?;
        t.validate()
    };
    check(&t, Expr::lookup("plain")).unwrap();
    check(&t, Expr::lookup_inverted("plain")).unwrap();
    check(&t, Expr::vmap("vm")).unwrap();
    check(&t, Expr::lookup_map("dm", Reg::R2)).unwrap();
    check(&t, Expr::lookup("dm")).unwrap(); // membership in a map
    check(&t, Expr::objref(ObjectType::Counter, "hits")).unwrap();
    check(&t, Expr::dynset("dyn", DynsetOp::Update)).unwrap();

    assert!(matches!(
        check(&t, Expr::lookup("nope")),
        Err(Error::NoSuchSet { .. })
    ));
    assert!(matches!(
        reason(check(&t, Expr::lookup_map("plain", Reg::R2)).unwrap_err()),
        Reason::SetUse(_)
    ));
    assert!(matches!(
        reason(check(&t, Expr::lookup_map("vm", Reg::R2)).unwrap_err()),
        Reason::SetUse(_)
    ));
    assert!(matches!(
        reason(check(&t, Expr::vmap("dm")).unwrap_err()),
        Reason::SetUse(_)
    ));
    assert!(matches!(
        check(&t, Expr::objref(ObjectType::Quota, "hits")),
        Err(Error::NoSuchObject { .. })
    ));
    assert!(matches!(
        check(&t, Expr::dynset("nope", DynsetOp::Add)),
        Err(Error::NoSuchSet { .. })
    ));
    assert!(matches!(
        reason(check(&t, Expr::dynset("const", DynsetOp::Add)).unwrap_err()),
        Reason::SetUse(_)
    ));
    let with_timeout = |set: &str| {
        let dynset = Dynset::new(set, DynsetOp::Add).with_timeout_ms(Some(5000));
        Expr::from(dynset.with_exprs(vec![Expr::counter()]).unwrap())
    };
    check(&t, with_timeout("dyn")).unwrap();
    assert_eq!(
        reason(check(&t, with_timeout("dyn_no_timeout")).unwrap_err()),
        Reason::TimeoutWithoutFlag
    );
    let not_stateful = Dynset::new("dyn", DynsetOp::Add).with_exprs(vec![Expr::accept()]);
    assert_eq!(
        not_stateful.unwrap_err(),
        Reason::NotStateful { expr: "immediate" }
    );
    // The key must fit at the source register.
    let ip6_at_end =
        Expr::from(linx_netfilter::expr::Lookup::new("v6", Reg::reg32(15), None, false).unwrap());
    t.add_set(Set::new("v6", KeyType::Ipv6Addr)).unwrap();
    assert!(matches!(
        reason(check(&t, ip6_at_end).unwrap_err()),
        Reason::RegisterOverflow { len: 16, .. }
    ));
}

#[test]
fn set_literals() {
    let mut t = filter_table();
    assert_eq!(
        rule_err(
            &mut t,
            "input",
            Rule::new([Expr::set_literal(KeyType::InetService, [])])
        ),
        Reason::EmptyLiteral
    );
    assert!(matches!(
        t.add_rule(
            "input",
            Rule::new([Expr::set_literal(
                KeyType::InetService,
                [SetElement::from(ip!("10.0.0.1"))]
            )])
        ),
        Err(Error::BadSetElement {
            reason: Reason::ElementType { .. },
            ..
        })
    ));
    // The constructor adds the interval flag a range needs; without it the range is refused.
    let range = SetElement::range(ElemValue::Port(1), ElemValue::Port(1024));
    t.add_rule(
        "input",
        Rule::new([Expr::set_literal(KeyType::InetService, [range.clone()])]),
    )
    .unwrap();
    let lit = SetLiteral::new(KeyType::InetService, [range]).with_flags(SetFlags::CONSTANT);
    assert!(matches!(
        t.add_rule("input", Rule::new([Expr::from(lit)])),
        Err(Error::BadSetElement {
            reason: Reason::IntervalOnly,
            ..
        })
    ));
    let lit = SetLiteral::new(KeyType::InetService, [SetElement::port(1)]);
    let flags = lit.flags() | SetFlags::MAP;
    let lit = lit.with_flags(flags);
    assert!(matches!(
        rule_err(&mut t, "input", Rule::new([Expr::from(lit)])),
        Reason::Flags(_)
    ));
    // vmap literal targets are checked by validate.
    t.add_rule(
        "input",
        Rule::new([Expr::vmap_literal(
            KeyType::InetService,
            [(SetElement::port(80), Verdict::Jump("nope".into()))],
        )]),
    )
    .unwrap();
    assert!(matches!(t.validate(), Err(Error::NoSuchChain { .. })));
}

// ---------------------------------------------------------------- sets and maps

fn set_err(set: Set) -> Reason {
    reason(table(Family::Inet).add_set(set).unwrap_err())
}

fn set_ok(set: Set) {
    table(Family::Inet).add_set(set).unwrap();
}

#[test]
fn set_names_keys_flags() {
    assert_eq!(
        set_err(Set::new("__set0", KeyType::Mark)),
        Reason::ReservedName
    );
    assert_eq!(
        set_err(Set::new("__map1", KeyType::Mark)),
        Reason::ReservedName
    );
    set_ok(Set::new("_set", KeyType::Mark));
    assert_eq!(set_err(Set::new("", KeyType::Mark)), Reason::EmptyName);
    for bad in [
        KeyType::Concat(vec![KeyType::Mark]),
        KeyType::Concat(vec![KeyType::Mark; 6]),
        KeyType::Concat(vec![
            KeyType::Mark,
            KeyType::Concat(vec![KeyType::Mark, KeyType::Mark]),
        ]),
        KeyType::Concat(vec![KeyType::Ipv6Addr; 5]),
        KeyType::Raw { type_id: 0, len: 0 },
        KeyType::Raw {
            type_id: 0,
            len: 65,
        },
    ] {
        assert!(
            matches!(
                set_err(Set::new("s", bad.clone())),
                Reason::BadKeyType { .. }
            ),
            "{bad}"
        );
    }
    set_ok(Set::new("s", KeyType::Concat(vec![KeyType::Ipv6Addr; 4])));
    set_ok(Set::new("s", KeyType::Concat(vec![KeyType::Mark; 5])));
    set_ok(Set::new(
        "s",
        KeyType::Raw {
            type_id: 0,
            len: 64,
        },
    ));

    assert!(matches!(
        set_err(Set::new("s", KeyType::Mark).flags(SetFlags::ANONYMOUS)),
        Reason::Flags(_)
    ));
    assert!(matches!(
        set_err(Set::new("s", KeyType::Mark).flags(SetFlags::MAP)),
        Reason::Flags(_)
    ));
    assert!(matches!(
        set_err(Set::new("s", KeyType::Mark).flags(SetFlags::OBJECT)),
        Reason::Flags(_)
    ));
    let concat = KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]);
    assert!(matches!(
        set_err(Set::new("s", concat.clone()).flags(SetFlags::CONCAT)),
        Reason::Flags(_)
    ));
    set_ok(Set::new("s", concat).flags(SetFlags::CONCAT | SetFlags::INTERVAL));
    assert!(matches!(
        set_err(Set::new("s", KeyType::Mark).auto_merge()),
        Reason::Flags(_)
    ));
    set_ok(Set::new("s", KeyType::Mark).interval().auto_merge());
    assert_eq!(
        set_err(Set::new("s", KeyType::Mark).gc_interval(5)),
        Reason::TimeoutWithoutFlag
    );
    let mut s = Set::new("s", KeyType::Mark);
    s.timeout_ms = Some(5);
    assert_eq!(set_err(s), Reason::TimeoutWithoutFlag);
    set_ok(Set::new("s", KeyType::Mark).timeout(5).gc_interval(5));
    assert_eq!(
        set_err(Set::new("s", KeyType::Mark).comment("c".repeat(254))),
        Reason::CommentTooLong { len: 254 }
    );
    // Unknown flag bits are kept and allowed.
    set_ok(Set::new("s", KeyType::Mark).flags(SetFlags::from_bits_retain(0x8000)));
}

#[test]
fn set_element_types() {
    use KeyType::*;
    let ok: &[(KeyType, SetElement)] = &[
        (Ipv4Addr, ip!("10.0.0.1").into()),
        (Ipv6Addr, ip!("2001:db8::1").into()),
        (EtherAddr, linx_ip::mac!("02:00:00:00:00:01").into()),
        (InetProto, SetElement::proto(6)),
        (InetService, SetElement::port(22)),
        (Mark, SetElement::mark(7)),
        (Ifname, SetElement::ifname("eth0")),
        (CtState, linx_netfilter::CtState::NEW.into()),
        (
            Raw { type_id: 0, len: 2 },
            SetElement::Value(ElemValue::Bytes([1, 2].into())),
        ),
        (
            Concat(vec![Ipv4Addr, InetService]),
            SetElement::concat([ip!("10.0.0.1").into(), SetElement::port(22)]),
        ),
    ];
    for (key, element) in ok {
        set_ok(Set::new("s", key.clone()).element(element.clone()));
        // Every value is refused by every other scalar type.
        for (other, _) in ok {
            if other != key {
                assert!(
                    matches!(
                        set_err(Set::new("s", other.clone()).element(element.clone())),
                        Reason::ElementType { .. }
                    ),
                    "{element} in {other}"
                );
            }
        }
    }
    assert!(matches!(
        set_err(Set::new("s", Ifname).element(SetElement::ifname("0123456789abcdef"))),
        Reason::ElementType { .. }
    ));
    assert!(matches!(
        set_err(Set::new("s", Ifname).element(SetElement::ifname(""))),
        Reason::ElementType { .. }
    ));
    assert!(matches!(
        set_err(
            Set::new("s", Raw { type_id: 0, len: 2 })
                .element(SetElement::Value(ElemValue::Bytes([1].into())))
        ),
        Reason::ElementType { .. }
    ));
    // Concat arity and nesting.
    let concat = Concat(vec![Ipv4Addr, InetService]);
    assert!(matches!(
        set_err(
            Set::new("s", concat.clone()).element(SetElement::concat([ip!("10.0.0.1").into()]))
        ),
        Reason::ElementType { .. }
    ));
    assert!(matches!(
        set_err(Set::new("s", concat.clone()).element(ip!("10.0.0.1"))),
        Reason::ElementType { .. }
    ));
    assert!(matches!(
        set_err(Set::new("s", concat.clone()).element(SetElement::concat([
            SetElement::concat([ip!("10.0.0.1").into(), SetElement::port(1)]),
            SetElement::port(22),
        ]))),
        Reason::ElementType { .. }
    ));
}

#[test]
fn intervals_prefixes_ranges() {
    use KeyType::*;
    // CIDR only in interval sets, and only for addresses of the right family.
    assert_eq!(
        set_err(Set::new("s", Ipv4Addr).element(ip!("10.0.0.0/8"))),
        Reason::IntervalOnly
    );
    set_ok(
        Set::new("s", Ipv4Addr)
            .interval()
            .element(ip!("10.0.0.0/8")),
    );
    set_ok(
        Set::new("s", Ipv6Addr)
            .interval()
            .element(ip!("2001:db8::/32")),
    );
    assert!(matches!(
        set_err(
            Set::new("s", Ipv6Addr)
                .interval()
                .element(ip!("10.0.0.0/8"))
        ),
        Reason::ElementType { .. }
    ));
    assert!(matches!(
        set_err(
            Set::new("s", InetService)
                .interval()
                .element(ip!("10.0.0.0/8"))
        ),
        Reason::ElementType { .. }
    ));
    assert_eq!(
        set_err(
            Set::new("s", Ipv4Addr)
                .interval()
                .element(ip!("10.0.0.1/8"))
        ),
        Reason::HostBits
    );
    // Ranges only in interval sets, lo <= hi.
    let ports = |lo, hi| SetElement::range(ElemValue::Port(lo), ElemValue::Port(hi));
    assert_eq!(
        set_err(Set::new("s", InetService).element(ports(1, 2))),
        Reason::IntervalOnly
    );
    set_ok(
        Set::new("s", InetService)
            .interval()
            .element(ports(1000, 2000)),
    );
    set_ok(Set::new("s", InetService).interval().element(ports(7, 7)));
    assert_eq!(
        set_err(
            Set::new("s", InetService)
                .interval()
                .element(ports(2000, 1000))
        ),
        Reason::EmptyRange
    );
    assert!(matches!(
        set_err(
            Set::new("s", InetService)
                .interval()
                .element(SetElement::range(ElemValue::Port(1), ElemValue::Mark(2)))
        ),
        Reason::ElementType { .. }
    ));
    let addr_range = SetElement::range(ip!("10.0.0.9"), ip!("10.0.0.1"));
    assert_eq!(
        set_err(Set::new("s", Ipv4Addr).interval().element(addr_range)),
        Reason::EmptyRange
    );
    // Interval concatenations (pipapo) take ranges and prefixes per field.
    let key = Concat(vec![Ipv4Addr, InetService]);
    let element = SetElement::concat([ip!("10.0.0.0/8").into(), ports(1, 1024)]);
    assert_eq!(
        set_err(Set::new("s", key.clone()).element(element.clone())),
        Reason::IntervalOnly
    );
    set_ok(Set::new("s", key).interval().element(element));
    // Duplicates.
    assert_eq!(
        set_err(Set::new("s", InetService).elements([SetElement::port(1), SetElement::port(1)])),
        Reason::DuplicateElement
    );
    match table(Family::Inet)
        .add_set(Set::new("s", InetService).elements([SetElement::port(1), SetElement::port(1)]))
    {
        Err(Error::BadSetElement { set, element, .. }) => {
            assert_eq!(set, "s");
            assert_eq!(*element, SetElement::port(1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn maps_and_vmaps() {
    let mut t = filter_table();
    let map_err = |t: &mut Table, m: Map| reason(t.add_map(m).unwrap_err());
    // Verdict maps hold verdicts only.
    assert!(matches!(
        map_err(
            &mut t,
            Map::vmap("v", KeyType::InetService).element(SetElement::port(1), ip!("10.0.0.1"))
        ),
        Reason::DataType(_)
    ));
    t.add_map(
        Map::vmap("v", KeyType::InetService)
            .element(SetElement::port(22), Verdict::Jump("web".into())),
    )
    .unwrap();
    // Data maps hold data of their type, never verdicts or ranges.
    let data = DataType::Value(KeyType::Ipv4Addr);
    assert!(matches!(
        map_err(
            &mut t,
            Map::new("d", KeyType::InetService, data.clone())
                .element(SetElement::port(1), Verdict::Accept)
        ),
        Reason::DataType(_)
    ));
    assert!(matches!(
        map_err(
            &mut t,
            Map::new("d", KeyType::InetService, data.clone())
                .element(SetElement::port(1), SetElement::port(2))
        ),
        Reason::ElementType { .. }
    ));
    assert!(matches!(
        map_err(
            &mut t,
            Map::new("d", KeyType::InetService, data.clone()).element(
                SetElement::port(1),
                SetElement::range(ip!("10.0.0.1"), ip!("10.0.0.2"))
            )
        ),
        Reason::DataType(_)
    ));
    t.add_map(
        Map::new("d", KeyType::InetService, data).element(SetElement::port(1), ip!("10.0.0.1")),
    )
    .unwrap();
    // Keys are checked like set elements.
    assert_eq!(
        map_err(
            &mut t,
            Map::vmap("v2", KeyType::Ipv4Addr).element(ip!("10.0.0.0/8"), Verdict::Drop)
        ),
        Reason::IntervalOnly
    );
    assert_eq!(
        map_err(
            &mut t,
            Map::vmap("v2", KeyType::Mark).elements([
                linx_netfilter::MapElement::new(SetElement::mark(1), Verdict::Drop),
                linx_netfilter::MapElement::new(SetElement::mark(1), Verdict::Accept),
            ])
        ),
        Reason::DuplicateElement
    );
    // One namespace for sets and maps.
    assert!(matches!(
        t.add_set(Set::new("v", KeyType::Mark)),
        Err(Error::DuplicateSet { .. })
    ));
    assert!(matches!(
        t.add_map(Map::vmap("d", KeyType::Mark)),
        Err(Error::DuplicateMap { .. })
    ));
    t.validate().unwrap();
    // Verdict map targets: must exist, must be regular.
    t.add_map(
        Map::vmap("v3", KeyType::Mark).element(SetElement::mark(1), Verdict::Goto("nope".into())),
    )
    .unwrap();
    assert!(matches!(t.validate(), Err(Error::NoSuchChain { .. })));
    t.remove_map("v3");
    t.add_map(
        Map::vmap("v3", KeyType::Mark).element(SetElement::mark(1), Verdict::Jump("input".into())),
    )
    .unwrap();
    assert!(matches!(
        t.validate(),
        Err(Error::BadMapElement {
            reason: Reason::JumpToBaseChain { .. },
            ..
        })
    ));
    // Direct edits are caught by validate.
    t.remove_map("v3");
    t.map_mut("v")
        .unwrap()
        .elements
        .push(linx_netfilter::MapElement::new(
            SetElement::port(9),
            SetElement::port(9),
        ));
    assert!(matches!(t.validate(), Err(Error::BadMapElement { .. })));
}

// ---------------------------------------------------------------- objects, flowtables

#[test]
fn objects() {
    let mut t = table(Family::Inet);
    t.add_object(Object::counter("c")).unwrap();
    t.add_object(Object::quota("c", 10)).unwrap();
    t.add_object(Object::limit(
        "c",
        10,
        linx_netfilter::expr::RateUnit::Second,
    ))
    .unwrap();
    assert!(matches!(
        t.add_object(Object::counter("c")),
        Err(Error::DuplicateObject {
            kind: ObjectType::Counter,
            ..
        })
    ));
    // A raw counter has the counter's identity.
    let raw = Object::new(
        "c",
        ObjectKind::Raw {
            kind_id: 1,
            data: vec![],
        },
    );
    assert!(matches!(
        t.add_object(raw),
        Err(Error::DuplicateObject { .. })
    ));
    t.add_object(Object::new(
        "h",
        ObjectKind::Raw {
            kind_id: 3,
            data: vec![1, 2],
        },
    ))
    .unwrap();
    assert!(matches!(
        reason(
            t.add_object(Object::new(
                "z",
                ObjectKind::Raw {
                    kind_id: 0,
                    data: vec![]
                }
            ))
            .unwrap_err()
        ),
        Reason::DataType(_)
    ));
    assert_eq!(
        reason(t.add_object(Object::counter("")).unwrap_err()),
        Reason::EmptyName
    );
    assert!(matches!(
        reason(
            t.add_object(Object::counter("d").comment("x".repeat(300)))
                .unwrap_err()
        ),
        Reason::CommentTooLong { .. }
    ));
    t.validate().unwrap();
}

#[test]
fn flowtables() {
    let mut t = table(Family::Inet);
    let none: [&str; 0] = [];
    assert_eq!(
        reason(t.add_flowtable(Flowtable::new("f", none)).unwrap_err()),
        Reason::NoDevices
    );
    let mut input = Flowtable::new("f", ["eth0"]);
    input.hook = Hook::Input;
    assert_eq!(
        reason(t.add_flowtable(input).unwrap_err()),
        Reason::FlowtableHook { hook: Hook::Input }
    );
    assert!(matches!(
        reason(t.add_flowtable(Flowtable::new("f", ["a/b"])).unwrap_err()),
        Reason::BadInterfaceName { .. }
    ));
    assert!(matches!(
        reason(
            t.add_flowtable(Flowtable::new("f", ["eth0", "eth0"]))
                .unwrap_err()
        ),
        Reason::DuplicateDevice { .. }
    ));
    assert!(matches!(
        reason(
            t.add_flowtable(Flowtable::new("f", ["eth0"]).priority(Priority::SRCNAT))
                .unwrap_err()
        ),
        Reason::PriorityNotInFamily { .. }
    ));
    t.add_flowtable(Flowtable::new("f", ["eth0", "eth1"]).priority(Priority::FILTER.offset(-10)))
        .unwrap();
    assert!(matches!(
        t.add_flowtable(Flowtable::new("f", ["eth2"])),
        Err(Error::DuplicateFlowtable { .. })
    ));
    for family in [Family::Arp, Family::Bridge, Family::Netdev] {
        assert_eq!(
            reason(
                table(family)
                    .add_flowtable(Flowtable::new("f", ["eth0"]))
                    .unwrap_err()
            ),
            Reason::FlowtableFamily { family }
        );
    }
    for family in [Family::Ip, Family::Ip6] {
        table(family)
            .add_flowtable(Flowtable::new("f", ["eth0"]))
            .unwrap();
    }
}

// ---------------------------------------------------------------- reconcile

#[test]
fn reconcile_needs_tags() {
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "t", TableFlags::default())
        .unwrap();
    t.add_chain(Chain::regular("one")).unwrap();
    t.add_chain(Chain::regular("two")).unwrap();
    t.add_rule("one", Rule::new([]).accept()).unwrap();
    t.add_rule("two", Rule::new([]).accept().tag("a")).unwrap();
    t.add_rule("two", Rule::new([]).drop().tag("b")).unwrap();
    rs.validate_for_reconcile().unwrap();
    rs.table_ref_mut("t")
        .unwrap()
        .add_rule("two", Rule::new([]).accept())
        .unwrap();
    match rs.validate_for_reconcile() {
        Err(Error::TagRequired {
            family,
            table,
            chain,
        }) => {
            assert_eq!(
                (family, table.as_str(), chain.as_str()),
                (Family::Inet, "t", "two")
            );
        }
        other => panic!("{other:?}"),
    }
    // Objects are reconciled like sets (compared, re-created when changed).
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "t", TableFlags::default())
        .unwrap()
        .add_object(Object::counter("c"))
        .unwrap();
    rs.validate_for_reconcile().unwrap();
}

#[test]
fn insert_table_validates_everything() {
    let mut t = Table::new(Family::Inet, "t");
    t.add_chain(Chain::regular("a")).unwrap();
    t.add_rule("a", Rule::new([]).jump("b")).unwrap();
    let mut rs = Ruleset::new();
    assert!(matches!(
        rs.insert_table(t.clone()),
        Err(Error::NoSuchChain { .. })
    ));
    t.add_chain(Chain::regular("b")).unwrap();
    rs.insert_table(t).unwrap();
}

#[test]
fn error_display() {
    let mut t = filter_table();
    let err = t
        .add_rule("input", Rule::new([]).comment("x".repeat(300)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad rule inet/t/input[0]: comment is 300 bytes, at most 253"
    );
    let err = table(Family::Arp)
        .add_chain(base(
            "f",
            ChainType::Filter,
            Hook::Forward,
            Priority::FILTER,
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad chain arp/t/f: hook forward does not exist in family arp"
    );
    let err = table(Family::Inet)
        .add_set(Set::new("s", KeyType::Ipv4Addr).element(ip!("10.0.0.0/8")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad element 10.0.0.0/8 in set inet/t/s: ranges and prefixes need the interval flag"
    );
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        std::mem::size_of::<Error>() <= 128,
        "{}",
        std::mem::size_of::<Error>()
    );
}

#[test]
fn chain_userdata_fits_256_bytes() {
    let mut chain = Chain::regular("c");
    chain.userdata = Some(vec![0; 256]);
    chain_ok(Family::Inet, chain.clone());
    chain.userdata = Some(vec![0; 257]);
    assert_eq!(
        chain_err(Family::Inet, chain.clone()),
        Reason::UserdataTooLong { len: 257 }
    );
    // Kept through JSON, as hex.
    chain.userdata = Some(b"\x00\x03cc\x00".to_vec());
    let json = serde_json::to_string(&chain).unwrap();
    assert!(json.contains(r#""userdata":"0003636300""#), "{json}");
    assert_eq!(serde_json::from_str::<Chain>(&json).unwrap(), chain);
}

#[test]
fn chains_on_several_devices() {
    let two = base("i", ChainType::Filter, Hook::Ingress, Priority::FILTER)
        .device("eth0")
        .device("eth1");
    chain_ok(Family::Netdev, two.clone());
    assert_eq!(
        chain_err(Family::Netdev, two.clone().device("eth0")),
        Reason::DuplicateDevice {
            device: "eth0".into()
        }
    );
    // JSON: one device stays `device`, several are `devices`.
    let json = serde_json::to_string(&two).unwrap();
    assert!(json.contains(r#""devices":["eth0","eth1"]"#), "{json}");
    assert_eq!(serde_json::from_str::<Chain>(&json).unwrap(), two);
    let one = base("i", ChainType::Filter, Hook::Ingress, Priority::FILTER).device("eth0");
    let json = serde_json::to_string(&one).unwrap();
    assert!(
        json.contains(r#""device":"eth0""#) && !json.contains("devices"),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Chain>(&json).unwrap(), one);
}

/// Expressions are checked when they are built, so the lowering refuses a concatenation
/// whose later fields would be loaded past the register file (it used to reach
/// validation as a load into a register that does not exist).
#[test]
fn concatenation_past_the_registers_is_a_lower_error() {
    use linx_netfilter::stmt::{Field, HeaderField, Key, Statement};
    let field = |f| Field::Header(f);
    let key = Key::concat([
        field(HeaderField::Ip6Saddr),
        field(HeaderField::Ip6Daddr),
        field(HeaderField::Ip6Saddr),
        field(HeaderField::Ip6Daddr),
        field(HeaderField::Ip6Saddr),
    ]);
    let err = Statement::in_named(key, "big")
        .and_then(|stmt| Rule::from_statements(Family::Ip6, [stmt]))
        .unwrap_err();
    assert!(
        matches!(err, linx_netfilter::LowerError::Value { .. }),
        "{err:?}"
    );
}

// ------------------------------------------------- checked once, never skipped

/// Rules are checked when added and not again by `validate` (every push runs it) unless
/// something may have changed them: each way of changing a checked rule, or what it was
/// checked against, is caught by the next `validate`.
#[test]
fn rules_checked_once_are_checked_again_after_changes() {
    use linx_netfilter::{BaseChain, ChainKind};
    let nat_table = || {
        let mut t = table(Family::Ip);
        t.add_chain(base(
            "post",
            ChainType::Nat,
            Hook::Postrouting,
            Priority::SRCNAT,
        ))
        .unwrap();
        t.add_rule("post", Rule::new(masquerade())).unwrap();
        t.validate().unwrap();
        t
    };
    // The chain's kind changed under a checked NAT rule.
    let mut t = nat_table();
    t.chain_mut("post").unwrap().kind = ChainKind::Base(BaseChain::new(
        ChainType::Filter,
        Hook::Forward,
        Priority::FILTER,
    ));
    assert!(matches!(
        reason(t.validate().unwrap_err()),
        Reason::ExprNeedsChainType { .. }
    ));
    // A rule edited through rule_mut.
    let mut t = nat_table();
    // (A jump to an empty name: refused by the rule check, before references.)
    let bad = || Rule::new([]).jump("");
    *t.chain_mut("post").unwrap().rule_mut(0).unwrap() = bad();
    assert!(matches!(t.validate(), Err(Error::BadVerdict { .. })));
    // Rules appended with with_rules to a chain already in the table.
    let mut t = nat_table();
    let slot = t.chain_mut("post").unwrap();
    let chain = std::mem::replace(slot, Chain::regular("tmp"));
    *slot = chain.with_rules([bad()]);
    assert!(matches!(t.validate(), Err(Error::BadVerdict { .. })));
    // A checked chain moved into a table of another family: `ip saddr` needs
    // `meta nfproto ipv4` in inet.
    let mut ip = table(Family::Ip);
    ip.add_chain(Chain::regular("c")).unwrap();
    ip.add_rule("c", Rule::new(Expr::ip_saddr_eq(ip!("10.0.0.1"))))
        .unwrap();
    let moved = ip.chain("c").unwrap().clone();
    let mut rs = Ruleset::new();
    let inet = rs
        .add_table(Family::Inet, "t", TableFlags::default())
        .unwrap();
    inet.add_chain(Chain::regular("c")).unwrap();
    *inet.chain_mut("c").unwrap() = moved;
    assert!(matches!(
        reason(rs.validate().unwrap_err()),
        Reason::NoProtocolMatch { .. }
    ));
    assert!(linx_netfilter::push::plan(&rs).is_err());
}
