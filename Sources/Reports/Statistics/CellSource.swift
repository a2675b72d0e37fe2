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
            return result.filter { $0.value != 0 }
        }
        try each(db, metric: metric, scope: scope, days: days, group: nil) { _, dims, value in
            result[dims, default: 0] += value
        }
        return result.filter { $0.value != 0 }
    }

    /// Drops the dimension strings that sum to zero, and the groups left empty: a cell cancelled to
    /// zero, or a rollup row whose cells were all removed, counts as nothing either way.
    static func nonZero<Key: Hashable>(_ groups: [Key: [String: Int64]]) -> [Key: [String: Int64]] {
        groups.compactMapValues { sums in
            let kept = sums.filter { $0.value != 0 }
            return kept.isEmpty ? nil : kept
        }
    }

    /// `sumsByChild` reading the child codes: the rollup passes each child's code for all its rows,
    /// so a code is parsed once per child, not once per row.
    static func childCollector(_ level: NodeCode.Level) -> (inout [NodeCode: [String: Int64]], String, String, Int64) -> Void {
        var lastKey = ""
        var lastChild: NodeCode?
        return { result, key, dims, value in
            if key != lastKey {
                lastKey = key
                lastChild = NodeCode.ancestor(ofDigits: key, at: level)
            }
            guard let child = lastChild else { return }
            result[child, default: [:]][dims, default: 0] += value
        }
    }

    /// Σ value per child of `scope` (its code at the level below) and dimension string. A community
    /// scope has no children and answers [:].
    public static func sumsByChild(
        _ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>
    ) throws -> [NodeCode: [String: Int64]] {
        guard let childLevel = scope.childLevel else { return [:] }
        var result: [NodeCode: [String: Int64]] = [:]
        let collect = childCollector(childLevel)
        try each(db, metric: metric, scope: scope, days: days, group: .child(childLevel)) { key, dims, value in
            collect(&result, key, dims, value)
        }
        return nonZero(result)
    }

    /// Σ value per day (`YYYY-MM-DD`) and dimension string.
    public static func sumsByDay(_ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>)
        throws -> [String: [String: Int64]]
    {
        var result: [String: [String: Int64]] = [:]
        try each(db, metric: metric, scope: scope, days: days, group: .day) { day, dims, value in
            result[day, default: [:]][dims, default: 0] += value
        }
        return nonZero(result)
    }

    enum Grouping {
        case child(NodeCode.Level)
        case day
    }

    /// Σ value per child of `scope` and dimension string, read from the cells themselves even when
    /// the rollup is installed (to check the rollup against them, e.g. in `fedbench report`).
    public static func sumsByChildFromCells(
        _ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>
    ) throws -> [NodeCode: [String: Int64]] {
        guard let childLevel = scope.childLevel else { return [:] }
        var result: [NodeCode: [String: Int64]] = [:]
        let collect = childCollector(childLevel)
        try rawSums(db, metric: metric, scope: scope, days: days, group: .child(childLevel)) { key, dims, value in
            collect(&result, key, dims, value)
        }
        return nonZero(result)
    }

    /// Calls `body(groupKey, dims, sum)` for every group; the key is "" without grouping, a code (or
    /// its digits) when grouping by child, a day when grouping by day.
    static func each(
        _ db: Database, metric: String, scope: NodeCode, days: ClosedRange<CalendarDay>, group: Grouping?,
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        // The rollup holds the levels from `top` down to the street.
        let top = try ReportRollup.topLevel(db)
        let inRollup = { (level: NodeCode.Level) in top.map { level >= $0 && level < .community } ?? false }
        switch group {
        case nil where inRollup(scope.level):
            try rollupSums(db, metric: metric, area: scope, days: days, byPeriod: false, body)
        case .day? where inRollup(scope.level):
            try rollupSums(db, metric: metric, area: scope, days: days, byPeriod: true, body)
        case .child(let level)? where inRollup(level) && scope.level >= top!:
            // One area at a time: each child's rows are one range of the key. The children are found
            // by seeking the next area of their level inside the scope, so none is missed and no
            // other level's rows are walked.
            for child in try rollupChildren(db, metric: metric, scope: scope, level: level) {
                try rollupSums(db, metric: metric, area: child, days: days, byPeriod: false) { _, dims, value in
                    try body(child.rawValue, dims, value)
                }
            }
        default:
            try rawSums(db, metric: metric, scope: scope, days: days, group: group, body)
        }
    }

    /// The areas at `level` inside `scope` that have rollup rows for `metric` (any period), in code order.
    static func rollupChildren(_ db: Database, metric: String, scope: NodeCode, level: NodeCode.Level) throws -> [NodeCode] {
        let range = SubtreeRange(scope)
        let next = try db.cachedStatement(
            sql: """
                SELECT area FROM report_rollup
                WHERE metric = ? AND grain = 'm' AND level = ? AND area > ? AND area < ?
                ORDER BY area LIMIT 1
                """)
        var children: [NodeCode] = []
        var after = range.lower
        while let area = try String.fetchOne(next, arguments: [metric, level.rawValue, after, range.upper]) {
            if let code = try? NodeCode(area), code != scope { children.append(code) }
            // Every row of this area sorts before `area + ":"`: jump past them.
            after = area + ":"
        }
        return children
    }

    /// Calls `body(key, dims, value)` for one area's rollup rows: the monthly rows for the whole
    /// months of `days` and the daily rows for the days at either end (key ""), or with `byPeriod`
    /// the daily rows only (key: the day). Rows are not grouped: callers add them up.
    static func rollupSums(
        _ db: Database, metric: String, area: NodeCode, days: ClosedRange<CalendarDay>, byPeriod: Bool,
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        let level = area.level.rawValue
        if byPeriod {
            // Days come from the daily rows only.
            try run(
                db,
                sql: """
                    SELECT period, dims, value FROM report_rollup
                    WHERE metric = ? AND grain = 'd' AND level = ? AND area = ? AND period >= ? AND period <= ?
                    """,
                arguments: [metric, level, area.rawValue, days.lowerBound.description, days.upperBound.description], body)
            return
        }
        let ranges = PeriodSplit(days).rollupRanges(years: area.level < .street)
        for range in ranges {
            try run(
                db,
                sql: """
                    SELECT '', dims, value FROM report_rollup
                    WHERE metric = ? AND grain = ? AND level = ? AND area = ? AND period >= ? AND period <= ?
                    """,
                arguments: [metric, range.grain, level, area.rawValue, range.lower, range.upper], body)
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
