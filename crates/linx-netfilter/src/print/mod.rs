//! nft text: rulesets, tables, chains, sets, maps, objects, flowtables and rules printed as
//! `nft list ruleset` (nft 1.0.6) prints them.
//!
//! Why a printer with a context instead of `Display` on each type: how nft prints a value
//! depends on things outside it: the table's family (what `reject` means, which priority
//! names exist), the set a rule refers to, and interface names for `iif` (nft resolves
//! indexes through the kernel; give them with [`Printer::with_ifname`]).
//!
//! # Contract
//! - Output is nft's: tabs, `table inet x {`, `type filter hook input priority filter;
//!   policy accept;`, element lists wrapped as nft wraps them, handles not shown.
//! - Owner tables: nft adds `# progname <name>` to an owner table's header line, the name
//!   of the owning process (from the owner's netlink port id, `NFTA_TABLE_OWNER`, through
//!   `/proc/<pid>/comm`). The model does not carry the owner, so the printer writes the
//!   header without that comment (`table inet t {`); every other line is nft's.
//! - **Never a wrong line.** Anything this printer cannot print exactly as nft does is
//!   printed in a form nft never writes: a line whose first non-tab character is `#` and
//!   that starts with [`UNPRINTED`] (`#linx: `), followed by Linx's own description. A rule
//!   that is not fully lifted is printed that way (with its expressions), as is a `typeof`
//!   description with an expression not known here, an element list with timeouts or
//!   expirations (their remaining time changes between two listings), or an object kind
//!   without an nft form here. nft listings never contain `#`, so a comparison counts these
//!   lines as "not printed" rather than wrong.
//! - Sets declared with `typeof` print that line (decoded from nft's set userdata) and
//!   their elements by the expression's datatype, as nft does.
//! - Pure: no I/O, nothing panics, allocation proportional to the output.

mod cgroup;
mod decl;
mod deps;
mod flags;
mod payload_set;
mod rule;
mod source;
mod special;
mod split;
mod typeof_key;
pub(crate) mod value;

use std::collections::HashMap;
use std::fmt::Write;

use crate::expr::RateUnit;
use crate::{
    Chain, ChainKind, Family, Flowtable, Hook, Map, MapValue, Object, ObjectKind, Priority, Rule,
    Ruleset, Set, SetFlags, Table, TableFlags,
};

pub use rule::RuleText;

use typeof_key::{Part, Typeof};

/// The prefix of every line this printer writes for something it cannot print as nft does.
pub const UNPRINTED: &str = "#linx: ";

/// Prints the model as nft text; holds what printing needs beyond the model.
///
/// ```
/// use linx_netfilter::{Chain, ChainType, Family, Hook, Policy, Priority, Ruleset, TableFlags};
/// use linx_netfilter::print::Printer;
/// let mut rs = Ruleset::new();
/// let t = rs.add_table(Family::Inet, "filter", TableFlags::empty())?;
/// t.add_chain(Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop))?;
/// assert_eq!(
///     Printer::new().ruleset(&rs),
///     "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}\n"
/// );
/// # Ok::<(), linx_netfilter::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Printer {
    ifnames: HashMap<u32, String>,
    /// Where cgroupv2 ids are resolved to paths (see [`Printer::with_cgroup_root`]).
    cgroup_root: Option<std::path::PathBuf>,
}

impl Printer {
    /// A printer that knows no interface names (indexes print as numbers).
    pub fn new() -> Printer {
        Printer::default()
    }

    /// The same printer, printing interface index `index` as `"name"` (as nft does for
    /// interfaces that exist).
    #[must_use = "builder methods return the changed printer"]
    pub fn with_ifname(mut self, index: u32, name: impl Into<String>) -> Printer {
        self.ifnames.insert(index, name.into());
        self
    }

    /// The same printer, printing `socket cgroupv2` values as nft does on this host: the
    /// path of the cgroup with that id under `root` (nft's `/sys/fs/cgroup`), found by
    /// walking it as nft does each time a value prints, or the number when no cgroup has
    /// it. Without this, such values are not printed (the text depends on the host).
    ///
    /// ```
    /// use linx_netfilter::print::Printer;
    /// let p = Printer::new().with_cgroup_root("/sys/fs/cgroup");
    /// # let _ = p;
    /// ```
    #[must_use = "builder methods return the changed printer"]
    pub fn with_cgroup_root(mut self, root: impl Into<std::path::PathBuf>) -> Printer {
        self.cgroup_root = Some(root.into());
        self
    }

    /// A cgroupv2 id as nft prints it, when a cgroup root is set and the walk is sure.
    fn cgroup(&self, id: u64) -> Option<String> {
        cgroup::text(self.cgroup_root.as_deref()?, id)
    }

    fn ifname(&self, index: u64) -> Option<&str> {
        u32::try_from(index)
            .ok()
            .and_then(|i| self.ifnames.get(&i))
            .map(String::as_str)
    }

    /// The whole ruleset, tables in the model's order.
    pub fn ruleset(&self, rs: &Ruleset) -> String {
        let mut out = String::new();
        for t in rs.tables() {
            out.push_str(&self.table(t));
        }
        out
    }

    /// One table block, `table <family> <name> {` to `}` with a final newline.
    pub fn table(&self, t: &Table) -> String {
        let mut out = format!("table {} {} {{\n", t.family(), t.name());
        let flags = table_flags(t.flags);
        if !flags.is_empty() {
            let _ = writeln!(out, "\tflags {flags}");
        }
        if let Some(comment) = t.userdata.as_deref().and_then(comment_tlv) {
            let _ = writeln!(out, "\tcomment \"{comment}\"");
        }
        let mut blocks: Vec<String> = Vec::new();
        let mut objects: Vec<&Object> = t.objects().iter().collect();
        objects.sort_by_key(|o| o.handle);
        for o in objects {
            blocks.push(self.object(o));
        }
        let mut sets: Vec<(Option<u64>, String)> = Vec::new();
        for s in t.sets() {
            if !s.flags.contains(SetFlags::ANONYMOUS) && !s.name.starts_with("__") {
                sets.push((s.handle, self.set(s)));
            }
        }
        for m in t.maps() {
            if !m.flags.contains(SetFlags::ANONYMOUS) && !m.name.starts_with("__") {
                sets.push((m.handle, self.map(m)));
            }
        }
        sets.sort_by_key(|(h, _)| *h);
        blocks.extend(sets.into_iter().map(|(_, s)| s));
        for f in t.flowtables() {
            blocks.push(self.flowtable(f, t.family()));
        }
        for c in t.chains() {
            blocks.push(self.chain(c, t));
        }
        // nft separates blocks by a blank line, and the flags/comment lines from the first
        // block too when the table has flags (not after a comment alone).
        for (i, b) in blocks.iter().enumerate() {
            if i > 0 || !t.flags.is_empty() {
                out.push('\n');
            }
            out.push_str(b);
        }
        out.push_str("}\n");
        out
    }

    /// One chain block (one tab deep).
    pub fn chain(&self, c: &Chain, table: &Table) -> String {
        let mut out = format!("\tchain {} {{\n", c.name());
        if let Some(comment) = c.userdata.as_deref().and_then(comment_tlv) {
            let _ = writeln!(out, "\t\tcomment \"{comment}\"");
        }
        if let ChainKind::Base(b) = &c.kind {
            let _ = write!(out, "\t\ttype {} hook {}", b.chain_type, b.hook);
            match b.devices.as_slice() {
                [] => {}
                [one] => {
                    let _ = write!(out, " device \"{one}\"");
                }
                many => {
                    let _ = write!(out, " devices = {{ {} }}", many.join(", "));
                }
            }
            let prio = priority_text(b.priority, table.family(), b.hook);
            let policy = b.policy.unwrap_or(crate::Policy::Accept);
            let _ = writeln!(out, " priority {prio}; policy {policy};");
        }
        for r in c.rules() {
            let _ = writeln!(out, "\t\t{}", self.rule(r, table).text());
        }
        out.push_str("\t}\n");
        out
    }

    /// One rule's line (without indentation): nft's text when every expression lifted,
    /// else an [`UNPRINTED`] line.
    pub fn rule(&self, r: &Rule, table: &Table) -> RuleText {
        rule::rule_text(self, r, table)
    }

    /// One named set block.
    pub fn set(&self, s: &Set) -> String {
        let ud = Userdata::parse(&s.extras.userdata);
        let key = key_form(&s.key, ud.key_typeof.as_deref());
        let attrs = decl::SetAttrs::parse(&s.extras.attrs);
        let object = match (&attrs, s.flags.contains(SetFlags::OBJECT)) {
            (Some(a), true) => match a.obj_type.and_then(decl::obj_type_name) {
                Some(name) => Some(name),
                None => return format!("\t{UNPRINTED}object map {} not printed\n", s.name),
            },
            (None, true) => return format!("\t{UNPRINTED}object map {} not printed\n", s.name),
            _ => None,
        };
        let kw = if object.is_some() { "map" } else { "set" };
        let type_line = match (&key.text, object) {
            (Some(k), None) => k.clone(),
            // nft describes an object map's key with `type`.
            (Some(k), Some(o)) if !key.is_typeof => format!("{k} : {o}"),
            _ => format!("{UNPRINTED}type {}", s.key),
        };
        let mut out = format!("\t{kw} {} {{\n\t\t{type_line}\n", s.name);
        self.set_common(
            &mut out,
            SetCommon {
                flags: s.flags,
                size: s.size,
                timeout_ms: s.timeout_ms,
                gc_ms: s.gc_interval_ms,
                auto_merge: s.auto_merge,
                comment: s.comment.as_deref(),
                attrs: attrs.as_ref(),
            },
        );
        if !s.elements.is_empty() {
            let interval = s.flags.contains(SetFlags::INTERVAL);
            let mut sorted: Vec<(usize, &crate::SetElement)> =
                s.elements.iter().enumerate().collect();
            sorted.sort_by_cached_key(|(i, e)| key.sort_key(*i, e, &s.key, ud.key_host, interval));
            let items: Option<Vec<String>> = sorted
                .into_iter()
                .map(|(i, e)| {
                    let st = decl::ElemState::parse(s.extras.element(i))?;
                    let k = key.element(self, &s.key, e, ud.key_host, interval)?;
                    match (object, &st.objref) {
                        (Some(_), Some(obj)) => Some(format!("{k}{} : \"{obj}\"", st.suffix())),
                        (None, None) => Some(format!("{k}{}", st.suffix())),
                        _ => None,
                    }
                })
                .collect();
            self.elements(&mut out, items, &s.key, &s.extras);
        }
        out.push_str("\t}\n");
        out
    }

    /// One named map block.
    pub fn map(&self, m: &Map) -> String {
        let ud = Userdata::parse(&m.extras.userdata);
        let key = key_form(&m.key, ud.key_typeof.as_deref());
        let data = match &m.data {
            crate::DataType::Verdict => match ud.data_typeof.as_deref().map(typeof_key::decode) {
                // `verdict` in either form.
                None | Some(Typeof::Verdict) => Form {
                    text: Some("verdict".to_owned()),
                    is_typeof: key.is_typeof,
                    parts: None,
                },
                Some(_) => Form::unknown(),
            },
            crate::DataType::Value(crate::KeyType::Raw { type_id, len }) if ud.data_interval => {
                // Interval data (`interval ipv4_addr`): both bounds of an address in one
                // value, twice the type's length.
                let half = crate::KeyType::from_type_id(*type_id, len / 2);
                match (&half, ud.data_typeof.is_none()) {
                    (crate::KeyType::Ipv4Addr | crate::KeyType::Ipv6Addr, true) => Form {
                        text: type_name(&half).map(|t| format!("type {t}")),
                        is_typeof: false,
                        parts: None,
                    },
                    _ => Form::unknown(),
                }
            }
            crate::DataType::Value(t) => key_form(t, ud.data_typeof.as_deref()),
        };
        let type_line = match (&key.text, &data.text) {
            (Some(k), Some(d)) if key.is_typeof && data.is_typeof && !ud.data_interval => {
                format!("{k} : {}", d.trim_start_matches("typeof "))
            }
            (Some(k), Some(d)) if !key.is_typeof && !data.is_typeof => {
                let interval = if ud.data_interval { "interval " } else { "" };
                format!("{k} : {interval}{}", d.trim_start_matches("type "))
            }
            _ => format!("{UNPRINTED}type {} : {:?}", m.key, m.data),
        };
        let attrs = decl::SetAttrs::parse(&m.extras.attrs);
        let mut out = format!("\tmap {} {{\n\t\t{type_line}\n", m.name);
        self.set_common(
            &mut out,
            SetCommon {
                flags: m.flags,
                size: m.size,
                timeout_ms: m.timeout_ms,
                gc_ms: m.gc_interval_ms,
                auto_merge: m.auto_merge,
                comment: m.comment.as_deref(),
                attrs: attrs.as_ref(),
            },
        );
        if !m.elements.is_empty() {
            let interval = m.flags.contains(SetFlags::INTERVAL);
            let mut sorted: Vec<(usize, &crate::MapElement)> =
                m.elements.iter().enumerate().collect();
            sorted.sort_by_cached_key(|(i, e)| {
                key.sort_key(*i, &e.key, &m.key, ud.key_host, interval)
            });
            let items: Option<Vec<String>> = sorted
                .into_iter()
                .map(|(i, e)| {
                    let st = decl::ElemState::parse(m.extras.element(i))?;
                    if st.objref.is_some() {
                        return None;
                    }
                    let k = key.element(self, &m.key, &e.key, ud.key_host, interval)?;
                    let v = match (&e.value, &m.data) {
                        (MapValue::Verdict(v), _) => v.to_string(),
                        (MapValue::Data(d), crate::DataType::Value(_)) if ud.data_interval => {
                            decl::interval_data(d)?
                        }
                        (MapValue::Data(d), crate::DataType::Value(t)) => {
                            data.element(self, t, d, ud.data_host, false)?
                        }
                        _ => return None,
                    };
                    Some(format!("{k}{} : {v}", st.suffix()))
                })
                .collect();
            self.elements(&mut out, items, &m.key, &m.extras);
        }
        out.push_str("\t}\n");
        out
    }

    fn set_common(&self, out: &mut String, s: SetCommon<'_>) {
        let Some(attrs) = s.attrs else {
            let _ = writeln!(out, "\t\t{UNPRINTED}set attributes not printed");
            return;
        };
        if attrs.policy_memory {
            let _ = writeln!(out, "\t\tpolicy memory");
        }
        if let Some(size) = s.size {
            let _ = writeln!(out, "\t\tsize {size}");
        }
        let mut flags = Vec::new();
        if s.flags.contains(SetFlags::CONSTANT) {
            flags.push("constant");
        }
        if s.flags.contains(SetFlags::DYNAMIC) {
            flags.push("dynamic");
        }
        if s.flags.contains(SetFlags::INTERVAL) {
            flags.push("interval");
        }
        // nft leaves out a flags line that would only say `timeout` when the set has a
        // timeout value.
        let only_timeout = flags.is_empty() && s.timeout_ms.is_some();
        if s.flags.contains(SetFlags::TIMEOUT) && !only_timeout {
            flags.push("timeout");
        }
        if !flags.is_empty() {
            let _ = writeln!(out, "\t\tflags {}", flags.join(","));
        }
        // nft's order: flags, the set's expressions, auto-merge, timeout, gc-interval.
        if attrs.counter {
            let _ = writeln!(out, "\t\tcounter");
        }
        if s.auto_merge {
            let _ = writeln!(out, "\t\tauto-merge");
        }
        if let Some(t) = s.timeout_ms {
            let _ = writeln!(out, "\t\ttimeout {}", duration(t));
        }
        if let Some(gc) = s.gc_ms {
            let _ = writeln!(out, "\t\tgc-interval {}", duration(u64::from(gc)));
        }
        if let Some(c) = s.comment {
            let _ = writeln!(out, "\t\tcomment \"{c}\"");
        }
    }

    fn elements(
        &self,
        out: &mut String,
        items: Option<Vec<String>>,
        key: &crate::KeyType,
        extras: &crate::SetExtras,
    ) {
        let items = match items {
            Some(items) if extras.raw_elements.is_empty() => items,
            _ => {
                let _ = writeln!(out, "\t\t{UNPRINTED}elements not printed");
                return;
            }
        };
        let per_line = value::per_line(key);
        out.push_str("\t\telements = { ");
        let mut count = 0;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                match per_line {
                    Some(n) if count < n => out.push_str(", "),
                    _ => {
                        count = 0;
                        out.push_str(",\n\t\t\t     ");
                    }
                }
            }
            out.push_str(item);
            count += 1;
        }
        out.push_str(" }\n");
    }

    /// One object block.
    pub fn object(&self, o: &Object) -> String {
        let (kw, body) = match &o.kind {
            ObjectKind::Counter { packets, bytes } => {
                ("counter", format!("packets {packets} bytes {bytes}"))
            }
            ObjectKind::Quota { bytes, over, used } => {
                let mut s = String::new();
                if *over {
                    s.push_str("over ");
                }
                s.push_str(&bytes_text(*bytes));
                if *used != 0 {
                    let _ = write!(s, " used {}", bytes_text(*used));
                }
                ("quota", s)
            }
            ObjectKind::Limit {
                rate,
                unit,
                burst,
                bytes,
                over,
            } => ("limit", limit_text(*rate, *unit, *burst, *bytes, *over)),
            ObjectKind::Raw { kind_id, data } => {
                let Some((kw, lines)) = decl::raw_object(*kind_id, data) else {
                    return format!(
                        "\t{UNPRINTED}object {} {} not printed\n",
                        o.kind.object_type(),
                        o.name
                    );
                };
                (kw, lines.join("\n\t\t"))
            }
        };
        let mut out = format!("\t{kw} {} {{\n", o.name);
        if let Some(c) = &o.comment {
            let _ = writeln!(out, "\t\tcomment \"{c}\"");
        }
        let _ = writeln!(out, "\t\t{body}");
        out.push_str("\t}\n");
        out
    }

    /// One flowtable block.
    pub fn flowtable(&self, f: &Flowtable, family: Family) -> String {
        let mut out = format!("\tflowtable {} {{\n", f.name);
        let _ = writeln!(
            out,
            "\t\thook {} priority {}",
            f.hook,
            priority_text(f.priority, family, f.hook)
        );
        let devs: Vec<String> = f.devices.iter().map(|d| format!("\"{d}\"")).collect();
        let _ = writeln!(out, "\t\tdevices = {{ {} }}", devs.join(", "));
        if f.flags.contains(crate::FlowtableFlags::COUNTER) {
            out.push_str("\t\tcounter\n");
        }
        if f.flags.contains(crate::FlowtableFlags::HW_OFFLOAD) {
            out.push_str("\t\tflags offload\n");
        }
        out.push_str("\t}\n");
        out
    }
}

/// What sets and maps share in their block.
struct SetCommon<'a> {
    flags: SetFlags,
    size: Option<u32>,
    timeout_ms: Option<u64>,
    gc_ms: Option<u32>,
    auto_merge: bool,
    comment: Option<&'a str>,
    /// The raw set attributes, `None` when some do not print.
    attrs: Option<&'a decl::SetAttrs>,
}

/// What nft's set userdata says that printing needs.
#[derive(Default)]
struct Userdata {
    key_host: bool,
    data_host: bool,
    /// The key typeof TLV's value.
    key_typeof: Option<Vec<u8>>,
    /// The data typeof TLV's value.
    data_typeof: Option<Vec<u8>>,
    /// Map data are intervals (`type ipv4_addr : interval ipv4_addr`).
    data_interval: bool,
}

impl Userdata {
    fn parse(bytes: &[u8]) -> Userdata {
        let mut ud = Userdata::default();
        for (kind, value) in tlvs(bytes) {
            let order = value.first().copied().unwrap_or(0) == 1
                || (value.len() == 4
                    && u32::from_ne_bytes([value[0], value[1], value[2], value[3]]) == 1);
            match kind {
                0 => ud.key_host = order,
                1 => ud.data_host = order,
                3 => ud.key_typeof = Some(value.to_vec()),
                4 => ud.data_typeof = Some(value.to_vec()),
                6 => ud.data_interval = order,
                _ => {}
            }
        }
        ud
    }
}

/// How a set key (or map data) prints: its declaration text and how its elements print.
struct Form {
    /// `type ipv4_addr` or `typeof ip saddr`; `None` when not printable here.
    text: Option<String>,
    /// The text is a `typeof` description.
    is_typeof: bool,
    /// The typeof fields the elements print by; `None`: by the kernel key type.
    parts: Option<Vec<Part>>,
}

impl Form {
    fn unknown() -> Form {
        Form {
            text: None,
            is_typeof: false,
            parts: None,
        }
    }

    /// One element (key or data) as nft prints it.
    fn element(
        &self,
        p: &Printer,
        key: &crate::KeyType,
        e: &crate::SetElement,
        host: bool,
        interval: bool,
    ) -> Option<String> {
        match &self.parts {
            Some(parts) => decl::typeof_element(p, parts, e, interval),
            None => value::element(p, key, e, host)
                .or_else(|| decl::typeof_element(p, &kernel_parts(key, host)?, e, interval)),
        }
    }

    /// The order nft lists elements in.
    fn sort_key(
        &self,
        index: usize,
        e: &crate::SetElement,
        key: &crate::KeyType,
        host: bool,
        interval: bool,
    ) -> (Vec<u8>, usize) {
        // Elements of a bitmask type sort by their lowest bit; equal keys (`syn`,
        // `syn | ack`) list in the reverse of the kernel's order.
        let parts = match &self.parts {
            Some(parts) => Some(parts.clone()),
            None => kernel_parts(key, host),
        };
        if let Some([part]) = parts.as_deref() {
            if matches!(part.kind, typeof_key::Kind::Dt(dt) if dt.is_bitmask()) {
                if let Some(low) = decl::bitmask_sort_key(part, e) {
                    return (low.to_be_bytes().to_vec(), usize::MAX - index);
                }
            }
        }
        (self.value_sort_key(e, key, host, interval), index)
    }

    fn value_sort_key(
        &self,
        e: &crate::SetElement,
        key: &crate::KeyType,
        host: bool,
        interval: bool,
    ) -> Vec<u8> {
        match (&self.parts, key, e) {
            // Interval sets hold raw values and names big endian: their bytes are the
            // order.
            (
                _,
                crate::KeyType::Raw { .. } | crate::KeyType::Ifname,
                crate::SetElement::Value(v),
            ) if interval => v.key_bytes(),
            (
                _,
                crate::KeyType::Raw { .. } | crate::KeyType::Ifname,
                crate::SetElement::Range(r),
            ) if interval => r.0.key_bytes(),
            // A concatenation the kernel type did not split sorts as concatenations do:
            // the stored key read as a little-endian number.
            (
                Some(parts),
                crate::KeyType::Raw { .. },
                crate::SetElement::Value(crate::ElemValue::Bytes(b)),
            ) if parts.len() > 1 => {
                let mut k = b.to_vec();
                if cfg!(target_endian = "little") {
                    k.reverse();
                }
                k
            }
            _ => value::elem_sort_key(e, key, host),
        }
    }
}

/// The form of `key`, described by nft's typeof TLV value `typeof_tlv` when there is one.
fn key_form(key: &crate::KeyType, typeof_tlv: Option<&[u8]>) -> Form {
    match typeof_tlv.map(typeof_key::decode) {
        Some(t @ Typeof::Parts(_)) => {
            let (Some(text), Some(len)) = (t.text(), t.key_len()) else {
                return Form::unknown();
            };
            let Typeof::Parts(parts) = t else {
                return Form::unknown();
            };
            if u32::try_from(len).ok() != Some(key.key_len()) {
                return Form::unknown();
            }
            Form {
                text: Some(format!("typeof {text}")),
                is_typeof: true,
                parts: Some(parts),
            }
        }
        None | Some(Typeof::Empty) => Form {
            text: type_name(key).map(|t| format!("type {t}")),
            is_typeof: false,
            parts: None,
        },
        Some(Typeof::Verdict | Typeof::Unknown) => Form::unknown(),
    }
}

/// The fields of a kernel key type as typeof parts (their texts empty), for printing
/// elements the plain element printer does not.
fn kernel_parts(key: &crate::KeyType, host: bool) -> Option<Vec<Part>> {
    use crate::KeyType;
    use crate::stmt::Datatype as D;
    use typeof_key::Kind;
    key.fields()
        .iter()
        .map(|f| {
            let (dt, bits, host) = match f {
                KeyType::Ipv4Addr => (D::Ipv4Addr, 32, false),
                KeyType::Ipv6Addr => (D::Ipv6Addr, 128, false),
                KeyType::EtherAddr => (D::EtherAddr, 48, false),
                KeyType::InetProto => (D::InetProto, 8, false),
                KeyType::InetService => (D::InetService, 16, false),
                KeyType::Mark => (D::Mark, 32, true),
                KeyType::Ifname => (D::Ifname, 128, false),
                KeyType::CtState => (D::CtState, 32, true),
                KeyType::Raw { type_id, len } => (value::raw_type(*type_id)?.1, len * 8, host),
                KeyType::Concat(_) => return None,
            };
            Some(Part::new(String::new(), Kind::Dt(dt), bits, host))
        })
        .collect()
}

/// `type u8 | len u8 | value` TLVs; a truncated tail ends them.
fn tlvs(bytes: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let (&kind, tail) = rest.split_first()?;
        let (&len, tail) = tail.split_first()?;
        let value = tail.get(..usize::from(len))?;
        rest = &tail[usize::from(len)..];
        Some((kind, value))
    })
}

/// The comment TLV (type 0, NUL terminated) of table or chain userdata.
fn comment_tlv(bytes: &[u8]) -> Option<String> {
    tlvs(bytes).find(|(k, _)| *k == 0).map(|(_, v)| {
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        String::from_utf8_lossy(&v[..end]).into_owned()
    })
}

fn table_flags(flags: TableFlags) -> String {
    let mut names = Vec::new();
    if flags.contains(TableFlags::DORMANT) {
        names.push("dormant");
    }
    if flags.contains(TableFlags::OWNER) {
        names.push("owner");
    }
    if flags.contains(TableFlags::PERSIST) {
        names.push("persist");
    }
    names.join(",")
}

/// nft's name of a set key or data type (`ipv4_addr . inet_service`), `None` when unknown.
fn type_name(key: &crate::KeyType) -> Option<String> {
    use crate::KeyType;
    Some(match key {
        KeyType::Concat(fields) => {
            let names: Option<Vec<String>> = fields.iter().map(type_name).collect();
            names?.join(" . ")
        }
        KeyType::Raw { type_id, .. } => value::raw_type(*type_id)?.0.to_owned(),
        scalar => scalar.to_string(),
    })
}

/// nft's priority text: a standard name (± offset up to 10) where the family and hook have
/// it, else the number.
fn priority_text(p: Priority, family: Family, hook: Hook) -> String {
    let Ok(n) = p.resolve(family) else {
        return p.to_string();
    };
    let names: &[(&str, i32)] = match family {
        Family::Bridge => match hook {
            Hook::Prerouting => &[("dstnat", -300), ("filter", -200)],
            Hook::Output => &[("filter", -200), ("out", 100)],
            Hook::Postrouting => &[("filter", -200), ("srcnat", 300)],
            _ => &[("filter", -200)],
        },
        Family::Arp | Family::Netdev => &[("filter", 0)],
        _ => match hook {
            Hook::Prerouting => &[
                ("raw", -300),
                ("mangle", -150),
                ("dstnat", -100),
                ("filter", 0),
                ("security", 50),
            ],
            Hook::Postrouting => &[
                ("raw", -300),
                ("mangle", -150),
                ("filter", 0),
                ("security", 50),
                ("srcnat", 100),
            ],
            _ => &[
                ("raw", -300),
                ("mangle", -150),
                ("filter", 0),
                ("security", 50),
            ],
        },
    };
    for (name, base) in names {
        let off = i64::from(n) - i64::from(*base);
        if off == 0 {
            return (*name).to_owned();
        }
        if (1..=10).contains(&off) {
            return format!("{name} + {off}");
        }
        if (-10..=-1).contains(&off) {
            return format!("{name} - {}", -off);
        }
    }
    n.to_string()
}

/// A duration in nft's form: `1d2h3m4s5ms`, parts that are zero left out.
pub(crate) fn duration(ms: u64) -> String {
    let mut out = String::new();
    let parts = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ];
    let mut rest = ms;
    for (unit, suffix) in parts {
        if rest >= unit {
            let _ = write!(out, "{}{suffix}", rest / unit);
            rest %= unit;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Bytes in the largest unit that divides them (`10 mbytes`).
pub(crate) fn bytes_text(bytes: u64) -> String {
    let (n, unit) = bytes_unit(bytes);
    format!("{n} {unit}")
}

fn bytes_unit(bytes: u64) -> (u64, &'static str) {
    let units = ["bytes", "kbytes", "mbytes", "gbytes"];
    let mut n = bytes;
    let mut i = 0;
    while i + 1 < units.len() && n != 0 && n % 1024 == 0 {
        n /= 1024;
        i += 1;
    }
    (n, units[i])
}

/// A limit's text after `limit ` (rules) or inside a limit object: `rate [over] 10/second
/// [burst 5 packets]`, `rate over 1 mbytes/second burst 500 kbytes`.
pub(crate) fn limit_text(rate: u64, unit: RateUnit, burst: u32, bytes: bool, over: bool) -> String {
    let over = if over { "over " } else { "" };
    if bytes {
        let (n, u) = bytes_unit(rate);
        let mut s = format!("rate {over}{n} {u}/{unit}");
        if burst != 0 {
            let _ = write!(s, " burst {}", bytes_text(u64::from(burst)));
        }
        s
    } else {
        let mut s = format!("rate {over}{rate}/{unit}");
        if burst != 5 {
            let _ = write!(s, " burst {burst} packets");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_units() {
        assert_eq!(duration(60_000), "1m");
        assert_eq!(duration(90_000), "1m30s");
        assert_eq!(duration(3_600_000), "1h");
        assert_eq!(bytes_text(10 * 1024 * 1024), "10 mbytes");
        assert_eq!(bytes_text(1000), "1000 bytes");
    }

    #[test]
    fn priorities() {
        assert_eq!(
            priority_text(Priority::Value(10), Family::Inet, Hook::Input),
            "filter + 10"
        );
        assert_eq!(
            priority_text(Priority::Value(-100), Family::Ip, Hook::Output),
            "-100"
        );
        assert_eq!(
            priority_text(Priority::Value(-100), Family::Ip, Hook::Prerouting),
            "dstnat"
        );
        assert_eq!(
            priority_text(Priority::Value(20), Family::Ip, Hook::Input),
            "20"
        );
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn typeof_sets_print_their_expression_and_elements_by_it() {
        use crate::{ElemValue, KeyType, Set, SetElement};
        // `typeof meta skuid`: a host-order uid key, as nft wrote it.
        let mut s = Set::new(
            "uids",
            KeyType::Raw {
                type_id: 24,
                len: 4,
            },
        )
        .element(SetElement::Value(ElemValue::Bytes(
            1000u32.to_ne_bytes().to_vec().into(),
        )))
        .element(SetElement::Value(ElemValue::Bytes(
            0u32.to_ne_bytes().to_vec().into(),
        )));
        s.extras.userdata = hex("000401000000030e000409000000010600040a000000");
        assert_eq!(
            Printer::new().set(&s),
            "\tset uids {\n\t\ttypeof meta skuid\n\t\telements = { 0, 1000 }\n\t}\n"
        );
        // An expression not known here keeps the marker.
        s.extras.userdata = hex("000401000000030e00040900000001060004ff000000");
        assert!(Printer::new().set(&s).contains(UNPRINTED));
    }

    #[test]
    fn object_maps_and_element_state() {
        use crate::{KeyType, Set, SetElement, SetExtras};
        let mut s = Set::new("cm", KeyType::InetService)
            .element(SetElement::port(80))
            .element(SetElement::port(53));
        s.flags = SetFlags::OBJECT;
        s.extras = SetExtras {
            attrs: hex("08000f0000000001"),
            elements: vec![
                crate::ElemAttrs {
                    index: 0,
                    attrs: hex("0800090077656200"),
                },
                crate::ElemAttrs {
                    index: 1,
                    attrs: hex("08000900646e7300"),
                },
            ],
            ..SetExtras::default()
        };
        assert_eq!(
            Printer::new().set(&s),
            "\tmap cm {\n\t\ttype inet_service : counter\n\t\telements = { 53 : \"dns\", 80 : \"web\" }\n\t}\n"
        );
        // A per-element comment on a plain set.
        let mut s = Set::new("v4", KeyType::Ipv4Addr).element(linx_ip::ip!("192.0.2.3"));
        s.extras.elements = vec![crate::ElemAttrs {
            index: 0,
            attrs: hex("11000600000b746869726420686f737400000000"),
        }];
        assert!(
            Printer::new()
                .set(&s)
                .contains("elements = { 192.0.2.3 comment \"third host\" }")
        );
    }

    #[test]
    fn raw_objects_print_as_nft_blocks() {
        let o = Object::new(
            "ftp",
            ObjectKind::Raw {
                kind_id: 3,
                data: vec![
                    8, 0, 1, 0, 102, 116, 112, 0, 5, 0, 3, 0, 6, 0, 0, 0, 6, 0, 2, 0, 0, 2, 0, 0,
                ],
            },
        );
        assert_eq!(
            Printer::new().object(&o),
            "\tct helper ftp {\n\t\ttype \"ftp\" protocol tcp\n\t\tl3proto ip\n\t}\n"
        );
        let o = Object::new(
            "x",
            ObjectKind::Raw {
                kind_id: 6,
                data: vec![],
            },
        );
        assert!(Printer::new().object(&o).contains(UNPRINTED));
    }

    #[test]
    fn bitmask_elements_list_as_nft_lists_them() {
        use crate::{ElemValue, KeyType, Set, SetElement};
        // Kernel order syn, fin|ack, syn|ack, rst: nft sorts by the lowest bit, equal keys
        // in reverse kernel order.
        let mut s = Set::new(
            "f",
            KeyType::Raw {
                type_id: 15,
                len: 1,
            },
        );
        for b in [2u8, 17, 18, 4] {
            s.elements
                .push(SetElement::Value(ElemValue::Bytes(vec![b].into())));
        }
        s.extras.userdata = hex("000402000000");
        assert!(
            Printer::new()
                .set(&s)
                .contains("elements = { fin | ack, syn | ack, syn, rst }")
        );
    }

    #[test]
    fn interval_map_data() {
        use crate::{DataType, ElemValue, KeyType, Map, MapElement, MapValue, SetElement};
        let mut m = Map::new(
            "snat",
            KeyType::Ipv4Addr,
            DataType::Value(KeyType::Raw { type_id: 7, len: 8 }),
        );
        m.flags = SetFlags::INTERVAL;
        m.extras.userdata = hex("000402000000010402000000060401000000");
        let data =
            |b: [u8; 8]| MapValue::Data(SetElement::Value(ElemValue::Bytes(b.to_vec().into())));
        m.elements.push(MapElement::new(
            linx_ip::ip!("10.1.0.0/16"),
            data([198, 51, 100, 1, 198, 51, 100, 8]),
        ));
        m.elements.push(MapElement::new(
            linx_ip::ip!("10.2.0.0/16"),
            data([1, 1, 1, 9, 1, 1, 1, 9]),
        ));
        assert_eq!(
            Printer::new().map(&m),
            "\tmap snat {\n\t\ttype ipv4_addr : interval ipv4_addr\n\t\tflags interval\n\t\telements = { 10.1.0.0/16 : 198.51.100.1-198.51.100.8, 10.2.0.0/16 : 1.1.1.9/32 }\n\t}\n"
        );
    }

    proptest::proptest! {
        /// Raw userdata, set attributes, element attributes and object data of any bytes
        /// print without panicking.
        #[test]
        fn raw_declaration_bytes_never_panic(
            ud in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            attrs in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48),
            elem in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48),
            kind in 0u32..12,
        ) {
            use crate::{ElemValue, KeyType, Set, SetElement};
            let mut s = Set::new("s", KeyType::Raw { type_id: 4, len: 4 })
                .element(SetElement::Value(ElemValue::Bytes(vec![1, 2, 3, 4].into())));
            s.extras.userdata = ud.clone();
            s.extras.attrs = attrs.clone();
            s.extras.elements = vec![crate::ElemAttrs { index: 0, attrs: elem.clone() }];
            let _ = Printer::new().set(&s);
            s.flags = SetFlags::OBJECT | SetFlags::INTERVAL;
            let _ = Printer::new().set(&s);
            let o = Object::new("o", ObjectKind::Raw { kind_id: kind, data: attrs });
            let _ = Printer::new().object(&o);
            let _ = typeof_key::decode(&ud);
        }
    }
}
