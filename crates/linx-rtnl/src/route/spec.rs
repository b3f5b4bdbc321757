//! The builders a route verb takes: [`RouteSpec`] (destination, gateway, options) and
//! [`RouteOptions`] (`ip route`'s keywords), and the checks and defaults that turn a spec
//! into the [`Route`] a request carries.
//!
//! # Contract
//! - Both are builders with private fields; address strings are parsed when given and a bad
//!   one is kept as an error, reported by [`RouteSpec::validate`] before anything is sent.
//! - [`RouteSpec::build`] is the route [`add`](super::add) sends and the desired state a
//!   reconciler compares with [`list`](super::list)'s routes.

use std::fmt;

use linx_ip::{Family, IntoIp, Ip, IpError, Subnet};

use super::message::{RT_TABLE_MAIN, RT_TABLE_UNSPEC, Route};
use crate::error::Error;
use crate::types::{IntoCidr, LinkRef, Protocol, RouteType, Scope, TableName};

/// Options of a route request, mirroring `ip route`'s keywords: a builder, every option unset by
/// default ([`Default`] is "as `ip route add` would do"). Used by
/// [`add_default`](super::add_default) and [`delete_default`](super::delete_default), and by
/// [`RouteSpec::options`] to set several options at once.
///
/// ```
/// use linx_rtnl::route::{Protocol, RouteOptions};
/// let opts = RouteOptions::new().table(100).protocol(76).metric(50);
/// assert_eq!(opts, RouteOptions::new().metric(50).protocol(Protocol(76)).table(100));
/// ```
///
/// The fields are private: the builder methods set them, `{:?}` shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "RouteOptions does nothing until passed to a route verb or RouteSpec::options"]
pub struct RouteOptions {
    /// Routing table, 1..=2^32-1 (default: main, 254); sent in `RTA_TABLE` (and in the
    /// header when it fits).
    table: Option<u32>,
    /// Who installs it (default [`Protocol::BOOT`]; in a delete: any).
    protocol: Option<Protocol>,
    /// `RTA_PRIORITY` (omitted when unset: IPv4 uses 0, IPv6 1024; in a delete: any).
    metric: Option<u32>,
    /// Scope (default: universe for gateway routes, link for device routes, host for local
    /// ones; in a delete: any).
    scope: Option<Scope>,
    /// Route type (default unicast; in a delete: any).
    route_type: Option<RouteType>,
    /// Output interface.
    oif: Option<LinkRef>,
    /// Preferred source address (`RTA_PREFSRC`).
    prefsrc: Option<Ip>,
}

impl RouteOptions {
    /// No option set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Routing table, 1..=2^32-1 (default: main, 254); sent in `RTA_TABLE` (and in the
    /// header when it fits).
    pub fn table(mut self, table: u32) -> Self {
        self.table = Some(table);
        self
    }
    /// Who installs the route: a [`Protocol`] or its number (default [`Protocol::BOOT`];
    /// in a delete: any).
    pub fn protocol(mut self, protocol: impl Into<Protocol>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }
    /// `RTA_PRIORITY` (unset: IPv4 uses 0, IPv6 1024; in a delete: any).
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = Some(metric);
        self
    }
    /// Scope (default: universe for gateway routes, link for device routes, host for local
    /// ones; in a delete: any).
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }
    /// Route type (default unicast; in a delete: any).
    pub fn route_type(mut self, t: RouteType) -> Self {
        self.route_type = Some(t);
        self
    }
    /// Output interface, by name or index.
    pub fn dev(mut self, dev: impl Into<LinkRef>) -> Self {
        self.oif = Some(dev.into());
        self
    }
    /// Preferred source address (`RTA_PREFSRC`).
    pub fn prefsrc(mut self, src: Ip) -> Self {
        self.prefsrc = Some(src);
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dest {
    Default,
    Prefix(Subnet),
}

/// A route to add, replace or delete: destination, gateway and [`RouteOptions`]. Build it, then
/// pass it to [`add`](super::add), [`replace`](super::replace) or [`delete`](super::delete) (or the
/// pure [`add_request`](super::add_request) ...).
///
/// Address strings are checked when the spec is used: a bad one is [`Error::Ip`], families
/// that disagree are [`Error::FamilyMismatch`], both before anything is sent.
///
/// ```
/// use linx_rtnl::route::RouteSpec;
/// let spec = RouteSpec::new("10.1.0.0/16").via("10.0.0.1").table(100).protocol(76).metric(50);
/// assert_eq!(spec.to_string(), "10.1.0.0/16 via 10.0.0.1 table 100 metric 50");
/// let r = spec.build(None)?;
/// assert_eq!(r.to_string(), "Route<10.1.0.0/16 via 10.0.0.1 metric 50 proto 76 table 100>");
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a RouteSpec does nothing until passed to route::add / replace / delete"]
pub struct RouteSpec {
    dst: Dest,
    gateway: Option<Ip>,
    src: Option<Subnet>,
    family: Option<Family>,
    opts: RouteOptions,
    error: Option<IpError>,
}

impl RouteSpec {
    /// A route to `dst`: a subnet, or a bare address for a host route.
    pub fn new(dst: impl IntoCidr) -> Self {
        let mut s = Self::with_dest(Dest::Default);
        match dst.into_cidr() {
            Ok(d) => s.dst = Dest::Prefix(d),
            Err(e) => s.error = Some(e),
        }
        s
    }

    /// The default route (`0.0.0.0/0` or `::/0`): the family comes from the gateway, else
    /// [`family`](Self::family), else IPv4.
    pub fn default_route() -> Self {
        Self::with_dest(Dest::Default)
    }

    /// The default route via `gateway`.
    pub fn default_via(gateway: impl IntoIp) -> Self {
        Self::default_route().via(gateway)
    }

    fn with_dest(dst: Dest) -> Self {
        RouteSpec {
            dst,
            gateway: None,
            src: None,
            family: None,
            opts: RouteOptions::default(),
            error: None,
        }
    }

    fn keep<T>(&mut self, r: Result<T, IpError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    /// Next hop (`RTA_GATEWAY`); must be of the destination's family.
    pub fn via(mut self, gateway: impl IntoIp) -> Self {
        self.gateway = self.keep(gateway.into_ip());
        self
    }
    /// Routing table, 1..=2^32-1.
    pub fn table(mut self, table: u32) -> Self {
        self.opts.table = Some(table);
        self
    }
    /// Protocol tag: a [`Protocol`] or its number.
    pub fn protocol(mut self, protocol: impl Into<Protocol>) -> Self {
        self.opts.protocol = Some(protocol.into());
        self
    }
    /// Metric (`RTA_PRIORITY`).
    pub fn metric(mut self, metric: u32) -> Self {
        self.opts.metric = Some(metric);
        self
    }
    /// Scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.opts.scope = Some(scope);
        self
    }
    /// Route type (blackhole, unreachable, prohibit ...).
    pub fn route_type(mut self, t: RouteType) -> Self {
        self.opts.route_type = Some(t);
        self
    }
    /// Output interface, by name or index.
    pub fn dev(mut self, dev: impl Into<LinkRef>) -> Self {
        self.opts.oif = Some(dev.into());
        self
    }
    /// Preferred source address (`RTA_PREFSRC`).
    pub fn prefsrc(mut self, src: impl IntoIp) -> Self {
        self.opts.prefsrc = self.keep(src.into_ip());
        self
    }
    /// Source prefix selector (`RTA_SRC`; IPv6 source routing).
    pub fn src(mut self, src: impl IntoCidr) -> Self {
        self.src = self.keep(src.into_cidr());
        self
    }
    /// The family, for a default route without gateway (checked against the addresses).
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }
    /// Replace all options at once.
    pub fn options(mut self, opts: RouteOptions) -> Self {
        self.opts = opts;
        self
    }

    /// The destination (`None` for the default route).
    ///
    /// ```
    /// use linx_rtnl::route::RouteSpec;
    /// assert_eq!(RouteSpec::default_route().dst(), None);
    /// assert_eq!(RouteSpec::new("10.0.0.1").dst().unwrap().prefix(), 32);
    /// ```
    pub fn dst(&self) -> Option<Subnet> {
        match self.dst {
            Dest::Default => None,
            Dest::Prefix(s) => Some(s),
        }
    }
    /// The gateway.
    pub fn gateway(&self) -> Option<Ip> {
        self.gateway
    }
    /// The options.
    pub fn opts(&self) -> &RouteOptions {
        &self.opts
    }
    /// The output interface as given (name or index), for the verbs to resolve.
    pub(super) fn link_ref(&self) -> Option<&LinkRef> {
        self.opts.oif.as_ref()
    }

    /// Check everything that can be checked without the kernel; returns the family.
    ///
    /// ```
    /// use linx_rtnl::{Error, route::RouteSpec};
    /// assert!(matches!(RouteSpec::new("10.0.0.0/8").via("fd00::1").validate(), Err(Error::FamilyMismatch(_))));
    /// assert!(matches!(RouteSpec::new("10.0.0.0/8").table(0).validate(), Err(Error::BadOption { name: "table", .. })));
    /// assert!(matches!(RouteSpec::new("10.0.0.300/8").validate(), Err(Error::Ip(_))));
    /// ```
    pub fn validate(&self) -> Result<Family, Error> {
        if let Some(e) = &self.error {
            return Err(Error::Ip(e.clone()));
        }
        if self.opts.table == Some(0) {
            return Err(Error::BadOption {
                name: "table",
                value: "0 (must be 1..=4294967295)".into(),
            });
        }
        let mut fam = FamilyOf::default();
        if let Some(f) = &self.family {
            fam.check(*f, "family", f)?;
        }
        if let Dest::Prefix(d) = &self.dst {
            fam.check(d.family(), "destination", d)?;
        }
        if let Some(g) = &self.gateway {
            fam.check(g.family(), "gateway", g)?;
        }
        if let Some(s) = &self.src {
            fam.check(s.family(), "source", s)?;
        }
        if let Some(p) = &self.opts.prefsrc {
            fam.check(p.family(), "prefsrc", p)?;
        }
        let family = fam.family();
        if let Dest::Prefix(d) = self.dst {
            if family == Family::Inet && d.network() != d {
                return Err(Error::BadOption {
                    name: "destination",
                    value: format!("{d} has host bits set (the network is {})", d.network()),
                });
            }
        }
        Ok(family)
    }

    /// The route [`add`](super::add) and [`replace`](super::replace) send, with the output
    /// interface already resolved to `oif` when the spec names it by name. Also the desired-state
    /// value a reconciler compares with [`list`](super::list)'s routes.
    ///
    /// ```
    /// use linx_rtnl::route::{RouteSpec, Scope};
    /// let r = RouteSpec::new("10.9.0.0/16").dev("eth0").build(Some(2))?;
    /// assert_eq!((r.oif, r.scope), (Some(2), Scope::LINK)); // a device route is link-scoped
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn build(&self, oif: Option<u32>) -> Result<Route, Error> {
        self.route_of(self.validate()?, false, oif)
    }

    fn oif_index(&self, oif: Option<u32>) -> Result<Option<u32>, Error> {
        match &self.opts.oif {
            None => Ok(None),
            Some(LinkRef::Index(i)) => Ok(Some(*i)),
            Some(LinkRef::Name(n)) => oif.map(Some).ok_or_else(|| Error::BadOption {
                name: "dev",
                value: format!("{n:?} is not resolved to an interface index"),
            }),
        }
    }

    /// The route a request carries for this spec, which [`validate`](Self::validate) accepted
    /// with `family` (so a verb checks its input once); `delete` leaves unset options "any".
    pub(super) fn route_of(
        &self,
        family: Family,
        delete: bool,
        oif: Option<u32>,
    ) -> Result<Route, Error> {
        let oif = self.oif_index(oif)?;
        let route_type = self.opts.route_type.unwrap_or(if delete {
            RouteType::Unspec
        } else {
            RouteType::Unicast
        });
        let scope = match self.opts.scope {
            Some(s) => s,
            None if delete => Scope::NOWHERE,
            None => match route_type {
                RouteType::Local | RouteType::Nat => Scope::HOST,
                RouteType::Broadcast | RouteType::Multicast | RouteType::Anycast => Scope::LINK,
                RouteType::Unicast | RouteType::Unspec if self.gateway.is_none() => Scope::LINK,
                _ => Scope::UNIVERSE,
            },
        };
        let protocol = self.opts.protocol.unwrap_or(if delete {
            Protocol::UNSPEC
        } else {
            Protocol::BOOT
        });
        let table = self.opts.table.unwrap_or(RT_TABLE_MAIN.into());
        // The kernel reads RTA_TABLE first; it also reports it for every route, so sending
        // it always makes the built route equal the one read back.
        let header_table = u8::try_from(table).unwrap_or(RT_TABLE_UNSPEC);
        let table_ext = Some(table);
        let (dst, dst_len) = match self.dst {
            Dest::Prefix(d) => (d.address(), d.prefix()),
            Dest::Default => (Ip::unspecified(family), 0),
        };
        // A default route carries no RTA_DST (as the kernel reports it; iproute2 sends an
        // all-zero one, which means the same).
        let dst = (dst_len > 0).then_some(dst);
        Ok(Route {
            family: family.af(),
            dst_len,
            src_len: self.src.map_or(0, |s| s.prefix()),
            header_table,
            protocol,
            scope,
            route_type,
            dst,
            src: self.src.map(|s| s.address()),
            oif,
            gateway: self.gateway,
            metric: self.opts.metric,
            prefsrc: self.opts.prefsrc,
            table_ext,
            ..Default::default()
        })
    }
}

/// The family a spec's parts agree on, and which part fixed it: its name and value, formatted
/// only into a [`Error::FamilyMismatch`] (formatting them on the success path cost more than
/// the rest of building a request).
#[derive(Default)]
struct FamilyOf<'a> {
    fixed: Option<(Family, &'static str, &'a dyn fmt::Display)>,
}

impl<'a> FamilyOf<'a> {
    /// Part `what` (value `v`) is of family `f`: the first part fixes the family, the others
    /// must agree with it.
    fn check(
        &mut self,
        f: Family,
        what: &'static str,
        v: &'a dyn fmt::Display,
    ) -> Result<(), Error> {
        match self.fixed {
            Some((g, w, wv)) if g != f => Err(Error::FamilyMismatch(format!(
                "{w} {wv} is {g} but {what} {v} is {f}"
            ))),
            Some(_) => Ok(()),
            None => {
                self.fixed = Some((f, what, v));
                Ok(())
            }
        }
    }

    /// The family fixed, IPv4 when no part said.
    fn family(&self) -> Family {
        self.fixed.map_or(Family::Inet, |(f, _, _)| f)
    }
}

impl fmt::Display for RouteSpec {
    /// `ip route`-like: `10.1.0.0/16 via 10.0.0.1 dev eth0 table 100 metric 50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = self.opts.route_type {
            if t != RouteType::Unicast {
                write!(f, "{t} ")?;
            }
        }
        match self.dst {
            Dest::Default => f.write_str("default")?,
            Dest::Prefix(d) => write!(f, "{d}")?,
        }
        if let Some(g) = self.gateway {
            write!(f, " via {g}")?;
        }
        if let Some(d) = &self.opts.oif {
            write!(f, " dev {d}")?;
        }
        if let Some(t) = self.opts.table {
            write!(f, " table {}", TableName(t))?;
        }
        if let Some(m) = self.opts.metric {
            write!(f, " metric {m}")?;
        }
        Ok(())
    }
}
