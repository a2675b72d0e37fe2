package import GRDB
package import Replication

/// The audit lists of a roster (seed 002's audit): elders registered with no qualifying condition,
/// and resident IDs registered more than once anywhere in the subtree.
package struct RosterAudit {
    package struct Duplicate {
        package let residentID: String
        package let elders: [String]
    }

    package var registered = 0
    package var unqualified: [String] = []
    package var duplicates: [Duplicate] = []

    /// Audits the active and applying elders of `scope` as of `year-month-day`.
    ///
    /// - Complexity: one pass over the scope's elders, plus a grouped query for duplicates.
    package static func run(
        _ db: Database, scope: NodeCode, policy: EligibilityPolicy, today: (year: Int, month: Int, day: Int)
    )
        throws -> RosterAudit
    {
        let prefix = String(scope.prefix)
        var audit = RosterAudit()
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, birth_date, categories, living, disability FROM elders
                WHERE community >= ? AND community < ? AND COALESCE(status, 'active') IN ('active', 'applied')
                ORDER BY id
                """,
            arguments: [prefix, prefix + ":"])
        while let row = try rows.next() {
            audit.registered += 1
            let id: String = row["id"]
            let categories = Set(((row["categories"] as String?) ?? "").split(separator: ",").map(String.init))
            let age = Self.age(birthDate: row["birth_date"], today: today)
            let assessment = policy.assess(
                categories: categories, age: age ?? 0, living: row["living"], disability: row["disability"])
            if !assessment.qualifies { audit.unqualified.append(id) }
        }
        let groups = try Row.fetchAll(
            db,
            sql: """
                SELECT resident_id, group_concat(id, ',') AS ids FROM elders
                WHERE community >= ? AND community < ? AND resident_id IS NOT NULL
                GROUP BY resident_id HAVING COUNT(*) > 1 ORDER BY resident_id
                """,
            arguments: [prefix, prefix + ":"])
        audit.duplicates = groups.map { row in
            Duplicate(
                residentID: row["resident_id"],
                elders: ((row["ids"] as String?) ?? "").split(separator: ",").map(String.init).sorted())
        }
        return audit
    }

    /// Whole years from `YYYY-MM-DD` to today, nil if the date is missing or malformed. A `YYYY-MM`
    /// birth month (what nodes above the privacy level hold, docs/PRIVACY.md) counts from its last day,
    /// so an elder is never taken as older than they are.
    static func age(birthDate: String?, today: (year: Int, month: Int, day: Int)) -> Int? {
        guard let text = birthDate else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 || parts.count == 2 else { return nil }
        var age = today.year - parts[0]
        if (today.month, today.day) < (parts[1], parts.count == 3 ? parts[2] : 31) { age -= 1 }
        return age
    }
}
