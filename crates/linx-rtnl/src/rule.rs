//! Policy-routing rules (`ip rule`): list, add and delete.
//!
//! A rule picks the routing table a packet is looked up in, by its source and destination
//! prefix, firewall mark, input/output interface ... Messages are `RTM_NEWRULE` /
//! `RTM_DELRULE` / `RTM_GETRULE` with a `struct fib_rule_hdr` header and `FRA_*` attributes:
//!
//! ```text
//!  0        1         2         3     4       5      6      7        8            12
//! +--------+---------+---------+-----+-------+------+------+--------+------------+--------------+
//! | family | dst_len | src_len | tos | table | res1 | res2 | action | flags u32  | FRA_* attrs..|
//! +--------+---------+---------+-----+-------+------+------+--------+------------+--------------+
//!   all host order (<linux/fib_rules.h>); addresses inside attributes are network order
//! ```
//!
//! Why this shape: a rule is mostly selectors, and a [`RuleSpec`] names them the way
//! `ip rule add` does; the family follows from the address selectors (IPv4 when there are
//! none), so mixing families is caught before anything is sent. Decoded [`Rule`]s keep every
//! attribute like [`Route`](crate::route::Route)s do.
//!
//! # Contract
//! - Decoding is lossless: `emit(parse(bytes)) == bytes` for every rule message the kernel
//!   sends; unmodelled attributes (`FRA_SUPPRESS_PREFIXLEN`, `FRA_UID_RANGE`, port ranges
//!   ...) and duplicates stay in [`Rule::other`], the order in [`Rule::wire_order`].
//!   Interface names are typed only when they are UTF-8 with one trailing NUL, else raw.
//! - [`Rule::parse`] never panics; a modelled attribute with a malformed value is a
//!   [`DecodeError`] naming it.
//! - Input errors come before anything is sent: a look-up rule without table is
//!   [`Error::MissingOption`]`("table")`, selectors of two families
//!   [`Error::FamilyMismatch`], a bad prefix [`Error::Ip`], a bad interface name
//!   [`Error::BadOption`]. Duplicates are `EEXIST` from the kernel; deleting a rule that is
//!   not there is `ENOENT`.
//! - Tables above 255 travel in `FRA_TABLE` with the header's table 0, as iproute2 sends
//!   them. Interface names go to the kernel as names (a rule may name an interface that does
//!   not exist yet).
//! - [`list`] dumps every family (`AF_UNSPEC`): IPv4, IPv6, and the multicast-routing rules
//!   (families 128/129) when the kernel has them.
//! - Out of scope: uid ranges, L4 port and protocol selectors, tun_id, l3mdev (kept raw when
//!   decoded, never built).
//!
//! # See also
//! ip-rule(8), `<linux/fib_rules.h>`.

use std::fmt;

use linx_ip::{Family, Ip, IpError, Subnet};
use linx_netlink_codec::consts::{
    AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE,
};
use linx_netlink_codec::{
    AttrWriter, Call, DecodeCx, DecodeError, Dumped, Errno, FixedHeader, MsgView, NlBuffer, NulStr,
    RawAttrs, Request, WireOrder, nl_header, typed_attrs,
};

use crate::codecs::Addr;
use crate::error::Error;
use crate::types::{IntoCidr, Protocol, TableName};
use crate::verb::verb;

/// `FRA_DST`: destination prefix (length in `dst_len`).
pub const FRA_DST: u16 = 1;
/// `FRA_SRC`: source prefix (length in `src_len`).
pub const FRA_SRC: u16 = 2;
/// `FRA_IIFNAME`: input interface name.
pub const FRA_IIFNAME: u16 = 3;
/// `FRA_GOTO`: target rule priority of a goto action.
pub const FRA_GOTO: u16 = 4;
/// `FRA_PRIORITY`: the rule's priority (its position; lower first).
pub const FRA_PRIORITY: u16 = 6;
/// `FRA_FWMARK`: firewall mark to match.
pub const FRA_FWMARK: u16 = 10;
/// `FRA_FLOW`: routing realm (IPv4).
pub const FRA_FLOW: u16 = 11;
/// `FRA_TUN_ID`: tunnel id.
pub const FRA_TUN_ID: u16 = 12;
/// `FRA_SUPPRESS_IFGROUP`.
pub const FRA_SUPPRESS_IFGROUP: u16 = 13;
/// `FRA_SUPPRESS_PREFIXLEN`: ignore look-up results with this prefix length or shorter.
pub const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
/// `FRA_TABLE`: the full 32-bit table id.
pub const FRA_TABLE: u16 = 15;
/// `FRA_FWMASK`: mask applied to the mark before matching.
pub const FRA_FWMASK: u16 = 16;
/// `FRA_OIFNAME`: output interface name (VRF / socket-bound lookups).
pub const FRA_OIFNAME: u16 = 17;
/// `FRA_L3MDEV`: look up in the l3mdev (VRF) table.
pub const FRA_L3MDEV: u16 = 19;
/// `FRA_UID_RANGE`: uid range.
pub const FRA_UID_RANGE: u16 = 20;
/// `FRA_PROTOCOL`: who installed the rule (`RTPROT_*`).
pub const FRA_PROTOCOL: u16 = 21;
/// `FRA_IP_PROTO`: L4 protocol.
pub const FRA_IP_PROTO: u16 = 22;
/// `FRA_SPORT_RANGE`: source port range.
pub const FRA_SPORT_RANGE: u16 = 23;
/// `FRA_DPORT_RANGE`: destination port range.
pub const FRA_DPORT_RANGE: u16 = 24;

/// `FR_ACT_UNSPEC`: no action (in a delete: any).
pub const FR_ACT_UNSPEC: u8 = 0;
/// `FR_ACT_TO_TBL`: look up in the rule's table.
pub const FR_ACT_TO_TBL: u8 = 1;
/// `FR_ACT_GOTO`: jump to the rule with priority `FRA_GOTO`.
pub const FR_ACT_GOTO: u8 = 2;
/// `FR_ACT_NOP`: do nothing.
pub const FR_ACT_NOP: u8 = 3;
/// `FR_ACT_BLACKHOLE`: drop silently.
pub const FR_ACT_BLACKHOLE: u8 = 6;
/// `FR_ACT_UNREACHABLE`: drop with ICMP unreachable.
pub const FR_ACT_UNREACHABLE: u8 = 7;
/// `FR_ACT_PROHIBIT`: drop with ICMP prohibited.
pub const FR_ACT_PROHIBIT: u8 = 8;

nl_header! {
    /// `struct fib_rule_hdr` (`<linux/fib_rules.h>`), 12 bytes, host order.
    ///
    /// ```
    /// use linx_netlink_codec::FixedHeader;
    /// use linx_rtnl::rule::FibRuleHdr;
    /// let h = FibRuleHdr::parse(&[2, 0, 8, 0, 100, 0, 0, 1, 0, 0, 0, 0]).unwrap();
    /// assert_eq!((h.family, h.src_len, h.table, h.action), (2, 8, 100, 1));
    /// ```
    pub struct FibRuleHdr[12] {
        /// Address family: `AF_INET`, `AF_INET6` (`AF_UNSPEC` in a dump of all).
        pub family: u8 [0] ne,
        /// Destination prefix length.
        pub dst_len: u8 [1] ne,
        /// Source prefix length.
        pub src_len: u8 [2] ne,
        /// TOS to match.
        pub tos: u8 [3] ne,
        /// Table id when it fits (see `FRA_TABLE`).
        pub table: u8 [4] ne,
        /// Reserved.
        pub res1: u8 [5] ne,
        /// Reserved.
        pub res2: u8 [6] ne,
        /// `FR_ACT_*`.
        pub action: u8 [7] ne,
        /// `FIB_RULE_*` flags (`FIB_RULE_INVERT` 0x2 = `not`).
        pub flags: u32 [8] ne,
    }
}

/// What a matching rule does (`action`, `FR_ACT_*`).
///
/// ```
/// use linx_rtnl::rule::RuleAction;
/// assert_eq!(RuleAction::from(1), RuleAction::ToTable);
/// assert_eq!(u8::from(RuleAction::Blackhole), 6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum RuleAction {
    /// `FR_ACT_UNSPEC` (0).
    #[default]
    Unspec,
    /// `FR_ACT_TO_TBL` (1): look up in the rule's table.
    ToTable,
    /// `FR_ACT_GOTO` (2): continue at rule `goto`.
    Goto,
    /// `FR_ACT_NOP` (3).
    Nop,
    /// `FR_ACT_BLACKHOLE` (6).
    Blackhole,
    /// `FR_ACT_UNREACHABLE` (7).
    Unreachable,
    /// `FR_ACT_PROHIBIT` (8).
    Prohibit,
    /// A value not listed above.
    Other(u8),
}

impl From<u8> for RuleAction {
    fn from(v: u8) -> Self {
        match v {
            FR_ACT_UNSPEC => Self::Unspec,
            FR_ACT_TO_TBL => Self::ToTable,
            FR_ACT_GOTO => Self::Goto,
            FR_ACT_NOP => Self::Nop,
            FR_ACT_BLACKHOLE => Self::Blackhole,
            FR_ACT_UNREACHABLE => Self::Unreachable,
            FR_ACT_PROHIBIT => Self::Prohibit,
            n => Self::Other(n),
        }
    }
}

impl From<RuleAction> for u8 {
    fn from(v: RuleAction) -> u8 {
        match v {
            RuleAction::Unspec => FR_ACT_UNSPEC,
            RuleAction::ToTable => FR_ACT_TO_TBL,
            RuleAction::Goto => FR_ACT_GOTO,
            RuleAction::Nop => FR_ACT_NOP,
            RuleAction::Blackhole => FR_ACT_BLACKHOLE,
            RuleAction::Unreachable => FR_ACT_UNREACHABLE,
            RuleAction::Prohibit => FR_ACT_PROHIBIT,
            RuleAction::Other(n) => n,
        }
    }
}

/// A policy-routing rule as the kernel reports it (or as a request carries it).
///
/// `{}` and `{:?}` print the short form in `ip rule` style, `Rule<1000: from 10.0.0.0/8
/// lookup 100>`; `{:#?}` prints every field.
///
/// ```
/// use linx_ip::ip;
/// use linx_rtnl::rule::{Rule, RuleAction};
/// let r = Rule {
///     family: 2,
///     src_len: 8,
///     src: Some(ip!("10.0.0.0")),
///     priority: Some(1000),
///     header_table: 100,
///     action: RuleAction::ToTable,
///     ..Default::default()
/// };
/// assert_eq!(r.to_string(), "Rule<1000: from 10.0.0.0/8 lookup 100>");
/// let mut bytes = Vec::new();
/// r.emit(&mut bytes)?;
/// assert_eq!(Rule::parse(&bytes)?, r);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Rule {
    /// Address family: 2 (`AF_INET`), 10 (`AF_INET6`), 128/129 (multicast routing).
    pub family: u8,
    /// Destination prefix length.
    pub dst_len: u8,
    /// Source prefix length.
    pub src_len: u8,
    /// TOS selector.
    pub tos: u8,
    /// The header's table byte (see [`table`](Self::table)).
    pub header_table: u8,
    /// Reserved header byte, kept for re-emit.
    pub res1: u8,
    /// Reserved header byte, kept for re-emit.
    pub res2: u8,
    /// What the rule does.
    pub action: RuleAction,
    /// `FIB_RULE_*` flags.
    pub flags: u32,
    /// `FRA_DST`: destination selector address.
    pub dst: Option<Ip>,
    /// `FRA_SRC`: source selector address.
    pub src: Option<Ip>,
    /// `FRA_IIFNAME`: input interface name.
    pub iif: Option<String>,
    /// `FRA_OIFNAME`: output interface name.
    pub oif: Option<String>,
    /// `FRA_GOTO`: goto target priority.
    pub goto: Option<u32>,
    /// `FRA_PRIORITY` (the kernel omits it for priority 0).
    pub priority: Option<u32>,
    /// `FRA_FWMARK`.
    pub fwmark: Option<u32>,
    /// `FRA_FWMASK`.
    pub fwmask: Option<u32>,
    /// `FRA_FLOW`: realm.
    pub flow: Option<u32>,
    /// `FRA_TABLE`: the full 32-bit table id.
    pub table_ext: Option<u32>,
    /// `FRA_PROTOCOL`.
    pub protocol: Option<Protocol>,
    /// Every other attribute (and duplicates of modelled ones), as wire bytes, in order.
    pub other: RawAttrs,
    /// The order the attributes arrived in.
    pub wire_order: WireOrder,
}

typed_attrs! {
    impl Rule {
        1: FRA_SRC => src as Addr,
        2: FRA_DST => dst as Addr,
        3: FRA_FWMARK => fwmark as u32,
        4: FRA_FWMASK => fwmask as u32,
        5: FRA_IIFNAME => iif as NulStr,
        6: FRA_OIFNAME => oif as NulStr,
        7: FRA_GOTO => goto as u32,
        8: FRA_FLOW => flow as u32,
        9: FRA_TABLE => table_ext as u32,
        10: FRA_PRIORITY => priority as u32,
        11: FRA_PROTOCOL => protocol as Protocol,
    }
}

impl Rule {
    /// Decode an `RTM_NEWRULE` payload (after `nlmsghdr`).
    ///
    /// ```
    /// use linx_rtnl::rule::Rule;
    /// // fib_rule_hdr: AF_INET, table main, to-table; FRA_PRIORITY 32766
    /// let p = [2, 0, 0, 0, 254, 0, 0, 1, 0, 0, 0, 0, 8, 0, 6, 0, 0xfe, 0x7f, 0, 0];
    /// assert_eq!(Rule::parse(&p).unwrap().to_string(), "Rule<32766: from all lookup main>");
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Rule, DecodeError> {
        let h = FibRuleHdr::parse(payload)?;
        let head = Rule {
            family: h.family,
            dst_len: h.dst_len,
            src_len: h.src_len,
            tos: h.tos,
            header_table: h.table,
            res1: h.res1,
            res2: h.res2,
            action: h.action.into(),
            flags: h.flags,
            ..Default::default()
        };
        Rule::with_attrs(
            head,
            &payload[FibRuleHdr::LEN..],
            FibRuleHdr::LEN,
            DecodeCx::family(h.family),
        )
    }

    /// Decode a reply message (`RTM_NEWRULE`).
    ///
    /// ```
    /// use linx_netlink_codec::MsgView;
    /// use linx_rtnl::rule::Rule;
    /// let mut m = vec![28, 0, 0, 0, 32, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]; // nlmsghdr
    /// m.extend_from_slice(&[10, 0, 0, 0, 255, 0, 0, 1, 0, 0, 0, 0]);
    /// assert_eq!(Rule::from_msg(&MsgView::new_checked(&m).unwrap()).unwrap().table(), 255);
    /// ```
    pub fn from_msg(m: &MsgView<'_>) -> Result<Rule, DecodeError> {
        Rule::parse(m.payload())
    }

    /// The table: `FRA_TABLE` when present, else the header's byte.
    ///
    /// ```
    /// let r = linx_rtnl::rule::Rule { header_table: 0, table_ext: Some(1000), ..Default::default() };
    /// assert_eq!(r.table(), 1000);
    /// ```
    pub fn table(&self) -> u32 {
        self.table_ext.unwrap_or(self.header_table.into())
    }

    /// The address family, when it is IPv4 or IPv6.
    ///
    /// ```
    /// let r = linx_rtnl::rule::Rule { family: 2, ..Default::default() };
    /// assert_eq!(r.ip_family(), Some(linx_ip::Family::Inet));
    /// ```
    pub fn ip_family(&self) -> Option<Family> {
        Family::from_af(self.family)
    }

    /// The source selector as a subnet (`None`: from all).
    ///
    /// ```
    /// use linx_ip::ip;
    /// let r = linx_rtnl::rule::Rule { family: 2, src_len: 8, src: Some(ip!("10.0.0.0")), ..Default::default() };
    /// assert_eq!(r.source(), Some(ip!("10.0.0.0/8")));
    /// ```
    pub fn source(&self) -> Option<Subnet> {
        Subnet::from_parts(self.src?, self.src_len)
    }

    /// The destination selector as a subnet (`None`: to all).
    ///
    /// ```
    /// assert_eq!(linx_rtnl::rule::Rule::default().destination(), None);
    /// ```
    pub fn destination(&self) -> Option<Subnet> {
        Subnet::from_parts(self.dst?, self.dst_len)
    }

    /// Encoded payload length (header + attributes).
    ///
    /// ```
    /// assert_eq!(linx_rtnl::rule::Rule::default().buffer_len(), 12);
    /// ```
    pub fn buffer_len(&self) -> usize {
        FibRuleHdr::LEN + self.attrs_len()
    }

    /// Append the encoded payload: in the order received for a decoded rule, else in a fixed
    /// canonical order (src, dst, fwmark, fwmask, iif, oif, goto, flow, table, priority,
    /// protocol, then [`other`](Self::other)).
    ///
    /// ```
    /// use linx_rtnl::rule::Rule;
    /// let p = [2, 0, 0, 0, 254, 0, 0, 1, 0, 0, 0, 0, 8, 0, 6, 0, 0xfe, 0x7f, 0, 0];
    /// let mut out = Vec::new();
    /// Rule::parse(&p)?.emit(&mut out)?;
    /// assert_eq!(out, p);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), Error> {
        let h = FibRuleHdr {
            family: self.family,
            dst_len: self.dst_len,
            src_len: self.src_len,
            tos: self.tos,
            table: self.header_table,
            res1: self.res1,
            res2: self.res2,
            action: self.action.into(),
            flags: self.flags,
        };
        h.append(buf);
        self.emit_attrs(&mut AttrWriter::new(buf))?;
        Ok(())
    }
}

/// `FIB_RULE_INVERT`: the selectors are negated (`ip rule add not ...`).
pub const FIB_RULE_INVERT: u32 = 0x2;

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rule<{}:", self.priority.unwrap_or(0))?;
        if self.flags & FIB_RULE_INVERT != 0 {
            f.write_str(" not")?;
        }
        match self.src {
            Some(s) => write!(f, " from {s}/{}", self.src_len)?,
            None => f.write_str(" from all")?,
        }
        if let Some(d) = self.dst {
            write!(f, " to {d}/{}", self.dst_len)?;
        }
        if let Some(m) = self.fwmark {
            write!(f, " fwmark {m:#x}")?;
            if let Some(k) = self.fwmask.filter(|k| *k != u32::MAX) {
                write!(f, "/{k:#x}")?;
            }
        }
        if let Some(i) = &self.iif {
            write!(f, " iif {i}")?;
        }
        if let Some(o) = &self.oif {
            write!(f, " oif {o}")?;
        }
        if let Some(p) = self.protocol.filter(|p| *p != Protocol::UNSPEC) {
            write!(f, " proto {p}")?;
        }
        match self.action {
            RuleAction::ToTable => write!(f, " lookup {}", TableName(self.table()))?,
            RuleAction::Goto => write!(f, " goto {}", self.goto.unwrap_or(0))?,
            RuleAction::Nop => f.write_str(" nop")?,
            RuleAction::Blackhole => f.write_str(" blackhole")?,
            RuleAction::Unreachable => f.write_str(" unreachable")?,
            RuleAction::Prohibit => f.write_str(" prohibit")?,
            RuleAction::Unspec | RuleAction::Other(_) => {
                write!(f, " action {}", u8::from(self.action))?
            }
        }
        f.write_str(">")
    }
}

/// `{:?}` prints the short form (as `{}`); `{:#?}` every field.
impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        f.debug_struct("Rule")
            .field("family", &self.family)
            .field("dst_len", &self.dst_len)
            .field("src_len", &self.src_len)
            .field("tos", &self.tos)
            .field("header_table", &self.header_table)
            .field("res1", &self.res1)
            .field("res2", &self.res2)
            .field("action", &self.action)
            .field("flags", &format_args!("{:#x}", self.flags))
            .field("dst", &self.dst)
            .field("src", &self.src)
            .field("iif", &self.iif)
            .field("oif", &self.oif)
            .field("goto", &self.goto)
            .field("priority", &self.priority)
            .field("fwmark", &self.fwmark)
            .field("fwmask", &self.fwmask)
            .field("flow", &self.flow)
            .field("table_ext", &self.table_ext)
            .field("protocol", &self.protocol)
            .field("other", &self.other)
            .field("wire_order", &self.wire_order)
            .finish()
    }
}

// -------------------------------------------------------------------------------- RuleSpec

/// A rule to add or delete, in `ip rule` terms. Build it, then pass it to [`add`] or
/// [`delete`] (or the pure [`add_request`] / [`delete_request`]).
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
                if n.is_empty() || n.len() >= crate::link::IFNAMSIZ || n.contains('\0') {
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

    /// The rule [`add`] sends (also the desired-state value to compare with [`list`]).
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

    fn to_rule(&self, delete: bool) -> Result<Rule, Error> {
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

// ------------------------------------------------------------------------------- requests

fn rule_request(kind: u16, flags: u16, r: &Rule) -> Result<Request, Error> {
    let mut p = Vec::with_capacity(r.buffer_len());
    r.emit(&mut p)?;
    Ok(Request::new(kind, flags, p).with_header_len(FibRuleHdr::LEN))
}

/// The `RTM_NEWRULE` (`NLM_F_CREATE | NLM_F_EXCL`) [`add`] sends.
///
/// ```
/// use linx_rtnl::rule::{add_request, RuleSpec};
/// let req = add_request(&RuleSpec::new().from("10.0.0.0/8").table(100))?;
/// assert_eq!(req.payload()[..8], [2, 0, 8, 0, 100, 0, 0, 1]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(spec: &RuleSpec) -> Result<Request, Error> {
    rule_request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, &spec.build()?)
}

/// The `RTM_DELRULE` [`delete`] sends: the action is "any" unless the spec sets one.
///
/// ```
/// use linx_rtnl::rule::{delete_request, RuleSpec};
/// let req = delete_request(&RuleSpec::new().from("10.0.0.0/8").table(100))?;
/// assert_eq!(req.payload()[..8], [2, 0, 8, 0, 100, 0, 0, 0]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(spec: &RuleSpec) -> Result<Request, Error> {
    rule_request(RTM_DELRULE, 0, &spec.to_rule(true)?)
}

/// The decoder of rule dumps: [`Rule::from_msg`].
pub type RuleDecoder = fn(&MsgView<'_>) -> Result<Rule, DecodeError>;

/// The call behind [`list`]: an `AF_UNSPEC` `RTM_GETRULE` dump (an all-zero header, which
/// strict checking requires), decoded into [`Rule`]s.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::rule::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<RuleDecoder> {
    let mut p = vec![0u8; FibRuleHdr::LEN];
    p[0] = AF_UNSPEC;
    Call::new(
        Request::dump(RTM_GETRULE, p).with_header_len(FibRuleHdr::LEN),
        Rule::from_msg as RuleDecoder,
    )
}

fn reword(e: Error, spec: &RuleSpec) -> Error {
    match e {
        Error::Netlink(n) if n.errno == Errno::EEXIST => {
            Error::Netlink(n.or_message(|| format!("rule {spec} already exists")))
        }
        Error::Netlink(n) if n.errno == Errno::ENOENT => {
            Error::Netlink(n.or_message(|| format!("no such rule {spec}")))
        }
        other => other,
    }
}

verb! {
    /// Every rule of the socket's namespace, all families, in the kernel's order (by family,
    /// then priority).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for r in linx_rtnl::rule::list(&sock)? {
    ///     println!("{r}"); // Rule<32766: from all lookup main> ...
    /// }
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn list(sock) -> Dumped<Rule> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// Add a rule (`NLM_F_CREATE | NLM_F_EXCL`: `EEXIST` when an identical rule exists).
    ///
    /// ```no_run
    /// use linx_rtnl::rule::{self, RuleSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// rule::add(&sock, &RuleSpec::new().from("10.0.0.0/24").table(100))?;
    /// rule::add(&sock, &RuleSpec::new().fwmark(1).table(100).priority(200))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add(sock, spec: &RuleSpec) -> () {
        let req = add_request(spec)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

verb! {
    /// Delete the first rule matching `spec` (unset selectors match anything); `ENOENT`
    /// when none does.
    ///
    /// ```no_run
    /// use linx_rtnl::rule::{self, RuleSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// rule::delete(&sock, &RuleSpec::new().from("10.0.0.0/24").table(100))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete(sock, spec: &RuleSpec) -> () {
        let req = delete_request(spec)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}
