//! `RTA_MULTIPATH`: the array of `struct rtnexthop` a multipath route carries, read from an
//! observed route (kept raw in [`Route::other`]) and written for a desired one.
//!
//! ```text
//!  0          2        3       4             8
//! +----------+--------+-------+-------------+------------------------+
//! | len u16  | flags  | hops  | ifindex s32 | RTA_* attrs (gateway)  |
//! +----------+--------+-------+-------------+------------------------+
//!   host order (<linux/rtnetlink.h>); len covers the header and attributes
//! ```
//!
//! # Contract
//! Reading never panics: a malformed array yields the nexthops before the damage (so the
//! route compares unequal and is replaced). Only the gateway (`RTA_GATEWAY`) is typed.

use linx_ip::Ip;
use linx_netlink_codec::{AttrIter, AttrWriter, EncodeError, NlBuffer};

use crate::route::{RTA_GATEWAY, RTA_MULTIPATH, Route};

/// `sizeof(struct rtnexthop)`.
const RTNH_LEN: usize = 8;

/// One nexthop as observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SeenHop {
    pub(crate) gateway: Option<Ip>,
    pub(crate) ifindex: u32,
    pub(crate) hops: u8,
}

/// The nexthops of `r` (empty for a single-path route).
pub(crate) fn hops(r: &Route) -> Vec<SeenHop> {
    let Some(a) = r.other.get(RTA_MULTIPATH) else {
        return Vec::new();
    };
    let mut p = a.payload();
    let mut out = Vec::new();
    while p.len() >= RTNH_LEN {
        let len = usize::from(u16::from_ne_bytes([p[0], p[1]]));
        if len < RTNH_LEN || len > p.len() {
            break;
        }
        let ifindex = u32::from_ne_bytes([p[4], p[5], p[6], p[7]]);
        let gateway = AttrIter::new(&p[RTNH_LEN..len])
            .map_while(Result::ok)
            .find(|x| x.kind() == RTA_GATEWAY)
            .and_then(|x| Ip::from_bytes(x.payload()));
        out.push(SeenHop {
            gateway,
            ifindex,
            hops: p[3],
        });
        let next = (len + 3) & !3;
        p = p.get(next..).unwrap_or(&[]);
    }
    out
}

/// Write `RTA_MULTIPATH` for `hops` (gateway, ifindex, rtnh_hops).
pub(crate) fn put<B: NlBuffer + ?Sized>(
    w: &mut AttrWriter<'_, B>,
    hops: &[(Option<Ip>, u32, u8)],
) -> Result<(), EncodeError> {
    let mut body = Vec::with_capacity(hops.len() * 24);
    for (gw, ifindex, h) in hops {
        let start = body.len();
        body.extend_from_slice(&[0, 0, 0, *h]);
        body.extend_from_slice(&ifindex.to_ne_bytes());
        if let Some(g) = gw {
            AttrWriter::new(&mut body).put(RTA_GATEWAY, g.as_bytes())?;
        }
        let len = (body.len() - start) as u16;
        body[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    }
    w.put(RTA_MULTIPATH, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linx_netlink_codec::RawAttrs;
    use proptest::prelude::*;

    #[test]
    fn written_hops_read_back() {
        let hs = [
            (Some("10.0.0.2".parse().unwrap()), 3, 0),
            (Some("10.0.0.3".parse().unwrap()), 4, 4),
        ];
        let mut buf = Vec::new();
        put(&mut AttrWriter::new(&mut buf), &hs).unwrap();
        let mut r = Route::default();
        r.other.push_run(&buf);
        let got = hops(&r);
        assert_eq!(got.len(), 2);
        assert_eq!((got[1].gateway, got[1].ifindex, got[1].hops), hs[1]);
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..128)) {
            let mut r = Route { other: RawAttrs::default(), ..Default::default() };
            if r.other.push_raw(RTA_MULTIPATH, &b).is_ok() {
                let _ = hops(&r);
            }
        }
    }
}
