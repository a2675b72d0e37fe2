import Replication

/// The statistics cells that count satisfaction callbacks (回访): metric `callbacks`, per (origin,
/// community, day of the callback in China Standard Time, score, complaint), dimensions for example
/// `complaint=0;score=satisfied`. The satisfaction rate is Σ(satisfied + basically_satisfied) ÷ Σ all.
///
///     let dims = SatisfactionStatistics.dimensions(score: "satisfied", complaint: false)
public enum SatisfactionStatistics {
    /// The metric counting callbacks.
    public static let metric = "callbacks"

    /// Dimension keys of callback cells.
    public enum Dimension {
        /// `1` if the elder made a complaint during the callback, `0` otherwise.
        public static let complaint = "complaint"
        public static let score = "score"
    }

    /// The canonical dimension string of one callback cell.
    public static func dimensions(score: String, complaint: Bool) -> String {
        StatKey.dimensions([Dimension.score: score, Dimension.complaint: complaint ? "1" : "0"])
    }
}
