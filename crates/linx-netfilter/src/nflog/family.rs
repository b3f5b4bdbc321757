//! [`LogFamily`]: the protocol families a listener binds NFLOG to (a leaf module: options
//! and errors both name it).
//!
//! # Contract
//! A closed set of the families `nfnetlink_log` serves; the numbers are the kernel's
//! `NFPROTO_*`.

use std::fmt;

/// A protocol family the listener binds NFLOG to as the namespace's default logger
/// (`NFULNL_CFG_CMD_PF_BIND`); the `nfgenmsg` family of that request.
///
/// nf_tables `log group N` rules reach the group whatever is bound here; the binding matters
/// for the kernel's other loggers (`nf_log` users such as conntrack helpers).
///
/// ```
/// use linx_netfilter::nflog::LogFamily;
/// assert_eq!(LogFamily::Ipv6.nfproto(), 10);
/// assert_eq!(LogFamily::Bridge.to_string(), "bridge");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogFamily {
    /// `NFPROTO_IPV4` (2).
    Ipv4,
    /// `NFPROTO_IPV6` (10).
    Ipv6,
    /// `NFPROTO_BRIDGE` (7).
    Bridge,
    /// `NFPROTO_ARP` (3).
    Arp,
}

impl LogFamily {
    /// The `NFPROTO_*` number.
    pub const fn nfproto(self) -> u8 {
        match self {
            LogFamily::Ipv4 => linx_nfnl::family::IPV4,
            LogFamily::Ipv6 => linx_nfnl::family::IPV6,
            LogFamily::Bridge => linx_nfnl::family::BRIDGE,
            LogFamily::Arp => linx_nfnl::family::ARP,
        }
    }
}

impl fmt::Display for LogFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFamily::Ipv4 => "ipv4",
            LogFamily::Ipv6 => "ipv6",
            LogFamily::Bridge => "bridge",
            LogFamily::Arp => "arp",
        })
    }
}
