//! Fidelity on rulesets `nft` wrote: every file of `tests/corpus/` is loaded with `nft -f` into
//! a fresh namespace, pulled by Linx, pushed into a second fresh namespace, and `nft list
//! ruleset` of both must agree line by line (counters, quota usage and expiry times
//! normalised). Every difference of every file is collected and the test fails with all of
//! them.
//!
//! `LINX_CORPUS=DIR` runs the same check on another directory of `.nft` files (for example a
//! checkout of nftables' own test rulesets); `LINX_CORPUS_ONLY=substring` keeps only the files
//! whose name contains it.

use std::path::{Path, PathBuf};

use linx_netfilter::{Mode, Scope, pull, push};
use linx_netlink_sys::Socket;
use linx_testns::TestNs;

fn open(ns: &TestNs) -> Socket {
    linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER in the test namespace")
}

/// `nft list ruleset` in `ns`, or nft's complaint.
fn listing(ns: &TestNs) -> Result<String, String> {
    let out = ns.run("nft", &["list", "ruleset"]);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "nft list ruleset failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Replaces the words after `key` that change with time or traffic by `*`.
fn normalise(line: &str) -> String {
    const VOLATILE: [&str; 4] = ["packets", "bytes", "expires", "used"];
    let mut out = Vec::new();
    let mut words = line.split(' ').peekable();
    while let Some(w) = words.next() {
        out.push(w.to_string());
        if VOLATILE.contains(&w) {
            if let Some(v) = words.next() {
                // Keep a trailing separator (`expires 9s,` / `expires 9s }`).
                let tail: String = v
                    .chars()
                    .skip_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                    .collect();
                out.push(format!("*{tail}"));
            }
        }
    }
    out.join(" ")
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(normalise).collect()
}

/// The first differing lines of two listings, with a little context.
fn difference(a: &[String], b: &[String]) -> String {
    let first = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = first.saturating_sub(3);
    let mut s = String::new();
    for (i, line) in a.iter().enumerate().skip(from).take(8) {
        s += &format!("  nft wrote  {:5}: {line}\n", i + 1);
    }
    for (i, line) in b.iter().enumerate().skip(from).take(8) {
        s += &format!("  linx wrote {:5}: {line}\n", i + 1);
    }
    s
}

/// Round-trips one file; `Err` says what differed.
fn round_trip(file: &Path) -> Result<usize, String> {
    let a = TestNs::new();
    let out = a.run("nft", &["-f", &file.display().to_string()]);
    if !out.status.success() {
        return Err(format!(
            "nft -f refused the file: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let want = listing(&a)?;
    let sock_a = open(&a);
    let rs = pull(&sock_a, Scope::All).map_err(|e| format!("pull: {e}"))?;

    let b = TestNs::new();
    let sock_b = open(&b);
    push(&sock_b, &rs, Mode::Replace).map_err(|e| format!("push: {e}"))?;
    let got = listing(&b).map_err(|e| format!("after push, {e}"))?;
    drop(sock_b);

    let (want, got) = (lines(&want), lines(&got));
    if want == got {
        Ok(want.len())
    } else {
        Err(format!(
            "`nft list ruleset` differs ({} lines vs {}):\n{}",
            want.len(),
            got.len(),
            difference(&want, &got)
        ))
    }
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = std::env::var_os("LINX_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"));
    let only = std::env::var("LINX_CORPUS_ONLY").unwrap_or_default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus directory {}: {e}", dir.display()))
        .map(|e| e.expect("read the corpus directory").path())
        .filter(|p| p.extension().is_some_and(|x| x == "nft"))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&only))
        .collect();
    files.sort();
    files
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn every_corpus_ruleset_survives_pull_and_push_unchanged() {
    let files = corpus_files();
    assert!(!files.is_empty(), "no .nft files in the corpus");
    let mut failures = Vec::new();
    let mut lines = 0;
    for file in &files {
        match round_trip(file) {
            Ok(n) => lines += n,
            Err(why) => failures.push(format!("{}: {why}", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus files did not round-trip:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} corpus files, {lines} listing lines identical",
        files.len()
    );
}

/// A pulled ruleset changed into one the kernel refuses (a set policy it does not know, kept
/// as a raw attribute) fails with the set named, and the second namespace keeps exactly what
/// it held: the batch is atomic.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn a_refused_pulled_set_is_named_and_nothing_is_applied() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let a = TestNs::new();
    let sets = dir.join("12-named-sets.nft");
    assert!(
        a.run("nft", &["-f", &sets.display().to_string()])
            .status
            .success()
    );
    let mut rs = pull(&open(&a), Scope::All).expect("pull");

    let b = TestNs::new();
    let filter = dir.join("01-inet-filter.nft");
    assert!(
        b.run("nft", &["-f", &filter.display().to_string()])
            .status
            .success()
    );
    let before = listing(&b).expect("listing before");

    let set = rs
        .table_mut(linx_netfilter::Family::Inet, "sets")
        .expect("table inet sets")
        .set_mut("v6")
        .expect("set v6");
    // NFTA_SET_POLICY (8), big-endian 99: neither performance (0) nor memory (1).
    set.extras
        .attrs
        .extend_from_slice(&[8, 0, 8, 0, 0, 0, 0, 99]);
    let err = push(&open(&b), &rs, Mode::Replace).expect_err("the kernel refuses policy 99");
    let text = err.to_string();
    assert!(
        matches!(
            err,
            linx_netfilter::NetfilterError::Refused {
                batch_seq: Some(_),
                ..
            }
        ),
        "a refusal of one message of the batch: {err:?}"
    );
    eprintln!("refused as: {text}");
    assert!(
        text.contains("set v6 of inet/sets"),
        "the error names the set: {text}"
    );
    assert_eq!(
        listing(&b).expect("listing after"),
        before,
        "nothing of the refused batch is applied"
    );
}
