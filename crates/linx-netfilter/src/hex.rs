//! Lower-case hex for byte strings in text and serde forms (`cmp` data, masks, raw keys).
//!
//! Why hex and not a list of numbers: `"0016"` is what a person compares against a packet dump,
//! `[0, 22]` is not. Used with `#[serde(with = "crate::hex")]` on `Vec<u8>` fields.

/// `bytes` as lower-case hex, two digits per byte, no prefix.
pub(crate) fn encode(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Hex (either case, even length, no prefix) to bytes; `None` for anything else.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// serde `with` module: serialize as hex, deserialize hex (an optional `0x` is accepted).
pub(crate) fn serialize<S: serde::Serializer>(
    bytes: &[u8],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&encode(bytes))
}

/// See [`serialize`].
pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<u8>, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    decode(text.strip_prefix("0x").unwrap_or(&text))
        .ok_or_else(|| serde::de::Error::custom(format!("bad hex bytes {text:?}")))
}
