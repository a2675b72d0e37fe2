public import Logging
public import Replication

/// What the parts of a running node share: its identity, configuration, store, access tokens and metrics.
public struct NodeContext: Sendable {
    public let config: NodeConfig
    public let code: NodeCode
    public let store: ReplicaStore
    public let logger: Logger
    /// The tokens HTTP requests must carry (`Authorization: Bearer TOKEN`).
    public let tokens: AccessTokens
    /// The node's Prometheus metrics (`GET /metrics`).
    public let metrics: NodeMetrics
    /// The children expected to report (the trusted children of the data directory), read on each call:
    /// reporting health counts a trusted child that never synced as expected and not reported.
    public let expectedChildren: @Sendable () -> [NodeCode]

    /// - Parameter tokens: the node's tokens (`DataDirectory.loadOrCreateTokens()`); fresh random
    ///   ones by default, which no client knows.
    public init(
        config: NodeConfig, code: NodeCode, store: ReplicaStore, logger: Logger,
        tokens: AccessTokens = .generate(), metrics: NodeMetrics = NodeMetrics(),
        expectedChildren: @escaping @Sendable () -> [NodeCode] = { [] }
    ) {
        self.config = config
        self.code = code
        self.store = store
        self.logger = logger
        self.tokens = tokens
        self.metrics = metrics
        self.expectedChildren = expectedChildren
    }
}
