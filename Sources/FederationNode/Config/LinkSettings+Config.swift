import FederationSync
import ZeroMQTransport

extension LinkSettings {
    /// The link limits of node.toml's `[sync]` section and the `[faults]` switches (testing only).
    init(_ sync: NodeConfig.Sync, keys: CurveKeyPair, faults: NodeConfig.Faults? = nil) {
        self.init(
            keys: keys, maxMessageBytes: sync.maxMessageBytes, maxInFlight: sync.maxInFlight,
            batchCells: sync.batchCells,
            heartbeatIntervalMs: UInt64(sync.heartbeatIntervalMs), heartbeatTimeoutMs: UInt64(sync.heartbeatTimeoutMs),
            faults: BatchFaults(
                drop: faults?.dropBatchProbability ?? 0, duplicate: faults?.duplicateBatchProbability ?? 0))
    }
}
