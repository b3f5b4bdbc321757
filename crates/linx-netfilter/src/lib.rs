//! nf_tables for Linx: the ruleset model and its validation, expressions, encoder, decoder,
//! diff and push.
//!
//! This crate is a placeholder in the foundation release: the model arrives with its own issue.
//!
//! # Contract
//! - Talks to the kernel only through `linx-nfnl`; no socket or framing code of its own.
//! - No `unsafe` code.
#![forbid(unsafe_code)]

pub use linx_nfnl::PROTOCOL;
