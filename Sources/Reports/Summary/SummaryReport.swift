public import Foundation
public import GRDB
public import Replication

/// The summary report of a scope for a range of days, read from one consistent snapshot.
///
/// Only the calls section exists so far; services, satisfaction, roster, providers and reporting health
/// join it as they are built (DESIGN.md, "Reports").
///
///     let report = try store.database.read { db in
///         try SummaryReport.compute(db, scope: store.node, days: day...day, asOf: Date())
///     }
public struct SummaryReport: Equatable, Sendable {
    /// The node or area reported on.
    public var scope: NodeCode
    /// The inclusive range of days (China Standard Time).
    public var days: ClosedRange<CalendarDay>
    public var calls: CallSummary
    /// When the figures were read.
    public var asOf: Date

    public init(scope: NodeCode, days: ClosedRange<CalendarDay>, calls: CallSummary, asOf: Date) {
        self.scope = scope
        self.days = days
        self.calls = calls
        self.asOf = asOf
    }

    /// Computes every section inside `db`'s current transaction (call it within one `read` so the
    /// sections agree with each other).
    ///
    /// - Complexity: the sum of the sections' queries; see `CallSummary.compute(_:scope:days:)`.
    public static func compute(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>, asOf: Date) throws
        -> SummaryReport
    {
        let calls = try CallSummary.compute(db, scope: scope, days: days)
        return SummaryReport(scope: scope, days: days, calls: calls, asOf: asOf)
    }
}
