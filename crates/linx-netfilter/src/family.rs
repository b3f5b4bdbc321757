//! Families, hooks, chain types, policies and priorities: the per-family tables of §7.1.
//!
//! Why one module: which hooks, chain types and named priorities exist depends on the table
//! family, and the kernel numbers hooks per family (arp `output` is 1, inet `output` is 3).
//! Keeping the family tables together makes each rule one `match` a reader can check against
//! `nft(8)`.
//!
//! # Contract
//! - [`Hook::number`] and [`Hook::from_number`] are exact inverses for every hook a family has;
//!   both give `None` for a hook the family does not have.
//! - [`Priority::resolve`] gives the `i32` the kernel receives, or the [`Reason`] the name is
//!   not valid for the family (or overflows).
//! - Text forms are nft's (`inet`, `prerouting`, `filter`, `srcnat + 10`); `Display` and
//!   `FromStr` round-trip, and serde uses the same strings (priorities may also be numbers).
//! - Pure values, nothing panics.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::consts::{hook as h, nfproto};
use crate::{Error, Reason};

/// Declares a closed, string-named enum with `as_str`, `Display`, `FromStr` and serde.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident, what = $what:literal, path = $path:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            #[doc = concat!("Every value, in declaration order.\n\n```\nuse ", $path, ";\nassert!(!", stringify!($name), "::ALL.is_empty());\n```")]
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            #[doc = concat!("The nft name; `FromStr` parses it back.\n\n```\nuse ", $path, ";\nfor v in ", stringify!($name), "::ALL {\n    assert_eq!(v.as_str().parse::<", stringify!($name), ">().ok(), Some(*v));\n}\n```")]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = crate::Error;
            fn from_str(text: &str) -> Result<$name, crate::Error> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| crate::Error::UnknownName { what: $what, name: text.to_owned() })
            }
        }
    };
}
pub(crate) use named_enum;

named_enum! {
    /// An nf_tables table family (`NFPROTO_*`).
    ///
    /// The family decides which packets a table sees and which hooks, chain types and
    /// expressions it may use.
    ///
    /// ```
    /// use linx_netfilter::Family;
    /// assert_eq!(Family::Inet.nfproto(), 1);
    /// assert_eq!(Family::from_nfproto(10), Some(Family::Ip6));
    /// assert_eq!("bridge".parse::<Family>()?, Family::Bridge);
    /// assert_eq!(Family::Netdev.to_string(), "netdev");
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub enum Family, what = "family", path = "linx_netfilter::Family" {
        /// `ip`: IPv4 (`NFPROTO_IPV4`, 2).
        Ip = "ip",
        /// `ip6`: IPv6 (`NFPROTO_IPV6`, 10).
        Ip6 = "ip6",
        /// `inet`: IPv4 and IPv6 in one table (`NFPROTO_INET`, 1).
        Inet = "inet",
        /// `arp`: ARP packets (`NFPROTO_ARP`, 3).
        Arp = "arp",
        /// `bridge`: frames crossing a bridge (`NFPROTO_BRIDGE`, 7).
        Bridge = "bridge",
        /// `netdev`: per-device ingress/egress (`NFPROTO_NETDEV`, 5).
        Netdev = "netdev",
    }
}

impl Family {
    /// The `NFPROTO_*` number sent in `nfgenmsg.nfgen_family`.
    ///
    /// ```
    /// use linx_netfilter::Family;
    /// let numbers: Vec<u8> = Family::ALL.iter().map(|f| f.nfproto()).collect();
    /// assert_eq!(numbers, [2, 10, 1, 3, 7, 5]);
    /// ```
    pub const fn nfproto(self) -> u8 {
        match self {
            Family::Ip => nfproto::IPV4,
            Family::Ip6 => nfproto::IPV6,
            Family::Inet => nfproto::INET,
            Family::Arp => nfproto::ARP,
            Family::Bridge => nfproto::BRIDGE,
            Family::Netdev => nfproto::NETDEV,
        }
    }

    /// The family for an `NFPROTO_*` number; `None` for `UNSPEC` and unknown numbers.
    ///
    /// ```
    /// use linx_netfilter::Family;
    /// assert_eq!(Family::from_nfproto(2), Some(Family::Ip));
    /// assert_eq!(Family::from_nfproto(0), None);
    /// ```
    pub const fn from_nfproto(number: u8) -> Option<Family> {
        match number {
            nfproto::IPV4 => Some(Family::Ip),
            nfproto::IPV6 => Some(Family::Ip6),
            nfproto::INET => Some(Family::Inet),
            nfproto::ARP => Some(Family::Arp),
            nfproto::BRIDGE => Some(Family::Bridge),
            nfproto::NETDEV => Some(Family::Netdev),
            _ => None,
        }
    }

    /// `true` for the IP families `ip`, `ip6` and `inet`, which share hooks and priorities.
    ///
    /// ```
    /// use linx_netfilter::Family;
    /// assert!(Family::Inet.is_ip());
    /// assert!(!Family::Bridge.is_ip());
    /// ```
    pub const fn is_ip(self) -> bool {
        matches!(self, Family::Ip | Family::Ip6 | Family::Inet)
    }
}

named_enum! {
    /// A netfilter hook: where in the packet path a base chain runs.
    ///
    /// Which hooks exist and their numbers depend on the family: see [`Hook::number`].
    ///
    /// ```
    /// use linx_netfilter::{Family, Hook};
    /// assert_eq!(Hook::Output.number(Family::Inet), Some(3));
    /// assert_eq!(Hook::Output.number(Family::Arp), Some(1));
    /// assert_eq!(Hook::Forward.number(Family::Netdev), None);
    /// assert_eq!("postrouting".parse::<Hook>()?, Hook::Postrouting);
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub enum Hook, what = "hook", path = "linx_netfilter::Hook" {
        /// `prerouting`: every incoming packet, before the routing decision.
        Prerouting = "prerouting",
        /// `input`: packets for this host.
        Input = "input",
        /// `forward`: packets routed through this host.
        Forward = "forward",
        /// `output`: packets sent by this host.
        Output = "output",
        /// `postrouting`: every outgoing packet, after routing.
        Postrouting = "postrouting",
        /// `ingress`: right after the driver, per device (netdev; ip/ip6/inet too).
        Ingress = "ingress",
        /// `egress`: right before the driver, per device (netdev only).
        Egress = "egress",
    }
}

impl Hook {
    /// The kernel's hook number in `family` (§7.1), or `None` if the family has no such hook.
    ///
    /// ip/ip6/inet/bridge: prerouting 0, input 1, forward 2, output 3, postrouting 4, and
    /// ingress 5 for ip/ip6/inet; arp: input 0, output 1; netdev: ingress 0, egress 1.
    ///
    /// ```
    /// use linx_netfilter::{Family, Hook};
    /// assert_eq!(Hook::Ingress.number(Family::Inet), Some(5));
    /// assert_eq!(Hook::Ingress.number(Family::Netdev), Some(0));
    /// assert_eq!(Hook::Ingress.number(Family::Bridge), None);
    /// ```
    pub const fn number(self, family: Family) -> Option<u32> {
        match family {
            Family::Ip | Family::Ip6 | Family::Inet | Family::Bridge => match self {
                Hook::Prerouting => Some(h::NF_INET_PRE_ROUTING),
                Hook::Input => Some(h::NF_INET_LOCAL_IN),
                Hook::Forward => Some(h::NF_INET_FORWARD),
                Hook::Output => Some(h::NF_INET_LOCAL_OUT),
                Hook::Postrouting => Some(h::NF_INET_POST_ROUTING),
                Hook::Ingress if family.is_ip() => Some(h::NF_INET_INGRESS),
                Hook::Ingress | Hook::Egress => None,
            },
            Family::Arp => match self {
                Hook::Input => Some(h::NF_ARP_IN),
                Hook::Output => Some(h::NF_ARP_OUT),
                _ => None,
            },
            Family::Netdev => match self {
                Hook::Ingress => Some(h::NF_NETDEV_INGRESS),
                Hook::Egress => Some(h::NF_NETDEV_EGRESS),
                _ => None,
            },
        }
    }

    /// The hook with kernel number `number` in `family`, the inverse of [`Hook::number`].
    ///
    /// ```
    /// use linx_netfilter::{Family, Hook};
    /// assert_eq!(Hook::from_number(Family::Arp, 1), Some(Hook::Output));
    /// assert_eq!(Hook::from_number(Family::Bridge, 5), None);
    /// ```
    pub fn from_number(family: Family, number: u32) -> Option<Hook> {
        Hook::ALL
            .iter()
            .copied()
            .find(|hook| hook.number(family) == Some(number))
    }

    /// `true` for the per-device hooks (ingress, egress), which need a device.
    ///
    /// ```
    /// use linx_netfilter::Hook;
    /// assert!(Hook::Egress.is_per_device());
    /// assert!(!Hook::Input.is_per_device());
    /// ```
    pub const fn is_per_device(self) -> bool {
        matches!(self, Hook::Ingress | Hook::Egress)
    }
}

named_enum! {
    /// A base chain's type (`NFTA_CHAIN_TYPE`): what the chain may do.
    ///
    /// ```
    /// use linx_netfilter::ChainType;
    /// assert_eq!(ChainType::Nat.as_str(), "nat");
    /// assert_eq!("route".parse::<ChainType>()?, ChainType::Route);
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub enum ChainType, what = "chain type", path = "linx_netfilter::ChainType" {
        /// `filter`: match and decide; available on every family and hook.
        Filter = "filter",
        /// `nat`: address translation, consulted for the first packet of a connection
        /// (ip/ip6/inet; prerouting, input, output, postrouting).
        Nat = "nat",
        /// `route`: re-route when mark or addresses change (ip/ip6/inet, output only).
        Route = "route",
    }
}

named_enum! {
    /// A base chain's default verdict for packets no rule decided (`NFTA_CHAIN_POLICY`).
    ///
    /// ```
    /// use linx_netfilter::Policy;
    /// assert_eq!(Policy::Drop.code(), 0);
    /// assert_eq!(Policy::from_code(1), Some(Policy::Accept));
    /// ```
    pub enum Policy, what = "policy", path = "linx_netfilter::Policy" {
        /// `accept` (the kernel's default when no policy is sent).
        Accept = "accept",
        /// `drop`.
        Drop = "drop",
    }
}

impl Policy {
    /// The kernel value: `NF_DROP` 0, `NF_ACCEPT` 1.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::Policy::Accept.code(), 1);
    /// ```
    pub const fn code(self) -> u32 {
        match self {
            Policy::Accept => crate::consts::chain::POLICY_ACCEPT,
            Policy::Drop => crate::consts::chain::POLICY_DROP,
        }
    }

    /// The policy for a kernel value; `None` for anything but 0 and 1.
    ///
    /// ```
    /// use linx_netfilter::Policy;
    /// assert_eq!(Policy::from_code(0), Some(Policy::Drop));
    /// assert_eq!(Policy::from_code(3), None);
    /// ```
    pub const fn from_code(code: u32) -> Option<Policy> {
        match code {
            crate::consts::chain::POLICY_ACCEPT => Some(Policy::Accept),
            crate::consts::chain::POLICY_DROP => Some(Policy::Drop),
            _ => None,
        }
    }
}

named_enum! {
    /// A named standard priority (`nft(8)`, "CHAIN PRIORITIES"); its number depends on the
    /// family, see [`PriorityName::value`].
    ///
    /// ```
    /// use linx_netfilter::{Family, PriorityName};
    /// assert_eq!(PriorityName::Srcnat.value(Family::Inet), Some(100));
    /// assert_eq!(PriorityName::Srcnat.value(Family::Bridge), Some(300));
    /// ```
    pub enum PriorityName, what = "priority", path = "linx_netfilter::PriorityName" {
        /// `raw` (-300): before conntrack.
        Raw = "raw",
        /// `mangle` (-150).
        Mangle = "mangle",
        /// `dstnat` (-100; bridge -300): destination NAT.
        Dstnat = "dstnat",
        /// `filter` (0; bridge -200).
        Filter = "filter",
        /// `security` (50).
        Security = "security",
        /// `srcnat` (100; bridge 300): source NAT.
        Srcnat = "srcnat",
        /// `out` (bridge only, 100).
        Out = "out",
    }
}

impl PriorityName {
    /// The number of this name in `family`, or `None` where nft does not define it (§7.1):
    /// ip/ip6/inet raw -300, mangle -150, dstnat -100, filter 0, security 50, srcnat 100;
    /// bridge dstnat -300, filter -200, out 100, srcnat 300; arp and netdev filter 0.
    ///
    /// ```
    /// use linx_netfilter::{Family, PriorityName};
    /// assert_eq!(PriorityName::Raw.value(Family::Ip), Some(-300));
    /// assert_eq!(PriorityName::Raw.value(Family::Bridge), None);
    /// assert_eq!(PriorityName::Out.value(Family::Inet), None);
    /// assert_eq!(PriorityName::Filter.value(Family::Netdev), Some(0));
    /// ```
    pub const fn value(self, family: Family) -> Option<i32> {
        match family {
            Family::Ip | Family::Ip6 | Family::Inet => match self {
                PriorityName::Raw => Some(-300),
                PriorityName::Mangle => Some(-150),
                PriorityName::Dstnat => Some(-100),
                PriorityName::Filter => Some(0),
                PriorityName::Security => Some(50),
                PriorityName::Srcnat => Some(100),
                PriorityName::Out => None,
            },
            Family::Bridge => match self {
                PriorityName::Dstnat => Some(-300),
                PriorityName::Filter => Some(-200),
                PriorityName::Out => Some(100),
                PriorityName::Srcnat => Some(300),
                _ => None,
            },
            Family::Arp | Family::Netdev => match self {
                PriorityName::Filter => Some(0),
                _ => None,
            },
        }
    }
}

/// A base chain's (or flowtable's) priority: a number, or a standard name plus an offset.
///
/// Lower runs first. Names are resolved per family when the ruleset is validated and encoded
/// ([`Priority::resolve`]), so `Priority::FILTER` means 0 in `inet` and -200 in `bridge`.
///
/// Text and serde form: a number (`-150`), a name (`"filter"`) or a name with an offset
/// (`"filter + 10"`, `"srcnat - 5"`).
///
/// ```
/// use linx_netfilter::{Family, Priority, PriorityName};
/// let p = Priority::named(PriorityName::Mangle).offset(-5);
/// assert_eq!(p.to_string(), "mangle - 5");
/// assert_eq!(p.resolve(Family::Inet)?, -155);
/// assert_eq!("mangle-5".parse::<Priority>()?, p);
/// assert_eq!(Priority::from(-150).to_string(), "-150");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    /// A plain number.
    Value(i32),
    /// A standard name plus an offset (0 for the bare name).
    Named {
        /// The standard name.
        name: PriorityName,
        /// Added to the name's number.
        offset: i32,
    },
}

impl Priority {
    /// `raw`.
    pub const RAW: Priority = Priority::named(PriorityName::Raw);
    /// `mangle`.
    pub const MANGLE: Priority = Priority::named(PriorityName::Mangle);
    /// `dstnat`.
    pub const DSTNAT: Priority = Priority::named(PriorityName::Dstnat);
    /// `filter`.
    pub const FILTER: Priority = Priority::named(PriorityName::Filter);
    /// `security`.
    pub const SECURITY: Priority = Priority::named(PriorityName::Security);
    /// `srcnat`.
    pub const SRCNAT: Priority = Priority::named(PriorityName::Srcnat);
    /// `out` (bridge).
    pub const OUT: Priority = Priority::named(PriorityName::Out);

    /// A standard name with offset 0.
    ///
    /// ```
    /// use linx_netfilter::{Priority, PriorityName};
    /// assert_eq!(Priority::named(PriorityName::Filter), Priority::FILTER);
    /// ```
    pub const fn named(name: PriorityName) -> Priority {
        Priority::Named { name, offset: 0 }
    }

    /// The same priority moved by `delta` (added to a number, or to a name's offset;
    /// saturating).
    ///
    /// ```
    /// use linx_netfilter::Priority;
    /// assert_eq!(Priority::FILTER.offset(10).to_string(), "filter + 10");
    /// assert_eq!(Priority::Value(5).offset(-10), Priority::Value(-5));
    /// ```
    pub const fn offset(self, delta: i32) -> Priority {
        match self {
            Priority::Value(v) => Priority::Value(v.saturating_add(delta)),
            Priority::Named { name, offset } => Priority::Named {
                name,
                offset: offset.saturating_add(delta),
            },
        }
    }

    /// The number the kernel receives for a chain in `family`.
    ///
    /// # Errors
    /// [`Reason::PriorityNotInFamily`] for a name the family does not define,
    /// [`Reason::PriorityOverflow`] when name plus offset leaves `i32`.
    ///
    /// ```
    /// use linx_netfilter::{Family, Priority, Reason};
    /// assert_eq!(Priority::SRCNAT.offset(1).resolve(Family::Ip6), Ok(101));
    /// assert_eq!(Priority::FILTER.resolve(Family::Bridge), Ok(-200));
    /// assert!(matches!(Priority::OUT.resolve(Family::Inet), Err(Reason::PriorityNotInFamily { .. })));
    /// assert_eq!(Priority::RAW.offset(i32::MIN).resolve(Family::Ip), Err(Reason::PriorityOverflow));
    /// ```
    pub fn resolve(self, family: Family) -> Result<i32, Reason> {
        match self {
            Priority::Value(v) => Ok(v),
            Priority::Named { name, offset } => name
                .value(family)
                .ok_or(Reason::PriorityNotInFamily { name, family })?
                .checked_add(offset)
                .ok_or(Reason::PriorityOverflow),
        }
    }
}

impl From<i32> for Priority {
    fn from(value: i32) -> Priority {
        Priority::Value(value)
    }
}

impl From<PriorityName> for Priority {
    fn from(name: PriorityName) -> Priority {
        Priority::named(name)
    }
}

impl fmt::Display for Priority {
    /// `-150`, `filter`, `filter + 10`, `srcnat - 5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Priority::Value(v) => write!(f, "{v}"),
            Priority::Named { name, offset: 0 } => write!(f, "{name}"),
            Priority::Named { name, offset } if offset < 0 => {
                write!(f, "{name} - {}", offset.unsigned_abs())
            }
            Priority::Named { name, offset } => write!(f, "{name} + {offset}"),
        }
    }
}

impl FromStr for Priority {
    type Err = Error;

    /// A number, a name, or `name+N` / `name - N` (spaces optional).
    fn from_str(text: &str) -> Result<Priority, Error> {
        let unknown = || Error::UnknownName {
            what: "priority",
            name: text.to_owned(),
        };
        let text_trim = text.trim();
        if let Ok(v) = text_trim.parse::<i32>() {
            return Ok(Priority::Value(v));
        }
        let (name, offset) = match text_trim.find(['+', '-']) {
            Some(at) => {
                let (name, rest) = text_trim.split_at(at);
                let (sign, digits) = rest.split_at(1);
                let magnitude: i64 = digits.trim().parse().map_err(|_| unknown())?;
                let offset = if sign == "-" { -magnitude } else { magnitude };
                (name.trim(), i32::try_from(offset).map_err(|_| unknown())?)
            }
            None => (text_trim, 0),
        };
        let name: PriorityName = name.parse().map_err(|_| unknown())?;
        Ok(Priority::Named { name, offset })
    }
}

impl Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Priority::Value(v) => serializer.serialize_i32(*v),
            named => serializer.collect_str(named),
        }
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Priority, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Number(i32),
            Text(String),
        }
        match Form::deserialize(deserializer)? {
            Form::Number(v) => Ok(Priority::Value(v)),
            Form::Text(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}
