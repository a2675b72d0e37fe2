import Replication

/// The statistics cells that count satisfaction callbacks (回访): metric `callbacks`, per (origin,
/// community, day of the callback in China Standard Time, score, complaint, provider), dimensions for
/// example `complaint=0;provider=P-7;score=satisfied`. The provider is the one of the visit asked about
/// when the recording node knows that visit, and absent otherwise. The satisfaction rate is
/// Σ(satisfied + basically_satisfied) ÷ Σ all.
///
///     let dims = SatisfactionStatistics.dimensions(score: "satisfied", complaint: false, provider: "P-7")
public enum SatisfactionStatistics {
    /// The metric counting callbacks.
    public static let metric = "callbacks"

    /// Dimension keys of callback cells.
    public enum Dimension {
        /// `1` if the elder made a complaint during the callback, `0` otherwise.
        public static let complaint = "complaint"
        public static let score = "score"
        public static let provider = "provider"
    }

    /// Score codes counted as satisfied for the satisfaction rate (满意 + 基本满意).
    public static let satisfiedScores: Set<String> = ["satisfied", "basically_satisfied"]

    /// The canonical dimension string of one callback cell; a nil or empty provider is left out.
    public static func dimensions(score: String, complaint: Bool, provider: String? = nil) -> String {
        var pairs = [Dimension.score: score, Dimension.complaint: complaint ? "1" : "0"]
        if let provider, !provider.isEmpty { pairs[Dimension.provider] = provider }
        return StatKey.dimensions(pairs)
    }
}
