//! NAT helpers: `dnat to`, `snat to`, `masquerade`, `redirect` as expression lists.
//!
//! Why lists: the kernel's nat expression reads its address and port from registers, so
//! "dnat to 10.0.0.2:8080" is three instructions: load the address (network order) into one
//! register, the port (big-endian u16) into another, then `nat` naming both. These helpers
//! write that sequence the way nft does, so a rule pulled back from the kernel equals the
//! authored one.
//!
//! # Contract
//! - Address → `reg_addr` (default register 1), port → `reg_port` (default register 2), both
//!   as [`Expr::Immediate`] data; the nat family is [`Family::Ip`] or [`Family::Ip6`] from
//!   the address.
//! - The helpers set [`NatFlags::MAP_IPS`] when an address register is used and
//!   [`NatFlags::PROTO_SPECIFIED`] when a port register is used, besides the caller's flags:
//!   the kernel sets them itself on those registers and reports them back, so including them
//!   keeps pull ∘ push the identity.
//! - A single port uses only the `_min` register; a port range loads min and max.
//! - The chain checks (nat chain type; snat on postrouting/input, dnat on prerouting/output,
//!   masquerade on postrouting, redirect on prerouting/output) happen when the rule is added.

use linx_ip::Ip;

use super::{Expr, NatType, Reg};
use crate::Family;
use crate::consts::expr as c;
use crate::expr::{Masquerade, Nat, Redirect};
use crate::flags::flags;

flags! {
    /// NAT range flags (`NF_NAT_RANGE_*`, `<linux/netfilter/nf_nat.h>`).
    ///
    /// ```
    /// use linx_netfilter::expr::NatFlags;
    /// assert_eq!(NatFlags::RANDOM.bits(), 0x04);
    /// assert_eq!(NatFlags::FULLY_RANDOM.bits(), 0x10);
    /// assert_eq!(NatFlags::PERSISTENT.bits(), 0x08);
    /// assert_eq!(NatFlags::NETMAP.bits(), 0x40);
    /// ```
    pub struct NatFlags, path = "linx_netfilter::expr::NatFlags", example = "linx_netfilter::expr::NatFlags::RANDOM" {
        /// `map_ips` (0x01): an address is given (set by the helpers and the kernel).
        const MAP_IPS = c::NF_NAT_RANGE_MAP_IPS, "map_ips";
        /// `proto_specified` (0x02): a port is given (set by the helpers and the kernel).
        const PROTO_SPECIFIED = c::NF_NAT_RANGE_PROTO_SPECIFIED, "proto_specified";
        /// `random` (0x04): randomise the source port mapping.
        const RANDOM = c::NF_NAT_RANGE_PROTO_RANDOM, "random";
        /// `persistent` (0x08): give a client the same address for every connection.
        const PERSISTENT = c::NF_NAT_RANGE_PERSISTENT, "persistent";
        /// `fully_random` (0x10): fully randomised port mapping (PRNG).
        const FULLY_RANDOM = c::NF_NAT_RANGE_PROTO_RANDOM_FULLY, "fully_random";
        /// `proto_offset` (0x20): port shift (nft `to :port-port`).
        const PROTO_OFFSET = c::NF_NAT_RANGE_PROTO_OFFSET, "proto_offset";
        /// `netmap` (0x40): map a prefix one-to-one onto another.
        const NETMAP = c::NF_NAT_RANGE_NETMAP, "netmap";
    }
}

impl Default for NatFlags {
    /// No flags.
    fn default() -> NatFlags {
        NatFlags::empty()
    }
}

/// Options of [`dnat_to_with`] / [`snat_to_with`]: extra flags and the registers to use.
///
/// ```
/// use linx_netfilter::{Reg, expr::{NatFlags, NatOptions}};
/// let o = NatOptions::default();
/// assert_eq!((o.flags, o.reg_addr, o.reg_port), (NatFlags::empty(), Reg::R1, Reg::R2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatOptions {
    /// Flags besides the implied `map_ips` / `proto_specified`.
    pub flags: NatFlags,
    /// Register for the address (default 1).
    pub reg_addr: Reg,
    /// Register for the port (default 2).
    pub reg_port: Reg,
}

impl Default for NatOptions {
    fn default() -> NatOptions {
        NatOptions {
            flags: NatFlags::empty(),
            reg_addr: Reg::R1,
            reg_port: Reg::R2,
        }
    }
}

/// `dnat to addr[:port]` with default options.
///
/// ```
/// use linx_netfilter::{Expr, Family, Reg, expr::{Nat, NatFlags, NatType, nat::dnat_to}};
/// use linx_ip::ip;
/// assert_eq!(dnat_to(ip!("10.0.0.2"), 8080), [
///     Expr::immediate(Reg::R1, [10, 0, 0, 2]),
///     Expr::immediate(Reg::R2, [0x1f, 0x90]),
///     Expr::from(Nat::new(
///         NatType::Dnat,
///         Family::Ip,
///         Some(Reg::R1),
///         None,
///         Some(Reg::R2),
///         None,
///         NatFlags::MAP_IPS | NatFlags::PROTO_SPECIFIED,
///     )?),
/// ]);
/// assert_eq!(dnat_to(ip!("2001:db8::1"), None).len(), 2);
/// # Ok::<(), linx_netfilter::Reason>(())
/// ```
pub fn dnat_to(addr: impl Into<Ip>, port: impl Into<Option<u16>>) -> Vec<Expr> {
    dnat_to_with(addr, port, NatOptions::default())
}

/// `dnat to addr[:port]` with flags and registers.
///
/// ```
/// use linx_netfilter::{Expr, expr::{NatFlags, NatOptions, nat::dnat_to_with}};
/// use linx_ip::ip;
/// let opts = NatOptions { flags: NatFlags::PERSISTENT, ..NatOptions::default() };
/// let e = dnat_to_with(ip!("10.0.0.2"), None, opts);
/// assert!(matches!(&e[1], Expr::Nat(nat) if nat.flags() == NatFlags::PERSISTENT | NatFlags::MAP_IPS));
/// ```
pub fn dnat_to_with(
    addr: impl Into<Ip>,
    port: impl Into<Option<u16>>,
    options: NatOptions,
) -> Vec<Expr> {
    nat_to(NatType::Dnat, addr.into(), port.into(), options)
}

/// `snat to addr[:port]` with default options.
///
/// ```
/// use linx_netfilter::{Expr, Family, expr::{NatType, nat::snat_to}};
/// use linx_ip::ip;
/// let e = snat_to(ip!("2001:db8::1"), None);
/// assert!(matches!(&e[1], Expr::Nat(nat) if (nat.kind(), nat.family(), nat.reg_proto_min()) == (NatType::Snat, Family::Ip6, None)));
/// ```
pub fn snat_to(addr: impl Into<Ip>, port: impl Into<Option<u16>>) -> Vec<Expr> {
    snat_to_with(addr, port, NatOptions::default())
}

/// `snat to addr[:port]` with flags and registers.
///
/// ```
/// use linx_netfilter::{Expr, Reg, expr::{NatOptions, nat::snat_to_with}};
/// use linx_ip::ip;
/// let opts = NatOptions { reg_addr: Reg::R3, ..NatOptions::default() };
/// assert_eq!(snat_to_with(ip!("192.0.2.1"), None, opts)[0], Expr::immediate(Reg::R3, [192, 0, 2, 1]));
/// ```
pub fn snat_to_with(
    addr: impl Into<Ip>,
    port: impl Into<Option<u16>>,
    options: NatOptions,
) -> Vec<Expr> {
    nat_to(NatType::Snat, addr.into(), port.into(), options)
}

/// The shared body of `dnat_to` / `snat_to`.
fn nat_to(kind: NatType, addr: Ip, port: Option<u16>, options: NatOptions) -> Vec<Expr> {
    let mut flags = options.flags | NatFlags::MAP_IPS;
    let mut out = vec![Expr::immediate(options.reg_addr, addr.as_bytes())];
    if let Some(port) = port {
        out.push(Expr::immediate(options.reg_port, port.to_be_bytes()));
        flags |= NatFlags::PROTO_SPECIFIED;
    }
    out.push(Expr::from(Nat {
        kind,
        family: if addr.is_ipv4() {
            Family::Ip
        } else {
            Family::Ip6
        },
        reg_addr_min: Some(options.reg_addr),
        reg_addr_max: None,
        reg_proto_min: port.map(|_| options.reg_port),
        reg_proto_max: None,
        flags,
    }));
    out
}

/// `masquerade` with no options.
///
/// ```
/// use linx_netfilter::{Expr, expr::{Masquerade, NatFlags, nat::masquerade}};
/// assert_eq!(masquerade(), [Expr::from(Masquerade::new(NatFlags::empty(), None, None)?)]);
/// # Ok::<(), linx_netfilter::Reason>(())
/// ```
pub fn masquerade() -> Vec<Expr> {
    masquerade_with(NatFlags::empty(), None)
}

/// `masquerade [to :min-max] [flags]`: the ports go to registers 1 (min) and 2 (max, only
/// when different), big-endian.
///
/// ```
/// use linx_netfilter::{Expr, Reg, expr::{Masquerade, NatFlags, nat::masquerade_with}};
/// let e = masquerade_with(NatFlags::FULLY_RANDOM, Some((1024, 2048)));
/// assert_eq!(e[0], Expr::immediate(Reg::R1, 1024u16.to_be_bytes()));
/// assert_eq!(e[1], Expr::immediate(Reg::R2, 2048u16.to_be_bytes()));
/// let masq = Masquerade::new(
///     NatFlags::FULLY_RANDOM | NatFlags::PROTO_SPECIFIED,
///     Some(Reg::R1),
///     Some(Reg::R2),
/// )?;
/// assert_eq!(e[2], Expr::from(masq));
/// # Ok::<(), linx_netfilter::Reason>(())
/// ```
pub fn masquerade_with(flags: NatFlags, ports: Option<(u16, u16)>) -> Vec<Expr> {
    let (mut out, flags, reg_proto_min, reg_proto_max) = port_regs(flags, ports);
    out.push(Expr::Masquerade(Masquerade {
        flags,
        reg_proto_min,
        reg_proto_max,
    }));
    out
}

/// `redirect [to :port]`: the port goes to register 1, big-endian.
///
/// ```
/// use linx_netfilter::{Expr, Reg, expr::{NatFlags, Redirect, nat::redirect}};
/// assert_eq!(redirect(8080), [
///     Expr::immediate(Reg::R1, [0x1f, 0x90]),
///     Expr::from(Redirect::new(NatFlags::PROTO_SPECIFIED, Some(Reg::R1), None)?),
/// ]);
/// assert_eq!(redirect(None).len(), 1);
/// # Ok::<(), linx_netfilter::Reason>(())
/// ```
pub fn redirect(port: impl Into<Option<u16>>) -> Vec<Expr> {
    redirect_with(NatFlags::empty(), port.into().map(|p| (p, p)))
}

/// `redirect [to :min-max] [flags]`, like [`masquerade_with`].
///
/// ```
/// use linx_netfilter::{Expr, expr::{NatFlags, Redirect, nat::redirect_with}};
/// let e = redirect_with(NatFlags::RANDOM, None);
/// assert_eq!(e, [Expr::from(Redirect::new(NatFlags::RANDOM, None, None)?)]);
/// # Ok::<(), linx_netfilter::Reason>(())
/// ```
pub fn redirect_with(flags: NatFlags, ports: Option<(u16, u16)>) -> Vec<Expr> {
    let (mut out, flags, reg_proto_min, reg_proto_max) = port_regs(flags, ports);
    out.push(Expr::Redirect(Redirect {
        flags,
        reg_proto_min,
        reg_proto_max,
    }));
    out
}

/// Immediate loads for a port range and the registers and flags that go with them.
fn port_regs(
    mut flags: NatFlags,
    ports: Option<(u16, u16)>,
) -> (Vec<Expr>, NatFlags, Option<Reg>, Option<Reg>) {
    let Some((min, max)) = ports else {
        return (Vec::new(), flags, None, None);
    };
    flags |= NatFlags::PROTO_SPECIFIED;
    let mut out = vec![Expr::immediate(Reg::R1, min.to_be_bytes())];
    if max == min {
        return (out, flags, Some(Reg::R1), None);
    }
    out.push(Expr::immediate(Reg::R2, max.to_be_bytes()));
    (out, flags, Some(Reg::R1), Some(Reg::R2))
}
