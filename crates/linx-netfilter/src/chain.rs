//! [`Chain`]: a base chain attached to a hook, or a regular chain reached by jumps.
//!
//! Why `ChainKind::Base(BaseChain)` instead of optional fields: a base chain needs type, hook
//! and priority together, and only base chains have a policy or a device. Putting those in
//! one struct makes "a hook without a priority" unrepresentable in Rust; the serde reader,
//! where such input can occur, reports it as [`Error::IncompleteBaseChain`].
//!
//! # Contract
//! - Family rules ([`Chain::check`], run by [`Table::add_chain`](crate::Table::add_chain)):
//!   the hook exists in the family (§7.1); `nat` only in ip/ip6/inet and not on forward or
//!   ingress; `route` only in ip/ip6/inet (the kernel's `nft_chain_route_inet`) and
//!   only on output; ingress/egress need at least one device (valid names, none twice) and
//!   other hooks refuse devices; a named priority must exist for the family; `hw_offload`
//!   only on base chains.
//! - Devices on the wire, as nft sends them: one device as `NFTA_HOOK_DEV`, several as an
//!   `NFTA_HOOK_DEVS` list. serde: one device is `"device"`, several a `"devices"` list.
//! - Rules keep their order. Rule tags are unique per chain; adding a rule keeps an index of
//!   tags, so adding many tagged rules stays linear.
//! - Rules are checked once: a chain records that its rules passed the rule checks of
//!   [`Table::add_rule`](crate::Table::add_rule) / `add_chain`, and under which family and
//!   chain type and hook; [`Table::validate`](crate::Table::validate) (and so every push)
//!   checks again only chains whose record is gone or no longer matches. Anything that
//!   can change a rule unchecked ([`Chain::rule_mut`], [`Chain::with_rules`], a pull,
//!   deserialization) drops the record; a changed [`Chain::kind`] or another table's family
//!   no longer matches it.
//! - Chain userdata (`NFTA_CHAIN_USERDATA`, where nft keeps a chain's comment) is kept as raw
//!   bytes ([`Chain::userdata`]) and re-sent unchanged; at most 256 bytes
//!   (`NFT_USERDATA_MAXLEN`).
//! - Equality compares name, kind, flags, handle, userdata and rules.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::consts::chain as c;
use crate::consts::limits::NFT_USERDATA_MAXLEN;
use crate::flags::flags;
use crate::validate::{CheckKey, check_ifname, check_name};
use crate::{ChainType, Error, Family, Hook, Policy, Priority, Reason, Rule, TableId};

flags! {
    /// Chain flags (`NFTA_CHAIN_FLAGS`). The kernel's `NFT_CHAIN_BASE` bit is implied by the
    /// chain kind and never stored here.
    ///
    /// ```
    /// use linx_netfilter::ChainFlags;
    /// assert_eq!(ChainFlags::HW_OFFLOAD.bits(), 0x2);
    /// ```
    pub struct ChainFlags, path = "linx_netfilter::ChainFlags", example = "linx_netfilter::ChainFlags::HW_OFFLOAD" {
        /// `hw_offload` (0x2): offload the chain's rules to the NIC (netdev ingress).
        const HW_OFFLOAD = c::NFT_CHAIN_HW_OFFLOAD, "hw_offload";
        /// `binding` (0x4): an anonymous chain bound to a rule (kernel-internal; kept when
        /// decoded).
        const BINDING = c::NFT_CHAIN_BINDING, "binding";
    }
}

impl Default for ChainFlags {
    /// No flags.
    fn default() -> ChainFlags {
        ChainFlags::empty()
    }
}

/// What makes a chain a base chain: where it hooks in and what it does there.
///
/// ```
/// use linx_netfilter::{BaseChain, ChainType, Hook, Policy, Priority};
/// let b = BaseChain::new(ChainType::Filter, Hook::Input, Priority::FILTER);
/// assert_eq!(b.policy, None);
/// assert_eq!(b.to_string(), "type filter hook input priority filter");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseChain {
    /// The chain type.
    pub chain_type: ChainType,
    /// The hook.
    pub hook: Hook,
    /// The priority (resolved per family).
    pub priority: Priority,
    /// The default verdict; `None` sends no policy (the kernel's default, accept).
    pub policy: Option<Policy>,
    /// The devices, for ingress and egress hooks: one (nft's `device "eth0"`) or more
    /// (`devices = { eth0, eth1 }`), in the kernel's order when pulled.
    pub devices: Vec<String>,
}

impl BaseChain {
    /// A base chain without policy or device.
    ///
    /// ```
    /// use linx_netfilter::{BaseChain, ChainType, Hook, Priority};
    /// assert!(BaseChain::new(ChainType::Nat, Hook::Postrouting, Priority::SRCNAT).devices.is_empty());
    /// ```
    pub fn new(chain_type: ChainType, hook: Hook, priority: Priority) -> BaseChain {
        BaseChain {
            chain_type,
            hook,
            priority,
            policy: None,
            devices: Vec::new(),
        }
    }

    /// Checks the family rules of the module contract.
    pub(crate) fn check(&self, family: Family) -> Result<(), Reason> {
        if self.hook.number(family).is_none() {
            return Err(Reason::HookNotInFamily {
                hook: self.hook,
                family,
            });
        }
        match self.chain_type {
            ChainType::Filter => {}
            ChainType::Nat => {
                if !family.is_ip() {
                    return Err(Reason::TypeNotInFamily {
                        chain_type: self.chain_type,
                        family,
                    });
                }
                if matches!(self.hook, Hook::Forward | Hook::Ingress) {
                    return Err(Reason::TypeNotOnHook {
                        chain_type: self.chain_type,
                        hook: self.hook,
                    });
                }
            }
            ChainType::Route => {
                if !family.is_ip() {
                    return Err(Reason::TypeNotInFamily {
                        chain_type: self.chain_type,
                        family,
                    });
                }
                if self.hook != Hook::Output {
                    return Err(Reason::TypeNotOnHook {
                        chain_type: self.chain_type,
                        hook: self.hook,
                    });
                }
            }
        }
        match (self.devices.is_empty(), self.hook.is_per_device()) {
            (true, true) => return Err(Reason::DeviceRequired { hook: self.hook }),
            (false, false) => return Err(Reason::DeviceNotAllowed { hook: self.hook }),
            _ => {}
        }
        let mut seen = HashSet::new();
        for device in &self.devices {
            check_ifname(device)?;
            if !seen.insert(device) {
                return Err(Reason::DuplicateDevice {
                    device: device.clone(),
                });
            }
        }
        self.priority.resolve(family)?;
        Ok(())
    }
}

impl fmt::Display for BaseChain {
    /// nft's chain header: `type filter hook input [device "eth0" | devices = { "eth0",
    /// "eth1" }] priority filter [policy drop]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "type {} hook {}", self.chain_type, self.hook)?;
        match self.devices.as_slice() {
            [] => {}
            [device] => write!(f, " device {device:?}")?,
            devices => {
                f.write_str(" devices = {")?;
                for (i, device) in devices.iter().enumerate() {
                    let sep = if i == 0 { " " } else { ", " };
                    write!(f, "{sep}{device:?}")?;
                }
                f.write_str(" }")?;
            }
        }
        write!(f, " priority {}", self.priority)?;
        if let Some(policy) = self.policy {
            write!(f, " policy {policy}")?;
        }
        Ok(())
    }
}

/// Base or regular.
///
/// ```
/// use linx_netfilter::{ChainKind, Chain};
/// assert_eq!(Chain::regular("web").kind, ChainKind::Regular);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChainKind {
    /// A chain only reached by jump or goto.
    Regular,
    /// A chain attached to a hook.
    Base(BaseChain),
}

/// A chain of rules.
///
/// ```
/// use linx_netfilter::{Chain, ChainType, Hook, Policy, Priority};
/// let c = Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop);
/// assert_eq!(c.name(), "input");
/// assert_eq!(c.to_string(), "Chain<input type filter hook input priority filter policy drop, 0 rules>");
/// ```
#[derive(Debug, Clone)]
pub struct Chain {
    name: String,
    /// Base or regular.
    pub kind: ChainKind,
    /// Flags.
    pub flags: ChainFlags,
    /// The kernel's handle, when pulled.
    pub handle: Option<u64>,
    /// Raw chain userdata (`NFTA_CHAIN_USERDATA`), kept and re-sent as is: nft stores a
    /// chain's `comment` there as a TLV (type 0, NUL-terminated text).
    pub userdata: Option<Vec<u8>>,
    rules: Vec<Rule>,
    /// Tags of `rules`, built on first use and dropped by anything that may change a tag.
    tags: Option<HashSet<String>>,
    /// A builder call that did not fit the chain kind (reported by `check`).
    misuse: Option<Reason>,
    /// The check record: every rule in `rules` passed [`check_rule`](crate::validate) under
    /// this key (it was added through `Table::add_rule` / `add_chain` and not handed out
    /// mutably since), so validation need not check them again. Cleared by anything that
    /// adds unchecked rules or hands one out mutably; not part of equality.
    checked: Option<CheckKey>,
}

impl PartialEq for Chain {
    fn eq(&self, other: &Chain) -> bool {
        self.name == other.name
            && self.kind == other.kind
            && self.flags == other.flags
            && self.handle == other.handle
            && self.userdata == other.userdata
            && self.rules == other.rules
            && self.misuse == other.misuse
    }
}

impl Eq for Chain {}

impl Chain {
    /// A regular chain.
    ///
    /// ```
    /// use linx_netfilter::Chain;
    /// assert!(!Chain::regular("web").is_base());
    /// ```
    pub fn regular(name: impl Into<String>) -> Chain {
        Chain::with_kind(name, ChainKind::Regular)
    }

    /// A base chain without policy or device.
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainType, Hook, Priority};
    /// assert!(Chain::base("pre", ChainType::Nat, Hook::Prerouting, Priority::DSTNAT).is_base());
    /// ```
    pub fn base(
        name: impl Into<String>,
        chain_type: ChainType,
        hook: Hook,
        priority: Priority,
    ) -> Chain {
        Chain::with_kind(
            name,
            ChainKind::Base(BaseChain::new(chain_type, hook, priority)),
        )
    }

    /// A chain of any kind.
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainKind};
    /// assert_eq!(Chain::with_kind("c", ChainKind::Regular), Chain::regular("c"));
    /// ```
    pub fn with_kind(name: impl Into<String>, kind: ChainKind) -> Chain {
        Chain {
            name: name.into(),
            kind,
            flags: ChainFlags::empty(),
            handle: None,
            userdata: None,
            rules: Vec::new(),
            tags: None,
            misuse: None,
            checked: None,
        }
    }

    /// Sets the policy of a base chain. On a regular chain the chain is rejected when
    /// checked ([`Reason::PolicyOnRegularChain`]).
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainType, Hook, Policy, Priority};
    /// let c = Chain::base("in", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop);
    /// assert_eq!(c.as_base().and_then(|b| b.policy), Some(Policy::Drop));
    /// ```
    #[must_use = "builder methods return the changed chain"]
    pub fn policy(mut self, policy: Policy) -> Chain {
        match &mut self.kind {
            ChainKind::Base(base) => base.policy = Some(policy),
            ChainKind::Regular => self.misuse = Some(Reason::PolicyOnRegularChain),
        }
        self
    }

    /// Adds a device to a base chain (ingress/egress hooks); call it again for a chain on
    /// several devices. On a regular chain the chain is rejected when checked
    /// ([`Reason::DeviceOnRegularChain`]).
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainType, Hook, Priority};
    /// let c = Chain::base("in", ChainType::Filter, Hook::Ingress, Priority::FILTER).device("eth0");
    /// assert_eq!(c.as_base().unwrap().devices, ["eth0"]);
    /// let c = c.device("eth1");
    /// assert_eq!(c.as_base().unwrap().devices, ["eth0", "eth1"]);
    /// assert_eq!(
    ///     c.to_string(),
    ///     r#"Chain<in type filter hook ingress devices = { "eth0", "eth1" } priority filter, 0 rules>"#,
    /// );
    /// ```
    #[must_use = "builder methods return the changed chain"]
    pub fn device(mut self, device: impl Into<String>) -> Chain {
        match &mut self.kind {
            ChainKind::Base(base) => base.devices.push(device.into()),
            ChainKind::Regular => self.misuse = Some(Reason::DeviceOnRegularChain),
        }
        self
    }

    /// Sets the flags.
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainFlags};
    /// assert_eq!(Chain::regular("c").flags(ChainFlags::HW_OFFLOAD).flags, ChainFlags::HW_OFFLOAD);
    /// ```
    #[must_use = "builder methods return the changed chain"]
    pub fn flags(mut self, flags: ChainFlags) -> Chain {
        self.flags = flags;
        self
    }

    /// Appends rules (checked when the chain is added to a table).
    ///
    /// ```
    /// use linx_netfilter::{Chain, Rule};
    /// assert_eq!(Chain::regular("c").with_rules([Rule::new([]).accept()]).rules().len(), 1);
    /// ```
    #[must_use = "builder methods return the changed chain"]
    pub fn with_rules(mut self, rules: impl IntoIterator<Item = Rule>) -> Chain {
        if self.rules.is_empty() {
            // A vector given whole is kept, not copied rule by rule.
            self.rules = rules.into_iter().collect();
        } else {
            self.rules.extend(rules);
        }
        self.tags = None;
        self.checked = None;
        self
    }

    /// The name.
    ///
    /// ```
    /// assert_eq!(linx_netfilter::Chain::regular("web").name(), "web");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `true` for a base chain.
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainType, Hook, Priority};
    /// assert!(Chain::base("o", ChainType::Route, Hook::Output, Priority::MANGLE).is_base());
    /// ```
    pub fn is_base(&self) -> bool {
        matches!(self.kind, ChainKind::Base(_))
    }

    /// The base-chain part, if any.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Hook};
    /// assert!(Chain::regular("c").as_base().is_none());
    /// ```
    pub fn as_base(&self) -> Option<&BaseChain> {
        match &self.kind {
            ChainKind::Base(base) => Some(base),
            ChainKind::Regular => None,
        }
    }

    /// The rules, in order.
    ///
    /// ```
    /// assert!(linx_netfilter::Chain::regular("c").rules().is_empty());
    /// ```
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A rule by position, mutably (the tag index is rebuilt on the next add).
    ///
    /// ```
    /// use linx_netfilter::{Chain, Rule};
    /// let mut c = Chain::regular("c").with_rules([Rule::new([])]);
    /// c.rule_mut(0).unwrap().comment = Some("x".into());
    /// assert_eq!(c.rules()[0].comment.as_deref(), Some("x"));
    /// ```
    pub fn rule_mut(&mut self, index: usize) -> Option<&mut Rule> {
        self.tags = None;
        self.checked = None;
        self.rules.get_mut(index)
    }

    /// Removes and returns the rule at `index`.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Rule};
    /// let mut c = Chain::regular("c").with_rules([Rule::new([]).tag("a")]);
    /// assert_eq!(c.remove_rule(0).and_then(|r| r.tag), Some("a".into()));
    /// assert!(c.remove_rule(0).is_none());
    /// ```
    pub fn remove_rule(&mut self, index: usize) -> Option<Rule> {
        if index >= self.rules.len() {
            return None;
        }
        self.tags = None;
        Some(self.rules.remove(index))
    }

    /// The position of the rule tagged `tag`.
    ///
    /// ```
    /// use linx_netfilter::{Chain, Rule};
    /// let c = Chain::regular("c").with_rules([Rule::new([]), Rule::new([]).tag("b")]);
    /// assert_eq!(c.find_tag("b"), Some(1));
    /// assert_eq!(c.find_tag("z"), None);
    /// ```
    pub fn find_tag(&self, tag: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.tag.as_deref() == Some(tag))
    }

    /// Appends a rule after checking that its tag is new in this chain and its userdata
    /// fits; expressions are checked by [`Table::add_rule`](crate::Table::add_rule), which
    /// knows the family and calls this with the key of that check (kept in the check
    /// record while every rule was checked under it). Tag look-ups use an index, so adding
    /// n rules is O(n).
    pub(crate) fn add_rule(
        &mut self,
        table: &TableId,
        rule: Rule,
        checked: CheckKey,
    ) -> Result<&mut Rule, Error> {
        let index = self.rules.len();
        rule.check_userdata().map_err(|reason| Error::BadRule {
            table: table.clone(),
            chain: self.name.clone(),
            index,
            reason,
        })?;
        if let Some(tag) = &rule.tag {
            let rules = &self.rules;
            let tags = self
                .tags
                .get_or_insert_with(|| rules.iter().filter_map(|r| r.tag.clone()).collect());
            if tags.contains(tag) {
                return Err(Error::DuplicateTag {
                    table: table.clone(),
                    chain: self.name.clone(),
                    tag: tag.clone(),
                });
            }
            tags.insert(tag.clone());
        }
        self.checked = match self.checked {
            _ if self.rules.is_empty() => Some(checked),
            Some(key) if key == checked => Some(key),
            _ => None,
        };
        self.rules.push(rule);
        // Just pushed, so the vector is not empty.
        Ok(self.rules.last_mut().expect("rule was just pushed"))
    }

    /// Records that every rule passed the rule check under `key` and that their tags are
    /// unique (what `Table::add_chain` checked in place).
    pub(crate) fn record_checked(&mut self, key: CheckKey) {
        self.checked = Some(key);
    }

    /// `true` when every rule passed the rule check under `key` and none was handed out
    /// mutably since (see the check record).
    pub(crate) fn rules_checked_under(&self, key: CheckKey) -> bool {
        self.checked == Some(key)
    }

    /// Makes room for `n` more pulled rules (a hint from the kernel's count of the chain's
    /// uses, taken before its rules are dumped).
    pub(crate) fn reserve_pulled(&mut self, n: usize) {
        self.rules.reserve_exact(n);
    }

    /// Appends a pulled rule without checks (the kernel's content is taken as it is).
    pub(crate) fn push_pulled(&mut self, rule: Rule) {
        self.tags = None;
        self.checked = None;
        self.rules.push(rule);
    }

    /// Takes the rules out, leaving the chain empty with room for as many.
    pub(crate) fn take_rules(&mut self) -> Vec<Rule> {
        self.tags = None;
        self.checked = None;
        let room = Vec::with_capacity(self.rules.len());
        std::mem::replace(&mut self.rules, room)
    }

    /// Checks the chain (not its rules) for a table of `table.family`.
    ///
    /// # Errors
    /// [`Error::BadChain`].
    ///
    /// ```
    /// use linx_netfilter::{Chain, ChainType, Error, Family, Hook, Priority, Reason, TableId};
    /// let t = TableId::new(Family::Arp, "t");
    /// let c = Chain::base("f", ChainType::Filter, Hook::Forward, Priority::FILTER);
    /// assert!(matches!(c.check(&t), Err(Error::BadChain { reason: Reason::HookNotInFamily { .. }, .. })));
    /// ```
    pub fn check(&self, table: &TableId) -> Result<(), Error> {
        let bad = |reason| Error::BadChain {
            table: table.clone(),
            chain: self.name.clone(),
            reason,
        };
        check_name(&self.name).map_err(bad)?;
        if let Some(userdata) = &self.userdata
            && userdata.len() > NFT_USERDATA_MAXLEN
        {
            return Err(bad(Reason::UserdataTooLong {
                len: userdata.len(),
            }));
        }
        if let Some(reason) = &self.misuse {
            return Err(bad(reason.clone()));
        }
        match &self.kind {
            ChainKind::Base(base) => base.check(table.family).map_err(bad),
            ChainKind::Regular if self.flags.contains(ChainFlags::HW_OFFLOAD) => {
                Err(bad(Reason::OffloadOnRegularChain))
            }
            ChainKind::Regular => Ok(()),
        }
    }
}

impl fmt::Display for Chain {
    /// `Chain<name [type .. hook .. priority .. policy ..], N rules>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Chain<{}", self.name)?;
        if let Some(base) = self.as_base() {
            write!(f, " {base}")?;
        }
        write!(f, ", {} rules>", self.rules.len())
    }
}

/// The serde shape of a chain: flat optional base-chain fields.
#[derive(Serialize)]
struct ChainSer<'a> {
    name: &'a str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    chain_type: Option<ChainType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook: Option<Hook>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<Policy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    devices: &'a [String],
    #[serde(skip_serializing_if = "ChainFlags::is_empty")]
    flags: ChainFlags,
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<u64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::table::opt_hex"
    )]
    userdata: &'a Option<Vec<u8>>,
    rules: &'a [Rule],
}

impl Serialize for Chain {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let base = self.as_base();
        ChainSer {
            name: &self.name,
            chain_type: base.map(|b| b.chain_type),
            hook: base.map(|b| b.hook),
            priority: base.map(|b| b.priority),
            policy: base.and_then(|b| b.policy),
            // One device is written `device`, as before; more are a `devices` list.
            device: match base.map(|b| b.devices.as_slice()) {
                Some([one]) => Some(one.as_str()),
                _ => None,
            },
            devices: match base.map(|b| b.devices.as_slice()) {
                Some(many @ [_, _, ..]) => many,
                _ => &[],
            },
            flags: self.flags,
            handle: self.handle,
            userdata: &self.userdata,
            rules: &self.rules,
        }
        .serialize(serializer)
    }
}

/// The serde shape of a chain, read back.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChainDoc {
    name: String,
    #[serde(rename = "type", default)]
    chain_type: Option<ChainType>,
    #[serde(default)]
    hook: Option<Hook>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    policy: Option<Policy>,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    devices: Vec<String>,
    #[serde(default)]
    flags: ChainFlags,
    #[serde(default)]
    handle: Option<u64>,
    #[serde(default, with = "crate::table::opt_hex")]
    userdata: Option<Vec<u8>>,
    #[serde(default)]
    rules: Vec<Rule>,
}

impl ChainDoc {
    /// Builds the chain; partial base-chain fields and base-only fields on a regular chain
    /// are errors. Rules are not checked here.
    pub(crate) fn into_chain(self, table: &TableId) -> Result<Chain, Error> {
        let kind = match (self.chain_type, self.hook, self.priority) {
            (None, None, None) => {
                let bad = |reason| Error::BadChain {
                    table: table.clone(),
                    chain: self.name.clone(),
                    reason,
                };
                if self.policy.is_some() {
                    return Err(bad(Reason::PolicyOnRegularChain));
                }
                if self.device.is_some() || !self.devices.is_empty() {
                    return Err(bad(Reason::DeviceOnRegularChain));
                }
                ChainKind::Regular
            }
            (Some(chain_type), Some(hook), Some(priority)) => ChainKind::Base(BaseChain {
                chain_type,
                hook,
                priority,
                policy: self.policy,
                devices: self.device.into_iter().chain(self.devices).collect(),
            }),
            (chain_type, hook, _) => {
                let missing = if chain_type.is_none() {
                    "type"
                } else if hook.is_none() {
                    "hook"
                } else {
                    "priority"
                };
                return Err(Error::IncompleteBaseChain {
                    table: table.clone(),
                    chain: self.name,
                    missing,
                });
            }
        };
        let mut chain = Chain::with_kind(self.name, kind).flags(self.flags);
        chain.handle = self.handle;
        chain.userdata = self.userdata;
        chain.rules = self.rules;
        Ok(chain)
    }
}

impl<'de> Deserialize<'de> for Chain {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Chain, D::Error> {
        ChainDoc::deserialize(deserializer)?
            .into_chain(&crate::validate::NO_TABLE)
            .map_err(serde::de::Error::custom)
    }
}
