//! Reference cycles among what a patch deletes: every one must apply under the kernel model
//! (which, like the kernel, refuses to delete a chain a live rule or map element jumps to,
//! the chain's own rules included), with rules pulled (handles) and without.

use super::{ChainSpec, RuleSpec, TableSpec, apply, build, commented, mark_in, rs, table};
use crate::diff::{OpKind, diff};
use crate::{
    Chain, Expr, KeyType, Map, Printer, Reg, Rule, Ruleset, Set, SetElement, Table, Verdict,
};

/// Applies the diff of `current` against `desired` in the model, checks that it converges
/// and returns the patch's nft text.
fn converges(current: &Ruleset, desired: &Ruleset) -> String {
    let patch = diff(current, desired);
    let text = patch.to_nft(&Printer::new());
    let applied = apply(current, &patch).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(diff(&applied, desired).is_empty(), "{text}");
    text
}

/// `t` with handles on every rule from 1 (as pulled), or with none, unvalidated (the
/// ruleset builder refuses jump loops; the kernel takes them among regular chains no base
/// chain reaches).
fn handles(mut t: Table, pulled: bool) -> Ruleset {
    let mut h = 0u64;
    for c in t.chains_mut() {
        for i in 0..c.rules().len() {
            if let Some(r) = c.rule_mut(i) {
                h += 1;
                r.handle = pulled.then_some(h);
            }
        }
    }
    let mut out = Ruleset::new();
    out.insert_pulled(t);
    out
}

fn jump(to: &str) -> Rule {
    Rule::new([]).jump(to)
}

fn chain(name: &str, rules: impl IntoIterator<Item = Rule>) -> Chain {
    Chain::regular(name).with_rules(rules)
}

fn with(mut t: Table, chains: impl IntoIterator<Item = Chain>) -> Table {
    for c in chains {
        t.add_chain(c).expect("test chain is valid");
    }
    t
}

#[test]
fn proptest_regression_two_handle_less_chains_jumping_to_each_other() {
    // The shrunk case of `applying_the_patch_converges` that once failed with "EBUSY: chain
    // c1 still referenced" (proptest-regressions/diff/tests.txt).
    let chain = |name, value| ChainSpec {
        name,
        base: None,
        tagged: false,
        rules: vec![RuleSpec {
            tag: 0,
            kind: 4,
            value,
            handle: false,
        }],
    };
    let cur = [TableSpec {
        id: 0,
        chains: vec![chain(1, 2), chain(0, 0)],
        sets: vec![],
        counters: vec![],
    }];
    let des = [TableSpec {
        id: 0,
        chains: vec![],
        sets: vec![],
        counters: vec![],
    }];
    assert_eq!(
        converges(&build(&cur, true), &build(&des, false)),
        "flush chain inet a c1\nflush chain inet a c0\n\
         delete chain inet a c1\ndelete chain inet a c0\n"
    );
}

#[test]
fn chains_jumping_to_each_other_are_emptied_first() {
    let current = |pulled| {
        let t = with(
            table("app"),
            [chain("a", [jump("b")]), chain("b", [jump("a")])],
        );
        handles(t, pulled)
    };
    let desired = rs([table("app")]);
    assert_eq!(
        converges(&current(true), &desired),
        "delete rule inet app a handle 1\ndelete rule inet app b handle 2\n\
         delete chain inet app a\ndelete chain inet app b\n"
    );
    assert_eq!(
        converges(&current(false), &desired),
        "flush chain inet app a\nflush chain inet app b\n\
         delete chain inet app a\ndelete chain inet app b\n"
    );
    // One rule pulled, one not: the handle-less one's chain is flushed, the other rule goes
    // by handle.
    let mut mixed = current(true);
    if let Some(r) = mixed
        .table_mut(crate::Family::Inet, "app")
        .and_then(|t| t.chain_mut("b"))
        .and_then(|c| c.rule_mut(0))
    {
        r.handle = None;
    }
    assert_eq!(
        converges(&mixed, &desired),
        "delete rule inet app a handle 1\nflush chain inet app b\n\
         delete chain inet app a\ndelete chain inet app b\n"
    );
}

#[test]
fn a_chain_jumping_to_itself_is_emptied_first() {
    // Deleted, and re-created (a changed comment), with and without handles.
    for pulled in [true, false] {
        let current = handles(
            with(
                table("app"),
                [chain("loop", [mark_in_none(), jump("loop")])],
            ),
            pulled,
        );
        let text = converges(&current, &rs([table("app")]));
        let first = if pulled {
            "delete rule inet app loop handle 2\n"
        } else {
            "flush chain inet app loop\n"
        };
        assert_eq!(text, format!("{first}delete chain inet app loop\n"));
        let desired = handles(
            with(
                table("app"),
                [commented(Chain::regular("loop")).with_rules([mark_in_none(), jump("loop")])],
            ),
            false,
        );
        let patch = diff(&current, &desired);
        assert_eq!(patch.count(OpKind::DeleteChain), 1);
        assert_eq!(patch.count(OpKind::CreateRule), 2);
        converges(&current, &desired);
    }
}

/// A rule that refers to nothing.
fn mark_in_none() -> Rule {
    Rule::new(Expr::meta_mark_eq(7)).accept()
}

#[test]
fn a_map_jumping_to_the_chain_that_looks_it_up() {
    for pulled in [true, false] {
        let mut t = table("app");
        t.add_map(
            Map::vmap("m", KeyType::Mark).element(SetElement::mark(1), Verdict::Jump("x".into())),
        )
        .unwrap();
        let lookup = Rule::new([
            Expr::meta(crate::expr::MetaKey::Mark),
            Expr::lookup_map("m", Reg::VERDICT),
        ]);
        let current = handles(with(t, [chain("x", [lookup])]), pulled);
        let first = if pulled {
            "delete rule inet app x handle 1\n"
        } else {
            "flush chain inet app x\n"
        };
        assert_eq!(
            converges(&current, &rs([table("app")])),
            format!(
                "{first}delete element inet app m {{ 0x00000001 }}\n\
                 delete chain inet app x\ndelete map inet app m\n"
            )
        );
    }
}

#[test]
fn a_chain_jumping_to_a_chain_that_uses_a_set() {
    for pulled in [true, false] {
        let mut t = table("app");
        t.add_set(Set::new("s", KeyType::Mark).element(SetElement::mark(1)))
            .unwrap();
        let current = handles(
            with(t, [chain("a", [jump("b")]), chain("b", [mark_in("s")])]),
            pulled,
        );
        let text = converges(&current, &rs([table("app")]));
        let first = if pulled {
            "delete rule inet app a handle 1\ndelete rule inet app b handle 2\n"
        } else {
            "flush chain inet app a\nflush chain inet app b\n"
        };
        assert_eq!(
            text,
            format!(
                "{first}delete chain inet app a\ndelete chain inet app b\ndelete set inet app s\n"
            )
        );
    }
}
