import Replication

/// The statistics cells that count calls: what the call log writes and the call summary reads.
///
/// One cell per (origin, community, day, channel, type, effective, hour), metric `calls`, period the
/// day in China Standard Time, dimensions for example `channel=hotline;effective=1;hour=09;type=emergency`.
///
///     let dims = CallStatistics.dimensions(channel: "hotline", type: "emergency", effective: true, hour: 9)
///     let key = StatKey(origin: node, community: community, metric: CallStatistics.metric, dims: dims,
///                       period: "2026-01-05")
public enum CallStatistics {
    /// The metric name of call cells.
    public static let metric = "calls"

    /// Dimension keys of call cells.
    public enum Dimension {
        public static let channel = "channel"
        public static let type = "type"
        /// `1` for an effective call, `0` otherwise.
        public static let effective = "effective"
        /// The hour of day in China Standard Time, two digits `00`…`23`.
        public static let hour = "hour"
    }

    /// The canonical dimension string of one call cell.
    ///
    /// - Precondition: `hour` is in 0…23.
    public static func dimensions(channel: String, type: String, effective: Bool, hour: Int) -> String {
        precondition((0...23).contains(hour), "hour \(hour) is not in 0…23")
        return StatKey.dimensions([
            Dimension.channel: channel,
            Dimension.type: type,
            Dimension.effective: effective ? "1" : "0",
            Dimension.hour: hour < 10 ? "0\(hour)" : "\(hour)",
        ])
    }
}
