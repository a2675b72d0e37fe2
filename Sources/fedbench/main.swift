import Eldercare
// fedbench — measurements behind docs/BENCHMARKS.md. Run in release mode:
//
//     swift run -c release fedbench merge [--elders 100000] [--page-cells 20000] [--keep DIR]
//     swift run -c release fedbench sync  [--elders 100000] [--seconds 20] [--rate 1000] [--rollup on|off]
//     swift run -c release fedbench report [--elders 100000] [--keep DIR] [--store bench/tmp/report-city.sqlite]
//     swift run -c release fedbench load  [--elders 1500000]     # initial load only (make bench BENCH_LARGE=1)
//     swift run -c release fedbench levels [--elders 100000]     # peak RSS per level, one fedctl process each
//     swift run -c release fedbench ingest [--events 200000] [--batch 1000] [--concurrency 4] [--rollup on|off] [--order time|random] [--node street|community|district|city]
//     swift run -c release fedbench import [--elders 100000] [--rollup on|off]
//
// Human-readable lines first; the last line is one JSON object.
import FederationNode
import Foundation
import GRDB
import Replication
import SeededRandom
import Simulation

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var command = "merge"
    var elders = 100_000
    var pageCells = 20_000
    var keep: String?
    var store: String?
    var seconds = 20
    var rate = 1_000
    var events = 200_000
    var batch = 1_000
    var concurrency = 4
    /// `--rollup off`: sync, ingest and import without the report rollup's triggers.
    var rollup = true
    /// `--order random`: ingest events spread over random days instead of in time order.
    var randomOrder = false
    /// `--node community|district|city`: ingest at a community node (its own events only), or at a
    /// district or city above the same 8 communities, instead of the street.
    var level = "street"

    init(_ arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        if let first = iterator.next() { command = first }
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--elders": elders = try Self.positive(value, flag)
            case "--page-cells": pageCells = try Self.positive(value, flag)
            case "--keep": keep = value
            case "--store": store = value
            case "--seconds": seconds = try Self.positive(value, flag)
            case "--rate": rate = try Self.positive(value, flag)
            case "--events": events = try Self.positive(value, flag)
            case "--batch": batch = try Self.positive(value, flag)
            case "--concurrency": concurrency = try Self.positive(value, flag)
            case "--rollup":
                guard value == "on" || value == "off" else {
                    throw BenchError("--rollup must be on or off, got \(value)")
                }
                rollup = value == "on"
            case "--order":
                guard value == "time" || value == "random" else {
                    throw BenchError("--order must be time or random, got \(value)")
                }
                randomOrder = value == "random"
            case "--node":
                guard ["community", "street", "district", "city"].contains(value) else {
                    throw BenchError("--node must be community, street, district or city, got \(value)")
                }
                level = value
            default: throw BenchError("unknown option \(flag); see the header of Sources/fedbench/main.swift")
            }
        }
    }

    static func positive(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text), value > 0 else {
            throw BenchError("\(flag) must be a positive integer, got \(text)")
        }
        return value
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Seconds spent in `body`, accumulated into `total`.
@discardableResult
func timed<T>(_ total: inout Double, _ body: () throws -> T) rethrows -> T {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    total += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return result
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

/// CPU seconds (user + system) this process has used so far, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func rate(_ cells: Int, _ seconds: Double) -> Int { seconds > 0 ? Int(Double(cells) / seconds) : 0 }

/// Streams every change of `source` after `after` into `target`, page by page, through the wire codec.
func stream(
    from source: ReplicaStore, after: UInt64, into target: ReplicaStore, filter: FeedFilter, pageCells: Int,
    extract: inout Double, encode: inout Double, decode: inout Double, merge: inout Double, bytes: inout Int
) throws -> Int {
    var position = after
    var cells = 0
    while true {
        let page = try timed(&extract) { try source.changes(after: position, maxCells: pageCells, filter: filter) }
        let payload = try timed(&encode) { try WireCodec.encodeBatch(page.batch) }
        let batch = try timed(&decode) { try WireCodec.decodeBatch(payload, compressed: true) }
        try timed(&merge) {
            try target.merge(batch, from: source.node, through: page.through, peerEpoch: source.feedEpoch)
        }
        bytes += payload.count
        cells += batch.cellCount
        position = page.through
        if page.isCaughtUp { return cells }
    }
}

func mergeBenchmark(_ options: Options) throws -> [String: Any] {
    let root =
        options.keep.map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("fedbench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { if options.keep == nil { try? FileManager.default.removeItem(at: root) } }

    let schema = try DomainSchema.replicated()
    let district = try NodeCode("130102000000")
    let city = try NodeCode("130100000000")
    let communities = try (1...8).map { try NodeCode("1301020010\(String(format: "%02d", $0))") }
    let a = try ReplicaStore(path: root.appendingPathComponent("a.sqlite").path, node: district, schema: schema)
    let b = try ReplicaStore(path: root.appendingPathComponent("b.sqlite").path, node: city, schema: schema)
    // The columns SampleRoster writes (the schema has more: workflow columns, contacts).
    var probe = SampleRoster(seed: 1, communities: communities)
    let columns = probe.next().values.count

    // 1. Local writes at A, 1,000 elders per transaction.
    log("fedbench: writing \(options.elders) elders × \(columns) columns at replica A (\(district))…")
    var roster = SampleRoster(seed: 20_260_101, communities: communities)
    var writeSeconds = 0.0
    var written = 0
    var keys: [String] = []
    keys.reserveCapacity(options.elders)
    while written < options.elders {
        let count = min(1_000, options.elders - written)
        let writes = (0..<count).map { _ in roster.next() }
        keys += writes.map(\.key)
        try timed(&writeSeconds) { _ = try a.write(writes) }
        written += count
    }
    let cells = options.elders * columns
    log("  write:   \(rate(cells, writeSeconds)) cells/s (\(String(format: "%.2f", writeSeconds)) s)")

    // 2. Extract from A, encode, decode and merge into the empty replica B on disk, page by page.
    log("fedbench: streaming A → empty replica B (\(city)) in pages of \(options.pageCells) cells…")
    var extract = 0.0
    var encode = 0.0
    var decode = 0.0
    var merge = 0.0
    var bytes = 0
    let streamed = try stream(
        from: a, after: 0, into: b, filter: FeedFilter(), pageCells: options.pageCells,
        extract: &extract, encode: &encode, decode: &decode, merge: &merge, bytes: &bytes)
    let rssAfterMerge = peakRSSMegabytes()
    log(
        "  extract: \(rate(streamed, extract)) cells/s   encode: \(rate(streamed, encode)) cells/s   decode: \(rate(streamed, decode)) cells/s"
    )
    log(
        "  merge:   \(rate(streamed, merge)) cells/s (\(String(format: "%.2f", merge)) s, durable: fsync per page commit)"
    )
    log("  wire:    \(String(format: "%.2f", Double(bytes) / Double(streamed))) bytes/cell (zlib protobuf)")

    // 3. 10% of the cells updated concurrently at A and at B (acting as replica C), merged both ways.
    let headA = try a.headSequence()
    let headB = try b.headSequence()
    var updates = SplitMix(seed: 7)
    let updateCells = cells / 10
    log("fedbench: \(updateCells) concurrent cell updates at each of A and C, merged both ways…")
    for store in [a, b] {
        var pending: [RecordWrite] = []
        for index in 0..<updateCells {
            let elder = keys[Int(updates.next() % UInt64(keys.count))]
            let column = ["phone", "address", "status", "tier", "living", "disability", "monthly_hours", "card_no"][
                Int(updates.next() % 8)]
            let value: Value =
                column == "monthly_hours"
                ? .integer(Int64(updates.next() % 45)) : .text("\(column)-\(store.node.rawValue.prefix(6))-\(index)")
            pending.append(RecordWrite(table: "elders", key: elder, values: [(column, value)]))
            if pending.count == 1_000 {
                _ = try store.write(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        if !pending.isEmpty { _ = try store.write(pending) }
    }
    var updateExtract = 0.0
    var updateEncode = 0.0
    var updateDecode = 0.0
    var updateMerge = 0.0
    var updateBytes = 0
    let toB = try stream(
        from: a, after: headA, into: b, filter: FeedFilter(excludingVia: b.node), pageCells: options.pageCells,
        extract: &updateExtract, encode: &updateEncode, decode: &updateDecode, merge: &updateMerge, bytes: &updateBytes)
    let toA = try stream(
        from: b, after: headB, into: a, filter: FeedFilter(excludingVia: a.node), pageCells: options.pageCells,
        extract: &updateExtract, encode: &updateEncode, decode: &updateDecode, merge: &updateMerge, bytes: &updateBytes)
    log("  update merge: \(rate(toA + toB, updateMerge)) cells/s over \(toA + toB) cells")
    let converged = try a.stateDigest() == b.stateDigest()
    log("  converged: \(converged)")

    // 4. Baseline: a plain SQLite LWW upsert of the same 1.5M cells, one row per cell, same durability.
    log("fedbench: baseline — raw SQLite LWW upsert of the same cells…")
    let baseline = try DatabaseQueue(path: root.appendingPathComponent("baseline.sqlite").path)
    try baseline.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
        try db.execute(
            sql: """
                CREATE TABLE cells (row_key TEXT NOT NULL, col TEXT NOT NULL, value, clock INTEGER NOT NULL,
                origin TEXT NOT NULL, PRIMARY KEY (row_key, col)) WITHOUT ROWID
                """)
    }
    var baselineSeconds = 0.0
    var baselineCells = 0
    var position: UInt64 = 0
    while true {
        let page = try a.changes(after: position, maxCells: options.pageCells)
        try timed(&baselineSeconds) {
            try baseline.write { db in
                let statement = try db.makeStatement(
                    sql: """
                        INSERT INTO cells(row_key, col, value, clock, origin) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(row_key, col) DO UPDATE SET value = excluded.value, clock = excluded.clock,
                        origin = excluded.origin WHERE (excluded.clock, excluded.origin) > (cells.clock, cells.origin)
                        """)
                for row in page.batch.rows {
                    for cell in row.cells {
                        let value: (any DatabaseValueConvertible)? =
                            switch cell.value {
                            case .null: nil
                            case .integer(let integer): integer
                            case .real(let real): real
                            case .text(let text): text
                            }
                        try statement.execute(arguments: [
                            row.key, cell.column, value, Int64(bitPattern: cell.clock.rawValue), cell.origin.rawValue,
                        ])
                        baselineCells += 1
                    }
                }
            }
        }
        position = page.through
        if page.isCaughtUp { break }
    }
    log("  baseline upsert: \(rate(baselineCells, baselineSeconds)) cells/s")

    let mergeRate = rate(streamed, merge)
    let writeRate = rate(cells, writeSeconds)
    let baselineRate = rate(baselineCells, baselineSeconds)
    func ratio(_ figure: Int) -> Double {
        baselineRate > 0 ? (Double(figure) / Double(baselineRate) * 100).rounded() / 100 : 0
    }
    log("  merge is \(ratio(mergeRate)) × the baseline, local write \(ratio(writeRate)) ×")
    return [
        "benchmark": "merge",
        "elders": options.elders,
        "columns": columns,
        "cells": streamed,
        "page_cells": options.pageCells,
        "write_cells_per_s": writeRate,
        "extract_cells_per_s": rate(streamed, extract),
        "encode_cells_per_s": rate(streamed, encode),
        "decode_cells_per_s": rate(streamed, decode),
        "merge_cells_per_s": mergeRate,
        "bytes_per_cell": (Double(bytes) / Double(max(streamed, 1)) * 100).rounded() / 100,
        "update_cells": toA + toB,
        "update_merge_cells_per_s": rate(toA + toB, updateMerge),
        "baseline_sqlite_upsert_cells_per_s": baselineRate,
        "merge_vs_baseline": ratio(mergeRate),
        "write_vs_baseline": ratio(writeRate),
        "update_merge_vs_baseline": ratio(rate(toA + toB, updateMerge)),
        "converged": converged,
        "rss_after_initial_merge_mb": (rssAfterMerge * 10).rounded() / 10,
        "peak_rss_mb": (peakRSSMegabytes() * 10).rounded() / 10,
        "cores": ProcessInfo.processInfo.activeProcessorCount,
    ]
}

do {
    let options = try Options(CommandLine.arguments)
    let result: [String: Any]
    switch options.command {
    case "merge": result = try mergeBenchmark(options)
    case "sync":
        result = try await SyncBenchmark.run(
            elders: options.elders, seconds: options.seconds, rate: options.rate, rollup: options.rollup)
    case "report": result = try ReportBenchmark.run(elders: options.elders, keep: options.keep, store: options.store)
    case "load":
        var load = try await SyncBenchmark.initialLoad(elders: options.elders)
        load["benchmark"] = "load"
        load["peak_rss_mb"] = (peakRSSMegabytes() * 10).rounded() / 10
        result = load
    case "levels": result = try await LevelsBenchmark.run(elders: options.elders)
    case "ingest":
        result = try await HTTPBenchmark.ingest(
            events: options.events, batch: options.batch, concurrency: options.concurrency, rollup: options.rollup,
            randomOrder: options.randomOrder, level: options.level)
    case "import": result = try await HTTPBenchmark.importRoster(elders: options.elders, rollup: options.rollup)
    default:
        throw BenchError(
            "unknown benchmark \(options.command); available: merge, sync, load, levels, report, ingest, import")
    }
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    log("fedbench: \(error)")
    exit(1)
}
