/// A replicated, multi-writer table merged per column by last-writer-wins.
///
///     TableSchema("elders", primaryKey: "id", scopeColumn: "community", columns: [
///         ColumnSchema("name", .text, personal: true),
///         ColumnSchema("community", .text),
///     ])
public struct TableSchema: Sendable, Equatable {
    public let name: String
    /// The text primary key column.
    public let primaryKey: String
    /// The column holding the 12-digit code the record is about (routing down the tree);
    /// nil for tables that apply to the whole area of the node that writes them (catalog, policy).
    public let scopeColumn: String?
    public let columns: [ColumnSchema]

    /// Column positions by name.
    let index: [String: Int]
    /// Position of the scope column in `columns`.
    let scopeIndex: Int?
    /// Positions of personal columns.
    let personalIndexes: [Int]

    public init(_ name: String, primaryKey: String = "id", scopeColumn: String? = nil, columns: [ColumnSchema]) {
        self.name = name
        self.primaryKey = primaryKey
        self.scopeColumn = scopeColumn
        self.columns = columns
        var index: [String: Int] = [:]
        for (position, column) in columns.enumerated() { index[column.name] = position }
        self.index = index
        self.scopeIndex = scopeColumn.flatMap { index[$0] }
        self.personalIndexes = columns.indices.filter { columns[$0].personal }
    }

    public static func == (lhs: TableSchema, rhs: TableSchema) -> Bool {
        lhs.name == rhs.name && lhs.primaryKey == rhs.primaryKey && lhs.scopeColumn == rhs.scopeColumn
            && lhs.columns == rhs.columns
    }

    /// The pseudo-column that carries an erasure tombstone on the wire.
    public static let erasureColumn = "_erased"

    /// Slot of the erasure tombstone in the per-row clock state (after the declared columns).
    var erasureSlot: Int { columns.count }

    func validate() throws(ReplicationError) {
        func isIdentifier(_ text: String) -> Bool {
            guard let first = text.utf8.first, first != UInt8(ascii: "_"), !(0x30...0x39).contains(first) else {
                return false
            }
            return text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        }
        guard isIdentifier(name) else {
            throw ReplicationError(.invalidSchema, "table name \"\(name)\" must be lower_snake_case")
        }
        guard isIdentifier(primaryKey), index[primaryKey] == nil else {
            throw ReplicationError(
                .invalidSchema, "primary key \"\(primaryKey)\" of \(name) must not be a declared column")
        }
        guard index.count == columns.count else {
            throw ReplicationError(.invalidSchema, "table \(name) declares a column twice")
        }
        for column in columns where !isIdentifier(column.name) {
            throw ReplicationError(.invalidSchema, "column name \"\(column.name)\" of \(name) must be lower_snake_case")
        }
        if let scopeColumn, scopeIndex == nil {
            throw ReplicationError(.invalidSchema, "scope column \"\(scopeColumn)\" is not a column of \(name)")
        }
        guard columns.count < 250 else {
            throw ReplicationError(.invalidSchema, "table \(name) has too many columns")
        }
    }
}
