//! The `verb!` macro: one async body, both flavours (see `linx_netlink_codec::verb!`).

/// `linx_netlink_codec::verb!` with this crate's error type.
macro_rules! verb {
    ($($t:tt)*) => {
        ::linx_netlink_codec::verb! { error = $crate::Error; $($t)* }
    };
}
pub(crate) use verb;
