//! macvlan / macvtap data: `IFLA_MACVLAN_MODE`, a host-order `u32` read as [`MacvlanMode`].

use linx_netlink_codec::{AttrValue, AttrWriter, DecodeError, EncodeError, NlBuffer};

/// macvlan modes (`enum macvlan_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacvlanMode {
    /// `MACVLAN_MODE_PRIVATE` (1): no traffic between macvlans of one parent.
    Private,
    /// `MACVLAN_MODE_VEPA` (2): traffic between macvlans goes out through the switch.
    Vepa,
    /// `MACVLAN_MODE_BRIDGE` (4): macvlans of one parent talk directly.
    Bridge,
    /// `MACVLAN_MODE_PASSTHRU` (8): one macvlan takes over the parent.
    Passthru,
    /// `MACVLAN_MODE_SOURCE` (16).
    Source,
    /// A value this crate does not know.
    Other(u32),
}

impl From<u32> for MacvlanMode {
    fn from(v: u32) -> Self {
        match v {
            1 => Self::Private,
            2 => Self::Vepa,
            4 => Self::Bridge,
            8 => Self::Passthru,
            16 => Self::Source,
            n => Self::Other(n),
        }
    }
}

impl From<MacvlanMode> for u32 {
    fn from(v: MacvlanMode) -> u32 {
        match v {
            MacvlanMode::Private => 1,
            MacvlanMode::Vepa => 2,
            MacvlanMode::Bridge => 4,
            MacvlanMode::Passthru => 8,
            MacvlanMode::Source => 16,
            MacvlanMode::Other(n) => n,
        }
    }
}

/// `IFLA_MACVLAN_MODE`: a host-order `u32`; every value is typed (unknown ones as
/// [`MacvlanMode::Other`]).
///
/// ```
/// use linx_netlink_codec::AttrValue;
/// use linx_rtnl::link::MacvlanMode;
/// assert_eq!(MacvlanMode::parse_value(&4u32.to_ne_bytes()).unwrap(), MacvlanMode::Bridge);
/// ```
impl AttrValue for MacvlanMode {
    const CODEC: &'static str = "macvlan mode";
    #[inline]
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        u32::parse_value(p).map(Self::from)
    }
    fn value_len(_: &Self) -> usize {
        4
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        u32::emit_value(&(*v).into(), buf)
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &Self,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_u32(raw_type, (*v).into())
    }
}
