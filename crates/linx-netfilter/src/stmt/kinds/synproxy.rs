//! The `synproxy` statement: its model, encode and decode.
use serde::Serialize;

use super::attrs::{Attrs, attrs, be32};
use crate::Expr;

/// `synproxy [mss N] [wscale N] [timestamp] [sack-perm]`: answer the TCP handshake on the
/// server's behalf.
///
/// ```
/// use linx_netfilter::stmt::Synproxy;
/// let s = Synproxy { mss: Some(1460), wscale: Some(7), timestamp: true, sack_perm: true };
/// assert_eq!(s, s.clone());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Synproxy {
    /// The MSS announced.
    pub mss: Option<u16>,
    /// The window scale announced.
    pub wscale: Option<u8>,
    /// Announce timestamps.
    pub timestamp: bool,
    /// Announce selective acknowledgements.
    pub sack_perm: bool,
}

/// `NF_SYNPROXY_OPT_*`.
const SYN_MSS: u32 = 1;
const SYN_WSCALE: u32 = 2;
const SYN_SACK: u32 = 4;
const SYN_TS: u32 = 8;

impl Synproxy {
    /// `NFTA_SYNPROXY_MSS` 1 (u16), `WSCALE` 2 (u8), `FLAGS` 3, as the kernel dumps them.
    pub(crate) fn encode(&self) -> Expr {
        let mut flags = 0;
        for (on, bit) in [
            (self.mss.is_some(), SYN_MSS),
            (self.wscale.is_some(), SYN_WSCALE),
            (self.sack_perm, SYN_SACK),
            (self.timestamp, SYN_TS),
        ] {
            if on {
                flags |= bit;
            }
        }
        let mut a = Attrs::default();
        a.attr(1, &self.mss.unwrap_or(0).to_be_bytes())
            .attr(2, &[self.wscale.unwrap_or(0)])
            .u32(3, flags);
        Expr::unknown("synproxy", a.0)
    }

    pub(crate) fn decode(data: &[u8]) -> Option<Synproxy> {
        let at = attrs(data)?;
        let [(1, mss), (2, [wscale]), (3, flags)] = at[..] else {
            return None;
        };
        let mss = u16::from_be_bytes(mss.try_into().ok()?);
        let flags = be32(flags)?;
        if flags & !(SYN_MSS | SYN_WSCALE | SYN_SACK | SYN_TS) != 0
            || (flags & SYN_MSS == 0 && mss != 0)
            || (flags & SYN_WSCALE == 0 && *wscale != 0)
        {
            return None;
        }
        Some(Synproxy {
            mss: (flags & SYN_MSS != 0).then_some(mss),
            wscale: (flags & SYN_WSCALE != 0).then_some(*wscale),
            timestamp: flags & SYN_TS != 0,
            sack_perm: flags & SYN_SACK != 0,
        })
    }
}
