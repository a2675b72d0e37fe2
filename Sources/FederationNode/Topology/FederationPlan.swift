import Eldercare
import Foundation

/// Makes a topology real on disk: one data directory per node under a root (`ROOT/CODE`), each with
/// its configuration, CURVE keys, its parent's endpoint and key, and a trust entry at its parent.
/// Running it again keeps every existing key and only rewrites what the topology changed.
///
/// Every node at or below the privacy boundary gets the same `[privacy] hash_key` (docs/PRIVACY.md):
/// the key an already planned node holds, otherwise a new one; a node that already has a key keeps it.
/// Nodes above the boundary (the city, with the default policy) get none: they only compare hashes.
/// A node above the boundary that an earlier version planned with a key is refused with a message to
/// delete the line; its node.toml is not rewritten.
///
///     let outcomes = try FederationPlan.apply(try Topology.load(path: "deploy/topologies/demo.toml"), to: "demo-data")
///     for outcome in outcomes { print(outcome.node.code, outcome.action) }
public enum FederationPlan {
    /// What planning did to one node's data directory.
    public enum Action: String, Sendable, Equatable {
        /// A new data directory with fresh keys.
        case created
        /// Existing keys and configuration kept unchanged.
        case kept
        /// Existing keys kept; the configuration's node, sync or http settings rewritten from the topology.
        case updated
    }

    public struct Outcome: Sendable {
        public let node: Topology.Node
        public let directory: DataDirectory
        public let action: Action
        public let publicKey: String
    }

    /// The data directory of `node` under `root`.
    public static func directory(of node: Topology.Node, under root: String) -> DataDirectory {
        DataDirectory(path: URL(fileURLWithPath: root).appendingPathComponent(node.code.rawValue).path)
    }

    /// Creates or updates every node's data directory, parents first, and trusts each child at its parent.
    ///
    /// - Throws: `NodeError` when a directory cannot be written, or already holds another node.
    public static func apply(_ topology: Topology, to root: String) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        var keys: [String: String] = [:]
        let privacyKey = try federationPrivacyKey(topology, root: root)
        for node in topology.nodes {
            let directory = directory(of: node, under: root)
            let parentKey = node.parent.flatMap { keys[$0.rawValue] }
            var wanted = topology.config(for: node, parentKey: parentKey)
            wanted.privacy = PrivacyPolicy(
                hashKey: try PrivacyPolicy().mayHoldKey(at: node.code.level) ? privacyKey : nil)
            let action: Action
            if FileManager.default.fileExists(atPath: directory.configURL.path) {
                var config = try directory.loadConfig()
                guard config.node.code == node.code.rawValue else {
                    throw NodeError(
                        .dataDirectory,
                        "\(directory.url.path) holds node \(config.node.code), not \(node.code); move it away or choose another --out"
                    )
                }
                let before = config
                config.node = wanted.node
                config.sync.listen = wanted.sync.listen
                config.sync.parent = wanted.sync.parent
                config.sync.parentKey = wanted.sync.parentKey
                config.sync.parentCode = wanted.sync.parentCode
                config.http = wanted.http
                var privacy = config.privacy ?? PrivacyPolicy()
                if privacy.hashKey == nil, try privacy.mayHoldKey(at: node.code.level) {
                    privacy.hashKey = privacyKey
                    config.privacy = privacy
                }
                if config == before {
                    action = .kept
                } else {
                    try config.validate()
                    try directory.saveConfig(config)
                    action = .updated
                }
            } else {
                try DataDirectory.initialize(at: directory.url.path, config: wanted)
                action = .created
            }
            let publicKey = try directory.loadKeyPair().publicKey
            keys[node.code.rawValue] = publicKey
            if let parent = topology.parent(of: node) {
                try Self.directory(of: parent, under: root).trust(
                    child: node.code, publicKey: publicKey, of: parent.code)
            }
            outcomes.append(Outcome(node: node, directory: directory, action: action, publicKey: publicKey))
        }
        return outcomes
    }

    /// The key the nodes at or below the boundary share: the first planned node's (parents first), or a
    /// new one. Reading every existing node.toml first refuses a key above the boundary before anything
    /// is written.
    static func federationPrivacyKey(_ topology: Topology, root: String) throws -> String {
        var found: String?
        for node in topology.nodes {
            let directory = directory(of: node, under: root)
            guard FileManager.default.fileExists(atPath: directory.configURL.path) else { continue }
            let key = try directory.loadConfig().privacy?.hashKey
            if found == nil { found = key }
        }
        return found ?? PrivacyPolicy.generateKey()
    }
}
