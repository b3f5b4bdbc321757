//! The same push and pull on the tokio flavour (`AsyncSocket`).

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
