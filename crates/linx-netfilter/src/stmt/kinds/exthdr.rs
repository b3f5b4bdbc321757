//! The kernel's `exthdr` expression as the lowering writes it and the lift reads it.
//!
//! Why raw bytes: the expression model keeps `exthdr` as an
//! [`Expr::Unknown`](crate::Expr::Unknown) with the attributes the kernel dumps (the decoder
//! already drops those it dumps but refuses on input), so the statements build and parse
//! those bytes here, in the kernel's dump order: a load is `DREG`, `TYPE`, `OFFSET`, `LEN`,
//! `FLAGS`, `OP`; a write is `SREG`, `TYPE`, `OFFSET`, `LEN`, `OP`; a strip is `TYPE`, `OP`
//! (what nft sends, in the order the kernel reports it).
//!
//! # Contract
//! - [`parse`] accepts exactly the three shapes [`load`], [`write`] and [`strip`] produce (any attribute
//!   missing, repeated, unknown or of the wrong size is `None`), so what it returns writes
//!   back to the same bytes.
//! - Nothing here panics.

use crate::Reg;
use crate::expr::Expr;

use crate::stmt::ExthdrProto;
use crate::stmt::attrs::put_attr;

/// `NFTA_EXTHDR_DREG`.
const DREG: u16 = 1;
/// `NFTA_EXTHDR_TYPE` (a `u8`).
const TYPE: u16 = 2;
/// `NFTA_EXTHDR_OFFSET`.
const OFFSET: u16 = 3;
/// `NFTA_EXTHDR_LEN`.
const LEN: u16 = 4;
/// `NFTA_EXTHDR_FLAGS`.
const FLAGS: u16 = 5;
/// `NFTA_EXTHDR_OP`.
const OP: u16 = 6;
/// `NFTA_EXTHDR_SREG`.
const SREG: u16 = 7;
/// `NFT_EXTHDR_F_PRESENT`: load 1 when the header is there, 0 when not.
const F_PRESENT: u32 = 1;

/// The expression's name.
pub(crate) const NAME: &str = "exthdr";

/// The header, option or chunk bytes an `exthdr` expression reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    /// Which kind of header.
    pub(crate) proto: ExthdrProto,
    /// Its type number.
    pub(crate) kind: u8,
    /// Byte offset in it.
    pub(crate) offset: u32,
    /// Bytes.
    pub(crate) len: u32,
}

/// A parsed `exthdr` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exthdr {
    /// Load into `dreg` (with `present`, the presence test).
    Load {
        dreg: Reg,
        target: Target,
        present: bool,
    },
    /// Write `sreg` into the packet.
    Write { sreg: Reg, target: Target },
    /// Remove the header of type `kind` (`reset tcp option ...`: the kernel overwrites
    /// the option with NOPs).
    Strip { proto: ExthdrProto, kind: u8 },
}

/// The type, offset and length attributes of `t`.
fn put_target(out: &mut Vec<u8>, t: Target) {
    put_attr(out, TYPE, &[t.kind]);
    put_attr(out, OFFSET, &t.offset.to_be_bytes());
    put_attr(out, LEN, &t.len.to_be_bytes());
}

/// `exthdr load` of `t` into `dreg` (`present`: the presence test).
pub(crate) fn load(t: Target, present: bool, dreg: Reg) -> Expr {
    let mut out = Vec::with_capacity(48);
    put_attr(&mut out, DREG, &dreg.number().to_be_bytes());
    put_target(&mut out, t);
    let flags = if present { F_PRESENT } else { 0 };
    put_attr(&mut out, FLAGS, &flags.to_be_bytes());
    put_attr(&mut out, OP, &t.proto.op().to_be_bytes());
    Expr::unknown(NAME, out)
}

/// `exthdr write` of `sreg` into `t`.
pub(crate) fn write(t: Target, sreg: Reg) -> Expr {
    let mut out = Vec::with_capacity(40);
    put_attr(&mut out, SREG, &sreg.number().to_be_bytes());
    put_target(&mut out, t);
    put_attr(&mut out, OP, &t.proto.op().to_be_bytes());
    Expr::unknown(NAME, out)
}

/// `exthdr reset` of the header of type `kind` (only `TYPE` and `OP`: the kernel refuses
/// the other attributes and dumps them as 0, which the decoder drops).
pub(crate) fn strip(proto: ExthdrProto, kind: u8) -> Expr {
    let mut out = Vec::with_capacity(16);
    put_attr(&mut out, TYPE, &[kind]);
    put_attr(&mut out, OP, &proto.op().to_be_bytes());
    Expr::unknown(NAME, out)
}

/// The load, write or strip in an `exthdr` expression's data, if it has one of the
/// three shapes.
pub(crate) fn parse(mut data: &[u8]) -> Option<Exthdr> {
    let mut v: [Option<u32>; 8] = [None; 8];
    while !data.is_empty() {
        let len = usize::from(u16::from_ne_bytes(data.get(..2)?.try_into().ok()?));
        let kind = u16::from_ne_bytes(data.get(2..4)?.try_into().ok()?);
        let payload = data.get(4..len)?;
        let n = if kind == TYPE {
            u32::from(u8::from_ne_bytes(payload.try_into().ok()?))
        } else {
            u32::from_be_bytes(payload.try_into().ok()?)
        };
        match v.get_mut(usize::from(kind)) {
            Some(slot @ None) if kind >= 1 => *slot = Some(n),
            _ => return None,
        }
        data = data.get(len.next_multiple_of(4).min(data.len())..)?;
    }
    let [_, dreg, Some(kind), offset, len, flags, Some(op), sreg] = v else {
        return None;
    };
    let (proto, kind) = (ExthdrProto::from_op(op)?, u8::try_from(kind).ok()?);
    if (dreg, sreg, offset, len, flags) == (None, None, None, None, None) {
        return Some(Exthdr::Strip { proto, kind });
    }
    let target = Target {
        proto,
        kind,
        offset: offset?,
        len: len?,
    };
    match (dreg, sreg, flags) {
        (Some(dreg), None, Some(flags @ (0 | F_PRESENT))) => Some(Exthdr::Load {
            dreg: Reg(dreg),
            target,
            present: flags == F_PRESENT,
        }),
        (None, Some(sreg), None) => Some(Exthdr::Write {
            sreg: Reg(sreg),
            target,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(e: &Expr) -> &[u8] {
        match e {
            Expr::Unknown(u) => &u.data,
            _ => panic!("not raw"),
        }
    }

    #[test]
    fn load_and_write_are_the_kernel_dumps() {
        let t = Target {
            proto: ExthdrProto::TcpOption,
            kind: 2,
            offset: 2,
            len: 2,
        };
        let l = load(t, false, Reg::R1);
        // tcp option maxseg size: as the kernel dumps it (see the decoder's tests).
        assert_eq!(
            crate::hex::encode(data(&l)),
            "080001000000000105000200020000000800030000000002080004000000000208000500000000000800060000000001"
        );
        let w = write(t, Reg::R1);
        assert_eq!(
            crate::hex::encode(data(&w)),
            "08000700000000010500020002000000080003000000000208000400000000020800060000000001"
        );
        assert_eq!(
            parse(data(&l)),
            Some(Exthdr::Load {
                dreg: Reg::R1,
                target: t,
                present: false
            })
        );
        assert_eq!(
            parse(data(&w)),
            Some(Exthdr::Write {
                sreg: Reg::R1,
                target: t
            })
        );
    }

    #[test]
    fn other_shapes_do_not_parse() {
        let t = Target {
            proto: ExthdrProto::Ip6,
            kind: 44,
            offset: 0,
            len: 1,
        };
        let good = data(&load(t, true, Reg::R1)).to_vec();
        assert!(parse(&good).is_some());
        // Truncated anywhere, or a strip (type and op only), or flags 2.
        for n in 0..good.len() {
            let _ = parse(&good[..n]);
        }
        let mut strip = Vec::new();
        put_attr(&mut strip, TYPE, &[4]);
        put_attr(&mut strip, OP, &1u32.to_be_bytes());
        // reset tcp option sack-perm, as the decoder keeps it.
        assert_eq!(
            crate::hex::encode(&strip),
            "05000200040000000800060000000001"
        );
        assert_eq!(
            parse(&strip),
            Some(Exthdr::Strip {
                proto: ExthdrProto::TcpOption,
                kind: 4
            })
        );
        assert_eq!(data(&super::strip(ExthdrProto::TcpOption, 4)), &strip[..]);
        // Offset without length.
        let mut half = strip.clone();
        put_attr(&mut half, OFFSET, &0u32.to_be_bytes());
        assert_eq!(parse(&half), None);
        let mut bad = good.clone();
        let at = bad.len() - 12 + 4; // FLAGS payload
        bad[at + 3] = 2;
        assert_eq!(parse(&bad), None);
        // A repeated attribute.
        let mut twice = good.clone();
        twice.extend_from_slice(&good[..8]);
        assert_eq!(parse(&twice), None);
        // An unknown op.
        let mut op = good;
        let last = op.len() - 1;
        op[last] = 9;
        assert_eq!(parse(&op), None);
    }
}
