//! The rtnetlink error type.
//!
//! Caller mistakes (a bad prefix, a gateway of the wrong family, a missing table) are caught
//! before anything is sent and are their own variants; kernel refusals carry the kernel's
//! extended-ACK text; everything else (timeouts, socket failures, undecodable replies) comes
//! from the request engine unchanged.
//!
//! A refusal of a request about a named link names it, because the kernel does not: a CNI
//! plugin retrying `link::add` reads `link "ve0": EEXIST (17)`, not a bare
//! `netlink EEXIST (17)`; a missing parent reads
//! `link "mv0": ENODEV (19): no such parent interface "eth9"`. The error stays
//! [`Error::Netlink`]; the name is its [`subject`](NetlinkError::subject).

use linx_netlink_codec::{Errno, NetlinkError};

/// Everything an rtnetlink verb can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An address, subnet or MAC string did not parse, or a prefix is out of range.
    #[error(transparent)]
    Ip(#[from] linx_ip::IpError),
    /// Values of different address families were mixed.
    #[error("address family mismatch: {0}")]
    FamilyMismatch(String),
    /// An option value is out of range or malformed.
    #[error("bad {name}: {value}")]
    BadOption {
        /// The option.
        name: &'static str,
        /// What was given, and why it is wrong.
        value: String,
    },
    /// A required option is missing.
    #[error("missing option: {0}")]
    MissingOption(&'static str),
    /// The kernel does not know this link kind (not built in, module not loaded).
    #[error("link kind \"{kind}\" is not supported by this kernel ({source})")]
    KindNotSupported {
        /// The kind asked for.
        kind: String,
        /// The kernel's refusal.
        source: NetlinkError,
    },
    /// The kernel refused the request.
    #[error(transparent)]
    Netlink(NetlinkError),
    /// The request failed in transport: timeout, socket error, undecodable reply.
    #[error(transparent)]
    Request(linx_netlink_codec::Error),
    /// A desired state cannot be applied as written (found while planning a reconcile pass,
    /// before anything was sent): `object` names the entry (`address 10.0.0.1/24 dev eth9`).
    #[error("desired {object}: {problem}")]
    Desired {
        /// The desired entry.
        object: String,
        /// What is wrong with it.
        problem: DesiredProblem,
    },
}

/// What is wrong with an entry of a desired state ([`Error::Desired`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DesiredProblem {
    /// It names a link that neither exists nor is created by the desired state.
    #[error(
        "no such interface \"{0}\" (neither in the namespace nor created by the desired state)"
    )]
    NoSuchLink(String),
    /// Links depend on each other in a circle (masters, parents, underlays).
    #[error("dependency cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// The same object is desired twice.
    #[error("desired more than once")]
    Duplicate,
    /// A value is invalid (bad address, family mismatch, out of range ...).
    #[error(transparent)]
    Invalid(Box<Error>),
    /// A link of that name exists with another kind: it is neither recreated nor taken
    /// over (delete or rename it, or desire it with its own kind).
    #[error("exists with kind \"{have}\", desired as \"{want}\"")]
    KindMismatch {
        /// The kind the desired state gives it.
        want: &'static str,
        /// The kind the namespace has (`none` for a link without `IFLA_INFO_KIND`).
        have: String,
    },
}

impl Error {
    /// The errno behind this error, if any.
    ///
    /// ```
    /// use linx_rtnl::Error;
    /// use linx_netlink_codec::{Errno, NetlinkError};
    /// assert_eq!(Error::Netlink(NetlinkError::new(Errno::EEXIST)).errno(), Some(Errno::EEXIST));
    /// ```
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Netlink(e) | Error::KindNotSupported { source: e, .. } => Some(e.errno),
            Error::Request(e) => e.errno(),
            _ => None,
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

impl From<linx_netlink_codec::EncodeError> for Error {
    fn from(e: linx_netlink_codec::EncodeError) -> Self {
        Error::Request(e.into())
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        let kind = match e.errno() {
            Some(n) => std::io::Error::from_raw_os_error(n.code()).kind(),
            None => std::io::ErrorKind::InvalidInput,
        };
        std::io::Error::new(kind, e)
    }
}

/// Reword a bare `ENODEV` so the caller knows which name failed.
pub(crate) fn no_such(e: Error, what: &str, name: &str) -> Error {
    match e {
        Error::Netlink(n) if n.errno == Errno::ENODEV => {
            Error::Netlink(n.or_message(|| format!("no such {what} \"{name}\"")))
        }
        other => other,
    }
}

/// Name the object a refused request was about (`link "ve0": EEXIST (17): ...`). Only kernel
/// refusals change; a subject set further in is kept.
pub(crate) fn about(e: Error, kind: &'static str, name: &str) -> Error {
    match e {
        Error::Netlink(n) => Error::Netlink(n.about(kind, name)),
        other => other,
    }
}

/// A failure of a request about the link `name`: the refusal names the link, and a bare
/// `ENODEV` says it is missing (`link "nope0": ENODEV (19): no such interface "nope0"`).
pub(crate) fn on_link(e: impl Into<Error>, name: &str) -> Error {
    about(no_such(e.into(), "interface", name), "link", name)
}
