import GRDB
import Synchronization

/// Interns node codes as small integers for the per-column clock state (`crdt_nodes`).
///
/// Id 0 means "this node / nobody" in the `via` field. The in-memory maps mirror the table; they are
/// reloaded after a rolled-back transaction so that no id handed out inside it survives.
final class NodeDirectory: Sendable {
    private struct Maps {
        var ids: [NodeCode: UInt32] = [:]
        var codes: [UInt32: NodeCode] = [:]
    }

    private let maps = Mutex(Maps())

    func reload(_ db: Database) throws {
        var fresh = Maps()
        let rows = try Row.fetchCursor(db, sql: "SELECT id, code FROM crdt_nodes")
        while let row = try rows.next() {
            let id = UInt32(row[0] as Int64)
            let text: String = row[1]
            guard let code = try? NodeCode(text) else { continue }
            fresh.ids[code] = id
            fresh.codes[id] = code
        }
        maps.withLock { $0 = fresh }
    }

    /// The id of `code`, inserting it inside the current write transaction if new.
    func id(for code: NodeCode, _ db: Database) throws -> UInt32 {
        if let id = maps.withLock({ $0.ids[code] }) { return id }
        try db.execute(sql: "INSERT OR IGNORE INTO crdt_nodes(code) VALUES (?)", arguments: [code.rawValue])
        let id = UInt32(
            try Int64.fetchOne(db, sql: "SELECT id FROM crdt_nodes WHERE code = ?", arguments: [code.rawValue]) ?? 0)
        maps.withLock {
            $0.ids[code] = id
            $0.codes[id] = code
        }
        return id
    }

    /// Every interned code.
    func allCodes() -> [NodeCode] { maps.withLock { Array($0.ids.keys) } }

    /// The id of `code` if it was ever seen, without writing.
    func existingID(for code: NodeCode) -> UInt32? { maps.withLock { $0.ids[code] } }

    /// The code of an id found in a clock slot.
    func code(for id: UInt32, _ db: Database) throws -> NodeCode {
        if let code = maps.withLock({ $0.codes[id] }) { return code }
        guard
            let text = try String.fetchOne(db, sql: "SELECT code FROM crdt_nodes WHERE id = ?", arguments: [Int64(id)])
        else {
            throw ReplicationError(.storage, "clock state refers to unknown node id \(id)")
        }
        let code = try NodeCode(text)
        maps.withLock {
            $0.ids[code] = id
            $0.codes[id] = code
        }
        return code
    }
}
