public import GRDB

/// Local writes made in one transaction: replicated records, erasures and this node's own statistics
/// cells, beside any rows of the caller's own tables written through `db` — so that an event and the
/// statistics it changes commit together or not at all.
///
///     try store.transaction { tx in
///         try tx.db.execute(sql: "INSERT INTO calls …")
///         try tx.add(1, to: StatKey(origin: store.node, community: c, metric: "calls", period: "2026-01-05"))
///     }
public final class ReplicaTransaction {
    let context: WriteContext
    var outcome = MergeOutcome()

    init(_ context: WriteContext) { self.context = context }

    /// The write connection, inside the transaction.
    public var db: Database { context.db }

    /// This node's code (the origin of every write made here).
    public var node: NodeCode { context.store.node }

    /// The wall-clock time the transaction started, in Unix milliseconds.
    public var nowMilliseconds: UInt64 { context.now }

    /// Writes some columns of one record; each write takes a new clock reading, so it wins over every
    /// change this node has seen.
    ///
    /// - Throws: `ReplicationError` for an undeclared table or column or a wrongly typed value.
    public func write(_ write: RecordWrite) throws {
        let store = context.store
        guard let position = store.tablesByName[write.table] else {
            throw ReplicationError(.unknownTable, "table \"\(write.table)\" is not declared in the schema")
        }
        let table = store.tables[position]
        try ReplicaStore.validateKey(write.key, table: write.table)
        for (column, value) in write.values {
            guard column != TableSchema.erasureColumn else {
                throw ReplicationError(.unknownColumn, "use erase(_:key:reason:) to erase a record")
            }
            try ReplicaStore.validateCell(column, value, table: table.schema, key: write.key)
        }
        let clock = context.clock.tick(now: context.now)
        let cells = write.values.map { CellChange(column: $0.column, value: $0.value, clock: clock, origin: node) }
        try store.apply(
            RowChange(table: write.table, key: write.key, cells: cells), to: table, via: 0, context, &outcome)
    }

    /// Writes an erasure tombstone: the record's personal columns are scrubbed here and on every node
    /// the tombstone reaches, and older writes to them lose. The record's other columns remain.
    public func erase(_ table: String, key: String, reason: String) throws {
        let store = context.store
        guard let position = store.tablesByName[table] else {
            throw ReplicationError(.unknownTable, "table \"\(table)\" is not declared in the schema")
        }
        try ReplicaStore.validateKey(key, table: table)
        let clock = context.clock.tick(now: context.now)
        let cell = CellChange(column: TableSchema.erasureColumn, value: .text(reason), clock: clock, origin: node)
        try store.apply(
            RowChange(table: table, key: key, cells: [cell]), to: store.tables[position], via: 0, context, &outcome)
    }

    /// Adds `delta` to one of this node's own statistics cells (creating it at zero).
    ///
    /// - Throws: `ReplicationError(.foreignOrigin)` if `key.origin` is another node: only the origin
    ///   writes a cell.
    public func add(_ delta: Int64, to key: StatKey) throws {
        guard key.origin == node else {
            throw ReplicationError(.foreignOrigin, "node \(node) cannot write statistics cell \(key) of another origin")
        }
        try context.store.configuration.statisticGrammar.check(key, value: 0)
        let clock = context.clock.tick(now: context.now)
        let seq = context.nextSequence()
        try db.cachedStatement(
            sql: """
                INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT(origin, community, metric, dims, period) DO UPDATE SET
                    value = crdt_stats.value + excluded.value, clock = excluded.clock, seq = excluded.seq, via = 0
                """
        ).execute(arguments: [
            Int64(context.localID), key.community.rawValue, key.metric, key.dims, key.period, delta,
            Int64(bitPattern: clock.rawValue), Int64(seq),
        ])
        outcome.applied += 1
        outcome.changedStatistics.append(key)
    }
}

extension ReplicaStore {
    /// Runs `body` as one local write transaction; nothing of it remains if it throws.
    @discardableResult
    public func transaction<T>(_ body: (ReplicaTransaction) throws -> T) throws -> (T, MergeOutcome) {
        try writeTransaction { context in
            let transaction = ReplicaTransaction(context)
            let first = context.seq
            let result = try body(transaction)
            if context.seq > first { transaction.outcome.sequences = (first + 1)...context.seq }
            return (result, transaction.outcome)
        }
    }

    /// Writes records locally in one transaction.
    @discardableResult
    public func write(_ writes: [RecordWrite]) throws -> MergeOutcome {
        try transaction { tx in for write in writes { try tx.write(write) } }.1
    }

    /// Erases a record's personal columns everywhere the tombstone travels.
    @discardableResult
    public func erase(_ table: String, key: String, reason: String) throws -> MergeOutcome {
        try transaction { tx in try tx.erase(table, key: key, reason: reason) }.1
    }

    /// Adds deltas to this node's own statistics cells in one transaction.
    @discardableResult
    public func add(_ deltas: [(StatKey, Int64)]) throws -> MergeOutcome {
        try transaction { tx in for (key, delta) in deltas { try tx.add(delta, to: key) } }.1
    }
}
