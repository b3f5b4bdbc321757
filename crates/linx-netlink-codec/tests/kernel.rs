//! The request engine against the real kernel, each test in its own throwaway namespace.
//!
//! Ignored for a bare `cargo test`; `cargo xtask test` runs them (as root or under
//! `unshare -r`). Results are cross-checked with iproute2 (`ip -j`).

use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    AttrWriter, DumpEvent, Errno, Error, Flavor, MsgView, Request, Transport, engine::Discard,
};
use linx_netlink_sys::Socket;
use linx_testns::TestNs;

const KERNEL: &str = "kernel test: run with cargo xtask test";

/// `struct rtmsg` for a dump of one family: 12 bytes, family first.
fn rtmsg(family: u8) -> Vec<u8> {
    let mut h = vec![0u8; 12];
    h[0] = family;
    h
}

fn is_route(m: &MsgView<'_>) -> Result<bool, linx_netlink_codec::DecodeError> {
    Ok(m.kind() == RTM_NEWROUTE)
}

fn json_len(s: &str) -> usize {
    serde_json::from_str::<serde_json::Value>(s)
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

fn seed_routes(ns: &TestNs, n: usize) {
    let mut script = String::new();
    for i in 0..n {
        script.push_str(&format!(
            "route add blackhole 10.{}.{}.{}/32 table {}\n",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255,
            100 + i % 3
        ));
    }
    ns.ip_batch(&script);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn dump_of_5000_routes_is_complete_and_matches_ip() {
    let _ = KERNEL;
    let ns = TestNs::new();
    seed_routes(&ns, 5000);
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    let req = Request::dump(RTM_GETROUTE, rtmsg(AF_INET)).with_header_len(12);
    let got = linx_netlink_codec::Call::new(req, is_route)
        .collect(&sock)
        .unwrap();
    let ours = got.items.iter().filter(|r| **r).count();
    let theirs = json_len(&ns.ip_json(&["-4", "route", "show", "table", "all"]));
    assert_eq!(ours, theirs, "linx and ip disagree on the route count");
    assert!(ours >= 5000, "only {ours} routes");
    assert_eq!(got.retries, 0);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn streaming_dump_decodes_per_datagram() {
    let ns = TestNs::new();
    seed_routes(&ns, 2000);
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    let req = Request::dump(RTM_GETROUTE, rtmsg(AF_INET)).with_header_len(12);
    let mut n = 0usize;
    for ev in linx_netlink_codec::Call::new(req, is_route).stream(&sock) {
        match ev.unwrap() {
            DumpEvent::Item(true) => n += 1,
            DumpEvent::Item(false) => {}
            DumpEvent::Restart { .. } => n = 0,
        }
    }
    assert_eq!(n, 2000);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn abandoned_stream_is_drained_so_the_next_dump_works() {
    let ns = TestNs::new();
    seed_routes(&ns, 3000);
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    let req = Request::dump(RTM_GETROUTE, rtmsg(AF_INET)).with_header_len(12);
    let mut s = linx_netlink_codec::Call::new(req.clone(), is_route).stream(&sock);
    assert!(matches!(s.next(), Some(Ok(DumpEvent::Item(true)))));
    drop(s); // half a dump still queued in the kernel
    let again = linx_netlink_codec::Call::new(req, is_route)
        .collect(&sock)
        .unwrap();
    assert_eq!(
        again.items.len(),
        3000,
        "second dump must not hit EBUSY or stale data"
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn kernel_refusal_carries_ext_ack_text() {
    let ns = TestNs::new();
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    // RTM_NEWLINK name "x0" kind "dummy": not built into this kernel (see kernel.md), and on
    // kernels that have it we ask for a kind nobody has.
    let mut p = vec![0u8; 16];
    let mut w = AttrWriter::new(&mut p);
    w.put_str(IFLA_IFNAME, "x0").unwrap();
    let n = w.begin_nest(18, false);
    w.put_str(1, "linx-no-such-kind").unwrap();
    w.end_nest(n).unwrap();
    let req = Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, p).with_header_len(16);
    let err = req.execute(&sock).unwrap_err();
    let Error::Netlink(e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(e.errno, Errno::EOPNOTSUPP);
    let text = e
        .message()
        .expect("the kernel sends an extended ACK message");
    assert!(text.contains("Unknown device type"), "{text}");
    assert!(
        e.to_string().starts_with("netlink EOPNOTSUPP (95): "),
        "{e}"
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn ack_and_single_reply_against_the_kernel() {
    let ns = TestNs::new();
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    // create a veth pair with one ACKed request
    let mut p = vec![0u8; 16];
    let mut w = AttrWriter::new(&mut p);
    w.put_str(IFLA_IFNAME, "ve0").unwrap();
    let info = w.begin_nest(18, false);
    w.put_str(1, "veth").unwrap();
    w.end_nest(info).unwrap();
    Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, p.clone())
        .execute(&sock)
        .unwrap();
    // the same again: EEXIST, typed
    let e = Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, p)
        .execute(&sock)
        .unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EEXIST));
    // get by name: one reply, no dump
    let mut q = vec![0u8; 16];
    AttrWriter::new(&mut q).put_str(IFLA_IFNAME, "ve0").unwrap();
    let len = linx_netlink_codec::Call::new(Request::new(RTM_GETLINK, 0, q), |m: &MsgView<'_>| {
        Ok(m.kind())
    })
    .single(&sock)
    .unwrap();
    assert_eq!(len, Some(RTM_NEWLINK));
    assert!(ns.ip(&["link", "show", "ve0"]).contains("ve0"));
    // a missing name: ENODEV
    let mut q = vec![0u8; 16];
    AttrWriter::new(&mut q)
        .put_str(IFLA_IFNAME, "nope0")
        .unwrap();
    let e = linx_netlink_codec::Call::new(Request::new(RTM_GETLINK, 0, q), Discard)
        .single(&sock)
        .unwrap_err();
    assert_eq!(e.errno(), Some(Errno::ENODEV));
}

#[cfg(feature = "tokio")]
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn tokio_driver_dumps_the_same_routes() {
    let ns = TestNs::new();
    seed_routes(&ns, 1500);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sock = linx_netlink_sys::AsyncSocket::open(NETLINK_ROUTE, ns.netns()).unwrap();
        let req = Request::dump(RTM_GETROUTE, rtmsg(AF_INET)).with_header_len(12);
        let got = linx_netlink_codec::Call::new(req, is_route)
            .collect(&sock)
            .await
            .unwrap();
        assert_eq!(got.items.iter().filter(|r| **r).count(), 1500);
        // half a stream, dropped, then a full one
        let req = Request::dump(RTM_GETROUTE, rtmsg(AF_INET)).with_header_len(12);
        let mut s = linx_netlink_codec::Call::new(req.clone(), is_route).stream_async(&sock);
        assert!(s.next().await.unwrap().is_ok());
        drop(s);
        let got = linx_netlink_codec::Call::new(req, is_route)
            .collect(&sock)
            .await
            .unwrap();
        assert_eq!(got.items.len(), 1500);
        // kernel refusal through the async driver
        let mut q = vec![0u8; 16];
        AttrWriter::new(&mut q)
            .put_str(IFLA_IFNAME, "nope0")
            .unwrap();
        let e = linx_netlink_codec::Call::new(Request::new(RTM_GETLINK, 0, q), Discard)
            .single(&sock)
            .await
            .unwrap_err();
        assert_eq!(e.errno(), Some(Errno::ENODEV));
    });
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn acknowledgements_read_without_a_size_probe_are_whole() {
    // Acknowledgements are read with one syscall, bounded by their request: a refusal that
    // echoes a 120 KB request still arrives whole, alone and pipelined.
    let ns = TestNs::new();
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    sock.set_sndbuf(1 << 20).unwrap();
    let mut p = vec![0u8; 16];
    p[4..8].copy_from_slice(&0x7fff_fff0i32.to_ne_bytes()); // no such link
    for _ in 0..2 {
        let mut w = AttrWriter::new(&mut p);
        w.put(0x3000, &[0xab; 60_000]).unwrap();
    }
    let huge = Request::new(RTM_SETLINK, 0, p);
    let err = huge.clone().execute(&sock).unwrap_err();
    assert_eq!(err.errno(), Some(Errno::ENODEV));
    let out =
        <Socket as Flavor>::run(Transport::ack_all(&sock, vec![huge.clone(), huge], 2)).unwrap();
    assert_eq!(out.outcomes.len(), 2);
    for o in &out.outcomes {
        assert!(
            matches!(o, linx_netlink_codec::Outcome::Refused(e) if e.errno == Errno::ENODEV),
            "{o:?}"
        );
    }
    // And the socket is clean for a dump afterwards.
    let req = Request::dump(RTM_GETROUTE, rtmsg(AF_INET)).with_header_len(12);
    linx_netlink_codec::Call::new(req, is_route)
        .collect(&sock)
        .unwrap();
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn short_timeout_on_a_request_the_kernel_never_answers() {
    // A request without NLM_F_ACK that succeeds produces no reply at all: the per-datagram
    // timeout must fire, typed.
    let ns = TestNs::new();
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    let mut p = vec![0u8; 16];
    p[4..8].copy_from_slice(&1i32.to_ne_bytes()); // lo
    p[8..12].copy_from_slice(&1u32.to_ne_bytes()); // IFF_UP
    p[12..16].copy_from_slice(&1u32.to_ne_bytes());
    let req = Request::new(RTM_NEWLINK, 0, p).with_timeout(std::time::Duration::from_millis(200));
    let t = std::time::Instant::now();
    let mut s = linx_netlink_codec::Call::new(req, Discard).stream(&sock);
    assert!(matches!(s.next(), Some(Err(Error::Timeout(_)))));
    assert!(t.elapsed() < std::time::Duration::from_secs(3));
    assert!(ns.ip(&["link", "show", "lo"]).contains("UP"));
}

#[cfg(feature = "tokio")]
/// A verb written once over `Transport + Flavor`: blocking returns the value, tokio a future.
fn count_routes<S: linx_netlink_codec::Transport + linx_netlink_codec::Flavor>(
    sock: &S,
) -> S::Run<impl std::future::Future<Output = Result<usize, Error>> + '_> {
    S::run(async move {
        let call = linx_netlink_codec::Call::new(
            Request::dump(RTM_GETROUTE, rtmsg(AF_INET)).with_header_len(12),
            is_route,
        );
        let mut n = 0;
        sock.for_each(call, |ev| {
            if let DumpEvent::Item(true) = ev {
                n += 1
            }
        })
        .await?;
        Ok(n)
    })
}

#[cfg(feature = "tokio")]
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn one_verb_body_runs_on_both_flavours() {
    let ns = TestNs::new();
    seed_routes(&ns, 700);
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    let n: usize = count_routes(&sock).unwrap();
    assert_eq!(n, 700);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let asock = linx_netlink_sys::AsyncSocket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    let fut = count_routes(&asock);
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&fut);
    assert_eq!(rt.block_on(fut).unwrap(), 700);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn pipelined_acks_report_each_request() {
    let ns = TestNs::new();
    let sock = Socket::open(NETLINK_ROUTE, ns.netns()).unwrap();
    let route = |i: u32| {
        let mut p = vec![AF_INET, 32, 0, 0, 0, 4, 0, 6]; // /32, static, blackhole
        p.extend_from_slice(&0u32.to_ne_bytes());
        let mut w = AttrWriter::new(&mut p);
        w.put(RTA_DST, &[10, 7, (i >> 8) as u8, i as u8]).unwrap();
        w.put_u32(RTA_TABLE, 100).unwrap();
        Request::new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, p).with_header_len(12)
    };
    // request 500 duplicates request 10: EEXIST there only
    let reqs: Vec<Request> = (0..1000)
        .map(|i| route(if i == 500 { 10 } else { i }))
        .collect();
    let res = <Socket as Flavor>::run(sock.ack_all(reqs, 128)).unwrap();
    assert_eq!(res.len(), 1000);
    assert!(res.error.is_none());
    for (i, r) in res.iter().enumerate() {
        if i == 500 {
            assert_eq!(r.refusal().unwrap().errno, Errno::EEXIST);
        } else {
            assert!(r.is_applied(), "request {i}: {r:?}");
        }
    }
    let n = json_len(&ns.ip_json(&["route", "show", "table", "100"]));
    assert_eq!(n, 999);
}
