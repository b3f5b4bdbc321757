//! The ICMP type an ICMP or ICMPv6 field past the code depends on (nft's `icmp_dep`).
//!
//! `icmp id` only means something in an echo message, `icmp mtu` in a
//! destination-unreachable one: nft matches the type before such a field unless the rule
//! matched a type already. The lowering writes that match, the lift names the field by it.

use super::HeaderField;

/// The ICMP type an ICMP or ICMPv6 field past the code needs (nft's `icmp_dep`): one of the
/// echo types (a set of both when nft adds it), or one type nft adds and drops again when it
/// prints (`icmp mtu` needs `destination-unreachable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IcmpDep {
    /// `echo-request` / `echo-reply` (`icmp id`, `icmp sequence`).
    Echo,
    /// This one type.
    Type(u8),
}

/// The ICMP type dependency of `h`, `None` for fields with none (type, code, checksum, and
/// anything but ICMP and ICMPv6).
pub(crate) fn icmp_dep(h: HeaderField) -> Option<IcmpDep> {
    use HeaderField as H;
    Some(match h {
        H::IcmpId | H::IcmpSequence | H::Icmpv6Id | H::Icmpv6Sequence => IcmpDep::Echo,
        H::IcmpMtu => IcmpDep::Type(3),
        H::IcmpGateway => IcmpDep::Type(5),
        H::Icmpv6Mtu => IcmpDep::Type(2),
        H::Icmpv6MaxDelay => IcmpDep::Type(130),
        _ => return None,
    })
}

/// The echo types of ICMP (`echo-request`, `echo-reply`) or ICMPv6, in the order nft adds
/// them as a dependency.
pub(crate) fn echo_types(v6: bool) -> [u8; 2] {
    if v6 { [128, 129] } else { [8, 0] }
}
