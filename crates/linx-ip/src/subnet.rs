//! [`Subnet`], an address with a prefix length (`10.0.0.5/24`).
//!
//! Why keep the host bits: the kernel's `ifaddrmsg` pairs an interface address with its prefix
//! length (`ip addr add 10.0.0.5/24`), so a `Subnet` must be able to say "this host, on that
//! network". [`Subnet::network`] gives the normalised network when that is what is meant (a
//! route destination). The prefix is validated once, at construction, so every method after
//! that is total.
//!
//! # Contract
//! - Invariant: `prefix() <= address().family().max_prefix()` (32 or 128). Fields are private
//!   so it cannot be broken.
//! - `FromStr` accepts only `address/prefix`: the address as strict as [`Ip`]'s `FromStr`, the
//!   prefix one to three decimal digits with no sign and no leading zero (`"0"` is fine). A bare
//!   address is rejected; use [`Subnet::host`] for a full-width prefix.
//! - `Display` prints the address as given, then `/prefix`; `Display` then `FromStr` is the
//!   identity.
//! - Nothing panics; only errors allocate.
//! - Ordering: by address (IPv4 first), then by prefix length.

use std::fmt;
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::{Family, Ip, IpError};

/// An IP address with a prefix length, e.g. `10.0.0.5/24` or `2001:db8::/32`.
///
/// The address keeps its host bits; [`Subnet::network`] clears them.
///
/// # Examples
///
/// ```
/// use linx_ip::{ip, Subnet};
///
/// let s: Subnet = "10.0.0.5/24".parse()?;
/// assert_eq!(s.address(), ip!("10.0.0.5"));
/// assert_eq!(s.prefix(), 24);
/// assert_eq!(s.network(), ip!("10.0.0.0/24"));
/// assert_eq!(s.broadcast(), Some(ip!("10.0.0.255")));
/// assert!(s.contains(ip!("10.0.0.200")));
/// assert!("10.0.0.0/33".parse::<Subnet>().is_err());
/// assert!("10.0.0.5".parse::<Subnet>().is_err()); // no '/': not a subnet
/// # Ok::<(), linx_ip::IpError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subnet {
    address: Ip,
    prefix: u8,
}

/// The IPv4 netmask for `prefix` (at most 32) as a host-order integer.
const fn mask_v4(prefix: u8) -> u32 {
    match u32::MAX.checked_shl(32 - prefix as u32) {
        Some(mask) => mask,
        None => 0,
    }
}

/// The IPv6 netmask for `prefix` (at most 128) as a host-order integer.
const fn mask_v6(prefix: u8) -> u128 {
    match u128::MAX.checked_shl(128 - prefix as u32) {
        Some(mask) => mask,
        None => 0,
    }
}

impl Subnet {
    /// A subnet from an address and prefix length; fails with [`IpError::BadPrefix`] if the
    /// prefix is longer than the family allows.
    ///
    /// ```
    /// use linx_ip::{ip, IpError, Subnet};
    /// let s = Subnet::new(ip!("10.0.0.5"), 24)?;
    /// assert_eq!(s.to_string(), "10.0.0.5/24");
    /// assert!(matches!(Subnet::new(ip!("10.0.0.5"), 33), Err(IpError::BadPrefix { .. })));
    /// assert!(Subnet::new(ip!("::1"), 128).is_ok());
    /// # Ok::<(), IpError>(())
    /// ```
    pub fn new(address: Ip, prefix: u8) -> Result<Subnet, IpError> {
        Subnet::from_parts(address, prefix).ok_or(IpError::BadPrefix {
            family: address.family(),
            prefix,
        })
    }

    /// Like [`Subnet::new`] but `const`, returning `None` for a too-long prefix. This is what
    /// [`ip!`](crate::ip!) expands to.
    ///
    /// ```
    /// use linx_ip::{Ip, Subnet};
    /// const NET: Option<Subnet> = Subnet::from_parts(Ip::from_octets_v4([10, 0, 0, 0]), 8);
    /// assert_eq!(NET.map(|s| s.prefix()), Some(8));
    /// assert_eq!(Subnet::from_parts(Ip::LOCALHOST_V6, 129), None);
    /// ```
    pub const fn from_parts(address: Ip, prefix: u8) -> Option<Subnet> {
        if prefix <= address.family().max_prefix() {
            Some(Subnet { address, prefix })
        } else {
            None
        }
    }

    /// The single-address subnet of `address`: prefix 32 for IPv4, 128 for IPv6.
    ///
    /// ```
    /// use linx_ip::{ip, Subnet};
    /// assert_eq!(Subnet::host(ip!("10.0.0.1")), ip!("10.0.0.1/32"));
    /// assert_eq!(Subnet::host(ip!("::1")).to_string(), "::1/128");
    /// ```
    pub const fn host(address: Ip) -> Subnet {
        Subnet {
            address,
            prefix: address.family().max_prefix(),
        }
    }

    /// The address as given, host bits included.
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert_eq!(ip!("10.0.0.5/24").address(), ip!("10.0.0.5"));
    /// ```
    pub const fn address(&self) -> Ip {
        self.address
    }

    /// The prefix length, at most 32 (IPv4) or 128 (IPv6).
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert_eq!(ip!("2001:db8::/32").prefix(), 32);
    /// ```
    pub const fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The address family.
    ///
    /// ```
    /// use linx_ip::{ip, Family};
    /// assert_eq!(ip!("2001:db8::/32").family(), Family::Inet6);
    /// ```
    pub const fn family(&self) -> Family {
        self.address.family()
    }

    /// The netmask as an address, e.g. `255.255.255.0` for a `/24`.
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert_eq!(ip!("10.0.0.5/24").netmask(), ip!("255.255.255.0"));
    /// assert_eq!(ip!("10.0.0.5/0").netmask(), ip!("0.0.0.0"));
    /// assert_eq!(ip!("2001:db8::/32").netmask(), ip!("ffff:ffff::"));
    /// ```
    pub const fn netmask(&self) -> Ip {
        match self.address {
            Ip::V4(_) => Ip::V4(mask_v4(self.prefix).to_be_bytes()),
            Ip::V6(_) => Ip::V6(mask_v6(self.prefix).to_be_bytes()),
        }
    }

    /// The same subnet with the host bits of the address cleared.
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert_eq!(ip!("10.1.2.3/16").network(), ip!("10.1.0.0/16"));
    /// assert_eq!(ip!("2001:db8::1/64").network().to_string(), "2001:db8::/64");
    /// ```
    pub const fn network(&self) -> Subnet {
        let address = match self.address {
            Ip::V4(octets) => {
                Ip::V4((u32::from_be_bytes(octets) & mask_v4(self.prefix)).to_be_bytes())
            }
            Ip::V6(octets) => {
                Ip::V6((u128::from_be_bytes(octets) & mask_v6(self.prefix)).to_be_bytes())
            }
        };
        Subnet {
            address,
            prefix: self.prefix,
        }
    }

    /// The IPv4 directed broadcast address (all host bits set); `None` for IPv6, which has no
    /// broadcast.
    ///
    /// This is plain bit arithmetic: a `/32` yields the address itself and a `/31` the upper of
    /// its two addresses, although neither has a broadcast address in practice (RFC 3021).
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert_eq!(ip!("10.0.0.5/24").broadcast(), Some(ip!("10.0.0.255")));
    /// assert_eq!(ip!("10.0.0.0/8").broadcast(), Some(ip!("10.255.255.255")));
    /// assert_eq!(ip!("2001:db8::/64").broadcast(), None);
    /// ```
    pub const fn broadcast(&self) -> Option<Ip> {
        match self.address {
            Ip::V4(octets) => Some(Ip::V4(
                (u32::from_be_bytes(octets) | !mask_v4(self.prefix)).to_be_bytes(),
            )),
            Ip::V6(_) => None,
        }
    }

    /// `true` if `ip` is inside this subnet; always `false` for an address of the other family.
    ///
    /// ```
    /// use linx_ip::ip;
    /// let net = ip!("10.0.0.0/24");
    /// assert!(net.contains(ip!("10.0.0.1")));
    /// assert!(!net.contains(ip!("10.0.1.1")));
    /// assert!(!net.contains(ip!("::ffff:10.0.0.1"))); // family mismatch
    /// assert!(ip!("0.0.0.0/0").contains(std::net::Ipv4Addr::LOCALHOST));
    /// ```
    pub fn contains(&self, ip: impl Into<Ip>) -> bool {
        match (self.address, ip.into()) {
            (Ip::V4(net), Ip::V4(ip)) => {
                (u32::from_be_bytes(net) ^ u32::from_be_bytes(ip)) & mask_v4(self.prefix) == 0
            }
            (Ip::V6(net), Ip::V6(ip)) => {
                (u128::from_be_bytes(net) ^ u128::from_be_bytes(ip)) & mask_v6(self.prefix) == 0
            }
            _ => false,
        }
    }
}

/// Parses the prefix-length part of `a/len`: one to three ASCII digits, no sign, no leading zero
/// except for `0` itself. The range check is the caller's.
fn parse_prefix(text: &str) -> Option<u8> {
    let well_formed = !text.is_empty()
        && text.len() <= 3
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if well_formed { text.parse().ok() } else { None }
}

impl FromStr for Subnet {
    type Err = IpError;

    /// Strict `address/prefix`; anything else is [`IpError::BadSubnet`] holding the input.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || IpError::BadSubnet(s.to_owned());
        let (address, prefix) = s.split_once('/').ok_or_else(bad)?;
        let address: Ip = address.parse().map_err(|_| bad())?;
        let prefix = parse_prefix(prefix).ok_or_else(bad)?;
        Subnet::from_parts(address, prefix).ok_or_else(bad)
    }
}

impl TryFrom<&str> for Subnet {
    type Error = IpError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for Subnet {
    /// `address/prefix`, address as given. Honours width and alignment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_none() && f.precision().is_none() {
            write!(f, "{}/{}", self.address, self.prefix)
        } else {
            f.pad(&format!("{}/{}", self.address, self.prefix))
        }
    }
}

impl fmt::Debug for Subnet {
    /// Same as `Display`, so `{:?}` output parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<Ipv4Net> for Subnet {
    fn from(net: Ipv4Net) -> Self {
        Subnet {
            address: net.addr().into(),
            prefix: net.prefix_len(),
        }
    }
}

impl From<Ipv6Net> for Subnet {
    fn from(net: Ipv6Net) -> Self {
        Subnet {
            address: net.addr().into(),
            prefix: net.prefix_len(),
        }
    }
}

impl From<IpNet> for Subnet {
    fn from(net: IpNet) -> Self {
        match net {
            IpNet::V4(v4) => v4.into(),
            IpNet::V6(v6) => v6.into(),
        }
    }
}

impl TryFrom<Subnet> for Ipv4Net {
    type Error = IpError;

    /// Fails with [`IpError::WrongFamily`] for an IPv6 subnet.
    fn try_from(subnet: Subnet) -> Result<Self, Self::Error> {
        match subnet.address {
            Ip::V4(octets) => {
                Ipv4Net::new(octets.into(), subnet.prefix).map_err(|_| IpError::BadPrefix {
                    family: Family::Inet,
                    prefix: subnet.prefix,
                })
            }
            Ip::V6(_) => Err(IpError::WrongFamily {
                expected: Family::Inet,
                found: Family::Inet6,
            }),
        }
    }
}

impl TryFrom<Subnet> for Ipv6Net {
    type Error = IpError;

    /// Fails with [`IpError::WrongFamily`] for an IPv4 subnet.
    fn try_from(subnet: Subnet) -> Result<Self, Self::Error> {
        match subnet.address {
            Ip::V6(octets) => {
                Ipv6Net::new(octets.into(), subnet.prefix).map_err(|_| IpError::BadPrefix {
                    family: Family::Inet6,
                    prefix: subnet.prefix,
                })
            }
            Ip::V4(_) => Err(IpError::WrongFamily {
                expected: Family::Inet6,
                found: Family::Inet,
            }),
        }
    }
}

impl From<Subnet> for IpNet {
    fn from(subnet: Subnet) -> Self {
        let address = subnet.address.to_std();
        match IpNet::new(address, subnet.prefix) {
            Ok(net) => net,
            // Unreachable: the Subnet invariant (prefix <= family maximum) is exactly ipnet's
            // condition. Fall back to the host network rather than panic.
            Err(_) => IpNet::from(address),
        }
    }
}
