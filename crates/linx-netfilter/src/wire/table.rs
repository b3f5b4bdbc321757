//! Tables, chains, rules, objects and flowtables on the wire.
//!
//! # Contract
//! - Encoders write the attributes (after the nfgenmsg) in the order nft(8) 1.0.6 writes them:
//!   table `name, flags`; chain `table, name, type, policy, hook {num, priority, dev or
//!   devs}, flags,
//!   userdata` (raw, as pulled);
//!   rule `table, chain, [handle], expressions, userdata`; object `table, name, type,
//!   userdata, data`; flowtable `table, name, hook {num, priority, devs}, flags`.
//! - Rule userdata is a TLV stream (`type u8, len u8, value`): the Linx tag (type 16) first,
//!   then the comment (type 0, libnftnl's), both NUL-terminated; omitted when neither is set.
//!   Decoding ignores other TLV types. Object comments use type 0 as libnftnl does.
//! - Table, chain, object and flowtable attributes are declared once with the codec's
//!   `typed_attrs!` (the first occurrence of an attribute is read, unknown ones are ignored;
//!   nests are declared with and without `NLA_F_NESTED`, which nft sets and the kernel's
//!   dumps do not). A rule's attributes are read in one pass that borrows the table and
//!   chain names and decodes each expression in place: a pull of 10k rules looks each
//!   rule's chain up by them, and declared sets own their strings.
//! - Decoders never panic and keep what the model can carry: unknown object kinds stay
//!   [`ObjectKind::Raw`], table and chain userdata stay raw bytes.
//! - Normalisation on decode, so what Linx pushes comes back equal: the kernel's implicit
//!   `NFT_CHAIN_BASE` flag is dropped; a base chain's priority that is exactly a named priority
//!   of the family comes back as that name ([`Priority::Named`]), any other value as
//!   [`Priority::Value`].

use linx_netlink_codec::consts::NLA_F_NESTED;
use linx_netlink_codec::value::ListOf;
use linx_netlink_codec::{Be32, Be64, DecodeCx, DecodeError, RawAttrs, WireOrder, typed_attrs};

use super::attr::flowtable_hook as fh;
use super::attr::{chain as ca, counter as cnt, device, flowtable as fa, hook as ha, limit as la};
use super::attr::{list, obj as oa, quota as qa, rule as ra, table as ta};
use super::expr::{self, SetRefs};
use super::{NftStr, Writer, invalid};
use crate::consts::chain::NFT_CHAIN_BASE;
use crate::expr::RateUnit;
use crate::family::PriorityName;
use crate::{
    BaseChain, Chain, ChainFlags, ChainKind, ChainType, Family, Flowtable, FlowtableFlags, Hook,
    Object, ObjectKind, Policy, Priority, Rule, Table, TableFlags,
};

/// `NFTNL_UDATA_RULE_COMMENT` / `NFTNL_UDATA_OBJ_COMMENT`.
pub(crate) const UDATA_COMMENT: u8 = 0;
/// The Linx rule tag TLV type.
pub(crate) const UDATA_TAG: u8 = 16;

/// `NFT_LIMIT_PKT_BYTES`.
const LIMIT_BYTES: u32 = 1;
/// `NFT_LIMIT_F_INV` / `NFT_QUOTA_F_INV`.
const F_INV: u32 = 1;

/// Write the `NEWTABLE` attributes.
pub(crate) fn encode_table(
    w: &mut Writer<'_>,
    name: &str,
    flags: TableFlags,
) -> Result<(), crate::Error> {
    w.put_str(ta::NFTA_TABLE_NAME, name)?;
    if !flags.is_empty() {
        w.put_be32(ta::NFTA_TABLE_FLAGS, flags.bits())?;
    }
    Ok(())
}

/// Write the attributes naming table `table` only (`DESTROYTABLE`, `GETTABLE`).
pub(crate) fn encode_table_name(w: &mut Writer<'_>, table: &str) -> Result<(), crate::Error> {
    w.put_str(ta::NFTA_TABLE_NAME, table)?;
    Ok(())
}

/// Write the `NEWCHAIN` attributes of `chain` in `table` of `family`.
pub(crate) fn encode_chain(
    w: &mut Writer<'_>,
    family: Family,
    table: &str,
    chain: &Chain,
) -> Result<(), crate::Error> {
    w.put_str(ca::NFTA_CHAIN_TABLE, table)?;
    w.put_str(ca::NFTA_CHAIN_NAME, chain.name())?;
    if let ChainKind::Base(base) = &chain.kind {
        w.put_str(ca::NFTA_CHAIN_TYPE, base.chain_type.as_str())?;
        if let Some(policy) = base.policy {
            w.put_be32(ca::NFTA_CHAIN_POLICY, policy.code())?;
        }
        let bad = |reason| crate::Error::BadChain {
            table: crate::TableId::new(family, table),
            chain: chain.name().to_owned(),
            reason,
        };
        let hooknum = base.hook.number(family).ok_or_else(|| {
            bad(crate::Reason::HookNotInFamily {
                hook: base.hook,
                family,
            })
        })?;
        let priority = base.priority.resolve(family).map_err(bad)?;
        let nest = w.begin_nest(ca::NFTA_CHAIN_HOOK, true);
        w.put_be32(ha::NFTA_HOOK_HOOKNUM, hooknum)?;
        w.put_be32(ha::NFTA_HOOK_PRIORITY, priority as u32)?;
        match base.devices.as_slice() {
            [] => {}
            [dev] => w.put_str(ha::NFTA_HOOK_DEV, dev)?,
            devs => {
                let list = w.begin_nest(ha::NFTA_HOOK_DEVS, true);
                for dev in devs {
                    w.put_str(device::NFTA_DEVICE_NAME, dev)?;
                }
                w.end_nest(list)?;
            }
        }
        w.end_nest(nest)?;
    }
    if !chain.flags.is_empty() {
        w.put_be32(ca::NFTA_CHAIN_FLAGS, chain.flags.bits())?;
    }
    if let Some(userdata) = &chain.userdata {
        w.put(ca::NFTA_CHAIN_USERDATA, userdata)?;
    }
    Ok(())
}

/// The userdata TLV stream for `tag` and `comment` (rules; objects carry only a comment),
/// or `None` when both are absent.
pub(crate) fn userdata(tag: Option<&str>, comment: Option<&str>) -> Option<Vec<u8>> {
    if tag.is_none() && comment.is_none() {
        return None;
    }
    let mut out = Vec::new();
    for (kind, text) in [(UDATA_TAG, tag), (UDATA_COMMENT, comment)] {
        if let Some(text) = text {
            // Validation keeps both well under 255 bytes; saturate rather than wrap anyway.
            out.push(kind);
            out.push(u8::try_from(text.len() + 1).unwrap_or(u8::MAX));
            out.extend_from_slice(text.as_bytes());
            out.push(0);
        }
    }
    Some(out)
}

/// Tag and comment from a rule userdata TLV stream; other TLV types are skipped. A truncated
/// TLV ends the walk.
pub(crate) fn parse_userdata(data: &[u8]) -> (Option<String>, Option<String>) {
    let (mut tag, mut comment) = (None, None);
    let mut rest = data;
    while let [kind, len, tail @ ..] = rest {
        let len = usize::from(*len);
        let Some(value) = tail.get(..len) else { break };
        let text = match value.iter().position(|&b| b == 0) {
            Some(end) => &value[..end],
            None => value,
        };
        let text = String::from_utf8_lossy(text).into_owned();
        match *kind {
            UDATA_TAG => tag = Some(text),
            UDATA_COMMENT => comment = Some(text),
            _ => {}
        }
        rest = &tail[len..];
    }
    (tag, comment)
}

/// Write the `NEWRULE` attributes of `rule` in `table`/`chain`.
pub(crate) fn encode_rule(
    w: &mut Writer<'_>,
    table: &str,
    chain: &str,
    rule: &Rule,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    encode_rule_at(w, table, chain, None, None, rule, refs)
}

/// [`encode_rule`] with the handle of the rule replaced (`NFTA_RULE_HANDLE`, right after the
/// chain) or the handle it is inserted before (`NFTA_RULE_POSITION`, after the expressions),
/// in the attribute order of nft 1.0.6's `replace rule` and `insert rule ... position`.
pub(crate) fn encode_rule_at(
    w: &mut Writer<'_>,
    table: &str,
    chain: &str,
    handle: Option<u64>,
    position: Option<u64>,
    rule: &Rule,
    refs: &mut dyn SetRefs,
) -> Result<(), crate::Error> {
    w.put_str(ra::NFTA_RULE_TABLE, table)?;
    w.put_str(ra::NFTA_RULE_CHAIN, chain)?;
    if let Some(h) = handle {
        w.put_be64(ra::NFTA_RULE_HANDLE, h)?;
    }
    let nest = w.begin_nest(ra::NFTA_RULE_EXPRESSIONS, true);
    for e in &rule.exprs {
        expr::encode(w, e, refs)?;
    }
    w.end_nest(nest).map_err(|e| crate::Error::Encode {
        what: format!("rule expressions of chain {chain}"),
        reason: e.to_string(),
    })?;
    if let Some(p) = position {
        w.put_be64(ra::NFTA_RULE_POSITION, p)?;
    }
    if let Some(ud) = userdata(rule.tag.as_deref(), rule.comment.as_deref()) {
        w.put(ra::NFTA_RULE_USERDATA, &ud)?;
    }
    Ok(())
}

/// Write the `NEWOBJ` attributes of `object` in `table`.
pub(crate) fn encode_object(
    w: &mut Writer<'_>,
    table: &str,
    object: &Object,
) -> Result<(), crate::Error> {
    w.put_str(oa::NFTA_OBJ_TABLE, table)?;
    w.put_str(oa::NFTA_OBJ_NAME, &object.name)?;
    w.put_be32(oa::NFTA_OBJ_TYPE, object.kind.object_type().number())?;
    if let Some(ud) = userdata(None, object.comment.as_deref()) {
        w.put(oa::NFTA_OBJ_USERDATA, &ud)?;
    }
    let nest = w.begin_nest(oa::NFTA_OBJ_DATA, true);
    match &object.kind {
        ObjectKind::Counter { packets, bytes } => {
            w.put_be64(cnt::NFTA_COUNTER_BYTES, *bytes)?;
            w.put_be64(cnt::NFTA_COUNTER_PACKETS, *packets)?;
        }
        ObjectKind::Quota { bytes, over, used } => {
            w.put_be64(qa::NFTA_QUOTA_BYTES, *bytes)?;
            w.put_be64(qa::NFTA_QUOTA_CONSUMED, *used)?;
            w.put_be32(qa::NFTA_QUOTA_FLAGS, if *over { F_INV } else { 0 })?;
        }
        ObjectKind::Limit {
            rate,
            unit,
            burst,
            bytes,
            over,
        } => {
            w.put_be64(la::NFTA_LIMIT_RATE, *rate)?;
            w.put_be64(la::NFTA_LIMIT_UNIT, unit.seconds())?;
            w.put_be32(la::NFTA_LIMIT_BURST, *burst)?;
            w.put_be32(la::NFTA_LIMIT_TYPE, if *bytes { LIMIT_BYTES } else { 0 })?;
            w.put_be32(la::NFTA_LIMIT_FLAGS, if *over { F_INV } else { 0 })?;
        }
        ObjectKind::Raw { data, .. } => w.buffer().extend_from_slice(data),
    }
    w.end_nest(nest)?;
    Ok(())
}

/// Write the `NEWFLOWTABLE` attributes of `ft` in `table` of `family`.
pub(crate) fn encode_flowtable(
    w: &mut Writer<'_>,
    family: Family,
    table: &str,
    ft: &Flowtable,
) -> Result<(), crate::Error> {
    w.put_str(fa::NFTA_FLOWTABLE_TABLE, table)?;
    w.put_str(fa::NFTA_FLOWTABLE_NAME, &ft.name)?;
    let priority = ft
        .priority
        .resolve(family)
        .map_err(|reason| crate::Error::BadFlowtable {
            table: crate::TableId::new(family, table),
            flowtable: ft.name.clone(),
            reason,
        })?;
    let hook = w.begin_nest(fa::NFTA_FLOWTABLE_HOOK, true);
    w.put_be32(
        super::attr::flowtable_hook::NFTA_FLOWTABLE_HOOK_NUM,
        ft.hook.number(Family::Netdev).unwrap_or(0),
    )?;
    w.put_be32(
        super::attr::flowtable_hook::NFTA_FLOWTABLE_HOOK_PRIORITY,
        priority as u32,
    )?;
    let devs = w.begin_nest(super::attr::flowtable_hook::NFTA_FLOWTABLE_HOOK_DEVS, true);
    for dev in &ft.devices {
        w.put_str(device::NFTA_DEVICE_NAME, dev)?;
    }
    w.end_nest(devs)?;
    w.end_nest(hook)?;
    if !ft.flags.is_empty() {
        w.put_be32(fa::NFTA_FLOWTABLE_FLAGS, ft.flags.bits())?;
    }
    Ok(())
}

/// The attributes of a `NEWTABLE` message, declared once.
#[derive(Default)]
struct TableAttrs {
    name: Option<String>,
    flags: Option<Be32>,
    use_count: Option<Be32>,
    handle: Option<Be64>,
    userdata: Option<Vec<u8>>,
    owner: Option<Be32>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl TableAttrs {
        1: ta::NFTA_TABLE_NAME => name as NftStr,
        2: ta::NFTA_TABLE_FLAGS => flags as Be32,
        3: ta::NFTA_TABLE_USE => use_count as Be32,
        4: ta::NFTA_TABLE_HANDLE => handle as Be64,
        5: ta::NFTA_TABLE_USERDATA => userdata as Vec<u8>,
        6: ta::NFTA_TABLE_OWNER => owner as Be32,
    }
}

/// The port id that owns the table of a `NEWTABLE` message (`NFTA_TABLE_OWNER`), if it is
/// an owner table.
pub(crate) fn decode_table_owner(attrs: &[u8]) -> Result<Option<u32>, DecodeError> {
    let a = TableAttrs::with_attrs(TableAttrs::default(), attrs, 0, DecodeCx::default())?;
    Ok(a.owner.map(u32::from))
}

/// Decode a `NEWTABLE` message of `family` (other attributes, such as the owner, are
/// not part of the model).
pub(crate) fn decode_table(family: Family, attrs: &[u8]) -> Result<Table, DecodeError> {
    let a = TableAttrs::with_attrs(TableAttrs::default(), attrs, 0, DecodeCx::default())?;
    let mut table = Table::new(family, a.name.ok_or_else(|| invalid("table name", 0))?);
    table.flags = TableFlags::from_bits_retain(a.flags.map_or(0, u32::from));
    table.handle = a.handle.map(u64::from);
    table.use_count = a.use_count.map(u32::from);
    table.userdata = a.userdata;
    Ok(table)
}

/// The named priority of `family` whose value is exactly `value`, else the number.
fn priority_from(family: Family, value: i32) -> Priority {
    PriorityName::ALL
        .iter()
        .find(|name| name.value(family) == Some(value))
        .map_or(Priority::Value(value), |&name| Priority::named(name))
}

/// The codec of a device list (`NFTA_HOOK_DEVS`, `NFTA_FLOWTABLE_HOOK_DEVS`): repeated
/// `NFTA_DEVICE_NAME` strings (a list of another shape stays raw).
type DeviceNames = ListOf<NftStr, { device::NFTA_DEVICE_NAME }>;

/// `NFTA_CHAIN_HOOK`, declared once (`NFTA_HOOK_DEVS` with and without `NLA_F_NESTED`).
#[derive(Default)]
struct HookAttrs {
    hooknum: Option<Be32>,
    priority: Option<Be32>,
    dev: Option<String>,
    devs: Option<Vec<String>>,
    devs_n: Option<Vec<String>>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl HookAttrs {
        1: ha::NFTA_HOOK_HOOKNUM => hooknum as Be32,
        2: ha::NFTA_HOOK_PRIORITY => priority as Be32,
        3: ha::NFTA_HOOK_DEV => dev as NftStr,
        4: ha::NFTA_HOOK_DEVS => devs as DeviceNames,
        5: ha::NFTA_HOOK_DEVS | NLA_F_NESTED => devs_n as DeviceNames,
    }
}

/// The attributes of a `NEWCHAIN` message, declared once (`NFTA_CHAIN_HOOK` with and
/// without `NLA_F_NESTED`: nft sets it, the kernel's dumps do not).
#[derive(Default)]
struct ChainAttrs {
    table: Option<String>,
    handle: Option<Be64>,
    name: Option<String>,
    hook: Option<HookAttrs>,
    hook_n: Option<HookAttrs>,
    policy: Option<Be32>,
    chain_type: Option<String>,
    flags: Option<Be32>,
    userdata: Option<Vec<u8>>,
    use_count: Option<Be32>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl ChainAttrs {
        1: ca::NFTA_CHAIN_TABLE => table as NftStr,
        2: ca::NFTA_CHAIN_HANDLE => handle as Be64,
        3: ca::NFTA_CHAIN_NAME => name as NftStr,
        4: ca::NFTA_CHAIN_HOOK => hook as HookAttrs,
        5: ca::NFTA_CHAIN_HOOK | NLA_F_NESTED => hook_n as HookAttrs,
        6: ca::NFTA_CHAIN_POLICY => policy as Be32,
        7: ca::NFTA_CHAIN_TYPE => chain_type as NftStr,
        8: ca::NFTA_CHAIN_FLAGS => flags as Be32,
        9: ca::NFTA_CHAIN_USERDATA => userdata as Vec<u8>,
        10: ca::NFTA_CHAIN_USE => use_count as Be32,
    }
}

/// The most rules a chain's use count reserves room for (it counts the chain's rules and
/// the jumps to it; the room is only a hint, the rules that come are pushed either way).
const MAX_RULES_RESERVED: usize = 1 << 20;

/// Decode a `NEWCHAIN` message of `family`: the table name and the chain (without rules).
pub(crate) fn decode_chain(family: Family, attrs: &[u8]) -> Result<(String, Chain), DecodeError> {
    let a = ChainAttrs::with_attrs(ChainAttrs::default(), attrs, 0, DecodeCx::default())?;
    let (table, name, handle, userdata) = (a.table, a.name, a.handle.map(u64::from), a.userdata);
    let (chain_type, policy) = (a.chain_type, a.policy.map(u32::from));
    let flags = a.flags.map_or(0, u32::from);
    let hook = a.hook.or(a.hook_n).unwrap_or_default();
    let (hooknum, device) = (hook.hooknum.map(u32::from), hook.dev);
    let priority = hook.priority.map(|p| p.0 as i32);
    // The kernel lists every device in NFTA_HOOK_DEVS (and repeats a single one as
    // NFTA_HOOK_DEV).
    let devices = hook.devs.or(hook.devs_n);
    let table = table.ok_or_else(|| invalid("chain table", 0))?;
    let name = name.ok_or_else(|| invalid("chain name", 0))?;
    let kind = match (hooknum, chain_type) {
        (Some(num), Some(ty)) => {
            let hook = Hook::from_number(family, num).ok_or_else(|| invalid("chain hook", 0))?;
            let chain_type = ty
                .parse::<ChainType>()
                .map_err(|_| invalid("chain type", 0))?;
            let mut base = BaseChain::new(
                chain_type,
                hook,
                priority_from(family, priority.unwrap_or(0)),
            );
            base.policy = match policy {
                // The kernel reports accept for a chain created without a policy.
                None | Some(crate::consts::chain::POLICY_ACCEPT) => None,
                Some(code) => {
                    Some(Policy::from_code(code).ok_or_else(|| invalid("chain policy", 0))?)
                }
            };
            base.devices = devices.unwrap_or_else(|| device.into_iter().collect());
            ChainKind::Base(base)
        }
        _ => ChainKind::Regular,
    };
    let mut chain = Chain::with_kind(name, kind);
    chain.flags = ChainFlags::from_bits_retain(flags & !NFT_CHAIN_BASE);
    chain.handle = handle;
    chain.userdata = userdata;
    // Room for the rules the dump sends next, so a 10k-rule chain is not regrown (and
    // copied) rule by rule.
    if let Some(uses) = a.use_count {
        let uses = usize::try_from(u32::from(uses)).unwrap_or(MAX_RULES_RESERVED);
        chain.reserve_pulled(uses.min(MAX_RULES_RESERVED));
    }
    Ok((table, chain))
}

/// Decode a `NEWRULE` message: table, chain and rule (expressions decoded, handle set).
#[cfg(test)]
pub(crate) fn decode_rule(attrs: &[u8]) -> Result<(String, String, Rule), DecodeError> {
    decode_rule_ref(attrs).map(|(t, c, r)| (t.to_owned(), c.to_owned(), r))
}

/// [`decode_rule`] with table and chain names borrowed from `attrs` (no allocation for
/// them: a pull of 10k rules looks each one's chain up by these).
pub(crate) fn decode_rule_ref(attrs: &[u8]) -> Result<(&str, &str, Rule), DecodeError> {
    match decode_rule_after(attrs, None)? {
        (RuleChain::Named(table, chain), rule) => Ok((table, chain, rule)),
        // Only returned when a previous chain is given.
        (RuleChain::Same, _) => Err(invalid("rule chain", 0)),
    }
}

/// The table and chain a decoded rule names ([`decode_rule_after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleChain<'a> {
    /// The same table and chain as the previous rule.
    Same,
    /// Table and chain names.
    Named(&'a str, &'a str),
}

/// [`decode_rule_ref`] for a dump that streams each chain's rules in order: a rule that names
/// table and chain `last` byte for byte is [`RuleChain::Same`], without reading its names
/// again (their UTF-8 check was a visible share of a 10k-rule pull).
///
/// A rule as the kernel dumps it is read by [`fast::decode`] in one strict pass; anything
/// else (and every error) the general way, which answers the same where both answer.
pub(crate) fn decode_rule_after<'a>(
    attrs: &'a [u8],
    last: Option<(&str, &str)>,
) -> Result<(RuleChain<'a>, Rule), DecodeError> {
    match fast::decode(attrs, last) {
        Some(decoded) => Ok(decoded),
        None => decode_rule_general(attrs, last),
    }
}

/// Whether string attribute payload `p` reads as `name` (the string reader cuts at the
/// first NUL; `name`, a checked string of an earlier rule, has none): the kernel's
/// spelling, the name and one NUL, is compared without a scan.
#[inline(always)]
fn reads_as(p: &[u8], name: &str) -> bool {
    match p.split_last() {
        Some((0, head)) if eq_short(head, name.as_bytes()) => true,
        _ => up_to_nul(p) == name.as_bytes(),
    }
}

/// `a == b`, for names of up to 16 bytes by fixed-size pieces (two overlapping ones of 8,
/// 4, 2 or 1 bytes) instead of a call to `bcmp` (each pulled rule compares two names).
#[inline(always)]
fn eq_short(a: &[u8], b: &[u8]) -> bool {
    /// First and last `K` bytes equal (`a` and `b` are `K..=2K` bytes long).
    #[inline(always)]
    fn ends<const K: usize>(a: &[u8], b: &[u8]) -> bool {
        a.first_chunk::<K>() == b.first_chunk::<K>() && a.last_chunk::<K>() == b.last_chunk::<K>()
    }
    if a.len() != b.len() {
        return false;
    }
    match a.len() {
        0 => true,
        1 => ends::<1>(a, b),
        2..4 => ends::<2>(a, b),
        4..8 => ends::<4>(a, b),
        8..=16 => ends::<8>(a, b),
        _ => a == b,
    }
}

/// `p` up to its first NUL (all of it when there is none), as the string reader cuts it.
#[inline(always)]
fn up_to_nul(p: &[u8]) -> &[u8] {
    p.iter().position(|&b| b == 0).map_or(p, |end| &p[..end])
}

/// [`decode_rule_after`] the general way: every attribute layout the codec reads, with
/// located errors.
#[inline(never)]
fn decode_rule_general<'a>(
    attrs: &'a [u8],
    last: Option<(&str, &str)>,
) -> Result<(RuleChain<'a>, Rule), DecodeError> {
    let t = linx_netlink_codec::attr_table!(
        first attrs,
        [
            ra::NFTA_RULE_TABLE,
            ra::NFTA_RULE_CHAIN,
            ra::NFTA_RULE_HANDLE,
            ra::NFTA_RULE_EXPRESSIONS,
            ra::NFTA_RULE_USERDATA,
        ]
    )?;
    let reads = |kind: u16, name: &str| t.get(kind).is_some_and(|a| reads_as(a.payload(), name));
    let same = last
        .is_some_and(|(lt, lc)| reads(ra::NFTA_RULE_TABLE, lt) && reads(ra::NFTA_RULE_CHAIN, lc));
    let names = if same {
        None
    } else {
        Some((t.str(ra::NFTA_RULE_TABLE)?, t.str(ra::NFTA_RULE_CHAIN)?))
    };
    let (tag, comment) = t
        .get(ra::NFTA_RULE_USERDATA)
        .map_or((None, None), |u| parse_userdata(u.payload()));
    let exprs_attr = t.get(ra::NFTA_RULE_EXPRESSIONS);
    let mut rule = Rule {
        // A list of NFTA_LIST_ELEM, each one expression: exactly as many slots as entries,
        // allocated directly (not grown from empty).
        exprs: exprs_attr.map_or_else(Vec::new, |a| Vec::with_capacity(count_attrs(a.payload()))),
        tag,
        comment,
        handle: t.value::<Be64, _>(ra::NFTA_RULE_HANDLE)?.map(u64::from),
        raw: false,
    };
    if let Some(a) = exprs_attr {
        for e in a.nested() {
            let e = e.map_err(|e| e.within(a.raw_type(), a.offset()))?;
            if e.kind() == list::NFTA_LIST_ELEM {
                // The common kinds as the kernel dumps them, then the general decoder.
                if let Some(decoded) = expr::decode_fast(e.payload()) {
                    rule.exprs.push(decoded);
                    continue;
                }
                let decoded = expr::decode(e.payload()).map_err(|err| {
                    err.within(e.raw_type(), e.offset())
                        .within(a.raw_type(), a.offset())
                })?;
                rule.exprs.push(decoded);
            }
        }
    }
    let Some((table, chain)) = names else {
        return Ok((RuleChain::Same, rule));
    };
    let table = table.ok_or_else(|| invalid("rule table", 0))?;
    let chain = chain.ok_or_else(|| invalid("rule chain", 0))?;
    Ok((RuleChain::Named(table, chain), rule))
}

mod fast;

/// How many attributes `b` starts with (headers only: a bound for the expressions of a rule,
/// so its vector is allocated once and exactly).
fn count_attrs(mut b: &[u8]) -> usize {
    let mut n = 0;
    while let Some(&[l0, l1, _, _]) = b.get(..4) {
        let len = usize::from(u16::from_ne_bytes([l0, l1]));
        if len < 4 {
            break;
        }
        n += 1;
        b = b.get((len + 3) & !3..).unwrap_or_default();
    }
    n
}

/// The attributes of a `NEWOBJ` message, declared once (`NFTA_OBJ_DATA` with and without
/// `NLA_F_NESTED`: nft sets it, the kernel's dumps do not).
#[derive(Default)]
struct ObjAttrs {
    table: Option<String>,
    name: Option<String>,
    kind_id: Option<Be32>,
    data: Option<Vec<u8>>,
    data_n: Option<Vec<u8>>,
    handle: Option<Be64>,
    userdata: Option<Vec<u8>>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl ObjAttrs {
        1: oa::NFTA_OBJ_TABLE => table as NftStr,
        2: oa::NFTA_OBJ_NAME => name as NftStr,
        3: oa::NFTA_OBJ_TYPE => kind_id as Be32,
        4: oa::NFTA_OBJ_DATA => data as Vec<u8>,
        5: oa::NFTA_OBJ_DATA | NLA_F_NESTED => data_n as Vec<u8>,
        6: oa::NFTA_OBJ_HANDLE => handle as Be64,
        7: oa::NFTA_OBJ_USERDATA => userdata as Vec<u8>,
    }
}

/// Decode a `NEWOBJ` message: table name and object.
pub(crate) fn decode_object(attrs: &[u8]) -> Result<(String, Object), DecodeError> {
    let a = ObjAttrs::with_attrs(ObjAttrs::default(), attrs, 0, DecodeCx::default())?;
    let table = a.table.ok_or_else(|| invalid("object table", 0))?;
    let name = a.name.ok_or_else(|| invalid("object name", 0))?;
    let kind_id = a.kind_id.ok_or_else(|| invalid("object type", 0))?.0;
    let data = a.data.or(a.data_n).unwrap_or_default();
    let kind = object_kind(kind_id, &data).unwrap_or(ObjectKind::Raw { kind_id, data });
    let mut object = Object::new(name, kind);
    object.comment = a.userdata.and_then(|u| parse_userdata(&u).1);
    object.handle = a.handle.map(u64::from);
    Ok((table, object))
}

/// A counter, quota or limit from its `NFTA_OBJ_DATA`, or `None` when the data does not fit
/// the model exactly (the object is then kept raw): each kind's attributes are an exact
/// table, so an unknown attribute, a duplicate or a value of the wrong size keeps it raw.
fn object_kind(kind_id: u32, data: &[u8]) -> Option<ObjectKind> {
    use crate::consts::object as o;
    use linx_netlink_codec::attr_table;
    let u64_of = |v: Option<Be64>| v.map(u64::from);
    let u32_of = |v: Option<Be32>| v.map(u32::from);
    match kind_id {
        o::NFT_OBJECT_COUNTER => {
            let t = attr_table!(
                exact data,
                [cnt::NFTA_COUNTER_BYTES, cnt::NFTA_COUNTER_PACKETS, cnt::NFTA_COUNTER_PAD]
            )?;
            Some(ObjectKind::Counter {
                bytes: u64_of(t.value::<Be64, _>(cnt::NFTA_COUNTER_BYTES).ok()?).unwrap_or(0),
                packets: u64_of(t.value::<Be64, _>(cnt::NFTA_COUNTER_PACKETS).ok()?).unwrap_or(0),
            })
        }
        o::NFT_OBJECT_QUOTA => {
            let t = attr_table!(
                exact data,
                [
                    qa::NFTA_QUOTA_BYTES,
                    qa::NFTA_QUOTA_FLAGS,
                    qa::NFTA_QUOTA_PAD,
                    qa::NFTA_QUOTA_CONSUMED,
                ]
            )?;
            Some(ObjectKind::Quota {
                bytes: u64_of(t.value::<Be64, _>(qa::NFTA_QUOTA_BYTES).ok()?)?,
                used: u64_of(t.value::<Be64, _>(qa::NFTA_QUOTA_CONSUMED).ok()?).unwrap_or(0),
                over: u32_of(t.value::<Be32, _>(qa::NFTA_QUOTA_FLAGS).ok()?).unwrap_or(0) & F_INV
                    != 0,
            })
        }
        o::NFT_OBJECT_LIMIT => {
            let t = attr_table!(
                exact data,
                [
                    la::NFTA_LIMIT_RATE,
                    la::NFTA_LIMIT_UNIT,
                    la::NFTA_LIMIT_BURST,
                    la::NFTA_LIMIT_TYPE,
                    la::NFTA_LIMIT_FLAGS,
                ]
            )?;
            Some(ObjectKind::Limit {
                rate: u64_of(t.value::<Be64, _>(la::NFTA_LIMIT_RATE).ok()?)?,
                unit: RateUnit::from_seconds(u64_of(
                    t.value::<Be64, _>(la::NFTA_LIMIT_UNIT).ok()?,
                )?)?,
                burst: u32_of(t.value::<Be32, _>(la::NFTA_LIMIT_BURST).ok()?).unwrap_or(0),
                bytes: u32_of(t.value::<Be32, _>(la::NFTA_LIMIT_TYPE).ok()?).unwrap_or(0)
                    == LIMIT_BYTES,
                over: u32_of(t.value::<Be32, _>(la::NFTA_LIMIT_FLAGS).ok()?).unwrap_or(0) & F_INV
                    != 0,
            })
        }
        _ => None,
    }
}

/// `NFTA_FLOWTABLE_HOOK`, declared once (the hook number is implied and ignored).
#[derive(Default)]
struct FlowtableHookAttrs {
    priority: Option<Be32>,
    devs: Option<Vec<String>>,
    devs_n: Option<Vec<String>>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    nested impl FlowtableHookAttrs {
        1: fh::NFTA_FLOWTABLE_HOOK_PRIORITY => priority as Be32,
        2: fh::NFTA_FLOWTABLE_HOOK_DEVS => devs as DeviceNames,
        3: fh::NFTA_FLOWTABLE_HOOK_DEVS | NLA_F_NESTED => devs_n as DeviceNames,
    }
}

/// The attributes of a `NEWFLOWTABLE` message, declared once.
#[derive(Default)]
struct FlowtableAttrs {
    table: Option<String>,
    name: Option<String>,
    hook: Option<FlowtableHookAttrs>,
    hook_n: Option<FlowtableHookAttrs>,
    handle: Option<Be64>,
    flags: Option<Be32>,
    other: RawAttrs,
    wire_order: WireOrder,
}

typed_attrs! {
    impl FlowtableAttrs {
        1: fa::NFTA_FLOWTABLE_TABLE => table as NftStr,
        2: fa::NFTA_FLOWTABLE_NAME => name as NftStr,
        3: fa::NFTA_FLOWTABLE_HOOK => hook as FlowtableHookAttrs,
        4: fa::NFTA_FLOWTABLE_HOOK | NLA_F_NESTED => hook_n as FlowtableHookAttrs,
        5: fa::NFTA_FLOWTABLE_HANDLE => handle as Be64,
        6: fa::NFTA_FLOWTABLE_FLAGS => flags as Be32,
    }
}

/// Decode a `NEWFLOWTABLE` message of `family`: table name and flowtable.
pub(crate) fn decode_flowtable(
    family: Family,
    attrs: &[u8],
) -> Result<(String, Flowtable), DecodeError> {
    let a = FlowtableAttrs::with_attrs(FlowtableAttrs::default(), attrs, 0, DecodeCx::default())?;
    let (table, name, handle) = (a.table, a.name, a.handle.map(u64::from));
    let flags = a.flags.map_or(0, u32::from);
    let hook = a.hook.or(a.hook_n).unwrap_or_default();
    let priority = hook.priority.map_or(0, |p| p.0 as i32);
    let devices = hook.devs.or(hook.devs_n).unwrap_or_default();
    let table = table.ok_or_else(|| invalid("flowtable table", 0))?;
    let name = name.ok_or_else(|| invalid("flowtable name", 0))?;
    let mut ft = Flowtable::new(name, devices).priority(priority_from(family, priority));
    ft.flags = FlowtableFlags::from_bits_retain(flags);
    ft.handle = handle;
    Ok((table, ft))
}

#[cfg(test)]
mod tests {
    use super::*;
    use linx_netlink_codec::AttrWriter;

    fn attrs(f: impl FnOnce(&mut Writer<'_>) -> Result<(), crate::Error>) -> Vec<u8> {
        let mut buf = Vec::new();
        f(&mut AttrWriter::new(&mut buf)).unwrap();
        buf
    }

    fn hex(s: &str) -> Vec<u8> {
        crate::hex::decode(&s.replace(char::is_whitespace, "")).unwrap()
    }

    /// `eq_short` is `==` for every pair of lengths up to past its pieces, equal or with
    /// one byte changed anywhere.
    #[test]
    fn eq_short_is_eq() {
        let a: Vec<u8> = (1..=20).collect();
        for n in 0..=a.len() {
            for m in 0..=a.len() {
                assert_eq!(eq_short(&a[..n], &a[..m]), n == m, "{n} {m}");
            }
            for i in 0..n {
                let mut b = a[..n].to_vec();
                b[i] ^= 0x40;
                assert!(!eq_short(&a[..n], &b), "{n} {i}");
            }
        }
    }

    #[test]
    fn userdata_tag_then_comment() {
        let ud = userdata(Some("ssh"), Some("admin")).unwrap();
        assert_eq!(ud, b"\x10\x04ssh\x00\x00\x06admin\x00");
        assert_eq!(
            parse_userdata(&ud),
            (Some("ssh".into()), Some("admin".into()))
        );
        assert_eq!(userdata(None, None), None);
        // nft: `accept comment "hello"`
        assert_eq!(userdata(None, Some("hello")).unwrap(), b"\x00\x06hello\x00");
        // Foreign TLVs are skipped; a truncated one ends the walk.
        assert_eq!(
            parse_userdata(b"\x07\x01x\x00\x02a\x00\x10\x09ab"),
            (None, Some("a".into()))
        );
    }

    #[test]
    fn golden_base_chain_matches_nft() {
        // nft: table inet t { chain c { type filter hook input priority filter; policy drop; } }
        let chain =
            Chain::base("c", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop);
        let got = attrs(|w| encode_chain(w, Family::Inet, "t", &chain));
        let want = hex(
            "0600 0100 7400 0000 0600 0300 6300 0000 0b00 0700 66696c74657200 00
             0800 0500 00000000 1400 0480 0800 0100 00000001 0800 0200 00000000",
        );
        assert_eq!(got, want);
        let (table, back) = decode_chain(Family::Inet, &got).unwrap();
        assert_eq!((table.as_str(), back), ("t", chain));
    }

    #[test]
    fn golden_chain_userdata_matches_nft() {
        // nft: chain c { type filter hook input priority 0; policy drop; comment "cc"; }
        let mut chain =
            Chain::base("c", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop);
        chain.userdata = Some(b"\x00\x03cc\x00".to_vec());
        let got = attrs(|w| encode_chain(w, Family::Inet, "t", &chain));
        let want = hex(
            "0600 0100 7400 0000 0600 0300 6300 0000 0b00 0700 66696c74657200 00
             0800 0500 00000000 1400 0480 0800 0100 00000001 0800 0200 00000000
             0900 0c00 0003636300 000000",
        );
        assert_eq!(got, want);
        let (_, back) = decode_chain(Family::Inet, &got).unwrap();
        assert_eq!(back, chain);
        // nft: chain r { comment "rc"; }
        let mut chain = Chain::regular("r");
        chain.userdata = Some(b"\x00\x03rc\x00".to_vec());
        let got = attrs(|w| encode_chain(w, Family::Inet, "t", &chain));
        let want = hex("0600 0100 7400 0000 0600 0300 7200 0000 0900 0c00 0003726300 000000");
        assert_eq!(got, want);
        assert_eq!(decode_chain(Family::Inet, &got).unwrap().1, chain);
    }

    #[test]
    fn golden_chain_on_several_devices_matches_nft() {
        // nft: table netdev x { chain c { type filter hook ingress
        //      devices = { lo, foo0, "eth*" } priority 0; } } (nft sorts the names)
        let chain = Chain::base("c", ChainType::Filter, Hook::Ingress, Priority::FILTER)
            .device("eth*")
            .device("foo0")
            .device("lo");
        let got = attrs(|w| encode_chain(w, Family::Netdev, "x", &chain));
        let want = hex(
            "0600 0100 7800 0000 0600 0300 6300 0000 0b00 0700 66696c74657200 00
             3800 0480 0800 0100 00000000 0800 0200 00000000
             2400 0480 0900 0100 6574682a00 000000 0900 0100 666f6f3000 000000
             0700 0100 6c6f00 00",
        );
        assert_eq!(got, want);
        assert_eq!(decode_chain(Family::Netdev, &got).unwrap().1, chain);
        // The kernel 6.18 dump of `chain d { type filter hook ingress device "bar" priority
        // 0; }` (table attribute prepended): the DEVS list plus DEV.
        let dumped = hex(
            "0600 0100 7800 0000 0600 0300 6400 0000 0c00 0200 0000000000000002
             2800 0400 0800 0100 00000000 0800 0200 00000000 0c00 0400 0800 0100 62617200
             0800 0300 62617200 0800 0500 00000001 0b00 0700 66696c74657200 00
             0800 0a00 00000001 0800 0600 00000000",
        );
        let (_, back) = decode_chain(Family::Netdev, &dumped).unwrap();
        assert_eq!(back.as_base().unwrap().devices, ["bar"]);
    }

    #[test]
    fn golden_ingress_chain_with_device_matches_nft() {
        // nft: chain d { type filter hook ingress device "lo" priority -150; } in inet t
        let chain =
            Chain::base("d", ChainType::Filter, Hook::Ingress, Priority::Value(-150)).device("lo");
        let got = attrs(|w| encode_chain(w, Family::Inet, "t", &chain));
        let want = hex(
            "0600 0100 7400 0000 0600 0300 6400 0000 0b00 0700 66696c74657200 00
             1c00 0480 0800 0100 00000005 0800 0200 ffffff6a 0700 0300 6c6f00 00",
        );
        assert_eq!(got, want);
        // -150 is `mangle` in inet: it comes back named.
        let (_, back) = decode_chain(Family::Inet, &got).unwrap();
        assert_eq!(back.as_base().unwrap().priority, Priority::MANGLE);
    }

    #[test]
    fn golden_regular_chain_and_table() {
        let got = attrs(|w| encode_chain(w, Family::Inet, "t", &Chain::regular("other")));
        assert_eq!(got, hex("0600 0100 7400 0000 0a00 0300 6f7468657200 0000"));
        let got = attrs(|w| encode_table(w, "t", TableFlags::OWNER));
        assert_eq!(got, hex("0600 0100 7400 0000 0800 0200 00000002"));
        let back = decode_table(Family::Inet, &got).unwrap();
        assert_eq!((back.name(), back.flags), ("t", TableFlags::OWNER));
    }

    #[test]
    fn golden_objects_match_nft() {
        // nft: counter c1 { packets 1 bytes 2 }
        let counter = Object::new(
            "c1",
            ObjectKind::Counter {
                packets: 1,
                bytes: 2,
            },
        );
        let got = attrs(|w| encode_object(w, "t", &counter));
        let want = hex("0600 0100 7400 0000 0700 0200 633100 00 0800 0300 00000001
             1c00 0480 0c00 0100 0000000000000002 0c00 0200 0000000000000001");
        assert_eq!(got, want);
        assert_eq!(decode_object(&got).unwrap(), ("t".into(), counter.clone()));
        // The kernel dumps NFTA_OBJ_DATA without NLA_F_NESTED: the same object.
        let mut dumped = got.clone();
        dumped[27] &= 0x7f;
        assert_eq!(dumped[24..28], [0x1c, 0, 4, 0]);
        assert_eq!(decode_object(&dumped).unwrap(), ("t".into(), counter));
        // nft: quota q1 { over 100 mbytes used 10 bytes }
        let quota = Object::new(
            "q1",
            ObjectKind::Quota {
                bytes: 100 << 20,
                over: true,
                used: 10,
            },
        );
        let got = attrs(|w| encode_object(w, "t", &quota));
        let want = hex("0600 0100 7400 0000 0700 0200 713100 00 0800 0300 00000002
             2400 0480 0c00 0100 0000000006400000 0c00 0400 000000000000000a 0800 0200 00000001");
        assert_eq!(got, want);
        assert_eq!(decode_object(&got).unwrap(), ("t".into(), quota));
        // nft: limit l1 { rate 10/second burst 5 packets }
        let limit = Object::new(
            "l1",
            ObjectKind::Limit {
                rate: 10,
                unit: RateUnit::Second,
                burst: 5,
                bytes: false,
                over: false,
            },
        );
        let got = attrs(|w| encode_object(w, "t", &limit));
        let want = hex("0600 0100 7400 0000 0700 0200 6c3100 00 0800 0300 00000004
             3400 0480 0c00 0100 000000000000000a 0c00 0200 0000000000000001
             0800 0300 00000005 0800 0400 00000000 0800 0500 00000000");
        assert_eq!(got, want);
        assert_eq!(decode_object(&got).unwrap(), ("t".into(), limit));
        // nft: counter c1 { comment "cc" } (userdata before data)
        let commented = Object::counter("c1").comment("cc");
        let got = attrs(|w| encode_object(w, "t", &commented));
        let want = hex(
            "0600 0100 7400 0000 0700 0200 633100 00 0800 0300 00000001 0900 0800 0003636300 000000
             1c00 0480 0c00 0100 0000000000000000 0c00 0200 0000000000000000",
        );
        assert_eq!(got, want);
        assert_eq!(decode_object(&got).unwrap(), ("t".into(), commented));
    }

    /// Object data that the model cannot give back exactly stays raw: a 4-byte counter
    /// value, an unknown attribute, a duplicate (each was once read as a typed counter).
    #[test]
    fn objects_that_do_not_fit_stay_raw() {
        let with_data = |data: &[u8]| {
            attrs(|w| {
                w.put_str(oa::NFTA_OBJ_TABLE, "t")?;
                w.put_str(oa::NFTA_OBJ_NAME, "c1")?;
                w.put_be32(oa::NFTA_OBJ_TYPE, 1)?;
                w.put(oa::NFTA_OBJ_DATA, data)?;
                Ok(())
            })
        };
        let nest = |f: &dyn Fn(&mut AttrWriter<'_, Vec<u8>>)| {
            let mut b = Vec::new();
            f(&mut AttrWriter::new(&mut b));
            b
        };
        let short = nest(&|w| w.put_be32(cnt::NFTA_COUNTER_BYTES, 2).unwrap());
        let unknown = nest(&|w| {
            w.put_be64(cnt::NFTA_COUNTER_BYTES, 2).unwrap();
            w.put_be32(9, 1).unwrap();
        });
        let twice = nest(&|w| {
            w.put_be64(cnt::NFTA_COUNTER_BYTES, 2).unwrap();
            w.put_be64(cnt::NFTA_COUNTER_BYTES, 3).unwrap();
        });
        for data in [short, unknown, twice] {
            let (_, object) = decode_object(&with_data(&data)).unwrap();
            assert_eq!(object.kind, ObjectKind::Raw { kind_id: 1, data });
        }
        let fits = nest(&|w| w.put_be64(cnt::NFTA_COUNTER_PACKETS, 4).unwrap());
        let (_, object) = decode_object(&with_data(&fits)).unwrap();
        assert_eq!(
            object.kind,
            ObjectKind::Counter {
                bytes: 0,
                packets: 4
            }
        );
    }

    #[test]
    fn golden_flowtable_matches_nft() {
        // nft: flowtable f { hook ingress priority 0; devices = { lo }; counter } in ip t
        let ft = Flowtable::new("f", ["lo"])
            .priority(Priority::Value(0))
            .flags(FlowtableFlags::COUNTER);
        let got = attrs(|w| encode_flowtable(w, Family::Ip, "t", &ft));
        let want = hex("0600 0100 7400 0000 0600 0200 6600 0000
             2000 0380 0800 0100 00000000 0800 0200 00000000 0c00 0380 0700 0100 6c6f00 00
             0800 0700 00000002");
        assert_eq!(got, want);
        let (_, back) = decode_flowtable(Family::Ip, &got).unwrap();
        assert_eq!(back.devices, ["lo"]);
        assert_eq!(back.flags, FlowtableFlags::COUNTER);
    }

    #[test]
    fn unknown_object_kind_stays_raw() {
        let raw = Object::new(
            "h",
            ObjectKind::Raw {
                kind_id: 3,
                data: hex("0800 0100 66747000"),
            },
        );
        let got = attrs(|w| encode_object(w, "t", &raw));
        assert_eq!(decode_object(&got).unwrap(), ("t".into(), raw));
    }

    proptest::proptest! {
        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = decode_table(Family::Inet, &bytes);
            let _ = decode_chain(Family::Inet, &bytes);
            let _ = decode_chain(Family::Netdev, &bytes);
            let _ = decode_rule(&bytes);
            let _ = decode_object(&bytes);
            let _ = decode_flowtable(Family::Ip, &bytes);
            let _ = parse_userdata(&bytes);
        }
    }
}

#[cfg(test)]
mod speed {
    use std::time::{Duration, Instant};

    use linx_netlink_codec::AttrWriter;

    use super::*;
    use crate::Expr;
    use crate::wire::expr::SetRefs;

    /// No named or anonymous sets.
    struct NoSets;

    impl SetRefs for NoSets {
        fn set_id(&self, _: &str) -> Option<u32> {
            None
        }
        fn anonymous(&mut self) -> Result<(&'static str, u32), crate::Error> {
            Err(crate::Error::Encode {
                what: "test".into(),
                reason: "no sets".into(),
            })
        }
    }

    /// `cargo test --release -p linx-netfilter --lib rule_decode_speed -- --ignored
    /// --nocapture`: best-of-20 decode time of the nft-list benchmark's 10k rules.
    #[test]
    #[ignore = "timing, run by hand"]
    fn rule_decode_speed() {
        let msgs: Vec<Vec<u8>> = (0..10_000u32)
            .map(|i| {
                let rule = Rule::new(Expr::meta_nfproto_eq(2))
                    .exprs(Expr::ip_saddr_eq(std::net::Ipv4Addr::from(0x0a00_0000 + i)))
                    .accept();
                let mut buf = Vec::new();
                encode_rule(
                    &mut AttrWriter::new(&mut buf),
                    "lxbench",
                    "input",
                    &rule,
                    &mut NoSets,
                )
                .unwrap();
                buf
            })
            .collect();
        let mut best = Duration::MAX;
        for _ in 0..20 {
            let t0 = Instant::now();
            let rules: Vec<Rule> = msgs.iter().map(|m| decode_rule_ref(m).unwrap().2).collect();
            best = best.min(t0.elapsed());
            assert_eq!(rules.len(), 10_000);
        }
        eprintln!("10k rules decoded in {best:?} (best of 20)");
    }
}
