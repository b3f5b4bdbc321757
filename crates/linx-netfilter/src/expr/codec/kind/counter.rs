//! `counter`: packets and bytes seen.

use super::common::{Fit, checked_expr, fields};
use super::strict::{be64_or_zero, slots};
use crate::Expr;
use crate::Reason;
use crate::nla::Writer;
use crate::nla::attr::counter as co;

checked_expr! {
    /// The fields of [`Expr::Counter`]: count packets and bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::Counter};
    /// assert_eq!(Expr::from(Counter::new(0, 0)), Expr::counter());
    /// assert_eq!(Counter::new(3, 180).bytes(), 180);
    /// ```
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
    pub struct Counter via CounterRepr = "CounterRepr" {
        /// Initial packet count.
        #[serde(default)]
        packets: u64,
        /// Initial byte count.
        #[serde(default)]
        bytes: u64,
    }
}

impl Counter {
    /// A counter starting at `packets` and `bytes`.
    #[inline]
    pub fn new(packets: u64, bytes: u64) -> Counter {
        Counter { packets, bytes }
    }

    /// `self`: a `counter` has no checks of its own (serde goes through here).
    #[inline]
    pub(crate) fn checked(self) -> Result<Counter, Reason> {
        Ok(self)
    }

    /// Initial packet count.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Initial byte count.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl From<Counter> for Expr {
    /// [`Expr::Counter`].
    fn from(value: Counter) -> Expr {
        Expr::Counter(value)
    }
}

/// Write [`Expr::Counter`]'s attributes: nothing for a fresh counter (as nft sends it),
/// else `BYTES`, `PACKETS`.
#[inline]
pub(crate) fn encode(w: &mut Writer<'_>, packets: u64, bytes: u64) -> Result<(), crate::Error> {
    // nft sends an empty counter; initial values only when there are some.
    if packets != 0 || bytes != 0 {
        w.put_be64(co::NFTA_COUNTER_BYTES, bytes)?;
        w.put_be64(co::NFTA_COUNTER_PACKETS, packets)?;
    }
    Ok(())
}

/// `counter` (missing values are 0).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            co::NFTA_COUNTER_BYTES,
            co::NFTA_COUNTER_PACKETS,
            co::NFTA_COUNTER_PAD,
        ],
    )?;
    Ok(Expr::Counter(
        Counter {
            packets: f.u64(co::NFTA_COUNTER_PACKETS)?.unwrap_or(0),
            bytes: f.u64(co::NFTA_COUNTER_BYTES)?.unwrap_or(0),
        }
        .checked()?,
    ))
}

/// [`decode`] of `counter` with `BYTES` and `PACKETS` at most once each, of eight bytes (any
/// order, missing values 0), or `None` for anything else (the fast path, `codec/fast.rs`).
#[inline(always)]
pub(crate) fn fast(data: &[u8]) -> Option<Expr> {
    let [bytes, packets] = slots::<2>(data)?;
    let counter = Counter {
        packets: be64_or_zero(packets)?,
        bytes: be64_or_zero(bytes)?,
    };
    counter.checked().ok().map(Expr::Counter)
}
