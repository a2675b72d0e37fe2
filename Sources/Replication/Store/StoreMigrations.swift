public import GRDB

/// The local tables a store's owner keeps beside the replicated ones (a node's event logs, its link
/// counters), as named migrations that `ReplicaStore` runs once each, in order, after its own, when it
/// opens — GRDB's `DatabaseMigrator`, so the database records which have run (`grdb_migrations`).
///
///     var migrations = StoreMigrations()
///     migrations.register("eldercare-1") { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS calls (…)") }
///     let store = try ReplicaStore(path: path, node: node, schema: schema, migrations: migrations)
///
/// A migration never changes once released: a new column or table is a new migration after the
/// others. Identifiers are unique across the store's own (`ReplicaStore.ownMigrations`) and these.
public struct StoreMigrations: Sendable {
    public typealias Migration = @Sendable (Database) throws -> Void

    /// The migrations in the order they run.
    public private(set) var steps: [(identifier: String, migrate: Migration)] = []

    public init() {}

    /// Appends a migration; it runs after every one registered before it.
    public mutating func register(_ identifier: String, _ migrate: @escaping Migration) {
        steps.append((identifier, migrate))
    }

    /// These migrations after `self`'s.
    public func appending(_ other: StoreMigrations) -> StoreMigrations {
        var all = self
        all.steps += other.steps
        return all
    }

    /// The identifiers, in order.
    public var identifiers: [String] { steps.map(\.identifier) }

    /// Runs those that have not run on `writer` yet, each in its own transaction.
    func migrate(_ writer: some DatabaseWriter) throws {
        var migrator = DatabaseMigrator()
        for step in steps {
            migrator.registerMigration(step.identifier, migrate: step.migrate)
        }
        try migrator.migrate(writer)
    }
}
