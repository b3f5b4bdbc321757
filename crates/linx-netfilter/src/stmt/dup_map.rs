//! `dup to ip saddr map { ... } [device "name"]`: a packet copy sent to the gateway a map
//! lookup finds (ip and ip6 tables).

use serde::Serialize;

use super::MapLookup;

/// `dup to <key> map <map> [device "name"]`: the gateway is the value the lookup finds.
///
/// ```
/// use linx_netfilter::stmt::{DupMap, HeaderField, MapLookup};
/// let lookup = MapLookup::new(HeaderField::IpSaddr, "gw").unwrap();
/// let d = DupMap { lookup, device: Some(1) };
/// assert_eq!(d.device, Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DupMap {
    /// The lookup giving the gateway address.
    pub lookup: MapLookup,
    /// The interface index the copy leaves by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<u32>,
}
