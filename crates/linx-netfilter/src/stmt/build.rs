//! Statement builders: typed constructors for matches and actions, values from Rust types,
//! and [`Rule::from_statements`], which lowers them for a table family.
//!
//! Why checked constructors: a statement is only useful if it can be lowered, so the
//! builders refuse at once what nft would refuse for the value alone (an IPv6 address for
//! `ip daddr`, 70000 for a port, a 20-byte interface name, a flag test on a set). What
//! depends on the table family (`ip6 saddr` in an ip table, NAT in a bridge table) is
//! refused by [`Rule::from_statements`].
//!
//! # Contract
//! - Every builder returns `Result<Statement, LowerError>` when a value can be wrong, and a
//!   [`Statement`] when it cannot; nothing panics.
//! - Values: integers (`u8`..`u64`), [`Ip`], `Ipv4Addr`/`Ipv6Addr`, [`Subnet`] (a prefix),
//!   [`Mac`], `&str`/`String` (an interface name; `"eth*"` is a wildcard) and `(lo, hi)` (an
//!   inclusive range) convert into [`Value`].
//! - Builders write values in the forms the lift produces, so `lift(lower(s)) == s` holds
//!   for what they build.

use std::net::{Ipv4Addr, Ipv6Addr};

use linx_ip::{Ip, Mac, Subnet};

use super::lower::{LowerError, check, lower, lower_refusing, lower_with_intervals};
use super::{
    ExthdrField, Field, Key, Match, Nat, NatKind, Op, PayloadSet, Queue, Reject, SetUpdate, Source,
    Statement, Value, VerdictMap,
};
use crate::expr::{CtKey, DynsetOp, Log, MetaKey, NatFlags, RateUnit};
use crate::{Family, ObjectType, Rule, Table, Verdict};

impl Rule {
    /// A rule of `stmts` lowered for a `family` table: the expressions nft sends for the same
    /// rule text, protocol dependencies included (see [`lower`](crate::stmt)).
    ///
    /// ```
    /// use linx_netfilter::{Family, Rule, stmt::{HeaderField, Statement}};
    /// let rule = Rule::from_statements(Family::Inet, [
    ///     Statement::is(HeaderField::TcpDport, 22u16)?,
    ///     Statement::accept(),
    /// ])?;
    /// assert_eq!(rule.exprs.len(), 5); // meta l4proto tcp, tcp dport 22, accept
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_statements(
        family: Family,
        stmts: impl IntoIterator<Item = Statement>,
    ) -> Result<Rule, LowerError> {
        // Without the table, a named interval set of host-order keys would be looked up
        // with the key in the wrong byte order (matching the wrong packets): refused.
        let (exprs, certain) = lower_refusing(family, stmts, |stmt| {
            host_order_named_lookup(stmt).map(|set| LowerError::NeedsTable { set })
        })?;
        // Lowering writes every dependency nft writes; a load left without one is what the
        // statements ask for (`th dport`, a raw `@th` payload), so the rule is raw. Most
        // statements are known to leave none (then the check is not needed to tell).
        let raw = !certain && crate::validate::lacks_dependencies(family, &exprs);
        // The lowering's vector as it is (Rule::new would copy it into a new one).
        Ok(Rule {
            exprs,
            tag: None,
            comment: None,
            handle: None,
            raw,
        })
    }
}

impl Rule {
    /// [`Rule::from_statements`] for a rule of `table`: besides the family, the table's
    /// named sets matter: a lookup in an interval set or map converts host-order key fields
    /// (marks, lengths, uids) to big endian first, as nft does (the kernel compares
    /// interval keys as big-endian numbers).
    ///
    /// ```
    /// use linx_netfilter::{expr::MetaKey, Family, KeyType, Rule, Set, Table};
    /// use linx_netfilter::stmt::{Field, Statement};
    /// let mut t = Table::new(Family::Inet, "t");
    /// t.add_set(Set::new("marks", KeyType::Mark).interval())?;
    /// let s = || Statement::in_named(Field::Meta(MetaKey::Mark), "marks");
    /// let in_table = Rule::from_statements_in(&t, [s()?])?;
    /// // meta load mark, byteorder, lookup
    /// assert_eq!(in_table.exprs.len(), 3);
    /// // Without the table the byte order is unknown: refused, never guessed.
    /// assert!(matches!(
    ///     Rule::from_statements(Family::Inet, [s()?]),
    ///     Err(linx_netfilter::stmt::LowerError::NeedsTable { .. })
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_statements_in(
        table: &Table,
        stmts: impl IntoIterator<Item = Statement>,
    ) -> Result<Rule, LowerError> {
        let family = table.family();
        let stmts: Vec<Statement> = stmts.into_iter().collect();
        let exprs = lower_with_intervals(family, &stmts, &interval_sets(table))?;
        let raw = crate::validate::lacks_dependencies(family, &exprs);
        let mut rule = Rule::new(exprs);
        rule.raw = raw;
        Ok(rule)
    }
}

/// The named set or verdict map that `stmt` looks up with a key holding a host-order field
/// of more than one byte (whose lowering depends on the set's `interval` flag).
fn host_order_named_lookup(stmt: &Statement) -> Option<String> {
    let host = |key: &Key| {
        key.fields()
            .iter()
            .any(|f| f.byte_order() == crate::expr::ByteOrder::Host && f.bit_len() > 8)
    };
    match stmt {
        Statement::Match(m) => match m.value() {
            Value::SetRef(name) if host(m.key()) => Some(name.clone()),
            _ => None,
        },
        Statement::Vmap {
            key,
            map: VerdictMap::Named(name),
        } if host(key) => Some(name.clone()),
        _ => None,
    }
}

/// The names of `table`'s sets and maps with the `interval` flag.
pub(crate) fn interval_sets(table: &Table) -> Vec<&str> {
    let sets = table
        .sets()
        .iter()
        .filter(|s| s.flags.contains(crate::SetFlags::INTERVAL))
        .map(|s| s.name.as_str());
    let maps = table
        .maps()
        .iter()
        .filter(|m| m.flags.contains(crate::SetFlags::INTERVAL))
        .map(|m| m.name.as_str());
    sets.chain(maps).collect()
}

impl Statement {
    /// The expressions of `stmts` in a `family` table (what [`Rule::from_statements`]
    /// holds).
    ///
    /// ```
    /// use linx_netfilter::{Expr, Family, stmt::{HeaderField, Statement}};
    /// use linx_ip::ip;
    /// let exprs = Statement::lower_all(Family::Ip, &[Statement::is(HeaderField::IpSaddr, ip!("10.0.0.1"))?])?;
    /// assert_eq!(exprs, Expr::ip_saddr_eq(ip!("10.0.0.1")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lower_all(family: Family, stmts: &[Statement]) -> Result<Vec<crate::Expr>, LowerError> {
        lower(family, stmts)
    }

    /// A match `key op value`, checked: the value must fit the key's fields.
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Op, Statement};
    /// use linx_ip::ip;
    /// assert!(Statement::matching(HeaderField::TcpDport, Op::Lt, 1024u16).is_ok());
    /// assert!(Statement::matching(HeaderField::IpDaddr, Op::Eq, ip!("::1")).is_err());
    /// assert!(Statement::matching(HeaderField::TcpDport, Op::Eq, 70_000u32).is_err());
    /// ```
    pub fn matching(
        key: impl Into<Key>,
        op: Op,
        value: impl Into<Value>,
    ) -> Result<Statement, LowerError> {
        let m = Match::new(key, op, value.into()).ok_or(LowerError::Unsupported(
            "this comparison on this value (ordering or flag test on a set, range or prefix)",
        ))?;
        checked(Statement::Match(m))
    }

    /// `key value`: equal, or inside a prefix / range / set.
    ///
    /// ```
    /// use linx_netfilter::{expr::MetaKey, stmt::{Field, Statement}};
    /// assert!(Statement::is(Field::Meta(MetaKey::Iifname), "eth0").is_ok());
    /// assert!(Statement::is(Field::Meta(MetaKey::Iifname), "a-name-far-too-long").is_err());
    /// ```
    pub fn is(key: impl Into<Key>, value: impl Into<Value>) -> Result<Statement, LowerError> {
        Statement::matching(key, Op::Eq, value)
    }

    /// `key != value`.
    pub fn is_not(key: impl Into<Key>, value: impl Into<Value>) -> Result<Statement, LowerError> {
        Statement::matching(key, Op::Ne, value)
    }

    /// `key lo-hi` (inclusive).
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Statement};
    /// assert!(Statement::between(HeaderField::TcpSport, 1u16, 1024u16).is_ok());
    /// ```
    pub fn between(
        key: impl Into<Key>,
        lo: impl Into<Value>,
        hi: impl Into<Value>,
    ) -> Result<Statement, LowerError> {
        Statement::matching(key, Op::Eq, Value::range(lo.into(), hi.into()))
    }

    /// `key { v, ... }`: an anonymous set (values, ranges, prefixes; [`Value::Concat`] for a
    /// concatenated key).
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Statement, Value};
    /// let web = Statement::in_set(HeaderField::TcpDport, [Value::from(80u16), Value::from(443u16)])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_set(
        key: impl Into<Key>,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<Statement, LowerError> {
        let values: Vec<Value> = values.into_iter().collect();
        if values.is_empty() {
            return Err(LowerError::Unsupported("an empty anonymous set"));
        }
        Statement::matching(key, Op::Eq, Value::Set(values))
    }

    /// `key != { v, ... }`.
    pub fn not_in_set(
        key: impl Into<Key>,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<Statement, LowerError> {
        let values: Vec<Value> = values.into_iter().collect();
        if values.is_empty() {
            return Err(LowerError::Unsupported("an empty anonymous set"));
        }
        Statement::matching(key, Op::Ne, Value::Set(values))
    }

    /// `key @set`: membership in a named set.
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Statement};
    /// assert!(Statement::in_named(HeaderField::IpSaddr, "blocklist").is_ok());
    /// ```
    pub fn in_named(key: impl Into<Key>, set: impl Into<String>) -> Result<Statement, LowerError> {
        Statement::matching(key, Op::Eq, Value::SetRef(set.into()))
    }

    /// `key != @set`.
    pub fn not_in_named(
        key: impl Into<Key>,
        set: impl Into<String>,
    ) -> Result<Statement, LowerError> {
        Statement::matching(key, Op::Ne, Value::SetRef(set.into()))
    }

    /// A flag test, any of `bits` set (`tcp flags syn`, `ct state established,related`).
    ///
    /// ```
    /// use linx_netfilter::{CtState, expr::CtKey, stmt::{Field, Statement}};
    /// let est = (CtState::ESTABLISHED | CtState::RELATED).bits();
    /// assert!(Statement::any_of(Field::Ct(CtKey::State), est).is_ok());
    /// ```
    pub fn any_of(key: impl Into<Key>, bits: impl Into<Value>) -> Result<Statement, LowerError> {
        Statement::matching(key, Op::AnySet, bits)
    }

    /// A flag test, none of `bits` set (`tcp flags ! fin,syn`).
    pub fn none_of(key: impl Into<Key>, bits: impl Into<Value>) -> Result<Statement, LowerError> {
        Statement::matching(key, Op::NoneSet, bits)
    }

    /// `key & mask op value` (`tcp flags & (syn|ack) == syn`, `meta mark & 0xff == 1`).
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Op, Statement};
    /// assert!(Statement::masked(HeaderField::TcpFlags, 0x12u8, Op::Eq, 0x02u8).is_ok());
    /// ```
    pub fn masked(
        key: impl Into<Key>,
        mask: impl Into<Value>,
        op: Op,
        value: impl Into<Value>,
    ) -> Result<Statement, LowerError> {
        let m = Match::masked(key, op, value.into(), mask.into()).ok_or(
            LowerError::Unsupported("a mask on a concatenation, a set or with this comparison"),
        )?;
        checked(Statement::Match(m))
    }

    /// `key vmap { k : verdict, ... }`.
    ///
    /// ```
    /// use linx_netfilter::{Verdict, stmt::{HeaderField, Statement, Value}};
    /// let v = Statement::vmap(HeaderField::TcpDport, [(Value::from(22u16), Verdict::Accept)])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn vmap(
        key: impl Into<Key>,
        entries: impl IntoIterator<Item = (Value, Verdict)>,
    ) -> Result<Statement, LowerError> {
        let entries: Vec<(Value, Verdict)> = entries.into_iter().collect();
        if entries.is_empty() {
            return Err(LowerError::Unsupported("an empty verdict map"));
        }
        checked(Statement::Vmap {
            key: key.into(),
            map: VerdictMap::Anonymous(entries),
        })
    }

    /// `key vmap @map`.
    pub fn vmap_named(key: impl Into<Key>, map: impl Into<String>) -> Statement {
        Statement::Vmap {
            key: key.into(),
            map: VerdictMap::Named(map.into()),
        }
    }

    /// `accept`.
    pub fn accept() -> Statement {
        Statement::Verdict(Verdict::Accept)
    }

    /// `drop`.
    pub fn drop() -> Statement {
        Statement::Verdict(Verdict::Drop)
    }

    /// `jump chain`.
    pub fn jump(chain: impl Into<String>) -> Statement {
        Statement::Verdict(Verdict::Jump(chain.into()))
    }

    /// `goto chain`.
    pub fn goto(chain: impl Into<String>) -> Statement {
        Statement::Verdict(Verdict::Goto(chain.into()))
    }

    /// `counter` (from zero).
    pub fn counter() -> Statement {
        Statement::Counter {
            packets: 0,
            bytes: 0,
        }
    }

    /// `limit rate N/unit` (packets, nft's default burst 5).
    pub fn limit(rate: u64, unit: RateUnit) -> Statement {
        Statement::Limit {
            rate,
            unit,
            burst: 5,
            bytes: false,
            over: false,
        }
    }

    /// `quota N bytes`.
    pub fn quota(bytes: u64) -> Statement {
        Statement::Quota {
            bytes,
            over: false,
            used: 0,
        }
    }

    /// `log [prefix "p"]` to syslog, as nft sends it (a prefix comes with level `warn`);
    /// prefixes longer than 127 bytes are refused.
    pub fn log(prefix: Option<&str>) -> Result<Statement, LowerError> {
        if let Some(p) = prefix {
            if p.len() > 127 || p.contains('\0') {
                return Err(LowerError::Value {
                    field: "log prefix".into(),
                    why: "at most 127 bytes, no NUL",
                });
            }
        }
        // With a prefix nft also sends the syslog level `warn` (4), its default.
        Ok(Statement::Log(Box::new(Log {
            prefix: prefix.map(str::to_owned),
            level: prefix.map(|_| 4),
            ..Log::default()
        })))
    }

    /// `reject` with nft's default for a `family` table: ICMP port unreachable (ip), ICMPv6
    /// port unreachable (ip6), icmpx port unreachable (inet, bridge, netdev).
    ///
    /// ```
    /// use linx_netfilter::{Family, stmt::{Reject, Statement}};
    /// assert_eq!(Statement::reject(Family::Ip), Statement::Reject(Reject::Icmp(3)));
    /// assert_eq!(Statement::reject(Family::Inet), Statement::Reject(Reject::Icmpx(1)));
    /// ```
    pub fn reject(family: Family) -> Statement {
        Statement::Reject(match family {
            Family::Ip => Reject::Icmp(3),
            Family::Ip6 => Reject::Icmpv6(4),
            _ => Reject::Icmpx(1),
        })
    }

    /// `dnat [ip|ip6] to addr[:port]`: `addr` an address, prefix or `(lo, hi)` range,
    /// `port` a port or `(lo, hi)`; `family` is needed in inet tables.
    ///
    /// ```
    /// use linx_netfilter::{Family, stmt::Statement};
    /// use linx_ip::ip;
    /// assert!(Statement::dnat(Some(Family::Ip), ip!("10.0.0.2"), Some(8080u16.into())).is_ok());
    /// assert!(Statement::dnat(Some(Family::Ip6), ip!("10.0.0.2"), None).is_err());
    /// ```
    pub fn dnat(
        family: Option<Family>,
        addr: impl Into<Value>,
        port: Option<Value>,
    ) -> Result<Statement, LowerError> {
        nat(
            NatKind::Dnat,
            family,
            Some(addr.into()),
            port,
            NatFlags::empty(),
        )
    }

    /// `snat [ip|ip6] to addr[:port]` (see [`Statement::dnat`]).
    pub fn snat(
        family: Option<Family>,
        addr: impl Into<Value>,
        port: Option<Value>,
    ) -> Result<Statement, LowerError> {
        nat(
            NatKind::Snat,
            family,
            Some(addr.into()),
            port,
            NatFlags::empty(),
        )
    }

    /// A NAT with flags (`random`, `fully_random`, `persistent`, ...).
    pub fn nat_with(
        kind: NatKind,
        family: Option<Family>,
        addr: Option<Value>,
        port: Option<Value>,
        flags: NatFlags,
    ) -> Result<Statement, LowerError> {
        nat(kind, family, addr, port, flags)
    }

    /// `masquerade [to :port]`.
    pub fn masquerade(port: Option<Value>) -> Result<Statement, LowerError> {
        nat(NatKind::Masquerade, None, None, port, NatFlags::empty())
    }

    /// `redirect [to :port]`.
    pub fn redirect(port: Option<Value>) -> Result<Statement, LowerError> {
        nat(NatKind::Redirect, None, None, port, NatFlags::empty())
    }

    /// `meta <key> set <value>`.
    ///
    /// ```
    /// use linx_netfilter::{expr::MetaKey, stmt::Statement};
    /// assert!(Statement::meta_set(MetaKey::Mark, 0x10u32).is_ok());
    /// ```
    pub fn meta_set(key: MetaKey, value: impl Into<Value>) -> Result<Statement, LowerError> {
        checked(Statement::MetaSet {
            key,
            value: Source::Value(value.into()),
        })
    }

    /// `ct <key> set <value>`.
    pub fn ct_set(key: CtKey, value: impl Into<Value>) -> Result<Statement, LowerError> {
        checked(Statement::CtSet {
            key,
            value: Source::Value(value.into()),
        })
    }

    /// `<extension header field> set <value>` (`tcp option maxseg size set 1360`).
    ///
    /// ```
    /// use linx_netfilter::stmt::{ExthdrField, ExthdrProto, Statement};
    /// let mss = ExthdrField::named(ExthdrProto::TcpOption, "maxseg", "size").unwrap();
    /// assert!(Statement::exthdr_set(mss, 1360u16).is_ok());
    /// assert!(Statement::exthdr_set(mss, 70_000u32).is_err());
    /// ```
    pub fn exthdr_set(
        field: ExthdrField,
        value: impl Into<Value>,
    ) -> Result<Statement, LowerError> {
        checked(Statement::ExthdrSet {
            field,
            value: Source::Value(value.into()),
        })
    }

    /// `field set value`: a header write as nft writes it, with the checksum update of the
    /// field's header (`ip ttl set 64`, `tcp dport set 80`, `ip dscp set ef`), or a raw
    /// range (`@nh,8,8 set 0x10`, never with a checksum update).
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Statement};
    /// use linx_ip::ip;
    /// assert!(Statement::payload_set(HeaderField::IpTtl, 64u8).is_ok());
    /// assert!(Statement::payload_set(HeaderField::IpDaddr, ip!("::1")).is_err());
    /// assert!(Statement::payload_set(HeaderField::IpDscp, 64u8).is_err()); // 6 bits
    /// ```
    pub fn payload_set(
        field: impl Into<Field>,
        value: impl Into<Value>,
    ) -> Result<Statement, LowerError> {
        payload_write(field.into(), Source::Value(value.into()), true)
    }

    /// `field set other` (`ip daddr set ip saddr`, `tcp dport set tcp sport`): a header
    /// write of another field of the same width.
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Statement};
    /// assert!(Statement::payload_copy(HeaderField::IpDaddr, HeaderField::IpSaddr).is_ok());
    /// assert!(Statement::payload_copy(HeaderField::IpDaddr, HeaderField::TcpDport).is_err());
    /// ```
    pub fn payload_copy(
        field: impl Into<Field>,
        from: impl Into<Field>,
    ) -> Result<Statement, LowerError> {
        payload_write(field.into(), Source::Field(from.into()), true)
    }

    /// The bits of `field` written without a checksum update, as nft writes a raw range
    /// (`meta l4proto tcp @th,16,16 set 443`, which nft lists as `tcp dport set 443`).
    ///
    /// ```
    /// use linx_netfilter::stmt::{HeaderField, Statement};
    /// let s = Statement::payload_set_unchecked(HeaderField::IpTtl, 128u8)?;
    /// assert!(matches!(s, Statement::PayloadSet(ref p) if !p.checksum()));
    /// # Ok::<(), linx_netfilter::stmt::LowerError>(())
    /// ```
    pub fn payload_set_unchecked(
        field: impl Into<Field>,
        value: impl Into<Value>,
    ) -> Result<Statement, LowerError> {
        payload_write(field.into(), Source::Value(value.into()), false)
    }

    /// `add @set { key }` / `update @set { key timeout T }`: the packet's key into a
    /// dynamic set.
    pub fn set_op(
        op: DynsetOp,
        set: impl Into<String>,
        key: impl Into<Key>,
        timeout_ms: Option<u64>,
    ) -> Statement {
        Statement::SetUpdate(Box::new(SetUpdate {
            op,
            set: set.into(),
            key: key.into(),
            timeout_ms,
            data: None,
            stmts: Vec::new(),
        }))
    }

    /// `notrack`.
    pub fn notrack() -> Statement {
        Statement::Notrack
    }

    /// `queue num N` (one queue, no flags).
    pub fn queue(num: u16) -> Statement {
        Statement::Queue(Queue {
            num,
            total: 1,
            flags: 0,
        })
    }

    /// `counter name "x"` and the other named objects.
    pub fn objref(kind: ObjectType, name: impl Into<String>) -> Statement {
        Statement::Objref {
            kind,
            name: name.into(),
        }
    }
}

/// A NAT statement, checked.
fn nat(
    kind: NatKind,
    family: Option<Family>,
    addr: Option<Value>,
    port: Option<Value>,
    flags: NatFlags,
) -> Result<Statement, LowerError> {
    let n = Nat::new(kind, family, addr, port).ok_or(LowerError::Unsupported(
        "this NAT (masquerade and redirect take no address; the family is ip or ip6)",
    ))?;
    checked(Statement::Nat(Box::new(n.with_flags(flags))))
}

/// `stmt` when its values fit (see [`check`]).
/// A checked [`PayloadSet`] statement.
fn payload_write(field: Field, value: Source, checksum: bool) -> Result<Statement, LowerError> {
    let s = if checksum {
        PayloadSet::new(field, value)
    } else {
        PayloadSet::without_checksum(field, value)
    };
    let s = s.ok_or(LowerError::Unsupported(
        "a payload write of a meta or ct key",
    ))?;
    checked(Statement::PayloadSet(s))
}

fn checked(stmt: Statement) -> Result<Statement, LowerError> {
    check(&stmt)?;
    Ok(stmt)
}

macro_rules! int_values {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            /// [`Value::Int`].
            fn from(v: $t) -> Value {
                Value::Int(u64::from(v))
            }
        }
    )*};
}
int_values!(u8, u16, u32, u64);

impl From<Ip> for Value {
    /// [`Value::Ip`].
    fn from(ip: Ip) -> Value {
        Value::Ip(ip)
    }
}

impl From<Ipv4Addr> for Value {
    /// [`Value::Ip`].
    fn from(ip: Ipv4Addr) -> Value {
        Value::Ip(Ip::from(ip))
    }
}

impl From<Ipv6Addr> for Value {
    /// [`Value::Ip`].
    fn from(ip: Ipv6Addr) -> Value {
        Value::Ip(Ip::from(ip))
    }
}

impl From<Subnet> for Value {
    /// [`Value::Prefix`]; a full-length prefix is the address ([`Value::Ip`]), as nft
    /// writes it.
    fn from(net: Subnet) -> Value {
        if net.prefix() == net.family().max_prefix() {
            Value::Ip(net.address())
        } else {
            Value::Prefix(net)
        }
    }
}

impl From<Mac> for Value {
    /// [`Value::Mac`].
    fn from(mac: Mac) -> Value {
        Value::Mac(mac)
    }
}

impl From<&str> for Value {
    /// [`Value::Ifname`] (interface names are the only text values).
    fn from(name: &str) -> Value {
        Value::Ifname(name.to_owned())
    }
}

impl From<String> for Value {
    /// [`Value::Ifname`].
    fn from(name: String) -> Value {
        Value::Ifname(name)
    }
}

impl<A: Into<Value>, B: Into<Value>> From<(A, B)> for Value {
    /// An inclusive range `lo-hi`.
    fn from((lo, hi): (A, B)) -> Value {
        Value::range(lo.into(), hi.into())
    }
}
