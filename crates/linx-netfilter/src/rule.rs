//! [`Rule`]: a list of expressions with an optional tag and comment.
//!
//! Why tags: the kernel identifies rules only by a handle it assigns, which changes when a
//! rule is re-created. A tag is the caller's stable name for a rule, stored in the rule's
//! userdata (TLV type 16, next to nft's comment type 0), so a desired ruleset can be diffed
//! against a pulled one rule by rule and changed with one in-place replace.
//!
//! # Contract
//! - Builders append: [`Rule::expr`], [`Rule::exprs`]; verdict sugar ([`Rule::accept`],
//!   [`Rule::verdict`], ...) appends an immediate-verdict expression. [`Rule::new`] and
//!   `exprs` size the expression vector for what they are given plus one closing verdict, the
//!   verdict sugar for exactly one more: rules are built once and kept, so doubled capacity
//!   would only cost memory, and a typical rule is allocated twice instead of three times.
//! - Userdata limits (checked when the rule is added): comment ≤ 253 bytes, tag non-empty,
//!   neither contains NUL, and both TLVs together fit 256 bytes. Tags are unique per chain.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::consts::limits::NFT_USERDATA_MAXLEN;
use crate::validate::check_comment;
use crate::{Expr, Family, Reason, Verdict};

/// A rule: expressions run in order until one does not match or a verdict is reached.
///
/// ```
/// use linx_netfilter::{Expr, Rule};
/// let rule = Rule::new(Expr::meta_l4proto_eq(6))
///     .exprs(Expr::tcp_dport_eq(22))
///     .expr(Expr::counter())
///     .accept()
///     .tag("ssh")
///     .comment("allow ssh");
/// assert_eq!(rule.exprs.len(), 6);
/// assert_eq!(rule.tag.as_deref(), Some("ssh"));
/// ```
#[derive(Debug, Clone, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The expressions, in order.
    pub exprs: Vec<Expr>,
    /// The caller's stable id of the rule, unique in its chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// A comment (≤ 253 bytes), as `nft ... comment "..."`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The kernel's handle, when pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<u64>,
    /// Built as raw expressions ([`Rule::raw`]): validation does not ask for the protocol
    /// matches before header loads (`meta l4proto tcp` before `tcp dport`). Pull sets it on
    /// exactly the rules that lack them (nft's `th dport 22`, raw `@nh` payloads, other
    /// tools' rules), so a pulled ruleset pushes back unchanged. Not part of a rule's
    /// identity: `==` ignores it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw: bool,
}

impl PartialEq for Rule {
    /// Same expressions, tag, comment and handle ([`Rule::raw`] is how a rule is checked,
    /// not what it is).
    fn eq(&self, other: &Rule) -> bool {
        self.exprs == other.exprs
            && self.tag == other.tag
            && self.comment == other.comment
            && self.handle == other.handle
    }
}

impl Rule {
    /// A rule of `exprs` without tag, comment or handle.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule};
    /// assert_eq!(Rule::new([Expr::counter()]).exprs, [Expr::counter()]);
    /// assert!(Rule::new([]).exprs.is_empty());
    /// ```
    pub fn new(exprs: impl IntoIterator<Item = Expr>) -> Rule {
        let exprs = exprs.into_iter();
        // Room for what is given and the usual closing verdict (see the module contract).
        let mut all = Vec::with_capacity(exprs.size_hint().0 + 1);
        all.extend(exprs);
        Rule {
            exprs: all,
            tag: None,
            comment: None,
            handle: None,
            raw: false,
        }
    }

    /// A rule of raw expressions, exempt from the protocol-match check: its header loads
    /// need no `meta l4proto` / `meta nfproto` before them (an expert's `@th,16,16`, or a
    /// port match meant for any transport protocol).
    ///
    /// ```
    /// use linx_netfilter::{Expr, Family, Rule, Table, Chain};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_chain(Chain::regular("c"))?;
    /// // `tcp dport 22` without `meta l4proto tcp`: any protocol's bytes 2-3.
    /// assert!(t.add_rule("c", Rule::new(Expr::tcp_dport_eq(22))).is_err());
    /// t.add_rule("c", Rule::raw(Expr::tcp_dport_eq(22)))?;
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn raw(exprs: impl IntoIterator<Item = Expr>) -> Rule {
        Rule {
            raw: true,
            ..Rule::new(exprs)
        }
    }

    /// Appends one expression.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule};
    /// assert_eq!(Rule::new([]).expr(Expr::counter()).exprs.len(), 1);
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn expr(mut self, expr: Expr) -> Rule {
        self.exprs.push(expr);
        self
    }

    /// Appends expressions (e.g. a helper's list).
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule, expr::nat::dnat_to};
    /// use linx_ip::ip;
    /// let r = Rule::new(Expr::tcp_dport_eq(80)).exprs(dnat_to(ip!("10.0.0.2"), None));
    /// assert_eq!(r.exprs.len(), 4);
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn exprs(mut self, exprs: impl IntoIterator<Item = Expr>) -> Rule {
        // Grow by exactly what is appended plus the closing verdict: a rule is built once and
        // kept (10k rules with doubled capacity would hold megabytes of unused slots). Only
        // while the rule is short: a rule built from many calls grows amortized instead of
        // reallocating on each.
        let exprs = exprs.into_iter();
        let more = exprs.size_hint().0 + 1;
        if self.exprs.len() + more <= 16 {
            self.exprs.reserve_exact(more);
        } else {
            self.exprs.reserve(more);
        }
        self.exprs.extend(exprs);
        self
    }

    /// Appends an immediate verdict.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule, Verdict};
    /// let r = Rule::new([]).verdict(Verdict::Jump("web".into()));
    /// assert_eq!(r.exprs, [Expr::jump("web")]);
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn verdict(mut self, verdict: Verdict) -> Rule {
        // Usually the last expression: room for exactly one more (usually there already).
        self.exprs.reserve_exact(1);
        self.expr(Expr::verdict(verdict))
    }

    /// Appends `accept`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule};
    /// assert_eq!(Rule::new([]).accept().exprs, [Expr::accept()]);
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn accept(self) -> Rule {
        self.verdict(Verdict::Accept)
    }

    /// Appends `drop`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule};
    /// assert_eq!(Rule::new([]).drop().exprs, [Expr::drop()]);
    /// ```
    #[must_use = "builder methods return the changed rule"]
    #[allow(clippy::should_implement_trait)] // verdict sugar, not Drop::drop
    pub fn drop(self) -> Rule {
        self.verdict(Verdict::Drop)
    }

    /// Appends `jump chain`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule};
    /// assert_eq!(Rule::new([]).jump("c").exprs, [Expr::jump("c")]);
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn jump(self, chain: impl Into<String>) -> Rule {
        self.verdict(Verdict::Jump(chain.into()))
    }

    /// Appends `goto chain`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Rule};
    /// assert_eq!(Rule::new([]).goto("c").exprs, [Expr::goto("c")]);
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn goto(self, chain: impl Into<String>) -> Rule {
        self.verdict(Verdict::Goto(chain.into()))
    }

    /// Sets the tag.
    ///
    /// ```
    /// use linx_netfilter::Rule;
    /// assert_eq!(Rule::new([]).tag("ssh").tag.as_deref(), Some("ssh"));
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn tag(mut self, tag: impl Into<String>) -> Rule {
        self.tag = Some(tag.into());
        self
    }

    /// Sets the comment.
    ///
    /// ```
    /// use linx_netfilter::Rule;
    /// assert_eq!(Rule::new([]).comment("hi").comment.as_deref(), Some("hi"));
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn comment(mut self, comment: impl Into<String>) -> Rule {
        self.comment = Some(comment.into());
        self
    }

    /// Sets the handle (for pulled rules, or an in-place replace).
    ///
    /// ```
    /// use linx_netfilter::Rule;
    /// assert_eq!(Rule::new([]).handle(5).handle, Some(5));
    /// ```
    #[must_use = "builder methods return the changed rule"]
    pub fn handle(mut self, handle: u64) -> Rule {
        self.handle = Some(handle);
        self
    }

    /// Bytes of userdata the tag and comment need: per present field, a 2-byte TLV header,
    /// the text and a NUL.
    ///
    /// ```
    /// use linx_netfilter::Rule;
    /// assert_eq!(Rule::new([]).userdata_len(), 0);
    /// assert_eq!(Rule::new([]).tag("ab").comment("c").userdata_len(), (2 + 2 + 1) + (2 + 1 + 1));
    /// ```
    pub fn userdata_len(&self) -> usize {
        [&self.tag, &self.comment]
            .into_iter()
            .flatten()
            .map(|text| 2 + text.len() + 1)
            .sum()
    }

    /// Checks the userdata fields: comment ≤ 253 bytes, tag non-empty, no NUL, both fit.
    #[inline]
    pub(crate) fn check_userdata(&self) -> Result<(), Reason> {
        if self.tag.is_none() && self.comment.is_none() {
            // Most rules: nothing to check (this runs for every rule, twice per push).
            return Ok(());
        }
        self.check_userdata_fields()
    }

    /// [`check_userdata`](Self::check_userdata) when there is a tag or a comment.
    fn check_userdata_fields(&self) -> Result<(), Reason> {
        if let Some(comment) = &self.comment {
            check_comment(comment)?;
        }
        if let Some(tag) = &self.tag {
            if tag.is_empty() {
                return Err(Reason::EmptyTag);
            }
            if tag.contains('\0') {
                return Err(Reason::NulByte);
            }
        }
        let len = self.userdata_len();
        if len > NFT_USERDATA_MAXLEN {
            return Err(Reason::UserdataTooLong { len });
        }
        Ok(())
    }

    /// A `Display` of this rule with its location: `Rule<inet/filter/input #5 tag=ssh: ...>`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Family, Rule};
    /// let r = Rule::new([Expr::counter()]).accept().tag("ssh").handle(5);
    /// assert_eq!(
    ///     r.display_in(Family::Inet, "filter", "input").to_string(),
    ///     "Rule<inet/filter/input #5 tag=ssh: counter pkts 0 bytes 0; immediate reg 0 accept>",
    /// );
    /// ```
    pub fn display_in<'a>(
        &'a self,
        family: Family,
        table: &'a str,
        chain: &'a str,
    ) -> impl fmt::Display + 'a {
        RuleDisplay {
            rule: self,
            location: Some((family, table, chain)),
        }
    }
}

/// `Display` adaptor of a rule, optionally with its location.
struct RuleDisplay<'a> {
    rule: &'a Rule,
    location: Option<(Family, &'a str, &'a str)>,
}

impl fmt::Display for RuleDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = self.rule;
        f.write_str("Rule<")?;
        let mut head = Vec::new();
        if let Some((family, table, chain)) = self.location {
            head.push(format!("{family}/{table}/{chain}"));
        }
        if let Some(handle) = rule.handle {
            head.push(format!("#{handle}"));
        }
        if let Some(tag) = &rule.tag {
            head.push(format!("tag={tag}"));
        }
        if let Some(comment) = &rule.comment {
            head.push(format!("comment={comment:?}"));
        }
        f.write_str(&head.join(" "))?;
        if !head.is_empty() {
            f.write_str(": ")?;
        }
        for (i, expr) in rule.exprs.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{expr}")?;
        }
        f.write_str(">")
    }
}

impl fmt::Display for Rule {
    /// `Rule<#5 tag=ssh: expr; expr; ...>` (see [`Rule::display_in`] for the located form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RuleDisplay {
            rule: self,
            location: None,
        }
        .fmt(f)
    }
}
