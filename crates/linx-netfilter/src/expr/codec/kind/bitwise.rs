//! `bitwise`: mask and xor of a register (shifts stay [`crate::Expr::Unknown`]).

use super::common::checked_expr;
use super::common::load;
use super::common::{Fit, Misfit, fields, value};
use crate::Reason;
use crate::nla::attr::bitwise as bw;
use crate::nla::{Writer, put_value};
use crate::{Expr, Reg};

checked_expr! {
    /// The fields of [`Expr::Bitwise`]: `dreg = (sreg & mask) ^ xor` over `len` bytes
    /// (boxed in [`Expr`]: rare, and two byte strings long).
    ///
    /// [`Expr::bitwise`] builds the usual form on register 1; [`Bitwise::new`] checks that
    /// mask and xor have the same length (1 to 64 bytes) and that it fits at both registers.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::Bitwise};
    /// let b = Bitwise::new(Reg::R1, Reg::R2, [0xf0], [0])?;
    /// assert_eq!((b.len(), b.mask(), b.xor()), (1, &[0xf0][..], &[0][..]));
    /// let e = Expr::from(b);
    /// assert_eq!(e.to_string(), "bitwise reg 2 = (reg 1 & 0xf0) ^ 0x00 (1b)");
    /// let json = r#"{"bitwise":{"sreg":1,"dreg":2,"len":1,"mask":"f0","xor":"00"}}"#;
    /// assert_eq!(serde_json::to_string(&e).unwrap(), json);
    /// assert!(Bitwise::new(Reg::R1, Reg::R1, [0xff, 0], [0]).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Bitwise via BitwiseRepr = "BitwiseRepr" {
        /// Source register (`NFTA_BITWISE_SREG`; serde default 1).
        #[serde(default = "crate::expr::r1")]
        sreg: Reg,
        /// Destination register (`NFTA_BITWISE_DREG`; serde default 1).
        #[serde(default = "crate::expr::r1")]
        dreg: Reg,
        /// Bytes operated on (`NFTA_BITWISE_LEN`); `mask` and `xor` have this length.
        len: u32,
        /// AND mask (`NFTA_BITWISE_MASK`), hex in serde.
        #[serde(with = "crate::hex")]
        mask: Vec<u8>,
        /// XOR value (`NFTA_BITWISE_XOR`), hex in serde.
        #[serde(with = "crate::hex")]
        xor: Vec<u8>,
    }
}

impl Bitwise {
    /// A checked `bitwise` over `mask.len()` bytes: `mask` and `xor` of the same length (1
    /// to 64 bytes), which fits at `sreg` and at `dreg`.
    #[inline]
    pub fn new(
        sreg: Reg,
        dreg: Reg,
        mask: impl Into<Vec<u8>>,
        xor: impl Into<Vec<u8>>,
    ) -> Result<Bitwise, Reason> {
        let mask = mask.into();
        Bitwise {
            sreg,
            dreg,
            len: u32::try_from(mask.len()).unwrap_or(u32::MAX),
            mask,
            xor: xor.into(),
        }
        .checked()
    }

    /// `self` when it passes [`Bitwise::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Bitwise, Reason> {
        check(&self)?;
        Ok(self)
    }

    /// Source register.
    pub fn sreg(&self) -> Reg {
        self.sreg
    }

    /// Destination register.
    pub fn dreg(&self) -> Reg {
        self.dreg
    }

    /// Bytes operated on.
    #[allow(clippy::len_without_is_empty)] // an operation width, not a container
    pub fn len(&self) -> u32 {
        self.len
    }

    /// AND mask.
    pub fn mask(&self) -> &[u8] {
        &self.mask
    }

    /// XOR value.
    pub fn xor(&self) -> &[u8] {
        &self.xor
    }
}

impl From<Bitwise> for Expr {
    /// [`Expr::Bitwise`], boxed.
    fn from(value: Bitwise) -> Expr {
        Expr::Bitwise(Box::new(value))
    }
}

/// `NFT_BITWISE_MASK_XOR` (`enum nft_bitwise_ops`): the only bitwise operation the model
/// holds; the kernel dumps it as `NFTA_BITWISE_OP`.
const NFT_BITWISE_MASK_XOR: u32 = 0;

/// Write [`Expr::Bitwise`]'s attributes: `SREG`, `DREG`, `LEN`, `MASK`, `XOR` (no `OP`, as
/// nft).
#[inline]
pub(crate) fn encode(w: &mut Writer<'_>, bitwise: &Bitwise) -> Result<(), crate::Error> {
    let Bitwise {
        sreg,
        dreg,
        len,
        mask,
        xor,
    } = bitwise;
    w.put_be32(bw::NFTA_BITWISE_SREG, sreg.number())?;
    w.put_be32(bw::NFTA_BITWISE_DREG, dreg.number())?;
    w.put_be32(bw::NFTA_BITWISE_LEN, *len)?;
    put_value(w, bw::NFTA_BITWISE_MASK, mask)?;
    put_value(w, bw::NFTA_BITWISE_XOR, xor)?;
    Ok(())
}

/// `bitwise` (mask and xor; shifts do not fit).
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            bw::NFTA_BITWISE_SREG,
            bw::NFTA_BITWISE_DREG,
            bw::NFTA_BITWISE_LEN,
            bw::NFTA_BITWISE_MASK,
            bw::NFTA_BITWISE_XOR,
            bw::NFTA_BITWISE_OP,
        ],
    )?;
    if let Some(op) = f.u32(bw::NFTA_BITWISE_OP)?
        && op != NFT_BITWISE_MASK_XOR
    {
        return Err(Misfit);
    }
    Ok(Expr::from(
        Bitwise {
            sreg: f.req_reg(bw::NFTA_BITWISE_SREG)?,
            dreg: f.req_reg(bw::NFTA_BITWISE_DREG)?,
            len: f.req_u32(bw::NFTA_BITWISE_LEN)?,
            mask: value(&f.get(bw::NFTA_BITWISE_MASK).ok_or(Misfit)?)?.to_vec(),
            xor: value(&f.get(bw::NFTA_BITWISE_XOR).ok_or(Misfit)?)?.to_vec(),
        }
        .checked()?,
    ))
}

/// [`Bitwise`]'s own check: mask and xor of exactly `len` (non-zero) bytes, `len`
/// bytes fit at both registers.
fn check(bitwise: &Bitwise) -> Result<(), Reason> {
    let Bitwise {
        sreg,
        dreg,
        len,
        mask,
        xor,
    } = bitwise;
    for bytes in [mask, xor] {
        if bytes.len() != *len as usize || bytes.is_empty() {
            return Err(Reason::DataLength {
                expected: *len,
                got: bytes.len(),
            });
        }
    }
    load(*sreg, *len)?;
    load(*dreg, *len)
}
