//! `linx_rtnl::reconcile`: the plan computed from a desired state and an observation
//! (table-driven, no kernel), and kernel tests in throwaway namespaces cross-checked with
//! `ip -j` (ignored for a bare `cargo test`; `cargo xtask test` runs them).

use linx_ip::Ip;
use linx_rtnl::addr::{AddrScope, Address};
use linx_rtnl::error::DesiredProblem;
use linx_rtnl::link::{IFF_UP, Link};
use linx_rtnl::neigh::{LinkAddr, Neighbour, NudState};
use linx_rtnl::reconcile::{
    Desired, LastApplied, Observed, Options, OwnedAddress, OwnedNeighbour, Plan,
};
use linx_rtnl::route::{Protocol, Route, RouteType};
use linx_rtnl::rule::{Rule, RuleAction};
use linx_rtnl::{Error, reconcile};

fn desired(json: &str) -> Desired {
    serde_json::from_str(json).unwrap()
}

fn ip(s: &str) -> Ip {
    s.parse().unwrap()
}

fn link(name: &str, index: u32, up: bool) -> Link {
    Link {
        name: name.into(),
        index,
        flags: if up { IFF_UP } else { 0 },
        mtu: Some(1500),
        ..Default::default()
    }
}

fn address(index: u32, a: &str, prefix: u8) -> Address {
    Address {
        family: ip(a).family().af(),
        prefix_len: prefix,
        index,
        scope: AddrScope::Universe,
        address: Some(ip(a)),
        local: Some(ip(a)),
        ..Default::default()
    }
}

fn route(dst: &str, len: u8, gw: &str, table: u32, proto: u8) -> Route {
    Route {
        family: 2,
        dst_len: len,
        dst: Some(ip(dst)),
        gateway: Some(ip(gw)),
        protocol: Protocol(proto),
        route_type: RouteType::Unicast,
        header_table: u8::try_from(table).unwrap_or(0),
        table_ext: Some(table),
        ..Default::default()
    }
}

fn neighbour(index: u32, a: &str, mac: &str, state: NudState) -> Neighbour {
    Neighbour {
        family: 2,
        index,
        state,
        dst: Some(ip(a)),
        lladdr: Some(LinkAddr::Mac(mac.parse().unwrap())),
        ..Default::default()
    }
}

fn rule(priority: u32, from: &str, len: u8, table: u8) -> Rule {
    Rule {
        family: 2,
        src_len: len,
        src: Some(ip(from)),
        priority: Some(priority),
        header_table: table,
        action: RuleAction::ToTable,
        ..Default::default()
    }
}

fn lines(p: &Plan) -> Vec<String> {
    p.steps().iter().map(|s| s.to_string()).collect()
}

fn plan(d: &str, last: &LastApplied, observed: Observed) -> Result<Plan, Error> {
    Plan::compute(&desired(d), last, &Options::new(), observed)
}

// ================================================================= diff, through the plan

/// Table: (what, desired JSON, owned, observed, expected plan lines).
#[test]
fn every_resource_and_op_kind() {
    let base = || Observed {
        links: vec![link("lo", 1, true), link("e0", 2, true)],
        ..Default::default()
    };
    let mut owned = LastApplied::new();
    owned.addresses.insert(OwnedAddress {
        dev: "e0".into(),
        address: "10.0.0.9/24".parse().unwrap(),
    });
    owned.neighbours.insert(OwnedNeighbour {
        dev: "e0".into(),
        address: ip("10.0.0.77"),
    });
    owned.links.insert("old0".into());
    let none = LastApplied::new();
    #[allow(clippy::type_complexity)]
    let cases: Vec<(
        &str,
        &str,
        &LastApplied,
        Box<dyn Fn(&mut Observed)>,
        Vec<&str>,
    )> = vec![
        (
            "address create",
            r#"{"addresses":[{"dev":"e0","address":"10.0.0.1/24"}]}"#,
            &none,
            Box::new(|_| {}),
            vec!["ip addr add 10.0.0.1/24 dev e0"],
        ),
        (
            "address in place: nothing",
            r#"{"addresses":[{"dev":"e0","address":"10.0.0.1/24"}]}"#,
            &none,
            Box::new(|o| o.addresses.push(address(2, "10.0.0.1", 24))),
            vec![],
        ),
        (
            "owned address dropped: delete; foreign one kept",
            r#"{}"#,
            &owned,
            Box::new(|o| {
                o.addresses.push(address(2, "10.0.0.9", 24));
                o.addresses.push(address(2, "10.0.0.8", 24));
            }),
            vec!["ip addr del 10.0.0.9/24 dev e0"],
        ),
        (
            "route create, forced to protocol 76",
            r#"{"routes":[{"dst":"10.1.0.0/16","gateway":"10.0.0.1","table":100}]}"#,
            &none,
            Box::new(|_| {}),
            vec!["ip route replace 10.1.0.0/16 via 10.0.0.1 table 100 proto 76"],
        ),
        (
            "route gateway changed: update in place",
            r#"{"routes":[{"dst":"10.1.0.0/16","gateway":"10.0.0.2","table":100}]}"#,
            &none,
            Box::new(|o| o.routes.push(route("10.1.0.0", 16, "10.0.0.1", 100, 76))),
            vec!["ip route replace 10.1.0.0/16 via 10.0.0.2 table 100 proto 76"],
        ),
        (
            "route of ours undesired: delete; other protocols invisible",
            r#"{}"#,
            &none,
            Box::new(|o| {
                o.routes.push(route("10.1.0.0", 16, "10.0.0.1", 100, 76));
                o.routes.push(route("10.2.0.0", 16, "10.0.0.1", 100, 4));
            }),
            vec!["ip route del 10.1.0.0/16 table 100 proto 76"],
        ),
        (
            "multipath route create",
            r#"{"routes":[{"dst":"10.3.0.0/16","table":100,"nexthops":[{"gateway":"10.0.0.2","dev":"e0"},{"gateway":"10.0.0.3","weight":2}]}]}"#,
            &none,
            Box::new(|_| {}),
            vec![
                "ip route replace 10.3.0.0/16 table 100 proto 76 nexthop via 10.0.0.2 dev e0 weight 1 nexthop via 10.0.0.3 weight 2",
            ],
        ),
        (
            "blackhole route",
            r#"{"routes":[{"dst":"10.9.0.0/16","type":"blackhole"}]}"#,
            &none,
            Box::new(|_| {}),
            vec!["ip route replace blackhole 10.9.0.0/16 table 254 proto 76"],
        ),
        (
            "neighbour create, lladdr update, owned delete",
            r#"{"neighbours":[{"dev":"e0","address":"10.0.0.5","lladdr":"02:00:00:00:00:05"},
                              {"dev":"e0","address":"10.0.0.6","lladdr":"02:00:00:00:00:06"}]}"#,
            &owned,
            Box::new(|o| {
                o.neighbours.push(neighbour(
                    2,
                    "10.0.0.6",
                    "02:00:00:00:00:99",
                    NudState::PERMANENT,
                ));
                o.neighbours.push(neighbour(
                    2,
                    "10.0.0.77",
                    "02:00:00:00:00:77",
                    NudState::PERMANENT,
                ));
                o.neighbours.push(neighbour(
                    2,
                    "10.0.0.78",
                    "02:00:00:00:00:78",
                    NudState::PERMANENT,
                ));
            }),
            vec![
                "ip neigh replace 10.0.0.5 lladdr 02:00:00:00:00:05 dev e0 nud permanent",
                "ip neigh replace 10.0.0.6 lladdr 02:00:00:00:00:06 dev e0 nud permanent",
                "ip neigh del 10.0.0.77 dev e0",
            ],
        ),
        (
            "rule create; foreign rule kept",
            r#"{"rules":[{"priority":100,"from":"10.0.0.0/24","fwmark":1,"table":100}]}"#,
            &none,
            Box::new(|o| o.rules.push(rule(200, "10.9.0.0", 16, 100))),
            vec!["ip rule add pref 100 from 10.0.0.0/24 fwmark 0x1 lookup 100"],
        ),
        (
            "rule action changed: the new rule is added, then the old one deleted",
            r#"{"rules":[{"priority":200,"from":"10.9.0.0/16","table":100,"action":"blackhole"}]}"#,
            &none,
            Box::new(|o| o.rules.push(rule(200, "10.9.0.0", 16, 100))),
            vec![
                "ip rule add pref 200 from 10.9.0.0/16 blackhole && ip rule del pref 200 from 10.9.0.0/16 lookup 100",
            ],
        ),
        (
            "links: created in dependency order, updated, owned deleted",
            r#"{"links":[{"name":"ve0","kind":{"veth":{"peer":"ve1"}},"master":"br0"},
                         {"name":"br0","kind":"bridge","up":true},
                         {"name":"e0","mtu":9000},
                         {"name":"ve1","up":true}]}"#,
            &owned,
            Box::new(|o| o.links.push(link("old0", 7, false))),
            vec![
                "ip link add br0 up type bridge",
                "ip link add ve0 master br0 type veth peer name ve1",
                "ip link set ve1 up",
                "ip link set e0 mtu 9000",
                "ip link del old0",
            ],
        ),
    ];
    for (what, d, last, tweak, want) in cases {
        let mut o = base();
        tweak(&mut o);
        let p = plan(d, last, o).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(lines(&p), want, "{what}");
    }
}

#[test]
fn global_order_creates_then_deletes_in_reverse() {
    let mut last = LastApplied::new();
    last.links.insert("old0".into());
    last.addresses.insert(OwnedAddress {
        dev: "e0".into(),
        address: "10.0.0.9/24".parse().unwrap(),
    });
    let mut o = Observed {
        links: vec![link("e0", 2, true), link("old0", 3, true)],
        ..Default::default()
    };
    o.addresses.push(address(2, "10.0.0.9", 24));
    o.routes.push(route("10.7.0.0", 16, "10.0.0.1", 254, 76));
    let p = plan(
        r#"{"links":[{"name":"br0","kind":"bridge"}],
            "addresses":[{"dev":"br0","address":"10.0.0.1/24"}],
            "routes":[{"dst":"10.1.0.0/16","dev":"br0"}],
            "rules":[{"priority":5,"to":"10.1.0.0/16","table":100}],
            "neighbours":[{"dev":"br0","address":"10.0.0.5","lladdr":"02:00:00:00:00:05"}]}"#,
        &last,
        o,
    )
    .unwrap();
    let kinds: Vec<(&str, &str)> = p.steps().iter().map(|s| (s.resource(), s.verb())).collect();
    assert_eq!(
        kinds,
        [
            ("link", "create"),
            ("address", "create"),
            ("neighbour", "create"),
            ("route", "create"),
            ("rule", "create"),
            ("route", "delete"),
            ("address", "delete"),
            ("link", "delete"),
        ]
    );
}

#[test]
fn ipv6_routes_default_to_the_kernels_metric_so_a_second_plan_is_empty() {
    let d = r#"{"routes":[{"dst":"fd01::/64","gateway":"fd00::1"}]}"#;
    let o = Observed {
        links: vec![link("e0", 2, true)],
        ..Default::default()
    };
    let p = plan(d, &LastApplied::new(), o.clone()).unwrap();
    assert_eq!(
        lines(&p),
        ["ip route replace fd01::/64 via fd00::1 table 254 metric 1024 proto 76"]
    );
    let mut seen = o;
    let mut r = route("10.0.0.0", 64, "10.0.0.1", 254, 76);
    r.family = 10;
    r.dst = Some(ip("fd01::"));
    r.gateway = Some(ip("fd00::1"));
    r.metric = Some(1024);
    r.oif = Some(2);
    seen.routes.push(r);
    assert!(plan(d, &LastApplied::new(), seen).unwrap().is_empty());
}

#[test]
fn desired_state_errors_come_before_anything_is_applied() {
    let o = || Observed {
        links: vec![link("e0", 2, true)],
        ..Default::default()
    };
    let cases = [
        (
            r#"{"addresses":[{"dev":"eth9","address":"10.0.0.1/24"}]}"#,
            "no such interface \"eth9\"",
        ),
        (
            r#"{"links":[{"name":"a0","kind":"bridge","master":"b0"},{"name":"b0","kind":"bridge","master":"a0"}]}"#,
            "dependency cycle",
        ),
        (
            r#"{"routes":[{"dst":"10.0.0.0/8","gateway":"fd00::1"}]}"#,
            "address family mismatch",
        ),
        (
            r#"{"addresses":[{"dev":"e0","address":"10.0.0.1/24"},{"dev":"e0","address":"10.0.0.1/24"}]}"#,
            "more than once",
        ),
        (
            r#"{"links":[{"name":"nope0","up":true}]}"#,
            "no such interface \"nope0\"",
        ),
        (
            r#"{"rules":[{"priority":1,"from":"10.0.0.0/8"}]}"#,
            "missing option: table",
        ),
        (
            r#"{"routes":[{"dst":"10.1.0.0/16","gateway":"10.0.0.1","table":100},{"dst":"10.1.0.0/16","gateway":"10.0.0.2","table":100}]}"#,
            "route 10.1.0.0/16 table 100: desired more than once",
        ),
        (
            r#"{"links":[{"name":"e0","kind":"bridge"}]}"#,
            r#"link "e0": exists with kind "none", desired as "bridge""#,
        ),
    ];
    for (d, want) in cases {
        let e = plan(d, &LastApplied::new(), o()).unwrap_err();
        assert!(matches!(e, Error::Desired { .. }), "{d}: {e:?}");
        assert!(e.to_string().contains(want), "{d}: {e}");
    }
    let e = plan(
        r#"{"links":[{"name":"a0","kind":"bridge","master":"a0"}]}"#,
        &LastApplied::new(),
        o(),
    )
    .unwrap_err();
    assert!(matches!(
        e,
        Error::Desired {
            problem: DesiredProblem::Cycle(_),
            ..
        }
    ));
}

#[test]
fn a_bad_route_destination_is_refused_when_the_desired_state_is_read() {
    let e = serde_json::from_str::<Desired>(
        r#"{"routes":[{"dst":"10.0.0.300/8","gateway":"10.0.0.1"}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("10.0.0.300"), "{e}");
    let d = desired(
        r#"{"routes":[{"dst":"default","gateway":"10.0.0.1"},{"dst":"10.9.0.1","gateway":"10.0.0.1"}]}"#,
    );
    assert_eq!(d.routes[0].dst, reconcile::RouteDst::Default);
    assert_eq!(d.routes[1].dst.to_string(), "10.9.0.1/32");
    assert_eq!(
        serde_json::to_string(&d.routes[0]).unwrap(),
        r#"{"dst":"default","gateway":"10.0.0.1"}"#
    );
}

#[test]
fn unknown_fields_in_the_desired_state_are_refused() {
    assert!(serde_json::from_str::<Desired>(r#"{"adresses":[]}"#).is_err());
    assert!(
        serde_json::from_str::<Desired>(r#"{"routes":[{"dst":"default","gw":"1.2.3.4"}]}"#)
            .is_err()
    );
    assert!(
        serde_json::from_str::<Desired>(r#"{"routes":[{"dst":"default","type":"bogus"}]}"#)
            .is_err()
    );
}

#[test]
fn report_forms() {
    let r = reconcile::Report::default();
    assert_eq!(r.to_string(), "Report<no-op>");
    assert_eq!(format!("{r:?}"), "Report<no-op>");
    assert!(r.converged());
}

// ============================================================================ kernel tests

mod kernel {
    use super::*;
    use linx_testns::TestNs;
    use serde_json::Value;

    fn json(s: &str) -> Vec<Value> {
        serde_json::from_str::<Value>(s)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// `ip -j addr show dev <dev>` as `ip/prefix` strings (global scope).
    fn addrs(ns: &TestNs, dev: &str) -> Vec<String> {
        let mut v: Vec<String> = json(&ns.ip_json(&["addr", "show", "dev", dev]))
            .iter()
            .flat_map(|l| l["addr_info"].as_array().cloned().unwrap_or_default())
            .filter(|a| a["scope"] == "global")
            .map(|a| format!("{}/{}", a["local"].as_str().unwrap(), a["prefixlen"]))
            .collect();
        v.sort();
        v
    }

    fn link_json(ns: &TestNs, dev: &str) -> Value {
        json(&ns.ip_json(&["-d", "link", "show", dev]))[0].clone()
    }

    fn exists(ns: &TestNs, dev: &str) -> bool {
        ns.run("ip", &["link", "show", dev]).status.success()
    }

    fn pass(sock: &linx_netlink_sys::Socket, d: &Desired, last: &LastApplied) -> reconcile::Report {
        reconcile::reconcile(sock, d, last, &Options::new()).unwrap()
    }

    const FULL: &str = r#"{
      "links": [
        { "name": "lo", "up": true },
        { "name": "br0", "kind": "bridge", "up": true },
        { "name": "ve0", "kind": { "veth": { "peer": "ve1" } }, "master": "br0", "up": true, "mtu": 1400 },
        { "name": "ve1", "up": true },
        { "name": "mv0", "kind": { "macvlan": { "parent": "ve1", "mode": "bridge" } }, "up": true },
        { "name": "vx0", "kind": { "vxlan": { "vni": 42, "port": 4789, "remote": "10.0.0.2",
                                             "local": "10.0.0.1", "dev": "br0" } },
          "address": "02:00:00:00:00:42" }
      ],
      "addresses": [
        { "dev": "br0", "address": "10.0.0.1/24" },
        { "dev": "br0", "address": "10.0.0.11/24" },
        { "dev": "mv0", "address": "10.8.0.1/24" }
      ],
      "routes": [
        { "dst": "10.1.0.0/16", "gateway": "10.0.0.2", "table": 100, "metric": 10 },
        { "dst": "10.9.0.0/16", "type": "blackhole", "table": 100 },
        { "dst": "10.2.0.0/16", "table": 100, "nexthops": [
            { "gateway": "10.0.0.2", "dev": "br0", "weight": 1 },
            { "gateway": "10.0.0.3", "dev": "br0", "weight": 3 } ] }
      ],
      "rules": [ { "priority": 100, "from": "10.0.0.0/24", "fwmark": 1, "table": 100 } ],
      "neighbours": [ { "dev": "br0", "address": "10.0.0.9", "lladdr": "02:00:00:00:00:09" } ]
    }"#;

    /// Everything FULL asks for, checked with `ip -j`.
    fn check_full(ns: &TestNs) {
        let br = link_json(ns, "br0");
        assert_eq!(br["linkinfo"]["info_kind"], "bridge");
        assert!(br["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
        let ve0 = link_json(ns, "ve0");
        assert_eq!(ve0["master"], "br0");
        assert_eq!(ve0["mtu"], 1400);
        let ve1 = link_json(ns, "ve1");
        assert!(ve1["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
        let mv = link_json(ns, "mv0");
        assert_eq!(mv["linkinfo"]["info_kind"], "macvlan");
        assert_eq!(mv["link"], "ve1");
        let vx = link_json(ns, "vx0");
        assert_eq!(vx["linkinfo"]["info_kind"], "vxlan");
        assert_eq!(vx["linkinfo"]["info_data"]["id"], 42);
        assert_eq!(vx["linkinfo"]["info_data"]["port"], 4789);
        assert_eq!(vx["address"], "02:00:00:00:00:42");
        assert_eq!(addrs(ns, "br0"), ["10.0.0.1/24", "10.0.0.11/24"]);
        assert_eq!(addrs(ns, "mv0"), ["10.8.0.1/24"]);
        let t100 = json(&ns.ip_json(&["route", "show", "table", "100"]));
        let by_dst = |d: &str| {
            t100.iter()
                .find(|r| r["dst"] == d)
                .cloned()
                .unwrap_or_else(|| panic!("{d} in {t100:?}"))
        };
        assert_eq!(by_dst("10.1.0.0/16")["gateway"], "10.0.0.2");
        assert_eq!(by_dst("10.1.0.0/16")["metric"], 10);
        assert_eq!(by_dst("10.1.0.0/16")["protocol"], "76");
        assert_eq!(by_dst("10.9.0.0/16")["type"], "blackhole");
        let mp = by_dst("10.2.0.0/16");
        let hops = mp["nexthops"].as_array().unwrap();
        assert_eq!(hops.len(), 2);
        assert_eq!(hops[1]["gateway"], "10.0.0.3");
        assert_eq!(hops[1]["weight"], 3);
        let rules = json(&ns.ip_json(&["rule", "show"]));
        let r = rules
            .iter()
            .find(|r| r["priority"] == 100)
            .expect("rule 100");
        assert_eq!(r["src"], "10.0.0.0");
        assert_eq!(r["table"], "100");
        let n = json(&ns.ip_json(&["neigh", "show", "dev", "br0"]));
        let e = n
            .iter()
            .find(|x| x["dst"] == "10.0.0.9")
            .expect("neighbour");
        assert_eq!(e["lladdr"], "02:00:00:00:00:09");
        assert!(
            e["state"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "PERMANENT")
        );
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn converges_from_empty_then_a_second_pass_applies_nothing() {
        // (`dummy` is not built into this kernel: the macvlan's parent is a veth end.)
        let ns = TestNs::new();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let d = desired(FULL);
        let r = pass(&sock, &d, &LastApplied::new());
        assert!(r.converged(), "{r:#?}");
        check_full(&ns);
        let owned: Vec<&str> = r.last_applied.links.iter().map(String::as_str).collect();
        assert_eq!(owned, ["br0", "mv0", "ve0", "vx0"]);
        assert_eq!(r.last_applied.addresses.len(), 3);
        assert_eq!(r.last_applied.rules.len(), 1);
        assert_eq!(r.last_applied.neighbours.len(), 1);

        let r2 = pass(&sock, &d, &r.last_applied);
        assert!(r2.applied.is_empty(), "{r2:#?}");
        assert_eq!(r2.to_string(), "Report<no-op>");
        assert_eq!(r2.last_applied, r.last_applied);
        check_full(&ns);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn heals_a_hand_deleted_address_and_removes_one_dropped_from_desired() {
        let ns = TestNs::new();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let d = desired(FULL);
        let r = pass(&sock, &d, &LastApplied::new());
        assert!(r.converged(), "{r:#?}");

        ns.ip(&["addr", "del", "10.0.0.11/24", "dev", "br0"]);
        let r = pass(&sock, &d, &r.last_applied);
        assert_eq!(r.applied.len(), 1, "{r:#?}");
        assert_eq!(r.applied[0].to_string(), "ip addr add 10.0.0.11/24 dev br0");
        assert_eq!(addrs(&ns, "br0"), ["10.0.0.1/24", "10.0.0.11/24"]);

        let mut d2 = d.clone();
        d2.addresses
            .retain(|a| a.address.to_string() != "10.0.0.11/24");
        let r = pass(&sock, &d2, &r.last_applied);
        assert!(r.converged(), "{r:#?}");
        assert_eq!(r.applied.len(), 1, "{r:#?}");
        assert_eq!(addrs(&ns, "br0"), ["10.0.0.1/24"]);
        assert!(
            !r.last_applied
                .addresses
                .iter()
                .any(|a| a.address.to_string() == "10.0.0.11/24")
        );
        check_no_drift(&sock, &d2, &r.last_applied);
    }

    fn check_no_drift(sock: &linx_netlink_sys::Socket, d: &Desired, last: &LastApplied) {
        let p = reconcile::plan(sock, d, last, &Options::new()).unwrap();
        assert!(p.is_empty(), "drift:\n{p}");
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn foreign_objects_survive_and_owned_ones_go() {
        let ns = TestNs::new();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let d = desired(FULL);
        let r = pass(&sock, &d, &LastApplied::new());
        assert!(r.converged(), "{r:#?}");
        // Foreign: a link, an address on an owned link, a rule, a route of another protocol
        // in the same table, a neighbour.
        ns.ip_batch(
            "link add f0 type bridge\n\
             addr add 10.0.0.99/24 dev br0\n\
             rule add pref 300 from 10.7.0.0/16 table 100\n\
             route add blackhole 10.3.0.0/16 table 100 proto static\n\
             neigh add 10.0.0.98 lladdr 02:00:00:00:00:98 dev br0\n",
        );
        // Drop everything from the desired state: owned objects go, foreign ones stay.
        let r = pass(&sock, &Desired::default(), &r.last_applied);
        assert!(r.converged(), "{r:#?}");
        assert!(r.last_applied.is_empty(), "{:?}", r.last_applied);
        for gone in ["ve0", "ve1", "mv0", "vx0"] {
            assert!(!exists(&ns, gone), "{gone} still there");
        }
        // br0 held the foreign address: it is ours, so it is deleted with it (the address
        // lives on its link); f0 survives.
        assert!(!exists(&ns, "br0"));
        assert!(exists(&ns, "f0"));
        let rules = json(&ns.ip_json(&["rule", "show"]));
        assert!(rules.iter().any(|r| r["priority"] == 300));
        assert!(!rules.iter().any(|r| r["priority"] == 100));
        let t100 = json(&ns.ip_json(&["route", "show", "table", "100"]));
        assert_eq!(t100.len(), 1, "{t100:?}");
        assert_eq!(t100[0]["dst"], "10.3.0.0/16");
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn foreign_address_on_a_kept_link_survives() {
        let ns = TestNs::new();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let d = desired(
            r#"{"links":[{"name":"br0","kind":"bridge","up":true}],
                "addresses":[{"dev":"br0","address":"10.0.0.1/24"},{"dev":"br0","address":"10.0.0.2/24"}]}"#,
        );
        let r = pass(&sock, &d, &LastApplied::new());
        ns.ip(&["addr", "add", "10.0.0.99/24", "dev", "br0"]);
        let mut d2 = d.clone();
        d2.addresses.pop();
        let r = pass(&sock, &d2, &r.last_applied);
        assert!(r.converged(), "{r:#?}");
        assert_eq!(addrs(&ns, "br0"), ["10.0.0.1/24", "10.0.0.99/24"]);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn a_failing_step_stops_the_pass_with_the_rest_pending() {
        let ns = TestNs::new();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        // The gateway is on no connected network: the route is refused (ENETUNREACH) after
        // the link and address applied; the rule after it stays pending.
        let d = desired(
            r#"{"links":[{"name":"br0","kind":"bridge","up":true}],
                "addresses":[{"dev":"br0","address":"10.0.0.1/24"}],
                "routes":[{"dst":"10.5.0.0/16","gateway":"192.168.99.1","table":100}],
                "rules":[{"priority":100,"to":"10.5.0.0/16","table":100}]}"#,
        );
        let r = pass(&sock, &d, &LastApplied::new());
        assert!(!r.converged());
        assert_eq!(r.to_string(), "Report<2 applied, 1 failed, 1 pending>");
        let f = r.failed.as_ref().unwrap();
        assert_eq!(f.step.resource(), "route");
        let msg = f.error.to_string();
        assert!(msg.contains("route \"10.5.0.0/16 table 100\""), "{msg}");
        assert!(matches!(f.error, Error::Netlink(_)), "{:?}", f.error);
        assert_eq!(r.pending[0].resource(), "rule");
        // What applied is owned; what did not, is not.
        assert!(r.last_applied.links.contains("br0"));
        assert_eq!(r.last_applied.addresses.len(), 1);
        assert!(r.last_applied.rules.is_empty());
        assert!(exists(&ns, "br0"));
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn a_veth_peer_is_created_in_another_namespace() {
        let host = TestNs::new();
        let c1 = TestNs::new();
        let sock = linx_rtnl::open(host.netns()).unwrap();
        let d = Desired {
            links: vec![
                serde_json::from_value(serde_json::json!({
                    "name": "c0",
                    "kind": {"veth": {"peer": "eth0", "peer_netns": c1.path()}},
                    "up": true
                }))
                .unwrap(),
            ],
            ..Default::default()
        };
        let p = reconcile::plan(&sock, &d, &LastApplied::new(), &Options::new()).unwrap();
        assert_eq!(
            p.to_string(),
            format!(
                "ip link add c0 up type veth peer name eth0 netns {}\n",
                c1.path().display()
            )
        );
        let r = pass(&sock, &d, &LastApplied::new());
        assert!(r.converged(), "{r:#?}");
        assert!(exists(&host, "c0"));
        assert!(!exists(&host, "eth0"));
        let peer = link_json(&c1, "eth0");
        assert_eq!(peer["linkinfo"]["info_kind"], "veth");
        // The pair is one object: the second pass applies nothing.
        assert!(pass(&sock, &d, &r.last_applied).applied.is_empty());
        // The reconciler of c1 configures its end.
        let s1 = linx_rtnl::open(c1.netns()).unwrap();
        let d1 = desired(
            r#"{"links":[{"name":"eth0","up":true}],"addresses":[{"dev":"eth0","address":"10.0.0.2/24"}]}"#,
        );
        let r1 = pass(&s1, &d1, &LastApplied::new());
        assert!(r1.converged(), "{r1:#?}");
        assert_eq!(addrs(&c1, "eth0"), ["10.0.0.2/24"]);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn a_restart_from_persisted_last_applied_still_owns_and_deletes() {
        let ns = TestNs::new();
        let d = desired(FULL);
        let saved = {
            let sock = linx_rtnl::open(ns.netns()).unwrap();
            let r = pass(&sock, &d, &LastApplied::new());
            assert!(r.converged(), "{r:#?}");
            serde_json::to_string(&r.last_applied).unwrap()
        };
        // A new process: new socket, ownership read back from JSON.
        let last: LastApplied = serde_json::from_str(&saved).unwrap();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let r = pass(&sock, &d, &last);
        assert!(r.converged() && r.applied.is_empty(), "{r:#?}");
        let mut d2 = d.clone();
        d2.links.retain(|l| l.name != "vx0");
        d2.rules.clear();
        d2.neighbours.clear();
        let r = pass(&sock, &d2, &last);
        assert!(r.converged(), "{r:#?}");
        let done: Vec<String> = r.applied.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            done,
            [
                "ip rule del pref 100 from 10.0.0.0/24 fwmark 0x1 lookup 100",
                "ip neigh del 10.0.0.9 dev br0",
                "ip link del vx0",
            ]
        );
        assert!(!exists(&ns, "vx0"));
        check_no_drift(&sock, &d2, &r.last_applied);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn a_dry_run_applies_nothing_and_prints_the_plan() {
        let ns = TestNs::new();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let d = desired(
            r#"{"links":[{"name":"ve0","kind":{"veth":{"peer":"ve1"}},"up":true}],
                "addresses":[{"dev":"ve0","address":"10.0.0.1/24"}],
                "routes":[{"dst":"10.1.0.0/16","gateway":"10.0.0.2","table":100}]}"#,
        );
        let before = ns.ip_json(&["link"]);
        let p = reconcile::plan(&sock, &d, &LastApplied::new(), &Options::new()).unwrap();
        assert_eq!(
            p.to_string(),
            "ip link add ve0 up type veth peer name ve1\n\
             ip addr add 10.0.0.1/24 dev ve0\n\
             ip route replace 10.1.0.0/16 via 10.0.0.2 table 100 proto 76\n"
        );
        assert_eq!(ns.ip_json(&["link"]), before);
        assert!(!exists(&ns, "ve0"));
        // Applying that plan is the pass.
        let r = reconcile::apply(&sock, p);
        assert!(r.converged(), "{r:#?}");
        assert_eq!(r.to_string(), "Report<converged: 3 applied>");
        assert_eq!(addrs(&ns, "ve0"), ["10.0.0.1/24"]);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn a_hand_changed_gateway_is_put_back_in_place() {
        let ns = TestNs::new();
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let d = desired(
            r#"{"links":[{"name":"br0","kind":"bridge","up":true}],
                "addresses":[{"dev":"br0","address":"10.0.0.1/24"}],
                "routes":[{"dst":"10.1.0.0/16","gateway":"10.0.0.2","table":100}]}"#,
        );
        let r = pass(&sock, &d, &LastApplied::new());
        ns.ip(&[
            "route",
            "replace",
            "10.1.0.0/16",
            "via",
            "10.0.0.3",
            "table",
            "100",
            "proto",
            "76",
        ]);
        let r = pass(&sock, &d, &r.last_applied);
        assert_eq!(r.applied.len(), 1, "{r:#?}");
        assert_eq!(r.applied[0].verb(), "update");
        let t = json(&ns.ip_json(&["route", "show", "table", "100"]));
        assert_eq!(t[0]["gateway"], "10.0.0.2");
    }

    #[cfg(feature = "tokio")]
    #[tokio::test]
    #[ignore = "kernel test: run with cargo xtask test"]
    async fn the_tokio_flavour_runs_the_same_pass() {
        let ns = TestNs::new();
        let sock = linx_rtnl::open_async(ns.netns()).unwrap();
        let d = desired(FULL);
        let r = reconcile::reconcile(&sock, &d, &LastApplied::new(), &Options::new())
            .await
            .unwrap();
        assert!(r.converged(), "{r:#?}");
        check_full(&ns);
        let r2 = reconcile::reconcile(&sock, &d, &r.last_applied, &Options::new())
            .await
            .unwrap();
        assert!(r2.applied.is_empty(), "{r2:#?}");
    }
}
