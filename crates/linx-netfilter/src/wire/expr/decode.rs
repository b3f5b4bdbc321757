//! The expression decoder: `NFTA_EXPR_DATA` into the model, all or nothing.
//!
//! Each typed expression declares the attributes it allows as the codec's exact
//! [`AttrTable`] (through [`fields!`]) and reads them with the codec's value codecs
//! ([`AttrValue`]: [`Be32`], [`Be64`], [`Be16`], `u8`, a register codec, [`NftStr`]);
//! [`typed`] dispatches on `NFTA_EXPR_NAME`. Why the borrowed table and not an owned
//! `typed_attrs!` type: the model holds an expression only when it can give the kernel's
//! bytes back, so the first unknown attribute, duplicate, malformed or wrongly sized value
//! makes the whole expression a misfit (kept raw by the caller) instead of a decode error;
//! nests are matched with or without `NLA_F_NESTED` (nft sets it, the kernel's dumps do
//! not); and the table borrows every payload, so a pulled rule's expressions are typed
//! without intermediate copies. Written with `typed_attrs!` (one owned set per expression,
//! nests declared twice, the fit checked afterwards), rule decoding cost about 50% more
//! instructions.
//!
//! # Contract
//! - A typed value comes only from data in which every attribute is allowed, present at
//!   most once and well formed, with every attribute its expression requires; anything
//!   else is [`Misfit`], never an error (only a missing or unreadable `NFTA_EXPR_NAME` or a
//!   malformed element is).
//! - Never panics; allocates only the values the model keeps and, on the misfit path, the
//!   raw copy of the data.
//! - Dynset expressions nest at most [`MAX_DEPTH`] levels.

use linx_netlink_codec::{
    AttrIter, AttrTable, AttrValue, AttrView, Be16, Be32, Be64, DecodeCx, DecodeError, EncodeError,
    NlBuffer,
};

use super::super::attr::{
    bitwise as bw, cmp as cm, counter as co, ct as ctk, data as d, dynset as dy, expr as ex,
    immediate as im, limit as li, list, log as lg, lookup as lk, masq as ma, meta as me, nat as na,
    objref as ob, payload as pa, quota as qu, redir as rd, reject as rj, verdict as va,
};
use super::super::{NftStr, invalid};
use super::{MAX_DEPTH, NFT_BITWISE_MASK_XOR, NFT_DYNSET_F_EXPR, NFT_QUOTA_F_DEPLETED};
use crate::consts::expr as c;
use crate::consts::verdict as v;
use crate::expr::{
    Bitwise, CmpData, CmpOp, CtKey, Dynset, DynsetOp, ImmediateData, Log, LogFlags, MetaKey,
    NatFlags, NatType, PayloadBase, RateUnit, RejectType,
};
use crate::{Expr, Family, ObjectType, Reg, Verdict};

/// [`decode`] at nesting depth `depth` (dynset expressions are one level down).
#[inline]
pub(super) fn decode_at(elem: &[u8], depth: usize) -> Result<Expr, DecodeError> {
    let t = linx_netlink_codec::attr_table!(first elem, [ex::NFTA_EXPR_NAME, ex::NFTA_EXPR_DATA])?;
    let data = t.get(ex::NFTA_EXPR_DATA).map_or(&[][..], |a| a.payload());
    // The name up to its first NUL, as the string codec reads it. A typed expression's name
    // is ASCII, so it is matched as bytes; only an unknown expression's name is checked as
    // UTF-8 (and kept).
    let Some(raw) = t.get(ex::NFTA_EXPR_NAME).map(|a| a.payload()) else {
        return Err(invalid("expression name", 0));
    };
    let raw = raw
        .iter()
        .position(|&b| b == 0)
        .map_or(raw, |end| &raw[..end]);
    Ok(match typed(raw, data, depth) {
        Ok(expr) => expr,
        Err(Misfit) => {
            let name = t.str(ex::NFTA_EXPR_NAME)?;
            let name = name.ok_or_else(|| invalid("expression name", 0))?;
            Expr::unknown(name, sendable(name, data))
        }
    })
}

/// `enum nft_exthdr_attributes` (only the kinds [`sendable`] looks at).
mod exthdr {
    /// `NFTA_EXTHDR_DREG`.
    pub(super) const DREG: u16 = 1;
    /// `NFTA_EXTHDR_OFFSET`.
    pub(super) const OFFSET: u16 = 3;
    /// `NFTA_EXTHDR_LEN`.
    pub(super) const LEN: u16 = 4;
    /// `NFTA_EXTHDR_FLAGS`.
    pub(super) const FLAGS: u16 = 5;
    /// `NFTA_EXTHDR_SREG`.
    pub(super) const SREG: u16 = 7;
}

/// `NFTA_OSF_FLAGS` (`enum nft_osf_attributes`).
const NFTA_OSF_FLAGS: u16 = 3;

/// The `NFTA_EXPR_DATA` of an expression the model does not type, as it must be sent back:
/// `data` without the attributes the kernel reports at their default but refuses when it
/// receives them (nft never sends them):
/// - `exthdr` write (`tcp option ... set`, with `SREG`): `FLAGS` 0;
/// - `exthdr` strip (`reset tcp option ...`, neither `SREG` nor `DREG`): `OFFSET`, `LEN`
///   and `FLAGS` 0;
/// - `osf`: `FLAGS` 0 (the kernel takes only `NFT_OSF_F_VERSION`).
///
/// Everything else, malformed data included, is kept byte for byte.
fn sendable<'a>(name: &str, data: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    let mut attrs = Vec::new();
    for a in AttrIter::new(data) {
        match a {
            Ok(a) => attrs.push(a),
            Err(_) => return data.into(),
        }
    }
    let has = |kind: u16| attrs.iter().any(|a| a.kind() == kind);
    let dump_only: &[u16] = match name {
        "exthdr" if has(exthdr::SREG) => &[exthdr::FLAGS],
        "exthdr" if !has(exthdr::DREG) => &[exthdr::OFFSET, exthdr::LEN, exthdr::FLAGS],
        "osf" => &[NFTA_OSF_FLAGS],
        _ => &[],
    };
    let zero = |a: &AttrView<'_>| a.payload().iter().all(|&b| b == 0);
    if !attrs
        .iter()
        .any(|a| dump_only.contains(&a.kind()) && zero(a))
    {
        return data.into();
    }
    let mut kept = Vec::with_capacity(data.len());
    for (i, a) in attrs.iter().enumerate() {
        if dump_only.contains(&a.kind()) && zero(a) {
            continue;
        }
        // Header, payload and padding as received: up to the next attribute.
        let end = attrs.get(i + 1).map_or(data.len(), |next| next.offset());
        kept.extend_from_slice(data.get(a.offset()..end).unwrap_or_default());
    }
    kept.into()
}

/// The data does not decode into the model exactly; the expression stays raw.
#[derive(Debug)]
struct Misfit;

impl From<DecodeError> for Misfit {
    /// A malformed attribute is one more way not to fit.
    fn from(_: DecodeError) -> Misfit {
        Misfit
    }
}

/// The result of a typed decode.
type Fit<T> = Result<T, Misfit>;

/// The attributes of one expression nest: the codec's all-or-nothing [`AttrTable`] (at most
/// one of each allowed kind, payloads borrowed), with the readers an expression decoder
/// needs, where a value that does not decode is a [`Misfit`].
struct Fields<'a, const N: usize>(AttrTable<'a, N>);

/// `fields!(data, [KIND, ...])`: the exact [`AttrTable`] of `data` with the allowed kinds
/// (an attribute outside them, a duplicate or a malformed one does not fit).
macro_rules! fields {
    ($data:expr, [$($kind:expr),+ $(,)?] $(,)?) => {
        linx_netlink_codec::attr_table!(exact $data, [$($kind),+]).map(Fields).ok_or(Misfit)
    };
}

impl<'a, const N: usize> Fields<'a, N> {
    /// Attribute `kind`, if present.
    #[inline]
    fn get(&self, kind: u16) -> Option<AttrView<'a>> {
        self.0.get(kind)
    }

    /// Attribute `kind` decoded with value codec `C`, if present; a value the codec
    /// refuses or declines does not fit.
    #[inline]
    fn opt<C: AttrValue<V>, V>(&self, kind: u16) -> Fit<Option<V>> {
        match self.get(kind) {
            None => Ok(None),
            Some(a) => match C::decode(a.payload(), DecodeCx::default()) {
                Ok(Some(v)) => Ok(Some(v)),
                _ => Err(Misfit),
            },
        }
    }

    /// Attribute `kind` decoded with value codec `C`; missing does not fit.
    #[inline]
    fn req<C: AttrValue<V>, V>(&self, kind: u16) -> Fit<V> {
        self.opt::<C, V>(kind)?.ok_or(Misfit)
    }

    /// Big-endian `u32` attribute `kind`, if present.
    #[inline]
    fn u32(&self, kind: u16) -> Fit<Option<u32>> {
        Ok(self.opt::<Be32, _>(kind)?.map(u32::from))
    }

    /// Big-endian `u32` attribute `kind`; missing does not fit.
    #[inline]
    fn req_u32(&self, kind: u16) -> Fit<u32> {
        self.req::<Be32, _>(kind).map(u32::from)
    }

    /// Big-endian `u64` attribute `kind`, if present.
    #[inline]
    fn u64(&self, kind: u16) -> Fit<Option<u64>> {
        Ok(self.opt::<Be64, _>(kind)?.map(u64::from))
    }

    /// Big-endian `u64` attribute `kind`; missing does not fit.
    #[inline]
    fn req_u64(&self, kind: u16) -> Fit<u64> {
        self.req::<Be64, _>(kind).map(u64::from)
    }

    /// Register attribute `kind`, if present.
    #[inline]
    fn reg(&self, kind: u16) -> Fit<Option<Reg>> {
        self.opt::<RegBe32, _>(kind)
    }

    /// Register attribute `kind`; missing does not fit.
    #[inline]
    fn req_reg(&self, kind: u16) -> Fit<Reg> {
        self.req::<RegBe32, _>(kind)
    }
}

/// The codec of a register attribute: a big-endian `u32` register number.
struct RegBe32;

impl AttrValue<Reg> for RegBe32 {
    const CODEC: &'static str = "register";
    #[inline]
    fn parse_value(p: &[u8]) -> Result<Reg, DecodeError> {
        Be32::parse_value(p).map(|v| Reg(v.0))
    }
    fn value_len(_: &Reg) -> usize {
        4
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &Reg, buf: &mut B) -> Result<(), EncodeError> {
        Be32::emit_value(&Be32(v.number()), buf)
    }
}

/// The payload of an `NFTA_DATA_*` nest holding exactly one `NFTA_DATA_VALUE`.
fn value<'a>(a: &AttrView<'a>) -> Fit<&'a [u8]> {
    let f = fields!(a.payload(), [d::NFTA_DATA_VALUE])?;
    Ok(f.get(d::NFTA_DATA_VALUE).ok_or(Misfit)?.payload())
}

/// The payload of an `NFTA_DATA_*` nest holding exactly one value or verdict.
fn immediate_data(a: &AttrView<'_>) -> Fit<ImmediateData> {
    let f = fields!(a.payload(), [d::NFTA_DATA_VALUE, d::NFTA_DATA_VERDICT])?;
    match (f.get(d::NFTA_DATA_VALUE), f.get(d::NFTA_DATA_VERDICT)) {
        (Some(val), None) => Ok(ImmediateData::Value(val.payload().to_vec())),
        (None, Some(verdict)) => strict_verdict(verdict.payload()).map(ImmediateData::Verdict),
        _ => Err(Misfit),
    }
}

/// An `NFTA_DATA_VERDICT` payload that [`put_verdict`] writes back byte for byte: a code,
/// plus a chain exactly for jump and goto; a queue code carries no flag bits.
fn strict_verdict(payload: &[u8]) -> Fit<Verdict> {
    let f = fields!(payload, [va::NFTA_VERDICT_CODE, va::NFTA_VERDICT_CHAIN])?;
    let code = f.req_u32(va::NFTA_VERDICT_CODE)?;
    let chain = f.opt::<NftStr, _>(va::NFTA_VERDICT_CHAIN)?;
    let verdict = match (code as i32, chain) {
        (v::NF_DROP, None) => Verdict::Drop,
        (v::NF_ACCEPT, None) => Verdict::Accept,
        (v::NFT_CONTINUE, None) => Verdict::Continue,
        (v::NFT_RETURN, None) => Verdict::Return,
        (v::NFT_JUMP, Some(chain)) => Verdict::Jump(chain),
        (v::NFT_GOTO, Some(chain)) => Verdict::Goto(chain),
        (_, None) if code & 0xffff == v::NF_QUEUE as u32 => {
            Verdict::Queue((code >> v::NF_VERDICT_QBITS) as u16)
        }
        _ => return Err(Misfit),
    };
    Ok(verdict)
}

/// A typed decode of expression `name` with `NFTA_EXPR_DATA` payload `data`.
fn typed(name: &[u8], data: &[u8], depth: usize) -> Fit<Expr> {
    match name {
        b"payload" => payload(data),
        b"meta" => meta(data),
        b"cmp" => cmp(data),
        b"bitwise" => bitwise(data),
        b"ct" => ct(data),
        b"lookup" => lookup(data),
        b"reject" => reject(data),
        b"counter" => counter(data),
        b"limit" => limit(data),
        b"quota" => quota(data),
        b"dynset" => dynset(data, depth),
        b"objref" => objref(data),
        b"log" => log(data),
        b"immediate" => immediate(data),
        b"nat" => nat(data),
        b"masq" => masq(data),
        b"redir" => redir(data),
        _ => Err(Misfit),
    }
}

/// `payload` (a load; writes and checksum updates do not fit).
fn payload(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            pa::NFTA_PAYLOAD_DREG,
            pa::NFTA_PAYLOAD_BASE,
            pa::NFTA_PAYLOAD_OFFSET,
            pa::NFTA_PAYLOAD_LEN,
        ],
    )?;
    Ok(Expr::Payload {
        base: PayloadBase::from_number(f.req_u32(pa::NFTA_PAYLOAD_BASE)?),
        offset: f.req_u32(pa::NFTA_PAYLOAD_OFFSET)?,
        len: f.req_u32(pa::NFTA_PAYLOAD_LEN)?,
        dreg: f.req_reg(pa::NFTA_PAYLOAD_DREG)?,
    })
}

/// `meta` (a load; `meta set` does not fit).
fn meta(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [me::NFTA_META_DREG, me::NFTA_META_KEY])?;
    Ok(Expr::Meta {
        key: MetaKey::from_number(f.req_u32(me::NFTA_META_KEY)?),
        dreg: f.req_reg(me::NFTA_META_DREG)?,
    })
}

/// `cmp`.
fn cmp(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [cm::NFTA_CMP_SREG, cm::NFTA_CMP_OP, cm::NFTA_CMP_DATA],
    )?;
    Ok(Expr::Cmp {
        sreg: f.req_reg(cm::NFTA_CMP_SREG)?,
        op: CmpOp::from_number(f.req_u32(cm::NFTA_CMP_OP)?).ok_or(Misfit)?,
        data: CmpData::new(value(&f.get(cm::NFTA_CMP_DATA).ok_or(Misfit)?)?),
    })
}

/// `bitwise` (mask and xor; shifts do not fit).
fn bitwise(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            bw::NFTA_BITWISE_SREG,
            bw::NFTA_BITWISE_DREG,
            bw::NFTA_BITWISE_LEN,
            bw::NFTA_BITWISE_MASK,
            bw::NFTA_BITWISE_XOR,
            bw::NFTA_BITWISE_OP,
        ],
    )?;
    if let Some(op) = f.u32(bw::NFTA_BITWISE_OP)?
        && op != NFT_BITWISE_MASK_XOR
    {
        return Err(Misfit);
    }
    Ok(Expr::from(Bitwise {
        sreg: f.req_reg(bw::NFTA_BITWISE_SREG)?,
        dreg: f.req_reg(bw::NFTA_BITWISE_DREG)?,
        len: f.req_u32(bw::NFTA_BITWISE_LEN)?,
        mask: value(&f.get(bw::NFTA_BITWISE_MASK).ok_or(Misfit)?)?.to_vec(),
        xor: value(&f.get(bw::NFTA_BITWISE_XOR).ok_or(Misfit)?)?.to_vec(),
    }))
}

/// `ct` (a load without direction; `ct set` does not fit).
fn ct(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [ctk::NFTA_CT_DREG, ctk::NFTA_CT_KEY])?;
    Ok(Expr::Ct {
        key: CtKey::from_number(f.req_u32(ctk::NFTA_CT_KEY)?),
        dreg: f.req_reg(ctk::NFTA_CT_DREG)?,
    })
}

/// `lookup` (the batch id is ignored).
fn lookup(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            lk::NFTA_LOOKUP_SET,
            lk::NFTA_LOOKUP_SREG,
            lk::NFTA_LOOKUP_DREG,
            lk::NFTA_LOOKUP_SET_ID,
            lk::NFTA_LOOKUP_FLAGS,
        ],
    )?;
    let inverted = match f.u32(lk::NFTA_LOOKUP_FLAGS)?.unwrap_or(0) {
        0 => false,
        c::NFT_LOOKUP_F_INV => true,
        _ => return Err(Misfit),
    };
    Ok(Expr::Lookup {
        set: f.req::<NftStr, _>(lk::NFTA_LOOKUP_SET)?,
        sreg: f.req_reg(lk::NFTA_LOOKUP_SREG)?,
        dreg: f.reg(lk::NFTA_LOOKUP_DREG)?,
        inverted,
    })
}

/// `reject` (the kernel leaves the code out of a TCP reset: 0).
fn reject(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [rj::NFTA_REJECT_TYPE, rj::NFTA_REJECT_ICMP_CODE])?;
    Ok(Expr::Reject {
        kind: RejectType::from_number(f.req_u32(rj::NFTA_REJECT_TYPE)?).ok_or(Misfit)?,
        code: f.opt::<u8, _>(rj::NFTA_REJECT_ICMP_CODE)?.unwrap_or(0),
    })
}

/// `counter` (missing values are 0).
fn counter(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            co::NFTA_COUNTER_BYTES,
            co::NFTA_COUNTER_PACKETS,
            co::NFTA_COUNTER_PAD,
        ],
    )?;
    Ok(Expr::Counter {
        packets: f.u64(co::NFTA_COUNTER_PACKETS)?.unwrap_or(0),
        bytes: f.u64(co::NFTA_COUNTER_BYTES)?.unwrap_or(0),
    })
}

/// `limit`.
fn limit(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            li::NFTA_LIMIT_RATE,
            li::NFTA_LIMIT_UNIT,
            li::NFTA_LIMIT_BURST,
            li::NFTA_LIMIT_TYPE,
            li::NFTA_LIMIT_FLAGS,
            li::NFTA_LIMIT_PAD,
        ],
    )?;
    let bytes = match f.u32(li::NFTA_LIMIT_TYPE)?.unwrap_or(c::NFT_LIMIT_PKTS) {
        c::NFT_LIMIT_PKTS => false,
        c::NFT_LIMIT_PKT_BYTES => true,
        _ => return Err(Misfit),
    };
    let over = match f.u32(li::NFTA_LIMIT_FLAGS)?.unwrap_or(0) {
        0 => false,
        c::NFT_LIMIT_F_INV => true,
        _ => return Err(Misfit),
    };
    Ok(Expr::Limit {
        rate: f.req_u64(li::NFTA_LIMIT_RATE)?,
        unit: RateUnit::from_seconds(f.req_u64(li::NFTA_LIMIT_UNIT)?).ok_or(Misfit)?,
        burst: f.u32(li::NFTA_LIMIT_BURST)?.unwrap_or(0),
        bytes,
        over,
    })
}

/// `quota` (the depleted bit is state and ignored).
fn quota(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            qu::NFTA_QUOTA_BYTES,
            qu::NFTA_QUOTA_FLAGS,
            qu::NFTA_QUOTA_PAD,
            qu::NFTA_QUOTA_CONSUMED,
        ],
    )?;
    let flags = f.u32(qu::NFTA_QUOTA_FLAGS)?.unwrap_or(0);
    if flags & !(c::NFT_QUOTA_F_INV | NFT_QUOTA_F_DEPLETED) != 0 {
        return Err(Misfit);
    }
    Ok(Expr::Quota {
        bytes: f.req_u64(qu::NFTA_QUOTA_BYTES)?,
        over: flags & c::NFT_QUOTA_F_INV != 0,
        consumed: f.u64(qu::NFTA_QUOTA_CONSUMED)?.unwrap_or(0),
    })
}

/// `dynset` with its expressions (decoded one level down; the batch id is ignored).
fn dynset(data: &[u8], depth: usize) -> Fit<Expr> {
    if depth >= MAX_DEPTH {
        return Err(Misfit);
    }
    let f = fields!(
        data,
        [
            dy::NFTA_DYNSET_SET_NAME,
            dy::NFTA_DYNSET_SET_ID,
            dy::NFTA_DYNSET_OP,
            dy::NFTA_DYNSET_SREG_KEY,
            dy::NFTA_DYNSET_SREG_DATA,
            dy::NFTA_DYNSET_TIMEOUT,
            dy::NFTA_DYNSET_EXPR,
            dy::NFTA_DYNSET_PAD,
            dy::NFTA_DYNSET_FLAGS,
            dy::NFTA_DYNSET_EXPRESSIONS,
        ],
    )?;
    match f.u32(dy::NFTA_DYNSET_FLAGS)?.unwrap_or(0) {
        0 | NFT_DYNSET_F_EXPR => {}
        _ => return Err(Misfit),
    }
    let nested = |payload: &[u8]| decode_at(payload, depth + 1).map_err(Misfit::from);
    let exprs = match (
        f.get(dy::NFTA_DYNSET_EXPR),
        f.get(dy::NFTA_DYNSET_EXPRESSIONS),
    ) {
        (None, None) => Vec::new(),
        (Some(one), None) => vec![nested(one.payload())?],
        (None, Some(many)) => {
            let mut exprs = Vec::new();
            for elem in many.nested() {
                let elem = elem?;
                if elem.kind() != list::NFTA_LIST_ELEM {
                    return Err(Misfit);
                }
                exprs.push(nested(elem.payload())?);
            }
            exprs
        }
        (Some(_), Some(_)) => return Err(Misfit),
    };
    Ok(Expr::from(Dynset {
        set: f.req::<NftStr, _>(dy::NFTA_DYNSET_SET_NAME)?,
        op: DynsetOp::from_number(f.req_u32(dy::NFTA_DYNSET_OP)?).ok_or(Misfit)?,
        sreg_key: f.req_reg(dy::NFTA_DYNSET_SREG_KEY)?,
        sreg_data: f.reg(dy::NFTA_DYNSET_SREG_DATA)?,
        // The kernel reports "no timeout" as 0.
        timeout_ms: f.u64(dy::NFTA_DYNSET_TIMEOUT)?.filter(|&ms| ms != 0),
        exprs,
    }))
}

/// `objref` (a named object; object maps do not fit).
fn objref(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [ob::NFTA_OBJREF_IMM_TYPE, ob::NFTA_OBJREF_IMM_NAME])?;
    Ok(Expr::Objref {
        kind: ObjectType::from_number(f.req_u32(ob::NFTA_OBJREF_IMM_TYPE)?),
        name: f.req::<NftStr, _>(ob::NFTA_OBJREF_IMM_NAME)?,
    })
}

/// `log`.
fn log(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            lg::NFTA_LOG_GROUP,
            lg::NFTA_LOG_PREFIX,
            lg::NFTA_LOG_SNAPLEN,
            lg::NFTA_LOG_QTHRESHOLD,
            lg::NFTA_LOG_LEVEL,
            lg::NFTA_LOG_FLAGS,
        ],
    )?;
    Ok(Expr::from(Log {
        group: f.opt::<Be16, _>(lg::NFTA_LOG_GROUP)?.map(u16::from),
        prefix: f.opt::<NftStr, _>(lg::NFTA_LOG_PREFIX)?,
        snaplen: f.u32(lg::NFTA_LOG_SNAPLEN)?,
        qthreshold: f.opt::<Be16, _>(lg::NFTA_LOG_QTHRESHOLD)?.map(u16::from),
        level: f.u32(lg::NFTA_LOG_LEVEL)?,
        flags: LogFlags::from_bits_retain(f.u32(lg::NFTA_LOG_FLAGS)?.unwrap_or(0)),
    }))
}

/// `immediate` (a verdict or data).
fn immediate(data: &[u8]) -> Fit<Expr> {
    let f = fields!(data, [im::NFTA_IMMEDIATE_DREG, im::NFTA_IMMEDIATE_DATA])?;
    Ok(Expr::Immediate {
        dreg: f.req_reg(im::NFTA_IMMEDIATE_DREG)?,
        data: immediate_data(&f.get(im::NFTA_IMMEDIATE_DATA).ok_or(Misfit)?)?,
    })
}

/// A `_max` register equal to its `_min` register is the kernel's echo of "no maximum".
pub(super) fn range_max(min: Option<Reg>, max: Option<Reg>) -> Option<Reg> {
    if min.is_some() && max == min {
        None
    } else {
        max
    }
}

/// A port register without `proto_specified` does not fit (the encoder refuses it).
fn proto_fits(flags: NatFlags, proto_min: Option<Reg>) -> Fit<()> {
    if proto_min.is_some() && !flags.contains(NatFlags::PROTO_SPECIFIED) {
        Err(Misfit)
    } else {
        Ok(())
    }
}

/// `nat` (`map_ips` added for an address register, as the kernel does).
fn nat(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            na::NFTA_NAT_TYPE,
            na::NFTA_NAT_FAMILY,
            na::NFTA_NAT_REG_ADDR_MIN,
            na::NFTA_NAT_REG_ADDR_MAX,
            na::NFTA_NAT_REG_PROTO_MIN,
            na::NFTA_NAT_REG_PROTO_MAX,
            na::NFTA_NAT_FLAGS,
        ],
    )?;
    let family = u8::try_from(f.req_u32(na::NFTA_NAT_FAMILY)?).map_err(|_| Misfit)?;
    let reg_addr_min = f.reg(na::NFTA_NAT_REG_ADDR_MIN)?;
    let reg_proto_min = f.reg(na::NFTA_NAT_REG_PROTO_MIN)?;
    let mut flags = NatFlags::from_bits_retain(f.u32(na::NFTA_NAT_FLAGS)?.unwrap_or(0));
    if reg_addr_min.is_some() {
        flags.insert(NatFlags::MAP_IPS);
    }
    proto_fits(flags, reg_proto_min)?;
    Ok(Expr::Nat {
        kind: NatType::from_number(f.req_u32(na::NFTA_NAT_TYPE)?).ok_or(Misfit)?,
        family: Family::from_nfproto(family).ok_or(Misfit)?,
        reg_addr_min,
        reg_addr_max: range_max(reg_addr_min, f.reg(na::NFTA_NAT_REG_ADDR_MAX)?),
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(na::NFTA_NAT_REG_PROTO_MAX)?),
        flags,
    })
}

/// `masq`.
fn masq(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            ma::NFTA_MASQ_FLAGS,
            ma::NFTA_MASQ_REG_PROTO_MIN,
            ma::NFTA_MASQ_REG_PROTO_MAX,
        ],
    )?;
    let flags = NatFlags::from_bits_retain(f.u32(ma::NFTA_MASQ_FLAGS)?.unwrap_or(0));
    let reg_proto_min = f.reg(ma::NFTA_MASQ_REG_PROTO_MIN)?;
    proto_fits(flags, reg_proto_min)?;
    Ok(Expr::Masquerade {
        flags,
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(ma::NFTA_MASQ_REG_PROTO_MAX)?),
    })
}

/// `redir`.
fn redir(data: &[u8]) -> Fit<Expr> {
    let f = fields!(
        data,
        [
            rd::NFTA_REDIR_REG_PROTO_MIN,
            rd::NFTA_REDIR_REG_PROTO_MAX,
            rd::NFTA_REDIR_FLAGS,
        ],
    )?;
    let flags = NatFlags::from_bits_retain(f.u32(rd::NFTA_REDIR_FLAGS)?.unwrap_or(0));
    let reg_proto_min = f.reg(rd::NFTA_REDIR_REG_PROTO_MIN)?;
    proto_fits(flags, reg_proto_min)?;
    Ok(Expr::Redirect {
        flags,
        reg_proto_min,
        reg_proto_max: range_max(reg_proto_min, f.reg(rd::NFTA_REDIR_REG_PROTO_MAX)?),
    })
}
