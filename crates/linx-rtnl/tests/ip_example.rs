//! The `ip` example's JSON against `ip -j`: every field the example prints must equal what
//! iproute2 prints for the same object.

#[path = "../examples/ip.rs"]
#[allow(dead_code, unreachable_pub, missing_docs)]
mod ip_example;

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
