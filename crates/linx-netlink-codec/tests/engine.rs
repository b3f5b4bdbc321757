//! The request engine against a scripted fake transport: no socket, no kernel, fake time.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use linx_netlink_codec::consts::*;
use linx_netlink_codec::engine::{Action, DumpEvent, Pump};
use linx_netlink_codec::{Errno, Error, MsgView, MsgWriter, Request};

/// One scripted reaction of the "kernel" to the last request sent (whose seq is passed in).
enum Script {
    Datagram(Box<dyn Fn(u32) -> Vec<u8>>),
    Silence,
}

fn dgram(f: impl Fn(u32) -> Vec<u8> + 'static) -> Script {
    Script::Datagram(Box::new(f))
}

fn msg(kind: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    let mut w = MsgWriter::begin(&mut b, kind, flags, seq);
    w.put_bytes(payload);
    w.finish().unwrap();
    b
}

fn data(seq: u32, id: u8, flags: u16) -> Vec<u8> {
    msg(RTM_NEWLINK, NLM_F_MULTI | flags, seq, &[id; 16])
}

fn done(seq: u32, errno: i32, flags: u16) -> Vec<u8> {
    msg(NLMSG_DONE, NLM_F_MULTI | flags, seq, &errno.to_ne_bytes())
}

fn ack(seq: u32) -> Vec<u8> {
    let mut p = 0i32.to_ne_bytes().to_vec();
    p.extend_from_slice(&[0; 16]);
    msg(NLMSG_ERROR, NLM_F_CAPPED, seq, &p)
}

/// NLMSG_ERROR with extended ACK: message text and offset.
fn nack(seq: u32, errno: i32, text: &str, offs: Option<u32>) -> Vec<u8> {
    let mut p = (-errno).to_ne_bytes().to_vec();
    // echoed request header (capped)
    let mut h = [0u8; 16];
    linx_netlink_codec::NlHeader {
        len: 16,
        kind: RTM_NEWLINK,
        flags: 5,
        seq,
        pid: 0,
    }
    .emit(&mut h);
    p.extend_from_slice(&h);
    let mut w = linx_netlink_codec::AttrWriter::new(&mut p);
    w.put_str(NLMSGERR_ATTR_MSG, text).unwrap();
    if let Some(o) = offs {
        w.put_u32(NLMSGERR_ATTR_OFFS, o).unwrap();
    }
    msg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, seq, &p)
}

struct Outcome {
    events: Vec<Result<DumpEvent<u8>, Error>>,
    sent: Vec<Vec<u8>>,
}

/// Runs a pump against the script like a driver would, with fake time.
fn run(req: Request, script: Vec<Script>) -> Outcome {
    let mut script: VecDeque<Script> = script.into();
    let mut pump = Pump::new(req);
    let mut now = Instant::now();
    let mut next_seq = 1u32;
    let mut seq = 0;
    let mut events = Vec::new();
    let mut sent = Vec::new();
    let mut dec = |m: &MsgView<'_>| Ok(m.payload()[0]);
    for _ in 0..1000 {
        match pump.poll(now, &mut dec) {
            Action::Event(ev) => events.push(ev),
            Action::Finished => return Outcome { events, sent },
            Action::Transmit => {
                seq = next_seq;
                next_seq += 1;
                sent.push(pump.transmit(now, seq).to_vec());
            }
            Action::Receive { deadline } => match script.pop_front() {
                Some(Script::Datagram(f)) => {
                    let buf = pump.recv_buffer();
                    buf.clear();
                    buf.extend_from_slice(&f(seq));
                    pump.handle_received();
                }
                Some(Script::Silence) | None => {
                    now = deadline.expect("a deadline while waiting") + Duration::from_millis(1);
                    events.push(Err(pump.handle_timeout(now)));
                }
            },
        }
    }
    panic!("pump did not finish");
}

fn items(o: &Outcome) -> Vec<u8> {
    let mut v = Vec::new();
    for e in &o.events {
        match e {
            Ok(DumpEvent::Item(i)) => v.push(*i),
            Ok(DumpEvent::Restart { .. }) => v.clear(),
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    v
}

fn dump_req() -> Request {
    Request::dump(RTM_GETLINK, vec![0; 16]).with_header_len(16)
}

#[test]
fn ack_completes_request() {
    let req = Request::new(RTM_NEWLINK, NLM_F_CREATE, vec![0; 16]).with_ack();
    let o = run(req, vec![dgram(ack)]);
    assert!(o.events.is_empty());
    assert_eq!(o.sent.len(), 1);
    let h = linx_netlink_codec::NlHeader::parse(&o.sent[0]).unwrap();
    assert_eq!(h.flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE);
    assert_eq!((h.seq, h.len), (1, 32));
}

#[test]
fn error_carries_ext_ack_text_and_attribute_path() {
    // request: ifinfomsg + IFLA_IFNAME "nope0" (at offset 32) + IFLA_MTU (at offset 44)
    let mut payload = vec![0u8; 16];
    let mut w = linx_netlink_codec::AttrWriter::new(&mut payload);
    w.put_str(IFLA_IFNAME, "nope0").unwrap();
    w.put_u32(IFLA_MTU, 9000).unwrap();
    let req = Request::new(RTM_NEWLINK, 0, payload)
        .with_header_len(16)
        .with_ack();
    let o = run(
        req,
        vec![dgram(|s| {
            nack(s, 19, "no such interface \"nope0\"", Some(44))
        })],
    );
    let [Err(Error::Netlink(e))] = &o.events[..] else {
        panic!("{:?}", o.events)
    };
    assert_eq!(e.errno, Errno::ENODEV);
    assert_eq!(
        e.to_string(),
        "netlink ENODEV (19): no such interface \"nope0\""
    );
    assert_eq!(e.ext_ack.offset, Some(44));
    assert_eq!(e.ext_ack.path.as_deref(), Some(&[IFLA_MTU][..]));
}

#[test]
fn multipart_dump_across_datagrams() {
    let o = run(
        dump_req(),
        vec![
            dgram(|s| [data(s, 1, 0), data(s, 2, 0), data(s, 3, 0)].concat()),
            dgram(|s| [data(s, 4, 0), data(s, 5, 0)].concat()),
            dgram(|s| done(s, 0, 0)),
        ],
    );
    assert_eq!(items(&o), [1, 2, 3, 4, 5]);
    assert_eq!(o.sent.len(), 1);
}

#[test]
fn done_in_same_datagram_and_empty_done_from_old_kernels() {
    let o = run(
        dump_req(),
        vec![dgram(|s| {
            [data(s, 1, 0), msg(NLMSG_DONE, NLM_F_MULTI, s, &[])].concat()
        })],
    );
    assert_eq!(items(&o), [1]);
}

#[test]
fn done_with_errno_is_an_error() {
    let o = run(
        dump_req(),
        vec![dgram(|s| [data(s, 1, 0), done(s, -22, 0)].concat())],
    );
    assert!(matches!(o.events[0], Ok(DumpEvent::Item(1))));
    let Err(Error::Netlink(e)) = &o.events[1] else {
        panic!("{:?}", o.events)
    };
    assert_eq!(e.errno, Errno::EINVAL);
    assert_eq!(o.sent.len(), 1, "DONE errno is not retried");
}

#[test]
fn dump_intr_once_is_drained_retried_and_reported() {
    let o = run(
        dump_req(),
        vec![
            dgram(|s| [data(s, 1, 0), data(s, 2, NLM_F_DUMP_INTR)].concat()),
            dgram(|s| [data(s, 3, NLM_F_DUMP_INTR), done(s, 0, NLM_F_DUMP_INTR)].concat()),
            // the retry, with the new seq
            dgram(|s| [data(s, 7, 0), data(s, 8, 0), done(s, 0, 0)].concat()),
        ],
    );
    assert_eq!(items(&o), [7, 8]);
    assert_eq!(o.sent.len(), 2);
    let seqs: Vec<u32> = o
        .sent
        .iter()
        .map(|b| linx_netlink_codec::NlHeader::parse(b).unwrap().seq)
        .collect();
    assert_eq!(seqs, [1, 2], "the retry uses a fresh sequence number");
    assert!(
        o.events
            .iter()
            .any(|e| matches!(e, Ok(DumpEvent::Restart { retry: 1 })))
    );
}

#[test]
fn dump_intr_on_done_retries_without_drain() {
    let o = run(
        dump_req(),
        vec![
            dgram(|s| [data(s, 1, 0), done(s, 0, NLM_F_DUMP_INTR)].concat()),
            dgram(|s| [data(s, 2, 0), done(s, 0, 0)].concat()),
        ],
    );
    assert_eq!(items(&o), [2]);
    assert_eq!(o.sent.len(), 2);
}

#[test]
fn dump_intr_always_fails_typed_after_bound() {
    let script = (0..10)
        .map(|_| dgram(|s| [data(s, 1, NLM_F_DUMP_INTR), done(s, 0, NLM_F_DUMP_INTR)].concat()))
        .collect();
    let o = run(dump_req(), script);
    assert_eq!(o.sent.len(), 3, "one send + 2 retries");
    assert!(matches!(
        o.events.last(),
        Some(Err(Error::DumpInterrupted { attempts: 3 }))
    ));

    let script = (0..10)
        .map(|_| dgram(|s| done(s, 0, NLM_F_DUMP_INTR)))
        .collect();
    let o = run(dump_req().with_dump_retries(0), script);
    assert_eq!(o.sent.len(), 1);
    assert!(matches!(
        o.events.last(),
        Some(Err(Error::DumpInterrupted { attempts: 1 }))
    ));
}

#[test]
fn timeout_is_typed() {
    let o = run(
        dump_req().with_timeout(Duration::from_millis(250)),
        vec![Script::Silence],
    );
    assert!(matches!(o.events[..], [Err(Error::Timeout(d))] if d == Duration::from_millis(250)));
}

#[test]
fn timeout_mid_dump() {
    let o = run(dump_req(), vec![dgram(|s| data(s, 1, 0)), Script::Silence]);
    assert!(matches!(
        o.events[..],
        [Ok(DumpEvent::Item(1)), Err(Error::Timeout(_))]
    ));
}

#[test]
fn stray_seq_and_noop_are_ignored() {
    let o = run(
        dump_req(),
        vec![
            dgram(|s| {
                [
                    data(0, 9, 0),
                    data(s + 100, 9, 0),
                    msg(NLMSG_NOOP, 0, s, &[]),
                    data(s, 1, 0),
                ]
                .concat()
            }),
            dgram(|s| [ack(s + 1), nack(s + 5, 1, "not ours", None), done(s, 0, 0)].concat()),
        ],
    );
    assert_eq!(items(&o), [1]);
}

#[test]
fn single_reply_without_multi_ends_request() {
    let req = Request::new(RTM_GETLINK, 0, vec![0; 16]);
    let o = run(req, vec![dgram(|s| msg(RTM_NEWLINK, 0, s, &[5; 16]))]);
    assert_eq!(items(&o), [5]);
}

#[test]
fn single_reply_with_ack_waits_for_the_ack() {
    let req = Request::new(RTM_GETLINK, 0, vec![0; 16]).with_ack();
    let o = run(
        req,
        vec![dgram(|s| msg(RTM_NEWLINK, 0, s, &[5; 16])), dgram(ack)],
    );
    assert_eq!(items(&o), [5]);
}

#[test]
fn overrun_is_typed() {
    let o = run(dump_req(), vec![dgram(|s| msg(NLMSG_OVERRUN, 0, s, &[]))]);
    assert!(matches!(o.events[..], [Err(Error::Overrun)]));
}

#[test]
fn malformed_datagram_is_a_decode_error() {
    let o = run(
        dump_req(),
        vec![dgram(|s| {
            let mut b = data(s, 1, 0);
            b[0] = 200; // nlmsg_len past the end
            b
        })],
    );
    assert!(matches!(o.events[..], [Err(Error::Decode(_))]));
}

#[test]
fn decode_error_of_one_item_does_not_stop_the_stream() {
    let mut pump = Pump::new(dump_req());
    let now = Instant::now();
    let mut dec = |m: &MsgView<'_>| {
        if m.payload()[0] == 2 {
            Err(linx_netlink_codec::DecodeError::bad_size("x", 1, 2))
        } else {
            Ok(m.payload()[0])
        }
    };
    assert!(matches!(pump.poll(now, &mut dec), Action::Transmit));
    let seq = 1;
    let _ = pump.transmit(now, seq);
    assert!(matches!(pump.poll(now, &mut dec), Action::Receive { .. }));
    let buf = pump.recv_buffer();
    buf.extend_from_slice(
        &[
            data(seq, 1, 0),
            data(seq, 2, 0),
            data(seq, 3, 0),
            done(seq, 0, 0),
        ]
        .concat(),
    );
    pump.handle_received();
    let mut evs = Vec::new();
    loop {
        match pump.poll(now, &mut dec) {
            Action::Event(e) => evs.push(e.is_ok()),
            Action::Finished => break,
            a => panic!("{a:?}"),
        }
    }
    assert_eq!(evs, [true, false, true]);
}

#[test]
fn pipeline_sends_windows_and_attributes_results_by_seq() {
    use linx_netlink_codec::pipeline::AckPipeline;
    let reqs: Vec<Request> = (0..5u8)
        .map(|i| Request::new(RTM_NEWROUTE, NLM_F_CREATE, vec![i; 12]).with_header_len(12))
        .collect();
    let mut p = AckPipeline::new(reqs, 2);
    let now = Instant::now();
    let mut seq = 100;
    let mut datagrams = 0;
    while !p.is_finished() {
        let tx = p
            .poll_transmit(now, || {
                seq += 1;
                seq
            })
            .expect("a window to send")
            .to_vec();
        datagrams += 1;
        assert!(
            p.poll_transmit(now, || 0).is_none(),
            "nothing more until the ACKs arrive"
        );
        // Answer in reverse order, refusing the request whose payload starts with 3.
        let msgs: Vec<_> = linx_netlink_codec::MsgIter::new(&tx)
            .map(|m| m.unwrap())
            .collect();
        assert!(msgs.iter().all(|m| m.flags() & NLM_F_ACK != 0));
        let mut reply = Vec::new();
        reply.extend_from_slice(&ack(9999)); // stray
        for m in msgs.iter().rev() {
            if m.payload()[0] == 3 {
                reply.extend_from_slice(&nack(m.seq(), 17, "File exists", None));
            } else {
                reply.extend_from_slice(&ack(m.seq()));
            }
        }
        for m in linx_netlink_codec::MsgIter::new(&reply) {
            p.handle_message(now, &m.unwrap()).unwrap();
        }
    }
    assert_eq!(datagrams, 3);
    let res = p.into_results();
    assert_eq!(res.len(), 5);
    for (i, r) in res.iter().enumerate() {
        match r {
            Ok(()) => assert_ne!(i, 3),
            Err(e) => {
                assert_eq!(i, 3);
                assert_eq!(e.errno, Errno::EEXIST);
            }
        }
    }
}

#[test]
fn pipeline_times_out_typed() {
    use linx_netlink_codec::pipeline::AckPipeline;
    let req = Request::new(RTM_NEWROUTE, 0, vec![0; 12]).with_timeout(Duration::from_millis(10));
    let mut p = AckPipeline::new(vec![req], 8);
    let now = Instant::now();
    assert!(p.poll_transmit(now, || 1).is_some());
    let d = p.poll_timeout().unwrap();
    assert!(p.handle_timeout(now).is_ok());
    assert!(matches!(p.handle_timeout(d), Err(Error::Timeout(_))));
}
