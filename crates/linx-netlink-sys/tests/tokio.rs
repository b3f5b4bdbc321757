//! The tokio flavour against a real kernel (feature `tokio`; root or `unshare -r`).

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use linx_netlink_sys::{AsyncSocket, Errno, Error, Socket, Stage};
use linx_testns::TestNs;

async fn dump_names(sock: &AsyncSocket, vectored: bool) -> Vec<String> {
    let seq = sock.get_ref().next_seq();
    let request = getlink_dump(seq);
    let sent = if vectored {
        let (a, b) = request.split_at(16);
        sock.send_vectored(&[std::io::IoSlice::new(a), std::io::IoSlice::new(b)])
            .await
    } else {
        sock.send(&request).await
    };
    assert_eq!(sent, Ok(request.len()));
    let mut names = Vec::new();
    let mut buf = Vec::new();
    loop {
        let n = tokio::time::timeout(TIMEOUT, sock.recv(&mut buf))
            .await
            .expect("dump timed out")
            .expect("recv");
        assert_eq!(n, buf.len());
        if feed(&buf, seq, &mut names) {
            names.sort();
            return names;
        }
    }
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "kernel test: run with cargo xtask test"]
async fn dump_through_async_socket() {
    let ns = TestNs::new();
    ns.ip(&[
        "link", "add", "lxt0", "type", "veth", "peer", "name", "lxt1",
    ]);
    let sock = AsyncSocket::open(0, ns.netns()).expect("open");
    assert_ne!(sock.get_ref().port_id(), 0);
    assert_eq!(dump_names(&sock, false).await, ["lo", "lxt0", "lxt1"]);
    assert_eq!(dump_names(&sock, true).await, ["lo", "lxt0", "lxt1"]);
    // The socket is nonblocking now: the sync API says EAGAIN, not wait.
    let mut buf = Vec::new();
    assert_eq!(
        sock.get_ref().recv(&mut buf, None),
        Err(Error::Os {
            stage: Stage::Recv,
            errno: Errno::EAGAIN
        })
    );
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "kernel test: run with cargo xtask test"]
async fn recv_waits_for_readiness() {
    let ns = TestNs::new();
    let sock = AsyncSocket::new(Socket::open(0, ns.netns()).expect("open")).expect("register");
    sock.get_ref().add_membership(RTNLGRP_LINK).expect("join");
    let mut buf = Vec::new();
    // Nothing queued: recv pends, and a timeout around it is the caller's job.
    let idle = tokio::time::timeout(Duration::from_millis(100), sock.recv(&mut buf)).await;
    assert!(idle.is_err(), "{idle:?}");

    // Create a link from another thread while recv is waiting.
    let path = ns.path().to_path_buf();
    let maker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        Command::new("nsenter")
            .arg(format!("--net={}", path.display()))
            .args([
                "--", "ip", "link", "add", "lxw0", "type", "veth", "peer", "name", "lxw1",
            ])
            .status()
            .expect("run ip")
    });
    let mut seen = Vec::new();
    while !seen.iter().any(|n| n == "lxw0") {
        tokio::time::timeout(TIMEOUT, sock.recv(&mut buf))
            .await
            .expect("no link event")
            .expect("recv");
        for msg in split(&buf) {
            if msg.ty == RTM_NEWLINK {
                seen.extend(ifname(msg.payload));
            }
        }
    }
    assert!(maker.join().expect("maker thread").success());
}
