//! The loop with the rtnetlink source against the kernel, in throwaway namespaces.
//!
//! Kernel tests: ignored for a bare `cargo test`; run them with `cargo xtask test`, or as
//! root / under `unshare -r` with
//! `cargo test -p linx-reconcile --test rtnl -- --include-ignored`.

use std::time::{Duration, Instant};

use linx_reconcile::rtnl::RtnlSource;
use linx_reconcile::{Cause, LoopOptions, Observe, Source};
use linx_rtnl::reconcile::{Desired, LastApplied, Options};
use linx_testns::TestNs;
use serde_json::Value;

/// A bridge with two addresses, both ours.
const DESIRED: &str = r#"{
    "links": [ { "name": "br0", "kind": "bridge", "up": true } ],
    "addresses": [
        { "dev": "br0", "address": "10.77.0.1/24" },
        { "dev": "br0", "address": "10.77.1.1/24" }
    ]
}"#;

fn desired() -> Desired {
    serde_json::from_str(DESIRED).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The IPv4 addresses of `dev` as `ip -j` shows them (`a.b.c.d/len`, sorted).
fn ip_addrs(ns: &TestNs, dev: &str) -> Vec<String> {
    let out: Value =
        serde_json::from_str(&ns.ip_json(&["-4", "addr", "show", "dev", dev])).unwrap();
    let mut addrs: Vec<String> = out
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|link| link["addr_info"].as_array().unwrap().clone())
        .map(|a| format!("{}/{}", a["local"].as_str().unwrap(), a["prefixlen"]))
        .collect();
    addrs.sort();
    addrs
}

#[test]
#[ignore = "kernel test: needs a network namespace (cargo xtask test)"]
fn the_loop_heals_a_hand_made_change_through_the_monitor_with_the_timer_off() {
    let ns = TestNs::new();
    runtime().block_on(async {
        let lp = LoopOptions::new(RtnlSource::new(), ns.netns(), desired())
            .interval(None)
            .name("heal")
            .start();
        let mut passes = lp.passes();

        // The first pass converges from empty (the next may confirm its own changes).
        let first = passes.recv().await.unwrap();
        assert_eq!(first.cause(), Cause::Start);
        let report = first.report().expect("the first pass ran");
        assert!(report.converged(), "{report:#?}");
        assert_eq!(ip_addrs(&ns, "br0"), ["10.77.0.1/24", "10.77.1.1/24"]);
        // Let the echo of our own changes settle.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let quiet = lp.last_pass().unwrap().number();

        // By hand: one desired address goes away. No timer: only the monitor can notice.
        let t0 = Instant::now();
        ns.ip(&["addr", "del", "10.77.1.1/24", "dev", "br0"]);
        loop {
            if ip_addrs(&ns, "br0") == ["10.77.0.1/24", "10.77.1.1/24"] {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(1),
                "not healed within 1 s: {:?}, last pass {:?}",
                ip_addrs(&ns, "br0"),
                lp.last_pass()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // The pass that re-added it (published just after its last kernel call).
        let healer = tokio::time::timeout(Duration::from_secs(1), async {
            loop {
                let pass = passes.recv().await.unwrap();
                if pass.number() > quiet && pass.report().is_some_and(|r| !r.applied.is_empty()) {
                    return pass;
                }
            }
        })
        .await
        .expect("the healing pass is published");
        assert_eq!(healer.cause(), Cause::Hint);
        assert!(healer.converged(), "{healer:#?}");
        lp.stop().await.unwrap();
    });
}

#[test]
#[ignore = "kernel test: needs a network namespace (cargo xtask test)"]
fn a_pass_opens_its_socket_in_the_scope_and_threads_ownership() {
    let ns = TestNs::new();
    runtime().block_on(async {
        let source = RtnlSource::new();
        let scope = ns.netns();
        let opts = Options::new();
        let r = source
            .reconcile(&scope, &desired(), &LastApplied::new(), &opts)
            .await
            .unwrap();
        assert!(r.converged(), "{r:#?}");
        assert!(r.last_applied.links.contains("br0"));
        assert_eq!(r.last_applied.addresses.len(), 2);
        assert_eq!(ip_addrs(&ns, "br0"), ["10.77.0.1/24", "10.77.1.1/24"]);

        // Idempotent, and the dry run agrees.
        let again = source
            .reconcile(&scope, &desired(), &r.last_applied, &opts)
            .await
            .unwrap();
        assert!(again.is_noop(), "{again:#?}");
        let plan = source
            .plan(&scope, &desired(), &r.last_applied, &opts)
            .await
            .unwrap();
        assert!(plan.steps().is_empty(), "{plan}");

        // Dropped from desired: the owned address goes, a foreign one stays.
        ns.ip(&["addr", "add", "10.77.9.9/24", "dev", "br0"]);
        let fewer: Desired = serde_json::from_str(
            r#"{"links":[{"name":"br0","kind":"bridge","up":true}],
                "addresses":[{"dev":"br0","address":"10.77.0.1/24"}]}"#,
        )
        .unwrap();
        let r3 = source
            .reconcile(&scope, &fewer, &again.last_applied, &opts)
            .await
            .unwrap();
        assert!(r3.converged(), "{r3:#?}");
        assert_eq!(ip_addrs(&ns, "br0"), ["10.77.0.1/24", "10.77.9.9/24"]);

        let seen = source.observe(&scope, &opts).await.unwrap();
        assert!(seen.links.iter().any(|l| l.name == "br0"));
    });
}

#[test]
#[ignore = "kernel test: needs a network namespace (cargo xtask test)"]
fn a_namespace_that_is_gone_fails_the_pass_and_the_monitor_typed() {
    let ns = TestNs::new();
    let scope = ns.netns();
    drop(ns);
    runtime().block_on(async {
        let source = RtnlSource::new();
        let err = source
            .reconcile(&scope, &desired(), &LastApplied::new(), &Options::new())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("/proc/"), "{err}");
        assert!(source.subscribe(&scope).await.is_err());

        // The loop survives it: passes fail, the loop stays up.
        let lp = LoopOptions::new(source, scope, desired())
            .interval(None)
            .start();
        let pass = lp.reconcile().await.unwrap();
        assert!(pass.error().is_some());
        assert!(!lp.is_finished());
        lp.stop().await.unwrap();
    });
}
