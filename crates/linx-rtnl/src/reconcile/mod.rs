//! Converging a namespace on a desired state: observe, diff, a printable [`Plan`], an
//! ordered fail-fast apply, and a [`Report`].
//!
//! Why this shape: a CNI plugin, a VPN daemon or a routing daemon owns *part* of a
//! namespace while other software owns the rest, and must converge after a crash or a retry
//! instead of failing with `EEXIST`. So a pass is level-triggered (it looks at what is there
//! every time), it touches only what it owns (routes of its protocol; links, addresses,
//! rules and neighbours it created, recorded in a [`LastApplied`] that survives a restart),
//! and it shows every kernel call before making it ([`plan`] is the dry run). The desired
//! state is authored by interface **names** and resolved to indexes on each pass, so it can
//! be persisted and replayed.
//!
//! A pass ([`reconcile`] = [`plan`] then [`apply`]):
//! 1. observe: one dump each of links, addresses, routes (the kernel filters by protocol),
//!    rules and neighbours, in the socket's namespace;
//! 2. normalise the desired state against the observed names: every problem (a name that
//!    neither exists nor is created, a bad address, mixed families, a duplicate, a cycle of
//!    masters/parents, a link that exists with another kind) is an [`Error::Desired`] and
//!    nothing is applied;
//! 3. diff ([`diff`]): routes two-way against the routes of the protocol, everything else
//!    three-way against the owned keys;
//! 4. order: link creates (parents and masters first), link updates, addresses, neighbours,
//!    routes, rules; then deletes in reverse (rules, routes, neighbours, addresses, links,
//!    children before parents);
//! 5. apply in order, stopping at the first refusal; the [`Report`] lists what applied,
//!    what failed (naming the object) and what is pending, and the new ownership.
//!
//! # Desired state (JSON)
//! ```
//! # use linx_rtnl::reconcile::Desired;
//! let json = r#"{
//!   "links": [
//!     { "name": "br0", "kind": "bridge", "up": true },
//!     { "name": "ve0", "kind": { "veth": { "peer": "ve1" } }, "master": "br0", "up": true, "mtu": 1400 },
//!     { "name": "ve1", "up": true },
//!     { "name": "c0",  "kind": { "veth": { "peer": "eth0", "peer_netns": "/run/netns/c1" } }, "up": true },
//!     { "name": "d0",  "kind": "bridge", "up": true },
//!     { "name": "mv0", "kind": { "macvlan": { "parent": "d0", "mode": "bridge" } } },
//!     { "name": "vx0", "kind": { "vxlan": { "vni": 42, "port": 4789, "remote": "10.0.0.2",
//!                                          "local": "10.0.0.1", "dev": "ve0" } },
//!       "address": "02:00:00:00:00:42" },
//!     { "name": "lo", "up": true }
//!   ],
//!   "addresses": [
//!     { "dev": "br0", "address": "10.0.0.1/24" },
//!     { "dev": "br0", "address": "fd00::1/64" }
//!   ],
//!   "routes": [
//!     { "dst": "10.1.0.0/16", "gateway": "10.0.0.2", "table": 100, "metric": 10 },
//!     { "dst": "default", "gateway": "10.0.0.254" },
//!     { "dst": "10.9.0.0/16", "type": "blackhole", "table": 100 },
//!     { "dst": "10.2.0.0/16", "table": 100, "nexthops": [
//!         { "gateway": "10.0.0.2", "dev": "br0", "weight": 1 },
//!         { "gateway": "10.0.0.3", "dev": "br0", "weight": 3 } ] }
//!   ],
//!   "rules": [ { "priority": 100, "from": "10.0.0.0/24", "fwmark": 1, "table": 100 } ],
//!   "neighbours": [ { "dev": "br0", "address": "10.0.0.9", "lladdr": "02:00:00:00:00:09" } ]
//! }"#;
//! let d: Desired = serde_json::from_str(json)?;
//! assert_eq!(d.links.len(), 8);
//! assert_eq!(d.routes[3].nexthops.len(), 2);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Every top-level list is optional, and unknown fields are errors.
//! - `links`: `name`; `kind`: `"bridge"`, `{"veth": {"peer", "peer_netns"?}}` (the peer is
//!   created in that namespace in the same request), `{"macvlan": {"parent", "mode"?}}`
//!   (default bridge), `{"vxlan": {"vni", "port"?, "remote"?, "local"?, "dev"?}}`; then
//!   `up`, `mtu`, `address` (MAC), `master`. A link without `kind` is only configured (it
//!   must exist, or be the same-namespace peer of a desired veth) and is never created or
//!   deleted. Settings left out are left as the kernel has them. A peer in another
//!   namespace is configured by the reconciler of that namespace (one reconciler per
//!   namespace).
//! - `addresses`: `dev`, `address` (`ip/prefix`). Only universe-scope addresses are
//!   compared (link-local ones are the kernel's).
//! - `routes`: `dst` (CIDR, bare address or `"default"`), `gateway`, `dev`, `table`
//!   (default 254), `metric` (default 0; IPv6 1024), `type` (`unicast`, `blackhole`,
//!   `unreachable`, `prohibit`, `local`, `throw`, `anycast`), `nexthops` (`gateway`, `dev`,
//!   `weight` 1..=256), `family` (`"inet"`/`"inet6"` for a default route with no gateway).
//!   Every desired route carries the pass's protocol ([`Options::with_protocol`], default 76).
//! - `rules`: `priority` (required: it is the rule's identity), `from`, `to`, `fwmark`,
//!   `table`, `action` (`lookup` default, `blackhole`, `unreachable`, `prohibit`), `family`.
//! - `neighbours`: `dev`, `address`, `lladdr` (permanent entries).
//!
//! # Ownership
//! | Resource | Identity | Compared (→ update) | Deleted when undesired if |
//! |---|---|---|---|
//! | route | table, family, destination or default, prefix length, metric | type, gateway, device (when desired), nexthops | its protocol is ours |
//! | address | link, address, prefix | — | owned |
//! | neighbour | link, address | lladdr, permanent | owned |
//! | rule | priority, family, from, to, fwmark, table | action | owned |
//! | link | name | up, mtu, address, master (when desired) | owned (created by a pass) |
//!
//! New ownership = the previous + applied creates − applied deletes; a pass also forgets
//! owned objects that are neither desired nor observed any more (they went away by
//! themselves), so a foreign object reusing the name later is not taken for ours.
//!
//! # Contract
//! - `Err` from [`plan`]/[`reconcile`] only when the pass could not run: the observation
//!   failed, or the desired state is wrong ([`Error::Desired`]); nothing was applied then.
//!   Kernel refusals of steps live in the [`Report`], naming the object
//!   (`link "ve0": EEXIST (17)`).
//! - Never touched: routes of other protocols (and cached clones), links, addresses, rules
//!   and neighbours not in [`LastApplied`] (desired ones are created or configured, never
//!   deleted unless owned).
//! - Routes are written with `NLM_F_CREATE | NLM_F_REPLACE` (an update is in place); a
//!   route delete names table, protocol and metric. A delete whose object is already gone
//!   counts as applied. No rollback: the next pass heals.
//! - Logging through `tracing` only: a span per pass (`reconcile`), a debug event per
//!   applied step, a warning for a failed step; nothing without a subscriber.
//! - Cost: one dump per resource, hash maps keyed by small `Copy` keys (no formatting in
//!   the diff), one acknowledged request per step.
//!
//! ```no_run
//! use linx_rtnl::reconcile::{self, Desired, LastApplied, Options};
//! let sock = linx_rtnl::open(linx_netlink_sys::Netns::Path("/run/netns/c1".into()))?;
//! let desired: Desired = serde_json::from_str(r#"{"addresses":[{"dev":"eth0","address":"10.0.0.2/24"}]}"#)?;
//! // Dry run: print every kernel call the pass would make.
//! print!("{}", reconcile::plan(&sock, &desired, &LastApplied::new(), &Options::new())?);
//! let r = reconcile::reconcile(&sock, &desired, &LastApplied::new(), &Options::new())?;
//! println!("{r}"); // Report<converged: 1 applied>
//! let again = reconcile::reconcile(&sock, &desired, &r.last_applied, &Options::new())?;
//! assert!(again.applied.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod desired;
pub mod diff;
mod multipath;
mod plan;
mod report;
mod state;

use std::future::Future;

use linx_netlink_codec::{Flavor, Transport};
use tracing::Instrument;

pub use crate::error::DesiredProblem;
pub use desired::{
    AddressConfig, Desired, FamilyName, LinkConfig, LinkKind, MacvlanModeName, NeighbourConfig,
    NextHopConfig, RouteConfig, RouteDst, RuleConfig,
};
pub use plan::{Observed, Plan, Step};
pub use report::{Failure, Report};
pub use state::{LastApplied, Options, OwnedAddress, OwnedNeighbour, RuleKey};

use crate::error::Error;
use crate::route::{RouteFilter, list_filtered_call};
use crate::verb::verb;

async fn observe_in<S: Transport>(sock: &S, opts: &Options) -> Result<Observed, Error> {
    if opts.protocol == 0 {
        return Err(Error::BadOption {
            name: "protocol",
            value: "0 (routes need an owner protocol, 1..=255)".into(),
        });
    }
    let links = sock.collect(crate::link::list_call()).await?.items;
    let addresses = sock.collect(crate::addr::list_call()).await?.items;
    let filter = RouteFilter::new().protocol(opts.protocol);
    let routes = sock
        .collect(list_filtered_call(&filter, None)?)
        .await?
        .items;
    // `filter_map` (unlike `flatten`) collects in place: the 10k routes are not moved again.
    #[allow(clippy::filter_map_identity)]
    let routes = routes.into_iter().filter_map(|r| r).collect();
    let rules = sock.collect(crate::rule::list_call()).await?.items;
    let neighbours = sock.collect(crate::neigh::list_call()).await?.items;
    Ok(Observed {
        links,
        addresses,
        routes,
        rules,
        neighbours,
    })
}

verb! {
    /// What a pass observes: one dump per resource (routes of `opts`' protocol only).
    ///
    /// ```no_run
    /// use linx_rtnl::reconcile::{self, Options};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let seen = reconcile::observe(&sock, &Options::new())?;
    /// println!("{} links", seen.links.len());
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn observe(sock, opts: &Options) -> Observed {
        observe_in(sock, opts).await
    }
}

verb! {
    /// Observe and compute the [`Plan`] that would converge the namespace on `desired`,
    /// applying nothing (a dry run: print it).
    ///
    /// ```no_run
    /// use linx_rtnl::reconcile::{self, Desired, LastApplied, Options};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let plan = reconcile::plan(&sock, &Desired::default(), &LastApplied::new(), &Options::new())?;
    /// print!("{plan}");
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn plan(sock, desired: &Desired, last_applied: &LastApplied, opts: &Options) -> Plan {
        let observed = observe_in(sock, opts).await?;
        Plan::compute(desired, last_applied, opts, observed)
    }
}

/// Apply `plan` in order, stopping at the first refusal: the value on a blocking socket, a
/// future on a tokio socket. Never fails as a whole: refusals are in the [`Report`].
///
/// ```no_run
/// use linx_rtnl::reconcile::{self, Desired, LastApplied, Options};
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// let plan = reconcile::plan(&sock, &Desired::default(), &LastApplied::new(), &Options::new())?;
/// let report = reconcile::apply(&sock, plan);
/// assert!(report.converged());
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn apply<S: Transport + Flavor>(sock: &S, plan: Plan) -> S::Run<impl Future<Output = Report>> {
    S::run(async move {
        let span = tracing::info_span!("reconcile_apply", steps = plan.steps.len());
        apply::run(sock, plan).instrument(span).await
    })
}

verb! {
    /// One pass: observe, plan, apply. `Err` only when the pass could not run (the
    /// observation failed, or the desired state is wrong: nothing applied); refusals of
    /// single steps are in the [`Report`].
    ///
    /// ```no_run
    /// use linx_rtnl::reconcile::{self, Desired, LastApplied, Options};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let desired: Desired = serde_json::from_str(r#"{"links":[{"name":"lo","up":true}]}"#)?;
    /// let r = reconcile::reconcile(&sock, &desired, &LastApplied::new(), &Options::new())?;
    /// assert!(r.converged(), "{r:#?}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reconcile(sock, desired: &Desired, last_applied: &LastApplied, opts: &Options) -> Report {
        let span = tracing::info_span!("reconcile", protocol = opts.protocol);
        async {
            let observed = observe_in(sock, opts).await?;
            let plan = Plan::compute(desired, last_applied, opts, observed)?;
            let report = apply::run(sock, plan).await;
            tracing::debug!(report = %report, "pass done");
            Ok(report)
        }
        .instrument(span)
        .await
    }
}
