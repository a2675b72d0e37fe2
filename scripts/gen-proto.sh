#!/usr/bin/env bash
# Regenerate Sources/Replication/Wire/*.pb.swift from proto/.
#
# Needs protoc (Debian: apt-get install -y protobuf-compiler) and protoc-gen-swift.
# The plugin is built from swift-protobuf at the exact version Package.swift depends on,
# in .build-protoc/ (git-ignored), and reused on later runs.
#
# Environment overrides:
#   PROTOC              protoc binary to use (default: protoc on PATH)
#   PROTOC_GEN_SWIFT    prebuilt protoc-gen-swift to use instead of building one
#                       (it must report the same version as Package.swift)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PROTO_DIR="proto"
PROTO_FILES=("$PROTO_DIR/eldercare_sync.proto")
OUT_DIR="Sources/Replication/Wire"
# Generated types stay internal: the Replication module uses InternalImportsByDefault and
# exposes none of them. `internal import` keeps the imports explicit and consistent with that.
SWIFT_OPTS=("Visibility=Internal" "UseAccessLevelOnImports=true")

SWIFT_PROTOBUF_URL="https://github.com/apple/swift-protobuf.git"
BUILD_DIR="$ROOT/.build-protoc"
SRC_DIR="$BUILD_DIR/swift-protobuf"

# --- swift-protobuf version: the one Package.swift pins (from: "X.Y.Z") ----------------------
VERSION="$(sed -nE 's|.*swift-protobuf\.git", *(from:\|exact:) *"([0-9]+\.[0-9]+\.[0-9]+)".*|\2|p' Package.swift | head -n1)"
if [[ -z "$VERSION" ]]; then
    echo "gen-proto: cannot find the swift-protobuf version in Package.swift" >&2
    exit 1
fi

# --- protoc ----------------------------------------------------------------------------------
PROTOC="${PROTOC:-protoc}"
if ! command -v "$PROTOC" >/dev/null 2>&1; then
    echo "gen-proto: protoc not found. Install it with: apt-get install -y protobuf-compiler" >&2
    exit 1
fi

# --- protoc-gen-swift ------------------------------------------------------------------------
plugin_version() { "$1" --version 2>/dev/null | awk '{print $NF}'; }

if [[ -n "${PROTOC_GEN_SWIFT:-}" ]]; then
    PLUGIN="$PROTOC_GEN_SWIFT"
else
    PLUGIN="$SRC_DIR/.build/debug/protoc-gen-swift"
    if [[ ! -x "$PLUGIN" || "$(plugin_version "$PLUGIN")" != "$VERSION" ]]; then
        if ! command -v swift >/dev/null 2>&1; then
            echo "gen-proto: swift not found on PATH (needed to build protoc-gen-swift)" >&2
            exit 1
        fi
        mkdir -p "$BUILD_DIR"
        if [[ -d "$SRC_DIR/.git" ]]; then
            echo "gen-proto: switching $SRC_DIR to swift-protobuf $VERSION"
            git -C "$SRC_DIR" fetch --tags --quiet origin
            git -C "$SRC_DIR" -c advice.detachedHead=false checkout --quiet "refs/tags/$VERSION"
        else
            echo "gen-proto: cloning swift-protobuf $VERSION into $SRC_DIR"
            rm -rf "$SRC_DIR"
            git -c advice.detachedHead=false clone --quiet --branch "$VERSION" "$SWIFT_PROTOBUF_URL" "$SRC_DIR"
        fi
        echo "gen-proto: building protoc-gen-swift (takes several minutes the first time)"
        (cd "$SRC_DIR" && swift build --product protoc-gen-swift)
        PLUGIN="$(cd "$SRC_DIR" && swift build --product protoc-gen-swift --show-bin-path)/protoc-gen-swift"
    fi
fi

if [[ ! -x "$PLUGIN" ]]; then
    echo "gen-proto: protoc-gen-swift not found at $PLUGIN" >&2
    exit 1
fi
GOT="$(plugin_version "$PLUGIN")"
if [[ "$GOT" != "$VERSION" ]]; then
    echo "gen-proto: $PLUGIN is version '$GOT', Package.swift wants $VERSION" >&2
    exit 1
fi

# --- generate --------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
args=(--plugin="protoc-gen-swift=$PLUGIN" --swift_out="$OUT_DIR" --proto_path="$PROTO_DIR")
for opt in "${SWIFT_OPTS[@]}"; do
    args+=(--swift_opt="$opt")
done

echo "gen-proto: $("$PROTOC" --version), protoc-gen-swift $GOT, options: ${SWIFT_OPTS[*]}"
"$PROTOC" "${args[@]}" "${PROTO_FILES[@]}"

for f in "${PROTO_FILES[@]}"; do
    base="$(basename "$f" .proto)"
    echo "gen-proto: wrote $OUT_DIR/$base.pb.swift"
done
