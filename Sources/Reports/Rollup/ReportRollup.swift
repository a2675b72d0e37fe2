public import GRDB
public import Replication

/// A derived, local (never replicated) rollup of the statistics cells, kept by SQLite triggers in the
/// same transaction as every change to `crdt_stats` — a local write, a merge from a child, a
/// correction — so it is never stale.
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
///     // from now on, report queries above the community level read the rollup
public enum ReportRollup {
    /// The rollup table.
    public static let table = "report_rollup"
    /// The table of origins that wrote cells per month and day.
    public static let originTable = "report_origin_days"
    /// The table holding the installed schema version and top level.
    public static let metaTable = "report_rollup_meta"
    /// The layout version; `install` rebuilds a rollup of any other version from the cells.
    /// 1: key `(metric, area, grain, period, dims)`, every level from the province, 2 statements per
    /// cell update. 2: key `(metric, grain, level, area, period, dims)`, levels from the node's own,
    /// years above the street, one statement per cell update.
    public static let version = 2

    /// Creates the tables and triggers if they are missing or of another version or top level,
    /// filling the tables from the cells already stored. Idempotent; run it when a node opens its
    /// store (inside one write transaction).
    ///
    /// - Parameter scope: the node's own code: areas above its level are never asked for, so they
    ///   are not rolled up (a city node keeps city, district and street rows; a community, whose
    ///   reports read its own cells, keeps none and installs no triggers). nil keeps every level from
    ///   the province.
    public static func install(_ db: Database, scope: NodeCode? = nil) throws {
        let top = scope?.level ?? .province
        let levels = NodeCode.Level.allCases.filter { $0 >= top && $0 < .community }
        if try installedVersion(db) == version, try topLevel(db) == top,
            try levels.isEmpty || db.triggerExists("report_rollup_insert")
        {
            return
        }
        let levelRows = levels.flatMap { level in
            let digits = level.significantDigits
            return ["(\(level.rawValue), \(digits), 'm', 7)", "(\(level.rawValue), \(digits), 'd', 10)"]
                + (level < .street ? ["(\(level.rawValue), \(digits), 'y', 4)"] : [])
        }
        // A community reads its own cells (a handful a day): it keeps the tables, empty, and no triggers,
        // so recording an event there costs nothing more.
        let triggers = """
                CREATE TRIGGER report_rollup_insert AFTER INSERT ON crdt_stats BEGIN
                \(upsert("NEW", value: "NEW.value"))
                \(originUpsert("NEW", sign: ""))
                END;
                CREATE TRIGGER report_rollup_update_value AFTER UPDATE ON crdt_stats
                WHEN \(sameKey) AND NEW.value != OLD.value BEGIN
                \(upsert("NEW", value: "NEW.value - OLD.value"))
                END;
                CREATE TRIGGER report_rollup_update_key AFTER UPDATE ON crdt_stats
                WHEN NOT (\(sameKey)) BEGIN
                \(upsert("OLD", value: "-OLD.value"))
                \(originUpsert("OLD", sign: "-"))
                \(upsert("NEW", value: "NEW.value"))
                \(originUpsert("NEW", sign: ""))
                END;
                CREATE TRIGGER report_rollup_delete AFTER DELETE ON crdt_stats BEGIN
                \(upsert("OLD", value: "-OLD.value"))
                \(originUpsert("OLD", sign: "-"))
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
                \(levels.isEmpty ? "" : triggers)
                """)
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

    /// The statement adding `value` for the cell row `row` to every rollup level and grain.
    static func upsert(_ row: String, value: String) -> String {
        """
        INSERT INTO report_rollup(metric, grain, level, area, period, dims, value)
            SELECT \(row).metric, l.grain, l.level,
                   substr(\(row).community, 1, l.digits) || substr('000000000000', 1, 12 - l.digits),
                   substr(\(row).period, 1, l.width), \(withoutItem("\(row).dims")), \(value)
            FROM report_rollup_levels l WHERE true
            ON CONFLICT(metric, grain, level, area, period, dims) DO UPDATE SET value = value + excluded.value;
        """
    }

    /// The statement recording that `row`'s origin wrote (or, with sign `-`, no longer has) a cell for
    /// its month and day.
    static func originUpsert(_ row: String, sign: String) -> String {
        """
        INSERT INTO report_origin_days(origin, grain, period, cells)
            VALUES (\(row).origin, 'm', substr(\(row).period, 1, 7), \(sign)1),
                   (\(row).origin, 'd', substr(\(row).period, 1, 10), \(sign)1)
            ON CONFLICT(grain, origin, period) DO UPDATE SET cells = cells + excluded.cells;
        """
    }

    /// Fills both tables from every stored cell (at install).
    static func fill(_ source: String) -> String {
        """
        INSERT INTO report_rollup(metric, grain, level, area, period, dims, value)
            SELECT s.metric, l.grain, l.level, substr(s.community, 1, l.digits) || substr('000000000000', 1, 12 - l.digits),
                   substr(s.period, 1, l.width), \(withoutItem("s.dims")), SUM(s.value)
            FROM \(source) s, report_rollup_levels l GROUP BY 1, 2, 3, 4, 5, 6;
        INSERT INTO report_origin_days(origin, grain, period, cells)
            SELECT s.origin, g.grain, substr(s.period, 1, g.width), COUNT(*)
            FROM \(source) s, (SELECT 'm' AS grain, 7 AS width UNION ALL SELECT 'd', 10) g GROUP BY 1, 2, 3;
        """
    }

    /// Whether `install` has run on this database (any version).
    public static func isInstalled(_ db: Database) throws -> Bool {
        try db.tableExists(table) && db.tableExists(originTable)
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
