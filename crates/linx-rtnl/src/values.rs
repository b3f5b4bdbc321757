//! Building blocks shared by the value types of several object families: the encoding of a
//! value that is its own wire bytes, enums of named numbers that keep unknown ones, the
//! iproute2 way of printing a flag set, and kernel structs made of host-order `u32` fields.
//!
//! Why a module of its own: address, neighbour and link kind values had each written these
//! out again; here each is written once, in a leaf module every object module may import
//! (it imports nothing from the crate).
//!
//! # Contract
//! - [`as_bytes_encoding!`] writes exactly `v.as_bytes()` as the payload.
//! - [`int_enum!`] enums convert losslessly to and from their integer (unknown values are
//!   `Other(n)`), and their codec is that integer's host-order codec.
//! - [`fmt_flags`] prints the known names space-separated, then the unknown bits as one hex
//!   number; [`parse_u32s`] refuses a payload shorter than its fields with a `Truncated`
//!   error and keeps a longer one's tail. Nothing here panics on any input.

use std::fmt;

use linx_netlink_codec::{DecodeError, NlBuffer};

/// The encoding half of an `AttrValue` impl for a value whose payload is exactly its
/// `as_bytes()` ([`linx_ip::Ip`], [`linx_ip::Mac`], a link-layer address): `value_len`,
/// `emit_value` and a one-copy `emit_attr`. Use inside the impl: `as_bytes_encoding!(Ip);`.
macro_rules! as_bytes_encoding {
    ($v:ty) => {
        fn value_len(v: &$v) -> usize {
            v.as_bytes().len()
        }

        fn emit_value<B: ::linx_netlink_codec::NlBuffer + ?Sized>(
            v: &$v,
            buf: &mut B,
        ) -> Result<(), ::linx_netlink_codec::EncodeError> {
            buf.put_slice(v.as_bytes());
            Ok(())
        }

        #[inline]
        fn emit_attr<B: ::linx_netlink_codec::NlBuffer + ?Sized>(
            v: &$v,
            raw_type: u16,
            w: &mut ::linx_netlink_codec::AttrWriter<'_, B>,
        ) -> Result<(), ::linx_netlink_codec::EncodeError> {
            w.put(raw_type, v.as_bytes())
        }
    };
}
pub(crate) use as_bytes_encoding;

/// An enum of the named values of a kernel integer (`enum ipvlan_mode`), with an
/// `Other(n)` variant for the rest, `From` conversions both ways and an `AttrValue` impl
/// that is the integer's host-order codec.
///
/// ```ignore
/// int_enum! {
///     /// docs
///     pub enum IpvlanMode: u16, "ipvlan mode" {
///         /// docs
///         L2 = 0,
///     }
///     /// docs of the codec impl
///     impl AttrValue;
/// }
/// ```
macro_rules! int_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident: $int:ty, $codec:literal {
            $($(#[$vm:meta])* $variant:ident = $value:literal,)+
        }
        $(#[$im:meta])*
        impl AttrValue;
    ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
            /// A value this crate does not know.
            Other($int),
        }

        impl From<$int> for $name {
            fn from(v: $int) -> Self {
                match v {
                    $($value => Self::$variant,)+
                    n => Self::Other(n),
                }
            }
        }

        impl From<$name> for $int {
            fn from(v: $name) -> $int {
                match v {
                    $($name::$variant => $value,)+
                    $name::Other(n) => n,
                }
            }
        }

        $(#[$im])*
        impl ::linx_netlink_codec::AttrValue for $name {
            const CODEC: &'static str = $codec;
            #[inline]
            fn parse_value(p: &[u8]) -> Result<Self, ::linx_netlink_codec::DecodeError> {
                <$int as ::linx_netlink_codec::AttrValue>::parse_value(p).map(Self::from)
            }
            fn value_len(_: &Self) -> usize {
                size_of::<$int>()
            }
            fn emit_value<B: ::linx_netlink_codec::NlBuffer + ?Sized>(
                v: &Self,
                buf: &mut B,
            ) -> Result<(), ::linx_netlink_codec::EncodeError> {
                <$int as ::linx_netlink_codec::AttrValue>::emit_value(&(*v).into(), buf)
            }
            #[inline]
            fn emit_attr<B: ::linx_netlink_codec::NlBuffer + ?Sized>(
                v: &Self,
                raw_type: u16,
                w: &mut ::linx_netlink_codec::AttrWriter<'_, B>,
            ) -> Result<(), ::linx_netlink_codec::EncodeError> {
                <$int as ::linx_netlink_codec::AttrValue>::emit_attr(&(*v).into(), raw_type, w)
            }
        }
    };
}
pub(crate) use int_enum;

/// Print a flag set the way iproute2 does: the names of the known bits of `names` in its
/// order, space-separated, then the bits left over as one hex number (`nodad 0x10000`).
/// Nothing is printed for an empty set.
pub(crate) fn fmt_flags(
    f: &mut fmt::Formatter<'_>,
    bits: u32,
    names: &[(u32, &str)],
) -> fmt::Result {
    let mut rest = bits;
    let mut sep = "";
    for &(bit, name) in names {
        if rest & bit != 0 {
            write!(f, "{sep}{name}")?;
            sep = " ";
            rest &= !bit;
        }
    }
    if rest != 0 {
        write!(f, "{sep}{rest:#x}")?;
    }
    Ok(())
}

/// Decode a kernel struct of `N` host-order `u32` fields (`struct ifa_cacheinfo`): the
/// fields, and the bytes past them (a newer kernel's longer struct). A shorter payload is
/// a `Truncated` error with `context` (the struct's C name).
pub(crate) fn parse_u32s<const N: usize>(
    p: &[u8],
    context: &'static str,
) -> Result<([u32; N], Vec<u8>), DecodeError> {
    let len = 4 * N;
    if p.len() < len {
        return Err(DecodeError::truncated(context, 0, len, p.len()));
    }
    let mut fields = [0u32; N];
    for (x, c) in fields.iter_mut().zip(p.chunks_exact(4)) {
        *x = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
    }
    Ok((fields, p[len..].to_vec()))
}

/// Append a struct decoded by [`parse_u32s`]: its fields in host order, then its tail.
pub(crate) fn put_u32s<B: NlBuffer + ?Sized>(buf: &mut B, fields: &[u32], rest: &[u8]) {
    for x in fields {
        buf.put_slice(&x.to_ne_bytes());
    }
    buf.put_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u32s_round_trip_and_refuse_short() {
        let p: Vec<u8> = (0u8..18).collect();
        let (f, rest) = parse_u32s::<4>(&p, "s").unwrap();
        assert_eq!(rest, [16, 17]);
        let mut b = Vec::new();
        put_u32s(&mut b, &f, &rest);
        assert_eq!(b, p);
        assert!(parse_u32s::<4>(&p[..15], "s").is_err());
    }

    struct Flags(u32);
    impl fmt::Display for Flags {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt_flags(f, self.0, &[(1, "a"), (4, "c")])
        }
    }

    #[test]
    fn flags_print_names_then_hex() {
        assert_eq!(Flags(5).to_string(), "a c");
        assert_eq!(Flags(0x12).to_string(), "0x12");
        assert_eq!(Flags(0x11).to_string(), "a 0x10");
        assert_eq!(Flags(0).to_string(), "");
    }
}
