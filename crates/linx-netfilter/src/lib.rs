//! nf_tables for Linx: a typed, validated ruleset model, and [`push()`] / [`pull()`] to move it
//! into and out of the kernel, byte for byte what `nft(8)` would send.
//!
//! A [`Ruleset`] holds [`Table`]s; a table holds [`Chain`]s of [`Rule`]s, named [`Set`]s and
//! [`Map`]s, stateful [`Object`]s and [`Flowtable`]s. Rules are lists of [`Expr`]essions,
//! the kernel's own register-machine instructions, built with helpers that get byte order
//! right.
//!
//! ```
//! use linx_netfilter::expr::nat::masquerade;
//! use linx_netfilter::{
//!     Chain, ChainType, CtState, Expr, Family, Hook, KeyType, Policy, Priority, Rule, Ruleset,
//!     Set, SetElement, TableFlags,
//! };
//! use linx_ip::ip;
//!
//! let mut rs = Ruleset::new();
//! let filter = rs.add_table(Family::Inet, "filter", TableFlags::default())?;
//! filter.add_set(Set::new("blocklist", KeyType::Ipv4Addr).interval().element(ip!("192.0.2.0/24")))?;
//! filter.add_chain(
//!     Chain::base("input", ChainType::Filter, Hook::Input, Priority::FILTER).policy(Policy::Drop),
//! )?;
//! filter.add_rule("input", Rule::new(Expr::ct_state(&[CtState::ESTABLISHED, CtState::RELATED])).accept().tag("est"))?;
//! filter.add_rule(
//!     "input",
//!     Rule::new(Expr::meta_nfproto_eq(2)).expr(Expr::ip_saddr()).expr(Expr::lookup("blocklist")).drop().tag("block"),
//! )?;
//! filter.add_rule(
//!     "input",
//!     Rule::new(Expr::meta_l4proto_eq(6)).exprs(Expr::tcp_dport_eq(22)).accept().tag("ssh").comment("admin"),
//! )?;
//!
//! let nat = rs.add_table(Family::Ip, "nat", TableFlags::default())?;
//! nat.add_chain(Chain::base("post", ChainType::Nat, Hook::Postrouting, Priority::SRCNAT))?;
//! nat.add_rule("post", Rule::new(masquerade()))?;
//!
//! rs.validate()?; // what push runs before encoding anything
//! assert_eq!(rs.to_string(), "Ruleset<2 tables: ip/nat, inet/filter>");
//! # Ok::<(), linx_netfilter::Error>(())
//! ```
//!
//! Then, with a socket that stays open for as long as the tables should live (they are
//! `owner` tables by default):
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
//!   format is documented in [`ruleset`].
//! - Kernel I/O lives in [`push`](mod@push) and [`pull`](mod@pull) only; their errors are
//!   [`NetfilterError`]s (a refusal names the refused message and what it was). Every verb
//!   runs on a blocking `Socket` or, with feature `tokio`, an `AsyncSocket`.
//! - Not here yet: diff/reconcile, monitor and NFLOG.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod consts;
pub mod expr;
pub mod lift;
pub mod print;
pub mod pull;
pub mod push;
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
mod object;
mod op_error;
#[cfg(test)]
mod pull_script_tests;
#[cfg(test)]
mod push_script_tests;
mod rule;
mod set;
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
