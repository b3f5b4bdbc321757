//! From a desired state and an observation to a [`Plan`]: normalise (names to indexes, every
//! check), diff each resource, and order the steps.
//!
//! # Contract
//! - [`Plan::compute`] is pure: the same inputs give the same plan, and nothing is sent.
//! - Every problem with the desired state is an [`Error::Desired`] returned here, so a pass
//!   that fails to plan applies nothing.
//! - Order: link creates (parents and masters first), link updates, addresses, neighbours,
//!   routes, rules; then deletes in reverse: rules, routes, neighbours, addresses, links
//!   (children before their parents and masters).
//! - Observed objects reach the diff filtered: routes of the reconciler's protocol only
//!   (`RTM_F_CLONED` cache entries never), addresses of universe scope only, neighbours and
//!   rules of IPv4/IPv6 only.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use linx_ip::{Family, Ip, Mac, Subnet};

use super::Options;
use super::desired::{
    Desired, FamilyName, LinkConfig, LinkKind, RouteConfig, RouteDst as Dst, RuleConfig,
};
use super::diff::{Identity, Op, three_way, two_way_unique};
use super::state::{LastApplied, OwnedAddress, OwnedNeighbour, RuleKey};
use crate::addr::{AddrScope, Address};
use crate::error::{DesiredProblem, Error};
use crate::ifindex::check_name;
use crate::link::{IFF_UP, Link, MacvlanMode, NewLink};
use crate::neigh::{Neighbour, NudState};
use crate::route::{Protocol, RTM_F_CLONED, Route, RouteSpec, RouteType, Scope};
use crate::rule::{Rule, RuleAction, RuleSpec};

/// `IP6_RT_PRIO_USER`: the metric the kernel gives an IPv6 route that names none.
const IPV6_DEFAULT_METRIC: u32 = 1024;

/// What one pass saw in the namespace: one dump per resource.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// Every link.
    pub links: Vec<Link>,
    /// Every address.
    pub addresses: Vec<Address>,
    /// Routes (any protocol; the plan keeps its own).
    pub routes: Vec<Route>,
    /// Every rule.
    pub rules: Vec<Rule>,
    /// Every neighbour entry.
    pub neighbours: Vec<Neighbour>,
}

// ------------------------------------------------------------------ normalised desired items

/// A desired link, checked, with its master's index when the master exists already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WantLink {
    pub(crate) cfg: LinkConfig,
    /// `Some(i)`: the master exists with index `i`; `None` with a master named: it is
    /// created by this pass.
    pub(crate) master_index: Option<u32>,
    /// A same-namespace veth peer to configure, which this pass creates.
    pub(crate) pending: bool,
}

/// A desired address on link `dev` (`index` 0: the link is created by this pass).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WantAddr {
    pub(crate) dev: String,
    pub(crate) index: u32,
    pub(crate) address: Subnet,
}

/// A desired permanent neighbour entry (`index` 0: the link is created by this pass).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WantNeigh {
    pub(crate) dev: String,
    pub(crate) index: u32,
    pub(crate) address: Ip,
    pub(crate) lladdr: Mac,
}

/// One nexthop of a desired multipath route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hop {
    pub(crate) gateway: Option<Ip>,
    pub(crate) dev: Option<String>,
    /// The device's index: `Some(0)` when this pass creates it.
    pub(crate) oif: Option<u32>,
    /// `rtnh_hops`: weight - 1.
    pub(crate) hops: u8,
}

/// A desired route: the route to send (its output device `Some(0)` when this pass creates
/// the device) and its multipath nexthops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WantRoute {
    pub(crate) route: Route,
    pub(crate) dev: Option<String>,
    pub(crate) hops: Vec<Hop>,
}

/// An observed object with the name of its link, for plans and ownership by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seen<T> {
    pub(crate) obj: T,
    pub(crate) dev: String,
}

/// One kernel call of a plan.
#[derive(Clone, PartialEq, Eq)]
pub struct Step {
    pub(crate) kind: StepKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StepKind {
    Link(Op<WantLink, Link>),
    Address(Op<WantAddr, Seen<Address>>),
    Neighbour(Op<WantNeigh, Seen<Neighbour>>),
    Route(Op<WantRoute, Route>),
    Rule(Op<Rule, Rule>),
}

impl Step {
    /// The resource: `"link"`, `"address"`, `"neighbour"`, `"route"` or `"rule"`.
    pub fn resource(&self) -> &'static str {
        match &self.kind {
            StepKind::Link(_) => "link",
            StepKind::Address(_) => "address",
            StepKind::Neighbour(_) => "neighbour",
            StepKind::Route(_) => "route",
            StepKind::Rule(_) => "rule",
        }
    }

    /// `"create"`, `"update"` or `"delete"`.
    pub fn verb(&self) -> &'static str {
        match &self.kind {
            StepKind::Link(o) => o.verb(),
            StepKind::Address(o) => o.verb(),
            StepKind::Neighbour(o) => o.verb(),
            StepKind::Route(o) => o.verb(),
            StepKind::Rule(o) => o.verb(),
        }
    }

    /// The object, as errors name it (`ve0`, `10.0.0.1/24 dev ve0`, `10.1.0.0/16 table 100`,
    /// `pref 100`).
    pub fn object(&self) -> String {
        match &self.kind {
            StepKind::Link(o) => match o {
                Op::Create(d) | Op::Update(d, _) => d.cfg.name.clone(),
                Op::Delete(l) => l.name.clone(),
            },
            StepKind::Address(o) => match o {
                Op::Create(d) | Op::Update(d, _) => format!("{} dev {}", d.address, d.dev),
                Op::Delete(s) => format!("{} dev {}", addr_subnet(&s.obj), s.dev),
            },
            StepKind::Neighbour(o) => match o {
                Op::Create(d) | Op::Update(d, _) => format!("{} dev {}", d.address, d.dev),
                Op::Delete(s) => format!("{} dev {}", Opt(s.obj.dst), s.dev),
            },
            StepKind::Route(o) => {
                let r = match o {
                    Op::Create(d) | Op::Update(d, _) => &d.route,
                    Op::Delete(r) => r,
                };
                format!("{} table {}", ShownDst(r), r.table())
            }
            StepKind::Rule(o) => {
                let r = match o {
                    Op::Create(d) | Op::Update(d, _) => d,
                    Op::Delete(r) => r,
                };
                format!("pref {}", r.priority.unwrap_or(0))
            }
        }
    }
}

/// `Option<T>` printed as the value or `?`.
struct Opt<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Opt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("?"),
        }
    }
}

/// A route's destination as `ip route` prints it.
struct ShownDst<'a>(&'a Route);

impl fmt::Display for ShownDst<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.dst {
            None if self.0.dst_len == 0 => f.write_str("default"),
            None => write!(f, "?/{}", self.0.dst_len),
            Some(d) => write!(f, "{d}/{}", self.0.dst_len),
        }
    }
}

pub(crate) fn addr_subnet(a: &Address) -> Subnet {
    a.subnet()
        .or_else(|| a.ip().and_then(|ip| Subnet::from_parts(ip, a.prefix_len)))
        .unwrap_or_else(|| Subnet::host(Ip::unspecified(Family::Inet)))
}

impl fmt::Display for Step {
    /// One `ip`-like command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StepKind::Link(Op::Create(d)) => fmt_link_add(f, d),
            StepKind::Link(Op::Update(d, o)) => {
                write!(f, "ip link set {}", d.cfg.name)?;
                if let Some(m) = d.cfg.mtu.filter(|m| Some(*m) != o.mtu) {
                    write!(f, " mtu {m}")?;
                }
                if let Some(a) = d.cfg.address.filter(|a| Some(*a) != o.address) {
                    write!(f, " address {a}")?;
                }
                if let Some(m) = &d.cfg.master {
                    if d.pending || d.master_index.is_none() || d.master_index != o.master {
                        write!(f, " master {m}")?;
                    }
                }
                if let Some(up) = d.cfg.up {
                    if d.pending || up != (o.flags & IFF_UP != 0) {
                        f.write_str(if up { " up" } else { " down" })?;
                    }
                }
                Ok(())
            }
            StepKind::Link(Op::Delete(l)) => write!(f, "ip link del {}", l.name),
            StepKind::Address(Op::Create(d) | Op::Update(d, _)) => {
                write!(f, "ip addr add {} dev {}", d.address, d.dev)
            }
            StepKind::Address(Op::Delete(s)) => {
                write!(f, "ip addr del {} dev {}", addr_subnet(&s.obj), s.dev)
            }
            StepKind::Neighbour(Op::Create(d) | Op::Update(d, _)) => write!(
                f,
                "ip neigh replace {} lladdr {} dev {} nud permanent",
                d.address, d.lladdr, d.dev
            ),
            StepKind::Neighbour(Op::Delete(s)) => {
                write!(f, "ip neigh del {} dev {}", Opt(s.obj.dst), s.dev)
            }
            StepKind::Route(Op::Create(d) | Op::Update(d, _)) => {
                f.write_str("ip route replace ")?;
                let r = &d.route;
                if r.route_type != RouteType::Unicast {
                    write!(f, "{} ", r.route_type)?;
                }
                write!(f, "{}", ShownDst(r))?;
                if let Some(g) = r.gateway {
                    write!(f, " via {g}")?;
                }
                if let Some(dev) = &d.dev {
                    write!(f, " dev {dev}")?;
                }
                write!(f, " table {}", r.table())?;
                if let Some(m) = r.metric {
                    write!(f, " metric {m}")?;
                }
                write!(f, " proto {}", r.protocol.0)?;
                for h in &d.hops {
                    f.write_str(" nexthop")?;
                    if let Some(g) = h.gateway {
                        write!(f, " via {g}")?;
                    }
                    if let Some(dev) = &h.dev {
                        write!(f, " dev {dev}")?;
                    }
                    write!(f, " weight {}", u16::from(h.hops) + 1)?;
                }
                Ok(())
            }
            StepKind::Route(Op::Delete(r)) => {
                f.write_str("ip route del ")?;
                if !matches!(r.route_type, RouteType::Unicast | RouteType::Unspec) {
                    write!(f, "{} ", r.route_type)?;
                }
                write!(f, "{} table {}", ShownDst(r), r.table())?;
                if let Some(m) = r.metric {
                    write!(f, " metric {m}")?;
                }
                write!(f, " proto {}", r.protocol.0)
            }
            StepKind::Rule(Op::Create(r)) => fmt_rule(f, "add", r),
            StepKind::Rule(Op::Update(r, o)) => {
                fmt_rule(f, "add", r)?;
                f.write_str(" && ")?;
                fmt_rule(f, "del", o)
            }
            StepKind::Rule(Op::Delete(r)) => fmt_rule(f, "del", r),
        }
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Step<{self}>")
    }
}

fn fmt_link_add(f: &mut fmt::Formatter<'_>, d: &WantLink) -> fmt::Result {
    let c = &d.cfg;
    write!(f, "ip link add {}", c.name)?;
    if let Some(LinkKind::Macvlan { parent, .. }) = &c.kind {
        write!(f, " link {parent}")?;
    }
    if let Some(m) = c.mtu {
        write!(f, " mtu {m}")?;
    }
    if let Some(a) = c.address {
        write!(f, " address {a}")?;
    }
    if let Some(m) = &c.master {
        write!(f, " master {m}")?;
    }
    if c.up == Some(true) {
        f.write_str(" up")?;
    }
    match &c.kind {
        Some(LinkKind::Veth { peer, peer_netns }) => {
            write!(f, " type veth peer name {peer}")?;
            if let Some(ns) = peer_netns {
                write!(f, " netns {}", ns.display())?;
            }
        }
        Some(LinkKind::Bridge) => f.write_str(" type bridge")?,
        Some(LinkKind::Macvlan { mode, .. }) => {
            let mode = mode.map_or(MacvlanMode::Bridge, MacvlanMode::from);
            write!(
                f,
                " type macvlan mode {}",
                format!("{mode:?}").to_lowercase()
            )?;
        }
        Some(LinkKind::Vxlan {
            vni,
            port,
            remote,
            local,
            dev,
        }) => {
            write!(f, " type vxlan id {vni}")?;
            if let Some(r) = remote {
                let w = if r.is_multicast() { "group" } else { "remote" };
                write!(f, " {w} {r}")?;
            }
            if let Some(l) = local {
                write!(f, " local {l}")?;
            }
            if let Some(d) = dev {
                write!(f, " dev {d}")?;
            }
            if let Some(p) = port {
                write!(f, " dstport {p}")?;
            }
        }
        None => {}
    }
    Ok(())
}

fn fmt_rule(f: &mut fmt::Formatter<'_>, verb: &str, r: &Rule) -> fmt::Result {
    write!(f, "ip")?;
    if r.family == Family::Inet6.af() {
        f.write_str(" -6")?;
    }
    write!(f, " rule {verb} pref {}", r.priority.unwrap_or(0))?;
    if let Some(s) = r.source() {
        write!(f, " from {s}")?;
    }
    if let Some(d) = r.destination() {
        write!(f, " to {d}")?;
    }
    if let Some(m) = r.fwmark {
        write!(f, " fwmark {m:#x}")?;
    }
    match r.action {
        RuleAction::ToTable => write!(f, " lookup {}", r.table()),
        RuleAction::Blackhole => f.write_str(" blackhole"),
        RuleAction::Unreachable => f.write_str(" unreachable"),
        RuleAction::Prohibit => f.write_str(" prohibit"),
        a => write!(f, " action {}", u8::from(a)),
    }
}

// ------------------------------------------------------------------------------- the plan

/// Every kernel call one pass makes, in order, computed before anything is applied. `{}`
/// prints one `ip`-like line per step (nothing for an empty plan); a dry run is a plan that
/// is printed and not applied.
///
/// ```
/// use linx_rtnl::reconcile::{Desired, LastApplied, Observed, Options, Plan};
/// let plan = Plan::compute(&Desired::default(), &LastApplied::default(), &Options::new(), Observed::default())?;
/// assert!(plan.is_empty());
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a Plan does nothing until applied with reconcile::apply"]
pub struct Plan {
    pub(crate) steps: Vec<Step>,
    /// Ownership before this pass, pruned of what is neither desired nor observed.
    pub(crate) last_applied: LastApplied,
    /// Link names to indexes, as observed (creates add theirs while applying).
    pub(crate) indexes: HashMap<String, u32>,
}

impl Plan {
    /// The steps, in the order they are applied.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether the namespace already matches the desired state.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The ownership this plan starts from (what a pass that applies nothing reports).
    pub fn last_applied(&self) -> &LastApplied {
        &self.last_applied
    }

    /// Normalise `desired` against `observed`, diff every resource, order the steps. Pure:
    /// [`plan`](super::plan) observes and calls this. `Err` ([`Error::Desired`]) names the
    /// first problem with the desired state.
    pub fn compute(
        desired: &Desired,
        last: &LastApplied,
        opts: &Options,
        observed: Observed,
    ) -> Result<Plan, Error> {
        let Observed {
            links,
            addresses,
            routes,
            rules,
            neighbours,
        } = observed;
        let indexes: HashMap<String, u32> =
            links.iter().map(|l| (l.name.clone(), l.index)).collect();
        let names: HashMap<u32, &str> = links.iter().map(|l| (l.index, l.name.as_str())).collect();
        let n = Names::new(desired, &indexes)?;
        // A desired kind must match the link of that name, if there is one: a link is never
        // recreated or taken over as another kind.
        let kinds: HashMap<&str, Option<&str>> =
            links.iter().map(|l| (l.name.as_str(), l.kind())).collect();
        for l in &desired.links {
            let (Some(k), Some(have)) = (&l.kind, kinds.get(l.name.as_str())) else {
                continue;
            };
            let want = new_link(l, k).kind().kind();
            if *have != Some(want) {
                return Err(desired_err(
                    format!("link {:?}", l.name),
                    DesiredProblem::KindMismatch {
                        want,
                        have: have.unwrap_or("none").to_owned(),
                    },
                ));
            }
        }

        // ------------------------------------------------------------------------- links
        let want_links = n.links(desired, &indexes)?;
        let owned_links: HashSet<String> = last.links.iter().cloned().collect();
        let link_ops = three_way(want_links, links.iter().cloned(), &owned_links, &LINK_ID)
            .into_iter()
            .map(|op| match op {
                // A link to configure that this pass creates (a same-namespace veth peer):
                // configured after its creation, as if observed with nothing set.
                Op::Create(d) if d.cfg.kind.is_none() => {
                    let o = Link {
                        name: d.cfg.name.clone(),
                        ..Default::default()
                    };
                    Op::Update(d, o)
                }
                op => op,
            })
            .collect::<Vec<_>>();
        // Creates first, then updates (the conversion above may interleave them).
        let (link_new, link_rest): (Vec<_>, Vec<_>) = link_ops
            .into_iter()
            .partition(|o| matches!(o, Op::Create(_)));
        let link_ops: Vec<_> = link_new.into_iter().chain(link_rest).collect();
        let (link_up, mut link_del) = split(link_ops);
        order_link_deletes(&mut link_del);

        // --------------------------------------------------------------------- addresses
        let mut want_addrs = Vec::with_capacity(desired.addresses.len());
        let mut seen: HashSet<(&str, Subnet)> = HashSet::new();
        for a in &desired.addresses {
            let index = n.index(&a.dev, || format!("address {} dev {}", a.address, a.dev))?;
            let w = WantAddr {
                dev: a.dev.clone(),
                index,
                address: a.address,
            };
            if !seen.insert((a.dev.as_str(), a.address)) {
                return Err(desired_err(
                    format!("address {} dev {}", a.address, a.dev),
                    DesiredProblem::Duplicate,
                ));
            }
            want_addrs.push(w);
        }
        let obs_addrs: Vec<_> = addresses
            .into_iter()
            .filter(|a| a.scope == AddrScope::Universe && a.ip().is_some())
            .map(|a| Seen {
                dev: names.get(&a.index).copied().unwrap_or_default().to_owned(),
                obj: a,
            })
            .collect();
        let obs_addr_keys: HashSet<AddrKey> = obs_addrs.iter().map(ADDR_ID.observed_key).collect();
        let owned_key = |o: &OwnedAddress| {
            indexes.get(&o.dev).map(|i| AddrKey {
                index: *i,
                address: o.address.address(),
                prefix: o.address.prefix(),
            })
        };
        let owned_addrs: HashSet<AddrKey> = last.addresses.iter().filter_map(owned_key).collect();
        // Ownership kept: what is desired, or still there (and so deleted by this plan).
        let mut kept = LastApplied::new();
        kept.addresses = last
            .addresses
            .iter()
            .filter(|o| {
                seen.contains(&(o.dev.as_str(), o.address))
                    || owned_key(o).is_some_and(|k| obs_addr_keys.contains(&k))
            })
            .cloned()
            .collect();
        let (addr_up, addr_del) = split(three_way(want_addrs, obs_addrs, &owned_addrs, &ADDR_ID));

        // -------------------------------------------------------------------- neighbours
        let mut want_neigh = Vec::with_capacity(desired.neighbours.len());
        let mut seen: HashSet<(&str, Ip)> = HashSet::new();
        for c in &desired.neighbours {
            let what = || format!("neighbour {} dev {}", c.address, c.dev);
            let index = n.index(&c.dev, what)?;
            if !seen.insert((c.dev.as_str(), c.address)) {
                return Err(desired_err(what(), DesiredProblem::Duplicate));
            }
            want_neigh.push(WantNeigh {
                dev: c.dev.clone(),
                index,
                address: c.address,
                lladdr: c.lladdr,
            });
        }
        let obs_neigh: Vec<_> = neighbours
            .into_iter()
            .filter(|x| x.dst.is_some() && Family::from_af(x.family).is_some())
            .map(|x| Seen {
                dev: names.get(&x.index).copied().unwrap_or_default().to_owned(),
                obj: x,
            })
            .collect();
        let obs_neigh_keys: HashSet<(u32, Ip)> =
            obs_neigh.iter().map(NEIGH_ID.observed_key).collect();
        let owned_key = |o: &OwnedNeighbour| indexes.get(&o.dev).map(|i| (*i, o.address));
        let owned_neigh: HashSet<(u32, Ip)> =
            last.neighbours.iter().filter_map(owned_key).collect();
        kept.neighbours = last
            .neighbours
            .iter()
            .filter(|o| {
                seen.contains(&(o.dev.as_str(), o.address))
                    || owned_key(o).is_some_and(|k| obs_neigh_keys.contains(&k))
            })
            .cloned()
            .collect();
        let (neigh_up, neigh_del) =
            split(three_way(want_neigh, obs_neigh, &owned_neigh, &NEIGH_ID));

        // ------------------------------------------------------------------------ routes
        let proto = Protocol(opts.protocol);
        let mut want_routes = Vec::with_capacity(desired.routes.len());
        for c in &desired.routes {
            want_routes.push(want_route(c, proto, &n)?);
        }
        let obs_routes = routes.into_iter().filter(|r| {
            r.protocol == proto
                && r.flags & RTM_F_CLONED == 0
                && Family::from_af(r.family).is_some()
        });
        // A route desired twice is found by the diff (no set of every desired key).
        let route_ops = two_way_unique(want_routes, obs_routes, &ROUTE_ID).map_err(|w| {
            let what = format!("route {} table {}", ShownDst(&w.route), w.route.table());
            desired_err(what, DesiredProblem::Duplicate)
        })?;
        let (route_up, route_del) = split(route_ops);

        // ------------------------------------------------------------------------- rules
        let mut want_rules = Vec::with_capacity(desired.rules.len());
        let mut seen = HashSet::new();
        for c in &desired.rules {
            let r = rule_spec(c)
                .build()
                .map_err(|e| desired_err(rule_what(c), DesiredProblem::Invalid(Box::new(e))))?;
            if !seen.insert(rule_key(&r)) {
                return Err(desired_err(rule_what(c), DesiredProblem::Duplicate));
            }
            want_rules.push(r);
        }
        let obs_rules: Vec<Rule> = rules
            .into_iter()
            .filter(|r| Family::from_af(r.family).is_some())
            .collect();
        let obs_rule_keys: HashSet<RuleKey> = obs_rules.iter().map(rule_key).collect();
        let owned_rules: HashSet<RuleKey> = last.rules.iter().cloned().collect();
        kept.rules = last
            .rules
            .iter()
            .filter(|k| seen.contains(k) || obs_rule_keys.contains(k))
            .cloned()
            .collect();
        let (rule_up, rule_del) = split(three_way(want_rules, obs_rules, &owned_rules, &RULE_ID));

        let mut steps = Vec::new();
        let push = |steps: &mut Vec<Step>, kind| steps.push(Step { kind });
        for o in link_up {
            push(&mut steps, StepKind::Link(o));
        }
        for o in addr_up {
            push(&mut steps, StepKind::Address(o));
        }
        for o in neigh_up {
            push(&mut steps, StepKind::Neighbour(o));
        }
        for o in route_up {
            push(&mut steps, StepKind::Route(o));
        }
        for o in rule_up {
            push(&mut steps, StepKind::Rule(o));
        }
        for o in rule_del {
            push(&mut steps, StepKind::Rule(o));
        }
        for o in route_del {
            push(&mut steps, StepKind::Route(o));
        }
        for o in neigh_del {
            push(&mut steps, StepKind::Neighbour(o));
        }
        for o in addr_del {
            push(&mut steps, StepKind::Address(o));
        }
        for o in link_del {
            push(&mut steps, StepKind::Link(o));
        }

        kept.links = last
            .links
            .iter()
            .filter(|l| indexes.contains_key(*l) || n.created.contains_key(l.as_str()))
            .cloned()
            .collect();
        Ok(Plan {
            steps,
            last_applied: kept,
            indexes,
        })
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.steps {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}

/// Ops of one resource: (creates and updates, deletes).
type Split<D, O> = (Vec<Op<D, O>>, Vec<Op<D, O>>);

fn split<D, O>(ops: Vec<Op<D, O>>) -> Split<D, O> {
    ops.into_iter().partition(|o| !matches!(o, Op::Delete(_)))
}

/// Deletes of children (ports of a deleted master, macvlans of a deleted parent) first.
fn order_link_deletes(dels: &mut [Op<WantLink, Link>]) {
    let parent_of: HashMap<u32, Vec<u32>> = dels
        .iter()
        .filter_map(Op::observed)
        .map(|l| (l.index, l.master.into_iter().chain(l.parent).collect()))
        .collect();
    let depth = |mut i: u32| {
        let mut d = 0u32;
        // Bounded: a cycle in what the kernel reports cannot loop forever.
        while d < 64 {
            match parent_of
                .get(&i)
                .and_then(|ps| ps.iter().find(|p| parent_of.contains_key(p)))
            {
                Some(p) => {
                    i = *p;
                    d += 1;
                }
                None => break,
            }
        }
        d
    };
    dels.sort_by_key(|o| std::cmp::Reverse(o.observed().map_or(0, |l| depth(l.index))));
}

fn desired_err(object: String, problem: DesiredProblem) -> Error {
    Error::Desired { object, problem }
}

// ------------------------------------------------------------------------------ names

/// The link names a pass can use: observed ones and those the desired state creates.
struct Names<'a> {
    observed: &'a HashMap<String, u32>,
    /// Names created by this pass: desired links with a kind, and same-namespace veth peers
    /// (mapped to the veth that creates them).
    created: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    fn new(desired: &'a Desired, observed: &'a HashMap<String, u32>) -> Result<Self, Error> {
        let mut created: HashMap<&str, &str> = HashMap::new();
        let mut all: HashSet<&str> = HashSet::new();
        for l in &desired.links {
            let what = || format!("link {:?}", l.name);
            check_name(&l.name)
                .map_err(|e| desired_err(what(), DesiredProblem::Invalid(Box::new(e))))?;
            if !all.insert(&l.name) {
                return Err(desired_err(what(), DesiredProblem::Duplicate));
            }
            if l.kind.is_some() {
                created.insert(&l.name, &l.name);
            }
        }
        for l in &desired.links {
            if let Some(LinkKind::Veth {
                peer,
                peer_netns: None,
            }) = &l.kind
            {
                if created.insert(peer, &l.name).is_some() || peer == &l.name {
                    return Err(desired_err(
                        format!("link {:?}", peer.as_str()),
                        DesiredProblem::Duplicate,
                    ));
                }
            }
        }
        Ok(Names { observed, created })
    }

    /// The index of `name`: observed, 0 when this pass creates it, else an error naming
    /// `what` refers to it.
    fn index(&self, name: &str, what: impl FnOnce() -> String) -> Result<u32, Error> {
        if let Some(i) = self.observed.get(name) {
            Ok(*i)
        } else if self.created.contains_key(name) {
            Ok(0)
        } else {
            Err(desired_err(
                what(),
                DesiredProblem::NoSuchLink(name.to_owned()),
            ))
        }
    }

    /// The desired links, checked, in dependency order (parents and masters first).
    fn links(
        &self,
        desired: &Desired,
        observed: &HashMap<String, u32>,
    ) -> Result<Vec<WantLink>, Error> {
        let by_name: HashMap<&str, &LinkConfig> =
            desired.links.iter().map(|l| (l.name.as_str(), l)).collect();
        // Dependencies of each desired link on other desired links.
        let mut deps: HashMap<&str, Vec<&str>> = HashMap::new();
        for l in &desired.links {
            let what = || format!("link {:?}", l.name);
            if l.kind.is_none()
                && !observed.contains_key(&l.name)
                && !self.created.contains_key(l.name.as_str())
            {
                return Err(desired_err(
                    what(),
                    DesiredProblem::NoSuchLink(l.name.clone()),
                ));
            }
            if l.mtu == Some(0) {
                return Err(desired_err(
                    what(),
                    DesiredProblem::Invalid(Box::new(Error::BadOption {
                        name: "mtu",
                        value: "0 (must be > 0)".into(),
                    })),
                ));
            }
            if let Some(k) = &l.kind {
                new_link(l, k)
                    .validate()
                    .map_err(|e| desired_err(what(), DesiredProblem::Invalid(Box::new(e))))?;
            }
            let mut refs: Vec<&str> = Vec::new();
            if let Some(m) = &l.master {
                refs.push(m);
            }
            match &l.kind {
                Some(LinkKind::Macvlan { parent, .. }) => refs.push(parent),
                Some(LinkKind::Vxlan { dev: Some(d), .. }) => refs.push(d),
                _ => {}
            }
            let mut d = Vec::new();
            for r in refs {
                self.index(r, what)?;
                // Depend on the desired link that creates or configures `r`.
                if let Some(creator) = self.created.get(r) {
                    d.push(*creator);
                } else if by_name.contains_key(r) {
                    d.push(r);
                }
            }
            // A configured veth peer depends on the veth that creates it.
            if l.kind.is_none() {
                if let Some(creator) = self.created.get(l.name.as_str()) {
                    if *creator != l.name {
                        d.push(creator);
                    }
                }
            }
            deps.insert(&l.name, d);
        }
        // Depth-first topological order, in desired order among independent links.
        let mut state: HashMap<&str, u8> = HashMap::new(); // 1 visiting, 2 done
        let mut order: Vec<&str> = Vec::new();
        fn visit<'a>(
            n: &'a str,
            deps: &HashMap<&'a str, Vec<&'a str>>,
            state: &mut HashMap<&'a str, u8>,
            order: &mut Vec<&'a str>,
            path: &mut Vec<&'a str>,
        ) -> Result<(), Vec<String>> {
            match state.get(n) {
                Some(2) => return Ok(()),
                Some(_) => {
                    let from = path.iter().position(|p| *p == n).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path[from..].iter().map(|s| s.to_string()).collect();
                    cycle.push(n.to_owned());
                    return Err(cycle);
                }
                None => {}
            }
            state.insert(n, 1);
            path.push(n);
            for d in deps.get(n).into_iter().flatten() {
                visit(d, deps, state, order, path)?;
            }
            path.pop();
            state.insert(n, 2);
            order.push(n);
            Ok(())
        }
        for l in &desired.links {
            visit(&l.name, &deps, &mut state, &mut order, &mut Vec::new()).map_err(|cycle| {
                desired_err(format!("link {:?}", l.name), DesiredProblem::Cycle(cycle))
            })?;
        }
        Ok(order
            .into_iter()
            .filter_map(|name| by_name.get(name))
            .map(|l| WantLink {
                cfg: (*l).clone(),
                master_index: l.master.as_ref().and_then(|m| observed.get(m).copied()),
                pending: l.kind.is_none() && !observed.contains_key(&l.name),
            })
            .collect())
    }
}

/// The [`NewLink`] a desired link with kind `k` creates (names unresolved).
pub(crate) fn new_link(l: &LinkConfig, k: &LinkKind) -> NewLink {
    let mut s = match k {
        LinkKind::Veth { peer, .. } => NewLink::veth(&l.name, peer),
        LinkKind::Bridge => NewLink::bridge(&l.name),
        LinkKind::Macvlan { parent, mode } => NewLink::macvlan(
            &l.name,
            parent,
            mode.map_or(MacvlanMode::Bridge, MacvlanMode::from),
        ),
        LinkKind::Vxlan {
            vni,
            port,
            remote,
            local,
            dev,
        } => {
            let mut s = NewLink::vxlan(&l.name, *vni);
            if let Some(p) = port {
                s = s.vxlan_port(*p);
            }
            if let Some(r) = remote {
                s = s.vxlan_remote(*r);
            }
            if let Some(x) = local {
                s = s.vxlan_local(*x);
            }
            if let Some(d) = dev {
                s = s.vxlan_underlay(d);
            }
            s
        }
    };
    if let Some(m) = l.mtu {
        s = s.mtu(m);
    }
    if let Some(a) = l.address {
        s = s.address(a);
    }
    if let Some(m) = &l.master {
        s = s.master(m);
    }
    if l.up == Some(true) {
        s = s.up();
    }
    s
}

/// The peer namespace of a veth, if it names one.
pub(crate) fn peer_netns(l: &LinkConfig) -> Option<&PathBuf> {
    match &l.kind {
        Some(LinkKind::Veth { peer_netns, .. }) => peer_netns.as_ref(),
        _ => None,
    }
}

// ----------------------------------------------------------------------- keys and values

const LINK_ID: Identity<WantLink, Link, String> = Identity {
    desired_key: |d| d.cfg.name.clone(),
    observed_key: |o| o.name.clone(),
    in_sync: |d, o| {
        !d.pending
            && d.cfg.up.is_none_or(|u| u == (o.flags & IFF_UP != 0))
            && d.cfg.mtu.is_none_or(|m| o.mtu == Some(m))
            && d.cfg.address.is_none_or(|a| o.address == Some(a))
            && (d.cfg.master.is_none() || (d.master_index.is_some() && d.master_index == o.master))
    },
};

/// An address's identity: (link index, address, prefix); the family is the address's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct AddrKey {
    index: u32,
    address: Ip,
    prefix: u8,
}

const ADDR_ID: Identity<WantAddr, Seen<Address>, AddrKey> = Identity {
    desired_key: |d| AddrKey {
        index: d.index,
        address: d.address.address(),
        prefix: d.address.prefix(),
    },
    observed_key: |o| AddrKey {
        index: o.obj.index,
        address: o.obj.ip().unwrap_or(Ip::unspecified(Family::Inet)),
        prefix: o.obj.prefix_len,
    },
    in_sync: |_, _| true,
};

const NEIGH_ID: Identity<WantNeigh, Seen<Neighbour>, (u32, Ip)> = Identity {
    desired_key: |d| (d.index, d.address),
    observed_key: |o| {
        (
            o.obj.index,
            o.obj.dst.unwrap_or(Ip::unspecified(Family::Inet)),
        )
    },
    in_sync: |d, o| o.obj.mac() == Some(d.lladdr) && o.obj.state.contains(NudState::PERMANENT),
};

/// A route's identity: (table, family, destination or default, prefix length, metric).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RouteKey {
    table: u32,
    family: u8,
    dst: Option<Ip>,
    dst_len: u8,
    metric: u32,
}

pub(crate) fn route_key(r: &Route) -> RouteKey {
    RouteKey {
        table: r.table(),
        family: r.family,
        dst: if r.dst_len == 0 { None } else { r.dst },
        dst_len: r.dst_len,
        metric: r.metric.unwrap_or(0),
    }
}

const ROUTE_ID: Identity<WantRoute, Route, RouteKey> = Identity {
    desired_key: |d| route_key(&d.route),
    observed_key: route_key,
    in_sync: route_in_sync,
};

fn route_in_sync(d: &WantRoute, o: &Route) -> bool {
    let r = &d.route;
    if r.route_type != o.route_type || r.gateway != o.gateway {
        return false;
    }
    if d.dev.is_some() && (r.oif == Some(0) || r.oif != o.oif) {
        return false;
    }
    let seen = crate::reconcile::multipath::hops(o);
    if d.hops.len() != seen.len() {
        return false;
    }
    d.hops.iter().zip(&seen).all(|(h, s)| {
        h.gateway == s.gateway
            && h.hops == s.hops
            && match h.oif {
                None => true,
                Some(0) => false,
                Some(i) => i == s.ifindex,
            }
    })
}

pub(crate) fn rule_key(r: &Rule) -> RuleKey {
    RuleKey {
        priority: r.priority.unwrap_or(0),
        family: r.family,
        src: if r.src_len == 0 { None } else { r.src },
        src_len: r.src_len,
        dst: if r.dst_len == 0 { None } else { r.dst },
        dst_len: r.dst_len,
        fwmark: r.fwmark,
        table: r.table(),
    }
}

const RULE_ID: Identity<Rule, Rule, RuleKey> = Identity {
    desired_key: rule_key,
    observed_key: rule_key,
    in_sync: |d, o| d.action == o.action,
};

// ------------------------------------------------------------------ routes and rules in

fn route_what(c: &RouteConfig) -> String {
    format!("route {} table {}", c.dst, c.table.unwrap_or(254))
}

fn want_route(c: &RouteConfig, proto: Protocol, n: &Names<'_>) -> Result<WantRoute, Error> {
    let what = || route_what(c);
    let bad = |e: Error| desired_err(what(), DesiredProblem::Invalid(Box::new(e)));
    let mut spec = match c.dst {
        Dst::Default => RouteSpec::default_route(),
        Dst::Prefix(p) => RouteSpec::new(p),
    };
    let family = c
        .gateway
        .map(|g| g.family())
        .or_else(|| {
            c.nexthops
                .iter()
                .find_map(|h| h.gateway)
                .map(|g| g.family())
        })
        .or(c.family.map(|f| match f {
            FamilyName::Inet => Family::Inet,
            FamilyName::Inet6 => Family::Inet6,
        }));
    if let Some(f) = family {
        spec = spec.family(f);
    }
    let rtype = c.route_type.unwrap_or(RouteType::Unicast);
    if rtype != RouteType::Unicast && (c.gateway.is_some() || !c.nexthops.is_empty()) {
        return Err(bad(Error::BadOption {
            name: "type",
            value: format!("a {rtype} route has no gateway or nexthops"),
        }));
    }
    if rtype == RouteType::Unicast
        && c.gateway.is_none()
        && c.dev.is_none()
        && c.nexthops.is_empty()
    {
        return Err(bad(Error::MissingOption("gateway, dev or nexthops")));
    }
    if !c.nexthops.is_empty() && (c.gateway.is_some() || c.dev.is_some()) {
        return Err(bad(Error::BadOption {
            name: "nexthops",
            value: "a multipath route has no top-level gateway or dev".into(),
        }));
    }
    if let Some(g) = c.gateway {
        spec = spec.via(g);
    }
    spec = spec.protocol(proto).route_type(rtype);
    if let Some(t) = c.table {
        spec = spec.table(t);
    }
    let oif = match &c.dev {
        Some(d) => {
            spec = spec.dev(d.as_str());
            Some(n.index(d, what)?)
        }
        None => None,
    };
    if !c.nexthops.is_empty() {
        spec = spec.scope(Scope::UNIVERSE);
    }
    if let Some(m) = c.metric {
        spec = spec.metric(m);
    }
    let mut route = spec.build(oif).map_err(bad)?;
    let fam = if route.family == Family::Inet6.af() {
        // The kernel gives an IPv6 route without metric IP6_RT_PRIO_USER: desire that, so
        // the key matches what is read back.
        route.metric.get_or_insert(IPV6_DEFAULT_METRIC);
        Family::Inet6
    } else {
        Family::Inet
    };
    let mut hops = Vec::with_capacity(c.nexthops.len());
    for h in &c.nexthops {
        if let Some(g) = h.gateway {
            if g.family() != fam {
                return Err(bad(Error::FamilyMismatch(format!(
                    "nexthop {g} is {} but the route is {fam}",
                    g.family()
                ))));
            }
        }
        let w = h.weight.unwrap_or(1);
        if !(1..=256).contains(&w) {
            return Err(bad(Error::BadOption {
                name: "weight",
                value: format!("{w} (must be 1..=256)"),
            }));
        }
        if h.gateway.is_none() && h.dev.is_none() {
            return Err(bad(Error::MissingOption("nexthop gateway or dev")));
        }
        let oif = match &h.dev {
            Some(d) => Some(n.index(d, what)?),
            None => None,
        };
        hops.push(Hop {
            gateway: h.gateway,
            dev: h.dev.clone(),
            oif,
            hops: (w - 1) as u8,
        });
    }
    Ok(WantRoute {
        route,
        dev: c.dev.clone(),
        hops,
    })
}

fn rule_what(c: &RuleConfig) -> String {
    format!("rule pref {}", c.priority)
}

fn rule_spec(c: &RuleConfig) -> RuleSpec {
    let mut s = RuleSpec::new().priority(c.priority);
    if let Some(f) = c.from {
        s = s.from(f);
    }
    if let Some(t) = c.to {
        s = s.to(t);
    }
    if let Some(m) = c.fwmark {
        s = s.fwmark(m);
    }
    if let Some(t) = c.table {
        s = s.table(t);
    }
    if let Some(a) = c.action {
        s = s.action(a);
    }
    if let Some(f) = c.family {
        s = s.family(match f {
            FamilyName::Inet => Family::Inet,
            FamilyName::Inet6 => Family::Inet6,
        });
    }
    s
}

/// Ownership entries for applied steps (by name, so they survive a restart).
pub(crate) fn owned_address(d: &WantAddr) -> OwnedAddress {
    OwnedAddress {
        dev: d.dev.clone(),
        address: d.address,
    }
}

pub(crate) fn owned_neighbour(d: &WantNeigh) -> OwnedNeighbour {
    OwnedNeighbour {
        dev: d.dev.clone(),
        address: d.address,
    }
}
