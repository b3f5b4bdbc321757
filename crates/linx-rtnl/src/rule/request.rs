//! The requests the rule verbs send, as pure functions of a [`RuleSpec`] (their exact bytes
//! are tested without a kernel), and the dump call behind [`list`](super::list).
//!
//! # Contract
//! Every builder validates the spec first; nothing here talks to a socket.

use linx_netlink_codec::consts::{
    AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE,
};
use linx_netlink_codec::{Call, DecodeError, FixedHeader, MsgView, Request};

use super::message::{FibRuleHdr, Rule};
use super::spec::RuleSpec;
use crate::error::Error;

fn rule_request(kind: u16, flags: u16, r: &Rule) -> Result<Request, Error> {
    let mut p = Vec::with_capacity(r.buffer_len());
    r.emit(&mut p)?;
    Ok(Request::new(kind, flags, p).with_header_len(FibRuleHdr::LEN))
}

/// The `RTM_NEWRULE` (`NLM_F_CREATE | NLM_F_EXCL`) [`add`](super::add) sends.
///
/// ```
/// use linx_rtnl::rule::{add_request, RuleSpec};
/// let req = add_request(&RuleSpec::new().from("10.0.0.0/8").table(100))?;
/// assert_eq!(req.payload()[..8], [2, 0, 8, 0, 100, 0, 0, 1]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn add_request(spec: &RuleSpec) -> Result<Request, Error> {
    rule_request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, &spec.build()?)
}

/// The `RTM_DELRULE` [`delete`](super::delete) sends: the action is "any" unless the spec sets one.
///
/// ```
/// use linx_rtnl::rule::{delete_request, RuleSpec};
/// let req = delete_request(&RuleSpec::new().from("10.0.0.0/8").table(100))?;
/// assert_eq!(req.payload()[..8], [2, 0, 8, 0, 100, 0, 0, 0]);
/// # Ok::<(), linx_rtnl::Error>(())
/// ```
pub fn delete_request(spec: &RuleSpec) -> Result<Request, Error> {
    rule_request(RTM_DELRULE, 0, &spec.to_rule(true)?)
}

/// The decoder of rule dumps: [`Rule::from_msg`].
pub type RuleDecoder = fn(&MsgView<'_>) -> Result<Rule, DecodeError>;

/// The call behind [`list`](super::list): an `AF_UNSPEC` `RTM_GETRULE` dump (an all-zero header,
/// which strict checking requires), decoded into [`Rule`]s.
///
/// ```no_run
/// let sock = linx_rtnl::open(linx_netlink_sys::Netns::Host)?;
/// for ev in linx_rtnl::rule::list_call().stream(&sock) {
///     println!("{:?}", ev?);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_call() -> Call<RuleDecoder> {
    let mut p = vec![0u8; FibRuleHdr::LEN];
    p[0] = AF_UNSPEC;
    Call::new(
        Request::dump(RTM_GETRULE, p).with_header_len(FibRuleHdr::LEN),
        Rule::from_msg as RuleDecoder,
    )
}
