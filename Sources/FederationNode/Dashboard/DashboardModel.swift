import Foundation
import GRDB
import Replication
import Reports

/// Everything the dashboard page shows for one scope and period, filled by `build` from one
/// consistent read of the store. Calls come from `SummaryReport.compute`; the sections the reports
/// library does not have yet come from `InterimReportSections` (the one adapter file).
///
///     let model = try await store.database.read { db in
///         try DashboardModel.build(db, node: node, scope: scope, period: .month, links: [], today: today, asOf: Date())
///     }
struct DashboardModel: Sendable {
    /// One area below the scope, with its figures for the period and its reporting health.
    struct Child: Sendable {
        var code: NodeCode
        var calls: Int64
        var effectiveRatio: Ratio
        var services: Int64
        var satisfaction: Ratio
        var activeElders: Int64
        var reported: Bool
        /// The direct link to it, when the child is this node's own child (last sync, lag).
        var link: NodeStatus.Link?
    }

    var node: NodeCode
    var nodeName: String
    var scope: NodeCode
    var period: DashboardPeriod
    var days: ClosedRange<CalendarDay>
    var asOf: Date

    var summary: SummaryReport
    var services: InterimReportSections.Services
    var satisfaction: InterimReportSections.Satisfaction
    var roster: InterimReportSections.Roster
    var byDay: [(CalendarDay, InterimReportSections.Day)]
    var children: [Child]

    /// Children expected to report (every known area below the scope) and those that did in the period.
    var reporting: Ratio {
        Ratio(numerator: Int64(children.filter(\.reported).count), denominator: Int64(children.count))
    }

    /// Whether anything at all was recorded for the scope (calls, visits, callbacks or elders).
    var hasData: Bool {
        summary.calls.total > 0 || services.completed > 0 || satisfaction.rated > 0 || roster.active > 0
            || !children.isEmpty
    }

    /// Fills the model inside `db`'s current transaction.
    ///
    /// - Parameters:
    ///   - links: this node's links (`NodeStatus.links`), to show last sync and lag of its own children.
    /// - Complexity: the summary's range scan, one more over the scope's cells of the range, one over all
    ///   its cells (to know every child) and two over its roster.
    static func build(
        _ db: Database, node: NodeCode, nodeName: String, scope: NodeCode, period: DashboardPeriod,
        links: [NodeStatus.Link], today: CalendarDay, asOf: Date
    ) throws -> DashboardModel {
        let days = period.days(today: today)
        let summary = try SummaryReport.compute(db, scope: scope, days: days, asOf: asOf)
        let linkByPeer = Dictionary(links.filter { $0.role == .child }.map { ($0.peer, $0) }) { first, _ in first }
        var found = try InterimReportSections.children(db, scope: scope)
        // This node's own children are expected even before they send anything.
        if let childLevel = NodeCode.Level(rawValue: scope.level.rawValue + 1) {
            for peer in linkByPeer.keys.sorted() {
                guard let code = try? NodeCode(peer), code.level == childLevel, scope.contains(code),
                    !found.contains(code)
                else { continue }
                found.append(code)
            }
        }
        let cells = try InterimReportSections.cells(db, scope: scope, days: days)
        let active = try InterimReportSections.activeByChild(db, scope: scope)
        let children = found.sorted().map { code in
            // Reported: the child has calls, visits or callbacks in the period.
            let prefix = String(code.prefix)
            let figures = cells.byChild[prefix] ?? InterimReportSections.ChildFigures()
            return Child(
                code: code, calls: figures.calls,
                effectiveRatio: Ratio(numerator: figures.effective, denominator: figures.calls), services: figures.visits,
                satisfaction: Ratio(numerator: figures.satisfied, denominator: figures.rated),
                activeElders: active[prefix] ?? 0, reported: cells.byChild[prefix] != nil, link: linkByPeer[code.rawValue])
        }
        return DashboardModel(
            node: node, nodeName: nodeName, scope: scope, period: period, days: days, asOf: asOf, summary: summary,
            services: cells.services, satisfaction: cells.satisfaction,
            roster: try InterimReportSections.roster(db, scope: scope, today: today), byDay: cells.byDay,
            children: children)
    }
}
