//! [`RefusedOp`]: one refused message of a reconcile batch, named.
//!
//! Why a leaf module: [`NetfilterError`](crate::NetfilterError) carries a list of them and
//! the reconcile push makes them; both sides import it from here, so neither imports the
//! other.
//!
//! # Contract
//! Plain data; `Display` is one line (`<what>: <attribute>, message <n> of the batch: <errno
//! and kernel text>`).

use std::fmt;

use linx_netlink_codec::NetlinkError;

/// One refused message of a reconcile batch.
///
/// ```
/// use linx_netfilter::reconcile::RefusedOp;
/// use linx_netlink_codec::{Errno, NetlinkError};
/// let r = RefusedOp {
///     batch_seq: Some(3),
///     op: Some(2),
///     what: Some("rule 3 of inet/app/input (tag audit)".into()),
///     attribute: Some("expression #4 (log)".into()),
///     error: NetlinkError::new(Errno::EINVAL),
/// };
/// assert_eq!(
///     r.to_string(),
///     "rule 3 of inet/app/input (tag audit): expression #4 (log), message 3 of the batch: EINVAL (22)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedOp {
    /// 1-based position of the message in the batch; `None` for the batch as a whole.
    pub batch_seq: Option<usize>,
    /// Index in [`Patch::ops`](crate::diff::Patch::ops) of the op the message carried.
    pub op: Option<usize>,
    /// What the op touched (`"rule 3 of inet/app/input (tag ssh)"`).
    pub what: Option<String>,
    /// The attribute the kernel pointed at, resolved against the bytes sent
    /// (`"expression #4 (log)"`).
    pub attribute: Option<String>,
    /// The kernel's error, with its extended-ACK text.
    pub error: NetlinkError,
}

impl fmt::Display for RefusedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(what) = &self.what {
            f.write_str(what)?;
            if let Some(a) = &self.attribute {
                write!(f, ": {a}")?;
            }
            f.write_str(", ")?;
        } else if let Some(a) = &self.attribute {
            write!(f, "{a}, ")?;
        }
        match self.batch_seq {
            Some(i) => write!(f, "message {i} of the batch: {}", self.error.detail()),
            None => write!(f, "the batch: {}", self.error.detail()),
        }
    }
}

/// Formats a list of refusals, `; `-separated (for [`NetfilterError::RefusedOps`]).
///
/// [`NetfilterError::RefusedOps`]: crate::NetfilterError::RefusedOps
pub(crate) struct RefusalList<'a>(pub(crate) &'a [RefusedOp]);

impl fmt::Display for RefusalList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}
