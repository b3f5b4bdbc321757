//! Extension header fields: IPv6 extension headers (`hbh nexthdr`, `frag more-fragments`,
//! `srh sid[1]`), IPv4 options (`ip option rr ptr`), TCP options (`tcp option maxseg size`)
//! and SCTP chunks (`sctp chunk init num-inbound-streams`), and their presence (`exthdr hbh
//! exists`, `tcp option sack-perm missing`).
//!
//! Why a field of its own: the kernel reads these with its `exthdr` expression, which finds
//! the header (or option, or chunk) by its type number wherever it sits in the packet and
//! then loads bytes at an offset inside it. So a field is a type number and a bit range
//! within that header, not a payload offset; [`HeaderField`](super::HeaderField)'s table
//! cannot name it. The names, offsets and widths here are nft 1.0.6's (`exthdr.c`,
//! `ipopt.c`, `tcpopt.c`, `sctp_chunk.c`), limited to the ones nft prints back by name.
//!
//! # Contract
//! - An [`ExthdrField`] is either a bit range of 1 to 128 bits inside a header of one type
//!   (at most 255 bytes in), or the presence test of a header of that type (nft's
//!   `NFT_EXTHDR_F_PRESENT`: one byte, 1 when present, 0 when missing).
//! - Named constructors ([`ExthdrField::named`], [`ExthdrField::exists`]) take nft's
//!   words; [`ExthdrField::raw`] and [`ExthdrField::presence`] take numbers. Fields nft has
//!   no name for print (only) as TCP options do: `tcp option @254,16,16`, `tcp option 254`;
//!   [`ExthdrField::is_printable`] says which.
//! - Nothing here allocates or panics.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Datatype;

/// Which kind of extension header an [`ExthdrField`] reads (nft's `enum nft_exthdr_op`).
///
/// ```
/// use linx_netfilter::stmt::ExthdrProto;
/// assert_eq!(ExthdrProto::TcpOption.op(), 1);
/// assert_eq!(ExthdrProto::from_op(3), Some(ExthdrProto::SctpChunk));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExthdrProto {
    /// IPv6 extension headers (`NFT_EXTHDR_OP_IPV6`, 0), found by their next-header number.
    Ip6,
    /// TCP options (`NFT_EXTHDR_OP_TCPOPT`, 1), found by their kind.
    TcpOption,
    /// IPv4 options (`NFT_EXTHDR_OP_IPV4`, 2), found by their type.
    IpOption,
    /// SCTP chunks (`NFT_EXTHDR_OP_SCTP`, 3), found by their type.
    SctpChunk,
}

impl ExthdrProto {
    /// The kernel's `NFTA_EXTHDR_OP` number.
    pub const fn op(self) -> u32 {
        match self {
            ExthdrProto::Ip6 => 0,
            ExthdrProto::TcpOption => 1,
            ExthdrProto::IpOption => 2,
            ExthdrProto::SctpChunk => 3,
        }
    }

    /// The kind of an `NFTA_EXTHDR_OP` number, if it is one of these.
    pub const fn from_op(op: u32) -> Option<ExthdrProto> {
        Some(match op {
            0 => ExthdrProto::Ip6,
            1 => ExthdrProto::TcpOption,
            2 => ExthdrProto::IpOption,
            3 => ExthdrProto::SctpChunk,
            _ => return None,
        })
    }

    /// What nft writes before the header name: `tcp option `, `ip option `, `sctp chunk `,
    /// nothing for IPv6 extension headers.
    const fn prefix(self) -> &'static str {
        match self {
            ExthdrProto::Ip6 => "",
            ExthdrProto::TcpOption => "tcp option ",
            ExthdrProto::IpOption => "ip option ",
            ExthdrProto::SctpChunk => "sctp chunk ",
        }
    }
}

/// The headers nft names: (kind, type number, name). For a type named twice (`sack`,
/// `sack1` ... are all TCP option 5), the first name is the one nft prints for presence.
const HEADERS: &[(ExthdrProto, u8, &str)] = {
    use ExthdrProto::{Ip6, IpOption, SctpChunk, TcpOption};
    &[
        (Ip6, 0, "hbh"),
        (Ip6, 43, "rt"),
        (Ip6, 43, "srh"),
        (Ip6, 44, "frag"),
        (Ip6, 60, "dst"),
        (Ip6, 135, "mh"),
        (IpOption, 131, "lsrr"),
        (IpOption, 7, "rr"),
        (IpOption, 137, "ssrr"),
        (IpOption, 148, "ra"),
        (TcpOption, 0, "eol"),
        (TcpOption, 1, "nop"),
        (TcpOption, 2, "maxseg"),
        (TcpOption, 3, "window"),
        (TcpOption, 4, "sack-perm"),
        (TcpOption, 5, "sack"),
        (TcpOption, 5, "sack0"),
        (TcpOption, 5, "sack1"),
        (TcpOption, 5, "sack2"),
        (TcpOption, 5, "sack3"),
        (TcpOption, 8, "timestamp"),
        (TcpOption, 19, "md5sig"),
        (TcpOption, 30, "mptcp"),
        (TcpOption, 34, "fastopen"),
        (SctpChunk, 0, "data"),
        (SctpChunk, 1, "init"),
        (SctpChunk, 2, "init-ack"),
        (SctpChunk, 3, "sack"),
        (SctpChunk, 4, "heartbeat"),
        (SctpChunk, 5, "heartbeat-ack"),
        (SctpChunk, 6, "abort"),
        (SctpChunk, 7, "shutdown"),
        (SctpChunk, 8, "shutdown-ack"),
        (SctpChunk, 9, "error"),
        (SctpChunk, 10, "cookie-echo"),
        (SctpChunk, 11, "cookie-ack"),
        (SctpChunk, 12, "ecne"),
        (SctpChunk, 13, "cwr"),
        (SctpChunk, 14, "shutdown-complete"),
        (SctpChunk, 128, "asconf-ack"),
        (SctpChunk, 192, "forward-tsn"),
        (SctpChunk, 193, "asconf"),
    ]
};

/// One named field: header name, field name, bit offset, bit length, datatype.
type Row = (&'static str, &'static str, u32, u32, Datatype);

/// The fields nft names, per header name, in the order nft looks them up by offset and
/// length (so the first row of a range is the name nft prints).
const FIELDS: &[Row] = {
    use Datatype::{InetProto, Integer, Ipv6Addr, MhType};
    &[
        ("hbh", "nexthdr", 0, 8, InetProto),
        ("hbh", "hdrlength", 8, 8, Integer),
        ("rt", "nexthdr", 0, 8, InetProto),
        ("rt", "hdrlength", 8, 8, Integer),
        ("rt", "type", 16, 8, Integer),
        ("rt", "seg-left", 24, 8, Integer),
        ("srh", "last-entry", 32, 8, Integer),
        ("srh", "flags", 40, 8, Integer),
        ("srh", "tag", 48, 16, Integer),
        ("srh", "sid[1]", 64, 128, Ipv6Addr),
        ("srh", "sid[2]", 192, 128, Ipv6Addr),
        ("frag", "nexthdr", 0, 8, InetProto),
        ("frag", "reserved", 8, 8, Integer),
        ("frag", "frag-off", 16, 13, Integer),
        ("frag", "reserved2", 29, 2, Integer),
        ("frag", "more-fragments", 31, 1, Integer),
        ("frag", "id", 32, 32, Integer),
        ("dst", "nexthdr", 0, 8, InetProto),
        ("dst", "hdrlength", 8, 8, Integer),
        ("mh", "nexthdr", 0, 8, InetProto),
        ("mh", "hdrlength", 8, 8, Integer),
        ("mh", "type", 16, 8, MhType),
        ("mh", "reserved", 24, 8, Integer),
        ("mh", "checksum", 32, 16, Integer),
    ]
};

/// The fields of IPv4 options (`rr`, `lsrr`, `ssrr` have a pointer and an address, `ra` a
/// value).
const IP_OPTION_FIELDS: &[(&str, u32, u32)] = &[("type", 0, 8), ("length", 8, 8)];

/// The TCP option fields: option name, field name, bit offset, bit length.
const TCP_FIELDS: &[(&str, &str, u32, u32)] = &[
    ("maxseg", "length", 8, 8),
    ("maxseg", "size", 16, 16),
    ("window", "length", 8, 8),
    ("window", "count", 16, 8),
    ("sack-perm", "length", 8, 8),
    ("sack", "length", 8, 8),
    ("sack", "left", 16, 32),
    ("sack", "right", 48, 32),
    ("sack0", "left", 16, 32),
    ("sack0", "right", 48, 32),
    ("sack1", "left", 80, 32),
    ("sack1", "right", 112, 32),
    ("sack2", "left", 144, 32),
    ("sack2", "right", 176, 32),
    ("sack3", "left", 208, 32),
    ("sack3", "right", 240, 32),
    ("timestamp", "length", 8, 8),
    ("timestamp", "tsval", 16, 32),
    ("timestamp", "tsecr", 48, 32),
    ("md5sig", "length", 8, 8),
    ("mptcp", "length", 8, 8),
    ("mptcp", "subtype", 16, 4),
    ("fastopen", "length", 8, 8),
];

/// The SCTP chunk fields: chunk name (`""` for the common header of every chunk), field
/// name, bit offset, bit length.
const SCTP_FIELDS: &[(&str, &str, u32, u32)] = &[
    ("", "type", 0, 8),
    ("", "flags", 8, 8),
    ("", "length", 16, 16),
    ("data", "tsn", 32, 32),
    ("data", "stream", 64, 16),
    ("data", "ssn", 80, 16),
    ("data", "ppid", 96, 32),
    ("init", "init-tag", 32, 32),
    ("init", "a-rwnd", 64, 32),
    ("init", "num-outbound-streams", 96, 16),
    ("init", "num-inbound-streams", 112, 16),
    ("init", "initial-tsn", 128, 32),
    ("init-ack", "init-tag", 32, 32),
    ("init-ack", "a-rwnd", 64, 32),
    ("init-ack", "num-outbound-streams", 96, 16),
    ("init-ack", "num-inbound-streams", 112, 16),
    ("init-ack", "initial-tsn", 128, 32),
    ("sack", "cum-tsn-ack", 32, 32),
    ("sack", "a-rwnd", 64, 32),
    ("sack", "num-gap-ack-blocks", 96, 16),
    ("sack", "num-dup-tsns", 112, 16),
    ("shutdown", "cum-tsn-ack", 32, 32),
    ("ecne", "lowest-tsn", 32, 32),
    ("cwr", "lowest-tsn", 32, 32),
    ("asconf-ack", "seqno", 32, 32),
    ("forward-tsn", "new-cum-tsn", 32, 32),
    ("asconf", "seqno", 32, 32),
];

/// A named field found in the tables: its names, offset, width and datatype.
#[derive(Clone, Copy)]
struct Named {
    header: &'static str,
    field: &'static str,
    bit_offset: u32,
    bit_len: u32,
    datatype: Datatype,
}

/// Every named field of header `header` of `proto`, in lookup order.
fn fields_of(proto: ExthdrProto, header: &'static str) -> impl Iterator<Item = Named> {
    let generic = move |(f, o, l): (&'static str, u32, u32)| Named {
        header,
        field: f,
        bit_offset: o,
        bit_len: l,
        datatype: Datatype::Integer,
    };
    let ip6 = FIELDS
        .iter()
        .filter(move |r| proto == ExthdrProto::Ip6 && r.0 == header)
        .map(|r| Named {
            header: r.0,
            field: r.1,
            bit_offset: r.2,
            bit_len: r.3,
            datatype: r.4,
        });
    let ip = IP_OPTION_FIELDS
        .iter()
        .copied()
        .filter(move |_| proto == ExthdrProto::IpOption)
        .chain(
            [("ptr", 16, 8), ("addr", 24, 32)]
                .into_iter()
                .filter(move |_| {
                    proto == ExthdrProto::IpOption && matches!(header, "rr" | "lsrr" | "ssrr")
                }),
        )
        .chain(
            [("value", 16, 16)]
                .into_iter()
                .filter(move |_| proto == ExthdrProto::IpOption && header == "ra"),
        )
        .map(generic);
    let tcp = TCP_FIELDS
        .iter()
        .filter(move |r| proto == ExthdrProto::TcpOption && r.0 == header)
        .map(move |r| generic((r.1, r.2, r.3)));
    let sctp = SCTP_FIELDS
        .iter()
        .filter(move |r| proto == ExthdrProto::SctpChunk && (r.0.is_empty() || r.0 == header))
        .map(move |r| generic((r.1, r.2, r.3)));
    ip6.chain(ip).chain(tcp).chain(sctp)
}

/// Every header name of `proto` with type `kind`, first the one nft prints.
fn headers_of(proto: ExthdrProto, kind: u8) -> impl Iterator<Item = &'static str> {
    HEADERS
        .iter()
        .filter(move |h| h.0 == proto && h.1 == kind)
        .map(|h| h.2)
}

/// The type number of header `header` of `proto`.
fn kind_of(proto: ExthdrProto, header: &str) -> Option<u8> {
    HEADERS
        .iter()
        .find(|h| h.0 == proto && h.2 == header)
        .map(|h| h.1)
}

/// The named field of `proto` type `kind` at exactly this bit range, as nft names it.
fn lookup(proto: ExthdrProto, kind: u8, bit_offset: u32, bit_len: u32) -> Option<Named> {
    headers_of(proto, kind).find_map(|h| {
        fields_of(proto, h).find(|n| n.bit_offset == bit_offset && n.bit_len == bit_len)
    })
}

/// A field of an extension header, IPv4 or TCP option or SCTP chunk, or the test of its
/// presence.
///
/// A field is a bit range of 1 to 128 bits inside the header of one type number, ending
/// within its first 255 bytes; the kernel's `exthdr` expression finds the header wherever
/// it sits in the packet. A presence test (nft's `exists` / `missing`) loads one byte, 1 when
/// the header is there and 0 when not. Names and ranges are nft 1.0.6's, limited to the ones
/// nft prints back by name; fields nft has no name for print only as TCP options do (`tcp
/// option @254,16,16`, `tcp option 254`), see [`ExthdrField::is_printable`].
///
/// serde form: `{"proto": "tcp_option", "kind": 2, "bit_offset": 16, "bit_len": 16,
/// "exists": false}`; reading it checks the same limits as [`ExthdrField::raw`].
///
/// ```
/// use linx_netfilter::stmt::{Datatype, ExthdrField, ExthdrProto};
/// let mss = ExthdrField::named(ExthdrProto::TcpOption, "maxseg", "size").unwrap();
/// assert_eq!((mss.kind(), mss.bit_offset(), mss.bit_len()), (2, 16, 16));
/// assert_eq!(mss.to_string(), "tcp option maxseg size");
/// let frag = ExthdrField::exists(ExthdrProto::Ip6, "frag").unwrap();
/// assert_eq!(frag.to_string(), "exthdr frag");
/// assert_eq!(frag.datatype(), Datatype::Boolean);
/// let sid = ExthdrField::named(ExthdrProto::Ip6, "srh", "sid[2]").unwrap();
/// assert_eq!((sid.kind(), sid.bit_offset(), sid.datatype()), (43, 192, Datatype::Ipv6Addr));
/// let raw = ExthdrField::raw(ExthdrProto::TcpOption, 254, 16, 16).unwrap();
/// assert_eq!(raw.to_string(), "tcp option @254,16,16");
/// assert!(ExthdrField::raw(ExthdrProto::TcpOption, 254, 0, 0).is_none());
///
/// let json = serde_json::to_string(&mss)?;
/// assert_eq!(
///     json,
///     r#"{"proto":"tcp_option","kind":2,"bit_offset":16,"bit_len":16,"exists":false}"#
/// );
/// assert_eq!(serde_json::from_str::<ExthdrField>(&json)?, mss);
/// let wide = r#"{"proto":"ip6","kind":0,"bit_offset":0,"bit_len":200}"#;
/// assert!(serde_json::from_str::<ExthdrField>(wide).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawExthdrField")]
pub struct ExthdrField {
    proto: ExthdrProto,
    kind: u8,
    bit_offset: u32,
    bit_len: u32,
    exists: bool,
}

/// [`ExthdrField`]'s serde form before its limits are checked.
#[derive(Deserialize)]
struct RawExthdrField {
    proto: ExthdrProto,
    kind: u8,
    bit_offset: u32,
    bit_len: u32,
    #[serde(default)]
    exists: bool,
}

impl TryFrom<RawExthdrField> for ExthdrField {
    type Error = &'static str;

    fn try_from(r: RawExthdrField) -> Result<ExthdrField, &'static str> {
        if r.exists {
            if r.bit_offset != 0 || r.bit_len != 8 {
                return Err("a presence test reads 8 bits at offset 0");
            }
            return Ok(ExthdrField::presence(r.proto, r.kind));
        }
        ExthdrField::raw(r.proto, r.kind, r.bit_offset, r.bit_len)
            .ok_or("an extension header field is 1 to 128 bits within 255 bytes")
    }
}

impl ExthdrField {
    /// The field nft calls `<header> <field>` (`ExthdrProto::Ip6, "frag", "id"`;
    /// `ExthdrProto::TcpOption, "sack1", "left"`; `ExthdrProto::SctpChunk, "init",
    /// "a-rwnd"`), if nft 1.0.6 has it.
    pub fn named(proto: ExthdrProto, header: &str, field: &str) -> Option<ExthdrField> {
        let (kind, header) = HEADERS
            .iter()
            .find(|h| h.0 == proto && h.2 == header)
            .map(|h| (h.1, h.2))?;
        let n = fields_of(proto, header).find(|n| n.field == field)?;
        ExthdrField::raw(proto, kind, n.bit_offset, n.bit_len)
    }

    /// The presence test of header `header` (`exthdr frag exists`, `tcp option sack-perm
    /// exists`, `ip option rr exists`, `sctp chunk init exists`), if nft names it.
    pub fn exists(proto: ExthdrProto, header: &str) -> Option<ExthdrField> {
        Some(ExthdrField::presence(proto, kind_of(proto, header)?))
    }

    /// The presence test of the header of type `kind`.
    pub const fn presence(proto: ExthdrProto, kind: u8) -> ExthdrField {
        ExthdrField {
            proto,
            kind,
            bit_offset: 0,
            bit_len: 8,
            exists: true,
        }
    }

    /// `bit_len` bits at `bit_offset` in the header of type `kind`; `None` unless the
    /// width is 1 to 128 bits and the range ends within 255 bytes.
    pub const fn raw(
        proto: ExthdrProto,
        kind: u8,
        bit_offset: u32,
        bit_len: u32,
    ) -> Option<ExthdrField> {
        if bit_len == 0 || bit_len > 128 || bit_offset > 255 * 8 || bit_offset + bit_len > 255 * 8 {
            return None;
        }
        Some(ExthdrField {
            proto,
            kind,
            bit_offset,
            bit_len,
            exists: false,
        })
    }

    /// Which kind of header.
    pub const fn proto(&self) -> ExthdrProto {
        self.proto
    }

    /// The header's type number (IPv6 next-header value, option kind or type, chunk type).
    pub const fn kind(&self) -> u8 {
        self.kind
    }

    /// Offset in bits from the header's start (0 for a presence test).
    pub const fn bit_offset(&self) -> u32 {
        self.bit_offset
    }

    /// Width in bits of the value (8 for a presence test).
    pub const fn bit_len(&self) -> u32 {
        self.bit_len
    }

    /// `true` for a presence test (`exists` / `missing`).
    pub const fn is_exists(&self) -> bool {
        self.exists
    }

    /// `true` when the field starts and ends on byte boundaries.
    pub const fn is_byte_aligned(&self) -> bool {
        self.bit_offset % 8 == 0 && self.bit_len % 8 == 0
    }

    /// The header name nft prints (`frag`, `maxseg`, `init`), if it has one.
    pub fn header_name(&self) -> Option<&'static str> {
        if self.exists {
            headers_of(self.proto, self.kind).next()
        } else {
            self.lookup().map(|n| n.header)
        }
    }

    /// The field name nft prints after the header name (`more-fragments`, `size`), if it
    /// has one; `None` for a presence test.
    pub fn field_name(&self) -> Option<&'static str> {
        if self.exists {
            None
        } else {
            self.lookup().map(|n| n.field)
        }
    }

    /// `true` when nft prints the field: a named field, the presence of a named header,
    /// and any field or the presence of a TCP option kind nft has no name for (it prints
    /// those by number). A range of a named TCP option that is none of its fields nft
    /// prints as `unknown`, which it cannot read back: not printable.
    pub fn is_printable(&self) -> bool {
        if self.exists {
            return self.proto == ExthdrProto::TcpOption || self.header_name().is_some();
        }
        self.lookup().is_some()
            || (self.proto == ExthdrProto::TcpOption
                && headers_of(self.proto, self.kind).next().is_none())
    }

    /// How nft prints the field's values.
    pub fn datatype(&self) -> Datatype {
        if self.exists {
            return Datatype::Boolean;
        }
        self.lookup().map_or(Datatype::Integer, |n| n.datatype)
    }

    /// The named field among those that share this field's bytes (the whole bytes its
    /// bits touch) whose bits are exactly `mask` over those bytes, with the shift of its
    /// value in them: how a masked load of a sub-byte field is named back.
    pub(crate) fn sub_byte(&self, mask: u64) -> Option<(ExthdrField, u32)> {
        let first = self.bit_offset / 8;
        let end = (self.bit_offset + self.bit_len).div_ceil(8);
        let bytes = end - first;
        headers_of(self.proto, self.kind).find_map(|h| {
            fields_of(self.proto, h).find_map(|n| {
                let same = n.bit_offset / 8 == first
                    && (n.bit_offset + n.bit_len).div_ceil(8) == end
                    && !(n.bit_offset % 8 == 0 && n.bit_len % 8 == 0);
                if !same {
                    return None;
                }
                let shift = (bytes * 8).checked_sub(n.bit_offset % 8 + n.bit_len)?;
                let ones = 1u64.checked_shl(n.bit_len)?.checked_sub(1)?;
                let want = ones.checked_shl(shift)?;
                let f = ExthdrField::raw(self.proto, self.kind, n.bit_offset, n.bit_len)?;
                (want == mask).then_some((f, shift))
            })
        })
    }

    /// The named field of `proto` type `kind` covering exactly whole bytes `offset ..
    /// offset + len`: a byte-aligned field of that range, or a sub-byte field within
    /// those bytes (masked next); for TCP options also an unnamed byte range.
    pub(crate) fn covering(
        proto: ExthdrProto,
        kind: u8,
        offset: u32,
        len: u32,
    ) -> Option<ExthdrField> {
        let (bit_off, bits) = (offset.checked_mul(8)?, len.checked_mul(8)?);
        let end = offset.checked_add(len)?;
        if let Some(n) = lookup(proto, kind, bit_off, bits) {
            return ExthdrField::raw(proto, kind, n.bit_offset, n.bit_len);
        }
        let sub = headers_of(proto, kind).find_map(|h| {
            fields_of(proto, h).find(|n| {
                !(n.bit_offset % 8 == 0 && n.bit_len % 8 == 0)
                    && n.bit_offset / 8 == offset
                    && (n.bit_offset + n.bit_len).div_ceil(8) == end
            })
        });
        match sub {
            Some(n) => ExthdrField::raw(proto, kind, n.bit_offset, n.bit_len),
            None if proto == ExthdrProto::TcpOption => ExthdrField::raw(proto, kind, bit_off, bits),
            None => None,
        }
    }

    fn lookup(&self) -> Option<Named> {
        lookup(self.proto, self.kind, self.bit_offset, self.bit_len)
    }
}

impl fmt::Display for ExthdrField {
    /// nft's words: `frag more-fragments`, `exthdr hbh` (presence), `tcp option maxseg
    /// size`, `tcp option @254,16,16`, `ip option rr ptr`, `sctp chunk data tsn`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match (self.proto, self.exists) {
            (ExthdrProto::Ip6, true) => "exthdr ",
            (p, _) => p.prefix(),
        };
        match (self.header_name(), self.field_name()) {
            (Some(h), _) if self.exists => write!(f, "{prefix}{h}"),
            (Some(h), Some(name)) => write!(f, "{prefix}{h} {name}"),
            _ if self.exists => write!(f, "{prefix}{}", self.kind),
            _ => write!(
                f,
                "{prefix}@{},{},{}",
                self.kind, self.bit_offset, self.bit_len
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_the_tables() {
        for &(proto, kind, header) in HEADERS {
            let e = ExthdrField::exists(proto, header).unwrap();
            assert_eq!(e.kind(), kind);
            assert!(e.is_printable());
            for n in fields_of(proto, header) {
                let f = ExthdrField::named(proto, header, n.field).unwrap();
                let again = ExthdrField::covering(
                    proto,
                    kind,
                    f.bit_offset() / 8,
                    (f.bit_offset() + f.bit_len()).div_ceil(8) - f.bit_offset() / 8,
                )
                .unwrap();
                // A sub-byte field is told from the others in its bytes by its mask.
                let again = if f.is_byte_aligned() {
                    again
                } else {
                    let bytes = (f.bit_offset() + f.bit_len()).div_ceil(8) - f.bit_offset() / 8;
                    let shift = bytes * 8 - f.bit_offset() % 8 - f.bit_len();
                    let (g, s) = again.sub_byte(((1 << f.bit_len()) - 1) << shift).unwrap();
                    assert_eq!(s, shift);
                    g
                };
                // The name printed is the first one of that range (`sack0` prints as
                // `sack`, every SCTP chunk has `type`).
                assert_eq!(again.bit_offset(), f.bit_offset(), "{header} {}", n.field);
                assert_eq!(again.bit_len(), f.bit_len(), "{header} {}", n.field);
                assert!(f.is_printable());
                assert!(f.to_string().ends_with(n.field), "{f}");
            }
        }
    }

    #[test]
    fn nft_spellings() {
        let cases = [
            (
                ExthdrField::named(ExthdrProto::TcpOption, "sack0", "left"),
                "tcp option sack left",
            ),
            (
                ExthdrField::named(ExthdrProto::TcpOption, "sack1", "right"),
                "tcp option sack1 right",
            ),
            (
                ExthdrField::named(ExthdrProto::IpOption, "rr", "ptr"),
                "ip option rr ptr",
            ),
            (
                ExthdrField::named(ExthdrProto::IpOption, "ra", "value"),
                "ip option ra value",
            ),
            (
                ExthdrField::named(ExthdrProto::SctpChunk, "abort", "flags"),
                "sctp chunk abort flags",
            ),
            (
                ExthdrField::named(ExthdrProto::Ip6, "frag", "more-fragments"),
                "frag more-fragments",
            ),
            (
                ExthdrField::exists(ExthdrProto::TcpOption, "sack3"),
                "tcp option sack",
            ),
            (
                Some(ExthdrField::presence(ExthdrProto::TcpOption, 254)),
                "tcp option 254",
            ),
        ];
        for (f, text) in cases {
            assert_eq!(f.unwrap().to_string(), text);
        }
        assert!(ExthdrField::named(ExthdrProto::IpOption, "ra", "ptr").is_none());
        assert!(!ExthdrField::presence(ExthdrProto::SctpChunk, 99).is_printable());
        assert!(ExthdrField::raw(ExthdrProto::Ip6, 0, 2032, 16).is_none());
        assert!(ExthdrField::raw(ExthdrProto::Ip6, 0, u32::MAX, 8).is_none());
    }

    #[test]
    fn sub_byte_fields_are_found_by_mask() {
        let off = ExthdrField::covering(ExthdrProto::Ip6, 44, 2, 2).unwrap();
        assert_eq!(off.field_name(), Some("frag-off"));
        assert_eq!(off.sub_byte(0xfff8).unwrap().1, 3);
        let mf = ExthdrField::covering(ExthdrProto::Ip6, 44, 3, 1).unwrap();
        let (f, shift) = mf.sub_byte(0x01).unwrap();
        assert_eq!((f.field_name(), shift), (Some("more-fragments"), 0));
        let (f, shift) = mf.sub_byte(0x06).unwrap();
        assert_eq!((f.field_name(), shift), (Some("reserved2"), 1));
        assert!(mf.sub_byte(0x03).is_none());
        for (offset, len) in [(u32::MAX, 1), (1, u32::MAX), (u32::MAX / 8, 2), (0, 0)] {
            assert!(ExthdrField::covering(ExthdrProto::TcpOption, 254, offset, len).is_none());
            assert!(ExthdrField::covering(ExthdrProto::Ip6, 44, offset, len).is_none());
        }
        let sub = ExthdrField::covering(ExthdrProto::TcpOption, 30, 2, 1).unwrap();
        assert_eq!(
            sub.sub_byte(0xf0).unwrap().0.to_string(),
            "tcp option mptcp subtype"
        );
    }
}
