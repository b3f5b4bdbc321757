//! Pull: read the kernel's nf_tables ruleset back into the model.
//!
//! Why it matters: a pulled [`Ruleset`] is the same value Linx would push for it, so a
//! program can compare what it wants with what is there, and a ruleset survives a
//! pull → push round trip unchanged (including expressions the model does not know, kept as
//! [`Expr::Unknown`]).
//!
//! # Contract
//! - [`Scope::All`]: every table of the namespace (dumps of tables, chains, rules, sets,
//!   objects and flowtables with family `unspec`, then one element dump per set).
//!   [`Scope::Table`]: one table (`GETTABLE` first: a missing table is
//!   [`NetfilterError::Refused`] with `ENOENT`), then dumps filtered to it by the kernel.
//! - Each dump streams: memory is one datagram plus the decoded model. A dump the kernel
//!   interrupts (`NLM_F_DUMP_INTR`) is restarted and its partial result dropped, up to
//!   [`PullOptions::dump_retries`] times per dump; [`pull_with`] reports how many restarts
//!   and element re-dumps a pull took. Dumps of
//!   different object types are not one atomic snapshot (the kernel offers none).
//! - Anonymous sets (`__set0`, `__map0`...) become the set and vmap literals of the rules that
//!   use them again, so a pushed literal comes back as a literal; they are not listed as sets.
//! - Kernel handles are filled in (tables, chains, rules, sets, objects, flowtables).
//! - Elements come back in the kernel's order; use [`Ruleset::canonical`] before comparing
//!   rulesets as values.
//! - Orphans (a rule whose chain vanished between two dumps) are dropped; a set whose
//!   elements cannot be dumped because it vanished (`ENOENT`) is kept without elements.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use linx_netlink_codec::{Call, DecodeError, DumpEvent, Errno, MsgView, Request};
use linx_nfnl::{NfGenMsg, msg_type, nft_msg, subsys};

use crate::expr::Lookup;
use crate::expr::{SetLiteral, VmapLiteral};
use crate::op_error::{NetfilterError, Operation};
use crate::set::MapValue;
use crate::table::Pulled;
use crate::wire::attr::{set_elem_list as el, table as ta};
use crate::wire::set::{ElemDecoder, Elements, KeptElements, SetInfo, decode_set};
use crate::wire::table::{
    RuleChain, decode_chain, decode_flowtable, decode_object, decode_rule_after, decode_table,
};
use crate::wire::{Writer, invalid};
use crate::{DataType, Expr, Family, Reg, Ruleset, SetFlags, Table};

/// How often a set's elements are dumped before an inconsistent dump is an error.
const ELEM_DUMP_ATTEMPTS: u64 = 8;

/// How to pull: the bound on `NLM_F_DUMP_INTR` restarts of each dump. A builder.
///
/// ```
/// use linx_netfilter::PullOptions;
/// let opts = PullOptions::new().dump_retries(20);
/// assert_ne!(opts, PullOptions::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "PullOptions does nothing until passed to pull_with"]
pub struct PullOptions {
    /// How many times each dump is restarted after the kernel reports it interrupted by a
    /// concurrent change.
    pub(crate) dump_retries: u32,
}

impl PullOptions {
    /// The defaults: [`DEFAULT_DUMP_RETRIES`](linx_netlink_codec::engine::DEFAULT_DUMP_RETRIES)
    /// restarts per dump.
    pub fn new() -> Self {
        Self::default()
    }
    /// How many times each dump is restarted after the kernel reports it interrupted by a
    /// concurrent change (then the pull fails rather than return a torn ruleset).
    pub fn dump_retries(mut self, n: u32) -> Self {
        self.dump_retries = n;
        self
    }
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            dump_retries: linx_netlink_codec::engine::DEFAULT_DUMP_RETRIES,
        }
    }
}

/// A pulled ruleset and what it took to read it consistently.
#[derive(Debug, Clone, PartialEq)]
pub struct PullReport {
    /// The ruleset.
    pub ruleset: Ruleset,
    /// `NLM_F_DUMP_INTR` restarts over all the pull's dumps.
    pub dump_retries: u32,
    /// Set element dumps repeated because the kernel sent an element twice (a hash set
    /// resized while it was dumped).
    pub element_redumps: u32,
}

/// What to pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every table of the namespace.
    All,
    /// One table.
    Table(Family, &'a str),
}

/// Family and attributes of an nf_tables message.
fn split<'m>(m: &MsgView<'m>) -> Result<(Family, &'m [u8]), DecodeError> {
    let p = m.payload();
    let hdr = p
        .get(..4)
        .ok_or_else(|| DecodeError::truncated("nfgenmsg", 16, 4, p.len()))?;
    let family = Family::from_nfproto(hdr[0]).ok_or_else(|| invalid("nfgenmsg family", 16))?;
    Ok((family, &p[4..]))
}

/// A dump request of nf_tables op `op` for `family`, with attributes written by `f`.
fn dump(
    op: u8,
    family: u8,
    f: impl FnOnce(&mut Writer<'_>) -> Result<(), crate::Error>,
) -> Result<Request, NetfilterError> {
    let mut payload = NfGenMsg::new(family).to_bytes().to_vec();
    f(&mut Writer::new(&mut payload))?;
    Ok(Request::dump(msg_type(subsys::NFTABLES, op), payload).with_header_len(4))
}

/// The `GETTABLE` request of one table (not a dump).
pub(crate) fn get_table(family: Family, name: &str) -> Result<Request, crate::Error> {
    let mut payload = NfGenMsg::new(family.nfproto()).to_bytes().to_vec();
    Writer::new(&mut payload).put_str(ta::NFTA_TABLE_NAME, name)?;
    Ok(Request::new(msg_type(subsys::NFTABLES, nft_msg::GETTABLE), 0, payload).with_header_len(4))
}

/// The filter attribute of a one-table dump (`NFTA_*_TABLE` is 1 for every object type).
fn table_filter(scope: Scope<'_>) -> impl Fn(&mut Writer<'_>) -> Result<(), crate::Error> + '_ {
    move |w| {
        if let Scope::Table(_, name) = scope {
            w.put_str(ta::NFTA_TABLE_NAME, name)?;
        }
        Ok(())
    }
}

fn decode_err(e: linx_netlink_codec::Error) -> NetfilterError {
    NetfilterError::from_nfnl(Operation::Pull, linx_nfnl::Error::Request(e))
}

/// Where each chain of the pulled tables is: table name → (family, table index, chain name →
/// chain index). Looked up with borrowed names, so a rule costs no allocation to place.
type ChainIndex = HashMap<String, Vec<(Family, usize, HashMap<String, usize>)>>;

/// Anonymous sets of the pulled tables: (table index, set name) → set and elements.
pub(crate) type Anonymous = HashMap<(usize, String), (SetInfo, Option<(Elements, KeptElements)>)>;

linx_netlink_codec::verb! {
    error = NetfilterError;
    /// Read the ruleset of the socket's namespace (or one table of it). See the
    /// [module docs](self) for what comes back.
    ///
    /// ```no_run
    /// use linx_netfilter::pull::{pull, Scope};
    /// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
    /// let rs = pull(&sock, Scope::All)?;
    /// for t in rs.tables() {
    ///     println!("{}: {} chains, {} rules", t.id(), t.chains().len(), t.rule_count());
    /// }
    /// # Ok::<(), linx_netfilter::NetfilterError>(())
    /// ```
    pub fn pull(sock, scope: Scope<'_>) -> Ruleset {
        pull_on(sock, scope).await
    }
}

linx_netlink_codec::verb! {
    error = NetfilterError;
    /// [`pull`] with options, reporting how many dump restarts and element re-dumps it took.
    ///
    /// ```no_run
    /// use linx_netfilter::pull::{pull_with, PullOptions, Scope};
    /// let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
    /// let r = pull_with(&sock, Scope::All, PullOptions::new().dump_retries(20))?;
    /// println!("{} tables, {} restarts", r.ruleset.tables().len(), r.dump_retries);
    /// # Ok::<(), linx_netfilter::NetfilterError>(())
    /// ```
    pub fn pull_with(sock, scope: Scope<'_>, opts: PullOptions) -> PullReport {
        report_on(sock, scope, opts).await
    }
}

/// [`pull`] inside another verb's body (any transport, awaited there).
pub(crate) async fn pull_on<S: linx_netlink_codec::Transport>(
    sock: &S,
    scope: Scope<'_>,
) -> Result<Ruleset, NetfilterError> {
    Ok(report_on(sock, scope, PullOptions::default())
        .await?
        .ruleset)
}

/// [`pull_with`]'s body.
async fn report_on<S: linx_netlink_codec::Transport>(
    sock: &S,
    scope: Scope<'_>,
    opts: PullOptions,
) -> Result<PullReport, NetfilterError> {
    let bound = opts.dump_retries;
    let mut retries = 0u32;
    let mut redumps = 0u32;
    let family = match scope {
        Scope::All => linx_nfnl::family::UNSPEC,
        Scope::Table(f, _) => f.nfproto(),
    };
    let mut tables: Vec<Table> = Vec::new();
    let mut failed: Option<DecodeError> = None;

    // Tables.
    if let Scope::Table(fam, name) = scope {
        let req = get_table(fam, name)?;
        let call = Call::new(req, |m: &MsgView<'_>| decode_table(fam, split(m)?.1));
        match sock.single(call).await {
            Ok(Some(t)) => tables.push(t),
            Ok(None) => {
                return Err(NetfilterError::Refused {
                    operation: Operation::Pull,
                    batch_seq: None,
                    what: Some(format!("table {fam}/{name}")),
                    error: linx_netlink_codec::NetlinkError::new(Errno::ENOENT),
                });
            }
            Err(e) => return Err(with_what(decode_err(e), format!("table {fam}/{name}"))),
        }
    } else {
        let req = dump(nft_msg::GETTABLE, family, |_| Ok(()))?.with_dump_retries(bound);
        let call = Call::new(req, |m: &MsgView<'_>| {
            let (f, attrs) = split(m)?;
            decode_table(f, attrs)
        });
        retries += sock
            .for_each(call, |ev| match ev {
                DumpEvent::Item(t) => tables.push(t),
                DumpEvent::Restart { .. } => tables.clear(),
            })
            .await
            .map_err(decode_err)?;
    }
    let by_id: HashMap<(Family, String), usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.family(), t.name().to_owned()), i))
        .collect();

    // Chains, objects, flowtables.
    let filter = table_filter(scope);
    let mut members: Vec<(Family, String, Pulled)> = Vec::new();
    for op in [nft_msg::GETCHAIN, nft_msg::GETOBJ, nft_msg::GETFLOWTABLE] {
        let req = dump(op, family, &filter)?.with_dump_retries(bound);
        let start = members.len();
        let call = Call::new(
            req,
            move |m: &MsgView<'_>| -> Result<(Family, String, Pulled), DecodeError> {
                let (f, attrs) = split(m)?;
                Ok(match op {
                    nft_msg::GETCHAIN => {
                        decode_chain(f, attrs).map(|(t, c)| (f, t, Pulled::Chain(c)))?
                    }
                    nft_msg::GETOBJ => {
                        decode_object(attrs).map(|(t, o)| (f, t, Pulled::Object(o)))?
                    }
                    _ => decode_flowtable(f, attrs).map(|(t, x)| (f, t, Pulled::Flowtable(x)))?,
                })
            },
        );
        let res = sock
            .for_each(call, |ev| match ev {
                DumpEvent::Item(item) => members.push(item),
                DumpEvent::Restart { .. } => members.truncate(start),
            })
            .await;
        match res {
            Ok(n) => retries += n,
            // Kernels without flowtables refuse the flowtable dump.
            Err(e)
                if op == nft_msg::GETFLOWTABLE
                    && matches!(e.errno(), Some(Errno::EOPNOTSUPP | Errno::ENOENT)) =>
            {
                // Nothing of a refused dump is kept.
                members.truncate(start);
            }
            Err(e) => return Err(decode_err(e)),
        }
    }
    for (fam, table, item) in members {
        // Orphans (their table vanished between the dumps) are dropped.
        if let Some(&t) = by_id.get(&(fam, table)) {
            tables[t].push_pulled(item);
        }
    }

    // Sets, then each set's elements.
    let req = dump(nft_msg::GETSET, family, &filter)?.with_dump_retries(bound);
    let call = Call::new(req, |m: &MsgView<'_>| {
        let (f, attrs) = split(m)?;
        decode_set(attrs).map(|s| (f, s))
    });
    let mut sets: Vec<(Family, SetInfo)> = Vec::new();
    retries += sock
        .for_each(call, |ev| match ev {
            DumpEvent::Item(item) => sets.push(item),
            DumpEvent::Restart { .. } => sets.clear(),
        })
        .await
        .map_err(decode_err)?;

    let mut anonymous = Anonymous::new();
    for (fam, info) in sets {
        let Some(&t) = by_id.get(&(fam, info.table.clone())) else {
            continue;
        };
        // A hash set resized while it is dumped comes back with elements twice and
        // others missing (no DUMP_INTR for that): dump again, a few times.
        let mut attempt = 0;
        let elements = loop {
            attempt += 1;
            let req = dump(nft_msg::GETSETELEM, fam.nfproto(), |w| {
                w.put_str(el::NFTA_SET_ELEM_LIST_TABLE, &info.table)?;
                w.put_str(el::NFTA_SET_ELEM_LIST_SET, &info.name)?;
                Ok(())
            })?
            .with_dump_retries(bound);
            // Each message is decoded where it lies in the receive buffer (no copy of
            // the 32 KiB dump messages); a restarted dump starts a fresh decoder.
            let dec = RefCell::new(ElemDecoder::new(&info));
            let elem_failed = RefCell::new(None);
            let call = Call::new(req, |m: &MsgView<'_>| {
                let attrs = split(m)?.1;
                if let Err(e) = dec.borrow_mut().feed(attrs) {
                    elem_failed.borrow_mut().get_or_insert(e);
                }
                Ok(())
            });
            let res = sock
                .for_each(call, |ev| {
                    if let DumpEvent::Restart { .. } = ev {
                        *dec.borrow_mut() = ElemDecoder::new(&info);
                        *elem_failed.borrow_mut() = None;
                    }
                })
                .await;
            // A decode error counts only for the attempt that is kept.
            let attempt_failed = elem_failed.into_inner();
            let dec = dec.into_inner();
            let verdict = res.map(|n| {
                retries += n;
                dec.consistent()
            });
            if matches!(verdict, Ok(true)) || attempt == ELEM_DUMP_ATTEMPTS {
                if let Some(e) = attempt_failed {
                    failed.get_or_insert(e);
                }
            }
            match verdict {
                Ok(false) if attempt < ELEM_DUMP_ATTEMPTS => {
                    redumps += 1;
                    sock.pause(std::time::Duration::from_millis(5 * attempt))
                        .await;
                }
                Ok(false) => {
                    return Err(NetfilterError::Decode {
                        operation: Operation::Pull,
                        source: invalid("set elements dumped twice (set being resized)", 0),
                    });
                }
                Ok(true) => {
                    break Some(dec.finish().map_err(|source| NetfilterError::Decode {
                        operation: Operation::Pull,
                        source,
                    })?);
                }
                // The set vanished between the two dumps.
                Err(e) if e.errno() == Some(Errno::ENOENT) => break None,
                Err(e) => return Err(decode_err(e)),
            }
        };
        if info.flags.contains(SetFlags::ANONYMOUS) {
            anonymous.insert((t, info.name.clone()), (info, elements));
            continue;
        }
        tables[t].push_pulled(pulled_set(info, elements));
    }
    if let Some(source) = failed {
        return Err(NetfilterError::Decode {
            operation: Operation::Pull,
            source,
        });
    }

    // Rules last, streamed straight into their chains (the kernel dumps each chain's
    // rules in order).
    let mut chains = ChainIndex::new();
    for (i, t) in tables.iter().enumerate() {
        let names = t
            .chains()
            .iter()
            .enumerate()
            .map(|(c, ch)| (ch.name().to_owned(), c))
            .collect();
        chains
            .entry(t.name().to_owned())
            .or_default()
            .push((t.family(), i, names));
    }
    let req = dump(nft_msg::GETRULE, family, &filter)?.with_dump_retries(bound);
    let mut last: Option<LastChain> = None;
    // Anonymous sets that became literals again (reset when the rule dump restarts).
    let taken = RefCell::new(HashSet::new());
    let call = Call::new(req, |m: &MsgView<'_>| {
        let (f, attrs) = split(m)?;
        // The kernel dumps each chain's rules in a row: a rule of the previous rule's chain
        // is placed without reading its names again.
        let known = last
            .as_ref()
            .filter(|(lf, ..)| *lf == f)
            .map(|(_, lt, lc, _)| (lt.as_str(), lc.as_str()));
        let (names, mut rule) = decode_rule_after(attrs, known)?;
        let at = match (names, &last) {
            (RuleChain::Same, Some((.., at))) => *at,
            (RuleChain::Named(table, chain), Some((lf, lt, lc, at)))
                if *lf == f && lt == table && lc == chain =>
            {
                *at
            }
            (RuleChain::Named(table, chain), _) => {
                let at = locate(&chains, f, table, chain);
                last = Some((f, table.to_owned(), chain.to_owned(), at));
                at
            }
            // `Same` is only returned for a known chain.
            (RuleChain::Same, None) => None,
        };
        if let Some((t, _)) = at {
            for e in &mut rule.exprs {
                if matches!(e, Expr::Lookup { .. }) {
                    restore_literal(e, t, &anonymous, &mut taken.borrow_mut());
                }
            }
        }
        Ok((at, rule))
    });
    retries += sock
        .for_each(call, |ev| match ev {
            DumpEvent::Item((Some((t, c)), mut rule)) => {
                // A rule without the protocol matches nft inserts (nft's `th`, raw payloads,
                // another tool's rule) is kept as raw expressions, so it pushes back as is.
                rule.raw = crate::validate::lacks_dependencies(tables[t].family(), &rule.exprs);
                if let Some(chain) = tables[t].chains_mut().get_mut(c) {
                    chain.push_pulled(rule);
                }
            }
            // Orphan: its chain vanished between the dumps.
            DumpEvent::Item((None, _)) => {}
            DumpEvent::Restart { .. } => {
                for chain in tables.iter_mut().flat_map(|t| t.chains_mut().iter_mut()) {
                    chain.take_rules();
                }
                taken.borrow_mut().clear();
            }
        })
        .await
        .map_err(decode_err)?;
    // Anonymous sets no rule took back as a literal (data and object maps, sets used by
    // expressions the model keeps raw, sets with element extras) stay sets of their table,
    // under their kernel names, so the rules that use them find them after a push.
    let taken = taken.into_inner();
    let mut rest: Vec<_> = anonymous
        .into_iter()
        .filter(|(key, _)| !taken.contains(key))
        .collect();
    rest.sort_by_key(|((t, _), (info, _))| (*t, info.handle));
    for ((t, _), (info, elements)) in rest {
        tables[t].push_pulled(pulled_set(info, elements));
    }
    let mut ruleset = Ruleset::new();
    for t in tables {
        ruleset.insert_pulled(t);
    }
    Ok(PullReport {
        ruleset,
        dump_retries: retries,
        element_redumps: redumps,
    })
}

/// The chain the previous rule went to: family, table, chain, where it is.
type LastChain = (Family, String, String, Option<(usize, usize)>);

/// Table index and chain index of a rule's chain, if both exist.
fn locate(index: &ChainIndex, family: Family, table: &str, chain: &str) -> Option<(usize, usize)> {
    let (_, t, chains) = index.get(table)?.iter().find(|(f, ..)| *f == family)?;
    Some((*t, *chains.get(chain)?))
}

/// Attach a description to a refusal.
fn with_what(e: NetfilterError, what: String) -> NetfilterError {
    match e {
        NetfilterError::Refused {
            operation,
            batch_seq,
            error,
            ..
        } => NetfilterError::Refused {
            operation,
            batch_seq,
            what: Some(what),
            error,
        },
        other => other,
    }
}

/// A pulled set or map with its elements (none when it vanished before its elements were
/// dumped).
fn pulled_set(info: SetInfo, elements: Option<(Elements, KeptElements)>) -> Pulled {
    let (elements, kept) = match elements {
        Some((elements, kept)) => (Some(elements), kept),
        None => (None, KeptElements::default()),
    };
    match (info.data.is_some(), elements) {
        (true, Some(Elements::Map(m))) => Pulled::Map(info.into_map(m, kept)),
        (true, _) => Pulled::Map(info.into_map(Vec::new(), kept)),
        (false, Some(Elements::Set(s))) => Pulled::Set(info.into_set(s, kept)),
        (false, _) => Pulled::Set(info.into_set(Vec::new(), kept)),
    }
}

/// Turn a lookup of an anonymous set back into the literal it was pushed as, when the
/// literal can carry everything the set holds; the set is then marked in `taken`.
pub(crate) fn restore_literal(
    e: &mut Expr,
    table: usize,
    anonymous: &Anonymous,
    taken: &mut HashSet<(usize, String)>,
) {
    let Expr::Lookup(Lookup {
        set,
        sreg,
        dreg,
        inverted,
    }) = e
    else {
        return;
    };
    if !set.starts_with("__") {
        return;
    }
    let key = (table, set.to_string());
    let Some((info, Some((elems, kept)))) = anonymous.get(&key) else {
        return;
    };
    // Element extras, catch-all elements and raw set attributes have no place in a literal.
    if *kept != KeptElements::default() || !info.extras.attrs.is_empty() {
        return;
    }
    let flags = SetFlags::from_bits_retain(
        info.flags.bits() & !(SetFlags::ANONYMOUS | SetFlags::MAP | SetFlags::CONCAT).bits(),
    );
    let literal = match (&info.data, elems, *dreg) {
        (None, Elements::Set(elements), None) => Expr::from(SetLiteral {
            key: info.key.clone(),
            flags,
            elements: elements.clone(),
            sreg: *sreg,
            inverted: *inverted,
            extras: info.extras.clone(),
        }),
        (Some(DataType::Verdict), Elements::Map(elements), Some(Reg::VERDICT)) if !*inverted => {
            let mut pairs = Vec::with_capacity(elements.len());
            for m in elements {
                match &m.value {
                    MapValue::Verdict(v) => pairs.push((m.key.clone(), v.clone())),
                    MapValue::Data(_) => return,
                }
            }
            Expr::from(VmapLiteral {
                key: info.key.clone(),
                flags,
                elements: pairs,
                sreg: *sreg,
                extras: info.extras.clone(),
            })
        }
        _ => return,
    };
    *e = literal;
    taken.insert(key);
}
