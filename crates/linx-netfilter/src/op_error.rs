//! [`NetfilterError`]: what `push`, `pull` and `create_table` fail with.
//!
//! Why a second error type: [`Error`] is the caller's mistake, found before anything is sent;
//! a `NetfilterError` is what happened when talking to the kernel: a refusal (with the position
//! of the refused message in the batch and *what* it was: "rule 3 of inet/filter/input"), a
//! kernel feature that is missing, a transport failure, or a reply that did not decode. Model
//! errors are wrapped ([`NetfilterError::Invalid`]) so one `?` covers a whole push.
//!
//! # Contract
//! - [`NetfilterError::Refused`]: nothing of the batch was applied (nf_tables batches are
//!   atomic). `batch_seq` is 1-based among the messages Linx wrote (the `BATCH_BEGIN`/`END`
//!   envelope not counted), `None` when the kernel refused the batch as a whole (`ERESTART`
//!   on a generation mismatch).
//! - [`NetfilterError::Unsupported`]: the kernel lacks the feature (flowtables without
//!   `NF_FLOW_TABLE`): the refusal was `ENOENT`/`EOPNOTSUPP` on a message of that kind.
//! - `Display` reads `netfilter <op> failed: <what>: ENOENT (2): <kernel text>`, the errno
//!   and text formatted as every refusal of the workspace is ([`NetlinkError::detail`]):
//!   `netfilter push failed: rule 2 of inet/app/input (tag bad), message 5 of the batch:
//!   ENOENT (2)`.

use std::fmt;

use linx_netlink_codec::{DecodeError, Errno, NetlinkError};

use crate::Error;

/// The operation that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// [`push`](crate::push()).
    Push,
    /// [`pull`](crate::pull()).
    Pull,
    /// [`create_table`](crate::create_table()).
    CreateTable,
    /// [`reconcile`](crate::reconcile::reconcile()).
    Reconcile,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Push => "push",
            Operation::Pull => "pull",
            Operation::CreateTable => "create_table",
            Operation::Reconcile => "reconcile",
        })
    }
}

/// Everything a kernel operation of this crate can fail with.
///
/// ```
/// use linx_netfilter::{NetfilterError, Operation};
/// use linx_netlink_codec::{Errno, NetlinkError};
/// let e = NetfilterError::Refused {
///     operation: Operation::Push,
///     batch_seq: Some(4),
///     what: Some("rule 2 of inet/filter/input".into()),
///     error: NetlinkError::new(Errno::EINVAL),
/// };
/// assert_eq!(e.errno(), Some(Errno::EINVAL));
/// assert_eq!(
///     e.to_string(),
///     "netfilter push failed: rule 2 of inet/filter/input, message 4 of the batch: EINVAL (22)"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetfilterError {
    /// The ruleset is invalid or cannot be encoded; nothing was sent.
    #[error(transparent)]
    Invalid(#[from] Error),
    /// The kernel refused; nothing of the batch was applied.
    #[error("netfilter {operation} failed: {}{}", Located(*batch_seq, what.as_deref()), error.detail())]
    Refused {
        /// The operation.
        operation: Operation,
        /// 1-based position of the refused message among the batch's messages; `None` for
        /// the batch as a whole (a generation mismatch, `ERESTART`) or a single request.
        batch_seq: Option<usize>,
        /// What the refused message was (`"rule 3 of inet/filter/input (tag ssh)"`).
        what: Option<String>,
        /// The kernel's error, with its extended-ACK text.
        error: NetlinkError,
    },
    /// The kernel refused a reconcile batch: every refused message, each with the patch op
    /// it carried and, when the kernel pointed at an attribute, what that attribute was.
    /// Nothing of the batch was applied.
    #[error(
        "netfilter {operation} failed: {}",
        crate::op_refusal::RefusalList(refusals)
    )]
    RefusedOps {
        /// The operation.
        operation: Operation,
        /// The refusals in batch order (at least one).
        refusals: Vec<crate::op_refusal::RefusedOp>,
    },
    /// Another process committed to the ruleset between every read and write of a
    /// reconcile (the batch's generation check, `ERESTART`, failed each time): nothing of
    /// it was applied.
    #[error(
        "netfilter {operation} failed: concurrent modification, retries exhausted \
         ({attempts} attempts; the last one was based on generation {generation})"
    )]
    ConcurrentModification {
        /// The operation.
        operation: Operation,
        /// The ruleset generation the last attempt read before its pull (the kernel's had
        /// moved on when the batch arrived).
        generation: u32,
        /// How many batches were sent.
        attempts: u32,
    },
    /// The kernel does not have a feature the ruleset uses.
    #[error(
        "netfilter {operation} failed: this kernel has no {feature}: {}",
        error.detail()
    )]
    Unsupported {
        /// The operation.
        operation: Operation,
        /// The feature (`"flowtables"`).
        feature: &'static str,
        /// The kernel's refusal.
        error: NetlinkError,
    },
    /// The kernel's reply did not decode.
    #[error("netfilter {operation} failed: undecodable reply: {source}")]
    Decode {
        /// The operation.
        operation: Operation,
        /// Where and why.
        source: DecodeError,
    },
    /// The nf_tables socket could not be opened (in its namespace).
    #[error("cannot open the nf_tables socket: {0}")]
    Open(#[from] linx_netlink_sys::Error),
    /// Transport trouble: socket errors, timeouts, a batch larger than the send buffer.
    #[error("netfilter {operation} failed: {source}")]
    Transport {
        /// The operation.
        operation: Operation,
        /// The nfnetlink error.
        source: linx_nfnl::Error,
    },
}

/// Formats what was refused and its batch position, each followed by `: `.
struct Located<'a>(Option<usize>, Option<&'a str>);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(i), Some(what)) => write!(f, "{what}, message {i} of the batch: "),
            (Some(i), None) => write!(f, "message {i} of the batch: "),
            (None, Some(what)) => write!(f, "{what}: "),
            (None, None) => Ok(()),
        }
    }
}

impl NetfilterError {
    /// The kernel's errno, for refusals and transport errors that carry one.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            NetfilterError::Refused { error, .. } | NetfilterError::Unsupported { error, .. } => {
                Some(error.errno)
            }
            NetfilterError::Transport { source, .. } => source.errno(),
            NetfilterError::RefusedOps { refusals, .. } => refusals.first().map(|r| r.error.errno),
            NetfilterError::ConcurrentModification { .. } => Some(Errno::ERESTART),
            NetfilterError::Open(e) => e.errno(),
            NetfilterError::Invalid(_) | NetfilterError::Decode { .. } => None,
        }
    }

    /// The operation that failed (`None` for a model error).
    pub fn operation(&self) -> Option<Operation> {
        match self {
            NetfilterError::Refused { operation, .. }
            | NetfilterError::Unsupported { operation, .. }
            | NetfilterError::Decode { operation, .. }
            | NetfilterError::RefusedOps { operation, .. }
            | NetfilterError::ConcurrentModification { operation, .. }
            | NetfilterError::Transport { operation, .. } => Some(*operation),
            NetfilterError::Invalid(_) | NetfilterError::Open(_) => None,
        }
    }

    /// Wrap an nfnetlink error of `operation`: a codec decode failure becomes
    /// [`NetfilterError::Decode`], a single-request refusal [`NetfilterError::Refused`].
    pub(crate) fn from_nfnl(operation: Operation, e: linx_nfnl::Error) -> NetfilterError {
        match e {
            linx_nfnl::Error::Netlink(error) => NetfilterError::Refused {
                operation,
                batch_seq: None,
                what: None,
                error,
            },
            linx_nfnl::Error::Request(linx_netlink_codec::Error::Decode(source)) => {
                NetfilterError::Decode { operation, source }
            }
            linx_nfnl::Error::Request(linx_netlink_codec::Error::Netlink(error)) => {
                NetfilterError::Refused {
                    operation,
                    batch_seq: None,
                    what: None,
                    error,
                }
            }
            source => NetfilterError::Transport { operation, source },
        }
    }
}

impl From<NetfilterError> for std::io::Error {
    /// Refusals keep their errno; model errors are `InvalidInput`.
    fn from(e: NetfilterError) -> std::io::Error {
        match e.errno() {
            Some(errno) => std::io::Error::from_raw_os_error(errno.code()),
            None if matches!(e, NetfilterError::Invalid(_)) => {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
            }
            None => std::io::Error::other(e),
        }
    }
}
