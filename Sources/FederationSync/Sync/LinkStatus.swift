public import Foundation
package import GRDB

/// One link's state as `fedctl status` and `/metrics` show it: connection, watermarks, lag and
/// refused changes.
public struct LinkStatus: Codable, Sendable {
    public var role: LinkStatistics.Role
    public var peer: String
    public var connected: Bool
    /// Unix ms of the last message from the peer.
    public var lastSeen: UInt64
    /// Last sequence of this node's feed the peer acknowledged.
    public var sentWatermark: UInt64
    /// This node's feed sequences not yet acknowledged by the peer (an upper bound on pending changes).
    public var sendLag: UInt64
    /// Last sequence of the peer's feed this node committed.
    public var receivedWatermark: UInt64
    /// How far this node is behind the peer's feed head (as of its last heartbeat).
    public var receiveLag: UInt64
    public var batchesSent: Int64
    public var batchesReceived: Int64
    public var cellsSent: Int64
    public var bytesSent: Int64
    public var cellsReceived: Int64
    public var refusedBatches: Int64
    public var refusedCells: Int64
    /// Cells of single changes refused and left out of applied batches (docs/PROTOCOL.md).
    public var refusedChanges: Int64
    /// `refusedChanges` by the code of the rule broken.
    public var refusedByCode: [String: Int64]
    /// Personal cells stripped on arrival above the privacy level (docs/PRIVACY.md).
    public var privacyStripped: Int64
    public var lastError: String

    enum CodingKeys: String, CodingKey {
        case role, peer, connected
        case lastSeen = "last_seen"
        case sentWatermark = "sent_watermark"
        case sendLag = "send_lag"
        case receivedWatermark = "received_watermark"
        case receiveLag = "receive_lag"
        case batchesSent = "batches_sent"
        case batchesReceived = "batches_received"
        case cellsSent = "cells_sent"
        case bytesSent = "bytes_sent"
        case cellsReceived = "cells_received"
        case refusedBatches = "refused_batches"
        case refusedCells = "refused_cells"
        case refusedChanges = "refused_changes"
        case refusedByCode = "refused_by_code"
        case privacyStripped = "privacy_stripped"
        case lastError = "last_error"
    }

    /// The feed head, epoch and links of an open store (what `read` shows; `/metrics` and the dashboard
    /// read it from the running node's own database).
    package static func snapshot(_ db: Database) throws -> (head: UInt64, epoch: String, links: [LinkStatus]) {
        let meta = try Row.fetchOne(db, sql: "SELECT last_seq, epoch FROM crdt_meta WHERE id = 1")
        let head = UInt64(clamping: meta?["last_seq"] as Int64? ?? 0)
        var watermarks: [String: [String: UInt64]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT peer, direction, seq FROM crdt_watermarks") {
            watermarks[row["peer"], default: [:]][row["direction"]] = UInt64(clamping: row["seq"] as Int64)
        }
        let links = try LinkStatistics.all(db).map { statistics in
            let sent = watermarks[statistics.peer]?["sent"] ?? 0
            let received = watermarks[statistics.peer]?["received"] ?? 0
            return LinkStatus(
                role: statistics.role, peer: statistics.peer, connected: statistics.connected,
                lastSeen: statistics.lastSeen, sentWatermark: sent, sendLag: head > sent ? head - sent : 0,
                receivedWatermark: received,
                receiveLag: statistics.peerHead > received ? statistics.peerHead - received : 0,
                batchesSent: statistics.batchesSent, batchesReceived: statistics.batchesReceived,
                cellsSent: statistics.cellsSent, bytesSent: statistics.bytesSent,
                cellsReceived: statistics.cellsReceived,
                refusedBatches: statistics.refusedBatches, refusedCells: statistics.refusedCells,
                refusedChanges: statistics.refusedChanges, refusedByCode: statistics.refusedByCode,
                privacyStripped: statistics.privacyStripped, lastError: statistics.lastError)
        }
        return (head, meta?["epoch"] ?? "", links)
    }
}
