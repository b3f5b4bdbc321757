//! Which network namespace a socket lives in, and how it gets there.
//!
//! A netlink socket talks to the namespace it was *created* in, for its whole
//! life. To create one elsewhere, [`Socket::open`](crate::Socket::open) spawns
//! a throwaway thread that enters the namespace, creates the socket and exits.
//! The namespace change dies with that thread, so no caller or runtime thread
//! ever changes namespace and no error path has anything to restore.
//!
//! # Contract
//!
//! - [`Netns::Host`] means the namespace of the thread calling `open`.
//! - [`Netns::Pid`]`(n)` means the file `/proc/<n>/ns/net`, that is the
//!   namespace of process `n`'s main thread. `Pid(0)` is rejected with
//!   [`Error::InvalidNetns`].
//! - [`Netns::Path`] is any file that names a network namespace
//!   (`/run/netns/<name>`, `/proc/<pid>/task/<tid>/ns/net`, a bind mount).
//!   A path with a NUL byte fails with `Os { Open, EINVAL }`, one of
//!   `PATH_MAX` bytes or more with `Os { Open, ENAMETOOLONG }`, before any
//!   thread is spawned.
//! - Entering a namespace needs `CAP_SYS_ADMIN` over it (root, or the owner of
//!   its user namespace, as under `unshare -r`).

use std::ffi::OsStr;
use std::fmt;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;
use nix::libc;
use nix::sched::CloneFlags;
use nix::sys::stat::Mode;

use crate::error::os;
use crate::{Errno, Error, Stage, sys};

/// The network namespace a [`Socket`](crate::Socket) is opened in.
///
/// ```
/// use linx_netlink_sys::Netns;
/// use std::path::Path;
///
/// assert_eq!(Netns::Pid(42).path().unwrap(), Path::new("/proc/42/ns/net"));
/// assert_eq!(Netns::from(Path::new("/run/netns/blue")).to_string(), "/run/netns/blue");
/// assert_eq!(Netns::default(), Netns::Host);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Netns {
    /// The namespace of the calling thread; no helper thread is spawned.
    #[default]
    Host,
    /// The namespace of process `n` (`/proc/<n>/ns/net`); `n` must not be 0.
    Pid(u32),
    /// A file naming a network namespace.
    Path(PathBuf),
}

impl Netns {
    /// The namespace file `open` enters, or `None` for [`Netns::Host`].
    ///
    /// ```
    /// use linx_netlink_sys::Netns;
    ///
    /// assert_eq!(Netns::Host.path(), None);
    /// ```
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            Netns::Host => None,
            Netns::Pid(pid) => Some(PathBuf::from(format!("/proc/{pid}/ns/net"))),
            Netns::Path(path) => Some(path.clone()),
        }
    }

    /// The validated namespace file, or `None` for the host.
    fn checked_path(&self) -> Result<Option<PathBuf>, Error> {
        if *self == Netns::Pid(0) {
            return Err(Error::InvalidNetns {
                reason: "pid 0 names no process",
            });
        }
        let Some(path) = self.path() else {
            return Ok(None);
        };
        let bytes = path.as_os_str().as_bytes();
        if bytes.contains(&0) {
            return Err(Error::Os {
                stage: Stage::Open,
                errno: Errno::EINVAL,
            });
        }
        // PATH_MAX counts the terminating NUL, so a path of PATH_MAX bytes is too long.
        if bytes.len() >= libc::PATH_MAX as usize {
            return Err(Error::Os {
                stage: Stage::Open,
                errno: Errno::ENAMETOOLONG,
            });
        }
        Ok(Some(path))
    }

    /// Creates a netlink socket of `protocol` in this namespace (not yet bound).
    pub(crate) fn create_socket(&self, protocol: i32) -> Result<OwnedFd, Error> {
        match self.checked_path()? {
            None => sys::netlink_socket(protocol).map_err(os(Stage::Socket)),
            Some(path) => socket_in(path, protocol),
        }
    }
}

/// Spawns a thread that enters the namespace at `path`, creates the socket
/// and exits; joins it and returns the socket.
fn socket_in(path: PathBuf, protocol: i32) -> Result<OwnedFd, Error> {
    let thread = std::thread::Builder::new()
        .name("linx-netns-open".into())
        .spawn(move || -> Result<OwnedFd, Error> {
            let ns = nix::fcntl::open(
                path.as_path(),
                OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(os(Stage::Open))?;
            // This changes the namespace of this helper thread only; it exits
            // right after, taking the change with it.
            nix::sched::setns(&ns, CloneFlags::CLONE_NEWNET).map_err(os(Stage::Setns))?;
            drop(ns);
            sys::netlink_socket(protocol).map_err(os(Stage::Socket))
        })
        .map_err(|e| Error::Os {
            stage: Stage::Thread,
            errno: e.raw_os_error().map_or(Errno::EAGAIN, Errno::from_raw),
        })?;
    match thread.join() {
        Ok(result) => result,
        // The closure only makes system calls; a panic there is a bug worth
        // seeing, not an error to translate.
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

impl fmt::Display for Netns {
    /// `host`, `pid 42` or the path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Netns::Host => f.write_str("host"),
            Netns::Pid(pid) => write!(f, "pid {pid}"),
            Netns::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

impl From<&Path> for Netns {
    fn from(path: &Path) -> Netns {
        Netns::Path(path.to_path_buf())
    }
}

impl From<PathBuf> for Netns {
    fn from(path: PathBuf) -> Netns {
        Netns::Path(path)
    }
}

impl From<&OsStr> for Netns {
    fn from(path: &OsStr) -> Netns {
        Netns::Path(PathBuf::from(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(Netns::Host.path(), None);
        assert_eq!(Netns::Pid(7).path(), Some(PathBuf::from("/proc/7/ns/net")));
        assert_eq!(
            Netns::from(PathBuf::from("/run/netns/x")).path(),
            Some(PathBuf::from("/run/netns/x"))
        );
        assert_eq!(Netns::Pid(7).to_string(), "pid 7");
        assert_eq!(Netns::Host.to_string(), "host");
    }

    #[test]
    fn validation_needs_no_kernel() {
        assert_eq!(
            Netns::Pid(0).create_socket(0).unwrap_err(),
            Error::InvalidNetns {
                reason: "pid 0 names no process"
            }
        );
        let nul = Netns::Path(PathBuf::from(OsStr::from_bytes(b"/run/netns/a\0b")));
        assert_eq!(
            nul.create_socket(0).unwrap_err(),
            Error::Os {
                stage: Stage::Open,
                errno: Errno::EINVAL
            }
        );
        let long = Netns::Path(PathBuf::from("/".repeat(libc::PATH_MAX as usize)));
        assert_eq!(
            long.create_socket(0).unwrap_err(),
            Error::Os {
                stage: Stage::Open,
                errno: Errno::ENAMETOOLONG
            }
        );
        // One byte shorter passes validation and fails later, in the kernel.
        let just = Netns::Path(PathBuf::from("/".repeat(libc::PATH_MAX as usize - 1)));
        assert_eq!(just.checked_path().map(|p| p.is_some()), Ok(true));
    }
}
