//! `jhash` and `symhash` (the kernel's `hash`, nft's `src/hash.c`): the key, the model, checks,
//! print, encode and decode.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::attrs::{Attrs, Read, be32};
use super::numgen::{RANGE_ERROR, range_ok};
use crate::Expr;
use crate::stmt::{Field, HeaderField};

/// The header fields a `jhash` hashes, in order (one to four).
///
/// ```
/// use linx_netfilter::stmt::{HashKey, HeaderField};
/// let k = HashKey::new(&[HeaderField::IpSaddr, HeaderField::TcpDport]).unwrap();
/// assert_eq!(k.fields().count(), 2);
/// assert!(HashKey::new(&[]).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "HashKeyFields", into = "Vec<HeaderField>")]
pub struct HashKey([Option<HeaderField>; 4]);

impl From<HashKey> for Vec<HeaderField> {
    fn from(k: HashKey) -> Vec<HeaderField> {
        k.fields().collect()
    }
}

impl HashKey {
    /// The key of `fields` (one to four whole, byte-aligned fields).
    pub fn new(fields: &[HeaderField]) -> Option<HashKey> {
        if fields.is_empty() || fields.len() > 4 || !fields.iter().all(|f| f.is_byte_aligned()) {
            return None;
        }
        let mut out = [None; 4];
        for (slot, f) in out.iter_mut().zip(fields) {
            *slot = Some(*f);
        }
        Some(HashKey(out))
    }

    /// The fields, in order.
    pub fn fields(&self) -> impl Iterator<Item = HeaderField> + '_ {
        self.0.iter().flatten().copied()
    }

    /// Bytes the key's loads fill: one field's width, or each field padded to 4 bytes, as
    /// nft lays out concatenations.
    pub(crate) fn len(&self) -> u32 {
        let widths = self.fields().map(|f| f.bit_len() / 8);
        if self.fields().count() == 1 {
            widths.sum()
        } else {
            widths.map(|w| w.next_multiple_of(4)).sum()
        }
    }
}

/// A hash: `jhash ip saddr . tcp dport mod 4 seed 0x1 offset 100`, `symhash mod 2`.
///
/// Private fields: as [`Numgen`](super::Numgen), the modulus is at least 1 and `offset +
/// modulus - 1` fits.
///
/// ```
/// use linx_netfilter::stmt::{Field, Hash, HashKey, HeaderField};
/// let key = HashKey::new(&[HeaderField::IpSaddr]).unwrap();
/// let h = Hash::jhash(key, 2, Some(0xc001), 0).unwrap();
/// assert_eq!(Field::Hash(h).to_string(), "jhash ip saddr mod 2 seed 0xc001");
/// assert_eq!(Field::Hash(Hash::symhash(32, 100).unwrap()).to_string(), "symhash mod 32 offset 100");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "HashFields")]
pub struct Hash {
    /// `None` for `symhash`.
    pub(super) key: Option<HashKey>,
    pub(super) seed: Option<u32>,
    pub(super) modulus: u32,
    pub(super) offset: u32,
}

impl Hash {
    /// Jenkins hash of `key`, with `seed` (the kernel picks one when `None`).
    pub fn jhash(key: HashKey, modulus: u32, seed: Option<u32>, offset: u32) -> Option<Hash> {
        range_ok(modulus, offset).then_some(Hash {
            key: Some(key),
            seed,
            modulus,
            offset,
        })
    }

    /// The symmetric hash of the flow (the kernel's skb hash).
    pub fn symhash(modulus: u32, offset: u32) -> Option<Hash> {
        range_ok(modulus, offset).then_some(Hash {
            key: None,
            seed: None,
            modulus,
            offset,
        })
    }

    /// The fields a `jhash` hashes (`None` for `symhash`).
    pub fn key(&self) -> Option<&HashKey> {
        self.key.as_ref()
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => {
                f.write_str("jhash ")?;
                for (i, field) in key.fields().enumerate() {
                    if i > 0 {
                        f.write_str(" . ")?;
                    }
                    write!(f, "{field}")?;
                }
                write!(f, " mod {}", self.modulus)?;
                if let Some(seed) = self.seed {
                    write!(f, " seed 0x{seed:x}")?;
                }
            }
            None => write!(f, "symhash mod {}", self.modulus)?,
        }
        if self.offset != 0 {
            write!(f, " offset {}", self.offset)?;
        }
        Ok(())
    }
}

/// The serde form of [`Hash`], checked by its constructors.
#[derive(Deserialize)]
struct HashFields {
    key: Option<HashKey>,
    seed: Option<u32>,
    modulus: u32,
    offset: u32,
}

impl TryFrom<HashFields> for Hash {
    type Error = &'static str;
    fn try_from(f: HashFields) -> Result<Hash, &'static str> {
        match f.key {
            Some(key) => Hash::jhash(key, f.modulus, f.seed, f.offset).ok_or(RANGE_ERROR),
            None if f.seed.is_none() => Hash::symhash(f.modulus, f.offset).ok_or(RANGE_ERROR),
            None => Err("symhash has no seed"),
        }
    }
}

/// The serde form of [`HashKey`]: its fields.
#[derive(Deserialize)]
#[serde(transparent)]
struct HashKeyFields(Vec<HeaderField>);

impl TryFrom<HashKeyFields> for HashKey {
    type Error = &'static str;
    fn try_from(f: HashKeyFields) -> Result<HashKey, &'static str> {
        HashKey::new(&f.0).ok_or("one to four byte-aligned header fields")
    }
}

/// The `hash` expression loading `h` into register `dreg`, its key read from register
/// `key_reg` on: `NFTA_HASH_SREG` 1, `DREG` 2, `LEN` 3, `MODULUS` 4, `SEED` 5, `OFFSET` 6,
/// `TYPE` 7.
pub(super) fn encode(h: &Hash, dreg: u32, key_reg: u32) -> Expr {
    let mut a = Attrs::default();
    if let Some(key) = &h.key {
        a.u32(1, key_reg)
            .u32(2, dreg)
            .u32(3, key.len())
            .u32(4, h.modulus);
        if let Some(seed) = h.seed {
            a.u32(5, seed);
        }
    } else {
        a.u32(2, dreg).u32(4, h.modulus);
    }
    if h.offset != 0 {
        a.u32(6, h.offset);
    }
    a.u32(7, u32::from(h.key.is_none()));
    Expr::unknown("hash", a.0)
}

/// A decoded `hash` expression.
pub(super) enum HashLoad {
    /// A `symhash` into register `dreg`.
    Symhash {
        /// The hash.
        hash: Hash,
        /// Destination register.
        dreg: u32,
    },
    /// A `jhash` into `dreg` of the `len` key bytes from register `sreg` on.
    Jhash {
        /// The hash without its key.
        hash: PartialJhash,
        /// Destination register.
        dreg: u32,
        /// Source register of the key.
        sreg: u32,
        /// Key length in bytes.
        len: u32,
    },
}

/// A `jhash`'s modulus, seed and offset, waiting for its key.
pub(crate) struct PartialJhash {
    modulus: u32,
    seed: Option<u32>,
    offset: u32,
}

impl PartialJhash {
    /// The `jhash` of `key`.
    pub(crate) fn with(&self, key: HashKey) -> Option<Field> {
        Hash::jhash(key, self.modulus, self.seed, self.offset).map(Field::Hash)
    }
}

/// Reads a `hash` expression.
pub(super) fn decode(data: &[u8]) -> Option<HashLoad> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3, 4, 5, 6, 7]) {
        return None;
    }
    let modulus = at.u32_of(4)?;
    let offset = match at.get(6) {
        Some(p) => be32(p)?,
        None => 0,
    };
    match at.u32_of(7)? {
        1 if at.get(1).is_none() && at.get(3).is_none() && at.get(5).is_none() => {
            Some(HashLoad::Symhash {
                hash: Hash::symhash(modulus, offset)?,
                dreg: at.u32_of(2)?,
            })
        }
        0 => {
            let seed = match at.get(5) {
                Some(p) => Some(be32(p)?),
                None => None,
            };
            // Checked now; the key comes from the lift.
            Hash::jhash(
                HashKey::new(&[HeaderField::IpSaddr])?,
                modulus,
                seed,
                offset,
            )?;
            Some(HashLoad::Jhash {
                hash: PartialJhash {
                    modulus,
                    seed,
                    offset,
                },
                dreg: at.u32_of(2)?,
                sreg: at.u32_of(1)?,
                len: at.u32_of(3)?,
            })
        }
        _ => None,
    }
}
