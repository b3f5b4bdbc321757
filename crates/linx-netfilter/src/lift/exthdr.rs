//! The lift of `exthdr` expressions: loads of IPv6 extension header, IPv4 and TCP option and
//! SCTP chunk fields (and presence tests) become [`Field::Exthdr`] loads, and TCP option
//! writes become [`Statement::ExthdrSet`].
//!
//! # Contract
//! - A load is named only when nft prints it by name (or, for TCP options, by number); IPv4
//!   options and IPv6 extension headers need their network protocol known (the family,
//!   `meta nfproto` in inet, the EtherType in bridge and netdev), whose match nft drops.
//! - Anything else stays an expression; the verification of the whole rule still applies.

use super::{Lifter, Loaded, Pending, bytes_to_value, whole_field};
use crate::Expr;
use crate::stmt::exthdr_wire::{self, Exthdr, Target};
use crate::stmt::{ExthdrField, ExthdrProto, Field, Proto, Source, Statement};

impl Lifter<'_> {
    /// An `exthdr` expression with data `data`.
    pub(super) fn exthdr(&mut self, data: &[u8], e: &Expr) {
        match exthdr_wire::parse(data) {
            Some(Exthdr::Load {
                dreg,
                target,
                present,
            }) => {
                let loaded = self.exthdr_load(target, present);
                self.load(dreg, loaded, e);
            }
            Some(Exthdr::Write { sreg, target }) => {
                if let Err(taken) = self.exthdr_write(sreg, target) {
                    self.fail_taken(taken, e);
                }
            }
            None => self.fail(None, e),
        }
    }

    /// What a load of `t` reads, with the network match nft drops before it.
    fn exthdr_load(&self, t: Target, present: bool) -> Loaded {
        let field = if present {
            (t.offset == 0 && t.len == 1).then(|| ExthdrField::presence(t.proto, t.kind))
        } else {
            ExthdrField::covering(t.proto, t.kind, t.offset, t.len)
        };
        let Some(field) = field.filter(ExthdrField::is_printable) else {
            return Loaded::Opaque;
        };
        let net = match t.proto {
            ExthdrProto::IpOption => Some(Proto::Ip),
            ExthdrProto::Ip6 => Some(Proto::Ip6),
            ExthdrProto::TcpOption | ExthdrProto::SctpChunk => None,
        };
        let deps = match (net, self.network()) {
            (None, _) => Vec::new(),
            (Some(want), Some((have, dep))) if want == have => dep.into_iter().collect(),
            _ => return Loaded::Opaque,
        };
        Loaded::Field {
            field: Field::Exthdr(field),
            bytes: t.len,
            deps,
        }
    }

    /// `<field> set <source>` from a write of `sreg` into `t`: a whole named field (or a
    /// TCP option range), the value or field in `sreg`.
    fn exthdr_write(&mut self, sreg: crate::Reg, t: Target) -> Result<(), Vec<Pending>> {
        let field = ExthdrField::covering(t.proto, t.kind, t.offset, t.len)
            .filter(|f| f.is_byte_aligned() && f.is_printable())
            .ok_or_else(Vec::new)?;
        let Some(p) = self.take(sreg) else {
            return Err(Vec::new());
        };
        let target = Field::Exthdr(field);
        let (value, deps) = match &p.loaded {
            Loaded::Data(d) => match bytes_to_value(&target, d) {
                Some(v) => (Source::Value(v), Vec::new()),
                None => return Err(vec![p]),
            },
            other => match whole_field(other) {
                Some((f, deps)) => (Source::Field(f), deps),
                None => return Err(vec![p]),
            },
        };
        self.drop_deps(&deps);
        self.out.push(Statement::ExthdrSet { field, value });
        Ok(())
    }
}
