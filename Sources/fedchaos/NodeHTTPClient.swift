import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// JSON over HTTP to one node. Sends `Authorization: Bearer T` when the node's data directory holds
/// an operator token (`tokens/operator`).
///
///     let client = NodeHTTPClient(base: URL(string: "http://127.0.0.1:8100")!, dataDirectory: dir)
///     let answer = try await client.post("/api/v1/calls", json: [call])
struct NodeHTTPClient: Sendable {
    struct Answer: @unchecked Sendable {
        let status: Int
        let json: Any?
        let text: String
    }

    let base: URL
    let dataDirectory: URL

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        configuration.httpMaximumConnectionsPerHost = 8
        return URLSession(configuration: configuration)
    }()

    func get(_ path: String) async throws -> Answer { try await request("GET", path, body: nil) }

    func post(_ path: String, json: Any) async throws -> Answer {
        try await request("POST", path, body: try JSONSerialization.data(withJSONObject: json))
    }

    private func request(_ method: String, _ path: String, body: Data?) async throws -> Answer {
        guard let url = URL(string: base.absoluteString + path) else { throw ChaosError("bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 10
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token = try? String(contentsOf: dataDirectory.appendingPathComponent("tokens/operator"), encoding: .utf8)
        {
            request.setValue(
                "Bearer \(token.trimmingCharacters(in: .whitespacesAndNewlines))", forHTTPHeaderField: "Authorization")
        }
        let (data, response) = try await Self.session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return Answer(
            status: status, json: try? JSONSerialization.jsonObject(with: data),
            text: String(decoding: data.prefix(500), as: UTF8.self))
    }

    /// Whether `GET /healthz` answers 200 (no token needed).
    static func isHealthy(_ base: URL) async -> Bool {
        guard let url = URL(string: base.absoluteString + "/healthz") else { return false }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (_, response) = try? await session.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }
}
