import Foundation
import Testing

/// `fedctl token show|rotate`, the token files, and tokens created on the first `fedctl run` of an
/// older data directory — as separate processes.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FedctlTokenTests {
    static let community = "130102001001"

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static func isToken(_ text: String) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    @Test func initCreatesTwoPrivateTokensThatShowAndRotatePrint() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise(Self.community, name: "建设北大街社区")
        let data = try #require(federation.nodes[Self.community]?.data)
        for role in ["viewer", "operator"] {
            #expect(try Self.mode(data + "/tokens/" + role) == 0o600, "\(role)")
        }
        let viewer = try federation.lastLine(
            federation.fedctl(["token", "show", "--data", data, "--role", "viewer"]).output)
        let operatorToken = try federation.lastLine(
            federation.fedctl(["token", "show", "--data", data, "--role", "operator"]).output)
        #expect(Self.isToken(viewer) && Self.isToken(operatorToken))
        #expect(viewer != operatorToken)
        #expect(try String(contentsOfFile: data + "/tokens/viewer", encoding: .utf8) == viewer + "\n")

        let rotated = try federation.fedctl(["token", "rotate", "--data", data, "--role", "viewer"])
        #expect(rotated.status == 0)
        let fresh = try federation.lastLine(rotated.output)
        #expect(Self.isToken(fresh) && fresh != viewer)
        #expect(
            try federation.lastLine(federation.fedctl(["token", "show", "--data", data, "--role", "viewer"]).output)
                == fresh)
        #expect(try Self.mode(data + "/tokens/viewer") == 0o600)

        let badRole = try federation.fedctl(["token", "show", "--data", data, "--role", "admin"])
        #expect(badRole.status != 0)
        #expect(badRole.error.contains("viewer") && badRole.error.contains("operator"), "\(badRole.error)")
    }

    @Test func anOlderDataDirectoryGetsTokensOnItsFirstRunAndTheAPINeedsThem() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise(Self.community, name: "建设北大街社区")
        let data = try #require(federation.nodes[Self.community]?.data)
        try FileManager.default.removeItem(atPath: data + "/tokens")
        try await federation.start(Self.community)
        #expect(FileManager.default.fileExists(atPath: data + "/tokens/viewer"))
        #expect(FileManager.default.fileExists(atPath: data + "/tokens/operator"))
        try federation.refreshToken(Self.community)

        let anonymous = try await federation.raw(Self.community, "/api/v1/elders", token: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.body.contains("fedctl token show"), "\(anonymous.body)")
        let wrong = try await federation.raw(Self.community, "/api/v1/elders", token: String(repeating: "0", count: 64))
        #expect(wrong.status == 401)
        let health = try await federation.raw(Self.community, "/healthz", token: nil)
        #expect(health.status == 200)
        let listed = try await federation.get(Self.community, "/api/v1/elders")
        #expect((listed["total"] as? NSNumber)?.intValue == 0)
    }
}
