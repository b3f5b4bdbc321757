//! The scale scenarios of watching and converging rtnetlink: monitor throughput, one
//! reconcile pass over many owned routes with a little drift, and one process reconciling
//! many namespaces.
//!
//! Why here and not in tests: performance figures come from a release binary run on a quiet
//! machine, several times, never from timed tests. Each command prints one line of
//! `key=value` pairs, like the harness commands in `main.rs`.
//!
//! # Contract
//! - Each command works in the namespace it runs in (`monitor-burst`, `reconcile-drift`:
//!   start it under `unshare -n`) or in namespaces it creates and removes itself
//!   (`reconcile-netns`: helper threads that `unshare(CLONE_NEWNET)` and park, as
//!   `linx-testns` does; nothing is mounted or named, nothing is left behind).
//! - A figure is printed only when the work was checked: every event counted (zero loss or
//!   a `ResyncNeeded`), every pass applied exactly what it had to. A wrong result is an
//!   error (non-zero exit), never a fast number.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use linx_netlink_sys::Netns;
use linx_rtnl::monitor::{Event, Group, Monitor, MonitorOptions};
use linx_rtnl::reconcile::{
    self, AddressConfig, Desired, LastApplied, LinkConfig, LinkKind, Options, Report, RouteConfig,
};
use linx_rtnl::route::{self, RouteSpec, RouteType};

use crate::{BoxError, max_rss_kib, route_dst};

/// The table `monitor-burst` adds its routes to (only its routes are counted).
const BURST_TABLE: u32 = 100;

/// The protocol the reconcile scenarios own routes by (the reconciler's default, `'L'`).
const PROTO: u8 = 76;

/// Milliseconds since `t`.
fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// `monitor-burst`: a monitor joined to the IPv4 route group only; a second thread adds
/// `n` blackhole routes to table 100 through `route::add_many` (pipelined, every route
/// ACKed). Counts the `RTM_NEWROUTE` events of table 100 until all `n` arrived, or the
/// burst is over and nothing came for a second after a `ResyncNeeded`. Fewer than `n`
/// events without a `ResyncNeeded` is silent loss: an error.
pub(crate) fn monitor_burst(n: u32, rcvbuf: usize) -> Result<(), BoxError> {
    let opts = MonitorOptions::new()
        .groups([Group::IPV4_ROUTE])
        .rcvbuf(rcvbuf);
    let mut mon = Monitor::with_options(Netns::Host, &opts)?;
    let granted = mon.rcvbuf();
    let sock = linx_rtnl::open(Netns::Host)?;
    let specs: Vec<RouteSpec> = (0..n)
        .map(|i| {
            RouteSpec::new((route_dst(i), 28))
                .route_type(RouteType::Blackhole)
                .table(BURST_TABLE)
                .protocol(PROTO)
        })
        .collect();
    let t0 = Instant::now();
    let adder = std::thread::spawn(move || -> Result<f64, String> {
        let outcomes = route::add_many(&sock, &specs).map_err(|e| e.to_string())?;
        for (i, o) in outcomes.into_iter().enumerate() {
            if !o.is_applied() {
                return Err(format!("route {}/28: {o}", route_dst(i as u32)));
            }
        }
        Ok(ms_since(t0))
    });
    let (mut events, mut resyncs, mut last) = (0u64, 0u64, t0);
    let idle = Duration::from_secs(1);
    while events < u64::from(n) {
        match mon.next_timeout(idle)? {
            Some(Event::NewRoute(r)) if r.table() == BURST_TABLE => {
                events += 1;
                last = Instant::now();
            }
            Some(Event::ResyncNeeded) => resyncs += 1,
            Some(_) => {}
            // Nothing for a second: the burst is over (or the adder is stuck: join says).
            None if adder.is_finished() => break,
            None => {}
        }
    }
    let add_ms = adder.join().map_err(|_| "the adder thread panicked")??;
    if resyncs == 0 && events != u64::from(n) {
        return Err(format!("silent loss: {events} events for {n} routes, no ResyncNeeded").into());
    }
    let op_ms = (last - t0).as_secs_f64() * 1e3;
    println!(
        "count={n} events={events} resync={} resyncs={resyncs} events_per_s={:.0} op_ms={op_ms:.2} \
         add_ms={add_ms:.2} rcvbuf={granted} maxrss_kib={}",
        u8::from(resyncs > 0),
        events as f64 / (op_ms / 1e3),
        max_rss_kib()
    );
    Ok(())
}

/// The desired state of `reconcile-drift`: a veth pair `lxd0`/`lxd1` (up), 192.0.2.1/24 on
/// `lxd0`, and `n` routes `route_dst(i)/28 via 192.0.2.2` in the main table.
fn drift_desired(n: u32) -> Desired {
    let gw = Ipv4Addr::new(192, 0, 2, 2);
    Desired {
        links: vec![
            LinkConfig {
                kind: Some(LinkKind::Veth {
                    peer: "lxd1".into(),
                    peer_netns: None,
                }),
                up: Some(true),
                ..LinkConfig::new("lxd0")
            },
            LinkConfig {
                up: Some(true),
                ..LinkConfig::new("lxd1")
            },
        ],
        addresses: vec![AddressConfig {
            dev: "lxd0".into(),
            address: "192.0.2.1/24".parse().expect("a valid subnet"),
        }],
        routes: (0..n)
            .map(|i| RouteConfig {
                gateway: Some(gw.into()),
                ..RouteConfig::new(
                    format!("{}/28", route_dst(i))
                        .parse::<linx_ip::Subnet>()
                        .expect("a valid subnet"),
                )
            })
            .collect(),
        ..Default::default()
    }
}

/// The routes `reconcile-drift` disturbs: `d` indexes spread over `0..n`; even positions are
/// deleted, odd ones get gateway 192.0.2.3.
fn drifted(n: u32, d: u32) -> impl Iterator<Item = (u32, bool)> {
    (0..d).map(move |k| {
        (
            (u64::from(k) * u64::from(n) / u64::from(d)) as u32,
            k % 2 == 0,
        )
    })
}

/// The route `i` of `reconcile-drift` via `gw`, owned by [`PROTO`] in the main table.
fn drift_spec(i: u32, gw: Ipv4Addr) -> RouteSpec {
    RouteSpec::new((route_dst(i), 28))
        .via(gw)
        .table(254)
        .protocol(PROTO)
}

/// Disturb the `d` drifted routes by hand, one acknowledged request each.
fn drift(sock: &linx_netlink_sys::Socket, n: u32, d: u32) -> Result<(), BoxError> {
    for (i, delete) in drifted(n, d) {
        if delete {
            route::delete(sock, &drift_spec(i, Ipv4Addr::new(192, 0, 2, 2)).metric(0))?;
        } else {
            route::replace(sock, &drift_spec(i, Ipv4Addr::new(192, 0, 2, 3)))?;
        }
    }
    Ok(())
}

// The three measured spans of `reconcile-drift`, each in a function of its own that is never
// inlined, so a profiler can count one alone:
// `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='linx_bench::scale::timed_pass'`.

/// The timed reconcile pass.
#[inline(never)]
fn timed_pass(
    sock: &linx_netlink_sys::Socket,
    desired: &Desired,
    owned: &LastApplied,
    opts: &Options,
) -> Result<Report, linx_rtnl::Error> {
    reconcile::reconcile(sock, desired, owned, opts)
}

/// The plain dump: every IPv4 route of the namespace, typed, streamed.
#[inline(never)]
fn timed_dump(sock: &linx_netlink_sys::Socket) -> Result<u64, BoxError> {
    crate::route_dump(sock, None, false)
}

/// A plain dump of the whole namespace, the five kinds a pass observes (links, addresses,
/// routes of every family, rules, neighbours), each typed and streamed, only counted.
#[inline(never)]
fn timed_nsdump(sock: &linx_netlink_sys::Socket) -> Result<u64, BoxError> {
    Ok(
        crate::count(linx_rtnl::link::list_call().stream(sock), |_| true)?
            + crate::count(linx_rtnl::addr::list_call().stream(sock), |_| true)?
            + crate::count(linx_rtnl::route::list_call().stream(sock), |_| true)?
            + crate::count(linx_rtnl::rule::list_call().stream(sock), |_| true)?
            + crate::count(linx_rtnl::neigh::list_call().stream(sock), |_| true)?,
    )
}

/// The direct repair: one acknowledged `route::replace` per drifted route.
#[inline(never)]
fn timed_ops(sock: &linx_netlink_sys::Socket, n: u32, d: u32) -> Result<(), BoxError> {
    for (i, _) in drifted(n, d) {
        route::replace(sock, &drift_spec(i, Ipv4Addr::new(192, 0, 2, 2)))?;
    }
    Ok(())
}

/// The median of `v` (sorted in place; 0 when empty).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `reconcile-drift`: converge `n` owned routes, then `reps` times: drift `pct`% of them by
/// hand (half deleted, half with another gateway) and time one reconcile pass, which must
/// apply exactly the drifted count and converge; drift again the same way and time a plain
/// dump of every IPv4 route of the namespace and the direct repair (the same requests, one
/// acknowledged `route::replace` each, as the pass sends them), then check that a pass has
/// nothing left to do. Prints the medians over the repetitions; `ratio` is
/// `pass / (dump + ops)` of the medians, where `dump` is every IPv4 route; `ratio_ns` takes
/// instead a plain dump of everything the pass observes (`nsdump`: links, addresses, routes,
/// rules, neighbours, streamed); `observe` and `compute` split the pass before its apply.
pub(crate) fn reconcile_drift(n: u32, pct: f64, reps: u32) -> Result<(), BoxError> {
    let d = ((f64::from(n) * pct / 100.0).round() as u32).clamp(1, n);
    let sock = linx_rtnl::open(Netns::Host)?;
    let desired = drift_desired(n);
    let opts = Options::new().with_protocol(PROTO);
    let t = Instant::now();
    let setup = reconcile::reconcile(&sock, &desired, &LastApplied::new(), &opts)?;
    let setup_ms = ms_since(t);
    if !setup.converged() {
        return Err(format!("setup pass did not converge: {setup:?}").into());
    }
    let owned = setup.last_applied;

    let (mut pass, mut dump, mut ops) = (Vec::new(), Vec::new(), Vec::new());
    let (mut observe, mut plan, mut nsdump) = (Vec::new(), Vec::new(), Vec::new());
    let mut dumped = 0;
    // Each measured span starts right after a drift: the first dump after route changes
    // costs more than the next one (measured: ~0.8 ms of 5), so every span pays it alike.
    // A pass after `after` must converge applying exactly `expect` steps.
    let repair = |after: &str, expect: usize| -> Result<(), BoxError> {
        let r = reconcile::reconcile(&sock, &desired, &owned, &opts)?;
        if !r.converged() || r.applied.len() != expect {
            return Err(format!("after the {after}, a pass found: {r:?}").into());
        }
        Ok(())
    };
    for _ in 0..reps {
        drift(&sock, n, d)?;
        let t = Instant::now();
        let r = timed_pass(&sock, &desired, &owned, &opts)?;
        pass.push(ms_since(t));
        if !r.converged() || r.applied.len() != d as usize {
            return Err(format!(
                "the pass should apply exactly {d} route steps and converge: {r:?}"
            )
            .into());
        }

        drift(&sock, n, d)?;
        let t = Instant::now();
        dumped = timed_dump(&sock)?;
        dump.push(ms_since(t));
        let t = Instant::now();
        timed_ops(&sock, n, d)?;
        ops.push(ms_since(t));
        repair("direct repair", 0)?;

        drift(&sock, n, d)?;
        let t = Instant::now();
        timed_nsdump(&sock)?;
        nsdump.push(ms_since(t));
        timed_ops(&sock, n, d)?;
        repair("direct repair", 0)?;

        // Where a pass's time goes: its observation (the five dumps, collected) and the
        // plan computed from it (the diff, no kernel call); then a pass repairs the drift.
        drift(&sock, n, d)?;
        let t = Instant::now();
        let seen = reconcile::observe(&sock, &opts)?;
        observe.push(ms_since(t));
        let t = Instant::now();
        let p = reconcile::Plan::compute(&desired, &owned, &opts, seen)?;
        plan.push(ms_since(t));
        if p.steps().len() != d as usize {
            return Err(format!("the plan should have {d} steps: {p}").into());
        }
        drop(p);
        repair("drift", d as usize)?;
    }
    let (pass, dump, ops) = (median(&mut pass), median(&mut dump), median(&mut ops));
    let nsdump = median(&mut nsdump);
    println!(
        "count={n} drift_ops={d} applied={d} reps={reps} pass_ms={pass:.2} dump_ms={dump:.2} \
         dumped={dumped} ops_ms={ops:.2} ratio={:.2} nsdump_ms={nsdump:.2} \
         ratio_ns={:.2} observe_ms={:.2} compute_ms={:.2} \
         setup_ms={setup_ms:.2} maxrss_kib={}",
        pass / (dump + ops),
        pass / (nsdump + ops),
        median(&mut observe),
        median(&mut plan),
        max_rss_kib()
    );
    Ok(())
}

/// A network namespace held by a parked helper thread (the `linx-testns` technique, kept
/// small: 1,000 of them live at once). Dropping it wakes and joins the thread; the
/// namespace goes when nothing else holds it.
struct ParkedNs {
    path: PathBuf,
    wake: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ParkedNs {
    fn new() -> Result<ParkedNs, BoxError> {
        let (report, reported) = mpsc::channel();
        let (wake, parked) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("lxb-netns".into())
            .stack_size(64 << 10)
            .spawn(move || {
                let r = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET)
                    .map(|()| nix::unistd::gettid().as_raw());
                let ok = r.is_ok();
                let _ = report.send(r);
                if ok {
                    let _ = parked.recv();
                }
            })?;
        let tid = match reported.recv() {
            Ok(Ok(tid)) => tid,
            Ok(Err(e)) => return Err(format!("unshare(CLONE_NEWNET): {e} (needs root)").into()),
            Err(_) => return Err("the namespace thread died".into()),
        };
        Ok(ParkedNs {
            path: PathBuf::from(format!("/proc/{}/task/{tid}/ns/net", std::process::id())),
            wake: Some(wake),
            thread: Some(thread),
        })
    }
}

impl Drop for ParkedNs {
    fn drop(&mut self) {
        drop(self.wake.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The desired state of each namespace of `reconcile-netns`: a veth pair `lxa`/`lxb` (both
/// up), five addresses 10.1.0.1-5/24 on `lxa`, ten routes 10.2.k.0/24 via 10.1.0.254.
fn netns_desired() -> Desired {
    Desired {
        links: vec![
            LinkConfig {
                kind: Some(LinkKind::Veth {
                    peer: "lxb".into(),
                    peer_netns: None,
                }),
                up: Some(true),
                ..LinkConfig::new("lxa")
            },
            LinkConfig {
                up: Some(true),
                ..LinkConfig::new("lxb")
            },
        ],
        addresses: (1..=5)
            .map(|k| AddressConfig {
                dev: "lxa".into(),
                address: format!("10.1.0.{k}/24").parse().expect("a valid subnet"),
            })
            .collect(),
        routes: (0..10)
            .map(|k| RouteConfig {
                gateway: Some(Ipv4Addr::new(10, 1, 0, 254).into()),
                ..RouteConfig::new(
                    format!("10.2.{k}.0/24")
                        .parse::<linx_ip::Subnet>()
                        .expect("a valid subnet"),
                )
            })
            .collect(),
        ..Default::default()
    }
}

/// What one full pass over every namespace did.
#[derive(Default)]
struct Tally {
    applied: usize,
    ms: f64,
}

/// Check one namespace's report and keep its ownership for the next pass.
fn record(
    i: usize,
    report: Result<Report, linx_rtnl::Error>,
    owned: &Mutex<Vec<LastApplied>>,
) -> Result<usize, String> {
    let report = report.map_err(|e| format!("namespace {i}: {e}"))?;
    if !report.converged() {
        return Err(format!("namespace {i}: {report:?}"));
    }
    let applied = report.applied.len();
    owned.lock().map_err(|_| "poisoned")?[i] = report.last_applied;
    Ok(applied)
}

/// One full pass, blocking: `workers` threads take namespaces in turn; each namespace gets a
/// socket opened for the pass (as the loop's rtnl source does) and one reconcile.
fn pass_blocking(
    nss: &[ParkedNs],
    desired: &Desired,
    owned: &Mutex<Vec<LastApplied>>,
    workers: usize,
) -> Result<Tally, BoxError> {
    let next = AtomicUsize::new(0);
    let opts = Options::new().with_protocol(PROTO);
    let t = Instant::now();
    let applied = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> Result<usize, String> {
                    let mut applied = 0;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(ns) = nss.get(i) else {
                            return Ok(applied);
                        };
                        let sock = linx_rtnl::open(Netns::Path(ns.path.clone()))
                            .map_err(|e| format!("namespace {i}: {e}"))?;
                        let last = owned.lock().map_err(|_| "poisoned")?[i].clone();
                        let r = reconcile::reconcile(&sock, desired, &last, &opts);
                        applied += record(i, r, owned)?;
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a worker panicked".to_owned())?)
            .sum::<Result<usize, String>>()
    })?;
    Ok(Tally {
        applied,
        ms: ms_since(t),
    })
}

/// One full pass on tokio: a multi-thread runtime with `workers` threads, one task per
/// namespace, at most `jobs` namespaces in flight.
fn pass_tokio(
    rt: &tokio::runtime::Runtime,
    nss: &[ParkedNs],
    desired: &Desired,
    owned: &std::sync::Arc<Mutex<Vec<LastApplied>>>,
    jobs: usize,
) -> Result<Tally, BoxError> {
    use std::sync::Arc;
    let t = Instant::now();
    let desired = Arc::new(desired.clone());
    let applied = rt.block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
        let mut tasks = Vec::with_capacity(nss.len());
        for (i, ns) in nss.iter().enumerate() {
            let permit = permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| e.to_string())?;
            let (path, desired, owned) = (ns.path.clone(), desired.clone(), owned.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = permit;
                let sock = linx_rtnl::open_async(Netns::Path(path))
                    .map_err(|e| format!("namespace {i}: {e}"))?;
                let last = owned.lock().map_err(|_| "poisoned")?[i].clone();
                let opts = Options::new().with_protocol(PROTO);
                let r = reconcile::reconcile(&sock, &desired, &last, &opts).await;
                record(i, r, &owned)
            }));
        }
        let mut applied = 0;
        for task in tasks {
            applied += task.await.map_err(|e| e.to_string())??;
        }
        Ok::<usize, String>(applied)
    })?;
    Ok(Tally {
        applied,
        ms: ms_since(t),
    })
}

/// Reset the peak RSS (`VmHWM`) to the current RSS, so the next reading is the peak of what
/// follows (`/proc/self/clear_refs`, value 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `reconcile-netns`: `n` namespaces, each converged on [`netns_desired`] by one process:
/// a first full pass (everything created) and a second (nothing to do), each over all
/// namespaces, with the blocking API on `workers` threads or (`tokio`) on a tokio runtime.
/// Prints the time of each full pass and the peak RSS during each.
pub(crate) fn reconcile_netns(
    n: usize,
    workers: usize,
    tokio: bool,
    jobs: usize,
) -> Result<(), BoxError> {
    let t = Instant::now();
    let nss = (0..n)
        .map(|_| ParkedNs::new())
        .collect::<Result<Vec<_>, _>>()?;
    let create_ms = ms_since(t);
    let desired = netns_desired();
    let owned = std::sync::Arc::new(Mutex::new(vec![LastApplied::new(); n]));
    let rt = if tokio {
        Some(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_io()
                .enable_time()
                .build()?,
        )
    } else {
        None
    };
    let mut passes = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..2 {
        reset_peak_rss();
        passes.push(match &rt {
            Some(rt) => pass_tokio(rt, &nss, &desired, &owned, jobs)?,
            None => pass_blocking(&nss, &desired, &owned, workers)?,
        });
        rss.push(max_rss_kib());
    }
    // Each namespace converged (checked per report); the first pass did the same work in
    // every one, the second none.
    if passes[0].applied == 0 || passes[0].applied % n != 0 || passes[1].applied != 0 {
        return Err(format!(
            "expected the same steps in each namespace, then none: {} then {}",
            passes[0].applied, passes[1].applied
        )
        .into());
    }
    let t = Instant::now();
    drop(nss);
    let teardown_ms = ms_since(t);
    println!(
        "count={n} api={} workers={workers} converge_ms={:.1} noop_ms={:.1} applied={} \
         converge_rss_kib={} noop_rss_kib={} create_ms={create_ms:.1} teardown_ms={teardown_ms:.1} \
         maxrss_kib={}",
        if tokio { "tokio" } else { "blocking" },
        passes[0].ms,
        passes[1].ms,
        passes[0].applied,
        rss[0],
        rss[1],
        max_rss_kib()
    );
    Ok(())
}
