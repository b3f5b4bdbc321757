//! `serde` support: [`Ip`], [`Subnet`] and [`Mac`] serialize as their text form.
//!
//! Why strings: these values appear in hand-written config files (desired state for the reconcile
//! loop) where `"10.0.0.0/24"` is what a person writes and reads; a byte array or a struct would
//! not be. The impls are written by hand on top of `Display`/`FromStr`, so the serde form and the
//! text form can never drift apart.
//!
//! # Contract
//! - Serialize: `Display` via `collect_str`, in every format (also binary ones).
//! - Deserialize: a string, parsed with the strict `FromStr`; the `IpError` message becomes the
//!   deserializer's custom error. Anything other than a string is an `invalid_type` error.
//! - Allocates only what the format itself needs.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::{Ip, Mac, Subnet};

/// Deserializes any `FromStr` type from a string.
struct FromStrVisitor<T> {
    expecting: &'static str,
    target: PhantomData<T>,
}

impl<T> Visitor<'_> for FromStrVisitor<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

/// Implements `Serialize`/`Deserialize` through `Display`/`FromStr`.
macro_rules! string_serde {
    ($($ty:ty => $expecting:literal),* $(,)?) => {
        $(
            impl Serialize for $ty {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }
            }

            impl<'de> Deserialize<'de> for $ty {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    deserializer.deserialize_str(FromStrVisitor {
                        expecting: $expecting,
                        target: PhantomData,
                    })
                }
            }
        )*
    };
}

string_serde! {
    Ip => "an IP address string such as \"10.0.0.1\" or \"2001:db8::1\"",
    Subnet => "a subnet string such as \"10.0.0.0/24\"",
    Mac => "a MAC address string such as \"02:aa:bb:cc:dd:ee\"",
}
