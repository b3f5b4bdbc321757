//! Byte-order rules of set keys and data, each fixed on a kernel dump captured from a set
//! `nft` wrote.
//!
//! Why: the kernel stores keys and data as opaque bytes, so nothing but a real dump can show
//! which order a field is in. Each test below decodes a `GETSET` / `GETSETELEM` reply, checks
//! the model holds what `nft list` printed, and re-encodes the model, checking the key, key
//! end, flags, data and extra element attributes (and the set's type ids, flags, field
//! description and userdata) equal the kernel's bytes. The rules themselves are written down
//! once, in the `# Byte order` section of [`crate::set::key`]'s module doc.
//!
//! # Captures
//! Each constant names the nft input (a `table ip t { ... }` holding just that set, loaded
//! with `nft -f`), captured with nft 1.0.6 on Linux 6.18.44 (x86_64, little endian) in a
//! throwaway namespace:
//!
//! ```text
//! unshare -n sh -c 'nft -f FILE; strace -f -e trace=recvmsg -e read=all nft list set ip t NAME'
//! ```
//!
//! (`list map` for maps, `list ruleset` for the anonymous set). Each message is kept from its
//! nfgenmsg on (AF_INET, version 0, res_id 2); the dump's closing empty element list is
//! left out. Host-order fields are the capturing host's order, so the module only builds on
//! little-endian targets.

#![cfg(target_endian = "little")]

use std::time::Instant;

use linx_ip::ip;
use linx_netlink_codec::AttrWriter;
use linx_netlink_codec::engine::Exchange;

use super::*;
use crate::expr::Reg;

/// One set's dump: the `NEWSET` reply and the `NEWSETELEM` replies holding its elements,
/// each from its nfgenmsg on, in hex.
struct Dump {
    /// The `NEWSET` message.
    set: &'static str,
    /// The `NEWSETELEM` messages with elements.
    elems: &'static [&'static str],
}

/// Bytes of a hex string.
fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Hex of bytes.
fn to_hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

impl Dump {
    /// The decoded set header.
    fn info(&self) -> SetInfo {
        decode_set(&hex(self.set)[4..]).unwrap()
    }

    /// The decoded elements of `info`.
    fn elements(&self, info: &SetInfo) -> (Elements, KeptElements) {
        let mut dec = ElemDecoder::new(info);
        for m in self.elems {
            dec.feed(&hex(m)[4..]).unwrap();
        }
        assert!(dec.consistent());
        dec.finish().unwrap()
    }

    /// The dump as the model's named set.
    fn set(&self) -> Set {
        let info = self.info();
        let (Elements::Set(elements), kept) = self.elements(&info) else {
            panic!("a set")
        };
        info.into_set(elements, kept)
    }

    /// The dump as the model's named map.
    fn map(&self) -> Map {
        let info = self.info();
        let (Elements::Map(elements), kept) = self.elements(&info) else {
            panic!("a map")
        };
        info.into_map(elements, kept)
    }

    /// The kernel's elements, in key order.
    fn wire(&self) -> Vec<WireElem> {
        wire_elems(self.elems.iter().map(|m| hex(m)))
    }

    /// The kernel's set attributes that Linx writes too.
    fn set_attrs(&self) -> SetAttrs {
        set_attrs(&hex(self.set)[4..])
    }
}

/// One element as it is on the wire, nest headers (and their `NLA_F_NESTED` bit, which the
/// kernel's dumps leave out) aside.
#[derive(Debug, PartialEq, Eq)]
struct WireElem {
    /// `NFTA_SET_ELEM_KEY` value bytes.
    key: Vec<u8>,
    /// `NFTA_SET_ELEM_KEY_END` value bytes (concatenated intervals).
    key_end: Option<Vec<u8>>,
    /// `NFTA_SET_ELEM_FLAGS` (0 when absent).
    flags: u32,
    /// `NFTA_SET_ELEM_DATA`: value bytes or a verdict.
    data: Option<Data>,
    /// Every other attribute (timeout, expiration, userdata), type and payload, in order.
    other: Vec<(u16, Vec<u8>)>,
}

impl WireElem {
    /// `key[-key_end][ end]` in hex: what a test pins.
    fn text(&self) -> String {
        let mut s = to_hex(&self.key);
        if let Some(end) = &self.key_end {
            s += "-";
            s += &to_hex(end);
        }
        if self.flags & NFT_SET_ELEM_INTERVAL_END != 0 {
            s += " end";
        }
        s
    }
}

/// The elements of `NEWSETELEM` messages (each from its nfgenmsg on), sorted by key.
fn wire_elems(msgs: impl IntoIterator<Item = Vec<u8>>) -> Vec<WireElem> {
    let mut out = Vec::new();
    for msg in msgs {
        for list in AttrIter::new(&msg[4..]) {
            let list = list.unwrap();
            if list.kind() != la::NFTA_SET_ELEM_LIST_ELEMENTS {
                continue;
            }
            for el in list.nested() {
                let mut e = WireElem {
                    key: Vec::new(),
                    key_end: None,
                    flags: 0,
                    data: None,
                    other: Vec::new(),
                };
                for a in el.unwrap().nested() {
                    let a = a.unwrap();
                    match a.kind() {
                        ea::NFTA_SET_ELEM_KEY => e.key = data_value(a.payload()).unwrap().into(),
                        ea::NFTA_SET_ELEM_KEY_END => {
                            e.key_end = Some(data_value(a.payload()).unwrap().into());
                        }
                        ea::NFTA_SET_ELEM_FLAGS => e.flags = be32(&a).unwrap(),
                        ea::NFTA_SET_ELEM_DATA => e.data = Some(decode_data(a.payload()).unwrap()),
                        kind => e.other.push((kind, a.payload().into())),
                    }
                }
                out.push(e);
            }
        }
    }
    out.sort_by(|a, b| (&a.key, a.flags, &a.key_end).cmp(&(&b.key, b.flags, &b.key_end)));
    out
}

/// The kernel's elements as [`WireElem::text`]s.
fn texts(elems: &[WireElem]) -> Vec<String> {
    elems.iter().map(WireElem::text).collect()
}

/// The `NEWSET` attributes both the kernel's dump and Linx's encoder carry.
#[derive(Debug, PartialEq, Eq)]
struct SetAttrs {
    /// `NFTA_SET_FLAGS` (the kernel leaves out 0).
    flags: u32,
    /// `NFTA_SET_KEY_TYPE`, `KEY_LEN`, `DATA_TYPE`, `DATA_LEN`, `TIMEOUT`, `GC_INTERVAL`,
    /// `USERDATA`: type and payload, in type order.
    attrs: Vec<(u16, Vec<u8>)>,
    /// `NFTA_SET_DESC_SIZE`.
    size: Option<u32>,
    /// Field lengths of `NFTA_SET_DESC_CONCAT`.
    fields: Option<Vec<u32>>,
}

/// The [`SetAttrs`] of `NEWSET` attributes `attrs` (after the nfgenmsg).
fn set_attrs(attrs: &[u8]) -> SetAttrs {
    let mut out = SetAttrs {
        flags: 0,
        attrs: Vec::new(),
        size: None,
        fields: None,
    };
    for a in AttrIter::new(attrs) {
        let a = a.unwrap();
        match a.kind() {
            sa::NFTA_SET_FLAGS => out.flags = be32(&a).unwrap(),
            sa::NFTA_SET_KEY_TYPE
            | sa::NFTA_SET_KEY_LEN
            | sa::NFTA_SET_DATA_TYPE
            | sa::NFTA_SET_DATA_LEN
            | sa::NFTA_SET_TIMEOUT
            | sa::NFTA_SET_GC_INTERVAL
            | sa::NFTA_SET_USERDATA => out.attrs.push((a.kind(), a.payload().into())),
            sa::NFTA_SET_DESC => {
                for d in a.nested() {
                    let d = d.unwrap();
                    match d.kind() {
                        set_desc::NFTA_SET_DESC_SIZE => out.size = Some(be32(&d).unwrap()),
                        set_desc::NFTA_SET_DESC_CONCAT => out.fields = field_lens(d.payload()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    // A verdict map's data length is the kernel's (`sizeof(struct nft_verdict)`, 16); nft
    // and Linx send 0.
    let verdict = (
        sa::NFTA_SET_DATA_TYPE,
        DataType::Verdict.type_id().to_be_bytes().to_vec(),
    );
    if out.attrs.contains(&verdict) {
        out.attrs.retain(|(kind, _)| *kind != sa::NFTA_SET_DATA_LEN);
    }
    out.attrs.sort();
    out
}

/// The kernel's set userdata (`NFTA_SET_USERDATA`) of `dump`.
fn userdata(dump: &Dump) -> Vec<u8> {
    let attrs = dump.set_attrs().attrs;
    let ud = attrs
        .iter()
        .find(|(kind, _)| *kind == sa::NFTA_SET_USERDATA);
    ud.map(|(_, v)| v.clone()).unwrap_or_default()
}

/// The `NEWSET` attributes the encoder writes for `spec` in table `t`.
fn encode_newset(spec: &SetSpec<'_>) -> Vec<u8> {
    let mut buf = Vec::new();
    encode_set(&mut AttrWriter::new(&mut buf), "t", spec).unwrap();
    buf
}

/// The `NEWSETELEM` messages the encoder writes for `spec`, each from its nfgenmsg on.
fn encode_newsetelem(spec: &SetSpec<'_>) -> Vec<Vec<u8>> {
    let mut batch = Batch::new(subsys::NFTABLES);
    push_elements(&mut batch, 2, "t", spec, spec.elems).unwrap();
    let mut m = batch.into_machine();
    let mut seq = 0;
    let dg = m
        .poll_transmit(Instant::now(), &mut || {
            seq += 1;
            seq
        })
        .unwrap()
        .to_vec();
    let mut out = Vec::new();
    let mut at = 0;
    while at + 16 <= dg.len() {
        let len = u32::from_ne_bytes(dg[at..at + 4].try_into().unwrap()) as usize;
        let kind = u16::from_ne_bytes(dg[at + 4..at + 6].try_into().unwrap());
        if kind == msg_type(subsys::NFTABLES, nft_msg::NEWSETELEM) {
            out.push(dg[at + 16..at + len].to_vec());
        }
        at += len.next_multiple_of(4);
    }
    out
}

/// Re-encode `spec` (the model `dump` decoded to) and assert the kernel's bytes come back:
/// type ids, lengths, flags, field description and userdata of the set; key, key end,
/// flags, data and extra attributes of every element.
fn assert_reencodes(dump: &Dump, spec: &SetSpec<'_>) {
    assert_eq!(
        set_attrs(&encode_newset(spec)),
        dump.set_attrs(),
        "NEWSET attributes"
    );
    assert_eq!(wire_elems(encode_newsetelem(spec)), dump.wire(), "elements");
}

/// `elements` sorted (a hash set dumps in hash order).
fn sorted(mut elements: Vec<SetElement>) -> Vec<SetElement> {
    elements.sort();
    elements
}

/// A raw key or data value.
fn bytes(b: &[u8]) -> SetElement {
    SetElement::Value(ElemValue::Bytes(b.into()))
}

/// A mark range.
fn marks(lo: u32, hi: u32) -> SetElement {
    SetElement::range(ElemValue::Mark(lo), ElemValue::Mark(hi))
}

/// The map data of `e`.
fn data(e: SetElement) -> MapValue {
    MapValue::Data(e)
}

// ---- Host-order scalars in plain sets ------------------------------------------------

/// `set mark_plain { type mark; elements = { 0x1, 0xaabbccdd } }`.
const MARK_PLAIN: Dump = Dump {
    set: "0200000206000100740000000f0002006d61726b5f706c61696e00000c0010000000000000000001080004000000001308000500000000040a000d000004010000000000040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "0200000206000100740000000f0002006d61726b5f706c61696e000024000300100001000c0001000800010001000000100001000c00010008000100ddccbbaa",
    ],
};

#[test]
fn mark_plain_set_is_host_order_on_the_wire() {
    assert_eq!(texts(&MARK_PLAIN.wire()), ["01000000", "ddccbbaa"]);
    let set = MARK_PLAIN.set();
    assert_eq!(set.key, KeyType::Mark);
    // nft printed `0x00000001, 0xaabbccdd`: not byte-swapped.
    assert_eq!(
        sorted(set.elements.clone()),
        [SetElement::mark(1), SetElement::mark(0xaabb_ccdd)]
    );
    // The key byte order TLV (0) says host order (1): what Linx derives for a mark.
    assert_eq!(userdata(&MARK_PLAIN), [0, 4, 1, 0, 0, 0]);
    assert!(set.extras.is_empty());
    assert_reencodes(&MARK_PLAIN, &SetSpec::of_set(&set, 1));
}

/// `set ct_state_plain { type ct_state; elements = { established, related } }`.
const CT_STATE_PLAIN: Dump = Dump {
    set: "0200000206000100740000001300020063745f73746174655f706c61696e00000c0010000000000000000001080004000000001a08000500000000040a000d000004010000000000040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "0200000206000100740000001300020063745f73746174655f706c61696e000024000300100001000c0001000800010002000000100001000c0001000800010004000000",
    ],
};

#[test]
fn ct_state_plain_set_is_host_order_on_the_wire() {
    // established = 0x2, related = 0x4.
    assert_eq!(texts(&CT_STATE_PLAIN.wire()), ["02000000", "04000000"]);
    let set = CT_STATE_PLAIN.set();
    assert_eq!(set.key, KeyType::CtState);
    assert_eq!(
        sorted(set.elements.clone()),
        [CtState::ESTABLISHED.into(), CtState::RELATED.into()]
    );
    assert_eq!(userdata(&CT_STATE_PLAIN), [0, 4, 1, 0, 0, 0]);
    assert!(set.extras.is_empty());
    assert_reencodes(&CT_STATE_PLAIN, &SetSpec::of_set(&set, 1));
}

/// `set ct_mark_typeof { typeof ct mark; elements = { 0x1, 0xaabbccdd } }`.
const CT_MARK_TYPEOF: Dump = Dump {
    set: "0200000206000100740000001300020063745f6d61726b5f747970656f6600000c00100000000000000000010800040000000013080005000000000420000d00000401000000031400040c000000010c0004030000000104ffffffff040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "0200000206000100740000001300020063745f6d61726b5f747970656f66000024000300100001000c0001000800010001000000100001000c00010008000100ddccbbaa",
    ],
};

#[test]
fn typeof_ct_mark_is_a_host_order_mark_with_its_typeof_userdata_kept() {
    assert_eq!(texts(&CT_MARK_TYPEOF.wire()), ["01000000", "ddccbbaa"]);
    let set = CT_MARK_TYPEOF.set();
    // The kernel holds type `mark` (19): the model types it, host order.
    assert_eq!(set.key, KeyType::Mark);
    assert_eq!(
        sorted(set.elements.clone()),
        [SetElement::mark(1), SetElement::mark(0xaabb_ccdd)]
    );
    // Key byte order host, then key typeof `ct` (expr 12) `mark` (key 3, direction 0xff):
    // not derivable from the type, so kept and re-sent as nft wrote it.
    let ud = userdata(&CT_MARK_TYPEOF);
    assert_eq!(ud[..6], [0, 4, 1, 0, 0, 0]);
    assert_eq!(ud[6], 3);
    assert_eq!(set.extras.userdata, ud);
    assert_reencodes(&CT_MARK_TYPEOF, &SetSpec::of_set(&set, 1));
}

/// `set ifnames { type ifname; elements = { "eth0", "lo" } }`.
const IFNAMES: Dump = Dump {
    set: "0200000206000100740000000c00020069666e616d6573000c0010000000000000000001080004000000002908000500000000100a000d000004010000000000040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "0200000206000100740000000c00020069666e616d6573003c0003001c00010018000100140001006c6f00000000000000000000000000001c000100180001001400010065746830000000000000000000000000",
    ],
};

#[test]
fn ifname_keys_are_nul_padded_names() {
    assert_eq!(
        texts(&IFNAMES.wire()),
        [
            "65746830000000000000000000000000",
            "6c6f0000000000000000000000000000"
        ]
    );
    let set = IFNAMES.set();
    assert_eq!(set.key, KeyType::Ifname);
    assert_eq!(
        sorted(set.elements.clone()),
        [SetElement::ifname("eth0"), SetElement::ifname("lo")]
    );
    // nft tags interface names host order, though they are strings.
    assert_eq!(userdata(&IFNAMES), [0, 4, 1, 0, 0, 0]);
    assert!(set.extras.is_empty());
    assert_reencodes(&IFNAMES, &SetSpec::of_set(&set, 1));
}

// ---- Host-order scalars in interval sets ---------------------------------------------

/// `set mark_interval { type mark; flags interval; elements = { 0x10-0x20, 0xaabb0000/16 } }`.
const MARK_INTERVAL: Dump = Dump {
    set: "020000020600010074000000120002006d61726b5f696e74657276616c0000000c00100000000000000000010800030000000004080004000000001308000500000000040a000d000004010000000000040009001700130030786666666666666666383235303838653000000800140000000002",
    elems: &[
        "020000020600010074000000120002006d61726b5f696e74657276616c0000006c000300180001000c00010008000100aabc00000800030000000001100001000c00010008000100aabb0000180001000c00010008000100000000210800030000000001100001000c0001000800010000000010180001000c00010008000100000000000800030000000001",
    ],
};

#[test]
fn mark_interval_bounds_are_big_endian() {
    // The end marker at 0, then each range as its start and `hi + 1` flagged as an end,
    // all big endian (the dump comes in descending order; sorted here).
    assert_eq!(
        texts(&MARK_INTERVAL.wire()),
        [
            "00000000 end",
            "00000010",
            "00000021 end",
            "aabb0000",
            "aabc0000 end"
        ]
    );
    let set = MARK_INTERVAL.set();
    assert_eq!(set.key, KeyType::Mark);
    assert_eq!(set.flags, SetFlags::INTERVAL);
    // The model has prefixes only for addresses: `0xaabb0000/16` comes back as its range.
    assert_eq!(
        set.elements,
        [marks(0x10, 0x20), marks(0xaabb_0000, 0xaabb_ffff)]
    );
    // The byte order TLV still says host: it names the type's order, not the interval's.
    assert_eq!(userdata(&MARK_INTERVAL), [0, 4, 1, 0, 0, 0]);
    assert!(set.extras.is_empty());
    assert_reencodes(&MARK_INTERVAL, &SetSpec::of_set(&set, 1));
}

/// `set ct_state_interval { type ct_state; flags interval; elements = { established, new } }`
/// (nft 1.0.6 crashes listing this set after it received the dump; the bytes are the
/// kernel's all the same).
const CT_STATE_INTERVAL: Dump = Dump {
    set: "0200000206000100740000001600020063745f73746174655f696e74657276616c0000000c00100000000000000000010800030000000004080004000000001a08000500000000040a000d000004010000000000040009001700130030786666666666666666383235303838653000000800140000000002",
    elems: &[
        "0200000206000100740000001600020063745f73746174655f696e74657276616c0000006c000300180001000c00010008000100000000090800030000000001100001000c0001000800010000000008180001000c00010008000100000000030800030000000001100001000c0001000800010000000002180001000c00010008000100000000000800030000000001",
    ],
};

#[test]
fn ct_state_interval_bounds_are_big_endian() {
    // established = 0x2, new = 0x8, each with its end at `+ 1`.
    assert_eq!(
        texts(&CT_STATE_INTERVAL.wire()),
        [
            "00000000 end",
            "00000002",
            "00000003 end",
            "00000008",
            "00000009 end"
        ]
    );
    let set = CT_STATE_INTERVAL.set();
    assert_eq!(set.key, KeyType::CtState);
    assert_eq!(
        set.elements,
        [CtState::ESTABLISHED.into(), CtState::NEW.into()]
    );
    assert!(set.extras.is_empty());
    assert_reencodes(&CT_STATE_INTERVAL, &SetSpec::of_set(&set, 1));
}

// ---- typeof keys the model cannot name: the kernel's bytes ----------------------------

/// `set meta_length { typeof meta length; elements = { 33, 55 } }`.
const META_LENGTH: Dump = Dump {
    set: "020000020600010074000000100002006d6574615f6c656e677468000c0010000000000000000001080004000000000408000500000000041a000d00000401000000030e00040900000001060004000000000000040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "020000020600010074000000100002006d6574615f6c656e6774680024000300100001000c0001000800010037000000100001000c0001000800010021000000",
    ],
};

#[test]
fn typeof_meta_length_keeps_kernel_bytes_and_byteorder_userdata() {
    // 33 and 55 in host order.
    assert_eq!(texts(&META_LENGTH.wire()), ["21000000", "37000000"]);
    let set = META_LENGTH.set();
    // `integer` (4), 4 bytes: a type the model does not name.
    assert_eq!(set.key, KeyType::Raw { type_id: 4, len: 4 });
    assert_eq!(
        sorted(set.elements.clone()),
        [bytes(&[0x21, 0, 0, 0]), bytes(&[0x37, 0, 0, 0])]
    );
    // Key byte order host (1), then key typeof `meta` (expr 9) `length` (key 0): what nft
    // prints the raw bytes by, kept whole and re-sent.
    let ud = userdata(&META_LENGTH);
    assert_eq!(to_hex(&ud), "000401000000030e0004090000000106000400000000");
    assert_eq!(set.extras.userdata, ud);
    assert_reencodes(&META_LENGTH, &SetSpec::of_set(&set, 1));
}

/// `set meta_length_interval { typeof meta length; flags interval; elements = { 33-55, 67 } }`.
const META_LENGTH_INTERVAL: Dump = Dump {
    set: "020000020600010074000000190002006d6574615f6c656e6774685f696e74657276616c000000000c00100000000000000000010800030000000004080004000000000408000500000000041a000d00000401000000030e00040900000001060004000000000000040009001700130030786666666666666666383235303838653000000800140000000002",
    elems: &[
        "020000020600010074000000190002006d6574615f6c656e6774685f696e74657276616c000000006c000300180001000c00010008000100000000440800030000000001100001000c0001000800010000000043180001000c00010008000100000000380800030000000001100001000c0001000800010000000021180001000c00010008000100000000000800030000000001",
    ],
};

#[test]
fn typeof_meta_length_interval_keeps_big_endian_kernel_bytes() {
    // nft switches host-order integers to big endian for interval sets.
    assert_eq!(
        texts(&META_LENGTH_INTERVAL.wire()),
        [
            "00000000 end",
            "00000021",
            "00000038 end",
            "00000043",
            "00000044 end"
        ]
    );
    let set = META_LENGTH_INTERVAL.set();
    assert_eq!(set.key, KeyType::Raw { type_id: 4, len: 4 });
    // The raw values are the kernel's bytes, so big endian here (host order in a plain set).
    assert_eq!(
        set.elements,
        [
            SetElement::range(
                ElemValue::Bytes([0, 0, 0, 0x21].into()),
                ElemValue::Bytes([0, 0, 0, 0x37].into())
            ),
            bytes(&[0, 0, 0, 0x43]),
        ]
    );
    // The same userdata as the plain set: byte order host, typeof meta length.
    assert_eq!(userdata(&META_LENGTH_INTERVAL), userdata(&META_LENGTH));
    assert_eq!(set.extras.userdata, userdata(&META_LENGTH));
    assert_reencodes(&META_LENGTH_INTERVAL, &SetSpec::of_set(&set, 1));
}

/// The anonymous set of `chain c { meta length { 33, 55, 67, 88 } accept }` (captured with
/// `nft list ruleset`).
const SET0: Dump = Dump {
    set: "0200000206000100740000000b0002005f5f7365743000000c00100000000000000000020800030000000003080004000000000408000500000000041a000d00000401000000030e000409000000010600040000000000000c00090008000100000000041700130030786666666666666666383235303835633000000800140000000004",
    elems: &[
        "0200000206000100740000000b0002005f5f73657430000044000300100001000c0001000800010058000000100001000c0001000800010021000000100001000c0001000800010037000000100001000c0001000800010043000000",
    ],
};

#[test]
fn anonymous_typeof_set_keeps_kernel_bytes_and_typeof_userdata() {
    assert_eq!(
        texts(&SET0.wire()),
        ["21000000", "37000000", "43000000", "58000000"]
    );
    let info = SET0.info();
    assert_eq!(info.name, "__set0");
    assert_eq!(info.key, KeyType::Raw { type_id: 4, len: 4 });
    assert_eq!(info.flags, SetFlags::ANONYMOUS | SetFlags::CONSTANT);
    assert_eq!(info.extras.userdata, userdata(&META_LENGTH));
    let (Elements::Set(elements), kept) = SET0.elements(&info) else {
        panic!("a set")
    };
    assert_eq!(kept, KeptElements::default());
    assert_eq!(
        sorted(elements.clone()),
        [33u8, 55, 67, 88].map(|n| bytes(&[n, 0, 0, 0]))
    );
    // The literal pull makes of it (see `pull.rs`), pushed back.
    let literal = SetLiteral {
        key: info.key.clone(),
        flags: SetFlags::CONSTANT,
        elements,
        sreg: Reg::R1,
        inverted: false,
        extras: info.extras.clone(),
    };
    assert_reencodes(&SET0, &SetSpec::of_literal(&literal, 1));
}

/// `set meta_priority { typeof meta priority; elements = { aaaa:bbbb } }`.
const META_PRIORITY: Dump = Dump {
    set: "020000020600010074000000120002006d6574615f7072696f726974790000000c0010000000000000000001080004000000001708000500000000041a000d00000401000000030e00040900000001060004020000000000040009001700130030786666666666666666383235303837343000000800140000000001",
    elems: &[
        "020000020600010074000000120002006d6574615f7072696f7269747900000014000300100001000c00010008000100bbbbaaaa",
    ],
};

#[test]
fn typeof_meta_priority_keeps_the_host_order_handle() {
    // The tc handle aaaa:bbbb is the u32 0xaaaabbbb, host order.
    assert_eq!(texts(&META_PRIORITY.wire()), ["bbbbaaaa"]);
    let set = META_PRIORITY.set();
    // `classid` (23), 4 bytes: not a type the model names.
    assert_eq!(
        set.key,
        KeyType::Raw {
            type_id: 23,
            len: 4
        }
    );
    assert_eq!(set.elements, [bytes(&0xaaaa_bbbbu32.to_ne_bytes())]);
    let ud = userdata(&META_PRIORITY);
    // Byte order host, typeof meta (9) priority (key 2).
    assert_eq!(to_hex(&ud), "000401000000030e0004090000000106000402000000");
    assert_eq!(set.extras.userdata, ud);
    assert_reencodes(&META_PRIORITY, &SetSpec::of_set(&set, 1));
}

// ---- Concatenations ------------------------------------------------------------------

/// `set addr_mark { type ipv4_addr . mark; elements = { 10.0.0.1 . 0x1,
/// 192.168.0.2 . 0xaabbccdd } }`.
const ADDR_MARK: Dump = Dump {
    set: "0200000206000100740000000e000200616464725f6d61726b0000000c001000000000000000000108000400000001d3080005000000000814000d00000400000000030800040d0000000100040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "0200000206000100740000000e000200616464725f6d61726b0000002c00030014000100100001000c000100c0a80002ddccbbaa14000100100001000c0001000a00000101000000",
    ],
};

#[test]
fn concat_fields_each_keep_their_order() {
    // The address in network order, the mark in host order, each in 4 bytes.
    assert_eq!(
        texts(&ADDR_MARK.wire()),
        ["0a00000101000000", "c0a80002ddccbbaa"]
    );
    let set = ADDR_MARK.set();
    assert_eq!(
        set.key,
        KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::Mark])
    );
    assert_eq!(
        sorted(set.elements.clone()),
        [
            SetElement::concat([ip!("10.0.0.1").into(), SetElement::mark(1)]),
            SetElement::concat([ip!("192.168.0.2").into(), SetElement::mark(0xaabb_ccdd)]),
        ]
    );
    // Byte order 0 for a concatenation, typeof `concat` without detail.
    assert_eq!(
        to_hex(&userdata(&ADDR_MARK)),
        "000400000000030800040d0000000100"
    );
    assert!(set.extras.is_empty());
    assert_reencodes(&ADDR_MARK, &SetSpec::of_set(&set, 1));
}

/// `set addr_mark_typeof { typeof ip saddr . meta mark; elements = { 10.0.0.1 . 0x1 } }`.
const ADDR_MARK_TYPEOF: Dump = Dump {
    set: "02000002060001007400000015000200616464725f6d61726b5f747970656f66000000000c001000000000000000000108000400000001d308000500000000083a000d00000400000000032e00040d00000001260014000407000000010c00040c00000001040b000000010e00040900000001060004030000000000040009001700130030786666666666666666383235303837343000000800140000000001",
    elems: &[
        "02000002060001007400000015000200616464725f6d61726b5f747970656f66000000001800030014000100100001000c0001000a00000101000000",
    ],
};

#[test]
fn concat_typeof_fields_keep_their_order_and_typeof_userdata() {
    assert_eq!(texts(&ADDR_MARK_TYPEOF.wire()), ["0a00000101000000"]);
    let set = ADDR_MARK_TYPEOF.set();
    assert_eq!(
        set.key,
        KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::Mark])
    );
    assert_eq!(
        set.elements,
        [SetElement::concat([
            ip!("10.0.0.1").into(),
            SetElement::mark(1)
        ])]
    );
    // The typeof TLV describes both fields (`ip saddr`, `meta mark`): kept, re-sent.
    let ud = userdata(&ADDR_MARK_TYPEOF);
    assert_eq!(ud.len(), 54);
    assert_eq!(set.extras.userdata, ud);
    assert_reencodes(&ADDR_MARK_TYPEOF, &SetSpec::of_set(&set, 1));
}

/// `set addr_mark_interval { type ipv4_addr . mark; flags interval;
/// elements = { 10.0.0.0/8 . 0x10-0x20, 192.168.0.2 . 0xaabbccdd } }`.
const ADDR_MARK_INTERVAL: Dump = Dump {
    set: "02000002060001007400000017000200616464725f6d61726b5f696e74657276616c00000c0010000000000000000001080003000000008408000400000001d3080005000000000814000d00000400000000030800040d0000000100200009001c0002000c00010008000100000000040c00010008000100000000041700130030786666666666666666383235303839613000000800140000000002",
    elems: &[
        "02000002060001007400000017000200616464725f6d61726b5f696e74657276616c00004c00030024000100100001000c0001000a0000000000001010000a000c0001000affffff0000002024000100100001000c000100c0a80002aabbccdd10000a000c000100c0a80002aabbccdd",
    ],
};

#[test]
fn concat_interval_fields_are_all_big_endian() {
    // pipapo: one element per range with `KEY_END` the inclusive upper bound; the mark
    // field is big endian here, unlike in the plain concatenation.
    assert_eq!(
        texts(&ADDR_MARK_INTERVAL.wire()),
        [
            "0a00000000000010-0affffff00000020",
            "c0a80002aabbccdd-c0a80002aabbccdd"
        ]
    );
    let set = ADDR_MARK_INTERVAL.set();
    assert_eq!(
        set.key,
        KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::Mark])
    );
    assert_eq!(set.flags, SetFlags::INTERVAL);
    // In dump order: pipapo elements are whole, nothing to pair.
    assert_eq!(
        set.elements,
        [
            SetElement::concat([ip!("10.0.0.0/8").into(), marks(0x10, 0x20)]),
            SetElement::concat([ip!("192.168.0.2").into(), SetElement::mark(0xaabb_ccdd)]),
        ]
    );
    let attrs = ADDR_MARK_INTERVAL.set_attrs();
    assert_eq!(attrs.flags, (SetFlags::INTERVAL | SetFlags::CONCAT).bits());
    assert_eq!(attrs.fields, Some(vec![4, 4]));
    assert!(set.extras.is_empty());
    assert_reencodes(&ADDR_MARK_INTERVAL, &SetSpec::of_set(&set, 1));
}

/// `set addr_port { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 22,
/// 192.168.0.2 . 443 } }`.
const ADDR_PORT: Dump = Dump {
    set: "0200000206000100740000000e000200616464725f706f72740000000c001000000000000000000108000400000001cd080005000000000814000d00000400000000030800040d0000000100040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "0200000206000100740000000e000200616464725f706f72740000002c00030014000100100001000c000100c0a8000201bb000014000100100001000c0001000a00000100160000",
    ],
};

#[test]
fn concat_ports_are_network_order_padded_to_four_bytes() {
    // 22 = 0x0016, 443 = 0x01bb, each followed by two zero bytes.
    assert_eq!(
        texts(&ADDR_PORT.wire()),
        ["0a00000100160000", "c0a8000201bb0000"]
    );
    let set = ADDR_PORT.set();
    assert_eq!(
        set.key,
        KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService])
    );
    assert_eq!(
        sorted(set.elements.clone()),
        [
            SetElement::concat([ip!("10.0.0.1").into(), SetElement::port(22)]),
            SetElement::concat([ip!("192.168.0.2").into(), SetElement::port(443)]),
        ]
    );
    assert!(set.extras.is_empty());
    assert_reencodes(&ADDR_PORT, &SetSpec::of_set(&set, 1));
}

// ---- Map data ------------------------------------------------------------------------

/// `map mark_to_addr { type mark : ipv4_addr; elements = { 0x1 : 10.0.0.1,
/// 0xaabbccdd : 192.168.0.2 } }`.
const MARK_TO_ADDR: Dump = Dump {
    set: "020000020600010074000000110002006d61726b5f746f5f61646472000000000c00100000000000000000010800030000000008080004000000001308000500000000040800060000000007080007000000000416000d000004010000000104020000000604000000000000040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "020000020600010074000000110002006d61726b5f746f5f61646472000000003c0003001c0001000c00010008000100ddccbbaa0c00020008000100c0a800021c0001000c00010008000100010000000c000200080001000a000001",
    ],
};

#[test]
fn map_key_and_data_each_take_their_type_order() {
    let wire = MARK_TO_ADDR.wire();
    // Host-order mark keys, network-order address data.
    assert_eq!(texts(&wire), ["01000000", "ddccbbaa"]);
    assert_eq!(wire[1].data, Some(Data::Value(vec![192, 168, 0, 2])));
    let map = MARK_TO_ADDR.map();
    assert_eq!(map.key, KeyType::Mark);
    assert_eq!(map.data, DataType::Value(KeyType::Ipv4Addr));
    let mut elements = map.elements.clone();
    elements.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        elements,
        [
            MapElement {
                key: SetElement::mark(1),
                value: data(ip!("10.0.0.1").into()),
            },
            MapElement {
                key: SetElement::mark(0xaabb_ccdd),
                value: data(ip!("192.168.0.2").into()),
            },
        ]
    );
    // Key byte order host (1), data byte order big endian (TLV 1 = 2), data interval 0.
    assert_eq!(
        to_hex(&userdata(&MARK_TO_ADDR)),
        "000401000000010402000000060400000000"
    );
    assert!(map.extras.is_empty());
    assert_reencodes(&MARK_TO_ADDR, &SetSpec::of_map(&map, 1));
}

/// `map addr_to_mark { type ipv4_addr : mark; elements = { 10.0.0.1 : 0x1,
/// 192.168.0.2 : 0xaabbccdd } }`.
const ADDR_TO_MARK: Dump = Dump {
    set: "02000002060001007400000011000200616464725f746f5f6d61726b000000000c00100000000000000000010800030000000008080004000000000708000500000000040800060000000013080007000000000416000d000004020000000104010000000604000000000000040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "02000002060001007400000011000200616464725f746f5f6d61726b000000003c0003001c0001000c00010008000100c0a800020c00020008000100ddccbbaa1c0001000c000100080001000a0000010c0002000800010001000000",
    ],
};

#[test]
fn mark_data_is_host_order() {
    let wire = ADDR_TO_MARK.wire();
    assert_eq!(texts(&wire), ["0a000001", "c0a80002"]);
    assert_eq!(wire[0].data, Some(Data::Value(vec![1, 0, 0, 0])));
    assert_eq!(
        wire[1].data,
        Some(Data::Value(vec![0xdd, 0xcc, 0xbb, 0xaa]))
    );
    let map = ADDR_TO_MARK.map();
    assert_eq!(map.data, DataType::Value(KeyType::Mark));
    let mut elements = map.elements.clone();
    elements.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        elements,
        [
            MapElement {
                key: ip!("10.0.0.1").into(),
                value: data(SetElement::mark(1)),
            },
            MapElement {
                key: ip!("192.168.0.2").into(),
                value: data(SetElement::mark(0xaabb_ccdd)),
            },
        ]
    );
    // Key big endian (2), data host (1).
    assert_eq!(
        to_hex(&userdata(&ADDR_TO_MARK)),
        "000402000000010401000000060400000000"
    );
    assert!(map.extras.is_empty());
    assert_reencodes(&ADDR_TO_MARK, &SetSpec::of_map(&map, 1));
}

/// `map addr_to_mark_interval { type ipv4_addr : mark; flags interval;
/// elements = { 10.0.0.0/8 : 0xaabbccdd } }`.
const ADDR_TO_MARK_INTERVAL: Dump = Dump {
    set: "0200000206000100740000001a000200616464725f746f5f6d61726b5f696e74657276616c0000000c0010000000000000000001080003000000000c080004000000000708000500000000040800060000000013080007000000000416000d000004020000000104010000000604000000000000040009001700130030786666666666666666383235303838653000000800140000000001",
    elems: &[
        "0200000206000100740000001a000200616464725f746f5f6d61726b5f696e74657276616c00000050000300180001000c000100080001000b00000008000300000000011c0001000c000100080001000a0000000c00020008000100ddccbbaa180001000c00010008000100000000000800030000000001",
    ],
};

#[test]
fn mark_data_stays_host_order_in_an_interval_map() {
    let wire = ADDR_TO_MARK_INTERVAL.wire();
    assert_eq!(texts(&wire), ["00000000 end", "0a000000", "0b000000 end"]);
    // Only keys become big endian in interval sets; data keep their type's order.
    assert_eq!(
        wire[1].data,
        Some(Data::Value(vec![0xdd, 0xcc, 0xbb, 0xaa]))
    );
    let map = ADDR_TO_MARK_INTERVAL.map();
    assert_eq!(
        map.elements,
        [MapElement {
            key: ip!("10.0.0.0/8").into(),
            value: data(SetElement::mark(0xaabb_ccdd)),
        }]
    );
    assert!(map.extras.is_empty());
    assert_reencodes(&ADDR_TO_MARK_INTERVAL, &SetSpec::of_map(&map, 1));
}

/// `map mark_to_mark_interval { type mark : mark; flags interval;
/// elements = { 0x10-0x20 : 0xaabbccdd, 0xffffff00-0xffffffff : 0x1 } }`.
const MARK_TO_MARK_INTERVAL: Dump = Dump {
    set: "0200000206000100740000001a0002006d61726b5f746f5f6d61726b5f696e74657276616c0000000c0010000000000000000001080003000000000c080004000000001308000500000000040800060000000013080007000000000416000d000004010000000104010000000604000000000000040009001700130030786666666666666666383235303838653000000800140000000002",
    elems: &[
        "0200000206000100740000001a0002006d61726b5f746f5f6d61726b5f696e74657276616c00000078000300280001000c00010008000100ffffff000c00020008000100010000000a0006000104010000000000180001000c000100080001000000002108000300000000011c0001000c00010008000100000000100c00020008000100ddccbbaa180001000c00010008000100000000000800030000000001",
    ],
};

#[test]
fn interval_map_has_big_endian_mark_keys_and_host_order_mark_data() {
    let wire = MARK_TO_MARK_INTERVAL.wire();
    // A range running to the maximum has no end element; nft flags it open in the element
    // userdata (`NFTNL_UDATA_SET_ELEM_FLAGS` = `NFTNL_SET_ELEM_F_INTERVAL_OPEN`) instead.
    assert_eq!(
        texts(&wire),
        ["00000000 end", "00000010", "00000021 end", "ffffff00"]
    );
    assert_eq!(
        wire[1].data,
        Some(Data::Value(vec![0xdd, 0xcc, 0xbb, 0xaa]))
    );
    assert_eq!(wire[3].data, Some(Data::Value(vec![1, 0, 0, 0])));
    assert_eq!(
        wire[3].other,
        [(ea::NFTA_SET_ELEM_USERDATA, vec![1, 4, 1, 0, 0, 0])]
    );
    let map = MARK_TO_MARK_INTERVAL.map();
    assert_eq!(map.key, KeyType::Mark);
    assert_eq!(map.data, DataType::Value(KeyType::Mark));
    assert_eq!(
        map.elements,
        [
            MapElement {
                key: marks(0x10, 0x20),
                value: data(SetElement::mark(0xaabb_ccdd)),
            },
            MapElement {
                key: marks(0xffff_ff00, 0xffff_ffff),
                value: data(SetElement::mark(1)),
            },
        ]
    );
    // Key and data byte order both host (1): the tags name the types, not the interval.
    assert_eq!(
        to_hex(&userdata(&MARK_TO_MARK_INTERVAL)),
        "000401000000010401000000060400000000"
    );
    // The open flag is the encoder's to write: nothing kept.
    assert!(map.extras.is_empty());
    assert_reencodes(&MARK_TO_MARK_INTERVAL, &SetSpec::of_map(&map, 1));
}

/// `map mark_vmap { type mark : verdict; elements = { 0x1 : accept, 0xaabbccdd : drop } }`.
const MARK_VMAP: Dump = Dump {
    set: "0200000206000100740000000e0002006d61726b5f766d61700000000c001000000000000000000108000300000000080800040000000013080005000000000408000600ffffff00080007000000001016000d000004010000000104000000000604000000000000040009001700130030786666666666666666383235303837343000000800140000000002",
    elems: &[
        "0200000206000100740000000e0002006d61726b5f766d617000000044000300200001000c0001000800010001000000100002000c0002000800010000000001200001000c00010008000100ddccbbaa100002000c0002000800010000000000",
    ],
};

#[test]
fn verdict_map_has_host_order_mark_keys_and_no_data_byte_order() {
    let wire = MARK_VMAP.wire();
    assert_eq!(texts(&wire), ["01000000", "ddccbbaa"]);
    assert_eq!(wire[0].data, Some(Data::Verdict(Verdict::Accept)));
    assert_eq!(wire[1].data, Some(Data::Verdict(Verdict::Drop)));
    let map = MARK_VMAP.map();
    assert_eq!(map.data, DataType::Verdict);
    let mut elements = map.elements.clone();
    elements.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        elements,
        [
            MapElement {
                key: SetElement::mark(1),
                value: MapValue::Verdict(Verdict::Accept),
            },
            MapElement {
                key: SetElement::mark(0xaabb_ccdd),
                value: MapValue::Verdict(Verdict::Drop),
            },
        ]
    );
    // Data byte order 0 for verdicts.
    assert_eq!(
        to_hex(&userdata(&MARK_VMAP)),
        "000401000000010400000000060400000000"
    );
    assert!(map.extras.is_empty());
    assert_reencodes(&MARK_VMAP, &SetSpec::of_map(&map, 1));
}

// ---- Element extras ------------------------------------------------------------------

/// `set timeouts { type ipv4_addr; flags timeout;
/// elements = { 10.0.0.1 timeout 30s comment "x" } }`.
const TIMEOUTS: Dump = Dump {
    set: "0200000206000100740000000d00020074696d656f757473000000000c00100000000000000000010800030000000010080004000000000708000500000000040a000d000004020000000000040009001700130030786666666666666666383235303837343000000800140000000001",
    elems: &[
        "0200000206000100740000000d00020074696d656f7574730000000034000300300001000c000100080001000a0000010c00040000000000000075300c00050000000000000075240800060000027800",
    ],
};

#[test]
fn element_timeout_and_comment_are_kept_as_the_kernel_sent_them() {
    let wire = TIMEOUTS.wire();
    assert_eq!(texts(&wire), ["0a000001"]);
    // Timeout and expiration in milliseconds, u64 big endian; the comment is nft's element
    // userdata TLV (0, NUL terminated).
    let kinds: Vec<u16> = wire[0].other.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            ea::NFTA_SET_ELEM_TIMEOUT,
            ea::NFTA_SET_ELEM_EXPIRATION,
            ea::NFTA_SET_ELEM_USERDATA
        ]
    );
    assert_eq!(wire[0].other[0].1, 30_000u64.to_be_bytes());
    assert_eq!(wire[0].other[2].1, [0, 2, b'x', 0]);
    let set = TIMEOUTS.set();
    assert_eq!(set.flags, SetFlags::TIMEOUT);
    assert_eq!(set.elements, [SetElement::from(ip!("10.0.0.1"))]);
    assert_eq!(set.extras.elements.len(), 1);
    assert_eq!(set.extras.elements[0].index, 0);
    assert_reencodes(&TIMEOUTS, &SetSpec::of_set(&set, 1));
}
