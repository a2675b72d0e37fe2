public import GRDB
public import Replication

/// The satisfaction section of a report: callbacks rated, satisfied (满意 + 基本满意), strictly
/// satisfied (满意 only) and complaints, overall and per provider, from the `callbacks` cells.
///
///     let satisfaction = try SatisfactionSummary.compute(db, scope: city, days: year)
///     satisfaction.rate.value        // (satisfied + basically_satisfied) ÷ rated, e.g. 0.998
///     satisfaction.strictRate.value  // satisfied ÷ rated
public struct SatisfactionSummary: Equatable, Sendable {
    /// Counts of one group of callbacks.
    public struct Tally: Equatable, Sendable {
        /// Callbacks with a score (回访数).
        public var rated: Int64 = 0
        /// Scored satisfied or basically satisfied.
        public var satisfied: Int64 = 0
        /// Scored satisfied.
        public var strictlySatisfied: Int64 = 0
        /// Callbacks in which the elder complained.
        public var complaints: Int64 = 0
        public init() {}

        /// 满意率 = (satisfied + basically_satisfied) ÷ rated.
        public var rate: Ratio { Ratio(numerator: satisfied, denominator: rated) }
        /// 非常满意率 (strict) = satisfied ÷ rated.
        public var strictRate: Ratio { Ratio(numerator: strictlySatisfied, denominator: rated) }

        /// - Throws: `ReportError(.overflow)` if a sum leaves Int64 (sums of cells within the bound never do).
        mutating func add(_ count: Int64, score: String, complaint: Bool) throws(ReportError) {
            try rated.addChecked(count, "the callbacks rated")
            if SatisfactionStatistics.satisfiedScores.contains(score) {
                try satisfied.addChecked(count, "the callbacks satisfied")
            }
            if score == "satisfied" { try strictlySatisfied.addChecked(count, "the callbacks strictly satisfied") }
            if complaint { try complaints.addChecked(count, "the complaints") }
        }
    }

    public var total = Tally()
    /// Per score code.
    public var byScore: [String: Int64] = [:]
    /// Per provider (callbacks whose visit's provider was known where they were recorded).
    public var byProvider: [String: Tally] = [:]

    public static let empty = SatisfactionSummary()
    public init() {}

    public var rated: Int64 { total.rated }
    public var satisfied: Int64 { total.satisfied }
    public var rate: Ratio { total.rate }
    public var strictRate: Ratio { total.strictRate }
    public var complaints: Int64 { total.complaints }

    /// Builds the summary from cell sums (dims → value).
    ///
    /// - Throws: `ReportError(.overflow)` if a sum leaves Int64.
    init(_ sums: [String: Int64]) throws(ReportError) {
        for (dims, count) in sums {
            let pairs = StatDimensions.parse(dims)
            let score = pairs[SatisfactionStatistics.Dimension.score] ?? ""
            let complaint = pairs[SatisfactionStatistics.Dimension.complaint] == "1"
            try total.add(count, score: score, complaint: complaint)
            if !score.isEmpty { try byScore[score, default: 0].addChecked(count, "the callbacks scored \(score)") }
            if let provider = pairs[SatisfactionStatistics.Dimension.provider], !provider.isEmpty {
                try byProvider[provider, default: Tally()].add(count, score: score, complaint: complaint)
            }
        }
    }

    /// Sums the callback cells about the communities inside `scope` with a period in `days`.
    public static func compute(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> SatisfactionSummary
    {
        try SatisfactionSummary(
            try CellSource.sums(db, metric: SatisfactionStatistics.metric, scope: scope, days: days))
    }

    /// The callbacks rated and satisfied of each child of `scope`, with no count of complaints and no
    /// breakdown by provider: read from the rollup's `callbacks#score` projection, one row per score,
    /// child and period (the children's table of the summary report and the dashboard).
    public static func computeTotalsByChild(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> [NodeCode: SatisfactionSummary]
    {
        try CellSource.sumsByChild(
            db, metric: SatisfactionStatistics.metric, projection: SatisfactionStatistics.Dimension.score, scope: scope,
            days: days
        ).mapValues { try SatisfactionSummary($0) }
    }

    /// The summary of each child of `scope` (children without callbacks are absent).
    public static func computeByChild(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> [NodeCode: SatisfactionSummary]
    {
        try CellSource.sumsByChild(db, metric: SatisfactionStatistics.metric, scope: scope, days: days)
            .mapValues { try SatisfactionSummary($0) }
    }
}
