//! An `ip` look-alike on Linx: `cargo run -p linx-rtnl --example ip -- [-n NETNS |
//! --pid PID] link|addr|route|neigh|rule|stats|monitor [--json]`, and
//! `apply FILE [--dry-run] [--state STATE]`.
//!
//! `apply` converges the namespace on the desired state in `FILE` (the JSON format of
//! `linx_rtnl::reconcile::Desired`): it prints the plan (every kernel call, one per line),
//! applies it unless `--dry-run`, and prints the report. `--state STATE` keeps what the
//! passes own (`LastApplied`) in that file between runs: read before the pass, written after
//! it, so a later run with a smaller desired state deletes what an earlier one created. It
//! exits with status 1 when the pass did not converge.
//!
//! `monitor` prints each announcement of the namespace as `ip monitor` does (`[ROUTE]`,
//! `Deleted ...`, interface names), or with `--json` one JSON object per line: the `ip -j`
//! object plus `"event"` (`new`, `del`, `unknown`, `resync`) and `"object"`.
//!
//! With `--json` it prints the field names `ip -j` uses, where they exist, so its output can
//! be diffed against `ip -j <object> show`. `-n NAME` opens `/run/netns/NAME` (as
//! `ip netns add` makes), `-n /path` any namespace file, `--pid` a process's namespace.

use std::collections::HashMap;
use std::process::ExitCode;

use linx_netlink_sys::{Netns, Socket};
use linx_rtnl::addr::{self, AddrFlags, Address};
use linx_rtnl::link::{self, Link, LinkData};
use linx_rtnl::monitor::{Event, Monitor};
use linx_rtnl::neigh::{self, LinkAddr, Neighbour, NudState};
use linx_rtnl::route::{self, Route, RouteType, TableName};
use linx_rtnl::rule::{self, Rule, RuleAction};
use linx_rtnl::stats;
use serde_json::{Map, Value, json};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[allow(dead_code)]
struct Args {
    netns: Netns,
    object: String,
    json: bool,
    /// `apply`: the desired-state file.
    file: Option<String>,
    /// `apply --dry-run`.
    dry_run: bool,
    /// `apply --state`.
    state: Option<String>,
}

#[allow(dead_code)]
fn args() -> Res<Args> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_env();
    let mut a = Args {
        netns: Netns::Host,
        object: "link".into(),
        json: false,
        file: None,
        dry_run: false,
        state: None,
    };
    let mut object_given = false;
    while let Some(arg) = p.next()? {
        match arg {
            Short('n') | Long("netns") => {
                let v = p.value()?.string()?;
                a.netns = if v.contains('/') {
                    Netns::Path(v.into())
                } else {
                    Netns::Path(format!("/run/netns/{v}").into())
                };
            }
            Long("pid") => a.netns = Netns::Pid(p.value()?.parse()?),
            Short('j') | Long("json") => a.json = true,
            Long("dry-run") => a.dry_run = true,
            Long("state") => a.state = Some(p.value()?.string()?),
            Short('h') | Long("help") => {
                println!(
                    "usage: ip [-n NETNS|--pid PID] link|addr|route|neigh|rule|stats|monitor [--json]\n       \
                     ip [-n NETNS|--pid PID] apply FILE [--dry-run] [--state STATE]"
                );
                std::process::exit(0);
            }
            Value(v) if object_given && a.file.is_none() => a.file = Some(v.string()?),
            Value(v) if !object_given => {
                a.object = v.string()?;
                object_given = true;
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(a)
}

/// `IFF_*` names in the order iproute2 prints them.
const FLAG_NAMES: &[(u32, &str)] = &[
    (0x8, "LOOPBACK"),
    (0x2, "BROADCAST"),
    (0x10, "POINTOPOINT"),
    (0x1000, "MULTICAST"),
    (0x80, "NOARP"),
    (0x200, "ALLMULTI"),
    (0x100, "PROMISC"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x4, "DEBUG"),
    (0x8000, "DYNAMIC"),
    (0x4000, "AUTOMEDIA"),
    (0x2000, "PORTSEL"),
    (0x20, "NOTRAILERS"),
    (0x1, "UP"),
    (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"),
    (0x40000, "ECHO"),
];

fn flags(l: &Link, by_index: &HashMap<u32, &Link>) -> Vec<&'static str> {
    let mut v = Vec::new();
    if l.flags & 0x1 != 0 && l.flags & 0x40 == 0 {
        v.push("NO-CARRIER");
    }
    for (bit, name) in FLAG_NAMES {
        if l.flags & bit != 0 {
            v.push(name);
        }
    }
    if let Some(p) = l.parent.filter(|_| l.link_netnsid.is_none()) {
        if by_index.get(&p).is_some_and(|p| !p.is_up()) {
            v.push("M-DOWN");
        }
    }
    v
}

fn link_type(t: u16) -> Value {
    match t {
        1 => "ether".into(),
        772 => "loopback".into(),
        776 => "sit".into(),
        778 => "gre".into(),
        65534 => "none".into(),
        n => n.into(),
    }
}

fn link_json(l: &Link, by_index: &HashMap<u32, &Link>) -> Value {
    let mut m = Map::new();
    m.insert("ifindex".into(), l.index.into());
    if let Some(p) = l.parent {
        match (l.link_netnsid, by_index.get(&p)) {
            (None, Some(pl)) => {
                m.insert("link".into(), pl.name.clone().into());
            }
            (Some(id), _) => {
                m.insert("link_index".into(), p.into());
                m.insert("link_netnsid".into(), id.into());
            }
            (None, None) => {}
        }
    }
    m.insert("ifname".into(), l.name.clone().into());
    m.insert("flags".into(), json!(flags(l, by_index)));
    if let Some(v) = l.mtu {
        m.insert("mtu".into(), v.into());
    }
    if let Some(q) = l.other.get(6) {
        let s = String::from_utf8_lossy(q.payload());
        m.insert("qdisc".into(), s.trim_end_matches('\0').into());
    }
    if let Some(master) = l.master.and_then(|i| by_index.get(&i)) {
        m.insert("master".into(), master.name.clone().into());
    }
    if let Some(o) = l.operstate {
        m.insert("operstate".into(), o.as_str().into());
    }
    if let Some(lm) = l.other.get(17) {
        let dormant = lm.payload().first() == Some(&1);
        m.insert(
            "linkmode".into(),
            if dormant { "DORMANT" } else { "DEFAULT" }.into(),
        );
    }
    if let Some(g) = l
        .other
        .get(27)
        .and_then(|a| <[u8; 4]>::try_from(a.payload()).ok())
    {
        let g = u32::from_ne_bytes(g);
        m.insert(
            "group".into(),
            if g == 0 { "default".into() } else { g.into() },
        );
    }
    if let Some(v) = l.txqlen {
        m.insert("txqlen".into(), v.into());
    }
    m.insert("link_type".into(), link_type(l.link_type));
    if let Some(a) = l.address {
        m.insert("address".into(), a.to_string().into());
    }
    if let Some(b) = l.broadcast {
        m.insert("broadcast".into(), b.to_string().into());
    }
    if let Some(info) = &l.info {
        let mut li = Map::new();
        if let Some(k) = &info.kind {
            li.insert("info_kind".into(), k.clone().into());
        }
        let data = match &info.data {
            Some(LinkData::Macvlan {
                mode: Some(mode), ..
            }) => {
                let s = format!("{mode:?}").to_lowercase();
                Some(json!({ "mode": s }))
            }
            Some(LinkData::Vxlan(v)) => {
                let mut d = Map::new();
                if let Some(x) = v.vni {
                    d.insert("id".into(), x.into());
                }
                if let Some(r) = v.remote {
                    let key = if r.is_multicast() { "group" } else { "remote" };
                    d.insert(key.into(), r.to_string().into());
                }
                if let Some(x) = v.local {
                    d.insert("local".into(), x.to_string().into());
                }
                if let Some(u) = v.underlay.and_then(|i| by_index.get(&i)) {
                    d.insert("link".into(), u.name.clone().into());
                }
                if let Some(p) = v.port {
                    d.insert("port".into(), p.into());
                }
                Some(Value::Object(d))
            }
            _ => None,
        };
        if let Some(d) = data {
            li.insert("info_data".into(), d);
        }
        m.insert("linkinfo".into(), Value::Object(li));
    }
    Value::Object(m)
}

/// The link part of `ip -j addr` (no `linkmode`, no `linkinfo`) plus `addr_info`.
fn addr_json(l: &Link, addrs: &[&Address], by_index: &HashMap<u32, &Link>) -> Value {
    let mut v = link_json(l, by_index);
    let m = v.as_object_mut().expect("link_json makes an object");
    m.remove("linkmode");
    m.remove("linkinfo");
    let info: Vec<Value> = addrs
        .iter()
        .map(|a| {
            let mut e = Map::new();
            let v4 = a.family == 2;
            e.insert("family".into(), if v4 { "inet" } else { "inet6" }.into());
            if let Some(ip) = a.ip() {
                e.insert("local".into(), ip.to_string().into());
            }
            e.insert("prefixlen".into(), a.prefix_len.into());
            if let Some(b) = a.broadcast {
                e.insert("broadcast".into(), b.to_string().into());
            }
            e.insert("scope".into(), a.scope.to_string().into());
            let flags = a.flags();
            let named = [
                (
                    AddrFlags::SECONDARY,
                    if v4 { "secondary" } else { "temporary" },
                ),
                (AddrFlags::NODAD, "nodad"),
                (AddrFlags::OPTIMISTIC, "optimistic"),
                (AddrFlags::DADFAILED, "dadfailed"),
                (AddrFlags::HOMEADDRESS, "home"),
                (AddrFlags::DEPRECATED, "deprecated"),
                (AddrFlags::TENTATIVE, "tentative"),
                (AddrFlags::MANAGETEMPADDR, "mngtmpaddr"),
                (AddrFlags::NOPREFIXROUTE, "noprefixroute"),
                (AddrFlags::MCAUTOJOIN, "autojoin"),
                (AddrFlags::STABLE_PRIVACY, "stable-privacy"),
            ];
            for (f, name) in named {
                if flags.contains(f) {
                    e.insert(name.into(), true.into());
                }
            }
            if !flags.contains(AddrFlags::PERMANENT) {
                e.insert("dynamic".into(), true.into());
            }
            if v4 {
                let label = a.label.clone().unwrap_or_else(|| l.name.clone());
                e.insert("label".into(), label.into());
            }
            if let Some(ci) = &a.cacheinfo {
                e.insert("valid_life_time".into(), ci.valid.into());
                e.insert("preferred_life_time".into(), ci.preferred.into());
            }
            Value::Object(e)
        })
        .collect();
    m.insert("addr_info".into(), info.into());
    v
}

/// One entry of `ip -j neigh`; `None` for entries `ip neigh show` hides (NOARP-only, NONE).
fn neigh_json(n: &Neighbour, by_index: &HashMap<u32, &Link>) -> Option<Value> {
    if n.state.bits() & 0xff & !NudState::NOARP.bits() == 0 {
        return None;
    }
    let mut m = Map::new();
    if let Some(d) = n.dst {
        m.insert("dst".into(), d.to_string().into());
    }
    if let Some(l) = by_index.get(&n.index) {
        m.insert("dev".into(), l.name.clone().into());
    }
    match &n.lladdr {
        Some(LinkAddr::Mac(mac)) => {
            m.insert("lladdr".into(), mac.to_string().into());
        }
        Some(LinkAddr::Other(b)) => {
            let hex: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
            m.insert("lladdr".into(), hex.join(":").into());
        }
        None => {}
    }
    if n.flags & 0x80 != 0 {
        // iproute2 prints this flag as a key with a null value
        m.insert("router".into(), Value::Null);
    }
    let states: Vec<String> = n.state.to_string().split(' ').map(str::to_owned).collect();
    m.insert("state".into(), states.into());
    Some(Value::Object(m))
}

/// A prefix as iproute2 prints it: the bare address at full length, else `addr/len`.
fn prefix(ip: linx_ip::Ip, len: u8) -> String {
    let full = if ip.is_ipv4() { 32 } else { 128 };
    if len == full {
        ip.to_string()
    } else {
        format!("{ip}/{len}")
    }
}

/// One entry of `ip -j route show table all`.
fn route_json(r: &Route, by_index: &HashMap<u32, &Link>) -> Value {
    let mut m = Map::new();
    if r.route_type != RouteType::Unicast {
        m.insert("type".into(), r.route_type.to_string().into());
    }
    let dst = match r.dst {
        Some(d) if r.dst_len > 0 => prefix(d, r.dst_len),
        _ => "default".into(),
    };
    m.insert("dst".into(), dst.into());
    if let Some(g) = r.gateway {
        m.insert("gateway".into(), g.to_string().into());
    }
    if let Some(l) = r.oif.and_then(|i| by_index.get(&i)) {
        m.insert("dev".into(), l.name.clone().into());
    }
    if r.table() != 254 {
        m.insert("table".into(), TableName(r.table()).to_string().into());
    }
    if u8::from(r.protocol) != 3 {
        m.insert("protocol".into(), r.protocol.to_string().into());
    }
    if u8::from(r.scope) != 0 {
        m.insert("scope".into(), r.scope.to_string().into());
    }
    if let Some(x) = r.metric {
        m.insert("metric".into(), x.into());
    }
    if let Some(p) = r.prefsrc {
        m.insert("prefsrc".into(), p.to_string().into());
    }
    if let Some(p) = r.other.get(20).and_then(|a| a.payload().first().copied()) {
        let pref = match p {
            0 => "medium",
            1 => "high",
            3 => "low",
            _ => "unknown",
        };
        m.insert("pref".into(), pref.into());
    }
    Value::Object(m)
}

/// One entry of `ip -j rule show` (IPv4).
fn rule_json(r: &Rule) -> Value {
    let mut m = Map::new();
    m.insert("priority".into(), r.priority.unwrap_or(0).into());
    match r.src {
        Some(s) if r.src_len > 0 => {
            m.insert("src".into(), s.to_string().into());
            if r.src_len != 32 {
                m.insert("srclen".into(), r.src_len.into());
            }
        }
        _ => {
            m.insert("src".into(), "all".into());
        }
    }
    if let Some(d) = r.dst.filter(|_| r.dst_len > 0) {
        m.insert("dst".into(), d.to_string().into());
        if r.dst_len != 32 {
            m.insert("dstlen".into(), r.dst_len.into());
        }
    }
    if let Some(f) = r.fwmark {
        m.insert("fwmark".into(), format!("{f:#x}").into());
        if let Some(mask) = r.fwmask.filter(|m| *m != 0xffff_ffff) {
            m.insert("fwmask".into(), format!("{mask:#x}").into());
        }
    }
    if let Some(i) = &r.iif {
        m.insert("iif".into(), i.clone().into());
    }
    if let Some(o) = &r.oif {
        m.insert("oif".into(), o.clone().into());
    }
    match r.action {
        RuleAction::ToTable => {
            m.insert("table".into(), TableName(r.table()).to_string().into());
        }
        RuleAction::Blackhole => {
            m.insert("action".into(), "blackhole".into());
        }
        RuleAction::Unreachable => {
            m.insert("action".into(), "unreachable".into());
        }
        RuleAction::Prohibit => {
            m.insert("action".into(), "prohibit".into());
        }
        _ => {}
    }
    Value::Object(m)
}

/// The JSON array for `object` (`link`, `addr`, ...), with `ip -j` field names. Tests
/// include this file to diff it against `ip -j`.
pub fn render(sock: &Socket, object: &str) -> Res<Vec<Value>> {
    let links = link::list(sock)?;
    let by_index: HashMap<u32, &Link> = links.iter().map(|l| (l.index, l)).collect();
    Ok(match object {
        "link" | "l" => links.iter().map(|l| link_json(l, &by_index)).collect(),
        "addr" | "a" | "address" => {
            let all = addr::list(sock)?;
            links
                .iter()
                .map(|l| {
                    let mine: Vec<&Address> = all.iter().filter(|a| a.index == l.index).collect();
                    addr_json(l, &mine, &by_index)
                })
                .collect()
        }
        "neigh" | "n" | "neighbour" | "neighbor" => neigh::list(sock)?
            .iter()
            .filter_map(|n| neigh_json(n, &by_index))
            .collect(),
        // `ip route show table all` hides cloned (cache) routes
        "route" | "r" => route::list(sock)?
            .iter()
            .filter(|r| r.flags & route::RTM_F_CLONED == 0)
            .map(|r| route_json(r, &by_index))
            .collect(),
        "rule" | "ru" => rule::list(sock)?
            .iter()
            .filter(|r| r.family == 2)
            .map(rule_json)
            .collect(),
        "stats" | "s" => {
            let all = stats::list(sock)?;
            links
                .iter()
                .map(|l| {
                    let mut v = link_json(l, &by_index);
                    let m = v.as_object_mut().expect("link_json makes an object");
                    m.remove("linkinfo");
                    if let Some(s) = all.iter().find(|s| s.index == l.index).and_then(|s| s.link64.as_ref()) {
                        m.insert(
                            "stats64".into(),
                            json!({
                                "rx": { "bytes": s.rx_bytes, "packets": s.rx_packets, "errors": s.rx_errors,
                                        "dropped": s.rx_dropped, "over_errors": s.rx_over_errors,
                                        "multicast": s.multicast },
                                "tx": { "bytes": s.tx_bytes, "packets": s.tx_packets, "errors": s.tx_errors,
                                        "dropped": s.tx_dropped, "carrier_errors": s.tx_carrier_errors,
                                        "collisions": s.collisions },
                            }),
                        );
                    }
                    v
                })
                .collect()
        }
        other => {
            return Err(
                format!("unknown object {other:?}: link|addr|route|neigh|rule|stats").into(),
            );
        }
    })
}

/// Plain-text lines for `object`: the `Display` form of each value.
pub fn lines(sock: &Socket, object: &str) -> Res<Vec<String>> {
    Ok(match object {
        "link" | "l" => link::list(sock)?.iter().map(ToString::to_string).collect(),
        "addr" | "a" | "address" => addr::list(sock)?.iter().map(ToString::to_string).collect(),
        "neigh" | "n" | "neighbour" | "neighbor" => {
            neigh::list(sock)?.iter().map(ToString::to_string).collect()
        }
        "route" | "r" => route::list(sock)?.iter().map(ToString::to_string).collect(),
        "rule" | "ru" => rule::list(sock)?.iter().map(ToString::to_string).collect(),
        "stats" | "s" => stats::list(sock)?.iter().map(ToString::to_string).collect(),
        other => {
            return Err(
                format!("unknown object {other:?}: link|addr|route|neigh|rule|stats").into(),
            );
        }
    })
}

/// `e` in its `Display` form, then each cause whose text it does not already include.
pub fn report(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// Runs the command; on failure prints `ip: <error>` (its `Display`, never `Debug`) and
/// exits with status 1.
#[allow(dead_code)]
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ip: {}", report(&*e));
            ExitCode::FAILURE
        }
    }
}

#[allow(dead_code)]
fn run() -> Res<()> {
    let a = args()?;
    if a.object == "monitor" || a.object == "mon" {
        return monitor(a.netns, a.json);
    }
    if a.object == "apply" {
        let file = a.file.ok_or("apply needs a desired-state FILE")?;
        return apply(a.netns, &file, a.dry_run, a.state.as_deref());
    }
    let sock = Socket::open(linx_rtnl::PROTOCOL, a.netns.clone())?;
    let _ = sock.set_strict_check(true);
    if a.json {
        println!("{}", serde_json::to_string(&render(&sock, &a.object)?)?);
    } else {
        for l in lines(&sock, &a.object)? {
            println!("{l}");
        }
    }
    Ok(())
}

/// `apply FILE`: plan, print, apply (unless a dry run), report; ownership kept in `state`.
#[allow(dead_code)]
fn apply(netns: Netns, file: &str, dry_run: bool, state: Option<&str>) -> Res<()> {
    use linx_rtnl::reconcile::{self, Desired, LastApplied, Options};
    let text = std::fs::read(file).map_err(|e| format!("read {file}: {e}"))?;
    let desired: Desired = serde_json::from_slice(&text).map_err(|e| format!("{file}: {e}"))?;
    let last = match state {
        Some(path) if std::path::Path::new(path).exists() => {
            serde_json::from_slice::<LastApplied>(&std::fs::read(path)?)
                .map_err(|e| format!("{path}: {e}"))?
        }
        _ => LastApplied::new(),
    };
    let sock = Socket::open(linx_rtnl::PROTOCOL, netns)?;
    let _ = sock.set_strict_check(true);
    let plan = reconcile::plan(&sock, &desired, &last, &Options::new())?;
    print!("{plan}");
    if dry_run {
        return Ok(());
    }
    let report = reconcile::apply(&sock, plan);
    println!("{report}");
    if let Some(path) = state {
        std::fs::write(path, serde_json::to_vec_pretty(&report.last_applied)?)?;
    }
    if let Some(f) = &report.failed {
        return Err(format!("the pass stopped at `{}`: {}", f.step, f.error).into());
    }
    Ok(())
}

/// `ip monitor`: follows the namespace's announcements until killed. The link names come
/// from a list made at start, updated from link events and made again after a resync.
#[allow(dead_code)]
fn monitor(netns: Netns, json: bool) -> Res<()> {
    // Subscribe first, then list: a link created in between is announced, not missed.
    let mon = Monitor::open(netns.clone())?;
    let sock = Socket::open(linx_rtnl::PROTOCOL, netns)?;
    let mut names = Names::load(&sock)?;
    for ev in mon {
        let ev = match ev {
            Ok(ev) => ev,
            // One message that did not decode: say so and go on.
            Err(e @ linx_rtnl::Error::Request(linx_netlink_codec::Error::Decode(_))) => {
                eprintln!("ip: {}", report(&e));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if let Event::NewLink(l) = &ev {
            names.links.insert(l.index, (**l).clone());
        }
        let line = if json {
            serde_json::to_string(&event_json(&ev, &names))?
        } else {
            event_text(&ev, &names)
        };
        println!("{line}");
        match &ev {
            Event::DelLink(l) => {
                names.links.remove(&l.index);
            }
            Event::ResyncNeeded => names = Names::load(&sock)?,
            _ => {}
        }
    }
    Ok(())
}

/// The links of the namespace by index, for names.
struct Names {
    links: HashMap<u32, Link>,
}

impl Names {
    fn load(sock: &Socket) -> Res<Names> {
        let links = link::list(sock)?
            .into_iter()
            .map(|l| (l.index, l))
            .collect();
        Ok(Names { links })
    }

    /// The borrowed map the `*_json` functions take.
    fn by_index(&self) -> HashMap<u32, &Link> {
        self.links.iter().map(|(i, l)| (*i, l)).collect()
    }

    fn name(&self, index: u32) -> String {
        self.links
            .get(&index)
            .map_or_else(|| format!("if{index}"), |l| l.name.clone())
    }
}

/// `"new"` or `"del"` for an object event.
fn event_kind(ev: &Event) -> &'static str {
    match ev {
        Event::DelLink(_)
        | Event::DelAddr(_)
        | Event::DelRoute(_)
        | Event::DelNeigh(_)
        | Event::DelRule(_) => "del",
        _ => "new",
    }
}

/// `ip -j` style object for one event, with `"event"` and `"object"` first.
fn event_json(ev: &Event, names: &Names) -> Value {
    let by_index = names.by_index();
    let (object, body) = match ev {
        Event::NewLink(l) | Event::DelLink(l) => ("link", link_json(l, &by_index)),
        Event::NewAddr(a) | Event::DelAddr(a) => {
            let body = match names.links.get(&a.index) {
                Some(l) => addr_json(l, &[&**a], &by_index),
                None => json!({ "ifindex": a.index, "addr_info": [{
                    "local": a.ip().map(|ip| ip.to_string()), "prefixlen": a.prefix_len }] }),
            };
            ("addr", body)
        }
        Event::NewRoute(r) | Event::DelRoute(r) => ("route", route_json(r, &by_index)),
        Event::NewNeigh(n) | Event::DelNeigh(n) => {
            let body = neigh_json(n, &by_index).unwrap_or_else(|| {
                json!({ "dst": n.dst.map(|d| d.to_string()), "dev": names.name(n.index),
                        "state": n.state.to_string().split(' ').collect::<Vec<_>>() })
            });
            ("neigh", body)
        }
        Event::NewRule(r) | Event::DelRule(r) => ("rule", rule_json(r)),
        Event::ResyncNeeded => return json!({ "event": "resync" }),
        other => {
            return json!({ "event": "unknown", "msg_type": other.msg_type() });
        }
    };
    let mut m = Map::new();
    m.insert("event".into(), event_kind(ev).into());
    m.insert("object".into(), object.into());
    if let Value::Object(fields) = body {
        m.extend(fields);
    }
    Value::Object(m)
}

/// One line as `ip monitor` prints it: `[ROUTE]`, `Deleted `, then the object.
fn event_text(ev: &Event, names: &Names) -> String {
    let by_index = names.by_index();
    let deleted = if event_kind(ev) == "del" {
        "Deleted "
    } else {
        ""
    };
    match ev {
        Event::NewLink(l) | Event::DelLink(l) => {
            let mut line = format!("[LINK]{deleted}{}: {}", l.index, l.name);
            if let Some(p) = l.parent.filter(|_| l.link_netnsid.is_none()) {
                // iproute2 prints NONE for a link whose parent index is 0 (a veth peer
                // announced before its partner exists).
                let parent = if p == 0 { "NONE".into() } else { names.name(p) };
                line.push_str(&format!("@{parent}"));
            }
            line.push_str(&format!(": <{}>", flags(l, &by_index).join(",")));
            if let Some(mtu) = l.mtu {
                line.push_str(&format!(" mtu {mtu}"));
            }
            if let Some(m) = l.master.and_then(|i| by_index.get(&i)) {
                line.push_str(&format!(" master {}", m.name));
            }
            if let Some(o) = l.operstate {
                line.push_str(&format!(" state {}", o.as_str()));
            }
            if let Some(a) = l.address {
                line.push_str(&format!(
                    " link/{} {a}",
                    link_type(l.link_type).as_str().unwrap_or("ether")
                ));
            }
            line
        }
        Event::NewAddr(a) | Event::DelAddr(a) => {
            let dev = names.name(a.index);
            let family = if a.family == 2 { "inet" } else { "inet6" };
            let local = a.ip().map_or_else(|| "?".into(), |ip| ip.to_string());
            let mut line = format!(
                "[ADDR]{deleted}{}: {dev}    {family} {local}/{} scope {}",
                a.index, a.prefix_len, a.scope
            );
            if a.family == 2 {
                line.push(' ');
                line.push_str(a.label.as_deref().unwrap_or(&dev));
            }
            line
        }
        Event::NewRoute(r) | Event::DelRoute(r) => {
            let v = route_json(r, &by_index);
            let mut line = format!("[ROUTE]{deleted}");
            if let Some(t) = v["type"].as_str() {
                line.push_str(t);
                line.push(' ');
            }
            line.push_str(v["dst"].as_str().unwrap_or("default"));
            for (key, word) in [
                ("gateway", "via"),
                ("dev", "dev"),
                ("table", "table"),
                ("protocol", "proto"),
                ("scope", "scope"),
                ("metric", "metric"),
                ("prefsrc", "src"),
            ] {
                match &v[key] {
                    Value::Null => {}
                    Value::String(s) => line.push_str(&format!(" {word} {s}")),
                    other => line.push_str(&format!(" {word} {other}")),
                }
            }
            line
        }
        Event::NewNeigh(n) | Event::DelNeigh(n) => {
            let mut line = format!("[NEIGH]{deleted}");
            line.push_str(&n.dst.map_or_else(|| "?".into(), |d| d.to_string()));
            line.push_str(&format!(" dev {}", names.name(n.index)));
            if let Some(ll) = &n.lladdr {
                line.push_str(&format!(" lladdr {ll}"));
            }
            line.push(' ');
            line.push_str(&n.state.to_string());
            line
        }
        Event::NewRule(r) | Event::DelRule(r) => {
            let v = rule_json(r);
            let mut line = format!(
                "[RULE]{deleted}{}:\tfrom {}",
                v["priority"],
                v["src"].as_str().unwrap_or("all")
            );
            if let Some(len) = v["srclen"].as_u64() {
                line.push_str(&format!("/{len}"));
            }
            if let Some(d) = v["dst"].as_str() {
                line.push_str(&format!(" to {d}"));
                if let Some(len) = v["dstlen"].as_u64() {
                    line.push_str(&format!("/{len}"));
                }
            }
            if let Some(f) = v["fwmark"].as_str() {
                line.push_str(&format!(" fwmark {f}"));
            }
            match (v["table"].as_str(), v["action"].as_str()) {
                (Some(t), _) => line.push_str(&format!(" lookup {t}")),
                (None, Some(a)) => line.push_str(&format!(" {a}")),
                (None, None) => {}
            }
            line
        }
        Event::ResyncNeeded => "[RESYNC] events were lost; link names read again".into(),
        other => format!("[UNKNOWN] {other}"),
    }
}
