//! The request bytes of the address verbs, built by pure functions (tested without a
//! kernel against what iproute2 sends), and the dump calls.
//!
//! # Contract
//! - The options are checked before any byte is built ([`AddrOptions`]).
//! - `IFA_LOCAL` and `IFA_ADDRESS` both carry the address; header flags up to `0xff` ride
//!   the header byte, larger sets `IFA_FLAGS`; lifetimes ride `IFA_CACHEINFO`.
//! - The header is written by [`IfAddrMsg`]'s generated writer.

use linx_ip::{Family, Subnet};
use linx_netlink_codec::consts::*;
use linx_netlink_codec::{AttrWriter, Call, DecodeError, FixedHeader, MsgView, Request};

use super::message::{
    Address, IFA_ADDRESS, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_LABEL, IFA_LOCAL, IfAddrMsg,
};
use super::spec::AddrOptions;
use super::types::{AddrScope, CacheInfo};
use crate::error::Error;

/// An `RTM_NEWADDR` with `NLM_F_CREATE | extra` for `addr` on link `index`.
fn new_request(index: u32, addr: Subnet, opts: &AddrOptions, extra: u16) -> Result<Request, Error> {
    opts.check(&addr)?;
    let ip = addr.address();
    // iproute2's rule: flags that fit the header byte go there, larger sets in IFA_FLAGS
    // (the kernel takes IFA_FLAGS over the byte when present).
    let bits = opts.flags.bits();
    let header_flags = u8::try_from(bits).unwrap_or(0);
    let mut p = header(
        ip.family(),
        addr.prefix(),
        header_flags,
        opts.scope.unwrap_or_default(),
        index,
    );
    let mut w = AttrWriter::new(&mut p);
    w.put(IFA_LOCAL, ip.as_bytes())?;
    if let Some(l) = &opts.label {
        w.put_str(IFA_LABEL, l)?;
    }
    if let Some(Ok(b)) = &opts.broadcast {
        w.put(IFA_BROADCAST, b.as_bytes())?;
    }
    if bits > 0xff {
        w.put_u32(IFA_FLAGS, bits)?;
    }
    w.put(IFA_ADDRESS, ip.as_bytes())?;
    if let Some((valid, preferred)) = opts.lifetimes_resolved() {
        let c = CacheInfo {
            preferred,
            valid,
            ..Default::default()
        };
        w.put(IFA_CACHEINFO, &c.to_bytes())?;
    }
    Ok(Request::new(RTM_NEWADDR, NLM_F_CREATE | extra, p).with_header_len(IfAddrMsg::LEN))
}

fn header(family: Family, prefix: u8, flags: u8, scope: AddrScope, index: u32) -> Vec<u8> {
    let mut b = vec![0u8; IfAddrMsg::LEN];
    IfAddrMsg {
        family: family.af(),
        prefix_len: prefix,
        flags,
        scope: scope.into(),
        index,
    }
    .emit(&mut b);
    b
}

/// The request [`add`](super::add) sends: `RTM_NEWADDR` with `NLM_F_CREATE | NLM_F_EXCL` for `addr` on
/// link `index`, `IFA_LOCAL` and `IFA_ADDRESS` both set to the address (as iproute2 does).
/// The driver adds `NLM_F_ACK`.
///
/// ```
/// use linx_rtnl::addr::{AddrOptions, add_request};
/// let req = add_request(3, "10.0.0.1/24".parse().unwrap(), &AddrOptions::new())?;
/// # #[cfg(target_endian = "little")]
/// assert_eq!(&req.payload()[..8], &[2, 24, 0, 0, 3, 0, 0, 0]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(index: u32, addr: Subnet, opts: &AddrOptions) -> Result<Request, Error> {
    new_request(index, addr, opts, NLM_F_EXCL)
}

/// The request [`replace`](super::replace) sends: like [`add_request`] with `NLM_F_CREATE | NLM_F_REPLACE`.
///
/// ```
/// use linx_netlink_codec::consts::*;
/// use linx_rtnl::addr::{AddrOptions, replace_request};
/// let req = replace_request(3, "10.0.0.1/24".parse().unwrap(), &AddrOptions::new())?;
/// assert_eq!(req.flags(), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn replace_request(index: u32, addr: Subnet, opts: &AddrOptions) -> Result<Request, Error> {
    new_request(index, addr, opts, NLM_F_REPLACE)
}

/// The request [`delete`](super::delete) sends: `RTM_DELADDR` for `addr` (address and prefix must match)
/// on link `index`.
///
/// ```
/// use linx_rtnl::addr::delete_request;
/// let req = delete_request(3, "fd00::1/64".parse().unwrap())?;
/// assert_eq!(&req.payload()[..2], &[10, 64][..]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(index: u32, addr: Subnet) -> Result<Request, Error> {
    let ip = addr.address();
    let mut p = header(ip.family(), addr.prefix(), 0, AddrScope::Universe, index);
    let mut w = AttrWriter::new(&mut p);
    w.put(IFA_LOCAL, ip.as_bytes())?;
    w.put(IFA_ADDRESS, ip.as_bytes())?;
    Ok(Request::new(RTM_DELADDR, 0, p).with_header_len(IfAddrMsg::LEN))
}

/// The decoder of address dumps ([`Address::from_msg`]).
///
/// ```
/// let d: linx_rtnl::addr::AddrDecoder = linx_rtnl::addr::Address::from_msg;
/// ```
pub type AddrDecoder = fn(&MsgView<'_>) -> Result<Address, DecodeError>;

/// The call behind [`list`](super::list): an `RTM_GETADDR` dump of both families, decoded into
/// [`Address`]es. Use it to stream ([`Call::stream`]) instead of collecting.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::addr::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<AddrDecoder> {
    list_link_call(0)
}

/// The call behind [`list_link`](super::list_link): an `RTM_GETADDR` dump whose header names link `index`
/// (0 = all links). With strict checking (which [`open`](crate::open) enables) the kernel
/// sends only that link's addresses; without it, every address, so filter on
/// [`Address::index`] when streaming.
///
/// ```
/// let call = linx_rtnl::addr::list_link_call(2);
/// # #[cfg(target_endian = "little")]
/// assert_eq!(call.request.payload(), &[0, 0, 0, 0, 2, 0, 0, 0]);
/// ```
pub fn list_link_call(index: u32) -> Call<AddrDecoder> {
    let mut p = vec![0u8; IfAddrMsg::LEN];
    IfAddrMsg {
        index,
        ..Default::default()
    }
    .emit(&mut p);
    Call::new(
        Request::dump(RTM_GETADDR, p).with_header_len(IfAddrMsg::LEN),
        Address::from_msg as AddrDecoder,
    )
}
