//! Partial failure under pressure, against the real kernel: pipelined route adds on a socket
//! with a tiny receive buffer (the window sized to fit it; then a window forced far past it,
//! so ACKs are lost to `ENOBUFS` and recovered from), and address dumps while addresses churn
//! (`NLM_F_DUMP_INTR` and its retries). The overflow runs on both drivers (blocking, and
//! tokio with the `tokio` feature). Each test makes its own throwaway namespace and
//! cross-checks with `ip -j`; each then checks that the same socket still works.
//!
//! Kernel tests are ignored for a bare `cargo test`: run them with `cargo xtask test`, or as
//! root / under `unshare -r` with `-- --include-ignored`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use linx_netlink_codec::pipeline::AckPipeline;
use linx_netlink_codec::{Errno, Flavor, Outcome, Outcomes, Request, Transport};
use linx_netlink_sys::Socket;
use linx_rtnl::addr::{self, AddrOptions};
use linx_rtnl::link;
use linx_rtnl::route::{self, RouteSpec, RouteType};
use linx_testns::TestNs;
use serde_json::Value;

/// The receive buffer the pipelines run with (the kernel doubles it, and has a floor).
const TINY_RCVBUF: usize = 4096;

fn json(s: &str) -> Vec<Value> {
    match serde_json::from_str(s) {
        Ok(Value::Array(v)) => v,
        other => panic!("ip -j printed no JSON array ({other:?}): {s}"),
    }
}

/// The destinations of table `table` as `ip -j route show table <table>` lists them, in
/// `address/prefix` form (`ip` leaves `/32` off).
fn ip_destinations(ns: &TestNs, table: u32) -> BTreeSet<String> {
    json(&ns.ip_json(&["route", "show", "table", &table.to_string()]))
        .iter()
        .map(|r| {
            let dst = r["dst"].as_str().unwrap_or_else(|| panic!("no dst: {r}"));
            if dst.contains('/') {
                dst.to_string()
            } else {
                format!("{dst}/32")
            }
        })
        .collect()
}

/// The destinations of table `table` as Linx lists them on `sock`.
fn linx_destinations(sock: &Socket, table: u32) -> BTreeSet<String> {
    route::list(sock)
        .unwrap()
        .iter()
        .filter(|r| r.table() == table)
        .map(|r| r.destination().unwrap().to_string())
        .collect()
}

/// `10.a.b.c/28` for route `i` (4096 distinct /28s per second octet).
fn dst28(i: u32) -> String {
    format!(
        "10.{}.{}.{}/28",
        (i >> 12) & 255,
        (i >> 4) & 255,
        (i & 15) << 4
    )
}

/// Opens a socket in `ns` with a tiny receive buffer and returns it with what was granted.
fn tiny_socket(ns: &TestNs) -> (Socket, usize) {
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    let granted = sock.set_rcvbuf(TINY_RCVBUF).unwrap();
    assert_eq!(granted, sock.rcvbuf().unwrap());
    // Linux grants twice the request (and at least SOCK_MIN_RCVBUF): whatever it is, it
    // must be small for these tests to mean anything.
    assert!(
        granted <= 4 * TINY_RCVBUF,
        "asked for a {TINY_RCVBUF}-byte receive buffer, got {granted}"
    );
    (sock, granted)
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn add_many_with_a_tiny_rcvbuf_reports_each_route_like_ip() {
    let ns = TestNs::new();
    ns.ip_batch(
        "link add ve0 type veth peer name ve1\n\
         link set ve0 up\n\
         link set ve1 up\n\
         addr add 192.0.2.1/24 dev ve0\n",
    );
    let (sock, granted) = tiny_socket(&ns);
    let mut specs: Vec<RouteSpec> = (0..3000u32)
        .map(|i| {
            RouteSpec::new(dst28(i).as_str())
                .via("192.0.2.2")
                .dev("ve0")
                .table(100)
                .protocol(76)
        })
        .collect();
    // Duplicates of routes added earlier in the same call: EEXIST at these indices only
    // (including the very first and the very last request of the pipeline).
    let planted: BTreeSet<usize> = [1, 7, 8, 999, 1500, 2222, 3006].into();
    for &at in &planted {
        let original = specs[at / 3].clone();
        specs.insert(at, original);
    }
    assert_eq!(specs.len(), 3000 + planted.len());

    let t = Instant::now();
    let res = route::add_many(&sock, &specs).unwrap();
    let took = t.elapsed();
    eprintln!(
        "add_many: {} routes with a {granted}-byte receive buffer in {took:?}, {} overflows",
        specs.len(),
        res.overflows
    );
    assert!(res.error.is_none(), "pipeline stopped: {:?}", res.error);
    assert_eq!(
        res.overflows, 0,
        "the window was sized to fit, yet ACKs were lost"
    );
    assert_eq!(res.len(), specs.len());

    let mut applied = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for (i, (o, spec)) in res.iter().zip(&specs).enumerate() {
        match o {
            Outcome::Applied => {
                assert!(
                    applied.insert(spec.dst().unwrap().to_string()),
                    "route {i} ({spec}) applied twice"
                );
            }
            Outcome::Refused(e) => {
                assert_eq!(e.errno(), Some(Errno::EEXIST), "route {i}: {e}");
                let text = e.to_string();
                assert!(text.contains("already exists"), "route {i}: {text}");
                refused.insert(i);
            }
            other => panic!("route {i} ({spec}): {other}"),
        }
    }
    assert_eq!(refused, planted);
    assert_eq!(applied.len(), 3000);
    let theirs = ip_destinations(&ns, 100);
    assert_eq!(applied, theirs, "applied routes differ from ip -j route");

    // The same socket, right after the pipeline: a dump and a link list, both correct.
    assert_eq!(linx_destinations(&sock, 100), theirs);
    let ours: BTreeSet<String> = link::list(&sock)
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    let theirs: BTreeSet<String> = json(&ns.ip_json(&["link", "show"]))
        .iter()
        .map(|l| l["ifname"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ours, theirs);
    assert!(ours.contains("ve0") && ours.contains("ve1"), "{ours:?}");
}

/// Requests in the overflow tests, and their window: far past what a tiny receive buffer
/// holds ACKs for (`ack_all` would size the window to the buffer, a handful of requests
/// here, so these tests drive the pipeline itself).
const OVERFLOW_ROUTES: u32 = 3000;
const OVERFLOW_WINDOW: usize = 2000;

/// The routes the overflow tests add (blackholes in table 101) and their requests.
fn overflow_routes() -> (Vec<RouteSpec>, Vec<Request>) {
    let specs: Vec<RouteSpec> = (0..OVERFLOW_ROUTES)
        .map(|i| {
            RouteSpec::new(dst28(i).as_str())
                .route_type(RouteType::Blackhole)
                .table(101)
        })
        .collect();
    let reqs = specs
        .iter()
        .map(|s| route::add_request(s, None).unwrap())
        .collect();
    (specs, reqs)
}

/// Checks the outcomes of an overflowing pipeline against `ip -j` and returns what `ip`
/// lists in table 101.
fn check_overflow(
    ns: &TestNs,
    specs: &[RouteSpec],
    res: &Outcomes,
    granted: usize,
    took: Duration,
) -> BTreeSet<String> {
    let mut counts = BTreeMap::new();
    for o in res.iter() {
        let k = match o {
            Outcome::Applied => "applied",
            Outcome::Refused(_) => "refused",
            Outcome::Unknown => "unknown",
            Outcome::NotSent => "not sent",
        };
        *counts.entry(k).or_insert(0usize) += 1;
    }
    eprintln!(
        "window {OVERFLOW_WINDOW}, {granted}-byte receive buffer: {} overflows in {took:?}, \
         outcomes {counts:?}, error {:?}",
        res.overflows, res.error
    );
    assert_eq!(res.len(), specs.len());
    assert!(
        res.overflows >= 1,
        "no ENOBUFS with a window of {OVERFLOW_WINDOW} and a {granted}-byte receive buffer: \
         the test did not exercise the overflow path"
    );
    assert!(
        res.error.is_none(),
        "the pipeline stopped after an overflow instead of going on: {:?} (outcomes {counts:?})",
        res.error
    );
    let theirs = ip_destinations(ns, 101);
    for (i, (o, spec)) in res.iter().zip(specs).enumerate() {
        let dst = spec.dst().unwrap().to_string();
        match o {
            Outcome::Applied => assert!(
                theirs.contains(&dst),
                "route {i} {dst}: applied, not in ip -j"
            ),
            Outcome::Unknown => {}
            other => panic!(
                "route {i} {dst} ({}in ip -j): {other}",
                if theirs.contains(&dst) { "" } else { "not " }
            ),
        }
    }
    // Every request was sent (the pipeline goes on after each overflow), so each is applied
    // or unknown; and the kernel applied them all.
    assert_eq!(
        counts.get("applied").unwrap_or(&0) + counts.get("unknown").unwrap_or(&0),
        specs.len()
    );
    assert!(counts.get("unknown").is_some_and(|&n| n > 0), "{counts:?}");
    assert_eq!(theirs.len(), specs.len());
    theirs
}

/// What the kernel does (net/netlink/af_netlink.c): the ACK that does not fit sets the
/// socket's `NETLINK_S_CONGESTED` bit and `ENOBUFS`, reported once by the next `recv`; while
/// the bit is set every further message for the socket is dropped, and only a `recv` that
/// leaves the queue empty clears it. So a probe sent while ACKs are still queued is dropped
/// too, silently.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn pipeline_overflow_reports_unknown_and_leaves_the_socket_clean() {
    let ns = TestNs::new();
    let (sock, granted) = tiny_socket(&ns);
    let (specs, reqs) = overflow_routes();
    let t = Instant::now();
    let res = <Socket as Flavor>::run(sock.drive(AckPipeline::new(reqs, OVERFLOW_WINDOW)));
    let took = t.elapsed();
    let theirs = check_overflow(&ns, &specs, &res.unwrap(), granted, took);
    // No late ACK of the pipeline reaches the next exchanges on the same socket.
    assert_eq!(linx_destinations(&sock, 101), theirs);
    assert!(link::list(&sock).unwrap().iter().any(|l| l.name == "lo"));
}

/// The same on the tokio driver, which has its own receive loop.
#[cfg(feature = "tokio")]
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn pipeline_overflow_on_tokio_reports_unknown_and_leaves_the_socket_clean() {
    let ns = TestNs::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sock = linx_rtnl::open_async(ns.netns()).unwrap();
        let granted = sock.get_ref().set_rcvbuf(TINY_RCVBUF).unwrap();
        assert!(granted <= 4 * TINY_RCVBUF, "{granted}");
        let (specs, reqs) = overflow_routes();
        let t = Instant::now();
        let res = sock.drive(AckPipeline::new(reqs, OVERFLOW_WINDOW)).await;
        let took = t.elapsed();
        let theirs = check_overflow(&ns, &specs, &res.unwrap(), granted, took);
        let ours: BTreeSet<String> = route::list(&sock)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.table() == 101)
            .map(|r| r.destination().unwrap().to_string())
            .collect();
        assert_eq!(ours, theirs);
        assert!(
            link::list(&sock)
                .await
                .unwrap()
                .iter()
                .any(|l| l.name == "lo")
        );
    });
}

/// `10.77.x.y/32` for address `i`: every address its own subnet, so each is primary and
/// deleting one never takes others with it.
fn churn_addr(i: u32) -> linx_ip::Subnet {
    format!("10.77.{}.{}/32", i >> 8, i & 255).parse().unwrap()
}

/// How many IPv4 addresses of `addrs` are on link `index`.
fn v4_on(addrs: &[linx_rtnl::Address], index: u32) -> usize {
    addrs
        .iter()
        .filter(|a| a.index == index && a.family == 2)
        .count()
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn dumps_survive_address_churn() {
    const ADDRS: u32 = 2000;
    const CHURNED: u32 = 500;
    const DUMPS: usize = 400;
    // Churn comes in bursts of 100 changes with a 5 ms rest: ~10k changes a second, which
    // interrupts about half the dumps. Retries back off (1 ms doubling to 64 ms), so they
    // land in the rests. Measured in a debug build (a quiet dump takes ~3 ms): 1 ms rests
    // (~16k changes/s, nearly continuous) 89% succeed, 3 ms 99.8%, 5-10 ms 100%.
    const CHURN_BURST: usize = 50;
    const CHURN_GAP: Duration = Duration::from_millis(5);
    let ns = TestNs::new();
    let mut script = String::from(
        "link set lo up\n\
         link add t0 type veth peer name t1\n\
         link set t0 up\n\
         link set t1 up\n",
    );
    for i in 0..ADDRS {
        script.push_str(&format!("addr add {} dev t0\n", churn_addr(i)));
    }
    ns.ip_batch(&script);
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    let t0 = link::get(&sock, "t0").unwrap().index;
    assert_eq!(
        v4_on(&addr::list(&sock).unwrap(), t0),
        ADDRS as usize,
        "seeding"
    );

    let t = Instant::now();
    for _ in 0..10 {
        addr::list(&sock).unwrap();
    }
    let quiet = t.elapsed() / 10;

    // The churn: another socket deletes CHURN_BURST of the last CHURNED addresses and adds
    // them back (two pipelines), rests CHURN_GAP, and goes on with the next ones, round and
    // round, until the dumps are done.
    let stop = AtomicBool::new(false);
    let changes = AtomicU64::new(0);
    let dels: Vec<Request> = (ADDRS - CHURNED..ADDRS)
        .map(|i| addr::delete_request(t0, churn_addr(i)).unwrap())
        .collect();
    let adds: Vec<Request> = (ADDRS - CHURNED..ADDRS)
        .map(|i| addr::add_request(t0, churn_addr(i), &AddrOptions::new()).unwrap())
        .collect();
    let mut histogram: BTreeMap<u32, usize> = BTreeMap::new();
    let mut failed: BTreeMap<u32, usize> = BTreeMap::new();
    let t = Instant::now();
    std::thread::scope(|s| {
        let churn = s.spawn(|| {
            let sock = linx_rtnl::open(ns.netns()).unwrap();
            while !stop.load(Ordering::Relaxed) {
                for (d, a) in dels.chunks(CHURN_BURST).zip(adds.chunks(CHURN_BURST)) {
                    for reqs in [d, a] {
                        let res =
                            <Socket as Flavor>::run(sock.ack_all(reqs.to_vec(), 128)).unwrap();
                        assert!(
                            res.all_applied(),
                            "churn: {:?}",
                            res.iter().find(|o| !o.is_applied())
                        );
                        changes.fetch_add(reqs.len() as u64, Ordering::Relaxed);
                    }
                    std::thread::sleep(CHURN_GAP);
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                }
            }
        });
        // Stop the churn however the dumps end (a failed assertion included).
        struct Stop<'a>(&'a AtomicBool);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let _stop = Stop(&stop);
        for n in 0..DUMPS {
            match addr::list_call().collect(&sock) {
                Ok(d) => {
                    *histogram.entry(d.retries).or_insert(0) += 1;
                    let mut seen = BTreeSet::new();
                    for a in &d.items {
                        assert!(
                            seen.insert((a.index, a.family, a.ip())),
                            "dump {n}: {a} listed twice"
                        );
                    }
                    let on_t0 = v4_on(&d.items, t0);
                    assert!(
                        ((ADDRS - CHURNED) as usize..=ADDRS as usize).contains(&on_t0),
                        "dump {n}: {on_t0} IPv4 addresses on t0"
                    );
                }
                Err(linx_netlink_codec::Error::DumpInterrupted { attempts }) => {
                    *failed.entry(attempts).or_insert(0) += 1;
                }
                Err(e) => panic!("dump {n}: {e}"),
            }
        }
        drop(_stop);
        churn.join().unwrap();
    });
    let took = t.elapsed();
    let ok = DUMPS - failed.values().sum::<usize>();
    let retried: usize = histogram.range(1..).map(|(_, n)| n).sum();
    eprintln!(
        "{DUMPS} dumps of {ADDRS} addresses (a quiet one takes {quiet:?}) in {took:?}, \
         while {} addresses were deleted or added: {ok} succeeded ({:.1}%), {retried} of them \
         after retries; retries histogram {histogram:?}; failed (by attempts) {failed:?}",
        changes.load(Ordering::Relaxed),
        100.0 * ok as f64 / DUMPS as f64
    );
    assert!(
        changes.load(Ordering::Relaxed) > 0,
        "the churn never changed anything"
    );
    assert!(
        ok * 100 >= DUMPS * 99,
        "only {ok} of {DUMPS} dumps succeeded (retries {histogram:?}, failed {failed:?})"
    );
    assert!(
        retried >= DUMPS / 100,
        "only {retried} dumps were interrupted: the churn did not exercise NLM_F_DUMP_INTR"
    );
    // The socket is clean afterwards, and the churned addresses are all back.
    let ours = v4_on(&addr::list(&sock).unwrap(), t0);
    let theirs = json(&ns.ip_json(&["-4", "addr", "show", "dev", "t0"]))[0]["addr_info"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!((ours, theirs), (ADDRS as usize, ADDRS as usize));
}
