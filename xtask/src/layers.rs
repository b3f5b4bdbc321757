//! `cargo xtask layers`: the workspace's structural rules, checked mechanically.
//!
//! Linx is a stack (style guide §1): `linx-netlink-sys` at the bottom holds the socket and the
//! only `unsafe` code; `linx-netlink-codec` frames messages; family crates (`linx-rtnl`,
//! `linx-nfnl`, `linx-netfilter`) sit above and never open sockets themselves. Rules that are
//! only written down erode, so this module checks them on every CI run.
//!
//! # Contract
//! Five rules, each reported with every violation at once (not just the first):
//! 1. **Dependencies point down.** Each workspace crate's normal and build dependencies on Linx
//!    crates (and on `xtask`) must be in its row of [`LAYERS`]; `xtask` may depend on anything.
//!    Dev-dependencies are free (tests may use `linx-testns`), except on `xtask`. A workspace
//!    crate missing from [`LAYERS`] is itself a violation: new crates get a row on purpose.
//! 2. **`unsafe` only in [`UNSAFE_CRATE`].** No `unsafe` keyword in any `.rs` file of another
//!    workspace crate (sources, tests, examples, benches, build scripts).
//! 3. **`#![forbid(unsafe_code)]`** in the root file of every library, proc-macro and binary
//!    target of every crate except [`UNSAFE_CRATE`].
//! 4. **No socket code outside [`UNSAFE_CRATE`].** No `.rs` file of another crate mentions any
//!    of [`SOCKET_WORDS`].
//! 5. **Modules form a DAG.** In every library, proc-macro and binary target of every crate,
//!    no two sibling modules import each other, directly or around a circle: a use in
//!    `a::x` of an item of `b::y` is the edge `a -> b` between the children of their closest
//!    common ancestor, and those edges have no cycle at any level. Test-only code is left
//!    out. The exact definition is in [`modules`]; cycles being taken apart are listed in
//!    [`modules::KNOWN_CYCLES`], and an entry that no longer matches fails too.
//!
//! Rules 2-4 are a text scan, not a parse: comments and the contents of string and char
//! literals are blanked first ([`code_only`]), so docs may talk about `sendmsg` and lint names
//! like `unsafe_code` do not count (they are different tokens from the keyword `unsafe`). Macros
//! that paste the keyword together from pieces would escape the scan; `forbid(unsafe_code)`
//! (rule 3) still catches those at compile time. Rule 5 reads `use` trees and paths from the
//! same blanked text.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::util::{self, cargo_command};

mod modules;

/// Allowed normal (non-dev) Linx dependencies of each workspace crate, bottom of the stack first.
pub(crate) const LAYERS: &[(&str, &[&str])] = &[
    ("linx-ip-macros", &[]),
    ("linx-ip", &["linx-ip-macros"]),
    ("linx-netlink-sys", &[]),
    ("linx-netlink-codec", &["linx-netlink-sys"]),
    (
        "linx-rtnl",
        &["linx-netlink-sys", "linx-netlink-codec", "linx-ip"],
    ),
    ("linx-nfnl", &["linx-netlink-sys", "linx-netlink-codec"]),
    (
        "linx-netfilter",
        &[
            "linx-nfnl",
            "linx-netlink-codec",
            "linx-netlink-sys",
            "linx-ip",
        ],
    ),
    // The generic loop at the top; the rtnl `Source` adapter lives here so every arrow points
    // down (style.md §1).
    (
        "linx-reconcile",
        &[
            "linx-rtnl",
            "linx-netlink-sys",
            "linx-netlink-codec",
            "linx-ip",
        ],
    ),
    ("linx-testns", &["linx-netlink-sys"]),
    // Benchmark commands for bench/run-peers.sh: a leaf binary, it may use any Linx library.
    (
        "linx-bench",
        &[
            "linx-netlink-sys",
            "linx-netlink-codec",
            "linx-ip",
            "linx-rtnl",
            "linx-nfnl",
            "linx-netfilter",
            "linx-reconcile",
        ],
    ),
];

/// The tooling crate: it may depend on anything, and nothing may depend on it.
const TOOLING: &str = "xtask";

/// The one crate allowed to contain `unsafe` code and socket code.
pub(crate) const UNSAFE_CRATE: &str = "linx-netlink-sys";

/// Words that mark socket code (rule 4).
pub(crate) const SOCKET_WORDS: [&str; 4] = ["AF_NETLINK", "libc::socket", "recvmsg", "sendmsg"];

/// The attribute every crate but [`UNSAFE_CRATE`] carries in its root files (rule 3).
const FORBID_UNSAFE: &str = "#![forbid(unsafe_code)]";

/// One workspace crate, as far as these rules care.
#[derive(Debug)]
pub(crate) struct Package {
    /// The package name.
    pub(crate) name: String,
    /// The directory holding its `Cargo.toml`.
    pub(crate) dir: PathBuf,
    /// Its dependencies: package name and kind (`None` for normal, `Some("dev")`, `Some("build")`).
    pub(crate) deps: Vec<(String, Option<String>)>,
    /// Root files of its library, proc-macro and binary targets.
    pub(crate) roots: Vec<PathBuf>,
}

/// Runs every check on this workspace; fails listing every violation.
pub(crate) fn check() -> Result<()> {
    let packages = workspace_packages()?;
    let mut problems = check_deps(&packages);
    for package in &packages {
        if package.name == UNSAFE_CRATE {
            continue;
        }
        problems.extend(check_sources(package)?);
    }
    problems.extend(check_modules(&packages)?);
    let root = util::workspace_root();
    if problems.is_empty() {
        println!(
            "xtask layers: {} crates ok: Linx dependencies point down the stack; unsafe code and \
             socket code only in {UNSAFE_CRATE}; #![forbid(unsafe_code)] everywhere else; \
             no module import cycles{}",
            packages.len(),
            if modules::KNOWN_CYCLES.is_empty() {
                String::new()
            } else {
                format!(
                    " but the {} in KNOWN_CYCLES (xtask/src/layers/modules.rs)",
                    modules::KNOWN_CYCLES.len()
                )
            }
        );
        return Ok(());
    }
    for problem in &problems {
        // Paths are shown relative to the workspace root.
        let problem = problem.replace(&format!("{}/", root.display()), "");
        println!("xtask layers: {problem}");
    }
    bail!(
        "{} layering violation(s); the rules are in xtask/src/layers.rs",
        problems.len()
    )
}

/// Reads the workspace crates from `cargo metadata --no-deps`.
fn workspace_packages() -> Result<Vec<Package>> {
    let json = util::output(&mut cargo_command(&[
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
    ]))?;
    let metadata: Value = serde_json::from_str(&json).context("parsing cargo metadata")?;
    let packages = metadata["packages"]
        .as_array()
        .context("cargo metadata has no `packages` array")?;
    packages.iter().map(parse_package).collect()
}

/// Extracts a [`Package`] from one entry of cargo metadata's `packages`.
fn parse_package(p: &Value) -> Result<Package> {
    let name = p["name"]
        .as_str()
        .context("cargo metadata: package without a name")?
        .to_owned();
    let manifest = p["manifest_path"]
        .as_str()
        .with_context(|| format!("cargo metadata: {name} has no manifest_path"))?;
    let dir = Path::new(manifest)
        .parent()
        .with_context(|| format!("cargo metadata: {name}'s manifest_path has no parent"))?
        .to_path_buf();
    let deps = p["dependencies"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            let dep = d["name"].as_str()?.to_owned();
            Some((dep, d["kind"].as_str().map(str::to_owned)))
        })
        .collect();
    let roots = p["targets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|t| {
            t["kind"].as_array().is_some_and(|kinds| {
                kinds
                    .iter()
                    .any(|k| matches!(k.as_str(), Some("lib" | "proc-macro" | "bin")))
            })
        })
        .filter_map(|t| t["src_path"].as_str().map(PathBuf::from))
        .collect();
    Ok(Package {
        name,
        dir,
        deps,
        roots,
    })
}

/// Rule 1: every Linx dependency is allowed by [`LAYERS`].
pub(crate) fn check_deps(packages: &[Package]) -> Vec<String> {
    let mut problems = Vec::new();
    for package in packages {
        let allowed = LAYERS
            .iter()
            .find(|(name, _)| *name == package.name)
            .map(|(_, allowed)| *allowed);
        if allowed.is_none() && package.name != TOOLING {
            problems.push(format!(
                "{} is not in the layer table (LAYERS in xtask/src/layers.rs): add a row listing \
                 the Linx crates it may depend on",
                package.name
            ));
            continue;
        }
        for (dep, kind) in &package.deps {
            let linx = dep.starts_with("linx-") || dep == TOOLING;
            let ok = match (allowed, kind.as_deref()) {
                (_, _) if !linx => true,
                (_, Some("dev")) => dep != TOOLING,
                // xtask itself: anything.
                (None, _) => true,
                (Some(allowed), _) => allowed.contains(&dep.as_str()),
            };
            if !ok {
                let kind = kind.as_deref().unwrap_or("normal");
                problems.push(format!(
                    "{} has a {kind} dependency on {dep}, which is not below it in the stack \
                     (allowed: {})",
                    package.name,
                    allowed.map_or("none".to_owned(), |a| if a.is_empty() {
                        "none".to_owned()
                    } else {
                        a.join(", ")
                    })
                ));
            }
        }
    }
    problems
}

/// Rules 2-4 for one crate other than [`UNSAFE_CRATE`].
fn check_sources(package: &Package) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for file in util::rust_files(&package.dir)? {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let code = code_only(&text);
        for line in unsafe_lines(&code) {
            problems.push(format!(
                "{}:{line}: `unsafe` outside {UNSAFE_CRATE}",
                file.display()
            ));
        }
        for (line, word) in socket_words(&code) {
            problems.push(format!(
                "{}:{line}: `{word}` is socket code; it belongs in {UNSAFE_CRATE}",
                file.display()
            ));
        }
        if package.roots.contains(&file) && !code.contains(FORBID_UNSAFE) {
            problems.push(format!(
                "{}: crate root without {FORBID_UNSAFE}",
                file.display()
            ));
        }
    }
    // Roots outside the crate directory (unusual `path = ...`) still need the attribute.
    for root in package
        .roots
        .iter()
        .filter(|r| !r.starts_with(&package.dir))
    {
        let text =
            std::fs::read_to_string(root).with_context(|| format!("reading {}", root.display()))?;
        if !code_only(&text).contains(FORBID_UNSAFE) {
            problems.push(format!(
                "{}: crate root without {FORBID_UNSAFE}",
                root.display()
            ));
        }
    }
    Ok(problems)
}

/// Rule 5: the module tree of every library, proc-macro and binary target has no cycle
/// between sibling modules, except those in [`modules::KNOWN_CYCLES`].
fn check_modules(packages: &[Package]) -> Result<Vec<String>> {
    let mut trees = Vec::new();
    for package in packages {
        for root in &package.roots {
            trees.push((package.name.clone(), modules::ModuleTree::load(root)?));
        }
    }
    Ok(modules::check_trees(&trees, modules::KNOWN_CYCLES))
}

/// 1-based line numbers where the keyword `unsafe` appears as a whole word in `code`.
fn unsafe_lines(code: &str) -> Vec<usize> {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = code.as_bytes();
    code.match_indices("unsafe")
        .filter(|(at, word)| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + word.len()).copied();
            !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
        })
        .map(|(at, _)| line_of(code, at))
        .collect()
}

/// Each occurrence of a [`SOCKET_WORDS`] entry in `code`, with its 1-based line number.
fn socket_words(code: &str) -> Vec<(usize, &'static str)> {
    let mut hits: Vec<(usize, &'static str)> = SOCKET_WORDS
        .iter()
        .flat_map(|word| {
            code.match_indices(word)
                .map(move |(at, _)| (line_of(code, at), *word))
        })
        .collect();
    hits.sort();
    hits
}

/// The 1-based line number of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `src` with comments and the contents of string and char literals replaced by spaces.
///
/// Newlines are kept, so line numbers stay valid. Handles `//` and nested `/* */` comments,
/// `"..."` with escapes (also `b"..."`), raw strings `r#"..."#` (also `br`, `cr`), and char
/// literals, which it tells apart from lifetimes by the closing quote. Anything it misreads only
/// makes the scan blank too little or too much of one literal.
pub(crate) fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        // The end of the comment or literal starting at `i`, if one does.
        let literal_end = match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => Some(
                b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n),
            ),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let (mut j, mut depth) = (i + 2, 1);
                while j < b.len() && depth > 0 {
                    match (b[j], b.get(j + 1)) {
                        (b'/', Some(b'*')) => (depth, j) = (depth + 1, j + 2),
                        (b'*', Some(b'/')) => (depth, j) = (depth - 1, j + 2),
                        _ => j += 1,
                    }
                }
                Some(j.min(b.len()))
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                Some((j + 1).min(b.len()))
            }
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                // An escape such as '\n', '\'' or '\u{..}': the closing quote follows it.
                b.get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&c| c == b'\''))
                    .map(|n| i + 3 + n + 1)
            }
            b'\'' => {
                // 'x' is a char literal; 'a with no quote right after is a lifetime or label.
                let len = src
                    .get(i + 1..)
                    .and_then(|s| s.chars().next())
                    .map_or(0, char::len_utf8);
                (len > 0 && b.get(i + 1 + len) == Some(&b'\'')).then_some(i + 2 + len)
            }
            c if is_ident(c) => {
                // Skip a whole identifier (so `for"` is not a raw string), unless it is the
                // prefix of a raw string.
                let word_end = i + b[i..].iter().take_while(|&&c| is_ident(c)).count();
                let raw = matches!(&b[i..word_end], b"r" | b"br" | b"cr")
                    .then(|| raw_string_end(b, word_end))
                    .flatten();
                if raw.is_none() {
                    i = word_end;
                    continue;
                }
                raw
            }
            _ => None,
        };
        match literal_end {
            Some(end) => {
                for c in &mut out[i..end] {
                    if *c != b'\n' {
                        *c = b' ';
                    }
                }
                i = end;
            }
            None => i += 1,
        }
    }
    // Only whole UTF-8 sequences were replaced (every boundary above is an ASCII byte).
    String::from_utf8_lossy(&out).into_owned()
}

/// The end of the raw string whose hashes and opening quote start at `at` (just after the `r`).
fn raw_string_end(b: &[u8], at: usize) -> Option<usize> {
    let hashes = b[at..].iter().take_while(|&&c| c == b'#').count();
    if b.get(at + hashes) != Some(&b'"') {
        return None;
    }
    let body = at + hashes + 1;
    let closing: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    Some(
        b[body..]
            .windows(closing.len())
            .position(|w| w == closing.as_slice())
            .map_or(b.len(), |n| body + n + closing.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, deps: &[(&str, Option<&str>)]) -> Package {
        Package {
            name: name.to_owned(),
            dir: PathBuf::from("/nowhere").join(name),
            deps: deps
                .iter()
                .map(|(d, k)| ((*d).to_owned(), k.map(str::to_owned)))
                .collect(),
            roots: Vec::new(),
        }
    }

    #[test]
    fn downward_deps_pass() {
        let packages = [
            package(
                "linx-rtnl",
                &[("linx-netlink-codec", None), ("thiserror", None)],
            ),
            package(
                "linx-netfilter",
                &[("linx-nfnl", None), ("linx-testns", Some("dev"))],
            ),
            package("xtask", &[("linx-rtnl", None), ("anyhow", None)]),
        ];
        assert_eq!(check_deps(&packages), Vec::<String>::new());
    }

    #[test]
    fn upward_and_forbidden_deps_fail() {
        let packages = [
            package("linx-netlink-codec", &[("linx-rtnl", None)]),
            package("linx-ip", &[("linx-testns", None)]),
            package(
                "linx-nfnl",
                &[
                    ("linx-netlink-codec", Some("build")),
                    ("linx-rtnl", Some("build")),
                ],
            ),
            package("linx-reconcile", &[("xtask", Some("dev"))]),
            package("linx-new", &[]),
        ];
        let problems = check_deps(&packages);
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems[0].starts_with("linx-netlink-codec has a normal dependency on linx-rtnl"));
        assert!(problems[2].starts_with("linx-nfnl has a build dependency on linx-rtnl"));
        assert!(problems[4].starts_with("linx-new is not in the layer table"));
    }

    #[test]
    fn every_layer_row_names_known_crates() {
        for (name, allowed) in LAYERS {
            for dep in *allowed {
                assert!(LAYERS.iter().any(|(n, _)| n == dep), "{name} -> {dep}");
                assert_ne!(dep, name);
            }
        }
    }

    #[test]
    fn code_only_blanks_comments_and_literals() {
        let src = "let a = \"unsafe { x }\"; // unsafe {\n/* unsafe /* nested */ fn */ b\n\
                   let c = r#\"sendmsg \"# ; let d = '\"'; let e = '\\''; fn f<'a>() {}\n\
                   let g = b\"recvmsg\"; let h = br\"AF_NETLINK\"; for\"x\";";
        let code = code_only(src);
        assert_eq!(code.lines().count(), src.lines().count());
        assert!(!code.contains("unsafe"), "{code}");
        assert!(socket_words(&code).is_empty(), "{code}");
        for kept in [
            "let a",
            "b\n",
            "let c",
            "let d",
            "let e",
            "fn f<'a>() {}",
            "let h",
            "for",
        ] {
            assert!(code.contains(kept), "{kept:?} missing from {code}");
        }
    }

    #[test]
    fn unsafe_is_found_as_a_whole_word_only() {
        let code = code_only(
            "#![forbid(unsafe_code)]\n#[allow(clippy::undocumented_unsafe_blocks)]\n\
             fn f() { unsafe { g() } }\nunsafe impl Send for X {}\n#[unsafe(no_mangle)]\n",
        );
        assert_eq!(unsafe_lines(&code), [3, 4, 5]);
    }

    #[test]
    fn socket_words_are_found_with_lines() {
        let code = code_only("use x;\nlet fd = libc::socket(AF_NETLINK, 0, 0); // sendmsg\n");
        assert_eq!(
            socket_words(&code),
            [(2, "AF_NETLINK"), (2, "libc::socket")]
        );
    }
}
