//! Small process and environment helpers shared by the subcommands.
//!
//! # Contract
//! - Every command runs with the workspace root as its working directory, so `cargo xtask` works
//!   from any directory inside the checkout.
//! - Every command that does work is echoed (`$ ...`) before it runs, so a log shows exactly what
//!   was executed; read-only queries through [`output`] (`rustc -vV`, `cargo metadata`) are not.
//! - Children get a `PATH` with the `sbin` directories appended ([`tool_path`]): on Debian a normal
//!   user's `PATH` lacks `/usr/sbin`, where `ip` and `nft` live.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};

/// The cargo runner that runs each test or example binary in a user namespace mapping the caller
/// to root (`unshare -r`): how kernel tests and the demo run without root.
pub(crate) const ROOTLESS_RUNNER: &str = "unshare -r";

/// Directories appended to `PATH` for child processes when they are missing from it.
const SBIN_DIRS: [&str; 3] = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/// The workspace root: the parent of this crate's manifest directory.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The cargo binary to run: the one that started us (`$CARGO`, set by `cargo run`), else `cargo`.
pub(crate) fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Whether this process runs with effective uid 0, read from `/proc/self/status`.
///
/// Read from procfs rather than a syscall because xtask forbids `unsafe` code like every Linx
/// crate except `linx-netlink-sys`.
pub(crate) fn is_root() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}

/// `$PATH` with [`SBIN_DIRS`] appended where missing.
pub(crate) fn tool_path() -> OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&current).collect();
    for dir in SBIN_DIRS {
        if !dirs.iter().any(|d| d == Path::new(dir)) {
            dirs.push(dir.into());
        }
    }
    // join_paths fails only if a directory contains ':'; then keep PATH as it was.
    std::env::join_paths(dirs).unwrap_or(current)
}

/// Finds an executable named `name` on [`tool_path`].
pub(crate) fn find_tool(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    std::env::split_paths(&tool_path())
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// A [`Command`] for `program` that runs in the workspace root with [`tool_path`] as `PATH`.
pub(crate) fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(workspace_root()).env("PATH", tool_path());
    cmd
}

/// A `cargo` [`Command`] (see [`cargo`]) with the given arguments.
pub(crate) fn cargo_command(args: &[&str]) -> Command {
    let mut cmd = command(cargo());
    cmd.args(args);
    cmd
}

/// Renders a command as a shell-like line: the environment it sets explicitly (other than
/// `PATH`), then the program and its arguments.
pub(crate) fn display(cmd: &Command) -> String {
    let mut words = Vec::new();
    for (key, value) in cmd.get_envs() {
        if key == "PATH" {
            continue;
        }
        if let Some(value) = value {
            words.push(format!(
                "{}={}",
                key.to_string_lossy(),
                quote(&value.to_string_lossy())
            ));
        }
    }
    // Show `cargo`, not the full path of the toolchain's cargo binary.
    let program = Path::new(cmd.get_program());
    let program = if program.file_name() == Some(OsStr::new("cargo")) {
        OsStr::new("cargo")
    } else {
        program.as_os_str()
    };
    words.push(program.to_string_lossy().into_owned());
    words.extend(cmd.get_args().map(|a| quote(&a.to_string_lossy())));
    words.join(" ")
}

/// Quotes `word` for display if it contains characters a shell would split or expand.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Echoes `cmd`, runs it with inherited stdio and fails unless it exits successfully.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let line = display(cmd);
    println!("$ {line}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs the query `cmd` without echoing it and returns its stdout; stderr is passed through.
pub(crate) fn output(cmd: &mut Command) -> Result<String> {
    let line = display(cmd);
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start `{line}`"))?;
    if !out.status.success() {
        bail!("`{line}` failed ({})", out.status);
    }
    String::from_utf8(out.stdout).with_context(|| format!("`{line}` printed non-UTF-8 output"))
}

/// The cargo runner variable for the host target, `CARGO_TARGET_<TRIPLE>_RUNNER`, with the triple
/// taken from `rustc -vV` (`$RUSTC` if set).
pub(crate) fn runner_env_var() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = output(command(rustc).arg("-vV"))?;
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .context("`rustc -vV` printed no `host:` line")?;
    Ok(runner_var_for(host.trim()))
}

/// `CARGO_TARGET_<TRIPLE>_RUNNER` for `triple`, spelled the way cargo reads it.
fn runner_var_for(triple: &str) -> String {
    let triple: String = triple
        .chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    format!("CARGO_TARGET_{triple}_RUNNER")
}

/// The `.rs` files under `dir`, sorted, skipping `target` and hidden directories.
pub(crate) fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if entry.file_type()?.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    dirs.push(path);
                }
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_leaves_plain_words_alone() {
        assert_eq!(quote("--include-ignored"), "--include-ignored");
        assert_eq!(quote("unshare -r"), "'unshare -r'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn display_shows_env_and_args() {
        let mut cmd = command("cargo");
        cmd.env("RUSTDOCFLAGS", "-D warnings")
            .args(["doc", "--no-deps"]);
        assert_eq!(
            display(&cmd),
            "RUSTDOCFLAGS='-D warnings' cargo doc --no-deps"
        );
    }

    #[test]
    fn runner_var_uses_cargo_spelling() {
        assert_eq!(
            runner_var_for("x86_64-unknown-linux-gnu"),
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"
        );
        assert_eq!(
            runner_var_for("thumbv7em-none-eabihf"),
            "CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUNNER"
        );
    }

    #[test]
    fn tool_path_contains_sbin() {
        let path = tool_path();
        assert!(std::env::split_paths(&path).any(|d| d == Path::new("/usr/sbin")));
    }
}
