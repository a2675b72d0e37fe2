/// The SQLite storage class a replicated column accepts (NULL is always accepted).
public enum ColumnType: String, Sendable, Codable {
    case text = "TEXT"
    case integer = "INTEGER"
    case real = "REAL"

    /// Whether `value` may be stored in a column of this type. Integers widen into real columns.
    func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (_, .null), (.text, .text), (.integer, .integer), (.real, .real), (.real, .integer): true
        default: false
        }
    }
}
