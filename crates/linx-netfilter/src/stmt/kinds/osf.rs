//! `osf`: the passive OS fingerprint of a TCP SYN (nft's `src/osf.c`) and its print.
use std::fmt;

use serde::{Deserialize, Serialize};

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
