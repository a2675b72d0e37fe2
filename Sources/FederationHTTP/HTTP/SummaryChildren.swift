import GRDB
import Replication
import Reports

/// The children of a summary report with their own figures: the list `GET /api/v1/reports/summary`
/// answers in `children` and the dashboard shows in its table of areas, computed in one place so both
/// list the same areas with the same figures.
///
/// The areas listed are those expected to report (`ReportingHealth`) and those with calls, visits,
/// callbacks or active elders in the period, in code order.
///
///     let report = try SummaryReport.compute(db, scope: scope, days: days, asOf: asOf, rosterCache: cache)
///     let children = try SummaryChildren.compute(db, report: report, rosterCache: cache)
struct SummaryChildren: Sendable {
    var codes: [NodeCode]
    /// Totals only (`CallSummary.computeTotalsByChild`): no breakdown by channel, type or hour.
    var calls: [NodeCode: CallSummary]
    /// Totals and categories only (`ServiceSummary.computeTotalsByChild`): no breakdown by provider.
    var services: [NodeCode: ServiceSummary]
    /// Rated and satisfied only (`SatisfactionSummary.computeTotalsByChild`): no complaints, no providers.
    var satisfaction: [NodeCode: SatisfactionSummary]
    var roster: [NodeCode: RosterSummary]
    /// The reporting health of each expected child (absent for children only seen in the figures).
    var health: [NodeCode: ReportingHealth.Child]

    /// Computes the children of `report`'s scope for its days, inside `db`'s current transaction (the
    /// one `report` was computed in).
    static func compute(_ db: Database, report: SummaryReport, rosterCache: RosterCache) throws -> SummaryChildren {
        // The children's calls and effective calls only (no breakdown): from the rollup's projection.
        let calls = try CallSummary.computeTotalsByChild(db, scope: report.scope, days: report.days)
        let services = try ServiceSummary.computeTotalsByChild(db, scope: report.scope, days: report.days)
        let satisfaction = try SatisfactionSummary.computeTotalsByChild(db, scope: report.scope, days: report.days)
        let roster = try rosterCache.summaryByChild(db, scope: report.scope, asOf: report.days.upperBound)
        let health = Dictionary(report.reporting.children.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let codes = Set(health.keys).union(calls.keys).union(services.keys).union(satisfaction.keys)
            .union(roster.keys).sorted()
        return SummaryChildren(
            codes: codes, calls: calls, services: services, satisfaction: satisfaction, roster: roster, health: health)
    }
}
