//! Shared by the tests that run the `nft` example binary.

use std::path::PathBuf;

/// The `nft` example binary, built next to the test binary by `cargo test`.
#[allow(dead_code)] // not every test binary runs the nft example
pub(crate) fn example_binary() -> PathBuf {
    example_named("nft")
}

/// The path of the built example `name` of this package, next to the test binary.
#[allow(dead_code)] // not every test binary runs every example
pub(crate) fn example_named(name: &str) -> PathBuf {
    let me = std::env::current_exe().expect("path of this test binary");
    let profile_dir = me
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary lives in <target>/<profile>/deps");
    let bin = profile_dir.join("examples").join(name);
    assert!(
        bin.is_file(),
        "the {name} example is not built at {}: run `cargo test -p linx-netfilter` (which builds \
         the examples) or `cargo build -p linx-netfilter --example {name}` first",
        bin.display()
    );
    bin
}
