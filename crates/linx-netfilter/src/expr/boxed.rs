//! The payloads of [`Expr`]'s large, rare variants: [`Bitwise`], [`Dynset`], [`Log`] and
//! [`UnknownExpr`], each held in a `Box` (as are [`SetLiteral`] and [`VmapLiteral`]).
//!
//! Why boxed: an [`Expr`] is as large as its largest variant, and a pulled ruleset holds
//! tens of thousands of expressions (about five per rule). The instructions nearly every rule
//! uses (payload, meta, cmp, immediate, lookup, counter) fit in 40 bytes; these variants need
//! 48 to 80, and inline they made every expression 80 bytes. Boxed, an [`Expr`] is 40 bytes
//! on 64-bit targets (the variant tag fits in a niche of the fields) and only the rare
//! variants pay an allocation, once each.
//!
//! # Contract
//! - serde: each struct has exactly the fields, defaults and skipping rules of the struct
//!   variant it replaced, and rejects unknown fields, so the JSON form is unchanged:
//!   `{"log": {"group": 5000}}`, `{"bitwise": {"len": 2, "mask": "ff00", "xor": "0000"}}`.
//! - `From<T> for Expr` wraps each of them (and the two literals) in its variant; that
//!   allocates the box and nothing else. Nothing here panics.
//! - Validation is the same as for the other variants: when a rule is added to a table.

use serde::{Deserialize, Serialize};

use super::{DynsetOp, Expr, LogFlags, Reg, SetLiteral, VmapLiteral, r1};

/// The fields of [`Expr::Bitwise`]: `dreg = (sreg & mask) ^ xor` over `len` bytes.
///
/// [`Expr::bitwise`] builds the usual form on register 1.
///
/// ```
/// use linx_netfilter::{Expr, Reg, expr::Bitwise};
/// let e = Expr::from(Bitwise {
///     sreg: Reg::R1,
///     dreg: Reg::R2,
///     len: 1,
///     mask: vec![0xf0],
///     xor: vec![0],
/// });
/// assert_eq!(e.to_string(), "bitwise reg 2 = (reg 1 & 0xf0) ^ 0x00 (1b)");
/// let json = r#"{"bitwise":{"sreg":1,"dreg":2,"len":1,"mask":"f0","xor":"00"}}"#;
/// assert_eq!(serde_json::to_string(&e)?, json);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bitwise {
    /// Source register (`NFTA_BITWISE_SREG`; serde default 1).
    #[serde(default = "r1")]
    pub sreg: Reg,
    /// Destination register (`NFTA_BITWISE_DREG`; serde default 1).
    #[serde(default = "r1")]
    pub dreg: Reg,
    /// Bytes operated on (`NFTA_BITWISE_LEN`); `mask` and `xor` have this length.
    pub len: u32,
    /// AND mask (`NFTA_BITWISE_MASK`), hex in serde.
    #[serde(with = "crate::hex")]
    pub mask: Vec<u8>,
    /// XOR value (`NFTA_BITWISE_XOR`), hex in serde.
    #[serde(with = "crate::hex")]
    pub xor: Vec<u8>,
}

/// The fields of [`Expr::Dynset`]: add, update or delete the key in `sreg_key` in a named
/// set from the packet path.
///
/// [`Expr::dynset`] and [`Dynset::new`] build one on register 1 without timeout or
/// expressions; set the other fields directly.
///
/// ```
/// use linx_netfilter::{Expr, expr::{Dynset, DynsetOp}};
/// let e = Expr::from(Dynset {
///     timeout_ms: Some(10_000),
///     exprs: vec![Expr::counter()],
///     ..Dynset::new("seen", DynsetOp::Update)
/// });
/// assert_eq!(
///     e.to_string(),
///     "dynset update reg 1 set seen timeout 10000ms [ counter pkts 0 bytes 0 ]"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dynset {
    /// The named set (`NFTA_DYNSET_SET_NAME`); it needs the `dynamic` or `timeout` flag and
    /// must not be `constant`.
    pub set: String,
    /// What to do (`NFTA_DYNSET_OP`).
    pub op: DynsetOp,
    /// Register holding the key (`NFTA_DYNSET_SREG_KEY`; serde default 1).
    #[serde(default = "r1")]
    pub sreg_key: Reg,
    /// Register holding the value, for maps (`NFTA_DYNSET_SREG_DATA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sreg_data: Option<Reg>,
    /// Element timeout in milliseconds (`NFTA_DYNSET_TIMEOUT`; the set needs the `timeout`
    /// flag). `None` is no timeout; `Some(0)` is refused by the encoder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Stateful expressions attached to the element (counter, limit, quota), sent as
    /// `NFTA_DYNSET_EXPR` for one and `NFTA_DYNSET_EXPRESSIONS` for more.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exprs: Vec<Expr>,
}

impl Dynset {
    /// `op` the key in register 1 on set `set`, with no timeout and no expressions.
    ///
    /// ```
    /// use linx_netfilter::{Expr, Reg, expr::{Dynset, DynsetOp}};
    /// let d = Dynset::new("seen", DynsetOp::Add);
    /// assert_eq!((d.sreg_key, d.timeout_ms, d.exprs.len()), (Reg::R1, None, 0));
    /// assert_eq!(Expr::from(d), Expr::dynset("seen", DynsetOp::Add));
    /// ```
    pub fn new(set: impl Into<String>, op: DynsetOp) -> Dynset {
        Dynset {
            set: set.into(),
            op,
            sreg_key: Reg::R1,
            sreg_data: None,
            timeout_ms: None,
            exprs: Vec::new(),
        }
    }
}

/// The fields of [`Expr::Log`]: log the packet to NFLOG `group`, or to syslog at `level`
/// without a group.
///
/// [`Expr::log`] and [`Expr::log_group`] build the NFLOG forms; `Log::default()` is a bare
/// `log` (syslog, kernel defaults).
///
/// ```
/// use linx_netfilter::{Expr, expr::Log};
/// let e = Expr::from(Log { level: Some(4), prefix: Some("in: ".into()), ..Log::default() });
/// assert_eq!(serde_json::to_string(&e)?, r#"{"log":{"prefix":"in: ","level":4}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// NFLOG group (`NFTA_LOG_GROUP`; the upstream convention is 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<u16>,
    /// Prefix (`NFTA_LOG_PREFIX`, ≤ 127 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Bytes of packet to copy to NFLOG (`NFTA_LOG_SNAPLEN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snaplen: Option<u32>,
    /// Packets to batch before NFLOG sends (`NFTA_LOG_QTHRESHOLD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qthreshold: Option<u16>,
    /// Syslog level (`NFTA_LOG_LEVEL`: 0 emerg .. 7 debug; only without `group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// Syslog extras (`NFTA_LOG_FLAGS`).
    #[serde(default, skip_serializing_if = "LogFlags::is_empty")]
    pub flags: LogFlags,
}

/// The fields of [`Expr::Unknown`]: an expression the model does not know, kept as its
/// kernel name and raw `NFTA_EXPR_DATA` bytes and re-emitted unchanged.
///
/// ```
/// use linx_netfilter::{Expr, expr::UnknownExpr};
/// let e = Expr::unknown("numgen", [0, 0]);
/// assert_eq!(e, Expr::from(UnknownExpr { name: "numgen".into(), data: vec![0, 0] }));
/// assert_eq!(e.kernel_name(), "numgen");
/// assert_eq!(serde_json::to_string(&e)?, r#"{"unknown":{"name":"numgen","data":"0000"}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnknownExpr {
    /// The kernel expression name (`NFTA_EXPR_NAME`: `"fib"`, `"numgen"`, ...).
    pub name: String,
    /// The nested attribute bytes inside `NFTA_EXPR_DATA`, hex in serde.
    #[serde(with = "crate::hex")]
    pub data: Vec<u8>,
}

impl From<Bitwise> for Expr {
    /// [`Expr::Bitwise`], boxed.
    fn from(value: Bitwise) -> Expr {
        Expr::Bitwise(Box::new(value))
    }
}

impl From<Dynset> for Expr {
    /// [`Expr::Dynset`], boxed.
    fn from(value: Dynset) -> Expr {
        Expr::Dynset(Box::new(value))
    }
}

impl From<Log> for Expr {
    /// [`Expr::Log`], boxed.
    fn from(value: Log) -> Expr {
        Expr::Log(Box::new(value))
    }
}

impl From<UnknownExpr> for Expr {
    /// [`Expr::Unknown`], boxed.
    fn from(value: UnknownExpr) -> Expr {
        Expr::Unknown(Box::new(value))
    }
}

impl From<SetLiteral> for Expr {
    /// [`Expr::SetLiteral`], boxed.
    fn from(value: SetLiteral) -> Expr {
        Expr::SetLiteral(Box::new(value))
    }
}

impl From<VmapLiteral> for Expr {
    /// [`Expr::VmapLiteral`], boxed.
    fn from(value: VmapLiteral) -> Expr {
        Expr::VmapLiteral(Box::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The point of the boxes: an expression stays at 40 bytes on 64-bit targets (it was
    /// 80). A new inline field that breaks this belongs in a box.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn expr_is_40_bytes() {
        assert!(
            std::mem::size_of::<Expr>() <= 40,
            "Expr is {} bytes",
            std::mem::size_of::<Expr>()
        );
    }

    /// A boxed variant reads and writes the JSON of the struct variant it replaced,
    /// defaults and unknown-field refusal included.
    #[test]
    fn json_shape_unchanged() {
        let e: Expr = serde_json::from_str(r#"{"dynset":{"set":"s","op":"add"}}"#).unwrap();
        assert_eq!(e, Expr::dynset("s", DynsetOp::Add));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"dynset":{"set":"s","op":"add","sreg_key":1}}"#
        );
        let e: Expr = serde_json::from_str(r#"{"log":{}}"#).unwrap();
        assert_eq!(e, Expr::from(Log::default()));
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"log":{}}"#);
        let e: Expr =
            serde_json::from_str(r#"{"bitwise":{"len":1,"mask":"ff","xor":"00"}}"#).unwrap();
        assert_eq!(e, Expr::bitwise([0xff], [0]));
        for bad in [
            r#"{"log":{"grup":1}}"#,
            r#"{"dynset":{"set":"s","op":"add","x":1}}"#,
            r#"{"bitwise":{"len":1,"mask":"ff","xor":"00","op":0}}"#,
            r#"{"unknown":{"name":"fib","data":"","extra":true}}"#,
        ] {
            assert!(serde_json::from_str::<Expr>(bad).is_err(), "{bad}");
        }
    }
}
