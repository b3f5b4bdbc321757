//! Declarative message codecs: a message is a fixed C header followed by attributes.
//!
//! Three macros declare wire formats once and generate parse, emit, length and schema:
//!
//! - [`nl_header!`](crate::nl_header): a fixed header as a field table of name, type, byte
//!   offset and byte order (`ne` host order, `be` network order).
//! - [`nl_attrs!`](crate::nl_attrs): an attribute set as an enum, one variant per attribute
//!   with its type id, value codec and flag bits, plus an `Unknown(RawAttr)` variant that keeps
//!   whatever the kernel sent that we do not know. A variant can **dispatch** on a sibling:
//!   its codec is chosen by the value of an attribute parsed earlier in the same list (the
//!   link kind chooses how `IFLA_INFO_DATA` decodes).
//! - [`nl_dispatch!`](crate::nl_dispatch): the dispatched value: an enum keyed by the sibling's
//!   value, with an `Other(Vec<u8>)` variant for keys it does not know.
//!
//! [`Message`] ties a header and an attribute list together.
//!
//! # Contract
//! - **Lossless.** Attributes keep their order; unknown types (and known types whose sibling
//!   key is unknown) are kept as raw bytes and re-emitted byte for byte, flag bits included.
//!   For every list the kernel can send, `emit(parse(bytes)) == bytes` when known attributes
//!   carry the flag bits their declaration names (padding is emitted as zero).
//! - **Strict for what is known.** A known attribute whose value does not decode makes the
//!   whole list fail with a [`DecodeError`] naming the attribute path; it is never dropped.
//! - **Never panics** on any input. Parsing allocates only the owned values it returns.
//! - Headers: [`FixedHeader::parse`] accepts longer input and ignores the tail (attributes
//!   follow); shorter input is an error.
//!
//! # Example
//! ```
//! use linx_netlink_codec::{nl_attrs, nl_dispatch, nl_header, Attribute, Message};
//!
//! nl_header! {
//!     /// `struct ifinfomsg` (`<linux/rtnetlink.h>`).
//!     pub struct IfInfoMsg[16] {
//!         /// Address family.
//!         pub family: u8 [0] ne,
//!         /// `ARPHRD_*` device type.
//!         pub link_type: u16 [2] ne,
//!         /// Interface index.
//!         pub index: i32 [4] ne,
//!         /// `IFF_*` flags.
//!         pub flags: u32 [8] ne,
//!         /// Mask of flags to change.
//!         pub change: u32 [12] ne,
//!     }
//! }
//!
//! nl_attrs! {
//!     /// Attributes of a veth `IFLA_INFO_DATA`.
//!     pub enum VethAttr {
//!         /// `VETH_INFO_PEER`: the peer, a whole ifinfomsg + attributes.
//!         Peer(1): Vec<u8>,
//!     }
//! }
//!
//! nl_dispatch! {
//!     /// `IFLA_INFO_DATA`, decoded by the link kind.
//!     pub enum InfoData by String {
//!         /// veth.
//!         "veth" => Veth(Vec<VethAttr>),
//!     }
//! }
//!
//! nl_attrs! {
//!     /// `IFLA_LINKINFO` attributes.
//!     pub enum LinkInfo {
//!         /// `IFLA_INFO_KIND`.
//!         Kind(1): String,
//!         /// `IFLA_INFO_DATA`, dispatched on `Kind`.
//!         Data(2): InfoData [by Kind],
//!     }
//! }
//!
//! nl_attrs! {
//!     /// Link attributes.
//!     pub enum LinkAttr {
//!         /// `IFLA_IFNAME`.
//!         Name(3): String,
//!         /// `IFLA_MTU`.
//!         Mtu(4): u32,
//!         /// `IFLA_LINKINFO`.
//!         Info(18): Vec<LinkInfo>,
//!     }
//! }
//!
//! let msg = Message {
//!     header: IfInfoMsg { index: 7, ..Default::default() },
//!     attrs: vec![
//!         LinkAttr::Name("veth0".into()),
//!         LinkAttr::Info(vec![
//!             LinkInfo::Kind("veth".into()),
//!             LinkInfo::Data(InfoData::Veth(vec![VethAttr::Peer(vec![0; 16])])),
//!         ]),
//!     ],
//! };
//! let mut bytes = Vec::new();
//! msg.emit(&mut bytes).unwrap();
//! let back: Message<IfInfoMsg, LinkAttr> = Message::parse(&bytes).unwrap();
//! assert_eq!(back, msg);
//! assert_eq!(LinkAttr::SCHEMA[1].name, "Mtu");
//! ```

use crate::attr::{AttrIter, AttrView, AttrWriter, NlBuffer, RawAttr, align};
use crate::consts::NLA_HDRLEN;
use crate::error::{DecodeError, EncodeError};

/// Schema of one attribute, exposed by [`Attribute::SCHEMA`] (reflection for tools and
/// generated documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrSchema {
    /// Attribute type id.
    pub id: u16,
    /// Variant name.
    pub name: &'static str,
    /// Value codec name (`"u32"`, `"string"`, `"nested"`, `"dispatch"` ...).
    pub codec: &'static str,
    /// Flag bits emitted with the type (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`).
    pub flags: u16,
    /// For a dispatched attribute, the name of the sibling it dispatches on.
    pub dispatch_on: Option<&'static str>,
}

/// Schema of one fixed-header field, exposed by [`FixedHeader::FIELDS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSchema {
    /// Field name.
    pub name: &'static str,
    /// Byte offset.
    pub offset: usize,
    /// Size in bytes.
    pub size: usize,
    /// `"ne"` (host order) or `"be"` (network order).
    pub order: &'static str,
}

/// An attribute set: implemented by [`nl_attrs!`](crate::nl_attrs) enums.
pub trait Attribute: Sized {
    /// The declared attributes.
    const SCHEMA: &'static [AttrSchema];
    /// Type field to emit, flag bits included.
    fn raw_type(&self) -> u16;
    /// Encoded payload length (no header, no padding).
    fn value_len(&self) -> usize;
    /// Append the encoded payload.
    fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError>;
    /// Decode one attribute; `siblings` are the attributes parsed before it in the same list.
    fn parse_attr(view: &AttrView<'_>, siblings: &[Self]) -> Result<Self, DecodeError>;
}

/// A value whose codec depends on a sibling attribute (see [`nl_dispatch!`](crate::nl_dispatch)).
pub trait DispatchValue: Sized {
    /// The sibling value that selects the codec.
    type Key;
    /// Decode `payload` for `key` (`None` when the sibling is absent: keep raw bytes).
    fn parse_for(key: Option<&Self::Key>, payload: &[u8]) -> Result<Self, DecodeError>;
    /// Encoded payload length.
    fn value_len(&self) -> usize;
    /// Append the encoded payload.
    fn emit_value<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError>;
}

/// A fixed C header: implemented by [`nl_header!`](crate::nl_header) structs.
pub trait FixedHeader: Sized {
    /// Encoded size in bytes.
    const LEN: usize;
    /// C struct name (for errors).
    const NAME: &'static str;
    /// The field table.
    const FIELDS: &'static [FieldSchema];
    /// Decode from the start of `buf`; longer input is fine, shorter is an error.
    fn parse(buf: &[u8]) -> Result<Self, DecodeError>;
    /// Encode into the first [`LEN`](Self::LEN) bytes of `buf`.
    ///
    /// # Panics
    /// If `buf` is shorter than [`LEN`](Self::LEN).
    fn emit(&self, buf: &mut [u8]);
}

/// Decode an attribute list (stops at the first malformed attribute with an error).
///
/// ```
/// use linx_netlink_codec::{dsl::parse_attrs, nl_attrs};
/// nl_attrs! {
///     /// Example set.
///     pub enum A {
///         /// A u32.
///         X(1): u32,
///     }
/// }
/// let attrs: Vec<A> = parse_attrs(&[8, 0, 1, 0, 5, 0, 0, 0, 5, 0, 9, 0, 7, 0, 0, 0]).unwrap();
/// assert_eq!(attrs[0], A::X(5));
/// assert!(matches!(&attrs[1], A::Unknown(r) if r.raw_type == 9 && r.payload == [7]));
/// ```
pub fn parse_attrs<A: Attribute>(buf: &[u8]) -> Result<Vec<A>, DecodeError> {
    // One allocation of the right size: counting is a cheap walk over the length fields.
    let mut out = Vec::with_capacity(AttrIter::new(buf).count());
    for view in AttrIter::new(buf) {
        let view = view?;
        let a = A::parse_attr(&view, &out)
            .map_err(|e| e.within(view.kind(), view.offset() + NLA_HDRLEN))?;
        out.push(a);
    }
    Ok(out)
}

/// Encoded length of an attribute list, padding included.
pub fn attrs_len<A: Attribute>(attrs: &[A]) -> usize {
    attrs
        .iter()
        .map(|a| align(NLA_HDRLEN + a.value_len()))
        .sum()
}

/// Append an attribute list.
pub fn emit_attrs<A: Attribute, B: NlBuffer + ?Sized>(
    attrs: &[A],
    buf: &mut B,
) -> Result<(), EncodeError> {
    let mut w = AttrWriter::new(buf);
    for a in attrs {
        let len = a.value_len();
        if len + NLA_HDRLEN > u16::MAX as usize {
            return Err(EncodeError::AttrTooLong {
                attr_type: a.raw_type(),
                len,
            });
        }
        let mut res = Ok(());
        w.put_with(a.raw_type(), |b| res = a.emit_value(b))?;
        res?;
    }
    Ok(())
}

/// A netlink message payload: a fixed header followed by an attribute list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message<H, A> {
    /// The family header.
    pub header: H,
    /// The attributes, in wire order.
    pub attrs: Vec<A>,
}

impl<H: FixedHeader, A: Attribute> Message<H, A> {
    /// Decode a payload (the bytes after `nlmsghdr`).
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let header = H::parse(payload)?;
        let start = align(H::LEN);
        let attrs = match payload.get(start..) {
            Some(rest) => parse_attrs(rest).map_err(|mut e| {
                e.offset += start;
                e
            })?,
            None => Vec::new(),
        };
        Ok(Message { header, attrs })
    }

    /// Encoded payload length.
    pub fn buffer_len(&self) -> usize {
        align(H::LEN) + attrs_len(&self.attrs)
    }

    /// Append the encoded payload (header padded to 4, then the attributes).
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        let start = buf.len();
        buf.put_zeros(align(H::LEN));
        self.header
            .emit(&mut buf.as_mut_slice()[start..start + H::LEN]);
        emit_attrs(&self.attrs, buf)
    }
}

/// Integer types usable as fixed-header fields.
pub trait HeaderField: Copy {
    /// Size in bytes.
    const SIZE: usize;
    /// Read from exactly `SIZE` bytes.
    fn read(b: &[u8], big_endian: bool) -> Self;
    /// Write into exactly `SIZE` bytes.
    fn write(self, b: &mut [u8], big_endian: bool);
}

macro_rules! header_field {
    ($($t:ty),*) => {$(
        impl HeaderField for $t {
            const SIZE: usize = size_of::<$t>();
            #[inline]
            fn read(b: &[u8], big_endian: bool) -> Self {
                let mut a = [0u8; size_of::<$t>()];
                a.copy_from_slice(&b[..size_of::<$t>()]);
                if big_endian { <$t>::from_be_bytes(a) } else { <$t>::from_ne_bytes(a) }
            }
            #[inline]
            fn write(self, b: &mut [u8], big_endian: bool) {
                let a = if big_endian { self.to_be_bytes() } else { self.to_ne_bytes() };
                b[..size_of::<$t>()].copy_from_slice(&a);
            }
        }
    )*};
}
header_field!(u8, u16, u32, u64, i8, i16, i32, i64);

/// Keep unknown attributes: the `Unknown` variant's helpers.
#[doc(hidden)]
pub fn raw_of(view: &AttrView<'_>) -> RawAttr {
    RawAttr::from_view(view)
}

/// Declare a fixed C header. See the [module docs](crate::dsl) for an example.
///
/// Syntax: `pub struct Name[LEN] { pub field: type [offset] ne|be, ... }`. Bytes not covered
/// by a field (padding) are written as zero and ignored on decode.
#[macro_export]
macro_rules! nl_header {
    (
        $(#[$m:meta])*
        $vis:vis struct $name:ident [$len:expr] {
            $( $(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty [$off:expr] $order:ident ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        $vis struct $name {
            $( $(#[$fm])* $fvis $field: $ty, )*
        }

        $(
            #[allow(clippy::int_plus_one)]
            const _: () = assert!($off + size_of::<$ty>() <= $len, "field outside the header");
        )*

        impl $crate::FixedHeader for $name {
            const LEN: usize = $len;
            const NAME: &'static str = stringify!($name);
            const FIELDS: &'static [$crate::dsl::FieldSchema] = &[
                $( $crate::dsl::FieldSchema {
                    name: stringify!($field),
                    offset: $off,
                    size: size_of::<$ty>(),
                    order: stringify!($order),
                }, )*
            ];
            fn parse(buf: &[u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                if buf.len() < $len {
                    return Err($crate::DecodeError::truncated(stringify!($name), 0, $len, buf.len()));
                }
                Ok($name {
                    $( $field: <$ty as $crate::dsl::HeaderField>::read(
                        &buf[$off..], $crate::nl_header!(@be $order)), )*
                })
            }
            fn emit(&self, buf: &mut [u8]) {
                buf[..$len].fill(0);
                $( <$ty as $crate::dsl::HeaderField>::write(
                    self.$field, &mut buf[$off..], $crate::nl_header!(@be $order)); )*
            }
        }
    };
    (@be ne) => { false };
    (@be be) => { true };
}

/// Declare an attribute set as an enum. See the [module docs](crate::dsl) for an example.
///
/// Syntax per variant: `Name(id [, FLAG ...]): Codec [by Sibling],` where `Codec` implements
/// [`AttrValue`](crate::AttrValue) (or [`DispatchValue`] with `[by Sibling]`) and `FLAG` is
/// `NESTED` or `NET_BYTEORDER`. An `Unknown(RawAttr)` variant is added.
#[macro_export]
macro_rules! nl_attrs {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vm:meta])* $var:ident ( $id:expr $(, $flag:ident)* ) : $ty:ty $([by $key:ident])? ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        $vis enum $name {
            $( $(#[$vm])* $var($ty), )*
            /// An attribute this set does not know, kept byte for byte.
            Unknown($crate::RawAttr),
        }

        impl $crate::Attribute for $name {
            const SCHEMA: &'static [$crate::dsl::AttrSchema] = &[
                $( $crate::dsl::AttrSchema {
                    id: $id,
                    name: stringify!($var),
                    codec: $crate::nl_attrs!(@codec $ty $(, $key)?),
                    flags: 0 $( | $crate::nl_attrs!(@flag $flag) )*,
                    dispatch_on: $crate::nl_attrs!(@key $($key)?),
                }, )*
            ];
            fn raw_type(&self) -> u16 {
                match self {
                    $( $name::$var(_) => $id $( | $crate::nl_attrs!(@flag $flag) )*, )*
                    $name::Unknown(r) => r.raw_type,
                }
            }
            fn value_len(&self) -> usize {
                match self {
                    $( $name::$var(v) => $crate::nl_attrs!(@len v, $ty $(, $key)?), )*
                    $name::Unknown(r) => r.payload.len(),
                }
            }
            fn emit_value<B: $crate::NlBuffer + ?Sized>(
                &self,
                buf: &mut B,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                match self {
                    $( $name::$var(v) => $crate::nl_attrs!(@emit v, buf, $ty $(, $key)?), )*
                    $name::Unknown(r) => {
                        $crate::NlBuffer::put_slice(buf, &r.payload);
                        Ok(())
                    }
                }
            }
            #[allow(unused_variables)]
            fn parse_attr(
                view: &$crate::AttrView<'_>,
                siblings: &[Self],
            ) -> ::core::result::Result<Self, $crate::DecodeError> {
                let p = view.payload();
                $( if view.kind() == $id {
                    return Ok($name::$var($crate::nl_attrs!(@parse $name, p, siblings, $ty $(, $key)?)?));
                } )*
                Ok($name::Unknown($crate::dsl::raw_of(view)))
            }
        }
    };
    (@flag NESTED) => { $crate::consts::NLA_F_NESTED };
    (@flag NET_BYTEORDER) => { $crate::consts::NLA_F_NET_BYTEORDER };
    (@codec $ty:ty) => { <$ty as $crate::AttrValue>::CODEC };
    (@codec $ty:ty, $key:ident) => { "dispatch" };
    (@key) => { None };
    (@key $key:ident) => { Some(stringify!($key)) };
    (@len $v:ident, $ty:ty) => { <$ty as $crate::AttrValue>::value_len($v) };
    (@len $v:ident, $ty:ty, $key:ident) => { <$ty as $crate::DispatchValue>::value_len($v) };
    (@emit $v:ident, $b:ident, $ty:ty) => { <$ty as $crate::AttrValue>::emit_value($v, $b) };
    (@emit $v:ident, $b:ident, $ty:ty, $key:ident) => {
        <$ty as $crate::DispatchValue>::emit_value($v, $b)
    };
    (@parse $name:ident, $p:ident, $sib:ident, $ty:ty) => {
        <$ty as $crate::AttrValue>::parse_value($p)
    };
    (@parse $name:ident, $p:ident, $sib:ident, $ty:ty, $key:ident) => {{
        let key = $sib.iter().find_map(|a| match a {
            $name::$key(k) => Some(k),
            _ => None,
        });
        <$ty as $crate::DispatchValue>::parse_for(key, $p)
    }};
}

/// Declare a value dispatched on a sibling attribute. See the [module docs](crate::dsl).
///
/// Syntax: `pub enum Name by KeyType { key_literal => Variant(Codec), ... }`. An
/// `Other(Vec<u8>)` variant keeps the payload for keys not listed (and for an absent key).
#[macro_export]
macro_rules! nl_dispatch {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident by $key:ty {
            $( $(#[$vm:meta])* $lit:literal => $var:ident ( $ty:ty ) ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        $vis enum $name {
            $( $(#[$vm])* $var($ty), )*
            /// A payload for a key this enum does not know, kept byte for byte.
            Other(Vec<u8>),
        }

        impl $crate::DispatchValue for $name {
            type Key = $key;
            fn parse_for(
                key: Option<&$key>,
                p: &[u8],
            ) -> ::core::result::Result<Self, $crate::DecodeError> {
                match key {
                    $( Some(k) if *k == $lit => {
                        Ok($name::$var(<$ty as $crate::AttrValue>::parse_value(p)?))
                    } )*
                    _ => Ok($name::Other(p.to_vec())),
                }
            }
            fn value_len(&self) -> usize {
                match self {
                    $( $name::$var(v) => <$ty as $crate::AttrValue>::value_len(v), )*
                    $name::Other(b) => b.len(),
                }
            }
            fn emit_value<B: $crate::NlBuffer + ?Sized>(
                &self,
                buf: &mut B,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                match self {
                    $( $name::$var(v) => <$ty as $crate::AttrValue>::emit_value(v, buf), )*
                    $name::Other(b) => {
                        $crate::NlBuffer::put_slice(buf, b);
                        Ok(())
                    }
                }
            }
        }
    };
}
