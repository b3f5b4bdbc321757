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

/// An expression's attributes, read by type.
pub(super) struct Read<'a>(Vec<(u16, &'a [u8])>);

impl<'a> Read<'a> {
    /// The attributes of `data`; `None` when malformed.
    pub(super) fn new(data: &'a [u8]) -> Option<Read<'a>> {
        attrs(data).map(Read)
    }

    /// The payload of the attribute of type `kind`.
    pub(super) fn get(&self, kind: u16) -> Option<&'a [u8]> {
        self.0.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p)
    }

    /// The big-endian u32 payload of the attribute of type `kind`.
    pub(super) fn u32_of(&self, kind: u16) -> Option<u32> {
        self.get(kind).and_then(be32)
    }

    /// An optional big-endian u32 attribute: `None` when malformed, `Some(None)` when absent.
    pub(super) fn opt(&self, kind: u16) -> Option<Option<u32>> {
        match self.get(kind) {
            Some(p) => be32(p).map(Some),
            None => Some(None),
        }
    }

    /// `true` when only attributes of `kinds` occur, none twice.
    pub(super) fn only(&self, kinds: &[u16]) -> bool {
        self.0.iter().all(|(k, _)| kinds.contains(k)) && unique(&self.0)
    }
}
