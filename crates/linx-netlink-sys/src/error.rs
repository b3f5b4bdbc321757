//! The crate's error type: which step failed, and the errno it failed with.
//!
//! Every system call this crate makes belongs to one [`Stage`], so an error
//! says where it happened (`netlink socket bind failed: EADDRINUSE (98)`)
//! without any formatted strings. A failure to reach a network namespace also
//! names the namespace file, because "which namespace?" is the first question
//! a caller with many of them asks:
//! `open network namespace "/run/netns/x": ENOENT (2)`.
//!
//! # Contract
//!
//! - An errno always prints as [`Errno`] does: `ENOENT (2)`.
//! - [`Error::Os`] and [`Error::Netns`] carry an [`Errno`]; [`Error::Netns`]
//!   and [`Error::InvalidNetns`] carry the namespace file's path
//!   (`/proc/<pid>/ns/net` for [`Netns::Pid`](crate::Netns::Pid)).
//! - Allocation: only the path of the two namespace variants, on the failure
//!   path. The other variants are small plain values.
//! - `From<Error> for std::io::Error` keeps the errno of [`Error::Os`] and
//!   [`Error::Netns`] (so `raw_os_error()` and `kind()` work, the stage and
//!   path are dropped); the other variants become an `io::Error` of a fitting
//!   kind wrapping the [`Error`].

use std::fmt;
use std::path::PathBuf;

use crate::Errno;

/// The step of a socket's life an [`Error::Os`] happened in.
///
/// `Display` is the lower-case name (`setns`).
///
/// ```
/// use linx_netlink_sys::Stage;
///
/// assert_eq!(Stage::Setns.to_string(), "setns");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Spawning the helper thread that enters another namespace.
    Thread,
    /// Opening the namespace file (`/proc/<pid>/ns/net` or a path),
    /// `fstatfs(2)` on it, or validating its path (`ETIMEDOUT`: the helper
    /// thread did not finish within its bound, as on a hung filesystem).
    /// Reported as [`Error::Netns`] or [`Error::InvalidNetns`].
    Open,
    /// `setns(2)` into the namespace (`EINVAL`: a namespace of another type,
    /// such as `/proc/self/ns/uts`; `EPERM`: no `CAP_SYS_ADMIN` over it).
    /// Reported as [`Error::Netns`].
    Setns,
    /// `socket(2)` (`EPROTONOSUPPORT`: no such netlink protocol in this kernel).
    Socket,
    /// `bind(2)` or `getsockname(2)` right after creation.
    Bind,
    /// `setsockopt(2)`, `getsockopt(2)` or `fcntl(2)` on the socket.
    Sockopt,
    /// `send(2)`/`sendmsg(2)`.
    Send,
    /// `recv(2)`, including `ENOBUFS` when the kernel dropped messages.
    Recv,
    /// `poll(2)` while waiting with a timeout, or registering with a reactor.
    Poll,
}

impl Stage {
    /// The lower-case name used by `Display`.
    ///
    /// ```
    /// use linx_netlink_sys::Stage;
    ///
    /// assert_eq!(Stage::Recv.as_str(), "recv");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Thread => "thread",
            Stage::Open => "open",
            Stage::Setns => "setns",
            Stage::Socket => "socket",
            Stage::Bind => "bind",
            Stage::Sockopt => "sockopt",
            Stage::Send => "send",
            Stage::Recv => "recv",
            Stage::Poll => "poll",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a socket operation failed.
///
/// ```
/// use linx_netlink_sys::{Errno, Error, Stage};
///
/// let e = Error::Os { stage: Stage::Bind, errno: Errno::EADDRINUSE };
/// assert_eq!(e.to_string(), "netlink socket bind failed: EADDRINUSE (98)");
/// assert_eq!(e.stage(), Some(Stage::Bind));
/// assert_eq!(e.errno(), Some(Errno::EADDRINUSE));
///
/// let e = Error::Netns { stage: Stage::Open, path: "/run/netns/x".into(), errno: Errno::ENOENT };
/// assert_eq!(e.to_string(), "open network namespace \"/run/netns/x\": ENOENT (2)");
/// assert_eq!(e.netns_path(), Some(std::path::Path::new("/run/netns/x")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A system call on the socket failed.
    #[error("netlink socket {stage} failed: {errno}")]
    Os {
        /// The step that failed.
        stage: Stage,
        /// What the kernel answered.
        errno: Errno,
    },
    /// The timeout given to [`Socket::recv`](crate::Socket::recv) expired
    /// before a datagram arrived.
    #[error("netlink socket recv timed out")]
    Timeout,
    /// The network namespace could not be reached: opening its file
    /// ([`Stage::Open`]: `ENOENT`, `EACCES`, a path with a NUL byte
    /// (`EINVAL`) or too long (`ENAMETOOLONG`), `ETIMEDOUT` on a hung
    /// filesystem) or entering it ([`Stage::Setns`]: `EPERM`, or `EINVAL` for
    /// a namespace of another type).
    ///
    /// `Display`: `open network namespace "/run/netns/x": ENOENT (2)` or
    /// `enter network namespace "/proc/self/ns/uts": EINVAL (22)`.
    #[error("{} network namespace \"{}\": {errno}", netns_verb(*stage), path.display())]
    Netns {
        /// [`Stage::Open`] or [`Stage::Setns`].
        stage: Stage,
        /// The namespace file (`/proc/<pid>/ns/net` for a pid).
        path: PathBuf,
        /// What the kernel answered.
        errno: Errno,
    },
    /// The namespace cannot name a network namespace: `Netns::Pid(0)`, or a
    /// file that is not a namespace file (not on nsfs: a regular file, a
    /// directory, a FIFO, a device), refused before any `setns(2)`.
    #[error("invalid network namespace \"{}\": {reason}", path.display())]
    InvalidNetns {
        /// The namespace file (`/proc/0/ns/net` for `Netns::Pid(0)`).
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A datagram did not fit the buffer offered for it; its bytes are lost.
    /// [`Socket::recv`](crate::Socket::recv) sizes the buffer to the datagram,
    /// so there it only happens when another reader took the datagram the
    /// call had measured (several threads receiving on one socket at once);
    /// [`Socket::recv_bounded`](crate::Socket::recv_bounded) reports a
    /// datagram longer than the bound its caller gave.
    #[error("netlink datagram of {len} bytes did not fit the receive buffer and was lost")]
    Truncated {
        /// The datagram's full length.
        len: usize,
    },
}

impl Error {
    /// The stage the error belongs to: the stage of [`Error::Os`] and
    /// [`Error::Netns`], [`Stage::Open`] for [`Error::InvalidNetns`],
    /// [`Stage::Recv`] for [`Error::Truncated`], `None` for
    /// [`Error::Timeout`].
    ///
    /// ```
    /// use linx_netlink_sys::{Error, Stage};
    ///
    /// assert_eq!(Error::Timeout.stage(), None);
    /// ```
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Error::Os { stage, .. } | Error::Netns { stage, .. } => Some(*stage),
            Error::InvalidNetns { .. } => Some(Stage::Open),
            Error::Truncated { .. } => Some(Stage::Recv),
            Error::Timeout => None,
        }
    }

    /// The errno of [`Error::Os`] and [`Error::Netns`], `None` for the other
    /// variants.
    ///
    /// ```
    /// use linx_netlink_sys::{Errno, Error, Stage};
    ///
    /// let e = Error::Os { stage: Stage::Bind, errno: Errno::EPERM };
    /// assert_eq!(e.errno(), Some(Errno::EPERM));
    /// ```
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Os { errno, .. } | Error::Netns { errno, .. } => Some(*errno),
            _ => None,
        }
    }

    /// The namespace file of [`Error::Netns`] and [`Error::InvalidNetns`],
    /// `None` for the other variants.
    ///
    /// ```
    /// use linx_netlink_sys::{Error, Stage};
    ///
    /// let e = Error::InvalidNetns { path: "/proc/0/ns/net".into(), reason: "pid 0 names no process" };
    /// assert_eq!(e.netns_path(), Some(std::path::Path::new("/proc/0/ns/net")));
    /// assert_eq!(Error::Timeout.netns_path(), None);
    /// ```
    pub fn netns_path(&self) -> Option<&std::path::Path> {
        match self {
            Error::Netns { path, .. } | Error::InvalidNetns { path, .. } => Some(path),
            _ => None,
        }
    }

    /// True for `EAGAIN`: a nonblocking call found nothing to do. The tokio
    /// driver waits for readiness on exactly this.
    ///
    /// ```
    /// use linx_netlink_sys::{Errno, Error, Stage};
    ///
    /// assert!(Error::Os { stage: Stage::Recv, errno: Errno::EAGAIN }.is_would_block());
    /// assert!(!Error::Timeout.is_would_block());
    /// ```
    pub fn is_would_block(&self) -> bool {
        self.errno() == Some(Errno::EAGAIN)
    }
}

/// What [`Error::Netns`] says the caller tried: `open` or `enter`.
fn netns_verb(stage: Stage) -> &'static str {
    match stage {
        Stage::Setns => "enter",
        Stage::Open => "open",
        other => other.as_str(),
    }
}

/// Maps a nix error of one stage into [`Error::Os`]; every system call result
/// on the socket goes through here (and namespace calls through [`netns`]).
pub(crate) fn os(stage: Stage) -> impl Fn(nix::errno::Errno) -> Error {
    move |e| Error::Os {
        stage,
        errno: e.into(),
    }
}

/// Maps a nix error of opening or entering the namespace file `path` into
/// [`Error::Netns`].
pub(crate) fn netns(stage: Stage, path: &std::path::Path) -> impl Fn(nix::errno::Errno) -> Error {
    move |e| Error::Netns {
        stage,
        path: path.to_path_buf(),
        errno: e.into(),
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        use std::io::ErrorKind;
        match e {
            Error::Os { errno, .. } | Error::Netns { errno, .. } => errno.into(),
            Error::Timeout => std::io::Error::new(ErrorKind::TimedOut, e),
            Error::InvalidNetns { .. } => std::io::Error::new(ErrorKind::InvalidInput, e),
            Error::Truncated { .. } => std::io::Error::new(ErrorKind::InvalidData, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        let e = Error::Os {
            stage: Stage::Setns,
            errno: Errno::EINVAL,
        };
        assert_eq!(e.to_string(), "netlink socket setns failed: EINVAL (22)");
        let e = Error::Netns {
            stage: Stage::Setns,
            path: "/proc/self/ns/uts".into(),
            errno: Errno::EINVAL,
        };
        assert_eq!(
            e.to_string(),
            "enter network namespace \"/proc/self/ns/uts\": EINVAL (22)"
        );
        assert_eq!(Error::Timeout.to_string(), "netlink socket recv timed out");
        let stages = [
            Stage::Thread,
            Stage::Open,
            Stage::Setns,
            Stage::Socket,
            Stage::Bind,
            Stage::Sockopt,
            Stage::Send,
            Stage::Recv,
            Stage::Poll,
        ];
        let names: Vec<String> = stages.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "thread", "open", "setns", "socket", "bind", "sockopt", "send", "recv", "poll"
            ]
        );
    }

    #[test]
    fn into_io_error() {
        let io: std::io::Error = Error::Os {
            stage: Stage::Recv,
            errno: Errno::EAGAIN,
        }
        .into();
        assert_eq!(io.kind(), std::io::ErrorKind::WouldBlock);
        assert_eq!(io.raw_os_error(), Some(11));
        let io: std::io::Error = Error::Timeout.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
        let io: std::io::Error = Error::Netns {
            stage: Stage::Open,
            path: "/x".into(),
            errno: Errno::ENOENT,
        }
        .into();
        assert_eq!(io.raw_os_error(), Some(2));
        let io: std::io::Error = Error::InvalidNetns {
            path: "/x".into(),
            reason: "x",
        }
        .into();
        assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
    }
}
