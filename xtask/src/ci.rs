//! `cargo xtask ci`: exactly what CI runs (`.ci/run` calls it), one step after another.
//!
//! # Contract
//! - Steps run in a fixed order and the first failure stops the run: formatting and lints are
//!   cheap and come first, the kernel tests and docs last.
//! - Each step prints a header naming it and the command it stands for, and its wall time when
//!   it ends; the run ends with a summary of all step times.
//! - The test steps call [`crate::test::test`] in this process (no nested `cargo xtask`). As
//!   root, the kernel tests run twice: as root, and again under `unshare -r` (kernel tests only),
//!   so the rootless path users take is checked too.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::test::{TestRun, test};
use crate::util::{self, cargo_command, run};

/// One CI step: a short name, the command line it stands for, and the work.
struct Step {
    /// Short name for headers and the summary.
    name: &'static str,
    /// What the step runs, for the header.
    what: &'static str,
    /// The work itself; returns how many tests passed (0 for steps that run none).
    run: fn() -> Result<u64>,
}

/// The CI steps, in order. The rootless test pass is included only when running as root.
fn steps(root: bool) -> Vec<Step> {
    let mut steps = vec![
        Step {
            name: "fmt",
            what: "cargo fmt --all --check",
            run: || run(&mut cargo_command(&["fmt", "--all", "--check"])).map(|()| 0),
        },
        Step {
            name: "clippy",
            what: "cargo clippy --workspace --all-targets --all-features -- -D warnings",
            run: || {
                run(&mut cargo_command(&[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--all-features",
                    "--",
                    "-D",
                    "warnings",
                ]))
                .map(|()| 0)
            },
        },
        Step {
            name: "layers",
            what: "cargo xtask layers",
            run: || crate::layers::check().map(|()| 0),
        },
        Step {
            name: "test",
            what: "cargo xtask test",
            run: || test(&TestRun::default()).map(|t| t.passed),
        },
    ];
    if root {
        steps.push(Step {
            name: "test-rootless",
            what: "kernel tests only, under `unshare -r`: cargo test --workspace --all-features --tests -- --ignored",
            run: || {
                test(&TestRun {
                    rootless: true,
                    kernel_only: true,
                    extra: Vec::new(),
                })
                .map(|t| t.passed)
            },
        });
    }
    steps.push(Step {
        name: "doc",
        what: "RUSTDOCFLAGS='-D warnings' cargo doc --workspace --no-deps --all-features",
        run: || {
            run(
                cargo_command(&["doc", "--workspace", "--no-deps", "--all-features"])
                    .env("RUSTDOCFLAGS", "-D warnings"),
            )
            .map(|()| 0)
        },
    });
    steps
}

/// Runs every CI step, failing fast.
pub(crate) fn ci() -> Result<()> {
    let steps = steps(util::is_root());
    let total = steps.len();
    let start = Instant::now();
    let mut times = Vec::new();
    let mut passed = 0;
    for (n, step) in steps.iter().enumerate() {
        println!();
        println!(
            "==> xtask ci [{}/{total}] {}: {}",
            n + 1,
            step.name,
            step.what
        );
        let step_start = Instant::now();
        let result = (step.run)();
        let took = step_start.elapsed();
        match result {
            Ok(tests) => {
                passed += tests;
                println!(
                    "==> xtask ci [{}/{total}] {}: ok in {}",
                    n + 1,
                    step.name,
                    human(took)
                );
                times.push((step.name, took));
            }
            Err(e) => {
                println!(
                    "==> xtask ci [{}/{total}] {}: FAILED after {}",
                    n + 1,
                    step.name,
                    human(took)
                );
                return Err(e).with_context(|| format!("ci step `{}` failed", step.name));
            }
        }
    }
    println!();
    println!("==> xtask ci: summary");
    for (name, took) in &times {
        println!("    {name:<14} {:>8}", human(*took));
    }
    println!(
        "xtask ci: all {total} steps passed in {}",
        human(start.elapsed())
    );
    // The plain closing line CI reads: every test of both test passes.
    println!("ci: {passed} passed, 0 failed");
    Ok(())
}

/// A duration as `12.3s` or `4m05s`.
fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_in_order() {
        let names = |root| steps(root).iter().map(|s| s.name).collect::<Vec<_>>();
        assert_eq!(names(false), ["fmt", "clippy", "layers", "test", "doc"]);
        assert_eq!(
            names(true),
            ["fmt", "clippy", "layers", "test", "test-rootless", "doc"]
        );
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::from_millis(12_340)), "12.3s");
        assert_eq!(human(Duration::from_secs(245)), "4m05s");
    }
}
