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
//!   interrupts (`NLM_F_DUMP_INTR`) is restarted and its partial result dropped. Dumps of
//!   different object types are not one atomic snapshot (the kernel offers none).
//! - Anonymous sets (`__set0`, `__map0`...) become the set and vmap literals of the rules that
//!   use them again, so a pushed literal comes back as a literal; they are not listed as sets.
//! - Kernel handles are filled in (tables, chains, rules, sets, objects, flowtables).
//! - Elements come back in the kernel's order; use [`Ruleset::canonical`] before comparing
//!   rulesets as values.
//! - Orphans (a rule whose chain vanished between two dumps) are dropped; a set whose
//!   elements cannot be dumped because it vanished (`ENOENT`) is kept without elements.

use std::collections::HashMap;

use linx_netlink_codec::{Call, DecodeError, DumpEvent, Errno, MsgView, Request};
use linx_nfnl::{NfGenMsg, msg_type, nft_msg, subsys};

use crate::expr::{SetLiteral, VmapLiteral};
use crate::op_error::{NetfilterError, Operation};
use crate::set::MapValue;
use crate::table::Pulled;
use crate::wire::attr::{set_elem_list as el, table as ta};
use crate::wire::set::{ElemDecoder, Elements, SetInfo, decode_set};
use crate::wire::table::{
    decode_chain, decode_flowtable, decode_object, decode_rule, decode_table,
};
use crate::wire::{Writer, invalid};
use crate::{DataType, Expr, Family, Reg, Rule, Ruleset, SetFlags, Table};

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

/// Everything one pull collects before assembly.
#[derive(Default)]
struct Parts {
    tables: Vec<Table>,
    members: Vec<(Family, String, Pulled)>,
    rules: Vec<(Family, String, String, Rule)>,
    sets: Vec<(Family, SetInfo)>,
}

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
        let family = match scope {
            Scope::All => linx_nfnl::family::UNSPEC,
            Scope::Table(f, _) => f.nfproto(),
        };
        let mut parts = Parts::default();
        let mut failed: Option<DecodeError> = None;
        let mut keep = |r: Result<(), DecodeError>| {
            if let Err(e) = r {
                failed.get_or_insert(e);
            }
        };

        // Tables.
        if let Scope::Table(fam, name) = scope {
            let mut payload = NfGenMsg::new(family).to_bytes().to_vec();
            Writer::new(&mut payload).put_str(ta::NFTA_TABLE_NAME, name).map_err(crate::Error::from)?;
            let req = Request::new(msg_type(subsys::NFTABLES, nft_msg::GETTABLE), 0, payload).with_header_len(4);
            let call = Call::new(req, |m: &MsgView<'_>| decode_table(fam, split(m)?.1));
            match sock.single(call).await {
                Ok(Some(t)) => parts.tables.push(t),
                Ok(None) => {
                    return Err(NetfilterError::Refused {
                        operation: Operation::Pull,
                        batch_seq: None,
                        what: Some(format!("table {fam}/{name}")),
                        error: linx_netlink_codec::NetlinkError::new(Errno::ENOENT),
                    })
                }
                Err(e) => return Err(with_what(decode_err(e), format!("table {fam}/{name}"))),
            }
        } else {
            let req = dump(nft_msg::GETTABLE, family, |_| Ok(()))?;
            let call = Call::new(req, |m: &MsgView<'_>| {
                let (f, attrs) = split(m)?;
                decode_table(f, attrs)
            });
            sock.for_each(call, |ev| match ev {
                DumpEvent::Item(t) => parts.tables.push(t),
                DumpEvent::Restart { .. } => parts.tables.clear(),
            })
            .await
            .map_err(decode_err)?;
        }

        // Chains, objects, flowtables.
        let filter = table_filter(scope);
        for op in [nft_msg::GETCHAIN, nft_msg::GETOBJ, nft_msg::GETFLOWTABLE] {
            let req = dump(op, family, &filter)?;
            let start = parts.members.len();
            let call = Call::new(req, move |m: &MsgView<'_>| -> Result<(Family, String, Pulled), DecodeError> {
                let (f, attrs) = split(m)?;
                Ok(match op {
                    nft_msg::GETCHAIN => decode_chain(f, attrs).map(|(t, c)| (f, t, Pulled::Chain(c)))?,
                    nft_msg::GETOBJ => decode_object(attrs).map(|(t, o)| (f, t, Pulled::Object(o)))?,
                    _ => decode_flowtable(f, attrs).map(|(t, x)| (f, t, Pulled::Flowtable(x)))?,
                })
            });
            let res = sock
                .for_each(call, |ev| match ev {
                    DumpEvent::Item(item) => parts.members.push(item),
                    DumpEvent::Restart { .. } => parts.members.truncate(start),
                })
                .await;
            match res {
                Ok(_) => {}
                // Kernels without flowtables refuse the flowtable dump.
                Err(e) if op == nft_msg::GETFLOWTABLE
                    && matches!(e.errno(), Some(Errno::EOPNOTSUPP | Errno::ENOENT)) => {}
                Err(e) => return Err(decode_err(e)),
            }
        }

        // Rules.
        let req = dump(nft_msg::GETRULE, family, &filter)?;
        let call = Call::new(req, |m: &MsgView<'_>| {
            let (f, attrs) = split(m)?;
            decode_rule(attrs).map(|(t, c, r)| (f, t, c, r))
        });
        sock.for_each(call, |ev| match ev {
            DumpEvent::Item(item) => parts.rules.push(item),
            DumpEvent::Restart { .. } => parts.rules.clear(),
        })
        .await
        .map_err(decode_err)?;

        // Sets, then each set's elements.
        let req = dump(nft_msg::GETSET, family, &filter)?;
        let call = Call::new(req, |m: &MsgView<'_>| {
            let (f, attrs) = split(m)?;
            decode_set(attrs).map(|s| (f, s))
        });
        sock.for_each(call, |ev| match ev {
            DumpEvent::Item(item) => parts.sets.push(item),
            DumpEvent::Restart { .. } => parts.sets.clear(),
        })
        .await
        .map_err(decode_err)?;

        let mut elements = Vec::with_capacity(parts.sets.len());
        for (fam, info) in &parts.sets {
            let req = dump(nft_msg::GETSETELEM, fam.nfproto(), |w| {
                w.put_str(el::NFTA_SET_ELEM_LIST_TABLE, &info.table)?;
                w.put_str(el::NFTA_SET_ELEM_LIST_SET, &info.name)?;
                Ok(())
            })?;
            let call = Call::new(req, |m: &MsgView<'_>| Ok(split(m)?.1.to_vec()));
            let mut dec = ElemDecoder::new(info);
            let res = sock
                .for_each(call, |ev| match ev {
                    DumpEvent::Item(attrs) => keep(dec.feed(&attrs)),
                    DumpEvent::Restart { .. } => dec = ElemDecoder::new(info),
                })
                .await;
            match res {
                Ok(_) => elements.push(Some(dec.finish().map_err(|source| NetfilterError::Decode {
                    operation: Operation::Pull,
                    source,
                })?)),
                // The set vanished between the two dumps.
                Err(e) if e.errno() == Some(Errno::ENOENT) => elements.push(None),
                Err(e) => return Err(decode_err(e)),
            }
        }
        if let Some(source) = failed {
            return Err(NetfilterError::Decode { operation: Operation::Pull, source });
        }
        Ok(assemble(parts, elements))
    }
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

/// Put the pieces together: members into their tables, anonymous sets back into literals,
/// rules into their chains.
fn assemble(parts: Parts, elements: Vec<Option<Elements>>) -> Ruleset {
    let Parts {
        tables,
        members,
        rules,
        sets,
    } = parts;
    let mut by_id: HashMap<(Family, String), Table> = tables
        .into_iter()
        .map(|t| ((t.family(), t.name().to_owned()), t))
        .collect();
    for (fam, table, item) in members {
        if let Some(t) = by_id.get_mut(&(fam, table)) {
            t.push_pulled(item);
        }
    }
    // Anonymous sets by (family, table, name); named ones into their tables.
    let mut anonymous: HashMap<(Family, String, String), (SetInfo, Option<Elements>)> =
        HashMap::new();
    for ((fam, info), elems) in sets.into_iter().zip(elements) {
        let key = (fam, info.table.clone());
        if info.flags.contains(SetFlags::ANONYMOUS) {
            anonymous.insert((fam, info.table.clone(), info.name.clone()), (info, elems));
            continue;
        }
        let Some(t) = by_id.get_mut(&key) else {
            continue;
        };
        let pulled = match (info.data.is_some(), elems) {
            (true, Some(Elements::Map(m))) => Pulled::Map(info.into_map(m)),
            (true, _) => Pulled::Map(info.into_map(Vec::new())),
            (false, Some(Elements::Set(s))) => Pulled::Set(info.into_set(s)),
            (false, _) => Pulled::Set(info.into_set(Vec::new())),
        };
        t.push_pulled(pulled);
    }
    // Rules, in dump order (the kernel dumps each chain's rules in order).
    let mut chain_index: HashMap<(Family, String, String), usize> = HashMap::new();
    for t in by_id.values() {
        for (i, c) in t.chains().iter().enumerate() {
            chain_index.insert((t.family(), t.name().to_owned(), c.name().to_owned()), i);
        }
    }
    for (fam, table, chain, mut rule) in rules {
        if anonymous.keys().any(|(f, t, _)| *f == fam && *t == table) {
            for e in &mut rule.exprs {
                restore_literal(e, fam, &table, &anonymous);
            }
        }
        let Some(&i) = chain_index.get(&(fam, table.clone(), chain)) else {
            continue;
        };
        if let Some(t) = by_id.get_mut(&(fam, table)) {
            if let Some(c) = t.chains_mut().get_mut(i) {
                c.push_pulled(rule);
            }
        }
    }
    let mut rs = Ruleset::new();
    for (_, t) in by_id {
        rs.insert_pulled(t);
    }
    rs
}

/// Turn a lookup of an anonymous set back into the literal it was pushed as.
fn restore_literal(
    e: &mut Expr,
    fam: Family,
    table: &str,
    anonymous: &HashMap<(Family, String, String), (SetInfo, Option<Elements>)>,
) {
    let Expr::Lookup {
        set,
        sreg,
        dreg,
        inverted,
    } = e
    else {
        return;
    };
    let Some((info, elems)) = anonymous.get(&(fam, table.to_owned(), set.clone())) else {
        return;
    };
    let flags = SetFlags::from_bits_retain(
        info.flags.bits() & !(SetFlags::ANONYMOUS | SetFlags::MAP | SetFlags::CONCAT).bits(),
    );
    let literal = match (&info.data, elems, *dreg) {
        (None, Some(Elements::Set(elements)), None) => Expr::SetLiteral(SetLiteral {
            key: info.key.clone(),
            flags,
            elements: elements.clone(),
            sreg: *sreg,
            inverted: *inverted,
        }),
        (Some(DataType::Verdict), Some(Elements::Map(elements)), Some(Reg::VERDICT))
            if !*inverted =>
        {
            let mut pairs = Vec::with_capacity(elements.len());
            for m in elements {
                match &m.value {
                    MapValue::Verdict(v) => pairs.push((m.key.clone(), v.clone())),
                    MapValue::Data(_) => return,
                }
            }
            Expr::VmapLiteral(VmapLiteral {
                key: info.key.clone(),
                flags,
                elements: pairs,
                sreg: *sreg,
            })
        }
        _ => return,
    };
    *e = literal;
}
