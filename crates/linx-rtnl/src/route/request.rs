//! The requests the route verbs send, as pure functions of a spec or filter, so their exact
//! bytes are tested without a kernel; and the calls (request plus decoder) behind the dumps.
//!
//! # Contract
//! - Every builder validates its input first; nothing here talks to a socket.
//! - Add and replace send [`RouteSpec::build`]'s route; delete sends the spec with what it
//!   leaves open set to "any".

use linx_ip::{Family, Ip};
use linx_netlink_codec::consts::{
    AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE,
};
use linx_netlink_codec::{Call, DecodeError, FixedHeader, MsgView, Request};

use super::filter::{FilteredRoutes, RouteFilter};
use super::message::{RTM_F_LOOKUP_TABLE, Route, RtMsg};
use super::spec::RouteSpec;
use crate::error::Error;
use crate::types::LinkRef;

/// What a request does to the route a spec describes: its message type and flags, and
/// whether unset options mean "any" (a delete) or their defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Change {
    /// `RTM_NEWROUTE` with `NLM_F_CREATE | NLM_F_EXCL`.
    Add,
    /// `RTM_NEWROUTE` with `NLM_F_CREATE | NLM_F_REPLACE`.
    Replace,
    /// `RTM_DELROUTE`.
    Delete,
}

impl Change {
    fn kind_flags(self) -> (u16, u16) {
        match self {
            Change::Add => (RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL),
            Change::Replace => (RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE),
            Change::Delete => (RTM_DELROUTE, 0),
        }
    }
}

/// The request `change` sends for `spec`, which [`RouteSpec::validate`] accepted with
/// `family` (the verbs validate before resolving names, and do not validate twice).
pub(super) fn request_of(
    change: Change,
    spec: &RouteSpec,
    family: Family,
    oif: Option<u32>,
) -> Result<Request, Error> {
    let r = spec.route_of(family, change == Change::Delete, oif)?;
    let (kind, flags) = change.kind_flags();
    Ok(Request::new(kind, flags, payload_of(&r)).with_header_len(RtMsg::LEN))
}

/// The payload of a route built from a spec (no raw attributes, no recorded order), written
/// into a buffer of its exact size by [`Route::emit`], whose declared emitter writes such a
/// value's fields straight, in slot order.
fn payload_of(r: &Route) -> Vec<u8> {
    debug_assert!(r.other.is_empty() && r.wire_order.is_empty());
    let mut p = Vec::with_capacity(r.buffer_len());
    // Only an attribute longer than 64 KiB fails to encode; these are at most 20 bytes.
    let _ = r.emit(&mut p);
    debug_assert_eq!(p.len(), r.buffer_len());
    p
}

/// The `RTM_NEWROUTE` (`NLM_F_CREATE | NLM_F_EXCL`) [`add`](super::add) sends; `oif` is the
/// resolved index when the spec names its device by name.
///
/// ```
/// use linx_rtnl::route::{add_request, RouteSpec};
/// let req = add_request(&RouteSpec::new("10.1.0.0/16").via("10.0.0.1"), None)?;
/// assert_eq!(req.payload()[..8], [2, 16, 0, 0, 254, 3, 0, 1]); // main, boot, universe, unicast
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(spec: &RouteSpec, oif: Option<u32>) -> Result<Request, Error> {
    request_of(Change::Add, spec, spec.validate()?, oif)
}

/// The `RTM_NEWROUTE` (`NLM_F_CREATE | NLM_F_REPLACE`) [`replace`](super::replace) sends.
///
/// ```
/// use linx_rtnl::route::{replace_request, RouteSpec};
/// let req = replace_request(&RouteSpec::new("10.1.0.0/16").via("10.0.0.9"), None)?;
/// assert_eq!(req.flags() & 0x500, 0x500);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn replace_request(spec: &RouteSpec, oif: Option<u32>) -> Result<Request, Error> {
    request_of(Change::Replace, spec, spec.validate()?, oif)
}

/// The `RTM_DELROUTE` [`delete`](super::delete) sends: what the spec leaves open matches anything
/// (scope `RT_SCOPE_NOWHERE`, protocol 0, type 0, any metric); the table defaults to main.
///
/// ```
/// use linx_rtnl::route::{delete_request, RouteSpec};
/// let req = delete_request(&RouteSpec::new("10.1.0.0/16").table(100).metric(50), None)?;
/// assert_eq!(req.payload()[..8], [2, 16, 0, 0, 100, 0, 255, 0]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(spec: &RouteSpec, oif: Option<u32>) -> Result<Request, Error> {
    request_of(Change::Delete, spec, spec.validate()?, oif)
}

/// The `RTM_GETROUTE` [`get`](super::get) sends: `RTA_DST` with a full-width prefix (IPv4 also asks
/// for the matched table with `RTM_F_LOOKUP_TABLE`, as `ip route get` does).
///
/// ```
/// use linx_ip::ip;
/// let req = linx_rtnl::route::get_request(ip!("10.1.2.3"));
/// assert_eq!(req.payload(), [2, 32, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 8, 0, 1, 0, 10, 1, 2, 3]);
/// ```
pub fn get_request(dest: Ip) -> Request {
    let f = dest.family();
    let r = Route {
        family: f.af(),
        dst_len: f.max_prefix(),
        flags: if f == Family::Inet {
            RTM_F_LOOKUP_TABLE
        } else {
            0
        },
        dst: Some(dest),
        ..Default::default()
    };
    let mut p = Vec::with_capacity(r.buffer_len());
    // Cannot fail: one address attribute.
    let _ = r.emit(&mut p);
    Request::new(RTM_GETROUTE, 0, p).with_header_len(RtMsg::LEN)
}

/// The `RTM_GETROUTE` dump request for `filter` (strict-check layout: family, protocol and
/// type in the header, `RTA_TABLE` and `RTA_OIF` as attributes, as iproute2 sends them);
/// `oif` is the resolved index of `filter.oif`.
///
/// ```
/// use linx_rtnl::route::{dump_request, RouteFilter};
/// let req = dump_request(&RouteFilter::default(), None)?;
/// assert_eq!(req.payload(), [0; 12]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn dump_request(filter: &RouteFilter, oif: Option<u32>) -> Result<Request, Error> {
    filter.validate()?;
    let oif = match &filter.oif {
        None => None,
        Some(LinkRef::Index(i)) => Some(*i),
        Some(LinkRef::Name(n)) => Some(oif.ok_or_else(|| Error::BadOption {
            name: "oif",
            value: format!("{n:?} is not resolved to an interface index"),
        })?),
    };
    let r = Route {
        family: filter.family.map_or(AF_UNSPEC, Family::af),
        protocol: filter.protocol.unwrap_or_default(),
        route_type: filter.route_type.unwrap_or_default(),
        table_ext: filter.table,
        oif,
        ..Default::default()
    };
    let mut p = Vec::with_capacity(r.buffer_len());
    r.emit(&mut p)?;
    Ok(Request::dump(RTM_GETROUTE, p).with_header_len(RtMsg::LEN))
}

/// The decoder of route dumps: [`Route::from_msg`].
pub type RouteDecoder = fn(&MsgView<'_>) -> Result<Route, DecodeError>;

/// The call behind [`list`](super::list): an `RTM_GETROUTE` dump of every family and table, decoded
/// into [`Route`]s. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::route::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<RouteDecoder> {
    Call::new(
        Request::dump(RTM_GETROUTE, vec![0; RtMsg::LEN]).with_header_len(RtMsg::LEN),
        Route::from_msg as RouteDecoder,
    )
}

/// The call behind [`list_filtered`](super::list_filtered): the kernel-filtered dump, decoded by
/// [`FilteredRoutes`]. `oif` is the resolved index of `filter.oif`.
///
/// ```no_run
/// use linx_rtnl::route::{list_filtered_call, RouteFilter};
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// let f = RouteFilter::new().table(254);
/// let n = list_filtered_call(&f, None)?.collect(&sock)?.items.into_iter().flatten().count();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_filtered_call(
    filter: &RouteFilter,
    oif: Option<u32>,
) -> Result<Call<FilteredRoutes>, Error> {
    let req = dump_request(filter, oif)?;
    Ok(Call::new(req, FilteredRoutes::new(filter.clone(), oif)))
}

#[cfg(test)]
mod tests {
    use linx_ip::Ip;
    use proptest::prelude::*;

    use super::payload_of;
    use crate::route::{Protocol, Route, RouteType, Scope};

    fn ip(v6: bool, seed: u8) -> Ip {
        if v6 {
            Ip::V6([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, seed])
        } else {
            Ip::V4([10, 0, 0, seed])
        }
    }

    proptest! {
        /// The one-pass payload of a built route is the declared emitter's, byte for byte.
        #[test]
        fn one_pass_payload_is_the_declared_emit(
            v6: bool,
            head: (u8, u8, u8, u8, u8, u8, u8, u32),
            addrs: [Option<u8>; 5],
            ints: [Option<u32>; 5],
        ) {
            let (dst_len, src_len, tos, table, protocol, scope, route_type, flags) = head;
            let [dst, src, gateway, via, prefsrc] = addrs.map(|a| a.map(|s| ip(v6, s)));
            let [iif, table_ext, metric, mark, oif] = ints;
            let r = Route {
                family: if v6 { 10 } else { 2 },
                dst_len,
                src_len,
                tos,
                header_table: table,
                protocol: Protocol(protocol),
                scope: Scope(scope),
                route_type: RouteType::from(route_type),
                flags,
                dst,
                src,
                iif,
                oif,
                gateway,
                via,
                metric,
                prefsrc,
                table_ext,
                mark,
                ..Default::default()
            };
            let mut declared = Vec::new();
            r.emit(&mut declared).unwrap();
            prop_assert_eq!(payload_of(&r), declared);
        }
    }
}
