//! Batches and GETGEN against the kernel, each test in its own namespace, cross-checked with
//! `nft -j`.

use linx_netlink_codec::Errno;
use linx_netlink_codec::consts::*;
use linx_nfnl::batch::{self, Batch};
use linx_nfnl::{Error, family, generation, msg_type, nft_msg, subsys};
use linx_testns::TestNs;
use serde_json::Value;

const T: u8 = subsys::NFTABLES;

fn table(b: &mut Batch, name: &str) -> usize {
    b.push(
        msg_type(T, nft_msg::NEWTABLE),
        NLM_F_CREATE,
        &batch::payload(family::INET, |w| w.put_str(1, name)),
    )
}

fn chain(b: &mut Batch, table: &str, name: &str) -> usize {
    let p = batch::payload(family::INET, |w| {
        w.put_str(1, table)?; // NFTA_CHAIN_TABLE
        w.put_str(3, name) // NFTA_CHAIN_NAME
    });
    b.push(msg_type(T, nft_msg::NEWCHAIN), NLM_F_CREATE, &p)
}

fn rule(b: &mut Batch, table: &str, chain: &str) -> usize {
    let p = batch::payload(family::INET, |w| {
        w.put_str(1, table)?; // NFTA_RULE_TABLE
        w.put_str(2, chain) // NFTA_RULE_CHAIN
    });
    b.push(
        msg_type(T, nft_msg::NEWRULE),
        NLM_F_CREATE | NLM_F_APPEND,
        &p,
    )
}

fn ruleset(ns: &TestNs) -> Vec<Value> {
    let out = ns.run("nft", &["-j", "list", "ruleset"]);
    assert!(
        out.status.success(),
        "nft: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["nftables"].as_array().unwrap().clone()
}

fn count(rs: &[Value], what: &str) -> usize {
    rs.iter().filter(|o| o.get(what).is_some()).count()
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn large_batch_is_one_atomic_transaction() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let mut b = Batch::new(T);
    table(&mut b, "big");
    chain(&mut b, "big", "c");
    for _ in 0..10_000 {
        rule(&mut b, "big", "c");
    }
    assert!(
        b.encoded_len() > 212_992,
        "bigger than the default send buffer (wmem_default)"
    );
    batch::send(&sock, b).unwrap();
    let rs = ruleset(&ns);
    assert_eq!(count(&rs, "table"), 1);
    assert_eq!(count(&rs, "chain"), 1);
    assert_eq!(count(&rs, "rule"), 10_000);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_bad_message_in_the_middle_is_reported_and_nothing_applies() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let mut b = Batch::new(T);
    table(&mut b, "t1");
    chain(&mut b, "t1", "c");
    chain(&mut b, "no-such-table", "c"); // position 3
    rule(&mut b, "t1", "c");
    table(&mut b, "t2");
    let err = batch::send(&sock, b).unwrap_err();
    let Error::Batch { first, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(first.batch_seq, Some(3));
    assert_eq!(first.error.errno, Errno::ENOENT);
    assert!(
        ruleset(&ns).iter().all(|o| o.get("table").is_none()),
        "nothing of the batch applied"
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn generation_compare_and_swap() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).unwrap();
    let g0 = generation::get(&sock).unwrap();
    let mut b = Batch::new(T).with_genid(g0.id);
    table(&mut b, "first");
    batch::send(&sock, b).unwrap();
    let g1 = generation::get(&sock).unwrap();
    assert!(g1.id > g0.id, "a commit bumps the generation");
    assert!(g1.proc_pid.is_some() && g1.proc_name.is_some(), "{g1:?}");
    // someone else commits; our stale CAS must be refused as a whole
    let out = ns.run("nft", &["add", "table", "inet", "other"]);
    assert!(out.status.success());
    let mut b = Batch::new(T).with_genid(g1.id);
    table(&mut b, "second");
    let err = batch::send(&sock, b).unwrap_err();
    let Error::Batch { first, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (first.batch_seq, first.error.errno),
        (None, Errno::ERESTART)
    );
    let names: Vec<String> = ruleset(&ns)
        .iter()
        .filter_map(|o| {
            o.get("table")
                .map(|t| t["name"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(names, ["first", "other"]);
}

#[cfg(feature = "tokio")]
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn tokio_flavour_sends_batches() {
    let ns = TestNs::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _g = rt.enter();
    let sock = linx_nfnl::open_async(ns.netns()).unwrap();
    rt.block_on(async {
        let mut b = Batch::new(T);
        table(&mut b, "a");
        chain(&mut b, "a", "c");
        batch::send(&sock, b).await.unwrap();
        let g = generation::get(&sock).await.unwrap();
        assert!(g.id > 0);
    });
    assert_eq!(count(&ruleset(&ns), "chain"), 1);
}
