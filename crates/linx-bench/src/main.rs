//! `linx-bench`: the Linx side of the netlink benchmark harness (`bench/run-peers.sh`).
//!
//! Each subcommand does one scenario's netlink work in the network namespace it runs in (the
//! harness starts it under `ip netns exec`) and prints `count=<n> op_ms=<ms> maxrss_kib=<k>`
//! on stdout, like the harness's `raw` peer:
//!
//! ```text
//! linx-bench route-dump                          dump every IPv4 route (all tables), streaming
//! linx-bench link-dump                           dump every link, typed decode, streaming
//! linx-bench route-add --n N --table T --dev D   add N routes 10.x.y.z/28 via 192.0.2.2
//! ```
//!
//! Hook it into the harness with
//! `LINX_CMD_ROUTE_DUMP='target/release/linx-bench route-dump'`,
//! `LINX_CMD_LINK_DUMP='target/release/linx-bench link-dump'` and
//! `LINX_CMD_ROUTE_ADD='target/release/linx-bench route-add --n {n} --table {table} --dev {dev}'`.
//!
//! # Contract
//! - `op_ms` is the netlink work only: from after the socket is open to the last reply,
//!   without process start or argument parsing (the `raw` peer measures the same span).
//! - Dumps stream: memory stays O(one datagram) however many objects the namespace holds.
//! - Never touches any namespace but its own; exits non-zero with a message on any error.
#![forbid(unsafe_code)]

use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Instant;

use linx_netlink_codec::DumpEvent;
use linx_netlink_sys::{Netns, Socket};

type BoxError = Box<dyn std::error::Error>;

/// What to run.
enum Cmd {
    /// All IPv4 routes; with `table`, only that table's, filtered by the kernel or (with
    /// `client`) by a full dump filtered here.
    RouteDump {
        table: Option<u32>,
        client: bool,
    },
    LinkDump,
    RouteAdd {
        n: u32,
        table: u32,
        dev: String,
    },
}

const USAGE: &str = "usage: linx-bench route-dump [--table T [--client-filter]] | link-dump | route-add --n N [--table T] [--dev D]\n\
     prints `count=<n> op_ms=<ms> maxrss_kib=<k>` (op_ms = the netlink work only)";

fn parse_args() -> Result<Cmd, lexopt::Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_env();
    let sub = match p.next()? {
        Some(Value(v)) => v.string()?,
        Some(Long("help") | Short('h')) | None => return Err(USAGE.into()),
        Some(other) => return Err(other.unexpected()),
    };
    let (mut n, mut table, mut dev) = (None, 254u32, "veth0".to_owned());
    let (mut dump_table, mut client) = (None, false);
    while let Some(arg) = p.next()? {
        match arg {
            Long("n") if sub == "route-add" => n = Some(p.value()?.parse()?),
            Long("table") if sub == "route-add" => table = p.value()?.parse()?,
            Long("dev") if sub == "route-add" => dev = p.value()?.string()?,
            Long("table") if sub == "route-dump" => dump_table = Some(p.value()?.parse()?),
            Long("client-filter") if sub == "route-dump" => client = true,
            other => return Err(other.unexpected()),
        }
    }
    match sub.as_str() {
        "route-dump" => Ok(Cmd::RouteDump {
            table: dump_table,
            client,
        }),
        "link-dump" => Ok(Cmd::LinkDump),
        "route-add" => Ok(Cmd::RouteAdd {
            n: n.ok_or("route-add needs --n N")?,
            table,
            dev,
        }),
        other => Err(format!("unknown subcommand {other:?}\n{USAGE}").into()),
    }
}

/// Count the items of a streamed reply; a dump restart (`NLM_F_DUMP_INTR`) starts over.
fn count<T>(
    events: impl Iterator<Item = Result<DumpEvent<T>, linx_netlink_codec::Error>>,
    mut keep: impl FnMut(&T) -> bool,
) -> Result<u64, linx_netlink_codec::Error> {
    let mut n = 0;
    for ev in events {
        match ev? {
            DumpEvent::Item(t) => n += u64::from(keep(&t)),
            DumpEvent::Restart { .. } => n = 0,
        }
    }
    Ok(n)
}

/// Every IPv4 route of every table: an `RTM_GETROUTE` dump (`struct rtmsg` with family
/// `AF_INET`, the rest 0), counting `RTM_NEWROUTE` messages as they arrive.
fn route_dump(sock: &Socket, table: Option<u32>, client: bool) -> Result<u64, BoxError> {
    // Typed decode of every route, streamed (O(one datagram) memory), IPv4 only like the
    // other peers. With a table: the kernel filters (strict dump checking), or with
    // `client` the whole namespace is dumped and filtered here, for comparison.
    let filter = linx_rtnl::route::RouteFilter {
        family: Some(linx_ip::Family::Inet),
        table: if client { None } else { table },
        ..Default::default()
    };
    let call = linx_rtnl::route::list_filtered_call(&filter, None)?;
    let want = table.filter(|_| client);
    Ok(count(call.stream(sock), |r| {
        r.as_ref()
            .is_some_and(|r| want.is_none_or(|t| r.table() == t))
    })?)
}

/// Every link, each decoded into a typed [`linx_rtnl::Link`] and dropped.
fn link_dump(sock: &Socket) -> Result<u64, BoxError> {
    Ok(count(linx_rtnl::link::list_call().stream(sock), |_| true)?)
}

/// Route `i` of the harness's set: 10.(i>>12).(i>>4 & 255).((i&15)<<4)/28 (setup.sh).
fn route_dst(i: u32) -> Ipv4Addr {
    Ipv4Addr::new(
        10,
        ((i >> 12) & 255) as u8,
        ((i >> 4) & 255) as u8,
        ((i & 15) << 4) as u8,
    )
}

/// Add `n` routes through `route::add_many` (pipelined, every route ACKed).
fn route_add(sock: &Socket, n: u32, table: u32, dev: &str) -> Result<u64, BoxError> {
    use linx_rtnl::route::{self, RouteSpec};
    let gw = Ipv4Addr::new(192, 0, 2, 2);
    let specs: Vec<RouteSpec> = (0..n)
        .map(|i| {
            RouteSpec::new((route_dst(i), 28))
                .via(gw)
                .dev(dev)
                .table(table)
                .protocol(route::Protocol::STATIC)
        })
        .collect();
    // Pipelined: a window of requests per datagram, every route ACKed and checked.
    for (i, r) in route::add_many(sock, &specs)?.into_iter().enumerate() {
        r.map_err(|e| format!("route {}/28: {e}", route_dst(i as u32)))?;
    }
    Ok(u64::from(n))
}

/// Peak resident set size (`VmHWM` of `/proc/self/status`), in KiB; 0 when unreadable.
fn max_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn run(cmd: &Cmd) -> Result<(), BoxError> {
    let sock = linx_rtnl::open(Netns::Host)?;
    let t0 = Instant::now();
    let n = match cmd {
        Cmd::RouteDump { table, client } => route_dump(&sock, *table, *client)?,
        Cmd::LinkDump => link_dump(&sock)?,
        Cmd::RouteAdd { n, table, dev } => route_add(&sock, *n, *table, dev)?,
    };
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    println!("count={n} op_ms={ms:.2} maxrss_kib={}", max_rss_kib());
    Ok(())
}

fn main() -> ExitCode {
    let cmd = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("linx-bench: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("linx-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
