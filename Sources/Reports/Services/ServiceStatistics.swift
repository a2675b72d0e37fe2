import Replication

/// The statistics cells that count service visits: what the visit log writes and service reports read.
///
/// Per (origin, community, day of check-in in China Standard Time, category, item, provider), two
/// metrics: `visits` (completed visits) and `visit_minutes` (their minutes, each visit rounded to the
/// minute). Dimensions for example `category=daily_care;item=daily_care.bathing;provider=P-007`; the
/// item (a catalog id such as `daily_care.bathing`, or the free text recorded) lets the settlement price
/// each visit from the `service_items` catalog.
///
///     let dims = ServiceStatistics.dimensions(category: "daily_care", provider: "P-007", item: "daily_care.bathing")
public enum ServiceStatistics {
    /// The metric counting completed visits.
    public static let visitsMetric = "visits"
    /// The metric summing the minutes of completed visits.
    public static let minutesMetric = "visit_minutes"

    /// Dimension keys of visit cells.
    public enum Dimension {
        public static let category = "category"
        public static let provider = "provider"
        public static let item = "item"
    }

    /// The canonical dimension string of one visit cell. `;` and `=` in the item (free text) become `_`
    /// so the string stays parseable; an empty item is left out.
    public static func dimensions(category: String, provider: String, item: String = "") -> String {
        var pairs = [Dimension.category: category, Dimension.provider: provider]
        let cleaned = item.replacing(";", with: "_").replacing("=", with: "_")
        if !cleaned.isEmpty { pairs[Dimension.item] = cleaned }
        return StatKey.dimensions(pairs)
    }
}
