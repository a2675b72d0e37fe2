import GRDB
import Replication
import TestSupport
import Testing

/// A store written before the statistics cells were keyed by period (`(origin, community, metric,
/// dims, period)`) is rewritten on open into the current key order with nothing lost or changed:
/// the same cells, values, clocks, sequence numbers and feed, and it merges and writes as before.
@Suite(.timeLimit(.minutes(10))) struct StatisticsLayoutTests {
    static func keyOrder(_ store: ReplicaStore) throws -> [String] {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(crdt_stats)")
                .filter { ($0["pk"] as Int) > 0 }
                .sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
                .map { $0["name"] as String }
        }
    }

    @Test func aStoreKeyedByDimensionsFirstIsRewrittenWithTheSameState() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let community = try Fixtures.store(directory, Fixtures.community, clock: clock)
        var generator = SeededGenerator(seed: 2026)
        for day in 1...20 {
            let deltas = (0..<15).map { _ in
                (
                    StatKey(
                        origin: Fixtures.community, community: Fixtures.community,
                        metric: ["calls", "visits"].randomElement(using: &generator)!,
                        dims: "channel=\(["hotline", "app", "sos_key"].randomElement(using: &generator)!)",
                        period: "2026-03-\(day < 10 ? "0" : "")\(day)"),
                    Int64.random(in: -2...9, using: &generator)
                )
            }
            try community.add(deltas)
            clock.advance(by: 1_000)
        }
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        try street.pull(from: community)
        let state = try street.canonicalState()
        let head = try street.headSequence()
        let path = directory.path(Fixtures.street.rawValue + ".sqlite")
        // Put the table back into the first layout, as an older release left it (one that recorded no
        // migrations either).
        try street.database.write { db in
            try db.execute(
                sql: """
                    DROP TABLE grdb_migrations;
                    CREATE TABLE old_stats (
                        origin INTEGER NOT NULL, community TEXT NOT NULL, metric TEXT NOT NULL, dims TEXT NOT NULL,
                        period TEXT NOT NULL, value INTEGER NOT NULL, clock INTEGER NOT NULL, seq INTEGER NOT NULL,
                        via INTEGER NOT NULL, PRIMARY KEY (origin, community, metric, dims, period)) WITHOUT ROWID;
                    INSERT INTO old_stats SELECT origin, community, metric, dims, period, value, clock, seq, via FROM crdt_stats;
                    DROP TABLE crdt_stats;
                    ALTER TABLE old_stats RENAME TO crdt_stats;
                    CREATE INDEX crdt_stats_seq ON crdt_stats(seq);
                    CREATE INDEX crdt_stats_report ON crdt_stats(metric, period, community);
                    """)
        }
        #expect(try Self.keyOrder(street) == ["origin", "community", "metric", "dims", "period"])
        try street.database.close()

        let reopened = try ReplicaStore(
            path: path, node: Fixtures.street, schema: Fixtures.schema,
            configuration: {
                var configuration = StoreConfiguration()
                configuration.now = { clock.now }
                return configuration
            }())
        #expect(try Self.keyOrder(reopened) == ["origin", "community", "metric", "period", "dims"])
        #expect(try reopened.canonicalState() == state)
        #expect(try reopened.headSequence() == head)
        let indexes = try reopened.database.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'crdt_stats' AND sql IS NOT NULL ORDER BY name"
            )
        }
        #expect(indexes == ["crdt_stats_report", "crdt_stats_seq"])
        // The report index covers what reports read (value included), so they never visit the table.
        let reportIndex = try reopened.database.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'crdt_stats_report'")
        }
        #expect(reportIndex?.contains("metric, period, community, value") == true)
        // It goes on merging: a new change at the community arrives and adds up exactly once.
        let key = StatKey(
            origin: Fixtures.community, community: Fixtures.community, metric: "calls", dims: "channel=app",
            period: "2026-03-05")
        let before = try reopened.statistic(key)?.value ?? 0
        try community.add([(key, 7)])
        try reopened.pull(from: community)
        try reopened.pull(from: community)
        #expect(try reopened.statistic(key)?.value == before + 7)
        // Opening it again leaves it as it is.
        let merged = try reopened.canonicalState()
        try reopened.database.close()
        let again = try ReplicaStore(path: path, node: Fixtures.street, schema: Fixtures.schema)
        #expect(try again.canonicalState() == merged)
    }
}
