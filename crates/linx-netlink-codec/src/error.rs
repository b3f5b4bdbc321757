//! Errors of the codec and the request engine.
//!
//! Three kinds of failure are kept apart because callers treat them differently:
//!
//! - [`DecodeError`]: bytes that do not parse (a bug in the kernel, a newer kernel with a
//!   layout we do not know, or corrupted input). Structured, `Copy`, never allocates.
//! - [`NetlinkError`]: the kernel refused a request. Carries the errno and, when the kernel
//!   sent one, its extended-ACK text and the offset of the offending attribute; a verb that
//!   acted on a named object adds that [`Subject`] (`link "ve0"`), so a refusal says *what*
//!   was refused.
//! - [`Error`]: everything a request can end with: the two above, socket failures from
//!   `linx-netlink-sys`, timeouts and exhausted dump retries.
//!
//! # Contract
//! - One errno format for the workspace: `<subject>: ENODEV (19): <text>`. The errno prints as
//!   [`Errno`] does (`ENODEV (19)`, or `errno 4242` for a code this system does not name); the
//!   text is the kernel's extended-ACK message or, when it sent none, the verb's context;
//!   the subject is the object the request named (`link "ve0"`) or, without one, `netlink`:
//!   `netlink ENODEV (19): no such parent interface "eth9"`,
//!   `link "ve0": EEXIST (17)`. [`NetlinkError::detail`] is the same text without the subject,
//!   for callers that put their own context in front (nfnetlink batches, netfilter).
//! - Nothing here panics.

use std::fmt;

pub use linx_netlink_sys::Errno;

/// Maximum depth of an attribute path recorded in a [`DecodeError`].
pub const MAX_PATH: usize = 6;

/// The attribute types (outermost first) leading to where decoding failed.
///
/// Fixed-size so that building a [`DecodeError`] never allocates.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AttrPath {
    len: u8,
    types: [u16; MAX_PATH],
}

impl AttrPath {
    /// The empty path (the error is in a fixed header, not in an attribute).
    pub const EMPTY: AttrPath = AttrPath {
        len: 0,
        types: [0; MAX_PATH],
    };

    /// The attribute types, outermost first.
    ///
    /// ```
    /// # use linx_netlink_codec::AttrPath;
    /// assert!(AttrPath::EMPTY.as_slice().is_empty());
    /// ```
    pub fn as_slice(&self) -> &[u16] {
        &self.types[..self.len as usize]
    }

    /// This path with `outer` put in front (used while unwinding out of nested decoders).
    /// Paths deeper than [`MAX_PATH`] keep their outermost entries.
    #[must_use = "returns the extended path"]
    pub fn within(mut self, outer: u16) -> AttrPath {
        let n = (self.len as usize).min(MAX_PATH - 1);
        self.types.copy_within(0..n, 1);
        self.types[0] = outer;
        self.len = (n + 1) as u8;
        self
    }
}

impl fmt::Debug for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

/// What went wrong while decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Fewer bytes than the structure needs.
    Truncated {
        /// Bytes needed.
        need: usize,
        /// Bytes available.
        got: usize,
    },
    /// A length field is below its header size or runs past the end of the buffer.
    BadLength {
        /// The length field's value.
        len: usize,
        /// Bytes available from the start of the structure.
        avail: usize,
    },
    /// A value has the wrong size for its type (e.g. a 3-byte `u32`).
    BadSize {
        /// The size the type needs.
        expected: usize,
        /// The size found.
        got: usize,
    },
    /// A string is not valid UTF-8.
    InvalidUtf8,
    /// A value is out of the range its type allows.
    InvalidValue,
    /// An encoded attribute payload would exceed the 16-bit length field.
    TooLong {
        /// The length that did not fit.
        len: usize,
    },
}

/// A structured decode failure: what, where (byte offset and attribute path) and in which
/// structure. `Copy`; building one never allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeError {
    /// What went wrong.
    pub kind: DecodeErrorKind,
    /// The structure being decoded (`"nlmsghdr"`, `"nlattr"`, `"u32"`, a header name ...).
    pub context: &'static str,
    /// Byte offset of the failing structure within the buffer handed to the decoder.
    pub offset: usize,
    /// Attribute types leading to the failure, outermost first.
    pub path: AttrPath,
}

impl DecodeError {
    /// A new error at `offset` with an empty path.
    ///
    /// ```
    /// # use linx_netlink_codec::{DecodeError, DecodeErrorKind};
    /// let e = DecodeError::new(DecodeErrorKind::InvalidUtf8, "string", 0);
    /// assert_eq!(e.to_string(), "decode string at offset 0: invalid UTF-8");
    /// ```
    pub const fn new(kind: DecodeErrorKind, context: &'static str, offset: usize) -> Self {
        DecodeError {
            kind,
            context,
            offset,
            path: AttrPath::EMPTY,
        }
    }

    /// Shorthand for a [`DecodeErrorKind::Truncated`] error.
    ///
    /// ```
    /// # use linx_netlink_codec::DecodeError;
    /// let e = DecodeError::truncated("ifinfomsg", 0, 16, 3);
    /// assert!(e.to_string().contains("need 16 bytes, got 3"));
    /// ```
    pub const fn truncated(context: &'static str, offset: usize, need: usize, got: usize) -> Self {
        Self::new(DecodeErrorKind::Truncated { need, got }, context, offset)
    }

    /// Shorthand for a [`DecodeErrorKind::BadSize`] error.
    ///
    /// ```
    /// # use linx_netlink_codec::DecodeError;
    /// assert!(DecodeError::bad_size("u32", 4, 3).to_string().contains("expected 4 bytes, got 3"));
    /// ```
    pub const fn bad_size(context: &'static str, expected: usize, got: usize) -> Self {
        Self::new(DecodeErrorKind::BadSize { expected, got }, context, 0)
    }

    /// The same error, located inside attribute `attr_type` whose header starts at `offset`
    /// of the enclosing buffer.
    #[must_use = "returns the relocated error"]
    pub fn within(mut self, attr_type: u16, offset: usize) -> Self {
        self.path = self.path.within(attr_type);
        self.offset += offset;
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "decode {} at offset {}", self.context, self.offset)?;
        if !self.path.as_slice().is_empty() {
            write!(f, " (attribute path {})", self.path)?;
        }
        f.write_str(": ")?;
        match self.kind {
            DecodeErrorKind::Truncated { need, got } => {
                write!(f, "truncated: need {need} bytes, got {got}")
            }
            DecodeErrorKind::BadLength { len, avail } => {
                write!(f, "bad length {len} ({avail} bytes available)")
            }
            DecodeErrorKind::BadSize { expected, got } => {
                write!(f, "wrong size: expected {expected} bytes, got {got}")
            }
            DecodeErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
            DecodeErrorKind::InvalidValue => f.write_str("invalid value"),
            DecodeErrorKind::TooLong { len } => {
                write!(f, "payload of {len} bytes exceeds the 16-bit length field")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// The object a refused request was about, as the verb that sent it names it: `link "ve0"`.
///
/// The kernel names nothing in most refusals (`EEXIST` for a link add says neither which link
/// nor that it was a link); the verb knows, and adds it with [`NetlinkError::about`].
///
/// ```
/// # use linx_netlink_codec::error::Subject;
/// let s = Subject { kind: "link", name: "ve0".into() };
/// assert_eq!(s.to_string(), "link \"ve0\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Subject {
    /// What sort of object (`"link"`, `"neighbour"`).
    pub kind: &'static str,
    /// Its name, as the caller gave it.
    pub name: String,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"{}\"", self.kind, self.name)
    }
}

/// The kernel's extended ACK: the text and location it attached to an error.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ExtAck {
    /// `NLMSGERR_ATTR_MSG`: the kernel's explanation.
    pub message: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: byte offset of the offending attribute within the request
    /// (counted from the start of the request's `nlmsghdr`).
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`: type of a required attribute that was missing.
    pub missing_type: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest that lacked it.
    pub missing_nest: Option<u32>,
    /// The attribute types (outermost first) at [`offset`](Self::offset), resolved against
    /// the request when the request was available.
    pub path: Option<Vec<u16>>,
    /// The object the request was about, set by the verb ([`NetlinkError::about`]), never by
    /// the kernel; read it with [`NetlinkError::subject`]. Like [`path`](Self::path) it is
    /// resolved on this side, so [`is_empty`](Self::is_empty) ignores it. Boxed: it is rare
    /// and errors stay small.
    subject: Option<Box<Subject>>,
}

impl ExtAck {
    /// True when the kernel attached nothing.
    ///
    /// ```
    /// # use linx_netlink_codec::ExtAck;
    /// assert!(ExtAck::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.message.is_none()
            && self.offset.is_none()
            && self.missing_type.is_none()
            && self.missing_nest.is_none()
    }
}

/// The kernel refused a request: `NLMSG_ERROR` (or `NLMSG_DONE`) with a negative errno.
///
/// `Display` reads `netlink EEXIST (17): <kernel text>`, or `link "ve0": EEXIST (17): ...`
/// once a verb has named the [`Subject`] ([`NetlinkError::about`]).
///
/// ```
/// # use linx_netlink_codec::{Errno, NetlinkError};
/// let e = NetlinkError::new(Errno::EEXIST);
/// assert_eq!(e.to_string(), "netlink EEXIST (17)");
/// let e = e.about("link", "ve0");
/// assert_eq!(e.to_string(), "link \"ve0\": EEXIST (17)");
/// assert_eq!(e.detail().to_string(), "EEXIST (17)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetlinkError {
    /// The errno the kernel returned (positive).
    pub errno: Errno,
    /// The kernel's extended ACK (empty when it sent none).
    pub ext_ack: ExtAck,
}

impl NetlinkError {
    /// An error with no extended ACK.
    ///
    /// ```
    /// # use linx_netlink_codec::{Errno, NetlinkError};
    /// let e = NetlinkError::new(Errno::ENODEV);
    /// assert_eq!(e.to_string(), "netlink ENODEV (19)");
    /// ```
    pub fn new(errno: Errno) -> Self {
        NetlinkError {
            errno,
            ext_ack: ExtAck::default(),
        }
    }

    /// The kernel's message text, if any.
    pub fn message(&self) -> Option<&str> {
        self.ext_ack.message.as_deref()
    }

    /// This error with `text` as its message when the kernel sent none (verbs use this to
    /// say which name failed, e.g. `no such interface "nope0"`).
    ///
    /// ```
    /// # use linx_netlink_codec::{Errno, NetlinkError};
    /// let e = NetlinkError::new(Errno::ENODEV).or_message(|| "no such interface \"nope0\"".into());
    /// assert_eq!(e.to_string(), "netlink ENODEV (19): no such interface \"nope0\"");
    /// ```
    #[must_use = "returns the reworded error"]
    pub fn or_message(mut self, text: impl FnOnce() -> String) -> Self {
        if self.ext_ack.message.is_none() {
            self.ext_ack.message = Some(text());
        }
        self
    }

    /// This error as a refusal of the request about `kind` `name` (`link "ve0"`), which
    /// `Display` puts in front instead of `netlink`. The first subject given is kept: the
    /// innermost verb knows best what was refused.
    ///
    /// ```
    /// # use linx_netlink_codec::{Errno, NetlinkError};
    /// let e = NetlinkError::new(Errno::ENODEV)
    ///     .or_message(|| "no such parent interface \"eth9\"".into())
    ///     .about("link", "ve0");
    /// assert_eq!(e.to_string(), "link \"ve0\": ENODEV (19): no such parent interface \"eth9\"");
    /// assert_eq!(e.subject().map(|s| s.name.as_str()), Some("ve0"));
    /// ```
    #[must_use = "returns the error with its subject"]
    pub fn about(mut self, kind: &'static str, name: impl Into<String>) -> Self {
        if self.ext_ack.subject.is_none() {
            self.ext_ack.subject = Some(Box::new(Subject {
                kind,
                name: name.into(),
            }));
        }
        self
    }

    /// The object the refused request was about, when the verb named it.
    ///
    /// ```
    /// # use linx_netlink_codec::{Errno, NetlinkError};
    /// assert!(NetlinkError::new(Errno::EEXIST).subject().is_none());
    /// ```
    pub fn subject(&self) -> Option<&Subject> {
        self.ext_ack.subject.as_deref()
    }

    /// The errno and the text, without the subject: `EEXIST (17): File exists`. The one
    /// formatter behind every refusal's text in the workspace; callers that say what was
    /// refused in their own words put it after their context (`message 3 of the batch: ...`).
    ///
    /// ```
    /// # use linx_netlink_codec::{Errno, NetlinkError};
    /// let e = NetlinkError::new(Errno::ENOENT).or_message(|| "No such file or directory".into());
    /// assert_eq!(e.detail().to_string(), "ENOENT (2): No such file or directory");
    /// assert_eq!(NetlinkError::new(Errno::from_raw(4242)).detail().to_string(), "errno 4242");
    /// ```
    pub fn detail(&self) -> impl fmt::Display + '_ {
        Detail(self)
    }
}

/// [`NetlinkError::detail`]: `ENODEV (19)` and `: <text>` when there is one.
struct Detail<'a>(&'a NetlinkError);

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.errno, f)?;
        match &self.0.ext_ack.message {
            Some(m) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for NetlinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ext_ack.subject {
            Some(subject) => write!(f, "{subject}: {}", self.detail()),
            None => write!(f, "netlink {}", self.detail()),
        }
    }
}

impl std::error::Error for NetlinkError {}

impl From<NetlinkError> for std::io::Error {
    fn from(e: NetlinkError) -> Self {
        std::io::Error::new(std::io::Error::from_raw_os_error(e.errno.code()).kind(), e)
    }
}

/// Everything a netlink request can end with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kernel refused the request.
    #[error(transparent)]
    Netlink(#[from] NetlinkError),
    /// A reply did not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The socket failed (send, receive, ...).
    #[error(transparent)]
    Sys(#[from] linx_netlink_sys::Error),
    /// No datagram for this request arrived within the per-datagram timeout.
    #[error("netlink request timed out after {0:?} without a reply")]
    Timeout(std::time::Duration),
    /// The dump was interrupted (`NLM_F_DUMP_INTR`) on every attempt.
    #[error("netlink dump interrupted by concurrent changes {attempts} times in a row")]
    DumpInterrupted {
        /// How many times the dump was sent (1 + retries).
        attempts: u32,
    },
    /// The kernel reported `NLMSG_OVERRUN`: data was lost.
    #[error("netlink overrun: the kernel lost messages of this request")]
    Overrun,
    /// The request could not be encoded (e.g. an attribute over 65,535 bytes).
    #[error("cannot encode netlink request: {0}")]
    Encode(#[from] EncodeError),
    /// This thread already runs an exchange on the socket (an unfinished stream it is
    /// iterating): waiting for it would never end. Finish or drop the stream first.
    #[error("netlink socket is busy with an unfinished exchange of this thread")]
    Busy,
    /// The exchange is in an impossible state for the call made (a scripted transport ran
    /// out of replies, a driver was called out of order).
    #[error("netlink exchange stalled: {0}")]
    Stalled(&'static str),
}

impl Error {
    /// The errno behind this error, when there is one (kernel refusal or socket failure).
    ///
    /// ```
    /// # use linx_netlink_codec::{Errno, Error, NetlinkError};
    /// let e = Error::from(NetlinkError::new(Errno::EEXIST));
    /// assert_eq!(e.errno(), Some(Errno::EEXIST));
    /// ```
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Netlink(e) => Some(e.errno),
            Error::Sys(e) => e.errno(),
            _ => None,
        }
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        let kind = match &e {
            Error::Netlink(n) => std::io::Error::from_raw_os_error(n.errno.code()).kind(),
            Error::Timeout(_) => std::io::ErrorKind::TimedOut,
            Error::Decode(_) | Error::Encode(_) => std::io::ErrorKind::InvalidData,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

/// A value could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// An attribute payload exceeds what the 16-bit `nla_len` can describe.
    #[error("attribute type {attr_type} payload of {len} bytes exceeds 65531 bytes")]
    AttrTooLong {
        /// Attribute type.
        attr_type: u16,
        /// Payload length.
        len: usize,
    },
    /// A message exceeds what the 32-bit `nlmsg_len` can describe.
    #[error("message of {len} bytes exceeds the 32-bit length field")]
    MessageTooLong {
        /// Message length.
        len: usize,
    },
}
