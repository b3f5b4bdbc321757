//! The checks behind `add_*` and `validate`: names, rule expressions, references between
//! objects of a table, and the jump graph.
//!
//! Why one module: the same check runs on insertion (early, pointing at the object just
//! added) and on whole-ruleset validation (after the caller edited fields directly, or after
//! deserialization). Keeping each rule in one function guarantees both paths agree.
//!
//! # Contract
//! - Every function is pure and returns the first problem found, in model order (chains, then
//!   their rules in order, then sets and maps, objects, flowtables, then references).
//! - Rule checks need the table family and, for NAT, the chain's kind: see [`RuleCtx`].
//! - Reference checks ([`check_refs`]) need the whole table: jump/goto targets exist and are
//!   regular chains, no jump loops, at most 16 nested jumps from a base chain, lookups and
//!   dynsets name an existing set or map used the way its kind allows, objrefs name an
//!   existing object.
//! - Nothing panics; the jump graph walk is iterative (no recursion on user data).

use std::collections::{HashMap, HashSet};

use crate::consts::limits::NFT_JUMP_STACK_SIZE;
use crate::expr::{Dynset, ImmediateData, SetLiteral, VmapLiteral};
// The name rules live below `set` and `validate` (both use them); the other object modules
// still reach them through here.
use crate::expr::codec::kind;
use crate::expr::codec::kind::common::load;
use crate::expr::{Cmp, Ct, Meta, Payload};
use crate::expr::{Immediate, Lookup, Objref};
pub(crate) use crate::names::{NO_TABLE, check_comment, check_ifname, check_name};
use crate::set::{check_elements, check_literal_flags};
use crate::{
    BaseChain, DataType, Error, Expr, Family, Reason, Reg, Rule, SetFlags, Table, TableId, Verdict,
};

/// Where a rule sits.
pub(crate) struct RuleCtx<'a> {
    /// The table.
    pub(crate) table: &'a TableId,
    /// The chain's name.
    pub(crate) chain: &'a str,
    /// The chain's base part, if it is a base chain.
    pub(crate) base: Option<&'a BaseChain>,
}

/// Everything [`check_rule`] reads from a [`RuleCtx`] besides names and the rule's index
/// (which only go into errors): a rule that passed the check under one key passes it again
/// under the same key. A chain records the key its rules were checked under
/// ([`Chain`](crate::Chain)'s check record), so [`Table::validate`](crate::Table::validate)
/// (run by every push) checks only rules added or edited since. A check that starts
/// reading more of its context must add it here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CheckKey {
    /// The table family.
    family: Family,
    /// A base chain's type and hook (what NAT expressions are checked against).
    base: Option<(crate::ChainType, crate::Hook)>,
}

impl RuleCtx<'_> {
    /// The key rules checked in this context are recorded under.
    pub(crate) fn key(&self) -> CheckKey {
        CheckKey {
            family: self.table.family,
            base: self.base.map(|b| (b.chain_type, b.hook)),
        }
    }

    fn bad_rule(&self, index: usize, reason: Reason) -> Error {
        Error::BadRule {
            table: self.table.clone(),
            chain: self.chain.to_owned(),
            index,
            reason,
        }
    }

    fn bad_verdict(&self, verdict: &Verdict, reason: Reason) -> Error {
        Error::BadVerdict {
            table: self.table.clone(),
            chain: self.chain.to_owned(),
            verdict: Box::new(verdict.clone()),
            reason,
        }
    }
}

/// Checks a rule's userdata and expressions (not references to other objects).
pub(crate) fn check_rule(rule: &Rule, ctx: &RuleCtx<'_>, index: usize) -> Result<(), Error> {
    rule.check_userdata()
        .map_err(|reason| ctx.bad_rule(index, reason))?;
    for expr in &rule.exprs {
        check_expr(expr, ctx, index)?;
    }
    if !rule.raw {
        check_dependencies(ctx.table.family, &rule.exprs)
            .map_err(|reason| ctx.bad_rule(index, reason))?;
    }
    Ok(())
}

/// What a register holds, as far as protocol matches go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DepKey {
    /// The network protocol: `meta nfproto`, `meta protocol`, `ether type`, `vlan type`.
    Network,
    /// The transport protocol: `meta l4proto`, `ip protocol`, `ip6 nexthdr`.
    Transport,
}

/// The 4-byte words `len` bytes at `reg` occupy in the register file (the verdict
/// register and registers 1-4 are 16 bytes; 8-23 are 4-byte views of the same storage).
fn reg_words(reg: Reg, len: u32) -> (u32, u32) {
    let start = if reg.0 <= crate::consts::reg::NFT_REG_4 {
        reg.0 * 4
    } else {
        reg.0.saturating_sub(crate::consts::reg::NFT_REG32_00) + 4
    };
    (start, start.saturating_add(len.div_ceil(4).max(1)))
}

/// Registers holding a protocol value, with the words they cover; a load over any of those
/// words forgets the value. A fixed array of `N` slots, no allocation per rule (the pull
/// marks every pulled rule with this check): held entries never overlap, and the register
/// file is 20 words, so 24 slots always suffice. Were they full, the entry is dropped: the
/// check only gets stricter.
struct DepRegs<const N: usize> {
    held: [(Reg, (u32, u32), DepKey); N],
    len: usize,
}

/// Slots of the full dependency check: enough for every register word.
const ALL_DEP_REGS: usize = 24;

impl<const N: usize> DepRegs<N> {
    fn new() -> Self {
        DepRegs {
            held: [(Reg(0), (0, 0), DepKey::Network); N],
            len: 0,
        }
    }

    fn write(&mut self, reg: Reg, len: u32, key: Option<DepKey>) {
        if self.len > 0 {
            let (s, e) = reg_words(reg, len);
            let mut kept = 0;
            for i in 0..self.len {
                let (hs, he) = self.held[i].1;
                if he <= s || hs >= e {
                    self.held[kept] = self.held[i];
                    kept += 1;
                }
            }
            self.len = kept;
        }
        if let Some(key) = key
            && self.len < self.held.len()
        {
            self.held[self.len] = (reg, reg_words(reg, len), key);
            self.len += 1;
        }
    }

    fn read(&self, reg: Reg) -> Option<DepKey> {
        self.held[..self.len]
            .iter()
            .find(|(r, ..)| *r == reg)
            .map(|(.., k)| *k)
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

/// `true` when the expressions load a network or transport header with no protocol match
/// before the load (see [`check_dependencies`]).
pub(crate) fn lacks_dependencies(family: Family, exprs: &[Expr]) -> bool {
    check_dependencies(family, exprs).is_err()
}

/// Every network-header load must follow a match of the network protocol, unless the family
/// fixes it (`ip`, `ip6`, `arp`); every transport-header load must follow a match of the
/// transport protocol — what nft inserts itself (`meta nfproto ipv4` before `ip saddr` in an
/// inet table, `meta l4proto tcp` before `tcp dport`). Without one the load reads whatever
/// bytes another protocol has at that offset: `tcp dport 22` alone is `th dport 22`.
///
/// A protocol match is a load of `meta nfproto`, `meta protocol`, `ether type` / `vlan type`
/// (network) or `meta l4proto`, `ip protocol`, `ip6 nexthdr` (transport) compared for
/// equality or looked up in a set (not inverted). Rules built with
/// [`Rule::raw`](crate::Rule::raw) skip this check.
///
/// Checked first by [`dependencies_simply_hold`] (one pass, one register remembered: what
/// nft's rules need, and the pull checks every rule), then, only when that does not pass,
/// with [`ALL_DEP_REGS`] slots: the first pass is only stricter, so the result is that of
/// the full check.
pub(crate) fn check_dependencies(family: Family, exprs: &[Expr]) -> Result<(), Reason> {
    if dependencies_simply_hold(family, exprs) {
        return Ok(());
    }
    check_dependencies_in::<ALL_DEP_REGS>(family, exprs)
}

/// `true` when [`check_dependencies`] passes for a reason this single pass sees: it
/// remembers only the last protocol load (register and kind) and forgets it on any other
/// register write or any expression it does not model here, so it passes only where the
/// full check passes (it may fail where that one passes: the full check then decides).
fn dependencies_simply_hold(family: Family, exprs: &[Expr]) -> bool {
    use crate::expr::{CmpOp, MetaKey, PayloadBase};
    let mut network = matches!(family, Family::Ip | Family::Ip6 | Family::Arp);
    let mut transport = false;
    let mut held: Option<(Reg, DepKey)> = None;
    for expr in exprs {
        match expr {
            Expr::Meta(Meta { key, dreg }) => {
                held = match key {
                    MetaKey::Nfproto | MetaKey::Protocol => Some((*dreg, DepKey::Network)),
                    MetaKey::L4proto => Some((*dreg, DepKey::Transport)),
                    _ => None,
                };
            }
            Expr::Cmp(Cmp {
                sreg,
                op: CmpOp::Eq,
                ..
            }) => match held {
                Some((reg, DepKey::Network)) if reg == *sreg => network = true,
                Some((reg, DepKey::Transport)) if reg == *sreg => transport = true,
                _ => {}
            },
            Expr::Cmp(_) | Expr::Counter(_) => {}
            Expr::Immediate(Immediate {
                data: ImmediateData::Verdict(_),
                ..
            }) => {}
            Expr::Payload(Payload {
                base,
                offset,
                len,
                dreg,
            }) => {
                held = match base {
                    PayloadBase::Link if (*offset == 12 || *offset == 16) && *len == 2 => {
                        Some((*dreg, DepKey::Network))
                    }
                    PayloadBase::Network if network => ((*offset == 9 || *offset == 6)
                        && *len == 1)
                        .then_some((*dreg, DepKey::Transport)),
                    PayloadBase::Transport if transport => None,
                    PayloadBase::Network | PayloadBase::Transport => return false,
                    _ => None,
                };
            }
            _ => return false,
        }
    }
    true
}

/// [`check_dependencies`] holding at most `N` protocol values in registers at a time.
fn check_dependencies_in<const N: usize>(family: Family, exprs: &[Expr]) -> Result<(), Reason> {
    use crate::expr::{CmpOp, MetaKey, PayloadBase};
    let mut network = matches!(family, Family::Ip | Family::Ip6 | Family::Arp);
    let mut transport = false;
    let mut regs = DepRegs::<N>::new();
    let matched = |key: Option<DepKey>, network: &mut bool, transport: &mut bool| match key {
        Some(DepKey::Network) => *network = true,
        Some(DepKey::Transport) => *transport = true,
        None => {}
    };
    for expr in exprs {
        match expr {
            Expr::Payload(Payload {
                base,
                offset,
                len,
                dreg,
            }) => {
                let key = match base {
                    PayloadBase::Link if (*offset == 12 || *offset == 16) && *len == 2 => {
                        Some(DepKey::Network)
                    }
                    PayloadBase::Network | PayloadBase::Transport => {
                        let has = if *base == PayloadBase::Network {
                            network
                        } else {
                            transport
                        };
                        if !has {
                            return Err(Reason::NoProtocolMatch {
                                base: *base,
                                offset: *offset,
                                len: *len,
                            });
                        }
                        (*base == PayloadBase::Network
                            && (*offset == 9 || *offset == 6)
                            && *len == 1)
                            .then_some(DepKey::Transport)
                    }
                    _ => None,
                };
                regs.write(*dreg, *len, key);
            }
            Expr::Meta(Meta { key, dreg }) => {
                let dep = match key {
                    MetaKey::Nfproto | MetaKey::Protocol => Some(DepKey::Network),
                    MetaKey::L4proto => Some(DepKey::Transport),
                    _ => None,
                };
                regs.write(*dreg, key.len().unwrap_or(16), dep);
            }
            Expr::Cmp(Cmp {
                sreg,
                op: CmpOp::Eq,
                ..
            }) => matched(regs.read(*sreg), &mut network, &mut transport),
            Expr::Lookup(Lookup {
                sreg,
                dreg,
                inverted,
                ..
            }) => {
                if !*inverted && dreg.is_none() {
                    matched(regs.read(*sreg), &mut network, &mut transport);
                }
                if let Some(dreg) = dreg {
                    regs.write(*dreg, 16, None);
                }
            }
            Expr::SetLiteral(lit) if !lit.inverted => {
                matched(regs.read(lit.sreg), &mut network, &mut transport);
            }
            Expr::Ct(Ct { key, dreg }) => regs.write(*dreg, key.len().unwrap_or(16), None),
            Expr::Bitwise(b) => regs.write(b.dreg, b.len, None),
            Expr::Immediate(Immediate {
                dreg,
                data: ImmediateData::Value(bytes),
            }) => regs.write(*dreg, u32::try_from(bytes.len()).unwrap_or(64), None),
            // An expression the model does not know may write any register.
            Expr::Unknown(_) => regs.clear(),
            _ => {}
        }
    }
    Ok(())
}

/// A jump or goto target name must be a valid chain name.
fn check_verdict(verdict: &Verdict, ctx: &RuleCtx<'_>) -> Result<(), Error> {
    if let Some(target) = verdict.target() {
        check_name(target).map_err(|reason| ctx.bad_verdict(verdict, reason))?;
    }
    Ok(())
}

/// Checks one expression.
fn check_expr(expr: &Expr, ctx: &RuleCtx<'_>, index: usize) -> Result<(), Error> {
    let family = ctx.table.family;
    let bad = |reason| ctx.bad_rule(index, reason);
    match expr {
        // Checked when they were built.
        Expr::Payload(_) | Expr::Meta(_) | Expr::Ct(_) | Expr::Cmp(_) => Ok(()),
        // The set is a reference: its name here, its existence and kind in `check_refs`.
        Expr::Lookup(Lookup { set, .. }) => check_name(set).map_err(bad),
        Expr::SetLiteral(lit) => check_set_literal(lit, ctx, index),
        Expr::VmapLiteral(lit) => check_vmap_literal(lit, ctx, index),
        Expr::Reject(_) => kind::reject::check_family(family).map_err(bad),
        Expr::Counter(_) | Expr::Limit(_) | Expr::Quota(_) => Ok(()),
        // The set is a reference: its name here, its existence and flags in `check_refs`.
        Expr::Dynset(dynset) => check_name(&dynset.set).map_err(bad),
        // The object is a reference: its name here, its existence in `check_refs`.
        Expr::Objref(Objref { name, .. }) => check_name(name).map_err(bad),
        // The register and data were checked when it was built; a jump target is a name.
        Expr::Immediate(Immediate { data, .. }) => match data {
            ImmediateData::Verdict(verdict) => check_verdict(verdict, ctx),
            ImmediateData::Value(_) => Ok(()),
        },
        Expr::Nat(nat) => kind::nat::check_nat_in(family, nat, ctx.base).map_err(bad),
        Expr::Masquerade(_) => kind::nat::check_masq_redir_in(true, family, ctx.base).map_err(bad),
        Expr::Redirect(_) => kind::nat::check_masq_redir_in(false, family, ctx.base).map_err(bad),
        Expr::Bitwise(_) | Expr::Log(_) | Expr::Unknown(_) => Ok(()),
    }
}

/// Checks what literals share with named sets: key type, flags, register, elements.
fn check_literal_header(
    key: &crate::KeyType,
    flags: SetFlags,
    sreg: Reg,
    empty: bool,
    bad: &dyn Fn(Reason) -> Error,
) -> Result<(), Error> {
    if let Some(why) = key.problem() {
        return Err(bad(Reason::BadKeyType {
            key: key.clone(),
            why,
        }));
    }
    check_literal_flags(key, flags).map_err(bad)?;
    if flags.intersects(SetFlags::MAP | SetFlags::TIMEOUT | SetFlags::DYNAMIC) {
        return Err(bad(Reason::Flags(
            "a literal cannot be a map, have timeouts or be dynamic",
        )));
    }
    if empty {
        return Err(bad(Reason::EmptyLiteral));
    }
    load(sreg, key.key_len()).map_err(bad)
}

fn check_set_literal(lit: &SetLiteral, ctx: &RuleCtx<'_>, index: usize) -> Result<(), Error> {
    let bad = |reason| ctx.bad_rule(index, reason);
    check_literal_header(&lit.key, lit.flags, lit.sreg, lit.elements.is_empty(), &bad)?;
    check_elements(&lit.elements, &lit.key, lit.flags).map_err(|(element, reason)| {
        Error::BadSetElement {
            table: ctx.table.clone(),
            set: "__set".to_owned(),
            element: Box::new(element.clone()),
            reason,
        }
    })
}

fn check_vmap_literal(lit: &VmapLiteral, ctx: &RuleCtx<'_>, index: usize) -> Result<(), Error> {
    let bad = |reason| ctx.bad_rule(index, reason);
    check_literal_header(&lit.key, lit.flags, lit.sreg, lit.elements.is_empty(), &bad)?;
    check_elements(lit.elements.iter().map(|(e, _)| e), &lit.key, lit.flags).map_err(
        |(element, reason)| Error::BadMapElement {
            table: ctx.table.clone(),
            map: "__map".to_owned(),
            element: Box::new(element.clone()),
            reason,
        },
    )?;
    for (_, verdict) in &lit.elements {
        check_verdict(verdict, ctx)?;
    }
    Ok(())
}

/// What a lookup or dynset found by name.
enum SetRef<'a> {
    Set(&'a crate::Set),
    Map(&'a crate::Map),
}

impl SetRef<'_> {
    fn flags(&self) -> SetFlags {
        match self {
            SetRef::Set(s) => s.flags,
            SetRef::Map(m) => m.flags,
        }
    }

    fn key_len(&self) -> u32 {
        match self {
            SetRef::Set(s) => s.key.key_len(),
            SetRef::Map(m) => m.key.key_len(),
        }
    }
}

/// Checks references between a table's objects and the jump graph.
pub(crate) fn check_refs(table: &Table) -> Result<(), Error> {
    let id = table.id();
    let chains: HashMap<&str, usize> = table
        .chains()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name(), i))
        .collect();
    let find_set = |name: &str| {
        table
            .set(name)
            .map(SetRef::Set)
            .or_else(|| table.map(name).map(SetRef::Map))
    };
    // Edges of the jump graph: (from, to, the verdict, for errors).
    let mut edges: Vec<Vec<(usize, &Verdict)>> = vec![Vec::new(); table.chains().len()];

    // Named verdict maps: targets exist and are regular chains.
    for map in table.maps() {
        for element in &map.elements {
            let crate::MapValue::Verdict(verdict) = &element.value else {
                continue;
            };
            let Some(target) = verdict.target() else {
                continue;
            };
            match chains.get(target) {
                None => {
                    return Err(Error::NoSuchChain {
                        table: id,
                        chain: target.to_owned(),
                    });
                }
                Some(&t) if table.chains()[t].is_base() => {
                    return Err(Error::BadMapElement {
                        table: id,
                        map: map.name.clone(),
                        element: Box::new(element.key.clone()),
                        reason: Reason::JumpToBaseChain {
                            chain: target.to_owned(),
                        },
                    });
                }
                Some(_) => {}
            }
        }
    }

    for (from, chain) in table.chains().iter().enumerate() {
        let ctx = RuleCtx {
            table: &id,
            chain: chain.name(),
            base: chain.as_base(),
        };
        for (index, rule) in chain.rules().iter().enumerate() {
            let bad = |reason| ctx.bad_rule(index, reason);
            for expr in &rule.exprs {
                let (single, many) = expr.verdict_parts();
                if let Some(verdict) = single {
                    jump(table, &chains, &ctx, verdict, &mut edges[from])?;
                }
                for (_, verdict) in many {
                    jump(table, &chains, &ctx, verdict, &mut edges[from])?;
                }
                match expr {
                    Expr::Lookup(Lookup {
                        set, sreg, dreg, ..
                    }) => {
                        let found = find_set(set).ok_or_else(|| Error::NoSuchSet {
                            table: id.clone(),
                            set: set.to_string(),
                        })?;
                        load(*sreg, found.key_len()).map_err(bad)?;
                        match (&found, dreg) {
                            (_, None) => {}
                            (SetRef::Set(_), Some(_)) => {
                                return Err(bad(Reason::SetUse(
                                    "a lookup in a plain set cannot store a value",
                                )));
                            }
                            (SetRef::Map(map), Some(reg)) => match &map.data {
                                DataType::Verdict if *reg == Reg::VERDICT => {
                                    for element in &map.elements {
                                        if let crate::MapValue::Verdict(v) = &element.value {
                                            if let Some(&to) =
                                                v.target().and_then(|t| chains.get(t))
                                            {
                                                edges[from].push((to, v));
                                            }
                                        }
                                    }
                                }
                                DataType::Verdict => {
                                    return Err(bad(Reason::SetUse(
                                        "a verdict map stores into the verdict register",
                                    )));
                                }
                                DataType::Value(_) if *reg == Reg::VERDICT => {
                                    return Err(bad(Reason::SetUse(
                                        "the verdict register needs a verdict map",
                                    )));
                                }
                                DataType::Value(data) => {
                                    load(*reg, data.key_len()).map_err(bad)?;
                                }
                            },
                        }
                    }
                    Expr::Dynset(dynset) => {
                        let Dynset {
                            set,
                            sreg_key,
                            sreg_data,
                            timeout_ms,
                            ..
                        } = &**dynset;
                        let found = find_set(set).ok_or_else(|| Error::NoSuchSet {
                            table: id.clone(),
                            set: set.clone(),
                        })?;
                        load(*sreg_key, found.key_len()).map_err(bad)?;
                        if found.flags().contains(SetFlags::CONSTANT) {
                            return Err(bad(Reason::SetUse(
                                "a dynset cannot change a constant set",
                            )));
                        }
                        if timeout_ms.is_some() && !found.flags().contains(SetFlags::TIMEOUT) {
                            return Err(bad(Reason::TimeoutWithoutFlag));
                        }
                        match (&found, sreg_data) {
                            (SetRef::Set(_), Some(_)) => {
                                return Err(bad(Reason::SetUse(
                                    "a dynset on a plain set takes no value register",
                                )));
                            }
                            (SetRef::Map(_), None) => {
                                return Err(bad(Reason::SetUse(
                                    "a dynset on a map needs a value register",
                                )));
                            }
                            _ => {}
                        }
                    }
                    Expr::Objref(Objref { kind, name }) if table.object(*kind, name).is_none() => {
                        return Err(Error::NoSuchObject {
                            table: id,
                            kind: *kind,
                            name: name.clone(),
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    check_jump_graph(table, &id, &edges)
}

/// A jump or goto of `verdict` (other verdicts are ignored) in a rule at `ctx`: its target
/// exists and is a regular chain; the edge is added to `out`.
fn jump<'t>(
    table: &'t Table,
    chains: &HashMap<&str, usize>,
    ctx: &RuleCtx<'_>,
    verdict: &'t Verdict,
    out: &mut Vec<(usize, &'t Verdict)>,
) -> Result<(), Error> {
    let Some(target) = verdict.target() else {
        return Ok(());
    };
    let Some(&to) = chains.get(target) else {
        return Err(Error::NoSuchChain {
            table: ctx.table.clone(),
            chain: target.to_owned(),
        });
    };
    if table.chains()[to].is_base() {
        return Err(ctx.bad_verdict(
            verdict,
            Reason::JumpToBaseChain {
                chain: target.to_owned(),
            },
        ));
    }
    out.push((to, verdict));
    Ok(())
}

/// No loops, and no chain deeper than the kernel's jump stack below a base chain.
fn check_jump_graph(
    table: &Table,
    id: &TableId,
    edges: &[Vec<(usize, &Verdict)>],
) -> Result<(), Error> {
    let n = edges.len();
    let mut indegree = vec![0usize; n];
    for targets in edges {
        for (to, _) in targets {
            indegree[*to] += 1;
        }
    }
    // Kahn's algorithm: chains left unvisited sit on a loop.
    let mut order = Vec::with_capacity(n);
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    while let Some(node) = ready.pop() {
        order.push(node);
        for (to, _) in &edges[node] {
            indegree[*to] -= 1;
            if indegree[*to] == 0 {
                ready.push(*to);
            }
        }
    }
    if order.len() < n {
        let on_loop: HashSet<usize> = (0..n).filter(|&i| indegree[i] > 0).collect();
        for (from, targets) in edges.iter().enumerate() {
            if let Some((_, verdict)) = targets.iter().find(|(to, _)| on_loop.contains(to)) {
                if on_loop.contains(&from) {
                    return Err(Error::BadVerdict {
                        table: id.clone(),
                        chain: table.chains()[from].name().to_owned(),
                        verdict: Box::new((*verdict).clone()),
                        reason: Reason::JumpLoop {
                            chain: table.chains()[from].name().to_owned(),
                        },
                    });
                }
            }
        }
    }
    // Longest jump path from a base chain, in topological order.
    let mut depth: Vec<Option<usize>> = table
        .chains()
        .iter()
        .map(|c| c.is_base().then_some(0))
        .collect();
    for &node in &order {
        let Some(d) = depth[node] else { continue };
        for (to, verdict) in &edges[node] {
            let next = d + 1;
            if next >= NFT_JUMP_STACK_SIZE {
                return Err(Error::BadVerdict {
                    table: id.clone(),
                    chain: table.chains()[node].name().to_owned(),
                    verdict: Box::new((*verdict).clone()),
                    reason: Reason::JumpTooDeep {
                        chain: table.chains()[*to].name().to_owned(),
                    },
                });
            }
            if depth[*to].is_none_or(|old| old < next) {
                depth[*to] = Some(next);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod dependency_tests {
    use super::{
        ALL_DEP_REGS, check_dependencies, check_dependencies_in, dependencies_simply_hold,
    };
    use crate::expr::{
        Cmp, CmpOp, Ct, CtKey, Immediate, ImmediateData, Lookup, Meta, MetaKey, Payload,
        PayloadBase,
    };
    use crate::{Expr, Family, Reg};
    use proptest::prelude::*;

    fn reg() -> impl Strategy<Value = Reg> {
        prop_oneof![
            Just(Reg::R1),
            Just(Reg::R2),
            (8u32..12).prop_map(Reg),
            (0u32..30).prop_map(Reg)
        ]
    }

    /// Expressions around protocol matches: the loads and compares the check follows, often
    /// in the registers and at the offsets it cares about.
    fn expr() -> impl Strategy<Value = Expr> {
        let base = prop_oneof![
            Just(PayloadBase::Link),
            Just(PayloadBase::Network),
            Just(PayloadBase::Transport),
            (0u32..4).prop_map(PayloadBase::from_number),
        ];
        let key = prop_oneof![
            Just(MetaKey::Nfproto),
            Just(MetaKey::Protocol),
            Just(MetaKey::L4proto),
            Just(MetaKey::Mark),
        ];
        prop_oneof![
            (
                base,
                prop_oneof![Just(6u32), Just(9), Just(12), Just(16), 0u32..40],
                0u32..20,
                reg()
            )
                .prop_map(|(base, offset, len, dreg)| Expr::Payload(Payload {
                    base,
                    offset,
                    len,
                    dreg
                })),
            (key, reg()).prop_map(|(key, dreg)| Expr::Meta(Meta { key, dreg })),
            (reg(), prop_oneof![Just(CmpOp::Eq), Just(CmpOp::Neq)]).prop_map(|(sreg, op)| {
                Expr::Cmp(Cmp {
                    sreg,
                    op,
                    data: vec![2].into(),
                })
            }),
            (reg(), any::<bool>(), proptest::option::of(reg())).prop_map(
                |(sreg, inverted, dreg)| {
                    Expr::Lookup(Lookup {
                        set: "s".into(),
                        sreg,
                        dreg,
                        inverted,
                    })
                }
            ),
            reg().prop_map(|dreg| Expr::Ct(Ct {
                key: CtKey::Mark,
                dreg
            })),
            (reg(), 0usize..20).prop_map(|(dreg, n)| Expr::Immediate(Immediate {
                dreg,
                data: ImmediateData::Value(vec![0; n]),
            })),
            Just(Expr::unknown("fib", [1, 2])),
            Just(Expr::accept()),
        ]
    }

    fn family() -> impl Strategy<Value = Family> {
        prop_oneof![
            Just(Family::Inet),
            Just(Family::Ip),
            Just(Family::Ip6),
            Just(Family::Bridge),
            Just(Family::Netdev),
            Just(Family::Arp)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The single pass passes only where the full check does, and the two-step check
        /// answers exactly as the full one.
        #[test]
        fn few_slots_agree_with_all(family in family(), exprs in proptest::collection::vec(expr(), 0..12)) {
            let all = check_dependencies_in::<ALL_DEP_REGS>(family, &exprs);
            if dependencies_simply_hold(family, &exprs) {
                prop_assert!(all.is_ok());
            }
            prop_assert_eq!(check_dependencies(family, &exprs), all);
        }
    }

    /// nft's shapes pass the single pass itself.
    #[test]
    fn nft_shapes_pass_the_cheap_check() {
        let mut ip_saddr = vec![Expr::meta(MetaKey::Nfproto), Expr::cmp_eq([2])];
        ip_saddr.extend([
            Expr::Payload(Payload {
                base: PayloadBase::Network,
                offset: 12,
                len: 4,
                dreg: Reg::R1,
            }),
            Expr::cmp_eq([10, 0, 0, 1]),
            Expr::accept(),
        ]);
        assert!(dependencies_simply_hold(Family::Inet, &ip_saddr));
        let mut dport = ip_saddr.clone();
        dport.extend([Expr::meta(MetaKey::L4proto), Expr::cmp_eq([6])]);
        dport.extend(Expr::tcp_dport_eq(22));
        assert!(dependencies_simply_hold(Family::Inet, &dport));
        assert!(check_dependencies(Family::Inet, &Expr::tcp_dport_eq(22)).is_err());
    }
}
