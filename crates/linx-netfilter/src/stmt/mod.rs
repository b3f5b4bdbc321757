//! Statements: rules as nft writes them (`tcp dport 22 accept`), over the register-level
//! [`Expr`] model.
//!
//! Why a second model: [`Expr`] is what the kernel runs and returns, exact but unreadable
//! (`meta load l4proto => reg 1; cmp eq reg 1 0x06; payload load 2b @ transport header + 2
//! ...`) and easy to get wrong (a port match without its protocol match matches any
//! protocol). A [`Statement`] names what a person means: a [`Match`] of a protocol field
//! with a typed [`Value`], a verdict, a counter, a NAT. Both directions use this one model:
//! building lowers statements to expressions with the protocol dependencies nft inserts, and
//! [`lift`](crate::lift) turns a pulled rule's expressions back into statements, so that
//! `lift(lower(s)) == s`.
//!
//! # Contract
//! - A statement means exactly what its expressions do; anything the lift cannot express
//!   exactly stays [`Statement::Expr`] (the escape hatch), never an approximate statement.
//! - Matches carry no protocol dependencies: `tcp dport 22` implies `meta l4proto tcp`; the
//!   lowering adds it for the table's family and the lift drops it where nft does.
//! - Values are canonical for their field (see [`Value`]).
//! - Pure values: no I/O, nothing panics, `Send + Sync`. Printing as nft text is in
//!   [`print`](crate::print).
//! - serde: statements serialize to JSON (externally tagged, `snake_case`; a [`Key`] is its
//!   field, or a list of fields for a concatenation); what is absent is left out (a match's
//!   mask, a NAT's family, address, port, flags and map, a set update's timeout, data and
//!   statements, a map lookup's interval mark). The output is deterministic: fields in
//!   declaration order, lists in the statement's order. Statements are written, not read: a
//!   [`Match`], a [`Nat`], a [`MapLookup`] or [`Bits`] comes only from its checked
//!   constructors, never from JSON.
//!
//! ```
//! use linx_netfilter::stmt::{HeaderField, Statement};
//! use linx_netfilter::Family;
//! use linx_ip::ip;
//! let rule = [
//!     Statement::is(HeaderField::TcpDport, 8080u16)?,
//!     Statement::dnat(Some(Family::Ip), ip!("192.0.2.10"), Some(80u16.into()))?,
//! ];
//! assert_eq!(
//!     serde_json::to_string(&rule)?,
//!     r#"[{"match":{"key":{"header":"tcp_dport"},"op":"eq","value":{"int":8080}}},"#.to_owned()
//!         + r#"{"nat":{"kind":"dnat","family":"ip","addr":{"ip":"192.0.2.10"},"port":{"int":80}}}]"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod attrs;
pub(crate) mod bits;
mod blob;
mod build;
mod dup_map;
mod field;
pub(crate) mod icmp;
mod kinds;
mod lower;
mod source;
mod value;

pub(crate) use kinds::exthdr as exthdr_wire;
use kinds::{ctdir, payload_set};
use serde::{Deserialize, Serialize};

use crate::expr::{CtKey, DynsetOp, Log, MetaKey, NatFlags, RateUnit};
use crate::{Expr, ObjectType, Verdict};

pub(crate) use build::interval_sets;
pub(crate) use ctdir::label_of;
pub use ctdir::{CtDirection, ct_dir_info};
pub use dup_map::DupMap;
pub use field::{
    Datatype, ExthdrField, ExthdrProto, Field, HeaderField, Proto, ct_info, meta_info,
    meta_is_unqualified,
};
pub use kinds::{
    Dup, Fib, FibResult, Fwd, Hash, HashKey, Ipsec, IpsecKey, Numgen, Osf, OsfTtl, RtKey,
    SocketKey, Synproxy, Tproxy,
};
pub(crate) use kinds::{RegStmt, SpecialLoad, decode_connlimit, decode_load, decode_reg_stmt};
pub use lower::LowerError;
pub(crate) use lower::{
    flag_test_lowers_to, host_byte, lower_with_intervals, lowers_to, plain_match_lowers_to,
};
pub use payload_set::PayloadSet;
pub(crate) use payload_set::Write as PayloadWrite;
pub use source::{BitOp, Bits, MapLookup, NatMap};
pub use value::{Value, VerdictMap};

/// What a match or a map reads: one field, or a concatenation of fields (`ip saddr . tcp
/// dport`).
///
/// ```
/// use linx_netfilter::stmt::{Field, HeaderField, Key};
/// let k = Key::concat([HeaderField::IpSaddr.into(), HeaderField::TcpDport.into()]);
/// assert_eq!(k.fields().len(), 2);
/// assert_eq!(Key::from(Field::from(HeaderField::TcpDport)).fields().len(), 1);
/// ```
///
/// In JSON a key is its field (`{"header": "tcp_dport"}`, `{"meta": "iifname"}`) or a list
/// of fields for a concatenation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    /// One field.
    Field(Field),
    /// Two or more fields matched together (`a . b`).
    Concat(Vec<Field>),
}

impl Key {
    /// A concatenation of `fields` (a single field gives [`Key::Field`]).
    pub fn concat(fields: impl IntoIterator<Item = Field>) -> Key {
        let mut fields: Vec<Field> = fields.into_iter().collect();
        if fields.len() == 1 {
            if let Some(f) = fields.pop() {
                return Key::Field(f);
            }
        }
        Key::Concat(fields)
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[Field] {
        match self {
            Key::Field(f) => std::slice::from_ref(f),
            Key::Concat(fs) => fs,
        }
    }
}

impl From<Field> for Key {
    fn from(field: Field) -> Key {
        Key::Field(field)
    }
}

impl From<HeaderField> for Key {
    fn from(field: HeaderField) -> Key {
        Key::Field(Field::Header(field))
    }
}

impl From<ExthdrField> for Key {
    fn from(field: ExthdrField) -> Key {
        Key::Field(Field::Exthdr(field))
    }
}

/// How a match compares.
///
/// ```
/// use linx_netfilter::stmt::Op;
/// assert_eq!(Op::Ne.symbol(), "!=");
/// assert_eq!(Op::AnySet.symbol(), "");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal, or in the set / range / prefix (nft prints no operator).
    Eq,
    /// Not equal, or not in the set / range / prefix (`!=`).
    Ne,
    /// `<`.
    Lt,
    /// `>`.
    Gt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
    /// A flag test: any of the value's bits is set (`ct state established,related`,
    /// `tcp flags syn`: `(field & value) != 0`).
    AnySet,
    /// A flag test: none of the value's bits is set (`tcp flags ! fin,syn`:
    /// `(field & value) == 0`).
    NoneSet,
}

impl Op {
    /// nft's operator as printed (`""` for [`Op::Eq`] and [`Op::AnySet`], `"!"` for
    /// [`Op::NoneSet`]).
    pub const fn symbol(self) -> &'static str {
        match self {
            Op::Eq | Op::AnySet => "",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::NoneSet => "!",
        }
    }
}

/// A match: `key [& mask] op value` — the rule goes on only when it holds.
///
/// The fields are private: a match is built with [`Match::new`] / [`Match::masked`], which
/// refuse shapes no expression list can carry (a mask on a concatenation or a set, a flag
/// test on a set, an ordering on a set or range).
///
/// ```
/// use linx_netfilter::stmt::{HeaderField, Match, Op, Value};
/// let m = Match::new(HeaderField::TcpDport, Op::Eq, Value::Int(22)).unwrap();
/// assert_eq!(m.value(), &Value::Int(22));
/// assert!(Match::new(HeaderField::TcpDport, Op::Lt, Value::Set(vec![])).is_none());
/// // tcp flags syn / syn,ack
/// let syn = Match::masked(HeaderField::TcpFlags, Op::Eq, Value::Int(0x02), Value::Int(0x12)).unwrap();
/// assert_eq!(syn.mask(), Some(&Value::Int(0x12)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Match {
    key: Key,
    op: Op,
    #[serde(skip_serializing_if = "Option::is_none")]
    mask: Option<Value>,
    value: Value,
}

impl Match {
    /// `key op value`; `None` for an op the value cannot take (ordering or flag tests on a
    /// set, a range or a prefix).
    #[inline]
    pub fn new(key: impl Into<Key>, op: Op, value: Value) -> Option<Match> {
        let ok = match (&value, op) {
            (_, Op::Eq | Op::Ne) => true,
            (Value::Set(_) | Value::SetRef(_) | Value::Range(_) | Value::Prefix(_), _) => false,
            (Value::Concat(_), _) => false,
            _ => true,
        };
        ok.then(|| Match {
            key: key.into(),
            op,
            mask: None,
            value,
        })
    }

    /// `(key & mask) op value` on one field (`tcp flags syn / syn,ack`, `meta mark & 0xff
    /// == 0x1`); `None` on a concatenation or a set value.
    pub fn masked(key: impl Into<Key>, op: Op, value: Value, mask: Value) -> Option<Match> {
        let m = Match::new(key, op, value)?;
        if matches!(m.key, Key::Concat(_)) || m.value.is_set() {
            return None;
        }
        Some(Match {
            mask: Some(mask),
            ..m
        })
    }

    /// What is read.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// How it compares.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The mask applied before comparing, if any.
    pub fn mask(&self) -> Option<&Value> {
        self.mask.as_ref()
    }

    /// What it is compared with.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// How a `reject` answers.
///
/// ```
/// use linx_netfilter::stmt::Reject;
/// assert_eq!(Reject::Icmp(3), Reject::Icmp(3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reject {
    /// `reject with tcp reset`.
    TcpReset,
    /// `reject with icmp type <code>` (IPv4 ICMP destination-unreachable code).
    Icmp(u8),
    /// `reject with icmpv6 type <code>`.
    Icmpv6(u8),
    /// `reject with icmpx type <code>` (family-independent code).
    Icmpx(u8),
}

/// Which NAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatKind {
    /// `snat to ...`.
    Snat,
    /// `dnat to ...`.
    Dnat,
    /// `masquerade [to :port]`.
    Masquerade,
    /// `redirect [to :port]`.
    Redirect,
}

/// A NAT statement: `dnat ip to 10.0.0.2:8080`, `snat to 192.0.2.1-192.0.2.9`,
/// `masquerade random`, `redirect to :3128`.
///
/// Private fields: masquerade and redirect take no address; an address carries the family
/// it translates.
///
/// ```
/// use linx_netfilter::{Family, stmt::{Nat, NatKind, Value}};
/// use linx_ip::ip;
/// let d = Nat::new(NatKind::Dnat, Some(Family::Ip), Some(Value::Ip(ip!("10.0.0.2"))), Some(Value::Int(80)));
/// assert!(d.is_some());
/// assert!(Nat::new(NatKind::Masquerade, None, Some(Value::Ip(ip!("10.0.0.2"))), None).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Nat {
    kind: NatKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    family: Option<crate::Family>,
    #[serde(skip_serializing_if = "Option::is_none")]
    addr: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<Value>,
    #[serde(skip_serializing_if = "NatFlags::is_empty")]
    flags: NatFlags,
    #[serde(skip_serializing_if = "Option::is_none")]
    map: Option<NatMap>,
}

impl Nat {
    /// A NAT to `addr` (an address, prefix or range of addresses) and `port` (a port or a
    /// range of ports). `family` is the `ip`/`ip6` nft prints after `snat`/`dnat` (needed
    /// in inet tables); `None` when masquerade/redirect get an address, or when the family
    /// is neither `ip` nor `ip6`.
    pub fn new(
        kind: NatKind,
        family: Option<crate::Family>,
        addr: Option<Value>,
        port: Option<Value>,
    ) -> Option<Nat> {
        use crate::Family;
        if matches!(kind, NatKind::Masquerade | NatKind::Redirect) && addr.is_some() {
            return None;
        }
        if family.is_some_and(|f| f != Family::Ip && f != Family::Ip6) {
            return None;
        }
        Some(Nat {
            kind,
            family,
            addr,
            port,
            flags: NatFlags::empty(),
            map: None,
        })
    }

    /// A `snat`/`dnat` whose address (and port) come from a map (`dnat to tcp dport map
    /// @fwd`); `port` is a fixed port after an address map ([`NatMap::Addr`] only, `dnat to
    /// udp dport map { ... }:10053`). `None` for masquerade and redirect, a family other
    /// than `ip`/`ip6`, or a port with another [`NatMap`].
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, MapLookup, Nat, NatKind, NatMap, Value};
    /// let fwd = MapLookup::new(HeaderField::UdpDport, "__map1").unwrap();
    /// let n = Nat::from_map(NatKind::Dnat, None, NatMap::Addr(fwd), Some(Value::Int(10053)));
    /// assert!(n.unwrap().map().is_some());
    /// ```
    pub fn from_map(
        kind: NatKind,
        family: Option<crate::Family>,
        map: NatMap,
        port: Option<Value>,
    ) -> Option<Nat> {
        if !matches!(kind, NatKind::Snat | NatKind::Dnat)
            || (port.is_some() && !matches!(map, NatMap::Addr(_)))
        {
            return None;
        }
        let mut nat = Nat::new(kind, family, None, port)?;
        nat.map = Some(map);
        Some(nat)
    }

    /// The map(s) the address and port come from, if any.
    pub fn map(&self) -> Option<&NatMap> {
        self.map.as_ref()
    }

    /// The same NAT with range flags (`random`, `fully-random`, `persistent`, `netmap`).
    #[must_use = "builder methods return the changed statement"]
    pub fn with_flags(mut self, flags: NatFlags) -> Nat {
        self.flags = flags;
        self
    }

    /// Which NAT.
    pub fn kind(&self) -> NatKind {
        self.kind
    }

    /// The translated family printed after `snat`/`dnat`, if any.
    pub fn family(&self) -> Option<crate::Family> {
        self.family
    }

    /// The address (or range / prefix).
    pub fn addr(&self) -> Option<&Value> {
        self.addr.as_ref()
    }

    /// The port (or range).
    pub fn port(&self) -> Option<&Value> {
        self.port.as_ref()
    }

    /// Range flags as the user wrote them (without `map_ips` / `proto_specified`, which
    /// follow from the address and port).
    pub fn flags(&self) -> NatFlags {
        self.flags
    }
}

/// What a `meta ... set` / `ct ... set` / payload `set` statement stores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A constant (`meta mark set 0x00000001`).
    Value(Value),
    /// Another field (`meta mark set ct mark`).
    Field(Field),
    /// A field changed bit by bit (`meta mark set meta mark | 0x00000010`).
    Bits(Bits),
    /// A map lookup (`meta mark set tcp dport map { 22 : 0x00000001 }`).
    Map(MapLookup),
}

/// `add @set { key [timeout 10s] [stmts] }` / `update @set { ... }` / `delete @set { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetUpdate {
    /// add, update or delete.
    pub op: DynsetOp,
    /// The named set.
    pub set: String,
    /// The element's key, read from the packet.
    pub key: Key,
    /// The element's timeout in milliseconds, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// The element's data, for a map (`add @m { ip saddr : ip daddr }`), read from the
    /// packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Key>,
    /// Stateful statements attached to the element (counter, limit, quota).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stmts: Vec<Statement>,
}

/// `queue [flags bypass,fanout] [to N[-M]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Queue {
    /// The first queue number.
    pub num: u16,
    /// Queues `num..=num + total - 1` share the load (1 = one queue).
    pub total: u16,
    /// `bypass` (0x1): accept when no program listens; `fanout` (0x2): spread by CPU.
    pub flags: u16,
}

/// One statement of a rule.
///
/// ```
/// use linx_netfilter::{Verdict, stmt::{HeaderField, Match, Op, Statement, Value}};
/// let rule = [
///     Statement::Match(Match::new(HeaderField::TcpDport, Op::Eq, Value::Int(22)).unwrap()),
///     Statement::Counter { packets: 0, bytes: 0 },
///     Statement::Verdict(Verdict::Accept),
/// ];
/// assert_eq!(rule.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statement {
    /// A match (`tcp dport 22`, `ip saddr @allowed`, `ct state established,related`).
    Match(Match),
    /// A verdict (`accept`, `jump other`).
    Verdict(Verdict),
    /// `key vmap @map` / `key vmap { k : verdict, ... }`.
    Vmap {
        /// What is looked up.
        key: Key,
        /// The map.
        map: VerdictMap,
    },
    /// `counter packets P bytes B`.
    Counter {
        /// Packets counted.
        packets: u64,
        /// Bytes counted.
        bytes: u64,
    },
    /// `limit rate [over] N/unit [burst B packets|bytes]`.
    Limit {
        /// Packets (or bytes with `bytes`) per unit.
        rate: u64,
        /// Time unit.
        unit: RateUnit,
        /// Burst.
        burst: u32,
        /// Count bytes.
        bytes: bool,
        /// Match when over the rate.
        over: bool,
    },
    /// `quota [over] N bytes [used U bytes]`.
    Quota {
        /// The quota in bytes.
        bytes: u64,
        /// Match when over.
        over: bool,
        /// Bytes used.
        used: u64,
    },
    /// `log [prefix "..."] [level L] [group G] ...` (the expression's fields).
    Log(Box<Log>),
    /// `reject [with ...]`.
    Reject(Reject),
    /// `snat` / `dnat` / `masquerade` / `redirect` (boxed: the largest statement, and a
    /// rare one; a [`Statement`] is as small as a [`Match`] allows).
    Nat(Box<Nat>),
    /// `meta <key> set <source>`.
    MetaSet {
        /// The meta key written.
        key: MetaKey,
        /// What is stored.
        value: Source,
    },
    /// `ct <key> set <source>`.
    CtSet {
        /// The conntrack key written.
        key: CtKey,
        /// What is stored.
        value: Source,
    },
    /// `tcp option maxseg size set <source>`: a write into a header the kernel finds by
    /// type (the kernel writes whole 2- and 4-byte TCP option fields only).
    ExthdrSet {
        /// The field written.
        field: ExthdrField,
        /// What is stored.
        value: Source,
    },
    /// `reset tcp option sack-perm`: the TCP option whose presence `field` tests is
    /// overwritten with NOPs (the kernel strips TCP options only).
    ExthdrReset(ExthdrField),
    /// `ct original zone set <source>`: a conntrack key of one direction written.
    CtDirSet {
        /// The conntrack key written (one [`ct_dir_info`] names).
        key: CtKey,
        /// The direction.
        dir: CtDirection,
        /// What is stored.
        value: Source,
    },
    /// `<header field> set <source>`, `@nh,8,8 set 0x10`: a packet header write.
    PayloadSet(PayloadSet),
    /// `add @set { ... }` / `update @set { ... }`.
    SetUpdate(Box<SetUpdate>),
    /// `notrack`.
    Notrack,
    /// `queue ...`.
    Queue(Queue),
    /// `tproxy [ip|ip6] to [addr][:port]`.
    Tproxy(Tproxy),
    /// `synproxy [mss N] [wscale N] [timestamp] [sack-perm]`.
    Synproxy(Synproxy),
    /// `dup to <addr> [device "name"]`.
    Dup(Dup),
    /// `dup to ip saddr map { ... } [device "name"]`: the gateway a map lookup finds.
    DupMap(DupMap),
    /// `fwd [ip|ip6 to <addr> device] "name"` (netdev).
    Fwd(Fwd),
    /// `ct count [over] N`: the connection count of the packet's key (alone, or in a set
    /// element: `add @conns { ip saddr ct count over 20 }`).
    Connlimit {
        /// The limit.
        count: u32,
        /// Match when over the limit (else up to it).
        over: bool,
    },
    /// `counter name "x"`, `quota name "x"`, `limit name "x"`: a named stateful object.
    Objref {
        /// The object kind.
        kind: ObjectType,
        /// The object name.
        name: String,
    },
    /// `counter name tcp dport map @m`, `ct helper set tcp dport map { ... }`: the object
    /// named by a lookup in an object map (its kind is the map's).
    ObjrefMap(MapLookup),
    /// An expression no statement expresses exactly (the escape hatch): printed in a form
    /// nft never writes, see [`print`](crate::print).
    Expr(Expr),
}
