import Foundation
public import GRDB
public import Replication

/// The roster section of a report: the active elders (状态 在册) of a scope by subsidy category, age
/// band, disability and living situation, their monthly subsidy outlay and monthly service
/// entitlement, read from the replicated `elders` table (empty when the node has no roster).
///
/// Ages are whole years on the last day of the period; an elder in several categories counts once in
/// `active` and once in each of its categories.
///
///     let roster = try RosterSummary.compute(db, scope: district, asOf: CalendarDay("2026-01-31")!)
///     roster.byAgeBand["80-89"]
public struct RosterSummary: Equatable, Sendable {
    /// The age bands of DESIGN.md, in order, plus `under_60` and `unknown` (no or malformed birth date).
    public static let ageBands = ["60-69", "70-79", "80-89", "90-99", "100+"]
    /// The largest `monthly_subsidy` summed, in yuan: what the HTTP API accepts (`ElderInput`).
    public static let maxMonthlySubsidy: Int64 = 100_000
    /// The largest `monthly_hours` summed: what the HTTP API accepts (`ElderInput`), 31 × 24.
    public static let maxMonthlyHours: Int64 = 744

    /// Active elders.
    public var active: Int64 = 0
    public var byCategory: [String: Int64] = [:]
    public var byAgeBand: [String: Int64] = [:]
    public var byDisability: [String: Int64] = [:]
    public var byLiving: [String: Int64] = [:]
    /// Σ monthly_subsidy of the active elders, in yuan per month (月补贴支出); an amount outside
    /// 0…`maxMonthlySubsidy` (a replicated row the API would refuse) is left out.
    public var monthlySubsidyYuan: Int64 = 0
    /// Σ monthly_hours of the active elders: hours of service they are entitled to per month; an
    /// amount outside 0…`maxMonthlyHours` is left out.
    public var monthlyEntitledHours: Int64 = 0

    public static let empty = RosterSummary()
    public init() {}

    /// Adds one group of `computeGrouped`'s query. Every count is a COUNT of rows and every amount a
    /// SUM of amounts within their bounds (at most 100,000 per elder), so no sum here can overflow
    /// short of 9 × 10¹³ elders; they are checked all the same.
    mutating func add(_ row: Row) throws(ReportError) {
        let count: Int64 = row[5]
        try active.addChecked(count, "the active elders")
        let categories = (row[1] as String?) ?? ""
        for category in Set(categories.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        where !category.isEmpty {
            try byCategory[category, default: 0].addChecked(count, "the elders of category \(category)")
        }
        try byLiving[(row[2] as String?).flatMap { $0.isEmpty ? nil : $0 } ?? "unknown", default: 0]
            .addChecked(count, "the elders by living situation")
        try byDisability[(row[3] as String?).flatMap { $0.isEmpty ? nil : $0 } ?? "unknown", default: 0]
            .addChecked(count, "the elders by disability")
        try byAgeBand[row[4] as String, default: 0].addChecked(count, "the elders by age band")
        try monthlySubsidyYuan.addChecked(row[6] as Int64, "the monthly subsidy")
        try monthlyEntitledHours.addChecked(row[7] as Int64, "the monthly entitled hours")
    }

    /// The roster of `scope` as of `asOf` (for ages).
    public static func compute(_ db: Database, scope: NodeCode, asOf: CalendarDay) throws -> RosterSummary {
        try computeGrouped(db, scope: scope, asOf: asOf, groupDigits: nil)[""] ?? .empty
    }

    /// The roster of each child of `scope` (children without active elders are absent).
    public static func computeByChild(_ db: Database, scope: NodeCode, asOf: CalendarDay) throws
        -> [NodeCode: RosterSummary]
    {
        guard let childLevel = scope.childLevel else { return [:] }
        var result: [NodeCode: RosterSummary] = [:]
        for (digits, summary) in try computeGrouped(
            db, scope: scope, asOf: asOf, groupDigits: childLevel.significantDigits)
        {
            if let child = NodeCode.ancestor(
                ofDigits: digits.padding(toLength: 12, withPad: "0", startingAt: 0), at: childLevel)
            {
                result[child] = summary
            }
        }
        return result
    }

    /// SQL for the age band of `birth_date` on day `?1` (`YYYY-MM-DD`). A birth date may also be a month
    /// (`YYYY-MM`: what nodes above the privacy level hold, docs/PRIVACY.md); an elder born in the current
    /// month then counts as having had the birthday.
    static let bandSQL = """
        CASE WHEN birth_date IS NULL OR length(birth_date) NOT IN (7, 10) THEN 'unknown'
        ELSE (SELECT CASE WHEN a < 60 THEN 'under_60' WHEN a < 70 THEN '60-69' WHEN a < 80 THEN '70-79'
                          WHEN a < 90 THEN '80-89' WHEN a < 100 THEN '90-99' ELSE '100+' END
              FROM (SELECT CAST(substr(?1, 1, 4) AS INTEGER) - CAST(substr(birth_date, 1, 4) AS INTEGER)
                           - (substr(birth_date, 6) > substr(?1, 6, length(birth_date) - 5)) AS a))
        END
        """

    static func computeGrouped(_ db: Database, scope: NodeCode, asOf: CalendarDay, groupDigits: Int?) throws
        -> [String: RosterSummary]
    {
        guard try db.tableExists("elders") else { return [:] }
        let range = SubtreeRange(scope)
        let group = groupDigits.map { "substr(community, 1, \($0))" } ?? "''"
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT \(group), categories, living, disability, \(bandSQL), COUNT(*),
                       \(boundedSum("monthly_subsidy", max: maxMonthlySubsidy)),
                       \(boundedSum("monthly_hours", max: maxMonthlyHours))
                FROM elders
                WHERE community >= ?2 AND community < ?3 AND COALESCE(status, 'active') = 'active'
                GROUP BY 1, 2, 3, 4, 5
                """,
            arguments: [asOf.description, range.lower, range.upper])
        var result: [String: RosterSummary] = [:]
        while let row = try rows.next() {
            try result[row[0] as String, default: RosterSummary()].add(row)
        }
        return result
    }

    /// SQL summing the integers of `column` in 0…`max` and nothing else: a replicated row may hold
    /// any value of the column's type (or of another: SQLite keeps what it is given), and SQLite's
    /// `SUM` fails with "integer overflow" on two values of 2^62; bounded, it cannot.
    static func boundedSum(_ column: String, max: Int64) -> String {
        "SUM(CASE WHEN typeof(\(column)) = 'integer' AND \(column) BETWEEN 0 AND \(max) THEN \(column) ELSE 0 END)"
    }
}

/// Entitlement use (服务时长使用率): hours delivered ÷ hours entitled over a range of days, the
/// entitlement prorated by the share of each month the range covers.
///
///     EntitlementUse.entitledMinutes(monthlyHours: 30, days: january)   // 1800
public enum EntitlementUse {
    /// Minutes of entitlement in `days` for `monthlyHours` hours a month, rounded to the minute
    /// (saturating at Int64's ends, which a roster summed within its bounds never reaches).
    public static func entitledMinutes(monthlyHours: Int64, days: ClosedRange<CalendarDay>) -> Int64 {
        var months = 0.0
        var cursor = days.lowerBound
        while cursor <= days.upperBound {
            let end = min(cursor.lastOfMonth, days.upperBound)
            let covered = end.daysSinceEpoch - cursor.daysSinceEpoch + 1
            months += Double(covered) / Double(CalendarDay.daysInMonth(year: cursor.year, month: cursor.month))
            cursor = end.adding(days: 1)
        }
        let minutes = (Double(monthlyHours) * 60 * months).rounded()
        return Int64(exactly: minutes) ?? (minutes < 0 ? .min : .max)
    }

    /// Delivered minutes ÷ entitled minutes.
    public static func ratio(deliveredMinutes: Int64, monthlyHours: Int64, days: ClosedRange<CalendarDay>) -> Ratio {
        Ratio(numerator: deliveredMinutes, denominator: entitledMinutes(monthlyHours: monthlyHours, days: days))
    }
}
