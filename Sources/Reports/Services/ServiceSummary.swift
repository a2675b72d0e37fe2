public import GRDB
public import Replication

/// The services section of a report: completed visits and their hours, by category, by provider and
/// by (provider, item), from the `visits` and `visit_minutes` cells of the scope's subtree.
///
///     let services = try ServiceSummary.compute(db, scope: street, days: january)
///     services.hours            // Σ visit_minutes ÷ 60
///     services.byCategory["daily_care"]?.visits
public struct ServiceSummary: Equatable, Sendable {
    /// Visits and minutes of one group.
    public struct Tally: Equatable, Sendable {
        public var visits: Int64 = 0
        public var minutes: Int64 = 0
        public init(visits: Int64 = 0, minutes: Int64 = 0) {
            self.visits = visits
            self.minutes = minutes
        }
        /// Minutes ÷ 60.
        public var hours: Double { Double(minutes) / 60 }

        mutating func add(visits: Int64, minutes: Int64, _ figure: @autoclosure () -> String) throws(ReportError) {
            try self.visits.addChecked(visits, figure())
            try self.minutes.addChecked(minutes, "the minutes of " + figure())
        }
    }

    /// Provider and item of a visit cell (item "" when the cell has none).
    public struct ProviderItem: Hashable, Sendable {
        public var provider: String
        public var item: String
        public var category: String
        public init(provider: String, item: String, category: String) {
            self.provider = provider
            self.item = item
            self.category = category
        }
    }

    public var total = Tally()
    public var byCategory: [String: Tally] = [:]
    public var byProvider: [String: Tally] = [:]
    public var byProviderItem: [ProviderItem: Tally] = [:]

    public static let empty = ServiceSummary()

    public init() {}

    /// Completed visits (完成服务人次).
    public var completed: Int64 { total.visits }
    /// Hours of completed visits (服务时长).
    public var hours: Double { total.hours }

    /// - Throws: `ReportError(.overflow)` if a sum leaves Int64 (sums of cells within the bound never do).
    mutating func add(visits: Int64, minutes: Int64, dims: String) throws(ReportError) {
        let pairs = StatDimensions.parse(dims)
        let category = pairs[ServiceStatistics.Dimension.category] ?? ""
        let provider = pairs[ServiceStatistics.Dimension.provider] ?? ""
        let item = pairs[ServiceStatistics.Dimension.item] ?? ""
        try total.add(visits: visits, minutes: minutes, "all visits")
        if !category.isEmpty {
            try byCategory[category, default: Tally()].add(
                visits: visits, minutes: minutes, "the visits of \(category)")
        }
        if !provider.isEmpty {
            try byProvider[provider, default: Tally()].add(
                visits: visits, minutes: minutes, "the visits of \(provider)")
            let key = ProviderItem(provider: provider, item: item, category: category)
            try byProviderItem[key, default: Tally()].add(
                visits: visits, minutes: minutes, "the visits of \(provider) \(item)")
        }
    }

    /// Builds the summary from cell sums (dims → value) of the two metrics.
    ///
    /// - Throws: `ReportError(.overflow)` if a sum leaves Int64.
    init(visits: [String: Int64], minutes: [String: Int64]) throws(ReportError) {
        for dims in Set(visits.keys).union(minutes.keys) {
            try add(visits: visits[dims] ?? 0, minutes: minutes[dims] ?? 0, dims: dims)
        }
    }

    /// Sums the visit cells about the communities inside `scope` with a period in `days`.
    ///
    /// - Parameter withItems: read the cells themselves so that `byProviderItem` has the items (for
    ///   settlements); otherwise the rollup may answer and items are "".
    public static func compute(
        _ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>, withItems: Bool = false
    ) throws -> ServiceSummary {
        try ServiceSummary(
            visits: try CellSource.sums(
                db, metric: ServiceStatistics.visitsMetric, scope: scope, days: days, exact: withItems),
            minutes: try CellSource.sums(
                db, metric: ServiceStatistics.minutesMetric, scope: scope, days: days, exact: withItems))
    }

    /// The completed visits, minutes and categories of each child of `scope`, with no breakdown by
    /// provider or item: read from the rollup's `visits#category` and `visit_minutes#category` projections,
    /// a few rows per child and period instead of one per category × provider (the children's table
    /// of the summary report and the dashboard).
    public static func computeTotalsByChild(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> [NodeCode: ServiceSummary]
    {
        let key = ServiceStatistics.Dimension.category
        let visits = try CellSource.sumsByChild(
            db, metric: ServiceStatistics.visitsMetric, projection: key, scope: scope, days: days)
        let minutes = try CellSource.sumsByChild(
            db, metric: ServiceStatistics.minutesMetric, projection: key, scope: scope, days: days)
        var result: [NodeCode: ServiceSummary] = [:]
        for child in Set(visits.keys).union(minutes.keys) {
            result[child] = try ServiceSummary(visits: visits[child] ?? [:], minutes: minutes[child] ?? [:])
        }
        return result
    }

    /// The summary of each child of `scope` (children without visits are absent).
    public static func computeByChild(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> [NodeCode: ServiceSummary]
    {
        let visits = try CellSource.sumsByChild(db, metric: ServiceStatistics.visitsMetric, scope: scope, days: days)
        let minutes = try CellSource.sumsByChild(db, metric: ServiceStatistics.minutesMetric, scope: scope, days: days)
        var result: [NodeCode: ServiceSummary] = [:]
        for child in Set(visits.keys).union(minutes.keys) {
            result[child] = try ServiceSummary(visits: visits[child] ?? [:], minutes: minutes[child] ?? [:])
        }
        return result
    }
}
