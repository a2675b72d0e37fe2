public import Eldercare
import FederationHTTP
import Foundation
public import Replication
import ZeroMQTransport

/// A node's configuration, kept as `node.toml` in its data directory.
///
/// ```toml
/// [node]
/// code = "130102001001"
/// name = "建设北大街社区"
///
/// [sync]
/// listen = "tcp://127.0.0.1:7104"
/// parent = "tcp://127.0.0.1:7103"       # absent at the top of the tree
/// parent_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
///
/// [http]
/// listen = "127.0.0.1:8104"
/// ```
public struct NodeConfig: Codable, Sendable, Equatable {
    public struct Node: Codable, Sendable, Equatable {
        /// 12-digit administrative division code; the level follows from it.
        public var code: String
        /// Display name, e.g. 建设北大街社区.
        public var name: String
    }

    public struct Sync: Codable, Sendable, Equatable {
        /// ZeroMQ endpoint the ROUTER for children binds, e.g. `tcp://0.0.0.0:7100`.
        public var listen: String
        /// The parent's ROUTER endpoint; nil at the top of the tree.
        public var parent: String?
        /// The parent's CURVE public key (Z85).
        public var parentKey: String?
        /// The parent's code, if the operator stated it: a WELCOME from another node is refused.
        public var parentCode: String?
        /// Largest ZeroMQ message accepted, in bytes.
        public var maxMessageBytes: Int = 16 << 20
        /// Batches a link may have unacknowledged before it waits.
        public var maxInFlight: Int = 4
        /// Cells per batch at most.
        public var batchCells: Int = 5_000
        /// Interval between heartbeats.
        public var heartbeatIntervalMs: Int = 1_000
        /// A peer silent for this long is considered dead and the link is re-established.
        public var heartbeatTimeoutMs: Int = 5_000
        /// Remote clocks further ahead than this are refused.
        public var maxClockSkewMs: Int = 300_000
        /// fsync every commit, so an acknowledged batch survives a power cut. Only tests turn it off.
        public var durable: Bool = true

        enum CodingKeys: String, CodingKey {
            case listen, parent
            case parentKey = "parent_key"
            case parentCode = "parent_code"
            case maxMessageBytes = "max_message_bytes"
            case maxInFlight = "max_in_flight"
            case batchCells = "batch_cells"
            case heartbeatIntervalMs = "heartbeat_interval_ms"
            case heartbeatTimeoutMs = "heartbeat_timeout_ms"
            case maxClockSkewMs = "max_clock_skew_ms"
            case durable
        }

        public init(listen: String, parent: String? = nil, parentKey: String? = nil) {
            self.listen = listen
            self.parent = parent
            self.parentKey = parentKey
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Sync(listen: "")
            listen = try container.decode(String.self, forKey: .listen)
            parent = try container.decodeIfPresent(String.self, forKey: .parent)
            parentKey = try container.decodeIfPresent(String.self, forKey: .parentKey)
            parentCode = try container.decodeIfPresent(String.self, forKey: .parentCode)
            maxMessageBytes =
                try container.decodeIfPresent(Int.self, forKey: .maxMessageBytes) ?? defaults.maxMessageBytes
            maxInFlight = try container.decodeIfPresent(Int.self, forKey: .maxInFlight) ?? defaults.maxInFlight
            batchCells = try container.decodeIfPresent(Int.self, forKey: .batchCells) ?? defaults.batchCells
            heartbeatIntervalMs =
                try container.decodeIfPresent(Int.self, forKey: .heartbeatIntervalMs) ?? defaults.heartbeatIntervalMs
            heartbeatTimeoutMs =
                try container.decodeIfPresent(Int.self, forKey: .heartbeatTimeoutMs) ?? defaults.heartbeatTimeoutMs
            maxClockSkewMs = try container.decodeIfPresent(Int.self, forKey: .maxClockSkewMs) ?? defaults.maxClockSkewMs
            durable = try container.decodeIfPresent(Bool.self, forKey: .durable) ?? defaults.durable
        }
    }

    public struct HTTP: Codable, Sendable, Equatable {
        /// `HOST:PORT` the HTTP server (dashboard, API, /metrics) listens on.
        public var listen: String
    }

    public var node: Node
    public var sync: Sync
    public var http: HTTP
    /// Who qualifies for what; absent in node.toml means the seeds' defaults.
    public var eligibility: EligibilityPolicy?
    /// Storage limits; absent means none but the disk.
    public var storage: Storage?
    /// Fault switches for the chaos harness (testing only); absent means all off.
    public var faults: Faults?
    /// Which personal fields replicate above which level; absent in node.toml means the defaults
    /// (full roster up to the district, no hash key: resident IDs left out above it). A node above the
    /// level must not hold `hash_key`: `validate` refuses it.
    public var privacy: PrivacyPolicy?

    public init(
        code: String, name: String, listen: String, http: String, parent: String? = nil, parentKey: String? = nil
    ) {
        self.node = Node(code: code, name: name)
        self.sync = Sync(listen: listen, parent: parent, parentKey: parentKey)
        self.http = HTTP(listen: http)
    }

    /// The node's code, parsed.
    public var code: NodeCode {
        get throws { try NodeCode(node.code) }
    }

    /// Checks everything a running node relies on; the message says which setting to fix.
    public func validate() throws(NodeError) {
        let code: NodeCode
        do {
            code = try NodeCode(node.code)
        } catch {
            throw NodeError(.invalidConfig, "node.code: \(error.message)")
        }
        guard !node.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw NodeError(.invalidConfig, "node.name is empty: give the node a name people recognise")
        }
        guard Self.isZeroMQEndpoint(sync.listen) else {
            throw NodeError(.invalidConfig, "sync.listen \"\(sync.listen)\" must look like tcp://HOST:PORT")
        }
        if let parent = sync.parent {
            guard Self.isZeroMQEndpoint(parent) else {
                throw NodeError(.invalidConfig, "sync.parent \"\(parent)\" must look like tcp://HOST:PORT")
            }
            guard let key = sync.parentKey, (try? CurveKeyPair.validate(key, role: "parent key")) != nil else {
                throw NodeError(
                    .invalidConfig,
                    "sync.parent_key must be the parent's 40-character Z85 public key (fedctl key show on the parent)")
            }
            guard code.parent != nil else {
                throw NodeError(.invalidConfig, "node \(code) is a province-level node and cannot have a parent")
            }
            if let parentCode = sync.parentCode {
                guard let parent = try? NodeCode(parentCode), parent.level < code.level else {
                    throw NodeError(
                        .invalidConfig,
                        "sync.parent_code \(parentCode) is not a code of a higher level than \(code): a node links to the office above it"
                    )
                }
            }
        }
        do {
            try privacy?.validate()
            try privacy?.checkKeyPlacement(at: code.level)
        } catch {
            throw NodeError(error)
        }
        guard NodeHTTP.hostPort(http.listen) != nil else {
            throw NodeError(.invalidConfig, "http.listen \"\(http.listen)\" must look like HOST:PORT")
        }
        guard sync.maxInFlight >= 1, sync.batchCells >= 1, sync.maxMessageBytes >= 64 << 10,
            sync.heartbeatIntervalMs >= 50, sync.heartbeatTimeoutMs > sync.heartbeatIntervalMs,
            sync.maxClockSkewMs >= 1_000
        else {
            throw NodeError(
                .invalidConfig,
                "a [sync] limit is out of range (max_in_flight ≥ 1, batch_cells ≥ 1, max_message_bytes ≥ 65536, heartbeat_timeout_ms > heartbeat_interval_ms ≥ 50, max_clock_skew_ms ≥ 1000)"
            )
        }
        try storage?.validate()
        try faults?.validate()
    }

    static func isZeroMQEndpoint(_ text: String) -> Bool {
        guard text.hasPrefix("tcp://") else { return false }
        let address = String(text.dropFirst(6))
        if address.hasSuffix(":*") { return address.count > 2 }  // any free port (tests)
        return NodeHTTP.hostPort(address) != nil
    }
}
