//! The nf_tables monitor against a real kernel, each test in its own namespace: commits by
//! Linx and by `nft` with their generation (checked with `GETGEN`) and process; the
//! generation floor; snapshot + tail under concurrent `nft` changes (the tail applied to
//! the snapshot equals a final pull, every generation seen once); a 10k-rule commit
//! delivered whole. Plus the decoder on arbitrary bytes (never panics).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::{Duration, Instant};

use linx_netfilter::monitor::{
    Change, Collector, Commit, Elements, Entity, Item, Monitor, MonitorOptions, snapshot,
};
use linx_netfilter::{
    Chain, ChainType, Expr, Family, Hook, Mode, Printer, Priority, Rule, Ruleset, Scope,
    TableFlags, pull, push,
};
use linx_testns::TestNs;
use proptest::prelude::*;

// ------------------------------------------------------------------------------ pure

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Any datagram into the collector: items or errors, never a panic.
    #[test]
    fn arbitrary_datagrams_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut c = Collector::new(0);
        c.handle_datagram(&bytes);
        while c.poll_item().is_some() {}
    }

    /// nf_tables messages of every op around arbitrary bodies, closed by a NEWGEN: the
    /// collector yields one commit (or an error and a resync), never panics, and prints
    /// every change.
    #[test]
    fn arbitrary_bodies_of_every_op_never_panic(
        msgs in proptest::collection::vec((0u8..34, any::<u8>(), proptest::collection::vec(any::<u8>(), 0..200)), 0..6),
    ) {
        let mut d = Vec::new();
        for (op, family, body) in &msgs {
            let len = 20 + body.len();
            d.extend_from_slice(&(len as u32).to_ne_bytes());
            d.extend_from_slice(&(0x0a00u16 | u16::from(*op)).to_ne_bytes());
            d.extend_from_slice(&[0; 10]);
            d.extend_from_slice(&[*family % 13, 0, 0, 0]);
            d.extend_from_slice(body);
            d.resize(d.len().next_multiple_of(4), 0);
        }
        let mut c = Collector::new(0);
        c.handle_datagram(&d);
        let mut newgen = vec![32, 0, 0, 0, 15, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        newgen.extend_from_slice(&[8, 0, 1, 0, 0, 0, 0, 9, 8, 0, 2, 0, 0, 0, 0, 1]);
        c.handle_datagram(&newgen);
        while let Some(item) = c.poll_item() {
            if let Ok(Item::Commit(commit)) = item {
                for ev in commit.events() {
                    let _ = ev.to_string();
                    let _ = format!("{ev:?}");
                    let _ = serde_json::to_string(&ev).expect("events serialize");
                }
            }
        }
    }
}

/// Datagrams a monitor received on Linux 6.18 (nft 1.0.6, a fresh namespace) for
/// `nft add table inet app`, `nft add chain inet app input '{ type filter hook input
/// priority 0; }'` and `nft add rule inet app input tcp dport 22 accept`: each commit's
/// entity message, then its NEWGEN (generations 2, 3, 4, by pid 15410..15412, "nft").
const GOLDEN: [&str; 6] = [
    "38000000000a000001000000323c000001000002080001006170700008000300000000000c00040000000000000000010800020000000000",
    "2c0000000f0a000001000000323c00000000000208000100000000020800020000003c32080003006e667400",
    "6c000000030a000401000000333c00000100000308000100617070000a000300696e7075740000000c0002000000000000000001140004000800010000000001080002000000000008000500000000010b00070066696c746572000008000a00000000010800060000000000",
    "2c0000000f0a000001000000333c00000000000308000100000000030800020000003c33080003006e667400",
    "18010000060a000c01000000343c00000100000408000100617070000a000200696e7075740000000c0003000000000000000002e400040024000100090001006d6574610000000014000200080002000000001008000100000000012c00010008000100636d700020000200080001000000000108000200000000000c0003000500010006000000340001000c0001007061796c6f6164002400020008000100000000010800020000000002080003000000000208000400000000022c00010008000100636d700020000200080001000000000108000200000000000c0003000600010000160000300001000e000100696d6d6564696174650000001c0002000800010000000000100002000c0002000800010000000001",
    "2c0000000f0a000001000000343c00000000000408000100000000040800020000003c34080003006e667400",
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn golden_notifications_of_three_nft_commits() {
    let mut c = Collector::new(0);
    let mut lines = Vec::new();
    for d in GOLDEN {
        c.handle_datagram(&unhex(d));
        while let Some(item) = c.poll_item() {
            match item {
                Ok(Item::Commit(commit)) => lines.extend(commit.events().map(|e| e.to_string())),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(
        lines,
        [
            "gen 2 by nft (pid 15410): add table inet app",
            "gen 3 by nft (pid 15411): add chain inet app input { type filter hook input priority filter; policy accept; }",
            "gen 4 by nft (pid 15412): add rule inet app input handle 2 tcp dport 22 accept",
        ]
    );
    // The floor drops the first two; the rule's commit stays whole.
    let mut c = Collector::new(3);
    GOLDEN.iter().for_each(|d| c.handle_datagram(&unhex(d)));
    match c.poll_item() {
        Some(Ok(Item::Commit(commit))) => {
            assert_eq!((commit.generation, commit.changes.len()), (4, 1))
        }
        other => panic!("{other:?}"),
    }
    assert!(c.poll_item().is_none());
}

// ------------------------------------------------------------------------------ kernel

/// `table inet app { chain input { type filter hook input priority filter; } }` with
/// `rules` rules `tcp dport <n> accept`.
fn app(rules: u16) -> Ruleset {
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
    for p in 0..rules {
        t.add_rule(
            "input",
            Rule::new(Expr::meta_l4proto_eq(6))
                .exprs(Expr::tcp_dport_eq(1000 + p))
                .accept(),
        )
        .unwrap();
    }
    rs
}

fn generation(ns: &TestNs) -> u32 {
    let sock = linx_nfnl::open(ns.netns()).expect("nfnetlink socket");
    linx_nfnl::generation::get(&sock).expect("GETGEN").id
}

/// `nft <args>` in the namespace, spawned so its pid is known (nsenter execs nft).
fn nft_spawn(ns: &TestNs, args: &[&str]) -> (u32, String) {
    let child = Command::new("nsenter")
        .arg(format!("--net={}", ns.path().display()))
        .arg("nft")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn nsenter nft");
    let pid = child.id();
    let out = child.wait_with_output().expect("wait for nft");
    assert!(
        out.status.success(),
        "nft {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (pid, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The next commit within 5 s (no resync, no error expected).
fn next_commit(mon: &mut Monitor) -> Commit {
    match mon.next_timeout(Duration::from_secs(5)) {
        Ok(Some(Item::Commit(c))) => c,
        other => panic!("expected a commit, got {other:?}"),
    }
}

/// This thread's id (the kernel reports the committing task) and name.
fn this_task() -> (u32, String) {
    let link = std::fs::read_link("/proc/thread-self").expect("/proc/thread-self");
    let tid = link
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .expect("tid");
    let comm = std::fs::read_to_string("/proc/thread-self/comm").expect("comm");
    (tid, comm.trim_end().to_owned())
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_linx_push_is_one_commit_with_its_generation_and_this_task() {
    let ns = TestNs::new();
    let mut mon = Monitor::open(ns.netns()).expect("monitor");
    let before = generation(&ns);
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    push(&sock, &app(2), Mode::Replace).expect("push");
    let after = generation(&ns);
    let c = next_commit(&mut mon);
    assert_eq!(after, before + 1);
    assert_eq!(c.generation, after);
    let (tid, comm) = this_task();
    assert_eq!(c.pid, Some(tid));
    assert_eq!(c.proc_name.as_deref(), Some(comm.as_str()));
    let summary: Vec<String> = c.events().map(|e| format!("{e:?}")).collect();
    let g = c.generation;
    assert_eq!(
        summary,
        [
            format!("Event<gen={g} {comm} new_table inet/app>"),
            format!("Event<gen={g} {comm} new_chain inet/app/input>"),
            format!("Event<gen={g} {comm} new_rule inet/app/input>"),
            format!("Event<gen={g} {comm} new_rule inet/app/input>"),
        ]
    );
    // The rules print as nft prints them, with the kernel's handles.
    let pulled = pull(&sock, Scope::All).unwrap();
    let handles: Vec<u64> = pulled
        .table(Family::Inet, "app")
        .and_then(|t| t.chain("input"))
        .unwrap()
        .rules()
        .iter()
        .map(|r| r.handle.unwrap())
        .collect();
    let lines: Vec<String> = c.events().map(|e| e.to_string()).collect();
    assert_eq!(
        lines[2],
        format!(
            "gen {g} by {comm} (pid {tid}): add rule inet app input handle {} tcp dport 1000 accept",
            handles[0]
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "gen {g} by {comm} (pid {tid}): add chain inet app input {{ type filter hook input priority filter; policy accept; }}"
        )
    );
    assert!(
        mon.next_timeout(Duration::from_millis(100))
            .unwrap()
            .is_none()
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn an_nft_change_is_one_commit_with_nfts_pid_and_name() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    push(&sock, &app(0), Mode::Replace).expect("push");
    let mut mon = Monitor::open(ns.netns()).expect("monitor");
    let before = generation(&ns);
    let (pid, _) = nft_spawn(
        &ns,
        &[
            "add", "rule", "inet", "app", "input", "tcp", "dport", "22", "accept",
        ],
    );
    let (pid2, _) = nft_spawn(
        &ns,
        &["add", "set", "inet", "app", "s", "{ type ipv4_addr; }"],
    );
    let (pid3, _) = nft_spawn(
        &ns,
        &[
            "add",
            "element",
            "inet",
            "app",
            "s",
            "{ 10.0.0.1, 10.0.0.2 }",
        ],
    );
    let (pid4, out) = nft_spawn(&ns, &["-a", "list", "chain", "inet", "app", "input"]);
    let handle: u64 = out
        .lines()
        .find(|l| l.contains("dport 22"))
        .and_then(|l| l.rsplit("handle ").next())
        .and_then(|h| h.trim().parse().ok())
        .expect("rule handle");
    let _ = pid4;
    let (pid5, _) = nft_spawn(
        &ns,
        &[
            "delete",
            "rule",
            "inet",
            "app",
            "input",
            "handle",
            &handle.to_string(),
        ],
    );
    let after = generation(&ns);
    assert_eq!(
        after,
        before + 4,
        "four commits (a listing commits nothing)"
    );
    let mut lines = Vec::new();
    for (i, want_pid) in [pid, pid2, pid3, pid5].into_iter().enumerate() {
        let c = next_commit(&mut mon);
        assert_eq!(c.generation, before + 1 + i as u32);
        assert_eq!(c.pid, Some(want_pid), "the nft process committed");
        assert_eq!(c.proc_name.as_deref(), Some("nft"));
        lines.extend(c.events().map(|e| e.to_string()));
    }
    let g = before;
    assert_eq!(
        lines,
        [
            format!(
                "gen {} by nft (pid {pid}): add rule inet app input handle {handle} tcp dport 22 accept",
                g + 1
            ),
            format!(
                "gen {} by nft (pid {pid2}): add set inet app s {{ type ipv4_addr; }}",
                g + 2
            ),
            format!(
                "gen {} by nft (pid {pid3}): add element inet app s {{ 10.0.0.1, 10.0.0.2 }}",
                g + 3
            ),
            format!(
                "gen {} by nft (pid {pid5}): delete rule inet app input handle {handle}",
                g + 4
            ),
        ]
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn anonymous_sets_of_a_commit_print_as_the_rules_literal() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    push(&sock, &app(0), Mode::Replace).expect("push");
    let mut mon = Monitor::open(ns.netns()).expect("monitor");
    let (pid, _) = nft_spawn(
        &ns,
        &[
            "add",
            "rule",
            "inet",
            "app",
            "input",
            "ip",
            "saddr",
            "{ 10.0.0.1, 10.0.0.2 }",
            "drop",
        ],
    );
    let (pid2, _) = nft_spawn(
        &ns,
        &[
            "add",
            "rule",
            "inet",
            "app",
            "input",
            "tcp",
            "dport",
            "vmap",
            "{ 22 : accept, 80 : drop }",
        ],
    );
    let mut lines = Vec::new();
    for _ in 0..2 {
        lines.extend(
            next_commit(&mut mon)
                .events()
                .map(|e| e.to_nft(&Printer::new())),
        );
    }
    let rules: Vec<&String> = lines.iter().filter(|l| !l.starts_with("#linx: ")).collect();
    assert_eq!(rules.len(), 2, "{lines:#?}");
    assert!(
        rules[0].starts_with("add rule inet app input handle ")
            && rules[0].ends_with(" ip saddr { 10.0.0.1, 10.0.0.2 } drop"),
        "{lines:#?}"
    );
    assert!(
        rules[1].ends_with(" tcp dport vmap { 22 : accept, 80 : drop }"),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("#linx: add set inet app __set")),
        "{lines:#?}"
    );
    let _ = (pid, pid2);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn the_floor_drops_old_commits() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let g0 = generation(&ns);
    let mut all = Monitor::open(ns.netns()).unwrap();
    let mut late =
        Monitor::with_options(ns.netns(), &MonitorOptions::new().since_gen(g0 + 2)).unwrap();
    for n in 0..4 {
        push(&sock, &app(n), Mode::Replace).unwrap();
    }
    let seen: Vec<u32> = (0..4).map(|_| next_commit(&mut all).generation).collect();
    assert_eq!(seen, [g0 + 1, g0 + 2, g0 + 3, g0 + 4]);
    let seen: Vec<u32> = (0..2).map(|_| next_commit(&mut late).generation).collect();
    assert_eq!(seen, [g0 + 3, g0 + 4]);
    assert!(
        late.next_timeout(Duration::from_millis(100))
            .unwrap()
            .is_none()
    );
    // set_min_gen applies to commits already received.
    let mut mon = Monitor::open(ns.netns()).unwrap();
    push(&sock, &app(1), Mode::Replace).unwrap();
    push(&sock, &app(2), Mode::Replace).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    mon.set_min_gen(g0 + 5);
    assert_eq!(next_commit(&mut mon).generation, g0 + 6);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_snapshot_commits_nothing_and_names_the_current_generation() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    push(&sock, &app(3), Mode::Replace).unwrap();
    let g = generation(&ns);
    let (rs, at, mut mon) = snapshot(ns.netns(), &MonitorOptions::new()).expect("snapshot");
    assert_eq!(at, g);
    assert_eq!(generation(&ns), g, "the barrier batch commits nothing");
    assert_eq!(mon.min_gen(), g);
    assert_eq!(rs.canonical(), pull(&sock, Scope::All).unwrap().canonical());
    assert!(
        mon.next_timeout(Duration::from_millis(100))
            .unwrap()
            .is_none()
    );
    // A second snapshot on the same monitor moves its floor with the ruleset.
    push(&sock, &app(4), Mode::Replace).unwrap();
    let (rs2, at2) = mon.snapshot().expect("second snapshot");
    assert_eq!((at2, mon.min_gen()), (g + 1, g + 1));
    assert_eq!(rs2.table(Family::Inet, "app").unwrap().rule_count(), 4);
    assert!(
        mon.next_timeout(Duration::from_millis(100))
            .unwrap()
            .is_none(),
        "the commit inside the second snapshot is not reported"
    );
}

/// What the snapshot test compares: rules of each chain as (handle, text), elements of
/// each set as text.
#[derive(Debug, Default, PartialEq)]
struct State {
    rules: BTreeMap<String, Vec<(u64, String)>>,
    elements: BTreeMap<String, BTreeSet<String>>,
}

impl State {
    fn of(rs: &Ruleset) -> State {
        let p = Printer::new();
        let mut s = State::default();
        for t in rs.tables() {
            for c in t.chains() {
                let rules = c
                    .rules()
                    .iter()
                    .map(|r| (r.handle.unwrap(), p.rule(r, t).text().to_owned()))
                    .collect();
                s.rules.insert(format!("{}/{}", t.name(), c.name()), rules);
            }
            for set in t.sets() {
                let elems = set.elements.iter().map(|e| format!("{e:?}")).collect();
                s.elements
                    .insert(format!("{}/{}", t.name(), set.name), elems);
            }
        }
        s
    }

    fn apply(&mut self, change: &Change) {
        let p = Printer::new();
        match change {
            Change::Add(Entity::Rule {
                family,
                table,
                chain,
                rule,
            }) => {
                let t = linx_netfilter::Table::new(*family, table.clone());
                let text = p.rule(rule, &t).text().to_owned();
                self.rules
                    .get_mut(&format!("{table}/{chain}"))
                    .expect("chain in the snapshot")
                    .push((rule.handle.unwrap(), text));
            }
            Change::Delete(Entity::Rule {
                table, chain, rule, ..
            }) => {
                let rules = self.rules.get_mut(&format!("{table}/{chain}")).unwrap();
                let before = rules.len();
                rules.retain(|(h, _)| Some(*h) != rule.handle);
                assert_eq!(rules.len(), before - 1, "deleted rule was in the state");
            }
            Change::Add(Entity::Elements {
                table,
                set,
                elements: Elements::Set(s),
                ..
            }) => {
                let elems = self.elements.get_mut(&format!("{table}/{set}")).unwrap();
                for e in &s.elements {
                    assert!(elems.insert(format!("{e:?}")), "element added twice: {e:?}");
                }
            }
            Change::Delete(Entity::Elements {
                table,
                set,
                elements: Elements::Set(s),
                ..
            }) => {
                let elems = self.elements.get_mut(&format!("{table}/{set}")).unwrap();
                for e in &s.elements {
                    assert!(elems.remove(&format!("{e:?}")), "element not there: {e:?}");
                }
            }
            other => panic!("unexpected change {other:?}"),
        }
    }
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn snapshot_and_tail_under_concurrent_changes_lose_and_repeat_nothing() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    push(&sock, &app(5), Mode::Replace).unwrap();
    nft_spawn(
        &ns,
        &["add", "set", "inet", "app", "s", "{ type ipv4_addr; }"],
    );
    const ROUNDS: u32 = 60;
    let ((rs, g, mut mon), writer_commits) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut handles = Vec::new();
            let mut commits = 0u32;
            for i in 0..ROUNDS {
                let port = (2000 + i).to_string();
                let (_, out) = nft_spawn(
                    &ns,
                    &[
                        "-e", "-a", "add", "rule", "inet", "app", "input", "tcp", "dport", &port,
                        "drop",
                    ],
                );
                let h: u64 = out
                    .split("# handle ")
                    .nth(1)
                    .and_then(|h| h.split_whitespace().next())
                    .and_then(|h| h.parse().ok())
                    .unwrap_or_else(|| panic!("handle in {out:?}"));
                handles.push(h);
                let ip = format!("{{ 10.1.{}.{} }}", i / 200, i % 200 + 1);
                nft_spawn(&ns, &["add", "element", "inet", "app", "s", &ip]);
                commits += 2;
                if i % 3 == 2 {
                    let h = handles.remove(0).to_string();
                    nft_spawn(
                        &ns,
                        &["delete", "rule", "inet", "app", "input", "handle", &h],
                    );
                    let ip = format!("{{ 10.1.{}.{} }}", (i - 1) / 200, (i - 1) % 200 + 1);
                    nft_spawn(&ns, &["delete", "element", "inet", "app", "s", &ip]);
                    commits += 2;
                }
            }
            commits
        });
        // Snapshots while the writer runs; the last one is kept.
        std::thread::sleep(Duration::from_millis(150));
        let mut snap = None;
        for _ in 0..5 {
            snap = Some(snapshot(ns.netns(), &MonitorOptions::new()).expect("snapshot"));
            std::thread::sleep(Duration::from_millis(30));
        }
        (snap.unwrap(), writer.join().unwrap())
    });
    let final_gen = generation(&ns);
    let final_rs = pull(&sock, Scope::All).unwrap();
    assert_eq!(generation(&ns), final_gen);
    assert!(g < final_gen, "the snapshot was taken while the writer ran");
    assert!(writer_commits > 0);
    let mut state = State::of(&rs);
    let mut expect = g + 1;
    let deadline = Instant::now() + Duration::from_secs(10);
    while expect <= final_gen {
        assert!(Instant::now() < deadline, "tail stopped at {expect}");
        let c = next_commit(&mut mon);
        assert_eq!(c.generation, expect, "every generation once, in order");
        assert_eq!(c.proc_name.as_deref(), Some("nft"));
        for ch in &c.changes {
            state.apply(ch);
        }
        expect += 1;
    }
    assert!(
        mon.next_timeout(Duration::from_millis(100))
            .unwrap()
            .is_none()
    );
    assert_eq!(state, State::of(&final_rs));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_10k_rule_commit_arrives_whole() {
    let ns = TestNs::new();
    let mut mon = Monitor::open(ns.netns()).expect("monitor with the default 4 MiB buffer");
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    push(&sock, &app(10_000), Mode::Replace).expect("push 10k rules");
    let c = match mon.next_timeout(Duration::from_secs(10)) {
        Ok(Some(Item::Commit(c))) => c,
        other => panic!(
            "expected the commit, got {other:?} (rcvbuf {})",
            mon.rcvbuf()
        ),
    };
    let rules = c
        .changes
        .iter()
        .filter(|ch| matches!(ch, Change::Add(Entity::Rule { .. })))
        .count();
    assert_eq!(rules, 10_000);
    assert_eq!(c.changes.len(), 10_002, "table, chain, rules");
    assert_eq!(c.generation, generation(&ns));
}
