//! `rt`: routing data of the packet (nft's `src/rt.c`): its keys, their numbers, print,
//! encode and decode.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::attrs::{Attrs, Read};
use crate::Expr;

/// Routing data of the packet (`enum nft_rt_keys`): `rt classid`, `rt ip nexthop`, `rt mtu`.
///
/// ```
/// use linx_netfilter::stmt::{Field, RtKey};
/// assert_eq!(Field::Rt(RtKey::Nexthop6).to_string(), "rt ip6 nexthop");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RtKey {
    /// `rt classid` (0): the route's realm.
    Classid,
    /// `rt ip nexthop` (1): the IPv4 next hop.
    Nexthop4,
    /// `rt ip6 nexthop` (2): the IPv6 next hop.
    Nexthop6,
    /// `rt mtu` (3): the TCP MSS the route's MTU allows.
    Mtu,
    /// `rt ipsec` (4): whether the route is an IPsec transformation.
    Ipsec,
}

impl RtKey {
    pub(super) fn number(self) -> u32 {
        match self {
            RtKey::Classid => 0,
            RtKey::Nexthop4 => 1,
            RtKey::Nexthop6 => 2,
            RtKey::Mtu => 3,
            RtKey::Ipsec => 4,
        }
    }

    pub(super) fn from_number(n: u32) -> Option<RtKey> {
        Some(match n {
            0 => RtKey::Classid,
            1 => RtKey::Nexthop4,
            2 => RtKey::Nexthop6,
            3 => RtKey::Mtu,
            4 => RtKey::Ipsec,
            _ => return None,
        })
    }
}

impl fmt::Display for RtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RtKey::Classid => "rt classid",
            RtKey::Nexthop4 => "rt ip nexthop",
            RtKey::Nexthop6 => "rt ip6 nexthop",
            RtKey::Mtu => "rt mtu",
            RtKey::Ipsec => "rt ipsec",
        })
    }
}

/// The `rt` expression loading `key` into register `dreg`: `NFTA_RT_DREG` 1, `KEY` 2.
pub(super) fn encode(key: RtKey, dreg: u32) -> Expr {
    let mut a = Attrs::default();
    a.u32(2, key.number()).u32(1, dreg);
    Expr::unknown("rt", a.0)
}

/// Reads an `rt` expression: the key and its destination register.
pub(super) fn decode(data: &[u8]) -> Option<(RtKey, u32)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2]) {
        return None;
    }
    Some((RtKey::from_number(at.u32_of(2)?)?, at.u32_of(1)?))
}
