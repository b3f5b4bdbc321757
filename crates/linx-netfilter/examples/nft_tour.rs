//! A tour of converging and watching nf_tables with Linx: a firewall declared in statements, a
//! dry run, a reconcile that sends only what differs, a monitor that names who changed the
//! ruleset, and a reconcile loop woken by that monitor healing a change made with `nft`.
//! (Named `nft_tour`: example binaries of every package share `target/*/examples/`.)
//!
//! Everything happens in a throwaway network namespace; the host's ruleset is never touched.
//! Run it with `cargo xtask demo` (it needs root or `unshare -r`, which xtask arranges) or
//! `cargo run -p linx-netfilter --example nft_tour` as root. It needs the `nft` tool for the
//! "foreign" change.

use std::ops::ControlFlow;
use std::sync::mpsc;
use std::time::Duration;

use linx_netfilter::diff::OpKind;
use linx_netfilter::expr::{CtKey, MetaKey};
use linx_netfilter::monitor::{Item, MonitorOptions, snapshot};
use linx_netfilter::reconcile::{ReconcileOptions, reconcile, run_on_wake};
use linx_netfilter::stmt::{Field, HeaderField, Statement as S};
use linx_netfilter::{
    Chain, ChainType, CtState, Family, Hook, Policy, Printer, Priority, Rule, Ruleset, Scope,
    TableFlags,
};
use linx_testns::TestNs;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn step(n: u32, what: &str) {
    println!("\n== {n}. {what}");
}

/// The firewall this program owns: one table, every rule tagged so that the reconcile can
/// replace, insert and delete single rules (an untagged chain is rebuilt whole).
fn desired() -> Result<Ruleset, BoxError> {
    let mut rs = Ruleset::new();
    // Not an owner table: an admin's `nft` may change it (owner tables refuse every other
    // socket with EPERM), and the loop below puts it back.
    let fw = rs.add_table(Family::Inet, "app", TableFlags::empty())?;
    let input = Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER);
    fw.add_chain(input.policy(Policy::Drop))?;
    let est = (CtState::ESTABLISHED | CtState::RELATED).bits();
    let rules = [
        (
            "established",
            vec![S::any_of(Field::Ct(CtKey::State), est)?, S::accept()],
        ),
        (
            "loopback",
            vec![S::is(Field::Meta(MetaKey::Iifname), "lo")?, S::accept()],
        ),
        (
            "ssh",
            vec![S::is(HeaderField::TcpDport, 22u16)?, S::accept()],
        ),
        (
            "dns",
            vec![S::is(HeaderField::UdpDport, 53u16)?, S::accept()],
        ),
    ];
    for (tag, stmts) in rules {
        fw.add_rule(
            "input",
            Rule::from_statements(Family::Inet, stmts)?.tag(tag),
        )?;
    }
    Ok(rs)
}

/// `nft args...` inside the namespace; fails the tour when nft does.
fn nft(ns: &TestNs, args: &[&str]) -> Result<String, BoxError> {
    let out = ns.run("nft", args);
    if !out.status.success() {
        return Err(format!(
            "nft {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() -> Result<(), BoxError> {
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns())?;
    let printer = Printer::new();
    let want = desired()?;
    let opts = ReconcileOptions::new();

    step(
        1,
        "someone else's table, made with nft (Linx must never touch it)",
    );
    nft(&ns, &["add", "table", "ip", "docker"])?;
    nft(
        &ns,
        &[
            "add",
            "chain",
            "ip",
            "docker",
            "DOCKER",
            "{ type filter hook forward priority 0; }",
        ],
    )?;
    nft(
        &ns,
        &[
            "add",
            "rule",
            "ip",
            "docker",
            "DOCKER",
            "ip",
            "saddr",
            "172.17.0.0/16",
            "accept",
        ],
    )?;
    let docker_before = nft(&ns, &["list", "table", "ip", "docker"])?;
    print!("{docker_before}");

    step(2, "dry run: what a reconcile would send, as nft commands");
    let current = linx_netfilter::pull(&sock, Scope::All)?;
    let patch = linx_netfilter::diff::diff(&current, &want);
    println!("{patch}");
    print!("{}", patch.to_nft(&printer));

    step(3, "reconcile: one batch guarded by the ruleset generation");
    let r = reconcile(&sock, &want, &opts)?;
    println!("{r}");
    print!("{}", nft(&ns, &["list", "table", "inet", "app"])?);
    let again = reconcile(&sock, &want, &opts)?;
    println!("a second pass: {again}");
    assert!(!again.sent, "a converged ruleset sends nothing");

    step(
        4,
        "a monitor: every commit with its generation and the process that made it",
    );
    let (snap, at, mut mon) = snapshot(ns.netns(), &MonitorOptions::new())?;
    println!(
        "snapshot at generation {at}: {} tables; later commits only",
        snap.tables().count()
    );
    // An admin deletes our ssh rule with nft (the snapshot has its handle).
    let ssh = snap
        .table(Family::Inet, "app")
        .and_then(|t| t.chain("input"))
        .and_then(|c| c.rules().iter().find(|r| r.tag.as_deref() == Some("ssh")))
        .and_then(|r| r.handle)
        .ok_or("the ssh rule has no handle")?;
    let handle = ssh.to_string();
    nft(
        &ns,
        &["delete", "rule", "inet", "app", "input", "handle", &handle],
    )?;
    let seen = mon
        .next_timeout(Duration::from_secs(5))?
        .ok_or("the monitor saw no commit")?;
    let Item::Commit(commit) = seen else {
        return Err(format!("unexpected monitor item {seen:?}").into());
    };
    for event in commit.events() {
        println!("{event}");
    }

    step(
        5,
        "the reconcile loop, woken by the monitor, heals the change",
    );
    let (wake, wakes) = mpsc::channel::<()>();
    let watcher = std::thread::spawn(move || {
        // One commit: the healing one (by this process) ends the tour's watch.
        for item in mon.by_ref().take(1) {
            match item {
                Ok(Item::Commit(c)) => {
                    c.events().for_each(|e| println!("  monitor: {e}"));
                }
                Ok(other) => println!("  monitor: {other:?}"),
                Err(e) => println!("  monitor error: {e}"),
            }
            let _ = wake.send(());
        }
    });
    // The first pass (at start) heals; the monitor then reports that commit, which wakes
    // one more pass: in sync, nothing sent. The loop stops there.
    let mut healed = 0;
    run_on_wake(&sock, &want, &opts, wakes.iter(), |pass| match pass {
        Ok(r) if r.sent => {
            healed += r.count(OpKind::CreateRule);
            println!("  pass: {r}");
            print!("{}", indent(&r.patch.to_nft(&printer)));
            ControlFlow::Continue(())
        }
        Ok(r) => {
            println!("  pass: {r}");
            ControlFlow::Break(())
        }
        Err(e) => {
            println!("  pass failed: {e}");
            ControlFlow::Break(())
        }
    });
    watcher.join().map_err(|_| "the monitor thread panicked")?;
    assert_eq!(healed, 1, "the deleted rule is created again");

    step(
        6,
        "the result, as nft lists it; the docker table is as it was",
    );
    print!("{}", nft(&ns, &["list", "table", "inet", "app"])?);
    let docker_after = nft(&ns, &["list", "table", "ip", "docker"])?;
    assert_eq!(docker_before, docker_after, "a foreign table was changed");
    println!("ip docker: unchanged");
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
