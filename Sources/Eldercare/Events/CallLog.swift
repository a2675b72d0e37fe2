import GRDB
public import Replication

/// The `calls` table: the calls this node recorded, one row per call id, next to the statistics cells
/// they moved. The table is local (not replicated); the cells travel. Its layout: `NodeSchema`.
///
///     let result = try CallLog.record(calls, in: store)
///     result.recorded, result.duplicates
public enum CallLog {
    /// The table name.
    public static let table = "calls"

    /// What recording a batch did.
    public struct Outcome: Equatable, Sendable {
        /// Calls that were new and counted.
        public var recorded: Int
        /// Calls whose id was already recorded (earlier, or earlier in the same batch): not counted again.
        public var duplicates: Int

        public init(recorded: Int = 0, duplicates: Int = 0) {
            self.recorded = recorded
            self.duplicates = duplicates
        }
    }

    /// Records one call inside `tx`: inserts its row and adds 1 to this node's statistics cell for it.
    ///
    /// - Returns: true if the call was new; false if its id was already recorded (nothing changes).
    /// - Complexity: one primary-key insert and, for a new call, one statistics upsert.
    @discardableResult
    public static func record(_ call: CallRecord, in tx: ReplicaTransaction) throws -> Bool {
        var deltas = StatisticDeltas()
        let recorded = try insert(call, in: tx, counting: &deltas)
        try deltas.write(to: tx)
        return recorded
    }

    /// Inserts one call's row inside `tx` and, for a new call, adds its cell's 1 to `deltas` (written
    /// once per cell at the end of the batch).
    static func insert(_ call: CallRecord, in tx: ReplicaTransaction, counting deltas: inout StatisticDeltas) throws
        -> Bool
    {
        try tx.db.cachedStatement(
            sql: """
                INSERT INTO calls(id, received_at, day, hour, channel, type, effective, community,
                                  elder_id, outcome, handler, response_seconds, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO NOTHING
                """
        ).execute(arguments: [
            call.id, call.receivedAt.text, call.day.description, call.hour, call.channel.rawValue, call.type.rawValue,
            call.effective, call.community.rawValue, call.elderID, call.outcome, call.handler, call.responseSeconds,
            Int64(tx.nowMilliseconds),
        ])
        guard tx.db.changesCount == 1 else { return false }
        deltas.add(1, to: call.statisticKey(origin: tx.node))
        return true
    }

    /// Records calls in one transaction: all of them count, or (on an error) none. The batch's
    /// statistics changes are summed per cell and each cell is written once (`StatisticDeltas`).
    ///
    /// - Throws: `ReplicationError(.storage)` if the database refuses; nothing is then recorded.
    @discardableResult
    public static func record(_ calls: [CallRecord], in store: ReplicaStore) throws -> Outcome {
        guard !calls.isEmpty else { return Outcome() }
        return try store.transaction { tx in
            var outcome = Outcome()
            var deltas = StatisticDeltas()
            for call in calls {
                if try insert(call, in: tx, counting: &deltas) {
                    outcome.recorded += 1
                } else {
                    outcome.duplicates += 1
                }
            }
            try deltas.write(to: tx)
            return outcome
        }.0
    }
}
