import GRDB
import Replication

/// One `ReportRollup.fold` chunk, grouped in memory: the pending cells are read once (by rowid),
/// summed per rollup row and per origin day in dictionaries, and each row is upserted once with a
/// prepared statement. It computes exactly what `ReportRollup.rollupInsert` (the SQL that `install`
/// fills the rollup with) computes for the same cells — the rollup property tests compare a rollup
/// folded chunk by chunk with one rebuilt by that SQL — at about half its cost: the SQL spent
/// most of a fold evaluating string functions and sorting every (cell × level × grain) row by six
/// text columns (docs/BENCHMARKS.md "HTTP ingest"). Its upserts go through `RawStatement` (SQLite's
/// C API) and dimension strings are cut by byte scans: together about a third of the earlier fold's
/// cost was Swift overhead around them (perf, 2026-12-05).
///
/// No stored value can make it trap: a pending change that cells within 0…`StatisticGrammar.maxValue`
/// cannot make (`ReportRollup.foldableChange`) is skipped and returned in the outcome; the sums of
/// the others cannot overflow (a chunk holds at most `ReportRollup.foldChunk` changes of at most
/// 10⁹ each: 4 × 10¹², far from 9.2 × 10¹⁸), and the rollup's own `value + excluded.value` is
/// SQLite's, which turns an overflow into a REAL rather than an error (docs/REPLICATION.md, "Arithmetic").
struct FoldChunk {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// A cell's sum without its `item` dimension, before it is spread over levels and grains.
    private struct Cell: Hashable {
        var metric: String
        var community: String
        var period: String
        var dims: String
    }

    /// A rollup row's key. Its hash is computed once from hashes of its parts (`hashed`), each part
    /// hashed once per cell — per target (metric and dimension string) and per level (area and
    /// period) — not once per row: hashing six strings per row was a sixth of a fold (perf, 2026-12-05).
    /// Equal keys have equal parts, so equal hashes.
    private struct RollupRow: Hashable {
        var metric: String
        var grain: String
        var level: Int64
        var area: String
        var period: String
        var dims: String
        var hash: Int

        static func == (lhs: RollupRow, rhs: RollupRow) -> Bool {
            lhs.hash == rhs.hash && lhs.level == rhs.level && lhs.grain == rhs.grain && lhs.area == rhs.area
                && lhs.period == rhs.period && lhs.dims == rhs.dims && lhs.metric == rhs.metric
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        /// The combined hash of a target's hash (metric and dimension string) and a level's (its
        /// index, area and period).
        static func hashed(target: Int, level: Int) -> Int {
            var hasher = Hasher()
            hasher.combine(target)
            hasher.combine(level)
            return hasher.finalize()
        }
    }

    private struct OriginDay: Hashable {
        var origin: Int64
        var period: String
    }

    private struct OriginRow: Hashable {
        var origin: Int64
        var grain: String
        var period: String
    }

    private struct Level {
        var level: Int64
        var digits: Int
        var grain: String
        var width: Int
    }

    /// Folds the pending rows with rowid ≤ `upper` into `report_rollup` and `report_origin_days`
    /// (the caller deletes them), skipping those no cell within the bound can make; returns how
    /// many it skipped, with the first few.
    func fold(through upper: Int64) throws -> (skipped: Int, examples: [FoldOutcome.SkippedChange]) {
        // 1. The pending cells, summed per cell without `item` (SQL: GROUP BY … HAVING SUM(value) != 0),
        //    and per origin and day (HAVING SUM(cells) != 0).
        var cells: [Cell: Int64] = [:]
        cells.reserveCapacity(ReportRollup.foldChunk)
        var originDays: [OriginDay: Int64] = [:]
        var skipped = 0
        var examples: [FoldOutcome.SkippedChange] = []
        let bound = -StatisticGrammar.maxValue...StatisticGrammar.maxValue
        let pending = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT metric, community, period, dims, origin, value, cells
                    FROM report_rollup_pending NOT INDEXED WHERE rowid <= ?
                    """),
            arguments: [upper])
        while let row = try pending.next() {
            let period: String = row[2]
            // Read as stored: a value past Int64 is a REAL in SQLite, and any type fits the column.
            let storedValue: DatabaseValue = row[5]
            let storedCount: DatabaseValue = row[6]
            guard case .int64(let value) = storedValue.storage, case .int64(let count) = storedCount.storage,
                bound.contains(value), bound.contains(count)
            else {
                skipped += 1
                if examples.count < FoldOutcome.maxExamples {
                    examples.append(
                        FoldOutcome.SkippedChange(
                            metric: row[0], community: row[1], period: period, dims: row[3],
                            value: storedValue.description, cells: storedCount.description))
                }
                continue
            }
            // Within the bound: at most foldChunk × 10⁹ in any sum below, far from overflowing.
            cells[
                Cell(metric: row[0], community: row[1], period: period, dims: Self.withoutItem(row[3])), default: 0] +=
                value
            if count != 0 { originDays[OriginDay(origin: row[4], period: period), default: 0] += count }
        }

        // 2. Spread every non-zero cell over the node's levels and grains, with its projections.
        let levels = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT level, digits, grain, width FROM report_rollup_levels")
        )
        .map { Level(level: $0[0], digits: $0[1], grain: $0[2], width: $0[3]) }
        var projections: [String: [String]] = [:]
        let zeros = (0...12).map { String(repeating: "0", count: $0) }
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT metric, key FROM report_rollup_projections")) {
            projections[row[0], default: []].append(row[1])
        }
        var rows: [RollupRow: Int64] = [:]
        rows.reserveCapacity(cells.count * levels.count * 2)
        for (cell, value) in cells where value != 0 {
            var targets = [(metric: cell.metric, dims: cell.dims)]
            for key in projections[cell.metric] ?? [] {
                targets.append((cell.metric + "#" + key, Self.pair(cell.dims, key: key)))
            }
            let targetHashes = targets.map { target in
                var hasher = Hasher()
                hasher.combine(target.metric)
                hasher.combine(target.dims)
                return hasher.finalize()
            }
            for (index, level) in levels.enumerated() {
                // Codes and periods are ASCII; `decoding` keeps a cut through anything else from trapping.
                let area =
                    String(decoding: cell.community.utf8.prefix(level.digits), as: UTF8.self)
                    + zeros[max(0, 12 - level.digits)]
                let period = String(decoding: cell.period.utf8.prefix(level.width), as: UTF8.self)
                var hasher = Hasher()
                hasher.combine(index)
                hasher.combine(area)
                hasher.combine(period)
                let levelHash = hasher.finalize()
                for (target, targetHash) in zip(targets, targetHashes) {
                    rows[
                        RollupRow(
                            metric: target.metric, grain: level.grain, level: level.level, area: area, period: period,
                            dims: target.dims, hash: RollupRow.hashed(target: targetHash, level: levelHash)),
                        default: 0] += value
                }
            }
        }

        // 3. One upsert per rollup row and per origin's month and day.
        let upsert = try RawStatement(
            db,
            sql: """
                INSERT INTO report_rollup(metric, grain, level, area, period, dims, value) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(metric, grain, level, area, period, dims) DO UPDATE SET value = value + excluded.value
                """)
        for (row, value) in rows {
            try upsert.run([
                .text(row.metric), .text(row.grain), .integer(row.level), .text(row.area), .text(row.period),
                .text(row.dims),
                .integer(value),
            ])
        }
        var origins: [OriginRow: Int64] = [:]
        for (day, count) in originDays where count != 0 {
            for (grain, width) in [("m", 7), ("d", 10)] {
                origins[
                    OriginRow(
                        origin: day.origin, grain: grain,
                        period: String(decoding: day.period.utf8.prefix(width), as: UTF8.self)), default: 0] += count
            }
        }
        let originUpsert = try db.cachedStatement(
            sql: """
                INSERT INTO report_origin_days(origin, grain, period, cells) VALUES (?, ?, ?, ?)
                ON CONFLICT(grain, origin, period) DO UPDATE SET cells = cells + excluded.cells
                """)
        for (key, count) in origins {
            try originUpsert.execute(arguments: [key.origin, key.grain, key.period, count])
        }
        return (skipped, examples)
    }

    /// `dims` without its first `;item=…` pair (what `ReportRollup.withoutItem` does in SQL: a pair
    /// preceded by `;`, the `;` before it and the pair removed, the rest kept). A plain scan of the
    /// UTF-8 bytes: `utf8.firstRange(of:)` went through the generic string searcher and took nearly
    /// half of a fold's time (perf, 2026-12-05).
    static func withoutItem(_ dims: String) -> String {
        var dims = dims
        return dims.withUTF8 { bytes -> String? in
            let marker: StaticString = ";item="
            let pattern = UnsafeBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount)
            guard let start = firstOffset(of: pattern, in: bytes) else { return nil }
            var end = start + pattern.count
            while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<start]), as: UTF8.self)
                + String(decoding: UnsafeBufferPointer(rebasing: bytes[end...]), as: UTF8.self)
        } ?? dims
    }

    /// The `key=value` pair of `dims` for `key` ("" without one), as `ReportRollup.pair` in SQL: the
    /// first pair whose text starts with `key=`.
    static func pair(_ dims: String, key: String) -> String {
        var dims = dims
        var prefix = key + "="
        return prefix.withUTF8 { pattern in
            dims.withUTF8 { bytes in
                var pairStart = 0
                while pairStart <= bytes.count {
                    var pairEnd = pairStart
                    while pairEnd < bytes.count, bytes[pairEnd] != UInt8(ascii: ";") { pairEnd += 1 }
                    if pairEnd - pairStart >= pattern.count,
                        bytes[pairStart..<(pairStart + pattern.count)].elementsEqual(pattern)
                    {
                        return String(
                            decoding: UnsafeBufferPointer(rebasing: bytes[pairStart..<pairEnd]), as: UTF8.self)
                    }
                    pairStart = pairEnd + 1
                }
                return ""
            }
        }
    }

    /// The offset of the first occurrence of `pattern` in `bytes`.
    private static func firstOffset(of pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>)
        -> Int?
    {
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }
}
