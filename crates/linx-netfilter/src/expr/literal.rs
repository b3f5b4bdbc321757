//! Anonymous set and verdict-map literals inside rules.
//!
//! Why sentinels instead of named sets: `tcp dport { 22, 80 }` belongs to its rule. The kernel
//! needs a set object for it (named `__set<N>`, flagged anonymous + constant, bound to the rule
//! and deleted with it), but *which* N is an encoder detail that depends on the rest of the
//! table. So the model keeps the literal in the rule, and the encoder numbers and names it.
//!
//! # Contract
//! - A literal is matched against `sreg` (register 1 by default). The encoder adds the
//!   `anonymous` and `constant` flags; `flags` holds the rest (`interval` is set by the
//!   constructors when an element needs it).
//! - The fields are private: a literal is built with `new` and the `with_*` methods and read
//!   with getters. Its contents (key type, flags, elements checked like a named set's:
//!   type, interval, duplicates; the key register; jump targets) are checked when the rule
//!   is added, where an error can name the element and the table; an empty literal is
//!   rejected there too.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::set::{ElemDoc, verdict_from_doc};
use crate::{KeyType, Reason, Reg, SetElement, SetExtras, SetFlags, Verdict};

/// An anonymous set: `key in { elements }` (or not in, with `inverted`).
///
/// ```
/// use linx_netfilter::{KeyType, SetElement, SetFlags, expr::SetLiteral};
/// use linx_ip::ip;
/// let lit = SetLiteral::new(KeyType::Ipv4Addr, [SetElement::from(ip!("10.0.0.0/8"))]);
/// assert!(lit.flags().contains(SetFlags::INTERVAL | SetFlags::CONSTANT));
/// assert_eq!(lit.to_string(), "lookup reg 1 { 10.0.0.0/8 }");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SetLiteralDoc")]
pub struct SetLiteral {
    /// The key type.
    pub(crate) key: KeyType,
    /// Set flags besides `anonymous` (which the encoder adds).
    pub(crate) flags: SetFlags,
    /// The elements.
    pub(crate) elements: Vec<SetElement>,
    /// Register holding the key.
    pub(crate) sreg: Reg,
    /// Match when the key is *not* in the set.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) inverted: bool,
    /// What a pulled anonymous set held beyond the fields above (another tool's userdata:
    /// the byte order and `typeof` nft prints the elements by), re-sent by push.
    #[serde(default, skip_serializing_if = "SetExtras::is_empty")]
    pub(crate) extras: SetExtras,
}

impl SetLiteral {
    /// A literal on register 1, flags `constant` (+ `interval` when needed).
    ///
    /// ```
    /// use linx_netfilter::{KeyType, SetElement, SetFlags, expr::SetLiteral};
    /// let lit = SetLiteral::new(KeyType::InetService, [SetElement::port(22)]);
    /// assert_eq!(lit.flags(), SetFlags::CONSTANT);
    /// ```
    pub fn new(key: KeyType, elements: impl IntoIterator<Item = SetElement>) -> SetLiteral {
        let elements: Vec<SetElement> = elements.into_iter().collect();
        SetLiteral {
            flags: literal_flags(elements.iter()),
            key,
            elements,
            sreg: crate::Reg::R1,
            inverted: false,
            extras: SetExtras::default(),
        }
    }

    /// The same literal, matching keys *not* in it.
    ///
    /// ```
    /// use linx_netfilter::{KeyType, SetElement, expr::SetLiteral};
    /// assert!(SetLiteral::new(KeyType::InetService, [SetElement::port(1)]).inverted().is_inverted());
    /// ```
    #[must_use = "builder methods return the changed literal"]
    pub fn inverted(mut self) -> SetLiteral {
        self.inverted = true;
        self
    }

    /// The key from register `sreg` (its width is checked against the key when the rule is
    /// added).
    #[must_use = "builder methods return the changed literal"]
    pub fn with_sreg(mut self, sreg: Reg) -> SetLiteral {
        self.sreg = sreg;
        self
    }

    /// Set flags besides `anonymous` (which the encoder adds), instead of the ones `new`
    /// chose.
    #[must_use = "builder methods return the changed literal"]
    pub fn with_flags(mut self, flags: SetFlags) -> SetLiteral {
        self.flags = flags;
        self
    }

    /// What a pulled anonymous set held beyond the other fields, re-sent by push.
    #[must_use = "builder methods return the changed literal"]
    pub fn with_extras(mut self, extras: SetExtras) -> SetLiteral {
        self.extras = extras;
        self
    }

    /// The key type.
    pub fn key(&self) -> &KeyType {
        &self.key
    }

    /// Set flags besides `anonymous`.
    pub fn flags(&self) -> SetFlags {
        self.flags
    }

    /// The elements.
    pub fn elements(&self) -> &[SetElement] {
        &self.elements
    }

    /// Register holding the key.
    pub fn sreg(&self) -> Reg {
        self.sreg
    }

    /// What a pulled anonymous set held beyond the other fields.
    pub fn extras(&self) -> &SetExtras {
        &self.extras
    }

    /// Whether keys *not* in the literal match.
    pub fn is_inverted(&self) -> bool {
        self.inverted
    }
}

/// `constant`, plus `interval` when an element is a range or prefix.
fn literal_flags<'a>(mut elements: impl Iterator<Item = &'a SetElement>) -> SetFlags {
    if elements.any(SetElement::is_interval) {
        SetFlags::CONSTANT | SetFlags::INTERVAL
    } else {
        SetFlags::CONSTANT
    }
}

impl fmt::Display for SetLiteral {
    /// `lookup reg 1 { a, b }` (`!=` before the braces when inverted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lookup {} ", self.sreg)?;
        if self.inverted {
            f.write_str("!= ")?;
        }
        f.write_str("{ ")?;
        for (i, e) in self.elements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{e}")?;
        }
        f.write_str(" }")
    }
}

/// An anonymous verdict map: `key vmap { element : verdict, ... }`.
///
/// ```
/// use linx_netfilter::{KeyType, SetElement, Verdict, expr::VmapLiteral};
/// let lit = VmapLiteral::new(KeyType::InetService, [
///     (SetElement::port(22), Verdict::Jump("ssh".into())),
///     (SetElement::port(80), Verdict::Accept),
/// ]);
/// assert_eq!(lit.to_string(), "vmap reg 1 { 22 : jump ssh, 80 : accept }");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "VmapLiteralDoc")]
pub struct VmapLiteral {
    /// The key type.
    pub(crate) key: KeyType,
    /// Set flags besides `anonymous` and `map` (which the encoder adds).
    pub(crate) flags: SetFlags,
    /// Key and verdict pairs (serde: `[[key, verdict], ...]`).
    pub(crate) elements: Vec<(SetElement, Verdict)>,
    /// Register holding the key.
    pub(crate) sreg: Reg,
    /// What a pulled anonymous map held beyond the fields above (see
    /// [`SetLiteral::extras`]).
    #[serde(default, skip_serializing_if = "SetExtras::is_empty")]
    pub(crate) extras: SetExtras,
}

impl VmapLiteral {
    /// A verdict-map literal on register 1, flags `constant` (+ `interval` when needed).
    ///
    /// ```
    /// use linx_netfilter::{KeyType, SetElement, SetFlags, Verdict, expr::VmapLiteral};
    /// use linx_ip::ip;
    /// let lit = VmapLiteral::new(KeyType::Ipv4Addr, [(SetElement::from(ip!("10.0.0.0/8")), Verdict::Drop)]);
    /// assert!(lit.flags().contains(SetFlags::INTERVAL));
    /// ```
    pub fn new(
        key: KeyType,
        elements: impl IntoIterator<Item = (SetElement, Verdict)>,
    ) -> VmapLiteral {
        let elements: Vec<(SetElement, Verdict)> = elements.into_iter().collect();
        VmapLiteral {
            flags: literal_flags(elements.iter().map(|(e, _)| e)),
            key,
            elements,
            sreg: crate::Reg::R1,
            extras: SetExtras::default(),
        }
    }

    /// The key from register `sreg` (its width is checked against the key when the rule is
    /// added).
    #[must_use = "builder methods return the changed literal"]
    pub fn with_sreg(mut self, sreg: Reg) -> VmapLiteral {
        self.sreg = sreg;
        self
    }

    /// Set flags besides `anonymous` and `map` (which the encoder adds), instead of the ones `new`
    /// chose.
    #[must_use = "builder methods return the changed literal"]
    pub fn with_flags(mut self, flags: SetFlags) -> VmapLiteral {
        self.flags = flags;
        self
    }

    /// What a pulled anonymous set held beyond the other fields, re-sent by push.
    #[must_use = "builder methods return the changed literal"]
    pub fn with_extras(mut self, extras: SetExtras) -> VmapLiteral {
        self.extras = extras;
        self
    }

    /// The key type.
    pub fn key(&self) -> &KeyType {
        &self.key
    }

    /// Set flags besides `anonymous` and `map`.
    pub fn flags(&self) -> SetFlags {
        self.flags
    }

    /// The elements.
    pub fn elements(&self) -> &[(SetElement, Verdict)] {
        &self.elements
    }

    /// Register holding the key.
    pub fn sreg(&self) -> Reg {
        self.sreg
    }

    /// What a pulled anonymous set held beyond the other fields.
    pub fn extras(&self) -> &SetExtras {
        &self.extras
    }
}

impl fmt::Display for VmapLiteral {
    /// `vmap reg 1 { a : accept, b : drop }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vmap {} {{ ", self.sreg)?;
        for (i, (e, v)) in self.elements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{e} : {v}")?;
        }
        f.write_str(" }")
    }
}

/// The serde shape of a [`SetLiteral`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetLiteralDoc {
    key: KeyType,
    #[serde(default = "constant")]
    flags: SetFlags,
    elements: Vec<ElemDoc>,
    #[serde(default = "r1")]
    sreg: Reg,
    #[serde(default)]
    inverted: bool,
    #[serde(default)]
    extras: SetExtras,
}

/// The serde shape of a [`VmapLiteral`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VmapLiteralDoc {
    key: KeyType,
    #[serde(default = "constant")]
    flags: SetFlags,
    elements: Vec<(ElemDoc, ElemDoc)>,
    #[serde(default = "r1")]
    sreg: Reg,
    #[serde(default)]
    extras: SetExtras,
}

fn constant() -> SetFlags {
    SetFlags::CONSTANT
}

fn r1() -> Reg {
    Reg::R1
}

impl TryFrom<SetLiteralDoc> for SetLiteral {
    type Error = Reason;
    fn try_from(doc: SetLiteralDoc) -> Result<SetLiteral, Reason> {
        let elements = doc
            .elements
            .iter()
            .enumerate()
            .map(|(index, e)| {
                SetElement::from_doc(e, &doc.key).map_err(|_| Reason::UnreadableElement {
                    index,
                    key: doc.key.clone(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(SetLiteral {
            key: doc.key,
            flags: doc.flags,
            elements,
            sreg: doc.sreg,
            inverted: doc.inverted,
            extras: doc.extras,
        })
    }
}

impl TryFrom<VmapLiteralDoc> for VmapLiteral {
    type Error = Reason;
    fn try_from(doc: VmapLiteralDoc) -> Result<VmapLiteral, Reason> {
        let elements = doc
            .elements
            .iter()
            .enumerate()
            .map(|(index, (key, verdict))| {
                let unreadable = || Reason::UnreadableElement {
                    index,
                    key: doc.key.clone(),
                };
                let key = SetElement::from_doc(key, &doc.key).map_err(|_| unreadable())?;
                let verdict = verdict_from_doc(verdict)
                    .ok_or(Reason::DataType("a verdict map value must be a verdict"))?;
                Ok((key, verdict))
            })
            .collect::<Result<_, Reason>>()?;
        Ok(VmapLiteral {
            key: doc.key,
            flags: doc.flags,
            elements,
            sreg: doc.sreg,
            extras: doc.extras,
        })
    }
}
