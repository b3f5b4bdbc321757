//! [`NflogError`]: what opening, reading and stopping an NFLOG listener fail with, and
//! [`ConfigStep`], the start-up or stop request a refusal belongs to.
//!
//! Why its own type: a listener is a long-lived reader, not a ruleset operation. Its failures
//! are an option out of range (before any socket exists), a configuration request the kernel
//! refused (with the kernel's text), an ACK that never came, the socket, or one message that
//! did not decode (the listener reads on after it).
//!
//! # Contract
//! - [`NflogError::BadGroup`] is the only error of [`ListenOptions::new`](super::ListenOptions::new).
//! - [`NflogError::Refused`] and [`NflogError::NoAck`] come from start-up (or
//!   [`Listener::stop`](super::Listener::stop)) and name the [`ConfigStep`]; nothing of the
//!   listener is left running after a start-up failure (its socket is closed, so the kernel
//!   drops the group's instance).
//! - `Display` is one line: `nflog BIND of group 5 refused: netlink EPERM (1): ...`.

use std::fmt;

use linx_netlink_codec::{DecodeError, Errno, NetlinkError};

use super::family::LogFamily;

/// One configuration request of start-up or stop.
///
/// ```
/// use linx_netfilter::nflog::{ConfigStep, LogFamily};
/// assert_eq!(ConfigStep::PfBind(LogFamily::Ipv6).to_string(), "PF_BIND for ipv6");
/// assert_eq!(ConfigStep::Mode.to_string(), "CFG_MODE");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigStep {
    /// `NFULNL_CFG_CMD_PF_BIND` for a family.
    PfBind(LogFamily),
    /// `NFULNL_CFG_CMD_BIND`: the group's instance is created.
    Bind,
    /// `NFULA_CFG_MODE`: copy mode and range.
    Mode,
    /// `NFULA_CFG_FLAGS`.
    Flags,
    /// `NFULA_CFG_QTHRESH`.
    Qthresh,
    /// `NFULA_CFG_TIMEOUT`.
    Timeout,
    /// `NFULNL_CFG_CMD_UNBIND` (stop).
    Unbind,
    /// `NFULNL_CFG_CMD_PF_UNBIND` for a family (stop).
    PfUnbind(LogFamily),
}

impl fmt::Display for ConfigStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigStep::PfBind(fam) => write!(f, "PF_BIND for {fam}"),
            ConfigStep::Bind => f.write_str("BIND"),
            ConfigStep::Mode => f.write_str("CFG_MODE"),
            ConfigStep::Flags => f.write_str("CFG_FLAGS"),
            ConfigStep::Qthresh => f.write_str("CFG_QTHRESH"),
            ConfigStep::Timeout => f.write_str("CFG_TIMEOUT"),
            ConfigStep::Unbind => f.write_str("UNBIND"),
            ConfigStep::PfUnbind(fam) => write!(f, "PF_UNBIND for {fam}"),
        }
    }
}

/// Everything an NFLOG listener can fail with.
///
/// ```
/// use linx_netfilter::nflog::{ListenOptions, NflogError};
/// let err = ListenOptions::new(0).unwrap_err();
/// assert_eq!(err, NflogError::BadGroup(0));
/// assert_eq!(err.to_string(), "nflog group 0 is out of range 1..=65535");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NflogError {
    /// A group outside 1..=65535 (group 0 cannot be bound by a listener; the kernel's
    /// `res_id` is 16 bits).
    #[error("nflog group {0} is out of range 1..=65535")]
    BadGroup(u32),
    /// The listener's socket could not be opened or set up (in its namespace).
    #[error("nflog: cannot open the socket: {0}")]
    Open(linx_netlink_sys::Error),
    /// The kernel refused a configuration request (`EPERM`: another socket holds the
    /// group, or no `CAP_NET_ADMIN` over the namespace; `EBUSY`: this socket bound it
    /// already; `EOPNOTSUPP`: the conntrack flag without conntrack support).
    #[error("nflog {step} of group {group} refused: {error}")]
    Refused {
        /// The request.
        step: ConfigStep,
        /// The group being set up.
        group: u16,
        /// The kernel's error, with its extended-ACK text.
        error: NetlinkError,
    },
    /// No acknowledgement for a configuration request within the wait
    /// ([`ListenOptions::ACK_TIMEOUT`](super::ListenOptions::ACK_TIMEOUT)): it may have been
    /// lost to a full receive buffer.
    #[error("nflog {step} of group {group}: no acknowledgement from the kernel")]
    NoAck {
        /// The request.
        step: ConfigStep,
        /// The group being set up.
        group: u16,
    },
    /// A request could not be encoded (not expected: every request is a few bytes).
    #[error("nflog: cannot encode a request: {0}")]
    Encode(linx_netlink_codec::EncodeError),
    /// The socket failed while running (send or receive); a listener stops after it.
    #[error("nflog: socket failed: {0}")]
    Socket(linx_netlink_sys::Error),
    /// One message did not decode; the listener reads on.
    #[error("nflog: undecodable message: {0}")]
    Decode(DecodeError),
    /// The kernel sent an error outside any request of ours (an `NLMSG_ERROR` with an errno).
    #[error("nflog: kernel error: {0}")]
    Kernel(NetlinkError),
}

impl NflogError {
    /// The errno behind the error, when there is one.
    ///
    /// ```
    /// use linx_netfilter::nflog::{ConfigStep, NflogError};
    /// use linx_netlink_codec::{Errno, NetlinkError};
    /// let e = NflogError::Refused { step: ConfigStep::Bind, group: 5, error: NetlinkError::new(Errno::EBUSY) };
    /// assert_eq!(e.errno(), Some(Errno::EBUSY));
    /// ```
    pub fn errno(&self) -> Option<Errno> {
        match self {
            NflogError::Refused { error, .. } | NflogError::Kernel(error) => Some(error.errno),
            NflogError::Open(e) | NflogError::Socket(e) => e.errno(),
            _ => None,
        }
    }
}

impl From<DecodeError> for NflogError {
    fn from(e: DecodeError) -> Self {
        NflogError::Decode(e)
    }
}

impl From<NflogError> for std::io::Error {
    /// Options out of range are `InvalidInput`; the rest `Other`.
    fn from(e: NflogError) -> std::io::Error {
        let kind = match e {
            NflogError::BadGroup(_) => std::io::ErrorKind::InvalidInput,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}
