//! nf_tables attribute numbers, one module per `enum nft_*_attributes` of
//! `<linux/netfilter/nf_tables.h>` (generated from the uapi header; numbers are the kernel's ABI).
#![allow(dead_code)] // the full tables, not only what the encoder writes today

/// `enum nft_list_attributes`.
pub(crate) mod list {
    /// `NFTA_LIST_ELEM`.
    pub(crate) const NFTA_LIST_ELEM: u16 = 1;
}

/// `enum nft_hook_attributes`.
pub(crate) mod hook {
    /// `NFTA_HOOK_HOOKNUM`.
    pub(crate) const NFTA_HOOK_HOOKNUM: u16 = 1;
    /// `NFTA_HOOK_PRIORITY`.
    pub(crate) const NFTA_HOOK_PRIORITY: u16 = 2;
    /// `NFTA_HOOK_DEV`.
    pub(crate) const NFTA_HOOK_DEV: u16 = 3;
    /// `NFTA_HOOK_DEVS`.
    pub(crate) const NFTA_HOOK_DEVS: u16 = 4;
}

/// `enum nft_table_attributes`.
pub(crate) mod table {
    /// `NFTA_TABLE_NAME`.
    pub(crate) const NFTA_TABLE_NAME: u16 = 1;
    /// `NFTA_TABLE_FLAGS`.
    pub(crate) const NFTA_TABLE_FLAGS: u16 = 2;
    /// `NFTA_TABLE_USE`.
    pub(crate) const NFTA_TABLE_USE: u16 = 3;
    /// `NFTA_TABLE_HANDLE`.
    pub(crate) const NFTA_TABLE_HANDLE: u16 = 4;
    /// `NFTA_TABLE_PAD`.
    pub(crate) const NFTA_TABLE_PAD: u16 = 5;
    /// `NFTA_TABLE_USERDATA`.
    pub(crate) const NFTA_TABLE_USERDATA: u16 = 6;
    /// `NFTA_TABLE_OWNER`.
    pub(crate) const NFTA_TABLE_OWNER: u16 = 7;
}

/// `enum nft_chain_attributes`.
pub(crate) mod chain {
    /// `NFTA_CHAIN_TABLE`.
    pub(crate) const NFTA_CHAIN_TABLE: u16 = 1;
    /// `NFTA_CHAIN_HANDLE`.
    pub(crate) const NFTA_CHAIN_HANDLE: u16 = 2;
    /// `NFTA_CHAIN_NAME`.
    pub(crate) const NFTA_CHAIN_NAME: u16 = 3;
    /// `NFTA_CHAIN_HOOK`.
    pub(crate) const NFTA_CHAIN_HOOK: u16 = 4;
    /// `NFTA_CHAIN_POLICY`.
    pub(crate) const NFTA_CHAIN_POLICY: u16 = 5;
    /// `NFTA_CHAIN_USE`.
    pub(crate) const NFTA_CHAIN_USE: u16 = 6;
    /// `NFTA_CHAIN_TYPE`.
    pub(crate) const NFTA_CHAIN_TYPE: u16 = 7;
    /// `NFTA_CHAIN_COUNTERS`.
    pub(crate) const NFTA_CHAIN_COUNTERS: u16 = 8;
    /// `NFTA_CHAIN_PAD`.
    pub(crate) const NFTA_CHAIN_PAD: u16 = 9;
    /// `NFTA_CHAIN_FLAGS`.
    pub(crate) const NFTA_CHAIN_FLAGS: u16 = 10;
    /// `NFTA_CHAIN_ID`.
    pub(crate) const NFTA_CHAIN_ID: u16 = 11;
    /// `NFTA_CHAIN_USERDATA`.
    pub(crate) const NFTA_CHAIN_USERDATA: u16 = 12;
}

/// `enum nft_rule_attributes`.
pub(crate) mod rule {
    /// `NFTA_RULE_TABLE`.
    pub(crate) const NFTA_RULE_TABLE: u16 = 1;
    /// `NFTA_RULE_CHAIN`.
    pub(crate) const NFTA_RULE_CHAIN: u16 = 2;
    /// `NFTA_RULE_HANDLE`.
    pub(crate) const NFTA_RULE_HANDLE: u16 = 3;
    /// `NFTA_RULE_EXPRESSIONS`.
    pub(crate) const NFTA_RULE_EXPRESSIONS: u16 = 4;
    /// `NFTA_RULE_COMPAT`.
    pub(crate) const NFTA_RULE_COMPAT: u16 = 5;
    /// `NFTA_RULE_POSITION`.
    pub(crate) const NFTA_RULE_POSITION: u16 = 6;
    /// `NFTA_RULE_USERDATA`.
    pub(crate) const NFTA_RULE_USERDATA: u16 = 7;
    /// `NFTA_RULE_PAD`.
    pub(crate) const NFTA_RULE_PAD: u16 = 8;
    /// `NFTA_RULE_ID`.
    pub(crate) const NFTA_RULE_ID: u16 = 9;
    /// `NFTA_RULE_POSITION_ID`.
    pub(crate) const NFTA_RULE_POSITION_ID: u16 = 10;
    /// `NFTA_RULE_CHAIN_ID`.
    pub(crate) const NFTA_RULE_CHAIN_ID: u16 = 11;
}

/// `enum nft_set_desc_attributes`.
pub(crate) mod set_desc {
    /// `NFTA_SET_DESC_SIZE`.
    pub(crate) const NFTA_SET_DESC_SIZE: u16 = 1;
    /// `NFTA_SET_DESC_CONCAT`.
    pub(crate) const NFTA_SET_DESC_CONCAT: u16 = 2;
}

/// `enum nft_set_field_attributes`.
pub(crate) mod set_field {
    /// `NFTA_SET_FIELD_LEN`.
    pub(crate) const NFTA_SET_FIELD_LEN: u16 = 1;
}

/// `enum nft_set_attributes`.
pub(crate) mod set {
    /// `NFTA_SET_TABLE`.
    pub(crate) const NFTA_SET_TABLE: u16 = 1;
    /// `NFTA_SET_NAME`.
    pub(crate) const NFTA_SET_NAME: u16 = 2;
    /// `NFTA_SET_FLAGS`.
    pub(crate) const NFTA_SET_FLAGS: u16 = 3;
    /// `NFTA_SET_KEY_TYPE`.
    pub(crate) const NFTA_SET_KEY_TYPE: u16 = 4;
    /// `NFTA_SET_KEY_LEN`.
    pub(crate) const NFTA_SET_KEY_LEN: u16 = 5;
    /// `NFTA_SET_DATA_TYPE`.
    pub(crate) const NFTA_SET_DATA_TYPE: u16 = 6;
    /// `NFTA_SET_DATA_LEN`.
    pub(crate) const NFTA_SET_DATA_LEN: u16 = 7;
    /// `NFTA_SET_POLICY`.
    pub(crate) const NFTA_SET_POLICY: u16 = 8;
    /// `NFTA_SET_DESC`.
    pub(crate) const NFTA_SET_DESC: u16 = 9;
    /// `NFTA_SET_ID`.
    pub(crate) const NFTA_SET_ID: u16 = 10;
    /// `NFTA_SET_TIMEOUT`.
    pub(crate) const NFTA_SET_TIMEOUT: u16 = 11;
    /// `NFTA_SET_GC_INTERVAL`.
    pub(crate) const NFTA_SET_GC_INTERVAL: u16 = 12;
    /// `NFTA_SET_USERDATA`.
    pub(crate) const NFTA_SET_USERDATA: u16 = 13;
    /// `NFTA_SET_PAD`.
    pub(crate) const NFTA_SET_PAD: u16 = 14;
    /// `NFTA_SET_OBJ_TYPE`.
    pub(crate) const NFTA_SET_OBJ_TYPE: u16 = 15;
    /// `NFTA_SET_HANDLE`.
    pub(crate) const NFTA_SET_HANDLE: u16 = 16;
    /// `NFTA_SET_EXPR`.
    pub(crate) const NFTA_SET_EXPR: u16 = 17;
    /// `NFTA_SET_EXPRESSIONS`.
    pub(crate) const NFTA_SET_EXPRESSIONS: u16 = 18;
    /// `NFTA_SET_TYPE`: the backend's name, dumped only (Linux 6.13+).
    pub(crate) const NFTA_SET_TYPE: u16 = 19;
    /// `NFTA_SET_COUNT`: the number of elements, dumped only (Linux 6.13+).
    pub(crate) const NFTA_SET_COUNT: u16 = 20;
}

/// `enum nft_set_elem_attributes`.
pub(crate) mod set_elem {
    /// `NFTA_SET_ELEM_KEY`.
    pub(crate) const NFTA_SET_ELEM_KEY: u16 = 1;
    /// `NFTA_SET_ELEM_DATA`.
    pub(crate) const NFTA_SET_ELEM_DATA: u16 = 2;
    /// `NFTA_SET_ELEM_FLAGS`.
    pub(crate) const NFTA_SET_ELEM_FLAGS: u16 = 3;
    /// `NFTA_SET_ELEM_TIMEOUT`.
    pub(crate) const NFTA_SET_ELEM_TIMEOUT: u16 = 4;
    /// `NFTA_SET_ELEM_EXPIRATION`.
    pub(crate) const NFTA_SET_ELEM_EXPIRATION: u16 = 5;
    /// `NFTA_SET_ELEM_USERDATA`.
    pub(crate) const NFTA_SET_ELEM_USERDATA: u16 = 6;
    /// `NFTA_SET_ELEM_EXPR`.
    pub(crate) const NFTA_SET_ELEM_EXPR: u16 = 7;
    /// `NFTA_SET_ELEM_PAD`.
    pub(crate) const NFTA_SET_ELEM_PAD: u16 = 8;
    /// `NFTA_SET_ELEM_OBJREF`.
    pub(crate) const NFTA_SET_ELEM_OBJREF: u16 = 9;
    /// `NFTA_SET_ELEM_KEY_END`.
    pub(crate) const NFTA_SET_ELEM_KEY_END: u16 = 10;
    /// `NFTA_SET_ELEM_EXPRESSIONS`.
    pub(crate) const NFTA_SET_ELEM_EXPRESSIONS: u16 = 11;
}

/// `enum nft_set_elem_list_attributes`.
pub(crate) mod set_elem_list {
    /// `NFTA_SET_ELEM_LIST_TABLE`.
    pub(crate) const NFTA_SET_ELEM_LIST_TABLE: u16 = 1;
    /// `NFTA_SET_ELEM_LIST_SET`.
    pub(crate) const NFTA_SET_ELEM_LIST_SET: u16 = 2;
    /// `NFTA_SET_ELEM_LIST_ELEMENTS`.
    pub(crate) const NFTA_SET_ELEM_LIST_ELEMENTS: u16 = 3;
    /// `NFTA_SET_ELEM_LIST_SET_ID`.
    pub(crate) const NFTA_SET_ELEM_LIST_SET_ID: u16 = 4;
}

/// `enum nft_data_attributes`.
pub(crate) mod data {
    /// `NFTA_DATA_VALUE`.
    pub(crate) const NFTA_DATA_VALUE: u16 = 1;
    /// `NFTA_DATA_VERDICT`.
    pub(crate) const NFTA_DATA_VERDICT: u16 = 2;
}

/// `enum nft_verdict_attributes`.
pub(crate) mod verdict {
    /// `NFTA_VERDICT_CODE`.
    pub(crate) const NFTA_VERDICT_CODE: u16 = 1;
    /// `NFTA_VERDICT_CHAIN`.
    pub(crate) const NFTA_VERDICT_CHAIN: u16 = 2;
    /// `NFTA_VERDICT_CHAIN_ID`.
    pub(crate) const NFTA_VERDICT_CHAIN_ID: u16 = 3;
}

/// `enum nft_expr_attributes`.
pub(crate) mod expr {
    /// `NFTA_EXPR_NAME`.
    pub(crate) const NFTA_EXPR_NAME: u16 = 1;
    /// `NFTA_EXPR_DATA`.
    pub(crate) const NFTA_EXPR_DATA: u16 = 2;
}

/// `enum nft_immediate_attributes`.
pub(crate) mod immediate {
    /// `NFTA_IMMEDIATE_DREG`.
    pub(crate) const NFTA_IMMEDIATE_DREG: u16 = 1;
    /// `NFTA_IMMEDIATE_DATA`.
    pub(crate) const NFTA_IMMEDIATE_DATA: u16 = 2;
}

/// `enum nft_bitwise_attributes`.
pub(crate) mod bitwise {
    /// `NFTA_BITWISE_SREG`.
    pub(crate) const NFTA_BITWISE_SREG: u16 = 1;
    /// `NFTA_BITWISE_DREG`.
    pub(crate) const NFTA_BITWISE_DREG: u16 = 2;
    /// `NFTA_BITWISE_LEN`.
    pub(crate) const NFTA_BITWISE_LEN: u16 = 3;
    /// `NFTA_BITWISE_MASK`.
    pub(crate) const NFTA_BITWISE_MASK: u16 = 4;
    /// `NFTA_BITWISE_XOR`.
    pub(crate) const NFTA_BITWISE_XOR: u16 = 5;
    /// `NFTA_BITWISE_OP`.
    pub(crate) const NFTA_BITWISE_OP: u16 = 6;
    /// `NFTA_BITWISE_DATA`.
    pub(crate) const NFTA_BITWISE_DATA: u16 = 7;
}

/// `enum nft_cmp_attributes`.
pub(crate) mod cmp {
    /// `NFTA_CMP_SREG`.
    pub(crate) const NFTA_CMP_SREG: u16 = 1;
    /// `NFTA_CMP_OP`.
    pub(crate) const NFTA_CMP_OP: u16 = 2;
    /// `NFTA_CMP_DATA`.
    pub(crate) const NFTA_CMP_DATA: u16 = 3;
}

/// `enum nft_lookup_attributes`.
pub(crate) mod lookup {
    /// `NFTA_LOOKUP_SET`.
    pub(crate) const NFTA_LOOKUP_SET: u16 = 1;
    /// `NFTA_LOOKUP_SREG`.
    pub(crate) const NFTA_LOOKUP_SREG: u16 = 2;
    /// `NFTA_LOOKUP_DREG`.
    pub(crate) const NFTA_LOOKUP_DREG: u16 = 3;
    /// `NFTA_LOOKUP_SET_ID`.
    pub(crate) const NFTA_LOOKUP_SET_ID: u16 = 4;
    /// `NFTA_LOOKUP_FLAGS`.
    pub(crate) const NFTA_LOOKUP_FLAGS: u16 = 5;
}

/// `enum nft_dynset_attributes`.
pub(crate) mod dynset {
    /// `NFTA_DYNSET_SET_NAME`.
    pub(crate) const NFTA_DYNSET_SET_NAME: u16 = 1;
    /// `NFTA_DYNSET_SET_ID`.
    pub(crate) const NFTA_DYNSET_SET_ID: u16 = 2;
    /// `NFTA_DYNSET_OP`.
    pub(crate) const NFTA_DYNSET_OP: u16 = 3;
    /// `NFTA_DYNSET_SREG_KEY`.
    pub(crate) const NFTA_DYNSET_SREG_KEY: u16 = 4;
    /// `NFTA_DYNSET_SREG_DATA`.
    pub(crate) const NFTA_DYNSET_SREG_DATA: u16 = 5;
    /// `NFTA_DYNSET_TIMEOUT`.
    pub(crate) const NFTA_DYNSET_TIMEOUT: u16 = 6;
    /// `NFTA_DYNSET_EXPR`.
    pub(crate) const NFTA_DYNSET_EXPR: u16 = 7;
    /// `NFTA_DYNSET_PAD`.
    pub(crate) const NFTA_DYNSET_PAD: u16 = 8;
    /// `NFTA_DYNSET_FLAGS`.
    pub(crate) const NFTA_DYNSET_FLAGS: u16 = 9;
    /// `NFTA_DYNSET_EXPRESSIONS`.
    pub(crate) const NFTA_DYNSET_EXPRESSIONS: u16 = 10;
}

/// `enum nft_payload_attributes`.
pub(crate) mod payload {
    /// `NFTA_PAYLOAD_DREG`.
    pub(crate) const NFTA_PAYLOAD_DREG: u16 = 1;
    /// `NFTA_PAYLOAD_BASE`.
    pub(crate) const NFTA_PAYLOAD_BASE: u16 = 2;
    /// `NFTA_PAYLOAD_OFFSET`.
    pub(crate) const NFTA_PAYLOAD_OFFSET: u16 = 3;
    /// `NFTA_PAYLOAD_LEN`.
    pub(crate) const NFTA_PAYLOAD_LEN: u16 = 4;
    /// `NFTA_PAYLOAD_SREG`.
    pub(crate) const NFTA_PAYLOAD_SREG: u16 = 5;
    /// `NFTA_PAYLOAD_CSUM_TYPE`.
    pub(crate) const NFTA_PAYLOAD_CSUM_TYPE: u16 = 6;
    /// `NFTA_PAYLOAD_CSUM_OFFSET`.
    pub(crate) const NFTA_PAYLOAD_CSUM_OFFSET: u16 = 7;
    /// `NFTA_PAYLOAD_CSUM_FLAGS`.
    pub(crate) const NFTA_PAYLOAD_CSUM_FLAGS: u16 = 8;
}

/// `enum nft_meta_attributes`.
pub(crate) mod meta {
    /// `NFTA_META_DREG`.
    pub(crate) const NFTA_META_DREG: u16 = 1;
    /// `NFTA_META_KEY`.
    pub(crate) const NFTA_META_KEY: u16 = 2;
    /// `NFTA_META_SREG`.
    pub(crate) const NFTA_META_SREG: u16 = 3;
}

/// `enum nft_ct_attributes`.
pub(crate) mod ct {
    /// `NFTA_CT_DREG`.
    pub(crate) const NFTA_CT_DREG: u16 = 1;
    /// `NFTA_CT_KEY`.
    pub(crate) const NFTA_CT_KEY: u16 = 2;
    /// `NFTA_CT_DIRECTION`.
    pub(crate) const NFTA_CT_DIRECTION: u16 = 3;
    /// `NFTA_CT_SREG`.
    pub(crate) const NFTA_CT_SREG: u16 = 4;
}

/// `enum nft_limit_attributes`.
pub(crate) mod limit {
    /// `NFTA_LIMIT_RATE`.
    pub(crate) const NFTA_LIMIT_RATE: u16 = 1;
    /// `NFTA_LIMIT_UNIT`.
    pub(crate) const NFTA_LIMIT_UNIT: u16 = 2;
    /// `NFTA_LIMIT_BURST`.
    pub(crate) const NFTA_LIMIT_BURST: u16 = 3;
    /// `NFTA_LIMIT_TYPE`.
    pub(crate) const NFTA_LIMIT_TYPE: u16 = 4;
    /// `NFTA_LIMIT_FLAGS`.
    pub(crate) const NFTA_LIMIT_FLAGS: u16 = 5;
    /// `NFTA_LIMIT_PAD`.
    pub(crate) const NFTA_LIMIT_PAD: u16 = 6;
}

/// `enum nft_counter_attributes`.
pub(crate) mod counter {
    /// `NFTA_COUNTER_BYTES`.
    pub(crate) const NFTA_COUNTER_BYTES: u16 = 1;
    /// `NFTA_COUNTER_PACKETS`.
    pub(crate) const NFTA_COUNTER_PACKETS: u16 = 2;
    /// `NFTA_COUNTER_PAD`.
    pub(crate) const NFTA_COUNTER_PAD: u16 = 3;
}

/// `enum nft_log_attributes`.
pub(crate) mod log {
    /// `NFTA_LOG_GROUP`.
    pub(crate) const NFTA_LOG_GROUP: u16 = 1;
    /// `NFTA_LOG_PREFIX`.
    pub(crate) const NFTA_LOG_PREFIX: u16 = 2;
    /// `NFTA_LOG_SNAPLEN`.
    pub(crate) const NFTA_LOG_SNAPLEN: u16 = 3;
    /// `NFTA_LOG_QTHRESHOLD`.
    pub(crate) const NFTA_LOG_QTHRESHOLD: u16 = 4;
    /// `NFTA_LOG_LEVEL`.
    pub(crate) const NFTA_LOG_LEVEL: u16 = 5;
    /// `NFTA_LOG_FLAGS`.
    pub(crate) const NFTA_LOG_FLAGS: u16 = 6;
}

/// `enum nft_quota_attributes`.
pub(crate) mod quota {
    /// `NFTA_QUOTA_BYTES`.
    pub(crate) const NFTA_QUOTA_BYTES: u16 = 1;
    /// `NFTA_QUOTA_FLAGS`.
    pub(crate) const NFTA_QUOTA_FLAGS: u16 = 2;
    /// `NFTA_QUOTA_PAD`.
    pub(crate) const NFTA_QUOTA_PAD: u16 = 3;
    /// `NFTA_QUOTA_CONSUMED`.
    pub(crate) const NFTA_QUOTA_CONSUMED: u16 = 4;
}

/// `enum nft_reject_attributes`.
pub(crate) mod reject {
    /// `NFTA_REJECT_TYPE`.
    pub(crate) const NFTA_REJECT_TYPE: u16 = 1;
    /// `NFTA_REJECT_ICMP_CODE`.
    pub(crate) const NFTA_REJECT_ICMP_CODE: u16 = 2;
}

/// `enum nft_nat_attributes`.
pub(crate) mod nat {
    /// `NFTA_NAT_TYPE`.
    pub(crate) const NFTA_NAT_TYPE: u16 = 1;
    /// `NFTA_NAT_FAMILY`.
    pub(crate) const NFTA_NAT_FAMILY: u16 = 2;
    /// `NFTA_NAT_REG_ADDR_MIN`.
    pub(crate) const NFTA_NAT_REG_ADDR_MIN: u16 = 3;
    /// `NFTA_NAT_REG_ADDR_MAX`.
    pub(crate) const NFTA_NAT_REG_ADDR_MAX: u16 = 4;
    /// `NFTA_NAT_REG_PROTO_MIN`.
    pub(crate) const NFTA_NAT_REG_PROTO_MIN: u16 = 5;
    /// `NFTA_NAT_REG_PROTO_MAX`.
    pub(crate) const NFTA_NAT_REG_PROTO_MAX: u16 = 6;
    /// `NFTA_NAT_FLAGS`.
    pub(crate) const NFTA_NAT_FLAGS: u16 = 7;
}

/// `enum nft_masq_attributes`.
pub(crate) mod masq {
    /// `NFTA_MASQ_FLAGS`.
    pub(crate) const NFTA_MASQ_FLAGS: u16 = 1;
    /// `NFTA_MASQ_REG_PROTO_MIN`.
    pub(crate) const NFTA_MASQ_REG_PROTO_MIN: u16 = 2;
    /// `NFTA_MASQ_REG_PROTO_MAX`.
    pub(crate) const NFTA_MASQ_REG_PROTO_MAX: u16 = 3;
}

/// `enum nft_redir_attributes`.
pub(crate) mod redir {
    /// `NFTA_REDIR_REG_PROTO_MIN`.
    pub(crate) const NFTA_REDIR_REG_PROTO_MIN: u16 = 1;
    /// `NFTA_REDIR_REG_PROTO_MAX`.
    pub(crate) const NFTA_REDIR_REG_PROTO_MAX: u16 = 2;
    /// `NFTA_REDIR_FLAGS`.
    pub(crate) const NFTA_REDIR_FLAGS: u16 = 3;
}

/// `enum nft_objref_attributes`.
pub(crate) mod objref {
    /// `NFTA_OBJREF_IMM_TYPE`.
    pub(crate) const NFTA_OBJREF_IMM_TYPE: u16 = 1;
    /// `NFTA_OBJREF_IMM_NAME`.
    pub(crate) const NFTA_OBJREF_IMM_NAME: u16 = 2;
    /// `NFTA_OBJREF_SET_SREG`.
    pub(crate) const NFTA_OBJREF_SET_SREG: u16 = 3;
    /// `NFTA_OBJREF_SET_NAME`.
    pub(crate) const NFTA_OBJREF_SET_NAME: u16 = 4;
    /// `NFTA_OBJREF_SET_ID`.
    pub(crate) const NFTA_OBJREF_SET_ID: u16 = 5;
}

/// `enum nft_object_attributes`.
pub(crate) mod obj {
    /// `NFTA_OBJ_TABLE`.
    pub(crate) const NFTA_OBJ_TABLE: u16 = 1;
    /// `NFTA_OBJ_NAME`.
    pub(crate) const NFTA_OBJ_NAME: u16 = 2;
    /// `NFTA_OBJ_TYPE`.
    pub(crate) const NFTA_OBJ_TYPE: u16 = 3;
    /// `NFTA_OBJ_DATA`.
    pub(crate) const NFTA_OBJ_DATA: u16 = 4;
    /// `NFTA_OBJ_USE`.
    pub(crate) const NFTA_OBJ_USE: u16 = 5;
    /// `NFTA_OBJ_HANDLE`.
    pub(crate) const NFTA_OBJ_HANDLE: u16 = 6;
    /// `NFTA_OBJ_PAD`.
    pub(crate) const NFTA_OBJ_PAD: u16 = 7;
    /// `NFTA_OBJ_USERDATA`.
    pub(crate) const NFTA_OBJ_USERDATA: u16 = 8;
}

/// `enum nft_flowtable_attributes`.
pub(crate) mod flowtable {
    /// `NFTA_FLOWTABLE_TABLE`.
    pub(crate) const NFTA_FLOWTABLE_TABLE: u16 = 1;
    /// `NFTA_FLOWTABLE_NAME`.
    pub(crate) const NFTA_FLOWTABLE_NAME: u16 = 2;
    /// `NFTA_FLOWTABLE_HOOK`.
    pub(crate) const NFTA_FLOWTABLE_HOOK: u16 = 3;
    /// `NFTA_FLOWTABLE_USE`.
    pub(crate) const NFTA_FLOWTABLE_USE: u16 = 4;
    /// `NFTA_FLOWTABLE_HANDLE`.
    pub(crate) const NFTA_FLOWTABLE_HANDLE: u16 = 5;
    /// `NFTA_FLOWTABLE_PAD`.
    pub(crate) const NFTA_FLOWTABLE_PAD: u16 = 6;
    /// `NFTA_FLOWTABLE_FLAGS`.
    pub(crate) const NFTA_FLOWTABLE_FLAGS: u16 = 7;
}

/// `enum nft_flowtable_hook_attributes`.
pub(crate) mod flowtable_hook {
    /// `NFTA_FLOWTABLE_HOOK_NUM`.
    pub(crate) const NFTA_FLOWTABLE_HOOK_NUM: u16 = 1;
    /// `NFTA_FLOWTABLE_HOOK_PRIORITY`.
    pub(crate) const NFTA_FLOWTABLE_HOOK_PRIORITY: u16 = 2;
    /// `NFTA_FLOWTABLE_HOOK_DEVS`.
    pub(crate) const NFTA_FLOWTABLE_HOOK_DEVS: u16 = 3;
}

/// `enum nft_devices_attributes`.
pub(crate) mod device {
    /// `NFTA_DEVICE_NAME`.
    pub(crate) const NFTA_DEVICE_NAME: u16 = 1;
}
