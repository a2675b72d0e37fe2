import Replication
import Testing

@Suite(.timeLimit(.minutes(10))) struct ChangeFeedTests {
    @Test func everyAppliedChangeTakesTheNextSequenceAndKeepsItsOrigin() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let community = try Fixtures.store(directory, Fixtures.community, clock: clock)
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        try community.write([RecordWrite(table: "elders", key: "E1", ["status": "active", "tier": "assisted"])])
        let outcome = try street.pull(from: community)
        #expect(outcome.sequences == 1...1)
        #expect(outcome.changedRecords == [RecordRef(table: "elders", key: "E1")])
        try street.write([RecordWrite(table: "elders", key: "E2", ["status": "applied"])])
        #expect(try street.headSequence() == 2)
        let page = try street.changes(after: 0)
        #expect(page.through == 2)
        #expect(page.batch.rows.map(\.key) == ["E1", "E2"])
        #expect(page.batch.rows[0].cells.allSatisfy { $0.origin == Fixtures.community })
        #expect(page.batch.rows[1].cells.allSatisfy { $0.origin == Fixtures.street })
        // Losing or duplicate changes take no sequence.
        let again = try street.pull(from: community)
        #expect(again.applied == 0)
        #expect(again.duplicates == 2)
        #expect(try street.headSequence() == 2)
    }

    @Test func changesThatArrivedFromAPeerAreNotEchoedBackToIt() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        let district = try Fixtures.store(directory, Fixtures.district, clock: clock)
        try district.write([RecordWrite(table: "catalog", key: "meal", ["category": "daily_care"])])
        try street.pull(from: district)
        try street.write([RecordWrite(table: "catalog", key: "bath", ["category": "daily_care"])])
        let up = try street.changes(after: 0, filter: FeedFilter(excludingVia: Fixtures.district))
        #expect(up.batch.rows.map(\.key) == ["bath"])
        #expect(up.through == 2)
    }

    @Test func downRoutingSendsAChildOnlyItsSubtreeAndAreaWideRecords() throws {
        let directory = try TemporaryDirectory()
        let city = try Fixtures.store(directory, Fixtures.city)
        try city.write([
            RecordWrite(table: "elders", key: "IN", ["community": .text(Fixtures.community.rawValue)]),
            RecordWrite(table: "elders", key: "OUT", ["community": .text(Fixtures.otherStreetCommunity.rawValue)]),
            RecordWrite(table: "catalog", key: "meal", ["category": "daily_care"]),
        ])
        try city.add([
            (StatKey(origin: Fixtures.city, community: Fixtures.community, metric: "calls", period: "2026-01-01"), 1),
            (
                StatKey(
                    origin: Fixtures.city, community: Fixtures.otherStreetCommunity, metric: "calls",
                    period: "2026-01-01"), 1
            ),
        ])
        let down = try city.changes(after: 0, filter: FeedFilter(subtree: Fixtures.street))
        #expect(Set(down.batch.rows.map(\.key)) == ["IN", "meal"])
        #expect(down.batch.stats.map(\.key.community) == [Fixtures.community])
        #expect(down.through == 5)
    }

    @Test func aRecordMovedToAnotherSubtreeIsAnnouncedWholeToBoth() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let district = try Fixtures.store(directory, Fixtures.district, clock: clock)
        try district.write([
            RecordWrite(
                table: "elders", key: "E1",
                ["name": "张三", "community": .text(Fixtures.community.rawValue), "status": "active"])
        ])
        let before = try district.headSequence()
        clock.advance(by: 1)
        try district.write([
            RecordWrite(table: "elders", key: "E1", ["community": .text(Fixtures.otherStreetCommunity.rawValue)])
        ])
        let newStreet = try district.changes(after: before, filter: FeedFilter(subtree: try NodeCode("130102002000")))
        let cells = Set(newStreet.batch.rows.flatMap(\.cells).map(\.column))
        #expect(cells == ["name", "community", "status"])
        let oldStreet = try district.changes(after: before, filter: FeedFilter(subtree: Fixtures.street))
        #expect(oldStreet.batch.rows.flatMap(\.cells).map(\.column).contains("community"))
    }

    @Test func supersededEntriesLeaveTheFeedAndANewLinkReadsCurrentState() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = try Fixtures.store(directory, Fixtures.community, clock: clock)
        for version in 0..<5 {
            clock.advance(by: 1)
            try store.write([RecordWrite(table: "elders", key: "E1", ["phone": .text("1380000000\(version)")])])
        }
        try store.write([RecordWrite(table: "elders", key: "E1", ["status": "active"])])
        let page = try store.changes(after: 0)
        #expect(page.batch.rows.count == 2)
        #expect(page.batch.cellCount == 2)
        #expect(page.batch.rows.flatMap(\.cells).contains { $0.value == "13800000004" })
    }

    @Test func pagingNeverSkipsAChangeWhateverThePageSize() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = try Fixtures.store(directory, Fixtures.community, clock: clock)
        var generator = SeededGenerator(seed: 7)
        for step in 0..<300 {
            clock.advance(by: 1)
            if Bool.random(using: &generator) {
                try store.write([
                    RecordWrite(
                        table: "elders", key: "E\(Int.random(in: 0..<40, using: &generator))",
                        [
                            "status": .text("s\(step)")
                        ])
                ])
            } else {
                try store.add([
                    (
                        StatKey(
                            origin: Fixtures.community, community: Fixtures.community, metric: "calls",
                            period: "2026-01-\(10 + Int.random(in: 0..<20, using: &generator))"), 1
                    )
                ])
            }
        }
        let full = try Fixtures.store(directory, Fixtures.street, clock: clock)
        try full.pull(from: store)
        for pageCells in [1, 2, 3, 7, 64, 1000] {
            let target = try Fixtures.store(directory, Fixtures.street, clock: clock, name: "paged-\(pageCells)")
            var position: UInt64 = 0
            while true {
                let page = try store.changes(after: position, maxCells: pageCells)
                try target.merge(page.batch, from: store.node)
                #expect(page.through >= position)
                position = page.through
                if page.isCaughtUp { break }
            }
            #expect(try target.canonicalState() == full.canonicalState(), "page size \(pageCells)")
        }
    }

    @Test func watermarksAreDurableAndMonotonicWithinAnEpoch() throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try Fixtures.store(directory, Fixtures.street)
            try store.advanceWatermark(peer: Fixtures.community, .sent, epoch: store.feedEpoch, seq: 40)
            try store.advanceWatermark(peer: Fixtures.community, .sent, epoch: store.feedEpoch, seq: 30)
            try store.advanceWatermark(peer: Fixtures.district, .received, epoch: "district-epoch-1", seq: 900)
        }
        let store = try Fixtures.store(directory, Fixtures.street)
        #expect(try store.watermark(peer: Fixtures.community, .sent)?.seq == 40)
        #expect(try store.watermark(peer: Fixtures.district, .received)?.seq == 900)
        // The district was rebuilt: its feed has a new epoch and the position starts over.
        try store.advanceWatermark(peer: Fixtures.district, .received, epoch: "district-epoch-2", seq: 12)
        #expect(try store.watermark(peer: Fixtures.district, .received)?.seq == 12)
        try store.resetWatermarks(peer: Fixtures.community)
        #expect(try store.watermark(peer: Fixtures.community, .sent) == nil)
        #expect(try store.watermarks().count == 1)
    }
}
