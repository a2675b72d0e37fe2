public import GRDB
public import Replication

/// A per-day series of one figure over a range of days, for trend charts: every day of the range
/// appears, days without data with zeros.
///
///     let series = try DailySeries.compute(db, metric: .effectiveRatio, scope: city, days: january)
///     series.points.first?.ratio?.value
public struct DailySeries: Equatable, Sendable {
    public enum Metric: String, CaseIterable, Sendable {
        /// Calls per day (value = total).
        case calls
        /// Effective service ratio per day (ratio = effective ÷ total).
        case effectiveRatio = "effective_ratio"
        /// Satisfaction rate per day (ratio = satisfied ÷ rated).
        case satisfaction
        /// Completed visits per day (value = visits; minutes beside it).
        case services
    }

    public struct Point: Equatable, Sendable {
        public var day: CalendarDay
        /// The count of the day (calls, callbacks rated or visits).
        public var value: Int64
        /// The day's ratio, for `effective_ratio` and `satisfaction`.
        public var ratio: Ratio?
        /// Minutes of visits, for `services`.
        public var minutes: Int64?
    }

    public var metric: Metric
    public var points: [Point]

    /// Longest series answered, in days.
    public static let maxDays = 1_100

    public static func compute(_ db: Database, metric: Metric, scope: NodeCode, days: ClosedRange<CalendarDay>)
        throws -> DailySeries
    {
        var points: [Point] = []
        switch metric {
        case .calls, .effectiveRatio:
            // Totals only: the `effective` projection, two rows per day.
            let byDay = try CellSource.sumsByDay(
                db, metric: CallStatistics.metric, projection: CallStatistics.Dimension.effective, scope: scope,
                days: days)
            points = try each(days) { day in
                let calls = try CallSummary(sums: byDay[day.description] ?? [:])
                return Point(
                    day: day, value: calls.total, ratio: metric == .effectiveRatio ? calls.effectiveRatio : nil)
            }
        case .satisfaction:
            // Rated and satisfied only: the `score` projection.
            let byDay = try CellSource.sumsByDay(
                db, metric: SatisfactionStatistics.metric, projection: SatisfactionStatistics.Dimension.score,
                scope: scope,
                days: days)
            points = try each(days) { day in
                let tally = try SatisfactionSummary(byDay[day.description] ?? [:]).total
                return Point(day: day, value: tally.rated, ratio: tally.rate)
            }
        case .services:
            let visits = try CellSource.sumsByDay(db, metric: ServiceStatistics.visitsMetric, scope: scope, days: days)
            let minutes = try CellSource.sumsByDay(
                db, metric: ServiceStatistics.minutesMetric, scope: scope, days: days)
            points = try each(days) { day in
                Point(
                    day: day, value: try total(visits[day.description], "the visits of \(day)"),
                    minutes: try total(minutes[day.description], "the visit minutes of \(day)"))
            }
        }
        return DailySeries(metric: metric, points: points)
    }

    /// A point per day of `days` (dates, so every day number between them is a date).
    static func each(_ days: ClosedRange<CalendarDay>, _ point: (CalendarDay) throws -> Point) rethrows -> [Point] {
        var points: [Point] = []
        for number in days.lowerBound.daysSinceEpoch...days.upperBound.daysSinceEpoch {
            try points.append(point(CalendarDay(daysSinceEpoch: number)))
        }
        return points
    }

    /// Σ of one day's sums, checked.
    static func total(_ sums: [String: Int64]?, _ figure: @autoclosure () -> String) throws(ReportError) -> Int64 {
        var total: Int64 = 0
        for value in (sums ?? [:]).values { try total.addChecked(value, figure()) }
        return total
    }
}
