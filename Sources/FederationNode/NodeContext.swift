public import Logging
public import Replication

/// What the parts of a running node share: its identity, configuration and store.
public struct NodeContext: Sendable {
    public let config: NodeConfig
    public let code: NodeCode
    public let store: ReplicaStore
    public let logger: Logger

    public init(config: NodeConfig, code: NodeCode, store: ReplicaStore, logger: Logger) {
        self.config = config
        self.code = code
        self.store = store
        self.logger = logger
    }
}
