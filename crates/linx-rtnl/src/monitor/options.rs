//! What a monitor subscribes to and how much the kernel may queue for it: [`Group`] and
//! [`MonitorOptions`].
//!
//! # Contract
//! Options are plain data until a monitor opens: then the receive buffer is set first (so no
//! announcement is queued into a small one) and the groups are joined in order. A group the
//! kernel does not know is refused with `EINVAL`, reported as [`Error::BadOption`] naming it.

use linx_netlink_codec::consts::*;
use linx_netlink_sys::{Errno, Socket};

use crate::Error;

/// An rtnetlink multicast group (`enum rtnetlink_groups`, `<linux/rtnetlink.h>`): a group
/// number, not a bit mask. The constants name the usual ones; [`Group::new`] takes any.
///
/// ```
/// use linx_rtnl::monitor::Group;
/// assert_eq!(Group::IPV6_ROUTE.number(), 11);
/// assert_eq!(Group::new(32), Group::NEXTHOP);
/// assert_eq!(Group::DEFAULT.len(), 8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Group(u32);

impl Group {
    /// `RTNLGRP_LINK` (1): links created, changed, deleted.
    pub const LINK: Group = Group(RTNLGRP_LINK);
    /// `RTNLGRP_NOTIFY` (2): `RTM_*` messages sent with `NLM_F_ECHO` by other processes.
    pub const NOTIFY: Group = Group(2);
    /// `RTNLGRP_NEIGH` (3): neighbour (ARP, NDP, bridge FDB) entries.
    pub const NEIGH: Group = Group(RTNLGRP_NEIGH);
    /// `RTNLGRP_TC` (4): qdiscs, classes, filters (kept raw as [`Event::Unknown`](super::Event::Unknown)).
    pub const TC: Group = Group(4);
    /// `RTNLGRP_IPV4_IFADDR` (5): IPv4 addresses.
    pub const IPV4_IFADDR: Group = Group(RTNLGRP_IPV4_IFADDR);
    /// `RTNLGRP_IPV4_MROUTE` (6): IPv4 multicast routes.
    pub const IPV4_MROUTE: Group = Group(6);
    /// `RTNLGRP_IPV4_ROUTE` (7): IPv4 routes.
    pub const IPV4_ROUTE: Group = Group(RTNLGRP_IPV4_ROUTE);
    /// `RTNLGRP_IPV4_RULE` (8): IPv4 policy rules.
    pub const IPV4_RULE: Group = Group(RTNLGRP_IPV4_RULE);
    /// `RTNLGRP_IPV6_IFADDR` (9): IPv6 addresses.
    pub const IPV6_IFADDR: Group = Group(RTNLGRP_IPV6_IFADDR);
    /// `RTNLGRP_IPV6_MROUTE` (10): IPv6 multicast routes.
    pub const IPV6_MROUTE: Group = Group(10);
    /// `RTNLGRP_IPV6_ROUTE` (11): IPv6 routes.
    pub const IPV6_ROUTE: Group = Group(RTNLGRP_IPV6_ROUTE);
    /// `RTNLGRP_IPV6_IFINFO` (12): IPv6 per-link state (`RTM_NEWLINK` of family `AF_INET6`).
    pub const IPV6_IFINFO: Group = Group(12);
    /// `RTNLGRP_IPV6_PREFIX` (18): prefixes learnt from router advertisements.
    pub const IPV6_PREFIX: Group = Group(18);
    /// `RTNLGRP_IPV6_RULE` (19): IPv6 policy rules.
    pub const IPV6_RULE: Group = Group(RTNLGRP_IPV6_RULE);
    /// `RTNLGRP_IPV4_NETCONF` (24): IPv4 per-link settings (forwarding, rp_filter).
    pub const IPV4_NETCONF: Group = Group(24);
    /// `RTNLGRP_IPV6_NETCONF` (25): IPv6 per-link settings.
    pub const IPV6_NETCONF: Group = Group(25);
    /// `RTNLGRP_NSID` (28): namespace ids assigned or removed.
    pub const NSID: Group = Group(28);
    /// `RTNLGRP_NEXTHOP` (32): nexthop objects.
    pub const NEXTHOP: Group = Group(32);

    /// The groups a monitor joins unless told otherwise: links, neighbours, IPv4 and IPv6
    /// addresses, routes and rules.
    pub const DEFAULT: [Group; 8] = [
        Group::LINK,
        Group::NEIGH,
        Group::IPV4_IFADDR,
        Group::IPV4_ROUTE,
        Group::IPV4_RULE,
        Group::IPV6_IFADDR,
        Group::IPV6_ROUTE,
        Group::IPV6_RULE,
    ];

    /// The group numbered `number` (`RTNLGRP_*`).
    ///
    /// ```
    /// assert_eq!(linx_rtnl::monitor::Group::new(1), linx_rtnl::monitor::Group::LINK);
    /// ```
    pub const fn new(number: u32) -> Group {
        Group(number)
    }

    /// The group number.
    ///
    /// ```
    /// assert_eq!(linx_rtnl::monitor::Group::LINK.number(), 1);
    /// ```
    pub const fn number(self) -> u32 {
        self.0
    }
}

impl From<u32> for Group {
    fn from(number: u32) -> Group {
        Group(number)
    }
}

impl From<Group> for u32 {
    fn from(g: Group) -> u32 {
        g.0
    }
}

/// How a monitor is set up: which groups it joins and the receive buffer it asks for.
///
/// Defaults: [`Group::DEFAULT`] and a 4 MiB receive buffer ([`MonitorOptions::RCVBUF`]).
///
/// ```
/// use linx_rtnl::monitor::{Group, MonitorOptions};
/// let opts = MonitorOptions::new()
///     .groups([Group::IPV4_ROUTE, Group::IPV6_ROUTE])
///     .rcvbuf(16 << 20);
/// assert_eq!(opts.group_list(), [Group::IPV4_ROUTE, Group::IPV6_ROUTE]);
/// assert_eq!(opts.rcvbuf_request(), 16 << 20);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "MonitorOptions does nothing until a monitor is opened with it"]
pub struct MonitorOptions {
    groups: Vec<Group>,
    rcvbuf: usize,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            groups: Group::DEFAULT.to_vec(),
            rcvbuf: MonitorOptions::RCVBUF,
        }
    }
}

impl MonitorOptions {
    /// The receive buffer asked for by default: 4 MiB.
    pub const RCVBUF: usize = 4 << 20;

    /// The defaults: [`Group::DEFAULT`], a 4 MiB receive buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Join exactly `groups` instead of the defaults (duplicates are joined once).
    pub fn groups(mut self, groups: impl IntoIterator<Item = Group>) -> Self {
        self.groups.clear();
        for g in groups {
            self = self.group(g);
        }
        self
    }

    /// Join `group` as well.
    ///
    /// ```
    /// use linx_rtnl::monitor::{Group, MonitorOptions};
    /// let opts = MonitorOptions::new().group(Group::NEXTHOP);
    /// assert_eq!(opts.group_list().len(), 9);
    /// ```
    pub fn group(mut self, group: Group) -> Self {
        if !self.groups.contains(&group) {
            self.groups.push(group);
        }
        self
    }

    /// Ask for a receive buffer of `bytes`: how many announcements the kernel queues before
    /// it drops some and the monitor yields [`Event::ResyncNeeded`](super::Event). With
    /// `CAP_NET_ADMIN` (in the initial user namespace) the size is forced past
    /// `net.core.rmem_max`; otherwise the kernel caps it there. The monitor reports what it
    /// got.
    pub fn rcvbuf(mut self, bytes: usize) -> Self {
        self.rcvbuf = bytes;
        self
    }

    /// The groups to join, in order.
    pub fn group_list(&self) -> &[Group] {
        &self.groups
    }

    /// The receive buffer size asked for.
    pub fn rcvbuf_request(&self) -> usize {
        self.rcvbuf
    }

    /// Sets the receive buffer, then joins the groups; returns the buffer size the kernel
    /// reports.
    pub(crate) fn apply(&self, sock: &Socket) -> Result<usize, Error> {
        let granted = sock.set_rcvbuf(self.rcvbuf)?;
        for g in &self.groups {
            sock.add_membership(g.0).map_err(|e| match e.errno() {
                Some(Errno::EINVAL) => Error::BadOption {
                    name: "monitor group",
                    value: format!("{} (the kernel refused it: {e})", g.0),
                },
                _ => Error::from(e),
            })?;
        }
        Ok(granted)
    }
}
