//! Header writes as nft prints them: `ip ttl set 64`, `ip daddr set ip saddr`, `@nh,8,8 set
//! 0x10`.
//!
//! # Contract
//! - The target is printed by its name (a raw range written without a checksum update is
//!   listed by nft by the field's name when the rule's protocol context names its bits, and
//!   the lift only names it then), the value by the target's datatype.
//! - A raw range that does not fill its bytes has a form of nft's own (`@nh,8,8 set @nh,8,8
//!   & 0xf1 | 0x1`) that is not written here, nor are several flag bits of a bitmask type:
//!   `None`, and the rule is not printed as nft text.

use super::Printer;
use super::value;
use crate::stmt::{Field, PayloadSet, Source, Value};

impl Printer {
    /// `field set value`, or `None` when nft's form is not known here.
    pub(super) fn payload_set_text(&self, s: &PayloadSet) -> Option<String> {
        let field = s.field();
        if let Field::Raw {
            bit_offset,
            bit_len,
            ..
        } = field
        {
            if bit_offset % 8 != 0 || bit_len % 8 != 0 {
                return None;
            }
        }
        let dt = field.datatype();
        let value = match s.value() {
            Source::Value(v) => {
                if dt.is_bitmask() && !matches!(v, Value::Int(n) if n.count_ones() == 1) {
                    return None;
                }
                value::value(self, dt, v, field.bit_len())?
            }
            Source::Field(f) => f.to_string(),
            _ => return None,
        };
        Some(format!("{field} set {value}"))
    }
}
