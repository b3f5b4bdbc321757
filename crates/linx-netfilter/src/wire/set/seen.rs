//! [`Seen`]: the identities of the elements of one set dump, to find an element the kernel
//! sent twice (see [`ElemDecoder::consistent`](super::ElemDecoder::consistent)).
//!
//! Why a hash table: the check used to look for a repeat with bit maps, then by sorting the
//! suspects (about 75 instructions per element of a 100k set, plus 50 to record it); one
//! insert into an open-addressing table sized for the final count is about 25.
//!
//! # Contract
//! - [`Seen::push_key`] records one identity; [`Seen::all_distinct`] is `true` exactly when no
//!   identity was pushed twice. Exact: identities are compared, never only their hashes.
//! - Slots are chosen by a multiply-mix of the identity under a random key, so keys a remote
//!   host plants in a dynamic set cannot be aimed at one slot; should a probe still run long
//!   (more than [`MAX_PROBE`] slots), the check falls back to [`first_repeat`] (bit maps and
//!   sorting): never quadratic.
//! - Never panics.

use std::hash::{BuildHasher, Hasher, RandomState};

use crate::set::{first_repeat, mix64};

/// Longest probe before the table falls back to the vector (at a load of at most a half,
/// an honest dump essentially never probes that far).
const MAX_PROBE: usize = 64;

/// Slots of the table per 4 KiB page.
const PAGE_SLOTS: usize = 4096 / std::mem::size_of::<u32>();

/// The identities of the elements dumped so far.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    /// Every identity, in dump order.
    ids: Vec<u64>,
    /// Random key of the identities of long keys (see [`key_hash`]).
    keyed: RandomState,
}

impl Seen {
    /// No identities yet, under a fresh random key.
    pub(crate) fn new() -> Self {
        Seen {
            ids: Vec::new(),
            keyed: RandomState::new(),
        }
    }

    /// Room for `n` more identities.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
    }

    /// Record the identity of one element (its key, key end and end flag).
    #[inline(always)]
    pub(crate) fn push_key(&mut self, key: &[u8], key_end: Option<&[u8]>, end: bool) {
        let id = key_hash(&self.keyed, key, key_end, end);
        self.ids.push(id);
    }

    /// Record the identities of elements that are a `K`-byte key each (no key end, no
    /// end flag), as [`Seen::push_key`] does one by one.
    #[inline(always)]
    pub(crate) fn extend_keys<const K: usize>(&mut self, keys: impl Iterator<Item = [u8; K]>) {
        let keyed = &self.keyed;
        self.ids
            .extend(keys.map(|k| key_hash(keyed, &k, None, false)));
    }

    /// `true` when no identity was pushed twice.
    pub(crate) fn all_distinct(&self) -> bool {
        let ids = &self.ids;
        if ids.len() < 2 {
            return true;
        }
        match distinct_by_table(ids, self.keyed.hash_one(0x5eed_u64)) {
            Some(distinct) => distinct,
            None => first_repeat(ids.iter().copied(), ids.len(), mix64).is_none(),
        }
    }

    /// How many identities were recorded (tests).
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.ids.len()
    }

    /// The recorded identities, sorted (tests).
    #[cfg(test)]
    pub(crate) fn ids(&self) -> Vec<u64> {
        let mut v = self.ids.clone();
        v.sort_unstable();
        v
    }
}

/// Whether `ids` are all distinct, by inserting their positions into an open-addressing
/// table (linear probing, at most half full, slots by `mix64(id ^ seed)`, a slot holding the
/// position of its identity plus one, 0 none); `None` when a probe ran longer than
/// [`MAX_PROBE`] slots or there are too many identities for 32-bit positions.
///
/// Why positions and not the identities: the table is a quarter of the size (4-byte slots,
/// half full instead of 8-byte slots a quarter full), 1 MiB for a 100k-element set; each
/// page of it costs a page fault, which on this kind of machine costs more than the
/// inserts. A zeroed allocation is mapped lazily and faults twice per page when the first
/// access reads (the probe) and the next writes; one write per page before use makes it
/// one fault per page, without writing the whole table.
fn distinct_by_table(ids: &[u64], seed: u64) -> Option<bool> {
    if u32::try_from(ids.len()).ok()? == u32::MAX {
        return None;
    }
    let n = (ids.len() * 2).next_power_of_two();
    let shift = 64 - n.trailing_zeros();
    let mask = n - 1;
    let mut slots = vec![0u32; n];
    // The table's memory made opaque to the optimiser, so the page writes below are not
    // dropped as stores of zeros into memory known to be zero.
    std::hint::black_box(slots.as_mut_ptr());
    for slot in slots.iter_mut().step_by(PAGE_SLOTS) {
        *slot = 0;
    }
    for (pos, &id) in (1u32..).zip(ids) {
        let mut i = (mix64(id ^ seed) >> shift) as usize & mask;
        // Taken slots still allowed before this probe gives up.
        let mut left = MAX_PROBE;
        loop {
            let slot = slots.get_mut(i)?;
            if *slot == 0 {
                *slot = pos;
                break;
            }
            if ids.get(*slot as usize - 1) == Some(&id) {
                return Some(false);
            }
            left = left.checked_sub(1)?;
            i = (i + 1) & mask;
        }
    }
    Some(true)
}

/// An element's identity (key, key end, end flag) as one word, only compared within one
/// dump: short keys (up to 7 bytes: addresses, ports, marks) are packed exactly with their
/// length and end flag, longer ones hashed with `keyed` (SipHash under a random key: a
/// collision, about one in 2^64 per pair, causes a needless re-dump and does not repeat on
/// the next attempt, which draws a new key).
#[inline(always)]
pub(crate) fn key_hash(keyed: &RandomState, key: &[u8], key_end: Option<&[u8]>, end: bool) -> u64 {
    if key_end.is_none() && key.len() <= 7 {
        let packed = match <[u8; 4]>::try_from(key) {
            Ok(a) => u64::from(u32::from_le_bytes(a)),
            Err(_) => key
                .iter()
                .rev()
                .fold(0u64, |acc, &b| acc << 8 | u64::from(b)),
        };
        return packed | (key.len() as u64) << 56 | u64::from(end) << 60;
    }
    long_key_hash(keyed, key, key_end, end)
}

/// [`key_hash`] of a key longer than 7 bytes or with a key end.
#[inline(never)]
fn long_key_hash(keyed: &RandomState, key: &[u8], key_end: Option<&[u8]>, end: bool) -> u64 {
    let mut h = keyed.build_hasher();
    h.write(key);
    if let Some(k) = key_end {
        h.write_u8(0xff);
        h.write(k);
    }
    h.write_u8(u8::from(end));
    // Bit 63 set: never equal to a packed short key.
    h.finish() | 1 << 63
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The table finds a repeat exactly when a naive set does.
        #[test]
        fn seen_is_exact(ids in prop::collection::vec(
            prop_oneof![0u64..3000, Just(u64::MAX), Just(u64::MAX - 1)], 0..3000)) {
            let mut naive = std::collections::HashSet::new();
            let distinct = ids.iter().all(|id| naive.insert(*id));
            prop_assert_eq!(distinct_by_table(&ids, 7), Some(distinct));
            let seen = Seen { ids: ids.clone(), keyed: RandomState::new() };
            prop_assert_eq!(seen.all_distinct(), distinct);
        }
    }

    /// Identities crowded into one run of slots make the table give up, not loop.
    #[test]
    fn crowded_slots_fall_back() {
        // With a zero seed, consecutive identities spread; force crowding by searching a
        // few hundred identities whose slots collide in a table of 4096 slots.
        let shift = 64 - 4096u32.trailing_zeros();
        let crowd: Vec<u64> = (0..)
            .filter(|&id: &u64| (mix64(id) >> shift) == 0)
            .take(1000)
            .collect();
        assert_eq!(distinct_by_table(&crowd, 0), None);
        let seen = Seen {
            ids: crowd,
            keyed: RandomState::new(),
        };
        assert!(seen.all_distinct());
    }

    #[test]
    fn packed_identity_is_the_little_endian_key() {
        let k = RandomState::new();
        assert_eq!(
            key_hash(&k, &[1, 2, 3, 4], None, false),
            0x0403_0201 | 4 << 56
        );
        assert_eq!(
            key_hash(&k, &[1, 2], None, true),
            0x0201 | 2 << 56 | 1 << 60
        );
        assert_eq!(
            key_hash(&k, &[1, 2, 3, 4, 5, 6, 7], None, false),
            0x0007_0605_0403_0201 | 7 << 56
        );
    }
}
