//! Naming links on the wire, and resolving interface names to indexes for verbs.
//!
//! Every rtnetlink family refers to a link by its index (`RTA_OIF`, `ifa_index`,
//! `ndm_ifindex` ...), while callers name links (`"eth0"`). This module holds what turning a
//! name into an index needs: the `struct ifinfomsg` header, the interface-name check, the
//! by-name `RTM_*LINK` request, and [`index_of`], the lookup the route, address, neighbour,
//! statistics and link verbs share.
//!
//! Why a module of its own: the link module builds on it (its requests are by-name requests)
//! and so do the other families; keeping it below all of them leaves the modules a DAG.
//!
//! # Contract
//! - [`check_name`] refuses what the kernel refuses (empty, 16 bytes or more, `/`, space,
//!   NUL, `.`, `..`) before anything is sent.
//! - [`index_of`] sends one `RTM_GETLINK` by name; a missing link is `ENODEV` reworded
//!   `no such <what> "name"`.

use linx_netlink_codec::consts::{IFLA_IFNAME, RTM_GETLINK};
use linx_netlink_codec::{
    AttrWriter, Call, Errno, FixedHeader, MsgView, Request, Transport, nl_header,
};

use crate::error::{Error, no_such};

/// `IFNAMSIZ`: interface names are at most 15 bytes plus NUL.
pub const IFNAMSIZ: usize = 16;

nl_header! {
    /// `struct ifinfomsg` (`<linux/rtnetlink.h>`).
    pub struct IfInfoMsg[16] {
        /// `ifi_family`: `AF_UNSPEC` for links.
        pub family: u8 [0] ne,
        /// `ifi_type`: `ARPHRD_*` device type.
        pub link_type: u16 [2] ne,
        /// `ifi_index`: interface index (0 = look up by name).
        pub index: i32 [4] ne,
        /// `ifi_flags`: `IFF_*` flags.
        pub flags: u32 [8] ne,
        /// `ifi_change`: which flags a request changes.
        pub change: u32 [12] ne,
    }
}

/// An `ifinfomsg` header for `index` with `flags` / `change`, as a payload to extend.
pub(crate) fn header(index: u32, flags: u32, change: u32) -> Vec<u8> {
    let mut b = vec![0u8; IfInfoMsg::LEN];
    IfInfoMsg {
        index: index as i32,
        flags,
        change,
        ..Default::default()
    }
    .emit(&mut b);
    b
}

/// Check an interface name the way the kernel will (`dev_valid_name`).
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty()
        || name.len() >= IFNAMSIZ
        || name.contains(['/', ' ', '\0'])
        || name == "."
        || name == ".."
    {
        return Err(Error::BadOption {
            name: "interface name",
            value: format!("{name:?} (1 to 15 bytes, no '/', space or NUL)"),
        });
    }
    Ok(())
}

/// A link request of `kind` naming the link by `IFLA_IFNAME` (index 0).
pub(crate) fn by_name(kind: u16, flags: u16, name: &str) -> Result<Request, Error> {
    check_name(name)?;
    let mut p = header(0, 0, 0);
    AttrWriter::new(&mut p).put_str(IFLA_IFNAME, name)?;
    Ok(Request::new(kind, flags, p).with_header_len(IfInfoMsg::LEN))
}

/// Resolve a link name to its index; `what` names the role for the error text.
pub(crate) async fn index_of<S: Transport>(sock: &S, name: &str, what: &str) -> Result<u32, Error> {
    let req = by_name(RTM_GETLINK, 0, name)?;
    let call = Call::new(req, |m: &MsgView<'_>| {
        IfInfoMsg::parse(m.payload()).map(|h| h.index as u32)
    });
    match sock.single(call).await {
        Ok(Some(i)) => Ok(i),
        Ok(None) => Err(no_such(
            Error::Netlink(linx_netlink_codec::NetlinkError::new(Errno::ENODEV)),
            what,
            name,
        )),
        Err(e) => Err(no_such(e.into(), what, name)),
    }
}
