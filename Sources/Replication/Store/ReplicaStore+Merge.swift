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
    /// Every change is judged by the rules of a local write before it is applied (docs/PROTOCOL.md,
    /// "What a receiver refuses"). A change that breaks one — an undeclared table or column, a wrong
    /// type, a bad key, an origin outside `subtrees`, a record whose scope before or after the change lies
    /// outside `subtrees`, a statistics cell outside `configuration.statisticGrammar`, a clock more than
    /// `refuseForGoodSkewMilliseconds` ahead — is left out and counted in `MergeOutcome.refused`; the
    /// rest of the batch is applied and the watermark moves past it, so a bad change never blocks the
    /// link behind it. A change is a whole record change (all its cells) or one statistics cell.
    ///
    /// - Parameters:
    ///   - peer: the node the batch came from (recorded as `via`, so the feed can skip echoing it back).
    ///   - subtrees: if given, every origin and every record written must lie in one of them (a child may
    ///     only speak for its own subtree, plus any subtree moved under it).
    ///   - watermark: the sender's feed sequence this batch brings the link up to.
    /// - Throws: a `ReplicationError` for what refuses the whole batch: more than `maxBatchCells` cells,
    ///   or a clock ahead of this node's by more than the skew bound but by less than a day (retried
    ///   until this node's clock catches up); the store is then unchanged.
    /// - Complexity: O(cells) index lookups and one row write per changed record.
    @discardableResult
    public func merge(
        _ batch: ChangeBatch, from peer: NodeCode? = nil, originsWithin subtrees: [NodeCode]? = nil,
        through watermark: UInt64? = nil, peerEpoch: String = ""
    ) throws -> MergeOutcome {
        let now = configuration.now()
        let verdict = try validate(batch, now: now, originsWithin: subtrees)
        return try writeTransaction { context in
            let via = try peer.map { try directory.id(for: $0, context.db) } ?? 0
            var outcome = MergeOutcome()
            for refusal in verdict.refusals { outcome.refuse(refusal.error, cells: refusal.cells) }
            if batch.undecodableStats > 0 {
                outcome.refuse(
                    ReplicationError(
                        .invalidStatistic,
                        "\(batch.undecodableStats) statistics cells name a subject that is not a 12-digit code"),
                    cells: batch.undecodableStats)
            }
            let first = context.seq
            for (position, row) in batch.rows.enumerated() where !verdict.refusedRows.contains(position) {
                let table = tables[tablesByName[row.table]!]
                try apply(row, to: table, via: via, owners: subtrees, context, &outcome)
                try configuration.faultInjector?(.afterRow(position))
            }
            for (position, stat) in batch.stats.enumerated() where !verdict.refusedStats.contains(position) {
                try apply(stat, via: via, context, &outcome)
            }
            if let newest = verdict.newest { context.clock.observe(newest) }
            if let peer, let watermark {
                try storeWatermark(
                    peer: peer, direction: .received, epoch: peerEpoch, seq: watermark, context.db, now: now)
            }
            if context.seq > first { outcome.sequences = (first + 1)...context.seq }
            return outcome
        }
    }

    /// What `validate` found: the changes to leave out, and the newest clock of the others.
    struct Verdict {
        var newest: HybridTimestamp?
        var refusedRows: Set<Int> = []
        var refusedStats: Set<Int> = []
        var refusals: [(error: ReplicationError, cells: Int)] = []
    }

    /// A clock this far ahead is refused with its change for good instead of holding the batch back:
    /// no wall clock that is merely off by minutes will catch up with it.
    public static let refuseForGoodSkewMilliseconds: UInt64 = 24 * 3_600 * 1_000

    /// Judges every change before anything is written (the ownership of stored records is judged in
    /// the transaction, by `apply`).
    func validate(_ batch: ChangeBatch, now: UInt64, originsWithin subtrees: [NodeCode]?) throws(ReplicationError)
        -> Verdict
    {
        let cells = batch.cellCount
        guard cells <= configuration.maxBatchCells else {
            throw ReplicationError(
                .batchTooLarge, "batch of \(cells) cells exceeds the limit of \(configuration.maxBatchCells)")
        }
        var verdict = Verdict()
        var origins: [NodeCode: ReplicationError?] = [:]
        var newest: HybridTimestamp?
        /// Throws what refuses the change; returns the error that refuses the whole batch, if any.
        func check(_ clock: HybridTimestamp, _ origin: NodeCode) throws(ReplicationError) -> ReplicationError? {
            let known: ReplicationError?
            if let cached = origins[origin] {
                known = cached
            } else {
                var found: ReplicationError?
                if let subtrees, !subtrees.contains(where: { $0.contains(origin) }) {
                    let names = subtrees.map(\.rawValue).joined(separator: ", ")
                    found = ReplicationError(
                        .foreignOrigin, "change from origin \(origin) is outside the sender's subtree (\(names))")
                }
                origins[origin] = found
                known = found
            }
            if let known { throw known }
            do {
                try HybridClock.validate(
                    clock, now: now, maxForwardSkewMilliseconds: configuration.maxForwardSkewMilliseconds,
                    origin: origin.rawValue)
            } catch
                where error.code == .clockSkew
                && clock.physicalMilliseconds - now <= Self.refuseForGoodSkewMilliseconds
            {
                return error
            }
            return nil
        }
        for (position, row) in batch.rows.enumerated() {
            var batchError: ReplicationError?
            do throws(ReplicationError) {
                guard let tablePosition = tablesByName[row.table] else {
                    throw ReplicationError(
                        .unknownTable, "table \"\(row.table.prefix(64))\" is not declared in the schema")
                }
                let table = tables[tablePosition].schema
                try Self.validateKey(row.key, table: table.name)
                var rowNewest = newest
                for cell in row.cells {
                    try Self.validateCell(cell.column, cell.value, table: table, key: row.key)
                    if let error = try check(cell.clock, cell.origin) { batchError = batchError ?? error }
                    if rowNewest.map({ cell.clock > $0 }) ?? true { rowNewest = cell.clock }
                }
                newest = rowNewest
            } catch {
                verdict.refusedRows.insert(position)
                verdict.refusals.append((error, max(1, row.cells.count)))
                continue
            }
            if let batchError { throw batchError }
        }
        for (position, stat) in batch.stats.enumerated() {
            var batchError: ReplicationError?
            do throws(ReplicationError) {
                try configuration.statisticGrammar.check(stat.key, value: stat.value)
                batchError = try check(stat.clock, stat.key.origin)
                if newest.map({ stat.clock > $0 }) ?? true { newest = stat.clock }
            } catch {
                verdict.refusedStats.insert(position)
                verdict.refusals.append((error, 1))
                continue
            }
            if let batchError { throw batchError }
        }
        verdict.newest = newest
        return verdict
    }

    static func validateKey(_ key: String, table: String) throws(ReplicationError) {
        guard !key.isEmpty, key.utf8.count <= 128 else {
            throw ReplicationError(.invalidKey, "key of a \(table) record must be 1–128 bytes, got \(key.utf8.count)")
        }
    }

    static func validateCell(_ column: String, _ value: Value, table: TableSchema, key: String) throws(ReplicationError)
    {
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

    /// Merges one record's cells (already validated) and writes the row and its feed entry.
    ///
    /// - Parameter owners: if given, the record's scope before and after the change must lie in one of
    ///   these subtrees (a child writes only records of its own area; moving a record between areas is a
    ///   write of their common ancestor); otherwise the change is refused and counted in `outcome`.
    func apply(
        _ change: RowChange, to table: StoredTable, via: UInt32, owners: [NodeCode]? = nil, _ context: WriteContext,
        _ outcome: inout MergeOutcome
    ) throws {
        let db = context.db
        let schema = table.schema
        let slotCount = schema.columns.count + 1
        let directory = self.directory
        func originCode(_ id: UInt32) throws -> String { try directory.code(for: id, db).rawValue }
        // Read the record as stored (if it is), decide in RecordMerge, then persist what it decided.
        var rowID: Int64?
        var storedScope: String??
        var merge: RecordMerge
        if let row = try Row.fetchOne(db.cachedStatement(sql: table.selectByKeySQL), arguments: [change.key]) {
            rowID = row[0]
            storedScope = .some(row[table.scopeIndex])
            let blob: Data = row[table.crdtIndex]
            merge = RecordMerge(
                values: (0..<schema.columns.count).map {
                    Value(row[StoredTable.firstValueColumn + $0] as DatabaseValue)
                },
                erased: Value(row[table.erasedIndex] as DatabaseValue),
                slots: blob.withUnsafeBytes { [CellVersion](blob: $0, count: slotCount) })
        } else {
            merge = RecordMerge(columns: schema.columns.count)
        }
        for cell in change.cells {
            let slot = cell.column == TableSchema.erasureColumn ? 0 : schema.index[cell.column]! + 1
            let origin = try directory.id(for: cell.origin, db)
            try merge.offer(
                slot: slot, CellVersion(clock: cell.clock.rawValue, origin: origin, via: via, seq: 0),
                value: cell.value,
                originCode: originCode)
        }
        if let owners, schema.scopeIndex != nil {
            if let refusal = Self.ownership(
                of: change, table: schema.name, before: storedScope, after: merge.scope(at: schema.scopeIndex),
                owners: owners)
            {
                outcome.refuse(refusal, cells: max(1, change.cells.count))
                return
            }
        }
        outcome.applied += merge.applied
        outcome.duplicates += merge.duplicates
        try merge.scrubPersonal(schema.personalIndexes, originCode: originCode)
        guard
            let sealed = merge.seal(
                seq: context.seq + 1, via: via, scopeIndex: schema.scopeIndex, storedScope: storedScope)
        else { return }
        let seq = context.nextSequence()
        if let rowID {
            // Rewrite only the columns that changed, so indexes on the others are left alone.
            var assignments = ""
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(sealed.changedSlots.count + 3)
            for slot in sealed.changedSlots {
                if slot == 0 {
                    assignments += "_erased = ?, "
                    arguments.append(sealed.erased.databaseValue)
                } else {
                    assignments += table.quotedColumns[slot - 1] + " = ?, "
                    arguments.append(sealed.values[slot - 1].databaseValue)
                }
            }
            if sealed.scopeChanged {
                assignments += "_scope = ?, "
                arguments.append(sealed.scope.databaseValue)
            }
            arguments.append(sealed.slots.encodedBlob().databaseValue)
            arguments.append(rowID.databaseValue)
            try db.cachedStatement(sql: "UPDATE \(table.quotedName) SET \(assignments)_crdt = ? WHERE rowid = ?")
                .execute(arguments: StatementArguments(arguments))
            for old in sealed.superseded {
                try db.cachedStatement(sql: "DELETE FROM crdt_feed WHERE seq = ?").execute(arguments: [Int64(old)])
            }
        } else {
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(schema.columns.count + 4)
            arguments.append(change.key.databaseValue)
            for value in sealed.values { arguments.append(value.databaseValue) }
            arguments.append(sealed.erased.databaseValue)
            arguments.append(sealed.scope.databaseValue)
            arguments.append(sealed.slots.encodedBlob().databaseValue)
            try db.cachedStatement(sql: table.insertSQL).execute(arguments: StatementArguments(arguments))
            rowID = db.lastInsertedRowID
        }
        try db.cachedStatement(
            sql: "INSERT INTO crdt_feed(seq, tbl, rid, via, scope, scope_prev) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [Int64(seq), table.id, rowID, Int64(sealed.entryVia), sealed.scope, sealed.previousScope])
        outcome.changedRecords.append(RecordRef(table: schema.name, key: change.key))
    }

    /// Why a sender that may speak for `owners` may not make this change of a record whose scope is
    /// `before` (`.none`: the record is new here) and would be `after`; nil if it may.
    static func ownership(
        of change: RowChange, table: String, before: String??, after: String?, owners: [NodeCode]
    ) -> ReplicationError? {
        func owned(_ scope: String?) -> Bool {
            guard let scope, let code = try? NodeCode(scope) else { return false }
            return owners.contains { $0.contains(code) }
        }
        let names = owners.map(\.rawValue).joined(separator: ", ")
        if case .some(let stored) = before, !owned(stored) {
            return ReplicationError(
                .notOwner,
                "\(table)/\(change.key.prefix(128)) belongs to \(stored ?? "no area"), outside the sender's subtree (\(names))"
            )
        }
        guard owned(after) else {
            let target = after.map { "\($0.prefix(40))" } ?? "no area"
            return ReplicationError(
                .notOwner,
                "\(table)/\(change.key.prefix(128)) would belong to \(target), outside the sender's subtree (\(names)); "
                    + "moving a record to another area is a write of the areas' common ancestor")
        }
        return nil
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
