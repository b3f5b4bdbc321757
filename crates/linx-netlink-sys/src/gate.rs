//! Exclusive use of a socket for one request/reply exchange.
//!
//! Why: a netlink socket has one receive queue. Two exchanges reading it at once take each
//! other's datagrams (one caller's dump ends early with the other's `NLMSG_DONE`, a short list
//! comes back as success), and the kernel runs at most one dump per socket. So every exchange
//! takes the socket's gate first and holds it until its reply is complete: callers sharing a
//! socket (threads holding `&Socket`, tasks holding an `Arc<AsyncSocket>`) are served one
//! exchange at a time, each with exactly its own replies.
//!
//! # Contract
//! - [`Socket::exclusive`] blocks the calling thread until the gate is free;
//!   [`Socket::try_exclusive`] never waits; `AsyncSocket::exclusive` (feature `tokio`) waits
//!   without blocking the runtime. Blocking and tokio waiters share one gate. Tokio waiters are
//!   woken in arrival order.
//! - The holder is an [`Exclusive`] guard; dropping it opens the gate. The guard is `Send`, so
//!   an exchange future holding it stays `Send`.
//! - Re-entry: a thread that holds the gate and asks for it again through
//!   [`Socket::exclusive`] gets `None` instead of waiting for itself forever.
//! - The gate carries one bit of state for its users, [`Exclusive::is_dirty`]: "an exchange
//!   ended without reading its whole reply". The codec sets it when an exchange is abandoned
//!   (an error, a timeout, a dropped stream or future) and the next holder drains the receive
//!   queue before it sends anything, so stray replies never reach another exchange.
//! - No allocation; one uncontended mutex lock and unlock per acquisition and per release.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;

use crate::Socket;

/// The gate's state, behind its mutex.
#[derive(Debug, Default)]
struct State {
    /// Held by an exchange.
    busy: bool,
    /// The thread holding it, for blocking holders (re-entry detection).
    owner: Option<ThreadId>,
    /// An exchange was abandoned with replies possibly unread.
    dirty: bool,
}

/// One socket's gate. See the [module docs](self).
#[derive(Debug, Default)]
pub(crate) struct Gate {
    state: Mutex<State>,
    /// Blocking waiters.
    blocked: Condvar,
    /// Tokio waiters.
    #[cfg(feature = "tokio")]
    notify: tokio::sync::Notify,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is two flags, consistent after every statement: a panic elsewhere while
        // the lock was held cannot have left it half-updated.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Take the gate if it is free; `owner` is recorded for re-entry detection.
    pub(crate) fn try_acquire(&self, owner: Option<ThreadId>) -> bool {
        let mut s = self.lock();
        if s.busy {
            return false;
        }
        s.busy = true;
        s.owner = owner;
        true
    }

    /// Wait for the gate on this thread; `false` when this thread already holds it.
    fn acquire_blocking(&self) -> bool {
        let me = std::thread::current().id();
        let mut s = self.lock();
        while s.busy {
            if s.owner == Some(me) {
                return false;
            }
            s = self.blocked.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        s.busy = true;
        s.owner = Some(me);
        true
    }

    /// Wait for the gate without blocking the runtime.
    #[cfg(feature = "tokio")]
    pub(crate) async fn acquire_async(&self) {
        loop {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            // Register before looking, so a release between the look and the wait is seen.
            notified.as_mut().enable();
            if self.try_acquire(None) {
                return;
            }
            notified.await;
        }
    }

    fn release(&self) {
        let mut s = self.lock();
        s.busy = false;
        s.owner = None;
        drop(s);
        // Wake one waiter of each kind; whoever loses the race waits again, and the next
        // release wakes it.
        self.blocked.notify_one();
        #[cfg(feature = "tokio")]
        self.notify.notify_one();
    }
}

/// Exclusive use of a [`Socket`] for one exchange; the gate opens when it is dropped.
///
/// ```no_run
/// use linx_netlink_sys::{Netns, Socket};
/// let sock = Socket::open(0, Netns::Host)?;
/// let mine = sock.exclusive().expect("not held by this thread yet");
/// assert!(sock.try_exclusive().is_none());
/// drop(mine);
/// assert!(sock.try_exclusive().is_some());
/// # Ok::<(), linx_netlink_sys::Error>(())
/// ```
#[must_use = "the gate opens again as soon as the guard is dropped"]
#[derive(Debug)]
pub struct Exclusive<'a> {
    sock: &'a Socket,
}

impl<'a> Exclusive<'a> {
    pub(crate) fn new(sock: &'a Socket) -> Self {
        Exclusive { sock }
    }

    /// The socket.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let g = sock.exclusive().unwrap();
    /// assert_eq!(g.socket().protocol(), 0);
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn socket(&self) -> &'a Socket {
        self.sock
    }

    /// Whether an earlier exchange was abandoned with replies possibly still queued.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let g = sock.exclusive().unwrap();
    /// assert!(!g.is_dirty());
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn is_dirty(&self) -> bool {
        self.sock.gate.lock().dirty
    }

    /// Record whether the receive queue may hold replies of an abandoned exchange.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let g = sock.exclusive().unwrap();
    /// g.set_dirty(true);
    /// drop(g);
    /// assert!(sock.exclusive().unwrap().is_dirty());
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn set_dirty(&self, dirty: bool) {
        self.sock.gate.lock().dirty = dirty;
    }
}

impl std::ops::Deref for Exclusive<'_> {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        self.sock
    }
}

impl Drop for Exclusive<'_> {
    fn drop(&mut self) {
        self.sock.gate.release();
    }
}

impl Socket {
    /// Wait until no other exchange uses this socket, then hold it (see [`Exclusive`]).
    /// `None` when the calling thread already holds it: waiting would never end.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// let g = sock.exclusive().unwrap();
    /// assert!(sock.exclusive().is_none()); // same thread
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn exclusive(&self) -> Option<Exclusive<'_>> {
        self.gate.acquire_blocking().then(|| Exclusive::new(self))
    }

    /// Hold this socket if no exchange uses it now; never waits.
    ///
    /// ```no_run
    /// # let sock = linx_netlink_sys::Socket::open(0, linx_netlink_sys::Netns::Host)?;
    /// assert!(sock.try_exclusive().is_some());
    /// # Ok::<(), linx_netlink_sys::Error>(())
    /// ```
    pub fn try_exclusive(&self) -> Option<Exclusive<'_>> {
        self.gate
            .try_acquire(Some(std::thread::current().id()))
            .then(|| Exclusive::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn one_holder_at_a_time_across_threads() {
        let gate = Gate::default();
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..200 {
                        assert!(gate.acquire_blocking());
                        let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        gate.release();
                    }
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn reentry_on_one_thread_is_refused_not_deadlocked() {
        let gate = Gate::default();
        assert!(gate.acquire_blocking());
        assert!(!gate.acquire_blocking());
        assert!(!gate.try_acquire(None));
        gate.release();
        assert!(gate.try_acquire(None));
    }

    #[test]
    fn guard_is_send() {
        fn check<T: Send + Sync>() {}
        check::<Exclusive<'static>>();
    }
}
