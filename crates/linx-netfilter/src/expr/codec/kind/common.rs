//! What every expression kind shares: the encoder's refusals and attribute writers, and the
//! decoder's all-or-nothing attribute table ([`Fields`], [`fields!`]) with its [`Misfit`].
//!
//! A leaf: it imports no kind module, so every kind (and the dispatchers above them) can
//! import it without a cycle.
//!
//! # Contract
//! - The writers write exactly one attribute each (or none for an unset register); the
//!   refusals are [`crate::Error::Encode`] naming the expression.
//! - The readers never panic: a value that is missing where required, duplicated,
//!   malformed or of the wrong size is a [`Misfit`], never an error.

use linx_netlink_codec::{
    AttrTable, AttrValue, AttrView, Be32, Be64, DecodeCx, DecodeError, EncodeError, NlBuffer,
};

use crate::Reason;
use crate::Reg;
use crate::expr::NatFlags;
use crate::nla::Writer;
use crate::nla::attr::data as d;

// ---------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------

/// `checked_expr! { #[attrs] pub struct Name via NameRepr = "NameRepr" { fields } }`: the
/// model type of one expression kind, its fields `pub(crate)` (crate code matches on them;
/// other crates go through the constructor and the getters), with serde that reads the
/// fields into a private `NameRepr` (unknown fields refused) and converts it with the kind's
/// own `Name::checked`, so a deserialized value passes the same checks as a constructed one.
/// The serialized form is the fields, as the struct variant of [`crate::Expr`] had them.
macro_rules! checked_expr {
    (
        $(#[$meta:meta])*
        pub struct $name:ident via $repr:ident = $repr_lit:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = $repr_lit)]
        pub struct $name {
            $( $(#[$fmeta])* pub(crate) $field: $ty, )*
        }

        /// The serde form before the kind's checks.
        #[derive(::serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $repr {
            $( $(#[$fmeta])* $field: $ty, )*
        }

        impl TryFrom<$repr> for $name {
            type Error = crate::Reason;
            fn try_from(repr: $repr) -> Result<$name, crate::Reason> {
                $name { $($field: repr.$field,)* }.checked()
            }
        }
    };
}
pub(crate) use checked_expr;

// ---------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------

/// The encoder's refusal of `expr` (a kernel expression name) for `reason`.
pub(crate) fn refuse(expr: &str, reason: &str) -> crate::Error {
    crate::Error::Encode {
        what: format!("{expr} expression"),
        reason: reason.to_owned(),
    }
}

/// `text` unchanged, or a refusal when it holds a NUL byte (the kernel would cut it there).
pub(crate) fn no_nul<'s>(expr: &str, text: &'s str) -> Result<&'s str, crate::Error> {
    if text.contains('\0') {
        Err(refuse(expr, "a name or prefix must not contain a NUL byte"))
    } else {
        Ok(text)
    }
}

/// `bit` when `on`, else 0.
pub(crate) fn flag(on: bool, bit: u32) -> u32 {
    if on { bit } else { 0 }
}

/// A register attribute (big-endian `u32`) when `reg` is set.
pub(crate) fn put_reg(w: &mut Writer<'_>, attr: u16, reg: Option<Reg>) -> Result<(), crate::Error> {
    if let Some(reg) = reg {
        w.put_be32(attr, reg.number())?;
    }
    Ok(())
}

/// Refuse a `_max` register equal to its `_min` register (the canonical form omits it).
pub(crate) fn check_range(
    expr: &str,
    min: Option<Reg>,
    max: Option<Reg>,
    field: &str,
) -> Result<(), crate::Error> {
    if min.is_some() && min == max {
        let reason = format!("{field}_max equal to {field}_min: leave {field}_max unset");
        return Err(refuse(expr, &reason));
    }
    Ok(())
}

/// Refuse a port register without `proto_specified` in `flags`.
pub(crate) fn check_proto_flag(
    expr: &str,
    flags: NatFlags,
    proto_min: Option<Reg>,
) -> Result<(), crate::Error> {
    if proto_min.is_some() && !flags.contains(NatFlags::PROTO_SPECIFIED) {
        return Err(refuse(
            expr,
            "flags must include proto_specified when reg_proto_min is set",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------

/// The data does not decode into the model exactly; the expression stays raw.
#[derive(Debug)]
pub(crate) struct Misfit;

impl From<DecodeError> for Misfit {
    /// A malformed attribute is one more way not to fit.
    fn from(_: DecodeError) -> Misfit {
        Misfit
    }
}

impl From<Reason> for Misfit {
    /// Decoded fields the kind's own checks refuse do not fit either: the expression stays
    /// raw.
    fn from(_: Reason) -> Misfit {
        Misfit
    }
}

/// The result of a typed decode.
pub(crate) type Fit<T> = Result<T, Misfit>;

/// The attributes of one expression nest: the codec's all-or-nothing [`AttrTable`] (at most
/// one of each allowed kind, payloads borrowed), with the readers an expression decoder
/// needs, where a value that does not decode is a [`Misfit`].
pub(crate) struct Fields<'a, const N: usize>(pub(crate) AttrTable<'a, N>);

/// `fields!(data, [KIND, ...])`: the exact [`AttrTable`] of `data` with the allowed kinds
/// (an attribute outside them, a duplicate or a malformed one does not fit).
macro_rules! fields {
    ($data:expr, [$($kind:expr),+ $(,)?] $(,)?) => {
        linx_netlink_codec::attr_table!(exact $data, [$($kind),+])
            .map($crate::expr::codec::kind::common::Fields)
            .ok_or($crate::expr::codec::kind::common::Misfit)
    };
}
pub(crate) use fields;

impl<'a, const N: usize> Fields<'a, N> {
    /// Attribute `kind`, if present.
    #[inline]
    pub(crate) fn get(&self, kind: u16) -> Option<AttrView<'a>> {
        self.0.get(kind)
    }

    /// Attribute `kind` decoded with value codec `C`, if present; a value the codec
    /// refuses or declines does not fit.
    #[inline]
    pub(crate) fn opt<C: AttrValue<V>, V>(&self, kind: u16) -> Fit<Option<V>> {
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
    pub(crate) fn req<C: AttrValue<V>, V>(&self, kind: u16) -> Fit<V> {
        self.opt::<C, V>(kind)?.ok_or(Misfit)
    }

    /// Big-endian `u32` attribute `kind`, if present.
    #[inline]
    pub(crate) fn u32(&self, kind: u16) -> Fit<Option<u32>> {
        Ok(self.opt::<Be32, _>(kind)?.map(u32::from))
    }

    /// Big-endian `u32` attribute `kind`; missing does not fit.
    #[inline]
    pub(crate) fn req_u32(&self, kind: u16) -> Fit<u32> {
        self.req::<Be32, _>(kind).map(u32::from)
    }

    /// Big-endian `u64` attribute `kind`, if present.
    #[inline]
    pub(crate) fn u64(&self, kind: u16) -> Fit<Option<u64>> {
        Ok(self.opt::<Be64, _>(kind)?.map(u64::from))
    }

    /// Big-endian `u64` attribute `kind`; missing does not fit.
    #[inline]
    pub(crate) fn req_u64(&self, kind: u16) -> Fit<u64> {
        self.req::<Be64, _>(kind).map(u64::from)
    }

    /// Register attribute `kind`, if present.
    #[inline]
    pub(crate) fn reg(&self, kind: u16) -> Fit<Option<Reg>> {
        self.opt::<RegBe32, _>(kind)
    }

    /// Register attribute `kind`; missing does not fit.
    #[inline]
    pub(crate) fn req_reg(&self, kind: u16) -> Fit<Reg> {
        self.req::<RegBe32, _>(kind)
    }
}

/// The codec of a register attribute: a big-endian `u32` register number.
pub(crate) struct RegBe32;

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
pub(crate) fn value<'a>(a: &AttrView<'a>) -> Fit<&'a [u8]> {
    let f = fields!(a.payload(), [d::NFTA_DATA_VALUE])?;
    Ok(f.get(d::NFTA_DATA_VALUE).ok_or(Misfit)?.payload())
}

// ---------------------------------------------------------------------------------------
// Checks (run by `crate::validate` before anything is sent)
// ---------------------------------------------------------------------------------------

/// `Ok` when `len` bytes fit at `reg`.
pub(crate) fn load(reg: Reg, len: u32) -> Result<(), Reason> {
    if !reg.is_valid() {
        Err(Reason::BadRegister { reg })
    } else if !reg.can_hold(len) {
        Err(Reason::RegisterOverflow { reg, len })
    } else {
        Ok(())
    }
}

/// `Ok` when `reg` is a valid register.
pub(crate) fn valid(reg: Reg) -> Result<(), Reason> {
    if reg.is_valid() {
        Ok(())
    } else {
        Err(Reason::BadRegister { reg })
    }
}

/// Data bytes of `cmp` and `immediate`: 1..=64 bytes.
pub(crate) fn data_len(data: &[u8]) -> Result<u32, Reason> {
    let max = crate::consts::reg::NFT_DATA_VALUE_MAXLEN;
    match u32::try_from(data.len()) {
        Ok(len) if len > 0 && len <= max => Ok(len),
        _ => Err(Reason::DataLength {
            expected: max,
            got: data.len(),
        }),
    }
}
