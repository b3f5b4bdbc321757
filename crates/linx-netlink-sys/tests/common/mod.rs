//! Test-only netlink framing, written by hand so these tests need no codec
//! crate: an RTM_GETLINK dump request and a minimal reply walker.

#![allow(dead_code, unreachable_pub)] // each test binary uses a different subset

use std::time::Duration;

use linx_netlink_sys::Socket;

pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const RTM_NEWLINK: u16 = 16;
pub const RTM_GETLINK: u16 = 18;
pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_DUMP: u16 = 0x300;
pub const IFLA_IFNAME: u16 = 3;
pub const RTNLGRP_LINK: u32 = 1;

pub const TIMEOUT: Duration = Duration::from_secs(5);

/// nlmsghdr (16 bytes, host order) followed by `payload`.
pub fn message(ty: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(16 + payload.len()).expect("small message");
    let mut out = Vec::with_capacity(16 + payload.len());
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(payload);
    out
}

/// RTM_GETLINK with REQUEST|DUMP and a zeroed 16-byte ifinfomsg.
pub fn getlink_dump(seq: u32) -> Vec<u8> {
    message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, &[0; 16])
}

/// One message of a datagram.
#[derive(Debug)]
pub struct Msg<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
    pub payload: &'a [u8],
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Splits a datagram into messages, asserting that the (aligned) nlmsg_len
/// fields add up to exactly the datagram's length.
pub fn split(datagram: &[u8]) -> Vec<Msg<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < datagram.len() {
        assert!(
            datagram.len() - at >= 16,
            "trailing {} bytes",
            datagram.len() - at
        );
        let len = u32_at(datagram, at) as usize;
        assert!(
            len >= 16 && at + len <= datagram.len(),
            "bad nlmsg_len {len} at {at}"
        );
        out.push(Msg {
            ty: u16_at(datagram, at + 4),
            flags: u16_at(datagram, at + 6),
            seq: u32_at(datagram, at + 8),
            pid: u32_at(datagram, at + 12),
            payload: &datagram[at + 16..at + len],
        });
        at += len.next_multiple_of(4).min(datagram.len() - at);
    }
    assert_eq!(at, datagram.len());
    out
}

/// IFLA_IFNAME of an RTM_NEWLINK payload.
pub fn ifname(payload: &[u8]) -> Option<String> {
    let mut at = 16; // ifinfomsg
    while at + 4 <= payload.len() {
        let len = u16_at(payload, at) as usize;
        let ty = u16_at(payload, at + 2) & 0x3fff;
        if len < 4 || at + len > payload.len() {
            return None;
        }
        if ty == IFLA_IFNAME {
            let raw = &payload[at + 4..at + len];
            let raw = raw.split(|b| *b == 0).next().unwrap_or(raw);
            return Some(String::from_utf8_lossy(raw).into_owned());
        }
        at += len.next_multiple_of(4);
    }
    None
}

/// The errno of an NLMSG_ERROR payload (0 for an ACK).
pub fn error_code(payload: &[u8]) -> i32 {
    i32::from_ne_bytes(payload[..4].try_into().expect("4 bytes"))
}

/// Feeds one dump datagram; pushes link names, returns true at NLMSG_DONE.
pub fn feed(datagram: &[u8], seq: u32, names: &mut Vec<String>) -> bool {
    for msg in split(datagram) {
        assert_eq!(msg.seq, seq, "reply to another request");
        match msg.ty {
            NLMSG_DONE => return true,
            NLMSG_ERROR => panic!("dump failed: errno {}", -error_code(msg.payload)),
            RTM_NEWLINK => names.push(ifname(msg.payload).expect("IFLA_IFNAME")),
            other => panic!("unexpected message type {other}"),
        }
    }
    false
}

/// Dumps links through `sock`; returns the names and every datagram length.
pub fn dump_links(sock: &Socket) -> (Vec<String>, Vec<usize>) {
    let seq = sock.next_seq();
    sock.send(&getlink_dump(seq)).expect("send dump");
    let mut names = Vec::new();
    let mut lens = Vec::new();
    let mut buf = Vec::new();
    loop {
        let n = sock.recv(&mut buf, Some(TIMEOUT)).expect("recv dump");
        assert_eq!(n, buf.len());
        lens.push(n);
        if feed(&buf, seq, &mut names) {
            return (names, lens);
        }
    }
}

pub fn link_names(sock: &Socket) -> Vec<String> {
    let mut names = dump_links(sock).0;
    names.sort();
    names
}

/// True when this process is in the initial user namespace (real root):
/// `SO_RCVBUFFORCE` works and the host namespace can be entered. False under
/// `unshare -r`.
pub fn in_initial_user_ns() -> bool {
    let map = std::fs::read_to_string("/proc/self/uid_map").expect("read uid_map");
    let fields: Vec<&str> = map.split_whitespace().collect();
    fields == ["0", "0", "4294967295"]
}
