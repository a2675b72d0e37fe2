#!/usr/bin/env bash
# Fails when a Swift file does not follow .swift-format (4 spaces, 120 columns; the toolchain's
# `swift format`, as Hummingbird's scripts/validate.sh does). `make test` runs it first; fix with
#
#     swift format -i -r Sources Tests fuzz/Sources
#
# The generated protobuf code (*.pb.swift, `make proto`) is left as protoc writes it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}
files=()
while IFS= read -r -d '' file; do files+=("$file"); done \
    < <(find Sources Tests fuzz/Sources -name '*.swift' ! -name '*.pb.swift' -print0 | sort -z)
if ! "$swift" format lint --strict --parallel "${files[@]}"; then
    echo "format: the files above do not follow .swift-format; run: swift format -i -r Sources Tests fuzz/Sources" >&2
    exit 1
fi
echo "format: ${#files[@]} files follow .swift-format"
