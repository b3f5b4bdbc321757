//! The JSON reader: shapes it accepts, and the typed errors it reports.

use linx_ip::ip;
use linx_netfilter::{
    ElemValue, Error, Expr, Family, KeyType, MapValue, Reason, Ruleset, SetElement, Verdict,
};

fn table(body: &str) -> String {
    format!(r#"{{"tables":[{{"family":"inet","name":"t",{body}}}]}}"#)
}

#[test]
fn elements_are_read_by_key_type() {
    let json = table(
        r#""sets":[
            {"name":"a","key":"ipv4_addr","flags":["interval"],"elements":["10.0.0.0/8","10.1.0.1",{"range":["10.2.0.1","10.2.0.9"]}]},
            {"name":"p","key":"inet_service","flags":"interval","elements":[22,{"range":[1000,2000]}]},
            {"name":"m","key":"mark","elements":[1,"0x10"]},
            {"name":"s","key":"ct_state","elements":["established","new|related",64]},
            {"name":"i","key":"ifname","elements":["eth0"]},
            {"name":"e","key":"ether_addr","elements":["02:00:00:00:00:01"]},
            {"name":"l","key":"inet_proto","elements":["tcp",17]},
            {"name":"r","key":{"raw":{"type_id":0,"len":2}},"elements":["abcd","0x0102"]},
            {"name":"c","key":{"concat":["ipv4_addr","inet_service"]},"elements":[["10.0.0.1",22]]}
        ]"#,
    );
    let rs = Ruleset::from_json(&json).unwrap();
    let t = rs.table(Family::Inet, "t").unwrap();
    assert_eq!(
        t.set("a").unwrap().elements,
        [
            SetElement::from(ip!("10.0.0.0/8")),
            SetElement::from(ip!("10.1.0.1")),
            SetElement::range(ip!("10.2.0.1"), ip!("10.2.0.9")),
        ]
    );
    assert_eq!(
        t.set("p").unwrap().elements[1],
        SetElement::range(ElemValue::Port(1000), ElemValue::Port(2000))
    );
    assert_eq!(
        t.set("m").unwrap().elements,
        [SetElement::mark(1), SetElement::mark(16)]
    );
    assert_eq!(t.set("s").unwrap().elements.len(), 3);
    assert_eq!(
        t.set("l").unwrap().elements,
        [SetElement::proto(6), SetElement::proto(17)]
    );
    assert_eq!(
        t.set("r").unwrap().elements[0],
        SetElement::Value(ElemValue::Bytes([0xab, 0xcd].into()))
    );
    assert_eq!(
        t.set("c").unwrap().elements[0],
        SetElement::concat([ip!("10.0.0.1").into(), SetElement::port(22)])
    );
    // And back.
    assert_eq!(Ruleset::from_json(&rs.to_json()).unwrap(), rs);
}

#[test]
fn map_elements_are_pairs() {
    let json = table(
        r#""chains":[{"name":"ssh"}],
           "maps":[
            {"name":"v","key":"inet_service","data":"verdict","elements":[[22,{"jump":"ssh"}],[80,"accept"],[81,{"queue":3}]]},
            {"name":"d","key":"inet_service","data":"ipv4_addr","elements":[[80,"10.0.0.2"]]},
            {"name":"c","key":"ipv4_addr","data":{"concat":["ipv4_addr","inet_service"]},"elements":[["10.0.0.1",["10.0.0.2",8080]]]}
        ]"#,
    );
    let rs = Ruleset::from_json(&json).unwrap();
    let t = rs.table_ref("t").unwrap();
    let v = t.map("v").unwrap();
    assert_eq!(
        v.elements[0].value,
        MapValue::Verdict(Verdict::Jump("ssh".into()))
    );
    assert_eq!(v.elements[2].value, MapValue::Verdict(Verdict::Queue(3)));
    assert_eq!(
        t.map("d").unwrap().elements[0].value,
        MapValue::from(ip!("10.0.0.2"))
    );
    assert_eq!(Ruleset::from_json(&rs.to_json()).unwrap(), rs);
}

#[test]
fn typed_errors_from_json() {
    // An element that cannot be read as the key type: position and key in the error.
    let err = Ruleset::from_json(&table(
        r#""sets":[{"name":"a","key":"ipv4_addr","elements":["10.0.0.1","nope"]}]"#,
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        Error::BadSet {
            reason: Reason::UnreadableElement {
                index: 1,
                key: KeyType::Ipv4Addr
            },
            ..
        }
    ));
    // Readable but wrong: an IPv6 address in an IPv4 set.
    let err = Ruleset::from_json(&table(
        r#""sets":[{"name":"a","key":"ipv4_addr","elements":["::1"]}]"#,
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        Error::BadSetElement {
            reason: Reason::ElementType { .. },
            ..
        }
    ));
    // A CIDR in a set without the interval flag.
    let err = Ruleset::from_json(&table(
        r#""sets":[{"name":"a","key":"ipv4_addr","elements":["10.0.0.0/8"]}]"#,
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        Error::BadSetElement {
            reason: Reason::IntervalOnly,
            ..
        }
    ));
    // A verdict map value that is not a verdict.
    let err = Ruleset::from_json(&table(
        r#""maps":[{"name":"v","key":"inet_service","data":"verdict","elements":[[22,"10.0.0.1"]]}]"#,
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        Error::BadMapElement {
            reason: Reason::DataType(_),
            ..
        }
    ));
    // Family rules.
    let err = Ruleset::from_json(
        r#"{"tables":[{"family":"bridge","name":"b","chains":[{"name":"c","type":"nat","hook":"prerouting","priority":"dstnat"}]}]}"#,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::BadChain {
            reason: Reason::TypeNotInFamily { .. },
            ..
        }
    ));
    // Duplicates.
    let err =
        Ruleset::from_json(r#"{"tables":[{"family":"ip","name":"t"},{"family":"ip","name":"t"}]}"#)
            .unwrap_err();
    assert!(matches!(err, Error::DuplicateTable { .. }));
    // References.
    let err = Ruleset::from_json(&table(
        r#""chains":[{"name":"c","rules":[{"exprs":[{"lookup":{"set":"nope"}}]}]}]"#,
    ))
    .unwrap_err();
    assert!(matches!(err, Error::NoSuchSet { .. }));
}

#[test]
fn shape_errors_are_json_errors() {
    for bad in [
        "",
        r#"{"tables":[{"family":"inet6","name":"t"}]}"#,
        r#"{"tables":[{"family":"inet","name":"t","bogus":1}]}"#,
        r#"{"tablez":[]}"#,
        &table(r#""chains":[{"name":"c","rules":[{"exprs":[{"counter":{"packts":1}}]}]}]"#),
        &table(r#""chains":[{"name":"c","rules":[{"exprs":[{"cmp":{"op":"eq","data":"0g"}}]}]}]"#),
        &table(r#""chains":[{"name":"c","rules":[{"exprs":[{"frobnicate":{}}]}]}]"#),
        &table(r#""chains":[{"name":"c","type":"filter","hook":"input","priority":"filter + x"}]"#),
        &table(r#""flags":["owner","bogus"]"#),
        // Element values inside rule literals are checked while reading.
        &table(
            r#""chains":[{"name":"c","rules":[{"exprs":[{"set_literal":{"key":"inet_service","elements":["x"]}}]}]}]"#,
        ),
    ] {
        match Ruleset::from_json(bad) {
            Err(Error::Json { line, column, .. }) => {
                assert!(line >= 1 && column <= bad.len() + 1, "{bad}")
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn expressions_read_with_defaults() {
    let json = table(
        r#""chains":[{"name":"c","rules":[{"raw":true,"exprs":[
            {"payload":{"base":"network","offset":12,"len":4}},
            {"cmp":{"op":"eq","data":"0a000001"}},
            {"meta":{"key":33}},
            {"counter":{}},
            {"set_literal":{"key":"inet_service","elements":[22,{"range":[80,90]}],"flags":["constant","interval"]}},
            {"vmap_literal":{"key":"inet_service","elements":[[22,"accept"],[23,"drop"]]}},
            {"immediate":{"data":{"verdict":"accept"}}}
        ]}]}]"#,
    );
    let rs = Ruleset::from_json(&json).unwrap();
    let exprs = &rs.table_ref("t").unwrap().chain("c").unwrap().rules()[0].exprs;
    assert_eq!(exprs[0], Expr::ip_saddr());
    assert_eq!(exprs[1], Expr::cmp_eq([10, 0, 0, 1]));
    assert_eq!(
        exprs[2],
        Expr::meta(linx_netfilter::expr::MetaKey::Other(33))
    );
    assert_eq!(exprs[3], Expr::counter());
    assert_eq!(exprs[6], Expr::accept());
    assert_eq!(Ruleset::from_json(&rs.to_json()).unwrap(), rs);
}
