//! Kernel tests: real sockets in throwaway namespaces (root or `unshare -r`).
//!
//! Host-namespace sockets are only read from (a link dump); everything that
//! changes state happens inside a `TestNs`.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::IoSlice;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use linx_netlink_sys::{Errno, Error, Netns, Socket, Stage};
use linx_testns::TestNs;

fn os(stage: Stage, errno: Errno) -> Error {
    Error::Os { stage, errno }
}

fn netns(stage: Stage, path: impl Into<PathBuf>, errno: Errno) -> Error {
    Error::Netns {
        stage,
        path: path.into(),
        errno,
    }
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn open_in_host() {
    let sock = Socket::open(0, Netns::Host).expect("open");
    assert_eq!(sock.protocol(), 0);
    assert_eq!(sock.netns(), &Netns::Host);
    assert_ne!(sock.port_id(), 0);
    assert_eq!((sock.next_seq(), sock.next_seq()), (1, 2));
    assert!(link_names(&sock).contains(&"lo".to_string()));
    let dbg = format!("{sock:?}");
    assert!(dbg.contains("port_id"), "{dbg}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn open_by_own_pid_is_the_host() {
    let host = Socket::open(0, Netns::Host).expect("open host");
    let own = Socket::open(0, Netns::Pid(std::process::id()));
    if !in_initial_user_ns() {
        // Under `unshare -r` the host namespace belongs to the initial user
        // namespace, where we hold no CAP_SYS_ADMIN: entering it, even though
        // it is our own, is refused.
        let own_file = format!("/proc/{}/ns/net", std::process::id());
        assert_eq!(
            own.unwrap_err(),
            netns(Stage::Setns, own_file, Errno::EPERM)
        );
        return;
    }
    let own = own.expect("open pid");
    assert_eq!(own.netns(), &Netns::Pid(std::process::id()));
    assert_ne!(own.port_id(), host.port_id());
    assert_eq!(link_names(&own), link_names(&host));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn open_by_pid_of_a_process_in_another_namespace() {
    let ns = TestNs::new();
    ns.ip(&[
        "link", "add", "lxp0", "type", "veth", "peer", "name", "lxp1",
    ]);
    // nsenter execs `sleep` in place, so the child's pid is sleep's pid.
    let mut child = Command::new("nsenter")
        .arg(format!("--net={}", ns.path().display()))
        .args(["--", "sleep", "30"])
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn nsenter");
    let want = std::fs::read_link(ns.path()).expect("readlink ns");
    let proc_ns = PathBuf::from(format!("/proc/{}/ns/net", child.id()));
    let start = Instant::now();
    while std::fs::read_link(&proc_ns).ok().as_ref() != Some(&want) {
        assert!(
            start.elapsed() < TIMEOUT,
            "child never entered the namespace"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let result = Socket::open(0, Netns::Pid(child.id()));
    child.kill().expect("kill child");
    child.wait().expect("reap child");
    let sock = result.expect("open by pid");
    assert_eq!(link_names(&sock), ["lo", "lxp0", "lxp1"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_link_is_visible_only_in_its_namespace() {
    let ns = TestNs::new();
    ns.ip(&[
        "link", "add", "lxv0", "type", "veth", "peer", "name", "lxv1",
    ]);
    let inside = Socket::open(0, ns.netns()).expect("open in ns");
    assert_eq!(inside.netns(), &Netns::Path(ns.path().to_path_buf()));
    assert_eq!(link_names(&inside), ["lo", "lxv0", "lxv1"]);
    let host = Socket::open(0, Netns::Host).expect("open host");
    let names = link_names(&host);
    assert!(!names.iter().any(|n| n.starts_with("lxv")), "{names:?}");

    // A second namespace sees neither.
    let other = TestNs::new();
    let sock = Socket::open(0, other.netns()).expect("open in other ns");
    assert_eq!(link_names(&sock), ["lo"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn open_errors_name_their_stage() {
    let missing = Socket::open(0, Netns::from(Path::new("/nonexistent/linx/ns")));
    let missing = missing.unwrap_err();
    assert_eq!(
        missing,
        netns(Stage::Open, "/nonexistent/linx/ns", Errno::ENOENT)
    );
    assert_eq!(
        missing.to_string(),
        "open network namespace \"/nonexistent/linx/ns\": ENOENT (2)"
    );

    // A namespace file of another type: the open and the nsfs check pass,
    // setns refuses.
    let uts = Socket::open(0, Netns::from(Path::new("/proc/self/ns/uts"))).unwrap_err();
    assert_eq!(uts, netns(Stage::Setns, "/proc/self/ns/uts", Errno::EINVAL));
    assert_eq!(
        uts.to_string(),
        "enter network namespace \"/proc/self/ns/uts\": EINVAL (22)"
    );
    // Not a namespace file at all: refused before setns.
    let dir = Socket::open(0, Netns::from(Path::new("/")));
    assert!(matches!(dir, Err(Error::InvalidNetns { .. })), "{dir:?}");

    let pid0 = Socket::open(0, Netns::Pid(0)).unwrap_err();
    assert!(matches!(pid0, Error::InvalidNetns { .. }), "{pid0:?}");
    assert_eq!(pid0.stage(), Some(Stage::Open));

    let mut child = Command::new("true").spawn().expect("spawn true");
    let dead = child.id();
    child.wait().expect("reap true");
    let gone = Socket::open(0, Netns::Pid(dead));
    let gone_file = format!("/proc/{dead}/ns/net");
    assert_eq!(
        gone.unwrap_err().to_string(),
        format!("open network namespace \"{gone_file}\": ENOENT (2)")
    );

    let nul_path = PathBuf::from(OsStr::from_bytes(b"/proc/self/ns/net\0x"));
    assert_eq!(
        Socket::open(0, Netns::from(nul_path.clone())).unwrap_err(),
        netns(Stage::Open, nul_path, Errno::EINVAL)
    );
    let long_path = PathBuf::from(format!("/{}", "a/".repeat(2048)));
    assert_eq!(
        Socket::open(0, Netns::from(long_path.clone())).unwrap_err(),
        netns(Stage::Open, long_path, Errno::ENAMETOOLONG)
    );

    // No netlink protocol 31: the socket step fails, in both modes.
    let proto = Socket::open(31, Netns::Host).unwrap_err();
    assert_eq!(proto, os(Stage::Socket, Errno::EPROTONOSUPPORT));
    let ns = TestNs::new();
    let proto = Socket::open(31, ns.netns()).unwrap_err();
    assert_eq!(proto, os(Stage::Socket, Errno::EPROTONOSUPPORT));
    assert_eq!(
        proto.to_string(),
        "netlink socket socket failed: EPROTONOSUPPORT (93)"
    );
}

/// A directory of its own under the temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("linx-{what}-{}", std::process::id()));
        // A leftover of an earlier run with the same pid.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("create scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `Socket::open(0, netns)` on another thread; panics if it has not returned
/// within `TIMEOUT`, so a hang fails the test instead of stalling it.
fn open_within_timeout(netns: Netns) -> Result<Socket, Error> {
    let (tx, rx) = std::sync::mpsc::channel();
    let what = netns.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(Socket::open(0, netns));
    });
    rx.recv_timeout(TIMEOUT)
        .unwrap_or_else(|e| panic!("Socket::open({what}) did not return within {TIMEOUT:?}: {e}"))
}

// Needs no privileges: every file here is refused before setns.
#[test]
fn non_namespace_files_are_refused_before_setns_in_bounded_time() {
    let scratch = Scratch::new("not-a-netns");
    let fifo = scratch.0.join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
    let file = scratch.0.join("file");
    std::fs::write(&file, b"not a namespace").expect("write file");
    let not_nsfs = |path: &Path| Error::InvalidNetns {
        path: path.to_path_buf(),
        reason: "not a namespace file (not on nsfs)",
    };
    // The FIFO first: an open that waits for a writer would hang here.
    for path in [&*fifo, &*file, &*scratch.0, Path::new("/dev/null")] {
        let err = open_within_timeout(Netns::from(path)).unwrap_err();
        assert_eq!(err, not_nsfs(path), "{}", path.display());
        assert_eq!(err.stage(), Some(Stage::Open));
    }
    assert_eq!(
        not_nsfs(Path::new("/dev/null")).to_string(),
        "invalid network namespace \"/dev/null\": not a namespace file (not on nsfs)"
    );
    let io: std::io::Error = not_nsfs(&file).into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
}

fn rmem_max() -> usize {
    let text = std::fs::read_to_string("/proc/sys/net/core/rmem_max").expect("read rmem_max");
    text.trim().parse().expect("rmem_max is a number")
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn rcvbuf_force_or_capped_fallback() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    let max = rmem_max();
    let want = 4 << 20;
    let got = sock.set_rcvbuf(want).expect("set_rcvbuf");
    assert_eq!(got, sock.rcvbuf().expect("rcvbuf"));
    let above = max + (1 << 20);
    let got_above = sock.set_rcvbuf(above).expect("set_rcvbuf above rmem_max");
    if in_initial_user_ns() {
        // SO_RCVBUFFORCE: the kernel doubles the request and ignores rmem_max.
        assert_eq!(got, 2 * want);
        assert_eq!(got_above, 2 * above);
    } else {
        // Rootless: SO_RCVBUFFORCE needs CAP_NET_ADMIN in the initial user
        // namespace, so SO_RCVBUF applies, capped at rmem_max.
        assert_eq!(got, 2 * want.min(max));
        assert_eq!(got_above, 2 * max);
    }
    let snd = sock.set_sndbuf(1 << 20).expect("set_sndbuf");
    assert!(snd >= 1 << 20, "{snd}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn multicast_link_events() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    sock.set_rcvbuf(4 << 20).expect("set_rcvbuf");
    sock.add_membership(RTNLGRP_LINK).expect("add_membership");
    ns.ip(&[
        "link", "add", "lxm0", "type", "veth", "peer", "name", "lxm1",
    ]);
    let mut buf = Vec::new();
    let mut seen = BTreeSet::new();
    while !(seen.contains("lxm0") && seen.contains("lxm1")) {
        sock.recv(&mut buf, Some(TIMEOUT)).expect("link event");
        for msg in split(&buf) {
            assert_eq!(msg.seq, 0, "multicast carries seq 0");
            if msg.ty == RTM_NEWLINK {
                seen.extend(ifname(msg.payload));
            }
        }
    }

    // After leaving the group, drain what was queued; then nothing arrives.
    sock.drop_membership(RTNLGRP_LINK).expect("drop_membership");
    while sock
        .recv(&mut buf, Some(Duration::from_millis(200)))
        .is_ok()
    {}
    ns.ip(&["link", "del", "lxm0"]);
    let quiet = sock.recv(&mut buf, Some(Duration::from_millis(300)));
    assert_eq!(quiet, Err(Error::Timeout));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn dumps_are_never_truncated() {
    let ns = TestNs::new();
    let script: String = (0..60)
        .map(|i| format!("link add lxd{i}a type veth peer name lxd{i}b\n"))
        .collect();
    ns.ip_batch(&script);
    let sock = Socket::open(0, ns.netns()).expect("open");
    let (names, lens) = dump_links(&sock);
    assert_eq!(names.len(), 121, "{names:?}");
    // Offering RECV_MIN bytes lets the kernel fill large dump datagrams
    // (each one was split above, so the lengths add up exactly).
    let biggest = lens.iter().copied().max().unwrap_or(0);
    assert!(biggest > 8192, "largest dump datagram {biggest}: {lens:?}");
    assert!(lens.len() < 20, "{} datagrams", lens.len());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_huge_error_reply_is_received_whole() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    sock.set_sndbuf(1 << 20).expect("set_sndbuf");
    // RTM_GETLINK for a missing ifindex, padded with two ~60 KB unknown
    // attributes: the kernel echoes the whole request in its NLMSG_ERROR.
    let mut payload = vec![0u8; 16];
    payload[4..8].copy_from_slice(&0x7fff_fff0i32.to_ne_bytes());
    for _ in 0..2 {
        let len: u16 = 60_000;
        payload.extend_from_slice(&len.to_ne_bytes());
        payload.extend_from_slice(&0x3000u16.to_ne_bytes());
        payload.resize(payload.len() + usize::from(len) - 4, 0xab);
    }
    let seq = sock.next_seq();
    let request = message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, &payload);
    assert_eq!(sock.send(&request), Ok(request.len()));
    let mut buf = Vec::new();
    let n = sock.recv(&mut buf, Some(TIMEOUT)).expect("recv error");
    assert!(n > linx_netlink_sys::RECV_MIN, "{n}");
    let msgs = split(&buf);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].ty, NLMSG_ERROR);
    assert_eq!(msgs[0].seq, seq);
    assert_eq!(msgs[0].pid, sock.port_id());
    assert_eq!(-error_code(msgs[0].payload), Errno::ENODEV.code());
    assert!(n >= request.len() + 20, "echo of {} in {n}", request.len());

    // NETLINK_CAP_ACK: the echo shrinks to the header (plus extended ACK TLVs).
    sock.set_cap_ack(true).expect("set_cap_ack");
    let seq = sock.next_seq();
    let request = message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, &payload);
    sock.send(&request).expect("send");
    let n = sock.recv(&mut buf, Some(TIMEOUT)).expect("recv error");
    assert!(n < 4096, "{n}");
    assert_eq!(-error_code(split(&buf)[0].payload), Errno::ENODEV.code());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_bounded_recv_reads_an_ack_whole_and_reports_a_longer_datagram() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    sock.set_sndbuf(1 << 20).expect("set_sndbuf");
    // RTM_GETLINK for a missing ifindex: an error ACK that echoes the request.
    let missing = |extra: usize| {
        let mut payload = vec![0u8; 16];
        payload[4..8].copy_from_slice(&0x7fff_fff0i32.to_ne_bytes());
        if extra > 0 {
            let len = u16::try_from(extra).unwrap();
            payload.extend_from_slice(&len.to_ne_bytes());
            payload.extend_from_slice(&0x3000u16.to_ne_bytes());
            payload.resize(payload.len() + extra - 4, 0xab);
        }
        payload
    };
    let mut buf = Vec::new();

    // A small ACK: bound by its request, read whole.
    let seq = sock.next_seq();
    let request = message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, &missing(0));
    sock.send(&request).expect("send");
    let n = sock
        .recv_bounded(&mut buf, 16 + 4 + request.len() + 8192, Some(TIMEOUT))
        .expect("recv");
    let msgs = split(&buf[..n]);
    assert_eq!((msgs.len(), msgs[0].ty, msgs[0].seq), (1, NLMSG_ERROR, seq));
    assert_eq!(-error_code(msgs[0].payload), Errno::ENODEV.code());

    // An error that echoes a 60 KB request does not fit a 4 KiB bound (room: RECV_MIN): it
    // is reported with its full length, not handed out cut ...
    let seq = sock.next_seq();
    let request = message(
        RTM_GETLINK,
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
        &missing(60_000),
    );
    sock.send(&request).expect("send");
    match sock.recv_bounded(&mut buf, 4096, Some(TIMEOUT)) {
        Err(Error::Truncated { len }) => assert!(len >= request.len() + 20, "{len}"),
        other => panic!("{other:?}"),
    }
    assert!(buf.is_empty());
    // ... and a bound that covers the echo reads it whole, nonblocking too.
    let seq = sock.next_seq();
    let request = message(
        RTM_GETLINK,
        NLM_F_REQUEST | NLM_F_ACK,
        seq,
        &missing(60_000),
    );
    sock.send(&request).expect("send");
    let n = sock
        .try_recv_bounded(&mut buf, 16 + 4 + request.len() + 8192)
        .expect("recv");
    assert!(n >= request.len() + 20, "{n}");
    assert_eq!(split(&buf)[0].seq, seq);
    assert!(
        sock.try_recv_bounded(&mut buf, 4096)
            .unwrap_err()
            .is_would_block()
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn recv_timeout_and_nonblocking() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    let mut buf = vec![1, 2, 3];
    let start = Instant::now();
    let r = sock.recv(&mut buf, Some(Duration::from_millis(150)));
    let took = start.elapsed();
    assert_eq!(r, Err(Error::Timeout));
    assert!(buf.is_empty(), "the buffer is cleared first");
    assert!(took >= Duration::from_millis(150), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(
        sock.recv(&mut buf, Some(Duration::ZERO)),
        Err(Error::Timeout)
    );

    let r = sock.try_recv(&mut buf);
    assert_eq!(r, Err(os(Stage::Recv, Errno::EAGAIN)));
    assert!(r.unwrap_err().is_would_block());

    sock.set_nonblocking(true).expect("nonblocking");
    assert_eq!(
        sock.recv(&mut buf, None),
        Err(os(Stage::Recv, Errno::EAGAIN))
    );
    // A timeout still waits in nonblocking mode.
    let start = Instant::now();
    assert_eq!(
        sock.recv(&mut buf, Some(Duration::from_millis(50))),
        Err(Error::Timeout)
    );
    assert!(start.elapsed() >= Duration::from_millis(50));
    // And data still arrives.
    let seq = sock.next_seq();
    sock.send(&getlink_dump(seq)).expect("send");
    let mut names = Vec::new();
    // The kernel queues the first dump datagram before send returns, so even
    // a zero timeout finds it.
    let n = sock.recv(&mut buf, Some(Duration::ZERO)).expect("recv now");
    let mut done = feed(&buf[..n], seq, &mut names);
    while !done {
        let n = sock.recv(&mut buf, Some(TIMEOUT)).expect("recv");
        done = feed(&buf[..n], seq, &mut names);
    }
    assert_eq!(names, ["lo"]);
    sock.set_nonblocking(false).expect("blocking again");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn send_vectored_is_one_datagram() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    let seq = sock.next_seq();
    let request = getlink_dump(seq);
    let (head, tail) = request.split_at(10);
    let sent = sock
        .send_vectored(&[IoSlice::new(head), IoSlice::new(&[]), IoSlice::new(tail)])
        .expect("send_vectored");
    assert_eq!(sent, request.len());
    let mut names = Vec::new();
    let mut buf = Vec::new();
    loop {
        sock.recv(&mut buf, Some(TIMEOUT)).expect("recv");
        if feed(&buf, seq, &mut names) {
            break;
        }
    }
    assert_eq!(names, ["lo"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn socket_options() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    for on in [true, false] {
        sock.set_strict_check(on).expect("strict check");
        sock.set_cap_ack(on).expect("cap ack");
        sock.set_ext_ack(on).expect("ext ack");
        sock.set_no_enobufs(on).expect("no enobufs");
    }
    // A group the kernel does not have (RTNLGRP_MAX is far below 1000).
    let err = sock.add_membership(1000).unwrap_err();
    assert_eq!(err, os(Stage::Sockopt, Errno::EINVAL));
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn sockets_are_shareable_across_threads() {
    let ns = TestNs::new();
    let sock = Socket::open(0, ns.netns()).expect("open");
    let names = std::thread::scope(|s| s.spawn(|| link_names(&sock)).join());
    assert_eq!(names.expect("dump thread"), ["lo"]);
}
