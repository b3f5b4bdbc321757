//! Attribute value codecs for IP addresses, as rtnetlink sends them: [`Addr`] (an address of
//! the message's family) and [`Via`] (`struct rtvia`, an address of any family).
//!
//! Why here and not in `linx-netlink-codec`: the values are [`linx_ip::Ip`], and the codec
//! crate sits below `linx-ip` in the workspace's layers. Both are unit marker types
//! implementing [`AttrValue<Ip>`], named in `typed_attrs!` declarations (`dst as Addr`).
//!
//! # Contract
//! - [`Addr`] decodes 4 bytes to IPv4 and 16 to IPv6 when the message's family
//!   ([`DecodeCx::family`]) is an IP family (`AF_INET`, `AF_INET6`, `RTNL_FAMILY_IPMR`,
//!   `RTNL_FAMILY_IP6MR`); any other length is a `BadSize` error. For other families the
//!   attribute stays raw (`Ok(None)`).
//! - [`Via`] decodes `family u16` + an address of that family's size; anything else stays
//!   raw. Neither panics; encoding writes exactly `value_len` bytes.
//!
//! # See also
//! `<linux/rtnetlink.h>` (`struct rtvia`, `RTA_VIA`).

use linx_ip::Ip;
use linx_netlink_codec::consts::{AF_INET, AF_INET6};
use linx_netlink_codec::{AttrValue, AttrWriter, DecodeCx, DecodeError, EncodeError, NlBuffer};

use crate::types::{RTNL_FAMILY_IP6MR, RTNL_FAMILY_IPMR};

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

    fn value_len(v: &Ip) -> usize {
        v.as_bytes().len()
    }

    fn emit_value<B: NlBuffer + ?Sized>(v: &Ip, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(v.as_bytes());
        Ok(())
    }

    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &Ip,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put(raw_type, v.as_bytes())
    }
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
