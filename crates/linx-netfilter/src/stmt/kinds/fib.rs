//! `fib`: a route lookup of the packet's addresses (nft's `src/fib.c`): its model, checks and
//! print, encode and decode.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::attrs::{Attrs, Read};
use crate::Expr;

/// What a `fib` lookup returns (`enum nft_fib_result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FibResult {
    /// `oif`: the output interface index of the route (1).
    Oif,
    /// `oifname`: its name (2).
    Oifname,
    /// `type`: the address type of the route (`local`, `unicast` ...) (3).
    Type,
}

impl FibResult {
    pub(super) fn number(self) -> u32 {
        match self {
            FibResult::Oif => 1,
            FibResult::Oifname => 2,
            FibResult::Type => 3,
        }
    }

    pub(super) fn from_number(n: u32) -> Option<FibResult> {
        Some(match n {
            1 => FibResult::Oif,
            2 => FibResult::Oifname,
            3 => FibResult::Type,
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            FibResult::Oif => "oif",
            FibResult::Oifname => "oifname",
            FibResult::Type => "type",
        }
    }
}

/// `NFTA_FIB_F_*` flags.
const FIB_SADDR: u32 = 1;
const FIB_DADDR: u32 = 2;
const FIB_MARK: u32 = 4;
const FIB_IIF: u32 = 8;
const FIB_OIF: u32 = 16;
const FIB_PRESENT: u32 = 32;

/// A route lookup: `fib saddr . iif oif`, `fib daddr type`, `fib daddr oifname`; with
/// `present`, whether the lookup finds a route at all (`fib saddr . iif oif missing`).
///
/// Private fields: the kernel refuses `iif` with `oif`, and an `oif`/`oifname` result of a
/// lookup by output interface.
///
/// ```
/// use linx_netfilter::stmt::{Field, Fib, FibResult};
/// let rpf = Fib::new(false, false, true, false, FibResult::Oif, true).unwrap();
/// assert_eq!(Field::Fib(rpf).to_string(), "fib saddr . iif oif");
/// assert!(Fib::new(true, false, true, true, FibResult::Type, false).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "FibFields")]
pub struct Fib {
    pub(super) daddr: bool,
    pub(super) mark: bool,
    pub(super) iif: bool,
    pub(super) oif: bool,
    pub(super) result: FibResult,
    pub(super) present: bool,
}

impl Fib {
    /// A lookup of the destination (`daddr`) or source address, with the packet's `mark`,
    /// input (`iif`) or output (`oif`) interface, returning `result` (or, with `present`,
    /// whether there is one). `None` for `iif` with `oif`, or an interface result of an
    /// `oif` lookup.
    pub fn new(
        daddr: bool,
        mark: bool,
        iif: bool,
        oif: bool,
        result: FibResult,
        present: bool,
    ) -> Option<Fib> {
        if oif && (iif || result != FibResult::Type) {
            return None;
        }
        Some(Fib {
            daddr,
            mark,
            iif,
            oif,
            result,
            present,
        })
    }

    /// Looks up the destination address (else the source address).
    pub fn daddr(&self) -> bool {
        self.daddr
    }

    /// What the lookup returns.
    pub fn result(&self) -> FibResult {
        self.result
    }

    /// Whether the match is on the presence of a result (`exists` / `missing`).
    pub fn present(&self) -> bool {
        self.present
    }

    pub(super) fn flags(&self) -> u32 {
        let mut f = if self.daddr { FIB_DADDR } else { FIB_SADDR };
        for (on, bit) in [
            (self.mark, FIB_MARK),
            (self.iif, FIB_IIF),
            (self.oif, FIB_OIF),
            (self.present, FIB_PRESENT),
        ] {
            if on {
                f |= bit;
            }
        }
        f
    }

    pub(super) fn from_flags(flags: u32, result: FibResult) -> Option<Fib> {
        let addr = flags & (FIB_SADDR | FIB_DADDR);
        if addr == 0 || addr == FIB_SADDR | FIB_DADDR || flags >= FIB_PRESENT << 1 {
            return None;
        }
        Fib::new(
            addr == FIB_DADDR,
            flags & FIB_MARK != 0,
            flags & FIB_IIF != 0,
            flags & FIB_OIF != 0,
            result,
            flags & FIB_PRESENT != 0,
        )
    }
}

impl fmt::Display for Fib {
    /// `fib saddr . mark . iif oif` (nft's order: address, mark, iif, oif).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.daddr { "fib daddr" } else { "fib saddr" })?;
        for (on, name) in [(self.mark, "mark"), (self.iif, "iif"), (self.oif, "oif")] {
            if on {
                write!(f, " . {name}")?;
            }
        }
        write!(f, " {}", self.result.name())
    }
}

/// The serde form of [`Fib`], checked by [`Fib::new`].
#[derive(Deserialize)]
struct FibFields {
    daddr: bool,
    mark: bool,
    iif: bool,
    oif: bool,
    result: FibResult,
    present: bool,
}

impl TryFrom<FibFields> for Fib {
    type Error = &'static str;
    fn try_from(f: FibFields) -> Result<Fib, &'static str> {
        Fib::new(f.daddr, f.mark, f.iif, f.oif, f.result, f.present)
            .ok_or("fib: iif with oif, or an interface result of an oif lookup")
    }
}

/// The `fib` expression loading `fib` into register `dreg`: `NFTA_FIB_DREG` 1, `RESULT` 2,
/// `FLAGS` 3.
pub(super) fn encode(fib: &Fib, dreg: u32) -> Expr {
    let mut a = Attrs::default();
    a.u32(1, dreg)
        .u32(2, fib.result.number())
        .u32(3, fib.flags());
    Expr::unknown("fib", a.0)
}

/// Reads a `fib` expression: the lookup and its destination register.
pub(super) fn decode(data: &[u8]) -> Option<(Fib, u32)> {
    let at = Read::new(data)?;
    if !at.only(&[1, 2, 3]) {
        return None;
    }
    let result = FibResult::from_number(at.u32_of(2)?)?;
    let fib = Fib::from_flags(at.u32_of(3)?, result)?;
    Some((fib, at.u32_of(1)?))
}
