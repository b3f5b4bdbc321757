//! The diff against a real kernel: pull a namespace's ruleset, diff it against a desired one,
//! run the patch's dry-run text with `nft -f` in that namespace, pull again. The result must
//! print as the desired ruleset does, diff empty when tags are not involved (nft has no
//! syntax for Linx's rule tags, so the dry run cannot carry them), and leave a table made by
//! `nft` that is not in the desired ruleset untouched.

use linx_netfilter::diff::{OpKind, diff};
use linx_netfilter::print::{Printer, UNPRINTED};
use linx_netfilter::{
    Chain, ChainType, Expr, Family, Hook, KeyType, Map, Mode, Object, Policy, Priority, Rule,
    Ruleset, Scope, Set, SetElement, Table, TableFlags, Verdict, pull, push,
};
use linx_testns::TestNs;

const FOREIGN: &str = "table ip docker {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname \"docker0\" accept
	}
}
";

fn port(p: u16) -> Rule {
    Rule::new(Expr::meta_l4proto_eq(6))
        .exprs(Expr::tcp_dport_eq(p))
        .accept()
}

fn nft(ns: &TestNs, script: &str) {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("linx-diff-{}-{n}.nft", std::process::id()));
    std::fs::write(&path, script).expect("write nft script");
    let out = ns.run("nft", &["-f", &path.display().to_string()]);
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "nft -f refused:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn desired_table(rs: &Ruleset) -> &Table {
    rs.tables().next().expect("one desired table")
}

/// Applies `desired` over what `ns` holds through the dry-run text and checks the outcome.
fn converge(ns: &TestNs, desired: &Ruleset, tags: bool) -> Vec<OpKind> {
    let sock = linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER");
    let before = pull(&sock, Scope::All).expect("pull");
    let patch = diff(&before, desired);
    let text = patch.to_nft(&Printer::new());
    assert!(!text.contains(UNPRINTED), "dry run not printable:\n{text}");
    nft(ns, &text);
    let after = pull(&sock, Scope::All).expect("pull again");
    let p = Printer::new();
    let want = desired_table(desired);
    let got = after
        .table(want.family(), want.name())
        .expect("desired table exists");
    assert_eq!(p.table(got), p.table(want), "dry run was:\n{text}");
    let foreign = |rs: &Ruleset| rs.table(Family::Ip, "docker").map(|t| p.table(t));
    assert_eq!(foreign(&after), foreign(&before));
    assert_eq!(foreign(&after).as_deref(), Some(FOREIGN));
    if !tags {
        assert!(diff(&after, desired).is_empty(), "dry run was:\n{text}");
    }
    patch.ops().iter().map(|o| o.kind()).collect()
}

fn base(name: &str) -> Chain {
    Chain::base(name, ChainType::Filter, Hook::Input, Priority::FILTER)
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn untagged_patch_applied_with_nft_converges() {
    let ns = TestNs::new();
    nft(
        &ns,
        &format!(
            "{FOREIGN}table inet app {{
	counter hits {{ }}
	set s {{ type mark; elements = {{ 1, 2 }} }}
	map m {{ type mark : verdict; elements = {{ 1 : accept, 2 : jump web }} }}
	chain web {{ tcp dport 80 accept; }}
	chain old {{ drop; }}
	chain input {{ type filter hook input priority filter; policy accept;
		meta mark @s accept
		tcp dport 1 accept
		jump web
	}}
}}
"
        ),
    );
    let mut desired = Ruleset::new();
    let t = desired
        .add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap();
    t.add_object(Object::counter("hits")).unwrap();
    t.add_object(Object::quota("q", 2000)).unwrap();
    t.add_set(Set::new("s", KeyType::Mark).elements([SetElement::mark(2), SetElement::mark(3)]))
        .unwrap();
    t.add_map(
        Map::vmap("m", KeyType::Mark)
            .element(SetElement::mark(1), Verdict::Drop)
            .element(SetElement::mark(2), Verdict::Jump("web".into())),
    )
    .unwrap();
    t.add_chain(Chain::regular("web").with_rules([port(8080)]))
        .unwrap();
    t.add_chain(
        base("input").policy(Policy::Drop).with_rules([
            Rule::new([
                Expr::meta(linx_netfilter::expr::MetaKey::Mark),
                Expr::lookup("s"),
            ])
            .accept(),
            port(2),
            Rule::new([]).jump("web"),
        ]),
    )
    .unwrap();
    let kinds = converge(&ns, &desired, false);
    assert!(kinds.contains(&OpKind::DeleteChain));
    assert!(kinds.contains(&OpKind::CreateObject));
    assert!(kinds.contains(&OpKind::AddSetElements));
    assert!(kinds.contains(&OpKind::DeleteSetElements));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn tagged_patch_uses_handles_nft_accepts() {
    let ns = TestNs::new();
    nft(&ns, FOREIGN);
    let tagged =
        |spec: &[(&str, u16)]| -> Vec<Rule> { spec.iter().map(|&(t, p)| port(p).tag(t)).collect() };
    let mut current = Ruleset::new();
    current
        .add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap()
        .add_chain(base("input").with_rules(tagged(&[("a", 1), ("b", 2), ("c", 3), ("d", 4)])))
        .unwrap();
    let sock = linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER");
    push(&sock, &current, Mode::Replace).expect("push current");
    let mut desired = Ruleset::new();
    desired
        .add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap()
        .add_chain(base("input").with_rules(tagged(&[
            ("n", 9),
            ("a", 11),
            ("c", 33),
            ("b", 2),
            ("z", 7),
        ])))
        .unwrap();
    let kinds = converge(&ns, &desired, true);
    assert_eq!(
        kinds,
        [
            OpKind::DeleteRule,  // c moves behind b (b keeps its handle)
            OpKind::DeleteRule,  // d is gone
            OpKind::ReplaceRule, // a changed in place
            OpKind::CreateRule,  // n before a
            OpKind::CreateRule,  // c, changed, before b
            OpKind::CreateRule,  // z at the end
        ]
    );
}
