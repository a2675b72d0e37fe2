/// What one `ReportRollup.foldCounting` did: the pending changes it took, and those it skipped because
/// no cell within the bound could have made them (docs/REPLICATION.md, "Arithmetic") — a value or
/// a count outside −`StatisticGrammar.maxValue`…`StatisticGrammar.maxValue`, or not an integer.
///
///     let outcome = try store.database.write { db in try ReportRollup.foldCounting(db) }
///     if outcome.skipped > 0 { logger.warning("skipped \(outcome.skipped): \(outcome.examples)") }
public struct FoldOutcome: Sendable, Equatable {
    /// One skipped pending change, as stored.
    public struct SkippedChange: Sendable, Equatable, CustomStringConvertible {
        public var metric: String
        public var community: String
        public var period: String
        public var dims: String
        /// The change of the cell's value, as SQLite holds it (an integer, or a REAL past Int64).
        public var value: String
        /// The change of the count of its origin's cells on its day.
        public var cells: String

        public var description: String {
            "\(metric) \(community) \(period) \(dims.prefix(200)): value \(value), cells \(cells)"
        }
    }

    /// Most skipped changes described in `examples`.
    public static let maxExamples = 10

    /// Pending changes taken from the pending table (folded or skipped): 0 when nothing was pending,
    /// the chunk's limit when more may be left.
    public var folded: Int
    /// Of those, the changes left out of the rollup.
    public var skipped: Int
    /// The first `maxExamples` skipped changes.
    public var examples: [SkippedChange]

    public init(folded: Int = 0, skipped: Int = 0, examples: [SkippedChange] = []) {
        self.folded = folded
        self.skipped = skipped
        self.examples = examples
    }
}
