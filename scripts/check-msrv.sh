#!/bin/sh
# The minimum supported Rust version, as Cargo.toml's `rust-version` states it: the whole
# workspace (tests, examples, benches) type-checks with that toolchain, installed through
# rustup when missing.
#
#   scripts/check-msrv.sh
#
# Without rustup there is no other toolchain to check with: the script says so and fails,
# unless RCFFI_SKIP_MSRV=1 says to skip it.
set -eu
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
if ! command -v rustup >/dev/null; then
    if [ "${RCFFI_SKIP_MSRV:-0}" = 1 ]; then
        echo "msrv: skipped (no rustup, RCFFI_SKIP_MSRV=1)"
        exit 0
    fi
    echo "msrv: rustup is needed to check Rust $msrv (or set RCFFI_SKIP_MSRV=1)" >&2
    exit 1
fi
rustup toolchain install "$msrv" --profile minimal --no-self-update >/dev/null 2>&1 ||
    rustup toolchain install "$msrv" --profile minimal
# Its own target directory: artifacts of two compilers do not mix.
CARGO_TARGET_DIR=target/msrv cargo "+$msrv" check --workspace --all-targets --quiet
echo "msrv: the workspace builds with Rust $msrv"
