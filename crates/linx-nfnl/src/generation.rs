//! `GETGEN`: the ruleset generation, the counter every nf_tables commit bumps.
//!
//! Read it before pulling a ruleset and pass it to
//! [`Batch::with_genid`](crate::batch::Batch::with_genid) to make a read-modify-write atomic.
//!
//! # Contract
//! Reply attributes are big-endian (`NFTA_GEN_ID`, `NFTA_GEN_PROC_PID`) or a string
//! (`NFTA_GEN_PROC_NAME`); unknown attributes are ignored. Needs `CAP_NET_ADMIN` on current
//! kernels.

use linx_netlink_codec::{AttrIter, AttrValue, Be32, Call, DecodeError, MsgView, Request};

use crate::error::Error;
use crate::{NfGenMsg, family, msg_type, nft_msg, subsys};

/// `NFTA_GEN_ID`.
pub const NFTA_GEN_ID: u16 = 1;
/// `NFTA_GEN_PROC_PID`.
pub const NFTA_GEN_PROC_PID: u16 = 2;
/// `NFTA_GEN_PROC_NAME`.
pub const NFTA_GEN_PROC_NAME: u16 = 3;

/// The ruleset generation and who made it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gen {
    /// `NFTA_GEN_ID`.
    pub id: u32,
    /// `NFTA_GEN_PROC_PID`: the process that committed it, if reported.
    pub proc_pid: Option<u32>,
    /// `NFTA_GEN_PROC_NAME`.
    pub proc_name: Option<String>,
}

impl Gen {
    /// Decode a `NEWGEN` payload (after `nlmsghdr`).
    ///
    /// ```
    /// let mut p = vec![0u8, 0, 0, 0];
    /// p.extend_from_slice(&[8, 0, 1, 0, 0, 0, 0, 42]); // NFTA_GEN_ID 42 (BE)
    /// assert_eq!(linx_nfnl::generation::Gen::parse(&p).unwrap().id, 42);
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Gen, DecodeError> {
        if payload.len() < 4 {
            return Err(DecodeError::truncated("nfgenmsg", 0, 4, payload.len()));
        }
        let mut g = Gen::default();
        let mut id = None;
        for a in AttrIter::new(&payload[4..]) {
            let a = a?;
            let at = |e: DecodeError| e.within(a.kind(), 4 + a.offset() + 4);
            match a.kind() {
                NFTA_GEN_ID => id = Some(Be32::parse_value(a.payload()).map_err(at)?.0),
                NFTA_GEN_PROC_PID => {
                    g.proc_pid = Some(Be32::parse_value(a.payload()).map_err(at)?.0)
                }
                NFTA_GEN_PROC_NAME => {
                    g.proc_name = Some(String::parse_value(a.payload()).map_err(at)?)
                }
                _ => {}
            }
        }
        g.id = id.ok_or(DecodeError::new(
            linx_netlink_codec::DecodeErrorKind::InvalidValue,
            "NFTA_GEN_ID missing",
            4,
        ))?;
        Ok(g)
    }
}

/// The `GETGEN` request.
///
/// ```
/// let r = linx_nfnl::generation::request();
/// assert_eq!(r.kind(), 0x0a10);
/// ```
pub fn request() -> Request {
    Request::new(
        msg_type(subsys::NFTABLES, nft_msg::GETGEN),
        0,
        NfGenMsg::new(family::UNSPEC).to_bytes().to_vec(),
    )
    .with_header_len(4)
}

linx_netlink_codec::verb! {
    error = Error;
    /// The current ruleset generation of the socket's namespace.
    ///
    /// ```no_run
    /// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
    /// println!("{}", linx_nfnl::generation::get(&sock)?.id);
    /// # Ok::<(), linx_nfnl::Error>(())
    /// ```
    pub fn get(sock) -> Gen {
        get_on(sock).await
    }
}

/// [`get`] inside another verb's body (any transport, awaited there).
pub(crate) async fn get_on<S: linx_netlink_codec::Transport>(sock: &S) -> Result<Gen, Error> {
    let call = Call::new(request(), |m: &MsgView<'_>| Gen::parse(m.payload()));
    sock.single(call).await?.ok_or(Error::EmptyReply("GETGEN"))
}
