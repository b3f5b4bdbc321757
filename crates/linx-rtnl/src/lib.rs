//! rtnetlink (`NETLINK_ROUTE`) verbs for Linx: links, addresses, routes, neighbours, rules and
//! link statistics.
//!
//! This crate is a placeholder in the foundation release: its verbs arrive with their own issue.
//! It exists now so the workspace layering (`linx-netlink-sys` → `linx-netlink-codec` → family
//! crates) is fixed and checked from the start.
//!
//! # Contract
//! - No socket or framing code lives here: sockets come from `linx-netlink-sys`, framing and
//!   the request engine from `linx-netlink-codec`.
//! - No `unsafe` code.
#![forbid(unsafe_code)]

/// The netlink protocol number this crate speaks (`NETLINK_ROUTE`, `<linux/netlink.h>`).
pub const PROTOCOL: i32 = linx_netlink_codec::consts::NETLINK_ROUTE;
