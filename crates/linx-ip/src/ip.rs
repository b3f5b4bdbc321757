//! [`Ip`], an IPv4 or IPv6 address, and its [`Family`].
//!
//! Why not just `std::net::IpAddr`: netlink carries addresses as raw 4- or 16-byte attributes
//! next to an `AF_*` family number, and Linx needs a strict text form that rejects the classful
//! shorthand (`"10.1"`) some C parsers accept. `Ip` keeps the bytes in wire order so encoding is
//! a borrow ([`Ip::as_bytes`]), decoding is a length check ([`Ip::from_bytes`]), and the
//! constructors are `const fn` so checked literals ([`ip!`](crate::ip!)) work in `const` items.
//! It converts to and from `IpAddr` for free, and reuses std's parser and printer.
//!
//! # Contract
//! - Bytes are in network byte order (most significant octet first), exactly as the kernel
//!   sends and expects them in `IFA_ADDRESS`, `RTA_DST` and friends.
//! - `FromStr` accepts exactly what `std::net::IpAddr::from_str` accepts: a full dotted quad
//!   without leading zeros, or an IPv6 address (no zone id). `Display` is std's: dotted quad, and
//!   RFC 5952 compressed lower-case IPv6 (IPv4-mapped addresses print as `::ffff:a.b.c.d`).
//!   `Display` then `FromStr` is the identity.
//! - An IPv4-mapped IPv6 address stays IPv6; nothing here converts between families silently.
//! - Nothing panics, [`Ip::to_bytes`] and errors allocate, nothing else does.
//! - Ordering: all IPv4 addresses sort before all IPv6 addresses, then numerically (as `IpAddr`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::IpError;

/// An address family: IPv4 (`AF_INET`) or IPv6 (`AF_INET6`).
///
/// Netlink headers (`ifaddrmsg`, `rtmsg`, `ndmsg`, ...) carry this as a one-byte family number;
/// [`Family::af`] and [`Family::from_af`] convert.
///
/// # Examples
///
/// ```
/// use linx_ip::{Family, Ip};
///
/// let ip: Ip = "2001:db8::1".parse()?;
/// assert_eq!(ip.family(), Family::Inet6);
/// assert_eq!(Family::Inet6.af(), 10);
/// assert_eq!(Family::from_af(2), Some(Family::Inet));
/// assert_eq!(Family::Inet.to_string(), "inet");
/// # Ok::<(), linx_ip::IpError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4, `AF_INET` (2) in `<sys/socket.h>`.
    Inet,
    /// IPv6, `AF_INET6` (10) in `<sys/socket.h>` on Linux.
    Inet6,
}

impl Family {
    /// The Linux `AF_*` number: 2 for `AF_INET`, 10 for `AF_INET6`.
    ///
    /// ```
    /// use linx_ip::Family;
    /// assert_eq!(Family::Inet.af(), 2);
    /// assert_eq!(Family::Inet6.af(), 10);
    /// ```
    pub const fn af(self) -> u8 {
        match self {
            Family::Inet => 2,
            Family::Inet6 => 10,
        }
    }

    /// The family for a Linux `AF_*` number, or `None` for any other number (`AF_UNSPEC`,
    /// `AF_BRIDGE`, ...).
    ///
    /// ```
    /// use linx_ip::Family;
    /// assert_eq!(Family::from_af(10), Some(Family::Inet6));
    /// assert_eq!(Family::from_af(0), None);
    /// ```
    pub const fn from_af(af: u8) -> Option<Family> {
        match af {
            2 => Some(Family::Inet),
            10 => Some(Family::Inet6),
            _ => None,
        }
    }

    /// The longest prefix length: 32 for IPv4, 128 for IPv6.
    ///
    /// ```
    /// use linx_ip::Family;
    /// assert_eq!(Family::Inet.max_prefix(), 32);
    /// assert_eq!(Family::Inet6.max_prefix(), 128);
    /// ```
    pub const fn max_prefix(self) -> u8 {
        match self {
            Family::Inet => 32,
            Family::Inet6 => 128,
        }
    }

    /// The address length in bytes: 4 for IPv4, 16 for IPv6.
    ///
    /// ```
    /// use linx_ip::Family;
    /// assert_eq!(Family::Inet.addr_len(), 4);
    /// assert_eq!(Family::Inet6.addr_len(), 16);
    /// ```
    pub const fn addr_len(self) -> usize {
        match self {
            Family::Inet => 4,
            Family::Inet6 => 16,
        }
    }
}

impl fmt::Display for Family {
    /// `inet` or `inet6`, as `ip(8)` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Family::Inet => "inet",
            Family::Inet6 => "inet6",
        })
    }
}

/// An IPv4 or IPv6 address, stored as its wire bytes.
///
/// `Copy`, 17 bytes, no heap. Parse it strictly from text, build it from bytes or std types, or
/// write a checked literal with [`ip!`](crate::ip!).
///
/// # Examples
///
/// ```
/// use linx_ip::{ip, Ip};
///
/// let a: Ip = "10.0.0.1".parse()?;
/// assert_eq!(a, ip!("10.0.0.1"));
/// assert_eq!(a, Ip::V4([10, 0, 0, 1]));
/// assert_eq!(a.as_bytes(), &[10, 0, 0, 1]);
/// assert!("10.1".parse::<Ip>().is_err()); // no classful shorthand
///
/// let b: Ip = "2001:0db8:0:0:0:0:0:1".parse()?;
/// assert_eq!(b.to_string(), "2001:db8::1"); // RFC 5952
/// assert!(a < b); // IPv4 sorts first
/// # Ok::<(), linx_ip::IpError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ip {
    /// An IPv4 address, octets in network byte order.
    V4([u8; 4]),
    /// An IPv6 address, octets in network byte order.
    V6([u8; 16]),
}

impl Ip {
    /// `0.0.0.0`.
    ///
    /// ```
    /// assert_eq!(linx_ip::Ip::UNSPECIFIED_V4.to_string(), "0.0.0.0");
    /// ```
    pub const UNSPECIFIED_V4: Ip = Ip::V4([0; 4]);

    /// `::`.
    ///
    /// ```
    /// assert_eq!(linx_ip::Ip::UNSPECIFIED_V6.to_string(), "::");
    /// ```
    pub const UNSPECIFIED_V6: Ip = Ip::V6([0; 16]);

    /// `127.0.0.1`.
    ///
    /// ```
    /// assert!(linx_ip::Ip::LOCALHOST_V4.is_loopback());
    /// ```
    pub const LOCALHOST_V4: Ip = Ip::V4([127, 0, 0, 1]);

    /// `::1`.
    ///
    /// ```
    /// assert_eq!(linx_ip::Ip::LOCALHOST_V6.to_string(), "::1");
    /// ```
    pub const LOCALHOST_V6: Ip = Ip::V6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

    /// `255.255.255.255`, the limited broadcast address.
    ///
    /// ```
    /// assert_eq!(linx_ip::Ip::BROADCAST_V4.to_string(), "255.255.255.255");
    /// ```
    pub const BROADCAST_V4: Ip = Ip::V4([255; 4]);

    /// An IPv4 address from its four octets, most significant first. Usable in `const` items.
    ///
    /// ```
    /// use linx_ip::Ip;
    /// const GW: Ip = Ip::from_octets_v4([192, 0, 2, 1]);
    /// assert_eq!(GW.to_string(), "192.0.2.1");
    /// ```
    pub const fn from_octets_v4(octets: [u8; 4]) -> Ip {
        Ip::V4(octets)
    }

    /// An IPv6 address from its sixteen octets, most significant first. Usable in `const` items.
    ///
    /// ```
    /// use linx_ip::Ip;
    /// let mut octets = [0u8; 16];
    /// octets[0] = 0xfe;
    /// octets[1] = 0x80;
    /// octets[15] = 1;
    /// assert_eq!(Ip::from_octets_v6(octets).to_string(), "fe80::1");
    /// ```
    pub const fn from_octets_v6(octets: [u8; 16]) -> Ip {
        Ip::V6(octets)
    }

    /// The unspecified address (`0.0.0.0` or `::`) of a family.
    ///
    /// ```
    /// use linx_ip::{Family, Ip};
    /// assert_eq!(Ip::unspecified(Family::Inet6), Ip::UNSPECIFIED_V6);
    /// ```
    pub const fn unspecified(family: Family) -> Ip {
        match family {
            Family::Inet => Ip::UNSPECIFIED_V4,
            Family::Inet6 => Ip::UNSPECIFIED_V6,
        }
    }

    /// The address family.
    ///
    /// ```
    /// use linx_ip::{ip, Family};
    /// assert_eq!(ip!("10.0.0.1").family(), Family::Inet);
    /// assert_eq!(ip!("::1").family(), Family::Inet6);
    /// ```
    pub const fn family(&self) -> Family {
        match self {
            Ip::V4(_) => Family::Inet,
            Ip::V6(_) => Family::Inet6,
        }
    }

    /// `true` for an IPv4 address.
    ///
    /// ```
    /// assert!(linx_ip::ip!("10.0.0.1").is_ipv4());
    /// ```
    pub const fn is_ipv4(&self) -> bool {
        matches!(self, Ip::V4(_))
    }

    /// `true` for an IPv6 address (including IPv4-mapped ones such as `::ffff:1.2.3.4`).
    ///
    /// ```
    /// assert!(linx_ip::ip!("::ffff:1.2.3.4").is_ipv6());
    /// ```
    pub const fn is_ipv6(&self) -> bool {
        matches!(self, Ip::V6(_))
    }

    /// The wire bytes: 4 for IPv4, 16 for IPv6, network byte order. This is the payload of an
    /// address attribute such as `IFA_ADDRESS` or `RTA_GATEWAY`.
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert_eq!(ip!("192.0.2.1").as_bytes(), &[192, 0, 2, 1]);
    /// assert_eq!(ip!("::1").as_bytes().len(), 16);
    /// ```
    pub const fn as_bytes(&self) -> &[u8] {
        match self {
            Ip::V4(octets) => octets,
            Ip::V6(octets) => octets,
        }
    }

    /// The wire bytes as an owned `Vec` (4 or 16 bytes). Prefer [`Ip::as_bytes`] when a borrow
    /// will do.
    ///
    /// ```
    /// use linx_ip::{ip, Ip};
    /// let bytes = ip!("10.0.0.1").to_bytes();
    /// assert_eq!(Ip::from_bytes(&bytes), Some(ip!("10.0.0.1")));
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }

    /// Decodes wire bytes: 4 bytes are IPv4, 16 bytes are IPv6, any other length is `None`.
    /// Never panics.
    ///
    /// ```
    /// use linx_ip::{ip, Ip};
    /// assert_eq!(Ip::from_bytes(&[10, 0, 0, 1]), Some(ip!("10.0.0.1")));
    /// assert_eq!(Ip::from_bytes(&[0; 16]), Some(ip!("::")));
    /// assert_eq!(Ip::from_bytes(&[10, 0, 0]), None);
    /// assert_eq!(Ip::from_bytes(&[]), None);
    /// ```
    #[inline]
    pub fn from_bytes(bytes: &[u8]) -> Option<Ip> {
        if let Ok(octets) = <[u8; 4]>::try_from(bytes) {
            Some(Ip::V4(octets))
        } else if let Ok(octets) = <[u8; 16]>::try_from(bytes) {
            Some(Ip::V6(octets))
        } else {
            None
        }
    }

    /// The std form of the address.
    ///
    /// ```
    /// use std::net::{IpAddr, Ipv4Addr};
    /// assert_eq!(linx_ip::ip!("10.0.0.1").to_std(), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    /// ```
    pub fn to_std(&self) -> IpAddr {
        match *self {
            Ip::V4(octets) => IpAddr::V4(Ipv4Addr::from(octets)),
            Ip::V6(octets) => IpAddr::V6(Ipv6Addr::from(octets)),
        }
    }

    /// `true` for `0.0.0.0` and `::`.
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert!(ip!("0.0.0.0").is_unspecified());
    /// assert!(!ip!("::1").is_unspecified());
    /// ```
    pub fn is_unspecified(&self) -> bool {
        self.to_std().is_unspecified()
    }

    /// `true` for `127.0.0.0/8` and `::1`.
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert!(ip!("127.1.2.3").is_loopback());
    /// assert!(ip!("::1").is_loopback());
    /// ```
    pub fn is_loopback(&self) -> bool {
        self.to_std().is_loopback()
    }

    /// `true` for `224.0.0.0/4` and `ff00::/8`.
    ///
    /// ```
    /// use linx_ip::ip;
    /// assert!(ip!("224.0.0.251").is_multicast());
    /// assert!(ip!("ff02::1").is_multicast());
    /// assert!(!ip!("10.0.0.1").is_multicast());
    /// ```
    pub fn is_multicast(&self) -> bool {
        self.to_std().is_multicast()
    }
}

impl fmt::Display for Ip {
    /// Dotted quad, or RFC 5952 compressed IPv6 (std's printer). Honours width and alignment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Ip::V4(octets) => fmt::Display::fmt(&Ipv4Addr::from(octets), f),
            Ip::V6(octets) => fmt::Display::fmt(&Ipv6Addr::from(octets), f),
        }
    }
}

impl fmt::Debug for Ip {
    /// Same as `Display`, like `std::net::IpAddr`, so `{:?}` output parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Ip {
    type Err = IpError;

    /// Strict: a full dotted quad without leading zeros, or an IPv6 address.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<IpAddr>()
            .map(Ip::from)
            .map_err(|_| IpError::BadAddress(s.to_owned()))
    }
}

impl TryFrom<&str> for Ip {
    type Error = IpError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<IpAddr> for Ip {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Ip::from(v4),
            IpAddr::V6(v6) => Ip::from(v6),
        }
    }
}

impl From<Ipv4Addr> for Ip {
    fn from(ip: Ipv4Addr) -> Self {
        Ip::V4(ip.octets())
    }
}

impl From<Ipv6Addr> for Ip {
    fn from(ip: Ipv6Addr) -> Self {
        Ip::V6(ip.octets())
    }
}

impl From<[u8; 4]> for Ip {
    fn from(octets: [u8; 4]) -> Self {
        Ip::V4(octets)
    }
}

impl From<[u8; 16]> for Ip {
    fn from(octets: [u8; 16]) -> Self {
        Ip::V6(octets)
    }
}

impl From<Ip> for IpAddr {
    fn from(ip: Ip) -> Self {
        ip.to_std()
    }
}

impl TryFrom<Ip> for Ipv4Addr {
    type Error = IpError;

    /// Fails with [`IpError::WrongFamily`] for an IPv6 address (no IPv4-mapped unwrapping).
    fn try_from(ip: Ip) -> Result<Self, Self::Error> {
        match ip {
            Ip::V4(octets) => Ok(Ipv4Addr::from(octets)),
            Ip::V6(_) => Err(IpError::WrongFamily {
                expected: Family::Inet,
                found: Family::Inet6,
            }),
        }
    }
}

impl TryFrom<Ip> for Ipv6Addr {
    type Error = IpError;

    /// Fails with [`IpError::WrongFamily`] for an IPv4 address (no IPv4-mapped conversion).
    fn try_from(ip: Ip) -> Result<Self, Self::Error> {
        match ip {
            Ip::V6(octets) => Ok(Ipv6Addr::from(octets)),
            Ip::V4(_) => Err(IpError::WrongFamily {
                expected: Family::Inet6,
                found: Family::Inet,
            }),
        }
    }
}
