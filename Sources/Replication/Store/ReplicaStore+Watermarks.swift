import GRDB

/// Which side of a link a watermark describes.
public enum WatermarkDirection: String, Sendable, CaseIterable {
    /// The last sequence of this node's feed the peer acknowledged (after its commit).
    case sent
    /// The last sequence of the peer's feed this node committed.
    case received
}

/// A durable position on a link.
public struct Watermark: Sendable, Equatable {
    public var peer: NodeCode
    public var direction: WatermarkDirection
    /// The feed epoch the sequence refers to (the peer's for `received`, this node's for `sent`).
    public var epoch: String
    public var seq: UInt64
    /// Unix milliseconds of the last update.
    public var updatedAt: UInt64
}

extension ReplicaStore {
    /// The stored watermark of one link direction, nil if the link never advanced.
    public func watermark(peer: NodeCode, _ direction: WatermarkDirection) throws -> Watermark? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT epoch, seq, updated_at FROM crdt_watermarks WHERE peer = ? AND direction = ?",
                arguments: [peer.rawValue, direction.rawValue]
            ).map { row in
                Watermark(
                    peer: peer, direction: direction, epoch: row[0], seq: UInt64(row[1] as Int64),
                    updatedAt: UInt64(row[2] as Int64))
            }
        }
    }

    /// Every stored watermark, by peer.
    public func watermarks() throws -> [Watermark] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT peer, direction, epoch, seq, updated_at FROM crdt_watermarks ORDER BY peer, direction"
            )
            .compactMap { row in
                guard let peer = try? NodeCode(row[0] as String),
                    let direction = WatermarkDirection(rawValue: row[1])
                else { return nil }
                return Watermark(
                    peer: peer, direction: direction, epoch: row[2], seq: UInt64(row[3] as Int64),
                    updatedAt: UInt64(row[4] as Int64))
            }
        }
    }

    /// Advances a watermark. Within one epoch it never moves back; a new epoch replaces it.
    public func advanceWatermark(peer: NodeCode, _ direction: WatermarkDirection, epoch: String, seq: UInt64) throws {
        let now = configuration.now()
        do {
            try database.write { db in
                try storeWatermark(peer: peer, direction: direction, epoch: epoch, seq: seq, db, now: now)
            }
        } catch {
            throw ReplicationError(.storage, "cannot store watermark for \(peer): \(error)", cause: error)
        }
    }

    /// Forgets both watermarks of a peer: its next link starts from zero (a replaced or moved node).
    public func resetWatermarks(peer: NodeCode) throws {
        do {
            try database.write { db in
                try db.execute(sql: "DELETE FROM crdt_watermarks WHERE peer = ?", arguments: [peer.rawValue])
            }
        } catch {
            throw ReplicationError(.storage, "cannot reset watermarks of \(peer): \(error)", cause: error)
        }
    }

    func storeWatermark(
        peer: NodeCode, direction: WatermarkDirection, epoch: String, seq: UInt64, _ db: Database, now: UInt64
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO crdt_watermarks(peer, direction, epoch, seq, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(peer, direction) DO UPDATE SET
                    seq = CASE WHEN epoch = excluded.epoch THEN max(seq, excluded.seq) ELSE excluded.seq END,
                    epoch = excluded.epoch, updated_at = excluded.updated_at
                """
        ).execute(arguments: [peer.rawValue, direction.rawValue, epoch, Int64(seq), Int64(now)])
    }
}
