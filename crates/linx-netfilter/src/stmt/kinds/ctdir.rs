//! Conntrack keys of one direction of a connection: `ct original ip saddr`, `ct reply
//! proto-dst`, `ct original zone`.
//!
//! Why apart from [`ct_info`](crate::stmt::ct_info): these keys are read with a direction
//! (`NFTA_CT_DIRECTION`), and the addresses and ports of a tuple exist only that way.
//!
//! # Contract
//! - [`ct_dir_info`] names exactly the keys nft reads with a direction; others are `None`
//!   and are never produced by the lift.
//! - The expression is nft's `ct` load with its three attributes in the kernel's dump order
//!   (`NFTA_CT_DREG` 1, `NFTA_CT_KEY` 2, `NFTA_CT_DIRECTION` 3), kept as the expression
//!   model's raw form.

use serde::{Deserialize, Serialize};

use crate::expr::{ByteOrder, CtKey};
use crate::stmt::Datatype;

/// Which direction of the connection a key is read from.
///
/// ```
/// use linx_netfilter::stmt::CtDirection;
/// assert_eq!(CtDirection::Reply.name(), "reply");
/// assert_eq!(CtDirection::from_number(0), Some(CtDirection::Original));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CtDirection {
    /// `original` (`IP_CT_DIR_ORIGINAL`, 0).
    Original,
    /// `reply` (`IP_CT_DIR_REPLY`, 1).
    Reply,
}

impl CtDirection {
    /// nft's keyword.
    pub const fn name(self) -> &'static str {
        match self {
            CtDirection::Original => "original",
            CtDirection::Reply => "reply",
        }
    }

    /// The kernel's number.
    pub const fn number(self) -> u8 {
        match self {
            CtDirection::Original => 0,
            CtDirection::Reply => 1,
        }
    }

    /// The direction of a kernel number, `None` for others.
    pub const fn from_number(n: u8) -> Option<CtDirection> {
        match n {
            0 => Some(CtDirection::Original),
            1 => Some(CtDirection::Reply),
            _ => None,
        }
    }
}

/// The nft name, load width, byte order and datatype of a conntrack key read with a
/// direction, or `None` for keys nft does not read that way.
///
/// ```
/// use linx_netfilter::{expr::CtKey, stmt::{Datatype, ct_dir_info}};
/// assert_eq!(ct_dir_info(CtKey::from_number(19)).unwrap().0, "ip saddr");
/// assert_eq!(ct_dir_info(CtKey::from_number(17)).unwrap().3, Datatype::Integer);
/// assert!(ct_dir_info(CtKey::State).is_none());
/// ```
pub fn ct_dir_info(key: CtKey) -> Option<(&'static str, u32, ByteOrder, Datatype)> {
    use ByteOrder::{Big, Host};
    Some(match key.number() {
        11 => ("proto-src", 2, Big, Datatype::Integer),
        12 => ("proto-dst", 2, Big, Datatype::Integer),
        14 => ("packets", 8, Host, Datatype::Integer),
        15 => ("bytes", 8, Host, Datatype::Integer),
        16 => ("avgpkt", 8, Host, Datatype::Integer),
        17 => ("zone", 2, Host, Datatype::Integer),
        19 => ("ip saddr", 4, Big, Datatype::Ipv4Addr),
        20 => ("ip daddr", 4, Big, Datatype::Ipv4Addr),
        21 => ("ip6 saddr", 16, Big, Datatype::Ipv6Addr),
        22 => ("ip6 daddr", 16, Big, Datatype::Ipv6Addr),
        _ => return None,
    })
}

/// The `NFTA_EXPR_DATA` of a directional `ct` load into register `dreg`.
pub(crate) fn load_attrs(key: CtKey, dir: CtDirection, dreg: u32) -> Vec<u8> {
    use crate::stmt::attrs::{put_attr, put_u32};
    let mut out = Vec::with_capacity(20);
    put_u32(&mut out, 1, dreg);
    put_u32(&mut out, 2, key.number());
    put_attr(&mut out, 3, &[dir.number()]);
    out
}

/// The `len`-byte bitmap of conntrack label `bit` (bit `n` is bit `n % 8` of byte `n / 8`,
/// as the kernel keeps labels); `None` when the bit is outside it.
pub(crate) fn label_bitmap(bit: u64, len: usize) -> Option<Vec<u8>> {
    let byte = usize::try_from(bit / 8).ok().filter(|b| *b < len)?;
    let mut out = vec![0u8; len];
    *out.get_mut(byte)? = 1 << (bit % 8);
    Some(out)
}

/// The label of a bitmap with exactly one bit set (the inverse of [`label_bitmap`]).
pub(crate) fn label_of(bitmap: &[u8]) -> Option<u64> {
    let mut found = None;
    for (i, b) in bitmap.iter().enumerate() {
        if *b == 0 {
            continue;
        }
        if found.is_some() || b.count_ones() != 1 {
            return None;
        }
        found = Some(i as u64 * 8 + u64::from(b.trailing_zeros()));
    }
    found
}
