public import GRDB
public import Replication

/// A derived, local (never replicated) rollup of the statistics cells, kept exact for every read, on
/// district and city nodes (a street or community reads its own communities' cells: `topLevel(for:)`).
///
/// SQLite triggers on `crdt_stats` add each change of a cell — a local write, a merge from a child, a
/// correction — to `report_rollup_pending` in the same transaction: one row per cell changed since the
/// last fold, updated in place when it changes again. The node folds the pending cells into the rollup
/// every 2 s in chunks (`fold`, `RollupFolder` in FederationNode), grouped by rollup row, so a cell
/// changed many times in that window and the cells of one area cost one upsert per rollup row; reports
/// read the rollup *and* the cells still pending, so they are never stale. (Layout 2 kept the rollup
/// inside every merge's transaction; at the sync benchmark's 8,000 changes/s on two cores both
/// layouts are CPU-bound alike — docs/BENCHMARKS.md "The fix tried on 2026-12-04".)
///
/// `report_rollup` holds, per metric, dimension string and area above the community level (from the
/// node's own level down to the street), the sum of the cells per month (`grain` `m`, period
/// `YYYY-MM`), per day (`grain` `d`, period `YYYY-MM-DD`) and, above the street, per year (`grain`
/// `y`, period `YYYY`: a city's year and its districts' years are one row per dimension string). Its key is
/// `(metric, grain, level, area, period, dims)`: one area's rows for a range of periods are one
/// contiguous range of the key, and the areas of one level inside a parent are adjacent, so a
/// report on a scope and the breakdown by its children touch only the rows they sum. The `item`
/// dimension of visit cells is left out (`category=…;provider=…` only): it matters only to
/// settlements, which read the cells themselves, and would multiply the rows of every other query.
/// `report_origin_days` records, per origin and month or day, that the origin wrote cells: the
/// reporting health of a period reads it instead of the cells. `report_rollup_meta` holds the
/// schema `version` and the top level; `install` rebuilds everything from the cells when either
/// differs (a node upgraded to a new layout).
///
///     try store.database.write { db in try ReportRollup.install(db, scope: store.node) }
///     // from now on, report queries above the community level read the rollup (and what is pending);
///     // the node folds what is pending in the background:
///     while try store.database.write({ db in try ReportRollup.fold(db) }) == ReportRollup.foldChunk {}
public enum ReportRollup {
    /// The rollup table.
    public static let table = "report_rollup"
    /// The table of origins that wrote cells per month and day.
    public static let originTable = "report_origin_days"
    /// The table holding the installed schema version and top level.
    public static let metaTable = "report_rollup_meta"
    /// The cells changed since they were last folded into the rollup, one row each with the sum of
    /// their changes (written by the triggers, emptied by `fold`).
    public static let pendingTable = "report_rollup_pending"
    /// The count of stored cells and pending changes the rollup skipped (`foldCounting`, `install`),
    /// one row, kept across rebuilds.
    public static let skippedTable = "report_rollup_skipped"
    /// SQL true for a cell of `crdt_stats` the rollup and the reports count: an integer value in
    /// 0…`StatisticGrammar.maxValue` (the merge refuses others and the store's quarantine removes them;
    /// one written past both is left out, docs/REPLICATION.md "Arithmetic").
    public static let countedCell = "typeof(value) = 'integer' AND value BETWEEN 0 AND \(StatisticGrammar.maxValue)"
    /// SQL true for a pending change (`report_rollup_pending`) that counted cells can make: integers
    /// in −`StatisticGrammar.maxValue`…`StatisticGrammar.maxValue` (a change is a cell's new value
    /// less the one last folded, and a count of −1, 0 or 1). `foldCounting` skips the others, and the
    /// reports that read pending changes skip the same ones, so a figure is the same before and after
    /// a fold.
    public static let foldableChange = """
        typeof(value) = 'integer' AND value BETWEEN -\(StatisticGrammar.maxValue) AND \(StatisticGrammar.maxValue) \
        AND typeof(cells) = 'integer' AND cells BETWEEN -\(StatisticGrammar.maxValue) AND \(StatisticGrammar.maxValue)
        """
    /// The projections kept beside the full rows: metric `calls#effective` holds the calls with
    /// their dimension string cut down to its `effective=…` pair, two rows per area and period instead
    /// of one per channel × type × hour × effectiveness; visits and their minutes by category only (not by
    /// provider), callbacks by score only (not by complaint and provider) — for what needs the totals
    /// only (the children's figures, the daily trends). Read them with `CellSource`'s `projection`.
    /// `install` rebuilds a rollup whose projections differ from these.
    public static let projections: [(metric: String, key: String)] = [
        (CallStatistics.metric, CallStatistics.Dimension.effective),
        (ServiceStatistics.visitsMetric, ServiceStatistics.Dimension.category),
        (ServiceStatistics.minutesMetric, ServiceStatistics.Dimension.category),
        (SatisfactionStatistics.metric, SatisfactionStatistics.Dimension.score),
    ]
    /// The most pending cells one `fold` takes, in one write transaction that a merge or an ingest
    /// may wait behind. Much of a chunk's cost is per page it dirties (the month and year rows it
    /// updates, written at commit), so larger chunks fold faster. With the fold of 2026-12-05 (byte
    /// scans, C-API upserts) the longest fold transaction of a city ingesting 200,000 events was 57 ms
    /// with chunks of 2,000 and 73 ms with 4,000 (a district 52 ms), and city ingest went from about
    /// 20,000 to 24,500 events/s with 4,000 — docs/BENCHMARKS.md.
    public static let foldChunk = 4_000
    /// The layout version; `install` rebuilds a rollup of any other version from the cells.
    /// 1: key `(metric, area, grain, period, dims)`, every level from the province, 2 statements per
    /// cell update. 2: key `(metric, grain, level, area, period, dims)`, levels from the node's own,
    /// years above the street, one statement per cell update. 3: the triggers write to
    /// `report_rollup_pending`, `fold` moves it into the rollup, reads add what is pending; projections.
    public static let version = 3

    /// Creates the tables and triggers if they are missing or of another version or top level,
    /// filling the tables from the cells already stored. Idempotent; run it when a node opens its
    /// store (inside one write transaction).
    ///
    /// - Parameter scope: the node's own code: areas above its level are never asked for, so they
    ///   are not rolled up (a city node keeps city, district and street rows; a street or community,
    ///   whose reports read the cells of its own few communities, keeps none and installs no triggers:
    ///   `topLevel(for:)`). nil keeps every level from the province.
    public static func install(_ db: Database, scope: NodeCode? = nil) throws {
        let top = topLevel(for: scope)
        let levels = NodeCode.Level.allCases.filter { $0 >= top && $0 < .community }
        if try isCurrent(db, scope: scope) { return }
        let levelRows = levels.flatMap { level in
            let digits = level.significantDigits
            return ["(\(level.rawValue), \(digits), 'm', 7)", "(\(level.rawValue), \(digits), 'd', 10)"]
                + (level < .street ? ["(\(level.rawValue), \(digits), 'y', 4)"] : [])
        }
        // A street or community reads its own communities' cells: it keeps the tables, empty, and no
        // triggers, so recording an event there costs nothing more.
        let triggers = """
                CREATE TRIGGER report_rollup_insert AFTER INSERT ON crdt_stats BEGIN
                \(append("NEW", value: "NEW.value", cells: "1"))
                END;
                CREATE TRIGGER report_rollup_update_value AFTER UPDATE ON crdt_stats
                WHEN \(sameKey) AND NEW.value != OLD.value BEGIN
                \(append("NEW", value: "NEW.value - OLD.value", cells: "0"))
                END;
                CREATE TRIGGER report_rollup_update_key AFTER UPDATE ON crdt_stats
                WHEN NOT (\(sameKey)) BEGIN
                \(append("OLD", value: "-OLD.value", cells: "-1"))
                \(append("NEW", value: "NEW.value", cells: "1"))
                END;
                CREATE TRIGGER report_rollup_delete AFTER DELETE ON crdt_stats BEGIN
                \(append("OLD", value: "-OLD.value", cells: "-1"))
                END;
                \(fill("crdt_stats"))
            """
        try db.execute(
            sql: """
                DROP TRIGGER IF EXISTS report_rollup_insert;
                DROP TRIGGER IF EXISTS report_rollup_update;
                DROP TRIGGER IF EXISTS report_rollup_update_value;
                DROP TRIGGER IF EXISTS report_rollup_update_key;
                DROP TRIGGER IF EXISTS report_rollup_delete;
                DROP TABLE IF EXISTS report_rollup;
                DROP TABLE IF EXISTS report_origin_days;
                DROP TABLE IF EXISTS report_rollup_levels;
                DROP TABLE IF EXISTS report_rollup_meta;
                DROP TABLE IF EXISTS report_rollup_pending;
                DROP TABLE IF EXISTS report_rollup_projections;
                CREATE TABLE report_rollup_meta (version INTEGER NOT NULL, top_level INTEGER NOT NULL);
                INSERT INTO report_rollup_meta(version, top_level) VALUES (\(version), \(top.rawValue));
                CREATE TABLE report_rollup_levels (
                    level INTEGER NOT NULL, digits INTEGER NOT NULL, grain TEXT NOT NULL, width INTEGER NOT NULL,
                    PRIMARY KEY (level, grain));
                \(levelRows.isEmpty ? "" : "INSERT INTO report_rollup_levels(level, digits, grain, width) VALUES \(levelRows.joined(separator: ", "));")
                CREATE TABLE report_rollup (
                    metric TEXT NOT NULL,
                    grain TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    area TEXT NOT NULL,
                    period TEXT NOT NULL,
                    dims TEXT NOT NULL,
                    value INTEGER NOT NULL,
                    PRIMARY KEY (metric, grain, level, area, period, dims)) WITHOUT ROWID;
                CREATE TABLE report_origin_days (
                    origin INTEGER NOT NULL,
                    grain TEXT NOT NULL,
                    period TEXT NOT NULL,
                    cells INTEGER NOT NULL,
                    PRIMARY KEY (grain, origin, period)) WITHOUT ROWID;
                CREATE TABLE report_rollup_projections (metric TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (metric, key));
                INSERT INTO report_rollup_projections(metric, key) VALUES \(
                    projections.map { "('\($0.metric)', '\($0.key)')" }.joined(separator: ", "));
                CREATE TABLE report_rollup_pending (
                    metric TEXT NOT NULL,
                    community TEXT NOT NULL,
                    period TEXT NOT NULL,
                    dims TEXT NOT NULL,
                    origin INTEGER NOT NULL,
                    value INTEGER NOT NULL,
                    cells INTEGER NOT NULL,
                    UNIQUE (metric, community, period, dims, origin));
                \(levels.isEmpty ? "" : triggers)
                """)
        if !levels.isEmpty {
            let skipped = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM crdt_stats WHERE NOT (\(countedCell))") ?? 0
            try recordSkipped(db, skipped)
        }
    }

    /// SQL true when an update left the cell's key as it was (the usual case: a new value).
    static let sameKey = """
        NEW.origin = OLD.origin AND NEW.community = OLD.community AND NEW.metric = OLD.metric \
        AND NEW.dims = OLD.dims AND NEW.period = OLD.period
        """

    /// SQL for the dimension string `dims` without its `;item=…` pair (keys are sorted, so the pair sits
    /// between `category` and `provider`; values never contain `;`).
    static func withoutItem(_ dims: String) -> String {
        """
        (CASE WHEN instr(\(dims), ';item=') = 0 THEN \(dims)
              ELSE substr(\(dims), 1, instr(\(dims), ';item=') - 1)
                   || substr(substr(\(dims), instr(\(dims), ';item=') + 1),
                             instr(substr(\(dims), instr(\(dims), ';item=') + 1) || ';', ';')) END)
        """
    }

    /// The statement adding a change of the cell row `row` to the pending changes: `value` added to its
    /// sum, `cells` (1, 0 or -1) to the count of its origin's cells for its day. A cell already pending
    /// is updated in place, so the pending table holds one row per cell changed since the last fold,
    /// however often it changed.
    static func append(_ row: String, value: String, cells: String) -> String {
        """
        INSERT INTO report_rollup_pending(metric, community, period, dims, origin, value, cells)
            VALUES (\(row).metric, \(row).community, \(row).period, \(row).dims, \(row).origin, \(value), \(cells))
            ON CONFLICT(metric, community, period, dims, origin)
            DO UPDATE SET value = value + excluded.value, cells = cells + excluded.cells;
        """
    }

    /// Folds up to `limit` pending cells (the oldest) into the rollup and the origins' days, in the
    /// caller's write transaction, and returns how many it folded: 0 when nothing was pending, `limit`
    /// when more may be left. A pending cell holds the sum of its changes since the last fold (a cell
    /// updated a hundred times costs one row), and the cells are grouped by rollup row first (in
    /// memory, `FoldChunk`), so the cells of one area cost one upsert per level and grain.
    @discardableResult
    public static func fold(_ db: Database, limit: Int = foldChunk) throws -> Int {
        try foldCounting(db, limit: limit).folded
    }

    /// `fold`, also saying which pending changes it skipped: those no cell within
    /// 0…`StatisticGrammar.maxValue` can make (`foldableChange`), which a fold must not add up (two
    /// cells of 2^62 overflow any 64-bit sum). They are left out of the rollup, counted in
    /// `report_rollup_skipped` (`skippedCells`) and returned for the caller to log.
    public static func foldCounting(_ db: Database, limit: Int = foldChunk) throws -> FoldOutcome {
        guard try db.tableExists(pendingTable) else { return FoldOutcome() }
        guard
            let bounds = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT min(rowid), max(rowid) FROM report_rollup_pending")),
            let first = bounds[0] as Int64?, let last = bounds[1] as Int64?
        else { return FoldOutcome() }
        // Rowids are positive; `limit` is the caller's (at least 1).
        let (end, overflow) = first.addingReportingOverflow(Int64(max(1, limit)) - 1)
        let upper = overflow ? last : min(last, end)
        let (skipped, examples) = try FoldChunk(db).fold(through: upper)
        try db.execute(sql: "DELETE FROM report_rollup_pending WHERE rowid <= ?", arguments: [upper])
        try recordSkipped(db, skipped)
        return FoldOutcome(folded: Int(upper - first + 1), skipped: skipped, examples: examples)
    }

    /// Adds `count` to the skipped total (creating its table on first use).
    static func recordSkipped(_ db: Database, _ count: Int) throws {
        guard count > 0 else { return }
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS report_rollup_skipped (id INTEGER PRIMARY KEY CHECK (id = 1), cells INTEGER NOT NULL);
                INSERT INTO report_rollup_skipped(id, cells) VALUES (1, ?)
                    ON CONFLICT(id) DO UPDATE SET cells = cells + excluded.cells;
                """,
            arguments: [count])
    }

    /// How many stored cells and pending changes the rollup has skipped since the node's store was
    /// created (0 if none): the node exposes it as `eldercare_rollup_skipped_cells_total`.
    public static func skippedCells(_ db: Database) throws -> Int64 {
        guard try db.tableExists(skippedTable) else { return 0 }
        let stored = try DatabaseValue.fetchOne(db, sql: "SELECT cells FROM report_rollup_skipped WHERE id = 1")
        return stored.flatMap { Int64.fromDatabaseValue($0) } ?? 0
    }

    /// Whether any changed cell waits to be folded (false without a rollup): a read, so an idle node's
    /// folder never opens a write transaction.
    public static func hasPending(_ db: Database) throws -> Bool {
        guard try db.tableExists(pendingTable) else { return false }
        return try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM report_rollup_pending)"))
            ?? false
    }

    /// How many changed cells are waiting to be folded (0 without a rollup).
    public static func pendingCount(_ db: Database) throws -> Int {
        guard try db.tableExists(pendingTable) else { return 0 }
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM report_rollup_pending")) ?? 0
    }

    /// Fills both tables from every stored cell that counts (`countedCell`, at install): the sums of
    /// values within the bound cannot overflow `SUM`, short of 9.2 × 10⁹ cells.
    static func fill(_ source: String) -> String {
        """
        \(rollupInsert(
            cells: "SELECT metric, community, period, \(withoutItem("dims")) AS dims, value FROM \(source) WHERE \(countedCell)",
            materialized: false))
        INSERT INTO report_origin_days(origin, grain, period, cells)
            SELECT s.origin, g.grain, substr(s.period, 1, g.width), COUNT(*)
            FROM \(source) s, (SELECT 'm' AS grain, 7 AS width UNION ALL SELECT 'd', 10) g
            WHERE \(countedCell.replacingOccurrences(of: "value", with: "s.value")) GROUP BY 1, 2, 3;
        """
    }

    /// The statement adding `cells` (a query of `metric, community, period, dims, value`, the `item`
    /// dimension already dropped) to the rollup at every level and grain, with the projections of
    /// `report_rollup_projections` beside them.
    ///
    /// - Parameter materialized: whether `cells` is computed once into a temporary table (a fold's
    ///   pending changes, grouped by cell) or read twice (every stored cell, at install).
    static func rollupInsert(cells: String, materialized: Bool) -> String {
        """
        WITH p AS \(materialized ? "" : "NOT ")MATERIALIZED (\(cells)),
        q AS (
            SELECT metric, community, period, dims, value FROM p
            UNION ALL
            SELECT p.metric || '#' || j.key, p.community, p.period, \(pair("p.dims", key: "j.key")), p.value
            FROM p JOIN report_rollup_projections j ON j.metric = p.metric)
        INSERT INTO report_rollup(metric, grain, level, area, period, dims, value)
            SELECT q.metric, l.grain, l.level,
                   substr(q.community, 1, l.digits) || substr('000000000000', 1, 12 - l.digits),
                   substr(q.period, 1, l.width), q.dims, SUM(q.value)
            FROM q, report_rollup_levels l WHERE true GROUP BY 1, 2, 3, 4, 5, 6
            ON CONFLICT(metric, grain, level, area, period, dims) DO UPDATE SET value = value + excluded.value;
        """
    }

    /// SQL for the `key=value` pair of the dimension string `dims` whose key is the SQL string `key`,
    /// "" when it has none (values never contain `;`).
    static func pair(_ dims: String, key: String) -> String {
        """
        (CASE WHEN instr(';' || \(dims) || ';', ';' || \(key) || '=') = 0 THEN ''
              ELSE substr(substr(';' || \(dims) || ';', instr(';' || \(dims) || ';', ';' || \(key) || '=') + 1), 1,
                          instr(substr(';' || \(dims) || ';', instr(';' || \(dims) || ';', ';' || \(key) || '=') + 1), ';') - 1) END)
        """
    }

    /// Whether the installed rollup is the one `install(db, scope:)` would build (its version, top
    /// level, triggers and projections): then `install` leaves it as it is, otherwise it rebuilds it.
    public static func isCurrent(_ db: Database, scope: NodeCode? = nil) throws -> Bool {
        let top = topLevel(for: scope)
        let levels = NodeCode.Level.allCases.filter { $0 >= top && $0 < .community }
        return try installedVersion(db) == version && topLevel(db) == top
            && (levels.isEmpty || db.triggerExists("report_rollup_insert"))
            && installedProjections(db) == projections.map { "\($0.metric)#\($0.key)" }.sorted()
    }

    /// The installed projections as `metric#key`, sorted ([] without a projections table).
    static func installedProjections(_ db: Database) throws -> [String] {
        guard try db.tableExists("report_rollup_projections") else { return [] }
        return try String.fetchAll(db, sql: "SELECT metric || '#' || key FROM report_rollup_projections ORDER BY 1")
    }

    /// Whether `install` has run on this database (any version).
    public static func isInstalled(_ db: Database) throws -> Bool {
        try db.tableExists(table) && db.tableExists(originTable)
    }

    /// The highest level a node at `scope` rolls up (nil: from the province). A street or community
    /// node keeps no rollup (`.community`): its reports read the cells of its own few communities
    /// directly, and recording an event or merging a child's batch there pays nothing for a rollup
    /// (at a street the fold cost more than everything else of an ingest: docs/BENCHMARKS.md). A
    /// district keeps district and street rows, a city city, district and street rows.
    public static func topLevel(for scope: NodeCode?) -> NodeCode.Level {
        guard let level = scope?.level else { return .province }
        return level >= .street ? .community : level
    }

    /// Whether the installed rollup keeps rows and origin days, and its triggers feed them (false at
    /// a street or community node, or before `install`): reports then read the cells themselves.
    public static func isMaintained(_ db: Database) throws -> Bool {
        guard let top = try topLevel(db) else { return false }
        return top < .community
    }

    /// The version of the installed rollup, nil if none (or one older than versions were recorded).
    public static func installedVersion(_ db: Database) throws -> Int? {
        guard try db.tableExists(metaTable) else { return nil }
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT version FROM report_rollup_meta"))
    }

    /// The highest level the installed rollup holds rows for, nil if no current rollup is installed.
    /// A scope at or below it (and above the community) is answered from the rollup.
    public static func topLevel(_ db: Database) throws -> NodeCode.Level? {
        guard try db.tableExists(metaTable) else { return nil }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT version, top_level FROM report_rollup_meta")),
            row[0] as Int == version
        else { return nil }
        return NodeCode.Level(rawValue: row[1])
    }
}
