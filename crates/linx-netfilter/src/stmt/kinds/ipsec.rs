//! `ipsec` (the kernel's `xfrm`, nft's `src/xfrm.c`): the IPsec state keys, the model, its
//! print, encode and decode.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::attrs::{Attrs, Read};
use crate::Expr;

/// What `ipsec` reads of the packet's IPsec state (`enum nft_xfrm_keys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpsecKey {
    /// `ip daddr` (1).
    Daddr4,
    /// `ip6 daddr` (2).
    Daddr6,
    /// `ip saddr` (3).
    Saddr4,
    /// `ip6 saddr` (4).
    Saddr6,
    /// `reqid` (5).
    Reqid,
    /// `spi` (6).
    Spi,
}

impl IpsecKey {
    pub(super) fn number(self) -> u32 {
        match self {
            IpsecKey::Daddr4 => 1,
            IpsecKey::Daddr6 => 2,
            IpsecKey::Saddr4 => 3,
            IpsecKey::Saddr6 => 4,
            IpsecKey::Reqid => 5,
            IpsecKey::Spi => 6,
        }
    }

    pub(super) fn from_number(n: u32) -> Option<IpsecKey> {
        Some(match n {
            1 => IpsecKey::Daddr4,
            2 => IpsecKey::Daddr6,
            3 => IpsecKey::Saddr4,
            4 => IpsecKey::Saddr6,
            5 => IpsecKey::Reqid,
            6 => IpsecKey::Spi,
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            IpsecKey::Daddr4 => "ip daddr",
            IpsecKey::Daddr6 => "ip6 daddr",
            IpsecKey::Saddr4 => "ip saddr",
            IpsecKey::Saddr6 => "ip6 saddr",
            IpsecKey::Reqid => "reqid",
            IpsecKey::Spi => "spi",
        }
    }
}

/// IPsec state of the packet: `ipsec in reqid`, `ipsec out spnum 1 ip daddr`.
///
/// ```
/// use linx_netfilter::stmt::{Field, Ipsec, IpsecKey};
/// let i = Ipsec { out: false, spnum: 1, key: IpsecKey::Reqid };
/// assert_eq!(Field::Ipsec(i).to_string(), "ipsec in spnum 1 reqid");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ipsec {
    /// The output policy's state (else the input's).
    pub out: bool,
    /// Which state of the security path (0, the first, is not printed).
    pub spnum: u32,
    /// What is read.
    pub key: IpsecKey,
}

impl fmt::Display for Ipsec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.out { "ipsec out" } else { "ipsec in" })?;
        if self.spnum != 0 {
            write!(f, " spnum {}", self.spnum)?;
        }
        write!(f, " {}", self.key.name())
    }
}

/// The `xfrm` expression loading `i` into register `dreg`: `NFTA_XFRM_DREG` 1, `KEY` 2,
/// `DIR` 3, `SPNUM` 4.
pub(super) fn encode(i: &Ipsec, dreg: u32) -> Expr {
    let mut a = Attrs::default();
    a.u32(1, dreg)
        .u32(2, i.key.number())
        .attr(3, &[u8::from(i.out)])
        .u32(4, i.spnum);
    Expr::unknown("xfrm", a.0)
}

/// Reads an `xfrm` expression: the IPsec key and its destination register.
pub(super) fn decode(data: &[u8]) -> Option<(Ipsec, u32)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3, 4]) {
        return None;
    }
    let out = match at.get(3)? {
        [0] => false,
        [1] => true,
        _ => return None,
    };
    let key = IpsecKey::from_number(at.u32_of(2)?)?;
    let spnum = at.u32_of(4)?;
    Some((Ipsec { out, spnum, key }, at.u32_of(1)?))
}
