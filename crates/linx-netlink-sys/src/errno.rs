//! The workspace's one errno table.
//!
//! [`Errno`] is a newtype over the raw positive error number. Unlike
//! [`nix::errno::Errno`], whose `UnknownErrno` variant throws the number away,
//! it keeps any code, so a kernel that answers with an error this crate has
//! never heard of still shows its number.
//!
//! Names and descriptions are not hand-written here: they come from nix (its
//! `Debug` output is the C name, `desc()` the text). The first call to
//! [`Errno::name`] or [`Errno::description`] builds a small table for codes
//! `0..=255` once and keeps it for the life of the process.
//!
//! # Contract
//!
//! - `Display` and `Debug` print `ENODEV (19)`; a code nix does not know prints
//!   `errno 4242`. Nothing here panics.
//! - Aliases share one number and therefore one name: `EWOULDBLOCK` is shown as
//!   `EAGAIN`, `ENOTSUP` as `EOPNOTSUPP`, `EDEADLOCK` as `EDEADLK`.
//! - Kernel-internal codes above 511 (for example `ENOTSUPP`, 524, which some
//!   netlink paths leak to userspace) have no name and keep their number.
//! - Allocation: the name table, once per process (about 134 short strings,
//!   leaked on purpose so the names are `&'static str`). Nothing else allocates.

use std::fmt;
use std::sync::OnceLock;

use nix::libc;

/// A positive Linux error number, such as the one a netlink NACK carries.
///
/// The code is kept as is, known or not. Compare with `==` or with the
/// associated constants ([`Errno::ENODEV`], ...).
///
/// ```
/// use linx_netlink_sys::Errno;
///
/// let e = Errno::from_raw(19);
/// assert_eq!(e, Errno::ENODEV);
/// assert_eq!(e.name(), Some("ENODEV"));
/// assert_eq!(e.description(), Some("No such device"));
/// assert_eq!(e.to_string(), "ENODEV (19)");
/// assert_eq!(Errno::from_raw(4242).to_string(), "errno 4242");
/// ```
///
/// # See also
///
/// errno(3), `<asm-generic/errno-base.h>`, `<asm-generic/errno.h>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub i32);

/// Highest code the name table covers (Linux userspace codes end at 133).
const TABLE_MAX: i32 = 255;

/// `(name, description)` for each code in `0..=TABLE_MAX`, `None` where nix
/// does not know the code.
fn table() -> &'static [Option<(&'static str, &'static str)>] {
    static TABLE: OnceLock<Vec<Option<(&'static str, &'static str)>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=TABLE_MAX)
            .map(|code| {
                let e = nix::errno::Errno::from_raw(code);
                if e == nix::errno::Errno::UnknownErrno {
                    return None;
                }
                let name: &'static str = format!("{e:?}").leak();
                Some((name, e.desc()))
            })
            .collect()
    })
}

macro_rules! errno_consts {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        impl Errno {
            $(
                $(#[$doc])*
                pub const $name: Errno = Errno($value);
            )*
        }
    };
}

errno_consts! {
    /// `EPERM` (1): the caller lacks a capability (often `CAP_NET_ADMIN`).
    EPERM = libc::EPERM;
    /// `ENOENT` (2): no such file, or (netlink) the object does not exist.
    ENOENT = libc::ENOENT;
    /// `ESRCH` (3): no such process, or (netlink) no such entry to delete.
    ESRCH = libc::ESRCH;
    /// `EINTR` (4): a signal interrupted the call; this crate retries it.
    EINTR = libc::EINTR;
    /// `EIO` (5): I/O error.
    EIO = libc::EIO;
    /// `ENXIO` (6): no such device or address.
    ENXIO = libc::ENXIO;
    /// `E2BIG` (7): argument or message too big.
    E2BIG = libc::E2BIG;
    /// `EBADF` (9): the fd is not open.
    EBADF = libc::EBADF;
    /// `EAGAIN` (11): nothing to read yet on a nonblocking socket.
    EAGAIN = libc::EAGAIN;
    /// `EWOULDBLOCK`: same number as [`Errno::EAGAIN`].
    EWOULDBLOCK = libc::EWOULDBLOCK;
    /// `ENOMEM` (12): the kernel could not allocate memory.
    ENOMEM = libc::ENOMEM;
    /// `EACCES` (13): permission denied.
    EACCES = libc::EACCES;
    /// `EFAULT` (14): bad address.
    EFAULT = libc::EFAULT;
    /// `EBUSY` (16): the object is in use.
    EBUSY = libc::EBUSY;
    /// `EEXIST` (17): the object already exists (`NLM_F_EXCL`).
    EEXIST = libc::EEXIST;
    /// `ENODEV` (19): no such device (interface index or name unknown).
    ENODEV = libc::ENODEV;
    /// `ENOTDIR` (20): not a directory.
    ENOTDIR = libc::ENOTDIR;
    /// `EINVAL` (22): the kernel rejected an argument or attribute.
    EINVAL = libc::EINVAL;
    /// `ENFILE` (23): the system-wide fd table is full.
    ENFILE = libc::ENFILE;
    /// `EMFILE` (24): the process fd table is full.
    EMFILE = libc::EMFILE;
    /// `ENOSPC` (28): no space left (for example a full nf_tables set).
    ENOSPC = libc::ENOSPC;
    /// `ERANGE` (34): a value is out of range.
    ERANGE = libc::ERANGE;
    /// `EDEADLK` (35): resource deadlock avoided.
    EDEADLK = libc::EDEADLK;
    /// `ENAMETOOLONG` (36): a name or path is too long.
    ENAMETOOLONG = libc::ENAMETOOLONG;
    /// `ENOSYS` (38): the system call does not exist.
    ENOSYS = libc::ENOSYS;
    /// `ENOTEMPTY` (39): the object still has children (for example a chain with rules).
    ENOTEMPTY = libc::ENOTEMPTY;
    /// `ELOOP` (40): a loop was detected (for example nf_tables jump loops).
    ELOOP = libc::ELOOP;
    /// `ENODATA` (61): no data available.
    ENODATA = libc::ENODATA;
    /// `ERESTART` (85): the kernel asks to restart the call (nf_tables module loading).
    ERESTART = libc::ERESTART;
    /// `EMSGSIZE` (90): the datagram is larger than the send buffer allows.
    EMSGSIZE = libc::EMSGSIZE;
    /// `EPROTONOSUPPORT` (93): the netlink protocol is not available in this kernel.
    EPROTONOSUPPORT = libc::EPROTONOSUPPORT;
    /// `EOPNOTSUPP` (95): the operation is not supported (for example an unknown link kind).
    EOPNOTSUPP = libc::EOPNOTSUPP;
    /// `ENOTSUP`: same number as [`Errno::EOPNOTSUPP`] on Linux.
    ENOTSUP = libc::ENOTSUP;
    /// `EAFNOSUPPORT` (97): the address family is not supported.
    EAFNOSUPPORT = libc::EAFNOSUPPORT;
    /// `EADDRINUSE` (98): the address is already in use.
    EADDRINUSE = libc::EADDRINUSE;
    /// `EADDRNOTAVAIL` (99): the address is not available.
    EADDRNOTAVAIL = libc::EADDRNOTAVAIL;
    /// `ENETDOWN` (100): the network is down.
    ENETDOWN = libc::ENETDOWN;
    /// `ENETUNREACH` (101): no route to the network.
    ENETUNREACH = libc::ENETUNREACH;
    /// `ENOBUFS` (105): the receive buffer overflowed and messages were lost.
    ENOBUFS = libc::ENOBUFS;
    /// `ETIMEDOUT` (110): the operation timed out.
    ETIMEDOUT = libc::ETIMEDOUT;
    /// `ECONNREFUSED` (111): nobody listens on the destination port id.
    ECONNREFUSED = libc::ECONNREFUSED;
    /// `EHOSTUNREACH` (113): no route to the host.
    EHOSTUNREACH = libc::EHOSTUNREACH;
    /// `EALREADY` (114): the operation is already in progress.
    EALREADY = libc::EALREADY;
}

impl Errno {
    /// Wraps a positive error number (as in `errno`, or the negated
    /// `nlmsgerr.error`). Any value is kept.
    ///
    /// ```
    /// use linx_netlink_sys::Errno;
    ///
    /// assert_eq!(Errno::from_raw(2), Errno::ENOENT);
    /// ```
    pub const fn from_raw(code: i32) -> Errno {
        Errno(code)
    }

    /// The raw error number.
    ///
    /// ```
    /// use linx_netlink_sys::Errno;
    ///
    /// assert_eq!(Errno::EEXIST.code(), 17);
    /// ```
    pub const fn code(self) -> i32 {
        self.0
    }

    /// The C name, such as `"ENODEV"`, or `None` for a code nix does not know.
    ///
    /// ```
    /// use linx_netlink_sys::Errno;
    ///
    /// assert_eq!(Errno::EOPNOTSUPP.name(), Some("EOPNOTSUPP"));
    /// assert_eq!(Errno::from_raw(524).name(), None);
    /// ```
    pub fn name(self) -> Option<&'static str> {
        self.entry().map(|(name, _)| name)
    }

    /// The libc description, such as `"No such device"`, or `None` for a code
    /// nix does not know.
    ///
    /// ```
    /// use linx_netlink_sys::Errno;
    ///
    /// assert_eq!(Errno::ENOENT.description(), Some("No such file or directory"));
    /// ```
    pub fn description(self) -> Option<&'static str> {
        self.entry().map(|(_, desc)| desc)
    }

    fn entry(self) -> Option<(&'static str, &'static str)> {
        let index = usize::try_from(self.0).ok()?;
        table().get(index).copied().flatten()
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "errno {}", self.0),
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Errno {}

impl From<nix::errno::Errno> for Errno {
    fn from(e: nix::errno::Errno) -> Errno {
        Errno(e as i32)
    }
}

impl From<Errno> for std::io::Error {
    /// Keeps the code: `raw_os_error()` returns it and `kind()` follows it.
    fn from(e: Errno) -> std::io::Error {
        std::io::Error::from_raw_os_error(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_nix() {
        assert_eq!(Errno::ENODEV.name(), Some("ENODEV"));
        assert_eq!(Errno::ENODEV.description(), Some("No such device"));
        assert_eq!(Errno::ERESTART.code(), 85);
        assert_eq!(Errno::ERESTART.name(), Some("ERESTART"));
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
        assert_eq!(Errno::EWOULDBLOCK.name(), Some("EAGAIN"));
        assert_eq!(Errno::ENOTSUP.name(), Some("EOPNOTSUPP"));
        assert_eq!(Errno::from_raw(133).name(), Some("EHWPOISON"));
    }

    #[test]
    fn unknown_codes_keep_their_number() {
        for code in [0, -19, 134, 255, 256, 524, 4242, i32::MAX, i32::MIN] {
            let e = Errno::from_raw(code);
            assert_eq!(e.name(), None, "{code}");
            assert_eq!(e.description(), None, "{code}");
            assert_eq!(e.code(), code);
            assert_eq!(e.to_string(), format!("errno {code}"));
        }
    }

    #[test]
    fn display_and_debug() {
        assert_eq!(Errno::ENODEV.to_string(), "ENODEV (19)");
        assert_eq!(format!("{:?}", Errno::ENODEV), "ENODEV (19)");
        assert_eq!(format!("{:?}", Errno::from_raw(4242)), "errno 4242");
    }

    #[test]
    fn every_known_code_has_a_name() {
        // 41 and 58 are holes in the Linux numbering.
        for code in (1..=133).filter(|c| ![41, 58].contains(c)) {
            let e = Errno::from_raw(code);
            let name = e.name().unwrap_or_else(|| panic!("no name for {code}"));
            assert!(name.starts_with('E'), "{code}: {name}");
            assert!(e.description().is_some());
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(Errno::from(nix::errno::Errno::EBUSY), Errno::EBUSY);
        let io: std::io::Error = Errno::EAGAIN.into();
        assert_eq!(io.raw_os_error(), Some(libc::EAGAIN));
        assert_eq!(io.kind(), std::io::ErrorKind::WouldBlock);
    }
}
