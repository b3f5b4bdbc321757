//! `osf`: the passive OS fingerprint of a TCP SYN (nft's `src/osf.c`) its print, encode
//! and decode.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::attrs::{Attrs, Read, be32};
use crate::Expr;

/// How `osf` checks the TTL of the fingerprint (`NF_OSF_TTL_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsfTtl {
    /// The TTL must be the fingerprint's (0, nft's default, not printed).
    Exact,
    /// `ttl loose` (1): less than or equal.
    Loose,
    /// `ttl skip` (2): not checked.
    Skip,
}

/// The passive OS fingerprint of a TCP SYN: `osf name`, `osf ttl loose version`.
///
/// ```
/// use linx_netfilter::stmt::{Field, Osf, OsfTtl};
/// let o = Osf { ttl: OsfTtl::Skip, version: true };
/// assert_eq!(Field::Osf(o).to_string(), "osf ttl skip version");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Osf {
    /// The TTL check.
    pub ttl: OsfTtl,
    /// Match the genre and version (`Linux:3.0`), not only the genre.
    pub version: bool,
}

impl fmt::Display for Osf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("osf")?;
        match self.ttl {
            OsfTtl::Exact => {}
            OsfTtl::Loose => f.write_str(" ttl loose")?,
            OsfTtl::Skip => f.write_str(" ttl skip")?,
        }
        f.write_str(if self.version { " version" } else { " name" })
    }
}

/// The `osf` expression loading `o` into register `dreg`: `NFTA_OSF_DREG` 1, `TTL` 2,
/// `FLAGS` 3.
pub(super) fn encode(o: &Osf, dreg: u32) -> Expr {
    let mut a = Attrs::default();
    let ttl = match o.ttl {
        OsfTtl::Exact => 0,
        OsfTtl::Loose => 1,
        OsfTtl::Skip => 2,
    };
    a.attr(2, &[ttl]);
    if o.version {
        a.u32(3, 1);
    }
    a.u32(1, dreg);
    Expr::unknown("osf", a.0)
}

/// Reads an `osf` expression: the fingerprint and its destination register.
pub(super) fn decode(data: &[u8]) -> Option<(Osf, u32)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3]) {
        return None;
    }
    let ttl = match at.get(2)? {
        [0] => OsfTtl::Exact,
        [1] => OsfTtl::Loose,
        [2] => OsfTtl::Skip,
        _ => return None,
    };
    let version = match at.get(3) {
        None => false,
        Some(p) => match be32(p)? {
            0 => false,
            1 => true,
            _ => return None,
        },
    };
    Some((Osf { ttl, version }, at.u32_of(1)?))
}
