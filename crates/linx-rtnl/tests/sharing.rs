//! One socket, many callers: threads sharing a blocking `&Socket` and tokio tasks sharing an
//! `Arc<AsyncSocket>` each get exactly their own replies; a long dump on tokio yields to the
//! runtime and a `tokio::time::timeout` around it fires; a dump abandoned midway (a dropped
//! stream or future) leaves the socket usable, and a second exchange on the thread that holds
//! an unfinished stream is refused with `Busy` instead of deadlocking.
//!
//! Kernel tests in throwaway namespaces, cross-checked with `ip -j`. They are ignored for a
//! bare `cargo test`: run them with `cargo xtask test`, or as root / under `unshare -r` with
//! `cargo test -p linx-rtnl --all-features --test sharing -- --include-ignored`.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use linx_netlink_codec::{DumpEvent, Dumped};
use linx_rtnl::route::{self, Route};
use linx_rtnl::{Address, Error, Link, addr, link};
use linx_testns::TestNs;
use serde_json::Value;

// ============================================================================== helpers

fn json(s: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(s)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// iproute2's table name as a number (`ip -j` omits the table of main-table routes).
fn table_id(v: &Value) -> u32 {
    match v.as_str() {
        None | Some("main") => 254,
        Some("local") => 255,
        Some("default") => 253,
        Some(n) => n.parse().unwrap_or_else(|_| panic!("table {n:?}")),
    }
}

/// One route as `ip -j` prints it, as a comparable key: family, table, type, destination
/// (with its prefix length) and device.
fn ip_route_key(family: u8, r: &Value) -> String {
    let dst = r["dst"].as_str().unwrap();
    let dst = match (dst, family) {
        ("default", 4) => "0.0.0.0/0".to_string(),
        ("default", _) => "::/0".to_string(),
        (d, 4) if !d.contains('/') => format!("{d}/32"),
        (d, _) if !d.contains('/') => format!("{d}/128"),
        (d, _) => d.to_string(),
    };
    format!(
        "{family} {} {} {dst} {}",
        table_id(&r["table"]),
        r["type"].as_str().unwrap_or("unicast"),
        r["dev"].as_str().unwrap_or("-"),
    )
}

/// The same key for a route read by Linx; `names` maps link indexes to names.
fn route_key(r: &Route, names: &BTreeMap<u32, String>) -> String {
    let family = match r.family {
        2 => 4,
        10 => 6,
        f => panic!("unexpected family {f}: {r}"),
    };
    format!(
        "{family} {} {} {} {}",
        r.table(),
        r.route_type,
        r.destination().unwrap(),
        r.oif.map_or("-", |i| names[&i].as_str()),
    )
}

/// Every route of the namespace according to `ip -j` (IPv4 and IPv6, all tables), sorted.
fn ip_routes(ns: &TestNs) -> Vec<String> {
    let mut keys: Vec<String> = json(&ns.ip_json(&["-4", "route", "show", "table", "all"]))
        .iter()
        .map(|r| ip_route_key(4, r))
        .collect();
    keys.extend(
        json(&ns.ip_json(&["-6", "route", "show", "table", "all"]))
            .iter()
            .map(|r| ip_route_key(6, r)),
    );
    keys.sort();
    keys
}

fn link_key(l: &Link) -> String {
    format!("{} {}", l.index, l.name)
}

fn addr_key(a: &Address) -> String {
    format!("{} {}", a.index, a.subnet().unwrap())
}

/// What the namespace holds, read once by Linx on a socket no one else uses, and checked
/// against `ip -j` (counts and identities).
struct Expected {
    links: Vec<Link>,
    routes: Vec<Route>,
    addrs: Vec<Address>,
}

impl Expected {
    fn read(ns: &TestNs, sock: &linx_netlink_sys::Socket) -> Expected {
        let links = link::list(sock).unwrap().into_vec();
        let routes = route::list(sock).unwrap().into_vec();
        let addrs = addr::list(sock).unwrap().into_vec();
        let names: BTreeMap<u32, String> =
            links.iter().map(|l| (l.index, l.name.clone())).collect();

        let ip_links = json(&ns.ip_json(&["link", "show"]));
        let mut theirs: Vec<String> = ip_links
            .iter()
            .map(|l| format!("{} {}", l["ifindex"], l["ifname"].as_str().unwrap()))
            .collect();
        let mut ours: Vec<String> = links.iter().map(link_key).collect();
        theirs.sort();
        ours.sort();
        assert_eq!(ours, theirs, "links: Linx vs ip -j");

        let mut theirs: Vec<String> = json(&ns.ip_json(&["addr", "show"]))
            .iter()
            .flat_map(|l| {
                let index = l["ifindex"].clone();
                l["addr_info"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |a| {
                        format!(
                            "{index} {}/{}",
                            a["local"].as_str().unwrap(),
                            a["prefixlen"]
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut ours: Vec<String> = addrs.iter().map(addr_key).collect();
        theirs.sort();
        ours.sort();
        assert_eq!(ours, theirs, "addresses: Linx vs ip -j");

        let mut ours: Vec<String> = routes.iter().map(|r| route_key(r, &names)).collect();
        ours.sort();
        let theirs = ip_routes(ns);
        assert_eq!(ours.len(), theirs.len(), "route count: Linx vs ip -j");
        assert_eq!(ours, theirs, "routes: Linx vs ip -j");

        // The namespace is quiet (no link is up but lo): a second read is identical, so any
        // later difference is the socket's doing, not the kernel's.
        assert!(link::list(sock).unwrap() == links, "links changed");
        assert!(route::list(sock).unwrap() == routes, "routes changed");
        assert!(addr::list(sock).unwrap() == addrs, "addresses changed");
        Expected {
            links,
            routes,
            addrs,
        }
    }

    fn link(&self, name: &str) -> &Link {
        self.links.iter().find(|l| l.name == name).unwrap()
    }

    /// Panics unless `got` is exactly what the namespace holds, naming the caller.
    fn check_links(&self, who: &str, got: Result<Dumped<Link>, Error>) {
        let got = got.unwrap_or_else(|e| panic!("{who}: link::list: {e}"));
        // The first link that differs, both ways, so a failure says what changed.
        let first_diff = got
            .iter()
            .zip(self.links.iter())
            .find(|(g, w)| g != w)
            .map(|(g, w)| format!("got {g:?}\nwant {w:?}"));
        assert!(
            got == self.links,
            "{who}: link::list returned {} links, want {}: {:?}\n{}",
            got.len(),
            self.links.len(),
            got.iter().map(link_key).collect::<Vec<_>>(),
            first_diff.unwrap_or_default()
        );
    }

    fn check_routes(&self, who: &str, got: Result<Dumped<Route>, Error>) {
        let got = got.unwrap_or_else(|e| panic!("{who}: route::list: {e}"));
        assert!(
            got == self.routes,
            "{who}: route::list returned {} routes, want {}",
            got.len(),
            self.routes.len()
        );
    }

    fn check_addrs(&self, who: &str, got: Result<Dumped<Address>, Error>) {
        let got = got.unwrap_or_else(|e| panic!("{who}: addr::list: {e}"));
        assert!(
            got == self.addrs,
            "{who}: addr::list returned {} addresses, want {}: {:?}",
            got.len(),
            self.addrs.len(),
            got.iter().map(addr_key).collect::<Vec<_>>()
        );
    }

    fn check_get(&self, who: &str, name: &str, got: Result<Link, Error>) {
        let got = got.unwrap_or_else(|e| panic!("{who}: link::get({name}): {e}"));
        let want = self.link(name);
        assert_eq!(
            (
                got.index,
                got.name.as_str(),
                got.mtu,
                got.address,
                got.flags
            ),
            (
                want.index,
                want.name.as_str(),
                want.mtu,
                want.address,
                want.flags
            ),
            "{who}: link::get({name})"
        );
    }
}

/// lo up, 20 veth pairs (down, so nothing changes while the test reads: 41 links), 60
/// addresses and ~440 routes over tables main, 100, 101 and 200, IPv4 and IPv6. Returns the
/// veth names.
fn seed_mixed(ns: &TestNs) -> Vec<String> {
    let mut s = String::from("link set lo up\n");
    let mut names = Vec::new();
    for i in 0..20 {
        s.push_str(&format!(
            "link add sa{i} type veth peer name sb{i}\n\
             addr add 10.{i}.0.1/24 dev sa{i}\n\
             addr add 10.{i}.1.1/24 dev sb{i}\n\
             addr add fd00:{i:x}::1/64 dev sa{i} nodad\n"
        ));
        names.push(format!("sa{i}"));
        names.push(format!("sb{i}"));
    }
    for j in 0..200 {
        s.push_str(&format!("route add blackhole 10.100.{j}.0/24 table 100\n"));
    }
    for j in 0..100 {
        s.push_str(&format!(
            "route add unreachable 10.101.{j}.0/24 table 101\n\
             route add prohibit fd10:{j:x}::/64 table 200\n"
        ));
    }
    for j in 0..40 {
        s.push_str(&format!("route add blackhole 10.200.{j}.0/24\n"));
    }
    ns.ip_batch(&s);
    names
}

/// `n` blackhole /32 routes in table 100 (10.0.0.0 upwards), through `ip -batch`; lo stays
/// down, so these are all the namespace's routes.
fn seed_routes(ns: &TestNs, n: u32) {
    let mut s = String::with_capacity(n as usize * 48);
    for i in 0..n {
        s.push_str(&format!(
            "route add blackhole 10.{}.{}.{}/32 table 100\n",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        ));
    }
    ns.ip_batch(&s);
}

/// The routes of [`seed_routes`], read by Linx and checked against `ip -j`.
fn expected_routes(ns: &TestNs, sock: &linx_netlink_sys::Socket, n: usize) -> Vec<Route> {
    let routes = route::list(sock).unwrap().into_vec();
    assert_eq!(routes.len(), n);
    let names = BTreeMap::new();
    let mut ours: Vec<String> = routes.iter().map(|r| route_key(r, &names)).collect();
    ours.sort();
    assert_eq!(ours, ip_routes(ns), "routes: Linx vs ip -j");
    routes
}

fn assert_routes(what: &str, got: Result<Dumped<Route>, Error>, want: &[Route]) {
    let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        got.items == want,
        "{what}: {} routes, want {}",
        got.len(),
        want.len()
    );
}

fn assert_busy<T: std::fmt::Debug>(what: &str, r: Result<T, Error>) {
    match r {
        Err(Error::Request(linx_netlink_codec::Error::Busy)) => {}
        other => panic!("{what}: want Err(Busy), got {other:?}"),
    }
}

/// Poll `fut` once with a waker that does nothing.
fn poll_once<F: Future>(fut: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

// ========================================================================= kernel tests

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn shared_blocking_socket_serves_16_threads_exactly() {
    let t0 = Instant::now();
    let ns = TestNs::new();
    let names = seed_mixed(&ns);
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    let want = Expected::read(&ns, &sock);
    assert_eq!(want.links.len(), 41);
    assert_eq!(want.addrs.len(), 20 * 3 + 2); // + lo's 127.0.0.1 and ::1
    assert!(want.routes.len() >= 440, "{}", want.routes.len());

    const THREADS: usize = 16;
    const CALLS: usize = 30;
    let start = Barrier::new(THREADS);
    let (want, names, sock, start) = (&want, &names, &sock, &start);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                start.wait();
                for i in 0..CALLS {
                    let who = format!("thread {t} call {i}");
                    match (t + i) % 4 {
                        0 => want.check_links(&who, link::list(sock)),
                        1 => want.check_routes(&who, route::list(sock)),
                        2 => want.check_addrs(&who, addr::list(sock)),
                        _ => {
                            let name = &names[(t * 7 + i) % names.len()];
                            want.check_get(&who, name, link::get(sock, name));
                        }
                    }
                }
            });
        }
    });
    // Still exact afterwards, for anyone.
    want.check_routes("after", route::list(sock));
    eprintln!("16 threads x 30 calls: {:?}", t0.elapsed());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn shared_async_socket_serves_64_tasks_exactly() {
    let t0 = Instant::now();
    let ns = TestNs::new();
    let names = Arc::new(seed_mixed(&ns));
    let want = {
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        Arc::new(Expected::read(&ns, &sock))
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _g = rt.enter();
    let sock = Arc::new(linx_rtnl::open_async(ns.netns()).unwrap());

    const TASKS: usize = 64;
    const CALLS: usize = 12;
    rt.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let (sock, want, names) = (sock.clone(), want.clone(), names.clone());
                tokio::spawn(async move {
                    for i in 0..CALLS {
                        let who = format!("task {t} call {i}");
                        match (t + i) % 4 {
                            0 => want.check_links(&who, link::list(&*sock).await),
                            1 => want.check_routes(&who, route::list(&*sock).await),
                            2 => want.check_addrs(&who, addr::list(&*sock).await),
                            _ => {
                                let name = &names[(t * 7 + i) % names.len()];
                                want.check_get(&who, name, link::get(&*sock, name).await);
                            }
                        }
                    }
                })
            })
            .collect();
        let all = async {
            for (t, task) in tasks.into_iter().enumerate() {
                if let Err(e) = task.await {
                    match e.try_into_panic() {
                        Ok(p) => std::panic::resume_unwind(p),
                        Err(e) => panic!("task {t}: {e}"),
                    }
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), all)
            .await
            .expect("64 tasks did not finish in 60 s (a lost wake-up at the gate?)");
        want.check_routes("after", route::list(&*sock).await);
    });
    eprintln!("64 tasks x 12 calls: {:?}", t0.elapsed());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn long_dump_does_not_starve_a_current_thread_runtime() {
    const ROUTES: u32 = 20_000;
    let t0 = Instant::now();
    let ns = TestNs::new();
    seed_routes(&ns, ROUTES);
    let want = {
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        expected_routes(&ns, &sock, ROUTES as usize)
    };
    let seeded = t0.elapsed();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _g = rt.enter();
    let sock = linx_rtnl::open_async(ns.netns()).unwrap();
    const DUMPS: usize = 10;
    const TRIES: usize = 20;
    // A dump this long must let a 1 ms ticker run at least once.
    const LONG: Duration = Duration::from_millis(5);
    let (per_dump, elapsed) = rt.block_on(async {
        let ticks = Arc::new(AtomicU64::new(0));
        let ticker = tokio::spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        // Let the ticker start and arm its first sleep.
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(ticks.load(Ordering::Relaxed) > 0, "the ticker never ran");

        // The ticker runs while dumps are in progress: they yield to the runtime.
        let mut per_dump = Vec::with_capacity(DUMPS);
        for i in 0..DUMPS {
            let before = ticks.load(Ordering::Relaxed);
            let t = Instant::now();
            let got = route::list(&sock).await;
            per_dump.push((t.elapsed(), ticks.load(Ordering::Relaxed) - before));
            assert_routes(&format!("dump {i}"), got, &want);
        }

        // A 1 ms timeout around a dump that takes longer fires, and the socket stays right.
        let mut elapsed = 0;
        for i in 0..TRIES {
            match tokio::time::timeout(Duration::from_millis(1), route::list(&sock)).await {
                Err(_) => elapsed += 1,
                Ok(got) => assert_routes(&format!("timed dump {i} (finished)"), got, &want),
            }
            assert_routes(
                &format!("dump after timed dump {i}"),
                route::list(&sock).await,
                &want,
            );
        }
        ticker.abort();
        (per_dump, elapsed)
    });
    eprintln!(
        "seeded {ROUTES} routes in {seeded:?}; (dump time, ticks during it): {per_dump:?}; \
         1 ms timeouts fired {elapsed}/{TRIES}; total {:?}",
        t0.elapsed()
    );
    let mut failures = Vec::new();
    let ticks: u64 = per_dump.iter().map(|&(_, n)| n).sum();
    if ticks == 0 {
        failures.push(format!(
            "a 1 ms ticker never ran during {DUMPS} dumps of {ROUTES} routes"
        ));
    }
    // One long dump without a tick can be the machine, not Linx (the runtime thread was
    // descheduled for the whole dump on a loaded 2-core VM); a dump that never yields
    // starves every time. So: most long dumps must have let the ticker run.
    let long = per_dump.iter().filter(|&&(t, _)| t >= LONG).count();
    let starved: Vec<_> = per_dump
        .iter()
        .filter(|&&(t, n)| t >= LONG && n == 0)
        .collect();
    if starved.len() * 2 > long {
        failures.push(format!(
            "{} of {DUMPS} dumps of {ROUTES} routes took {LONG:?} or more and never let a \
             1 ms ticker run (the dump does not yield to the runtime): {starved:?}",
            starved.len()
        ));
    }
    if elapsed == 0 {
        failures.push(format!(
            "tokio::time::timeout(1 ms) never fired around a {ROUTES}-route dump in {TRIES} \
             tries ({:?} per dump)",
            per_dump[0].0
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn dropped_future_or_stream_mid_dump_leaves_socket_usable() {
    const ROUTES: u32 = 5_000;
    let t0 = Instant::now();
    let ns = TestNs::new();
    seed_routes(&ns, ROUTES);
    ns.ip_batch("link add sa0 type veth peer name sb0\n");
    let ip_links: BTreeSet<String> = json(&ns.ip_json(&["link", "show"]))
        .iter()
        .map(|l| l["ifname"].as_str().unwrap().to_string())
        .collect();
    let link_names = |got: Result<Dumped<Link>, Error>| -> BTreeSet<String> {
        got.unwrap().into_iter().map(|l| l.name).collect()
    };

    // ---- blocking
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    let want = expected_routes(&ns, &sock, ROUTES as usize);
    for read in [0, 1, 3, 1000, 4999] {
        let mut s = route::list_call().stream(&sock);
        for (k, w) in want.iter().enumerate().take(read) {
            match s.next() {
                Some(Ok(DumpEvent::Item(r))) => assert_eq!(&r, w),
                other => panic!("event {k}: {other:?}"),
            }
        }
        // This thread holds the socket through its unfinished stream: a second exchange is
        // refused at once, not deadlocked.
        assert_busy("route::list during a stream", route::list(&sock));
        assert_busy("link::list during a stream", link::list(&sock));
        assert_busy("link::get during a stream", link::get(&sock, "lo"));
        drop(s);
        assert_routes(
            &format!("route::list after a stream dropped at {read}"),
            route::list(&sock),
            &want,
        );
        assert_eq!(link_names(link::list(&sock)), ip_links);
    }
    // Another thread waits for the stream instead, and is served once it is dropped.
    let mut s = route::list_call().stream(&sock);
    assert!(matches!(s.next(), Some(Ok(DumpEvent::Item(_)))));
    std::thread::scope(|scope| {
        let other = scope.spawn(|| route::list(&sock));
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            !other.is_finished(),
            "served while the stream held the socket"
        );
        drop(s);
        assert_routes(
            "the waiting thread's route::list",
            other.join().unwrap(),
            &want,
        );
    });
    assert_eq!(link_names(link::list(&sock)), ip_links);
    drop(sock);

    // ---- tokio
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _g = rt.enter();
    let sock = linx_rtnl::open_async(ns.netns()).unwrap();
    rt.block_on(async {
        // How much budget a fresh poll has (128 in tokio 1.x).
        tokio::task::yield_now().await;
        let mut budget = 0;
        while tokio::task::coop::has_budget_remaining() {
            tokio::task::consume_budget().await;
            budget += 1;
        }
        assert!(budget > 4, "budget {budget}");

        // `left` units of budget left: 0 drops the future right after its request was sent,
        // 2 and 4 after it read a datagram or a few of the reply.
        for left in [0, 2, 4] {
            tokio::task::yield_now().await; // a fresh budget
            for _ in 0..budget - left {
                tokio::task::consume_budget().await;
            }
            {
                let mut fut = pin!(route::list(&sock));
                assert!(
                    poll_once(fut.as_mut()).is_pending(),
                    "a {ROUTES}-route dump finished with {left} units of budget"
                );
                // Still pending on a second poll: the budget is spent.
                assert!(poll_once(fut.as_mut()).is_pending());
            } // dropped mid-dump
            assert_routes(
                &format!("route::list after a future dropped with {left} budget left"),
                route::list(&sock).await,
                &want,
            );
            assert_eq!(link_names(link::list(&sock).await), ip_links);
        }

        // A stream dropped after a few items.
        for read in [1, 700, 2500] {
            let mut s = route::list_call().stream_async(&sock);
            for (k, w) in want.iter().enumerate().take(read) {
                match s.next().await {
                    Some(Ok(DumpEvent::Item(r))) => assert_eq!(&r, w),
                    other => panic!("event {k}: {other:?}"),
                }
            }
            drop(s);
            assert_routes(
                &format!("route::list after an async stream dropped at {read}"),
                route::list(&sock).await,
                &want,
            );
        }

        // select! against a timer that is already due: the dump is cancelled before or while
        // it runs, or finishes first; either way the socket stays right.
        for i in 0..5 {
            tokio::select! {
                biased;
                _ = tokio::time::sleep(Duration::ZERO) => {}
                got = route::list(&sock) => assert_routes("select", got, &want),
            }
            assert_routes(
                &format!("route::list after select {i}"),
                route::list(&sock).await,
                &want,
            );
        }
        assert_eq!(link_names(link::list(&sock).await), ip_links);
    });
    eprintln!("dropped dumps: {:?}", t0.elapsed());
}
