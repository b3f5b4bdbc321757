//! NFLOG listener: the decoder on arbitrary bytes (never panics, lossless on well-formed
//! frames), the option checks, and kernel tests in a fresh namespace: a `log group N` rule
//! pushed with Linx, a UDP datagram sent from inside the namespace, the packet event.

use std::time::Duration;

use linx_ip::ip;
use linx_netfilter::expr::Log;
use linx_netfilter::nflog::{
    ConfigStep, CopyMode, Event, ListenOptions, Listener, NflogError, Packet, events,
};
use linx_netfilter::stmt::{HeaderField, Statement};
use linx_netfilter::{Chain, ChainType, Family, Hook, Mode, Priority, Rule, Ruleset, TableFlags};
use linx_netlink_codec::Errno;
use linx_testns::TestNs;
use proptest::prelude::*;

// ------------------------------------------------------------------------------ pure

/// One attribute: header (host order), payload, zero padding.
fn attr(b: &mut Vec<u8>, kind: u16, payload: &[u8]) {
    b.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
    b.extend_from_slice(&kind.to_ne_bytes());
    b.extend_from_slice(payload);
    b.resize(b.len().next_multiple_of(4), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any datagram: every entry point answers Ok or Err, never panics, and the iterator
    /// ends.
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let n = events(&bytes).take(1000).count();
        prop_assert!(n <= bytes.len() / 16 + 1);
        let _ = Packet::parse(&bytes);
    }

    /// A packet message around arbitrary bytes: the header frames, the rest is whatever.
    #[test]
    fn arbitrary_packet_payloads_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut d = Vec::new();
        d.extend_from_slice(&((16 + body.len()) as u32).to_ne_bytes());
        d.extend_from_slice(&0x0400u16.to_ne_bytes());
        d.extend_from_slice(&[0; 10]);
        d.extend_from_slice(&body);
        for item in events(&d) {
            let _ = item;
        }
    }

    /// Well-formed attributes of the packet's types (and others), any payloads: what parses
    /// re-emits byte for byte.
    #[test]
    fn well_formed_packets_reemit_exactly(
        head in any::<[u8; 4]>(),
        attrs in proptest::collection::vec((0u16..24, proptest::collection::vec(any::<u8>(), 0..24)), 0..12),
    ) {
        let mut wire = head.to_vec();
        wire[1] = 0; // nfgenmsg version
        for (kind, payload) in &attrs {
            attr(&mut wire, *kind, payload);
        }
        if let Ok(p) = Packet::parse(&wire) {
            let mut out = Vec::new();
            p.emit(&mut out).unwrap();
            prop_assert_eq!(out, wire);
        }
    }
}

#[test]
fn groups_outside_1_to_65535_are_typed_errors() {
    for g in [0u32, 65_536, 70_000, u32::MAX] {
        let err = ListenOptions::new(g).unwrap_err();
        assert_eq!(err, NflogError::BadGroup(g));
        assert!(err.to_string().contains(&g.to_string()), "{err}");
    }
    assert_eq!(ListenOptions::new(65_535).unwrap().group(), 65_535);
}

// ---------------------------------------------------------------------------- kernel

const UDP_PORT: u16 = 9999;
const DATA: &[u8] = b"linx nflog payload";

/// `table ip lxlog { chain out { type filter hook output priority 0; ip daddr 127.0.0.1
/// udp dport 9999 log prefix "lx-test " group <group> } }`, pushed with Linx.
fn push_log_rule(ns: &TestNs, group: u16) {
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Ip, "lxlog", TableFlags::empty())
        .unwrap();
    t.add_chain(Chain::base(
        "out",
        ChainType::Filter,
        Hook::Output,
        Priority::FILTER,
    ))
    .unwrap();
    let log = Log::new(
        Some(group),
        Some("lx-test ".into()),
        None,
        None,
        None,
        Default::default(),
    )
    .unwrap();
    let stmts = vec![
        Statement::is(HeaderField::IpDaddr, ip!("127.0.0.1")).unwrap(),
        Statement::is(HeaderField::UdpDport, UDP_PORT).unwrap(),
        Statement::Log(Box::new(log)),
    ];
    t.add_rule("out", Rule::from_statements(Family::Ip, stmts).unwrap())
        .unwrap();
    let sock = linx_nfnl::open(ns.netns()).expect("nfnetlink socket in the namespace");
    linx_netfilter::push(&sock, &rs, Mode::Replace).expect("push the log rule");
}

/// Sends the test datagram from a thread inside the namespace.
fn send_datagram(ns: &TestNs) {
    ns.enter(|| {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind in the namespace");
        udp.send_to(DATA, ("127.0.0.1", UDP_PORT))
            .expect("send the datagram");
    });
}

/// The first event, which must be a packet, within 5 s.
fn first_packet(log: &mut Listener) -> Packet {
    match log
        .next_timeout(Duration::from_secs(5))
        .expect("listener read")
    {
        Some(Event::Packet(p)) => *p,
        Some(other) => panic!("unexpected event {other:?}"),
        None => panic!("no packet event within 5 s"),
    }
}

fn check_packet(p: &Packet, group: u16) {
    assert_eq!(p.prefix.as_deref(), Some("lx-test "));
    assert_eq!(p.group, group);
    assert_eq!(p.family, 2, "NFPROTO_IPV4");
    assert_eq!(p.hook(), Some(3), "NF_INET_LOCAL_OUT");
    assert_eq!(p.outdev.map(|i| i.0), Some(1), "lo");
    let payload = p.payload.as_deref().expect("payload with copy mode packet");
    assert_eq!(payload.first().map(|b| b >> 4), Some(4), "an IPv4 header");
    assert!(payload.ends_with(DATA), "payload {payload:?}");
    assert_eq!(payload.len(), 20 + 8 + DATA.len());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_logged_udp_datagram_arrives_with_prefix_payload_and_hook() {
    let ns = TestNs::new();
    ns.ip(&["link", "set", "lo", "up"]);
    let group = 42;
    push_log_rule(&ns, group);
    let opts = ListenOptions::new(u32::from(group))
        .unwrap()
        .copy_mode(CopyMode::packet());
    let mut log = Listener::open(ns.netns(), &opts).expect("start the listener");
    assert!(log.rcvbuf() > 0);

    // The group is taken: a second socket is refused at BIND (the instance belongs to
    // another port id: EPERM).
    match Listener::open(ns.netns(), &opts) {
        Err(NflogError::Refused {
            step,
            group: g,
            error,
        }) => {
            assert_eq!(
                (step, g, error.errno),
                (ConfigStep::Bind, group, Errno::EPERM)
            );
        }
        other => panic!("second listener on the group: {other:?}"),
    }

    send_datagram(&ns);
    let p = first_packet(&mut log);
    check_packet(&p, group);
    log.stop().expect("clean stop");

    // After the stop the group is free again.
    let again = Listener::open(ns.netns(), &opts).expect("group free after stop");
    drop(again);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn meta_mode_sends_no_payload_and_sequence_flags_add_numbers() {
    use linx_netfilter::nflog::ConfigFlags;
    let ns = TestNs::new();
    ns.ip(&["link", "set", "lo", "up"]);
    let group = 7;
    push_log_rule(&ns, group);
    let opts = ListenOptions::new(u32::from(group))
        .unwrap()
        .flags(ConfigFlags::SEQ | ConfigFlags::SEQ_GLOBAL)
        .qthreshold(1)
        .timeout(Duration::from_millis(50));
    let mut log = Listener::open(ns.netns(), &opts).expect("start the listener");
    send_datagram(&ns);
    let p = first_packet(&mut log);
    assert_eq!(p.prefix.as_deref(), Some("lx-test "));
    assert_eq!(p.payload, None);
    assert!(p.seq.is_some() && p.seq_global.is_some(), "{p:?}");
    log.stop().expect("clean stop");
}

#[cfg(feature = "tokio")]
#[tokio::test]
#[ignore = "kernel test: run with cargo xtask test"]
async fn the_tokio_listener_yields_the_same_packet() {
    use linx_netfilter::nflog::AsyncListener;
    let ns = TestNs::new();
    ns.ip(&["link", "set", "lo", "up"]);
    let group = 43;
    push_log_rule(&ns, group);
    let opts = ListenOptions::new(u32::from(group))
        .unwrap()
        .copy_mode(CopyMode::packet());
    let mut log = AsyncListener::open(ns.netns(), &opts).expect("start the listener");
    send_datagram(&ns);
    let next = tokio::time::timeout(Duration::from_secs(5), log.next_event());
    let p = match next.await.expect("a packet event within 5 s") {
        Some(Ok(Event::Packet(p))) => *p,
        other => panic!("unexpected {other:?}"),
    };
    check_packet(&p, group);
    // The same listener as a `futures_core::Stream`: the next datagram's event.
    send_datagram(&ns);
    let next = std::future::poll_fn(|cx| {
        futures_core::Stream::poll_next(std::pin::Pin::new(&mut log), cx)
    });
    let p = match tokio::time::timeout(Duration::from_secs(5), next)
        .await
        .expect("a second packet event within 5 s")
    {
        Some(Ok(Event::Packet(p))) => *p,
        other => panic!("unexpected {other:?}"),
    };
    check_packet(&p, group);
    log.stop().expect("clean stop");
}
