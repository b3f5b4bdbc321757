//! The only `unsafe` in the workspace: the two calls nix cannot express.
//!
//! - `socket(2)` with an arbitrary netlink protocol number: nix's
//!   `SockProtocol` is a closed enum and lacks several netlink protocols.
//! - `setsockopt(2)` for `SOL_NETLINK` options: nix has no typed option for
//!   them.
//!
//! Everything else goes through nix's safe wrappers. Each unsafe block is one
//! call with a `// SAFETY:` comment; results go through `Errno::result` like
//! nix's own wrappers.

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::libc;

/// `socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol)`.
pub(crate) fn netlink_socket(protocol: i32) -> nix::Result<OwnedFd> {
    // SAFETY: socket(2) takes only integers and touches no caller memory.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            protocol,
        )
    };
    let fd = Errno::result(fd)?;
    // SAFETY: `fd` was just returned by a successful socket(2), so it is an
    // open descriptor that nothing else owns; the OwnedFd becomes its only owner.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `setsockopt(fd, level, name, &value, 4)` for an `int`-sized option.
pub(crate) fn setsockopt_u32(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: u32,
) -> nix::Result<()> {
    let len = size_of::<u32>() as libc::socklen_t;
    // SAFETY: `fd` is borrowed, so it stays open for the call; the option
    // pointer refers to a live, initialised local u32 of exactly `len` bytes,
    // which the kernel only reads.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            std::ptr::from_ref(&value).cast(),
            len,
        )
    };
    Errno::result(rc).map(drop)
}
