public import GRDB
public import Replication

/// An audit list of seed 002: completed service visits recorded for an elder whose roster status is
/// `deceased` (已故) — services paid for that cannot have been delivered. Read from the visits this node
/// recorded (the local `visits` table) joined to the replicated roster; empty when either is missing.
///
///     let suspicious = try DeceasedServices.list(db, scope: street, days: january)
public enum DeceasedServices {
    public struct Entry: Equatable, Sendable {
        public var visitID: String
        public var elderID: String
        public var providerID: String
        public var community: String
        public var day: String
    }

    /// At most `limit` entries, ordered by day then visit id.
    public static func list(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>, limit: Int = 1_000)
        throws -> [Entry]
    {
        guard try db.tableExists("visits"), try db.tableExists("elders") else { return [] }
        let range = SubtreeRange(scope)
        return try Row.fetchAll(
            db,
            sql: """
                SELECT v.id, v.elder_id, v.provider_id, v.community, v.day FROM visits v
                JOIN elders e ON e.id = v.elder_id
                WHERE e.status = 'deceased' AND v.status = 'completed' AND v.community >= ? AND v.community < ?
                  AND v.day >= ? AND v.day <= ?
                ORDER BY v.day, v.id LIMIT ?
                """,
            arguments: [range.lower, range.upper, days.lowerBound.description, days.upperBound.description, limit]
        ).map { Entry(visitID: $0[0], elderID: $0[1], providerID: $0[2], community: $0[3], day: $0[4]) }
    }
}
