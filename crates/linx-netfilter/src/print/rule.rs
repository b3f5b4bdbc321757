//! Rules and statements as nft text.
//!
//! # Contract
//! - A rule prints as nft prints it only when every expression lifted and every statement
//!   has a known nft form here; otherwise it prints as an [`UNPRINTED`] line listing its
//!   expressions (`#linx: unlifted: ...`).

use std::fmt::Write;

use super::value::{self, ICMPX_CODE};
use super::{Printer, UNPRINTED, bytes_text, limit_text};
use crate::expr::DynsetOp;
use crate::expr::LogFlags;
use crate::lift::lift_in;
use crate::stmt::{Datatype, ExthdrProto};
use crate::stmt::{
    Field, Key, Match, Nat, NatKind, Op, Reject, SetUpdate, Source, Statement, Value, VerdictMap,
};
use crate::{Family, ObjectType, Rule, SetFlags, Table, Verdict};

/// A printed rule: its text, and whether it is nft's text (every statement lifted and
/// printable) or an [`UNPRINTED`] line.
///
/// ```
/// use linx_netfilter::{Expr, Family, Rule, Table, print::Printer};
/// let table = Table::new(Family::Inet, "t");
/// let r = Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(22)).accept();
/// let text = Printer::new().rule(&r, &table);
/// assert!(text.is_nft());
/// assert_eq!(text.text(), "tcp dport 22 accept");
/// let raw = Rule::new([Expr::unknown("fib", [0])]);
/// assert!(Printer::new().rule(&raw, &table).text().starts_with("#linx: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleText {
    text: String,
    nft: bool,
}

impl RuleText {
    /// The line (without indentation or newline).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `true` when the line is nft's syntax (the rule was fully lifted and printed).
    pub fn is_nft(&self) -> bool {
        self.nft
    }
}

pub(super) fn rule_text(p: &Printer, r: &Rule, table: &Table) -> RuleText {
    let stmts = lift_in(&r.exprs, table);
    let comment = r
        .comment
        .as_deref()
        .map(|c| format!(" comment \"{c}\""))
        .unwrap_or_default();
    match p.statements(&stmts, table) {
        Some(text) if !text.is_empty() => RuleText {
            text: format!("{text}{comment}"),
            nft: true,
        },
        _ => {
            let mut text = format!("{UNPRINTED}unlifted:");
            for e in &r.exprs {
                let _ = write!(text, " [ {e} ]");
            }
            text.push_str(&comment);
            RuleText { text, nft: false }
        }
    }
}

impl Printer {
    /// Statements as nft prints them in a rule of `table`, joined by spaces, or `None` when
    /// one of them has no exact nft form here ([`Statement::Expr`] never has).
    pub fn statements(&self, stmts: &[Statement], table: &Table) -> Option<String> {
        let hidden = super::deps::hidden(stmts, table.family());
        let parts: Option<Vec<String>> = stmts
            .iter()
            .zip(hidden)
            .filter(|(_, h)| !h)
            .map(|(s, _)| self.statement(s, table))
            .collect();
        Some(parts?.join(" "))
    }

    fn statement(&self, s: &Statement, table: &Table) -> Option<String> {
        let family = table.family();
        Some(match s {
            Statement::Match(m) => match self.split_match(m, family) {
                Some(split) => split?,
                None => self.match_text(m)?,
            },
            Statement::Verdict(v) => match v {
                Verdict::Queue(_) => return None,
                v => v.to_string(),
            },
            Statement::Vmap { key, map } => {
                let k = key_text(key);
                match map {
                    VerdictMap::Named(n) => format!("{k} vmap @{n}"),
                    VerdictMap::Anonymous(pairs) => {
                        let keys: Vec<&Value> = pairs.iter().map(|(k, _)| k).collect();
                        let order = sort_order(key, &keys);
                        let items: Option<Vec<String>> = order
                            .into_iter()
                            .map(|i| {
                                let (k, v) = &pairs[i];
                                Some(format!("{} : {v}", self.element_text(key, k)?))
                            })
                            .collect();
                        format!("{k} vmap {{ {} }}", items?.join(", "))
                    }
                }
            }
            Statement::Counter { packets, bytes } => {
                format!("counter packets {packets} bytes {bytes}")
            }
            Statement::Limit {
                rate,
                unit,
                burst,
                bytes,
                over,
            } => format!("limit {}", limit_text(*rate, *unit, *burst, *bytes, *over)),
            Statement::Quota { bytes, over, used } => {
                let mut s = String::from("quota ");
                if *over {
                    s.push_str("over ");
                }
                s.push_str(&bytes_text(*bytes));
                if *used != 0 {
                    let _ = write!(s, " used {}", bytes_text(*used));
                }
                s
            }
            Statement::Log(log) => {
                let mut s = String::from("log");
                if let Some(p) = &log.prefix {
                    let _ = write!(s, " prefix \"{p}\"");
                }
                if let Some(g) = log.group {
                    let _ = write!(s, " group {g}");
                }
                if let Some(n) = log.snaplen {
                    let _ = write!(s, " snaplen {n}");
                }
                if let Some(n) = log.qthreshold {
                    let _ = write!(s, " queue-threshold {n}");
                }
                match log.level {
                    None | Some(4) => {}
                    Some(l) => {
                        let names = [
                            "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
                            "audit",
                        ];
                        let _ = write!(s, " level {}", names.get(l as usize)?);
                    }
                }
                if !log_flags(&mut s, log.flags) {
                    return None;
                }
                s
            }
            Statement::Reject(r) => reject_text(*r, family)?,
            Statement::Nat(n) => match n.map() {
                Some(map) => self.nat_map_text(n, map, family, table)?,
                None => self.nat_text(n, family)?,
            },
            Statement::ObjrefMap(m) => self.objref_map_text(m, table)?,
            Statement::DupMap(d) => self.dup_map_text(d, table)?,
            Statement::Notrack => "notrack".to_owned(),
            Statement::Objref { kind, name } => match kind {
                ObjectType::Counter | ObjectType::Quota | ObjectType::Limit => {
                    format!("{kind} name \"{name}\"")
                }
                ObjectType::CtHelper => format!("ct helper set \"{name}\""),
                ObjectType::CtTimeout => format!("ct timeout set \"{name}\""),
                ObjectType::CtExpect => format!("ct expectation set \"{name}\""),
                ObjectType::Synproxy => format!("synproxy name \"{name}\""),
                _ => return None,
            },
            Statement::MetaSet { key, value } => {
                format!(
                    "{} set {}",
                    Field::Meta(*key),
                    self.source(&Field::Meta(*key), value, table)?
                )
            }
            Statement::CtSet { key, value } => {
                format!(
                    "{} set {}",
                    Field::Ct(*key),
                    self.source(&Field::Ct(*key), value, table)?
                )
            }
            Statement::ExthdrSet { field, value } => {
                let target = Field::Exthdr(*field);
                if !field.is_printable() {
                    return None;
                }
                format!("{target} set {}", self.source(&target, value, table)?)
            }
            Statement::ExthdrReset(field) => {
                if field.proto() != ExthdrProto::TcpOption || !field.is_exists() {
                    return None;
                }
                format!("reset {field}")
            }
            Statement::CtDirSet { key, dir, value } => {
                let target = Field::CtDir {
                    key: *key,
                    dir: *dir,
                };
                format!("{target} set {}", self.source(&target, value, table)?)
            }
            Statement::PayloadSet(p) => self.payload_set_text(p)?,
            Statement::SetUpdate(u) => self.set_update_text(u, table)?,
            Statement::Tproxy(_)
            | Statement::Synproxy(_)
            | Statement::Dup(_)
            | Statement::Fwd(_)
            | Statement::Connlimit { .. } => self.special_statement(s, family)?,
            Statement::Queue(_) | Statement::Expr(_) => return None,
        })
    }

    /// What a `meta`/`ct ... set` stores, printed by the target's datatype.
    fn source(&self, target: &Field, v: &Source, table: &Table) -> Option<String> {
        match v {
            Source::Value(v) => value::value(self, target.datatype(), v, target.bit_len()),
            Source::Field(f) => Some(f.to_string()),
            Source::Bits(b) => self.bits_text(b),
            Source::Map(m) => self.map_lookup_text(m, table),
        }
    }

    /// `add @set { key [timeout T] [stmts] }`, or `meter name size N { ... }` when the set is
    /// an anonymous dynamic set (how nft writes meters). Statements attached to the element
    /// print without their state (nft prints them stateless there).
    fn set_update_text(&self, u: &SetUpdate, table: &Table) -> Option<String> {
        let (flags, size) = match (table.set(&u.set), table.map(&u.set)) {
            (Some(set), _) if u.data.is_none() => (set.flags, set.size),
            (_, Some(map)) if u.data.is_some() => (map.flags, map.size),
            _ => return None,
        };
        let mut elem = key_text(&u.key);
        match u.timeout_ms {
            Some(0) => return None,
            Some(t) => {
                let _ = write!(elem, " timeout {}", super::duration(t));
            }
            None => {}
        }
        for st in &u.stmts {
            let text = match st {
                Statement::Counter { .. } => "counter".to_owned(),
                Statement::Limit {
                    rate,
                    unit,
                    burst,
                    bytes,
                    over,
                } => format!("limit {}", limit_text(*rate, *unit, *burst, *bytes, *over)),
                Statement::Quota { bytes, over, .. } => {
                    let over = if *over { "over " } else { "" };
                    format!("quota {over}{}", bytes_text(*bytes))
                }
                Statement::Connlimit { count, over } => super::special::connlimit(*count, *over),
                _ => return None,
            };
            elem.push(' ');
            elem.push_str(&text);
        }
        if let Some(data) = &u.data {
            let _ = write!(elem, " : {}", key_text(data));
        }
        if flags.contains(SetFlags::ANONYMOUS) {
            if !flags.contains(SetFlags::DYNAMIC) || u.op == DynsetOp::Delete || u.data.is_some() {
                return None;
            }
            return Some(format!("meter {} size {} {{ {elem} }}", u.set, size?));
        }
        let op = match u.op {
            DynsetOp::Add => "add",
            DynsetOp::Update => "update",
            DynsetOp::Delete => "delete",
        };
        Some(format!("{op} @{} {{ {elem} }}", u.set))
    }

    /// One element of an anonymous set or map of `key`: a value of the field, or one value
    /// per field of a concatenation (`10.0.0.1 . 22`).
    fn element_text(&self, key: &Key, v: &Value) -> Option<String> {
        match (key, v) {
            (Key::Field(f), v) => self.field_value(f, v),
            (Key::Concat(fields), Value::Concat(parts)) if fields.len() == parts.len() => {
                let parts: Option<Vec<String>> = fields
                    .iter()
                    .zip(parts)
                    .map(|(f, p)| self.field_value(f, p))
                    .collect();
                Some(parts?.join(" . "))
            }
            _ => None,
        }
    }

    /// A value of `f` as an element: a scalar, a range (not one nft would print as a
    /// prefix), a prefix of an address.
    fn field_value(&self, f: &Field, v: &Value) -> Option<String> {
        let dt = f.datatype();
        if let Value::Range(r) = v {
            let (lo, hi) = (
                value::field_bytes(f, &r.0, false)?,
                value::field_bytes(f, &r.1, false)?,
            );
            // nft prints ranges of integers and ports as ranges, of marks as prefixes;
            // prefix-shaped ranges of other types are not decided here.
            if value::is_prefix_range(&lo, &hi)
                && !matches!(dt, Datatype::Integer | Datatype::InetService)
            {
                if dt != Datatype::Mark {
                    return None;
                }
                let ones = lo
                    .iter()
                    .zip(&hi)
                    .map(|(a, b)| (a ^ b).count_ones())
                    .sum::<u32>();
                let lo_text = value::value(self, dt, &r.0, f.bit_len())?;
                return Some(format!("{lo_text}/{}", f.bit_len() - ones));
            }
        }
        if matches!(v, Value::Set(_) | Value::Concat(_)) {
            return None;
        }
        // nft writes elements of TCP flags with several bits as `syn | ack` (and lists them
        // by [`super::flags::order`]); other flag types one bit per element only.
        if dt.is_bitmask() && !matches!(v, Value::Int(n) if n.count_ones() == 1) {
            return match (dt, v) {
                (Datatype::TcpFlag, Value::Int(n)) if *n != 0 => {
                    super::flags::element(self, dt, *n, f.bit_len())
                }
                _ => None,
            };
        }
        value::value(self, dt, v, f.bit_len())
    }

    pub(super) fn match_text(&self, m: &Match) -> Option<String> {
        let key = m.key();
        // Extension header fields nft has no words for.
        if key
            .fields()
            .iter()
            .any(|f| matches!(f, Field::Exthdr(x) if !x.is_printable()))
        {
            return None;
        }
        let v = match m.value() {
            Value::Set(items) => {
                let refs: Vec<&Value> = items.iter().collect();
                let items: Option<Vec<String>> = sort_order(key, &refs)
                    .into_iter()
                    .map(|i| self.element_text(key, &items[i]))
                    .collect();
                format!("{{ {} }}", items?.join(", "))
            }
            Value::SetRef(name) => format!("@{name}"),
            other => {
                let Key::Field(f) = key else { return None };
                return self.scalar_match(f, m, other);
            }
        };
        let mut s = match (key, m.value()) {
            // nft shows the shift of a sub-byte field in a concatenation looked up in a
            // named set (`ip dscp >> 2 . ip ecn @s`), not of a field alone.
            (Key::Concat(fields), Value::SetRef(_)) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|f| match crate::stmt::bits::shift(f) {
                        0 => f.to_string(),
                        n => format!("{f} >> {n}"),
                    })
                    .collect();
                parts.join(" . ")
            }
            _ => key_text(key),
        };
        match m.op() {
            Op::Eq => {}
            Op::Ne => s.push_str(" !="),
            _ => return None,
        }
        s.push(' ');
        s.push_str(&v);
        Some(s)
    }

    /// A match of one field with a scalar, range or prefix (optionally masked).
    fn scalar_match(&self, f: &Field, m: &Match, v: &Value) -> Option<String> {
        let dt = f.datatype();
        let width = f.bit_len();
        let text = value::value(self, dt, v, width)?;
        if dt.is_bitmask() {
            return self.bitmask_match(f, m, v, text);
        }
        if let (Value::Ip(addr), Some(Value::Ip(mask)), Op::Eq | Op::Ne) = (v, m.mask(), m.op()) {
            // An address under a prefix mask prints as the prefix (`10.1.0.0/16`).
            let (a, k) = (addr.to_bytes(), mask.to_bytes());
            if a.len() != k.len() || a.iter().zip(&k).any(|(x, y)| x & !y != 0) {
                return None;
            }
            let Some(bits) = prefix_bits(&k) else {
                // Any other mask: `ip daddr & 0.0.0.255 == 0.0.0.255`.
                let op = if m.op() == Op::Eq { "==" } else { "!=" };
                return Some(format!("{f} & {mask} {op} {addr}"));
            };
            let ne = if m.op() == Op::Ne { "!= " } else { "" };
            return Some(format!("{f} {ne}{addr}/{bits}"));
        }
        if let (Value::Mac(addr), Some(Value::Mac(mask)), Op::Eq | Op::Ne) = (v, m.mask(), m.op()) {
            // Ethernet addresses: a prefix of whole bytes (nft compares fewer bytes), or
            // `& mask == value` under a mask that is no prefix.
            let (a, k) = (addr.as_bytes(), mask.as_bytes());
            if a.iter().zip(k).any(|(x, y)| x & !y != 0) {
                return None;
            }
            return match prefix_bits(k) {
                Some(bits) if bits % 8 == 0 => {
                    let ne = if m.op() == Op::Ne { "!= " } else { "" };
                    Some(format!("{f} {ne}{addr}/{bits}"))
                }
                Some(_) => None,
                None => {
                    let op = if m.op() == Op::Eq { "==" } else { "!=" };
                    Some(format!("{f} & {mask} {op} {addr}"))
                }
            };
        }
        if let (Value::Int(_), Some(mask @ Value::Int(_)), Op::Eq | Op::Ne) = (v, m.mask(), m.op())
        {
            // `field & mask == value` of integers and marks, printed by the field's type.
            if !matches!(dt, Datatype::Integer | Datatype::Mark | Datatype::Raw) {
                return None;
            }
            let op = if m.op() == Op::Eq { "==" } else { "!=" };
            let mask = value::value(self, dt, mask, width)?;
            return Some(format!("{f} & {mask} {op} {text}"));
        }
        if m.mask().is_some() {
            // Other masked matches: nft's own forms are not decided here.
            return None;
        }
        let mut s = f.to_string();
        let sym = m.op().symbol();
        if !sym.is_empty() {
            s.push(' ');
            s.push_str(sym);
        }
        s.push(' ');
        s.push_str(&text);
        Some(s)
    }

    /// Matches of bitmask fields (`tcp flags`, `ct state`, `ct status`), in the forms nft
    /// 1.0.6 prints: flag tests (`syn,ack`, `! fin`), `value / mask` when the mask has two
    /// or more bits, `& flag == flag` for one bit, `!= value`, and `== 0x0` for TCP flags.
    fn bitmask_match(&self, f: &Field, m: &Match, v: &Value, text: String) -> Option<String> {
        let dt = f.datatype();
        let width = f.bit_len();
        let Value::Int(n) = v else { return None };
        let out = match (m.op(), m.mask()) {
            // Every TCP flag: nft lists the test as a comparison with zero.
            (Op::AnySet, None) if dt == Datatype::TcpFlag && *n == 0xff => format!("{f} != 0x0"),
            (Op::AnySet, None) => format!("{f} {text}"),
            (Op::NoneSet, None) => format!("{f} ! {text}"),
            (Op::Ne, None) if *n != 0 => format!("{f} != {text}"),
            (Op::Eq, None) if *n == 0 && dt == Datatype::TcpFlag => format!("{f} == 0x0"),
            (op @ (Op::Eq | Op::Ne), Some(Value::Int(mask))) if *n != 0 && n & !mask == 0 => {
                let mask_text = value::value(self, dt, &Value::Int(*mask), width)?;
                let ne = if op == Op::Ne { "!= " } else { "" };
                if mask.count_ones() >= 2 {
                    format!("{f} {ne}{text} / {mask_text}")
                } else if op == Op::Eq {
                    format!("{f} & {mask_text} == {text}")
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        Some(out)
    }

    fn nat_text(&self, n: &Nat, family: Family) -> Option<String> {
        let mut s = match n.kind() {
            NatKind::Snat => "snat".to_owned(),
            NatKind::Dnat => "dnat".to_owned(),
            NatKind::Masquerade => "masquerade".to_owned(),
            NatKind::Redirect => "redirect".to_owned(),
        };
        let v6 = n.family() == Some(Family::Ip6);
        if matches!(n.kind(), NatKind::Snat | NatKind::Dnat) {
            if family == Family::Inet {
                let _ = write!(s, " {}", n.family()?);
            } else if n.family() != Some(family) {
                return None;
            }
        }
        let addr = match n.addr() {
            Some(Value::Ip(ip)) => Some(ip.to_string()),
            Some(Value::Range(r)) => match &**r {
                (Value::Ip(a), Value::Ip(b)) => {
                    let (lo, hi) = (a.to_bytes(), b.to_bytes());
                    if value::is_prefix_range(&lo, &hi) {
                        // nft prints a range that is one block as a prefix (without a
                        // port; with one, its form is not decided here).
                        if n.port().is_some() || lo.len() != hi.len() {
                            return None;
                        }
                        let host: u32 = lo.iter().zip(&hi).map(|(x, y)| (x ^ y).count_ones()).sum();
                        Some(format!("{a}/{}", lo.len() as u32 * 8 - host))
                    } else {
                        Some(format!("{a}-{b}"))
                    }
                }
                _ => return None,
            },
            Some(_) => return None,
            None => None,
        };
        let port = match n.port() {
            Some(Value::Int(p)) => Some(p.to_string()),
            Some(Value::Range(r)) => match &**r {
                (Value::Int(a), Value::Int(b)) => Some(format!("{a}-{b}")),
                _ => return None,
            },
            Some(_) => return None,
            None => None,
        };
        match (addr, port) {
            (None, None) => {
                if matches!(n.kind(), NatKind::Snat | NatKind::Dnat) {
                    return None;
                }
            }
            (Some(a), None) => {
                let _ = write!(s, " to {a}");
            }
            (Some(a), Some(p)) => {
                if v6 {
                    let _ = write!(s, " to [{a}]:{p}");
                } else {
                    let _ = write!(s, " to {a}:{p}");
                }
            }
            (None, Some(p)) => {
                let _ = write!(s, " to :{p}");
            }
        }
        let f = n.flags();
        use crate::expr::NatFlags as F;
        let mut names = Vec::new();
        if f.contains(F::RANDOM) {
            names.push("random");
        }
        if f.contains(F::FULLY_RANDOM) {
            names.push("fully-random");
        }
        if f.contains(F::PERSISTENT) {
            names.push("persistent");
        }
        if !names.is_empty() {
            let _ = write!(s, " {}", names.join(","));
        }
        Some(s)
    }
}

fn reject_text(r: Reject, family: Family) -> Option<String> {
    let icmp = |c: u8| {
        value::int(
            &Printer::new(),
            crate::stmt::Datatype::IcmpCode,
            u64::from(c),
            8,
        )
    };
    let icmp6 = |c: u8| {
        value::int(
            &Printer::new(),
            crate::stmt::Datatype::Icmpv6Code,
            u64::from(c),
            8,
        )
    };
    let icmpx = |c: u8| {
        ICMPX_CODE
            .iter()
            .find(|(v, _)| *v == u64::from(c))
            .map(|(_, n)| (*n).to_owned())
    };
    Some(match (family, r) {
        (Family::Ip | Family::Ip6 | Family::Inet, Reject::TcpReset) => {
            "reject with tcp reset".to_owned()
        }
        (Family::Ip, Reject::Icmp(3)) => "reject".to_owned(),
        (Family::Ip6, Reject::Icmpv6(4)) => "reject".to_owned(),
        (Family::Inet, Reject::Icmpx(1)) => "reject".to_owned(),
        (Family::Ip | Family::Inet, Reject::Icmp(c)) => format!("reject with icmp {}", icmp(c)),
        (Family::Ip6 | Family::Inet, Reject::Icmpv6(c)) => {
            format!("reject with icmpv6 {}", icmp6(c))
        }
        (Family::Inet, Reject::Icmpx(c)) => format!("reject with icmpx {}", icmpx(c)?),
        _ => return None,
    })
}

/// A key as nft writes it: a field, or fields joined by ` . `.
fn key_text(key: &Key) -> String {
    let parts: Vec<String> = key.fields().iter().map(Field::to_string).collect();
    parts.join(" . ")
}

/// The order nft lists the elements of an anonymous set or map in (indices into `values`).
fn sort_order(key: &Key, values: &[&Value]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    match key {
        Key::Field(f) if f.datatype() == Datatype::TcpFlag => {
            let flags: Option<Vec<u64>> = values
                .iter()
                .map(|v| match v {
                    Value::Int(n) => Some(*n),
                    _ => None,
                })
                .collect();
            if let Some(flags) = flags {
                return super::flags::order(&flags);
            }
        }
        // A set with a name wildcard is an interval set: names in byte order.
        Key::Field(_)
            if values
                .iter()
                .any(|v| matches!(v, Value::Ifname(n) if n.ends_with('*'))) =>
        {
            idx.sort_by_cached_key(|i| match values[*i] {
                Value::Ifname(n) => n.strip_suffix('*').unwrap_or(n).as_bytes().to_vec(),
                _ => Vec::new(),
            })
        }
        Key::Field(_) => idx.sort_by_cached_key(|i| value::value_sort_key(values[*i])),
        Key::Concat(fields) => {
            let interval = values.iter().any(|v| match v {
                Value::Concat(parts) => parts
                    .iter()
                    .any(|p| matches!(p, Value::Range(_) | Value::Prefix(_))),
                _ => false,
            });
            idx.sort_by_cached_key(|i| {
                value::concat_sort_key(fields, values[*i], interval).unwrap_or_default()
            });
        }
    }
    idx
}

/// nft's text for log flags, after the other log options: `flags all` for all five, else
/// `flags tcp sequence,options`, `flags ip options`, `flags skuid`, `flags ether`.
/// `false` (nothing written) for flags nft has no word for here.
fn log_flags(s: &mut String, flags: LogFlags) -> bool {
    let all = LogFlags::TCP_SEQ
        | LogFlags::TCP_OPT
        | LogFlags::IP_OPT
        | LogFlags::UID
        | LogFlags::MACDECODE;
    if !flags.difference(all).is_empty() {
        return false;
    }
    if flags.contains(all) {
        s.push_str(" flags all");
        return true;
    }
    match (
        flags.contains(LogFlags::TCP_SEQ),
        flags.contains(LogFlags::TCP_OPT),
    ) {
        (true, true) => s.push_str(" flags tcp sequence,options"),
        (true, false) => s.push_str(" flags tcp sequence"),
        (false, true) => s.push_str(" flags tcp options"),
        (false, false) => {}
    }
    if flags.contains(LogFlags::IP_OPT) {
        s.push_str(" flags ip options");
    }
    if flags.contains(LogFlags::UID) {
        s.push_str(" flags skuid");
    }
    if flags.contains(LogFlags::MACDECODE) {
        s.push_str(" flags ether");
    }
    true
}

/// The length of a mask of leading ones, `None` for other masks.
fn prefix_bits(mask: &[u8]) -> Option<u32> {
    let ones: u32 = mask.iter().map(|b| b.count_ones()).sum();
    let want = (0..mask.len() * 8).map(|i| u32::from(i < ones as usize));
    let ok = want
        .zip(
            mask.iter()
                .flat_map(|b| (0..8).rev().map(move |i| u32::from((b >> i) & 1))),
        )
        .all(|(a, b)| a == b);
    ok.then_some(ones)
}
