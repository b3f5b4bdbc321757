//! nf_tables numbers the value model maps to, with the kernel's spelling.
//!
//! Why a module of bare constants next to the typed enums: the typed model ([`Hook`],
//! [`Verdict`], [`MetaKey`], ...) is what callers use, but the numbers are what the kernel, the
//! encoder and a reader of `<linux/netfilter/nf_tables.h>` share. Keeping them here, spelled as
//! the kernel spells them, means a grep of the kernel headers finds the Rust side and the typed
//! enums convert through one table each.
//!
//! # Contract
//! - Values are copied from the kernel UAPI headers named on each group (Linux 6.18); set type
//!   ids come from libnftnl/nftables (`enum datatypes`), which the kernel stores opaquely.
//! - Attribute ids (`NFTA_*`) are not here: they belong to the wire encoder.
//! - Pure data: no functions, nothing allocates.
//!
//! [`Hook`]: crate::Hook
//! [`Verdict`]: crate::Verdict
//! [`MetaKey`]: crate::expr::MetaKey

#![allow(missing_docs)] // each constant is its kernel name; the groups are documented

/// Netfilter protocol families (`NFPROTO_*`, `<linux/netfilter.h>`).
pub mod nfproto {
    pub use linx_nfnl::family::{ARP, BRIDGE, INET, IPV4, IPV6, NETDEV, UNSPEC};
}

/// Hook numbers (`enum nf_inet_hooks`, `<linux/netfilter.h>`; `NF_ARP_*` from
/// `<linux/netfilter_arp.h>`; `enum nf_dev_hooks`).
pub mod hook {
    pub const NF_INET_PRE_ROUTING: u32 = 0;
    pub const NF_INET_LOCAL_IN: u32 = 1;
    pub const NF_INET_FORWARD: u32 = 2;
    pub const NF_INET_LOCAL_OUT: u32 = 3;
    pub const NF_INET_POST_ROUTING: u32 = 4;
    pub const NF_INET_INGRESS: u32 = 5;
    pub const NF_ARP_IN: u32 = 0;
    pub const NF_ARP_OUT: u32 = 1;
    pub const NF_NETDEV_INGRESS: u32 = 0;
    pub const NF_NETDEV_EGRESS: u32 = 1;
}

/// Verdict codes (`<linux/netfilter.h>` `NF_*`, `enum nft_verdicts` in `nf_tables.h`).
pub mod verdict {
    pub const NF_DROP: i32 = 0;
    pub const NF_ACCEPT: i32 = 1;
    pub const NF_QUEUE: i32 = 3;
    pub const NFT_CONTINUE: i32 = -1;
    pub const NFT_BREAK: i32 = -2;
    pub const NFT_JUMP: i32 = -3;
    pub const NFT_GOTO: i32 = -4;
    pub const NFT_RETURN: i32 = -5;
    /// `NF_VERDICT_MASK`: the low byte holds the verdict, the high 16 bits a queue number.
    pub const NF_VERDICT_MASK: u32 = 0x0000_00ff;
    /// `NF_VERDICT_QBITS`: shift of the queue number.
    pub const NF_VERDICT_QBITS: u32 = 16;
}

/// Data registers (`enum nft_registers`, `nf_tables.h`).
pub mod reg {
    pub const NFT_REG_VERDICT: u32 = 0;
    pub const NFT_REG_1: u32 = 1;
    pub const NFT_REG_2: u32 = 2;
    pub const NFT_REG_3: u32 = 3;
    pub const NFT_REG_4: u32 = 4;
    pub const NFT_REG32_00: u32 = 8;
    pub const NFT_REG32_15: u32 = 23;
    /// Bytes in one 128-bit register (`NFT_REG_SIZE`).
    pub const NFT_REG_SIZE: u32 = 16;
    /// Bytes in one 32-bit register (`NFT_REG32_SIZE`).
    pub const NFT_REG32_SIZE: u32 = 4;
    /// 32-bit words in the register file, verdict included (`NFT_REG32_NUM`).
    pub const NFT_REG32_NUM: u32 = 20;
    /// Longest data value (`NFT_DATA_VALUE_MAXLEN`).
    pub const NFT_DATA_VALUE_MAXLEN: u32 = 64;
}

/// Table flags (`enum nft_table_flags`).
pub mod table {
    pub const NFT_TABLE_F_DORMANT: u32 = 0x1;
    pub const NFT_TABLE_F_OWNER: u32 = 0x2;
    pub const NFT_TABLE_F_PERSIST: u32 = 0x4;
}

/// Chain flags (`enum nft_chain_flags`). `NFT_CHAIN_BASE` is set by the kernel, never by
/// the model.
pub mod chain {
    pub const NFT_CHAIN_BASE: u32 = 0x1;
    pub const NFT_CHAIN_HW_OFFLOAD: u32 = 0x2;
    pub const NFT_CHAIN_BINDING: u32 = 0x4;
    /// Chain policy values (`NFTA_CHAIN_POLICY` carries `NF_DROP`/`NF_ACCEPT`).
    pub const POLICY_DROP: u32 = 0;
    pub const POLICY_ACCEPT: u32 = 1;
}

/// Limits on names and text (`nf_tables.h`, `<linux/if.h>`, `nf_log.h`).
pub mod limits {
    /// `NFT_NAME_MAXLEN`: table, chain, set, object and flowtable names including the NUL.
    pub const NFT_NAME_MAXLEN: usize = 256;
    /// `NFT_USERDATA_MAXLEN`: rule userdata (comment and tag TLVs).
    pub const NFT_USERDATA_MAXLEN: usize = 256;
    /// Longest rule comment in bytes: 256 minus the 2-byte TLV header and the NUL.
    pub const COMMENT_MAXLEN: usize = 253;
    /// `IFNAMSIZ`: interface names including the NUL.
    pub const IFNAMSIZ: usize = 16;
    /// `NF_LOG_PREFIXLEN`: log prefix including the NUL.
    pub const NF_LOG_PREFIXLEN: usize = 128;
    /// `NFT_JUMP_STACK_SIZE`: deepest jump/goto nesting the kernel accepts.
    pub const NFT_JUMP_STACK_SIZE: usize = 16;
}

/// Set flags (`enum nft_set_flags`). `auto_merge` has no bit: it is userspace behaviour.
pub mod set {
    pub const NFT_SET_ANONYMOUS: u32 = 0x1;
    pub const NFT_SET_CONSTANT: u32 = 0x2;
    pub const NFT_SET_INTERVAL: u32 = 0x4;
    pub const NFT_SET_MAP: u32 = 0x8;
    pub const NFT_SET_TIMEOUT: u32 = 0x10;
    pub const NFT_SET_EVAL: u32 = 0x20;
    pub const NFT_SET_OBJECT: u32 = 0x40;
    pub const NFT_SET_CONCAT: u32 = 0x80;
    pub const NFT_SET_EXPR: u32 = 0x100;
    /// `NFT_SET_ELEM_INTERVAL_END`: element flag of an interval's end marker.
    pub const NFT_SET_ELEM_INTERVAL_END: u32 = 0x1;
    /// `NFT_DATA_VERDICT`: the data type of a verdict map.
    pub const NFT_DATA_VERDICT: u32 = 0xffff_ff00;
    /// Bits per field in a concatenated type id (`TYPE_BITS` in nftables).
    pub const TYPE_BITS: u32 = 6;
}

/// Set key type ids (`enum datatypes` in nftables `datatype.h`).
pub mod datatype {
    pub const TYPE_VERDICT: u32 = 1;
    pub const TYPE_IPADDR: u32 = 7;
    pub const TYPE_IP6ADDR: u32 = 8;
    pub const TYPE_ETHERADDR: u32 = 9;
    pub const TYPE_INET_PROTOCOL: u32 = 12;
    pub const TYPE_INET_SERVICE: u32 = 13;
    pub const TYPE_MARK: u32 = 19;
    pub const TYPE_CT_STATE: u32 = 26;
    pub const TYPE_IFNAME: u32 = 41;
}

/// Expression numbers (`nf_tables.h`).
pub mod expr {
    // enum nft_cmp_ops
    pub const NFT_CMP_EQ: u32 = 0;
    pub const NFT_CMP_NEQ: u32 = 1;
    pub const NFT_CMP_LT: u32 = 2;
    pub const NFT_CMP_LTE: u32 = 3;
    pub const NFT_CMP_GT: u32 = 4;
    pub const NFT_CMP_GTE: u32 = 5;
    // enum nft_payload_bases
    pub const NFT_PAYLOAD_LL_HEADER: u32 = 0;
    pub const NFT_PAYLOAD_NETWORK_HEADER: u32 = 1;
    pub const NFT_PAYLOAD_TRANSPORT_HEADER: u32 = 2;
    pub const NFT_PAYLOAD_INNER_HEADER: u32 = 3;
    // enum nft_meta_keys (the ones the model names)
    pub const NFT_META_LEN: u32 = 0;
    pub const NFT_META_PROTOCOL: u32 = 1;
    pub const NFT_META_PRIORITY: u32 = 2;
    pub const NFT_META_MARK: u32 = 3;
    pub const NFT_META_IIF: u32 = 4;
    pub const NFT_META_OIF: u32 = 5;
    pub const NFT_META_IIFNAME: u32 = 6;
    pub const NFT_META_OIFNAME: u32 = 7;
    pub const NFT_META_IIFTYPE: u32 = 8;
    pub const NFT_META_OIFTYPE: u32 = 9;
    pub const NFT_META_SKUID: u32 = 10;
    pub const NFT_META_SKGID: u32 = 11;
    pub const NFT_META_NFTRACE: u32 = 12;
    pub const NFT_META_RTCLASSID: u32 = 13;
    pub const NFT_META_SECMARK: u32 = 14;
    pub const NFT_META_NFPROTO: u32 = 15;
    pub const NFT_META_L4PROTO: u32 = 16;
    // enum nft_ct_keys (the ones the model names)
    pub const NFT_CT_STATE: u32 = 0;
    pub const NFT_CT_DIRECTION: u32 = 1;
    pub const NFT_CT_STATUS: u32 = 2;
    pub const NFT_CT_MARK: u32 = 3;
    pub const NFT_CT_SECMARK: u32 = 4;
    // conntrack state bits (NF_CT_STATE_*_BIT, <linux/netfilter/nf_conntrack_common.h>)
    pub const NF_CT_STATE_INVALID_BIT: u32 = 0x01;
    pub const NF_CT_STATE_ESTABLISHED_BIT: u32 = 0x02;
    pub const NF_CT_STATE_RELATED_BIT: u32 = 0x04;
    pub const NF_CT_STATE_NEW_BIT: u32 = 0x08;
    pub const NF_CT_STATE_UNTRACKED_BIT: u32 = 0x40;
    // enum nft_lookup_flags
    pub const NFT_LOOKUP_F_INV: u32 = 0x1;
    // enum nft_reject_types
    pub const NFT_REJECT_ICMP_UNREACH: u32 = 0;
    pub const NFT_REJECT_TCP_RST: u32 = 1;
    pub const NFT_REJECT_ICMPX_UNREACH: u32 = 2;
    /// `NFT_REJECT_ICMPX_PORT_UNREACH` (also ICMP/ICMPv6 port-unreachable is code 3 / 4).
    pub const NFT_REJECT_ICMPX_PORT_UNREACH: u8 = 1;
    /// Highest icmpx code (`NFT_REJECT_ICMPX_MAX`).
    pub const NFT_REJECT_ICMPX_MAX: u8 = 3;
    // enum nft_limit_type / flags
    pub const NFT_LIMIT_PKTS: u32 = 0;
    pub const NFT_LIMIT_PKT_BYTES: u32 = 1;
    pub const NFT_LIMIT_F_INV: u32 = 0x1;
    // enum nft_quota_flags
    pub const NFT_QUOTA_F_INV: u32 = 0x1;
    // enum nft_dynset_ops
    pub const NFT_DYNSET_OP_ADD: u32 = 0;
    pub const NFT_DYNSET_OP_UPDATE: u32 = 1;
    pub const NFT_DYNSET_OP_DELETE: u32 = 2;
    // enum nft_nat_types
    pub const NFT_NAT_SNAT: u32 = 0;
    pub const NFT_NAT_DNAT: u32 = 1;
    // NF_NAT_RANGE_* (<linux/netfilter/nf_nat.h>)
    pub const NF_NAT_RANGE_MAP_IPS: u32 = 0x01;
    pub const NF_NAT_RANGE_PROTO_SPECIFIED: u32 = 0x02;
    pub const NF_NAT_RANGE_PROTO_RANDOM: u32 = 0x04;
    pub const NF_NAT_RANGE_PERSISTENT: u32 = 0x08;
    pub const NF_NAT_RANGE_PROTO_RANDOM_FULLY: u32 = 0x10;
    pub const NF_NAT_RANGE_PROTO_OFFSET: u32 = 0x20;
    pub const NF_NAT_RANGE_NETMAP: u32 = 0x40;
    // NF_LOG_* flags (<linux/netfilter/nf_log.h>)
    pub const NF_LOG_TCPSEQ: u32 = 0x01;
    pub const NF_LOG_TCPOPT: u32 = 0x02;
    pub const NF_LOG_IPOPT: u32 = 0x04;
    pub const NF_LOG_UID: u32 = 0x08;
    pub const NF_LOG_MACDECODE: u32 = 0x20;
}

/// Stateful object types (`NFT_OBJECT_*`).
pub mod object {
    pub const NFT_OBJECT_UNSPEC: u32 = 0;
    pub const NFT_OBJECT_COUNTER: u32 = 1;
    pub const NFT_OBJECT_QUOTA: u32 = 2;
    pub const NFT_OBJECT_CT_HELPER: u32 = 3;
    pub const NFT_OBJECT_LIMIT: u32 = 4;
    pub const NFT_OBJECT_CONNLIMIT: u32 = 5;
    pub const NFT_OBJECT_TUNNEL: u32 = 6;
    pub const NFT_OBJECT_CT_TIMEOUT: u32 = 7;
    pub const NFT_OBJECT_SECMARK: u32 = 8;
    pub const NFT_OBJECT_CT_EXPECT: u32 = 9;
    pub const NFT_OBJECT_SYNPROXY: u32 = 10;
}

/// Flowtable flags (`enum nft_flowtable_flags`).
pub mod flowtable {
    pub const NFT_FLOWTABLE_HW_OFFLOAD: u32 = 0x1;
    pub const NFT_FLOWTABLE_COUNTER: u32 = 0x2;
}
