import Foundation
public import GRDB
import Replication

/// Counters of one link, kept in memory by the link and flushed to the `node_links` table (not
/// replicated) so that `fedctl status` can read them from another process.
public struct LinkStatistics: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable {
        case parent, child
    }

    public var peer: String
    public var role: Role
    public var connected = false
    public var lastSeen: UInt64 = 0
    public var batchesSent: Int64 = 0
    public var cellsSent: Int64 = 0
    /// Compressed batch payload bytes sent.
    public var bytesSent: Int64 = 0
    public var batchesReceived: Int64 = 0
    public var cellsReceived: Int64 = 0
    public var cellsApplied: Int64 = 0
    public var refusedBatches: Int64 = 0
    public var refusedCells: Int64 = 0
    /// Cells of single changes refused and left out of batches that were otherwise applied (a record
    /// the sender does not own, a statistics cell outside the grammar, …; docs/PROTOCOL.md).
    public var refusedChanges: Int64 = 0
    /// `refusedChanges` by the code of the rule broken (`not_owner`, `invalid_statistic`, …).
    public var refusedByCode: [String: Int64] = [:]
    /// Personal cells a child should not have sent above the privacy boundary, stripped on arrival.
    public var privacyStripped: Int64 = 0
    public var lastError: String = ""
    /// The peer's feed head as of its last heartbeat.
    public var peerHead: UInt64 = 0
    public var updatedAt: UInt64 = 0

    public init(peer: String, role: Role) {
        self.peer = peer
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case peer, role, connected
        case lastSeen = "last_seen"
        case batchesSent = "batches_sent"
        case cellsSent = "cells_sent"
        case bytesSent = "bytes_sent"
        case batchesReceived = "batches_received"
        case cellsReceived = "cells_received"
        case cellsApplied = "cells_applied"
        case refusedBatches = "refused_batches"
        case refusedCells = "refused_cells"
        case refusedChanges = "refused_changes"
        case refusedByCode = "refused_by_code"
        case privacyStripped = "privacy_stripped"
        case lastError = "last_error"
        case peerHead = "peer_head"
        case updatedAt = "updated_at"
    }

    /// Counts the refusals and strips of one applied batch.
    mutating func count(_ outcome: MergeOutcome, stripped: Int) {
        refusedChanges += Int64(outcome.refused)
        for (code, cells) in outcome.refusedByCode { refusedByCode[code.rawValue, default: 0] += Int64(cells) }
        privacyStripped += Int64(stripped)
        if let first = outcome.refusals.first { lastError = "refused \(outcome.refused) cells: \(first)" }
    }

    /// Loads the stored counters of a peer (so they survive restarts), or fresh ones.
    static func load(peer: String, role: Role, _ database: any DatabaseReader) -> LinkStatistics {
        var statistics = LinkStatistics(peer: peer, role: role)
        if let stored = try? database.read({ db in try all(db).first { $0.peer == peer } }) {
            statistics = stored
            statistics.role = role
            statistics.connected = false
        }
        return statistics
    }

    func save(_ database: DatabasePool) {
        try? database.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO node_links(peer, role, connected, last_seen, batches_sent, cells_sent,
                        bytes_sent, batches_received, cells_received, cells_applied, refused_batches, refused_cells, last_error,
                        peer_head, updated_at, refused_changes, refused_by_code, privacy_stripped)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    peer, role.rawValue, connected, Int64(clamping: lastSeen), batchesSent, cellsSent, bytesSent,
                    batchesReceived, cellsReceived, cellsApplied, refusedBatches, refusedCells, lastError,
                    Int64(clamping: peerHead), Int64(clamping: updatedAt), refusedChanges, Self.encode(refusedByCode),
                    privacyStripped,
                ])
        }
    }

    /// Every stored link of a node.
    public static func all(_ db: Database) throws -> [LinkStatistics] {
        guard try db.tableExists("node_links") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT * FROM node_links ORDER BY role DESC, peer").map { row in
            var statistics = LinkStatistics(peer: row["peer"], role: Role(rawValue: row["role"]) ?? .child)
            statistics.connected = row["connected"]
            statistics.lastSeen = UInt64(clamping: row["last_seen"] as Int64)
            statistics.batchesSent = row["batches_sent"]
            statistics.cellsSent = row["cells_sent"]
            statistics.bytesSent = row["bytes_sent"]
            statistics.batchesReceived = row["batches_received"]
            statistics.cellsReceived = row["cells_received"]
            statistics.cellsApplied = row["cells_applied"]
            statistics.refusedBatches = row["refused_batches"]
            statistics.refusedCells = row["refused_cells"]
            statistics.refusedChanges = row["refused_changes"] ?? 0
            statistics.refusedByCode = decode(row["refused_by_code"] ?? "{}")
            statistics.privacyStripped = row["privacy_stripped"] ?? 0
            statistics.lastError = row["last_error"]
            statistics.peerHead = UInt64(clamping: row["peer_head"] as Int64)
            statistics.updatedAt = UInt64(clamping: row["updated_at"] as Int64)
            return statistics
        }
    }
}

extension LinkStatistics {
    static func encode(_ counts: [String: Int64]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(counts)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ text: String) -> [String: Int64] {
        (try? JSONDecoder().decode([String: Int64].self, from: Data(text.utf8))) ?? [:]
    }
}

/// Wall-clock and monotonic time for links.
enum LinkClock {
    /// Unix milliseconds.
    static func wall() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }
    /// Monotonic milliseconds.
    static func monotonic() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }
}

extension UInt64 {
    /// Milliseconds from `earlier` to this reading, 0 if `earlier` is later.
    func since(_ earlier: UInt64) -> UInt64 { self > earlier ? self - earlier : 0 }
}

extension SyncMessage.SyncError.Code {
    /// The wire code for a refused merge.
    init(_ code: ReplicationError.Code) {
        switch code {
        case .foreignOrigin: self = .foreignOrigin
        case .clockSkew: self = .clockSkew
        case .batchTooLarge: self = .tooLarge
        case .malformedFrame, .invalidNodeCode: self = .malformed
        case .unknownTable, .unknownColumn, .typeMismatch, .malformedClock, .invalidKey, .invalidStatistic,
            .invalidSchema, .notOwner:
            self = .invalidChange
        case .storage, .storageFull, .injectedFault: self = .internal
        }
    }
}
