//! `ct count` (the kernel's `connlimit`): its encode and decode.
use super::attrs::{Attrs, attrs, be32};
use crate::Expr;

/// `connlimit`: `NFTA_CONNLIMIT_COUNT` 1, then `FLAGS` 2 (`NFT_CONNLIMIT_F_INV` 1) only when
/// set, as the kernel dumps it.
pub(crate) fn encode_connlimit(count: u32, over: bool) -> Expr {
    let mut a = Attrs::default();
    a.u32(1, count);
    if over {
        a.u32(2, 1);
    }
    Expr::unknown("connlimit", a.0)
}

/// Reads a `connlimit`: its count and whether it matches over it.
pub(crate) fn decode_connlimit(data: &[u8]) -> Option<(u32, bool)> {
    match attrs(data)?[..] {
        [(1, count)] => Some((be32(count)?, false)),
        [(1, count), (2, flags)] if be32(flags)? == 1 => Some((be32(count)?, true)),
        _ => None,
    }
}
