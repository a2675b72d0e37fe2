import Foundation
package import Replication

/// The replicated reference tables a node writes for its whole area (providers, the service catalog,
/// the subsidy policy), and how one JSON item of each is checked into a record write.
///
/// A row's `scope` is the 12-digit code of the node that sets it; absent, it is the writing node's own
/// code. The rows flow down to every node below that code (`FeedFilter` admits ancestors' rows), so a
/// catalog written at the city reaches every community.
///
///     let write = try ReferenceTable.providers.check(object, node: district)
///     // RecordWrite(table: "providers", key: "P-007", values: [name, contract_status, …, scope])
package enum ReferenceTable: String, CaseIterable, Sendable {
    case providers
    case serviceItems = "service_items"
    case subsidyPolicy = "subsidy_policy"

    var schema: TableSchema {
        switch self {
        case .providers: DomainSchema.providers
        case .serviceItems: DomainSchema.serviceItems
        case .subsidyPolicy: DomainSchema.subsidyPolicy
        }
    }

    /// The JSON field names of one item, key first, in documented order.
    package var fields: [String] { [schema.primaryKey] + schema.columns.map(\.name) }

    /// The noun in error messages.
    package var noun: String {
        switch self {
        case .providers: "provider"
        case .serviceItems: "catalog item"
        case .subsidyPolicy: "subsidy policy row"
        }
    }

    /// Checks one item for a node: every field named in an error, `scope` inside the node's subtree.
    package func check(_ object: JSONObject, node: NodeCode) throws(CallValidationError) -> RecordWrite {
        let fields = try EventFields(object, allowed: self.fields, noun: noun)
        let key: String
        var values: [(column: String, value: Value)] = []
        switch self {
        case .providers:
            key = try Self.identifier(fields, "id", example: "P-007")
            values.append(("name", .text(try Self.text(fields, "name", maxLength: 100))))
            let status = try fields.choice("contract_status", ContractStatus.self, labels: { $0.chineseName })
            values.append(("contract_status", .text(status.rawValue)))
            let start = try Self.date(fields, "contract_start")
            values.append(("contract_start", .text(start)))
            if let endText = try fields.optionalString("contract_end") {
                let end = try Self.date(endText, "contract_end")
                guard end >= start else {
                    throw CallValidationError(
                        field: "contract_end", message: "\(end) is before contract_start \(start) (合同结束日期早于开始日期)")
                }
                values.append(("contract_end", .text(end)))
            }
            values.append(("categories", .text(try Self.categories(fields))))
            if let phone = try fields.optionalString("phone") {
                guard let normalized = ElderInput.phone(phone) else {
                    throw CallValidationError(
                        field: "phone",
                        message: "\"\(phone)\" is neither an 11-digit mobile number nor a landline like 0311-86012345")
                }
                values.append(("phone", .text(normalized)))
            }
        case .serviceItems:
            key = try Self.identifier(fields, "id", example: "daily_care.bathing")
            let category = try fields.choice("category", ServiceCategory.self, labels: { $0.chineseLabel })
            guard key.hasPrefix(category.rawValue + ".") else {
                throw CallValidationError(
                    field: "id", message: "\(key) must start with its category, e.g. \(category.rawValue).bathing")
            }
            values.append(("category", .text(category.rawValue)))
            values.append(("name_zh", .text(try Self.text(fields, "name_zh", maxLength: 60))))
            values.append(("name_en", .text(try Self.text(fields, "name_en", maxLength: 80))))
            let unit = try fields.choice("unit", ServiceUnit.self, labels: { $0.chineseName })
            values.append(("unit", .text(unit.rawValue)))
            let price = try Self.integer(fields, "unit_price_fen", max: 10_000_000, unit: "fen (分, 0.01 yuan)")
            values.append(("unit_price_fen", .integer(price)))
        case .subsidyPolicy:
            let category = try fields.string("category")
            guard let parsed = SubsidyCategory.parse(category) else {
                throw CallValidationError(
                    field: "category", message: "\"\(category)\" is not one of \(SubsidyCategory.choices)")
            }
            key = parsed.rawValue
            let subsidy = try Self.integer(
                fields, "monthly_subsidy_yuan", max: ElderInput.maxMonthlySubsidy, unit: "yuan (元)")
            values.append(("monthly_subsidy_yuan", .integer(subsidy)))
            guard let tierText = try fields.optionalString("tier") else {
                throw CallValidationError(field: "tier", message: "is required")
            }
            guard let tier = ServiceTier.parse(tierText) else {
                throw CallValidationError(
                    field: "tier", message: "\"\(tierText)\" is not one of \(ServiceTier.choices)")
            }
            values.append(("tier", .text(tier.rawValue)))
            let hours = try Self.integer(fields, "monthly_hours", max: ElderInput.maxMonthlyHours, unit: "hours (小时)")
            values.append(("monthly_hours", .integer(hours)))
        }
        values.append(("scope", .text(try Self.scope(fields, node: node).rawValue)))
        return RecordWrite(table: schema.name, key: key, values: values)
    }

    // MARK: - Field rules

    static func identifier(_ fields: EventFields, _ name: String, example: String) throws(CallValidationError) -> String
    {
        let text = try fields.string(name)
        guard !text.isEmpty, text.count <= 64,
            text.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || $0.properties.numericType != nil
                        || "-_.".unicodeScalars.contains($0))
            })
        else {
            throw CallValidationError(
                field: name, message: "\"\(text)\" must be 1–64 ASCII letters, digits, '-', '_' or '.', e.g. \(example)"
            )
        }
        return text
    }

    package static func text(_ fields: EventFields, _ name: String, maxLength: Int) throws(CallValidationError)
        -> String
    {
        let text = try fields.string(name).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw CallValidationError(field: name, message: "is required") }
        guard text.count <= maxLength else {
            throw CallValidationError(
                field: name, message: "is \(text.count) characters long; at most \(maxLength) are allowed")
        }
        return text
    }

    static func date(_ fields: EventFields, _ name: String) throws(CallValidationError) -> String {
        try date(try fields.string(name), name)
    }

    static func date(_ text: String, _ name: String) throws(CallValidationError) -> String {
        guard let date = ElderInput.date(text) else {
            throw CallValidationError(field: name, message: "\"\(text)\" is not a date YYYY-MM-DD")
        }
        return date
    }

    static func integer(_ fields: EventFields, _ name: String, max: Int64, unit: String) throws(CallValidationError)
        -> Int64
    {
        guard let number = try fields.optionalInteger(name, unit: unit) else {
            throw CallValidationError(field: name, message: "is required: a whole number of \(unit)")
        }
        guard number >= 0, number <= max else {
            throw CallValidationError(field: name, message: "\(number) is out of range: give 0 to \(max) \(unit)")
        }
        return number
    }

    /// A list of service category codes, or one text with them separated by commas; stored comma-separated, sorted.
    static func categories(_ fields: EventFields) throws(CallValidationError) -> String {
        let value = try fields.required("categories")
        var items: [String] = []
        switch value {
        case .string(let text): items = text.split(whereSeparator: { ",，;；、".contains($0) }).map(String.init)
        case .array(let list):
            for item in list { items.append(try EventFields.string(item, "categories")) }
        default:
            throw CallValidationError(
                field: "categories", message: "must be a list of service category codes, got \(value.excerpt())")
        }
        var codes: Set<String> = []
        for item in items {
            let text = item.trimmingCharacters(in: .whitespaces)
            guard
                let category = ServiceCategory(rawValue: text)
                    ?? ServiceCategory.allCases.first(where: { $0.chineseLabel == text })
            else {
                throw CallValidationError(
                    field: "categories",
                    message:
                        "\"\(text)\" is not one of \(ServiceCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            codes.insert(category.rawValue)
        }
        guard !codes.isEmpty else {
            throw CallValidationError(
                field: "categories", message: "name at least one service category the provider serves")
        }
        return codes.sorted().joined(separator: ",")
    }

    /// The `scope` field (a code inside the node's subtree), or the node's own code when absent.
    static func scope(_ fields: EventFields, node: NodeCode) throws(CallValidationError) -> NodeCode {
        guard fields.optional("scope") != nil else { return node }
        let code = try fields.community("scope")
        guard node.contains(code) else {
            throw CallValidationError(
                field: "scope",
                message:
                    "\(code) is outside this node's area \(node); a node sets reference data only for its own subtree (不在本辖区)"
            )
        }
        return code
    }
}

/// A provider's contract (服务商合同状态).
enum ContractStatus: String, CaseIterable, Sendable {
    case active, suspended, terminated

    var chineseName: String {
        switch self {
        case .active: "有效"
        case .suspended: "暂停"
        case .terminated: "终止"
        }
    }
}

/// How a catalog item is priced: per visit (按次) or per hour (按小时).
enum ServiceUnit: String, CaseIterable, Sendable {
    case visit, hour

    var chineseName: String {
        switch self {
        case .visit: "次"
        case .hour: "小时"
        }
    }
}
