//! [`ByteOrder`]: how the kernel orders the bytes of a loaded value or a set key.
//!
//! Why a module of its own: expressions ([`MetaKey::byte_order`](crate::expr::MetaKey::byte_order))
//! and set keys ([`KeyType::byte_order`](crate::KeyType::byte_order)) both answer in it, and
//! set elements are part of expressions (set literals), so it sits below both `expr` and
//! `set`. Its public path is `linx_netfilter::expr::ByteOrder`.
//!
//! # Contract
//! - A plain `Copy` value; [`ByteOrder::u32_bytes`] never panics and does not allocate.

/// How the kernel orders the bytes of a loaded value.
///
/// ```
/// use linx_netfilter::expr::{ByteOrder, MetaKey};
/// assert_eq!(MetaKey::Mark.byte_order(), ByteOrder::Host);
/// assert_eq!(MetaKey::Protocol.byte_order(), ByteOrder::Big);
/// assert_eq!(ByteOrder::Host.u32_bytes(1), 1u32.to_ne_bytes());
/// assert_eq!(ByteOrder::Big.u32_bytes(1), [0, 0, 0, 1]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// The host's native order (little-endian on x86 and most ARM).
    Host,
    /// Network order, big-endian; also used for single bytes and byte strings.
    Big,
}

impl ByteOrder {
    /// `value` as four bytes in this order.
    ///
    /// ```
    /// use linx_netfilter::expr::ByteOrder;
    /// assert_eq!(ByteOrder::Big.u32_bytes(0x0102_0304), [1, 2, 3, 4]);
    /// ```
    pub const fn u32_bytes(self, value: u32) -> [u8; 4] {
        match self {
            ByteOrder::Host => value.to_ne_bytes(),
            ByteOrder::Big => value.to_be_bytes(),
        }
    }
}
