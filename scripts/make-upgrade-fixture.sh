#!/usr/bin/env bash
# Writes Tests/Fixtures/store-2026-12/: the stores of a five-node federation (city, district, street,
# two communities) as the code of the day wrote them, and the reports each node answered then. The
# upgrade test (NodeSchemaUpgradeTests) opens copies of these stores with today's code and expects every
# report unchanged. Run it only to add a fixture of a new schema version (keep the old ones):
#
#     swift build --product fedctl && bash scripts/make-upgrade-fixture.sh
#
# It starts the nodes on ports 7190–7194 and 8190–8194 and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
fixture=Tests/Fixtures/store-2026-12
fedctl=${FEDCTL:-$(swift build --show-bin-path)/fedctl}
work=$(mktemp -d /tmp/eldercare-fixture.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$fedctl" plan "$fixture/topology.toml" --out "$work" >/dev/null
codes=(130100000000 130102000000 130102001000 130102001001 130102001002)
ports=(8190 8191 8192 8193 8194)
for code in "${codes[@]}"; do
    "$fedctl" run --data "$work/$code" >"$work/$code.log" 2>&1 &
    pids+=($!)
done
for port in "${ports[@]}"; do
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
"$fedctl" simulate --data "$work/130100000000" --data "$work/130102001001" --data "$work/130102001002" \
    --seed 11 --days 45 --end 2026-11-30 --elders 200 --live 0 >"$work/simulate.log" 2>&1

token() { "$fedctl" token show --data "$work/$1" --role operator | tail -1; }
reports=(summary calls services satisfaction roster providers)
query="from=2026-10-17&to=2026-11-30"
fetch_all() {  # $1: output directory
    for i in "${!codes[@]}"; do
        code=${codes[$i]}
        mkdir -p "$1/$code"
        for kind in "${reports[@]}"; do
            curl -sf -H "Authorization: Bearer $(token "$code")" \
                "http://127.0.0.1:${ports[$i]}/api/v1/reports/$kind?$query" >"$1/$code/$kind.json"
        done
    done
}
# Settled when two reads a few seconds apart agree everywhere.
previous=""
for _ in $(seq 1 60); do
    sleep 3
    rm -rf "$work/expected"
    fetch_all "$work/expected"
    now=$(cat "$work"/expected/*/*.json | sha256sum)
    [ "$now" = "$previous" ] && break
    previous=$now
done
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
wait "${pids[@]}" 2>/dev/null || true
pids=()

rm -rf "$fixture/nodes"
for code in "${codes[@]}"; do
    mkdir -p "$fixture/nodes/$code"
    python3 - "$work/$code/node.sqlite" "$fixture/nodes/$code/node.sqlite" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
source.execute(f"VACUUM INTO '{sys.argv[2]}'")
PY
    cp -r "$work/expected/$code" "$fixture/nodes/$code/expected"
    # The children the node trusted (its reporting health expects them).
    (cd "$work/$code/trust" && ls -- *.public 2>/dev/null | sed 's/\.public$//' | sort) >"$fixture/nodes/$code/trusted.txt" || true
done
echo "fixture written to $fixture ($(du -sh "$fixture" | cut -f1)); query: $query" >&2
