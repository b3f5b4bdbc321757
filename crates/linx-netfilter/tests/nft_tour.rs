//! The nf_tables tour (`examples/nft_tour.rs`, run by `cargo xtask demo`) runs to its end:
//! a firewall reconciled next to a foreign table, a rule deleted with `nft` reported by the
//! monitor with nft's pid, healed by the reconcile loop with one inserted rule, and the
//! foreign table left as it was.

mod support;

use std::process::Command;

#[test]
#[ignore = "kernel test: run with cargo xtask test"]
fn the_tour_converges_notices_and_heals() {
    let out = Command::new(support::example_named("nft_tour"))
        .output()
        .expect("run the nft_tour example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "Patch<6 ops: 6 creates>",
        "a second pass: in sync at generation",
        "by nft (pid ",
        "): delete rule inet app input handle ",
        "insert rule inet app input position ",
        "add rule inet app input handle ",
        "ip docker: unchanged",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}
