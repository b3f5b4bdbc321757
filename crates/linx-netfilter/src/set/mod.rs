//! Named sets and maps: [`Set`], [`Map`] (including verdict maps), their flags and elements.
//!
//! Why `Set` and `Map` are two types: a map's elements carry a value whose type (data or
//! verdict) is fixed by the map, and checking "every value is a verdict" belongs to the type
//! that has values. They share one namespace in a table (the kernel stores both as sets), which
//! [`Table`](crate::Table) enforces.
//!
//! # Contract
//! - [`Set::check`] / [`Map::check`] enforce: valid name (not `__set*`/`__map*`, reserved for
//!   anonymous sets), a key type the kernel can hold, flags the model owns (`map` is the
//!   encoder's; `anonymous` only marks a set kept as pulled: an anonymous data map named
//!   `__map*` or a meter, a dynamic set with its user's name; the kernel deletes either with
//!   the last rule using it; `concat` only on
//!   interval concatenations; `auto_merge` needs `interval`), timeouts only with the `timeout` flag, comment ≤ 253 bytes, every element
//!   of the key type, ranges and prefixes only in interval sets, no duplicate elements, and
//!   for maps values of the data type (a verdict map holds only verdicts).
//! - Elements keep their order (the encoder sends them in order).
//! - Jump targets inside verdict maps are checked by the table, which knows its chains.
//! - serde: see the crate docs for the JSON shape; elements are read with the key type.

mod elem;
mod extras;
mod key;

use std::fmt;

use serde::ser::SerializeTuple;
use serde::{Deserialize, Serialize};

pub use elem::{CtState, ElemValue, SetElement};
pub use extras::{ElemAttrs, RawElement, SetExtras};
pub use key::KeyType;

pub(crate) use elem::{ElemDoc, ifname_bytes, verdict_from_doc};
pub(crate) use extras::{NFTA_SET_OBJ_TYPE, sort_with_extras};

use crate::consts::set as c;
use crate::flags::flags;
use crate::names::{NO_TABLE, check_comment, check_name, check_set_name};
use crate::{Error, Reason, TableId, Verdict};

flags! {
    /// Set flags (`NFTA_SET_FLAGS`); unknown bits are kept.
    ///
    /// `auto_merge` is not a kernel flag (nft merges adjacent intervals in userspace); it is
    /// the `auto_merge` field of [`Set`] and [`Map`].
    ///
    /// ```
    /// use linx_netfilter::SetFlags;
    /// let f = SetFlags::INTERVAL | SetFlags::TIMEOUT;
    /// assert_eq!(f.bits(), 0x14);
    /// assert_eq!(f.to_string(), "interval|timeout");
    /// ```
    pub struct SetFlags, path = "linx_netfilter::SetFlags", example = "linx_netfilter::SetFlags::INTERVAL" {
        /// `anonymous`: bound to one rule, deleted with it (set by the encoder for literals;
        /// kept on pulled anonymous maps and meters).
        const ANONYMOUS = c::NFT_SET_ANONYMOUS, "anonymous";
        /// `constant`: elements cannot change after the transaction that made the set.
        const CONSTANT = c::NFT_SET_CONSTANT, "constant";
        /// `interval`: elements may be ranges and prefixes.
        const INTERVAL = c::NFT_SET_INTERVAL, "interval";
        /// `map`: elements carry data (set by the encoder for [`Map`](crate::Map)s).
        const MAP = c::NFT_SET_MAP, "map";
        /// `timeout`: elements expire (needed for `timeout_ms`).
        const TIMEOUT = c::NFT_SET_TIMEOUT, "timeout";
        /// `dynamic` (nft `eval`): the packet path may add elements (dynset).
        const DYNAMIC = c::NFT_SET_EVAL, "dynamic";
        /// `object`: a map to stateful objects (not modelled; kept when decoded).
        const OBJECT = c::NFT_SET_OBJECT, "object";
        /// `concat`: an interval set of concatenations (pipapo); the encoder sets it.
        const CONCAT = c::NFT_SET_CONCAT, "concat";
        /// `expr`: elements carry expressions (not modelled; kept when decoded).
        const EXPR = c::NFT_SET_EXPR, "expr";
    }
}

impl Default for SetFlags {
    /// No flags.
    fn default() -> SetFlags {
        SetFlags::empty()
    }
}

/// A named set: a typed collection the rules look packets up in (`@name`).
///
/// ```
/// use linx_netfilter::{KeyType, Set, SetElement};
/// use linx_ip::ip;
/// let set = Set::new("blocklist", KeyType::Ipv4Addr)
///     .interval()
///     .element(ip!("10.0.0.0/8"))
///     .element(SetElement::range(ip!("192.0.2.1"), ip!("192.0.2.9")))
///     .comment("bad hosts");
/// assert_eq!(set.to_string(), "Set<blocklist ipv4_addr flags=interval 2 elements>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SetDoc")]
pub struct Set {
    /// The set's name, unique among the table's sets and maps.
    pub name: String,
    /// The key type.
    pub key: KeyType,
    /// Kernel flags.
    pub flags: SetFlags,
    /// Merge adjacent and overlapping intervals before sending (nft's `auto-merge`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub auto_merge: bool,
    /// Default element timeout in milliseconds (`timeout` flag required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Garbage-collection interval in milliseconds (`timeout` flag required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gc_interval_ms: Option<u32>,
    /// Maximum number of elements (`NFTA_SET_DESC_SIZE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// The elements, in order.
    pub elements: Vec<SetElement>,
    /// A comment (≤ 253 bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The kernel's handle, when pulled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<u64>,
    /// What the kernel holds beyond the fields above (another tool's userdata, element
    /// timeouts and comments, ...), kept raw by pull and re-sent by push; empty for sets
    /// built in code.
    #[serde(default, skip_serializing_if = "SetExtras::is_empty")]
    pub extras: SetExtras,
}

impl Set {
    /// An empty set with no flags.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set};
    /// let s = Set::new("ports", KeyType::InetService);
    /// assert!(s.elements.is_empty() && s.flags.is_empty());
    /// ```
    pub fn new(name: impl Into<String>, key: KeyType) -> Set {
        Set {
            name: name.into(),
            key,
            flags: SetFlags::empty(),
            auto_merge: false,
            timeout_ms: None,
            gc_interval_ms: None,
            size: None,
            elements: Vec::new(),
            comment: None,
            handle: None,
            extras: SetExtras::default(),
        }
    }

    /// Replaces the flags.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set, SetFlags};
    /// let s = Set::new("s", KeyType::Mark).flags(SetFlags::CONSTANT);
    /// assert_eq!(s.flags, SetFlags::CONSTANT);
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn flags(mut self, flags: SetFlags) -> Set {
        self.flags = flags;
        self
    }

    /// Adds the `interval` flag.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set, SetFlags};
    /// assert!(Set::new("s", KeyType::Mark).interval().flags.contains(SetFlags::INTERVAL));
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn interval(mut self) -> Set {
        self.flags |= SetFlags::INTERVAL;
        self
    }

    /// Adds the `constant` flag.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set, SetFlags};
    /// assert!(Set::new("s", KeyType::Mark).constant().flags.contains(SetFlags::CONSTANT));
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn constant(mut self) -> Set {
        self.flags |= SetFlags::CONSTANT;
        self
    }

    /// Adds the `dynamic` flag (rules may add elements with dynset).
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set, SetFlags};
    /// assert!(Set::new("s", KeyType::Mark).dynamic().flags.contains(SetFlags::DYNAMIC));
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn dynamic(mut self) -> Set {
        self.flags |= SetFlags::DYNAMIC;
        self
    }

    /// Sets the default element timeout and adds the `timeout` flag.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set, SetFlags};
    /// let s = Set::new("s", KeyType::Ipv4Addr).timeout(60_000);
    /// assert_eq!(s.timeout_ms, Some(60_000));
    /// assert!(s.flags.contains(SetFlags::TIMEOUT));
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn timeout(mut self, ms: u64) -> Set {
        self.flags |= SetFlags::TIMEOUT;
        self.timeout_ms = Some(ms);
        self
    }

    /// Sets the garbage-collection interval (needs the `timeout` flag).
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set};
    /// assert_eq!(Set::new("s", KeyType::Mark).gc_interval(1000).gc_interval_ms, Some(1000));
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn gc_interval(mut self, ms: u32) -> Set {
        self.gc_interval_ms = Some(ms);
        self
    }

    /// Turns on nft-style interval merging.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set};
    /// assert!(Set::new("s", KeyType::Mark).interval().auto_merge().auto_merge);
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn auto_merge(mut self) -> Set {
        self.auto_merge = true;
        self
    }

    /// Sets the maximum number of elements.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set};
    /// assert_eq!(Set::new("s", KeyType::Mark).size(64).size, Some(64));
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn size(mut self, size: u32) -> Set {
        self.size = Some(size);
        self
    }

    /// Sets the comment.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set};
    /// assert_eq!(Set::new("s", KeyType::Mark).comment("x").comment.as_deref(), Some("x"));
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn comment(mut self, comment: impl Into<String>) -> Set {
        self.comment = Some(comment.into());
        self
    }

    /// Appends one element.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set, SetElement};
    /// let s = Set::new("s", KeyType::InetService).element(SetElement::port(22));
    /// assert_eq!(s.elements, [SetElement::port(22)]);
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn element(mut self, element: impl Into<SetElement>) -> Set {
        self.elements.push(element.into());
        self
    }

    /// Appends elements.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Set, SetElement};
    /// let s = Set::new("s", KeyType::InetService).elements([22, 80].map(SetElement::port));
    /// assert_eq!(s.elements.len(), 2);
    /// ```
    #[must_use = "builder methods return the changed set"]
    pub fn elements(mut self, elements: impl IntoIterator<Item = SetElement>) -> Set {
        self.elements.extend(elements);
        self
    }

    /// Checks everything about this set that does not need the rest of the table.
    ///
    /// # Errors
    /// [`Error::BadSet`] or [`Error::BadSetElement`] (see the module contract).
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, KeyType, Reason, Set, SetElement, TableId};
    /// use linx_ip::ip;
    /// let t = TableId::new(Family::Inet, "t");
    /// let s = Set::new("s", KeyType::Ipv4Addr).element(ip!("10.0.0.0/8"));
    /// assert!(matches!(
    ///     s.check(&t),
    ///     Err(Error::BadSetElement { reason: Reason::IntervalOnly, .. })
    /// ));
    /// assert!(s.interval().check(&t).is_ok());
    /// ```
    pub fn check(&self, table: &TableId) -> Result<(), Error> {
        let bad = |reason| Error::BadSet {
            table: table.clone(),
            set: self.name.clone(),
            reason,
        };
        Header {
            name: &self.name,
            key: &self.key,
            flags: self.flags,
            auto_merge: self.auto_merge,
            has_timeouts: self.timeout_ms.is_some() || self.gc_interval_ms.is_some(),
            comment: self.comment.as_deref(),
            extras: &self.extras,
            len: self.elements.len(),
        }
        .check()
        .map_err(bad)?;
        if self.flags.contains(SetFlags::MAP) {
            return Err(bad(Reason::Flags("the map flag belongs to Map")));
        }
        check_elements(&self.elements, &self.key, self.flags).map_err(|(element, reason)| {
            Error::BadSetElement {
                table: table.clone(),
                set: self.name.clone(),
                element: Box::new(element.clone()),
                reason,
            }
        })
    }
}

/// What sets and maps share, borrowed for [`Header::check`].
struct Header<'a> {
    name: &'a str,
    key: &'a KeyType,
    flags: SetFlags,
    auto_merge: bool,
    has_timeouts: bool,
    comment: Option<&'a str>,
    extras: &'a SetExtras,
    len: usize,
}

impl Header<'_> {
    /// Checks what sets and maps share: name, key type, flags, timeouts, comment, extras.
    fn check(&self) -> Result<(), Reason> {
        let Header {
            name,
            key,
            flags,
            auto_merge,
            has_timeouts,
            comment,
            extras,
            len,
        } = *self;
        // Anonymous sets the model does not fold into a rule's literal stay sets of their
        // table under their kernel names: data and object maps nft wrote (`__map0`) and
        // meters (`meter flood { ip saddr limit ... }`: an anonymous dynamic set with the
        // user's name). A `__` name is only for such sets.
        if flags.contains(SetFlags::ANONYMOUS) {
            check_name(name)?;
            if !name.starts_with("__") && !flags.contains(SetFlags::DYNAMIC) {
                return Err(Reason::Flags(
                    "anonymous is for set literals, kept anonymous sets and meters",
                ));
            }
        } else {
            check_set_name(name)?;
        }
        if let Some(why) = key.problem() {
            return Err(Reason::BadKeyType {
                key: key.clone(),
                why,
            });
        }
        if let Some(why) = extras.problem(len) {
            return Err(Reason::Flags(why));
        }
        if flags.contains(SetFlags::OBJECT) {
            // Object maps are kept, not modelled: their object type is a raw attribute.
            if !has_raw_attr(&extras.attrs, NFTA_SET_OBJ_TYPE) {
                return Err(Reason::Flags("object maps are not modelled"));
            }
        } else {
            check_flags(key, flags, extras)?;
        }
        if auto_merge && !flags.contains(SetFlags::INTERVAL) {
            return Err(Reason::Flags("auto_merge needs the interval flag"));
        }
        if has_timeouts && !flags.contains(SetFlags::TIMEOUT) {
            return Err(Reason::TimeoutWithoutFlag);
        }
        if let Some(comment) = comment {
            check_comment(comment)?;
        }
        Ok(())
    }
}

/// Flag rules that also hold for anonymous literals.
pub(crate) fn check_literal_flags(key: &KeyType, flags: SetFlags) -> Result<(), Reason> {
    check_flags(key, flags, &SetExtras::default())
}

/// [`check_literal_flags`] for a set that may carry a pulled concatenation description.
fn check_flags(key: &KeyType, flags: SetFlags, extras: &SetExtras) -> Result<(), Reason> {
    if flags.contains(SetFlags::OBJECT) {
        return Err(Reason::Flags("object maps are not modelled"));
    }
    let concat = key.is_concat() || !extras.concat.is_empty();
    if flags.contains(SetFlags::CONCAT) && !(concat && flags.contains(SetFlags::INTERVAL)) {
        return Err(Reason::Flags(
            "the concat flag is only for interval concatenations",
        ));
    }
    Ok(())
}

/// `true` when the raw attributes `attrs` hold one of type `kind`.
fn has_raw_attr(attrs: &[u8], kind: u16) -> bool {
    linx_netlink_codec::AttrIter::new(attrs).any(|a| a.is_ok_and(|a| a.kind() == kind))
}

/// A fast hash for the duplicate checks of set elements (a multiply-rotate mix of each
/// written word, then a final avalanche), seeded at random per check: elements may come from
/// a remote host (a dynamic set filled from packets, pulled and pushed back), and with a
/// known seed colliding elements can be computed in one step. SipHash (then byte-wise FNV)
/// was a visible share of validating a 100k-element set.
#[derive(Clone, Copy)]
pub(crate) struct FastHash(u64);

impl FastHash {
    /// A hash under a fresh random seed (from std's `RandomState`, no extra dependency).
    pub(crate) fn random() -> FastHash {
        use std::hash::BuildHasher;
        FastHash(std::hash::RandomState::new().hash_one(0x6c69_6e78_u64))
    }

    /// The hash of one value.
    #[inline]
    pub(crate) fn one(&self, value: &impl std::hash::Hash) -> u64 {
        use std::hash::BuildHasher;
        self.hash_one(value)
    }
}

/// The hasher state of [`FastHash`].
#[derive(Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    /// Mix one word in.
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            // chunks_exact(8) yields 8-byte slices.
            self.mix(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length keeps "ab" and "ab\0" apart.
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, v: u8) {
        self.mix(u64::from(v));
    }
    #[inline]
    fn write_u16(&mut self, v: u16) {
        self.mix(u64::from(v));
    }
    #[inline]
    fn write_u32(&mut self, v: u32) {
        self.mix(u64::from(v));
    }
    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.mix(v);
    }
    #[inline]
    fn write_usize(&mut self, v: usize) {
        self.mix(v as u64);
    }
    #[inline]
    fn write_isize(&mut self, v: isize) {
        self.mix(v as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // Spread every input bit over the whole word (the tables below take low bits for the
        // slot and high bits for the fingerprint).
        let mut x = self.0;
        x ^= x >> 32;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x ^= x >> 29;
        x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 32)
    }
}

/// A 64-bit mix of an identity that is not hashed yet (multiply, fold, multiply: one multiply
/// alone leaves structured keys, such as addresses 10.x.y.z whose low byte never changes,
/// crowded into a third of [`first_repeat`]'s slots).
#[inline]
pub(crate) fn mix64(v: u64) -> u64 {
    let h = v.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h ^ (h >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The first of the `n` items equal to an earlier one (the earliest second occurrence), or
/// `None` when all differ. The duplicate check of set elements and a pull's dump-consistency
/// check both use it.
///
/// Sorting was a visible share of both at 100k items. Instead, two bit maps indexed by the
/// top bits of `hash` mark the slots taken once and the slots taken again ("suspects"); only
/// the items in suspect slots (a few percent with a good hash, all of them with a bad one)
/// are sorted and compared. Below 4096 items they are simply sorted.
pub(crate) fn first_repeat<T: Copy + Ord>(
    items: impl Iterator<Item = T> + Clone,
    n: usize,
    hash: impl Fn(T) -> u64,
) -> Option<T> {
    let mut candidates: Vec<(T, usize)> = if n < 4096 {
        items.enumerate().map(|(i, t)| (t, i)).collect()
    } else {
        // About one slot in eight taken: suspects are rare.
        let bits = (n * 8).next_power_of_two().trailing_zeros().min(24);
        let slot = |t: T| (hash(t) >> (64 - bits)) as usize;
        let words = (1usize << bits) / 64;
        let (mut taken, mut suspect) = (vec![0u64; words], vec![0u64; words]);
        for t in items.clone() {
            let i = slot(t);
            let (w, b) = (i / 64, 1u64 << (i % 64));
            if taken[w] & b != 0 {
                suspect[w] |= b;
            }
            taken[w] |= b;
        }
        items
            .enumerate()
            .filter(|&(_, t)| {
                let i = slot(t);
                suspect[i / 64] & (1u64 << (i % 64)) != 0
            })
            .map(|(i, t)| (t, i))
            .collect()
    };
    // Equal items end up adjacent, each run in order of position: every entry of a run but
    // its first is a repeat, and the repeat with the lowest position is the first one.
    candidates.sort_unstable();
    candidates
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| w[1])
        .min_by_key(|&(_, at)| at)
        .map(|(t, _)| t)
}

/// Checks elements against a key type and flags: types, intervals, duplicates.
///
/// Types first (the first misfit in order is reported), then duplicates: elements in strictly
/// ascending order cannot repeat (one pass of comparisons); otherwise [`first_repeat`] names
/// the first repeated element.
pub(crate) fn check_elements<'a, I>(
    elements: I,
    key: &KeyType,
    flags: SetFlags,
) -> Result<(), (&'a SetElement, Reason)>
where
    I: IntoIterator<Item = &'a SetElement>,
    I::IntoIter: Clone,
{
    let interval = flags.contains(SetFlags::INTERVAL);
    let elements = elements.into_iter();
    let mut ascending = true;
    let mut prev: Option<&SetElement> = None;
    let mut n = 0usize;
    for element in elements.clone() {
        element
            .check(key, interval)
            .map_err(|reason| (element, reason))?;
        if ascending {
            if let Some(p) = prev {
                ascending = p < element;
            }
            prev = Some(element);
        }
        n += 1;
    }
    if ascending {
        return Ok(());
    }
    let hash = FastHash::random();
    match first_repeat(elements, n, |e| hash.one(e)) {
        Some(element) => Err((element, Reason::DuplicateElement)),
        None => Ok(()),
    }
}

impl fmt::Display for Set {
    /// `Set<name key flags=... N elements>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Set<{} {}", self.name, self.key)?;
        if !self.flags.is_empty() {
            write!(f, " flags={}", self.flags)?;
        }
        write!(f, " {} elements>", self.elements.len())
    }
}

/// What a map's values are: verdicts (a verdict map, `vmap`) or data of a key type.
///
/// serde form: `"verdict"` or the key type (`"ipv4_addr"`, `{"concat": [...]}`).
///
/// ```
/// use linx_netfilter::{DataType, KeyType};
/// assert_eq!(DataType::Verdict.type_id(), 0xffff_ff00);
/// assert_eq!(DataType::Value(KeyType::Ipv4Addr).type_id(), 7);
/// assert_eq!(DataType::Value(KeyType::Ipv4Addr).data_len(), 4);
/// assert_eq!(serde_json::to_string(&DataType::Verdict)?, r#""verdict""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DataType {
    /// Verdicts (`NFT_DATA_VERDICT`).
    Verdict,
    /// Values of a key type.
    Value(KeyType),
}

impl DataType {
    /// The data type id the kernel stores (`NFTA_SET_DATA_TYPE`): `0xffffff00` for
    /// verdicts, the key type's id otherwise.
    ///
    /// ```
    /// use linx_netfilter::{DataType, KeyType};
    /// assert_eq!(DataType::Value(KeyType::InetService).type_id(), 13);
    /// ```
    pub fn type_id(&self) -> u32 {
        match self {
            DataType::Verdict => c::NFT_DATA_VERDICT,
            DataType::Value(key) => key.type_id(),
        }
    }

    /// The data length the kernel stores (`NFTA_SET_DATA_LEN`); 0 for verdicts, whose
    /// length the kernel fixes itself.
    ///
    /// ```
    /// use linx_netfilter::DataType;
    /// assert_eq!(DataType::Verdict.data_len(), 0);
    /// ```
    pub fn data_len(&self) -> u32 {
        match self {
            DataType::Verdict => 0,
            DataType::Value(key) => key.key_len(),
        }
    }

    /// The type for a stored id and length (the inverse of [`DataType::type_id`]).
    ///
    /// ```
    /// use linx_netfilter::{DataType, KeyType};
    /// assert_eq!(DataType::from_type_id(0xffff_ff00, 0), DataType::Verdict);
    /// assert_eq!(DataType::from_type_id(19, 4), DataType::Value(KeyType::Mark));
    /// ```
    pub fn from_type_id(type_id: u32, len: u32) -> DataType {
        if type_id == c::NFT_DATA_VERDICT {
            DataType::Verdict
        } else {
            DataType::Value(KeyType::from_type_id(type_id, len))
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataType::Verdict => f.write_str("verdict"),
            DataType::Value(key) => write!(f, "{key}"),
        }
    }
}

impl Serialize for DataType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DataType::Verdict => serializer.serialize_str("verdict"),
            DataType::Value(key) => key.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for DataType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<DataType, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Verdict {
            Verdict,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Verdict(Verdict),
            Key(KeyType),
        }
        Ok(match Form::deserialize(deserializer)? {
            Form::Verdict(Verdict::Verdict) => DataType::Verdict,
            Form::Key(key) => DataType::Value(key),
        })
    }
}

/// The value of a map element: a verdict (verdict maps) or data (a value or a concatenation
/// of values of the map's data type).
///
/// ```
/// use linx_netfilter::{MapValue, Verdict};
/// use linx_ip::ip;
/// assert_eq!(MapValue::from(Verdict::Drop).to_string(), "drop");
/// assert_eq!(MapValue::from(ip!("192.0.2.1")).to_string(), "192.0.2.1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MapValue {
    /// A verdict.
    Verdict(Verdict),
    /// Data.
    Data(SetElement),
}

impl From<Verdict> for MapValue {
    fn from(v: Verdict) -> MapValue {
        MapValue::Verdict(v)
    }
}

impl From<SetElement> for MapValue {
    fn from(e: SetElement) -> MapValue {
        MapValue::Data(e)
    }
}

impl From<linx_ip::Ip> for MapValue {
    fn from(ip: linx_ip::Ip) -> MapValue {
        MapValue::Data(SetElement::from(ip))
    }
}

impl From<ElemValue> for MapValue {
    fn from(v: ElemValue) -> MapValue {
        MapValue::Data(SetElement::Value(v))
    }
}

impl fmt::Display for MapValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapValue::Verdict(v) => write!(f, "{v}"),
            MapValue::Data(e) => write!(f, "{e}"),
        }
    }
}

impl Serialize for MapValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            MapValue::Verdict(v) => v.serialize(serializer),
            MapValue::Data(e) => e.serialize(serializer),
        }
    }
}

/// One map element: key and value. serde form: a two-element list `[key, value]`.
///
/// ```
/// use linx_netfilter::{MapElement, SetElement, Verdict};
/// let e = MapElement::new(SetElement::port(22), Verdict::Accept);
/// assert_eq!(e.to_string(), "22 : accept");
/// assert_eq!(serde_json::to_string(&e)?, r#"[22,"accept"]"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapElement {
    /// The key.
    pub key: SetElement,
    /// The value.
    pub value: MapValue,
}

impl MapElement {
    /// An element from key and value.
    ///
    /// ```
    /// use linx_netfilter::{MapElement, MapValue, SetElement, Verdict};
    /// let e = MapElement::new(SetElement::mark(1), Verdict::Drop);
    /// assert_eq!(e.value, MapValue::Verdict(Verdict::Drop));
    /// ```
    pub fn new(key: impl Into<SetElement>, value: impl Into<MapValue>) -> MapElement {
        MapElement {
            key: key.into(),
            value: value.into(),
        }
    }
}

impl fmt::Display for MapElement {
    /// `key : value`, as nft prints map elements.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} : {}", self.key, self.value)
    }
}

impl Serialize for MapElement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(2)?;
        tuple.serialize_element(&self.key)?;
        tuple.serialize_element(&self.value)?;
        tuple.end()
    }
}

/// A named map: keys to data (`dnat to ip saddr map @m`) or to verdicts (`vmap @m`).
///
/// ```
/// use linx_netfilter::{KeyType, Map, SetElement, Verdict};
/// let vmap = Map::vmap("ports", KeyType::InetService)
///     .element(SetElement::port(22), Verdict::Jump("ssh".into()))
///     .element(SetElement::port(80), Verdict::Accept);
/// assert_eq!(vmap.to_string(), "Map<ports inet_service : verdict 2 elements>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MapDoc")]
pub struct Map {
    /// The map's name, unique among the table's sets and maps.
    pub name: String,
    /// The key type.
    pub key: KeyType,
    /// The value type.
    pub data: DataType,
    /// Kernel flags (`map` is implied and may be left out).
    pub flags: SetFlags,
    /// Merge adjacent intervals before sending (nft's `auto-merge`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub auto_merge: bool,
    /// Default element timeout in milliseconds (`timeout` flag required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Garbage-collection interval in milliseconds (`timeout` flag required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gc_interval_ms: Option<u32>,
    /// Maximum number of elements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// The elements, in order.
    pub elements: Vec<MapElement>,
    /// A comment (≤ 253 bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The kernel's handle, when pulled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<u64>,
    /// What the kernel holds beyond the fields above (another tool's userdata, element
    /// timeouts and comments, ...), kept raw by pull and re-sent by push; empty for sets
    /// built in code.
    #[serde(default, skip_serializing_if = "SetExtras::is_empty")]
    pub extras: SetExtras,
}

impl Map {
    /// An empty map from `key` to `data`.
    ///
    /// ```
    /// use linx_netfilter::{DataType, KeyType, Map};
    /// let m = Map::new("dnat", KeyType::InetService, DataType::Value(KeyType::Ipv4Addr));
    /// assert!(!m.is_vmap());
    /// ```
    pub fn new(name: impl Into<String>, key: KeyType, data: DataType) -> Map {
        Map {
            name: name.into(),
            key,
            data,
            flags: SetFlags::empty(),
            auto_merge: false,
            timeout_ms: None,
            gc_interval_ms: None,
            size: None,
            elements: Vec::new(),
            comment: None,
            handle: None,
            extras: SetExtras::default(),
        }
    }

    /// An empty verdict map.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Map};
    /// assert!(Map::vmap("v", KeyType::Ipv4Addr).is_vmap());
    /// ```
    pub fn vmap(name: impl Into<String>, key: KeyType) -> Map {
        Map::new(name, key, DataType::Verdict)
    }

    /// `true` for a verdict map.
    ///
    /// ```
    /// use linx_netfilter::{DataType, KeyType, Map};
    /// assert!(!Map::new("m", KeyType::Mark, DataType::Value(KeyType::Mark)).is_vmap());
    /// ```
    pub fn is_vmap(&self) -> bool {
        self.data == DataType::Verdict
    }

    /// Replaces the flags.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Map, SetFlags};
    /// assert_eq!(Map::vmap("v", KeyType::Mark).flags(SetFlags::CONSTANT).flags, SetFlags::CONSTANT);
    /// ```
    #[must_use = "builder methods return the changed map"]
    pub fn flags(mut self, flags: SetFlags) -> Map {
        self.flags = flags;
        self
    }

    /// Adds the `interval` flag.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Map, SetFlags};
    /// assert!(Map::vmap("v", KeyType::Mark).interval().flags.contains(SetFlags::INTERVAL));
    /// ```
    #[must_use = "builder methods return the changed map"]
    pub fn interval(mut self) -> Map {
        self.flags |= SetFlags::INTERVAL;
        self
    }

    /// Sets the default element timeout and adds the `timeout` flag.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Map};
    /// assert_eq!(Map::vmap("v", KeyType::Mark).timeout(5).timeout_ms, Some(5));
    /// ```
    #[must_use = "builder methods return the changed map"]
    pub fn timeout(mut self, ms: u64) -> Map {
        self.flags |= SetFlags::TIMEOUT;
        self.timeout_ms = Some(ms);
        self
    }

    /// Sets the comment.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Map};
    /// assert!(Map::vmap("v", KeyType::Mark).comment("c").comment.is_some());
    /// ```
    #[must_use = "builder methods return the changed map"]
    pub fn comment(mut self, comment: impl Into<String>) -> Map {
        self.comment = Some(comment.into());
        self
    }

    /// Appends one element.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Map, SetElement, Verdict};
    /// let m = Map::vmap("v", KeyType::InetService).element(SetElement::port(22), Verdict::Accept);
    /// assert_eq!(m.elements.len(), 1);
    /// ```
    #[must_use = "builder methods return the changed map"]
    pub fn element(mut self, key: impl Into<SetElement>, value: impl Into<MapValue>) -> Map {
        self.elements.push(MapElement::new(key, value));
        self
    }

    /// Appends elements.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, Map, MapElement, SetElement, Verdict};
    /// let m = Map::vmap("v", KeyType::InetService)
    ///     .elements([MapElement::new(SetElement::port(1), Verdict::Drop)]);
    /// assert_eq!(m.elements.len(), 1);
    /// ```
    #[must_use = "builder methods return the changed map"]
    pub fn elements(mut self, elements: impl IntoIterator<Item = MapElement>) -> Map {
        self.elements.extend(elements);
        self
    }

    /// Checks everything about this map that does not need the rest of the table (jump
    /// targets in verdict maps are checked by [`Table::validate`](crate::Table::validate)).
    ///
    /// # Errors
    /// [`Error::BadMap`] or [`Error::BadMapElement`].
    ///
    /// ```
    /// use linx_netfilter::{Error, Family, KeyType, Map, Reason, SetElement, TableId};
    /// let t = TableId::new(Family::Inet, "t");
    /// let m = Map::vmap("v", KeyType::InetService).element(SetElement::port(22), SetElement::port(23));
    /// assert!(matches!(m.check(&t), Err(Error::BadMapElement { reason: Reason::DataType(_), .. })));
    /// ```
    pub fn check(&self, table: &TableId) -> Result<(), Error> {
        let bad = |reason| Error::BadMap {
            table: table.clone(),
            map: self.name.clone(),
            reason,
        };
        Header {
            name: &self.name,
            key: &self.key,
            flags: self.flags,
            auto_merge: self.auto_merge,
            has_timeouts: self.timeout_ms.is_some() || self.gc_interval_ms.is_some(),
            comment: self.comment.as_deref(),
            extras: &self.extras,
            len: self.elements.len(),
        }
        .check()
        .map_err(bad)?;
        if let DataType::Value(data) = &self.data {
            if let Some(why) = data.problem() {
                return Err(bad(Reason::BadKeyType {
                    key: data.clone(),
                    why,
                }));
            }
        }
        let bad_element = |element: &SetElement, reason| Error::BadMapElement {
            table: table.clone(),
            map: self.name.clone(),
            element: Box::new(element.clone()),
            reason,
        };
        check_elements(self.elements.iter().map(|e| &e.key), &self.key, self.flags)
            .map_err(|(element, reason)| bad_element(element, reason))?;
        for element in &self.elements {
            check_map_value(&element.value, &self.data)
                .map_err(|reason| bad_element(&element.key, reason))?;
        }
        Ok(())
    }
}

/// Checks one map value against the map's data type.
pub(crate) fn check_map_value(value: &MapValue, data: &DataType) -> Result<(), Reason> {
    match (value, data) {
        (MapValue::Verdict(_), DataType::Verdict) => Ok(()),
        (MapValue::Data(_), DataType::Verdict) => {
            Err(Reason::DataType("a verdict map value must be a verdict"))
        }
        (MapValue::Verdict(_), DataType::Value(_)) => {
            Err(Reason::DataType("a data map value cannot be a verdict"))
        }
        (MapValue::Data(element), DataType::Value(key)) => {
            if element.is_interval() {
                return Err(Reason::DataType("map values cannot be ranges or prefixes"));
            }
            element.check(key, false)
        }
    }
}

impl fmt::Display for Map {
    /// `Map<name key : data flags=... N elements>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Map<{} {} : {}", self.name, self.key, self.data)?;
        if !self.flags.is_empty() {
            write!(f, " flags={}", self.flags)?;
        }
        write!(f, " {} elements>", self.elements.len())
    }
}

/// The serde shape of a [`Set`], elements not yet typed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetDoc {
    name: String,
    key: KeyType,
    #[serde(default)]
    flags: SetFlags,
    #[serde(default)]
    auto_merge: bool,
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    gc_interval_ms: Option<u32>,
    #[serde(default)]
    size: Option<u32>,
    #[serde(default)]
    elements: Vec<ElemDoc>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    handle: Option<u64>,
    #[serde(default)]
    extras: SetExtras,
}

impl SetDoc {
    /// Types the elements by the key; the error names the set and the element's position.
    pub(crate) fn into_set(self, table: &TableId) -> Result<Set, Error> {
        let elements = self
            .elements
            .iter()
            .enumerate()
            .map(|(index, doc)| {
                SetElement::from_doc(doc, &self.key).map_err(|_| Error::BadSet {
                    table: table.clone(),
                    set: self.name.clone(),
                    reason: Reason::UnreadableElement {
                        index,
                        key: self.key.clone(),
                    },
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Set {
            name: self.name,
            key: self.key,
            flags: self.flags,
            auto_merge: self.auto_merge,
            timeout_ms: self.timeout_ms,
            gc_interval_ms: self.gc_interval_ms,
            size: self.size,
            elements,
            comment: self.comment,
            handle: self.handle,
            extras: self.extras,
        })
    }
}

impl TryFrom<SetDoc> for Set {
    type Error = Error;
    fn try_from(doc: SetDoc) -> Result<Set, Error> {
        doc.into_set(&NO_TABLE)
    }
}

/// The serde shape of a [`Map`], elements not yet typed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MapDoc {
    name: String,
    key: KeyType,
    data: DataType,
    #[serde(default)]
    flags: SetFlags,
    #[serde(default)]
    auto_merge: bool,
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    gc_interval_ms: Option<u32>,
    #[serde(default)]
    size: Option<u32>,
    #[serde(default)]
    elements: Vec<(ElemDoc, ElemDoc)>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    handle: Option<u64>,
    #[serde(default)]
    extras: SetExtras,
}

/// Reads a map value of type `data` from its serde shape.
pub(crate) fn map_value_from_doc(doc: &ElemDoc, data: &DataType) -> Option<MapValue> {
    match data {
        DataType::Verdict => verdict_from_doc(doc).map(MapValue::Verdict),
        DataType::Value(key) => SetElement::from_doc(doc, key).ok().map(MapValue::Data),
    }
}

impl MapDoc {
    /// Types keys and values; the error names the map and the element's position.
    pub(crate) fn into_map(self, table: &TableId) -> Result<Map, Error> {
        let elements = self
            .elements
            .iter()
            .enumerate()
            .map(|(index, (key, value))| {
                let unreadable = |key| Error::BadMap {
                    table: table.clone(),
                    map: self.name.clone(),
                    reason: Reason::UnreadableElement { index, key },
                };
                let key = SetElement::from_doc(key, &self.key)
                    .map_err(|_| unreadable(self.key.clone()))?;
                let value =
                    map_value_from_doc(value, &self.data).ok_or_else(|| Error::BadMapElement {
                        table: table.clone(),
                        map: self.name.clone(),
                        element: Box::new(key.clone()),
                        reason: Reason::DataType("value does not have the map's data type"),
                    })?;
                Ok(MapElement { key, value })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Map {
            name: self.name,
            key: self.key,
            data: self.data,
            flags: self.flags,
            auto_merge: self.auto_merge,
            timeout_ms: self.timeout_ms,
            gc_interval_ms: self.gc_interval_ms,
            size: self.size,
            elements,
            comment: self.comment,
            handle: self.handle,
            extras: self.extras,
        })
    }
}

impl TryFrom<MapDoc> for Map {
    type Error = Error;
    fn try_from(doc: MapDoc) -> Result<Map, Error> {
        doc.into_map(&NO_TABLE)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The duplicate check (ascending fast path, hash sieve, exact confirmation) agrees
        /// with a plain set of the elements, in order, shuffled and with a repeat.
        #[test]
        fn duplicate_check_is_exact(
            ports in proptest::collection::vec(any::<u16>(), 0..300),
            sort in any::<bool>(),
        ) {
            let mut ports = ports;
            if sort {
                ports.sort_unstable();
            }
            let elems: Vec<SetElement> = ports.iter().map(|&p| SetElement::port(p)).collect();
            let mut naive = HashSet::new();
            let first_dup = elems.iter().find(|e| !naive.insert(*e));
            let got = check_elements(&elems, &KeyType::InetService, SetFlags::empty());
            match first_dup {
                None => prop_assert!(got.is_ok()),
                Some(dup) => prop_assert_eq!(got, Err((dup, Reason::DuplicateElement))),
            }
        }
    }

    proptest! {
        /// `first_repeat` names the earliest second occurrence, like a plain set filled in
        /// order, on both sides of its 4096-item switch and with a poor hash.
        #[test]
        fn first_repeat_is_exact(
            values in proptest::collection::vec(0u32..60_000, 0..5000),
            poor_hash in any::<bool>(),
        ) {
            let mut naive = HashSet::new();
            let want = values.iter().copied().find(|v| !naive.insert(*v));
            let hash = |v: u32| if poor_hash { u64::from(v % 3) << 62 } else { mix64(v.into()) };
            prop_assert_eq!(first_repeat(values.iter().copied(), values.len(), hash), want);
        }
    }
}
