import Eldercare
import FederationNode
import Hummingbird
import HummingbirdTesting

/// The fixed tokens of every `TestNode` (a real node draws random ones at `fedctl init`).
enum TestTokens {
    static let tokens = AccessTokens(
        viewer: String(repeating: "a1", count: 32), operator: String(repeating: "0f", count: 32))
    static let viewer = tokens.viewer
    static let `operator` = tokens.operator
}

extension TestClientProtocol {
    /// `execute` carrying `Authorization: Bearer` with the role's token (the operator's by default).
    func authorized(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        role: AccessRole = .operator
    ) async throws -> TestResponse {
        var headers = headers
        headers[.authorization] = "Bearer \(TestTokens.tokens[role])"
        return try await execute(uri: uri, method: method, headers: headers, body: body)
    }
}
