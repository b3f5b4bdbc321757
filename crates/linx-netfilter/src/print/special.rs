//! The statements of the kernel's special-purpose expressions as nft text: `tproxy`,
//! `synproxy`, `dup`, `fwd` and `ct count`.
//!
//! # Contract
//! - Each prints exactly as nft 1.0.6 lists it, or not at all (`None`): a device index no
//!   interface has is left to the caller's fallback.

use std::fmt::Write;

use super::Printer;
use crate::Family;
use crate::stmt::{Dup, Fwd, Statement, Synproxy, Tproxy};

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
