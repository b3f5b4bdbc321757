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

pub(crate) mod literal;
pub(crate) mod set;
pub(crate) mod table;

/// The expression codec lives with the expressions ([`crate::expr`]); messages reach it here.
pub(crate) use crate::expr::codec as expr;
/// The attribute numbers and primitives, shared with the expression kinds.
pub(crate) use crate::nla::attr;
pub(crate) use crate::nla::{Data, NftStr, Writer, decode_data, invalid, put_value, put_verdict};
#[cfg(test)]
pub(crate) use crate::nla::{be32, be64, string};
