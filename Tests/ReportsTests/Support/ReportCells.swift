import Foundation
import GRDB
import Replication
import Reports

/// Cells written into a test store the way they arrive in production: merged from their origins
/// (`ReplicaStore.merge`), each merge carrying a cell's newest total.
struct ReportCells {
    let store: ReplicaStore
    private var totals: [StatKey: Int64] = [:]
    private var logical: UInt16 = 0

    init(_ store: ReplicaStore, rollup: Bool) throws {
        self.store = store
        if rollup { try store.database.write { db in try ReportRollup.install(db) } }
    }

    /// Adds `value` to the cell of `origin` (merged: the cell's new total replaces the old one).
    mutating func add(_ value: Int64, origin: String, community: String, metric: String, dims: String, day: String)
        throws
    {
        let key = StatKey(
            origin: try NodeCode(origin), community: try NodeCode(community), metric: metric, dims: dims, period: day)
        totals[key, default: 0] += value
        logical &+= 1
        let clock = HybridTimestamp(
            physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1_000), logical: logical)
        try store.merge(ChangeBatch(stats: [StatChange(key: key, value: totals[key]!, clock: clock)]))
    }

    mutating func calls(
        _ count: Int64, effective: Bool, community: String, day: String = "2026-01-10", origin: String? = nil,
        channel: String = "hotline", type: String = "service_request", hour: Int = 9
    ) throws {
        try add(
            count, origin: origin ?? community, community: community, metric: CallStatistics.metric,
            dims: CallStatistics.dimensions(channel: channel, type: type, effective: effective, hour: hour), day: day)
    }

    mutating func visits(
        _ count: Int64, minutes: Int64, community: String, day: String = "2026-01-10", origin: String? = nil,
        category: String = "daily_care", provider: String = "P1", item: String = "daily_care.bathing"
    ) throws {
        let dims = ServiceStatistics.dimensions(category: category, provider: provider, item: item)
        try add(
            count, origin: origin ?? community, community: community, metric: ServiceStatistics.visitsMetric,
            dims: dims, day: day)
        try add(
            minutes, origin: origin ?? community, community: community, metric: ServiceStatistics.minutesMetric,
            dims: dims, day: day)
    }

    mutating func callbacks(
        _ count: Int64, score: String, complaint: Bool = false, community: String, day: String = "2026-01-10",
        origin: String? = nil, provider: String? = "P1"
    ) throws {
        try add(
            count, origin: origin ?? community, community: community, metric: SatisfactionStatistics.metric,
            dims: SatisfactionStatistics.dimensions(score: score, complaint: complaint, provider: provider), day: day)
    }
}

extension ClosedRange where Bound == CalendarDay {
    static func days(_ from: String, _ to: String) -> ClosedRange<CalendarDay> {
        CalendarDay(from)!...CalendarDay(to)!
    }
}
