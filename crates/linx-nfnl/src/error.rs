//! The nfnetlink error type.

use linx_netlink_codec::{Errno, NetlinkError};

/// One refused message of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 1-based position of the message among the caller's messages; `None` when the kernel
    /// refused the batch itself (`BATCH_BEGIN`/`BATCH_END`: a generation mismatch
    /// (`ERESTART`), a commit failure, an unknown subsystem).
    pub batch_seq: Option<usize>,
    /// The kernel's error, with its extended-ACK text.
    pub error: NetlinkError,
}

impl std::fmt::Display for Refusal {
    /// `message 3 of the batch: ENOENT (2): <kernel text>` (the errno and text as
    /// [`NetlinkError::detail`] formats them), or `the batch: ERESTART (85)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.batch_seq {
            Some(i) => write!(f, "message {i} of the batch: {}", self.error.detail()),
            None => write!(f, "the batch: {}", self.error.detail()),
        }
    }
}

/// Everything an nfnetlink call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kernel refused the batch; nothing of it was applied. `first` is the first refusal
    /// in message order; `all` lists every one the kernel reported.
    #[error("nfnetlink batch refused: {first}")]
    Batch {
        /// The first refusal.
        first: Refusal,
        /// All refusals, in the order the kernel sent them.
        all: Vec<Refusal>,
    },
    /// The batch does not fit one datagram on this socket: the kernel takes a batch from a
    /// single datagram, bounded by the send buffer.
    #[error(
        "batch of {len} bytes exceeds the socket send buffer ({sndbuf} bytes): raise \
         net.core.wmem_max or run with CAP_NET_ADMIN (SO_SNDBUFFORCE)"
    )]
    TooLarge {
        /// Encoded batch size.
        len: usize,
        /// The send buffer the kernel granted.
        sndbuf: usize,
    },
    /// A reply was empty where the kernel always sends one.
    #[error("empty reply to {0}")]
    EmptyReply(&'static str),
    /// The kernel refused a single (non-batch) request.
    #[error(transparent)]
    Netlink(NetlinkError),
    /// Transport failure: timeout, socket error, undecodable reply.
    #[error(transparent)]
    Request(linx_netlink_codec::Error),
    /// The batch was sent but its verdict never arrived (`cause`), and the ruleset generation
    /// did not move: no commit happened, so nothing of the batch was applied.
    #[error(
        "nfnetlink batch not applied: no verdict ({cause}) and the ruleset generation stayed at {generation}"
    )]
    NotCommitted {
        /// Why no verdict arrived (a timeout, a socket error).
        cause: linx_netlink_codec::Error,
        /// The generation before and after.
        generation: u32,
    },
    /// The batch was sent but its verdict never arrived (`cause`), and the ruleset generation
    /// moved from `before` to `after`: a commit happened, ours or another process's. The
    /// caller must look at the ruleset to know (`linx-netfilter`'s push does).
    #[error("nfnetlink batch outcome unknown: no verdict ({cause}); the ruleset generation {}", Moved(*before, *after))]
    Unconfirmed {
        /// Why no verdict arrived.
        cause: linx_netlink_codec::Error,
        /// The generation read before sending.
        before: u32,
        /// The generation read after the verdict was missed (`None`: it could not be read).
        after: Option<u32>,
    },
}

/// How the generation moved, for [`Error::Unconfirmed`]'s text.
struct Moved(u32, Option<u32>);

impl std::fmt::Display for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(after) => write!(f, "moved from {} to {after}", self.0),
            None => write!(f, "was {} and could not be read again", self.0),
        }
    }
}

impl Error {
    /// The errno behind this error (for a batch, the first refusal's).
    ///
    /// ```
    /// use linx_nfnl::Error;
    /// use linx_netlink_codec::{Errno, NetlinkError};
    /// assert_eq!(Error::Netlink(NetlinkError::new(Errno::ENOENT)).errno(), Some(Errno::ENOENT));
    /// ```
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Batch { first, .. } => Some(first.error.errno),
            Error::Netlink(e) => Some(e.errno),
            Error::Request(e) => e.errno(),
            Error::TooLarge { .. } => Some(Errno::EMSGSIZE),
            Error::EmptyReply(_) => None,
            Error::NotCommitted { cause, .. } | Error::Unconfirmed { cause, .. } => cause.errno(),
        }
    }
}

impl From<linx_netlink_codec::Error> for Error {
    fn from(e: linx_netlink_codec::Error) -> Self {
        match e {
            linx_netlink_codec::Error::Netlink(n) => Error::Netlink(n),
            other => Error::Request(other),
        }
    }
}

impl From<linx_netlink_sys::Error> for Error {
    fn from(e: linx_netlink_sys::Error) -> Self {
        Error::Request(e.into())
    }
}
