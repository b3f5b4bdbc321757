//! `linx_rtnl::addr`: golden request bytes (cross-checked with iproute2), replies captured
//! from a real kernel, property tests of the decoder, and kernel tests in throwaway
//! namespaces (ignored for a bare `cargo test`; `cargo xtask test` runs them).

use linx_ip::{Ip, IpError, Subnet};
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    DecodeErrorKind, Errno, MsgView, RawAttrs, Request, WireOrder, engine::RawMessages,
};
use linx_rtnl::Error;
use linx_rtnl::addr::{
    self, AddrFlags, AddrOptions, AddrScope, Address, CacheInfo, add_request, delete_request,
    list_call, list_link_call, replace_request,
};
use linx_testns::TestNs;
use proptest::prelude::*;
use serde_json::Value;

/// The bytes a request puts on the wire, with sequence number 1 (`ack`: as the verbs send
/// it, with `NLM_F_ACK` added by the driver).
fn wire(req: Request, ack: bool) -> Vec<u8> {
    let req = if ack { req.with_ack() } else { req };
    let mut b = Vec::new();
    req.encode(1, &mut b).unwrap();
    b
}

fn subnet(s: &str) -> Subnet {
    s.parse().unwrap()
}

fn ip(s: &str) -> Ip {
    s.parse().unwrap()
}

// =============================================================================== golden requests
//
// Every array below is what iproute2 6.1 sent for the command in its comment, captured on
// kernel 6.18 with `strace -e trace=sendmsg -e write=3 ip ...` in a namespace where `t0` has
// index 3. Only the sequence number (bytes 8..12) was changed to 1; the port id is 0 in both.
// Layout: nlmsghdr {len u32, type u16, flags u16, seq u32, pid u32} (16 bytes), then
// ifaddrmsg {family u8, prefixlen u8, flags u8, scope u8, index u32} (8 bytes), then
// attributes {len u16, type u16, payload, pad to 4}; all host order (little-endian here).

#[cfg(target_endian = "little")]
mod golden {
    use super::*;

    /// `ip addr add 10.0.0.1/24 dev t0`
    const IP_ADDR_ADD_V4: [u8; 40] = [
        0x28, 0x00, 0x00, 0x00, // nlmsg_len 40
        0x14, 0x00, // RTM_NEWADDR (20)
        0x05, 0x06, // NLM_F_REQUEST|NLM_F_ACK (0x5) | NLM_F_EXCL|NLM_F_CREATE (0x600)
        0x01, 0x00, 0x00, 0x00, // seq 1
        0x00, 0x00, 0x00, 0x00, // pid 0
        0x02, 0x18, 0x00, 0x00, // AF_INET, /24, flags 0, scope universe
        0x03, 0x00, 0x00, 0x00, // ifa_index 3
        0x08, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x01, // IFA_LOCAL 10.0.0.1
        0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x01, // IFA_ADDRESS 10.0.0.1
    ];

    /// `ip addr add fd00::1/64 dev t0 nodad`
    const IP_ADDR_ADD_V6_NODAD: [u8; 64] = [
        0x40, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05,
        0x06, // len 64, RTM_NEWADDR, REQ|ACK|EXCL|CREATE
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
        0x0a, 0x40, 0x02, 0x00, // AF_INET6, /64, IFA_F_NODAD in the header byte, universe
        0x03, 0x00, 0x00, 0x00, // index 3
        0x14, 0x00, 0x02, 0x00, // IFA_LOCAL, 16 bytes:
        0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, // fd00::1
        0x14, 0x00, 0x01, 0x00, // IFA_ADDRESS, 16 bytes:
        0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, // fd00::1
    ];

    /// `ip addr replace 10.0.0.1/24 dev t0 valid_lft 100 preferred_lft 50`
    const IP_ADDR_REPLACE_LIFETIMES: [u8; 60] = [
        0x3c, 0x00, 0x00, 0x00, 0x14, 0x00, // len 60, RTM_NEWADDR
        0x05, 0x05, // REQUEST|ACK (0x5) | REPLACE|CREATE (0x500)
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
        0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // AF_INET /24, index 3
        0x08, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x01, // IFA_LOCAL 10.0.0.1
        0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x01, // IFA_ADDRESS 10.0.0.1
        0x14, 0x00, 0x06, 0x00, // IFA_CACHEINFO, 16 bytes:
        0x32, 0x00, 0x00, 0x00, // ifa_prefered 50
        0x64, 0x00, 0x00, 0x00, // ifa_valid 100
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // cstamp, tstamp 0
    ];

    /// `ip addr add 10.0.0.2/24 dev t0 label t0:1 broadcast 10.0.0.255 noprefixroute`
    const IP_ADDR_ADD_LABEL_BRD_NOPREFIXROUTE: [u8; 68] = [
        0x44, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05,
        0x06, // len 68, RTM_NEWADDR, REQ|ACK|EXCL|CREATE
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
        0x02, 0x18, 0x00, 0x00, // AF_INET /24, header flags 0 (0x200 does not fit a byte)
        0x03, 0x00, 0x00, 0x00, // index 3
        0x08, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x02, // IFA_LOCAL 10.0.0.2
        0x09, 0x00, 0x03, 0x00, b't', b'0', b':', b'1', 0x00, 0x00, 0x00, 0x00, // IFA_LABEL
        0x08, 0x00, 0x04, 0x00, 0x0a, 0x00, 0x00, 0xff, // IFA_BROADCAST 10.0.0.255
        0x08, 0x00, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, // IFA_FLAGS 0x200 NOPREFIXROUTE
        0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x02, // IFA_ADDRESS 10.0.0.2
    ];

    /// `ip addr del 10.0.0.1/24 dev t0`
    const IP_ADDR_DEL_V4: [u8; 40] = [
        0x28, 0x00, 0x00, 0x00, 0x15, 0x00, 0x05, 0x00, // len 40, RTM_DELADDR (21), REQ|ACK
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
        0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // AF_INET /24, index 3
        0x08, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x01, // IFA_LOCAL 10.0.0.1
        0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x01, // IFA_ADDRESS 10.0.0.1
    ];

    /// `ip addr del fd00::1/64 dev t0`
    const IP_ADDR_DEL_V6: [u8; 64] = [
        0x40, 0x00, 0x00, 0x00, 0x15, 0x00, 0x05, 0x00, // len 64, RTM_DELADDR, REQ|ACK
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
        0x0a, 0x40, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // AF_INET6 /64, index 3
        0x14, 0x00, 0x02, 0x00, // IFA_LOCAL fd00::1
        0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, //
        0x14, 0x00, 0x01, 0x00, // IFA_ADDRESS fd00::1
        0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01,
    ];

    /// `ip addr show dev t0` (the first message of iproute2's `sendto`; its ifaddrmsg names
    /// the link, which a strict-checking kernel filters on).
    const IP_ADDR_SHOW_DEV: [u8; 24] = [
        0x18, 0x00, 0x00, 0x00, 0x16, 0x00, // len 24, RTM_GETADDR (22)
        0x01, 0x03, // NLM_F_REQUEST | NLM_F_DUMP (0x300)
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
        0x00, 0x00, 0x00, 0x00, // AF_UNSPEC, prefixlen/flags/scope 0 (strict check wants 0)
        0x03, 0x00, 0x00, 0x00, // ifa_index 3
    ];

    #[test]
    fn add_v4_is_iproute2s_request() {
        let req = add_request(3, subnet("10.0.0.1/24"), &AddrOptions::new()).unwrap();
        assert_eq!(wire(req, true), IP_ADDR_ADD_V4);
    }

    #[test]
    fn add_v6_nodad_is_iproute2s_request() {
        let opts = AddrOptions::new().flags(AddrFlags::NODAD);
        let req = add_request(3, subnet("fd00::1/64"), &opts).unwrap();
        assert_eq!(wire(req, true), IP_ADDR_ADD_V6_NODAD);
    }

    #[test]
    fn replace_with_lifetimes_is_iproute2s_request() {
        let opts = AddrOptions::new().lifetimes(100, 50);
        let req = replace_request(3, subnet("10.0.0.1/24"), &opts).unwrap();
        assert_eq!(wire(req, true), IP_ADDR_REPLACE_LIFETIMES);
    }

    #[test]
    fn add_with_label_broadcast_and_large_flags_is_iproute2s_request() {
        let opts = AddrOptions::new()
            .label("t0:1")
            .broadcast("10.0.0.255")
            .flags(AddrFlags::NOPREFIXROUTE);
        opts.validate("t0", &subnet("10.0.0.2/24")).unwrap();
        let req = add_request(3, subnet("10.0.0.2/24"), &opts).unwrap();
        assert_eq!(wire(req, true), IP_ADDR_ADD_LABEL_BRD_NOPREFIXROUTE);
    }

    #[test]
    fn delete_v4_is_iproute2s_request() {
        let req = delete_request(3, subnet("10.0.0.1/24")).unwrap();
        assert_eq!(wire(req, true), IP_ADDR_DEL_V4);
    }

    #[test]
    fn delete_v6_is_iproute2s_request() {
        let req = delete_request(3, subnet("fd00::1/64")).unwrap();
        assert_eq!(wire(req, true), IP_ADDR_DEL_V6);
    }

    #[test]
    fn list_link_dump_is_iproute2s_request() {
        assert_eq!(wire(list_link_call(3).request, false), IP_ADDR_SHOW_DEV);
    }

    #[test]
    fn list_dump_is_an_all_zero_ifaddrmsg() {
        // Same as above with ifa_index 0: every link, both families.
        let mut want = IP_ADDR_SHOW_DEV;
        want[20] = 0;
        assert_eq!(wire(list_call().request, false), want);
    }

    #[test]
    fn scope_and_small_flags_ride_the_header() {
        // Not an iproute2 capture: derived from the layout above. Scope link (253) is byte
        // 19, HOMEADDRESS|NODAD (0x12) fit the header flag byte (18), so no IFA_FLAGS.
        let opts = AddrOptions::new()
            .scope(AddrScope::Link)
            .flags(AddrFlags::HOMEADDRESS | AddrFlags::NODAD);
        let b = wire(add_request(3, subnet("10.0.0.1/24"), &opts).unwrap(), true);
        assert_eq!(&b[16..20], &[0x02, 0x18, 0x12, 0xfd]);
        assert_eq!(b.len(), 40);
        // Flags above 0xff: all of them in IFA_FLAGS (u32), header byte 0 (iproute2's rule).
        let opts = AddrOptions::new().flags(AddrFlags::NODAD | AddrFlags::MANAGETEMPADDR);
        let b = wire(add_request(3, subnet("fd00::1/64"), &opts).unwrap(), true);
        assert_eq!(b[18], 0);
        assert_eq!(
            &b[44..52],
            &[0x08, 0x00, 0x08, 0x00, 0x02, 0x01, 0x00, 0x00]
        );
    }

    #[test]
    fn lifetime_defaults_are_filled_in() {
        // Only valid set: preferred = valid. Only preferred set: valid = forever.
        let b = wire(
            add_request(
                3,
                subnet("10.0.0.1/24"),
                &AddrOptions::new().valid_lifetime(600),
            )
            .unwrap(),
            true,
        );
        assert_eq!(
            &b[40..52],
            &[0x14, 0, 0x06, 0, 0x58, 0x02, 0, 0, 0x58, 0x02, 0, 0]
        );
        let b = wire(
            add_request(
                3,
                subnet("10.0.0.1/24"),
                &AddrOptions::new().preferred_lifetime(60),
            )
            .unwrap(),
            true,
        );
        assert_eq!(
            &b[40..52],
            &[0x14, 0, 0x06, 0, 0x3c, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]
        );
    }
}

// =============================================================================== option checks

#[test]
fn options_are_checked_before_building() {
    let v4 = subnet("10.0.0.1/24");
    let v6 = subnet("fd00::1/64");
    let bad = |opts: AddrOptions, s: Subnet| add_request(3, s, &opts).unwrap_err();
    assert!(matches!(
        bad(AddrOptions::new().lifetimes(10, 20), v4),
        Error::BadOption {
            name: "preferred lifetime",
            ..
        }
    ));
    assert!(matches!(
        bad(AddrOptions::new().valid_lifetime(0), v4),
        Error::BadOption {
            name: "valid lifetime",
            ..
        }
    ));
    assert!(matches!(
        bad(AddrOptions::new().broadcast("fd00::ff"), v4),
        Error::FamilyMismatch(_)
    ));
    assert!(matches!(
        bad(AddrOptions::new().broadcast("fd00::ff"), v6),
        Error::BadOption {
            name: "broadcast",
            ..
        }
    ));
    assert!(matches!(
        bad(AddrOptions::new().broadcast("10.0.0"), v4),
        Error::Ip(IpError::BadAddress(_))
    ));
    assert!(matches!(
        bad(AddrOptions::new().label("t0:1"), v6),
        Error::BadOption { name: "label", .. }
    ));
    assert!(matches!(
        bad(AddrOptions::new().label("t0:0123456789abc"), v4),
        Error::BadOption { name: "label", .. }
    ));
    assert!(matches!(
        bad(AddrOptions::new().label(""), v4),
        Error::BadOption { name: "label", .. }
    ));
    // The link-name rule needs the name: only validate() sees it.
    let opts = AddrOptions::new().label("eth0:1");
    assert!(add_request(3, v4, &opts).is_ok());
    assert!(opts.validate("eth0", &v4).is_ok());
    let e = opts.validate("t0", &v4).unwrap_err();
    assert_eq!(
        e.to_string(),
        "bad label: \"eth0:1\" (must start with the link name \"t0\")"
    );
}

// =============================================================================== captured replies
//
// RTM_NEWADDR messages (nlmsghdr included) as Linux 6.18 sent them in reply to an
// RTM_GETADDR dump (AF_UNSPEC), in a namespace set up with:
//   ip link set lo up
//   ip link add t0 type veth peer name t1; ip link set t0 up
//   ip addr add 10.0.0.1/24 dev t0 label t0:web broadcast 10.0.0.255 valid_lft 300 preferred_lft 200
//   ip addr add fd00::1/64 dev t0 nodad noprefixroute
// printed once with `blocking::collect(.., engine::RawMessages)`.

/// 127.0.0.1/8 on lo.
const KERNEL_LO_V4: [u8; 76] = [
    0x4c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0xad, 0x15, 0x00, 0x00,
    0x02, 0x08, 0x80, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x7f, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x02, 0x00, 0x7f, 0x00, 0x00, 0x01, 0x07, 0x00, 0x03, 0x00, 0x6c, 0x6f, 0x00, 0x00,
    0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0x24, 0xca, 0x02, 0x00, 0x24, 0xca, 0x02, 0x00,
];

/// 10.0.0.1/24 on t0 with label, broadcast and finite lifetimes.
const KERNEL_T0_V4: [u8; 88] = [
    0x58, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0xad, 0x15, 0x00, 0x00,
    0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x08, 0x00, 0x04, 0x00, 0x0a, 0x00, 0x00, 0xff,
    0x0b, 0x00, 0x03, 0x00, 0x74, 0x30, 0x3a, 0x77, 0x65, 0x62, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0xc8, 0x00, 0x00, 0x00, 0x2c, 0x01, 0x00, 0x00,
    0x24, 0xca, 0x02, 0x00, 0x24, 0xca, 0x02, 0x00,
];

/// ::1/128 on lo (with IFA_PROTO 1, IFAPROT_KERNEL_LO, last: the IPv6 order).
const KERNEL_LO_V6: [u8; 80] = [
    0x50, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0xad, 0x15, 0x00, 0x00,
    0x0a, 0x80, 0x80, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x14, 0x00, 0x06, 0x00,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x24, 0xca, 0x02, 0x00, 0x24, 0xca, 0x02, 0x00,
    0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, 0x05, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x00, 0x00,
];

/// fd00::1/64 on t0, nodad + noprefixroute (IFA_FLAGS 0x282, header byte 0x82).
const KERNEL_T0_V6: [u8; 72] = [
    0x48, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0xad, 0x15, 0x00, 0x00,
    0x0a, 0x40, 0x82, 0x00, 0x03, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0xfd, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x14, 0x00, 0x06, 0x00,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x24, 0xca, 0x02, 0x00, 0x24, 0xca, 0x02, 0x00,
    0x08, 0x00, 0x08, 0x00, 0x82, 0x02, 0x00, 0x00,
];

const KERNEL_ALL: [&[u8]; 4] = [&KERNEL_LO_V4, &KERNEL_T0_V4, &KERNEL_LO_V6, &KERNEL_T0_V6];

fn decode(msg: &[u8]) -> Address {
    let m = MsgView::new_checked(msg).unwrap();
    assert_eq!(m.kind(), RTM_NEWADDR);
    Address::from_msg(&m).unwrap()
}

#[cfg(target_endian = "little")]
#[test]
fn kernel_replies_decode_to_these_values() {
    let forever = |cstamp| CacheInfo {
        preferred: u32::MAX,
        valid: u32::MAX,
        cstamp,
        tstamp: cstamp,
        rest: vec![],
    };
    assert_eq!(
        decode(&KERNEL_LO_V4),
        Address {
            family: AF_INET,
            prefix_len: 8,
            header_flags: 0x80,
            scope: AddrScope::Host,
            index: 1,
            address: Some(ip("127.0.0.1")),
            local: Some(ip("127.0.0.1")),
            label: Some("lo".into()),
            ifa_flags: Some(AddrFlags::PERMANENT),
            cacheinfo: Some(forever(0x2ca24)),
            ..Default::default()
        }
    );
    assert_eq!(
        decode(&KERNEL_T0_V4),
        Address {
            family: AF_INET,
            prefix_len: 24,
            index: 3,
            address: Some(ip("10.0.0.1")),
            local: Some(ip("10.0.0.1")),
            broadcast: Some(ip("10.0.0.255")),
            label: Some("t0:web".into()),
            ifa_flags: Some(AddrFlags::empty()),
            cacheinfo: Some(CacheInfo {
                preferred: 200,
                valid: 300,
                ..forever(0x2ca24)
            }),
            ..Default::default()
        }
    );
    assert_eq!(
        decode(&KERNEL_LO_V6),
        Address {
            family: AF_INET6,
            prefix_len: 128,
            header_flags: 0x80,
            scope: AddrScope::Host,
            index: 1,
            address: Some(ip("::1")),
            proto: Some(1),
            ifa_flags: Some(AddrFlags::PERMANENT),
            cacheinfo: Some(forever(0x2ca24)),
            ..Default::default()
        }
    );
    let t0v6 = decode(&KERNEL_T0_V6);
    assert_eq!(
        t0v6,
        Address {
            family: AF_INET6,
            prefix_len: 64,
            header_flags: 0x82,
            index: 3,
            address: Some(ip("fd00::1")),
            ifa_flags: Some(AddrFlags::NODAD | AddrFlags::PERMANENT | AddrFlags::NOPREFIXROUTE),
            cacheinfo: Some(forever(0x2ca24)),
            ..Default::default()
        }
    );
    assert!(t0v6.flags().contains(AddrFlags::NOPREFIXROUTE));
    assert_eq!(t0v6.subnet(), Some(subnet("fd00::1/64")));
}

#[test]
fn kernel_replies_re_emit_byte_for_byte() {
    for msg in KERNEL_ALL {
        let a = decode(msg);
        let mut out = Vec::new();
        a.emit(&mut out).unwrap();
        assert_eq!(out, &msg[16..], "{a:#?}");
        assert_eq!(a.buffer_len(), msg.len() - 16);
    }
}

#[test]
fn display_and_debug_read_like_ip() {
    let shown: Vec<String> = KERNEL_ALL.iter().map(|m| decode(m).to_string()).collect();
    assert_eq!(
        shown,
        [
            "Address<127.0.0.1/8 dev 1 scope host permanent>",
            "Address<10.0.0.1/24 dev 3>",
            "Address<::1/128 dev 1 scope host permanent>",
            "Address<fd00::1/64 dev 3 nodad permanent noprefixroute>",
        ]
    );
    let a = decode(&KERNEL_T0_V4);
    assert_eq!(format!("{a:?}"), a.to_string());
    let full = format!("{a:#?}");
    assert!(full.contains("label: Some(\n        \"t0:web\""), "{full}");
    assert!(full.contains("broadcast"), "{full}");
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    // Header shorter than ifaddrmsg.
    let e = Address::parse(&[2, 24, 0]).unwrap_err();
    assert!(matches!(
        e.kind,
        DecodeErrorKind::Truncated { need: 8, got: 3 }
    ));
    // An attribute length below the attribute header (3 < 4), at payload offset 8.
    let e = Address::parse(&[2, 24, 0, 0, 1, 0, 0, 0, 3, 0, 1, 0]).unwrap_err();
    assert!(matches!(e.kind, DecodeErrorKind::BadLength { len: 3, .. }));
    assert_eq!(e.offset, 8);
    // An attribute running past the end.
    let e = Address::parse(&[2, 24, 0, 0, 1, 0, 0, 0, 12, 0, 1, 0, 10, 0, 0, 1]).unwrap_err();
    assert!(matches!(e.kind, DecodeErrorKind::BadLength { len: 12, .. }));
    // IFA_LOCAL of 3 bytes in an AF_INET message: located inside attribute 2.
    let e = Address::parse(&[2, 24, 0, 0, 1, 0, 0, 0, 7, 0, 2, 0, 10, 0, 0, 0]).unwrap_err();
    assert!(matches!(
        e.kind,
        DecodeErrorKind::BadSize {
            expected: 4,
            got: 3
        }
    ));
    assert_eq!(e.path.as_slice(), &[addr::IFA_LOCAL]);
    assert_eq!(e.offset, 12);
    // IFA_CACHEINFO shorter than the struct.
    let mut p = vec![2, 24, 0, 0, 1, 0, 0, 0, 16, 0, 6, 0];
    p.extend_from_slice(&[0; 12]);
    let e = Address::parse(&p).unwrap_err();
    assert!(matches!(
        e.kind,
        DecodeErrorKind::Truncated { need: 16, got: 12 }
    ));
    assert_eq!(e.path.as_slice(), &[addr::IFA_CACHEINFO]);
}

#[test]
fn odd_but_legal_input_is_kept_losslessly() {
    let mut p = vec![2, 24, 0, 0, 1, 0, 0, 0];
    // A label that is not UTF-8, a longer IFA_CACHEINFO (20 bytes), a duplicate IFA_LOCAL,
    // IFA_ADDRESS with NLA_F_NET_BYTEORDER, and an unknown attribute 200.
    p.extend_from_slice(&[7, 0, 3, 0, 0xff, 0xfe, 0]);
    p.push(0);
    p.extend_from_slice(&[24, 0, 6, 0]);
    p.extend_from_slice(&[1; 20]);
    p.extend_from_slice(&[8, 0, 2, 0, 10, 0, 0, 1]);
    p.extend_from_slice(&[8, 0, 2, 0, 10, 0, 0, 2]);
    p.extend_from_slice(&[8, 0, 1, 0x40, 10, 0, 0, 3]);
    p.extend_from_slice(&[5, 0, 200, 0, 9, 0, 0, 0]);
    let a = Address::parse(&p).unwrap();
    assert_eq!(a.label, None);
    assert_eq!(a.cacheinfo.as_ref().unwrap().rest, [1, 1, 1, 1]);
    assert_eq!(a.local, Some(ip("10.0.0.1")));
    assert_eq!(a.address, None);
    let kept: Vec<u16> = a.other.iter().map(|r| r.unwrap().raw_type()).collect();
    assert_eq!(kept, [3, 2, 0x4001, 200]);
    let again = Address::parse(&emit(&a)).unwrap();
    assert_eq!(again, a);
    // Another family: nothing typed, everything raw and in order.
    let mut q = vec![17, 0, 0, 0, 1, 0, 0, 0];
    q.extend_from_slice(&[5, 0, 2, 0, 7, 0, 0, 0, 8, 0, 1, 0, 1, 2, 3, 4]);
    let a = Address::parse(&q).unwrap();
    assert_eq!((a.local, a.address), (None, None));
    assert_eq!(emit(&a), q);
}

fn emit(a: &Address) -> Vec<u8> {
    let mut b = Vec::new();
    a.emit(&mut b).unwrap();
    b
}

// =============================================================================== proptest

fn raw_attrs(allowed: fn(u16) -> bool) -> impl Strategy<Value = RawAttrs> {
    prop::collection::vec(
        (
            any::<u16>().prop_filter("modelled type", move |t| allowed(*t)),
            prop::collection::vec(any::<u8>(), 0..24),
        ),
        0..4,
    )
    .prop_map(|v| {
        let mut r = RawAttrs::default();
        for (t, p) in v {
            r.push_raw(t, &p).unwrap();
        }
        r
    })
}

fn unmodelled(t: u16) -> bool {
    !matches!(t, 1..=9 | 11)
}

fn ip_of(family: u8) -> BoxedStrategy<Ip> {
    if family == AF_INET {
        any::<[u8; 4]>().prop_map(Ip::V4).boxed()
    } else {
        any::<[u8; 16]>().prop_map(Ip::V6).boxed()
    }
}

fn cacheinfo() -> impl Strategy<Value = CacheInfo> {
    (any::<[u32; 4]>(), prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(v, rest)| CacheInfo {
        preferred: v[0],
        valid: v[1],
        cstamp: v[2],
        tstamp: v[3],
        rest,
    })
}

fn inet_address() -> impl Strategy<Value = Address> {
    prop_oneof![Just(AF_INET), Just(AF_INET6)].prop_flat_map(|family| {
        let ip = ip_of(family);
        (
            (any::<u8>(), any::<u8>(), any::<u8>(), any::<u32>()),
            prop::array::uniform5(prop::option::of(ip)),
            (
                prop::option::of("[^\0]{0,15}"),
                prop::option::of(any::<u8>()),
                prop::option::of(any::<u32>()),
                prop::option::of(any::<u32>()),
                prop::option::of(cacheinfo()),
            ),
            raw_attrs(unmodelled),
        )
            .prop_map(
                move |((prefix_len, header_flags, scope, index), ips, rest, other)| {
                    let (label, proto, flags, rt_priority, cacheinfo) = rest;
                    Address {
                        family,
                        prefix_len,
                        header_flags,
                        scope: scope.into(),
                        index,
                        address: ips[0],
                        local: ips[1],
                        broadcast: ips[2],
                        anycast: ips[3],
                        multicast: ips[4],
                        label,
                        proto,
                        ifa_flags: flags.map(AddrFlags::from_bits),
                        rt_priority,
                        cacheinfo,
                        other,
                        wire_order: WireOrder::default(),
                    }
                },
            )
    })
}

fn other_family_address() -> impl Strategy<Value = Address> {
    (
        any::<u8>().prop_filter("not inet", |f| *f != AF_INET && *f != AF_INET6),
        any::<u32>(),
        raw_attrs(|_| true),
    )
        .prop_map(|(family, index, other)| Address {
            family,
            index,
            other,
            ..Default::default()
        })
}

proptest! {
    #[test]
    fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Address::parse(&bytes);
        let _ = CacheInfo::parse(&bytes);
        if let Ok(m) = MsgView::new_checked(&bytes) {
            let _ = Address::from_msg(&m);
        }
    }

    #[test]
    fn parse_never_panics_behind_a_valid_header(
        hdr in any::<[u8; 8]>(),
        fam in prop_oneof![Just(AF_INET), Just(AF_INET6), any::<u8>()],
        attrs in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut b = hdr.to_vec();
        b[0] = fam;
        b.extend_from_slice(&attrs);
        let _ = Address::parse(&b);
    }

    #[test]
    fn parse_of_emit_is_identity(a in prop_oneof![inet_address(), other_family_address()]) {
        let bytes = emit(&a);
        prop_assert_eq!(bytes.len(), a.buffer_len());
        let back = Address::parse(&bytes).unwrap();
        prop_assert_eq!(&back, &a);
        // And the law the other way round, on generated frames.
        prop_assert_eq!(emit(&back), bytes);
    }

    #[test]
    fn requests_decode_to_what_was_asked(
        v4 in any::<[u8; 4]>(), prefix in 0u8..=32, index in 1u32..,
        flags in any::<u32>(), valid in 1u32.., scope in any::<u8>(),
    ) {
        let s = Subnet::new(Ip::V4(v4), prefix).unwrap();
        let opts = AddrOptions::new()
            .flags(AddrFlags::from_bits(flags))
            .valid_lifetime(valid)
            .scope(scope.into());
        let req = add_request(index, s, &opts).unwrap();
        let a = Address::parse(req.payload()).unwrap();
        prop_assert_eq!(a.subnet(), Some(s));
        prop_assert_eq!(a.index, index);
        prop_assert_eq!(a.flags(), AddrFlags::from_bits(flags));
        prop_assert_eq!(a.scope, AddrScope::from(scope));
        prop_assert_eq!(a.cacheinfo.map(|c| (c.valid, c.preferred)), Some((valid, valid)));
    }
}

// =============================================================================== kernel tests

/// A namespace with a veth pair `t0`/`t1`, both up, and `lo` up.
fn veth_ns() -> TestNs {
    let ns = TestNs::new();
    ns.ip_batch(
        "link set lo up\nlink add t0 type veth peer name t1\nlink set t0 up\nlink set t1 up\n",
    );
    ns
}

/// `ip -j addr show dev <dev>`'s `addr_info`, without IPv6 link-local addresses.
fn ip_addrs(ns: &TestNs, dev: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&ns.ip_json(&["addr", "show", "dev", dev])).unwrap();
    v[0]["addr_info"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a["scope"] != "link" || a["family"] == "inet")
        .collect()
}

fn ip_addr<'a>(addrs: &'a [Value], local: &str) -> Option<&'a Value> {
    addrs.iter().find(|a| a["local"] == local)
}

fn open(ns: &TestNs) -> linx_netlink_sys::Socket {
    linx_rtnl::open(ns.netns()).unwrap()
}

fn errno(e: &Error) -> Option<Errno> {
    e.errno()
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn add_v4_with_label_lifetimes_and_broadcast_shows_in_ip() {
    let ns = veth_ns();
    let sock = open(&ns);
    let opts = AddrOptions::new()
        .label("t0:web")
        .lifetimes(300, 200)
        .broadcast("10.0.0.255");
    addr::add(&sock, "t0", "10.0.0.1/24", opts).unwrap();
    let addrs = ip_addrs(&ns, "t0");
    let a = ip_addr(&addrs, "10.0.0.1").expect("address missing in ip -j addr");
    assert_eq!(a["prefixlen"], 24);
    assert_eq!(a["label"], "t0:web");
    assert_eq!(a["broadcast"], "10.0.0.255");
    assert_eq!(a["scope"], "global");
    let valid = a["valid_life_time"].as_u64().unwrap();
    let preferred = a["preferred_life_time"].as_u64().unwrap();
    assert!((295..=300).contains(&valid), "{a}");
    assert!((195..=200).contains(&preferred), "{a}");
    // And linx reads back what it wrote.
    let ours = addr::list_link(&sock, "t0").unwrap();
    let a = ours
        .iter()
        .find(|a| a.ip() == Some(ip("10.0.0.1")))
        .unwrap();
    assert_eq!(a.label.as_deref(), Some("t0:web"));
    assert_eq!(a.broadcast, Some(ip("10.0.0.255")));
    assert_eq!(a.subnet(), Some(subnet("10.0.0.1/24")));
    assert!(!a.flags().contains(AddrFlags::PERMANENT));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn add_v6_nodad_is_usable_at_once() {
    let ns = veth_ns();
    let sock = open(&ns);
    let opts = AddrOptions::new().flags(AddrFlags::NODAD);
    addr::add(&sock, "t0", ("fd00::1", 64), opts).unwrap();
    let addrs = ip_addrs(&ns, "t0");
    let a = ip_addr(&addrs, "fd00::1").expect("address missing in ip -j addr");
    assert_eq!(a["family"], "inet6");
    assert_eq!(a["prefixlen"], 64);
    assert_eq!(a["nodad"], true);
    assert!(a.get("tentative").is_none(), "{a}");
    let ours = addr::list_link(&sock, "t0").unwrap();
    let a = ours.iter().find(|a| a.ip() == Some(ip("fd00::1"))).unwrap();
    assert!(a.flags().contains(AddrFlags::NODAD | AddrFlags::PERMANENT));
    assert!(!a.flags().contains(AddrFlags::TENTATIVE));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn noprefixroute_and_scope_reach_the_kernel() {
    let ns = veth_ns();
    let sock = open(&ns);
    addr::add(
        &sock,
        "t0",
        "10.1.0.1/24",
        AddrOptions::new().flags(AddrFlags::NOPREFIXROUTE),
    )
    .unwrap();
    addr::add(
        &sock,
        "t0",
        "10.2.0.1/24",
        AddrOptions::new().scope(AddrScope::Link),
    )
    .unwrap();
    let addrs = ip_addrs(&ns, "t0");
    assert_eq!(ip_addr(&addrs, "10.1.0.1").unwrap()["noprefixroute"], true);
    assert_eq!(ip_addr(&addrs, "10.2.0.1").unwrap()["scope"], "link");
    let routes = ns.ip_json(&["route", "show", "dev", "t0"]);
    assert!(!routes.contains("10.1.0.0/24"), "{routes}");
    assert!(routes.contains("10.2.0.0/24"), "{routes}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn replace_changes_lifetimes_in_place_and_creates_when_absent() {
    let ns = veth_ns();
    let sock = open(&ns);
    addr::add(
        &sock,
        "t0",
        "10.0.0.1/24",
        AddrOptions::new().lifetimes(300, 200),
    )
    .unwrap();
    addr::replace(
        &sock,
        "t0",
        "10.0.0.1/24",
        AddrOptions::new().lifetimes(100, 50),
    )
    .unwrap();
    let addrs = ip_addrs(&ns, "t0");
    let v4: Vec<_> = addrs.iter().filter(|a| a["family"] == "inet").collect();
    assert_eq!(
        v4.len(),
        1,
        "replace must not add a second address: {addrs:?}"
    );
    let valid = v4[0]["valid_life_time"].as_u64().unwrap();
    assert!((95..=100).contains(&valid), "{:?}", v4[0]);
    // Idempotent, and an upsert for a missing address (IPv6 too).
    let nodad = || AddrOptions::new().flags(AddrFlags::NODAD);
    addr::replace(&sock, "t0", "fd00::1/64", nodad()).unwrap();
    addr::replace(&sock, "t0", "fd00::1/64", nodad().lifetimes(600, 600)).unwrap();
    let addrs = ip_addrs(&ns, "t0");
    let a = ip_addr(&addrs, "fd00::1").unwrap();
    assert!(a["valid_life_time"].as_u64().unwrap() <= 600, "{a}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn add_twice_is_a_typed_eexist() {
    let ns = veth_ns();
    let sock = open(&ns);
    for s in ["10.0.0.1/24", "fd00::1/64"] {
        let opts = || AddrOptions::new().flags(AddrFlags::NODAD);
        addr::add(&sock, "t0", s, opts()).unwrap();
        let e = addr::add(&sock, "t0", s, opts()).unwrap_err();
        assert!(
            matches!(&e, Error::Netlink(n) if n.errno == Errno::EEXIST),
            "{e:?}"
        );
        assert_eq!(errno(&e), Some(Errno::EEXIST));
        // The kernel's extended-ACK text rides along ("ipv4: Address already assigned").
        assert!(e.to_string().contains("ddress already assigned"), "{e}");
    }
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn delete_removes_only_that_address() {
    let ns = veth_ns();
    let sock = open(&ns);
    let nodad = || AddrOptions::new().flags(AddrFlags::NODAD);
    // Different subnets: deleting a primary IPv4 address also deletes its secondaries.
    for s in ["10.0.0.1/24", "10.9.0.1/16", "fd00::1/64", "fd00::2/64"] {
        addr::add(&sock, "t0", s, nodad()).unwrap();
    }
    addr::delete(&sock, "t0", "10.0.0.1/24").unwrap();
    addr::delete(&sock, "t0", "fd00::1/64").unwrap();
    let addrs = ip_addrs(&ns, "t0");
    let left: Vec<&str> = addrs.iter().filter_map(|a| a["local"].as_str()).collect();
    assert_eq!(left, ["10.9.0.1", "fd00::2"], "{addrs:?}");
    // The prefix must match, and a missing address is a typed error.
    let e = addr::delete(&sock, "t0", "10.9.0.1/24").unwrap_err();
    assert_eq!(errno(&e), Some(Errno::EADDRNOTAVAIL), "{e}");
    assert_eq!(
        e.to_string(),
        "link \"t0\": EADDRNOTAVAIL (99): ipv4: Address not found"
    );
    let e = addr::delete(&sock, "t0", "10.0.0.1/24").unwrap_err();
    assert_eq!(errno(&e), Some(Errno::EADDRNOTAVAIL), "{e}");
    assert_eq!(ip_addrs(&ns, "t0").len(), 2);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn input_errors_come_before_anything_is_sent() {
    let ns = veth_ns();
    let sock = open(&ns);
    // "nope0" does not exist: reaching the kernel would give ENODEV instead.
    let cases: Vec<(Error, &str)> = vec![
        (
            addr::add(&sock, "nope0", ("10.0.0.1", 33), AddrOptions::new()).unwrap_err(),
            "prefix 33",
        ),
        (
            addr::add(&sock, "nope0", ("fd00::1", 129), AddrOptions::new()).unwrap_err(),
            "prefix 129",
        ),
        (
            addr::add(&sock, "nope0", "10.0.0.1/33", AddrOptions::new()).unwrap_err(),
            "bad subnet string",
        ),
        (
            addr::add(&sock, "nope0", "10.0.0.1", AddrOptions::new()).unwrap_err(),
            "bare address string",
        ),
        (
            addr::delete(&sock, "nope0", "10.0.0.300/24").unwrap_err(),
            "bad address",
        ),
        (
            addr::replace(
                &sock,
                "nope0",
                "10.0.0.1/24",
                AddrOptions::new().lifetimes(1, 2),
            )
            .unwrap_err(),
            "preferred > valid",
        ),
    ];
    for (e, what) in &cases {
        assert!(
            matches!(e, Error::Ip(_) | Error::BadOption { .. }),
            "{what}: {e:?}"
        );
        assert_eq!(e.errno(), None, "{what}");
    }
    // On a real link: nothing changes.
    let e = addr::add(
        &sock,
        "t0",
        "10.0.0.1/24",
        AddrOptions::new().broadcast("fd00::ff"),
    )
    .unwrap_err();
    assert!(matches!(e, Error::FamilyMismatch(_)), "{e:?}");
    let e = addr::add(&sock, "t0", "fd00::1/64", AddrOptions::new().label("t0:x")).unwrap_err();
    assert!(matches!(e, Error::BadOption { name: "label", .. }), "{e:?}");
    let e = addr::add(&sock, "t0", "10.0.0.1/24", AddrOptions::new().label("t1:x")).unwrap_err();
    assert!(matches!(e, Error::BadOption { name: "label", .. }), "{e:?}");
    assert_eq!(ip_addrs(&ns, "t0"), Vec::<Value>::new());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn unknown_link_reads_no_such_interface() {
    let ns = veth_ns();
    let sock = open(&ns);
    let errs = [
        addr::add(&sock, "nope0", "10.0.0.1/24", AddrOptions::new()).unwrap_err(),
        addr::replace(&sock, "nope0", "10.0.0.1/24", AddrOptions::new()).unwrap_err(),
        addr::delete(&sock, "nope0", "10.0.0.1/24").unwrap_err(),
        addr::list_link(&sock, "nope0").unwrap_err(),
    ];
    for e in errs {
        assert_eq!(e.errno(), Some(Errno::ENODEV), "{e:?}");
        assert!(e.to_string().contains("no such interface \"nope0\""), "{e}");
    }
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn list_and_list_link_agree_with_ip() {
    let ns = veth_ns();
    ns.ip_batch(
        "addr add 10.0.0.1/24 dev t0\naddr add 10.0.1.1/24 dev t1\n\
         addr add fd00::1/64 dev t0 nodad\naddr add fd01::1/64 dev t1 nodad\n",
    );
    let sock = open(&ns);
    let all = addr::list(&sock).unwrap();
    let v: Value = serde_json::from_str(&ns.ip_json(&["addr", "show"])).unwrap();
    let mut theirs: Vec<(u64, String, u64)> = Vec::new();
    for link in v.as_array().unwrap() {
        for a in link["addr_info"].as_array().unwrap() {
            theirs.push((
                link["ifindex"].as_u64().unwrap(),
                a["local"].as_str().unwrap().to_owned(),
                a["prefixlen"].as_u64().unwrap(),
            ));
        }
    }
    let mut ours: Vec<(u64, String, u64)> = all
        .iter()
        .map(|a| {
            (
                u64::from(a.index),
                a.ip().unwrap().to_string(),
                u64::from(a.prefix_len),
            )
        })
        .collect();
    theirs.sort();
    ours.sort();
    assert_eq!(ours, theirs);
    // One link only: filtered by the kernel (strict check) and matching ip.
    let t0 = addr::list_link(&sock, "t0").unwrap();
    let t0_index = linx_rtnl::link::get(&sock, "t0").unwrap().index;
    assert!(t0.iter().all(|a| a.index == t0_index));
    assert_eq!(
        t0.len(),
        theirs.iter().filter(|t| t.0 == u64::from(t0_index)).count()
    );
    // The kernel really filtered: the raw dump for t0 carries only t0's addresses.
    let raw = linx_netlink_codec::Call::new(list_link_call(t0_index).request, RawMessages)
        .collect(&sock)
        .unwrap();
    assert_eq!(raw.items.len(), t0.len());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn live_dump_re_emits_byte_for_byte() {
    let ns = veth_ns();
    ns.ip_batch(
        "addr add 10.0.0.1/24 dev t0 label t0:a broadcast + valid_lft 500 preferred_lft 100\n\
         addr add 10.0.0.2/24 dev t0 metric 77\naddr add 10.3.0.1 peer 10.3.0.2 dev t1\n\
         addr add fd00::1/64 dev t0 nodad noprefixroute\naddr add fd00::2/64 dev t0 metric 55\n",
    );
    let sock = open(&ns);
    let raw = linx_netlink_codec::Call::new(list_call().request, RawMessages)
        .collect(&sock)
        .unwrap();
    assert!(raw.items.len() >= 7, "{}", raw.items.len());
    for msg in &raw.items {
        let a = decode(msg);
        let mut out = Vec::new();
        a.emit(&mut out).unwrap();
        assert_eq!(out, &msg[16..], "{a:#?}");
        assert!(
            a.other.is_empty(),
            "unmodelled attributes from this kernel: {a:#?}"
        );
    }
    let all = addr::list(&sock).unwrap();
    let peer = all.iter().find(|a| a.ip() == Some(ip("10.3.0.1"))).unwrap();
    assert_eq!(peer.peer(), Some(ip("10.3.0.2")));
    let m = all.iter().find(|a| a.ip() == Some(ip("fd00::2"))).unwrap();
    assert_eq!(m.rt_priority, Some(55));
}

#[cfg(feature = "tokio")]
fn assert_send<T: Send>(_: &T) {}

#[cfg(feature = "tokio")]
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn verbs_run_on_tokio() {
    let ns = veth_ns();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _g = rt.enter();
    let sock = linx_rtnl::open_async(ns.netns()).unwrap();
    rt.block_on(async {
        // The verbs are Send futures on the tokio socket (spawnable).
        let fut = addr::add(&sock, "t0", "10.0.0.1/24", AddrOptions::new());
        assert_send(&fut);
        fut.await.unwrap();
        addr::replace(
            &sock,
            "t0",
            "10.0.0.1/24",
            AddrOptions::new().lifetimes(100, 100),
        )
        .await
        .unwrap();
        let l = addr::list_link(&sock, "t0").await.unwrap();
        let v4: Vec<_> = l.iter().filter(|a| a.family == AF_INET).collect();
        assert_eq!(v4.len(), 1, "{l:?}");
        assert_eq!(v4[0].cacheinfo.as_ref().map(|c| c.valid <= 100), Some(true));
        assert!(addr::list(&sock).await.unwrap().len() >= 4);
        let e = addr::add(&sock, "t0", "10.0.0.1/24", AddrOptions::new())
            .await
            .unwrap_err();
        assert_eq!(e.errno(), Some(Errno::EEXIST));
        addr::delete(&sock, "t0", "10.0.0.1/24").await.unwrap();
    });
    assert_eq!(ip_addrs(&ns, "t0"), Vec::<Value>::new());
}
