//! The rule verbs: list, add and delete, with the kernel's refusals (`EEXIST`, `ENOENT`)
//! reworded to name the rule.
//!
//! # Contract
//! Input errors come before anything is sent.

use linx_netlink_codec::{Dumped, Errno};

use super::message::Rule;
use super::request::{add_request, delete_request, list_call};
use super::spec::RuleSpec;
use crate::error::Error;
use crate::verb::verb;

fn reword(e: Error, spec: &RuleSpec) -> Error {
    match e {
        Error::Netlink(n) if n.errno == Errno::EEXIST => {
            Error::Netlink(n.or_message(|| format!("rule {spec} already exists")))
        }
        Error::Netlink(n) if n.errno == Errno::ENOENT => {
            Error::Netlink(n.or_message(|| format!("no such rule {spec}")))
        }
        other => other,
    }
}

verb! {
    /// Every rule of the socket's namespace, all families, in the kernel's order (by family,
    /// then priority).
    ///
    /// ```no_run
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// for r in linx_rtnl::rule::list(&sock)? {
    ///     println!("{r}"); // Rule<32766: from all lookup main> ...
    /// }
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn list(sock) -> Dumped<Rule> {
        Ok(sock.collect(list_call()).await?)
    }
}

verb! {
    /// Add a rule (`NLM_F_CREATE | NLM_F_EXCL`: `EEXIST` when an identical rule exists).
    ///
    /// ```no_run
    /// use linx_rtnl::rule::{self, RuleSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// rule::add(&sock, &RuleSpec::new().from("10.0.0.0/24").table(100))?;
    /// rule::add(&sock, &RuleSpec::new().fwmark(1).table(100).priority(200))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn add(sock, spec: &RuleSpec) -> () {
        let req = add_request(spec)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}

verb! {
    /// Delete the first rule matching `spec` (unset selectors match anything); `ENOENT`
    /// when none does.
    ///
    /// ```no_run
    /// use linx_rtnl::rule::{self, RuleSpec};
    /// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
    /// rule::delete(&sock, &RuleSpec::new().from("10.0.0.0/24").table(100))?;
    /// # Ok::<(), linx_rtnl::Error>(())
    /// ```
    pub fn delete(sock, spec: &RuleSpec) -> () {
        let req = delete_request(spec)?;
        sock.ack(req).await.map_err(|e| reword(e.into(), spec))
    }
}
