//! The crate's one error type.
//!
//! Why one enum: every fallible operation here is "this text or value is not a valid address,
//! subnet or MAC", and callers (rtnl verbs, config loaders) want to match on which kind and show
//! the offending input. The string variants keep the caller's input verbatim instead of a
//! formatted message, so `Display` can quote it.
//!
//! # Contract
//! - `IpError` is `#[non_exhaustive]`: new variants may be added in minor releases.
//! - The string variants own a copy of the rejected input (one allocation per error); nothing else
//!   allocates.
//! - `Display` quotes the input with Rust string escaping, e.g. `bad IP address "10.1"`.

use crate::ip::Family;

/// Why a value could not be parsed or converted.
///
/// # Examples
///
/// ```
/// use linx_ip::{Ip, IpError};
///
/// let err = "10.1".parse::<Ip>().unwrap_err();
/// assert_eq!(err, IpError::BadAddress("10.1".to_owned()));
/// assert_eq!(err.to_string(), r#"bad IP address "10.1""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IpError {
    /// The text is not a full IPv4 dotted quad or an IPv6 address; holds the text.
    #[error("bad IP address {0:?}")]
    BadAddress(String),
    /// The text is not `address/prefix` with a valid address and prefix length; holds the text.
    #[error("bad subnet {0:?}")]
    BadSubnet(String),
    /// The text is not six `:`-separated hex octets; holds the text.
    #[error("bad MAC address {0:?}")]
    BadMac(String),
    /// A prefix length longer than the family allows (32 for IPv4, 128 for IPv6).
    #[error("prefix length /{prefix} is too long for {family} (max {max})", max = .family.max_prefix())]
    BadPrefix {
        /// The family of the address the prefix was meant for.
        family: Family,
        /// The rejected prefix length.
        prefix: u8,
    },
    /// A conversion to a single-family type got an address of the other family.
    #[error("expected an {expected} address, got {found}")]
    WrongFamily {
        /// The family the target type holds.
        expected: Family,
        /// The family of the value that was given.
        found: Family,
    },
}

impl From<IpError> for std::io::Error {
    /// Maps every `IpError` to [`std::io::ErrorKind::InvalidInput`], keeping it as the source.
    ///
    /// ```
    /// let err: std::io::Error = "x".parse::<linx_ip::Mac>().unwrap_err().into();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    fn from(err: IpError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, err)
    }
}
