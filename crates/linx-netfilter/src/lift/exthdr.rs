//! The lift of `exthdr` expressions: loads of IPv6 extension header, IPv4 and TCP option and
//! SCTP chunk fields (and presence tests) become [`Field::Exthdr`] loads, and TCP option
//! writes and strips become [`Statement::ExthdrSet`] and [`Statement::ExthdrReset`].
//!
//! # Contract
//! - A load is named only when nft prints it by name (or, for TCP options, by number); IPv4
//!   options and IPv6 extension headers need their network protocol known (the family,
//!   `meta nfproto` in inet, the EtherType in bridge and netdev), whose match nft drops.
//! - Anything else stays an expression; the verification of the whole rule still applies.

use super::{Deps, Lifter, Loaded, Pending, bytes_to_value, whole_field};
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
            Some(Exthdr::Strip {
                proto: proto @ ExthdrProto::TcpOption,
                kind,
            }) => self
                .out
                .push(Statement::ExthdrReset(ExthdrField::presence(proto, kind))),
            Some(Exthdr::Strip { .. }) | None => self.fail(None, e),
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
        if self.nft_drops_last(t.proto) {
            return Loaded::Opaque;
        }
        let net = match t.proto {
            ExthdrProto::IpOption => Some(Proto::Ip),
            ExthdrProto::Ip6 => Some(Proto::Ip6),
            ExthdrProto::TcpOption | ExthdrProto::SctpChunk => None,
        };
        let deps = match (net, self.network()) {
            (None, _) => Deps::new(),
            (Some(want), Some((have, dep))) if want == have => dep.into_iter().collect(),
            _ => return Loaded::Opaque,
        };
        Loaded::Field {
            field: Field::Exthdr(field),
            bytes: t.len,
            deps,
        }
    }

    /// `true` when nft, printing a load of `proto` right after the last statement, would
    /// leave that statement out although the lowering does not write it: a transport
    /// protocol match (`meta l4proto tcp`, `ip protocol tcp`, `ip6 nexthdr tcp`, of any
    /// protocol) or `meta protocol` before a TCP option (sets and `!=` nft keeps); `meta protocol`, `meta nfproto` or
    /// `ether type` before an IPv4 option or IPv6 extension header where the family, not
    /// that match, makes the network protocol known. Such a rule stays expressions (nft's
    /// text would not carry its bytes).
    fn nft_drops_last(&self, proto: ExthdrProto) -> bool {
        use crate::expr::MetaKey;
        use crate::stmt::{HeaderField as H, Key, Op, Value};
        let Some(Statement::Match(m)) = self.out.last() else {
            return false;
        };
        let Key::Field(f) = m.key() else {
            return false;
        };
        // nft keeps set matches (`meta l4proto { tcp, udp }`, `@protos`) and `!=`.
        if m.op() != Op::Eq || matches!(m.value(), Value::Set(_) | Value::SetRef(_)) {
            return false;
        }
        match proto {
            ExthdrProto::TcpOption => {
                matches!(
                    f,
                    Field::Meta(MetaKey::L4proto | MetaKey::Protocol)
                        | Field::Header(H::IpProtocol | H::Ip6Nexthdr)
                )
            }
            ExthdrProto::IpOption | ExthdrProto::Ip6 => {
                matches!(self.network(), Some((_, None)))
                    && matches!(
                        f,
                        Field::Meta(MetaKey::Protocol | MetaKey::Nfproto)
                            | Field::Header(H::EtherType)
                    )
            }
            ExthdrProto::SctpChunk => false,
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
                Some(v) => (Source::Value(v), Deps::new()),
                None => return Err(vec![p]),
            },
            // A host-order field converted to big endian first (`set rt mtu`).
            Loaded::Swapped { field, deps } => (Source::Field(*field), deps.clone()),
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

#[cfg(test)]
mod tests {
    use linx_ip::ip;

    use super::*;
    use crate::stmt::{Match, Op, Value};
    use crate::{Family, Table};

    /// What `stmts` lowered for `family`, lifted and printed, reads as.
    fn round_trip(family: Family, stmts: &[Statement]) -> String {
        let exprs = Statement::lower_all(family, stmts).unwrap();
        assert_eq!(super::super::lift(&exprs, family), stmts, "{family}");
        let table = Table::new(family, "t");
        let rule = crate::Rule::new(exprs);
        crate::print::Printer::new()
            .rule(&rule, &table)
            .text()
            .to_owned()
    }

    fn is(field: ExthdrField, v: impl Into<Value>) -> Statement {
        Statement::Match(Match::new(field, Op::Eq, v.into()).unwrap())
    }

    fn named(proto: ExthdrProto, header: &str, field: &str) -> ExthdrField {
        ExthdrField::named(proto, header, field).unwrap()
    }

    #[test]
    fn lowered_fields_lift_and_print_as_nft_does() {
        use ExthdrProto::{Ip6, IpOption, SctpChunk, TcpOption};
        let exists = |p, h| ExthdrField::exists(p, h).unwrap();
        let cases: Vec<(Family, Vec<Statement>, &str)> = vec![
            (
                Family::Inet,
                vec![is(named(TcpOption, "maxseg", "size"), 1460u16)],
                "tcp option maxseg size 1460",
            ),
            (
                Family::Ip,
                vec![is(exists(TcpOption, "sack-perm"), 0u8)],
                "tcp option sack-perm missing",
            ),
            (
                Family::Ip6,
                vec![is(ExthdrField::presence(TcpOption, 254), 1u8)],
                "tcp option 254 exists",
            ),
            (
                Family::Netdev,
                vec![is(
                    ExthdrField::raw(TcpOption, 254, 16, 16).unwrap(),
                    4660u16,
                )],
                "tcp option @254,16,16 4660",
            ),
            (
                Family::Inet,
                vec![is(named(IpOption, "rr", "ptr"), 4u8)],
                "ip option rr ptr 4",
            ),
            (
                Family::Bridge,
                vec![is(exists(Ip6, "hbh"), 1u8)],
                "exthdr hbh exists",
            ),
            (
                Family::Ip6,
                vec![is(named(Ip6, "frag", "more-fragments"), 1u8)],
                "frag more-fragments 1",
            ),
            (
                Family::Ip6,
                vec![Statement::Match(
                    Match::new(named(Ip6, "frag", "frag-off"), Op::Gt, Value::Int(0)).unwrap(),
                )],
                "frag frag-off > 0",
            ),
            (
                Family::Inet,
                vec![is(named(Ip6, "srh", "sid[2]"), ip!("2001:db8::2"))],
                "srh sid[2] 2001:db8::2",
            ),
            (
                Family::Ip6,
                vec![is(named(Ip6, "mh", "type"), 3u8)],
                "mh type home-test",
            ),
            (
                Family::Ip,
                vec![is(named(SctpChunk, "init", "num-inbound-streams"), 10u16)],
                "sctp chunk init num-inbound-streams 10",
            ),
            (
                Family::Inet,
                vec![Statement::exthdr_set(named(TcpOption, "maxseg", "size"), 1360u16).unwrap()],
                "tcp option maxseg size set 1360",
            ),
            (
                Family::Inet,
                vec![Statement::ExthdrSet {
                    field: named(TcpOption, "maxseg", "size"),
                    value: Source::Field(Field::Rt(crate::stmt::RtKey::Mtu)),
                }],
                "tcp option maxseg size set rt mtu",
            ),
            (
                Family::Bridge,
                vec![Statement::ExthdrReset(exists(TcpOption, "sack-perm"))],
                "reset tcp option sack-perm",
            ),
            (
                Family::Ip,
                vec![Statement::ExthdrReset(ExthdrField::presence(
                    TcpOption, 254,
                ))],
                "reset tcp option 254",
            ),
        ];
        for (family, stmts, want) in cases {
            assert_eq!(round_trip(family, &stmts), want);
        }
    }

    #[test]
    fn unnamed_or_unanchored_loads_stay_expressions() {
        let t = |proto, kind, offset, len| Target {
            proto,
            kind,
            offset,
            len,
        };
        let lifted = |exprs: Vec<Expr>, family| super::super::lift(&exprs, family);
        // An IPv4 option in an inet table without `meta nfproto ipv4` before it.
        let opt = exthdr_wire::load(t(ExthdrProto::IpOption, 7, 2, 1), false, crate::Reg::R1);
        let e = vec![opt, Expr::cmp_eq([4])];
        assert!(!super::super::is_fully_lifted(&lifted(
            e.clone(),
            Family::Inet
        )));
        assert!(super::super::is_fully_lifted(&lifted(e, Family::Ip)));
        // A chunk type nft has no name for; a field of a named chunk nft does not name.
        for target in [
            t(ExthdrProto::SctpChunk, 99, 0, 1),
            t(ExthdrProto::SctpChunk, 0, 20, 2),
        ] {
            let present = target.offset == 0;
            let e = vec![
                exthdr_wire::load(target, present, crate::Reg::R1),
                Expr::cmp_eq([1]),
            ];
            assert!(!super::super::is_fully_lifted(&lifted(e, Family::Ip)));
        }
        // A write of a sub-byte field, and one from an empty register.
        let sub = t(ExthdrProto::TcpOption, 30, 2, 1);
        let e = vec![
            Expr::immediate(crate::Reg::R1, [0x10]),
            exthdr_wire::write(sub, crate::Reg::R1),
        ];
        assert!(!super::super::is_fully_lifted(&lifted(e, Family::Ip)));
        let mss = t(ExthdrProto::TcpOption, 2, 2, 2);
        let e = vec![exthdr_wire::write(mss, crate::Reg::R2)];
        assert!(!super::super::is_fully_lifted(&lifted(e, Family::Ip)));
    }

    #[test]
    fn matches_nft_would_not_print_keep_the_rule_unlifted() {
        use crate::expr::MetaKey;
        let sack_perm = exthdr_wire::load(
            Target {
                proto: ExthdrProto::TcpOption,
                kind: 4,
                offset: 0,
                len: 1,
            },
            true,
            crate::Reg::R1,
        );
        let rr = exthdr_wire::load(
            Target {
                proto: ExthdrProto::IpOption,
                kind: 7,
                offset: 0,
                len: 1,
            },
            true,
            crate::Reg::R1,
        );
        let lifts = |mut e: Vec<Expr>, x: &Expr, family| {
            e.push(x.clone());
            e.push(Expr::cmp_eq([1]));
            super::super::is_fully_lifted(&super::super::lift(&e, family))
        };
        // nft prints `meta l4proto udp tcp option sack-perm exists` as `tcp option
        // sack-perm exists`, and `meta protocol ip ip option rr exists` in an ip table as
        // `ip option rr exists`.
        assert!(!lifts(Expr::meta_l4proto_eq(17), &sack_perm, Family::Inet));
        let protocol_ip = vec![
            Expr::meta(MetaKey::Protocol),
            Expr::cmp_eq(0x0800u16.to_be_bytes()),
        ];
        assert!(!lifts(protocol_ip.clone(), &rr, Family::Ip));
        assert!(!lifts(protocol_ip, &sack_perm, Family::Ip));
        // It keeps sets, `!=` and anything between.
        let mut counted = Expr::meta_l4proto_eq(6);
        counted.push(Expr::counter());
        assert!(lifts(counted, &sack_perm, Family::Inet));
        let ne = vec![
            Expr::meta(MetaKey::L4proto),
            Expr::cmp(crate::expr::CmpOp::Neq, [6]),
        ];
        assert!(lifts(ne, &sack_perm, Family::Inet));
    }
}
