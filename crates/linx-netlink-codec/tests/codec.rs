//! TLV, nlmsghdr and declaration codecs: golden bytes, round trips, never-panic and
//! losslessness.

use linx_netlink_codec::consts::*;
use linx_netlink_codec::msg::{parse_done, parse_error, resolve_offset};
use linx_netlink_codec::{
    AttrIter, AttrValue, AttrWriter, Be16, Be32, Be64, DecodeCx, DecodeError, DecodeErrorKind,
    EncodeError, FixedHeader, MsgIter, MsgView, MsgWriter, NlHeader, RawAttr, RawAttrs, WireOrder,
    kind_dispatch, nl_header, typed_attrs,
};
use proptest::prelude::*;

nl_header! {
    /// `struct ifinfomsg` (`<linux/rtnetlink.h>`).
    pub struct IfInfoMsg[16] {
        /// family
        pub family: u8 [0] ne,
        /// ARPHRD type
        pub link_type: u16 [2] ne,
        /// index
        pub index: i32 [4] ne,
        /// flags
        pub flags: u32 [8] ne,
        /// change mask
        pub change: u32 [12] ne,
    }
}

nl_header! {
    /// `struct nfgenmsg`: res_id is big-endian.
    pub struct NfGenMsg[4] {
        /// family
        pub family: u8 [0] ne,
        /// version
        pub version: u8 [1] ne,
        /// resource id
        pub res_id: u16 [2] be,
    }
}

/// Macvlan data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MacvlanAttrs {
    mode: Option<u32>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl MacvlanAttrs {
        1: 1 => mode as u32, // IFLA_MACVLAN_MODE
    }
}

/// vlan data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VlanAttrs {
    id: Option<u16>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl VlanAttrs {
        1: 1 => id as u16, // IFLA_VLAN_ID
    }
}

kind_dispatch! {
    /// IFLA_INFO_DATA by kind; a kind it does not know (or no kind) leaves the attribute raw.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum InfoData {
        /// macvlan
        "macvlan" => Macvlan(MacvlanAttrs),
        /// vlan
        "vlan" => Vlan(VlanAttrs),
    }
}

/// IFLA_LINKINFO.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkInfo {
    kind: Option<String>,
    data: Option<InfoData>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl LinkInfo {
        1: 1 => kind as String,             // IFLA_INFO_KIND
        2: 2 => data as InfoData [by kind], // IFLA_INFO_DATA
    }
}

/// Link attributes (subset).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkAttrs {
    address: Option<[u8; 6]>,
    name: Option<String>,
    mtu: Option<u32>,
    link: Option<u32>,
    info: Option<LinkInfo>,
    flag: Option<()>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl LinkAttrs {
        1: 1 => address as [u8; 6], // IFLA_ADDRESS
        2: 3 => name as String,     // IFLA_IFNAME
        3: 4 => mtu as u32,         // IFLA_MTU
        4: 5 => link as u32,        // IFLA_LINK
        5: 18 => info as LinkInfo,  // IFLA_LINKINFO
        6: 40 => flag as (),        // a flag (test)
    }
}

/// A nested nf_tables-style hook.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NftHook {
    handle: Option<Be64>,
    port: Option<Be16>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl NftHook {
        1: 3 => handle as Be64,
        2: 4 => port as Be16,
    }
}

/// nf_tables-style attributes: nested flag and big-endian values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NftAttrs {
    name: Option<String>,
    flags: Option<Be32>,
    handle: Option<Be64>,
    port: Option<Be16>,
    hook: Option<NftHook>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl NftAttrs {
        1: 1 => name as String,
        2: 2 => flags as Be32,
        3: 3 => handle as Be64,
        4: 4 => port as Be16,
        5: 5 | NLA_F_NESTED => hook as NftHook, // nested with NLA_F_NESTED
    }
}

/// A link message: the header, then the attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct LinkMsg {
    header: IfInfoMsg,
    attrs: LinkAttrs,
}

impl LinkMsg {
    fn parse(p: &[u8]) -> Result<Self, DecodeError> {
        let header = IfInfoMsg::parse(p)?;
        let cx = DecodeCx::family(header.family);
        let attrs = LinkAttrs::with_attrs(LinkAttrs::default(), &p[16..], 16, cx)?;
        Ok(LinkMsg { header, attrs })
    }

    fn emit(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.header.append(buf);
        self.attrs.emit_attrs(&mut AttrWriter::new(buf))
    }

    fn buffer_len(&self) -> usize {
        16 + self.attrs.attrs_len()
    }
}

fn raw(raw_type: u16, payload: &[u8]) -> RawAttrs {
    let mut r = RawAttrs::default();
    r.push_raw(raw_type, payload).unwrap();
    r
}

fn emit_attrs<T: AttrValue>(v: &T) -> Vec<u8> {
    let mut b = Vec::new();
    T::emit_value(v, &mut b).unwrap();
    b
}

// ---------------------------------------------------------------------------- golden bytes

/// `RTM_GETLINK` dump request, seq 1, AF_UNSPEC, IFLA_EXT_MASK = RTEXT_FILTER_VF.
/// Hand-checked against `<linux/netlink.h>` / `<linux/rtnetlink.h>` (little-endian host):
/// nlmsghdr {len 40, type 18, flags REQUEST|DUMP = 0x301, seq 1, pid 0}, ifinfomsg all zero,
/// nlattr {len 8, type 29} u32 1.
#[cfg(target_endian = "little")]
const GETLINK_DUMP: [u8; 40] = [
    0x28, 0x00, 0x00, 0x00, 0x12, 0x00, 0x01, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x1d, 0x00, 0x01, 0x00, 0x00, 0x00,
];

#[cfg(target_endian = "little")]
#[test]
fn golden_getlink_dump_request() {
    // construct
    let msg = LinkMsg::default();
    let mut payload = Vec::new();
    msg.emit(&mut payload).unwrap();
    AttrWriter::new(&mut payload)
        .put_u32(IFLA_EXT_MASK, RTEXT_FILTER_VF)
        .unwrap();
    let req = linx_netlink_codec::Request::dump(RTM_GETLINK, payload);
    let mut bytes = Vec::new();
    req.encode(1, &mut bytes).unwrap();
    assert_eq!(bytes, GETLINK_DUMP);

    // deconstruct
    let m = MsgView::new_checked(&GETLINK_DUMP).unwrap();
    assert_eq!(
        *m.header(),
        NlHeader {
            len: 40,
            kind: RTM_GETLINK,
            flags: NLM_F_REQUEST | NLM_F_DUMP,
            seq: 1,
            pid: 0
        }
    );
    let parsed = LinkMsg::parse(m.payload()).unwrap();
    assert_eq!(parsed.header, IfInfoMsg::default());
    assert_eq!(
        parsed
            .attrs
            .other
            .iter()
            .map(|a| RawAttr::from_view(&a.unwrap()))
            .collect::<Vec<_>>(),
        [RawAttr {
            raw_type: 29,
            payload: vec![1, 0, 0, 0]
        }]
    );
    assert_eq!(
        parsed.attrs,
        LinkAttrs {
            other: raw(29, &[1, 0, 0, 0]),
            ..Default::default()
        }
    );

    // emit(parse(bytes)) == bytes
    let mut again = Vec::new();
    parsed.emit(&mut again).unwrap();
    assert_eq!(again, m.payload());
}

/// RTM_NEWLINK for `ip link add mv0 link eth0 type macvlan mode bridge` (as iproute2 builds it,
/// minus its extra attributes), little-endian: ifinfomsg zero, IFLA_LINK 2, IFLA_IFNAME "mv0",
/// IFLA_LINKINFO { KIND "macvlan", DATA { MACVLAN_MODE 4 } }.
#[cfg(target_endian = "little")]
const NEWLINK_MACVLAN: [u8; 72] = [
    // ifinfomsg
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
    8, 0, 5, 0, 2, 0, 0, 0, // IFLA_LINK = 2
    8, 0, 3, 0, b'm', b'v', b'0', 0, // IFLA_IFNAME "mv0"
    28, 0, 18, 0, // IFLA_LINKINFO, len 4 + 12 + 12
    12, 0, 1, 0, b'm', b'a', b'c', b'v', b'l', b'a', b'n', 0, // INFO_KIND "macvlan"
    12, 0, 2, 0, // INFO_DATA, len 12
    8, 0, 1, 0, 4, 0, 0, 0, // MACVLAN_MODE = bridge (4)
    8, 0, 4, 0, 0xdc, 0x05, 0, 0, // IFLA_MTU 1500
    4, 0, 40, 0, // flag attribute
];

#[cfg(target_endian = "little")]
#[test]
fn golden_dispatch_on_sibling_kind() {
    let m = LinkMsg::parse(&NEWLINK_MACVLAN).unwrap();
    assert_eq!(
        m.attrs,
        LinkAttrs {
            link: Some(2),
            name: Some("mv0".into()),
            info: Some(LinkInfo {
                kind: Some("macvlan".into()),
                data: Some(InfoData::Macvlan(MacvlanAttrs {
                    mode: Some(4),
                    ..Default::default()
                })),
                ..Default::default()
            }),
            mtu: Some(1500),
            flag: Some(()),
            ..Default::default()
        }
    );
    assert_eq!(format!("{:?}", m.attrs.wire_order), "[4, 2, 5, 3, 6]");
    let mut out = Vec::new();
    m.emit(&mut out).unwrap();
    assert_eq!(out, NEWLINK_MACVLAN);
    assert_eq!(m.buffer_len(), NEWLINK_MACVLAN.len());
}

#[test]
fn dispatch_unknown_kind_and_absent_kind_keep_raw_bytes() {
    let info = LinkInfo {
        kind: Some("wireguard".into()),
        other: raw(2, &[1, 2, 3, 4, 5]),
        ..Default::default()
    };
    let b = emit_attrs(&info);
    assert_eq!(LinkInfo::parse_value(&b).unwrap(), info);

    // DATA before KIND: no key yet -> raw
    let info = LinkInfo {
        other: raw(2, &[8, 0, 1, 0, 4, 0, 0, 0]),
        ..Default::default()
    };
    let b = emit_attrs(&info);
    assert_eq!(LinkInfo::parse_value(&b).unwrap(), info);
    let mut late = b.clone();
    AttrWriter::new(&mut late).put_str(1, "macvlan").unwrap();
    let back = LinkInfo::parse_value(&late).unwrap();
    assert_eq!((back.kind.as_deref(), &back.data), (Some("macvlan"), &None));
    assert_eq!(emit_attrs(&back), late);
}

#[test]
fn nested_flag_and_big_endian_values() {
    let attrs = NftAttrs {
        name: Some("filter".into()),
        flags: Some(Be32(2)),
        hook: Some(NftHook {
            port: Some(Be16(8080)),
            handle: Some(Be64(7)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let b = emit_attrs(&attrs);
    let hook = AttrIter::new(&b).nth(2).unwrap().unwrap();
    assert!(hook.is_nested());
    assert_eq!(hook.kind(), 5);
    let flags = AttrIter::new(&b).nth(1).unwrap().unwrap();
    assert_eq!(flags.payload(), [0, 0, 0, 2]);
    assert_eq!(NftAttrs::parse_value(&b).unwrap(), attrs);
    // big-endian header field
    let h = NfGenMsg {
        family: 1,
        version: 0,
        res_id: 0x0a00,
    };
    let mut hb = [0u8; 4];
    h.emit(&mut hb);
    assert_eq!(hb, [1, 0, 0x0a, 0x00]);
    assert_eq!(NfGenMsg::parse(&hb).unwrap(), h);
}

#[test]
fn known_attribute_with_wrong_size_is_an_error_with_path() {
    // IFLA_LINKINFO { INFO_KIND "macvlan", INFO_DATA { MACVLAN_MODE with 2 bytes } }
    let mut b = Vec::new();
    let mut w = AttrWriter::new(&mut b);
    let n = w.begin_nest(18, false);
    w.put_str(1, "macvlan").unwrap();
    let d = w.begin_nest(2, false);
    w.put(1, &[4, 0]).unwrap();
    w.end_nest(d).unwrap();
    w.end_nest(n).unwrap();
    let e = LinkAttrs::parse_value(&b).unwrap_err();
    assert_eq!(e.path.as_slice(), [18, 2, 1]);
    assert!(matches!(
        e.kind,
        DecodeErrorKind::BadSize {
            expected: 4,
            got: 2
        }
    ));
    assert!(e.to_string().contains("attribute path 18/2/1"), "{e}");
}

#[test]
fn header_too_short_is_an_error() {
    assert!(IfInfoMsg::parse(&[0; 15]).is_err());
    assert!(LinkMsg::parse(&[0; 3]).is_err());
    assert_eq!(
        LinkMsg::parse(&[0; 16]).unwrap().attrs,
        LinkAttrs::default()
    );
}

#[test]
fn schema_is_exposed() {
    let s = LinkInfo::SCHEMA;
    assert_eq!(s[1].dispatch_on, Some("kind"));
    assert_eq!(s[1].codec, "InfoData");
    assert_eq!(NftAttrs::SCHEMA[4].flags, NLA_F_NESTED);
    assert_eq!(NftAttrs::SCHEMA[4].id, 5);
    assert_eq!(IfInfoMsg::FIELDS[2].name, "index");
    assert_eq!(NfGenMsg::FIELDS[2].order, "be");
}

#[test]
fn writer_rejects_oversized_attribute() {
    let mut b = Vec::new();
    let big = vec![0u8; 70_000];
    assert!(AttrWriter::new(&mut b).put(1, &big).is_err());
    assert!(RawAttrs::default().push_raw(9, &big).is_err());
    let v = NftAttrs {
        name: Some(String::from_utf8(vec![b'x'; 70_000]).unwrap()),
        ..Default::default()
    };
    assert!(v.emit_attrs(&mut AttrWriter::new(&mut b)).is_err());
}

#[test]
fn malformed_lengths_rejected() {
    // attribute len 3 (< header)
    let mut it = AttrIter::new(&[3, 0, 1, 0, 0, 0, 0, 0]);
    assert!(it.next().unwrap().is_err());
    assert!(it.next().is_none(), "stops after the first error");
    // attribute len past the end
    assert!(
        AttrIter::new(&[12, 0, 1, 0, 0, 0, 0, 0])
            .next()
            .unwrap()
            .is_err()
    );
    // message len 8 (< 16) and past the end
    let mut m = vec![0u8; 20];
    m[0] = 8;
    assert!(MsgIter::new(&m).next().unwrap().is_err());
    m[0] = 24;
    assert!(MsgIter::new(&m).next().unwrap().is_err());
    // trailing runs shorter than a header are padding
    assert!(AttrIter::new(&[0, 0, 0]).next().is_none());
    assert!(MsgIter::new(&[0; 15]).next().is_none());
}

#[test]
fn final_attribute_without_padding_is_accepted() {
    let b = [5u8, 0, 1, 0, 7];
    let a = AttrIter::new(&b).next().unwrap().unwrap();
    assert_eq!(a.payload(), [7]);
}

#[test]
fn value_codecs_reject_wrong_sizes() {
    assert!(u32::parse_value(&[1, 2, 3]).is_err());
    assert!(u16::parse_value(&[]).is_err());
    assert!(<()>::parse_value(&[1]).is_err());
    assert!(<[u8; 6]>::parse_value(&[1; 5]).is_err());
    assert!(String::parse_value(&[0xff, 0]).is_err());
    assert_eq!(String::parse_value(b"eth0\0\0").unwrap(), "eth0");
    assert_eq!(String::parse_value(b"").unwrap(), "");
}

// ---------------------------------------------------------------------------- proptest

#[derive(Clone, Debug)]
enum Tree {
    Leaf(u16, Vec<u8>),
    Nest(u16, bool, Vec<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (0u16..0x3fff, proptest::collection::vec(any::<u8>(), 0..24))
        .prop_map(|(t, p)| Tree::Leaf(t, p));
    leaf.prop_recursive(3, 24, 4, |inner| {
        (
            0u16..0x3fff,
            any::<bool>(),
            proptest::collection::vec(inner, 0..4),
        )
            .prop_map(|(t, f, c)| Tree::Nest(t, f, c))
    })
}

fn write_tree(w: &mut AttrWriter<'_, Vec<u8>>, t: &Tree) {
    match t {
        Tree::Leaf(k, p) => w.put(*k, p).unwrap(),
        Tree::Nest(k, f, c) => {
            let n = w.begin_nest(*k, *f);
            for x in c {
                write_tree(w, x);
            }
            w.end_nest(n).unwrap();
        }
    }
}

fn check_tree(buf: &[u8], ts: &[Tree]) {
    let got: Vec<_> = AttrIter::new(buf).map(|a| a.unwrap()).collect();
    assert_eq!(got.len(), ts.len());
    for (a, t) in got.iter().zip(ts) {
        match t {
            Tree::Leaf(k, p) => {
                assert_eq!(a.kind(), *k);
                assert_eq!(a.payload(), &p[..]);
            }
            Tree::Nest(k, f, c) => {
                assert_eq!(a.kind(), *k);
                assert_eq!(a.is_nested(), *f);
                check_tree(a.payload(), c);
            }
        }
    }
}

fn link_info() -> impl Strategy<Value = LinkInfo> {
    prop_oneof![
        (any::<u32>(), any::<u16>()).prop_map(|(m, id)| LinkInfo {
            kind: Some("macvlan".into()),
            data: Some(InfoData::Macvlan(MacvlanAttrs {
                mode: Some(m),
                other: raw(9, &id.to_ne_bytes()),
                ..Default::default()
            })),
            ..Default::default()
        }),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(|p| LinkInfo {
            kind: Some("something-new".into()),
            other: raw(2, &p),
            ..Default::default()
        }),
    ]
}

fn link_attrs() -> impl Strategy<Value = LinkAttrs> {
    use proptest::option::of;
    // unknown types, with any flag bits
    let unknown = (
        100u16..0x3fff,
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..20),
    )
        .prop_map(|(t, n, b, payload)| {
            let raw_type =
                t | if n { NLA_F_NESTED } else { 0 } | if b { NLA_F_NET_BYTEORDER } else { 0 };
            (raw_type, payload)
        });
    (
        of(any::<[u8; 6]>()),
        of("[a-z0-9]{0,15}"),
        of(any::<u32>()),
        of(any::<u32>()),
        of(Just(())),
        of(link_info()),
        proptest::collection::vec(unknown, 0..4),
    )
        .prop_map(|(address, name, mtu, link, flag, info, unknown)| {
            let mut other = RawAttrs::default();
            for (t, p) in unknown {
                other.push_raw(t, &p).unwrap();
            }
            LinkAttrs {
                address,
                name,
                mtu,
                link,
                info,
                flag,
                other,
                ..Default::default()
            }
        })
}

proptest! {
    #[test]
    fn tlv_round_trip_with_nesting(ts in proptest::collection::vec(tree(), 0..6)) {
        let mut buf = Vec::new();
        let mut w = AttrWriter::new(&mut buf);
        for t in &ts {
            write_tree(&mut w, t);
        }
        prop_assert_eq!(buf.len() % 4, 0);
        check_tree(&buf, &ts);
    }

    #[test]
    fn nlmsghdr_multi_message_round_trip(
        msgs in proptest::collection::vec(
            (any::<u16>(), any::<u16>(), any::<u32>(), proptest::collection::vec(any::<u8>(), 0..40)),
            0..8,
        )
    ) {
        let mut dgram = Vec::new();
        for (k, f, s, p) in &msgs {
            let mut w = MsgWriter::begin(&mut dgram, *k, *f, *s);
            w.buffer().extend_from_slice(p);
            w.finish().unwrap();
        }
        let got: Vec<_> = MsgIter::new(&dgram).map(|m| m.unwrap()).collect();
        prop_assert_eq!(got.len(), msgs.len());
        for (m, (k, f, s, p)) in got.iter().zip(&msgs) {
            prop_assert_eq!((m.kind(), m.flags(), m.seq(), m.pid()), (*k, *f, *s, 0));
            prop_assert_eq!(m.payload(), &p[..]);
        }
    }

    #[test]
    fn typed_attrs_round_trip(attrs in link_attrs(), idx in any::<i32>()) {
        let m = LinkMsg { header: IfInfoMsg { index: idx, family: 7, ..Default::default() }, attrs };
        let mut b = Vec::new();
        m.emit(&mut b).unwrap();
        prop_assert_eq!(b.len(), m.buffer_len());
        prop_assert_eq!(m.attrs.attrs_len() + 16, b.len());
        let back = LinkMsg::parse(&b).unwrap();
        prop_assert_eq!(&back, &m);
        // emit(parse(b)) == b: unknown attributes survive byte for byte
        let mut again = Vec::new();
        back.emit(&mut again).unwrap();
        prop_assert_eq!(again, b);
    }

    #[test]
    fn arbitrary_attr_lists_survive_decode_encode(ts in proptest::collection::vec(tree(), 0..6)) {
        // Any well-formed list decodes into the typed struct (unknown types kept raw) or fails
        // typed decoding; when it decodes, re-emitting gives back the same bytes.
        let mut buf = Vec::new();
        let mut w = AttrWriter::new(&mut buf);
        for t in &ts {
            write_tree(&mut w, t);
        }
        if let Ok(parsed) = NftAttrs::parse_value(&buf) {
            let out = emit_attrs(&parsed);
            // Known types re-encode canonically (one NUL after a string, NLA_F_NESTED on
            // attribute 5); everything else must come back byte for byte.
            let top = |t: &Tree| match t { Tree::Leaf(k, _) | Tree::Nest(k, _, _) => *k };
            if ts.iter().all(|t| !(1..=5).contains(&top(t))) {
                prop_assert_eq!(out, buf);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), off in any::<u32>()) {
        for m in MsgIter::new(&bytes) {
            let Ok(m) = m else { break };
            let _ = parse_error(&m);
            let _ = parse_done(&m);
            for a in m.attrs(16) {
                let _ = a;
            }
        }
        let _ = MsgView::new_checked(&bytes);
        let _ = NlHeader::parse(&bytes);
        for a in AttrIter::new(&bytes) {
            let Ok(a) = a else { break };
            let _ = a.nested().count();
        }
        let _ = LinkMsg::parse(&bytes);
        let _ = LinkAttrs::parse_value(&bytes);
        let _ = LinkInfo::parse_value(&bytes);
        let _ = NftAttrs::parse_value(&bytes);
        let _ = LinkAttrs::decode(&bytes, DecodeCx::family(2));
        let _ = IfInfoMsg::parse(&bytes);
        let _ = NfGenMsg::parse(&bytes);
        let _ = resolve_offset(&bytes, 16, off % 600);
        let _ = u32::parse_value(&bytes);
        let _ = String::parse_value(&bytes);
        let _ = Be64::parse_value(&bytes);
    }

    #[test]
    fn arbitrary_error_payloads_never_panic(
        flags in any::<u16>(), errno in any::<i32>(), rest in proptest::collection::vec(any::<u8>(), 0..128)
    ) {
        let mut p = errno.to_ne_bytes().to_vec();
        p.extend_from_slice(&rest);
        let mut b = Vec::new();
        let mut w = MsgWriter::begin(&mut b, NLMSG_ERROR, flags, 1);
        w.buffer().extend_from_slice(&p);
        w.finish().unwrap();
        let m = MsgView::new_checked(&b).unwrap();
        let _ = parse_error(&m);
        let _ = parse_done(&m);
    }
}

/// Attributes whose length does not fit the 16-bit `nla_len` are refused, and nothing of
/// them is left in the buffer (flat, string and nested).
#[test]
fn oversized_attributes_are_refused_whole() {
    use linx_netlink_codec::{AttrWriter, EncodeError};
    let big = vec![7u8; 65_532]; // 4 + 65532 = 65536: one past the limit
    let mut buf = Vec::new();
    let mut w = AttrWriter::new(&mut buf);
    assert!(matches!(
        w.put(1, &big),
        Err(EncodeError::AttrTooLong { attr_type: 1, .. })
    ));
    assert!(
        w.put(1, &big[1..]).is_ok(),
        "65535 bytes with the header fit"
    );
    let fitting = buf.len();
    let mut w = AttrWriter::new(&mut buf);
    let text = "x".repeat(65_531); // + NUL + header = 65536
    assert!(matches!(
        w.put_str(2, &text),
        Err(EncodeError::AttrTooLong { attr_type: 2, .. })
    ));
    assert_eq!(buf.len(), fitting, "a refused string leaves nothing behind");
    let mut w = AttrWriter::new(&mut buf);
    let nest = w.begin_nest(3, true);
    w.put(1, &big[..40_000]).unwrap();
    w.put(1, &big[..40_000]).unwrap();
    assert!(matches!(
        w.end_nest(nest),
        Err(EncodeError::AttrTooLong { .. })
    ));
}
