import Foundation
import GRDB
import Replication
import Testing

@testable import Reports

/// Issue 13: a stored cell outside 0…`StatisticGrammar.maxValue` — written straight into `crdt_stats`,
/// past every merge check — is skipped by the rollup's fold and by every report, and counted; the
/// rest folds and reports as before. Two cells of 2^62 on one day overflowed the fold's sums.
@Suite(.timeLimit(.minutes(10))) struct RollupSkippedCellsTests {
    static let city = "130100000000"
    static let community = "130102001001"
    static let day = ClosedRange.days("2026-01-01", "2026-01-31")

    /// A city store with the rollup, 5 ordinary calls merged, and `values` inserted with SQL.
    static func store(_ directory: TemporaryDirectory, hostile values: [Int64]) throws -> ReplicaStore {
        let store = try ReportFixtures.store(city, in: directory)
        var cells = try ReportCells(store, rollup: true)
        try cells.calls(5, effective: true, community: community, day: "2026-01-05")
        try store.database.write { db in try insert(db, values) }
        return store
    }

    /// Call cells of `values` on 2026-01-05, one per hour, straight into the table.
    static func insert(_ db: Database, _ values: [Int64]) throws {
        let origin = try Int64.fetchOne(db, sql: "SELECT id FROM crdt_nodes WHERE code = ?", arguments: [community])!
        for (hour, value) in values.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via)
                    VALUES (?, ?, ?, ?, '2026-01-05', ?, 0, 0, 0)
                    """,
                arguments: [
                    origin, community, CallStatistics.metric,
                    CallStatistics.dimensions(channel: "app", type: "emergency", effective: false, hour: hour + 1),
                    value,
                ])
        }
    }

    static func figures(_ store: ReplicaStore, scope: String) throws -> (
        CallSummary, [NodeCode: CallSummary], DailySeries
    ) {
        try store.database.read { db in
            let code = try NodeCode(scope)
            return (
                try CallSummary.compute(db, scope: code, days: day),
                try CallSummary.computeTotalsByChild(db, scope: code, days: day),
                try DailySeries.compute(db, metric: .effectiveRatio, scope: code, days: day)
            )
        }
    }

    @Test func twoCellsOfTwoToTheSixtySecondFoldAndReport() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(directory, hostile: [1 << 62, 1 << 62])
        // Read while pending, then fold (this trapped), then read again: the same figures.
        let before = try Self.figures(store, scope: Self.city)
        #expect(before.0.total == 5)
        try store.database.write { db in _ = try ReportRollup.fold(db) }
        #expect(try store.database.read { db in try ReportRollup.pendingCount(db) } == 0)
        let after = try Self.figures(store, scope: Self.city)
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
        #expect(after.2 == before.2)
        #expect(after.0.total == 5 && after.0.effective == 5)
        // The street and the community read the cells themselves: the same.
        for scope in ["130102001000", Self.community] {
            #expect(try Self.figures(store, scope: scope).0.total == 5, "\(scope)")
        }
        #expect(try store.database.read { db in try ReportRollup.skippedCells(db) } == 2)
    }

    @Test(
        arguments: [
            [Int64.max, Int64.max], [Int64.min], [Int64.min, Int64.max], [1 << 62, -(1 << 62)],
        ] as [[Int64]])
    func anyInt64IsSkippedAndCounted(values: [Int64]) throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(directory, hostile: values)
        let outcome = try store.database.write { db in try ReportRollup.foldCounting(db) }
        // A cell of −1 enters its pending change as −1: a change of a cell within the bound (a
        // correction downwards) looks the same, so the fold takes it; the reports of the cells, which
        // see the cell itself, leave it out.
        let skipped = values.filter { !(-StatisticGrammar.maxValue...StatisticGrammar.maxValue).contains($0) }.count
        #expect(outcome.skipped == skipped)
        #expect(outcome.folded == 1 + values.count)
        #expect(outcome.examples.count == skipped)
        #expect(outcome.examples.allSatisfy { $0.metric == CallStatistics.metric && $0.community == Self.community })
        let street = try Self.figures(store, scope: "130102001000").0
        #expect(street.total == 5, "\(values)")
        let city = try Self.figures(store, scope: Self.city).0
        #expect(city.total == 5 + values.filter { (-StatisticGrammar.maxValue..<0).contains($0) }.reduce(0, +))
    }

    /// Removing a skipped cell (as the store's quarantine does when it opens) skips the removal too:
    /// the rollup never held it.
    @Test func removingASkippedCellLeavesTheRollupAsItWas() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(directory, hostile: [1 << 62, Int64.max])
        try store.database.write { db in _ = try ReportRollup.fold(db) }
        try store.database.write { db in
            try db.execute(sql: "DELETE FROM crdt_stats WHERE value > ?", arguments: [StatisticGrammar.maxValue])
        }
        let outcome = try store.database.write { db in try ReportRollup.foldCounting(db) }
        #expect(outcome.skipped == 2)
        #expect(try store.database.read { db in try ReportRollup.skippedCells(db) } == 4)
        #expect(try Self.figures(store, scope: Self.city).0.total == 5)
        let rollup = try store.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(ABS(value)) FROM report_rollup") ?? 0
        }
        #expect(rollup == 5)
    }

    /// A store holding such cells when the rollup is (re)built: `install` leaves them out and counts them.
    @Test func installLeavesOutAndCountsStoredCellsOutsideTheBound() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store(Self.city, in: directory)
        var cells = try ReportCells(store, rollup: false)
        try cells.calls(5, effective: true, community: Self.community, day: "2026-01-05")
        try store.database.write { db in try Self.insert(db, [1 << 62, 1 << 62, -3]) }
        try store.database.write { db in try ReportRollup.install(db, scope: try NodeCode(Self.city)) }
        #expect(try store.database.read { db in try ReportRollup.skippedCells(db) } == 3)
        #expect(try Self.figures(store, scope: Self.city).0.total == 5)
        #expect(try Self.figures(store, scope: Self.community).0.total == 5)
    }

    /// Pending changes that no trigger writes — a sum beyond Int64 stored as a REAL by SQLite, a
    /// counter of cells out of all proportion — are skipped too, and the reports skip the same rows.
    @Test func pendingRowsOfAnyStorageAreSkipped() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(directory, hostile: [])
        try store.database.write { db in
            let origin = try Int64.fetchOne(
                db, sql: "SELECT id FROM crdt_nodes WHERE code = ?", arguments: [Self.community])!
            for (index, (value, cells))
                in ([(9.3e18, 1), (1, Int64.max), ("abc", 1)] as [(any DatabaseValueConvertible, Int64)]).enumerated()
            {
                try db.execute(
                    sql: """
                        INSERT INTO report_rollup_pending(metric, community, period, dims, origin, value, cells)
                        VALUES ('calls', ?, '2026-01-06', ?, ?, ?, ?)
                        """,
                    arguments: [Self.community, "effective=1;x=\(index)", origin, value, cells])
            }
        }
        let before = try Self.figures(store, scope: Self.city)
        #expect(before.0.total == 5)
        let health = try store.database.read { db in
            try ReportingHealth.compute(
                db, scope: try NodeCode(Self.city), days: .days("2026-01-06", "2026-01-06"), nowMilliseconds: 0)
        }
        #expect(health.reported == 0)
        let outcome = try store.database.write { db in try ReportRollup.foldCounting(db) }
        #expect(outcome.skipped == 3)
        #expect(try Self.figures(store, scope: Self.city).0 == before.0)
    }
}
