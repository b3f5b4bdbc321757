//! The generic level-triggered reconcile loop of Linx and the `Source` trait it drives.
//!
//! This crate is a placeholder in the foundation release: the loop arrives with its own issue.
//!
//! # Contract
//! - Depends on no other Linx crate: sources (rtnl, sysctl, ...) plug in from above.
//! - No `unsafe` code.
#![forbid(unsafe_code)]
