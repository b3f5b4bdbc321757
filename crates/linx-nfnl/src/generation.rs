//! `GETGEN`: the ruleset generation, the counter every nf_tables commit bumps.
//!
//! Read it before pulling a ruleset and pass it to
//! [`Batch::with_genid`](crate::batch::Batch::with_genid) to make a read-modify-write atomic.
//!
//! # Contract
//! Reply attributes are big-endian (`NFTA_GEN_ID`, `NFTA_GEN_PROC_PID`) or a string
//! (`NFTA_GEN_PROC_NAME`), declared once with the codec's
//! [`typed_attrs!`](linx_netlink_codec::typed_attrs); unknown (and repeated) attributes are
//! ignored. `NFTA_GEN_ID` is required. Needs `CAP_NET_ADMIN` on current kernels.

use linx_netlink_codec::{
    Be32, Call, DecodeCx, DecodeError, MsgView, RawAttrs, Request, WireOrder, typed_attrs,
};

use crate::error::Error;
use crate::{NfGenMsg, family, msg_type, nft_msg, subsys};
use linx_netlink_codec::FixedHeader;

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
        let Some(attrs) = payload.get(NfGenMsg::LEN..) else {
            return Err(DecodeError::truncated("nfgenmsg", 0, 4, payload.len()));
        };
        let a = GenAttrs::with_attrs(
            GenAttrs::default(),
            attrs,
            NfGenMsg::LEN,
            DecodeCx::default(),
        )?;
        let id = a.id.ok_or(DecodeError::new(
            linx_netlink_codec::DecodeErrorKind::InvalidValue,
            "NFTA_GEN_ID missing",
            4,
        ))?;
        Ok(Gen {
            id: id.0,
            proc_pid: a.proc_pid.map(|p| p.0),
            proc_name: a.proc_name,
        })
    }
}

/// The attributes of a `NEWGEN` reply, as declared (the wire form of [`Gen`], whose `id` is
/// required and whose unknown attributes are dropped).
#[derive(Default)]
struct GenAttrs {
    id: Option<Be32>,
    proc_pid: Option<Be32>,
    proc_name: Option<String>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl GenAttrs {
        1: NFTA_GEN_ID => id as Be32,
        2: NFTA_GEN_PROC_PID => proc_pid as Be32,
        3: NFTA_GEN_PROC_NAME => proc_name as String,
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

/// [`get`] inside another verb's body (any transport, awaited there): what the nf_tables
/// reconcile and the monitor's snapshot read around their pulls.
pub async fn get_on<S: linx_netlink_codec::Transport>(sock: &S) -> Result<Gen, Error> {
    let call = Call::new(request(), |m: &MsgView<'_>| Gen::parse(m.payload()));
    sock.single(call).await?.ok_or(Error::EmptyReply("GETGEN"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_attributes_are_ignored_and_the_id_is_required() {
        let mut p = vec![0u8; 4];
        p.extend_from_slice(&[8, 0, 9, 0, 1, 2, 3, 4]); // unknown
        p.extend_from_slice(&[8, 0, 1, 0, 0, 0, 1, 0]); // NFTA_GEN_ID 256
        assert_eq!(
            Gen::parse(&p).unwrap(),
            Gen {
                id: 256,
                ..Gen::default()
            }
        );
        assert!(Gen::parse(&p[..12]).is_err());
        assert!(Gen::parse(&p[..3]).is_err());
        // A bad NFTA_GEN_ID is located at its payload (offsets count from the nfgenmsg).
        let bad = [0, 0, 0, 0, 6, 0, 1, 0, 0, 1, 0, 0];
        let e = Gen::parse(&bad).unwrap_err();
        assert_eq!(e.offset, 8);
    }
}
