//! A [`Patch`] as the nft commands it amounts to (a dry run).
//!
//! Every piece of object text comes from [`Printer`]: rule text, set, chain, object and
//! flowtable bodies (a block's lines joined with `;`), element lists. Whatever the printer
//! cannot write as nft does (an unlifted rule, an element list with per-element state, an
//! object kind without an nft form) makes the whole command an [`UNPRINTED`] line, so a dry
//! run never shows a command nft would not mean the same way.
//!
//! What nft has no syntax for is not shown: a rule's Linx tag (userdata nft does not read)
//! and the process that owns an `owner` table (run with `nft -f`, such a table belongs to,
//! and dies with, the nft process). A kernel test runs this text with `nft -f` and checks
//! that the namespace then holds the desired ruleset.

use super::{Op, Patch, Position, SetDef};
use crate::print::UNPRINTED;
use crate::{ObjectType, Printer, Set, Table, TableId};

impl Patch {
    /// The nft commands this patch amounts to, one per op, in order (`delete rule inet app
    /// input handle 7`, `add rule inet app input tcp dport 22 accept`, `add element inet app
    /// s { 10.0.0.1 }`). Lines nft could not be given the same meaning start with
    /// [`UNPRINTED`]. Rule tags do not show (nft has no syntax for them).
    ///
    /// ```
    /// use linx_netfilter::diff::diff;
    /// use linx_netfilter::{Family, KeyType, Printer, Ruleset, Set, TableFlags};
    /// use linx_ip::ip;
    /// let mut current = Ruleset::new();
    /// current.add_table(Family::Inet, "app", TableFlags::empty())?
    ///     .add_set(Set::new("s", KeyType::Ipv4Addr).element(ip!("10.0.0.2")))?;
    /// let mut desired = Ruleset::new();
    /// desired.add_table(Family::Inet, "app", TableFlags::empty())?
    ///     .add_set(Set::new("s", KeyType::Ipv4Addr).element(ip!("10.0.0.1")))?;
    /// assert_eq!(
    ///     diff(&current, &desired).commands(&Printer::new()),
    ///     ["delete element inet app s { 10.0.0.2 }", "add element inet app s { 10.0.0.1 }"]
    /// );
    /// # Ok::<(), linx_netfilter::Error>(())
    /// ```
    pub fn commands(&self, printer: &Printer) -> Vec<String> {
        self.ops()
            .iter()
            .map(|op| command(printer, op, &self.context))
            .collect()
    }

    /// [`Patch::commands`] as one text, a line per command.
    ///
    /// ```
    /// use linx_netfilter::diff::{Op, Patch};
    /// use linx_netfilter::{Family, Printer, TableId};
    /// let mut p = Patch::new();
    /// p.push(Op::DeleteTable { table: TableId::new(Family::Ip, "old"), handle: None });
    /// assert_eq!(p.to_nft(&Printer::new()), "delete table ip old\n");
    /// ```
    pub fn to_nft(&self, printer: &Printer) -> String {
        let mut out = String::new();
        for c in self.commands(printer) {
            out.push_str(&c);
            out.push('\n');
        }
        out
    }
}

type Context = std::collections::BTreeMap<TableId, Table>;

fn command(p: &Printer, op: &Op, ctx: &Context) -> String {
    let at = |t: &TableId| format!("{} {}", t.family, t.name);
    match op {
        Op::DeleteRule {
            table,
            chain,
            handle,
            ..
        } => format!("delete rule {} {chain} handle {handle}", at(table)),
        Op::FlushChain { table, chain } => format!("flush chain {} {chain}", at(table)),
        Op::DeleteSetElements { table, set } => {
            elements_command(p, "delete element", &at(table), set, true)
        }
        Op::DeleteChain { table, chain } => {
            format!("delete chain {} {}", at(table), chain.name())
        }
        Op::DeleteSet { table, set } => {
            let kw = if set.is_map() { "map" } else { "set" };
            format!("delete {kw} {} {}", at(table), set.name())
        }
        Op::DeleteObject { table, object } => match object_keyword(object.kind.object_type()) {
            Some(kw) => format!("delete {kw} {} {}", at(table), object.name),
            None => format!(
                "{UNPRINTED}delete object {} {} {}",
                object.kind.object_type(),
                at(table),
                object.name
            ),
        },
        Op::DeleteFlowtable { table, flowtable } => {
            format!("delete flowtable {} {}", at(table), flowtable.name)
        }
        Op::DeleteTable { table, .. } => format!("delete table {}", at(table)),
        Op::CreateTable { table } => block_command(&p.table(table), &at(&table.id()), true),
        Op::CreateSet { table, set } => {
            let text = match set {
                SetDef::Set(s) => p.set(s),
                SetDef::Map(m) => p.map(m),
            };
            block_command(&text, &at(table), false)
        }
        Op::CreateObject { table, object } => block_command(&p.object(object), &at(table), false),
        Op::CreateFlowtable { table, flowtable } => {
            block_command(&p.flowtable(flowtable, table.family), &at(table), false)
        }
        Op::CreateChain { table, chain } => {
            let fallback;
            let t = match ctx.get(table) {
                Some(t) => t,
                None => {
                    fallback = Table::new(table.family, table.name.clone());
                    &fallback
                }
            };
            block_command(&p.chain(chain, t), &at(table), false)
        }
        Op::AddSetElements { table, set } => {
            elements_command(p, "add element", &at(table), set, false)
        }
        Op::ReplaceRule {
            table,
            chain,
            handle,
            rule,
        } => rule_command(
            p,
            ctx,
            table,
            &format!("replace rule {} {chain} handle {handle}", at(table)),
            rule,
        ),
        Op::CreateRule {
            table,
            chain,
            position,
            rule,
        } => {
            let head = match position {
                Position::Append => format!("add rule {} {chain}", at(table)),
                Position::Before(h) => format!("insert rule {} {chain} position {h}", at(table)),
            };
            rule_command(p, ctx, table, &head, rule)
        }
    }
}

/// nft's keyword for an object kind in `add`/`delete` commands.
fn object_keyword(t: ObjectType) -> Option<&'static str> {
    Some(match t {
        ObjectType::Counter => "counter",
        ObjectType::Quota => "quota",
        ObjectType::Limit => "limit",
        ObjectType::Secmark => "secmark",
        ObjectType::Synproxy => "synproxy",
        ObjectType::CtHelper => "ct helper",
        ObjectType::CtTimeout => "ct timeout",
        ObjectType::CtExpect => "ct expectation",
        _ => return None,
    })
}

fn rule_command(
    p: &Printer,
    ctx: &Context,
    table: &TableId,
    head: &str,
    rule: &crate::Rule,
) -> String {
    let fallback;
    let t = match ctx.get(table) {
        Some(t) => t,
        None => {
            fallback = Table::new(table.family, table.name.clone());
            &fallback
        }
    };
    let text = p.rule(rule, t);
    if text.is_nft() {
        format!("{head} {}", text.text())
    } else {
        let rest = text.text().strip_prefix(UNPRINTED).unwrap_or(text.text());
        format!("{UNPRINTED}{head} {rest}")
    }
}

/// `add <kw> <family> <table> <name> { line; line; }` from a printer block (`\t<kw> <name>
/// {` ... `\t}`); for a table block the family and table are already in the header.
fn block_command(block: &str, at: &str, is_table: bool) -> String {
    let mut lines = block.lines().map(str::trim);
    let header = lines.next().unwrap_or_default();
    let Some(head) = header.strip_suffix('{').map(str::trim_end) else {
        // Not a block: the printer's own unprinted line.
        let rest = header.strip_prefix(UNPRINTED).unwrap_or(header);
        return format!("{UNPRINTED}add {rest}");
    };
    let head = if is_table {
        head.to_owned()
    } else {
        match head.split_once(' ') {
            Some((kw, name)) => format!("{kw} {at} {name}"),
            None => format!("{head} {at}"),
        }
    };
    let mut body = Vec::new();
    let mut printable = !head.starts_with('#');
    for l in lines {
        if l == "}" || l.is_empty() {
            continue;
        }
        if l.starts_with('#') {
            printable = false;
        }
        body.push(l.strip_suffix(';').unwrap_or(l).to_owned());
    }
    let mut out = String::new();
    if !printable {
        out.push_str(UNPRINTED);
    }
    out.push_str("add ");
    out.push_str(&head);
    if !body.is_empty() {
        out.push_str(" { ");
        for l in body {
            out.push_str(l.strip_prefix(UNPRINTED).unwrap_or(&l));
            out.push_str("; ");
        }
        out.push('}');
    }
    out
}

/// `<verb> <family> <table> <set> { e1, e2 }`, the element list printed by the printer; keys
/// only when `keys_only` (nft deletes map elements by key).
fn elements_command(p: &Printer, verb: &str, at: &str, set: &SetDef, keys_only: bool) -> String {
    let head = format!("{verb} {at} {}", set.name());
    let block = match set {
        SetDef::Set(s) => p.set(s),
        SetDef::Map(m) if keys_only => {
            let mut s = Set::new(m.name.clone(), m.key.clone()).flags(m.flags);
            s.elements = m.elements.iter().map(|e| e.key.clone()).collect();
            s.extras = m.extras.clone();
            p.set(&s)
        }
        SetDef::Map(m) => p.map(m),
    };
    match element_list(&block) {
        Some(list) => format!("{head} {{ {list} }}"),
        None => format!(
            "{UNPRINTED}{head} ({} elements not printable)",
            set.element_count()
        ),
    }
}

/// The items of the `elements = { ... }` line of a printed set block, on one line.
fn element_list(block: &str) -> Option<String> {
    let start = block.find("\t\telements = { ")? + "\t\telements = { ".len();
    let rest = block.get(start..)?;
    let end = rest.find(" }\n")?;
    let items = rest.get(..end)?;
    Some(
        items
            .split(",\n")
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(", "),
    )
}
