/// One column of one replicated record as written by `origin` at `clock`.
public struct CellChange: Hashable, Sendable {
    public var column: String
    public var value: Value
    public var clock: HybridTimestamp
    public var origin: NodeCode

    public init(column: String, value: Value, clock: HybridTimestamp, origin: NodeCode) {
        self.column = column
        self.value = value
        self.clock = clock
        self.origin = origin
    }
}

/// The changed cells of one record.
public struct RowChange: Hashable, Sendable {
    public var table: String
    public var key: String
    public var cells: [CellChange]

    public init(table: String, key: String, cells: [CellChange]) {
        self.table = table
        self.key = key
        self.cells = cells
    }
}

/// The identity of a single-writer statistics cell.
public struct StatKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The only node that writes this cell.
    public var origin: NodeCode
    /// The community the statistic is about.
    public var community: NodeCode
    /// What is counted, e.g. `calls` or `visit_minutes`.
    public var metric: String
    /// Canonical dimension string `k=v;k=v` with sorted keys, or "" (see `StatKey.dimensions(_:)`).
    public var dims: String
    /// The period, `YYYY-MM-DD`.
    public var period: String

    public init(origin: NodeCode, community: NodeCode, metric: String, dims: String = "", period: String) {
        self.origin = origin
        self.community = community
        self.metric = metric
        self.dims = dims
        self.period = period
    }

    /// The canonical dimension string for a dictionary: keys sorted, `k=v` joined by `;`.
    public static func dimensions(_ pairs: [String: String]) -> String {
        pairs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    public static func < (lhs: StatKey, rhs: StatKey) -> Bool {
        (lhs.origin, lhs.community, lhs.metric, lhs.dims, lhs.period)
            < (rhs.origin, rhs.community, rhs.metric, rhs.dims, rhs.period)
    }

    public var description: String { "\(origin)/\(community)/\(metric)[\(dims)]@\(period)" }
}

/// A statistics cell's value as its origin last wrote it.
public struct StatChange: Hashable, Sendable {
    public var key: StatKey
    public var value: Int64
    public var clock: HybridTimestamp

    public init(key: StatKey, value: Int64, clock: HybridTimestamp) {
        self.key = key
        self.value = value
        self.clock = clock
    }
}

/// A set of changes travelling between nodes: record cells and statistics cells.
public struct ChangeBatch: Hashable, Sendable {
    public var rows: [RowChange]
    public var stats: [StatChange]
    /// Statistics cells of a received payload whose subject was not a 12-digit code: left out when the
    /// payload was decoded, refused (and counted) by the merge, so they do not hold back the rest.
    public var undecodableStats = 0

    public init(rows: [RowChange] = [], stats: [StatChange] = []) {
        self.rows = rows
        self.stats = stats
    }

    /// Number of cells (record cells plus statistics cells).
    public var cellCount: Int { rows.reduce(0) { $0 + $1.cells.count } + stats.count }

    public var isEmpty: Bool { rows.isEmpty && stats.isEmpty }

    /// The union of two batches (no deduplication: merging is idempotent).
    public static func + (lhs: ChangeBatch, rhs: ChangeBatch) -> ChangeBatch {
        ChangeBatch(rows: lhs.rows + rhs.rows, stats: lhs.stats + rhs.stats)
    }
}

/// A local write to one record: the values of some of its columns.
public struct RecordWrite: Sendable {
    public var table: String
    public var key: String
    public var values: [(column: String, value: Value)]

    public init(table: String, key: String, values: [(column: String, value: Value)]) {
        self.table = table
        self.key = key
        self.values = values
    }

    public init(table: String, key: String, _ values: KeyValuePairs<String, Value>) {
        self.init(table: table, key: key, values: values.map { (column: $0.key, value: $0.value) })
    }
}
