//! Lift: a pulled rule's expressions become [`Statement`](crate::stmt::Statement)s again.
//!
//! # Contract
//! - Never a wrong statement: what cannot be lifted exactly stays
//!   [`Statement::Expr`](crate::stmt::Statement::Expr).
//! - Never panics, on any expression list.
