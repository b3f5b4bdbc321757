//! The same push and pull on the tokio flavour (`AsyncSocket`), and the tokio monitor as a
//! `Stream` continuing a snapshot.

use linx_netfilter::{
    Chain, ChainType, Expr, Family, Hook, Mode, Priority, Rule, Ruleset, Scope, TableFlags,
};
use linx_testns::TestNs;

#[tokio::test(flavor = "current_thread")]
#[ignore = "kernel test: run with cargo xtask test"]
async fn push_and_pull_on_tokio() {
    let ns = TestNs::new();
    let sock = linx_nfnl::open_async(ns.netns()).expect("async socket");
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "t", TableFlags::default())
        .unwrap();
    t.add_chain(Chain::base(
        "input",
        ChainType::Filter,
        Hook::Input,
        Priority::FILTER,
    ))
    .unwrap();
    t.add_rule(
        "input",
        Rule::new(Expr::meta_l4proto_eq(6))
            .exprs(Expr::tcp_dport_eq(22))
            .accept()
            .tag("ssh"),
    )
    .unwrap();
    linx_netfilter::push(&sock, &rs, Mode::Replace)
        .await
        .expect("push");
    let back = linx_netfilter::pull(&sock, Scope::All).await.expect("pull");
    assert_eq!(back.canonical(), rs.canonical());
    let t = linx_netfilter::create_table(&sock, Family::Ip, "own", false)
        .await
        .expect("create_table");
    assert_eq!(t.name(), "own");
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "kernel test: run with cargo xtask test"]
async fn the_tokio_monitor_is_a_stream_continuing_its_snapshot() {
    use futures_core::Stream;
    use linx_netfilter::monitor::{Change, Entity, Item, MonitorOptions, snapshot_async};
    let ns = TestNs::new();
    let sock = linx_nfnl::open_async(ns.netns()).expect("async socket");
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "before", TableFlags::default())
        .unwrap();
    linx_netfilter::push(&sock, &rs, Mode::Replace)
        .await
        .unwrap();
    let (snap, generation, mut mon) = snapshot_async(ns.netns(), &MonitorOptions::new())
        .await
        .expect("snapshot");
    assert!(snap.table(Family::Inet, "before").is_some());
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "after", TableFlags::default())
        .unwrap();
    linx_netfilter::push(&sock, &rs, Mode::Replace)
        .await
        .unwrap();
    let item = std::future::poll_fn(|cx| std::pin::Pin::new(&mut mon).poll_next(cx))
        .await
        .expect("an item")
        .expect("no error");
    let Item::Commit(c) = item else {
        panic!("{item:?}")
    };
    assert_eq!(c.generation, generation + 1);
    // A current-thread runtime pushes from this thread: the kernel names this task.
    let tid: u32 = std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|l| l.file_name()?.to_str()?.parse().ok())
        .expect("tid");
    let comm = std::fs::read_to_string("/proc/thread-self/comm").unwrap();
    assert_eq!(c.pid, Some(tid));
    assert_eq!(c.proc_name.as_deref(), Some(comm.trim_end()));
    match c.changes.as_slice() {
        [Change::Add(Entity::Table(t))] => assert_eq!(t.name(), "after"),
        other => panic!("{other:?}"),
    }
}
