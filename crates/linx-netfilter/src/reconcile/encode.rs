//! A [`Patch`] as one nf_tables batch: the messages nft(8) 1.0.6 sends for the same commands.
//!
//! Why its own encoder: [`push::plan`](crate::push::plan) writes whole tables; a patch names
//! single objects by handle or name, so it needs the delete messages, `NLM_F_REPLACE` and
//! `NFTA_RULE_POSITION`. The attribute writers are the ones push uses (tables, chains, sets,
//! elements, objects, flowtables, rule expressions), so what both send for a created object
//! is byte for byte the same.
//!
//! # Contract
//! See [`encode_patch`]: one message (or, for elements, several) per op, in patch order;
//! pure, no I/O.

use std::collections::HashMap;

use linx_netlink_codec::consts::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_REPLACE};
use linx_nfnl::batch::Batch;
use linx_nfnl::{msg_type, nft_msg, subsys};

use crate::diff::{Op, Patch, Position, SetDef};
use crate::expr::codec::SetRefs;
use crate::wire::attr::{chain as ca, flowtable as fa, obj as oa, rule as ra, set as sa};
use crate::wire::literal::{Anonymous, Literal, anon_name};
use crate::wire::set::{self as wset, Elems, SetSpec};
use crate::wire::table as wt;
use crate::{Error, Map, Rule, Set, SetExtras, SetFlags, TableId};

/// What a message of an encoded patch carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The op's own message (or one of its element messages).
    Op,
    /// The anonymous set of the op's rule's `n`th literal (0-based).
    Anonymous(usize),
    /// Elements of that anonymous set.
    AnonymousElements(usize),
}

/// A patch encoded as one batch, with the op each message belongs to: made by
/// [`encode_patch`] (no I/O).
///
/// ```
/// use linx_netfilter::diff::diff;
/// use linx_netfilter::{Chain, Family, Rule, Ruleset, TableFlags};
/// let mut desired = Ruleset::new();
/// desired.add_table(Family::Inet, "app", TableFlags::empty())?
///     .add_chain(Chain::regular("c").with_rules([Rule::new([]).accept()]))?;
/// let patch = diff(&Ruleset::new(), &desired);
/// let enc = linx_netfilter::reconcile::encode_patch(&patch)?;
/// assert_eq!(enc.len(), 3); // table, chain, rule
/// assert_eq!(enc.op_of(3), Some(2));
/// # Ok::<(), linx_netfilter::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "an encoded patch does nothing until sent"]
pub struct EncodedPatch {
    pub(crate) batch: Batch,
    pub(crate) targets: Vec<(usize, Part)>,
}

impl EncodedPatch {
    /// Number of messages (the batch envelope not counted).
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// `true` for an empty patch.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The batch (without a generation id: the reconcile verb adds it).
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// The batch, consumed.
    pub fn into_batch(self) -> Batch {
        self.batch
    }

    /// The index in [`Patch::ops`] of the op message `batch_seq` (1-based) belongs to.
    pub fn op_of(&self, batch_seq: usize) -> Option<usize> {
        self.targets
            .get(batch_seq.checked_sub(1)?)
            .map(|&(op, _)| op)
    }

    pub(crate) fn part_of(&self, batch_seq: usize) -> Option<Part> {
        self.targets.get(batch_seq.checked_sub(1)?).map(|&(_, p)| p)
    }
}

const fn nft(op: u8) -> u16 {
    msg_type(subsys::NFTABLES, op)
}

/// Set ids of the sets made in this batch, per table and name.
type Created = HashMap<TableId, HashMap<String, u32>>;

/// [`SetRefs`] for one rule of a patch.
struct Refs<'a> {
    named: Option<&'a HashMap<String, u32>>,
    anonymous: Anonymous,
}

impl SetRefs for Refs<'_> {
    fn set_id(&self, name: &str) -> Option<u32> {
        self.named?.get(name).copied()
    }

    fn anonymous(&mut self) -> Result<(&'static str, u32), Error> {
        self.anonymous.take()
    }
}

/// Encode `patch` as one batch, the messages nft(8) 1.0.6 sends for the same commands.
///
/// One message (or, for elements, one or more) per op, in patch order:
///
/// | op | message, flags | attributes |
/// |----|----------------|------------|
/// | delete_rule | `DELRULE`, 0 | table, chain, handle |
/// | flush_chain | `DELRULE`, 0 | table, chain (no handle: every rule of the chain) |
/// | delete_set_elements | `DELSETELEM`, 0 | table, set, keys only (split below 64 KiB) |
/// | delete_chain | `DELCHAIN`, 0 | table, name |
/// | delete_set | `DELSET`, 0 | table, name |
/// | delete_object | `DELOBJ`, 0 | table, name, type |
/// | delete_flowtable | `DELFLOWTABLE`, 0 | table, name |
/// | delete_table | `DELTABLE`, 0 | name |
/// | create_table | `NEWTABLE`, `CREATE` | as push |
/// | create_set | `NEWSET`, `CREATE` | as push, with a batch set id |
/// | create_object / create_flowtable / create_chain | `NEW*`, `CREATE` | as push |
/// | add_set_elements | `NEWSETELEM`, `CREATE` | as push (set id when made in this batch) |
/// | replace_rule | `NEWRULE`, `REPLACE` | table, chain, handle, expressions, userdata |
/// | create_rule, append | `NEWRULE`, `CREATE \| APPEND` | as push |
/// | create_rule, before handle h | `NEWRULE`, `CREATE` | table, chain, expressions, position h, userdata |
///
/// - A created or replacing rule's set and vmap literals get their anonymous sets right
///   before it (`NEWSET` `__set%d`/`__map%d` and its elements), as nft sends them; the kernel
///   drops the replaced rule's anonymous sets with it.
/// - Interval sets: only a set made in the same batch gets nft's leading interval-end
///   element at key 0; deltas to an existing set carry exactly their ranges.
/// - Set ids count from 1 in each batch, so encoding a patch twice gives the same bytes
///   (a refusal is resolved against a second encoding).
/// - A created constant set without a size is sized by the elements the patch adds to it
///   (`NFTA_SET_DESC_SIZE`, as push and nft send it).
///
/// # Errors
/// [`Error::Encode`] (or a set element error) when an op cannot be written.
pub fn encode_patch(patch: &Patch) -> Result<EncodedPatch, Error> {
    let mut e = Encoder {
        batch: Batch::new(subsys::NFTABLES),
        targets: Vec::with_capacity(patch.len()),
        created: Created::new(),
        set_id: 0,
    };
    // The elements a created set gets in this patch: constant sets are sized by them, as
    // push and nft size them.
    let mut added: HashMap<(TableId, &str), &SetDef> = HashMap::new();
    for op in patch.ops() {
        if let Op::AddSetElements { table, set } = op {
            added.insert((table.clone(), set.name()), set);
        }
    }
    for (i, op) in patch.ops().iter().enumerate() {
        if let Op::CreateSet { table, set } = op {
            let with = added.get(&(table.clone(), set.name())).copied();
            e.create_set(i, table, set, with)?;
            continue;
        }
        e.op(i, op)?;
    }
    Ok(EncodedPatch {
        batch: e.batch,
        targets: e.targets,
    })
}

struct Encoder {
    batch: Batch,
    targets: Vec<(usize, Part)>,
    created: Created,
    set_id: u32,
}

/// The model set of a [`SetDef`] as the wire sees it.
fn spec_of(set: &SetDef, id: u32) -> SetSpec<'_> {
    match set {
        SetDef::Set(s) => SetSpec::of_set(s, id),
        SetDef::Map(m) => SetSpec::of_map(m, id),
    }
}

/// A map's keys as a set (what `DELSETELEM` carries: keys, no data), or the set itself
/// without element extras (timeouts and comments are not part of a deletion).
fn keys_only(set: &SetDef) -> Set {
    let (name, key, flags, extras) = match set {
        SetDef::Set(s) => (&s.name, &s.key, s.flags, &s.extras),
        SetDef::Map(m) => (&m.name, &m.key, m.flags, &m.extras),
    };
    let mut out = Set::new(name.clone(), key.clone());
    out.flags = SetFlags::from_bits_retain(flags.bits() & !SetFlags::MAP.bits());
    out.elements = match set {
        SetDef::Set(s) => s.elements.clone(),
        SetDef::Map(m) => m.elements.iter().map(|e| e.key.clone()).collect(),
    };
    out.extras = SetExtras {
        concat: extras.concat.clone(),
        raw_elements: extras.raw_elements.clone(),
        ..SetExtras::default()
    };
    out
}

fn is_map(set: &SetDef) -> Option<&Map> {
    match set {
        SetDef::Map(m) => Some(m),
        SetDef::Set(_) => None,
    }
}

impl Encoder {
    fn next_id(&mut self) -> u32 {
        self.set_id += 1;
        self.set_id
    }

    /// One message of op `i`, attributes written by `f`.
    fn push(
        &mut self,
        i: usize,
        part: Part,
        family: u8,
        op: u8,
        flags: u16,
        f: impl FnOnce(&mut crate::wire::Writer<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.batch.push_with(nft(op), flags, family, f)?;
        self.targets.push((i, part));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn elements(
        &mut self,
        i: usize,
        part: Part,
        op: u8,
        flags: u16,
        marker: bool,
        table: &TableId,
        spec: &SetSpec<'_>,
        elems: Elems<'_>,
    ) -> Result<(), Error> {
        let n = wset::push_element_messages(
            &mut self.batch,
            op,
            flags,
            marker,
            table.family.nfproto(),
            &table.name,
            spec,
            elems,
        )?;
        self.targets.extend(std::iter::repeat_n((i, part), n));
        Ok(())
    }

    fn op(&mut self, i: usize, op: &Op) -> Result<(), Error> {
        let id = op.table();
        let family = id.family.nfproto();
        let name = id.name.as_str();
        match op {
            Op::DeleteRule { chain, handle, .. } => {
                self.push(i, Part::Op, family, nft_msg::DELRULE, 0, |w| {
                    w.put_str(ra::NFTA_RULE_TABLE, name)?;
                    w.put_str(ra::NFTA_RULE_CHAIN, chain)?;
                    w.put_be64(ra::NFTA_RULE_HANDLE, *handle)?;
                    Ok(())
                })
            }
            Op::FlushChain { chain, .. } => {
                self.push(i, Part::Op, family, nft_msg::DELRULE, 0, |w| {
                    w.put_str(ra::NFTA_RULE_TABLE, name)?;
                    w.put_str(ra::NFTA_RULE_CHAIN, chain)?;
                    Ok(())
                })
            }
            Op::DeleteSetElements { set, .. } => {
                let keys = keys_only(set);
                let spec = SetSpec::of_set(&keys, 0);
                self.elements(
                    i,
                    Part::Op,
                    nft_msg::DELSETELEM,
                    0,
                    false,
                    &id,
                    &spec,
                    Elems::Set(&keys.elements),
                )
            }
            Op::DeleteChain { chain, .. } => {
                self.push(i, Part::Op, family, nft_msg::DELCHAIN, 0, |w| {
                    w.put_str(ca::NFTA_CHAIN_TABLE, name)?;
                    w.put_str(ca::NFTA_CHAIN_NAME, chain.name())?;
                    Ok(())
                })
            }
            Op::DeleteSet { set, .. } => self.push(i, Part::Op, family, nft_msg::DELSET, 0, |w| {
                w.put_str(sa::NFTA_SET_TABLE, name)?;
                w.put_str(sa::NFTA_SET_NAME, set.name())?;
                Ok(())
            }),
            Op::DeleteObject { object, .. } => {
                self.push(i, Part::Op, family, nft_msg::DELOBJ, 0, |w| {
                    w.put_str(oa::NFTA_OBJ_TABLE, name)?;
                    w.put_str(oa::NFTA_OBJ_NAME, &object.name)?;
                    w.put_be32(oa::NFTA_OBJ_TYPE, object.kind.object_type().number())?;
                    Ok(())
                })
            }
            Op::DeleteFlowtable { flowtable, .. } => {
                self.push(i, Part::Op, family, nft_msg::DELFLOWTABLE, 0, |w| {
                    w.put_str(fa::NFTA_FLOWTABLE_TABLE, name)?;
                    w.put_str(fa::NFTA_FLOWTABLE_NAME, &flowtable.name)?;
                    Ok(())
                })
            }
            Op::DeleteTable { .. } => self.push(i, Part::Op, family, nft_msg::DELTABLE, 0, |w| {
                wt::encode_table_name(w, name)
            }),
            Op::CreateTable { table } => {
                self.push(i, Part::Op, family, nft_msg::NEWTABLE, NLM_F_CREATE, |w| {
                    wt::encode_table(w, name, table.flags)?;
                    if let Some(userdata) = &table.userdata {
                        w.put(crate::wire::attr::table::NFTA_TABLE_USERDATA, userdata)?;
                    }
                    Ok(())
                })
            }
            Op::CreateSet { set, .. } => self.create_set(i, &id, set, None),
            Op::CreateObject { object, .. } => {
                self.push(i, Part::Op, family, nft_msg::NEWOBJ, NLM_F_CREATE, |w| {
                    wt::encode_object(w, name, object)
                })
            }
            Op::CreateFlowtable { flowtable, .. } => self.push(
                i,
                Part::Op,
                family,
                nft_msg::NEWFLOWTABLE,
                NLM_F_CREATE,
                |w| wt::encode_flowtable(w, id.family, name, flowtable),
            ),
            Op::CreateChain { chain, .. } => {
                self.push(i, Part::Op, family, nft_msg::NEWCHAIN, NLM_F_CREATE, |w| {
                    wt::encode_chain(w, id.family, name, chain)
                })
            }
            Op::AddSetElements { set, .. } => {
                let sid = self
                    .created
                    .get(&id)
                    .and_then(|m| m.get(set.name()))
                    .copied()
                    .unwrap_or(0);
                let spec = spec_of(set, sid);
                let elems = match (set, is_map(set)) {
                    (_, Some(m)) => Elems::Map(&m.elements),
                    (SetDef::Set(s), None) => Elems::Set(&s.elements),
                    // `is_map` is `Some` for every map.
                    (SetDef::Map(m), None) => Elems::Map(&m.elements),
                };
                self.elements(
                    i,
                    Part::Op,
                    nft_msg::NEWSETELEM,
                    NLM_F_CREATE,
                    sid != 0,
                    &id,
                    &spec,
                    elems,
                )
            }
            Op::ReplaceRule {
                chain,
                handle,
                rule,
                ..
            } => self.rule(i, &id, chain, rule, NLM_F_REPLACE, Some(*handle), None),
            Op::CreateRule {
                chain,
                position,
                rule,
                ..
            } => match position {
                Position::Append => {
                    self.rule(i, &id, chain, rule, NLM_F_CREATE | NLM_F_APPEND, None, None)
                }
                Position::Before(h) => self.rule(i, &id, chain, rule, NLM_F_CREATE, None, Some(*h)),
            },
        }
    }

    /// `NEWSET` for `set`, sized (when constant) by the elements `with` adds to it later in
    /// the batch.
    fn create_set(
        &mut self,
        i: usize,
        id: &TableId,
        set: &SetDef,
        with: Option<&SetDef>,
    ) -> Result<(), Error> {
        let sid = self.next_id();
        self.created
            .entry(id.clone())
            .or_default()
            .insert(set.name().to_owned(), sid);
        let mut spec = spec_of(set, sid);
        if let Some(with) = with {
            spec.elems = spec_of(with, sid).elems;
        }
        self.push(
            i,
            Part::Op,
            id.family.nfproto(),
            nft_msg::NEWSET,
            NLM_F_CREATE,
            |w| wset::encode_set(w, &id.name, &spec),
        )
    }

    /// A rule message, after the anonymous sets of its literals.
    #[allow(clippy::too_many_arguments)]
    fn rule(
        &mut self,
        i: usize,
        id: &TableId,
        chain: &str,
        rule: &Rule,
        flags: u16,
        handle: Option<u64>,
        position: Option<u64>,
    ) -> Result<(), Error> {
        let family = id.family.nfproto();
        let mut anonymous = Vec::new();
        for (n, lit) in rule.exprs.iter().filter_map(Literal::of).enumerate() {
            let sid = self.next_id();
            let (spec, elems) = (lit.spec(sid), lit.elems());
            anonymous.push((anon_name(&spec), sid));
            self.push(
                i,
                Part::Anonymous(n),
                family,
                nft_msg::NEWSET,
                NLM_F_CREATE,
                |w| wset::encode_set(w, &id.name, &spec),
            )?;
            self.elements(
                i,
                Part::AnonymousElements(n),
                nft_msg::NEWSETELEM,
                NLM_F_CREATE,
                true,
                id,
                &spec,
                elems,
            )?;
        }
        let mut refs = Refs {
            named: self.created.get(id),
            anonymous: Anonymous::new(anonymous),
        };
        self.batch
            .push_with(nft(nft_msg::NEWRULE), flags, family, |w| {
                wt::encode_rule_at(w, &id.name, chain, handle, position, rule, &mut refs)
            })?;
        self.targets.push((i, Part::Op));
        Ok(())
    }
}
