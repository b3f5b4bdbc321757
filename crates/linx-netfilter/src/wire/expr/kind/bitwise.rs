//! `bitwise`: mask and xor of a register (shifts stay [`crate::Expr::Unknown`]).

use super::common::load;
use super::common::{Fit, Misfit, fields, value};
use crate::Expr;
use crate::Reason;
use crate::expr::Bitwise;
use crate::wire::attr::bitwise as bw;
use crate::wire::{Writer, put_value};

/// `NFT_BITWISE_MASK_XOR` (`enum nft_bitwise_ops`): the only bitwise operation the model
/// holds; the kernel dumps it as `NFTA_BITWISE_OP`.
const NFT_BITWISE_MASK_XOR: u32 = 0;

/// Write [`Expr::Bitwise`]'s attributes: `SREG`, `DREG`, `LEN`, `MASK`, `XOR` (no `OP`, as
/// nft).
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
    Ok(Expr::from(Bitwise {
        sreg: f.req_reg(bw::NFTA_BITWISE_SREG)?,
        dreg: f.req_reg(bw::NFTA_BITWISE_DREG)?,
        len: f.req_u32(bw::NFTA_BITWISE_LEN)?,
        mask: value(&f.get(bw::NFTA_BITWISE_MASK).ok_or(Misfit)?)?.to_vec(),
        xor: value(&f.get(bw::NFTA_BITWISE_XOR).ok_or(Misfit)?)?.to_vec(),
    }))
}

/// [`Expr::Bitwise`]'s own check: mask and xor of exactly `len` (non-zero) bytes, `len`
/// bytes fit at both registers.
pub(crate) fn check(bitwise: &Bitwise) -> Result<(), Reason> {
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
