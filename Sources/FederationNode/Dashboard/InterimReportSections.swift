import GRDB
import Replication
import Reports

/// THE ADAPTER: the dashboard's figures that `SummaryReport` does not compute yet (services,
/// satisfaction, roster, reporting, per-day series), read straight from the statistics cells — with the
/// metric names of `ServiceStatistics`, `SatisfactionStatistics` and `CallStatistics` — and from the
/// `elders` table. Everything else on the dashboard comes from `SummaryReport.compute`.
///
/// When the reports library has these sections (branch `reports`), replace each function here with
/// the library's and delete this file; `DashboardModel.build` is the only caller.
///
/// Ratios are Σnumerator ÷ Σdenominator over the cells, never averages of ratios.
enum InterimReportSections {
    /// Completed visits and their minutes, in total and by category.
    struct Services: Sendable {
        var completed: Int64 = 0
        var minutes: Int64 = 0
        var byCategory: [String: (visits: Int64, minutes: Int64)] = [:]
    }

    /// Callbacks rated and those satisfied or basically satisfied.
    struct Satisfaction: Sendable, Equatable {
        var rated: Int64 = 0
        var satisfied: Int64 = 0
        var ratio: Ratio { Ratio(numerator: satisfied, denominator: rated) }
    }

    /// Active elders and their composition.
    struct Roster: Sendable, Equatable {
        var active: Int64 = 0
        var byCategory: [String: Int64] = [:]
        var byAgeBand: [String: Int64] = [:]
    }

    /// The per-day figures of a range.
    struct Day: Sendable, Equatable {
        var calls: Int64 = 0
        var effective: Int64 = 0
        var rated: Int64 = 0
        var satisfied: Int64 = 0
        var visits: Int64 = 0
    }

    /// The age bands of the roster report (ages on `today`, China Standard Time).
    static let ageBands = ["60–69", "70–79", "80–89", "90–99", "100+"]

    /// Per area one level below the scope: its calls, visits and callbacks in the range.
    struct ChildFigures: Sendable, Equatable {
        var calls: Int64 = 0
        var effective: Int64 = 0
        var visits: Int64 = 0
        var rated: Int64 = 0
        var satisfied: Int64 = 0
    }

    /// Everything the dashboard needs from the cells of a range, in one pass.
    struct Cells: Sendable {
        var services = Services()
        var satisfaction = Satisfaction()
        /// Every day of the range, in order.
        var byDay: [(CalendarDay, Day)] = []
        /// Keyed by the child's significant digits (its code prefix); only children with cells in the range.
        var byChild: [String: ChildFigures] = [:]
    }

    /// One range scan of the `calls`, `visits`, `visit_minutes` and `callbacks` cells about `scope`'s
    /// subtree in `days`, grouped by child, day, metric and dimensions.
    ///
    /// - Complexity: one scan of the `crdt_stats_report(metric, period, community)` index over the range.
    static func cells(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws -> Cells {
        let range = SubtreeRange(scope)
        let childDigits = NodeCode.Level(rawValue: scope.level.rawValue + 1)?.significantDigits ?? 12
        let metrics = [
            CallStatistics.metric, ServiceStatistics.visitsMetric, ServiceStatistics.minutesMetric, SatisfactionStatistics.metric,
        ]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT substr(community, 1, ?), period, metric, dims, SUM(value) FROM crdt_stats
                WHERE metric IN (?, ?, ?, ?) AND period >= ? AND period <= ? AND community >= ? AND community < ?
                GROUP BY 1, 2, 3, 4
                """,
            arguments: [childDigits] + StatementArguments(metrics)
                + [days.lowerBound.description, days.upperBound.description, range.lower, range.upper])
        var result = Cells()
        var byDay: [String: Day] = [:]
        while let row = try rows.next() {
            let child: String = row[0]
            let period: String = row[1]
            let metric: String = row[2]
            let dims: String = row[3]
            let value: Int64 = row[4]
            var day = byDay[period] ?? Day()
            var figures = result.byChild[child] ?? ChildFigures()
            let pairs = StatDimensions.parse(dims)
            switch metric {
            case CallStatistics.metric:
                day.calls += value
                figures.calls += value
                if pairs[CallStatistics.Dimension.effective] == "1" {
                    day.effective += value
                    figures.effective += value
                }
            case SatisfactionStatistics.metric:
                let satisfied = isSatisfied(pairs) ? value : 0
                day.rated += value
                day.satisfied += satisfied
                figures.rated += value
                figures.satisfied += satisfied
                result.satisfaction.rated += value
                result.satisfaction.satisfied += satisfied
            case ServiceStatistics.visitsMetric:
                day.visits += value
                figures.visits += value
                result.services.completed += value
                result.services.byCategory[pairs[ServiceStatistics.Dimension.category] ?? "", default: (0, 0)].visits += value
            default:
                result.services.minutes += value
                result.services.byCategory[pairs[ServiceStatistics.Dimension.category] ?? "", default: (0, 0)].minutes += value
            }
            byDay[period] = day
            result.byChild[child] = figures
        }
        var day = days.lowerBound
        while day <= days.upperBound {
            result.byDay.append((day, byDay[day.description] ?? Day()))
            day = day.adding(days: 1)
        }
        return result
    }

    /// Active elders (`status` active) whose community is in the scope, by subsidy category and age band.
    static func roster(_ db: Database, scope: NodeCode, today: CalendarDay) throws -> Roster {
        guard try db.tableExists("elders") else { return Roster() }
        let range = SubtreeRange(scope)
        var roster = Roster()
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT categories, birth_date FROM elders WHERE status = 'active' AND community >= ? AND community < ?",
            arguments: [range.lower, range.upper])
        while let row = try rows.next() {
            roster.active += 1
            let categories: String? = row[0]
            for category in (categories ?? "").split(separator: ",") {
                roster.byCategory[String(category), default: 0] += 1
            }
            if let text: String = row[1], let birth = CalendarDay(text.prefix(10)) {
                var age = today.year - birth.year
                if (today.month, today.day) < (birth.month, birth.day) { age -= 1 }
                if age >= 60 { roster.byAgeBand[ageBands[min((age - 60) / 10, 4)], default: 0] += 1 }
            }
        }
        return roster
    }

    /// Active elders per area one level below `scope`, keyed by the child's code prefix.
    static func activeByChild(_ db: Database, scope: NodeCode) throws -> [String: Int64] {
        guard try db.tableExists("elders"), let childLevel = NodeCode.Level(rawValue: scope.level.rawValue + 1) else { return [:] }
        let range = SubtreeRange(scope)
        var result: [String: Int64] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT substr(community, 1, ?), COUNT(*) FROM elders
                WHERE status = 'active' AND community >= ? AND community < ? GROUP BY 1
                """,
            arguments: [childLevel.significantDigits, range.lower, range.upper])
        {
            result[row[0]] = row[1]
        }
        return result
    }

    /// The areas one level below `scope` that appear in its statistics cells (any period) or its roster.
    static func children(_ db: Database, scope: NodeCode) throws -> [NodeCode] {
        guard let childLevel = NodeCode.Level(rawValue: scope.level.rawValue + 1) else { return [] }
        let digits = childLevel.significantDigits
        let range = SubtreeRange(scope)
        var known = Set(
            try String.fetchAll(
                db, sql: "SELECT DISTINCT substr(community, 1, ?) FROM crdt_stats WHERE community >= ? AND community < ?",
                arguments: [digits, range.lower, range.upper]))
        if try db.tableExists("elders") {
            known.formUnion(
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT substr(community, 1, ?) FROM elders WHERE community >= ? AND community < ?",
                    arguments: [digits, range.lower, range.upper]))
        }
        return known.sorted().compactMap { prefix in
            guard let code = try? NodeCode(prefix + String(repeating: "0", count: 12 - prefix.count)), code.level == childLevel
            else { return nil }
            return code
        }
    }

    // MARK: - Cells

    private static func isSatisfied(_ pairs: [String: String]) -> Bool {
        let score = pairs[SatisfactionStatistics.Dimension.score]
        return score == "satisfied" || score == "basically_satisfied"
    }
}
