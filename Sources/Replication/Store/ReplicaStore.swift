public import GRDB
import Synchronization

/// The replicated state of one node in one SQLite file: records merged per column by last-writer-wins
/// on a hybrid logical clock, single-writer statistics cells, erasure tombstones, the local change
/// feed and the per-peer watermarks.
///
/// One writer connection, readers beside it in WAL mode. Every public write is one transaction: it
/// either commits whole or leaves the store as it was.
///
///     let store = try ReplicaStore(path: "node.sqlite", node: try NodeCode("130102001001"), schema: schema)
///     try store.write([RecordWrite(table: "elders", key: "E1", ["phone": "13800000000"])])
///     let page = try store.changes(after: 0, maxCells: 10_000)
///     let outcome = try other.merge(page.batch, from: store.node)
public final class ReplicaStore: Sendable {
    /// The code of the node that owns this store; the origin of every local write.
    public let node: NodeCode
    public let schema: ReplicatedSchema
    public let configuration: StoreConfiguration
    /// The database: readers for reports; writes must go through the store's own methods.
    public let database: DatabasePool
    /// A random id fixed when the database was created: a peer's watermark is only valid for the
    /// feed it was taken from, so a replaced node (new epoch) makes its peers start from zero.
    public let feedEpoch: String
    /// Stored statistics cells that broke the grammar and were moved to `crdt_stats_refused` when this
    /// store opened (0 when the store had been checked under the same grammar before).
    public let quarantinedAtOpen: Int

    let directory = NodeDirectory()
    let commitObservers = Mutex<[@Sendable (UInt64) -> Void]>([])
    let tables: [StoredTable]
    let tablesByName: [String: Int]

    /// Opens (creating if needed) the store at `path`: runs the store's own migrations
    /// (`ownMigrations`), then `migrations` (the owner's local tables), each once; then adopts the
    /// replicated tables `schema` declares (creating them, or adding columns declared since).
    ///
    /// - Throws: `ReplicationError(.invalidSchema)` if the file belongs to another node or its tables
    ///   conflict with `schema`; `.storage` if SQLite cannot open it or a migration fails (the
    ///   migrations that ran before it stay; the failed one leaves nothing).
    public init(
        path: String, node: NodeCode, schema: ReplicatedSchema, configuration: StoreConfiguration = .init(),
        migrations: StoreMigrations = StoreMigrations()
    ) throws {
        self.node = node
        self.schema = schema
        self.configuration = configuration
        var config = Configuration()
        config.maximumReaderCount = configuration.maximumReaderCount
        config.busyMode = .timeout(10)
        let fsync = configuration.fsyncEveryCommit
        let maxBytes = configuration.maxDatabaseBytes
        config.prepareDatabase { db in
            try db.execute(sql: fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -32768")
            // Sorters of GROUP BY (the report rollup's fold, report queries) in memory, not in a temp file.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if let maxBytes {
                // A per-connection setting: every connection gets it (only the writer can grow the file).
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maxBytes / max(pageSize, 512)))")
            }
        }
        do {
            database = try DatabasePool(path: path, configuration: config)
        } catch {
            throw ReplicationError(.storage, "cannot open database \(path): \(error)", cause: error)
        }
        var stored: [StoredTable] = []
        var byName: [String: Int] = [:]
        var epoch = ""
        var quarantined = 0
        do {
            try Self.ownMigrations.appending(migrations).migrate(database)
            try database.write { db in
                epoch = try Self.claim(db, node: node)
                quarantined = try Self.quarantineStatistics(db, grammar: configuration.statisticGrammar)
                for table in schema.tables {
                    let id = try Self.prepare(table, db)
                    byName[table.name] = stored.count
                    stored.append(StoredTable(id: id, schema: table))
                }
            }
            let directory = self.directory
            try database.read { db in try directory.reload(db) }
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.storage, "cannot prepare database \(path): \(error)", cause: error)
        }
        self.tables = stored
        self.tablesByName = byName
        self.feedEpoch = epoch
        self.quarantinedAtOpen = quarantined
    }

    /// The store's own tables, version by version. `replication-1` is the layout of 2026-12, the last
    /// before migrations were recorded: written with `IF NOT EXISTS` (and `clusterStatisticsByPeriod`,
    /// the upgrade of an older cell layout), so it also adopts a store that an earlier version made.
    /// Later versions are appended here and never edited.
    public static var ownMigrations: StoreMigrations {
        var migrations = StoreMigrations()
        migrations.register("replication-1") { db in try createInternalTables(db) }
        return migrations
    }

    private static func createInternalTables(_ db: Database) throws {
        try clusterStatisticsByPeriod(db)
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS crdt_meta (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    node TEXT NOT NULL,
                    epoch TEXT NOT NULL,
                    last_seq INTEGER NOT NULL,
                    hlc INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS crdt_nodes (
                    id INTEGER PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE);
                CREATE TABLE IF NOT EXISTS crdt_tables (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE);
                CREATE TABLE IF NOT EXISTS crdt_feed (
                    seq INTEGER PRIMARY KEY,
                    tbl INTEGER NOT NULL,
                    rid INTEGER NOT NULL,
                    via INTEGER NOT NULL,
                    scope TEXT,
                    scope_prev TEXT);
                \(statisticsTable)
                CREATE INDEX IF NOT EXISTS crdt_stats_seq ON crdt_stats(seq);
                CREATE INDEX IF NOT EXISTS crdt_stats_report ON crdt_stats(metric, period, community, value);
                CREATE TABLE IF NOT EXISTS crdt_watermarks (
                    peer TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
                    epoch TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (peer, direction));
                """)
        // The quarantine of cells that break the grammar (ReplicaStore+Quarantine.swift).
        let columns = Set(try db.columns(in: "crdt_meta").map(\.name))
        if !columns.contains("stats_grammar") {
            try db.execute(sql: "ALTER TABLE crdt_meta ADD COLUMN stats_grammar TEXT NOT NULL DEFAULT ''")
        }
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS crdt_stats_refused (
                    origin TEXT NOT NULL,
                    community TEXT NOT NULL,
                    metric TEXT NOT NULL,
                    dims TEXT NOT NULL,
                    period TEXT NOT NULL,
                    value INTEGER NOT NULL,
                    clock INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    refused_at INTEGER NOT NULL)
                """)
    }

    /// The statistics cells' table: created with the store, and by `clusterStatisticsByPeriod` when it
    /// rewrites one of the first layout.
    static let statisticsTable = """
        CREATE TABLE IF NOT EXISTS crdt_stats (
            origin INTEGER NOT NULL,
            community TEXT NOT NULL,
            metric TEXT NOT NULL,
            dims TEXT NOT NULL,
            period TEXT NOT NULL,
            value INTEGER NOT NULL,
            clock INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            via INTEGER NOT NULL,
            PRIMARY KEY (origin, community, metric, period, dims)) WITHOUT ROWID;
        """

    /// Rewrites a `crdt_stats` table of the first layout, keyed `(origin, community, metric, dims,
    /// period)`, into the current one, keyed `(origin, community, metric, period, dims)`: with the
    /// period before the dimensions, the cells a batch of recent events creates sit together at the end
    /// of each community's range instead of one per dimension string all over the table, so a commit
    /// writes a few pages instead of one per new cell (street ingest 17,000 → 33,000 events/s,
    /// docs/BENCHMARKS.md). Runs once, in the opening transaction; the same cells, values, clocks and
    /// sequence numbers. Triggers on the old table (the report rollup's) go with it; the rollup's
    /// `install` sees them missing and rebuilds.
    static func clusterStatisticsByPeriod(_ db: Database) throws {
        guard try db.tableExists("crdt_stats") else { return }
        let keyPosition = Dictionary(
            try Row.fetchAll(db, sql: "PRAGMA table_info(crdt_stats)").map { ($0["name"] as String, $0["pk"] as Int) },
            uniquingKeysWith: { first, _ in first })
        // The report index holds the value too (a secondary index of a WITHOUT ROWID table carries its
        // key: origin and dims), so a report over a scope reads the index alone, never the table.
        if let sql = try String.fetchOne(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'crdt_stats_report'"),
            !sql.contains("value")
        {
            try db.execute(sql: "DROP INDEX crdt_stats_report")
        }
        guard let dims = keyPosition["dims"], let period = keyPosition["period"], dims < period else { return }
        try db.execute(
            sql: """
                ALTER TABLE crdt_stats RENAME TO crdt_stats_by_dims;
                DROP INDEX IF EXISTS crdt_stats_seq;
                DROP INDEX IF EXISTS crdt_stats_report;
                \(statisticsTable)
                INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via)
                    SELECT origin, community, metric, dims, period, value, clock, seq, via FROM crdt_stats_by_dims
                    ORDER BY origin, community, metric, period, dims;
                DROP TABLE crdt_stats_by_dims;
                """)
    }

    /// Records the owner on first use; refuses a file that belongs to another node.
    private static func claim(_ db: Database, node: NodeCode) throws -> String {
        if let row = try Row.fetchOne(db, sql: "SELECT node, epoch FROM crdt_meta WHERE id = 1") {
            let owner: String = row[0]
            guard owner == node.rawValue else {
                throw ReplicationError(.invalidSchema, "this database belongs to node \(owner), not \(node)")
            }
            return row[1]
        }
        let epoch = randomEpoch()
        try db.execute(
            sql: "INSERT INTO crdt_meta(id, node, epoch, last_seq, hlc) VALUES (1, ?, ?, 0, 0)",
            arguments: [node.rawValue, epoch])
        try db.execute(sql: "INSERT OR IGNORE INTO crdt_nodes(code) VALUES (?)", arguments: [node.rawValue])
        return epoch
    }

    private static func randomEpoch() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt32, radix: 16) }.joined(separator: "-")
    }

    /// Creates the table of a declared schema, or appends columns declared since it was created.
    private static func prepare(_ table: TableSchema, _ db: Database) throws -> Int64 {
        let name = table.name.quotedDatabaseIdentifier
        if try db.tableExists(table.name) {
            let existing = Set(try db.columns(in: table.name).map(\.name))
            guard existing.contains(table.primaryKey), existing.contains("_crdt") else {
                throw ReplicationError(
                    .invalidSchema, "table \(table.name) exists but was not created for this schema")
            }
            for column in table.columns where !existing.contains(column.name) {
                try db.execute(
                    sql:
                        "ALTER TABLE \(name) ADD COLUMN \(column.name.quotedDatabaseIdentifier) \(column.type.rawValue)"
                )
            }
        } else {
            let columns = table.columns.map { "\($0.name.quotedDatabaseIdentifier) \($0.type.rawValue)" }
            try db.execute(
                sql: """
                    CREATE TABLE \(name) (
                        \(table.primaryKey.quotedDatabaseIdentifier) TEXT NOT NULL UNIQUE,
                        \(columns.joined(separator: ",\n    ")),
                        _erased TEXT,
                        _scope TEXT,
                        _crdt BLOB NOT NULL)
                    """)
            if let scope = table.scopeColumn {
                try db.execute(
                    sql:
                        "CREATE INDEX \("\(table.name)_scope".quotedDatabaseIdentifier) ON \(name)(\(scope.quotedDatabaseIdentifier))"
                )
            }
        }
        try db.execute(sql: "INSERT OR IGNORE INTO crdt_tables(name) VALUES (?)", arguments: [table.name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM crdt_tables WHERE name = ?", arguments: [table.name]) ?? 0
    }

    /// Calls `observer` with the new feed head after every commit that changed the feed (on the
    /// committing thread: keep it short, e.g. set a flag a link polls).
    public func onCommit(_ observer: @escaping @Sendable (UInt64) -> Void) {
        commitObservers.withLock { $0.append(observer) }
    }

    /// Every node this store has heard of (as an origin or as a peer).
    public func knownNodes() -> [NodeCode] { directory.allCodes() }

    /// The latest local feed sequence.
    public func headSequence() throws -> UInt64 {
        try read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT last_seq FROM crdt_meta") ?? 0) }
    }

    /// The latest clock reading this node issued or observed.
    public func lastClock() throws -> HybridTimestamp {
        try read { db in
            HybridTimestamp(rawValue: UInt64(bitPattern: try Int64.fetchOne(db, sql: "SELECT hlc FROM crdt_meta") ?? 0))
        }
    }

    /// The current values of one record by column name (nil if the store never heard of it).
    public func record(_ table: String, key: String) throws -> [String: Value]? {
        guard let stored = tablesByName[table].map({ tables[$0] }) else {
            throw ReplicationError(.unknownTable, "table \"\(table)\" is not declared in the schema")
        }
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: stored.selectByKeySQL, arguments: [key]) else { return nil }
            var values: [String: Value] = [:]
            for (position, column) in stored.schema.columns.enumerated() {
                values[column.name] = Value(row[StoredTable.firstValueColumn + position] as DatabaseValue)
            }
            if case .text(let reason) = Value(row[stored.erasedIndex] as DatabaseValue) {
                values[TableSchema.erasureColumn] = .text(reason)
            }
            return values
        }
    }

    /// The value of a statistics cell (nil if never seen).
    public func statistic(_ key: StatKey) throws -> StatChange? {
        try read { db in
            guard let origin = directory.existingID(for: key.origin),
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT value, clock FROM crdt_stats
                        WHERE origin = ? AND community = ? AND metric = ? AND dims = ? AND period = ?
                        """,
                    arguments: [Int64(origin), key.community.rawValue, key.metric, key.dims, key.period])
            else { return nil }
            return StatChange(key: key, value: row[0], clock: HybridTimestamp(rawValue: UInt64(bitPattern: row[1])))
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.storage, "read failed: \(error)", cause: error)
        }
    }
}

/// A declared table with its id in `crdt_tables` and its prepared SQL.
struct StoredTable: Sendable {
    let id: Int64
    let schema: TableSchema
    let selectByKeySQL: String
    let selectByRowIDSQL: String
    let insertSQL: String
    let quotedName: String
    let quotedColumns: [String]

    /// Result columns of the selects: rowid, key, values…, _erased, _scope, _crdt.
    static let firstValueColumn = 2

    var erasedIndex: Int { Self.firstValueColumn + schema.columns.count }
    var scopeIndex: Int { erasedIndex + 1 }
    var crdtIndex: Int { erasedIndex + 2 }

    init(id: Int64, schema: TableSchema) {
        self.id = id
        self.schema = schema
        let name = schema.name.quotedDatabaseIdentifier
        let key = schema.primaryKey.quotedDatabaseIdentifier
        let columns = schema.columns.map { $0.name.quotedDatabaseIdentifier }
        let list = ([key] + columns + ["_erased", "_scope", "_crdt"]).joined(separator: ", ")
        selectByKeySQL = "SELECT rowid, \(list) FROM \(name) WHERE \(key) = ?"
        selectByRowIDSQL = "SELECT rowid, \(list) FROM \(name) WHERE rowid = ?"
        let placeholders = Array(repeating: "?", count: columns.count + 4).joined(separator: ", ")
        insertSQL = "INSERT INTO \(name) (\(list)) VALUES (\(placeholders))"
        quotedName = name
        quotedColumns = columns
    }
}

extension Value {
    init(_ databaseValue: DatabaseValue) {
        switch databaseValue.storage {
        case .null: self = .null
        case .int64(let value): self = .integer(value)
        case .double(let value): self = .real(value)
        case .string(let value): self = .text(value)
        case .blob(let data): self = .text(String(decoding: data, as: UTF8.self))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        }
    }
}
