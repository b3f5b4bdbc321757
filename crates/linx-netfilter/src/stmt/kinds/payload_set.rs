//! Header writes: `ip ttl set 64`, `tcp dport set 80`, `ip daddr set ip saddr`, `@nh,8,8 set
//! 0x10` — the [`PayloadSet`] statement, and the facts nft writes them with (checksum type
//! and offset, the pseudo-header flag, the payload expression's attributes).
//!
//! Why a statement of its own: a write is a payload expression with a source register
//! instead of a destination, and nft adds to it what makes the packet stay valid: the
//! header's checksum is updated (`csum_type` and `csum_offset`), and a transport checksum
//! when an address of its pseudo header changes (`csum_flags`). Because the kernel's
//! checksum update works on 16-bit words, nft widens a write of a field with a checksum to
//! an even number of bytes: `ip ttl set 64` loads two bytes, masks the TTL out, ors 64 in,
//! and writes two bytes back. Fields that do not fill their bytes (`ip dscp`, `ip6
//! flowlabel`) are written the same way.
//!
//! # Contract
//! - A [`PayloadSet`] names the bits written (a [`Field::Header`] or a [`Field::Raw`] range)
//!   and whether the write carries the header's checksum update. [`PayloadSet::new`] is what
//!   nft writes for `field set value`; [`PayloadSet::without_checksum`] is what nft writes for
//!   a raw range (`@nh,64,8 set 128`), which it lists by the field's name when the rule's
//!   protocol context names those bits (`ip ttl set 128` in an ip table). A raw range never
//!   carries a checksum update; a field whose header has no checksum and is not part of a
//!   transport pseudo header writes the same either way, and both constructors give the same
//!   statement.
//! - The facts here are nft 1.0.6's (`proto.c`, `evaluate.c`, `netlink_linearize.c`) and the
//!   kernel's dump of `nft_payload_set` (all seven attributes, in its order).
//! - Nothing here panics or allocates beyond the expression data it returns.

use serde::Serialize;

use crate::Expr;
use crate::expr::PayloadBase;
use crate::stmt::{Field, HeaderField, Proto, Source};

/// `<field> set <value>`: a write of packet header bits.
///
/// The fields are private: [`PayloadSet::new`] and [`PayloadSet::without_checksum`] refuse
/// targets that are not payload (meta, conntrack, extension header and the other keys have
/// their own statements).
///
/// ```
/// use linx_netfilter::stmt::{Field, HeaderField, PayloadSet, Source, Value};
/// let ttl = PayloadSet::new(HeaderField::IpTtl.into(), Source::Value(Value::Int(64))).unwrap();
/// assert!(ttl.checksum());
/// // `@nh,64,8 set 128`: no checksum update (nft lists it as `ip ttl set 128` in ip tables).
/// let raw = PayloadSet::without_checksum(HeaderField::IpTtl.into(), Source::Value(Value::Int(128))).unwrap();
/// assert!(!raw.checksum());
/// // ip6 has no header checksum and the hop limit is not in the pseudo header: one write.
/// let hl = Source::Value(Value::Int(1));
/// assert_eq!(
///     PayloadSet::new(HeaderField::Ip6Hoplimit.into(), hl.clone()),
///     PayloadSet::without_checksum(HeaderField::Ip6Hoplimit.into(), hl),
/// );
/// assert!(PayloadSet::new(Field::Meta(linx_netfilter::expr::MetaKey::Mark), Source::Value(Value::Int(1))).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PayloadSet {
    field: Field,
    value: Source,
    checksum: bool,
}

impl PayloadSet {
    /// `field set value` as nft writes it: with the checksum update of the field's header
    /// (and the transport pseudo-header flag for addresses, lengths and protocols), where
    /// there is one. `None` for a target that is not payload.
    pub fn new(field: Field, value: Source) -> Option<PayloadSet> {
        let checksum = match field {
            Field::Header(h) => updates_checksum(h),
            Field::Raw { .. } => false,
            _ => return None,
        };
        Some(PayloadSet {
            field,
            value,
            checksum,
        })
    }

    /// The bits of `field` written as nft writes a raw range (`@th,16,16 set 443`): no
    /// checksum update. `None` for a target that is not payload.
    pub fn without_checksum(field: Field, value: Source) -> Option<PayloadSet> {
        let mut s = PayloadSet::new(field, value)?;
        s.checksum = false;
        Some(s)
    }

    /// The bits written.
    pub fn field(&self) -> &Field {
        &self.field
    }

    /// What is written: a constant or another field.
    pub fn value(&self) -> &Source {
        &self.value
    }

    /// Whether the write updates checksums (nft's `field set value`; `false` for a raw
    /// range, and for fields no checksum covers).
    pub fn checksum(&self) -> bool {
        self.checksum
    }
}

/// `true` when nft's write of `h` carries a checksum update or the pseudo-header flag.
fn updates_checksum(h: HeaderField) -> bool {
    csum_of(h.proto()).is_some() || in_pseudo_header(h)
}

/// nft's checksum of a header: (`NFT_PAYLOAD_CSUM_INET` 1 / `_SCTP` 2, offset in bytes),
/// `None` for headers without one (ip6, ethernet, vlan, arp, dccp, udplite, ah, esp, comp,
/// th).
pub(in crate::stmt) fn csum_of(proto: Proto) -> Option<(u32, u32)> {
    Some(match proto {
        Proto::Ip => (1, 10),
        Proto::Icmp | Proto::Igmp | Proto::Icmpv6 => (1, 2),
        Proto::Tcp => (1, 16),
        Proto::Udp => (1, 6),
        Proto::Sctp => (2, 8),
        _ => return None,
    })
}

/// Fields of the transport checksum's pseudo header: a write sets
/// `NFT_PAYLOAD_L4CSUM_PSEUDOHDR` so the kernel also fixes the transport checksum.
fn in_pseudo_header(h: HeaderField) -> bool {
    use HeaderField as H;
    matches!(
        h,
        H::IpSaddr
            | H::IpDaddr
            | H::IpProtocol
            | H::IpLength
            | H::Ip6Saddr
            | H::Ip6Daddr
            | H::Ip6Nexthdr
            | H::Ip6Length
    )
}

/// The checksum attributes of a write: (`csum_type`, `csum_offset`, `csum_flags`).
pub(in crate::stmt) fn csum_attrs(s: &PayloadSet) -> (u32, u32, u32) {
    let Field::Header(h) = s.field else {
        return (0, 0, 0);
    };
    if !s.checksum {
        return (0, 0, 0);
    }
    let (ty, off) = csum_of(h.proto()).unwrap_or((0, 0));
    (ty, off, u32::from(in_pseudo_header(h)))
}

/// A payload write as the kernel dumps it: the attributes of `nft_payload_set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Write {
    /// Source register.
    pub sreg: u32,
    /// Payload base.
    pub base: PayloadBase,
    /// Offset in bytes.
    pub offset: u32,
    /// Length in bytes.
    pub len: u32,
    /// `NFT_PAYLOAD_CSUM_*`.
    pub csum_type: u32,
    /// Checksum offset in bytes.
    pub csum_offset: u32,
    /// `NFT_PAYLOAD_L4CSUM_PSEUDOHDR` (1) or 0.
    pub csum_flags: u32,
}

impl Write {
    /// The expression: `NFTA_PAYLOAD_SREG` 5, `BASE` 2, `OFFSET` 3, `LEN` 4, `CSUM_TYPE` 6,
    /// `CSUM_OFFSET` 7, `CSUM_FLAGS` 8, each a big-endian u32, in the kernel's dump order.
    pub(crate) fn expr(&self) -> Expr {
        let mut out = Vec::with_capacity(56);
        for (kind, v) in [
            (5u16, self.sreg),
            (2, self.base.number()),
            (3, self.offset),
            (4, self.len),
            (6, self.csum_type),
            (7, self.csum_offset),
            (8, self.csum_flags),
        ] {
            crate::stmt::attrs::put_u32(&mut out, kind, v);
        }
        Expr::unknown("payload", out)
    }

    /// The write in a `payload` expression's data, `None` for anything else (a load, a
    /// malformed or partial attribute list).
    pub(crate) fn parse(mut data: &[u8]) -> Option<Write> {
        let mut v = [None; 9];
        while !data.is_empty() {
            let len = usize::from(u16::from_ne_bytes(data.get(..2)?.try_into().ok()?));
            let kind = usize::from(u16::from_ne_bytes(data.get(2..4)?.try_into().ok()?) & 0x3fff);
            if len != 8 {
                return None;
            }
            let n = u32::from_be_bytes(data.get(4..8)?.try_into().ok()?);
            match v.get_mut(kind) {
                Some(slot @ None) if kind >= 2 => *slot = Some(n),
                _ => return None,
            }
            data = data.get(8..)?;
        }
        let [
            _,
            _,
            Some(base),
            Some(offset),
            Some(len),
            Some(sreg),
            Some(ty),
            Some(off),
            Some(fl),
        ] = v
        else {
            return None;
        };
        Some(Write {
            sreg,
            base: PayloadBase::from_number(base),
            offset,
            len,
            csum_type: ty,
            csum_offset: off,
            csum_flags: fl,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stmt::Value;

    #[test]
    fn write_round_trips_through_its_data() {
        let w = Write {
            sreg: 1,
            base: PayloadBase::Network,
            offset: 8,
            len: 2,
            csum_type: 1,
            csum_offset: 10,
            csum_flags: 0,
        };
        let Expr::Unknown(u) = w.expr() else {
            panic!("a payload write is kept as its attributes");
        };
        assert_eq!(u.name, "payload");
        assert_eq!(Write::parse(&u.data), Some(w));
        // A load (no source register) or a cut attribute is not a write.
        assert_eq!(Write::parse(&u.data[8..]), None);
        assert_eq!(Write::parse(&u.data[..u.data.len() - 1]), None);
        assert_eq!(Write::parse(&[]), None);
    }

    #[test]
    fn checksum_attributes_follow_the_header() {
        let v = || Source::Value(Value::Int(1));
        let of = |f: HeaderField| csum_attrs(&PayloadSet::new(f.into(), v()).unwrap());
        assert_eq!(of(HeaderField::IpTtl), (1, 10, 0));
        assert_eq!(of(HeaderField::IpSaddr), (1, 10, 1));
        assert_eq!(of(HeaderField::Ip6Saddr), (0, 0, 1));
        assert_eq!(of(HeaderField::Ip6Hoplimit), (0, 0, 0));
        assert_eq!(of(HeaderField::TcpDport), (1, 16, 0));
        assert_eq!(of(HeaderField::SctpDport), (2, 8, 0));
        assert_eq!(of(HeaderField::DccpDport), (0, 0, 0));
        let raw = Field::Raw {
            base: PayloadBase::Network,
            bit_offset: 64,
            bit_len: 8,
        };
        assert_eq!(csum_attrs(&PayloadSet::new(raw, v()).unwrap()), (0, 0, 0));
        let ttl = PayloadSet::without_checksum(HeaderField::IpTtl.into(), v()).unwrap();
        assert_eq!(csum_attrs(&ttl), (0, 0, 0));
    }
}
