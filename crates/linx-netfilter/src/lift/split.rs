//! Whole bytes of the IPv4 or IPv6 header compared at once (`@nh,0,8 0x45` in an `ip`
//! table), which nft lists split into the header's fields (`ip version 4 ip hdrlength 5`).
//!
//! # Contract
//! - Only in `ip` and `ip6` tables, where the network header's protocol comes from the
//!   family (no dependency match): a load that starts a sub-byte field and covers bytes no
//!   one field fills, compared with `==` or `!=`, becomes a match of the [`Field::Raw`]
//!   range it loads; the printer decides whether it has nft's split form
//!   ([`print`](crate::print) returns nothing where it has not).
//! - Verification by lowering decides the rest; nothing here panics.

use super::{Deps, Lifter, Loaded, bytes_to_value};
use crate::Family;
use crate::expr::{CmpOp, PayloadBase};
use crate::stmt::{Field, Match, Op, Proto};

impl Lifter<'_> {
    /// `loaded == data` as a match of the raw range loaded (the module contract).
    pub(super) fn split_cmp(
        &self,
        loaded: &Loaded,
        op: CmpOp,
        data: &[u8],
    ) -> Option<(Match, Deps)> {
        let op = match op {
            CmpOp::Eq => Op::Eq,
            CmpOp::Neq => Op::Ne,
            _ => return None,
        };
        let Loaded::Field {
            field: Field::Header(h),
            bytes,
            deps,
        } = loaded
        else {
            return None;
        };
        let proto = match self.family {
            Family::Ip => Proto::Ip,
            Family::Ip6 => Proto::Ip6,
            _ => return None,
        };
        if h.proto() != proto || !deps.is_empty() || h.is_byte_aligned() {
            return None;
        }
        let first = h.bit_offset() / 8;
        let raw = Field::Raw {
            base: PayloadBase::Network,
            bit_offset: first.checked_mul(8)?,
            bit_len: bytes.checked_mul(8)?,
        };
        let value = bytes_to_value(&raw, data)?;
        Some((Match::new(raw, op, value)?, Deps::new()))
    }
}

#[cfg(test)]
mod tests {
    use crate::lift::lift;
    use crate::print::Printer;
    use crate::stmt::{Field, Match, Op, Statement, Value};
    use crate::{Family, Table};

    #[test]
    fn header_bytes_lift_as_their_raw_range() {
        let raw = Field::Raw {
            base: crate::expr::PayloadBase::Network,
            bit_offset: 0,
            bit_len: 8,
        };
        let stmts = vec![Statement::Match(
            Match::new(raw, Op::Eq, Value::Int(0x45)).unwrap(),
        )];
        for (family, text) in [
            (Family::Ip, "ip version 4 ip hdrlength 5"),
            (Family::Ip6, "ip6 version 4 ip6 dscp af22/4"),
        ] {
            let exprs = Statement::lower_all(family, &stmts).unwrap();
            assert_eq!(lift(&exprs, family), stmts);
            let table = Table::new(family, "t");
            assert_eq!(Printer::new().statements(&stmts, &table).unwrap(), text);
        }
        // In inet no protocol is known for the network header: a raw range, as nft prints.
        let exprs = Statement::lower_all(Family::Inet, &stmts).unwrap();
        assert_eq!(lift(&exprs, Family::Inet), stmts);
        let table = Table::new(Family::Inet, "t");
        let text = Printer::new().statements(&stmts, &table).unwrap();
        assert_eq!(text, "@nh,0,8 0x45");
    }
}
