import Eldercare
import FederationHTTP
import FederationNode
import Foundation
import Logging
import Replication
@_exported import TestSupport

/// A node for tests: a real SQLite store in its own temporary directory (removed on release), its
/// context, and the `calls` table prepared.
final class TestNode: Sendable {
    let directory: URL
    let store: ReplicaStore
    let context: NodeContext

    var code: NodeCode { store.node }

    /// - Parameter maxDatabaseBytes: a size limit for the database (`[storage] max_database_mb`).
    init(_ code: String, maxDatabaseBytes: Int64? = nil) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("eldercare-http-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let node = try NodeCode(code)
        var configuration = StoreConfiguration()
        configuration.fsyncEveryCommit = false
        configuration.maxDatabaseBytes = maxDatabaseBytes
        store = try NodeSchema.open(
            path: directory.appendingPathComponent("node.sqlite").path, node: node, configuration: configuration)
        context = NodeContext(
            config: NodeConfig(code: code, name: "测试节点", listen: "tcp://127.0.0.1:0", http: "127.0.0.1:0"), code: node,
            store: store, logger: Logger(label: "test.\(code)"), tokens: TestTokens.tokens)
    }

    /// Number of rows in the `calls` table.
    func callRows() throws -> Int {
        try store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM calls") ?? 0 }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

enum Codes {
    static let city = "130100000000"
    static let district = "130102000000"
    static let street = "130102001000"
    static let community = "130102001001"
    static let neighbour = "130102001002"
    static let otherStreetCommunity = "130102002001"
    static let otherDistrictCommunity = "130103001001"
}
