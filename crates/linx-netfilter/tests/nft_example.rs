//! The `nft` example's `apply`: a short-lived process keeps its tables after it exits unless
//! told otherwise (`--owned`), and says which tables it released. Its `monitor` prints the
//! changes `nft` makes, in nft syntax or as JSON.

mod support;
use support::example_binary;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use linx_testns::TestNs;

/// Runs `nft apply FILE extra...` in `ns`; returns (success, stdout, stderr).
fn apply(ns: &TestNs, file: &std::path::Path, extra: &[&str]) -> (bool, String, String) {
    let path = ns.path().display().to_string();
    let out = Command::new(example_binary())
        .args(["-n", &path, "apply", file.to_str().unwrap()])
        .args(extra)
        .output()
        .expect("run the nft example");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tables(ns: &TestNs) -> String {
    let out = ns.run("nft", &["list", "tables"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn apply_keeps_its_tables_after_exit_unless_owned() {
    let dir = std::env::temp_dir().join(format!("linx-nft-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rs.json");
    // No "flags": the format's default is ["owner"].
    std::fs::write(&file, r#"{"tables":[{"family":"inet","name":"app"}]}"#).unwrap();

    let ns = TestNs::new();
    let (ok, out, err) = apply(&ns, &file, &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("kept after exit") && out.contains("inet/app"),
        "{out}"
    );
    assert!(
        tables(&ns).contains("table inet app"),
        "the table must outlive the process"
    );

    let ns = TestNs::new();
    let (ok, out, err) = apply(&ns, &file, &["--owned"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("deleted by the kernel when this program exits"),
        "{out}"
    );
    assert!(
        !tables(&ns).contains("app"),
        "an owner table dies with its socket"
    );

    let (ok, _, err) = apply(&ns, &file, &["--hold"]);
    assert!(!ok && err.contains("--owned"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Starts `nft monitor extra...` in `ns`, waits until it has subscribed, runs `nft` with
/// each of `changes`, and returns the monitor's stdout lines.
fn monitor(ns: &TestNs, extra: &[&str], changes: &[&[&str]]) -> Vec<String> {
    let path = ns.path().display().to_string();
    let mut child = Command::new(example_binary())
        .args(["-n", &path, "monitor"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the nft example");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "# monitoring");
    for args in changes {
        let out = ns.run("nft", args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Runs `nft [-n ns] args...`; returns (success, stdout, stderr).
fn example(ns: &TestNs, args: &[&str]) -> (bool, String, String) {
    let path = ns.path().display().to_string();
    let out = Command::new(example_binary())
        .args(["-n", &path])
        .args(args)
        .output()
        .expect("run the nft example");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn monitor_prints_each_change_in_nft_syntax_or_json() {
    let ns = TestNs::new();
    let changes: [&[&str]; 3] = [
        &["add", "table", "inet", "app"],
        &[
            "add",
            "chain",
            "inet",
            "app",
            "input",
            "{ type filter hook input priority 0; }",
        ],
        &[
            "add", "rule", "inet", "app", "input", "tcp", "dport", "22", "accept",
        ],
    ];
    let lines = monitor(&ns, &["--count", "3"], &changes);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].ends_with("): add table inet app"), "{lines:?}");
    assert!(
        lines[0].starts_with("gen ") && lines[0].contains(" by nft (pid "),
        "{lines:?}"
    );
    assert!(
        lines[1].ends_with(
            "add chain inet app input { type filter hook input priority filter; policy accept; }"
        ),
        "{lines:?}"
    );
    assert!(
        lines[2].ends_with("add rule inet app input handle 2 tcp dport 22 accept"),
        "{lines:?}"
    );

    let ns = TestNs::new();
    let lines = monitor(&ns, &["--json", "--count", "2"], &changes[..2]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["op"], "add");
    assert_eq!(v["kind"], "table");
    assert_eq!(v["proc_name"], "nft");
    assert!(v["generation"].as_u64().unwrap() > 0);
    let v: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["table"].as_str()),
        (Some("chain"), Some("app"))
    );
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn reconcile_sends_the_difference_and_dry_run_sends_nothing() {
    let dir = std::env::temp_dir().join(format!("linx-nft-reconcile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rs.json");
    // The file as the model writes it (`Ruleset::to_json`, the format `apply` reads).
    let rules = |port: u16| {
        use linx_netfilter::{Chain, Expr, Family, Rule, Ruleset, TableFlags};
        let mut rs = Ruleset::new();
        let t = rs
            .add_table(Family::Inet, "app", TableFlags::empty())
            .unwrap();
        t.add_chain(Chain::regular("c")).unwrap();
        t.add_rule("c", Rule::new([]).accept().tag("a")).unwrap();
        t.add_rule(
            "c",
            Rule::new(Expr::meta_l4proto_eq(6))
                .exprs(Expr::tcp_dport_eq(port))
                .drop()
                .tag("b"),
        )
        .unwrap();
        rs.to_json()
    };
    std::fs::write(&file, rules(22)).unwrap();
    let f = file.to_str().unwrap();
    let ns = TestNs::new();

    // Dry run on an empty namespace: the whole table as nft commands, nothing sent.
    let (ok, out, err) = example(&ns, &["reconcile", f, "--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("add table inet app"), "{out}");
    assert!(out.contains("nothing sent"), "{out}");
    assert!(!tables(&ns).contains("app"));

    let (ok, out, err) = example(&ns, &["reconcile", f]);
    assert!(ok, "{err}");
    assert!(out.contains("# sent 4 messages"), "{out}");
    let listed = ns.run("nft", &["list", "chain", "inet", "app", "c"]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.contains("tcp dport 22 drop"), "{listed}");

    // Again: in sync, nothing sent.
    let (ok, out, err) = example(&ns, &["reconcile", f]);
    assert!(ok, "{err}");
    assert!(out.contains("# in sync at generation"), "{out}");

    // One rule changed: the dry run shows one replace, the reconcile sends one message.
    std::fs::write(&file, rules(2222)).unwrap();
    let (ok, out, err) = example(&ns, &["reconcile", f, "--dry-run"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("replace rule inet app c handle ") && out.contains("tcp dport 2222 drop"),
        "{out}"
    );
    let (ok, out, err) = example(&ns, &["reconcile", f]);
    assert!(ok, "{err}");
    assert!(out.contains("# sent 1 message ("), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}
