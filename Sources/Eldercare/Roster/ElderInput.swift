import Foundation
package import Replication

/// One checked roster item: the columns of the `elders` table it writes, given or derived.
///
/// Built from the fields of a JSON object or a CSV row; the first problem found is thrown as an
/// `ElderFieldError` naming the field. Absent optional fields are not written (the store keeps what
/// it has); `gender` and `birth_date` are derived from the resident ID when absent.
///
///     let elder = try ElderInput(["id": .text("E-1"), "resident_id": .text("11010519491231002X"),
///                                 "name": .text("王秀英"), "community": .text("130102001001")], node: node)
///     elder.write   // RecordWrite(table: "elders", key: "E-1", values: [name, gender, birth_date, …])
package struct ElderInput: Sendable {
    /// Every field of a roster item, in the order they are checked and documented.
    package static let fields = [
        "id", "resident_id", "name", "gender", "birth_date", "phone", "address", "community", "living", "disability",
        "categories", "tier", "monthly_hours", "monthly_subsidy", "card_no", "status", "status_month",
        "emergency_contacts",
    ]
    /// Fields every item must have.
    static let required = ["id", "resident_id", "name", "community"]
    /// Largest monthly entitlement: every hour of a 31-day month.
    static let maxMonthlyHours: Int64 = 744
    /// Largest monthly subsidy in yuan (a guard against a value typed in fen or with extra digits).
    static let maxMonthlySubsidy: Int64 = 100_000

    let id: String
    let residentID: ResidentID
    let community: NodeCode
    /// The columns to write, in `DomainSchema.elders` order.
    let values: [(column: String, value: Value)]

    var write: RecordWrite { RecordWrite(table: DomainSchema.elders.name, key: id, values: values) }

    /// Checks one item for a node: `community` must be a community inside `node`'s subtree.
    package init(_ fields: [String: ElderFieldValue], node: NodeCode) throws(ElderFieldError) {
        let reader = FieldReader(fields: fields)
        for name in Self.required where reader.raw(name) == nil {
            throw ElderFieldError(name, "is required (必填)")
        }
        let id = try reader.text("id", maxLength: 64)!
        let residentID = try Self.residentID(try reader.text("resident_id", maxLength: 18)!)
        let name = try reader.text("name", maxLength: 40)!
        var values: [(column: String, value: Value)] = [("name", .text(name))]

        let idGender = residentID.gender == .male ? ElderGender.male : .female
        if let gender = try reader.code("gender", ElderGender.self), gender != idGender {
            throw ElderFieldError(
                "gender",
                "\(gender.rawValue) disagrees with the resident ID, whose 17th digit is "
                    + "\(idGender == .male ? "odd (male, 男)" : "even (female, 女)") (性别与身份证号不符)")
        }
        values.append(("gender", .text(idGender.rawValue)))
        if let text = try reader.text("birth_date", maxLength: 10) {
            guard let date = Self.date(text) else {
                throw ElderFieldError("birth_date", "\"\(text)\" is not a date YYYY-MM-DD (出生日期格式应为 1949-12-31)")
            }
            guard date == residentID.birthDate else {
                throw ElderFieldError(
                    "birth_date",
                    "\(date) disagrees with the resident ID, which says \(residentID.birthDate) (出生日期与身份证号不符)")
            }
        }
        values.append(("birth_date", .text(residentID.birthDate)))
        values.append(("resident_id", .text(residentID.rawValue)))
        if let phone = try reader.text("phone", maxLength: 32) {
            guard let normalized = Self.phone(phone) else {
                throw ElderFieldError(
                    "phone",
                    "\"\(phone)\" is neither an 11-digit mobile number starting with 1 nor a landline with its "
                        + "area code like 0311-86012345 (电话号码格式不正确)")
            }
            values.append(("phone", .text(normalized)))
        }
        if let address = try reader.text("address", maxLength: 200) { values.append(("address", .text(address))) }
        let community = try Self.community(try reader.text("community", maxLength: 12)!, node: node)
        values.append(("community", .text(community.rawValue)))
        if let living = try reader.code("living", LivingSituation.self) {
            values.append(("living", .text(living.rawValue)))
        }
        if let disability = try reader.code("disability", DisabilityLevel.self) {
            values.append(("disability", .text(disability.rawValue)))
        }
        if let categories = try reader.categories() {
            values.append(("categories", .text(categories.map(\.rawValue).sorted().joined(separator: ","))))
        }
        if let tier = try reader.code("tier", ServiceTier.self) { values.append(("tier", .text(tier.rawValue))) }
        if let hours = try reader.integer("monthly_hours", max: Self.maxMonthlyHours, unit: "hours (小时)") {
            values.append(("monthly_hours", .integer(hours)))
        }
        if let subsidy = try reader.integer("monthly_subsidy", max: Self.maxMonthlySubsidy, unit: "yuan (元)") {
            values.append(("monthly_subsidy", .integer(subsidy)))
        }
        if let card = try reader.text("card_no", maxLength: 32) { values.append(("card_no", .text(card))) }
        if let status = try reader.code("status", ElderStatus.self) {
            values.append(("status", .text(status.rawValue)))
        }
        if let month = try reader.text("status_month", maxLength: 7) {
            guard Self.month(month) != nil else {
                throw ElderFieldError("status_month", "\"\(month)\" is not a month YYYY-MM (生效月份应为 2026-12)")
            }
            values.append(("status_month", .text(Self.month(month)!)))
        }
        if let contacts = try reader.text("emergency_contacts", maxLength: 2_000) {
            values.append(("emergency_contacts", .text(try EmergencyContacts.normalized(contacts))))
        }

        self.id = id
        self.residentID = residentID
        self.community = community
        self.values = values.sorted {
            Self.columnOrder[$0.column, default: 0] < Self.columnOrder[$1.column, default: 0]
        }
    }

    /// Each column's position in `DomainSchema.elders` (the order `values` are written in).
    static let columnOrder = Dictionary(
        uniqueKeysWithValues: DomainSchema.elders.columns.enumerated().map { ($1.name, $0) })

    // MARK: - Field rules

    static func residentID(_ text: String) throws(ElderFieldError) -> ResidentID {
        guard let bytes = ResidentID.normalizedBytes(text) else {
            throw ElderFieldError(
                "resident_id",
                "\"\(text)\" must be 18 characters: 17 digits and a check digit 0–9 or X (身份证号应为18位)")
        }
        guard ResidentID.checkByte(for: bytes[..<17]) == bytes[17] else {
            throw ElderFieldError(
                "resident_id",
                "\(text) has a wrong check digit (GB 11643), so a digit was probably mistyped (身份证号校验位错误)")
        }
        let birth =
            String(decoding: bytes[6..<10], as: UTF8.self) + "-" + String(decoding: bytes[10..<12], as: UTF8.self) + "-"
            + String(decoding: bytes[12..<14], as: UTF8.self)
        guard date(birth) != nil, let residentID = try? ResidentID(String(decoding: bytes, as: UTF8.self)) else {
            throw ElderFieldError(
                "resident_id", "\(text) has an impossible birth date \(birth) (身份证号中的出生日期无效)")
        }
        return residentID
    }

    /// `YYYY-MM-DD`, or `YYYY/M/D` as spreadsheets write dates, normalised to `YYYY-MM-DD` if the day exists.
    static func date(_ text: String) -> String? {
        let parts = text.split(separator: text.contains("/" as Character) ? "/" : "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1880...2100).contains(year), (1...12).contains(month), day >= 1
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return nil }
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(year)-\(pad(month))-\(pad(day))"
    }

    /// `YYYY-MM` (or `YYYY-M`), normalised to `YYYY-MM`.
    static func month(_ text: String) -> String? {
        guard let date = date(text + "-01") else { return nil }
        return String(date.prefix(7))
    }

    /// A mobile number `1XXXXXXXXXX`, or a landline `0AA(A)-NNNNNNN(N)` (the hyphen may be a space or
    /// left out); returned without spaces, a landline with its hyphen.
    static func phone(_ text: String) -> String? {
        let compact = text.filter { $0 != " " }
        let digits = compact.filter { $0 != "-" }
        guard digits.allSatisfy(\.isASCIIDigit), compact.filter({ $0 == "-" }).count <= 1 else { return nil }
        if digits.first == "1", digits.count == 11, !compact.contains("-" as Character) { return digits }
        guard digits.first == "0" else { return nil }
        if let hyphen = compact.firstIndex(of: "-") {
            let area = compact[..<hyphen].count
            let local = compact[compact.index(after: hyphen)...].count
            guard (3...4).contains(area), (7...8).contains(local) else { return nil }
            return compact
        }
        // No hyphen: a 3-digit area code (010, 020–029) before 8 digits, otherwise 4 digits before 7 or 8.
        let threeDigitArea = digits.hasPrefix("010") || (digits.hasPrefix("02") && digits.count == 11)
        let area = threeDigitArea ? 3 : 4
        guard (area + 7...area + 8).contains(digits.count) else { return nil }
        return String(digits.prefix(area)) + "-" + String(digits.dropFirst(area))
    }

    static func community(_ text: String, node: NodeCode) throws(ElderFieldError) -> NodeCode {
        let code: NodeCode
        do throws(ReplicationError) {
            code = try NodeCode(text)
        } catch {
            throw ElderFieldError("community", "\(error.message) (社区编码应为12位行政区划代码)")
        }
        guard code.level == .community else {
            throw ElderFieldError(
                "community",
                "\(text) is a \(code.level) code (\(code.level.chineseName)); give the 12-digit code of the elder's "
                    + "community (社区/村)")
        }
        guard node.contains(code) else {
            throw ElderFieldError(
                "community",
                "\(text) is outside this node's area \(node.rawValue); a node registers only elders of its own "
                    + "communities (不在本辖区)")
        }
        return code
    }
}

/// Reads the fields of one item, turning each into text, a number or a list, or a named error.
private struct FieldReader {
    let fields: [String: ElderFieldValue]

    /// The value, or nil when absent or blank.
    func raw(_ name: String) -> ElderFieldValue? {
        switch fields[name] {
        case .text(let text)? where text.isBlank: nil
        case let value: value
        }
    }

    func text(_ name: String, maxLength: Int) throws(ElderFieldError) -> String? {
        guard let value = raw(name) else { return nil }
        let text: String
        switch value {
        case .text(let given): text = given.trimmedWhitespace
        case .integer(let number): text = String(number)
        case .list: throw ElderFieldError(name, "must be text, not a list")
        }
        guard text.count <= maxLength else {
            throw ElderFieldError(name, "is \(text.count) characters long; at most \(maxLength) are allowed (内容过长)")
        }
        // General category Cc is exactly U+0000–U+001F and U+007F–U+009F: compared as numbers, not
        // looked up scalar by scalar.
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw ElderFieldError(name, "contains control characters (line breaks, tabs); remove them")
        }
        return text
    }

    func code<T: RosterCode>(_ name: String, _: T.Type) throws(ElderFieldError) -> T? {
        guard let text = try text(name, maxLength: 64) else { return nil }
        guard let value = T.parse(text) else {
            throw ElderFieldError(name, "\"\(text)\" is not one of \(T.choices)")
        }
        return value
    }

    func integer(_ name: String, max: Int64, unit: String) throws(ElderFieldError) -> Int64? {
        guard let value = raw(name) else { return nil }
        let number: Int64?
        switch value {
        case .integer(let given): number = given
        case .text(let text): number = Int64(text.trimmedWhitespace)
        case .list: number = nil
        }
        guard let number else { throw ElderFieldError(name, "must be a whole number of \(unit)") }
        guard number >= 0, number <= max else {
            throw ElderFieldError(name, "\(number) is out of range: give 0 to \(max) \(unit)")
        }
        return number
    }

    /// A list, or text with the items separated by `;`, `；`, `、` or `,`; an empty list clears the field.
    func categories() throws(ElderFieldError) -> [SubsidyCategory]? {
        guard let value = raw("categories") else { return nil }
        let items: [String]
        switch value {
        case .list(let given): items = given
        case .text(let text): items = text.split(whereSeparator: { ";；、,，".contains($0) }).map(String.init)
        case .integer: throw ElderFieldError("categories", "must be a list of category codes")
        }
        var categories: Set<SubsidyCategory> = []
        for item in items {
            let text = item.trimmedWhitespace
            if text.isEmpty { continue }
            guard let category = SubsidyCategory.parse(text) else {
                throw ElderFieldError("categories", "\"\(text)\" is not one of \(SubsidyCategory.choices)")
            }
            categories.insert(category)
        }
        return Array(categories)
    }
}
