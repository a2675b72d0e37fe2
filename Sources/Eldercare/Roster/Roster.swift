package import GRDB
package import Replication

/// The elder roster (老年人信息库) over a node's store: recording checked items, and reading pages.
///
///     let outcome = try Roster.record(items, in: store)   // one transaction
///     let page = try await store.database.read { db in try Roster.page(db, scope: node, page: 1, perPage: 50) }
package enum Roster {
    /// What recording a batch did. `rejected` holds items refused by the store's own rules (an id
    /// that belongs to an elder outside this node's area); field errors are found before.
    package struct Outcome: Sendable, Equatable {
        package var accepted = 0
        package var duplicates = 0
        package var rejected: [(index: Int, error: ElderFieldError)] = []

        package static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            lhs.accepted == rhs.accepted && lhs.duplicates == rhs.duplicates
                && lhs.rejected.map(\.index) == rhs.rejected.map(\.index)
                && lhs.rejected.map(\.error) == rhs.rejected.map(\.error)
        }
    }

    /// One page of the roster, ordered by id.
    package struct Page: Sendable {
        package let total: Int
        /// Each elder's columns by name, with `id`; `nil` values are absent or erased fields.
        package let elders: [[String: Value]]
    }

    static var table: TableSchema { DomainSchema.elders }

    /// Writes checked items in one transaction. An item whose every column equals what the store
    /// holds for its id is a duplicate and writes nothing; any other item is written (a new elder or
    /// an update of the given columns). An id whose stored community lies outside this node's
    /// subtree is refused: a node writes roster records only inside its own area.
    ///
    /// - Complexity: one indexed lookup and at most one record write per item.
    package static func record(_ items: [(index: Int, elder: ElderInput)], in store: ReplicaStore) throws -> Outcome {
        guard !items.isEmpty else { return Outcome() }
        let node = store.node
        let columns = table.columns.map(\.name)
        let sql =
            "SELECT \(columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")) FROM "
            + "\(table.name.quotedDatabaseIdentifier) WHERE \(table.primaryKey.quotedDatabaseIdentifier) = ?"
        return try store.transaction { tx in
            var outcome = Outcome()
            let select = try tx.db.cachedStatement(sql: sql)
            for (index, elder) in items {
                if let row = try Row.fetchOne(select, arguments: [elder.id]) {
                    var stored: [String: Value] = [:]
                    for (position, column) in columns.enumerated() {
                        stored[column] = Value(stored: row[position] as DatabaseValue)
                    }
                    if case .text(let text)? = stored["community"], let current = try? NodeCode(text),
                        !node.contains(current)
                    {
                        outcome.rejected.append(
                            (
                                index,
                                ElderFieldError(
                                    "id",
                                    "\(elder.id) is registered in community \(text), outside this node's area "
                                        + "\(node.rawValue); only that area can change it (不在本辖区)")
                            ))
                        continue
                    }
                    if elder.values.allSatisfy({ stored[$0.column] == $0.value }) {
                        outcome.duplicates += 1
                        continue
                    }
                }
                try tx.write(elder.write)
                outcome.accepted += 1
            }
            return outcome
        }.0
    }

    /// The elders whose community lies in `scope`'s subtree, ordered by id.
    ///
    /// - Complexity: O(log n + perPage) for the page over the community index, plus the count of the scope.
    package static func page(_ db: Database, scope: NodeCode, page: Int, perPage: Int) throws -> Page {
        let columns = table.columns.map(\.name)
        let prefix = String(scope.prefix)
        // Codes are digits, and ":" sorts right after "9": the range holds exactly the codes with the prefix.
        let filter = "community >= ? AND community < ?"
        let arguments: StatementArguments = [prefix, prefix + ":"]
        let name = table.name.quotedDatabaseIdentifier
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(name) WHERE \(filter)", arguments: arguments) ?? 0
        let list = ([table.primaryKey] + columns).map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT \(list) FROM \(name) WHERE \(filter) ORDER BY \(table.primaryKey.quotedDatabaseIdentifier) "
                + "LIMIT ? OFFSET ?",
            arguments: arguments + [perPage, (page - 1) * perPage])
        let elders = rows.map { row in
            var elder: [String: Value] = ["id": Value(stored: row[0] as DatabaseValue)]
            for (position, column) in columns.enumerated() {
                elder[column] = Value(stored: row[position + 1] as DatabaseValue)
            }
            return elder
        }
        return Page(total: total, elders: elders)
    }

    /// `1301**********0012`: the first four and last four characters of a resident ID.
    static func maskResidentID(_ text: String) -> String {
        guard text.count > 8 else { return String(repeating: "*", count: text.count) }
        return String(text.prefix(4)) + String(repeating: "*", count: text.count - 8) + String(text.suffix(4))
    }

    /// `王**`: a name's first character (the family name, as on public notices) and a star for each other.
    package static func maskName(_ text: String) -> String {
        guard let first = text.first else { return text }
        return String(first) + String(repeating: "*", count: text.count - 1)
    }

    /// `长安区建设北大街****`: an address's first eight characters (district and street), the rest starred.
    static func maskAddress(_ text: String) -> String {
        guard text.count > 8 else {
            return text.isEmpty ? text : String(text.prefix(1)) + String(repeating: "*", count: text.count - 1)
        }
        return String(text.prefix(8)) + String(repeating: "*", count: text.count - 8)
    }

    /// `138****5678` for a mobile number; `0311-****2345` for a landline (area code and last four kept).
    package static func maskPhone(_ text: String) -> String {
        if let hyphen = text.firstIndex(of: "-") {
            let local = text[text.index(after: hyphen)...]
            guard local.count > 4 else { return String(text[...hyphen]) + String(repeating: "*", count: local.count) }
            return String(text[...hyphen]) + String(repeating: "*", count: local.count - 4) + String(local.suffix(4))
        }
        guard text.count > 7 else { return String(repeating: "*", count: text.count) }
        return String(text.prefix(3)) + String(repeating: "*", count: text.count - 7) + String(text.suffix(4))
    }
}

extension Value {
    /// A stored SQLite value (blobs, which the roster never holds, read as null).
    package init(stored value: DatabaseValue) {
        switch value.storage {
        case .null, .blob: self = .null
        case .int64(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        }
    }
}
