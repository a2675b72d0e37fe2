import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension NodeClient {
    /// GETs `path` with `query` and returns the raw body and the decoded JSON object; HTTP errors become a
    /// failure naming the node's message (401 and 403 say what token to pass).
    func get(_ path: String, query: [(String, String)]) async throws -> (data: Data, json: [String: Any]) {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        var request = URLRequest(url: components.url!)
        request.timeoutInterval = 120
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw FedctlFailure(
                message:
                    "cannot reach the node at \(base.absoluteString): \(error.localizedDescription); is fedctl run going there?"
            )
        }
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            let message =
                (json["error"] as? [String: Any])?["message"] as? String
                ?? String(decoding: data.prefix(500), as: UTF8.self)
            let code = (json["error"] as? [String: Any])?["code"] as? String
            let hint =
                status == 401 || (status == 403 && code != "forbidden_scope")
                ? " (pass --token or set ELDERCARE_TOKEN; fedctl token show --data DIR --role viewer prints one)" : ""
            throw FedctlFailure(message: "the node answered \(status): \(message)\(hint)")
        }
        return (data, json)
    }
}
