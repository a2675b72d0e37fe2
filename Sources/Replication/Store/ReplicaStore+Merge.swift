import Foundation
import GRDB

extension ReplicaStore {
    /// Merges a batch from a child that may only speak for `subtree`.
    @discardableResult
    public func merge(
        _ batch: ChangeBatch, from peer: NodeCode, originsWithin subtree: NodeCode, through watermark: UInt64? = nil,
        peerEpoch: String = ""
    ) throws -> MergeOutcome {
        try merge(batch, from: peer, originsWithin: [subtree], through: watermark, peerEpoch: peerEpoch)
    }

    /// Merges a batch of changes from another node in one transaction.
    ///
    /// Per column the greater (clock, origin code) wins; statistics cells keep their origin's newest
    /// value; an erasure tombstone scrubs the personal columns it is newer than. Winning changes take
    /// the next local feed sequences and keep their origin; losing and duplicate ones are counted and
    /// dropped. When `peer` and `watermark` are given, the peer's received watermark is stored in the
    /// same transaction, so an acknowledgement sent after this call returns is never ahead of the data.
    ///
    /// - Parameters:
    ///   - peer: the node the batch came from (recorded as `via`, so the feed can skip echoing it back).
    ///   - subtrees: if given, every origin must lie in one of them (a child may only speak for its own
    ///     subtree, plus any subtree moved under it).
    ///   - watermark: the sender's feed sequence this batch brings the link up to.
    /// - Throws: a `ReplicationError` naming what was wrong; the store is then unchanged.
    /// - Complexity: O(cells) index lookups and one row write per changed record.
    @discardableResult
    public func merge(
        _ batch: ChangeBatch, from peer: NodeCode? = nil, originsWithin subtrees: [NodeCode]? = nil,
        through watermark: UInt64? = nil, peerEpoch: String = ""
    ) throws -> MergeOutcome {
        let now = configuration.now()
        let newest = try validate(batch, now: now, originsWithin: subtrees)
        return try writeTransaction { context in
            let via = try peer.map { try directory.id(for: $0, context.db) } ?? 0
            var outcome = MergeOutcome()
            let first = context.seq
            for (position, row) in batch.rows.enumerated() {
                let table = tables[tablesByName[row.table]!]
                try apply(row, to: table, via: via, context, &outcome)
                try configuration.faultInjector?(.afterRow(position))
            }
            for stat in batch.stats {
                try apply(stat, via: via, context, &outcome)
            }
            if let newest { context.clock.observe(newest) }
            if let peer, let watermark {
                try storeWatermark(peer: peer, direction: .received, epoch: peerEpoch, seq: watermark, context.db, now: now)
            }
            if context.seq > first { outcome.sequences = (first + 1)...context.seq }
            return outcome
        }
    }

    /// Checks every change before anything is written; returns the newest clock in the batch.
    func validate(_ batch: ChangeBatch, now: UInt64, originsWithin subtrees: [NodeCode]?) throws(ReplicationError)
        -> HybridTimestamp?
    {
        let cells = batch.cellCount
        guard cells <= configuration.maxBatchCells else {
            throw ReplicationError(
                .batchTooLarge, "batch of \(cells) cells exceeds the limit of \(configuration.maxBatchCells)")
        }
        var newest: HybridTimestamp?
        var checkedOrigins: Set<NodeCode> = []
        func check(_ clock: HybridTimestamp, _ origin: NodeCode) throws(ReplicationError) {
            if checkedOrigins.insert(origin).inserted, let subtrees, !subtrees.contains(where: { $0.contains(origin) }) {
                let names = subtrees.map(\.rawValue).joined(separator: ", ")
                throw ReplicationError(
                    .foreignOrigin, "change from origin \(origin) is outside the sender's subtree (\(names))")
            }
            try HybridClock.validate(
                clock, now: now, maxForwardSkewMilliseconds: configuration.maxForwardSkewMilliseconds,
                origin: origin.rawValue)
            if newest.map({ clock > $0 }) ?? true { newest = clock }
        }
        for row in batch.rows {
            guard let position = tablesByName[row.table] else {
                throw ReplicationError(.unknownTable, "table \"\(row.table)\" is not declared in the schema")
            }
            let table = tables[position].schema
            try Self.validateKey(row.key, table: table.name)
            for cell in row.cells {
                try Self.validateCell(cell.column, cell.value, table: table, key: row.key)
                try check(cell.clock, cell.origin)
            }
        }
        for stat in batch.stats {
            try Self.validateStatistic(stat.key)
            try check(stat.clock, stat.key.origin)
        }
        return newest
    }

    static func validateKey(_ key: String, table: String) throws(ReplicationError) {
        guard !key.isEmpty, key.utf8.count <= 128 else {
            throw ReplicationError(.invalidKey, "key of a \(table) record must be 1–128 bytes, got \(key.utf8.count)")
        }
    }

    static func validateCell(_ column: String, _ value: Value, table: TableSchema, key: String) throws(ReplicationError) {
        if column == TableSchema.erasureColumn {
            guard value.textValue != nil else {
                throw ReplicationError(.typeMismatch, "erasure of \(table.name)/\(key) must carry a text reason")
            }
            return
        }
        guard let position = table.index[column] else {
            throw ReplicationError(.unknownColumn, "column \"\(column)\" is not declared in table \(table.name)")
        }
        let declared = table.columns[position].type
        guard declared.accepts(value) else {
            throw ReplicationError(
                .typeMismatch, "\(table.name)/\(key).\(column) is \(declared.rawValue), got \(value)")
        }
    }

    static func validateStatistic(_ key: StatKey) throws(ReplicationError) {
        guard !key.metric.isEmpty, key.metric.utf8.count <= 64, !key.period.isEmpty, key.period.utf8.count <= 32,
            key.dims.utf8.count <= 256
        else {
            throw ReplicationError(.invalidStatistic, "statistics cell \(key) has an empty or oversize field")
        }
    }

    /// Merges one record's cells (already validated) and writes the row and its feed entry.
    func apply(_ change: RowChange, to table: StoredTable, via: UInt32, _ context: WriteContext, _ outcome: inout MergeOutcome)
        throws
    {
        let db = context.db
        let schema = table.schema
        let slotCount = schema.columns.count + 1
        var rowID: Int64?
        var values: [Value]
        var erased: Value = .null
        var oldScope: String?
        var slots: [CellVersion]
        if let row = try Row.fetchOne(db.cachedStatement(sql: table.selectByKeySQL), arguments: [change.key]) {
            rowID = row[0]
            values = (0..<schema.columns.count).map { Value(row[StoredTable.firstValueColumn + $0] as DatabaseValue) }
            erased = Value(row[table.erasedIndex] as DatabaseValue)
            oldScope = row[table.scopeIndex]
            let blob: Data = row[table.crdtIndex]
            slots = blob.withUnsafeBytes { [CellVersion](blob: $0, count: slotCount) }
        } else {
            values = Array(repeating: .null, count: schema.columns.count)
            slots = Array(repeating: .empty, count: slotCount)
        }
        let original = slots
        var changed: [Int] = []
        var erasureChanged = false

        func isNewer(_ clock: UInt64, _ originID: UInt32, _ origin: NodeCode, than slot: CellVersion) throws -> Bool {
            if clock != slot.clock { return clock > slot.clock }
            if originID == slot.origin { return false }
            return origin.rawValue > (try directory.code(for: slot.origin, db)).rawValue
        }

        for cell in change.cells {
            let slot = cell.column == TableSchema.erasureColumn ? 0 : schema.index[cell.column]! + 1
            let originID = try directory.id(for: cell.origin, db)
            guard try isNewer(cell.clock.rawValue, originID, cell.origin, than: slots[slot]) else {
                outcome.duplicates += 1
                continue
            }
            slots[slot] = CellVersion(clock: cell.clock.rawValue, origin: originID, via: via, seq: 0)
            if slot == 0 {
                erased = cell.value
                erasureChanged = true
            } else {
                values[slot - 1] = cell.value
            }
            if !changed.contains(slot) {
                changed.append(slot)
                outcome.applied += 1
            } else {
                // The same cell twice in one batch: the older of the two counts as a duplicate.
                outcome.duplicates += 1
            }
        }
        // An erasure tombstone scrubs every personal column it is newer than.
        let tombstone = slots[0]
        if tombstone.isWritten && (erasureChanged || !changed.isEmpty) {
            let tombstoneOrigin = try directory.code(for: tombstone.origin, db)
            for position in schema.personalIndexes {
                let slot = position + 1
                // At an equal version (only a node replaying its own clock could make one) the
                // tombstone still wins, so the outcome does not depend on arrival order.
                let sameVersion = slots[slot].clock == tombstone.clock && slots[slot].origin == tombstone.origin
                if sameVersion ? !values[position].isNull
                    : try isNewer(tombstone.clock, tombstone.origin, tombstoneOrigin, than: slots[slot])
                {
                    slots[slot] = CellVersion(clock: tombstone.clock, origin: tombstone.origin, via: tombstone.via, seq: 0)
                    values[position] = .null
                    if !changed.contains(slot) { changed.append(slot) }
                }
            }
        }
        guard !changed.isEmpty else { return }

        let seq = context.nextSequence()
        for slot in changed { slots[slot].seq = seq }
        let scope = schema.scopeIndex.flatMap { values[$0].textValue }
        var previousScope: String?
        if rowID != nil, scope != oldScope {
            // The record moved to another subtree: re-announce all of it so the new subtree gets it whole.
            previousScope = oldScope
            for slot in slots.indices where slots[slot].isWritten { slots[slot].seq = seq }
        }
        if let rowID {
            // Rewrite only the columns that changed, so indexes on the others are left alone.
            var assignments = ""
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(changed.count + 3)
            for slot in changed.sorted() {
                if slot == 0 {
                    assignments += "_erased = ?, "
                    arguments.append(erased.databaseValue)
                } else {
                    assignments += table.quotedColumns[slot - 1] + " = ?, "
                    arguments.append(values[slot - 1].databaseValue)
                }
            }
            if previousScope != nil || scope != oldScope {
                assignments += "_scope = ?, "
                arguments.append(scope.databaseValue)
            }
            arguments.append(slots.encodedBlob().databaseValue)
            arguments.append(rowID.databaseValue)
            try db.cachedStatement(sql: "UPDATE \(table.quotedName) SET \(assignments)_crdt = ? WHERE rowid = ?")
                .execute(arguments: StatementArguments(arguments))
            // Feed entries no slot refers to any more are superseded.
            for old in Set(original.lazy.map(\.seq).filter { $0 != 0 }) where !slots.contains(where: { $0.seq == old }) {
                try db.cachedStatement(sql: "DELETE FROM crdt_feed WHERE seq = ?").execute(arguments: [Int64(old)])
            }
        } else {
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(schema.columns.count + 4)
            arguments.append(change.key.databaseValue)
            for value in values { arguments.append(value.databaseValue) }
            arguments.append(erased.databaseValue)
            arguments.append(scope.databaseValue)
            arguments.append(slots.encodedBlob().databaseValue)
            try db.cachedStatement(sql: table.insertSQL).execute(arguments: StatementArguments(arguments))
            rowID = db.lastInsertedRowID
        }
        let entryVia = slots.allSatisfy { $0.seq != seq || $0.via == via } ? via : 0
        try db.cachedStatement(
            sql: "INSERT INTO crdt_feed(seq, tbl, rid, via, scope, scope_prev) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [Int64(seq), table.id, rowID, Int64(entryVia), scope, previousScope])
        outcome.changedRecords.append(RecordRef(table: schema.name, key: change.key))
    }

    /// Merges one statistics cell: the origin's newest value wins.
    func apply(_ stat: StatChange, via: UInt32, _ context: WriteContext, _ outcome: inout MergeOutcome) throws {
        let db = context.db
        let origin = try directory.id(for: stat.key.origin, db)
        let seq = context.seq + 1
        try db.cachedStatement(
            sql: """
                INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(origin, community, metric, dims, period) DO UPDATE SET
                    value = excluded.value, clock = excluded.clock, seq = excluded.seq, via = excluded.via
                WHERE excluded.clock > crdt_stats.clock
                """
        ).execute(arguments: [
            Int64(origin), stat.key.community.rawValue, stat.key.metric, stat.key.dims, stat.key.period,
            stat.value, Int64(bitPattern: stat.clock.rawValue), Int64(seq), Int64(via),
        ])
        if db.changesCount > 0 {
            _ = context.nextSequence()
            outcome.applied += 1
            outcome.changedStatistics.append(stat.key)
        } else {
            outcome.duplicates += 1
        }
    }
}
