//! Property tests: text and wire round trips, subnet laws, and never-panic on arbitrary input.

use linx_ip::{IntoIp, IntoMac, IntoSubnet, Ip, Mac, Subnet};
use proptest::prelude::*;

fn any_ip() -> impl Strategy<Value = Ip> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(Ip::V4),
        any::<[u8; 16]>().prop_map(Ip::V6),
        // Bias towards zero runs so the "::" compression paths are exercised.
        (any::<[bool; 16]>(), any::<[u8; 16]>()).prop_map(|(keep, mut b)| {
            for (byte, keep) in b.iter_mut().zip(keep) {
                if !keep {
                    *byte = 0;
                }
            }
            Ip::V6(b)
        }),
    ]
}

fn any_subnet() -> impl Strategy<Value = Subnet> {
    any_ip().prop_flat_map(|ip| {
        (0..=ip.family().max_prefix()).prop_map(move |p| Subnet::new(ip, p).unwrap())
    })
}

fn any_mac() -> impl Strategy<Value = Mac> {
    any::<[u8; 6]>().prop_map(Mac::new)
}

proptest! {
    #[test]
    fn ip_text_round_trip(ip in any_ip()) {
        prop_assert_eq!(ip.to_string().parse::<Ip>(), Ok(ip));
        prop_assert_eq!(format!("{ip:?}").parse::<Ip>(), Ok(ip));
        // std agrees on the text form.
        prop_assert_eq!(ip.to_string(), std::net::IpAddr::from(ip).to_string());
    }

    #[test]
    fn ip_wire_round_trip(ip in any_ip()) {
        prop_assert_eq!(Ip::from_bytes(ip.as_bytes()), Some(ip));
        prop_assert_eq!(Ip::from_bytes(&ip.to_bytes()), Some(ip));
        prop_assert_eq!(ip.as_bytes().len(), ip.family().addr_len());
    }

    #[test]
    fn ip_std_round_trip(ip in any_ip()) {
        prop_assert_eq!(Ip::from(std::net::IpAddr::from(ip)), ip);
    }

    #[test]
    fn subnet_text_round_trip(s in any_subnet()) {
        prop_assert_eq!(s.to_string().parse::<Subnet>(), Ok(s));
        prop_assert_eq!(format!("{s:?}").parse::<Subnet>(), Ok(s));
        prop_assert_eq!(s.to_string().as_str().into_subnet(), Ok(s));
    }

    #[test]
    fn subnet_ipnet_round_trip(s in any_subnet()) {
        let net = ipnet::IpNet::from(s);
        prop_assert_eq!(Subnet::from(net), s);
        prop_assert_eq!(net.to_string(), s.to_string());
        prop_assert_eq!(Subnet::from(net.trunc()), s.network());
    }

    #[test]
    fn subnet_laws(s in any_subnet(), other in any_ip()) {
        let n = s.network();
        prop_assert!(s.contains(s.address()));
        prop_assert!(s.contains(n.address()));
        prop_assert_eq!(n.network(), n);
        prop_assert_eq!(n.prefix(), s.prefix());
        prop_assert_eq!(s.contains(other), n.contains(other));
        if let Some(b) = s.broadcast() {
            prop_assert!(s.contains(b));
        } else {
            prop_assert!(s.address().is_ipv6());
        }
        // contains == "same network after masking", and false across families.
        let same_net = other.family() == s.family()
            && Subnet::new(other, s.prefix()).unwrap().network() == n;
        prop_assert_eq!(s.contains(other), same_net);
        // Agrees with ipnet.
        let expected = ipnet::IpNet::from(s).contains(&std::net::IpAddr::from(other));
        prop_assert_eq!(s.contains(other), expected);
        // The netmask has exactly `prefix` leading ones.
        let ones: u32 = s.netmask().as_bytes().iter().map(|b| b.count_ones()).sum();
        prop_assert_eq!(ones, u32::from(s.prefix()));
    }

    #[test]
    fn mac_round_trips(m in any_mac()) {
        prop_assert_eq!(m.to_string().parse::<Mac>(), Ok(m));
        prop_assert_eq!(m.to_string().to_uppercase().parse::<Mac>(), Ok(m));
        prop_assert_eq!(Mac::from_bytes(m.as_bytes()), Some(m));
        prop_assert_eq!(m.to_string().len(), 17);
        prop_assert_eq!(m.to_string().into_mac(), Ok(m));
    }

    #[test]
    fn serde_round_trips(ip in any_ip(), s in any_subnet(), m in any_mac()) {
        let json = serde_json::to_string(&(ip, s, m)).unwrap();
        let back: (Ip, Subnet, Mac) = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, (ip, s, m));
    }

    #[test]
    fn from_str_never_panics(text in any::<String>()) {
        let _ = text.parse::<Ip>();
        let _ = text.parse::<Subnet>();
        let _ = text.parse::<Mac>();
        let _ = text.as_str().into_ip();
        let _ = serde_json::from_value::<Subnet>(serde_json::Value::String(text.clone()));
    }

    #[test]
    fn near_miss_text_never_panics_and_round_trips(text in "[0-9a-fA-F:./+ -]{0,48}") {
        if let Ok(ip) = text.parse::<Ip>() {
            prop_assert_eq!(ip.to_string().parse::<Ip>(), Ok(ip));
        }
        if let Ok(s) = text.parse::<Subnet>() {
            prop_assert_eq!(s.to_string().parse::<Subnet>(), Ok(s));
            prop_assert!(s.prefix() <= s.family().max_prefix());
        }
        if let Ok(m) = text.parse::<Mac>() {
            prop_assert_eq!(m.to_string().parse::<Mac>(), Ok(m));
        }
    }

    #[test]
    fn from_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let ip = Ip::from_bytes(&bytes);
        prop_assert_eq!(ip.is_some(), bytes.len() == 4 || bytes.len() == 16);
        if let Some(ip) = ip {
            prop_assert_eq!(ip.as_bytes(), &bytes[..]);
        }
        let mac = Mac::from_bytes(&bytes);
        prop_assert_eq!(mac.is_some(), bytes.len() == 6);
    }

    #[test]
    fn subnet_new_validates(ip in any_ip(), prefix in any::<u8>()) {
        let ok = prefix <= ip.family().max_prefix();
        prop_assert_eq!(Subnet::new(ip, prefix).is_ok(), ok);
        prop_assert_eq!((ip, prefix).into_subnet().is_ok(), ok);
        prop_assert_eq!(Subnet::from_parts(ip, prefix).is_some(), ok);
        prop_assert_eq!(format!("{ip}/{prefix}").parse::<Subnet>().is_ok(), ok);
    }
}
