#!/usr/bin/env python3
"""Merges every benchmark's JSON line in bench/*.json into bench/results.json, with the machine it ran
on, and regenerates the table in docs/BENCHMARKS.md between <!-- bench:begin --> and <!-- bench:end -->.

    python3 scripts/bench-report.py        # run by `make bench` after the benchmarks

Each bench/NAME.json holds what one `fedbench NAME` printed on stdout; its last line that is a JSON
object counts. A file added by a new benchmark (ingest, import, report, …) is picked up as it is:
known figures get their label and target below, every other number gets a row of its own.
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BENCH = os.path.join(ROOT, "bench")
DOC = os.path.join(ROOT, "docs", "BENCHMARKS.md")
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# (benchmark, key, label, unit, target, baseline-ratio key) in table order.
KNOWN = [
    ("merge", "merge_cells_per_s", "durable merge into an empty replica", "cells/s", "≥ 500,000", "merge_vs_baseline"),
    ("merge", "write_cells_per_s", "local write (transactions of 1,000 elders through ReplicaStore)", "cells/s", "", "write_vs_baseline"),
    ("merge", "update_merge_cells_per_s", "merge of concurrent single-cell updates", "cells/s", "", "update_merge_vs_baseline"),
    ("merge", "baseline_sqlite_upsert_cells_per_s", "raw SQLite LWW upsert baseline, same cells, same durability", "cells/s", "", None),
    ("merge", "extract_cells_per_s", "feed extract", "cells/s", "", None),
    ("merge", "encode_cells_per_s", "encode (protobuf + zlib)", "cells/s", "", None),
    ("merge", "decode_cells_per_s", "decode (zlib + protobuf)", "cells/s", "", None),
    ("merge", "bytes_per_cell", "wire size, roster batches", "bytes/cell", "≤ 18", None),
    ("merge", "converged", "replicas converged (digests equal)", "", "true", None),
    ("merge", "peak_rss_mb", "peak RSS, merge benchmark process", "MB", "< 300", None),
    ("sync", "initial_load_seconds", "initial load, {initial_load_elders} elders into an empty city over ZeroMQ", "s", "≤ 10", None),
    ("sync", "link_cells_per_s", "one link's sustained throughput, durable at the receiver", "cells/s", "≥ 300,000", None),
    ("sync", "wire_bytes_per_cell", "wire bytes per roster cell over the link", "bytes/cell", "≤ 18", None),
    ("sync", "propagation_p50_ms", "propagation community → city (3 hops), p50", "ms", "", None),
    ("sync", "propagation_p99_ms", "propagation community → city (3 hops), p99", "ms", "≤ 250", None),
    ("sync", "propagation_changes_per_s", "load during the propagation run (8 communities)", "changes/s", "", None),
    ("sync", "peak_rss_mb", "peak RSS, the process running 15 nodes", "MB", "", None),
    ("load", "initial_load_seconds", "initial load, {initial_load_elders} elders into an empty city over ZeroMQ", "s", "", None),
    ("load", "link_cells_per_s", "its throughput over the link", "cells/s", "", None),
    ("load", "peak_rss_mb", "peak RSS, the process running both nodes", "MB", "", None),
    ("levels", "chain_load_seconds", "initial load of {elders} elders community → city, 4 fedctl processes", "s", "", None),
    ("levels", "peak_rss_community_mb", "peak RSS, community node process", "MB", "", None),
    ("levels", "peak_rss_street_mb", "peak RSS, street node process", "MB", "", None),
    ("levels", "peak_rss_district_mb", "peak RSS, district node process", "MB", "", None),
    ("levels", "peak_rss_city_mb", "peak RSS, city node process", "MB", "", None),
    ("report", "city_year_p50_ms", "city summary for a year over {communities} communities ({cells} cells), p50", "ms", "≤ 20", None),
    ("report", "city_year_p99_ms", "the same, p99", "ms", "", None),
    ("report", "city_year_children_p50_ms", "city year broken down by district (the dashboard's children table), p50", "ms", "≤ 100", None),
    ("report", "district_month_p50_ms", "district summary for a month, p50", "ms", "", None),
    ("report", "plain_city_year_p50_ms", "city summary for a year from the cells alone, without the rollup", "ms", "", None),
    ("report", "dashboard_data_quarter_p50_ms", "the dashboard's data for the city, quarter to date, p50", "ms", "≤ 100", None),
    ("report", "cell_inserts_with_rollup_per_s", "new local cells with the rollup kept", "cells/s", "", None),
    ("report", "cell_updates_with_rollup_per_s", "local cell increments with the rollup kept", "cells/s", "", None),
    ("report", "rollup_matches_cells", "rollup figures equal the cells' figures", "", "true", None),
    ("ingest", "events_per_s", "ingest through the HTTP batch API at a street node of 8 communities ({events} events in time order, batches of {batch}, {concurrency} clients)", "events/s", "≥ 20,000", None),
    ("ingest-community", "events_per_s", "the same at a community node (a station's own events)", "events/s", "≥ 20,000", None),
    ("ingest-district", "events_per_s", "the same at a district node above the same 8 communities (report rollup kept and folded)", "events/s", "≥ 20,000", None),
    ("ingest-city", "events_per_s", "the same at a city node above them (rollup of city, district and street rows)", "events/s", "≥ 20,000", None),
    ("ingest-random", "events_per_s", "the same at the street, events on random days of the year (worst case)", "events/s", "", None),
    ("ingest", "peak_rss_mb", "peak RSS, ingest benchmark process", "MB", "", None),
    ("import", "seconds", "import of {elders} elders from CSV over HTTP", "s", "≤ 10", None),
    ("import", "peak_rss_mb", "peak RSS, import benchmark process", "MB", "", None),
]
SKIP = {"benchmark", "cores", "target_events_per_s", "target_seconds"}


def command(*args):
    try:
        return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    ram = 0
    try:
        with open("/proc/meminfo") as f:
            ram = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    system = platform.platform()
    try:
        with open("/etc/os-release") as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
            system = "%s, kernel %s" % (fields.get("PRETTY_NAME", "").strip('"'), platform.release())
    except OSError:
        pass
    commit = command("git", "rev-parse", "--short=12", "HEAD")
    if command("git", "status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    swift = os.environ.get("SWIFT", "swift")
    return {
        "cpu": cpu or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "ram_gib": round(ram / 1024 / 1024, 1),
        "os": system,
        "swift": command(swift, "--version").splitlines()[0] if command(swift, "--version") else "unknown",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": commit or "unknown",
    }


def load():
    results = {}
    for name in sorted(os.listdir(BENCH)) if os.path.isdir(BENCH) else []:
        path = os.path.join(BENCH, name)
        if not name.endswith(".json") or name == "results.json" or not os.path.isfile(path):
            continue
        figures = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        figures = json.loads(line)
                    except ValueError:
                        pass
        if not isinstance(figures, dict):
            print("bench-report: %s holds no JSON object line; skipped" % path, file=sys.stderr)
            continue
        key = name[:-5]  # bench/NAME.json is benchmark NAME, whatever its line calls itself
        mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
        figures["measured_at"] = mtime.strftime("%Y-%m-%dT%H:%M:%SZ")
        results[key] = figures
    return results


def number(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "{:,}".format(value)
    if isinstance(value, float):
        return "{:,.2f}".format(value).rstrip("0").rstrip(".") if abs(value) < 1000 else "{:,.0f}".format(value)
    return str(value)


def table(info, results):
    lines = [
        "Generated by `make bench` (scripts/bench-report.py) from bench/results.json — do not edit by hand.",
        "",
        "Machine: %s, %s cores, %s GiB RAM; %s; %s; commit %s; %s."
        % (info["cpu"], info["cores"], info["ram_gib"], info["os"], info["swift"], info["git_commit"], info["date"]),
        "",
        "| benchmark | figure | measured | target | × raw SQLite baseline |",
        "|---|---|---|---|---|",
    ]
    shown = set()
    for bench, key, label, unit, target, ratio in KNOWN:
        figures = results.get(bench)
        if not figures or key not in figures:
            continue
        shown.add((bench, key))
        if ratio:
            shown.add((bench, ratio))
        label = label.format(**{k: number(v) for k, v in figures.items()})
        value = number(figures[key]) + (" " + unit if unit else "")
        times = number(figures[ratio]) + " ×" if ratio and ratio in figures else ""
        lines.append("| `%s` | %s | **%s** | %s | %s |" % (bench, label, value, target, times))
    for bench in sorted(results):
        if bench.startswith("ingest-"):
            continue  # variants of `ingest` (same workload figures): their known rows are enough
        for key, value in sorted(results[bench].items()):
            if (bench, key) in shown or key in SKIP or key == "measured_at" or isinstance(value, (dict, list, str)):
                continue
            lines.append("| `%s` | %s | %s | | |" % (bench, key.replace("_", " "), number(value)))
    missing = sorted({bench for bench, *_ in KNOWN} - set(results))
    if missing:
        lines += ["", "Not in this run: %s." % ", ".join(
            "`fedbench %s`%s" % (name, " (left out: BENCH_LARGE was empty)" if name == "load" else "") for name in missing)]
    return "\n".join(lines)


def main():
    results = load()
    if not results:
        print("bench-report: no bench/*.json; run `make bench` first", file=sys.stderr)
        return 1
    info = machine()
    with open(os.path.join(BENCH, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"machine": info, "benchmarks": results}, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    block = BEGIN + "\n" + table(info, results) + "\n" + END
    if BEGIN in doc and END in doc:
        doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    else:
        doc = doc.rstrip("\n") + "\n\n## Latest run\n\n" + block + "\n"
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(doc)
    print("bench: %d benchmarks (%s) → bench/results.json and the table in docs/BENCHMARKS.md"
          % (len(results), ", ".join(sorted(results))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
