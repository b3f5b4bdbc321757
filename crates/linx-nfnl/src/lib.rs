//! nfnetlink (`NETLINK_NETFILTER`) transport for Linx: subsystem multiplexing, `nfgenmsg`,
//! batch transactions and `GETGEN`.
//!
//! This crate is a placeholder in the foundation release: its transport arrives with its own
//! issue. It exists now so the workspace layering is fixed and checked from the start.
//!
//! # Contract
//! - No socket or framing code lives here: sockets come from `linx-netlink-sys`, framing and
//!   the request engine from `linx-netlink-codec`.
//! - No `unsafe` code.
#![forbid(unsafe_code)]

/// The netlink protocol number this crate speaks (`NETLINK_NETFILTER`, `<linux/netlink.h>`).
pub const PROTOCOL: i32 = linx_netlink_codec::consts::NETLINK_NETFILTER;
