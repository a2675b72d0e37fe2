import Replication
import Testing

/// Named scenarios from the seeds and DESIGN.md, each across several replicas.
@Suite(.timeLimit(.minutes(10))) struct MergeScenarioTests {
    @Test func phoneEditAtCommunityAndSubsidyApprovalAtDistrictBothSurvive() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let community = try Fixtures.store(directory, Fixtures.community, clock: clock)
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        let district = try Fixtures.store(directory, Fixtures.district, clock: clock)
        try community.write([
            RecordWrite(
                table: "elders", key: "E1",
                [
                    "name": "王秀英", "phone": "13800000001", "community": .text(Fixtures.community.rawValue),
                    "status": "applied",
                ])
        ])
        try street.pull(from: community)
        try district.pull(from: street)
        // Concurrently: the station corrects the phone, the district approves the subsidy category.
        clock.advance(by: 1000)
        try community.write([RecordWrite(table: "elders", key: "E1", ["phone": "13900000002"])])
        try district.write([
            RecordWrite(
                table: "elders", key: "E1", ["categories": "minimum_living", "status": "active", "subsidy_yuan": 100])
        ])
        // Exchange along the tree in both directions.
        try street.pull(from: community)
        try street.pull(from: district)
        try district.pull(from: street)
        try community.pull(from: street)
        for store in [community, street, district] {
            let elder = try #require(try store.record("elders", key: "E1"))
            #expect(elder["phone"] == "13900000002")
            #expect(elder["categories"] == "minimum_living")
            #expect(elder["status"] == "active")
            #expect(elder["subsidy_yuan"] == .integer(100) || elder["subsidy_yuan"] == .real(100))
        }
        #expect(try community.stateDigest() == district.stateDigest())
        #expect(try street.stateDigest() == district.stateDigest())
    }

    @Test func cityMarksDeceasedWhileCommunityEditsAddress() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let community = try Fixtures.store(directory, Fixtures.community, clock: clock)
        let city = try Fixtures.store(directory, Fixtures.city, clock: clock)
        try community.write([
            RecordWrite(
                table: "elders", key: "E2",
                [
                    "address": "长安区建设北大街1号", "community": .text(Fixtures.community.rawValue), "status": "active",
                ])
        ])
        try city.pull(from: community)
        clock.advance(by: 10)
        try city.write([RecordWrite(table: "elders", key: "E2", ["status": "deceased"])])
        clock.advance(by: 10)
        try community.write([RecordWrite(table: "elders", key: "E2", ["address": "长安区建设北大街2号"])])
        try city.pull(from: community)
        try community.pull(from: city)
        for store in [community, city] {
            let elder = try #require(try store.record("elders", key: "E2"))
            #expect(elder["status"] == "deceased")
            #expect(elder["address"] == "长安区建设北大街2号")
        }
        #expect(try community.stateDigest() == city.stateDigest())
    }

    @Test func theSameStatisticsCellArrivingByTwoPathsCountsOnce() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let community = try Fixtures.store(directory, Fixtures.community, clock: clock)
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        let oldStreet = try Fixtures.store(directory, try NodeCode("130102002000"), clock: clock)
        let district = try Fixtures.store(directory, Fixtures.district, clock: clock)
        let cell = StatKey(
            origin: Fixtures.community, community: Fixtures.community, metric: "calls", period: "2026-01-05")
        try community.add([(cell, 3)])
        // The community's cells reach the district through its old street and its new street, twice each.
        for path in [street, oldStreet] {
            try path.pull(from: community)
            try path.pull(from: community)
            try district.pull(from: path)
            try district.pull(from: path)
        }
        #expect(try district.statistic(cell)?.value == 3)
        clock.advance(by: 5)
        try community.add([(cell, 2)])
        try street.pull(from: community)
        try district.pull(from: street)
        try district.pull(from: oldStreet)  // stale path: its older value loses
        #expect(try district.statistic(cell)?.value == 5)
    }

    @Test func aClockOneHourAheadIsRefusedWithTheSkewErrorAndChangesNothing() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let fastClock = ManualClock(clock.now + 3_600_000)
        let fast = try Fixtures.store(directory, Fixtures.community, clock: fastClock)
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        try street.write([RecordWrite(table: "elders", key: "E0", ["status": "active"])])
        let before = try street.stateDigest()
        let head = try street.headSequence()
        try fast.write([RecordWrite(table: "elders", key: "E3", ["status": "active"])])
        #expect {
            try street.pull(from: fast)
        } throws: { error in
            guard let error = error as? ReplicationError else { return false }
            return error.code == .clockSkew && error.message.contains("130102001001")
        }
        #expect(try street.stateDigest() == before)
        #expect(try street.headSequence() == head)
        // Not clamped and not lost: the same changes are accepted once they are within the bound.
        clock.advance(by: 3_600_000 - 200_000)
        #expect(try street.pull(from: fast).applied == 1)
        #expect(try street.record("elders", key: "E3")?["status"] == "active")
    }

    @Test func anErasureScrubsPersonalFieldsOnEveryReplicaItReaches() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let community = try Fixtures.store(directory, Fixtures.community, clock: clock)
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        let district = try Fixtures.store(directory, Fixtures.district, clock: clock)
        let city = try Fixtures.store(directory, Fixtures.city, clock: clock)
        try community.write([
            RecordWrite(
                table: "elders", key: "E5",
                [
                    "name": "李桂兰", "resident_id": "130102194501010024", "phone": "13800000005",
                    "address": "桥西区中华南大街5号", "community": .text(Fixtures.community.rawValue), "status": "active",
                ])
        ])
        try street.pull(from: community)
        try district.pull(from: street)
        try city.pull(from: district)
        // An old phone edit is still travelling (made before the erasure, delivered after it).
        clock.advance(by: 1)
        try street.write([RecordWrite(table: "elders", key: "E5", ["phone": "13800000099"])])
        let stalePhone = try street.allChanges().0
        clock.advance(by: 1)
        try city.erase("elders", key: "E5", reason: "personal information deletion request 2026-01")
        try district.pull(from: city)
        try street.pull(from: district)
        try community.pull(from: street)
        for store in [community, street, district, city] {
            try store.merge(stalePhone, from: Fixtures.street)  // older write loses to the tombstone
            let elder = try #require(try store.record("elders", key: "E5"))
            for personal in ["name", "resident_id", "phone", "address"] {
                #expect(elder[personal] == .null, "\(personal) survived on \(store.node)")
            }
            #expect(elder["status"] == "active")
            #expect(elder["community"] == .text(Fixtures.community.rawValue))
            #expect(elder["_erased"] == "personal information deletion request 2026-01")
            // Nothing personal stays in the feed either.
            let feed = try store.allChanges().0
            for row in feed.rows where row.key == "E5" {
                for cell in row.cells where ["name", "resident_id", "phone", "address"].contains(cell.column) {
                    #expect(cell.value == .null)
                }
            }
        }
        #expect(try community.stateDigest() == city.stateDigest())
        // A write made after the erasure (a re-registration) wins as usual.
        clock.advance(by: 1)
        try community.write([RecordWrite(table: "elders", key: "E5", ["phone": "13700000000"])])
        try city.pull(from: community)
        #expect(try city.record("elders", key: "E5")?["phone"] == "13700000000")
    }

    @Test func equalClocksAreBrokenByNodeCodeTheSameWayEverywhere() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let a = try Fixtures.store(directory, Fixtures.community, clock: clock)
        let b = try Fixtures.store(directory, Fixtures.neighbour, clock: clock)
        try a.write([RecordWrite(table: "catalog", key: "meal", ["unit_price": .real(12)])])
        try b.write([RecordWrite(table: "catalog", key: "meal", ["unit_price": .real(15)])])
        #expect(try a.lastClock() == b.lastClock())
        try a.pull(from: b)
        try b.pull(from: a)
        // 130102001002 > 130102001001: the neighbour's write wins on both.
        #expect(try a.record("catalog", key: "meal")?["unit_price"] == .real(15))
        #expect(try b.record("catalog", key: "meal")?["unit_price"] == .real(15))
    }
}
