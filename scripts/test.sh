#!/bin/sh
# The whole default test suite, as CI runs it (README.md, .ci/run): the workspace's tests, the
# published crates packaged and tested alone (scripts/check-packages.sh), and the minimum Rust
# version (scripts/check-msrv.sh). Long soaks are opt-in: docs/testing.md.
set -eu
cd "$(dirname "$0")/.."
cargo test --workspace
scripts/check-packages.sh
scripts/check-msrv.sh
