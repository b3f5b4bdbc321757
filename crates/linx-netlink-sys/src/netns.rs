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
//!   A path with a NUL byte fails with `Netns { Open, EINVAL }`, one of
//!   `PATH_MAX` bytes or more with `Netns { Open, ENAMETOOLONG }`, before any
//!   thread is spawned.
//! - Every failure to reach the namespace names its file:
//!   [`Error::Netns`] (`open network namespace "/run/netns/x": ENOENT (2)`)
//!   or [`Error::InvalidNetns`], both with the path (`/proc/<n>/ns/net` for
//!   a pid).
//! - The helper opens the file `O_RDONLY | O_CLOEXEC | O_NONBLOCK |
//!   O_NOCTTY`, so a FIFO or a device cannot hold the open (and a terminal
//!   does not become the controlling one), then `fstatfs(2)`s it. A file not
//!   on nsfs (`NSFS_MAGIC`, `<linux/magic.h>`), such as a regular file, a
//!   directory, a FIFO or `/dev/null`, fails with [`Error::InvalidNetns`]
//!   (reason `not a namespace file (not on nsfs)`) before any `setns(2)`. A
//!   namespace file of another type (`/proc/self/ns/uts`) is on nsfs;
//!   `setns` refuses it with `Netns { Setns, EINVAL }`.
//! - Bounded: `open` waits at most `HELPER_BOUND` (10 s) for the helper.
//!   Nothing it does waits on another process, so only a path on a hung
//!   network or FUSE filesystem can keep it longer; `open` then fails with
//!   `Netns { Open, ETIMEDOUT }` and leaves the thread behind. If that thread
//!   ever finishes, it closes what it opened and exits in its own namespace;
//!   no caller thread is touched.
//! - Entering a namespace needs `CAP_SYS_ADMIN` over it (root, or the owner of
//!   its user namespace, as under `unshare -r`).

use std::ffi::OsStr;
use std::fmt;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use nix::fcntl::OFlag;
use nix::libc;
use nix::sched::CloneFlags;
use nix::sys::stat::Mode;
use nix::sys::statfs::{NSFS_MAGIC, fstatfs};

use crate::error::{netns, os};
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
        let Some(path) = self.path() else {
            return Ok(None);
        };
        if *self == Netns::Pid(0) {
            return Err(Error::InvalidNetns {
                path,
                reason: "pid 0 names no process",
            });
        }
        let bytes = path.as_os_str().as_bytes();
        let refused = if bytes.contains(&0) {
            Errno::EINVAL
        } else if bytes.len() >= libc::PATH_MAX as usize {
            // PATH_MAX counts the terminating NUL, so a path of PATH_MAX bytes is too long.
            Errno::ENAMETOOLONG
        } else {
            return Ok(Some(path));
        };
        Err(Error::Netns {
            stage: Stage::Open,
            path,
            errno: refused,
        })
    }

    /// Creates a netlink socket of `protocol` in this namespace (not yet bound).
    pub(crate) fn create_socket(&self, protocol: i32) -> Result<OwnedFd, Error> {
        match self.checked_path()? {
            None => sys::netlink_socket(protocol).map_err(os(Stage::Socket)),
            Some(path) => socket_in(path, protocol),
        }
    }
}

/// How long [`Socket::open`](crate::Socket::open) waits for the helper
/// thread before it fails with `Netns { Open, ETIMEDOUT }`. The helper's work
/// (open, `fstatfs`, `setns`, `socket`) takes microseconds; only a hung
/// filesystem under the path can take longer.
const HELPER_BOUND: Duration = Duration::from_secs(10);

/// The [`Error::InvalidNetns`] reason for a file that is not on nsfs.
const NOT_NSFS: &str = "not a namespace file (not on nsfs)";

/// Enters the namespace at `path` on a helper thread, creates the socket
/// there and returns it; the namespace change exits with the thread.
fn socket_in(path: PathBuf, protocol: i32) -> Result<OwnedFd, Error> {
    let timed_out = Error::Netns {
        stage: Stage::Open,
        path: path.clone(),
        errno: Errno::ETIMEDOUT,
    };
    on_helper_thread(HELPER_BOUND, timed_out, move || {
        let ns = open_ns_file(&path)?;
        // This changes the namespace of this helper thread only; it exits
        // right after, taking the change with it.
        nix::sched::setns(&ns, CloneFlags::CLONE_NEWNET).map_err(netns(Stage::Setns, &path))?;
        drop(ns);
        sys::netlink_socket(protocol).map_err(os(Stage::Socket))
    })
}

/// Opens `path` without waiting for anyone and checks that it is a namespace
/// file (on nsfs); the namespace type is left to `setns`.
fn open_ns_file(path: &Path) -> Result<OwnedFd, Error> {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
    // writer (and some devices wait too); nsfs files ignore the flag.
    let flags = OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK | OFlag::O_NOCTTY;
    let fd = nix::fcntl::open(path, flags, Mode::empty()).map_err(netns(Stage::Open, path))?;
    let fs = fstatfs(&fd).map_err(netns(Stage::Open, path))?;
    if fs.filesystem_type() != NSFS_MAGIC {
        return Err(Error::InvalidNetns {
            path: path.to_path_buf(),
            reason: NOT_NSFS,
        });
    }
    Ok(fd)
}

/// Runs `work` on a fresh thread and returns its result, waiting at most
/// `bound`; past that, `timed_out` and the thread is left to finish alone,
/// dropping (closing) whatever it returns. A panic in `work` is re-raised
/// here: it is a bug worth seeing, not an error to translate.
fn on_helper_thread<T: Send + 'static>(
    bound: Duration,
    timed_out: Error,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let (done_tx, done) = mpsc::sync_channel::<()>(1);
    let thread = std::thread::Builder::new()
        .name("linx-netns-open".into())
        .spawn(move || {
            let result = work();
            // The receiver is gone after a timeout; nobody is left to tell.
            let _ = done_tx.send(());
            result
        })
        .map_err(|e| Error::Os {
            stage: Stage::Thread,
            errno: e.raw_os_error().map_or(Errno::EAGAIN, Errno::from_raw),
        })?;
    match done.recv_timeout(bound) {
        // Done, or panicked (the sender dropped unsent): either way the
        // thread has finished its work and the join returns at once.
        Ok(()) | Err(RecvTimeoutError::Disconnected) => match thread.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        // Dropping the handle detaches the thread.
        Err(RecvTimeoutError::Timeout) => Err(timed_out),
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

    fn open_failed(path: impl Into<PathBuf>, errno: Errno) -> Error {
        Error::Netns {
            stage: Stage::Open,
            path: path.into(),
            errno,
        }
    }

    #[test]
    fn validation_needs_no_kernel() {
        let pid0 = Netns::Pid(0).create_socket(0).unwrap_err();
        assert_eq!(
            pid0,
            Error::InvalidNetns {
                path: "/proc/0/ns/net".into(),
                reason: "pid 0 names no process"
            }
        );
        assert_eq!(
            pid0.to_string(),
            "invalid network namespace \"/proc/0/ns/net\": pid 0 names no process"
        );
        let nul_path = PathBuf::from(OsStr::from_bytes(b"/run/netns/a\0b"));
        let nul = Netns::Path(nul_path.clone());
        assert_eq!(
            nul.create_socket(0).unwrap_err(),
            open_failed(nul_path, Errno::EINVAL)
        );
        let long_path = PathBuf::from("/".repeat(libc::PATH_MAX as usize));
        let long = Netns::Path(long_path.clone());
        assert_eq!(
            long.create_socket(0).unwrap_err(),
            open_failed(long_path, Errno::ENAMETOOLONG)
        );
        // One byte shorter passes validation and fails later, in the kernel.
        let just = Netns::Path(PathBuf::from("/".repeat(libc::PATH_MAX as usize - 1)));
        assert_eq!(just.checked_path().map(|p| p.is_some()), Ok(true));
    }

    // Needs no privileges: the open fails before any setns.
    #[test]
    fn a_missing_namespace_file_is_named() {
        let path = "/nonexistent/linx/netns/x";
        let err = Netns::from(Path::new(path)).create_socket(0).unwrap_err();
        assert_eq!(err, open_failed(path, Errno::ENOENT));
        assert_eq!(
            err.to_string(),
            "open network namespace \"/nonexistent/linx/netns/x\": ENOENT (2)"
        );
        assert_eq!(err.netns_path(), Some(Path::new(path)));
        assert_eq!(err.stage(), Some(Stage::Open));
        assert_eq!(err.errno(), Some(Errno::ENOENT));

        // A pid that names no process: the error shows the file it tried.
        // Pids are capped far below u32::MAX (pid_max <= 2^22).
        let err = Netns::Pid(u32::MAX).create_socket(0).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "open network namespace \"/proc/{}/ns/net\": ENOENT (2)",
                u32::MAX
            )
        );
    }

    #[test]
    fn only_nsfs_files_pass_the_open_check() {
        for path in ["/", "/dev/null", "/proc/self/status"] {
            let err = open_ns_file(Path::new(path)).unwrap_err();
            let not_nsfs = Error::InvalidNetns {
                path: path.into(),
                reason: NOT_NSFS,
            };
            assert_eq!(err, not_nsfs, "{path}");
        }
        // Any namespace type is on nsfs; setns checks the type.
        for path in ["/proc/self/ns/net", "/proc/self/ns/uts"] {
            assert!(open_ns_file(Path::new(path)).is_ok(), "{path}");
        }
        assert_eq!(
            open_ns_file(Path::new("/dev/null"))
                .unwrap_err()
                .to_string(),
            "invalid network namespace \"/dev/null\": not a namespace file (not on nsfs)"
        );
    }

    #[test]
    fn the_helper_wait_is_bounded() {
        let start = std::time::Instant::now();
        let timed_out = || open_failed("/hung", Errno::ETIMEDOUT);
        let slow = on_helper_thread(Duration::from_millis(50), timed_out(), || {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        });
        assert_eq!(slow, Err(timed_out()));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let bound = Duration::from_secs(5);
        assert_eq!(on_helper_thread(bound, timed_out(), || Ok(7)), Ok(7));
        let failed = on_helper_thread(bound, timed_out(), || -> Result<(), Error> {
            Err(Error::Timeout)
        });
        assert_eq!(failed, Err(Error::Timeout));
        let panicked = std::panic::catch_unwind(|| {
            on_helper_thread(bound, timed_out(), || -> Result<(), Error> {
                panic!("helper bug")
            })
        });
        assert!(panicked.is_err());
    }
}
