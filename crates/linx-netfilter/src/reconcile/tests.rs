//! Unit tests of the patch encoder (bytes of each op kind, compared with what nft 1.0.6
//! sends for the same command where it has one) and of the refusal naming.

use linx_netlink_codec::consts::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_REPLACE, NLM_F_REQUEST};
use linx_netlink_codec::{AttrIter, Errno, NetlinkError};
use linx_nfnl::{msg_type, nft_msg, subsys};

use super::refused::{attribute_at, name_refusals};
use super::*;
use crate::diff::{Op, Position, SetDef};
use crate::expr::SetLiteral;
use crate::{
    Chain, Error, Expr, Family, KeyType, Map, MapElement, MapValue, Object, Rule, Set, SetElement,
    Table, TableFlags, TableId, Verdict,
};

fn inet_t() -> TableId {
    TableId::new(Family::Inet, "t")
}

fn patch_of(ops: impl IntoIterator<Item = Op>) -> Patch {
    let mut p = Patch::new();
    for op in ops {
        p.push(op);
    }
    p
}

/// An nf_tables message as nft writes it: nlmsghdr (seq 0, port 0), nfgenmsg, attributes.
fn msg(op: u8, flags: u16, family: u8, attrs: &[u8]) -> Vec<u8> {
    let len = (16 + 4 + attrs.len()) as u32;
    let mut m = len.to_ne_bytes().to_vec();
    m.extend_from_slice(&msg_type(subsys::NFTABLES, op).to_ne_bytes());
    m.extend_from_slice(&(flags | NLM_F_REQUEST).to_ne_bytes());
    m.extend_from_slice(&[0; 8]);
    m.extend_from_slice(&[family, 0, 0, 0]);
    m.extend_from_slice(attrs);
    m
}

/// A host-order attribute header.
fn hdr(len: u16, kind: u16) -> Vec<u8> {
    let mut v = len.to_ne_bytes().to_vec();
    v.extend_from_slice(&kind.to_ne_bytes());
    v
}

/// `NFTA_*_TABLE "t"` / a one-letter string attribute.
fn str1(kind: u16, c: u8) -> Vec<u8> {
    let mut v = hdr(6, kind);
    v.extend_from_slice(&[c, 0, 0, 0]);
    v
}

fn be64(kind: u16, x: u64) -> Vec<u8> {
    let mut v = hdr(12, kind);
    v.extend_from_slice(&x.to_be_bytes());
    v
}

/// `[ immediate reg 0 <verdict code> ]` as the expression list nest (captured from
/// `nft --debug=mnl replace rule inet t c handle 2 accept`, nft 1.0.6, Linux 6.18).
fn verdict_exprs(code: u32) -> Vec<u8> {
    let mut v = hdr(52, 4 | 0x8000);
    v.extend(hdr(48, 1 | 0x8000));
    v.extend(hdr(14, 1));
    v.extend_from_slice(b"immediate\0\0\0");
    v.extend(hdr(28, 2 | 0x8000));
    v.extend(hdr(8, 1));
    v.extend_from_slice(&[0; 4]);
    v.extend(hdr(16, 2 | 0x8000));
    v.extend(hdr(12, 2 | 0x8000));
    v.extend(hdr(8, 1));
    v.extend_from_slice(&code.to_be_bytes());
    v
}

const INET: u8 = 1;

#[test]
fn delete_rule_is_nfts_delete_rule() {
    // nft --debug=mnl delete rule inet t c handle 2
    let p = patch_of([Op::DeleteRule {
        table: inet_t(),
        chain: "c".into(),
        handle: 2,
        rule: Rule::new([]).accept(),
    }]);
    let enc = encode_patch(&p).unwrap();
    let mut attrs = str1(1, b't');
    attrs.extend(str1(2, b'c'));
    attrs.extend(be64(3, 2));
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::DELRULE, 0, INET, &attrs)
    );
    assert_eq!(enc.len(), 1);
}

#[test]
fn flush_chain_is_nfts_flush_chain() {
    // nft --debug=mnl flush chain inet t c: DELRULE with the table and chain, no handle.
    let p = patch_of([Op::FlushChain {
        table: inet_t(),
        chain: "c".into(),
    }]);
    let enc = encode_patch(&p).unwrap();
    let mut attrs = str1(1, b't');
    attrs.extend(str1(2, b'c'));
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::DELRULE, 0, INET, &attrs)
    );
    assert_eq!(enc.len(), 1);
    let named = name_refusals(
        &p,
        &enc,
        None,
        vec![linx_nfnl::Refusal {
            batch_seq: Some(1),
            error: NetlinkError::new(Errno::ENOENT),
        }],
    );
    assert_eq!(named[0].what.as_deref(), Some("flush of chain inet/t/c"));
}

#[test]
fn replace_rule_is_nfts_replace_rule() {
    // nft --debug=mnl replace rule inet t c handle 2 accept: handle right after the chain.
    let p = patch_of([Op::ReplaceRule {
        table: inet_t(),
        chain: "c".into(),
        handle: 2,
        rule: Rule::new([]).accept(),
    }]);
    let enc = encode_patch(&p).unwrap();
    let mut attrs = str1(1, b't');
    attrs.extend(str1(2, b'c'));
    attrs.extend(be64(3, 2));
    attrs.extend(verdict_exprs(1));
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::NEWRULE, NLM_F_REPLACE, INET, &attrs)
    );
}

#[test]
fn insert_before_is_nfts_insert_position() {
    // nft --debug=mnl insert rule inet t c position 2 drop comment "y": the position comes
    // after the expressions, before the userdata; NLM_F_CREATE without NLM_F_APPEND.
    let p = patch_of([Op::CreateRule {
        table: inet_t(),
        chain: "c".into(),
        position: Position::Before(2),
        rule: Rule::new([]).drop().comment("y"),
    }]);
    let enc = encode_patch(&p).unwrap();
    let mut attrs = str1(1, b't');
    attrs.extend(str1(2, b'c'));
    attrs.extend(verdict_exprs(0));
    attrs.extend(be64(6, 2));
    attrs.extend(hdr(8, 7));
    attrs.extend_from_slice(&[0, 2, b'y', 0]);
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::NEWRULE, NLM_F_CREATE, INET, &attrs)
    );
}

#[test]
fn append_is_what_push_sends() {
    let p = patch_of([Op::CreateRule {
        table: inet_t(),
        chain: "c".into(),
        position: Position::Append,
        rule: Rule::new([]).accept(),
    }]);
    let enc = encode_patch(&p).unwrap();
    let mut attrs = str1(1, b't');
    attrs.extend(str1(2, b'c'));
    attrs.extend(verdict_exprs(1));
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::NEWRULE, NLM_F_CREATE | NLM_F_APPEND, INET, &attrs)
    );
    // The same bytes as push's plan for a table holding that rule (its last message).
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "t", TableFlags::empty())
        .unwrap()
        .add_chain(Chain::regular("c").with_rules([Rule::new([]).accept()]))
        .unwrap();
    let plan = crate::push::plan(&rs).unwrap();
    let pushed = plan.batch().message(plan.len()).unwrap();
    assert_eq!(pushed, enc.batch().message(1).unwrap());
}

#[test]
fn deletes_of_chain_set_object_flowtable_and_table() {
    // nft --debug=mnl delete chain inet t c: table, name.
    let p = patch_of([
        Op::DeleteChain {
            table: inet_t(),
            chain: Chain::regular("c"),
        },
        Op::DeleteSet {
            table: inet_t(),
            set: SetDef::Set(Set::new("s", KeyType::Ipv4Addr)),
        },
        Op::DeleteObject {
            table: inet_t(),
            object: Object::counter("o"),
        },
        Op::DeleteTable {
            table: inet_t(),
            handle: None,
        },
    ]);
    let enc = encode_patch(&p).unwrap();
    assert_eq!(enc.len(), 4);
    let two = |a: u8, b: u8| {
        let mut v = str1(1, a);
        v.extend(str1(3, b));
        v
    };
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::DELCHAIN, 0, INET, &two(b't', b'c'))
    );
    let mut set = str1(1, b't');
    set.extend(str1(2, b's'));
    assert_eq!(
        enc.batch().message(2).unwrap(),
        msg(nft_msg::DELSET, 0, INET, &set)
    );
    let mut obj = str1(1, b't');
    obj.extend(str1(2, b'o'));
    obj.extend(hdr(8, 3));
    obj.extend_from_slice(&1u32.to_be_bytes()); // NFT_OBJECT_COUNTER
    assert_eq!(
        enc.batch().message(3).unwrap(),
        msg(nft_msg::DELOBJ, 0, INET, &obj)
    );
    assert_eq!(
        enc.batch().message(4).unwrap(),
        msg(nft_msg::DELTABLE, 0, INET, &str1(1, b't'))
    );
}

fn interval_set(elements: Vec<SetElement>) -> Set {
    let mut s = Set::new("s", KeyType::Ipv4Addr).interval();
    s.elements = elements;
    s
}

fn prefix8() -> SetElement {
    SetElement::from(linx_ip::ip!("10.0.0.0/8"))
}

#[test]
fn delete_of_interval_elements_is_nfts_delete_element() {
    // nft --debug=mnl delete element inet t s { 10.0.0.0/8 }: start 10.0.0.0, end
    // 11.0.0.0 flagged interval-end (flags before key), no leading marker.
    let p = patch_of([Op::DeleteSetElements {
        table: inet_t(),
        set: SetDef::Set(interval_set(vec![prefix8()])),
    }]);
    let enc = encode_patch(&p).unwrap();
    let mut attrs = str1(1, b't');
    attrs.extend(str1(2, b's'));
    attrs.extend(hdr(44, 3 | 0x8000));
    attrs.extend(hdr(16, 1 | 0x8000));
    attrs.extend(hdr(12, 1 | 0x8000));
    attrs.extend(hdr(8, 1));
    attrs.extend_from_slice(&[10, 0, 0, 0]);
    attrs.extend(hdr(24, 2 | 0x8000));
    attrs.extend(hdr(8, 3));
    attrs.extend_from_slice(&1u32.to_be_bytes());
    attrs.extend(hdr(12, 1 | 0x8000));
    attrs.extend(hdr(8, 1));
    attrs.extend_from_slice(&[11, 0, 0, 0]);
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::DELSETELEM, 0, INET, &attrs)
    );
}

/// The element nests of an element message: (number of elements, whether the first is an
/// interval end at key 0, whether the message names a set id).
fn elements_of(m: &[u8]) -> (usize, bool, bool) {
    let attrs = &m[20..];
    let mut n = 0;
    let mut marker = false;
    let mut id = false;
    for a in AttrIter::new(attrs) {
        let a = a.unwrap();
        if a.kind() == 4 {
            id = true;
        }
        if a.kind() == 3 {
            for (i, e) in AttrIter::new(a.payload()).enumerate() {
                let e = e.unwrap();
                n += 1;
                if i == 0 {
                    let flags = AttrIter::new(e.payload())
                        .filter_map(Result::ok)
                        .find(|x| x.kind() == 3)
                        .is_some();
                    let key = AttrIter::new(e.payload())
                        .filter_map(Result::ok)
                        .find(|x| x.kind() == 1)
                        .map(|k| k.payload().get(4..8).unwrap_or_default().to_vec());
                    marker = flags && key.as_deref() == Some(&[0, 0, 0, 0][..]);
                }
            }
        }
    }
    (n, marker, id)
}

#[test]
fn added_elements_carry_the_marker_and_id_only_for_a_set_made_in_the_batch() {
    let existing = patch_of([Op::AddSetElements {
        table: inet_t(),
        set: SetDef::Set(interval_set(vec![prefix8()])),
    }]);
    let enc = encode_patch(&existing).unwrap();
    let m = enc.batch().message(1).unwrap();
    assert_eq!(
        u16::from_ne_bytes([m[6], m[7]]),
        NLM_F_CREATE | NLM_F_REQUEST
    );
    assert_eq!(elements_of(m), (2, false, false));

    let new = patch_of([
        Op::CreateSet {
            table: inet_t(),
            set: SetDef::Set(interval_set(vec![])),
        },
        Op::AddSetElements {
            table: inet_t(),
            set: SetDef::Set(interval_set(vec![prefix8()])),
        },
    ]);
    let enc = encode_patch(&new).unwrap();
    assert_eq!(enc.len(), 2);
    assert_eq!(
        elements_of(enc.batch().message(2).unwrap()),
        (3, true, true)
    );
}

#[test]
fn deleted_map_elements_are_keys_only() {
    let mut m = Map::vmap("m", KeyType::InetService);
    m.elements = vec![MapElement {
        key: SetElement::port(22),
        value: MapValue::Verdict(Verdict::Accept),
    }];
    let p = patch_of([Op::DeleteSetElements {
        table: inet_t(),
        set: SetDef::Map(m),
    }]);
    let enc = encode_patch(&p).unwrap();
    let msg = enc.batch().message(1).unwrap();
    let list = AttrIter::new(&msg[20..])
        .filter_map(Result::ok)
        .find(|a| a.kind() == 3)
        .unwrap();
    let elem = AttrIter::new(list.payload()).next().unwrap().unwrap();
    let kinds: Vec<u16> = AttrIter::new(elem.payload())
        .map(|a| a.unwrap().kind())
        .collect();
    assert_eq!(kinds, [1], "a key, no data");
}

#[test]
fn a_rule_literal_gets_its_anonymous_set_right_before_the_rule() {
    let lit = SetLiteral::new(
        KeyType::InetService,
        [SetElement::port(22), SetElement::port(80)],
    );
    let rule = Rule::new(Expr::meta_l4proto_eq(6))
        .exprs([Expr::from(lit)])
        .accept()
        .tag("web");
    let p = patch_of([
        Op::ReplaceRule {
            table: inet_t(),
            chain: "c".into(),
            handle: 9,
            rule: rule.clone(),
        },
        Op::CreateRule {
            table: inet_t(),
            chain: "c".into(),
            position: Position::Append,
            rule,
        },
    ]);
    let enc = encode_patch(&p).unwrap();
    let kinds: Vec<u8> = (1..=enc.len())
        .map(|i| enc.batch().message(i).unwrap()[4])
        .collect();
    assert_eq!(
        kinds,
        [
            nft_msg::NEWSET,
            nft_msg::NEWSETELEM,
            nft_msg::NEWRULE,
            nft_msg::NEWSET,
            nft_msg::NEWSETELEM,
            nft_msg::NEWRULE
        ]
    );
    assert_eq!(
        (1..=6).map(|i| enc.op_of(i).unwrap()).collect::<Vec<_>>(),
        [0, 0, 0, 1, 1, 1]
    );
    // Set ids count from 1 per batch; the second rule's lookup names set id 2.
    let rule2 = enc.batch().message(6).unwrap();
    let text = format!("{rule2:?}");
    assert!(!text.is_empty());
    // Encoding twice gives the same bytes (refusals are resolved against a re-encoding).
    let again = encode_patch(&p).unwrap();
    for i in 1..=enc.len() {
        assert_eq!(enc.batch().message(i), again.batch().message(i));
    }
}

#[test]
fn create_ops_are_what_push_sends() {
    let mut table = Table::new(Family::Inet, "t");
    table.flags = TableFlags::empty();
    let p = patch_of([
        Op::CreateTable {
            table: table.clone(),
        },
        Op::CreateChain {
            table: inet_t(),
            chain: Chain::regular("c"),
        },
    ]);
    let enc = encode_patch(&p).unwrap();
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "t", TableFlags::empty())
        .unwrap()
        .add_chain(Chain::regular("c"))
        .unwrap();
    let plan = crate::push::plan(&rs).unwrap();
    // push: destroy table, table, chain.
    assert_eq!(plan.batch().message(2), enc.batch().message(1));
    assert_eq!(plan.batch().message(3), enc.batch().message(2));
}

/// A rule with six expressions, the sixth a `log` the kernel refuses (group and level
/// together), encoded as a created rule.
fn bad_log_rule() -> Rule {
    let mut data = hdr(6, 1);
    data.extend_from_slice(&[0, 5, 0, 0]);
    data.extend(hdr(8, 5));
    data.extend_from_slice(&4u32.to_be_bytes());
    Rule::new(Expr::meta_l4proto_eq(6))
        .exprs(Expr::tcp_dport_eq(22))
        .exprs([Expr::counter(), Expr::unknown("log", data)])
        .accept()
        .tag("audit")
}

/// The offset of the `n`th (1-based) expression's list element in a NEWRULE message.
fn expr_offset(m: &[u8], n: usize) -> usize {
    let exprs = AttrIter::new(&m[20..])
        .filter_map(Result::ok)
        .find(|a| a.kind() == 4)
        .unwrap();
    let elem = AttrIter::new(exprs.payload()).nth(n - 1).unwrap().unwrap();
    20 + exprs.offset() + 4 + elem.offset()
}

#[test]
fn an_offset_names_the_expression_it_points_at() {
    let p = patch_of([Op::CreateRule {
        table: inet_t(),
        chain: "input".into(),
        position: Position::Append,
        rule: bad_log_rule(),
    }]);
    let enc = encode_patch(&p).unwrap();
    let m = enc.batch().message(1).unwrap();
    let off = expr_offset(m, 6);
    assert_eq!(attribute_at(m, off).as_deref(), Some("expression #6 (log)"));
    assert_eq!(
        attribute_at(m, off + 8).as_deref(),
        Some("expression #6 (log)")
    );
    assert_eq!(
        attribute_at(m, expr_offset(m, 1)).as_deref(),
        Some("expression #1 (meta)")
    );
    assert_eq!(attribute_at(m, 20).as_deref(), Some("table"));
    // Outside the message, in the headers, or into garbage: nothing, no panic.
    assert_eq!(attribute_at(m, m.len() + 10), None);
    assert_eq!(attribute_at(m, 3), None);
    assert_eq!(attribute_at(&m[..10], 40), None);
    for off in 0..m.len() + 4 {
        let _ = attribute_at(m, off);
        let _ = attribute_at(&m[..off.min(m.len())], off);
    }
}

#[test]
fn refusals_name_op_object_and_attribute() {
    let mut desired = Ruleset::new();
    let t = desired
        .add_table(Family::Inet, "t", TableFlags::empty())
        .unwrap();
    t.add_chain(Chain::regular("input")).unwrap();
    t.add_rule("input", Rule::new([]).accept().tag("a"))
        .unwrap();
    t.add_rule("input", Rule::new([]).accept().tag("b"))
        .unwrap();
    t.add_rule("input", bad_log_rule()).unwrap();
    let p = patch_of([
        Op::DeleteRule {
            table: inet_t(),
            chain: "input".into(),
            handle: 4,
            rule: Rule::new([]).drop().tag("old"),
        },
        Op::CreateRule {
            table: inet_t(),
            chain: "input".into(),
            position: Position::Append,
            rule: bad_log_rule(),
        },
    ]);
    let enc = encode_patch(&p).unwrap();
    let off = expr_offset(enc.batch().message(2).unwrap(), 6) as u32;
    let mut e2 = NetlinkError::new(Errno::EINVAL);
    e2.ext_ack.offset = Some(off);
    let named = name_refusals(
        &p,
        &enc,
        Some(&desired),
        vec![
            linx_nfnl::Refusal {
                batch_seq: Some(1),
                error: NetlinkError::new(Errno::ENOENT),
            },
            linx_nfnl::Refusal {
                batch_seq: Some(2),
                error: e2,
            },
        ],
    );
    assert_eq!(named.len(), 2);
    assert_eq!(named[0].op, Some(0));
    assert_eq!(
        named[0].what.as_deref(),
        Some("delete of rule handle 4 of inet/t/input (tag old)")
    );
    assert_eq!(named[1].op, Some(1));
    assert_eq!(
        named[1].what.as_deref(),
        Some("rule 3 of inet/t/input (tag audit)")
    );
    assert_eq!(named[1].attribute.as_deref(), Some("expression #6 (log)"));
    let err = NetfilterError::RefusedOps {
        operation: crate::Operation::Reconcile,
        refusals: named,
    };
    assert_eq!(
        err.to_string(),
        "netfilter reconcile failed: delete of rule handle 4 of inet/t/input (tag old), \
         message 1 of the batch: ENOENT (2); rule 3 of inet/t/input (tag audit): \
         expression #6 (log), message 2 of the batch: EINVAL (22)"
    );
}

// ------------------------------------------------------------------ validation

fn one_table() -> Ruleset {
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "t", TableFlags::empty())
        .unwrap()
        .add_chain(Chain::regular("c"))
        .unwrap();
    rs
}

#[test]
fn tag_required_names_family_table_and_chain() {
    let mut rs = one_table();
    let t = rs.table_ref_mut("t").unwrap();
    t.add_rule("c", Rule::new([]).accept().tag("a")).unwrap();
    t.add_rule("c", Rule::new([]).drop()).unwrap();
    match rs.validate_for_reconcile() {
        Err(Error::TagRequired {
            family,
            table,
            chain,
        }) => assert_eq!(
            (family, table.as_str(), chain.as_str()),
            (Family::Inet, "t", "c")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_single_untagged_rule_and_fully_tagged_chains_pass() {
    let mut rs = one_table();
    rs.table_ref_mut("t")
        .unwrap()
        .add_rule("c", Rule::new([]).accept())
        .unwrap();
    rs.validate_for_reconcile().unwrap();
    let mut rs = one_table();
    let t = rs.table_ref_mut("t").unwrap();
    t.add_rule("c", Rule::new([]).accept().tag("a")).unwrap();
    t.add_rule("c", Rule::new([]).drop().tag("b")).unwrap();
    rs.validate_for_reconcile().unwrap();
}

#[test]
fn literals_and_objects_are_reconcilable() {
    let mut rs = one_table();
    let t = rs.table_ref_mut("t").unwrap();
    t.add_object(Object::counter("hits")).unwrap();
    let lit = SetLiteral::new(KeyType::InetService, [SetElement::port(22)]);
    t.add_rule(
        "c",
        Rule::new(Expr::meta_l4proto_eq(6))
            .exprs([Expr::from(lit)])
            .accept(),
    )
    .unwrap();
    rs.validate_for_reconcile().unwrap();
}

#[test]
fn the_verb_refuses_an_untagged_chain_before_any_io() {
    let mut rs = one_table();
    let t = rs.table_ref_mut("t").unwrap();
    t.add_rule("c", Rule::new([]).accept()).unwrap();
    t.add_rule("c", Rule::new([]).drop()).unwrap();
    // A fake kernel that answers nothing: validation fails before anything is sent.
    let sock = linx_netlink_codec::script::Script::new(|_, _| {});
    let err = reconcile(&sock, &rs, &ReconcileOptions::new()).unwrap_err();
    assert!(
        matches!(err, NetfilterError::Invalid(Error::TagRequired { .. })),
        "{err:?}"
    );
    assert!(sock.sent().is_empty());
}

proptest::proptest! {
    /// The attribute resolver reads bytes the kernel's offset points into: never a panic,
    /// whatever the bytes and the offset.
    #[test]
    fn attribute_at_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256), off in 0usize..300) {
        let _ = attribute_at(&bytes, off);
    }

    /// Offsets anywhere in a real rule message resolve without a panic, and every offset
    /// inside the expression list names an expression.
    #[test]
    fn every_offset_of_a_rule_message_resolves(off in 0usize..400) {
        let p = patch_of([Op::CreateRule {
            table: inet_t(),
            chain: "input".into(),
            position: Position::Before(3),
            rule: bad_log_rule(),
        }]);
        let enc = encode_patch(&p).unwrap();
        let m = enc.batch().message(1).unwrap();
        let got = attribute_at(m, off);
        let first = expr_offset(m, 1);
        let last_end = expr_offset(m, 6) + 4 + 8 + 8 + 4 + 16; // within the log nest
        if off >= first + 4 && off < last_end.min(m.len()) && off < expr_offset(m, 6) {
            proptest::prop_assert!(got.as_deref().is_some_and(|g| g.starts_with("expression #")), "{:?}", got);
        }
    }
}

// ------------------------------------------------------------ against a fake kernel

/// A fake nf_tables kernel for the retry policy: an empty namespace (every pull finds no
/// table), `GETGEN` answers its generation, and a batch whose `NFNL_BATCH_GENID` is not the
/// current generation is refused at `BATCH_BEGIN` with `ERESTART`, as the kernel does. Before
/// each of the first `foreign` batches, another program "commits" (the generation moves),
/// so those batches are stale. A batch that passes is committed (generation + 1).
fn fake_kernel(
    foreign: u32,
) -> (
    linx_netlink_codec::script::Script,
    std::rc::Rc<std::cell::Cell<u32>>,
) {
    use linx_netlink_codec::MsgView;
    use linx_netlink_codec::consts::{NLM_F_ACK, NLM_F_DUMP};
    use linx_netlink_codec::script::{Replies, Script};
    use linx_nfnl::generation::NFTA_GEN_ID;
    use linx_nfnl::{NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END};
    let generation = std::rc::Rc::new(std::cell::Cell::new(40u32));
    let g = generation.clone();
    let mut batches = 0u32;
    let mut refused = false;
    let mut in_batch = false;
    let mut attempts = std::collections::HashMap::new();
    let content = crate::pull_script_tests::Content::default();
    let script = Script::new(move |req: &MsgView<'_>, out: &mut Replies| {
        let kind = req.kind();
        if kind == NFNL_MSG_BATCH_BEGIN {
            in_batch = true;
            batches += 1;
            if batches <= foreign {
                g.set(g.get() + 1);
            }
            let genid = AttrIter::new(req.payload().get(4..).unwrap_or_default())
                .filter_map(Result::ok)
                .find(|a| a.kind() == 1)
                .map(|a| u32::from_be_bytes(a.payload().try_into().unwrap()));
            refused = genid.is_some_and(|id| id != g.get());
            if refused {
                out.nack(req.seq(), Errno::ERESTART.code(), None);
            }
            return;
        }
        if kind == NFNL_MSG_BATCH_END {
            in_batch = false;
            if !refused {
                g.set(g.get() + 1);
            }
            return;
        }
        if in_batch {
            if !refused && req.flags() & NLM_F_ACK != 0 {
                out.ack(req.seq());
            }
            return;
        }
        let op = (kind & 0xff) as u8;
        if op == nft_msg::GETGEN {
            let p = linx_nfnl::batch::payload(linx_nfnl::family::UNSPEC, |w| {
                w.put_be32(NFTA_GEN_ID, g.get())
            });
            out.message(
                msg_type(subsys::NFTABLES, nft_msg::NEWGEN),
                0,
                req.seq(),
                &p,
            );
            return;
        }
        let ask = crate::pull_script_tests::ask_of(req, &mut attempts);
        let family = req.payload()[0];
        let dump = req.flags() & NLM_F_DUMP == NLM_F_DUMP;
        let answer = content.answer(&ask, family, dump);
        crate::pull_script_tests::reply(out, ask.op, req.seq(), dump, answer);
    });
    (script, generation)
}

fn small_desired() -> Ruleset {
    let mut rs = one_table();
    rs.table_ref_mut("t")
        .unwrap()
        .add_rule("c", Rule::new([]).accept())
        .unwrap();
    rs
}

#[test]
fn a_stale_batch_is_retried_after_attempt_times_backoff() {
    let (sock, generation) = fake_kernel(2);
    let t0 = sock.now();
    let r = reconcile(&sock, &small_desired(), &ReconcileOptions::new()).unwrap();
    assert_eq!(r.attempts, 3);
    assert!(r.sent);
    // 40, +1 foreign before batch 1, +1 before batch 2, then ours.
    assert_eq!((r.generation_before, r.generation_after), (42, 43));
    assert_eq!(generation.get(), 43);
    // Slept 10 ms after the first refusal and 20 ms after the second (virtual time).
    assert_eq!(sock.now() - t0, std::time::Duration::from_millis(30));
}

#[test]
fn exhausted_retries_are_a_concurrent_modification_with_the_generation() {
    let (sock, generation) = fake_kernel(u32::MAX);
    let t0 = sock.now();
    let err = reconcile(&sock, &small_desired(), &ReconcileOptions::new()).unwrap_err();
    match err {
        NetfilterError::ConcurrentModification {
            generation: g,
            attempts,
            ..
        } => {
            assert_eq!(attempts, 4, "1 + 3 retries");
            assert_eq!(
                g, 43,
                "the last attempt read 43; the kernel had moved to 44"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(generation.get(), 44);
    assert_eq!(sock.now() - t0, std::time::Duration::from_millis(60));
    // retries(0): one attempt, no sleep.
    let (sock, _) = fake_kernel(u32::MAX);
    let t0 = sock.now();
    let err = reconcile(&sock, &small_desired(), &ReconcileOptions::new().retries(0)).unwrap_err();
    assert!(matches!(
        err,
        NetfilterError::ConcurrentModification { attempts: 1, .. }
    ));
    assert_eq!(err.errno(), Some(Errno::ERESTART));
    assert_eq!(sock.now(), t0);
}

#[test]
fn a_created_set_is_what_push_sends() {
    let mut s = Set::new("ports", KeyType::InetService);
    s.flags |= crate::SetFlags::CONSTANT;
    s.elements = vec![SetElement::port(22), SetElement::port(80)];
    let mut rs = Ruleset::new();
    rs.add_table(Family::Inet, "t", TableFlags::empty())
        .unwrap()
        .add_set(s.clone())
        .unwrap();
    let patch = crate::diff::diff(&Ruleset::new(), &rs);
    let enc = encode_patch(&patch).unwrap();
    let plan = crate::push::plan(&rs).unwrap();
    // push: destroy table, table, set, elements; the patch: table, set, elements.
    assert_eq!(enc.len(), 3);
    for i in 1..=3 {
        assert_eq!(
            plan.batch().message(i + 1),
            enc.batch().message(i),
            "message {i}"
        );
    }
}

#[test]
fn objects_and_flowtables_are_what_push_sends_and_deleted_by_name() {
    let mut rs = Ruleset::new();
    let t = rs
        .add_table(Family::Inet, "t", TableFlags::empty())
        .unwrap();
    t.add_object(Object::counter("o")).unwrap();
    t.add_flowtable(crate::Flowtable::new("f", ["lo"])).unwrap();
    let patch = crate::diff::diff(&Ruleset::new(), &rs);
    let enc = encode_patch(&patch).unwrap();
    let plan = crate::push::plan(&rs).unwrap();
    // push: destroy table, table, object, flowtable; the patch: table, object, flowtable.
    assert_eq!(enc.len(), 3);
    for i in 1..=3 {
        assert_eq!(
            plan.batch().message(i + 1),
            enc.batch().message(i),
            "message {i}"
        );
    }
    let p = patch_of([Op::DeleteFlowtable {
        table: inet_t(),
        flowtable: crate::Flowtable::new("f", ["lo"]),
    }]);
    let enc = encode_patch(&p).unwrap();
    let mut attrs = str1(1, b't');
    attrs.extend(str1(2, b'f'));
    assert_eq!(
        enc.batch().message(1).unwrap(),
        msg(nft_msg::DELFLOWTABLE, 0, INET, &attrs)
    );
}
