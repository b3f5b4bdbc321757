//! The crate's error type: caller mistakes in a ruleset, caught before anything is sent.
//!
//! Why typed errors and not strings: a program that builds rulesets from its own config wants
//! to point at the offending table, chain, rule or set element, and tests want to match the
//! exact rule that fired. So every [`Error`] names *where* (a [`TableId`], a chain, a rule
//! index, a set) and, for the `Bad*` variants, *why* as a [`Reason`].
//!
//! # Contract
//! - Validation errors are returned by the `add_*` builders and by
//!   [`Ruleset::validate`](crate::Ruleset::validate) before any message could be encoded; they
//!   never come from the kernel. Kernel refusals are a different type (the push layer's).
//! - `Display` is one line, lower case, naming the object and the reason.
//! - [`Error`] is `#[non_exhaustive]`, [`Reason`] too: new checks add variants.

use std::fmt;

use crate::{ChainType, Family, Hook, KeyType, ObjectType, PriorityName, Reg, SetElement, Verdict};

/// A table's identity: family and name, displayed `inet/filter`.
///
/// ```
/// use linx_netfilter::{Family, TableId};
/// let id = TableId::new(Family::Inet, "filter");
/// assert_eq!(id.to_string(), "inet/filter");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId {
    /// The table's family.
    pub family: Family,
    /// The table's name.
    pub name: String,
}

impl TableId {
    /// A table id from its parts.
    ///
    /// ```
    /// use linx_netfilter::{Family, TableId};
    /// assert_eq!(TableId::new(Family::Ip, "nat").name, "nat");
    /// ```
    pub fn new(family: Family, name: impl Into<String>) -> TableId {
        TableId {
            family,
            name: name.into(),
        }
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.family, self.name)
    }
}

/// Why an object was rejected: the payload of the `Bad*` [`Error`] variants.
///
/// ```
/// use linx_netfilter::Reason;
/// assert_eq!(Reason::CommentTooLong { len: 300 }.to_string(), "comment is 300 bytes, at most 253");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// A name is empty.
    #[error("empty name")]
    EmptyName,
    /// A name is longer than the kernel's `NFT_NAME_MAXLEN` (255 bytes plus the NUL).
    #[error("name is {len} bytes, at most {max}")]
    NameTooLong {
        /// Length given.
        len: usize,
        /// Longest allowed.
        max: usize,
    },
    /// A name or text contains a NUL byte (the kernel stores C strings).
    #[error("contains a NUL byte")]
    NulByte,
    /// A set or map name is one the encoder uses for anonymous sets (`__set*`, `__map*`).
    #[error("names starting with __set or __map are reserved for anonymous sets")]
    ReservedName,
    /// The hook does not exist in this family.
    #[error("hook {hook} does not exist in family {family}")]
    HookNotInFamily {
        /// The hook.
        hook: Hook,
        /// The table's family.
        family: Family,
    },
    /// The chain type does not exist in this family (nat and route: ip/ip6/inet).
    #[error("chain type {chain_type} is not available in family {family}")]
    TypeNotInFamily {
        /// The chain type.
        chain_type: ChainType,
        /// The table's family.
        family: Family,
    },
    /// The chain type cannot attach to this hook (nat: not forward or ingress; route: output only).
    #[error("chain type {chain_type} cannot use hook {hook}")]
    TypeNotOnHook {
        /// The chain type.
        chain_type: ChainType,
        /// The hook.
        hook: Hook,
    },
    /// A named priority that this family does not define (e.g. `out` outside bridge).
    #[error("priority {name} is not defined for family {family}")]
    PriorityNotInFamily {
        /// The name.
        name: PriorityName,
        /// The family it was resolved for.
        family: Family,
    },
    /// A named priority plus its offset does not fit an `i32`.
    #[error("priority overflows a 32-bit integer")]
    PriorityOverflow,
    /// A policy on a regular chain (only base chains have one).
    #[error("policy is only allowed on base chains")]
    PolicyOnRegularChain,
    /// A device on a regular chain.
    #[error("device is only allowed on base chains")]
    DeviceOnRegularChain,
    /// An ingress or egress hook without a device.
    #[error("hook {hook} needs a device")]
    DeviceRequired {
        /// The hook.
        hook: Hook,
    },
    /// A device on a hook other than ingress or egress.
    #[error("hook {hook} takes no device")]
    DeviceNotAllowed {
        /// The hook.
        hook: Hook,
    },
    /// An interface name the kernel would refuse (empty, over 15 bytes, `/`, `:`, space, NUL).
    #[error("bad interface name {name:?}")]
    BadInterfaceName {
        /// The name given.
        name: String,
    },
    /// The `hw_offload` flag on a regular chain.
    #[error("hw_offload is only allowed on base chains")]
    OffloadOnRegularChain,
    /// A rule comment longer than 253 bytes.
    #[error("comment is {len} bytes, at most 253")]
    CommentTooLong {
        /// Length given.
        len: usize,
    },
    /// An empty rule tag.
    #[error("empty tag")]
    EmptyTag,
    /// Tag and comment together do not fit the rule's 256-byte userdata.
    #[error("tag and comment need {len} bytes of userdata, at most 256")]
    UserdataTooLong {
        /// Bytes needed.
        len: usize,
    },
    /// A register number that does not exist (valid: 0..=4, 8..=23).
    #[error("no such register {reg}")]
    BadRegister {
        /// The register.
        reg: Reg,
    },
    /// A load or store of `len` bytes does not fit from register `reg` (or uses the verdict
    /// register for data).
    #[error("{len} bytes do not fit at register {reg}")]
    RegisterOverflow {
        /// The register.
        reg: Reg,
        /// Bytes loaded or stored.
        len: u32,
    },
    /// Data of the wrong length (empty, longer than 64 bytes, or not matching a stated length).
    #[error("data is {got} bytes, expected {expected}")]
    DataLength {
        /// Length expected (or the maximum).
        expected: u32,
        /// Length given.
        got: usize,
    },
    /// An expression that does not exist in this table family.
    #[error("expression {expr} is not available in family {family}")]
    ExprNotInFamily {
        /// Expression name (`nat`, `masq`, ...).
        expr: &'static str,
        /// The table's family.
        family: Family,
    },
    /// An expression the kernel only accepts in base chains of another type (nat, masq, redir
    /// need a nat chain).
    #[error("expression {expr} needs a {needs} chain")]
    ExprNeedsChainType {
        /// Expression name.
        expr: &'static str,
        /// The chain type it needs.
        needs: ChainType,
    },
    /// An expression the kernel refuses on this hook (snat: postrouting/input, dnat:
    /// prerouting/output, masq: postrouting, redir: prerouting/output).
    #[error("expression {expr} cannot be used on hook {hook}")]
    ExprNotOnHook {
        /// Expression name.
        expr: &'static str,
        /// The hook.
        hook: Hook,
    },
    /// A NAT family that is not ip/ip6, or that does not match the table family.
    #[error("nat family {family} does not fit table family {table_family}")]
    NatFamily {
        /// The family of the NAT expression.
        family: Family,
        /// The table's family.
        table_family: Family,
    },
    /// A rule loads a network or transport header with no match of that header's protocol
    /// before it (`meta nfproto` / `meta protocol` / `ether type`, or `meta l4proto` / `ip
    /// protocol` / `ip6 nexthdr`), so it would read whatever another protocol has at that
    /// offset. Build it from statements (which add what nft adds), add the match, or build it
    /// with [`Rule::raw`](crate::Rule::raw).
    #[error(
        "loads {len} bytes at {base} header + {offset} with no protocol match before it \
         (build the rule from statements, add the protocol match, or use Rule::raw)"
    )]
    NoProtocolMatch {
        /// The header loaded from.
        base: crate::expr::PayloadBase,
        /// Byte offset of the load.
        offset: u32,
        /// Bytes loaded.
        len: u32,
    },
    /// A reject code out of range for its type (icmpx: 0..=3).
    #[error("reject code {code} is out of range")]
    RejectCode {
        /// The code.
        code: u8,
    },
    /// A log prefix of 128 bytes or more.
    #[error("log prefix is {len} bytes, at most 127")]
    LogPrefixTooLong {
        /// Length given.
        len: usize,
    },
    /// Log options the kernel refuses together (level with group; snaplen or qthreshold
    /// without group).
    #[error("log: {0}")]
    LogOptions(&'static str),
    /// An expression inside a dynset that is not stateful (counter, limit, quota).
    #[error("expression {expr} cannot be attached to set elements")]
    NotStateful {
        /// Expression name.
        expr: &'static str,
    },
    /// A lookup or dynset that does not fit the referenced set (e.g. a data register on a
    /// plain set, a verdict register on a data map, a write to a constant set).
    #[error("{0}")]
    SetUse(&'static str),
    /// An anonymous set or vmap literal without elements.
    #[error("empty literal")]
    EmptyLiteral,
    /// A key type the kernel cannot hold: concat of fewer than 2 or more than 5 fields,
    /// nested concat, key longer than 64 bytes.
    #[error("bad key type {key}: {why}")]
    BadKeyType {
        /// The key type.
        key: KeyType,
        /// What is wrong.
        why: &'static str,
    },
    /// Set flags the encoder owns (`anonymous`, `map`) or that contradict each other.
    #[error("flags: {0}")]
    Flags(&'static str),
    /// A timeout or gc interval on a set without the `timeout` flag.
    #[error("timeout and gc_interval need the timeout flag")]
    TimeoutWithoutFlag,
    /// An element value of the wrong type for the key.
    #[error("element does not match key type {key}")]
    ElementType {
        /// The set's key type.
        key: KeyType,
    },
    /// An element in a ruleset file that cannot be read as the key type (its 0-based
    /// position in the list).
    #[error("element #{index} is not a {key}")]
    UnreadableElement {
        /// Position in the element list.
        index: usize,
        /// The key type it should have.
        key: KeyType,
    },
    /// The same device twice in a flowtable or a base chain.
    #[error("device {device:?} listed twice")]
    DuplicateDevice {
        /// The device.
        device: String,
    },
    /// A range or prefix in a set without the `interval` flag.
    #[error("ranges and prefixes need the interval flag")]
    IntervalOnly,
    /// A range whose low end is above its high end.
    #[error("range low end is above its high end")]
    EmptyRange,
    /// A prefix with host bits set (`10.0.0.1/8`): write the network address.
    #[error("prefix has host bits set")]
    HostBits,
    /// The same element twice.
    #[error("duplicate element")]
    DuplicateElement,
    /// A verdict map value that is not a verdict, or a data map value that is.
    #[error("{0}")]
    DataType(&'static str),
    /// A flowtable without devices.
    #[error("a flowtable needs at least one device")]
    NoDevices,
    /// A flowtable hook other than ingress.
    #[error("flowtable hook must be ingress, not {hook}")]
    FlowtableHook {
        /// The hook given.
        hook: Hook,
    },
    /// A flowtable in a family other than ip/ip6/inet.
    #[error("flowtables are not available in family {family}")]
    FlowtableFamily {
        /// The table's family.
        family: Family,
    },
    /// A jump or goto to a base chain (the kernel only allows regular chains as targets).
    #[error("cannot jump to base chain {chain}")]
    JumpToBaseChain {
        /// The target.
        chain: String,
    },
    /// Jumps that form a loop.
    #[error("jump loop through chain {chain}")]
    JumpLoop {
        /// A chain on the loop.
        chain: String,
    },
    /// Jumps nested deeper than the kernel's 16 levels.
    #[error("jumps nest deeper than 16 chains at {chain}")]
    JumpTooDeep {
        /// The chain where the limit is crossed.
        chain: String,
    },
}

/// Everything that can be wrong with a ruleset, found before anything is sent.
///
/// ```
/// use linx_netfilter::{Error, Family, Ruleset, TableFlags};
/// let mut rs = Ruleset::new();
/// rs.add_table(Family::Inet, "filter", TableFlags::default())?;
/// let err = rs.add_table(Family::Inet, "filter", TableFlags::default()).unwrap_err();
/// assert!(matches!(err, Error::DuplicateTable { .. }));
/// assert_eq!(err.to_string(), "duplicate table inet/filter");
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A table the kernel would refuse.
    #[error("bad table {table}: {reason}")]
    BadTable {
        /// The table.
        table: TableId,
        /// Why.
        reason: Reason,
    },
    /// A chain the kernel would refuse.
    #[error("bad chain {table}/{chain}: {reason}")]
    BadChain {
        /// The table.
        table: TableId,
        /// The chain.
        chain: String,
        /// Why.
        reason: Reason,
    },
    /// A rule the kernel would refuse; `index` is its 0-based position in the chain.
    #[error("bad rule {table}/{chain}[{index}]: {reason}")]
    BadRule {
        /// The table.
        table: TableId,
        /// The chain.
        chain: String,
        /// Position of the rule in the chain.
        index: usize,
        /// Why.
        reason: Reason,
    },
    /// A set the kernel would refuse.
    #[error("bad set {table}/{set}: {reason}")]
    BadSet {
        /// The table.
        table: TableId,
        /// The set.
        set: String,
        /// Why.
        reason: Reason,
    },
    /// A set element that does not fit its set.
    #[error("bad element {element} in set {table}/{set}: {reason}")]
    BadSetElement {
        /// The table.
        table: TableId,
        /// The set (`__set` for an anonymous set literal).
        set: String,
        /// The element.
        element: Box<SetElement>,
        /// Why.
        reason: Reason,
    },
    /// A map the kernel would refuse.
    #[error("bad map {table}/{map}: {reason}")]
    BadMap {
        /// The table.
        table: TableId,
        /// The map.
        map: String,
        /// Why.
        reason: Reason,
    },
    /// A map element whose key or value does not fit its map.
    #[error("bad element {element} in map {table}/{map}: {reason}")]
    BadMapElement {
        /// The table.
        table: TableId,
        /// The map (`__map` for an anonymous vmap literal).
        map: String,
        /// The element's key.
        element: Box<SetElement>,
        /// Why.
        reason: Reason,
    },
    /// A stateful object the kernel would refuse.
    #[error("bad object {table}/{object}: {reason}")]
    BadObject {
        /// The table.
        table: TableId,
        /// The object.
        object: String,
        /// Why.
        reason: Reason,
    },
    /// A flowtable the kernel would refuse.
    #[error("bad flowtable {table}/{flowtable}: {reason}")]
    BadFlowtable {
        /// The table.
        table: TableId,
        /// The flowtable.
        flowtable: String,
        /// Why.
        reason: Reason,
    },
    /// A verdict that cannot be used where it is (bad target name, jump to a base chain,
    /// loops).
    #[error("bad verdict {verdict} in {table}/{chain}: {reason}")]
    BadVerdict {
        /// The table.
        table: TableId,
        /// The chain holding the verdict.
        chain: String,
        /// The verdict.
        verdict: Box<Verdict>,
        /// Why.
        reason: Reason,
    },
    /// A table with the same family and name exists.
    #[error("duplicate table {table}")]
    DuplicateTable {
        /// The table.
        table: TableId,
    },
    /// A chain with the same name exists in the table.
    #[error("duplicate chain {table}/{chain}")]
    DuplicateChain {
        /// The table.
        table: TableId,
        /// The chain.
        chain: String,
    },
    /// A set or map with the same name exists (they share one namespace).
    #[error("duplicate set {table}/{set}")]
    DuplicateSet {
        /// The table.
        table: TableId,
        /// The set.
        set: String,
    },
    /// A map or set with the same name exists (they share one namespace).
    #[error("duplicate map {table}/{map}")]
    DuplicateMap {
        /// The table.
        table: TableId,
        /// The map.
        map: String,
    },
    /// An object of the same kind and name exists.
    #[error("duplicate {kind} object {table}/{name}")]
    DuplicateObject {
        /// The table.
        table: TableId,
        /// The object kind.
        kind: ObjectType,
        /// The object name.
        name: String,
    },
    /// A flowtable with the same name exists.
    #[error("duplicate flowtable {table}/{flowtable}")]
    DuplicateFlowtable {
        /// The table.
        table: TableId,
        /// The flowtable.
        flowtable: String,
    },
    /// Two rules of one chain carry the same tag.
    #[error("duplicate tag {tag:?} in chain {table}/{chain}")]
    DuplicateTag {
        /// The table.
        table: TableId,
        /// The chain.
        chain: String,
        /// The tag.
        tag: String,
    },
    /// No table by this reference.
    #[error("no such table {table}")]
    NoSuchTable {
        /// The reference as given (`filter` or `inet/filter`).
        table: String,
    },
    /// No chain by this name in the table (also a jump or goto target).
    #[error("no such chain {table}/{chain}")]
    NoSuchChain {
        /// The table.
        table: TableId,
        /// The chain.
        chain: String,
    },
    /// No set or map by this name in the table (a lookup, dynset or vmap reference).
    #[error("no such set {table}/{set}")]
    NoSuchSet {
        /// The table.
        table: TableId,
        /// The set.
        set: String,
    },
    /// No object of this kind and name in the table (an objref).
    #[error("no such {kind} object {table}/{name}")]
    NoSuchObject {
        /// The table.
        table: TableId,
        /// The object kind.
        kind: ObjectType,
        /// The object name.
        name: String,
    },
    /// A bare table name that exists in more than one family: qualify it.
    #[error("table name {table:?} is ambiguous: it exists in families {families:?}")]
    AmbiguousTableName {
        /// The name.
        table: String,
        /// The families that have it.
        families: Vec<Family>,
    },
    /// A chain with some but not all of type, hook and priority.
    #[error("chain {table}/{chain} sets some of type, hook and priority but not {missing}")]
    IncompleteBaseChain {
        /// The table.
        table: TableId,
        /// The chain.
        chain: String,
        /// The first missing piece (`type`, `hook` or `priority`).
        missing: &'static str,
    },
    /// Reconcile needs every rule of a multi-rule chain tagged.
    #[error(
        "chain {family}/{table}/{chain} has several rules and an untagged one: reconcile needs tags"
    )]
    TagRequired {
        /// The family.
        family: Family,
        /// The table name.
        table: String,
        /// The chain.
        chain: String,
    },
    /// Something reconcile cannot manage (objects, flowtables, anonymous literals).
    #[error("table {table} holds {what}, which reconcile cannot manage")]
    NotReconcilable {
        /// The table.
        table: TableId,
        /// What it holds.
        what: &'static str,
    },
    /// A name that is not one of a closed set (a family, hook, flag, priority ...).
    #[error("unknown {what} {name:?}")]
    UnknownName {
        /// What was being parsed.
        what: &'static str,
        /// The text given.
        name: String,
    },
    /// A value the wire format cannot carry (an attribute past the 16-bit length limit, an
    /// element the encoder cannot write); found while encoding, before anything is sent.
    #[error("cannot encode {what}: {reason}")]
    Encode {
        /// What was being encoded (`"set elements"`, `"rule expressions"`, ...).
        what: String,
        /// Why.
        reason: String,
    },
    /// A ruleset file that is not valid JSON or does not have the documented shape (checks on
    /// element values inside set literals also land here, with their reason in the message).
    #[error("ruleset JSON, line {line} column {column}: {message}")]
    Json {
        /// The parser's message.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
}

impl From<Error> for std::io::Error {
    /// Every model error is the caller's input: `InvalidInput`.
    fn from(e: Error) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        }
    }
}

impl From<linx_netlink_codec::EncodeError> for Error {
    fn from(e: linx_netlink_codec::EncodeError) -> Error {
        Error::Encode {
            what: "attribute".into(),
            reason: e.to_string(),
        }
    }
}
