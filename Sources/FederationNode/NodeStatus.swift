public import FederationSync
import Foundation
import GRDB
import Replication

/// What `fedctl status` shows: the node's feed head and, per link, connection state, watermarks, lag
/// and refused changes. Read from the data directory, so it works whether or not the node runs.
public struct NodeStatus: Codable, Sendable {
    /// The state of one link (`LinkStatus`).
    public typealias Link = LinkStatus

    public var node: String
    public var name: String
    public var level: String
    public var head: UInt64
    public var epoch: String
    public var links: [Link]
    /// Stored statistics cells moved to `crdt_stats_refused` because they break the cell grammar.
    public var quarantinedStatistics: Int

    enum CodingKeys: String, CodingKey {
        case node, name, level, head, epoch, links
        case quarantinedStatistics = "quarantined_statistics"
    }

    /// Reads the status from a data directory (read-only; safe beside a running node).
    public static func read(_ directory: DataDirectory) throws -> NodeStatus {
        let config = try directory.loadConfig()
        let code = try config.code
        guard FileManager.default.fileExists(atPath: directory.databasePath) else {
            return NodeStatus(
                node: code.rawValue, name: config.node.name, level: "\(code.level)", head: 0, epoch: "", links: [],
                quarantinedStatistics: 0)
        }
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: directory.databasePath, configuration: configuration)
        let snapshot = try database.read { db in try LinkStatus.snapshot(db) }
        let quarantined = try database.read { db in
            try db.tableExists("crdt_stats_refused")
                ? try Int.fetchOne(db, sql: "SELECT count(*) FROM crdt_stats_refused") ?? 0 : 0
        }
        return NodeStatus(
            node: code.rawValue, name: config.node.name, level: "\(code.level)", head: snapshot.head,
            epoch: snapshot.epoch, links: snapshot.links, quarantinedStatistics: quarantined)
    }
}
