import GRDB

/// The unit prices of the `service_items` catalog (a replicated reference table another branch
/// defines: id like `daily_care.bathing`, category, name_zh, name_en, unit `visit|hour`,
/// unit_price_fen). Absent table → no prices, and settlements list every item as unpriced.
///
///     let catalog = try ServiceCatalog.load(db)
///     catalog.price(for: "助浴")   // matched by id, Chinese or English name
struct ServiceCatalog: Sendable {
    enum Unit: String, Sendable {
        case visit, hour
    }

    struct Price: Sendable, Equatable {
        var id: String
        var unit: Unit
        var fen: Int64
    }

    var byKey: [String: Price] = [:]

    static func load(_ db: Database) throws -> ServiceCatalog {
        var catalog = ServiceCatalog()
        guard try db.tableExists("service_items") else { return catalog }
        let columns = Set(try db.columns(in: "service_items").map(\.name))
        guard ["id", "unit", "unit_price_fen"].allSatisfy(columns.contains) else { return catalog }
        let names = ["name_zh", "name_en"].filter(columns.contains)
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, unit, unit_price_fen\(names.map { ", " + $0 }.joined()) FROM service_items")
        // Replicated rows hold whatever a peer sent: a value of another type leaves its item unpriced
        // (GRDB's `row[i] as Int64?` would trap on it).
        func text(_ value: DatabaseValue) -> String? { String.fromDatabaseValue(value) }
        for row in rows {
            guard let id = text(row[0]), let unitText = text(row[1]), let unit = Unit(rawValue: unitText),
                case .int64(let fen) = (row[2] as DatabaseValue).storage
            else { continue }
            let price = Price(id: id, unit: unit, fen: fen)
            for index in 0..<names.count {
                if let name = text(row[3 + index]), !name.isEmpty, catalog.byKey[name] == nil {
                    catalog.byKey[name] = price
                }
            }
            catalog.byKey[id] = price
        }
        return catalog
    }

    /// The price of a recorded item: by catalog id first, then by Chinese or English name.
    func price(for item: String) -> Price? { byKey[item] }
}
