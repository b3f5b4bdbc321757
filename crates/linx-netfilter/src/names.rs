//! The rules for names, comments and interface names that every object type checks, and the
//! table id used where no table is known.
//!
//! Why a module of its own: sets, chains, objects and flowtables check their names when they
//! are built, and [`validate`](crate::validate) checks them again on the whole ruleset. Both
//! sides use these functions, so they sit below both (`cargo xtask layers` keeps the modules
//! of a crate free of import cycles).
//!
//! # Contract
//! - Pure functions of their argument; each returns the first [`Reason`] found.
//! - Limits are the kernel's (`crate::consts::limits`): names 1..=255 bytes, comments
//!   ≤ 253 bytes, interface names 1..=15 bytes; no NUL anywhere.

use crate::consts::limits::{COMMENT_MAXLEN, IFNAMSIZ, NFT_NAME_MAXLEN};
use crate::{Family, Reason, TableId};

/// The table id used where no table is known (a chain or set deserialized on its own).
pub(crate) const NO_TABLE: TableId = TableId {
    family: Family::Inet,
    name: String::new(),
};

/// Table, chain, set, object and flowtable names: 1..=255 bytes, no NUL.
pub(crate) fn check_name(name: &str) -> Result<(), Reason> {
    if name.is_empty() {
        return Err(Reason::EmptyName);
    }
    if name.len() >= NFT_NAME_MAXLEN {
        return Err(Reason::NameTooLong {
            len: name.len(),
            max: NFT_NAME_MAXLEN - 1,
        });
    }
    if name.contains('\0') {
        return Err(Reason::NulByte);
    }
    Ok(())
}

/// A set or map name: a valid name not starting with `__set` or `__map`.
pub(crate) fn check_set_name(name: &str) -> Result<(), Reason> {
    check_name(name)?;
    if name.starts_with("__set") || name.starts_with("__map") {
        return Err(Reason::ReservedName);
    }
    Ok(())
}

/// A comment: at most 253 bytes, no NUL.
pub(crate) fn check_comment(comment: &str) -> Result<(), Reason> {
    if comment.len() > COMMENT_MAXLEN {
        return Err(Reason::CommentTooLong { len: comment.len() });
    }
    if comment.contains('\0') {
        return Err(Reason::NulByte);
    }
    Ok(())
}

/// An interface name as the kernel's `dev_valid_name` accepts it: 1..=15 bytes, not `.` or
/// `..`, no `/`, `:`, whitespace or NUL.
pub(crate) fn check_ifname(name: &str) -> Result<(), Reason> {
    let valid = !name.is_empty()
        && name.len() < IFNAMSIZ
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == ':' || c == '\0' || c.is_whitespace());
    if valid {
        Ok(())
    } else {
        Err(Reason::BadInterfaceName {
            name: name.to_owned(),
        })
    }
}
