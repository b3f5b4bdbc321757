//! The sans-IO core both monitor drivers share: the receive buffer, the changes of the
//! commit being collected, the generation floor, the known sets, and what each receive
//! outcome means.
//!
//! # Contract
//! - Reading: [`Core::poll_item`] until it answers [`Next::Recv`]; receive one datagram (at
//!   most [`MAX_DATAGRAM`] bytes) into [`Core::recv_buf`]; hand the outcome to
//!   [`Core::handle_recv`]; repeat. After [`Next::Ended`] the driver stops.
//! - A datagram is handled whole when it arrives: its entity messages join the commit being
//!   collected; a `NEWGEN` closes the commit, which is queued as an [`Item::Commit`] unless
//!   its generation is at or below the floor (then it is dropped whole).
//! - Lost notifications (`ENOBUFS`, `NLMSG_OVERRUN`, a datagram too long or with broken
//!   framing) discard the commit being collected and the known sets, and queue
//!   [`Item::ResyncNeeded`].
//! - The buffer is allocated on the first receive and reused; memory otherwise is the
//!   decoded changes of the commit being collected.

use std::collections::VecDeque;

use linx_netlink_codec::consts::{NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN};
use linx_netlink_codec::msg::parse_error;
use linx_netlink_codec::{MsgIter, MsgView};
use linx_nfnl::generation::Gen;
use linx_nfnl::nft_msg;

use super::decode::{ElemGroup, SetCache, decode_entity, elem_target, nft_op, restore_literals};
use super::error::MonitorError;
use super::event::{Change, Commit, Entity, Item};
use crate::Ruleset;
use crate::subscription::{Engine, Step, is_overrun};

/// The longest datagram a monitor receives. The kernel packs notifications into datagrams
/// of at most a page or so (one rule with its expressions fits); a longer one is lost and
/// reported as [`Item::ResyncNeeded`].
pub(crate) const MAX_DATAGRAM: usize = 1 << 20;

/// What a driver does next (see [`Step`]).
pub(crate) type Next = Step<Item, MonitorError>;

/// The monitor's state between datagrams.
#[derive(Debug, Default)]
pub(crate) struct Core {
    buf: Vec<u8>,
    /// Changes of the commit being collected.
    changes: Vec<Change>,
    /// Element messages not yet decoded (the last change of the commit, when set).
    elems: Option<ElemGroup>,
    sets: SetCache,
    floor: u32,
    queued: VecDeque<Result<Item, MonitorError>>,
    failed: Option<linx_netlink_sys::Error>,
}

impl Core {
    /// A core that drops commits at or below `floor`.
    pub(crate) fn new(floor: u32) -> Core {
        Core {
            floor,
            ..Core::default()
        }
    }

    /// The generation floor.
    pub(crate) fn min_gen(&self) -> u32 {
        self.floor
    }

    /// Drop commits at or below `generation` from now on, queued ones included.
    pub(crate) fn set_min_gen(&mut self, generation: u32) {
        self.floor = generation;
        self.queued.retain(|item| match item {
            Ok(Item::Commit(c)) => c.generation > generation,
            _ => true,
        });
    }

    /// Know exactly the sets of `rs` (a snapshot's) to decode later elements with.
    pub(crate) fn seed_sets(&mut self, rs: &Ruleset) {
        self.sets.seed(rs);
    }

    /// The next item, or what to do instead.
    pub(crate) fn poll_item(&mut self) -> Next {
        if let Some(item) = self.queued.pop_front() {
            return Next::Item(item);
        }
        match &self.failed {
            Some(e) => Next::Ended(e.clone()),
            None => Next::Recv,
        }
    }

    /// The buffer to receive the next datagram into (the socket clears it first).
    pub(crate) fn recv_buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// The outcome of a receive into [`Core::recv_buf`]. Timeouts and `EAGAIN` stay with
    /// the driver. Then [`Core::poll_item`].
    pub(crate) fn handle_recv(
        &mut self,
        got: Result<usize, linx_netlink_sys::Error>,
    ) -> Option<Result<Item, MonitorError>> {
        match got {
            Ok(_) => {
                let buf = std::mem::take(&mut self.buf);
                self.handle_datagram(&buf);
                self.buf = buf;
            }
            Err(e) if is_overrun(&e) => self.lost(),
            Err(e) => {
                self.failed = Some(e.clone());
                self.queued.push_back(Err(MonitorError::Socket(e)));
            }
        }
        // Everything is queued, in order: the driver polls.
        None
    }

    /// Notifications were lost: the commit being collected is incomplete.
    fn lost(&mut self) {
        tracing::warn!(
            discarded = self.changes.len(),
            "nf_tables notifications lost (receive buffer overrun): resync needed"
        );
        self.changes.clear();
        self.elems = None;
        self.sets.clear();
        self.queued.push_back(Ok(Item::ResyncNeeded));
    }

    /// Take one datagram of notifications.
    pub(crate) fn handle_datagram(&mut self, datagram: &[u8]) {
        for msg in MsgIter::new(datagram) {
            match msg {
                Ok(m) => self.handle_msg(&m),
                Err(e) => {
                    self.queued.push_back(Err(MonitorError::Decode(e)));
                    self.lost();
                    return;
                }
            }
        }
    }

    fn handle_msg(&mut self, m: &MsgView<'_>) {
        match m.kind() {
            NLMSG_NOOP | NLMSG_DONE => return,
            NLMSG_OVERRUN => return self.lost(),
            NLMSG_ERROR => {
                match parse_error(m) {
                    Ok(None) => {}
                    Ok(Some(e)) => self.queued.push_back(Err(MonitorError::Kernel(e))),
                    Err(e) => self.queued.push_back(Err(MonitorError::Decode(e))),
                }
                return;
            }
            _ => {}
        }
        match nft_op(m.kind()) {
            Some(nft_msg::NEWGEN) => self.close_commit(m),
            Some(op @ (nft_msg::NEWSETELEM | nft_msg::DELSETELEM)) => {
                let add = op == nft_msg::NEWSETELEM;
                match elem_target(m) {
                    Ok(target) => match &mut self.elems {
                        Some(g) if g.continues(add, &target) => g.push(m),
                        _ => {
                            self.flush_elems();
                            self.elems = Some(ElemGroup::new(add, m, target));
                        }
                    },
                    Err(error) => {
                        self.flush_elems();
                        self.changes.push(Change::Undecoded {
                            msg_type: m.kind(),
                            error,
                            bytes: m.bytes().to_vec(),
                        });
                    }
                }
            }
            _ => {
                self.flush_elems();
                let mut change = decode_entity(m, &mut self.sets);
                if let Change::Add(Entity::Rule {
                    family,
                    table,
                    rule,
                    ..
                }) = &mut change
                {
                    restore_literals(*family, table, rule, &self.changes, &self.sets);
                }
                self.changes.push(change);
            }
        }
    }

    fn flush_elems(&mut self) {
        if let Some(g) = self.elems.take() {
            self.changes.push(g.finish(&self.sets));
        }
    }

    fn close_commit(&mut self, m: &MsgView<'_>) {
        self.flush_elems();
        let changes = std::mem::take(&mut self.changes);
        match Gen::parse(m.payload()) {
            Ok(g) if g.id <= self.floor => {}
            Ok(g) => self.queued.push_back(Ok(Item::Commit(Commit {
                generation: g.id,
                pid: g.proc_pid,
                proc_name: g.proc_name,
                changes,
            }))),
            // Without its generation the commit cannot be placed: report it and treat its
            // changes as lost.
            Err(e) => {
                self.queued.push_back(Err(MonitorError::Decode(e)));
                self.lost();
            }
        }
    }
}

impl Engine for Core {
    type Item = Item;
    type Error = MonitorError;
    const MAX_DATAGRAM: usize = MAX_DATAGRAM;

    fn poll_step(&mut self) -> Next {
        self.poll_item()
    }

    fn recv_buf(&mut self) -> &mut Vec<u8> {
        Core::recv_buf(self)
    }

    fn handle_recv(
        &mut self,
        got: Result<usize, linx_netlink_sys::Error>,
    ) -> Option<Result<Item, MonitorError>> {
        Core::handle_recv(self, got)
    }

    fn ended(e: linx_netlink_sys::Error) -> MonitorError {
        MonitorError::Socket(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Printer;
    use crate::monitor::{Elements, Entity};
    use linx_netlink_sys::{Errno, Stage};

    /// One attribute, padded.
    fn attr(b: &mut Vec<u8>, kind: u16, payload: &[u8]) {
        b.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
        b.extend_from_slice(&kind.to_ne_bytes());
        b.extend_from_slice(payload);
        b.resize(b.len().next_multiple_of(4), 0);
    }

    fn nested(kind: u16, inner: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        attr(&mut b, kind | 0x8000, inner);
        b
    }

    /// An nf_tables message of `op` for family inet with `attrs`.
    fn msg(op: u8, attrs: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&((20 + attrs.len()) as u32).to_ne_bytes());
        b.extend_from_slice(&(0x0a00u16 | u16::from(op)).to_ne_bytes());
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[1, 0, 0, 0]);
        b.extend_from_slice(attrs);
        b
    }

    fn table(name: &str) -> Vec<u8> {
        let mut a = Vec::new();
        attr(&mut a, 1, format!("{name}\0").as_bytes());
        msg(nft_msg::NEWTABLE, &a)
    }

    fn rule(op: u8, handle: u64) -> Vec<u8> {
        let mut a = Vec::new();
        attr(&mut a, 1, b"app\0");
        attr(&mut a, 2, b"input\0");
        attr(&mut a, 3, &handle.to_be_bytes());
        msg(op, &a)
    }

    fn newgen(id: u32, pid: u32, name: &str) -> Vec<u8> {
        let mut a = Vec::new();
        attr(&mut a, 1, &id.to_be_bytes());
        attr(&mut a, 2, &pid.to_be_bytes());
        attr(&mut a, 3, format!("{name}\0").as_bytes());
        msg(nft_msg::NEWGEN, &a)
    }

    fn set_decl() -> Vec<u8> {
        let mut a = Vec::new();
        attr(&mut a, 1, b"app\0");
        attr(&mut a, 2, b"s\0");
        attr(&mut a, 3, &0u32.to_be_bytes());
        attr(&mut a, 4, &7u32.to_be_bytes()); // ipv4_addr
        attr(&mut a, 5, &4u32.to_be_bytes());
        msg(nft_msg::NEWSET, &a)
    }

    fn elem(ip: [u8; 4]) -> Vec<u8> {
        let mut a = Vec::new();
        attr(&mut a, 1, b"app\0");
        attr(&mut a, 2, b"s\0");
        let mut value = Vec::new();
        attr(&mut value, 1, &ip); // NFTA_DATA_VALUE
        let key = nested(1, &value); // NFTA_SET_ELEM_KEY
        let one = nested(1, &key); // NFTA_LIST_ELEM
        a.extend(nested(3, &one)); // NFTA_SET_ELEM_LIST_ELEMENTS
        msg(nft_msg::NEWSETELEM, &a)
    }

    fn commits(core: &mut Core) -> Vec<Commit> {
        let mut out = Vec::new();
        while let Next::Item(item) = core.poll_item() {
            match item {
                Ok(Item::Commit(c)) => out.push(c),
                other => panic!("{other:?}"),
            }
        }
        out
    }

    #[test]
    fn changes_wait_for_their_newgen_and_carry_its_provenance() {
        let mut core = Core::new(0);
        let mut d = table("app");
        d.extend(rule(nft_msg::NEWRULE, 4));
        core.handle_datagram(&d);
        assert!(
            matches!(core.poll_item(), Next::Recv),
            "nothing before NEWGEN"
        );
        core.handle_datagram(&newgen(1247, 812, "nft"));
        let c = commits(&mut core);
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].generation, c[0].pid, c[0].proc_name.as_deref()),
            (1247, Some(812), Some("nft"))
        );
        let ev: Vec<String> = c[0].events().map(|e| format!("{e:?}")).collect();
        assert_eq!(
            ev,
            [
                "Event<gen=1247 nft new_table inet/app>",
                "Event<gen=1247 nft new_rule inet/app/input>"
            ]
        );
        let lines: Vec<String> = c[0].events().map(|e| e.to_string()).collect();
        assert_eq!(lines[0], "gen 1247 by nft (pid 812): add table inet app");
        core.handle_datagram(&[rule(nft_msg::DELRULE, 4), newgen(1248, 9, "x")].concat());
        let c = commits(&mut core);
        assert_eq!(
            c[0].events().next().unwrap().to_string(),
            "gen 1248 by x (pid 9): delete rule inet app input handle 4"
        );
    }

    #[test]
    fn commits_at_or_below_the_floor_are_dropped_whole() {
        let mut core = Core::new(10);
        core.handle_datagram(&[table("a"), newgen(10, 1, "a")].concat());
        core.handle_datagram(&[table("b"), newgen(11, 1, "b")].concat());
        core.handle_datagram(&[table("c"), newgen(12, 1, "c")].concat());
        core.set_min_gen(11);
        let c = commits(&mut core);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].generation, 12);
        assert_eq!(c[0].changes.len(), 1);
        assert_eq!(core.min_gen(), 11);
    }

    #[test]
    fn enobufs_discards_the_partial_commit_and_asks_for_a_resync() {
        let mut core = Core::new(0);
        core.handle_datagram(&table("lost"));
        core.handle_recv(Err(linx_netlink_sys::Error::Os {
            stage: Stage::Recv,
            errno: Errno::ENOBUFS,
        }));
        core.handle_datagram(&[rule(nft_msg::NEWRULE, 2), newgen(5, 1, "nft")].concat());
        assert!(matches!(
            core.poll_item(),
            Next::Item(Ok(Item::ResyncNeeded))
        ));
        let c = commits(&mut core);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].changes.len(), 1, "the lost table is not reported");
        assert!(matches!(
            c[0].changes[0].entity(),
            Some(Entity::Rule { .. })
        ));
    }

    #[test]
    fn a_socket_failure_ends_the_monitor() {
        let mut core = Core::new(0);
        let e = linx_netlink_sys::Error::Os {
            stage: Stage::Recv,
            errno: Errno::EBADF,
        };
        core.handle_recv(Err(e.clone()));
        assert!(matches!(
            core.poll_item(),
            Next::Item(Err(MonitorError::Socket(_)))
        ));
        assert!(matches!(core.poll_item(), Next::Ended(got) if got == e));
    }

    #[test]
    fn elements_of_a_known_set_are_grouped_and_typed() {
        let mut core = Core::new(0);
        let d = [
            set_decl(),
            elem([10, 0, 0, 1]),
            elem([10, 0, 0, 2]),
            newgen(3, 1, "nft"),
        ]
        .concat();
        core.handle_datagram(&d);
        let c = commits(&mut core);
        assert_eq!(c[0].changes.len(), 2);
        let text: Vec<String> = c[0]
            .changes
            .iter()
            .map(|ch| ch.to_nft(&Printer::new()))
            .collect();
        assert_eq!(
            text,
            [
                "add set inet app s { type ipv4_addr; }",
                "add element inet app s { 10.0.0.1, 10.0.0.2 }"
            ]
        );
        // A later commit knows the set too; after a loss it does not.
        core.handle_datagram(&[elem([10, 0, 0, 3]), newgen(4, 1, "nft")].concat());
        let c = commits(&mut core);
        assert!(matches!(
            c[0].changes[0].entity(),
            Some(Entity::Elements {
                elements: Elements::Set(_),
                ..
            })
        ));
        core.handle_recv(Err(linx_netlink_sys::Error::Truncated { len: 2 << 20 }));
        core.handle_datagram(&[elem([10, 0, 0, 4]), newgen(6, 1, "nft")].concat());
        assert!(matches!(
            core.poll_item(),
            Next::Item(Ok(Item::ResyncNeeded))
        ));
        let c = commits(&mut core);
        match c[0].changes[0].entity() {
            Some(Entity::Elements {
                elements: Elements::Raw(b),
                ..
            }) => assert_eq!(b, &elem([10, 0, 0, 4])),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_deleted_set_is_named_and_described_when_known() {
        let mut core = Core::new(0);
        let del = |name: &str| {
            let mut a = Vec::new();
            attr(&mut a, 1, b"app\0");
            attr(&mut a, 2, format!("{name}\0").as_bytes());
            attr(&mut a, 16, &9u64.to_be_bytes()); // NFTA_SET_HANDLE
            msg(nft_msg::DELSET, &a)
        };
        core.handle_datagram(&[set_decl(), newgen(2, 1, "nft")].concat());
        core.handle_datagram(&[del("s"), del("other"), newgen(3, 1, "nft")].concat());
        let c = commits(&mut core);
        match c[1].changes[0].entity() {
            Some(Entity::Set { set, .. }) => {
                assert_eq!((set.name.as_str(), set.handle), ("s", Some(9)))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            c[1].changes[1].entity(),
            Some(Entity::SetName {
                handle: Some(9),
                ..
            })
        ));
        let text: Vec<String> = c[1]
            .changes
            .iter()
            .map(|ch| ch.to_nft(&Printer::new()))
            .collect();
        assert_eq!(text, ["delete set inet app s", "delete set inet app other"]);
        // The deleted set is forgotten: its elements would now be raw.
        core.handle_datagram(&[elem([1, 2, 3, 4]), newgen(4, 1, "nft")].concat());
        assert!(matches!(
            commits(&mut core)[0].changes[0].entity(),
            Some(Entity::Elements {
                elements: Elements::Raw(_),
                ..
            })
        ));
    }

    #[test]
    fn unknown_and_undecodable_messages_are_kept() {
        let mut core = Core::new(0);
        let trace = msg(nft_msg::TRACE, &[]);
        let mut bad_rule = Vec::new();
        attr(&mut bad_rule, 2, b"input\0");
        let bad_rule = msg(nft_msg::NEWRULE, &bad_rule);
        core.handle_datagram(&[trace.clone(), bad_rule.clone(), newgen(2, 1, "nft")].concat());
        let c = commits(&mut core);
        assert_eq!(
            c[0].changes[0],
            Change::Unknown {
                msg_type: 0x0a11,
                bytes: trace
            }
        );
        match &c[0].changes[1] {
            Change::Undecoded {
                msg_type, bytes, ..
            } => assert_eq!((*msg_type, bytes), (0x0a06, &bad_rule)),
            other => panic!("{other:?}"),
        }
        assert!(
            c[0].changes[1]
                .to_nft(&Printer::new())
                .starts_with("#linx: ")
        );
    }

    #[test]
    fn broken_framing_is_an_error_and_a_resync() {
        let mut core = Core::new(0);
        core.handle_datagram(&table("t"));
        core.handle_datagram(&[200, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(matches!(
            core.poll_item(),
            Next::Item(Err(MonitorError::Decode(_)))
        ));
        assert!(matches!(
            core.poll_item(),
            Next::Item(Ok(Item::ResyncNeeded))
        ));
        assert!(matches!(core.poll_item(), Next::Recv));
    }
}
