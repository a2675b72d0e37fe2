#!/usr/bin/env bash
# Installs the system packages the build needs, if missing (Debian/Ubuntu): libzmq3-dev,
# libsqlite3-dev and pkg-config. Uses sudo only when not root. Does nothing when all are present.
set -euo pipefail
if ! command -v swift >/dev/null 2>&1; then
    echo "swift is not on PATH: install Swift 6.1 or later (https://www.swift.org/install/linux/) and run make demo again" >&2
    exit 1
fi
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if command -v pkg-config >/dev/null 2>&1; then
    pkg-config --exists libzmq || missing+=(libzmq3-dev)
    pkg-config --exists sqlite3 || missing+=(libsqlite3-dev)
else
    missing+=(libzmq3-dev libsqlite3-dev)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: ${missing[*]}; install them with your system's package manager and run make demo again" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "missing: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
echo "installing ${missing[*]}…"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
