#!/bin/sh
# Runs the data, call, callback and soundness tests (and the runtime's unit tests) for AArch64 under
# qemu-user, with the fixture libraries built by the AArch64 cross compiler: checks the data
# half's conversions, libffi's AArch64 path and rcffi's register path for AAPCS64 on an x86-64
# machine. About a minute after the first build.
#
#   apt-get install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
#   rustup target add aarch64-unknown-linux-gnu
#   scripts/test-aarch64.sh            # extra arguments go to cargo test
set -eu
cd "$(dirname "$0")/.."
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
export RCFFI_CC=aarch64-linux-gnu-gcc
exec cargo test --target aarch64-unknown-linux-gnu -p rcffi -p rcffi-runtime \
    --test cffi_data --test cffi_declarations --test misuse \
    --test calls --test callbacks --test no_alloc --test soundness --test typed --lib "$@"
