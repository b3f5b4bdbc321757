//! One match checked against the two expressions it lowers to, without lowering a rule:
//! the per-statement proof of the lift's fast path (see `lift/fast.rs`).
//!
//! Why: proving a lifted rule by lowering all of it again cost about a third of the lift;
//! the fast path proves each plain match it reads with the lowering's own load and value
//! encoding instead, and the protocol dependencies by its own (tested) model of
//! [`Cx::need_field`](super::Cx).
//!
//! # Contract
//! - [`plain_match_lowers_to`] is `true` exactly when [`Cx::matches`](super::Cx) writes
//!   `[load, cmp]` for the match, in a rule whose earlier statements already wrote (or made
//!   unneeded) every dependency of the field: the field's load into register 1 as
//!   [`load`] builds it, with no mask and no byte-order conversion, then the compare of
//!   the value as [`scalar_data`] encodes it. Any other shape (masks, prefixes, ranges,
//!   sets, flag tests, orderings of host-order fields, other fields than header, meta and
//!   ct ones) is `false`, never a guess.
//! - [`flag_test_lowers_to`] is the same for a flag test (`ct state established`, `tcp
//!   flags syn`): the load, the bitwise of the value's bits and the compare with zero.

use std::sync::OnceLock;

use super::{Load, load, scalar_data, swaps};
use crate::expr::CmpOp;
use crate::stmt::{Field, HeaderField, Op, Value};
use crate::{Expr, Reg};

/// The lowering's load of `field` into register 1: computed once per header field (the
/// lift checks a match of a header field for every pulled rule that has one), built
/// anew for meta and ct keys (no mask to compute); `None` where the lowering has no load.
fn with_load<T>(field: &Field, f: impl FnOnce(&Load) -> Option<T>) -> Option<T> {
    match field {
        Field::Header(h) => f(header_load(*h)?),
        other => f(&load(other, Reg::R1).ok()?),
    }
}

/// [`load`] of header field `h` into register 1, from a table built on first use.
fn header_load(h: HeaderField) -> Option<&'static Load> {
    static BY: OnceLock<Vec<Option<Load>>> = OnceLock::new();
    let by = BY.get_or_init(|| {
        let mut by: Vec<Option<Load>> = Vec::new();
        for f in HeaderField::ALL {
            let i = *f as usize;
            if by.len() <= i {
                by.resize_with(i + 1, || None);
            }
            if let Some(slot) = by.get_mut(i) {
                *slot = load(&Field::Header(*f), Reg::R1).ok();
            }
        }
        by
    });
    by.get(h as usize)?.as_ref()
}

/// Whether `field op value` (no mask) lowers, its dependencies written, to exactly
/// `load_expr` then `cmp` (see the module contract).
pub(crate) fn plain_match_lowers_to(
    field: &Field,
    op: Op,
    value: &Value,
    load_expr: &Expr,
    cmp: &Expr,
) -> bool {
    if !matches!(field, Field::Header(_) | Field::Meta(_) | Field::Ct(_))
        || !matches!(
            value,
            Value::Int(_) | Value::Ip(_) | Value::Mac(_) | Value::Ifname(_) | Value::Bytes(_)
        )
    {
        return false;
    }
    with_load(field, |l| {
        plain_lowers(field, op, value, l, load_expr, cmp).then_some(())
    })
    .is_some()
}

/// [`plain_match_lowers_to`] with the field's load `l`.
fn plain_lowers(
    field: &Field,
    op: Op,
    value: &Value,
    l: &Load,
    load_expr: &Expr,
    cmp: &Expr,
) -> bool {
    if l.mask.is_some() || &l.expr != load_expr {
        return false;
    }
    let want_op = match op {
        Op::Eq => CmpOp::Eq,
        Op::Ne => CmpOp::Neq,
        // Orderings of host-order fields convert them to big endian first.
        Op::Lt | Op::Gt | Op::Le | Op::Ge if swaps(&l.width) => return false,
        Op::Lt => CmpOp::Lt,
        Op::Gt => CmpOp::Gt,
        Op::Le => CmpOp::Lte,
        Op::Ge => CmpOp::Gte,
        Op::AnySet | Op::NoneSet => return false,
    };
    let Ok(data) = scalar_data(field, value, &l.width) else {
        return false;
    };
    matches!(cmp, Expr::Cmp(c) if c.sreg() == Reg::R1 && c.op() == want_op && c.data() == &data[..])
}

/// Whether the flag test `field op value` ([`Op::AnySet`] or [`Op::NoneSet`], no mask),
/// its dependencies written, lowers to exactly `load_expr`, `bitwise` (the value's bits,
/// nothing xor-ed) and `cmp` (not equal / equal to zero), as [`Cx::matches`](super::Cx)
/// writes it for a field without a mask of its own.
pub(crate) fn flag_test_lowers_to(
    field: &Field,
    op: Op,
    value: &Value,
    load_expr: &Expr,
    bitwise: &Expr,
    cmp: &Expr,
) -> bool {
    if !matches!(field, Field::Header(_) | Field::Meta(_) | Field::Ct(_))
        || !matches!(value, Value::Int(_))
    {
        return false;
    }
    with_load(field, |l| {
        flag_lowers(field, op, value, l, load_expr, bitwise, cmp).then_some(())
    })
    .is_some()
}

/// [`flag_test_lowers_to`] with the field's load `l`.
fn flag_lowers(
    field: &Field,
    op: Op,
    value: &Value,
    l: &Load,
    load_expr: &Expr,
    bitwise: &Expr,
    cmp: &Expr,
) -> bool {
    if l.mask.is_some() || &l.expr != load_expr {
        return false;
    }
    let want_op = match op {
        Op::AnySet => CmpOp::Neq,
        Op::NoneSet => CmpOp::Eq,
        _ => return false,
    };
    let Ok(bits) = scalar_data(field, value, &l.width) else {
        return false;
    };
    let n = l.width.bytes as usize;
    if bits.len() != n {
        return false;
    }
    // The lowering's `bitwise` on register 1 (mask the value's bits, xor zero) and its
    // compare with zero, field by field: the pulled bytes may have any length, and no
    // expression is built from them.
    let zero = |b: &[u8]| n > 0 && b.len() == n && b.iter().all(|x| *x == 0);
    matches!(bitwise, Expr::Bitwise(b)
        if b.sreg == Reg::R1 && b.dreg == Reg::R1 && b.len as usize == n
            && b.mask[..] == bits[..] && zero(&b.xor))
        && matches!(cmp, Expr::Cmp(c) if c.sreg() == Reg::R1 && c.op() == want_op && zero(c.data()))
}
