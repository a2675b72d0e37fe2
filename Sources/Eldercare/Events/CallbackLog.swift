import GRDB
public import Replication

/// The `callbacks` table: the satisfaction callbacks this node recorded, one row per id, next to the
/// `callbacks` statistics cells they moved. Re-posting a recorded id changes nothing (a duplicate if the
/// values are the same, refused if they differ).
public enum CallbackLog {
    /// The table name.
    public static let table = "callbacks"

    /// Records callbacks in one transaction; refused items are returned, the others recorded.
    ///
    /// - Throws: `ReplicationError(.storage)` if the database refuses; nothing is then recorded.
    public static func record(_ items: [(index: Int, callback: CallbackRecord)], in store: ReplicaStore) throws
        -> EventOutcome
    {
        guard !items.isEmpty else { return EventOutcome() }
        return try store.transaction { tx in
            var outcome = EventOutcome()
            var deltas = StatisticDeltas()
            let visitsExist = try tx.db.tableExists(VisitLog.table)
            for (index, callback) in items {
                switch try record(callback, in: tx, visitsExist: visitsExist, counting: &deltas) {
                case .recorded: outcome.accepted += 1
                case .duplicate: outcome.duplicates += 1
                case .refused(let error): outcome.rejected.append(EventOutcome.Rejection(index: index, error: error))
                }
            }
            try deltas.write(to: tx)
            return outcome
        }.0
    }

    /// Records one callback inside `tx`, adding its statistics change to `deltas` (the caller writes
    /// them); `visitsExist` tells whether the `visits` table (the providers of visits) exists.
    ///
    /// - Throws: only errors of the database.
    static func record(
        _ callback: CallbackRecord, in tx: ReplicaTransaction, visitsExist: Bool, counting deltas: inout StatisticDeltas
    ) throws -> EventEffect {
        let db = tx.db
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT visit_id, at, score, complaint, community FROM callbacks WHERE id = ?"),
            arguments: [callback.id])
        {
            let visitID: String = row[0]
            let at: String = row[1]
            let score: String = row[2]
            let complaint: Bool = row[3]
            let community: String = row[4]
            if visitID == callback.visitID, at == callback.at.text, score == callback.score.rawValue,
                complaint == callback.complaint, community == callback.community.rawValue
            {
                return .duplicate
            }
            return .refused(
                CallValidationError(
                    field: "id", message: "callback \(callback.id) is already recorded with other values"))
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO callbacks(id, visit_id, at, score, complaint, community, day, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            callback.id, callback.visitID, callback.at.text, callback.score.rawValue, callback.complaint,
            callback.community.rawValue, callback.day.description, Int64(tx.nowMilliseconds),
        ])
        let provider = try visitsExist ? provider(ofVisit: callback.visitID, db) : nil
        deltas.add(callback.statisticDeltas(origin: tx.node, provider: provider))
        return .recorded
    }

    /// The provider of a visit this node recorded, nil if it did not record it (the `visits` table must exist).
    static func provider(ofVisit id: String, _ db: Database) throws -> String? {
        return try String.fetchOne(
            db.cachedStatement(sql: "SELECT provider_id FROM visits WHERE id = ?"), arguments: [id])
    }
}
