//! A tour of the Linx foundation: netlink sockets in the host and in a throwaway namespace,
//! and the request engine at work (ACK, dump, stream, kernel errors, both drivers).
//!
//! Run it with `cargo xtask demo` (it needs root or `unshare -r`, which xtask arranges).

use std::time::Instant;

use linx_netlink_codec::consts::*;
use linx_netlink_codec::{
    AttrWriter, DecodeCx, DecodeError, DumpEvent, FixedHeader, MsgView, RawAttrs, Request,
    WireOrder, nl_header, typed_attrs,
};
use linx_netlink_sys::{AsyncSocket, Netns, Socket};
use linx_testns::TestNs;

nl_header! {
    /// `struct ifinfomsg`.
    pub struct IfInfoMsg[16] {
        /// Address family.
        pub family: u8 [0] ne,
        /// ARPHRD type.
        pub link_type: u16 [2] ne,
        /// Interface index.
        pub index: i32 [4] ne,
        /// IFF_* flags.
        pub flags: u32 [8] ne,
        /// Flags to change.
        pub change: u32 [12] ne,
    }
}

/// The two link attributes this tour prints; everything else is kept raw.
#[derive(Debug, Default)]
struct LinkMsg {
    header: IfInfoMsg,
    name: Option<String>,
    mtu: Option<u32>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl LinkMsg {
        1: IFLA_IFNAME => name as String,
        2: IFLA_MTU => mtu as u32,
    }
}

fn link_line(m: &MsgView<'_>) -> Result<String, DecodeError> {
    let p = m.payload();
    let header = IfInfoMsg::parse(p)?;
    let head = LinkMsg {
        header,
        ..Default::default()
    };
    let l = LinkMsg::with_attrs(head, &p[16..], 16, DecodeCx::family(header.family))?;
    let name = l.name.as_deref().unwrap_or("?");
    let mtu = l.mtu.unwrap_or(0);
    let unknown = l.other.iter().count();
    let up = if l.header.flags & 1 != 0 {
        "UP"
    } else {
        "DOWN"
    };
    Ok(format!(
        "{name:<8} index {:<3} {up:<4} mtu {mtu:<5} (+{unknown} more attributes kept raw)",
        l.header.index
    ))
}

fn links(sock: &Socket) -> Result<Vec<String>, linx_netlink_codec::Error> {
    Ok(linx_netlink_codec::Call::new(
        Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16),
        link_line,
    )
    .collect(sock)?
    .items)
}

fn step(n: u32, what: &str) {
    println!("\n== {n}. {what}");
}

/// `e` in its `Display` form, then each cause whose text it does not already include.
fn report(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tour: {}", report(&*e));
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!("Linx tour: netlink sockets and the request engine");

    step(1, "a socket in the host namespace");
    let host = Socket::open(NETLINK_ROUTE, Netns::Host)?;
    println!(
        "opened NETLINK_ROUTE in {} (port id {})",
        host.netns(),
        host.port_id()
    );
    let host_links = links(&host)?;
    println!("RTM_GETLINK dump: {} link(s) in the host", host_links.len());

    step(2, "a throwaway network namespace, opened by path");
    let ns = TestNs::new();
    let sock = Socket::open(NETLINK_ROUTE, ns.netns())?;
    println!(
        "opened {} (port id {}); no thread of ours changed namespace",
        sock.netns(),
        sock.port_id()
    );

    step(3, "create a veth pair with one ACKed RTM_NEWLINK");
    let mut p = vec![0u8; 16];
    let mut w = AttrWriter::new(&mut p);
    w.put_str(IFLA_IFNAME, "tour0")?;
    let info = w.begin_nest(18, false);
    w.put_str(1, "veth")?;
    let data = w.begin_nest(2, false);
    let peer = w.begin_nest(1, false);
    w.buffer().extend_from_slice(&[0; 16]);
    w.put_str(IFLA_IFNAME, "tour1")?;
    w.end_nest(peer)?;
    w.end_nest(data)?;
    w.end_nest(info)?;
    Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, p)
        .with_header_len(16)
        .execute(&sock)?;
    for l in links(&sock)? {
        println!("  {l}");
    }
    let in_host = links(&host)?.iter().any(|l| l.starts_with("tour0"));
    println!("tour0 visible in the host? {in_host}");

    step(4, "the kernel's own words on a refusal (extended ACK)");
    let mut p = vec![0u8; 16];
    let mut w = AttrWriter::new(&mut p);
    w.put_str(IFLA_IFNAME, "tour2")?;
    let info = w.begin_nest(18, false);
    w.put_str(1, "no-such-kind")?;
    w.end_nest(info)?;
    match Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, p)
        .with_header_len(16)
        .execute(&sock)
    {
        Err(e) => println!("error: {e}"),
        Ok(()) => println!("unexpectedly accepted"),
    }
    let mut q = vec![0u8; 16];
    AttrWriter::new(&mut q).put_str(IFLA_IFNAME, "nope0")?;
    if let Err(e) = linx_netlink_codec::Call::new(
        Request::new(RTM_GETLINK, 0, q).with_header_len(16),
        link_line,
    )
    .single(&sock)
    {
        println!(
            "get \"nope0\": {e} (errno {:?})",
            e.errno().map(|e| e.code())
        );
    }

    step(5, "2,000 route requests, each ACKed, then a streamed dump");
    let t = Instant::now();
    for i in 0..2000u32 {
        let mut p = vec![AF_INET, 32, 0, 0, 0, 4, 0, 6]; // rtmsg: /32, proto static, blackhole
        p.extend_from_slice(&0u32.to_ne_bytes());
        let mut w = AttrWriter::new(&mut p);
        w.put(RTA_DST, &[10, 99, (i >> 8) as u8, i as u8])?;
        w.put_u32(RTA_TABLE, 100)?;
        Request::new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, p)
            .with_header_len(12)
            .execute(&sock)?;
    }
    println!(
        "added 2000 routes in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let mut n = 0;
    let stream = linx_netlink_codec::Call::new(
        Request::dump(RTM_GETROUTE, vec![AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        |m: &MsgView<'_>| Ok(m.kind() == RTM_NEWROUTE),
    )
    .stream(&sock);
    for ev in stream {
        match ev? {
            DumpEvent::Item(true) => n += 1,
            DumpEvent::Item(false) => {}
            DumpEvent::Restart { retry } => {
                println!("dump interrupted, retry {retry}");
                n = 0
            }
        }
    }
    println!(
        "streamed {n} routes in {:.1} ms, decoded as each datagram arrived",
        t.elapsed().as_secs_f64() * 1e3
    );

    step(6, "the same engine on the tokio driver");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let sock = AsyncSocket::open(NETLINK_ROUTE, ns.netns())?;
        let req = Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16);
        let got = linx_netlink_codec::Call::new(req, link_line)
            .collect(&sock)
            .await?;
        println!(
            "async RTM_GETLINK dump: {} links, {} retries",
            got.items.len(),
            got.retries
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;

    step(7, "cleanup");
    drop(sock);
    drop(ns);
    println!("namespace gone with its last socket; the host was never touched");
    println!("\ntour complete");
    Ok(())
}
