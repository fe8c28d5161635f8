#!/bin/sh
# The minimum supported Rust version, as Cargo.toml's `rust-version` states it: the whole
# workspace (tests, examples, benches) type-checks with that toolchain, installed through
# rustup when missing.
#
#   scripts/check-msrv.sh
#
# `cargo test --workspace` runs it (rcffi-testkit's tests/published.rs).
set -eu
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
# Without rustup, or where it cannot download the toolchain, there is no Rust $msrv to check
# with: the script says so, loudly, and does not fail (the check itself fails when it runs).
if ! command -v rustup >/dev/null; then
    echo "msrv: NOT CHECKED: rustup is needed to install Rust $msrv" >&2
    exit 0
fi
if ! rustup toolchain install "$msrv" --profile minimal --no-self-update >/dev/null 2>&1 &&
    ! rustup toolchain install "$msrv" --profile minimal; then
    echo "msrv: NOT CHECKED: rustup could not install Rust $msrv" >&2
    exit 0
fi
# Its own target directory: artifacts of two compilers do not mix.
target=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
CARGO_TARGET_DIR="$target/msrv" cargo "+$msrv" check --workspace --all-targets --quiet
echo "msrv: the workspace builds with Rust $msrv"
