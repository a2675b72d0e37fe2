import Foundation
import Hummingbird
import Replication
import Reports

/// The parameters of `GET /api/v1/reports/…`, checked: either `from` and `to` (`YYYY-MM-DD`, default
/// today in China Standard Time) or `period=day|month|quarter` with `date` (default today: the day,
/// month or quarter containing it), and `scope` (default the node itself; must lie in its subtree).
struct SummaryQuery: Sendable, Equatable {
    let scope: NodeCode
    let days: ClosedRange<CalendarDay>

    /// - Parameter parameter: the decoded value of a query parameter, nil if absent.
    init(_ parameter: (String) -> Substring?, node: NodeCode, now: Date) throws(APIError) {
        let today = CalendarDay.today(unixSeconds: Int64(now.timeIntervalSince1970.rounded(.down)))
        func day(_ name: String) throws(APIError) -> CalendarDay {
            guard let text = parameter(name) else { return today }
            guard let day = CalendarDay(text) else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "\(name): \"\(text.prefix(40))\" is not a date YYYY-MM-DD (China Standard Time), e.g. 2026-01-31")
            }
            return day
        }
        var from = try day("from")
        var to = try day("to")
        if let periodText = parameter("period") {
            guard let period = ReportPeriod(rawValue: String(periodText)) else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "period: \"\(periodText.prefix(20))\" is not day, month or quarter")
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
            throw APIError(.badRequest, .invalidParameter, "date needs period=day|month|quarter; or give from and to")
        }
        guard from <= to else {
            throw APIError(.badRequest, .invalidParameter, "from \(from) is after to \(to)")
        }
        var scope = node
        if let text = parameter("scope") {
            do throws(ReplicationError) {
                scope = try NodeCode(String(text))
            } catch {
                throw APIError(.badRequest, .invalidParameter, "scope: \(error.message)")
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
}
