//! A tour of watching and converging rtnetlink with Linx: a small container network declared
//! by names, a dry run, the kernel's announcements as typed events, and the reconcile loop
//! healing a change made by hand. (Named `rtnl_tour`, not `tour`: example binaries of every
//! package share `target/*/examples/`, and `linx-netlink-codec` has the `tour`.)
//!
//! Everything happens in two throwaway network namespaces ("node" and "pod"); the host's is
//! never touched. Run it with `cargo xtask demo` (it needs root or `unshare -r`, which xtask
//! arranges), after the foundation tour of `linx-netlink-codec`.

use std::collections::HashMap;
use std::time::Duration;

use linx_netlink_sys::AsyncSocket;
use linx_reconcile::rtnl::RtnlSource;
use linx_reconcile::{Cause, Loop, LoopOptions, PassOf};
use linx_rtnl::monitor::{AsyncMonitor, Event, Group, MonitorOptions};
use linx_rtnl::reconcile::{self, Desired, LastApplied, Options};
use linx_rtnl::route::RouteFilter;
use linx_testns::TestNs;
use tokio::sync::{broadcast, mpsc};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The node: a bridge for the pods, a veth pair whose other end is the pod's `eth0` (created
/// in the pod's namespace in the same request), a second local pair on the bridge, an uplink
/// pair carrying a macvlan and a vxlan, addresses, routes in table 100, a rule that sends
/// the pods' traffic there, and a permanent neighbour.
const NODE: &str = r#"{
  "links": [
    { "name": "lo", "up": true },
    { "name": "br0", "kind": "bridge", "up": true },
    { "name": "c0", "kind": { "veth": { "peer": "eth0", "peer_netns": "@POD@" } },
      "master": "br0", "up": true },
    { "name": "c1", "kind": { "veth": { "peer": "c1p" } }, "master": "br0", "up": true },
    { "name": "c1p", "up": true },
    { "name": "up0", "kind": { "veth": { "peer": "up1" } }, "up": true, "mtu": 9000 },
    { "name": "up1", "up": true, "mtu": 9000 },
    { "name": "mv0", "kind": { "macvlan": { "parent": "up0", "mode": "bridge" } }, "up": true },
    { "name": "vx0", "kind": { "vxlan": { "vni": 42, "port": 4789, "local": "192.0.2.1",
                                         "remote": "192.0.2.2", "dev": "up0" } },
      "master": "br0", "up": true }
  ],
  "addresses": [
    { "dev": "br0", "address": "10.88.0.1/24" },
    { "dev": "up0", "address": "192.0.2.1/24" },
    { "dev": "mv0", "address": "198.51.100.1/24" }
  ],
  "routes": [
    { "dst": "10.99.0.0/16", "gateway": "192.0.2.2", "table": 100 },
    { "dst": "10.66.0.0/16", "type": "blackhole", "table": 100 },
    { "dst": "default", "gateway": "192.0.2.2", "table": 100, "metric": 10 }
  ],
  "rules": [ { "priority": 100, "from": "10.88.0.0/24", "table": 100 } ],
  "neighbours": [ { "dev": "br0", "address": "10.88.0.9", "lladdr": "02:00:00:00:00:09" } ]
}"#;

/// The pod: its end of the veth (created by the node's pass) gets an address and a default
/// route. One reconciler per namespace.
const POD: &str = r#"{
  "links": [ { "name": "lo", "up": true }, { "name": "eth0", "up": true } ],
  "addresses": [ { "dev": "eth0", "address": "10.88.0.2/24" } ],
  "routes": [ { "dst": "default", "gateway": "10.88.0.1" } ]
}"#;

fn step(n: u32, what: &str) {
    println!("\n== {n}. {what}");
}

/// `text` with every `dev <index>` replaced by `dev <name>`.
fn named(text: &str, names: &HashMap<u32, String>) -> String {
    let mut out = Vec::new();
    let mut after_dev = false;
    for word in text.split(' ') {
        let digits = word.trim_end_matches('>');
        match digits.parse::<u32>().ok().and_then(|i| names.get(&i)) {
            Some(name) if after_dev => out.push(format!("{name}{}", &word[digits.len()..])),
            _ => out.push(word.to_owned()),
        }
        after_dev = word == "dev";
    }
    out.join(" ")
}

/// Interface names by index in the namespace of `sock`.
async fn names(sock: &AsyncSocket) -> Result<HashMap<u32, String>, BoxError> {
    let links = linx_rtnl::link::list(sock).await?.items;
    Ok(links.into_iter().map(|l| (l.index, l.name)).collect())
}

/// One event as the tour prints it: its kind (`"new link"`, ...) and the line.
struct Line {
    kind: &'static str,
    text: String,
}

/// Reads the node's monitor and forwards one printable line per event, with interface
/// names (kept current from the link events themselves).
async fn watch(
    mut mon: AsyncMonitor,
    mut names: HashMap<u32, String>,
    lines: mpsc::UnboundedSender<Line>,
) {
    use std::future::poll_fn;
    use std::pin::Pin;

    use futures_core::Stream;
    while let Some(ev) = poll_fn(|cx| Pin::new(&mut mon).poll_next(cx)).await {
        let line = match ev {
            Ok(ev) => {
                let kind = match &ev {
                    Event::NewLink(l) => {
                        names.insert(l.index, l.name.clone());
                        "new link"
                    }
                    Event::DelLink(_) => "del link",
                    // AF_BRIDGE neighbours are the bridge's forwarding database.
                    Event::NewNeigh(n) | Event::DelNeigh(n) if n.family == 7 => "bridge fdb",
                    _ => "other",
                };
                Line {
                    kind,
                    text: named(&ev.to_string(), &names),
                }
            }
            Err(e) => Line {
                kind: "error",
                text: format!("error: {e}"),
            },
        };
        if lines.send(line).is_err() {
            return;
        }
    }
}

/// Waits `settle` for the kernel's announcements, then prints what the monitor forwarded:
/// repeated lines folded, events of the `quiet` kinds only counted.
async fn show_events(lines: &mut mpsc::UnboundedReceiver<Line>, settle: Duration, quiet: &[&str]) {
    tokio::time::sleep(settle).await;
    let mut shown: Vec<(String, usize)> = Vec::new();
    let mut counted: Vec<(&str, usize)> = Vec::new();
    while let Ok(l) = lines.try_recv() {
        if quiet.contains(&l.kind) {
            match counted.iter_mut().find(|(k, _)| *k == l.kind) {
                Some((_, n)) => *n += 1,
                None => counted.push((l.kind, 1)),
            }
        } else if let Some((_, n)) = shown.last_mut().filter(|(t, _)| *t == l.text) {
            *n += 1;
        } else {
            shown.push((l.text, 1));
        }
    }
    for (text, n) in &shown {
        match n {
            1 => println!("  event: {text}"),
            n => println!("  event: {text} (x{n})"),
        }
    }
    if !counted.is_empty() {
        let summary: Vec<String> = counted.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!("  (not shown: {} events)", summary.join(", "));
    }
}

/// Prints the typed objects a dump returns, one per line, with interface names.
fn print_all<T: std::fmt::Display>(what: &str, items: &[T], names: &HashMap<u32, String>) {
    println!("  {what}:");
    for i in items {
        println!("    {}", named(&i.to_string(), names));
    }
}

/// Waits for the first pass of `lp` and prints its report.
async fn first_pass(
    name: &str,
    lp: &Loop<RtnlSource>,
    passes: &mut broadcast::Receiver<PassOf<RtnlSource>>,
) -> Result<(), BoxError> {
    // It may have been published before `passes` subscribed: then it is the last one.
    let first = match lp.last_pass() {
        Some(p) => p,
        None => passes.recv().await?,
    };
    let report = first
        .report()
        .ok_or_else(|| format!("{name}: the first pass could not run: {:?}", first.error()))?;
    println!(
        "{name} pass {} ({}): {report} in {:.1} ms",
        first.number(),
        first.cause(),
        first.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tour: cannot start tokio: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tour: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BoxError> {
    println!("Linx tour, part 2: watching and converging rtnetlink");

    step(1, "two throwaway namespaces: a node and a pod");
    let (node_ns, pod_ns) = (TestNs::new(), TestNs::new());
    println!(
        "node: {}\npod:  {}",
        node_ns.path().display(),
        pod_ns.path().display()
    );
    let node = linx_rtnl::open_async(node_ns.netns())?;
    let pod = linx_rtnl::open_async(pod_ns.netns())?;

    step(2, "the node's desired state, authored by names (JSON)");
    let pod_path = pod_ns.path().display().to_string();
    let node_desired: Desired = serde_json::from_str(&NODE.replace("@POD@", &pod_path))?;
    let pod_desired: Desired = serde_json::from_str(POD)?;
    println!(
        "{} links, {} addresses, {} routes, {} rule, {} neighbour; the pod: {} links, {} address, {} route",
        node_desired.links.len(),
        node_desired.addresses.len(),
        node_desired.routes.len(),
        node_desired.rules.len(),
        node_desired.neighbours.len(),
        pod_desired.links.len(),
        pod_desired.addresses.len(),
        pod_desired.routes.len()
    );
    for line in NODE
        .lines()
        .filter(|l| l.contains("\"name\"") || l.contains("\"dst\""))
    {
        println!("  {}", line.trim().replace("@POD@", "<pod>"));
    }

    step(3, "dry run: the plan, every kernel call in order");
    let plan = reconcile::plan(&node, &node_desired, &LastApplied::new(), &Options::new()).await?;
    print!("{plan}");

    step(
        4,
        "a monitor on the node (IPv4 addresses, routes, rules, links, neighbours)",
    );
    let opts = MonitorOptions::new().groups([
        Group::LINK,
        Group::IPV4_IFADDR,
        Group::IPV4_ROUTE,
        Group::IPV4_RULE,
        Group::NEIGH,
    ]);
    let mon = AsyncMonitor::with_options(node_ns.netns(), &opts)?;
    println!("subscribed; receive buffer granted: {} bytes", mon.rcvbuf());
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = tokio::spawn(watch(mon, names(&node).await?, tx));

    step(
        5,
        "the reconcile loops start: the first pass converges each namespace",
    );
    // No timer: from now on only the monitor (or a forced pass) wakes the loop up.
    let node_loop = LoopOptions::new(RtnlSource::new(), node_ns.netns(), node_desired)
        .interval(None)
        .name("node")
        .start();
    let mut node_passes = node_loop.passes();
    first_pass("node", &node_loop, &mut node_passes).await?;
    // The pod's eth0 exists now (the node's pass created it there): its own loop can start.
    let pod_loop = LoopOptions::new(RtnlSource::new(), pod_ns.netns(), pod_desired)
        .interval(Duration::from_secs(30))
        .name("pod")
        .start();
    first_pass("pod", &pod_loop, &mut pod_loop.passes()).await?;
    println!("what the node's monitor saw meanwhile:");
    show_events(
        &mut events,
        Duration::from_millis(300),
        &["new link", "bridge fdb"],
    )
    .await;

    step(6, "what the kernel has now, read back by linx-rtnl");
    let node_names = names(&node).await?;
    print_all(
        "node links",
        &linx_rtnl::link::list(&node).await?.items,
        &node_names,
    );
    let v4: Vec<_> = linx_rtnl::addr::list(&node)
        .await?
        .items
        .into_iter()
        .filter(|a| a.family == 2)
        .collect();
    print_all("node IPv4 addresses", &v4, &node_names);
    let t100 = linx_rtnl::route::list_filtered(&node, &RouteFilter::new().table(100)).await?;
    print_all("node routes, table 100", &t100.items, &node_names);
    let rules: Vec<_> = linx_rtnl::rule::list(&node)
        .await?
        .items
        .into_iter()
        .filter(|r| r.family == 2)
        .collect();
    print_all("node IPv4 rules", &rules, &node_names);
    let perm: Vec<_> = linx_rtnl::neigh::list(&node)
        .await?
        .items
        .into_iter()
        .filter(|n| n.family == 2)
        .collect();
    print_all("node IPv4 neighbours", &perm, &node_names);
    let pod_names = names(&pod).await?;
    let pod_routes = linx_rtnl::route::list_filtered(&pod, &RouteFilter::new().table(254)).await?;
    print_all("pod routes, main table", &pod_routes.items, &pod_names);

    step(
        7,
        "link stats, after the pod sends three datagrams to the node",
    );
    for _ in 0..3 {
        let out = pod_ns.run("bash", &["-c", "echo hello > /dev/udp/10.88.0.1/9"]);
        if !out.status.success() {
            println!(
                "  (bash could not send: {})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            break;
        }
    }
    for s in linx_rtnl::stats::list(&node).await?.items {
        let name = node_names.get(&s.index).map_or("?", String::as_str);
        if let Some(l) = s.link64 {
            println!(
                "  {name:<5} rx {:>3} packets {:>5} bytes   tx {:>3} packets {:>5} bytes",
                l.rx_packets, l.rx_bytes, l.tx_packets, l.tx_bytes
            );
        }
    }
    show_events(&mut events, Duration::from_millis(100), &["bridge fdb"]).await;

    step(
        8,
        "a change by hand: an owned address deleted, a foreign one added",
    );
    // Let the echo of the loop's own changes settle, then note where the loop is.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let quiet = node_loop.last_pass().map_or(0, |p| p.number());
    println!("$ ip addr del 10.88.0.1/24 dev br0");
    node_ns.ip(&["addr", "del", "10.88.0.1/24", "dev", "br0"]);
    println!("$ ip addr add 10.88.0.77/24 dev br0");
    node_ns.ip(&["addr", "add", "10.88.0.77/24", "dev", "br0"]);
    let healer = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            let pass = node_passes.recv().await?;
            if pass.number() > quiet && pass.report().is_some_and(|r| !r.applied.is_empty()) {
                return Ok::<_, BoxError>(pass);
            }
        }
    })
    .await
    .map_err(|_| "the loop did not heal the node within 2 s")??;
    show_events(&mut events, Duration::from_millis(100), &["bridge fdb"]).await;
    let report = healer.report().ok_or("the healing pass has no report")?;
    println!(
        "node pass {} ({}, woken by the monitor; the timer is off): {report}",
        healer.number(),
        healer.cause()
    );
    for s in &report.applied {
        println!("  applied: {s}");
    }
    if report.applied.iter().any(|s| s.resource() == "neighbour") {
        println!(
            "  (the kernel flushed br0's neighbours, the permanent one too, when its primary \
             address went: the pass put ours back)"
        );
    }
    if healer.cause() != Cause::Hint {
        println!("  (it was not woken by a hint: {})", healer.cause());
    }
    let br0: Vec<_> = linx_rtnl::addr::list_link(&node, "br0")
        .await?
        .items
        .into_iter()
        .filter(|a| a.family == 2)
        .collect();
    print_all(
        "br0 now (10.88.0.77 is not ours, so it stays)",
        &br0,
        &node_names,
    );
    let owned = &report.last_applied;
    println!(
        "  the node loop owns {} links, {} addresses, {} rule, {} neighbour (routes: protocol {})",
        owned.links.len(),
        owned.addresses.len(),
        owned.rules.len(),
        owned.neighbours.len(),
        Options::new().protocol()
    );

    step(9, "stop and clean up");
    node_loop.stop().await?;
    pod_loop.stop().await?;
    watcher.abort();
    drop((node, pod));
    drop((node_ns, pod_ns));
    println!("loops stopped, namespaces gone; the host was never touched");
    println!("\ntour complete");
    Ok(())
}
