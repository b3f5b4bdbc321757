//! [`encode_set`]: the attributes of a `NEWSET` message.
//!
//! # Contract
//! - Attribute order and content as nft(8) 1.0.6 writes them (see the parent module's docs);
//!   attributes kept raw in [`SetExtras::attrs`](crate::SetExtras::attrs) are appended unchanged.

use linx_netlink_codec::consts::NLA_F_NESTED;

use super::elements::Plan;
use super::spec::SetSpec;
use super::userdata::set_userdata;
use crate::SetFlags;
use crate::wire::Writer;
use crate::wire::attr::{list, set as sa, set_desc, set_field};

/// Append the `NEWSET` attributes (after the nfgenmsg) for `spec` in table `table`.
pub(crate) fn encode_set(
    w: &mut Writer<'_>,
    table: &str,
    spec: &SetSpec<'_>,
) -> Result<(), crate::Error> {
    if let Some(why) = spec.key.problem() {
        return Err(crate::Error::Encode {
            what: "set".into(),
            reason: why.into(),
        });
    }
    w.put_str(sa::NFTA_SET_TABLE, table)?;
    w.put_str(sa::NFTA_SET_NAME, spec.name)?;
    w.put_be32(sa::NFTA_SET_FLAGS, spec.wire_flags().bits())?;
    w.put_be32(sa::NFTA_SET_KEY_TYPE, spec.key.type_id())?;
    w.put_be32(sa::NFTA_SET_KEY_LEN, spec.key.key_len())?;
    if let Some(data) = spec.data {
        w.put_be32(sa::NFTA_SET_DATA_TYPE, data.type_id())?;
        w.put_be32(sa::NFTA_SET_DATA_LEN, data.data_len())?;
    }
    w.put_be32(sa::NFTA_SET_ID, spec.id)?;
    let size = match spec.size {
        Some(size) => Some(size),
        None if spec
            .flags
            .intersects(SetFlags::CONSTANT | SetFlags::ANONYMOUS) =>
        {
            let n = Plan::new(spec, spec.elems)?.wire_count();
            u32::try_from(n).ok().filter(|&n| n > 0)
        }
        None => None,
    };
    let pipapo = spec.is_pipapo();
    if size.is_some() || pipapo {
        let desc = w.begin_nest(sa::NFTA_SET_DESC, true);
        if let Some(size) = size {
            w.put_be32(set_desc::NFTA_SET_DESC_SIZE, size)?;
        }
        if pipapo && !spec.extras.concat.is_empty() {
            w.put(
                set_desc::NFTA_SET_DESC_CONCAT | NLA_F_NESTED,
                &spec.extras.concat,
            )?;
        } else if pipapo {
            let concat = w.begin_nest(set_desc::NFTA_SET_DESC_CONCAT, true);
            for field in spec.key.fields() {
                let f = w.begin_nest(list::NFTA_LIST_ELEM, true);
                w.put_be32(set_field::NFTA_SET_FIELD_LEN, field.key_len())?;
                w.end_nest(f)?;
            }
            w.end_nest(concat)?;
        }
        w.end_nest(desc)?;
    }
    if let Some(ms) = spec.timeout_ms {
        w.put_be64(sa::NFTA_SET_TIMEOUT, ms)?;
    }
    if let Some(ms) = spec.gc_interval_ms {
        w.put_be32(sa::NFTA_SET_GC_INTERVAL, ms)?;
    }
    w.put(sa::NFTA_SET_USERDATA, &set_userdata(spec)?)?;
    // Attributes the model does not decode, as pulled (already padded attributes).
    w.buffer().extend_from_slice(&spec.extras.attrs);
    Ok(())
}
