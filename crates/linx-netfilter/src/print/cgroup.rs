//! `socket cgroupv2` values as nft prints them: the rule holds a cgroup's id (the inode
//! number of its directory), and nft prints the path of the first directory entry under
//! `/sys/fs/cgroup` with that inode number, or the number when there is none.
//!
//! The text depends on the host's cgroup file system at the time of printing, so a
//! [`Printer`](super::Printer) resolves ids only when told where to look
//! ([`Printer::with_cgroup_root`](super::Printer::with_cgroup_root)); without it, these
//! values are not printed.
//!
//! # Contract
//! - The walk is nft 1.0.6's: entries of each directory in `readdir` order (`.` and `..`
//!   skipped); an entry whose inode number (as `readdir` reports it) is the id is the
//!   answer; else an entry that `stat` (following symbolic links) finds to be a directory
//!   is walked in turn, depth first. The printed path is the entry's path after the root
//!   and its `/`.
//! - Where the walk cannot be sure to give nft's answer (an unreadable name, a path longer
//!   than nft's buffer, a walk deeper than [`MAX_DEPTH`]), the value is not printed
//!   (`None`), never a guess.

use std::fs;
use std::os::unix::fs::DirEntryExt;
use std::path::Path;

/// Directory levels walked at most (nft recurses without a limit; a deeper tree, or a
/// symbolic link loop, leaves the value unprinted here).
pub(super) const MAX_DEPTH: usize = 64;

/// nft's path buffer (`PATH_MAX + 1`): longer paths are truncated there.
const PATH_MAX: usize = 4096;

/// What the walk found.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// The entry's path, relative to the root.
    Path(String),
    /// No entry has the id: nft prints the number.
    None,
    /// The walk could not be done as nft does it.
    Unsure,
}

/// `id` as nft prints a cgroupv2 value when its cgroup file system is at `root`: the
/// quoted path, or the number; `None` where that text is not certain (module contract).
pub(super) fn text(root: &Path, id: u64) -> Option<String> {
    let root_text = root.to_str()?;
    match walk(root_text, id, 0) {
        Found::Path(p) => {
            let rel = p.get(root_text.len() + 1..)?;
            Some(format!("\"{rel}\""))
        }
        Found::None => Some(id.to_string()),
        Found::Unsure => None,
    }
}

fn walk(dir: &str, id: u64, depth: usize) -> Found {
    if depth >= MAX_DEPTH {
        return Found::Unsure;
    }
    // nft gives up silently on a directory it cannot open.
    let Ok(entries) = fs::read_dir(dir) else {
        return Found::None;
    };
    for entry in entries {
        // `read_dir` stops on an error where `readdir` would end the directory.
        let Ok(entry) = entry else {
            return Found::Unsure;
        };
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Found::Unsure;
        };
        let path = format!("{dir}/{name}");
        if path.len() >= PATH_MAX {
            return Found::Unsure;
        }
        if entry.ino() == id {
            return Found::Path(path);
        }
        if fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            match walk(&path, id, depth + 1) {
                Found::None => {}
                found => return found,
            }
        }
    }
    Found::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn paths_by_inode_number() {
        let root = std::env::temp_dir().join(format!("linx-cgroup-{}", std::process::id()));
        let deep = root.join("system.slice").join("app.service");
        fs::create_dir_all(&deep).unwrap();
        let ino = fs::metadata(&deep).unwrap().ino();
        assert_eq!(
            text(&root, ino).as_deref(),
            Some("\"system.slice/app.service\"")
        );
        let top = fs::metadata(root.join("system.slice")).unwrap().ino();
        assert_eq!(text(&root, top).as_deref(), Some("\"system.slice\""));
        // The root itself is not an entry: its number prints.
        let own = fs::metadata(&root).unwrap().ino();
        assert_eq!(text(&root, own), Some(own.to_string()));
        assert_eq!(text(&root.join("missing"), 7), Some("7".to_owned()));
        fs::remove_dir_all(&root).unwrap();
    }
}
