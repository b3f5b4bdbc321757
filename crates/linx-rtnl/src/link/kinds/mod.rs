//! Kind-specific link data (`IFLA_INFO_DATA`): one file per kind whose data has types of its
//! own.
//!
//! Each file declares its kind's attributes once: value types with their codecs (macvlan and
//! ipvlan modes) or a `nested` `typed_attrs!` set (VXLAN). The dispatch on `IFLA_INFO_KIND`
//! is [`LinkData`](super::LinkData), next to [`Link`](super::Link): the veth data holds its
//! peer as a whole `Link`, and vlan's two scalar attributes need no type of their own, so
//! both are declared inline there.
//!
//! # Contract
//! Decoding is strict for what is declared (a mode of the wrong size is an error) and keeps
//! everything else raw; encoding a decoded value gives its bytes back.

mod ipvlan;
mod macvlan;
mod vxlan;

pub use ipvlan::IpvlanMode;
pub use macvlan::MacvlanMode;
pub use vxlan::Vxlan;
