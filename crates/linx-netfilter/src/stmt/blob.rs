//! Anonymous sets keyed by a concatenation with a part of a type the set model keeps raw
//! (`ether saddr . vlan id`, `iif . ip saddr`, `meta length . ip protocol`).
//!
//! Such a key has no field lengths on the wire (an integer part may be 1 to 4 bytes), so a
//! pulled set holds it as [`KeyType::Raw`] with whole-key elements. The lowering writes the
//! same shape: the key's type id and padded length, and each element's parts in their
//! stored byte order, each padded to 4 bytes, one blob per element. The bytes sent are
//! those of the typed concatenation.

use super::LowerError;
use crate::{ElemValue, KeyType, SetElement};

/// `key_type` and `elements` as the pulled set holds them: unchanged unless `key_type` is a
/// concatenation with a raw part, then a raw key of whole-key elements.
pub(super) fn raw_concat(
    key_type: KeyType,
    elements: Vec<SetElement>,
) -> Result<(KeyType, Vec<SetElement>), LowerError> {
    let raw_part = matches!(&key_type, KeyType::Concat(parts)
        if parts.iter().any(|p| matches!(p, KeyType::Raw { .. })));
    if !raw_part {
        return Ok((key_type, elements));
    }
    let elements = elements
        .into_iter()
        .map(blob)
        .collect::<Result<Vec<_>, _>>()?;
    let raw = KeyType::Raw {
        type_id: key_type.type_id(),
        len: key_type.key_len(),
    };
    Ok((raw, elements))
}

/// The field lengths of an interval set keyed by `key_type`, a concatenation with a part
/// of a raw type, as nft describes them (`NFTA_SET_DESC_CONCAT`: one `NFTA_LIST_ELEM`
/// holding `NFTA_SET_FIELD_LEN` per part, without the nested flag); empty for any other
/// key (the encoder derives those of typed concatenations).
pub(super) fn interval_desc(key_type: &KeyType, interval: bool) -> Vec<u8> {
    let KeyType::Concat(parts) = key_type else {
        return Vec::new();
    };
    if !interval || !parts.iter().any(|p| matches!(p, KeyType::Raw { .. })) {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(parts.len() * 12);
    for p in parts {
        out.extend_from_slice(&[12, 0, 1, 0, 8, 0, 1, 0]);
        out.extend_from_slice(&p.key_len().to_be_bytes());
    }
    out
}

/// One element of a concatenation as its stored bytes; with a range part (interval sets),
/// the range of the element's first and last key: the range's bounds in that part, the
/// same value in the others (`1000-1999 . 100` is `1000 . 100` to `1999 . 100`).
fn blob(e: SetElement) -> Result<SetElement, LowerError> {
    let SetElement::Concat(parts) = e else {
        return Err(LowerError::Unsupported(
            "a concatenation element of single values",
        ));
    };
    let mut lo = Vec::with_capacity(parts.len() * 4);
    let mut hi = Vec::with_capacity(parts.len() * 4);
    let mut ranged = false;
    for p in parts {
        let (a, b) = match p {
            SetElement::Value(v) => (v.key_bytes(), None),
            SetElement::Range(r) => {
                ranged = true;
                let (a, b) = *r;
                (a.key_bytes(), Some(b.key_bytes()))
            }
            _ => {
                return Err(LowerError::Unsupported(
                    "a prefix in a concatenation with a part of a raw type",
                ));
            }
        };
        if b.as_ref().is_some_and(|b| b.len() != a.len()) {
            return Err(LowerError::Unsupported("a range of values of two widths"));
        }
        let end = lo.len() + a.len().next_multiple_of(4);
        hi.extend(b.as_deref().unwrap_or(&a));
        lo.extend(a);
        lo.resize(end, 0);
        hi.resize(end, 0);
    }
    if ranged {
        return Ok(SetElement::range(
            ElemValue::Bytes(lo.into()),
            ElemValue::Bytes(hi.into()),
        ));
    }
    Ok(SetElement::Value(ElemValue::Bytes(lo.into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_of_raw_concatenations() {
        let key = KeyType::Concat(vec![
            KeyType::EtherAddr,
            KeyType::Raw { type_id: 4, len: 2 },
        ]);
        let mac = linx_ip::Mac::from_bytes(&[0, 0x11, 0x22, 0x33, 0x44, 0x55]).unwrap();
        let e = SetElement::concat([
            SetElement::Value(ElemValue::Mac(mac)),
            SetElement::Value(ElemValue::Bytes(vec![0, 10].into())),
        ]);
        let (k, es) = raw_concat(key.clone(), vec![e]).unwrap();
        assert_eq!(
            k,
            KeyType::Raw {
                type_id: key.type_id(),
                len: 12
            }
        );
        let want = [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0, 10, 0, 0];
        assert_eq!(
            es,
            [SetElement::Value(ElemValue::Bytes(want.to_vec().into()))]
        );
        // A range part: the range of the first and last whole keys.
        let uid = KeyType::Raw {
            type_id: 42,
            len: 4,
        };
        let key = KeyType::Concat(vec![uid.clone(), uid]);
        let word = |n: u8| ElemValue::Bytes(vec![0, 0, 0, n].into());
        let e = SetElement::concat([
            SetElement::range(word(1), word(9)),
            SetElement::Value(word(5)),
        ]);
        let (_, es) = raw_concat(key.clone(), vec![e]).unwrap();
        assert_eq!(
            es,
            [SetElement::range(
                ElemValue::Bytes(vec![0, 0, 0, 1, 0, 0, 0, 5].into()),
                ElemValue::Bytes(vec![0, 0, 0, 9, 0, 0, 0, 5].into()),
            )]
        );
        let desc = [12, 0, 1, 0, 8, 0, 1, 0, 0, 0, 0, 4];
        assert_eq!(interval_desc(&key, true), [desc, desc].concat());
        assert!(interval_desc(&key, false).is_empty());
        // Typed concatenations stay as they are.
        let typed = KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]);
        assert_eq!(raw_concat(typed.clone(), vec![]).unwrap().0, typed);
    }
}
