public import Eldercare
import GRDB
public import Replication
import Reports

/// A node's database, version by version, in one place: every local table and the order they came in.
/// Every node's store is opened here (the daemon, the benchmarks' and the tests' nodes, the fuzzer's
/// parent), so the schema at any version is what this file and `ReplicaStore.ownMigrations` say.
///
/// At open, in order:
/// 1. the store's own migrations (`ReplicaStore.ownMigrations`: the CRDT tables, the feed, the
///    statistics cells, watermarks, the quarantine of refused cells);
/// 2. the node's migrations below (`migrations`), each once, recorded in `grdb_migrations`;
/// 3. the replicated tables `DomainSchema.replicated()` declares (`elders`, `providers`,
///    `service_items`, `subsidy_policy`), created or given the columns declared since;
/// 4. the report rollup for the node's level (`ReportRollup.install`): derived data with its own
///    layout version, rebuilt from the cells when that version changes (a community keeps none).
///
/// `eldercare-1` is the layout of 2026-12, the last before migrations were recorded; it is written so
/// that it also adopts a store that version made (tables `IF NOT EXISTS`, columns added when missing).
/// A later change is a new migration appended to `migrations`, never an edit of a released one; the
/// upgrade test (`NodeSchemaUpgradeTests`) opens stores of 2026-12 and compares every report.
///
///     let store = try NodeSchema.open(path: directory.databasePath, node: code, configuration: configuration)
public enum NodeSchema {
    /// The node's own migrations, in the order they run.
    public static var migrations: StoreMigrations {
        var migrations = StoreMigrations()
        migrations.register("eldercare-1") { db in
            // The events this node recorded (Eldercare's CallLog, VisitLog, CallbackLog): local, one row
            // per event id; the statistics cells they move are what travels.
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS calls (
                        id TEXT PRIMARY KEY NOT NULL,
                        received_at TEXT NOT NULL,
                        day TEXT NOT NULL,
                        hour INTEGER NOT NULL,
                        channel TEXT NOT NULL,
                        type TEXT NOT NULL,
                        effective INTEGER NOT NULL,
                        community TEXT NOT NULL,
                        elder_id TEXT,
                        outcome TEXT,
                        handler TEXT,
                        response_seconds INTEGER,
                        recorded_at INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS calls_day_community ON calls(day, community);
                    CREATE TABLE IF NOT EXISTS visits (
                        id TEXT PRIMARY KEY NOT NULL,
                        elder_id TEXT NOT NULL,
                        provider_id TEXT NOT NULL,
                        category TEXT NOT NULL,
                        item TEXT NOT NULL,
                        check_in TEXT NOT NULL,
                        check_out TEXT NOT NULL,
                        community TEXT NOT NULL,
                        location TEXT,
                        photo_count INTEGER,
                        status TEXT NOT NULL,
                        day TEXT NOT NULL,
                        minutes INTEGER NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS visits_day_community ON visits(day, community);
                    CREATE TABLE IF NOT EXISTS callbacks (
                        id TEXT PRIMARY KEY NOT NULL,
                        visit_id TEXT NOT NULL,
                        at TEXT NOT NULL,
                        score TEXT NOT NULL,
                        complaint INTEGER NOT NULL,
                        community TEXT NOT NULL,
                        day TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS callbacks_day_community ON callbacks(day, community);
                    """)
            // Each link's counters (FederationSync's LinkStatistics), kept across restarts.
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS node_links (
                        peer TEXT PRIMARY KEY, role TEXT NOT NULL, connected INTEGER NOT NULL, last_seen INTEGER NOT NULL,
                        batches_sent INTEGER NOT NULL, cells_sent INTEGER NOT NULL, bytes_sent INTEGER NOT NULL,
                        batches_received INTEGER NOT NULL,
                        cells_received INTEGER NOT NULL, cells_applied INTEGER NOT NULL, refused_batches INTEGER NOT NULL,
                        refused_cells INTEGER NOT NULL, last_error TEXT NOT NULL, peer_head INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL)
                    """)
            let linkColumns = Set(try db.columns(in: "node_links").map(\.name))
            for (column, definition) in [
                ("refused_changes", "INTEGER NOT NULL DEFAULT 0"), ("refused_by_code", "TEXT NOT NULL DEFAULT '{}'"),
                ("privacy_stripped", "INTEGER NOT NULL DEFAULT 0"),
            ] where !linkColumns.contains(column) {
                try db.execute(sql: "ALTER TABLE node_links ADD COLUMN \(column) \(definition)")
            }
        }
        return migrations
    }

    /// Every migration a node's store has run once it is open: the store's own, then the node's.
    public static var allMigrations: StoreMigrations { ReplicaStore.ownMigrations.appending(migrations) }

    /// Opens (creating or upgrading) the node's store at `path` (see the type's steps).
    ///
    /// - Throws: `ReplicationError` if the file belongs to another node, its tables conflict with the
    ///   declared schema, or SQLite cannot open or migrate it.
    public static func open(path: String, node: NodeCode, configuration: StoreConfiguration = .init()) throws
        -> ReplicaStore
    {
        let store = try ReplicaStore(
            path: path, node: node, schema: try DomainSchema.replicated(), configuration: configuration,
            migrations: migrations)
        do {
            try store.database.write { db in try ReportRollup.install(db, scope: node) }
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.storage, "cannot install the report rollup in \(path): \(error)", cause: error)
        }
        return store
    }
}
