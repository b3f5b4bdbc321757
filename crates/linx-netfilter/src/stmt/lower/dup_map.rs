//! Lowering of `dup to <key> map <map> [device "name"]`.

use super::{Cx, LowerError};
use crate::stmt::DupMap;
use crate::stmt::kinds::{self, RegStmt};
use crate::{Expr, Family, Reg};

impl Cx<'_> {
    /// The lookup's result (the gateway) in register 1, the device index in register 2,
    /// then `dup` reading them, as nft writes it in ip and ip6 tables.
    pub(super) fn dup_map(&mut self, d: &DupMap) -> Result<(), LowerError> {
        if !matches!(self.family, Family::Ip | Family::Ip6) {
            return Err(LowerError::NotInFamily {
                what: "dup to a map's address",
                family: self.family,
            });
        }
        self.map_lookup(&d.lookup, 0)?;
        if let Some(dev) = d.device {
            self.out.push(Expr::immediate(Reg::R2, dev.to_ne_bytes()));
        }
        self.out.push(kinds::encode_reg_stmt(&RegStmt::Dup {
            addr: Some(1),
            dev: d.device.map(|_| 2),
        }));
        Ok(())
    }
}
