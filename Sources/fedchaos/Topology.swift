import Replication

/// The chaos federation: 1 city, 2 districts, 4 streets, 8 communities (15 nodes).
///
///     let topology = ChaosTopology.standard
///     topology.communities.count   // 8
struct ChaosTopology: Sendable {
    struct Member: Sendable {
        let code: String
        let name: String
        /// The parent at start (nil for the city).
        let parent: String?
    }

    let members: [Member]

    static let standard: ChaosTopology = {
        var members = [Member(code: "130100000000", name: "石家庄市", parent: nil)]
        let districts = [("130102000000", "长安区"), ("130104000000", "桥西区")]
        let streetNames = ["建北街道", "青园街道", "东里街道", "中山路街道"]
        let communityNames = ["建设北大街社区", "光华路社区", "青园社区", "谈固社区", "东里社区", "振头社区", "中山社区", "维明社区"]
        var street = 0
        var community = 0
        for (district, districtName) in districts {
            members.append(Member(code: district, name: districtName, parent: "130100000000"))
            for index in 1...2 {
                let streetCode = String(district.prefix(6)) + String(format: "%03d", index) + "000"
                members.append(Member(code: streetCode, name: streetNames[street], parent: district))
                street += 1
                for communityIndex in 1...2 {
                    let communityCode = String(streetCode.prefix(9)) + String(format: "%03d", communityIndex)
                    members.append(Member(code: communityCode, name: communityNames[community], parent: streetCode))
                    community += 1
                }
            }
        }
        return ChaosTopology(members: members)
    }()

    var city: String { members[0].code }
    var districts: [String] { members.filter { (try? NodeCode($0.code).level) == .district }.map(\.code) }
    var streets: [String] { members.filter { (try? NodeCode($0.code).level) == .street }.map(\.code) }
    var communities: [String] { members.filter { (try? NodeCode($0.code).level) == .community }.map(\.code) }
}
