//! Diff tests: a table of cases (current, desired, the expected ops in order), and
//! properties over generated rulesets checked with an in-memory model of how the kernel
//! applies a batch (including its refusal to delete what a live rule still refers to).

mod constant;
mod cycles;

use std::collections::HashSet;

use proptest::prelude::*;

use super::{Op, OpKind, Patch, Position, diff};
use crate::expr::ImmediateData;
use crate::expr::{Counter, Immediate, Lookup, Objref};
use crate::{
    Chain, ChainType, Expr, Family, Flowtable, Hook, KeyType, Map, MapElement, MapValue, Object,
    ObjectKind, Policy, Printer, Priority, Rule, Ruleset, Set, SetElement, SetFlags, Table,
    TableFlags, TableId, Verdict,
};

// ---------------------------------------------------------------------------------------
// Building rulesets
// ---------------------------------------------------------------------------------------

fn rs(tables: impl IntoIterator<Item = Table>) -> Ruleset {
    let mut rs = Ruleset::new();
    for t in tables {
        rs.insert_table(t).expect("test table is valid");
    }
    rs
}

fn table(name: &str) -> Table {
    let mut t = Table::new(Family::Inet, name);
    t.flags = TableFlags::empty();
    t
}

fn with_chain(mut t: Table, c: Chain) -> Table {
    t.add_chain(c).expect("test chain is valid");
    t
}

fn input() -> Chain {
    Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER)
}

fn port(p: u16) -> Rule {
    Rule::new(Expr::meta_l4proto_eq(6))
        .exprs(Expr::tcp_dport_eq(p))
        .accept()
}

fn mark_in(set: &str) -> Rule {
    Rule::new([Expr::meta(crate::expr::MetaKey::Mark), Expr::lookup(set)]).accept()
}

/// Rules pulled: handles from 1 in order.
fn pulled(rules: impl IntoIterator<Item = Rule>) -> Vec<Rule> {
    rules
        .into_iter()
        .zip(1u64..)
        .map(|(r, h)| r.handle(h))
        .collect()
}

fn chain_of(c: Chain, rules: impl IntoIterator<Item = Rule>) -> Chain {
    c.with_rules(rules)
}

/// A chain with nft's comment "x" in its userdata.
fn commented(mut c: Chain) -> Chain {
    c.userdata = Some(vec![0, 2, b'x', 0]);
    c
}

fn marks(set: &str, values: &[u32]) -> Set {
    Set::new(set, KeyType::Mark).elements(values.iter().map(|&m| SetElement::mark(m)))
}

// ---------------------------------------------------------------------------------------
// The table of cases
// ---------------------------------------------------------------------------------------

struct Case {
    name: &'static str,
    current: Ruleset,
    desired: Ruleset,
    /// (kind, nft command) of every op, in order.
    ops: Vec<(OpKind, &'static str)>,
}

fn cases() -> Vec<Case> {
    use OpKind as K;
    let tagged =
        |tags: &[(&str, u16)]| -> Vec<Rule> { tags.iter().map(|&(t, p)| port(p).tag(t)).collect() };
    vec![
        Case {
            name: "equal rulesets: nothing",
            current: rs([with_chain(
                table("app"),
                chain_of(input(), pulled(tagged(&[("a", 22)]))),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(input(), tagged(&[("a", 22)])),
            )]),
            ops: vec![],
        },
        Case {
            name: "a foreign table is never touched",
            current: rs([
                with_chain(table("docker"), chain_of(input(), pulled([port(1)]))),
                with_chain(table("app"), chain_of(input(), pulled([port(22)]))),
            ]),
            desired: rs([with_chain(table("app"), chain_of(input(), [port(22)]))]),
            ops: vec![],
        },
        Case {
            name: "new table: create table, set, elements, chain, rules",
            current: rs([]),
            desired: rs([{
                let mut t = table("app");
                t.add_set(marks("s", &[1, 2])).unwrap();
                with_chain(
                    t,
                    chain_of(input().policy(Policy::Drop), [mark_in("s"), port(22)]),
                )
            }]),
            ops: vec![
                (K::CreateTable, "add table inet app"),
                (K::CreateSet, "add set inet app s { type mark; }"),
                (
                    K::CreateChain,
                    "add chain inet app input { type filter hook input priority filter; policy drop; }",
                ),
                (
                    K::AddSetElements,
                    "add element inet app s { 0x00000001, 0x00000002 }",
                ),
                (K::CreateRule, "add rule inet app input meta mark @s accept"),
                (K::CreateRule, "add rule inet app input tcp dport 22 accept"),
            ],
        },
        Case {
            name: "tagged: changed rule is one replace",
            current: rs([with_chain(
                table("app"),
                chain_of(input(), pulled(tagged(&[("a", 22), ("b", 80), ("c", 443)]))),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(input(), tagged(&[("a", 22), ("b", 8080), ("c", 443)])),
            )]),
            ops: vec![(
                K::ReplaceRule,
                "replace rule inet app input handle 2 tcp dport 8080 accept",
            )],
        },
        Case {
            name: "tagged: a comment change is a replace",
            current: rs([with_chain(
                table("app"),
                chain_of(input(), pulled(tagged(&[("a", 22)]))),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(input(), [port(22).tag("a").comment("ssh")]),
            )]),
            ops: vec![(
                K::ReplaceRule,
                "replace rule inet app input handle 1 tcp dport 22 accept comment \"ssh\"",
            )],
        },
        Case {
            name: "tagged: missing tag deleted by handle, new ones appended or inserted",
            current: rs([with_chain(
                table("app"),
                chain_of(input(), pulled(tagged(&[("a", 22), ("b", 80), ("c", 443)]))),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(
                    input(),
                    tagged(&[("n", 1), ("a", 22), ("c", 443), ("z", 9)]),
                ),
            )]),
            ops: vec![
                (K::DeleteRule, "delete rule inet app input handle 2"),
                (
                    K::CreateRule,
                    "insert rule inet app input position 1 tcp dport 1 accept",
                ),
                (K::CreateRule, "add rule inet app input tcp dport 9 accept"),
            ],
        },
        Case {
            name: "tagged: a moved rule is deleted and created at its place",
            current: rs([with_chain(
                table("app"),
                chain_of(input(), pulled(tagged(&[("a", 1), ("b", 2), ("c", 3)]))),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(input(), tagged(&[("c", 3), ("a", 1), ("b", 2)])),
            )]),
            ops: vec![
                (K::DeleteRule, "delete rule inet app input handle 3"),
                (
                    K::CreateRule,
                    "insert rule inet app input position 1 tcp dport 3 accept",
                ),
            ],
        },
        Case {
            name: "untagged: any change rebuilds the chain's rules",
            current: rs([with_chain(
                table("app"),
                chain_of(input(), pulled([port(1), port(2)])),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(input(), [port(1), port(3)]),
            )]),
            ops: vec![
                (K::DeleteRule, "delete rule inet app input handle 1"),
                (K::DeleteRule, "delete rule inet app input handle 2"),
                (K::CreateRule, "add rule inet app input tcp dport 1 accept"),
                (K::CreateRule, "add rule inet app input tcp dport 3 accept"),
            ],
        },
        Case {
            name: "counter state and literal order are not changes",
            current: rs([with_chain(
                table("app"),
                chain_of(
                    input(),
                    pulled([Rule::new([Expr::Counter(Counter {
                        packets: 9,
                        bytes: 900,
                    })])
                    .accept()]),
                ),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(input(), [Rule::new([Expr::counter()]).accept()]),
            )]),
            ops: vec![],
        },
        Case {
            name: "policy none equals accept",
            current: rs([with_chain(
                table("app"),
                chain_of(input().policy(Policy::Accept), []),
            )]),
            desired: rs([with_chain(table("app"), input())]),
            ops: vec![],
        },
        Case {
            name: "chain attribute change: delete, create, rules again",
            current: rs([with_chain(
                table("app"),
                chain_of(input(), pulled([port(22)])),
            )]),
            desired: rs([with_chain(
                table("app"),
                chain_of(input().policy(Policy::Drop), [port(22)]),
            )]),
            ops: vec![
                (K::DeleteChain, "delete chain inet app input"),
                (
                    K::CreateChain,
                    "add chain inet app input { type filter hook input priority filter; policy drop; }",
                ),
                (K::CreateRule, "add rule inet app input tcp dport 22 accept"),
            ],
        },
        Case {
            name: "re-created chain: rules jumping to it go first and come back",
            current: rs([with_chain(
                with_chain(
                    table("app"),
                    chain_of(Chain::regular("web"), pulled([port(80)])),
                ),
                chain_of(
                    input(),
                    pulled([port(1).tag("x"), Rule::new([]).jump("web").tag("j")])
                        .into_iter()
                        .map(|r| {
                            let h = r.handle.unwrap_or(0) + 10;
                            r.handle(h)
                        }),
                ),
            )]),
            desired: rs([with_chain(
                with_chain(
                    table("app"),
                    chain_of(commented(Chain::regular("web")), [port(80)]),
                ),
                chain_of(
                    input(),
                    [port(1).tag("x"), Rule::new([]).jump("web").tag("j")],
                ),
            )]),
            ops: vec![
                (K::DeleteRule, "delete rule inet app input handle 12"),
                (K::DeleteChain, "delete chain inet app web"),
                (K::CreateChain, "add chain inet app web { comment \"x\"; }"),
                (K::CreateRule, "add rule inet app web tcp dport 80 accept"),
                (K::CreateRule, "add rule inet app input jump web"),
            ],
        },
        Case {
            name: "removed chain",
            current: rs([with_chain(
                with_chain(table("app"), input()),
                chain_of(Chain::regular("old"), pulled([port(5)])),
            )]),
            desired: rs([with_chain(table("app"), input())]),
            ops: vec![(K::DeleteChain, "delete chain inet app old")],
        },
        Case {
            name: "set elements: set difference",
            current: rs([{
                let mut t = table("app");
                t.add_set(marks("s", &[1, 2, 3])).unwrap();
                t
            }]),
            desired: rs([{
                let mut t = table("app");
                t.add_set(marks("s", &[2, 3, 4])).unwrap();
                t
            }]),
            ops: vec![
                (
                    K::DeleteSetElements,
                    "delete element inet app s { 0x00000001 }",
                ),
                (K::AddSetElements, "add element inet app s { 0x00000004 }"),
            ],
        },
        Case {
            name: "set flags change: delete, create, elements; rules using it go and come back",
            current: rs([{
                let mut t = table("app");
                t.add_set(marks("s", &[1])).unwrap();
                with_chain(t, chain_of(input(), pulled([mark_in("s")])))
            }]),
            desired: rs([{
                let mut t = table("app");
                t.add_set(marks("s", &[1]).flags(SetFlags::CONSTANT))
                    .unwrap();
                with_chain(t, chain_of(input(), [mark_in("s")]))
            }]),
            ops: vec![
                (K::DeleteRule, "delete rule inet app input handle 1"),
                (K::DeleteSet, "delete set inet app s"),
                (
                    K::CreateSet,
                    "add set inet app s { type mark; flags constant; }",
                ),
                (K::AddSetElements, "add element inet app s { 0x00000001 }"),
                (K::CreateRule, "add rule inet app input meta mark @s accept"),
            ],
        },
        Case {
            name: "removed set",
            current: rs([{
                let mut t = table("app");
                t.add_set(marks("gone", &[1])).unwrap();
                t
            }]),
            desired: rs([table("app")]),
            ops: vec![(K::DeleteSet, "delete set inet app gone")],
        },
        Case {
            name: "map: a changed value is delete and add of the element",
            current: rs([{
                let mut t = table("app");
                t.add_map(
                    Map::vmap("m", KeyType::Mark)
                        .element(SetElement::mark(1), Verdict::Accept)
                        .element(SetElement::mark(2), Verdict::Accept),
                )
                .unwrap();
                t
            }]),
            desired: rs([{
                let mut t = table("app");
                t.add_map(
                    Map::vmap("m", KeyType::Mark)
                        .element(SetElement::mark(1), Verdict::Accept)
                        .element(SetElement::mark(2), Verdict::Drop),
                )
                .unwrap();
                t
            }]),
            ops: vec![
                (
                    K::DeleteSetElements,
                    "delete element inet app m { 0x00000002 }",
                ),
                (
                    K::AddSetElements,
                    "add element inet app m { 0x00000002 : drop }",
                ),
            ],
        },
        Case {
            name: "objects: state ignored, a change re-creates",
            current: rs([{
                let mut t = table("app");
                t.add_object(Object::new(
                    "hits",
                    ObjectKind::Counter {
                        packets: 5,
                        bytes: 50,
                    },
                ))
                .unwrap();
                t.add_object(Object::quota("q", 1000)).unwrap();
                t
            }]),
            desired: rs([{
                let mut t = table("app");
                t.add_object(Object::counter("hits")).unwrap();
                t.add_object(Object::quota("q", 2000)).unwrap();
                t
            }]),
            ops: vec![
                (K::DeleteObject, "delete quota inet app q"),
                (K::CreateObject, "add quota inet app q { 2000 bytes; }"),
            ],
        },
        Case {
            name: "flowtables: a change re-creates",
            current: rs([{
                let mut t = table("app");
                t.add_flowtable(Flowtable::new("ft", ["lo"])).unwrap();
                t
            }]),
            desired: rs([{
                let mut t = table("app");
                t.add_flowtable(Flowtable::new("ft", ["lo"]).flags(crate::FlowtableFlags::COUNTER))
                    .unwrap();
                t
            }]),
            ops: vec![
                (K::DeleteFlowtable, "delete flowtable inet app ft"),
                (
                    K::CreateFlowtable,
                    "add flowtable inet app ft { hook ingress priority filter; devices = { \"lo\" }; counter; }",
                ),
            ],
        },
        Case {
            name: "a rule without a handle that must go: the chain is re-created",
            current: rs([with_chain(table("app"), chain_of(input(), [port(1)]))]),
            desired: rs([with_chain(table("app"), chain_of(input(), [port(2)]))]),
            ops: vec![
                (K::DeleteChain, "delete chain inet app input"),
                (
                    K::CreateChain,
                    "add chain inet app input { type filter hook input priority filter; policy accept; }",
                ),
                (K::CreateRule, "add rule inet app input tcp dport 2 accept"),
            ],
        },
        Case {
            name: "an unlifted rule prints the printer's #linx form",
            current: rs([with_chain(table("app"), Chain::regular("c"))]),
            desired: rs([with_chain(
                table("app"),
                chain_of(
                    Chain::regular("c"),
                    [Rule::raw([Expr::unknown("fib", [0])])],
                ),
            )]),
            ops: vec![(
                K::CreateRule,
                "#linx: add rule inet app c unlifted: [ fib 0x00 ]",
            )],
        },
    ]
}

#[test]
fn table_of_cases() {
    let printer = Printer::new();
    for case in cases() {
        let patch = diff(&case.current, &case.desired);
        let got: Vec<(OpKind, String)> = patch
            .ops()
            .iter()
            .map(|o| o.kind())
            .zip(patch.commands(&printer))
            .collect();
        let want: Vec<(OpKind, String)> =
            case.ops.iter().map(|&(k, s)| (k, s.to_owned())).collect();
        assert_eq!(got, want, "case: {}", case.name);
        // Every case converges under the kernel model.
        let applied = apply(&case.current, &patch)
            .unwrap_or_else(|e| panic!("case {}: apply refused: {e}", case.name));
        assert!(
            diff(&applied, &case.desired).is_empty(),
            "case: {}",
            case.name
        );
    }
}

#[test]
fn delete_table_only_through_push_and_in_its_bucket() {
    let current = rs([with_chain(
        table("app"),
        chain_of(input(), pulled([port(1)])),
    )]);
    let desired = rs([with_chain(table("app"), chain_of(input(), [port(2)]))]);
    let mut patch = diff(&current, &desired);
    assert_eq!(patch.count(OpKind::DeleteTable), 0);
    patch.push(Op::DeleteTable {
        table: TableId::new(Family::Ip, "old"),
        handle: Some(9),
    });
    let kinds: Vec<OpKind> = patch.ops().iter().map(Op::kind).collect();
    assert_eq!(
        kinds,
        [OpKind::DeleteRule, OpKind::DeleteTable, OpKind::CreateRule]
    );
    assert_eq!(patch.commands(&Printer::new())[1], "delete table ip old");
    assert_eq!(patch.to_string(), "Patch<3 ops: 1 create, 2 deletes>");
}

#[test]
fn summary_and_counts() {
    let current = rs([with_chain(
        table("app"),
        chain_of(
            input(),
            pulled([
                port(1).tag("a"),
                port(2).tag("b"),
                port(3).tag("c"),
                port(4).tag("d"),
            ]),
        ),
    )]);
    let desired = rs([with_chain(
        table("app"),
        chain_of(
            input(),
            [
                port(11).tag("a"),
                port(12).tag("b"),
                port(13).tag("c"),
                port(14).tag("d"),
                port(5).tag("e"),
                port(6).tag("f"),
            ],
        ),
    )]);
    let mut patch = diff(&current, &desired);
    patch.push(Op::DeleteTable {
        table: TableId::new(Family::Ip, "x"),
        handle: None,
    });
    assert_eq!(
        format!("{patch}"),
        "Patch<7 ops: 2 creates, 4 replaces, 1 delete>"
    );
    assert_eq!(
        format!("{patch:?}"),
        "Patch<7 ops: 2 creates, 4 replaces, 1 delete>"
    );
    assert_eq!(patch.len(), 7);
    assert_eq!(patch.count(OpKind::ReplaceRule), 4);
    assert!(matches!(
        patch.ops().last(),
        Some(Op::CreateRule {
            position: Position::Append,
            ..
        })
    ));
}

#[test]
fn map_elements_jumping_to_a_recreated_chain_are_sent_again() {
    let mk = |comment: bool, pulled_rules: bool| {
        let mut t = table("app");
        let web = Chain::regular("web");
        t.add_chain(if comment { commented(web) } else { web })
            .unwrap();
        t.add_map(
            Map::vmap("m", KeyType::Mark).element(SetElement::mark(1), Verdict::Jump("web".into())),
        )
        .unwrap();
        let r = Rule::new([
            Expr::meta(crate::expr::MetaKey::Mark),
            Expr::lookup_map("m", crate::Reg::VERDICT),
        ]);
        t.add_chain(chain_of(
            input(),
            [if pulled_rules { r.handle(3) } else { r }],
        ))
        .unwrap();
        rs([t])
    };
    let current = mk(false, true);
    let desired = mk(true, false);
    let patch = diff(&current, &desired);
    let kinds: Vec<OpKind> = patch.ops().iter().map(Op::kind).collect();
    assert_eq!(
        kinds,
        [
            OpKind::DeleteSetElements,
            OpKind::DeleteChain,
            OpKind::CreateChain,
            OpKind::AddSetElements,
        ]
    );
    let applied = apply(&current, &patch).expect("kernel model accepts it");
    assert!(diff(&applied, &desired).is_empty());
}

#[test]
fn longest_increasing_keeps_the_most_rules() {
    let pairs = |is: &[usize]| -> Vec<(usize, usize)> { is.iter().copied().zip(0..).collect() };
    assert_eq!(super::longest_increasing(&pairs(&[])), Vec::<usize>::new());
    assert_eq!(super::longest_increasing(&pairs(&[0, 1, 2])), [0, 1, 2]);
    assert_eq!(super::longest_increasing(&pairs(&[2, 0, 1])), [1, 2]);
    assert_eq!(
        super::longest_increasing(&pairs(&[3, 0, 4, 1, 2])),
        [1, 3, 4]
    );
}

#[test]
fn ten_thousand_tagged_rules_one_percent_changed_is_a_hundred_replaces() {
    let n = 10_000u16;
    let rules = |changed: bool| -> Vec<Rule> {
        (0..n)
            .map(|i| {
                let p = if changed && i % 100 == 7 {
                    i.wrapping_add(20_000)
                } else {
                    i
                };
                port(p).tag(format!("r{i}"))
            })
            .collect()
    };
    let current = rs([with_chain(
        table("app"),
        chain_of(input(), pulled(rules(false))),
    )]);
    let desired = rs([with_chain(table("app"), chain_of(input(), rules(true)))]);
    let patch = diff(&current, &desired);
    assert_eq!(patch.len(), 100);
    assert_eq!(patch.count(OpKind::ReplaceRule), 100);
    assert!(
        diff(
            &current,
            &rs([with_chain(table("app"), chain_of(input(), rules(false)))])
        )
        .is_empty()
    );
}

// ---------------------------------------------------------------------------------------
// A model of the kernel applying a batch
// ---------------------------------------------------------------------------------------

fn verdict_target(v: &Verdict) -> Option<&str> {
    match v {
        Verdict::Jump(c) | Verdict::Goto(c) => Some(c),
        _ => None,
    }
}

/// Chains, sets and objects a rule refers to.
fn refs(r: &Rule) -> (Vec<String>, Vec<String>, Vec<(crate::ObjectType, String)>) {
    let (mut chains, mut sets, mut objects) = (Vec::new(), Vec::new(), Vec::new());
    for e in &r.exprs {
        match e {
            Expr::Immediate(Immediate {
                data: ImmediateData::Verdict(v),
                ..
            }) => chains.extend(verdict_target(v).map(str::to_owned)),
            Expr::VmapLiteral(l) => chains.extend(
                l.elements
                    .iter()
                    .filter_map(|(_, v)| verdict_target(v))
                    .map(str::to_owned),
            ),
            Expr::Lookup(Lookup { set, .. }) => sets.push(set.to_string()),
            Expr::Dynset(d) => sets.push(d.set.clone()),
            Expr::Objref(Objref { kind, name }) => objects.push((*kind, name.clone())),
            _ => {}
        }
    }
    (chains, sets, objects)
}

fn check_refs(t: &Table, r: &Rule) -> Result<(), String> {
    let (chains, sets, objects) = refs(r);
    for c in chains {
        if t.chain(&c).is_none() {
            return Err(format!("ENOENT: jump to missing chain {c}"));
        }
    }
    for s in sets {
        if t.set(&s).is_none() && t.map(&s).is_none() {
            return Err(format!("ENOENT: missing set {s}"));
        }
    }
    for (k, o) in objects {
        if t.object(k, &o).is_none() {
            return Err(format!("ENOENT: missing object {o}"));
        }
    }
    Ok(())
}

fn table_mut<'a>(rs: &'a mut Ruleset, id: &TableId) -> Result<&'a mut Table, String> {
    rs.table_mut(id.family, &id.name)
        .ok_or_else(|| format!("ENOENT: table {id}"))
}

fn next_handle(t: &Table) -> u64 {
    t.chains()
        .iter()
        .flat_map(|c| c.rules())
        .filter_map(|r| r.handle)
        .max()
        .unwrap_or(0)
        + 1
}

fn rule_index(t: &Table, chain: &str, handle: u64) -> Result<usize, String> {
    t.chain(chain)
        .ok_or_else(|| format!("ENOENT: chain {chain}"))?
        .rules()
        .iter()
        .position(|r| r.handle == Some(handle))
        .ok_or_else(|| format!("ENOENT: rule handle {handle} in {chain}"))
}

/// Puts `rule` at `index` of `chain`, through the public API.
fn insert_rule(t: &mut Table, chain: &str, index: usize, rule: Rule) -> Result<(), String> {
    let c = t.chain_mut(chain).ok_or("ENOENT: chain")?;
    let mut tail = Vec::new();
    while c.rules().len() > index {
        let last = c.rules().len() - 1;
        tail.extend(c.remove_rule(last));
    }
    t.add_rule(chain, rule)
        .map_err(|e| format!("refused: {e}"))?;
    for r in tail.into_iter().rev() {
        t.add_rule(chain, r).map_err(|e| format!("refused: {e}"))?;
    }
    Ok(())
}

/// `true` when a rule (one of the chain's own included: the kernel's `DELCHAIN` answers
/// `EBUSY` for a chain whose rule jumps to it) or a map element jumps to chain `name`.
fn referenced_chain(t: &Table, name: &str) -> bool {
    let by_rule = t
        .chains()
        .iter()
        .flat_map(|c| c.rules())
        .any(|r| refs(r).0.iter().any(|c| c == name));
    let by_map = t.maps().iter().any(|m| {
        m.elements.iter().any(|e| match &e.value {
            MapValue::Verdict(v) => verdict_target(v) == Some(name),
            MapValue::Data(_) => false,
        })
    });
    by_rule || by_map
}

/// `true` when a rule of `t` refers to set `name`.
fn referenced_set(t: &Table, name: &str) -> bool {
    t.chains()
        .iter()
        .flat_map(|c| c.rules())
        .any(|r| refs(r).1.iter().any(|s| s == name))
}

/// Refuses element changes to a named constant set bound to a rule: one using it now, or
/// one that used it when the batch began (the kernel keeps that binding until the commit,
/// even once the rule is deleted; a set deleted in the batch drops it from `bound`).
fn check_constant(
    t: &Table,
    id: &TableId,
    name: &str,
    bound: &HashSet<(TableId, String)>,
) -> Result<(), String> {
    let flags = t
        .set(name)
        .map(|s| s.flags)
        .or_else(|| t.map(name).map(|m| m.flags))
        .unwrap_or_default();
    let constant = flags.contains(SetFlags::CONSTANT) && !flags.contains(SetFlags::ANONYMOUS);
    if constant && (bound.contains(&(id.clone(), name.to_owned())) || referenced_set(t, name)) {
        return Err(format!("EBUSY: elements of bound constant set {name}"));
    }
    Ok(())
}

/// Applies `patch` to `current` the way the kernel would, refusing what it refuses: unknown
/// handles, deleting a chain (even one its own rule jumps to), set or object still
/// referenced, element changes to a bound constant set, creating what exists, rules
/// referring to what does not exist.
fn apply(current: &Ruleset, patch: &Patch) -> Result<Ruleset, String> {
    let mut rs = current.clone();
    let mut bound: HashSet<(TableId, String)> = HashSet::new();
    for t in current.tables() {
        for r in t.chains().iter().flat_map(|c| c.rules()) {
            for s in refs(r).1 {
                bound.insert((t.id(), s));
            }
        }
    }
    for op in patch.ops() {
        match op {
            Op::DeleteRule {
                table,
                chain,
                handle,
                ..
            } => {
                let t = table_mut(&mut rs, table)?;
                let i = rule_index(t, chain, *handle)?;
                t.chain_mut(chain).and_then(|c| c.remove_rule(i));
            }
            Op::FlushChain { table, chain } => {
                let c = table_mut(&mut rs, table)?
                    .chain_mut(chain)
                    .ok_or_else(|| format!("ENOENT: chain {chain}"))?;
                while let Some(last) = c.rules().len().checked_sub(1) {
                    c.remove_rule(last);
                }
            }
            Op::DeleteSetElements { table, set } => {
                let t = table_mut(&mut rs, table)?;
                check_constant(t, table, set.name(), &bound)?;
                match set {
                    super::SetDef::Set(d) => {
                        let s = t.set_mut(&d.name).ok_or("ENOENT: set")?;
                        for e in &d.elements {
                            let i = s
                                .elements
                                .iter()
                                .position(|x| x == e)
                                .ok_or("ENOENT: element")?;
                            s.elements.remove(i);
                        }
                    }
                    super::SetDef::Map(d) => {
                        let m = t.map_mut(&d.name).ok_or("ENOENT: map")?;
                        for e in &d.elements {
                            let i = m
                                .elements
                                .iter()
                                .position(|x| x.key == e.key)
                                .ok_or("ENOENT: element")?;
                            m.elements.remove(i);
                        }
                    }
                }
            }
            Op::DeleteChain { table, chain } => {
                let t = table_mut(&mut rs, table)?;
                if referenced_chain(t, chain.name()) {
                    return Err(format!("EBUSY: chain {} still referenced", chain.name()));
                }
                t.remove_chain(chain.name()).ok_or("ENOENT: chain")?;
            }
            Op::DeleteSet { table, set } => {
                let t = table_mut(&mut rs, table)?;
                let used = t
                    .chains()
                    .iter()
                    .flat_map(|c| c.rules())
                    .any(|r| refs(r).1.iter().any(|s| s == set.name()));
                if used {
                    return Err(format!("EBUSY: set {} still referenced", set.name()));
                }
                let gone = t.remove_set(set.name()).is_some() || t.remove_map(set.name()).is_some();
                if !gone {
                    return Err("ENOENT: set".into());
                }
                bound.remove(&(table.clone(), set.name().to_owned()));
            }
            Op::DeleteObject { table, object } => {
                let t = table_mut(&mut rs, table)?;
                let key = (object.kind.object_type(), object.name.clone());
                let used = t
                    .chains()
                    .iter()
                    .flat_map(|c| c.rules())
                    .any(|r| refs(r).2.contains(&key));
                if used {
                    return Err(format!("EBUSY: object {} still referenced", object.name));
                }
                t.remove_object(key.0, &key.1).ok_or("ENOENT: object")?;
            }
            Op::DeleteFlowtable { table, flowtable } => {
                table_mut(&mut rs, table)?
                    .remove_flowtable(&flowtable.name)
                    .ok_or("ENOENT: flowtable")?;
            }
            Op::DeleteTable { table, .. } => {
                rs.remove_table(table).map_err(|e| e.to_string())?;
            }
            Op::CreateTable { table } => {
                rs.insert_table(table.clone()).map_err(|e| e.to_string())?;
            }
            Op::CreateSet { table, set } => {
                let t = table_mut(&mut rs, table)?;
                match set {
                    super::SetDef::Set(s) => t.add_set(s.clone()).map(|_| ()),
                    super::SetDef::Map(m) => t.add_map(m.clone()).map(|_| ()),
                }
                .map_err(|e| e.to_string())?;
            }
            Op::CreateObject { table, object } => {
                table_mut(&mut rs, table)?
                    .add_object(object.clone())
                    .map_err(|e| e.to_string())?;
            }
            Op::CreateFlowtable { table, flowtable } => {
                table_mut(&mut rs, table)?
                    .add_flowtable(flowtable.clone())
                    .map_err(|e| e.to_string())?;
            }
            Op::CreateChain { table, chain } => {
                table_mut(&mut rs, table)?
                    .add_chain(chain.clone())
                    .map_err(|e| e.to_string())?;
            }
            Op::AddSetElements { table, set } => {
                let t = table_mut(&mut rs, table)?;
                check_constant(t, table, set.name(), &bound)?;
                match set {
                    super::SetDef::Set(d) => {
                        let s = t.set_mut(&d.name).ok_or("ENOENT: set")?;
                        for e in &d.elements {
                            if s.elements.contains(e) {
                                return Err("EEXIST: element".into());
                            }
                            s.elements.push(e.clone());
                        }
                    }
                    super::SetDef::Map(d) => {
                        for e in &d.elements {
                            if let MapValue::Verdict(v) = &e.value {
                                if let Some(c) = verdict_target(v) {
                                    if t.chain(c).is_none() {
                                        return Err("ENOENT: map jumps to missing chain".into());
                                    }
                                }
                            }
                        }
                        let m = t.map_mut(&d.name).ok_or("ENOENT: map")?;
                        for e in &d.elements {
                            if m.elements.iter().any(|x| x.key == e.key) {
                                return Err("EEXIST: element".into());
                            }
                            m.elements.push(e.clone());
                        }
                    }
                }
            }
            Op::ReplaceRule {
                table,
                chain,
                handle,
                rule,
            } => {
                let t = table_mut(&mut rs, table)?;
                check_refs(t, rule)?;
                let i = rule_index(t, chain, *handle)?;
                if let Some(r) = t.chain_mut(chain).and_then(|c| c.rule_mut(i)) {
                    *r = rule.clone().handle(*handle);
                }
            }
            Op::CreateRule {
                table,
                chain,
                position,
                rule,
            } => {
                let t = table_mut(&mut rs, table)?;
                check_refs(t, rule)?;
                let handle = next_handle(t);
                let index = match position {
                    Position::Append => t.chain(chain).ok_or("ENOENT: chain")?.rules().len(),
                    Position::Before(h) => rule_index(t, chain, *h)?,
                };
                insert_rule(t, chain, index, rule.clone().handle(handle))?;
            }
        }
    }
    Ok(rs)
}

// ---------------------------------------------------------------------------------------
// Generated rulesets
// ---------------------------------------------------------------------------------------

const TABLES: [(Family, &str); 3] = [(Family::Inet, "a"), (Family::Ip, "b"), (Family::Inet, "c")];
const CHAINS: [&str; 4] = ["c0", "c1", "c2", "c3"];
const SETS: [&str; 3] = ["s0", "s1", "s2"];

#[derive(Debug, Clone)]
struct RuleSpec {
    tag: usize,
    kind: u8,
    value: u8,
    handle: bool,
}

#[derive(Debug, Clone)]
struct ChainSpec {
    name: usize,
    base: Option<(bool, bool)>,
    tagged: bool,
    rules: Vec<RuleSpec>,
}

#[derive(Debug, Clone)]
struct SetSpec {
    name: usize,
    map: bool,
    constant: bool,
    elements: Vec<(u8, u8)>,
}

#[derive(Debug, Clone)]
struct TableSpec {
    id: usize,
    chains: Vec<ChainSpec>,
    sets: Vec<SetSpec>,
    counters: Vec<(usize, u64)>,
}

fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    (0..8usize, 0..7u8, 0..4u8, prop::bool::weighted(0.95)).prop_map(
        |(tag, kind, value, handle)| RuleSpec {
            tag,
            kind,
            value,
            handle,
        },
    )
}

fn chain_spec() -> impl Strategy<Value = ChainSpec> {
    (
        0..CHAINS.len(),
        prop::option::of((any::<bool>(), any::<bool>())),
        prop::bool::weighted(0.7),
        prop::collection::vec(rule_spec(), 0..6),
    )
        .prop_map(|(name, base, tagged, rules)| ChainSpec {
            name,
            base,
            tagged,
            rules,
        })
}

fn set_spec() -> impl Strategy<Value = SetSpec> {
    (
        0..SETS.len(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::collection::vec((0..6u8, 0..3u8), 0..5),
    )
        .prop_map(|(name, map, constant, elements)| SetSpec {
            name,
            map,
            constant,
            elements,
        })
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        0..TABLES.len(),
        prop::collection::vec(chain_spec(), 0..4),
        prop::collection::vec(set_spec(), 0..3),
        prop::collection::vec((0..2usize, 0..3u64), 0..2),
    )
        .prop_map(|(id, chains, sets, counters)| TableSpec {
            id,
            chains,
            sets,
            counters,
        })
}

fn ruleset_spec() -> impl Strategy<Value = Vec<TableSpec>> {
    prop::collection::vec(table_spec(), 0..3)
}

/// Builds a ruleset from specs; `pulled` gives rules handles (most of them) and counters
/// state, as a pull would. References only point at what exists; jumps may loop (chains
/// to each other, a chain to itself).
fn build(specs: &[TableSpec], pulled: bool) -> Ruleset {
    let mut rs = Ruleset::new();
    for ts in specs {
        let Some(&(family, name)) = TABLES.get(ts.id) else {
            continue;
        };
        if rs.table(family, name).is_some() {
            continue;
        }
        let mut t = Table::new(family, name);
        t.flags = TableFlags::empty();
        let chain_names: Vec<&str> = {
            let mut v: Vec<&str> = ts
                .chains
                .iter()
                .filter_map(|c| CHAINS.get(c.name).copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        for (k, state) in &ts.counters {
            let name = ["k0", "k1"][*k];
            let kind = ObjectKind::Counter {
                packets: if pulled { *state } else { 0 },
                bytes: 0,
            };
            let _ = t.add_object(Object::new(name, kind));
        }
        for ss in &ts.sets {
            let name = SETS[ss.name];
            if t.set(name).is_some() || t.map(name).is_some() {
                continue;
            }
            let mut seen = Vec::new();
            if ss.map {
                let mut m = Map::vmap(name, KeyType::Mark);
                if ss.constant {
                    m = m.flags(SetFlags::CONSTANT);
                }
                for &(k, v) in &ss.elements {
                    if seen.contains(&k) {
                        continue;
                    }
                    seen.push(k);
                    let verdict = match v {
                        0 => Verdict::Accept,
                        1 => Verdict::Drop,
                        _ => match chain_names.get(usize::from(k) % chain_names.len().max(1)) {
                            Some(c) => Verdict::Jump((*c).to_owned()),
                            None => Verdict::Drop,
                        },
                    };
                    m.elements
                        .push(MapElement::new(SetElement::mark(u32::from(k)), verdict));
                }
                let _ = t.add_map(m);
            } else {
                let mut s = Set::new(name, KeyType::Mark);
                if ss.constant {
                    s = s.flags(SetFlags::CONSTANT);
                }
                for &(k, _) in &ss.elements {
                    if !seen.contains(&k) {
                        seen.push(k);
                        s.elements.push(SetElement::mark(u32::from(k)));
                    }
                }
                let _ = t.add_set(s);
            }
        }
        let mut handle = 1u64;
        for cs in &ts.chains {
            let name = CHAINS[cs.name];
            if t.chain(name).is_some() {
                continue;
            }
            let chain = match cs.base {
                None => Chain::regular(name),
                Some((output, drop)) => {
                    let hook = if output { Hook::Output } else { Hook::Input };
                    let c = Chain::base(name, ChainType::Filter, hook, Priority::FILTER);
                    if drop { c.policy(Policy::Drop) } else { c }
                }
            };
            if t.add_chain(chain).is_err() {
                continue;
            }
            let mut tags = Vec::new();
            for r in &cs.rules {
                let mut rule = match r.kind {
                    0 => Rule::new([]).accept(),
                    1 => Rule::new([]).drop(),
                    2 => Rule::new(Expr::meta_mark_eq(u32::from(r.value))).accept(),
                    3 => Rule::new([Expr::Counter(Counter {
                        packets: if pulled { u64::from(r.value) } else { 0 },
                        bytes: 0,
                    })])
                    .accept(),
                    4 if r.value == 3 => Rule::new([]).jump(name),
                    4 => match chain_names
                        .iter()
                        .find(|c| **c != name && usize::from(r.value) % 2 == 0)
                    {
                        Some(c) => Rule::new([]).jump(*c),
                        None => Rule::new([]).drop(),
                    },
                    5 => match t
                        .sets()
                        .iter()
                        .map(|s| s.name.clone())
                        .nth(usize::from(r.value) % 2)
                    {
                        Some(s) => mark_in(&s),
                        None => Rule::new([]).accept(),
                    },
                    _ => match t.objects().get(usize::from(r.value) % 2) {
                        Some(o) => {
                            Rule::new([Expr::objref(o.kind.object_type(), o.name.clone())]).accept()
                        }
                        None => Rule::new([]).accept().comment("c"),
                    },
                };
                if cs.tagged && !tags.contains(&r.tag) {
                    tags.push(r.tag);
                    rule = rule.tag(format!("t{}", r.tag));
                }
                if pulled && r.handle {
                    rule = rule.handle(handle);
                }
                handle += 1;
                let _ = t.add_rule(name, rule);
            }
        }
        rs.insert_pulled(t);
    }
    rs
}

fn normal_rules(c: &Chain) -> Vec<(Vec<Expr>, Option<String>, Option<String>)> {
    c.rules()
        .iter()
        .map(|r| {
            (
                super::normalized(&r.exprs),
                r.tag.clone(),
                r.comment.clone(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn tables_outside_desired_never_appear(cur in ruleset_spec(), des in ruleset_spec()) {
        let current = build(&cur, true);
        let desired = build(&des, false);
        let patch = diff(&current, &desired);
        for op in patch.ops() {
            let id = op.table();
            prop_assert!(desired.table(id.family, &id.name).is_some(), "{id} is not desired");
        }
    }

    #[test]
    fn applying_the_patch_converges(
        cur in ruleset_spec(),
        des in ruleset_spec(),
        pulled_desired in prop::bool::weighted(0.2),
    ) {
        let current = build(&cur, true);
        let desired = build(&des, pulled_desired);
        let patch = diff(&current, &desired);
        let printer = Printer::new();
        let applied = apply(&current, &patch)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", patch.to_nft(&printer))))?;
        let again = diff(&applied, &desired);
        prop_assert!(again.is_empty(), "{}", again.to_nft(&printer));
        // Stronger: every desired chain holds the desired rules, in order; tables outside
        // desired are as they were.
        for t in desired.tables() {
            let got = applied.table(t.family(), t.name()).expect("table exists after apply");
            for c in t.chains() {
                let g = got.chain(c.name()).expect("chain exists after apply");
                prop_assert_eq!(normal_rules(g), normal_rules(c));
            }
        }
        for t in current.tables() {
            if desired.table(t.family(), t.name()).is_none() {
                prop_assert_eq!(applied.table(t.family(), t.name()), Some(t));
            }
        }
    }

    #[test]
    fn diff_never_panics(
        cur in ruleset_spec(),
        des in ruleset_spec(),
        pulled_desired in any::<bool>(),
    ) {
        let current = build(&cur, true);
        let desired = build(&des, pulled_desired);
        let patch = diff(&current, &desired);
        let _ = patch.to_nft(&Printer::new());
        let _ = diff(&desired, &current).to_string();
    }
}
