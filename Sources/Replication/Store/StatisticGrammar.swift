/// What a statistics cell may be (docs/PROTOCOL.md, "Statistics cells"): the rules a receiver applies
/// to every cell before it stores it, the same for a local write and a merged one.
///
/// The parts every federation shares are fixed here: the period is a real calendar day `YYYY-MM-DD`
/// in `firstDay…lastDay`, the value lies in `0…maxValue`, the subject is a community-level code, and
/// the dimension string is canonical (`k=v` pairs joined by `;`, keys strictly ascending, no empty key
/// or value, no `;`, `=` or control character inside one). The metrics and their dimensions are the
/// domain's, declared by the application:
///
///     let grammar = StatisticGrammar(metrics: [
///         "calls": ["channel": .oneOf(["hotline", "app"]), "hour": .oneOf(hours)],
///     ])
///     try grammar.check(stat.key, value: stat.value)      // throws ReplicationError(.invalidStatistic)
///
/// `maxValue` is the bound that makes every sum a report or the rollup takes impossible to overflow:
/// at 10⁹ a cell, 2⁶³ needs more than 9.2 × 10⁹ cells, several terabytes of SQLite at any layout
/// (docs/REPLICATION.md, "Arithmetic").
public struct StatisticGrammar: Sendable {
    /// The largest value a statistics cell may hold.
    public static let maxValue: Int64 = 1_000_000_000
    /// The first and last day a cell's period may name (the range of event times, docs/API.md).
    public static let firstDay = "1970-01-01"
    public static let lastDay = "9998-12-31"

    /// The values one dimension key may take.
    public enum DimensionRule: Sendable, Equatable {
        /// One of these exact strings.
        case oneOf(Set<String>)
        /// Free text of 1…`maxBytes` UTF-8 bytes (a provider id, a catalog item).
        case text(maxBytes: Int)
    }

    /// The dimensions of one metric: which keys it must have and which it may have.
    public struct Metric: Sendable, Equatable {
        public var required: [String: DimensionRule]
        public var optional: [String: DimensionRule]

        public init(required: [String: DimensionRule], optional: [String: DimensionRule] = [:]) {
            self.required = required
            self.optional = optional
        }
    }

    /// The known metrics by name; nil accepts any metric name of identifier form with any canonical
    /// dimensions (a store without a domain, as in the replication tests).
    public let metrics: [String: Metric]?

    public init(metrics: [String: Metric]?) {
        self.metrics = metrics
    }

    /// Only the shared rules (period, value, subject, canonical dimensions).
    public static let structural = StatisticGrammar(metrics: nil)

    /// Identifies the rules: a store checked under the same fingerprint need not be checked again.
    public var fingerprint: String {
        var text = "v1;max=\(Self.maxValue);days=\(Self.firstDay)..\(Self.lastDay)"
        guard let metrics else { return text + ";structural" }
        func describe(_ rules: [String: DimensionRule]) -> String {
            rules.sorted { $0.key < $1.key }.map { name, rule in
                switch rule {
                case .oneOf(let values): "\(name)=[\(values.sorted().joined(separator: ","))]"
                case .text(let maxBytes): "\(name)=text\(maxBytes)"
                }
            }.joined(separator: ",")
        }
        for (name, metric) in metrics.sorted(by: { $0.key < $1.key }) {
            text += ";\(name){\(describe(metric.required))|\(describe(metric.optional))}"
        }
        return text
    }

    /// Checks one cell.
    ///
    /// - Throws: `ReplicationError(.invalidStatistic)` naming the cell and the rule it breaks.
    public func check(_ key: StatKey, value: Int64) throws(ReplicationError) {
        func refuse(_ reason: String) -> ReplicationError {
            ReplicationError(.invalidStatistic, "statistics cell \(key.description.prefix(400)): \(reason)")
        }
        guard (0...Self.maxValue).contains(value) else {
            throw refuse("value \(value) is outside 0…\(Self.maxValue)")
        }
        guard key.community.level == .community else {
            throw refuse("the subject \(key.community) is a \(key.community.level)-level code, not a community")
        }
        guard Self.isDay(key.period) else {
            throw refuse("period \"\(key.period.prefix(40))\" is not a calendar day \(Self.firstDay)…\(Self.lastDay)")
        }
        guard key.metric.utf8.count <= 64, Self.isIdentifier(key.metric) else {
            throw refuse("metric \"\(key.metric.prefix(70))\" is not a lower_snake_case name of at most 64 bytes")
        }
        guard key.dims.utf8.count <= 256 else {
            throw refuse("dimensions are \(key.dims.utf8.count) bytes (at most 256)")
        }
        let pairs: [(key: Substring, value: Substring)]
        do throws(DimsError) {
            pairs = try Self.pairs(key.dims)
        } catch {
            throw refuse(error.reason)
        }
        guard let metrics else { return }
        guard let metric = metrics[key.metric] else {
            throw refuse("metric \"\(key.metric)\" is not one of \(metrics.keys.sorted().joined(separator: ", "))")
        }
        var seen = 0
        for pair in pairs {
            let name = String(pair.key)
            guard let rule = metric.required[name] ?? metric.optional[name] else {
                throw refuse("dimension \"\(name)\" is not one of metric \(key.metric)'s")
            }
            if metric.required[name] != nil { seen += 1 }
            switch rule {
            case .oneOf(let allowed):
                guard allowed.contains(String(pair.value)) else {
                    throw refuse(
                        "\(name)=\(pair.value.prefix(40)) is not one of \(allowed.sorted().joined(separator: ", "))")
                }
            case .text(let maxBytes):
                guard pair.value.utf8.count <= maxBytes else {
                    throw refuse("\(name) is \(pair.value.utf8.count) bytes (at most \(maxBytes))")
                }
            }
        }
        guard seen == metric.required.count else {
            let missing = metric.required.keys.filter { name in !pairs.contains { $0.key == name } }.sorted()
            throw refuse("metric \(key.metric) needs dimension \(missing.joined(separator: ", "))")
        }
    }

    struct DimsError: Error { let reason: String }

    /// The pairs of a canonical dimension string, or the reason it is not canonical.
    static func pairs(_ dims: String) throws(DimsError) -> [(key: Substring, value: Substring)] {
        guard !dims.isEmpty else { return [] }
        var pairs: [(key: Substring, value: Substring)] = []
        for pair in dims.split(separator: ";", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw DimsError(reason: "dimension \"\(pair.prefix(60))\" is not key=value with both parts non-empty")
            }
            guard Self.isIdentifier(parts[0]) else {
                throw DimsError(reason: "dimension key \"\(parts[0].prefix(60))\" is not a lower_snake_case name")
            }
            guard !parts[1].utf8.contains(UInt8(ascii: "=")),
                !parts[1].unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw DimsError(reason: "dimension value of \(parts[0]) contains = or a control character")
            }
            if let last = pairs.last, !(last.key < parts[0]) {
                throw DimsError(reason: "dimension keys are not strictly ascending (\(last.key) before \(parts[0]))")
            }
            pairs.append((parts[0], parts[1]))
        }
        return pairs
    }

    /// `[a-z][a-z0-9_]*`.
    static func isIdentifier(_ text: some StringProtocol) -> Bool {
        guard let first = text.utf8.first, (0x61...0x7A).contains(first) else { return false }
        return text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// Exactly `YYYY-MM-DD`, a day that exists, in `firstDay…lastDay` (the strings compare in date order).
    public static func isDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            text >= firstDay, text <= lastDay
        else { return false }
        var fields: [Int] = []
        for range in [0..<4, 5..<7, 8..<10] {
            var number = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return false }
                number = number * 10 + Int(byte - 0x30)
            }
            fields.append(number)
        }
        let (year, month, day) = (fields[0], fields[1], fields[2])
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = month == 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].contains(month) ? 30 : 31
        return day <= days
    }
}
