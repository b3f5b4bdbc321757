//! 1,000 opens and closes leak no fd and move no thread between namespaces.
//!
//! Alone in its own test binary, so no other test's fds or threads disturb
//! the counts. Needs root or `unshare -r`.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use linx_netlink_sys::{Netns, Socket};
use linx_testns::TestNs;

fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("list fds")
        .count()
}

/// tid -> namespace link (`net:[inode]`) for every thread of the process.
fn thread_namespaces() -> BTreeMap<String, PathBuf> {
    std::fs::read_dir("/proc/self/task")
        .expect("list tasks")
        .filter_map(|task| {
            let task = task.ok()?;
            // A thread may exit between listing and readlink.
            let link = std::fs::read_link(task.path().join("ns/net")).ok()?;
            Some((task.file_name().to_string_lossy().into_owned(), link))
        })
        .collect()
}

/// Polls `check` for up to 5 s.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !check() {
        assert!(start.elapsed() < common::TIMEOUT, "never true: {what}");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_thousand_opens_leak_nothing() {
    let host = std::fs::read_link("/proc/thread-self/ns/net").expect("readlink");
    let before = thread_namespaces();
    assert!(before.values().all(|ns| *ns == host), "{before:?}");

    let ns = TestNs::new();
    let pid = Netns::Pid(std::process::id());
    // Warm up once so lazily opened fds (if any) are counted in `fds`.
    drop(Socket::open(0, ns.netns()).expect("warm-up"));
    let fds = fd_count();
    for i in 0..1000 {
        let netns = match i % 3 {
            0 => ns.netns(),
            1 => Netns::Host,
            _ => pid.clone(),
        };
        match Socket::open(if i % 2 == 0 { 0 } else { 12 }, netns) {
            Ok(sock) => assert_ne!(sock.port_id(), 0),
            // Under `unshare -r` the host namespace (named by our own pid)
            // cannot be entered; that failure path must not leak either.
            Err(e) => assert!(
                i % 3 == 2
                    && !common::in_initial_user_ns()
                    && e.errno() == Some(linx_netlink_sys::Errno::EPERM),
                "open {i}: {e}"
            ),
        }
        // Failures must not leak either.
        assert!(Socket::open(0, Netns::from(std::path::Path::new("/proc/self/ns/uts"))).is_err());
    }
    assert_eq!(fd_count(), fds, "fds leaked");

    let after = thread_namespaces();
    for (tid, ns_link) in &before {
        if let Some(now) = after.get(tid) {
            assert_eq!(now, ns_link, "thread {tid} changed namespace");
        }
    }
    assert_eq!(
        std::fs::read_link("/proc/thread-self/ns/net").expect("readlink"),
        host
    );
    // Only the TestNs helper lives elsewhere; no open-helper thread lingers.
    // (A joined thread drops its namespace a moment after join returns.)
    eventually("only the TestNs thread is in another namespace", || {
        thread_namespaces().values().filter(|l| **l != host).count() == 1
    });
    drop(ns);
    eventually("every thread is in the host namespace", || {
        thread_namespaces().values().all(|l| *l == host)
    });
}
