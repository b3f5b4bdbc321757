//! Self-test of `TestNs` (needs root or `unshare -r`).

use linx_testns::TestNs;

fn ns_link(path: &std::path::Path) -> std::path::PathBuf {
    std::fs::read_link(path).expect("readlink of a namespace file")
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn namespaces_are_fresh_and_distinct() {
    let host = ns_link(std::path::Path::new("/proc/thread-self/ns/net"));
    let a = TestNs::new();
    let b = TestNs::new();
    let (la, lb) = (ns_link(a.path()), ns_link(b.path()));
    assert_ne!(la, lb);
    assert_ne!(la, host);
    assert_ne!(lb, host);
    // The calling thread stays where it was.
    assert_eq!(
        ns_link(std::path::Path::new("/proc/thread-self/ns/net")),
        host
    );

    let links = a.ip(&["-brief", "link", "show"]);
    let names: Vec<&str> = links
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["lo"], "{links}");
    assert!(a.ip_json(&["link", "show"]).contains("\"ifname\":\"lo\""));

    a.ip_batch("link add t0 type veth peer name t1\n");
    assert!(a.ip(&["link", "show", "t0"]).contains("t0"));
    let out = b.run("ip", &["link", "show", "t0"]);
    assert!(!out.status.success(), "t0 leaked into another namespace");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn drop_joins_the_thread() {
    let ns = TestNs::new();
    let path = ns.path().to_path_buf();
    assert!(path.exists());
    drop(ns);
    // join returns when the thread has exited; the kernel releases its /proc
    // entry a moment later.
    let start = std::time::Instant::now();
    while path.exists() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{} still exists after drop",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
