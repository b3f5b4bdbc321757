//! Fields and statements of the kernel's special-purpose expressions: route lookups (`fib`,
//! `rt`), generated numbers and hashes (`numgen`, `jhash`, `symhash`), the packet's socket
//! (`socket`), passive OS fingerprints (`osf`), IPsec state (`ipsec`, the kernel's `xfrm`),
//! and the statements `tproxy`, `synproxy`, `dup`, `fwd` and `ct count` (`connlimit`).
//!
//! Why one module: the register-level model keeps these expressions raw
//! ([`Expr::Unknown`]: the kernel name and the attribute bytes), so the statement layer
//! writes and reads their attributes itself. Both directions live here, side by side, so a
//! layout is written down once: the lowering encodes, the lift decodes.
//!
//! # Contract
//! - Encoders write the attributes in the order and with the values the kernel dumps for
//!   what nft 1.0.6 sends (`tests/lower/golden.json` holds them against nft), which is what
//!   a pull returns; the kernel takes attributes in any order, so the same bytes push.
//! - Decoders read exactly the attributes an expression may have; anything else (an unknown
//!   attribute, a duplicate, a value out of range) gives `None` and the rule stays
//!   expressions. The lift's verification re-encodes and compares bytes, so a decoder never
//!   has to be stricter than that.
//! - Widths, byte orders and datatypes are nft's (`src/fib.c`, `rt.c`, `numgen.c`,
//!   `hash.c`, `socket.c`, `osf.c`, `xfrm.c` of nft 1.0.6), as the kernel loads them.
//! - Nothing here panics or allocates beyond the bytes it returns.

use std::fmt;

use linx_ip::Ip;
use serde::{Deserialize, Serialize};

use super::{Datatype, Field, HeaderField};
use crate::expr::ByteOrder;
use crate::{Expr, Family, Reg};

/// What a `fib` lookup returns (`enum nft_fib_result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FibResult {
    /// `oif`: the output interface index of the route (1).
    Oif,
    /// `oifname`: its name (2).
    Oifname,
    /// `type`: the address type of the route (`local`, `unicast` ...) (3).
    Type,
}

impl FibResult {
    fn number(self) -> u32 {
        match self {
            FibResult::Oif => 1,
            FibResult::Oifname => 2,
            FibResult::Type => 3,
        }
    }

    fn from_number(n: u32) -> Option<FibResult> {
        Some(match n {
            1 => FibResult::Oif,
            2 => FibResult::Oifname,
            3 => FibResult::Type,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            FibResult::Oif => "oif",
            FibResult::Oifname => "oifname",
            FibResult::Type => "type",
        }
    }
}

/// `NFTA_FIB_F_*` flags.
const FIB_SADDR: u32 = 1;
const FIB_DADDR: u32 = 2;
const FIB_MARK: u32 = 4;
const FIB_IIF: u32 = 8;
const FIB_OIF: u32 = 16;
const FIB_PRESENT: u32 = 32;

/// A route lookup: `fib saddr . iif oif`, `fib daddr type`, `fib daddr oifname`; with
/// `present`, whether the lookup finds a route at all (`fib saddr . iif oif missing`).
///
/// Private fields: the kernel refuses `iif` with `oif`, and an `oif`/`oifname` result of a
/// lookup by output interface.
///
/// ```
/// use linx_netfilter::stmt::{Field, Fib, FibResult};
/// let rpf = Fib::new(false, false, true, false, FibResult::Oif, true).unwrap();
/// assert_eq!(Field::Fib(rpf).to_string(), "fib saddr . iif oif");
/// assert!(Fib::new(true, false, true, true, FibResult::Type, false).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "FibFields")]
pub struct Fib {
    daddr: bool,
    mark: bool,
    iif: bool,
    oif: bool,
    result: FibResult,
    present: bool,
}

impl Fib {
    /// A lookup of the destination (`daddr`) or source address, with the packet's `mark`,
    /// input (`iif`) or output (`oif`) interface, returning `result` (or, with `present`,
    /// whether there is one). `None` for `iif` with `oif`, or an interface result of an
    /// `oif` lookup.
    pub fn new(
        daddr: bool,
        mark: bool,
        iif: bool,
        oif: bool,
        result: FibResult,
        present: bool,
    ) -> Option<Fib> {
        if oif && (iif || result != FibResult::Type) {
            return None;
        }
        Some(Fib {
            daddr,
            mark,
            iif,
            oif,
            result,
            present,
        })
    }

    /// Looks up the destination address (else the source address).
    pub fn daddr(&self) -> bool {
        self.daddr
    }

    /// What the lookup returns.
    pub fn result(&self) -> FibResult {
        self.result
    }

    /// Whether the match is on the presence of a result (`exists` / `missing`).
    pub fn present(&self) -> bool {
        self.present
    }

    fn flags(&self) -> u32 {
        let mut f = if self.daddr { FIB_DADDR } else { FIB_SADDR };
        for (on, bit) in [
            (self.mark, FIB_MARK),
            (self.iif, FIB_IIF),
            (self.oif, FIB_OIF),
            (self.present, FIB_PRESENT),
        ] {
            if on {
                f |= bit;
            }
        }
        f
    }

    fn from_flags(flags: u32, result: FibResult) -> Option<Fib> {
        let addr = flags & (FIB_SADDR | FIB_DADDR);
        if addr == 0 || addr == FIB_SADDR | FIB_DADDR || flags >= FIB_PRESENT << 1 {
            return None;
        }
        Fib::new(
            addr == FIB_DADDR,
            flags & FIB_MARK != 0,
            flags & FIB_IIF != 0,
            flags & FIB_OIF != 0,
            result,
            flags & FIB_PRESENT != 0,
        )
    }
}

impl fmt::Display for Fib {
    /// `fib saddr . mark . iif oif` (nft's order: address, mark, iif, oif).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.daddr { "fib daddr" } else { "fib saddr" })?;
        for (on, name) in [(self.mark, "mark"), (self.iif, "iif"), (self.oif, "oif")] {
            if on {
                write!(f, " . {name}")?;
            }
        }
        write!(f, " {}", self.result.name())
    }
}

/// Routing data of the packet (`enum nft_rt_keys`): `rt classid`, `rt ip nexthop`, `rt mtu`.
///
/// ```
/// use linx_netfilter::stmt::{Field, RtKey};
/// assert_eq!(Field::Rt(RtKey::Nexthop6).to_string(), "rt ip6 nexthop");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RtKey {
    /// `rt classid` (0): the route's realm.
    Classid,
    /// `rt ip nexthop` (1): the IPv4 next hop.
    Nexthop4,
    /// `rt ip6 nexthop` (2): the IPv6 next hop.
    Nexthop6,
    /// `rt mtu` (3): the TCP MSS the route's MTU allows.
    Mtu,
    /// `rt ipsec` (4): whether the route is an IPsec transformation.
    Ipsec,
}

impl RtKey {
    fn number(self) -> u32 {
        match self {
            RtKey::Classid => 0,
            RtKey::Nexthop4 => 1,
            RtKey::Nexthop6 => 2,
            RtKey::Mtu => 3,
            RtKey::Ipsec => 4,
        }
    }

    fn from_number(n: u32) -> Option<RtKey> {
        Some(match n {
            0 => RtKey::Classid,
            1 => RtKey::Nexthop4,
            2 => RtKey::Nexthop6,
            3 => RtKey::Mtu,
            4 => RtKey::Ipsec,
            _ => return None,
        })
    }
}

impl fmt::Display for RtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RtKey::Classid => "rt classid",
            RtKey::Nexthop4 => "rt ip nexthop",
            RtKey::Nexthop6 => "rt ip6 nexthop",
            RtKey::Mtu => "rt mtu",
            RtKey::Ipsec => "rt ipsec",
        })
    }
}

/// A generated number: `numgen inc mod 2`, `numgen random mod 10 offset 5`.
///
/// Private fields: the modulus is at least 1 and the largest number (`offset + modulus -
/// 1`) fits 32 bits, as the kernel requires.
///
/// ```
/// use linx_netfilter::stmt::{Field, Numgen};
/// assert_eq!(Field::Numgen(Numgen::new(false, 2, 5).unwrap()).to_string(), "numgen inc mod 2 offset 5");
/// assert!(Numgen::new(true, 0, 0).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "NumgenFields")]
pub struct Numgen {
    random: bool,
    modulus: u32,
    offset: u32,
}

impl Numgen {
    /// Incrementing (or `random`) numbers `offset..offset + modulus`.
    pub fn new(random: bool, modulus: u32, offset: u32) -> Option<Numgen> {
        range_ok(modulus, offset).then_some(Numgen {
            random,
            modulus,
            offset,
        })
    }

    /// Random (else incrementing).
    pub fn random(&self) -> bool {
        self.random
    }

    /// How many numbers.
    pub fn modulus(&self) -> u32 {
        self.modulus
    }

    /// The first number.
    pub fn offset(&self) -> u32 {
        self.offset
    }
}

/// The kernel's check of a modulus and offset (numgen, hash).
fn range_ok(modulus: u32, offset: u32) -> bool {
    modulus >= 1 && offset.checked_add(modulus - 1).is_some()
}

impl fmt::Display for Numgen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.random { "random" } else { "inc" };
        write!(f, "numgen {kind} mod {}", self.modulus)?;
        if self.offset != 0 {
            write!(f, " offset {}", self.offset)?;
        }
        Ok(())
    }
}

/// The header fields a `jhash` hashes, in order (one to four).
///
/// ```
/// use linx_netfilter::stmt::{HashKey, HeaderField};
/// let k = HashKey::new(&[HeaderField::IpSaddr, HeaderField::TcpDport]).unwrap();
/// assert_eq!(k.fields().count(), 2);
/// assert!(HashKey::new(&[]).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "HashKeyFields", into = "Vec<HeaderField>")]
pub struct HashKey([Option<HeaderField>; 4]);

impl From<HashKey> for Vec<HeaderField> {
    fn from(k: HashKey) -> Vec<HeaderField> {
        k.fields().collect()
    }
}

impl HashKey {
    /// The key of `fields` (one to four whole, byte-aligned fields).
    pub fn new(fields: &[HeaderField]) -> Option<HashKey> {
        if fields.is_empty() || fields.len() > 4 || !fields.iter().all(|f| f.is_byte_aligned()) {
            return None;
        }
        let mut out = [None; 4];
        for (slot, f) in out.iter_mut().zip(fields) {
            *slot = Some(*f);
        }
        Some(HashKey(out))
    }

    /// The fields, in order.
    pub fn fields(&self) -> impl Iterator<Item = HeaderField> + '_ {
        self.0.iter().flatten().copied()
    }

    /// Bytes the key's loads fill: one field's width, or each field padded to 4 bytes, as
    /// nft lays out concatenations.
    pub(crate) fn len(&self) -> u32 {
        let widths = self.fields().map(|f| f.bit_len() / 8);
        if self.fields().count() == 1 {
            widths.sum()
        } else {
            widths.map(|w| w.next_multiple_of(4)).sum()
        }
    }
}

/// A hash: `jhash ip saddr . tcp dport mod 4 seed 0x1 offset 100`, `symhash mod 2`.
///
/// Private fields: as [`Numgen`], the modulus is at least 1 and `offset + modulus - 1` fits.
///
/// ```
/// use linx_netfilter::stmt::{Field, Hash, HashKey, HeaderField};
/// let key = HashKey::new(&[HeaderField::IpSaddr]).unwrap();
/// let h = Hash::jhash(key, 2, Some(0xc001), 0).unwrap();
/// assert_eq!(Field::Hash(h).to_string(), "jhash ip saddr mod 2 seed 0xc001");
/// assert_eq!(Field::Hash(Hash::symhash(32, 100).unwrap()).to_string(), "symhash mod 32 offset 100");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "HashFields")]
pub struct Hash {
    /// `None` for `symhash`.
    key: Option<HashKey>,
    seed: Option<u32>,
    modulus: u32,
    offset: u32,
}

impl Hash {
    /// Jenkins hash of `key`, with `seed` (the kernel picks one when `None`).
    pub fn jhash(key: HashKey, modulus: u32, seed: Option<u32>, offset: u32) -> Option<Hash> {
        range_ok(modulus, offset).then_some(Hash {
            key: Some(key),
            seed,
            modulus,
            offset,
        })
    }

    /// The symmetric hash of the flow (the kernel's skb hash).
    pub fn symhash(modulus: u32, offset: u32) -> Option<Hash> {
        range_ok(modulus, offset).then_some(Hash {
            key: None,
            seed: None,
            modulus,
            offset,
        })
    }

    /// The fields a `jhash` hashes (`None` for `symhash`).
    pub fn key(&self) -> Option<&HashKey> {
        self.key.as_ref()
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => {
                f.write_str("jhash ")?;
                for (i, field) in key.fields().enumerate() {
                    if i > 0 {
                        f.write_str(" . ")?;
                    }
                    write!(f, "{field}")?;
                }
                write!(f, " mod {}", self.modulus)?;
                if let Some(seed) = self.seed {
                    write!(f, " seed 0x{seed:x}")?;
                }
            }
            None => write!(f, "symhash mod {}", self.modulus)?,
        }
        if self.offset != 0 {
            write!(f, " offset {}", self.offset)?;
        }
        Ok(())
    }
}

/// A key of the packet's socket (`enum nft_socket_keys`).
///
/// ```
/// use linx_netfilter::stmt::{Field, SocketKey};
/// assert_eq!(Field::Socket(SocketKey::Cgroupv2(1)).to_string(), "socket cgroupv2 level 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocketKey {
    /// `socket transparent` (0): the socket has `IP_TRANSPARENT`.
    Transparent,
    /// `socket mark` (1): the socket's mark.
    Mark,
    /// `socket wildcard` (2): the socket is bound to the wildcard address.
    Wildcard,
    /// `socket cgroupv2 level N` (3): the id of the socket's cgroup ancestor at level N.
    Cgroupv2(u32),
}

impl fmt::Display for SocketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketKey::Transparent => f.write_str("socket transparent"),
            SocketKey::Mark => f.write_str("socket mark"),
            SocketKey::Wildcard => f.write_str("socket wildcard"),
            SocketKey::Cgroupv2(level) => write!(f, "socket cgroupv2 level {level}"),
        }
    }
}

/// How `osf` checks the TTL of the fingerprint (`NF_OSF_TTL_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsfTtl {
    /// The TTL must be the fingerprint's (0, nft's default, not printed).
    Exact,
    /// `ttl loose` (1): less than or equal.
    Loose,
    /// `ttl skip` (2): not checked.
    Skip,
}

/// The passive OS fingerprint of a TCP SYN: `osf name`, `osf ttl loose version`.
///
/// ```
/// use linx_netfilter::stmt::{Field, Osf, OsfTtl};
/// let o = Osf { ttl: OsfTtl::Skip, version: true };
/// assert_eq!(Field::Osf(o).to_string(), "osf ttl skip version");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Osf {
    /// The TTL check.
    pub ttl: OsfTtl,
    /// Match the genre and version (`Linux:3.0`), not only the genre.
    pub version: bool,
}

impl fmt::Display for Osf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("osf")?;
        match self.ttl {
            OsfTtl::Exact => {}
            OsfTtl::Loose => f.write_str(" ttl loose")?,
            OsfTtl::Skip => f.write_str(" ttl skip")?,
        }
        f.write_str(if self.version { " version" } else { " name" })
    }
}

/// What `ipsec` reads of the packet's IPsec state (`enum nft_xfrm_keys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpsecKey {
    /// `ip daddr` (1).
    Daddr4,
    /// `ip6 daddr` (2).
    Daddr6,
    /// `ip saddr` (3).
    Saddr4,
    /// `ip6 saddr` (4).
    Saddr6,
    /// `reqid` (5).
    Reqid,
    /// `spi` (6).
    Spi,
}

impl IpsecKey {
    fn number(self) -> u32 {
        match self {
            IpsecKey::Daddr4 => 1,
            IpsecKey::Daddr6 => 2,
            IpsecKey::Saddr4 => 3,
            IpsecKey::Saddr6 => 4,
            IpsecKey::Reqid => 5,
            IpsecKey::Spi => 6,
        }
    }

    fn from_number(n: u32) -> Option<IpsecKey> {
        Some(match n {
            1 => IpsecKey::Daddr4,
            2 => IpsecKey::Daddr6,
            3 => IpsecKey::Saddr4,
            4 => IpsecKey::Saddr6,
            5 => IpsecKey::Reqid,
            6 => IpsecKey::Spi,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            IpsecKey::Daddr4 => "ip daddr",
            IpsecKey::Daddr6 => "ip6 daddr",
            IpsecKey::Saddr4 => "ip saddr",
            IpsecKey::Saddr6 => "ip6 saddr",
            IpsecKey::Reqid => "reqid",
            IpsecKey::Spi => "spi",
        }
    }
}

/// IPsec state of the packet: `ipsec in reqid`, `ipsec out spnum 1 ip daddr`.
///
/// ```
/// use linx_netfilter::stmt::{Field, Ipsec, IpsecKey};
/// let i = Ipsec { out: false, spnum: 1, key: IpsecKey::Reqid };
/// assert_eq!(Field::Ipsec(i).to_string(), "ipsec in spnum 1 reqid");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ipsec {
    /// The output policy's state (else the input's).
    pub out: bool,
    /// Which state of the security path (0, the first, is not printed).
    pub spnum: u32,
    /// What is read.
    pub key: IpsecKey,
}

impl fmt::Display for Ipsec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.out { "ipsec out" } else { "ipsec in" })?;
        if self.spnum != 0 {
            write!(f, " spnum {}", self.spnum)?;
        }
        write!(f, " {}", self.key.name())
    }
}

/// The serde form of [`Fib`], checked by [`Fib::new`].
#[derive(Deserialize)]
struct FibFields {
    daddr: bool,
    mark: bool,
    iif: bool,
    oif: bool,
    result: FibResult,
    present: bool,
}

impl TryFrom<FibFields> for Fib {
    type Error = &'static str;
    fn try_from(f: FibFields) -> Result<Fib, &'static str> {
        Fib::new(f.daddr, f.mark, f.iif, f.oif, f.result, f.present)
            .ok_or("fib: iif with oif, or an interface result of an oif lookup")
    }
}

/// The serde form of [`Numgen`], checked by [`Numgen::new`].
#[derive(Deserialize)]
struct NumgenFields {
    random: bool,
    modulus: u32,
    offset: u32,
}

impl TryFrom<NumgenFields> for Numgen {
    type Error = &'static str;
    fn try_from(f: NumgenFields) -> Result<Numgen, &'static str> {
        Numgen::new(f.random, f.modulus, f.offset).ok_or(RANGE_ERROR)
    }
}

/// Why a modulus and offset are refused.
const RANGE_ERROR: &str = "a modulus of at least 1 whose last number fits 32 bits";

/// The serde form of [`Hash`], checked by its constructors.
#[derive(Deserialize)]
struct HashFields {
    key: Option<HashKey>,
    seed: Option<u32>,
    modulus: u32,
    offset: u32,
}

impl TryFrom<HashFields> for Hash {
    type Error = &'static str;
    fn try_from(f: HashFields) -> Result<Hash, &'static str> {
        match f.key {
            Some(key) => Hash::jhash(key, f.modulus, f.seed, f.offset).ok_or(RANGE_ERROR),
            None if f.seed.is_none() => Hash::symhash(f.modulus, f.offset).ok_or(RANGE_ERROR),
            None => Err("symhash has no seed"),
        }
    }
}

/// The serde form of [`HashKey`]: its fields.
#[derive(Deserialize)]
#[serde(transparent)]
struct HashKeyFields(Vec<HeaderField>);

impl TryFrom<HashKeyFields> for HashKey {
    type Error = &'static str;
    fn try_from(f: HashKeyFields) -> Result<HashKey, &'static str> {
        HashKey::new(&f.0).ok_or("one to four byte-aligned header fields")
    }
}

/// Width in bytes, byte order and datatype of the special fields (`None` for the others).
pub(crate) fn info(field: &Field) -> Option<(u32, ByteOrder, Datatype)> {
    use ByteOrder::{Big, Host};
    Some(match field {
        Field::Fib(fib) => match (fib.present, fib.result) {
            (true, _) => (4, Host, Datatype::Boolean),
            (false, FibResult::Oif) => (4, Host, Datatype::IfIndex),
            (false, FibResult::Oifname) => (16, Big, Datatype::Ifname),
            (false, FibResult::Type) => (4, Host, Datatype::FibAddr),
        },
        Field::Rt(key) => match key {
            RtKey::Classid => (4, Host, Datatype::Realm),
            RtKey::Nexthop4 => (4, Big, Datatype::Ipv4Addr),
            RtKey::Nexthop6 => (16, Big, Datatype::Ipv6Addr),
            RtKey::Mtu => (2, Host, Datatype::Integer),
            RtKey::Ipsec => (1, Host, Datatype::Boolean),
        },
        Field::Numgen(_) | Field::Hash(_) => (4, Host, Datatype::Integer),
        Field::Socket(key) => match key {
            SocketKey::Transparent | SocketKey::Wildcard => (1, Host, Datatype::Integer),
            SocketKey::Mark => (4, Host, Datatype::Mark),
            SocketKey::Cgroupv2(_) => (8, Host, Datatype::Cgroupv2),
        },
        Field::Osf(_) => (16, Big, Datatype::String),
        Field::Ipsec(i) => match i.key {
            IpsecKey::Daddr4 | IpsecKey::Saddr4 => (4, Big, Datatype::Ipv4Addr),
            IpsecKey::Daddr6 | IpsecKey::Saddr6 => (16, Big, Datatype::Ipv6Addr),
            IpsecKey::Reqid => (4, Host, Datatype::Integer),
            IpsecKey::Spi => (4, Big, Datatype::Integer),
        },
        _ => return None,
    })
}

/// The expression loading a special field into `dreg` (a `jhash` reads its key from
/// register 2 on, where [`hash_key_reg`] says the caller loads it). `None` for other fields.
pub(crate) fn load(field: &Field, dreg: Reg) -> Option<Expr> {
    let d = dreg.number();
    let mut a = Attrs::default();
    let name = match field {
        Field::Fib(fib) => {
            a.u32(1, d).u32(2, fib.result.number()).u32(3, fib.flags());
            "fib"
        }
        Field::Rt(key) => {
            a.u32(2, key.number()).u32(1, d);
            "rt"
        }
        Field::Numgen(n) => {
            a.u32(1, d)
                .u32(2, n.modulus)
                .u32(3, u32::from(n.random))
                .u32(4, n.offset);
            "numgen"
        }
        Field::Hash(h) => {
            if let Some(key) = &h.key {
                a.u32(1, hash_key_reg().number())
                    .u32(2, d)
                    .u32(3, key.len())
                    .u32(4, h.modulus);
                if let Some(seed) = h.seed {
                    a.u32(5, seed);
                }
            } else {
                a.u32(2, d).u32(4, h.modulus);
            }
            if h.offset != 0 {
                a.u32(6, h.offset);
            }
            a.u32(7, u32::from(h.key.is_none()));
            "hash"
        }
        Field::Socket(key) => {
            let (k, level) = match key {
                SocketKey::Transparent => (0, None),
                SocketKey::Mark => (1, None),
                SocketKey::Wildcard => (2, None),
                SocketKey::Cgroupv2(level) => (3, Some(*level)),
            };
            a.u32(1, k).u32(2, d);
            if let Some(level) = level {
                a.u32(3, level);
            }
            "socket"
        }
        Field::Osf(o) => {
            let ttl = match o.ttl {
                OsfTtl::Exact => 0,
                OsfTtl::Loose => 1,
                OsfTtl::Skip => 2,
            };
            a.attr(2, &[ttl]);
            if o.version {
                a.u32(3, 1);
            }
            a.u32(1, d);
            "osf"
        }
        Field::Ipsec(i) => {
            a.u32(1, d)
                .u32(2, i.key.number())
                .attr(3, &[u8::from(i.out)])
                .u32(4, i.spnum);
            "xfrm"
        }
        _ => return None,
    };
    Some(Expr::unknown(name, a.0))
}

/// The register a `jhash` key starts in (nft's: register 2, then the 4-byte registers after
/// it for further fields).
pub(crate) fn hash_key_reg() -> Reg {
    Reg::R2
}

/// A decoded special field load.
pub(crate) enum SpecialLoad {
    /// The field, loaded into register `dreg`.
    Field {
        /// The field.
        field: Field,
        /// Destination register.
        dreg: u32,
    },
    /// A `jhash` into `dreg` of the `len` key bytes from register `sreg` on: the lift names
    /// the key from the loads there and completes it with [`PartialJhash::with`].
    Jhash {
        /// The hash without its key.
        hash: PartialJhash,
        /// Destination register.
        dreg: u32,
        /// Source register of the key.
        sreg: u32,
        /// Key length in bytes.
        len: u32,
    },
}

/// A `jhash`'s modulus, seed and offset, waiting for its key.
pub(crate) struct PartialJhash {
    modulus: u32,
    seed: Option<u32>,
    offset: u32,
}

impl PartialJhash {
    /// The `jhash` of `key`.
    pub(crate) fn with(&self, key: HashKey) -> Option<Field> {
        Hash::jhash(key, self.modulus, self.seed, self.offset).map(Field::Hash)
    }
}

/// Reads a special field load (`fib`, `rt`, `numgen`, `hash`, `socket`, `osf`, `xfrm`).
pub(crate) fn decode_load(name: &str, data: &[u8]) -> Option<SpecialLoad> {
    let at = attrs(data)?;
    let get = |kind: u16| at.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p);
    let u32_of = |kind: u16| get(kind).and_then(be32);
    let only = |kinds: &[u16]| at.iter().all(|(k, _)| kinds.contains(k)) && unique(&at);
    let plain = |field: Field, dreg: u32| SpecialLoad::Field { field, dreg };
    match name {
        "fib" if only(&[1, 2, 3]) => {
            let result = FibResult::from_number(u32_of(2)?)?;
            let fib = Fib::from_flags(u32_of(3)?, result)?;
            Some(plain(Field::Fib(fib), u32_of(1)?))
        }
        "rt" if only(&[1, 2]) => Some(plain(
            Field::Rt(RtKey::from_number(u32_of(2)?)?),
            u32_of(1)?,
        )),
        "numgen" if only(&[1, 2, 3, 4]) => {
            let random = match u32_of(3)? {
                0 => false,
                1 => true,
                _ => return None,
            };
            let n = Numgen::new(random, u32_of(2)?, u32_of(4)?)?;
            Some(plain(Field::Numgen(n), u32_of(1)?))
        }
        "hash" if only(&[1, 2, 3, 4, 5, 6, 7]) => {
            let modulus = u32_of(4)?;
            let offset = match get(6) {
                Some(p) => be32(p)?,
                None => 0,
            };
            match u32_of(7)? {
                1 if get(1).is_none() && get(3).is_none() && get(5).is_none() => Some(plain(
                    Field::Hash(Hash::symhash(modulus, offset)?),
                    u32_of(2)?,
                )),
                0 => {
                    let seed = match get(5) {
                        Some(p) => Some(be32(p)?),
                        None => None,
                    };
                    // Checked now; the key comes from the lift.
                    Hash::jhash(
                        HashKey::new(&[HeaderField::IpSaddr])?,
                        modulus,
                        seed,
                        offset,
                    )?;
                    Some(SpecialLoad::Jhash {
                        hash: PartialJhash {
                            modulus,
                            seed,
                            offset,
                        },
                        dreg: u32_of(2)?,
                        sreg: u32_of(1)?,
                        len: u32_of(3)?,
                    })
                }
                _ => None,
            }
        }
        "socket" if only(&[1, 2, 3]) => {
            let key = match (u32_of(1)?, get(3)) {
                (0, None) => SocketKey::Transparent,
                (1, None) => SocketKey::Mark,
                (2, None) => SocketKey::Wildcard,
                (3, Some(p)) => SocketKey::Cgroupv2(be32(p)?),
                _ => return None,
            };
            Some(plain(Field::Socket(key), u32_of(2)?))
        }
        "osf" if only(&[1, 2, 3]) => {
            let ttl = match get(2)? {
                [0] => OsfTtl::Exact,
                [1] => OsfTtl::Loose,
                [2] => OsfTtl::Skip,
                _ => return None,
            };
            let version = match get(3) {
                None => false,
                Some(p) => match be32(p)? {
                    0 => false,
                    1 => true,
                    _ => return None,
                },
            };
            Some(plain(Field::Osf(Osf { ttl, version }), u32_of(1)?))
        }
        "xfrm" if only(&[1, 2, 3, 4]) => {
            let out = match get(3)? {
                [0] => false,
                [1] => true,
                _ => return None,
            };
            let key = IpsecKey::from_number(u32_of(2)?)?;
            let spnum = u32_of(4)?;
            Some(plain(Field::Ipsec(Ipsec { out, spnum, key }), u32_of(1)?))
        }
        _ => None,
    }
}

/// `tproxy [ip|ip6] to [addr][:port]`: redirect to a local socket without rewriting the
/// packet.
///
/// Private fields: an address or a port (or both); the address is of `family` when both are
/// given.
///
/// ```
/// use linx_netfilter::{Family, stmt::Tproxy};
/// use linx_ip::ip;
/// assert!(Tproxy::new(Some(Family::Ip), Some(ip!("127.0.0.1")), Some(3128)).is_some());
/// assert!(Tproxy::new(None, None, None).is_none());
/// assert!(Tproxy::new(Some(Family::Ip6), Some(ip!("127.0.0.1")), None).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Tproxy {
    #[serde(skip_serializing_if = "Option::is_none")]
    family: Option<Family>,
    #[serde(skip_serializing_if = "Option::is_none")]
    addr: Option<Ip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
}

impl Tproxy {
    /// To `addr` and/or `port`; `family` is the `ip`/`ip6` nft writes after `tproxy` in
    /// inet tables (ip and ip6 tables imply theirs: `None` there, or the lowering refuses
    /// it, so that a statement has one form).
    pub fn new(family: Option<Family>, addr: Option<Ip>, port: Option<u16>) -> Option<Tproxy> {
        if addr.is_none() && port.is_none() {
            return None;
        }
        match family {
            None => {}
            Some(Family::Ip) if addr.is_none_or(|a| a.is_ipv4()) => {}
            Some(Family::Ip6) if addr.is_none_or(|a| a.is_ipv6()) => {}
            Some(_) => return None,
        }
        Some(Tproxy { family, addr, port })
    }

    /// The family written after `tproxy`.
    pub fn family(&self) -> Option<Family> {
        self.family
    }

    /// The local address.
    pub fn addr(&self) -> Option<Ip> {
        self.addr
    }

    /// The local port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
}

/// `synproxy [mss N] [wscale N] [timestamp] [sack-perm]`: answer the TCP handshake on the
/// server's behalf.
///
/// ```
/// use linx_netfilter::stmt::Synproxy;
/// let s = Synproxy { mss: Some(1460), wscale: Some(7), timestamp: true, sack_perm: true };
/// assert_eq!(s, s.clone());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Synproxy {
    /// The MSS announced.
    pub mss: Option<u16>,
    /// The window scale announced.
    pub wscale: Option<u8>,
    /// Announce timestamps.
    pub timestamp: bool,
    /// Announce selective acknowledgements.
    pub sack_perm: bool,
}

/// `NF_SYNPROXY_OPT_*`.
const SYN_MSS: u32 = 1;
const SYN_WSCALE: u32 = 2;
const SYN_SACK: u32 = 4;
const SYN_TS: u32 = 8;

impl Synproxy {
    /// `NFTA_SYNPROXY_MSS` 1 (u16), `WSCALE` 2 (u8), `FLAGS` 3, as the kernel dumps them.
    pub(crate) fn encode(&self) -> Expr {
        let mut flags = 0;
        for (on, bit) in [
            (self.mss.is_some(), SYN_MSS),
            (self.wscale.is_some(), SYN_WSCALE),
            (self.sack_perm, SYN_SACK),
            (self.timestamp, SYN_TS),
        ] {
            if on {
                flags |= bit;
            }
        }
        let mut a = Attrs::default();
        a.attr(1, &self.mss.unwrap_or(0).to_be_bytes())
            .attr(2, &[self.wscale.unwrap_or(0)])
            .u32(3, flags);
        Expr::unknown("synproxy", a.0)
    }

    pub(crate) fn decode(data: &[u8]) -> Option<Synproxy> {
        let at = attrs(data)?;
        let [(1, mss), (2, [wscale]), (3, flags)] = at[..] else {
            return None;
        };
        let mss = u16::from_be_bytes(mss.try_into().ok()?);
        let flags = be32(flags)?;
        if flags & !(SYN_MSS | SYN_WSCALE | SYN_SACK | SYN_TS) != 0
            || (flags & SYN_MSS == 0 && mss != 0)
            || (flags & SYN_WSCALE == 0 && *wscale != 0)
        {
            return None;
        }
        Some(Synproxy {
            mss: (flags & SYN_MSS != 0).then_some(mss),
            wscale: (flags & SYN_WSCALE != 0).then_some(*wscale),
            timestamp: flags & SYN_TS != 0,
            sack_perm: flags & SYN_SACK != 0,
        })
    }
}

/// `dup to <addr> [device "name"]` (ip, ip6) or `dup to "name"` (netdev): send a copy of
/// the packet.
///
/// ```
/// use linx_netfilter::stmt::Dup;
/// use linx_ip::ip;
/// let d = Dup { addr: Some(ip!("10.0.0.2")), device: Some(1) };
/// assert_eq!(d.device, Some(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Dup {
    /// The gateway the copy is sent to (ip and ip6 tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<Ip>,
    /// The interface index the copy leaves by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<u32>,
}

/// `fwd to "name"` / `fwd ip to <addr> device "name"` (netdev): forward the packet out of an
/// interface, to a neighbour when an address is given.
///
/// ```
/// use linx_netfilter::stmt::Fwd;
/// let f = Fwd { device: 1, addr: None };
/// assert_eq!(f.device, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Fwd {
    /// The interface index.
    pub device: u32,
    /// The neighbour's address (its family is the `ip`/`ip6` nft prints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<Ip>,
}

/// The register attributes of a decoded `tproxy`, `dup` or `fwd` (the lift reads the
/// registers' immediates).
pub(crate) enum RegStmt {
    /// `tproxy`: family number, address and port registers.
    Tproxy {
        family: u32,
        addr: Option<u32>,
        port: Option<u32>,
    },
    /// `dup`: address and device registers.
    Dup { addr: Option<u32>, dev: Option<u32> },
    /// `fwd`: device register, and address register with its family number.
    Fwd { dev: u32, addr: Option<(u32, u32)> },
}

/// `tproxy`: `NFTA_TPROXY_FAMILY` 1, `REG_ADDR` 2, `REG_PORT` 3; `dup`: `NFTA_DUP_SREG_ADDR`
/// 1, `SREG_DEV` 2; `fwd`: `NFTA_FWD_SREG_DEV` 1, `SREG_ADDR` 2, `NFPROTO` 3.
pub(crate) fn encode_reg_stmt(s: &RegStmt) -> Expr {
    let mut a = Attrs::default();
    let name = match s {
        RegStmt::Tproxy { family, addr, port } => {
            a.u32(1, *family);
            if let Some(r) = addr {
                a.u32(2, *r);
            }
            if let Some(r) = port {
                a.u32(3, *r);
            }
            "tproxy"
        }
        RegStmt::Dup { addr, dev } => {
            if let Some(r) = addr {
                a.u32(1, *r);
            }
            if let Some(r) = dev {
                a.u32(2, *r);
            }
            "dup"
        }
        RegStmt::Fwd { dev, addr } => {
            a.u32(1, *dev);
            if let Some((r, nfproto)) = addr {
                a.u32(2, *r).u32(3, *nfproto);
            }
            "fwd"
        }
    };
    Expr::unknown(name, a.0)
}

/// Reads a `tproxy`, `dup` or `fwd` expression.
pub(crate) fn decode_reg_stmt(name: &str, data: &[u8]) -> Option<RegStmt> {
    let at = attrs(data)?;
    if !unique(&at) {
        return None;
    }
    let get = |kind: u16| at.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p);
    let opt = |kind: u16| match get(kind) {
        Some(p) => be32(p).map(Some),
        None => Some(None),
    };
    let only = |max: u16| at.iter().all(|(k, _)| (1..=max).contains(k));
    match name {
        "tproxy" if only(3) => Some(RegStmt::Tproxy {
            family: be32(get(1)?)?,
            addr: opt(2)?,
            port: opt(3)?,
        }),
        "dup" if only(2) => Some(RegStmt::Dup {
            addr: opt(1)?,
            dev: opt(2)?,
        }),
        "fwd" if only(3) => {
            let addr = match (opt(2)?, opt(3)?) {
                (Some(r), Some(p)) => Some((r, p)),
                (None, None) => None,
                _ => return None,
            };
            Some(RegStmt::Fwd {
                dev: be32(get(1)?)?,
                addr,
            })
        }
        _ => None,
    }
}

/// `connlimit`: `NFTA_CONNLIMIT_COUNT` 1, then `FLAGS` 2 (`NFT_CONNLIMIT_F_INV` 1) only when
/// set, as the kernel dumps it.
pub(crate) fn encode_connlimit(count: u32, over: bool) -> Expr {
    let mut a = Attrs::default();
    a.u32(1, count);
    if over {
        a.u32(2, 1);
    }
    Expr::unknown("connlimit", a.0)
}

/// Reads a `connlimit`: its count and whether it matches over it.
pub(crate) fn decode_connlimit(data: &[u8]) -> Option<(u32, bool)> {
    match attrs(data)?[..] {
        [(1, count)] => Some((be32(count)?, false)),
        [(1, count), (2, flags)] if be32(flags)? == 1 => Some((be32(count)?, true)),
        _ => None,
    }
}

/// Netlink attributes being written (native-endian header, 4-byte aligned).
#[derive(Default)]
struct Attrs(Vec<u8>);

impl Attrs {
    fn attr(&mut self, kind: u16, payload: &[u8]) -> &mut Attrs {
        super::attrs::put_attr(&mut self.0, kind, payload);
        self
    }

    fn u32(&mut self, kind: u16, value: u32) -> &mut Attrs {
        self.attr(kind, &value.to_be_bytes())
    }
}

/// The attributes of an expression's data (type without flags, payload); `None` when
/// malformed.
fn attrs(mut data: &[u8]) -> Option<Vec<(u16, &[u8])>> {
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
fn unique(at: &[(u16, &[u8])]) -> bool {
    at.iter()
        .enumerate()
        .all(|(i, (k, _))| at.iter().skip(i + 1).all(|(k2, _)| k2 != k))
}

/// A big-endian u32 payload.
fn be32(p: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(p.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_decode_to_what_they_encode() {
        let key = HashKey::new(&[HeaderField::IpSaddr, HeaderField::TcpDport]).unwrap();
        let fields = [
            Field::Fib(Fib::new(false, true, true, false, FibResult::Oif, true).unwrap()),
            Field::Fib(Fib::new(true, false, false, false, FibResult::Type, false).unwrap()),
            Field::Rt(RtKey::Mtu),
            Field::Numgen(Numgen::new(true, 10, 5).unwrap()),
            Field::Hash(Hash::symhash(2, 0).unwrap()),
            Field::Hash(Hash::jhash(key, 4, Some(1), 100).unwrap()),
            Field::Socket(SocketKey::Cgroupv2(2)),
            Field::Osf(Osf {
                ttl: OsfTtl::Loose,
                version: true,
            }),
            Field::Ipsec(Ipsec {
                out: true,
                spnum: 3,
                key: IpsecKey::Saddr6,
            }),
        ];
        for f in fields {
            let Some(Expr::Unknown(u)) = load(&f, Reg::R1) else {
                panic!("{f}: no load");
            };
            let got = match decode_load(&u.name, &u.data).unwrap() {
                SpecialLoad::Field { field, dreg } => {
                    assert_eq!(dreg, 1);
                    field
                }
                SpecialLoad::Jhash {
                    hash,
                    dreg,
                    sreg,
                    len,
                } => {
                    assert_eq!((dreg, sreg, len), (1, 2, 8));
                    hash.with(key).unwrap()
                }
            };
            assert_eq!(got, f);
        }
    }

    #[test]
    fn statements_decode_to_what_they_encode() {
        let s = Synproxy {
            mss: Some(1460),
            wscale: None,
            timestamp: true,
            sack_perm: false,
        };
        let Expr::Unknown(u) = s.encode() else {
            panic!()
        };
        assert_eq!(Synproxy::decode(&u.data), Some(s));
        let Expr::Unknown(u) = encode_connlimit(20, true) else {
            panic!()
        };
        assert_eq!(decode_connlimit(&u.data), Some((20, true)));
        let Expr::Unknown(u) = encode_reg_stmt(&RegStmt::Fwd {
            dev: 1,
            addr: Some((2, 2)),
        }) else {
            panic!()
        };
        assert!(matches!(
            decode_reg_stmt("fwd", &u.data),
            Some(RegStmt::Fwd {
                dev: 1,
                addr: Some((2, 2))
            })
        ));
    }

    #[test]
    fn serde_forms_are_checked() {
        let key = HashKey::new(&[HeaderField::IpSaddr, HeaderField::TcpDport]).unwrap();
        let h = Field::Hash(Hash::jhash(key, 4, Some(1), 0).unwrap());
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"hash":{"key":["ip_saddr","tcp_dport"],"seed":1,"modulus":4,"offset":0}}"#
        );
        assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), h);
        // Constructors' checks hold for JSON too.
        let zero = r#"{"numgen":{"random":true,"modulus":0,"offset":0}}"#;
        assert!(serde_json::from_str::<Field>(zero).is_err());
        let fib = r#"{"fib":{"daddr":true,"mark":false,"iif":true,"oif":true,"result":"type","present":false}}"#;
        assert!(serde_json::from_str::<Field>(fib).is_err());
        let t = crate::stmt::Statement::Tproxy(Tproxy::new(None, None, Some(53)).unwrap());
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"tproxy":{"port":53}}"#
        );
    }

    #[test]
    fn malformed_data_decodes_to_nothing() {
        for name in ["fib", "rt", "numgen", "hash", "socket", "osf", "xfrm"] {
            assert!(decode_load(name, &[1, 2, 3]).is_none());
            assert!(decode_load(name, &[]).is_none());
        }
        assert!(decode_reg_stmt("dup", &[8, 0, 9, 0, 0, 0, 0, 1]).is_none());
        assert!(Synproxy::decode(&[]).is_none());
        assert!(decode_connlimit(&[8, 0, 2, 0, 0, 0, 0, 1]).is_none());
    }
}
