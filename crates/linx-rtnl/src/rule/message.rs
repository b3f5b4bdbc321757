//! The rule message: the `struct fib_rule_hdr` header ([`FibRuleHdr`]), the `FRA_*` and
//! `FR_ACT_*` numbers, [`RuleAction`], and [`Rule`], declared once with `typed_attrs!`.
//!
//! # Contract
//! - `emit(parse(bytes)) == bytes` for every rule message the kernel sends; unmodelled
//!   attributes and duplicates stay raw in [`Rule::other`], interface names that are not
//!   UTF-8 with one trailing NUL too.
//! - [`Rule::parse`] never panics.

use std::fmt;

use linx_ip::{Family, Ip, Subnet};
use linx_netlink_codec::{
    AttrWriter, DecodeCx, DecodeError, FixedHeader, MsgView, NlBuffer, NulStr, RawAttrs, WireOrder,
    nl_header, typed_attrs,
};

use crate::codecs::Addr;
use crate::error::Error;
use crate::types::{Protocol, TableName};

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
