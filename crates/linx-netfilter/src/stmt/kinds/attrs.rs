//! Netlink attribute helpers shared by the kinds: a writer and a reader of an
//! expression's attributes. A leaf.

/// Netlink attributes being written (native-endian header, 4-byte aligned).
#[derive(Default)]
pub(super) struct Attrs(pub(super) Vec<u8>);

impl Attrs {
    pub(super) fn attr(&mut self, kind: u16, payload: &[u8]) -> &mut Attrs {
        crate::stmt::attrs::put_attr(&mut self.0, kind, payload);
        self
    }

    pub(super) fn u32(&mut self, kind: u16, value: u32) -> &mut Attrs {
        self.attr(kind, &value.to_be_bytes())
    }
}

/// The attributes of an expression's data (type without flags, payload); `None` when
/// malformed.
pub(super) fn attrs(mut data: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let len = usize::from(u16::from_ne_bytes(data.get(..2)?.try_into().ok()?));
        let kind = u16::from_ne_bytes(data.get(2..4)?.try_into().ok()?) & 0x3fff;
        out.push((kind, data.get(4..len)?));
        data = data.get(len.next_multiple_of(4).min(data.len())..)?;
    }
    Some(out)
}

/// `true` when no attribute type repeats.
pub(super) fn unique(at: &[(u16, &[u8])]) -> bool {
    at.iter()
        .enumerate()
        .all(|(i, (k, _))| at.iter().skip(i + 1).all(|(k2, _)| k2 != k))
}

/// A big-endian u32 payload.
pub(super) fn be32(p: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(p.try_into().ok()?))
}
