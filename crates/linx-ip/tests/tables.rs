//! Table tests: rejected inputs, RFC 5952 printing, subnet math, conversions and literals.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use linx_ip::{Family, IntoIp, IntoMac, IntoSubnet, Ip, IpError, Mac, Subnet, ip, mac};

#[test]
fn rejects_bad_addresses() {
    for bad in [
        "",
        "10.0.0",
        "10.1",
        "10",
        "1.2.3.4.5",
        "256.0.0.1",
        "01.2.3.4",
        "010.0.0.1",
        "1.2.3.-4",
        "+1.2.3.4",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4/32",
        "0x1.2.3.4",
        ":::",
        "1::2::3",
        "fe80::1%eth0",
        "12345::",
        "::1/128",
        "localhost",
        "1.2.3.4.",
    ] {
        assert_eq!(
            bad.parse::<Ip>(),
            Err(IpError::BadAddress(bad.to_owned())),
            "{bad:?}"
        );
    }
}

#[test]
fn rejects_bad_subnets() {
    for bad in [
        "::1/129",
        "10.0.0.0/33",
        "10.0.0.0/",
        "10.0.0.0",
        "/24",
        "10.0.0/24",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/08",
        "10.0.0.0/0008",
        "10.0.0.0/24/1",
        "10.0.0.0/ 24",
        "10.0.0.0 /24",
        "10.0.0.0/256",
        "10.0.0.0/1000",
        "::/",
        "::1/0x10",
        "",
    ] {
        assert_eq!(
            bad.parse::<Subnet>(),
            Err(IpError::BadSubnet(bad.to_owned())),
            "{bad:?}"
        );
    }
}

#[test]
fn rejects_bad_macs() {
    for bad in [
        "02:aa:bb:cc:dd",
        "02:aa:bb:cc:dd:ee:ff",
        "zz:aa:bb:cc:dd:ee",
        "02-aa-bb-cc-dd-ee",
        "02aa.bbcc.ddee",
        "02aabbccddee",
        "002:aa:bb:cc:dd:ee",
        "02:aa:bb:cc:dd:",
        ":02:aa:bb:cc:dd",
        "+2:aa:bb:cc:dd:ee",
        " 02:aa:bb:cc:dd:ee",
        "02:aa:bb:cc:dd:ee ",
        "0x2:aa:bb:cc:dd:ee",
        "",
    ] {
        assert_eq!(
            bad.parse::<Mac>(),
            Err(IpError::BadMac(bad.to_owned())),
            "{bad:?}"
        );
    }
}

#[test]
fn accepts_edge_forms() {
    assert_eq!("0.0.0.0".parse::<Ip>(), Ok(Ip::UNSPECIFIED_V4));
    assert_eq!("255.255.255.255".parse::<Ip>(), Ok(Ip::BROADCAST_V4));
    assert_eq!("::".parse::<Ip>(), Ok(Ip::UNSPECIFIED_V6));
    assert_eq!("0:0:0:0:0:0:0:1".parse::<Ip>(), Ok(Ip::LOCALHOST_V6));
    assert_eq!("10.0.0.0/0".parse::<Subnet>().map(|s| s.prefix()), Ok(0));
    assert_eq!("::/128".parse::<Subnet>().map(|s| s.prefix()), Ok(128));
    assert_eq!(
        "2:a:B:c:D:e".parse::<Mac>(),
        Ok(Mac::new([2, 0xa, 0xb, 0xc, 0xd, 0xe]))
    );
}

#[test]
fn error_messages() {
    assert_eq!(
        "10.1".parse::<Ip>().unwrap_err().to_string(),
        r#"bad IP address "10.1""#
    );
    assert_eq!(
        "10.0.0.0/33".parse::<Subnet>().unwrap_err().to_string(),
        r#"bad subnet "10.0.0.0/33""#
    );
    assert_eq!(
        "02:aa".parse::<Mac>().unwrap_err().to_string(),
        r#"bad MAC address "02:aa""#
    );
    assert_eq!(
        Subnet::new(ip!("::1"), 129).unwrap_err().to_string(),
        "prefix length /129 is too long for inet6 (max 128)"
    );
    assert_eq!(
        Ipv4Addr::try_from(ip!("::1")).unwrap_err().to_string(),
        "expected an inet address, got inet6"
    );
}

#[test]
fn rfc5952_display() {
    for (input, shown) in [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::ffff:0102:0304", "::ffff:1.2.3.4"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("fe80::", "fe80::"),
    ] {
        let ip: Ip = input.parse().unwrap();
        assert_eq!(ip.to_string(), shown, "{input}");
        assert_eq!(format!("{ip:?}"), shown, "{input}");
    }
    assert_eq!(format!("[{:>10}]", ip!("1.2.3.4")), "[   1.2.3.4]");
    assert_eq!(format!("[{:<12}]", ip!("1.2.3.0/24")), "[1.2.3.0/24  ]");
    assert_eq!(
        format!("[{:^19}]", mac!("02:aa:bb:cc:dd:ee")),
        "[ 02:aa:bb:cc:dd:ee ]"
    );
}

#[test]
fn subnet_math() {
    let s = ip!("192.168.10.77/20");
    assert_eq!(s.to_string(), "192.168.10.77/20");
    assert_eq!(s.network(), ip!("192.168.0.0/20"));
    assert_eq!(s.netmask(), ip!("255.255.240.0"));
    assert_eq!(s.broadcast(), Some(ip!("192.168.15.255")));
    assert!(s.contains(ip!("192.168.15.255")));
    assert!(!s.contains(ip!("192.168.16.0")));

    let all = ip!("1.2.3.4/0");
    assert_eq!(all.network(), ip!("0.0.0.0/0"));
    assert_eq!(all.broadcast(), Some(Ip::BROADCAST_V4));
    assert!(all.contains(ip!("255.255.255.255")));

    let host = ip!("1.2.3.4/32");
    assert_eq!(host.network(), host);
    assert_eq!(host.broadcast(), Some(ip!("1.2.3.4")));
    assert!(!host.contains(ip!("1.2.3.5")));

    assert_eq!(ip!("10.0.0.0/31").broadcast(), Some(ip!("10.0.0.1")));

    let v6 = ip!("2001:db8:abcd:12::5/48");
    assert_eq!(v6.network(), ip!("2001:db8:abcd::/48"));
    assert_eq!(v6.netmask(), ip!("ffff:ffff:ffff::"));
    assert_eq!(v6.broadcast(), None);
    assert!(v6.contains(ip!("2001:db8:abcd:ffff::1")));
    assert!(!v6.contains(ip!("2001:db8:abce::")));
    assert!(!v6.contains(ip!("10.0.0.1")));
    assert!(!ip!("0.0.0.0/0").contains(ip!("::")));
    assert!(ip!("::/0").contains(ip!("ffff::")));
    assert_eq!(ip!("::1/128").netmask(), Ip::V6([0xff; 16]));
    assert_eq!(ip!("::1/0").netmask(), Ip::UNSPECIFIED_V6);

    assert_eq!(Subnet::host(ip!("::1")).prefix(), 128);
    assert_eq!(Subnet::host(ip!("1.1.1.1")).family(), Family::Inet);
}

#[test]
fn std_conversions() {
    let v4 = Ipv4Addr::new(192, 0, 2, 1);
    let v6: Ipv6Addr = "2001:db8::1".parse().unwrap();
    assert_eq!(Ip::from(v4), ip!("192.0.2.1"));
    assert_eq!(Ip::from(v6), ip!("2001:db8::1"));
    assert_eq!(Ip::from(IpAddr::V4(v4)), ip!("192.0.2.1"));
    assert_eq!(IpAddr::from(ip!("2001:db8::1")), IpAddr::V6(v6));
    assert_eq!(Ipv4Addr::try_from(ip!("192.0.2.1")), Ok(v4));
    assert_eq!(Ipv6Addr::try_from(ip!("2001:db8::1")), Ok(v6));
    assert_eq!(
        Ipv6Addr::try_from(ip!("192.0.2.1")),
        Err(IpError::WrongFamily {
            expected: Family::Inet6,
            found: Family::Inet
        })
    );
    assert_eq!(Ip::from([1, 2, 3, 4]), ip!("1.2.3.4"));
    assert_eq!(Ip::from([0u8; 16]), ip!("::"));
    assert_eq!(Mac::from([2, 0, 0, 0, 0, 1]), mac!("02:00:00:00:00:01"));
    assert_eq!(
        <[u8; 6]>::from(mac!("02:00:00:00:00:01")),
        [2, 0, 0, 0, 0, 1]
    );
}

#[test]
fn ipnet_conversions() {
    let net: IpNet = "10.1.2.3/16".parse().unwrap();
    let s = Subnet::from(net);
    assert_eq!(s, ip!("10.1.2.3/16")); // host bits kept, like ipnet
    assert_eq!(IpNet::from(s), net);
    let v4: Ipv4Net = "10.0.0.0/8".parse().unwrap();
    assert_eq!(Subnet::from(v4), ip!("10.0.0.0/8"));
    assert_eq!(Ipv4Net::try_from(ip!("10.0.0.0/8")), Ok(v4));
    let v6: Ipv6Net = "2001:db8::/32".parse().unwrap();
    assert_eq!(Subnet::from(v6), ip!("2001:db8::/32"));
    assert_eq!(Ipv6Net::try_from(ip!("2001:db8::/32")), Ok(v6));
    assert!(matches!(
        Ipv4Net::try_from(ip!("2001:db8::/32")),
        Err(IpError::WrongFamily { .. })
    ));
    assert!(matches!(
        Ipv6Net::try_from(ip!("10.0.0.0/8")),
        Err(IpError::WrongFamily { .. })
    ));
}

#[test]
fn into_traits() {
    let owned = String::from("10.0.0.1");
    assert_eq!("10.0.0.1".into_ip(), Ok(ip!("10.0.0.1")));
    assert_eq!((&owned).into_ip(), Ok(ip!("10.0.0.1")));
    assert_eq!(owned.clone().into_ip(), Ok(ip!("10.0.0.1")));
    assert_eq!((&ip!("10.0.0.1")).into_ip(), Ok(ip!("10.0.0.1")));
    assert_eq!(Ipv6Addr::LOCALHOST.into_ip(), Ok(Ip::LOCALHOST_V6));
    assert_eq!(
        IpAddr::from(Ipv4Addr::LOCALHOST).into_ip(),
        Ok(Ip::LOCALHOST_V4)
    );
    assert_eq!([0u8; 16].into_ip(), Ok(Ip::UNSPECIFIED_V6));
    assert!("10.1".into_ip().is_err());

    assert_eq!("10.0.0.0/8".into_subnet(), Ok(ip!("10.0.0.0/8")));
    assert_eq!(
        String::from("10.0.0.0/8").into_subnet(),
        Ok(ip!("10.0.0.0/8"))
    );
    assert_eq!((&ip!("10.0.0.0/8")).into_subnet(), Ok(ip!("10.0.0.0/8")));
    assert_eq!(("::", 0).into_subnet(), Ok(ip!("::/0")));
    assert_eq!(
        (ip!("10.0.0.0"), 40).into_subnet(),
        Err(IpError::BadPrefix {
            family: Family::Inet,
            prefix: 40
        })
    );
    assert!(("10.1", 8).into_subnet().is_err());
    assert_eq!(
        "2001:db8::/32".parse::<Ipv6Net>().unwrap().into_subnet(),
        Ok(ip!("2001:db8::/32"))
    );
    assert!("10.0.0.1".into_subnet().is_err());

    assert_eq!(
        "02:aa:bb:cc:dd:ee".into_mac(),
        Ok(mac!("02:aa:bb:cc:dd:ee"))
    );
    assert_eq!(
        (&mac!("02:aa:bb:cc:dd:ee")).into_mac(),
        Ok(mac!("02:aa:bb:cc:dd:ee"))
    );
    assert_eq!([0u8; 6].into_mac(), Ok(Mac::ZERO));

    assert_eq!(Ip::try_from("::1"), Ok(Ip::LOCALHOST_V6));
    assert_eq!(Subnet::try_from("::1/64").map(|s| s.prefix()), Ok(64));
    assert_eq!(Mac::try_from("ff:ff:ff:ff:ff:ff"), Ok(Mac::BROADCAST));
}

#[test]
fn wire_codec() {
    assert_eq!(ip!("10.0.0.1").as_bytes(), &[10, 0, 0, 1]);
    assert_eq!(ip!("10.0.0.1").to_bytes(), vec![10, 0, 0, 1]);
    assert_eq!(ip!("2001:db8::1").as_bytes()[..4], [0x20, 0x01, 0x0d, 0xb8]);
    for len in [0, 1, 3, 5, 6, 15, 17, 32] {
        assert_eq!(Ip::from_bytes(&vec![0; len]), None, "len {len}");
    }
    for len in [0, 5, 7, 8, 20] {
        assert_eq!(Mac::from_bytes(&vec![0; len]), None, "len {len}");
    }
    assert_eq!(Family::from_af(Family::Inet.af()), Some(Family::Inet));
    assert_eq!(Family::from_af(Family::Inet6.af()), Some(Family::Inet6));
    assert_eq!(Family::from_af(7), None);
}

#[test]
fn mac_predicates() {
    let bcast = mac!("ff:ff:ff:ff:ff:ff");
    assert!(bcast.is_broadcast() && bcast.is_multicast() && bcast.is_local());
    assert!(!mac!("01:00:5e:00:00:01").is_broadcast());
    assert!(mac!("33:33:00:00:00:01").is_multicast());
    assert!(mac!("00:11:22:33:44:55").is_unicast());
    assert!(!Mac::ZERO.is_local());
}

/// Literals must be usable in const and static items.
const GW: Ip = ip!("10.0.0.1");
const NET: Subnet = ip!("10.0.0.0/24");
const NET6: Subnet = ip!("fe80::/10");
static ROUTER: Mac = mac!("02:aa:bb:cc:dd:ee");
const NETWORK: Subnet = ip!("10.0.0.77/24").network();
const BCAST: Option<Ip> = NET.broadcast();

#[test]
fn const_literals() {
    assert_eq!(GW, Ip::V4([10, 0, 0, 1]));
    assert_eq!(NET, Subnet::new(GW, 24).unwrap().network());
    assert_eq!(NET6.prefix(), 10);
    assert_eq!(ROUTER.octets(), [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
    assert_eq!(NETWORK, NET);
    assert_eq!(BCAST, Some(ip!("10.0.0.255")));
}

/// A literal forwarded through a caller's own `macro_rules!` (invisible-delimited groups).
macro_rules! via_expr {
    ($e:expr) => {
        linx_ip::ip!($e)
    };
}
macro_rules! via_literal {
    ($l:literal) => {
        linx_ip::mac!($l)
    };
}

#[test]
fn literals_through_macro_rules() {
    assert_eq!(via_expr!("10.0.0.1"), GW);
    assert_eq!(via_expr!("10.0.0.0/24"), NET);
    assert_eq!(via_literal!("02:aa:bb:cc:dd:ee"), ROUTER);
}

#[test]
fn literal_matches_from_str() {
    assert_eq!(
        ip!("::ffff:1.2.3.4"),
        "::ffff:1.2.3.4".parse::<Ip>().unwrap()
    );
    assert_eq!(
        ip!("2001:DB8::1/64"),
        "2001:db8::1/64".parse::<Subnet>().unwrap()
    );
    assert_eq!(ip!("0.0.0.0/0"), "0.0.0.0/0".parse::<Subnet>().unwrap());
    assert_eq!(
        mac!("2:a:b:c:d:e"),
        "02:0a:0b:0c:0d:0e".parse::<Mac>().unwrap()
    );
}

#[test]
fn serde_json() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Conf {
        gw: Ip,
        net: Subnet,
        mac: Mac,
    }
    let conf = Conf {
        gw: ip!("2001:db8::1"),
        net: ip!("10.0.0.0/24"),
        mac: mac!("02:aa:bb:cc:dd:ee"),
    };
    let json = serde_json::to_string(&conf).unwrap();
    assert_eq!(
        json,
        r#"{"gw":"2001:db8::1","net":"10.0.0.0/24","mac":"02:aa:bb:cc:dd:ee"}"#
    );
    assert_eq!(serde_json::from_str::<Conf>(&json).unwrap(), conf);

    let err = serde_json::from_str::<Ip>(r#""10.1""#).unwrap_err();
    assert!(
        err.to_string().contains(r#"bad IP address "10.1""#),
        "{err}"
    );
    let err = serde_json::from_str::<Subnet>("24").unwrap_err();
    assert!(err.to_string().contains("subnet string"), "{err}");
    assert!(serde_json::from_str::<Mac>(r#""02:aa""#).is_err());
    // Owned strings (escaped JSON) go through visit_string -> visit_str.
    assert_eq!(
        serde_json::from_str::<Ip>(r#""\u0031.2.3.4""#).unwrap(),
        ip!("1.2.3.4")
    );
}

#[test]
fn ordering_and_hashing() {
    let mut v = vec![ip!("::1"), ip!("10.0.0.2"), ip!("9.255.255.255"), ip!("::")];
    v.sort();
    assert_eq!(
        v,
        [ip!("9.255.255.255"), ip!("10.0.0.2"), ip!("::"), ip!("::1")]
    );
    let set: std::collections::HashSet<Subnet> =
        [ip!("10.0.0.0/8"), ip!("10.0.0.0/8"), ip!("10.0.0.0/16")]
            .into_iter()
            .collect();
    assert_eq!(set.len(), 2);
}

#[test]
fn io_error_conversion() {
    let err: std::io::Error = "bogus".parse::<Ip>().unwrap_err().into();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), r#"bad IP address "bogus""#);
}
