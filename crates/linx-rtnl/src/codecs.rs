//! Attribute value codecs for values as rtnetlink sends them: [`Addr`] (an address of the
//! message's family), [`Via`] (`struct rtvia`, an address of any family), [`AddrV4`] /
//! [`AddrV6`] (an address whose attribute type fixes its family, `IFLA_VXLAN_GROUP` /
//! `IFLA_VXLAN_GROUP6`), [`MacAddr`] (a hardware address), [`NetU16`] (a big-endian `u16`
//! kept as a plain `u16`) and [`BoolU8`] (a `u8` that is 0 or 1).
//!
//! Why here and not in `linx-netlink-codec`: the values are [`linx_ip::Ip`] and
//! [`linx_ip::Mac`], and the codec crate sits below `linx-ip` in the workspace's layers. All
//! are unit marker types implementing [`AttrValue`], named in `typed_attrs!` declarations
//! (`dst as Addr`).
//!
//! # Contract
//! - [`Addr`] decodes 4 bytes to IPv4 and 16 to IPv6 when the message's family
//!   ([`DecodeCx::family`]) is an IP family (`AF_INET`, `AF_INET6`, `RTNL_FAMILY_IPMR`,
//!   `RTNL_FAMILY_IP6MR`); any other length is a `BadSize` error. For other families the
//!   attribute stays raw (`Ok(None)`).
//! - [`Via`] decodes `family u16` + an address of that family's size; anything else stays
//!   raw.
//! - [`AddrV4`] / [`AddrV6`] decode exactly 4 / 16 bytes (another length is a `BadSize`
//!   error) and write only addresses of their family (nothing, and length 0, for the other).
//! - [`MacAddr`] types only 6-byte payloads; other lengths (an IPIP tunnel's 4-byte
//!   "hardware address") stay raw. [`BoolU8`] types 0 and 1 and keeps other values raw, so
//!   the round trip is exact. A payload of the wrong size for [`NetU16`] or [`BoolU8`] is a
//!   `BadSize` error.
//! - None panics; encoding writes exactly `value_len` bytes.
//!
//! # See also
//! `<linux/rtnetlink.h>` (`struct rtvia`, `RTA_VIA`).

use linx_ip::{Ip, Mac};
use linx_netlink_codec::consts::{AF_INET, AF_INET6};
use linx_netlink_codec::{
    AttrValue, AttrWriter, DecodeCx, DecodeError, EncodeError, NlBuffer, align,
};

use crate::types::{RTNL_FAMILY_IP6MR, RTNL_FAMILY_IPMR};
use crate::values::as_bytes_encoding;

/// An IPv4/IPv6 address attribute (`RTA_DST`, `FRA_SRC`, ...): 4 or 16 bytes, network
/// order; kept raw in messages of a family that is not IP.
///
/// ```
/// use linx_netlink_codec::{AttrValue, DecodeCx};
/// use linx_rtnl::codecs::Addr;
/// let v4 = Addr::decode(&[10, 0, 0, 1], DecodeCx::family(2)).unwrap();
/// assert_eq!(v4.unwrap().to_string(), "10.0.0.1");
/// assert_eq!(Addr::decode(&[10, 0, 0, 1], DecodeCx::family(7)).unwrap(), None);
/// assert!(Addr::decode(&[10, 0, 0], DecodeCx::family(2)).is_err());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Addr;

#[cold]
#[inline(never)]
fn bad_address(family: u8, got: usize) -> DecodeError {
    let want = if family == AF_INET6 || family == RTNL_FAMILY_IP6MR {
        16
    } else {
        4
    };
    DecodeError::bad_size("ip address", want, got)
}

impl AttrValue<Ip> for Addr {
    const CODEC: &'static str = "ip address";

    fn parse_value(p: &[u8]) -> Result<Ip, DecodeError> {
        match Ip::from_bytes(p) {
            Some(ip) => Ok(ip),
            None => Err(bad_address(AF_INET, p.len())),
        }
    }

    #[inline]
    fn decode(p: &[u8], cx: DecodeCx<'_>) -> Result<Option<Ip>, DecodeError> {
        if !matches!(
            cx.family,
            AF_INET | AF_INET6 | RTNL_FAMILY_IPMR | RTNL_FAMILY_IP6MR
        ) {
            return Ok(None);
        }
        if let Ok(a) = <[u8; 4]>::try_from(p) {
            return Ok(Some(Ip::V4(a)));
        }
        match <[u8; 16]>::try_from(p) {
            Ok(a) => Ok(Some(Ip::V6(a))),
            Err(_) => Err(bad_address(cx.family, p.len())),
        }
    }

    #[inline]
    fn decode_into(p: &[u8], cx: DecodeCx<'_>, slot: &mut Option<Ip>) -> Result<bool, DecodeError> {
        if !matches!(
            cx.family,
            AF_INET | AF_INET6 | RTNL_FAMILY_IPMR | RTNL_FAMILY_IP6MR
        ) {
            return Ok(false);
        }
        if let Ok(a) = <[u8; 4]>::try_from(p) {
            *slot = Some(Ip::V4(a));
            return Ok(true);
        }
        match <[u8; 16]>::try_from(p) {
            Ok(a) => {
                *slot = Some(Ip::V6(a));
                Ok(true)
            }
            Err(_) => Err(bad_address(cx.family, p.len())),
        }
    }

    as_bytes_encoding!(Ip);
}

/// `struct rtvia` (`RTA_VIA`): the gateway's family as a host-order `u16`, then its
/// address; a family other than IPv4/IPv6, or a length that does not match it, stays raw.
///
/// ```
/// use linx_netlink_codec::{AttrValue, DecodeCx};
/// use linx_rtnl::codecs::Via;
/// let mut p = 10u16.to_ne_bytes().to_vec();
/// p.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
/// assert_eq!(Via::decode(&p, DecodeCx::family(2)).unwrap().unwrap().to_string(), "fd00::1");
/// assert_eq!(Via::decode(&[1, 2], DecodeCx::family(2)).unwrap(), None);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Via;

impl Via {
    fn typed(p: &[u8]) -> Option<Ip> {
        let (fam, addr) = p.split_first_chunk::<2>()?;
        match (u16::from_ne_bytes(*fam), addr.len()) {
            (2, 4) | (10, 16) => Ip::from_bytes(addr),
            _ => None,
        }
    }
}

impl AttrValue<Ip> for Via {
    const CODEC: &'static str = "rtvia";

    fn parse_value(p: &[u8]) -> Result<Ip, DecodeError> {
        Self::typed(p).ok_or(DecodeError::new(
            linx_netlink_codec::DecodeErrorKind::InvalidValue,
            Self::CODEC,
            0,
        ))
    }

    #[inline]
    fn decode(p: &[u8], _: DecodeCx<'_>) -> Result<Option<Ip>, DecodeError> {
        Ok(Self::typed(p))
    }

    fn value_len(v: &Ip) -> usize {
        2 + v.as_bytes().len()
    }

    fn emit_value<B: NlBuffer + ?Sized>(v: &Ip, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(&u16::from(v.family().af()).to_ne_bytes());
        buf.put_slice(v.as_bytes());
        Ok(())
    }
}

/// An IP address of one family, fixed by the attribute type (`IFLA_VXLAN_GROUP` is IPv4,
/// `IFLA_VXLAN_GROUP6` IPv6): `N` = 4 or 16 bytes exactly. Two declarations of one field
/// (one per family) share it: each writes only the addresses of its own family.
macro_rules! family_addr {
    ($(#[$m:meta])* $name:ident, $len:literal, $is:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name;

        impl AttrValue<Ip> for $name {
            const CODEC: &'static str = "ip address";

            fn parse_value(p: &[u8]) -> Result<Ip, DecodeError> {
                match Ip::from_bytes(p) {
                    Some(ip) if p.len() == $len => Ok(ip),
                    _ => Err(DecodeError::bad_size("ip address", $len, p.len())),
                }
            }

            fn value_len(v: &Ip) -> usize {
                if v.$is() { $len } else { 0 }
            }

            fn emit_value<B: NlBuffer + ?Sized>(v: &Ip, buf: &mut B) -> Result<(), EncodeError> {
                if v.$is() {
                    buf.put_slice(v.as_bytes());
                }
                Ok(())
            }

            #[inline]
            fn attr_len(v: &Ip) -> usize {
                if v.$is() { align(4 + $len) } else { 0 }
            }

            #[inline]
            fn emit_attr<B: NlBuffer + ?Sized>(
                v: &Ip,
                raw_type: u16,
                w: &mut AttrWriter<'_, B>,
            ) -> Result<(), EncodeError> {
                if v.$is() {
                    w.put(raw_type, v.as_bytes())?;
                }
                Ok(())
            }
        }
    };
}

family_addr!(
    /// An IPv4 address attribute (4 bytes, network order): `IFLA_VXLAN_GROUP`,
    /// `IFLA_VXLAN_LOCAL`. Writes nothing for an IPv6 address.
    ///
    /// ```
    /// use linx_netlink_codec::{AttrValue, AttrWriter};
    /// use linx_rtnl::codecs::AddrV4;
    /// assert_eq!(AddrV4::parse_value(&[10, 0, 0, 1]).unwrap().to_string(), "10.0.0.1");
    /// assert!(AddrV4::parse_value(&[0; 16]).is_err());
    /// let mut b = Vec::new();
    /// AddrV4::emit_attr(&"fd00::1".parse().unwrap(), 2, &mut AttrWriter::new(&mut b)).unwrap();
    /// assert!(b.is_empty());
    /// ```
    AddrV4, 4, is_ipv4
);

family_addr!(
    /// An IPv6 address attribute (16 bytes): `IFLA_VXLAN_GROUP6`, `IFLA_VXLAN_LOCAL6`.
    /// Writes nothing for an IPv4 address.
    ///
    /// ```
    /// use linx_netlink_codec::AttrValue;
    /// use linx_rtnl::codecs::AddrV6;
    /// assert!(AddrV6::parse_value(&[10, 0, 0, 1]).is_err());
    /// assert_eq!(AddrV6::attr_len(&"10.0.0.1".parse().unwrap()), 0);
    /// ```
    AddrV6, 16, is_ipv6
);

/// A hardware address (`IFLA_ADDRESS`, `IFLA_BROADCAST`, `IFLA_PERM_ADDRESS`): typed when
/// it is 6 bytes; other lengths (tunnels, InfiniBand) stay raw.
///
/// ```
/// use linx_netlink_codec::{AttrValue, DecodeCx};
/// use linx_rtnl::codecs::MacAddr;
/// let m = MacAddr::decode(&[2, 0, 0, 0, 0, 1], DecodeCx::default()).unwrap();
/// assert_eq!(m.unwrap().to_string(), "02:00:00:00:00:01");
/// assert_eq!(MacAddr::decode(&[10, 0, 0, 1], DecodeCx::default()).unwrap(), None);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MacAddr;

impl AttrValue<Mac> for MacAddr {
    const CODEC: &'static str = "mac address";

    fn parse_value(p: &[u8]) -> Result<Mac, DecodeError> {
        Mac::from_bytes(p).ok_or_else(|| DecodeError::bad_size(Self::CODEC, 6, p.len()))
    }

    #[inline]
    fn decode(p: &[u8], _: DecodeCx<'_>) -> Result<Option<Mac>, DecodeError> {
        Ok(Mac::from_bytes(p))
    }

    as_bytes_encoding!(Mac);
}

/// A `u16` in network byte order on the wire, kept as a plain `u16` (`IFLA_VLAN_PROTOCOL`,
/// `IFLA_VXLAN_PORT`).
///
/// ```
/// use linx_netlink_codec::AttrValue;
/// use linx_rtnl::codecs::NetU16;
/// assert_eq!(NetU16::parse_value(&[0x81, 0x00]).unwrap(), 0x8100);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct NetU16;

impl AttrValue<u16> for NetU16 {
    const CODEC: &'static str = "be16";

    #[inline]
    fn parse_value(p: &[u8]) -> Result<u16, DecodeError> {
        linx_netlink_codec::Be16::parse_value(p).map(|v| v.0)
    }

    fn value_len(_: &u16) -> usize {
        2
    }

    fn emit_value<B: NlBuffer + ?Sized>(v: &u16, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(&v.to_be_bytes());
        Ok(())
    }

    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &u16,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_be16(raw_type, *v)
    }
}

/// A boolean sent as one byte (`IFLA_CARRIER`, `IFLA_VXLAN_LEARNING`): 0 and 1 are typed,
/// other values stay raw (so they re-emit as sent).
///
/// ```
/// use linx_netlink_codec::{AttrValue, DecodeCx};
/// use linx_rtnl::codecs::BoolU8;
/// assert_eq!(BoolU8::decode(&[1], DecodeCx::default()).unwrap(), Some(true));
/// assert_eq!(BoolU8::decode(&[7], DecodeCx::default()).unwrap(), None);
/// assert!(BoolU8::decode(&[1, 0], DecodeCx::default()).is_err());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct BoolU8;

impl AttrValue<bool> for BoolU8 {
    const CODEC: &'static str = "bool";

    fn parse_value(p: &[u8]) -> Result<bool, DecodeError> {
        Ok(u8::parse_value(p)? != 0)
    }

    #[inline]
    fn decode(p: &[u8], _: DecodeCx<'_>) -> Result<Option<bool>, DecodeError> {
        match u8::parse_value(p)? {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Ok(None),
        }
    }

    fn value_len(_: &bool) -> usize {
        1
    }

    fn emit_value<B: NlBuffer + ?Sized>(v: &bool, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(&[u8::from(*v)]);
        Ok(())
    }

    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &bool,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_u8(raw_type, u8::from(*v))
    }
}
