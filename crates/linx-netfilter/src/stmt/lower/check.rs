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
//!   the value as [`scalar_data`](super::scalar_data) encodes it. Any other shape (masks, prefixes, ranges,
//!   sets, flag tests, orderings of host-order fields, other fields than header, meta and
//!   ct ones) is `false`, never a guess.
//! - [`flag_test_lowers_to`] is the same for a flag test (`ct state established`, `tcp
//!   flags syn`): the load, the bitwise of the value's bits and the compare with zero.

use std::sync::OnceLock;

use super::{Copied, Load, SameAs, load, scalar_with, swaps};
use crate::expr::{CmpOp, CtKey, MetaKey};
use crate::stmt::{Datatype, Field, HeaderField, Op, Value};
use crate::{Expr, Reg};

/// The lowering's load of `field` into register 1: computed once per header field and per
/// meta and conntrack key the model names (the lift checks a match for every pulled rule
/// that has one), built anew for others.
enum Cached {
    /// From a table: the load, `None` where the lowering has none.
    Table(Option<&'static Load>),
    /// In no table: [`load`] builds it.
    Build,
}

/// [`Cached`] load of `field`.
#[inline(always)]
fn cached_load(field: &Field) -> Cached {
    let cached = match field {
        Field::Header(h) => Some(header_load(*h)),
        Field::Meta(k) => key_load(meta_loads(), k.number(), *k),
        Field::Ct(k) => key_load(ct_loads(), k.number(), *k),
        _ => None,
    };
    cached.map_or(Cached::Build, Cached::Table)
}

/// `field`'s datatype ([`Field::datatype`], a table read for header fields).
#[inline(always)]
fn datatype(field: &Field) -> Datatype {
    match field {
        Field::Header(h) => h.datatype(),
        other => other.datatype(),
    }
}

/// [`load`] of header field `h` into register 1, from a table built on first use.
#[inline(always)]
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

/// Meta and conntrack keys numbered below this have their loads in a table.
const KEYS: u32 = 64;

/// The table entry of key `k` (number `n`): `Some` (its load, or `None` where the lowering
/// has none) when the table holds this very key; `None` to build the load anew.
#[inline(always)]
fn key_load<K: PartialEq>(
    table: &'static [(K, Option<Load>)],
    n: u32,
    k: K,
) -> Option<Option<&'static Load>> {
    let (key, l) = table.get(usize::try_from(n).ok()?)?;
    (*key == k).then_some(l.as_ref())
}

/// [`load`] of every meta key numbered below [`KEYS`] (as [`MetaKey::from_number`] names
/// it) into register 1, built on first use.
fn meta_loads() -> &'static [(MetaKey, Option<Load>)] {
    static BY: OnceLock<Vec<(MetaKey, Option<Load>)>> = OnceLock::new();
    BY.get_or_init(|| {
        (0..KEYS)
            .map(MetaKey::from_number)
            .map(|k| (k, load(&Field::Meta(k), Reg::R1).ok()))
            .collect()
    })
}

/// [`meta_loads`] for conntrack keys.
fn ct_loads() -> &'static [(CtKey, Option<Load>)] {
    static BY: OnceLock<Vec<(CtKey, Option<Load>)>> = OnceLock::new();
    BY.get_or_init(|| {
        (0..KEYS)
            .map(CtKey::from_number)
            .map(|k| (k, load(&Field::Ct(k), Reg::R1).ok()))
            .collect()
    })
}

/// Whether `field op value` (no mask) lowers, its dependencies written, to exactly
/// `load_expr` then `cmp` (see the module contract).
#[inline(always)]
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
    match cached_load(field) {
        Cached::Table(Some(l)) => plain_lowers(field, op, value, l, load_expr, cmp),
        Cached::Table(None) => false,
        Cached::Build => built_plain_lowers(field, op, value, load_expr, cmp),
    }
}

/// [`plain_match_lowers_to`] of a field whose load no table holds.
#[cold]
fn built_plain_lowers(field: &Field, op: Op, value: &Value, load_expr: &Expr, cmp: &Expr) -> bool {
    load(field, Reg::R1).is_ok_and(|l| plain_lowers(field, op, value, &l, load_expr, cmp))
}

/// [`plain_match_lowers_to`] with the field's load `l`.
#[inline(always)]
fn plain_lowers(
    field: &Field,
    op: Op,
    value: &Value,
    l: &Load,
    load_expr: &Expr,
    cmp: &Expr,
) -> bool {
    if l.mask.is_some() || !same_load(&l.expr, load_expr) {
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
    let Expr::Cmp(c) = cmp else {
        return false;
    };
    // The value's bytes as the lowering encodes them, compared where they lie.
    c.sreg() == Reg::R1
        && c.op() == want_op
        && scalar_with(field, datatype(field), value, &l.width, SameAs(c.data())) == Ok(true)
}

/// `a == b` for the loads the lowering writes (a payload, meta or ct load compared field
/// by field; any other expression as a whole).
#[inline(always)]
fn same_load(a: &Expr, b: &Expr) -> bool {
    match (a, b) {
        (Expr::Payload(x), Expr::Payload(y)) => {
            // `x == y`, inlined.
            x.offset() == y.offset()
                && x.len() == y.len()
                && x.dreg() == y.dreg()
                && x.base() == y.base()
        }
        (Expr::Meta(x), Expr::Meta(y)) => x == y,
        (Expr::Ct(x), Expr::Ct(y)) => x == y,
        _ => a == b,
    }
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
    match cached_load(field) {
        Cached::Table(Some(l)) => flag_lowers(field, op, value, l, load_expr, bitwise, cmp),
        Cached::Table(None) => false,
        Cached::Build => load(field, Reg::R1)
            .is_ok_and(|l| flag_lowers(field, op, value, &l, load_expr, bitwise, cmp)),
    }
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
    if l.mask.is_some() || !same_load(&l.expr, load_expr) {
        return false;
    }
    let want_op = match op {
        Op::AnySet => CmpOp::Neq,
        Op::NoneSet => CmpOp::Eq,
        _ => return false,
    };
    let Ok(bits) = scalar_with(field, datatype(field), value, &l.width, Copied) else {
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

#[cfg(test)]
mod tests {
    use super::super::same_bytes;
    use super::*;

    /// `a` and `b` are the same load (expression, width and mask).
    fn same(a: &Load, b: &Load) -> bool {
        let (x, y) = (&a.width, &b.width);
        a.expr == b.expr
            && a.mask == b.mask
            && (x.bytes, x.bits, x.order, x.shift) == (y.bytes, y.bits, y.order, y.shift)
    }

    #[test]
    fn same_bytes_is_equality() {
        let bytes: Vec<u8> = (0..40).collect();
        for a in 0..20 {
            for b in 0..20 {
                for flip in [None, Some(0), Some(1), Some(3), Some(15)] {
                    let x = &bytes[..a];
                    let mut y = bytes[..b].to_vec();
                    if let Some(byte) = flip.and_then(|i| y.get_mut(i)) {
                        *byte ^= 0x80;
                    }
                    assert_eq!(same_bytes(x, &y), x == &y[..], "{a} {b} {flip:?}");
                }
            }
        }
    }

    #[test]
    fn cached_loads_are_the_lowerings_loads() {
        let mut fields: Vec<Field> = HeaderField::ALL
            .iter()
            .copied()
            .map(Field::Header)
            .collect();
        for n in 0..KEYS + 4 {
            fields.push(Field::Meta(MetaKey::from_number(n)));
            fields.push(Field::Ct(CtKey::from_number(n)));
            // A named key spelt as a number: not the table's key, built anew.
            fields.push(Field::Meta(MetaKey::Other(n)));
            fields.push(Field::Ct(CtKey::Other(n)));
        }
        for field in &fields {
            let built = load(field, Reg::R1).ok();
            match cached_load(field) {
                Cached::Table(cached) => match (cached, &built) {
                    (Some(c), Some(b)) => assert!(same(c, b), "{field:?}"),
                    (None, None) => {}
                    _ => panic!(
                        "{field:?}: table {} built {}",
                        cached.is_some(),
                        built.is_some()
                    ),
                },
                Cached::Build => {
                    // Only keys the tables do not hold as such are built anew.
                    let in_table = match field {
                        Field::Meta(k) => {
                            k.number() < KEYS && MetaKey::from_number(k.number()) == *k
                        }
                        Field::Ct(k) => k.number() < KEYS && CtKey::from_number(k.number()) == *k,
                        _ => false,
                    };
                    assert!(!in_table, "{field:?}");
                }
            }
        }
    }
}
