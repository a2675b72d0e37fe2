import Replication
import Testing

@testable import Eldercare
@testable import FederationNode

@Suite(.timeLimit(.minutes(10))) struct ElderInputTests {
    static let node = RosterSamples.node

    static func check(_ fields: [String: ElderFieldValue]) throws -> ElderInput {
        try ElderInput(fields, node: try NodeCode(node))
    }

    /// The field an item is refused for, or nil if it passes.
    static func refusal(_ fields: [String: ElderFieldValue]) -> ElderFieldError? {
        do {
            _ = try check(fields)
            return nil
        } catch let error as ElderFieldError {
            return error
        } catch {
            return ElderFieldError("?", "\(error)")
        }
    }

    static func sample() throws -> [String: ElderFieldValue] {
        RosterSamples.input(try #require(try RosterSamples.elders(1).first))
    }

    @Test func sampleRosterEldersAreValidAndWriteEveryColumn() throws {
        for elder in try RosterSamples.elders(300) {
            let input = try Self.check(RosterSamples.input(elder))
            // Every column of a registration; the sample roster leaves out contacts and the enrolment workflow's.
            let notSampled: Set = [
                "status_month", "emergency_contacts", "applied_by", "applied_at", "reviewed_by", "reviewed_at",
                "decided_by",
                "decided_at", "status_note",
            ]
            #expect(input.values.count == DomainSchema.elders.columns.filter { !notSampled.contains($0.name) }.count)
            for (column, value) in input.values {
                #expect(elder[column] == value, "column \(column)")
            }
        }
    }

    @Test func requiredFieldsAreNamed() throws {
        for field in ElderInput.required {
            var fields = try Self.sample()
            fields[field] = nil
            #expect(Self.refusal(fields)?.field == field)
            fields[field] = .text("  ")
            #expect(Self.refusal(fields)?.field == field)
        }
    }

    @Test func genderAndBirthDateAreDerivedFromTheResidentID() throws {
        // 11010519491231002X: born 1949-12-31, 17th digit 2 (even): female.
        let input = try Self.check([
            "id": .text("E-1"), "resident_id": .text("11010519491231002x"), "name": .text("王秀英"),
            "community": .text(Codes.community),
        ])
        let values = Dictionary(uniqueKeysWithValues: input.values.map { ($0.column, $0.value) })
        #expect(values["gender"] == .text("female"))
        #expect(values["birth_date"] == .text("1949-12-31"))
        #expect(values["resident_id"] == .text("11010519491231002X"))
        #expect(values["phone"] == nil)
        #expect(Set(values.keys) == ["name", "gender", "birth_date", "resident_id", "community"])
    }

    @Test func wrongCheckDigitIsRefused() throws {
        var fields = try Self.sample()
        guard case .text(let id)? = fields["resident_id"] else {
            Issue.record("no resident_id")
            return
        }
        fields["resident_id"] = .text(RosterSamples.wrongCheckDigit(id))
        let error = try #require(Self.refusal(fields))
        #expect(error.field == "resident_id")
        #expect(error.message.contains("check digit"))
        #expect(error.message.contains("校验位"))
        fields["resident_id"] = .text("13010219")
        #expect(Self.refusal(fields)?.field == "resident_id")
        // 1949-02-30 does not exist, even with a correct check digit.
        fields["resident_id"] = .text(ResidentID.make(area: "130102", birth: (1949, 2, 30), sequence: 12).rawValue)
        #expect(Self.refusal(fields)?.message.contains("impossible birth date") == true)
    }

    @Test func birthDateAndGenderMustAgreeWithTheResidentID() throws {
        let id = ResidentID.make(area: "130102", birth: (1949, 12, 31), sequence: 13)  // male
        var fields: [String: ElderFieldValue] = [
            "id": .text("E-2"), "resident_id": .text(id.rawValue), "name": .text("李建国"),
            "community": .text(Codes.community), "birth_date": .text("1950-01-01"),
        ]
        let error = try #require(Self.refusal(fields))
        #expect(error.field == "birth_date")
        #expect(error.message.contains("1949-12-31"))
        fields["birth_date"] = .text("1949/12/31")  // as a spreadsheet writes it
        #expect(Self.refusal(fields) == nil)
        fields["birth_date"] = .text("31.12.1949")
        #expect(Self.refusal(fields)?.field == "birth_date")
        fields["birth_date"] = nil
        fields["gender"] = .text("female")
        #expect(Self.refusal(fields)?.field == "gender")
        fields["gender"] = .text("男")
        #expect(Self.refusal(fields) == nil)
    }

    @Test(arguments: [
        (Codes.otherStreetCommunity, "outside"), (Codes.otherDistrictCommunity, "outside"),
        (Codes.street, "street code"), ("13010200100", "12-digit"), ("1301020010x1", "12-digit"),
    ])
    func communityMustBeACommunityOfTheSubtree(code: String, reason: String) throws {
        var fields = try Self.sample()
        fields["community"] = .text(code)
        let error = try #require(Self.refusal(fields))
        #expect(error.field == "community")
        #expect(error.message.contains(reason))
    }

    @Test(arguments: ["gender", "living", "disability", "tier", "status"])
    func unknownEnumValuesAreRefused(field: String) throws {
        var fields = try Self.sample()
        fields[field] = .text("sometimes")
        let error = try #require(Self.refusal(fields))
        #expect(error.field == field)
        #expect(error.message.contains("\"sometimes\" is not one of"))
    }

    @Test func categoriesAreCheckedAndStoredSorted() throws {
        var fields = try Self.sample()
        fields["categories"] = .list(["nonagenarian", "three_no", "nonagenarian"])
        var values = Dictionary(uniqueKeysWithValues: try Self.check(fields).values.map { ($0.column, $0.value) })
        #expect(values["categories"] == .text("nonagenarian,three_no"))
        fields["categories"] = .text("低保、three_no；entitled_group")
        values = Dictionary(uniqueKeysWithValues: try Self.check(fields).values.map { ($0.column, $0.value) })
        #expect(values["categories"] == .text("entitled_group,minimum_living,three_no"))
        fields["categories"] = .list([])
        values = Dictionary(uniqueKeysWithValues: try Self.check(fields).values.map { ($0.column, $0.value) })
        #expect(values["categories"] == .text(""))
        fields["categories"] = .list(["three_no", "rich"])
        #expect(Self.refusal(fields)?.field == "categories")
    }

    @Test func numbersAreWholeAndInRange() throws {
        var fields = try Self.sample()
        fields["monthly_hours"] = .integer(-1)
        #expect(Self.refusal(fields)?.field == "monthly_hours")
        fields["monthly_hours"] = .text("30")
        #expect(Self.refusal(fields) == nil)
        fields["monthly_subsidy"] = .text("300.5")
        #expect(Self.refusal(fields)?.field == "monthly_subsidy")
    }

    @Test func phonesAreMobileOrLandline() {
        #expect(ElderInput.phone("13812345678") == "13812345678")
        #expect(ElderInput.phone("138 1234 5678") == "13812345678")
        #expect(ElderInput.phone("0311-86012345") == "0311-86012345")
        #expect(ElderInput.phone("031186012345") == "0311-86012345")
        #expect(ElderInput.phone("010-12345678") == "010-12345678")
        #expect(ElderInput.phone("1381234567") == nil)
        #expect(ElderInput.phone("23812345678") == nil)
        #expect(ElderInput.phone("0311-123") == nil)
        #expect(ElderInput.phone("phone") == nil)
    }

    @Test func idsAndNamesHaveLimits() throws {
        var fields = try Self.sample()
        fields["id"] = .text(String(repeating: "E", count: 65))
        #expect(Self.refusal(fields)?.field == "id")
        fields = try Self.sample()
        fields["name"] = .text(String(repeating: "王", count: 41))
        #expect(Self.refusal(fields)?.field == "name")
        fields["name"] = .text("王\n秀英")
        #expect(Self.refusal(fields)?.field == "name")
    }

    @Test func masking() {
        #expect(Roster.maskResidentID("130102194912310012") == "1301**********0012")
        #expect(Roster.maskPhone("13856785678") == "138****5678")
        #expect(Roster.maskPhone("0311-86012345") == "0311-****2345")
    }
}
