//! Rules and statements as nft text.
//!
//! # Contract
//! - A rule prints as nft prints it only when every expression lifted and every statement
//!   has a known nft form here; otherwise it prints as an [`UNPRINTED`] line listing its
//!   expressions (`#linx: unlifted: ...`).

use std::fmt::Write;

use super::value::{self, ICMPX_CODE};
use super::{Printer, UNPRINTED, bytes_text, limit_text};
use crate::lift::lift_in;
use crate::stmt::{Key, Match, Nat, NatKind, Reject, Statement, Value, VerdictMap};
use crate::{Family, Rule, Table, Verdict};

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
        let parts: Option<Vec<String>> = stmts
            .iter()
            .map(|s| self.statement(s, table.family()))
            .collect();
        Some(parts?.join(" "))
    }

    fn statement(&self, s: &Statement, family: Family) -> Option<String> {
        Some(match s {
            Statement::Match(m) => self.match_text(m)?,
            Statement::Verdict(v) => match v {
                Verdict::Queue(_) => return None,
                v => v.to_string(),
            },
            Statement::Vmap { key, map } => {
                let Key::Field(f) = key else { return None };
                match map {
                    VerdictMap::Named(n) => format!("{f} vmap @{n}"),
                    VerdictMap::Anonymous(pairs) => {
                        let mut pairs: Vec<&(Value, Verdict)> = pairs.iter().collect();
                        pairs.sort_by_cached_key(|(k, _)| value::value_sort_key(k));
                        let items: Option<Vec<String>> = pairs
                            .into_iter()
                            .map(|(k, v)| {
                                Some(format!(
                                    "{} : {v}",
                                    value::value(self, f.datatype(), k, f.bit_len())?
                                ))
                            })
                            .collect();
                        format!("{f} vmap {{ {} }}", items?.join(", "))
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
                if !log.flags.is_empty() {
                    return None;
                }
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
                s
            }
            Statement::Reject(r) => reject_text(*r, family)?,
            Statement::Nat(n) => self.nat_text(n, family)?,
            Statement::Notrack => "notrack".to_owned(),
            Statement::Objref { kind, name } => match kind {
                crate::ObjectType::Counter
                | crate::ObjectType::Quota
                | crate::ObjectType::Limit => format!("{kind} name \"{name}\""),
                _ => return None,
            },
            Statement::MetaSet { .. }
            | Statement::CtSet { .. }
            | Statement::SetUpdate(_)
            | Statement::Queue(_)
            | Statement::Expr(_) => return None,
        })
    }

    fn match_text(&self, m: &Match) -> Option<String> {
        let Key::Field(f) = m.key() else { return None };
        let dt = f.datatype();
        let width = f.bit_len();
        let v = match m.value() {
            Value::Set(items) => {
                let mut items: Vec<&Value> = items.iter().collect();
                items.sort_by_cached_key(|v| value::value_sort_key(v));
                let items: Option<Vec<String>> = items
                    .into_iter()
                    .map(|i| value::value(self, dt, i, width))
                    .collect();
                format!("{{ {} }}", items?.join(", "))
            }
            other => value::value(self, dt, other, width)?,
        };
        // A plain compare of a bitmask field prints with `==` and hex zero in nft; not here.
        if value::is_bitmask(dt)
            && m.mask().is_none()
            && !m.value().is_set()
            && matches!(m.op(), crate::stmt::Op::Eq | crate::stmt::Op::Ne)
        {
            return None;
        }
        let mut s = f.to_string();
        let sym = m.op().symbol();
        if !sym.is_empty() {
            s.push(' ');
            s.push_str(sym);
        }
        s.push(' ');
        s.push_str(&v);
        if let Some(mask) = m.mask() {
            // `field & v == v` and full-width masks print in other forms nft chooses.
            if !value::is_bitmask(dt) || mask == m.value() {
                return None;
            }
            let _ = write!(s, " / {}", value::value(self, dt, mask, width)?);
        }
        Some(s)
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
                    // A range nft would print as a prefix is left unprinted.
                    if value::is_prefix_range(&a.to_bytes(), &b.to_bytes()) {
                        return None;
                    }
                    Some(format!("{a}-{b}"))
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
