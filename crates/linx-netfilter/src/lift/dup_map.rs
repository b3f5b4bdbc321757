//! `dup` whose gateway register holds a map lookup's result: [`Statement::DupMap`].

use super::{Lifter, Loaded, Pending};
use crate::Reg;
use crate::stmt::{DupMap, RegStmt, Statement, decode_reg_stmt};

impl Lifter<'_> {
    /// Whether `dup`'s address register holds a lookup's result.
    pub(super) fn dup_reads_lookup(&self, data: &[u8]) -> bool {
        let Some(RegStmt::Dup { addr: Some(r), .. }) = decode_reg_stmt("dup", data) else {
            return false;
        };
        matches!(self.regs.get(&r), Some(p) if matches!(p.loaded, Loaded::Mapped { .. }))
    }

    /// `dup to <key> map <map> [device "name"]` from the lookup's result and the device
    /// index's immediate.
    pub(super) fn dup_map(&mut self, data: &[u8]) -> Result<(), Vec<Pending>> {
        let Some(RegStmt::Dup { addr: Some(r), dev }) = decode_reg_stmt("dup", data) else {
            return Err(Vec::new());
        };
        let device = match dev {
            Some(d) => {
                let bytes = self.data(Reg(d)).ok_or_else(Vec::new)?;
                Some(u32::from_ne_bytes(
                    bytes.try_into().map_err(|_| Vec::new())?,
                ))
            }
            None => None,
        };
        let Some(p) = self.take(Reg(r)) else {
            return Err(Vec::new());
        };
        let Loaded::Mapped { lookup, deps } = &p.loaded else {
            return Err(vec![p]);
        };
        let (lookup, deps) = (lookup.clone(), deps.clone());
        self.drop_deps(&deps);
        if let Some(d) = dev {
            self.regs.remove(&d);
        }
        self.out.push(Statement::DupMap(DupMap { lookup, device }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::lift::{is_fully_lifted, lift_in};
    use crate::print::Printer;
    use crate::stmt::{Dup, DupMap, HeaderField as H, MapLookup, Statement};
    use crate::{DataType, Family, KeyType, Map, Table};

    fn table() -> Table {
        let mut t = Table::new(Family::Ip, "t");
        t.add_map(Map::new(
            "gw",
            KeyType::Ipv4Addr,
            DataType::Value(KeyType::Ipv4Addr),
        ))
        .unwrap();
        t
    }

    #[test]
    fn dup_to_a_lookup_lifts_and_prints() {
        let t = table();
        let printer = Printer::new().with_ifname(1, "lo");
        for (device, text) in [
            (None, "dup to ip saddr map @gw"),
            (Some(1), "dup to ip saddr map @gw device \"lo\""),
        ] {
            let lookup = MapLookup::new(H::IpSaddr, "gw").unwrap();
            let stmts = vec![Statement::DupMap(DupMap { lookup, device })];
            let exprs = Statement::lower_all(Family::Ip, &stmts).unwrap();
            assert_eq!(lift_in(&exprs, &t), stmts);
            assert_eq!(printer.statements(&stmts, &t).as_deref(), Some(text));
        }
        // Not in inet tables, as nft refuses it there.
        let lookup = MapLookup::new(H::IpSaddr, "gw").unwrap();
        let stmt = Statement::DupMap(DupMap {
            lookup,
            device: None,
        });
        assert!(Statement::lower_all(Family::Inet, &[stmt]).is_err());
    }

    #[test]
    fn a_dup_device_not_an_immediate_stays_an_expression() {
        let t = table();
        let lookup = MapLookup::new(H::IpSaddr, "gw").unwrap();
        let stmts = vec![Statement::DupMap(DupMap {
            lookup,
            device: Some(1),
        })];
        let mut exprs = Statement::lower_all(Family::Ip, &stmts).unwrap();
        // Drop the device's immediate: register 2 then holds nothing known.
        exprs.retain(|e| !matches!(e, crate::Expr::Immediate(_)));
        assert!(!is_fully_lifted(&lift_in(&exprs, &t)));
        // A plain dup still lifts as before.
        let plain = vec![Statement::Dup(Dup {
            addr: Some(linx_ip::ip!("10.0.0.2")),
            device: None,
        })];
        let exprs = Statement::lower_all(Family::Ip, &plain).unwrap();
        assert_eq!(lift_in(&exprs, &t), plain);
    }
}
