//! Push: a whole [`Ruleset`] into the kernel as **one** atomic nf_tables batch.
//!
//! Why one batch: the kernel applies an nfnetlink batch all or nothing, so a ruleset is either
//! fully in place or not at all; there is no moment where a firewall is half loaded. The batch
//! is planned without I/O ([`plan`]) and then sent by [`push()`] on either driver.
//!
//! `Mode::Reconcile` sends a difference instead (see [`reconcile`](mod@crate::reconcile)).
//!
//! # Contract (`Mode::Replace`, §7.2)
//! - The ruleset is validated first ([`Ruleset::validate`]); an invalid one sends nothing.
//!   Rules are checked once: those the `add_*` methods checked and nothing changed since
//!   are not checked again, every other rule is.
//! - For each table of the ruleset, in order: `DESTROYTABLE` (no error when it does not
//!   exist), `NEWTABLE`, `NEWOBJ` (objects), `NEWSET` (named sets, maps, then the anonymous
//!   sets of set and vmap literals, `__set%d` / `__map%d`), `NEWFLOWTABLE`, `NEWCHAIN`,
//!   `NEWSETELEM` (named sets, maps, anonymous sets; split into messages below the 64 KiB
//!   attribute limit), `NEWRULE` (`NLM_F_CREATE | NLM_F_APPEND`, in chain and rule order).
//! - Tables of the namespace that are not in the ruleset are never touched.
//! - A refusal names the refused message's position in the batch and what it was
//!   ([`NetfilterError::Refused`]); nothing is applied. A `NEWFLOWTABLE` refused with
//!   `ENOENT`/`EOPNOTSUPP` is [`NetfilterError::Unsupported`] (kernels without flowtables).
//! - Tables flagged `owner` (the default) belong to the socket that pushed them: they vanish
//!   when that socket closes (unless also `persist`), and another socket cannot replace them
//!   (`EPERM`). Keep the socket for as long as the ruleset should stay.
//! - Set ids (`NFTA_SET_ID`) count from 1 in each batch; sets are referenced by name and id,
//!   as nft(8) does.

use std::collections::HashMap;

use linx_netlink_codec::Errno;
use linx_netlink_codec::Transport;
use linx_netlink_codec::consts::{NLM_F_APPEND, NLM_F_CREATE};
use linx_nfnl::batch::Batch;
use linx_nfnl::{msg_type, nft_msg, subsys};

use crate::expr::codec::SetRefs;
use crate::op_error::{NetfilterError, Operation};
use crate::wire::literal::{Anonymous, Literal, anon_name};
use crate::wire::set::{self as wset, Elems, SetSpec};
use crate::wire::table as wt;
use crate::{Error, Family, Ruleset, Table, TableFlags};

/// How [`push()`] applies a ruleset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Each table of the ruleset replaces the kernel's table of the same family and name
    /// (destroyed and rebuilt in the same atomic batch).
    #[default]
    Replace,
    /// Send only what differs between the kernel's tables and the ruleset, in one batch
    /// guarded by the ruleset generation, starting over up to `retries` times when another
    /// program commits in between: [`reconcile`](crate::reconcile::reconcile()) with
    /// default options otherwise (spec default: 3 retries), its report dropped.
    Reconcile {
        /// How many times to start over after `ERESTART`.
        retries: u32,
    },
}

/// What one message of a planned batch does, for error reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    DestroyTable,
    Table,
    Object(usize),
    Set(usize),
    Map(usize),
    Anonymous(usize),
    Flowtable(usize),
    Chain(usize),
    SetElements(usize),
    MapElements(usize),
    AnonymousElements(usize),
    Rule { chain: usize, index: usize },
}

/// A ruleset encoded as one batch, ready to send: built by [`plan`] (no I/O), so the exact
/// bytes can be inspected or compared.
///
/// ```
/// use linx_netfilter::{Chain, ChainType, Family, Hook, Priority, Rule, Ruleset, Expr, TableFlags};
/// let mut rs = Ruleset::new();
/// let t = rs.add_table(Family::Inet, "filter", TableFlags::default())?;
/// t.add_chain(Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER))?;
/// t.add_rule("input", Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(22)).accept())?;
/// let plan = linx_netfilter::push::plan(&rs)?;
/// assert_eq!(plan.len(), 4); // destroy table, table, chain, rule
/// assert_eq!(plan.describe(&rs, 4).as_deref(), Some("rule 1 of inet/filter/input"));
/// # Ok::<(), linx_netfilter::Error>(())
/// ```
#[derive(Debug)]
pub struct Plan {
    batch: Batch,
    targets: Vec<(usize, What)>,
}

impl Plan {
    /// Number of messages (the batch envelope not counted).
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether the plan sends nothing (an empty ruleset).
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The batch.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// The batch, consumed.
    pub fn into_batch(self) -> Batch {
        self.batch
    }

    /// What message `batch_seq` (1-based) of the plan does, in words
    /// (`"rule 3 of inet/filter/input (tag ssh)"`), given the ruleset it was planned from.
    pub fn describe(&self, rs: &Ruleset, batch_seq: usize) -> Option<String> {
        let &(t, what) = self.targets.get(batch_seq.checked_sub(1)?)?;
        let table = rs.tables().nth(t)?;
        let id = table.id();
        Some(match what {
            What::DestroyTable => format!("destroy table {id}"),
            What::Table => format!("table {id}"),
            What::Object(i) => {
                let o = table.objects().get(i)?;
                format!("{} object {} of {id}", o.kind.object_type(), o.name)
            }
            What::Set(i) => format!("set {} of {id}", table.sets().get(i)?.name),
            What::Map(i) => format!("map {} of {id}", table.maps().get(i)?.name),
            What::Anonymous(i) => format!("anonymous set {} of {id}", i + 1),
            What::Flowtable(i) => format!("flowtable {} of {id}", table.flowtables().get(i)?.name),
            What::Chain(i) => format!("chain {id}/{}", table.chains().get(i)?.name()),
            What::SetElements(i) => {
                format!("elements of set {} of {id}", table.sets().get(i)?.name)
            }
            What::MapElements(i) => {
                format!("elements of map {} of {id}", table.maps().get(i)?.name)
            }
            What::AnonymousElements(i) => format!("elements of anonymous set {} of {id}", i + 1),
            What::Rule { chain, index } => {
                let c = table.chains().get(chain)?;
                let rule = c.rules().get(index)?;
                match &rule.tag {
                    Some(tag) => format!("rule {} of {id}/{} (tag {tag})", index + 1, c.name()),
                    None => format!("rule {} of {id}/{}", index + 1, c.name()),
                }
            }
        })
    }

    /// Whether message `batch_seq` creates a flowtable.
    fn is_flowtable(&self, batch_seq: usize) -> bool {
        matches!(
            batch_seq.checked_sub(1).and_then(|i| self.targets.get(i)),
            Some((_, What::Flowtable(_)))
        )
    }
}

/// What one walk over a table's rules finds: every literal, in the order the expression
/// encoder meets them; how many rules; a generous size of their messages.
struct Scan<'a> {
    literals: Vec<Literal<'a>>,
    rules: usize,
    bytes: usize,
}

/// Walk `table`'s rules once (a large ruleset is megabytes of expressions: every extra pass
/// over them is a pass of cache misses).
fn scan(table: &Table) -> Scan<'_> {
    let mut out = Scan {
        literals: Vec::new(),
        rules: 0,
        bytes: 0,
    };
    for chain in table.chains() {
        // Message and nfgenmsg headers, table and chain names, the expression list nest.
        let head = 40 + table.name().len() + chain.name().len();
        for rule in chain.rules() {
            out.rules += 1;
            // Up to 64 bytes per expression (more only for long data or names, which a
            // regrowth then covers), the userdata TLVs.
            out.bytes += head + 64 * rule.exprs.len() + rule.userdata_len();
            out.literals
                .extend(rule.exprs.iter().filter_map(Literal::of));
        }
    }
    out
}

/// [`SetRefs`] for one table of a batch.
struct Refs<'a> {
    named: HashMap<&'a str, u32>,
    anonymous: Anonymous,
}

impl SetRefs for Refs<'_> {
    fn set_id(&self, name: &str) -> Option<u32> {
        self.named.get(name).copied()
    }

    fn anonymous(&mut self) -> Result<(&'static str, u32), Error> {
        self.anonymous.take()
    }
}

const fn nft(op: u8) -> u16 {
    msg_type(subsys::NFTABLES, op)
}

/// Plan the `Mode::Replace` batch for `rs` (validated first; no I/O).
pub fn plan(rs: &Ruleset) -> Result<Plan, Error> {
    rs.validate()?;
    let mut batch = Batch::new(subsys::NFTABLES);
    let mut targets = Vec::new();
    let mut set_id = 0u32;
    for (t, table) in creation_order(rs) {
        plan_table(&mut batch, &mut targets, &mut set_id, t, table)?;
    }
    Ok(Plan { batch, targets })
}

/// The tables of `rs` with their index, in the order they are created: pulled tables in
/// kernel handle order (the order they were made in, which is the order the kernel lists
/// them and `nft list ruleset` prints them), then the tables without a handle in the
/// model's (family, name) order.
fn creation_order(rs: &Ruleset) -> Vec<(usize, &Table)> {
    let mut tables: Vec<(usize, &Table)> = rs.tables().enumerate().collect();
    // Stable: tables without a handle keep the model's order.
    tables.sort_by_key(|(_, t)| (t.handle.is_none(), t.handle));
    tables
}

fn plan_table(
    batch: &mut Batch,
    targets: &mut Vec<(usize, What)>,
    set_id: &mut u32,
    t: usize,
    table: &Table,
) -> Result<(), Error> {
    let Scan {
        literals: lits,
        rules,
        bytes,
    } = scan(table);
    // Reserve so the batch is written into one allocation: reserved but untouched memory
    // costs no RSS, a regrowth copies the whole batch.
    let set_elements: usize = table.sets().iter().map(|s| s.elements.len()).sum();
    let map_elements: usize = table.maps().iter().map(|m| m.elements.len()).sum();
    batch.reserve(4096 + bytes + 24 * set_elements + 48 * map_elements);
    // Destroy and create the table, then one message per object, set (and usually one
    // for its elements), flowtable, chain and rule.
    targets.reserve(
        2 + table.objects().len()
            + 2 * (table.sets().len() + table.maps().len() + lits.len())
            + table.flowtables().len()
            + table.chains().len()
            + rules,
    );
    let family = table.family().nfproto();
    let name = table.name();
    let mut add = |batch: &mut Batch,
                   what: What,
                   op: u8,
                   flags: u16,
                   f: &mut dyn FnMut(&mut crate::wire::Writer<'_>) -> Result<(), Error>|
     -> Result<(), Error> {
        batch.push_with(nft(op), flags, family, |w| f(w))?;
        targets.push((t, what));
        Ok(())
    };

    add(
        batch,
        What::DestroyTable,
        nft_msg::DESTROYTABLE,
        0,
        &mut |w| wt::encode_table_name(w, name),
    )?;
    add(
        batch,
        What::Table,
        nft_msg::NEWTABLE,
        NLM_F_CREATE,
        &mut |w| {
            wt::encode_table(w, name, table.flags)?;
            // Another tool's table userdata (nft's comment TLV), as pulled.
            if let Some(userdata) = &table.userdata {
                w.put(crate::wire::attr::table::NFTA_TABLE_USERDATA, userdata)?;
            }
            Ok(())
        },
    )?;
    for (i, object) in table.objects().iter().enumerate() {
        add(
            batch,
            What::Object(i),
            nft_msg::NEWOBJ,
            NLM_F_CREATE,
            &mut |w| wt::encode_object(w, name, object),
        )?;
    }

    // Sets: named sets, maps, then one anonymous set per literal; ids count per batch.
    let mut next_id = || {
        *set_id += 1;
        *set_id
    };
    let sets: Vec<SetSpec<'_>> = table
        .sets()
        .iter()
        .map(|s| SetSpec::of_set(s, next_id()))
        .collect();
    let maps: Vec<SetSpec<'_>> = table
        .maps()
        .iter()
        .map(|m| SetSpec::of_map(m, next_id()))
        .collect();
    let anon: Vec<SetSpec<'_>> = lits.iter().map(|l| l.spec(next_id())).collect();
    // Named sets and maps in kernel handle order when pulled (the kernel lists them in the
    // order they were made, so a pulled table is listed as before), new ones after.
    let mut named: Vec<(u64, What, &SetSpec<'_>)> = Vec::with_capacity(sets.len() + maps.len());
    for (i, (set, spec)) in table.sets().iter().zip(&sets).enumerate() {
        named.push((set.handle.unwrap_or(u64::MAX), What::Set(i), spec));
    }
    for (i, (map, spec)) in table.maps().iter().zip(&maps).enumerate() {
        named.push((map.handle.unwrap_or(u64::MAX), What::Map(i), spec));
    }
    named.sort_by_key(|(handle, ..)| *handle);
    let anonymous = anon
        .iter()
        .enumerate()
        .map(|(i, s)| (What::Anonymous(i), s));
    for (what, spec) in named.into_iter().map(|(_, w, s)| (w, s)).chain(anonymous) {
        add(batch, what, nft_msg::NEWSET, NLM_F_CREATE, &mut |w| {
            wset::encode_set(w, name, spec)
        })?;
    }
    for (i, ft) in table.flowtables().iter().enumerate() {
        add(
            batch,
            What::Flowtable(i),
            nft_msg::NEWFLOWTABLE,
            NLM_F_CREATE,
            &mut |w| wt::encode_flowtable(w, table.family(), name, ft),
        )?;
    }
    for (i, chain) in table.chains().iter().enumerate() {
        add(
            batch,
            What::Chain(i),
            nft_msg::NEWCHAIN,
            NLM_F_CREATE,
            &mut |w| wt::encode_chain(w, table.family(), name, chain),
        )?;
    }

    // Elements.
    let mut elements = |spec: &SetSpec<'_>, elems: Elems<'_>, what: What| -> Result<(), Error> {
        let n = wset::push_elements(batch, family, name, spec, elems)?;
        targets.extend(std::iter::repeat_n((t, what), n));
        Ok(())
    };
    for (i, (set, spec)) in table.sets().iter().zip(&sets).enumerate() {
        if !set.elements.is_empty() || !set.extras.raw_elements.is_empty() {
            elements(spec, Elems::Set(&set.elements), What::SetElements(i))?;
        }
    }
    for (i, (map, spec)) in table.maps().iter().zip(&maps).enumerate() {
        if !map.elements.is_empty() || !map.extras.raw_elements.is_empty() {
            elements(spec, Elems::Map(&map.elements), What::MapElements(i))?;
        }
    }
    for (i, (lit, spec)) in lits.iter().zip(&anon).enumerate() {
        elements(spec, lit.elems(), What::AnonymousElements(i))?;
    }

    // Rules.
    let mut refs = Refs {
        named: sets.iter().chain(&maps).map(|s| (s.name, s.id)).collect(),
        anonymous: Anonymous::new(anon.iter().map(|s| (anon_name(s), s.id)).collect()),
    };
    for (c, chain) in table.chains().iter().enumerate() {
        for (i, rule) in chain.rules().iter().enumerate() {
            batch.push_with(
                nft(nft_msg::NEWRULE),
                NLM_F_CREATE | NLM_F_APPEND,
                family,
                |w| wt::encode_rule(w, name, chain.name(), rule, &mut refs),
            )?;
            targets.push((t, What::Rule { chain: c, index: i }));
        }
    }
    Ok(())
}

/// Map a batch failure to a [`NetfilterError`], naming the refused message.
fn refusal(
    op: Operation,
    rs: Option<&Ruleset>,
    plan: &Plan,
    e: linx_nfnl::Error,
) -> NetfilterError {
    match e {
        linx_nfnl::Error::Batch { first, .. } => {
            let seq = first.batch_seq;
            let flowtable = seq.is_some_and(|s| plan.is_flowtable(s));
            if flowtable && matches!(first.error.errno, Errno::ENOENT | Errno::EOPNOTSUPP) {
                return NetfilterError::Unsupported {
                    operation: op,
                    feature: "flowtables",
                    error: first.error,
                };
            }
            NetfilterError::Refused {
                operation: op,
                batch_seq: seq,
                what: seq.and_then(|s| rs.and_then(|rs| plan.describe(rs, s))),
                error: first.error,
            }
        }
        other => NetfilterError::from_nfnl(op, other),
    }
}

linx_netlink_codec::verb! {
    error = NetfilterError;
    /// Push `rs` into the kernel in one atomic batch (see the [module docs](self) for what
    /// `mode` does and the message order). `Ok(())` means every table of `rs` is in place
    /// exactly as given. On error nothing changed, except for one error: when the kernel's
    /// verdict never arrived and the ruleset generation moved but the tables could not be
    /// confirmed as pushed (`Transport` with `linx_nfnl::Error::Unconfirmed`), the batch may
    /// or may not have been applied. A lost verdict with an unmoved generation is
    /// `linx_nfnl::Error::NotCommitted`: nothing was applied.
    ///
    /// ```no_run
    /// use linx_netfilter::{push, Chain, ChainType, Family, Hook, Policy, Priority, Rule, Ruleset, Expr, TableFlags};
    /// let mut rs = Ruleset::new();
    /// let t = rs.add_table(Family::Inet, "app", TableFlags::default())?;
    /// t.add_chain(Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop))?;
    /// t.add_rule("input", Rule::new(Expr::tcp_dport_eq(22)).accept())?;
    /// // Keep `sock` open: the table is owned by it.
    /// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
    /// push::push(&sock, &rs, push::Mode::Replace)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push(sock, rs: &Ruleset, mode: Mode) -> () {
        if let Mode::Reconcile { retries } = mode {
            let opts = crate::reconcile::ReconcileOptions::new().retries(retries);
            return crate::reconcile::reconcile_on(sock, rs, &opts).await.map(|_| ());
        }
        let plan = plan(rs)?;
        if plan.is_empty() {
            return Ok(());
        }
        send(sock, plan, Operation::Push, Some(rs)).await
    }
}

/// Send a planned batch and name the refused message, if any (`rs` is the ruleset the plan
/// was made from, for the description).
async fn send<S: Transport>(
    sock: &S,
    mut plan: Plan,
    op: Operation,
    rs: Option<&Ruleset>,
) -> Result<(), NetfilterError> {
    linx_nfnl::batch::fit(sock, plan.batch.encoded_len())
        .map_err(|e| NetfilterError::from_nfnl(op, e))?;
    let machine = std::mem::replace(&mut plan.batch, Batch::new(subsys::NFTABLES)).into_machine();
    match linx_nfnl::batch::drive(sock, machine).await {
        Ok(()) => Ok(()),
        // No verdict, and a commit happened: ours, if the tables are now exactly `rs`'s.
        Err(e @ linx_nfnl::Error::Unconfirmed { .. }) => match rs {
            Some(rs) if in_place(sock, rs).await => Ok(()),
            _ => Err(refusal(op, rs, &plan, e)),
        },
        Err(e) => Err(refusal(op, rs, &plan, e)),
    }
}

/// Whether every table of `rs` is in the kernel exactly as given (compared canonically), and
/// every `owner` table of it is owned by this socket (the same content in a table of another
/// socket is not our push).
async fn in_place<S: Transport>(sock: &S, rs: &Ruleset) -> bool {
    let mut now = Ruleset::new();
    for t in rs.tables() {
        if t.flags.contains(TableFlags::OWNER)
            && table_owner(sock, t.family(), t.name()).await != Some(sock.port_id())
        {
            return false;
        }
        match crate::pull::pull_on(sock, crate::pull::Scope::Table(t.family(), t.name())).await {
            Ok(pulled) => {
                for t in pulled.tables() {
                    now.insert_pulled(t.clone());
                }
            }
            Err(_) => return false,
        }
    }
    now.canonical() == rs.canonical()
}

/// The port id that owns table `family`/`name` (`NFTA_TABLE_OWNER`), if it is an owner table.
async fn table_owner<S: Transport>(sock: &S, family: Family, name: &str) -> Option<u32> {
    use linx_netlink_codec::{Call, MsgView};
    let req = crate::pull::get_table(family, name).ok()?;
    let call = Call::new(req, |m: &MsgView<'_>| {
        crate::wire::table::decode_table_owner(m.payload().get(4..).unwrap_or_default())
    });
    sock.single(call).await.ok().flatten().flatten()
}

/// The one-message batch of [`create_table`], and the table it creates.
fn create_plan(family: Family, name: &str, persist: bool) -> Result<(Plan, Table), Error> {
    let mut table = Table::new(family, name);
    table.flags = if persist {
        TableFlags::OWNER | TableFlags::PERSIST
    } else {
        TableFlags::OWNER
    };
    table.check_name()?;
    let mut batch = Batch::new(subsys::NFTABLES);
    batch.push_with(
        nft(nft_msg::NEWTABLE),
        NLM_F_CREATE,
        family.nfproto(),
        |w| wt::encode_table(w, name, table.flags),
    )?;
    let plan = Plan {
        batch,
        targets: vec![(0, What::Table)],
    };
    Ok((plan, table))
}

linx_netlink_codec::verb! {
    error = NetfilterError;
    /// Create (or, when it exists and is this socket's, update) table `family`/`name`
    /// flagged `owner`: it lives as long as `sock` does. With `persist` it is flagged
    /// `owner | persist` and outlives the socket (kernel 6.9+). Returns the table as created.
    ///
    /// ```no_run
    /// use linx_netfilter::{create_table, Family, TableFlags};
    /// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
    /// let t = create_table(&sock, Family::Inet, "app", false)?;
    /// assert_eq!(t.flags, TableFlags::OWNER);
    /// drop(sock); // the table is gone now
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_table(sock, family: Family, name: &str, persist: bool) -> Table {
        let (plan, table) = create_plan(family, name, persist)?;
        send(sock, plan, Operation::CreateTable, None).await?;
        Ok(table)
    }
}

/// Whether an nf_tables (`NETLINK_NETFILTER`) socket can be opened here. No privilege check:
/// changing rulesets also needs `CAP_NET_ADMIN` in the namespace.
///
/// ```
/// let _ = linx_netfilter::supported();
/// ```
pub fn supported() -> bool {
    linx_nfnl::supported()
}
