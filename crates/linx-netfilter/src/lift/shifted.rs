//! `(@th,104,16 & 0x3ff0) >> 4 & 0x3f == 0x2`: bytes loaded, masked to a run of bits,
//! shifted down to them, masked again and compared, nft's expressions for a masked compare
//! of a range that ends inside a byte. nft lists the raw bytes whatever header they are in,
//! so the lift is a masked match of the [`Field::Raw`] range of those bits (its lowering
//! writes the same five expressions; verification decides).

use super::{Deps, Lifter, fields};
use crate::Expr;
use crate::expr::CmpOp;
use crate::expr::{Cmp, Payload};
use crate::stmt::{Field, Match, Op, Value};

/// A big-endian number of 1 to 8 bytes.
fn be(b: &[u8]) -> Option<u64> {
    (1..=8)
        .contains(&b.len())
        .then(|| b.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x)))
}

impl Lifter<'_> {
    /// The five expressions at the start of `exprs` as one match, pushed; the number of
    /// expressions taken, or `None` (nothing done) when they are not that shape.
    pub(super) fn shifted_masked(&mut self, exprs: &[Expr]) -> Option<usize> {
        let [
            Expr::Payload(Payload {
                base,
                offset,
                len,
                dreg,
            }),
            Expr::Bitwise(field_mask),
            Expr::Unknown(shift),
            Expr::Bitwise(mask),
            Expr::Cmp(Cmp { sreg, op, data }),
            ..,
        ] = exprs
        else {
            return None;
        };
        let r = *dreg;
        if shift.name != "bitwise" || self.regs.contains_key(&r.0) || *sreg != r {
            return None;
        }
        let (sr, slen, n) = fields::rshift(&shift.data)?;
        let plain = |b: &crate::expr::Bitwise| {
            b.sreg == r
                && b.dreg == r
                && b.len == *len
                && b.mask.len() == *len as usize
                && b.xor.iter().all(|x| *x == 0)
                && b.xor.len() == *len as usize
        };
        if sr != r.0 || slen != *len || !plain(field_mask) || !plain(mask) {
            return None;
        }
        if data.len() != *len as usize {
            return None;
        }
        let fm = be(&field_mask.mask)?;
        let bits = fm.count_ones();
        if n == 0 || bits == 0 || n + bits > len * 8 || fm != ((1u64 << bits) - 1) << n {
            return None;
        }
        let op = match op {
            CmpOp::Eq => Op::Eq,
            CmpOp::Neq => Op::Ne,
            _ => return None,
        };
        let raw = Field::Raw {
            base: *base,
            bit_offset: offset.checked_mul(8)? + (len * 8 - n - bits),
            bit_len: bits,
        };
        let m = Match::masked(raw, op, Value::Int(be(data)?), Value::Int(be(&mask.mask)?))?;
        self.push_match(m, Deps::new());
        Some(5)
    }
}

#[cfg(test)]
mod tests {
    use crate::expr::{MetaKey, PayloadBase};
    use crate::lift::lift;
    use crate::print::Printer;
    use crate::stmt::{Field, HeaderField, Match, Op, Statement, Value};
    use crate::{Family, Table};

    fn raw(base: PayloadBase, bit_offset: u32, bit_len: u32) -> Field {
        Field::Raw {
            base,
            bit_offset,
            bit_len,
        }
    }

    fn masked(f: impl Into<Field>, op: Op, v: u64, m: u64) -> Statement {
        Statement::Match(Match::masked(f.into(), op, Value::Int(v), Value::Int(m)).unwrap())
    }

    #[test]
    fn masked_compares_of_shifted_ranges() {
        let l4 = Match::new(Field::Meta(MetaKey::L4proto), Op::Eq, Value::Int(6)).unwrap();
        let th = raw(PayloadBase::Transport, 106, 10);
        let stmts = vec![Statement::Match(l4), masked(th, Op::Eq, 2, 0x3f)];
        let exprs = Statement::lower_all(Family::Inet, &stmts).unwrap();
        // Load, field mask, shift, mask, compare: nft's five expressions.
        assert_eq!(exprs.len(), 7);
        assert_eq!(lift(&exprs, Family::Inet), stmts);
        let t = Table::new(Family::Inet, "t");
        assert_eq!(
            Printer::new().statements(&stmts, &t).unwrap(),
            "meta l4proto tcp (@th,104,16 & 0x3ff0) >> 4 & 0x3f == 0x2"
        );
        // A header field ending inside a byte lowers the same way and lifts as the raw
        // range nft lists.
        let dscp = vec![masked(HeaderField::IpDscp, Op::Ne, 1, 3)];
        let exprs = Statement::lower_all(Family::Ip, &dscp).unwrap();
        let lifted = lift(&exprs, Family::Ip);
        assert_eq!(
            lifted,
            vec![masked(raw(PayloadBase::Network, 8, 6), Op::Ne, 1, 3)]
        );
        let t = Table::new(Family::Ip, "t");
        assert_eq!(
            Printer::new().statements(&lifted, &t).unwrap(),
            "(@nh,8,8 & 0xfc) >> 2 & 0x3 != 0x1"
        );
        // A value outside its mask does not lower.
        assert!(
            Statement::lower_all(Family::Ip, &[masked(HeaderField::IpDscp, Op::Eq, 4, 3)]).is_err()
        );
    }
}
