//! [`pull`] against a fake kernel ([`Script`]): its multi-step paths (restarted dumps,
//! element re-dumps, orphans, refusals, undecodable replies) tested without a socket.
//!
//! Why a fake kernel: these paths depend on what the kernel does during and between dumps
//! (a change interrupting a dump, a hash set resized while it is dumped, a chain deleted
//! between the chain and the rule dump). A real kernel cannot be made to do that on cue; a
//! script can, on any machine, deterministically.
//!
//! # Contract
//! - The fake kernel holds what [`push::plan`] sends for a model ruleset: each `NEW*`
//!   message of the batch becomes a message of the matching `GET*` dump (`NLM_F_MULTI`, the
//!   request's sequence number, one message per datagram, then `NLMSG_DONE`), with what a
//!   kernel adds: a handle on tables, chains, rules, sets and objects, and anonymous sets
//!   named `__set0` instead of `__set%d`. It filters dumps by family and by the `NFTA_*_TABLE`
//!   attribute as the kernel does, answers a `GETTABLE` without `NLM_F_DUMP` with the one
//!   table, and refuses requests for tables and sets it does not hold with `ENOENT`.
//! - Each test scripts its deviation ([`Answer`]) per request ([`Ask`]: operation, table,
//!   set, attempt), and asserts the pulled [`Ruleset`] (compared via
//!   [`Ruleset::canonical`]), the error, and what was sent ([`Script::sent`]).
//! - No root, no socket; time is virtual (pull's pause between element re-dumps included).

use std::collections::HashMap;
use std::time::Instant;

use linx_ip::ip;
use linx_netlink_codec::consts::{NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_MULTI, NLMSG_DONE};
use linx_netlink_codec::engine::Exchange;
use linx_netlink_codec::script::{Replies, Script};
use linx_netlink_codec::{AttrIter, DecodeErrorKind, Errno, MsgIter, MsgView};
use linx_nfnl::{msg_type, nft_msg, subsys};

use crate::pull::{PullOptions, Scope, pull, pull_with};
use crate::push;
use crate::wire::Writer;
use crate::wire::attr::{
    chain as ca, obj as oa, rule as ra, set as sa, set_elem_list as el, table as ta,
};
use crate::{
    Chain, ChainType, Expr, Family, Hook, KeyType, NetfilterError, Object, ObjectType, Operation,
    Policy, Priority, Rule, Ruleset, Set, SetElement, TableFlags,
};

/// `ELEM_DUMP_ATTEMPTS` of [`crate::pull`] (private there): how often a set's elements are
/// dumped before an inconsistent dump is an error.
const ELEM_DUMP_ATTEMPTS: usize = 8;

/// The attribute naming the table, in every nf_tables object type's attribute space
/// (`NFTA_TABLE_NAME`, `NFTA_CHAIN_TABLE`, `NFTA_RULE_TABLE`, `NFTA_SET_ELEM_LIST_TABLE`...).
const TABLE_ATTR: u16 = ta::NFTA_TABLE_NAME;

/// One message body: nfgenmsg + attributes.
type Body = Vec<u8>;

/// The model the fake kernel holds: an inet table with a counter object, a named set of three
/// addresses, a base chain with a lookup rule and a set-literal rule (an anonymous set), and
/// a regular chain with an objref rule.
pub(super) fn model() -> Ruleset {
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "filter", TableFlags::default())
        .unwrap();
    t.add_object(Object::counter("hits")).unwrap();
    t.add_set(Set::new("blocklist", KeyType::Ipv4Addr).elements(blocklist()))
        .unwrap();
    t.add_chain(
        Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop),
    )
    .unwrap();
    t.add_chain(Chain::regular("web")).unwrap();
    t.add_rule(
        "input",
        Rule::new(Expr::meta_nfproto_eq(2))
            .expr(Expr::ip_saddr())
            .expr(Expr::lookup("blocklist"))
            .expr(Expr::counter())
            .drop()
            .tag("block"),
    )
    .unwrap();
    t.add_rule(
        "input",
        Rule::new(Expr::meta_l4proto_eq(6))
            .expr(Expr::tcp_dport())
            .expr(Expr::set_literal(
                KeyType::InetService,
                [SetElement::port(80), SetElement::port(443)],
            ))
            .jump("web")
            .tag("web"),
    )
    .unwrap();
    t.add_rule(
        "web",
        Rule::new([Expr::objref(ObjectType::Counter, "hits")])
            .accept()
            .tag("hits"),
    )
    .unwrap();
    rs
}

/// The elements of the model's `blocklist`.
fn blocklist() -> [SetElement; 3] {
    [
        SetElement::from(ip!("192.0.2.1")),
        SetElement::from(ip!("192.0.2.2")),
        SetElement::from(ip!("198.51.100.7")),
    ]
}

/// The nf_tables messages of `push::plan(rs)`: (operation, body), envelope left out.
pub(super) fn planned(rs: &Ruleset) -> Vec<(u8, Body)> {
    let mut machine = push::plan(rs)
        .expect("a valid model")
        .into_batch()
        .into_machine();
    let mut seq = 0;
    let datagram = machine
        .poll_transmit(Instant::now(), &mut || {
            seq += 1;
            seq
        })
        .expect("a batch to send")
        .to_vec();
    MsgIter::new(&datagram)
        .map(|m| m.expect("a well-formed batch"))
        .filter(|m| m.kind() >> 8 == u16::from(subsys::NFTABLES))
        .map(|m| ((m.kind() & 0xff) as u8, m.payload().to_vec()))
        .collect()
}

/// Rename anonymous sets as the kernel does when it creates them: `__set%d` → `__set0`
/// (string attributes of `NFTA_SET_NAME`, `NFTA_SET_ELEM_LIST_SET`, `NFTA_LOOKUP_SET`).
fn rename_anonymous(body: &mut [u8]) {
    let mut i = 0;
    // Attributes start 4-aligned (the nfgenmsg is 4 bytes).
    while i + 12 <= body.len() {
        if body[i..i + 2] == 12u16.to_ne_bytes() && body[i + 4..i + 12] == *b"__set%d\0" {
            body[i..i + 2].copy_from_slice(&11u16.to_ne_bytes());
            body[i + 4..i + 12].copy_from_slice(b"__set0\0\0");
            i += 12;
        } else {
            i += 4;
        }
    }
}

/// The string attribute `kind` of `attrs` (top level), NUL dropped.
fn attr_str(attrs: &[u8], kind: u16) -> Option<String> {
    let a = AttrIter::new(attrs)
        .filter_map(Result::ok)
        .find(|a| a.kind() == kind)?;
    let text = a.payload().split(|&b| b == 0).next().unwrap_or_default();
    Some(String::from_utf8_lossy(text).into_owned())
}

/// What the fake kernel holds, as dump message bodies.
#[derive(Debug, Clone, Default)]
pub(super) struct Content {
    /// Messages of each `GET*` dump (tables, chains, rules, sets, objects), in push order.
    dumps: HashMap<u8, Vec<Body>>,
    /// Element messages of each set: (table, set) → bodies.
    elements: HashMap<(String, String), Vec<Body>>,
    /// The last handle given out.
    handle: u64,
    /// The port id recorded as the owner of owner tables (the script's, unless changed).
    pub(super) owner: Option<u32>,
}

impl Content {
    /// The kernel after pushing `rs`.
    pub(super) fn of(rs: &Ruleset) -> Content {
        let mut c = Content::default();
        c.add(rs);
        c
    }

    /// Add what pushing `rs` creates (handles keep counting).
    pub(super) fn add(&mut self, rs: &Ruleset) {
        for (op, mut body) in planned(rs) {
            rename_anonymous(&mut body);
            let (get, handle) = match op {
                nft_msg::NEWTABLE => (nft_msg::GETTABLE, ta::NFTA_TABLE_HANDLE),
                nft_msg::NEWCHAIN => (nft_msg::GETCHAIN, ca::NFTA_CHAIN_HANDLE),
                nft_msg::NEWRULE => (nft_msg::GETRULE, ra::NFTA_RULE_HANDLE),
                nft_msg::NEWSET => (nft_msg::GETSET, sa::NFTA_SET_HANDLE),
                nft_msg::NEWOBJ => (nft_msg::GETOBJ, oa::NFTA_OBJ_HANDLE),
                nft_msg::NEWSETELEM => {
                    let attrs = &body[4..];
                    let key = (
                        attr_str(attrs, el::NFTA_SET_ELEM_LIST_TABLE).unwrap(),
                        attr_str(attrs, el::NFTA_SET_ELEM_LIST_SET).unwrap(),
                    );
                    self.elements.entry(key).or_default().push(body);
                    continue;
                }
                // DESTROYTABLE.
                _ => continue,
            };
            self.handle += 1;
            Writer::new(&mut body)
                .put_be64(handle, self.handle)
                .unwrap();
            if op == nft_msg::NEWTABLE {
                // The kernel reports the owner of an owner table; the flags come first.
                let flags = AttrIter::new(&body[4..])
                    .filter_map(Result::ok)
                    .find(|a| a.kind() == ta::NFTA_TABLE_FLAGS)
                    .map(|a| u32::from_be_bytes(a.payload()[..4].try_into().unwrap()));
                if flags.is_some_and(|f| f & TableFlags::OWNER.bits() != 0) {
                    let owner = self
                        .owner
                        .unwrap_or(linx_netlink_codec::script::SCRIPT_PORT_ID);
                    Writer::new(&mut body)
                        .put_be32(ta::NFTA_TABLE_OWNER, owner)
                        .unwrap();
                }
            }
            self.dumps.entry(get).or_default().push(body);
        }
    }

    /// The messages of dump `op`.
    fn dump(&self, op: u8) -> Vec<Body> {
        self.dumps.get(&op).cloned().unwrap_or_default()
    }

    /// The element messages of `table`/`set`.
    fn elements_of(&self, table: &str, set: &str) -> Vec<Body> {
        self.elements[&(table.to_owned(), set.to_owned())].clone()
    }

    /// What the kernel answers `ask` (for `family`; `dump`: `NLM_F_DUMP` was set).
    pub(super) fn answer(&self, ask: &Ask, family: u8, dump: bool) -> Answer {
        if ask.op == nft_msg::GETSETELEM {
            let key = (
                ask.table.clone().unwrap_or_default(),
                ask.set.clone().unwrap_or_default(),
            );
            return match self.elements.get(&key) {
                Some(msgs) => Answer::Dump(msgs.clone()),
                // A set without elements has none to dump.
                None if self.has_set(&key.0, &key.1) => Answer::Dump(Vec::new()),
                None => Answer::Refuse(Errno::ENOENT),
            };
        }
        let msgs: Vec<Body> = self
            .dump(ask.op)
            .into_iter()
            .filter(|m| family == linx_nfnl::family::UNSPEC || m[0] == family)
            .filter(|m| ask.table.is_none() || attr_str(&m[4..], TABLE_ATTR) == ask.table)
            .collect();
        match (dump, msgs.first()) {
            (true, _) => Answer::Dump(msgs),
            (false, Some(first)) => Answer::Dump(vec![first.clone()]),
            (false, None) => Answer::Refuse(Errno::ENOENT),
        }
    }

    /// Whether the kernel holds set `table`/`set`.
    fn has_set(&self, table: &str, set: &str) -> bool {
        self.dump(nft_msg::GETSET).iter().any(|m| {
            attr_str(&m[4..], sa::NFTA_SET_TABLE).as_deref() == Some(table)
                && attr_str(&m[4..], sa::NFTA_SET_NAME).as_deref() == Some(set)
        })
    }
}

/// One request, as the fake kernel sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ask {
    /// The nf_tables operation (`GETRULE`...).
    pub(super) op: u8,
    /// The table named by the request (a one-table dump, `GETTABLE`, `GETSETELEM`).
    pub(super) table: Option<String>,
    /// The set of a `GETSETELEM`.
    set: Option<String>,
    /// 1 for the first request with this operation, table and set, 2 for the next...
    attempt: usize,
}

impl Ask {
    /// Whether this is the element dump of the model's `blocklist`.
    fn blocklist(&self) -> bool {
        self.op == nft_msg::GETSETELEM && self.set.as_deref() == Some("blocklist")
    }
}

/// How the fake kernel answers a request.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// These messages, then `NLMSG_DONE` (to a request without `NLM_F_DUMP`: the first
    /// message alone, without `NLM_F_MULTI`).
    Dump(Vec<Body>),
    /// These messages, the one at the index flagged `NLM_F_DUMP_INTR` (the kernel flags the
    /// first message after the change; an index past the end flags the `NLMSG_DONE`).
    Interrupted(Vec<Body>, usize),
    /// A refusal with this errno.
    Refuse(Errno),
}

/// Queue `answer` to the request `seq` of operation `op`.
pub(super) fn reply(out: &mut Replies, op: u8, seq: u32, dump: bool, answer: Answer) {
    // Every GET operation is its NEW operation + 1.
    let kind = msg_type(subsys::NFTABLES, op - 1);
    let (msgs, intr) = match answer {
        Answer::Refuse(errno) => return out.nack(seq, errno.code(), None),
        Answer::Dump(msgs) if !dump => {
            if let Some(m) = msgs.first() {
                out.message(kind, 0, seq, m);
            }
            return;
        }
        Answer::Dump(msgs) => (msgs, None),
        Answer::Interrupted(msgs, at) => (msgs, Some(at)),
    };
    let flags = |i: usize| {
        if intr == Some(i) {
            NLM_F_MULTI | NLM_F_DUMP_INTR
        } else {
            NLM_F_MULTI
        }
    };
    for (i, m) in msgs.iter().enumerate() {
        out.message(kind, flags(i), seq, m);
    }
    out.message(NLMSG_DONE, flags(msgs.len()), seq, &0i32.to_ne_bytes());
}

/// A fake kernel holding `content`; `script` may answer a request differently (`None`: as
/// the content says).
fn fake(content: Content, mut script: impl FnMut(&Ask) -> Option<Answer> + 'static) -> Script {
    let mut attempts: HashMap<(u8, Option<String>, Option<String>), usize> = HashMap::new();
    Script::new(move |req: &MsgView<'_>, out: &mut Replies| {
        let ask = ask_of(req, &mut attempts);
        let family = req.payload()[0];
        let dump = req.flags() & NLM_F_DUMP == NLM_F_DUMP;
        let answer = script(&ask).unwrap_or_else(|| content.answer(&ask, family, dump));
        reply(out, ask.op, req.seq(), dump, answer);
    })
}

/// The [`Ask`] of `req`, counting attempts in `attempts`.
pub(super) fn ask_of(
    req: &MsgView<'_>,
    attempts: &mut HashMap<(u8, Option<String>, Option<String>), usize>,
) -> Ask {
    assert_eq!(
        req.kind() >> 8,
        u16::from(subsys::NFTABLES),
        "pull sends nf_tables only"
    );
    let op = (req.kind() & 0xff) as u8;
    let attrs = &req.payload()[4..];
    let table = attr_str(attrs, TABLE_ATTR);
    let set = if op == nft_msg::GETSETELEM {
        attr_str(attrs, el::NFTA_SET_ELEM_LIST_SET)
    } else {
        None
    };
    let n = attempts
        .entry((op, table.clone(), set.clone()))
        .or_default();
    *n += 1;
    Ask {
        op,
        table,
        set,
        attempt: *n,
    }
}

/// The requests `script` was sent, in order.
fn asked(script: &Script) -> Vec<Ask> {
    let mut attempts = HashMap::new();
    script
        .sent()
        .iter()
        .map(|m| ask_of(&MsgView::new_checked(m).unwrap(), &mut attempts))
        .collect()
}

/// How often the elements of `blocklist` were dumped.
fn blocklist_dumps(script: &Script) -> usize {
    asked(script).iter().filter(|a| a.blocklist()).count()
}

/// The element messages of a `blocklist` holding `elements` (one message, as push sends it).
fn blocklist_msgs(elements: impl IntoIterator<Item = SetElement>) -> Vec<Body> {
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "filter", TableFlags::default())
        .unwrap();
    t.add_set(Set::new("blocklist", KeyType::Ipv4Addr).elements(elements))
        .unwrap();
    Content::of(&rs).elements_of("filter", "blocklist")
}

/// An element dump of `blocklist` with its second element twice and its third missing:
/// what a hash set resized between two `recvmsg` rounds of its dump looks like.
fn resized_blocklist() -> Vec<Body> {
    let [a, b, _] = blocklist();
    let mut msgs = blocklist_msgs([a, b.clone()]);
    msgs.extend(blocklist_msgs([b]));
    msgs
}

/// The content of `model()` plus what pushing `extra` adds.
fn model_with(extra: &Ruleset) -> Content {
    let mut c = Content::of(&model());
    c.add(extra);
    c
}

#[test]
fn pull_script_model_round_trips() {
    let script = fake(Content::of(&model()), |_| None);
    let report = pull_with(&script, Scope::All, PullOptions::default()).unwrap();
    assert_eq!((report.dump_retries, report.element_redumps), (0, 0));
    let pulled = report.ruleset;
    assert_eq!(pulled.canonical(), model().canonical());

    // Handles are filled in; the anonymous set came back as the rule's literal.
    let t = pulled.table(Family::Inet, "filter").unwrap();
    assert!(t.handle.is_some());
    assert!(t.chains().iter().all(|c| c.handle.is_some()));
    assert!(
        t.chains()
            .iter()
            .flat_map(|c| c.rules())
            .all(|r| r.handle.is_some())
    );
    assert!(t.sets().iter().all(|s| s.handle.is_some()));
    assert!(t.objects().iter().all(|o| o.handle.is_some()));
    assert_eq!(t.sets().len(), 1, "the anonymous set is not listed");

    // One dump of each kind, then each set's elements, then rules.
    let ops: Vec<(u8, Option<String>)> =
        asked(&script).into_iter().map(|a| (a.op, a.set)).collect();
    let set = |s: &str| Some(s.to_owned());
    assert_eq!(
        ops,
        [
            (nft_msg::GETTABLE, None),
            (nft_msg::GETCHAIN, None),
            (nft_msg::GETOBJ, None),
            (nft_msg::GETFLOWTABLE, None),
            (nft_msg::GETSET, None),
            (nft_msg::GETSETELEM, set("blocklist")),
            (nft_msg::GETSETELEM, set("__set0")),
            (nft_msg::GETRULE, None),
        ]
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn pull_script_interrupted_rule_dump_keeps_only_the_second_attempt() {
    // The first attempt streams two rules, then a change flags the third message; a rule
    // that is gone in the second attempt follows.
    let mut stale = model();
    stale
        .table_mut(Family::Inet, "filter")
        .unwrap()
        .add_rule("input", Rule::new([]).accept().tag("stale"))
        .unwrap();
    let first = Content::of(&stale).dump(nft_msg::GETRULE);
    assert_eq!(first.len(), 4);
    let script = fake(Content::of(&model()), move |ask| {
        (ask.op == nft_msg::GETRULE && ask.attempt == 1)
            .then(|| Answer::Interrupted(first.clone(), 2))
    });
    let report = pull_with(&script, Scope::All, PullOptions::default()).unwrap();
    assert_eq!(report.dump_retries, 1);
    let pulled = report.ruleset;
    assert_eq!(pulled.canonical(), model().canonical());
    let t = pulled.table(Family::Inet, "filter").unwrap();
    assert_eq!(t.rule_count(), 3, "no rule of the first attempt is kept");
    let rules = asked(&script)
        .iter()
        .filter(|a| a.op == nft_msg::GETRULE)
        .count();
    assert_eq!(rules, 2, "the rule dump was sent again");
    assert_eq!(script.queued(), 0);
}

#[test]
fn pull_script_chain_dump_interrupted_at_done_keeps_only_the_second_attempt() {
    // Every chain of the first attempt (and one deleted since) arrives before the
    // interruption shows, on NLMSG_DONE.
    let mut old = model();
    old.table_mut(Family::Inet, "filter")
        .unwrap()
        .add_chain(Chain::regular("old"))
        .unwrap();
    let first = Content::of(&old).dump(nft_msg::GETCHAIN);
    assert_eq!(first.len(), 3);
    let script = fake(Content::of(&model()), move |ask| {
        (ask.op == nft_msg::GETCHAIN && ask.attempt == 1)
            .then(|| Answer::Interrupted(first.clone(), first.len()))
    });
    let report = pull_with(&script, Scope::All, PullOptions::default()).unwrap();
    assert_eq!(report.dump_retries, 1);
    let pulled = report.ruleset;
    let names: Vec<&str> = pulled
        .table(Family::Inet, "filter")
        .unwrap()
        .chains()
        .iter()
        .map(|c| c.name())
        .collect();
    assert_eq!(names, ["input", "web"]);
    assert_eq!(pulled.canonical(), model().canonical());
    let chains = asked(&script)
        .iter()
        .filter(|a| a.op == nft_msg::GETCHAIN)
        .count();
    assert_eq!(chains, 2);
}

#[test]
fn pull_script_every_dump_interrupted_once() {
    // Each dump's first attempt is complete and then interrupted on NLMSG_DONE: whatever
    // pull kept of it must be dropped, or tables, chains, objects, sets, elements and rules
    // come back twice.
    let content = Content::of(&model());
    let original = content.clone();
    let script = fake(content, move |ask| {
        if ask.attempt != 1 {
            return None;
        }
        match original.answer(ask, linx_nfnl::family::UNSPEC, true) {
            Answer::Dump(msgs) => {
                let at = msgs.len();
                Some(Answer::Interrupted(msgs, at))
            }
            _ => None,
        }
    });
    let report = pull_with(&script, Scope::All, PullOptions::default()).unwrap();
    assert_eq!(report.ruleset.canonical(), model().canonical());
    // Tables, chains, objects, flowtables, sets, two element dumps, rules.
    assert_eq!((report.dump_retries, report.element_redumps), (8, 0));
    // Each request exactly twice: a restarted element dump is not taken for an
    // inconsistent one (that would dump it a third time).
    let asks = asked(&script);
    assert_eq!(asks.len(), 16, "{asks:?}");
    assert!(asks.iter().all(|a| a.attempt <= 2), "{asks:?}");
}

#[test]
fn pull_script_inconsistent_element_dump_is_dumped_again() {
    let script = fake(Content::of(&model()), |ask| {
        (ask.blocklist() && ask.attempt == 1).then(|| Answer::Dump(resized_blocklist()))
    });
    let report = pull_with(&script, Scope::All, PullOptions::default()).unwrap();
    assert_eq!((report.dump_retries, report.element_redumps), (0, 1));
    let pulled = report.ruleset;
    assert_eq!(blocklist_dumps(&script), 2);
    let set = pulled
        .table(Family::Inet, "filter")
        .unwrap()
        .set("blocklist")
        .unwrap();
    let mut got = set.elements.clone();
    got.sort();
    let mut want = blocklist().to_vec();
    want.sort();
    assert_eq!(got, want, "each element once, none missing");
    assert_eq!(pulled.canonical(), model().canonical());
}

#[test]
fn pull_script_always_inconsistent_element_dump_fails() {
    let script = fake(Content::of(&model()), |ask| {
        ask.blocklist().then(|| Answer::Dump(resized_blocklist()))
    });
    let err = pull(&script, Scope::All).unwrap_err();
    assert_eq!(blocklist_dumps(&script), ELEM_DUMP_ATTEMPTS);
    let NetfilterError::Decode { operation, source } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(*operation, Operation::Pull);
    assert_eq!(source.kind, DecodeErrorKind::InvalidValue);
    assert_eq!(
        source.context,
        "set elements dumped twice (set being resized)"
    );
    assert!(
        err.to_string()
            .contains("set elements dumped twice (set being resized)"),
        "{err}"
    );
    // Nothing was dumped after the failure.
    assert_eq!(
        asked(&script).last().map(|a| a.op),
        Some(nft_msg::GETSETELEM)
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn pull_script_element_decode_error_of_a_redumped_attempt_is_forgotten() {
    // The inconsistent first attempt also holds an undecodable message (its last attribute
    // cut short); only the kept attempt's errors count.
    let mut broken = blocklist_msgs([SetElement::from(ip!("203.0.113.9"))]).remove(0);
    broken.truncate(broken.len() - 4);
    let script = fake(Content::of(&model()), move |ask| {
        (ask.blocklist() && ask.attempt == 1).then(|| {
            let mut msgs = resized_blocklist();
            msgs.push(broken.clone());
            Answer::Dump(msgs)
        })
    });
    let pulled = pull(&script, Scope::All).unwrap();
    assert_eq!(blocklist_dumps(&script), 2);
    assert_eq!(pulled.canonical(), model().canonical());
}

#[test]
fn pull_script_element_decode_error_of_the_kept_attempt_fails() {
    let mut broken = blocklist_msgs([SetElement::from(ip!("203.0.113.9"))]).remove(0);
    broken.truncate(broken.len() - 4);
    let script = fake(Content::of(&model()), move |ask| {
        ask.blocklist().then(|| {
            let mut msgs = blocklist_msgs(blocklist());
            msgs.push(broken.clone());
            Answer::Dump(msgs)
        })
    });
    let err = pull(&script, Scope::All).unwrap_err();
    assert!(
        matches!(
            err,
            NetfilterError::Decode {
                operation: Operation::Pull,
                source: linx_netlink_codec::DecodeError {
                    kind: DecodeErrorKind::BadLength { .. },
                    ..
                }
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        blocklist_dumps(&script),
        1,
        "a consistent dump is not repeated"
    );
    // The error is reported after the sets; the rule dump is not started.
    assert!(asked(&script).iter().all(|a| a.op != nft_msg::GETRULE));
    assert_eq!(script.queued(), 0);
}

#[test]
fn pull_script_rule_of_a_vanished_chain_is_dropped() {
    // A chain deleted between the chain dump and the rule dump: its rule (the kernel dumped
    // it before the deletion) sits between two rules of `input`.
    let mut gone = Ruleset::new();
    let t = gone
        .add_table(Family::Inet, "filter", TableFlags::default())
        .unwrap();
    t.add_chain(Chain::regular("gone")).unwrap();
    t.add_rule("gone", Rule::new([]).accept().tag("orphan"))
        .unwrap();
    let orphan = Content::of(&gone).dump(nft_msg::GETRULE).remove(0);
    let mut rules = Content::of(&model()).dump(nft_msg::GETRULE);
    rules.insert(1, orphan);
    let script = fake(Content::of(&model()), move |ask| {
        (ask.op == nft_msg::GETRULE).then(|| Answer::Dump(rules.clone()))
    });
    let pulled = pull(&script, Scope::All).unwrap();
    assert_eq!(pulled.canonical(), model().canonical());
    assert_eq!(
        pulled.table(Family::Inet, "filter").unwrap().rule_count(),
        3
    );
}

#[test]
fn pull_script_members_of_a_vanished_table_are_dropped() {
    // Table `gone` was deleted after the table dump: its chain, object, set and rule still
    // show up in the later dumps.
    let mut gone = Ruleset::new();
    let t = gone
        .add_table(Family::Inet, "gone", TableFlags::default())
        .unwrap();
    t.add_object(Object::counter("c")).unwrap();
    t.add_set(Set::new("s", KeyType::Ipv4Addr).elements([SetElement::from(ip!("10.0.0.1"))]))
        .unwrap();
    t.add_chain(Chain::regular("c")).unwrap();
    t.add_rule("c", Rule::new([]).accept()).unwrap();
    let tables = Content::of(&model()).dump(nft_msg::GETTABLE);
    let script = fake(model_with(&gone), move |ask| {
        (ask.op == nft_msg::GETTABLE).then(|| Answer::Dump(tables.clone()))
    });
    let pulled = pull(&script, Scope::All).unwrap();
    assert_eq!(pulled.canonical(), model().canonical());
    // The orphan set's elements are not asked for.
    assert!(
        asked(&script)
            .iter()
            .all(|a| a.table.as_deref() != Some("gone")),
        "{:?}",
        asked(&script)
    );
}

#[test]
fn pull_script_set_that_vanished_before_its_element_dump_is_kept_empty() {
    let script = fake(Content::of(&model()), |ask| {
        ask.blocklist().then_some(Answer::Refuse(Errno::ENOENT))
    });
    let pulled = pull(&script, Scope::All).unwrap();
    let mut want = model();
    want.table_mut(Family::Inet, "filter")
        .unwrap()
        .set_mut("blocklist")
        .unwrap()
        .elements
        .clear();
    assert_eq!(pulled.canonical(), want.canonical());
    assert_eq!(
        blocklist_dumps(&script),
        1,
        "a vanished set is not asked again"
    );
}

#[test]
fn pull_script_missing_table_is_refused_with_enoent() {
    let script = fake(Content::of(&model()), |_| None);
    let err = pull(&script, Scope::Table(Family::Inet, "nope")).unwrap_err();
    match &err {
        NetfilterError::Refused {
            operation: Operation::Pull,
            batch_seq: None,
            what: Some(what),
            error,
        } => {
            assert_eq!(error.errno, Errno::ENOENT);
            assert_eq!(what, "table inet/nope");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(err.errno(), Some(Errno::ENOENT));
    assert!(
        err.to_string().contains("table inet/nope: ENOENT (2)"),
        "{err}"
    );
    // Nothing is dumped after the refusal.
    let asks = asked(&script);
    assert_eq!(asks.len(), 1);
    assert_eq!(
        (asks[0].op, asks[0].table.as_deref()),
        (nft_msg::GETTABLE, Some("nope"))
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn pull_script_one_table_scope_pulls_that_table_only() {
    let mut other = Ruleset::new();
    let t = other
        .add_table(Family::Ip, "other", TableFlags::default())
        .unwrap();
    t.add_chain(Chain::regular("c")).unwrap();
    t.add_rule("c", Rule::new([]).accept()).unwrap();
    let script = fake(model_with(&other), |_| None);
    let pulled = pull(&script, Scope::Table(Family::Inet, "filter")).unwrap();
    assert_eq!(pulled.canonical(), model().canonical());
    // Every request names the table, in its family.
    for m in script.sent() {
        let m = MsgView::new_checked(&m).unwrap();
        assert_eq!(m.payload()[0], Family::Inet.nfproto());
        assert_eq!(
            attr_str(&m.payload()[4..], TABLE_ATTR).as_deref(),
            Some("filter")
        );
    }
}

#[test]
fn pull_script_undecodable_rule_fails_after_the_reply_is_read() {
    // The first rule's last attribute (its handle) is cut short; two rules and NLMSG_DONE
    // follow, one datagram each.
    let mut rules = Content::of(&model()).dump(nft_msg::GETRULE);
    let n = rules[0].len();
    rules[0].truncate(n - 4);
    let script = fake(Content::of(&model()), move |ask| {
        (ask.op == nft_msg::GETRULE).then(|| Answer::Dump(rules.clone()))
    });
    let err = pull(&script, Scope::All).unwrap_err();
    let NetfilterError::Decode { operation, source } = &err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(*operation, Operation::Pull);
    assert!(
        matches!(
            source.kind,
            DecodeErrorKind::BadLength { len: 12, avail: 8 }
        ),
        "{source:?}"
    );
    assert_eq!(script.queued(), 0, "the rest of the dump was read");
    let rules = asked(&script)
        .iter()
        .filter(|a| a.op == nft_msg::GETRULE)
        .count();
    assert_eq!(rules, 1, "a decode error is not retried");
}

#[test]
fn pull_script_dump_interrupted_past_the_bound_fails() {
    // Every attempt of the rule dump is interrupted: with two retries allowed, the third
    // interruption ends the pull.
    let script = fake(Content::of(&model()), |ask| {
        (ask.op == nft_msg::GETRULE).then(|| Answer::Interrupted(Vec::new(), 0))
    });
    let err = pull_with(&script, Scope::All, PullOptions::new().dump_retries(2)).unwrap_err();
    match &err {
        NetfilterError::Transport {
            operation: Operation::Pull,
            source:
                linx_nfnl::Error::Request(linx_netlink_codec::Error::DumpInterrupted { attempts }),
        } => assert_eq!(*attempts, 3),
        other => panic!("expected an interrupted dump, got {other:?}"),
    }
    let rules = asked(&script)
        .iter()
        .filter(|a| a.op == nft_msg::GETRULE)
        .count();
    assert_eq!(rules, 3, "sent once and retried twice");
    assert_eq!(script.queued(), 0);
}
