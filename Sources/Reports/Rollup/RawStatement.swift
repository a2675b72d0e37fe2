import GRDB
import GRDBSQLite

/// One prepared SQLite statement executed many times with text and integer parameters, bound straight
/// through the C API: the fold's upserts (thousands per chunk) spent about as long building GRDB's
/// `StatementArguments` and going through `Statement.execute` as SQLite spent executing them (perf,
/// 2026-12-05). Prepared on the caller's connection, inside its transaction, and finalized when it
/// goes out of scope (it cannot be copied); nothing is shared with GRDB's statement cache. GRDB's
/// change observation (`ValueObservation`, `TransactionObserver`) learns what a statement writes
/// from its own compiled statements, so it would not see these writes: use it only for tables
/// nothing observes (the node observes none; the rollup is read on demand).
///
///     let upsert = try RawStatement(db, sql: "INSERT INTO t(a, b) VALUES (?, ?)")
///     try upsert.run([.text("x"), .integer(1)])
struct RawStatement: ~Copyable {
    enum Value {
        case text(String)
        case integer(Int64)
    }

    private let connection: OpaquePointer
    private let statement: OpaquePointer
    private let sql: String

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "connection is closed")
        }
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let prepared else {
            sqlite3_finalize(prepared)
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.connection = connection
        self.sql = sql
        statement = prepared
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds `values` to the parameters in order and runs the statement to completion.
    func run(_ values: [Value]) throws {
        sqlite3_reset(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number):
                code = sqlite3_bind_int64(statement, index, number)
            case .text(var text):
                // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
                let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
                code = text.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        // An empty text still needs a non-null pointer (a null one binds NULL).
                        guard let start = chars.baseAddress, !chars.isEmpty else {
                            return sqlite3_bind_text(statement, index, "", 0, transient)
                        }
                        return sqlite3_bind_text(statement, index, start, Int32(chars.count), transient)
                    }
                }
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}
