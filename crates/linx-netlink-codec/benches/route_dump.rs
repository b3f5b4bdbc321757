//! Decode of a 100k-route dump, generated here the way the kernel frames it: `RTM_NEWROUTE`
//! messages (`rtmsg` + `RTA_TABLE`, `RTA_DST`, `RTA_PRIORITY`, `RTA_GATEWAY`, `RTA_OIF`)
//! packed into 32 KiB datagrams, ending with `NLMSG_DONE`. The datagrams run through the same
//! engine (`Talk`, the exchange every driver runs), so this measures framing + engine + decoding, without the
//! socket. Criterion reports elements/s; ns/route = 1e9 / that.
//!
//! Run: `cargo bench -p linx-netlink-codec --bench route_dump`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use linx_netlink_codec::consts::*;
use linx_netlink_codec::engine::{Exchange, ForEach, Talk};
use linx_netlink_codec::{
    AttrWriter, DecodeCx, DecodeError, FixedHeader, MsgIter, MsgView, MsgWriter, RawAttrs, Request,
    WireOrder, nl_header, typed_attrs,
};

const ROUTES: usize = 100_000;
const DATAGRAM: usize = 32 * 1024;

nl_header! {
    /// `struct rtmsg`.
    pub struct RtMsg[12] {
        /// family
        pub family: u8 [0] ne,
        /// dst_len
        pub dst_len: u8 [1] ne,
        /// src_len
        pub src_len: u8 [2] ne,
        /// tos
        pub tos: u8 [3] ne,
        /// table
        pub table: u8 [4] ne,
        /// protocol
        pub protocol: u8 [5] ne,
        /// scope
        pub scope: u8 [6] ne,
        /// type
        pub kind: u8 [7] ne,
        /// flags
        pub flags: u32 [8] ne,
    }
}

/// A route (subset): the header and five typed attributes, the rest kept raw.
#[derive(Debug, Default)]
#[allow(dead_code)] // decoded for the benchmark, consumed by black_box
pub struct RouteMsg {
    header: RtMsg,
    dst: Option<[u8; 4]>,
    oif: Option<u32>,
    gateway: Option<[u8; 4]>,
    priority: Option<u32>,
    table: Option<u32>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl RouteMsg {
        1: RTA_DST => dst as [u8; 4],
        2: RTA_OIF => oif as u32,
        3: RTA_GATEWAY => gateway as [u8; 4],
        4: 6 => priority as u32, // RTA_PRIORITY
        5: RTA_TABLE => table as u32,
    }
}

impl RouteMsg {
    fn parse(p: &[u8]) -> Result<RouteMsg, DecodeError> {
        let header = RtMsg::parse(p)?;
        let head = RouteMsg {
            header,
            ..Default::default()
        };
        RouteMsg::with_attrs(
            head,
            &p[RtMsg::LEN..],
            RtMsg::LEN,
            DecodeCx::family(header.family),
        )
    }
}

fn capture(seq: u32) -> Vec<Vec<u8>> {
    let mut dgrams = Vec::new();
    let mut cur = Vec::with_capacity(DATAGRAM);
    for i in 0..ROUTES {
        let mut one = Vec::with_capacity(80);
        let mut w = MsgWriter::begin(&mut one, RTM_NEWROUTE, NLM_F_MULTI, seq);
        let h = RtMsg {
            family: AF_INET,
            dst_len: 28,
            table: 100,
            protocol: 3,
            kind: 1,
            ..Default::default()
        };
        h.append(w.buffer());
        let mut a = AttrWriter::new(w.buffer());
        a.put_u32(RTA_TABLE, 100).unwrap();
        a.put(
            RTA_DST,
            &[10, (i >> 12) as u8, (i >> 4) as u8, ((i & 15) << 4) as u8],
        )
        .unwrap();
        a.put_u32(6, 50).unwrap();
        a.put(RTA_GATEWAY, &[192, 0, 2, 2]).unwrap();
        a.put_u32(RTA_OIF, 2).unwrap();
        w.finish().unwrap();
        if cur.len() + one.len() > DATAGRAM {
            dgrams.push(std::mem::take(&mut cur));
        }
        cur.extend_from_slice(&one);
    }
    let mut done = MsgWriter::begin(&mut cur, NLMSG_DONE, NLM_F_MULTI, seq);
    done.put_bytes(&0i32.to_ne_bytes());
    done.finish().unwrap();
    dgrams.push(cur);
    dgrams
}

fn run<T>(
    dgrams: &[Vec<u8>],
    dec: impl FnMut(&MsgView<'_>) -> Result<T, linx_netlink_codec::DecodeError>,
) -> usize {
    let mut n = 0;
    let sink = ForEach::new(|ev| {
        black_box(ev);
        n += 1;
    });
    let mut talk = Talk::new(Request::dump(RTM_GETROUTE, vec![0; 12]), dec, sink);
    let now = Instant::now();
    let _ = talk.poll_transmit(now, &mut || 1);
    for d in dgrams {
        for m in MsgIter::new(d) {
            talk.handle_message(now, &m.expect("framing"))
                .expect("engine");
        }
    }
    assert!(talk.is_finished());
    talk.finish().expect("dump");
    n
}

fn bench(c: &mut Criterion) {
    let dgrams = capture(1);
    let mut g = c.benchmark_group("route_dump_100k");
    g.throughput(Throughput::Elements(ROUTES as u64));
    g.sample_size(20);
    g.bench_function("engine_only", |b| {
        b.iter(|| assert_eq!(run(&dgrams, |m| Ok(m.kind())), ROUTES))
    });
    g.bench_function("zero_copy_fields", |b| {
        b.iter(|| {
            assert_eq!(
                run(&dgrams, |m| {
                    let mut dst = 0u32;
                    for a in m.attrs(12) {
                        let a = a?;
                        if a.kind() == RTA_DST {
                            dst = u32::from_be_bytes(a.payload().try_into().unwrap_or([0; 4]));
                        }
                    }
                    Ok(dst)
                }),
                ROUTES
            )
        })
    });
    g.bench_function("typed_owned", |b| {
        b.iter(|| assert_eq!(run(&dgrams, |m| RouteMsg::parse(m.payload())), ROUTES))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
