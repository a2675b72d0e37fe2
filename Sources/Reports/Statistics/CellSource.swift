public import GRDB
public import Replication

/// Sums of one metric's statistics cells over a scope and a range of days, grouped by dimension
/// string — from the derived rollup (`ReportRollup`) when it is installed and the scope is above the
/// community level, otherwise straight from `crdt_stats`. Both give the same sums.
///
///     let sums = try CellSource.sums(db, metric: "visits", scope: street, days: january)
///     sums["category=daily_care;item=daily_care.bathing;provider=P-7"]   // completed visits
public enum CellSource {
    /// Σ value per dimension string. The rollup leaves out the `item` dimension of visit cells; pass
    /// `exact: true` to read the cells themselves and keep every dimension.
    public static func sums(
        _ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>, exact: Bool = false
    ) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        if exact {
            try rawSums(db, metric: metric, scope: scope, days: days, group: nil) { _, dims, value in
                result[dims, default: 0] += value
            }
            return result
        }
        try each(db, metric: metric, scope: scope, days: days, group: nil) { _, dims, value in
            result[dims, default: 0] += value
        }
        return result
    }

    /// Σ value per child of `scope` (its code at the level below) and dimension string. A community
    /// scope has no children and answers [:].
    public static func sumsByChild(
        _ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>
    ) throws -> [NodeCode: [String: Int64]] {
        guard let childLevel = scope.childLevel else { return [:] }
        var result: [NodeCode: [String: Int64]] = [:]
        try each(db, metric: metric, scope: scope, days: days, group: .child(childLevel)) { key, dims, value in
            guard let child = NodeCode.ancestor(ofDigits: key, at: childLevel) else { return }
            result[child, default: [:]][dims, default: 0] += value
        }
        return result
    }

    /// Σ value per day (`YYYY-MM-DD`) and dimension string.
    public static func sumsByDay(_ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>)
        throws -> [String: [String: Int64]]
    {
        var result: [String: [String: Int64]] = [:]
        try each(db, metric: metric, scope: scope, days: days, group: .day) { day, dims, value in
            result[day, default: [:]][dims, default: 0] += value
        }
        return result
    }

    enum Grouping {
        case child(NodeCode.Level)
        case day
    }

    /// Calls `body(groupKey, dims, sum)` for every group; the key is "" without grouping, a code (or
    /// its digits) when grouping by child, a day when grouping by day.
    static func each(
        _ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>, group: Grouping?,
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        let rollup = try ReportRollup.isInstalled(db)
        switch group {
        case nil where rollup && scope.level < .community:
            try rollupSums(db, metric: metric, areas: .exact(scope.rawValue), days: days, byPeriod: false, body)
        case .day? where rollup && scope.level < .community:
            try rollupSums(db, metric: metric, areas: .exact(scope.rawValue), days: days, byPeriod: true, body)
        case .child(let level)? where rollup && level < .community:
            try rollupSums(db, metric: metric, areas: .childrenOf(scope), days: days, byPeriod: false, body)
        default:
            try rawSums(db, metric: metric, scope: scope, days: days, group: group, body)
        }
    }

    enum Areas {
        case exact(String)
        case childrenOf(NodeCode)
    }

    static func rollupSums(
        _ db: Database, metric: String, areas: Areas, days: ClosedRange<CalendarDay>, byPeriod: Bool,
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        let areaSQL: String
        var areaArguments: [(any DatabaseValueConvertible)?]
        switch areas {
        case .exact(let code):
            areaSQL = "area = ?"
            areaArguments = [code]
        case .childrenOf(let scope):
            // Children are the areas one level down: their codes end in exactly the zeros of that level.
            let childLevel = scope.childLevel!
            let range = SubtreeRange(scope)
            let zeros = String(repeating: "0", count: 12 - childLevel.significantDigits)
            areaSQL = "area >= ? AND area < ? AND area != ? AND substr(area, ?) = ?"
            areaArguments = [range.lower, range.upper, scope.rawValue, childLevel.significantDigits + 1, zeros]
        }
        let groupColumn: String
        switch (areas, byPeriod) {
        case (.childrenOf, _): groupColumn = "area"
        case (_, true): groupColumn = "period"
        default: groupColumn = "''"
        }
        func arguments(_ lower: String, _ upper: String) -> [(any DatabaseValueConvertible)?] {
            var result: [(any DatabaseValueConvertible)?] = [metric]
            result += areaArguments
            result += [lower, upper]
            return result
        }
        let split = PeriodSplit(days)
        if byPeriod {
            // Days come from the daily rows only.
            try run(
                db,
                sql: """
                    SELECT period, dims, SUM(value) FROM report_rollup
                    WHERE metric = ? AND \(areaSQL) AND grain = 'd' AND period >= ? AND period <= ?
                    GROUP BY period, dims
                    """,
                arguments: arguments(days.lowerBound.description, days.upperBound.description), body)
            return
        }
        if let first = split.months.first, let last = split.months.last {
            try run(
                db,
                sql: """
                    SELECT \(groupColumn), dims, SUM(value) FROM report_rollup
                    WHERE metric = ? AND \(areaSQL) AND grain = 'm' AND period >= ? AND period <= ?
                    GROUP BY 1, dims
                    """,
                arguments: arguments(first, last), body)
        }
        for loose in split.loose {
            try run(
                db,
                sql: """
                    SELECT \(groupColumn), dims, SUM(value) FROM report_rollup
                    WHERE metric = ? AND \(areaSQL) AND grain = 'd' AND period >= ? AND period <= ?
                    GROUP BY 1, dims
                    """,
                arguments: arguments(loose.lowerBound.description, loose.upperBound.description), body)
        }
    }

    static func rawSums(
        _ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>, group: Grouping?,
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        let range = SubtreeRange(scope)
        let groupColumn: String
        switch group {
        case nil: groupColumn = "''"
        case .day?: groupColumn = "period"
        case .child?: groupColumn = "community"
        }
        try run(
            db,
            sql: """
                SELECT \(groupColumn), dims, SUM(value) FROM crdt_stats
                WHERE metric = ? AND period >= ? AND period <= ? AND community >= ? AND community < ?
                GROUP BY 1, dims
                """,
            arguments: [metric, days.lowerBound.description, days.upperBound.description, range.lower, range.upper],
            body)
    }

    static func run(
        _ db: Database, sql: String, arguments: [(any DatabaseValueConvertible)?],
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
        while let row = try rows.next() {
            try body(row[0], row[1], row[2])
        }
    }
}
