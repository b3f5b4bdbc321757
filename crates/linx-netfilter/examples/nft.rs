//! A small `nft` on Linx: list a namespace's ruleset, or apply one from a file.
//!
//! ```text
//! cargo run -p linx-netfilter --example nft -- [-n NETNS | --pid PID] list [--json | --exprs]
//! cargo run -p linx-netfilter --example nft -- [-n NETNS | --pid PID] apply FILE [--owned [--hold]]
//! ```
//!
//! - `list` pulls every table and prints it as `nft list ruleset` does
//!   (`linx_netfilter::print`); a rule Linx cannot lift yet prints as a `#linx: unlifted:`
//!   line with its expressions, and interface indexes print as numbers. `--exprs` prints the
//!   old register-level summary, `--json` the ruleset in Linx's JSON format (the format
//!   `apply` reads, see `linx_netfilter::ruleset`).
//! - `apply FILE` reads a ruleset in that JSON format, validates it and pushes it in one atomic
//!   batch (`Mode::Replace`: each table in the file replaces the table of the same name; other
//!   tables are left alone).
//! - Table lifetime: `apply` is a short-lived process, so its tables stay after it exits: it
//!   clears the `owner` flag the file's tables carry by default (`Ruleset::release_ownership`)
//!   and says which tables it released. `--owned` keeps them `owner` tables instead, which the
//!   kernel deletes when this program's socket closes: at exit, or with `--hold` when stdin
//!   closes.
//! - `-n NAME` opens `/run/netns/NAME` (as `ip netns add` makes), `-n /path` any namespace
//!   file, `--pid` a process's namespace.

use std::io::Read;
use std::process::ExitCode;

use linx_netfilter::{ChainKind, Mode, Ruleset, Scope, Table};
use linx_netlink_sys::Netns;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const USAGE: &str =
    "usage: nft [-n NETNS | --pid PID] list [--json | --exprs] | apply FILE [--owned [--hold]]";

struct Args {
    netns: Netns,
    command: String,
    file: Option<String>,
    json: bool,
    exprs: bool,
    hold: bool,
    owned: bool,
}

fn args() -> Res<Args> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_env();
    let mut a = Args {
        netns: Netns::Host,
        command: String::new(),
        file: None,
        json: false,
        exprs: false,
        hold: false,
        owned: false,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Short('n') | Long("netns") => {
                let v = p.value()?.string()?;
                a.netns = if v.contains('/') {
                    Netns::Path(v.into())
                } else {
                    Netns::Path(format!("/run/netns/{v}").into())
                };
            }
            Long("pid") => a.netns = Netns::Pid(p.value()?.parse()?),
            Short('j') | Long("json") => a.json = true,
            Long("exprs") => a.exprs = true,
            Long("hold") => a.hold = true,
            Long("owned") => a.owned = true,
            Short('h') | Long("help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Value(v) if a.command.is_empty() => a.command = v.string()?,
            Value(v) if a.command == "apply" && a.file.is_none() => a.file = Some(v.string()?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(a)
}

/// One table, nft-style.
fn print_table(t: &Table) {
    let handle = t
        .handle
        .map(|h| format!(" # handle {h}"))
        .unwrap_or_default();
    println!("table {} {} {{{handle}", t.family(), t.name());
    if !t.flags.is_empty() {
        println!("\tflags {}", t.flags);
    }
    for o in t.objects() {
        println!("\t{} {} {{ {:?} }}", o.kind.object_type(), o.name, o.kind);
    }
    for s in t.sets() {
        let elems: Vec<String> = s.elements.iter().map(ToString::to_string).collect();
        println!(
            "\tset {} {{ type {}; flags {}; elements = {{ {} }} }}",
            s.name,
            s.key,
            s.flags,
            elems.join(", ")
        );
    }
    for m in t.maps() {
        let elems: Vec<String> = m
            .elements
            .iter()
            .map(|e| format!("{} : {}", e.key, e.value))
            .collect();
        println!(
            "\tmap {} {{ type {} : {}; elements = {{ {} }} }}",
            m.name,
            m.key,
            m.data,
            elems.join(", ")
        );
    }
    for c in t.chains() {
        println!("\tchain {} {{", c.name());
        if let ChainKind::Base(b) = &c.kind {
            println!("\t\t{b};");
        }
        for r in c.rules() {
            let handle = r
                .handle
                .map(|h| format!(" # handle {h}"))
                .unwrap_or_default();
            println!(
                "\t\t{}{handle}",
                r.display_in(t.family(), t.name(), c.name())
            );
        }
        println!("\t}}");
    }
    println!("}}");
}

/// `e` in its `Display` form, then each cause whose text it does not already include.
fn report(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// Runs the command; on failure prints `nft: <error>` (its `Display`, never `Debug`) and
/// exits with status 1.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nft: {}", report(&*e));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Res<()> {
    let a = args()?;
    let sock = linx_nfnl::open(a.netns)?;
    match a.command.as_str() {
        "list" => {
            let rs = linx_netfilter::pull(&sock, Scope::All)?;
            if a.json {
                println!("{}", rs.to_json_pretty());
            } else if a.exprs {
                rs.tables().for_each(print_table);
            } else {
                print!("{}", linx_netfilter::print::Printer::new().ruleset(&rs));
            }
        }
        "apply" => {
            let file = a.file.ok_or(USAGE)?;
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
            let mut rs = Ruleset::from_json(&text).map_err(|e| format!("{file}: {e}"))?;
            if a.hold && !a.owned {
                return Err("--hold keeps owner tables alive: it needs --owned".into());
            }
            let released = if a.owned {
                Vec::new()
            } else {
                rs.release_ownership()
            };
            linx_netfilter::push(&sock, &rs, Mode::Replace)?;
            println!("applied {rs}");
            if !released.is_empty() {
                println!(
                    "kept after exit (owner flag cleared; --owned to tie them to this process): {}",
                    released.join(", ")
                );
            } else if a.owned
                && rs
                    .tables()
                    .any(|t| t.flags.contains(linx_netfilter::TableFlags::OWNER))
                && !a.hold
            {
                println!("owner tables: deleted by the kernel when this program exits");
            }
            if a.hold {
                eprintln!("holding the socket (owner tables stay) until stdin closes");
                std::io::stdin().read_to_end(&mut Vec::new())?;
            }
        }
        _ => return Err(USAGE.into()),
    }
    Ok(())
}
