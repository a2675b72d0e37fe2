#!/usr/bin/env bash
# Runs the already-built test suites and ends with one plain summary line ("N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
log=.build/test-output.log
swift test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -E '^✔ Test .* passed' "$log" | grep -vc '^✔ Test run with' || true)
failed=$(grep -E '^✘ Test .* failed' "$log" | grep -vc '^✘ Test run with' || true)
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
