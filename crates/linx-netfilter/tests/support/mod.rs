//! Shared by the tests that run the `nft` example binary.

use std::path::PathBuf;

/// The `nft` example binary, built next to the test binary by `cargo test`.
pub(crate) fn example_binary() -> PathBuf {
    let me = std::env::current_exe().expect("path of this test binary");
    let profile_dir = me
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary lives in <target>/<profile>/deps");
    let bin = profile_dir.join("examples").join("nft");
    assert!(
        bin.is_file(),
        "the nft example is not built at {}: run `cargo test -p linx-netfilter` (which builds \
         the examples) or `cargo build -p linx-netfilter --example nft` first",
        bin.display()
    );
    bin
}
