//! Link statistics: the 64-bit counters of one link or of every link (`RTM_GETSTATS`).
//!
//! Why a module of its own: `RTM_GETSTATS` (kernel 4.7+) returns only the counters asked for,
//! selected by a filter mask, instead of the whole link description `RTM_GETLINK` carries. This
//! module asks for `IFLA_STATS_LINK_64`, the kernel's `struct rtnl_link_stats64`.
//!
//! A reply (`RTM_NEWSTATS`) is a `struct if_stats_msg` followed by `IFLA_STATS_*` attributes:
//!
//! ```text
//!  0      1      2          4              8                  12
//! +------+------+----------+--------------+------------------+-------------------+
//! |family| pad1 | pad2 u16 | ifindex u32  | filter_mask u32  | IFLA_STATS_* ...  |
//! +------+------+----------+--------------+------------------+-------------------+
//!
//! IFLA_STATS_LINK_64 (type 1) payload, struct rtnl_link_stats64, 8 bytes per counter:
//!   0 rx_packets        8 tx_packets       16 rx_bytes          24 tx_bytes
//!  32 rx_errors        40 tx_errors        48 rx_dropped        56 tx_dropped
//!  64 multicast        72 collisions       80 rx_length_errors  88 rx_over_errors
//!  96 rx_crc_errors   104 rx_frame_errors 112 rx_fifo_errors   120 rx_missed_errors
//! 128 tx_aborted_errors 136 tx_carrier_errors 144 tx_fifo_errors 152 tx_heartbeat_errors
//! 160 tx_window_errors 168 rx_compressed  176 tx_compressed    184 rx_nohandler
//! 192 rx_otherhost_dropped (kernel 5.19+)  200 ... (fields of later kernels)
//!   all host order (<linux/rtnetlink.h>, <linux/if_link.h>)
//! ```
//!
//! ```no_run
//! let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
//! let lo = linx_rtnl::stats::get(&sock, "lo")?;
//! println!("{lo}"); // Stats<dev 1 rx 10 pkts 840 B tx 10 pkts 840 B>
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Contract
//! - Both layouts of `struct rtnl_link_stats64` decode: 24 counters (kernels 4.7 to 5.18;
//!   `RTM_GETSTATS` is younger than `rx_nohandler`, so no kernel sends fewer) and 25 with
//!   `rx_otherhost_dropped` (5.19+). Longer structs from later kernels decode too: the bytes
//!   past the known counters are kept in [`LinkStats64::tail`] and re-emitted unchanged. A
//!   payload shorter than 24 counters is a
//!   [`DecodeError`](linx_netlink_codec::DecodeError), never a panic.
//! - Lossless: `emit(parse(bytes)) == bytes` for every reply a kernel sends. The header's
//!   `filter_mask` is kept; attributes other than the first `IFLA_STATS_LINK_64` stay in
//!   [`Stats::other`] as wire bytes, the order of arrival in [`Stats::wire_order`].
//! - [`get`] resolves the name first (`RTM_GETLINK`), then asks for that index; a missing
//!   link reads `no such interface "x"`. [`list`] is one dump and covers every link.
//! - Counters are read atomically per link by the kernel, not across links.
//!
//! # See also
//! rtnetlink(7), ip-stats(8), ip-link(8) (`ip -s link`).
//!
//! # Layout
//! One file per concept, everything public re-exported here: `counters` (`struct
//! rtnl_link_stats64`), `message` (the `IFLA_STATS_*` ids, `struct if_stats_msg`, the
//! [`Stats`] declaration, parse and emit), `request` (the calls) and `verbs`.

mod counters;
mod message;
mod request;
mod verbs;

pub use counters::{LINK_STATS64_LEN, LINK_STATS64_MIN_LEN, LinkStats64};
pub use message::{IFLA_STATS_LINK_64, IFLA_STATS_UNSPEC, IfStatsMsg, Stats, filter_bit};
pub use request::{get_call, list_call};
pub use verbs::{get, list};
