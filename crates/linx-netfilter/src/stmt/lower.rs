//! Lowering: statements become the expressions nft 1.0.6 sends for them, protocol
//! dependencies included.
//!
//! Why here and not in each builder: what a match needs before it depends on the table family
//! and on what the rule matched so far (`tcp dport 22` needs `meta l4proto tcp` in every
//! family, unless `ip protocol tcp` came first; `ip saddr` needs `meta nfproto ipv4` in inet,
//! `meta protocol ip` in netdev and bridge, nothing in ip). One pass over the statements
//! carries that state, as nft's evaluation does, and writes each dependency once.
//!
//! # Contract
//! - [`lower`] returns exactly the expressions `nft` 1.0.6 sends for the same rule text (as
//!   Linx pulls them back: the kernel reports NAT's `map_ips` / `proto_specified` flags and
//!   the nests of expressions it has no model for without `NLA_F_NESTED`), with nft's
//!   registers: register 1 for single values, 4-byte registers from 9 for the later fields of
//!   a concatenation (named as the 16-byte register 2-4 where a field starts one, as after
//!   an IPv6 address), 1-4 for NAT addresses and ports in order; a map lookup's result in its
//!   key's first register, the data of a dynset after the key's words (see `lower/maps.rs`).
//!   `tests/lower_golden.rs` holds this against captures of nft in every family where a
//!   dependency differs.
//! - Dependencies (nft's, measured): link fields outside bridge tables `meta iiftype ether`
//!   (and `ether type vlan` before VLAN fields); network fields `meta nfproto` (inet),
//!   `meta protocol` (netdev, bridge; `ether type` for ARP in bridge and in inet and netdev
//!   after a link-layer match, `vlan type` after a VLAN match), nothing where the family
//!   fixes the protocol; transport fields `meta l4proto` in every family, after the network
//!   match ICMP, IGMP and ICMPv6 imply (`ether type` in bridge); `th` none. ICMP and ICMPv6
//!   fields past the code need their type (nft's `icmp_dep`): `icmp type
//!   destination-unreachable` before `icmp mtu`, a set of both echo types before `icmp id`,
//!   unless the rule matched a type. A protocol the rule already matched (`meta l4proto
//!   tcp`, `ip protocol tcp`, `ether type ip`, `meta nfproto ipv4`) is not matched again.
//! - Sub-byte fields (`ip dscp`, `vlan id`) are loaded as their whole bytes and masked;
//!   compares and anonymous set elements hold the value in place, a named set's lookup
//!   shifts it down first (`bitwise >>`). An Ethernet address under a mask of whole
//!   leading bytes compares just those bytes (nft's prefix).
//! - Host-order fields wider than a byte (`meta mark`, `meta length`, `ct zone` ...) are
//!   converted to big endian (`byteorder hton`) before orderings, ranges and anonymous
//!   interval sets, whose bounds are then big endian; equality and plain sets keep the host
//!   order. Anonymous sets and maps of fields whose set type the model keeps raw
//!   ([`KeyType::Raw`]) carry nft's datatype id and the key byte-order userdata nft prints
//!   them by.
//! - Whatever nft refuses is a [`LowerError`], never a panic and never a guess: conflicting
//!   protocols (`ip6 saddr` in an ip table), values that do not fit the field (an IPv6
//!   address for `ip daddr`, 70000 for a port), a NAT port without a transport match, NAT or
//!   reject where the family has none, sets of a type the model has no key type for.
//! - The special-purpose expressions the register model keeps raw (`fib`, `rt`, `numgen`,
//!   `hash`, `socket`, `osf`, `xfrm`, `tproxy`, `synproxy`, `dup`, `fwd`, `connlimit`) are
//!   written with the attributes the kernel dumps for nft's (`stmt/kinds/`); a `jhash`
//!   loads its key from register 2 on, after the key's dependencies.
//! - Header writes ([`Statement::PayloadSet`]) take their field's dependencies, then nft's
//!   write: the value in register 1 and the payload expression with its checksum
//!   attributes, or, where the field does not fill its bytes or a checksum is updated over
//!   an odd number of bytes, a load, a bitwise clear-and-or and a write of the whole (even)
//!   bytes.
//! - [`Statement::Expr`] is copied as is, with no dependency.

use std::fmt;

use linx_ip::{Ip, Subnet};

use super::attrs::{put_attr, put_u32};
use super::exthdr_wire;
use super::kinds::{self, RegStmt};
use super::payload_set::{Write, csum_attrs};
use super::{
    Datatype, Dup, ExthdrField, ExthdrProto, Field, Fwd, Hash, HeaderField, Key, Match, Nat,
    NatKind, Op, PayloadSet, Proto, Queue, Reject, SetUpdate, Source, Statement, Tproxy, Value,
    VerdictMap, ct_info, meta_info,
};
use crate::expr::{
    ByteOrder, CmpData, CmpOp, Dynset, MetaKey, NatFlags, NatType, PayloadBase, RejectType,
    SetLiteral, VmapLiteral,
};
use crate::{ElemValue, Expr, Family, KeyType, Reg, SetElement};

mod check;
mod dup_map;
mod maps;
mod shifted;
mod sink;

use crate::expr::{Bitwise, Cmp, Ct, Meta, Payload};
use crate::expr::{Counter, Limit, Lookup, Quota};
use crate::expr::{Masquerade, Redirect};
pub(crate) use check::{flag_test_lowers_to, plain_match_lowers_to};
use sink::Out;

/// Why statements could not be lowered for a family (what nft refuses, or what the model
/// cannot express yet).
///
/// ```
/// use linx_netfilter::{Family, Rule};
/// use linx_netfilter::stmt::{HeaderField, Match, Op, Statement, Value};
/// use linx_ip::ip;
/// let m = Match::new(HeaderField::Ip6Saddr, Op::Eq, Value::Ip(ip!("::1"))).unwrap();
/// let err = Rule::from_statements(Family::Ip, [Statement::Match(m)]).unwrap_err();
/// assert_eq!(err.to_string(), "conflicting protocols: ip6 in a ip table or rule");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LowerError {
    /// A header of a protocol the family or an earlier match rules out (`ip6 saddr` in an
    /// ip table, `tcp dport` after `meta l4proto udp`, ARP fields in inet).
    Conflict {
        /// The protocol asked for.
        proto: &'static str,
        /// The table family.
        family: Family,
    },
    /// A value that does not fit its field (wrong address family, too wide, wrong kind).
    Value {
        /// The field, as nft names it.
        field: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A NAT port without a transport protocol match before it (nft: "transport protocol
    /// mapping is only valid after transport protocol match").
    PortWithoutTransport,
    /// A statement the family does not have (NAT outside ip/ip6/inet, reject in arp, icmpx
    /// reject in ip/ip6, an inet NAT address without `ip`/`ip6`).
    NotInFamily {
        /// The statement.
        what: &'static str,
        /// The table family.
        family: Family,
    },
    /// A shape the lowering does not write (yet): named in the message.
    Unsupported(&'static str),
    /// A lookup of a host-order key (`meta mark`, `meta length`, `ct mark` ...) in a named
    /// set or map, lowered without its table: whether the key must be converted to big
    /// endian first depends on the set being an interval set, which only the table knows.
    /// Use [`Rule::from_statements_in`](crate::Rule::from_statements_in).
    NeedsTable {
        /// The named set or map looked up.
        set: String,
    },
}

impl fmt::Display for LowerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LowerError::Conflict { proto, family } => {
                write!(
                    f,
                    "conflicting protocols: {proto} in a {family} table or rule"
                )
            }
            LowerError::Value { field, why } => write!(f, "{field}: {why}"),
            LowerError::PortWithoutTransport => f.write_str(
                "a NAT port needs a transport protocol match before it (e.g. tcp dport)",
            ),
            LowerError::NotInFamily { what, family } => {
                write!(f, "{what} is not available in family {family}")
            }
            LowerError::Unsupported(what) => write!(f, "cannot lower {what}"),
            LowerError::NeedsTable { set } => write!(
                f,
                "a host-order key looked up in @{set} needs the table (an interval set \
                 converts it first): build the rule with Rule::from_statements_in"
            ),
        }
    }
}

impl std::error::Error for LowerError {}

/// The statements of one rule as the expressions nft sends for them in a `family` table.
///
/// ```
/// use linx_netfilter::{Expr, Family, Rule};
/// use linx_netfilter::stmt::{HeaderField, Match, Op, Statement, Value};
/// let ssh = [
///     Statement::Match(Match::new(HeaderField::TcpDport, Op::Eq, Value::Int(22)).unwrap()),
///     Statement::Verdict(linx_netfilter::Verdict::Accept),
/// ];
/// let rule = Rule::from_statements(Family::Inet, ssh)?;
/// let mut want = Expr::meta_l4proto_eq(6);
/// want.extend(Expr::tcp_dport_eq(22));
/// want.push(Expr::accept());
/// assert_eq!(rule.exprs, want);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub(crate) fn lower(family: Family, stmts: &[Statement]) -> Result<Vec<Expr>, LowerError> {
    lower_with_intervals(family, stmts, &[])
}

/// [`lower`] in a table whose named sets and maps `interval_sets` have the `interval`
/// flag: lookups in them convert host-order key fields to big endian first (nft's
/// `byteorder`), as the kernel compares interval keys as big-endian numbers.
pub(crate) fn lower_with_intervals(
    family: Family,
    stmts: &[Statement],
    interval_sets: &[&str],
) -> Result<Vec<Expr>, LowerError> {
    let mut cx = Cx::new(family);
    cx.interval_sets = interval_sets.iter().map(|s| (*s).to_owned()).collect();
    for stmt in stmts {
        cx.statement(stmt)?;
    }
    Ok(cx.out.into_vec())
}

/// A rule's statements lowered one by one as they come, for
/// [`Rule::from_statements`](crate::Rule::from_statements): no vector of the statements
/// is built. `refuse` sees each
/// statement before it is lowered; its error wins over a lowering error of an earlier
/// statement too (the rest are looked at then), so the answer is that of refusing first
/// and lowering after. Also answers whether the expressions certainly carry every protocol
/// match their header loads need ([`writes_its_dependencies`] of every statement).
pub(crate) fn lower_refusing(
    family: Family,
    stmts: impl IntoIterator<Item = Statement>,
    refuse: impl Fn(&Statement) -> Option<LowerError>,
) -> Result<(Vec<Expr>, bool), LowerError> {
    let mut cx = Cx::new(family);
    let mut certain = true;
    let mut stmts = stmts.into_iter();
    for stmt in stmts.by_ref() {
        if let Some(refused) = refuse(&stmt) {
            return Err(refused);
        }
        if let Err(e) = cx.statement(&stmt) {
            return Err(stmts.find_map(|s| refuse(&s)).unwrap_or(e));
        }
        certain = certain && writes_its_dependencies(&stmt);
    }
    Ok((cx.out.into_vec(), certain))
}

/// `true` for a statement whose lowering loads no network or transport header without the
/// protocol match before it that the rule check asks for
/// ([`check_dependencies`](crate::validate)): verdicts, counters, limits, quotas, logs, and
/// matches of a header field other than `th` (its dependencies are written first, or the
/// protocol was learned from an equality the check also counts), a meta key or a ct key.
/// A rule of such statements needs no dependency check to know it is not raw; `false` only
/// means "not known" (`th dport`, raw payloads, NAT, ... are checked).
fn writes_its_dependencies(stmt: &Statement) -> bool {
    match stmt {
        Statement::Match(m) => match m.key() {
            Key::Field(Field::Header(h)) => h.proto() != Proto::Th,
            Key::Field(Field::Meta(_) | Field::Ct(_)) => true,
            _ => false,
        },
        Statement::Verdict(_)
        | Statement::Counter { .. }
        | Statement::Limit { .. }
        | Statement::Quota { .. }
        | Statement::Log(_) => true,
        _ => false,
    }
}

/// Whether `stmts` lower (as by [`lower_with_intervals`]) to exactly `want`, each
/// expression compared with `same` as it is written, without building the expressions:
/// `Some(false)` also when the statements do not lower; `None` when the comparison cannot
/// tell (the lowering reordered what it wrote) and the caller must compare built
/// expressions.
pub(crate) fn lowers_to(
    family: Family,
    stmts: &[Statement],
    interval_sets: &[&str],
    want: &[Expr],
    same: fn(&Expr, &Expr) -> bool,
) -> Option<bool> {
    let mut cx = Cx::with_out(family, Out::check(want, same));
    cx.interval_sets = interval_sets.iter().map(|s| (*s).to_owned()).collect();
    for stmt in stmts {
        if cx.statement(stmt).is_err() {
            return Some(false);
        }
    }
    cx.out.verdict()
}

/// A network protocol the rule is known to carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Net {
    Ip4,
    Ip6,
    Arp,
}

impl Net {
    fn name(self) -> &'static str {
        match self {
            Net::Ip4 => "ip",
            Net::Ip6 => "ip6",
            Net::Arp => "arp",
        }
    }

    fn ethertype(self) -> u16 {
        match self {
            Net::Ip4 => 0x0800,
            Net::Ip6 => 0x86dd,
            Net::Arp => 0x0806,
        }
    }

    fn nfproto(self) -> Option<u8> {
        match self {
            Net::Ip4 => Some(2),
            Net::Ip6 => Some(10),
            Net::Arp => None,
        }
    }

    fn from_ethertype(t: u64) -> Option<Net> {
        match t {
            0x0800 => Some(Net::Ip4),
            0x86dd => Some(Net::Ip6),
            0x0806 => Some(Net::Arp),
            _ => None,
        }
    }
}

/// How a network dependency is written in bridge tables (nft differs by what needs it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// A header field of the protocol itself (`ip saddr`): `meta protocol`.
    Field,
    /// A transport protocol implying it (`icmp type`), an ARP field: `ether type`.
    Implied,
}

/// The lowering state of one rule: what is known about the packet so far, and the output.
struct Cx<'w> {
    family: Family,
    /// The network protocol, and whether only the family says so (no match wrote it).
    net: Option<Net>,
    net_by_family: bool,
    /// The transport protocol matched.
    l4: Option<u8>,
    /// A set of transport protocols with ports was matched (`meta l4proto { tcp, udp }`):
    /// enough for a NAT port, as nft allows.
    l4_ports: bool,
    /// The link header is known to be Ethernet (bridge tables, or after `meta iiftype`).
    link: bool,
    /// A VLAN header was matched (`ether type vlan`).
    vlan: bool,
    /// An ICMP or ICMPv6 type was matched (or written as a field's dependency).
    icmp_type: bool,
    /// Named sets and maps of the table with the `interval` flag.
    interval_sets: Vec<String>,
    out: Out<'w>,
}

impl<'w> Cx<'w> {
    fn new(family: Family) -> Cx<'w> {
        Cx::with_out(family, Out::Build(Vec::with_capacity(8)))
    }

    fn with_out(family: Family, out: Out<'w>) -> Cx<'w> {
        let net = match family {
            Family::Ip => Some(Net::Ip4),
            Family::Ip6 => Some(Net::Ip6),
            Family::Arp => Some(Net::Arp),
            _ => None,
        };
        Cx {
            family,
            net,
            net_by_family: net.is_some(),
            l4: None,
            l4_ports: false,
            link: family == Family::Bridge,
            vlan: false,
            icmp_type: false,
            interval_sets: Vec::new(),
            out,
        }
    }

    fn conflict(&self, proto: &'static str) -> LowerError {
        LowerError::Conflict {
            proto,
            family: self.family,
        }
    }

    /// `load == data` as a dependency.
    fn dep(&mut self, load: Expr, data: &[u8]) {
        self.out.push(load);
        self.out.push(Expr::cmp_eq(data));
    }

    /// The link header is Ethernet (and, for VLAN fields, carries a VLAN tag).
    fn need_link(&mut self, vlan: bool) {
        if !self.link {
            self.dep(Expr::meta(MetaKey::Iiftype), &1u16.to_ne_bytes());
            self.link = true;
        }
        if vlan && !self.vlan {
            self.dep(
                Expr::payload(PayloadBase::Link, 12, 2),
                &0x8100u16.to_be_bytes(),
            );
            self.vlan = true;
        }
    }

    /// The network protocol is `net`.
    fn need_net(&mut self, net: Net, via: Via) -> Result<(), LowerError> {
        match self.net {
            Some(known) if known == net => return Ok(()),
            Some(_) => return Err(self.conflict(net.name())),
            None => {}
        }
        let ethertype = net.ethertype().to_be_bytes();
        if self.vlan {
            self.dep(Expr::payload(PayloadBase::Link, 16, 2), &ethertype);
        } else {
            match (self.family, via) {
                // Once the link header is known to be Ethernet, nft matches its type.
                (Family::Inet | Family::Netdev, _) if self.link => {
                    self.dep(Expr::payload(PayloadBase::Link, 12, 2), &ethertype);
                }
                (Family::Inet, _) => match net.nfproto() {
                    Some(n) => self.dep(Expr::meta(MetaKey::Nfproto), &[n]),
                    None => return Err(self.conflict(net.name())),
                },
                (Family::Bridge, Via::Implied) => {
                    self.dep(Expr::payload(PayloadBase::Link, 12, 2), &ethertype);
                }
                (Family::Bridge, Via::Field) if net == Net::Arp => {
                    self.dep(Expr::payload(PayloadBase::Link, 12, 2), &ethertype);
                }
                _ => self.dep(Expr::meta(MetaKey::Protocol), &ethertype),
            }
        }
        self.net = Some(net);
        self.net_by_family = false;
        Ok(())
    }

    /// The transport protocol is `proto` (ICMP and ICMPv6 also imply their network).
    fn need_l4(&mut self, name: &'static str, proto: u8) -> Result<(), LowerError> {
        match self.l4 {
            Some(known) if known == proto => return Ok(()),
            Some(_) => return Err(self.conflict(name)),
            None => {}
        }
        if self.net == Some(Net::Arp) {
            return Err(self.conflict(name));
        }
        let implied = match proto {
            1 | 2 => Some(Net::Ip4),
            58 => Some(Net::Ip6),
            _ => None,
        };
        // ICMP and IGMP imply IPv4, ICMPv6 IPv6. In ip and ip6 tables nft writes no network
        // match for them, even the other family's.
        if let Some(net) = implied {
            if !(self.net_by_family && matches!(self.family, Family::Ip | Family::Ip6)) {
                self.need_net(net, Via::Implied)?;
            }
        }
        self.dep(Expr::meta(MetaKey::L4proto), &[proto]);
        self.l4 = Some(proto);
        Ok(())
    }

    /// The dependencies of reading `field`.
    fn need_field(&mut self, field: &Field) -> Result<(), LowerError> {
        if let Field::Exthdr(x) = field {
            // nft makes IPv4 options and IPv6 extension headers depend on their network
            // protocol (as for ICMP: the EtherType in bridge tables); TCP options and SCTP
            // chunks on nothing.
            return match x.proto() {
                ExthdrProto::IpOption => self.need_net(Net::Ip4, Via::Implied),
                ExthdrProto::Ip6 => self.need_net(Net::Ip6, Via::Implied),
                ExthdrProto::TcpOption | ExthdrProto::SctpChunk => Ok(()),
            };
        }
        if let Field::Hash(h) = field {
            return self.hash_key(h);
        }
        let Field::Header(h) = field else {
            return Ok(());
        };
        let proto = h.proto();
        match proto {
            Proto::Ether => self.need_link(false),
            Proto::Vlan => self.need_link(true),
            Proto::Ip => self.need_net(Net::Ip4, Via::Field)?,
            Proto::Ip6 => self.need_net(Net::Ip6, Via::Field)?,
            Proto::Arp => self.need_net(Net::Arp, Via::Field)?,
            Proto::Th => {}
            other => match other.l4proto() {
                Some(n) => self.need_l4(other.name(), n)?,
                None => return Err(LowerError::Unsupported("a field of an unknown protocol")),
            },
        }
        self.need_icmp_type(*h)
    }

    /// The ICMP type an ICMP field past the code needs, unless the rule matched a type:
    /// `icmp type destination-unreachable` before `icmp mtu`, a set of both echo types
    /// before `icmp id` (nft's `icmp_dep`).
    fn need_icmp_type(&mut self, h: HeaderField) -> Result<(), LowerError> {
        let Some(dep) = super::icmp::icmp_dep(h) else {
            return Ok(());
        };
        if self.icmp_type {
            return Ok(());
        }
        self.icmp_type = true;
        let v6 = h.proto() == Proto::Icmpv6;
        let field = if v6 {
            HeaderField::Icmpv6Type
        } else {
            HeaderField::IcmpType
        };
        let value = match dep {
            super::icmp::IcmpDep::Type(t) => Value::Int(u64::from(t)),
            super::icmp::IcmpDep::Echo => Value::Set(
                super::icmp::echo_types(v6)
                    .iter()
                    .map(|t| Value::Int(u64::from(*t)))
                    .collect(),
            ),
        };
        let m = Match::new(field, Op::Eq, value)
            .ok_or(LowerError::Unsupported("an ICMP type dependency"))?;
        self.matches(&m)
    }

    /// What an equality match tells about the packet from here on.
    fn learn(&mut self, m: &Match) {
        if let (Op::Eq, Value::Set(protos), None, Key::Field(f)) =
            (m.op(), m.value(), m.mask(), m.key())
        {
            let l4_field = matches!(
                f,
                Field::Meta(MetaKey::L4proto)
                    | Field::Header(HeaderField::IpProtocol | HeaderField::Ip6Nexthdr)
            );
            // TCP, UDP, UDP-Lite, SCTP and DCCP all have ports.
            let with_ports = |v: &Value| matches!(v, Value::Int(6 | 17 | 33 | 132 | 136));
            if l4_field && !protos.is_empty() && protos.iter().all(with_ports) {
                self.l4_ports = true;
            }
        }
        if let (Op::Eq, None, Key::Field(Field::Header(h)), Value::Int(_) | Value::Set(_)) =
            (m.op(), m.mask(), m.key(), m.value())
        {
            if matches!(h, HeaderField::IcmpType | HeaderField::Icmpv6Type) {
                self.icmp_type = true;
            }
        }
        let (Op::Eq, Value::Int(v), None) = (m.op(), m.value(), m.mask()) else {
            return;
        };
        let Key::Field(field) = m.key() else { return };
        match field {
            Field::Meta(MetaKey::L4proto) => self.l4 = u8::try_from(*v).ok(),
            Field::Header(HeaderField::IpProtocol | HeaderField::Ip6Nexthdr) => {
                self.l4 = u8::try_from(*v).ok();
            }
            Field::Meta(MetaKey::Nfproto) if self.family == Family::Inet => {
                self.net = match v {
                    2 => Some(Net::Ip4),
                    10 => Some(Net::Ip6),
                    _ => self.net,
                };
                self.net_by_family = false;
            }
            Field::Meta(MetaKey::Protocol)
                if matches!(self.family, Family::Bridge | Family::Netdev) =>
            {
                if let Some(net) = Net::from_ethertype(*v) {
                    self.net = Some(net);
                    self.net_by_family = false;
                }
            }
            Field::Header(HeaderField::EtherType | HeaderField::VlanType) => {
                if *v == 0x8100 {
                    self.vlan = true;
                } else if let Some(net) = Net::from_ethertype(*v) {
                    self.net = Some(net);
                    self.net_by_family = false;
                }
            }
            _ => {}
        }
    }

    /// `true` when the table's named set or map `name` has the `interval` flag.
    fn is_interval_set(&self, name: &str) -> bool {
        self.interval_sets.iter().any(|s| s == name)
    }

    fn statement(&mut self, stmt: &Statement) -> Result<(), LowerError> {
        match stmt {
            Statement::Match(m) => {
                self.matches(m)?;
                self.learn(m);
            }
            Statement::Verdict(v) => self.out.push(Expr::verdict(v.clone())),
            Statement::Vmap { key, map } => {
                let interval = match map {
                    VerdictMap::Named(name) => self.is_interval_set(name),
                    VerdictMap::Anonymous(pairs) => pairs.iter().any(|(v, _)| is_interval(v)),
                };
                let named = matches!(map, VerdictMap::Named(_));
                let key_type = self.load_key(key, interval, named)?;
                match map {
                    VerdictMap::Named(name) => self.out.push(Expr::vmap(name.clone())),
                    VerdictMap::Anonymous(pairs) => {
                        let elements = pairs
                            .iter()
                            .map(|(v, verdict)| Ok((element(key, v, interval)?, verdict.clone())))
                            .collect::<Result<Vec<_>, LowerError>>()?;
                        let (keys, verdicts): (Vec<_>, Vec<_>) = elements.into_iter().unzip();
                        let (key_type, keys) = super::blob::raw_concat(key_type?, keys)?;
                        let elements: Vec<_> = keys.into_iter().zip(verdicts).collect();
                        let mut lit = VmapLiteral::new(key_type.clone(), elements);
                        lit.extras.userdata = raw_key_userdata(key, &key_type, true);
                        self.out.push(Expr::from(lit));
                    }
                }
            }
            Statement::Counter { packets, bytes } => self.out.push(Expr::Counter(Counter {
                packets: *packets,
                bytes: *bytes,
            })),
            Statement::Limit {
                rate,
                unit,
                burst,
                bytes,
                over,
            } => self.out.push(Expr::Limit(Limit {
                rate: *rate,
                unit: *unit,
                burst: *burst,
                bytes: *bytes,
                over: *over,
            })),
            Statement::Quota { bytes, over, used } => self.out.push(Expr::Quota(Quota {
                bytes: *bytes,
                over: *over,
                consumed: *used,
            })),
            Statement::Log(log) => self.out.push(Expr::Log(log.clone())),
            Statement::Reject(r) => self.reject(*r)?,
            Statement::Nat(nat) => self.nat(nat)?,
            Statement::MetaSet { key, value } => {
                let (_, len, order, _) =
                    meta_info(*key).ok_or(LowerError::Unsupported("meta set of an unnamed key"))?;
                self.source(&Field::Meta(*key), len, order, value)?;
                self.out
                    .push(Expr::unknown("meta", set_attrs(2, key.number(), 3)));
            }
            Statement::CtSet { key, value } => {
                let (_, len, order, _) =
                    ct_info(*key).ok_or(LowerError::Unsupported("ct set of an unnamed key"))?;
                self.source(&Field::Ct(*key), len, order, value)?;
                // The kernel dumps a ct set's source register before its key.
                let mut data = Vec::with_capacity(16);
                put_u32(&mut data, 4, Reg::R1.number());
                put_u32(&mut data, 2, key.number());
                self.out.push(Expr::unknown("ct", data));
            }
            Statement::ExthdrSet { field, value } => {
                // The kernel writes whole 2- and 4-byte TCP option fields only.
                if field.proto() != ExthdrProto::TcpOption
                    || field.is_exists()
                    || !field.is_byte_aligned()
                    || !matches!(field.bit_len(), 16 | 32)
                {
                    return Err(LowerError::Unsupported(
                        "an extension header write other than of a 2- or 4-byte TCP option field",
                    ));
                }
                let target = exthdr_target(field);
                self.source(&Field::Exthdr(*field), target.len, ByteOrder::Big, value)?;
                // nft converts a host-order field (`rt mtu`) to the option's big endian.
                if let Source::Field(f) = value {
                    let bytes = f.bit_len().div_ceil(8);
                    if f.byte_order() == ByteOrder::Host && bytes > 1 {
                        self.out.push(hton(Reg::R1, bytes));
                    }
                }
                self.out.push(exthdr_wire::write(target, Reg::R1));
            }
            Statement::ExthdrReset(field) => {
                if field.proto() != ExthdrProto::TcpOption || !field.is_exists() {
                    return Err(LowerError::Unsupported(
                        "a reset of anything but a TCP option (its presence field)",
                    ));
                }
                self.out
                    .push(exthdr_wire::strip(field.proto(), field.kind()));
            }
            Statement::CtDirSet { key, dir, value } => {
                let (_, len, order, _) = super::ct_dir_info(*key)
                    .ok_or(LowerError::Unsupported("ct set of an unnamed key"))?;
                let target = Field::CtDir {
                    key: *key,
                    dir: *dir,
                };
                self.source(&target, len, order, value)?;
                // Source register, key, then direction, as the kernel dumps them.
                let mut data = Vec::with_capacity(24);
                put_u32(&mut data, 4, Reg::R1.number());
                put_u32(&mut data, 2, key.number());
                put_attr(&mut data, 3, &[dir.number()]);
                self.out.push(Expr::unknown("ct", data));
            }
            Statement::PayloadSet(p) => self.payload_set(p)?,
            Statement::SetUpdate(update) => self.set_update(update)?,
            Statement::Notrack => self.out.push(Expr::unknown("notrack", Vec::new())),
            Statement::Queue(q) => self.out.push(queue(*q)),
            Statement::Tproxy(t) => self.tproxy(t)?,
            Statement::Synproxy(s) => self.out.push(s.encode()),
            Statement::Dup(d) => self.dup(d)?,
            Statement::DupMap(d) => self.dup_map(d)?,
            Statement::Fwd(f) => self.fwd(f)?,
            Statement::Connlimit { count, over } => {
                self.out.push(kinds::encode_connlimit(*count, *over));
            }
            Statement::Objref { kind, name } => self.out.push(Expr::objref(*kind, name.clone())),
            Statement::ObjrefMap(m) => self.objref_map(m)?,
            Statement::Expr(e) => self.out.push(e.clone()),
        }
        Ok(())
    }

    /// `meta/ct <key> set <source>`: the value or the other field into register 1.
    fn source(
        &mut self,
        target: &Field,
        len: u32,
        order: ByteOrder,
        value: &Source,
    ) -> Result<(), LowerError> {
        match value {
            Source::Value(v) => {
                let width = Width {
                    bytes: len,
                    bits: len * 8,
                    order,
                    shift: 0,
                };
                let data = scalar_bytes(target, v, &width)?;
                self.out.push(Expr::immediate(Reg::R1, data));
            }
            Source::Field(f) => {
                self.need_field(f)?;
                let load = load(f, Reg::R1)?;
                self.out.push(load.expr);
                if let Some(mask) = load.mask {
                    self.out
                        .push(checked_bitwise(mask, vec![0; load.width.bytes as usize])?);
                }
            }
            Source::Bits(bits) => self.bits(bits)?,
            Source::Map(m) => {
                self.map_lookup(m, 0)?;
            }
        }
        Ok(())
    }

    /// `field set value`: the field's dependencies, the value into register 1 and the
    /// write. Where the field does not fill its bytes, or a checksum is updated over an odd
    /// number of bytes (the kernel updates checksums by 16-bit words), nft writes whole
    /// bytes instead: it loads them, clears the field's bits, ors the value in, and writes
    /// them back (two bytes, starting on an even offset where it can, for a checksum).
    fn payload_set(&mut self, s: &PayloadSet) -> Result<(), LowerError> {
        let field = s.field();
        let (base, bit_off, bit_len) = match *field {
            Field::Header(h) => (h.base(), h.bit_offset(), h.bit_len()),
            Field::Raw {
                base,
                bit_offset,
                bit_len,
            } => {
                if bit_len == 0 || bit_len > 128 || bit_offset > 0xffff * 8 {
                    return Err(LowerError::Value {
                        field: field.to_string(),
                        why: "a raw payload write is 1 to 128 bits, at most 65535 bytes in",
                    });
                }
                (base, bit_offset, bit_len)
            }
            _ => {
                return Err(LowerError::Unsupported(
                    "a payload write of anything but a header field or a raw range",
                ));
            }
        };
        self.need_field(field)?;
        let (csum_type, csum_offset, csum_flags) = csum_attrs(s);
        let write = |offset: u32, len: u32| {
            Write {
                sreg: Reg::R1.number(),
                base,
                offset,
                len,
                csum_type,
                csum_offset,
                csum_flags,
            }
            .expr()
        };
        let need_csum = csum_type != 0;
        let aligned = bit_off % 8 == 0 && bit_len % 8 == 0;
        if aligned && (!need_csum || (bit_len / 8) % 2 == 0) {
            let len = bit_len / 8;
            match s.value() {
                Source::Value(v) => {
                    let width = Width {
                        bytes: len,
                        bits: bit_len,
                        order: ByteOrder::Big,
                        shift: 0,
                    };
                    let data = scalar_bytes(field, v, &width)?;
                    self.out.push(Expr::immediate(Reg::R1, data));
                }
                Source::Field(f) => {
                    self.need_field(f)?;
                    let load = load(f, Reg::R1)?;
                    if load.mask.is_some() || load.width.bytes != len {
                        return Err(LowerError::Value {
                            field: field.to_string(),
                            why: "a field written from another field of its width",
                        });
                    }
                    self.out.push(load.expr);
                }
                _ => {
                    return Err(LowerError::Unsupported(
                        "a header write of a map lookup or a bit operation",
                    ));
                }
            }
            self.out.push(write(bit_off / 8, len));
            return Ok(());
        }
        let Source::Value(v @ Value::Int(_)) = s.value() else {
            return Err(LowerError::Unsupported(
                "a masked payload write of anything but a number",
            ));
        };
        let end = bit_off + bit_len;
        let mut offset = bit_off / 8;
        let mut size = end.div_ceil(8) - offset;
        let mut shift = end.div_ceil(8) * 8 - end;
        if need_csum && size % 2 == 1 {
            size += 1;
            if offset % 2 == 1 {
                offset -= 1;
            } else {
                shift += 8;
            }
        }
        if size > 8 {
            return Err(LowerError::Unsupported(
                "a masked payload write over 8 bytes",
            ));
        }
        let width = Width {
            bytes: size,
            bits: bit_len,
            order: ByteOrder::Big,
            shift,
        };
        let xor = scalar_bytes(field, v, &width)?;
        let bits = (1u128 << bit_len) - 1;
        let all = (1u128 << (size * 8)) - 1;
        let mask = all & !(bits << shift);
        let mask = mask.to_be_bytes();
        let mask = mask.get(16 - size as usize..).unwrap_or_default();
        self.out.push(Expr::payload(base, offset, size));
        self.out.push(checked_bitwise(mask, xor)?);
        self.out.push(write(offset, size));
        Ok(())
    }

    /// Dependencies of every field of `key`, then its loads (register 1, then 4-byte
    /// registers for the later fields of a concatenation). In an `interval` set, host-order
    /// fields are converted to big endian after their load (nft's `byteorder`), as interval
    /// keys are compared as big-endian numbers. Sub-byte fields are masked to their bits,
    /// and for a `named` set or map also shifted down to their value (an anonymous set
    /// holds the values in place instead). Returns the set key type, or why there is none.
    fn load_key(
        &mut self,
        key: &Key,
        interval: bool,
        named: bool,
    ) -> Result<Result<KeyType, LowerError>, LowerError> {
        let sub = if named {
            SubByte::Shifted
        } else {
            SubByte::InPlace
        };
        Ok(self.load_key_at(key, interval, 0, sub)?.0)
    }

    /// [`Cx::load_key`] from 4-byte word `start` of the registers on (0 is register 1);
    /// also returns the words nft reserves for the key: four (a whole 16-byte register)
    /// for one field, the fields' words for a concatenation. `sub` says what becomes of a
    /// sub-byte field.
    fn load_key_at(
        &mut self,
        key: &Key,
        interval: bool,
        start: u32,
        sub: SubByte,
    ) -> Result<(Result<KeyType, LowerError>, u32), LowerError> {
        for f in key.fields() {
            self.need_field(f)?;
        }
        match key {
            Key::Field(f) => {
                let reg = reg_at_word(start);
                let load = load(f, reg)?;
                self.out.push(load.expr);
                // A sub-byte field is masked to its bits; the elements are its values
                // in place (shifted as the field sits in the loaded bytes).
                if let Some(mask) = load.mask {
                    self.sub_byte(sub, mask, reg, &load.width)?;
                }
                if interval && swaps(&load.width) {
                    self.out.push(hton(reg, load.width.bytes));
                }
                Ok((key_type(f), 4))
            }
            Key::Concat(fields) => {
                if fields
                    .iter()
                    .any(|f| matches!(f, Field::Hash(h) if h.key().is_some()))
                {
                    return Err(LowerError::Unsupported("a jhash in a concatenation"));
                }
                let mut words = 0u32;
                let mut types = Vec::with_capacity(fields.len());
                for f in fields {
                    let reg = reg_at_word(start + words);
                    let load = load(f, reg)?;
                    words += load.width.bytes.div_ceil(4);
                    self.out.push(load.expr);
                    if let Some(mask) = load.mask {
                        self.sub_byte(sub, mask, reg, &load.width)?;
                    }
                    if interval && swaps(&load.width) {
                        self.out.push(hton(reg, load.width.bytes));
                    } else if interval && host_byte(f) {
                        // nft converts its one-byte host-order fields too (a no-op), with a
                        // 2-byte unit.
                        self.out.push(hton_sized(reg, 1, 2));
                    }
                    types.push(key_type(f));
                }
                let types = types
                    .into_iter()
                    .collect::<Result<Vec<_>, _>>()
                    .map(KeyType::Concat);
                Ok((types, words))
            }
        }
    }

    /// A sub-byte field of a set key in `reg`: masked to its bits, and for a named set or
    /// map shifted down to its value; refused where `sub` says so.
    fn sub_byte(
        &mut self,
        sub: SubByte,
        mask: Vec<u8>,
        reg: Reg,
        width: &Width,
    ) -> Result<(), LowerError> {
        if sub == SubByte::Refuse {
            return Err(LowerError::Unsupported("a sub-byte field in a map lookup"));
        }
        self.out.push(sub_byte_mask(mask, reg));
        if sub == SubByte::Shifted && width.shift > 0 {
            self.out.push(rshift(reg, width.bytes, width.shift));
        }
        Ok(())
    }

    fn matches(&mut self, m: &Match) -> Result<(), LowerError> {
        let key = m.key();
        let value = m.value();
        // Sets: one lookup, whatever the key.
        match value {
            Value::SetRef(name) => {
                // A named set has its own key type (and an interval set of host-order keys
                // its `byteorder`, which the table, not the statement, knows about).
                let interval = self.is_interval_set(name);
                let _named = self.load_key(key, interval, true)?;
                self.out.push(Expr::Lookup(Lookup {
                    set: name.as_str().into(),
                    sreg: Reg::R1,
                    dreg: None,
                    inverted: m.op() == Op::Ne,
                }));
                return Ok(());
            }
            Value::Set(values) => {
                let interval = values.iter().any(is_interval);
                let key_type = self.load_key(key, interval, false)??;
                let elements = values
                    .iter()
                    .map(|v| element(key, v, interval))
                    .collect::<Result<Vec<_>, _>>()?;
                let desc = super::blob::interval_desc(&key_type, interval);
                let (key_type, elements) = super::blob::raw_concat(key_type, elements)?;
                let userdata = raw_key_userdata(key, &key_type, false);
                let mut lit = SetLiteral::new(key_type, elements);
                lit.inverted = m.op() == Op::Ne;
                lit.extras.userdata = userdata;
                lit.extras.concat = desc;
                self.out.push(Expr::from(lit));
                return Ok(());
            }
            _ => {}
        }
        let Key::Field(field) = key else {
            return Err(LowerError::Unsupported(
                "a concatenation compared with anything but a set",
            ));
        };
        self.need_field(field)?;
        if self.shifted_masked(field, m)? {
            return Ok(());
        }
        if let (Value::Prefix(net), Op::Eq | Op::Ne, None) = (value, m.op(), m.mask()) {
            return self.prefix(field, *net, m.op());
        }
        if let (Value::Mac(addr), Some(Value::Mac(mask)), Op::Eq | Op::Ne) =
            (value, m.mask(), m.op())
        {
            // An Ethernet address under a mask of whole leading bytes: nft compares just
            // those bytes (`ether daddr 01:00:5e:00:00:00/24`).
            let n = mask.as_bytes().iter().take_while(|b| **b == 0xff).count();
            if n > 0 && n < 6 && mask.as_bytes()[n..].iter().all(|b| *b == 0) {
                let Expr::Payload(Payload { base, offset, .. }) = load(field, Reg::R1)?.expr else {
                    return Err(LowerError::Unsupported("a prefix of a non-payload field"));
                };
                if addr.as_bytes()[n..].iter().any(|b| *b != 0) {
                    return Err(LowerError::Value {
                        field: field.to_string(),
                        why: "the address has bits outside its prefix",
                    });
                }
                self.out.push(Expr::Payload(Payload {
                    base,
                    offset,
                    len: n as u32,
                    dreg: Reg::R1,
                }));
                let op = if m.op() == Op::Eq {
                    CmpOp::Eq
                } else {
                    CmpOp::Neq
                };
                self.out.push(checked_cmp(op, &addr.as_bytes()[..n])?);
                return Ok(());
            }
        }
        let load = load(field, Reg::R1)?;
        let mut width = load.width;
        self.out.push(load.expr);
        // Zero bytes of the field's width, made only where an expression needs them.
        let zero_len = width.bytes as usize;
        let zero = || vec![0u8; zero_len];
        // Orderings and ranges compare numbers: nft converts host-order fields to big
        // endian first.
        let ordered =
            matches!(m.op(), Op::Lt | Op::Gt | Op::Le | Op::Ge) || matches!(value, Value::Range(_));
        if ordered && swaps(&width) {
            if load.mask.is_some() || m.mask().is_some() {
                return Err(LowerError::Unsupported(
                    "an ordering or range of a masked host-order field",
                ));
            }
            self.out.push(hton(Reg::R1, width.bytes));
            width.order = ByteOrder::Big;
        }
        // The mask of a sub-byte field, combined with the match's own mask.
        let field_mask = load.mask;
        let user_mask = match m.mask() {
            Some(mask) => Some(scalar_bytes(field, mask, &width)?),
            None => None,
        };
        let mask = match (field_mask, user_mask) {
            (Some(a), Some(b)) => Some(a.iter().zip(&b).map(|(x, y)| x & y).collect()),
            (a, b) => a.or(b),
        };
        match (m.op(), value) {
            (Op::AnySet | Op::NoneSet, v) => {
                let bits = scalar_bytes(field, v, &width)?;
                let bits = match &mask {
                    Some(mask) => bits.iter().zip(mask).map(|(x, y)| x & y).collect(),
                    None => bits,
                };
                self.out.push(checked_bitwise(bits, zero())?);
                let op = if m.op() == Op::AnySet {
                    CmpOp::Neq
                } else {
                    CmpOp::Eq
                };
                self.out.push(checked_cmp(op, zero())?);
            }
            (op, Value::Range(range)) => {
                if let Some(mask) = mask {
                    self.out.push(checked_bitwise(mask, zero())?);
                }
                let lo = scalar_bytes(field, &range.0, &width)?;
                let hi = scalar_bytes(field, &range.1, &width)?;
                match op {
                    Op::Eq => {
                        self.out.push(checked_cmp(CmpOp::Gte, lo)?);
                        self.out.push(checked_cmp(CmpOp::Lte, hi)?);
                    }
                    Op::Ne => self.out.push(range_neq(&lo, &hi)),
                    _ => return Err(LowerError::Unsupported("an ordering on a range")),
                }
            }
            (op, v) => {
                if let Some(mask) = mask {
                    self.out.push(checked_bitwise(mask, zero())?);
                }
                let data = scalar_data(field, v, &width)?;
                let op = match op {
                    Op::Eq => CmpOp::Eq,
                    Op::Ne => CmpOp::Neq,
                    Op::Lt => CmpOp::Lt,
                    Op::Gt => CmpOp::Gt,
                    Op::Le => CmpOp::Lte,
                    Op::Ge => CmpOp::Gte,
                    Op::AnySet | Op::NoneSet => CmpOp::Eq, // handled above
                };
                self.out.push(Expr::Cmp(Cmp {
                    sreg: Reg::R1,
                    op,
                    data,
                }));
            }
        }
        Ok(())
    }

    /// `field addr/len`: nft loads only the prefix's whole bytes when the prefix ends on a
    /// byte, else the field masked; a full-length prefix is the address.
    fn prefix(&mut self, field: &Field, net: Subnet, op: Op) -> Result<(), LowerError> {
        let load = load(field, Reg::R1)?;
        check_addr(field, &net.address())?;
        let op = if op == Op::Eq { CmpOp::Eq } else { CmpOp::Neq };
        let network = net.network().address();
        let bytes = network.as_bytes();
        let full = u32::from(net.family().max_prefix());
        let prefix = u32::from(net.prefix());
        if prefix == full {
            self.out.push(load.expr);
            self.out.push(checked_cmp(op, bytes)?);
        } else if prefix % 8 == 0 && prefix > 0 {
            let n = (prefix / 8) as usize;
            let Expr::Payload(Payload { base, offset, .. }) = load.expr else {
                // Other loads (`rt ip nexthop`, a conntrack address) load the whole
                // address and compare its leading bytes.
                self.out.push(load.expr);
                self.out.push(checked_cmp(op, &bytes[..n])?);
                return Ok(());
            };
            self.out.push(Expr::Payload(Payload {
                base,
                offset,
                len: prefix / 8,
                dreg: Reg::R1,
            }));
            self.out.push(checked_cmp(op, &bytes[..n])?);
        } else {
            self.out.push(load.expr);
            let mask = net.netmask();
            self.out
                .push(checked_bitwise(mask.as_bytes(), vec![0u8; bytes.len()])?);
            self.out.push(checked_cmp(op, bytes)?);
        }
        Ok(())
    }

    /// `reject`: its protocol dependency, if the rule has not matched the protocol yet, goes
    /// first in the rule (nft inserts it at the head), then the reject.
    fn reject(&mut self, r: Reject) -> Result<(), LowerError> {
        let family = self.family;
        if family == Family::Arp {
            return Err(LowerError::NotInFamily {
                what: "reject",
                family,
            });
        }
        let start = self.out.len();
        let expr = match r {
            Reject::TcpReset => {
                self.need_l4("tcp", 6)?;
                Expr::reject_with(RejectType::TcpReset, 0)
            }
            Reject::Icmp(code) => {
                self.need_net(Net::Ip4, Via::Field)?;
                Expr::reject_with(RejectType::IcmpUnreach, code)
            }
            Reject::Icmpv6(code) => {
                self.need_net(Net::Ip6, Via::Field)?;
                Expr::reject_with(RejectType::IcmpUnreach, code)
            }
            Reject::Icmpx(code) => {
                if matches!(family, Family::Ip | Family::Ip6) {
                    return Err(LowerError::NotInFamily {
                        what: "reject with icmpx",
                        family,
                    });
                }
                crate::expr::Reject::new(RejectType::IcmpxUnreach, code)
                    .map(Expr::Reject)
                    .map_err(|_| LowerError::Value {
                        field: "reject with icmpx".to_owned(),
                        why: "an icmpx code is at most 3 (admin-prohibited)",
                    })?
            }
        };
        self.out.move_to_front(start);
        self.out.push(expr);
        Ok(())
    }

    fn nat(&mut self, nat: &Nat) -> Result<(), LowerError> {
        let family = self.family;
        if !family.is_ip() {
            return Err(LowerError::NotInFamily {
                what: "nat",
                family,
            });
        }
        if let Some(map) = nat.map() {
            return self.nat_map(nat, map);
        }
        let mut next = 1u32;
        let mut reg = || {
            let r = Reg(next);
            next += 1;
            r
        };
        let mut flags = nat.flags();
        let (mut addr_min, mut addr_max) = (None, None);
        let mut nat_family = nat.family();
        if let Some(addr) = nat.addr() {
            let (lo, hi) = match addr {
                Value::Ip(ip) => (*ip, None),
                Value::Prefix(net) => {
                    let last = net.broadcast().ok_or(LowerError::Unsupported(
                        "a NAT prefix without a last address",
                    ))?;
                    (net.network().address(), Some(last))
                }
                Value::Range(r) => match &**r {
                    (Value::Ip(lo), Value::Ip(hi)) if lo.is_ipv4() == hi.is_ipv4() => {
                        (*lo, Some(*hi))
                    }
                    _ => {
                        return Err(LowerError::Value {
                            field: "nat address".into(),
                            why: "a range of two addresses of one family",
                        });
                    }
                },
                _ => {
                    return Err(LowerError::Value {
                        field: "nat address".into(),
                        why: "an address, prefix or address range",
                    });
                }
            };
            let addr_family = if lo.is_ipv4() {
                Family::Ip
            } else {
                Family::Ip6
            };
            match (family, nat_family) {
                (Family::Inet, None) => {
                    return Err(LowerError::NotInFamily {
                        what: "nat without ip or ip6 before the address",
                        family,
                    });
                }
                (Family::Inet, Some(f)) | (_, Some(f)) if f != addr_family => {
                    return Err(self.conflict(if lo.is_ipv4() { "ip" } else { "ip6" }));
                }
                (Family::Ip | Family::Ip6, None) if family != addr_family => {
                    return Err(self.conflict(if lo.is_ipv4() { "ip" } else { "ip6" }));
                }
                _ => {}
            }
            nat_family = Some(addr_family);
            let r = reg();
            self.out.push(Expr::immediate(r, lo.as_bytes()));
            addr_min = Some(r);
            if let Some(hi) = hi {
                let r = reg();
                self.out.push(Expr::immediate(r, hi.as_bytes()));
                addr_max = Some(r);
            }
            flags |= NatFlags::MAP_IPS;
        }
        let (mut proto_min, mut proto_max) = (None, None);
        if let Some(port) = nat.port() {
            if self.l4.is_none() && !self.l4_ports {
                return Err(LowerError::PortWithoutTransport);
            }
            let (lo, hi) = match port {
                Value::Int(p) => (port_value(*p)?, None),
                Value::Range(r) => match &**r {
                    (Value::Int(lo), Value::Int(hi)) => (port_value(*lo)?, Some(port_value(*hi)?)),
                    _ => return Err(nat_port_error()),
                },
                _ => return Err(nat_port_error()),
            };
            let r = reg();
            self.out.push(Expr::immediate(r, lo.to_be_bytes()));
            proto_min = Some(r);
            if let Some(hi) = hi {
                let r = reg();
                self.out.push(Expr::immediate(r, hi.to_be_bytes()));
                proto_max = Some(r);
            }
            flags |= NatFlags::PROTO_SPECIFIED;
        }
        let expr = match nat.kind() {
            NatKind::Snat | NatKind::Dnat => {
                let nat_family = match (nat_family, family) {
                    (Some(f), _) => f,
                    (None, Family::Ip6) => Family::Ip6,
                    (None, Family::Ip) => Family::Ip,
                    (None, _) => {
                        return Err(LowerError::NotInFamily {
                            what: "nat without an address",
                            family,
                        });
                    }
                };
                Expr::from(crate::expr::Nat {
                    kind: if nat.kind() == NatKind::Snat {
                        NatType::Snat
                    } else {
                        NatType::Dnat
                    },
                    family: nat_family,
                    reg_addr_min: addr_min,
                    reg_addr_max: addr_max,
                    reg_proto_min: proto_min,
                    reg_proto_max: proto_max,
                    flags,
                })
            }
            NatKind::Masquerade => Expr::Masquerade(Masquerade {
                flags,
                reg_proto_min: proto_min,
                reg_proto_max: proto_max,
            }),
            NatKind::Redirect => Expr::Redirect(Redirect {
                flags,
                reg_proto_min: proto_min,
                reg_proto_max: proto_max,
            }),
        };
        self.out.push(expr);
        Ok(())
    }

    /// The loads of a `jhash`'s key, from register 2 on (after the dependencies of its
    /// fields); nothing for `symhash`.
    fn hash_key(&mut self, h: &Hash) -> Result<(), LowerError> {
        let Some(key) = h.key() else {
            return Ok(());
        };
        for f in key.fields() {
            self.need_field(&Field::Header(f))?;
        }
        let start = kinds::hash_key_reg().number();
        // Register 2 is 4-byte register 4; later fields follow in 4-byte registers.
        let mut word = (start - 1) * 4;
        for (i, f) in key.fields().enumerate() {
            let reg = if i == 0 {
                Reg(start)
            } else {
                Reg(crate::consts::reg::NFT_REG32_00 + word)
            };
            let load = load(&Field::Header(f), reg)?;
            if load.mask.is_some() {
                return Err(LowerError::Unsupported("a sub-byte field in a jhash"));
            }
            word += load.width.bytes.div_ceil(4);
            self.out.push(load.expr);
        }
        Ok(())
    }

    /// `tproxy`: the address into register 1, the port into the next, then the expression
    /// with nft's family (the table's, or in inet the one written, 0 when none is). Only
    /// inet tables take a family in the statement (ip and ip6 imply theirs).
    fn tproxy(&mut self, t: &Tproxy) -> Result<(), LowerError> {
        let family = self.family;
        let nfproto = match (family, t.family()) {
            (Family::Ip, None) => 2,
            (Family::Ip6, None) => 10,
            (Family::Inet, Some(Family::Ip)) => 2,
            (Family::Inet, Some(Family::Ip6)) => 10,
            (Family::Inet, None) if t.addr().is_none() => 0,
            (Family::Inet, None) => {
                return Err(LowerError::NotInFamily {
                    what: "tproxy without ip or ip6 before the address",
                    family,
                });
            }
            (Family::Ip | Family::Ip6, Some(_)) => {
                return Err(LowerError::NotInFamily {
                    what: "tproxy with ip or ip6 (the table's family is implied)",
                    family,
                });
            }
            _ => {
                return Err(LowerError::NotInFamily {
                    what: "tproxy",
                    family,
                });
            }
        };
        if self.l4.is_none() && !self.l4_ports {
            return Err(LowerError::Unsupported(
                "tproxy without a transport protocol match before it",
            ));
        }
        let want = match nfproto {
            2 => Some(Net::Ip4),
            10 => Some(Net::Ip6),
            _ => None,
        };
        if let (Some(net), Some(want)) = (self.net, want) {
            if net != want {
                return Err(self.conflict(want.name()));
            }
        }
        if let Some(addr) = t.addr() {
            if addr.is_ipv4() != (nfproto == 2) {
                return Err(self.conflict(if addr.is_ipv4() { "ip" } else { "ip6" }));
            }
        }
        let mut next = 1;
        let mut reg = |out: &mut Out<'_>, data: &[u8]| {
            let r = next;
            next += 1;
            out.push(Expr::immediate(Reg(r), data));
            r
        };
        let addr = t.addr().map(|a| reg(&mut self.out, a.as_bytes()));
        let port = t.port().map(|p| reg(&mut self.out, &p.to_be_bytes()));
        self.out.push(kinds::encode_reg_stmt(&RegStmt::Tproxy {
            family: nfproto,
            addr,
            port,
        }));
        Ok(())
    }

    /// `dup`: in ip and ip6 tables the gateway into register 1 and the device index into
    /// register 2; in netdev the device alone, in register 1.
    fn dup(&mut self, d: &Dup) -> Result<(), LowerError> {
        let family = self.family;
        let stmt = match family {
            Family::Ip | Family::Ip6 => {
                let Some(addr) = d.addr else {
                    return Err(LowerError::Value {
                        field: "dup".into(),
                        why: "an address is needed in ip and ip6 tables",
                    });
                };
                if addr.is_ipv4() != (family == Family::Ip) {
                    return Err(self.conflict(if addr.is_ipv4() { "ip" } else { "ip6" }));
                }
                self.out.push(Expr::immediate(Reg::R1, addr.as_bytes()));
                if let Some(dev) = d.device {
                    self.out.push(Expr::immediate(Reg::R2, dev.to_ne_bytes()));
                }
                RegStmt::Dup {
                    addr: Some(1),
                    dev: d.device.map(|_| 2),
                }
            }
            Family::Netdev => {
                let (None, Some(dev)) = (d.addr, d.device) else {
                    return Err(LowerError::Value {
                        field: "dup".into(),
                        why: "a device and no address in netdev tables",
                    });
                };
                self.out.push(Expr::immediate(Reg::R1, dev.to_ne_bytes()));
                RegStmt::Dup {
                    addr: None,
                    dev: Some(1),
                }
            }
            _ => {
                return Err(LowerError::NotInFamily {
                    what: "dup",
                    family,
                });
            }
        };
        self.out.push(kinds::encode_reg_stmt(&stmt));
        Ok(())
    }

    /// `fwd` (netdev): the device index into register 1, the neighbour's address into
    /// register 2.
    fn fwd(&mut self, f: &Fwd) -> Result<(), LowerError> {
        if self.family != Family::Netdev {
            return Err(LowerError::NotInFamily {
                what: "fwd",
                family: self.family,
            });
        }
        self.out
            .push(Expr::immediate(Reg::R1, f.device.to_ne_bytes()));
        let addr = f.addr.map(|a| {
            self.out.push(Expr::immediate(Reg::R2, a.as_bytes()));
            (2, if a.is_ipv4() { 2 } else { 10 })
        });
        self.out
            .push(kinds::encode_reg_stmt(&RegStmt::Fwd { dev: 1, addr }));
        Ok(())
    }

    fn set_update(&mut self, update: &SetUpdate) -> Result<(), LowerError> {
        // The named set has its own key type.
        let (_named, words) = self.load_key_at(&update.key, false, 0, SubByte::Shifted)?;
        let data_reg = match &update.data {
            Some(data) => {
                let _named = self.load_key_at(data, false, words, SubByte::Refuse)?;
                Some(reg_at_word(words))
            }
            None => None,
        };
        let mut inner = Cx::new(self.family);
        for stmt in &update.stmts {
            match stmt {
                Statement::Counter { .. }
                | Statement::Limit { .. }
                | Statement::Quota { .. }
                | Statement::Connlimit { .. }
                | Statement::Expr(_) => inner.statement(stmt)?,
                _ => {
                    return Err(LowerError::Unsupported(
                        "a set element statement other than counter, limit or quota",
                    ));
                }
            }
        }
        let mut dynset = Dynset::new(update.set.clone(), update.op);
        dynset.timeout_ms = update.timeout_ms;
        dynset.sreg_data = data_reg;
        dynset.exprs = inner.out.into_vec();
        self.out.push(Expr::from(dynset));
        Ok(())
    }
}

fn nat_port_error() -> LowerError {
    LowerError::Value {
        field: "nat port".into(),
        why: "a port or a range of ports",
    }
}

fn port_value(p: u64) -> Result<u16, LowerError> {
    u16::try_from(p).map_err(|_| LowerError::Value {
        field: "port".into(),
        why: "ports are 0..=65535",
    })
}

/// How wide a field's value is and how it sits in the loaded bytes.
#[derive(Clone, Copy)]
struct Width {
    /// Bytes loaded.
    bytes: u32,
    /// Bits of the field.
    bits: u32,
    /// Byte order of the loaded value.
    order: ByteOrder,
    /// Bits between the field's end and the end of the loaded bytes.
    shift: u32,
}

/// A field's load: the expression, the width, and the mask of a sub-byte field.
struct Load {
    expr: Expr,
    width: Width,
    mask: Option<Vec<u8>>,
}

/// The load of `field` into `dreg`, refused when it does not fit there (the later fields of
/// a long concatenation can run past the register file): expressions are checked when they
/// are built, and these are built from their fields.
fn load(field: &Field, dreg: Reg) -> Result<Load, LowerError> {
    let load = load_at(field, dreg)?;
    // The kinds' own register checks, as booleans.
    let fits = |reg: Reg, len: Option<u32>| len.map_or(reg.is_valid(), |len| reg.can_hold(len));
    let fits = match &load.expr {
        Expr::Payload(p) => fits(p.dreg, Some(p.len)),
        Expr::Meta(m) => fits(m.dreg, m.key.len()),
        Expr::Ct(c) => fits(c.dreg, c.key.len()),
        _ => true,
    };
    if !fits {
        return Err(LowerError::Value {
            field: field.to_string(),
            why: "the key does not fit in the registers",
        });
    }
    Ok(load)
}

/// [`load`] without the check that the load fits at `dreg`.
fn load_at(field: &Field, dreg: Reg) -> Result<Load, LowerError> {
    match field {
        Field::Header(h) => Ok(payload_load(h.base(), h.bit_offset(), h.bit_len(), dreg)),
        Field::Raw {
            base,
            bit_offset,
            bit_len,
        } => {
            if *bit_len == 0 || *bit_len > 512 || *bit_offset > 0xffff * 8 {
                return Err(LowerError::Value {
                    field: field.to_string(),
                    why: "a raw payload is 1 to 512 bits, at most 65535 bytes in",
                });
            }
            Ok(payload_load(*base, *bit_offset, *bit_len, dreg))
        }
        Field::Exthdr(x) => {
            let mut l = payload_load(PayloadBase::Transport, x.bit_offset(), x.bit_len(), dreg);
            l.expr = exthdr_wire::load(exthdr_target(x), x.is_exists(), dreg);
            Ok(l)
        }
        Field::Meta(key) => {
            let (_, len, order, _) = meta_info(*key).ok_or(LowerError::Unsupported(
                "a meta key the model does not name",
            ))?;
            Ok(Load {
                expr: Expr::Meta(Meta { key: *key, dreg }),
                width: Width {
                    bytes: len,
                    bits: len * 8,
                    order,
                    shift: 0,
                },
                mask: None,
            })
        }
        special @ (Field::Fib(_)
        | Field::Rt(_)
        | Field::Numgen(_)
        | Field::Hash(_)
        | Field::Socket(_)
        | Field::Osf(_)
        | Field::Ipsec(_)) => {
            let (Some(expr), Some((bytes, order, _))) =
                (kinds::load(special, dreg), kinds::info(special))
            else {
                return Err(LowerError::Unsupported("a field without a load"));
            };
            Ok(Load {
                expr,
                width: Width {
                    bytes,
                    bits: bytes * 8,
                    order,
                    shift: 0,
                },
                mask: None,
            })
        }
        Field::CtDir { key, dir } => {
            let (_, len, order, _) = super::ct_dir_info(*key).ok_or(LowerError::Unsupported(
                "a directional ct key the model does not name",
            ))?;
            Ok(Load {
                expr: Expr::unknown("ct", super::ctdir::load_attrs(*key, *dir, dreg.number())),
                width: Width {
                    bytes: len,
                    bits: len * 8,
                    order,
                    shift: 0,
                },
                mask: None,
            })
        }
        Field::Ct(key) => {
            let (_, len, order, _) =
                ct_info(*key).ok_or(LowerError::Unsupported("a ct key the model does not name"))?;
            Ok(Load {
                expr: Expr::Ct(Ct { key: *key, dreg }),
                width: Width {
                    bytes: len,
                    bits: len * 8,
                    order,
                    shift: 0,
                },
                mask: None,
            })
        }
    }
}

/// The register nft names for 4-byte word `word` of the register file: a 16-byte register
/// (1 to 4) where the word starts one, else a 4-byte register (8 to 23), as nft writes
/// registers for compatibility with kernels that only had the 16-byte ones.
fn reg_at_word(word: u32) -> Reg {
    if word % 4 == 0 {
        Reg(1 + word / 4)
    } else {
        Reg(crate::consts::reg::NFT_REG32_00 + word)
    }
}

/// The bytes of an extension header field: the whole bytes its bits touch.
fn exthdr_target(x: &ExthdrField) -> exthdr_wire::Target {
    let first = x.bit_offset() / 8;
    exthdr_wire::Target {
        proto: x.proto(),
        kind: x.kind(),
        offset: first,
        len: (x.bit_offset() + x.bit_len()).div_ceil(8) - first,
    }
}

/// The whole bytes covering `bit_len` bits at `bit_offset`, and the mask when the field
/// does not fill them.
fn payload_load(base: PayloadBase, bit_offset: u32, bit_len: u32, dreg: Reg) -> Load {
    let first = bit_offset / 8;
    let end_bit = bit_offset + bit_len;
    let last = end_bit.div_ceil(8);
    let bytes = last - first;
    let shift = last * 8 - end_bit;
    let mask = (bit_offset % 8 != 0 || end_bit % 8 != 0).then(|| {
        let lead = bit_offset % 8;
        (0..bytes)
            .map(|i| {
                let mut b = 0u8;
                for bit in 0..8 {
                    let pos = i * 8 + bit; // from the first loaded bit
                    if pos >= lead && pos < lead + bit_len {
                        b |= 0x80 >> bit;
                    }
                }
                b
            })
            .collect()
    });
    Load {
        expr: Expr::Payload(Payload {
            base,
            offset: first,
            len: bytes,
            dreg,
        }),
        width: Width {
            bytes,
            bits: bit_len,
            order: ByteOrder::Big,
            shift,
        },
        mask,
    }
}

/// What a set key's load does with a sub-byte field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SubByte {
    /// Not written (map lookups, dynset data: nft's forms not measured).
    Refuse,
    /// Masked, the value in place (anonymous sets and maps).
    InPlace,
    /// Masked and shifted down to the value (named sets and maps, dynset keys).
    Shifted,
}

/// `bitwise` on register 1 through the kind's checked constructor: a mask and value the
/// kind refuses (lengths that differ, empty, past 64 bytes) are this statement's error,
/// never a panic of [`Expr::bitwise`].
pub(super) fn checked_bitwise(
    mask: impl Into<Vec<u8>>,
    xor: impl Into<Vec<u8>>,
) -> Result<Expr, LowerError> {
    Bitwise::new(Reg::R1, Reg::R1, mask, xor)
        .map(Expr::from)
        .map_err(|_| LowerError::Unsupported("a mask or value of another width than its field"))
}

/// `cmp` on register 1 through the kind's checked constructor: data the kind refuses
/// (empty, or wider than the register file) is this statement's error, never a panic of
/// [`Expr::cmp`].
pub(super) fn checked_cmp(op: CmpOp, data: impl AsRef<[u8]>) -> Result<Expr, LowerError> {
    Cmp::new(Reg::R1, op, data).map(Expr::from).map_err(|_| {
        LowerError::Unsupported("a compared value of no bytes or wider than a register")
    })
}

/// `reg &= mask` for a sub-byte field in a set key.
fn sub_byte_mask(mask: Vec<u8>, reg: Reg) -> Expr {
    let zero = vec![0u8; mask.len()];
    let mut b = Expr::bitwise(mask, zero);
    if let Expr::Bitwise(x) = &mut b {
        x.sreg = reg;
        x.dreg = reg;
    }
    b
}

/// `true` when `addr` is the address family of `field` (raw fields take any width match).
fn check_addr(field: &Field, addr: &Ip) -> Result<(), LowerError> {
    addr_fits(field, field.datatype(), addr).map_err(|why| value_error(field, why))
}

/// [`check_addr`] with `field`'s datatype `dt`, the error only its reason.
#[inline]
fn addr_fits(field: &Field, dt: Datatype, addr: &Ip) -> Result<(), &'static str> {
    let ok = match dt {
        Datatype::Ipv4Addr => addr.is_ipv4(),
        Datatype::Ipv6Addr => addr.is_ipv6(),
        _ => {
            matches!(field, Field::Raw { bit_len, .. } if *bit_len as usize == addr.as_bytes().len() * 8)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(match dt {
            Datatype::Ipv4Addr => "an IPv4 address is needed",
            Datatype::Ipv6Addr => "an IPv6 address is needed",
            _ => "this field does not hold addresses",
        })
    }
}

/// [`LowerError::Value`] of `field` (out of line: the checks that build it are on every
/// lowered and every lifted match, the error on few).
#[cold]
#[inline(never)]
fn value_error(field: &Field, why: &'static str) -> LowerError {
    LowerError::Value {
        field: field.to_string(),
        why,
    }
}

/// The bytes of a scalar value of `field`, as loaded.
fn scalar_bytes(field: &Field, value: &Value, width: &Width) -> Result<Vec<u8>, LowerError> {
    scalar_data(field, value, width).map(Vec::from)
}

/// [`scalar_bytes`] held inline (no allocation for a value up to [`CmpData::INLINE`]
/// bytes), for the compare it becomes.
fn scalar_data(field: &Field, value: &Value, width: &Width) -> Result<CmpData, LowerError> {
    match scalar_with(field, field.datatype(), value, width, Copied) {
        Ok(data) => Ok(data),
        Err(why) => Err(value_error(field, why)),
    }
}

/// What [`scalar_with`] does with a value's bytes.
trait Taker {
    /// What it makes of them.
    type Out;
    /// Take the bytes.
    fn take(self, bytes: &[u8]) -> Self::Out;
}

/// The bytes copied into a [`CmpData`] (the lowering's compare data).
struct Copied;

impl Taker for Copied {
    type Out = CmpData;
    /// [`CmpData::new`]; 1-, 2-, 4- and 16-byte values copied by fixed-size moves (not by
    /// `memset` and `memcpy` calls).
    #[inline(always)]
    fn take(self, bytes: &[u8]) -> CmpData {
        /// `bytes` as an `N`-byte array's data, `None` when it is not `N` bytes.
        #[inline(always)]
        fn fixed<const N: usize>(bytes: &[u8]) -> Option<CmpData> {
            <[u8; N]>::try_from(bytes).ok().map(CmpData::from)
        }
        match bytes.len() {
            4 => fixed::<4>(bytes),
            1 => fixed::<1>(bytes),
            2 => fixed::<2>(bytes),
            16 => fixed::<16>(bytes),
            _ => None,
        }
        .unwrap_or_else(|| CmpData::new(bytes))
    }
}

/// Whether the bytes are these (the lift's checks compare them where they lie).
struct SameAs<'a>(&'a [u8]);

impl Taker for SameAs<'_> {
    type Out = bool;
    #[inline(always)]
    fn take(self, bytes: &[u8]) -> bool {
        same_bytes(bytes, self.0)
    }
}

/// `a == b` for byte strings of the lengths compared values have (2, 4 and 16 bytes
/// compared as numbers, not by a `memcmp` call).
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    /// `a == b` as `N`-byte arrays; `None` when either is not `N` bytes.
    #[inline(always)]
    fn fixed<const N: usize>(a: &[u8], b: &[u8]) -> Option<bool> {
        Some(<[u8; N]>::try_from(a).ok()? == <[u8; N]>::try_from(b).ok()?)
    }
    match a.len() {
        4 => fixed::<4>(a, b),
        2 => fixed::<2>(a, b),
        16 => fixed::<16>(a, b),
        _ => None,
    }
    .unwrap_or_else(|| a == b)
}

/// The one encoder of a scalar value of `field` (of datatype `dt`) as loaded: `out`
/// takes its bytes ([`Copied`] for [`scalar_data`], [`SameAs`] for the lift's checks),
/// or the reason it cannot be loaded there. Inlined, so each arm hands `out` bytes of a
/// known length.
#[inline(always)]
fn scalar_with<T: Taker>(
    field: &Field,
    dt: Datatype,
    value: &Value,
    width: &Width,
    out: T,
) -> Result<T::Out, &'static str> {
    let n = width.bytes as usize;
    Ok(match value {
        Value::Int(v) if dt == Datatype::CtLabel => {
            out.take(&super::ctdir::label_bitmap(*v, n).ok_or("a label is a bit of the field")?)
        }
        Value::Int(v) => {
            if width.bits < 64 && *v >> width.bits != 0 {
                return Err("the value is wider than the field");
            }
            if matches!(
                dt,
                Datatype::Ipv4Addr
                    | Datatype::Ipv6Addr
                    | Datatype::EtherAddr
                    | Datatype::Ifname
                    | Datatype::String
            ) {
                return Err("this field takes an address or a name, not a number");
            }
            if n > 8 {
                return Err("the field is too wide for a number");
            }
            let v = v << width.shift;
            match width.order {
                ByteOrder::Big => out.take(&v.to_be_bytes()[8 - n..]),
                ByteOrder::Host if cfg!(target_endian = "little") => {
                    out.take(&v.to_le_bytes()[..n])
                }
                ByteOrder::Host => out.take(&v.to_be_bytes()[8 - n..]),
            }
        }
        Value::Ip(ip) => {
            addr_fits(field, dt, ip)?;
            out.take(ip.as_bytes())
        }
        Value::Mac(mac) => {
            if dt != Datatype::EtherAddr && n != 6 {
                return Err("this field does not hold Ethernet addresses");
            }
            out.take(mac.as_bytes())
        }
        Value::Ifname(name) => {
            if !matches!(dt, Datatype::Ifname | Datatype::String) {
                return Err("this field does not hold interface names");
            }
            if name.is_empty() || name.len() > 15 || name.contains('\0') {
                return Err("an interface name is 1 to 15 bytes without NUL");
            }
            match name.strip_suffix('*') {
                Some(prefix) if !prefix.is_empty() => out.take(prefix.as_bytes()),
                _ => out.take(&crate::set::ifname_bytes(name)),
            }
        }
        Value::Bytes(bytes) => {
            if bytes.len() != n {
                return Err("raw bytes must be exactly the field's width");
            }
            out.take(bytes)
        }
        _ => return Err("a single value is needed here"),
    })
}

/// The set key type of a field, by its datatype.
fn key_type(field: &Field) -> Result<KeyType, LowerError> {
    // nft's type for helper names is `string` (5), not the interface name type.
    if matches!(field, Field::Ct(k) if k.number() == 6) {
        return Ok(KeyType::Raw {
            type_id: 5,
            len: 16,
        });
    }
    Ok(match field.datatype() {
        Datatype::Ipv4Addr => KeyType::Ipv4Addr,
        Datatype::Ipv6Addr => KeyType::Ipv6Addr,
        Datatype::EtherAddr => KeyType::EtherAddr,
        Datatype::InetService => KeyType::InetService,
        Datatype::InetProto => KeyType::InetProto,
        Datatype::Mark => KeyType::Mark,
        Datatype::Ifname => KeyType::Ifname,
        Datatype::CtState => KeyType::CtState,
        dt => {
            let type_id = match (field, dt) {
                // Raw payload ranges are nft's hex-printed integers: integer keys.
                (Field::Raw { .. }, _) => Some(4),
                (_, dt) => raw_type_id(dt),
            };
            let Some(type_id) = type_id else {
                return Err(LowerError::Unsupported(
                    "an anonymous set or map of a field without a set key type",
                ));
            };
            KeyType::Raw {
                type_id,
                len: super::bits::load_bytes(field),
            }
        }
    })
}

/// nft's datatype id (`enum datatypes`, the set key type it writes) for the datatypes
/// the model keeps as [`KeyType::Raw`].
fn raw_type_id(dt: Datatype) -> Option<u32> {
    Some(match dt {
        Datatype::NfProto => 2,
        Datatype::Integer => 4,
        Datatype::EtherType => 10,
        Datatype::ArpOp => 11,
        Datatype::IcmpType => 14,
        Datatype::TcpFlag => 15,
        Datatype::MhType => 17,
        Datatype::DccpPkttype => 16,
        Datatype::Time => 18,
        Datatype::IfIndex => 20,
        Datatype::ArpHrd => 21,
        Datatype::TcHandle => 23,
        Datatype::Uid => 24,
        Datatype::Gid => 25,
        Datatype::CtDir => 27,
        Datatype::CtStatus => 28,
        Datatype::Icmpv6Type => 29,
        Datatype::PktType => 31,
        Datatype::IcmpCode => 32,
        Datatype::Icmpv6Code => 33,
        Datatype::IcmpxCode => 34,
        Datatype::DevGroup => 35,
        Datatype::Dscp => 36,
        Datatype::Ecn => 37,
        Datatype::Boolean => 39,
        Datatype::IgmpType => 42,
        Datatype::Day => 45,
        Datatype::String => 5,
        Datatype::FibAddr => 38,
        Datatype::Realm => 22,
        Datatype::Date => 43,
        Datatype::Hour => 44,
        _ => return None,
    })
}

/// The set userdata of an anonymous set (or verdict map) of a key type the model keeps raw:
/// nft's key byte order TLV (`NFTNL_UDATA_SET_KEYBYTEORDER`: 1 host, 2 big endian), by
/// which nft prints the elements (without it, host-order integers print byte-swapped), and
/// for a verdict map the data TLVs the encoder derives otherwise. Empty for other keys (the
/// encoder derives their TLVs). Userdata only: the kernel never reads it.
fn raw_key_userdata(key: &Key, key_type: &KeyType, vmap: bool) -> Vec<u8> {
    if let (Key::Concat(fields), KeyType::Raw { .. }, false) = (key, key_type, vmap) {
        return raw_concat_userdata(fields);
    }
    let (Key::Field(field), KeyType::Raw { .. }) = (key, key_type) else {
        return Vec::new();
    };
    // nft's string type is host order (its bytes are the name either way); nft prints
    // the elements of a string set with big-endian userdata as empty names. It reads
    // helper names in host order too (as it loads them), whatever their bytes.
    let helper = matches!(field, Field::Ct(k) if k.number() == 6);
    let order: u32 = match field.byte_order() {
        _ if helper || field.datatype() == Datatype::String => 1,
        ByteOrder::Host => 1,
        ByteOrder::Big => 2,
    };
    let mut out = vec![0, 4];
    out.extend_from_slice(&order.to_ne_bytes());
    if vmap {
        // Data byte order 0 (verdicts).
        out.extend_from_slice(&[1, 4, 0, 0, 0, 0]);
    }
    if let (
        Field::Raw {
            base,
            bit_offset,
            bit_len,
        },
        false,
    ) = (field, vmap)
    {
        // Key typeof (3) of a set (nft writes none for a verdict map): `{expr: EXPR_PAYLOAD
        // (7), data: {desc 0, tmpl 0, base, offset, len}}`, nft's proto base numbering
        // (link 1), offset and length in bits. nft prints the set's elements by it (in hex).
        out.extend_from_slice(&[3, 38]);
        out.extend(raw_typeof(*base, *bit_offset, *bit_len));
    }
    if vmap {
        // Data typeof `{expr: EXPR_VERDICT (1), data: {}}`.
        out.extend_from_slice(&[4, 8, 0, 4]);
        out.extend_from_slice(&1u32.to_ne_bytes());
        out.extend_from_slice(&[1, 0]);
    }
    out
}

/// `true` for a set value with a range or prefix (an interval set's element).
fn is_interval(v: &Value) -> bool {
    match v {
        Value::Range(_) | Value::Prefix(_) => true,
        // An interface name wildcard is the range of names it starts.
        Value::Ifname(name) => name.len() > 1 && name.ends_with('*'),
        Value::Concat(parts) => parts.iter().any(is_interval),
        _ => false,
    }
}

/// nft's typeof TLV data of a raw payload range: `{expr: EXPR_PAYLOAD (7), data: {desc 0,
/// tmpl 0, base, offset, len}}`, its proto base numbering (link 1), offset and length in
/// bits.
fn raw_typeof(base: PayloadBase, bit_offset: u32, bit_len: u32) -> Vec<u8> {
    let mut out = vec![0, 4];
    out.extend_from_slice(&7u32.to_ne_bytes());
    out.extend_from_slice(&[1, 30]);
    for (i, v) in [0, 0, base.number() + 1, bit_offset, bit_len]
        .into_iter()
        .enumerate()
    {
        out.extend_from_slice(&[i as u8, 4]);
        out.extend_from_slice(&v.to_ne_bytes());
    }
    out
}

/// The userdata of an anonymous set keyed by a concatenation of raw payload ranges: key byte
/// order 0 (mixed), and the key typeof `{expr: EXPR_CONCAT (13), data: {i: field typeof}}`,
/// by which nft prints the elements. Empty when a field is not raw, or the TLVs would not
/// fit their one-byte lengths.
fn raw_concat_userdata(fields: &[Field]) -> Vec<u8> {
    let mut parts = Vec::with_capacity(fields.len() * 40);
    for (i, f) in fields.iter().enumerate() {
        let Field::Raw {
            base,
            bit_offset,
            bit_len,
        } = *f
        else {
            return Vec::new();
        };
        let t = raw_typeof(base, bit_offset, bit_len);
        let (Ok(i), Ok(n)) = (u8::try_from(i), u8::try_from(t.len())) else {
            return Vec::new();
        };
        parts.extend_from_slice(&[i, n]);
        parts.extend_from_slice(&t);
    }
    let Ok(n) = u8::try_from(parts.len()) else {
        return Vec::new();
    };
    let Ok(total) = u8::try_from(parts.len() + 8) else {
        return Vec::new();
    };
    let mut out = vec![0, 4, 0, 0, 0, 0, 3, total, 0, 4];
    out.extend_from_slice(&13u32.to_ne_bytes());
    out.extend_from_slice(&[1, n]);
    out.extend_from_slice(&parts);
    out
}

/// `true` when a value of this width must be converted to big endian before it is
/// compared as a number (a host-order field wider than a byte).
fn swaps(width: &Width) -> bool {
    width.order == ByteOrder::Host && width.bytes > 1
}

/// `bitwise reg = reg >> shift` over `bytes`: `NFTA_BITWISE_SREG` 1, `DREG` 2, `LEN` 3,
/// `OP` 6 (`NFT_BITWISE_RSHIFT` 2) and `DATA` 7 (a nest of `NFTA_DATA_VALUE` holding the
/// shift as a host-order u32), as the kernel dumps it.
fn rshift(reg: Reg, bytes: u32, shift: u32) -> Expr {
    let mut out = Vec::with_capacity(48);
    put_u32(&mut out, 1, reg.number());
    put_u32(&mut out, 2, reg.number());
    put_u32(&mut out, 3, bytes);
    put_u32(&mut out, 6, 2);
    let mut nest = Vec::with_capacity(8);
    put_attr(&mut nest, 1, &shift.to_ne_bytes());
    put_attr(&mut out, 7, &nest);
    Expr::unknown("bitwise", out)
}

/// `byteorder reg = hton(reg, len, len)`: `NFTA_BYTEORDER_SREG` 1, `DREG` 2, `OP` 3
/// (`NFT_BYTEORDER_HTON` 1), `LEN` 4 and `SIZE` 5, as the kernel dumps it.
fn hton(reg: Reg, bytes: u32) -> Expr {
    hton_sized(reg, bytes, bytes)
}

/// `byteorder reg = hton(reg, len, size)`.
fn hton_sized(reg: Reg, len: u32, size: u32) -> Expr {
    let mut out = Vec::with_capacity(40);
    put_u32(&mut out, 1, reg.number());
    put_u32(&mut out, 2, reg.number());
    put_u32(&mut out, 3, 1);
    put_u32(&mut out, 4, len);
    put_u32(&mut out, 5, size);
    Expr::unknown("byteorder", out)
}

/// One-byte fields nft holds in host byte order (`meta l4proto`, `meta nfproto`, `meta
/// pkttype`, `ct direction`): in an interval concatenation nft converts them with a
/// `byteorder` of length 1 and unit 2, which changes nothing.
pub(crate) fn host_byte(f: &Field) -> bool {
    match f {
        Field::Meta(k) => matches!(k.number(), 15 | 16 | 19),
        Field::Ct(k) => k.number() == 1,
        _ => false,
    }
}

/// A set element of `key` from a value.
fn element(key: &Key, value: &Value, interval: bool) -> Result<SetElement, LowerError> {
    match (key, value) {
        (Key::Concat(fields), Value::Concat(parts)) if fields.len() == parts.len() => {
            let parts = fields
                .iter()
                .zip(parts)
                .map(|(f, v)| field_element(f, v, interval))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(SetElement::concat(parts))
        }
        (Key::Concat(_), _) => Err(LowerError::Value {
            field: "concatenation".into(),
            why: "an element needs one value per field",
        }),
        (Key::Field(f), v) => field_element(f, v, interval),
    }
}

fn field_element(field: &Field, value: &Value, interval: bool) -> Result<SetElement, LowerError> {
    let bad = |why| LowerError::Value {
        field: field.to_string(),
        why,
    };
    match value {
        Value::Prefix(net) => {
            check_addr(field, &net.address())?;
            Ok(SetElement::Prefix(*net))
        }
        Value::Range(r) => Ok(SetElement::range(
            elem_value(field, &r.0, interval)?,
            elem_value(field, &r.1, interval)?,
        )),
        Value::Set(_) | Value::SetRef(_) | Value::Concat(_) => {
            Err(bad("a set element is a value, range or prefix"))
        }
        Value::Ifname(name) if name.len() > 1 && name.ends_with('*') => {
            // `"eth*"`: from the prefix to the prefix followed by 0xff bytes.
            let prefix = &name[..name.len() - 1];
            if field.datatype() != Datatype::Ifname || prefix.len() > 15 || prefix.contains('\0') {
                return Err(bad("an interface name wildcard is 1 to 15 bytes and a `*`"));
            }
            let mut hi = prefix.as_bytes().to_vec();
            hi.resize(16, 0xff);
            Ok(SetElement::range(
                ElemValue::Ifname(prefix.into()),
                ElemValue::Bytes(hi.into()),
            ))
        }
        v => Ok(SetElement::Value(elem_value(field, v, interval)?)),
    }
}

/// One scalar element of `field`: typed for the key types the model names, else the
/// field's bytes (big endian in an `interval` set, else in the field's byte order).
fn elem_value(field: &Field, value: &Value, interval: bool) -> Result<ElemValue, LowerError> {
    let key = key_type(field)?;
    let bad = |why| LowerError::Value {
        field: field.to_string(),
        why,
    };
    Ok(match (key, value) {
        (KeyType::InetService, Value::Int(p)) => ElemValue::Port(port_value(*p)?),
        (KeyType::InetProto, Value::Int(p)) => {
            ElemValue::Proto(u8::try_from(*p).map_err(|_| bad("protocols are 0..=255"))?)
        }
        (KeyType::Mark, Value::Int(m)) => {
            ElemValue::Mark(u32::try_from(*m).map_err(|_| bad("marks are 32 bits"))?)
        }
        (KeyType::CtState, Value::Int(s)) => ElemValue::CtState(crate::CtState::from_bits_retain(
            u32::try_from(*s).map_err(|_| bad("ct state bits are 32 bits"))?,
        )),
        (KeyType::Ipv4Addr | KeyType::Ipv6Addr, Value::Ip(ip)) => {
            check_addr(field, ip)?;
            ElemValue::Ip(*ip)
        }
        (KeyType::EtherAddr, Value::Mac(mac)) => ElemValue::Mac(*mac),
        (KeyType::Raw { type_id: 5, len }, Value::Ifname(name)) => {
            if name.is_empty() || name.len() >= len as usize || name.contains('\0') {
                return Err(bad("a name is 1 to 15 bytes without NUL"));
            }
            let mut b = name.as_bytes().to_vec();
            b.resize(len as usize, 0);
            ElemValue::Bytes(b.into())
        }
        (KeyType::Raw { len, .. }, Value::Int(_)) => {
            let order = if interval {
                ByteOrder::Big
            } else {
                field.byte_order()
            };
            let width = Width {
                bytes: len,
                bits: field.bit_len(),
                order,
                shift: super::bits::shift(field),
            };
            ElemValue::Bytes(scalar_bytes(field, value, &width)?.into())
        }
        (KeyType::Raw { len, .. }, Value::Ifname(name)) if field.datatype() == Datatype::String => {
            // A whole name (nft makes `name*` an interval); NUL padded to the key.
            if name.is_empty() || name.len() >= len as usize || name.ends_with('*') {
                return Err(bad("a name of 1 to 15 bytes, without a trailing *"));
            }
            let mut bytes = name.as_bytes().to_vec();
            bytes.resize(len as usize, 0);
            ElemValue::Bytes(bytes.into())
        }
        (KeyType::Ifname, Value::Ifname(name)) => {
            if name.is_empty() || name.len() > 15 {
                return Err(bad("an interface name is 1 to 15 bytes"));
            }
            ElemValue::Ifname(name.clone().into_boxed_str())
        }
        _ => return Err(bad("the value does not fit the field's type")),
    })
}

/// The `NFTA_EXPR_DATA` of `meta set`: key, then source register 1 (the kernel's dump
/// order).
fn set_attrs(key_attr: u16, key: u32, sreg_attr: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    put_u32(&mut out, key_attr, key);
    put_u32(&mut out, sreg_attr, Reg::R1.number());
    out
}

/// `range neq reg 1 lo hi` (`NFTA_RANGE_SREG` 1, `OP` 2 = `NFT_RANGE_NEQ` 1, `FROM_DATA` 3
/// and `TO_DATA` 4 each a nest of `NFTA_DATA_VALUE`), as the kernel dumps it.
fn range_neq(lo: &[u8], hi: &[u8]) -> Expr {
    let mut out = Vec::with_capacity(48);
    put_u32(&mut out, 1, Reg::R1.number());
    put_u32(&mut out, 2, 1);
    for (kind, data) in [(3u16, lo), (4u16, hi)] {
        let mut nest = Vec::with_capacity(8 + data.len());
        put_attr(&mut nest, 1, data);
        put_attr(&mut out, kind, &nest);
    }
    Expr::unknown("range", out)
}

/// `queue num N [to M] [flags]`: `NFTA_QUEUE_NUM` 1, `TOTAL` 2, `FLAGS` 3, each a
/// big-endian u16, all three as the kernel dumps them.
fn queue(q: Queue) -> Expr {
    let mut out = Vec::with_capacity(24);
    put_attr(&mut out, 1, &q.num.to_be_bytes());
    put_attr(&mut out, 2, &q.total.max(1).to_be_bytes());
    put_attr(&mut out, 3, &q.flags.to_be_bytes());
    Expr::unknown("queue", out)
}

/// Checks a statement's values without a family: what [`lower`] would refuse in any family
/// (a value that does not fit its field, a port out of range). Used by the builders.
pub(super) fn check(stmt: &Statement) -> Result<(), LowerError> {
    if let Statement::Match(m) = stmt
        && let Some(checked) = check_plain_match(m)
    {
        return checked;
    }
    check_by_lowering(stmt)
}

/// The check of the most common match, a header field `==` or `!=` a number or an address
/// with no mask (`ip saddr 10.0.0.1`), without running the lowering: exactly what
/// [`check_by_lowering`] answers for it (the `lower` tests compare the two on every header
/// field), at a fraction of the cost (every statement a builder makes is checked; the
/// lowering wrote and dropped the dependencies and expressions). `None` for any other
/// match, which the lowering checks.
///
/// Why it is the same: in a fresh netdev context a header field's dependencies never
/// conflict (the only error is a protocol without a number, left to the lowering, as are
/// ICMP fields with a type dependency), a byte-aligned field loads with no mask, and an
/// unmasked equality of a scalar is then a compare of the value's bytes: its only errors
/// are [`scalar_data`]'s.
fn check_plain_match(m: &Match) -> Option<Result<(), LowerError>> {
    let (Key::Field(field @ Field::Header(h)), Op::Eq | Op::Ne, None, Value::Int(_) | Value::Ip(_)) =
        (m.key(), m.op(), m.mask(), m.value())
    else {
        return None;
    };
    let proto = h.proto();
    let plain_dependency = matches!(
        proto,
        Proto::Ether | Proto::Vlan | Proto::Ip | Proto::Ip6 | Proto::Arp | Proto::Th
    ) || proto.l4proto().is_some();
    if !plain_dependency || super::icmp::icmp_dep(*h).is_some() {
        return None;
    }
    let load = payload_load(h.base(), h.bit_offset(), h.bit_len(), Reg::R1);
    if load.mask.is_some() {
        return None;
    }
    Some(scalar_data(field, m.value(), &load.width).map(drop))
}

/// [`check`] by lowering `stmt` alone, in netdev (every network protocol, none implied) or,
/// for NAT, in the family of its address.
fn check_by_lowering(stmt: &Statement) -> Result<(), LowerError> {
    // netdev has every network protocol and none implied; NAT is checked in the table
    // family of its address, after a transport match (its ports are checked, not required).
    let mut cx = match stmt {
        Statement::Nat(nat) => {
            let by_addr = match nat.addr() {
                Some(Value::Ip(ip)) if ip.is_ipv6() => Family::Ip6,
                Some(Value::Prefix(net)) if net.address().is_ipv6() => Family::Ip6,
                Some(Value::Range(r)) if matches!(&r.0, Value::Ip(ip) if ip.is_ipv6()) => {
                    Family::Ip6
                }
                _ => Family::Ip,
            };
            let mut cx = Cx::with_out(nat.family().unwrap_or(by_addr), Out::discard());
            cx.l4 = Some(6);
            cx
        }
        _ => Cx::with_out(Family::Netdev, Out::discard()),
    };
    cx.statement(stmt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_bytes_are_cmp_data_new() {
        let bytes: Vec<u8> = (1..=40).collect();
        for n in 0..=bytes.len() {
            let b = &bytes[..n];
            let (copied, new) = (Copied.take(b), CmpData::new(b));
            assert_eq!(copied.as_slice(), new.as_slice(), "{n}");
            assert_eq!(copied.is_inline(), new.is_inline(), "{n}");
        }
    }

    /// The shortcut of [`check_plain_match`] answers as the lowering does, on every header
    /// field, with numbers in and out of range and addresses of both families.
    #[test]
    fn plain_match_check_is_the_lowering_check() {
        let values = [
            Value::Int(0),
            Value::Int(1),
            Value::Int(0xff),
            Value::Int(0x1_0000),
            Value::Int(u64::MAX),
            Value::Ip(Ip::from(std::net::Ipv4Addr::new(10, 0, 0, 1))),
            Value::Ip(Ip::from(std::net::Ipv6Addr::LOCALHOST)),
        ];
        let mut fast = 0;
        for h in HeaderField::ALL {
            for op in [Op::Eq, Op::Ne] {
                for v in &values {
                    let Some(m) = Match::new(*h, op, v.clone()) else {
                        continue;
                    };
                    let stmt = Statement::Match(m.clone());
                    if let Some(got) = check_plain_match(&m) {
                        fast += 1;
                        assert_eq!(got, check_by_lowering(&stmt), "{h:?} {op:?} {v:?}");
                    }
                }
            }
        }
        assert!(fast > 100, "the shortcut took only {fast} matches");
    }

    /// What [`writes_its_dependencies`] promises, on every header field in every family,
    /// alone and after each protocol match the lowering learns from.
    #[test]
    fn certain_dependencies_are_there() {
        use crate::validate::lacks_dependencies;
        let before: [Option<Statement>; 5] = [
            None,
            Statement::is(Field::Meta(MetaKey::L4proto), 6u8).ok(),
            Statement::is(HeaderField::IpProtocol, 17u8).ok(),
            Statement::is(Field::Meta(MetaKey::Nfproto), 10u8).ok(),
            Statement::is(HeaderField::EtherType, 0x0800u16).ok(),
        ];
        let values = [
            Value::Int(1),
            Value::Ip(Ip::from(std::net::Ipv4Addr::new(10, 0, 0, 1))),
            Value::Ip(Ip::from(std::net::Ipv6Addr::LOCALHOST)),
        ];
        let mut seen = 0;
        for family in [
            Family::Ip,
            Family::Ip6,
            Family::Inet,
            Family::Arp,
            Family::Bridge,
            Family::Netdev,
        ] {
            for h in HeaderField::ALL {
                for first in &before {
                    for v in &values {
                        let Some(m) = Match::new(*h, Op::Eq, v.clone()) else {
                            continue;
                        };
                        let stmts: Vec<Statement> = first
                            .iter()
                            .cloned()
                            .chain([
                                Statement::Match(m),
                                Statement::Verdict(crate::Verdict::Accept),
                            ])
                            .collect();
                        let Ok((exprs, certain)) = lower_refusing(family, stmts.clone(), |_| None)
                        else {
                            continue;
                        };
                        assert_eq!(exprs, lower(family, &stmts).unwrap());
                        if certain {
                            seen += 1;
                            assert!(
                                !lacks_dependencies(family, &exprs),
                                "{family} {stmts:?}: {exprs:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(seen > 1000, "only {seen} certain rules");
    }
}
