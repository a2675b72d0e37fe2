package import GRDB
package import Replication

/// Recording and reading the reference tables (`ReferenceTable`) over a node's store.
///
///     let outcome = try ReferenceData.record(.providers, writes, in: store)   // one transaction
///     let rows = try await store.database.read { db in try ReferenceData.list(.serviceItems, db) }
package enum ReferenceData {
    /// Writes checked rows in one transaction. A row equal to what the store holds is a duplicate; a
    /// row whose stored scope lies outside this node's subtree is refused (it belongs to an office
    /// above or beside this one, which alone may change it).
    ///
    /// - Complexity: one indexed lookup and at most one record write per item.
    package static func record(
        _ table: ReferenceTable, _ items: [(index: Int, write: RecordWrite)], in store: ReplicaStore
    )
        throws -> EventOutcome
    {
        guard !items.isEmpty else { return EventOutcome() }
        let schema = table.schema
        let node = store.node
        let columns = schema.columns.map(\.name)
        let sql =
            "SELECT \(columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")) FROM "
            + "\(schema.name.quotedDatabaseIdentifier) WHERE \(schema.primaryKey.quotedDatabaseIdentifier) = ?"
        return try store.transaction { tx in
            var outcome = EventOutcome()
            let select = try tx.db.cachedStatement(sql: sql)
            for (index, write) in items {
                if let row = try Row.fetchOne(select, arguments: [write.key]) {
                    var stored: [String: Value] = [:]
                    for (position, column) in columns.enumerated() {
                        stored[column] = Value(stored: row[position] as DatabaseValue)
                    }
                    if case .text(let text)? = stored["scope"], let scope = try? NodeCode(text), !node.contains(scope) {
                        outcome.rejected.append(
                            EventOutcome.Rejection(
                                index: index,
                                error: CallValidationError(
                                    field: schema.primaryKey,
                                    message: "\(write.key) is set by \(text), above or beside this node \(node); "
                                        + "only that office can change it (上级或其他辖区设定)")))
                        continue
                    }
                    if write.values.allSatisfy({ stored[$0.column] == $0.value }) {
                        outcome.duplicates += 1
                        continue
                    }
                }
                try tx.write(write)
                outcome.accepted += 1
            }
            return outcome
        }.0
    }

    /// Every row of a reference table this node holds (its own and those from the offices above), by key.
    ///
    /// - Complexity: O(rows).
    package static func list(_ table: ReferenceTable, _ db: Database) throws -> [[String: Value]] {
        let schema = table.schema
        let columns = [schema.primaryKey] + schema.columns.map(\.name)
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT \(columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")) FROM "
                + "\(schema.name.quotedDatabaseIdentifier) ORDER BY \(schema.primaryKey.quotedDatabaseIdentifier)")
        return rows.map { row in
            var fields: [String: Value] = [:]
            for (position, column) in columns.enumerated() {
                fields[column] = Value(stored: row[position] as DatabaseValue)
            }
            return fields
        }
    }

    /// Why a visit names an unknown provider or catalog item, or nil. Each check applies only once the
    /// node holds any row of that table (a node without reference data accepts any provider and item).
    ///
    /// An item is known by its catalog id (`daily_care.bathing`) or its Chinese or English name, in the
    /// visit's category.
    ///
    /// - Complexity: at most four indexed lookups.
    static func checkVisit(providerID: String, category: ServiceCategory, item: String, _ db: Database) throws
        -> CallValidationError?
    {
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM providers)")) == true,
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM providers WHERE id = ?"), arguments: [providerID])
                == nil
        {
            return CallValidationError(
                field: "provider_id",
                message: "unknown provider: \(providerID) is not a provider known to this node (GET /api/v1/providers)")
        }
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM service_items)")) == true,
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: "SELECT 1 FROM service_items WHERE category = ? AND (id = ? OR name_zh = ? OR name_en = ?)"),
                arguments: [category.rawValue, item, item, item]) == nil
        {
            return CallValidationError(
                field: "item",
                message:
                    "unknown item: \(item) is not a \(category.rawValue) item of the service catalog (GET /api/v1/catalog)"
            )
        }
        return nil
    }
}
