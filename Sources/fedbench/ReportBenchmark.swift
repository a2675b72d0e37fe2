import FederationNode
import Foundation
import GRDB
import Replication
import Reports

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

    static func run(elders: Int, keep: String?, runs: Int = 50) throws -> [String: Any] {
        let root = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("fedbench-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: root) } }
        let city = try NodeCode("130100000000")
        let path = root.appendingPathComponent("city.sqlite").path
        try? FileManager.default.removeItem(atPath: path)
        let store = try ReplicaStore(path: path, node: city, schema: try DomainSchema.replicated())
        let communities = try (2...11).flatMap { district in
            try (1...10).flatMap { street in
                try (1...20).map { community in
                    try NodeCode(String(format: "13%02d%02d%03d%03d", 1, district, street, community))
                }
            }
        }

        log("fedbench report: writing \(elders) elders in \(communities.count) communities…")
        var roster = SampleRoster(seed: 20_260_101, communities: communities)
        var written = 0
        while written < elders {
            let count = min(1_000, elders - written)
            _ = try store.write((0..<count).map { _ in roster.next() })
            written += count
        }

        log("fedbench report: generating a year of cells for \(communities.count) communities…")
        var generateSeconds = 0.0
        let cells = try timed(&generateSeconds) { try generate(store, communities) }
        let fileMB = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6
        log("  \(cells) cells in \(String(format: "%.1f", generateSeconds)) s, \(String(format: "%.0f", fileMB)) MB")

        func summary(_ cache: RosterCache?) throws -> SummaryReport {
            try store.database.read { db in
                try SummaryReport.compute(db, scope: city, days: year, asOf: Date(), rosterCache: cache)
            }
        }
        log("fedbench report: city summary for 2026 over the cells alone (no rollup), one run…")
        var plainSeconds = 0.0
        let reference = try timed(&plainSeconds) { try summary(nil) }
        let plain = (p50: plainSeconds, p99: plainSeconds)
        log("  \(ms(plain.p50)) ms")

        log("fedbench report: installing the rollup (filled from the stored cells)…")
        var installSeconds = 0.0
        try timed(&installSeconds) { try store.database.write { db in try ReportRollup.install(db) } }
        let rollupRows = try store.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_rollup") ?? 0
        }
        log("  \(String(format: "%.1f", installSeconds)) s, \(rollupRows) rollup rows")

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
                _ = try CallSummary.computeByChild(db, scope: city, days: year)
                _ = try ServiceSummary.computeByChild(db, scope: city, days: year)
                _ = try SatisfactionSummary.computeByChild(db, scope: city, days: year)
                _ = try cache.summaryByChild(db, scope: city, asOf: year.upperBound)
            }
        }
        log("  city year, roster cached:      p50 \(ms(warm.p50)) ms  p99 \(ms(warm.p99)) ms")
        log("  city year, roster recounted:   p50 \(ms(cold.p50)) ms")
        log("  city 2026-02-10…11-20:         p50 \(ms(partialRange.p50)) ms")
        log("  district March:                p50 \(ms(districtMonth.p50)) ms")
        log("  city year, 10 districts' rows: p50 \(ms(children.p50)) ms")

        // The rollup answers what the cells answer.
        let again = try summary(cache)
        // The rollup leaves out the item of visit cells, so `byProviderItem` differs by design.
        let sameServices: Bool =
            reference.services.total == again.services.total
            && reference.services.byCategory == again.services.byCategory
            && reference.services.byProvider == again.services.byProvider
        let sameOthers: Bool =
            reference.calls == again.calls && reference.satisfaction == again.satisfaction
            && reference.roster == again.roster && reference.reporting.rate == again.reporting.rate
        let same = sameServices && sameOthers && reference.calls.total > 0

        // Cost of the triggers on writes: 20,000 local cell updates in one transaction, with the rollup.
        var writeSeconds = 0.0
        let keys = (0..<20_000).map { index in
            StatKey(
                origin: city, community: communities[index % communities.count], metric: CallStatistics.metric,
                dims: CallStatistics.dimensions(channel: "hotline", type: "consultation", effective: true, hour: index % 24),
                period: "2026-06-\(String(format: "%02d", 1 + index % 28))")
        }
        try timed(&writeSeconds) { _ = try store.add(keys.map { ($0, 1) }) }
        log("  cell writes with the rollup's triggers: \(rate(keys.count, writeSeconds)) cells/s")

        return [
            "benchmark": "report",
            "communities": communities.count,
            "days": 365,
            "cells": cells,
            "elders": elders,
            "file_mb": fileMB.rounded(),
            "rollup_rows": rollupRows,
            "rollup_install_s": (installSeconds * 10).rounded() / 10,
            "plain_city_year_p50_ms": ms(plain.p50),
            "city_year_p50_ms": ms(warm.p50),
            "city_year_p99_ms": ms(warm.p99),
            "city_year_roster_recounted_p50_ms": ms(cold.p50),
            "city_partial_range_p50_ms": ms(partialRange.p50),
            "district_month_p50_ms": ms(districtMonth.p50),
            "city_year_children_p50_ms": ms(children.p50),
            "cell_writes_with_rollup_per_s": rate(keys.count, writeSeconds),
            "rollup_matches_cells": same,
            "cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
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
        let channels = ["hotline", "hotline", "hotline", "hotline", "hotline", "sos_key", "sos_key", "help_key", "app", "walk_in"]
        let types = ["emergency", "service_request", "service_request", "consultation", "consultation", "complaint", "companionship", "invalid"]
        let categories = ["medical_care", "emergency_aid", "daily_care", "spiritual_comfort", "legal_aid", "culture_recreation"]
        let items = ["bathing", "meals", "cleaning", "escort", "massage", "visit"]
        var origins: [Int64] = []
        try store.database.write { db in
            for code in communities {
                try db.execute(sql: "INSERT OR IGNORE INTO crdt_nodes(code) VALUES (?)", arguments: [code.rawValue])
                origins.append(try Int64.fetchOne(db, sql: "SELECT id FROM crdt_nodes WHERE code = ?", arguments: [code.rawValue])!)
            }
        }
        let providersOf = communities.indices.map { index in (0..<5).map { "P-\(String(format: "%03d", (index / 20 * 7 + $0 * 3) % 40 + 1))" } }
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
                            score: scoreRoll < 900 ? "satisfied" : scoreRoll < 998 ? "basically_satisfied" : "dissatisfied",
                            complaint: roll(500) == 0, provider: providersOf[index][roll(5)]), 1)
                    day = day.adding(days: 1)
                }
            }
        }
        return total
    }
}
