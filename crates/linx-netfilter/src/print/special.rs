//! The statements of the kernel's special-purpose expressions as nft text: `tproxy`,
//! `synproxy`, `dup`, `fwd` and `ct count`.
//!
//! # Contract
//! - Each prints exactly as nft 1.0.6 lists it, or not at all (`None`): a device index no
//!   interface has is left to the caller's fallback.

use std::fmt::Write;

use super::Printer;
use crate::Family;
use crate::stmt::{Dup, DupMap, Fwd, Statement, Synproxy, Tproxy};

impl Printer {
    /// The text of a `tproxy`, `synproxy`, `dup`, `fwd` or `ct count` statement in a table
    /// of `family`; `None` for other statements and unprintable forms.
    pub(super) fn special_statement(&self, s: &Statement, family: Family) -> Option<String> {
        match s {
            Statement::Tproxy(t) => tproxy(t, family),
            Statement::Synproxy(s) => Some(synproxy(s)),
            Statement::Dup(d) => self.dup(d),
            Statement::Fwd(f) => self.fwd(f),
            Statement::Connlimit { count, over } => Some(connlimit(*count, *over)),
            _ => None,
        }
    }

    /// `"name"` of an interface index, when the printer knows it.
    fn device(&self, index: u32) -> Option<String> {
        self.ifname(u64::from(index)).map(|n| format!("\"{n}\""))
    }

    fn dup(&self, d: &Dup) -> Option<String> {
        match (d.addr, d.device) {
            (Some(a), None) => Some(format!("dup to {a}")),
            (Some(a), Some(dev)) => Some(format!("dup to {a} device {}", self.device(dev)?)),
            (None, Some(dev)) => Some(format!("dup to {}", self.device(dev)?)),
            (None, None) => None,
        }
    }

    /// `dup to <key> map <map> [device "name"]`.
    pub(super) fn dup_map_text(&self, d: &DupMap, table: &crate::Table) -> Option<String> {
        let lookup = self.map_lookup_text(&d.lookup, table)?;
        Some(match d.device {
            None => format!("dup to {lookup}"),
            Some(dev) => format!("dup to {lookup} device {}", self.device(dev)?),
        })
    }

    fn fwd(&self, f: &Fwd) -> Option<String> {
        let dev = self.device(f.device)?;
        Some(match f.addr {
            None => format!("fwd to {dev}"),
            Some(a) => {
                let fam = if a.is_ipv4() { "ip" } else { "ip6" };
                format!("fwd {fam} to {a} device {dev}")
            }
        })
    }
}

/// `ct count [over] N`.
pub(super) fn connlimit(count: u32, over: bool) -> String {
    if over {
        format!("ct count over {count}")
    } else {
        format!("ct count {count}")
    }
}

/// `tproxy [ip|ip6] to addr[:port]` (`[addr]:port` for IPv6), `tproxy to :port`.
fn tproxy(t: &Tproxy, family: Family) -> Option<String> {
    let mut s = String::from("tproxy");
    if family == Family::Inet {
        match t.family() {
            Some(Family::Ip) => s.push_str(" ip"),
            Some(Family::Ip6) => s.push_str(" ip6"),
            _ => {}
        }
    } else if t.family().is_some() {
        return None;
    }
    s.push_str(" to ");
    match (t.addr(), t.port()) {
        (Some(a), None) if a.is_ipv4() => {
            let _ = write!(s, "{a}");
        }
        (Some(a), Some(p)) if a.is_ipv4() => {
            let _ = write!(s, "{a}:{p}");
        }
        (Some(a), Some(p)) => {
            let _ = write!(s, "[{a}]:{p}");
        }
        (Some(a), None) => {
            let _ = write!(s, "[{a}]");
        }
        (None, Some(p)) => {
            let _ = write!(s, ":{p}");
        }
        (None, None) => return None,
    }
    Some(s)
}

/// `synproxy [mss N wscale N] [timestamp] [sack-perm]` (nft 1.0.6 prints `mss 0 wscale 3`
/// for `synproxy wscale 3`).
fn synproxy(s: &Synproxy) -> String {
    let mut out = String::from("synproxy");
    // nft prints both values when either was given.
    if s.mss.is_some() || s.wscale.is_some() {
        let (mss, w) = (s.mss.unwrap_or(0), s.wscale.unwrap_or(0));
        let _ = write!(out, " mss {mss} wscale {w}");
    }
    if s.timestamp {
        out.push_str(" timestamp");
    }
    if s.sack_perm {
        out.push_str(" sack-perm");
    }
    out
}

#[cfg(test)]
mod tests {
    use linx_ip::ip;

    use super::super::value;
    use super::*;
    use crate::stmt::{Datatype, Value};

    #[test]
    fn statements_print_as_nft_lists_them() {
        let p = Printer::new().with_ifname(1, "lo");
        let text = |s: Statement, f: Family| p.special_statement(&s, f);
        let t = |fam, a, port| Statement::Tproxy(Tproxy::new(fam, a, port).unwrap());
        assert_eq!(
            text(
                t(Some(Family::Ip), Some(ip!("127.0.0.1")), Some(3128)),
                Family::Inet
            )
            .unwrap(),
            "tproxy ip to 127.0.0.1:3128"
        );
        assert_eq!(
            text(t(None, Some(ip!("::1")), None), Family::Ip6).unwrap(),
            "tproxy to [::1]"
        );
        assert_eq!(
            text(t(None, None, Some(53)), Family::Inet).unwrap(),
            "tproxy to :53"
        );
        // A family is the table's outside inet, never printed there.
        assert!(text(t(Some(Family::Ip), None, Some(53)), Family::Ip).is_none());
        let syn = |mss, wscale, timestamp| Synproxy {
            mss,
            wscale,
            timestamp,
            sack_perm: false,
        };
        assert_eq!(
            synproxy(&syn(None, Some(3), false)),
            "synproxy mss 0 wscale 3"
        );
        assert_eq!(synproxy(&syn(None, None, true)), "synproxy timestamp");
        let dup = |addr, device| Statement::Dup(Dup { addr, device });
        assert_eq!(
            text(dup(Some(ip!("10.0.0.4")), Some(1)), Family::Ip).unwrap(),
            "dup to 10.0.0.4 device \"lo\""
        );
        assert_eq!(
            text(dup(None, Some(1)), Family::Netdev).unwrap(),
            "dup to \"lo\""
        );
        // An index no interface has: not printed.
        assert!(text(dup(Some(ip!("10.0.0.4")), Some(7)), Family::Ip).is_none());
        let fwd = Statement::Fwd(Fwd {
            device: 1,
            addr: Some(ip!("fe80::1")),
        });
        assert_eq!(
            text(fwd, Family::Netdev).unwrap(),
            "fwd ip6 to fe80::1 device \"lo\""
        );
        assert_eq!(connlimit(5, true), "ct count over 5");
    }

    #[test]
    fn time_keys_print_in_utc() {
        let p = Printer::new();
        let v = |dt, n| value::value(&p, dt, &Value::Int(n), 64);
        assert_eq!(v(Datatype::Hour, 63_000).unwrap(), "\"17:30\"");
        assert_eq!(v(Datatype::Hour, 63_015).unwrap(), "\"17:30:15\"");
        assert!(v(Datatype::Hour, 86_400).is_none());
        assert_eq!(
            v(Datatype::Date, 1_893_456_000_000_000_000).unwrap(),
            "\"2030-01-01 00:00:00\""
        );
        assert_eq!(
            v(Datatype::Date, 1_656_590_400_000_000_000).unwrap(),
            "\"2022-06-30 12:00:00\""
        );
        assert_eq!(v(Datatype::Date, 0).unwrap(), "\"1970-01-01 00:00:00\"");
        assert!(v(Datatype::Date, 1).is_none());
        assert!(v(Datatype::Date, u64::MAX).is_none());
        assert_eq!(v(Datatype::Realm, 0).unwrap(), "\"cosmos\"");
        assert_eq!(v(Datatype::FibAddr, 6).unwrap(), "blackhole");
        assert!(v(Datatype::Cgroupv2, 1).is_none());
    }
}
