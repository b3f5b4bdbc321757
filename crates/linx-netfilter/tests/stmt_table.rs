//! Rules built from statements that look up named sets: the byte order of a host-order key
//! depends on the set's `interval` flag, so without the table such a rule is refused
//! (`LowerError::NeedsTable`), never lowered with a guess.

use linx_netfilter::expr::{ByteOrder, MetaKey};
use linx_netfilter::stmt::{Field, HeaderField, LowerError, Statement, VerdictMap};
use linx_netfilter::{Family, KeyType, Rule, Set, Table};

fn mark_lookup(set: &str) -> Statement {
    Statement::in_named(Field::Meta(MetaKey::Mark), set).expect("a named lookup")
}

fn has_byteorder(rule: &Rule) -> bool {
    rule.exprs
        .iter()
        .any(|e| format!("{e:?}").to_lowercase().contains("byteorder"))
}

#[test]
fn host_order_lookup_without_table_is_refused() {
    let err = Rule::from_statements(Family::Inet, [mark_lookup("marks")]).unwrap_err();
    assert_eq!(
        err,
        LowerError::NeedsTable {
            set: "marks".into()
        }
    );
    assert!(err.to_string().contains("from_statements_in"), "{err}");
    let vmap = Statement::Vmap {
        key: Field::Meta(MetaKey::Mark).into(),
        map: VerdictMap::Named("v".into()),
    };
    assert!(matches!(
        Rule::from_statements(Family::Inet, [vmap]),
        Err(LowerError::NeedsTable { set }) if set == "v"
    ));
}

#[test]
fn big_endian_and_one_byte_keys_need_no_table() {
    let ip = Statement::in_named(HeaderField::IpSaddr, "addrs").unwrap();
    assert!(Rule::from_statements(Family::Inet, [ip]).is_ok());
    let l4 = Statement::in_named(Field::Meta(MetaKey::L4proto), "protos").unwrap();
    assert!(Rule::from_statements(Family::Inet, [l4]).is_ok());
    assert_eq!(Field::Meta(MetaKey::Mark).byte_order(), ByteOrder::Host);
}

#[test]
fn the_table_decides_the_byte_order() {
    let mut t = Table::new(Family::Inet, "t");
    t.add_set(Set::new("ranges", KeyType::Mark).interval())
        .unwrap();
    t.add_set(Set::new("plain", KeyType::Mark)).unwrap();
    let interval = Rule::from_statements_in(&t, [mark_lookup("ranges")]).unwrap();
    let plain = Rule::from_statements_in(&t, [mark_lookup("plain")]).unwrap();
    assert!(has_byteorder(&interval), "{:?}", interval.exprs);
    assert!(!has_byteorder(&plain), "{:?}", plain.exprs);
    assert_eq!(interval.exprs.len(), plain.exprs.len() + 1);
}
