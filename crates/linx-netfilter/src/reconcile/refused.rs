//! Refusals of a reconcile batch, named: which op of the patch each refused message carried
//! and which attribute the kernel pointed at (`rule 3 of inet/app/input (tag log):
//! expression #4 (log)`).
//!
//! Why: nf_tables answers a bad batch with one `errno` per refused message and, with
//! extended ACKs, the byte offset of the offending attribute (`NLMSGERR_ATTR_OFFS`) inside
//! that message. Neither means anything to a caller until it is tied back to the patch op
//! and walked through the bytes that were sent.
//!
//! # Contract
//! - The offset is resolved against the refused message as encoded (the batch's own bytes,
//!   which [`encode_patch`](super::encode_patch) reproduces exactly); an offset outside the
//!   message or into bytes that do not parse as attributes resolves to nothing, never a
//!   panic.
//! - Rule messages: an offset inside `NFTA_RULE_EXPRESSIONS` names the expression by its
//!   1-based index and kernel name (`expression #4 (log)`); other rule attributes by name
//!   (`handle`, `position`, `userdata`, ...). Element messages name the element by its
//!   1-based index in the message. Anything else is the attribute type path (`attribute
//!   4/1`).

use linx_netlink_codec::AttrIter;
use linx_netlink_codec::consts::NLMSG_HDRLEN;
use linx_nfnl::nft_msg;

use super::encode::{EncodedPatch, Part};
use crate::diff::{Op, Patch, SetDef};
use crate::op_refusal::RefusedOp;
use crate::wire::attr::{expr as ea, rule as ra, set_elem_list as la};
use crate::{Ruleset, TableId};

/// Name every refusal of `refusals` against the patch and its encoding (`desired`, when
/// given, numbers rules by their place in the desired chain).
pub(crate) fn name_refusals(
    patch: &Patch,
    enc: &EncodedPatch,
    desired: Option<&Ruleset>,
    refusals: Vec<linx_nfnl::Refusal>,
) -> Vec<RefusedOp> {
    refusals
        .into_iter()
        .map(|r| {
            let op = r.batch_seq.and_then(|s| enc.op_of(s));
            let part = r.batch_seq.and_then(|s| enc.part_of(s));
            let what = op
                .and_then(|i| patch.ops().get(i))
                .map(|o| describe(o, part.unwrap_or(Part::Op), desired));
            let attribute = match (r.batch_seq, r.error.ext_ack.offset) {
                (Some(s), Some(off)) => enc
                    .batch()
                    .message(s)
                    .and_then(|m| attribute_at(m, off as usize)),
                _ => None,
            };
            RefusedOp {
                batch_seq: r.batch_seq,
                op,
                what,
                attribute,
                error: r.error,
            }
        })
        .collect()
}

/// The 1-based place of the rule tagged `tag` in `table`/`chain` of `desired`.
fn rule_number(
    desired: Option<&Ruleset>,
    table: &TableId,
    chain: &str,
    tag: &str,
) -> Option<usize> {
    let t = desired?.table(table.family, &table.name)?;
    let c = t.chain(chain)?;
    c.rules()
        .iter()
        .position(|r| r.tag.as_deref() == Some(tag))
        .map(|i| i + 1)
}

fn tag_suffix(tag: Option<&str>) -> String {
    tag.map(|t| format!(" (tag {t})")).unwrap_or_default()
}

fn set_word(set: &SetDef) -> &'static str {
    if set.is_map() { "map" } else { "set" }
}

/// What op `op` touches, in words.
fn describe(op: &Op, part: Part, desired: Option<&Ruleset>) -> String {
    let id = op.table();
    let rule_of = |chain: &str, rule: &crate::Rule, fallback: String| {
        let tag = rule.tag.as_deref();
        match tag.and_then(|t| rule_number(desired, &id, chain, t)) {
            Some(n) => format!("rule {n} of {id}/{chain}{}", tag_suffix(tag)),
            None => fallback,
        }
    };
    let base = match op {
        Op::DeleteRule {
            chain,
            handle,
            rule,
            ..
        } => format!(
            "delete of rule handle {handle} of {id}/{chain}{}",
            tag_suffix(rule.tag.as_deref())
        ),
        Op::FlushChain { chain, .. } => format!("flush of chain {id}/{chain}"),
        Op::DeleteSetElements { set, .. } => format!(
            "delete of {} elements of {} {} of {id}",
            set.element_count(),
            set_word(set),
            set.name()
        ),
        Op::DeleteChain { chain, .. } => format!("delete of chain {id}/{}", chain.name()),
        Op::DeleteSet { set, .. } => {
            format!("delete of {} {} of {id}", set_word(set), set.name())
        }
        Op::DeleteObject { object, .. } => format!(
            "delete of {} object {} of {id}",
            object.kind.object_type(),
            object.name
        ),
        Op::DeleteFlowtable { flowtable, .. } => {
            format!("delete of flowtable {} of {id}", flowtable.name)
        }
        Op::DeleteTable { .. } => format!("delete of table {id}"),
        Op::CreateTable { .. } => format!("table {id}"),
        Op::CreateSet { set, .. } => format!("{} {} of {id}", set_word(set), set.name()),
        Op::CreateObject { object, .. } => format!(
            "{} object {} of {id}",
            object.kind.object_type(),
            object.name
        ),
        Op::CreateFlowtable { flowtable, .. } => {
            format!("flowtable {} of {id}", flowtable.name)
        }
        Op::CreateChain { chain, .. } => format!("chain {id}/{}", chain.name()),
        Op::AddSetElements { set, .. } => format!(
            "{} elements of {} {} of {id}",
            set.element_count(),
            set_word(set),
            set.name()
        ),
        Op::ReplaceRule {
            chain,
            handle,
            rule,
            ..
        } => rule_of(
            chain,
            rule,
            format!(
                "replacement of rule handle {handle} of {id}/{chain}{}",
                tag_suffix(rule.tag.as_deref())
            ),
        ),
        Op::CreateRule { chain, rule, .. } => rule_of(
            chain,
            rule,
            format!(
                "new rule of {id}/{chain}{}",
                tag_suffix(rule.tag.as_deref())
            ),
        ),
    };
    match part {
        Part::Op => base,
        Part::Anonymous(n) => format!("anonymous set of literal #{} of {base}", n + 1),
        Part::AnonymousElements(n) => {
            format!(
                "elements of the anonymous set of literal #{} of {base}",
                n + 1
            )
        }
    }
}

/// The attribute at byte `offset` (counted from the message's `nlmsghdr`) of `msg`, in
/// words; `None` when the offset is not inside an attribute.
pub(crate) fn attribute_at(msg: &[u8], offset: usize) -> Option<String> {
    let kind = u16::from_ne_bytes([*msg.get(4)?, *msg.get(5)?]);
    let op = (kind & 0xff) as u8;
    let base = NLMSG_HDRLEN + 4;
    let attrs = msg.get(base..)?;
    let off = offset.checked_sub(base)?;
    let top = find(attrs, off)?;
    let (t_kind, t_start, t_payload) = top;
    let inner = off - t_start;
    match (op, t_kind) {
        (nft_msg::NEWRULE, ra::NFTA_RULE_EXPRESSIONS) => {
            if inner < 4 {
                return Some("the expression list".into());
            }
            let Some((_, e_start, e_payload)) = find(t_payload, inner - 4) else {
                return Some("the expression list".into());
            };
            let n = AttrIter::new(t_payload)
                .take_while(|a| a.as_ref().is_ok_and(|a| a.offset() < e_start))
                .count()
                + 1;
            let name = AttrIter::new(e_payload)
                .filter_map(Result::ok)
                .find(|a| a.kind() == ea::NFTA_EXPR_NAME)
                .map(|a| {
                    let p = a.payload();
                    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
                    String::from_utf8_lossy(&p[..end]).into_owned()
                });
            Some(match name {
                Some(name) => format!("expression #{n} ({name})"),
                None => format!("expression #{n}"),
            })
        }
        (nft_msg::NEWRULE | nft_msg::DELRULE, k) => Some(
            match k {
                ra::NFTA_RULE_TABLE => "table",
                ra::NFTA_RULE_CHAIN => "chain",
                ra::NFTA_RULE_HANDLE => "handle",
                ra::NFTA_RULE_POSITION => "position",
                ra::NFTA_RULE_USERDATA => "userdata",
                _ => return Some(format!("attribute {k}")),
            }
            .to_owned(),
        ),
        (nft_msg::NEWSETELEM | nft_msg::DELSETELEM, la::NFTA_SET_ELEM_LIST_ELEMENTS)
            if inner >= 4 =>
        {
            let (_, e_start, _) = find(t_payload, inner - 4)?;
            let n = AttrIter::new(t_payload)
                .take_while(|a| a.as_ref().is_ok_and(|a| a.offset() < e_start))
                .count()
                + 1;
            Some(format!("element #{n} of the message"))
        }
        _ => {
            let mut path = vec![t_kind.to_string()];
            let mut buf = t_payload;
            let mut at = inner;
            while at >= 4 {
                match find(buf, at - 4) {
                    Some((k, s, p)) => {
                        path.push(k.to_string());
                        at = at - 4 - s;
                        buf = p;
                    }
                    None => break,
                }
            }
            Some(format!("attribute {}", path.join("/")))
        }
    }
}

/// The attribute of `buf` that holds byte `off`: (type without flags, start offset, payload).
fn find(buf: &[u8], off: usize) -> Option<(u16, usize, &[u8])> {
    for a in AttrIter::new(buf) {
        let a = a.ok()?;
        let start = a.offset();
        let end = start + 4 + a.payload().len();
        if off >= start && off < end {
            return Some((a.kind(), start, a.payload()));
        }
    }
    None
}
