//! The address verbs: list, add, replace and delete, each written once for both socket
//! flavours (`verb!`).
//!
//! # Contract
//! - Input is checked (subnet, options) before the link name is looked up; a missing link
//!   reads `no such interface "x"`, a refusal about a named link names it.

use linx_ip::IntoSubnet;
use linx_netlink_codec::Dumped;

use super::message::Address;
use super::request::{add_request, delete_request, list_call, list_link_call, replace_request};
use super::spec::AddrOptions;
use crate::error::on_link;
use crate::ifindex::index_of;
use crate::verb::verb;

verb! {
    /// Every address of the socket's namespace, IPv4 and IPv6.
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for a in linx_rtnl::addr::list(&sock)? {
    ///     println!("{a}"); // Address<127.0.0.1/8 dev 1 scope host permanent>
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list(sock) -> Dumped<Address> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// The addresses of the link named `link` (filtered by the kernel, and again here).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// let lo: Vec<_> = linx_rtnl::addr::list_link(&sock, "lo")?.iter().filter_map(|a| a.ip()).collect();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn list_link(sock, link: &str) -> Dumped<Address> {
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let mut dumped = sock.collect(list_link_call(index)).await?;
        dumped.retain(|a| a.index == index);
        Ok(dumped)
    }
}

verb! {
    /// Add `addr` (`"10.0.0.5/24"`, a [`Subnet`], `(ip, prefix)` ...) to `link`
    /// (`NLM_F_CREATE | NLM_F_EXCL`: `EEXIST` if it is already there). The family comes from
    /// the address; the prefix and `opts` are checked before anything is sent.
    ///
    /// ```no_run
    /// use linx_rtnl::addr::{self, AddrFlags, AddrOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// addr::add(&sock, "eth0", "10.0.42.5/24", AddrOptions::new())?;
    /// addr::add(&sock, "eth0", "fc00::42:5/64", AddrOptions::new().flags(AddrFlags::NODAD))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(sock, link: &str, addr: impl IntoSubnet, opts: AddrOptions) -> () {
        let addr = addr.into_subnet()?;
        opts.validate(link, &addr)?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = add_request(index, addr, &opts)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Add `addr` to `link`, or update it in place (lifetimes, flags) if it is there
    /// (`NLM_F_CREATE | NLM_F_REPLACE`): an idempotent upsert.
    ///
    /// ```no_run
    /// use linx_rtnl::addr::{self, AddrOptions};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// addr::replace(&sock, "eth0", "10.0.42.5/24", AddrOptions::new().lifetimes(600, 300))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replace(sock, link: &str, addr: impl IntoSubnet, opts: AddrOptions) -> () {
        let addr = addr.into_subnet()?;
        opts.validate(link, &addr)?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = replace_request(index, addr, &opts)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}

verb! {
    /// Delete `addr` (address and prefix) from `link`; `EADDRNOTAVAIL` if it is not there.
    /// Deleting a primary IPv4 address also deletes the secondaries of its subnet unless
    /// `net.ipv4.conf.<link>.promote_secondaries` is set (kernel behaviour).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// linx_rtnl::addr::delete(&sock, "eth0", "10.0.42.5/24")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delete(sock, link: &str, addr: impl IntoSubnet) -> () {
        let addr = addr.into_subnet()?;
        let index = index_of(sock, link, "interface").await.map_err(|e| on_link(e, link))?;
        let req = delete_request(index, addr)?;
        sock.ack(req).await.map_err(|e| on_link(e, link))
    }
}
