//! The NFLOG constants (`<linux/netfilter/nfnetlink_log.h>`) under the kernel's names.
//!
//! # Contract
//! Values are the kernel's; nothing here is computed. Multi-byte attribute values of this
//! subsystem are big-endian on the wire.

/// `NFULNL_MSG_PACKET`: a logged packet, kernel to listener (message type `ULOG << 8 | 0`).
pub const NFULNL_MSG_PACKET: u8 = 0;
/// `NFULNL_MSG_CONFIG`: a configuration request, listener to kernel.
pub const NFULNL_MSG_CONFIG: u8 = 1;

/// `NFULA_PACKET_HDR`: `struct nfulnl_msg_packet_hdr` (hardware protocol, hook).
pub const NFULA_PACKET_HDR: u16 = 1;
/// `NFULA_MARK`: the packet mark (u32 BE).
pub const NFULA_MARK: u16 = 2;
/// `NFULA_TIMESTAMP`: `struct nfulnl_msg_packet_timestamp` (seconds, microseconds, BE64).
pub const NFULA_TIMESTAMP: u16 = 3;
/// `NFULA_IFINDEX_INDEV`: input interface index (u32 BE).
pub const NFULA_IFINDEX_INDEV: u16 = 4;
/// `NFULA_IFINDEX_OUTDEV`: output interface index (u32 BE).
pub const NFULA_IFINDEX_OUTDEV: u16 = 5;
/// `NFULA_IFINDEX_PHYSINDEV`: bridge port the packet came in on (u32 BE).
pub const NFULA_IFINDEX_PHYSINDEV: u16 = 6;
/// `NFULA_IFINDEX_PHYSOUTDEV`: bridge port the packet goes out on (u32 BE).
pub const NFULA_IFINDEX_PHYSOUTDEV: u16 = 7;
/// `NFULA_HWADDR`: `struct nfulnl_msg_packet_hw` (length BE16, pad, 8 address bytes).
pub const NFULA_HWADDR: u16 = 8;
/// `NFULA_PAYLOAD`: the packet from the network header on, cut to the copy range.
pub const NFULA_PAYLOAD: u16 = 9;
/// `NFULA_PREFIX`: the rule's log prefix, NUL-terminated.
pub const NFULA_PREFIX: u16 = 10;
/// `NFULA_UID`: uid of the local socket's owner (u32 BE).
pub const NFULA_UID: u16 = 11;
/// `NFULA_SEQ`: per-group sequence number (u32 BE), with [`NFULNL_CFG_F_SEQ`].
pub const NFULA_SEQ: u16 = 12;
/// `NFULA_SEQ_GLOBAL`: namespace-wide sequence number (u32 BE), with
/// [`NFULNL_CFG_F_SEQ_GLOBAL`].
pub const NFULA_SEQ_GLOBAL: u16 = 13;
/// `NFULA_GID`: gid of the local socket's owner (u32 BE).
pub const NFULA_GID: u16 = 14;
/// `NFULA_HWTYPE`: `ARPHRD_*` type of the input device (u16 BE); kept raw.
pub const NFULA_HWTYPE: u16 = 15;
/// `NFULA_HWHEADER`: the link-layer header; kept raw.
pub const NFULA_HWHEADER: u16 = 16;
/// `NFULA_HWLEN`: length of the link-layer header (u16 BE); kept raw.
pub const NFULA_HWLEN: u16 = 17;
/// `NFULA_CT`: the conntrack entry (nested), with [`NFULNL_CFG_F_CONNTRACK`]; kept raw.
pub const NFULA_CT: u16 = 18;
/// `NFULA_CT_INFO`: the conntrack state (u32 BE); kept raw.
pub const NFULA_CT_INFO: u16 = 19;
/// `NFULA_VLAN`: VLAN tag (nested); kept raw.
pub const NFULA_VLAN: u16 = 20;
/// `NFULA_L2HDR`: the layer-2 header of bridged packets; kept raw.
pub const NFULA_L2HDR: u16 = 21;

/// `NFULA_CFG_CMD`: `struct nfulnl_msg_config_cmd` (one command byte).
pub const NFULA_CFG_CMD: u16 = 1;
/// `NFULA_CFG_MODE`: `struct nfulnl_msg_config_mode` (copy range BE32, mode u8, pad u8).
pub const NFULA_CFG_MODE: u16 = 2;
/// `NFULA_CFG_NLBUFSIZ`: the kernel's batching buffer size (u32 BE); not sent.
pub const NFULA_CFG_NLBUFSIZ: u16 = 3;
/// `NFULA_CFG_TIMEOUT`: flush timeout in hundredths of a second (u32 BE).
pub const NFULA_CFG_TIMEOUT: u16 = 4;
/// `NFULA_CFG_QTHRESH`: packets batched per datagram before a flush (u32 BE).
pub const NFULA_CFG_QTHRESH: u16 = 5;
/// `NFULA_CFG_FLAGS`: `NFULNL_CFG_F_*` (u16 BE).
pub const NFULA_CFG_FLAGS: u16 = 6;

/// `NFULNL_CFG_CMD_BIND`: create the group's instance, owned by this socket.
pub const NFULNL_CFG_CMD_BIND: u8 = 1;
/// `NFULNL_CFG_CMD_UNBIND`: destroy the group's instance.
pub const NFULNL_CFG_CMD_UNBIND: u8 = 2;
/// `NFULNL_CFG_CMD_PF_BIND`: make NFLOG the namespace's default logger of a family.
pub const NFULNL_CFG_CMD_PF_BIND: u8 = 3;
/// `NFULNL_CFG_CMD_PF_UNBIND`: stop being the default logger of a family.
pub const NFULNL_CFG_CMD_PF_UNBIND: u8 = 4;

/// `NFULNL_COPY_NONE`: no packet data, no metadata beyond the header.
pub const NFULNL_COPY_NONE: u8 = 0;
/// `NFULNL_COPY_META`: metadata only, no payload.
pub const NFULNL_COPY_META: u8 = 1;
/// `NFULNL_COPY_PACKET`: metadata and the payload up to the copy range.
pub const NFULNL_COPY_PACKET: u8 = 2;

/// `NFULNL_CFG_F_SEQ`: add [`NFULA_SEQ`] to every packet.
pub const NFULNL_CFG_F_SEQ: u16 = 0x1;
/// `NFULNL_CFG_F_SEQ_GLOBAL`: add [`NFULA_SEQ_GLOBAL`] to every packet.
pub const NFULNL_CFG_F_SEQ_GLOBAL: u16 = 0x2;
/// `NFULNL_CFG_F_CONNTRACK`: add the conntrack entry ([`NFULA_CT`], [`NFULA_CT_INFO`]).
pub const NFULNL_CFG_F_CONNTRACK: u16 = 0x4;
