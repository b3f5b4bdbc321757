//! Kernel tests: a refusal of a request about a named object names it, in the one errno
//! format of the workspace (`link "ve0": EEXIST (17): ...`). Each test makes its own
//! namespace (root or `unshare -r`).

use linx_netlink_codec::Errno;
use linx_rtnl::addr::{self, AddrOptions};
use linx_rtnl::link::{self, NewLink};
use linx_rtnl::{Error, neigh, open, stats};
use linx_testns::TestNs;

/// The refusal's errno and the name it carries, checked on the typed value.
fn refused(e: &Error) -> (Errno, &str) {
    let Error::Netlink(n) = e else {
        panic!("expected a kernel refusal, got {e:?}");
    };
    let subject = n.subject().unwrap_or_else(|| panic!("no subject: {e}"));
    assert_eq!(subject.kind, "link", "{e}");
    (n.errno, subject.name.as_str())
}

// A CNI plugin's retry of `link::add`.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn link_add_twice_names_the_link() {
    let ns = TestNs::new();
    let sock = open(ns.netns()).unwrap();
    link::add(&sock, NewLink::veth("ve0", "ve1")).unwrap();
    let e = link::add(&sock, NewLink::veth("ve0", "ve9")).unwrap_err();
    assert_eq!(refused(&e), (Errno::EEXIST, "ve0"));
    assert!(
        e.to_string().starts_with("link \"ve0\": EEXIST (17)"),
        "{e}"
    );
    // A clash on the peer name names the link asked for; the kernel's text, if any, follows.
    let e = link::add(&sock, NewLink::veth("ve2", "ve1")).unwrap_err();
    assert_eq!(refused(&e), (Errno::EEXIST, "ve2"));
    assert!(
        e.to_string().starts_with("link \"ve2\": EEXIST (17)"),
        "{e}"
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn deleting_a_missing_link_names_it() {
    let ns = TestNs::new();
    let sock = open(ns.netns()).unwrap();
    let e = link::delete(&sock, "nope0").unwrap_err();
    assert_eq!(refused(&e), (Errno::ENODEV, "nope0"));
    assert_eq!(
        e.to_string(),
        "link \"nope0\": ENODEV (19): no such interface \"nope0\""
    );
    let e = link::set_up(&sock, "nope0").unwrap_err();
    assert_eq!(
        e.to_string(),
        "link \"nope0\": ENODEV (19): no such interface \"nope0\""
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn addr_neigh_and_stats_on_a_named_link_name_it() {
    let ns = TestNs::new();
    let sock = open(ns.netns()).unwrap();
    link::add(&sock, NewLink::veth("d0", "d1")).unwrap();
    addr::add(&sock, "d0", "10.0.0.1/24", AddrOptions::new()).unwrap();
    let e = addr::add(&sock, "d0", "10.0.0.1/24", AddrOptions::new()).unwrap_err();
    assert_eq!(refused(&e), (Errno::EEXIST, "d0"));
    assert!(e.to_string().starts_with("link \"d0\": EEXIST (17)"), "{e}");

    let e = addr::add(&sock, "nope0", "10.0.0.1/24", AddrOptions::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "link \"nope0\": ENODEV (19): no such interface \"nope0\""
    );

    neigh::add(&sock, "d0", "10.0.0.9", "02:00:00:00:00:09").unwrap();
    let e = neigh::add(&sock, "d0", "10.0.0.9", "02:00:00:00:00:0a").unwrap_err();
    assert_eq!(refused(&e), (Errno::EEXIST, "d0"));
    assert!(e.to_string().starts_with("link \"d0\": EEXIST (17)"), "{e}");

    let e = stats::get(&sock, "nope0").unwrap_err();
    assert_eq!(
        e.to_string(),
        "link \"nope0\": ENODEV (19): no such interface \"nope0\""
    );
}
