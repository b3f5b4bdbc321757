//! [`MonitorError`]: what opening and reading a monitor, and taking a snapshot, fail with.
//!
//! # Contract
//! - [`MonitorError::Open`] comes from opening (the socket, its buffer, the group); nothing
//!   is left open after it.
//! - [`MonitorError::Decode`] and [`MonitorError::Kernel`] are single items: the monitor
//!   reads on after them. [`MonitorError::Socket`] ends a monitor.
//! - [`MonitorError::Snapshot`] is a failed pull or generation read of a snapshot; the
//!   monitor is unchanged by it.

use linx_netlink_codec::{DecodeError, NetlinkError};

use crate::NetfilterError;

/// Everything a monitor can fail with.
///
/// ```
/// use linx_netfilter::monitor::MonitorError;
/// let e = MonitorError::Unstable { attempts: 8 };
/// assert_eq!(e.to_string(), "nf_tables monitor: no consistent snapshot in 8 attempts (the ruleset kept changing)");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// Opening the socket, setting its receive buffer or joining `NFNLGRP_NFTABLES` failed.
    #[error("nf_tables monitor: open: {0}")]
    Open(linx_netlink_sys::Error),
    /// Receiving failed (other than `ENOBUFS`, which is
    /// [`Item::ResyncNeeded`](super::Item::ResyncNeeded)); the monitor has ended.
    #[error("nf_tables monitor: receive: {0}")]
    Socket(linx_netlink_sys::Error),
    /// A datagram whose netlink framing is broken: its messages are lost, so a
    /// [`Item::ResyncNeeded`](super::Item::ResyncNeeded) follows.
    #[error("nf_tables monitor: bad datagram: {0}")]
    Decode(DecodeError),
    /// The kernel sent an error message to the monitor's socket.
    #[error("nf_tables monitor: {0}")]
    Kernel(NetlinkError),
    /// A snapshot's pull or generation read failed.
    #[error("nf_tables monitor: snapshot: {0}")]
    Snapshot(#[from] NetfilterError),
    /// A snapshot's generation read or barrier failed.
    #[error("nf_tables monitor: snapshot: {0}")]
    Generation(linx_nfnl::Error),
    /// The generation moved during every attempt at a snapshot.
    #[error(
        "nf_tables monitor: no consistent snapshot in {attempts} attempts (the ruleset kept changing)"
    )]
    Unstable {
        /// Attempts made.
        attempts: u32,
    },
}
