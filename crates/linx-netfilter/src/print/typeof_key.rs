//! nft's `typeof` descriptions of set keys and map data, decoded from set userdata.
//!
//! nft keeps, for a set declared with `typeof <expr>`, a description of the expression in
//! the set's userdata (TLVs 3 for the key, 4 for map data): `{0: u32 expression kind,
//! 1: {kind-specific TLVs}}`, a concatenation holding one such nest per field (TLV type =
//! field index). nft prints the declaration as `typeof <expr>` and the elements by the
//! expression's datatype (which can differ from the kernel key type: a raw payload key is
//! an `integer` to the kernel and prints in hex).
//!
//! # Contract
//! - [`decode`] names an expression only where every part is known here (names and
//!   datatypes as nft 1.0.6 prints them); anything else is [`Typeof::Unknown`], which the
//!   printer marks as not printed. A concatenation without fields (what nft writes when it
//!   cannot describe one, and Linx for its own concatenations) is [`Typeof::Empty`]: nft
//!   then prints `type`.
//! - Nothing here panics on any input.

use crate::expr::{CtKey, MetaKey};
use crate::stmt::{Datatype, Field, HeaderField, Proto, ct_info, meta_info};

/// How the value of one typeof part prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// By a statement datatype (`value::int` and friends).
    Dt(Datatype),
    /// A NUL-padded string, quoted (`osf name`).
    Str,
    /// A DCCP packet type name (`request`, `reset`).
    DccpType,
    /// A routing address type name (`fib daddr type`: `local`, `broadcast`).
    FibAddrType,
}

/// One field of a typeof key or data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Part {
    /// nft's text of the expression (`meta mark`, `ip saddr`, `@nh,0,8`).
    pub(super) text: String,
    /// How its values print.
    pub(super) kind: Kind,
    /// Width of the value in bits.
    pub(super) bits: u32,
    /// `true` when the kernel holds the value in host byte order.
    pub(super) host: bool,
}

impl Part {
    /// A part from its text, kind, width in bits and byte order.
    pub(super) fn new(text: impl Into<String>, kind: Kind, bits: u32, host: bool) -> Part {
        Part {
            text: text.into(),
            kind,
            bits,
            host,
        }
    }

    /// Bytes the kernel stores for the value.
    pub(super) fn bytes(&self) -> usize {
        self.bits.div_ceil(8) as usize
    }
}

/// A decoded typeof TLV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Typeof {
    /// The fields (one unless a concatenation).
    Parts(Vec<Part>),
    /// `verdict` (map data).
    Verdict,
    /// A concatenation described without fields: nft prints the `type` form.
    Empty,
    /// Something this module does not know.
    Unknown,
}

impl Typeof {
    /// The text after `typeof ` (or after ` : ` for data), when known.
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Typeof::Parts(parts) => Some(
                parts
                    .iter()
                    .map(|p| p.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" . "),
            ),
            Typeof::Verdict => Some("verdict".to_owned()),
            Typeof::Empty | Typeof::Unknown => None,
        }
    }

    /// The key length the description implies (fields of a concatenation padded to 4
    /// bytes), to hold against the kernel's.
    pub(super) fn key_len(&self) -> Option<usize> {
        match self {
            Typeof::Parts(parts) if parts.len() == 1 => parts.first().map(Part::bytes),
            Typeof::Parts(parts) => Some(parts.iter().map(|p| p.bytes().div_ceil(4) * 4).sum()),
            _ => None,
        }
    }
}

/// nft's expression kinds (`enum expr_types`) that appear in typeof descriptions.
mod expr {
    pub(super) const VERDICT: u32 = 1;
    pub(super) const PAYLOAD: u32 = 7;
    pub(super) const EXTHDR: u32 = 8;
    pub(super) const META: u32 = 9;
    pub(super) const SOCKET: u32 = 10;
    pub(super) const OSF: u32 = 11;
    pub(super) const CT: u32 = 12;
    pub(super) const CONCAT: u32 = 13;
    pub(super) const NUMGEN: u32 = 23;
    pub(super) const RT: u32 = 25;
    pub(super) const FIB: u32 = 26;
    pub(super) const XFRM: u32 = 27;
}

/// `type u8 | len u8 | value` TLVs; a truncated tail ends them.
fn tlvs(bytes: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let [kind, len, tail @ ..] = rest else {
            return None;
        };
        let value = tail.get(..usize::from(*len))?;
        rest = &tail[usize::from(*len)..];
        Some((*kind, value))
    })
}

/// The TLVs of `bytes` by type (the last one of a type wins); `None` past type 15.
fn table(bytes: &[u8]) -> Option<[Option<&[u8]>; 16]> {
    let mut out: [Option<&[u8]>; 16] = [None; 16];
    for (kind, value) in tlvs(bytes) {
        *out.get_mut(usize::from(kind))? = Some(value);
    }
    Some(out)
}

fn u32_of(v: Option<&[u8]>) -> Option<u32> {
    let b: [u8; 4] = v?.try_into().ok()?;
    Some(u32::from_ne_bytes(b))
}

/// Decode the value of a key or data typeof TLV.
pub(super) fn decode(value: &[u8]) -> Typeof {
    let Some(t) = table(value) else {
        return Typeof::Unknown;
    };
    let (Some(kind), Some(data)) = (u32_of(t[0]), t[1]) else {
        return Typeof::Unknown;
    };
    match kind {
        expr::VERDICT if data.is_empty() => Typeof::Verdict,
        expr::CONCAT => {
            let mut parts = Vec::new();
            for (i, (index, nest)) in tlvs(data).enumerate() {
                if usize::from(index) != i {
                    return Typeof::Unknown;
                }
                let Some(sub) = table(nest) else {
                    return Typeof::Unknown;
                };
                let (Some(k), Some(d)) = (u32_of(sub[0]), sub[1]) else {
                    return Typeof::Unknown;
                };
                match part(k, d) {
                    Some(p) => parts.push(p),
                    None => return Typeof::Unknown,
                }
            }
            match parts.len() {
                0 => Typeof::Empty,
                1 => Typeof::Unknown,
                _ => Typeof::Parts(parts),
            }
        }
        k => part(k, data).map_or(Typeof::Unknown, |p| Typeof::Parts(vec![p])),
    }
}

/// One non-concatenated expression.
fn part(kind: u32, data: &[u8]) -> Option<Part> {
    let t = table(data)?;
    match kind {
        expr::PAYLOAD => payload(&t),
        expr::META => {
            let key = MetaKey::from_number(u32_of(t[0])?);
            let (_, len, order, dt) = meta_info(key)?;
            Some(Part::new(
                Field::Meta(key).to_string(),
                Kind::Dt(dt),
                len * 8,
                order == crate::expr::ByteOrder::Host,
            ))
        }
        expr::CT => {
            let key = CtKey::from_number(u32_of(t[0])?);
            let (name, len, order, dt) = ct_info(key)?;
            let text = match u32_of(t[1]) {
                Some(u32::MAX) | None => Field::Ct(key).to_string(),
                Some(0) => format!("ct original {name}"),
                Some(1) => format!("ct reply {name}"),
                Some(_) => return None,
            };
            Some(Part::new(
                text,
                Kind::Dt(dt),
                len * 8,
                order == crate::expr::ByteOrder::Host,
            ))
        }
        expr::EXTHDR => {
            let (desc, field, op) = (u32_of(t[0])?, u32_of(t[1])?, u32_of(t[2])?);
            let (text, bits) = match (op, desc, field) {
                // TCP option (op 1) maxseg (kind 2), field size.
                (1, 2, 2) => ("tcp option maxseg size", 16),
                // IPv4 option (op 2) record route (7), field ptr.
                (2, 7, 4) => ("ip option rr ptr", 8),
                // SCTP chunk (op 3) init (1), field num-inbound-streams.
                (3, 1, 6) => ("sctp chunk init num-inbound-streams", 16),
                _ => return None,
            };
            Some(Part::new(text, Kind::Dt(Datatype::Integer), bits, false))
        }
        expr::SOCKET => match (u32_of(t[0])?, t[1]) {
            (1, None) => Some(Part::new("socket mark", Kind::Dt(Datatype::Mark), 32, true)),
            _ => None,
        },
        expr::OSF if data.is_empty() => Some(Part::new("osf name", Kind::Str, 128, false)),
        expr::NUMGEN => {
            let kind = match u32_of(t[0])? {
                0 => "inc",
                1 => "random",
                _ => return None,
            };
            let modulus = u32_of(t[1])?;
            let mut text = format!("numgen {kind} mod {modulus}");
            match u32_of(t[2]) {
                None | Some(0) => {}
                Some(offset) => text.push_str(&format!(" offset {offset}")),
            }
            Some(Part::new(text, Kind::Dt(Datatype::Integer), 32, true))
        }
        expr::RT => match u32_of(t[0])? {
            // A realm prints as a number unless /etc/iproute2/rt_realms names it (0).
            0 => Some(Part::new("rt classid", Kind::Dt(Datatype::Realm), 32, true)),
            _ => None,
        },
        expr::FIB => fib(u32_of(t[0])?, u32_of(t[1])?),
        expr::XFRM => {
            let dir = match u32_of(t[1])? {
                0 => "in",
                1 => "out",
                _ => return None,
            };
            let spnum = match u32_of(t[2]) {
                None | Some(0) => String::new(),
                Some(n) => format!("spnum {n} "),
            };
            match u32_of(t[0])? {
                5 => Some(Part::new(
                    format!("ipsec {dir} {spnum}reqid"),
                    Kind::Dt(Datatype::Integer),
                    32,
                    true,
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

/// nft's `fib <flags> <result>`.
fn fib(result: u32, flags: u32) -> Option<Part> {
    const FLAGS: [(u32, &str); 5] = [
        (1, "saddr"),
        (2, "daddr"),
        (4, "mark"),
        (8, "iif"),
        (16, "oif"),
    ];
    if flags == 0 || flags & !0x1f != 0 {
        return None;
    }
    let names: Vec<&str> = FLAGS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    let (word, kind, bits, host) = match result {
        1 => ("oif", Kind::Dt(Datatype::IfIndex), 32, true),
        2 => ("oifname", Kind::Dt(Datatype::Ifname), 128, false),
        3 => ("type", Kind::FibAddrType, 32, true),
        _ => return None,
    };
    Some(Part::new(
        format!("fib {} {word}", names.join(" . ")),
        kind,
        bits,
        host,
    ))
}

/// Header fields by nft's protocol description id and template index.
fn header_name(desc: u32, index: u32) -> Option<(Proto, &'static str)> {
    let (proto, names): (Proto, &[&str]) = match desc {
        1 => (
            Proto::Ah,
            &["nexthdr", "hdrlength", "reserved", "spi", "sequence"],
        ),
        2 => (Proto::Esp, &["spi", "sequence"]),
        3 => (Proto::Comp, &["nexthdr", "flags", "cpi"]),
        4 => (
            Proto::Icmp,
            &[
                "type", "code", "checksum", "id", "sequence", "gateway", "mtu",
            ],
        ),
        6 => (Proto::Udp, &["sport", "dport", "length", "checksum"]),
        7 => (Proto::Udplite, &["sport", "dport", "csumcov", "checksum"]),
        8 => (
            Proto::Tcp,
            &[
                "sport", "dport", "sequence", "ackseq", "doff", "reserved", "flags", "window",
                "checksum", "urgptr",
            ],
        ),
        9 => (Proto::Dccp, &["sport", "dport", "type"]),
        10 => (Proto::Sctp, &["sport", "dport", "vtag", "checksum"]),
        11 => (Proto::Th, &["sport", "dport"]),
        12 => (
            Proto::Ip,
            &[
                "version",
                "hdrlength",
                "dscp",
                "ecn",
                "length",
                "id",
                "frag-off",
                "ttl",
                "protocol",
                "checksum",
                "saddr",
                "daddr",
            ],
        ),
        13 => (
            Proto::Ip6,
            &[
                "version",
                "dscp",
                "ecn",
                "flowlabel",
                "length",
                "nexthdr",
                "hoplimit",
                "saddr",
                "daddr",
            ],
        ),
        14 => (
            Proto::Icmpv6,
            &[
                "type",
                "code",
                "checksum",
                "param-problem",
                "mtu",
                "id",
                "sequence",
                "max-delay",
            ],
        ),
        15 => (
            Proto::Arp,
            &[
                "htype",
                "ptype",
                "hlen",
                "plen",
                "operation",
                "saddr ether",
                "saddr ip",
                "daddr ether",
                "daddr ip",
            ],
        ),
        16 => (Proto::Vlan, &["pcp", "dei", "cfi", "id", "type"]),
        17 => (Proto::Ether, &["daddr", "saddr", "type"]),
        _ => return None,
    };
    let i = usize::try_from(index.checked_sub(1)?).ok()?;
    names.get(i).map(|n| (proto, *n))
}

fn payload(t: &[Option<&[u8]>; 16]) -> Option<Part> {
    let desc = u32_of(t[0])?;
    if desc == 0 {
        // A raw payload range: base (nft's numbering: link 1, network 2, transport 3),
        // offset and length in bits.
        // nft prints a range it stored raw as such, even where a header field has the
        // same bits (it stores a field it recognised at declaration as that field).
        let base = match u32_of(t[2])? {
            1 => "ll",
            2 => "nh",
            3 => "th",
            _ => return None,
        };
        let (offset, len) = (u32_of(t[3])?, u32_of(t[4])?);
        if len == 0 || len > 64 {
            return None;
        }
        // Raw values print as unpadded hex (`0x1010101`).
        return Some(Part::new(
            format!("@{base},{offset},{len}"),
            Kind::Dt(Datatype::Hex),
            len,
            false,
        ));
    }
    let (proto, name) = header_name(desc, u32_of(t[1])?)?;
    let text = format!("{} {name}", proto.name());
    if (proto, name) == (Proto::Dccp, "type") {
        return Some(Part::new(text, Kind::DccpType, 8, false));
    }
    let field = HeaderField::ALL
        .iter()
        .find(|f| f.proto() == proto && f.name() == name)?;
    Some(Part::new(
        text,
        Kind::Dt(field.datatype()),
        field.bit_len(),
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The value of TLV 3 (key typeof) in set userdata `ud`.
    fn key_typeof(ud: &str) -> Typeof {
        let ud = hex(ud);
        let v = tlvs(&ud).find(|(k, _)| *k == 3).unwrap().1.to_vec();
        decode(&v)
    }

    #[test]
    fn decodes_what_nft_wrote() {
        // Userdata nft 1.0.6 wrote for the corpus sets (byte order TLV, then typeof).
        let cases = [
            ("000401000000030e0004090000000106000404000000", "iif"),
            ("000401000000030e000409000000010600040a000000", "meta skuid"),
            (
                "000401000000031400040c000000010c0004030000000104ffffffff",
                "ct mark",
            ),
            (
                "0004020000000314000407000000010c000409000000010403000000",
                "dccp type",
            ),
            (
                "000402000000031a000407000000011200040d000000010404000000040414000000",
                "ip6 flowlabel",
            ),
            (
                "000402000000031a000407000000011200041000000001040400000004040c000000",
                "vlan id",
            ),
            (
                "000400000000032e00040d0000000126000e00040900000001060004030000000114000407000000010c00040c00000001040b000000",
                "meta mark . ip saddr",
            ),
            (
                "000400000000033400040d000000012c001400040c000000010c0004010000000104ffffffff011400040c000000010c0004030000000104ffffffff",
                "ct direction . ct mark",
            ),
            ("000401000000030800040b0000000100", "osf name"),
            (
                "000402000000031a0004080000000112010402000000020401000000000402000000",
                "tcp option maxseg size",
            ),
            (
                "000401000000031a0004170000000112000400000000010402000000020400000000",
                "numgen inc mod 2",
            ),
            ("000401000000030e0004190000000106000400000000", "rt classid"),
            (
                "000401000000031a00041b0000000112000405000000010400000000020400000000",
                "ipsec in reqid",
            ),
            (
                "000401000000030e00040a0000000106000401000000",
                "socket mark",
            ),
            (
                "000401000000031400041a000000010c000403000000010402000000",
                "fib daddr type",
            ),
            (
                "0004020000000326000407000000011e000400000000010400000000020402000000030400000000040408000000",
                "@nh,0,8",
            ),
        ];
        for (ud, text) in cases {
            assert_eq!(key_typeof(ud).text().as_deref(), Some(text), "{ud}");
        }
    }

    #[test]
    fn widths_and_orders() {
        let Typeof::Parts(p) =
            key_typeof("000401000000031400040c000000010c0004110000000104ffffffff")
        else {
            panic!("ct zone")
        };
        assert_eq!(
            (p[0].text.as_str(), p[0].bits, p[0].host),
            ("ct zone", 16, true)
        );
        let t = key_typeof(
            "000400000000032e00040d0000000126000e000409000000010600040a0000000114000407000000010c000408000000010402000000",
        );
        assert_eq!(t.text().as_deref(), Some("meta skuid . tcp dport"));
        assert_eq!(t.key_len(), Some(8));
    }

    #[test]
    fn empty_concat_and_garbage() {
        assert_eq!(decode(&[0, 4, 13, 0, 0, 0, 1, 0]), Typeof::Empty);
        assert_eq!(decode(&[0, 4, 1, 0, 0, 0, 1, 0]), Typeof::Verdict);
        assert_eq!(decode(&[]), Typeof::Unknown);
        assert_eq!(decode(&[0, 4, 9, 0, 0]), Typeof::Unknown);
        assert_eq!(decode(&[0, 4, 99, 0, 0, 0, 1, 0]), Typeof::Unknown);
        // Every prefix of a real description decodes without panicking.
        let ud = hex(
            "00040d0000000126000e00040900000001060004030000000114000407000000010c00040c00000001040b000000",
        );
        for n in 0..ud.len() {
            let _ = decode(&ud[..n]);
        }
    }

    proptest::proptest! {
        /// Well-framed descriptions of any expression kind and data decode without panicking,
        /// alone and as the fields of a concatenation.
        #[test]
        fn framed_descriptions_never_panic(
            kind in 0u32..32,
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            let mut one = vec![0, 4];
            one.extend_from_slice(&kind.to_ne_bytes());
            one.push(1);
            one.push(data.len() as u8);
            one.extend_from_slice(&data);
            let _ = decode(&one);
            let mut concat = vec![0, 4, 13, 0, 0, 0, 1, (one.len() * 2 + 4) as u8];
            for i in 0..2u8 {
                concat.push(i);
                concat.push(one.len() as u8);
                concat.extend_from_slice(&one);
            }
            let _ = decode(&concat);
        }
    }
}
