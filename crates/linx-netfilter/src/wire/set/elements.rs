//! [`push_elements`]: a set's elements as `NEWSETELEM` messages, type-directed (§7.2).
//!
//! Why this shape: the kernel holds interval sets as boundaries, so the model's ranges and
//! prefixes become start and end elements (a [`Plan`] orders and merges them first), and a
//! large set is split over as many messages as the 64 KiB nest limit needs.
//!
//! # Contract
//! - As the parent module's docs describe: end markers, `KEY_END` for concat intervals,
//!   nest numbering across messages, element extras re-sent in place.
//! - An element the encoder cannot write is an [`Error`](crate::Error); nothing is dropped.

use linx_netlink_codec::AttrIter;
use linx_netlink_codec::consts::{NLA_F_NESTED, NLM_F_CREATE};
use linx_nfnl::batch::Batch;
use linx_nfnl::{msg_type, nft_msg, subsys};

use super::spec::{Elems, SetSpec};
use super::userdata::{put_tlv, tlvs, udata};
use super::{MAX_KEY, enc_err};
use crate::consts::limits::IFNAMSIZ;
use crate::consts::set::NFT_SET_ELEM_INTERVAL_END;
use crate::wire::attr::{set_elem as ea, set_elem_list as la};
use crate::wire::{Writer, put_value, put_verdict};
use crate::{DataType, ElemValue, KeyType, MapValue, SetElement, SetFlags};

/// Add one to big-endian `bytes`; `false` when they wrapped around (were all `0xff`).
fn increment(bytes: &mut [u8]) -> bool {
    for b in bytes.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            return true;
        }
    }
    false
}

/// Subtract one from big-endian `bytes`; `false` when they wrapped around (were zero).
pub(super) fn decrement(bytes: &mut [u8]) -> bool {
    for b in bytes.iter_mut().rev() {
        let (v, borrow) = b.overflowing_sub(1);
        *b = v;
        if !borrow {
            return true;
        }
    }
    false
}

/// Append the bytes of `v`, a value of scalar type `field` (the same bytes as
/// [`ElemValue::key_bytes`], written in place); `interval` writes host-order types big
/// endian, as nft does for interval sets.
fn put_field(
    out: &mut Vec<u8>,
    v: &ElemValue,
    field: &KeyType,
    interval: bool,
) -> Result<(), crate::Error> {
    if !v.fits(field) {
        return Err(enc_err("element does not match the key type"));
    }
    let host = |n: u32| {
        if interval {
            n.to_be_bytes()
        } else {
            n.to_ne_bytes()
        }
    };
    match v {
        ElemValue::Ip(ip) => out.extend_from_slice(ip.as_bytes()),
        ElemValue::Mac(mac) => out.extend_from_slice(mac.as_bytes()),
        ElemValue::Proto(p) => out.push(*p),
        ElemValue::Port(p) => out.extend_from_slice(&p.to_be_bytes()),
        ElemValue::Mark(m) => out.extend_from_slice(&host(*m)),
        ElemValue::CtState(s) => out.extend_from_slice(&host(s.bits())),
        ElemValue::Ifname(name) => {
            // `fits` checked the name is shorter than IFNAMSIZ.
            let end = out.len() + IFNAMSIZ;
            out.extend_from_slice(name.as_bytes());
            out.resize(end, 0);
        }
        ElemValue::Bytes(bytes) => out.extend_from_slice(bytes),
    }
    Ok(())
}

/// Zero-pad `out` so the field that started at `start` takes a multiple of 4 bytes.
fn pad_field(out: &mut Vec<u8>, start: usize) {
    let len = out.len() - start;
    out.resize(start + len.next_multiple_of(4), 0);
}

/// Append a plain (non-interval) key or map data: a value, or a concatenation of values
/// with each field padded to 4 bytes.
fn put_plain(out: &mut Vec<u8>, e: &SetElement, key: &KeyType) -> Result<(), crate::Error> {
    match (e, key) {
        (SetElement::Value(v), scalar) if !scalar.is_concat() => put_field(out, v, scalar, false),
        (SetElement::Concat(parts), KeyType::Concat(fields)) if parts.len() == fields.len() => {
            for (part, field) in parts.iter().zip(fields) {
                let start = out.len();
                match part {
                    SetElement::Value(v) => put_field(out, v, field, false)?,
                    _ => return Err(enc_err("ranges and prefixes need an interval set")),
                }
                pad_field(out, start);
            }
            Ok(())
        }
        (SetElement::Range(..) | SetElement::Prefix(_), _) => {
            Err(enc_err("ranges and prefixes need an interval set"))
        }
        _ => Err(enc_err("element does not match the key type")),
    }
}

/// Append the low (or, with `hi`, the high) bound of a scalar interval element of type
/// `field`: a value is its own bounds, a prefix spans its block.
fn put_bound(
    out: &mut Vec<u8>,
    e: &SetElement,
    field: &KeyType,
    hi: bool,
) -> Result<(), crate::Error> {
    match e {
        SetElement::Value(v) => put_field(out, v, field, true),
        SetElement::Range(range) => {
            put_field(out, if hi { &range.1 } else { &range.0 }, field, true)
        }
        SetElement::Prefix(net) => {
            if net.network() != *net {
                return Err(enc_err("prefix has host bits set"));
            }
            let start = out.len();
            put_field(out, &ElemValue::Ip(net.address()), field, true)?;
            if hi {
                // The last address of the block: set every host bit.
                let bits = usize::from(net.prefix());
                for (i, b) in out[start..].iter_mut().enumerate() {
                    let keep = bits.saturating_sub(i * 8).min(8);
                    *b |= if keep == 8 { 0 } else { 0xff >> keep };
                }
            }
            Ok(())
        }
        SetElement::Concat(_) => Err(enc_err("element does not match the key type")),
    }
}

/// Append the low (or high) bound of a concat interval element, fields padded to 4 bytes.
/// Returns nothing; `lo <= hi` per field is checked by [`check_fields`].
fn put_concat_bound(
    out: &mut Vec<u8>,
    e: &SetElement,
    key: &KeyType,
    hi: bool,
) -> Result<(), crate::Error> {
    match (e, key) {
        (SetElement::Concat(parts), KeyType::Concat(fields)) if parts.len() == fields.len() => {
            for (part, field) in parts.iter().zip(fields) {
                let start = out.len();
                put_bound(out, part, field, hi)?;
                pad_field(out, start);
            }
            Ok(())
        }
        // A pulled concatenation the model cannot split: one raw field.
        (_, KeyType::Raw { .. }) => put_bound(out, e, key, hi),
        _ => Err(enc_err("element does not match the key type")),
    }
}

/// `Err` unless each field of `lo` is at most the same field of `hi` (both padded concat
/// keys of type `key`, or scalar keys).
fn check_fields(lo: &[u8], hi: &[u8], key: &KeyType) -> Result<(), crate::Error> {
    let mut at = 0;
    for field in key.fields() {
        let len = field.key_len() as usize;
        let (l, h) = (lo.get(at..at + len), hi.get(at..at + len));
        if l > h {
            return Err(enc_err("empty range (lo > hi)"));
        }
        at += if key.is_concat() {
            len.next_multiple_of(4)
        } else {
            len
        };
    }
    Ok(())
}

/// One merged interval of a scalar interval set: rows of [`Plan::Intervals`]'s arena.
#[derive(Debug, Clone, Copy)]
pub(super) struct Iv {
    /// Element whose `lo` starts the interval.
    lo: u32,
    /// Element whose `hi` ends it.
    hi: u32,
    /// Element whose data the interval carries.
    src: u32,
}

/// How the elements of a set go on the wire.
pub(super) enum Plan {
    /// One wire element per model element, in order (plain sets, concat intervals).
    Direct {
        /// Number of elements.
        n: usize,
        /// Concat intervals: `KEY` + `KEY_END`.
        pipapo: bool,
    },
    /// Scalar interval sets: sorted, merged intervals with start and end elements.
    Intervals {
        /// `lo`, `hi` of each model element, `klen` bytes each, back to back.
        arena: Vec<u8>,
        /// Key length.
        klen: usize,
        /// Intervals in key order.
        ivs: Vec<Iv>,
        /// Whether an interval-end element at key 0 comes first.
        marker: bool,
    },
}

impl Plan {
    /// Prepare `elems` for `spec`: checks kinds, sorts and merges intervals.
    pub(super) fn new(spec: &SetSpec<'_>, elems: Elems<'_>) -> Result<Plan, crate::Error> {
        match (spec.data, elems) {
            (None, Elems::Set(_)) | (Some(_), Elems::Map(_)) => {}
            (Some(DataType::Verdict), Elems::Vmap(_)) => {}
            _ => return Err(enc_err("elements of the wrong kind for this set or map")),
        }
        let n = elems.len();
        if u32::try_from(n).is_err() {
            return Err(enc_err("too many elements"));
        }
        if !spec.flags.contains(SetFlags::INTERVAL) || spec.is_pipapo() {
            return Ok(Plan::Direct {
                n,
                pipapo: spec.is_pipapo(),
            });
        }
        let klen = spec.key.key_len() as usize;
        let mut arena = Vec::with_capacity(n * 2 * klen);
        for i in 0..n {
            let e = elems.key(i).ok_or_else(|| enc_err("element index"))?;
            let start = arena.len();
            put_bound(&mut arena, e, spec.key, false)?;
            put_bound(&mut arena, e, spec.key, true)?;
            if arena.len() - start != 2 * klen {
                return Err(enc_err("element does not match the key length"));
            }
            if arena[start..start + klen] > arena[start + klen..] {
                return Err(enc_err("empty range (lo > hi)"));
            }
        }
        let row = |i: u32, which: usize| {
            let at = (i as usize * 2 + which) * klen;
            &arena[at..at + klen]
        };
        let order: Vec<u32> = if klen <= 16 {
            // Keys up to 16 bytes sort as big-endian integers: much faster than slices.
            let mut keyed: Vec<(u128, u32)> = (0..n as u32)
                .map(|i| {
                    let mut b = [0u8; 16];
                    b[..klen].copy_from_slice(row(i, 0));
                    (u128::from_be_bytes(b), i)
                })
                .collect();
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, i)| i).collect()
        } else {
            let mut order: Vec<u32> = (0..n as u32).collect();
            order.sort_unstable_by(|&a, &b| row(a, 0).cmp(row(b, 0)));
            order
        };
        let merge = spec.auto_merge && !elems.has_data();
        let mut next = [0u8; MAX_KEY];
        let mut ivs: Vec<Iv> = Vec::with_capacity(n);
        for &i in &order {
            if let Some(cur) = ivs.last_mut() {
                let cur_hi = row(cur.hi, 1);
                let lo = row(i, 0);
                let overlaps = lo <= cur_hi;
                if overlaps && !merge {
                    return Err(enc_err(
                        "overlapping intervals (set auto_merge to merge them)",
                    ));
                }
                let adjacent = merge && !overlaps && {
                    let next = &mut next[..klen];
                    next.copy_from_slice(cur_hi);
                    increment(next) && *next == *lo
                };
                if overlaps || adjacent {
                    if row(i, 1) > cur_hi {
                        cur.hi = i;
                    }
                    continue;
                }
            }
            ivs.push(Iv {
                lo: i,
                hi: i,
                src: i,
            });
        }
        let marker = ivs
            .first()
            .is_some_and(|iv| row(iv.lo, 0).iter().any(|&b| b != 0));
        Ok(Plan::Intervals {
            arena,
            klen,
            ivs,
            marker,
        })
    }

    /// Row `which` (0: lo, 1: hi) of element `i` in the arena of an interval plan.
    fn row(&self, i: u32, which: usize) -> &[u8] {
        match self {
            Plan::Intervals { arena, klen, .. } => {
                let at = (i as usize * 2 + which) * klen;
                arena.get(at..at + klen).unwrap_or_default()
            }
            Plan::Direct { .. } => &[],
        }
    }

    /// `true` when interval `iv` runs to the type's maximum (no end element).
    fn is_open(&self, iv: &Iv) -> bool {
        self.row(iv.hi, 1).iter().all(|&b| b == 0xff)
    }

    /// Number of elements on the wire (end markers included).
    pub(super) fn wire_count(&self) -> usize {
        match self {
            Plan::Direct { n, .. } => *n,
            Plan::Intervals { ivs, marker, .. } => {
                usize::from(*marker)
                    + ivs
                        .iter()
                        .map(|iv| 2 - usize::from(self.is_open(iv)))
                        .sum::<usize>()
            }
        }
    }
}

/// Which wire element comes next: a position in a [`Plan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    /// The interval-end element at key 0.
    Marker,
    /// Model element `i` (plain sets, concat intervals).
    Direct(usize),
    /// The start element of interval `i`.
    Start(usize),
    /// The end element of interval `i`.
    End(usize),
    /// Nothing left.
    Done,
}

impl Plan {
    /// Where the walk starts.
    fn first(&self) -> Cursor {
        match self {
            Plan::Direct { n: 0, .. } => Cursor::Done,
            Plan::Direct { .. } => Cursor::Direct(0),
            Plan::Intervals { marker: true, .. } => Cursor::Marker,
            Plan::Intervals { ivs, .. } if ivs.is_empty() => Cursor::Done,
            Plan::Intervals { .. } => Cursor::Start(0),
        }
    }

    /// The element after `c`.
    fn next(&self, c: Cursor) -> Cursor {
        match (self, c) {
            (Plan::Direct { n, .. }, Cursor::Direct(i)) if i + 1 < *n => Cursor::Direct(i + 1),
            (Plan::Intervals { ivs, .. }, Cursor::Marker) if !ivs.is_empty() => Cursor::Start(0),
            (Plan::Intervals { ivs, .. }, Cursor::Start(i)) => match ivs.get(i) {
                Some(iv) if !self.is_open(iv) => Cursor::End(i),
                _ if i + 1 < ivs.len() => Cursor::Start(i + 1),
                _ => Cursor::Done,
            },
            (Plan::Intervals { ivs, .. }, Cursor::End(i)) if i + 1 < ivs.len() => {
                Cursor::Start(i + 1)
            }
            _ => Cursor::Done,
        }
    }
}

/// Write nest `attr_type` holding `NFTA_DATA_VALUE` whose bytes `f` appends in place.
fn put_value_with(
    w: &mut Writer<'_>,
    attr_type: u16,
    f: impl FnOnce(&mut Vec<u8>) -> Result<(), crate::Error>,
) -> Result<usize, crate::Error> {
    let nest = w.begin_nest(attr_type, true);
    let hdr = w.buffer().len();
    w.buffer().extend_from_slice(&[0; 4]);
    f(w.buffer())?;
    let len = w.buffer().len() - hdr;
    let raw = u16::try_from(len).map_err(|_| enc_err("value too long"))?;
    let buf = w.buffer();
    buf[hdr..hdr + 2].copy_from_slice(&raw.to_ne_bytes());
    buf[hdr + 2..hdr + 4].copy_from_slice(&crate::wire::attr::data::NFTA_DATA_VALUE.to_ne_bytes());
    buf.resize(hdr + len.next_multiple_of(4), 0);
    w.end_nest(nest)?;
    Ok(hdr + 4)
}

/// Write the data of model element `i` (maps).
fn put_data(
    w: &mut Writer<'_>,
    i: usize,
    spec: &SetSpec<'_>,
    elems: Elems<'_>,
) -> Result<(), crate::Error> {
    match (elems, spec.data) {
        (Elems::Set(_), _) => Ok(()),
        (Elems::Vmap(v), _) => {
            let (_, verdict) = v.get(i).ok_or_else(|| enc_err("element index"))?;
            put_verdict(w, ea::NFTA_SET_ELEM_DATA, verdict)
        }
        (Elems::Map(m), data) => {
            let value = &m.get(i).ok_or_else(|| enc_err("element index"))?.value;
            match (value, data) {
                (MapValue::Verdict(v), Some(DataType::Verdict)) => {
                    put_verdict(w, ea::NFTA_SET_ELEM_DATA, v)
                }
                (MapValue::Data(d), Some(DataType::Value(t))) => {
                    put_value_with(w, ea::NFTA_SET_ELEM_DATA, |out| put_plain(out, d, t))?;
                    Ok(())
                }
                _ => Err(enc_err("map value does not match the data type")),
            }
        }
    }
}

/// Write the element at `c` as nest number `idx`, its bytes straight into the buffer.
fn write_elem(
    w: &mut Writer<'_>,
    idx: u32,
    c: Cursor,
    plan: &Plan,
    spec: &SetSpec<'_>,
    elems: Elems<'_>,
) -> Result<(), crate::Error> {
    // nft numbers the nests with a C int cut to the 16-bit attribute type.
    let nest = w.begin_nest(idx as u16, true);
    match (c, plan) {
        (Cursor::Direct(i), Plan::Direct { pipapo, .. }) => {
            let e = elems.key(i).ok_or_else(|| enc_err("element index"))?;
            if *pipapo {
                let lo = put_value_with(w, ea::NFTA_SET_ELEM_KEY, |out| {
                    put_concat_bound(out, e, spec.key, false)
                })?;
                let hi = put_value_with(w, ea::NFTA_SET_ELEM_KEY_END, |out| {
                    put_concat_bound(out, e, spec.key, true)
                })?;
                let buf = w.buffer();
                let klen = spec.key.key_len() as usize;
                check_fields(
                    buf.get(lo..lo + klen).unwrap_or_default(),
                    buf.get(hi..hi + klen).unwrap_or_default(),
                    spec.key,
                )?;
            } else {
                put_value_with(w, ea::NFTA_SET_ELEM_KEY, |out| put_plain(out, e, spec.key))?;
            }
            put_data(w, i, spec, elems)?;
            put_elem_extras(w, spec.extras.element(i), false)?;
        }
        (Cursor::Marker, Plan::Intervals { klen, .. }) => {
            w.put_be32(ea::NFTA_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END)?;
            put_value_with(w, ea::NFTA_SET_ELEM_KEY, |out| {
                out.resize(out.len() + klen, 0);
                Ok(())
            })?;
        }
        (Cursor::Start(i), Plan::Intervals { ivs, .. }) => {
            let iv = ivs.get(i).ok_or_else(|| enc_err("interval index"))?;
            put_value(w, ea::NFTA_SET_ELEM_KEY, plan.row(iv.lo, 0))?;
            put_data(w, iv.src as usize, spec, elems)?;
            put_elem_extras(w, spec.extras.element(iv.src as usize), plan.is_open(iv))?;
        }
        (Cursor::End(i), Plan::Intervals { ivs, .. }) => {
            let iv = ivs.get(i).ok_or_else(|| enc_err("interval index"))?;
            w.put_be32(ea::NFTA_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END)?;
            put_value_with(w, ea::NFTA_SET_ELEM_KEY, |out| {
                let start = out.len();
                out.extend_from_slice(plan.row(iv.hi, 1));
                // Not open, so hi + 1 does not wrap.
                increment(&mut out[start..]);
                Ok(())
            })?;
        }
        _ => return Err(enc_err("element cursor")),
    }
    w.end_nest(nest)?;
    Ok(())
}

/// Append a pulled element's extra attributes (timeout, expiration, userdata, expressions,
/// object reference) and, for an interval running to the type's maximum, nft's open-interval
/// flag, merged into the element userdata by TLV type.
fn put_elem_extras(
    w: &mut Writer<'_>,
    extras: Option<&[u8]>,
    open: bool,
) -> Result<(), crate::Error> {
    let mut open_flag = [udata::ELEM_FLAGS, 4, 0, 0, 0, 0];
    open_flag[2..].copy_from_slice(&udata::ELEM_F_INTERVAL_OPEN.to_ne_bytes());
    let mut kept_userdata = None;
    for a in AttrIter::new(extras.unwrap_or_default()) {
        let a = a.map_err(|_| enc_err("element extras are not netlink attributes"))?;
        if a.kind() == ea::NFTA_SET_ELEM_USERDATA {
            kept_userdata = Some(a.payload());
        } else {
            w.put(a.raw_type(), a.payload())?;
        }
    }
    match (kept_userdata, open) {
        (None, false) => {}
        (None, true) => w.put(ea::NFTA_SET_ELEM_USERDATA, &open_flag)?,
        (Some(ud), false) => w.put(ea::NFTA_SET_ELEM_USERDATA, ud)?,
        (Some(ud), true) => {
            let mut all: Vec<(u8, &[u8])> = tlvs(ud)
                .filter(|(kind, _)| *kind != udata::ELEM_FLAGS)
                .collect();
            all.push((udata::ELEM_FLAGS, &open_flag[2..]));
            all.sort_by_key(|(kind, _)| *kind);
            let mut merged = Vec::with_capacity(ud.len() + open_flag.len());
            for (kind, value) in all {
                put_tlv(&mut merged, kind, value)?;
            }
            w.put(ea::NFTA_SET_ELEM_USERDATA, &merged)?;
        }
    }
    Ok(())
}

/// About how many bytes one wire element of `spec` takes (for reserving buffer space).
fn elem_size_hint(spec: &SetSpec<'_>) -> usize {
    // Element nest, key nest and value header, key bytes.
    let key = 12 + (spec.key.key_len() as usize).next_multiple_of(4);
    let mut size = key;
    if spec.is_pipapo() {
        size += key - 4;
    } else if spec.flags.contains(SetFlags::INTERVAL) {
        // Flags on the end elements, half of them.
        size += 4;
    }
    size += match spec.data {
        None => 0,
        Some(DataType::Verdict) => 24,
        Some(DataType::Value(t)) => 8 + (t.key_len() as usize).next_multiple_of(4),
    };
    size
}

/// The head of a `NEWSETELEM` message: table, set name and, for a set made in the same
/// batch, its batch id.
fn put_elem_list_head(
    w: &mut Writer<'_>,
    table: &str,
    spec: &SetSpec<'_>,
) -> Result<(), crate::Error> {
    w.put_str(la::NFTA_SET_ELEM_LIST_TABLE, table)?;
    w.put_str(la::NFTA_SET_ELEM_LIST_SET, spec.name)?;
    if spec.id != 0 {
        w.put_be32(la::NFTA_SET_ELEM_LIST_SET_ID, spec.id)?;
    }
    Ok(())
}

/// Write the attributes of one `NEWSETELEM` message: table, set, set id, and as many
/// elements (from `cursor` on) as fit in the list nest. Element numbers come from `idx`.
fn fill_message(
    w: &mut Writer<'_>,
    table: &str,
    plan: &Plan,
    spec: &SetSpec<'_>,
    elems: Elems<'_>,
    cursor: &mut Cursor,
    idx: &mut u32,
) -> Result<(), crate::Error> {
    put_elem_list_head(w, table, spec)?;
    let start = w.buffer().len();
    let nest = w.begin_nest(la::NFTA_SET_ELEM_LIST_ELEMENTS, true);
    let mut count = 0usize;
    while *cursor != Cursor::Done {
        *idx = idx.wrapping_add(1);
        let before = w.buffer().len();
        write_elem(w, *idx, *cursor, plan, spec, elems)?;
        if w.buffer().len() - start > NEST_MAX {
            if count == 0 {
                return Err(enc_err("element larger than a netlink attribute"));
            }
            // As nft: drop it here, it opens the next message (its number is used up).
            w.buffer().truncate(before);
            break;
        }
        count += 1;
        *cursor = plan.next(*cursor);
    }
    w.end_nest(nest)?;
    Ok(())
}

/// Largest nested attribute: its 16-bit length includes the header.
const NEST_MAX: usize = u16::MAX as usize;

/// Append `NEWSETELEM` messages (flags `NLM_F_CREATE`) carrying `elems` for set `spec` of
/// `table` (nfgenmsg family `family`) to `batch`. Returns how many messages were added.
pub(crate) fn push_elements(
    batch: &mut Batch,
    family: u8,
    table: &str,
    spec: &SetSpec<'_>,
    elems: Elems<'_>,
) -> Result<usize, crate::Error> {
    push_element_messages(
        batch,
        nft_msg::NEWSETELEM,
        NLM_F_CREATE,
        true,
        family,
        table,
        spec,
        elems,
    )
}

/// [`push_elements`] for a change of a set that exists: message `op` (`NEWSETELEM` or
/// `DELSETELEM`) with `flags`; `marker` says whether a scalar interval set gets nft's
/// leading interval-end element at key 0 (only when the set is made in the same batch, as
/// nft sends it; a delta to an existing set never carries it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_element_messages(
    batch: &mut Batch,
    op: u8,
    flags: u16,
    marker: bool,
    family: u8,
    table: &str,
    spec: &SetSpec<'_>,
    elems: Elems<'_>,
) -> Result<usize, crate::Error> {
    let mut plan = Plan::new(spec, elems)?;
    if let (false, Plan::Intervals { marker: m, .. }) = (marker, &mut plan) {
        *m = false;
    }
    let mut cursor = plan.first();
    // Grow the batch buffer once, not by doubling while writing.
    let mut reserve = plan.wire_count().saturating_mul(elem_size_hint(spec));
    let mut idx: u32 = 0;
    let mut messages = 0;
    let kind = msg_type(subsys::NFTABLES, op);
    while cursor != Cursor::Done {
        batch.push_with(kind, flags, family, |w| -> Result<(), crate::Error> {
            w.buffer().reserve(std::mem::take(&mut reserve));
            fill_message(w, table, &plan, spec, elems, &mut cursor, &mut idx)
        })?;
        messages += 1;
    }
    // Elements kept raw (catch-all), each nest as pulled, after the typed ones.
    let mut raw = spec.extras.raw_elements.iter().peekable();
    while raw.peek().is_some() {
        batch.push_with(kind, flags, family, |w| -> Result<(), crate::Error> {
            put_elem_list_head(w, table, spec)?;
            let start = w.buffer().len();
            let nest = w.begin_nest(la::NFTA_SET_ELEM_LIST_ELEMENTS, true);
            let mut count = 0;
            while let Some(e) = raw.peek() {
                if count > 0 && w.buffer().len() - start + e.0.len() + 8 > NEST_MAX {
                    break;
                }
                idx = idx.wrapping_add(1);
                w.put(idx as u16 | NLA_F_NESTED, &e.0)?;
                count += 1;
                raw.next();
            }
            w.end_nest(nest)?;
            Ok(())
        })?;
        messages += 1;
    }
    Ok(messages)
}
