//! Attribute value codecs: how one attribute payload becomes a typed value and back.
//!
//! [`AttrValue`] is implemented for the scalar types netlink uses (host-order integers, the
//! big-endian wrappers [`Be16`], [`Be32`], [`Be64`]), strings, raw bytes (`Vec<u8>`), flags
//! (`()`), fixed arrays and nested attribute lists (`Vec<A>` for any [`Attribute`] `A`).
//! The declarative [`nl_attrs!`](crate::nl_attrs) macro picks the codec per attribute.
//!
//! # Contract
//! - `parse_value` never panics; a payload of the wrong size is a [`DecodeError`] with
//!   [`DecodeErrorKind::BadSize`], never a silent zero.
//! - Byte order is part of the type: `u32` is host order (rtnetlink), [`Be32`] is network
//!   order (nf_tables, `NLA_F_NET_BYTEORDER`).
//! - Strings: decode trims trailing NULs (the kernel's terminator); encode appends exactly one.
//!   A string attribute the kernel sent without terminator therefore re-emits one byte longer.
//!
//! [`Attribute`]: crate::Attribute

use crate::attr::NlBuffer;
use crate::dsl::Attribute;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// A typed attribute payload.
pub trait AttrValue: Sized {
    /// The codec's name, exposed in attribute schemas (`"u32"`, `"string"`, `"nested"` ...).
    const CODEC: &'static str;
    /// Decode a payload.
    fn parse_value(payload: &[u8]) -> Result<Self, DecodeError>;
    /// Length of the encoded payload, without attribute header or padding.
    fn value_len(&self) -> usize;
    /// Append the encoded payload to `buf`.
    fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError>;
}

macro_rules! int_value {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl AttrValue for $t {
            const CODEC: &'static str = $name;
            fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
                let arr: [u8; size_of::<$t>()] = p
                    .try_into()
                    .map_err(|_| DecodeError::bad_size($name, size_of::<$t>(), p.len()))?;
                Ok(<$t>::from_ne_bytes(arr))
            }
            fn value_len(&self) -> usize {
                size_of::<$t>()
            }
            fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                buf.put_slice(&self.to_ne_bytes());
                Ok(())
            }
        }
    )*};
}
int_value!(u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64", i8 => "s8", i16 => "s16",
    i32 => "s32", i64 => "s64");

macro_rules! be_value {
    ($($(#[$m:meta])* $name:ident($t:ty) => $codec:literal),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $t);

        impl AttrValue for $name {
            const CODEC: &'static str = $codec;
            fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
                let arr: [u8; size_of::<$t>()] = p
                    .try_into()
                    .map_err(|_| DecodeError::bad_size($codec, size_of::<$t>(), p.len()))?;
                Ok($name(<$t>::from_be_bytes(arr)))
            }
            fn value_len(&self) -> usize {
                size_of::<$t>()
            }
            fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                buf.put_slice(&self.0.to_be_bytes());
                Ok(())
            }
        }

        impl From<$t> for $name {
            fn from(v: $t) -> Self {
                $name(v)
            }
        }

        impl From<$name> for $t {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    )*};
}
be_value!(
    /// A `u16` in network byte order on the wire (the value itself is a plain `u16`).
    ///
    /// ```
    /// use linx_netlink_codec::{AttrValue, Be16};
    /// assert_eq!(Be16::parse_value(&[0x1f, 0x90]).unwrap(), Be16(8080));
    /// ```
    Be16(u16) => "be16",
    /// A `u32` in network byte order on the wire.
    ///
    /// ```
    /// use linx_netlink_codec::{AttrValue, Be32};
    /// assert_eq!(Be32::parse_value(&[0, 0, 0, 1]).unwrap(), Be32(1));
    /// ```
    Be32(u32) => "be32",
    /// A `u64` in network byte order on the wire.
    ///
    /// ```
    /// use linx_netlink_codec::{AttrValue, Be64};
    /// assert_eq!(Be64::parse_value(&[0, 0, 0, 0, 0, 0, 0, 2]).unwrap(), Be64(2));
    /// ```
    Be64(u64) => "be64",
);

impl AttrValue for String {
    const CODEC: &'static str = "string";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        let end = p.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        std::str::from_utf8(&p[..end])
            .map(str::to_owned)
            .map_err(|e| DecodeError::new(DecodeErrorKind::InvalidUtf8, "string", e.valid_up_to()))
    }
    fn value_len(&self) -> usize {
        self.len() + 1
    }
    fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(self.as_bytes());
        buf.put_zeros(1);
        Ok(())
    }
}

impl AttrValue for Vec<u8> {
    const CODEC: &'static str = "binary";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        Ok(p.to_vec())
    }
    fn value_len(&self) -> usize {
        self.len()
    }
    fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(self);
        Ok(())
    }
}

impl<const N: usize> AttrValue for [u8; N] {
    const CODEC: &'static str = "bytes";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        p.try_into()
            .map_err(|_| DecodeError::bad_size("bytes", N, p.len()))
    }
    fn value_len(&self) -> usize {
        N
    }
    fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(self);
        Ok(())
    }
}

/// A flag attribute: present or absent, no payload.
impl AttrValue for () {
    const CODEC: &'static str = "flag";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        if p.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::bad_size("flag", 0, p.len()))
        }
    }
    fn value_len(&self) -> usize {
        0
    }
    fn emit_value<B: NlBuffer + ?Sized>(&self, _buf: &mut B) -> Result<(), EncodeError> {
        Ok(())
    }
}

/// A nested attribute list.
impl<A: Attribute> AttrValue for Vec<A> {
    const CODEC: &'static str = "nested";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        crate::dsl::parse_attrs(p)
    }
    fn value_len(&self) -> usize {
        crate::dsl::attrs_len(self)
    }
    fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        crate::dsl::emit_attrs(self, buf)
    }
}
