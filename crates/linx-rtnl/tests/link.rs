//! Links: golden request bytes, captured kernel replies, property tests and kernel tests
//! cross-checked with `ip -j`.

use linx_ip::Mac;
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{Errno, MsgIter, RawAttrs};
use linx_rtnl::link::{self, IpvlanMode, Link, LinkData, LinkInfo, MacvlanMode, NewLink};
use linx_rtnl::{Error, open};
use linx_testns::TestNs;
use proptest::prelude::*;
use serde_json::Value;

/// `RTM_NEWLINK` replies captured from Linux 6.18 (these VMs) with
/// `RTM_GETLINK` by name after
/// `ip link add cap0 address 02:11:22:33:44:55 type veth peer name cap1 address 02:11:22:33:44:66`
/// and `ip link add mv0 link cap0 address 02:11:22:33:44:77 type macvlan mode private`:
/// the payload after `nlmsghdr`.
const NEWLINK_VETH: &[u8] = include_bytes!("data/newlink_veth.bin");
const NEWLINK_MACVLAN: &[u8] = include_bytes!("data/newlink_macvlan.bin");

fn emit(l: &Link) -> Vec<u8> {
    let mut b = Vec::new();
    l.emit(&mut b).unwrap();
    b
}

#[test]
fn captured_veth_decodes_and_round_trips() {
    let l = Link::parse(NEWLINK_VETH).unwrap();
    assert_eq!(l.name, "cap0");
    assert_eq!(l.kind(), Some("veth"));
    assert_eq!(l.address, Some("02:11:22:33:44:55".parse::<Mac>().unwrap()));
    assert_eq!(l.mtu, Some(1500));
    assert!(l.parent.is_some(), "a veth reports its peer as IFLA_LINK");
    assert!(!l.is_up());
    assert!(!l.other.is_empty(), "stats, AF_SPEC ... are kept");
    // every attribute survives, in the order received
    let again = Link::parse(&emit(&l)).unwrap();
    assert_eq!(again, l);
    assert_eq!(emit(&again), emit(&l));
    assert_eq!(emit(&l), NEWLINK_VETH, "emit(parse(bytes)) == bytes");
}

#[test]
fn captured_macvlan_decodes_mode() {
    let l = Link::parse(NEWLINK_MACVLAN).unwrap();
    assert_eq!(l.name, "mv0");
    let Some(LinkInfo {
        kind: Some(k),
        data: Some(LinkData::Macvlan { mode, .. }),
        ..
    }) = &l.info
    else {
        panic!("{:#?}", l.info)
    };
    assert_eq!(k, "macvlan");
    assert_eq!(*mode, Some(MacvlanMode::Private));
    assert_eq!(Link::parse(&emit(&l)).unwrap(), l);
    assert_eq!(emit(&l), NEWLINK_MACVLAN, "emit(parse(bytes)) == bytes");
}

#[test]
fn display_reads_like_the_seed() {
    let l = Link {
        index: 1,
        name: "lo".into(),
        flags: 1,
        mtu: Some(65536),
        ..Default::default()
    };
    assert_eq!(l.to_string(), "Link<\"lo\" (1) UP MTU=65536>");
    assert_eq!(format!("{l:?}"), "Link<\"lo\" (1) UP MTU=65536>");
    assert!(format!("{l:#?}").contains("mtu: Some(\n"));
    let v = Link::parse(NEWLINK_VETH).unwrap();
    assert!(v.to_string().ends_with("DOWN MTU=1500 kind=veth>"), "{v}");
}

// ------------------------------------------------------------------ golden request bytes

/// Hand-checked `RTM_NEWLINK` payload for `NewLink::veth("ve0", "ve1")` (little-endian):
/// ifinfomsg all zero; IFLA_IFNAME(3) "ve0"; IFLA_LINKINFO(18) { INFO_KIND(1) "veth",
/// INFO_DATA(2) { VETH_INFO_PEER(1) { ifinfomsg zero, IFLA_IFNAME "ve1" } } }.
/// Same attribute tree as `ip link add ve0 type veth peer name ve1` sends, minus
/// iproute2's extra empty fields.
#[cfg(target_endian = "little")]
const VETH: &[u8] = &[
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // ifinfomsg
    8, 0, 3, 0, b'v', b'e', b'0', 0, // IFLA_IFNAME "ve0"
    48, 0, 18, 0, // IFLA_LINKINFO, 4 + 12 + 32
    9, 0, 1, 0, b'v', b'e', b't', b'h', 0, 0, 0, 0, // INFO_KIND "veth" + pad
    32, 0, 2, 0, // INFO_DATA, 4 + 28
    28, 0, 1, 0, // VETH_INFO_PEER, 4 + 16 + 8
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // peer ifinfomsg
    8, 0, 3, 0, b'v', b'e', b'1', 0, // peer IFLA_IFNAME "ve1"
];

#[cfg(target_endian = "little")]
#[test]
fn golden_veth_request() {
    let p = NewLink::veth("ve0", "ve1").encode(|_| 0).unwrap();
    assert_eq!(p, VETH);
}

#[cfg(target_endian = "little")]
#[test]
fn golden_macvlan_vlan_ipvlan_dummy_bridge_vxlan_requests() {
    // macvlan on parent index 2, mode bridge (4), mtu 1400, up
    let p = NewLink::macvlan("mv0", "eth0", MacvlanMode::Bridge)
        .mtu(1400)
        .up()
        .encode(|_| 2)
        .unwrap();
    #[rustfmt::skip]
    let want: &[u8] = &[
        0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, // ifinfomsg: flags IFF_UP, change IFF_UP
        8, 0, 3, 0, b'm', b'v', b'0', 0, // IFLA_IFNAME
        8, 0, 4, 0, 0x78, 0x05, 0, 0, // IFLA_MTU 1400
        8, 0, 5, 0, 2, 0, 0, 0, // IFLA_LINK 2
        28, 0, 18, 0, // IFLA_LINKINFO, 4 + 12 + 12
        12, 0, 1, 0, b'm', b'a', b'c', b'v', b'l', b'a', b'n', 0, // INFO_KIND
        12, 0, 2, 0, 8, 0, 1, 0, 4, 0, 0, 0, // INFO_DATA { MACVLAN_MODE 4 }
    ];
    assert_eq!(p, want);

    // vlan 100 on parent index 3 (kernel lacks 8021q here: the exact request still matters)
    let p = NewLink::vlan("eth0.100", "eth0", 100)
        .encode(|_| 3)
        .unwrap();
    #[rustfmt::skip]
    let want: &[u8] = &[
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        13, 0, 3, 0, b'e', b't', b'h', b'0', b'.', b'1', b'0', b'0', 0, 0, 0, 0, // IFLA_IFNAME
        8, 0, 5, 0, 3, 0, 0, 0, // IFLA_LINK 3
        28, 0, 18, 0, // IFLA_LINKINFO, 4 + 12 + 12
        9, 0, 1, 0, b'v', b'l', b'a', b'n', 0, 0, 0, 0, // INFO_KIND "vlan"
        12, 0, 2, 0, 6, 0, 1, 0, 100, 0, 0, 0, // INFO_DATA { VLAN_ID u16 100 + pad }
    ];
    assert_eq!(p, want);

    // ipvlan l2 (mode u16 0)
    let p = NewLink::ipvlan("ipv0", "eth0", IpvlanMode::L2)
        .encode(|_| 3)
        .unwrap();
    assert_eq!(&p[p.len() - 12..], &[12, 0, 2, 0, 6, 0, 1, 0, 0, 0, 0, 0]);
    assert!(p.windows(7).any(|w| w == b"ipvlan\0"));

    // dummy and bridge: a kind, no INFO_DATA
    let p = NewLink::dummy("d0").encode(|_| 0).unwrap();
    assert_eq!(
        &p[24..],
        &[
            16, 0, 18, 0, 10, 0, 1, 0, b'd', b'u', b'm', b'm', b'y', 0, 0, 0
        ]
    );
    let p = NewLink::bridge("br0").encode(|_| 0).unwrap();
    assert_eq!(
        &p[24..],
        &[
            16, 0, 18, 0, 11, 0, 1, 0, b'b', b'r', b'i', b'd', b'g', b'e', 0, 0
        ]
    );

    // vxlan vni 42, remote 192.0.2.1, port 4789 (big-endian), underlay index 2
    let p = NewLink::vxlan("vx0", 42)
        .vxlan_remote("192.0.2.1".parse().unwrap())
        .vxlan_port(4789)
        .vxlan_underlay("eth0")
        .encode(|_| 2)
        .unwrap();
    #[rustfmt::skip]
    let data: &[u8] = &[
        36, 0, 2, 0, // INFO_DATA
        8, 0, 1, 0, 42, 0, 0, 0, // VXLAN_ID 42
        8, 0, 2, 0, 192, 0, 2, 1, // VXLAN_GROUP 192.0.2.1
        8, 0, 3, 0, 2, 0, 0, 0, // VXLAN_LINK 2
        6, 0, 15, 0, 0x12, 0xb5, 0, 0, // VXLAN_PORT 4789 BE + pad
    ];
    assert_eq!(&p[p.len() - data.len()..], data);
}

#[cfg(target_endian = "little")]
#[test]
fn golden_set_and_delete_requests() {
    let r = link::set_up_request("ve0", false).unwrap();
    assert_eq!(r.kind(), RTM_SETLINK);
    assert_eq!(
        r.payload(),
        &[
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 8, 0, 3, 0, b'v', b'e', b'0', 0
        ]
    );
    let r = link::set_mtu_request("ve0", 9000).unwrap();
    assert_eq!(
        &r.payload()[16..],
        &[
            8, 0, 3, 0, b'v', b'e', b'0', 0, 8, 0, 4, 0, 0x28, 0x23, 0, 0
        ]
    );
    let r = link::delete_request("ve0").unwrap();
    assert_eq!(r.kind(), RTM_DELLINK);
    let mut bytes = Vec::new();
    r.encode(7, &mut bytes).unwrap();
    assert_eq!(&bytes[..8], &[40, 0, 0, 0, 17, 0, 1, 0]); // len 40, RTM_DELLINK, REQUEST
}

#[test]
fn input_errors_are_typed_before_sending() {
    let bad = |r: Result<Vec<u8>, Error>| {
        matches!(
            r,
            Err(Error::BadOption { .. }) | Err(Error::FamilyMismatch(_))
        )
    };
    assert!(bad(NewLink::vlan("v0", "eth0", 0).encode(|_| 1)));
    assert!(bad(NewLink::vlan("v0", "eth0", 4095).encode(|_| 1)));
    assert!(bad(
        NewLink::veth("a-name-longer-than-15", "b").encode(|_| 1)
    ));
    assert!(bad(NewLink::veth("a", "").encode(|_| 1)));
    assert!(bad(NewLink::bridge("br0").mtu(0).encode(|_| 1)));
    assert!(bad(NewLink::bridge("br0").address("zz:00").encode(|_| 1)));
    assert!(bad(NewLink::vxlan("vx0", 1 << 24).encode(|_| 1)));
    assert!(bad(NewLink::vxlan("vx0", 1)
        .vxlan_remote("192.0.2.1".parse().unwrap())
        .vxlan_local("2001:db8::1".parse().unwrap())
        .encode(|_| 1)));
    assert!(link::set_mtu_request("ve0", 0).is_err());
}

// ------------------------------------------------------------------ property tests

fn arb_link() -> impl Strategy<Value = Link> {
    (
        any::<u32>(),
        "[a-z][a-z0-9]{0,14}",
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<[u8; 6]>()),
        proptest::option::of(1u32..100),
        proptest::option::of(any::<u8>()),
        prop_oneof![
            Just(None),
            any::<u32>().prop_map(|m| Some(LinkInfo {
                kind: Some("macvlan".into()),
                data: Some(LinkData::Macvlan {
                    mode: Some(m.into()),
                    other: RawAttrs::default()
                }),
                ..Default::default()
            })),
            (1u16..4095).prop_map(|id| Some(LinkInfo {
                kind: Some("vlan".into()),
                data: Some(LinkData::Vlan {
                    id: Some(id),
                    protocol: Some(0x8100),
                    other: RawAttrs::default()
                }),
                ..Default::default()
            })),
            proptest::collection::vec(any::<u8>(), 0..24).prop_map(|b| Some(LinkInfo {
                kind: Some("brand-new-kind".into()),
                data: Some(LinkData::Other(b)),
                ..Default::default()
            })),
        ],
        proptest::collection::vec(
            (
                100u16..0x3fff,
                proptest::collection::vec(any::<u8>(), 0..16),
            ),
            0..4,
        ),
    )
        .prop_map(|(index, name, mtu, mac, master, op, info, raw)| {
            let mut other = RawAttrs::default();
            for (t, p) in raw {
                other.push_raw(t, &p).unwrap();
            }
            Link {
                index: index & 0x7fff_ffff,
                name,
                mtu,
                address: mac.map(Mac::new),
                master,
                operstate: op.map(Into::into),
                info,
                other,
                ..Default::default()
            }
        })
}

proptest! {
    #[test]
    fn parse_emit_round_trip(l in arb_link()) {
        let b = emit(&l);
        let back = Link::parse(&b).unwrap();
        prop_assert_eq!(&back, &l);
        prop_assert_eq!(emit(&back), b);
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400), cut in 0usize..1600) {
        let _ = Link::parse(&b);
        let _ = LinkInfo::parse(&b);
        for k in [None, Some("veth"), Some("macvlan"), Some("ipvlan"), Some("vlan"), Some("vxlan"), Some("bridge")] {
            let _ = LinkData::parse(k, &b);
        }
        // truncations of real kernel bytes
        let _ = Link::parse(&NEWLINK_VETH[..cut.min(NEWLINK_VETH.len())]);
        let _ = Link::parse(&NEWLINK_MACVLAN[..cut.min(NEWLINK_MACVLAN.len())]);
        for m in MsgIter::new(&b) {
            let Ok(m) = m else { break };
            let _ = Link::from_msg(&m);
        }
    }
}

// ------------------------------------------------------------------ kernel tests

fn ip_link(ns: &TestNs, name: &str) -> Value {
    let v: Value = serde_json::from_str(&ns.ip_json(&["-d", "link", "show", name])).unwrap();
    v[0].clone()
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn create_kinds_and_cross_check_with_ip() {
    let ns = TestNs::new();
    let sock = open(ns.netns()).unwrap();
    link::add(
        &sock,
        NewLink::veth("ve0", "ve1")
            .mtu(9000)
            .address("02:aa:bb:cc:dd:ee"),
    )
    .unwrap();
    link::add(&sock, NewLink::bridge("br0").up()).unwrap();
    link::add(&sock, NewLink::veth("up0", "up1").master("br0")).unwrap();
    link::add(&sock, NewLink::veth("pt0", "pt1")).unwrap();
    let modes = [
        MacvlanMode::Bridge,
        MacvlanMode::Private,
        MacvlanMode::Vepa,
        MacvlanMode::Passthru,
    ];
    for (i, mode) in modes.into_iter().enumerate() {
        // passthru takes its parent over: it gets a parent of its own
        let parent = if mode == MacvlanMode::Passthru {
            "pt0"
        } else {
            "ve0"
        };
        link::add(&sock, NewLink::macvlan(format!("mv{i}"), parent, mode)).unwrap();
    }
    link::add(
        &sock,
        NewLink::vxlan("vx0", 4242)
            .vxlan_remote("192.0.2.7".parse().unwrap())
            .vxlan_port(4789)
            .vxlan_underlay("ve0"),
    )
    .unwrap();

    let ve0 = ip_link(&ns, "ve0");
    assert_eq!(ve0["mtu"], 9000);
    assert_eq!(ve0["address"], "02:aa:bb:cc:dd:ee");
    assert_eq!(ve0["linkinfo"]["info_kind"], "veth");
    let up0 = ip_link(&ns, "up0");
    assert_eq!(up0["master"], "br0");
    let br0 = ip_link(&ns, "br0");
    assert!(br0["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
    assert_eq!(
        ip_link(&ns, "mv0")["linkinfo"]["info_data"]["mode"],
        "bridge"
    );
    assert_eq!(
        ip_link(&ns, "mv1")["linkinfo"]["info_data"]["mode"],
        "private"
    );
    assert_eq!(ip_link(&ns, "mv2")["linkinfo"]["info_data"]["mode"], "vepa");
    assert_eq!(
        ip_link(&ns, "mv3")["linkinfo"]["info_data"]["mode"],
        "passthru"
    );
    let vx = ip_link(&ns, "vx0");
    assert_eq!(vx["linkinfo"]["info_data"]["id"], 4242);
    assert_eq!(vx["linkinfo"]["info_data"]["remote"], "192.0.2.7");
    assert_eq!(vx["linkinfo"]["info_data"]["port"], 4789);
    assert_eq!(vx["linkinfo"]["info_data"]["link"], "ve0");

    // Linx reads back the same
    let links = link::list(&sock).unwrap();
    let by = |n: &str| {
        links
            .iter()
            .find(|l| l.name == n)
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    assert_eq!(by("ve0").mtu, Some(9000));
    assert_eq!(by("ve0").address.unwrap().to_string(), "02:aa:bb:cc:dd:ee");
    assert_eq!(by("up0").master, Some(by("br0").index));
    assert!(by("br0").is_up());
    let Some(LinkData::Vxlan(v)) = by("vx0").info.as_ref().and_then(|i| i.data.clone()) else {
        panic!()
    };
    assert_eq!(
        (v.vni, v.port, v.underlay),
        (Some(4242), Some(4789), Some(by("ve0").index))
    );
    assert_eq!(v.remote.unwrap().to_string(), "192.0.2.7");
    let ip_count = serde_json::from_str::<Value>(&ns.ip_json(&["link", "show"]))
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    assert_eq!(links.len(), ip_count);
    for l in &links {
        assert_eq!(link::get(&sock, &l.name).unwrap().index, l.index);
        assert_eq!(link::get_by_index(&sock, l.index).unwrap().name, l.name);
    }
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn kinds_this_kernel_lacks_are_typed_errors() {
    let ns = TestNs::new();
    let sock = open(ns.netns()).unwrap();
    link::add(&sock, NewLink::veth("ve0", "ve1")).unwrap();
    for spec in [
        NewLink::dummy("d0"),
        NewLink::ipvlan("ipv0", "ve0", IpvlanMode::L3),
        NewLink::vlan("ve0.10", "ve0", 10),
    ] {
        let kind = spec.kind().kind();
        match link::add(&sock, spec) {
            Err(Error::KindNotSupported { kind: k, source }) => {
                assert_eq!(k, kind);
                assert_eq!(source.errno, Errno::EOPNOTSUPP);
            }
            other => panic!("{kind}: {other:?}"),
        }
    }
    assert_eq!(link::list(&sock).unwrap().len(), 3, "nothing half-created");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn setters_change_only_what_they_name() {
    let ns = TestNs::new();
    let sock = open(ns.netns()).unwrap();
    link::add(&sock, NewLink::veth("ve0", "ve1")).unwrap();
    link::add(&sock, NewLink::bridge("br0")).unwrap();
    ns.ip(&["link", "set", "ve0", "promisc", "on"]);
    link::set_up(&sock, "ve0").unwrap();
    let v = ip_link(&ns, "ve0");
    let flags: Vec<&str> = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        flags.contains(&"UP") && flags.contains(&"PROMISC"),
        "{flags:?}"
    );
    assert!(link::is_up(&sock, "ve0").unwrap());
    link::set_down(&sock, "ve0").unwrap();
    let v = ip_link(&ns, "ve0");
    let flags: Vec<&str> = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        !flags.contains(&"UP") && flags.contains(&"PROMISC"),
        "{flags:?}"
    );

    link::set_mtu(&sock, "ve0", 1280).unwrap();
    assert_eq!(ip_link(&ns, "ve0")["mtu"], 1280);
    link::set_address(&sock, "ve0", "02:00:00:00:00:42").unwrap();
    assert_eq!(ip_link(&ns, "ve0")["address"], "02:00:00:00:00:42");
    link::set_master(&sock, "ve0", "br0").unwrap();
    assert_eq!(ip_link(&ns, "ve0")["master"], "br0");
    link::set_nomaster(&sock, "ve0").unwrap();
    assert!(ip_link(&ns, "ve0").get("master").is_none());
    link::set_name(&sock, "ve0", "uplink").unwrap();
    assert_eq!(ip_link(&ns, "uplink")["mtu"], 1280);
    link::delete(&sock, "uplink").unwrap();
    assert!(
        !ns.run("ip", &["link", "show", "ve1"]).status.success(),
        "deleting one end deletes the pair"
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn errors_name_what_failed() {
    let ns = TestNs::new();
    let sock = open(ns.netns()).unwrap();
    let e = link::get(&sock, "nope0").unwrap_err();
    assert_eq!(e.errno(), Some(Errno::ENODEV));
    assert!(
        e.to_string().ends_with("no such interface \"nope0\""),
        "{e}"
    );
    let e = link::delete(&sock, "nope0").unwrap_err();
    assert!(e.to_string().contains("no such interface \"nope0\""), "{e}");
    let e = link::add(&sock, NewLink::macvlan("mv0", "nope1", MacvlanMode::Bridge)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "link \"mv0\": ENODEV (19): no such parent interface \"nope1\""
    );
    link::add(&sock, NewLink::veth("ve0", "ve1")).unwrap();
    let e = link::add(&sock, NewLink::veth("ve0", "ve9")).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EEXIST));
    let e = link::set_mtu(&sock, "ve0", 70000).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EINVAL));
    assert!(
        e.to_string().contains("link \"ve0\": EINVAL (22): "),
        "kernel text kept: {e}"
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn move_to_another_namespace_by_path_and_pid() {
    let a = TestNs::new();
    let b = TestNs::new();
    let sock = open(a.netns()).unwrap();
    link::add(&sock, NewLink::veth("ve0", "ve1")).unwrap();
    link::move_to_netns(&sock, "ve1", &b.netns()).unwrap();
    assert!(link::get(&sock, "ve1").is_err());
    let sock_b = open(b.netns()).unwrap();
    assert_eq!(link::get(&sock_b, "ve1").unwrap().name, "ve1");
    assert!(b.ip(&["link", "show", "ve1"]).contains("ve1"));
    // by pid: a child process sleeping inside namespace b
    let mut child = std::process::Command::new("nsenter")
        .arg(format!("--net={}", b.path().display()))
        .args(["sleep", "30"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    link::add(&sock, NewLink::veth("pa0", "pa1")).unwrap();
    link::move_to_netns(&sock, "pa1", &linx_netlink_sys::Netns::Pid(child.id())).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(b.ip(&["link", "show", "pa1"]).contains("pa1"));
}

#[cfg(feature = "tokio")]
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn tokio_flavour_runs_the_same_verbs() {
    let ns = TestNs::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _g = rt.enter();
    let sock = linx_rtnl::open_async(ns.netns()).unwrap();
    rt.block_on(async {
        link::add(&sock, NewLink::veth("ve0", "ve1")).await.unwrap();
        link::set_up(&sock, "ve0").await.unwrap();
        let l = link::get(&sock, "ve0").await.unwrap();
        assert!(l.is_up());
        assert_eq!(link::list(&sock).await.unwrap().len(), 3);
        let e = link::get(&sock, "nope").await.unwrap_err();
        assert!(e.to_string().contains("no such interface \"nope\""));
    });
}
