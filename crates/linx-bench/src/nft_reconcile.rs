//! `nft-reconcile`: the cost of a reconcile push of a large tagged table with a few changed
//! rules, against the least work that change needs (a pull of the table plus a batch of just
//! the changed rules).
//!
//! Run it in a namespace of its own (`unshare -n`): it pushes table `inet lxbench_rec`
//! (`n` rules `ip saddr 10.x.y.z accept`, tagged `r<i>`) into the current namespace.
//!
//! # Contract
//! - Each repetition starts from the original table: a reconcile to the ruleset where `d`
//!   rules (`--drift` percent of `n`, spread evenly) match another address, then the
//!   baseline back to the original, so both have exactly `d` rules to change. The reconcile must send exactly `d`
//!   messages, all `replace_rule` ops, and a second run must send nothing: the run fails
//!   otherwise.
//! - The baseline pulls the table (`Scope::Table`) and sends a batch of exactly the `d`
//!   replacements (the same bytes the reconcile sends), timed together.
//! - Prints medians: `count=<n> changed=<d> messages=<m> reps=<r> reconcile_ms pull_ms
//!   push_ms ratio=<reconcile / (pull + push)> maxrss_kib`.

use std::net::Ipv4Addr;
use std::time::Instant;

use linx_netfilter::diff::{Op, OpKind, Patch};
use linx_netfilter::reconcile::{ReconcileOptions, encode_patch, reconcile};
use linx_netfilter::stmt::{HeaderField, Statement};
use linx_netfilter::{
    Chain, ChainType, Family, Hook, Mode, Policy, Priority, Rule, Ruleset, Scope, TableFlags,
    TableId,
};
use linx_netlink_sys::{Netns, Socket};

use crate::{BoxError, max_rss_kib};

const TABLE: &str = "lxbench_rec";

fn addr(i: u32, changed: bool) -> Ipv4Addr {
    let first = if changed { 172 } else { 10 };
    Ipv4Addr::new(first, (i >> 16) as u8, (i >> 8) as u8, i as u8)
}

/// Whether rule `i` of `n` is one of the `d` that drift (evenly spread).
fn drifts(i: u32, n: u32, d: u32) -> bool {
    let step = (n / d).max(1);
    i % step == 0 && i / step < d
}

fn ruleset(n: u32, d: u32, changed: bool) -> Result<Ruleset, BoxError> {
    let mut rs = Ruleset::new();
    let t = rs.add_table(Family::Inet, TABLE, TableFlags::empty())?;
    let rules = (0..n)
        .map(|i| {
            let a = addr(i, changed && drifts(i, n, d));
            Ok(Rule::from_statements(
                Family::Inet,
                [Statement::is(HeaderField::IpSaddr, a)?, Statement::accept()],
            )?
            .tag(format!("r{i}")))
        })
        .collect::<Result<Vec<Rule>, BoxError>>()?;
    t.add_chain(
        Chain::base("input", ChainType::Filter, Hook::Input, Priority::Value(0))
            .policy(Policy::Accept)
            .with_rules(rules),
    )?;
    Ok(rs)
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The baseline: pull the table, then send exactly the replacements that turn it into
/// `desired` (found by tag, without the diff).
fn pull_and_push(sock: &Socket, desired: &Ruleset, n: u32, d: u32) -> Result<(f64, f64), BoxError> {
    let t = Instant::now();
    let now = linx_netfilter::pull(sock, Scope::Table(Family::Inet, TABLE))?;
    let pull_ms = ms_since(t);
    let t = Instant::now();
    let have = now
        .table(Family::Inet, TABLE)
        .and_then(|t| t.chain("input"))
        .ok_or("pulled table has no chain input")?;
    let want = desired
        .table(Family::Inet, TABLE)
        .and_then(|t| t.chain("input"))
        .ok_or("desired table has no chain input")?;
    let mut patch = Patch::new();
    for i in (0..n).filter(|&i| drifts(i, n, d)) {
        let (Some(old), Some(new)) = (have.rules().get(i as usize), want.rules().get(i as usize))
        else {
            return Err("rule missing".into());
        };
        patch.push(Op::ReplaceRule {
            table: TableId::new(Family::Inet, TABLE),
            chain: "input".into(),
            handle: old.handle.ok_or("pulled rule without handle")?,
            rule: new.clone(),
        });
    }
    linx_nfnl::batch::send(sock, encode_patch(&patch)?.into_batch())?;
    Ok((pull_ms, ms_since(t)))
}

/// The scenario (see the module docs).
pub(crate) fn nft_reconcile(n: u32, pct: f64, reps: u32) -> Result<(), BoxError> {
    let d = ((f64::from(n) * pct / 100.0).round() as u32).clamp(1, n);
    let sock = linx_nfnl::open(Netns::Host)?;
    let original = ruleset(n, d, false)?;
    let changed = ruleset(n, d, true)?;
    linx_netfilter::push(&sock, &original, Mode::Replace)?;
    let opts = ReconcileOptions::new();
    let (mut rec, mut pull, mut push) = (Vec::new(), Vec::new(), Vec::new());
    let mut messages = 0;
    // Each repetition starts from the original: the reconcile turns it into the changed
    // ruleset, the baseline turns it back.
    let (to, back) = (&changed, &original);
    for _ in 0..reps {
        let t = Instant::now();
        let r = reconcile(&sock, to, &opts)?;
        rec.push(ms_since(t));
        if !r.sent || r.messages != d as usize || r.count(OpKind::ReplaceRule) != d as usize {
            return Err(format!("the reconcile should send exactly {d} replaces: {r}").into());
        }
        messages = r.messages;
        if reconcile(&sock, to, &opts)?.sent {
            return Err("a second reconcile sent a batch".into());
        }
        let (p, s) = pull_and_push(&sock, back, n, d)?;
        pull.push(p);
        push.push(s);
        // The baseline's batch must have converged too.
        if reconcile(&sock, back, &opts)?.sent {
            return Err("the baseline batch did not converge".into());
        }
    }
    let (rec, pull, push) = (median(&mut rec), median(&mut pull), median(&mut push));
    println!(
        "count={n} changed={d} messages={messages} reps={reps} reconcile_ms={rec:.2} \
         pull_ms={pull:.2} push_ms={push:.2} ratio={:.2} maxrss_kib={}",
        rec / (pull + push),
        max_rss_kib()
    );
    Ok(())
}
