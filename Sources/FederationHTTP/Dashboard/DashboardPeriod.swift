import Reports

/// The dashboard's period selector: today, this month, the last 30 days or this quarter, each a range
/// of days in China Standard Time ending today.
///
///     DashboardPeriod.month.days(today: CalendarDay("2026-02-10")!)   // 2026-02-01...2026-02-10
enum DashboardPeriod: String, CaseIterable, Sendable {
    case today
    case month
    case last30 = "30d"
    case quarter

    /// The days of the period, ending `today`.
    func days(today: CalendarDay) -> ClosedRange<CalendarDay> {
        switch self {
        case .today:
            return today...today
        case .month:
            return CalendarDay(year: today.year, month: today.month, day: 1)!...today
        case .last30:
            return today.adding(days: -29)...today
        case .quarter:
            let first = (today.month - 1) / 3 * 3 + 1
            return CalendarDay(year: today.year, month: first, day: 1)!...today
        }
    }
}

/// The dashboard's language: Chinese by default, English with `?lang=en`.
enum DashboardLanguage: String, Sendable {
    case zh
    case en
}
