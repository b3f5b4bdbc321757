//! `nft-monitor`: the nf_tables monitor receiving one large commit.
//!
//! A monitor subscribes (receive buffer `--rcvbuf`, 4 MiB by default), then the nft-rules
//! table of `n` rules is pushed in one batch from another thread; the monitor reads until
//! the `NEWGEN` of that commit closes it. The issue requires every rule of the commit to
//! arrive: a `ResyncNeeded`, or a commit with fewer rules than pushed, is an error.
//!
//! Prints `count=<n> rule_events=<r> changes=<c> resync=0 push_ms=<ms> op_ms=<ms>
//! events_per_s=<e> rcvbuf=<granted> maxrss_kib=<k>`: `op_ms` from just before the push to
//! the commit delivered (decoded: every rule with its expressions), `push_ms` the push alone.

use std::time::Instant;

use linx_netfilter::monitor::{Change, Entity, Item, Monitor, MonitorOptions};
use linx_netfilter::{Mode, push};
use linx_netlink_sys::Netns;

use crate::{BoxError, max_rss_kib, nft_rules_ruleset};

pub(crate) fn nft_monitor(n: u32, rcvbuf: usize) -> Result<(), BoxError> {
    let rs = nft_rules_ruleset(n)?;
    let opts = MonitorOptions::new().rcvbuf(rcvbuf);
    let mut mon = Monitor::with_options(Netns::Host, &opts)?;
    let granted = mon.rcvbuf();
    let sock = linx_nfnl::open(Netns::Host)?;
    let t0 = Instant::now();
    let pusher = std::thread::spawn(move || -> Result<f64, String> {
        push(&sock, &rs, Mode::Replace).map_err(|e| e.to_string())?;
        Ok(t0.elapsed().as_secs_f64() * 1e3)
    });
    let commit = loop {
        match mon.next() {
            Some(Ok(Item::Commit(c)))
                if c.changes.iter().any(
                    |ch| matches!(ch, Change::Add(Entity::Table(t)) if t.name() == "lxbench"),
                ) =>
            {
                break c;
            }
            Some(Ok(Item::ResyncNeeded)) => {
                return Err(format!(
                    "notifications lost (ENOBUFS) with a receive buffer of {granted} bytes: \
                     raise --rcvbuf"
                )
                .into());
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Err("the monitor ended".into()),
        }
    };
    let op_ms = t0.elapsed().as_secs_f64() * 1e3;
    let push_ms = pusher.join().map_err(|_| "the push thread panicked")??;
    let rules = commit
        .changes
        .iter()
        .filter(|ch| matches!(ch, Change::Add(Entity::Rule { .. })))
        .count();
    if rules != n as usize {
        return Err(format!("silent loss: {rules} rule events for {n} rules").into());
    }
    println!(
        "count={n} rule_events={rules} changes={} resync=0 push_ms={push_ms:.2} op_ms={op_ms:.2} \
         events_per_s={:.0} rcvbuf={granted} maxrss_kib={}",
        commit.changes.len(),
        commit.changes.len() as f64 / (op_ms / 1e3),
        max_rss_kib()
    );
    Ok(())
}
