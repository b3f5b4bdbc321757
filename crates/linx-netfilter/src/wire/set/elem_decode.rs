//! [`ElemDecoder`]: the elements of one set from its `GETSETELEM` dump messages.
//!
//! Why a decoder with state: interval end markers may arrive in any order and in another
//! message than their start, so boundaries are collected and paired at the end.
//!
//! # Contract
//! - Never panics; elements are materialised by the set's types in the canonical forms the
//!   parent module's docs describe; catch-all elements are kept raw ([`KeptElements`]).

use linx_ip::{Ip, Mac, Subnet};
use linx_netlink_codec::{Be32, DecodeError, DecodeErrorKind, attr_table};

use super::NFT_SET_ELEM_CATCHALL;
use super::decode::{KeptElements, SetInfo};
use super::elements::decrement;
use super::seen::Seen;
use super::userdata::{tlvs, udata};
use crate::consts::limits::IFNAMSIZ;
use crate::consts::set::NFT_SET_ELEM_INTERVAL_END;
use crate::wire::attr::{set_elem as ea, set_elem_list as la};
use crate::wire::{Data, decode_data, invalid};
use crate::{
    CtState, DataType, ElemAttrs, ElemValue, KeyType, MapElement, MapValue, RawElement, SetElement,
    SetFlags,
};

/// Decoded elements, by the kind of set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Elements {
    /// Elements of a set.
    Set(Vec<SetElement>),
    /// Elements of a map (verdict maps give `MapValue::Verdict` values).
    Map(Vec<MapElement>),
}

/// One boundary of a scalar interval set, waiting to be paired.
#[derive(Debug)]
struct Bound {
    /// Key bytes.
    key: Vec<u8>,
    /// An interval-end element.
    end: bool,
    /// Map value of a start element.
    value: Option<MapValue>,
    /// The element's extra attributes.
    extra: Vec<u8>,
}

/// Collects the elements of one set from its `GETSETELEM` dump messages (interval end
/// markers may arrive in any order and in a different message than their start).
#[derive(Debug)]
pub(crate) struct ElemDecoder<'a> {
    /// The set.
    info: &'a SetInfo,
    /// Elements complete on arrival (plain sets, concat intervals), in dump order.
    keys: Vec<SetElement>,
    /// Their map values (maps only), parallel to `keys`.
    values: Vec<MapValue>,
    /// Boundaries of a scalar interval set.
    bounds: Vec<Bound>,
    /// The identity of every element (its raw key, key end and end flag), to find an
    /// element the kernel dumped twice (see [`ElemDecoder::consistent`]).
    pub(super) seen: Seen,
    /// Element extras and catch-all elements.
    kept: KeptElements,
}

/// A decode error for set elements.
fn elem_err(context: &'static str) -> DecodeError {
    invalid(context, 0)
}

/// The value of scalar type `field` in `b`; `interval` reads host-order types big endian.
/// Interface names that are not a NUL-padded UTF-8 name (nft's `eth*` wildcards) stay bytes.
#[inline]
fn field_value(field: &KeyType, b: &[u8], interval: bool) -> Result<ElemValue, DecodeError> {
    let size = |n: usize| {
        if b.len() == n {
            Ok(())
        } else {
            Err(DecodeError::bad_size("set key field", n, b.len()))
        }
    };
    let u32_of = |b: &[u8]| -> Result<u32, DecodeError> {
        let a = <[u8; 4]>::try_from(b).map_err(|_| DecodeError::bad_size("u32 key", 4, b.len()))?;
        Ok(if interval {
            u32::from_be_bytes(a)
        } else {
            u32::from_ne_bytes(a)
        })
    };
    Ok(match field {
        KeyType::Ipv4Addr => {
            size(4)?;
            ElemValue::Ip(Ip::from_bytes(b).ok_or_else(|| elem_err("ipv4 key"))?)
        }
        KeyType::Ipv6Addr => {
            size(16)?;
            ElemValue::Ip(Ip::from_bytes(b).ok_or_else(|| elem_err("ipv6 key"))?)
        }
        KeyType::EtherAddr => ElemValue::Mac(
            Mac::from_bytes(b).ok_or_else(|| DecodeError::bad_size("ether key", 6, b.len()))?,
        ),
        KeyType::InetProto => {
            size(1)?;
            ElemValue::Proto(b[0])
        }
        KeyType::InetService => {
            size(2)?;
            ElemValue::Port(u16::from_be_bytes([b[0], b[1]]))
        }
        KeyType::Mark => ElemValue::Mark(u32_of(b)?),
        KeyType::CtState => ElemValue::CtState(CtState::from_bits_retain(u32_of(b)?)),
        KeyType::Ifname => {
            size(IFNAMSIZ)?;
            let n = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            let name = std::str::from_utf8(&b[..n]).ok();
            match name {
                Some(name) if n > 0 && n < IFNAMSIZ && b[n..].iter().all(|&c| c == 0) => {
                    ElemValue::Ifname(name.into())
                }
                _ => ElemValue::Bytes(b.into()),
            }
        }
        KeyType::Raw { .. } => ElemValue::Bytes(b.into()),
        KeyType::Concat(_) => return Err(elem_err("nested concatenation")),
    })
}

/// The prefix length when `[lo, hi]` is exactly one CIDR block (and not a single address).
fn prefix_len(lo: &[u8], hi: &[u8]) -> Option<u8> {
    let mut host_bits = 0u32;
    let mut in_host = false;
    for (&l, &h) in lo.iter().zip(hi) {
        let x = l ^ h;
        if in_host {
            if l != 0 || h != 0xff {
                return None;
            }
            host_bits += 8;
            continue;
        }
        if x == 0 {
            continue;
        }
        // x must be 0..01..1 with lo having those bits clear.
        if (x & x.wrapping_add(1)) != 0 || l & x != 0 {
            return None;
        }
        host_bits += x.count_ones();
        in_host = true;
    }
    let total = u32::try_from(lo.len() * 8).ok()?;
    if host_bits == 0 {
        return None;
    }
    u8::try_from(total - host_bits).ok()
}

/// The canonical element for `[lo, hi]` of scalar type `field`: a value, a prefix, or a range.
fn interval_elem(
    field: &KeyType,
    lo: &[u8],
    hi: &[u8],
    interval: bool,
) -> Result<SetElement, DecodeError> {
    if lo.len() != hi.len() || lo > hi {
        return Err(elem_err("interval bounds"));
    }
    let lo_v = field_value(field, lo, interval)?;
    if lo == hi {
        return Ok(SetElement::Value(lo_v));
    }
    if let (KeyType::Ipv4Addr | KeyType::Ipv6Addr, ElemValue::Ip(ip)) = (field, &lo_v) {
        if let Some(len) = prefix_len(lo, hi) {
            if let Some(net) = Subnet::from_parts(*ip, len) {
                return Ok(SetElement::Prefix(net));
            }
        }
    }
    Ok(SetElement::range(lo_v, field_value(field, hi, interval)?))
}

/// Split a concatenated key into its 4-byte-padded fields.
fn split_fields<'k>(
    fields: &'k [KeyType],
    b: &'k [u8],
) -> impl Iterator<Item = Result<(&'k KeyType, &'k [u8]), DecodeError>> + 'k {
    let mut at = 0usize;
    fields.iter().map(move |f| {
        let len = f.key_len() as usize;
        let part = b.get(at..at + len).ok_or_else(|| {
            DecodeError::truncated("concat key", at, len, b.len().saturating_sub(at))
        })?;
        at += len.next_multiple_of(4);
        Ok((f, part))
    })
}

/// The element for key `lo` (and `hi`, for intervals) of type `key`.
fn element(key: &KeyType, lo: &[u8], hi: &[u8], interval: bool) -> Result<SetElement, DecodeError> {
    let want = key.key_len() as usize;
    if lo.len() != want || hi.len() != want {
        return Err(DecodeError::bad_size("set key", want, lo.len()));
    }
    match key {
        KeyType::Concat(fields) => {
            let mut parts = Vec::with_capacity(fields.len());
            for (l, h) in split_fields(fields, lo).zip(split_fields(fields, hi)) {
                let ((f, l), (_, h)) = (l?, h?);
                parts.push(interval_elem(f, l, h, interval)?);
            }
            Ok(SetElement::Concat(parts.into_boxed_slice()))
        }
        scalar => interval_elem(scalar, lo, hi, interval),
    }
}

/// One element's attributes.
#[derive(Default)]
struct RawElem<'b> {
    /// `NFTA_SET_ELEM_KEY` value.
    key: Option<&'b [u8]>,
    /// `NFTA_SET_ELEM_KEY_END` value.
    key_end: Option<&'b [u8]>,
    /// `NFTA_SET_ELEM_FLAGS`.
    flags: u32,
    /// `NFTA_SET_ELEM_DATA`.
    data: Option<Data>,
    /// Every other attribute, raw (timeout, expiration, userdata, expressions, objref).
    extra: Vec<u8>,
}

/// The `NFTA_DATA_VALUE` bytes inside an `NFTA_DATA_*` nest.
pub(super) fn data_value(payload: &[u8]) -> Result<&[u8], DecodeError> {
    let t = attr_table!(first payload, [crate::wire::attr::data::NFTA_DATA_VALUE])?;
    match t.get(crate::wire::attr::data::NFTA_DATA_VALUE) {
        Some(v) => Ok(v.payload()),
        None => Err(elem_err("set key without value")),
    }
}

/// Read one element nest: key, key end, flags and data typed, every other attribute (and a
/// duplicate) kept raw in wire order.
fn raw_elem(payload: &[u8]) -> Result<RawElem<'_>, DecodeError> {
    let t = attr_table!(
        first payload,
        [
            ea::NFTA_SET_ELEM_KEY,
            ea::NFTA_SET_ELEM_KEY_END,
            ea::NFTA_SET_ELEM_FLAGS,
            ea::NFTA_SET_ELEM_DATA,
        ]
    )?;
    let nested = |kind: u16| -> Result<Option<&[u8]>, DecodeError> {
        t.get(kind)
            .map(|a| data_value(a.payload()).map_err(|e| e.within(a.raw_type(), a.offset())))
            .transpose()
    };
    let mut e = RawElem {
        key: nested(ea::NFTA_SET_ELEM_KEY)?,
        key_end: nested(ea::NFTA_SET_ELEM_KEY_END)?,
        flags: t
            .value::<Be32, _>(ea::NFTA_SET_ELEM_FLAGS)?
            .map_or(0, u32::from),
        data: t
            .get(ea::NFTA_SET_ELEM_DATA)
            .map(|a| decode_data(a.payload()).map_err(|e| e.within(a.raw_type(), a.offset())))
            .transpose()?,
        extra: Vec::new(),
    };
    for a in t.untaken(payload) {
        if a.kind() != ea::NFTA_SET_ELEM_USERDATA {
            keep(&mut e.extra, &a)?;
            continue;
        }
        // nft's open-interval flag is the encoder's to write; other TLVs are kept.
        let rest: Vec<u8> = tlvs(a.payload())
            .filter(|(kind, value)| {
                !(*kind == udata::ELEM_FLAGS && *value == udata::ELEM_F_INTERVAL_OPEN.to_ne_bytes())
            })
            .flat_map(|(kind, value)| {
                [kind, value.len() as u8]
                    .into_iter()
                    .chain(value.iter().copied())
            })
            .collect();
        if rest.len() == a.payload().len() {
            keep(&mut e.extra, &a)?;
        } else if !rest.is_empty() {
            linx_netlink_codec::AttrWriter::new(&mut e.extra)
                .put(a.raw_type(), &rest)
                .map_err(|_| elem_err("element userdata"))?;
        }
    }
    Ok(e)
}

/// Append attribute `a` as it came (header, payload, padding) to `out`.
fn keep(out: &mut Vec<u8>, a: &linx_netlink_codec::AttrView<'_>) -> Result<(), DecodeError> {
    linx_netlink_codec::AttrWriter::new(out)
        .put(a.raw_type(), a.payload())
        .map_err(|_| elem_err("element attribute"))
}

/// The key of an element nest that holds exactly `NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }`
/// (what the kernel dumps for a plain set), `None` for any other layout.
#[inline]
pub(super) fn key_only(el: &[u8]) -> Option<&[u8]> {
    use linx_netlink_codec::consts::NLA_TYPE_MASK;
    let (kh, _) = el.split_first_chunk::<4>()?;
    let klen = usize::from(u16::from_ne_bytes([kh[0], kh[1]]));
    let kind = u16::from_ne_bytes([kh[2], kh[3]]) & NLA_TYPE_MASK;
    if kind != ea::NFTA_SET_ELEM_KEY || klen < 8 || (klen + 3) & !3 != el.len() {
        return None;
    }
    let inner = el.get(4..klen)?;
    let (vh, value) = inner.split_first_chunk::<4>()?;
    let vlen = usize::from(u16::from_ne_bytes([vh[0], vh[1]]));
    let vkind = u16::from_ne_bytes([vh[2], vh[3]]) & NLA_TYPE_MASK;
    // The value fills the nest (up to its padding).
    if vkind != crate::wire::attr::data::NFTA_DATA_VALUE
        || vlen < 4
        || vlen > inner.len()
        || (vlen + 3) & !3 != (inner.len() + 3) & !3
    {
        return None;
    }
    value.get(..vlen - 4)
}

/// The value of a plain (not interval) set's scalar key, `None` when the bytes do not fit
/// (the caller then takes the general path, which names the error).
#[inline]
pub(super) fn plain_value(key: &KeyType, b: &[u8]) -> Option<ElemValue> {
    // The common key types directly; the others through `field_value`.
    match key {
        KeyType::Ipv4Addr => <[u8; 4]>::try_from(b)
            .ok()
            .map(|a| ElemValue::Ip(Ip::V4(a))),
        KeyType::Ipv6Addr => <[u8; 16]>::try_from(b)
            .ok()
            .map(|a| ElemValue::Ip(Ip::V6(a))),
        KeyType::InetService => <[u8; 2]>::try_from(b)
            .ok()
            .map(|a| ElemValue::Port(u16::from_be_bytes(a))),
        _ if b.len() != key.key_len() as usize => None,
        _ => field_value(key, b, false).ok(),
    }
}

impl<'a> ElemDecoder<'a> {
    /// A decoder for the elements of `info`.
    pub(crate) fn new(info: &'a SetInfo) -> Self {
        ElemDecoder {
            info,
            keys: Vec::new(),
            values: Vec::new(),
            bounds: Vec::new(),
            seen: Seen::new(),
            kept: KeptElements::default(),
        }
    }

    /// `false` when the dump held an element twice. A hash-set dump spans several
    /// `recvmsg` rounds and the kernel resumes it by skipping as many elements as it already
    /// sent; when the hash table is resized in between (right after a big insert), elements
    /// are sent twice and others not at all, with no `NLM_F_DUMP_INTR`. Duplicates are the
    /// visible sign, so the caller dumps again.
    pub(crate) fn consistent(&self) -> bool {
        self.seen.all_distinct()
    }

    /// `true` for an interval set (host-order key fields are big endian).
    fn interval(&self) -> bool {
        self.info.flags.contains(SetFlags::INTERVAL)
    }

    /// The map value of an element's data.
    fn value(&self, data: Option<Data>) -> Result<Option<MapValue>, DecodeError> {
        let Some(dt) = &self.info.data else {
            return Ok(None);
        };
        match (dt, data) {
            (DataType::Verdict, Some(Data::Verdict(v))) => Ok(Some(MapValue::Verdict(v))),
            (DataType::Value(t), Some(Data::Value(b))) => {
                Ok(Some(MapValue::Data(element(t, &b, &b, false)?)))
            }
            (_, None) => Err(elem_err("map element without data")),
            _ => Err(elem_err("map data of the wrong kind")),
        }
    }

    /// Take one element nest.
    fn element(&mut self, payload: &[u8]) -> Result<(), DecodeError> {
        let e = raw_elem(payload)?;
        let Some(key) = e.key else {
            if e.flags & NFT_SET_ELEM_CATCHALL != 0 {
                // The model has no catch-all: kept whole, re-sent as it is.
                self.kept.raw.push(RawElement(payload.to_vec()));
                return Ok(());
            }
            return Err(elem_err("set element without key"));
        };
        let end = e.flags & NFT_SET_ELEM_INTERVAL_END != 0;
        self.seen.push_key(key, e.key_end, end);
        if let Some(key_end) = e.key_end {
            let elem = element(&self.info.key, key, key_end, self.interval())?;
            let value = self.value(e.data)?;
            self.keep_extra(e.extra);
            self.keys.push(elem);
            self.values.extend(value);
        } else if self.interval() {
            if key.len() != self.info.key.key_len() as usize {
                return Err(DecodeError::bad_size(
                    "set key",
                    self.info.key.key_len() as usize,
                    key.len(),
                ));
            }
            let value = if end { None } else { self.value(e.data)? };
            self.bounds.push(Bound {
                key: key.to_vec(),
                end,
                value,
                extra: e.extra,
            });
        } else {
            let elem = element(&self.info.key, key, key, false)?;
            let value = self.value(e.data)?;
            self.keep_extra(e.extra);
            self.keys.push(elem);
            self.values.extend(value);
        }
        Ok(())
    }

    /// Keep the extra attributes of the element about to be pushed to `keys`.
    fn keep_extra(&mut self, extra: Vec<u8>) {
        if !extra.is_empty() {
            self.kept.elements.push(ElemAttrs {
                index: self.keys.len() as u32,
                attrs: extra,
            });
        }
    }

    /// Take the attributes (after the nfgenmsg) of one `NEWSETELEM` message.
    pub(crate) fn feed(&mut self, attrs: &[u8]) -> Result<(), DecodeError> {
        let t = attr_table!(first attrs, [la::NFTA_SET_ELEM_LIST_ELEMENTS])?;
        let Some(a) = t.get(la::NFTA_SET_ELEM_LIST_ELEMENTS) else {
            return Ok(());
        };
        let info = self.info;
        let plain = match &info.key {
            KeyType::Concat(_) => None,
            _ if self.interval() || info.data.is_some() => None,
            scalar => Some(scalar),
        };
        let list = a.payload();
        let mut pos = 0;
        if let Some(scalar) = plain {
            // A plain set's element nest takes at least 16 bytes (nest, key nest, value).
            self.keys.reserve(list.len() / 16);
            self.seen.reserve(list.len() / 16);
            // What the kernel sends for a plain set (a key, nothing else) is read straight
            // off the list; the first element in any other layout (or malformed) ends this
            // run and the general walk below takes it from there.
            let key_len = scalar.key_len() as usize;
            // The kernel's own layout for a key type of fixed length first, as whole
            // elements of known size.
            pos = match scalar {
                KeyType::Ipv4Addr => self.fixed_run::<16, 4>(list, |k| ElemValue::Ip(Ip::V4(k))),
                KeyType::Ipv6Addr => self.fixed_run::<28, 16>(list, |k| ElemValue::Ip(Ip::V6(k))),
                KeyType::InetService => {
                    self.fixed_run::<16, 2>(list, |k| ElemValue::Port(u16::from_be_bytes(k)))
                }
                KeyType::InetProto => self.fixed_run::<16, 1>(list, |[p]| ElemValue::Proto(p)),
                KeyType::Mark => {
                    self.fixed_run::<16, 4>(list, |k| ElemValue::Mark(u32::from_ne_bytes(k)))
                }
                KeyType::CtState => self.fixed_run::<16, 4>(list, |k| {
                    ElemValue::CtState(CtState::from_bits_retain(u32::from_ne_bytes(k)))
                }),
                KeyType::EtherAddr => {
                    self.fixed_run::<20, 6>(list, |k| ElemValue::Mac(Mac::from(k)))
                }
                _ => 0,
            };
            // Then elements of the same key in another layout (a flag, padding), one by one.
            pos = self.plain_run(list, pos, key_len, |b| plain_value(scalar, b));
        }
        if pos >= list.len() {
            return Ok(());
        }
        for el in a.nested() {
            let el = el.map_err(|e| e.within(a.raw_type(), a.offset()))?;
            if el.offset() < pos {
                // Taken by the loop above.
                continue;
            }
            // The plain-set layout after another one (the general walk reads it the same).
            if let Some(scalar) = plain
                && let Some(key) = key_only(el.payload())
                && let Some(value) = plain_value(scalar, key)
            {
                self.seen.push_key(key, None, false);
                self.keys.push(SetElement::Value(value));
                continue;
            }
            self.element(el.payload()).map_err(|e| {
                e.within(el.raw_type(), el.offset())
                    .within(a.raw_type(), a.offset())
            })?;
        }
        Ok(())
    }

    /// Take the elements at the start of `list` (an element list) that are laid out exactly
    /// as the kernel dumps a plain set of `K`-byte keys: `E` bytes each, the element, key
    /// and value headers (lengths `E`, `E - 4`, `4 + K`; the key and value types, flags
    /// masked; the element's type is not read, as the general walk does not), the key, its
    /// padding. Returns the length of that run in bytes. `value` must be what
    /// [`plain_value`] reads from the key (it cannot fail on `K` bytes).
    ///
    /// Why: the run is counted first, then the elements and their identities are each
    /// written by one pass over whole elements into vectors sized once (about a quarter of
    /// the instructions of [`ElemDecoder::plain_run`] per element).
    #[inline(always)]
    fn fixed_run<const E: usize, const K: usize>(
        &mut self,
        list: &[u8],
        value: impl Fn([u8; K]) -> ElemValue,
    ) -> usize {
        use crate::wire::attr::data::NFTA_DATA_VALUE;
        use linx_netlink_codec::consts::NLA_TYPE_MASK;
        const { assert!(E == 12 + K.next_multiple_of(4) && E <= u16::MAX as usize) };
        // The three headers as two words: (length, type) pairs in native order, the
        // element's type and the type flags masked off.
        let pair = |len: usize, kind: u16| {
            let ([l0, l1], [k0, k1]) = ((len as u16).to_ne_bytes(), kind.to_ne_bytes());
            [l0, l1, k0, k1]
        };
        let word = |a: [u8; 4], b: [u8; 4]| {
            u64::from_ne_bytes([a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]])
        };
        let want_lo = word(pair(E, 0), pair(E - 4, ea::NFTA_SET_ELEM_KEY));
        let mask_lo = word(pair(0xffff, 0), pair(0xffff, NLA_TYPE_MASK));
        let want_hi = u32::from_ne_bytes(pair(4 + K, NFTA_DATA_VALUE));
        let mask_hi = u32::from_ne_bytes(pair(0xffff, NLA_TYPE_MASK));
        let fits = |e: &[u8; E]| match e.first_chunk::<12>() {
            Some(&[a, b, c, d, f, g, h, i, j, k, l, m]) => {
                u64::from_ne_bytes([a, b, c, d, f, g, h, i]) & mask_lo == want_lo
                    && u32::from_ne_bytes([j, k, l, m]) & mask_hi == want_hi
            }
            None => false,
        };
        // The key follows the headers (the assertion above keeps it inside the element).
        let key = |e: &[u8]| -> [u8; K] {
            e.get(12..12 + K)
                .and_then(|k| <[u8; K]>::try_from(k).ok())
                .unwrap_or([0; K])
        };
        let mut n = 0;
        let mut rest = list;
        while let Some((e, tail)) = rest.split_first_chunk::<E>()
            && fits(e)
        {
            n += 1;
            rest = tail;
        }
        let elems = list.chunks_exact(E);
        self.keys.extend(
            elems
                .clone()
                .take(n)
                .map(|e| SetElement::Value(value(key(e)))),
        );
        self.seen.extend_keys(elems.take(n).map(key));
        n * E
    }

    /// Take the plain-set elements of `list` (an element list) from `pos` on, each a key
    /// alone whose value `value` reads; returns where the first other element starts.
    /// Elements of exactly the kernel's layout for a `key_len`-byte key (three headers of
    /// known length) are matched as words first; others go through [`key_only`].
    #[inline(always)]
    fn plain_run(
        &mut self,
        list: &[u8],
        mut pos: usize,
        key_len: usize,
        value: impl Fn(&[u8]) -> Option<ElemValue>,
    ) -> usize {
        use crate::wire::attr::data::NFTA_DATA_VALUE;
        use linx_netlink_codec::consts::NLA_TYPE_MASK;
        // Header lengths of the value, the key nest and the element.
        let vlen = 4 + key_len;
        let klen = 4 + ((vlen + 3) & !3);
        let elen = 4 + klen;
        // A header (native-endian length and type, type flags masked) is `len`, `kind`.
        let is = |h: &[u8; 12], at: usize, len: usize, kind: u16| {
            usize::from(u16::from_ne_bytes([h[at], h[at + 1]])) == len
                && u16::from_ne_bytes([h[at + 2], h[at + 3]]) & NLA_TYPE_MASK == kind
        };
        loop {
            if let Some(chunk) = list.get(pos..pos + elen)
                && let Some((h, rest)) = chunk.split_first_chunk::<12>()
                && usize::from(u16::from_ne_bytes([h[0], h[1]])) == elen
                && is(h, 4, klen, ea::NFTA_SET_ELEM_KEY)
                && is(h, 8, vlen, NFTA_DATA_VALUE)
                && let Some(key) = rest.get(..key_len)
            {
                // What `key_only` reads from this layout.
                let Some(v) = value(key) else {
                    break;
                };
                self.seen.push_key(key, None, false);
                self.keys.push(SetElement::Value(v));
                pos += elen;
                continue;
            }
            let Some((&[l0, l1, _, _], _)) =
                list.get(pos..).and_then(<[u8]>::split_first_chunk::<4>)
            else {
                break;
            };
            let len = usize::from(u16::from_ne_bytes([l0, l1]));
            let Some(el) = list.get(pos + 4..pos + len) else {
                break;
            };
            let Some(key) = key_only(el) else {
                break;
            };
            let Some(v) = value(key) else {
                break;
            };
            self.seen.push_key(key, None, false);
            self.keys.push(SetElement::Value(v));
            pos = (pos + ((len + 3) & !3)).min(list.len());
        }
        pos
    }

    /// Pair the interval boundaries by value: sorted by key, an end before a start at the
    /// same key; a start runs to the next boundary (end: `end - 1`; another start:
    /// `start - 1`, as the kernel's lookup reads it; none: the type's maximum). Ends
    /// without a start (the leading marker at 0) are skipped.
    fn pair(&mut self) -> Result<(), DecodeError> {
        let mut bounds = std::mem::take(&mut self.bounds);
        bounds.sort_by(|a, b| a.key.cmp(&b.key).then(b.end.cmp(&a.end)));
        let interval = self.interval();
        let key = &self.info.key;
        let mut open: Option<Bound> = None;
        let mut out = Vec::with_capacity(bounds.len() / 2 + 1);
        let mut close = |start: Bound, hi: &[u8]| -> Result<(), DecodeError> {
            out.push((
                element(key, &start.key, hi, interval)?,
                start.value,
                start.extra,
            ));
            Ok(())
        };
        for b in bounds {
            if let Some(start) = open.take() {
                let mut hi = b.key.clone();
                if !decrement(&mut hi) || hi < start.key {
                    return Err(elem_err("interval bounds"));
                }
                close(start, &hi)?;
            }
            if !b.end {
                open = Some(b);
            }
        }
        if let Some(start) = open {
            let hi = vec![0xff; start.key.len()];
            close(start, &hi)?;
        }
        for (elem, value, extra) in out {
            self.keep_extra(extra);
            self.keys.push(elem);
            self.values.extend(value);
        }
        Ok(())
    }

    /// The elements, materialised by the set's types.
    pub(crate) fn finish(mut self) -> Result<(Elements, KeptElements), DecodeError> {
        self.pair()?;
        let kept = std::mem::take(&mut self.kept);
        if self.info.data.is_none() {
            return Ok((Elements::Set(self.keys), kept));
        }
        if self.keys.len() != self.values.len() {
            return Err(DecodeError::new(
                DecodeErrorKind::InvalidValue,
                "map element without data",
                0,
            ));
        }
        Ok((
            Elements::Map(
                self.keys
                    .into_iter()
                    .zip(self.values)
                    .map(|(key, value)| MapElement { key, value })
                    .collect(),
            ),
            kept,
        ))
    }
}
