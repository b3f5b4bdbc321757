//! The only `unsafe` in the workspace: the calls nix cannot express.
//!
//! - `socket(2)` with an arbitrary netlink protocol number: nix's
//!   `SockProtocol` is a closed enum and lacks several netlink protocols.
//! - `setsockopt(2)` for `SOL_NETLINK` options: nix has no typed option for
//!   them.
//! - `recv(2)` into a `Vec`'s uninitialised spare capacity: nix only takes `&mut [u8]`,
//!   which would force a memset of the buffer before every datagram.
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

/// `recv(fd, spare capacity of buf, flags)`: reads one datagram into the uninitialised spare
/// capacity of the (cleared) `buf` without zero-filling it first, and sets the length to the
/// bytes the kernel wrote. Returns what recv(2) returned (with `MSG_TRUNC`, the datagram's
/// real length, which may exceed the capacity).
pub(crate) fn recv_into_spare(
    fd: BorrowedFd<'_>,
    buf: &mut Vec<u8>,
    flags: libc::c_int,
) -> nix::Result<usize> {
    buf.clear();
    let spare = buf.spare_capacity_mut();
    let cap = spare.len();
    // SAFETY: `fd` is borrowed and stays open for the call. The pointer and length describe
    // `buf`'s spare capacity: `cap` writable bytes owned by `buf` and not aliased while this
    // exclusive borrow lives. recv(2) writes at most `cap` bytes there and reads nothing.
    let rc = unsafe { libc::recv(fd.as_raw_fd(), spare.as_mut_ptr().cast(), cap, flags) };
    let n = Errno::result(rc)? as usize;
    // SAFETY: the kernel initialised the first min(n, cap) bytes of the spare capacity.
    unsafe { buf.set_len(n.min(cap)) };
    Ok(n)
}
