//! `nat`, `masq` and `redir`: address and port translation, with the canonical forms the
//! kernel reports back (`map_ips` implied by an address register, no `_max` register equal
//! to its `_min`, `proto_specified` with every port register).
//!
//! # Contract
//! - [`Nat`], [`Masquerade`] and [`Redirect`] are checked when they are built
//!   ([`Nat::new`], ..., or deserialized): every register is valid and holds its value (an
//!   IPv4 or IPv6 address for the address registers of [`Nat`], by its `family`; a
//!   big-endian port for the port registers). What needs the rule's place (the table
//!   family, the chain type and hook) is checked when the rule is added
//!   ([`check_nat_in`], [`check_masq_redir_in`]).
//! - The encoder refuses the non-canonical forms listed in the parent's contract.
//! - The decoder never fails: data that does not decode into a value these checks accept
//!   stays [`Expr::Unknown`] with its bytes.

use super::common::load;
use super::common::{
    Fit, Misfit, check_proto_flag, check_range, checked_expr, fields, put_reg, refuse,
};
use crate::expr::{NatFlags, NatType};
use crate::nla::Writer;
use crate::nla::attr::{masq as ma, nat as na, redir as rd};
use crate::{BaseChain, ChainType, Hook, Reason};
use crate::{Expr, Family, Reg};

checked_expr! {
    /// The fields of [`Expr::Nat`]: source or destination NAT to the address and port in
    /// registers (boxed in [`Expr`]: rare, and 40 bytes).
    ///
    /// [`nat::dnat_to`](crate::expr::nat::dnat_to) and its siblings build the usual
    /// instruction sequences; [`Nat::new`] checks the registers.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Family, Reg, Reason, expr::{Nat, NatFlags, NatType}};
    /// let nat = Nat::new(NatType::Dnat, Family::Ip, Some(Reg::R1), None, None, None, NatFlags::MAP_IPS)?;
    /// assert_eq!((nat.kind(), nat.reg_addr_min()), (NatType::Dnat, Some(Reg::R1)));
    /// assert_eq!(Expr::from(nat).to_string(), "nat dnat ip addr_min reg 1 flags map_ips");
    /// // An IPv6 address does not fit at register 4.
    /// assert!(Nat::new(NatType::Snat, Family::Ip6, Some(Reg::R4), None, None, None, NatFlags::MAP_IPS).is_ok());
    /// assert!(matches!(
    ///     Nat::new(NatType::Snat, Family::Ip6, Some(Reg::reg32(13)), None, None, None, NatFlags::MAP_IPS),
    ///     Err(Reason::RegisterOverflow { .. })
    /// ));
    /// # Ok::<(), Reason>(())
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Nat via NatRepr = "NatRepr" {
        /// snat or dnat.
        #[serde(rename = "type")]
        kind: NatType,
        /// The address family translated: [`Family::Ip`] or [`Family::Ip6`].
        family: Family,
        /// Register with the (lowest) address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_addr_min: Option<Reg>,
        /// Register with the highest address of a range.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_addr_max: Option<Reg>,
        /// Register with the (lowest) port, big-endian u16.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_proto_min: Option<Reg>,
        /// Register with the highest port of a range.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_proto_max: Option<Reg>,
        /// Range flags.
        #[serde(default, skip_serializing_if = "NatFlags::is_empty")]
        flags: NatFlags,
    }
}

impl Nat {
    /// A checked `nat`: every register is valid and holds an address of `family` (4 bytes
    /// for [`Family::Ip`], else 16) or a port (2 bytes).
    #[inline]
    pub fn new(
        kind: NatType,
        family: Family,
        reg_addr_min: Option<Reg>,
        reg_addr_max: Option<Reg>,
        reg_proto_min: Option<Reg>,
        reg_proto_max: Option<Reg>,
        flags: NatFlags,
    ) -> Result<Nat, Reason> {
        Nat {
            kind,
            family,
            reg_addr_min,
            reg_addr_max,
            reg_proto_min,
            reg_proto_max,
            flags,
        }
        .checked()
    }

    /// `self` when it passes [`Nat::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Nat, Reason> {
        let addr_len = if self.family == Family::Ip { 4 } else { 16 };
        for reg in [self.reg_addr_min, self.reg_addr_max].into_iter().flatten() {
            load(reg, addr_len)?;
        }
        port_regs_fit(self.reg_proto_min, self.reg_proto_max)?;
        Ok(self)
    }

    /// snat or dnat.
    pub fn kind(&self) -> NatType {
        self.kind
    }

    /// The address family translated.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Register with the (lowest) address.
    pub fn reg_addr_min(&self) -> Option<Reg> {
        self.reg_addr_min
    }

    /// Register with the highest address of a range.
    pub fn reg_addr_max(&self) -> Option<Reg> {
        self.reg_addr_max
    }

    /// Register with the (lowest) port.
    pub fn reg_proto_min(&self) -> Option<Reg> {
        self.reg_proto_min
    }

    /// Register with the highest port of a range.
    pub fn reg_proto_max(&self) -> Option<Reg> {
        self.reg_proto_max
    }

    /// Range flags.
    pub fn flags(&self) -> NatFlags {
        self.flags
    }
}

checked_expr! {
    /// The fields of [`Expr::Masquerade`]: source NAT to the outgoing interface's address,
    /// optionally to the ports in registers.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Masquerade, NatFlags}};
    /// let m = Masquerade::new(NatFlags::RANDOM, None, None)?;
    /// assert_eq!(m.flags(), NatFlags::RANDOM);
    /// assert_eq!(Expr::from(m).to_string(), "masq flags random");
    /// assert!(Masquerade::new(NatFlags::PROTO_SPECIFIED, Some(Reg(5)), None).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Masquerade via MasqueradeRepr = "MasqueradeRepr" {
        /// Range flags.
        #[serde(default, skip_serializing_if = "NatFlags::is_empty")]
        flags: NatFlags,
        /// Register with the lowest port.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_proto_min: Option<Reg>,
        /// Register with the highest port.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_proto_max: Option<Reg>,
    }
}

impl Masquerade {
    /// A checked `masq`: the port registers are valid and hold 2 bytes.
    #[inline]
    pub fn new(
        flags: NatFlags,
        reg_proto_min: Option<Reg>,
        reg_proto_max: Option<Reg>,
    ) -> Result<Masquerade, Reason> {
        Masquerade {
            flags,
            reg_proto_min,
            reg_proto_max,
        }
        .checked()
    }

    /// `self` when it passes [`Masquerade::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Masquerade, Reason> {
        port_regs_fit(self.reg_proto_min, self.reg_proto_max)?;
        Ok(self)
    }

    /// Range flags.
    pub fn flags(&self) -> NatFlags {
        self.flags
    }

    /// Register with the lowest port.
    pub fn reg_proto_min(&self) -> Option<Reg> {
        self.reg_proto_min
    }

    /// Register with the highest port.
    pub fn reg_proto_max(&self) -> Option<Reg> {
        self.reg_proto_max
    }
}

checked_expr! {
    /// The fields of [`Expr::Redirect`]: destination NAT to this host, optionally to the
    /// ports in registers.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{NatFlags, Redirect}};
    /// let r = Redirect::new(NatFlags::PROTO_SPECIFIED, Some(Reg::R1), None)?;
    /// assert_eq!(r.reg_proto_min(), Some(Reg::R1));
    /// assert_eq!(Expr::from(r).to_string(), "redir proto_min reg 1 flags proto_specified");
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Redirect via RedirectRepr = "RedirectRepr" {
        /// Range flags.
        #[serde(default, skip_serializing_if = "NatFlags::is_empty")]
        flags: NatFlags,
        /// Register with the lowest port.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_proto_min: Option<Reg>,
        /// Register with the highest port.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reg_proto_max: Option<Reg>,
    }
}

impl Redirect {
    /// A checked `redir`: the port registers are valid and hold 2 bytes.
    #[inline]
    pub fn new(
        flags: NatFlags,
        reg_proto_min: Option<Reg>,
        reg_proto_max: Option<Reg>,
    ) -> Result<Redirect, Reason> {
        Redirect {
            flags,
            reg_proto_min,
            reg_proto_max,
        }
        .checked()
    }

    /// `self` when it passes [`Redirect::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Redirect, Reason> {
        port_regs_fit(self.reg_proto_min, self.reg_proto_max)?;
        Ok(self)
    }

    /// Range flags.
    pub fn flags(&self) -> NatFlags {
        self.flags
    }

    /// Register with the lowest port.
    pub fn reg_proto_min(&self) -> Option<Reg> {
        self.reg_proto_min
    }

    /// Register with the highest port.
    pub fn reg_proto_max(&self) -> Option<Reg> {
        self.reg_proto_max
    }
}

/// Port registers hold a 2-byte port.
fn port_regs_fit(min: Option<Reg>, max: Option<Reg>) -> Result<(), Reason> {
    for reg in [min, max].into_iter().flatten() {
        load(reg, 2)?;
    }
    Ok(())
}

impl From<Nat> for Expr {
    /// [`Expr::Nat`], boxed.
    fn from(value: Nat) -> Expr {
        Expr::Nat(Box::new(value))
    }
}

impl From<Masquerade> for Expr {
    /// [`Expr::Masquerade`].
    fn from(value: Masquerade) -> Expr {
        Expr::Masquerade(value)
    }
}

impl From<Redirect> for Expr {
    /// [`Expr::Redirect`].
    fn from(value: Redirect) -> Expr {
        Expr::Redirect(value)
    }
}

/// Write [`Expr::Nat`]'s attributes, refusing the non-canonical forms; `map_ips` is left
/// to the kernel, as nft does.
#[inline]
pub(crate) fn encode_nat(w: &mut Writer<'_>, nat: &Nat) -> Result<(), crate::Error> {
    let Nat {
        kind,
        family,
        reg_addr_min,
        reg_addr_max,
        reg_proto_min,
        reg_proto_max,
        flags,
    } = *nat;
    check_range("nat", reg_addr_min, reg_addr_max, "reg_addr")?;
    check_range("nat", reg_proto_min, reg_proto_max, "reg_proto")?;
    if reg_addr_min.is_some() && !flags.contains(NatFlags::MAP_IPS) {
        return Err(refuse(
            "nat",
            "flags must include map_ips when reg_addr_min is set",
        ));
    }
    check_proto_flag("nat", flags, reg_proto_min)?;
    w.put_be32(na::NFTA_NAT_TYPE, kind.number())?;
    w.put_be32(na::NFTA_NAT_FAMILY, u32::from(family.nfproto()))?;
    put_reg(w, na::NFTA_NAT_REG_ADDR_MIN, reg_addr_min)?;
    put_reg(w, na::NFTA_NAT_REG_ADDR_MAX, reg_addr_max)?;
    put_reg(w, na::NFTA_NAT_REG_PROTO_MIN, reg_proto_min)?;
    put_reg(w, na::NFTA_NAT_REG_PROTO_MAX, reg_proto_max)?;
    // nft leaves map_ips to the kernel, which sets it for an address register.
    let mut wire = flags;
    if reg_addr_min.is_some() {
        wire.remove(NatFlags::MAP_IPS);
    }
    if !wire.is_empty() {
        w.put_be32(na::NFTA_NAT_FLAGS, wire.bits())?;
    }
    Ok(())
}

/// Write [`Expr::Masquerade`]'s attributes: `FLAGS` (when not empty), the port registers.
#[inline]
pub(crate) fn encode_masq(w: &mut Writer<'_>, masq: &Masquerade) -> Result<(), crate::Error> {
    let Masquerade {
        flags,
        reg_proto_min,
        reg_proto_max,
    } = *masq;
    check_range("masq", reg_proto_min, reg_proto_max, "reg_proto")?;
    check_proto_flag("masq", flags, reg_proto_min)?;
    if !flags.is_empty() {
        w.put_be32(ma::NFTA_MASQ_FLAGS, flags.bits())?;
    }
    put_reg(w, ma::NFTA_MASQ_REG_PROTO_MIN, reg_proto_min)?;
    put_reg(w, ma::NFTA_MASQ_REG_PROTO_MAX, reg_proto_max)?;
    Ok(())
}

/// Write [`Expr::Redirect`]'s attributes: the port registers, `FLAGS` (when not empty).
#[inline]
pub(crate) fn encode_redir(w: &mut Writer<'_>, redir: &Redirect) -> Result<(), crate::Error> {
    let Redirect {
        flags,
        reg_proto_min,
        reg_proto_max,
    } = *redir;
    check_range("redir", reg_proto_min, reg_proto_max, "reg_proto")?;
    check_proto_flag("redir", flags, reg_proto_min)?;
    put_reg(w, rd::NFTA_REDIR_REG_PROTO_MIN, reg_proto_min)?;
    put_reg(w, rd::NFTA_REDIR_REG_PROTO_MAX, reg_proto_max)?;
    if !flags.is_empty() {
        w.put_be32(rd::NFTA_REDIR_FLAGS, flags.bits())?;
    }
    Ok(())
}

/// A `_max` register equal to its `_min` register is the kernel's echo of "no maximum".
pub(crate) fn range_max(min: Option<Reg>, max: Option<Reg>) -> Option<Reg> {
    if min.is_some() && max == min {
        None
    } else {
        max
    }
}

/// A port register without `proto_specified` does not fit (the encoder refuses it).
fn proto_fits(flags: NatFlags, proto_min: Option<Reg>) -> Fit<()> {
    if proto_min.is_some() && !flags.contains(NatFlags::PROTO_SPECIFIED) {
        Err(Misfit)
    } else {
        Ok(())
    }
}

/// `nat` (`map_ips` added for an address register, as the kernel does).
pub(crate) fn decode_nat(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            na::NFTA_NAT_TYPE,
            na::NFTA_NAT_FAMILY,
            na::NFTA_NAT_REG_ADDR_MIN,
            na::NFTA_NAT_REG_ADDR_MAX,
            na::NFTA_NAT_REG_PROTO_MIN,
            na::NFTA_NAT_REG_PROTO_MAX,
            na::NFTA_NAT_FLAGS,
        ],
    )?;
    let family = u8::try_from(f.req_u32(na::NFTA_NAT_FAMILY)?).map_err(|_| Misfit)?;
    let reg_addr_min = f.reg(na::NFTA_NAT_REG_ADDR_MIN)?;
    let reg_proto_min = f.reg(na::NFTA_NAT_REG_PROTO_MIN)?;
    let mut flags = NatFlags::from_bits_retain(f.u32(na::NFTA_NAT_FLAGS)?.unwrap_or(0));
    if reg_addr_min.is_some() {
        flags.insert(NatFlags::MAP_IPS);
    }
    proto_fits(flags, reg_proto_min)?;
    let nat = Nat {
        kind: NatType::from_number(f.req_u32(na::NFTA_NAT_TYPE)?).ok_or(Misfit)?,
        family: Family::from_nfproto(family).ok_or(Misfit)?,
        reg_addr_min,
        reg_addr_max: range_max(reg_addr_min, f.reg(na::NFTA_NAT_REG_ADDR_MAX)?),
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(na::NFTA_NAT_REG_PROTO_MAX)?),
        flags,
    };
    Ok(Expr::from(nat.checked()?))
}

/// `masq`.
pub(crate) fn decode_masq(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            ma::NFTA_MASQ_FLAGS,
            ma::NFTA_MASQ_REG_PROTO_MIN,
            ma::NFTA_MASQ_REG_PROTO_MAX,
        ],
    )?;
    let flags = NatFlags::from_bits_retain(f.u32(ma::NFTA_MASQ_FLAGS)?.unwrap_or(0));
    let reg_proto_min = f.reg(ma::NFTA_MASQ_REG_PROTO_MIN)?;
    proto_fits(flags, reg_proto_min)?;
    let masq = Masquerade {
        flags,
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(ma::NFTA_MASQ_REG_PROTO_MAX)?),
    };
    Ok(Expr::Masquerade(masq.checked()?))
}

/// `redir`.
pub(crate) fn decode_redir(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            rd::NFTA_REDIR_REG_PROTO_MIN,
            rd::NFTA_REDIR_REG_PROTO_MAX,
            rd::NFTA_REDIR_FLAGS,
        ],
    )?;
    let flags = NatFlags::from_bits_retain(f.u32(rd::NFTA_REDIR_FLAGS)?.unwrap_or(0));
    let reg_proto_min = f.reg(rd::NFTA_REDIR_REG_PROTO_MIN)?;
    proto_fits(flags, reg_proto_min)?;
    let redir = Redirect {
        flags,
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(rd::NFTA_REDIR_REG_PROTO_MAX)?),
    };
    Ok(Expr::Redirect(redir.checked()?))
}

/// Where a NAT-like expression may run.
fn check_nat_chain(
    expr: &'static str,
    hooks: &[Hook],
    base: Option<&BaseChain>,
) -> Result<(), Reason> {
    // Regular chains are checked by the kernel through the chains that jump to them.
    let Some(base) = base else { return Ok(()) };
    if base.chain_type != ChainType::Nat {
        return Err(Reason::ExprNeedsChainType {
            expr,
            needs: ChainType::Nat,
        });
    }
    if !hooks.contains(&base.hook) {
        return Err(Reason::ExprNotOnHook {
            expr,
            hook: base.hook,
        });
    }
    Ok(())
}

/// What [`Expr::Nat`] needs of its place, in a `family` table whose chain is `base` (`None`
/// for a regular chain): an IP table of a matching family, a NAT chain on a hook the kind
/// allows (the registers were checked when `nat` was built).
pub(crate) fn check_nat_in(
    family: Family,
    nat: &Nat,
    base: Option<&BaseChain>,
) -> Result<(), Reason> {
    if !family.is_ip() {
        return Err(Reason::ExprNotInFamily {
            expr: "nat",
            family,
        });
    }
    let fits = match (family, nat.family) {
        (Family::Inet, Family::Ip | Family::Ip6) => true,
        (table, nat) => table == nat,
    };
    if !fits {
        return Err(Reason::NatFamily {
            family: nat.family,
            table_family: family,
        });
    }
    let hooks: &[Hook] = match nat.kind {
        NatType::Snat => &[Hook::Postrouting, Hook::Input],
        NatType::Dnat => &[Hook::Prerouting, Hook::Output],
    };
    check_nat_chain("nat", hooks, base)
}

/// What [`Expr::Masquerade`] (`masq: true`) or [`Expr::Redirect`] needs of its place: an IP
/// table, a NAT chain on a hook the kind allows.
pub(crate) fn check_masq_redir_in(
    masq: bool,
    family: Family,
    base: Option<&BaseChain>,
) -> Result<(), Reason> {
    let name = if masq { "masq" } else { "redir" };
    if !family.is_ip() {
        return Err(Reason::ExprNotInFamily { expr: name, family });
    }
    let hooks: &[Hook] = if masq {
        &[Hook::Postrouting]
    } else {
        &[Hook::Prerouting, Hook::Output]
    };
    check_nat_chain(name, hooks, base)
}
