import FederationNode
import Foundation
import Replication
import Testing

/// `[faults]` and `[storage]` in node.toml: absent means off, values read back, out of range refused.
@Suite(.timeLimit(.minutes(10))) struct FaultConfigTests {
    static func directory(_ toml: String) throws -> (DataDirectory, URL) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("eldercare-faults-\(UUID().uuidString)")
        let directory = try DataDirectory.initialize(
            at: url.path,
            config: NodeConfig(
                code: "130102001001", name: "建设北大街社区", listen: "tcp://127.0.0.1:7104", http: "127.0.0.1:8104"))
        let text = try String(contentsOf: directory.configURL, encoding: .utf8)
        try (text + "\n" + toml).write(to: directory.configURL, atomically: true, encoding: .utf8)
        return (directory, url)
    }

    @Test func absentTablesMeanEverySwitchOff() throws {
        let (directory, url) = try Self.directory("")
        defer { try? FileManager.default.removeItem(at: url) }
        let config = try directory.loadConfig()
        #expect(config.faults == nil)
        #expect(config.storage == nil)
    }

    @Test func switchesAndLimitReadBackAndSurviveASave() throws {
        let (directory, url) = try Self.directory(
            """
            [faults]
            drop_batch_probability = 0.25
            duplicate_batch_probability = 0.5
            clock_offset_ms = 600000

            [storage]
            max_database_mb = 64
            """)
        defer { try? FileManager.default.removeItem(at: url) }
        let config = try directory.loadConfig()
        #expect(
            config.faults
                == NodeConfig.Faults(dropBatchProbability: 0.25, duplicateBatchProbability: 0.5, clockOffsetMs: 600_000)
        )
        #expect(config.faults?.isActive == true)
        #expect(config.storage?.maxDatabaseMB == 64)
        try directory.saveConfig(config)
        #expect(try directory.loadConfig() == config)
    }

    @Test(arguments: [
        "[faults]\ndrop_batch_probability = 1.0", "[faults]\nduplicate_batch_probability = -0.1",
        "[faults]\nclock_offset_ms = 90000000", "[storage]\nmax_database_mb = 0",
    ])
    func outOfRangeValuesAreRefusedWithTheSetting(_ toml: String) throws {
        let (directory, url) = try Self.directory(toml)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: NodeError.self) { try directory.loadConfig() }
        #expect(error.message.contains(toml.contains("storage") ? "max_database_mb" : "[faults]"))
    }
}
