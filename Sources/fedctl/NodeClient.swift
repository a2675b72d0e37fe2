import FederationNode
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small HTTP client for a node's JSON API (`--node URL`, optional `--token`).
struct NodeClient {
    let base: URL
    let token: String?

    init(node: String, token: String?) throws {
        guard let url = URL(string: node.hasPrefix("http") ? node : "http://" + node), url.host != nil else {
            throw FedctlFailure(message: "--node \(node) is not a URL like http://127.0.0.1:8103")
        }
        base = url
        self.token = token
    }

    /// The node's URL and operator token from its data directory (`http.listen`, `tokens/operator`);
    /// a wildcard listen address is reached on loopback.
    init(directory: DataDirectory) throws {
        let config: NodeConfig
        let token: String
        do {
            config = try directory.loadConfig()
            token = try directory.loadTokens().operator
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
        var address = config.http.listen
        for wildcard in ["0.0.0.0:", "[::]:"] where address.hasPrefix(wildcard) {
            address = "127.0.0.1:" + address.dropFirst(wildcard.count)
        }
        try self.init(node: "http://" + address, token: token)
    }

    /// Whether anything answers HTTP at the node's address (whatever the status).
    func answers() async -> Bool {
        var request = URLRequest(url: base.appendingPathComponent("healthz"))
        request.timeoutInterval = 2
        return (try? await URLSession.shared.data(for: request)) != nil
    }

    /// GETs `path` (with its query) and returns the decoded JSON object.
    func get(_ path: String, timeout: TimeInterval = 30) async throws -> [String: Any] {
        guard let url = URL(string: path, relativeTo: base) else { throw FedctlFailure(message: "bad path \(path)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        return try await send(request)
    }

    /// POSTs `body` and returns the decoded JSON object; HTTP errors become a failure naming the node's message.
    func post(_ path: String, body: Data, contentType: String) async throws -> [String: Any] {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 120
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> [String: Any] {
        var request = request
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
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            let error =
                (json["error"] as? [String: Any])?["message"] as? String
                ?? String(decoding: data.prefix(500), as: UTF8.self)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            throw FedctlFailure(message: "the node answered \(status): \(error)")
        }
        return json
    }
}

/// Counts of an upload and the rows it refused, with their place in the file.
struct UploadTally {
    var accepted = 0
    var duplicates = 0
    var rejected: [(line: Int, field: String, error: String)] = []

    /// Adds one answer `{"accepted","duplicates","rejected":[{"index","field","error"}]}`; `line(index)`
    /// maps an index of the request to a line of the file.
    mutating func add(_ answer: [String: Any], line: (Int) -> Int) {
        accepted += (answer["accepted"] as? NSNumber)?.intValue ?? 0
        duplicates += (answer["duplicates"] as? NSNumber)?.intValue ?? 0
        for item in answer["rejected"] as? [[String: Any]] ?? [] {
            let index = (item["index"] as? NSNumber)?.intValue ?? 0
            rejected.append((line(index), item["field"] as? String ?? "", item["error"] as? String ?? ""))
        }
    }

    /// Prints the summary; throws (exit status 1) if anything was refused, after listing it.
    func finish(_ what: String) throws {
        print("\(what): \(accepted) accepted, \(duplicates) duplicates, \(rejected.count) rejected")
        for row in rejected.prefix(50) {
            print("  line \(row.line): \(row.field): \(row.error)")
        }
        if rejected.count > 50 { print("  … and \(rejected.count - 50) more") }
        if !rejected.isEmpty {
            throw FedctlFailure(
                message:
                    "\(rejected.count) rows were refused (listed above); correct them and run the same command again — rows already accepted count as duplicates"
            )
        }
    }
}

/// Progress on stderr: a bar redrawn in place on a terminal, a line every 10% otherwise.
struct ProgressLine {
    let total: Int
    let label: String
    private var lastDecile = -1
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    mutating func update(_ done: Int) {
        let fraction = Double(done) / Double(total)
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) \(bar) \(done)/\(total)".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let decile = Int(fraction * 10)
            if decile != lastDecile {
                lastDecile = decile
                FileHandle.standardError.write(Data("\(label): \(done)/\(total) (\(decile * 10)%)\n".utf8))
            }
        }
    }
}
