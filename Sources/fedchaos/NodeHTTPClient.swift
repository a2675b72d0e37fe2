import Foundation
import LoopbackHTTP
import NIOCore
import NIOHTTP1

/// JSON over HTTP to one node on loopback, each request on its own connection with a hard deadline
/// (`LoopbackHTTP`): a request the node never answers fails after `deadline` seconds and counts as
/// unanswered, it cannot hold the run. Sends `Authorization: Bearer T` when the node's data
/// directory holds an operator token (`tokens/operator`).
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
    var deadline: Double = 10

    func get(_ path: String) async throws -> Answer { try await request(.GET, path, body: nil) }

    func post(_ path: String, json: Any) async throws -> Answer {
        try await request(.POST, path, body: try JSONSerialization.data(withJSONObject: json))
    }

    private func request(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Answer {
        guard let port = base.port else { throw ChaosError("no port in \(base)") }
        let token = (try? String(contentsOf: dataDirectory.appendingPathComponent("tokens/operator"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (status, data) = try await LoopbackHTTP.withConnection(
            host: base.host ?? "127.0.0.1", port: port, token: token, deadline: deadline
        ) { connection in
            try await connection.send(method, path, body: body.map { ByteBuffer(data: $0) })
        }
        let bytes = Data(data.readableBytesView)
        return Answer(
            status: status, json: try? JSONSerialization.jsonObject(with: bytes),
            text: String(decoding: bytes.prefix(500), as: UTF8.self))
    }

    /// Whether `GET /healthz` answers 200 within 2 s (no token needed).
    static func isHealthy(_ base: URL) async -> Bool {
        guard let port = base.port else { return false }
        let status = try? await LoopbackHTTP.withConnection(host: base.host ?? "127.0.0.1", port: port, deadline: 2) {
            try await $0.send(.GET, "/healthz").status
        }
        return status == 200
    }
}
