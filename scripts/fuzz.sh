#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/Sources, declared in Package.swift only when ELDERCARE_FUZZ is
# set) in their own scratch path .build-fuzz, then runs each for FUZZ_SECONDS (default 60) from its
# committed seed corpus. Ends with one summary line; exits non-zero if any target crashed.
#
#     make fuzz                      # 60 s each
#     FUZZ_SECONDS=5 make fuzz       # the short run `make test` does
#     FUZZ_TARGETS=wire make fuzz    # one target (wire, csv, parent)
#
# New inputs a run discovers go to fuzz/artifacts/NAME-corpus (not committed); a crashing input is
# written to fuzz/artifacts/NAME/crash-… — copy it into fuzz/corpus/NAME/ (the corpus replay tests
# then fail until the bug is fixed) and add a named regression test (docs/TESTING.md).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-wire csv parent}
swift=${SWIFT:-swift}
scratch=.build-fuzz
# --sanitize=fuzzer makes SwiftPM link libFuzzer's main instead of its own entry point; the -Xswiftc
# flags instrument every Swift module for coverage (SwiftPM's flag alone does not) and ASan.
flags=(--sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

product() { case "$1" in wire) echo FuzzWire ;; csv) echo FuzzRosterCSV ;; parent) echo FuzzParentSession ;; *) return 1 ;; esac; }

for name in $targets; do
    product=$(product "$name") || { echo "fuzz: unknown target '$name'; the targets are: wire csv parent" >&2; exit 2; }
    echo "fuzz: building $product (debug, -sanitize=fuzzer,address, scratch path $scratch)…" >&2
    ELDERCARE_FUZZ=1 "$swift" build --scratch-path "$scratch" --product "$product" "${flags[@]}" >&2 || {
        echo "fuzz: building $product failed; see the compiler output above" >&2
        exit 2
    }
done
bin=$(ELDERCARE_FUZZ=1 "$swift" build --scratch-path "$scratch" --show-bin-path "${flags[@]}")

summary=()
status=0
for name in $targets; do
    product=$(product "$name")
    mkdir -p "fuzz/artifacts/$name" "fuzz/artifacts/$name-corpus"
    log="fuzz/artifacts/$name.log"
    echo "fuzz: running $product for ${seconds} s on fuzz/corpus/$name…" >&2
    ASAN_OPTIONS=detect_leaks=0:${ASAN_OPTIONS:-} "$bin/$product" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -detect_leaks=0 \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$name/" \
        "fuzz/artifacts/$name-corpus" "fuzz/corpus/$name" >"$log" 2>&1
    code=$?
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
    if [ "$code" -eq 0 ]; then
        summary+=("$name ${runs:-?} runs, cov ${coverage:-?}, no crash")
    else
        status=1
        crash=$(ls -t "fuzz/artifacts/$name"/crash-* "fuzz/artifacts/$name"/timeout-* "fuzz/artifacts/$name"/oom-* 2>/dev/null | head -1)
        tail -40 "$log" >&2
        summary+=("$name FAILED (exit $code) — input ${crash:-none written}; log $log")
    fi
done
line=$(printf '%s; ' "${summary[@]}")
if [ $status -eq 0 ]; then verdict=OK; else verdict="CRASH: copy the input into fuzz/corpus/NAME/, add a regression test, fix"; fi
echo "fuzz: ${seconds} s each: ${line%; } — $verdict"
exit $status
