//! `log`: log the packet to the kernel log or to an nflog group.

use linx_netlink_codec::Be16;

use super::common::{Fit, fields, no_nul};
use crate::Expr;
use crate::Reason;
use crate::consts::limits::NF_LOG_PREFIXLEN;
use crate::expr::{Log, LogFlags};
use crate::wire::attr::log as lg;
use crate::wire::{NftStr, Writer};

/// Write [`Expr::Log`]'s attributes that are set, in libnftnl's order: `PREFIX`, `GROUP`,
/// `SNAPLEN`, `QTHRESHOLD`, `LEVEL`, `FLAGS` (only when not empty).
pub(crate) fn encode(w: &mut Writer<'_>, log: &Log) -> Result<(), crate::Error> {
    let Log {
        group,
        prefix,
        snaplen,
        qthreshold,
        level,
        flags,
    } = log;
    if let Some(prefix) = prefix {
        w.put_str(lg::NFTA_LOG_PREFIX, no_nul("log", prefix)?)?;
    }
    if let Some(group) = group {
        w.put_be16(lg::NFTA_LOG_GROUP, *group)?;
    }
    if let Some(snaplen) = snaplen {
        w.put_be32(lg::NFTA_LOG_SNAPLEN, *snaplen)?;
    }
    if let Some(qthreshold) = qthreshold {
        w.put_be16(lg::NFTA_LOG_QTHRESHOLD, *qthreshold)?;
    }
    if let Some(level) = level {
        w.put_be32(lg::NFTA_LOG_LEVEL, *level)?;
    }
    if !flags.is_empty() {
        w.put_be32(lg::NFTA_LOG_FLAGS, flags.bits())?;
    }
    Ok(())
}

/// `log`.
pub(crate) fn decode(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            lg::NFTA_LOG_GROUP,
            lg::NFTA_LOG_PREFIX,
            lg::NFTA_LOG_SNAPLEN,
            lg::NFTA_LOG_QTHRESHOLD,
            lg::NFTA_LOG_LEVEL,
            lg::NFTA_LOG_FLAGS,
        ],
    )?;
    Ok(Expr::from(Log {
        group: f.opt::<Be16, _>(lg::NFTA_LOG_GROUP)?.map(u16::from),
        prefix: f.opt::<NftStr, _>(lg::NFTA_LOG_PREFIX)?,
        snaplen: f.u32(lg::NFTA_LOG_SNAPLEN)?,
        qthreshold: f.opt::<Be16, _>(lg::NFTA_LOG_QTHRESHOLD)?.map(u16::from),
        level: f.u32(lg::NFTA_LOG_LEVEL)?,
        flags: LogFlags::from_bits_retain(f.u32(lg::NFTA_LOG_FLAGS)?.unwrap_or(0)),
    }))
}

/// [`Expr::Log`]'s own check: a prefix shorter than `NF_LOG_PREFIXLEN` without NUL; a
/// syslog level (0..=8) or an NFLOG group, not both; snaplen and qthreshold only with a
/// group.
pub(crate) fn check(log: &Log) -> Result<(), Reason> {
    let Log {
        group,
        prefix,
        snaplen,
        qthreshold,
        level,
        ..
    } = log;
    if let Some(prefix) = prefix {
        if prefix.len() >= NF_LOG_PREFIXLEN {
            return Err(Reason::LogPrefixTooLong { len: prefix.len() });
        }
        if prefix.contains('\0') {
            return Err(Reason::NulByte);
        }
    }
    if group.is_some() && level.is_some() {
        return Err(Reason::LogOptions(
            "a syslog level and an NFLOG group exclude each other",
        ));
    }
    if group.is_none() && (snaplen.is_some() || qthreshold.is_some()) {
        return Err(Reason::LogOptions(
            "snaplen and qthreshold need an NFLOG group",
        ));
    }
    if level.is_some_and(|l| l > 8) {
        return Err(Reason::LogOptions("level must be 0..=8"));
    }
    Ok(())
}
