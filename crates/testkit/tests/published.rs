//! What is published, checked as part of `cargo test --workspace`: the five crates packaged as
//! crates.io would receive them and tested unpacked alone (`scripts/check-packages.sh`), and the
//! workspace built with the `rust-version` its manifests state (`scripts/check-msrv.sh`). Where
//! crates.io or rustup cannot be reached, a script says NOT CHECKED and the test passes; a check
//! that runs and fails fails the test with the script's output.

use std::path::PathBuf;
use std::process::Command;

fn run(script: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("sh")
        .arg(root.join("scripts").join(script))
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{script} failed:\n{text}");
    // Shown with --nocapture: what was checked, or why it was not.
    for line in text.lines().filter(|l| {
        l.starts_with("==")
            || l.starts_with("test result")
            || l.contains("packages:")
            || l.contains("msrv:")
    }) {
        println!("{line}");
    }
}

#[test]
fn the_published_crates_package_and_pass_their_tests_unpacked_alone() {
    run("check-packages.sh");
}

#[test]
fn the_workspace_builds_with_its_stated_rust_version() {
    run("check-msrv.sh");
}
