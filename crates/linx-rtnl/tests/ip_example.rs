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
    ns
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn link_json_matches_ip() {
    let ns = populated();
    compare(&ns, "link", &["-d", "link", "show"]);
}
