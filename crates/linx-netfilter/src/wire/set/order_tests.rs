//! Byte-order rules of set keys and data, each fixed on a kernel dump captured from a set
//! `nft` wrote.
