//! The `verb!` macro: one async body, both flavours (see `linx_netlink_codec::transport`).

/// Declare a verb: `verb! { /// docs \n pub fn name(sock, arg: Ty, ...) -> Out { async body } }`
/// expands to a function generic over the socket flavour whose body is `async` and returns
/// `Result<Out, crate::Error>`.
macro_rules! verb {
    ($(#[$m:meta])* $vis:vis fn $name:ident($sock:ident $(, $arg:ident : $ty:ty)* $(,)?) -> $out:ty $body:block) => {
        $(#[$m])*
        $vis fn $name<S>($sock: &S $(, $arg: $ty)*)
            -> S::Run<impl ::std::future::Future<Output = ::core::result::Result<$out, $crate::Error>>>
        where
            S: ::linx_netlink_codec::Transport + ::linx_netlink_codec::Flavor,
        {
            S::run(async move $body)
        }
    };
}
pub(crate) use verb;
