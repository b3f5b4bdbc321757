//! `numgen`: a generated number (nft's `src/numgen.c`): its model, checks, print, encode
//! and decode, and the modulus and offset check it shares with `hash`.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::attrs::{Attrs, Read};
use crate::Expr;

/// A generated number: `numgen inc mod 2`, `numgen random mod 10 offset 5`.
///
/// Private fields: the modulus is at least 1 and the largest number (`offset + modulus -
/// 1`) fits 32 bits, as the kernel requires.
///
/// ```
/// use linx_netfilter::stmt::{Field, Numgen};
/// assert_eq!(Field::Numgen(Numgen::new(false, 2, 5).unwrap()).to_string(), "numgen inc mod 2 offset 5");
/// assert!(Numgen::new(true, 0, 0).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "NumgenFields")]
pub struct Numgen {
    pub(super) random: bool,
    pub(super) modulus: u32,
    pub(super) offset: u32,
}

impl Numgen {
    /// Incrementing (or `random`) numbers `offset..offset + modulus`.
    pub fn new(random: bool, modulus: u32, offset: u32) -> Option<Numgen> {
        range_ok(modulus, offset).then_some(Numgen {
            random,
            modulus,
            offset,
        })
    }

    /// Random (else incrementing).
    pub fn random(&self) -> bool {
        self.random
    }

    /// How many numbers.
    pub fn modulus(&self) -> u32 {
        self.modulus
    }

    /// The first number.
    pub fn offset(&self) -> u32 {
        self.offset
    }
}

/// The kernel's check of a modulus and offset (numgen, hash).
pub(super) fn range_ok(modulus: u32, offset: u32) -> bool {
    modulus >= 1 && offset.checked_add(modulus - 1).is_some()
}

impl fmt::Display for Numgen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.random { "random" } else { "inc" };
        write!(f, "numgen {kind} mod {}", self.modulus)?;
        if self.offset != 0 {
            write!(f, " offset {}", self.offset)?;
        }
        Ok(())
    }
}

/// The serde form of [`Numgen`], checked by [`Numgen::new`].
#[derive(Deserialize)]
struct NumgenFields {
    random: bool,
    modulus: u32,
    offset: u32,
}

impl TryFrom<NumgenFields> for Numgen {
    type Error = &'static str;
    fn try_from(f: NumgenFields) -> Result<Numgen, &'static str> {
        Numgen::new(f.random, f.modulus, f.offset).ok_or(RANGE_ERROR)
    }
}

/// Why a modulus and offset are refused.
pub(super) const RANGE_ERROR: &str = "a modulus of at least 1 whose last number fits 32 bits";

/// The `numgen` expression loading `n` into register `dreg`: `NFTA_NG_DREG` 1, `MODULUS` 2,
/// `TYPE` 3, `OFFSET` 4.
pub(super) fn encode(n: &Numgen, dreg: u32) -> Expr {
    let mut a = Attrs::default();
    a.u32(1, dreg)
        .u32(2, n.modulus)
        .u32(3, u32::from(n.random))
        .u32(4, n.offset);
    Expr::unknown("numgen", a.0)
}

/// Reads a `numgen` expression: the number and its destination register.
pub(super) fn decode(data: &[u8]) -> Option<(Numgen, u32)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3, 4]) {
        return None;
    }
    let random = match at.u32_of(3)? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let n = Numgen::new(random, at.u32_of(2)?, at.u32_of(4)?)?;
    Some((n, at.u32_of(1)?))
}
