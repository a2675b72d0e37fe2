package import ZeroMQTransport

/// Limits and timing shared by both kinds of link, from the `[sync]` section of node.toml.
package struct LinkSettings: Sendable {
    var keys: CurveKeyPair
    var maxMessageBytes: Int
    var maxInFlight: Int
    var batchCells: Int
    var heartbeatIntervalMs: UInt64
    var heartbeatTimeoutMs: UInt64
    /// How long one `zmq_poll` waits: the bound on how late a link notices a commit.
    var pollMs = 5

    /// Testing-only drop/duplicate switches for outgoing batches (off unless `[faults]` sets them).
    var faults: BatchFaults

    /// - Parameters: the `[sync]` limits of node.toml (`NodeConfig.Sync`), already validated.
    package init(
        keys: CurveKeyPair, maxMessageBytes: Int, maxInFlight: Int, batchCells: Int, heartbeatIntervalMs: UInt64,
        heartbeatTimeoutMs: UInt64, faults: BatchFaults = BatchFaults()
    ) {
        self.keys = keys
        self.faults = faults
        self.maxMessageBytes = maxMessageBytes
        self.maxInFlight = maxInFlight
        self.batchCells = batchCells
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.heartbeatTimeoutMs = heartbeatTimeoutMs
    }
}
