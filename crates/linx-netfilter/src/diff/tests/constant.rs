//! Constant sets and maps: the kernel model refuses element changes to one a rule uses
//! (as the kernel does, even once that rule is deleted earlier in the batch), so the diff
//! deletes or re-creates them whole, and a deleted constant map whose elements jump to a
//! deleted chain goes before that chain.

use super::{apply, chain_of, commented, input, mark_in, marks, pulled, rs, table};
use crate::diff::{Op, OpKind, Patch, diff};
use crate::expr::MetaKey;
use crate::{
    Chain, Expr, KeyType, Map, Printer, Reg, Rule, Ruleset, SetElement, SetFlags, Verdict,
};

/// Applies the diff in the model, checks that it converges, returns the patch's nft text.
fn converges(current: &Ruleset, desired: &Ruleset) -> String {
    let patch = diff(current, desired);
    let text = patch.to_nft(&Printer::new());
    let applied = apply(current, &patch).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(diff(&applied, desired).is_empty(), "{text}");
    text
}

fn vmap_lookup(map: &str) -> Rule {
    Rule::new([
        Expr::meta(MetaKey::Mark),
        Expr::lookup_map(map, Reg::VERDICT),
    ])
}

/// Table `app`: constant vmap `m` (1 jumps to `web`), chain `web` (with a comment when
/// `comment`), and base chain `input` looking `m` up; rules pulled when `handles`.
fn vmap_table(comment: bool, handles: bool) -> Ruleset {
    let mut t = table("app");
    let web = Chain::regular("web").with_rules([Rule::new([]).accept()]);
    t.add_chain(if comment { commented(web) } else { web })
        .unwrap();
    t.add_map(
        Map::vmap("m", KeyType::Mark)
            .flags(SetFlags::CONSTANT)
            .element(SetElement::mark(1), Verdict::Jump("web".into())),
    )
    .unwrap();
    let rule = vmap_lookup("m");
    let rules = if handles { pulled([rule]) } else { vec![rule] };
    t.add_chain(chain_of(input(), rules)).unwrap();
    rs([t])
}

fn input_only() -> Ruleset {
    rs([{
        let mut t = table("app");
        t.add_chain(input()).unwrap();
        t
    }])
}

#[test]
fn the_model_refuses_element_changes_to_a_bound_constant_set() {
    let current = vmap_table(false, true);
    let id = crate::TableId::new(crate::Family::Inet, "app");
    // The order the diff once made: rule, elements, chain, map.
    let mut old = Patch::new();
    old.push(Op::DeleteRule {
        table: id.clone(),
        chain: "input".into(),
        handle: 1,
        rule: vmap_lookup("m"),
    });
    old.push(Op::DeleteSetElements {
        table: id.clone(),
        set: crate::diff::SetDef::Map(
            Map::vmap("m", KeyType::Mark)
                .flags(SetFlags::CONSTANT)
                .element(SetElement::mark(1), Verdict::Jump("web".into())),
        ),
    });
    let err = apply(&current, &old).unwrap_err();
    assert!(err.starts_with("EBUSY"), "{err}");
    // Unbound (no rule ever used it), the same elements may go.
    let mut unbound = current.clone();
    if let Some(c) = unbound
        .table_mut(crate::Family::Inet, "app")
        .and_then(|t| t.chain_mut("input"))
    {
        c.remove_rule(0);
    }
    let mut elems = Patch::new();
    if let Some(op) = old.ops().get(1) {
        elems.push(op.clone());
    }
    apply(&unbound, &elems).expect("an unbound constant map takes element changes");
}

#[test]
fn a_deleted_constant_map_goes_before_the_chain_its_elements_jump_to() {
    let text = converges(&vmap_table(false, true), &input_only());
    assert_eq!(
        text,
        "delete rule inet app input handle 1\ndelete map inet app m\ndelete chain inet app web\n"
    );
    let patch = diff(&vmap_table(false, true), &input_only());
    assert_eq!(patch.count(OpKind::DeleteSetElements), 0);
    // Rules without handles: the rule that looks the map up has to go too, so `input` is
    // re-created; the map still goes before `web`.
    let current = vmap_table(false, false);
    let text = converges(&current, &input_only());
    let map = text.find("delete map inet app m").expect("map deleted");
    let web = text
        .find("delete chain inet app web")
        .expect("chain deleted");
    assert!(map < web, "{text}");
    assert!(!text.contains("delete element"), "{text}");
}

#[test]
fn a_constant_map_jumping_to_a_recreated_chain_is_recreated() {
    let current = vmap_table(false, true);
    let desired = vmap_table(true, false);
    let text = converges(&current, &desired);
    assert_eq!(
        text,
        "delete rule inet app input handle 1\n\
         delete map inet app m\n\
         delete chain inet app web\n\
         add map inet app m { type mark : verdict; flags constant; }\n\
         add chain inet app web { comment \"x\"; }\n\
         add element inet app m { 0x00000001 : jump web }\n\
         add rule inet app web accept\n\
         add rule inet app input meta mark vmap @m\n"
    );
}

/// Table `app`: set `s` of `values` (constant when `constant`), looked up by `input`.
fn set_table(values: &[u32], constant: bool, handles: bool) -> Ruleset {
    let mut t = table("app");
    let s = marks("s", values);
    t.add_set(if constant {
        s.flags(SetFlags::CONSTANT)
    } else {
        s
    })
    .unwrap();
    let rules = if handles {
        pulled([mark_in("s")])
    } else {
        vec![mark_in("s")]
    };
    t.add_chain(chain_of(input(), rules)).unwrap();
    rs([t])
}

#[test]
fn a_constant_set_whose_elements_change_is_recreated_with_its_rules() {
    let text = converges(
        &set_table(&[1, 2], true, true),
        &set_table(&[2, 3], true, false),
    );
    assert_eq!(
        text,
        "delete rule inet app input handle 1\n\
         delete set inet app s\n\
         add set inet app s { type mark; flags constant; }\n\
         add element inet app s { 0x00000002, 0x00000003 }\n\
         add rule inet app input meta mark @s accept\n"
    );
    // The same change on a set that is not constant is an element delta.
    assert_eq!(
        converges(
            &set_table(&[1, 2], false, true),
            &set_table(&[2, 3], false, false)
        ),
        "delete element inet app s { 0x00000001 }\nadd element inet app s { 0x00000003 }\n"
    );
    // Unchanged, a constant set gives nothing; gone, it goes after its rule.
    assert!(diff(&set_table(&[1], true, true), &set_table(&[1], true, false)).is_empty());
    assert_eq!(
        converges(&set_table(&[1], true, true), &input_only()),
        "delete rule inet app input handle 1\ndelete set inet app s\n"
    );
}
