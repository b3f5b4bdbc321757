//! `cargo xtask test`: every test of the workspace, kernel tests included, never silently skipped.
//!
//! Kernel tests are ordinary `#[test]`s marked [`KERNEL_TEST_MARKER`], so a bare `cargo test` as a
//! normal user passes without touching the kernel. Each kernel test makes its own network
//! namespace (crate `linx-testns`); this command only makes sure that can work, then runs
//! `cargo test -- --include-ignored`, as root directly, otherwise with every test binary under
//! `unshare -r` (a user namespace that maps the caller to root).
//!
//! # Contract
//! - Preflight first, and loudly: `ip`, `nsenter`, `unshare` and `nft` must be on `PATH` (as
//!   root, missing Debian packages are installed with `apt-get`; otherwise the command fails and
//!   says what to install), and a network namespace must be creatable. Nothing is skipped.
//! - The test output is streamed to the terminal and scanned: the run fails if cargo fails, if no
//!   test passed, or if any test was reported as ignored (which would mean a kernel test did not
//!   run). With no extra arguments it also fails when the workspace has no kernel test at all,
//!   and, when only kernel tests run ([`TestRun::kernel_only`]), when fewer pass than the sources
//!   mark.
//! - Doc tests do not use the cargo runner, so under `unshare -r` they run unprivileged; they
//!   must not need the kernel (style: such examples are `no_run`).
//! - The last line is `tests: N passed, M failed`, N and M summed over all test binaries.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context as _, Result, bail};

use crate::util::{self, cargo_command, command, find_tool};

/// The attribute that marks a kernel test; counted in the sources under `crates/`.
pub(crate) const KERNEL_TEST_MARKER: &str = "#[ignore = \"kernel test";

/// Tools the kernel tests use, with the Debian package that provides each.
const TOOLS: [(&str, &str); 4] = [
    ("ip", "iproute2"),
    ("nsenter", "util-linux"),
    ("unshare", "util-linux"),
    ("nft", "nftables"),
];

/// What one `cargo xtask test` run does.
#[derive(Debug, Default)]
pub(crate) struct TestRun {
    /// Run the test binaries under `unshare -r` even when root (always done when not root).
    pub(crate) rootless: bool,
    /// Run only the kernel tests (`--tests -- --ignored`) instead of every test.
    pub(crate) kernel_only: bool,
    /// Extra arguments for `cargo test`; anything after a further `--` goes to the test harness.
    pub(crate) extra: Vec<String>,
}

/// Test counts summed over every `test result:` line of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    /// How many `test result:` lines (test binaries and doc-test runs) were seen.
    pub(crate) results: u64,
    /// Tests that passed.
    pub(crate) passed: u64,
    /// Tests that failed.
    pub(crate) failed: u64,
    /// Tests the harness reported as ignored.
    pub(crate) ignored: u64,
}

impl Totals {
    /// Adds the counts of `line` if it is a libtest summary line such as
    /// `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; ...`.
    fn scan(&mut self, line: &str) {
        let Some(rest) = line.trim_start().strip_prefix("test result: ") else {
            return;
        };
        self.results += 1;
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                "ignored" => self.ignored += count,
                _ => {}
            }
        }
    }
}

/// Runs the preflight checks and the tests described by `run`; returns the summed counts.
pub(crate) fn test(run: &TestRun) -> Result<Totals> {
    let root = util::is_root();
    let rootless = run.rootless || !root;
    preflight(root, rootless)?;

    let kernel_tests = count_kernel_tests(&util::workspace_root().join("crates"))?;
    println!(
        "xtask test: found {kernel_tests} kernel tests (`{KERNEL_TEST_MARKER}: ...\"]`) under crates/"
    );
    if kernel_tests == 0 && run.extra.is_empty() {
        bail!(
            "found no kernel tests under crates/: kernel tests are `#[test]`s marked \
             `{KERNEL_TEST_MARKER}: run with cargo xtask test\"]`; without them nothing checks Linx \
             against the kernel"
        );
    }

    let (cargo_extra, harness_extra) = match run.extra.iter().position(|a| a == "--") {
        Some(i) => (&run.extra[..i], &run.extra[i + 1..]),
        None => (&run.extra[..], &[][..]),
    };
    let mut cmd = cargo_command(&["test"]);
    // `--workspace` would override a package selection given by the caller.
    let selects_packages = cargo_extra
        .iter()
        .any(|a| a == "-p" || a.starts_with("--package") || (a.starts_with("-p") && a.len() > 2));
    if !selects_packages {
        cmd.arg("--workspace");
    }
    cmd.args(["--all-features", "--no-fail-fast"]);
    if run.kernel_only {
        // Doc tests cannot be kernel tests (they do not use the runner): leave them out.
        cmd.arg("--tests");
    }
    cmd.args(cargo_extra).arg("--");
    cmd.arg(if run.kernel_only {
        "--ignored"
    } else {
        "--include-ignored"
    });
    cmd.args(harness_extra);
    if rootless {
        cmd.env(util::runner_env_var()?, util::ROOTLESS_RUNNER);
    }

    let line = util::display(&cmd);
    println!("$ {line}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{line}`"))?;
    let stdout = child
        .stdout
        .take()
        .context("cargo test's stdout was not captured")?;
    let totals = stream_and_scan(stdout, std::io::stdout().lock())?;
    let status = child.wait().context("waiting for cargo test")?;

    println!("tests: {} passed, {} failed", totals.passed, totals.failed);
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    if totals.results == 0 {
        bail!("cargo test printed no `test result:` line: no test binary ran");
    }
    if totals.ignored > 0 {
        bail!(
            "{} tests were reported ignored although the harness was told to run ignored tests: \
             kernel tests must never be skipped",
            totals.ignored
        );
    }
    if totals.passed == 0 {
        bail!("no test passed: zero tests (and so zero kernel tests) ran");
    }
    // Only ignored tests ran: every kernel test found in the sources must be among them.
    if run.kernel_only && run.extra.is_empty() && totals.passed < kernel_tests as u64 {
        bail!(
            "only {} ignored tests passed, but the sources mark {kernel_tests} kernel tests: \
             some were compiled out or not run",
            totals.passed
        );
    }
    Ok(totals)
}

/// Copies `from` (the child's stdout) to `to` as it arrives and scans each complete line for
/// results.
fn stream_and_scan(mut from: impl std::io::Read, mut to: impl std::io::Write) -> Result<Totals> {
    let mut totals = Totals::default();
    let mut pending = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading cargo test's output"),
        };
        to.write_all(&buf[..n])?;
        to.flush()?;
        pending.extend_from_slice(&buf[..n]);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            totals.scan(&String::from_utf8_lossy(&pending[..end]));
            pending.drain(..=end);
        }
    }
    totals.scan(&String::from_utf8_lossy(&pending));
    Ok(totals)
}

/// Makes sure the kernel tests can run here, installing missing tools when root.
fn preflight(root: bool, rootless: bool) -> Result<()> {
    let names: Vec<&str> = TOOLS.iter().map(|(tool, _)| *tool).collect();
    println!(
        "xtask test: preflight: looking for {} on PATH",
        names.join(", ")
    );
    let mut missing: Vec<(&str, &str)> = TOOLS
        .iter()
        .copied()
        .filter(|(tool, _)| find_tool(tool).is_none())
        .collect();
    if !missing.is_empty() {
        let mut packages: Vec<&str> = missing.iter().map(|(_, package)| *package).collect();
        packages.dedup();
        let tools: Vec<&str> = missing.iter().map(|(tool, _)| *tool).collect();
        if !root {
            bail!(
                "kernel tests need {} on PATH: install {} (Debian/Ubuntu: `sudo apt-get install \
                 {}`), or run `cargo xtask test` as root, which installs them with apt-get",
                tools.join(", "),
                packages.join(", "),
                packages.join(" ")
            );
        }
        if find_tool("apt-get").is_none() {
            bail!(
                "kernel tests need {} on PATH and apt-get is not available to install {}",
                tools.join(", "),
                packages.join(", ")
            );
        }
        println!(
            "xtask test: preflight: {} missing; running as root, so installing {} with apt-get",
            tools.join(", "),
            packages.join(", ")
        );
        for args in [
            &["update", "-qq"][..],
            &[&["install", "-y", "-qq"][..], &packages].concat(),
        ] {
            util::run(
                command("apt-get")
                    .args(args)
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .stdin(Stdio::null()),
            )?;
        }
        missing.retain(|(tool, _)| find_tool(tool).is_none());
        if let Some((tool, package)) = missing.first() {
            bail!("`{tool}` is still not on PATH after installing {package}");
        }
    }
    for (tool, _) in TOOLS {
        if let Some(path) = find_tool(tool) {
            println!("xtask test: preflight:   {tool}: {}", path.display());
        }
    }

    let flags = if rootless { "-rn" } else { "-n" };
    println!(
        "xtask test: preflight: checking that a network namespace can be made: unshare {flags} true"
    );
    let out = command("unshare")
        .args([flags, "true"])
        .stdin(Stdio::null())
        .output()
        .context("could not start unshare")?;
    if !out.status.success() {
        bail!(
            "kernel tests need network namespaces: run as root or allow unprivileged user \
             namespaces (sysctl kernel.unprivileged_userns_clone=1). `unshare {flags} true` \
             failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Counts [`KERNEL_TEST_MARKER`] occurrences in the `.rs` files under `dir`.
fn count_kernel_tests(dir: &Path) -> Result<usize> {
    let mut count = 0;
    for file in util::rust_files(dir)? {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        count += text.matches(KERNEL_TEST_MARKER).count();
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_sums_result_lines() {
        let mut totals = Totals::default();
        for line in [
            "running 3 tests",
            "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            "test foo ... ok",
            "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 4 filtered out; finished in 0.20s",
            "test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
        ] {
            totals.scan(line);
        }
        assert_eq!(
            totals,
            Totals {
                results: 3,
                passed: 5,
                failed: 1,
                ignored: 1
            }
        );
    }

    #[test]
    fn stream_handles_partial_lines() {
        // Built at run time so this file holds no summary line of its own.
        let input = [
            "test a ... ok\n",
            "test result",
            ": ok. 2 passed; 0 failed; 0 ignored\n",
        ]
        .concat()
        .repeat(2);
        let input = input.trim_end();
        let mut copy = Vec::new();
        let totals = stream_and_scan(input.as_bytes(), &mut copy).expect("slices cannot fail");
        assert_eq!((totals.results, totals.passed), (2, 4));
        assert_eq!(copy, input.as_bytes());
    }
}
