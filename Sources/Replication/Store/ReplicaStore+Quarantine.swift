import Foundation
import GRDB

extension ReplicaStore {
    /// Moves every stored statistics cell that breaks `grammar` out of `crdt_stats` into
    /// `crdt_stats_refused`, with the reason, so that no stored value can trap a report or the rollup's
    /// fold, and no restart finds it again. Cells stored before the receiver checked the grammar (or
    /// under another grammar) are judged once: the grammar's fingerprint is kept in `crdt_meta`, and a
    /// store already checked under the same one is not scanned again.
    ///
    /// Runs in the opening transaction, after the migrations (`replication-1` makes the table). Returns
    /// how many cells it moved.
    static func quarantineStatistics(_ db: Database, grammar: StatisticGrammar) throws -> Int {
        let fingerprint = grammar.fingerprint
        guard try String.fetchOne(db, sql: "SELECT stats_grammar FROM crdt_meta WHERE id = 1") != fingerprint else {
            return 0
        }
        var codes: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, code FROM crdt_nodes") { codes[row[0]] = row[1] }
        var refused: [(Row, String)] = []
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT origin, community, metric, dims, period, value, clock, typeof(value) FROM crdt_stats")
        while let row = try cursor.next() {
            let reason: String
            do throws(ReplicationError) {
                guard (row[7] as String) == "integer" else {
                    throw ReplicationError(.invalidStatistic, "stored value is \(row[7] as String), not an integer")
                }
                guard let originCode = codes[row[0]] else {
                    throw ReplicationError(.invalidStatistic, "origin id \(row[0] as Int64) is not a known node")
                }
                let key = StatKey(
                    origin: try NodeCode(originCode), community: try NodeCode(row[1] as String), metric: row[2],
                    dims: row[3], period: row[4])
                try grammar.check(key, value: row[5])
                continue
            } catch {
                reason = error.description
            }
            refused.append((row.copy(), reason))
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for (row, reason) in refused {
            try db.execute(
                sql: """
                    INSERT INTO crdt_stats_refused(origin, community, metric, dims, period, value, clock, reason, refused_at)
                    VALUES (?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, ?, ?)
                    """,
                arguments: [
                    codes[row[0]] ?? "\(row[0] as Int64)", row[1], row[2], row[3], row[4], row[5] as DatabaseValue,
                    row[6], reason, now,
                ])
            try db.execute(
                sql:
                    "DELETE FROM crdt_stats WHERE origin = ? AND community = ? AND metric = ? AND period = ? AND dims = ?",
                arguments: [row[0], row[1], row[2], row[4], row[3]])
        }
        try db.execute(sql: "UPDATE crdt_meta SET stats_grammar = ? WHERE id = 1", arguments: [fingerprint])
        return refused.count
    }

    /// How many stored statistics cells were moved aside because they broke the grammar
    /// (`crdt_stats_refused`; see `quarantineStatistics`).
    public func quarantinedStatistics() throws -> Int {
        try read { db in
            guard try db.tableExists("crdt_stats_refused") else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM crdt_stats_refused") ?? 0
        }
    }
}
