//! The `nft` example's `apply`: a short-lived process keeps its tables after it exits unless
//! told otherwise (`--owned`), and says which tables it released.

mod support;
use support::example_binary;

use std::process::Command;

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
