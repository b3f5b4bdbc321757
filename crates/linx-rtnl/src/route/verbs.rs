//! The route verbs: each validates its input, resolves an interface name to an index, sends
//! the request [`request`](super::request) builds and rewords the kernel's refusals
//! (`EEXIST`, `ESRCH`, `ENETUNREACH`) to name the route.
//!
//! # Contract
//! - Input errors come before anything is sent.
//! - [`add_many`] pipelines its requests and reports one outcome per spec, in order.

use linx_ip::IntoIp;
use linx_netlink_codec::{Call, Dumped, Errno, NetlinkError, Transport};

use super::filter::RouteFilter;
use super::message::Route;
use super::request::{Change, get_request, list_call, list_filtered_call, request_of};
use super::spec::{RouteOptions, RouteSpec};
use crate::error::Error;
use crate::ifindex::index_of;
use crate::types::LinkRef;
use crate::verb::verb;

async fn resolve<S: Transport>(sock: &S, dev: Option<&LinkRef>) -> Result<Option<u32>, Error> {
    match dev {
        None => Ok(None),
        Some(LinkRef::Index(i)) => Ok(Some(*i)),
        Some(LinkRef::Name(n)) => Ok(Some(index_of(sock, n, "interface").await?)),
    }
}

fn reword(e: Error, spec: &RouteSpec) -> Error {
    match e {
        Error::Netlink(n) if n.errno == Errno::EEXIST => {
            Error::Netlink(n.or_message(|| format!("route {spec} already exists")))
        }
        Error::Netlink(n) if n.errno == Errno::ESRCH => {
            Error::Netlink(n.or_message(|| format!("no such route {spec}")))
        }
        other => other,
    }
}

verb! {
    /// Every route of the socket's namespace: all tables, IPv4 and IPv6 (and multicast
    /// routes, families 128/129, when there are any).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for r in linx_rtnl::route::list(&sock)? {
    ///     println!("{r}");
    /// }
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn list(sock) -> Dumped<Route> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The routes matching `filter`, filtered by the kernel (strict dump checking) and
    /// checked again here. A table that does not exist has no routes (`Ok(vec![])`).
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, Protocol, RouteFilter};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let mine = route::list_filtered(&sock, &RouteFilter::new().table(100).protocol(76))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn list_filtered(sock, filter: &RouteFilter) -> Dumped<Route> {
        filter.validate()?;
        let oif = resolve(sock, filter.oif.as_ref()).await?;
        match sock.collect(list_filtered_call(filter, oif)?).await {
            Ok(d) => Ok(Dumped { items: d.items.into_iter().flatten().collect(), retries: d.retries }),
            // "FIB table does not exist": a single-family dump of an absent table.
            Err(linx_netlink_codec::Error::Netlink(n))
                if n.errno == Errno::ENOENT && filter.table.is_some() => Ok(Dumped { items: Vec::new(), retries: 0 }),
            Err(e) => Err(e.into()),
        }
    }
}

verb! {
    /// The route the kernel would use to reach `dest` (`ip route get`). Nothing routes
    /// there: `ENETUNREACH` (`no route to <dest>`).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let r = linx_rtnl::route::get(&sock, "1.1.1.1")?;
    /// println!("{r}"); // Route<1.1.1.1/32 via 192.168.1.1 dev 2 src 192.168.1.42 table main>
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn get(sock, dest: impl IntoIp) -> Route {
        let dest = dest.into_ip()?;
        let unreachable = |n: NetlinkError| n.or_message(|| format!("no route to {dest}"));
        match sock.single(Call::new(get_request(dest), Route::from_msg)).await {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(Error::Netlink(unreachable(NetlinkError::new(Errno::ENETUNREACH)))),
            Err(linx_netlink_codec::Error::Netlink(n)) if n.errno == Errno::ENETUNREACH => {
                Err(Error::Netlink(unreachable(n)))
            }
            Err(e) => Err(e.into()),
        }
    }
}

verb! {
    /// Add a route (`NLM_F_CREATE | NLM_F_EXCL`): `EEXIST` if it is already there.
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::add(&sock, &RouteSpec::new("10.50.0.0/24").via("10.0.42.1").table(100).protocol(76).metric(50))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add(sock, spec: &RouteSpec) -> () {
        let family = spec.validate()?;
        let oif = resolve(sock, spec.link_ref()).await?;
        let req = request_of(Change::Add, spec, family, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

/// Requests sent per datagram by [`add_many`].
pub const ADD_MANY_WINDOW: usize = 256;

verb! {
    /// Add many routes, pipelined: up to [`ADD_MANY_WINDOW`] requests per datagram (fewer
    /// when the socket's receive buffer could not hold that many ACKs), each ACKed, so 10k
    /// routes cost ~40 round trips instead of 10k. Every spec is validated (and every
    /// interface name resolved, once per name) before anything is sent; then each route's
    /// own [`Outcome`](linx_netlink_codec::Outcome) comes back at its index: applied, refused
    /// (with the kernel's reason; one refusal does not stop the others), unknown (its ACK was
    /// lost) or not sent (the pipeline stopped early; [`Outcomes::error`] says why). The
    /// outer `Err` is for input errors, and for transport failures before anything was sent.
    ///
    /// ```no_run
    /// use linx_netlink_codec::Outcome;
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let specs: Vec<RouteSpec> = (0..100u32)
    ///     .map(|i| RouteSpec::new(format!("10.9.{i}.0/24").as_str()).via("10.0.42.1").table(100))
    ///     .collect();
    /// for (spec, outcome) in specs.iter().zip(route::add_many(&sock, &specs)?) {
    ///     match outcome {
    ///         Outcome::Applied => {}
    ///         Outcome::Refused(e) => eprintln!("{e}"),
    ///         other => eprintln!("{spec:?}: {other}"),
    ///     }
    /// }
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    ///
    /// [`Outcomes::error`]: linx_netlink_codec::Outcomes::error
    pub fn add_many(sock, specs: &[RouteSpec]) -> linx_netlink_codec::Outcomes<Error> {
        let mut names: Vec<(String, u32)> = Vec::new();
        let mut reqs = Vec::with_capacity(specs.len());
        for spec in specs {
            let family = spec.validate()?;
            let oif = match spec.link_ref() {
                Some(LinkRef::Name(n)) => match names.iter().find(|(m, _)| m == n) {
                    Some((_, i)) => Some(*i),
                    None => {
                        let i = index_of(sock, n, "interface").await?;
                        names.push((n.clone(), i));
                        Some(i)
                    }
                },
                other => resolve(sock, other).await?,
            };
            reqs.push(request_of(Change::Add, spec, family, oif)?);
        }
        let outcomes = sock.ack_all(reqs, ADD_MANY_WINDOW).await?;
        Ok(outcomes.map_refusals(|i, e| reword(Error::Netlink(e), &specs[i])))
    }
}

verb! {
    /// Add or replace a route (`NLM_F_CREATE | NLM_F_REPLACE`): an existing route with the
    /// same destination, table, tos and metric is changed in place (a new gateway, say).
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::replace(&sock, &RouteSpec::new("10.99.0.0/24").via("10.0.42.9"))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn replace(sock, spec: &RouteSpec) -> () {
        let family = spec.validate()?;
        let oif = resolve(sock, spec.link_ref()).await?;
        let req = request_of(Change::Replace, spec, family, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

verb! {
    /// Delete the route `spec` describes: unset options match anything (see
    /// [`delete_request`]); with a table and metric only that route goes. `ESRCH` when
    /// nothing matches.
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::delete(&sock, &RouteSpec::new("10.50.0.0/24").table(100).metric(50))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete(sock, spec: &RouteSpec) -> () {
        let family = spec.validate()?;
        let oif = resolve(sock, spec.link_ref()).await?;
        let req = request_of(Change::Delete, spec, family, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

verb! {
    /// Add the default route via `gateway` (`0.0.0.0/0` or `::/0` by its family) with
    /// `opts`.
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::add_default(&sock, "192.168.1.1", RouteOptions::default())?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add_default(sock, gateway: impl IntoIp, opts: RouteOptions) -> () {
        let spec = RouteSpec::default_via(gateway).options(opts);
        let family = spec.validate()?;
        let oif = resolve(sock, spec.link_ref()).await?;
        let req = request_of(Change::Add, &spec, family, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), &spec))
    }
}

verb! {
    /// Delete the default route via `gateway` (narrowed by `opts`).
    ///
    /// ```no_run
    /// use linx_rtnl::route::{self, RouteOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// route::delete_default(&sock, "192.168.1.1", RouteOptions::default())?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete_default(sock, gateway: impl IntoIp, opts: RouteOptions) -> () {
        let spec = RouteSpec::default_via(gateway).options(opts);
        let family = spec.validate()?;
        let oif = resolve(sock, spec.link_ref()).await?;
        let req = request_of(Change::Delete, &spec, family, oif)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), &spec))
    }
}
