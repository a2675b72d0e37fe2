import FederationNode
import Foundation
import Replication
import Testing
import ZeroMQTransport

@Suite(.timeLimit(.minutes(10))) struct DataDirectoryTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("eldercare-dd-\(UUID().uuidString)").path
    }

    @Test func initializeWritesConfigAndKeysThatReadBack() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let parentKey = try CurveKeyPair.generate().publicKey
        let config = NodeConfig(
            code: "130102001001", name: "建设北大街社区", listen: "tcp://127.0.0.1:7104", http: "127.0.0.1:8104",
            parent: "tcp://127.0.0.1:7103", parentKey: parentKey)
        let directory = try DataDirectory.initialize(at: path, config: config)
        #expect(try directory.loadConfig() == config)
        let keys = try directory.loadKeyPair()
        #expect(keys.publicKey.count == 40)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.secretKeyURL.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(throws: NodeError.self) { try DataDirectory.initialize(at: path, config: config) }
    }

    @Test func trustAcceptsOnlyDescendantsWithValidKeys() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let street = try NodeCode("130102001000")
        let directory = try DataDirectory.initialize(
            at: path,
            config: NodeConfig(
                code: street.rawValue, name: "建设街道", listen: "tcp://127.0.0.1:7103", http: "127.0.0.1:8103"))
        let childKey = try CurveKeyPair.generate().publicKey
        try directory.trust(child: try NodeCode("130102001001"), publicKey: childKey, of: street)
        #expect(directory.trustedChildren()[childKey]?.code == (try NodeCode("130102001001")))
        #expect(directory.trustedChildren()[childKey]?.covers == [])
        #expect(throws: NodeError.self) {
            try directory.trust(child: try NodeCode("130102002001"), publicKey: childKey, of: street)
        }
        #expect(throws: NodeError.self) {
            try directory.trust(child: try NodeCode("130102001002"), publicKey: "not-a-key", of: street)
        }
        // A community re-assigned here from another street keeps its code.
        try directory.trust(child: try NodeCode("130102002001"), publicKey: childKey, of: street, transferred: true)
        #expect(throws: NodeError.self) {
            try directory.trust(child: try NodeCode("130102000000"), publicKey: childKey, of: street, transferred: true)
        }
    }

    @Test(arguments: [
        ("13010200100", "tcp://127.0.0.1:1", "127.0.0.1:2"),
        ("130102001001", "127.0.0.1:1", "127.0.0.1:2"),
        ("130102001001", "tcp://127.0.0.1:1", "nohost"),
    ])
    func invalidConfigurationsAreRefused(_ code: String, _ listen: String, _ http: String) {
        #expect(throws: NodeError.self) {
            try NodeConfig(code: code, name: "x", listen: listen, http: http).validate()
        }
    }
}
