public import GRDB
public import Replication

/// Sums of one metric's statistics cells over a scope and a range of days, grouped by dimension
/// string — from the derived rollup (`ReportRollup`) when it is installed and the scope is above the
/// community level, otherwise straight from `crdt_stats`. Both give the same sums.
///
/// No stored value can make it trap (docs/REPLICATION.md, "Arithmetic"): a cell outside
/// 0…`StatisticGrammar.maxValue` is left out (the rollup's fold skips it too), as is a pending change
/// the fold would skip (`ReportRollup.foldableChange`); every sum is checked and a sum that leaves
/// Int64 — which cells within the bound cannot make, short of 9.2 × 10⁹ of them — throws
/// `ReportError(.overflow)`.
///
///     let sums = try CellSource.sums(db, metric: "visits", scope: street, days: january)
///     sums["category=daily_care;item=daily_care.bathing;provider=P-7"]   // completed visits
public enum CellSource {
    /// What to sum: the cells of `metric` with their whole dimension string, or with only the
    /// `key=value` pair of one dimension (`projection`; "" for a cell without it), which the rollup
    /// keeps as rows of their own (`ReportRollup.projections`) — far fewer rows when only that
    /// dimension matters.
    ///
    ///     CellSource.sums(db, Selection("calls", projection: "effective"), …)  // ["effective=1": 40, "effective=0": 60]
    public struct Selection: Sendable {
        public var metric: String
        public var projection: String?

        public init(_ metric: String, projection: String? = nil) {
            precondition(
                projection.map { key in ReportRollup.projections.contains { $0.metric == metric && $0.key == key } }
                    ?? true,
                "no rollup projection of \(metric) on \(projection ?? "")")
            self.metric = metric
            self.projection = projection
        }

        /// The rollup's metric for these rows.
        var rollupMetric: String { projection.map { "\(metric)#\($0)" } ?? metric }

        /// SQL for the dimension string of a cell or pending change whose dimension string is `column`
        /// (`withoutItem`: drop the `item` dimension as the rollup does).
        func dims(_ column: String, withoutItem: Bool) -> String {
            if let projection { return ReportRollup.pair(column, key: "'\(projection)'") }
            return withoutItem ? ReportRollup.withoutItem(column) : column
        }
    }

    /// Σ value per dimension string. The rollup leaves out the `item` dimension of visit cells; pass
    /// `exact: true` to read the cells themselves and keep every dimension.
    public static func sums(
        _ db: Database, metric: String, projection: String? = nil, scope: NodeCode, days: ClosedRange<CalendarDay>,
        exact: Bool = false
    ) throws -> [String: Int64] {
        let selection = Selection(metric, projection: projection)
        var result: [String: Int64] = [:]
        if exact {
            try rawSums(db, selection, scope: scope, days: days, group: nil) { _, dims, value in
                try result[dims, default: 0].addChecked(value, "the sum of \(metric) \(dims) in \(scope)")
            }
            return result.filter { $0.value != 0 }
        }
        try each(db, selection, scope: scope, days: days, group: nil) { _, dims, value in
            try result[dims, default: 0].addChecked(value, "the sum of \(metric) \(dims) in \(scope)")
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
    static func childCollector(_ level: NodeCode.Level) -> (inout [NodeCode: [String: Int64]], String, String, Int64)
        throws(ReportError) -> Void
    {
        var lastKey = ""
        var lastChild: NodeCode?
        return { result, key, dims, value in
            if key != lastKey {
                lastKey = key
                lastChild = NodeCode.ancestor(ofDigits: key, at: level)
            }
            guard let child = lastChild else { return }
            try result[child, default: [:]][dims, default: 0].addChecked(value, "the sum of \(dims) in \(child)")
        }
    }

    /// Σ value per child of `scope` (its code at the level below) and dimension string. A community
    /// scope has no children and answers [:].
    public static func sumsByChild(
        _ db: Database, metric: String, projection: String? = nil, scope: NodeCode, days: ClosedRange<CalendarDay>
    ) throws -> [NodeCode: [String: Int64]] {
        guard let childLevel = scope.childLevel else { return [:] }
        var result: [NodeCode: [String: Int64]] = [:]
        let collect = childCollector(childLevel)
        try each(db, Selection(metric, projection: projection), scope: scope, days: days, group: .child(childLevel)) {
            key, dims, value in
            try collect(&result, key, dims, value)
        }
        return nonZero(result)
    }

    /// Σ value per day (`YYYY-MM-DD`) and dimension string.
    public static func sumsByDay(
        _ db: Database, metric: String, projection: String? = nil, scope: NodeCode, days: ClosedRange<CalendarDay>
    ) throws -> [String: [String: Int64]] {
        var result: [String: [String: Int64]] = [:]
        try each(db, Selection(metric, projection: projection), scope: scope, days: days, group: .day) {
            day, dims, value in
            try result[day, default: [:]][dims, default: 0].addChecked(value, "the sum of \(metric) \(dims) on \(day)")
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
        try rawSums(db, Selection(metric), scope: scope, days: days, group: .child(childLevel)) { key, dims, value in
            try collect(&result, key, dims, value)
        }
        return nonZero(result)
    }

    /// Calls `body(groupKey, dims, sum)` for every group; the key is "" without grouping, a code (or
    /// its digits) when grouping by child, a day when grouping by day.
    static func each(
        _ db: Database, _ selection: Selection, scope: NodeCode, days: ClosedRange<CalendarDay>, group: Grouping?,
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        // The rollup holds the levels from `top` down to the street.
        let top = try ReportRollup.topLevel(db)
        let inRollup = { (level: NodeCode.Level) in top.map { level >= $0 && level < .community } ?? false }
        switch group {
        case nil where inRollup(scope.level):
            try rollupSums(db, selection, area: scope, days: days, byPeriod: false, body)
        case .day? where inRollup(scope.level):
            try rollupSums(db, selection, area: scope, days: days, byPeriod: true, body)
        case .child(let level)? where inRollup(level) && scope.level >= top!:
            // One area at a time: each child's rows are one range of the key. The children are found
            // by seeking the next area of their level inside the scope, so none is missed and no
            // other level's rows are walked.
            for child in try rollupChildren(db, selection, scope: scope, level: level) {
                try rollupSums(db, selection, area: child, days: days, byPeriod: false) { _, dims, value in
                    try body(child.rawValue, dims, value)
                }
            }
        default:
            try rawSums(db, selection, scope: scope, days: days, group: group, body)
        }
    }

    /// The areas at `level` inside `scope` that have rollup rows for `metric` (any period), in code order.
    static func rollupChildren(_ db: Database, _ selection: Selection, scope: NodeCode, level: NodeCode.Level) throws
        -> [NodeCode]
    {
        let range = SubtreeRange(scope)
        let next = try db.cachedStatement(
            sql: """
                SELECT area FROM report_rollup
                WHERE metric = ? AND grain = 'm' AND level = ? AND area > ? AND area < ?
                ORDER BY area LIMIT 1
                """)
        var children: [NodeCode] = []
        var after = range.lower
        while let area = try String.fetchOne(
            next, arguments: [selection.rollupMetric, level.rawValue, after, range.upper])
        {
            if let code = try? NodeCode(area), code != scope { children.append(code) }
            // Every row of this area sorts before `area + ":"`: jump past them.
            after = area + ":"
        }
        // A child whose first cells are still pending has no rollup row yet.
        let pending = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT substr(community, 1, ?) FROM report_rollup_pending
                    WHERE metric = ? AND community >= ? AND community < ? AND \(ReportRollup.foldableChange)
                    """),
            arguments: [level.significantDigits, selection.metric, range.lower, range.upper])
        guard !pending.isEmpty else { return children }
        var known = Set(children)
        for digits in pending {
            if let code = NodeCode.ancestor(ofDigits: digits, at: level), code != scope, known.insert(code).inserted {
                children.append(code)
            }
        }
        return children.sorted { $0.rawValue < $1.rawValue }
    }

    /// Calls `body(key, dims, value)` for one area's rollup rows: the monthly rows for the whole
    /// months of `days` and the daily rows for the days at either end (key ""), or with `byPeriod`
    /// the daily rows only (key: the day); then for the changes of its cells not yet folded into the
    /// rollup (`ReportRollup.fold`), which are few. Rows are not grouped: callers add them up.
    static func rollupSums(
        _ db: Database, _ selection: Selection, area: NodeCode, days: ClosedRange<CalendarDay>, byPeriod: Bool,
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
                arguments: [
                    selection.rollupMetric, level, area.rawValue, days.lowerBound.description,
                    days.upperBound.description,
                ], body)
            try pendingSums(db, selection, area: area, days: days, byPeriod: true, body)
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
                arguments: [selection.rollupMetric, range.grain, level, area.rawValue, range.lower, range.upper], body)
        }
        try pendingSums(db, selection, area: area, days: days, byPeriod: false, body)
    }

    /// Calls `body(key, dims, value)` for each pending change of a cell of `area`'s subtree on a day of
    /// `days` (key "" or, with `byPeriod`, the day), the `item` dimension dropped as in the rollup.
    static func pendingSums(
        _ db: Database, _ selection: Selection, area: NodeCode, days: ClosedRange<CalendarDay>, byPeriod: Bool,
        _ body: (String, String, Int64) throws -> Void
    ) throws {
        let range = SubtreeRange(area)
        try run(
            db,
            sql: """
                SELECT \(byPeriod ? "period" : "''"), \(selection.dims("dims", withoutItem: true)), value
                FROM report_rollup_pending
                WHERE metric = ? AND community >= ? AND community < ? AND period >= ? AND period <= ?
                  AND \(ReportRollup.foldableChange)
                """,
            arguments: [
                selection.metric, range.lower, range.upper, days.lowerBound.description, days.upperBound.description,
            ], body)
    }

    /// Calls `body(key, dims, Σ value)` per group of the cells themselves, leaving out the cells
    /// outside 0…`StatisticGrammar.maxValue` (which the merge refuses and the store's quarantine
    /// removes): SQLite's `SUM` of cells within the bound cannot overflow, short of 9.2 × 10⁹ cells.
    static func rawSums(
        _ db: Database, _ selection: Selection, scope: NodeCode, days: ClosedRange<CalendarDay>, group: Grouping?,
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
                SELECT \(groupColumn), \(selection.dims("dims", withoutItem: false)), SUM(value) FROM crdt_stats
                WHERE metric = ? AND period >= ? AND period <= ? AND community >= ? AND community < ?
                  AND \(ReportRollup.countedCell)
                GROUP BY 1, 2
                """,
            arguments: [
                selection.metric, days.lowerBound.description, days.upperBound.description, range.lower, range.upper,
            ],
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
