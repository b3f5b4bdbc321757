//! Fields and statements of the kernel's special-purpose expressions: route lookups (`fib`,
//! `rt`), generated numbers and hashes (`numgen`, `jhash`, `symhash`), the packet's socket
//! (`socket`), passive OS fingerprints (`osf`), IPsec state (`ipsec`, the kernel's `xfrm`),
//! and the statements `tproxy`, `synproxy`, `dup`, `fwd` and `ct count` (`connlimit`).
//!
//! Why this module: the register-level model keeps these expressions raw
//! ([`Expr::Unknown`]: the kernel name and the attribute bytes), so the statement layer
//! writes and reads their attributes itself. Both directions live side by side in each
//! kind's module, so a layout is written down once: the lowering encodes, the lift decodes.
//!
//! One module per kind holds its model, checks, print, encode and decode: [`fib`], [`rt`], [`numgen`], [`hash`] (`jhash`,
//! `symhash`), [`socket`], [`osf`], [`ipsec`] (`xfrm`), [`tproxy`], [`synproxy`], [`dup`]
//! (`dup`, `fwd`) and [`connlimit`] (`ct count`). [`exthdr`] (extension header loads,
//! writes and strips; `stmt::exthdr_wire` to the rest of the crate), [`ctdir`] (conntrack
//! keys read with a direction) and [`payload_set`] (header writes: the payload write with
//! its checksum attributes) write and read their raw bytes on their own. [`attrs`] is the
//! attribute writer and reader the kinds share. This module only routes, one line per kind, to
//! the kind's `encode` and `decode`: [`info`], [`load`] and [`decode_load`] for the field
//! loads, [`encode_reg_stmt`] and [`decode_reg_stmt`] for the statements whose operands sit
//! in registers.
//!
//! # Contract
//! - Encoders write the attributes in the order and with the values the kernel dumps for
//!   what nft 1.0.6 sends (`tests/lower/golden.json` holds them against nft), which is what
//!   a pull returns; the kernel takes attributes in any order, so the same bytes push.
//! - Decoders read exactly the attributes an expression may have; anything else (an unknown
//!   attribute, a duplicate, a value out of range) gives `None` and the rule stays
//!   expressions. The lift's verification re-encodes and compares bytes, so a decoder never
//!   has to be stricter than that.
//! - Widths, byte orders and datatypes are nft's (`src/fib.c`, `rt.c`, `numgen.c`,
//!   `hash.c`, `socket.c`, `osf.c`, `xfrm.c` of nft 1.0.6), as the kernel loads them.
//! - Nothing here panics or allocates beyond the bytes it returns.

mod attrs;
mod connlimit;
pub(crate) mod ctdir;
mod dup;
pub(crate) mod exthdr;
mod fib;
mod hash;
mod ipsec;
mod numgen;
mod osf;
pub(crate) mod payload_set;
mod rt;
mod socket;
mod synproxy;
mod tproxy;

pub(crate) use connlimit::{decode_connlimit, encode_connlimit};
pub use dup::{Dup, Fwd};
pub use fib::{Fib, FibResult};
use hash::HashLoad;
pub(crate) use hash::PartialJhash;
pub use hash::{Hash, HashKey};
pub use ipsec::{Ipsec, IpsecKey};
pub use numgen::Numgen;
pub use osf::{Osf, OsfTtl};
pub use rt::RtKey;
pub use socket::SocketKey;
pub use synproxy::Synproxy;
pub use tproxy::Tproxy;

use super::{Datatype, Field};
use crate::expr::ByteOrder;
use crate::{Expr, Reg};

/// Width in bytes, byte order and datatype of the special fields (`None` for the others).
pub(crate) fn info(field: &Field) -> Option<(u32, ByteOrder, Datatype)> {
    use ByteOrder::{Big, Host};
    Some(match field {
        Field::Fib(fib) => match (fib.present, fib.result) {
            (true, _) => (4, Host, Datatype::Boolean),
            (false, FibResult::Oif) => (4, Host, Datatype::IfIndex),
            (false, FibResult::Oifname) => (16, Big, Datatype::Ifname),
            (false, FibResult::Type) => (4, Host, Datatype::FibAddr),
        },
        Field::Rt(key) => match key {
            RtKey::Classid => (4, Host, Datatype::Realm),
            RtKey::Nexthop4 => (4, Big, Datatype::Ipv4Addr),
            RtKey::Nexthop6 => (16, Big, Datatype::Ipv6Addr),
            RtKey::Mtu => (2, Host, Datatype::Integer),
            RtKey::Ipsec => (1, Host, Datatype::Boolean),
        },
        Field::Numgen(_) | Field::Hash(_) => (4, Host, Datatype::Integer),
        Field::Socket(key) => match key {
            SocketKey::Transparent | SocketKey::Wildcard => (1, Host, Datatype::Integer),
            SocketKey::Mark => (4, Host, Datatype::Mark),
            SocketKey::Cgroupv2(_) => (8, Host, Datatype::Cgroupv2),
        },
        Field::Osf(_) => (16, Big, Datatype::String),
        Field::Ipsec(i) => match i.key {
            IpsecKey::Daddr4 | IpsecKey::Saddr4 => (4, Big, Datatype::Ipv4Addr),
            IpsecKey::Daddr6 | IpsecKey::Saddr6 => (16, Big, Datatype::Ipv6Addr),
            IpsecKey::Reqid => (4, Host, Datatype::Integer),
            IpsecKey::Spi => (4, Big, Datatype::Integer),
        },
        _ => return None,
    })
}

/// The expression loading a special field into `dreg` (a `jhash` reads its key from
/// register 2 on, where [`hash_key_reg`] says the caller loads it). `None` for other fields.
pub(crate) fn load(field: &Field, dreg: Reg) -> Option<Expr> {
    let d = dreg.number();
    Some(match field {
        Field::Fib(fib) => fib::encode(fib, d),
        Field::Rt(key) => rt::encode(*key, d),
        Field::Numgen(n) => numgen::encode(n, d),
        Field::Hash(h) => hash::encode(h, d, hash_key_reg().number()),
        Field::Socket(key) => socket::encode(*key, d),
        Field::Osf(o) => osf::encode(o, d),
        Field::Ipsec(i) => ipsec::encode(i, d),
        _ => return None,
    })
}

/// The register a `jhash` key starts in (nft's: register 2, then the 4-byte registers after
/// it for further fields).
pub(crate) fn hash_key_reg() -> Reg {
    Reg::R2
}

/// A decoded special field load.
pub(crate) enum SpecialLoad {
    /// The field, loaded into register `dreg`.
    Field {
        /// The field.
        field: Field,
        /// Destination register.
        dreg: u32,
    },
    /// A `jhash` into `dreg` of the `len` key bytes from register `sreg` on: the lift names
    /// the key from the loads there and completes it with [`PartialJhash::with`].
    Jhash {
        /// The hash without its key.
        hash: PartialJhash,
        /// Destination register.
        dreg: u32,
        /// Source register of the key.
        sreg: u32,
        /// Key length in bytes.
        len: u32,
    },
}

/// Reads a special field load (`fib`, `rt`, `numgen`, `hash`, `socket`, `osf`, `xfrm`).
pub(crate) fn decode_load(name: &str, data: &[u8]) -> Option<SpecialLoad> {
    let plain = |field: Field, dreg: u32| SpecialLoad::Field { field, dreg };
    match name {
        "fib" => fib::decode(data).map(|(f, d)| plain(Field::Fib(f), d)),
        "rt" => rt::decode(data).map(|(k, d)| plain(Field::Rt(k), d)),
        "numgen" => numgen::decode(data).map(|(n, d)| plain(Field::Numgen(n), d)),
        "hash" => hash::decode(data).map(SpecialLoad::from),
        "socket" => socket::decode(data).map(|(k, d)| plain(Field::Socket(k), d)),
        "osf" => osf::decode(data).map(|(o, d)| plain(Field::Osf(o), d)),
        "xfrm" => ipsec::decode(data).map(|(i, d)| plain(Field::Ipsec(i), d)),
        _ => None,
    }
}

impl From<HashLoad> for SpecialLoad {
    fn from(load: HashLoad) -> SpecialLoad {
        match load {
            HashLoad::Symhash { hash, dreg } => SpecialLoad::Field {
                field: Field::Hash(hash),
                dreg,
            },
            HashLoad::Jhash {
                hash,
                dreg,
                sreg,
                len,
            } => SpecialLoad::Jhash {
                hash,
                dreg,
                sreg,
                len,
            },
        }
    }
}

/// The register attributes of a decoded `tproxy`, `dup` or `fwd` (the lift reads the
/// registers' immediates).
pub(crate) enum RegStmt {
    /// `tproxy`: family number, address and port registers.
    Tproxy {
        family: u32,
        addr: Option<u32>,
        port: Option<u32>,
    },
    /// `dup`: address and device registers.
    Dup { addr: Option<u32>, dev: Option<u32> },
    /// `fwd`: device register, and address register with its family number.
    Fwd { dev: u32, addr: Option<(u32, u32)> },
}

/// The expression of a `tproxy`, `dup` or `fwd` whose operands sit in registers.
pub(crate) fn encode_reg_stmt(s: &RegStmt) -> Expr {
    match s {
        RegStmt::Tproxy { family, addr, port } => tproxy::encode(*family, *addr, *port),
        RegStmt::Dup { addr, dev } => dup::encode_dup(*addr, *dev),
        RegStmt::Fwd { dev, addr } => dup::encode_fwd(*dev, *addr),
    }
}

/// Reads a `tproxy`, `dup` or `fwd` expression.
pub(crate) fn decode_reg_stmt(name: &str, data: &[u8]) -> Option<RegStmt> {
    match name {
        "tproxy" => {
            tproxy::decode(data).map(|(family, addr, port)| RegStmt::Tproxy { family, addr, port })
        }
        "dup" => dup::decode_dup(data).map(|(addr, dev)| RegStmt::Dup { addr, dev }),
        "fwd" => dup::decode_fwd(data).map(|(dev, addr)| RegStmt::Fwd { dev, addr }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stmt::HeaderField;

    #[test]
    fn loads_decode_to_what_they_encode() {
        let key = HashKey::new(&[HeaderField::IpSaddr, HeaderField::TcpDport]).unwrap();
        let fields = [
            Field::Fib(Fib::new(false, true, true, false, FibResult::Oif, true).unwrap()),
            Field::Fib(Fib::new(true, false, false, false, FibResult::Type, false).unwrap()),
            Field::Rt(RtKey::Mtu),
            Field::Numgen(Numgen::new(true, 10, 5).unwrap()),
            Field::Hash(Hash::symhash(2, 0).unwrap()),
            Field::Hash(Hash::jhash(key, 4, Some(1), 100).unwrap()),
            Field::Socket(SocketKey::Cgroupv2(2)),
            Field::Osf(Osf {
                ttl: OsfTtl::Loose,
                version: true,
            }),
            Field::Ipsec(Ipsec {
                out: true,
                spnum: 3,
                key: IpsecKey::Saddr6,
            }),
        ];
        for f in fields {
            let Some(Expr::Unknown(u)) = load(&f, Reg::R1) else {
                panic!("{f}: no load");
            };
            let got = match decode_load(&u.name, &u.data).unwrap() {
                SpecialLoad::Field { field, dreg } => {
                    assert_eq!(dreg, 1);
                    field
                }
                SpecialLoad::Jhash {
                    hash,
                    dreg,
                    sreg,
                    len,
                } => {
                    assert_eq!((dreg, sreg, len), (1, 2, 8));
                    hash.with(key).unwrap()
                }
            };
            assert_eq!(got, f);
        }
    }

    #[test]
    fn statements_decode_to_what_they_encode() {
        let s = Synproxy {
            mss: Some(1460),
            wscale: None,
            timestamp: true,
            sack_perm: false,
        };
        let Expr::Unknown(u) = s.encode() else {
            panic!()
        };
        assert_eq!(Synproxy::decode(&u.data), Some(s));
        let Expr::Unknown(u) = encode_connlimit(20, true) else {
            panic!()
        };
        assert_eq!(decode_connlimit(&u.data), Some((20, true)));
        let Expr::Unknown(u) = encode_reg_stmt(&RegStmt::Fwd {
            dev: 1,
            addr: Some((2, 2)),
        }) else {
            panic!()
        };
        assert!(matches!(
            decode_reg_stmt("fwd", &u.data),
            Some(RegStmt::Fwd {
                dev: 1,
                addr: Some((2, 2))
            })
        ));
    }

    #[test]
    fn serde_forms_are_checked() {
        let key = HashKey::new(&[HeaderField::IpSaddr, HeaderField::TcpDport]).unwrap();
        let h = Field::Hash(Hash::jhash(key, 4, Some(1), 0).unwrap());
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"hash":{"key":["ip_saddr","tcp_dport"],"seed":1,"modulus":4,"offset":0}}"#
        );
        assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), h);
        // Constructors' checks hold for JSON too.
        let zero = r#"{"numgen":{"random":true,"modulus":0,"offset":0}}"#;
        assert!(serde_json::from_str::<Field>(zero).is_err());
        let fib = r#"{"fib":{"daddr":true,"mark":false,"iif":true,"oif":true,"result":"type","present":false}}"#;
        assert!(serde_json::from_str::<Field>(fib).is_err());
        let t = crate::stmt::Statement::Tproxy(Tproxy::new(None, None, Some(53)).unwrap());
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"tproxy":{"port":53}}"#
        );
    }

    #[test]
    fn malformed_data_decodes_to_nothing() {
        for name in ["fib", "rt", "numgen", "hash", "socket", "osf", "xfrm"] {
            assert!(decode_load(name, &[1, 2, 3]).is_none());
            assert!(decode_load(name, &[]).is_none());
        }
        assert!(decode_reg_stmt("dup", &[8, 0, 9, 0, 0, 0, 0, 1]).is_none());
        assert!(Synproxy::decode(&[]).is_none());
        assert!(decode_connlimit(&[8, 0, 2, 0, 0, 0, 0, 1]).is_none());
    }
}
