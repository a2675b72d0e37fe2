import GRDB
public import Replication

/// The `visits` table: the service visits this node recorded, one row per visit id, next to the
/// statistics cells they moved (`ServiceStatistics`). The table is local; the cells travel.
///
/// Re-posting a visit exactly as recorded is a duplicate. Posting a recorded completed visit again with
/// status `cancelled` is a correction: the row becomes cancelled and the cells move back by exactly what
/// the visit had added (`VisitRecord.statisticDeltas`). Any other change to a recorded visit is refused.
/// A new visit naming an unknown provider or catalog item is refused once the node holds providers or a
/// catalog (`ReferenceData.checkVisit`).
public enum VisitLog {
    /// The table name.
    public static let table = "visits"

    /// Records visits in one transaction; items refused by the store's rules are returned in
    /// `rejected` and the others are still recorded.
    ///
    /// - Throws: `ReplicationError(.storage)` if the database refuses; nothing is then recorded.
    public static func record(_ items: [(index: Int, visit: VisitRecord)], in store: ReplicaStore) throws
        -> EventOutcome
    {
        guard !items.isEmpty else { return EventOutcome() }
        return try store.transaction { tx in
            var outcome = EventOutcome()
            var batch = Batch()
            for (index, visit) in items {
                switch try record(visit, in: tx, batch: &batch) {
                case .recorded: outcome.accepted += 1
                case .duplicate: outcome.duplicates += 1
                case .refused(let error): outcome.rejected.append(EventOutcome.Rejection(index: index, error: error))
                }
            }
            try batch.deltas.write(to: tx)
            return outcome
        }.0
    }

    /// What one batch's transaction has learnt so far: the statistics changes to write once per cell at
    /// its end, the elders found in the roster, and the reference checks already made (none of these
    /// change inside the transaction: the batch writes no elders, providers or catalog items).
    struct Batch {
        var deltas = StatisticDeltas()
        var knownElders: Set<String> = []
        var referenceChecks: [ReferenceKey: CallValidationError?] = [:]

        struct ReferenceKey: Hashable {
            let provider: String
            let category: ServiceCategory
            let item: String
        }
    }

    /// Records one visit inside `tx`, adding its statistics changes to `batch.deltas` (the caller writes them).
    ///
    /// - Throws: only errors of the database.
    static func record(_ visit: VisitRecord, in tx: ReplicaTransaction, batch: inout Batch) throws -> EventEffect {
        let db = tx.db
        if !batch.knownElders.contains(visit.elderID) {
            guard
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM elders WHERE id = ?"), arguments: [visit.elderID])
                    != nil
            else {
                return .refused(
                    CallValidationError(
                        field: "elder_id", message: "unknown elder: \(visit.elderID) is not in this node's roster"))
            }
            batch.knownElders.insert(visit.elderID)
        }
        if let stored = try fetch(visit.id, db) {
            if stored == visit { return .duplicate }
            switch (stored.status, visit.status) {
            case (.cancelled, .cancelled):
                return .duplicate
            case (.completed, .cancelled):
                try db.execute(
                    sql: "UPDATE visits SET status = ?, updated_at = ? WHERE id = ?",
                    arguments: [VisitStatus.cancelled.rawValue, Int64(tx.nowMilliseconds), visit.id])
                batch.deltas.add(stored.statisticDeltas(origin: tx.node), negated: true)
                return .recorded
            case (.cancelled, .completed):
                return .refused(
                    CallValidationError(
                        field: "status",
                        message: "visit \(visit.id) was cancelled; a cancelled visit is not reopened, record a new id"))
            case (.completed, .completed):
                return .refused(
                    CallValidationError(
                        field: "id",
                        message: "visit \(visit.id) is already recorded with other values; correct it only by"
                            + " cancelling it (status cancelled)"))
            }
        }
        let reference = Batch.ReferenceKey(provider: visit.providerID, category: visit.category, item: visit.item)
        let check: CallValidationError?
        if let known = batch.referenceChecks[reference] {
            check = known
        } else {
            check = try ReferenceData.checkVisit(
                providerID: visit.providerID, category: visit.category, item: visit.item, db)
            batch.referenceChecks[reference] = .some(check)
        }
        if let error = check { return .refused(error) }
        let now = Int64(tx.nowMilliseconds)
        try db.cachedStatement(
            sql: """
                INSERT INTO visits(id, elder_id, provider_id, category, item, check_in, check_out, community,
                                   location, photo_count, status, day, minutes, recorded_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            visit.id, visit.elderID, visit.providerID, visit.category.rawValue, visit.item, visit.checkIn.text,
            visit.checkOut.text, visit.community.rawValue, visit.location, visit.photoCount, visit.status.rawValue,
            visit.day.description, visit.minutes, now, now,
        ])
        batch.deltas.add(visit.statisticDeltas(origin: tx.node))
        return .recorded
    }

    /// The stored visit with `id`, if any.
    static func fetch(_ id: String, _ db: Database) throws -> VisitRecord? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, elder_id, provider_id, category, item, check_in, check_out, community, location,
                               photo_count, status FROM visits WHERE id = ?
                        """), arguments: [id])
        else { return nil }
        let categoryText: String = row[3]
        let checkInText: String = row[5]
        let checkOutText: String = row[6]
        let communityText: String = row[7]
        let statusText: String = row[10]
        guard let category = ServiceCategory(rawValue: categoryText), let status = VisitStatus(rawValue: statusText),
            let checkIn = OffsetDateTime(rfc3339: checkInText), let checkOut = OffsetDateTime(rfc3339: checkOutText)
        else {
            throw ReplicationError(.storage, "visit \(id) is stored with values this version cannot read")
        }
        return try VisitRecord(
            id: row[0], elderID: row[1], providerID: row[2], category: category, item: row[4], checkIn: checkIn,
            checkOut: checkOut, community: try NodeCode(communityText), location: row[8], photoCount: row[9],
            status: status)
    }
}
