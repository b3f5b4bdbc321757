//! Declarations of wire formats: a message is a fixed C header followed by attributes, and
//! each is declared once.
//!
//! - [`nl_header!`](crate::nl_header) declares a fixed header as a field table of name, type,
//!   byte offset and byte order (`ne` host order, `be` network order). It generates the
//!   struct, an inlined reader and writer (`read(&[u8; LEN])`, `write(&mut [u8; LEN])`) and
//!   [`FixedHeader`] (length-checked `parse`, `emit`, the field table).
//! - [`typed_attrs!`](crate::typed_attrs) declares the attributes an owned type models: per
//!   attribute a canonical slot number, the type id (flag bits included), the field and its
//!   value codec ([`AttrValue`]), optionally the sibling field it is dispatched on. It
//!   generates the decoder (`with_attrs`/`fill`), the encoder (`emit_attrs`) and the encoded
//!   length (`attrs_len`); with `nested` the type becomes a value codec itself, so a nested
//!   attribute is declared as a field of that type.
//! - [`kind_dispatch!`](crate::kind_dispatch) declares a value dispatched on a sibling kind
//!   name (link kind data, nf_tables expression data): one variant per kind, each with its
//!   codec; a kind it does not list leaves the attribute raw.
//! - [`attr_table!`](crate::attr_table) is the read-only form of the same declaration: the
//!   attribute types a nest may hold, read into a borrowed [`AttrTable`](crate::AttrTable)
//!   (all-or-nothing `exact`, or `first` of each with the rest kept for the caller), values
//!   read through the same [`AttrValue`] codecs. For decoders that build their own model and
//!   borrow names (nf_tables expressions, rules, set elements), where an owned lossless type
//!   would be filled, copied from and thrown away.
//! - A list (one attribute type repeated) is a value codec,
//!   [`ListOf`](crate::value::ListOf), declared as a field like any other.
//!
//! Why this shape: a route dump decodes millions of attributes, so the generated decoder is
//! one pass over [`AttrIter`] into `Option` fields of the owned type (no intermediate list, no
//! allocation for modelled attributes), and a type that is decoded, compared and re-emitted
//! is a plain struct with typed fields rather than a list of enum variants. Losslessness
//! comes from two fields every declared type carries: `other: RawAttrs` keeps every attribute
//! that is not modelled (and duplicates) as wire bytes, and `wire_order: WireOrder` records the
//! order the attributes arrived in, so `emit(parse(bytes)) == bytes`.
//!
//! # Contract
//! - **First occurrence typed, the rest raw.** The first attribute whose type bits equal a
//!   declared type id (flags included: an `NLA_F_NET_BYTEORDER` variant of a host-order
//!   attribute stays raw) goes through the codec; duplicates, unknown types, and values the
//!   codec declines (`Ok(None)` from [`AttrValue::decode`]) are kept in `other`.
//! - **Strict for what is known.** A declared attribute whose value does not decode fails the
//!   whole message with a [`DecodeError`] carrying the attribute path and the payload's offset.
//! - **Lossless.** Emit writes the recorded order: typed slots and raw attributes interleaved
//!   as received; then typed fields set after decoding (canonical slot order), then raw
//!   attributes added after decoding. A value built in code has an empty order and emits its
//!   typed fields in slot order, then `other`. Padding is written as zero.
//! - **Never panics** on any input; decoding allocates only the owned values it returns and
//!   the raw bytes it keeps. [`FixedHeader::parse`] accepts longer input (attributes follow)
//!   and refuses shorter input.
//! - A declared type has at most [`MAX_SLOTS`] typed attributes (checked at compile time);
//!   [`WireOrder`] is exact for messages of up to 254 attributes.
//!
//! # Example
//! A link message: a header, attributes with a nested set whose data is dispatched on the
//! kind, decoded and re-emitted byte for byte.
//!
//! ```
//! use linx_netlink_codec::{
//!     kind_dispatch, nl_header, typed_attrs, AttrWriter, DecodeCx, DecodeError, EncodeError,
//!     FixedHeader, RawAttrs, WireOrder,
//! };
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
//! /// `IFLA_INFO_DATA` of a macvlan: `IFLA_MACVLAN_MODE`.
//! #[derive(Clone, Debug, Default, PartialEq, Eq)]
//! pub struct Macvlan {
//!     pub mode: Option<u32>,
//!     pub other: RawAttrs,
//!     pub wire_order: WireOrder,
//! }
//! typed_attrs! { nested impl Macvlan { 1: 1 => mode as u32 } }
//!
//! kind_dispatch! {
//!     /// `IFLA_INFO_DATA`, decoded by the kind (unknown kinds stay raw).
//!     #[derive(Clone, Debug, PartialEq, Eq)]
//!     pub enum KindData {
//!         "macvlan" | "macvtap" => Macvlan(Macvlan),
//!     }
//! }
//!
//! /// `IFLA_LINKINFO`.
//! #[derive(Clone, Debug, Default, PartialEq, Eq)]
//! pub struct LinkInfo {
//!     pub kind: Option<String>,
//!     pub data: Option<KindData>,
//!     pub other: RawAttrs,
//!     pub wire_order: WireOrder,
//! }
//! typed_attrs! {
//!     nested impl LinkInfo {
//!         1: 1 => kind as String,            // IFLA_INFO_KIND
//!         2: 2 => data as KindData [by kind], // IFLA_INFO_DATA
//!     }
//! }
//!
//! /// A link: the header's fields and three attributes.
//! #[derive(Clone, Debug, Default, PartialEq, Eq)]
//! pub struct Link {
//!     pub index: i32,
//!     pub name: Option<String>,
//!     pub mtu: Option<u32>,
//!     pub info: Option<LinkInfo>,
//!     pub other: RawAttrs,
//!     pub wire_order: WireOrder,
//! }
//! typed_attrs! {
//!     impl Link {
//!         1: 3 => name as String,     // IFLA_IFNAME
//!         2: 4 => mtu as u32,         // IFLA_MTU
//!         3: 18 => info as LinkInfo,  // IFLA_LINKINFO
//!     }
//! }
//!
//! impl Link {
//!     fn parse(payload: &[u8]) -> Result<Link, DecodeError> {
//!         let h = IfInfoMsg::parse(payload)?;
//!         let head = Link { index: h.index, ..Default::default() };
//!         Link::with_attrs(head, &payload[IfInfoMsg::LEN..], IfInfoMsg::LEN, DecodeCx::family(h.family))
//!     }
//!     fn emit(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
//!         IfInfoMsg { index: self.index, ..Default::default() }.append(buf);
//!         self.emit_attrs(&mut AttrWriter::new(buf))
//!     }
//! }
//!
//! let mut wire = vec![0; 16];
//! wire[4] = 7; // index 7 (little-endian host)
//! let mut w = AttrWriter::new(&mut wire);
//! w.put_u32(4, 1500).unwrap(); // IFLA_MTU first: the order is kept
//! w.put_u32(99, 1).unwrap(); // unknown: kept raw
//! let info = w.begin_nest(18, false);
//! w.put_str(1, "macvlan").unwrap();
//! let data = w.begin_nest(2, false);
//! w.put_u32(1, 4).unwrap();
//! w.end_nest(data).unwrap();
//! w.end_nest(info).unwrap();
//! w.put_str(3, "mv0").unwrap();
//!
//! # #[cfg(target_endian = "little")] {
//! let link = Link::parse(&wire).unwrap();
//! assert_eq!((link.index, link.mtu, link.name.as_deref()), (7, Some(1500), Some("mv0")));
//! let info = link.info.as_ref().unwrap();
//! assert_eq!(info.data, Some(KindData::Macvlan(Macvlan { mode: Some(4), ..Default::default() })));
//! assert_eq!(link.other.iter().map(|a| a.unwrap().kind()).collect::<Vec<_>>(), [99]);
//! let mut out = Vec::new();
//! link.emit(&mut out).unwrap();
//! assert_eq!(out, wire);
//! # }
//! ```
//!
//! [`AttrIter`]: crate::AttrIter
//! [`AttrValue`]: crate::AttrValue
//! [`AttrValue::decode`]: crate::AttrValue::decode

use std::fmt;

use crate::attr::{AttrIter, AttrWriter, NlBuffer, RawAttrs, align};
use crate::consts::NLA_TYPE_MASK;
use crate::error::{DecodeError, EncodeError};

// ---------------------------------------------------------------------------- fixed headers

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
    /// Encode into the first [`LEN`](Self::LEN) bytes of `buf` (bytes no field covers are
    /// written as zero).
    ///
    /// # Panics
    /// If `buf` is shorter than [`LEN`](Self::LEN).
    fn emit(&self, buf: &mut [u8]);

    /// Append the header to `buf`, padded with zeros to 4 bytes (where the attributes of a
    /// message start).
    #[inline]
    fn append<B: NlBuffer + ?Sized>(&self, buf: &mut B) {
        let start = buf.len();
        buf.put_zeros(align(Self::LEN));
        self.emit(&mut buf.as_mut_slice()[start..]);
    }
}

/// Integer types usable as fixed-header fields (the building block of
/// [`nl_header!`](crate::nl_header)).
pub trait HeaderField: Copy {
    /// Size in bytes.
    const SIZE: usize;
    /// Read the field at `off` of a header of `L` bytes. With `L` and `off` constants (as
    /// the macro calls it) this compiles to one load.
    ///
    /// # Panics
    /// If `off + SIZE > L` (the macro checks this at compile time).
    fn read_at<const L: usize>(h: &[u8; L], off: usize, big_endian: bool) -> Self;
    /// Write the field at `off` of a header of `L` bytes.
    ///
    /// # Panics
    /// If `off + SIZE > L` (the macro checks this at compile time).
    fn write_at<const L: usize>(self, h: &mut [u8; L], off: usize, big_endian: bool);
}

macro_rules! header_field {
    ($($t:ty),*) => {$(
        impl HeaderField for $t {
            const SIZE: usize = size_of::<$t>();
            #[inline(always)]
            fn read_at<const L: usize>(h: &[u8; L], off: usize, big_endian: bool) -> Self {
                let mut a = [0u8; size_of::<$t>()];
                a.copy_from_slice(&h[off..off + size_of::<$t>()]);
                if big_endian { <$t>::from_be_bytes(a) } else { <$t>::from_ne_bytes(a) }
            }
            #[inline(always)]
            fn write_at<const L: usize>(self, h: &mut [u8; L], off: usize, big_endian: bool) {
                let a = if big_endian { self.to_be_bytes() } else { self.to_ne_bytes() };
                h[off..off + size_of::<$t>()].copy_from_slice(&a);
            }
        }
    )*};
}
header_field!(u8, u16, u32, u64, i8, i16, i32, i64);

/// Declare a fixed C header. See the [module docs](crate::decl) for an example.
///
/// Syntax: `pub struct Name[LEN] { pub field: type [offset] ne|be, ... }`. Generates the
/// struct (`Copy`, `Default`, ...), inherent `read(&[u8; LEN]) -> Self` and
/// `write(&self, &mut [u8; LEN])` (inlined: a decoder reads the header in place, no call),
/// and [`FixedHeader`]. Bytes not covered by a field (padding) are written as zero and
/// ignored on decode. A field outside the header is a compile error.
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

        impl $name {
            /// Read every field from the header's bytes.
            #[inline(always)]
            #[allow(dead_code)]
            $vis fn read(h: &[u8; $len]) -> Self {
                $name {
                    $( $field: <$ty as $crate::decl::HeaderField>::read_at(
                        h, $off, $crate::nl_header!(@be $order)), )*
                }
            }

            /// Write every field into the header's bytes (padding as zero).
            #[inline(always)]
            #[allow(dead_code)]
            $vis fn write(&self, h: &mut [u8; $len]) {
                *h = [0; $len];
                $( <$ty as $crate::decl::HeaderField>::write_at(
                    self.$field, h, $off, $crate::nl_header!(@be $order)); )*
            }
        }

        impl $crate::FixedHeader for $name {
            const LEN: usize = $len;
            const NAME: &'static str = stringify!($name);
            const FIELDS: &'static [$crate::decl::FieldSchema] = &[
                $( $crate::decl::FieldSchema {
                    name: stringify!($field),
                    offset: $off,
                    size: size_of::<$ty>(),
                    order: stringify!($order),
                }, )*
            ];
            #[inline]
            fn parse(buf: &[u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                match buf.first_chunk::<{ $len }>() {
                    Some(h) => Ok(Self::read(h)),
                    None => Err($crate::decl::truncated(stringify!($name), $len, buf.len())),
                }
            }
            #[inline]
            fn emit(&self, buf: &mut [u8]) {
                match buf.first_chunk_mut::<{ $len }>() {
                    Some(h) => self.write(h),
                    None => panic!("{} needs {} bytes, the buffer has {}", stringify!($name), $len, buf.len()),
                }
            }
        }
    };
    (@be ne) => { false };
    (@be be) => { true };
}

/// Schema of one declared attribute, exposed by the `SCHEMA` constant
/// [`typed_attrs!`](crate::typed_attrs) generates (reflection for tools and generated docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrSchema {
    /// Attribute type, without flag bits.
    pub id: u16,
    /// Flag bits the attribute carries (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`).
    pub flags: u16,
    /// Canonical slot (emit order of a value built in code).
    pub slot: u8,
    /// Field name.
    pub name: &'static str,
    /// Value codec, as written in the declaration (`"u32"`, `"Addr"` ...).
    pub codec: &'static str,
    /// For a dispatched attribute, the field of the sibling it is decoded by.
    pub dispatch_on: Option<&'static str>,
}

// ------------------------------------------------------------------------------ wire order

/// In a [`WireOrder`] sequence: "the next raw attribute".
pub const RAW_TOKEN: u8 = 0;
/// The most typed slots a type declared with [`typed_attrs!`](crate::typed_attrs) may have.
pub const MAX_SLOTS: usize = 16;

/// The order in which a decoded message's attributes arrived, so `emit` reproduces the
/// kernel's bytes exactly (typed fields and [`RawAttrs`] alone lose the interleaving).
///
/// Not part of a value's identity: every `WireOrder` equals every other, so two values that
/// differ only in attribute order compare (and hash) equal. Values built in code have an
/// empty order and emit in the canonical order; a typed field set after decoding is
/// emitted after the recorded ones. Exact for messages of up to 254 attributes. `Copy`,
/// no heap; recording costs a shift and an or per attribute.
///
/// ```
/// use linx_netlink_codec::WireOrder;
/// let mut o = WireOrder::default();
/// assert!(o.is_empty());
/// o.typed(2);
/// o.raw();
/// assert_eq!((o.len(), format!("{o:?}")), (2, "[2, 0]".to_string()));
/// ```
#[derive(Clone, Copy, Default)]
pub struct WireOrder {
    /// Byte `s` (slot `s + 1`): 1 + the index of the attribute that filled it, 0 for none.
    /// Packed in two words so recording is one shift-or by a constant into a register.
    pos: [u64; 2],
    /// Attributes seen, typed and raw (saturating at 255).
    len: u8,
}

impl WireOrder {
    /// Typed slot `slot` (1..=[`MAX_SLOTS`], a constant at every call site) was filled by
    /// the next attribute.
    ///
    /// # Panics
    /// If `slot` is 0 or above [`MAX_SLOTS`].
    #[inline(always)]
    pub fn typed(&mut self, slot: usize) {
        if self.len < u8::MAX {
            self.len += 1;
            let s = slot - 1;
            self.pos[s / 8] |= u64::from(self.len) << (8 * (s % 8));
        }
    }

    /// The next attribute was kept raw.
    #[inline(always)]
    pub fn raw(&mut self) {
        self.len = self.len.saturating_add(1);
    }

    fn slot_at(&self, index: u8) -> Option<u8> {
        (0..MAX_SLOTS)
            .find(|s| (self.pos[s / 8] >> (8 * (s % 8))) as u8 == index)
            .map(|s| s as u8 + 1)
    }

    /// The recorded sequence: a slot number, or [`RAW_TOKEN`] for the next raw attribute.
    fn sequence(&self) -> impl Iterator<Item = u8> + '_ {
        (1..self.len.min(u8::MAX - 1) + 1).map(|i| self.slot_at(i).unwrap_or(RAW_TOKEN))
    }

    /// Whether no order is recorded (a value built in code).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many attributes the decoded message had (saturating at 255).
    pub fn len(&self) -> usize {
        self.len.into()
    }

    /// Forget the order: emit in the canonical order.
    pub fn clear(&mut self) {
        *self = WireOrder::default();
    }
}

impl PartialEq for WireOrder {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for WireOrder {}

impl std::hash::Hash for WireOrder {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for WireOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.sequence()).finish()
    }
}

/// Emit typed slots and raw attributes in `order`, then whatever the order did not cover
/// (slots in canonical order 1..=`slots`, then the remaining raw attributes). `slot(s, w)`
/// writes slot `s` (nothing when its field is unset). The encoder
/// [`typed_attrs!`](crate::typed_attrs) generates; public for types whose slots are
/// written by hand.
///
/// ```
/// use linx_netlink_codec::{decl::emit_ordered, AttrWriter, RawAttrs, WireOrder};
/// let mut other = RawAttrs::default();
/// other.push_raw(9, &[1, 2, 3, 4]).unwrap();
/// let mut order = WireOrder::default();
/// order.raw();
/// order.typed(1);
/// let mut buf = Vec::new();
/// emit_ordered(&order, &other, 1, &mut AttrWriter::new(&mut buf), |_, w| w.put_u8(1, 7)).unwrap();
/// assert_eq!(buf, [8, 0, 9, 0, 1, 2, 3, 4, 5, 0, 1, 0, 7, 0, 0, 0]);
/// ```
pub fn emit_ordered<B: NlBuffer + ?Sized>(
    order: &WireOrder,
    other: &RawAttrs,
    slots: u8,
    w: &mut AttrWriter<'_, B>,
    mut slot: impl FnMut(u8, &mut AttrWriter<'_, B>) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let mut done = 0u32;
    let mut raw = other.iter();
    for t in order.sequence() {
        if t == RAW_TOKEN {
            if let Some(Ok(a)) = raw.next() {
                w.put(a.raw_type(), a.payload())?;
            }
        } else if (1..=slots).contains(&t) && done & (1 << t) == 0 {
            done |= 1 << t;
            slot(t, w)?;
        }
    }
    for t in 1..=slots {
        if done & (1 << t) == 0 {
            slot(t, w)?;
        }
    }
    for a in raw.flatten() {
        w.put(a.raw_type(), a.payload())?;
    }
    Ok(())
}

// ------------------------------------------------------------------------ decoder support

/// Walk the attributes of `buf` (which starts `base` bytes into the enclosing payload) with
/// [`AttrIter`], calling `f(raw_type, payload, offset_in_buf)` for each; a malformed
/// attribute is an error located at `base` + its offset. Inlined into the generated
/// decoders, so the per-attribute work is one loop.
#[inline(always)]
pub fn walk(
    buf: &[u8],
    base: usize,
    mut f: impl FnMut(u16, &[u8], usize) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    for a in AttrIter::new(buf) {
        let a = match a {
            Ok(a) => a,
            Err(e) => return Err(shifted(e, base)),
        };
        f(a.raw_type(), a.payload(), a.offset())?;
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn shifted(mut e: DecodeError, base: usize) -> DecodeError {
    e.offset += base;
    e
}

/// `e`, raised by the codec of attribute `raw_type` whose payload starts at `offset`, with
/// the attribute put on its path.
#[cold]
#[inline(never)]
pub fn located(e: DecodeError, raw_type: u16, offset: usize) -> DecodeError {
    e.within(raw_type & NLA_TYPE_MASK, offset)
}

/// Whether `v` is its type's default (a `[plain]` field of
/// [`typed_attrs!`](crate::typed_attrs) that is not written).
#[inline(always)]
pub fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A run of consecutive attributes a decoder keeps raw: copied into the `RawAttrs` in one
/// go when a typed attribute (or the end) interrupts it, with the bytes one
/// [`RawAttrs::push`] per attribute would give (padding zeroed). Used by the decoders
/// [`typed_attrs!`](crate::typed_attrs) generates.
///
/// ```
/// use linx_netlink_codec::{decl::RawRun, RawAttrs};
/// // two attributes, the first with padding that is not zero
/// let wire = [5, 0, 200, 0, 7, 0xee, 0xee, 0xee, 8, 0, 201, 0, 1, 2, 3, 4];
/// let mut run = RawRun::default();
/// run.add(&wire, 0, 1);
/// run.add(&wire, 8, 4);
/// let mut other = RawAttrs::default();
/// run.flush(&wire, &mut other);
/// assert_eq!(other.as_bytes(), [5, 0, 200, 0, 7, 0, 0, 0, 8, 0, 201, 0, 1, 2, 3, 4]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RawRun {
    start: usize,
    end: usize,
    dirty: bool,
}

impl RawRun {
    /// Add the attribute at `at` of `attrs` with a payload of `payload_len` bytes (it
    /// follows the run, as [`AttrIter`] walks them).
    #[inline(always)]
    pub fn add(&mut self, attrs: &[u8], at: usize, payload_len: usize) {
        if self.start == self.end {
            self.start = at;
            self.dirty = false;
        }
        let end = at + 4 + payload_len;
        let aligned = align(end).min(attrs.len());
        if end & 3 != 0 {
            self.dirty |= attrs
                .get(end..aligned)
                .is_none_or(|p| p.iter().any(|&b| b != 0));
        }
        self.end = aligned;
    }

    /// Copy the run into `other` and start a new one.
    #[inline(always)]
    pub fn flush(&mut self, attrs: &[u8], other: &mut RawAttrs) {
        if self.end > self.start {
            if let Some(run) = attrs.get(self.start..self.end) {
                other.push_run_padded(run, !self.dirty);
            }
            self.start = self.end;
        }
    }
}

/// A header of `need` bytes in `got` (kept out of line for the header readers).
#[cold]
#[inline(never)]
pub fn truncated(context: &'static str, need: usize, got: usize) -> DecodeError {
    DecodeError::truncated(context, 0, need, got)
}

/// Declare the attributes an owned type models, once. See the [module docs](crate::decl)
/// for the contract and an example.
///
/// ```text
/// typed_attrs! {
///     [nested] [VIS] impl Type {
///         SLOT: TYPE_ID => field as Codec,
///         SLOT: TYPE_ID => field as Codec [by key_field],
///         SLOT: TYPE_ID => field as Codec [plain],
///         ...
///     }
/// }
/// ```
///
/// - `SLOT` (1..=16, distinct) is the attribute's place in the canonical emit order.
/// - `TYPE_ID` is the attribute type with the flag bits the attribute carries
///   (`NFTA_CHAIN_HOOK | NLA_F_NESTED`); decoding matches it exactly.
/// - `field` is an `Option<V>` field of `Type`; `Codec: AttrValue<V>` (`u32`, `String`,
///   [`NulStr`](crate::NulStr), a marker type of the family crate, a `nested` type ...).
///   Two slots may name one field (an address sent as `..._GROUP` or `..._GROUP6`): the
///   first of them to arrive fills it, and each slot's codec writes only the values that
///   are its own (see [`AttrValue::attr_len`](crate::AttrValue::attr_len)).
/// - `[by key_field]`: the codec gets `key_field.as_deref()` (an `Option<String>` declared
///   before it) as [`DecodeCx::key`](crate::DecodeCx): dispatch on a sibling.
/// - `[plain]`: `field` is a plain `V` (`V: Default + PartialEq`), not an `Option`: the
///   first occurrence sets it (a bit per slot tracks "seen" while decoding), and it is
///   written when it differs from `V::default()` (an interface name kept as a `String`).
/// - `Type` also has `other: RawAttrs` and `wire_order: WireOrder` fields.
///
/// Generates on `Type` (with visibility `VIS`): `SLOTS`, `SCHEMA`, `with_attrs(head, attrs, base,
/// cx)`, `fill(&mut self, attrs, base, cx)`, `emit_slot`, `emit_attrs(&self, w)` and
/// `attrs_len(&self)`. With `nested` (and `Type: Default`), also
/// `impl AttrValue for Type`, so `Type` is the codec of a nested attribute.
#[macro_export]
macro_rules! typed_attrs {
    (@key) => { None };
    (@key by $key:ident) => { Some(stringify!($key)) };
    (@key plain) => { None };
    // The decode context of one field.
    (@cx $cx:ident $s:ident) => { $cx };
    (@cx $cx:ident $s:ident by $key:ident) => { $cx.with_key($s.$key.as_deref()) };
    (@cx $cx:ident $s:ident plain) => { $cx };
    // Whether the field is still to be filled.
    (@unset $s:ident $f:ident $slot:literal $seen:ident plain) => {
        $seen & (1u32 << $slot) == 0
    };
    (@unset $s:ident $f:ident $slot:literal $seen:ident $($o:tt)*) => { $s.$f.is_none() };
    // A plain field already set (a second `fill`) counts as seen.
    (@seen $s:ident $f:ident $slot:literal $seen:ident plain) => {
        if !$crate::decl::is_default(&$s.$f) {
            $seen |= 1u32 << $slot;
        }
    };
    (@seen $s:ident $f:ident $slot:literal $seen:ident $($o:tt)*) => {};
    // Decode into the field: Ok(true) when it was filled.
    (@decode $codec:ty, $s:ident, $f:ident, $p:ident, $cx:ident, $slot:literal, $seen:ident plain) => {
        match <$codec as $crate::AttrValue<_>>::decode($p, $cx) {
            Ok(Some(v)) => {
                $s.$f = v;
                $seen |= 1u32 << $slot;
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        }
    };
    (@decode $codec:ty, $s:ident, $f:ident, $p:ident, $cx:ident, $slot:literal, $seen:ident $($o:tt)*) => {
        <$codec as $crate::AttrValue<_>>::decode_into($p, $cx, &mut $s.$f)
    };
    // The field's value when it is to be written.
    (@get $s:ident $f:ident plain) => {
        if $crate::decl::is_default(&$s.$f) { None } else { Some(&$s.$f) }
    };
    (@get $s:ident $f:ident $($o:tt)*) => { $s.$f.as_ref() };
    (nested $vis:vis impl $ty:ident { $($body:tt)* }) => {
        $crate::typed_attrs! { $vis impl $ty { $($body)* } }

        /// A nested attribute set.
        impl $crate::AttrValue for $ty {
            const CODEC: &'static str = "nested";
            fn parse_value(p: &[u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                Self::with_attrs(Default::default(), p, 0, $crate::DecodeCx::default())
            }
            #[inline]
            fn decode(
                p: &[u8],
                cx: $crate::DecodeCx<'_>,
            ) -> ::core::result::Result<Option<Self>, $crate::DecodeError> {
                Self::with_attrs(Default::default(), p, 0, cx.with_key(None)).map(Some)
            }
            fn value_len(v: &Self) -> usize {
                v.attrs_len()
            }
            fn emit_value<B: $crate::NlBuffer + ?Sized>(
                v: &Self,
                buf: &mut B,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                v.emit_attrs(&mut $crate::AttrWriter::new(buf))
            }
        }
    };
    (
        $vis:vis impl $ty:ident {
            $( $slot:literal : $kind:expr => $field:ident as $codec:ty $([$($opt:tt)*])? ),* $(,)?
        }
    ) => {
        const _: () = assert!([$($slot),*].len() <= $crate::decl::MAX_SLOTS);
        $( const _: () = assert!($slot >= 1 && $slot <= $crate::decl::MAX_SLOTS, "slot out of 1..=16"); )*
        // Slots are numbered 1, 2, ... in declaration order: `emit_ordered` writes unrecorded
        // slots as 1..=SLOTS, and `emit_attrs`' fast path writes the fields in declaration
        // order, so the two orders must be one.
        const _: () = {
            let slots = [$($slot),*];
            let mut i = 0;
            while i < slots.len() {
                assert!(slots[i] as usize == i + 1, "slots are numbered 1, 2, ... in declaration order");
                i += 1;
            }
        };

        #[allow(dead_code)]
        impl $ty {
            /// The number of typed slots (the declared attributes).
            $vis const SLOTS: u8 = [$($slot),*].len() as u8;

            /// The declared attributes, in declaration order.
            $vis const SCHEMA: &'static [$crate::decl::AttrSchema] = &[
                $( $crate::decl::AttrSchema {
                    id: ($kind) & $crate::consts::NLA_TYPE_MASK,
                    flags: ($kind) & !$crate::consts::NLA_TYPE_MASK,
                    slot: $slot,
                    name: stringify!($field),
                    codec: stringify!($codec),
                    dispatch_on: $crate::typed_attrs!(@key $($($opt)*)?),
                }, )*
            ];

            /// `head` (its other fields set, attributes empty) with the attributes of
            /// `attrs`, which start `base` bytes into the payload (for error offsets).
            /// Filled inside the `Result` that is returned, so the value is not copied once
            /// more at the end.
            #[inline(always)]
            $vis fn with_attrs(
                head: Self,
                attrs: &[u8],
                base: usize,
                cx: $crate::DecodeCx<'_>,
            ) -> ::core::result::Result<Self, $crate::DecodeError> {
                let mut out = Ok(head);
                if let Ok(r) = &mut out {
                    if let Err(e) = r.fill(attrs, base, cx) {
                        out = Err(e);
                    }
                }
                out
            }

            /// Add the attributes of `attrs`: the first occurrence of a declared attribute
            /// typed, the rest raw, the order recorded.
            #[inline(always)]
            #[allow(unused_mut)]
            $vis fn fill(
                &mut self,
                attrs: &[u8],
                base: usize,
                cx: $crate::DecodeCx<'_>,
            ) -> ::core::result::Result<(), $crate::DecodeError> {
                let mut seen = 0u32;
                $( $crate::typed_attrs!(@seen self $field $slot seen $($($opt)*)?); )*
                let mut run = $crate::decl::RawRun::default();
                let r = $crate::decl::walk(attrs, base, |raw_type, payload, at| {
                    $( if raw_type == $kind
                        && $crate::typed_attrs!(@unset self $field $slot seen $($($opt)*)?)
                    {
                        let cx = $crate::typed_attrs!(@cx cx self $($($opt)*)?);
                        match $crate::typed_attrs!(
                            @decode $codec, self, $field, payload, cx, $slot, seen $($($opt)*)?
                        ) {
                            Ok(true) => {
                                run.flush(attrs, &mut self.other);
                                self.wire_order.typed($slot);
                                return Ok(());
                            }
                            Ok(false) => {}
                            Err(e) => return Err($crate::decl::located(e, raw_type, base + at + 4)),
                        }
                    } )*
                    run.add(attrs, at, payload.len());
                    self.wire_order.raw();
                    Ok(())
                });
                run.flush(attrs, &mut self.other);
                r
            }

            /// Write typed slot `slot` (nothing when its field is unset).
            $vis fn emit_slot<B: $crate::NlBuffer + ?Sized>(
                &self,
                slot: u8,
                w: &mut $crate::AttrWriter<'_, B>,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                match slot {
                    $( $slot => if let Some(v) = $crate::typed_attrs!(@get self $field $($($opt)*)?) {
                        <$codec as $crate::AttrValue<_>>::emit_attr(v, $kind, w)?;
                    } )*
                    _ => {}
                }
                Ok(())
            }

            /// Append the attributes: in the order received for a decoded value, else typed
            /// fields in slot order, then `other`.
            $vis fn emit_attrs<B: $crate::NlBuffer + ?Sized>(
                &self,
                w: &mut $crate::AttrWriter<'_, B>,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                // A value built in code (no recorded order, nothing raw): the typed fields in
                // slot order, written straight, without `emit_ordered`'s per-slot dispatch.
                if self.wire_order.is_empty() && self.other.is_empty() {
                    $( if let Some(v) = $crate::typed_attrs!(@get self $field $($($opt)*)?) {
                        <$codec as $crate::AttrValue<_>>::emit_attr(v, $kind, w)?;
                    } )*
                    return Ok(());
                }
                $crate::decl::emit_ordered(
                    &self.wire_order,
                    &self.other,
                    Self::SLOTS,
                    w,
                    |s, w| self.emit_slot(s, w),
                )
            }

            /// Encoded length of the attributes, padding included.
            $vis fn attrs_len(&self) -> usize {
                let mut n = self.other.as_bytes().len();
                $( if let Some(v) = $crate::typed_attrs!(@get self $field $($($opt)*)?) {
                    n += <$codec as $crate::AttrValue<_>>::attr_len(v);
                } )*
                n
            }
        }
    };
}

/// Declare a value dispatched on a sibling kind name (`IFLA_INFO_DATA` by `IFLA_INFO_KIND`,
/// `NFTA_EXPR_DATA` by `NFTA_EXPR_NAME`): an enum with one variant per kind and its
/// [`AttrValue`](crate::AttrValue) impl. Name it in a declaration with `[by kind_field]`.
///
/// ```text
/// kind_dispatch! {
///     #[derive(Clone, Debug, PartialEq, Eq)]
///     pub enum LinkData {
///         "macvlan" | "macvtap" => Macvlan(MacvlanData),
///         "vlan" => Vlan {
///             id: u16 [IFLA_VLAN_ID] as u16,
///             protocol: u16 [IFLA_VLAN_PROTOCOL] as NetU16,
///         },
///         _ => Other(Vec<u8>),
///     }
/// }
/// ```
///
/// A variant is either
/// - a tuple variant holding the value of its codec (usually a `nested`
///   [`typed_attrs!`](crate::typed_attrs) set, which keeps the wire order), or
/// - a struct variant declaring its attributes inline, `field: V [TYPE_ID] as Codec`: each
///   becomes an `Option<V>` field, and the macro adds `other: RawAttrs` for the rest. The
///   first occurrence of a declared attribute is typed, duplicates and unknown attributes
///   stay in `other`; encoding writes the fields in declaration order, then `other`.
///
/// Decoding with a kind not listed, or without a kind, answers `Ok(None)` (the attribute
/// stays raw in the enclosing set: lossless, and a new kernel's kind costs nothing), unless
/// the enum ends with `_ => Variant(Vec<u8>)`, which keeps such payloads as bytes in that
/// variant. A variant's codec gets the context with the key still set. Encoding writes the
/// variant's value.
///
/// ```
/// use linx_netlink_codec::{kind_dispatch, typed_attrs, AttrValue, DecodeCx, RawAttrs, WireOrder};
///
/// /// vlan data.
/// #[derive(Clone, Debug, Default, PartialEq, Eq)]
/// pub struct Vlan {
///     pub id: Option<u16>,
///     pub other: RawAttrs,
///     pub wire_order: WireOrder,
/// }
/// typed_attrs! { nested impl Vlan { 1: 1 => id as u16 } }
///
/// kind_dispatch! {
///     /// `IFLA_INFO_DATA` by kind.
///     #[derive(Clone, Debug, PartialEq, Eq)]
///     pub enum InfoData {
///         /// 802.1Q.
///         "vlan" => Vlan(Vlan),
///     }
/// }
///
/// let p = [6, 0, 1, 0, 42, 0, 0, 0];
/// let vlan = InfoData::decode(&p, DecodeCx::default().with_key(Some("vlan"))).unwrap();
/// assert!(matches!(vlan, Some(InfoData::Vlan(Vlan { id: Some(42), .. }))));
/// assert_eq!(InfoData::decode(&p, DecodeCx::default().with_key(Some("wireguard"))).unwrap(), None);
/// assert!(InfoData::parse_value(&p).is_err()); // no kind, no typed value
///
/// kind_dispatch! {
///     /// The same with an inline variant and a raw fallback.
///     #[derive(Clone, Debug, PartialEq, Eq)]
///     pub enum Data {
///         /// 802.1Q.
///         "vlan" => Vlan {
///             /// `IFLA_VLAN_ID`.
///             id: u16 [1] as u16,
///         },
///         _ => Other(Vec<u8>),
///     }
/// }
/// let d = Data::decode(&p, DecodeCx::default().with_key(Some("vlan"))).unwrap();
/// assert_eq!(d, Some(Data::Vlan { id: Some(42), other: RawAttrs::default() }));
/// let d = Data::decode(&p, DecodeCx::default().with_key(Some("wireguard"))).unwrap();
/// assert_eq!(d, Some(Data::Other(p.to_vec())));
/// let mut out = Vec::new();
/// Data::emit_value(&Data::Vlan { id: Some(42), other: RawAttrs::default() }, &mut out).unwrap();
/// assert_eq!(out, p);
/// ```
#[macro_export]
macro_rules! kind_dispatch {
    // ---- the enum, one variant at a time
    (@enum [$(#[$m:meta])* $vis:vis $name:ident] [$($acc:tt)*]) => {
        $(#[$m])*
        $vis enum $name { $($acc)* }
    };
    (@enum $h:tt [$($acc:tt)*]
        $(#[$vm:meta])* $($kind:literal)|+ => $var:ident ( $codec:ty ) $(, $($rest:tt)*)?
    ) => {
        $crate::kind_dispatch! { @enum $h [$($acc)* $(#[$vm])* $var($codec),] $($($rest)*)? }
    };
    (@enum $h:tt [$($acc:tt)*]
        $(#[$vm:meta])* $($kind:literal)|+ => $var:ident {
            $( $(#[$fm:meta])* $f:ident : $fty:ty [$fk:expr] as $fc:ty ),* $(,)?
        } $(, $($rest:tt)*)?
    ) => {
        $crate::kind_dispatch! { @enum $h [$($acc)*
            $(#[$vm])* $var {
                $( $(#[$fm])* $f: ::core::option::Option<$fty>, )*
                /// Other attributes, as received.
                other: $crate::RawAttrs,
            },
        ] $($($rest)*)? }
    };
    (@enum $h:tt [$($acc:tt)*] _ => $var:ident (Vec<u8>) $(,)?) => {
        $crate::kind_dispatch! { @enum $h [$($acc)*
            /// Any other kind (or none): the attributes as received.
            $var(::std::vec::Vec<u8>),
        ] }
    };
    // ---- per-variant pieces of the AttrValue impl
    (@decode $name:ident $var:ident ( $codec:ty ) $p:ident $cx:ident) => {
        Ok(<$codec as $crate::AttrValue>::decode($p, $cx)?.map($name::$var))
    };
    (@decode $name:ident $var:ident {
        $( $(#[$fm:meta])* $f:ident : $fty:ty [$fk:expr] as $fc:ty ),* $(,)?
    } $p:ident $cx:ident) => {{
        $( let mut $f: ::core::option::Option<$fty> = None; )*
        let mut other = $crate::RawAttrs::default();
        $crate::decl::walk($p, 0, |raw_type, payload, at| {
            $( if raw_type == $fk && $f.is_none() {
                match <$fc as $crate::AttrValue<$fty>>::decode_into(payload, $cx, &mut $f) {
                    Ok(true) => return Ok(()),
                    Ok(false) => {}
                    Err(e) => return Err($crate::decl::located(e, raw_type, at + 4)),
                }
            } )*
            // Cannot fail: the payload came with a 16-bit length, so it fits one.
            let _ = other.push_raw(raw_type, payload);
            Ok(())
        })?;
        Ok(Some($name::$var { $($f,)* other }))
    }};
    (@len $name:ident $var:ident ( $codec:ty ) $x:ident) => {
        match $x {
            $name::$var(v) => <$codec as $crate::AttrValue>::value_len(v),
            #[allow(unreachable_patterns)]
            _ => 0,
        }
    };
    (@len $name:ident $var:ident {
        $( $(#[$fm:meta])* $f:ident : $fty:ty [$fk:expr] as $fc:ty ),* $(,)?
    } $x:ident) => {
        match $x {
            $name::$var { $($f,)* other } => {
                let mut n = other.as_bytes().len();
                $( if let Some(v) = $f {
                    n += <$fc as $crate::AttrValue<$fty>>::attr_len(v);
                } )*
                n
            }
            #[allow(unreachable_patterns)]
            _ => 0,
        }
    };
    (@emit $name:ident $var:ident ( $codec:ty ) $x:ident $buf:ident) => {
        match $x {
            $name::$var(v) => <$codec as $crate::AttrValue>::emit_value(v, $buf),
            #[allow(unreachable_patterns)]
            _ => Ok(()),
        }
    };
    (@emit $name:ident $var:ident {
        $( $(#[$fm:meta])* $f:ident : $fty:ty [$fk:expr] as $fc:ty ),* $(,)?
    } $x:ident $buf:ident) => {
        match $x {
            $name::$var { $($f,)* other } => {
                let mut w = $crate::AttrWriter::new($buf);
                $( if let Some(v) = $f {
                    <$fc as $crate::AttrValue<$fty>>::emit_attr(v, $fk, &mut w)?;
                } )*
                other.emit(w.buffer());
                Ok(())
            }
            #[allow(unreachable_patterns)]
            _ => Ok(()),
        }
    };
    (@fallback $name:ident $p:ident) => { Ok(None) };
    (@fallback $name:ident $p:ident $raw:ident) => { Ok(Some($name::$raw($p.to_vec()))) };
    // ---- the AttrValue impl
    (@impl $name:ident
        $( $(#[$vm:meta])* $($kind:literal)|+ => $var:ident $vbody:tt ),*
        $(, _ => $raw:ident (Vec<u8>))? $(,)?
    ) => {
        impl $crate::AttrValue for $name {
            const CODEC: &'static str = stringify!($name);
            fn parse_value(p: &[u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                match <Self as $crate::AttrValue>::decode(p, $crate::DecodeCx::default())? {
                    Some(v) => Ok(v),
                    None => Err($crate::DecodeError::new(
                        $crate::DecodeErrorKind::InvalidValue,
                        stringify!($name),
                        0,
                    )),
                }
            }
            #[inline]
            fn decode(
                p: &[u8],
                cx: $crate::DecodeCx<'_>,
            ) -> ::core::result::Result<Option<Self>, $crate::DecodeError> {
                match cx.key {
                    $( Some($($kind)|+) => $crate::kind_dispatch!(@decode $name $var $vbody p cx), )*
                    _ => $crate::kind_dispatch!(@fallback $name p $($raw)?),
                }
            }
            fn value_len(v: &Self) -> usize {
                match v {
                    $( x @ $name::$var { .. } => $crate::kind_dispatch!(@len $name $var $vbody x), )*
                    $( $name::$raw(b) => b.len(), )?
                }
            }
            fn emit_value<B: $crate::NlBuffer + ?Sized>(
                v: &Self,
                buf: &mut B,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                match v {
                    $( x @ $name::$var { .. } => $crate::kind_dispatch!(@emit $name $var $vbody x buf), )*
                    $( $name::$raw(b) => {
                        buf.put_slice(b);
                        Ok(())
                    } )?
                }
            }
        }
    };
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident { $($body:tt)* }
    ) => {
        $crate::kind_dispatch! { @enum [$(#[$m])* $vis $name] [] $($body)* }
        $crate::kind_dispatch! { @impl $name $($body)* }
    };
}
