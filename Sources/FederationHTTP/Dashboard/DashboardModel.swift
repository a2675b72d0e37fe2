import Foundation
import GRDB
import Replication
import Reports

/// Everything the dashboard page shows for one scope and period, filled by `build` from one
/// consistent read of the store — every figure from the report library, with the definitions of
/// `GET /api/v1/reports/*` (docs/METRICS.md): the headline figures are `SummaryReport.compute`'s, the
/// table of areas is the summary report's `children` (`SummaryChildren`), the trends are `DailySeries`.
///
///     let model = try await store.database.read { db in
///         try DashboardModel.build(db, node: node, nodeName: name, scope: scope, period: .month, today: today,
///                                  asOf: Date(), rosterCache: cache)
///     }
struct DashboardModel: Sendable {
    /// One area below the scope, with its figures for the period and its reporting health (as in the
    /// summary report's `children`).
    struct Child: Sendable {
        var code: NodeCode
        var calls: Int64
        var effectiveRatio: Ratio
        var services: Int64
        var satisfaction: Ratio
        var activeElders: Int64
        var reported: Bool
        /// The reporting health of an expected child: last sync and changes not yet received when it is
        /// this node's own child; nil for a child only seen in the figures.
        var health: ReportingHealth.Child?
    }

    var node: NodeCode
    var nodeName: String
    var scope: NodeCode
    var period: DashboardPeriod
    var days: ClosedRange<CalendarDay>
    var asOf: Date

    /// The headline figures: the same report as `GET /api/v1/reports/summary` for the scope and days.
    var summary: SummaryReport
    /// Calls per day with their effective ratio (`DailySeries` `effective_ratio`).
    var callsByDay: [DailySeries.Point]
    /// Callbacks rated per day with their satisfaction rate (`DailySeries` `satisfaction`).
    var satisfactionByDay: [DailySeries.Point]
    var children: [Child]

    var services: ServiceSummary { summary.services }
    var satisfaction: SatisfactionSummary { summary.satisfaction }
    var roster: RosterSummary { summary.roster }
    /// 上报率: children reported ÷ children expected (`ReportingHealth`).
    var reporting: Ratio { summary.reporting.rate }

    /// Whether anything at all was recorded for the scope (calls, visits, callbacks or elders).
    var hasData: Bool {
        summary.calls.total > 0 || services.completed > 0 || satisfaction.rated > 0 || roster.active > 0
            || !children.isEmpty
    }

    /// Fills the model inside `db`'s current transaction.
    ///
    /// - Parameters:
    ///   - rosterCache: the roster counts shared with the report endpoints.
    ///   - expectedChildren: the trusted children (reporting health counts them even before they sync).
    /// - Complexity: the summary report's queries (with `ReportRollup` installed, independent of the number
    ///   of communities above the community level), its per-child breakdown and two daily series.
    static func build(
        _ db: Database, node: NodeCode, nodeName: String, scope: NodeCode, period: DashboardPeriod,
        today: CalendarDay, asOf: Date, rosterCache: RosterCache, expectedChildren: [NodeCode] = []
    ) throws -> DashboardModel {
        let days = period.days(today: today)
        let summary = try SummaryReport.compute(
            db, scope: scope, days: days, asOf: asOf, expectedChildren: expectedChildren, rosterCache: rosterCache)
        let breakdown = try SummaryChildren.compute(db, report: summary, rosterCache: rosterCache)
        let children = breakdown.codes.map { code in
            let calls = breakdown.calls[code] ?? .empty
            let satisfaction = breakdown.satisfaction[code] ?? .empty
            let health = breakdown.health[code]
            return Child(
                code: code, calls: calls.total, effectiveRatio: calls.effectiveRatio,
                services: breakdown.services[code]?.completed ?? 0, satisfaction: satisfaction.rate,
                activeElders: breakdown.roster[code]?.active ?? 0, reported: health?.reported ?? false, health: health)
        }
        return DashboardModel(
            node: node, nodeName: nodeName, scope: scope, period: period, days: days, asOf: asOf, summary: summary,
            callsByDay: try DailySeries.compute(db, metric: .effectiveRatio, scope: scope, days: days).points,
            satisfactionByDay: try DailySeries.compute(db, metric: .satisfaction, scope: scope, days: days).points,
            children: children)
    }
}
