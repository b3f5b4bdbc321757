//! The neighbour verbs: list, add, replace and delete, each written once for both socket
//! flavours (`verb!`).
//!
//! # Contract
//! - Input (IP, MAC, state) is checked before the link name is looked up; a missing link
//!   reads `no such interface "x"`, a refusal about a named link names it.

use linx_ip::{IntoIp, IntoMac};
use linx_netlink_codec::Dumped;

use super::message::Neighbour;
use super::request::{
    add_request, check_state, delete_request, list_call, list_link_call, replace_request,
};
use super::types::NudState;
use crate::error::on_link;
use crate::ifindex::index_of;
use crate::verb::verb;

verb! {
    /// Every neighbour entry (ARP and NDP) of the socket's namespace.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for n in linx_rtnl::neigh::list(&sock)? {
    ///     println!("{n}"); // Neighbour<192.168.1.1 lladdr aa:bb:cc:dd:ee:ff dev 2 REACHABLE>
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Neighbour> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The neighbour entries of the link named `link` (filtered by the kernel, and again
    /// here).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let n = linx_rtnl::neigh::list_link(&sock, "eth0")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list_link(sock, link: &str) -> Dumped<Neighbour> {
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let mut dumped = sock.collect(list_link_call(index)).await?;
        dumped.retain(|n| n.index == index);
        Ok(dumped)
    }
}

verb! {
    /// Add a permanent (static) entry `ip` → `mac` on `link` (`NLM_F_CREATE | NLM_F_EXCL`:
    /// `EEXIST` if the entry exists). The family (ARP or NDP) comes from `ip`.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::neigh::add(&sock, "eth0", "10.0.0.10", "02:aa:bb:cc:dd:ee")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(sock, link: &str, ip: impl IntoIp, mac: impl IntoMac) -> () {
        let (ip, mac) = (ip.into_ip()?, mac.into_mac()?);
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = add_request(index, ip, mac)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Create or overwrite the entry `ip` → `mac` on `link` with `state` (e.g.
    /// [`NudState::REACHABLE`], [`NudState::STALE`], [`NudState::NOARP`],
    /// [`NudState::PERMANENT`]; exactly one state) — `NLM_F_CREATE | NLM_F_REPLACE`.
    ///
    /// ```no_run
    /// use linx_rtnl::neigh::{self, NudState};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// neigh::replace(&sock, "eth0", "10.0.0.10", "02:aa:bb:cc:dd:ee", NudState::STALE)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replace(sock, link: &str, ip: impl IntoIp, mac: impl IntoMac, state: NudState) -> () {
        let (ip, mac) = (ip.into_ip()?, mac.into_mac()?);
        // Check the state before the name lookup goes to the kernel.
        check_state(state)?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = replace_request(index, ip, mac, state)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Delete the entry for `ip` on `link`; `ENOENT` if there is none.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::neigh::delete(&sock, "eth0", "10.0.0.10")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delete(sock, link: &str, ip: impl IntoIp) -> () {
        let ip = ip.into_ip()?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = delete_request(index, ip)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}
