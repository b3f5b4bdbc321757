//! The `dup` and `fwd` statements: their models; their registers are written and read by
//! the parent module's `encode_reg_stmt` and `decode_reg_stmt`.
use linx_ip::Ip;
use serde::Serialize;

/// `dup to <addr> [device "name"]` (ip, ip6) or `dup to "name"` (netdev): send a copy of
/// the packet.
///
/// ```
/// use linx_netfilter::stmt::Dup;
/// use linx_ip::ip;
/// let d = Dup { addr: Some(ip!("10.0.0.2")), device: Some(1) };
/// assert_eq!(d.device, Some(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Dup {
    /// The gateway the copy is sent to (ip and ip6 tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<Ip>,
    /// The interface index the copy leaves by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<u32>,
}

/// `fwd to "name"` / `fwd ip to <addr> device "name"` (netdev): forward the packet out of an
/// interface, to a neighbour when an address is given.
///
/// ```
/// use linx_netfilter::stmt::Fwd;
/// let f = Fwd { device: 1, addr: None };
/// assert_eq!(f.device, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Fwd {
    /// The interface index.
    pub device: u32,
    /// The neighbour's address (its family is the `ip`/`ip6` nft prints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<Ip>,
}
