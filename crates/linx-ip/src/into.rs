//! The "Into story": [`IntoIp`], [`IntoSubnet`] and [`IntoMac`].
//!
//! Why these traits instead of `Into<Ip>` or `TryInto<Ip>`: a verb such as
//! `addr.add(link, "10.0.0.5/24")` should accept the typed value and its string form with one
//! signature. `Into` cannot express the fallible string case, and `TryInto` gives every source a
//! different error type, which a generic verb cannot name or report. These traits are fallible
//! with the one error type [`IpError`], so the verb writes `let addr = addr.into_subnet()?;` and
//! propagates a useful message.
//!
//! # Contract
//! - Typed sources (`Ip`, std and ipnet types, byte arrays) never fail, except `(ip, prefix)`
//!   pairs with a too-long prefix ([`IpError::BadPrefix`]) and string-form `ip` parts of pairs.
//! - String sources use the strict `FromStr` of the target type and fail with its error.
//! - An [`Ip`] converts to a [`Subnet`] as its host subnet (`/32` or `/128`); a string never
//!   does: `"10.0.0.1"` is not a subnet, write `"10.0.0.1/32"`.
//! - The traits are not sealed: a caller's own types may implement them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::{Ip, IpError, Mac, Subnet};

/// A value that can be turned into an [`Ip`]: the typed value or its string form.
///
/// Implemented for `Ip`, `&Ip`, `&str`, `String`, `&String`, `IpAddr`, `Ipv4Addr`, `Ipv6Addr`,
/// `[u8; 4]` and `[u8; 16]`.
///
/// # Examples
///
/// ```
/// use linx_ip::{ip, Ip, IntoIp, IpError};
///
/// fn gateway(via: impl IntoIp) -> Result<Ip, IpError> {
///     via.into_ip()
/// }
///
/// assert_eq!(gateway("10.0.0.1")?, ip!("10.0.0.1"));
/// assert_eq!(gateway(std::net::Ipv4Addr::new(10, 0, 0, 1))?, ip!("10.0.0.1"));
/// assert_eq!(gateway([10, 0, 0, 1])?, ip!("10.0.0.1"));
/// assert!(gateway("10.1").is_err());
/// # Ok::<(), IpError>(())
/// ```
pub trait IntoIp {
    /// Converts to an [`Ip`]; fails only for a string that is not a valid address.
    ///
    /// ```
    /// use linx_ip::IntoIp;
    /// assert_eq!("::1".into_ip()?.to_string(), "::1");
    /// # Ok::<(), linx_ip::IpError>(())
    /// ```
    fn into_ip(self) -> Result<Ip, IpError>;
}

/// A value that can be turned into a [`Subnet`]: the typed value or its string form.
///
/// Implemented for `Subnet`, `&Subnet`, `&str`, `String`, `&String`, `IpNet`, `Ipv4Net`,
/// `Ipv6Net`, `Ip` (its host subnet) and `(T, u8)` for any `T: IntoIp`.
///
/// # Examples
///
/// ```
/// use linx_ip::{ip, IntoSubnet, IpError, Subnet};
///
/// fn route(dst: impl IntoSubnet) -> Result<Subnet, IpError> {
///     dst.into_subnet()
/// }
///
/// assert_eq!(route("10.0.0.0/8")?, ip!("10.0.0.0/8"));
/// assert_eq!(route((ip!("10.0.0.0"), 8))?, ip!("10.0.0.0/8"));
/// assert_eq!(route(("10.0.0.0", 8))?, ip!("10.0.0.0/8"));
/// assert_eq!(route(ip!("10.0.0.1"))?, ip!("10.0.0.1/32"));
/// assert!(route("10.0.0.1").is_err()); // a bare address string is not a subnet
/// # Ok::<(), IpError>(())
/// ```
pub trait IntoSubnet {
    /// Converts to a [`Subnet`]; fails for an invalid string or a too-long prefix.
    ///
    /// ```
    /// use linx_ip::IntoSubnet;
    /// assert_eq!("2001:db8::/32".into_subnet()?.prefix(), 32);
    /// # Ok::<(), linx_ip::IpError>(())
    /// ```
    fn into_subnet(self) -> Result<Subnet, IpError>;
}

/// A value that can be turned into a [`Mac`]: the typed value or its string form.
///
/// Implemented for `Mac`, `&Mac`, `&str`, `String`, `&String` and `[u8; 6]`.
///
/// # Examples
///
/// ```
/// use linx_ip::{mac, IntoMac, IpError, Mac};
///
/// fn set_address(lladdr: impl IntoMac) -> Result<Mac, IpError> {
///     lladdr.into_mac()
/// }
///
/// assert_eq!(set_address("02:aa:bb:cc:dd:ee")?, mac!("02:aa:bb:cc:dd:ee"));
/// assert_eq!(set_address([2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee])?, mac!("02:aa:bb:cc:dd:ee"));
/// # Ok::<(), IpError>(())
/// ```
pub trait IntoMac {
    /// Converts to a [`Mac`]; fails only for a string that is not a valid MAC.
    ///
    /// ```
    /// use linx_ip::IntoMac;
    /// assert!("02:aa:bb:cc:dd".into_mac().is_err());
    /// ```
    fn into_mac(self) -> Result<Mac, IpError>;
}

/// Implements a conversion trait for sources that go through `FromStr` or an infallible `From`.
macro_rules! into_impls {
    ($trait:ident :: $method:ident -> $target:ty {
        parse: [$($parse:ty),* $(,)?],
        from: [$($from:ty),* $(,)?] $(,)?
    }) => {
        $(
            impl $trait for $parse {
                fn $method(self) -> Result<$target, IpError> {
                    self.parse()
                }
            }
        )*
        $(
            impl $trait for $from {
                fn $method(self) -> Result<$target, IpError> {
                    Ok(<$target>::from(self))
                }
            }
        )*
    };
}

into_impls!(IntoIp::into_ip -> Ip {
    parse: [&str, String, &String],
    from: [Ip, IpAddr, Ipv4Addr, Ipv6Addr, [u8; 4], [u8; 16]],
});

into_impls!(IntoSubnet::into_subnet -> Subnet {
    parse: [&str, String, &String],
    from: [Subnet, IpNet, Ipv4Net, Ipv6Net],
});

into_impls!(IntoMac::into_mac -> Mac {
    parse: [&str, String, &String],
    from: [Mac, [u8; 6]],
});

impl IntoIp for &Ip {
    fn into_ip(self) -> Result<Ip, IpError> {
        Ok(*self)
    }
}

impl IntoSubnet for &Subnet {
    fn into_subnet(self) -> Result<Subnet, IpError> {
        Ok(*self)
    }
}

impl IntoSubnet for Ip {
    /// The host subnet: `/32` for IPv4, `/128` for IPv6.
    fn into_subnet(self) -> Result<Subnet, IpError> {
        Ok(Subnet::host(self))
    }
}

impl<T: IntoIp> IntoSubnet for (T, u8) {
    /// The address with this prefix length; [`IpError::BadPrefix`] if it is too long.
    fn into_subnet(self) -> Result<Subnet, IpError> {
        Subnet::new(self.0.into_ip()?, self.1)
    }
}

impl IntoMac for &Mac {
    fn into_mac(self) -> Result<Mac, IpError> {
        Ok(*self)
    }
}
