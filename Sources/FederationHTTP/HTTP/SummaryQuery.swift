import Foundation
import Hummingbird
import Replication
import Reports

/// The parameters of `GET /api/v1/reports/…`, checked: either `from` and `to` (`YYYY-MM-DD`, default
/// today in China Standard Time) or `period=day|month|quarter` with `date` (default today: the day,
/// month or quarter containing it), and `scope` (default the node itself; must lie in its subtree).
///
/// Every date, given or defaulted, must lie in `CalendarDay.reportable` (1970-01-01…9998-12-31, the
/// days a statistics cell may name): it is checked before any day arithmetic, so a query can never
/// reach a date the calendar cannot hold (a `9999-12-31` used to trap the node). Text is echoed in
/// messages cut to a few dozen characters.
struct SummaryQuery: Sendable, Equatable {
    let scope: NodeCode
    let days: ClosedRange<CalendarDay>

    /// - Parameter parameter: the decoded value of a query parameter, nil if absent.
    init(_ parameter: (String) -> Substring?, node: NodeCode, now: Date) throws(APIError) {
        let today = CalendarDay.today(unixSeconds: Int64(now.timeIntervalSince1970.rounded(.down)))
        func day(_ name: String) throws(APIError) -> CalendarDay {
            guard let text = parameter(name) else {
                try Self.checkRange(today, name)
                return today
            }
            guard let day = CalendarDay(text) else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "\(name): \"\(text.prefix(40))\" is not a date YYYY-MM-DD (China Standard Time), e.g. 2026-01-31 "
                        + "(日期格式应为 YYYY-MM-DD)")
            }
            try Self.checkRange(day, name)
            return day
        }
        var from = try day("from")
        var to = try day("to")
        if let periodText = parameter("period") {
            guard let period = ReportPeriod(rawValue: String(periodText)) else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "period: \"\(periodText.prefix(20))\" is not day, month or quarter (统计周期应为 day、month 或 quarter)")
            }
            guard parameter("from") == nil, parameter("to") == nil else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "give either period (with date) or from and to, not both")
            }
            let range = period.days(containing: try day("date"))
            from = range.lowerBound
            to = range.upperBound
        } else if parameter("date") != nil {
            throw APIError(
                .badRequest, .invalidParameter,
                "date needs period=day|month|quarter; or give from and to (date 须与 period 同用)")
        }
        guard from <= to else {
            throw APIError(.badRequest, .invalidParameter, "from \(from) is after to \(to) (起始日期晚于结束日期)")
        }
        var scope = node
        if let text = parameter("scope") {
            do throws(ReplicationError) {
                scope = try NodeCode(String(text))
            } catch {
                throw APIError(.badRequest, .invalidParameter, Self.scopeMessage(text, error))
            }
            guard node.contains(scope) else {
                throw APIError(
                    .forbidden, .forbiddenScope,
                    "scope \(scope) is outside this node's subtree (\(node), \(node.level)); ask a node above it")
            }
        }
        self.scope = scope
        self.days = from...to
    }

    /// The 400 message of a `scope` that is no code, the text cut to 40 characters.
    static func scopeMessage(_ text: Substring, _ error: ReplicationError) -> String {
        let reason =
            text.count <= 40
            ? error.message
            : "\"\(text.prefix(40))…\" (\(text.count) characters) is not a 12-digit administrative division code"
        return "scope: \(reason) (区划代码无效)"
    }

    /// Refuses a day outside `CalendarDay.reportable` with a 400 naming the range.
    static func checkRange(_ day: CalendarDay, _ name: String) throws(APIError) {
        let range = CalendarDay.reportable
        guard range.contains(day) else {
            throw APIError(
                .badRequest, .invalidParameter,
                "\(name): \(day) is outside the days a report covers, \(range.lowerBound)…\(range.upperBound) "
                    + "(日期超出报表范围 \(range.lowerBound) 至 \(range.upperBound))")
        }
    }
}
