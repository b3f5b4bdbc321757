//! A masked compare of a field that does not end on a byte boundary (`@th,106,10 & 0x3f ==
//! 0x2`, `ip dscp & 0x3 == 1`): nft masks the bytes loaded to the field's bits, shifts them
//! down to the field's value, then applies the compare's mask and compares the value.

use super::{Cx, LowerError, load, rshift, sub_byte_mask};
use crate::expr::Cmp;
use crate::expr::CmpOp;
use crate::stmt::{Field, Match, Op, Value};
use crate::{Expr, Reg};

impl Cx<'_> {
    /// `field & mask == value` in nft's form for a payload field ending inside a byte;
    /// `Ok(false)` (nothing written) for any other match.
    pub(super) fn shifted_masked(&mut self, field: &Field, m: &Match) -> Result<bool, LowerError> {
        let (Some(Value::Int(mask)), Value::Int(value)) = (m.mask(), m.value()) else {
            return Ok(false);
        };
        let op = match m.op() {
            Op::Eq => CmpOp::Eq,
            Op::Ne => CmpOp::Neq,
            _ => return Ok(false),
        };
        if !matches!(field, Field::Header(_) | Field::Raw { .. }) {
            return Ok(false);
        }
        let l = load(field, Reg::R1)?;
        let Some(field_mask) = l.mask else {
            return Ok(false);
        };
        let (bytes, shift, bits) = (l.width.bytes, l.width.shift, l.width.bits);
        if shift == 0 || bytes > 8 || bits >= 64 {
            return Ok(false);
        }
        if *mask >> bits != 0 || value & !mask != 0 {
            return Err(LowerError::Value {
                field: field.to_string(),
                why: "the mask and the value must fit the field, the value within the mask",
            });
        }
        let be = |n: u64| n.to_be_bytes()[8 - bytes as usize..].to_vec();
        self.out.push(l.expr);
        self.out.push(sub_byte_mask(field_mask, Reg::R1));
        self.out.push(rshift(Reg::R1, bytes, shift));
        self.out.push(sub_byte_mask(be(*mask), Reg::R1));
        self.out.push(Expr::Cmp(Cmp {
            sreg: Reg::R1,
            op,
            data: be(*value).into(),
        }));
        Ok(true)
    }
}
