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

/// One element of a concatenation as its stored bytes.
fn blob(e: SetElement) -> Result<SetElement, LowerError> {
    let SetElement::Concat(parts) = e else {
        return Err(LowerError::Unsupported(
            "a concatenation element of single values",
        ));
    };
    let mut out = Vec::with_capacity(parts.len() * 4);
    for p in parts {
        let SetElement::Value(v) = p else {
            return Err(LowerError::Unsupported(
                "a range in a concatenation with a part of a raw type",
            ));
        };
        let b = v.key_bytes();
        let end = out.len() + b.len().next_multiple_of(4);
        out.extend(b);
        out.resize(end, 0);
    }
    Ok(SetElement::Value(ElemValue::Bytes(out.into())))
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
        // Typed concatenations stay as they are.
        let typed = KeyType::Concat(vec![KeyType::Ipv4Addr, KeyType::InetService]);
        assert_eq!(raw_concat(typed.clone(), vec![]).unwrap().0, typed);
    }
}
