#!/bin/sh
# The published crates, as crates.io would receive them: `cargo publish --dry-run` packages
# rcffi-cdef, rcffi-derive, rcffi-runtime, rcffi and rcffi-cli in dependency order and builds each from
# its package (against the others' packages); then each package is unpacked alone and its own
# tests run there, with the other packages standing in for crates.io.
#
#   scripts/check-packages.sh            # from anywhere in the workspace
#
# `cargo test --workspace` runs it (rcffi-testkit's tests/published.rs).
#
# Needs crates.io's index (as `cargo publish` does); where it cannot be reached (offline, or a
# vendored source), the script says NOT CHECKED and does not fail.
set -eu
cd "$(dirname "$0")/.."
crates="rcffi-cdef rcffi-derive rcffi-runtime rcffi rcffi-cli"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
# Where cargo puts packages (CARGO_TARGET_DIR may move the target directory).
target=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Cargo unpacks the dry run's temporary registry under $CARGO_HOME/registry/src/-HASH, and a
# later run of the same version reuses what an earlier one unpacked there: stale sources (a
# rerun after a change found them). Those folders are this workspace's packages only
# (crates.io's are named index.crates.io-HASH); they go first.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for c in $crates; do
    rm -rf "$cargo_home"/registry/src/-*/"$c-$version" "$cargo_home"/registry/cache/-*/"$c-$version.crate"
done
# The packages build in a target directory of their own. Cargo takes a registry crate's
# sources as immutable: an earlier run's build of rcffi-runtime 0.1.0 "from the registry"
# would be reused for the same version after the sources changed (a run found rcffi building
# against the runtime of the run before). Those builds go first; the other crates' stay, so
# a rerun builds only ours.
checks="$target/package-check"
# The packages are built as their own roots, where the workspace's profiles do not reach: the
# same small debug info as the workspace's test builds, and no incremental caches (each run
# rebuilds ours anyway). Full debug info made this folder the largest part of a CI run's disk.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only CARGO_INCREMENTAL=0
rm -rf "$checks"/debug/.fingerprint/rcffi* "$checks"/debug/deps/*rcffi* "$checks"/debug/build/rcffi*
if ! cargo publish --dry-run --allow-dirty --workspace --target-dir "$checks" \
    --exclude rcffi-testkit --exclude rcffi-examples >"$out/publish.log" 2>&1; then
    # Where crates.io cannot be reached (offline, or its source replaced by a vendored copy),
    # there is nothing to publish to: say so, loudly. Every other failure is the packages'.
    if grep -qE "is replaced with|Unable to update registry|failed to (download|query|update)|Could not resolve host|network|--offline was specified" "$out/publish.log"; then
        tail -n 5 "$out/publish.log"
        echo "packages: NOT CHECKED: crates.io cannot be reached from here" >&2
        exit 0
    fi
    tail -n 40 "$out/publish.log"
    echo "packages: cargo publish --dry-run fails" >&2
    exit 1
fi
grep -E "Packaged|Verifying" "$out/publish.log"
# The dry run keeps no .crate files: package again, without the build the dry run just did.
cargo package --no-verify --allow-dirty --workspace \
    --exclude rcffi-testkit --exclude rcffi-examples >"$out/package.log" 2>&1 ||
    { tail -n 40 "$out/package.log"; echo "packages: cargo package fails" >&2; exit 1; }
# Cargo reads the patch from the unpacked crates' parent folder.
mkdir -p "$out/.cargo"
echo "[patch.crates-io]" >"$out/.cargo/config.toml"
for c in $crates; do
    tar -xzf "$target/package/$c-$version.crate" -C "$out"
    echo "$c = { path = \"$out/$c-$version\" }" >>"$out/.cargo/config.toml"
done
log="$out/log"
for c in $crates; do
    echo "== $c $version, unpacked alone"
    # The same target directory for them all, so what they share builds once.
    if (cd "$out/$c-$version" && CARGO_TARGET_DIR="$checks" cargo test --quiet >"$log" 2>&1); then
        grep -E "^test result" "$log" | sed 's/; finished in.*//'
    else
        tail -n 40 "$log"
        echo "$c: its packaged tests fail" >&2
        exit 1
    fi
done
echo "packages: ok"
