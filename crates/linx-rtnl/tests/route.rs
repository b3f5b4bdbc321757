//! Routes: golden request bytes, kernel replies captured on Linux 6.18, property tests, and
//! kernel tests in throwaway namespaces cross-checked with `ip -j`.
//!
//! The golden requests were cross-checked byte for byte against what iproute2 6.1 sends for
//! the same command (`strace -f -e trace=sendmsg,sendto -xx ip route ...` inside
//! `unshare -n`); the comment on each says which command and where Linx differs on purpose.
//! The one systematic difference: iproute2 puts a table below 256 in the rtmsg header only,
//! Linx also sends `RTA_TABLE` (the kernel reads that first and reports it for every route,
//! so a spec's built route equals the one read back).
//! Kernel tests are ignored for a bare `cargo test`: run them with `cargo xtask test`, or as
//! root / under `unshare -r` with `-- --include-ignored`.

use linx_ip::{Family, Ip, ip};
use linx_netlink_codec::{AttrWriter, Errno, MsgView, RawAttrs, Request};
use linx_rtnl::Error;
use linx_rtnl::route::{
    self, IntoCidr, LinkRef, Protocol, Route, RouteFilter, RouteOptions, RouteSpec, RouteType,
    Scope, WireOrder,
};
use proptest::prelude::*;

/// The full datagram a request becomes (sequence number 1, port id 0). `ack` adds
/// `NLM_F_ACK`, as the transport does for every mutating verb.
fn wire(req: Request, ack: bool) -> Vec<u8> {
    let req = if ack { req.with_ack() } else { req };
    let mut b = Vec::new();
    req.encode(1, &mut b).unwrap();
    b
}

// ============================================================================ golden requests

#[cfg(target_endian = "little")]
mod golden {
    use super::*;

    /// `ip route add 10.1.0.0/16 via 10.0.0.1 dev v0 table 100 proto 76 metric 50`
    /// (v0 = ifindex 3): iproute2's bytes plus RTA_TABLE.
    #[test]
    fn add_table_100_protocol_76_metric_50() {
        let spec = RouteSpec::new("10.1.0.0/16")
            .via("10.0.0.1")
            .dev("v0")
            .table(100)
            .protocol(76)
            .metric(50);
        #[rustfmt::skip]
        let expected: [u8; 68] = [
            68, 0, 0, 0,        // nlmsg_len 68 = 16 + 12 + 5 * 8
            24, 0,              // RTM_NEWROUTE
            0x05, 0x06,         // NLM_F_REQUEST 1 | NLM_F_ACK 4 | NLM_F_EXCL 0x200 | NLM_F_CREATE 0x400
            1, 0, 0, 0,         // seq 1
            0, 0, 0, 0,         // port id 0 (the kernel)
            2,                  // rtm_family AF_INET
            16,                 // rtm_dst_len /16
            0, 0,               // src_len, tos
            100,                // rtm_table 100 (fits the byte)
            76,                 // rtm_protocol 76
            0,                  // rtm_scope RT_SCOPE_UNIVERSE (has a gateway)
            1,                  // rtm_type RTN_UNICAST
            0, 0, 0, 0,         // rtm_flags
            8, 0, 1, 0, 10, 1, 0, 0,   // RTA_DST 10.1.0.0
            8, 0, 5, 0, 10, 0, 0, 1,   // RTA_GATEWAY 10.0.0.1
            8, 0, 15, 0, 100, 0, 0, 0, // RTA_TABLE 100 (not sent by iproute2)
            8, 0, 6, 0, 50, 0, 0, 0,   // RTA_PRIORITY 50
            8, 0, 4, 0, 3, 0, 0, 0,    // RTA_OIF 3
        ];
        let req = route::add_request(&spec, Some(3)).unwrap();
        assert_eq!(wire(req, true), expected);
        // The request decodes back into the route it describes.
        let r = Route::parse(&expected[16..]).unwrap();
        assert_eq!(r, spec.build(Some(3)).unwrap());
        assert_eq!(
            r.to_string(),
            "Route<10.1.0.0/16 via 10.0.0.1 dev 3 metric 50 proto 76 table 100>"
        );
    }

    /// `ip route add 10.2.0.0/16 via 10.0.0.1 table 1000`: a table above 255 rides in
    /// RTA_TABLE with RT_TABLE_UNSPEC in the header. Identical to iproute2.
    #[test]
    fn add_table_above_255() {
        #[rustfmt::skip]
        let expected: [u8; 52] = [
            52, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
            2, 16, 0, 0,
            0,                  // rtm_table RT_TABLE_UNSPEC
            3,                  // RTPROT_BOOT (the default)
            0, 1, 0, 0, 0, 0,
            8, 0, 1, 0, 10, 2, 0, 0,
            8, 0, 5, 0, 10, 0, 0, 1,
            8, 0, 15, 0, 0xe8, 0x03, 0, 0,  // RTA_TABLE 1000 = 0x3e8
        ];
        let spec = RouteSpec::new("10.2.0.0/16").via("10.0.0.1").table(1000);
        assert_eq!(
            wire(route::add_request(&spec, None).unwrap(), true),
            expected
        );
        assert_eq!(Route::parse(&expected[16..]).unwrap().table(), 1000);
    }

    /// `ip route add blackhole 10.3.0.0/16`: no gateway, no device, type 6, scope universe.
    /// iproute2's bytes plus RTA_TABLE main.
    #[test]
    fn add_blackhole() {
        #[rustfmt::skip]
        let expected: [u8; 44] = [
            44, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
            2, 16, 0, 0,
            254,                // RT_TABLE_MAIN (the default)
            3, 0,
            6,                  // RTN_BLACKHOLE
            0, 0, 0, 0,
            8, 0, 1, 0, 10, 3, 0, 0,
            8, 0, 15, 0, 254, 0, 0, 0,
        ];
        let spec = RouteSpec::new("10.3.0.0/16").route_type(RouteType::Blackhole);
        assert_eq!(
            wire(route::add_request(&spec, None).unwrap(), true),
            expected
        );
    }

    /// `ip route add 10.9.0.0/16 dev v0`: a device route without gateway is link-scoped.
    /// iproute2's bytes plus RTA_TABLE.
    #[test]
    fn add_device_route_is_scope_link() {
        #[rustfmt::skip]
        let expected: [u8; 52] = [
            52, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
            2, 16, 0, 0, 254, 3,
            253,                // RT_SCOPE_LINK
            1, 0, 0, 0, 0,
            8, 0, 1, 0, 10, 9, 0, 0,
            8, 0, 15, 0, 254, 0, 0, 0,
            8, 0, 4, 0, 3, 0, 0, 0,
        ];
        let spec = RouteSpec::new("10.9.0.0/16").dev(LinkRef::Index(3));
        assert_eq!(
            wire(route::add_request(&spec, None).unwrap(), true),
            expected
        );
    }

    /// `ip route add 10.8.0.0/16 via 10.0.0.1 src 10.0.0.2 table 100 proto static metric 5
    /// dev v0`: prefsrc after the gateway. iproute2's bytes plus RTA_TABLE.
    #[test]
    fn add_with_prefsrc() {
        #[rustfmt::skip]
        let expected: [u8; 76] = [
            76, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
            2, 16, 0, 0, 100,
            4,                  // RTPROT_STATIC
            0, 1, 0, 0, 0, 0,
            8, 0, 1, 0, 10, 8, 0, 0,
            8, 0, 5, 0, 10, 0, 0, 1,
            8, 0, 7, 0, 10, 0, 0, 2,   // RTA_PREFSRC 10.0.0.2
            8, 0, 15, 0, 100, 0, 0, 0,
            8, 0, 6, 0, 5, 0, 0, 0,
            8, 0, 4, 0, 3, 0, 0, 0,
        ];
        let spec = RouteSpec::new("10.8.0.0/16")
            .via("10.0.0.1")
            .prefsrc("10.0.0.2")
            .table(100)
            .protocol(Protocol::STATIC)
            .metric(5)
            .dev("v0");
        assert_eq!(
            wire(route::add_request(&spec, Some(3)).unwrap(), true),
            expected
        );
    }

    /// `ip -6 route add unreachable fd09::/64 table 1000 metric 7`. Identical to iproute2.
    #[test]
    fn add_v6_unreachable() {
        #[rustfmt::skip]
        let expected: [u8; 64] = [
            64, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
            10,                 // AF_INET6
            64, 0, 0, 0, 3, 0,
            7,                  // RTN_UNREACHABLE
            0, 0, 0, 0,
            20, 0, 1, 0, 0xfd, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 15, 0, 0xe8, 0x03, 0, 0,
            8, 0, 6, 0, 7, 0, 0, 0,
        ];
        let spec = RouteSpec::new("fd09::/64")
            .route_type(RouteType::Unreachable)
            .table(1000)
            .metric(7);
        assert_eq!(
            wire(route::add_request(&spec, None).unwrap(), true),
            expected
        );
    }

    /// `ip route add default via 10.0.0.1`: no RTA_DST, as iproute2; plus RTA_TABLE.
    #[test]
    fn add_default_v4() {
        #[rustfmt::skip]
        let expected: [u8; 44] = [
            44, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
            2,
            0,                  // rtm_dst_len 0: the default route
            0, 0, 254, 3, 0, 1, 0, 0, 0, 0,
            8, 0, 5, 0, 10, 0, 0, 1,
            8, 0, 15, 0, 254, 0, 0, 0,
        ];
        let spec = RouteSpec::default_via("10.0.0.1");
        assert_eq!(
            wire(route::add_request(&spec, None).unwrap(), true),
            expected
        );
    }

    /// `ip -6 route add default via fd00::1`. iproute2 also sends an all-zero RTA_DST (::)
    /// here; Linx omits it, as the kernel reports default routes (same meaning: dst_len 0).
    #[test]
    fn add_default_v6() {
        #[rustfmt::skip]
        let expected: [u8; 56] = [
            56, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
            10, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0,
            20, 0, 5, 0, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
            8, 0, 15, 0, 254, 0, 0, 0,
        ];
        let spec = RouteSpec::default_via("fd00::1");
        assert_eq!(
            wire(route::add_request(&spec, None).unwrap(), true),
            expected
        );
    }

    /// `ip route replace 10.1.0.0/16 via 10.0.0.9 dev v0 table 100 proto 76 metric 50`.
    /// iproute2's bytes plus RTA_TABLE.
    #[test]
    fn replace() {
        #[rustfmt::skip]
        let expected: [u8; 68] = [
            68, 0, 0, 0, 24, 0,
            0x05, 0x05,         // NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE 0x100 | NLM_F_CREATE 0x400
            1, 0, 0, 0, 0, 0, 0, 0,
            2, 16, 0, 0, 100, 76, 0, 1, 0, 0, 0, 0,
            8, 0, 1, 0, 10, 1, 0, 0,
            8, 0, 5, 0, 10, 0, 0, 9,   // the new gateway
            8, 0, 15, 0, 100, 0, 0, 0,
            8, 0, 6, 0, 50, 0, 0, 0,
            8, 0, 4, 0, 3, 0, 0, 0,
        ];
        let spec = RouteSpec::new("10.1.0.0/16")
            .via("10.0.0.9")
            .dev("v0")
            .table(100)
            .protocol(76)
            .metric(50);
        assert_eq!(
            wire(route::replace_request(&spec, Some(3)).unwrap(), true),
            expected
        );
    }

    /// `ip route del 10.1.0.0/16 table 100 metric 50`: protocol 0, scope NOWHERE and type 0
    /// match anything. iproute2's bytes plus RTA_TABLE.
    #[test]
    fn delete_with_table_and_metric() {
        #[rustfmt::skip]
        let expected: [u8; 52] = [
            52, 0, 0, 0,
            25, 0,              // RTM_DELROUTE
            0x05, 0x00,         // NLM_F_REQUEST | NLM_F_ACK
            1, 0, 0, 0, 0, 0, 0, 0,
            2, 16, 0, 0, 100,
            0,                  // RTPROT_UNSPEC: any protocol
            255,                // RT_SCOPE_NOWHERE: any scope
            0,                  // RTN_UNSPEC: any type
            0, 0, 0, 0,
            8, 0, 1, 0, 10, 1, 0, 0,
            8, 0, 15, 0, 100, 0, 0, 0,
            8, 0, 6, 0, 50, 0, 0, 0,
        ];
        let spec = RouteSpec::new("10.1.0.0/16").table(100).metric(50);
        assert_eq!(
            wire(route::delete_request(&spec, None).unwrap(), true),
            expected
        );
    }

    /// `ip route get 10.1.2.3`: full-width RTA_DST, RTM_F_LOOKUP_TABLE. Identical to
    /// iproute2.
    #[test]
    fn get_v4() {
        #[rustfmt::skip]
        let expected: [u8; 36] = [
            36, 0, 0, 0,
            26, 0,              // RTM_GETROUTE
            0x01, 0x00,         // NLM_F_REQUEST only: one reply
            1, 0, 0, 0, 0, 0, 0, 0,
            2, 32, 0, 0, 0, 0, 0, 0,
            0x00, 0x10, 0, 0,   // rtm_flags RTM_F_LOOKUP_TABLE 0x1000
            8, 0, 1, 0, 10, 1, 2, 3,
        ];
        assert_eq!(wire(route::get_request(ip!("10.1.2.3")), false), expected);
    }

    /// `ip -6 route get fd00::5`: no flags (strict checking refuses RTM_F_LOOKUP_TABLE for
    /// IPv6). Identical to iproute2.
    #[test]
    fn get_v6() {
        #[rustfmt::skip]
        let expected: [u8; 48] = [
            48, 0, 0, 0, 26, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            10, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            20, 0, 1, 0, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,
        ];
        assert_eq!(wire(route::get_request(ip!("fd00::5")), false), expected);
    }

    /// `ip route show table 100 proto 76`: family and protocol in the header, the table in
    /// RTA_TABLE. Identical to iproute2.
    #[test]
    fn dump_filtered_by_table_and_protocol() {
        #[rustfmt::skip]
        let expected: [u8; 36] = [
            36, 0, 0, 0, 26, 0,
            0x01, 0x03,         // NLM_F_REQUEST | NLM_F_DUMP (0x300)
            1, 0, 0, 0, 0, 0, 0, 0,
            2, 0, 0, 0,
            0,                  // rtm_table 0: the table is in RTA_TABLE
            76,                 // rtm_protocol filter
            0, 0, 0, 0, 0, 0,
            8, 0, 15, 0, 100, 0, 0, 0,
        ];
        let f = RouteFilter::new()
            .family(Family::Inet)
            .table(100)
            .protocol(76);
        assert_eq!(
            wire(route::dump_request(&f, None).unwrap(), false),
            expected
        );
    }

    /// `ip route show dev v0 table 100`: RTA_TABLE then RTA_OIF. Identical to iproute2.
    #[test]
    fn dump_filtered_by_oif() {
        #[rustfmt::skip]
        let expected: [u8; 44] = [
            44, 0, 0, 0, 26, 0, 0x01, 0x03, 1, 0, 0, 0, 0, 0, 0, 0,
            2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 15, 0, 100, 0, 0, 0,
            8, 0, 4, 0, 3, 0, 0, 0,
        ];
        let f = RouteFilter::new().family(Family::Inet).table(100).dev("v0");
        assert_eq!(
            wire(route::dump_request(&f, Some(3)).unwrap(), false),
            expected
        );
    }

    /// `list`: an AF_UNSPEC dump of everything (all-zero rtmsg, valid under strict checks).
    #[test]
    fn dump_all() {
        #[rustfmt::skip]
        let expected: [u8; 28] = [
            28, 0, 0, 0, 26, 0, 0x01, 0x03, 1, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(wire(route::list_call().request, false), expected);
        let all = route::dump_request(&RouteFilter::default(), None).unwrap();
        assert_eq!(wire(all, false), expected);
    }
}

// ================================================================ captured kernel replies

/// Captured on Linux 6.18 from an `AF_UNSPEC` `RTM_GETROUTE` dump
/// (`linx_netlink_codec::Call::new(req, engine::RawMessages).collect(&sock)`) in a namespace
/// set up with `ip link add v0 type veth peer name v1` (v0 = ifindex 3), `ip addr add
/// 10.0.0.2/24 dev v0`, `ip addr add fd00::2/64 dev v0 nodad` and
/// `ip route add 10.1.0.0/16 via 10.0.0.1 dev v0 table 100 proto 76 metric 50`.
/// Kernel order: TABLE, DST, PRIORITY, GATEWAY, OIF.
#[rustfmt::skip]
const KERNEL_V4_TABLE_100: [u8; 68] = [
    68, 0, 0, 0, 24, 0, 34, 0, 1, 0, 0, 0, 226, 33, 0, 0,   // NEWROUTE, NLM_F_MULTI | DUMP_FILTERED
    2, 16, 0, 0, 100, 76, 0, 1, 0, 0, 0, 0,
    8, 0, 15, 0, 100, 0, 0, 0,
    8, 0, 1, 0, 10, 1, 0, 0,
    8, 0, 6, 0, 50, 0, 0, 0,
    8, 0, 5, 0, 10, 0, 0, 1,
    8, 0, 4, 0, 3, 0, 0, 0,
];

/// Same dump: `ip route add blackhole 10.3.0.0/16 table 1000` (header table RT_TABLE_COMPAT).
#[rustfmt::skip]
const KERNEL_V4_BLACKHOLE_1000: [u8; 44] = [
    44, 0, 0, 0, 24, 0, 34, 0, 1, 0, 0, 0, 226, 33, 0, 0,
    2, 16, 0, 0, 252, 3, 0, 6, 0, 0, 0, 0,
    8, 0, 15, 0, 232, 3, 0, 0,
    8, 0, 1, 0, 10, 3, 0, 0,
];

/// Same dump: the connected route of 10.0.0.2/24 (kernel order TABLE, DST, PREFSRC, OIF).
#[rustfmt::skip]
const KERNEL_V4_CONNECTED: [u8; 60] = [
    60, 0, 0, 0, 24, 0, 34, 0, 1, 0, 0, 0, 226, 33, 0, 0,
    2, 24, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0,
    8, 0, 15, 0, 254, 0, 0, 0,
    8, 0, 1, 0, 10, 0, 0, 0,
    8, 0, 7, 0, 10, 0, 0, 2,
    8, 0, 4, 0, 3, 0, 0, 0,
];

/// Same dump: `ip route add fd01::/64 via fd00::1 dev v0 metric 50 proto 76`. IPv6 routes
/// carry RTA_CACHEINFO (12) and RTA_PREF (20), kept raw in `other`, between and after the
/// modelled ones.
#[rustfmt::skip]
const KERNEL_V6_GATEWAY: [u8; 136] = [
    136, 0, 0, 0, 24, 0, 34, 0, 1, 0, 0, 0, 226, 33, 0, 0,
    10, 64, 0, 0, 254, 76, 0, 1, 0, 0, 0, 0,
    8, 0, 15, 0, 254, 0, 0, 0,
    20, 0, 1, 0, 253, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    8, 0, 6, 0, 50, 0, 0, 0,
    20, 0, 5, 0, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    8, 0, 4, 0, 3, 0, 0, 0,
    36, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    5, 0, 20, 0, 0, 0, 0, 0,
];

/// `route::get_request(10.1.2.3)`'s reply (after `ip route add default via 10.0.0.1`):
/// a resolved, cloned route with RTA_UID (25) and RTA_CACHEINFO (12) kept raw. Kernel order
/// TABLE, DST, OIF, PREFSRC, GATEWAY, UID, CACHEINFO.
#[rustfmt::skip]
const KERNEL_GET_V4: [u8; 112] = [
    112, 0, 0, 0, 24, 0, 0, 0, 2, 0, 0, 0, 226, 33, 0, 0,
    2, 32, 0, 0, 254, 0, 0, 1, 0, 2, 0, 0,   // rtm_flags RTM_F_CLONED 0x200
    8, 0, 15, 0, 254, 0, 0, 0,
    8, 0, 1, 0, 10, 1, 2, 3,
    8, 0, 4, 0, 3, 0, 0, 0,
    8, 0, 7, 0, 10, 0, 0, 2,
    8, 0, 5, 0, 10, 0, 0, 1,
    8, 0, 25, 0, 0, 0, 0, 0,
    36, 0, 12, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// `route::get_request(fd01::5)`'s reply: IPv6 reports RTA_SRC ::/128 too.
#[rustfmt::skip]
const KERNEL_GET_V6: [u8; 176] = [
    176, 0, 0, 0, 24, 0, 0, 0, 4, 0, 0, 0, 226, 33, 0, 0,
    10, 128, 128, 0, 254, 76, 0, 1, 0, 0, 0, 0,
    8, 0, 15, 0, 254, 0, 0, 0,
    20, 0, 1, 0, 253, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,
    20, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    20, 0, 7, 0, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    8, 0, 6, 0, 50, 0, 0, 0,
    20, 0, 5, 0, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    8, 0, 4, 0, 3, 0, 0, 0,
    36, 0, 12, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    5, 0, 20, 0, 0, 0, 0, 0,
];

const CAPTURED: [&[u8]; 6] = [
    &KERNEL_V4_TABLE_100,
    &KERNEL_V4_BLACKHOLE_1000,
    &KERNEL_V4_CONNECTED,
    &KERNEL_V6_GATEWAY,
    &KERNEL_GET_V4,
    &KERNEL_GET_V6,
];

fn decode(msg: &[u8]) -> Route {
    Route::from_msg(&MsgView::new_checked(msg).unwrap()).unwrap()
}

fn emitted(r: &Route) -> Vec<u8> {
    let mut b = Vec::new();
    r.emit(&mut b).unwrap();
    assert_eq!(b.len(), r.buffer_len());
    b
}

#[test]
fn captured_replies_decode() {
    let r = decode(&KERNEL_V4_TABLE_100);
    assert_eq!(
        (
            r.family,
            r.dst_len,
            r.table(),
            r.protocol,
            r.scope,
            r.route_type
        ),
        (
            2,
            16,
            100,
            Protocol(76),
            Scope::UNIVERSE,
            RouteType::Unicast
        )
    );
    assert_eq!(r.dst, Some(ip!("10.1.0.0")));
    assert_eq!(r.destination(), Some(ip!("10.1.0.0/16")));
    assert_eq!(
        (r.gateway, r.oif, r.metric),
        (Some(ip!("10.0.0.1")), Some(3), Some(50))
    );
    assert!(
        r.other.is_empty(),
        "an ordinary IPv4 route keeps nothing raw"
    );
    assert_eq!(
        format!("{r:?}"),
        "Route<10.1.0.0/16 via 10.0.0.1 dev 3 metric 50 proto 76 table 100>"
    );
    assert!(format!("{r:#?}").contains("table_ext: Some(\n        100,\n    )"));

    let r = decode(&KERNEL_V4_BLACKHOLE_1000);
    assert_eq!(
        (r.header_table, r.table(), r.route_type),
        (252, 1000, RouteType::Blackhole)
    );
    assert_eq!(r.to_string(), "Route<blackhole 10.3.0.0/16 table 1000>");

    let r = decode(&KERNEL_V4_CONNECTED);
    assert_eq!(
        r.to_string(),
        "Route<10.0.0.0/24 dev 3 src 10.0.0.2 proto kernel scope link table main>"
    );

    let r = decode(&KERNEL_V6_GATEWAY);
    assert_eq!(r.ip_family(), Some(Family::Inet6));
    assert_eq!(r.destination(), Some(ip!("fd01::/64")));
    assert_eq!(r.gateway, Some(ip!("fd00::1")));
    let raw: Vec<u16> = r.other.iter().map(|a| a.unwrap().kind()).collect();
    assert_eq!(raw, [route::RTA_CACHEINFO, route::RTA_PREF]);
    assert_eq!(
        r.to_string(),
        "Route<fd01::/64 via fd00::1 dev 3 metric 50 proto 76 table main>"
    );

    let r = decode(&KERNEL_GET_V4);
    assert_eq!(r.flags, route::RTM_F_CLONED);
    assert_eq!(
        (r.gateway, r.prefsrc),
        (Some(ip!("10.0.0.1")), Some(ip!("10.0.0.2")))
    );
    let raw: Vec<u16> = r.other.iter().map(|a| a.unwrap().kind()).collect();
    assert_eq!(raw, [route::RTA_UID, route::RTA_CACHEINFO]);

    let r = decode(&KERNEL_GET_V6);
    assert_eq!(r.source(), Some(ip!("::/128")));
    assert_eq!(r.prefsrc, Some(ip!("fd00::2")));
}

#[test]
fn captured_replies_reemit_byte_for_byte() {
    for msg in CAPTURED {
        let r = decode(msg);
        assert_eq!(emitted(&r), &msg[16..], "{r:?}");
        // Without the recorded order the value is the same, only the order is canonical.
        let mut canon = r.clone();
        canon.wire_order.clear();
        assert_eq!(Route::parse(&emitted(&canon)).unwrap(), r);
    }
}

#[test]
fn modified_decoded_route_still_emits_every_field() {
    let mut r = decode(&KERNEL_V4_TABLE_100);
    r.gateway = None;
    r.mark = Some(7); // not in the recorded order: appended in canonical position
    let back = Route::parse(&emitted(&r)).unwrap();
    assert_eq!(back, r);
}

// ==================================================================== malformed input

#[test]
fn truncated_header_is_an_error() {
    for n in 0..12 {
        let e = Route::parse(&KERNEL_V4_TABLE_100[16..16 + n]).unwrap_err();
        assert_eq!(e.context, "RtMsg", "{e}");
    }
}

#[test]
fn attribute_length_past_the_end_is_an_error() {
    let mut p = KERNEL_V4_TABLE_100[16..].to_vec();
    p[12] = 200; // RTA_TABLE claims 200 bytes
    let e = Route::parse(&p).unwrap_err();
    assert_eq!(e.offset, 12, "{e}");
    p[12] = 3; // below the 4-byte header
    assert!(Route::parse(&p).is_err());
}

#[test]
fn malformed_modelled_attribute_names_its_path() {
    // RTA_DST with 3 bytes.
    let mut p = vec![2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0];
    AttrWriter::new(&mut p)
        .put(route::RTA_DST, &[10, 0, 0])
        .unwrap();
    let e = Route::parse(&p).unwrap_err();
    assert_eq!(e.path.as_slice(), [route::RTA_DST]);
    assert_eq!(e.offset, 16, "{e}");
    // RTA_PRIORITY with 2 bytes.
    let mut p = vec![2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0];
    AttrWriter::new(&mut p)
        .put(route::RTA_PRIORITY, &[1, 2])
        .unwrap();
    assert_eq!(
        Route::parse(&p).unwrap_err().path.as_slice(),
        [route::RTA_PRIORITY]
    );
}

#[test]
fn overlong_input_and_odd_attributes_stay_lossless() {
    // A duplicate RTA_OIF, a flagged RTA_GATEWAY and an RTA_VIA of an unknown family stay raw.
    let mut p = vec![2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0];
    let mut w = AttrWriter::new(&mut p);
    w.put_u32(route::RTA_OIF, 2).unwrap();
    w.put_u32(route::RTA_OIF, 9).unwrap();
    w.put(route::RTA_GATEWAY | 0x4000, &[10, 0, 0, 1]).unwrap();
    w.put(route::RTA_VIA, &[99, 0, 1, 2]).unwrap();
    w.put(
        route::RTA_VIA,
        &[10, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    )
    .unwrap();
    let r = Route::parse(&p).unwrap();
    assert_eq!(r.oif, Some(2));
    assert_eq!(r.gateway, None);
    assert_eq!(r.via, Some(ip!("fe80::1")));
    assert_eq!(r.other.iter().count(), 3);
    assert_eq!(emitted(&r), p);
    // Non-IP families keep their addresses raw (MPLS labels are not IPv4 addresses).
    let mut p = vec![28, 20, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0];
    AttrWriter::new(&mut p)
        .put(route::RTA_DST, &[0, 1, 0x11, 0])
        .unwrap();
    let r = Route::parse(&p).unwrap();
    assert_eq!((r.dst, r.other.iter().count()), (None, 1));
    assert_eq!(emitted(&r), p);
}

#[test]
fn multipath_nexthops_count_for_uses_oif() {
    // RTA_MULTIPATH with two struct rtnexthop (len 8, flags, hops, ifindex 4 / 5).
    let mut mp = Vec::new();
    for i in [4u32, 5] {
        mp.extend_from_slice(&8u16.to_ne_bytes());
        mp.extend_from_slice(&[0, 0]);
        mp.extend_from_slice(&i.to_ne_bytes());
    }
    let mut other = RawAttrs::default();
    other.push_raw(route::RTA_MULTIPATH, &mp).unwrap();
    let r = Route {
        other,
        ..Default::default()
    };
    assert!(r.uses_oif(5) && r.uses_oif(4) && !r.uses_oif(3));
    let f = RouteFilter::new().dev(LinkRef::Index(5));
    assert!(f.matches(&r, Some(5)));
}

// ===================================================================== input validation

#[test]
fn family_mismatch_and_bad_input_are_typed() {
    let cases: [(RouteSpec, &str); 5] = [
        (
            RouteSpec::new("10.0.0.0/8").via("fd00::1"),
            "FamilyMismatch",
        ),
        (
            RouteSpec::new("fd00::/8").prefsrc("10.0.0.1"),
            "FamilyMismatch",
        ),
        (
            RouteSpec::default_via("10.0.0.1").family(Family::Inet6),
            "FamilyMismatch",
        ),
        (RouteSpec::new("10.0.0.0/8").table(0), "BadOption"),
        (RouteSpec::new("10.1.2.3/16"), "BadOption"),
    ];
    for (spec, want) in cases {
        let e = route::add_request(&spec, None).unwrap_err();
        assert!(format!("{e:?}").starts_with(want), "{spec}: {e:?}");
    }
    let e = RouteSpec::new("10.0.0.0/8")
        .via("fd00::1")
        .validate()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "address family mismatch: destination 10.0.0.0/8 is inet but gateway fd00::1 is inet6"
    );
    assert!(matches!(
        RouteSpec::new("10.0.0.0/40").validate(),
        Err(Error::Ip(_))
    ));
    assert!(matches!(
        RouteSpec::new("nope").validate(),
        Err(Error::Ip(_))
    ));
    assert!(matches!(
        RouteSpec::new("10.0.0.0/8").via("10.1").validate(),
        Err(Error::Ip(_))
    ));
    // A device named but not resolved cannot be encoded.
    let e = route::add_request(&RouteSpec::new("10.0.0.0/8").dev("v0"), None).unwrap_err();
    assert!(matches!(e, Error::BadOption { name: "dev", .. }));
    // Filters: 0 means "any", so it is refused as a value.
    let f = RouteFilter::new().table(0);
    assert!(matches!(
        route::dump_request(&f, None),
        Err(Error::BadOption { name: "table", .. })
    ));
}

#[test]
fn value_types_convert_and_print() {
    assert_eq!("bird".parse::<Protocol>().unwrap(), Protocol(12));
    assert!("nonsense".parse::<Protocol>().is_err());
    assert_eq!(RouteType::from(200), RouteType::Other(200));
    assert_eq!(u8::from(RouteType::Other(200)), 200);
    assert_eq!(Scope(7).to_string(), "7");
    assert_eq!("10.0.0.1".into_cidr().unwrap(), ip!("10.0.0.1/32"));
    assert_eq!(("fd00::", 8).into_cidr().unwrap(), ip!("fd00::/8"));
    assert_eq!(
        RouteSpec::default_route()
            .route_type(RouteType::Prohibit)
            .to_string(),
        "prohibit default"
    );
}

// ========================================================================== proptests

fn arb_ip() -> impl Strategy<Value = Ip> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(Ip::from),
        any::<[u8; 16]>().prop_map(Ip::from),
    ]
}

/// Attribute types `Route` does not model, plus modelled ones with a flag bit set.
fn arb_unmodelled() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(vec![
            0u16, 8, 9, 10, 11, 12, 13, 14, 17, 19, 20, 21, 22, 23, 25, 30, 31, 200
        ]),
        (1u16..19).prop_map(|k| k | 0x8000),
    ]
}

fn arb_route() -> impl Strategy<Value = Route> {
    let header = (
        prop::sample::select(vec![2u8, 10, 128, 129]),
        any::<[u8; 3]>(),
        any::<[u8; 4]>(),
        any::<u32>(),
    );
    let addrs = (
        prop::option::of(arb_ip()),
        prop::option::of(arb_ip()),
        prop::option::of(arb_ip()),
        prop::option::of(arb_ip()),
        prop::option::of(arb_ip()),
    );
    let nums = prop::collection::vec(prop::option::of(any::<u32>()), 5);
    let raw = prop::collection::vec(
        (arb_unmodelled(), prop::collection::vec(any::<u8>(), 0..24)),
        0..4,
    );
    (header, addrs, nums, raw).prop_map(|(h, a, n, raw)| {
        let mut other = RawAttrs::default();
        for (t, p) in raw {
            other.push_raw(t, &p).unwrap();
        }
        Route {
            family: h.0,
            dst_len: h.1[0],
            src_len: h.1[1],
            tos: h.1[2],
            header_table: h.2[0],
            protocol: Protocol(h.2[1]),
            scope: Scope(h.2[2]),
            route_type: RouteType::from(h.2[3]),
            flags: h.3,
            dst: a.0,
            src: a.1,
            gateway: a.2,
            via: a.3,
            prefsrc: a.4,
            iif: n[0],
            oif: n[1],
            metric: n[2],
            table_ext: n[3],
            mark: n[4],
            other,
            wire_order: WireOrder::default(),
        }
    })
}

/// A payload as the kernel could send it: a header and any mix of attributes, modelled ones
/// mostly well-sized, in any order, duplicates included.
fn arb_frame() -> impl Strategy<Value = Vec<u8>> {
    let attr = prop_oneof![
        (prop::sample::select(vec![1u16, 2, 5, 7]), arb_ip())
            .prop_map(|(t, ip)| (t, ip.as_bytes().to_vec())),
        (prop::sample::select(vec![3u16, 4, 6, 15, 16]), any::<u32>())
            .prop_map(|(t, v)| (t, v.to_ne_bytes().to_vec())),
        arb_ip().prop_map(|ip| {
            let mut p = u16::from(ip.family().af()).to_ne_bytes().to_vec();
            p.extend_from_slice(ip.as_bytes());
            (route::RTA_VIA, p)
        }),
        (arb_unmodelled(), prop::collection::vec(any::<u8>(), 0..40)),
    ];
    (
        prop::sample::select(vec![0u8, 2, 10, 28, 128, 129]),
        any::<[u8; 11]>(),
        prop::collection::vec(attr, 0..64),
    )
        .prop_map(|(fam, rest, attrs)| {
            let mut p = vec![fam];
            p.extend_from_slice(&rest);
            let mut w = AttrWriter::new(&mut p);
            for (t, v) in attrs {
                w.put(t, &v).unwrap();
            }
            p
        })
}

proptest! {
    #[test]
    fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Route::parse(&bytes);
        if let Ok(m) = MsgView::new_checked(&bytes) {
            let _ = Route::from_msg(&m);
        }
    }

    #[test]
    fn header_read_in_place_matches_rtmsg(h in any::<[u8; 12]>()) {
        use linx_netlink_codec::FixedHeader;
        let want = route::RtMsg::parse(&h).unwrap();
        let r = Route::parse(&h).unwrap();
        prop_assert_eq!(
            (r.family, r.dst_len, r.src_len, r.tos, r.header_table, r.protocol.0, r.scope.0),
            (want.family, want.dst_len, want.src_len, want.tos, want.table, want.protocol, want.scope)
        );
        prop_assert_eq!((u8::from(r.route_type), r.flags), (want.route_type, want.flags));
        prop_assert_eq!(emitted(&r), h);
    }

    #[test]
    fn parse_of_emit_is_identity(r in arb_route()) {
        let bytes = emitted(&r);
        prop_assert_eq!(Route::parse(&bytes).unwrap(), r);
    }

    #[test]
    fn emit_of_parse_is_identity(frame in arb_frame()) {
        let r = Route::parse(&frame).unwrap();
        prop_assert_eq!(emitted(&r), frame);
    }

    #[test]
    fn specs_build_what_they_say(
        a in any::<[u8; 4]>(), len in 0u8..=32, table in 1u32.., metric in prop::option::of(any::<u32>())
    ) {
        let dst = linx_ip::Subnet::new(Ip::from(a), len).unwrap().network();
        let mut spec = RouteSpec::new(dst).via("192.0.2.1").table(table);
        if let Some(m) = metric {
            spec = spec.metric(m);
        }
        let r = Route::parse(route::add_request(&spec, None).unwrap().payload()).unwrap();
        prop_assert_eq!(r.destination(), Some(dst));
        prop_assert_eq!(r.table(), table);
        prop_assert_eq!(r.metric, metric);
        prop_assert_eq!(r.header_table as u32, if table < 256 { table } else { 0 });
    }
}

// ======================================================================== kernel tests

mod kernel {
    use super::*;
    use linx_testns::TestNs;
    use serde_json::Value;

    fn json(s: &str) -> Vec<Value> {
        serde_json::from_str::<Value>(s)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// lo up; v0 (10.0.0.2/24, fd00::2/64) ↔ v1 (10.0.1.2/24), both up. Returns v0's index.
    fn setup(ns: &TestNs) -> u32 {
        ns.ip_batch(
            "link set lo up\n\
             link add v0 type veth peer name v1\n\
             link set v0 up\n\
             link set v1 up\n\
             addr add 10.0.0.2/24 dev v0\n\
             addr add fd00::2/64 dev v0 nodad\n\
             addr add 10.0.1.2/24 dev v1\n",
        );
        let l = json(&ns.ip_json(&["link", "show", "v0"]));
        l[0]["ifindex"].as_u64().unwrap() as u32
    }

    fn errno(e: &Error) -> Option<Errno> {
        e.errno()
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn add_lands_in_table_100_with_protocol_76_and_metric_50() {
        let ns = TestNs::new();
        let v0 = setup(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let spec = RouteSpec::new("10.1.0.0/16")
            .via("10.0.0.1")
            .dev("v0")
            .table(100)
            .protocol(76)
            .metric(50);
        route::add(&sock, &spec).unwrap();
        let theirs = json(&ns.ip_json(&["route", "show", "table", "100"]));
        assert_eq!(theirs.len(), 1, "{theirs:?}");
        assert_eq!(theirs[0]["dst"], "10.1.0.0/16");
        assert_eq!(theirs[0]["gateway"], "10.0.0.1");
        assert_eq!(theirs[0]["dev"], "v0");
        assert_eq!(theirs[0]["protocol"], "76");
        assert_eq!(theirs[0]["metric"], 50);
        // Ours, read back, is exactly the route the spec builds (plus nothing else).
        let f = RouteFilter::new().table(100);
        let ours = route::list_filtered(&sock, &f).unwrap();
        assert_eq!(ours, [spec.build(Some(v0)).unwrap()], "{ours:?}");
        assert_eq!(
            ours[0].to_string(),
            format!("Route<10.1.0.0/16 via 10.0.0.1 dev {v0} metric 50 proto 76 table 100>")
        );
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn get_resolves_through_a_gateway_and_unroutable_is_enetunreach() {
        let ns = TestNs::new();
        let v0 = setup(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        route::add(&sock, &RouteSpec::new("10.1.0.0/16").via("10.0.0.1")).unwrap();
        route::add(
            &sock,
            &RouteSpec::new("fd01::/64").via("fd00::1").metric(50),
        )
        .unwrap();

        let r = route::get(&sock, "10.1.2.3").unwrap();
        assert_eq!(r.destination(), Some(ip!("10.1.2.3/32")));
        assert_eq!(
            (r.gateway, r.oif, r.prefsrc),
            (Some(ip!("10.0.0.1")), Some(v0), Some(ip!("10.0.0.2")))
        );
        assert_eq!(r.table(), 254);
        let theirs = json(&ns.ip_json(&["route", "get", "10.1.2.3"]));
        assert_eq!(theirs[0]["gateway"], "10.0.0.1");
        assert_eq!(theirs[0]["dev"], "v0");
        assert_eq!(theirs[0]["prefsrc"], "10.0.0.2");

        let r = route::get(&sock, ip!("fd01::5")).unwrap();
        assert_eq!(
            (r.gateway, r.oif, r.metric),
            (Some(ip!("fd00::1")), Some(v0), Some(50))
        );
        let theirs = json(&ns.ip_json(&["-6", "route", "get", "fd01::5"]));
        assert_eq!(theirs[0]["gateway"], "fd00::1");

        for unroutable in ["203.0.113.9", "2001:db8::9"] {
            let e = route::get(&sock, unroutable).unwrap_err();
            assert_eq!(errno(&e), Some(Errno::ENETUNREACH), "{e}");
            assert!(e.to_string().contains(unroutable), "{e}");
        }
        assert!(matches!(route::get(&sock, "10.1"), Err(Error::Ip(_))));
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn replace_changes_the_gateway_in_place_and_add_twice_is_eexist() {
        let ns = TestNs::new();
        setup(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let spec = RouteSpec::new("10.99.0.0/24")
            .via("10.0.0.1")
            .table(100)
            .protocol(76);
        route::add(&sock, &spec).unwrap();
        let e = route::add(&sock, &spec).unwrap_err();
        assert_eq!(errno(&e), Some(Errno::EEXIST), "{e}");
        assert!(matches!(e, Error::Netlink(_)));
        assert!(e.to_string().starts_with("netlink EEXIST (17)"), "{e}");

        let moved = RouteSpec::new("10.99.0.0/24")
            .via("10.0.0.9")
            .table(100)
            .protocol(76);
        route::replace(&sock, &moved).unwrap();
        route::replace(&sock, &moved).unwrap(); // idempotent
        let theirs = json(&ns.ip_json(&["route", "show", "table", "100"]));
        assert_eq!(theirs.len(), 1, "replaced in place, not added: {theirs:?}");
        assert_eq!(theirs[0]["gateway"], "10.0.0.9");
        // Replace of an absent route creates it.
        route::replace(
            &sock,
            &RouteSpec::new("10.98.0.0/24").via("10.0.0.9").table(100),
        )
        .unwrap();
        assert_eq!(
            json(&ns.ip_json(&["route", "show", "table", "100"])).len(),
            2
        );
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn delete_with_table_and_metric_removes_only_that_route() {
        let ns = TestNs::new();
        setup(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let base = || RouteSpec::new("10.5.0.0/16").via("10.0.0.1");
        route::add(&sock, &base().table(100).metric(50)).unwrap();
        route::add(&sock, &base().table(100).metric(60)).unwrap();
        route::add(&sock, &base().table(101).metric(50)).unwrap();
        route::add(&sock, &base().metric(50)).unwrap(); // main

        route::delete(&sock, &RouteSpec::new("10.5.0.0/16").table(100).metric(50)).unwrap();
        let t100 = json(&ns.ip_json(&["route", "show", "table", "100"]));
        assert_eq!(t100.len(), 1, "{t100:?}");
        assert_eq!(t100[0]["metric"], 60);
        assert_eq!(
            json(&ns.ip_json(&["route", "show", "table", "101"])).len(),
            1
        );
        assert_eq!(
            json(&ns.ip_json(&["route", "show", "10.5.0.0/16"])).len(),
            1
        );

        let e =
            route::delete(&sock, &RouteSpec::new("10.5.0.0/16").table(100).metric(50)).unwrap_err();
        assert_eq!(errno(&e), Some(Errno::ESRCH), "{e}");
        // Without a table, delete looks in main only.
        route::delete(&sock, &RouteSpec::new("10.5.0.0/16")).unwrap();
        assert_eq!(
            json(&ns.ip_json(&["route", "show", "10.5.0.0/16"])).len(),
            0
        );
        assert_eq!(
            json(&ns.ip_json(&["route", "show", "table", "101"])).len(),
            1
        );
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn ipv6_routes_and_default_routes() {
        let ns = TestNs::new();
        let v0 = setup(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let spec = RouteSpec::new("fd01::/64")
            .via("fd00::1")
            .dev("v0")
            .table(100)
            .protocol(76)
            .metric(50);
        route::add(&sock, &spec).unwrap();
        let theirs = json(&ns.ip_json(&["-6", "route", "show", "table", "100"]));
        assert_eq!(theirs.len(), 1, "{theirs:?}");
        assert_eq!(theirs[0]["dst"], "fd01::/64");
        assert_eq!(theirs[0]["gateway"], "fd00::1");
        assert_eq!(theirs[0]["protocol"], "76");
        assert_eq!(theirs[0]["metric"], 50);
        let f = RouteFilter::new().family(Family::Inet6).table(100);
        let ours = route::list_filtered(&sock, &f).unwrap();
        assert_eq!(ours.len(), 1);
        let want = spec.build(Some(v0)).unwrap();
        assert_eq!(
            (ours[0].destination(), ours[0].gateway, ours[0].oif),
            (want.destination(), want.gateway, want.oif)
        );

        route::add_default(&sock, "10.0.0.1", RouteOptions::default()).unwrap();
        route::add_default(&sock, "fd00::1", RouteOptions::new().metric(10)).unwrap();
        let d4 = json(&ns.ip_json(&["route", "show", "default"]));
        assert_eq!((d4.len(), &d4[0]["gateway"]), (1, &Value::from("10.0.0.1")));
        let d6 = json(&ns.ip_json(&["-6", "route", "show", "default"]));
        assert_eq!(
            (d6.len(), &d6[0]["gateway"], &d6[0]["metric"]),
            (1, &Value::from("fd00::1"), &Value::from(10))
        );
        let defaults: Vec<Route> = route::list(&sock)
            .unwrap()
            .into_iter()
            .filter(|r| r.is_default() && r.table() == 254)
            .collect();
        assert_eq!(defaults.len(), 2, "{defaults:?}");
        assert!(
            defaults.iter().any(
                |r| r.to_string() == format!("Route<default via 10.0.0.1 dev {v0} table main>")
            )
        );

        route::delete_default(&sock, "10.0.0.1", RouteOptions::default()).unwrap();
        route::delete_default(&sock, "fd00::1", RouteOptions::default()).unwrap();
        assert!(json(&ns.ip_json(&["route", "show", "default"])).is_empty());
        assert!(json(&ns.ip_json(&["-6", "route", "show", "default"])).is_empty());
        route::delete(&sock, &RouteSpec::new("fd01::/64").table(100)).unwrap();
        assert!(json(&ns.ip_json(&["-6", "route", "show", "table", "100"])).is_empty());
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn blackhole_unreachable_prohibit_and_big_tables() {
        let ns = TestNs::new();
        setup(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let kinds = [
            ("10.61.0.0/16", RouteType::Blackhole, "blackhole"),
            ("10.62.0.0/16", RouteType::Unreachable, "unreachable"),
            ("10.63.0.0/16", RouteType::Prohibit, "prohibit"),
            ("fd61::/64", RouteType::Blackhole, "blackhole"),
            ("fd62::/64", RouteType::Unreachable, "unreachable"),
            ("fd63::/64", RouteType::Prohibit, "prohibit"),
        ];
        for (dst, t, _) in kinds {
            route::add(&sock, &RouteSpec::new(dst).route_type(t).table(1000)).unwrap();
        }
        route::add(
            &sock,
            &RouteSpec::new("10.64.0.0/16")
                .route_type(RouteType::Blackhole)
                .table(4_000_000_000),
        )
        .unwrap();
        let mut theirs = json(&ns.ip_json(&["route", "show", "table", "1000"]));
        theirs.extend(json(&ns.ip_json(&["-6", "route", "show", "table", "1000"])));
        for (dst, _, name) in kinds {
            let t = theirs
                .iter()
                .find(|r| r["dst"] == dst)
                .unwrap_or_else(|| panic!("{dst} missing: {theirs:?}"));
            assert_eq!(t["type"], name);
        }
        let big = json(&ns.ip_json(&["route", "show", "table", "4000000000"]));
        assert_eq!(
            (big.len(), &big[0]["dst"]),
            (1, &Value::from("10.64.0.0/16"))
        );

        let ours = route::list_filtered(&sock, &RouteFilter::new().table(1000)).unwrap();
        assert_eq!(ours.len(), 6, "{ours:?}");
        for (dst, t, name) in kinds {
            let r = ours
                .iter()
                .find(|r| r.destination() == Some(dst.into_cidr().unwrap()))
                .unwrap();
            assert_eq!((r.route_type, r.table()), (t, 1000));
            assert!(
                r.to_string().starts_with(&format!("Route<{name} {dst}")),
                "{r}"
            );
        }
        let big = route::list_filtered(&sock, &RouteFilter::new().table(4_000_000_000)).unwrap();
        assert_eq!(big.len(), 1);
        assert_eq!(
            (big[0].header_table, big[0].table()),
            (route::RT_TABLE_COMPAT, 4_000_000_000)
        );
        route::delete(&sock, &RouteSpec::new("10.64.0.0/16").table(4_000_000_000)).unwrap();
        assert!(json(&ns.ip_json(&["route", "show", "table", "4000000000"])).is_empty());
        // A delete narrowed to another type leaves the route alone.
        let e = route::delete(
            &sock,
            &RouteSpec::new("10.61.0.0/16")
                .table(1000)
                .route_type(RouteType::Prohibit),
        )
        .unwrap_err();
        assert_eq!(errno(&e), Some(Errno::ESRCH));
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn family_mismatch_is_reported_before_anything_is_sent() {
        let ns = TestNs::new();
        setup(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let before = route::list(&sock).unwrap();
        // "nope0" does not exist: were anything sent (even the name lookup), this would be
        // ENODEV; the family mismatch comes first.
        for spec in [
            RouteSpec::new("10.1.0.0/16").via("fd00::1").dev("nope0"),
            RouteSpec::new("fd01::/64").via("10.0.0.1").dev("nope0"),
            RouteSpec::new("10.1.0.0/16")
                .via("10.0.0.1")
                .prefsrc("fd00::2")
                .dev("nope0"),
        ] {
            for r in [
                route::add(&sock, &spec),
                route::replace(&sock, &spec),
                route::delete(&sock, &spec),
            ] {
                assert!(matches!(r, Err(Error::FamilyMismatch(_))), "{spec}: {r:?}");
            }
        }
        assert_eq!(route::list(&sock).unwrap(), before);
        // With the families right, the missing device is the error, in the spec's words.
        let e = route::add(
            &sock,
            &RouteSpec::new("10.1.0.0/16").via("10.0.0.1").dev("nope0"),
        )
        .unwrap_err();
        assert_eq!(errno(&e), Some(Errno::ENODEV));
        assert!(e.to_string().contains("no such interface \"nope0\""), "{e}");
    }

    /// 300 routes over tables 100/101, protocols 76/77, oif v0/v1.
    fn seed(ns: &TestNs) {
        let mut s = String::new();
        for i in 0..300u32 {
            let (dev, gw) = if i % 2 == 0 {
                ("v0", "10.0.0.1")
            } else {
                ("v1", "10.0.1.1")
            };
            s.push_str(&format!(
                "route add 10.{}.{}.0/24 via {gw} dev {dev} table {} proto {}\n",
                100 + i / 256,
                i % 256,
                100 + i % 3 / 2,
                76 + i % 5 / 4,
            ));
        }
        ns.ip_batch(&s);
    }

    fn raw_count(sock: &linx_netlink_sys::Socket, f: &RouteFilter, oif: Option<u32>) -> usize {
        let req = route::dump_request(f, oif).unwrap();
        linx_netlink_codec::Call::new(req, linx_netlink_codec::engine::RawMessages)
            .collect(sock)
            .unwrap()
            .items
            .len()
    }

    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn filtered_dumps_are_filtered_by_the_kernel_and_match_ip() {
        let ns = TestNs::new();
        let v0 = setup(&ns);
        seed(&ns);
        let sock = linx_rtnl::open(ns.netns()).unwrap();
        let count = |args: &[&str]| json(&ns.ip_json(args)).len();

        let by_table = RouteFilter::new().family(Family::Inet).table(100);
        let ours = route::list_filtered(&sock, &by_table).unwrap();
        assert_eq!(ours.len(), count(&["route", "show", "table", "100"]));
        assert!(ours.len() >= 100 && ours.iter().all(|r| r.table() == 100));
        // The kernel did the filtering: it sent only these messages.
        assert_eq!(raw_count(&sock, &by_table, None), ours.len());

        let by_proto = RouteFilter::new().protocol(77);
        let ours = route::list_filtered(&sock, &by_proto).unwrap();
        assert_eq!(
            ours.len(),
            count(&["route", "show", "table", "all", "proto", "77"])
        );
        assert!(!ours.is_empty() && ours.iter().all(|r| r.protocol == Protocol(77)));
        assert_eq!(raw_count(&sock, &by_proto, None), ours.len());

        let by_oif = RouteFilter::new().family(Family::Inet).dev("v0");
        let ours = route::list_filtered(&sock, &by_oif).unwrap();
        assert_eq!(
            ours.len(),
            count(&["-4", "route", "show", "table", "all", "dev", "v0"])
        );
        assert!(ours.iter().all(|r| r.oif == Some(v0)));
        assert_eq!(raw_count(&sock, &by_oif, Some(v0)), ours.len());

        let all3 = RouteFilter::new()
            .family(Family::Inet)
            .table(101)
            .protocol(76)
            .dev(LinkRef::Index(v0));
        let ours = route::list_filtered(&sock, &all3).unwrap();
        assert_eq!(
            ours.len(),
            count(&["route", "show", "table", "101", "proto", "76", "dev", "v0"])
        );
        assert!(!ours.is_empty());

        // Everything: ours equals ip's IPv4 + IPv6 views of all tables.
        let total = route::list(&sock).unwrap().len();
        assert_eq!(
            total,
            count(&["-4", "route", "show", "table", "all"])
                + count(&["-6", "route", "show", "table", "all"])
        );
        // An absent table has no routes (the kernel says ENOENT for a one-family dump).
        assert!(
            route::list_filtered(&sock, &RouteFilter::new().family(Family::Inet).table(555))
                .unwrap()
                .is_empty()
        );
        assert!(
            route::list_filtered(&sock, &RouteFilter::new().table(555))
                .unwrap()
                .is_empty()
        );
        // An unknown device name is the lookup's ENODEV.
        let e = route::list_filtered(&sock, &RouteFilter::new().dev("nope0")).unwrap_err();
        assert_eq!(errno(&e), Some(Errno::ENODEV));
    }

    #[cfg(feature = "tokio")]
    #[test]
    #[ignore = "kernel test: run with cargo xtask test"]
    fn verbs_run_on_the_tokio_flavour() {
        let ns = TestNs::new();
        let v0 = setup(&ns);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _g = rt.enter();
        let sock = linx_rtnl::open_async(ns.netns()).unwrap();
        fn is_send<T: Send>(t: T) -> T {
            t
        }
        rt.block_on(async {
            let spec = RouteSpec::new("10.1.0.0/16")
                .via("10.0.0.1")
                .dev("v0")
                .table(100)
                .protocol(76)
                .metric(50);
            is_send(route::add(&sock, &spec)).await.unwrap();
            let e = route::add(&sock, &spec).await.unwrap_err();
            assert_eq!(e.errno(), Some(Errno::EEXIST));
            let got = is_send(route::list_filtered(&sock, &RouteFilter::new().table(100)))
                .await
                .unwrap();
            assert_eq!(got, [spec.build(Some(v0)).unwrap()]);
            route::replace(
                &sock,
                &RouteSpec::new("10.1.0.0/16")
                    .via("10.0.0.9")
                    .table(100)
                    .protocol(76)
                    .metric(50),
            )
            .await
            .unwrap();
            let r = is_send(route::get(&sock, "10.1.2.3")).await;
            assert_eq!(r.unwrap_err().errno(), Some(Errno::ENETUNREACH)); // table 100 has no rule
            route::add_default(&sock, "10.0.0.1", RouteOptions::default())
                .await
                .unwrap();
            assert_eq!(
                route::get(&sock, "10.1.2.3").await.unwrap().gateway,
                Some(ip!("10.0.0.1"))
            );
            assert!(!route::list(&sock).await.unwrap().is_empty());
            route::delete(&sock, &RouteSpec::new("10.1.0.0/16").table(100))
                .await
                .unwrap();
            route::delete_default(&sock, "10.0.0.1", RouteOptions::default())
                .await
                .unwrap();
        });
        assert!(json(&ns.ip_json(&["route", "show", "table", "100"])).is_empty());
        let theirs = json(&ns.ip_json(&["route", "show", "default"]));
        assert!(theirs.is_empty(), "{theirs:?}");
    }
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn add_many_pipelines_and_reports_each_route() {
    use linx_rtnl::route::{self, RouteSpec};
    let ns = linx_testns::TestNs::new();
    let sock = linx_rtnl::open(ns.netns()).unwrap();
    ns.ip(&["link", "add", "ve0", "type", "veth", "peer", "name", "ve1"]);
    ns.ip(&["link", "set", "ve0", "up"]);
    ns.ip(&["link", "set", "ve1", "up"]);
    ns.ip(&["addr", "add", "192.0.2.1/24", "dev", "ve0"]);
    let mut specs: Vec<RouteSpec> = (0..1000u32)
        .map(|i| {
            let dst = format!(
                "10.{}.{}.{}/28",
                (i >> 12) & 255,
                (i >> 4) & 255,
                (i & 15) << 4
            );
            RouteSpec::new(dst.as_str())
                .via("192.0.2.2")
                .dev("ve0")
                .table(100)
                .protocol(76)
        })
        .collect();
    specs.insert(500, specs[10].clone()); // a duplicate: EEXIST at index 500 only
    let res = route::add_many(&sock, &specs).unwrap();
    assert_eq!(res.len(), 1001);
    for (i, r) in res.iter().enumerate() {
        if i == 500 {
            assert_eq!(
                r.refusal().unwrap().errno(),
                Some(linx_netlink_codec::Errno::EEXIST)
            );
        } else {
            assert!(r.is_applied(), "route {i}: {r:?}");
        }
    }
    let v: serde_json::Value =
        serde_json::from_str(&ns.ip_json(&["route", "show", "table", "100", "proto", "76"]))
            .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1000);
    // input errors are caught before anything is sent
    let bad = vec![RouteSpec::new("10.200.0.0/24").via("2001:db8::1")];
    assert!(route::add_many(&sock, &bad).is_err());
}
