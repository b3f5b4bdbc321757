//! The desired state, authored by interface names: what a consumer persists and hands to
//! every pass (the JSON schema is documented on the [module](super)).
//!
//! # Contract
//! - Plain data with public fields, `serde` both ways; unknown fields are refused when
//!   deserialising (a typo is an error, not a silently ignored setting).
//! - Nothing here is checked: names, families, dependencies and duplicates are checked
//!   against the namespace by each pass, before anything is applied.

use std::path::PathBuf;

use linx_ip::{Ip, Mac, Subnet};
use serde::{Deserialize, Serialize};

use crate::link::MacvlanMode;
use crate::route::RouteType;
use crate::rule::RuleAction;

/// Everything a reconciler converges one namespace on.
///
/// ```
/// use linx_rtnl::reconcile::{AddressConfig, Desired};
/// let d = Desired {
///     addresses: vec![AddressConfig { dev: "eth0".into(), address: "10.0.0.2/24".parse()? }],
///     ..Default::default()
/// };
/// assert_eq!(serde_json::to_string(&d)?, r#"{"addresses":[{"dev":"eth0","address":"10.0.0.2/24"}]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desired {
    /// Links to create (with a kind) or configure (without one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkConfig>,
    /// Interface addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<AddressConfig>,
    /// Routes (all tagged with the reconciler's protocol).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteConfig>,
    /// Policy-routing rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleConfig>,
    /// Permanent neighbour (ARP/NDP) entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub neighbours: Vec<NeighbourConfig>,
}

/// A link: created when it has a [`kind`](Self::kind) (and owned from then on), only
/// configured when it has none (it must exist, or be the same-namespace peer of a desired
/// veth). Settings left `None` are left as the kernel has them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// Interface name.
    pub name: String,
    /// What to create; `None`: an existing link, configured only, never created or deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<LinkKind>,
    /// Administratively up (`true`) or down (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// MTU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Hardware address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Mac>,
    /// Master (a bridge), by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
}

impl LinkConfig {
    /// A link `name` to configure only (no kind).
    ///
    /// ```
    /// let l = linx_rtnl::reconcile::LinkConfig::new("lo");
    /// assert!(l.kind.is_none());
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        LinkConfig {
            name: name.into(),
            kind: None,
            up: None,
            mtu: None,
            address: None,
            master: None,
        }
    }
}

/// The kinds a reconciler creates. JSON: `"bridge"`, `{"veth": {...}}`, `{"macvlan": {...}}`,
/// `{"vxlan": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
#[non_exhaustive]
pub enum LinkKind {
    /// A veth pair.
    Veth {
        /// The peer's name.
        peer: String,
        /// The namespace the peer is created in (`/run/netns/x`, `/proc/<pid>/ns/net`);
        /// `None`: the same namespace. The peer is created there in the same request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer_netns: Option<PathBuf>,
    },
    /// A bridge.
    Bridge,
    /// A macvlan on `parent`.
    Macvlan {
        /// Parent link name.
        parent: String,
        /// Mode (default bridge).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<MacvlanModeName>,
    },
    /// A VXLAN.
    Vxlan {
        /// The VNI (24 bits).
        vni: u32,
        /// UDP destination port (kernel default 8472; IANA's is 4789).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        port: Option<u16>,
        /// Unicast remote or multicast group.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remote: Option<Ip>,
        /// Local source address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        local: Option<Ip>,
        /// Underlay device name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev: Option<String>,
    },
}

impl LinkKind {
    /// The `IFLA_INFO_KIND` string.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::reconcile::LinkKind::Bridge.kind(), "bridge");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            LinkKind::Veth { .. } => "veth",
            LinkKind::Bridge => "bridge",
            LinkKind::Macvlan { .. } => "macvlan",
            LinkKind::Vxlan { .. } => "vxlan",
        }
    }
}

/// macvlan modes by name (`"private"`, `"vepa"`, `"bridge"`, `"passthru"`, `"source"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MacvlanModeName {
    /// `MACVLAN_MODE_PRIVATE`.
    Private,
    /// `MACVLAN_MODE_VEPA`.
    Vepa,
    /// `MACVLAN_MODE_BRIDGE`.
    Bridge,
    /// `MACVLAN_MODE_PASSTHRU`.
    Passthru,
    /// `MACVLAN_MODE_SOURCE`.
    Source,
}

impl From<MacvlanModeName> for MacvlanMode {
    fn from(m: MacvlanModeName) -> MacvlanMode {
        match m {
            MacvlanModeName::Private => MacvlanMode::Private,
            MacvlanModeName::Vepa => MacvlanMode::Vepa,
            MacvlanModeName::Bridge => MacvlanMode::Bridge,
            MacvlanModeName::Passthru => MacvlanMode::Passthru,
            MacvlanModeName::Source => MacvlanMode::Source,
        }
    }
}

/// An interface address: `address` (with its prefix) on the link `dev`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressConfig {
    /// Link name.
    pub dev: String,
    /// Address and prefix, `10.0.0.2/24`.
    pub address: Subnet,
}

/// Where a desired route goes: the default route or a prefix. Written as `"default"`, a CIDR
/// (`"10.1.0.0/16"`) or a bare address (a host route); a string that is none of these is
/// refused when the desired state is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteDst {
    /// `default` (prefix length 0; the family comes from the gateway or `family`).
    Default,
    /// A prefix (a bare address is a host prefix).
    Prefix(Subnet),
}

impl std::str::FromStr for RouteDst {
    type Err = linx_ip::IpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use crate::types::IntoCidr;
        if s == "default" {
            Ok(RouteDst::Default)
        } else {
            s.into_cidr().map(RouteDst::Prefix)
        }
    }
}

impl From<Subnet> for RouteDst {
    fn from(s: Subnet) -> Self {
        RouteDst::Prefix(s)
    }
}

impl std::fmt::Display for RouteDst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouteDst::Default => f.write_str("default"),
            RouteDst::Prefix(p) => write!(f, "{p}"),
        }
    }
}

impl Serialize for RouteDst {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RouteDst {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A route. The destination is a CIDR or `"default"`; a unicast route needs a gateway, a
/// device or nexthops; other types (`blackhole`, `unreachable`, `prohibit`, `local`, `throw`)
/// name no gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// `"10.1.0.0/16"`, a bare address (host route) or `"default"`; parsed when the
    /// desired state is read, so a pass does not parse it again.
    pub dst: RouteDst,
    /// Next hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ip>,
    /// Output device, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// Table (default main, 254).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
    /// Metric (default 0 for IPv4, 1024 for IPv6, as the kernel fills in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// Route type (default unicast).
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        with = "route_type_name"
    )]
    pub route_type: Option<RouteType>,
    /// Multipath nexthops (then no top-level gateway or device).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nexthops: Vec<NextHopConfig>,
    /// Address family for a `"default"` route that names no gateway (`"inet"`/`"inet6"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<FamilyName>,
}

impl RouteConfig {
    /// A route to `dst` (a [`RouteDst`], a [`Subnet`], or parsed from `"10.1.0.0/16"` /
    /// `"default"`) with nothing else set.
    ///
    /// ```
    /// use linx_rtnl::reconcile::{RouteConfig, RouteDst};
    /// let r = RouteConfig::new(RouteDst::Default);
    /// assert_eq!(r.dst.to_string(), "default");
    /// let r = RouteConfig::new("10.1.0.0/16".parse::<RouteDst>()?);
    /// assert_eq!(r.dst, RouteDst::Prefix("10.1.0.0/16".parse()?));
    /// # Ok::<(), linx_ip::IpError>(())
    /// ```
    pub fn new(dst: impl Into<RouteDst>) -> Self {
        RouteConfig {
            dst: dst.into(),
            gateway: None,
            dev: None,
            table: None,
            metric: None,
            route_type: None,
            nexthops: Vec::new(),
            family: None,
        }
    }
}

/// An address family by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FamilyName {
    /// IPv4.
    Inet,
    /// IPv6.
    Inet6,
}

/// One nexthop of a multipath route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextHopConfig {
    /// Gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ip>,
    /// Device, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// Weight 1..=256 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
}

/// A policy-routing rule. The priority is required: it is part of the rule's identity, and
/// a kernel-chosen one would differ from pass to pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Priority (`pref`).
    pub priority: u32,
    /// Source prefix selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Subnet>,
    /// Destination prefix selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Subnet>,
    /// Firewall mark selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fwmark: Option<u32>,
    /// Table to look up (required for the default action, `lookup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
    /// Action: `"lookup"` (default), `"blackhole"`, `"unreachable"`, `"prohibit"`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rule_action_name"
    )]
    pub action: Option<RuleAction>,
    /// Address family when no prefix says (`"inet"` default, `"inet6"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<FamilyName>,
}

/// A permanent neighbour entry: `address` is at `lladdr` on `dev`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourConfig {
    /// Link name.
    pub dev: String,
    /// IP address.
    pub address: Ip,
    /// Link-layer address.
    pub lladdr: Mac,
}

/// Route types by the names `ip route` uses.
mod route_type_name {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::route::RouteType;

    const NAMES: [(&str, RouteType); 7] = [
        ("unicast", RouteType::Unicast),
        ("local", RouteType::Local),
        ("blackhole", RouteType::Blackhole),
        ("unreachable", RouteType::Unreachable),
        ("prohibit", RouteType::Prohibit),
        ("throw", RouteType::Throw),
        ("anycast", RouteType::Anycast),
    ];

    pub(super) fn serialize<S: Serializer>(v: &Option<RouteType>, s: S) -> Result<S::Ok, S::Error> {
        match v.and_then(|t| NAMES.iter().find(|(_, x)| *x == t)) {
            Some((n, _)) => s.serialize_str(n),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<RouteType>, D::Error> {
        let name = String::deserialize(d)?;
        NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| Some(*t))
            .ok_or_else(|| D::Error::custom(format!("unknown route type {name:?}")))
    }
}

/// Rule actions by the names `ip rule` uses.
mod rule_action_name {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::rule::RuleAction;

    const NAMES: [(&str, RuleAction); 4] = [
        ("lookup", RuleAction::ToTable),
        ("blackhole", RuleAction::Blackhole),
        ("unreachable", RuleAction::Unreachable),
        ("prohibit", RuleAction::Prohibit),
    ];

    pub(super) fn serialize<S: Serializer>(
        v: &Option<RuleAction>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v.and_then(|t| NAMES.iter().find(|(_, x)| *x == t)) {
            Some((n, _)) => s.serialize_str(n),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<RuleAction>, D::Error> {
        let name = String::deserialize(d)?;
        NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| Some(*t))
            .ok_or_else(|| D::Error::custom(format!("unknown rule action {name:?}")))
    }
}
