//! `linx_rtnl::monitor`: announcements captured from a real kernel decoded into typed
//! events, control messages and broken frames, a never-panic property test of the decoder,
//! and kernel tests in throwaway namespaces (ignored for a bare `cargo test`; `cargo xtask
//! test` runs them): each kind of object created and deleted yields the matching event, in
//! both flavours; a tiny receive buffer and a burst of 10,000 routes yields `ResyncNeeded`
//! and events keep coming after it.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use linx_ip::Ip;
use linx_netlink_codec::MsgView;
use linx_netlink_codec::consts::*;
use linx_netlink_sys::Netns;
use linx_rtnl::Error;
use linx_rtnl::monitor::{Event, Group, Monitor, MonitorOptions, events};
use linx_rtnl::neigh::NudState;
use linx_rtnl::{Address, Neighbour, Route, Rule};
use linx_testns::TestNs;
use proptest::prelude::*;
use serde_json::Value;

fn ip(s: &str) -> Ip {
    s.parse().unwrap()
}

// ================================================================================ golden bytes
//
// Announcements received by a socket joined to the default groups, on kernel 6.18, in a
// namespace where `ve0` has index 3, after (in order):
//   ip addr add 10.1.2.3/24 dev ve0
//   ip route add 10.9.0.0/16 dev lo table 100
//   ip neigh add 10.1.2.9 lladdr 02:00:00:00:00:09 dev ve0 ; ip neigh del 10.1.2.9 dev ve0
//   ip rule add from 10.7.0.0/16 table 100 priority 1000
// Host order (little-endian). An announcement caused by a request carries that request's
// sequence number and port id (here ip's); kernel-made ones carry 0.

#[cfg(target_endian = "little")]
mod golden {
    /// `RTM_NEWADDR` 10.1.2.3/24 on ve0.
    pub(super) const NEWADDR: [u8; 76] = [
        76, 0, 0, 0, 20, 0, 0, 0, // len 76, RTM_NEWADDR, flags 0
        79, 61, 17, 107, 66, 71, 0, 0, // seq, pid of `ip`
        2, 24, 128, 0, 3, 0, 0, 0, // AF_INET, /24, IFA_F_PERMANENT, scope 0, index 3
        8, 0, 1, 0, 10, 1, 2, 3, // IFA_ADDRESS 10.1.2.3
        8, 0, 2, 0, 10, 1, 2, 3, // IFA_LOCAL 10.1.2.3
        8, 0, 3, 0, 118, 101, 48, 0, // IFA_LABEL "ve0"
        8, 0, 8, 0, 128, 0, 0, 0, // IFA_FLAGS PERMANENT
        20, 0, 6, 0, 255, 255, 255, 255, 255, 255, 255, 255, // IFA_CACHEINFO
        47, 40, 79, 0, 47, 40, 79, 0, //
    ];

    /// `RTM_NEWROUTE` 10.9.0.0/16 dev lo table 100.
    pub(super) const NEWROUTE: [u8; 52] = [
        52, 0, 0, 0, 24, 0, 0, 6, // len 52, RTM_NEWROUTE, NLM_F_EXCL|NLM_F_CREATE
        79, 61, 17, 107, 67, 71, 0, 0, // seq, pid
        2, 16, 0, 0, 100, 3, 253, 1, // AF_INET /16, tos 0, table 100, boot, universe, unicast
        0, 0, 0, 0, // rtm_flags
        8, 0, 15, 0, 100, 0, 0, 0, // RTA_TABLE 100
        8, 0, 1, 0, 10, 9, 0, 0, // RTA_DST 10.9.0.0
        8, 0, 4, 0, 1, 0, 0, 0, // RTA_OIF 1
    ];

    /// `RTM_DELNEIGH` 10.1.2.9 on ve0 (sent by the kernel: seq 0, pid 0).
    pub(super) const DELNEIGH: [u8; 64] = [
        64, 0, 0, 0, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // len 64, RTM_DELNEIGH
        2, 0, 0, 0, 3, 0, 0, 0, // AF_INET, ifindex 3
        32, 0, 0, 1, // NUD_FAILED, flags 0, RTN_UNICAST
        8, 0, 1, 0, 10, 1, 2, 9, // NDA_DST 10.1.2.9
        8, 0, 4, 0, 0, 0, 0, 0, // NDA_PROBES 0
        20, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // NDA_CACHEINFO
    ];

    /// `RTM_NEWRULE` from 10.7.0.0/16 lookup 100 priority 1000.
    pub(super) const NEWRULE: [u8; 68] = [
        68, 0, 0, 0, 32, 0, 0, 0, 79, 61, 17, 107, 70, 71, 0, 0, // len 68, RTM_NEWRULE
        2, 0, 16, 0, 100, 0, 0, 1, // AF_INET, dst_len 0, src_len 16, tos, table 100, action 1
        0, 0, 0, 0, // flags
        8, 0, 15, 0, 100, 0, 0, 0, // FRA_TABLE 100
        8, 0, 14, 0, 255, 255, 255, 255, // FRA_SUPPRESS_PREFIXLEN -1
        5, 0, 21, 0, 0, 0, 0, 0, // FRA_PROTOCOL 0
        8, 0, 6, 0, 232, 3, 0, 0, // FRA_PRIORITY 1000
        8, 0, 2, 0, 10, 7, 0, 0, // FRA_SRC 10.7.0.0
    ];
}

fn one(datagram: &[u8]) -> Event {
    let all: Vec<_> = events(datagram).collect();
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap().unwrap()
}

/// The same decoder as `list`: the event's object equals `parse` of the payload, and
/// re-emits to the payload.
fn payload(datagram: &[u8]) -> &[u8] {
    MsgView::new_checked(datagram).unwrap().payload()
}

#[cfg(target_endian = "little")]
#[test]
fn golden_addr() {
    let Event::NewAddr(a) = one(&golden::NEWADDR) else {
        panic!()
    };
    assert_eq!(
        (a.ip(), a.prefix_len, a.index),
        (Some(ip("10.1.2.3")), 24, 3)
    );
    assert_eq!(a.label.as_deref(), Some("ve0"));
    assert_eq!(*a, Address::parse(payload(&golden::NEWADDR)).unwrap());
    let mut out = Vec::new();
    a.emit(&mut out).unwrap();
    assert_eq!(out, payload(&golden::NEWADDR));
}

#[cfg(target_endian = "little")]
#[test]
fn golden_route() {
    let ev = one(&golden::NEWROUTE);
    assert_eq!(ev.msg_type(), Some(RTM_NEWROUTE));
    let Event::NewRoute(r) = ev else { panic!() };
    assert_eq!(
        (r.dst, r.dst_len, r.oif, r.table()),
        (Some(ip("10.9.0.0")), 16, Some(1), 100)
    );
    assert_eq!(*r, Route::parse(payload(&golden::NEWROUTE)).unwrap());
    let mut out = Vec::new();
    r.emit(&mut out).unwrap();
    assert_eq!(out, payload(&golden::NEWROUTE));
}

#[cfg(target_endian = "little")]
#[test]
fn golden_neigh() {
    let Event::DelNeigh(n) = one(&golden::DELNEIGH) else {
        panic!()
    };
    assert_eq!(
        (n.dst, n.index, n.state),
        (Some(ip("10.1.2.9")), 3, NudState::FAILED)
    );
    assert_eq!(*n, Neighbour::parse(payload(&golden::DELNEIGH)).unwrap());
    let mut out = Vec::new();
    n.emit(&mut out).unwrap();
    assert_eq!(out, payload(&golden::DELNEIGH));
}

#[cfg(target_endian = "little")]
#[test]
fn golden_rule() {
    let Event::NewRule(r) = one(&golden::NEWRULE) else {
        panic!()
    };
    assert_eq!(
        (r.src, r.src_len, r.priority, r.table()),
        (Some(ip("10.7.0.0")), 16, Some(1000), 100)
    );
    assert_eq!(*r, Rule::parse(payload(&golden::NEWRULE)).unwrap());
    let mut out = Vec::new();
    r.emit(&mut out).unwrap();
    assert_eq!(out, payload(&golden::NEWRULE));
}

/// Several messages in one datagram come out in order.
#[cfg(target_endian = "little")]
#[test]
fn golden_datagram_of_several_messages() {
    let mut d = golden::NEWADDR.to_vec();
    d.extend_from_slice(&golden::NEWROUTE);
    d.extend_from_slice(&golden::DELNEIGH);
    d.extend_from_slice(&golden::NEWRULE);
    let kinds: Vec<u16> = events(&d).map(|e| e.unwrap().msg_type().unwrap()).collect();
    assert_eq!(
        kinds,
        [RTM_NEWADDR, RTM_NEWROUTE, RTM_DELNEIGH, RTM_NEWRULE]
    );
}

/// A message of `kind` with `payload` (header fields in host order).
fn msg(kind: u16, flags: u16, payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(16 + payload.len() as u32).to_ne_bytes());
    b.extend_from_slice(&kind.to_ne_bytes());
    b.extend_from_slice(&flags.to_ne_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(payload);
    while b.len() % 4 != 0 {
        b.push(0);
    }
    b
}

#[test]
fn unknown_types_are_kept_whole() {
    // RTM_NEWNETCONF (80) with 5 payload bytes: kept with its header, without the padding.
    let m = msg(80, 0, &[2, 0, 0, 0, 9]);
    let Event::Unknown { msg_type, bytes } = one(&m) else {
        panic!()
    };
    assert_eq!(msg_type, 80);
    assert_eq!(bytes, m[..21]);
}

#[test]
fn control_messages() {
    // NOOP, DONE and an ACK announce nothing.
    let mut d = msg(NLMSG_NOOP, 0, &[]);
    d.extend(msg(NLMSG_DONE, NLM_F_MULTI, &0i32.to_ne_bytes()));
    d.extend(msg(NLMSG_ERROR, 0, &[0; 20]));
    assert_eq!(events(&d).count(), 0);
    // OVERRUN: messages were lost.
    assert_eq!(one(&msg(NLMSG_OVERRUN, 0, &[])), Event::ResyncNeeded);
    // An NLMSG_ERROR with an errno is reported as the kernel's refusal.
    let mut p = (-105i32).to_ne_bytes().to_vec();
    p.extend_from_slice(&[0; 16]);
    let all: Vec<_> = events(&msg(NLMSG_ERROR, 0, &p)).collect();
    assert!(
        matches!(&all[..], [Err(Error::Netlink(n))] if n.errno == linx_netlink_codec::Errno::ENOBUFS),
        "{all:?}"
    );
}

#[test]
fn a_bad_message_is_one_error_and_the_next_one_decodes() {
    // RTM_NEWROUTE with a 3-byte payload (rtmsg is 12), then an unknown message.
    let mut d = msg(RTM_NEWROUTE, 0, &[2, 24, 0]);
    d.extend(msg(81, 0, &[]));
    let all: Vec<_> = events(&d).collect();
    assert!(
        matches!(
            &all[..],
            [
                Err(Error::Request(linx_netlink_codec::Error::Decode(_))),
                Ok(Event::Unknown { msg_type: 81, .. })
            ]
        ),
        "{all:?}"
    );
    // A length past the end ends the datagram: one error, nothing after it.
    let mut d = msg(RTM_NEWLINK, 0, &[0; 16]);
    d[0] = 200;
    d.extend(msg(81, 0, &[]));
    let mut it = events(&d);
    assert!(matches!(it.next(), Some(Err(Error::Request(_)))));
    assert!(it.next().is_none());
    assert_eq!(it.position(), d.len());
}

#[test]
fn options_and_groups() {
    let o = MonitorOptions::new();
    assert_eq!(o.group_list(), Group::DEFAULT);
    let numbers: Vec<u32> = Group::DEFAULT.iter().map(|g| g.number()).collect();
    assert_eq!(numbers, [1, 3, 5, 7, 8, 9, 11, 19]);
    assert_eq!(o.rcvbuf_request(), 4 << 20);
    let o = o
        .groups([Group::LINK, Group::LINK, Group::new(28)])
        .group(Group::NSID);
    assert_eq!(o.group_list(), [Group::LINK, Group::NSID]);
}

fn known_type() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(vec![
            NLMSG_NOOP,
            NLMSG_ERROR,
            NLMSG_DONE,
            NLMSG_OVERRUN,
            RTM_NEWLINK,
            RTM_DELLINK,
            RTM_NEWADDR,
            RTM_DELADDR,
            RTM_NEWROUTE,
            RTM_DELROUTE,
            RTM_NEWNEIGH,
            RTM_DELNEIGH,
            RTM_NEWRULE,
            RTM_DELRULE,
        ]),
        any::<u16>(),
    ]
}

proptest! {
    /// Arbitrary bytes never panic the decoder, and it always ends.
    #[test]
    fn arbitrary_datagrams_never_panic(d in prop::collection::vec(any::<u8>(), 0..512)) {
        let n = events(&d).count();
        prop_assert!(n <= d.len() / 16 + 1);
    }

    /// Well-framed messages of every known type with arbitrary payloads: each is one item
    /// (or nothing, for control messages), never a panic.
    #[test]
    fn arbitrary_payloads_never_panic(
        msgs in prop::collection::vec((known_type(), prop::collection::vec(any::<u8>(), 0..200)), 1..6)
    ) {
        let mut d = Vec::new();
        for (kind, p) in &msgs {
            d.extend(msg(*kind, 0, p));
        }
        let n = events(&d).count();
        prop_assert!(n <= msgs.len());
    }

    /// Golden messages with their payload cut anywhere: an error or an event, never a panic.
    #[cfg(target_endian = "little")]
    #[test]
    fn cut_golden_messages_never_panic(cut in 0usize..76, which in 0usize..4) {
        let g: &[u8] = [&golden::NEWADDR[..], &golden::NEWROUTE, &golden::DELNEIGH, &golden::NEWRULE][which];
        let cut = cut.min(g.len() - 16);
        let m = msg(u16::from_ne_bytes([g[4], g[5]]), 0, &g[16..16 + cut]);
        prop_assert_eq!(events(&m).count(), 1);
    }
}

// ================================================================================ kernel tests

/// How long a test waits for an event it caused.
const WAIT: Duration = Duration::from_secs(5);

fn ifindex(ns: &TestNs, name: &str) -> u32 {
    let v: Value = serde_json::from_str(&ns.ip_json(&["link", "show", name])).unwrap();
    v[0]["ifindex"].as_u64().unwrap() as u32
}

/// The next event matching `want`, skipping others; panics after [`WAIT`] or on an error.
fn wait_for(mon: &mut Monitor, what: &str, want: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match mon.next_timeout(left) {
            Ok(Some(ev)) if want(&ev) => return ev,
            Ok(Some(_)) => {}
            Ok(None) => panic!("no {what} event within {WAIT:?}"),
            Err(e) => panic!("waiting for {what}: {e}"),
        }
    }
}

/// A test of an event against the namespace.
type Check = Box<dyn Fn(&TestNs, &Event)>;

/// One kind of object: how to make and remove one, how to recognise its events, and what
/// the new event must say.
struct Case {
    what: &'static str,
    add: Vec<&'static str>,
    del: Vec<&'static str>,
    is_new: Box<dyn Fn(&Event) -> bool>,
    is_del: Box<dyn Fn(&Event) -> bool>,
    /// Checks the new event against `ip -j` (run after the event arrived).
    check: Check,
}

/// A namespace with lo up and a veth pair `ve0`/`ve1`, both up.
fn namespace() -> TestNs {
    let ns = TestNs::new();
    ns.ip_batch(
        "link set lo up\nlink add ve0 type veth peer name ve1\nlink set ve0 up\nlink set ve1 up\n",
    );
    ns
}

fn link_case(_: &TestNs) -> Case {
    Case {
        what: "link mon0",
        add: vec![
            "link", "add", "mon0", "type", "veth", "peer", "name", "mon1",
        ],
        del: vec!["link", "del", "mon0"],
        is_new: Box::new(|e| matches!(e, Event::NewLink(l) if l.name == "mon0")),
        is_del: Box::new(|e| matches!(e, Event::DelLink(l) if l.name == "mon0")),
        check: Box::new(|ns, e| {
            let Event::NewLink(l) = e else { unreachable!() };
            assert_eq!(l.index, ifindex(ns, "mon0"));
            assert_eq!(
                l.info.as_ref().and_then(|i| i.kind.as_deref()),
                Some("veth")
            );
            assert_eq!(l.mtu, Some(1500));
        }),
    }
}

fn addr_case(ns: &TestNs) -> Case {
    let ve0 = ifindex(ns, "ve0");
    let same =
        move |a: &Address| a.ip() == Some(ip("10.1.2.3")) && a.prefix_len == 24 && a.index == ve0;
    Case {
        what: "addr 10.1.2.3/24",
        add: vec!["addr", "add", "10.1.2.3/24", "dev", "ve0"],
        del: vec!["addr", "del", "10.1.2.3/24", "dev", "ve0"],
        is_new: Box::new(move |e| matches!(e, Event::NewAddr(a) if same(a))),
        is_del: Box::new(move |e| matches!(e, Event::DelAddr(a) if same(a))),
        check: Box::new(|ns, e| {
            let Event::NewAddr(a) = e else { unreachable!() };
            let v: Value =
                serde_json::from_str(&ns.ip_json(&["addr", "show", "dev", "ve0"])).unwrap();
            let info = &v[0]["addr_info"][0];
            assert_eq!(info["local"], "10.1.2.3");
            assert_eq!(a.family, 2);
            assert_eq!(a.label.as_deref(), info["label"].as_str());
        }),
    }
}

fn route_case(_: &TestNs) -> Case {
    let same = |r: &Route| r.dst == Some(ip("10.9.0.0")) && r.dst_len == 16 && r.table() == 100;
    Case {
        what: "route 10.9.0.0/16 table 100",
        add: vec![
            "route",
            "add",
            "10.9.0.0/16",
            "dev",
            "lo",
            "table",
            "100",
            "metric",
            "7",
        ],
        del: vec![
            "route",
            "del",
            "10.9.0.0/16",
            "dev",
            "lo",
            "table",
            "100",
            "metric",
            "7",
        ],
        is_new: Box::new(move |e| matches!(e, Event::NewRoute(r) if same(r))),
        is_del: Box::new(move |e| matches!(e, Event::DelRoute(r) if same(r))),
        check: Box::new(|ns, e| {
            let Event::NewRoute(r) = e else {
                unreachable!()
            };
            assert_eq!(r.oif, Some(ifindex(ns, "lo")));
            assert_eq!(r.metric, Some(7));
            let v: Value =
                serde_json::from_str(&ns.ip_json(&["route", "show", "table", "100"])).unwrap();
            assert_eq!(v[0]["dst"], "10.9.0.0/16");
        }),
    }
}

fn neigh_case(ns: &TestNs) -> Case {
    let ve0 = ifindex(ns, "ve0");
    let same = move |n: &Neighbour| n.dst == Some(ip("10.1.2.9")) && n.index == ve0;
    Case {
        what: "neigh 10.1.2.9",
        add: vec![
            "neigh",
            "add",
            "10.1.2.9",
            "lladdr",
            "02:00:00:00:00:09",
            "dev",
            "ve0",
        ],
        del: vec!["neigh", "del", "10.1.2.9", "dev", "ve0"],
        is_new: Box::new(move |e| matches!(e, Event::NewNeigh(n) if same(n))),
        is_del: Box::new(move |e| matches!(e, Event::DelNeigh(n) if same(n))),
        check: Box::new(|ns, e| {
            let Event::NewNeigh(n) = e else {
                unreachable!()
            };
            assert_eq!(
                n.mac().map(|m| m.to_string()).as_deref(),
                Some("02:00:00:00:00:09")
            );
            assert_eq!(n.state, NudState::PERMANENT);
            let v: Value =
                serde_json::from_str(&ns.ip_json(&["neigh", "show", "dev", "ve0"])).unwrap();
            assert_eq!(v[0]["lladdr"], "02:00:00:00:00:09");
        }),
    }
}

fn rule_case(_: &TestNs) -> Case {
    let same =
        |r: &Rule| r.src == Some(ip("10.7.0.0")) && r.src_len == 16 && r.priority == Some(1000);
    Case {
        what: "rule from 10.7.0.0/16",
        add: vec![
            "rule",
            "add",
            "from",
            "10.7.0.0/16",
            "table",
            "100",
            "priority",
            "1000",
        ],
        del: vec![
            "rule",
            "del",
            "from",
            "10.7.0.0/16",
            "table",
            "100",
            "priority",
            "1000",
        ],
        is_new: Box::new(move |e| matches!(e, Event::NewRule(r) if same(r))),
        is_del: Box::new(move |e| matches!(e, Event::DelRule(r) if same(r))),
        check: Box::new(|ns, e| {
            let Event::NewRule(r) = e else { unreachable!() };
            assert_eq!(r.table(), 100);
            let v: Value = serde_json::from_str(&ns.ip_json(&["rule", "show"])).unwrap();
            assert!(
                v.as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["priority"] == 1000 && r["src"] == "10.7.0.0")
            );
        }),
    }
}

/// Opens a blocking monitor in a fresh namespace, adds and deletes the case's object, and
/// checks both events.
fn blocking(case: fn(&TestNs) -> Case) {
    let ns = namespace();
    let case = case(&ns);
    let mut mon = Monitor::open(ns.netns()).unwrap();
    ns.ip(&case.add);
    let ev = wait_for(&mut mon, case.what, &case.is_new);
    (case.check)(&ns, &ev);
    ns.ip(&case.del);
    wait_for(&mut mon, case.what, &case.is_del);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn blocking_link_events() {
    blocking(link_case);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn blocking_addr_events() {
    blocking(addr_case);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn blocking_route_events() {
    blocking(route_case);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn blocking_neigh_events() {
    blocking(neigh_case);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn blocking_rule_events() {
    blocking(rule_case);
}

/// 10,000 routes on `lo`, one `ip -batch`.
fn burst(ns: &TestNs) {
    let script: String = (0..10_000)
        .map(|i| format!("route add 10.{}.{}.0/24 dev lo\n", 100 + i / 256, i % 256))
        .collect();
    ns.ip_batch(&script);
}

fn is_probe_route(e: &Event) -> bool {
    matches!(e, Event::NewRoute(r) if r.dst == Some(ip("192.0.2.0")) && r.dst_len == 24)
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn tiny_rcvbuf_and_a_burst_yield_resync_then_events_go_on() {
    let ns = namespace();
    let opts = MonitorOptions::new().groups([Group::IPV4_ROUTE]).rcvbuf(1);
    let mut mon = Monitor::with_options(ns.netns(), &opts).unwrap();
    assert!(mon.rcvbuf() < 64 << 10, "granted {}", mon.rcvbuf());
    assert_eq!(mon.rcvbuf(), mon.socket().rcvbuf().unwrap());
    burst(&ns);
    let (mut resyncs, mut routes) = (0, 0);
    loop {
        match mon.next_timeout(Duration::from_millis(300)) {
            Ok(Some(Event::ResyncNeeded)) => resyncs += 1,
            Ok(Some(Event::NewRoute(_))) => routes += 1,
            Ok(Some(other)) => panic!("unexpected {other}"),
            Ok(None) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(resyncs >= 1, "no ResyncNeeded ({routes} routes seen)");
    assert!(routes < 10_000, "{routes} routes: nothing was lost?");
    // The monitor goes on.
    ns.ip(&["route", "add", "192.0.2.0/24", "dev", "lo"]);
    wait_for(
        &mut mon,
        "route 192.0.2.0/24 after the resync",
        is_probe_route,
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn default_rcvbuf_is_granted_and_reported() {
    let ns = TestNs::new();
    let mon = Monitor::open(ns.netns()).unwrap();
    let rmem_max: usize = std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // As root SO_RCVBUFFORCE gets 4 MiB; otherwise the kernel caps at rmem_max. Linux
    // reports twice what it grants.
    assert!(
        mon.rcvbuf() >= 2 * rmem_max.min(4 << 20),
        "{} granted",
        mon.rcvbuf()
    );
    assert_eq!(mon.rcvbuf(), mon.socket().rcvbuf().unwrap());
    assert_eq!(mon.groups(), Group::DEFAULT);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_group_the_kernel_does_not_know_is_a_typed_error() {
    let ns = TestNs::new();
    let opts = MonitorOptions::new().groups([Group::new(100_000)]);
    let e = Monitor::with_options(ns.netns(), &opts).unwrap_err();
    assert!(
        matches!(
            e,
            Error::BadOption {
                name: "monitor group",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("100000"), "{e}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn dropping_the_monitor_closes_its_socket() {
    let ns = TestNs::new();
    let mon = Monitor::open(ns.netns()).unwrap();
    let fd = format!("/proc/self/fd/{}", mon.socket().as_raw_fd());
    let before = std::fs::read_link(&fd).unwrap();
    assert!(
        before.to_string_lossy().starts_with("socket:["),
        "{before:?}"
    );
    drop(mon);
    // The number may be reused by another test's file, never by this socket.
    assert_ne!(std::fs::read_link(&fd).ok(), Some(before));
}

/// `Netns::Pid`: a process living in the test namespace names it.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn works_in_a_namespace_named_by_pid() {
    let ns = namespace();
    let mut child = std::process::Command::new("nsenter")
        .arg(format!("--net={}", ns.path().display()))
        .args(["--", "sleep", "30"])
        .spawn()
        .unwrap();
    let pid = child.id();
    // Wait until the child is in the namespace (nsenter enters it before exec).
    let theirs = std::fs::read_link(ns.path()).unwrap();
    let deadline = Instant::now() + WAIT;
    while std::fs::read_link(format!("/proc/{pid}/ns/net"))
        .ok()
        .as_ref()
        != Some(&theirs)
    {
        assert!(
            Instant::now() < deadline,
            "nsenter did not enter the namespace"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut mon = Monitor::open(Netns::Pid(pid)).unwrap();
    ns.ip(&["route", "add", "192.0.2.0/24", "dev", "lo"]);
    wait_for(&mut mon, "route 192.0.2.0/24", is_probe_route);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(feature = "tokio")]
mod tokio_flavour {
    use super::*;
    use linx_rtnl::monitor::AsyncMonitor;

    async fn wait_for(mon: &mut AsyncMonitor, what: &str, want: impl Fn(&Event) -> bool) -> Event {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, mon.next_event()).await {
                Ok(Some(Ok(ev))) if want(&ev) => return ev,
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(e))) => panic!("waiting for {what}: {e}"),
                Ok(None) => panic!("the monitor ended waiting for {what}"),
                Err(_) => panic!("no {what} event within {WAIT:?}"),
            }
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    fn tokio(case: fn(&TestNs) -> Case) {
        let ns = namespace();
        let case = case(&ns);
        runtime().block_on(async {
            let mut mon = AsyncMonitor::open(ns.netns()).unwrap();
            ns.ip(&case.add);
            let ev = wait_for(&mut mon, case.what, &case.is_new).await;
            (case.check)(&ns, &ev);
            ns.ip(&case.del);
            wait_for(&mut mon, case.what, &case.is_del).await;
        });
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn tokio_link_events() {
        tokio(link_case);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn tokio_addr_events() {
        tokio(addr_case);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn tokio_route_events() {
        tokio(route_case);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn tokio_neigh_events() {
        tokio(neigh_case);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn tokio_rule_events() {
        tokio(rule_case);
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn tokio_tiny_rcvbuf_and_a_burst_yield_resync_then_events_go_on() {
        let ns = namespace();
        runtime().block_on(async {
            let opts = MonitorOptions::new().groups([Group::IPV4_ROUTE]).rcvbuf(1);
            let mut mon = AsyncMonitor::with_options(ns.netns(), &opts).unwrap();
            assert!(mon.rcvbuf() < 64 << 10, "granted {}", mon.rcvbuf());
            burst(&ns);
            let (mut resyncs, mut routes) = (0, 0);
            loop {
                let next = tokio::time::timeout(Duration::from_millis(300), mon.next_event());
                match next.await {
                    Ok(Some(Ok(Event::ResyncNeeded))) => resyncs += 1,
                    Ok(Some(Ok(Event::NewRoute(_)))) => routes += 1,
                    Ok(Some(Ok(other))) => panic!("unexpected {other}"),
                    Ok(Some(Err(e))) => panic!("{e}"),
                    Ok(None) => panic!("the monitor ended"),
                    Err(_) => break,
                }
            }
            assert!(resyncs >= 1, "no ResyncNeeded ({routes} routes seen)");
            assert!(routes < 10_000, "{routes} routes: nothing was lost?");
            ns.ip(&["route", "add", "192.0.2.0/24", "dev", "lo"]);
            wait_for(
                &mut mon,
                "route 192.0.2.0/24 after the resync",
                is_probe_route,
            )
            .await;
        });
    }

    /// The stream is usable through `futures_core::Stream` directly.
    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn tokio_stream_poll_next() {
        use futures_core::Stream;
        use std::pin::Pin;
        let ns = namespace();
        runtime().block_on(async {
            let mut mon = AsyncMonitor::open(ns.netns()).unwrap();
            ns.ip(&["route", "add", "192.0.2.0/24", "dev", "lo"]);
            let found = tokio::time::timeout(WAIT, async {
                loop {
                    let ev = std::future::poll_fn(|cx| Pin::new(&mut mon).poll_next(cx)).await;
                    if is_probe_route(&ev.unwrap().unwrap()) {
                        break;
                    }
                }
            });
            found.await.expect("route event within WAIT");
        });
    }
}

/// Monitors move between threads and tasks (a spawned tokio task holds one).
#[test]
fn monitors_are_send() {
    fn send<T: Send + 'static>() {}
    send::<Monitor>();
    send::<Event>();
    #[cfg(feature = "tokio")]
    send::<linx_rtnl::monitor::AsyncMonitor>();
}
