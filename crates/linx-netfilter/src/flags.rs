//! A small bit-flag newtype generator for the model's flag sets.
//!
//! Why not the `bitflags` crate: the model needs three things bitflags does not give together
//! without extra features: unknown bits kept (style guide §4), a readable serde form (a list of
//! names, unknown bits as a hex string) and a `Display` that `FromStr` parses back. The macro is
//! small and every flag type is declared once, next to its kernel constants.
//!
//! # Contract
//! - A flag type is a `Copy` newtype over the kernel's `u32`; [`bits`](crate::TableFlags::bits)
//!   is exactly what goes on the wire, unknown bits included.
//! - Text form: known names joined by `|` in declaration order, then unknown bits as one hex
//!   number (`owner|0x80`); the empty set is the empty string. `FromStr` accepts names, hex or
//!   decimal numbers, separated by `|` or `,` with optional spaces.
//! - serde form: a list of the same pieces (`["owner", "0x80"]`); deserializing also accepts
//!   the `|`-joined string.
//! - Nothing panics; only text conversions allocate.

/// Declares a flag newtype. See the module doc for what it generates.
macro_rules! flags {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, path = $path:literal, example = $example:literal {
            $(
                $(#[$fmeta:meta])*
                const $flag:ident = $value:expr, $text:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            $(
                $(#[$fmeta])*
                pub const $flag: $name = $name($value);
            )*

            /// Every named flag with its text name, in declaration order.
            const NAMED: &'static [($name, &'static str)] = &[$(($name::$flag, $text)),*];

            #[doc = concat!("No flags.\n\n```\nuse ", $path, ";\nassert!(", stringify!($name), "::empty().is_empty());\n```")]
            pub const fn empty() -> $name {
                $name(0)
            }

            #[doc = concat!("Flags from raw kernel bits, unknown bits kept.\n\n```\nuse ", $path, ";\nlet f = ", stringify!($name), "::from_bits_retain(0x8000_0000);\nassert_eq!(f.bits(), 0x8000_0000);\nassert_eq!(f.unknown_bits(), 0x8000_0000);\n```")]
            pub const fn from_bits_retain(bits: u32) -> $name {
                $name(bits)
            }

            #[doc = concat!("The raw bits, as sent to the kernel.\n\n```\nuse ", $path, ";\nassert_eq!(", stringify!($name), "::empty().bits(), 0);\n```")]
            pub const fn bits(self) -> u32 {
                self.0
            }

            #[doc = concat!("`true` when no bit is set.\n\n```\nuse ", $path, ";\nassert!(!", $example, ".is_empty());\n```")]
            pub const fn is_empty(&self) -> bool {
                self.0 == 0
            }

            #[doc = concat!("`true` when every bit of `other` is set in `self`.\n\n```\nuse ", $path, ";\nlet f = ", $example, ";\nassert!(f.contains(f));\nassert!(f.contains(", stringify!($name), "::empty()));\n```")]
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            #[doc = concat!("`true` when `self` and `other` share a bit.\n\n```\nuse ", $path, ";\nlet f = ", $example, ";\nassert!(f.intersects(f));\nassert!(!f.intersects(", stringify!($name), "::empty()));\n```")]
            pub const fn intersects(self, other: $name) -> bool {
                self.0 & other.0 != 0
            }

            #[doc = concat!("The bits of both.\n\n```\nuse ", $path, ";\nlet f = ", $example, ";\nassert_eq!(", stringify!($name), "::empty().union(f), f);\n```")]
            pub const fn union(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }

            #[doc = concat!("`self` without the bits of `other`.\n\n```\nuse ", $path, ";\nlet f = ", $example, ";\nassert!(f.difference(f).is_empty());\n```")]
            pub const fn difference(self, other: $name) -> $name {
                $name(self.0 & !other.0)
            }

            #[doc = concat!("Sets the bits of `other`.\n\n```\nuse ", $path, ";\nlet mut f = ", stringify!($name), "::empty();\nf.insert(", $example, ");\nassert_eq!(f, ", $example, ");\n```")]
            pub fn insert(&mut self, other: $name) {
                self.0 |= other.0;
            }

            #[doc = concat!("Clears the bits of `other`.\n\n```\nuse ", $path, ";\nlet mut f = ", $example, ";\nf.remove(", $example, ");\nassert!(f.is_empty());\n```")]
            pub fn remove(&mut self, other: $name) {
                self.0 &= !other.0;
            }

            #[doc = concat!("The bits no named flag covers (kept, never dropped).\n\n```\nuse ", $path, ";\nassert_eq!(", $example, ".unknown_bits(), 0);\n```")]
            pub const fn unknown_bits(self) -> u32 {
                let mut known = 0;
                let mut i = 0;
                while i < Self::NAMED.len() {
                    known |= Self::NAMED[i].0.0;
                    i += 1;
                }
                self.0 & !known
            }

            #[doc = concat!("The names of the set flags, in declaration order (unknown bits are not named).\n\n```\nuse ", $path, ";\nassert_eq!(", $example, ".names().count(), 1);\n```")]
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::NAMED
                    .iter()
                    .filter(move |(flag, _)| flag.0 != 0 && self.contains(*flag))
                    .map(|(_, text)| *text)
            }

            /// The text pieces: names, then unknown bits as one hex number.
            fn pieces(self) -> Vec<String> {
                let mut out: Vec<String> = self.names().map(str::to_owned).collect();
                if self.unknown_bits() != 0 {
                    out.push(format!("{:#x}", self.unknown_bits()));
                }
                out
            }

            /// One text piece: a name or a number.
            fn parse_piece(piece: &str) -> Option<$name> {
                if let Some((flag, _)) = Self::NAMED.iter().find(|(_, text)| *text == piece) {
                    return Some(*flag);
                }
                let number = match piece.strip_prefix("0x") {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => piece.parse().ok()?,
                };
                Some($name(number))
            }
        }

        impl ::std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, other: $name) -> $name {
                self.union(other)
            }
        }

        impl ::std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, other: $name) {
                self.insert(other);
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }

        impl ::std::fmt::Display for $name {
            /// Names joined by `|`, unknown bits last as hex; empty for no flags.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.pieces().join("|"))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = crate::Error;

            /// Parses the `Display` form; pieces may also be separated by `,`.
            fn from_str(text: &str) -> Result<$name, crate::Error> {
                let mut out = $name::empty();
                for piece in text.split(['|', ',']).map(str::trim).filter(|p| !p.is_empty()) {
                    match $name::parse_piece(piece) {
                        Some(flag) => out.insert(flag),
                        None => {
                            return Err(crate::Error::UnknownName {
                                what: stringify!($name),
                                name: piece.to_owned(),
                            })
                        }
                    }
                }
                Ok(out)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.pieces())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(untagged)]
                enum Form {
                    List(Vec<String>),
                    Text(String),
                    Number(u32),
                }
                let text = match Form::deserialize(deserializer)? {
                    Form::List(pieces) => pieces.join("|"),
                    Form::Text(text) => text,
                    Form::Number(bits) => return Ok($name(bits)),
                };
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use flags;
