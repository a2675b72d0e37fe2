public import Eldercare
public import Logging
public import Replication

/// What the HTTP API and pages of a running node share: its identity, store, access tokens, metrics
/// and the few settings of node.toml they read (the composition root fills them in from `NodeConfig`).
public struct NodeContext: Sendable {
    public let code: NodeCode
    /// The node's display name (`[node] name`), shown on its dashboard.
    public let name: String
    /// Where the API listens, `HOST:PORT` (`[http] listen`; IPv6 hosts in brackets).
    public let listen: String
    /// Who qualifies for the subsidy (`[eligibility]`), for the roster audit.
    public let eligibility: EligibilityPolicy
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
        code: NodeCode, name: String, listen: String, eligibility: EligibilityPolicy = EligibilityPolicy(),
        store: ReplicaStore, logger: Logger, tokens: AccessTokens = .generate(), metrics: NodeMetrics = NodeMetrics(),
        expectedChildren: @escaping @Sendable () -> [NodeCode] = { [] }
    ) {
        self.code = code
        self.name = name
        self.listen = listen
        self.eligibility = eligibility
        self.store = store
        self.logger = logger
        self.tokens = tokens
        self.metrics = metrics
        self.expectedChildren = expectedChildren
    }
}
