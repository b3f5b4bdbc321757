//! nf_tables for Linx: a typed, validated ruleset model, and [`push()`] / [`pull()`] to move it
//! into and out of the kernel, byte for byte what `nft(8)` would send.
//!
//! A [`Ruleset`] holds [`Table`]s; a table holds [`Chain`]s of [`Rule`]s, named [`Set`]s and
//! [`Map`]s, stateful [`Object`]s and [`Flowtable`]s. Rules are written as [`Statement`]s,
//! the way nft writes them (`tcp dport 22 accept`), and [`Rule::from_statements`] lowers
//! them to the kernel's register-machine [`Expr`]essions with the protocol matches nft adds
//! for the table's family. Pulled rules read back as statements ([`lift`]) and print as
//! `nft list ruleset` does ([`Printer`]).
//!
//! ```
//! use linx_ip::ip;
//! use linx_netfilter::expr::{CtKey, MetaKey};
//! use linx_netfilter::stmt::{Field, HeaderField, Statement as S};
//! use linx_netfilter::{
//!     Chain, ChainType, CtState, Family, Hook, KeyType, Policy, Printer, Priority, Rule, Ruleset,
//!     Set, TableFlags,
//! };
//!
//! let mut rs = Ruleset::new();
//! let fw = rs.add_table(Family::Inet, "filter", TableFlags::empty())?; // see "Table lifetime"
//! fw.add_set(Set::new("blocklist", KeyType::Ipv4Addr).interval().element(ip!("192.0.2.0/24")))?;
//! fw.add_chain(
//!     Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop),
//! )?;
//! let est = (CtState::ESTABLISHED | CtState::RELATED).bits();
//! for stmts in [
//!     vec![S::any_of(Field::Ct(CtKey::State), est)?, S::accept()],
//!     vec![S::is(Field::Meta(MetaKey::Iifname), "lo")?, S::accept()],
//!     vec![S::in_named(HeaderField::IpSaddr, "blocklist")?, S::drop()],
//!     vec![S::is(HeaderField::TcpDport, 22u16)?, S::accept()], // only TCP: `meta l4proto tcp` added
//! ] {
//!     fw.add_rule("input", Rule::from_statements(Family::Inet, stmts)?)?;
//! }
//! fw.add_chain(Chain::base("nat", ChainType::Nat, Hook::Prerouting, Priority::DSTNAT))?;
//! let forward = [
//!     S::is(HeaderField::TcpDport, 8080u16)?,
//!     S::dnat(Some(Family::Ip), ip!("192.0.2.10"), Some(80u16.into()))?,
//! ];
//! fw.add_rule("nat", Rule::from_statements(Family::Inet, forward)?)?;
//!
//! rs.validate()?; // what push runs before encoding anything
//! assert_eq!(
//!     Printer::new().ruleset(&rs),
//!     "table inet filter {
//! \tset blocklist {
//! \t\ttype ipv4_addr
//! \t\tflags interval
//! \t\telements = { 192.0.2.0/24 }
//! \t}
//!
//! \tchain input {
//! \t\ttype filter hook input priority filter; policy drop;
//! \t\tct state established,related accept
//! \t\tiifname \"lo\" accept
//! \t\tip saddr @blocklist drop
//! \t\ttcp dport 22 accept
//! \t}
//!
//! \tchain nat {
//! \t\ttype nat hook prerouting priority dstnat; policy accept;
//! \t\ttcp dport 8080 dnat ip to 192.0.2.10:80
//! \t}
//! }
//! "
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Builders check values at once (an IPv6 address for `ip saddr`, a port of 70000 and a
//! 20-byte interface name are errors); what depends on the family is checked by
//! [`Rule::from_statements`]. The register-level constructors ([`Expr`]'s, with
//! [`Rule::new`]) are the expert path, for rules no statement expresses: they write exactly
//! the expressions given, so the caller writes the protocol matches too (validation refuses
//! a header load without one unless the rule is built with [`Rule::raw`]; see [`expr`]).
//!
//! Then, with a socket:
//!
//! ```no_run
//! # let rs = linx_netfilter::Ruleset::new();
//! use linx_netfilter::{Mode, Scope};
//! let sock = linx_nfnl::open(linx_netlink_sys::Netns::Host)?;
//! linx_netfilter::push(&sock, &rs, Mode::Replace)?;     // one atomic batch
//! let back = linx_netfilter::pull(&sock, Scope::All)?;  // the same value, with handles
//! assert_eq!(back.canonical(), rs.canonical());
//! # Ok::<(), linx_netfilter::NetfilterError>(())
//! ```
//!
//! # Table lifetime
//!
//! Tables are `owner` tables by default ([`TableFlags::default`], what the spec chose):
//! the kernel deletes an owner table, with everything in it, when the socket that created
//! it closes, so a firewall cannot outlive the program that manages it by accident. Which
//! one a program wants depends on how long it runs:
//! - **A daemon** keeps the socket it pushed with open for as long as the rules should
//!   apply; its tables go when it exits or crashes.
//! - **A short-lived process** (a CLI, a one-shot job, a setup script) calls
//!   [`Ruleset::release_ownership`] before [`push()`], which clears the flag and names the
//!   tables it released, or builds its tables with [`TableFlags::empty`]. Its tables then
//!   stay after it exits, as tables `nft -f` loads do. The `nft` example's `apply` does
//!   this unless told `--owned`.
//! - **Kernel 6.9 and later** also take `owner | persist` ([`TableFlags::PERSIST`]): the
//!   table keeps the owner's exclusive hold while the socket lives, and is released instead
//!   of deleted when it closes. Older kernels refuse the flag.
//!
//! ```
//! use linx_netfilter::{Family, Ruleset, TableFlags};
//! let mut rs = Ruleset::new();
//! rs.add_table(Family::Inet, "app", TableFlags::default())?; // owner: dies with the socket
//! assert_eq!(rs.release_ownership(), ["inet/app"]);           // now it stays after exit
//! # Ok::<(), linx_netfilter::Error>(())
//! ```
//!
//! Why a typed model in front of the wire format: nf_tables reports most mistakes as a bare
//! `EINVAL` or `EOPNOTSUPP` for a whole batch. Checking the family, hook, chain-type and
//! priority rules, set element types, references and limits here turns those into typed
//! [`Error`]s that name the table, chain, rule or element, before anything is sent.
//!
//! # Contract
//! - Pure values: no I/O, no clock, no global state; everything is `Send + Sync`.
//! - Validation: the `add_*` builders check what they can see (the object, its family, its
//!   chain); [`Ruleset::validate`] checks everything, including references and the jump
//!   graph. Errors are [`Error`] values, never panics. Kernel refusals are not produced here.
//! - Byte order: packet fields in network order, meta/ct host integers in native order
//!   (see [`expr`]); set keys and map data as the "Byte order" section of [`KeyType`] says.
//! - Lossless room: unknown expressions ([`Expr::Unknown`]), object kinds
//!   ([`ObjectKind::Raw`]), key types ([`KeyType::Raw`]), kernel enum values (`Other(n)`),
//!   flag bits, other tools' userdata (rules, chains, tables, sets) and set state the model
//!   does not name ([`SetExtras`]: element timeouts and comments, catch-all elements, set
//!   policies and expressions) are kept, so a pulled ruleset — whoever wrote it — is
//!   re-emitted unchanged: `nft list ruleset` of a namespace it is pushed into reads line for
//!   line as the original (a kernel test holds this on the corpus in `tests/corpus/`).
//! - serde: the whole model is `Serialize + Deserialize`; deserializing validates. The JSON
//!   format is documented in [`ruleset`]. Statements are `Serialize` only (their JSON is
//!   described in [`stmt`]): they are built through checked constructors.
//! - Kernel I/O lives in [`push`](mod@push), [`pull`](mod@pull),
//!   [`reconcile`](mod@reconcile), [`monitor`] and [`nflog`] only; push, pull and reconcile
//!   errors are [`NetfilterError`]s (a refusal names the refused message and what it was).
//!   Every verb runs on a blocking `Socket` or, with feature `tokio`, an `AsyncSocket`.
//! - [`diff()`](diff::diff) computes the [`Patch`](diff::Patch) from a pulled ruleset to a
//!   desired one (pure).
//! - [`reconcile()`](reconcile::reconcile) sends only the difference between the kernel's
//!   tables and a desired ruleset, in one batch guarded by the ruleset generation.
//! - NFLOG listeners ([`nflog`]) have their own error type, [`nflog::NflogError`]; so do
//!   ruleset monitors ([`monitor`]: commits with generation and process, snapshot + tail),
//!   [`monitor::MonitorError`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod consts;
pub mod diff;
pub mod expr;
pub mod lift;
pub mod monitor;
pub mod nflog;
pub mod print;
pub mod pull;
pub mod push;
pub mod reconcile;
pub mod ruleset;
pub mod stmt;

mod byte_order;
mod chain;
mod error;
mod family;
mod flags;
mod flowtable;
mod hex;
mod names;
mod nla;
mod object;
mod op_error;
mod op_refusal;
#[cfg(test)]
mod pull_script_tests;
#[cfg(test)]
mod push_script_tests;
mod rule;
mod set;
mod subscription;
mod table;
mod validate;
mod verdict;
mod wire;

pub use chain::{BaseChain, Chain, ChainFlags, ChainKind};
pub use error::{Error, Reason, TableId};
pub use expr::{Expr, Reg};
pub use family::{ChainType, Family, Hook, Policy, Priority, PriorityName};
pub use flowtable::{Flowtable, FlowtableFlags};
pub use object::{Object, ObjectKind, ObjectType};
pub use op_error::{NetfilterError, Operation};
/// nft text of rules and rulesets (see [`print`](mod@print)).
pub use print::Printer;
pub use pull::{PullOptions, PullReport, Scope, pull, pull_with};
pub use push::{Mode, create_table, push, supported};
pub use reconcile::{ReconcileOptions, ReconcileReport, reconcile};
pub use rule::Rule;
pub use ruleset::{Ruleset, TableRef};
pub use set::{
    CtState, DataType, ElemAttrs, ElemValue, KeyType, Map, MapElement, MapValue, RawElement, Set,
    SetElement, SetExtras, SetFlags,
};
/// Statements, the readable layer over [`Expr`] (see [`stmt`]).
pub use stmt::{Field, HeaderField, Key, LowerError, Match, Statement, Value};
pub use table::{Table, TableFlags};
pub use verdict::Verdict;

pub use linx_nfnl::PROTOCOL;
