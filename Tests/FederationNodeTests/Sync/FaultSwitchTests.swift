import Foundation
import GRDB
import Replication
import Testing

@testable import FederationNode
@testable import FederationSync

/// The `[faults]` switches and the `[storage]` limit on real nodes over loopback ZeroMQ: figures stay
/// exact under dropped and duplicated batches; a fast clock is refused and accepted once fixed; a full
/// database refuses what its parent sends without losing it, and catches up once the limit is raised.
@Suite(.timeLimit(.minutes(10))) struct FaultSwitchTests {
    static func refusals(_ store: ReplicaStore) throws -> (batches: Int64, errors: [String]) {
        let links = try store.database.read { db in try LinkStatistics.all(db) }
        return (links.map(\.refusedBatches).reduce(0, +), links.map(\.lastError))
    }

    @Test func droppedAndDuplicatedBatchesLeaveTheFiguresExact() async throws {
        try await TestFederation.with { federation in
            let chaotic: (inout NodeConfig) -> Void = {
                $0.faults = NodeConfig.Faults(dropBatchProbability: 0.3, duplicateBatchProbability: 0.3)
                $0.sync.batchCells = 1  // many small batches, so both switches fire
            }
            try await federation.start("130100000000", configure: chaotic)
            try await federation.start("130102000000", under: "130100000000", configure: chaotic)
            try await federation.start("130102001000", under: "130102000000", configure: chaotic)
            try await federation.start("130102001001", under: "130102001000", configure: chaotic)
            let community = try federation.store("130102001001")
            let city = try federation.store("130100000000")
            var sent: Int64 = 0
            for round in 0..<20 {
                try FederationSyncTests.calls(
                    community, community: "130102001001", count: 1, day: "2026-01-\(10 + round)")
                try FederationSyncTests.calls(city, community: "130102001001", count: 2, day: "2026-01-\(10 + round)")
                sent += 3
            }
            #expect(
                try await federation.eventually(timeout: .seconds(60)) {
                    try city.total("calls", within: try NodeCode("130100000000")) == sent
                        && community.total("calls", within: try NodeCode("130102001001")) == sent
                })
            // Nothing resent arrives later and counts twice: one more call each way is counted exactly.
            try FederationSyncTests.calls(community, community: "130102001001", count: 1, day: "2026-01-30")
            try FederationSyncTests.calls(city, community: "130102001001", count: 2, day: "2026-01-30")
            sent += 3
            #expect(
                try await federation.eventually(timeout: .seconds(60)) {
                    try city.total("calls", within: try NodeCode("130100000000")) == sent
                        && community.total("calls", within: try NodeCode("130102001001")) == sent
                })
        }
    }

    @Test func aFastClockIsRefusedAndAcceptedOnceFixed() async throws {
        try await TestFederation.with { federation in
            // Bound 1 s, offset 10 s: refused; after the fix the cells written while fast pass once real
            // time is within 1 s of them (the hybrid clock never goes back), about 9 s after they were written.
            try await federation.start("130102001000") { $0.sync.maxClockSkewMs = 1_000 }
            let fast = try await federation.start("130102001001", under: "130102001000") {
                $0.faults = NodeConfig.Faults(clockOffsetMs: 10_000)
            }
            // Write once the link is up, so the batch reaches the street well within the 9 s margin.
            let deadline = ContinuousClock.now + .seconds(20)
            while await fast.daemon.uplinkStatistics()?.connected != true && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await fast.daemon.uplinkStatistics()?.connected == true)
            let street = try federation.store("130102001000")
            try FederationSyncTests.calls(try federation.store("130102001001"), community: "130102001001", count: 4)
            #expect(try await federation.eventually { try Self.refusals(street).batches > 0 })
            #expect(try Self.refusals(street).errors.contains { $0.contains("clockSkew") && $0.contains("ahead") })
            #expect(try street.total("calls", within: try NodeCode("130102001001")) == 0)
            try await federation.stop("130102001001")
            let node = try #require(federation.nodes[try NodeCode("130102001001")])
            var config = try node.directory.loadConfig()
            config.faults = nil
            try node.directory.saveConfig(config)
            try await federation.restart("130102001001")
            #expect(
                try await federation.eventually(timeout: .seconds(30)) {
                    try street.total("calls", within: try NodeCode("130102001001")) == 4
                })
        }
    }

    @Test func aFullDatabaseRefusesBatchesUntilItsLimitIsRaised() async throws {
        try await TestFederation.with { federation in
            try await federation.start("130102001000")
            try await federation.start("130102001001", under: "130102001000") {
                $0.storage = NodeConfig.Storage(maxDatabaseMB: 1)
            }
            let street = try federation.store("130102001000")
            let padding = String(repeating: "建设北大街十二号院", count: 20)
            try street.write(
                (0..<3_000).map {
                    RecordWrite(
                        table: "elders", key: "E\($0)", ["community": "130102001001", "address": .text(padding)])
                })
            try FederationSyncTests.calls(street, community: "130102001001", count: 5)
            let community = try federation.store("130102001001")
            func elders() throws -> Int {
                try community.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") ?? 0 }
            }
            // The street's batches are refused by the full child and kept: its sent watermark stays behind.
            #expect(
                try await federation.eventually(timeout: .seconds(60)) {
                    try Self.refusals(street).errors.contains { $0.contains("full") }
                })
            #expect(try elders() < 3_000)
            try await federation.stop("130102001001")
            let node = try #require(federation.nodes[try NodeCode("130102001001")])
            var config = try node.directory.loadConfig()
            config.storage = nil
            try node.directory.saveConfig(config)
            try await federation.restart("130102001001")
            let restarted = try federation.store("130102001001")
            #expect(
                try await federation.eventually(timeout: .seconds(60)) {
                    try restarted.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") ?? 0 }
                        == 3_000
                        && restarted.total("calls", within: try NodeCode("130102001001")) == 5
                })
        }
    }
}

/// The drop/duplicate draw itself: off means one copy, always; on, the shares follow the probabilities.
@Suite(.timeLimit(.minutes(10))) struct BatchFaultsTests {
    @Test func switchesOffSendEveryBatchOnce() {
        var generator = SeededGenerator(seed: 7)
        let faults = BatchFaults()
        #expect(!faults.isActive)
        #expect((0..<1_000).allSatisfy { _ in faults.copies(using: &generator) == 1 })
    }

    @Test func dropAndDuplicateFollowTheirProbabilities() {
        var generator = SeededGenerator(seed: 11)
        let faults = BatchFaults(drop: 0.3, duplicate: 0.5)
        let draws = (0..<20_000).map { _ in faults.copies(using: &generator) }
        let dropped = Double(draws.filter { $0 == 0 }.count) / 20_000
        let duplicated = Double(draws.filter { $0 == 2 }.count) / 20_000
        #expect(abs(dropped - 0.3) < 0.02)
        #expect(abs(duplicated - 0.7 * 0.5) < 0.02)  // only a batch not dropped can be duplicated
        #expect(draws.allSatisfy { (0...2).contains($0) })
    }
}
