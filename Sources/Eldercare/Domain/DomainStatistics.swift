public import Replication
import Reports

/// The statistics cells of the eldercare domain (docs/PROTOCOL.md, "Statistics cells"): the metrics a
/// node writes and accepts, with the dimensions each must and may carry. The same grammar judges a
/// local write and a cell merged from a child.
///
///     var configuration = StoreConfiguration()
///     configuration.statisticGrammar = DomainStatistics.grammar
public enum DomainStatistics {
    /// `calls`, `visits`, `visit_minutes` and `callbacks` with their dimensions.
    public static let grammar: StatisticGrammar = {
        let hours = Set((0..<24).map { $0 < 10 ? "0\($0)" : "\($0)" })
        let flag: StatisticGrammar.DimensionRule = .oneOf(["0", "1"])
        let provider: StatisticGrammar.DimensionRule = .text(maxBytes: 4 * CallRecord.maxIDLength)
        let calls = StatisticGrammar.Metric(required: [
            CallStatistics.Dimension.channel: .oneOf(Set(CallChannel.allCases.map(\.rawValue))),
            CallStatistics.Dimension.type: .oneOf(Set(CallType.allCases.map(\.rawValue))),
            CallStatistics.Dimension.effective: flag,
            CallStatistics.Dimension.hour: .oneOf(hours),
        ])
        let visits = StatisticGrammar.Metric(
            required: [
                ServiceStatistics.Dimension.category: .oneOf(Set(ServiceCategory.allCases.map(\.rawValue))),
                ServiceStatistics.Dimension.provider: provider,
            ],
            optional: [ServiceStatistics.Dimension.item: .text(maxBytes: 256)])
        let callbacks = StatisticGrammar.Metric(
            required: [
                SatisfactionStatistics.Dimension.score: .oneOf(Set(SatisfactionScore.allCases.map(\.rawValue))),
                SatisfactionStatistics.Dimension.complaint: flag,
            ],
            optional: [SatisfactionStatistics.Dimension.provider: provider])
        return StatisticGrammar(metrics: [
            CallStatistics.metric: calls,
            ServiceStatistics.visitsMetric: visits,
            ServiceStatistics.minutesMetric: visits,
            SatisfactionStatistics.metric: callbacks,
        ])
    }()
}
