//! A pull that names its generation exactly: the ruleset as it was at generation `g`,
//! nothing of a later commit in it and nothing of an earlier one missing.
//!
//! Why more than "GETGEN, pull": the kernel bumps the generation at the *start* of a
//! commit, then makes the commit's changes visible one by one, then announces them, all
//! under its commit mutex. A generation read in that window names a commit whose changes a
//! dump may see only in part. So each attempt is:
//!
//! 1. `g` = `GETGEN`;
//! 2. a barrier: a batch carrying `NFNL_BATCH_GENID = g` whose only message (a `GETGEN`,
//!    which a batch does not take) is refused. The kernel takes the commit mutex to check
//!    the generation: `ERESTART` means the generation moved (start again); the refusal of
//!    the message means that, holding the mutex, the kernel was at `g` with no commit in
//!    progress, so commit `g` (and every earlier one) was complete. Nothing is applied;
//! 3. the pull;
//! 4. `GETGEN` again: still `g` means no commit started before the pull ended (a commit
//!    bumps the generation before it changes anything), so the pull saw exactly
//!    generation `g`. Otherwise start again.
//!
//! # Contract
//! - Returns `(ruleset, g)` only when the pull is the state of generation `g`; after
//!   [`SNAPSHOT_ATTEMPTS`] attempts in which the generation moved it fails with
//!   [`MonitorError::Unstable`]. Never a torn snapshot as success.
//! - Paired with a monitor subscribed *before* step 1 and a floor of `g`: every commit
//!   with a generation above `g` began after the subscription (its generation is taken
//!   after step 1 read `g`), so the monitor reports it; every commit at or below `g` is in
//!   the snapshot, and the floor drops it. No gap, no duplicate.
//! - Generations are `u32` and wrap (the kernel skips 0); the floor compares plainly, so a
//!   monitor running across a wrap sees nothing until it takes a new snapshot.

use linx_netlink_codec::Transport;
use linx_netlink_sys::Errno;
use linx_nfnl::batch::{Batch, drive};
use linx_nfnl::{NfGenMsg, family, msg_type, nft_msg, subsys};

use super::MonitorError;
use crate::Ruleset;
use crate::pull::{Scope, pull_on};

/// How many times a snapshot is attempted while the generation keeps moving.
pub const SNAPSHOT_ATTEMPTS: u32 = 32;

linx_netlink_codec::verb! {
    error = MonitorError;
    /// The ruleset of the socket's namespace and the generation it is exactly the state
    /// of (see the [module docs](super)).
    pub(crate) fn consistent_pull(sock) -> (Ruleset, u32) {
        consistent_pull_on(sock).await
    }
}

/// [`consistent_pull`]'s body (any transport).
pub(crate) async fn consistent_pull_on<S: Transport>(
    sock: &S,
) -> Result<(Ruleset, u32), MonitorError> {
    for _ in 0..SNAPSHOT_ATTEMPTS {
        let g = generation(sock).await?;
        if !barrier(sock, g).await? {
            continue;
        }
        let rs = pull_on(sock, Scope::All).await?;
        if generation(sock).await? == g {
            return Ok((rs, g));
        }
    }
    Err(MonitorError::Unstable {
        attempts: SNAPSHOT_ATTEMPTS,
    })
}

/// `GETGEN`.
async fn generation<S: Transport>(sock: &S) -> Result<u32, MonitorError> {
    linx_nfnl::generation::get_on(sock)
        .await
        .map(|g| g.id)
        .map_err(MonitorError::Generation)
}

/// The barrier of step 2: `true` when the kernel, holding its commit mutex, was at
/// generation `g`; `false` when the generation had moved.
async fn barrier<S: Transport>(sock: &S, g: u32) -> Result<bool, MonitorError> {
    let mut b = Batch::new(subsys::NFTABLES).with_genid(g);
    b.push(
        msg_type(subsys::NFTABLES, nft_msg::GETGEN),
        0,
        &NfGenMsg::new(family::UNSPEC).to_bytes(),
    );
    match drive(sock, b.into_machine()).await {
        // A kernel that took the message committed an empty batch: also at `g`.
        Ok(()) => Ok(true),
        Err(linx_nfnl::Error::Batch { first, .. }) => {
            if first.batch_seq.is_none() && first.error.errno == Errno::ERESTART {
                Ok(false)
            } else if first.batch_seq.is_some() {
                Ok(true)
            } else {
                Err(MonitorError::Generation(linx_nfnl::Error::Batch {
                    first: first.clone(),
                    all: vec![first],
                }))
            }
        }
        Err(e) => Err(MonitorError::Generation(e)),
    }
}
