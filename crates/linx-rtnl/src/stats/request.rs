//! The request bytes of the statistics verbs: `RTM_GETSTATS` for one link or a dump of
//! every link, asking for `IFLA_STATS_LINK_64`.
//!
//! # Contract
//! - The header is written by [`IfStatsMsg`]'s generated writer; pads are zero (strict
//!   checking refuses anything else).

use linx_netlink_codec::consts::*;
use linx_netlink_codec::{Call, DecodeError, FixedHeader, MsgView, Request};

use super::message::{IFLA_STATS_LINK_64, IfStatsMsg, Stats, filter_bit};

/// The decoder of [`get_call`] and [`list_call`].
type Decode = fn(&MsgView<'_>) -> Result<Stats, DecodeError>;

fn header(ifindex: u32) -> Vec<u8> {
    let mut p = vec![0u8; IfStatsMsg::LEN];
    IfStatsMsg {
        ifindex,
        filter_mask: filter_bit(IFLA_STATS_LINK_64),
        ..Default::default()
    }
    .emit(&mut p);
    p
}

/// The call behind [`get`](super::get), by index: an `RTM_GETSTATS` for link `ifindex` asking for
/// `IFLA_STATS_LINK_64`. The kernel answers one `RTM_NEWSTATS`, or `ENODEV`.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// let lo = linx_rtnl::stats::get_call(1).single(&sock)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn get_call(ifindex: u32) -> Call<Decode> {
    Call::new(
        Request::new(RTM_GETSTATS, 0, header(ifindex)).with_header_len(IfStatsMsg::LEN),
        Stats::from_msg as Decode,
    )
}

/// The call behind [`list`](super::list): an `RTM_GETSTATS` dump asking for `IFLA_STATS_LINK_64` of every
/// link. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::stats::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<Decode> {
    Call::new(
        Request::dump(RTM_GETSTATS, header(0)).with_header_len(IfStatsMsg::LEN),
        Stats::from_msg as Decode,
    )
}
