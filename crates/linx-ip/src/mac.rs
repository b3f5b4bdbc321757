//! [`Mac`], a 48-bit Ethernet (EUI-48) link-layer address.
//!
//! Why a separate type instead of `[u8; 6]`: link and neighbour verbs (`IFLA_ADDRESS`,
//! `NDA_LLADDR`) take MACs from users as text, and the text form needs one strict parser and one
//! printer shared by every crate; the bit predicates (multicast, locally administered) are easy to
//! get backwards when done by hand.
//!
//! # Contract
//! - `FromStr` accepts exactly six `:`-separated groups of one or two hex digits, either case
//!   (`2:aa:BB:c:d:ee` is fine). Rejected: other separators (`-`, `.`), five or seven groups,
//!   empty or three-digit groups, signs, `0x` prefixes, surrounding whitespace.
//! - `Display` prints six lower-case two-digit groups; `Display` then `FromStr` is the identity.
//! - Wire form: the six bytes as-is. [`Mac::from_bytes`] returns `None` for any other length
//!   (some devices report 8- or 20-byte hardware addresses; they are out of scope here).
//! - Nothing panics; only errors allocate.

use std::fmt;
use std::str::FromStr;

use crate::IpError;

/// A 48-bit MAC address, e.g. `02:aa:bb:cc:dd:ee`.
///
/// # Examples
///
/// ```
/// use linx_ip::{mac, Mac};
///
/// let m: Mac = "02:AA:bb:cc:dd:EE".parse()?;
/// assert_eq!(m, mac!("02:aa:bb:cc:dd:ee"));
/// assert_eq!(m.to_string(), "02:aa:bb:cc:dd:ee");
/// assert!(m.is_local());
/// assert!("02-aa-bb-cc-dd-ee".parse::<Mac>().is_err());
/// # Ok::<(), linx_ip::IpError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Mac([u8; 6]);

impl Mac {
    /// `ff:ff:ff:ff:ff:ff`, the Ethernet broadcast address.
    ///
    /// ```
    /// assert!(linx_ip::Mac::BROADCAST.is_broadcast());
    /// ```
    pub const BROADCAST: Mac = Mac([0xff; 6]);

    /// `00:00:00:00:00:00`, which the kernel reports for devices without a hardware address.
    ///
    /// ```
    /// assert_eq!(linx_ip::Mac::ZERO.to_string(), "00:00:00:00:00:00");
    /// ```
    pub const ZERO: Mac = Mac([0; 6]);

    /// A MAC from its six bytes, in wire order. Usable in `const` items.
    ///
    /// ```
    /// use linx_ip::Mac;
    /// const M: Mac = Mac::new([0x02, 0, 0, 0, 0, 1]);
    /// assert_eq!(M.to_string(), "02:00:00:00:00:01");
    /// ```
    pub const fn new(octets: [u8; 6]) -> Mac {
        Mac(octets)
    }

    /// The six bytes, by value.
    ///
    /// ```
    /// assert_eq!(linx_ip::mac!("02:00:00:00:00:01").octets(), [2, 0, 0, 0, 0, 1]);
    /// ```
    pub const fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// The wire bytes (the payload of `IFLA_ADDRESS` or `NDA_LLADDR`).
    ///
    /// ```
    /// let m = linx_ip::mac!("02:aa:bb:cc:dd:ee");
    /// assert_eq!(m.as_bytes(), &[0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    /// Decodes wire bytes: exactly 6 bytes, otherwise `None`. Never panics.
    ///
    /// ```
    /// use linx_ip::{mac, Mac};
    /// assert_eq!(Mac::from_bytes(&[2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]), Some(mac!("02:aa:bb:cc:dd:ee")));
    /// assert_eq!(Mac::from_bytes(&[0; 8]), None);
    /// ```
    #[inline]
    pub fn from_bytes(bytes: &[u8]) -> Option<Mac> {
        <[u8; 6]>::try_from(bytes).ok().map(Mac)
    }

    /// `true` if the group bit (least significant bit of the first byte) is set: multicast and
    /// broadcast addresses.
    ///
    /// ```
    /// use linx_ip::mac;
    /// assert!(mac!("01:00:5e:00:00:01").is_multicast());
    /// assert!(!mac!("02:aa:bb:cc:dd:ee").is_multicast());
    /// ```
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// `true` if the group bit is clear.
    ///
    /// ```
    /// assert!(linx_ip::mac!("00:11:22:33:44:55").is_unicast());
    /// ```
    pub const fn is_unicast(&self) -> bool {
        !self.is_multicast()
    }

    /// `true` if the locally-administered bit (second least significant bit of the first byte)
    /// is set, as for addresses the kernel or an admin made up (`02:...`, veth, bridges).
    ///
    /// ```
    /// use linx_ip::mac;
    /// assert!(mac!("02:aa:bb:cc:dd:ee").is_local());
    /// assert!(!mac!("00:11:22:33:44:55").is_local());
    /// ```
    pub const fn is_local(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// `true` for `ff:ff:ff:ff:ff:ff`.
    ///
    /// ```
    /// assert!(linx_ip::mac!("ff:ff:ff:ff:ff:ff").is_broadcast());
    /// ```
    pub const fn is_broadcast(&self) -> bool {
        matches!(self.0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }
}

/// One group: one or two hex digits, nothing else.
fn parse_group(group: &str) -> Option<u8> {
    let well_formed =
        (1..=2).contains(&group.len()) && group.bytes().all(|b| b.is_ascii_hexdigit());
    if well_formed {
        u8::from_str_radix(group, 16).ok()
    } else {
        None
    }
}

impl FromStr for Mac {
    type Err = IpError;

    /// Six `:`-separated groups of one or two hex digits; else [`IpError::BadMac`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || IpError::BadMac(s.to_owned());
        let mut octets = [0u8; 6];
        let mut groups = s.split(':');
        for slot in &mut octets {
            *slot = groups.next().and_then(parse_group).ok_or_else(bad)?;
        }
        match groups.next() {
            Some(_) => Err(bad()),
            None => Ok(Mac(octets)),
        }
    }
}

impl TryFrom<&str> for Mac {
    type Error = IpError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for Mac {
    /// Lower-case, two digits per group. Honours width and alignment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        if f.width().is_none() && f.precision().is_none() {
            write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
        } else {
            f.pad(&format!("{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}"))
        }
    }
}

impl fmt::Debug for Mac {
    /// Same as `Display`, so `{:?}` output parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<[u8; 6]> for Mac {
    fn from(octets: [u8; 6]) -> Self {
        Mac(octets)
    }
}

impl From<Mac> for [u8; 6] {
    fn from(mac: Mac) -> Self {
        mac.0
    }
}
