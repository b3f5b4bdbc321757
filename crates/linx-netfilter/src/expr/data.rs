//! [`CmpData`]: the bytes a `cmp` expression compares a register with, stored inline.
//!
//! Why not a `Vec<u8>`: almost every comparison is against 1 to 16 bytes (a protocol number,
//! a port, an address, an interface name), and a heap allocation per `cmp` was a visible part
//! of building, checking and dropping large rulesets (two per rule for a typical match). Up to
//! [`CmpData::INLINE`] bytes live inside the value itself; only longer data (the kernel
//! accepts up to 64 bytes) goes to the heap. The type is the size of a `Vec<u8>`.
//!
//! # Contract
//! - Holds any number of bytes (validation limits `cmp` data to 1..=64 when a rule is added);
//!   it derefs to `&[u8]` and compares, hashes and prints (`Debug`) exactly as its bytes do, so
//!   `data == [6]` or `data.len()` read as they would on a `Vec<u8>`.
//! - serde form: lower-case hex, like every byte string of the model (`"0a000001"`; a `0x`
//!   prefix is accepted on input).
//! - Construction from a slice or array allocates only above [`CmpData::INLINE`] bytes;
//!   nothing panics.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The bytes of a `cmp` expression (`NFTA_CMP_DATA`), as the kernel receives them; up to
/// [`CmpData::INLINE`] bytes are stored without a heap allocation.
///
/// ```
/// use linx_netfilter::expr::CmpData;
/// let port = CmpData::from(22u16.to_be_bytes());
/// assert_eq!(port, [0, 22]);
/// assert_eq!(port.len(), 2);
/// assert!(port.is_inline());
/// assert!(!CmpData::new(&[0; 64]).is_inline());
/// assert_eq!(CmpData::from(vec![10, 0, 0, 1]).as_slice(), [10, 0, 0, 1]);
/// ```
#[derive(Clone)]
pub struct CmpData(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` (at most `INLINE`) bytes at the start of `bytes`; the rest is zero.
    Inline {
        len: u8,
        bytes: [u8; CmpData::INLINE],
    },
    /// Longer data.
    Heap(Box<[u8]>),
}

impl CmpData {
    /// How many bytes are stored inline (without a heap allocation): 22, so any integer,
    /// IPv6 address or interface name fits.
    pub const INLINE: usize = 22;

    /// A copy of `bytes` (inline when they fit).
    ///
    /// ```
    /// use linx_netfilter::expr::CmpData;
    /// assert_eq!(CmpData::new(b"eth0"), *b"eth0");
    /// ```
    #[inline]
    pub fn new(bytes: &[u8]) -> CmpData {
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= Self::INLINE => {
                let mut inline = [0u8; Self::INLINE];
                inline[..bytes.len()].copy_from_slice(bytes);
                CmpData(Repr::Inline { len, bytes: inline })
            }
            _ => CmpData(Repr::Heap(bytes.into())),
        }
    }

    /// The bytes.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::CmpData::from([1, 2]).as_slice(), [1, 2]);
    /// ```
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            // `len` never exceeds the array (see `new`); an empty slice if it ever did.
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(bytes) => bytes,
        }
    }

    /// Whether the bytes are stored inline (no heap allocation).
    ///
    /// ```
    /// use linx_netfilter::expr::CmpData;
    /// assert!(CmpData::new(&[0; 16]).is_inline());
    /// assert!(!CmpData::new(&[0; 23]).is_inline());
    /// ```
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// The bytes as a vector.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::expr::CmpData::from([7]).to_vec(), vec![7]);
    /// ```
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_slice().to_vec()
    }
}

impl Default for CmpData {
    /// No bytes.
    fn default() -> CmpData {
        CmpData::new(&[])
    }
}

impl Deref for CmpData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for CmpData {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl std::borrow::Borrow<[u8]> for CmpData {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for CmpData {
    /// As the byte slice (`[10, 0, 0, 1]`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl PartialEq for CmpData {
    fn eq(&self, other: &CmpData) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for CmpData {}

impl Hash for CmpData {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl PartialEq<[u8]> for CmpData {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for CmpData {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialEq<Vec<u8>> for CmpData {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> PartialEq<[u8; N]> for CmpData {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other
    }
}

impl From<&[u8]> for CmpData {
    fn from(bytes: &[u8]) -> CmpData {
        CmpData::new(bytes)
    }
}

impl From<Vec<u8>> for CmpData {
    /// Inline when short enough, else the vector's buffer is kept.
    fn from(bytes: Vec<u8>) -> CmpData {
        if bytes.len() <= CmpData::INLINE {
            CmpData::new(&bytes)
        } else {
            CmpData(Repr::Heap(bytes.into_boxed_slice()))
        }
    }
}

impl<const N: usize> From<[u8; N]> for CmpData {
    fn from(bytes: [u8; N]) -> CmpData {
        CmpData::new(&bytes)
    }
}

impl<const N: usize> From<&[u8; N]> for CmpData {
    fn from(bytes: &[u8; N]) -> CmpData {
        CmpData::new(bytes)
    }
}

impl From<CmpData> for Vec<u8> {
    fn from(data: CmpData) -> Vec<u8> {
        match data.0 {
            Repr::Heap(bytes) => bytes.into_vec(),
            Repr::Inline { .. } => data.to_vec(),
        }
    }
}

impl FromIterator<u8> for CmpData {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> CmpData {
        CmpData::from(iter.into_iter().collect::<Vec<u8>>())
    }
}

impl Serialize for CmpData {
    /// Lower-case hex.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::hex::serialize(self.as_slice(), serializer)
    }
}

impl<'de> Deserialize<'de> for CmpData {
    /// Hex, optionally `0x`-prefixed.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CmpData, D::Error> {
        crate::hex::deserialize(deserializer).map(CmpData::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_agree() {
        for len in [0, 1, 4, 16, 22, 23, 64] {
            let bytes: Vec<u8> = (0..len as u8).collect();
            let a = CmpData::new(&bytes);
            let b = CmpData::from(bytes.clone());
            assert_eq!(a, b);
            assert_eq!(a.as_slice(), bytes.as_slice());
            assert_eq!(a.is_inline(), len <= CmpData::INLINE);
            assert_eq!(Vec::from(b), bytes);
            assert_eq!(format!("{a:?}"), format!("{bytes:?}"));
        }
        assert_eq!(
            std::mem::size_of::<CmpData>(),
            std::mem::size_of::<Vec<u8>>()
        );
    }

    #[test]
    fn serde_is_hex() {
        let data = CmpData::from([10, 0, 0, 1]);
        assert_eq!(serde_json::to_string(&data).unwrap(), r#""0a000001""#);
        let back: CmpData = serde_json::from_str(r#""0x0a000001""#).unwrap();
        assert_eq!(back, data);
    }
}
