//! Borrowed attribute tables: the read-only form of an attribute declaration, for decoders
//! that build their own model from a nest instead of keeping it.
//!
//! [`typed_attrs!`](crate::typed_attrs) declares an owned, lossless type (decoded, compared,
//! re-emitted byte for byte). Some decoders need the other shape: read a handful of
//! attributes of a nest, borrow their payloads (names looked up, never stored), and either
//! take the whole nest or none of it. [`attr_table!`](crate::attr_table) declares which
//! attribute types a nest may hold; the generated [`AttrTable`] has one slot per type
//! (indexed by type, sized at compile time by the largest one), filled in one pass over the
//! nest, and values are read through the same [`AttrValue`] codecs `typed_attrs!` uses.
//!
//! # Contract
//! - Types are matched without flag bits (a nest is found with or without
//!   `NLA_F_NESTED`: nft sets it, the kernel's dumps do not).
//! - **`exact`**: every attribute of the nest has a listed type and appears once, and the
//!   nest is well formed; otherwise `None` (the caller keeps the nest raw: an all-or-nothing
//!   decoder).
//! - **`first`**: the first attribute of each listed type fills its slot; attributes of
//!   other types and later duplicates are *not taken* and stay reachable through
//!   [`AttrTable::untaken`] in wire order, so a caller that keeps them loses nothing. A
//!   malformed nest is a [`DecodeError`] located at the bad attribute.
//! - Never panics; never allocates (the table is an array on the stack).
//!
//! ```
//! use linx_netlink_codec::{attr_table, AttrWriter, Be32};
//!
//! let mut nest = Vec::new();
//! let mut w = AttrWriter::new(&mut nest);
//! w.put_str(1, "filter").unwrap(); // a name: borrowed, not copied
//! w.put_be32(3, 7).unwrap();
//! w.put_u8(9, 1).unwrap(); // not listed
//!
//! let t = attr_table!(first &nest, [1, 3]).unwrap();
//! assert_eq!(t.str(1).unwrap(), Some("filter"));
//! assert_eq!(t.value::<Be32, _>(3).unwrap().map(u32::from), Some(7));
//! assert_eq!(t.untaken(&nest).map(|a| a.kind()).collect::<Vec<_>>(), [9]);
//!
//! // All or nothing: type 9 is not allowed, so the nest does not fit.
//! assert!(attr_table!(exact &nest, [1, 3]).is_none());
//! assert!(attr_table!(exact &nest, [1, 3, 9]).is_some());
//! ```

use crate::attr::{AttrIter, AttrView};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::value::{AttrValue, DecodeCx};

/// One more than the largest type in `allowed`: the slot count an [`AttrTable`] of those
/// types needs (what [`attr_table!`](crate::attr_table) sizes it with).
pub const fn slots(allowed: &[u16]) -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < allowed.len() {
        if allowed[i] as usize > max {
            max = allowed[i] as usize;
        }
        i += 1;
    }
    max + 1
}

/// The set of `allowed` types as a bit mask (bit `t` for type `t`), what the generated
/// readers test each attribute against.
///
/// # Panics
/// If a type is 64 or above (at compile time when called in a constant, as
/// [`attr_table!`](crate::attr_table) does).
pub const fn mask(allowed: &[u16]) -> u64 {
    let mut m = 0u64;
    let mut i = 0;
    while i < allowed.len() {
        assert!(allowed[i] < 64, "attr_table! types must be below 64");
        m |= 1 << allowed[i];
        i += 1;
    }
    m
}

/// Whether type `kind` is in `mask`.
#[inline(always)]
fn listed(mask: u64, kind: u16) -> bool {
    kind < 64 && mask & (1 << kind) != 0
}

/// The attributes of one nest, at most one per listed type, indexed by type, with their
/// payloads borrowed. Declared with [`attr_table!`](crate::attr_table); see the
/// [module docs](crate::table).
#[derive(Clone, Copy, Debug)]
pub struct AttrTable<'a, const N: usize> {
    slots: [Option<AttrView<'a>>; N],
}

impl<'a, const N: usize> AttrTable<'a, N> {
    /// The whole nest, or `None` when an attribute's type is not in `allowed` (a [`mask`]
    /// of types below `N`), appears twice, or is malformed.
    #[inline(always)]
    pub fn exact(data: &'a [u8], allowed: u64) -> Option<Self> {
        let mut t = AttrTable { slots: [None; N] };
        for a in AttrIter::new(data) {
            let a = a.ok()?;
            let kind = a.kind();
            if !listed(allowed, kind) {
                return None;
            }
            if t.slots.get_mut(usize::from(kind))?.replace(a).is_some() {
                return None;
            }
        }
        Some(t)
    }

    /// The first attribute of each type in `allowed` (a [`mask`] of types below `N`); the
    /// others are left for [`untaken`](Self::untaken). A malformed attribute is an error.
    #[inline(always)]
    pub fn first(data: &'a [u8], allowed: u64) -> Result<Self, DecodeError> {
        let mut t = AttrTable { slots: [None; N] };
        for a in AttrIter::new(data) {
            let a = a?;
            let kind = a.kind();
            if let Some(slot @ None) = t.slots.get_mut(usize::from(kind))
                && listed(allowed, kind)
            {
                *slot = Some(a);
            }
        }
        Ok(t)
    }

    /// Attribute `kind`, if present.
    #[inline(always)]
    pub fn get(&self, kind: u16) -> Option<AttrView<'a>> {
        self.slots.get(usize::from(kind)).copied().flatten()
    }

    /// Attribute `kind` decoded with value codec `C`, if present. A value the codec refuses
    /// or declines is an error located at the attribute.
    #[inline]
    pub fn value<C: AttrValue<V>, V>(&self, kind: u16) -> Result<Option<V>, DecodeError> {
        let Some(a) = self.get(kind) else {
            return Ok(None);
        };
        match C::decode(a.payload(), DecodeCx::default()) {
            Ok(Some(v)) => Ok(Some(v)),
            Ok(None) => Err(DecodeError::new(DecodeErrorKind::InvalidValue, C::CODEC, 0)
                .within(a.raw_type(), a.offset())),
            Err(e) => Err(e.within(a.raw_type(), a.offset())),
        }
    }

    /// String attribute `kind` borrowed from the nest: up to the first NUL (all of it when
    /// there is none), UTF-8 or an error.
    #[inline]
    pub fn str(&self, kind: u16) -> Result<Option<&'a str>, DecodeError> {
        let Some(a) = self.get(kind) else {
            return Ok(None);
        };
        let p = a.payload();
        let p = p.iter().position(|&b| b == 0).map_or(p, |end| &p[..end]);
        std::str::from_utf8(p).map(Some).map_err(|_| {
            DecodeError::new(DecodeErrorKind::InvalidUtf8, "string", 0)
                .within(a.raw_type(), a.offset())
        })
    }

    /// The attributes of `data` (the nest this table was read from) not taken into a
    /// slot, in wire order: unlisted types and later duplicates (none for an
    /// [`exact`](Self::exact) table).
    pub fn untaken<'t>(&'t self, data: &'a [u8]) -> impl Iterator<Item = AttrView<'a>> + 't {
        AttrIter::new(data)
            .map_while(Result::ok)
            .filter(move |a| self.get(a.kind()).is_none_or(|t| t.offset() != a.offset()))
    }
}

/// Declare the attribute types a nest may hold and read it into an [`AttrTable`] sized for
/// them: `attr_table!(exact DATA, [TYPE, ...])` (an `Option`: all or nothing) or
/// `attr_table!(first DATA, [TYPE, ...])` (a `Result`: first of each, the rest untaken).
/// See the [module docs](crate::table).
#[macro_export]
macro_rules! attr_table {
    (exact $data:expr, [$($kind:expr),+ $(,)?] $(,)?) => {{
        const ALLOWED: &[u16] = &[$($kind),+];
        const MASK: u64 = $crate::table::mask(ALLOWED);
        $crate::table::AttrTable::<{ $crate::table::slots(ALLOWED) }>::exact($data, MASK)
    }};
    (first $data:expr, [$($kind:expr),+ $(,)?] $(,)?) => {{
        const ALLOWED: &[u16] = &[$($kind),+];
        const MASK: u64 = $crate::table::mask(ALLOWED);
        $crate::table::AttrTable::<{ $crate::table::slots(ALLOWED) }>::first($data, MASK)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttrWriter;
    use crate::value::Be32;
    use proptest::prelude::*;

    fn nest(attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = AttrWriter::new(&mut buf);
        for (k, p) in attrs {
            w.put(*k, p).unwrap();
        }
        buf
    }

    #[test]
    fn first_keeps_duplicates_and_unlisted_in_order() {
        let data = nest(&[(2, &[1]), (5, &[2]), (2, &[3]), (1 | 0x8000, &[4])]);
        let t = attr_table!(first & data, [1, 2]).unwrap();
        assert_eq!(t.get(2).unwrap().payload(), [1]);
        assert_eq!(t.get(1).unwrap().payload(), [4]);
        let rest: Vec<_> = t
            .untaken(&data)
            .map(|a| (a.kind(), a.payload()[0]))
            .collect();
        assert_eq!(rest, [(5, 2), (2, 3)]);
    }

    #[test]
    fn exact_refuses_duplicates_unlisted_and_malformed() {
        let dup = nest(&[(1, &[1]), (1, &[2])]);
        assert!(attr_table!(exact & dup, [1]).is_none());
        let unlisted = nest(&[(1, &[1]), (7, &[2])]);
        assert!(attr_table!(exact & unlisted, [1, 2]).is_none());
        assert!(attr_table!(exact & [9, 0, 1, 0][..], [1]).is_none());
        let data = nest(&[(2, &[0, 0, 0, 9])]);
        let t = attr_table!(exact & data, [1, 2]).unwrap();
        assert_eq!(t.untaken(&data).count(), 0);
        assert_eq!(t.value::<Be32, _>(2).unwrap().map(u32::from), Some(9));
        assert_eq!(t.value::<Be32, _>(1).unwrap(), None);
    }

    #[test]
    fn errors_are_located() {
        let data = nest(&[(1, &[0xff, 0xfe]), (2, &[1, 2])]);
        let t = attr_table!(first & data, [1, 2]).unwrap();
        let e = t.str(1).unwrap_err();
        assert_eq!(
            (e.kind, e.offset, e.path.as_slice()),
            (DecodeErrorKind::InvalidUtf8, 0, &[1][..])
        );
        let e = t.value::<Be32, _>(2).unwrap_err();
        assert_eq!((e.offset, e.path.as_slice()), (8, &[2][..]));
        assert!(attr_table!(first & [9, 0, 1, 0][..], [1]).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
            if let Ok(t) = attr_table!(first &data, [1, 2, 3, 7]) {
                for k in 0..10 {
                    let _ = t.str(k);
                    let _ = t.value::<Be32, _>(k);
                }
                let taken = (0..8).filter(|&k| t.get(k).is_some()).count();
                let all = AttrIter::new(&data).count();
                prop_assert_eq!(taken + t.untaken(&data).count(), all);
            }
            let _ = attr_table!(exact &data, [1, 2, 3, 7]);
        }
    }
}
