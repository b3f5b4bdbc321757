//! `socket`: a key of the packet's socket (nft's `src/socket.c`) and its print.
use std::fmt;

use serde::{Deserialize, Serialize};

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
