//! What a pass carries from one run to the next ([`LastApplied`]) and how it is tuned
//! ([`Options`]); what it reports is in `report`.
//!
//! # Contract
//! - [`LastApplied`] names links and keys addresses and neighbours by link **name**, so it
//!   survives a restart and index changes; it serialises with serde (persist it, pass it back).

use std::collections::BTreeSet;

use linx_ip::{Ip, Subnet};
use serde::{Deserialize, Serialize};

/// The objects this reconciler created and still owns: only these are ever deleted when
/// they leave the desired state (routes are owned by protocol instead and need no record).
///
/// ```
/// use linx_rtnl::reconcile::LastApplied;
/// let l: LastApplied = serde_json::from_str(r#"{"links":["ve0"],"addresses":[{"dev":"ve0","address":"10.0.0.1/24"}]}"#)?;
/// assert!(l.links.contains("ve0"));
/// assert_eq!(serde_json::from_str::<LastApplied>(&serde_json::to_string(&l)?)?, l);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastApplied {
    /// Links created, by name.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub links: BTreeSet<String>,
    /// Addresses added.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub addresses: BTreeSet<OwnedAddress>,
    /// Neighbour entries added.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub neighbours: BTreeSet<OwnedNeighbour>,
    /// Rules added, by their identity.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub rules: BTreeSet<RuleKey>,
}

impl LastApplied {
    /// Nothing owned.
    ///
    /// ```
    /// assert!(linx_rtnl::reconcile::LastApplied::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing is owned.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
            && self.addresses.is_empty()
            && self.neighbours.is_empty()
            && self.rules.is_empty()
    }
}

/// An owned address: `address` on the link named `dev`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnedAddress {
    /// Link name.
    pub dev: String,
    /// Address and prefix.
    pub address: Subnet,
}

/// An owned neighbour entry: `address` on the link named `dev`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnedNeighbour {
    /// Link name.
    pub dev: String,
    /// IP address.
    pub address: Ip,
}

/// A rule's identity: what tells two rules apart for the diff.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleKey {
    /// Priority.
    pub priority: u32,
    /// Address family (`AF_INET` 2, `AF_INET6` 10).
    pub family: u8,
    /// Source prefix address (`None`: any).
    pub src: Option<Ip>,
    /// Source prefix length.
    pub src_len: u8,
    /// Destination prefix address (`None`: any).
    pub dst: Option<Ip>,
    /// Destination prefix length.
    pub dst_len: u8,
    /// Firewall mark.
    pub fwmark: Option<u32>,
    /// Table.
    pub table: u32,
}

/// How a pass runs: a builder.
///
/// ```
/// use linx_rtnl::reconcile::Options;
/// assert_eq!(Options::new().protocol(), 76);
/// assert_eq!(Options::new().with_protocol(4).protocol(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "Options do nothing until passed to a pass"]
pub struct Options {
    pub(crate) protocol: u8,
}

impl Default for Options {
    fn default() -> Self {
        Options { protocol: 76 }
    }
}

impl Options {
    /// The defaults: routes owned by protocol 76 (`'L'`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Own routes by `protocol` (`rtm_protocol`, not 0): every desired route is installed
    /// with it, and only routes carrying it are ever changed or deleted.
    pub fn with_protocol(mut self, protocol: u8) -> Self {
        self.protocol = protocol;
        self
    }

    /// The route ownership protocol.
    pub fn protocol(&self) -> u8 {
        self.protocol
    }
}
