//! IP address, subnet and MAC value types for Linx: [`Ip`], [`Subnet`], [`Mac`], with strict
//! parsing, wire byte codecs, and compile-time checked literals ([`ip!`], [`mac!`]).
//!
//! Every rtnetlink verb takes and returns addresses, prefixes and link-layer addresses. This crate
//! gives them one set of small `Copy` types that sit under all the netlink crates and depend on
//! no Linx crate. Why the shape:
//!
//! - **Strict text forms.** `"10.1"` is `10.0.0.1` to `inet_aton` and an error here. Typos in
//!   network config must fail loudly, so each `FromStr` accepts one canonical spelling family
//!   and `Display` output always parses back to the same value.
//! - **Wire bytes are the representation.** An address is stored as the 4 or 16 bytes the kernel
//!   puts in `IFA_ADDRESS`/`RTA_DST`, so encoding is [`Ip::as_bytes`] and decoding is
//!   [`Ip::from_bytes`], a length check that cannot panic on hostile input.
//! - **Literals checked by the compiler.** `ip!("10.0.0.256")` fails the build instead of a test
//!   run, and the literals are `const`.
//! - **One "Into story".** Verbs take `impl IntoIp`, `impl IntoSubnet` or `impl IntoMac`, so
//!   callers pass the typed value or its string form, and a bad string comes back as an
//!   [`IpError`] from the verb.
//!
//! # The Into story
//!
//! A verb is written once against the conversion trait and accepts typed values, std and
//! `ipnet` values, `(address, prefix)` pairs and strings:
//!
//! ```
//! use linx_ip::{ip, IntoSubnet, IpError, Subnet};
//!
//! fn add(addr: impl IntoSubnet) -> Result<Subnet, IpError> {
//!     let addr = addr.into_subnet()?; // a bad string is reported here
//!     // ... encode addr.address().as_bytes() and addr.prefix() into an RTM_NEWADDR ...
//!     Ok(addr)
//! }
//!
//! let a = add("10.0.0.5/24")?;
//! assert_eq!(a, add(ip!("10.0.0.5/24"))?);
//! assert_eq!(a, add((ip!("10.0.0.5"), 24))?);
//! assert_eq!(a, add("10.0.0.5/24".parse::<ipnet::IpNet>().unwrap())?);
//! assert_eq!(add(ip!("10.0.0.5"))?.prefix(), 32); // an Ip is its host subnet
//! assert_eq!(
//!     add("10.0.0.5/33").unwrap_err().to_string(),
//!     r#"bad subnet "10.0.0.5/33""#
//! );
//! # Ok::<(), IpError>(())
//! ```
//!
//! # Contract
//! - Pure values: no I/O, no netlink, no global state; every type is `Copy`, `Send` and `Sync`.
//! - Byte order: wire bytes are network byte order (most significant first), as the kernel uses
//!   for address attributes.
//! - Text: `FromStr` is strict (see [`Ip`], [`Subnet`], [`Mac`] for the exact grammar) and
//!   `Display` then `FromStr` is the identity. `Debug` prints the same as `Display`.
//! - Never panics, on any input, in any function. Only error values, `to_bytes`, `to_string`
//!   and padded formatting allocate.
//! - Conversions: `From`/`TryFrom` between these types and `std::net` / `ipnet` types
//!   (`TryFrom` where the family may not match, failing with [`IpError::WrongFamily`]).
//! - `serde`: all three types serialize as their `Display` strings and deserialize with
//!   `FromStr`.
//! - Literal macros expand to paths through `$crate`, so they keep working when the crate is
//!   renamed in `Cargo.toml`. Calling `linx-ip-macros` directly instead names `::linx_ip`.
//! - Out of scope: interface zone ids (`fe80::1%eth0`), hardware addresses other than 6 bytes,
//!   address ranges and set arithmetic beyond `contains`/`network`/`broadcast`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod into;
mod ip;
mod mac;
mod serde_impls;
mod subnet;

pub use crate::error::IpError;
pub use crate::into::{IntoIp, IntoMac, IntoSubnet};
pub use crate::ip::{Family, Ip};
pub use crate::mac::Mac;
pub use crate::subnet::Subnet;

/// Implementation details of [`ip!`] and [`mac!`]; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use linx_ip_macros::{ip, mac};
}

/// A compile-time checked IP address or subnet literal.
///
/// `ip!("a.b.c.d")` and `ip!("v6::addr")` give an [`Ip`]; a literal containing `/`
/// (`ip!("10.0.0.0/24")`) gives a [`Subnet`]. The literal must be a plain string literal and
/// follows the same strict rules as the `FromStr` impls: full dotted quad without leading
/// zeros, IPv6 per std, prefix length 0..=32 or 0..=128 with no sign or leading zeros. A bad
/// literal is a compile error naming the literal and the rule, and the expansion is a constant
/// expression, so the macro works in `const` and `static` items.
///
/// # Examples
///
/// ```
/// use linx_ip::{ip, Ip, Subnet};
///
/// const GW: Ip = ip!("10.0.0.1");
/// const NET: Subnet = ip!("10.0.0.0/24");
/// const V6: Ip = ip!("2001:db8::1");
///
/// assert_eq!(GW, "10.0.0.1".parse()?);
/// assert!(NET.contains(GW));
/// assert_eq!(V6.to_string(), "2001:db8::1");
/// assert_eq!(ip!("::/0").prefix(), 0);
/// # Ok::<(), linx_ip::IpError>(())
/// ```
///
/// A classful shorthand is rejected at compile time:
///
/// ```compile_fail
/// let gw = linx_ip::ip!("10.1");
/// ```
///
/// So is a prefix longer than the family allows:
///
/// ```compile_fail
/// let net = linx_ip::ip!("10.0.0.0/33");
/// ```
///
/// And anything that is not a plain string literal:
///
/// ```compile_fail
/// const TEXT: &str = "10.0.0.1";
/// let gw = linx_ip::ip!(TEXT);
/// ```
#[macro_export]
macro_rules! ip {
    ($($literal:tt)*) => {
        $crate::__private::ip!($crate; $($literal)*)
    };
}

/// A compile-time checked MAC address literal, giving a [`Mac`].
///
/// The literal must be a plain string literal of exactly six `:`-separated groups of one or two
/// hex digits (either case), as for `Mac`'s `FromStr`. A bad literal is a compile error; the
/// expansion is a constant expression.
///
/// # Examples
///
/// ```
/// use linx_ip::{mac, Mac};
///
/// const ROUTER: Mac = mac!("02:AA:bb:cc:dd:ee");
/// assert_eq!(ROUTER.to_string(), "02:aa:bb:cc:dd:ee");
/// assert_eq!(ROUTER, "02:aa:bb:cc:dd:ee".parse()?);
/// # Ok::<(), linx_ip::IpError>(())
/// ```
///
/// Five groups are rejected at compile time:
///
/// ```compile_fail
/// let m = linx_ip::mac!("02:aa:bb:cc:dd");
/// ```
///
/// So are non-hex digits:
///
/// ```compile_fail
/// let m = linx_ip::mac!("zz:aa:bb:cc:dd:ee");
/// ```
#[macro_export]
macro_rules! mac {
    ($($literal:tt)*) => {
        $crate::__private::mac!($crate; $($literal)*)
    };
}
