//! `nat`, `masq` and `redir`: address and port translation, with the canonical forms the
//! kernel reports back (`map_ips` implied by an address register, no `_max` register equal
//! to its `_min`, `proto_specified` with every port register).

use super::common::load;
use super::common::{Fit, Misfit, check_proto_flag, check_range, fields, put_reg, refuse};
use crate::expr::{NatFlags, NatType};
use crate::wire::Writer;
use crate::wire::attr::{masq as ma, nat as na, redir as rd};
use crate::{BaseChain, ChainType, Hook, Reason};
use crate::{Expr, Family, Reg};

/// The registers of a `nat` expression (the fields of [`Expr::Nat`] besides kind, family
/// and flags).
#[derive(Clone, Copy)]
pub(crate) struct NatRegs {
    /// `NFTA_NAT_REG_ADDR_MIN`.
    pub(crate) addr_min: Option<Reg>,
    /// `NFTA_NAT_REG_ADDR_MAX`.
    pub(crate) addr_max: Option<Reg>,
    /// `NFTA_NAT_REG_PROTO_MIN`.
    pub(crate) proto_min: Option<Reg>,
    /// `NFTA_NAT_REG_PROTO_MAX`.
    pub(crate) proto_max: Option<Reg>,
}

/// Write [`Expr::Nat`]'s attributes, refusing the non-canonical forms; `map_ips` is left
/// to the kernel, as nft does.
pub(crate) fn encode_nat(
    w: &mut Writer<'_>,
    kind: NatType,
    family: Family,
    regs: NatRegs,
    flags: NatFlags,
) -> Result<(), crate::Error> {
    let NatRegs {
        addr_min: reg_addr_min,
        addr_max: reg_addr_max,
        proto_min: reg_proto_min,
        proto_max: reg_proto_max,
    } = regs;
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
pub(crate) fn encode_masq(
    w: &mut Writer<'_>,
    flags: NatFlags,
    reg_proto_min: Option<Reg>,
    reg_proto_max: Option<Reg>,
) -> Result<(), crate::Error> {
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
pub(crate) fn encode_redir(
    w: &mut Writer<'_>,
    flags: NatFlags,
    reg_proto_min: Option<Reg>,
    reg_proto_max: Option<Reg>,
) -> Result<(), crate::Error> {
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
    Ok(Expr::Nat {
        kind: NatType::from_number(f.req_u32(na::NFTA_NAT_TYPE)?).ok_or(Misfit)?,
        family: Family::from_nfproto(family).ok_or(Misfit)?,
        reg_addr_min,
        reg_addr_max: range_max(reg_addr_min, f.reg(na::NFTA_NAT_REG_ADDR_MAX)?),
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(na::NFTA_NAT_REG_PROTO_MAX)?),
        flags,
    })
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
    Ok(Expr::Masquerade {
        flags,
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(ma::NFTA_MASQ_REG_PROTO_MAX)?),
    })
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
    Ok(Expr::Redirect {
        flags,
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(rd::NFTA_REDIR_REG_PROTO_MAX)?),
    })
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

/// [`Expr::Nat`]'s own check in a `family` table whose chain is `base` (`None` for a
/// regular chain): an IP table of a matching family, addresses and ports that fit their
/// registers, a NAT chain on a hook the kind allows.
pub(crate) fn check_nat(
    family: Family,
    kind: NatType,
    nat_family: Family,
    regs: NatRegs,
    base: Option<&BaseChain>,
) -> Result<(), Reason> {
    if !family.is_ip() {
        return Err(Reason::ExprNotInFamily {
            expr: "nat",
            family,
        });
    }
    let fits = match (family, nat_family) {
        (Family::Inet, Family::Ip | Family::Ip6) => true,
        (table, nat) => table == nat,
    };
    if !fits {
        return Err(Reason::NatFamily {
            family: nat_family,
            table_family: family,
        });
    }
    let addr_len = if nat_family == Family::Ip { 4 } else { 16 };
    for reg in [regs.addr_min, regs.addr_max].into_iter().flatten() {
        load(reg, addr_len)?;
    }
    for reg in [regs.proto_min, regs.proto_max].into_iter().flatten() {
        load(reg, 2)?;
    }
    let hooks: &[Hook] = match kind {
        NatType::Snat => &[Hook::Postrouting, Hook::Input],
        NatType::Dnat => &[Hook::Prerouting, Hook::Output],
    };
    check_nat_chain("nat", hooks, base)
}

/// [`Expr::Masquerade`]'s (`masq: true`) or [`Expr::Redirect`]'s own check: an IP table,
/// ports that fit their registers, a NAT chain on a hook the kind allows.
pub(crate) fn check_masq_redir(
    masq: bool,
    family: Family,
    reg_proto_min: Option<Reg>,
    reg_proto_max: Option<Reg>,
    base: Option<&BaseChain>,
) -> Result<(), Reason> {
    let name = if masq { "masq" } else { "redir" };
    if !family.is_ip() {
        return Err(Reason::ExprNotInFamily { expr: name, family });
    }
    for reg in [reg_proto_min, reg_proto_max].into_iter().flatten() {
        load(reg, 2)?;
    }
    let hooks: &[Hook] = if masq {
        &[Hook::Postrouting]
    } else {
        &[Hook::Prerouting, Hook::Output]
    };
    check_nat_chain(name, hooks, base)
}
