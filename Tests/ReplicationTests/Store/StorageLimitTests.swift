import Foundation
import Replication
import Testing

/// `StoreConfiguration.maxDatabaseBytes`: a write beyond the limit is `storageFull` and rolled back;
/// the store stays readable, and reopening it without the limit lets writes through again.
@Suite(.timeLimit(.minutes(10))) struct StorageLimitTests {
    @Test func aWriteBeyondTheLimitIsRefusedAndRolledBack() throws {
        let directory = try TemporaryDirectory()
        let padding = String(repeating: "建设北大街十二号院", count: 20)
        var written = 0
        do {
            let store = try Fixtures.store(directory, Fixtures.community) { $0.maxDatabaseBytes = 512 << 10 }
            var refusal: ReplicationError?
            for batch in 0..<200 where refusal == nil {
                do {
                    try store.write(
                        (0..<20).map {
                            RecordWrite(
                                table: "elders", key: "E\(batch)-\($0)",
                                ["community": "130102001001", "address": .text(padding)])
                        })
                    written += 20
                } catch let error as ReplicationError {
                    refusal = error
                }
            }
            let error = try #require(refusal)
            #expect(error.code == .storageFull)
            #expect(error.message.contains("max_database_mb"))
            #expect(
                try store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") } == written)
            #expect(try store.record("elders", key: "E0-0")?["address"] == .text(padding))
        }
        let store = try Fixtures.store(directory, Fixtures.community)
        try store.write([
            RecordWrite(table: "elders", key: "after", ["community": "130102001001", "address": .text(padding)])
        ])
        #expect(
            try store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") } == written + 1)
    }
}
