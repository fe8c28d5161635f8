#!/bin/sh
# Runs rcffi's data, call and callback test suites under valgrind memcheck: the cffi data
# behaviours (crates/rcffi/tests/cffi_data), the misuse cross product (tests/misuse.rs), the
# calls (tests/calls: the fixture, group F, 500 random signatures, threads), the callbacks
# (tests/callbacks), the typed calls, callbacks and views (tests/typed), the soundness tests (tests/soundness: foreign cdata, keep-alive by address,
# symbols, nesting, overflows), the no-allocation test and the runtime's unit tests. Fails on
# any invalid access or definite leak.
#
#   scripts/memcheck.sh                   # needs valgrind (apt-get install valgrind)
#   scripts/memcheck.sh calls callbacks   # only these test binaries
#
# Reports, per binary, the number of tests run and valgrind's error summary.
set -eu
cd "$(dirname "$0")/.."
only="${*:-cffi_data misuse rcffi_runtime calls callbacks soundness no_alloc typed}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
# Valgrind computes x87 arithmetic in 64-bit doubles: the tests that compare C's long double
# results bit for bit (libm, printf) skip that comparison when this is set.
export RCFFI_VALGRIND=1
# Every freed block goes back to the system allocator, so valgrind sees each free (recycled
# blocks and the compact blocks of mem/slab/ would hide a use after free).
# RCFFI_NO_RECYCLE=0 keeps them, to check their own paths for invalid and uninitialised reads.
export RCFFI_NO_RECYCLE="${RCFFI_NO_RECYCLE:-1}"

binaries=$(cargo test -p rcffi -p rcffi-runtime --no-run --message-format=json 2>/dev/null |
    ONLY="$only" python3 -c '
import json, os, sys
only = os.environ["ONLY"].split()
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        name = m["target"]["name"]
        if name in only:
            print(m["executable"])
')
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for bin in $binaries; do
    echo "== $(basename "$bin")"
    # One test thread: valgrind serializes threads anyway, and reports read better.
    if valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite "$bin" --test-threads=1 -q >"$log" 2>&1; then
        grep -E "^test result|ERROR SUMMARY|definitely lost" "$log" | sed 's/^==[0-9]*== //'
    else
        cat "$log"
        status=1
    fi
done
exit $status
