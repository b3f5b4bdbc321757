//! [`Packet`]: one logged packet (`NFULNL_MSG_PACKET`), declared once with `typed_attrs!`
//! (parse, emit, length and wire order generated), and the value codecs of its fixed
//! structs ([`PacketHdr`], [`Timestamp`], [`HwAddr`]).
//!
//! The layout is drawn on [`Packet`].
//!
//! # Contract
//! - **Lossless.** The first attribute of each declared type is typed; duplicates, unknown
//!   types and values a codec declines (a struct longer than the kernel's today, a non-zero
//!   pad, a hardware address with bytes past its length, a prefix that is not one UTF-8
//!   string with one NUL) are kept raw in [`Packet::other`], in order, so
//!   `emit(parse(bytes)) == bytes` for every payload that parses.
//! - **Strict for what is known.** A declared attribute too short for its type fails the
//!   message with a [`DecodeError`] naming the attribute.
//! - Byte order: every number of this subsystem is big-endian on the wire; the typed values
//!   are host numbers ([`Be32`] holds the host value).
//! - Never panics on any input; decoding allocates the packet, its payload and raw bytes.
//!
//! # See also
//! `<linux/netfilter/nfnetlink_log.h>`, `net/netfilter/nfnetlink_log.c`, libnetfilter_log.

use linx_netlink_codec::{
    AttrValue, AttrWriter, Be32, DecodeCx, DecodeError, EncodeError, FixedHeader, MsgView,
    NlBuffer, NulStr, RawAttrs, WireOrder, typed_attrs,
};
use linx_nfnl::NfGenMsg;

use super::consts::*;

/// `struct nfulnl_msg_packet_hdr`: the packet's link-layer protocol and the hook that logged
/// it.
///
/// ```
/// use linx_netfilter::nflog::PacketHdr;
/// use linx_netlink_codec::AttrValue;
/// let h = PacketHdr::parse_value(&[0x08, 0x00, 3, 0])?;
/// assert_eq!(h, PacketHdr { hw_protocol: 0x0800, hook: 3 });
/// # Ok::<(), linx_netlink_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PacketHdr {
    /// `hw_protocol`: the `ETH_P_*` EtherType (`0x0800` IPv4, `0x86dd` IPv6), host order.
    pub hw_protocol: u16,
    /// `hook`: the netfilter hook number (`NF_INET_PRE_ROUTING` 0, `LOCAL_IN` 1, `FORWARD`
    /// 2, `LOCAL_OUT` 3, `POST_ROUTING` 4; ingress/egress numbers of netdev tables).
    pub hook: u8,
}

impl AttrValue for PacketHdr {
    const CODEC: &'static str = "nfulnl_msg_packet_hdr";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        match p {
            [a, b, hook, _, ..] => Ok(PacketHdr {
                hw_protocol: u16::from_be_bytes([*a, *b]),
                hook: *hook,
            }),
            _ => Err(DecodeError::truncated(Self::CODEC, 0, 4, p.len())),
        }
    }
    fn decode(p: &[u8], _: DecodeCx<'_>) -> Result<Option<Self>, DecodeError> {
        let v = Self::parse_value(p)?;
        // A longer struct or a non-zero pad stays raw: the typed value could not re-emit it.
        Ok((p.len() == 4 && p[3] == 0).then_some(v))
    }
    fn value_len(_: &Self) -> usize {
        4
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(&v.hw_protocol.to_be_bytes());
        buf.put_slice(&[v.hook, 0]);
        Ok(())
    }
}

/// `struct nfulnl_msg_packet_timestamp`: when the packet was received (seconds and
/// microseconds since the epoch).
///
/// ```
/// use linx_netfilter::nflog::Timestamp;
/// let t = Timestamp { sec: 1_700_000_000, usec: 250_000 };
/// assert_eq!(t.to_duration().as_millis(), 1_700_000_000_250);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds.
    pub sec: u64,
    /// Microseconds.
    pub usec: u64,
}

impl Timestamp {
    /// The time since the epoch (saturating).
    pub fn to_duration(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.sec)
            .saturating_add(std::time::Duration::from_micros(self.usec))
    }
}

impl AttrValue for Timestamp {
    const CODEC: &'static str = "nfulnl_msg_packet_timestamp";
    fn parse_value(p: &[u8]) -> Result<Self, DecodeError> {
        let word = |at: usize| {
            p.get(at..at + 8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
        };
        match (word(0), word(8)) {
            (Some(sec), Some(usec)) => Ok(Timestamp { sec, usec }),
            _ => Err(DecodeError::truncated(Self::CODEC, 0, 16, p.len())),
        }
    }
    fn decode(p: &[u8], _: DecodeCx<'_>) -> Result<Option<Self>, DecodeError> {
        let v = Self::parse_value(p)?;
        Ok((p.len() == 16).then_some(v))
    }
    fn value_len(_: &Self) -> usize {
        16
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(&v.sec.to_be_bytes());
        buf.put_slice(&v.usec.to_be_bytes());
        Ok(())
    }
}

/// The codec of `struct nfulnl_msg_packet_hw`: the value is the hardware address cut to its
/// length (`hw_addrlen`, at most 8 bytes).
///
/// Decoding declines (the attribute stays raw) a length above 8, a non-zero pad or non-zero
/// bytes past the length (the kernel zeroes them), so the cut address re-emits exactly.
///
/// ```
/// use linx_netfilter::nflog::HwAddr;
/// use linx_netlink_codec::{AttrValue, DecodeCx};
/// let wire = [0, 6, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0];
/// assert_eq!(HwAddr::decode(&wire, DecodeCx::default())?, Some(vec![2, 0, 0, 0, 0, 1]));
/// let mut out = Vec::new();
/// HwAddr::emit_value(&vec![2, 0, 0, 0, 0, 1], &mut out)?;
/// assert_eq!(out, wire);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HwAddr;

impl AttrValue<Vec<u8>> for HwAddr {
    const CODEC: &'static str = "nfulnl_msg_packet_hw";
    fn parse_value(p: &[u8]) -> Result<Vec<u8>, DecodeError> {
        if p.len() < 12 {
            return Err(DecodeError::truncated(Self::CODEC, 0, 12, p.len()));
        }
        let len = usize::from(u16::from_be_bytes([p[0], p[1]])).min(8);
        Ok(p[4..4 + len].to_vec())
    }
    fn decode(p: &[u8], _: DecodeCx<'_>) -> Result<Option<Vec<u8>>, DecodeError> {
        let addr = Self::parse_value(p)?;
        let exact = p.len() == 12
            && usize::from(u16::from_be_bytes([p[0], p[1]])) == addr.len()
            && p[2..4] == [0, 0]
            && p[4 + addr.len()..].iter().all(|&b| b == 0);
        Ok(exact.then_some(addr))
    }
    fn value_len(_: &Vec<u8>) -> usize {
        12
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Vec<u8>, buf: &mut B) -> Result<(), EncodeError> {
        let addr = v.get(..8).unwrap_or(v);
        // `addr` is at most 8 bytes long, so the length fits.
        buf.put_slice(&(addr.len() as u16).to_be_bytes());
        buf.put_zeros(2);
        buf.put_slice(addr);
        buf.put_zeros(8 - addr.len());
        Ok(())
    }
}

/// One logged packet (`NFULNL_MSG_PACKET`): the header's family and group, the typed
/// attributes, and every other attribute raw.
///
/// ```text
/// nlmsghdr | nfgenmsg {family = NFPROTO_* of the packet, version 0, res_id = group (BE16)}
///          | NFULA_PACKET_HDR  1: hw_protocol BE16 | hook u8 | pad u8
///          | NFULA_MARK        2: BE32
///          | NFULA_TIMESTAMP   3: sec BE64 | usec BE64
///          | NFULA_IFINDEX_*   4..=7: BE32 (in, out, physin, physout)
///          | NFULA_HWADDR      8: hw_addrlen BE16 | pad u16 | hw_addr [u8; 8]
///          | NFULA_PAYLOAD     9: the packet from its network header, cut to the copy range
///          | NFULA_PREFIX     10: the rule's prefix, NUL-terminated
///          | NFULA_UID 11, NFULA_SEQ 12, NFULA_SEQ_GLOBAL 13, NFULA_GID 14: BE32
///          | anything else (hw type and header, conntrack, vlan, l2 header): kept raw
/// ```
///
/// ```
/// use linx_netfilter::nflog::Packet;
/// use linx_netlink_codec::Be32;
/// let p = Packet {
///     family: 2,
///     group: 5,
///     prefix: Some("drop: ".into()),
///     mark: Some(Be32(7)),
///     payload: Some(vec![0x45, 0, 0, 20]),
///     ..Packet::default()
/// };
/// let mut wire = Vec::new();
/// p.emit(&mut wire)?;
/// assert_eq!(wire.len(), p.buffer_len());
/// assert_eq!(Packet::parse(&wire)?, p);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packet {
    /// `nfgen_family`: the `NFPROTO_*` family of the packet (2 IPv4, 10 IPv6, 7 bridge, 3
    /// ARP, 5 netdev).
    pub family: u8,
    /// `version` of the `nfgenmsg` (0).
    pub version: u8,
    /// `res_id`: the NFLOG group.
    pub group: u16,
    /// `NFULA_PACKET_HDR`: link-layer protocol and hook.
    pub hdr: Option<PacketHdr>,
    /// `NFULA_MARK`: the packet mark (absent when 0).
    pub mark: Option<Be32>,
    /// `NFULA_TIMESTAMP`: receive time (absent for packets without one, e.g. most locally
    /// generated ones).
    pub timestamp: Option<Timestamp>,
    /// `NFULA_IFINDEX_INDEV`: input interface index.
    pub indev: Option<Be32>,
    /// `NFULA_IFINDEX_OUTDEV`: output interface index.
    pub outdev: Option<Be32>,
    /// `NFULA_IFINDEX_PHYSINDEV`: bridge port in.
    pub physindev: Option<Be32>,
    /// `NFULA_IFINDEX_PHYSOUTDEV`: bridge port out.
    pub physoutdev: Option<Be32>,
    /// `NFULA_HWADDR`: the source hardware address, cut to its length.
    pub hwaddr: Option<Vec<u8>>,
    /// `NFULA_PAYLOAD`: the packet from its network header, cut to the copy range (only
    /// with [`CopyMode::Packet`](super::CopyMode::Packet)).
    pub payload: Option<Vec<u8>>,
    /// `NFULA_PREFIX`: the logging rule's prefix, without its NUL.
    pub prefix: Option<String>,
    /// `NFULA_UID`: owner uid of the local socket.
    pub uid: Option<Be32>,
    /// `NFULA_SEQ`: per-group sequence number ([`ConfigFlags::SEQ`](super::ConfigFlags::SEQ)).
    pub seq: Option<Be32>,
    /// `NFULA_SEQ_GLOBAL`: namespace-wide sequence number.
    pub seq_global: Option<Be32>,
    /// `NFULA_GID`: owner gid of the local socket.
    pub gid: Option<Be32>,
    /// Every other attribute (hardware type and header, conntrack, VLAN, layer-2 header,
    /// duplicates, declined values), as received.
    pub other: RawAttrs,
    /// The order the attributes arrived in.
    pub wire_order: WireOrder,
}

typed_attrs! {
    impl Packet {
        1: NFULA_PACKET_HDR => hdr as PacketHdr,
        2: NFULA_MARK => mark as Be32,
        3: NFULA_TIMESTAMP => timestamp as Timestamp,
        4: NFULA_IFINDEX_INDEV => indev as Be32,
        5: NFULA_IFINDEX_OUTDEV => outdev as Be32,
        6: NFULA_IFINDEX_PHYSINDEV => physindev as Be32,
        7: NFULA_IFINDEX_PHYSOUTDEV => physoutdev as Be32,
        8: NFULA_HWADDR => hwaddr as HwAddr,
        9: NFULA_PAYLOAD => payload as Vec<u8>,
        10: NFULA_PREFIX => prefix as NulStr,
        11: NFULA_UID => uid as Be32,
        12: NFULA_SEQ => seq as Be32,
        13: NFULA_SEQ_GLOBAL => seq_global as Be32,
        14: NFULA_GID => gid as Be32,
    }
}

impl Packet {
    /// Decode a packet message's payload (after `nlmsghdr`: `nfgenmsg` and attributes).
    ///
    /// ```
    /// use linx_netfilter::nflog::Packet;
    /// let mut p = vec![2, 0, 0, 9]; // nfgenmsg: IPv4, group 9
    /// p.extend_from_slice(&[8, 0, 1, 0, 0x08, 0x00, 1, 0]); // PACKET_HDR: IPv4, input hook
    /// p.extend_from_slice(&[8, 0, 99, 0, 1, 2, 3, 4]); // unknown: kept
    /// let pkt = Packet::parse(&p)?;
    /// assert_eq!((pkt.family, pkt.group, pkt.hook()), (2, 9, Some(1)));
    /// assert_eq!(pkt.other.iter().count(), 1);
    /// # Ok::<(), linx_netlink_codec::DecodeError>(())
    /// ```
    pub fn parse(payload: &[u8]) -> Result<Packet, DecodeError> {
        let h = NfGenMsg::parse(payload)?;
        let head = Packet {
            family: h.family,
            version: h.version,
            group: h.res_id,
            ..Packet::default()
        };
        let attrs = payload.get(NfGenMsg::LEN..).unwrap_or_default();
        Packet::with_attrs(head, attrs, NfGenMsg::LEN, DecodeCx::family(h.family))
    }

    /// Decode a received message (its type is not checked; see
    /// [`Event::from_msg`](super::Event::from_msg)).
    pub fn from_msg(msg: &MsgView<'_>) -> Result<Packet, DecodeError> {
        Packet::parse(msg.payload())
    }

    /// Bytes [`emit`](Self::emit) appends.
    pub fn buffer_len(&self) -> usize {
        NfGenMsg::LEN + self.attrs_len()
    }

    /// Append the payload (`nfgenmsg` and attributes) in the order received, or in
    /// declaration order for a packet built in code. Fails only when an attribute exceeds
    /// 64 KiB.
    pub fn emit<B: NlBuffer + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        NfGenMsg {
            family: self.family,
            version: self.version,
            res_id: self.group,
        }
        .append(buf);
        self.emit_attrs(&mut AttrWriter::new(buf))
    }

    /// The hook that logged the packet (`hdr.hook`).
    pub fn hook(&self) -> Option<u8> {
        self.hdr.map(|h| h.hook)
    }

    /// The link-layer protocol (`hdr.hw_protocol`, an EtherType).
    pub fn hw_protocol(&self) -> Option<u16> {
        self.hdr.map(|h| h.hw_protocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linx_netlink_codec::DecodeErrorKind;

    fn attr(b: &mut Vec<u8>, kind: u16, payload: &[u8]) {
        b.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
        b.extend_from_slice(&kind.to_ne_bytes());
        b.extend_from_slice(payload);
        while b.len() % 4 != 0 {
            b.push(0);
        }
    }

    /// The payload of a packet as `nfulnl_log_packet` lays it out for a locally sent UDP
    /// datagram on the output hook (attribute order of `__build_packet_message`).
    fn udp_out() -> Vec<u8> {
        let mut b = vec![2, 0, 0, 5]; // IPv4, group 5
        attr(&mut b, NFULA_PACKET_HDR, &[0x08, 0x00, 3, 0]);
        attr(&mut b, NFULA_PREFIX, b"lx-test \0");
        attr(&mut b, NFULA_IFINDEX_OUTDEV, &1u32.to_be_bytes());
        attr(&mut b, NFULA_MARK, &0x2au32.to_be_bytes());
        attr(&mut b, NFULA_HWTYPE, &772u16.to_be_bytes());
        attr(&mut b, NFULA_UID, &0u32.to_be_bytes());
        attr(&mut b, NFULA_GID, &0u32.to_be_bytes());
        attr(&mut b, NFULA_SEQ, &7u32.to_be_bytes());
        attr(&mut b, NFULA_PAYLOAD, &[0x45, 0, 0, 29, 1, 2]);
        b
    }

    #[test]
    fn a_packet_decodes_typed_and_keeps_the_rest_in_order() {
        let wire = udp_out();
        let p = Packet::parse(&wire).unwrap();
        assert_eq!((p.family, p.group), (2, 5));
        assert_eq!(
            p.hdr,
            Some(PacketHdr {
                hw_protocol: 0x0800,
                hook: 3
            })
        );
        assert_eq!(p.prefix.as_deref(), Some("lx-test "));
        assert_eq!(p.outdev, Some(Be32(1)));
        assert_eq!(p.mark, Some(Be32(42)));
        assert_eq!(
            (p.uid, p.gid, p.seq),
            (Some(Be32(0)), Some(Be32(0)), Some(Be32(7)))
        );
        assert_eq!(p.payload.as_deref(), Some(&[0x45, 0, 0, 29, 1, 2][..]));
        let raw: Vec<u16> = p.other.iter().map(|a| a.unwrap().kind()).collect();
        assert_eq!(raw, [NFULA_HWTYPE]);
        let mut out = Vec::new();
        p.emit(&mut out).unwrap();
        assert_eq!(out, wire);
        assert_eq!(p.buffer_len(), wire.len());
    }

    #[test]
    fn hwaddr_is_cut_to_its_length_and_odd_values_stay_raw() {
        let mut b = vec![7, 0, 0, 1];
        attr(&mut b, NFULA_HWADDR, &[0, 6, 0, 0, 2, 0, 0, 0, 0, 9, 0, 0]);
        let p = Packet::parse(&b).unwrap();
        assert_eq!(p.hwaddr, Some(vec![2, 0, 0, 0, 0, 9]));

        // Bytes past the length, a pad byte set, a longer header: kept raw, re-emitted.
        let mut b = vec![7, 0, 0, 1];
        attr(&mut b, NFULA_HWADDR, &[0, 2, 0, 0, 2, 0, 0, 0, 0, 9, 0, 0]);
        attr(&mut b, NFULA_PACKET_HDR, &[0x08, 0x00, 3, 1]);
        attr(&mut b, NFULA_TIMESTAMP, &[0; 20]);
        attr(&mut b, NFULA_PREFIX, b"no nul");
        let p = Packet::parse(&b).unwrap();
        assert_eq!(
            (p.hwaddr.clone(), p.hdr, p.timestamp, p.prefix.clone()),
            (None, None, None, None)
        );
        assert_eq!(p.other.iter().count(), 4);
        let mut out = Vec::new();
        p.emit(&mut out).unwrap();
        assert_eq!(out, b);
    }

    #[test]
    fn a_short_known_attribute_fails_the_packet_with_its_path() {
        let mut b = vec![2, 0, 0, 1];
        attr(&mut b, NFULA_MARK, &[0, 1]);
        let e = Packet::parse(&b).unwrap_err();
        assert_eq!(e.path.as_slice(), [NFULA_MARK]);
        assert!(matches!(
            e.kind,
            DecodeErrorKind::BadSize {
                expected: 4,
                got: 2
            }
        ));
        let mut b = vec![2, 0, 0, 1];
        attr(&mut b, NFULA_TIMESTAMP, &[0; 8]);
        assert!(Packet::parse(&b).is_err());
        assert!(Packet::parse(&[2, 0]).is_err());
    }

    #[test]
    fn timestamps_are_big_endian_seconds_and_microseconds() {
        let mut b = vec![10, 0, 0, 1];
        let mut t = 1_700_000_000u64.to_be_bytes().to_vec();
        t.extend_from_slice(&5u64.to_be_bytes());
        attr(&mut b, NFULA_TIMESTAMP, &t);
        let p = Packet::parse(&b).unwrap();
        assert_eq!(
            p.timestamp,
            Some(Timestamp {
                sec: 1_700_000_000,
                usec: 5
            })
        );
    }
}
