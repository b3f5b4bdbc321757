//! One module per expression kind the model types: each holds that kind's model type (the
//! struct an [`crate::Expr`] variant wraps, with its checked constructor, getters and serde
//! through the same checks, written with [`common::checked_expr!`]), its encoder (its
//! attributes inside `NFTA_EXPR_DATA`, in libnftnl's order), its decoder (the data back
//! into the model, or [`common::Misfit`]), for the common kinds its fast-path reader
//! (`fast`: the kernel's exact layout, or `None`; dispatched from the parent's `fast`
//! module) and the checks that concern that kind alone (run once, when a value is
//! built). The dispatchers — `encode_data` in the parent module,
//! `typed` in its `decode` module and `check_expr` in `crate::validate` (what needs the
//! rule's place) — are one arm per kind calling in here.
//!
//! Adding an expression kind: one file here with the model, `encode`, `decode` and its
//! checks, its `mod` line below and a re-export in `crate::expr`, one variant of
//! [`crate::Expr`] and one arm in each dispatcher. Checks that need the table (family, chain,
//! set and object references, the jump graph) stay in `crate::validate`.
//!
//! # Contract
//! - A kind's type can only hold values its checks accept: its fields are `pub(crate)`,
//!   and every way in (`new`, the `with_*` methods, serde, the decoder) runs the checks.
//!   Crate code that builds one from a struct literal must build an accepted value.
//! - A kind module imports only [`common`] and [`strict`] (the shared leaves: general and
//!   fast-path readers), the wire helpers and, for
//!   recursion (`dynset`), the parent's `encode`/`decode_nested`; never another kind and
//!   never the `decode` dispatcher, so the module graph stays acyclic.
//! - Each encoder writes exactly nft 1.0.6's bytes; each decoder never panics and returns
//!   a typed value only for data the encoder writes back unchanged and the kind's checks
//!   accept (see the parent's contract); anything else stays raw. A `fast` reader answers
//!   only what the kind's `decode` answers for the same data (proptests in the parent's
//!   `fast` module).

pub(crate) mod common;
pub(crate) mod strict;

pub(crate) mod bitwise;
pub(crate) mod cmp;
pub(crate) mod counter;
pub(crate) mod ct;
pub(crate) mod dynset;
pub(crate) mod immediate;
pub(crate) mod limit;
pub(crate) mod log;
pub(crate) mod lookup;
pub(crate) mod meta;
pub(crate) mod nat;
pub(crate) mod objref;
pub(crate) mod payload;
pub(crate) mod quota;
pub(crate) mod reject;
