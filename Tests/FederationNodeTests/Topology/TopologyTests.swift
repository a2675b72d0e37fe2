import Eldercare
import FederationNode
import Foundation
import Replication
import TestSupport
import Testing
import ZeroMQTransport

@Suite(.timeLimit(.minutes(10))) struct TopologyTests {
    /// The repository's deploy/topologies directory.
    static let topologies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/topologies")

    static func node(_ code: String, _ sync: Int, _ http: Int, extra: String = "") -> String {
        """
        [[node]]
        code = "\(code)"
        name = "节点\(code.suffix(3))"
        host = "127.0.0.1"
        sync_port = \(sync)
        http_port = \(http)
        \(extra)

        """
    }

    @Test func theDemoTopologyIsACityTwoDistrictsFourStreetsEightCommunities() throws {
        let topology = try Topology.load(path: Self.topologies.appendingPathComponent("demo.toml").path)
        let levels = Dictionary(grouping: topology.nodes, by: \.code.level).mapValues(\.count)
        #expect(levels == [.city: 1, .district: 2, .street: 4, .community: 8])
        #expect(topology.root.code.rawValue == "130100000000")
        for node in topology.nodes.dropFirst() {
            let parent = try #require(topology.parent(of: node))
            #expect(parent.code.level.rawValue == node.code.level.rawValue - 1 && parent.code.contains(node.code))
        }
        #expect(topology.nodes.filter { $0.code.level == .street }.allSatisfy { topology.children(of: $0).count == 2 })
        let ports = topology.nodes.flatMap { [$0.syncPort, $0.httpPort] }
        #expect(Set(ports).count == 30)
        #expect(
            topology.nodes.allSatisfy { $0.host == "127.0.0.1" && !$0.nameEnglish.isEmpty && $0.name != $0.nameEnglish }
        )
        // Parents come before their children.
        for (index, node) in topology.nodes.enumerated() where node.parent != nil {
            #expect(topology.nodes[..<index].contains { $0.code == node.parent })
        }
        let large = try Topology.load(path: Self.topologies.appendingPathComponent("shijiazhuang.toml").path)
        #expect(large.nodes.count == 53)
        #expect(
            large.config(for: large.nodes[1], parentKey: "k").sync.parent == "tcp://city.eldercare.sjz.example:7100")
        #expect(large.config(for: large.nodes[1], parentKey: "k").sync.listen == "tcp://0.0.0.0:7100")
    }

    static func badTopologies() -> [(text: String, message: String)] {
        var cases: [(text: String, message: String)] = []
        let city = node("130100000000", 1, 2)
        cases.append(
            (
                city + node("130102000000", 3, 4) + node("130102000000", 5, 6),
                "t.toml:15: node 130102000000 appears twice (first at line 8)"
            ))
        cases.append(
            (
                city + node("130102001000", 3, 4, extra: #"parent = "130104000000""#) + node("130104000000", 5, 6),
                "t.toml:8: node 130102001000 is not inside its parent 130104000000's subtree (line 15)"
            ))
        cases.append(
            (
                city + node("130102000000", 3, 2),
                "t.toml:8: node 130102000000: http_port 2 on 127.0.0.1 clashes with http_port of node 130100000000 (line 1)"
            ))
        cases.append(
            (
                node("130100000000", 1, 1),
                "t.toml:1: node 130100000000: http_port 1 on 127.0.0.1 clashes with its own sync_port"
            ))
        cases.append((node("130100000000", 1, 2, extra: "htp_port = 3"), #"t.toml:1: unknown key "htp_port""#))
        cases.append((city + node("130200000000", 3, 4), "t.toml:8: node 130200000000 has no parent in this topology"))
        cases.append((node("1301", 1, 2), #"t.toml:1: code "1301""#))
        cases.append(("[[node]\ncode = 1", "t.toml:1:"))
        cases.append(("[federation]\nname = \"x\"\n", "no [[node]] tables"))
        return cases
    }

    @Test func aBadTopologyIsRefusedNamingTheLineAndTheNode() {
        for (text, message) in Self.badTopologies() {
            let error = #expect(throws: TopologyError.self) { _ = try Topology.parse(text, file: "t.toml") }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "") does not contain \(message)")
        }
    }

    @Test func planningCreatesKeysAndTrustAndASecondRunKeepsThem() throws {
        let root = try TemporaryDirectory()
        let text =
            Self.node("130100000000", 7100, 8100) + Self.node("130102000000", 7101, 8101)
            + Self.node("130102001000", 7102, 8102) + Self.node("130102001001", 7103, 8103)
            + Self.node("130102001002", 7104, 8104)
        let topology = try Topology.parse(text, file: "t.toml")
        let first = try FederationPlan.apply(topology, to: root.url.path)
        #expect(first.map(\.action) == Array(repeating: .created, count: 5))
        let keys = Dictionary(uniqueKeysWithValues: first.map { ($0.node.code.rawValue, $0.publicKey) })

        let street = DataDirectory(path: root.url.appendingPathComponent("130102001000").path)
        let trusted = street.trustedChildren()
        #expect(Set(trusted.values.map(\.code.rawValue)) == ["130102001001", "130102001002"])
        #expect(trusted[keys["130102001001"]!]?.code.rawValue == "130102001001")
        let community = try DataDirectory(path: root.url.appendingPathComponent("130102001001").path).loadConfig()
        #expect(community.sync.parent == "tcp://127.0.0.1:7102")
        #expect(community.sync.parentKey == keys["130102001000"])
        #expect(community.sync.parentCode == "130102001000")
        #expect(community.http.listen == "127.0.0.1:8103")
        #expect(
            try DataDirectory(path: root.url.appendingPathComponent("130100000000").path).loadConfig().sync.parent
                == nil)
        // One privacy key for every node at or below the boundary, so the city still sees cross-district
        // duplicates; the city, above it, holds none (it compares hashes, never computes them).
        let privacyKeys = try first.map { try $0.directory.loadConfig().privacy?.hashKey }
        #expect(privacyKeys[0] == nil)
        #expect(try !String(contentsOf: first[0].directory.configURL, encoding: .utf8).contains("hash_key"))
        #expect(privacyKeys[1]?.count == 64)
        #expect(privacyKeys.dropFirst().allSatisfy { $0 != nil && $0 == privacyKeys[1] })

        let again = try FederationPlan.apply(topology, to: root.url.path)
        #expect(again.map(\.action) == Array(repeating: .kept, count: 5))
        #expect(again.map(\.publicKey) == first.map(\.publicKey))
        #expect(try again.map { try $0.directory.loadConfig().privacy?.hashKey } == privacyKeys)

        // A changed port is rewritten; the keys stay.
        let moved = try Topology.parse(
            text.replacingOccurrences(of: "http_port = 8104", with: "http_port = 8199"), file: "t.toml")
        let third = try FederationPlan.apply(moved, to: root.url.path)
        #expect(third.last?.action == .updated)
        #expect(third.map(\.publicKey) == first.map(\.publicKey))
        #expect(
            try DataDirectory(path: root.url.appendingPathComponent("130102001002").path).loadConfig().http.listen
                == "127.0.0.1:8199")
    }

    @Test func aCityPlannedWithAKeyByAnEarlierVersionIsRefusedAndKeptAsItIs() throws {
        let root = try TemporaryDirectory()
        let text = Self.node("130100000000", 7100, 8100) + Self.node("130102000000", 7101, 8101)
        let topology = try Topology.parse(text, file: "t.toml")
        let first = try FederationPlan.apply(topology, to: root.url.path)
        let districtKey = try #require(try first[1].directory.loadConfig().privacy?.hashKey)
        // What the earlier plan wrote at the city: the federation's key.
        let city = first[0].directory
        var config = try city.loadConfig()
        config.privacy = PrivacyPolicy(hashKey: districtKey)
        try city.saveConfig(config)
        let before = try String(contentsOf: city.configURL, encoding: .utf8)

        let error = #expect(throws: NodeError.self) { try FederationPlan.apply(topology, to: root.url.path) }
        #expect(error?.code == .privacyKeyAboveBoundary)
        #expect(error?.message.contains(city.configURL.path) == true)
        #expect(error?.message.contains("Delete the hash_key line") == true)
        #expect(try String(contentsOf: city.configURL, encoding: .utf8) == before)

        // With the line deleted, planning again keeps the district's key and gives the city none.
        config.privacy = PrivacyPolicy()
        try city.saveConfig(config)
        let again = try FederationPlan.apply(topology, to: root.url.path)
        #expect(try again[0].directory.loadConfig().privacy?.hashKey == nil)
        #expect(try again[1].directory.loadConfig().privacy?.hashKey == districtKey)
    }

    @Test func aNodeAddedLaterGetsTheKeyTheOthersHold() throws {
        let root = try TemporaryDirectory()
        let text = Self.node("130100000000", 7100, 8100) + Self.node("130102000000", 7101, 8101)
        let first = try FederationPlan.apply(try Topology.parse(text, file: "t.toml"), to: root.url.path)
        let key = try #require(try first[1].directory.loadConfig().privacy?.hashKey)
        let grown = try Topology.parse(text + Self.node("130102001000", 7102, 8102), file: "t.toml")
        let second = try FederationPlan.apply(grown, to: root.url.path)
        #expect(second.map(\.action) == [.kept, .kept, .created])
        #expect(try second[2].directory.loadConfig().privacy?.hashKey == key)
        #expect(try second[0].directory.loadConfig().privacy?.hashKey == nil)
    }

    @Test(arguments: ["city", "district", "street", "community"])
    func theExampleConfigurationOfEachLevelIsValid(level: String) throws {
        let example = Self.topologies.deletingLastPathComponent().appendingPathComponent("config/\(level).toml")
        let text = try String(contentsOf: example, encoding: .utf8)
        let directory = try TemporaryDirectory()
        // The parent key is a placeholder to fill in; with a real key the file is a valid configuration.
        let key = try CurveKeyPair.generate().publicKey
        try Data(text.replacingOccurrences(of: "PARENT_PUBLIC_KEY_Z85_40_CHARACTERS_HERE", with: key).utf8)
            .write(to: directory.url.appendingPathComponent("node.toml"))
        let config = try DataDirectory(path: directory.url.path).loadConfig()
        #expect("\(try config.code.level)" == level)
        #expect((config.sync.parent == nil) == (level == "city"))
        #expect(config.sync.durable)
    }
}
