//! The builder a rule verb takes ([`RuleSpec`]), the checks it makes before anything is
//! sent, and the [`Rule`] it turns into.
//!
//! # Contract
//! - A builder with private fields; a bad prefix is kept and reported by
//!   [`RuleSpec::validate`] with the other input errors, before anything is sent.
//! - The family comes from the address selectors (IPv4 when there are none).

use std::fmt;

use linx_ip::{Family, IpError, Subnet};

use super::message::{FIB_RULE_INVERT, Rule, RuleAction};
use crate::error::Error;
use crate::ifindex::IFNAMSIZ;
use crate::types::{IntoCidr, Protocol, TableName};

/// A rule to add or delete, in `ip rule` terms. Build it, then pass it to [`add`](super::add) or
/// [`delete`](super::delete) (or the pure [`add_request`](super::add_request) /
/// [`delete_request`](super::delete_request)).
///
/// A look-up rule (the default action) needs a [`table`](Self::table); the family is taken
/// from `from`/`to` (IPv4 when neither is given, or [`family`](Self::family)).
///
/// ```
/// use linx_rtnl::rule::RuleSpec;
/// let spec = RuleSpec::new().from("10.0.0.0/8").table(100).priority(1000);
/// assert_eq!(spec.build()?.to_string(), "Rule<1000: from 10.0.0.0/8 lookup 100>");
/// assert!(RuleSpec::new().fwmark(1).build().is_err()); // no table
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "a RuleSpec does nothing until passed to rule::add / delete"]
pub struct RuleSpec {
    from: Option<Subnet>,
    to: Option<Subnet>,
    fwmark: Option<u32>,
    fwmask: Option<u32>,
    priority: Option<u32>,
    table: Option<u32>,
    iif: Option<String>,
    oif: Option<String>,
    action: Option<RuleAction>,
    goto: Option<u32>,
    protocol: Option<Protocol>,
    family: Option<Family>,
    invert: bool,
    error: Option<IpError>,
}

impl RuleSpec {
    /// An empty spec (matches every packet; add a table or an action).
    pub fn new() -> Self {
        Self::default()
    }

    fn keep(&mut self, r: Result<Subnet, IpError>) -> Option<Subnet> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    /// Match the source prefix (a bare address is its full-width prefix).
    pub fn from(mut self, from: impl IntoCidr) -> Self {
        self.from = self.keep(from.into_cidr());
        self
    }
    /// Match the destination prefix (a bare address is its full-width prefix).
    pub fn to(mut self, to: impl IntoCidr) -> Self {
        self.to = self.keep(to.into_cidr());
        self
    }
    /// Match the firewall mark exactly.
    pub fn fwmark(mut self, mark: u32) -> Self {
        self.fwmark = Some(mark);
        self
    }
    /// Match `mark & mask == mark`.
    pub fn fwmark_mask(mut self, mark: u32, mask: u32) -> Self {
        self.fwmark = Some(mark);
        self.fwmask = Some(mask);
        self
    }
    /// Priority (position; lower runs first). Unset: the kernel picks one below the
    /// lowest non-zero existing priority.
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }
    /// Table to look up in (1..=2^32-1); required for the look-up action.
    pub fn table(mut self, table: u32) -> Self {
        self.table = Some(table);
        self
    }
    /// Match packets arriving on interface `name`.
    pub fn iif(mut self, name: impl Into<String>) -> Self {
        self.iif = Some(name.into());
        self
    }
    /// Match packets leaving through interface `name` (socket-bound / VRF lookups).
    pub fn oif(mut self, name: impl Into<String>) -> Self {
        self.oif = Some(name.into());
        self
    }
    /// The action (default [`RuleAction::ToTable`] when adding; any when deleting).
    pub fn action(mut self, action: RuleAction) -> Self {
        self.action = Some(action);
        self
    }
    /// Jump to the rule with priority `target` ([`RuleAction::Goto`]).
    pub fn goto(mut self, target: u32) -> Self {
        self.action = Some(RuleAction::Goto);
        self.goto = Some(target);
        self
    }
    /// Protocol tag (`FRA_PROTOCOL`).
    pub fn protocol(mut self, protocol: impl Into<Protocol>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }
    /// The family, when no address selector gives it (checked against them).
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }
    /// Negate the selectors (`ip rule add not ...`).
    pub fn invert(mut self) -> Self {
        self.invert = true;
        self
    }

    /// Check everything that can be checked without the kernel; returns the family.
    ///
    /// ```
    /// use linx_rtnl::{Error, rule::RuleSpec};
    /// assert!(matches!(RuleSpec::new().validate(), Err(Error::MissingOption("table"))));
    /// assert!(matches!(
    ///     RuleSpec::new().from("10.0.0.0/8").to("fd00::/8").table(1).validate(),
    ///     Err(Error::FamilyMismatch(_))
    /// ));
    /// ```
    pub fn validate(&self) -> Result<Family, Error> {
        if let Some(e) = &self.error {
            return Err(Error::Ip(e.clone()));
        }
        let action = self.action.unwrap_or(RuleAction::ToTable);
        match self.table {
            None if action == RuleAction::ToTable => return Err(Error::MissingOption("table")),
            Some(0) => {
                return Err(Error::BadOption {
                    name: "table",
                    value: "0 (must be 1..=4294967295)".into(),
                });
            }
            _ => {}
        }
        if action == RuleAction::Goto && self.goto.is_none() {
            return Err(Error::MissingOption("goto"));
        }
        for (what, name) in [("iif", &self.iif), ("oif", &self.oif)] {
            if let Some(n) = name {
                if n.is_empty() || n.len() >= IFNAMSIZ || n.contains('\0') {
                    return Err(Error::BadOption {
                        name: what,
                        value: format!("{n:?} (an interface name is 1 to 15 bytes, no NUL)"),
                    });
                }
            }
        }
        let mut fam = self.family.map(|f| (f, format!("family {f}")));
        for (what, s) in [("from", self.from), ("to", self.to)] {
            let Some(s) = s else { continue };
            match &fam {
                Some((g, w)) if *g != s.family() => {
                    return Err(Error::FamilyMismatch(format!(
                        "{w} is {g} but {what} {s} is {}",
                        s.family()
                    )));
                }
                Some(_) => {}
                None => fam = Some((s.family(), format!("{what} {s}"))),
            }
        }
        Ok(fam.map_or(Family::Inet, |(f, _)| f))
    }

    /// The rule [`add`](super::add) sends (also the desired-state value to compare with
    /// [`list`](super::list)).
    ///
    /// ```
    /// use linx_rtnl::rule::RuleSpec;
    /// let r = RuleSpec::new().fwmark_mask(1, 0xff).table(1000).build()?;
    /// assert_eq!((r.header_table, r.table_ext), (0, Some(1000)));
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn build(&self) -> Result<Rule, Error> {
        self.to_rule(false)
    }

    pub(super) fn to_rule(&self, delete: bool) -> Result<Rule, Error> {
        let family = self.validate()?;
        let action = self.action.unwrap_or(if delete {
            RuleAction::Unspec
        } else {
            RuleAction::ToTable
        });
        let (header_table, table_ext) = match self.table.map(u8::try_from) {
            None => (0, None),
            Some(Ok(t)) => (t, None),
            Some(Err(_)) => (0, self.table),
        };
        Ok(Rule {
            family: family.af(),
            dst_len: self.to.map_or(0, |s| s.prefix()),
            src_len: self.from.map_or(0, |s| s.prefix()),
            header_table,
            action,
            flags: if self.invert { FIB_RULE_INVERT } else { 0 },
            dst: self.to.map(|s| s.address()),
            src: self.from.map(|s| s.address()),
            iif: self.iif.clone(),
            oif: self.oif.clone(),
            goto: self.goto,
            priority: self.priority,
            fwmark: self.fwmark,
            fwmask: self.fwmask,
            table_ext,
            protocol: self.protocol,
            ..Default::default()
        })
    }
}

impl fmt::Display for RuleSpec {
    /// `ip rule`-like: `from 10.0.0.0/8 fwmark 0x1 pref 1000 table 100`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.invert {
            parts.push("not".into());
        }
        if let Some(s) = self.from {
            parts.push(format!("from {s}"));
        }
        if let Some(s) = self.to {
            parts.push(format!("to {s}"));
        }
        if let Some(m) = self.fwmark {
            match self.fwmask {
                Some(k) => parts.push(format!("fwmark {m:#x}/{k:#x}")),
                None => parts.push(format!("fwmark {m:#x}")),
            }
        }
        if let Some(i) = &self.iif {
            parts.push(format!("iif {i}"));
        }
        if let Some(o) = &self.oif {
            parts.push(format!("oif {o}"));
        }
        if let Some(p) = self.priority {
            parts.push(format!("pref {p}"));
        }
        if let Some(t) = self.table {
            parts.push(format!("table {}", TableName(t)));
        }
        if parts.is_empty() {
            parts.push("all".into());
        }
        f.write_str(&parts.join(" "))
    }
}
