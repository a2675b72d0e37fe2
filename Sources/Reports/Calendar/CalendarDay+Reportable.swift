public import Replication

extension CalendarDay {
    /// The days a report may ask about: the days a statistics cell's period may name,
    /// `StatisticGrammar.firstDay…StatisticGrammar.lastDay` (1970-01-01…9998-12-31). Every date of a
    /// report query is checked against it before any day arithmetic, which then stays in years 1…9999
    /// (a year before it, a day after it) and cannot trap (docs/API.md, "Reports").
    ///
    ///     CalendarDay.reportable.contains(CalendarDay("9999-12-31")!)   // false: HTTP 400
    public static let reportable: ClosedRange<CalendarDay> = {
        guard let first = CalendarDay(StatisticGrammar.firstDay), let last = CalendarDay(StatisticGrammar.lastDay)
        else {
            preconditionFailure("StatisticGrammar's first and last days are dates")
        }
        return first...last
    }()
}
