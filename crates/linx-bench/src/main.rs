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
//! linx-bench nft-rules --n N                     push table inet lxbench: chain input (filter
//!                                                hook input prio 0 policy accept), N rules
//!                                                `ip saddr 10.x.y.z accept` built from
//!                                                statements, one batch
//! linx-bench nft-set --n N                       push table inet lxbench_set: set addrs
//!                                                (ipv4_addr) with N elements, one batch
//! linx-bench nft-reconcile --n N [--drift P] [--reps R]
//!                                                reconcile a tagged N-rule table of which P%
//!                                                (default 1) changed, against a pull of the
//!                                                table plus a batch of just the changes
//!                                                (medians of R, default 5; run under
//!                                                `unshare -n`)
//! linx-bench nft-list                            pull the whole ruleset (typed decode of every
//!                                                rule and set element), lift every rule to
//!                                                statements; count = tables + chains + sets
//!                                                + rules + elements
//! ```
//!
//! The scale scenarios of watching and converging ([`scale`]; run each under `unshare -n`,
//! they print more keys, see `--help`):
//!
//! ```text
//! linx-bench monitor-burst --n N [--rcvbuf B]    a route monitor while N routes are added:
//!                                                events delivered per second, zero loss or
//!                                                a ResyncNeeded (default B: 4 MiB)
//! linx-bench nft-monitor --n N [--rcvbuf B]      an nf_tables monitor while the nft-rules
//!                                                table of N rules is pushed in one batch:
//!                                                every rule event of the commit, or an error
//!                                                (default B: 4 MiB)
//! linx-bench reconcile-drift --n N [--drift P] [--reps R]
//!                                                one reconcile pass over N owned routes of
//!                                                which P% (default 1) drifted, against a
//!                                                plain dump plus those ops (medians of R
//!                                                repetitions, default 5)
//! linx-bench reconcile-netns --n N [--workers W] [--tokio [--jobs J]]
//!                                                one process converging N namespaces of
//!                                                (veth, 5 addresses, 10 routes): a first
//!                                                and a no-op full pass, time and peak RSS
//! ```
//!
//! Hook it into the harness with
//! `LINX_CMD_ROUTE_DUMP='target/release/linx-bench route-dump'`,
//! `LINX_CMD_LINK_DUMP='target/release/linx-bench link-dump'` and
//! `LINX_CMD_ROUTE_ADD='target/release/linx-bench route-add --n {n} --table {table} --dev {dev}'`,
//! `LINX_CMD_NFT_RULES='target/release/linx-bench nft-rules --n {n}'`,
//! `LINX_CMD_NFT_SET='target/release/linx-bench nft-set --n {n}'` and
//! `LINX_CMD_NFT_LIST='target/release/linx-bench nft-list'`.
//!
//! The nf_tables tables are pushed without the `owner` flag (Linx's default), like the other
//! peers' tables: the harness checks them after this process has exited.
//!
//! # Contract
//! - `op_ms` is the netlink work only: from after the socket is open to the last reply,
//!   without process start or argument parsing (the `raw` peer measures the same span).
//! - Dumps stream: memory stays O(one datagram) however many objects the namespace holds.
//! - Never touches any namespace but its own; exits non-zero with a message on any error.
#![forbid(unsafe_code)]

mod nft_monitor;
mod nft_reconcile;
mod scale;

use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Instant;

use linx_netfilter::stmt::{HeaderField, Statement};
use linx_netfilter::{
    Chain, ChainType, Family, Hook, KeyType, Mode, Policy, Priority, Rule, Ruleset, Scope, Set,
    SetElement, TableFlags, lift,
};
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
    NftRules {
        n: u32,
    },
    NftSet {
        n: u32,
    },
    NftList,
    NftReconcile {
        n: u32,
        pct: f64,
        reps: u32,
    },
    MonitorBurst {
        n: u32,
        rcvbuf: usize,
    },
    NftMonitor {
        n: u32,
        rcvbuf: usize,
    },
    ReconcileDrift {
        n: u32,
        pct: f64,
        reps: u32,
    },
    ReconcileNetns {
        n: usize,
        workers: usize,
        tokio: bool,
        jobs: usize,
    },
}

const USAGE: &str = "usage: linx-bench route-dump [--table T [--client-filter]] | link-dump | route-add --n N [--table T] [--dev D]\n\
     \x20      | nft-rules --n N | nft-set --n N | nft-list | nft-reconcile --n N [--drift PCT] [--reps R]\n\
     \x20      | monitor-burst --n N [--rcvbuf B] | nft-monitor --n N [--rcvbuf B] | reconcile-drift --n N [--drift PCT] [--reps R]\n\
     \x20      | reconcile-netns --n N [--workers W] [--tokio [--jobs J]]\n\
     prints `count=<n> op_ms=<ms> maxrss_kib=<k>` (op_ms = the netlink work only);\n\
     the monitor-burst and reconcile-* scenarios print their own keys (events_per_s, pass_ms,\n\
     dump_ms, ops_ms, ratio, converge_ms, noop_ms, *_rss_kib)";

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
    let (mut rcvbuf, mut pct, mut reps) = (4usize << 20, 1.0f64, 5u32);
    let (mut workers, mut tokio, mut jobs) = (2usize, false, 64usize);
    while let Some(arg) = p.next()? {
        match arg {
            Long("n")
                if matches!(
                    sub.as_str(),
                    "route-add"
                        | "nft-rules"
                        | "nft-set"
                        | "nft-reconcile"
                        | "monitor-burst"
                        | "nft-monitor"
                        | "reconcile-drift"
                        | "reconcile-netns"
                ) =>
            {
                n = Some(p.value()?.parse()?)
            }
            Long("rcvbuf") if matches!(sub.as_str(), "monitor-burst" | "nft-monitor") => {
                rcvbuf = p.value()?.parse()?
            }
            Long("drift") if matches!(sub.as_str(), "reconcile-drift" | "nft-reconcile") => {
                pct = p.value()?.parse()?
            }
            Long("reps") if matches!(sub.as_str(), "reconcile-drift" | "nft-reconcile") => {
                reps = p.value()?.parse()?
            }
            Long("workers") if sub == "reconcile-netns" => workers = p.value()?.parse()?,
            Long("tokio") if sub == "reconcile-netns" => tokio = true,
            Long("jobs") if sub == "reconcile-netns" => jobs = p.value()?.parse()?,
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
        "nft-rules" => Ok(Cmd::NftRules {
            n: n.ok_or("nft-rules needs --n N")?,
        }),
        "nft-set" => Ok(Cmd::NftSet {
            n: n.ok_or("nft-set needs --n N")?,
        }),
        "nft-list" => Ok(Cmd::NftList),
        "nft-reconcile" if pct > 0.0 && pct <= 100.0 && reps > 0 => Ok(Cmd::NftReconcile {
            n: n.ok_or("nft-reconcile needs --n N")?,
            pct,
            reps,
        }),
        "nft-reconcile" => Err("--drift is a percentage in (0, 100], --reps at least 1".into()),
        "monitor-burst" => Ok(Cmd::MonitorBurst {
            n: n.ok_or("monitor-burst needs --n N")?,
            rcvbuf,
        }),
        "nft-monitor" => Ok(Cmd::NftMonitor {
            n: n.ok_or("nft-monitor needs --n N")?,
            rcvbuf,
        }),
        "reconcile-drift" if pct > 0.0 && pct <= 100.0 && reps > 0 => Ok(Cmd::ReconcileDrift {
            n: n.ok_or("reconcile-drift needs --n N")?,
            pct,
            reps,
        }),
        "reconcile-drift" => Err("--drift is a percentage in (0, 100], --reps at least 1".into()),
        "reconcile-netns" if workers > 0 && jobs > 0 => Ok(Cmd::ReconcileNetns {
            n: n.ok_or("reconcile-netns needs --n N")? as usize,
            workers,
            tokio,
            jobs,
        }),
        "reconcile-netns" => Err("--workers and --jobs must be at least 1".into()),
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
    let mut filter = linx_rtnl::route::RouteFilter::new().family(linx_ip::Family::Inet);
    if let Some(t) = table.filter(|_| !client) {
        filter = filter.table(t);
    }
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
        if !r.is_applied() {
            return Err(format!("route {}/28: {r}", route_dst(i as u32)).into());
        }
    }
    Ok(u64::from(n))
}

/// Address `i` of the harness's nft scenarios: 10.(i>>16 & 255).(i>>8 & 255).(i & 255).
fn nft_addr(i: u32) -> Ipv4Addr {
    Ipv4Addr::new(10, (i >> 16) as u8, (i >> 8) as u8, i as u8)
}

/// The nft-rules ruleset: `ip saddr 10.x.y.z accept` × n in an inet base chain, built from
/// statements (lowered to the expressions nft emits: meta nfproto, cmp, payload, cmp,
/// immediate).
fn nft_rules_ruleset(n: u32) -> Result<Ruleset, BoxError> {
    let mut rs = Ruleset::new();
    let t = rs.add_table(Family::Inet, "lxbench", TableFlags::empty())?;
    let mut chain = Chain::base("input", ChainType::Filter, Hook::Input, Priority::Value(0))
        .policy(Policy::Accept);
    let rules = (0..n)
        .map(|i| {
            Rule::from_statements(
                Family::Inet,
                [
                    Statement::is(HeaderField::IpSaddr, nft_addr(i))?,
                    Statement::accept(),
                ],
            )
        })
        .collect::<Result<Vec<Rule>, _>>()?;
    chain = chain.with_rules(rules);
    t.add_chain(chain)?;
    Ok(rs)
}

/// The nft-set ruleset: set `addrs` of ipv4 addresses with n elements.
fn nft_set_ruleset(n: u32) -> Result<Ruleset, BoxError> {
    let mut rs = Ruleset::new();
    let t = rs.add_table(Family::Inet, "lxbench_set", TableFlags::empty())?;
    t.add_set(
        Set::new("addrs", KeyType::Ipv4Addr)
            .elements((0..n).map(|i| SetElement::from(linx_ip::Ip::from(nft_addr(i))))),
    )?;
    Ok(rs)
}

/// Build the ruleset (part of the measured work, as for the other peers), push it in one
/// batch.
fn nft_push(sock: &Socket, rs: Result<Ruleset, BoxError>, count: u32) -> Result<u64, BoxError> {
    linx_netfilter::push(sock, &rs?, Mode::Replace)?;
    Ok(u64::from(count))
}

/// Pull everything, typed, and lift every rule to statements (a rule that does not lift
/// fails the run); count tables, chains, sets, rules and elements.
fn nft_list(sock: &Socket) -> Result<u64, BoxError> {
    let rs = linx_netfilter::pull(sock, Scope::All)?;
    let mut n = 0;
    for t in rs.tables() {
        for c in t.chains() {
            for r in c.rules() {
                if !lift::is_fully_lifted(&lift::lift_in(&r.exprs, t)) {
                    return Err(format!("rule {:?} of {} did not lift", r.handle, c.name()).into());
                }
            }
        }
        n += 1 + t.chains().len() + t.sets().len() + t.maps().len() + t.rule_count();
        n += t.sets().iter().map(|s| s.elements.len()).sum::<usize>();
        n += t.maps().iter().map(|m| m.elements.len()).sum::<usize>();
    }
    Ok(n as u64)
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
    // The scale scenarios open their own sockets and print their own line.
    match *cmd {
        Cmd::MonitorBurst { n, rcvbuf } => return scale::monitor_burst(n, rcvbuf),
        Cmd::NftMonitor { n, rcvbuf } => return nft_monitor::nft_monitor(n, rcvbuf),
        Cmd::ReconcileDrift { n, pct, reps } => return scale::reconcile_drift(n, pct, reps),
        Cmd::NftReconcile { n, pct, reps } => return nft_reconcile::nft_reconcile(n, pct, reps),
        Cmd::ReconcileNetns {
            n,
            workers,
            tokio,
            jobs,
        } => return scale::reconcile_netns(n, workers, tokio, jobs),
        _ => {}
    }
    let nft = matches!(
        cmd,
        Cmd::NftRules { .. } | Cmd::NftSet { .. } | Cmd::NftList
    );
    let sock = if nft {
        linx_nfnl::open(Netns::Host)?
    } else {
        linx_rtnl::open(Netns::Host)?
    };
    let t0 = Instant::now();
    let n = match cmd {
        Cmd::RouteDump { table, client } => route_dump(&sock, *table, *client)?,
        Cmd::LinkDump => link_dump(&sock)?,
        Cmd::RouteAdd { n, table, dev } => route_add(&sock, *n, *table, dev)?,
        Cmd::NftRules { n } => nft_push(&sock, nft_rules_ruleset(*n), *n)?,
        Cmd::NftSet { n } => nft_push(&sock, nft_set_ruleset(*n), *n)?,
        Cmd::NftList => nft_list(&sock)?,
        Cmd::MonitorBurst { .. }
        | Cmd::NftMonitor { .. }
        | Cmd::ReconcileDrift { .. }
        | Cmd::ReconcileNetns { .. }
        | Cmd::NftReconcile { .. } => {
            return Err("a scale scenario reached the harness path".into());
        }
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
