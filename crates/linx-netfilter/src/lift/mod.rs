//! Lift: a pulled rule's expressions become [`Statement`]s again.
//!
//! Why: the kernel returns rules as register-machine instructions; people read `tcp dport
//! 22 accept`. The lift follows the registers (a load, optionally a mask, then a compare or a
//! lookup is one match; loads into consecutive 4-byte registers read by one lookup are a
//! concatenation), names payload fields from the protocol matched so far (the table's
//! family, and `meta nfproto` / `meta protocol` / `meta l4proto` / `ip protocol` / `ip6
//! nexthdr` matches), and drops those protocol matches where nft drops them when it prints:
//! directly before the field they make readable. Where the lowering of the field alone
//! would write a different protocol match (`meta l4proto icmp` without `meta nfproto ipv4`
//! in inet, `ether type ip` before an ip field in netdev), a second pass keeps the match as
//! a statement, and the printer leaves it out as nft does.
//!
//! # Contract
//! - **Never a wrong statement, by construction.** The lifted statements are lowered again
//!   for the same family ([`Statement::lower_all`]; with a table, [`lift_in`], as
//!   [`Rule::from_statements_in`](crate::Rule::from_statements_in) lowers them, knowing
//!   its interval sets) and compared with the rule's expressions; unless they lower to
//!   exactly those expressions, the lift claims nothing and returns every expression as a
//!   [`Statement::Expr`] (so [`is_fully_lifted`] is `false` and the printer marks the
//!   rule). The one difference the comparison ignores is the userdata of an anonymous set
//!   or map ([`SetExtras::userdata`](crate::SetExtras)): nft stores there how it *prints*
//!   the elements (key byte order, `typeof`); the kernel never reads it, so two rules
//!   differing only there match the same packets. Every other byte, register and element
//!   counts, in order.
//! - The fast path (`fast.rs`) keeps this without lowering the rule again: it reads only
//!   rules of plain matches (a header, meta or conntrack field loaded and compared) and
//!   statements of one expression (verdict, counter, limit, quota, log, named object,
//!   notrack) in ip, ip6 and inet tables, and proves each statement on exactly the
//!   expressions it consumed: a match with the lowering's own load and value encoding, a
//!   protocol match it leaves out by being exactly the dependency the lowering writes
//!   there (its model of the lowering's dependencies covers only `meta nfproto` and `meta
//!   l4proto` before IPv4/IPv6 and transport fields; rules needing more go the general
//!   way). Its answer must be the general lift's, statement for statement: the tests hold
//!   this on every golden capture, every corpus rule and generated rules, so a fast path
//!   that read a rule differently fails them rather than printing it differently.
//! - So a statement list the lift returns means what the rule does under the lowering's
//!   reading of statements (which `tests/lower_golden.rs` holds against nft); where nft's
//!   own text is lossy (`ether type ip ip saddr 1.2.3.4` in a bridge table prints as `ip
//!   saddr 1.2.3.4`, which nft would write with `meta protocol ip`), the rule stays as
//!   expressions.
//! - Statement order is the expressions' order: an expression the lift does not understand
//!   is kept after every load before it (`meta mark set`, `ct mark set`, dynsets with
//!   shapes it does not know stay in order).
//! - A lookup's key is a concatenation only when every register it spans holds a whole
//!   field (named, or a raw range); with a table ([`lift_in`]) the named set's key length must match too.
//!   A `jhash` key is read the same way (whole named header fields from its source
//!   register on); `tproxy`, `dup` and `fwd` take the immediates of their registers.
//! - A payload load no field of the context names is a raw range (`@nh,160,8`) only where
//!   nft prints one (no protocol known for its base, or past the last field of a header the
//!   table has every field of); a payload write is a header write whose target is named the
//!   same way, by exactly its bits.
//! - Never panics, on any expression list (registers, lengths and data of any size).
//! - Pure; allocates the statements it returns. Lifting is done on demand (printing, or
//!   when asked), never during a pull; a rule none of whose expressions lifted skips the
//!   verification, and one the fast path reads skips the register following too.

use linx_ip::{Ip, Mac, Subnet};

use crate::expr::{ByteOrder, CmpOp, Dynset, ImmediateData, NatType, PayloadBase};
use crate::expr::{Cmp, Ct, Meta, Payload};
use crate::expr::{Counter, Immediate, Limit, Lookup, Objref, Quota};
use crate::expr::{Masquerade, Redirect};
use crate::set::{ElemValue, SetElement};
use crate::stmt::bits::load_bytes;
use crate::stmt::exthdr_wire;
use crate::stmt::{
    Datatype, Dup, Field, Fwd, HashKey, HeaderField, Key, Match, Nat, NatKind, Op, Proto, RegStmt,
    Reject, SetUpdate, Source, SpecialLoad, Statement, Synproxy, Tproxy, Value, VerdictMap,
    decode_connlimit, decode_load, decode_reg_stmt,
};
use crate::{Expr, Family, Reg, Table};
use deps::Deps;
use regs::RegFile;
use trail::Trail;

mod deps;
mod dup_map;
mod exthdr;
mod fast;
mod trail;

/// The statements of a rule's expressions in a table of `family`.
///
/// The result lowers back to exactly `exprs` (see the module contract); otherwise it is
/// `exprs` as [`Statement::Expr`]s. Without the table, the key width of a named set is
/// taken from the loads before the lookup (what nft writes); [`lift_in`] checks it against
/// the set.
///
/// ```
/// use linx_netfilter::{Expr, Family, Verdict, lift::lift, stmt::Statement};
/// let mut exprs = Expr::meta_l4proto_eq(6);
/// exprs.extend(Expr::tcp_dport_eq(22));
/// exprs.push(Expr::accept());
/// let stmts = lift(&exprs, Family::Inet);
/// assert_eq!(stmts.len(), 2);
/// assert_eq!(stmts[1], Statement::Verdict(Verdict::Accept));
/// ```
pub fn lift(exprs: &[Expr], family: Family) -> Vec<Statement> {
    lift_checked(exprs, family, None)
}

/// [`lift`] for a rule of `table`: named sets and maps the rule looks up must have the key
/// width the lifted key has (a lookup of a set the table lacks is lifted as by [`lift`]).
///
/// ```
/// use linx_netfilter::{Expr, Family, KeyType, Set, Table, lift::{is_fully_lifted, lift_in}};
/// let mut t = Table::new(Family::Ip, "t");
/// t.add_set(Set::new("ports", KeyType::InetService))?;
/// // `ip saddr @ports`: a 4-byte key against a set of 2-byte keys is not a statement.
/// let mut exprs = vec![Expr::payload(linx_netfilter::expr::PayloadBase::Network, 12, 4)];
/// exprs.push(Expr::lookup("ports"));
/// assert!(!is_fully_lifted(&lift_in(&exprs, &t)));
/// # Ok::<(), linx_netfilter::Error>(())
/// ```
pub fn lift_in(exprs: &[Expr], table: &Table) -> Vec<Statement> {
    lift_checked(exprs, table.family(), Some(table))
}

/// `true` when every statement is a real statement (no [`Statement::Expr`]).
pub fn is_fully_lifted(stmts: &[Statement]) -> bool {
    !stmts.iter().any(|s| matches!(s, Statement::Expr(_)))
}

/// The lift, verified by lowering (the module contract).
fn lift_checked(exprs: &[Expr], family: Family, table: Option<&Table>) -> Vec<Statement> {
    // The common shapes, each statement proved on its own expressions (see `fast.rs`).
    match fast::lift(exprs, family) {
        Some(stmts) => stmts,
        None => lift_general(exprs, family, table),
    }
}

/// The general lift: follows the registers, then proves the result by lowering it again.
fn lift_general(exprs: &[Expr], family: Family, table: Option<&Table>) -> Vec<Statement> {
    let stmts = lift_raw(exprs, family, table, false);
    if verified(exprs, family, table, &stmts) {
        return stmts;
    }
    // Protocol matches nft drops when it prints, but which the lowering of the field alone
    // would write differently (`meta l4proto icmp` without `meta nfproto ipv4` in inet),
    // stay as statements; the printer leaves them out as nft does.
    let stmts = lift_raw(exprs, family, table, true);
    if verified(exprs, family, table, &stmts) {
        stmts
    } else {
        as_exprs(exprs)
    }
}

/// Every expression as an escape-hatch statement, in order.
fn as_exprs(exprs: &[Expr]) -> Vec<Statement> {
    exprs.iter().cloned().map(Statement::Expr).collect()
}

/// `true` when `stmts` lower to exactly `exprs` in `family`.
fn verified(exprs: &[Expr], family: Family, table: Option<&Table>, stmts: &[Statement]) -> bool {
    // Fast path: nothing lifted claims nothing; only the order must be the rule's.
    if !stmts.iter().any(|s| !matches!(s, Statement::Expr(_))) {
        return stmts.len() == exprs.len()
            && stmts
                .iter()
                .zip(exprs)
                .all(|(s, e)| matches!(s, Statement::Expr(x) if x == e));
    }
    // Lookups in the table's interval sets convert host-order keys (`byteorder`).
    let intervals = table.map(crate::stmt::interval_sets).unwrap_or_default();
    // Compared as the lowering writes them; built and compared only where the lowering
    // reorders what it wrote.
    if let Some(answer) = crate::stmt::lowers_to(family, stmts, &intervals, exprs, same) {
        return answer;
    }
    match crate::stmt::lower_with_intervals(family, stmts, &intervals) {
        Ok(again) => again.len() == exprs.len() && again.iter().zip(exprs).all(|(a, b)| same(a, b)),
        Err(_) => false,
    }
}

/// Expression equality up to what the kernel never reads: an anonymous set's or map's
/// userdata (nft's printing hints), which the lowering does not write.
fn same(lowered: &Expr, pulled: &Expr) -> bool {
    match (lowered, pulled) {
        (Expr::SetLiteral(a), Expr::SetLiteral(b)) => {
            a.key == b.key
                && a.flags == b.flags
                && a.elements == b.elements
                && a.sreg == b.sreg
                && a.inverted == b.inverted
                && extras_same(&a.extras, &b.extras)
        }
        (Expr::VmapLiteral(a), Expr::VmapLiteral(b)) => {
            a.key == b.key
                && a.flags == b.flags
                && a.elements == b.elements
                && a.sreg == b.sreg
                && extras_same(&a.extras, &b.extras)
        }
        (a, b) => a == b,
    }
}

/// Set extras equal apart from the userdata.
fn extras_same(a: &crate::SetExtras, b: &crate::SetExtras) -> bool {
    a.attrs == b.attrs
        && a.concat == b.concat
        && a.elements == b.elements
        && a.raw_elements == b.raw_elements
}

/// `true` when a literal's extras hold nothing but userdata (printing hints) and field
/// lengths (which verification compares with those the lowering writes).
fn only_userdata(x: &crate::SetExtras) -> bool {
    x.attrs.is_empty() && x.elements.is_empty() && x.raw_elements.is_empty()
}

/// The lift without verification: statements for what is understood, expressions for the
/// rest, in order.
fn lift_raw(exprs: &[Expr], family: Family, table: Option<&Table>, keep: bool) -> Vec<Statement> {
    let mut l = Lifter {
        family,
        table,
        keep,
        pos: 0,
        regs: RegFile::new(),
        out: Vec::with_capacity(exprs.len()),
        nfproto: None,
        ethertype: None,
        l4: None,
        iiftype: None,
        vlan: None,
        icmp: None,
        vlan_type: None,
    };
    let mut i = 0;
    while i < exprs.len() {
        l.pos = i;
        // `cmp gte lo; cmp lte hi` on one register is one range match.
        if let (
            Expr::Cmp(Cmp {
                sreg,
                op: CmpOp::Gte,
                data: lo,
            }),
            Some(Expr::Cmp(Cmp {
                sreg: s2,
                op: CmpOp::Lte,
                data: hi,
            })),
        ) = (&exprs[i], exprs.get(i + 1))
        {
            if sreg == s2 && l.range(*sreg, Op::Eq, lo, hi) {
                i += 2;
                continue;
            }
        }
        if let Some(n) = exprs.get(i..).and_then(|rest| l.shifted_masked(rest)) {
            i += n;
            continue;
        }
        l.step(&exprs[i]);
        i += 1;
    }
    // Loads never consumed are instructions without a statement.
    l.flush_all(Vec::new());
    l.out
}

/// What a register holds.
#[derive(Clone)]
enum Loaded {
    /// A field (whole or a leading part, `bytes` long).
    Field {
        field: Field,
        /// Bytes loaded from the field's first byte (less than the field for a prefix).
        bytes: u32,
        /// Index in `out` of the protocol match this field's name relies on and nft drops.
        deps: Deps,
    },
    /// Masked field: `field & mask`.
    Masked {
        field: Field,
        bytes: u32,
        mask: Vec<u8>,
        deps: Deps,
    },
    /// A sub-byte field masked and shifted down to its value (`(reg & mask) >> n`), as nft
    /// writes it before the lookup of a named set.
    Shifted { field: HeaderField, deps: Deps },
    /// A whole host-order field converted to big endian (`byteorder hton`), as nft writes
    /// it before orderings, ranges and interval sets.
    Swapped { field: Field, deps: Deps },
    /// Data (an immediate value).
    Data(Vec<u8>),
    /// The value a map lookup found (`tcp dport map @m`), see [`maps`].
    Mapped {
        lookup: crate::stmt::MapLookup,
        deps: Deps,
    },
    /// A whole field changed bit by bit (`meta mark | 0x10`, `meta mark << 1`).
    Bits { bits: crate::stmt::Bits, deps: Deps },
    /// Something not understood.
    Opaque,
}

struct Pending {
    loaded: Loaded,
    /// The expressions that produced it, for the fallback.
    exprs: Trail,
    /// Position of its first expression in the rule (keeps fallbacks in order).
    seq: usize,
}

struct Lifter<'t> {
    family: Family,
    /// Keep the protocol matches nft leaves out when printing but the lowering of the
    /// field alone would not write (see [`Lifter::kept_dep`]).
    keep: bool,
    /// The rule's table, for the key widths of named sets.
    table: Option<&'t Table>,
    /// Position of the expression being lifted.
    pos: usize,
    regs: RegFile<Pending>,
    out: Vec<Statement>,
    /// Value and statement index of the last `meta nfproto` match.
    nfproto: Option<(u8, Option<usize>)>,
    /// Last EtherType match (bridge/netdev).
    ethertype: Option<(u16, Option<usize>)>,
    /// Last layer-4 protocol match.
    l4: Option<(u8, Option<usize>)>,
    /// Last `meta iiftype` match (netdev link-layer dependency).
    iiftype: Option<(u16, Option<usize>)>,
    /// Last `ether type 8021q` match (VLAN fields follow the Ethernet header).
    vlan: Option<(u16, Option<usize>)>,
    /// Last ICMP or ICMPv6 type match (a type, or [`fields::ICMP_TYPE_SET`] for a set).
    icmp: Option<(u16, Option<usize>)>,
    /// Last `vlan type` match after a VLAN header: the network protocol inside it.
    vlan_type: Option<(u16, Option<usize>)>,
}

impl Lifter<'_> {
    fn take(&mut self, reg: Reg) -> Option<Pending> {
        self.regs.remove(&reg.0)
    }

    /// `e` is not understood: it stays an expression after every load before it (`taken`
    /// and those still in registers), in the rule's order.
    fn fail(&mut self, pending: Option<Pending>, e: &Expr) {
        self.flush_all(pending.into_iter().collect());
        self.out.push(Statement::Expr(e.clone()));
    }

    /// Every pending load (those in `taken` and in registers) as expressions, in order.
    fn flush_all(&mut self, mut taken: Vec<Pending>) {
        if taken.is_empty() && self.regs.is_empty() {
            return;
        }
        taken.extend(self.regs.drain().map(|(_, p)| p));
        taken.sort_by_key(|p| p.seq);
        for p in taken {
            self.out.extend(p.exprs.into_iter().map(Statement::Expr));
        }
    }

    fn load(&mut self, dreg: Reg, loaded: Loaded, e: &Expr) {
        if let Some(old) = self.regs.remove(&dreg.0) {
            // Overwritten before use: kept as an expression, in order.
            self.flush_all(vec![old]);
        }
        self.regs.insert(
            dreg.0,
            Pending {
                loaded,
                exprs: Trail::one(e.clone()),
                seq: self.pos,
            },
        );
    }

    /// `field lo-hi` (`op` [`Op::Eq`]) or `field != lo-hi` ([`Op::Ne`]) on what `sreg`
    /// holds: a whole field, or a sub-byte one masked to its bits. `false` (and nothing
    /// taken) when it is not one.
    fn range(&mut self, sreg: Reg, op: Op, lo: &[u8], hi: &[u8]) -> bool {
        let Some(p) = self.regs.get(&sreg.0) else {
            return false;
        };
        let (Some((a, deps)), Some((b, _))) = (
            self.cmp(&p.loaded, CmpOp::Eq, lo),
            self.cmp(&p.loaded, CmpOp::Eq, hi),
        ) else {
            return false;
        };
        if a.mask().is_some() || b.mask().is_some() || a.key() != b.key() {
            return false;
        }
        let scalar = |v: &Value| matches!(v, Value::Int(_) | Value::Ip(_) | Value::Mac(_));
        if !scalar(a.value()) || !scalar(b.value()) {
            return false;
        }
        let Some(m) = Match::new(
            a.key().clone(),
            op,
            Value::range(a.value().clone(), b.value().clone()),
        ) else {
            return false;
        };
        self.regs.remove(&sreg.0);
        self.push_match(m, deps);
        true
    }

    /// [`Lifter::fail`] with several loads taken.
    fn fail_taken(&mut self, taken: Vec<Pending>, e: &Expr) {
        self.flush_all(taken);
        self.out.push(Statement::Expr(e.clone()));
    }

    /// `add @set { key [timeout T] [counter|limit|quota] }` (and update, delete).
    fn dynset(&mut self, d: &Dynset) -> Result<(), Vec<Pending>> {
        let want = self.set_key_len(&d.set);
        let (key, mut deps, mut taken) = self.key_at(d.sreg_key, want)?;
        let data = match d.sreg_data {
            Some(r) => match self.key_at(r, None) {
                Ok((data, d2, t2)) => {
                    deps.extend(d2);
                    deps.sort_unstable();
                    deps.dedup();
                    taken.extend(t2);
                    Some(data)
                }
                Err(t2) => {
                    taken.extend(t2);
                    return Err(taken);
                }
            },
            None => None,
        };
        let stmts: Option<Vec<Statement>> = d.exprs.iter().map(stateful).collect();
        let Some(stmts) = stmts else {
            return Err(taken);
        };
        self.drop_deps(&deps);
        self.out.push(Statement::SetUpdate(Box::new(SetUpdate {
            op: d.op,
            set: d.set.clone(),
            key,
            timeout_ms: d.timeout_ms,
            data,
            stmts,
        })));
        Ok(())
    }

    /// `meta <key> set <source>` / `ct <key> set <source>`: the expression's attributes
    /// (`NFTA_META_KEY` 2 and `NFTA_META_SREG` 3; `NFTA_CT_KEY` 2 and `NFTA_CT_SREG` 4, no
    /// direction) and what its source register holds. A `meta`/`ct` expression of any
    /// other shape is not understood.
    fn set_stmt(&mut self, name: &str, data: &[u8]) -> Result<(), Vec<Pending>> {
        let sreg_attr = if name == "meta" { 3 } else { 4 };
        let (mut key, mut sreg, mut dir) = (None, None, None);
        for (kind, payload) in attrs(data).ok_or_else(Vec::new)? {
            // `NFTA_CT_DIRECTION` (3), one byte: a key of one direction.
            if let (3, "ct", [d], None) = (kind, name, payload, dir) {
                dir = Some(crate::stmt::CtDirection::from_number(*d).ok_or_else(Vec::new)?);
                continue;
            }
            let v = u32::from_be_bytes(payload.try_into().map_err(|_| Vec::new())?);
            match kind {
                2 if key.is_none() => key = Some(v),
                k if k == sreg_attr && sreg.is_none() => sreg = Some(v),
                _ => return Err(Vec::new()),
            }
        }
        let (Some(key), Some(sreg)) = (key, sreg) else {
            return Err(Vec::new());
        };
        let target = match (name, dir) {
            ("meta", _) => Field::Meta(crate::expr::MetaKey::from_number(key)),
            (_, Some(dir)) => Field::CtDir {
                key: crate::expr::CtKey::from_number(key),
                dir,
            },
            _ => Field::Ct(crate::expr::CtKey::from_number(key)),
        };
        let known = match target {
            Field::Meta(k) => crate::stmt::meta_info(k).is_some(),
            Field::Ct(k) => crate::stmt::ct_info(k).is_some(),
            Field::CtDir { key, .. } => crate::stmt::ct_dir_info(key).is_some(),
            _ => false,
        };
        let Some(p) = self.take(Reg(sreg)) else {
            return Err(Vec::new());
        };
        if !known {
            return Err(vec![p]);
        }
        let (value, deps) = match &p.loaded {
            Loaded::Data(d) => match bytes_to_value(&target, d) {
                Some(v) => (Source::Value(v), Deps::new()),
                None => return Err(vec![p]),
            },
            other @ (Loaded::Mapped { .. } | Loaded::Bits { .. } | Loaded::Masked { .. }) => {
                match maps::source(other) {
                    Some(x) => x,
                    None => return Err(vec![p]),
                }
            }
            other => match whole_field(other) {
                Some((f, deps)) => (Source::Field(f), deps),
                None => return Err(vec![p]),
            },
        };
        self.drop_deps(&deps);
        self.out.push(match target {
            Field::Meta(key) => Statement::MetaSet { key, value },
            Field::Ct(key) => Statement::CtSet { key, value },
            Field::CtDir { key, dir } => Statement::CtDirSet { key, dir, value },
            _ => return Err(vec![p]),
        });
        Ok(())
    }

    /// `byteorder reg = hton(reg, len, len)` on a whole host-order field wider than a byte
    /// (`NFTA_BYTEORDER_SREG` 1, `DREG` 2, `OP` 3 = `NFT_BYTEORDER_HTON` 1, `LEN` 4, `SIZE`
    /// 5): the field, big endian. Any other byteorder is not understood.
    fn byteorder(&mut self, data: &[u8], e: &Expr) -> Result<(), Vec<Pending>> {
        let mut v = [None; 6];
        for (kind, payload) in attrs(data).ok_or_else(Vec::new)? {
            let n = u32::from_be_bytes(payload.try_into().map_err(|_| Vec::new())?);
            match v.get_mut(usize::from(kind)) {
                Some(slot @ None) if kind >= 1 => *slot = Some(n),
                _ => return Err(Vec::new()),
            }
        }
        let [_, Some(sreg), Some(dreg), Some(1), Some(len), Some(size)] = v else {
            return Err(Vec::new());
        };
        // One-byte host-order fields of interval concatenations: length 1, unit 2.
        let one_byte = (len, size) == (1, 2);
        if sreg != dreg || (len != size && !one_byte) {
            return Err(Vec::new());
        }
        let Some(mut p) = self.take(Reg(sreg)) else {
            return Err(Vec::new());
        };
        let next = match &p.loaded {
            Loaded::Field { field, bytes, deps }
                if one_byte && *bytes == 1 && crate::stmt::host_byte(field) =>
            {
                Loaded::Swapped {
                    field: *field,
                    deps: deps.clone(),
                }
            }
            Loaded::Field { field, bytes, deps }
                if field_is_whole(field)
                    && field.byte_order() == ByteOrder::Host
                    && *bytes == field.bit_len().div_ceil(8)
                    && *bytes == len
                    && len > 1 =>
            {
                Loaded::Swapped {
                    field: *field,
                    deps: deps.clone(),
                }
            }
            _ => return Err(vec![p]),
        };
        p.loaded = next;
        p.exprs.push(e.clone());
        self.regs.insert(sreg, p);
        Ok(())
    }

    /// A load of a special field (`fib`, `rt`, `numgen`, `hash`, `socket`, `osf`,
    /// `xfrm`); a `jhash` takes the loads of its key (named header fields, as a lookup
    /// key is read) with their dependencies.
    fn special_load(&mut self, name: &str, data: &[u8], e: &Expr) -> Result<(), Vec<Pending>> {
        let (hash, dreg, sreg, len) = match decode_load(name, data).ok_or_else(Vec::new)? {
            SpecialLoad::Field { field, dreg } => {
                let loaded = Loaded::Field {
                    field,
                    bytes: field.bit_len().div_ceil(8),
                    deps: Deps::new(),
                };
                self.load(Reg(dreg), loaded, e);
                return Ok(());
            }
            SpecialLoad::Jhash {
                hash,
                dreg,
                sreg,
                len,
            } => (hash, dreg, sreg, len),
        };
        let (key, deps, mut taken) = self.key_at(Reg(sreg), Some(len))?;
        let headers: Option<Vec<HeaderField>> = key
            .fields()
            .iter()
            .map(|f| match f {
                Field::Header(h) => Some(*h),
                _ => None,
            })
            .collect();
        let field = headers
            .and_then(|h| HashKey::new(&h))
            .and_then(|k| hash.with(k));
        let Some(field) = field else {
            return Err(taken);
        };
        taken.sort_by_key(|p| p.seq);
        let seq = taken.first().map_or(self.pos, |p| p.seq);
        let mut exprs: Vec<Expr> = taken.into_iter().flat_map(|p| p.exprs).collect();
        exprs.push(e.clone());
        if let Some(old) = self.regs.remove(&dreg) {
            self.flush_all(vec![old]);
        }
        let bytes = field.bit_len().div_ceil(8);
        let loaded = Loaded::Field { field, bytes, deps };
        self.regs.insert(
            dreg,
            Pending {
                loaded,
                exprs: exprs.into(),
                seq,
            },
        );
        Ok(())
    }

    /// `tproxy`, `dup` or `fwd` with the immediates of their registers; `None` (nothing
    /// taken) when it is not one nft writes.
    fn reg_stmt(&mut self, name: &str, data: &[u8]) -> Option<Statement> {
        let (stmt, regs) = match decode_reg_stmt(name, data)? {
            RegStmt::Tproxy { family, addr, port } => {
                let a = match addr {
                    Some(r) => Some(Ip::from_bytes(&self.data(Reg(r))?)?),
                    None => None,
                };
                let p = match port {
                    Some(r) => Some(u16::from_be_bytes(self.data(Reg(r))?.try_into().ok()?)),
                    None => None,
                };
                let fam = match (self.family, family) {
                    (Family::Inet, 0) => None,
                    (Family::Inet, 2) => Some(Family::Ip),
                    (Family::Inet, 10) => Some(Family::Ip6),
                    (Family::Ip, 2) | (Family::Ip6, 10) => None,
                    _ => return None,
                };
                let t = Tproxy::new(fam, a, p)?;
                (Statement::Tproxy(t), [addr, port])
            }
            RegStmt::Dup { addr, dev } => {
                let a = match addr {
                    Some(r) => Some(Ip::from_bytes(&self.data(Reg(r))?)?),
                    None => None,
                };
                let d = match dev {
                    Some(r) => Some(u32::from_ne_bytes(self.data(Reg(r))?.try_into().ok()?)),
                    None => None,
                };
                let dup = Dup { addr: a, device: d };
                (Statement::Dup(dup), [addr, dev])
            }
            RegStmt::Fwd { dev, addr } => {
                let d = u32::from_ne_bytes(self.data(Reg(dev))?.try_into().ok()?);
                let a = match addr {
                    Some((r, nfproto)) => {
                        let ip = Ip::from_bytes(&self.data(Reg(r))?)?;
                        if nfproto != if ip.is_ipv4() { 2 } else { 10 } {
                            return None;
                        }
                        Some(ip)
                    }
                    None => None,
                };
                let fwd = Fwd { device: d, addr: a };
                (Statement::Fwd(fwd), [Some(dev), addr.map(|(r, _)| r)])
            }
        };
        for r in regs.into_iter().flatten() {
            self.regs.remove(&r);
        }
        Some(stmt)
    }

    /// `reg >> n` on a sub-byte field masked to its bits, by exactly the bits after it:
    /// the field's value ([`Loaded::Shifted`]). Any other shift is not understood.
    fn sub_byte_shift(&mut self, data: &[u8], e: &Expr) -> Result<(), Vec<Pending>> {
        let (reg, len, n) = fields::rshift(data).ok_or_else(Vec::new)?;
        let Some(mut p) = self.take(Reg(reg)) else {
            return Err(Vec::new());
        };
        let next = match &p.loaded {
            Loaded::Masked {
                field,
                bytes,
                mask,
                deps,
            } if *bytes == len => match fields::sub_field(field, *bytes, mask) {
                Some((h, shift)) if shift == n && n > 0 => Loaded::Shifted {
                    field: h,
                    deps: deps.clone(),
                },
                _ => return Err(vec![p]),
            },
            _ => return Err(vec![p]),
        };
        p.loaded = next;
        p.exprs.push(e.clone());
        self.regs.insert(reg, p);
        Ok(())
    }

    /// Whether `data` is a right shift of a register holding a masked sub-byte field.
    fn shifts_sub_byte(&self, data: &[u8]) -> bool {
        fields::rshift(data).is_some_and(|(reg, ..)| {
            matches!(
                self.regs.get(&reg).map(|p| &p.loaded),
                Some(Loaded::Masked { .. })
            )
        })
    }

    /// The key width of named set or map `name` in the rule's table, when known.
    fn set_key_len(&self, name: &str) -> Option<u32> {
        let t = self.table?;
        t.set(name)
            .map(|s| s.key.key_len())
            .or_else(|| t.map(name).map(|m| m.key.key_len()))
    }

    /// The key a lookup at `sreg` reads: the field loaded there, followed by the fields in
    /// the 4-byte registers after it (a concatenation, as nft lays it out). `want` is the
    /// key width in bytes when known (a literal's key type, a named set's); then the key
    /// must be exactly that wide. On `Err`, the loads taken, for the fallback.
    fn key_at(
        &mut self,
        sreg: Reg,
        want: Option<u32>,
    ) -> Result<(Key, Deps, Vec<Pending>), Vec<Pending>> {
        let mut taken: Vec<Pending> = Vec::new();
        let Some(first) = self.take(sreg) else {
            return Err(taken);
        };
        let Some((f, mut deps)) = key_field(&first.loaded) else {
            taken.push(first);
            return Err(taken);
        };
        // A field shifted down to its value is as wide as its bits in a named set's key
        // (`ip6 dscp`: two bytes loaded, a one-byte key).
        let shifted = matches!(first.loaded, Loaded::Shifted { .. });
        taken.push(first);
        let mut fields = vec![f];
        let single = if shifted && want == Some(f.bit_len().div_ceil(8)) {
            f.bit_len().div_ceil(8)
        } else {
            load_bytes(&f)
        };
        if want == Some(single) {
            return Ok((Key::Field(f), deps, taken));
        }
        // 4-byte words: register 1..=4 are words 0, 4, 8, 12; 8..=23 are words 0..=15.
        let Some(mut word) = (match sreg.0 {
            1..=4 => Some((sreg.0 - 1) * 4),
            8..=23 => Some(sreg.0 - 8),
            _ => None,
        }) else {
            return if want.is_none() {
                Ok((Key::Field(f), deps, taken))
            } else {
                Err(taken)
            };
        };
        let mut padded = single.next_multiple_of(4);
        word += single.div_ceil(4);
        loop {
            if want.is_some_and(|w| padded >= w) {
                break;
            }
            // nft names a word that starts a 16-byte register by that register.
            let next = if word % 4 == 0 {
                1 + word / 4
            } else {
                crate::consts::reg::NFT_REG32_00 + word
            };
            if word >= 16 || !self.regs.contains_key(&next) {
                break;
            }
            let Some(p) = self.take(Reg(next)) else {
                break;
            };
            let Some((g, d)) = key_field(&p.loaded) else {
                taken.push(p);
                return Err(taken);
            };
            taken.push(p);
            let bytes = load_bytes(&g);
            fields.push(g);
            deps.extend(d);
            padded += bytes.next_multiple_of(4);
            word += bytes.div_ceil(4);
        }
        // Fields of one protocol share its dependency.
        deps.sort_unstable();
        deps.dedup();
        let key = Key::concat(fields);
        let width = match &key {
            Key::Field(_) => single,
            Key::Concat(_) => padded,
        };
        if want.is_some_and(|w| w != width) {
            return Err(taken);
        }
        Ok((key, deps, taken))
    }

    /// The network-layer protocol in effect, and the statement it came from.
    fn network(&self) -> Option<(Proto, Option<usize>)> {
        if let (Family::Inet | Family::Bridge | Family::Netdev, Some((t, i))) =
            (self.family, self.vlan_type)
        {
            return match t {
                0x0800 => Some((Proto::Ip, i)),
                0x86dd => Some((Proto::Ip6, i)),
                0x0806 => Some((Proto::Arp, i)),
                _ => None,
            };
        }
        match self.family {
            Family::Ip => Some((Proto::Ip, None)),
            Family::Ip6 => Some((Proto::Ip6, None)),
            Family::Arp => Some((Proto::Arp, None)),
            Family::Inet => match self.nfproto {
                Some((2, i)) => Some((Proto::Ip, i)),
                Some((10, i)) => Some((Proto::Ip6, i)),
                Some(_) => None,
                // After a link-layer match nft writes `ether type` instead.
                None => match self.ethertype? {
                    (0x0800, i) => Some((Proto::Ip, i)),
                    (0x86dd, i) => Some((Proto::Ip6, i)),
                    _ => None,
                },
            },
            Family::Bridge | Family::Netdev => match self.ethertype? {
                (0x0800, i) => Some((Proto::Ip, i)),
                (0x86dd, i) => Some((Proto::Ip6, i)),
                (0x0806, i) => Some((Proto::Arp, i)),
                _ => None,
            },
        }
    }

    fn step(&mut self, e: &Expr) {
        match e {
            Expr::Payload(Payload {
                base,
                offset,
                len,
                dreg,
            }) => {
                let loaded = self.payload(*base, *offset, *len);
                self.load(*dreg, loaded, e);
            }
            Expr::Meta(Meta { key, dreg }) => {
                let f = Field::Meta(*key);
                let loaded = match crate::stmt::meta_info(*key) {
                    Some((_, len, ..)) => Loaded::Field {
                        field: f,
                        bytes: len,
                        deps: Deps::new(),
                    },
                    None => Loaded::Opaque,
                };
                self.load(*dreg, loaded, e);
            }
            Expr::Ct(Ct { key, dreg }) => {
                let loaded = match crate::stmt::ct_info(*key) {
                    Some((_, len, ..)) => Loaded::Field {
                        field: Field::Ct(*key),
                        bytes: len,
                        deps: Deps::new(),
                    },
                    None => Loaded::Opaque,
                };
                self.load(*dreg, loaded, e);
            }
            Expr::Immediate(Immediate {
                dreg,
                data: ImmediateData::Value(v),
            }) => self.load(*dreg, Loaded::Data(v.clone()), e),
            Expr::Bitwise(b) => {
                let Some(mut p) = self.take(b.sreg) else {
                    return self.fail(None, e);
                };
                let ok = b.xor.iter().all(|x| *x == 0) && b.mask.len() == b.len as usize;
                let next = match (&p.loaded, ok) {
                    (Loaded::Field { field, bytes, deps }, true) if *bytes == b.len => {
                        Loaded::Masked {
                            field: *field,
                            bytes: *bytes,
                            mask: b.mask.clone(),
                            deps: deps.clone(),
                        }
                    }
                    (loaded, false) => match maps::and_xor(loaded, b) {
                        Some(bits) => bits,
                        // Bytes loaded, cleared and or-ed: a header write's value (see
                        // `payload_write`).
                        None if payload::rewrites_load(&p.exprs, b) => Loaded::Opaque,
                        None => return self.fail(Some(p), e),
                    },
                    _ if payload::rewrites_load(&p.exprs, b) => Loaded::Opaque,
                    _ => return self.fail(Some(p), e),
                };
                p.loaded = next;
                p.exprs.push(e.clone());
                if let Some(old) = self.regs.insert(b.dreg.0, p) {
                    self.out.extend(old.exprs.into_iter().map(Statement::Expr));
                }
            }
            Expr::Cmp(Cmp { sreg, op, data }) => {
                let p = self.take(*sreg);
                let lifted = p.as_ref().and_then(|p| {
                    self.cmp(&p.loaded, *op, data)
                        .or_else(|| self.split_cmp(&p.loaded, *op, data))
                });
                match lifted {
                    Some((m, deps)) => self.push_match(m, deps),
                    None => self.fail(p, e),
                }
            }
            Expr::Lookup(Lookup {
                set,
                sreg,
                dreg,
                inverted,
            }) => {
                let want = self.set_key_len(set);
                let (key, deps, taken) = match self.key_at(*sreg, want) {
                    Ok(k) => k,
                    Err(taken) => return self.fail_taken(taken, e),
                };
                match dreg {
                    None => {
                        let op = if *inverted { Op::Ne } else { Op::Eq };
                        match Match::new(key, op, Value::SetRef(set.to_string())) {
                            Some(m) => self.push_match(m, deps),
                            None => self.fail_taken(taken, e),
                        }
                    }
                    Some(Reg::VERDICT) if !*inverted => {
                        self.drop_deps(&deps);
                        self.out.push(Statement::Vmap {
                            key,
                            map: VerdictMap::Named(set.to_string()),
                        });
                    }
                    Some(d) if !*inverted && d == sreg => {
                        self.mapped(set, *d, key, deps, taken, e);
                    }
                    _ => self.fail_taken(taken, e),
                }
            }
            Expr::SetLiteral(lit) => {
                let interval = lit.flags.contains(crate::SetFlags::INTERVAL);
                let (key, deps, taken) = match self.key_at(lit.sreg, Some(lit.key.key_len())) {
                    Ok(k) => k,
                    Err(taken) => return self.fail_taken(taken, e),
                };
                let values: Option<Vec<Value>> = lit
                    .elements
                    .iter()
                    .map(|el| elem_to_value(&key, el, interval))
                    .collect();
                let op = if lit.inverted { Op::Ne } else { Op::Eq };
                let m = values.and_then(|v| Match::new(key, op, Value::Set(v)));
                match m {
                    Some(m) if only_userdata(&lit.extras) => self.push_match(m, deps),
                    _ => self.fail_taken(taken, e),
                }
            }
            Expr::VmapLiteral(lit) => {
                let interval = lit.flags.contains(crate::SetFlags::INTERVAL);
                let (key, deps, taken) = match self.key_at(lit.sreg, Some(lit.key.key_len())) {
                    Ok(k) => k,
                    Err(taken) => return self.fail_taken(taken, e),
                };
                let pairs: Option<Vec<(Value, crate::Verdict)>> = lit
                    .elements
                    .iter()
                    .map(|(el, v)| Some((elem_to_value(&key, el, interval)?, v.clone())))
                    .collect();
                match pairs {
                    Some(pairs) if only_userdata(&lit.extras) => {
                        self.drop_deps(&deps);
                        self.out.push(Statement::Vmap {
                            key,
                            map: VerdictMap::Anonymous(pairs),
                        });
                    }
                    _ => self.fail_taken(taken, e),
                }
            }
            Expr::Dynset(d) => match self.dynset(d) {
                Ok(()) => {}
                Err(taken) => self.fail_taken(taken, e),
            },
            Expr::Immediate(Immediate {
                data: ImmediateData::Verdict(v),
                dreg,
            }) if *dreg == Reg::VERDICT => self.out.push(Statement::Verdict(v.clone())),
            Expr::Counter(_) | Expr::Limit(_) | Expr::Quota(_) => {
                self.out.extend(stateful(e));
            }
            Expr::Log(log) => self.out.push(Statement::Log(log.clone())),
            Expr::Objref(Objref { kind, name }) => self.out.push(Statement::Objref {
                kind: *kind,
                name: name.clone(),
            }),
            Expr::Reject(crate::expr::Reject { kind, code }) => match self.reject(*kind, *code) {
                Some(r) => {
                    // nft puts the network match an ICMP reject needs (`meta nfproto` in
                    // inet, `meta protocol` in bridge and netdev) first in the rule and
                    // drops it when printing.
                    let want = match r {
                        Reject::Icmp(_) => Some((2, 0x0800)),
                        Reject::Icmpv6(_) => Some((10, 0x86dd)),
                        _ => None,
                    };
                    let dep = match (self.family, want) {
                        (Family::Inet, Some((nf, _))) => match self.nfproto {
                            Some((v, Some(i))) if v == nf => Some(i),
                            _ => None,
                        },
                        (Family::Bridge | Family::Netdev, Some((_, et))) => match self.ethertype {
                            Some((v, Some(i))) if v == et => Some(i),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(i) = dep.filter(|i| *i < self.out.len()) {
                        self.remove_stmt(i);
                    }
                    self.out.push(Statement::Reject(r))
                }
                None => self.fail(None, e),
            },
            Expr::Nat(nat) => {
                let crate::expr::Nat {
                    kind,
                    family,
                    reg_addr_min,
                    reg_addr_max,
                    reg_proto_min,
                    reg_proto_max,
                    flags,
                } = &**nat;
                if let Some(r) = reg_addr_min.filter(|r| {
                    matches!(self.regs.get(&r.0), Some(p) if matches!(p.loaded, Loaded::Mapped { .. }))
                }) {
                    let regs = [*reg_addr_max, *reg_proto_min, *reg_proto_max];
                    if let Err(taken) = self.nat_map(*kind, *family, r, regs, *flags) {
                        self.fail_taken(taken, e);
                    }
                    return;
                }
                let lifted = self.nat(
                    *kind,
                    *family,
                    [*reg_addr_min, *reg_addr_max, *reg_proto_min, *reg_proto_max],
                    *flags,
                );
                match lifted {
                    Some(n) => self.out.push(Statement::Nat(Box::new(n))),
                    None => self.fail(None, e),
                }
            }
            Expr::Masquerade(Masquerade {
                flags,
                reg_proto_min,
                reg_proto_max,
            })
            | Expr::Redirect(Redirect {
                flags,
                reg_proto_min,
                reg_proto_max,
            }) => {
                let kind = if matches!(e, Expr::Masquerade(_)) {
                    NatKind::Masquerade
                } else {
                    NatKind::Redirect
                };
                let port = self.ports(*reg_proto_min, *reg_proto_max);
                let n = match port {
                    Some(port) => {
                        Nat::new(kind, None, None, port).map(|n| n.with_flags(user_flags(*flags)))
                    }
                    None => None,
                };
                match n {
                    Some(n) if flags_known(*flags) => self.out.push(Statement::Nat(Box::new(n))),
                    _ => self.fail(None, e),
                }
            }
            Expr::Unknown(u) if u.name == "notrack" && u.data.is_empty() => {
                self.out.push(Statement::Notrack)
            }
            Expr::Unknown(u) if u.name == "range" => {
                let lifted = range_neq(&u.data)
                    .is_some_and(|(sreg, lo, hi)| self.range(Reg(sreg), Op::Ne, lo, hi));
                if !lifted {
                    self.fail(None, e);
                }
            }
            Expr::Unknown(u) if u.name == "bitwise" && self.shifts_sub_byte(&u.data) => {
                if let Err(taken) = self.sub_byte_shift(&u.data, e) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u) if u.name == "byteorder" => {
                if let Err(taken) = self.byteorder(&u.data, e) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u) if u.name == exthdr_wire::NAME => self.exthdr(&u.data, e),
            Expr::Unknown(u) if u.name == "objref" => {
                if let Err(taken) = self.objref_map(&u.data) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u) if u.name == "bitwise" => {
                if let Err(taken) = self.shift(&u.data, e) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u) if u.name == "ct" && maps::ct_dir_load(&u.data).is_some() => {
                if let Some((dreg, loaded)) = maps::ct_dir_load(&u.data) {
                    self.load(dreg, loaded, e);
                }
            }
            Expr::Unknown(u) if u.name == "payload" => {
                if let Err(taken) = self.payload_write(&u.data) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u) if u.name == "meta" || u.name == "ct" => {
                if let Err(taken) = self.set_stmt(&u.name, &u.data) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u)
                if matches!(
                    u.name.as_str(),
                    "fib" | "rt" | "numgen" | "hash" | "socket" | "osf" | "xfrm"
                ) =>
            {
                if let Err(taken) = self.special_load(&u.name, &u.data, e) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u) if u.name == "dup" && self.dup_reads_lookup(&u.data) => {
                if let Err(taken) = self.dup_map(&u.data) {
                    self.fail_taken(taken, e);
                }
            }
            Expr::Unknown(u) if matches!(u.name.as_str(), "tproxy" | "dup" | "fwd") => {
                match self.reg_stmt(&u.name, &u.data) {
                    Some(st) => self.out.push(st),
                    None => self.fail(None, e),
                }
            }
            Expr::Unknown(u) if u.name == "synproxy" => match Synproxy::decode(&u.data) {
                Some(s) => self.out.push(Statement::Synproxy(s)),
                None => self.fail(None, e),
            },
            Expr::Unknown(u) if u.name == "connlimit" => match stateful(e) {
                Some(st) => self.out.push(st),
                None => self.fail(None, e),
            },
            _ => self.fail(None, e),
        }
    }

    /// In the second pass (`keep`), whether the network dependency at `i` stays a
    /// statement: a `meta nfproto` in inet with other matches after it, an `ether type` in
    /// bridge and netdev (whose lowering of a network field writes `meta protocol`).
    fn kept_dep(&self, i: usize) -> bool {
        if !self.keep {
            return false;
        }
        let Some(Statement::Match(m)) = self.out.get(i) else {
            return false;
        };
        match (self.family, m.key()) {
            (Family::Inet, Key::Field(Field::Meta(k))) => {
                k.number() == 15 && i + 1 != self.out.len()
            }
            (
                Family::Bridge | Family::Netdev,
                Key::Field(Field::Header(HeaderField::EtherType)),
            ) => i + 1 == self.out.len(),
            _ => false,
        }
    }

    /// The dependency a VLAN field at byte `offset` has on the `ether type 8021q` match at
    /// `j`: nft drops that match before `vlan id`, `vlan pcp` and `vlan dei` (also across
    /// a `vlan type` match between them) and keeps it before `vlan type`.
    fn vlan_dep(&mut self, offset: u32, j: Option<usize>) -> Option<usize> {
        let j = j?;
        if offset >= 16 {
            return None;
        }
        if j + 2 == self.out.len() {
            let vlan_type = matches!(
                self.out.get(j + 1),
                Some(Statement::Match(m))
                    if m.key() == &Key::Field(Field::Header(HeaderField::VlanType))
            );
            if vlan_type {
                self.remove_stmt(j);
            }
            return None;
        }
        Some(j)
    }

    /// What a payload load reads, named by the protocol context.
    fn payload(&mut self, base: PayloadBase, offset: u32, len: u32) -> Loaded {
        let Some((proto, dep)) = self.proto_at(base, offset) else {
            return self.raw_load(base, offset, len, None);
        };
        let bit_off = offset.saturating_mul(8);
        let bits = len.saturating_mul(8);
        // ICMP fields past the code are named by the ICMP type matched before them.
        if matches!(proto, Proto::Icmp | Proto::Icmpv6) && bit_off >= 32 {
            let Some((known, j)) = self.icmp else {
                return Loaded::Opaque;
            };
            let Some((field, drop)) = fields::icmp_field(proto, bit_off, bits, known) else {
                return Loaded::Opaque;
            };
            let deps = match (drop, j) {
                (true, Some(j)) => Deps::one(j),
                _ => Deps::new(),
            };
            return Loaded::Field {
                field: Field::Header(field),
                bytes: len,
                deps,
            };
        }
        let Some(field) = payload_field(proto, offset, len) else {
            return self.raw_load(base, offset, len, Some(proto));
        };
        Loaded::Field {
            field: Field::Header(field),
            bytes: len,
            deps: self.deps_of(proto, dep),
        }
    }

    /// The protocol whose header `base` points at for a load at byte `offset`, named by
    /// the protocol context, and the statement that says so (a dependency nft drops);
    /// `None` where the context names none.
    fn proto_at(&mut self, base: PayloadBase, offset: u32) -> Option<(Proto, Option<usize>)> {
        Some(match base {
            PayloadBase::Link => {
                let ether = if self.family == Family::Bridge {
                    (Proto::Ether, None)
                } else {
                    // Other families read the link header after `meta iiftype ether`.
                    match self.iiftype {
                        Some((1, i)) => (Proto::Ether, i),
                        _ => return None,
                    }
                };
                match self.vlan {
                    Some((_, j)) if offset >= 14 => (Proto::Vlan, self.vlan_dep(offset, j)),
                    _ => ether,
                }
            }
            PayloadBase::Network => match self.network() {
                Some((p, Some(i))) if self.kept_dep(i) => (p, None),
                Some(x) => x,
                None => return None,
            },
            PayloadBase::Transport => match self.l4 {
                Some((n, i)) => (Proto::from_l4proto(n)?, i),
                None => (Proto::Th, None),
            },
            _ => return None,
        })
    }

    /// The dependencies nft drops before a field of `proto` whose context statement is
    /// `dep`.
    fn deps_of(&self, proto: Proto, dep: Option<usize>) -> Deps {
        let mut deps = Deps::new();
        if let Some(i) = dep {
            deps.push(i);
            // `meta l4proto icmp` in inet rests on `meta nfproto ipv4`; nft drops both.
            // `meta l4proto icmp` rests on the network protocol match (`meta nfproto
            // ipv4` in inet, the EtherType in bridge and netdev); nft drops both.
            // (After a VLAN header its `vlan type`; in inet after a link-layer field,
            // `ether type`.)
            let net = match self.family {
                Family::Inet | Family::Bridge | Family::Netdev if self.vlan_type.is_some() => {
                    self.vlan_type
                }
                Family::Inet => self
                    .nfproto
                    .map(|(v, j)| (u16::from(v), j))
                    .or(self.ethertype),
                Family::Bridge | Family::Netdev => self.ethertype,
                _ => None,
            };
            let icmp = matches!(
                (proto, net),
                (Proto::Icmp, Some((2 | 0x0800, _))) | (Proto::Icmpv6, Some((10 | 0x86dd, _)))
            );
            if icmp {
                if let Some((_, Some(j))) = net {
                    if j + 1 == i {
                        deps.push(j);
                    }
                }
            }
            // `meta l4proto icmp` alone: nft's own dependency would match the network
            // protocol too.
            let alone = deps.len() == 1
                && matches!(proto, Proto::Icmp | Proto::Icmpv6)
                && matches!(self.family, Family::Inet | Family::Bridge | Family::Netdev);
            if self.keep && alone {
                deps.clear();
            }
        }
        deps
    }

    /// A compare on what a register holds.
    fn cmp(&self, loaded: &Loaded, op: CmpOp, data: &[u8]) -> Option<(Match, Deps)> {
        let op2 = op_of(op);
        match loaded {
            Loaded::Field { field, bytes, deps } => {
                let full = field.bit_len().div_ceil(8);
                let addr = matches!(field.datatype(), Datatype::Ipv4Addr | Datatype::Ipv6Addr);
                if *bytes == full
                    && addr
                    && !matches!(field, Field::Header(_) | Field::Raw { .. })
                    && data.len() < full as usize
                    && !data.is_empty()
                    && matches!(op2, Op::Eq | Op::Ne)
                {
                    // Leading bytes of a whole address a non-payload load wrote: a prefix.
                    let v = prefix(field, data, data.len() as u32 * 8)?;
                    return Some((Match::new(*field, op2, v)?, deps.clone()));
                }
                if *bytes == full && field_is_whole(field) {
                    if data.len() < *bytes as usize {
                        let m = fields::ifname_wildcard(*field, op2, data)?;
                        return Some((m, deps.clone()));
                    }
                    let v = bytes_to_value(field, data)?;
                    Some((Match::new(*field, op2, v)?, deps.clone()))
                } else if field.datatype() == Datatype::EtherAddr
                    && matches!(op2, Op::Eq | Op::Ne)
                    && data.len() == *bytes as usize
                {
                    Some((fields::mac_prefix(*field, op2, data)?, deps.clone()))
                } else if matches!(op2, Op::Eq | Op::Ne) && data.len() == *bytes as usize {
                    // Leading bytes of an address: a byte-aligned prefix.
                    let v = prefix(field, data, *bytes * 8)?;
                    Some((Match::new(*field, op2, v)?, deps.clone()))
                } else {
                    None
                }
            }
            Loaded::Swapped { field, deps } => {
                if data.len() as u32 != field.bit_len().div_ceil(8)
                    || matches!(
                        field.datatype(),
                        Datatype::Ipv4Addr
                            | Datatype::Ipv6Addr
                            | Datatype::EtherAddr
                            | Datatype::Ifname
                            | Datatype::String
                    )
                {
                    return None;
                }
                Some((
                    Match::new(*field, op2, Value::Int(be(data)?))?,
                    deps.clone(),
                ))
            }
            Loaded::Masked {
                field,
                bytes,
                mask,
                deps,
            } => {
                if data.len() != *bytes as usize {
                    return None;
                }
                // A sub-byte field: the mask is exactly its bits (the field of those bytes
                // whose bits the mask selects: `ip version` and `ip hdrlength` share one).
                if let Field::Header(h0) = field {
                    if !h0.is_byte_aligned() {
                        let m = be(mask)?;
                        let (h, shift) = fields::sub_field(field, *bytes, mask)?;
                        let v = be(data)?;
                        if v & !m != 0 {
                            return None;
                        }
                        return Some((
                            Match::new(Field::Header(h), op2, Value::Int(v >> shift))?,
                            deps.clone(),
                        ));
                    }
                }
                if let Field::Exthdr(x0) = field {
                    if !x0.is_byte_aligned() {
                        // A sub-byte field (`frag more-fragments`): the mask is its bits.
                        let m = be(mask)?;
                        let (x, shift) = x0.sub_byte(m)?;
                        let v = be(data)?;
                        if v & !m != 0 {
                            return None;
                        }
                        let m = Match::new(Field::Exthdr(x), op2, Value::Int(v >> shift))?;
                        return Some((m, deps.clone()));
                    }
                }
                let dt = field.datatype();
                if dt == Datatype::CtLabel {
                    // `ct label N`: the label's bit tested (`& bit != 0`).
                    let label = crate::stmt::label_of(mask)?;
                    if op2 != Op::Ne || data.iter().any(|b| *b != 0) {
                        return None;
                    }
                    return Some((
                        Match::new(*field, Op::AnySet, Value::Int(label))?,
                        deps.clone(),
                    ));
                }
                if matches!(
                    dt,
                    Datatype::Ipv4Addr | Datatype::Ipv6Addr | Datatype::EtherAddr
                ) && *bytes * 8 == field.bit_len()
                {
                    if let Some(m) = fields::masked_addr(*field, op2, mask, data) {
                        let prefix = dt != Datatype::EtherAddr && prefix_len(mask).is_some();
                        if !prefix {
                            return Some((m, deps.clone()));
                        }
                    }
                }
                if matches!(dt, Datatype::Ipv4Addr | Datatype::Ipv6Addr) {
                    let bits = prefix_len(mask)?;
                    let mut addr = data.to_vec();
                    addr.resize(field.bit_len() as usize / 8, 0);
                    let v = prefix(field, &addr, bits)?;
                    if !matches!(op2, Op::Eq | Op::Ne) {
                        return None;
                    }
                    // A whole address under a mask ending on a byte: nft writes a prefix
                    // as fewer bytes loaded, so this is `field & mask == addr`, which nft
                    // prints as the prefix too.
                    if bits % 8 == 0 && *bytes * 8 == field.bit_len() {
                        let addr = Ip::from_bytes(&addr)?;
                        let mask = Ip::from_bytes(mask)?;
                        return Some((
                            Match::masked(*field, op2, Value::Ip(addr), Value::Ip(mask))?,
                            deps.clone(),
                        ));
                    }
                    return Some((Match::new(*field, op2, v)?, deps.clone()));
                }
                if *bytes * 8 != field.bit_len() {
                    return None;
                }
                let mask_v = int_of(field, mask)?;
                let val = int_of(field, data)?;
                let full = if *bytes >= 8 {
                    u64::MAX
                } else {
                    (1u64 << (*bytes * 8)) - 1
                };
                if dt.is_bitmask() && mask_v == full && op2 == Op::Ne && val == 0 {
                    // Any bit at all (`tcp flags != 0x0`).
                    return Some((
                        Match::new(*field, Op::AnySet, Value::Int(mask_v))?,
                        deps.clone(),
                    ));
                }
                if dt.is_bitmask() && mask_v != full {
                    return match (op2, val) {
                        (Op::Ne, 0) => Some((
                            Match::new(*field, Op::AnySet, Value::Int(mask_v))?,
                            deps.clone(),
                        )),
                        (Op::Eq, 0) => Some((
                            Match::new(*field, Op::NoneSet, Value::Int(mask_v))?,
                            deps.clone(),
                        )),
                        (Op::Eq | Op::Ne, v) if v & !mask_v == 0 => Some((
                            Match::masked(*field, op2, Value::Int(v), Value::Int(mask_v))?,
                            deps.clone(),
                        )),
                        _ => None,
                    };
                }
                // `field & mask == value` of an integer field (`ip frag-off & 8191 != 0`,
                // `meta mark & 0x0000ff00 == 0x00000100`).
                let int_like = matches!(dt, Datatype::Integer | Datatype::Mark | Datatype::Raw);
                if int_like && matches!(op2, Op::Eq | Op::Ne) && val & !mask_v == 0 {
                    return Some((
                        Match::masked(*field, op2, Value::Int(val), Value::Int(mask_v))?,
                        deps.clone(),
                    ));
                }
                None
            }
            _ => None,
        }
    }

    /// Records a match, updating the protocol context, and drops the dependencies its
    /// field relied on.
    fn push_match(&mut self, m: Match, deps: Deps) {
        self.drop_deps(&deps);
        let idx = self.out.len();
        if let (
            Op::Eq,
            None,
            Key::Field(Field::Header(HeaderField::IcmpType | HeaderField::Icmpv6Type)),
        ) = (m.op(), m.mask(), m.key())
        {
            self.icmp = match m.value() {
                Value::Int(t) => u16::try_from(*t).ok().map(|t| (t, Some(idx))),
                Value::Set(_) => Some((fields::ICMP_TYPE_SET, Some(idx))),
                _ => None,
            };
        }
        if m.op() == Op::Eq && m.mask().is_none() {
            if let (Key::Field(f), Value::Int(v)) = (m.key(), m.value()) {
                match f {
                    Field::Meta(k) if k.number() == 15 => {
                        self.nfproto = Some((*v as u8, Some(idx)))
                    }
                    Field::Meta(k) if k.number() == 16 => self.l4 = Some((*v as u8, Some(idx))),
                    Field::Meta(k) if k.number() == 8 => {
                        self.iiftype = Some((*v as u16, Some(idx)))
                    }
                    Field::Meta(k) if k.number() == 1 => {
                        self.ethertype = Some((*v as u16, Some(idx)))
                    }
                    // A VLAN tag leaves what is known of the network protocol as it was.
                    Field::Header(HeaderField::EtherType) if *v == 0x8100 => {
                        self.vlan = Some((0x8100, Some(idx)));
                    }
                    Field::Header(HeaderField::EtherType) => {
                        self.ethertype = Some((*v as u16, Some(idx)))
                    }
                    // After a VLAN header, its type names the network protocol.
                    Field::Header(HeaderField::VlanType) if self.vlan.is_some() => {
                        self.vlan_type = Some((*v as u16, Some(idx)))
                    }
                    Field::Header(HeaderField::IpProtocol | HeaderField::Ip6Nexthdr) => {
                        self.l4 = Some((*v as u8, None))
                    }
                    _ => {}
                }
            }
        }
        self.out.push(Statement::Match(m));
    }

    /// Removes the dependency matches at `deps` (indices into `out`) when they are the
    /// statements right before the end; otherwise the rule is not what nft would print and
    /// the dependency stays (the printer then shows it as nft would not: unlifted).
    fn drop_deps(&mut self, deps: &[usize]) {
        // Usually one or two indices: sorted on the stack.
        let mut buf = [0usize; 4];
        let mut owned = Vec::new();
        let sorted: &mut [usize] = match buf.get_mut(..deps.len()) {
            Some(b) => {
                b.copy_from_slice(deps);
                b
            }
            None => {
                owned.extend_from_slice(deps);
                &mut owned
            }
        };
        sorted.sort_unstable();
        for (n, i) in sorted.iter().rev().enumerate() {
            if *i + 1 + n != self.out.len() {
                // Not adjacent: keep the field name but mark the rule as unlifted.
                self.out.push(Statement::Expr(Expr::unknown(
                    "linx-nonadjacent-dependency",
                    [],
                )));
                return;
            }
        }
        for i in sorted.iter().rev() {
            self.out.remove(*i);
            // The context indices pointing at removed statements become stale: clear them.
            self.forget_stmt(*i);
        }
    }

    /// Clears the protocol context's references to statement `i`, which was removed.
    fn forget_stmt(&mut self, i: usize) {
        for (_, idx) in [&mut self.nfproto, &mut self.l4].into_iter().flatten() {
            if *idx == Some(i) {
                *idx = None;
            }
        }
        for (_, idx) in [
            &mut self.ethertype,
            &mut self.iiftype,
            &mut self.vlan,
            &mut self.icmp,
            &mut self.vlan_type,
        ]
        .into_iter()
        .flatten()
        {
            if *idx == Some(i) {
                *idx = None;
            }
        }
    }

    /// Removes statement `i` (a dependency nft does not print), keeping the protocol
    /// context's statement indices right.
    fn remove_stmt(&mut self, i: usize) {
        self.out.remove(i);
        for (_, idx) in [&mut self.nfproto, &mut self.l4].into_iter().flatten() {
            match *idx {
                Some(j) if j == i => *idx = None,
                Some(j) if j > i => *idx = Some(j - 1),
                _ => {}
            }
        }
        for (_, idx) in [
            &mut self.ethertype,
            &mut self.iiftype,
            &mut self.vlan,
            &mut self.icmp,
            &mut self.vlan_type,
        ]
        .into_iter()
        .flatten()
        {
            match *idx {
                Some(j) if j == i => *idx = None,
                Some(j) if j > i => *idx = Some(j - 1),
                _ => {}
            }
        }
    }

    fn reject(&self, kind: crate::expr::RejectType, code: u8) -> Option<Reject> {
        use crate::expr::RejectType as R;
        Some(match kind {
            R::TcpReset => Reject::TcpReset,
            R::IcmpxUnreach => Reject::Icmpx(code),
            R::IcmpUnreach => match self.network()?.0 {
                Proto::Ip => Reject::Icmp(code),
                Proto::Ip6 => Reject::Icmpv6(code),
                _ => return None,
            },
        })
    }

    fn nat(
        &mut self,
        kind: NatType,
        family: Family,
        regs: [Option<Reg>; 4],
        flags: crate::expr::NatFlags,
    ) -> Option<Nat> {
        if !flags_known(flags) {
            return None;
        }
        let [amin, amax, pmin, pmax] = regs;
        let addr = match amin {
            Some(r) => {
                let lo = self.data(r)?;
                let lo = Ip::from_bytes(&lo)?;
                match amax {
                    Some(r2) if r2 != r => {
                        let hi = Ip::from_bytes(&self.data(r2)?)?;
                        Some(Value::range(Value::Ip(lo), Value::Ip(hi)))
                    }
                    _ => Some(Value::Ip(lo)),
                }
            }
            None if amax.is_none() => None,
            None => return None,
        };
        let port = self.ports(pmin, pmax)?;
        let kind = match kind {
            NatType::Snat => NatKind::Snat,
            NatType::Dnat => NatKind::Dnat,
        };
        let fam = Some(family);
        for r in regs.into_iter().flatten() {
            self.regs.remove(&r.0);
        }
        Some(Nat::new(kind, fam, addr, port)?.with_flags(user_flags(flags)))
    }

    fn ports(&mut self, min: Option<Reg>, max: Option<Reg>) -> Option<Option<Value>> {
        let Some(min) = min else {
            return if max.is_none() { Some(None) } else { None };
        };
        let lo = u64::from(u16::from_be_bytes(self.data(min)?.try_into().ok()?));
        let v = match max {
            Some(r) if r != min => {
                let hi = u64::from(u16::from_be_bytes(self.data(r)?.try_into().ok()?));
                Value::range(Value::Int(lo), Value::Int(hi))
            }
            _ => Value::Int(lo),
        };
        self.regs.remove(&min.0);
        if let Some(r) = max {
            self.regs.remove(&r.0);
        }
        Some(Some(v))
    }

    fn data(&self, r: Reg) -> Option<Vec<u8>> {
        match &self.regs.get(&r.0)?.loaded {
            Loaded::Data(d) => Some(d.clone()),
            _ => None,
        }
    }
}

/// The statement operator of a compare.
#[inline(always)]
fn op_of(op: CmpOp) -> Op {
    match op {
        CmpOp::Eq => Op::Eq,
        CmpOp::Neq => Op::Ne,
        CmpOp::Lt => Op::Lt,
        CmpOp::Lte => Op::Le,
        CmpOp::Gt => Op::Gt,
        CmpOp::Gte => Op::Ge,
    }
}

fn flags_known(flags: crate::expr::NatFlags) -> bool {
    use crate::expr::NatFlags as F;
    flags
        .difference(F::MAP_IPS | F::PROTO_SPECIFIED | F::RANDOM | F::FULLY_RANDOM | F::PERSISTENT)
        .is_empty()
}

fn user_flags(flags: crate::expr::NatFlags) -> crate::expr::NatFlags {
    use crate::expr::NatFlags as F;
    flags.difference(F::MAP_IPS | F::PROTO_SPECIFIED)
}

/// The header field of `proto` a payload load of `len` bytes at byte `offset` of its header
/// reads: a whole field, the leading bytes of an address field (a prefix), or the bytes
/// covering a sub-byte field (dscp, vlan id ...), masked next.
///
/// A table read for loads of at most [`MAX_FIELD_BYTES`] bytes (every load the lift names
/// a field for, once per payload load of every pulled rule), filled as
/// [`payload_field_search`] searches; the search for longer ones.
#[inline(always)]
fn payload_field(proto: Proto, offset: u32, len: u32) -> Option<HeaderField> {
    match usize::try_from(len) {
        Ok(l) if l <= MAX_FIELD_BYTES => {
            let by_offset = fields_by_load().get(proto as usize)?;
            by_offset
                .get(usize::try_from(offset).ok()?)?
                .get(l)
                .copied()?
        }
        _ => payload_field_search(proto, offset, len),
    }
}

/// The longest load [`payload_field`] reads from its table (an IPv6 address).
const MAX_FIELD_BYTES: usize = 16;

/// [`payload_field_search`]'s answer for every protocol, every offset a field starts at and
/// every length up to [`MAX_FIELD_BYTES`], built on first use (no field starts at a later
/// offset, where the search finds none): each field fills the loads it answers that no
/// earlier one answers, as the two searches try them (`fields_by_offset_name_loads_as_a_scan_of_the_protocol_does`
/// compares the two).
fn fields_by_load() -> &'static [Vec<[Option<HeaderField>; MAX_FIELD_BYTES + 1]>] {
    type ByLoad = Vec<Vec<[Option<HeaderField>; MAX_FIELD_BYTES + 1]>>;
    static BY: std::sync::OnceLock<ByLoad> = std::sync::OnceLock::new();
    BY.get_or_init(|| {
        let mut by: ByLoad = Vec::new();
        // The lengths `f`, starting in byte `at`, answers: the first search (whole
        // byte-aligned fields and the leading bytes of addresses), then the second (the
        // bytes covering a sub-byte field).
        let first = |f: HeaderField| -> Vec<u32> {
            if !f.is_byte_aligned() {
                return Vec::new();
            }
            let whole = f.bit_len() / 8;
            let leading = matches!(
                f.datatype(),
                Datatype::Ipv4Addr | Datatype::Ipv6Addr | Datatype::EtherAddr
            );
            (0..=whole).filter(|l| *l == whole || leading).collect()
        };
        let second = |f: HeaderField| -> Vec<u32> {
            if f.is_byte_aligned() {
                return Vec::new();
            }
            vec![(f.bit_offset() + f.bit_len()).div_ceil(8) - f.bit_offset() / 8]
        };
        for pass in [first, second] {
            for f in HeaderField::ALL {
                let (p, at) = (f.proto() as usize, (f.bit_offset() / 8) as usize);
                if by.len() <= p {
                    by.resize_with(p + 1, Vec::new);
                }
                let Some(of_proto) = by.get_mut(p) else {
                    continue;
                };
                if of_proto.len() <= at {
                    of_proto.resize(at + 1, [None; MAX_FIELD_BYTES + 1]);
                }
                let Some(row) = of_proto.get_mut(at) else {
                    continue;
                };
                for len in pass(*f) {
                    if let Some(slot @ None) = row.get_mut(len as usize) {
                        *slot = Some(*f);
                    }
                }
            }
        }
        by
    })
}

/// [`payload_field`] as a search of the fields starting in byte `offset`.
fn payload_field_search(proto: Proto, offset: u32, len: u32) -> Option<HeaderField> {
    let bit_off = offset.saturating_mul(8);
    let bits = len.saturating_mul(8);
    // The fields starting in byte `offset`, in table order: every candidate of both
    // searches below.
    let fields = fields_at(proto, offset);
    fields
        .iter()
        .copied()
        .find(|f| {
            f.bit_offset() == bit_off
                && f.is_byte_aligned()
                && (f.bit_len() == bits
                    || (bits < f.bit_len()
                        && matches!(
                            f.datatype(),
                            Datatype::Ipv4Addr | Datatype::Ipv6Addr | Datatype::EtherAddr
                        )))
        })
        .or_else(|| {
            fields.iter().copied().find(|f| {
                !f.is_byte_aligned() && (f.bit_offset() + f.bit_len()).div_ceil(8) == offset + len
            })
        })
}

/// The header fields of `proto` that start in byte `offset` of its header, in table order
/// (a table read: the lift names a field for every payload load of every pulled rule).
fn fields_at(proto: Proto, offset: u32) -> &'static [HeaderField] {
    type ByOffset = Vec<Vec<Vec<HeaderField>>>;
    static BY: std::sync::OnceLock<ByOffset> = std::sync::OnceLock::new();
    let by = BY.get_or_init(|| {
        let mut by: ByOffset = Vec::new();
        for f in HeaderField::ALL {
            let (p, at) = (f.proto() as usize, (f.bit_offset() / 8) as usize);
            if by.len() <= p {
                by.resize_with(p + 1, Vec::new);
            }
            if let Some(of_proto) = by.get_mut(p) {
                if of_proto.len() <= at {
                    of_proto.resize_with(at + 1, Vec::new);
                }
                if let Some(here) = of_proto.get_mut(at) {
                    here.push(*f);
                }
            }
        }
        by
    });
    by.get(proto as usize)
        .and_then(|p| p.get(usize::try_from(offset).ok()?))
        .map_or(&[], Vec::as_slice)
}

/// A field loaded whole (for lookups).
fn whole_field(l: &Loaded) -> Option<(Field, Deps)> {
    match l {
        Loaded::Field { field, bytes, deps }
            if field_is_whole(field) && *bytes == field.bit_len().div_ceil(8) =>
        {
            Some((*field, deps.clone()))
        }
        _ => None,
    }
}

/// A field loaded whole, or a host-order one converted to big endian (for lookups: the
/// lowering writes the conversion for interval sets, and verification checks it).
fn key_field(l: &Loaded) -> Option<(Field, Deps)> {
    match l {
        Loaded::Swapped { field, deps } => Some((*field, deps.clone())),
        Loaded::Shifted { field, deps } => Some((Field::Header(*field), deps.clone())),
        // A sub-byte field masked to exactly its bits.
        Loaded::Masked {
            field,
            bytes,
            mask,
            deps,
        } => {
            let (h, _) = fields::sub_field(field, *bytes, mask)?;
            Some((Field::Header(h), deps.clone()))
        }
        other => whole_field(other),
    }
}

/// A field whose load is the field itself (byte aligned).
fn field_is_whole(f: &Field) -> bool {
    match f {
        Field::Header(h) => h.is_byte_aligned(),
        Field::Exthdr(x) => x.is_byte_aligned(),
        _ => true,
    }
}

/// Big-endian integer of up to 8 bytes.
fn be(b: &[u8]) -> Option<u64> {
    if b.len() > 8 {
        return None;
    }
    Some(b.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x)))
}

/// The integer in `data` read in the field's byte order.
fn int_of(field: &Field, data: &[u8]) -> Option<u64> {
    if data.len() > 8 {
        return None;
    }
    if field.byte_order() == ByteOrder::Host && cfg!(target_endian = "little") {
        Some(
            data.iter()
                .rev()
                .fold(0u64, |n, x| (n << 8) | u64::from(*x)),
        )
    } else {
        be(data)
    }
}

/// The typed value of a field's compare data (exactly the field's width).
fn bytes_to_value(field: &Field, data: &[u8]) -> Option<Value> {
    value_of(field, field.bit_len().div_ceil(8), field.datatype(), data)
}

/// [`bytes_to_value`] given the field's width in bytes (`field.bit_len().div_ceil(8)`)
/// and its datatype, which the fast path has read already.
#[inline(always)]
fn value_of(field: &Field, width: u32, datatype: Datatype, data: &[u8]) -> Option<Value> {
    let width = width as usize;
    if data.len() != width {
        return None;
    }
    // Raw ranges wider than a number are their bytes.
    if width > 8 && matches!(field, Field::Raw { .. }) {
        return Some(Value::Bytes(data.to_vec()));
    }
    Some(match datatype {
        Datatype::CtLabel => Value::Int(crate::stmt::label_of(data)?),
        Datatype::Ipv4Addr | Datatype::Ipv6Addr => Value::Ip(Ip::from_bytes(data)?),
        Datatype::EtherAddr => Value::Mac(Mac::from_bytes(data)?),
        Datatype::Ifname | Datatype::String => {
            let end = data.iter().position(|b| *b == 0)?;
            if data[end..].iter().any(|b| *b != 0) {
                return None;
            }
            Value::Ifname(std::str::from_utf8(&data[..end]).ok()?.to_owned())
        }
        _ => Value::Int(int_of(field, data)?),
    })
}

/// A prefix `addr/bits` of an address field.
fn prefix(field: &Field, data: &[u8], bits: u32) -> Option<Value> {
    let width = field.bit_len() as usize / 8;
    let mut addr = data.to_vec();
    if addr.len() > width {
        return None;
    }
    addr.resize(width, 0);
    let ip = Ip::from_bytes(&addr)?;
    let net = Subnet::new(ip, u8::try_from(bits).ok()?).ok()?;
    // The address must have no host bits (nft prints the network).
    if net.to_string().split('/').next()? != ip.to_string() {
        return None;
    }
    Some(Value::Prefix(net))
}

/// The prefix length of a mask of leading ones, `None` otherwise.
fn prefix_len(mask: &[u8]) -> Option<u32> {
    let mut bits = 0;
    let mut ended = false;
    for b in mask {
        for i in (0..8).rev() {
            let one = b & (1 << i) != 0;
            if one && ended {
                return None;
            }
            if one {
                bits += 1;
            } else {
                ended = true;
            }
        }
    }
    Some(bits)
}

/// A set element as a value of `key`'s type (one part per field of a concatenation).
fn elem_to_value(key: &Key, e: &SetElement, interval: bool) -> Option<Value> {
    match (key, e) {
        // A concatenation with a part of a raw type: the element's stored bytes.
        (Key::Concat(fields), SetElement::Value(ElemValue::Bytes(b))) if !interval => {
            fields::concat_blob(fields, b)
        }
        (Key::Concat(fields), SetElement::Value(ElemValue::Bytes(b))) => {
            fields::interval_concat_blob(fields, b, b)
        }
        (Key::Concat(fields), SetElement::Range(r)) => match &**r {
            (ElemValue::Bytes(lo), ElemValue::Bytes(hi)) => {
                fields::interval_concat_blob(fields, lo, hi)
            }
            _ => None,
        },
        (Key::Field(f), e) => field_elem(f, e, interval),
        (Key::Concat(fields), SetElement::Concat(parts)) if fields.len() == parts.len() => {
            let parts: Option<Vec<Value>> = fields
                .iter()
                .zip(parts.iter())
                .map(|(f, p)| field_elem(f, p, interval))
                .collect();
            Some(Value::Concat(parts?))
        }
        _ => None,
    }
}

/// A set element (not a concatenation) as a value of `field`'s type.
fn field_elem(field: &Field, e: &SetElement, interval: bool) -> Option<Value> {
    if let Some(w) = fields::ifname_range(field, e) {
        return Some(w);
    }
    Some(match e {
        SetElement::Value(v) => scalar(field, v, interval)?,
        SetElement::Range(r) => Value::range(
            scalar(field, &r.0, interval)?,
            scalar(field, &r.1, interval)?,
        ),
        SetElement::Prefix(net) => Value::Prefix(*net),
        SetElement::Concat(_) => return None,
    })
}

/// `range neq`'s register and bounds: `NFTA_RANGE_SREG` 1, `OP` 2 (`NFT_RANGE_NEQ` 1),
/// `FROM_DATA` 3 and `TO_DATA` 4 (each a nest holding `NFTA_DATA_VALUE` 1).
fn range_neq(data: &[u8]) -> Option<(u32, &[u8], &[u8])> {
    let (mut sreg, mut neq, mut lo, mut hi) = (None, false, None, None);
    for (kind, payload) in attrs(data)? {
        match kind {
            1 => sreg = Some(u32::from_be_bytes(payload.try_into().ok()?)),
            2 => neq = u32::from_be_bytes(payload.try_into().ok()?) == 1,
            3 | 4 => {
                let [(1, v)] = attrs(payload)?[..] else {
                    return None;
                };
                if kind == 3 {
                    lo = Some(v);
                } else {
                    hi = Some(v);
                }
            }
            _ => return None,
        }
    }
    if !neq {
        return None;
    }
    Some((sreg?, lo?, hi?))
}

/// The attributes of an expression's data: (type without flags, payload), `None` when
/// malformed.
fn attrs(mut data: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let len = usize::from(u16::from_ne_bytes(data.get(..2)?.try_into().ok()?));
        let kind = u16::from_ne_bytes(data.get(2..4)?.try_into().ok()?) & 0x3fff;
        out.push((kind, data.get(4..len)?));
        data = data.get(len.next_multiple_of(4).min(data.len())..)?;
    }
    Some(out)
}

/// A scalar element as a value of `field`; raw bytes are big endian in an `interval` set,
/// else in the field's byte order.
fn scalar(field: &Field, v: &ElemValue, interval: bool) -> Option<Value> {
    let dt = field.datatype();
    Some(match v {
        ElemValue::Ip(ip) if matches!(dt, Datatype::Ipv4Addr | Datatype::Ipv6Addr) => {
            Value::Ip(*ip)
        }
        ElemValue::Mac(m) if dt == Datatype::EtherAddr => Value::Mac(*m),
        ElemValue::Ifname(n) if dt == Datatype::Ifname => Value::Ifname(n.to_string()),
        // A string key (`osf name`, `ct helper`): a NUL-padded name.
        ElemValue::Bytes(b) if dt == Datatype::String => {
            if b.len() != field.bit_len().div_ceil(8) as usize {
                return None;
            }
            let end = b.iter().position(|x| *x == 0)?;
            if end == 0 || b[end..].iter().any(|x| *x != 0) {
                return None;
            }
            Value::Ifname(std::str::from_utf8(&b[..end]).ok()?.to_owned())
        }
        ElemValue::Proto(n) if dt == Datatype::InetProto => Value::Int(u64::from(*n)),
        ElemValue::Port(n) if dt == Datatype::InetService => Value::Int(u64::from(*n)),
        ElemValue::Mark(n) if dt == Datatype::Mark => Value::Int(u64::from(*n)),
        ElemValue::CtState(s) if dt == Datatype::CtState => Value::Int(u64::from(s.bits())),
        // Names of a `string` key (`ct helper { "ftp", "sip" }`): NUL padded.
        ElemValue::Bytes(b)
            if dt == Datatype::Ifname && b.len() == field.bit_len().div_ceil(8) as usize =>
        {
            let end = b.iter().position(|x| *x == 0)?;
            if end == 0 || b[end..].iter().any(|x| *x != 0) {
                return None;
            }
            Value::Ifname(std::str::from_utf8(&b[..end]).ok()?.to_owned())
        }
        ElemValue::Bytes(b) => {
            if matches!(
                dt,
                Datatype::Ipv4Addr
                    | Datatype::Ipv6Addr
                    | Datatype::EtherAddr
                    | Datatype::Ifname
                    | Datatype::String
            ) || b.len() != load_bytes(field) as usize
            {
                return None;
            }
            // Anonymous sets of integer fields keep the field's byte order (interval sets
            // are big endian); sub-byte fields sit shifted in their bytes.
            let n = if interval { be(b)? } else { int_of(field, b)? };
            Value::Int(fields::unshift(field, n)?)
        }
        _ => return None,
    })
}

/// A counter, limit, quota or connlimit as its statement (alone in a rule or inside a
/// dynset); `None` for any other expression.
fn stateful(e: &Expr) -> Option<Statement> {
    match e {
        Expr::Counter(Counter { packets, bytes }) => Some(Statement::Counter {
            packets: *packets,
            bytes: *bytes,
        }),
        Expr::Limit(Limit {
            rate,
            unit,
            burst,
            bytes,
            over,
        }) => Some(Statement::Limit {
            rate: *rate,
            unit: *unit,
            burst: *burst,
            bytes: *bytes,
            over: *over,
        }),
        Expr::Quota(Quota {
            bytes,
            over,
            consumed,
        }) => Some(Statement::Quota {
            bytes: *bytes,
            over: *over,
            used: *consumed,
        }),
        Expr::Unknown(u) if u.name == "connlimit" => {
            decode_connlimit(&u.data).map(|(count, over)| Statement::Connlimit { count, over })
        }
        _ => None,
    }
}

mod fields;
mod maps;
mod payload;
mod regs;
mod shifted;
mod split;

#[cfg(test)]
mod fast_tests;
#[cfg(test)]
mod tests;
