import Foundation
import GRDB

/// Which changes of the feed a link wants.
public struct FeedFilter: Sendable, Equatable {
    /// Down-routing: only changes about these subtrees (a child's own, plus any moved under it) —
    /// records and statistics whose scope lies inside one, plus records scoped to an ancestor or to no
    /// code at all (area-wide tables such as the service catalog). nil: everything (up-routing).
    public var subtrees: [NodeCode]?
    /// Skip changes that arrived from these peers (never echo a parent's changes back to it, nor a
    /// former parent's to a new one).
    public var excludingVia: [NodeCode]

    public init(subtree: NodeCode? = nil, excludingVia: NodeCode? = nil) {
        self.subtrees = subtree.map { [$0] }
        self.excludingVia = excludingVia.map { [$0] } ?? []
    }

    public init(subtrees: [NodeCode]? = nil, excludingVia: [NodeCode]) {
        self.subtrees = subtrees
        self.excludingVia = excludingVia
    }

    func admits(scope: String?) -> Bool {
        guard let subtrees else { return true }
        guard let scope else { return true }
        guard let code = try? NodeCode(scope) else { return false }
        return subtrees.contains { $0.contains(code) || code.contains($0) }
    }
}

/// A page of the change feed: the changes with sequences in `(after, through]` that pass the filter.
public struct FeedPage: Sendable {
    public var batch: ChangeBatch
    /// Exclusive lower bound (the caller's position).
    public var after: UInt64
    /// Inclusive upper bound: every change up to here was either included or filtered out, so a
    /// receiver that committed this page may store `through` as its watermark.
    public var through: UInt64
    /// The feed's head when the page was read; `through == head` means the link is caught up.
    public var head: UInt64

    public var isCaughtUp: Bool { through >= head }
}

extension ReplicaStore {
    /// Reads the changes after sequence `after`, at most about `maxCells` cells (a record is never split).
    ///
    /// The feed holds one entry per live (record, sequence) and the statistics cells by their latest
    /// sequence; superseded entries are gone, so a new link starting from zero reads the current state.
    ///
    /// - Complexity: O(entries scanned) index reads; reads a snapshot and never blocks the writer.
    public func changes(after: UInt64, maxCells: Int = 10_000, filter: FeedFilter = .init()) throws -> FeedPage {
        try read { db in
            let head = UInt64(try Int64.fetchOne(db, sql: "SELECT last_seq FROM crdt_meta") ?? 0)
            let excluded = Set(filter.excludingVia.compactMap { directory.existingID(for: $0) }.map { Int64($0) })
            let scanLimit = max(64, maxCells)
            let viaClause =
                excluded.isEmpty ? "" : " AND via NOT IN (\(excluded.map(String.init).joined(separator: ",")))"

            struct Entry {
                let seq: UInt64, table: Int64, rowID: Int64, scope: String?, previousScope: String?
            }
            var entries: [Entry] = []
            let entryRows = try Row.fetchCursor(
                db.cachedStatement(
                    sql:
                        "SELECT seq, tbl, rid, scope, scope_prev FROM crdt_feed WHERE seq > ?\(viaClause) ORDER BY seq LIMIT ?"
                ),
                arguments: [Int64(after), scanLimit])
            while let row = try entryRows.next() {
                entries.append(
                    Entry(
                        seq: UInt64(row[0] as Int64), table: row[1], rowID: row[2], scope: row[3], previousScope: row[4]
                    ))
            }
            var stats: [(seq: UInt64, origin: UInt32, change: StatChange)] = []
            let statRows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT origin, community, metric, dims, period, value, clock, seq FROM crdt_stats
                        WHERE seq > ?\(viaClause) ORDER BY seq LIMIT ?
                        """),
                arguments: [Int64(after), scanLimit])
            while let row = try statRows.next() {
                let origin = UInt32(row[0] as Int64)
                let key = StatKey(
                    origin: try directory.code(for: origin, db), community: try NodeCode(row[1] as String),
                    metric: row[2], dims: row[3], period: row[4])
                stats.append(
                    (
                        UInt64(row[7] as Int64), origin,
                        StatChange(
                            key: key, value: row[5], clock: HybridTimestamp(rawValue: UInt64(bitPattern: row[6])))
                    ))
            }
            // Only sequences below the end of a truncated scan are known complete.
            var bound = head
            if entries.count == scanLimit { bound = min(bound, entries.last!.seq) }
            if stats.count == scanLimit { bound = min(bound, stats.last!.seq) }

            var batch = ChangeBatch()
            var cells = 0
            var through = bound
            var entryIndex = 0
            var statIndex = 0
            let tablesByID = Dictionary(uniqueKeysWithValues: tables.map { ($0.id, $0) })
            while cells < maxCells {
                let nextEntry =
                    entryIndex < entries.count && entries[entryIndex].seq <= bound ? entries[entryIndex].seq : nil
                let nextStat = statIndex < stats.count && stats[statIndex].seq <= bound ? stats[statIndex].seq : nil
                if let entrySeq = nextEntry, nextStat.map({ entrySeq < $0 }) ?? true {
                    let entry = entries[entryIndex]
                    entryIndex += 1
                    through = entry.seq
                    guard
                        filter.admits(scope: entry.scope)
                            || (entry.previousScope.map { filter.admits(scope: $0) } ?? false),
                        let table = tablesByID[entry.table]
                    else { continue }
                    if let change = try rowChange(entry.seq, rowID: entry.rowID, table: table, excluding: excluded, db)
                    {
                        cells += change.cells.count
                        batch.rows.append(change)
                    }
                } else if let statSeq = nextStat {
                    let stat = stats[statIndex]
                    statIndex += 1
                    through = statSeq
                    guard filter.admits(scope: stat.change.key.community.rawValue) else { continue }
                    cells += 1
                    batch.stats.append(stat.change)
                } else {
                    through = bound
                    break
                }
            }
            return FeedPage(batch: batch, after: after, through: max(through, after), head: head)
        }
    }

    /// The cells of one record that took sequence `seq`.
    private func rowChange(
        _ seq: UInt64, rowID: Int64, table: StoredTable, excluding excluded: Set<Int64>, _ db: Database
    )
        throws -> RowChange?
    {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: table.selectByRowIDSQL), arguments: [rowID]) else {
            return nil
        }
        let schema = table.schema
        let blob: Data = row[table.crdtIndex]
        let slots = blob.withUnsafeBytes { [CellVersion](blob: $0, count: schema.columns.count + 1) }
        var cells: [CellChange] = []
        for (slot, version) in slots.enumerated() where version.seq == seq {
            if excluded.contains(Int64(version.via)) { continue }
            let column: String
            let value: Value
            if slot == 0 {
                column = TableSchema.erasureColumn
                value = Value(row[table.erasedIndex] as DatabaseValue)
            } else {
                column = schema.columns[slot - 1].name
                value = Value(row[StoredTable.firstValueColumn + slot - 1] as DatabaseValue)
            }
            cells.append(
                CellChange(
                    column: column, value: value, clock: HybridTimestamp(rawValue: version.clock),
                    origin: try directory.code(for: version.origin, db)))
        }
        guard !cells.isEmpty else { return nil }
        return RowChange(table: schema.name, key: row[1], cells: cells)
    }
}
