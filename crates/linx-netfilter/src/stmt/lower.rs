//! Lowering of statements to expressions (written by another change).
