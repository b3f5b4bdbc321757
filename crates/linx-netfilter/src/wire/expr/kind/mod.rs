//! One module per expression kind the model types: each holds that kind's encoder (its
//! attributes inside `NFTA_EXPR_DATA`, in libnftnl's order), its decoder (the data back
//! into the model, or [`common::Misfit`]) and the checks that concern that kind alone
//! (`check`, run by `crate::validate`). The dispatchers — `encode_data` in the parent
//! module, `typed` in its `decode` module and `check_expr` in `crate::validate` — are one
//! arm per kind calling in here.
//!
//! Adding an expression kind: one file here with `encode`, `decode` and `check`, its `mod`
//! line below, and one arm in each dispatcher (plus the model variant). Checks that need
//! the whole table (set and object references, the jump graph) stay in `crate::validate`.
//!
//! # Contract
//! - A kind module imports only [`common`] (the shared leaf), the wire helpers and, for
//!   recursion (`dynset`), the parent's `encode`/`decode_nested`; never another kind and
//!   never the `decode` dispatcher, so the module graph stays acyclic.
//! - Each encoder writes exactly nft 1.0.6's bytes; each decoder never panics and returns
//!   a typed value only for data the encoder writes back unchanged (see the parent's
//!   contract).

pub(crate) mod common;

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
