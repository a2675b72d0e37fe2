import Foundation
import Logging
import Replication
import TestSupport
import Testing

@testable import Eldercare
@testable import FederationNode

/// Only nodes at or below the privacy boundary hold `[privacy] hash_key` (docs/PRIVACY.md): with it, a
/// city could recover every resident ID from the birth month, gender and community it stores.
@Suite(.timeLimit(.minutes(10))) struct PrivacyBoundaryTests {
    static let key = String(repeating: "3f9a", count: 16)

    static func config(_ code: String, key: String? = Self.key, upTo level: NodeCode.Level = .district) -> NodeConfig {
        var config = NodeConfig(code: code, name: "节点 \(code)", listen: "tcp://127.0.0.1:7100", http: "127.0.0.1:8100")
        config.privacy = PrivacyPolicy(fullRosterUpTo: level, hashKey: key)
        return config
    }

    @Test func aNodeAboveTheBoundaryRefusesAKeyAndSaysWhyAndWhatToDo() throws {
        for code in ["130000000000", "130100000000"] {
            let error = #expect(throws: NodeError.self) { try Self.config(code).validate() }
            #expect(error?.code == .privacyKeyAboveBoundary)
            let message = error?.message ?? ""
            // Chinese first, English beside it: why, and the line to delete.
            #expect(message.hasPrefix(code == "130100000000" ? "市级节点" : "省级节点"), "\(message)")
            #expect(message.contains("删除 node.toml 中 [privacy] 下的 hash_key"))
            #expect(message.contains("must not hold [privacy] hash_key"))
            #expect(message.contains("recover the ID behind each hash"))
            #expect(message.contains("Delete the hash_key line"))
            #expect(message.firstRange(of: "删除")!.lowerBound < message.firstRange(of: "Delete")!.lowerBound)
        }
        // At and below the boundary the key belongs; without a key every level is fine.
        for code in ["130102000000", "130102001000", "130102001001"] { try Self.config(code).validate() }
        try Self.config("130100000000", key: nil).validate()
        // The boundary is the node's own policy: raised to the city, the city may hold the key.
        try Self.config("130100000000", upTo: .city).validate()
        let street = #expect(throws: NodeError.self) { try Self.config("130102000000", upTo: .street).validate() }
        #expect(street?.code == .privacyKeyAboveBoundary)
    }

    @Test func initializingANodeAboveTheBoundaryWithAKeyWritesNothing() throws {
        let root = try TemporaryDirectory("privacy-init")
        let path = root.path("city")
        #expect(throws: NodeError.self) { try DataDirectory.initialize(at: path, config: Self.config("130100000000")) }
        #expect(!FileManager.default.fileExists(atPath: path + "/node.toml"))
        let city = try DataDirectory.initialize(at: path, config: Self.config("130100000000", key: nil))
        #expect(try !String(contentsOf: city.configURL, encoding: .utf8).contains("hash_key"))
        #expect(try city.loadConfig().privacy?.hashKey == nil)
    }

    @Test func anUpgradedNodeAboveTheBoundaryWithAKeyDoesNotStartAndItsFileIsKept() async throws {
        let root = try TemporaryDirectory("privacy-upgrade")
        let city = try DataDirectory.initialize(at: root.path("city"), config: Self.config("130100000000", key: nil))
        // What an earlier version wrote at the top node: the federation's key in its node.toml.
        try city.saveConfig(Self.config("130100000000"))
        let before = try String(contentsOf: city.configURL, encoding: .utf8)
        #expect(before.contains("hash_key = '\(Self.key)'"))

        let loaded = #expect(throws: NodeError.self) { try city.loadConfig() }
        #expect(loaded?.code == .privacyKeyAboveBoundary)
        #expect(loaded?.message.hasPrefix(city.configURL.path + ": ") == true, "\(loaded?.message ?? "")")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let started = await #expect(throws: NodeError.self) {
            _ = try await NodeDaemon(directory: city, logger: logger)
        }
        #expect(started?.code == .privacyKeyAboveBoundary)
        #expect(started?.message.contains("Delete the hash_key line") == true)
        // The operator's file is not rewritten for them.
        #expect(try String(contentsOf: city.configURL, encoding: .utf8) == before)
    }

    @Test func aRunningNodeAboveTheBoundaryHoldsNoKeyInItsFileOrInMemory() async throws {
        try await TestFederation.with { federation in
            let keyed: (inout NodeConfig) -> Void = { $0.privacy = PrivacyPolicy(hashKey: Self.key) }
            let city = try await federation.start("130100000000")
            let district = try await federation.start("130102000000", under: "130100000000", configure: keyed)
            #expect(city.daemon.config.privacy?.hashKey == nil)
            #expect(try !String(contentsOf: city.directory.configURL, encoding: .utf8).contains("hash_key"))
            #expect(district.daemon.config.privacy?.hashKey == Self.key)
            // A city configured with the key does not start.
            await #expect(throws: NodeError.self) { try await federation.start("130200000000", configure: keyed) }
        }
    }
}
