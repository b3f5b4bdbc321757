//! The request bytes of the neighbour verbs, built by pure functions (tested without a
//! kernel against what iproute2 sends), and the dump calls.
//!
//! # Contract
//! - The state is checked before any byte is built: exactly one NUD state, else
//!   [`Error::BadOption`].
//! - The header is written by [`NdMsg`]'s generated writer.

use linx_ip::{Ip, Mac};
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{AttrWriter, Call, DecodeError, FixedHeader, MsgView, Request};

use super::message::{NDA_DST, NDA_IFINDEX, NDA_LLADDR, NdMsg, Neighbour};
use super::types::{NudState, RTN_UNICAST};
use crate::error::Error;

fn header(family: u8, index: u32, state: NudState, ndm_type: u8) -> Vec<u8> {
    let mut b = vec![0u8; NdMsg::LEN];
    NdMsg {
        family,
        ifindex: index as i32,
        state: state.bits(),
        flags: 0,
        ndm_type,
    }
    .emit(&mut b);
    b
}

/// `state` is exactly one NUD state, else [`Error::BadOption`].
pub(super) fn check_state(state: NudState) -> Result<(), Error> {
    if state.is_single() {
        return Ok(());
    }
    Err(Error::BadOption {
        name: "neighbour state",
        value: format!("{state} (must be exactly one NUD state)"),
    })
}

fn new_request(
    index: u32,
    ip: Ip,
    mac: Mac,
    state: NudState,
    extra: u16,
) -> Result<Request, Error> {
    check_state(state)?;
    let mut p = header(ip.family().af(), index, state, RTN_UNICAST);
    let mut w = AttrWriter::new(&mut p);
    w.put(NDA_DST, ip.as_bytes())?;
    w.put(NDA_LLADDR, mac.as_bytes())?;
    Ok(Request::new(RTM_NEWNEIGH, NLM_F_CREATE | extra, p).with_header_len(NdMsg::LEN))
}

/// The request [`add`](super::add) sends: `RTM_NEWNEIGH` with `NLM_F_CREATE | NLM_F_EXCL`, state
/// `NUD_PERMANENT`, type `RTN_UNICAST`, `NDA_DST` and `NDA_LLADDR`. The driver adds
/// `NLM_F_ACK`.
///
/// ```
/// use linx_rtnl::neigh::add_request;
/// let req = add_request(3, "10.0.0.9".parse().unwrap(), "02:00:00:00:00:09".parse().unwrap())?;
/// assert_eq!(req.payload().len(), 12 + 8 + 12);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(index: u32, ip: Ip, mac: Mac) -> Result<Request, Error> {
    new_request(index, ip, mac, NudState::PERMANENT, NLM_F_EXCL)
}

/// The request [`replace`](super::replace) sends: like [`add_request`] with `NLM_F_CREATE | NLM_F_REPLACE`
/// and `state`, which must be exactly one NUD state ([`NudState::is_single`]).
///
/// ```
/// use linx_rtnl::neigh::{NudState, replace_request};
/// let (ip, mac) = ("10.0.0.9".parse().unwrap(), "02:00:00:00:00:09".parse().unwrap());
/// assert!(replace_request(3, ip, mac, NudState::STALE).is_ok());
/// assert!(replace_request(3, ip, mac, NudState::NONE).is_err());
/// ```
pub fn replace_request(index: u32, ip: Ip, mac: Mac, state: NudState) -> Result<Request, Error> {
    new_request(index, ip, mac, state, NLM_F_REPLACE)
}

/// The request [`delete`](super::delete) sends: `RTM_DELNEIGH` with `NDA_DST` on link `index` (the header
/// is iproute2's, state `NUD_PERMANENT`, which the kernel ignores on delete).
///
/// ```
/// let req = linx_rtnl::neigh::delete_request(3, "fd00::9".parse().unwrap())?;
/// assert_eq!(req.payload()[0], 10);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(index: u32, ip: Ip) -> Result<Request, Error> {
    let mut p = header(ip.family().af(), index, NudState::PERMANENT, 0);
    AttrWriter::new(&mut p).put(NDA_DST, ip.as_bytes())?;
    Ok(Request::new(RTM_DELNEIGH, 0, p).with_header_len(NdMsg::LEN))
}

/// The decoder of neighbour dumps ([`Neighbour::from_msg`]).
///
/// ```
/// let d: linx_rtnl::neigh::NeighDecoder = linx_rtnl::neigh::Neighbour::from_msg;
/// ```
pub type NeighDecoder = fn(&MsgView<'_>) -> Result<Neighbour, DecodeError>;

/// The call behind [`list`](super::list): an `RTM_GETNEIGH` dump of the ARP and NDP tables, decoded into
/// [`Neighbour`]s. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::neigh::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<NeighDecoder> {
    Call::new(
        Request::dump(RTM_GETNEIGH, vec![0u8; NdMsg::LEN]).with_header_len(NdMsg::LEN),
        Neighbour::from_msg as NeighDecoder,
    )
}

/// The call behind [`list_link`](super::list_link): an `RTM_GETNEIGH` dump with `NDA_IFINDEX`, which the
/// kernel filters on (as `ip neigh show dev x` does). Filter on [`Neighbour::index`] too when
/// streaming from kernels that ignore it.
///
/// ```
/// let call = linx_rtnl::neigh::list_link_call(3);
/// assert_eq!(call.request.payload().len(), 12 + 8);
/// ```
pub fn list_link_call(index: u32) -> Call<NeighDecoder> {
    let mut p = vec![0u8; NdMsg::LEN];
    // Cannot fail: a 4-byte attribute.
    let _ = AttrWriter::new(&mut p).put_u32(NDA_IFINDEX, index);
    Call::new(
        Request::dump(RTM_GETNEIGH, p).with_header_len(NdMsg::LEN),
        Neighbour::from_msg as NeighDecoder,
    )
}
