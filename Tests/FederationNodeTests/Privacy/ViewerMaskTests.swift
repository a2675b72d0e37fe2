import Testing

@testable import FederationHTTP
@testable import FederationNode

/// `ViewerMask`: what the viewer token sees of each personal field.
@Suite(.timeLimit(.minutes(10))) struct ViewerMaskTests {
    @Test func aResidentIDKeepsItsLastFourCharactersOnly() {
        #expect(ViewerMask.residentID("130102194912310024") == "**************0024")
        #expect(ViewerMask.residentID("11010519491231002X") == "**************002X")
        // Above the privacy level the node holds a keyed hash: masked the same way.
        let hash = String(repeating: "ab", count: 32)
        #expect(ViewerMask.residentID(hash) == String(repeating: "*", count: 60) + "abab")
        #expect(ViewerMask.residentID("1234") == "****")
    }

    @Test func aBirthDateKeepsItsYearOnly() {
        #expect(ViewerMask.birthDate("1949-12-31") == "1949-**-**")
        #expect(ViewerMask.birthDate("1949-12") == "1949-**")  // the birth month above the privacy level
        #expect(ViewerMask.birthDate("19491231") == "1949****")
    }

    @Test func namesPhonesAndAddressesKeepTooLittleToIdentify() {
        #expect(ViewerMask.name("王秀英") == "王**")
        #expect(ViewerMask.name("王") == "*")
        #expect(ViewerMask.phone("13856785678") == "138****5678")
        #expect(ViewerMask.phone("0311-86012345") == "0311-****2345")
        #expect(ViewerMask.address("长安区建设北大街12号3栋1单元101室") == "长安区建设北大街" + String(repeating: "*", count: 12))
        // A short address shows at most half of itself: no house number.
        #expect(ViewerMask.address("长安区育才街8号院") == "长安区育" + String(repeating: "*", count: 5))
        #expect(ViewerMask.address("") == "")
    }

    /// The counts docs/PRIVACY.md gives: with the area code guessed from the community, the year and
    /// the last four characters leave 32–35 IDs; the old mask with the full birth date left one.
    @Test func theMaskLeavesDozensOfCandidatesWhereTheOldOneLeftOne() {
        let id = "130102194912310024"
        let community = "130102001001"
        let now = CandidateIDs.list(
            mask: ViewerMask.residentID(id), birthDate: ViewerMask.birthDate("1949-12-31"), community: community)
        #expect(now.contains(id))
        #expect((32...35).contains(now.count), "\(now.count)")
        let before = CandidateIDs.list(mask: "1301**********0024", birthDate: "1949-12-31", community: community)
        #expect(before == [id])
        // Without the community, the old mask left 9 or 10: of the 100 areas 1301xx, those whose
        // check character comes out right.
        let areas = (0..<100).filter { area in
            let code = "1301" + (area < 10 ? "0\(area)" : "\(area)") + "001001"
            return !CandidateIDs.list(mask: "1301**********0024", birthDate: "1949-12-31", community: code).isEmpty
        }
        #expect((9...10).contains(areas.count), "\(areas.count)")
    }
}
