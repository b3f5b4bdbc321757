//! [`ExactAddr`]: the codec of address attributes whose length must be exactly the
//! message family's (`IFA_ADDRESS`, `NDA_DST` ...).
//!
//! Why not [`codecs::Addr`](crate::codecs::Addr): that one reads 4 or 16 bytes in any IP
//! family (route messages carry both); an address or neighbour message of one family
//! refuses an address of the other, as it always has.
//!
//! # Contract
//! - `AF_INET`: exactly 4 bytes; `AF_INET6`: exactly 16; anything else is a `BadSize`
//!   [`DecodeError`] naming the family's length. Other families: kept raw (`Ok(None)`).
//! - Never panics; encoding writes the address's bytes (4 or 16).

use linx_ip::Ip;
use linx_netlink_codec::consts::{AF_INET, AF_INET6};
use linx_netlink_codec::{AttrValue, DecodeCx, DecodeError};

use crate::values::as_bytes_encoding;

/// An IP address attribute of exactly the message family's length (4 for `AF_INET`, 16 for
/// `AF_INET6`), network order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExactAddr;

#[cold]
#[inline(never)]
fn bad_address(want: usize, got: usize) -> DecodeError {
    DecodeError::bad_size("ip address", want, got)
}

impl AttrValue<Ip> for ExactAddr {
    const CODEC: &'static str = "ip address";

    fn parse_value(p: &[u8]) -> Result<Ip, DecodeError> {
        Ip::from_bytes(p).ok_or_else(|| bad_address(4, p.len()))
    }

    #[inline]
    fn decode(p: &[u8], cx: DecodeCx<'_>) -> Result<Option<Ip>, DecodeError> {
        match cx.family {
            AF_INET => match <[u8; 4]>::try_from(p) {
                Ok(a) => Ok(Some(Ip::V4(a))),
                Err(_) => Err(bad_address(4, p.len())),
            },
            AF_INET6 => match <[u8; 16]>::try_from(p) {
                Ok(a) => Ok(Some(Ip::V6(a))),
                Err(_) => Err(bad_address(16, p.len())),
            },
            _ => Ok(None),
        }
    }

    as_bytes_encoding!(Ip);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_family_length() {
        let v4 = DecodeCx::family(AF_INET);
        let v6 = DecodeCx::family(AF_INET6);
        assert_eq!(
            ExactAddr::decode(&[10, 0, 0, 1], v4).unwrap(),
            Some(Ip::V4([10, 0, 0, 1]))
        );
        assert!(ExactAddr::decode(&[0; 16], v4).is_err());
        assert!(ExactAddr::decode(&[10, 0, 0, 1], v6).is_err());
        assert_eq!(
            ExactAddr::decode(&[0; 16], v6).unwrap(),
            Some(Ip::V6([0; 16]))
        );
        assert_eq!(
            ExactAddr::decode(&[1, 2, 3], DecodeCx::family(7)).unwrap(),
            None
        );
    }
}
