//! [`push()`](crate::push()) against a fake kernel ([`Script`]) when the batch's verdict is
//! lost: a timeout, a socket error or an undecodable datagram where the ACK should be.
//!
//! Why a fake kernel: a lost verdict cannot be provoked on a real kernel on cue, and the
//! outcome must never be guessed: push reads the ruleset generation before the batch and
//! again after a lost verdict; unchanged means nothing was committed (`NotCommitted`), moved
//! means a commit happened, and push then pulls the pushed tables to see whether it was its
//! own (`Ok(())`) or not (`Unconfirmed`).
//!
//! # Contract
//! - The fake kernel ([`Kernel`]) answers `GETGEN` with its generation (starting at [`GEN`]),
//!   takes the batch (`BATCH_BEGIN` ... `BATCH_END`) and answers its `NLM_F_ACK` message per
//!   [`Verdict`]. When the batch ends it commits [`Kernel::commit`], if any: the generation
//!   moves by one and the `GET*` dumps show that content from then on (answered by the fake
//!   of [`pull_script_tests`](super::pull_script_tests)). Before, the namespace is empty.
//! - Each test asserts push's result and what was sent ([`Script::sent`]): generation reads,
//!   the batch (exactly [`push::plan`]'s messages), and the pulls after it.
//! - No root, no socket; time is virtual (a silent kernel makes the batch time out at once).
//! - Owner tables must be owned by the pushing socket ([`Script`]'s port id) to count as
//!   pushed: each is asked for once more (`GETTABLE`, its `NFTA_TABLE_OWNER`) before its pull.

use std::collections::HashMap;

use linx_netlink_codec::consts::{NLM_F_ACK, NLM_F_DUMP};
use linx_netlink_codec::engine::DEFAULT_TIMEOUT;
use linx_netlink_codec::script::{Replies, Script};
use linx_netlink_codec::{Errno, MsgView};
use linx_nfnl::generation::NFTA_GEN_ID;
use linx_nfnl::{NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, msg_type, nft_msg, subsys};

use crate::pull_script_tests::{Ask, Content, ask_of, model, planned, reply};
use crate::{Chain, Family, NetfilterError, Operation, Rule, Ruleset, TableFlags, push};

/// The generation the fake kernel starts at.
const GEN: u32 = 5;

/// `NFT_MSG_NEWGEN`: the reply to `GETGEN`.
const NEWGEN: u8 = 15;

/// What the fake kernel sends where the batch's verdict belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The ACK of the last message.
    Ack,
    /// Nothing: the verdict is lost and the batch times out.
    Silence,
    /// A socket error (`ENOBUFS`: the kernel dropped replies) instead of the ACK.
    Overflow,
    /// A socket error, then the ACK after all (still queued for the next exchange).
    OverflowThenAck,
    /// Nothing until the next request: the ACK arrives late, in front of that reply.
    Late,
    /// A datagram that does not frame (a message length overrunning it).
    Garbage,
    /// An `NLMSG_ERROR` for the last message too short to hold its errno.
    TruncatedAck,
}

/// A fake nf_tables kernel for push; see the [module docs](self).
struct Kernel {
    /// What the batch's verdict is.
    verdict: Verdict,
    /// What the namespace holds after the batch (the generation moves); `None`: no commit.
    commit: Option<Content>,
    /// `GETGEN` after the batch is refused with `EPERM` (the generation cannot be read again).
    unreadable_generation: bool,
}

impl Kernel {
    /// A kernel answering the batch with `verdict` and committing `commit`.
    fn new(verdict: Verdict, commit: Option<Content>) -> Kernel {
        Kernel {
            verdict,
            commit,
            unreadable_generation: false,
        }
    }

    /// The fake socket.
    fn script(self) -> Script {
        let Kernel {
            verdict,
            mut commit,
            unreadable_generation,
        } = self;
        let mut generation = GEN;
        let mut content = Content::default();
        let mut in_batch = false;
        let mut batches = 0;
        let mut late: Option<u32> = None;
        let mut attempts = HashMap::new();
        Script::new(move |req: &MsgView<'_>, out: &mut Replies| {
            let kind = req.kind();
            if kind == linx_netlink_codec::consts::NLMSG_NOOP {
                // A probe: acknowledged after everything before it, as the kernel does.
                out.ack(req.seq());
                return;
            }
            if kind == NFNL_MSG_BATCH_BEGIN {
                assert!(!in_batch, "a batch inside a batch");
                in_batch = true;
                batches += 1;
                return;
            }
            if kind == NFNL_MSG_BATCH_END {
                assert!(in_batch, "BATCH_END without BATCH_BEGIN");
                in_batch = false;
                if let Some(c) = commit.take() {
                    content = c;
                    generation += 1;
                }
                return;
            }
            assert_eq!(
                kind >> 8,
                u16::from(subsys::NFTABLES),
                "push sends nf_tables only"
            );
            if in_batch {
                if req.flags() & NLM_F_ACK != 0 {
                    match verdict {
                        Verdict::Ack => out.ack(req.seq()),
                        Verdict::Silence => {}
                        Verdict::Overflow => out.io_error(Errno::ENOBUFS),
                        Verdict::OverflowThenAck => {
                            out.io_error(Errno::ENOBUFS);
                            out.ack(req.seq());
                        }
                        Verdict::Late => late = Some(req.seq()),
                        Verdict::Garbage => {
                            let mut d = linx_netlink_codec::script::message(
                                linx_netlink_codec::consts::NLMSG_ERROR,
                                0,
                                req.seq(),
                                &[0; 20],
                            );
                            // The message claims 64 bytes more than the datagram holds.
                            let claimed = d.len() as u32 + 64;
                            d[..4].copy_from_slice(&claimed.to_ne_bytes());
                            out.datagram(d);
                        }
                        Verdict::TruncatedAck => {
                            let mut d = linx_netlink_codec::script::message(
                                linx_netlink_codec::consts::NLMSG_ERROR,
                                0,
                                req.seq(),
                                &[0; 4],
                            );
                            // nlmsg_len 18: two bytes of errno, then padding.
                            d[..4].copy_from_slice(&18u32.to_ne_bytes());
                            out.datagram(d);
                        }
                    }
                }
                return;
            }
            // A late verdict arrives in front of the reply to the first request after the
            // batch.
            if let Some(seq) = late.take() {
                out.ack(seq);
            }
            let op = (kind & 0xff) as u8;
            if op == nft_msg::GETGEN {
                if batches > 0 && unreadable_generation {
                    out.nack(req.seq(), Errno::EPERM.code(), None);
                } else {
                    let p = linx_nfnl::batch::payload(linx_nfnl::family::UNSPEC, |w| {
                        w.put_be32(NFTA_GEN_ID, generation)
                    });
                    out.message(msg_type(subsys::NFTABLES, NEWGEN), 0, req.seq(), &p);
                }
                return;
            }
            let ask = ask_of(req, &mut attempts);
            let family = req.payload()[0];
            let dump = req.flags() & NLM_F_DUMP == NLM_F_DUMP;
            let answer = content.answer(&ask, family, dump);
            reply(out, ask.op, req.seq(), dump, answer);
        })
    }
}

/// One message push sent, as the fake kernel saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sent {
    /// A `GETGEN`.
    Gen,
    /// A batch: its nf_tables messages (operation, body), envelope left out.
    Batch(Vec<(u8, Vec<u8>)>),
    /// Any other request (a pull's).
    Get(Ask),
    /// An `NLMSG_NOOP` probe (sent after `ENOBUFS` to find where the replies end).
    Probe,
}

/// What `script` was sent, in order (a batch as one entry).
fn sent(script: &Script) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut batch: Option<Vec<(u8, Vec<u8>)>> = None;
    let mut attempts = HashMap::new();
    for m in script.sent() {
        let m = MsgView::new_checked(&m).unwrap();
        match m.kind() {
            NFNL_MSG_BATCH_BEGIN => batch = Some(Vec::new()),
            NFNL_MSG_BATCH_END => out.push(Sent::Batch(batch.take().unwrap())),
            linx_netlink_codec::consts::NLMSG_NOOP => out.push(Sent::Probe),
            k => {
                let op = (k & 0xff) as u8;
                if let Some(b) = batch.as_mut() {
                    b.push((op, m.payload().to_vec()));
                } else if op == nft_msg::GETGEN {
                    out.push(Sent::Gen);
                } else {
                    out.push(Sent::Get(ask_of(&m, &mut attempts)));
                }
            }
        }
    }
    assert!(batch.is_none(), "a batch without BATCH_END");
    out
}

/// The requests pulls sent, as (operation, table).
fn gets(script: &Script) -> Vec<(u8, Option<String>)> {
    sent(script)
        .into_iter()
        .filter_map(|s| match s {
            Sent::Get(a) => Some((a.op, a.table)),
            _ => None,
        })
        .collect()
}

/// The tables pulls asked for with `GETTABLE`, sorted.
fn pulled_tables(script: &Script) -> Vec<String> {
    let mut tables: Vec<String> = gets(script)
        .into_iter()
        .filter(|(op, _)| *op == nft_msg::GETTABLE)
        .filter_map(|(_, t)| t)
        .collect();
    tables.sort();
    // Each owner table is asked for twice: whose it is, then the pull.
    tables.dedup();
    tables
}

/// `sent(script)` with the batch checked against `push::plan(rs)` and replaced by `None`,
/// generation reads by `Some(GETGEN)` and pull requests by `Some(op)`.
fn outline(script: &Script, rs: &Ruleset) -> Vec<Option<u8>> {
    sent(script)
        .into_iter()
        .map(|s| match s {
            Sent::Gen => Some(nft_msg::GETGEN),
            Sent::Batch(msgs) => {
                assert_eq!(msgs, planned(rs), "the batch is push::plan's");
                None
            }
            Sent::Get(a) => Some(a.op),
            Sent::Probe => Some(PROBE),
        })
        .collect()
}

/// [`outline`]'s mark of a probe.
const PROBE: u8 = u8::MAX;

/// The requests of a one-table pull (`Scope::Table`) of a table like `model()`'s, whose
/// sets are `blocklist` and one anonymous set.
fn table_pull(table: &str) -> Vec<(u8, Option<String>)> {
    let t = || Some(table.to_owned());
    vec![
        // Whose owner table it is, then the pull.
        (nft_msg::GETTABLE, t()),
        (nft_msg::GETTABLE, t()),
        (nft_msg::GETCHAIN, t()),
        (nft_msg::GETOBJ, t()),
        (nft_msg::GETFLOWTABLE, t()),
        (nft_msg::GETSET, t()),
        (nft_msg::GETSETELEM, t()),
        (nft_msg::GETSETELEM, t()),
        (nft_msg::GETRULE, t()),
    ]
}

/// `model()` with a second table, `ip/other`.
fn two_tables() -> Ruleset {
    let mut rs = model();
    let t = rs
        .add_table(Family::Ip, "other", TableFlags::default())
        .unwrap();
    t.add_chain(Chain::regular("c")).unwrap();
    t.add_rule("c", Rule::new([]).accept()).unwrap();
    rs
}

/// `model()` without its last rule (`web`'s objref rule).
fn model_one_rule_fewer() -> Ruleset {
    let mut rs = model();
    rs.table_mut(Family::Inet, "filter")
        .unwrap()
        .chain_mut("web")
        .unwrap()
        .remove_rule(0)
        .unwrap();
    rs
}

/// The `linx_nfnl` error of a failed push (a `Transport` error of operation push).
fn nfnl_error(err: &NetfilterError) -> &linx_nfnl::Error {
    match err {
        NetfilterError::Transport {
            operation: Operation::Push,
            source,
        } => source,
        other => panic!("expected a transport error of push, got {other:?}"),
    }
}

#[test]
fn push_script_acked_batch_is_ok_after_one_generation_read() {
    let rs = model();
    let script = Kernel::new(Verdict::Ack, Some(Content::of(&rs))).script();
    push(&script, &rs, push::Mode::Replace).unwrap();
    assert_eq!(
        outline(&script, &rs),
        [Some(nft_msg::GETGEN), None],
        "one generation read before the batch, nothing after"
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn push_script_lost_verdict_with_an_unmoved_generation_is_not_applied() {
    let rs = model();
    let script = Kernel::new(Verdict::Silence, None).script();
    let t0 = script.now();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    match nfnl_error(&err) {
        linx_nfnl::Error::NotCommitted { cause, generation } => {
            assert_eq!(*generation, GEN);
            assert!(
                matches!(cause, linx_netlink_codec::Error::Timeout(d) if *d == DEFAULT_TIMEOUT),
                "{cause:?}"
            );
        }
        other => panic!("expected NotCommitted, got {other:?}"),
    }
    assert!(err.to_string().contains("not applied"), "{err}");
    assert_eq!(err.errno(), None);
    assert!(
        script.now() - t0 >= DEFAULT_TIMEOUT,
        "the batch waited its timeout"
    );
    // The generation settles it: nothing is pulled.
    assert_eq!(
        outline(&script, &rs),
        [Some(nft_msg::GETGEN), None, Some(nft_msg::GETGEN)]
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn push_script_lost_verdict_of_an_applied_batch_is_ok() {
    // The batch was committed (the generation moved) and the table is exactly the pushed
    // one: push never fails when it was applied.
    let rs = model();
    let script = Kernel::new(Verdict::Silence, Some(Content::of(&rs))).script();
    push(&script, &rs, push::Mode::Replace).unwrap();
    let mut want = vec![Some(nft_msg::GETGEN), None, Some(nft_msg::GETGEN)];
    want.extend(table_pull("filter").into_iter().map(|(op, _)| Some(op)));
    assert_eq!(outline(&script, &rs), want);
    assert_eq!(gets(&script), table_pull("filter"), "the table was pulled");
    assert_eq!(script.queued(), 0);
}

#[test]
fn push_script_lost_verdict_pulls_every_pushed_table_and_only_those() {
    // Two tables pushed; the namespace also holds a table of another program (not pushed,
    // not looked at).
    let rs = two_tables();
    let mut foreign = Ruleset::new();
    foreign
        .add_table(Family::Inet, "foreign", TableFlags::default())
        .unwrap()
        .add_chain(Chain::regular("x"))
        .unwrap();
    let mut after = Content::of(&rs);
    after.add(&foreign);
    let script = Kernel::new(Verdict::Silence, Some(after)).script();
    push(&script, &rs, push::Mode::Replace).unwrap();
    assert_eq!(pulled_tables(&script), ["filter", "other"]);
    assert!(
        gets(&script)
            .iter()
            .all(|(_, t)| t.as_deref() != Some("foreign")),
        "{:?}",
        gets(&script)
    );
}

#[test]
fn push_script_lost_verdict_with_other_content_is_unconfirmed() {
    // A commit happened, but the table holds one rule fewer than pushed: not ours (or not
    // only ours), so the outcome stays unknown.
    let rs = model();
    let script = Kernel::new(Verdict::Silence, Some(Content::of(&model_one_rule_fewer()))).script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    match nfnl_error(&err) {
        linx_nfnl::Error::Unconfirmed {
            cause,
            before,
            after,
        } => {
            assert_eq!((*before, *after), (GEN, Some(GEN + 1)));
            assert!(
                matches!(cause, linx_netlink_codec::Error::Timeout(_)),
                "{cause:?}"
            );
        }
        other => panic!("expected Unconfirmed, got {other:?}"),
    }
    assert!(err.to_string().contains("moved from 5 to 6"), "{err}");
    assert_eq!(gets(&script), table_pull("filter"), "the table was pulled");
}

#[test]
fn push_script_lost_verdict_with_the_table_missing_is_unconfirmed() {
    // A commit happened and the table is not there (GETTABLE: ENOENT).
    let rs = model();
    let script = Kernel::new(Verdict::Silence, Some(Content::default())).script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    assert!(
        matches!(
            nfnl_error(&err),
            linx_nfnl::Error::Unconfirmed {
                before: GEN,
                after: Some(6),
                ..
            }
        ),
        "{err:?}"
    );
    // The refused GETTABLE ends the check.
    assert_eq!(
        gets(&script),
        [(nft_msg::GETTABLE, Some("filter".to_owned()))]
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn push_script_lost_verdict_with_one_of_two_tables_different_is_unconfirmed() {
    // The first table is in place, the second is missing its rule.
    let rs = two_tables();
    let mut kernel_side = model();
    kernel_side
        .add_table(Family::Ip, "other", TableFlags::default())
        .unwrap()
        .add_chain(Chain::regular("c"))
        .unwrap();
    let script = Kernel::new(Verdict::Silence, Some(Content::of(&kernel_side))).script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    assert!(
        matches!(nfnl_error(&err), linx_nfnl::Error::Unconfirmed { .. }),
        "{err:?}"
    );
    assert_eq!(pulled_tables(&script), ["filter", "other"]);
}

#[test]
fn push_script_socket_error_instead_of_the_verdict_is_not_applied() {
    let rs = model();
    let script = Kernel::new(Verdict::Overflow, None).script();
    let t0 = script.now();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    match nfnl_error(&err) {
        linx_nfnl::Error::NotCommitted { cause, generation } => {
            assert_eq!(*generation, GEN);
            assert_eq!(cause.errno(), Some(Errno::ENOBUFS), "{cause:?}");
        }
        other => panic!("expected NotCommitted, got {other:?}"),
    }
    assert_eq!(err.errno(), Some(Errno::ENOBUFS));
    assert!(err.to_string().contains("not applied"), "{err}");
    assert_eq!(script.now(), t0, "a socket error is not waited for");
    // After the overflow a probe finds where the replies end: the verdict was dropped.
    assert_eq!(
        outline(&script, &rs),
        [
            Some(nft_msg::GETGEN),
            None,
            Some(PROBE),
            Some(nft_msg::GETGEN)
        ]
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn push_script_socket_error_then_the_ack_of_an_applied_batch_is_ok() {
    // The ACK that survived the overflow is read before anything else is sent: it is the
    // verdict, so nothing needs settling (no probe, no second generation read, no pull).
    let rs = model();
    let script = Kernel::new(Verdict::OverflowThenAck, Some(Content::of(&rs))).script();
    push(&script, &rs, push::Mode::Replace).unwrap();
    assert_eq!(
        outline(&script, &rs),
        [Some(nft_msg::GETGEN), None],
        "settled by the ACK itself"
    );
    assert_eq!(script.queued(), 0);
}

#[test]
fn push_script_late_verdict_is_skipped_and_settled_by_the_generation() {
    // The ACK comes after the batch's timeout, in front of the second GETGEN's reply.
    let rs = model();
    let script = Kernel::new(Verdict::Late, Some(Content::of(&rs))).script();
    push(&script, &rs, push::Mode::Replace).unwrap();
    assert_eq!(gets(&script), table_pull("filter"));
    assert_eq!(script.queued(), 0);

    // Not committed: the late ACK does not make the outcome look applied.
    let script = Kernel::new(Verdict::Late, None).script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    assert!(
        matches!(
            nfnl_error(&err),
            linx_nfnl::Error::NotCommitted {
                generation: GEN,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(gets(&script).is_empty());
}

#[test]
fn push_script_undecodable_verdict_with_an_unmoved_generation_is_not_applied() {
    let rs = model();
    let script = Kernel::new(Verdict::Garbage, None).script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    match nfnl_error(&err) {
        linx_nfnl::Error::NotCommitted { cause, generation } => {
            assert_eq!(*generation, GEN);
            assert!(
                matches!(cause, linx_netlink_codec::Error::Decode(_)),
                "{cause:?}"
            );
        }
        other => panic!("expected NotCommitted, got {other:?}"),
    }
    assert!(err.to_string().contains("not applied"), "{err}");
    assert_eq!(
        outline(&script, &rs),
        [Some(nft_msg::GETGEN), None, Some(nft_msg::GETGEN)]
    );
}

#[test]
fn push_script_lost_verdict_and_unreadable_generation_is_settled_by_the_tables() {
    let rs = model();
    // The table is in place: applied.
    let mut kernel = Kernel::new(Verdict::Silence, Some(Content::of(&rs)));
    kernel.unreadable_generation = true;
    let script = kernel.script();
    push(&script, &rs, push::Mode::Replace).unwrap();
    assert_eq!(gets(&script), table_pull("filter"));

    // Nothing there: unknown, and said so.
    let mut kernel = Kernel::new(Verdict::Silence, None);
    kernel.unreadable_generation = true;
    let script = kernel.script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    assert!(
        matches!(
            nfnl_error(&err),
            linx_nfnl::Error::Unconfirmed {
                before: GEN,
                after: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("was 5 and could not be read again"),
        "{err}"
    );
}

#[test]
fn push_script_truncated_verdict_of_an_applied_batch_is_ok() {
    // The ACK frames but its payload is cut short: the verdict is lost as surely as in a
    // datagram that does not frame, and the batch was applied.
    let rs = model();
    let script = Kernel::new(Verdict::TruncatedAck, Some(Content::of(&rs))).script();
    let got = push(&script, &rs, push::Mode::Replace);
    assert!(got.is_ok(), "{got:?}");
    assert_eq!(gets(&script), table_pull("filter"));
}

#[test]
fn push_script_truncated_verdict_with_an_unmoved_generation_is_not_applied() {
    let rs = model();
    let script = Kernel::new(Verdict::TruncatedAck, None).script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    assert!(
        matches!(
            nfnl_error(&err),
            linx_nfnl::Error::NotCommitted {
                generation: GEN,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        outline(&script, &rs),
        [Some(nft_msg::GETGEN), None, Some(nft_msg::GETGEN)]
    );
}

#[test]
fn push_script_lost_verdict_with_the_same_content_owned_by_another_socket_is_unconfirmed() {
    // The generation moved and the table holds exactly what was pushed, but it is an owner
    // table of another socket (a second instance pushed the same ruleset): not our push.
    let rs = model();
    let mut theirs = Content::default();
    theirs.owner = Some(linx_netlink_codec::script::SCRIPT_PORT_ID + 1);
    theirs.add(&rs);
    let script = Kernel::new(Verdict::Silence, Some(theirs)).script();
    let err = push(&script, &rs, push::Mode::Replace).unwrap_err();
    assert!(
        matches!(nfnl_error(&err), linx_nfnl::Error::Unconfirmed { .. }),
        "{err:?}"
    );
}
