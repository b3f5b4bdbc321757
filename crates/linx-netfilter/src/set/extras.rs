//! [`SetExtras`]: what the kernel holds for a set beyond the model's fields, kept so that a
//! pulled set is re-created exactly.
//!
//! Why: sets written by other tools carry things the model does not name — nft's userdata
//! (the key and data byte order and `typeof` descriptions it prints by), per-element timeouts,
//! expirations, comments and counters, object references of object maps, set expressions,
//! a policy, catch-all elements. Dropping any of them changes what `nft list` shows or what a
//! rule matches. They are kept as the kernel sent them and re-sent byte for byte.
//!
//! # Contract
//! - Pull fills extras only with what differs from what Linx would write for the same model:
//!   a set Linx pushed comes back with empty extras, so `pull ∘ push` stays the identity on
//!   the model.
//! - [`SetExtras::userdata`]: set userdata TLVs (`type u8 | len u8 | value`) other than the
//!   comment (7) and `auto-merge` (2), which are model fields. When not empty they replace the
//!   TLVs the encoder would derive from the key and data types; the encoder merges them with
//!   the comment and `auto-merge` by TLV type. Keep them only while the key and data types are
//!   unchanged.
//! - [`SetExtras::attrs`]: `NFTA_SET_*` attributes the model does not decode (policy, object
//!   type, set expressions, ...), raw netlink attributes appended to `NEWSET` unchanged.
//! - [`SetExtras::concat`]: the payload of `NFTA_SET_DESC_CONCAT` as pulled, for interval
//!   concatenations whose key type the model cannot split (a `typeof` key of integer
//!   fields); it makes the encoder write elements with `KEY_END` as pipapo needs.
//! - [`SetExtras::elements`]: per element (by position in the set's `elements`), the
//!   element attributes besides key, key end, flags and data: timeout, expiration,
//!   userdata (nft's comment TLV), expressions, object reference. Sorting or removing
//!   elements must move these along ([`Ruleset::canonical`](crate::Ruleset::canonical) does).
//! - [`SetExtras::raw_elements`]: elements the model cannot type (the catch-all `*`), each
//!   the payload of one element nest, re-sent unchanged after the typed elements.

use serde::{Deserialize, Serialize};

/// `NFTA_SET_OBJ_TYPE`: the one raw set attribute the model looks for (an object map is kept
/// only with its object type among [`SetExtras::attrs`]).
///
/// The attribute table in `wire::attr` declares the same id, and a test in `wire::set` holds
/// the two equal; it is repeated here because `wire` builds on `set`, so `set` does not reach
/// into `wire` (`cargo xtask layers` keeps module imports free of cycles).
pub(crate) const NFTA_SET_OBJ_TYPE: u16 = 15;

/// Kernel state of a set the model does not name, kept raw (see the module docs).
///
/// ```
/// use linx_netfilter::{KeyType, Set, SetExtras};
/// let s = Set::new("s", KeyType::Ipv4Addr);
/// assert!(s.extras.is_empty());
/// assert_eq!(SetExtras::default(), s.extras);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetExtras {
    /// Set userdata TLVs besides comment and `auto-merge`, as another tool wrote them.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "crate::hex")]
    pub userdata: Vec<u8>,
    /// `NFTA_SET_*` attributes the model does not decode, raw.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "crate::hex")]
    pub attrs: Vec<u8>,
    /// The `NFTA_SET_DESC_CONCAT` payload of an interval concatenation, raw.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "crate::hex")]
    pub concat: Vec<u8>,
    /// Extra attributes of single elements, by element position, ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<ElemAttrs>,
    /// Element nests the model cannot type (catch-all elements), raw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raw_elements: Vec<RawElement>,
}

/// Extra attributes of one element: raw `NFTA_SET_ELEM_*` attributes (timeout, expiration,
/// userdata, expressions, object reference) appended to the element as they are.
///
/// ```
/// use linx_netfilter::ElemAttrs;
/// let a = ElemAttrs { index: 0, attrs: vec![12, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0x75, 0x30] };
/// assert_eq!(a.attrs.len(), 12);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElemAttrs {
    /// Position of the element in the set's (or map's) `elements`.
    pub index: u32,
    /// The raw attributes.
    #[serde(with = "crate::hex")]
    pub attrs: Vec<u8>,
}

/// One element nest's payload kept raw (a catch-all element with its data).
///
/// ```
/// use linx_netfilter::RawElement;
/// let e = RawElement(vec![8, 0, 3, 0, 0, 0, 0, 2]);
/// assert_eq!(e.0.len(), 8);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawElement(#[serde(with = "crate::hex")] pub Vec<u8>);

impl SetExtras {
    /// `true` when nothing is kept (every set Linx wrote itself).
    pub fn is_empty(&self) -> bool {
        self.userdata.is_empty()
            && self.attrs.is_empty()
            && self.concat.is_empty()
            && self.elements.is_empty()
            && self.raw_elements.is_empty()
    }

    /// The extra attributes of element `index`, if any.
    pub(crate) fn element(&self, index: usize) -> Option<&[u8]> {
        if self.elements.is_empty() {
            return None;
        }
        let index = u32::try_from(index).ok()?;
        self.elements
            .binary_search_by_key(&index, |e| e.index)
            .ok()
            .map(|i| self.elements[i].attrs.as_slice())
    }

    /// Why these extras do not fit a set of `len` elements, if so.
    pub(crate) fn problem(&self, len: usize) -> Option<&'static str> {
        let mut last = None;
        for e in &self.elements {
            if e.index as usize >= len {
                return Some("element extras point past the last element");
            }
            if last.is_some_and(|l| l >= e.index) {
                return Some("element extras must be sorted by index, one per element");
            }
            last = Some(e.index);
            if !well_formed(&e.attrs) {
                return Some("element extras are not netlink attributes");
            }
        }
        if !well_formed(&self.attrs) {
            return Some("set extras are not netlink attributes");
        }
        if self.raw_elements.iter().any(|e| !well_formed(&e.0)) {
            return Some("raw elements are not netlink attributes");
        }
        None
    }

    /// Reorder the element extras after `elements` were permuted: `order[new] = old`.
    pub(crate) fn permute(&mut self, order: &[usize]) {
        if self.elements.is_empty() {
            return;
        }
        let mut moved: Vec<ElemAttrs> = order
            .iter()
            .enumerate()
            .filter_map(|(new, &old)| {
                let attrs = self.element(old)?.to_vec();
                Some(ElemAttrs {
                    index: new as u32,
                    attrs,
                })
            })
            .collect();
        moved.sort_by_key(|e| e.index);
        self.elements = moved;
    }
}

/// `true` when `bytes` parse as back-to-back netlink attributes.
fn well_formed(bytes: &[u8]) -> bool {
    let mut at = 0;
    while at < bytes.len() {
        let Some(&[a, b]) = bytes
            .get(at..at + 2)
            .and_then(|h| <&[u8; 2]>::try_from(h).ok())
        else {
            return false;
        };
        let len = usize::from(u16::from_ne_bytes([a, b]));
        if len < 4 || at + len > bytes.len() {
            return false;
        }
        at += len.next_multiple_of(4);
    }
    true
}

/// Sort `elements` by `cmp` (stable), moving the element extras of `extras` along.
pub(crate) fn sort_with_extras<T>(
    elements: &mut Vec<T>,
    extras: &mut SetExtras,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    if extras.elements.is_empty() {
        elements.sort_by(cmp);
        return;
    }
    let mut order: Vec<usize> = (0..elements.len()).collect();
    order.sort_by(|&a, &b| cmp(&elements[a], &elements[b]));
    let mut taken: Vec<Option<T>> = std::mem::take(elements).into_iter().map(Some).collect();
    *elements = order.iter().filter_map(|&i| taken[i].take()).collect();
    extras.permute(&order);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_moves_element_extras_along() {
        let mut elements = vec![30, 10, 20];
        let mut extras = SetExtras {
            elements: vec![
                ElemAttrs {
                    index: 0,
                    attrs: vec![8, 0, 1, 0, 3, 0, 0, 0],
                },
                ElemAttrs {
                    index: 2,
                    attrs: vec![8, 0, 1, 0, 2, 0, 0, 0],
                },
            ],
            ..SetExtras::default()
        };
        sort_with_extras(&mut elements, &mut extras, Ord::cmp);
        assert_eq!(elements, [10, 20, 30]);
        assert_eq!(extras.element(1).unwrap()[4], 2);
        assert_eq!(extras.element(2).unwrap()[4], 3);
        assert!(extras.element(0).is_none());
        assert_eq!(extras.problem(3), None);
        assert!(extras.problem(2).is_some());
    }

    #[test]
    fn malformed_extras_are_named() {
        let extras = SetExtras {
            attrs: vec![9, 0, 1],
            ..SetExtras::default()
        };
        assert!(extras.problem(0).is_some());
    }
}
