public import Foundation
public import GRDB
public import Replication

/// The summary report of a scope for a range of days, read from one consistent snapshot: calls,
/// services, satisfaction, roster and reporting health (DESIGN.md, "Reports"; docs/METRICS.md).
///
///     let report = try store.database.read { db in
///         try SummaryReport.compute(db, scope: store.node, days: day...day, asOf: Date())
///     }
///     report.calls.effectiveRatio.value
public struct SummaryReport: Equatable, Sendable {
    /// The node or area reported on.
    public var scope: NodeCode
    /// The inclusive range of days (China Standard Time).
    public var days: ClosedRange<CalendarDay>
    public var calls: CallSummary
    public var services: ServiceSummary
    public var satisfaction: SatisfactionSummary
    /// Active elders as of the last day of the range.
    public var roster: RosterSummary
    /// Entitlement use: visit minutes delivered ÷ minutes the active elders are entitled to.
    public var entitlementUse: Ratio
    public var reporting: ReportingHealth
    /// When the figures were read.
    public var asOf: Date

    public init(
        scope: NodeCode, days: ClosedRange<CalendarDay>, calls: CallSummary, services: ServiceSummary = .empty,
        satisfaction: SatisfactionSummary = .empty, roster: RosterSummary = .empty, entitlementUse: Ratio = .zero,
        reporting: ReportingHealth = .empty, asOf: Date
    ) {
        self.scope = scope
        self.days = days
        self.calls = calls
        self.services = services
        self.satisfaction = satisfaction
        self.roster = roster
        self.entitlementUse = entitlementUse
        self.reporting = reporting
        self.asOf = asOf
    }

    /// Computes every section inside `db`'s current transaction (call it within one `read` so the
    /// sections agree with each other).
    ///
    /// - Parameters:
    ///   - expectedChildren: children expected to report besides those the store knows (see
    ///     `ReportingHealth`).
    ///   - rosterCache: derived roster counts to reuse while the roster is unchanged, if any.
    /// - Complexity: the sum of the sections' queries; with `ReportRollup` installed, independent of
    ///   the number of communities for the cell sections.
    public static func compute(
        _ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>, asOf: Date,
        expectedChildren: [NodeCode] = [], rosterCache: RosterCache? = nil
    ) throws -> SummaryReport {
        let calls = try CallSummary.compute(db, scope: scope, days: days)
        let services = try ServiceSummary.compute(db, scope: scope, days: days)
        let satisfaction = try SatisfactionSummary.compute(db, scope: scope, days: days)
        let roster =
            try rosterCache?.summary(db, scope: scope, asOf: days.upperBound)
            ?? RosterSummary.compute(db, scope: scope, asOf: days.upperBound)
        let reporting = try ReportingHealth.compute(
            db, scope: scope, days: days, nowMilliseconds: UInt64(max(0, asOf.timeIntervalSince1970 * 1_000)),
            expected: expectedChildren)
        return SummaryReport(
            scope: scope, days: days, calls: calls, services: services, satisfaction: satisfaction, roster: roster,
            entitlementUse: EntitlementUse.ratio(
                deliveredMinutes: services.total.minutes, monthlyHours: roster.monthlyEntitledHours, days: days),
            reporting: reporting, asOf: asOf)
    }
}
