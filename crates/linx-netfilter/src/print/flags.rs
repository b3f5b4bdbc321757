//! Sets of flag values (`tcp flags { syn | ack, syn, ack }`): how nft writes an element with
//! several bits, and the order it lists the elements in.
//!
//! nft reads an element with several bits as `syn | ack` (lowest bit first, left-deep),
//! and sorts the elements by their value, taking such an element's leftmost bit; its merge
//! sort (`list_expr_sort`) is not stable, so ties follow its exact steps.

use super::Printer;
use super::value;
use crate::stmt::Datatype;

/// A flag element of datatype `dt` with two or more bits, as `fin | ack`; `None` when a
/// bit has no name.
pub(super) fn element(p: &Printer, dt: Datatype, n: u64, width_bits: u32) -> Option<String> {
    let mut names = Vec::new();
    for i in 0..width_bits.min(64) {
        let bit = 1u64 << i;
        if n & bit != 0 {
            let name = value::int(p, dt, bit, width_bits);
            if name.starts_with("0x") {
                return None;
            }
            names.push(name);
        }
    }
    Some(names.join(" | "))
}

/// The order nft lists flag elements in (indices into `values`, given in the set's order):
/// by the lowest set bit, with nft's merge sort for ties.
pub(super) fn order(values: &[u64]) -> Vec<usize> {
    let keys: Vec<u64> = values.iter().map(|v| v & v.wrapping_neg()).collect();
    let idx: Vec<usize> = (0..values.len()).collect();
    msort(&idx, &keys)
}

/// nft's `list_expr_sort`: the first half (rounded up) and the rest are sorted, then each
/// element of the first half goes before the first element of the rest greater than it.
fn msort(list: &[usize], keys: &[u64]) -> Vec<usize> {
    if list.len() < 2 {
        return list.to_vec();
    }
    let mid = list.len().div_ceil(2);
    let (first, rest) = list.split_at(mid);
    let first = msort(first, keys);
    let mut out = msort(rest, keys);
    let key = |i: usize| keys.get(i).copied().unwrap_or_default();
    let mut h = 0;
    for l in first {
        while h < out.len() && key(out[h]) <= key(l) {
            h += 1;
        }
        out.insert(h, l);
        h += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nft_order() {
        // Set order syn, ack, syn|ack lists as `syn | ack, syn, ack`.
        assert_eq!(order(&[0x02, 0x10, 0x12]), [2, 0, 1]);
        // syn, ack, fin|ack lists as `fin | ack, syn, ack`.
        assert_eq!(order(&[0x02, 0x10, 0x11]), [2, 0, 1]);
        assert_eq!(order(&[0x10, 0x02, 0x01, 0x04]), [2, 1, 3, 0]);
        assert_eq!(order(&[]), Vec::<usize>::new());
    }

    #[test]
    fn element_names() {
        let p = Printer::default();
        assert_eq!(
            element(&p, Datatype::TcpFlag, 0x12, 8).as_deref(),
            Some("syn | ack")
        );
        assert_eq!(
            element(&p, Datatype::TcpFlag, 0x11, 8).as_deref(),
            Some("fin | ack")
        );
    }
}
