import Foundation
import GRDB
import Replication
import Reports
import Testing

/// DHIS2-style reporting health at a district with three streets: one reported through its
/// community, one only linked and silent, one linked that reported itself.
@Suite(.timeLimit(.minutes(10))) struct ReportingHealthTests {
    static let january = ClosedRange.days("2026-01-01", "2026-01-31")
    static let now: UInt64 = 1_769_860_800_000  // 2026-01-31T12:00:00Z

    static func links(_ store: ReplicaStore, _ rows: [(peer: String, lastSeen: UInt64, head: Int64)]) throws {
        try store.database.write { db in
            // The columns of FederationNode's LinkStatistics table.
            try db.execute(
                sql: """
                    CREATE TABLE node_links (
                        peer TEXT PRIMARY KEY, role TEXT NOT NULL, connected INTEGER NOT NULL, last_seen INTEGER NOT NULL,
                        batches_sent INTEGER NOT NULL DEFAULT 0, cells_sent INTEGER NOT NULL DEFAULT 0,
                        bytes_sent INTEGER NOT NULL DEFAULT 0, batches_received INTEGER NOT NULL DEFAULT 0,
                        cells_received INTEGER NOT NULL DEFAULT 0, cells_applied INTEGER NOT NULL DEFAULT 0,
                        refused_batches INTEGER NOT NULL DEFAULT 0, refused_cells INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT NOT NULL DEFAULT '', peer_head INTEGER NOT NULL, updated_at INTEGER NOT NULL DEFAULT 0)
                    """)
            for row in rows {
                try db.execute(
                    sql:
                        "INSERT INTO node_links(peer, role, connected, last_seen, peer_head) VALUES (?, 'child', 1, ?, ?)",
                    arguments: [row.peer, Int64(row.lastSeen), row.head])
            }
        }
    }

    @Test(arguments: [false, true])
    func oneChildSilent(rollup: Bool) throws {
        let directory = try TemporaryDirectory()
        let district = try ReportFixtures.store("130102000000", in: directory)
        var cells = try ReportCells(district, rollup: rollup)
        try Self.links(
            district,
            [
                ("130102001000", Self.now - 5_000, 0), ("130102002000", Self.now - 600_000, 40),
                ("130102003000", Self.now - 1_000, 0),
            ])
        // Street 001 reported through its community station; street 003 wrote a cell itself, about a
        // community of street 001 (origin decides, not community). The district's own cell is not a
        // child's report; December is outside the period.
        try cells.calls(5, effective: true, community: "130102001001", day: "2026-01-20")
        try cells.calls(1, effective: true, community: "130102001002", day: "2026-01-31", origin: "130102003000")
        try cells.calls(2, effective: true, community: "130102002001", day: "2026-01-20", origin: "130102000000")
        try cells.calls(2, effective: true, community: "130102002001", day: "2025-12-31")
        let health = try district.database.read { db in
            try ReportingHealth.compute(
                db, scope: try NodeCode("130102000000"), days: Self.january, nowMilliseconds: Self.now)
        }
        #expect(health.children.map(\.code.rawValue) == ["130102001000", "130102002000", "130102003000"])
        #expect(health.children.map(\.reported) == [true, false, true])
        #expect(health.expected == 3)
        #expect(health.reported == 2)
        #expect(health.rate == Ratio(numerator: 2, denominator: 3))
        #expect(health.children[1].lagSeconds == 600)
        #expect(health.children[1].behind == 40)
        #expect(health.children[0].lagSeconds == 5)
        // December: only street 002 reported.
        let december = try district.database.read { db in
            try ReportingHealth.compute(
                db, scope: try NodeCode("130102000000"), days: .days("2025-12-01", "2025-12-31"),
                nowMilliseconds: Self.now)
        }
        #expect(december.children.map(\.reported) == [false, true, false])
        // At a street scope the children are communities, which have no direct link.
        let street = try district.database.read { db in
            try ReportingHealth.compute(
                db, scope: try NodeCode("130102001000"), days: Self.january, nowMilliseconds: Self.now)
        }
        #expect(street.children.map(\.code.rawValue) == ["130102001001"])
        #expect(street.children[0].lastSyncMilliseconds == nil)
        // An expected child the store has never heard of counts as not reported.
        let expected = try district.database.read { db in
            try ReportingHealth.compute(
                db, scope: try NodeCode("130102000000"), days: Self.january, nowMilliseconds: Self.now,
                expected: [try NodeCode("130102004000")])
        }
        #expect(expected.expected == 4)
        #expect(expected.rate.value == 0.5)
    }
}
