//! Decoding a 100k-route IPv4 dump: `Route::parse` against a raw, C-like loop that pulls the
//! same fields out of the same bytes. The messages are byte-for-byte what Linux 6.18 sends
//! for `ip route add 10.x.y.z/28 via 192.0.2.2 dev eth0 table 100` (RTA_TABLE, RTA_DST,
//! RTA_GATEWAY, RTA_OIF), packed into 32 KiB datagrams as a dump delivers them.
//!
//! Three loops over the same datagrams: `raw_c_like` (framing and field extraction by
//! hand), `linx_route_parse` (the same framing, then `Route::parse`: the decoder alone) and
//! `linx_msgiter_from_msg` (framing with the codec's `MsgIter`, then `Route::from_msg`: the
//! path a dump takes).
//!
//! `cargo bench -p linx-rtnl --bench route_parse`; divide the reported time by 100,000 for
//! ns/route.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use linx_netlink_codec::MsgIter;
use linx_rtnl::route::Route;

const N: u32 = 100_000;
const DATAGRAM: usize = 32 * 1024;

fn message(i: u32) -> Vec<u8> {
    let dst = [10, (i >> 12) as u8, (i >> 4) as u8, ((i & 15) << 4) as u8];
    let mut m = Vec::with_capacity(60);
    m.extend_from_slice(&60u32.to_ne_bytes());
    m.extend_from_slice(&24u16.to_ne_bytes()); // RTM_NEWROUTE
    m.extend_from_slice(&0x22u16.to_ne_bytes()); // NLM_F_MULTI | NLM_F_DUMP_FILTERED
    m.extend_from_slice(&1u32.to_ne_bytes());
    m.extend_from_slice(&4242u32.to_ne_bytes());
    m.extend_from_slice(&[2, 28, 0, 0, 100, 3, 0, 1, 0, 0, 0, 0]);
    for (t, v) in [
        (15u16, 100u32.to_ne_bytes()),
        (1, dst),
        (5, [192, 0, 2, 2]),
        (4, 2u32.to_ne_bytes()),
    ] {
        m.extend_from_slice(&8u16.to_ne_bytes());
        m.extend_from_slice(&t.to_ne_bytes());
        m.extend_from_slice(&v);
    }
    m
}

fn datagrams() -> Vec<Vec<u8>> {
    let mut out = vec![Vec::with_capacity(DATAGRAM)];
    for i in 0..N {
        let m = message(i);
        if out.last().is_some_and(|d| d.len() + m.len() > DATAGRAM) {
            out.push(Vec::with_capacity(DATAGRAM));
        }
        if let Some(d) = out.last_mut() {
            d.extend_from_slice(&m);
        }
    }
    out
}

/// What a C program would fill in: the same header fields and attributes `Route` models.
#[derive(Default)]
struct CRoute {
    family: u8,
    dst_len: u8,
    table: u32,
    protocol: u8,
    scope: u8,
    rtype: u8,
    dst: [u8; 16],
    gateway: [u8; 16],
    prefsrc: [u8; 16],
    oif: u32,
    metric: u32,
}

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_ne_bytes([b[i], b[i + 1]]) as usize
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// The raw loop: length checks and field copies, nothing else.
fn raw(dgs: &[Vec<u8>]) -> u64 {
    let mut sum = 0u64;
    for d in dgs {
        let mut pos = 0;
        while pos + 16 <= d.len() {
            let len = u32_at(d, pos) as usize;
            if len < 28 || pos + len > d.len() {
                break;
            }
            let m = &d[pos..pos + len];
            let mut r = CRoute {
                family: m[16],
                dst_len: m[17],
                table: m[20].into(),
                protocol: m[21],
                scope: m[22],
                rtype: m[23],
                ..Default::default()
            };
            let mut a = 28;
            while a + 4 <= m.len() {
                let alen = u16_at(m, a);
                if alen < 4 || a + alen > m.len() {
                    break;
                }
                let p = &m[a + 4..a + alen];
                match (u16_at(m, a + 2), p.len()) {
                    (1, 4 | 16) => r.dst[..p.len()].copy_from_slice(p),
                    (5, 4 | 16) => r.gateway[..p.len()].copy_from_slice(p),
                    (7, 4 | 16) => r.prefsrc[..p.len()].copy_from_slice(p),
                    (4, 4) => r.oif = u32_at(p, 0),
                    (6, 4) => r.metric = u32_at(p, 0),
                    (15, 4) => r.table = u32_at(p, 0),
                    _ => {}
                }
                a += (alen + 3) & !3;
            }
            let r = black_box(&r);
            sum += u64::from(r.oif)
                + u64::from(r.table)
                + u64::from(r.dst[1])
                + u64::from(r.family ^ r.dst_len ^ r.protocol ^ r.scope ^ r.rtype)
                + u64::from(r.gateway[0] ^ r.prefsrc[0])
                + u64::from(r.metric);
            pos += (len + 3) & !3;
        }
    }
    sum
}

/// Linx: framing with `MsgIter`, decoding with `Route::from_msg`.
fn linx(dgs: &[Vec<u8>]) -> u64 {
    let mut sum = 0u64;
    for d in dgs {
        for m in MsgIter::new(d) {
            let res = Route::from_msg(&m.unwrap());
            let r = black_box(res.as_ref().unwrap());
            sum += checksum(r);
        }
    }
    sum
}

/// `Route::parse` alone: the raw loop's framing, then `Route::parse` on each payload.
fn linx_parse(dgs: &[Vec<u8>]) -> u64 {
    let mut sum = 0u64;
    for d in dgs {
        let mut pos = 0;
        while pos + 16 <= d.len() {
            let len = u32_at(d, pos) as usize;
            if len < 28 || pos + len > d.len() {
                break;
            }
            let res = Route::parse(&d[pos + 16..pos + len]);
            let r = black_box(res.as_ref().unwrap());
            sum += checksum(r);
            pos += (len + 3) & !3;
        }
    }
    sum
}

fn checksum(r: &Route) -> u64 {
    let dst1 = r.dst.map_or(0, |d| d.as_bytes()[1]);
    let gw0 = r.gateway.map_or(0, |g| g.as_bytes()[0]);
    let src0 = r.prefsrc.map_or(0, |g| g.as_bytes()[0]);
    u64::from(r.oif.unwrap_or(0))
        + u64::from(r.table())
        + u64::from(dst1)
        + u64::from(r.family ^ r.dst_len ^ r.protocol.0 ^ r.scope.0 ^ u8::from(r.route_type))
        + u64::from(gw0 ^ src0)
        + u64::from(r.metric.unwrap_or(0))
}

fn bench(c: &mut Criterion) {
    let dgs = datagrams();
    assert_eq!(raw(&dgs), linx(&dgs), "both loops must see the same routes");
    assert_eq!(raw(&dgs), linx_parse(&dgs));
    let mut g = c.benchmark_group("route_dump_100k");
    g.throughput(Throughput::Elements(N.into()));
    g.bench_function("raw_c_like", |b| b.iter(|| raw(black_box(&dgs))));
    g.bench_function("linx_route_parse", |b| {
        b.iter(|| linx_parse(black_box(&dgs)))
    });
    g.bench_function("linx_msgiter_from_msg", |b| {
        b.iter(|| linx(black_box(&dgs)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
