/// Fault switches for the chaos harness (`[faults]` in node.toml). TESTING ONLY: a production node
/// never sets them; every switch is off when the table is absent.
///
/// ```toml
/// [faults]
/// drop_batch_probability = 0.05       # an outgoing batch is not sent (the link resends it after its ACK timeout)
/// duplicate_batch_probability = 0.05  # an outgoing batch is sent twice (the receiver merges it as duplicates)
/// clock_offset_ms = 600000            # the hybrid clock reads physical time + 10 minutes
/// ```
extension NodeConfig {
    public struct Faults: Codable, Sendable, Equatable {
        /// Probability (0 ≤ p ≤ 0.9) that an outgoing batch, up or down, is silently dropped.
        public var dropBatchProbability: Double = 0
        /// Probability (0 ≤ p ≤ 1) that an outgoing batch is sent twice.
        public var duplicateBatchProbability: Double = 0
        /// Added to physical time wherever the store reads the clock, in milliseconds (±1 day at most).
        public var clockOffsetMs: Int = 0

        enum CodingKeys: String, CodingKey {
            case dropBatchProbability = "drop_batch_probability"
            case duplicateBatchProbability = "duplicate_batch_probability"
            case clockOffsetMs = "clock_offset_ms"
        }

        public init(dropBatchProbability: Double = 0, duplicateBatchProbability: Double = 0, clockOffsetMs: Int = 0) {
            self.dropBatchProbability = dropBatchProbability
            self.duplicateBatchProbability = duplicateBatchProbability
            self.clockOffsetMs = clockOffsetMs
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dropBatchProbability = try container.decodeIfPresent(Double.self, forKey: .dropBatchProbability) ?? 0
            duplicateBatchProbability =
                try container.decodeIfPresent(Double.self, forKey: .duplicateBatchProbability) ?? 0
            clockOffsetMs = try container.decodeIfPresent(Int.self, forKey: .clockOffsetMs) ?? 0
        }

        /// Whether any switch is on.
        public var isActive: Bool { dropBatchProbability > 0 || duplicateBatchProbability > 0 || clockOffsetMs != 0 }

        /// A one-line description for the start-up warning.
        public var summary: String {
            "drop_batch_probability=\(dropBatchProbability) duplicate_batch_probability=\(duplicateBatchProbability) clock_offset_ms=\(clockOffsetMs)"
        }

        func validate() throws(NodeError) {
            guard (0...0.9).contains(dropBatchProbability), (0...1).contains(duplicateBatchProbability),
                abs(clockOffsetMs) <= 86_400_000
            else {
                throw NodeError(
                    .invalidConfig,
                    "a [faults] switch is out of range (drop_batch_probability 0–0.9, duplicate_batch_probability 0–1, clock_offset_ms within ±86400000); remove the [faults] table on a real node"
                )
            }
        }
    }

    /// Storage limits (`[storage]` in node.toml).
    ///
    /// ```toml
    /// [storage]
    /// max_database_mb = 2048   # writes beyond this are refused cleanly (HTTP 507, sync retries later)
    /// ```
    public struct Storage: Codable, Sendable, Equatable {
        /// The largest the database file may grow, in MiB (SQLite `max_page_count`); nil: no limit but the disk.
        public var maxDatabaseMB: Int?

        enum CodingKeys: String, CodingKey {
            case maxDatabaseMB = "max_database_mb"
        }

        public init(maxDatabaseMB: Int? = nil) { self.maxDatabaseMB = maxDatabaseMB }

        func validate() throws(NodeError) {
            if let limit = maxDatabaseMB, limit < 1 {
                throw NodeError(
                    .invalidConfig, "storage.max_database_mb must be at least 1 (MiB); remove it for no limit")
            }
        }
    }
}
