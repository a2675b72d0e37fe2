/// The named periods of a report: a day, the calendar month or the calendar quarter containing a day.
///
///     ReportPeriod.quarter.days(containing: CalendarDay("2026-02-14")!)   // 2026-01-01...2026-03-31
public enum ReportPeriod: String, CaseIterable, Sendable {
    case day, month, quarter

    /// The inclusive range of days of this period that contains `day`.
    public func days(containing day: CalendarDay) -> ClosedRange<CalendarDay> {
        switch self {
        case .day:
            return day...day
        case .month:
            let first = CalendarDay(year: day.year, month: day.month, day: 1)!
            let last = CalendarDay(
                year: day.year, month: day.month, day: CalendarDay.daysInMonth(year: day.year, month: day.month))!
            return first...last
        case .quarter:
            let firstMonth = (day.month - 1) / 3 * 3 + 1
            let first = CalendarDay(year: day.year, month: firstMonth, day: 1)!
            let lastMonth = firstMonth + 2
            let last = CalendarDay(
                year: day.year, month: lastMonth, day: CalendarDay.daysInMonth(year: day.year, month: lastMonth))!
            return first...last
        }
    }
}

extension CalendarDay {
    /// `YYYY-MM`, the month key of the monthly rollup.
    public var monthKey: String { Self.pad(year, 4) + "-" + Self.pad(month, 2) }

    /// The first day of this day's month.
    public var firstOfMonth: CalendarDay { CalendarDay(year: year, month: month, day: 1)! }

    /// The last day of this day's month.
    public var lastOfMonth: CalendarDay {
        CalendarDay(year: year, month: month, day: CalendarDay.daysInMonth(year: year, month: month))!
    }
}

/// A range of days cut into whole calendar months and the loose days at either end, so that a
/// monthly rollup answers the months and a daily one the rest.
struct PeriodSplit: Equatable {
    /// `YYYY-MM` of every month wholly inside the range, ascending.
    var months: [String] = []
    /// Inclusive ranges of days not covered by `months` (at most two).
    var loose: [ClosedRange<CalendarDay>] = []

    init(_ days: ClosedRange<CalendarDay>) {
        var cursor = days.lowerBound
        var looseStart: CalendarDay?
        while cursor <= days.upperBound {
            if cursor.day == 1, cursor.lastOfMonth <= days.upperBound {
                if let start = looseStart {
                    loose.append(start...cursor.adding(days: -1))
                    looseStart = nil
                }
                months.append(cursor.monthKey)
                cursor = cursor.lastOfMonth.adding(days: 1)
            } else {
                if looseStart == nil { looseStart = cursor }
                cursor = cursor.adding(days: 1)
            }
        }
        if let start = looseStart { loose.append(start...days.upperBound) }
    }

    /// The rollup rows that cover the range, as key ranges `(grain, lower, upper)`: whole years
    /// (`y`, `YYYY`) for runs of January…December, whole months (`m`) for the other months, days
    /// (`d`) for the rest. With `years: false`, no year rows (levels that keep none).
    func rollupRanges(years: Bool) -> [(grain: String, lower: String, upper: String)] {
        var result: [(grain: String, lower: String, upper: String)] = []
        var yearRun: (String, String)?
        var monthRun: (String, String)?
        func flushMonths() {
            if let run = monthRun { result.append(("m", run.0, run.1)) }
            monthRun = nil
        }
        var index = 0
        while index < months.count {
            let month = months[index]
            let year = String(month.prefix(4))
            if years, month.hasSuffix("-01"), index + 11 < months.count, months[index + 11] == "\(year)-12" {
                flushMonths()
                yearRun = yearRun.map { ($0.0, year) } ?? (year, year)
                index += 12
                continue
            }
            if let run = yearRun { result.append(("y", run.0, run.1)) }
            yearRun = nil
            // Months are consecutive inside the range, so a run is one key range.
            monthRun = monthRun.map { ($0.0, month) } ?? (month, month)
            index += 1
        }
        if let run = yearRun { result.append(("y", run.0, run.1)) }
        flushMonths()
        for range in loose { result.append(("d", range.lowerBound.description, range.upperBound.description)) }
        return result
    }
}
