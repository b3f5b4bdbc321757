//! Batches: golden bytes, the sans-IO exchange against scripted replies, never-panic decode.

use std::time::Instant;

use linx_netlink_codec::consts::*;
use linx_netlink_codec::engine::Exchange;
use linx_netlink_codec::{AttrWriter, Errno, MsgIter, MsgWriter, NlHeader};
use linx_nfnl::batch::{AckMode, Batch};
use linx_nfnl::generation::Gen;
use linx_nfnl::{Error, family, msg_type, nft_msg, subsys};
use proptest::prelude::*;

fn newtable(name: &str) -> Vec<u8> {
    linx_nfnl::batch::payload(family::INET, |w| w.put_str(1, name))
}

fn seqs() -> impl FnMut() -> u32 {
    let mut s = 0;
    move || {
        s += 1;
        s
    }
}

/// BATCH_BEGIN for nf_tables, seq 1, then BATCH_END seq 3 around one NEWTABLE "t" (seq 2),
/// little-endian, hand-checked against <linux/netfilter/nfnetlink.h>:
/// nlmsghdr{len 20, type 0x10, flags REQUEST, seq 1} nfgenmsg{AF_UNSPEC, v0, res_id BE 10}.
#[cfg(target_endian = "little")]
#[test]
fn golden_batch_envelope() {
    let mut b = Batch::new(subsys::NFTABLES);
    b.push(
        msg_type(subsys::NFTABLES, nft_msg::NEWTABLE),
        NLM_F_CREATE,
        &newtable("t"),
    );
    let mut m = b.into_machine();
    let tx = m
        .poll_transmit(Instant::now(), &mut seqs())
        .unwrap()
        .to_vec();
    #[rustfmt::skip]
    let want: &[u8] = &[
        20, 0, 0, 0, 0x10, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, // BATCH_BEGIN
        28, 0, 0, 0, 0x00, 0x0a, 0x05, 0x04, 2, 0, 0, 0, 0, 0, 0, 0, // NEWTABLE, REQUEST|ACK|CREATE
        1, 0, 0, 0, 6, 0, 1, 0, b't', 0, 0, 0, // nfgenmsg inet, NFTA_TABLE_NAME "t"
        20, 0, 0, 0, 0x11, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, // BATCH_END
    ];
    assert_eq!(tx, want);
}

#[cfg(target_endian = "little")]
#[test]
fn golden_genid_on_begin_and_getgen_request() {
    let mut b = Batch::new(subsys::NFTABLES).with_genid(0x01020304);
    b.push(
        msg_type(subsys::NFTABLES, nft_msg::NEWTABLE),
        0,
        &newtable("t"),
    );
    let mut m = b.into_machine();
    let tx = m
        .poll_transmit(Instant::now(), &mut seqs())
        .unwrap()
        .to_vec();
    assert_eq!(
        &tx[..28],
        &[
            28, 0, 0, 0, 0x10, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 8, 0, 1, 0, 1, 2, 3, 4
        ]
    );
    let mut g = Vec::new();
    linx_nfnl::generation::request().encode(9, &mut g).unwrap();
    assert_eq!(
        g,
        [
            20, 0, 0, 0, 0x10, 0x0a, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        ]
    );
}

fn reply(seq: u32, errno: i32, text: Option<&str>) -> Vec<u8> {
    let mut p = (-errno).to_ne_bytes().to_vec();
    let mut h = [0u8; 16];
    NlHeader {
        len: 16,
        kind: 0,
        flags: 0,
        seq,
        pid: 0,
    }
    .emit(&mut h);
    p.extend_from_slice(&h);
    let mut flags = NLM_F_CAPPED;
    if let Some(t) = text {
        AttrWriter::new(&mut p)
            .put_str(NLMSGERR_ATTR_MSG, t)
            .unwrap();
        flags |= NLM_F_ACK_TLVS;
    }
    let mut b = Vec::new();
    let mut w = MsgWriter::begin(&mut b, NLMSG_ERROR, flags, seq);
    w.put_bytes(&p);
    w.finish().unwrap();
    b
}

fn run(b: Batch, answer: impl Fn(&[u32]) -> Vec<u8>) -> (Result<(), Error>, Vec<u8>) {
    let mut m = b.into_machine();
    let now = Instant::now();
    let tx = m.poll_transmit(now, &mut seqs()).unwrap().to_vec();
    let sent: Vec<u32> = MsgIter::new(&tx).map(|x| x.unwrap().seq()).collect();
    let r = answer(&sent);
    for msg in MsgIter::new(&r) {
        m.handle_message(now, &msg.unwrap()).unwrap();
    }
    assert!(m.is_finished());
    (m.finish(), tx)
}

fn five() -> Batch {
    let mut b = Batch::new(subsys::NFTABLES);
    for i in 0..5 {
        b.push(
            msg_type(subsys::NFTABLES, nft_msg::NEWTABLE),
            NLM_F_CREATE,
            &newtable(&format!("t{i}")),
        );
    }
    b
}

#[test]
fn only_the_last_message_asks_for_an_ack() {
    let (r, tx) = run(five(), |s| reply(s[5], 0, None));
    r.unwrap();
    let flags: Vec<u16> = MsgIter::new(&tx)
        .map(|m| m.unwrap().flags() & NLM_F_ACK)
        .collect();
    assert_eq!(flags, [0, 0, 0, 0, 0, NLM_F_ACK, 0]);
}

#[test]
fn a_refused_message_is_reported_by_its_position() {
    let (r, _) = run(five(), |s| {
        [
            reply(s[3], 2, Some("No such file or directory")),
            reply(s[5], 0, None),
        ]
        .concat()
    });
    let Err(Error::Batch { first, all }) = r else {
        panic!("{r:?}")
    };
    assert_eq!(first.batch_seq, Some(3));
    assert_eq!(first.error.errno, Errno::ENOENT);
    assert_eq!(all.len(), 1);
    assert_eq!(
        Error::Batch {
            first: first.clone(),
            all
        }
        .to_string(),
        "nfnetlink batch refused: message 3 of the batch: ENOENT (2): No such file or directory"
    );
}

#[test]
fn several_refusals_are_all_kept_first_in_message_order() {
    let (r, _) = run(five(), |s| {
        [reply(s[2], 17, None), reply(s[5], 22, None)].concat()
    });
    let Err(Error::Batch { first, all }) = r else {
        panic!()
    };
    assert_eq!(first.batch_seq, Some(2));
    assert_eq!(
        all.iter().map(|r| r.batch_seq).collect::<Vec<_>>(),
        [Some(2), Some(5)]
    );
}

#[test]
fn generation_mismatch_refuses_the_batch_itself() {
    let (r, _) = run(five().with_genid(7), |s| reply(s[0], 85, None));
    let Err(Error::Batch { first, .. }) = r else {
        panic!()
    };
    assert_eq!(first.batch_seq, None);
    assert_eq!(first.error.errno, Errno::ERESTART);
}

#[test]
fn ack_mode_all_marks_every_message() {
    let (r, tx) = run(five().with_ack_mode(AckMode::All), |s| {
        (1..=5).flat_map(|i| reply(s[i], 0, None)).collect()
    });
    r.unwrap();
    let acks = MsgIter::new(&tx)
        .filter(|m| m.as_ref().unwrap().flags() & NLM_F_ACK != 0)
        .count();
    assert_eq!(acks, 5);
}

#[test]
fn strangers_are_ignored_and_a_timeout_leaves_the_verdict_open() {
    let mut m = five()
        .with_timeout(std::time::Duration::from_millis(5))
        .into_machine();
    let now = Instant::now();
    m.poll_transmit(now, &mut seqs()).unwrap();
    for msg in MsgIter::new(&reply(999, 0, None)) {
        m.handle_message(now, &msg.unwrap()).unwrap();
    }
    assert!(!m.is_finished());
    let d = m.poll_timeout().unwrap();
    // A missing verdict ends the exchange without one (never a plain failure: the batch may
    // have been applied); `batch::send` then settles it by the generation.
    m.handle_timeout(d).unwrap();
    assert!(m.is_finished());
    assert!(matches!(
        m.finish(),
        Err(Error::Request(linx_netlink_codec::Error::Timeout(_)))
    ));
}

#[test]
fn empty_batch_sends_nothing() {
    let mut m = Batch::new(subsys::NFTABLES).into_machine();
    assert!(m.poll_transmit(Instant::now(), &mut seqs()).is_none());
    assert!(m.is_finished());
    assert!(m.finish().is_ok());
}

proptest! {
    #[test]
    fn arbitrary_replies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Gen::parse(&bytes);
        let _ = <linx_nfnl::NfGenMsg as linx_netlink_codec::FixedHeader>::parse(&bytes);
        let mut m = five().into_machine();
        let now = Instant::now();
        m.poll_transmit(now, &mut seqs());
        for msg in MsgIter::new(&bytes) {
            let Ok(msg) = msg else { break };
            let _ = m.handle_message(now, &msg);
        }
    }

    #[test]
    fn gen_round_trip(id in any::<u32>(), pid in any::<u32>(), name in "[a-z]{1,15}") {
        let p = linx_nfnl::batch::payload(0, |w| {
            w.put_be32(1, id)?;
            w.put_be32(2, pid)?;
            w.put_str(3, &name)
        });
        let g = Gen::parse(&p).unwrap();
        prop_assert_eq!(g, Gen { id, proc_pid: Some(pid), proc_name: Some(name) });
    }
}

/// Attribution holds whatever the sequence numbers look like: wrapping past `u32::MAX`, or
/// with gaps (a counter shared with other requests).
#[test]
fn refusals_are_attributed_across_wraparound_and_gaps() {
    type Counter = Box<dyn FnMut() -> u32>;
    let counters: [(&str, Counter); 2] = [
        ("wrapping", {
            let mut s = u32::MAX - 3;
            Box::new(move || {
                s = s.wrapping_add(1);
                s
            })
        }),
        ("gaps", {
            let mut s = 100;
            Box::new(move || {
                s += 7;
                s
            })
        }),
    ];
    for (name, mut seq) in counters {
        let mut m = five().into_machine();
        let now = Instant::now();
        let tx = m.poll_transmit(now, &mut seq).unwrap().to_vec();
        let sent: Vec<u32> = MsgIter::new(&tx).map(|x| x.unwrap().seq()).collect();
        let r = [reply(sent[4], 17, Some("exists")), reply(sent[5], 0, None)].concat();
        for msg in MsgIter::new(&r) {
            m.handle_message(now, &msg.unwrap()).unwrap();
        }
        assert!(m.is_finished(), "{name}");
        let Err(Error::Batch { first, .. }) = m.finish() else {
            panic!("{name}: not refused")
        };
        assert_eq!(first.batch_seq, Some(4), "{name}");
        assert_eq!(first.error.errno, Errno::EEXIST, "{name}");
    }
}

/// A fake nf_tables kernel: answers GETGEN with the generation in `gens` (one per call, the
/// last one repeated), and a batch per `verdict`.
#[derive(Clone, Copy, PartialEq)]
enum Verdict {
    /// ACK the last message.
    Commit,
    /// Say nothing (a lost verdict).
    Silence,
    /// Report a socket error instead of the verdict.
    Overflow,
}

fn fake_kernel(gens: Vec<u32>, verdict: Verdict) -> linx_netlink_codec::script::Script {
    use linx_netlink_codec::script::{Replies, Script};
    let mut calls = 0usize;
    Script::new(
        move |m: &linx_netlink_codec::MsgView<'_>, out: &mut Replies| {
            if m.kind() == msg_type(subsys::NFTABLES, nft_msg::GETGEN) {
                let id = gens[calls.min(gens.len() - 1)];
                calls += 1;
                let mut p = vec![0u8, 0, 0, 0];
                AttrWriter::new(&mut p).put_be32(1, id).unwrap();
                out.message(msg_type(subsys::NFTABLES, 15), 0, m.seq(), &p);
            } else if m.kind() == NLMSG_NOOP {
                // A probe: acknowledged after everything before it, as the kernel does.
                out.ack(m.seq());
            } else if m.flags() & NLM_F_ACK != 0 {
                match verdict {
                    Verdict::Commit => out.ack(m.seq()),
                    Verdict::Silence => {}
                    Verdict::Overflow => out.io_error(Errno::ENOBUFS),
                }
            }
        },
    )
}

fn one_table_batch() -> Batch {
    let mut b = Batch::new(subsys::NFTABLES);
    b.push(
        msg_type(subsys::NFTABLES, nft_msg::NEWTABLE),
        NLM_F_CREATE,
        &newtable("t"),
    );
    b
}

#[test]
fn committed_batch_is_ok_and_the_generation_was_read_first() {
    let k = fake_kernel(vec![5], Verdict::Commit);
    linx_nfnl::batch::send(&k, one_table_batch()).unwrap();
    let sent = k.sent();
    assert_eq!(
        linx_netlink_codec::MsgView::new_checked(&sent[0])
            .unwrap()
            .kind(),
        msg_type(subsys::NFTABLES, nft_msg::GETGEN)
    );
}

#[test]
fn lost_verdict_with_an_unmoved_generation_is_not_committed() {
    let k = fake_kernel(vec![5, 5], Verdict::Silence);
    match linx_nfnl::batch::send(&k, one_table_batch()) {
        Err(Error::NotCommitted {
            generation: 5,
            cause,
        }) => {
            assert!(
                matches!(cause, linx_netlink_codec::Error::Timeout(_)),
                "{cause}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lost_verdict_with_a_moved_generation_is_unconfirmed_never_failed() {
    let k = fake_kernel(vec![5, 6], Verdict::Silence);
    let e = linx_nfnl::batch::send(&k, one_table_batch()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unconfirmed {
                before: 5,
                after: Some(6),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("moved from 5 to 6"), "{e}");
}

#[test]
fn overflow_instead_of_the_verdict_is_settled_by_the_generation() {
    let k = fake_kernel(vec![7, 7], Verdict::Overflow);
    let e = linx_nfnl::batch::send(&k, one_table_batch()).unwrap_err();
    assert!(
        matches!(e, Error::NotCommitted { generation: 7, .. }),
        "{e:?}"
    );
    assert_eq!(e.errno(), Some(Errno::ENOBUFS));
}

#[test]
fn endless_overflow_gives_up_on_the_verdict_in_bounded_time() {
    use linx_netlink_codec::script::{Replies, Script};
    // Every reply, probes' included, is lost to an overflow.
    let k = Script::new(|m: &linx_netlink_codec::MsgView<'_>, out: &mut Replies| {
        if m.kind() == msg_type(subsys::NFTABLES, nft_msg::GETGEN) {
            let mut p = vec![0u8, 0, 0, 0];
            AttrWriter::new(&mut p).put_be32(1, 9).unwrap();
            out.message(msg_type(subsys::NFTABLES, 15), 0, m.seq(), &p);
        } else if m.flags() & NLM_F_ACK != 0 {
            out.io_error(Errno::ENOBUFS);
        }
    });
    let e = linx_nfnl::batch::send(&k, one_table_batch()).unwrap_err();
    assert!(
        matches!(e, Error::NotCommitted { generation: 9, .. }),
        "{e:?}"
    );
}
