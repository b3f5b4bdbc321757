//! `cargo xtask`: Linx's developer tasks, written in Rust so they run wherever cargo does.
//!
//! Run it as `cargo xtask <command>` (an alias in `.cargo/config.toml`). The commands:
//! `test` (every test, kernel tests included), `ci` (what CI runs), `layers` (the workspace's
//! structural rules), `demo` (the tour examples) and `bench-peers` (not yet). `cargo xtask --help`
//! describes each.
//!
//! # Contract
//! - Tooling only: no library crate depends on this one (checked by `cargo xtask layers`), so
//!   it may use `anyhow` and print freely.
//! - Every external command is echoed before it runs and runs in the workspace root.
//! - Kernel tests are never skipped silently: when they cannot run, the command fails and says
//!   what to change.
//! - Exit status 0 means every requested step passed; errors go to stderr as `xtask: error: ...`.
#![forbid(unsafe_code)]

mod ci;
mod layers;
mod test;
mod util;

use std::process::ExitCode;

use anyhow::{Result, bail};

/// The `--help` text.
const HELP: &str = "\
cargo xtask: Linx developer tasks

USAGE:
    cargo xtask test [--rootless] [-- <cargo test args> [-- <test harness args>]]
        Preflight (ip, nsenter, unshare, nft; network namespaces), then every test, kernel tests
        included: cargo test --workspace --all-features -- --include-ignored. As a normal user,
        or with --rootless, the test binaries run under `unshare -r`. As root, missing tools are
        installed with apt-get. Fails if any test is skipped or none ran.
    cargo xtask ci
        What CI runs (.ci/run): fmt, clippy, layers, test, the kernel tests again under
        `unshare -r` (when root), doc. Stops at the first failing step.
    cargo xtask layers
        Checks that Linx crates depend only on crates below them, that unsafe code and socket
        code live only in linx-netlink-sys, that every other crate forbids unsafe code, and
        that no crate has an import cycle between its modules.
    cargo xtask demo
        Runs the tour examples (under `unshare -r` when not root): linx-netlink-codec's
        (sockets, the request engine), then linx-reconcile's (a container network declared
        by names, the monitor, the reconcile loop healing a change made by hand).
    cargo xtask bench-peers [SCENARIO...]
        Not yet implemented.
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the command line and runs the chosen command.
fn run() -> Result<()> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next()? {
        Some(Value(command)) => command.string()?,
        Some(Short('h') | Long("help")) => {
            print!("{HELP}");
            return Ok(());
        }
        Some(arg) => return Err(arg.unexpected().into()),
        None => {
            eprint!("{HELP}");
            bail!("no command given");
        }
    };
    let mut values = Vec::new();
    let mut rootless = false;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => {
                print!("{HELP}");
                return Ok(());
            }
            Long("rootless") if command == "test" => rootless = true,
            Value(value) if matches!(command.as_str(), "test" | "bench-peers") => {
                values.push(value.string()?);
            }
            arg => return Err(arg.unexpected().into()),
        }
    }
    match command.as_str() {
        "test" => {
            test::test(&test::TestRun {
                rootless,
                kernel_only: false,
                extra: values,
            })?;
            Ok(())
        }
        "ci" => ci::ci(),
        "layers" => layers::check(),
        "demo" => demo(),
        "bench-peers" => bail!(
            "bench-peers: not yet. Linx has no LINX_CMD_* commands for the peer benchmark yet; \
             run ../shared/bench/run-peers.sh {} to measure the peers alone",
            values.join(" ")
        ),
        other => {
            eprint!("{HELP}");
            bail!("unknown command `{other}`")
        }
    }
}

/// `cargo xtask demo`: runs the tour examples, under `unshare -r` when not root: the
/// foundation (`linx-netlink-codec`), then watching and converging rtnetlink
/// (`linx-reconcile`), then nf_tables (`linx-netfilter`: a firewall reconciled, a change made
/// with `nft` reported by the monitor and healed).
///
/// The tours open netlink sockets in throwaway namespaces, which needs root in some user
/// namespace; as a normal user cargo's runner setting wraps each built example in
/// `unshare -r`.
fn demo() -> Result<()> {
    if !util::is_root() {
        println!(
            "xtask demo: not root, so the tours run under `{}`",
            util::ROOTLESS_RUNNER
        );
    }
    // Example names are unique across the workspace (they share target/*/examples/).
    for (package, example) in [
        ("linx-netlink-codec", "tour"),
        ("linx-reconcile", "rtnl_tour"),
        ("linx-netfilter", "nft_tour"),
    ] {
        let mut cmd = util::cargo_command(&[
            "run",
            "--quiet",
            "-p",
            package,
            "--example",
            example,
            "--all-features",
        ]);
        if !util::is_root() {
            cmd.env(util::runner_env_var()?, util::ROOTLESS_RUNNER);
        }
        util::run(&mut cmd)?;
    }
    Ok(())
}
