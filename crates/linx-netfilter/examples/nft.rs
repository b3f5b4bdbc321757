//! A small `nft` on Linx: list a namespace's ruleset, or apply one from a file.
//!
//! ```text
//! cargo run -p linx-netfilter --example nft -- [-n NETNS | --pid PID] list [--json] [--exprs]
//! cargo run -p linx-netfilter --example nft -- [-n NETNS | --pid PID] apply FILE [--owned [--hold]]
//! cargo run -p linx-netfilter --example nft -- [-n NETNS | --pid PID] reconcile FILE [--dry-run] [--owned]
//! cargo run -p linx-netfilter --example nft -- [-n NETNS | --pid PID] nflog GROUP [--packet]
//! cargo run -p linx-netfilter --example nft -- [-n NETNS | --pid PID] monitor [--json] [--count N]
//! ```
//!
//! - `list` pulls every table and prints it as `nft list ruleset` does
//!   (`linx_netfilter::print`); a rule Linx cannot lift yet prints as a `#linx: unlifted:`
//!   line with its expressions, and interface indexes print as numbers. `--exprs` prints the
//!   old register-level summary.
//! - `list --json` prints the ruleset for reading, rules as statements (below).
//!   `list --json --exprs` prints it in Linx's ruleset format instead, rules as expressions:
//!   the format `apply` reads (see `linx_netfilter::ruleset`), so its output can be applied.
//! - `apply FILE` reads a ruleset in that JSON format, validates it and pushes it in one atomic
//!   batch (`Mode::Replace`: each table in the file replaces the table of the same name; other
//!   tables are left alone).
//! - Table lifetime: `apply` is a short-lived process, so its tables stay after it exits: it
//!   clears the `owner` flag the file's tables carry by default (`Ruleset::release_ownership`)
//!   and says which tables it released. `--owned` keeps them `owner` tables instead, which the
//!   kernel deletes when this program's socket closes: at exit, or with `--hold` when stdin
//!   closes.
//! - `reconcile FILE` reads the same format and makes the file's tables so by sending only
//!   what differs (`linx_netfilter::reconcile`: one batch guarded by the ruleset generation,
//!   retried when another program commits in between); it prints what it did and the patch as
//!   nft commands. Rules of chains with several rules need tags. Table lifetime as for
//!   `apply`. `--dry-run` prints the patch (`Patch::to_nft`) and sends nothing.
//! - `nflog GROUP` listens to the packets `log group GROUP` rules send
//!   (`linx_netfilter::nflog`) and prints one line per event until interrupted; `--packet`
//!   asks for the packets' bytes too (their length is printed).
//! - `monitor` prints every change committed to the namespace's ruleset as it happens
//!   (`linx_netfilter::monitor`), one line per change: `gen 1247 by nft (pid 812): add
//!   rule inet app input handle 4 tcp dport 22 accept`. With `--json`, one JSON object per
//!   line instead (`{"generation":1247,"pid":812,"proc_name":"nft","op":"add","kind":
//!   "rule",...}`). Lost changes print `# resync needed` (JSON: `{"resync_needed":true}`).
//!   `--count N` stops after N changes. It says `# monitoring` on stderr once subscribed.
//! - `-n NAME` opens `/run/netns/NAME` (as `ip netns add` makes), `-n /path` any namespace
//!   file, `--pid` a process's namespace.
//!
//! # `list --json`
//!
//! One JSON object, `{"tables": [...]}`, pretty-printed. Tables come in the ruleset's order
//! (by family, then name), chains, rules, sets and elements in the kernel's order, and the
//! keys of every object in the order shown here, so the same ruleset always prints the same
//! bytes.
//! - **table**: `family`, `name`, `flags`, `handle`, then `sets`, `maps`, `objects`,
//!   `flowtables` (each as in the ruleset format; left out when empty) and `chains`.
//! - **chain**: `name`, `handle`; a base chain adds `type`, `hook`, `priority`, `policy`,
//!   and `devices` when it has any; then `rules`.
//! - **rule**: `handle`, `comment` (when set), then either `statements`, when the whole
//!   rule lifts (`linx_netfilter::lift`: the statements lower to exactly its expressions),
//!   or `exprs`, the expressions in the ruleset format, when it does not. Never both.
//! - **statement**: the serde form of `linx_netfilter::stmt::Statement` (see that module):
//!   `{"match": {"key": {"header": "tcp_dport"}, "op": "eq", "value": {"int": 22}}}`,
//!   `{"verdict": "accept"}`, `{"nat": {"kind": "dnat", "family": "ip", "addr": {"ip":
//!   "192.0.2.10"}, "port": {"int": 80}}}`. Values are typed: `{"ip": ...}`,
//!   `{"prefix": "10.0.0.0/8"}`, `{"mac": ...}`, `{"ifname": "lo"}`, `{"int": n}` (ports,
//!   protocols, marks, flag bits: the key's field says which), `{"range": [lo, hi]}`,
//!   `{"set": [...]}`, `{"set_ref": "name"}`.

use std::io::Read;
use std::process::ExitCode;

use linx_netfilter::expr::Expr;
use linx_netfilter::lift::{is_fully_lifted, lift_in};
use linx_netfilter::stmt::Statement;
use linx_netfilter::{
    Chain, ChainKind, ChainType, Family, Flowtable, Hook, Map, Mode, Object, Policy, Priority,
    Rule, Ruleset, Scope, Set, Table, TableFlags,
};
use linx_netlink_sys::Netns;
use serde::Serialize;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: nft [-n NETNS | --pid PID] list [--json] [--exprs] | apply FILE [--owned [--hold]] | reconcile FILE [--dry-run] [--owned] | nflog GROUP [--packet] | monitor [--json] [--count N]";

struct Args {
    netns: Netns,
    command: String,
    file: Option<String>,
    json: bool,
    exprs: bool,
    hold: bool,
    owned: bool,
    packet: bool,
    count: Option<u64>,
    dry_run: bool,
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
        packet: false,
        count: None,
        dry_run: false,
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
            Long("packet") => a.packet = true,
            Long("count") => a.count = Some(p.value()?.parse()?),
            Long("dry-run") => a.dry_run = true,
            Short('h') | Long("help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Value(v) if a.command.is_empty() => a.command = v.string()?,
            Value(v)
                if matches!(a.command.as_str(), "apply" | "reconcile" | "nflog")
                    && a.file.is_none() =>
            {
                a.file = Some(v.string()?)
            }
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

/// `list --json`: the ruleset for reading (see the module docs for the shape).
#[derive(Serialize)]
struct Listing<'a> {
    tables: Vec<ListTable<'a>>,
}

/// A table of the listing.
#[derive(Serialize)]
struct ListTable<'a> {
    family: Family,
    name: &'a str,
    flags: TableFlags,
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<u64>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sets: &'a [Set],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    maps: &'a [Map],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    objects: &'a [Object],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    flowtables: &'a [Flowtable],
    chains: Vec<ListChain<'a>>,
}

/// A chain of the listing.
#[derive(Serialize)]
struct ListChain<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<u64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    chain_type: Option<ChainType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook: Option<Hook>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<Policy>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    devices: &'a [String],
    rules: Vec<ListRule<'a>>,
}

/// A rule of the listing: statements when it lifts, else its expressions.
#[derive(Serialize)]
struct ListRule<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statements: Option<Vec<Statement>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exprs: Option<&'a [Expr]>,
}

impl<'a> Listing<'a> {
    fn new(rs: &'a Ruleset) -> Listing<'a> {
        Listing {
            tables: rs.tables().map(ListTable::new).collect(),
        }
    }
}

impl<'a> ListTable<'a> {
    fn new(t: &'a Table) -> ListTable<'a> {
        ListTable {
            family: t.family(),
            name: t.name(),
            flags: t.flags,
            handle: t.handle,
            sets: t.sets(),
            maps: t.maps(),
            objects: t.objects(),
            flowtables: t.flowtables(),
            chains: t.chains().iter().map(|c| ListChain::new(c, t)).collect(),
        }
    }
}

impl<'a> ListChain<'a> {
    fn new(c: &'a Chain, t: &'a Table) -> ListChain<'a> {
        let base = match &c.kind {
            ChainKind::Base(b) => Some(b),
            _ => None,
        };
        ListChain {
            name: c.name(),
            handle: c.handle,
            chain_type: base.map(|b| b.chain_type),
            hook: base.map(|b| b.hook),
            priority: base.map(|b| b.priority),
            policy: base.and_then(|b| b.policy),
            devices: base.map_or(&[], |b| b.devices.as_slice()),
            rules: c.rules().iter().map(|r| ListRule::new(r, t)).collect(),
        }
    }
}

impl<'a> ListRule<'a> {
    fn new(r: &'a Rule, t: &Table) -> ListRule<'a> {
        let stmts = lift_in(&r.exprs, t);
        let lifted = is_fully_lifted(&stmts);
        ListRule {
            handle: r.handle,
            comment: r.comment.as_deref(),
            statements: lifted.then_some(stmts),
            exprs: (!lifted).then_some(r.exprs.as_slice()),
        }
    }
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
    if a.command == "nflog" {
        return nflog(a);
    }
    if a.command == "monitor" {
        return monitor(a);
    }
    let sock = linx_nfnl::open(a.netns.clone())?;
    match a.command.as_str() {
        "list" => {
            let rs = linx_netfilter::pull(&sock, Scope::All)?;
            if a.json && a.exprs {
                println!("{}", rs.to_json_pretty());
            } else if a.json {
                println!("{}", serde_json::to_string_pretty(&Listing::new(&rs))?);
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
        "reconcile" => reconcile(&sock, a)?,
        _ => return Err(USAGE.into()),
    }
    Ok(())
}

/// `reconcile FILE [--dry-run] [--owned]`.
fn reconcile(sock: &linx_netlink_sys::Socket, a: Args) -> Res<()> {
    use linx_netfilter::reconcile::{ReconcileOptions, reconcile};
    let file = a.file.ok_or(USAGE)?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut rs = Ruleset::from_json(&text).map_err(|e| format!("{file}: {e}"))?;
    let released = if a.owned {
        Vec::new()
    } else {
        rs.release_ownership()
    };
    let printer = linx_netfilter::print::Printer::new();
    if a.dry_run {
        rs.validate_for_reconcile()
            .map_err(|e| format!("{file}: {e}"))?;
        // The whole namespace: the diff only looks at the file's tables.
        let now = linx_netfilter::pull(sock, Scope::All)?;
        let patch = linx_netfilter::diff::diff(&now, &rs);
        print!("{}", patch.to_nft(&printer));
        println!("# dry run: {patch}, nothing sent");
        return Ok(());
    }
    let report =
        reconcile(sock, &rs, &ReconcileOptions::new()).map_err(|e| format!("{file}: {e}"))?;
    print!("{}", report.patch.to_nft(&printer));
    println!("# {report}");
    if !released.is_empty() && report.sent {
        println!(
            "# kept after exit (owner flag cleared; --owned to tie them to this process): {}",
            released.join(", ")
        );
    }
    Ok(())
}

/// `nflog GROUP [--packet]`: one line per event until interrupted.
fn nflog(a: Args) -> Res<()> {
    use linx_netfilter::nflog::{CopyMode, ListenOptions, Listener};
    let group: u32 = a.file.ok_or(USAGE)?.parse()?;
    let mut opts = ListenOptions::new(group)?;
    if a.packet {
        opts = opts.copy_mode(CopyMode::packet());
    }
    for ev in Listener::open(a.netns, &opts)? {
        match ev {
            Ok(ev) => println!("{ev}"),
            Err(e) => eprintln!("nft: {}", report(&e)),
        }
    }
    Ok(())
}

/// `monitor [--json] [--count N]`: one line per change until interrupted (or N changes).
fn monitor(a: Args) -> Res<()> {
    use linx_netfilter::monitor::{Item, Monitor};
    let mut mon = Monitor::open(a.netns)?;
    eprintln!("# monitoring");
    let printer = linx_netfilter::print::Printer::new();
    let mut left = a.count;
    if left == Some(0) {
        return Ok(());
    }
    for item in &mut mon {
        match item {
            Ok(Item::Commit(c)) => {
                for ev in c.events() {
                    if a.json {
                        println!("{}", serde_json::to_string(&ev)?);
                    } else {
                        println!("{}: {}", ev.provenance(), ev.to_nft(&printer));
                    }
                    if let Some(n) = left.as_mut() {
                        *n -= 1;
                        if *n == 0 {
                            return Ok(());
                        }
                    }
                }
            }
            Ok(Item::ResyncNeeded) if a.json => println!("{{\"resync_needed\":true}}"),
            Ok(Item::ResyncNeeded) => println!("# resync needed: changes were lost"),
            Ok(_) => {}
            Err(e) => eprintln!("nft: {}", report(&e)),
        }
    }
    Ok(())
}
