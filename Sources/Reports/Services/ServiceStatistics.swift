import Replication

/// The statistics cells that count service visits: what the visit log writes and service reports read.
///
/// Per (origin, community, day of check-in in China Standard Time, category, provider), two metrics:
/// `visits` (completed visits) and `visit_minutes` (their minutes, each visit rounded to the minute).
/// Dimensions for example `category=daily_care;provider=P-007`.
///
///     let dims = ServiceStatistics.dimensions(category: "daily_care", provider: "P-007")
public enum ServiceStatistics {
    /// The metric counting completed visits.
    public static let visitsMetric = "visits"
    /// The metric summing the minutes of completed visits.
    public static let minutesMetric = "visit_minutes"

    /// Dimension keys of visit cells.
    public enum Dimension {
        public static let category = "category"
        public static let provider = "provider"
    }

    /// The canonical dimension string of one visit cell.
    public static func dimensions(category: String, provider: String) -> String {
        StatKey.dimensions([Dimension.category: category, Dimension.provider: provider])
    }
}
