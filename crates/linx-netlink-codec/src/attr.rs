//! Netlink attributes (`struct nlattr`, also `struct rtattr`): zero-copy views for decoding and
//! a writer for encoding.
//!
//! ```text
//!  0               2               4
//! +---------------+---------------+-------------------------+---------+
//! | nla_len (u16) | nla_type (u16)| payload (nla_len - 4)   | pad to 4|
//! +---------------+---------------+-------------------------+---------+
//!   host order      host order; bit 15 NLA_F_NESTED, bit 14 NLA_F_NET_BYTEORDER
//! ```
//!
//! Decoding walks a `&[u8]` without copying: [`AttrIter`] yields [`AttrView`]s whose payloads
//! borrow the buffer. Encoding appends to any [`NlBuffer`] (`Vec<u8>`, `bytes::BytesMut`) with
//! [`AttrWriter`], which patches nest lengths in place so nothing is built twice.
//!
//! # Contract
//! - Lengths are validated before any slice is taken: a length below 4 or past the end of the
//!   buffer is a [`DecodeError`]; the iterator yields that error once and then stops.
//! - A trailing run of fewer than 4 bytes is padding and ignored; a final attribute without its
//!   padding is accepted.
//! - Type bits are kept as received in [`AttrView::raw_type`]; [`AttrView::kind`] masks the
//!   flag bits off.
//! - The writer pads every attribute to 4 bytes with zeros and refuses payloads that do not
//!   fit the 16-bit length ([`EncodeError::AttrTooLong`]).
//!
//! # See also
//! `<linux/netlink.h>` (`struct nlattr`), `<linux/rtnetlink.h>` (`struct rtattr`).

use crate::consts::{NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// Round `len` up to the netlink alignment (4 bytes).
///
/// ```
/// assert_eq!(linx_netlink_codec::align(5), 8);
/// assert_eq!(linx_netlink_codec::align(8), 8);
/// ```
#[inline]
pub const fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// One attribute inside a buffer: its type bits and a borrowed payload.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AttrView<'a> {
    raw_type: u16,
    payload: &'a [u8],
    offset: usize,
}

impl<'a> AttrView<'a> {
    /// The attribute type without the flag bits.
    #[inline]
    pub fn kind(&self) -> u16 {
        self.raw_type & NLA_TYPE_MASK
    }

    /// The type field as received, flag bits included.
    #[inline]
    pub fn raw_type(&self) -> u16 {
        self.raw_type
    }

    /// Whether `NLA_F_NESTED` is set.
    pub fn is_nested(&self) -> bool {
        self.raw_type & NLA_F_NESTED != 0
    }

    /// Whether `NLA_F_NET_BYTEORDER` is set.
    pub fn is_net_byteorder(&self) -> bool {
        self.raw_type & NLA_F_NET_BYTEORDER != 0
    }

    /// The payload (without header and padding).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Byte offset of this attribute's header within the buffer that was iterated.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Iterate the payload as a nested attribute list.
    pub fn nested(&self) -> AttrIter<'a> {
        AttrIter::new(self.payload)
    }
}

impl std::fmt::Debug for AttrView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttrView")
            .field("type", &self.kind())
            .field("nested", &self.is_nested())
            .field("len", &self.payload.len())
            .finish()
    }
}

/// Iterator over the attributes of a buffer. Yields `Err` once for a malformed attribute and
/// then stops.
///
/// ```
/// use linx_netlink_codec::{AttrIter, AttrWriter};
/// let mut buf = Vec::new();
/// let mut w = AttrWriter::new(&mut buf);
/// w.put_u32(4, 1500).unwrap();
/// w.put_str(3, "eth0").unwrap();
/// let kinds: Vec<u16> = AttrIter::new(&buf).map(|a| a.unwrap().kind()).collect();
/// assert_eq!(kinds, [4, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct AttrIter<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> AttrIter<'a> {
    /// Iterate the attributes in `buf`.
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        AttrIter {
            buf,
            pos: 0,
            failed: false,
        }
    }
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Result<AttrView<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.buf.get(self.pos..)?;
        if rest.len() < NLA_HDRLEN {
            // Trailing padding (or nothing).
            self.pos = self.buf.len();
            return None;
        }
        let len = u16::from_ne_bytes([rest[0], rest[1]]) as usize;
        let raw_type = u16::from_ne_bytes([rest[2], rest[3]]);
        if len < NLA_HDRLEN || len > rest.len() {
            self.failed = true;
            return Some(Err(DecodeError::new(
                DecodeErrorKind::BadLength {
                    len,
                    avail: rest.len(),
                },
                "nlattr",
                self.pos,
            )));
        }
        let view = AttrView {
            raw_type,
            payload: &rest[NLA_HDRLEN..len],
            offset: self.pos,
        };
        self.pos = (self.pos + align(len)).min(self.buf.len());
        Some(Ok(view))
    }
}

/// A growable byte buffer netlink messages can be written into.
///
/// Implemented for `Vec<u8>` and `bytes::BytesMut`. Writers append and then patch length
/// fields in place, which `bytes::BufMut` alone cannot do.
pub trait NlBuffer {
    /// Current length in bytes.
    fn len(&self) -> usize;
    /// True when empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Append bytes.
    fn put_slice(&mut self, bytes: &[u8]);
    /// Append `n` zero bytes.
    fn put_zeros(&mut self, n: usize);
    /// The written bytes, mutable (for patching lengths).
    fn as_mut_slice(&mut self) -> &mut [u8];
    /// Make room for at least `additional` more bytes (a hint: writers call it once per
    /// attribute so the pieces that follow do not each check capacity). The default does
    /// nothing.
    fn reserve(&mut self, additional: usize) {
        let _ = additional;
    }
}

/// Zeros for padding and placeholders: `put_zeros` copies from here instead of running a
/// generic fill loop (padding is 0 to 3 bytes, placeholders 4).
static ZEROS: [u8; 64] = [0; 64];

impl NlBuffer for Vec<u8> {
    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline]
    fn put_zeros(&mut self, n: usize) {
        match ZEROS.get(..n) {
            Some(zeros) => self.extend_from_slice(zeros),
            None => self.resize(Vec::len(self) + n, 0),
        }
    }
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self
    }
    #[inline]
    fn reserve(&mut self, additional: usize) {
        Vec::reserve(self, additional);
    }
}

impl NlBuffer for bytes::BytesMut {
    #[inline]
    fn len(&self) -> usize {
        bytes::BytesMut::len(self)
    }
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline]
    fn put_zeros(&mut self, n: usize) {
        match ZEROS.get(..n) {
            Some(zeros) => self.extend_from_slice(zeros),
            None => self.resize(bytes::BytesMut::len(self) + n, 0),
        }
    }
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self
    }
    #[inline]
    fn reserve(&mut self, additional: usize) {
        bytes::BytesMut::reserve(self, additional);
    }
}

/// The 4-byte attribute header for an attribute of `len` bytes (header included).
#[inline]
fn header(len: u16, raw_type: u16) -> [u8; NLA_HDRLEN] {
    let [l0, l1] = len.to_ne_bytes();
    let [t0, t1] = raw_type.to_ne_bytes();
    [l0, l1, t0, t1]
}

/// Marks an open nest; close it with [`AttrWriter::end_nest`].
#[derive(Debug)]
#[must_use = "a nest must be closed with AttrWriter::end_nest"]
pub struct Nest {
    start: usize,
    raw_type: u16,
}

/// Appends attributes to a buffer, padding each to 4 bytes.
///
/// ```
/// use linx_netlink_codec::AttrWriter;
/// let mut buf = Vec::new();
/// let mut w = AttrWriter::new(&mut buf);
/// let nest = w.begin_nest(18, false);           // IFLA_LINKINFO
/// w.put_str(1, "veth").unwrap();                // IFLA_INFO_KIND
/// w.end_nest(nest).unwrap();
/// assert_eq!(buf, [16, 0, 18, 0, 9, 0, 1, 0, b'v', b'e', b't', b'h', 0, 0, 0, 0]);
/// ```
#[derive(Debug)]
pub struct AttrWriter<'b, B: NlBuffer + ?Sized> {
    buf: &'b mut B,
}

impl<'b, B: NlBuffer + ?Sized> AttrWriter<'b, B> {
    /// A writer appending to `buf`.
    pub fn new(buf: &'b mut B) -> Self {
        AttrWriter { buf }
    }

    /// The underlying buffer.
    pub fn buffer(&mut self) -> &mut B {
        self.buf
    }

    /// Append an attribute with the exact type bits `raw_type` and `payload`.
    #[inline]
    pub fn put(&mut self, raw_type: u16, payload: &[u8]) -> Result<(), EncodeError> {
        self.put_then_zeros(raw_type, payload, 0)
    }

    /// Append an attribute whose payload is `payload` followed by `zeros` zero bytes (a
    /// string's NUL terminator), then the padding; nothing is written when it is too long.
    #[inline]
    fn put_then_zeros(
        &mut self,
        raw_type: u16,
        payload: &[u8],
        zeros: usize,
    ) -> Result<(), EncodeError> {
        let len = NLA_HDRLEN + payload.len() + zeros;
        if len > u16::MAX as usize {
            return Err(EncodeError::AttrTooLong {
                attr_type: raw_type,
                len: payload.len() + zeros,
            });
        }
        self.buf.reserve(align(len));
        self.buf.put_slice(&header(len as u16, raw_type));
        self.buf.put_slice(payload);
        let zeros = zeros + align(len) - len;
        if zeros != 0 {
            self.buf.put_zeros(zeros);
        }
        Ok(())
    }

    /// Append a fixed-size attribute (payload of at most 8 bytes) with one copy: header,
    /// payload and padding are assembled on the stack first.
    #[inline(always)]
    fn put_small<const N: usize>(&mut self, raw_type: u16, payload: [u8; N]) {
        const { assert!(N <= 8) };
        let len = NLA_HDRLEN + N;
        let mut attr = [0u8; NLA_HDRLEN + 8];
        attr[..NLA_HDRLEN].copy_from_slice(&header(len as u16, raw_type));
        attr[NLA_HDRLEN..len].copy_from_slice(&payload);
        self.buf.put_slice(&attr[..align(len)]);
    }

    /// Append an attribute whose payload is written by `f` into the buffer directly.
    #[inline]
    pub fn put_with(&mut self, raw_type: u16, f: impl FnOnce(&mut B)) -> Result<(), EncodeError> {
        let start = self.buf.len();
        self.buf.put_slice(&[0; NLA_HDRLEN]);
        f(self.buf);
        self.finish(start, raw_type)
    }

    /// Append an empty (flag) attribute.
    #[inline]
    pub fn put_flag(&mut self, raw_type: u16) -> Result<(), EncodeError> {
        self.put_small(raw_type, []);
        Ok(())
    }

    /// Append a `u8` attribute.
    #[inline]
    pub fn put_u8(&mut self, raw_type: u16, v: u8) -> Result<(), EncodeError> {
        self.put_small(raw_type, [v]);
        Ok(())
    }

    /// Append a host-order `u16` attribute.
    #[inline]
    pub fn put_u16(&mut self, raw_type: u16, v: u16) -> Result<(), EncodeError> {
        self.put_small(raw_type, v.to_ne_bytes());
        Ok(())
    }

    /// Append a host-order `u32` attribute.
    #[inline]
    pub fn put_u32(&mut self, raw_type: u16, v: u32) -> Result<(), EncodeError> {
        self.put_small(raw_type, v.to_ne_bytes());
        Ok(())
    }

    /// Append a host-order `u64` attribute.
    #[inline]
    pub fn put_u64(&mut self, raw_type: u16, v: u64) -> Result<(), EncodeError> {
        self.put_small(raw_type, v.to_ne_bytes());
        Ok(())
    }

    /// Append a big-endian `u16` attribute (the type bits are written as given).
    #[inline]
    pub fn put_be16(&mut self, raw_type: u16, v: u16) -> Result<(), EncodeError> {
        self.put_small(raw_type, v.to_be_bytes());
        Ok(())
    }

    /// Append a big-endian `u32` attribute.
    #[inline]
    pub fn put_be32(&mut self, raw_type: u16, v: u32) -> Result<(), EncodeError> {
        self.put_small(raw_type, v.to_be_bytes());
        Ok(())
    }

    /// Append a big-endian `u64` attribute.
    #[inline]
    pub fn put_be64(&mut self, raw_type: u16, v: u64) -> Result<(), EncodeError> {
        self.put_small(raw_type, v.to_be_bytes());
        Ok(())
    }

    /// Append a string attribute; a NUL terminator is added.
    #[inline]
    pub fn put_str(&mut self, raw_type: u16, s: &str) -> Result<(), EncodeError> {
        self.put_then_zeros(raw_type, s.as_bytes(), 1)
    }

    /// Open a nested attribute; `flag` sets `NLA_F_NESTED` on it (nf_tables wants it,
    /// most rtnetlink nests do not carry it).
    #[inline]
    pub fn begin_nest(&mut self, attr_type: u16, flag: bool) -> Nest {
        let start = self.buf.len();
        self.buf.put_slice(&[0; NLA_HDRLEN]);
        Nest {
            start,
            raw_type: if flag {
                attr_type | NLA_F_NESTED
            } else {
                attr_type
            },
        }
    }

    /// Close a nest opened with [`begin_nest`](Self::begin_nest), patching its length.
    #[inline]
    pub fn end_nest(&mut self, nest: Nest) -> Result<(), EncodeError> {
        self.finish(nest.start, nest.raw_type)
    }

    #[inline]
    fn finish(&mut self, start: usize, raw_type: u16) -> Result<(), EncodeError> {
        let len = self.buf.len() - start;
        if len > u16::MAX as usize {
            return Err(EncodeError::AttrTooLong {
                attr_type: raw_type,
                len: len - NLA_HDRLEN,
            });
        }
        if let Some(hdr) = self.buf.as_mut_slice().get_mut(start..start + NLA_HDRLEN) {
            hdr.copy_from_slice(&header(len as u16, raw_type));
        }
        let pad = align(len) - len;
        if pad != 0 {
            self.buf.put_zeros(pad);
        }
        Ok(())
    }
}

/// An attribute kept as raw bytes: the type bits exactly as received (flags included) and the
/// payload. Unknown attributes decode to this and re-emit byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RawAttr {
    /// The type field as received, including `NLA_F_NESTED`/`NLA_F_NET_BYTEORDER`.
    pub raw_type: u16,
    /// The payload without header or padding.
    pub payload: Vec<u8>,
}

impl RawAttr {
    /// Copy an attribute view.
    ///
    /// ```
    /// use linx_netlink_codec::{AttrIter, RawAttr};
    /// let bytes = [8, 0, 0x63, 0x80, 1, 2, 3, 4];
    /// let raw = RawAttr::from_view(&AttrIter::new(&bytes).next().unwrap().unwrap());
    /// assert_eq!(raw.raw_type, 0x8063);
    /// assert_eq!(raw.payload, [1, 2, 3, 4]);
    /// ```
    pub fn from_view(v: &AttrView<'_>) -> Self {
        RawAttr {
            raw_type: v.raw_type(),
            payload: v.payload().to_vec(),
        }
    }

    /// The type without flag bits.
    #[inline]
    pub fn kind(&self) -> u16 {
        self.raw_type & NLA_TYPE_MASK
    }
}

/// Attributes kept as their wire bytes, back to back (headers and padding included), in the
/// order received. Typed structs use this for every attribute they do not model: one
/// allocation however many there are, and re-emitted byte for byte.
///
/// ```
/// use linx_netlink_codec::{AttrIter, RawAttrs};
/// let wire = [8u8, 0, 200, 0, 1, 2, 3, 4, 5, 0, 201, 0, 9, 0, 0, 0];
/// let mut raw = RawAttrs::default();
/// for a in AttrIter::new(&wire) {
///     raw.push(&a.unwrap());
/// }
/// assert_eq!(raw.as_bytes(), wire);
/// assert_eq!(raw.iter().map(|a| a.unwrap().kind()).collect::<Vec<_>>(), [200, 201]);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RawAttrs(Vec<u8>);

impl RawAttrs {
    /// An empty set with room for `bytes` bytes of attributes (one allocation up front when
    /// a decoder expects to keep much).
    ///
    /// ```
    /// assert!(linx_netlink_codec::RawAttrs::with_capacity(64).is_empty());
    /// ```
    pub fn with_capacity(bytes: usize) -> Self {
        RawAttrs(Vec::with_capacity(bytes))
    }

    /// Keep `attr` (header, payload and zero padding).
    pub fn push(&mut self, attr: &AttrView<'_>) {
        // Cannot fail: a parsed attribute's length already fit its 16-bit field.
        let _ = self.push_raw(attr.raw_type(), attr.payload());
    }

    /// Keep a run of consecutive attributes as they arrived (`wire`: whole attributes, each
    /// header's length valid, as an [`AttrIter`] walked them): one copy for the run instead of
    /// one [`push`](Self::push) per attribute. The result is the same bytes `push` gives:
    /// every attribute's padding is zeroed (whatever the sender had there) and the run ends
    /// aligned.
    pub fn push_run(&mut self, wire: &[u8]) {
        self.push_run_padded(wire, false);
    }

    /// [`push_run`](Self::push_run) for a caller that checked every padding byte of `wire`
    /// (`zero_padded`: all zero, as the kernel sends them): then the run is copied as is.
    #[doc(hidden)]
    #[inline]
    pub fn push_run_padded(&mut self, wire: &[u8], zero_padded: bool) {
        let start = self.0.len();
        self.0.extend_from_slice(wire);
        if zero_padded && wire.len() % 4 == 0 {
            return;
        }
        self.0.resize(start + align(wire.len()), 0);
        let buf = &mut self.0[start..];
        let mut p = 0;
        while let Some(h) = buf.get(p..p + 2) {
            let len = usize::from(u16::from_ne_bytes([h[0], h[1]]));
            let next = p + align(len.max(NLA_HDRLEN));
            for b in buf.get_mut(p + len..next).unwrap_or_default() {
                *b = 0;
            }
            p = next;
        }
    }

    /// Keep an attribute given by type bits and payload.
    pub fn push_raw(&mut self, raw_type: u16, payload: &[u8]) -> Result<(), EncodeError> {
        AttrWriter::new(&mut self.0).put(raw_type, payload)
    }

    /// The kept attributes.
    pub fn iter(&self) -> AttrIter<'_> {
        AttrIter::new(&self.0)
    }

    /// The first kept attribute of type `kind` (flag bits ignored).
    pub fn get(&self, kind: u16) -> Option<AttrView<'_>> {
        self.iter()
            .filter_map(Result::ok)
            .find(|a| a.kind() == kind)
    }

    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Append the kept attributes to `buf`.
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) {
        buf.put_slice(&self.0);
    }
}

impl std::fmt::Debug for RawAttrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().filter_map(Result::ok).map(|a| a.kind()))
            .finish()
    }
}
