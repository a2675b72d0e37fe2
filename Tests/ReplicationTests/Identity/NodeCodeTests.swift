import Replication
import Testing

@Suite(.timeLimit(.minutes(10))) struct NodeCodeTests {
    @Test func levelsFollowTrailingZeroGroups() throws {
        #expect(try NodeCode("130000000000").level == .province)
        #expect(try NodeCode("130100000000").level == .city)
        #expect(try NodeCode("130102000000").level == .district)
        #expect(try NodeCode("130102001000").level == .street)
        #expect(try NodeCode("130102001001").level == .community)
    }

    @Test func subtreeIsAPrefixTestOnSignificantDigits() throws {
        let district = try NodeCode("130102000000")
        #expect(district.contains(try NodeCode("130102001001")))
        #expect(district.contains(district))
        #expect(!district.contains(try NodeCode("130103001001")))
        #expect(!district.contains(try NodeCode("130100000000")))
        #expect(try NodeCode("130102001001").isWithin(try NodeCode("130100000000")))
    }

    @Test func parentsClimbOneLevel() throws {
        #expect(try NodeCode("130102001001").parent == NodeCode("130102001000"))
        #expect(try NodeCode("130102001000").parent == NodeCode("130102000000"))
        #expect(try NodeCode("130100000000").parent == NodeCode("130000000000"))
        #expect(try NodeCode("130000000000").parent == nil)
    }

    @Test(arguments: ["", "13010200100", "1301020010011", "13010200100a", "000102001001", "130100001000"])
    func malformedCodesAreRefused(_ text: String) {
        #expect(throws: ReplicationError.self) { try NodeCode(text) }
    }
}
