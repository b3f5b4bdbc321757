//! The sans-IO engine both monitor drivers share: the receive buffer, the position in the
//! datagram being read, and what a receive outcome means (an event, a resync, the end).
//!
//! # Contract
//! Call order for a driver: [`Core::poll_event`] until it answers [`Next::Recv`]; then
//! receive one datagram (at most [`MAX_DATAGRAM`] bytes) into [`Core::recv_buf`] and hand the
//! outcome to [`Core::handle_recv`] (a timeout or `EAGAIN` stays with the driver, which
//! waits); repeat. After [`Next::Ended`] the driver stops. The buffer is allocated once, on
//! the first receive, and reused: one datagram is decoded in place before the next is read.

use linx_netlink_sys::Errno;

use super::event::{Event, events};
use crate::Error;

/// The longest datagram a monitor receives, passed as the bound of a one-syscall receive.
///
/// Every rtnetlink announcement is one message in its own datagram, sized by the kernel for
/// that object (a link with many SR-IOV VFs is the largest, tens of KiB). The buffer is
/// allocated once and only the pages a datagram touches become resident. A longer datagram
/// would be lost, and is reported as [`Event::ResyncNeeded`].
pub(crate) const MAX_DATAGRAM: usize = 1 << 20;

/// What a driver does next.
#[derive(Debug)]
pub(crate) enum Next {
    /// Yield this item.
    Item(Result<Event, Error>),
    /// The current datagram is used up: receive the next one.
    Recv,
    /// A socket failure (this one) was reported: the monitor is finished.
    Ended(linx_netlink_sys::Error),
}

/// The monitor's state between datagrams.
#[derive(Debug, Default)]
pub(crate) struct Core {
    /// The last datagram received (reused for the next one).
    buf: Vec<u8>,
    /// Offset of the next message in `buf`.
    pos: usize,
    /// The socket failure that ended the monitor, once reported.
    failed: Option<linx_netlink_sys::Error>,
}

impl Core {
    /// The next item of the current datagram, or what to do instead.
    pub(crate) fn poll_event(&mut self) -> Next {
        if let Some(e) = &self.failed {
            return Next::Ended(e.clone());
        }
        let Some(rest) = self.buf.get(self.pos..) else {
            return Next::Recv;
        };
        let mut it = events(rest);
        let item = it.next();
        self.pos += it.position();
        match item {
            Some(item) => Next::Item(item),
            None => Next::Recv,
        }
    }

    /// The buffer to receive the next datagram into (the socket clears it first).
    pub(crate) fn recv_buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// The outcome of a receive into [`Core::recv_buf`]: `None` when a datagram arrived
    /// (poll it), else the item to yield. `ENOBUFS` and a datagram too long for
    /// [`MAX_DATAGRAM`] are [`Event::ResyncNeeded`]; any other failure is yielded once and
    /// ends the monitor. Timeouts and `EAGAIN` are the driver's business, not passed here.
    pub(crate) fn handle_recv(
        &mut self,
        got: Result<usize, linx_netlink_sys::Error>,
    ) -> Option<Result<Event, Error>> {
        self.pos = 0;
        match got {
            Ok(_) => None,
            Err(e) if e.errno() == Some(Errno::ENOBUFS) => {
                tracing::debug!(
                    "rtnetlink monitor: receive buffer overran (ENOBUFS), resync needed"
                );
                Some(Ok(Event::ResyncNeeded))
            }
            Err(linx_netlink_sys::Error::Truncated { len }) => {
                tracing::warn!(
                    len,
                    "rtnetlink monitor: datagram too long, lost; resync needed"
                );
                Some(Ok(Event::ResyncNeeded))
            }
            Err(e) => {
                tracing::debug!(error = %e, "rtnetlink monitor: socket failed, stopping");
                self.failed = Some(e.clone());
                Some(Err(e.into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linx_netlink_sys::Stage;

    fn noop_and_unknown() -> Vec<u8> {
        let mut d = vec![16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        d.extend_from_slice(&[16, 0, 0, 0, 88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        d.extend_from_slice(&[16, 0, 0, 0, 89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        d
    }

    #[test]
    fn reads_each_message_then_asks_for_more() {
        let mut core = Core::default();
        assert!(matches!(core.poll_event(), Next::Recv));
        *core.recv_buf() = noop_and_unknown();
        assert!(core.handle_recv(Ok(48)).is_none());
        for want in [88, 89] {
            match core.poll_event() {
                Next::Item(Ok(ev)) => assert_eq!(ev.msg_type(), Some(want)),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(core.poll_event(), Next::Recv));
        assert!(matches!(core.poll_event(), Next::Recv));
    }

    #[test]
    fn a_bad_frame_is_one_error_then_the_next_datagram() {
        let mut core = Core::default();
        // nlmsg_len 200 in a 20-byte datagram.
        *core.recv_buf() = vec![
            200, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert!(core.handle_recv(Ok(20)).is_none());
        assert!(matches!(
            core.poll_event(),
            Next::Item(Err(Error::Request(_)))
        ));
        assert!(matches!(core.poll_event(), Next::Recv));
        *core.recv_buf() = noop_and_unknown();
        assert!(core.handle_recv(Ok(48)).is_none());
        assert!(matches!(core.poll_event(), Next::Item(Ok(_))));
    }

    #[test]
    fn enobufs_and_truncation_ask_for_a_resync_and_go_on() {
        let mut core = Core::default();
        let enobufs = linx_netlink_sys::Error::Os {
            stage: Stage::Recv,
            errno: Errno::ENOBUFS,
        };
        assert!(matches!(
            core.handle_recv(Err(enobufs)),
            Some(Ok(Event::ResyncNeeded))
        ));
        let cut = linx_netlink_sys::Error::Truncated { len: 2 << 20 };
        assert!(matches!(
            core.handle_recv(Err(cut)),
            Some(Ok(Event::ResyncNeeded))
        ));
        assert!(matches!(core.poll_event(), Next::Recv));
    }

    #[test]
    fn another_socket_failure_ends_the_monitor() {
        let mut core = Core::default();
        let e = linx_netlink_sys::Error::Os {
            stage: Stage::Recv,
            errno: Errno::ENOMEM,
        };
        let item = core.handle_recv(Err(e.clone()));
        assert!(matches!(item, Some(Err(Error::Request(_)))));
        match core.poll_event() {
            Next::Ended(got) => assert_eq!(got, e),
            other => panic!("{other:?}"),
        }
    }
}
