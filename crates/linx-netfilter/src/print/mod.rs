//! nft text: rulesets, tables, chains, sets, maps, objects, flowtables and rules printed as
//! `nft list ruleset` (nft 1.0.6) prints them.
//!
//! # Contract
//! - Never panics; a rule that is not fully lifted prints in a form nft never writes.
