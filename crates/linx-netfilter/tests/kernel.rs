//! push / pull / create_table against the kernel, each test in its own network namespace,
//! cross-checked with `nft -j list ruleset`.

use linx_ip::ip;
use linx_netfilter::expr::nat::{dnat_to, masquerade, snat_to};
use linx_netfilter::expr::{Log, LogFlags, RateUnit, RejectType};
use linx_netfilter::{
    Chain, ChainType, CtState, DataType, Expr, Family, Flowtable, Hook, KeyType, Map, Mode,
    NetfilterError, Object, ObjectType, Policy, Priority, Rule, Ruleset, Scope, Set, SetElement,
    TableFlags, Verdict, create_table, pull, push,
};
use linx_netlink_codec::Errno;
use linx_netlink_sys::Socket;
use linx_testns::TestNs;
use serde_json::Value;

/// `nft -j list ruleset` in `ns`: the `nftables` array.
fn nft_json(ns: &TestNs) -> Vec<Value> {
    let out = ns.run("nft", &["-j", "list", "ruleset"]);
    assert!(
        out.status.success(),
        "nft: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("nft -j prints JSON");
    v["nftables"].as_array().expect("nftables array").clone()
}

/// The objects of kind `kind` (`"table"`, `"chain"`, `"rule"`, `"set"`, `"map"`...) nft lists.
fn nft_objects(ns: &TestNs, kind: &str) -> Vec<Value> {
    nft_json(ns)
        .into_iter()
        .filter_map(|o| o.get(kind).cloned())
        .collect()
}

fn nft(ns: &TestNs, args: &[&str]) {
    let out = ns.run("nft", args);
    assert!(
        out.status.success(),
        "nft {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn open(ns: &TestNs) -> Socket {
    linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER in the test namespace")
}

/// A ruleset using every feature the issue lists: NAT, sets (interval, concat, interval
/// concat), maps and vmaps (named and literal), counters, quota, limit, log, ct state, tags
/// and comments.
fn rich() -> Ruleset {
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "app", TableFlags::default())
        .unwrap();
    t.add_object(Object::counter("web_hits").comment("port 80 and 443"))
        .unwrap();
    t.add_object(Object::quota("monthly", 10 << 30)).unwrap();
    t.add_object(Object::limit("ssh_rate", 10, RateUnit::Minute))
        .unwrap();
    t.add_set(
        Set::new("blocklist", KeyType::Ipv4Addr)
            .interval()
            .elements([
                SetElement::from(ip!("10.0.0.0/8")),
                SetElement::from(ip!("192.168.1.1")),
                SetElement::range(ip!("172.16.0.1"), ip!("172.16.0.9")),
            ])
            .comment("bad hosts"),
    )
    .unwrap();
    t.add_set(
        Set::new("v6block", KeyType::Ipv6Addr)
            .interval()
            .elements([SetElement::from(ip!("2001:db8::/32"))]),
    )
    .unwrap();
    t.add_set(
        Set::new(
            "pairs",
            KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]),
        )
        .elements([
            SetElement::concat([SetElement::from(ip!("10.1.1.1")), SetElement::port(22)]),
            SetElement::concat([SetElement::from(ip!("10.1.1.2")), SetElement::port(443)]),
        ]),
    )
    .unwrap();
    t.add_set(
        Set::new(
            "nets_ports",
            KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]),
        )
        .interval()
        .elements([SetElement::concat([
            SetElement::from(ip!("10.2.0.0/16")),
            SetElement::range(
                linx_netfilter::ElemValue::Port(1000),
                linx_netfilter::ElemValue::Port(2000),
            ),
        ])]),
    )
    .unwrap();
    t.add_set(
        Set::new("ports", KeyType::InetService)
            .elements([SetElement::port(8080), SetElement::port(8443)]),
    )
    .unwrap();
    t.add_set(
        Set::new("marks", KeyType::Mark).elements([SetElement::mark(7), SetElement::mark(0x100)]),
    )
    .unwrap();
    t.add_set(
        Set::new("meters", KeyType::Ipv4Addr)
            .dynamic()
            .timeout(60_000),
    )
    .unwrap();
    t.add_map(
        Map::new(
            "redirects",
            KeyType::InetService,
            DataType::Value(KeyType::Ipv4Addr),
        )
        .element(SetElement::port(80), ip!("10.9.0.1"))
        .element(SetElement::port(81), ip!("10.9.0.2")),
    )
    .unwrap();
    t.add_map(
        Map::vmap("dispatch", KeyType::InetService)
            .element(SetElement::port(22), Verdict::Jump("ssh".into()))
            .element(SetElement::port(25), Verdict::Drop),
    )
    .unwrap();

    t.add_chain(Chain::regular("ssh")).unwrap();
    t.add_chain(Chain::regular("web")).unwrap();
    t.add_chain(
        Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop),
    )
    .unwrap();
    t.add_chain(Chain::base(
        "fwd",
        ChainType::Filter,
        Hook::Forward,
        Priority::FILTER.offset(10),
    ))
    .unwrap();
    let input = |t: &mut linx_netfilter::Table, r: Rule| {
        t.add_rule("input", r).unwrap();
    };
    input(
        t,
        Rule::new(Expr::ct_state(&[CtState::ESTABLISHED, CtState::RELATED]))
            .accept()
            .tag("est"),
    );
    input(
        t,
        Rule::new(Expr::ct_state(&[CtState::INVALID]))
            .drop()
            .tag("invalid"),
    );
    input(
        t,
        Rule::new(Expr::meta_iifname_eq("lo"))
            .accept()
            .tag("lo")
            .comment("loopback"),
    );
    input(
        t,
        Rule::new(Expr::meta_nfproto_eq(2))
            .expr(Expr::ip_saddr())
            .expr(Expr::lookup("blocklist"))
            .expr(Expr::counter())
            .drop()
            .tag("block"),
    );
    input(
        t,
        Rule::new(Expr::meta_l4proto_eq(6))
            .expr(Expr::tcp_dport())
            .expr(Expr::set_literal(
                KeyType::InetService,
                [SetElement::port(80), SetElement::port(443)],
            ))
            .expr(Expr::objref(ObjectType::Counter, "web_hits"))
            .jump("web")
            .tag("web"),
    );
    input(
        t,
        Rule::new(Expr::meta_l4proto_eq(6))
            .expr(Expr::tcp_dport())
            .expr(Expr::vmap("dispatch"))
            .tag("dispatch"),
    );
    input(
        t,
        Rule::new(Expr::meta_l4proto_eq(17))
            .expr(Expr::udp_dport())
            .expr(Expr::vmap_literal(
                KeyType::InetService,
                [
                    (SetElement::port(53), Verdict::Accept),
                    (SetElement::port(123), Verdict::Drop),
                ],
            ))
            .tag("udp"),
    );
    input(
        t,
        Rule::new(Expr::meta_mark_eq(0x42))
            .expr(Expr::limit(5, RateUnit::Second))
            .accept()
            .tag("mark"),
    );
    input(
        t,
        Rule::new([Expr::quota(1 << 20)])
            .expr(Expr::log_group(5, Some("over: ")))
            .drop()
            .tag("quota"),
    );
    input(
        t,
        Rule::new(Expr::meta_l4proto_eq(6))
            .expr(Expr::reject(RejectType::TcpReset))
            .tag("reset")
            .comment("tcp gets a reset"),
    );
    input(
        t,
        Rule::new([Expr::from(
            Log::new(
                None,
                Some("drop ".into()),
                None,
                None,
                Some(4),
                LogFlags::TCP_SEQ | LogFlags::IP_OPT,
            )
            .unwrap(),
        )])
        .tag("log"),
    );
    t.add_rule(
        "ssh",
        Rule::new([Expr::objref(ObjectType::Limit, "ssh_rate")]).accept(),
    )
    .unwrap();
    t.add_rule(
        "web",
        Rule::new([Expr::objref(ObjectType::Quota, "monthly")]).accept(),
    )
    .unwrap();

    let nat = rs
        .add_table(Family::Ip, "nat", TableFlags::default())
        .unwrap();
    nat.add_chain(Chain::base(
        "pre",
        ChainType::Nat,
        Hook::Prerouting,
        Priority::DSTNAT,
    ))
    .unwrap();
    nat.add_chain(Chain::base(
        "post",
        ChainType::Nat,
        Hook::Postrouting,
        Priority::SRCNAT,
    ))
    .unwrap();
    nat.add_rule(
        "pre",
        Rule::new(Expr::meta_l4proto_eq(6))
            .exprs(Expr::tcp_dport_eq(8080))
            .exprs(dnat_to(ip!("10.0.0.2"), 80)),
    )
    .unwrap();
    nat.add_rule(
        "post",
        Rule::new(Expr::meta_oifname_eq("eth1"))
            .exprs(snat_to(ip!("192.0.2.1"), None))
            .tag("snat"),
    )
    .unwrap();
    nat.add_rule(
        "post",
        Rule::new(Expr::meta_oifname_eq("eth0"))
            .exprs(masquerade())
            .tag("masq"),
    )
    .unwrap();
    rs
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn rich_ruleset_round_trips_and_nft_agrees() {
    let ns = TestNs::new();
    let sock = open(&ns);
    let rs = rich();
    push(&sock, &rs, Mode::Replace).expect("push the rich ruleset");

    // Pull ∘ push = identity on the model.
    let pulled = pull(&sock, Scope::All).expect("pull");
    assert_eq!(pulled.canonical(), rs.canonical());
    // Kernel handles are filled in.
    let app = pulled.table(Family::Inet, "app").unwrap();
    assert!(app.handle.is_some());
    assert!(app.chains().iter().all(|c| c.handle.is_some()));
    assert!(
        app.chains()
            .iter()
            .flat_map(|c| c.rules())
            .all(|r| r.handle.is_some())
    );

    // One table alone.
    let one = pull(&sock, Scope::Table(Family::Ip, "nat")).expect("pull one table");
    assert_eq!(one.len(), 1);
    assert_eq!(
        one.canonical().table(Family::Ip, "nat"),
        rs.canonical().table(Family::Ip, "nat")
    );

    // nft agrees: tables, chains with hook/prio/policy, rule counts, set elements.
    let tables: Vec<String> = nft_objects(&ns, "table")
        .iter()
        .map(|t| {
            format!(
                "{}/{}",
                t["family"].as_str().unwrap(),
                t["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(tables.len(), 2, "{tables:?}");
    assert!(tables.contains(&"inet/app".to_string()) && tables.contains(&"ip/nat".to_string()));
    let chains = nft_objects(&ns, "chain");
    let input = chains.iter().find(|c| c["name"] == "input").unwrap();
    assert_eq!(
        (
            input["hook"].as_str(),
            input["prio"].as_i64(),
            input["policy"].as_str()
        ),
        (Some("input"), Some(0), Some("drop"))
    );
    let fwd = chains.iter().find(|c| c["name"] == "fwd").unwrap();
    assert_eq!(fwd["prio"].as_i64(), Some(10));
    let post = chains.iter().find(|c| c["name"] == "post").unwrap();
    assert_eq!(
        (post["type"].as_str(), post["prio"].as_i64()),
        (Some("nat"), Some(100))
    );
    let rules = nft_objects(&ns, "rule");
    for t in rs.tables() {
        for c in t.chains() {
            let n = rules
                .iter()
                .filter(|r| {
                    r["family"] == t.family().as_str()
                        && r["table"] == t.name()
                        && r["chain"] == c.name()
                })
                .count();
            assert_eq!(n, c.rules().len(), "rules of {}/{}", t.id(), c.name());
        }
    }
    let comments: Vec<&str> = rules.iter().filter_map(|r| r["comment"].as_str()).collect();
    assert!(
        comments.contains(&"loopback") && comments.contains(&"tcp gets a reset"),
        "{comments:?}"
    );
    let sets = nft_objects(&ns, "set");
    let blocklist = sets.iter().find(|s| s["name"] == "blocklist").unwrap();
    assert_eq!(
        blocklist["elem"].as_array().map(Vec::len),
        Some(3),
        "{blocklist}"
    );
    assert_eq!(blocklist["comment"].as_str(), Some("bad hosts"));
    let pairs = sets.iter().find(|s| s["name"] == "pairs").unwrap();
    assert_eq!(pairs["elem"].as_array().map(Vec::len), Some(2));
    let maps = nft_objects(&ns, "map");
    let dispatch = maps.iter().find(|m| m["name"] == "dispatch").unwrap();
    assert_eq!(dispatch["map"].as_str(), Some("verdict"));
    assert_eq!(dispatch["elem"].as_array().map(Vec::len), Some(2));
    let counters = nft_objects(&ns, "counter");
    assert_eq!(counters.len(), 1);
    assert_eq!(nft_objects(&ns, "quota").len(), 1);
    assert_eq!(nft_objects(&ns, "limit").len(), 1);

    // Pushing the pulled ruleset again changes nothing.
    push(&sock, &pulled, Mode::Replace).expect("push the pulled ruleset");
    assert_eq!(pull(&sock, Scope::All).unwrap().canonical(), rs.canonical());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn foreign_table_survives_every_push() {
    let ns = TestNs::new();
    nft(&ns, &["add", "table", "inet", "foreign"]);
    nft(
        &ns,
        &[
            "add",
            "chain",
            "inet",
            "foreign",
            "c",
            "{ type filter hook input priority 0; }",
        ],
    );
    nft(&ns, &["add", "rule", "inet", "foreign", "c", "counter"]);
    let sock = open(&ns);
    for _ in 0..2 {
        push(&sock, &rich(), Mode::Replace).unwrap();
        let tables = nft_objects(&ns, "table");
        assert!(tables.iter().any(|t| t["name"] == "foreign"), "{tables:?}");
        let rules = nft_objects(&ns, "rule");
        assert_eq!(rules.iter().filter(|r| r["table"] == "foreign").count(), 1);
    }
    // And it is pulled like any other table (its counter is a modelled expression).
    let pulled = pull(&sock, Scope::Table(Family::Inet, "foreign")).unwrap();
    assert_eq!(
        pulled.table(Family::Inet, "foreign").unwrap().rule_count(),
        1
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn bad_rule_mid_batch_is_reported_by_index_and_nothing_is_applied() {
    let ns = TestNs::new();
    let sock = open(&ns);
    // A good ruleset first.
    let mut good = Ruleset::new();
    let t = good
        .add_table(Family::Inet, "app", TableFlags::default())
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
    push(&sock, &good, Mode::Replace).unwrap();

    // The same table with a rule the kernel refuses in the middle: an expression it does
    // not know.
    let mut bad = good.clone();
    let t = bad.table_mut(Family::Inet, "app").unwrap();
    t.add_rule(
        "input",
        Rule::new([Expr::unknown("no_such_expr", vec![])]).tag("bad"),
    )
    .unwrap();
    t.add_rule(
        "input",
        Rule::new(Expr::meta_l4proto_eq(6))
            .exprs(Expr::tcp_dport_eq(80))
            .accept()
            .tag("http"),
    )
    .unwrap();
    let err = push(&sock, &bad, Mode::Replace).unwrap_err();
    match &err {
        NetfilterError::Refused {
            batch_seq,
            what,
            error,
            ..
        } => {
            // destroy table, table, chain, rule ssh, rule bad: message 5.
            assert_eq!(*batch_seq, Some(5), "{err}");
            assert_eq!(what.as_deref(), Some("rule 2 of inet/app/input (tag bad)"));
            assert_eq!(error.errno, Errno::ENOENT, "{err}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Nothing of the bad batch applied: the good ruleset is still there, intact.
    let pulled = pull(&sock, Scope::All).unwrap();
    assert_eq!(pulled.canonical(), good.canonical());
    assert_eq!(nft_objects(&ns, "rule").len(), 1);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn flowtables_are_a_typed_error_on_this_kernel() {
    let ns = TestNs::new();
    let sock = open(&ns);
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "ft", TableFlags::default())
        .unwrap();
    t.add_flowtable(Flowtable::new("f", ["lo"])).unwrap();
    let err = push(&sock, &rs, Mode::Replace).unwrap_err();
    assert!(
        matches!(
            err,
            NetfilterError::Unsupported {
                feature: "flowtables",
                ..
            }
        ),
        "expected Unsupported flowtables, got {err:?}"
    );
    assert!(nft_objects(&ns, "table").is_empty(), "nothing applied");
    // Pull still works on a kernel without flowtables.
    assert!(pull(&sock, Scope::All).unwrap().is_empty());
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn owner_table_goes_with_its_socket_persist_stays() {
    let ns = TestNs::new();
    let owner = open(&ns);
    let t = create_table(&owner, Family::Inet, "owned", false).unwrap();
    assert_eq!(t.flags, TableFlags::OWNER);
    let persist = open(&ns);
    create_table(&persist, Family::Inet, "kept", true).unwrap();
    // `nft list tables` (text): nft 1.0.6 prints broken JSON for a table flagged `persist`.
    let names = |ns: &TestNs| -> Vec<String> {
        let out = ns.run("nft", &["list", "tables"]);
        assert!(
            out.status.success(),
            "nft list tables: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("table inet "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(names(&ns).len(), 2);
    // Re-creating from the owning socket is create-or-update.
    create_table(&owner, Family::Inet, "owned", false).unwrap();
    // Another socket may not take an owned table.
    let other = open(&ns);
    let err = create_table(&other, Family::Inet, "owned", false).unwrap_err();
    assert!(matches!(err, NetfilterError::Refused { .. }), "{err:?}");
    drop(owner);
    drop(persist);
    // The kernel releases owner tables when the socket is destroyed (asynchronously).
    let mut left = names(&ns);
    for _ in 0..50 {
        if !left.contains(&"owned".to_string()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        left = names(&ns);
    }
    assert_eq!(left, ["kept"]);
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn missing_table_pull_is_enoent() {
    let ns = TestNs::new();
    let sock = open(&ns);
    let err = pull(&sock, Scope::Table(Family::Inet, "nope")).unwrap_err();
    assert_eq!(err.errno(), Some(Errno::ENOENT), "{err}");
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn unknown_expressions_survive_pull_and_push() {
    let ns = TestNs::new();
    nft(&ns, &["add", "table", "inet", "x"]);
    nft(
        &ns,
        &[
            "add",
            "chain",
            "inet",
            "x",
            "c",
            "{ type filter hook prerouting priority 0; }",
        ],
    );
    nft(
        &ns,
        &[
            "add",
            "rule",
            "inet",
            "x",
            "c",
            "fib daddr type local counter accept",
        ],
    );
    nft(
        &ns,
        &[
            "add",
            "rule",
            "inet",
            "x",
            "c",
            "meta mark set numgen inc mod 2",
        ],
    );
    let before = ns.run("nft", &["list", "table", "inet", "x"]).stdout;
    let sock = open(&ns);
    let pulled = pull(&sock, Scope::All).unwrap();
    let rules = pulled
        .table(Family::Inet, "x")
        .unwrap()
        .chain("c")
        .unwrap()
        .rules()
        .to_vec();
    assert!(
        rules[0]
            .exprs
            .iter()
            .any(|e| matches!(e, Expr::Unknown(raw) if raw.name() == "fib")),
        "{:?}",
        rules[0]
    );
    let mut again = pulled.clone();
    again.table_mut(Family::Inet, "x").unwrap().flags = TableFlags::empty();
    push(&sock, &again, Mode::Replace).unwrap();
    let after = ns.run("nft", &["list", "table", "inet", "x"]).stdout;
    assert_eq!(
        String::from_utf8_lossy(&after),
        String::from_utf8_lossy(&before)
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn ten_thousand_rules_and_a_hundred_thousand_elements_in_one_push() {
    let ns = TestNs::new();
    let sock = open(&ns);
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "big", TableFlags::default())
        .unwrap();
    let addr = |i: u32| {
        linx_ip::Ip::from(std::net::Ipv4Addr::new(
            10,
            (i >> 16) as u8,
            (i >> 8) as u8,
            i as u8,
        ))
    };
    t.add_set(
        Set::new("addrs", KeyType::Ipv4Addr)
            .elements((0..100_000).map(|i| SetElement::from(addr(i)))),
    )
    .unwrap();
    t.add_chain(
        Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).with_rules(
            (0..10_000).map(|i| {
                Rule::new(Expr::meta_nfproto_eq(2))
                    .exprs(Expr::ip_saddr_eq(addr(i)))
                    .accept()
            }),
        ),
    )
    .unwrap();
    push(&sock, &rs, Mode::Replace).expect("one batch of 10k rules and 100k elements");
    let pulled = pull(&sock, Scope::All).unwrap();
    let big = pulled.table(Family::Inet, "big").unwrap();
    assert_eq!(big.rule_count(), 10_000);
    assert_eq!(big.set("addrs").unwrap().elements.len(), 100_000);
    let (a, b) = (pulled.canonical(), rs.canonical());
    let (ta, tb) = (
        a.table(Family::Inet, "big").unwrap(),
        b.table(Family::Inet, "big").unwrap(),
    );
    assert_eq!(ta.sets(), tb.sets());
    for (ra, rb) in ta.chains()[0].rules().iter().zip(tb.chains()[0].rules()) {
        assert_eq!(ra, rb);
    }
    assert_eq!(a, b);
}
