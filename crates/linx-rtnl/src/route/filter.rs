//! What a filtered route dump asks for ([`RouteFilter`]) and the decoder that checks each
//! reply against it again ([`FilteredRoutes`]).
//!
//! # Contract
//! - A filter field left `None` matches anything; a field set to 0 (table, protocol, type)
//!   is refused, since on the wire 0 means "any".
//! - [`RouteFilter::matches`] is the same test the kernel applies with strict checking, so a
//!   kernel that ignores the filter gives the same answer.

use linx_ip::Family;
use linx_netlink_codec::{DecodeError, MsgView};

use super::message::Route;
use crate::error::Error;
use crate::types::{LinkRef, Protocol, RouteType};

/// What [`list_filtered`](super::list_filtered) asks the kernel for: a builder, every field
/// unset (matching anything) until set.
///
/// ```
/// use linx_rtnl::route::{Protocol, RouteFilter};
/// let f = RouteFilter::new().table(100).protocol(76);
/// assert_eq!(f, RouteFilter::new().protocol(Protocol(76)).table(100));
/// ```
///
/// The fields are private: the builder methods set them, `{:?}` shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "RouteFilter does nothing until passed to route::list_filtered"]
pub struct RouteFilter {
    /// IPv4 or IPv6 only (`None`: both, and multicast routes).
    pub(super) family: Option<Family>,
    /// One table (1..=2^32-1).
    pub(super) table: Option<u32>,
    /// One protocol (not 0).
    pub(super) protocol: Option<Protocol>,
    /// One route type (not unspec).
    pub(super) route_type: Option<RouteType>,
    /// Routes leaving through this interface (`RTA_OIF` or a multipath nexthop).
    pub(super) oif: Option<LinkRef>,
}

impl RouteFilter {
    /// A filter that matches every route.
    pub fn new() -> Self {
        Self::default()
    }
    /// IPv4 or IPv6 routes only (unset: both, and multicast routes).
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }
    /// Routes of one table, 1..=2^32-1 (0 is refused when the filter is used: on the wire it
    /// means "any").
    pub fn table(mut self, table: u32) -> Self {
        self.table = Some(table);
        self
    }
    /// Routes of one protocol, a [`Protocol`] or its number (not 0).
    pub fn protocol(mut self, protocol: impl Into<Protocol>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }
    /// Routes of one type (not unspec).
    pub fn route_type(mut self, t: RouteType) -> Self {
        self.route_type = Some(t);
        self
    }
    /// Routes leaving through this interface, by name or index (`RTA_OIF` or a multipath
    /// nexthop).
    pub fn dev(mut self, dev: impl Into<LinkRef>) -> Self {
        self.oif = Some(dev.into());
        self
    }
    /// The interface set with [`dev`](Self::dev), if any.
    pub fn oif(&self) -> Option<&LinkRef> {
        self.oif.as_ref()
    }

    pub(super) fn validate(&self) -> Result<(), Error> {
        let zero = |name| Error::BadOption {
            name,
            value: "0 (0 means any: leave the filter field None)".into(),
        };
        if self.table == Some(0) {
            return Err(zero("table"));
        }
        if self.protocol == Some(Protocol::UNSPEC) {
            return Err(zero("protocol"));
        }
        if self.route_type == Some(RouteType::Unspec) {
            return Err(zero("route type"));
        }
        Ok(())
    }

    /// Whether `r` passes this filter; `oif` is the resolved index of [`dev`](Self::dev).
    /// (The client-side guard behind [`list_filtered`](super::list_filtered).)
    ///
    /// ```
    /// use linx_rtnl::route::{Route, RouteFilter};
    /// let f = RouteFilter::new().table(100);
    /// assert!(f.matches(&Route { header_table: 100, ..Default::default() }, None));
    /// assert!(!f.matches(&Route { header_table: 254, ..Default::default() }, None));
    /// ```
    pub fn matches(&self, r: &Route, oif: Option<u32>) -> bool {
        self.family.is_none_or(|f| f.af() == r.family)
            && self.table.is_none_or(|t| t == r.table())
            && self.protocol.is_none_or(|p| p == r.protocol)
            && self.route_type.is_none_or(|t| t == r.route_type)
            && oif.is_none_or(|i| r.uses_oif(i))
    }
}

/// The decoder behind [`list_filtered`](super::list_filtered): decodes each reply and checks it
/// against the filter again, yielding `None` for routes that do not match (cheap, and right on
/// kernels without strict checking, which ignore the filter, and for multicast routes, which only
/// honour part of it).
///
/// ```
/// use linx_netlink_codec::Decoder;
/// use linx_rtnl::route::{FilteredRoutes, RouteFilter};
/// let mut d = FilteredRoutes::new(RouteFilter::new().table(100), None);
/// let mut m = vec![28, 0, 0, 0, 24, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0];
/// m.extend_from_slice(&[2, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]); // a main-table route
/// let v = linx_netlink_codec::MsgView::new_checked(&m).unwrap();
/// assert_eq!(d.decode(&v).unwrap(), None);
/// ```
#[derive(Clone, Debug)]
pub struct FilteredRoutes {
    filter: RouteFilter,
    oif: Option<u32>,
}

impl FilteredRoutes {
    /// A decoder for `filter`; `oif` is the resolved index of `filter.oif`.
    pub fn new(filter: RouteFilter, oif: Option<u32>) -> Self {
        FilteredRoutes { filter, oif }
    }
}

impl linx_netlink_codec::Decoder for FilteredRoutes {
    type Item = Option<Route>;
    fn decode(&mut self, m: &MsgView<'_>) -> Result<Option<Route>, DecodeError> {
        let r = Route::from_msg(m)?;
        Ok(self.filter.matches(&r, self.oif).then_some(r))
    }
}
