//! The `ip` example's JSON against `ip -j`: every field the example prints must equal what
//! iproute2 prints for the same object. And its failures: the built binary must print errors
//! with `Display` (`ip: open network namespace "/nonexistent/linx/ns": ENOENT (2)`), never `Debug`.

#[path = "../examples/ip.rs"]
#[allow(dead_code, unreachable_pub, missing_docs)]
mod ip_example;

use std::path::PathBuf;
use std::process::Command;

use linx_rtnl::link::{self, MacvlanMode, NewLink};
use linx_testns::TestNs;
use serde_json::Value;

/// Every key of `ours` must be in `theirs` with an equal value (objects compared recursively).
fn subset(ours: &Value, theirs: &Value, path: &str) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let t = b
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: ip -j has no such field ({theirs})"));
                subset(v, t, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(ours, theirs, "{path}"),
    }
}

fn compare(ns: &TestNs, object: &str, ip_args: &[&str]) {
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    let ours = ip_example::render(&sock, object).unwrap();
    let theirs: Vec<Value> = serde_json::from_str(&ns.ip_json(ip_args)).unwrap();
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{object}: count differs\nours {ours:#?}\ntheirs {theirs:#?}"
    );
    for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
        subset(o, t, &format!("{object}[{i}]"));
    }
}

/// A namespace with veth, bridge, macvlan and vxlan links.
fn populated() -> TestNs {
    let ns = TestNs::new();
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    ns.ip(&["link", "set", "lo", "up"]);
    link::add(&sock, NewLink::veth("ve0", "ve1").up()).unwrap();
    link::add(&sock, NewLink::bridge("br0").up()).unwrap();
    link::add(&sock, NewLink::veth("port0", "port1").master("br0")).unwrap();
    link::add(&sock, NewLink::macvlan("mv0", "ve0", MacvlanMode::Bridge)).unwrap();
    link::add(
        &sock,
        NewLink::vxlan("vx0", 42)
            .vxlan_remote("192.0.2.1".parse().unwrap())
            .vxlan_port(4789),
    )
    .unwrap();
    // addresses: v4 with label and broadcast, a second v4, v6 (nodad: not tentative)
    ns.ip(&[
        "addr",
        "add",
        "10.0.0.1/24",
        "brd",
        "+",
        "dev",
        "ve0",
        "label",
        "ve0:a",
    ]);
    ns.ip(&["addr", "add", "10.0.1.1/24", "dev", "ve0"]);
    ns.ip(&["addr", "add", "2001:db8::1/64", "dev", "ve0", "nodad"]);
    ns.ip(&["addr", "add", "192.168.7.1/16", "dev", "br0"]);
    // neighbours
    ns.ip(&[
        "neigh",
        "add",
        "10.0.0.9",
        "lladdr",
        "02:00:00:00:00:09",
        "dev",
        "ve0",
    ]);
    ns.ip(&[
        "neigh",
        "add",
        "2001:db8::9",
        "lladdr",
        "02:00:00:00:00:0a",
        "dev",
        "ve0",
        "router",
    ]);
    ns.ip(&[
        "neigh",
        "add",
        "10.0.1.7",
        "lladdr",
        "02:00:00:00:00:07",
        "dev",
        "ve0",
        "nud",
        "stale",
    ]);
    ns
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn link_json_matches_ip() {
    let ns = populated();
    compare(&ns, "link", &["-d", "link", "show"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn addr_json_matches_ip() {
    let ns = populated();
    compare(&ns, "addr", &["addr", "show"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn neigh_json_matches_ip() {
    let ns = populated();
    compare(&ns, "neigh", &["neigh", "show"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn route_json_matches_ip() {
    let ns = populated();
    compare(&ns, "route", &["route", "show", "table", "all"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn rule_json_matches_ip() {
    let ns = populated();
    compare(&ns, "rule", &["rule", "show"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn stats_json_matches_ip() {
    // Links that are up see background traffic (IPv6 DAD, router solicitations), so counters
    // can move between two reads: compare when iproute2 reads the same before and after us.
    let ns = populated();
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    for attempt in 0.. {
        let before = ns.ip_json(&["-s", "link", "show"]);
        let ours = ip_example::render(&sock, "stats").unwrap();
        let after = ns.ip_json(&["-s", "link", "show"]);
        if before != after {
            assert!(attempt < 50, "counters never settled");
            std::thread::sleep(std::time::Duration::from_millis(200));
            continue;
        }
        let theirs: Vec<Value> = serde_json::from_str(&after).unwrap();
        assert_eq!(ours.len(), theirs.len());
        for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
            assert!(o.get("stats64").is_some(), "stats[{i}] has stats64");
            subset(o, t, &format!("stats[{i}]"));
        }
        break;
    }
}

/// The `ip` example binary, which `cargo test` builds next to this test's own binary
/// (`target/<profile>/deps/ip_example-*` and `target/<profile>/examples/ip`).
fn example_binary() -> PathBuf {
    let me = std::env::current_exe().expect("path of this test binary");
    let profile_dir = me
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary lives in <target>/<profile>/deps");
    let bin = profile_dir.join("examples").join("ip");
    assert!(
        bin.is_file(),
        "the ip example is not built at {}: run the whole package's tests \
         (`cargo test -p linx-rtnl`, which builds the examples) or \
         `cargo build -p linx-rtnl --example ip` first",
        bin.display()
    );
    bin
}

/// Runs the example with `args`; it must fail with status 1. Returns its stderr.
fn failing_run(args: &[&str]) -> String {
    let out = Command::new(example_binary())
        .args(args)
        .output()
        .expect("run the ip example");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "ip {args:?}: stderr {stderr:?}");
    assert!(
        out.stdout.is_empty(),
        "ip {args:?}: stdout {:?}",
        out.stdout
    );
    stderr
}

#[test]
fn errors_print_with_display_not_debug() {
    let cases = [
        // Fails in Socket::open (ENOENT) before any namespace is entered: no root needed.
        (
            &["-n", "/nonexistent/linx/ns", "link"][..],
            "ip: open network namespace \"/nonexistent/linx/ns\": ENOENT (2)\n",
        ),
        (
            &["--no-such-option"][..],
            "ip: invalid option '--no-such-option'\n",
        ),
    ];
    for (args, want) in cases {
        let stderr = failing_run(args);
        for debug in ["Os {", "{ stage", "errno:", "Error:", "UnexpectedOption"] {
            assert!(
                !stderr.contains(debug),
                "Debug output {debug:?} in {stderr:?}"
            );
        }
        assert_eq!(stderr, want, "ip {args:?}");
    }
}

#[derive(Debug)]
struct Layer(&'static str, Option<Box<Layer>>);

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Layer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.1.as_deref().map(|e| e as _)
    }
}

#[test]
fn report_appends_each_cause_once() {
    let e = Layer(
        "open failed",
        Some(Box::new(Layer(
            "EPERM",
            Some(Box::new(Layer("root", None))),
        ))),
    );
    assert_eq!(ip_example::report(&e), "open failed: EPERM: root");
    // A cause the message already quotes (thiserror's `{source}`) is not repeated.
    let e = Layer("push failed: EPERM", Some(Box::new(Layer("EPERM", None))));
    assert_eq!(ip_example::report(&e), "push failed: EPERM");
}

/// `ip monitor` in a namespace: the example, started with `-n <path> monitor [--json]`,
/// prints a line for an address added after it started, with the interface's name.
fn monitor_line(json: bool) -> String {
    use std::io::BufRead;
    use std::sync::mpsc;
    use std::time::Duration;

    let ns = TestNs::new();
    ns.ip(&["link", "set", "lo", "up"]);
    let path = ns.path().display().to_string();
    let mut args = vec!["-n", path.as_str(), "monitor"];
    if json {
        args.push("--json");
    }
    let mut child = Command::new(example_binary())
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run the ip example");
    let stdout = child.stdout.take().expect("stdout was piped");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The example subscribes some time after it starts: add addresses until one shows up.
    let mut found = None;
    'outer: for i in 1..=50 {
        ns.ip(&["addr", "add", &format!("10.77.{i}.1/24"), "dev", "lo"]);
        let deadline = std::time::Instant::now() + Duration::from_millis(200);
        while let Ok(line) =
            lines.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
        {
            if line.contains("10.77.") {
                found = Some(line);
                break 'outer;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    found.expect("the monitor printed no line for the added addresses")
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn monitor_prints_events_with_names() {
    let line = monitor_line(false);
    assert!(line.starts_with("[ADDR]1: lo    inet 10.77."), "{line}");
    assert!(line.ends_with("/24 scope global lo"), "{line}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn monitor_json_prints_one_object_per_line() {
    let line = monitor_line(true);
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["event"], "new", "{line}");
    assert_eq!(v["object"], "addr", "{line}");
    assert_eq!(v["ifname"], "lo", "{line}");
    let local = v["addr_info"][0]["local"].as_str().unwrap();
    assert!(local.starts_with("10.77."), "{line}");
    assert_eq!(v["addr_info"][0]["prefixlen"], 24, "{line}");
}

/// Runs the example with `args` in `ns`; it must succeed. Returns its stdout.
fn run_in(ns: &TestNs, args: &[&str]) -> String {
    let path = ns.path().display().to_string();
    let out = Command::new(example_binary())
        .args(["-n", &path])
        .args(args)
        .output()
        .expect("run the ip example");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn apply_prints_the_plan_applies_it_and_keeps_ownership_in_the_state_file() {
    let ns = TestNs::new();
    let dir = std::env::temp_dir().join(format!("linx-ip-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (desired, empty, state) = (dir.join("d.json"), dir.join("e.json"), dir.join("s.json"));
    std::fs::write(
        &desired,
        r#"{"links": [{"name": "br0", "kind": "bridge", "up": true}],
            "addresses": [{"dev": "br0", "address": "10.0.0.1/24"}],
            "routes": [{"dst": "10.1.0.0/16", "gateway": "10.0.0.2", "table": 100}]}"#,
    )
    .unwrap();
    std::fs::write(&empty, "{}").unwrap();
    let (d, e, s) = (
        desired.to_str().unwrap(),
        empty.to_str().unwrap(),
        state.to_str().unwrap(),
    );
    let plan = [
        "ip link add br0 up type bridge",
        "ip addr add 10.0.0.1/24 dev br0",
        "ip route replace 10.1.0.0/16 via 10.0.0.2 table 100 proto 76",
    ];

    // A dry run prints the plan and changes nothing.
    let out = run_in(&ns, &["apply", d, "--dry-run"]);
    assert_eq!(out.lines().collect::<Vec<_>>(), plan);
    assert!(!ns.ip_json(&["link", "show"]).contains("br0"));

    // Applied: the plan, then the report; iproute2 sees the result.
    let out = run_in(&ns, &["apply", d, "--state", s]);
    let mut want = plan.to_vec();
    want.push("Report<converged: 3 applied>");
    assert_eq!(out.lines().collect::<Vec<_>>(), want);
    let routes: Value =
        serde_json::from_str(&ns.ip_json(&["route", "show", "table", "100"])).unwrap();
    assert_eq!(routes[0]["dst"], "10.1.0.0/16");
    assert_eq!(routes[0]["gateway"], "10.0.0.2");

    // Again: nothing to do.
    assert_eq!(
        run_in(&ns, &["apply", d, "--state", s]).trim(),
        "Report<no-op>"
    );

    // An empty desired state with the kept ownership removes what the first run made, and
    // nothing else (lo stays).
    let out = run_in(&ns, &["apply", e, "--state", s]);
    assert!(out.contains("ip link del br0"), "{out}");
    assert!(out.ends_with("Report<converged: 3 applied>\n"), "{out}");
    let links = ns.ip_json(&["link", "show"]);
    assert!(
        !links.contains("br0") && links.contains("\"lo\""),
        "{links}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
