//! The `tproxy` statement: its model and checks, and the encode and decode of its
//! registers.
use linx_ip::Ip;
use serde::Serialize;

use super::attrs::{Attrs, Read, be32};
use crate::{Expr, Family};

/// `tproxy [ip|ip6] to [addr][:port]`: redirect to a local socket without rewriting the
/// packet.
///
/// Private fields: an address or a port (or both); the address is of `family` when both are
/// given.
///
/// ```
/// use linx_netfilter::{Family, stmt::Tproxy};
/// use linx_ip::ip;
/// assert!(Tproxy::new(Some(Family::Ip), Some(ip!("127.0.0.1")), Some(3128)).is_some());
/// assert!(Tproxy::new(None, None, None).is_none());
/// assert!(Tproxy::new(Some(Family::Ip6), Some(ip!("127.0.0.1")), None).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Tproxy {
    #[serde(skip_serializing_if = "Option::is_none")]
    family: Option<Family>,
    #[serde(skip_serializing_if = "Option::is_none")]
    addr: Option<Ip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
}

impl Tproxy {
    /// To `addr` and/or `port`; `family` is the `ip`/`ip6` nft writes after `tproxy` in
    /// inet tables (ip and ip6 tables imply theirs: `None` there, or the lowering refuses
    /// it, so that a statement has one form).
    pub fn new(family: Option<Family>, addr: Option<Ip>, port: Option<u16>) -> Option<Tproxy> {
        if addr.is_none() && port.is_none() {
            return None;
        }
        match family {
            None => {}
            Some(Family::Ip) if addr.is_none_or(|a| a.is_ipv4()) => {}
            Some(Family::Ip6) if addr.is_none_or(|a| a.is_ipv6()) => {}
            Some(_) => return None,
        }
        Some(Tproxy { family, addr, port })
    }

    /// The family written after `tproxy`.
    pub fn family(&self) -> Option<Family> {
        self.family
    }

    /// The local address.
    pub fn addr(&self) -> Option<Ip> {
        self.addr
    }

    /// The local port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
}

/// The `tproxy` expression of family number `family` reading its address and port from
/// registers `addr` and `port`: `NFTA_TPROXY_FAMILY` 1, `REG_ADDR` 2, `REG_PORT` 3.
pub(super) fn encode(family: u32, addr: Option<u32>, port: Option<u32>) -> Expr {
    let mut a = Attrs::default();
    a.u32(1, family);
    if let Some(r) = addr {
        a.u32(2, r);
    }
    if let Some(r) = port {
        a.u32(3, r);
    }
    Expr::unknown("tproxy", a.0)
}

/// Reads a `tproxy` expression: family number, address and port registers.
pub(super) fn decode(data: &[u8]) -> Option<(u32, Option<u32>, Option<u32>)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3]) {
        return None;
    }
    Some((be32(at.get(1)?)?, at.opt(2)?, at.opt(3)?))
}
