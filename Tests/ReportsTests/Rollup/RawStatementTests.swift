import GRDB
import Testing

@testable import Reports

/// The fold's C-API statement binds texts (empty, non-ASCII) and integers exactly as GRDB would,
/// runs many times on one preparation, and turns SQLite's errors into `DatabaseError`s.
@Suite(.timeLimit(.minutes(10))) struct RawStatementTests {
    @Test func bindsTextsAndIntegersAndRunsRepeatedly() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a TEXT NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a)) WITHOUT ROWID")
            let upsert = try RawStatement(
                db, sql: "INSERT INTO t(a, b) VALUES (?, ?) ON CONFLICT(a) DO UPDATE SET b = b + excluded.b")
            let texts = ["", "channel=hotline;hour=09", "甲乙", "x"]
            for round in 1...3 {
                for (offset, text) in texts.enumerated() {
                    try upsert.run([.text(text), .integer(Int64(offset * round))])
                }
            }
            let rows = try Row.fetchAll(db, sql: "SELECT a, b, typeof(a) FROM t ORDER BY a")
            #expect(rows.map { $0[0] as String } == texts.sorted())
            #expect(rows.allSatisfy { $0[2] as String == "text" })
            for (offset, text) in texts.enumerated() {
                #expect(
                    try Int64.fetchOne(db, sql: "SELECT b FROM t WHERE a = ?", arguments: [text]) == Int64(offset * 6))
            }
        }
    }

    @Test func sqliteErrorsAreThrownWithTheStatement() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a TEXT NOT NULL PRIMARY KEY, b INTEGER NOT NULL CHECK (b >= 0))")
            #expect(throws: DatabaseError.self) { _ = try RawStatement(db, sql: "INSERT INTO missing VALUES (?)") }
            let insert = try RawStatement(db, sql: "INSERT INTO t(a, b) VALUES (?, ?)")
            try insert.run([.text("a"), .integer(1)])
            let duplicate = #expect(throws: DatabaseError.self) { try insert.run([.text("a"), .integer(2)]) }
            #expect(duplicate?.resultCode == .SQLITE_CONSTRAINT)
            #expect(duplicate?.sql?.contains("INSERT INTO t") == true)
            // The statement is usable again after an error.
            try insert.run([.text("b"), .integer(3)])
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") == 2)
        }
    }
}
