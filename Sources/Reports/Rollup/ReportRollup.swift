public import GRDB

/// A derived, local (never replicated) rollup of the statistics cells, kept by SQLite triggers in the
/// same transaction as every change to `crdt_stats` — a local write, a merge from a child, a
/// correction — so it is never stale and never needs a rebuild.
///
/// `report_rollup` holds, per metric, dimension string and area above the community level
/// (province, city, district, street), the sum of the cells per month (`grain` `m`, period `YYYY-MM`)
/// and per day (`grain` `d`, period `YYYY-MM-DD`). The `item` dimension of visit cells is left out
/// (`category=…;provider=…` only): it matters only to settlements, which read the cells themselves,
/// and would multiply the rows of every other query. A city's year then reads 12 monthly rows per
/// dimension string instead of every community's every day (docs/METRICS.md, "Performance").
/// `report_origin_days` records, per origin and month or day, that the origin wrote cells: the
/// reporting health of a period reads it instead of the cells.
///
///     try store.database.write { db in try ReportRollup.install(db) }
///     // from now on, report queries above the community level read the rollup
public enum ReportRollup {
    /// The rollup table.
    public static let table = "report_rollup"
    /// The table of origins that wrote cells per month and day.
    public static let originTable = "report_origin_days"

    /// Creates the tables and triggers if they are missing, filling the tables from the cells already
    /// stored. Idempotent; run it once when a node opens its store (inside one write transaction).
    public static func install(_ db: Database) throws {
        if try db.tableExists(table), try db.tableExists(originTable), try db.triggerExists("report_rollup_insert") {
            return
        }
        try db.execute(
            sql: """
                DROP TRIGGER IF EXISTS report_rollup_insert;
                DROP TRIGGER IF EXISTS report_rollup_update;
                DROP TRIGGER IF EXISTS report_rollup_delete;
                DROP TABLE IF EXISTS report_rollup;
                DROP TABLE IF EXISTS report_origin_days;
                DROP TABLE IF EXISTS report_rollup_levels;
                CREATE TABLE report_rollup_levels (
                    level INTEGER PRIMARY KEY, digits INTEGER NOT NULL, grain TEXT NOT NULL, width INTEGER NOT NULL);
                INSERT INTO report_rollup_levels(level, digits, grain, width) VALUES
                    (10, 2, 'm', 7), (11, 2, 'd', 10), (20, 4, 'm', 7), (21, 4, 'd', 10),
                    (30, 6, 'm', 7), (31, 6, 'd', 10), (40, 9, 'm', 7), (41, 9, 'd', 10);
                CREATE TABLE report_rollup (
                    metric TEXT NOT NULL,
                    area TEXT NOT NULL,
                    grain TEXT NOT NULL,
                    period TEXT NOT NULL,
                    dims TEXT NOT NULL,
                    value INTEGER NOT NULL,
                    PRIMARY KEY (metric, area, grain, period, dims)) WITHOUT ROWID;
                CREATE TABLE report_origin_days (
                    origin INTEGER NOT NULL,
                    grain TEXT NOT NULL,
                    period TEXT NOT NULL,
                    cells INTEGER NOT NULL,
                    PRIMARY KEY (grain, period, origin)) WITHOUT ROWID;
                \(trigger("insert", "INSERT", add: "NEW", subtract: nil))
                \(trigger("update", "UPDATE", add: "NEW", subtract: "OLD"))
                \(trigger("delete", "DELETE", add: nil, subtract: "OLD"))
                \(fill("crdt_stats"))
                """)
    }

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

    /// The statement adding (or subtracting) one cell row `row` to every rollup area and period.
    static func upsert(_ row: String, sign: String) -> String {
        """
        INSERT INTO report_rollup(metric, area, grain, period, dims, value)
            SELECT \(row).metric, substr(\(row).community, 1, l.digits) || substr('000000000000', 1, 12 - l.digits),
                   l.grain, substr(\(row).period, 1, l.width), \(withoutItem("\(row).dims")), \(sign)\(row).value
            FROM report_rollup_levels l WHERE true
            ON CONFLICT(metric, area, grain, period, dims) DO UPDATE SET value = value + excluded.value;
        """
    }

    /// The statement recording that `row`'s origin wrote a cell for its month and day.
    static func originUpsert(_ row: String, sign: String) -> String {
        """
        INSERT INTO report_origin_days(origin, grain, period, cells)
            SELECT \(row).origin, l.grain, substr(\(row).period, 1, l.width), \(sign)1
            FROM report_rollup_levels l WHERE l.digits = 2
            ON CONFLICT(grain, period, origin) DO UPDATE SET cells = cells + excluded.cells;
        """
    }

    static func trigger(_ name: String, _ event: String, add: String?, subtract: String?) -> String {
        var body = ""
        if let subtract { body += upsert(subtract, sign: "-") + "\n" + originUpsert(subtract, sign: "-") + "\n" }
        if let add { body += upsert(add, sign: "") + "\n" + originUpsert(add, sign: "") + "\n" }
        return "CREATE TRIGGER report_rollup_\(name) AFTER \(event) ON crdt_stats BEGIN\n\(body)END;"
    }

    /// Fills both tables from every stored cell (at install).
    static func fill(_ source: String) -> String {
        """
        INSERT INTO report_rollup(metric, area, grain, period, dims, value)
            SELECT s.metric, substr(s.community, 1, l.digits) || substr('000000000000', 1, 12 - l.digits),
                   l.grain, substr(s.period, 1, l.width), \(withoutItem("s.dims")), SUM(s.value)
            FROM \(source) s, report_rollup_levels l GROUP BY 1, 2, 3, 4, 5;
        INSERT INTO report_origin_days(origin, grain, period, cells)
            SELECT s.origin, l.grain, substr(s.period, 1, l.width), COUNT(*)
            FROM \(source) s, report_rollup_levels l WHERE l.digits = 2 GROUP BY 1, 2, 3;
        """
    }

    /// Whether `install` has run on this database.
    public static func isInstalled(_ db: Database) throws -> Bool {
        try db.tableExists(table) && db.tableExists(originTable)
    }
}
