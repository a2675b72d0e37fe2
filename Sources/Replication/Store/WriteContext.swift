import GRDB

/// The state of one write transaction: the feed sequence and clock loaded at its start and stored at
/// its end, so that a rollback leaves neither advanced.
final class WriteContext {
    let db: Database
    let store: ReplicaStore
    let now: UInt64
    var seq: UInt64
    var clock: HybridClock
    let localID: UInt32

    init(_ db: Database, store: ReplicaStore) throws {
        self.db = db
        self.store = store
        self.now = store.configuration.now()
        guard let row = try Row.fetchOne(db, sql: "SELECT last_seq, hlc FROM crdt_meta WHERE id = 1") else {
            throw ReplicationError(.storage, "crdt_meta is missing")
        }
        self.seq = UInt64(row[0] as Int64)
        self.clock = HybridClock(last: HybridTimestamp(rawValue: UInt64(bitPattern: row[1] as Int64)))
        self.localID = try store.directory.id(for: store.node, db)
    }

    /// Takes the next local feed sequence.
    func nextSequence() -> UInt64 {
        seq += 1
        return seq
    }

    /// Stores the sequence and clock; called last in the transaction.
    func finish() throws {
        try db.execute(
            sql: "UPDATE crdt_meta SET last_seq = ?, hlc = ? WHERE id = 1",
            arguments: [Int64(seq), Int64(bitPattern: clock.last.rawValue)])
    }
}

extension ReplicaStore {
    /// Runs `body` in one write transaction with a fresh `WriteContext`.
    func writeTransaction<T>(_ body: (WriteContext) throws -> T) throws -> T {
        do {
            var head: UInt64?
            let result = try database.write { db in
                let context = try WriteContext(db, store: self)
                let start = context.seq
                let result = try body(context)
                try configuration.faultInjector?(.beforeCommit)
                try context.finish()
                head = context.seq > start ? context.seq : nil
                return result
            }
            if let head {
                for observer in commitObservers.withLock({ $0 }) { observer(head) }
            }
            return result
        } catch {
            // Ids interned inside the rolled-back transaction must not survive in memory.
            try? database.read { db in try directory.reload(db) }
            if let error = error as? ReplicationError { throw error }
            if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL {
                throw ReplicationError(
                    .storageFull,
                    "the database is full (the storage.max_database_mb limit or the disk); nothing was written. "
                        + "Raise the limit or free disk space, then restart the node",
                    cause: error)
            }
            throw ReplicationError(.storage, "write failed and was rolled back: \(error)", cause: error)
        }
    }
}
