//! The nf_tables wire format: model values to netlink attributes and back.
//!
//! Why a separate layer: the model ([`crate::Ruleset`] and friends) is pure and validated; this
//! layer only knows how each value is laid out in `NFT_MSG_*` messages. The encoder writes what
//! `nft(8)` writes for the same ruleset (attribute order included, so captures compare byte for
//! byte); the decoder reads what the kernel sends back and never panics.
//!
//! # Contract
//! - Integers are big-endian on the wire unless a field says otherwise (register *contents*,
//!   such as `cmp` data, are bytes as they are).
//! - Encoders append to an [`AttrWriter`] over a `Vec<u8>` and fail only with
//!   [`crate::Error`] (an attribute too long for its 16-bit length, a value the model cannot
//!   express on the wire).
//! - Decoders take attribute payloads and return [`DecodeError`] for malformed input; what they
//!   do not understand is kept raw by the caller (an expression becomes [`crate::Expr::Unknown`]).

pub(crate) mod attr;
pub(crate) mod expr;
pub(crate) mod set;
pub(crate) mod table;

use linx_netlink_codec::{
    AttrIter, AttrValue, AttrView, AttrWriter, Be32, Be64, DecodeError, DecodeErrorKind,
    EncodeError, NlBuffer,
};

use crate::Verdict;
use crate::consts::verdict as v;
use attr::{data as d, verdict as va};

/// The writer every encoder appends to.
pub(crate) type Writer<'a> = AttrWriter<'a, Vec<u8>>;

/// The contents of an `NFTA_DATA_*` nest (`cmp` data, immediate data, set keys, map data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Data {
    /// `NFTA_DATA_VALUE`: bytes.
    Value(Vec<u8>),
    /// `NFTA_DATA_VERDICT`: a verdict.
    Verdict(Verdict),
}

/// Write nest `attr_type` holding `NFTA_DATA_VALUE` = `bytes`.
pub(crate) fn put_value(
    w: &mut Writer<'_>,
    attr_type: u16,
    bytes: &[u8],
) -> Result<(), crate::Error> {
    let nest = w.begin_nest(attr_type, true);
    w.put(d::NFTA_DATA_VALUE, bytes)?;
    w.end_nest(nest)?;
    Ok(())
}

/// Write nest `attr_type` holding `NFTA_DATA_VERDICT` { code, chain for jump/goto }.
pub(crate) fn put_verdict(
    w: &mut Writer<'_>,
    attr_type: u16,
    verdict: &Verdict,
) -> Result<(), crate::Error> {
    let outer = w.begin_nest(attr_type, true);
    let inner = w.begin_nest(d::NFTA_DATA_VERDICT, true);
    let code = match verdict {
        // The queue number rides in the high 16 bits of the code.
        Verdict::Queue(n) => (v::NF_QUEUE as u32) | (u32::from(*n) << v::NF_VERDICT_QBITS),
        other => other.code() as u32,
    };
    w.put_be32(va::NFTA_VERDICT_CODE, code)?;
    if let Verdict::Jump(chain) | Verdict::Goto(chain) = verdict {
        w.put_str(va::NFTA_VERDICT_CHAIN, chain)?;
    }
    w.end_nest(inner)?;
    w.end_nest(outer)?;
    Ok(())
}

/// Decode the payload of an `NFTA_*_DATA` nest.
pub(crate) fn decode_data(payload: &[u8]) -> Result<Data, DecodeError> {
    for a in AttrIter::new(payload) {
        let a = a?;
        match a.kind() {
            d::NFTA_DATA_VALUE => return Ok(Data::Value(a.payload().to_vec())),
            d::NFTA_DATA_VERDICT => {
                return decode_verdict(a.payload())
                    .map(Data::Verdict)
                    .map_err(|e| e.within(a.raw_type(), a.offset()));
            }
            _ => {}
        }
    }
    Err(invalid("nft data", 0))
}

/// Decode the payload of an `NFTA_DATA_VERDICT` nest.
pub(crate) fn decode_verdict(payload: &[u8]) -> Result<Verdict, DecodeError> {
    let mut code = None;
    let mut chain = None;
    for a in AttrIter::new(payload) {
        let a = a?;
        match a.kind() {
            va::NFTA_VERDICT_CODE => code = Some(be32(&a)?),
            va::NFTA_VERDICT_CHAIN => chain = Some(string(&a)?),
            _ => {}
        }
    }
    let code = code.ok_or_else(|| invalid("verdict code", 0))?;
    let verdict = match code as i32 {
        v::NF_DROP => Verdict::Drop,
        v::NF_ACCEPT => Verdict::Accept,
        v::NFT_CONTINUE => Verdict::Continue,
        v::NFT_RETURN => Verdict::Return,
        v::NFT_JUMP => Verdict::Jump(chain.ok_or_else(|| invalid("jump chain", 0))?),
        v::NFT_GOTO => Verdict::Goto(chain.ok_or_else(|| invalid("goto chain", 0))?),
        _ if code & v::NF_VERDICT_MASK == v::NF_QUEUE as u32 => {
            Verdict::Queue((code >> v::NF_VERDICT_QBITS) as u16)
        }
        _ => return Err(invalid("verdict code", 0)),
    };
    Ok(verdict)
}

/// An `InvalidValue` decode error for `context`.
pub(crate) fn invalid(context: &'static str, offset: usize) -> DecodeError {
    DecodeError::new(DecodeErrorKind::InvalidValue, context, offset)
}

/// Attribute `a` decoded with value codec `C` (the codec's error, located at `a`).
#[inline]
pub(crate) fn value_of<V, C: AttrValue<V>>(a: &AttrView<'_>) -> Result<V, DecodeError> {
    C::parse_value(a.payload()).map_err(|e| e.within(a.raw_type(), a.offset()))
}

/// A big-endian `u32` attribute.
pub(crate) fn be32(a: &AttrView<'_>) -> Result<u32, DecodeError> {
    value_of::<_, Be32>(a).map(|v| v.0)
}

/// A big-endian `u64` attribute.
pub(crate) fn be64(a: &AttrView<'_>) -> Result<u64, DecodeError> {
    value_of::<_, Be64>(a).map(|v| v.0)
}

/// The text of a string payload as nf_tables reads one: up to the first NUL, or all of it
/// when there is none; UTF-8 or an error.
fn nft_str(p: &[u8]) -> Result<&str, DecodeError> {
    let p = match p.iter().position(|&b| b == 0) {
        Some(end) => &p[..end],
        None => p,
    };
    std::str::from_utf8(p).map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, "string", 0))
}

/// The string codec of nf_tables names (tables, chains, sets, log prefixes): decoding reads
/// up to the first NUL (or the whole payload when unterminated), as the kernel does;
/// encoding writes the text and one NUL.
pub(crate) struct NftStr;

impl AttrValue<String> for NftStr {
    const CODEC: &'static str = "string";
    fn parse_value(p: &[u8]) -> Result<String, DecodeError> {
        nft_str(p).map(str::to_owned)
    }
    fn value_len(v: &String) -> usize {
        v.len() + 1
    }
    fn emit_value<B: NlBuffer + ?Sized>(v: &String, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_slice(v.as_bytes());
        buf.put_zeros(1);
        Ok(())
    }
}

/// A NUL-terminated (or unterminated) UTF-8 string attribute, borrowed (no allocation:
/// a pull of 10k rules looks each one's chain up by its names).
pub(crate) fn str_ref<'a>(a: &AttrView<'a>) -> Result<&'a str, DecodeError> {
    nft_str(a.payload()).map_err(|e| e.within(a.raw_type(), a.offset()))
}

/// A NUL-terminated (or unterminated) UTF-8 string attribute ([`NftStr`]).
pub(crate) fn string(a: &AttrView<'_>) -> Result<String, DecodeError> {
    value_of::<_, NftStr>(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(verdict: Verdict) {
        let mut buf = Vec::new();
        put_verdict(&mut AttrWriter::new(&mut buf), 2, &verdict).unwrap();
        let outer = AttrIter::new(&buf).next().unwrap().unwrap();
        assert_eq!(
            decode_data(outer.payload()).unwrap(),
            Data::Verdict(verdict)
        );
    }

    #[test]
    fn verdicts_round_trip() {
        for verdict in [
            Verdict::Accept,
            Verdict::Drop,
            Verdict::Continue,
            Verdict::Return,
            Verdict::Jump("c".into()),
            Verdict::Goto("other".into()),
            Verdict::Queue(7),
        ] {
            round_trip(verdict);
        }
    }

    #[test]
    fn accept_verdict_bytes_match_nft() {
        // nft: immediate data { verdict { code 1 } }
        let mut buf = Vec::new();
        put_verdict(&mut AttrWriter::new(&mut buf), 2, &Verdict::Accept).unwrap();
        assert_eq!(
            buf,
            [16, 0, 2, 0x80, 12, 0, 2, 0x80, 8, 0, 1, 0, 0, 0, 0, 1]
        );
    }

    #[test]
    fn value_round_trip() {
        let mut buf = Vec::new();
        put_value(&mut AttrWriter::new(&mut buf), 3, &[10, 0, 0, 1]).unwrap();
        let outer = AttrIter::new(&buf).next().unwrap().unwrap();
        assert_eq!(
            decode_data(outer.payload()).unwrap(),
            Data::Value(vec![10, 0, 0, 1])
        );
    }
}
