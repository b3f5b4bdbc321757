//! The statistics verbs: the counters of one link ([`get`]) or of every link ([`list`]),
//! each written once for both socket flavours (`verb!`).
//!
//! # Contract
//! - [`get`] resolves the name first; a missing link (before or after the lookup) reads
//!   `no such interface "x"`.

use linx_netlink_codec::{Dumped, Errno, NetlinkError};

use super::message::Stats;
use super::request::{get_call, list_call};
use crate::error::{Error, on_link};
use crate::ifindex::index_of;
use crate::verb::verb;

verb! {
    /// The counters of the link named `link`; `ENODEV` reads `no such interface "link"`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo = linx_rtnl::stats::get(&sock, "lo")?;
    /// println!("{} packets received", lo.link64.map_or(0, |l| l.rx_packets));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(sock, link: &str) -> Stats {
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        match sock.single(get_call(index)).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(on_link(Error::Netlink(NetlinkError::new(Errno::ENODEV)), link)),
            Err(e) => Err(on_link(e, link)),
        }
    }
}

verb! {
    /// The counters of every link of the socket's namespace.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for s in linx_rtnl::stats::list(&sock)? {
    ///     println!("{s}");
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Stats> {
        Ok(sock.collect(list_call()).await?)
    }
}
