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

    mutating func add(visits: Int64, minutes: Int64, dims: String) {
        let pairs = StatDimensions.parse(dims)
        let category = pairs[ServiceStatistics.Dimension.category] ?? ""
        let provider = pairs[ServiceStatistics.Dimension.provider] ?? ""
        let item = pairs[ServiceStatistics.Dimension.item] ?? ""
        total.visits += visits
        total.minutes += minutes
        if !category.isEmpty {
            byCategory[category, default: Tally()].visits += visits
            byCategory[category, default: Tally()].minutes += minutes
        }
        if !provider.isEmpty {
            byProvider[provider, default: Tally()].visits += visits
            byProvider[provider, default: Tally()].minutes += minutes
            let key = ProviderItem(provider: provider, item: item, category: category)
            byProviderItem[key, default: Tally()].visits += visits
            byProviderItem[key, default: Tally()].minutes += minutes
        }
    }

    /// Builds the summary from cell sums (dims → value) of the two metrics.
    init(visits: [String: Int64], minutes: [String: Int64]) {
        for dims in Set(visits.keys).union(minutes.keys) {
            add(visits: visits[dims] ?? 0, minutes: minutes[dims] ?? 0, dims: dims)
        }
    }

    /// Sums the visit cells about the communities inside `scope` with a period in `days`.
    ///
    /// - Parameter withItems: read the cells themselves so that `byProviderItem` has the items (for
    ///   settlements); otherwise the rollup may answer and items are "".
    public static func compute(
        _ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>, withItems: Bool = false
    ) throws -> ServiceSummary {
        ServiceSummary(
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
            result[child] = ServiceSummary(visits: visits[child] ?? [:], minutes: minutes[child] ?? [:])
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
            result[child] = ServiceSummary(visits: visits[child] ?? [:], minutes: minutes[child] ?? [:])
        }
        return result
    }
}
