import GRDB
import Testing

@testable import Replication

/// The owner's local tables as migrations: run once each, in order, after the store's own; a failing one
/// refuses the store with a storage error and leaves nothing of itself.
@Suite(.timeLimit(.minutes(1))) struct StoreMigrationsTests {
    static func migrations(failing: Bool = false) -> StoreMigrations {
        var migrations = StoreMigrations()
        migrations.register("owner-1") { db in
            try db.execute(sql: "CREATE TABLE log (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
        }
        migrations.register("owner-2") { db in
            try db.execute(sql: "ALTER TABLE log ADD COLUMN at INTEGER")
            if failing { try db.execute(sql: "CREATE TABLE log (broken)") }
        }
        return migrations
    }

    static func open(_ directory: TemporaryDirectory, _ migrations: StoreMigrations) throws -> ReplicaStore {
        var configuration = StoreConfiguration()
        configuration.fsyncEveryCommit = false
        return try ReplicaStore(
            path: directory.path("owner.sqlite"), node: Fixtures.street, schema: Fixtures.schema,
            configuration: configuration, migrations: migrations)
    }

    @Test func theyRunOnceInOrderAfterTheStoresOwn() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.open(directory, Self.migrations())
        try store.database.write { db in try db.execute(sql: "INSERT INTO log(note, at) VALUES ('kept', 1)") }
        let reopened = try Self.open(directory, Self.migrations())
        let (applied, notes) = try reopened.database.read { db in
            (
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"),
                try String.fetchAll(db, sql: "SELECT note FROM log")
            )
        }
        #expect(applied == ReplicaStore.ownMigrations.identifiers + ["owner-1", "owner-2"])
        #expect(notes == ["kept"])
    }

    @Test func aFailingMigrationRefusesTheStoreAndLeavesNothingOfItself() throws {
        let directory = try TemporaryDirectory()
        let refused = #expect(throws: ReplicationError.self) {
            try Self.open(directory, Self.migrations(failing: true))
        }
        #expect(refused?.code == .storage)
        // The migrations before it stay; its own ALTER was rolled back with it.
        let store = try Self.open(
            directory,
            {
                var m = StoreMigrations()
                m.register("owner-1") { _ in }
                return m
            }())
        let (applied, columns) = try store.database.read { db in
            (
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"),
                try db.columns(in: "log").map(\.name)
            )
        }
        #expect(applied == ReplicaStore.ownMigrations.identifiers + ["owner-1"])
        #expect(columns == ["id", "note"])
    }
}
