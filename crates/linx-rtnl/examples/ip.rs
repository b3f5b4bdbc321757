//! A read-only `ip` look-alike on Linx: `cargo run -p linx-rtnl --example ip -- [-n NETNS |
//! --pid PID] link|addr|route|neigh|rule|stats [--json]`.
//!
//! With `--json` it prints the field names `ip -j` uses, where they exist, so its output can
//! be diffed against `ip -j <object> show`. `-n NAME` opens `/run/netns/NAME` (as
//! `ip netns add` makes), `-n /path` any namespace file, `--pid` a process's namespace.

use std::collections::HashMap;
use std::process::ExitCode;

use linx_netlink_sys::{Netns, Socket};
use linx_rtnl::addr::{self, AddrFlags, Address};
use linx_rtnl::link::{self, Link, LinkData};
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
}

#[allow(dead_code)]
fn args() -> Res<Args> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_env();
    let mut a = Args {
        netns: Netns::Host,
        object: "link".into(),
        json: false,
    };
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
            Short('h') | Long("help") => {
                println!(
                    "usage: ip [-n NETNS|--pid PID] link|addr|route|neigh|rule|stats [--json]"
                );
                std::process::exit(0);
            }
            Value(v) => a.object = v.string()?,
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
