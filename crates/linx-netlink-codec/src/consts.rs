//! Netlink constants, spelled as in the kernel headers so a grep of `<linux/netlink.h>`,
//! `<linux/rtnetlink.h>` and friends finds them.
//!
//! Only the constants of the netlink core (header flags, control message types, socket
//! options, protocols, attribute flag bits, extended-ACK attributes) and the rtnetlink message
//! type numbers live here. Family-specific attribute ids live in the family crates.
//!
//! # Contract
//! Values are exactly the kernel's (uapi, Linux 6.x); nothing here is computed at run time.
//!
//! # See also
//! `<linux/netlink.h>`, `<linux/rtnetlink.h>`, netlink(7), rtnetlink(7).

// ---- protocols (socket(2) third argument) ----
/// `NETLINK_ROUTE`: rtnetlink (links, addresses, routes, neighbours, rules).
pub const NETLINK_ROUTE: i32 = 0;
/// `NETLINK_SOCK_DIAG`: socket monitoring.
pub const NETLINK_SOCK_DIAG: i32 = 4;
/// `NETLINK_NETFILTER`: nfnetlink (nf_tables, conntrack, NFLOG, NFQUEUE).
pub const NETLINK_NETFILTER: i32 = 12;
/// `NETLINK_GENERIC`: generic netlink (families resolved by name at run time).
pub const NETLINK_GENERIC: i32 = 16;

// ---- nlmsghdr flags ----
/// `NLM_F_REQUEST`: the message is a request; the kernel only acts on requests.
pub const NLM_F_REQUEST: u16 = 0x1;
/// `NLM_F_MULTI`: part of a multipart reply, terminated by `NLMSG_DONE`.
pub const NLM_F_MULTI: u16 = 0x2;
/// `NLM_F_ACK`: ask the kernel for an acknowledgement (`NLMSG_ERROR` with errno 0).
pub const NLM_F_ACK: u16 = 0x4;
/// `NLM_F_ECHO`: echo this request back to the sender.
pub const NLM_F_ECHO: u16 = 0x8;
/// `NLM_F_DUMP_INTR`: the dump was interrupted by a change; its content may be inconsistent.
pub const NLM_F_DUMP_INTR: u16 = 0x10;
/// `NLM_F_DUMP_FILTERED`: the kernel applied the dump filter the request asked for.
pub const NLM_F_DUMP_FILTERED: u16 = 0x20;
/// `NLM_F_ROOT` (GET modifier): return the whole table instead of one entry.
pub const NLM_F_ROOT: u16 = 0x100;
/// `NLM_F_MATCH` (GET modifier): return all entries that match the request.
pub const NLM_F_MATCH: u16 = 0x200;
/// `NLM_F_ATOMIC` (GET modifier): atomic snapshot (unused by modern kernels).
pub const NLM_F_ATOMIC: u16 = 0x400;
/// `NLM_F_DUMP` = `NLM_F_ROOT | NLM_F_MATCH`: a dump request.
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
/// `NLM_F_REPLACE` (NEW modifier): replace an existing object.
pub const NLM_F_REPLACE: u16 = 0x100;
/// `NLM_F_EXCL` (NEW modifier): fail with `EEXIST` if the object exists.
pub const NLM_F_EXCL: u16 = 0x200;
/// `NLM_F_CREATE` (NEW modifier): create the object if it does not exist.
pub const NLM_F_CREATE: u16 = 0x400;
/// `NLM_F_APPEND` (NEW modifier): add at the end of the list.
pub const NLM_F_APPEND: u16 = 0x800;
/// `NLM_F_NONREC` (DELETE modifier): do not delete recursively.
pub const NLM_F_NONREC: u16 = 0x100;
/// `NLM_F_BULK` (DELETE modifier): delete several objects at once.
pub const NLM_F_BULK: u16 = 0x200;
/// `NLM_F_CAPPED` (on `NLMSG_ERROR`): the echoed request was cut to its header.
pub const NLM_F_CAPPED: u16 = 0x100;
/// `NLM_F_ACK_TLVS` (on `NLMSG_ERROR`/`NLMSG_DONE`): extended-ACK attributes follow.
pub const NLM_F_ACK_TLVS: u16 = 0x200;

// ---- control message types ----
/// `NLMSG_NOOP`: nothing; skipped.
pub const NLMSG_NOOP: u16 = 0x1;
/// `NLMSG_ERROR`: an error, or an ACK when its errno is 0.
pub const NLMSG_ERROR: u16 = 0x2;
/// `NLMSG_DONE`: end of a multipart reply; may carry an errno.
pub const NLMSG_DONE: u16 = 0x3;
/// `NLMSG_OVERRUN`: data was lost.
pub const NLMSG_OVERRUN: u16 = 0x4;
/// `NLMSG_MIN_TYPE`: the first type a family may use for its own messages.
pub const NLMSG_MIN_TYPE: u16 = 0x10;

/// `NLMSG_HDRLEN`: length of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;
/// `NLMSG_ALIGNTO`: messages and attributes are padded to this many bytes.
pub const NLMSG_ALIGNTO: usize = 4;

// ---- extended ACK attributes (`enum nlmsgerr_attrs`) ----
/// `NLMSGERR_ATTR_MSG`: NUL-terminated error message text.
pub const NLMSGERR_ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: u32 offset of the offending attribute in the request.
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: arbitrary subsystem-specific cookie.
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: policy of the rejected attribute (nested).
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: type of a missing required attribute.
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest where the attribute is missing.
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

// ---- attribute header flag bits ----
/// `NLA_F_NESTED`: the attribute payload is itself a list of attributes.
pub const NLA_F_NESTED: u16 = 1 << 15;
/// `NLA_F_NET_BYTEORDER`: the payload is in network byte order.
pub const NLA_F_NET_BYTEORDER: u16 = 1 << 14;
/// `NLA_TYPE_MASK`: the bits of `nla_type` that are the type proper.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
/// `NLA_HDRLEN`: length of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;

// ---- socket options (level SOL_NETLINK) ----
/// `SOL_NETLINK`: socket option level of the netlink options below.
pub const SOL_NETLINK: i32 = 270;
/// `NETLINK_ADD_MEMBERSHIP`: join a multicast group.
pub const NETLINK_ADD_MEMBERSHIP: i32 = 1;
/// `NETLINK_DROP_MEMBERSHIP`: leave a multicast group.
pub const NETLINK_DROP_MEMBERSHIP: i32 = 2;
/// `NETLINK_NO_ENOBUFS`: do not report receive-buffer overruns.
pub const NETLINK_NO_ENOBUFS: i32 = 5;
/// `NETLINK_CAP_ACK`: do not echo the request payload in ACKs.
pub const NETLINK_CAP_ACK: i32 = 10;
/// `NETLINK_EXT_ACK`: attach extended-ACK attributes (message, offset) to errors.
pub const NETLINK_EXT_ACK: i32 = 11;
/// `NETLINK_GET_STRICT_CHK`: strict checking of dump requests, enabling kernel-side filters.
pub const NETLINK_GET_STRICT_CHK: i32 = 12;

// ---- address families used in family headers ----
/// `AF_UNSPEC`.
pub const AF_UNSPEC: u8 = 0;
/// `AF_INET`.
pub const AF_INET: u8 = 2;
/// `AF_BRIDGE`.
pub const AF_BRIDGE: u8 = 7;
/// `AF_INET6`.
pub const AF_INET6: u8 = 10;
/// `AF_PACKET`.
pub const AF_PACKET: u8 = 17;

// ---- rtnetlink message types (`<linux/rtnetlink.h>`) ----
/// `RTM_NEWLINK`.
pub const RTM_NEWLINK: u16 = 16;
/// `RTM_DELLINK`.
pub const RTM_DELLINK: u16 = 17;
/// `RTM_GETLINK`.
pub const RTM_GETLINK: u16 = 18;
/// `RTM_SETLINK`.
pub const RTM_SETLINK: u16 = 19;
/// `RTM_NEWADDR`.
pub const RTM_NEWADDR: u16 = 20;
/// `RTM_DELADDR`.
pub const RTM_DELADDR: u16 = 21;
/// `RTM_GETADDR`.
pub const RTM_GETADDR: u16 = 22;
/// `RTM_NEWROUTE`.
pub const RTM_NEWROUTE: u16 = 24;
/// `RTM_DELROUTE`.
pub const RTM_DELROUTE: u16 = 25;
/// `RTM_GETROUTE`.
pub const RTM_GETROUTE: u16 = 26;
/// `RTM_NEWNEIGH`.
pub const RTM_NEWNEIGH: u16 = 28;
/// `RTM_DELNEIGH`.
pub const RTM_DELNEIGH: u16 = 29;
/// `RTM_GETNEIGH`.
pub const RTM_GETNEIGH: u16 = 30;
/// `RTM_NEWRULE`.
pub const RTM_NEWRULE: u16 = 32;
/// `RTM_DELRULE`.
pub const RTM_DELRULE: u16 = 33;
/// `RTM_GETRULE`.
pub const RTM_GETRULE: u16 = 34;
/// `RTM_NEWSTATS`.
pub const RTM_NEWSTATS: u16 = 92;
/// `RTM_GETSTATS`.
pub const RTM_GETSTATS: u16 = 94;

// ---- rtnetlink multicast groups (`enum rtnetlink_groups`) ----
/// `RTNLGRP_LINK`: link changes.
pub const RTNLGRP_LINK: u32 = 1;
/// `RTNLGRP_NEIGH`: neighbour changes.
pub const RTNLGRP_NEIGH: u32 = 3;
/// `RTNLGRP_IPV4_IFADDR`: IPv4 address changes.
pub const RTNLGRP_IPV4_IFADDR: u32 = 5;
/// `RTNLGRP_IPV4_ROUTE`: IPv4 route changes.
pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
/// `RTNLGRP_IPV4_RULE`: IPv4 rule changes.
pub const RTNLGRP_IPV4_RULE: u32 = 8;
/// `RTNLGRP_IPV6_IFADDR`: IPv6 address changes.
pub const RTNLGRP_IPV6_IFADDR: u32 = 9;
/// `RTNLGRP_IPV6_ROUTE`: IPv6 route changes.
pub const RTNLGRP_IPV6_ROUTE: u32 = 11;
/// `RTNLGRP_IPV6_RULE`: IPv6 rule changes.
pub const RTNLGRP_IPV6_RULE: u32 = 19;

// ---- a few rtnetlink attribute ids the core's own examples and tests use ----
/// `IFLA_IFNAME`: interface name (string).
pub const IFLA_IFNAME: u16 = 3;
/// `IFLA_MTU`: MTU (u32).
pub const IFLA_MTU: u16 = 4;
/// `IFLA_EXT_MASK`: u32 mask of extra information wanted in link dumps.
pub const IFLA_EXT_MASK: u16 = 29;
/// `RTEXT_FILTER_VF`: include VF information in link dumps.
pub const RTEXT_FILTER_VF: u32 = 1;
/// `RTA_DST`: route destination.
pub const RTA_DST: u16 = 1;
/// `RTA_OIF`: route output interface index.
pub const RTA_OIF: u16 = 4;
/// `RTA_GATEWAY`: route gateway.
pub const RTA_GATEWAY: u16 = 5;
/// `RTA_TABLE`: 32-bit routing table id.
pub const RTA_TABLE: u16 = 15;
