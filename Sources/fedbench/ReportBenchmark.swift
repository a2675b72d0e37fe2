import Eldercare
import FederationNode
import Foundation
import GRDB
import Replication
import Reports
import SeededRandom
import Simulation

/// `fedbench report`: the city summary for a year over 2,000 communities (docs/BENCHMARKS.md).
///
/// A city store (1301) holds the statistics cells its 2,000 communities (10 districts × 10 streets × 20
/// communities) sent for the 365 days of 2026, as merged cells with the communities as origins, and a
/// roster of `--elders` elders. Per community and day: calls ~ 1.5 cells (5 channels × 6 types ×
/// effective × 24 hours, peak 09–11), 3 visit cells + 3 minute cells (6 categories × 6 items, 5 of 40
/// providers per community) and 1 callback cell. The summary is timed first over the cells alone
/// (no rollup), then with `ReportRollup` installed.
enum ReportBenchmark {
    static let year = CalendarDay("2026-01-01")!...CalendarDay("2026-12-31")!

    /// The table that marks a store generated completely, with its shape (reused by `--store`).
    static let shapeTable = "fedbench_report_shape"

    /// Runs the benchmark. With `store`, the city store at that path is reused when it holds a
    /// complete generation of the same shape (same elders and communities), and generated there
    /// otherwise; the plain (no rollup) summary is timed only on a fresh store without `store`.
    static func run(elders: Int, keep: String?, store storePath: String? = nil, runs: Int = 50) throws -> [String: Any]
    {
        let root =
            storePath.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
            ?? keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("fedbench-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if keep == nil && storePath == nil { try? FileManager.default.removeItem(at: root) } }
        let city = try NodeCode("130100000000")
        let path = storePath ?? root.appendingPathComponent("city.sqlite").path
        let communities = try (2...11).flatMap { district in
            try (1...10).flatMap { street in
                try (1...20).map { community in
                    try NodeCode(String(format: "13%02d%02d%03d%03d", 1, district, street, community))
                }
            }
        }
        let reusable =
            FileManager.default.fileExists(atPath: path)
            && (try? storedShape(path)).flatMap { $0 } == Shape(elders: elders, communities: communities.count)
        if !reusable {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try ReplicaStore(path: path, node: city, schema: try DomainSchema.replicated())

        var cells = 0
        var generateSeconds = 0.0
        if reusable {
            cells = try store.database.read { db in try Int.fetchOne(db, sql: "SELECT cells FROM \(shapeTable)") ?? 0 }
            log("fedbench report: reusing \(path) (\(cells) cells, \(elders) elders)")
        } else {
            log("fedbench report: writing \(elders) elders in \(communities.count) communities…")
            var roster = SampleRoster(seed: 20_260_101, communities: communities)
            var written = 0
            while written < elders {
                let count = min(1_000, elders - written)
                _ = try store.write((0..<count).map { _ in roster.next() })
                written += count
            }
            log("fedbench report: generating a year of cells for \(communities.count) communities…")
            cells = try timed(&generateSeconds) { try generate(store, communities) }
        }
        let fileMB = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6
        if !reusable {
            log(
                "  \(cells) cells in \(String(format: "%.1f", generateSeconds)) s, \(String(format: "%.0f", fileMB)) MB"
            )
        }

        func summary(_ cache: RosterCache?) throws -> SummaryReport {
            try store.database.read { db in
                try SummaryReport.compute(db, scope: city, days: year, asOf: Date(), rosterCache: cache)
            }
        }
        // The plain query takes minutes on this store: timed on a fresh store only, without --store.
        var plain: (p50: Double, p99: Double)?
        var reference: SummaryReport?
        if !reusable && storePath == nil {
            log("fedbench report: city summary for 2026 over the cells alone (no rollup), one run…")
            var plainSeconds = 0.0
            reference = try timed(&plainSeconds) { try summary(nil) }
            plain = (p50: plainSeconds, p99: plainSeconds)
            log("  \(ms(plainSeconds)) ms")
        }

        log(
            "fedbench report: installing the rollup (rebuilt from the stored cells if missing or of another schema version)…"
        )
        let currentBefore = try store.database.read { db in try ReportRollup.isCurrent(db, scope: city) }
        var installSeconds = 0.0
        try timed(&installSeconds) { try store.database.write { db in try ReportRollup.install(db, scope: city) } }
        let rebuilt = !currentBefore
        if !reusable {
            // Marks the store complete only once the rollup is installed, so a later run can reuse it.
            try store.database.write { db in
                try db.execute(
                    sql: """
                        DROP TABLE IF EXISTS \(shapeTable);
                        CREATE TABLE \(shapeTable)(elders INTEGER NOT NULL, communities INTEGER NOT NULL, cells INTEGER NOT NULL);
                        INSERT INTO \(shapeTable) VALUES (?, ?, ?);
                        """,
                    arguments: [elders, communities.count, cells])
            }
        }
        let rollupRows = try store.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_rollup") ?? 0
        }
        log(
            "  \(String(format: "%.1f", installSeconds)) s, \(rebuilt ? "rebuilt" : "already current"), \(rollupRows) rollup rows"
        )

        let cache = RosterCache()
        let cold = try percentiles(runs: 5) { _ = try summary(nil) }
        let warm = try percentiles(runs: runs) { _ = try summary(cache) }
        let month = CalendarDay("2026-03-01")!...CalendarDay("2026-03-31")!
        let district = try NodeCode("130102000000")
        let districtMonth = try percentiles(runs: runs) {
            _ = try store.database.read { db in
                try SummaryReport.compute(db, scope: district, days: month, asOf: Date(), rosterCache: cache)
            }
        }
        let partial = CalendarDay("2026-02-10")!...CalendarDay("2026-11-20")!
        let partialRange = try percentiles(runs: runs) {
            _ = try store.database.read { db in
                try SummaryReport.compute(db, scope: city, days: partial, asOf: Date(), rosterCache: cache)
            }
        }
        let children = try percentiles(runs: runs) {
            _ = try store.database.read { db in
                _ = try CallSummary.computeTotalsByChild(db, scope: city, days: year)
                _ = try ServiceSummary.computeTotalsByChild(db, scope: city, days: year)
                _ = try SatisfactionSummary.computeTotalsByChild(db, scope: city, days: year)
                _ = try cache.summaryByChild(db, scope: city, asOf: year.upperBound)
            }
        }
        // What the dashboard reads for the city over its longest period (a quarter to date, here
        // 2026-10-01…11-20) and over the last 30 days (2026-10-22…11-20, days only): the summary, the
        // children's figures and the two daily series (the page's rendering is not included).
        func dashboardData(_ days: ClosedRange<CalendarDay>) throws {
            try store.database.read { db in
                _ = try SummaryReport.compute(db, scope: city, days: days, asOf: Date(), rosterCache: cache)
                _ = try CallSummary.computeTotalsByChild(db, scope: city, days: days)
                _ = try ServiceSummary.computeTotalsByChild(db, scope: city, days: days)
                _ = try SatisfactionSummary.computeTotalsByChild(db, scope: city, days: days)
                _ = try cache.summaryByChild(db, scope: city, asOf: days.upperBound)
                _ = try DailySeries.compute(db, metric: .effectiveRatio, scope: city, days: days)
                _ = try DailySeries.compute(db, metric: .satisfaction, scope: city, days: days)
            }
        }
        let dashboardQuarter = try percentiles(runs: runs) {
            try dashboardData(CalendarDay("2026-10-01")!...CalendarDay("2026-11-20")!)
        }
        let dashboard30 = try percentiles(runs: runs) {
            try dashboardData(CalendarDay("2026-10-22")!...CalendarDay("2026-11-20")!)
        }
        // Where the dashboard's time goes, part by part (p50 of each, last 30 days then quarter).
        for (label, days) in [
            ("last 30 days", CalendarDay("2026-10-22")!...CalendarDay("2026-11-20")!),
            ("quarter", CalendarDay("2026-10-01")!...CalendarDay("2026-11-20")!),
        ] {
            let parts: [(String, (Database) throws -> Void)] = [
                (
                    "summary",
                    { db in _ = try SummaryReport.compute(db, scope: city, days: days, asOf: Date(), rosterCache: cache)
                    }
                ),
                ("calls by child", { db in _ = try CallSummary.computeTotalsByChild(db, scope: city, days: days) }),
                (
                    "services by child",
                    { db in _ = try ServiceSummary.computeTotalsByChild(db, scope: city, days: days) }
                ),
                (
                    "satisfaction by child",
                    { db in _ = try SatisfactionSummary.computeTotalsByChild(db, scope: city, days: days) }
                ),
                ("roster by child", { db in _ = try cache.summaryByChild(db, scope: city, asOf: days.upperBound) }),
                (
                    "calls by day",
                    { db in _ = try DailySeries.compute(db, metric: .effectiveRatio, scope: city, days: days) }
                ),
                (
                    "satisfaction by day",
                    { db in _ = try DailySeries.compute(db, metric: .satisfaction, scope: city, days: days) }
                ),
            ]
            var line: [String] = []
            for (name, part) in parts {
                let timing = try percentiles(runs: 5) { try store.database.read { db in try part(db) } }
                line.append("\(name) \(ms(timing.p50))")
            }
            log("  dashboard data, \(label), by part (ms): \(line.joined(separator: ", "))")
        }
        log("  city year, roster cached:      p50 \(ms(warm.p50)) ms  p99 \(ms(warm.p99)) ms")
        log("  city year, roster recounted:   p50 \(ms(cold.p50)) ms")
        log("  city 2026-02-10…11-20:         p50 \(ms(partialRange.p50)) ms")
        log("  district March:                p50 \(ms(districtMonth.p50)) ms")
        log("  city year, 10 districts' rows: p50 \(ms(children.p50)) ms")
        log("  dashboard data, quarter:       p50 \(ms(dashboardQuarter.p50)) ms")
        log("  dashboard data, last 30 days:  p50 \(ms(dashboard30.p50)) ms")

        // The rollup answers what the cells answer: the whole city year against the plain run when
        // there was one, and always a district over a range with partial months, sum by sum (the
        // cells read directly, the item of visit cells dropped as the rollup does).
        let again = try summary(cache)
        var same = again.calls.total > 0
        if let reference {
            // The rollup leaves out the item of visit cells, so `byProviderItem` differs by design.
            same =
                same && reference.services.total == again.services.total
                && reference.services.byCategory == again.services.byCategory
                && reference.services.byProvider == again.services.byProvider
                && reference.calls == again.calls && reference.satisfaction == again.satisfaction
                && reference.roster == again.roster && reference.reporting.rate == again.reporting.rate
        }
        let checkRange = CalendarDay("2026-03-03")!...CalendarDay("2026-05-27")!
        for metric in [
            CallStatistics.metric, ServiceStatistics.visitsMetric, ServiceStatistics.minutesMetric,
            SatisfactionStatistics.metric,
        ] {
            let (rolled, raw, rolledChildren, rawChildren) = try store.database.read { db in
                (
                    try CellSource.sums(db, metric: metric, scope: district, days: checkRange),
                    try CellSource.sums(db, metric: metric, scope: district, days: checkRange, exact: true),
                    try CellSource.sumsByChild(db, metric: metric, scope: district, days: checkRange),
                    try CellSource.sumsByChildFromCells(db, metric: metric, scope: district, days: checkRange)
                )
            }
            func dropItem(_ sums: [String: Int64]) -> [String: Int64] {
                var result: [String: Int64] = [:]
                for (dims, value) in sums {
                    let kept = dims.split(separator: ";", omittingEmptySubsequences: false)
                        .filter { !$0.hasPrefix("item=") }.joined(separator: ";")
                    result[kept, default: 0] += value
                }
                return result.filter { $0.value != 0 }
            }
            let matches =
                dropItem(rolled) == dropItem(raw) && !raw.isEmpty
                && rolledChildren.mapValues(dropItem) == rawChildren.mapValues(dropItem)
            if !matches { log("  rollup differs from the cells for \(metric) in \(district) \(checkRange)") }
            same = same && matches
        }
        log("  rollup matches the cells: \(same)")

        // Cost of the rollup on writes: 20,000 new local cells (inserts) in one transaction, then the
        // same cells incremented (updates), each followed by folding what the triggers appended, as
        // the node does every 250 ms. The cells lie in 2027, outside the reports' year, and are
        // removed afterwards so the store can be reused.
        let keys = (0..<20_000).map { index in
            StatKey(
                origin: city, community: communities[index % communities.count], metric: CallStatistics.metric,
                dims: CallStatistics.dimensions(
                    channel: "hotline", type: "consultation", effective: true, hour: index % 24),
                period: "2027-06-\(String(format: "%02d", 1 + index % 28))")
        }
        func foldAll() throws {
            while try store.database.write({ db in try ReportRollup.fold(db) }) == ReportRollup.foldChunk {}
        }
        var insertSeconds = 0.0
        try timed(&insertSeconds) {
            _ = try store.add(keys.map { ($0, 1) })
            try foldAll()
        }
        var updateSeconds = 0.0
        try timed(&updateSeconds) {
            _ = try store.add(keys.map { ($0, 1) })
            try foldAll()
        }
        try store.database.write { db in
            try db.execute(sql: "DELETE FROM crdt_stats WHERE period >= '2027-01-01' AND period < '2028-01-01'")
        }
        try foldAll()
        log("  new cells, rollup folded:                     \(rate(keys.count, insertSeconds)) cells/s")
        log("  cell increments, rollup folded:               \(rate(keys.count, updateSeconds)) cells/s")

        var result: [String: Any] = [
            "benchmark": "report",
            "communities": communities.count,
            "days": 365,
            "cells": cells,
            "elders": elders,
            "file_mb": fileMB.rounded(),
            "rollup_rows": rollupRows,
            "rollup_install_s": (installSeconds * 10).rounded() / 10,
            "city_year_p50_ms": ms(warm.p50),
            "city_year_p99_ms": ms(warm.p99),
            "city_year_roster_recounted_p50_ms": ms(cold.p50),
            "city_partial_range_p50_ms": ms(partialRange.p50),
            "district_month_p50_ms": ms(districtMonth.p50),
            "city_year_children_p50_ms": ms(children.p50),
            "city_year_children_p99_ms": ms(children.p99),
            "dashboard_data_quarter_p50_ms": ms(dashboardQuarter.p50),
            "dashboard_data_30_days_p50_ms": ms(dashboard30.p50),
            "cell_inserts_with_rollup_per_s": rate(keys.count, insertSeconds),
            "cell_updates_with_rollup_per_s": rate(keys.count, updateSeconds),
            "store_reused": reusable,
            "rollup_rebuilt": rebuilt,
            "rollup_matches_cells": same,
            "cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
        if let plain { result["plain_city_year_p50_ms"] = ms(plain.p50) }
        return result
    }

    /// The stored shape of a complete generation, nil if the store has none.
    static func storedShape(_ path: String) throws -> Shape? {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            guard try db.tableExists(shapeTable) else { return nil }
            return try Row.fetchOne(db, sql: "SELECT elders, communities FROM \(shapeTable)").map {
                Shape(elders: $0[0], communities: $0[1])
            }
        }
    }

    struct Shape: Equatable {
        var elders: Int
        var communities: Int
    }

    static func ms(_ seconds: Double) -> Double { (seconds * 10_000).rounded() / 10 }

    /// p50 and p99 of `runs` timed calls (after one warm-up call).
    static func percentiles(runs: Int, _ body: () throws -> Void) throws -> (p50: Double, p99: Double) {
        try body()
        var samples: [Double] = []
        for _ in 0..<runs {
            var seconds = 0.0
            try timed(&seconds, body)
            samples.append(seconds)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))])
    }

    /// Writes the year of cells as merged rows (origin = the community), one transaction per
    /// community (in key order, so the load is not dominated by random B-tree inserts).
    static func generate(_ store: ReplicaStore, _ communities: [NodeCode]) throws -> Int {
        var random = SplitMix(seed: 2026)
        func roll(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        let channels = [
            "hotline", "hotline", "hotline", "hotline", "hotline", "sos_key", "sos_key", "help_key", "app", "walk_in",
        ]
        let types = [
            "emergency", "service_request", "service_request", "consultation", "consultation", "complaint",
            "companionship", "invalid",
        ]
        let categories = [
            "medical_care", "emergency_aid", "daily_care", "spiritual_comfort", "legal_aid", "culture_recreation",
        ]
        let items = ["bathing", "meals", "cleaning", "escort", "massage", "visit"]
        var origins: [Int64] = []
        try store.database.write { db in
            for code in communities {
                try db.execute(sql: "INSERT OR IGNORE INTO crdt_nodes(code) VALUES (?)", arguments: [code.rawValue])
                origins.append(
                    try Int64.fetchOne(db, sql: "SELECT id FROM crdt_nodes WHERE code = ?", arguments: [code.rawValue])!
                )
            }
        }
        let providersOf = communities.indices.map { index in
            (0..<5).map { "P-\(String(format: "%03d", (index / 20 * 7 + $0 * 3) % 40 + 1))" }
        }
        var seq: Int64 = 1_000_000
        var total = 0
        try store.database.write { db in try db.execute(sql: "PRAGMA cache_size = -262144") }
        for index in communities.indices {
            try store.database.write { db in
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via)
                        VALUES (?, ?, ?, ?, ?, ?, 1, ?, 1)
                        ON CONFLICT(origin, community, metric, dims, period) DO UPDATE SET value = value + excluded.value
                        """)
                var day = year.lowerBound
                while day <= year.upperBound {
                    let period = day.description
                    func cell(_ metric: String, _ dims: String, _ value: Int) throws {
                        seq += 1
                        total += 1
                        try insert.execute(arguments: [
                            origins[index], communities[index].rawValue, metric, dims, period, value, seq,
                        ])
                    }
                    for _ in 0..<(roll(4) == 0 ? 0 : 1 + roll(2)) {
                        let hourRoll = roll(100)
                        let hour = hourRoll < 30 ? 9 + roll(3) : 6 + roll(16)
                        try cell(
                            CallStatistics.metric,
                            CallStatistics.dimensions(
                                channel: channels[roll(channels.count)], type: types[roll(types.count)],
                                effective: roll(10) < 4, hour: hour), 1)
                    }
                    for _ in 0..<3 {
                        let category = categories[roll(categories.count)]
                        let provider = providersOf[index][roll(5)]
                        let dims = ServiceStatistics.dimensions(
                            category: category, provider: provider, item: "\(category).\(items[roll(items.count)])")
                        let visits = 1 + roll(3)
                        try cell(ServiceStatistics.visitsMetric, dims, visits)
                        try cell(ServiceStatistics.minutesMetric, dims, visits * (30 + roll(60)))
                    }
                    let scoreRoll = roll(1000)
                    try cell(
                        SatisfactionStatistics.metric,
                        SatisfactionStatistics.dimensions(
                            score: scoreRoll < 900
                                ? "satisfied" : scoreRoll < 998 ? "basically_satisfied" : "dissatisfied",
                            complaint: roll(500) == 0, provider: providersOf[index][roll(5)]), 1)
                    day = day.adding(days: 1)
                }
            }
        }
        return total
    }
}
