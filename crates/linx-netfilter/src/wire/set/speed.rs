//! Timing of the set decoders on large sets (ignored; run by hand, see the test docs).

use std::time::Instant;

use linx_netlink_codec::AttrWriter;

use super::*;
use crate::{KeyType, Set};

/// `cargo test --release -p linx-netfilter speed -- --ignored --nocapture`: decode time of a
/// 100k-element ipv4 set dump (messages of 2000 elements, as the kernel sends).
#[test]
#[ignore = "timing, run by hand"]
fn elem_decode_speed() {
    let info = super::tests::info_of(&Set::new("addrs", KeyType::Ipv4Addr));
    let mut msgs = Vec::new();
    for m in 0..50u32 {
        let mut buf = Vec::new();
        let mut w = AttrWriter::new(&mut buf);
        w.put_str(la::NFTA_SET_ELEM_LIST_TABLE, "t").unwrap();
        w.put_str(la::NFTA_SET_ELEM_LIST_SET, "addrs").unwrap();
        let list = w.begin_nest(la::NFTA_SET_ELEM_LIST_ELEMENTS, true);
        for i in m * 2000..(m + 1) * 2000 {
            let e = w.begin_nest(1, true);
            let k = w.begin_nest(ea::NFTA_SET_ELEM_KEY, true);
            w.put(1, &[10, (i >> 16) as u8, (i >> 8) as u8, i as u8])
                .unwrap();
            w.end_nest(k).unwrap();
            w.end_nest(e).unwrap();
        }
        w.end_nest(list).unwrap();
        msgs.push(buf);
    }
    for _ in 0..3 {
        let t0 = Instant::now();
        let mut dec = ElemDecoder::new(&info);
        for m in &msgs {
            dec.feed(m).unwrap();
        }
        let tf = t0.elapsed();
        assert!(dec.consistent());
        let t1 = Instant::now();
        let n = match dec.finish().unwrap().0 {
            Elements::Set(v) => v.len(),
            Elements::Map(v) => v.len(),
        };
        eprintln!(
            "{n} elements: feed {tf:?}, feed+consistent {:?}, finish {:?}",
            t1 - t0,
            t1.elapsed()
        );
    }
}

/// `first_repeat` against a plain sort, 100k u32 identities of the benchmark's addresses
/// in a scattered order, best of 10.
#[test]
#[ignore = "timing, run by hand"]
fn first_repeat_speed() {
    // The identities of the benchmark's addresses 10.x.y.z (4-byte keys are packed little endian).
    // In a scattered order, as a hash set dumps them (7919 is prime to 100000, so
    // i * 7919 mod 100000 is a permutation).
    let values: Vec<u32> = (0..100_000u32)
        .map(|i| (i * 7919 % 100_000) << 8 | 10)
        .collect();
    let (mut fast, mut sort) = (std::time::Duration::MAX, std::time::Duration::MAX);
    for _ in 0..10 {
        let t0 = Instant::now();
        let repeat = first_repeat(values.iter().copied(), values.len(), |x| mix64(x.into()));
        fast = fast.min(t0.elapsed());
        assert_eq!(repeat, None);
        let mut v = values.clone();
        let t0 = Instant::now();
        v.sort_unstable();
        assert!(v.windows(2).all(|w| w[0] != w[1]));
        sort = sort.min(t0.elapsed());
    }
    eprintln!("first_repeat {fast:?}, sort {sort:?}");
}

/// The duplicate check of 100k elements, in order and shuffled.
#[test]
#[ignore = "timing, run by hand"]
fn duplicate_check_speed() {
    use crate::SetElement;
    use crate::set::{SetFlags, check_elements};
    let mut elems: Vec<SetElement> = (0..100_000u32)
        .map(|i| SetElement::from(linx_ip::Ip::from(std::net::Ipv4Addr::from(0x0a00_0000 + i))))
        .collect();
    for round in 0..2 {
        let t0 = Instant::now();
        check_elements(&elems, &KeyType::Ipv4Addr, SetFlags::empty()).unwrap();
        eprintln!("round {round}: {:?}", t0.elapsed());
        // A fixed pseudo-random shuffle.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in (1..elems.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            elems.swap(i, (x % (i as u64 + 1)) as usize);
        }
    }
    elems.push(elems[77].clone());
    assert!(check_elements(&elems, &KeyType::Ipv4Addr, SetFlags::empty()).is_err());
}
