import Foundation
import GRDB

extension ReplicaStore {
    /// The logical state as canonical text: every record's column values with their winning clock and
    /// origin, erasures, and every statistics cell — ordered, and free of anything local (sequences,
    /// `via`, row ids). Two replicas that received the same set of changes have equal texts.
    ///
    /// - Complexity: O(state); meant for tests and `fedctl` consistency checks, not hot paths.
    public func canonicalState() throws -> String {
        var lines: [String] = []
        try forEachCanonicalLine { lines.append($0) }
        return lines.joined(separator: "\n")
    }

    /// Streams the lines of `canonicalState()` without holding them all.
    public func forEachCanonicalLine(_ body: (String) throws -> Void) throws {
        try read { db in
            for table in tables.sorted(by: { $0.schema.name < $1.schema.name }) {
                let schema = table.schema
                let rows = try Row.fetchCursor(
                    db,
                    sql: table.selectByRowIDSQL.replacingOccurrences(of: "WHERE rowid = ?", with: "")
                        + " ORDER BY \(schema.primaryKey.quotedDatabaseIdentifier)")
                while let row = try rows.next() {
                    let blob: Data = row[table.crdtIndex]
                    let slots = blob.withUnsafeBytes { [CellVersion](blob: $0, count: schema.columns.count + 1) }
                    var line = "\(schema.name)|\(row[1] as String)"
                    for (slot, version) in slots.enumerated() where version.isWritten {
                        let name = slot == 0 ? TableSchema.erasureColumn : schema.columns[slot - 1].name
                        let value = Value(
                            row[slot == 0 ? table.erasedIndex : StoredTable.firstValueColumn + slot - 1]
                                as DatabaseValue)
                        line += "|\(name)=\(value)@\(version.clock):\(try directory.code(for: version.origin, db))"
                    }
                    try body(line)
                }
            }
            let stats = try Row.fetchCursor(
                db,
                sql: """
                    SELECT n.code, s.community, s.metric, s.dims, s.period, s.value, s.clock
                    FROM crdt_stats s JOIN crdt_nodes n ON n.id = s.origin
                    ORDER BY n.code, s.community, s.metric, s.dims, s.period
                    """)
            while let row = try stats.next() {
                try body(
                    "stat|\(row[0] as String)|\(row[1] as String)|\(row[2] as String)|\(row[3] as String)|\(row[4] as String)=\(row[5] as Int64)@\(row[6] as Int64)"
                )
            }
        }
    }

    /// A 128-bit FNV-1a digest of `canonicalState()`, as 32 hex digits.
    public func stateDigest() throws -> String {
        var high: UInt64 = 0xcbf2_9ce4_8422_2325
        var low: UInt64 = 0x8422_2325_cbf2_9ce4
        var first = true
        try forEachCanonicalLine { line in
            for byte in (first ? line : "\n" + line).utf8 {
                high = (high ^ UInt64(byte)) &* 0x100_0000_01b3
                low = (low ^ UInt64(byte)) &* 0x100_0000_01b3 &+ high
            }
            first = false
        }
        let hex = { (value: UInt64) in
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return hex(high) + hex(low)
    }
}
