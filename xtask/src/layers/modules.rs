//! Rule 5 of `cargo xtask layers`: the modules of each crate form a DAG.
//!
//! A crate whose modules import each other in a circle has no order in which a reader can
//! learn it, and no module on the circle can be moved, split or tested on its own. Style guide
//! §1 orders crates as a stack; this rule asks the same of the modules inside each crate, at
//! every level of its module tree.
//!
//! # Contract
//! **The graph.** Nodes are the modules of one crate target (library, proc-macro or binary),
//! found the way rustc finds them: from the root file, `mod foo;` loads `foo.rs` or
//! `foo/mod.rs` next to it, and inline `mod foo { .. }` blocks are modules too. A *use* is any
//! path in code that starts with `crate::` (or `$crate::`), `super::` or `self::`, and every
//! leaf of a `use` tree (`use crate::{a::X, b::{self, Y}}` is three uses; paths relative to the
//! current module, such as `use child::X`, count as well). A use *names* the deepest module its
//! path walks through: `crate::set::key::KeyType` names `set::key`, `crate::KeyType` names the
//! crate root. Re-exports are not followed: the names a crate root (or any module) re-exports
//! are its vocabulary, and the crate-wide error type, which mentions the domain types whose
//! parsers return it, would otherwise make a cycle in every crate. The rule is about the
//! module dependencies a reader sees written down. Paths into other crates are not edges.
//!
//! **The edge.** A use in module `m` of an item in module `t` makes an edge between the two
//! *siblings* under their closest common ancestor `p`: from the child of `p` that contains
//! `m` to the child of `p` that contains `t`. So `crate::set::elem` using
//! `crate::validate::check` is the edge `set -> validate`, and `crate::wire::set` using
//! `super::attr::X` is `wire::set -> wire::attr`. A module using its own descendants (a
//! parent re-exporting its children) or its ancestors' items (a child's `use super::*`) makes
//! no edge: parent and child are one unit as seen from their siblings.
//!
//! **The rule.** For every module, the edges between its children have no cycle. Every
//! strongly connected set of siblings is reported at once, with each edge inside it and one
//! example use (`file:line: source line`) per edge. [`KNOWN_CYCLES`] lists cycles that are
//! tolerated for now; a cycle not on it fails, and so does an entry that matches no cycle.
//!
//! **Left out on purpose.** Test-only code: an item under `#[cfg(test)]` (or any `cfg` that
//! names `test` and not `not(test)`) is skipped, including `#[cfg(test)] mod tests { .. }`
//! blocks and the files that only a `#[cfg(test)] mod foo;` loads. Tests, examples and benches
//! are separate crates and are not checked. Comments and string literals are blanked first
//! ([`code_only`]).
//!
//! **Limits.** This is a text scan, not name resolution: a cycle routed through a re-export
//! (`crate::X` instead of `crate::x::X`) is not seen, `#[path]` attributes are not read (a `mod`
//! whose file is not found is reported), and a `cfg` on a statement or field skips up to the
//! next `,`, `;` or block.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::{code_only, line_of};

/// Module cycles tolerated for now: crate (package) name and the modules on the cycle, as
/// paths below the crate root, sorted.
///
/// Empty: every crate's modules form a DAG. An entry would be a cycle being taken apart; a
/// cycle not listed here fails `cargo xtask layers`, and so does an entry that no longer
/// matches a cycle exactly (remove it once the cycle is gone).
pub(crate) const KNOWN_CYCLES: &[(&str, &[&str])] = &[];

/// One module of a crate.
#[derive(Debug)]
struct Module {
    /// Path below the crate root (`["wire", "set"]`); empty for the root.
    path: Vec<String>,
    /// The enclosing module; `None` for the root.
    parent: Option<usize>,
    /// Child modules by name.
    children: BTreeMap<String, usize>,
    /// Every use in its code: the path as written, the file and the 1-based line.
    uses: Vec<Use>,
}

/// One path written in a module's code.
#[derive(Debug)]
struct Use {
    /// The path's segments as written (`["super", "attr", "X"]`); a glob ends with the module.
    path: Vec<String>,
    /// Where it is written.
    file: PathBuf,
    /// 1-based line.
    line: usize,
}

/// The module tree of one crate target, with the uses in each module.
#[derive(Debug)]
pub(crate) struct ModuleTree {
    /// `modules[0]` is the crate root.
    modules: Vec<Module>,
    /// Problems found while loading (a `mod` whose file is missing).
    problems: Vec<String>,
}

/// A set of sibling modules that import each other in a circle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cycle {
    /// The modules on it, as `::`-joined paths below the crate root, sorted.
    pub(crate) modules: Vec<String>,
    /// Each edge inside the set: from, to, and one example use (`file:line: text`).
    pub(crate) edges: Vec<(String, String, String)>,
}

impl ModuleTree {
    /// Loads the module tree whose root file is `root` (a `lib.rs`, `main.rs` or bin file).
    pub(crate) fn load(root: &Path) -> Result<Self> {
        let mut tree = ModuleTree {
            modules: vec![Module {
                path: Vec::new(),
                parent: None,
                children: BTreeMap::new(),
                uses: Vec::new(),
            }],
            problems: Vec::new(),
        };
        let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut queue = vec![(0, root.to_path_buf(), dir)];
        while let Some((module, file, dir)) = queue.pop() {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let code = code_only(&text);
            let mut scan = Scan {
                tree: &mut tree,
                text: &text,
                code: &code,
                file: &file,
                queue: &mut queue,
            };
            scan.body(0, code.len(), module, &dir);
        }
        Ok(tree)
    }

    /// Problems found while loading.
    pub(crate) fn problems(&self) -> &[String] {
        &self.problems
    }

    /// Adds a child module named `name` under `parent` and returns its index.
    fn add_child(&mut self, parent: usize, name: &str) -> usize {
        if let Some(&existing) = self.modules[parent].children.get(name) {
            return existing;
        }
        let mut path = self.modules[parent].path.clone();
        path.push(name.to_owned());
        self.modules.push(Module {
            path,
            parent: Some(parent),
            children: BTreeMap::new(),
            uses: Vec::new(),
        });
        let index = self.modules.len() - 1;
        self.modules[parent].children.insert(name.to_owned(), index);
        index
    }

    /// The module that the path `segs`, written in module `at`, names (the deepest module it
    /// walks through); `None` for paths into other crates.
    fn resolve(&self, at: usize, segs: &[String]) -> Option<usize> {
        let (mut cur, rest) = match segs.first().map(String::as_str) {
            Some("crate" | "$crate") => (0, &segs[1..]),
            Some("self") => (at, &segs[1..]),
            Some("super") => {
                let mut cur = at;
                let supers = segs.iter().take_while(|s| *s == "super").count();
                for _ in 0..supers {
                    cur = self.modules[cur].parent?;
                }
                (cur, &segs[supers..])
            }
            Some(_) => (at, segs),
            None => return None,
        };
        let relative = !matches!(segs[0].as_str(), "crate" | "$crate" | "self" | "super");
        for (i, seg) in rest.iter().enumerate() {
            if let Some(&child) = self.modules[cur].children.get(seg) {
                cur = child;
                continue;
            }
            if relative && i == 0 {
                // `std::..`, `linx_nfnl::..`, or a local item's associated path.
                return None;
            }
            break;
        }
        Some(cur)
    }

    /// The index of `m`'s ancestor (or `m` itself) that is a child of `p`.
    fn child_toward(&self, p: usize, mut m: usize) -> Option<usize> {
        while let Some(parent) = self.modules[m].parent {
            if parent == p {
                return Some(m);
            }
            m = parent;
        }
        None
    }

    /// `a` and all its ancestors, `a` first.
    fn ancestors(&self, a: usize) -> Vec<usize> {
        let mut chain = vec![a];
        let mut cur = a;
        while let Some(parent) = self.modules[cur].parent {
            chain.push(parent);
            cur = parent;
        }
        chain
    }

    /// The sibling edge a use in `from` of an item in `to` makes, if any.
    fn edge(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        let up = self.ancestors(from);
        let common = self.ancestors(to).into_iter().find(|a| up.contains(a))?;
        if common == from || common == to {
            return None;
        }
        Some((
            self.child_toward(common, from)?,
            self.child_toward(common, to)?,
        ))
    }

    /// A module's path for messages: `wire::set`, or `crate` for the root.
    fn name(&self, m: usize) -> String {
        if self.modules[m].path.is_empty() {
            "crate".to_owned()
        } else {
            self.modules[m].path.join("::")
        }
    }

    /// Every set of sibling modules that import each other in a circle.
    pub(crate) fn cycles(&self) -> Vec<Cycle> {
        // Sibling edges with the first use that makes each one (uses are in file order).
        let mut edges: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for (from, module) in self.modules.iter().enumerate() {
            for used in &module.uses {
                let Some(to) = self.resolve(from, &used.path) else {
                    continue;
                };
                if let Some(edge) = self.edge(from, to) {
                    edges.entry(edge).or_insert_with(|| {
                        let text = std::fs::read_to_string(&used.file)
                            .ok()
                            .and_then(|t| t.lines().nth(used.line - 1).map(|l| l.trim().to_owned()))
                            .unwrap_or_default();
                        format!("{}:{}: {text}", used.file.display(), used.line)
                    });
                }
            }
        }
        let out: BTreeMap<usize, BTreeSet<usize>> =
            edges.keys().fold(BTreeMap::new(), |mut out, &(a, b)| {
                out.entry(a).or_default().insert(b);
                out
            });
        let reach = |start: usize| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![start];
            while let Some(m) = todo.pop() {
                for &next in out.get(&m).into_iter().flatten() {
                    if seen.insert(next) {
                        todo.push(next);
                    }
                }
            }
            seen
        };
        let reachable: BTreeMap<usize, BTreeSet<usize>> =
            out.keys().map(|&m| (m, reach(m))).collect();
        let mut sets: BTreeSet<BTreeSet<usize>> = BTreeSet::new();
        for (&m, from_m) in &reachable {
            if !from_m.contains(&m) {
                continue;
            }
            let set: BTreeSet<usize> = from_m
                .iter()
                .copied()
                .filter(|n| reachable.get(n).is_some_and(|r| r.contains(&m)))
                .collect();
            sets.insert(set);
        }
        let mut cycles: Vec<Cycle> = sets
            .into_iter()
            .map(|set| {
                let mut modules: Vec<String> = set.iter().map(|&m| self.name(m)).collect();
                modules.sort();
                let edges = edges
                    .iter()
                    .filter(|((a, b), _)| set.contains(a) && set.contains(b))
                    .map(|(&(a, b), example)| (self.name(a), self.name(b), example.clone()))
                    .collect();
                Cycle { modules, edges }
            })
            .collect();
        cycles.sort_by(|a, b| a.modules.cmp(&b.modules));
        for cycle in &mut cycles {
            cycle.edges.sort();
        }
        cycles
    }
}

/// The state of scanning one file.
struct Scan<'a> {
    /// The tree being built.
    tree: &'a mut ModuleTree,
    /// The file's text, for line numbers.
    text: &'a str,
    /// The file's text with comments and literals blanked.
    code: &'a str,
    /// The file's path.
    file: &'a Path,
    /// Files still to scan: module, file, directory of its child modules.
    queue: &'a mut Vec<(usize, PathBuf, PathBuf)>,
}

impl Scan<'_> {
    /// Scans `code[start..end]`, the body of `module` whose `mod foo;` files live in `dir`.
    fn body(&mut self, start: usize, end: usize, module: usize, dir: &Path) {
        let b = self.code.as_bytes();
        let mut i = start;
        // Whether the attributes just read put the next item under `cfg(test)`.
        let mut test_only = false;
        while i < end {
            let c = b[i];
            if c == b'#' {
                // An outer attribute; inner ones (`#![..]`) never make a file test-only here.
                let inner = b.get(i + 1) == Some(&b'!');
                let open = skip_ws(b, i + 1 + usize::from(inner));
                if b.get(open) == Some(&b'[') {
                    let close = matching(b, open, end);
                    test_only |= !inner && is_test_cfg(&self.code[open..close]);
                    i = close;
                    continue;
                }
            }
            if !is_ident(c) || (i > 0 && is_ident(b[i - 1])) {
                i += 1;
                continue;
            }
            let word_end = i + b[i..end].iter().take_while(|&&c| is_ident(c)).count();
            let word = &self.code[i..word_end];
            if test_only {
                // The item the attributes belong to, visibility and all.
                test_only = false;
                i = item_end(b, i, end);
                continue;
            }
            i = match word {
                "mod" => self.module(word_end, end, module, dir),
                "use" => self.use_decl(word_end, end, module),
                "crate" | "super" | "self" if self.code[word_end..].starts_with("::") => {
                    let (path, after) = read_path(self.code, i, end);
                    self.push_use(module, path, i);
                    after
                }
                _ => word_end,
            };
        }
    }

    /// `mod name;` or `mod name { .. }` after the keyword (ending at `at`); returns where
    /// scanning continues.
    fn module(&mut self, at: usize, end: usize, parent: usize, dir: &Path) -> usize {
        let b = self.code.as_bytes();
        let name_start = skip_ws(b, at);
        let name_end = name_start
            + b[name_start..end]
                .iter()
                .take_while(|&&c| is_ident(c))
                .count();
        let name = &self.code[name_start..name_end];
        let next = skip_ws(b, name_end);
        if name.is_empty() {
            return at;
        }
        match b.get(next) {
            Some(b';') => {
                let child = self.tree.add_child(parent, name);
                let candidates = [
                    dir.join(format!("{name}.rs")),
                    dir.join(name).join("mod.rs"),
                ];
                match candidates.iter().find(|p| p.is_file()) {
                    Some(file) => self.queue.push((child, file.clone(), dir.join(name))),
                    None => self.tree.problems.push(format!(
                        "{}:{}: `mod {name};` but neither {} nor {} exists",
                        self.file.display(),
                        line_of(self.text, name_start),
                        candidates[0].display(),
                        candidates[1].display()
                    )),
                }
                next + 1
            }
            Some(b'{') => {
                let close = matching(b, next, end);
                let child = self.tree.add_child(parent, name);
                self.body(
                    next + 1,
                    close.saturating_sub(1).max(next + 1),
                    child,
                    &dir.join(name),
                );
                close
            }
            _ => name_end,
        }
    }

    /// A `use` declaration after the keyword (ending at `at`); returns the end of it.
    fn use_decl(&mut self, at: usize, end: usize, module: usize) -> usize {
        let b = self.code.as_bytes();
        let semi = at
            + b[at..end]
                .iter()
                .position(|&c| c == b';')
                .unwrap_or(end - at);
        let tokens = use_tokens(self.code, at, semi);
        let mut pos = 0;
        let mut leaves = Vec::new();
        use_tree(&tokens, &mut pos, Vec::new(), &mut leaves);
        for leaf in leaves {
            self.push_use(module, leaf.path, leaf.at);
        }
        semi + 1
    }

    /// Records a use of `path` written at byte `at`.
    fn push_use(&mut self, module: usize, path: Vec<String>, at: usize) {
        if path.is_empty() {
            return;
        }
        self.tree.modules[module].uses.push(Use {
            path,
            file: self.file.to_path_buf(),
            line: line_of(self.text, at),
        });
    }
}

/// One leaf of a `use` tree.
#[derive(Debug, PartialEq)]
struct Leaf {
    /// Full path, without a trailing `self` or a rename; for a glob, the module.
    path: Vec<String>,
    /// Byte offset of its last segment.
    at: usize,
}

/// A token of a `use` tree: an identifier with its offset, or one of `:: { } , *`.
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Ident(&'a str, usize),
    Punct(&'a str),
}

/// The tokens of `code[start..end]`, a `use` tree.
fn use_tokens(code: &str, start: usize, end: usize) -> Vec<Tok<'_>> {
    let b = code.as_bytes();
    let mut tokens = Vec::new();
    let mut i = start;
    while i < end {
        if b[i] == b'$' || is_ident(b[i]) {
            let len = 1 + b[i + 1..end].iter().take_while(|&&c| is_ident(c)).count();
            tokens.push(Tok::Ident(&code[i..i + len], i));
            i += len;
        } else if code[i..end].starts_with("::") {
            tokens.push(Tok::Punct("::"));
            i += 2;
        } else {
            if matches!(b[i], b'{' | b'}' | b',' | b'*') {
                tokens.push(Tok::Punct(&code[i..=i]));
            }
            i += 1;
        }
    }
    tokens
}

/// Parses one use tree at `tokens[*pos..]` under `prefix`, appending its leaves.
fn use_tree(tokens: &[Tok<'_>], pos: &mut usize, mut prefix: Vec<String>, leaves: &mut Vec<Leaf>) {
    let mut last_at = 0;
    loop {
        match tokens.get(*pos) {
            Some(Tok::Ident(name, at)) => {
                prefix.push((*name).to_owned());
                last_at = *at;
                *pos += 1;
                if tokens.get(*pos) == Some(&Tok::Punct("::")) {
                    *pos += 1;
                    continue;
                }
                break;
            }
            Some(Tok::Punct("::")) => *pos += 1,
            Some(Tok::Punct("{")) => {
                *pos += 1;
                while let Some(tok) = tokens.get(*pos) {
                    if *tok == Tok::Punct("}") {
                        *pos += 1;
                        break;
                    }
                    let before = *pos;
                    use_tree(tokens, pos, prefix.clone(), leaves);
                    if tokens.get(*pos) == Some(&Tok::Punct(",")) {
                        *pos += 1;
                    }
                    if *pos == before {
                        *pos += 1;
                    }
                }
                return;
            }
            Some(Tok::Punct("*")) => {
                *pos += 1;
                leaves.push(Leaf {
                    path: prefix,
                    at: last_at,
                });
                return;
            }
            _ => return,
        }
    }
    if prefix.last().is_some_and(|s| s == "self") {
        prefix.pop();
    }
    if let Some(Tok::Ident("as", _)) = tokens.get(*pos) {
        // `as Name` or `as _`: the rename does not change what is used.
        *pos += 2;
    }
    leaves.push(Leaf {
        path: prefix,
        at: last_at,
    });
}

/// The path `crate::a::B` starting at `start`, and where it ends.
fn read_path(code: &str, start: usize, end: usize) -> (Vec<String>, usize) {
    let b = code.as_bytes();
    let mut segs = Vec::new();
    let mut i = start;
    loop {
        let len = b[i..end].iter().take_while(|&&c| is_ident(c)).count();
        if len == 0 {
            break;
        }
        segs.push(code[i..i + len].to_owned());
        i += len;
        let next = skip_ws(b, i);
        if !code[next..end].starts_with("::") {
            break;
        }
        let after = skip_ws(b, next + 2);
        if !b.get(after).is_some_and(|&c| is_ident(c)) {
            break;
        }
        i = after;
    }
    (segs, i)
}

/// Whether `c` can be part of an identifier.
fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The first non-whitespace offset at or after `i`.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The offset just after the bracket that closes the one at `open` (`[`, `(` or `{`).
fn matching(b: &[u8], open: usize, end: usize) -> usize {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate().take(end).skip(open) {
        match c {
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    end
}

/// The end of the item (or field, or statement) starting at `i`: just after the first `;` or
/// `{ .. }` block at bracket depth 0, or at a `,` or closing bracket of the enclosing list.
fn item_end(b: &[u8], mut i: usize, end: usize) -> usize {
    let mut depth = 0usize;
    while i < end {
        match b[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' => depth -= 1,
            b'{' if depth == 0 => return matching(b, i, end),
            b';' if depth == 0 => return i + 1,
            b',' if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    end
}

/// Whether the attribute `[..]` is a `cfg` that holds only in test builds.
fn is_test_cfg(attr: &str) -> bool {
    let attr: String = attr.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(cfg) = attr.strip_prefix("[cfg(") else {
        return false;
    };
    let words = cfg
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .collect::<Vec<_>>();
    words.contains(&"test") && !cfg.contains("not(test)") && !cfg.starts_with("any(")
}

/// Rule 5 for the module trees `trees` (package name and tree): every cycle not in `known` is
/// a problem, and so is every entry of `known` that matches no cycle.
pub(crate) fn check_trees(
    trees: &[(String, ModuleTree)],
    known: &[(&str, &[&str])],
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut matched = vec![false; known.len()];
    for (package, tree) in trees {
        problems.extend(tree.problems().iter().cloned());
        for cycle in tree.cycles() {
            let entry = known.iter().position(|(name, modules)| {
                name == package
                    && modules
                        .iter()
                        .copied()
                        .eq(cycle.modules.iter().map(String::as_str))
            });
            if let Some(entry) = entry {
                matched[entry] = true;
                continue;
            }
            let mut text = format!(
                "{package}: module cycle between {} (rule 5: sibling modules import each other; \
                 move what they share into a module both use):",
                cycle
                    .modules
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for (from, to, example) in &cycle.edges {
                text.push_str(&format!("\n    {from} -> {to}: {example}"));
            }
            problems.push(text);
        }
    }
    for (&(package, modules), matched) in known.iter().zip(matched) {
        if !matched {
            problems.push(format!(
                "KNOWN_CYCLES in xtask/src/layers/modules.rs lists {package}: [{}], which is no \
                 longer a cycle: remove the entry",
                modules.join(", ")
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate tree in a fresh temporary directory, removed on drop.
    struct TempCrate(PathBuf);

    impl TempCrate {
        fn new(files: &[(&str, &str)]) -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "xtask-modules-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            for (path, text) in files {
                let path = dir.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            TempCrate(dir)
        }

        fn tree(&self) -> ModuleTree {
            ModuleTree::load(&self.0.join("src/lib.rs")).unwrap()
        }

        fn check(&self, known: &[(&str, &[&str])]) -> Vec<String> {
            let problems = check_trees(&[("demo".to_owned(), self.tree())], known);
            problems
                .into_iter()
                .map(|p| p.replace(&format!("{}/", self.0.display()), ""))
                .collect()
        }
    }

    impl Drop for TempCrate {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_cycle_fails_naming_every_edge() {
        let krate = TempCrate::new(&[
            ("src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
            (
                "src/b.rs",
                "pub struct B;\nfn f() -> super::c::C {\n    todo!()\n}\n",
            ),
            (
                "src/c.rs",
                "pub struct C;\nimpl C {\n    fn a() -> crate::a::A { crate::a::A }\n}\n",
            ),
        ]);
        let problems = krate.check(&[]);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(
            problems[0],
            "demo: module cycle between `a`, `b`, `c` (rule 5: sibling modules import each \
             other; move what they share into a module both use):\n    \
             a -> b: src/a.rs:1: use crate::b::B;\n    \
             b -> c: src/b.rs:2: fn f() -> super::c::C {\n    \
             c -> a: src/c.rs:3: fn a() -> crate::a::A { crate::a::A }"
        );
    }

    #[test]
    fn a_dag_passes() {
        // `a` uses `b`; parents use children, children use parents: no cycle.
        let krate = TempCrate::new(&[
            (
                "src/lib.rs",
                "mod a;\nmod b;\npub use a::A;\nuse b::{self, B};\n",
            ),
            (
                "src/a.rs",
                "use crate::b::B;\nuse super::*;\npub struct A(B);\n",
            ),
            (
                "src/b/mod.rs",
                "mod inner;\npub use inner::B;\n// use crate::a::A;\n\
                 const S: &str = \"crate::a::A\";\n",
            ),
            (
                "src/b/inner.rs",
                "pub struct B;\nuse super::super::b;\nuse crate::b::S;\n",
            ),
        ]);
        assert_eq!(krate.check(&[]), Vec::<String>::new());
    }

    #[test]
    fn nested_and_inline_modules_make_edges_but_reexports_do_not() {
        let krate = TempCrate::new(&[
            (
                "src/lib.rs",
                "mod a;\nmod wire;\npub use a::A;\npub use wire::B;\n",
            ),
            // `crate::B` names the root (re-exports are not followed); `crate::wire::y` does not.
            ("src/a.rs", "pub struct A;\nfn f(_: crate::B) {}\n"),
            ("src/wire.rs", "mod x;\nmod y;\npub use y::B;\n"),
            (
                "src/wire/x.rs",
                "pub mod inner {\n    pub struct X;\n    use super::super::y::{self as why};\n}\n",
            ),
            (
                "src/wire/y.rs",
                "pub struct B(crate::A);\nuse crate::wire::x::inner::X;\nuse crate::a;\n",
            ),
        ]);
        let problems = krate.check(&[]);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].contains("between `wire::x`, `wire::y`"),
            "{}",
            problems[0]
        );
        assert!(
            problems[0].contains("wire::x -> wire::y: src/wire/x.rs:3:"),
            "{}",
            problems[0]
        );
        assert!(
            problems[0].contains("wire::y -> wire::x: src/wire/y.rs:2:"),
            "{}",
            problems[0]
        );
        // Spelling the path out makes the edge `a -> wire`, closing a circle with `wire -> a`.
        std::fs::write(krate.0.join("src/a.rs"), "fn f(_: crate::wire::B) {}\n").unwrap();
        let problems = krate.check(&[]);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].contains("a -> wire: src/a.rs:1:"),
            "{}",
            problems[0]
        );
        assert!(
            problems[0].contains("wire -> a: src/wire/y.rs:3:"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn test_only_code_is_left_out() {
        let krate = TempCrate::new(&[
            ("src/lib.rs", "mod a;\nmod b;\n#[cfg(test)]\nmod t;\n"),
            ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
            (
                "src/b.rs",
                "pub struct B;\n#[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n\
                 #[cfg(all(test, feature = \"x\"))]\nuse crate::a::A;\n\
                 #[cfg(test)]\nfn helper() -> crate::a::A { crate::a::A }\n",
            ),
            ("src/t.rs", "use crate::a::A;\nuse crate::b::B;\n"),
        ]);
        assert_eq!(krate.check(&[]), Vec::<String>::new());
    }

    #[test]
    fn a_missing_module_file_is_reported() {
        let krate = TempCrate::new(&[("src/lib.rs", "mod gone;\n")]);
        let problems = krate.check(&[]);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].starts_with("src/lib.rs:1: `mod gone;`"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn known_cycles_pass_and_stale_entries_fail() {
        let krate = TempCrate::new(&[
            ("src/lib.rs", "mod a;\nmod b;\n"),
            ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
            ("src/b.rs", "use crate::a::A;\npub struct B;\n"),
        ]);
        assert_eq!(krate.check(&[("demo", &["a", "b"])]), Vec::<String>::new());
        let problems = krate.check(&[("demo", &["a", "b"]), ("demo", &["b", "c"])]);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].contains("lists demo: [b, c], which is no longer a cycle"),
            "{}",
            problems[0]
        );
        // Listed for another crate: still a failure here.
        assert_eq!(krate.check(&[("other", &["a", "b"])]).len(), 2);
    }

    #[test]
    fn use_trees_expand_to_leaves() {
        let code = "use crate::{a::{self, B as C}, d::*, e::_F as _};";
        let tokens = use_tokens(code, 3, code.len() - 1);
        let mut pos = 0;
        let mut leaves = Vec::new();
        use_tree(&tokens, &mut pos, Vec::new(), &mut leaves);
        let leaves: Vec<String> = leaves.into_iter().map(|l| l.path.join("::")).collect();
        assert_eq!(
            leaves,
            ["crate::a", "crate::a::B", "crate::d", "crate::e::_F"]
        );
    }

    #[test]
    fn test_cfgs_are_recognised() {
        assert!(is_test_cfg("[cfg(test)]"));
        assert!(is_test_cfg("[cfg(all(test, feature = \"tokio\"))]"));
        assert!(!is_test_cfg("[cfg(not(test))]"));
        assert!(!is_test_cfg("[cfg(any(test, fuzzing))]"));
        assert!(!is_test_cfg("[cfg(feature = \"tokio\")]"));
        assert!(!is_test_cfg("[test]"));
    }
}
