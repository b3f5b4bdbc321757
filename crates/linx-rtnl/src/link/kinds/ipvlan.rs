//! ipvlan / ipvtap data: `IFLA_IPVLAN_MODE`, a host-order `u16` read as [`IpvlanMode`].

use linx_netlink_codec::{AttrValue, AttrWriter, DecodeError, EncodeError, NlBuffer};

/// ipvlan modes (`enum ipvlan_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpvlanMode {
    /// `IPVLAN_MODE_L2` (0).
    L2,
    /// `IPVLAN_MODE_L3` (1).
    L3,
    /// `IPVLAN_MODE_L3S` (2).
    L3s,
    /// A value this crate does not know.
    Other(u16),
}

impl From<u16> for IpvlanMode {
    fn from(v: u16) -> Self {
        match v {
            0 => Self::L2,
            1 => Self::L3,
            2 => Self::L3s,
            n => Self::Other(n),
        }
    }
}

impl From<IpvlanMode> for u16 {
    fn from(v: IpvlanMode) -> u16 {
        match v {
            IpvlanMode::L2 => 0,
            IpvlanMode::L3 => 1,
            IpvlanMode::L3s => 2,
            IpvlanMode::Other(n) => n,
        }
    }
}

/// `IFLA_IPVLAN_MODE`: a host-order `u16`; every value is typed.
///
/// ```
/// use linx_netlink_codec::AttrValue;
/// use linx_rtnl::link::IpvlanMode;
/// assert_eq!(IpvlanMode::parse_value(&1u16.to_ne_bytes()).unwrap(), IpvlanMode::L3);
/// ```
impl AttrValue for IpvlanMode {
    const CODEC: &'static str = "ipvlan mode";
    #[inline]
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        u16::parse_value(p).map(Self::from)
    }
    fn value_len(_: &Self) -> usize {
        2
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        u16::emit_value(&(*v).into(), buf)
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &Self,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_u16(raw_type, (*v).into())
    }
}
