public import GRDB
public import Replication

/// The calls section of a report: how many calls a scope received in a range of days, how many were
/// effective, and how they split by channel, type and hour of day.
///
/// Computed from the `calls` statistics cells of every origin about every community in the scope's
/// subtree, so a call counts wherever it was taken (the city hotline, the street office, the community
/// station) and rolls up exactly: the effective service ratio is Σeffective ÷ Σtotal, never an average.
///
///     let days = CalendarDay("2026-01-01")!...CalendarDay("2026-01-31")!
///     let calls = try store.database.read { db in
///         try CallSummary.compute(db, scope: try NodeCode("130102000000"), days: days)
///     }
///     calls.effectiveRatio.value   // e.g. 0.4
public struct CallSummary: Equatable, Sendable {
    /// All calls.
    public var total: Int64
    /// Calls that led to a service or an answer (`effective=1`).
    public var effective: Int64
    /// Calls per channel code (`hotline`, `sos_key`, …); channels without calls are absent.
    public var byChannel: [String: Int64]
    /// Calls per type code (`emergency`, `service_request`, …); types without calls are absent.
    public var byType: [String: Int64]
    /// Calls per hour of day in China Standard Time, index 0 = 00:00–00:59; always 24 entries.
    public var byHour: [Int64]

    /// No calls.
    public static let empty = CallSummary(
        total: 0, effective: 0, byChannel: [:], byType: [:], byHour: Array(repeating: 0, count: 24))

    public init(total: Int64, effective: Int64, byChannel: [String: Int64], byType: [String: Int64], byHour: [Int64]) {
        precondition(byHour.count == 24, "byHour must have 24 entries, got \(byHour.count)")
        self.total = total
        self.effective = effective
        self.byChannel = byChannel
        self.byType = byType
        self.byHour = byHour
    }

    /// The effective service ratio (有效服务率) as its two sums: effective ÷ total.
    public var effectiveRatio: Ratio { Ratio(numerator: effective, denominator: total) }

    /// Counts `count` calls described by one dimension string. Calls always count in the totals; a
    /// dimension that is missing or malformed only leaves them out of that breakdown.
    ///
    /// - Throws: `ReportError(.overflow)` if a sum leaves Int64 (sums of cells within the bound never do).
    mutating func add(_ count: Int64, dims: String) throws(ReportError) {
        let pairs = StatDimensions.parse(dims)
        try total.addChecked(count, "the total of calls")
        if pairs[CallStatistics.Dimension.effective] == "1" { try effective.addChecked(count, "the effective calls") }
        if let channel = pairs[CallStatistics.Dimension.channel], !channel.isEmpty {
            try byChannel[channel, default: 0].addChecked(count, "the calls by channel \(channel)")
        }
        if let type = pairs[CallStatistics.Dimension.type], !type.isEmpty {
            try byType[type, default: 0].addChecked(count, "the calls of type \(type)")
        }
        if let text = pairs[CallStatistics.Dimension.hour], text.utf8.count == 2, let hour = Int(text),
            (0...23).contains(hour)
        {
            try byHour[hour].addChecked(count, "the calls at hour \(text)")
        }
    }

    /// Sums the `calls` cells about the communities inside `scope` with a period in `days`.
    ///
    /// Each cell is one (origin, community, metric, dims, period) row, so a cell that reached this node
    /// twice or by two paths is still one row and counts once.
    ///
    /// - Parameters:
    ///   - db: a database connection, e.g. inside `store.database.read`.
    ///   - scope: the node or area whose subtree is summed (a community sums only itself).
    ///   - days: the inclusive range of periods.
    /// - Complexity: above the community level with `ReportRollup` installed, one scan of the rollup's
    ///   monthly rows for the whole months and daily rows for the days at either end; otherwise one
    ///   range scan of the `crdt_stats_report(metric, period, community, value)` index. Either way grouped by
    ///   dimension string.
    public static func compute(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws -> CallSummary {
        try CallSummary(sums: try CellSource.sums(db, metric: CallStatistics.metric, scope: scope, days: days))
    }

    /// The summary of each child of `scope` (children without calls are absent).
    public static func computeByChild(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> [NodeCode: CallSummary]
    {
        try CellSource.sumsByChild(db, metric: CallStatistics.metric, scope: scope, days: days)
            .mapValues { try CallSummary(sums: $0) }
    }

    /// The calls and effective calls of each child of `scope` (children without calls are absent), with
    /// no breakdown by channel, type or hour: read from the rollup's `calls#effective` projection, two
    /// rows per child and period instead of one per channel × type × hour (the children's table of the
    /// summary report and the dashboard).
    public static func computeTotalsByChild(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> [NodeCode: CallSummary]
    {
        try CellSource.sumsByChild(
            db, metric: CallStatistics.metric, projection: CallStatistics.Dimension.effective, scope: scope, days: days
        ).mapValues { try CallSummary(sums: $0) }
    }

    /// Builds the summary from cell sums (dims → value).
    ///
    /// - Throws: `ReportError(.overflow)` if a sum leaves Int64.
    init(sums: [String: Int64]) throws(ReportError) {
        self = .empty
        for (dims, count) in sums { try add(count, dims: dims) }
    }

    /// `compute(_:scope:days:)` in one read transaction of `reader`.
    public static func compute(_ reader: some DatabaseReader, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> CallSummary
    {
        try reader.read { db in try compute(db, scope: scope, days: days) }
    }
}
