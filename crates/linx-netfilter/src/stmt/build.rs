//! Statement builders (written by another change).
