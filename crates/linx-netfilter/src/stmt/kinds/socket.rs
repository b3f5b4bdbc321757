//! `socket`: a key of the packet's socket (nft's `src/socket.c`) its print, encode and
//! decode.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::attrs::{Attrs, Read, be32};
use crate::Expr;

/// A key of the packet's socket (`enum nft_socket_keys`).
///
/// ```
/// use linx_netfilter::stmt::{Field, SocketKey};
/// assert_eq!(Field::Socket(SocketKey::Cgroupv2(1)).to_string(), "socket cgroupv2 level 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocketKey {
    /// `socket transparent` (0): the socket has `IP_TRANSPARENT`.
    Transparent,
    /// `socket mark` (1): the socket's mark.
    Mark,
    /// `socket wildcard` (2): the socket is bound to the wildcard address.
    Wildcard,
    /// `socket cgroupv2 level N` (3): the id of the socket's cgroup ancestor at level N.
    Cgroupv2(u32),
}

impl fmt::Display for SocketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketKey::Transparent => f.write_str("socket transparent"),
            SocketKey::Mark => f.write_str("socket mark"),
            SocketKey::Wildcard => f.write_str("socket wildcard"),
            SocketKey::Cgroupv2(level) => write!(f, "socket cgroupv2 level {level}"),
        }
    }
}

/// The `socket` expression loading `key` into register `dreg`: `NFTA_SOCKET_KEY` 1, `DREG`
/// 2, `LEVEL` 3.
pub(super) fn encode(key: SocketKey, dreg: u32) -> Expr {
    let mut a = Attrs::default();
    let (k, level) = match key {
        SocketKey::Transparent => (0, None),
        SocketKey::Mark => (1, None),
        SocketKey::Wildcard => (2, None),
        SocketKey::Cgroupv2(level) => (3, Some(level)),
    };
    a.u32(1, k).u32(2, dreg);
    if let Some(level) = level {
        a.u32(3, level);
    }
    Expr::unknown("socket", a.0)
}

/// Reads a `socket` expression: the key and its destination register.
pub(super) fn decode(data: &[u8]) -> Option<(SocketKey, u32)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3]) {
        return None;
    }
    let key = match (at.u32_of(1)?, at.get(3)) {
        (0, None) => SocketKey::Transparent,
        (1, None) => SocketKey::Mark,
        (2, None) => SocketKey::Wildcard,
        (3, Some(p)) => SocketKey::Cgroupv2(be32(p)?),
        _ => return None,
    };
    Some((key, at.u32_of(2)?))
}
