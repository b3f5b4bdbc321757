//! The README's nf_tables firewall, held true: it is built here with the README's own code,
//! pushed into a fresh namespace, and `nft list ruleset` must print exactly the text the
//! README shows, as must Linx's [`Printer`] from a pull.
//!
//! How the README and this file stay in sync (checked by
//! `readme_code_and_listing_are_this_test`, no kernel needed):
//! - the README's Rust block after the line `<!-- tests/readme_firewall.rs: code -->` is the
//!   regions of this file between `// README begin` and `// README end`, in order, each with
//!   its indentation removed, joined by one blank line; the one difference allowed is that
//!   the README opens the host's namespace (`linx_nfnl::open(Netns::Host)`) where this test
//!   opens its own (`linx_nfnl::open(netns)`);
//! - the README's text block after `<!-- tests/readme_firewall.rs: listing -->` is compared
//!   verbatim (tabs included) with Linx's printer on the built model here, and with `nft list
//!   ruleset` and Linx's printer after a push and pull in the kernel test.

mod support;
use support::example_binary;

use std::error::Error;
use std::process::Command;

use linx_netlink_sys::{Netns, Socket};
use linx_testns::TestNs;

// README begin
use linx_ip::ip;
use linx_netfilter::expr::{CtKey, MetaKey};
use linx_netfilter::stmt::{Field, HeaderField, Statement as S};
use linx_netfilter::{
    Chain, ChainType, CtState, Family, Hook, KeyType, Mode, Policy, Printer, Priority, Rule,
    Ruleset, Scope, Set, TableFlags,
};
// README end

/// The README's ruleset, built with its code.
fn build() -> Result<Ruleset, Box<dyn Error>> {
    // README begin
    let mut rs = Ruleset::new();
    let fw = rs.add_table(Family::Inet, "firewall", TableFlags::default())?;
    fw.add_set(
        Set::new("blocklist", KeyType::Ipv4Addr)
            .interval()
            .element(ip!("192.0.2.0/24"))
            .element(ip!("198.51.100.0/25")),
    )?;
    let input = Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER);
    fw.add_chain(input.policy(Policy::Drop))?;
    // Statements, lowered for an inet table with the protocol matches nft adds:
    // `tcp dport 22` matches TCP only, `ip saddr` IPv4 packets only.
    let est = (CtState::ESTABLISHED | CtState::RELATED).bits(); // established,related
    let input_rules = [
        vec![S::any_of(Field::Ct(CtKey::State), est)?, S::accept()],
        vec![S::is(Field::Meta(MetaKey::Iifname), "lo")?, S::accept()],
        vec![S::in_named(HeaderField::IpSaddr, "blocklist")?, S::drop()],
        vec![S::is(HeaderField::TcpDport, 22u16)?, S::accept()],
    ];
    for stmts in input_rules {
        fw.add_rule("input", Rule::from_statements(Family::Inet, stmts)?)?;
    }
    let nat = Chain::base("nat", ChainType::Nat, Hook::Prerouting, Priority::DSTNAT);
    fw.add_chain(nat)?;
    let forward = [
        S::is(HeaderField::TcpDport, 8080u16)?,
        S::dnat(Some(Family::Ip), ip!("192.0.2.10"), Some(80u16.into()))?,
    ];
    fw.add_rule("nat", Rule::from_statements(Family::Inet, forward)?)?;
    // This program exits after the push: keep the table. Tables are `owner` tables by
    // default, which the kernel deletes when the socket that pushed them closes.
    rs.release_ownership();
    // README end
    Ok(rs)
}

/// The README's push, pull and print, in `netns`; returns the socket and the printed text.
fn push_and_print(rs: Ruleset, netns: Netns) -> Result<(Socket, String), Box<dyn Error>> {
    // README begin
    let sock = linx_nfnl::open(netns)?;
    linx_netfilter::push(&sock, &rs, Mode::Replace)?; // one atomic batch; other tables untouched
    let back = linx_netfilter::pull(&sock, Scope::All)?; // the same value, handles filled in
    assert_eq!(back.canonical(), rs.canonical());
    let text = Printer::new().ruleset(&back); // what `nft list ruleset` prints (below)
    // README end
    Ok((sock, text))
}

const README: &str = include_str!("../../../README.md");
const THIS_FILE: &str = include_str!("readme_firewall.rs");

/// The fenced block right after the line `marker` in the README (without the fences).
fn readme_block(marker: &str) -> String {
    let mut lines = README.lines().skip_while(|l| l.trim() != marker).skip(1);
    let fence = lines.next().unwrap_or_default();
    assert!(
        fence.starts_with("```"),
        "README: the line after {marker:?} must open a fenced block, found {fence:?}"
    );
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("```")).collect();
    let mut text = body.join("\n");
    text.push('\n');
    text
}

/// This file's `// README begin` .. `// README end` regions, dedented, joined by a blank line.
fn marked_regions() -> String {
    let mut regions: Vec<String> = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in THIS_FILE.lines() {
        match (line.trim(), current.as_mut()) {
            ("// README begin", None) => current = Some(Vec::new()),
            ("// README end", Some(lines)) => {
                let indent = lines
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| l.len() - l.trim_start().len())
                    .min()
                    .unwrap_or(0);
                let text: Vec<&str> = lines
                    .iter()
                    .map(|l| l.get(indent..).unwrap_or(""))
                    .collect();
                regions.push(text.join("\n"));
                current = None;
            }
            (_, Some(lines)) => lines.push(line),
            (_, None) => {}
        }
    }
    assert_eq!(regions.len(), 3, "three README regions in this file");
    let mut text = regions.join("\n\n");
    text.push('\n');
    text
}

/// The listing the README shows.
fn readme_listing() -> String {
    readme_block("<!-- tests/readme_firewall.rs: listing -->")
}

#[test]
fn readme_code_and_listing_are_this_test() {
    let readme_code = readme_block("<!-- tests/readme_firewall.rs: code -->")
        .replace("linx_nfnl::open(Netns::Host)", "linx_nfnl::open(netns)");
    let ours = marked_regions();
    assert!(
        readme_code == ours,
        "the README's firewall code and tests/readme_firewall.rs differ:\n--- README\n{readme_code}\n--- test\n{ours}"
    );
    let rs = build().expect("the README's ruleset builds");
    rs.validate().expect("and validates");
    assert_eq!(Printer::new().ruleset(&rs), readme_listing());
}

/// `nft list ruleset` in `ns`.
fn nft_listing(ns: &TestNs) -> String {
    let out = ns.run("nft", &["list", "ruleset"]);
    assert!(
        out.status.success(),
        "nft list ruleset: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The example's `list` with `extra` arguments in `ns`: its stdout.
fn example_list(ns: &TestNs, extra: &[&str]) -> String {
    let path = ns.path().display().to_string();
    let out = Command::new(example_binary())
        .args(["-n", &path, "list"])
        .args(extra)
        .output()
        .expect("run the nft example");
    assert!(
        out.status.success(),
        "nft example list {extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn readme_firewall_lists_as_the_readme_shows() {
    let want = readme_listing();
    let rs = build().expect("the README's ruleset builds");
    let ns = TestNs::new();
    let (sock, printed) = push_and_print(rs, ns.netns()).expect("push and pull");
    assert_eq!(printed, want, "Linx's printer after a pull");
    assert_eq!(nft_listing(&ns), want, "nft list ruleset");

    // Released tables outlive the socket that pushed them.
    drop(sock);
    assert_eq!(
        nft_listing(&ns),
        want,
        "nft list ruleset after the socket closed"
    );

    // The nft example prints the same text, and its JSON carries the statements.
    assert_eq!(example_list(&ns, &[]), want, "the nft example's list");
    let text = example_list(&ns, &["--json"]);
    assert_eq!(
        example_list(&ns, &["--json"]),
        text,
        "list --json is deterministic"
    );
    let json: serde_json::Value = serde_json::from_str(&text).expect("list --json is JSON");
    let table = &json["tables"][0];
    assert_eq!(table["family"], "inet");
    assert_eq!(table["name"], "firewall");
    let chains = table["chains"].as_array().expect("chains");
    let rules: Vec<&serde_json::Value> = chains
        .iter()
        .flat_map(|c| c["rules"].as_array().expect("rules"))
        .collect();
    assert_eq!(rules.len(), 5);
    for r in &rules {
        assert!(r.get("exprs").is_none(), "every rule lifts: {r}");
        assert!(r["handle"].is_u64(), "handles are listed: {r}");
    }
    let dnat = &chains[1]["rules"][0]["statements"];
    assert_eq!(
        *dnat,
        serde_json::json!([
            {"match": {"key": {"header": "tcp_dport"}, "op": "eq", "value": {"int": 8080}}},
            {"nat": {"kind": "dnat", "family": "ip", "addr": {"ip": "192.0.2.10"}, "port": {"int": 80}}}
        ])
    );
    let lo = &chains[0]["rules"][1]["statements"][0]["match"];
    assert_eq!(lo["key"]["meta"], "iifname");
    assert_eq!(lo["value"]["ifname"], "lo");
    let block = &chains[0]["rules"][2]["statements"][0]["match"];
    assert_eq!(block["value"]["set_ref"], "blocklist");
    let set = &table["sets"][0];
    assert_eq!(set["name"], "blocklist");
}
