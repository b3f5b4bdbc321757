//! Attribute value codecs: how one attribute payload becomes a typed value and back.
//!
//! [`AttrValue<V>`] is the one value-codec trait of Linx. A type implementing it is a codec
//! for values of type `V`; for the plain value types `V` is the type itself (`u32:
//! AttrValue<u32>`), so `u32::parse_value(payload)` reads a `u32`. A codec that is not its
//! own value is a unit marker type: a family crate can declare `struct Addr;` with `impl
//! AttrValue<Ip> for Addr` to read IP addresses the way its family sends them, and the
//! [`typed_attrs!`](crate::typed_attrs) declaration names the codec per attribute
//! (`dst as Addr`).
//!
//! Implemented here for the scalar types netlink uses (host-order integers, the big-endian
//! wrappers [`Be16`], [`Be32`], [`Be64`]), strings ([`String`] lenient, [`NulStr`] strict),
//! raw bytes (`Vec<u8>`), flags (`()`) and fixed arrays. A set declared with
//! `typed_attrs! { nested impl ... }` is a codec of itself too, which is how nested
//! attributes are declared.
//!
//! Why one trait with a context and an "keep it raw" answer: a decoder in a dump's hot path
//! needs the family header's address family to know whether `RTA_DST` is an address, a
//! dispatched value needs the sibling kind it is decoded by, and a value that is well formed
//! but not representable as the typed field (an interface name without its NUL) must stay
//! raw so that re-emitting gives the kernel's bytes back. [`AttrValue::decode`] gets a
//! [`DecodeCx`] and may answer `Ok(None)`; [`AttrValue::parse_value`] is the context-free
//! form for hand-written decoders.
//!
//! # Contract
//! - `parse_value` and `decode` never panic; a payload of the wrong size is a
//!   [`DecodeError`] with [`DecodeErrorKind::BadSize`], never a silent zero.
//!   `decode` returns `Ok(None)` only for a payload that is well formed but has no typed
//!   form; callers keep such an attribute raw.
//! - Byte order is part of the codec: `u32` is host order (rtnetlink), [`Be32`] is network
//!   order (nf_tables, `NLA_F_NET_BYTEORDER`).
//! - Strings: [`String`] trims trailing NULs on decode and appends exactly one on encode (a
//!   string the kernel sent without terminator re-emits one byte longer); [`NulStr`] types
//!   only payloads with exactly one trailing NUL, so its round trip is exact.
//! - Encoding writes exactly [`value_len`](AttrValue::value_len) payload bytes.

use crate::attr::{AttrWriter, NlBuffer};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// What a value decoder may need to know beyond its payload.
///
/// `Copy`; the [`typed_attrs!`](crate::typed_attrs) decoder builds one per message and
/// adds the sibling key for a dispatched attribute.
///
/// ```
/// use linx_netlink_codec::DecodeCx;
/// let cx = DecodeCx::family(2);
/// assert_eq!((cx.family, cx.key), (2, None));
/// assert_eq!(cx.with_key(Some("veth")).key, Some("veth"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeCx<'a> {
    /// The address family of the message (`rtm_family`, `nfgen_family` ...), 0 when the
    /// header has none.
    pub family: u8,
    /// For a value dispatched on a sibling attribute: the sibling's value, a kind name
    /// (`IFLA_INFO_KIND`, `NFTA_EXPR_NAME`, `TCA_KIND`: every dispatching sibling netlink
    /// has is a kind name). `None` when the sibling is absent or the value is not dispatched.
    pub key: Option<&'a str>,
}

impl<'a> DecodeCx<'a> {
    /// A context with the message's address family and no key.
    #[inline]
    pub const fn family(family: u8) -> Self {
        DecodeCx { family, key: None }
    }

    /// The same context with `key` as the sibling key.
    #[inline]
    #[must_use = "returns a new context"]
    pub const fn with_key<'b>(self, key: Option<&'b str>) -> DecodeCx<'b> {
        DecodeCx {
            family: self.family,
            key,
        }
    }
}

/// A codec for attribute payloads holding values of type `V` (by default the implementing
/// type itself).
///
/// Required: [`parse_value`](Self::parse_value), [`value_len`](Self::value_len),
/// [`emit_value`](Self::emit_value). Override [`decode`](Self::decode) when the value
/// depends on the context or may stay raw, and [`emit_attr`](Self::emit_attr) when the
/// attribute can be written in one copy (fixed-size values).
///
/// ```
/// use linx_netlink_codec::{AttrValue, AttrWriter, Be16, DecodeCx, DecodeError, EncodeError, NlBuffer};
///
/// // A port number, network order on the wire, kept in a plain u16.
/// struct Port;
/// impl AttrValue<u16> for Port {
///     const CODEC: &'static str = "port";
///     fn parse_value(p: &[u8]) -> Result<u16, DecodeError> {
///         Be16::parse_value(p).map(|v| v.0)
///     }
///     fn value_len(_: &u16) -> usize {
///         2
///     }
///     fn emit_value<B: NlBuffer + ?Sized>(v: &u16, b: &mut B) -> Result<(), EncodeError> {
///         b.put_slice(&v.to_be_bytes());
///         Ok(())
///     }
/// }
///
/// assert_eq!(Port::parse_value(&[0x1f, 0x90]).unwrap(), 8080);
/// assert_eq!(Port::decode(&[0x1f, 0x90], DecodeCx::default()).unwrap(), Some(8080));
/// let mut buf = Vec::new();
/// Port::emit_attr(&8080, 7, &mut AttrWriter::new(&mut buf)).unwrap();
/// assert_eq!(buf, [6, 0, 7, 0, 0x1f, 0x90, 0, 0]);
/// assert_eq!(u32::parse_value(&[1, 0, 0, 0]).unwrap(), u32::from_ne_bytes([1, 0, 0, 0]));
/// ```
pub trait AttrValue<V = Self> {
    /// The codec's name (`"u32"`, `"string"`, `"ip address"` ...), used as the context of
    /// its decode errors.
    const CODEC: &'static str;

    /// Decode a payload without context.
    fn parse_value(payload: &[u8]) -> Result<V, DecodeError>;

    /// Decode a payload in a message: `Ok(None)` keeps the attribute raw (well formed, but
    /// not representable as a typed value in this context). The default is
    /// [`parse_value`](Self::parse_value).
    #[inline(always)]
    fn decode(payload: &[u8], cx: DecodeCx<'_>) -> Result<Option<V>, DecodeError> {
        let _ = cx;
        Self::parse_value(payload).map(Some)
    }

    /// [`decode`](Self::decode) into `slot`, the typed field: `Ok(true)` when it was
    /// filled, `Ok(false)` to keep the attribute raw. Declared decoders call this. The
    /// default calls `decode`; a codec whose values come in several shapes (an address of 4
    /// or 16 bytes) overrides it to store each shape in place, which spares the hot loop a
    /// copy of the whole value through the stack.
    #[inline(always)]
    fn decode_into(
        payload: &[u8],
        cx: DecodeCx<'_>,
        slot: &mut Option<V>,
    ) -> Result<bool, DecodeError> {
        match Self::decode(payload, cx)? {
            Some(v) => {
                *slot = Some(v);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Length of the encoded payload, without attribute header or padding.
    fn value_len(v: &V) -> usize;

    /// Append the encoded payload to `buf`.
    fn emit_value<B: NlBuffer + ?Sized>(v: &V, buf: &mut B) -> Result<(), EncodeError>;

    /// Length of `v` as a whole attribute: header, payload and padding, or 0 when
    /// [`emit_attr`](Self::emit_attr) writes nothing for it. The default is the aligned
    /// header plus [`value_len`](Self::value_len); a codec that writes only some values (an
    /// IPv4-only address codec given an IPv6 address) overrides both.
    #[inline]
    fn attr_len(v: &V) -> usize {
        crate::attr::align(crate::consts::NLA_HDRLEN + Self::value_len(v))
    }

    /// Append `v` as a whole attribute of type `raw_type` (flag bits included). The default
    /// writes the header, then [`emit_value`](Self::emit_value), then patches the length.
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &V,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        let mut res = Ok(());
        w.put_with(raw_type, |b| res = Self::emit_value(v, b))?;
        res
    }
}

// Error paths stay out of line, so a decoder's hot loop keeps its values in registers.
#[cold]
#[inline(never)]
fn bad_size(codec: &'static str, expected: usize, got: usize) -> DecodeError {
    DecodeError::bad_size(codec, expected, got)
}

macro_rules! int_value {
    ($($t:ty => $name:literal, $put:ident($u:ty));* $(;)?) => {$(
        impl AttrValue for $t {
            const CODEC: &'static str = $name;
            #[inline]
            fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
                match <[u8; size_of::<$t>()]>::try_from(p) {
                    Ok(a) => Ok(<$t>::from_ne_bytes(a)),
                    Err(_) => Err(bad_size($name, size_of::<$t>(), p.len())),
                }
            }
            #[inline]
            fn value_len(_: &Self) -> usize {
                size_of::<$t>()
            }
            #[inline]
            fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
                buf.put_slice(&v.to_ne_bytes());
                Ok(())
            }
            #[inline]
            fn emit_attr<B: NlBuffer + ?Sized>(
                v: &Self,
                raw_type: u16,
                w: &mut AttrWriter<'_, B>,
            ) -> Result<(), EncodeError> {
                w.$put(raw_type, <$u>::from_ne_bytes(v.to_ne_bytes()))
            }
        }
    )*};
}
int_value!(
    u8 => "u8", put_u8(u8);
    u16 => "u16", put_u16(u16);
    u32 => "u32", put_u32(u32);
    u64 => "u64", put_u64(u64);
    i8 => "s8", put_u8(u8);
    i16 => "s16", put_u16(u16);
    i32 => "s32", put_u32(u32);
    i64 => "s64", put_u64(u64);
);

macro_rules! be_value {
    ($($(#[$m:meta])* $name:ident($t:ty) => $codec:literal, $put:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $t);

        impl AttrValue for $name {
            const CODEC: &'static str = $codec;
            #[inline]
            fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
                match <[u8; size_of::<$t>()]>::try_from(p) {
                    Ok(a) => Ok($name(<$t>::from_be_bytes(a))),
                    Err(_) => Err(bad_size($codec, size_of::<$t>(), p.len())),
                }
            }
            #[inline]
            fn value_len(_: &Self) -> usize {
                size_of::<$t>()
            }
            #[inline]
            fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
                buf.put_slice(&v.0.to_be_bytes());
                Ok(())
            }
            #[inline]
            fn emit_attr<B: NlBuffer + ?Sized>(
                v: &Self,
                raw_type: u16,
                w: &mut AttrWriter<'_, B>,
            ) -> Result<(), EncodeError> {
                w.$put(raw_type, v.0)
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
    Be16(u16) => "be16", put_be16,
    /// A `u32` in network byte order on the wire.
    ///
    /// ```
    /// use linx_netlink_codec::{AttrValue, Be32};
    /// assert_eq!(Be32::parse_value(&[0, 0, 0, 1]).unwrap(), Be32(1));
    /// ```
    Be32(u32) => "be32", put_be32,
    /// A `u64` in network byte order on the wire.
    ///
    /// ```
    /// use linx_netlink_codec::{AttrValue, Be64};
    /// assert_eq!(Be64::parse_value(&[0, 0, 0, 0, 0, 0, 0, 2]).unwrap(), Be64(2));
    /// ```
    Be64(u64) => "be64", put_be64,
);

/// A string, lenient: trailing NULs are trimmed on decode, exactly one is written on encode.
impl AttrValue for String {
    const CODEC: &'static str = "string";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        let end = p.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        std::str::from_utf8(&p[..end])
            .map(str::to_owned)
            .map_err(|e| DecodeError::new(DecodeErrorKind::InvalidUtf8, "string", e.valid_up_to()))
    }
    fn value_len(v: &Self) -> usize {
        v.len() + 1
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(v.as_bytes());
        buf.put_zeros(1);
        Ok(())
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &Self,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_str(raw_type, v)
    }
}

/// A NUL-terminated string, strict: typed only when the payload is UTF-8 with exactly one
/// NUL, at the end (as the kernel sends interface names); anything else stays raw in a
/// [`typed_attrs!`](crate::typed_attrs) set, so `emit(parse(bytes)) == bytes` holds for
/// every payload. The value is a `String` without the NUL.
///
/// ```
/// use linx_netlink_codec::{AttrValue, DecodeCx, NulStr};
/// assert_eq!(NulStr::decode(b"eth0\0", DecodeCx::default()).unwrap().as_deref(), Some("eth0"));
/// assert_eq!(NulStr::decode(b"eth0\0\0", DecodeCx::default()).unwrap(), None);
/// assert!(NulStr::parse_value(b"eth0").is_err());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct NulStr;

impl NulStr {
    fn typed(p: &[u8]) -> Option<String> {
        match p.split_last() {
            Some((0, s)) if !s.contains(&0) => std::str::from_utf8(s).ok().map(str::to_owned),
            _ => None,
        }
    }
}

impl AttrValue<String> for NulStr {
    const CODEC: &'static str = "nul-terminated string";
    fn parse_value(p: &[u8]) -> Result<String, DecodeError> {
        Self::typed(p).ok_or(DecodeError::new(
            DecodeErrorKind::InvalidValue,
            Self::CODEC,
            0,
        ))
    }
    #[inline]
    fn decode(p: &[u8], _: DecodeCx<'_>) -> Result<Option<String>, DecodeError> {
        Ok(Self::typed(p))
    }
    // Encoding is `String`'s: the bytes and one NUL.
    fn value_len(v: &String) -> usize {
        String::value_len(v)
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &String, buf: &mut B) -> Result<(), EncodeError> {
        String::emit_value(v, buf)
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        v: &String,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        String::emit_attr(v, raw_type, w)
    }
}

/// The encoding half of a codec whose value is its own payload bytes (`Vec<u8>`,
/// `[u8; N]`): `value_len`, `emit_value` and a one-copy `emit_attr`.
macro_rules! bytes_encoding {
    () => {
        fn value_len(v: &Self) -> usize {
            v.len()
        }
        fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
            buf.put_slice(v);
            Ok(())
        }
        #[inline]
        fn emit_attr<B: NlBuffer + ?Sized>(
            v: &Self,
            raw_type: u16,
            w: &mut AttrWriter<'_, B>,
        ) -> Result<(), EncodeError> {
            w.put(raw_type, v)
        }
    };
}

/// Raw bytes, any length.
impl AttrValue for Vec<u8> {
    const CODEC: &'static str = "binary";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        Ok(p.to_vec())
    }
    bytes_encoding!();
}

/// Exactly `N` bytes (a MAC address, an IPv4 address in network order ...).
impl<const N: usize> AttrValue for [u8; N] {
    const CODEC: &'static str = "bytes";
    #[inline]
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        match p.try_into() {
            Ok(a) => Ok(a),
            Err(_) => Err(bad_size("bytes", N, p.len())),
        }
    }
    bytes_encoding!();
}

/// A flag attribute: present or absent, no payload.
impl AttrValue for () {
    const CODEC: &'static str = "flag";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        if p.is_empty() {
            Ok(())
        } else {
            Err(bad_size("flag", 0, p.len()))
        }
    }
    fn value_len(_: &Self) -> usize {
        0
    }
    fn emit_value<B: NlBuffer + ?Sized>(_: &Self, _buf: &mut B) -> Result<(), EncodeError> {
        Ok(())
    }
    #[inline]
    fn emit_attr<B: NlBuffer + ?Sized>(
        _: &Self,
        raw_type: u16,
        w: &mut AttrWriter<'_, B>,
    ) -> Result<(), EncodeError> {
        w.put_flag(raw_type)
    }
}

/// The codec of a list: a nest of repeated attributes of type `KIND`, each a value of codec
/// `C` (the devices of a hook, the fields of a concatenation). Declared as a field like any
/// other value (`devs as ListOf<NulStr, 1>`), so a list is one more declaration, not a walk.
///
/// Decoding declines (`Ok(None)`: the attribute stays raw, nothing is lost) when an entry
/// has another type or its codec declines it; an entry that does not decode is an error
/// located at the entry. Encoding writes each value as a `KIND` attribute.
///
/// ```
/// use linx_netlink_codec::{AttrValue, AttrWriter, DecodeCx, NulStr, value::ListOf};
/// type Devices = ListOf<NulStr, 1>;
/// let devs = vec!["eth0".to_string(), "eth1".to_string()];
/// let mut buf = Vec::new();
/// Devices::emit_value(&devs, &mut buf).unwrap();
/// assert_eq!(buf.len(), Devices::value_len(&devs));
/// assert_eq!(Devices::parse_value(&buf).unwrap(), devs);
/// // An entry of another type: the list is kept raw by the declaration that holds it.
/// AttrWriter::new(&mut buf).put_u8(2, 0).unwrap();
/// assert_eq!(Devices::decode(&buf, DecodeCx::default()).unwrap(), None);
/// ```
pub struct ListOf<C, const KIND: u16>(std::marker::PhantomData<C>);

impl<V, C: AttrValue<V>, const KIND: u16> AttrValue<Vec<V>> for ListOf<C, KIND> {
    const CODEC: &'static str = "list";

    fn parse_value(p: &[u8]) -> Result<Vec<V>, DecodeError> {
        Self::decode(p, DecodeCx::default())?
            .ok_or_else(|| DecodeError::new(crate::DecodeErrorKind::InvalidValue, "list", 0))
    }

    fn decode(p: &[u8], cx: DecodeCx<'_>) -> Result<Option<Vec<V>>, DecodeError> {
        let mut out = Vec::new();
        for a in crate::AttrIter::new(p) {
            let a = a?;
            if a.kind() != KIND {
                return Ok(None);
            }
            match C::decode(a.payload(), cx) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(None),
                Err(e) => return Err(e.within(a.raw_type(), a.offset())),
            }
        }
        Ok(Some(out))
    }

    fn value_len(v: &Vec<V>) -> usize {
        v.iter().map(C::attr_len).sum()
    }

    fn emit_value<B: NlBuffer + ?Sized>(v: &Vec<V>, buf: &mut B) -> Result<(), EncodeError> {
        let mut w = AttrWriter::new(buf);
        v.iter().try_for_each(|x| C::emit_attr(x, KIND, &mut w))
    }
}
