//! The reconcile push against a real kernel, each test in its own namespace: it converges
//! (compared with `nft list` and `nft -j`), a second run sends nothing (the generation does
//! not move), a commit by `nft` between pull and push makes the kernel refuse the batch
//! (`ERESTART`) and the retry keeps that commit, retries run out into a typed error, tables
//! made with `nft` stay untouched across many reconciles, a refused batch names every
//! refused op and the expression the kernel pointed at, and constant sets and maps in use
//! (whose elements the kernel will not change) are deleted or re-created whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use linx_netfilter::diff::OpKind;
use linx_netfilter::reconcile::{ReconcileOptions, ReconcileReport, reconcile};
use linx_netfilter::stmt::{HeaderField, Statement as S, Value};
use linx_netfilter::{
    Chain, ChainType, Expr, Family, Hook, KeyType, NetfilterError, Object, ObjectType, Policy,
    Printer, Priority, Rule, Ruleset, Set, SetElement, TableFlags,
};
use linx_testns::TestNs;

const FOREIGN: &str = "table ip docker {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname \"docker0\" accept
	}
}
table inet firewalld {
	set trusted {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8 }
	}

	chain filter_INPUT {
		type filter hook input priority filter + 10; policy accept;
		ip saddr @trusted accept
	}
}
";

fn nft(ns: &TestNs, script: &str) {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("linx-rec-{}-{n}.nft", std::process::id()));
    std::fs::write(&path, script).expect("write nft script");
    let out = ns.run("nft", &["-f", &path.display().to_string()]);
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "nft -f refused:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn nft_out(ns: &TestNs, args: &[&str]) -> String {
    let out = ns.run("nft", args);
    assert!(
        out.status.success(),
        "nft {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `nft args...` inside the namespace at `path` (for hooks, which must be `'static`).
fn nft_at(path: &str, args: &[&str]) {
    let out = std::process::Command::new("nsenter")
        .arg(format!("--net={path}"))
        .arg("--")
        .arg("nft")
        .args(args)
        .output()
        .expect("run nsenter nft");
    assert!(
        out.status.success(),
        "nft {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tcp(p: u16, tag: &str) -> Rule {
    Rule::new(Expr::meta_l4proto_eq(6))
        .exprs(Expr::tcp_dport_eq(p))
        .accept()
        .tag(tag)
}

/// The desired table `inet app`, in two versions: `v2` changes one rule, inserts one in the
/// middle, drops one, edits the set's elements and the policy of a chain.
fn app(v2: bool) -> Ruleset {
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap();
    let mut blocked = Set::new("blocked", KeyType::Ipv4Addr).interval();
    blocked.elements = if v2 {
        vec![
            SetElement::from(linx_ip::ip!("192.0.2.0/24")),
            SetElement::from(linx_ip::ip!("203.0.113.7")),
        ]
    } else {
        vec![
            SetElement::from(linx_ip::ip!("192.0.2.0/24")),
            SetElement::from(linx_ip::ip!("198.51.100.0/24")),
        ]
    };
    t.add_set(blocked).unwrap();
    t.add_object(Object::counter("hits")).unwrap();
    t.add_chain(Chain::regular("audit")).unwrap();
    t.add_rule(
        "audit",
        Rule::from_statements(Family::Inet, [S::counter()]).unwrap(),
    )
    .unwrap();
    let policy = if v2 { Policy::Drop } else { Policy::Accept };
    t.add_chain(
        Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(policy),
    )
    .unwrap();
    let mut rules = vec![tcp(22, "ssh")];
    if v2 {
        rules.push(tcp(8080, "alt"));
    }
    rules.push(
        Rule::from_statements(
            Family::Inet,
            [
                S::in_set(
                    HeaderField::TcpDport,
                    [Value::from(80u16), Value::from(443u16)],
                )
                .unwrap(),
                S::objref(ObjectType::Counter, "hits"),
                S::accept(),
            ],
        )
        .unwrap()
        .tag("web"),
    );
    rules.push(
        Rule::from_statements(
            Family::Inet,
            [
                S::in_named(HeaderField::IpSaddr, "blocked").unwrap(),
                S::drop(),
            ],
        )
        .unwrap()
        .tag("blocked"),
    );
    if !v2 {
        rules.push(tcp(25, "smtp"));
    }
    rules.push(tcp(if v2 { 2222 } else { 222 }, "alt-ssh"));
    rules.push(
        Rule::from_statements(Family::Inet, [S::jump("audit")])
            .unwrap()
            .tag("audit"),
    );
    for r in rules {
        t.add_rule("input", r).unwrap();
    }
    rs
}

fn generation(sock: &linx_netlink_sys::Socket) -> u32 {
    linx_nfnl::generation::get(sock).expect("GETGEN").id
}

/// `nft list table inet app` must read as the desired table prints, and `nft -j` must hold
/// as many rules in it as desired.
fn assert_converged(ns: &TestNs, desired: &Ruleset) {
    let want = desired.table(Family::Inet, "app").unwrap();
    assert_eq!(
        nft_out(ns, &["list", "table", "inet", "app"]),
        Printer::new().table(want)
    );
    let json: serde_json::Value =
        serde_json::from_str(&nft_out(ns, &["-j", "list", "ruleset"])).unwrap();
    let rules = json["nftables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["rule"]["table"] == "app")
        .count();
    let want_rules: usize = want.chains().iter().map(|c| c.rules().len()).sum();
    assert_eq!(rules, want_rules);
}

fn foreign(ns: &TestNs) -> String {
    nft_out(ns, &["-a", "list", "table", "ip", "docker"])
        + &nft_out(ns, &["-a", "list", "table", "inet", "firewalld"])
}

fn ok(r: Result<ReconcileReport, NetfilterError>) -> ReconcileReport {
    r.unwrap_or_else(|e| panic!("reconcile: {e}"))
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn reconcile_converges_and_a_second_run_sends_nothing() {
    let ns = TestNs::new();
    nft(&ns, FOREIGN);
    let foreign_before = foreign(&ns);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let opts = ReconcileOptions::new();

    let v1 = app(false);
    let r = ok(reconcile(&sock, &v1, &opts));
    assert!(r.sent && r.attempts == 1, "{r}");
    assert_eq!(r.generation_after, r.generation_before + 1);
    assert_eq!(r.count(OpKind::CreateTable), 1);
    assert_converged(&ns, &v1);

    // Nothing differs: no batch, and the kernel's generation did not move.
    let g = generation(&sock);
    let again = ok(reconcile(&sock, &v1, &opts));
    assert!(
        !again.sent && again.patch.is_empty() && again.messages == 0,
        "{again}"
    );
    assert_eq!(generation(&sock), g);

    // v2: one rule changed in place, one inserted in the middle, one dropped, set elements
    // and a chain policy changed. Handles of the rules that stay are kept.
    let handles_before = nft_out(&ns, &["-a", "list", "chain", "inet", "app", "input"]);
    let v2 = app(true);
    let r = ok(reconcile(&sock, &v2, &opts));
    assert!(r.sent, "{r}");
    assert_eq!(r.generation_after, r.generation_before + 1);
    assert_converged(&ns, &v2);
    let again = ok(reconcile(&sock, &v2, &opts));
    assert!(!again.sent, "{again}\n{:?}", again.patch.ops());
    // The policy change re-creates the base chain (with its rules); the set changes by
    // element deltas, never re-created.
    assert_eq!(r.count(OpKind::DeleteSet), 0, "{:?}", r.patch.ops());
    assert_eq!(r.count(OpKind::DeleteSetElements), 1);
    assert_eq!(r.count(OpKind::AddSetElements), 1);
    assert!(!handles_before.is_empty());

    // And back to v1.
    let v3 = app(false);
    let r = ok(reconcile(&sock, &v3, &opts));
    assert!(r.sent);
    assert_converged(&ns, &v3);
    assert!(!ok(reconcile(&sock, &v3, &opts)).sent);
    assert_eq!(foreign(&ns), foreign_before, "foreign tables were touched");
}

/// Tagged rules in a chain whose definition stays: one changed rule is one replace, one new
/// rule one insert at its place, one removed rule one delete; the others keep their handles.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_changed_rule_is_one_replace_and_handles_stay() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let opts = ReconcileOptions::new();
    let mk = |rules: Vec<Rule>| {
        let mut rs = Ruleset::new();
        let t = rs
            .add_table(Family::Inet, "app", TableFlags::empty())
            .unwrap();
        t.add_chain(Chain::base(
            "input",
            ChainType::Filter,
            Hook::Input,
            Priority::FILTER,
        ))
        .unwrap();
        for r in rules {
            t.add_rule("input", r).unwrap();
        }
        rs
    };
    let v1 = mk(vec![tcp(1, "a"), tcp(2, "b"), tcp(3, "c"), tcp(4, "d")]);
    ok(reconcile(&sock, &v1, &opts));
    let handle_of = |port: u16| {
        nft_out(&ns, &["-a", "list", "chain", "inet", "app", "input"])
            .lines()
            .find(|l| l.contains(&format!("dport {port} ")))
            .and_then(|l| l.rsplit("# handle ").next())
            .map(str::to_owned)
            .unwrap()
    };
    let (ha, hc) = (handle_of(1), handle_of(3));
    // b changes (replace), x is inserted before c, d goes.
    let v2 = mk(vec![tcp(1, "a"), tcp(20, "b"), tcp(9, "x"), tcp(3, "c")]);
    let r = ok(reconcile(&sock, &v2, &opts));
    let kinds: Vec<OpKind> = r.patch.ops().iter().map(|o| o.kind()).collect();
    assert_eq!(
        kinds,
        [OpKind::DeleteRule, OpKind::ReplaceRule, OpKind::CreateRule]
    );
    assert_eq!(r.messages, 3);
    assert_converged(&ns, &v2);
    assert_eq!((handle_of(1), handle_of(3)), (ha.clone(), hc.clone()));

    // A rule inserted right before one replaced in the same batch lands before the
    // replacement (the kernel keeps a replaced rule's handle).
    let v3 = mk(vec![
        tcp(1, "a"),
        tcp(7, "y"),
        tcp(21, "b"),
        tcp(9, "x"),
        tcp(3, "c"),
    ]);
    let r = ok(reconcile(&sock, &v3, &opts));
    let kinds: Vec<OpKind> = r.patch.ops().iter().map(|o| o.kind()).collect();
    assert_eq!(kinds, [OpKind::ReplaceRule, OpKind::CreateRule]);
    assert_converged(&ns, &v3);
    assert!(!ok(reconcile(&sock, &v3, &opts)).sent);

    // The same through push's mode (the report dropped): back to v1, in place.
    let g = generation(&sock);
    linx_netfilter::push(&sock, &v1, linx_netfilter::Mode::Reconcile { retries: 3 }).unwrap();
    assert_converged(&ns, &v1);
    assert_eq!(generation(&sock), g + 1);
    assert_eq!((handle_of(1), handle_of(3)), (ha, hc));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_foreign_commit_between_pull_and_push_restarts_and_is_kept() {
    let ns = TestNs::new();
    nft(&ns, FOREIGN);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let path = ns.path().display().to_string();
    let seen = Arc::new(AtomicU32::new(0));
    let hook_seen = seen.clone();
    let opts = ReconcileOptions::new().before_push(move |a| {
        hook_seen.fetch_add(1, Ordering::SeqCst);
        if a.number == 1 {
            // Another program commits after our pull, before our batch.
            nft_at(
                &path,
                &[
                    "add",
                    "rule",
                    "ip",
                    "docker",
                    "forward",
                    "oifname",
                    "\"docker0\"",
                    "accept",
                ],
            );
        }
    });
    let desired = app(false);
    let r = ok(reconcile(&sock, &desired, &opts));
    assert_eq!(r.attempts, 2, "{r}");
    assert!(r.sent);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    assert_converged(&ns, &desired);
    let docker = nft_out(&ns, &["list", "table", "ip", "docker"]);
    assert!(
        docker.contains("iifname \"docker0\" accept\n\t\toifname \"docker0\" accept"),
        "{docker}"
    );
    // The same when our own table is what the other program edits: the retry pulls its
    // change and heals it.
    let path = ns.path().display().to_string();
    let opts = ReconcileOptions::new().before_push(move |a| {
        if a.number == 1 {
            nft_at(&path, &["add", "rule", "inet", "app", "audit", "drop"]);
        }
    });
    let v2 = app(true);
    let r = ok(reconcile(&sock, &v2, &opts));
    assert_eq!(r.attempts, 2, "{r}");
    assert_converged(&ns, &v2);
    assert!(!ok(reconcile(&sock, &v2, &ReconcileOptions::new())).sent);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn retries_run_out_into_a_typed_error_and_nothing_is_applied() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let path = ns.path().display().to_string();
    let n = Arc::new(AtomicU32::new(0));
    let hook_n = n.clone();
    let opts = ReconcileOptions::new()
        .retries(2)
        .backoff(Duration::from_millis(1))
        .before_push(move |_| {
            let i = hook_n.fetch_add(1, Ordering::SeqCst);
            nft_at(&path, &["add", "table", "ip", &format!("busy{i}")]);
        });
    let start = linx_nfnl::generation::get(&sock).unwrap().id;
    match reconcile(&sock, &app(false), &opts) {
        Err(NetfilterError::ConcurrentModification {
            generation,
            attempts,
            ..
        }) => {
            assert_eq!(attempts, 3);
            // The last attempt read the generation after two foreign commits.
            assert_eq!(generation, start + 2);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(n.load(Ordering::SeqCst), 3);
    let tables = nft_out(&ns, &["list", "tables"]);
    assert!(!tables.contains("app"), "{tables}");
    assert!(tables.contains("busy2"), "{tables}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn tables_made_with_nft_stay_untouched_across_many_reconciles() {
    let ns = TestNs::new();
    nft(&ns, FOREIGN);
    let before = foreign(&ns);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let opts = ReconcileOptions::new();
    let (v1, v2) = (app(false), app(true));
    for i in 0..20 {
        let desired = if i % 2 == 0 { &v1 } else { &v2 };
        let r = ok(reconcile(&sock, desired, &opts));
        assert!(r.sent, "pass {i}: {r}");
        assert!(r.patch.ops().iter().all(|o| o.table().name == "app"));
        // Handles included: nothing of theirs was deleted and re-created.
        assert_eq!(foreign(&ns), before, "pass {i}");
    }
    assert_converged(&ns, &v2);
    // Whole-namespace pulls leave them alone too.
    let r = ok(reconcile(&sock, &v1, &opts.clone().pull_all(true)));
    assert!(r.sent);
    assert_converged(&ns, &v1);
    assert_eq!(foreign(&ns), before);
}

/// A `log` the kernel refuses (group and level together), as an expression the model
/// keeps raw (validation does not look inside those).
fn bad_log(tag: &str) -> Rule {
    let mut data = vec![6, 0, 1, 0, 0, 5, 0, 0]; // NFTA_LOG_GROUP 5
    data.extend_from_slice(&[8, 0, 5, 0, 0, 0, 0, 4]); // NFTA_LOG_LEVEL 4
    Rule::new(Expr::meta_l4proto_eq(6))
        .exprs(Expr::tcp_dport_eq(22))
        .exprs([Expr::counter(), Expr::unknown("log", data)])
        .accept()
        .tag(tag)
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_refused_batch_names_every_refused_op_and_expression() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap();
    t.add_chain(Chain::base(
        "input",
        ChainType::Filter,
        Hook::Input,
        Priority::FILTER,
    ))
    .unwrap();
    t.add_rule("input", tcp(1, "a")).unwrap();
    t.add_rule("input", tcp(2, "b")).unwrap();
    t.add_rule("input", bad_log("bad")).unwrap();
    t.add_rule("input", tcp(3, "c")).unwrap();
    t.add_rule("input", bad_log("worse")).unwrap();
    let g = generation(&sock);
    let err = reconcile(&sock, &rs, &ReconcileOptions::new()).unwrap_err();
    let NetfilterError::RefusedOps { refusals, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(refusals.len(), 2, "{err}");
    // Batch: table 1, chain 2, rules 3..7.
    assert_eq!(refusals[0].batch_seq, Some(5));
    assert_eq!(refusals[0].op, Some(4));
    assert_eq!(
        refusals[0].what.as_deref(),
        Some("rule 3 of inet/app/input (tag bad)")
    );
    assert_eq!(
        refusals[0].attribute.as_deref(),
        Some("expression #6 (log)")
    );
    assert_eq!(refusals[0].error.errno, linx_netlink_codec::Errno::EINVAL);
    assert_eq!(
        refusals[1].what.as_deref(),
        Some("rule 5 of inet/app/input (tag worse)")
    );
    assert_eq!(
        refusals[1].attribute.as_deref(),
        Some("expression #6 (log)")
    );
    assert!(
        err.to_string()
            .contains("rule 3 of inet/app/input (tag bad): expression #6 (log), message 5"),
        "{err}"
    );
    // Nothing applied.
    assert_eq!(generation(&sock), g);
    assert!(!nft_out(&ns, &["list", "tables"]).contains("app"));

    // A refusal of a patch against an existing table: the op index points into the patch.
    let mut good = Ruleset::new();
    let t = good
        .add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap();
    t.add_chain(Chain::base(
        "input",
        ChainType::Filter,
        Hook::Input,
        Priority::FILTER,
    ))
    .unwrap();
    t.add_rule("input", tcp(1, "a")).unwrap();
    t.add_rule("input", tcp(2, "b")).unwrap();
    ok(reconcile(&sock, &good, &ReconcileOptions::new()));
    let mut worse = good.clone();
    worse
        .table_ref_mut("app")
        .unwrap()
        .add_rule("input", bad_log("late"))
        .unwrap();
    let err = reconcile(&sock, &worse, &ReconcileOptions::new()).unwrap_err();
    let NetfilterError::RefusedOps { refusals, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].op, Some(0));
    assert_eq!(refusals[0].batch_seq, Some(1));
    assert_eq!(
        refusals[0].what.as_deref(),
        Some("rule 3 of inet/app/input (tag late)")
    );
    assert_converged(&ns, &good);
}

#[cfg(feature = "tokio")]
#[tokio::test(flavor = "current_thread")]
#[ignore = "kernel test: run with cargo xtask test"]
async fn reconcile_runs_on_tokio() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open_async(ns.netns()).unwrap();
    let desired = app(false);
    let r = reconcile(&sock, &desired, &ReconcileOptions::new())
        .await
        .unwrap();
    assert!(r.sent);
    assert!(
        !reconcile(&sock, &desired, &ReconcileOptions::new())
            .await
            .unwrap()
            .sent
    );
    assert_converged(&ns, &desired);
}

/// The long-running loop: woken through a channel (where a monitor's "foreign commit"
/// signal would go), it heals a change `nft` makes to our table and stops when told.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn the_loop_heals_a_foreign_change_on_wake() {
    use std::ops::ControlFlow;
    let ns = TestNs::new();
    nft(&ns, FOREIGN);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let desired = app(false);
    let (wake, wakes) = std::sync::mpsc::channel::<()>();
    let mut outcomes = Vec::new();
    let passes = linx_netfilter::reconcile::run_on_wake(
        &sock,
        &desired,
        &ReconcileOptions::new(),
        wakes.iter(),
        |pass| {
            let r = ok(pass);
            outcomes.push(r.sent);
            match outcomes.len() {
                // First pass created the table; now someone deletes one of our rules.
                1 => {
                    nft(&ns, "flush chain inet app audit\n");
                    wake.send(()).unwrap();
                    ControlFlow::Continue(())
                }
                // Healed; one more wake with nothing to do.
                2 => {
                    assert_converged(&ns, &desired);
                    wake.send(()).unwrap();
                    ControlFlow::Continue(())
                }
                _ => ControlFlow::Break(()),
            }
        },
    );
    assert_eq!(passes, 3);
    assert_eq!(outcomes, [true, true, false]);
    assert_converged(&ns, &desired);
}

/// Regular chains that jump to each other or to themselves (no base chain reaches them, so
/// the kernel takes the loops): each `DELCHAIN` would answer `EBUSY` while a rule still
/// jumps to its chain. Reconciled away, the patch deletes those rules first.
const LOOPS: &str = "table inet app {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 accept
	}

	chain a {
		jump b
	}

	chain b {
		jump a
	}

	chain s {
		meta mark 0x00000007 accept
		jump s
	}
}
";

/// `app` with its base chain `input` only, as [`LOOPS`] has it.
fn input_only() -> Ruleset {
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap()
        .add_chain(
            Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER)
                .policy(Policy::Accept)
                .with_rules([Rule::new(Expr::meta_l4proto_eq(6))
                    .exprs(Expr::tcp_dport_eq(22))
                    .accept()]),
        )
        .unwrap();
    rs
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn chains_jumping_to_each_other_and_to_themselves_are_reconciled_away() {
    let ns = TestNs::new();
    nft(&ns, LOOPS);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let opts = ReconcileOptions::new();
    let desired = input_only();
    let r = ok(reconcile(&sock, &desired, &opts));
    assert!(r.sent && r.attempts == 1, "{r}");
    // The three jumping rules by handle, then the three chains.
    assert_eq!(r.count(OpKind::DeleteRule), 3, "{:?}", r.patch.ops());
    assert_eq!(r.count(OpKind::DeleteChain), 3);
    assert_eq!(r.patch.len(), 6);
    assert_converged(&ns, &desired);
    assert!(!ok(reconcile(&sock, &desired, &opts)).sent);
}

/// The same loops diffed from a ruleset whose rules carry no handle: the chains are
/// flushed (`DELRULE` with table and chain only, what `nft flush chain` sends) before they
/// are deleted, and the kernel takes the batch.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn handle_less_loops_are_flushed_then_deleted() {
    let ns = TestNs::new();
    nft(&ns, LOOPS);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let mut current = linx_netfilter::pull(&sock, linx_netfilter::Scope::All).unwrap();
    let t = current.table_mut(Family::Inet, "app").unwrap();
    for name in ["a", "b", "s"] {
        let c = t.chain_mut(name).unwrap();
        for i in 0..c.rules().len() {
            c.rule_mut(i).unwrap().handle = None;
        }
    }
    let desired = input_only();
    let patch = linx_netfilter::diff::diff(&current, &desired);
    assert_eq!(
        patch.to_nft(&Printer::new()),
        "flush chain inet app a\nflush chain inet app b\nflush chain inet app s\n\
         delete chain inet app a\ndelete chain inet app b\ndelete chain inet app s\n"
    );
    let enc = linx_netfilter::reconcile::encode_patch(&patch).unwrap();
    linx_nfnl::batch::send(&sock, enc.into_batch()).expect("the kernel takes the batch");
    assert_converged(&ns, &desired);
    let after = linx_netfilter::pull(&sock, linx_netfilter::Scope::All).unwrap();
    assert!(linx_netfilter::diff::diff(&after, &desired).is_empty());
}

/// `app` with a constant verdict map `m` (1 jumps to `web`) that base chain `input` looks up.
const CONSTANT_VMAP: &str = "table inet app {
	map m {
		type mark : verdict
		flags constant
		elements = { 0x00000001 : jump web }
	}

	chain web {
		accept
	}

	chain input {
		type filter hook input priority filter; policy accept;
		meta mark vmap @m
		tcp dport 22 accept
	}
}
";

/// The kernel refuses to delete elements of a constant map a rule uses, even when that
/// rule goes earlier in the batch: the map itself goes before the chain its elements jump
/// to, and the batch is taken.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_constant_vmap_jumping_to_a_chain_is_reconciled_away() {
    let ns = TestNs::new();
    nft(&ns, CONSTANT_VMAP);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let opts = ReconcileOptions::new();
    let desired = input_only();
    let r = ok(reconcile(&sock, &desired, &opts));
    assert!(r.sent && r.attempts == 1, "{r}");
    assert_eq!(r.count(OpKind::DeleteSetElements), 0, "{:?}", r.patch.ops());
    assert_eq!(r.count(OpKind::DeleteSet), 1);
    assert_eq!(r.count(OpKind::DeleteChain), 1);
    let kinds: Vec<OpKind> = r.patch.ops().iter().map(|o| o.kind()).collect();
    let map = kinds.iter().position(|k| *k == OpKind::DeleteSet);
    let chain = kinds.iter().position(|k| *k == OpKind::DeleteChain);
    assert!(map < chain, "{kinds:?}");
    assert_converged(&ns, &desired);
    assert!(!nft_out(&ns, &["list", "ruleset"]).contains("map m"));
    assert!(!ok(reconcile(&sock, &desired, &opts)).sent);
}

/// `app` with constant set `s` of `marks` and the constant map of [`CONSTANT_VMAP`] with
/// `verdicts` (mark, drop) besides its jump, both used by `input`.
fn constant_in_use(marks: &[u32], drops: &[u32]) -> Ruleset {
    use linx_netfilter::expr::MetaKey;
    use linx_netfilter::{Map, SetFlags, Verdict};
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "app", TableFlags::empty())
        .unwrap();
    t.add_set(
        Set::new("s", KeyType::Mark)
            .flags(SetFlags::CONSTANT)
            .elements(marks.iter().map(|&m| SetElement::mark(m))),
    )
    .unwrap();
    let mut m = Map::vmap("m", KeyType::Mark)
        .flags(SetFlags::CONSTANT)
        .element(SetElement::mark(1), Verdict::Jump("web".into()));
    for &d in drops {
        m = m.element(SetElement::mark(d), Verdict::Drop);
    }
    t.add_map(m).unwrap();
    t.add_chain(Chain::regular("web").with_rules([Rule::new([]).accept()]))
        .unwrap();
    t.add_chain(
        Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER)
            .policy(Policy::Accept)
            .with_rules([
                Rule::new([
                    Expr::meta(MetaKey::Mark),
                    Expr::lookup_map("m", linx_netfilter::Reg::VERDICT),
                ])
                .tag("vmap"),
                Rule::new([Expr::meta(MetaKey::Mark), Expr::lookup("s")])
                    .accept()
                    .tag("s"),
            ]),
    )
    .unwrap();
    rs
}

/// Element changes to constant sets a rule uses are refused by the kernel (`EBUSY`): the
/// reconcile re-creates the set and the map, with the rules using them, and converges.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn changed_elements_of_constant_sets_in_use_recreate_them() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let opts = ReconcileOptions::new();
    let before = constant_in_use(&[1, 2], &[]);
    assert!(ok(reconcile(&sock, &before, &opts)).sent);
    assert_converged(&ns, &before);
    // Element changes: refused by the kernel as deltas.
    let refused = ns.run("nft", &["add", "element", "inet", "app", "s", "{ 3 }"]);
    assert!(
        !refused.status.success(),
        "the kernel took an element added to a bound constant set"
    );
    let after = constant_in_use(&[2, 3], &[7]);
    let r = ok(reconcile(&sock, &after, &opts));
    assert!(r.sent && r.attempts == 1, "{r}");
    assert_eq!(r.count(OpKind::DeleteSetElements), 0, "{:?}", r.patch.ops());
    assert_eq!(r.count(OpKind::DeleteSet), 2);
    assert_eq!(r.count(OpKind::CreateSet), 2);
    assert_converged(&ns, &after);
    assert!(!ok(reconcile(&sock, &after, &opts)).sent);
}
