//! `log`: log the packet to the kernel log or to an nflog group.

use linx_netlink_codec::Be16;

use super::common::{Fit, checked_expr, fields, no_nul};
use crate::Expr;
use crate::Reason;
use crate::consts::limits::NF_LOG_PREFIXLEN;
use crate::expr::LogFlags;
use crate::nla::attr::log as lg;
use crate::nla::{NftStr, Writer};

checked_expr! {
    /// The fields of [`Expr::Log`]: log the packet to NFLOG `group`, or to syslog at `level`
    /// without a group (boxed in [`Expr`]).
    ///
    /// [`Expr::log`] and [`Expr::log_group`] build the NFLOG forms; `Log::default()` is a
    /// bare `log` (syslog, kernel defaults); [`Log::new`] checks the combination.
    ///
    /// ```
    /// use linx_netfilter::{Expr, expr::{Log, LogFlags}};
    /// let log = Log::new(None, Some("in: ".into()), None, None, Some(4), LogFlags::empty())?;
    /// assert_eq!((log.prefix(), log.level()), (Some("in: "), Some(4)));
    /// let e = Expr::from(log);
    /// assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"log":{"prefix":"in: ","level":4}}"#);
    /// // A syslog level and an NFLOG group exclude each other.
    /// assert!(Log::new(Some(1), None, None, None, Some(4), LogFlags::empty()).is_err());
    /// # Ok::<(), linx_netfilter::Reason>(())
    /// ```
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    pub struct Log via LogRepr = "LogRepr" {
        /// NFLOG group (`NFTA_LOG_GROUP`; the upstream convention is 5000).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<u16>,
        /// Prefix (`NFTA_LOG_PREFIX`, at most 127 bytes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
        /// Bytes of packet to copy to NFLOG (`NFTA_LOG_SNAPLEN`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snaplen: Option<u32>,
        /// Packets to batch before NFLOG sends (`NFTA_LOG_QTHRESHOLD`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        qthreshold: Option<u16>,
        /// Syslog level (`NFTA_LOG_LEVEL`: 0 emerg .. 7 debug, 8 audit; only without
        /// `group`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<u32>,
        /// Syslog extras (`NFTA_LOG_FLAGS`).
        #[serde(default, skip_serializing_if = "LogFlags::is_empty")]
        flags: LogFlags,
    }
}

impl Log {
    /// A checked `log`: a prefix shorter than 128 bytes without NUL; a syslog level (0..=8)
    /// or an NFLOG group, not both; snaplen and qthreshold only with a group.
    #[inline]
    pub fn new(
        group: Option<u16>,
        prefix: Option<String>,
        snaplen: Option<u32>,
        qthreshold: Option<u16>,
        level: Option<u32>,
        flags: LogFlags,
    ) -> Result<Log, Reason> {
        Log {
            group,
            prefix,
            snaplen,
            qthreshold,
            level,
            flags,
        }
        .checked()
    }

    /// `self` when it passes [`Log::new`]'s checks.
    #[inline]
    pub(crate) fn checked(self) -> Result<Log, Reason> {
        check(&self)?;
        Ok(self)
    }

    /// NFLOG group.
    pub fn group(&self) -> Option<u16> {
        self.group
    }

    /// Prefix.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// Bytes of packet to copy to NFLOG.
    pub fn snaplen(&self) -> Option<u32> {
        self.snaplen
    }

    /// Packets to batch before NFLOG sends.
    pub fn qthreshold(&self) -> Option<u16> {
        self.qthreshold
    }

    /// Syslog level.
    pub fn level(&self) -> Option<u32> {
        self.level
    }

    /// Syslog extras.
    pub fn flags(&self) -> LogFlags {
        self.flags
    }
}

impl From<Log> for Expr {
    /// [`Expr::Log`], boxed.
    fn from(value: Log) -> Expr {
        Expr::Log(Box::new(value))
    }
}

/// Write [`Expr::Log`]'s attributes that are set, in libnftnl's order: `PREFIX`, `GROUP`,
/// `SNAPLEN`, `QTHRESHOLD`, `LEVEL`, `FLAGS` (only when not empty).
#[inline]
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
    Ok(Expr::from(
        Log {
            group: f.opt::<Be16, _>(lg::NFTA_LOG_GROUP)?.map(u16::from),
            prefix: f.opt::<NftStr, _>(lg::NFTA_LOG_PREFIX)?,
            snaplen: f.u32(lg::NFTA_LOG_SNAPLEN)?,
            qthreshold: f.opt::<Be16, _>(lg::NFTA_LOG_QTHRESHOLD)?.map(u16::from),
            level: f.u32(lg::NFTA_LOG_LEVEL)?,
            flags: LogFlags::from_bits_retain(f.u32(lg::NFTA_LOG_FLAGS)?.unwrap_or(0)),
        }
        .checked()?,
    ))
}

/// [`Log`]'s own check: a prefix shorter than `NF_LOG_PREFIXLEN` without NUL; a
/// syslog level (0..=8) or an NFLOG group, not both; snaplen and qthreshold only with a
/// group.
fn check(log: &Log) -> Result<(), Reason> {
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
