//! nfnetlink (`NETLINK_NETFILTER`) transport for Linx: subsystem multiplexing, `nfgenmsg`,
//! atomic batch transactions and `GETGEN`.
//!
//! nfnetlink multiplexes several subsystems (nf_tables, conntrack, NFLOG, ...) over one
//! protocol: the message type is `subsys << 8 | op`, and every message starts with a 4-byte
//! [`NfGenMsg`]. nf_tables changes are made in **batches**: `BATCH_BEGIN`, the messages,
//! `BATCH_END`, in one datagram, applied atomically or not at all ([`batch`]).
//!
//! The main types are re-exported here: [`Batch`], [`Gen`], [`Error`] and its [`Refusal`].
//!
//! ```no_run
//! use linx_nfnl::generation;
//!
//! let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
//! let g = generation::get(&sock)?;
//! println!("ruleset generation {}", g.id);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Contract
//! - Values in nfnetlink attributes are big-endian (`NLA_F_NET_BYTEORDER` style), except
//!   where a subsystem says otherwise; [`NfGenMsg::res_id`] is big-endian on the wire.
//! - No socket or framing code lives here (see `linx-netlink-sys`, `linx-netlink-codec`).
//!   No `unsafe`.
#![forbid(unsafe_code)]

use linx_netlink_codec::nl_header;
use linx_netlink_sys::{Netns, Socket};

pub mod batch;
pub mod error;
pub mod generation;

pub use batch::Batch;
pub use error::{Error, Refusal};
pub use generation::Gen;

/// The netlink protocol number this crate speaks (`NETLINK_NETFILTER`, `<linux/netlink.h>`).
pub const PROTOCOL: i32 = linx_netlink_codec::consts::NETLINK_NETFILTER;

/// `NFNETLINK_V0`: the only nfgenmsg version.
pub const NFNETLINK_V0: u8 = 0;

/// nfnetlink subsystem ids (`NFNL_SUBSYS_*`, `<linux/netfilter/nfnetlink.h>`).
pub mod subsys {
    /// `NFNL_SUBSYS_NONE`.
    pub const NONE: u8 = 0;
    /// `NFNL_SUBSYS_CTNETLINK`: conntrack.
    pub const CTNETLINK: u8 = 1;
    /// `NFNL_SUBSYS_CTNETLINK_EXP`: conntrack expectations.
    pub const CTNETLINK_EXP: u8 = 2;
    /// `NFNL_SUBSYS_QUEUE`: NFQUEUE.
    pub const QUEUE: u8 = 3;
    /// `NFNL_SUBSYS_ULOG`: NFLOG.
    pub const ULOG: u8 = 4;
    /// `NFNL_SUBSYS_OSF`.
    pub const OSF: u8 = 5;
    /// `NFNL_SUBSYS_IPSET`.
    pub const IPSET: u8 = 6;
    /// `NFNL_SUBSYS_ACCT`.
    pub const ACCT: u8 = 7;
    /// `NFNL_SUBSYS_CTNETLINK_TIMEOUT`.
    pub const CT_TIMEOUT: u8 = 8;
    /// `NFNL_SUBSYS_CTHELPER`.
    pub const CTHELPER: u8 = 9;
    /// `NFNL_SUBSYS_NFTABLES`.
    pub const NFTABLES: u8 = 10;
    /// `NFNL_SUBSYS_NFT_COMPAT`.
    pub const NFT_COMPAT: u8 = 11;
    /// `NFNL_SUBSYS_HOOK`.
    pub const HOOK: u8 = 12;
}

/// `NFNL_MSG_BATCH_BEGIN`: opens a batch (a global type, not per subsystem).
pub const NFNL_MSG_BATCH_BEGIN: u16 = 0x10;
/// `NFNL_MSG_BATCH_END`: closes and commits a batch.
pub const NFNL_MSG_BATCH_END: u16 = 0x11;
/// `NFNL_BATCH_GENID`: attribute of `BATCH_BEGIN`; the commit fails with `ERESTART` if the
/// ruleset generation is not this one (u32, big-endian).
pub const NFNL_BATCH_GENID: u16 = 1;
/// `NFNLGRP_NFTABLES`: multicast group of nf_tables ruleset events.
pub const NFNLGRP_NFTABLES: u32 = 7;

/// nf_tables message ops (`enum nf_tables_msg_types`, `<linux/netfilter/nf_tables.h>`).
#[allow(missing_docs)]
pub mod nft_msg {
    pub const NEWTABLE: u8 = 0;
    pub const GETTABLE: u8 = 1;
    pub const DELTABLE: u8 = 2;
    pub const NEWCHAIN: u8 = 3;
    pub const GETCHAIN: u8 = 4;
    pub const DELCHAIN: u8 = 5;
    pub const NEWRULE: u8 = 6;
    pub const GETRULE: u8 = 7;
    pub const DELRULE: u8 = 8;
    pub const NEWSET: u8 = 9;
    pub const GETSET: u8 = 10;
    pub const DELSET: u8 = 11;
    pub const NEWSETELEM: u8 = 12;
    pub const GETSETELEM: u8 = 13;
    pub const DELSETELEM: u8 = 14;
    pub const NEWGEN: u8 = 15;
    pub const GETGEN: u8 = 16;
    pub const TRACE: u8 = 17;
    pub const NEWOBJ: u8 = 18;
    pub const GETOBJ: u8 = 19;
    pub const DELOBJ: u8 = 20;
    pub const GETOBJ_RESET: u8 = 21;
    pub const NEWFLOWTABLE: u8 = 22;
    pub const GETFLOWTABLE: u8 = 23;
    pub const DELFLOWTABLE: u8 = 24;
    pub const GETRULE_RESET: u8 = 25;
    pub const DESTROYTABLE: u8 = 26;
    pub const DESTROYCHAIN: u8 = 27;
    pub const DESTROYRULE: u8 = 28;
    pub const DESTROYSET: u8 = 29;
    pub const DESTROYSETELEM: u8 = 30;
    pub const DESTROYOBJ: u8 = 31;
    pub const DESTROYFLOWTABLE: u8 = 32;
    pub const GETSETELEM_RESET: u8 = 33;
}

/// Netfilter protocol families (`NFPROTO_*`, `<linux/netfilter.h>`) used in
/// [`NfGenMsg::family`].
pub mod family {
    /// `NFPROTO_UNSPEC`.
    pub const UNSPEC: u8 = 0;
    /// `NFPROTO_INET`: IPv4 and IPv6.
    pub const INET: u8 = 1;
    /// `NFPROTO_IPV4`.
    pub const IPV4: u8 = 2;
    /// `NFPROTO_ARP`.
    pub const ARP: u8 = 3;
    /// `NFPROTO_NETDEV`.
    pub const NETDEV: u8 = 5;
    /// `NFPROTO_BRIDGE`.
    pub const BRIDGE: u8 = 7;
    /// `NFPROTO_IPV6`.
    pub const IPV6: u8 = 10;
}

nl_header! {
    /// `struct nfgenmsg` (`<linux/netfilter/nfnetlink.h>`): the header of every nfnetlink
    /// message.
    ///
    /// ```text
    ///  0        1         2                 4
    /// +--------+---------+-----------------+
    /// | family | version | res_id (BE u16) |
    /// +--------+---------+-----------------+
    /// ```
    pub struct NfGenMsg[4] {
        /// `nfgen_family`: an `NFPROTO_*` value.
        pub family: u8 [0] ne,
        /// `version`: [`NFNETLINK_V0`].
        pub version: u8 [1] ne,
        /// `res_id`: resource id (batch target subsystem, NFLOG group), big-endian.
        pub res_id: u16 [2] be,
    }
}

impl NfGenMsg {
    /// A header for `family` with version 0 and `res_id` 0.
    ///
    /// ```
    /// let h = linx_nfnl::NfGenMsg::new(linx_nfnl::family::INET);
    /// assert_eq!((h.family, h.version, h.res_id), (1, 0, 0));
    /// ```
    #[inline]
    pub fn new(family: u8) -> Self {
        NfGenMsg {
            family,
            version: NFNETLINK_V0,
            res_id: 0,
        }
    }

    /// The 4 encoded bytes.
    ///
    /// ```
    /// let h = linx_nfnl::NfGenMsg { family: 0, version: 0, res_id: 10 };
    /// assert_eq!(h.to_bytes(), [0, 0, 0, 10]);
    /// ```
    #[inline]
    pub fn to_bytes(&self) -> [u8; 4] {
        let mut b = [0u8; 4];
        self.write(&mut b);
        b
    }
}

/// The nlmsghdr type of `op` in subsystem `subsys`: `subsys << 8 | op`.
///
/// ```
/// use linx_nfnl::{msg_type, split_type, subsys, nft_msg};
/// assert_eq!(msg_type(subsys::NFTABLES, nft_msg::GETGEN), 0x0a10);
/// assert_eq!(split_type(0x0a10), (10, 16));
/// ```
pub const fn msg_type(subsys: u8, op: u8) -> u16 {
    (subsys as u16) << 8 | op as u16
}

/// Split an nlmsghdr type into (subsystem, op).
pub const fn split_type(kind: u16) -> (u8, u8) {
    ((kind >> 8) as u8, kind as u8)
}

/// Open an nfnetlink socket in `netns` (extended ACK on, ACKs capped to the header so large
/// batches do not echo themselves back).
///
/// ```no_run
/// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
/// # Ok::<(), linx_netlink_sys::Error>(())
/// ```
pub fn open(netns: Netns) -> Result<Socket, linx_netlink_sys::Error> {
    let sock = Socket::open(PROTOCOL, netns)?;
    let _ = sock.set_cap_ack(true);
    Ok(sock)
}

/// Open a tokio nfnetlink socket (feature `tokio`; call inside a runtime).
///
/// ```no_run
/// # fn f() -> Result<(), linx_netlink_sys::Error> {
/// let sock = linx_nfnl::open_async(linx_netlink_sys::Netns::Host)?;
/// # Ok(()) }
/// ```
#[cfg(feature = "tokio")]
pub fn open_async(netns: Netns) -> Result<linx_netlink_sys::AsyncSocket, linx_netlink_sys::Error> {
    linx_netlink_sys::AsyncSocket::new(open(netns)?)
}

/// Whether an nfnetlink socket can be opened at all (no privilege check).
///
/// ```no_run
/// assert!(linx_nfnl::supported());
/// ```
pub fn supported() -> bool {
    Socket::open(PROTOCOL, Netns::Host).is_ok()
}
