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
use linx_netlink_sys::Errno;
use linx_nfnl::generation::Gen;
use linx_nfnl::nft_msg;

use super::decode::{ElemGroup, SetCache, decode_entity, elem_target, nft_op};
use super::error::MonitorError;
use super::event::{Change, Commit, Item};
use crate::Ruleset;

/// The longest datagram a monitor receives. The kernel packs notifications into datagrams
/// of at most a page or so (one rule with its expressions fits); a longer one is lost and
/// reported as [`Item::ResyncNeeded`].
pub(crate) const MAX_DATAGRAM: usize = 1 << 20;

/// What a driver does next.
#[derive(Debug)]
pub(crate) enum Next {
    /// Yield this item.
    Item(Result<Item, MonitorError>),
    /// Nothing queued: receive the next datagram.
    Recv,
    /// A socket failure (this one) was reported: the monitor is finished.
    Ended(linx_netlink_sys::Error),
}

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
    pub(crate) fn handle_recv(&mut self, got: Result<usize, linx_netlink_sys::Error>) {
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
    }

    /// Notifications were lost: the commit being collected is incomplete.
    fn lost(&mut self) {
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
                let change = decode_entity(m, &mut self.sets);
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

/// Whether a receive failure means messages were lost but the socket is fine.
fn is_overrun(e: &linx_netlink_sys::Error) -> bool {
    e.errno() == Some(Errno::ENOBUFS) || matches!(e, linx_netlink_sys::Error::Truncated { .. })
}
