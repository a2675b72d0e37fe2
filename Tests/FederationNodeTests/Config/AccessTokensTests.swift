import Eldercare
import FederationNode
import Foundation
import Testing

@Suite(.timeLimit(.minutes(10))) struct AccessTokensTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("eldercare-tokens-\(UUID().uuidString)").path
    }

    func config() -> NodeConfig {
        NodeConfig(code: "130102001001", name: "建设北大街社区", listen: "tcp://127.0.0.1:7104", http: "127.0.0.1:8104")
    }

    @Test func tokensAreLongRandomHexAndDiffer() {
        let tokens = (0..<50).map { _ in AccessTokens.makeToken() }
        #expect(Set(tokens).count == 50)
        #expect(tokens.allSatisfy(AccessTokens.isWellFormed))
        #expect(tokens.allSatisfy { $0.count == 64 })
        let pair = AccessTokens.generate()
        #expect(pair.viewer != pair.operator)
    }

    @Test func aTokenGrantsItsRoleAndNothingElseDoes() {
        let tokens = AccessTokens(
            viewer: String(repeating: "a", count: 64), operator: String(repeating: "b", count: 64))
        #expect(tokens.role(for: tokens.viewer) == .viewer)
        #expect(tokens.role(for: tokens.operator) == .operator)
        #expect(tokens.role(for: String(repeating: "a", count: 63)) == nil)
        #expect(tokens.role(for: String(repeating: "a", count: 64) + "a") == nil)
        #expect(tokens.role(for: String(repeating: "a", count: 63) + "b") == nil)
        #expect(tokens.role(for: "") == nil)
        #expect(AccessRole.operator.includes(.viewer))
        #expect(!AccessRole.viewer.includes(.operator))
    }

    @Test func initializeWritesBothTokensPrivately() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.initialize(at: path, config: config())
        let tokens = try directory.loadTokens()
        #expect(tokens.viewer != tokens.operator)
        for role in AccessRole.allCases {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.tokenURL(role).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        let (again, created) = try directory.loadOrCreateTokens()
        #expect(again == tokens)
        #expect(created.isEmpty)
    }

    @Test func missingTokensAreCreatedAndRotationReplacesOne() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.initialize(at: path, config: config())
        let original = try directory.loadTokens()
        try FileManager.default.removeItem(at: directory.tokenURL(.operator))
        #expect(throws: NodeError.self) { try directory.loadTokens() }
        let (tokens, created) = try directory.loadOrCreateTokens()
        #expect(created == [.operator])
        #expect(tokens.viewer == original.viewer)
        #expect(tokens.operator != original.operator)
        let fresh = try directory.rotateToken(.viewer)
        #expect(try directory.loadTokens() == AccessTokens(viewer: fresh, operator: tokens.operator))
    }

    @Test func aDamagedTokenFileSaysHowToReplaceIt() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.initialize(at: path, config: config())
        try Data("not a token\n".utf8).write(to: directory.tokenURL(.viewer))
        do {
            _ = try directory.loadTokens()
            Issue.record("a damaged token file was accepted")
        } catch let error as NodeError {
            #expect("\(error)".contains("fedctl token rotate"))
        }
    }
}
