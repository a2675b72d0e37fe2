public import Eldercare
public import FederationHTTP
public import Logging
public import Replication

extension NodeContext {
    /// The HTTP side's context from the node's configuration.
    ///
    /// - Parameter tokens: the node's tokens (`DataDirectory.loadOrCreateTokens()`); fresh random
    ///   ones by default, which no client knows.
    public init(
        config: NodeConfig, code: NodeCode, store: ReplicaStore, logger: Logger, tokens: AccessTokens = .generate(),
        metrics: NodeMetrics = NodeMetrics(), expectedChildren: @escaping @Sendable () -> [NodeCode] = { [] }
    ) {
        self.init(
            code: code, name: config.node.name, listen: config.http.listen,
            eligibility: config.eligibility ?? EligibilityPolicy(), store: store, logger: logger, tokens: tokens,
            metrics: metrics, expectedChildren: expectedChildren)
    }
}
