import Eldercare
import FederationNode
import FederationSync
import Foundation
import GRDB
import Replication
import Testing

@Suite(.serialized, .timeLimit(.minutes(10))) struct FederationSyncTests {
    static func calls(_ store: ReplicaStore, community: String, count: Int64, day: String = "2026-01-05") throws {
        let key = StatKey(
            origin: store.node, community: try NodeCode(community), metric: "calls",
            dims: "channel=hotline;effective=1;hour=09;type=service_request", period: day)
        try store.add([(key, count)])
    }

    @Test func aChainConvergesUpAndRoutesCityChangesDownToTheirCommunity() async throws {
        try await TestFederation.with { federation in
            try await federation.start("130100000000") { $0.privacy = PrivacyPolicy(fullRosterUpTo: .city) }
            // The city receives the full roster here, so the whole state converges (docs/PRIVACY.md).
            try await federation.start("130102000000", under: "130100000000") {
                $0.privacy = PrivacyPolicy(fullRosterUpTo: .city)
            }
            try await federation.start("130102001000", under: "130102000000")
            try await federation.start("130102001001", under: "130102001000")
            let community = try federation.store("130102001001")
            try community.write([
                RecordWrite(
                    table: "elders", key: "E1", ["name": "王秀英", "community": "130102001001", "status": "active"])
            ])
            try Self.calls(community, community: "130102001001", count: 3)
            let city = try federation.store("130100000000")
            #expect(try await federation.eventually { try city.record("elders", key: "E1")?["status"] == "active" })
            #expect(
                try await federation.eventually { try city.total("calls", within: try NodeCode("130100000000")) == 3 })
            // A call taken at the city hotline about that community reaches the district, the street and the community.
            try Self.calls(city, community: "130102001001", count: 2)
            for code in ["130102000000", "130102001000", "130102001001"] {
                let store = try federation.store(code)
                #expect(
                    try await federation.eventually {
                        try store.total("calls", within: try NodeCode("130102001001")) == 5
                    },
                    "\(code)")
            }
            // The district approves a category: the edit reaches the city and the community.
            try federation.store("130102000000").write([
                RecordWrite(table: "elders", key: "E1", ["categories": "minimum_living"])
            ])
            #expect(
                try await federation.eventually {
                    try community.record("elders", key: "E1")?["categories"] == "minimum_living"
                })
            #expect(
                try await federation.eventually {
                    try city.record("elders", key: "E1")?["categories"] == "minimum_living"
                })
            #expect(try await federation.eventually { try community.stateDigest() == city.stateDigest() })
        }
    }

    @Test func aTreeOfOneTwoFourEightConvergesAtTheCity() async throws {
        try await TestFederation.with { federation in
            try await federation.start("130100000000")
            var communities: [String] = []
            for district in 1...2 {
                let districtCode = "13010\(district)000000"
                try await federation.start(districtCode, under: "130100000000")
                for street in 1...2 {
                    let streetCode = "13010\(district)00\(street)000"
                    try await federation.start(streetCode, under: districtCode)
                    for community in 1...2 {
                        let code = "13010\(district)00\(street)00\(community)"
                        try await federation.start(code, under: streetCode)
                        communities.append(code)
                    }
                }
            }
            for (index, code) in communities.enumerated() {
                try Self.calls(try federation.store(code), community: code, count: Int64(index + 1))
            }
            let city = try federation.store("130100000000")
            let expected = Int64((1...8).reduce(0, +))
            #expect(
                try await federation.eventually {
                    try city.total("calls", within: try NodeCode("130100000000")) == expected
                })
            // Each district sees exactly its own branch.
            let district1 = try federation.store("130101000000")
            #expect(
                try await federation.eventually {
                    try district1.total("calls", within: try NodeCode("130100000000")) == 1 + 2 + 3 + 4
                })
            // A city change about one community reaches that branch and not the other.
            try Self.calls(city, community: "130102002002", count: 100)
            let target = try federation.store("130102002002")
            #expect(
                try await federation.eventually {
                    try target.total("calls", within: try NodeCode("130102002002")) == 108
                })
            // Its sibling under the same street never gets it: a later city call about the sibling arrives
            // there, and the links keep the city's order, so a misrouted change would have come first.
            let sibling = try federation.store("130102002001")
            let own = try sibling.total("calls", within: try NodeCode("130102002001"))
            try Self.calls(city, community: "130102002001", count: 1)
            #expect(
                try await federation.eventually {
                    try sibling.total("calls", within: try NodeCode("130102002001")) == own + 1
                })
            #expect(try sibling.total("calls", within: try NodeCode("130102002002")) == 0)
            #expect(try federation.store("130101001001").total("calls", within: try NodeCode("130100000000")) == 1)
        }
    }

    @Test func aRestartedMiddleNodeResumesWithNothingLostOrCountedTwice() async throws {
        try await TestFederation.with { federation in
            try await federation.start("130100000000")
            // The city receives the full roster here, so the whole state converges (docs/PRIVACY.md).
            try await federation.start("130102000000", under: "130100000000") {
                $0.privacy = PrivacyPolicy(fullRosterUpTo: .city)
            }
            try await federation.start("130102001000", under: "130102000000")
            try await federation.start("130102001001", under: "130102001000")
            let community = try federation.store("130102001001")
            let city = try federation.store("130100000000")
            var sent: Int64 = 0
            for round in 0..<20 {
                try Self.calls(community, community: "130102001001", count: 1, day: "2026-01-\(10 + round % 10)")
                sent += 1
                if round == 8 { try await federation.stop("130102000000") }
                if round == 14 { try await federation.restart("130102000000") }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(
                try await federation.eventually {
                    try city.total("calls", within: try NodeCode("130100000000")) == sent
                })
            // Nothing resent arrives later and counts twice: one more call after it all is counted exactly.
            try Self.calls(community, community: "130102001001", count: 1, day: "2026-01-25")
            sent += 1
            #expect(
                try await federation.eventually {
                    try city.total("calls", within: try NodeCode("130100000000")) == sent
                })
        }
    }

    @Test func aCommunityMovedUnderAnotherStreetLeavesCityTotalsUnchanged() async throws {
        try await TestFederation.with { federation in
            try await federation.start("130100000000")
            try await federation.start("130102000000", under: "130100000000")
            try await federation.start("130102001000", under: "130102000000")
            try await federation.start("130102002000", under: "130102000000")
            try await federation.start("130102001001", under: "130102001000")
            let community = try federation.store("130102001001")
            try Self.calls(community, community: "130102001001", count: 7)
            try community.write([
                RecordWrite(table: "elders", key: "E9", ["community": "130102001001", "status": "active"])
            ])
            let city = try federation.store("130100000000")
            #expect(
                try await federation.eventually { try city.total("calls", within: try NodeCode("130100000000")) == 7 })
            // A city hotline call about the community reaches it through its old street before the move.
            try Self.calls(city, community: "130102001001", count: 5)
            #expect(
                try await federation.eventually {
                    try community.total("calls", within: try NodeCode("130102001001")) == 12
                }
            )
            try await federation.stop("130102001001")
            try await federation.move("130102001001", under: "130102002000")
            try await federation.restart("130102001001")
            try Self.calls(try federation.store("130102001001"), community: "130102001001", count: 1)
            let newStreet = try federation.store("130102002000")
            #expect(
                try await federation.eventually {
                    try newStreet.total("calls", within: try NodeCode("130102001001")) == 13
                }
            )
            #expect(
                try await federation.eventually { try city.total("calls", within: try NodeCode("130100000000")) == 13 })
            // Nothing sent through the old street arrives later and counts twice: one more call is counted exactly.
            try Self.calls(try federation.store("130102001001"), community: "130102001001", count: 1, day: "2026-01-20")
            #expect(
                try await federation.eventually { try city.total("calls", within: try NodeCode("130100000000")) == 14 })
            // Nothing the community sent its new street was refused.
            let refused = try await newStreet.database.read { db in
                try LinkStatistics.all(db).map(\.refusedBatches).reduce(0, +)
            }
            #expect(refused == 0)
            #expect(try newStreet.record("elders", key: "E9")?["status"] == "active")
        }
    }

    @Test func batchesAreSplitToFitTheMessageSizeLimit() async throws {
        try await TestFederation.with { federation in
            // The city receives the full roster here, so the addresses go up (docs/PRIVACY.md).
            let small: (inout NodeConfig) -> Void = {
                $0.sync.maxMessageBytes = 64 << 10
                $0.privacy = PrivacyPolicy(fullRosterUpTo: .city)
            }
            try await federation.start("130100000000", configure: small)
            try await federation.start("130102000000", under: "130100000000", configure: small)
            let district = try federation.store("130102000000")
            var generator = SystemRandomNumberGenerator()
            // Incompressible addresses: 3,000 records × ~300 bytes are far beyond one 64 KiB message.
            let writes = (0..<3_000).map { index in
                RecordWrite(
                    table: "elders", key: "E\(index)",
                    [
                        "community": "130102001001",
                        "address": .text(
                            (0..<150).map { _ in String(UnicodeScalar(UInt8(65 + generator.next() % 26))) }.joined()),
                    ])
            }
            try district.write(writes)
            let city = try federation.store("130100000000")
            #expect(
                try await federation.eventually {
                    try city.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") } == 3_000
                })
        }
    }
}
