import Foundation
public import GRDB
public import Replication

/// The providers report (服务商考核): per provider in the scope, services, hours, satisfaction and
/// complaints in the period, complaints in the twelve months ending with the period, the assessment
/// score and the settlement of the period priced from the `service_items` catalog, and the flags of
/// seeds 002 and 003. Run it with a quarter (`ReportPeriod.quarter`) for the quarterly assessment.
///
///     let report = try ProviderReport.compute(db, scope: district, days: ReportPeriod.quarter.days(containing: day))
///     report.providers.filter { !$0.flags.isEmpty }
public struct ProviderReport: Equatable, Sendable {
    /// Seed 002: a provider whose satisfaction rate is below 90% (satisfied × 10 < rated × 9) is removed
    /// from the list.
    public static let minimumSatisfaction = 0.9
    /// Complaints within twelve months that flag a provider.
    public static let complaintLimit: Int64 = 3
    /// Seed 003: a quarterly score below 85 reduces the operating subsidy proportionally.
    public static let passingScore = 85.0

    public enum Flag: String, Sendable, CaseIterable {
        /// 满意率低于90%
        case lowSatisfaction = "satisfaction_below_90"
        /// 12个月内投诉3次及以上
        case complaints = "complaints_3_in_12_months"
        /// 季度考核低于85分
        case lowScore = "quarterly_score_below_85"
    }

    /// One priced (or unpriceable) line of a settlement.
    public struct SettlementLine: Equatable, Sendable {
        public var item: String
        public var category: String
        public var visits: Int64
        public var minutes: Int64
        /// `visit` or `hour`, nil when the item is not in the catalog.
        public var unit: String?
        public var unitPriceFen: Int64?
        /// visits × price (unit `visit`) or minutes × price ÷ 60 rounded to the fen (unit `hour`); nil
        /// without a price.
        public var amountFen: Int64?
    }

    public struct Provider: Equatable, Sendable {
        public var id: String
        /// From the `providers` table when it exists.
        public var name: String?
        public var contractStatus: String?
        public var services: ServiceSummary.Tally
        public var satisfaction: SatisfactionSummary.Tally
        /// Complaints in the 365 days ending on the period's last day.
        public var complaintsTwelveMonths: Int64
        /// 100 × satisfaction rate of the period, nil without callbacks.
        public var score: Double?
        public var lines: [SettlementLine]
        /// Σ amount of the priced lines, nil if no line is priced.
        public var settlementFen: Int64?
        /// Settlement after seed 003's deduction: × score ÷ 85 when the score is below 85.
        public var payableFen: Int64?
        /// Items without a catalog price (the settlement is then incomplete).
        public var unpricedItems: [String]
        public var flags: [Flag]
    }

    public var providers: [Provider]
    /// Whether a `service_items` catalog was found.
    public var catalogAvailable: Bool

    /// The report of every provider with visits or callbacks in `scope` during `days`.
    ///
    /// - Throws: `ReportError(.overflow)` when a settlement leaves Int64 (a catalog price far beyond
    ///   any real one: prices are replicated rows, not checked cells), naming the provider and item.
    public static func compute(_ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>) throws
        -> ProviderReport
    {
        let services = try ServiceSummary.compute(db, scope: scope, days: days, withItems: true)
        let satisfaction = try SatisfactionSummary.compute(db, scope: scope, days: days)
        let year = days.upperBound.adding(days: -364)...days.upperBound
        let yearSatisfaction = try SatisfactionSummary.compute(db, scope: scope, days: year)
        let catalog = try ServiceCatalog.load(db)
        let directory = try providerDirectory(db)
        var lines: [String: [SettlementLine]] = [:]
        for (key, tally) in services.byProviderItem {
            var line = SettlementLine(
                item: key.item, category: key.category, visits: tally.visits, minutes: tally.minutes)
            if let price = catalog.price(for: key.item) {
                line.unit = price.unit.rawValue
                line.unitPriceFen = price.fen
                line.amountFen = try amountFen(
                    visits: tally.visits, minutes: tally.minutes, price: price,
                    "provider \(key.provider), item \(key.item)")
            }
            lines[key.provider, default: []].append(line)
        }
        let ids = Set(services.byProvider.keys).union(satisfaction.byProvider.keys)
        var providers: [Provider] = []
        for id in ids.sorted() {
            let tally = satisfaction.byProvider[id] ?? SatisfactionSummary.Tally()
            let providerLines = (lines[id] ?? []).sorted { ($0.category, $0.item) < ($1.category, $1.item) }
            let priced = providerLines.compactMap(\.amountFen)
            let settlement: Int64? = priced.isEmpty ? nil : try sum(priced, provider: id)
            let score: Double? = tally.rated == 0 ? nil : tally.rate.value * 100
            var payable = settlement
            if let settlement, let score {
                payable = try Self.payable(settlement: settlement, score: score, provider: id)
            }
            let complaints = yearSatisfaction.byProvider[id]?.complaints ?? 0
            var flags: [Flag] = []
            if tally.rated > 0, isBelowMinimumSatisfaction(satisfied: tally.satisfied, rated: tally.rated) {
                flags.append(.lowSatisfaction)
            }
            if complaints >= complaintLimit { flags.append(.complaints) }
            if let score, score < passingScore { flags.append(.lowScore) }
            providers.append(
                Provider(
                    id: id, name: directory[id]?.name, contractStatus: directory[id]?.status,
                    services: services.byProvider[id] ?? ServiceSummary.Tally(), satisfaction: tally,
                    complaintsTwelveMonths: complaints, score: score, lines: providerLines, settlementFen: settlement,
                    payableFen: payable,
                    unpricedItems: Set(
                        providerLines.filter { $0.amountFen == nil }.map { $0.item.isEmpty ? "(none)" : $0.item }
                    )
                    .sorted(),
                    flags: flags))
        }
        return ProviderReport(providers: providers, catalogAvailable: !catalog.byKey.isEmpty)
    }

    /// The amount of a settlement line: visits × price (unit `visit`) or minutes × price ÷ 60 rounded
    /// half away from zero to the fen (unit `hour`), in integers. Visits and minutes are sums of
    /// cells, but a price is a replicated row of any Int64, so the product is checked.
    ///
    /// - Throws: `ReportError(.overflow)` naming `line` when the product leaves Int64.
    static func amountFen(
        visits: Int64, minutes: Int64, price: ServiceCatalog.Price,
        _ line: @autoclosure () -> String = "a settlement line"
    ) throws(ReportError) -> Int64 {
        switch price.unit {
        case .visit:
            return try visits.multipliedChecked(by: price.fen, "the amount of \(line()) (visits × price)")
        case .hour:
            let fenMinutes = try minutes.multipliedChecked(by: price.fen, "the amount of \(line()) (minutes × price)")
            let (quotient, remainder) = fenMinutes.quotientAndRemainder(dividingBy: 60)
            // |remainder| < 60, so neither the doubling nor the step of one fen can overflow.
            guard remainder.magnitude * 2 >= 60 else { return quotient }
            return remainder > 0 ? quotient + 1 : quotient - 1
        }
    }

    /// Σ of a provider's priced lines.
    ///
    /// - Throws: `ReportError(.overflow)` when the sum leaves Int64.
    static func sum(_ amounts: [Int64], provider: String) throws(ReportError) -> Int64 {
        var total: Int64 = 0
        for amount in amounts { try total.addChecked(amount, "the settlement of provider \(provider)") }
        return total
    }

    /// Seed 003: the settlement × score ÷ 85, rounded to the fen, when the score is below 85; the
    /// settlement itself otherwise.
    ///
    /// - Throws: `ReportError(.overflow)` if the rounded amount is not an Int64 (a settlement near
    ///   Int64.max, where Double rounds up to 2^63).
    static func payable(settlement: Int64, score: Double, provider: String = "") throws(ReportError) -> Int64 {
        guard score < passingScore else { return settlement }
        let amount = (Double(settlement) * max(0, score) / passingScore).rounded()
        guard let payable = Int64(exactly: amount) else {
            throw ReportError.overflow("the payable settlement of provider \(provider)")
        }
        return payable
    }

    /// Seed 002: satisfied × 10 < rated × 9, compared exactly in 128 bits for any counts.
    static func isBelowMinimumSatisfaction(satisfied: Int64, rated: Int64) -> Bool {
        let left = satisfied.multipliedFullWidth(by: 10)
        let right = rated.multipliedFullWidth(by: 9)
        return (left.high, left.low) < (right.high, right.low)
    }

    /// Names and contract statuses from the `providers` table, [:] without it.
    static func providerDirectory(_ db: Database) throws -> [String: (name: String?, status: String?)] {
        guard try db.tableExists("providers") else { return [:] }
        let columns = Set(try db.columns(in: "providers").map(\.name))
        guard columns.contains("id") else { return [:] }
        let name = columns.contains("name") ? "name" : "NULL"
        let status = columns.contains("contract_status") ? "contract_status" : "NULL"
        var result: [String: (name: String?, status: String?)] = [:]
        // Replicated rows hold whatever a peer sent: a value that is not text reads as nil (GRDB's
        // `row[i] as String?` would trap on it).
        func text(_ value: DatabaseValue) -> String? { String.fromDatabaseValue(value) }
        for row in try Row.fetchAll(db, sql: "SELECT id, \(name), \(status) FROM providers") {
            if let id = text(row[0]) { result[id] = (text(row[1]), text(row[2])) }
        }
        return result
    }
}
