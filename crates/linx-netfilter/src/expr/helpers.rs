//! Constructors for [`Expr`]: loads, comparisons in the right byte order, verdicts and
//! stateful expressions.
//!
//! Why helpers that return `Vec<Expr>`: a match is always "load, then compare", and the byte
//! order of the comparison data depends on what was loaded. Writing the pair in one place per
//! field makes the byte order a property of the helper, checked by its doc test, instead of
//! something every caller has to remember.
//!
//! # Contract
//! - Payload helpers load from packet headers (network order); their `_eq` forms take host
//!   integers and emit big-endian `cmp` data.
//! - Meta and ct helpers for host-integer keys emit **native-endian** `cmp` data.
//! - No helper adds protocol dependencies (`meta l4proto tcp` before `tcp dport`, `meta
//!   nfproto ipv4` in inet tables): add [`Expr::meta_l4proto_eq`] / [`Expr::meta_nfproto_eq`]
//!   yourself, as nft does, or the load reads whatever bytes are at that offset.
//! - Everything uses register 1 unless said otherwise.
//! - Every expression is checked when it is built (see [`crate::expr`]). The helpers that
//!   take raw lengths or bytes (`payload`, `cmp*`, `bitwise`, `immediate`, `lookup_map`,
//!   `reject_with`, `log_group`) panic when those fail the kind's checks, as a slice index
//!   out of range does; the kind's `new` ([`Cmp::new`], ...) returns the [`Reason`]
//!   instead. The other helpers cannot fail.

use linx_ip::{Ip, Subnet};

use super::{
    Bitwise, CmpOp, CtKey, Dynset, DynsetOp, Expr, ImmediateData, Log, MetaKey, PayloadBase,
    RateUnit, Reg, RejectType, SetLiteral, UnknownExpr, VmapLiteral,
};
use crate::expr::{Cmp, Ct, Immediate, Meta, Payload};
use crate::expr::{Counter, Limit, Lookup, Objref, Quota, Reject};
use crate::set::ifname_bytes;
use crate::{CtState, KeyType, ObjectType, Reason, SetElement, Verdict};

/// The value of a helper's checked construction; a helper given bytes or lengths outside
/// the kind's limits panics (see the module contract).
#[inline]
#[track_caller]
fn built<T: Into<Expr>>(helper: &str, value: Result<T, Reason>) -> Expr {
    match value {
        Ok(value) => value.into(),
        Err(reason) => panic!("Expr::{helper}: {reason}"),
    }
}

impl Expr {
    /// Load `len` bytes at `offset` of header `base` into register 1.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Payload, PayloadBase}};
    /// assert_eq!(
    ///     Expr::payload(PayloadBase::Network, 12, 4),
    ///     Expr::from(Payload::new(PayloadBase::Network, 12, 4, Reg::R1)?),
    /// );
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    ///
    /// # Panics
    /// When `len` is 0 or more than 64 ([`Payload::new`] returns the error instead).
    #[track_caller]
    pub fn payload(base: PayloadBase, offset: u32, len: u32) -> Expr {
        built("payload", Payload::new(base, offset, len, Reg::R1))
    }

    /// `ip saddr`: network header + 12, 4 bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::ip_saddr(), Expr::payload(PayloadBase::Network, 12, 4));
    /// ```
    pub fn ip_saddr() -> Expr {
        Expr::payload(PayloadBase::Network, 12, 4)
    }

    /// `ip daddr`: network header + 16, 4 bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::ip_daddr(), Expr::payload(PayloadBase::Network, 16, 4));
    /// ```
    pub fn ip_daddr() -> Expr {
        Expr::payload(PayloadBase::Network, 16, 4)
    }

    /// `ip protocol`: network header + 9, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::ip_protocol(), Expr::payload(PayloadBase::Network, 9, 1));
    /// ```
    pub fn ip_protocol() -> Expr {
        Expr::payload(PayloadBase::Network, 9, 1)
    }

    /// `ip6 saddr`: network header + 8, 16 bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::ip6_saddr(), Expr::payload(PayloadBase::Network, 8, 16));
    /// ```
    pub fn ip6_saddr() -> Expr {
        Expr::payload(PayloadBase::Network, 8, 16)
    }

    /// `ip6 daddr`: network header + 24, 16 bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::ip6_daddr(), Expr::payload(PayloadBase::Network, 24, 16));
    /// ```
    pub fn ip6_daddr() -> Expr {
        Expr::payload(PayloadBase::Network, 24, 16)
    }

    /// `ip6 nexthdr`: network header + 6, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::ip6_nexthdr(), Expr::payload(PayloadBase::Network, 6, 1));
    /// ```
    pub fn ip6_nexthdr() -> Expr {
        Expr::payload(PayloadBase::Network, 6, 1)
    }

    /// `ip6 hoplimit`: network header + 7, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::ip6_hoplimit(), Expr::payload(PayloadBase::Network, 7, 1));
    /// ```
    pub fn ip6_hoplimit() -> Expr {
        Expr::payload(PayloadBase::Network, 7, 1)
    }

    /// `tcp sport`: transport header + 0, 2 bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::tcp_sport(), Expr::payload(PayloadBase::Transport, 0, 2));
    /// ```
    pub fn tcp_sport() -> Expr {
        Expr::payload(PayloadBase::Transport, 0, 2)
    }

    /// `tcp dport`: transport header + 2, 2 bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::tcp_dport(), Expr::payload(PayloadBase::Transport, 2, 2));
    /// ```
    pub fn tcp_dport() -> Expr {
        Expr::payload(PayloadBase::Transport, 2, 2)
    }

    /// `udp sport`: transport header + 0, 2 bytes (same bytes as TCP).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::udp_sport(), Expr::tcp_sport());
    /// ```
    pub fn udp_sport() -> Expr {
        Expr::tcp_sport()
    }

    /// `udp dport`: transport header + 2, 2 bytes (same bytes as TCP).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::udp_dport(), Expr::tcp_dport());
    /// ```
    pub fn udp_dport() -> Expr {
        Expr::tcp_dport()
    }

    /// `tcp flags`: transport header + 13, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::tcp_flags(), Expr::payload(PayloadBase::Transport, 13, 1));
    /// ```
    pub fn tcp_flags() -> Expr {
        Expr::payload(PayloadBase::Transport, 13, 1)
    }

    /// `icmp type`: transport header + 0, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::icmp_type(), Expr::payload(PayloadBase::Transport, 0, 1));
    /// ```
    pub fn icmp_type() -> Expr {
        Expr::payload(PayloadBase::Transport, 0, 1)
    }

    /// `icmp code`: transport header + 1, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::PayloadBase};
    /// assert_eq!(Expr::icmp_code(), Expr::payload(PayloadBase::Transport, 1, 1));
    /// ```
    pub fn icmp_code() -> Expr {
        Expr::payload(PayloadBase::Transport, 1, 1)
    }

    /// `icmpv6 type`: transport header + 0, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::icmpv6_type(), Expr::icmp_type());
    /// ```
    pub fn icmpv6_type() -> Expr {
        Expr::icmp_type()
    }

    /// `icmpv6 code`: transport header + 1, 1 byte.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::icmpv6_code(), Expr::icmp_code());
    /// ```
    pub fn icmpv6_code() -> Expr {
        Expr::icmp_code()
    }

    /// Load a meta key into register 1.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Meta, MetaKey}};
    /// assert_eq!(Expr::meta(MetaKey::L4proto), Expr::from(Meta::new(MetaKey::L4proto, Reg::R1)?));
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    pub fn meta(key: MetaKey) -> Expr {
        // Every meta key fits in register 1 (16 bytes at most).
        Expr::Meta(Meta { key, dreg: Reg::R1 })
    }

    /// Load a conntrack key into register 1.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Ct, CtKey}};
    /// assert_eq!(Expr::ct(CtKey::Mark), Expr::from(Ct::new(CtKey::Mark, Reg::R1)?));
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    pub fn ct(key: CtKey) -> Expr {
        // Every conntrack key fits in register 1 (16 bytes at most).
        Expr::Ct(Ct { key, dreg: Reg::R1 })
    }

    /// Compare register 1 with `data` (bytes exactly as given).
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Cmp, CmpOp}};
    /// assert_eq!(
    ///     Expr::cmp(CmpOp::Gt, [0, 80]),
    ///     Expr::from(Cmp::new(Reg::R1, CmpOp::Gt, [0, 80])?),
    /// );
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    ///
    /// # Panics
    /// When `data` is empty or longer than 64 bytes ([`Cmp::new`] returns the error
    /// instead).
    #[track_caller]
    pub fn cmp(op: CmpOp, data: impl AsRef<[u8]>) -> Expr {
        built("cmp", Cmp::new(Reg::R1, op, data))
    }

    /// `cmp eq` on register 1.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::CmpOp};
    /// assert_eq!(Expr::cmp_eq([6]), Expr::cmp(CmpOp::Eq, [6]));
    /// ```
    ///
    /// # Panics
    /// As [`Expr::cmp`].
    #[track_caller]
    pub fn cmp_eq(data: impl AsRef<[u8]>) -> Expr {
        Expr::cmp(CmpOp::Eq, data)
    }

    /// `cmp neq` on register 1.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::CmpOp};
    /// assert_eq!(Expr::cmp_neq([6]), Expr::cmp(CmpOp::Neq, [6]));
    /// ```
    ///
    /// # Panics
    /// As [`Expr::cmp`].
    #[track_caller]
    pub fn cmp_neq(data: impl AsRef<[u8]>) -> Expr {
        Expr::cmp(CmpOp::Neq, data)
    }

    /// `bitwise`: register 1 = (register 1 & `mask`) ^ `xor`; both must have the same
    /// length, which becomes the operation's length.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::Bitwise};
    /// assert_eq!(
    ///     Expr::bitwise([0xff, 0], [0, 0]),
    ///     Expr::from(Bitwise::new(Reg::R1, Reg::R1, [0xff, 0], [0, 0])?),
    /// );
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    ///
    /// # Panics
    /// When `mask` and `xor` differ in length, or are empty or longer than 64 bytes
    /// ([`Bitwise::new`] returns the error instead).
    #[track_caller]
    pub fn bitwise(mask: impl AsRef<[u8]>, xor: impl AsRef<[u8]>) -> Expr {
        let (mask, xor) = (mask.as_ref(), xor.as_ref());
        built("bitwise", Bitwise::new(Reg::R1, Reg::R1, mask, xor))
    }

    /// A meta key compared with a host integer, in the key's byte order: **native** order
    /// for host-integer keys (`mark`, `iif`, `oif`, `len`, `skuid`, `skgid`, `priority`,
    /// ...), big-endian for `protocol`; the value is cut to the key's width.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::{CmpOp, MetaKey}};
    /// let e = Expr::meta_cmp(MetaKey::Len, CmpOp::Gt, 1000);
    /// assert_eq!(e[1], Expr::cmp(CmpOp::Gt, 1000u32.to_ne_bytes()));
    /// let p = Expr::meta_cmp(MetaKey::Protocol, CmpOp::Eq, 0x0800);
    /// assert_eq!(p[1], Expr::cmp_eq([0x08, 0x00]));
    /// ```
    pub fn meta_cmp(key: MetaKey, op: CmpOp, value: u32) -> Vec<Expr> {
        let width = key.len().unwrap_or(4).min(4) as usize;
        let bytes = key.byte_order().u32_bytes(value);
        let data = match key.byte_order() {
            super::ByteOrder::Host if cfg!(target_endian = "little") => &bytes[..width],
            super::ByteOrder::Host => &bytes[4 - width..],
            super::ByteOrder::Big => &bytes[4 - width..],
        };
        vec![Expr::meta(key), Expr::cmp(op, data)]
    }

    /// `meta mark == mark`: the cmp data is the mark in **native** byte order (the kernel
    /// loads `skb->mark` as a host integer).
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(
    ///     Expr::meta_mark_eq(0x10),
    ///     [Expr::meta(MetaKey::Mark), Expr::cmp_eq(0x10u32.to_ne_bytes())],
    /// );
    /// ```
    pub fn meta_mark_eq(mark: u32) -> Vec<Expr> {
        Expr::meta_cmp(MetaKey::Mark, CmpOp::Eq, mark)
    }

    /// `meta iif == ifindex`: native byte order.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(Expr::meta_iif_eq(2), [Expr::meta(MetaKey::Iif), Expr::cmp_eq(2u32.to_ne_bytes())]);
    /// ```
    pub fn meta_iif_eq(ifindex: u32) -> Vec<Expr> {
        Expr::meta_cmp(MetaKey::Iif, CmpOp::Eq, ifindex)
    }

    /// `meta oif == ifindex`: native byte order.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(Expr::meta_oif_eq(2), [Expr::meta(MetaKey::Oif), Expr::cmp_eq(2u32.to_ne_bytes())]);
    /// ```
    pub fn meta_oif_eq(ifindex: u32) -> Vec<Expr> {
        Expr::meta_cmp(MetaKey::Oif, CmpOp::Eq, ifindex)
    }

    /// `meta skuid == uid`: native byte order.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(Expr::meta_skuid_eq(1000)[1], Expr::cmp_eq(1000u32.to_ne_bytes()));
    /// ```
    pub fn meta_skuid_eq(uid: u32) -> Vec<Expr> {
        Expr::meta_cmp(MetaKey::Skuid, CmpOp::Eq, uid)
    }

    /// `meta skgid == gid`: native byte order.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(Expr::meta_skgid_eq(100)[0], Expr::meta(MetaKey::Skgid));
    /// ```
    pub fn meta_skgid_eq(gid: u32) -> Vec<Expr> {
        Expr::meta_cmp(MetaKey::Skgid, CmpOp::Eq, gid)
    }

    /// `meta iifname == name`: the name NUL padded to 16 bytes (exact match).
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// let e = Expr::meta_iifname_eq("eth0");
    /// assert_eq!(e[0], Expr::meta(MetaKey::Iifname));
    /// assert_eq!(e[1], Expr::cmp_eq(*b"eth0\0\0\0\0\0\0\0\0\0\0\0\0"));
    /// ```
    pub fn meta_iifname_eq(name: &str) -> Vec<Expr> {
        vec![
            Expr::meta(MetaKey::Iifname),
            Expr::cmp_eq(ifname_bytes(name)),
        ]
    }

    /// `meta oifname == name`: the name NUL padded to 16 bytes.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(Expr::meta_oifname_eq("lo")[0], Expr::meta(MetaKey::Oifname));
    /// ```
    pub fn meta_oifname_eq(name: &str) -> Vec<Expr> {
        vec![
            Expr::meta(MetaKey::Oifname),
            Expr::cmp_eq(ifname_bytes(name)),
        ]
    }

    /// `meta l4proto == proto` (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6): one byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(Expr::meta_l4proto_eq(6), [Expr::meta(MetaKey::L4proto), Expr::cmp_eq([6])]);
    /// ```
    pub fn meta_l4proto_eq(proto: u8) -> Vec<Expr> {
        vec![Expr::meta(MetaKey::L4proto), Expr::cmp_eq([proto])]
    }

    /// `meta nfproto == nfproto` (2 IPv4, 10 IPv6): one byte.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::MetaKey};
    /// assert_eq!(Expr::meta_nfproto_eq(10), [Expr::meta(MetaKey::Nfproto), Expr::cmp_eq([10])]);
    /// ```
    pub fn meta_nfproto_eq(nfproto: u8) -> Vec<Expr> {
        vec![Expr::meta(MetaKey::Nfproto), Expr::cmp_eq([nfproto])]
    }

    /// `ct mark == mark`: native byte order (the kernel loads the mark as a host integer).
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::CtKey};
    /// assert_eq!(Expr::ct_mark_eq(7), [Expr::ct(CtKey::Mark), Expr::cmp_eq(7u32.to_ne_bytes())]);
    /// ```
    pub fn ct_mark_eq(mark: u32) -> Vec<Expr> {
        vec![Expr::ct(CtKey::Mark), Expr::cmp_eq(mark.to_ne_bytes())]
    }

    /// `ct state { states }`: load the state, mask it with the states' bits, match when the
    /// result is not zero. The 4-byte mask is in **native** order, like the loaded state
    /// (§7.1 says big-endian; the kernel stores the state as a host `u32`, so native is what
    /// matches on little-endian hosts).
    ///
    /// ```
    /// use linx_netfilter::{CtState, Expr, expr::CtKey};
    /// assert_eq!(
    ///     Expr::ct_state(&[CtState::ESTABLISHED, CtState::RELATED]),
    ///     [
    ///         Expr::ct(CtKey::State),
    ///         Expr::bitwise(6u32.to_ne_bytes(), [0; 4]),
    ///         Expr::cmp_neq([0; 4]),
    ///     ],
    /// );
    /// ```
    pub fn ct_state(states: &[CtState]) -> Vec<Expr> {
        let mask = states.iter().fold(CtState::empty(), |acc, s| acc | *s);
        vec![
            Expr::ct(CtKey::State),
            Expr::bitwise(mask.bits().to_ne_bytes(), [0; 4]),
            Expr::cmp_neq([0; 4]),
        ]
    }

    /// `ip saddr == addr` or `ip6 saddr == addr`, by the address family (network order).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// use linx_ip::ip;
    /// assert_eq!(Expr::ip_saddr_eq(ip!("10.0.0.1")), [Expr::ip_saddr(), Expr::cmp_eq([10, 0, 0, 1])]);
    /// assert_eq!(Expr::ip_saddr_eq(ip!("::1"))[0], Expr::ip6_saddr());
    /// ```
    pub fn ip_saddr_eq(addr: impl Into<Ip>) -> Vec<Expr> {
        let addr = addr.into();
        let load = if addr.is_ipv4() {
            Expr::ip_saddr()
        } else {
            Expr::ip6_saddr()
        };
        vec![load, Expr::cmp_eq(addr.as_bytes())]
    }

    /// `ip daddr == addr` or `ip6 daddr == addr`, by the address family (network order).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// use linx_ip::ip;
    /// assert_eq!(Expr::ip_daddr_eq(ip!("2001:db8::1"))[0], Expr::ip6_daddr());
    /// ```
    pub fn ip_daddr_eq(addr: impl Into<Ip>) -> Vec<Expr> {
        let addr = addr.into();
        let load = if addr.is_ipv4() {
            Expr::ip_daddr()
        } else {
            Expr::ip6_daddr()
        };
        vec![load, Expr::cmp_eq(addr.as_bytes())]
    }

    /// `ip saddr net` / `ip6 saddr net`: load, mask with the netmask, compare with the
    /// network address (a full-length prefix skips the mask).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// use linx_ip::ip;
    /// assert_eq!(
    ///     Expr::ip_saddr_in(ip!("10.0.0.0/8")),
    ///     [Expr::ip_saddr(), Expr::bitwise([255, 0, 0, 0], [0; 4]), Expr::cmp_eq([10, 0, 0, 0])],
    /// );
    /// ```
    pub fn ip_saddr_in(net: Subnet) -> Vec<Expr> {
        let load = if net.address().is_ipv4() {
            Expr::ip_saddr()
        } else {
            Expr::ip6_saddr()
        };
        prefix_match(load, net)
    }

    /// `ip daddr net` / `ip6 daddr net` (see [`Expr::ip_saddr_in`]).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// use linx_ip::ip;
    /// assert_eq!(Expr::ip_daddr_in(ip!("10.0.0.1/32")), Expr::ip_daddr_eq(ip!("10.0.0.1")));
    /// ```
    pub fn ip_daddr_in(net: Subnet) -> Vec<Expr> {
        let load = if net.address().is_ipv4() {
            Expr::ip_daddr()
        } else {
            Expr::ip6_daddr()
        };
        prefix_match(load, net)
    }

    /// `tcp dport == port`: big-endian cmp data. Add `meta_l4proto_eq(6)` before it.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::tcp_dport_eq(22), [Expr::tcp_dport(), Expr::cmp_eq([0, 22])]);
    /// ```
    pub fn tcp_dport_eq(port: u16) -> Vec<Expr> {
        vec![Expr::tcp_dport(), Expr::cmp_eq(port.to_be_bytes())]
    }

    /// `tcp sport == port`: big-endian cmp data.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::tcp_sport_eq(443)[1], Expr::cmp_eq(443u16.to_be_bytes()));
    /// ```
    pub fn tcp_sport_eq(port: u16) -> Vec<Expr> {
        vec![Expr::tcp_sport(), Expr::cmp_eq(port.to_be_bytes())]
    }

    /// `udp dport == port`: big-endian cmp data. Add `meta_l4proto_eq(17)` before it.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::udp_dport_eq(53), [Expr::udp_dport(), Expr::cmp_eq([0, 53])]);
    /// ```
    pub fn udp_dport_eq(port: u16) -> Vec<Expr> {
        vec![Expr::udp_dport(), Expr::cmp_eq(port.to_be_bytes())]
    }

    /// `udp sport == port`: big-endian cmp data.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::udp_sport_eq(53)[0], Expr::udp_sport());
    /// ```
    pub fn udp_sport_eq(port: u16) -> Vec<Expr> {
        vec![Expr::udp_sport(), Expr::cmp_eq(port.to_be_bytes())]
    }

    /// Look the key in register 1 up in named set `set`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::Lookup};
    /// assert_eq!(
    ///     Expr::lookup("blocklist"),
    ///     Expr::from(Lookup::new("blocklist", Reg::R1, None, false)?),
    /// );
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    pub fn lookup(set: impl Into<String>) -> Expr {
        Expr::Lookup(Lookup {
            set: set.into().into_boxed_str(),
            sreg: Reg::R1,
            dreg: None,
            inverted: false,
        })
    }

    /// Match when the key in register 1 is **not** in `set`.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert!(matches!(Expr::lookup_inverted("s"), Expr::Lookup(l) if l.inverted()));
    /// ```
    pub fn lookup_inverted(set: impl Into<String>) -> Expr {
        Expr::Lookup(Lookup {
            set: set.into().into_boxed_str(),
            sreg: Reg::R1,
            dreg: None,
            inverted: true,
        })
    }

    /// Look the key in register 1 up in data map `map`, storing the value in `dreg`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg};
    /// assert!(matches!(Expr::lookup_map("m", Reg::R2), Expr::Lookup(l) if l.dreg() == Some(Reg::R2)));
    /// ```
    ///
    /// # Panics
    /// When `dreg` is not a valid register ([`Lookup::new`] returns the error instead).
    #[track_caller]
    pub fn lookup_map(map: impl Into<String>, dreg: Reg) -> Expr {
        built("lookup_map", Lookup::new(map, Reg::R1, Some(dreg), false))
    }

    /// `vmap @map`: look register 1 up in verdict map `map` and apply the verdict.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg};
    /// assert!(matches!(Expr::vmap("v"), Expr::Lookup(l) if l.dreg() == Some(Reg::VERDICT)));
    /// ```
    pub fn vmap(map: impl Into<String>) -> Expr {
        Expr::lookup_map(map, Reg::VERDICT)
    }

    /// An anonymous set of `key` elements matched against register 1 (`{ 22, 80 }`); flags
    /// `constant`, plus `interval` when an element is a range or prefix.
    ///
    /// ```
    /// use linx_netfilter::{Expr, KeyType, SetElement, SetFlags};
    /// let e = Expr::set_literal(KeyType::InetService, [SetElement::port(22), SetElement::port(80)]);
    /// let Expr::SetLiteral(lit) = e else { unreachable!() };
    /// assert_eq!(lit.flags(), SetFlags::CONSTANT);
    /// ```
    pub fn set_literal(key: KeyType, elements: impl IntoIterator<Item = SetElement>) -> Expr {
        Expr::from(SetLiteral::new(key, elements))
    }

    /// An anonymous verdict map on register 1 (`vmap { 22 : accept }`).
    ///
    /// ```
    /// use linx_netfilter::{Expr, KeyType, SetElement, Verdict};
    /// let e = Expr::vmap_literal(KeyType::InetService, [(SetElement::port(22), Verdict::Accept)]);
    /// assert_eq!(e.to_string(), "vmap reg 1 { 22 : accept }");
    /// ```
    pub fn vmap_literal(
        key: KeyType,
        elements: impl IntoIterator<Item = (SetElement, Verdict)>,
    ) -> Expr {
        Expr::from(VmapLiteral::new(key, elements))
    }

    /// `reject` of `kind` with its port-unreachable code ([`RejectType::default_code`]).
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::{Reject, RejectType}};
    /// assert_eq!(Expr::reject(RejectType::IcmpUnreach), Expr::from(Reject::new(RejectType::IcmpUnreach, 3)?));
    /// assert_eq!(Expr::reject(RejectType::TcpReset), Expr::from(Reject::new(RejectType::TcpReset, 0)?));
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    pub fn reject(kind: RejectType) -> Expr {
        // Every default code passes the kind's check.
        Expr::Reject(Reject {
            kind,
            code: kind.default_code(),
        })
    }

    /// `reject` with an explicit code.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::RejectType};
    /// assert!(matches!(Expr::reject_with(RejectType::IcmpxUnreach, 3), Expr::Reject(r) if r.code() == 3));
    /// ```
    ///
    /// # Panics
    /// When an icmpx code is above 3 ([`Reject::new`] returns the error instead).
    #[track_caller]
    pub fn reject_with(kind: RejectType, code: u8) -> Expr {
        built("reject_with", Reject::new(kind, code))
    }

    /// An anonymous `counter` starting at zero.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::counter(), Expr::from(linx_netfilter::expr::Counter::new(0, 0)));
    /// ```
    pub fn counter() -> Expr {
        Expr::Counter(Counter {
            packets: 0,
            bytes: 0,
        })
    }

    /// `limit rate <rate>/<unit>` in packets, burst 5 (nft's default).
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::RateUnit};
    /// assert!(matches!(Expr::limit(10, RateUnit::Second), Expr::Limit(l) if (l.rate(), l.burst(), l.bytes()) == (10, 5, false)));
    /// ```
    pub fn limit(rate: u64, unit: RateUnit) -> Expr {
        Expr::Limit(Limit {
            rate,
            unit,
            burst: 5,
            bytes: false,
            over: false,
        })
    }

    /// `limit rate <bytes> bytes/<unit>`, burst 0.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::RateUnit};
    /// assert!(matches!(Expr::limit_bytes(1 << 20, RateUnit::Second), Expr::Limit(l) if l.bytes() && l.burst() == 0));
    /// ```
    pub fn limit_bytes(bytes_per_unit: u64, unit: RateUnit) -> Expr {
        Expr::Limit(Limit {
            rate: bytes_per_unit,
            unit,
            burst: 0,
            bytes: true,
            over: false,
        })
    }

    /// `quota until <bytes> bytes`.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert_eq!(Expr::quota(1000), Expr::from(linx_netfilter::expr::Quota::new(1000, false, 0)));
    /// ```
    pub fn quota(bytes: u64) -> Expr {
        Expr::Quota(Quota {
            bytes,
            over: false,
            consumed: 0,
        })
    }

    /// `dynset`: `op` the key in register 1 on set `set`, no timeout, no expressions.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::DynsetOp};
    /// assert!(matches!(Expr::dynset("seen", DynsetOp::Add), Expr::Dynset(d) if d.timeout_ms().is_none()));
    /// ```
    pub fn dynset(set: impl Into<String>, op: DynsetOp) -> Expr {
        Expr::from(Dynset::new(set, op))
    }

    /// Use the named object `name` of `kind` (`counter name "x"`).
    ///
    /// ```
    /// use linx_netfilter::{Expr, ObjectType};
    /// assert_eq!(
    ///     Expr::objref(ObjectType::Counter, "hits"),
    ///     Expr::from(linx_netfilter::expr::Objref::new(ObjectType::Counter, "hits")),
    /// );
    /// ```
    pub fn objref(kind: ObjectType, name: impl Into<String>) -> Expr {
        Expr::Objref(Objref {
            kind,
            name: name.into(),
        })
    }

    /// `log` to NFLOG group 5000 (the upstream convention that `log_listen` reads).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// assert!(matches!(Expr::log(), Expr::Log(l) if l.group() == Some(5000) && l.prefix().is_none()));
    /// ```
    pub fn log() -> Expr {
        Expr::log_group(5000, None::<String>)
    }

    /// `log group <group> [prefix "<prefix>"]`.
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// let e = Expr::log_group(7, Some("drop: "));
    /// assert!(matches!(e, Expr::Log(l) if l.group() == Some(7) && l.prefix() == Some("drop: ")));
    /// ```
    ///
    /// # Panics
    /// When the prefix is 128 bytes or longer or holds a NUL byte ([`Log::new`] returns the
    /// error instead).
    #[track_caller]
    pub fn log_group(group: u16, prefix: Option<impl Into<String>>) -> Expr {
        let prefix = prefix.map(Into::into);
        let flags = crate::expr::LogFlags::empty();
        built(
            "log_group",
            Log::new(Some(group), prefix, None, None, None, flags),
        )
    }

    /// An expression the model does not know, by kernel name and raw `NFTA_EXPR_DATA` bytes
    /// (re-emitted as they are; nothing checks the bytes).
    ///
    /// ```
    /// use linx_netfilter::Expr;
    /// let e = Expr::unknown("fib", [0x08, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    /// assert!(matches!(e, Expr::Unknown(ref raw) if raw.name() == "fib" && raw.data().len() == 8));
    /// ```
    ///
    /// # Panics
    /// When `name` is empty ([`UnknownExpr::new`] returns the error instead).
    #[track_caller]
    pub fn unknown(name: impl Into<String>, data: impl Into<Vec<u8>>) -> Expr {
        built("unknown", UnknownExpr::new(name, data))
    }

    /// An immediate verdict (into the verdict register).
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, Verdict, expr::{Immediate, ImmediateData}};
    /// assert_eq!(
    ///     Expr::verdict(Verdict::Drop),
    ///     Expr::from(Immediate::new(Reg::VERDICT, ImmediateData::Verdict(Verdict::Drop))?),
    /// );
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    pub fn verdict(verdict: Verdict) -> Expr {
        // A verdict into the verdict register passes the kind's check.
        Expr::Immediate(Immediate {
            dreg: Reg::VERDICT,
            data: ImmediateData::Verdict(verdict),
        })
    }

    /// Immediate data into `dreg`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Immediate, ImmediateData}};
    /// assert_eq!(
    ///     Expr::immediate(Reg::R2, [0, 80]),
    ///     Expr::from(Immediate::new(Reg::R2, ImmediateData::Value(vec![0, 80]))?),
    /// );
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    ///
    /// # Panics
    /// When `data` is empty or longer than 64 bytes, or does not fit at `dreg`
    /// ([`Immediate::new`] returns the error instead).
    #[track_caller]
    pub fn immediate(dreg: Reg, data: impl AsRef<[u8]>) -> Expr {
        let data = ImmediateData::Value(data.as_ref().to_vec());
        built("immediate", Immediate::new(dreg, data))
    }

    /// `accept`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Verdict};
    /// assert_eq!(Expr::accept(), Expr::verdict(Verdict::Accept));
    /// ```
    pub fn accept() -> Expr {
        Expr::verdict(Verdict::Accept)
    }

    /// `drop`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Verdict};
    /// assert_eq!(Expr::drop(), Expr::verdict(Verdict::Drop));
    /// ```
    pub fn drop() -> Expr {
        Expr::verdict(Verdict::Drop)
    }

    /// `jump chain`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Verdict};
    /// assert_eq!(Expr::jump("c"), Expr::verdict(Verdict::Jump("c".into())));
    /// ```
    pub fn jump(chain: impl Into<String>) -> Expr {
        Expr::verdict(Verdict::Jump(chain.into()))
    }

    /// `goto chain`.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Verdict};
    /// assert_eq!(Expr::goto("c"), Expr::verdict(Verdict::Goto("c".into())));
    /// ```
    pub fn goto(chain: impl Into<String>) -> Expr {
        Expr::verdict(Verdict::Goto(chain.into()))
    }
}

/// Load, mask (unless the prefix is full length), compare with the network address.
fn prefix_match(load: Expr, net: Subnet) -> Vec<Expr> {
    let network = net.network();
    let full = net.prefix() == net.family().max_prefix();
    let mut out = vec![load];
    if !full {
        let mask = net.netmask();
        let zero = vec![0u8; mask.as_bytes().len()];
        out.push(Expr::bitwise(mask.as_bytes(), zero));
    }
    out.push(Expr::cmp_eq(network.address().as_bytes()));
    out
}
