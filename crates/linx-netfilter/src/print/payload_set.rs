//! Header writes as nft prints them: `ip ttl set 64`, `ip daddr set ip saddr`, `@nh,8,8 set
//! 0x10`.
//!
//! # Contract
//! - The target is printed by its name (a raw range written without a checksum update is
//!   listed by nft by the field's name when the rule's protocol context names its bits, and
//!   the lift only names it then), the value by the target's datatype.
//! - ICMP and ICMPv6 type and code writes with a checksum update, which nft lists by other
//!   names, are not written here either.
//! - Several flag bits print as nft's `|` expression (`tcp flags set syn | ack`), the names
//!   in the type's order; with a bit that has no name, the form is not decided here.
//! - A raw range that does not fill its bytes has a form of nft's own (`@nh,8,8 set @nh,8,8
//!   & 0xf1 | 0x1`) that is not written here: `None`, and the rule is not printed as nft
//!   text.

use super::Printer;
use super::value;
use crate::stmt::{Field, PayloadSet, Proto, Source, Value};

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
        // nft 1.0.6 lists the widened writes of ICMP and ICMPv6 fields narrower than 16 bits
        // by other names (`th sport set th sport & 255` for `icmp type set echo-reply`);
        // their raw writes (no checksum update) it lists by name.
        if let Field::Header(h) = field {
            if s.checksum()
                && matches!(h.proto(), Proto::Icmp | Proto::Icmpv6 | Proto::Igmp)
                && (h.bit_len() % 16 != 0 || h.bit_offset() % 16 != 0)
            {
                return None;
            }
        }
        let dt = field.datatype();
        let value = match s.value() {
            Source::Value(v) => {
                let text = value::value(self, dt, v, field.bit_len())?;
                match v {
                    Value::Int(0) if dt.is_bitmask() => "0x0".to_owned(),
                    // Several flag bits print as nft's `|` expression (`syn | ack`).
                    Value::Int(n) if dt.is_bitmask() && n.count_ones() > 1 => {
                        if text.starts_with("0x") {
                            return None;
                        }
                        text.replace(',', " | ")
                    }
                    _ => text,
                }
            }
            Source::Field(f) => f.to_string(),
            _ => return None,
        };
        Some(format!("{field} set {value}"))
    }
}
