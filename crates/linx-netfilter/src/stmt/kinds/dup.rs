//! The `dup` and `fwd` statements: their models, and the encode and decode of their
//! registers.
use linx_ip::Ip;
use serde::Serialize;

use super::attrs::{Attrs, Read, be32};
use crate::Expr;

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

/// The `dup` expression reading its address and device from registers `addr` and `dev`:
/// `NFTA_DUP_SREG_ADDR` 1, `SREG_DEV` 2.
pub(super) fn encode_dup(addr: Option<u32>, dev: Option<u32>) -> Expr {
    let mut a = Attrs::default();
    if let Some(r) = addr {
        a.u32(1, r);
    }
    if let Some(r) = dev {
        a.u32(2, r);
    }
    Expr::unknown("dup", a.0)
}

/// Reads a `dup` expression: address and device registers.
pub(super) fn decode_dup(data: &[u8]) -> Option<(Option<u32>, Option<u32>)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2]) {
        return None;
    }
    Some((at.opt(1)?, at.opt(2)?))
}

/// The `fwd` expression reading its device from register `dev` and, with `addr`, its
/// address from a register with its family number: `NFTA_FWD_SREG_DEV` 1, `SREG_ADDR` 2,
/// `NFPROTO` 3.
pub(super) fn encode_fwd(dev: u32, addr: Option<(u32, u32)>) -> Expr {
    let mut a = Attrs::default();
    a.u32(1, dev);
    if let Some((r, nfproto)) = addr {
        a.u32(2, r).u32(3, nfproto);
    }
    Expr::unknown("fwd", a.0)
}

/// Reads a `fwd` expression: device register, and address register with its family number.
pub(super) fn decode_fwd(data: &[u8]) -> Option<(u32, Option<(u32, u32)>)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3]) {
        return None;
    }
    let addr = match (at.opt(2)?, at.opt(3)?) {
        (Some(r), Some(p)) => Some((r, p)),
        (None, None) => None,
        _ => return None,
    };
    Some((be32(at.get(1)?)?, addr))
}
