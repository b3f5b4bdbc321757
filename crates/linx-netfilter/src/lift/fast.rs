//! The lift's fast path: the common rule shapes read directly, each statement proved against
//! exactly the expressions it was read from.
//!
//! Why: following registers for every rule and then lowering the lifted statements again to
//! prove them cost about 4,500 instructions per rule; most pulled rules are a few plain
//! matches (`ip saddr 192.0.2.1`, `tcp dport 22`, `meta mark 0x1`, `ct status dnat`) and a
//! verdict, a counter or a log, for which neither is needed.
//!
//! # Contract
//! - [`lift`] answers `Some` only for rules in ip, ip6 and inet tables made of these groups,
//!   in any order: a load of a header, meta or conntrack field into a register and a
//!   compare of that register (one match), the same with a mask of flags between them
//!   compared with zero (a flag test: `ct state established,related`), or a verdict,
//!   `counter`, `limit`, `quota`, `log`, a named object or `notrack` (one statement each).
//!   Anything else is `None`, and the general lift decides.
//! - Its answer is exactly the general lift's (the statements, their order, the protocol
//!   matches left out), which `fast_tests.rs` in this directory holds on every golden
//!   capture, every corpus rule and generated rules.
//! - Never a wrong statement: each match is proved on its own expressions with the
//!   lowering's own load and value encoding
//!   ([`plain_match_lowers_to`](crate::stmt::plain_match_lowers_to),
//!   [`flag_test_lowers_to`](crate::stmt::flag_test_lowers_to)); the other statements
//!   are read from the one expression they lower to, field by field. The protocol matches
//!   the lowering writes before a field are modelled here as the lowering writes them in
//!   these families (`meta nfproto` before IPv4/IPv6 fields in inet, `meta l4proto` before
//!   transport fields; nothing once the rule or the family said so): a protocol match left
//!   out must be exactly the dependency the lowering writes at that place, and a field the
//!   lowering would give a dependency the rule does not have is not read here. Fields whose
//!   dependencies are more involved (link layer, ICMP, IGMP, `meta protocol`, `meta
//!   iiftype`) are never read here.
//! - Never panics; allocates only the statements it returns.

use crate::expr::{Bitwise, CmpOp, CtKey, MetaKey, PayloadBase};
use crate::stmt::{
    Field, HeaderField, Match, Op, Proto, Statement, Value, flag_test_lowers_to,
    plain_match_lowers_to,
};
use crate::{Expr, Family, Reg};

use super::{int_of, op_of, payload_field, stateful, value_of};

/// The statements of `exprs` in a `family` table when the rule has only the shapes of the
/// module contract; `None` otherwise.
pub(super) fn lift(exprs: &[Expr], family: Family) -> Option<Vec<Statement>> {
    let net = match family {
        Family::Ip => Some(2),
        Family::Ip6 => Some(10),
        Family::Inet => None,
        _ => return None,
    };
    let mut f = Fast {
        family,
        out: Vec::with_capacity(exprs.len()),
        pending: None,
        nfproto: None,
        l4: None,
        net,
        low_l4: None,
    };
    let mut rest = exprs;
    while let Some((e, tail)) = rest.split_first() {
        rest = tail;
        match (e, rest) {
            // The most common group, a header field compared, on its own path.
            (Expr::Payload(p), [c, tail @ ..]) if !matches!(c, Expr::Bitwise(_)) => {
                rest = tail;
                f.header(p, e, c)?;
            }
            _ => {
                if let Some((load, dreg)) = load_of(e) {
                    let (c, tail) = rest.split_first()?;
                    rest = tail;
                    if let Expr::Bitwise(b) = c {
                        // A flag test: load, mask, compare with zero.
                        let (c2, tail) = rest.split_first()?;
                        rest = tail;
                        f.compare(load, dreg, e, Some((b, c)), c2)?;
                    } else if !f.selector(load, dreg, e, c) {
                        f.compare(load, dreg, e, None, c)?;
                    }
                } else {
                    // `single` fails the whole rule: the pending match may be pushed first.
                    f.flush()?;
                    single(e, &mut f.out)?;
                }
            }
        }
    }
    f.flush()?;
    Some(f.out)
}

/// A load the fast path reads: what, and into which register.
#[derive(Clone, Copy)]
enum Load {
    Payload {
        base: PayloadBase,
        offset: u32,
        len: u32,
    },
    Meta(MetaKey),
    Ct(CtKey),
}

/// `e` as a load of a field.
fn load_of(e: &Expr) -> Option<(Load, Reg)> {
    Some(match e {
        Expr::Payload(p) => (
            Load::Payload {
                base: p.base(),
                offset: p.offset(),
                len: p.len(),
            },
            p.dreg(),
        ),
        Expr::Meta(m) => (Load::Meta(m.key()), m.dreg()),
        Expr::Ct(c) => (Load::Ct(c.key()), c.dreg()),
        _ => return None,
    })
}

/// `e` as a compare: register, operator and data.
fn cmp_of(e: &Expr) -> Option<(Reg, CmpOp, &[u8])> {
    match e {
        Expr::Cmp(c) => Some((c.sreg(), c.op(), c.data())),
        _ => None,
    }
}

/// A statement of one expression that reads no register (what the general lift makes of
/// it, and exactly what the lowering writes for that statement), pushed on `out`.
#[inline(always)]
fn single(e: &Expr, out: &mut Vec<Statement>) -> Option<()> {
    match e {
        Expr::Immediate(i) => match i.data() {
            crate::expr::ImmediateData::Verdict(v) if i.dreg() == Reg::VERDICT => {
                out.push(Statement::Verdict(v.clone()));
            }
            _ => return None,
        },
        Expr::Counter { .. } | Expr::Limit { .. } | Expr::Quota { .. } => out.push(stateful(e)?),
        Expr::Log(log) => out.push(Statement::Log(log.clone())),
        Expr::Objref(o) => out.push(Statement::Objref {
            kind: o.kind(),
            name: o.name().to_owned(),
        }),
        Expr::Unknown(u) if u.name == "notrack" && u.data.is_empty() => {
            out.push(Statement::Notrack)
        }
        _ => return None,
    }
    Some(())
}

/// `field & mask != 0` (any of the flags) or `field & mask == 0` (none of them, with
/// some bits left out of the mask) on a flag field (`ct state`, `ct status`, `tcp
/// flags`), as the general lift reads a masked whole field compared with zero; `None` for
/// any other masked compare. The operator and the value of the match.
fn flag_test(field: &Field, bytes: u32, b: &Bitwise, op: Op, data: &[u8]) -> Option<(Op, Value)> {
    if !field.datatype().is_bitmask()
        || b.len != bytes
        || b.mask.len() != bytes as usize
        || b.xor.iter().any(|x| *x != 0)
        || bytes > 8
    {
        return None;
    }
    let mask = int_of(field, &b.mask)?;
    if int_of(field, data)? != 0 {
        return None;
    }
    let full = (1u64 << (bytes * 8)) - 1;
    let op = match op {
        Op::Ne => Op::AnySet,
        Op::Eq if mask != full => Op::NoneSet,
        _ => return None,
    };
    Some((op, Value::Int(mask)))
}

/// The last protocol match of one layer (`meta nfproto`, `meta l4proto`, `ip protocol`).
#[derive(Clone, Copy)]
struct Sel {
    /// The protocol number matched.
    value: u8,
    /// Its statement, while it is in the output and a field may leave it out (as the
    /// general lift's context: `ip protocol` has none).
    at: Option<usize>,
    /// The lowering knew nothing of this layer before it: left out, it is exactly the
    /// dependency the lowering writes for the field after it.
    fresh: bool,
}

struct Fast<'e> {
    family: Family,
    out: Vec<Statement>,
    /// A protocol match read but not yet a statement: the next field may leave it out as
    /// its dependency (then it never becomes one). It counts as the last statement.
    pending: Option<Selector<'e>>,
    /// The general lift's protocol context (see `Lifter::nfproto`, `Lifter::l4`).
    nfproto: Option<Sel>,
    l4: Option<Sel>,
    /// The lowering's context for the statements in `out`: the network protocol (as a
    /// `meta nfproto` number) and the transport protocol known.
    net: Option<u8>,
    low_l4: Option<u8>,
}

/// `meta nfproto` / `meta l4proto` equal to one protocol, as the lowering writes it as a
/// dependency.
#[derive(Clone, Copy)]
struct Selector<'e> {
    key: MetaKey,
    load_expr: &'e Expr,
    cmp: &'e Expr,
}

impl<'e> Fast<'e> {
    /// Statements so far, the pending protocol match included.
    fn len(&self) -> usize {
        self.out.len() + usize::from(self.pending.is_some())
    }

    /// A protocol match (`meta nfproto ipv4`, `meta l4proto tcp`) exactly as the lowering
    /// writes it as a dependency: held back (the next field may leave it out), its protocol
    /// learnt. `false` (nothing done) for any other group.
    fn selector(&mut self, load: Load, dreg: Reg, load_expr: &'e Expr, cmp: &'e Expr) -> bool {
        let Load::Meta(key) = load else {
            return false;
        };
        if !matches!(key.number(), 15 | 16) {
            return false;
        }
        // What the lowering's dependency writes (`Cx::dep`): `Expr::meta(key)`, then
        // `Expr::cmp_eq([n])`, both on register 1.
        let (Reg::R1, Some((Reg::R1, CmpOp::Eq, [n]))) = (dreg, cmp_of(cmp)) else {
            return false;
        };
        if self.flush().is_none() {
            return false;
        }
        self.learn_proto(key, *n);
        self.pending = Some(Selector {
            key,
            load_expr,
            cmp,
        });
        true
    }

    /// The pending protocol match becomes a statement (read and proved as any match).
    #[inline(always)]
    fn flush(&mut self) -> Option<()> {
        if self.pending.is_none() {
            return Some(());
        }
        self.push_pending()
    }

    /// [`Fast::flush`] of a pending protocol match.
    fn push_pending(&mut self) -> Option<()> {
        let p = self.pending.take()?;
        let (field, op, value, _) =
            self.read(Load::Meta(p.key), Reg::R1, p.load_expr, None, p.cmp)?;
        self.out
            .push(Statement::Match(Match::new(field, op, value)?));
        Some(())
    }

    /// A load and the compare after it: one match, its dependency left out where the
    /// general lift leaves it out and the lowering writes it.
    fn compare(
        &mut self,
        load: Load,
        dreg: Reg,
        load_expr: &Expr,
        mask: Option<(&Bitwise, &Expr)>,
        cmp: &Expr,
    ) -> Option<()> {
        let (field, op, value, dep) = self.read(load, dreg, load_expr, mask, cmp)?;
        self.record(field, op, value, dep)
    }

    /// [`Fast::compare`] of a payload load and a compare (no mask), the most common
    /// group: read on its own, without the other kinds' cases.
    #[inline(never)]
    fn header(&mut self, p: &crate::expr::Payload, load_expr: &Expr, cmp: &Expr) -> Option<()> {
        let (_, op, data) = cmp_of(cmp)?;
        let c = Compared {
            op: op_of(op),
            data,
            load_expr,
            mask: None,
            cmp,
        };
        let (h, dep) = self.header_field(p.base(), p.offset(), p.len())?;
        let (field, op, value, dep) = matched(Field::Header(h), p.len(), h.datatype(), dep, c)?;
        self.record(field, op, value, dep)
    }

    /// A match read: its dependency left out, the pending protocol match flushed, what
    /// it tells learnt, the match pushed.
    #[inline(always)]
    fn record(&mut self, field: Field, op: Op, value: Value, dep: Option<Layer>) -> Option<()> {
        if let Some(dep) = dep {
            self.leave_out(dep)?;
        }
        self.flush()?;
        self.learn(&field, op, &value);
        self.out
            .push(Statement::Match(Match::new(field, op, value)?));
        Some(())
    }

    /// The whole header field a payload load of `len` bytes at `offset` of `base` reads
    /// (as the general lift names it) and the layer its dependency is on.
    #[inline(always)]
    fn header_field(
        &self,
        base: PayloadBase,
        offset: u32,
        len: u32,
    ) -> Option<(HeaderField, Option<Layer>)> {
        let (proto, dep) = self.proto(base)?;
        let h = payload_field(proto, offset, len)?;
        if !h.is_byte_aligned() || h.bit_len() != len.checked_mul(8)? {
            return None;
        }
        Some((h, dep))
    }

    /// The match (field, operator, value) a load, an optional mask and a compare make,
    /// proved on them, and the layer its field's dependency is on.
    #[inline(always)]
    fn read(
        &self,
        load: Load,
        dreg: Reg,
        load_expr: &Expr,
        mask: Option<(&Bitwise, &Expr)>,
        cmp: &Expr,
    ) -> Option<(Field, Op, Value, Option<Layer>)> {
        let (sreg, op, data) = cmp_of(cmp)?;
        let masked_reg = mask.map(|(b, _)| (b.sreg, b.dreg));
        if masked_reg.map_or(sreg, |(_, d)| d) != sreg
            || masked_reg.map_or(dreg, |(s, _)| s) != dreg
        {
            return None;
        }
        let c = Compared {
            op: op_of(op),
            data,
            load_expr,
            mask,
            cmp,
        };
        // The field, its width (the general lift's `cmp` of a whole field compared with
        // data of its width) and its datatype; each kind read on its own (`matched` is
        // inlined in each, for its kind).
        match load {
            // `meta protocol` and `meta iiftype` name link-layer and network fields in
            // ways this path does not follow.
            Load::Meta(k) if matches!(k.number(), 1 | 8) => None,
            Load::Meta(k) => {
                let (_, bytes, _, datatype) = crate::stmt::meta_info(k)?;
                matched(Field::Meta(k), bytes, datatype, None, c)
            }
            Load::Ct(k) => {
                let (_, bytes, _, datatype) = crate::stmt::ct_info(k)?;
                matched(Field::Ct(k), bytes, datatype, None, c)
            }
            Load::Payload { base, offset, len } => {
                let (h, dep) = self.header_field(base, offset, len)?;
                matched(Field::Header(h), len, h.datatype(), dep, c)
            }
        }
    }

    /// The protocol whose header `base` points at (as the general lift names it) and the
    /// layer whose protocol match its field depends on; `None` for what this path does not
    /// read.
    fn proto(&self, base: PayloadBase) -> Option<(Proto, Option<Layer>)> {
        match base {
            PayloadBase::Network => {
                let proto = match (self.family, self.nfproto) {
                    (Family::Ip, _) => Proto::Ip,
                    (Family::Ip6, _) => Proto::Ip6,
                    (_, Some(Sel { value: 2, .. })) => Proto::Ip,
                    (_, Some(Sel { value: 10, .. })) => Proto::Ip6,
                    _ => return None,
                };
                Some((proto, Some(Layer::Net(proto))))
            }
            PayloadBase::Transport => match self.l4 {
                None => Some((Proto::Th, None)),
                Some(s) => match Proto::from_l4proto(s.value)? {
                    // ICMP fields have dependencies of their own, IGMP an implied network.
                    Proto::Icmp | Proto::Icmpv6 | Proto::Igmp => None,
                    p => Some((p, Some(Layer::L4(s.value)))),
                },
            },
            _ => None,
        }
    }

    /// The dependency of a field on `layer`: the general lift leaves out the protocol match
    /// its name rests on when it is the last statement; the lowering writes that match
    /// exactly when it knew nothing of the layer before. `None` when the two disagree.
    fn leave_out(&mut self, layer: Layer) -> Option<()> {
        let (sel, known, want) = match layer {
            Layer::Net(p) => {
                let want = if p == Proto::Ip { 2 } else { 10 };
                let sel = if self.family == Family::Inet {
                    &mut self.nfproto
                } else {
                    // The family names the network; no statement to leave out.
                    return (self.net == Some(want)).then_some(());
                };
                (sel, self.net, want)
            }
            Layer::L4(n) => (&mut self.l4, self.low_l4, n),
        };
        let last = (self.out.len() + usize::from(self.pending.is_some())).checked_sub(1);
        match sel {
            Some(s) if s.at.is_some() => {
                // Only a held-back protocol match can be the last statement here.
                if s.at != last || !s.fresh || s.value != want || self.pending.is_none() {
                    return None;
                }
                s.at = None;
                self.pending = None;
                Some(())
            }
            // No statement to leave out: the lowering must know the protocol already.
            _ => (known == Some(want)).then_some(()),
        }
    }

    /// What an equality match (of `f`, no mask) tells the general lift and the lowering
    /// from here on.
    #[inline(always)]
    fn learn(&mut self, f: &Field, op: Op, value: &Value) {
        let (Op::Eq, Value::Int(v)) = (op, value) else {
            return;
        };
        let v = *v as u8;
        match f {
            Field::Meta(k) if matches!(k.number(), 15 | 16) => self.learn_proto(*k, v),
            Field::Header(HeaderField::IpProtocol | HeaderField::Ip6Nexthdr) => {
                self.l4 = Some(Sel {
                    value: v,
                    at: None,
                    fresh: false,
                });
                self.low_l4 = Some(v);
            }
            _ => {}
        }
    }

    /// `meta nfproto v` / `meta l4proto v` (`key`), the next statement.
    fn learn_proto(&mut self, key: MetaKey, v: u8) {
        let at = Some(self.len());
        if key.number() == 15 {
            let fresh = self.net.is_none();
            self.nfproto = Some(Sel {
                value: v,
                at,
                fresh,
            });
            if self.family == Family::Inet && matches!(v, 2 | 10) {
                self.net = Some(v);
            }
        } else {
            let fresh = self.low_l4.is_none();
            self.l4 = Some(Sel {
                value: v,
                at,
                fresh,
            });
            self.low_l4 = Some(v);
        }
    }
}

/// A compare (and the mask before it) of a loaded field: what [`Fast::read`] proves a
/// match on.
#[derive(Clone, Copy)]
struct Compared<'a> {
    /// The compare's operator.
    op: Op,
    /// The compared bytes.
    data: &'a [u8],
    /// The load.
    load_expr: &'a Expr,
    /// The mask of a flag test and its expression.
    mask: Option<(&'a Bitwise, &'a Expr)>,
    /// The compare.
    cmp: &'a Expr,
}

/// The match of `field` (`bytes` wide, of `datatype`) a compare `c` of it makes, proved
/// on its expressions, and `dep`.
#[inline(always)]
fn matched(
    field: Field,
    bytes: u32,
    datatype: crate::stmt::Datatype,
    dep: Option<Layer>,
    c: Compared<'_>,
) -> Option<(Field, Op, Value, Option<Layer>)> {
    if c.data.len() != bytes as usize {
        return None;
    }
    if let Some((b, bitwise)) = c.mask {
        let (op, value) = flag_matched(&field, bytes, b, bitwise, c)?;
        return Some((field, op, value, dep));
    }
    let value = value_of(&field, bytes, datatype, c.data)?;
    if !plain_match_lowers_to(&field, c.op, &value, c.load_expr, c.cmp) {
        return None;
    }
    Some((field, c.op, value, dep))
}

/// [`matched`] of a flag test: its operator and value.
fn flag_matched(
    field: &Field,
    bytes: u32,
    b: &Bitwise,
    bitwise: &Expr,
    c: Compared<'_>,
) -> Option<(Op, Value)> {
    let (op, value) = flag_test(field, bytes, b, c.op, c.data)?;
    flag_test_lowers_to(field, op, &value, c.load_expr, bitwise, c.cmp).then_some((op, value))
}

/// The layer a field's dependency is on.
#[derive(Clone, Copy)]
enum Layer {
    /// The network protocol (`meta nfproto` in inet).
    Net(Proto),
    /// The transport protocol of this number (`meta l4proto`).
    L4(u8),
}
