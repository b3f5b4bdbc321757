//! nft text fidelity on rulesets `nft` wrote: every file of `tests/corpus/` is loaded with
//! `nft -f` into a fresh namespace, pulled by Linx, printed by Linx
//! (`linx_netfilter::print::Printer`) and compared with `nft list ruleset`, block by block
//! (tables, then each set, map, object, flowtable and chain block by its header line):
//! - every line Linx prints in nft syntax must equal nft's line: a non-rule line that
//!   differs, or a rule Linx printed as nft text that differs, fails the test (all
//!   differences are listed);
//! - an element's `expires <duration>` counts down between nft's listing and Linx's: in
//!   set, map and object blocks the durations after `expires` are masked on both sides
//!   (the keyword itself must be in both lines);
//! - lines Linx marks as not printed (`#linx: `, see the `print` module) are counted: rules
//!   not lifted, and set/object lines not printed;
//! - the coverage (rules printed exactly / all rules) is printed per file and in total;
//!   every rule must print exactly and every other line must be printed (a rule or line
//!   Linx leaves as `#linx:` fails the test too: the floor below is the whole corpus).
//!
//! `LINX_CORPUS_ONLY=substring` keeps only matching files; `LINX_PRINT_DIFF=1` also prints
//! the unlifted rules next to nft's text, and nft's lines of the set, map and object blocks
//! Linx did not print wholly (with Linx's marker line).

use std::path::{Path, PathBuf};

use linx_netfilter::print::{Printer, UNPRINTED};
use linx_netfilter::{Scope, pull};
use linx_testns::TestNs;

/// The share of corpus rules Linx must print exactly as nft does: all of them (never lower
/// it; a new corpus file that Linx cannot print wholly is a lift or printer to build).
const COVERAGE_FLOOR: f64 = 1.0;

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
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

/// A listing split into blocks: (header line, lines inside) per table and per depth-1 block.
fn blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut table = String::new();
    for line in text.lines() {
        if line.starts_with("table ") {
            table = line.to_owned();
            out.push((table.clone(), Vec::new()));
        } else if line.starts_with('\t') && !line.starts_with("\t\t") && line != "\t}" {
            // A depth-1 line: a block header, or a table-level line (flags, comment).
            if line.ends_with('{') || line.starts_with(&format!("\t{UNPRINTED}")) {
                out.push((format!("{table} / {}", line.trim()), Vec::new()));
            } else if let Some(b) = out.iter_mut().rev().find(|b| b.0 == table) {
                b.1.push(line.to_owned());
            }
        } else if line.starts_with("\t\t") {
            if let Some(b) = out.last_mut() {
                b.1.push(line.to_owned());
            }
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    rules: usize,
    exact: usize,
    unlifted: usize,
    unprinted_lines: usize,
    wrong: Vec<String>,
    unlifted_examples: Vec<String>,
    unprinted_blocks: Vec<String>,
}

fn is_rule_line(header: &str, index: usize, line: &str) -> bool {
    header.contains(" / chain ")
        && !(index == 0 && line.starts_with("\t\tcomment \""))
        && !(line.starts_with("\t\ttype ") && line.contains(" hook "))
}

fn compare(file: &Path, want: &str, got: &str, t: &mut Tally) {
    let want_blocks = blocks(want);
    let got_blocks = blocks(got);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    for (header, want_lines) in &want_blocks {
        let Some((_, got_lines)) = got_blocks.iter().find(|(h, _)| h == header) else {
            // An object block Linx does not print is one marker line at depth 1.
            let marked = got_blocks
                .iter()
                .any(|(h, _)| h.contains(UNPRINTED) && header_name_in(h, header));
            if marked {
                t.unprinted_lines += want_lines.len() + 1;
                if std::env::var_os("LINX_PRINT_DIFF").is_some() {
                    t.unprinted_blocks.push(format!(
                        "{name}: `{header}`\n  nft:\n{}",
                        want_lines.join("\n")
                    ));
                }
            } else {
                t.wrong.push(format!("{name}: block `{header}` missing"));
            }
            continue;
        };
        if header.contains(" / chain ") {
            if want_lines.len() != got_lines.len() {
                t.wrong.push(format!(
                    "{name}: `{header}`: {} lines from nft, {} from linx",
                    want_lines.len(),
                    got_lines.len()
                ));
                continue;
            }
            for (i, (w, g)) in want_lines.iter().zip(got_lines).enumerate() {
                let rule = is_rule_line(header, i, w);
                if rule {
                    t.rules += 1;
                }
                if g.trim_start().starts_with(UNPRINTED) {
                    if rule {
                        t.unlifted += 1;
                        if std::env::var_os("LINX_PRINT_DIFF").is_some() {
                            t.unlifted_examples.push(format!(
                                "{name}\n  nft:  {}\n  linx: {}",
                                w.trim(),
                                g.trim()
                            ));
                        }
                    } else {
                        t.unprinted_lines += 1;
                    }
                } else if w == g {
                    if rule {
                        t.exact += 1;
                    }
                } else {
                    t.wrong.push(format!(
                        "{name}: `{header}`\n  nft:  {}\n  linx: {}",
                        w.trim(),
                        g.trim()
                    ));
                }
            }
        } else {
            // Set, map, object, flowtable and table lines: equal up to the first marker;
            // nft's remaining lines count as not printed.
            let mut wi = want_lines.iter();
            for g in got_lines {
                if g.trim_start().starts_with(UNPRINTED) {
                    t.unprinted_lines += wi.len();
                    if std::env::var_os("LINX_PRINT_DIFF").is_some() {
                        let rest: Vec<&str> = wi.clone().map(String::as_str).collect();
                        t.unprinted_blocks.push(format!(
                            "{name}: `{header}`\n  linx: {}\n  nft:\n{}",
                            g.trim(),
                            rest.join("\n")
                        ));
                    }
                    break;
                }
                match wi.next() {
                    Some(w) if without_expires(w) == without_expires(g) => {}
                    Some(w) => {
                        t.wrong.push(format!(
                            "{name}: `{header}`\n  nft:  {}\n  linx: {}",
                            w.trim(),
                            g.trim()
                        ));
                        break;
                    }
                    None => {
                        t.wrong
                            .push(format!("{name}: `{header}`: extra linx line {}", g.trim()));
                        break;
                    }
                }
            }
            if !got_lines.iter().any(|g| g.contains(UNPRINTED)) && wi.len() > 0 {
                t.wrong.push(format!(
                    "{name}: `{header}`: {} nft lines missing",
                    wi.len()
                ));
            }
        }
    }
    for (header, _) in &got_blocks {
        if !header.contains(UNPRINTED) && !want_blocks.iter().any(|(h, _)| h == header) {
            t.wrong.push(format!(
                "{name}: linx printed a block nft did not: `{header}`"
            ));
        }
    }
}

/// `line` with the number of each `expires <duration>` masked: an element's remaining
/// time counts down between nft's listing and Linx's, so only the keyword and what
/// surrounds it can be compared.
fn without_expires(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(" expires ") {
        let (head, tail) = rest.split_at(at + " expires ".len());
        out.push_str(head);
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || "dhms".contains(c)))
            .unwrap_or(tail.len());
        out.push('*');
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `true` when marker header `marked` names the same object as nft's header `header`.
fn header_name_in(marked: &str, header: &str) -> bool {
    let Some(obj) = header.split(" / ").nth(1) else {
        return false;
    };
    let name = obj.trim_end_matches(" {").rsplit(' ').next().unwrap_or("");
    !name.is_empty() && marked.contains(&format!(" {name} "))
}

/// Interface indexes and names of the namespace, for `iif` / `oif`.
fn printer(ns: &TestNs) -> Printer {
    // nft resolves cgroupv2 ids under /sys/fs/cgroup as it lists; so does the printer.
    let mut p = Printer::new().with_cgroup_root("/sys/fs/cgroup");
    for line in ns.ip(&["-o", "link"]).lines() {
        let mut parts = line.split(": ");
        if let (Some(idx), Some(name)) = (parts.next(), parts.next()) {
            if let Ok(i) = idx.trim().parse::<u32>() {
                p = p.with_ifname(i, name.split('@').next().unwrap_or(name));
            }
        }
    }
    p
}

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn linx_prints_the_corpus_as_nft_lists_it() {
    let files = corpus_files();
    assert!(!files.is_empty(), "no .nft files in the corpus");
    let mut total = Tally::default();
    for file in &files {
        let ns = TestNs::new();
        let out = ns.run("nft", &["-f", &file.display().to_string()]);
        assert!(
            out.status.success(),
            "nft -f {} refused: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let listed = ns.run("nft", &["list", "ruleset"]);
        assert!(listed.status.success(), "nft list ruleset failed");
        let want = String::from_utf8_lossy(&listed.stdout).into_owned();
        let sock = linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER");
        let rs = pull(&sock, Scope::All).expect("pull");
        let got = printer(&ns).ruleset(&rs);
        let mut t = Tally::default();
        compare(file, &want, &got, &mut t);
        eprintln!(
            "{:32} rules {:4}  exact {:4}  unlifted {:4}  unprinted other lines {:3}  wrong {}",
            file.file_name().unwrap().to_string_lossy(),
            t.rules,
            t.exact,
            t.unlifted,
            t.unprinted_lines,
            t.wrong.len()
        );
        total.rules += t.rules;
        total.exact += t.exact;
        total.unlifted += t.unlifted;
        total.unprinted_lines += t.unprinted_lines;
        total.wrong.extend(t.wrong);
        total.unlifted_examples.extend(t.unlifted_examples);
        total.unprinted_blocks.extend(t.unprinted_blocks);
    }
    for ex in &total.unlifted_examples {
        eprintln!("unlifted: {ex}");
    }
    for ex in &total.unprinted_blocks {
        eprintln!("unprinted block: {ex}");
    }
    let coverage = total.exact as f64 / total.rules.max(1) as f64;
    eprintln!(
        "total: {} rules, {} printed exactly ({:.1}%), {} unlifted, {} other lines not printed",
        total.rules,
        total.exact,
        coverage * 100.0,
        total.unlifted,
        total.unprinted_lines
    );
    assert!(
        total.wrong.is_empty(),
        "{} lines differ from nft:\n{}",
        total.wrong.len(),
        total.wrong.join("\n")
    );
    assert!(
        coverage >= COVERAGE_FLOOR,
        "coverage {coverage:.3} fell below the floor {COVERAGE_FLOOR}"
    );
    assert_eq!(
        total.unprinted_lines, 0,
        "set, map or object lines Linx did not print (LINX_PRINT_DIFF=1 lists them)"
    );
}

/// An owner table (pushed by Linx, its socket held open) prints as `nft list ruleset` lists
/// it, except for nft's `# progname <name>` comment on the header line: nft reads the owner's
/// port id (`NFTA_TABLE_OWNER`) and names the process through `/proc`, which the model does
/// not carry; the printer leaves the comment out and the rest must match.
#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn owner_table_prints_as_nft_lists_it() {
    use linx_netfilter::{Chain, Family, Mode, Ruleset, TableFlags, push};
    let ns = TestNs::new();
    let sock = linx_nfnl::open(ns.netns()).expect("open NETLINK_NETFILTER");
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "owned", TableFlags::OWNER)
        .unwrap();
    t.add_chain(Chain::regular("c")).unwrap();
    push(&sock, &rs, Mode::Replace).expect("push the owner table");
    let listed = ns.run("nft", &["list", "ruleset"]);
    assert!(listed.status.success(), "nft list ruleset failed");
    let want = String::from_utf8_lossy(&listed.stdout).into_owned();
    let pulled = pull(&sock, Scope::All).expect("pull");
    let got = printer(&ns).ruleset(&pulled);
    // nft names the owner through its port id: the process name (`comm`) when the port id
    // is the pid (the process's first netlink socket), else whatever it finds; other tests
    // of this binary may have opened the first socket, so only the prefix is certain.
    let mut want_lines: Vec<&str> = want.lines().collect();
    assert!(
        want_lines
            .first()
            .is_some_and(|h| h.starts_with("table inet owned { # progname ")),
        "nft:\n{want}"
    );
    want_lines[0] = "table inet owned {";
    let got_lines: Vec<&str> = got.lines().collect();
    assert_eq!(got_lines, want_lines, "nft:\n{want}\nlinx:\n{got}");
    assert_eq!(
        got_lines[1..3],
        ["\tflags owner", ""],
        "a blank line after the flags"
    );
}
