import GRDB
import TestSupport
import Testing

@testable import Reports

/// The in-memory fold cuts dimension strings in Swift exactly as the rollup's SQL (`install`'s fill)
/// does: the same result as `ReportRollup.withoutItem` and `ReportRollup.pair`, evaluated by SQLite,
/// on generated dimension strings (empty pairs, `item` first, last or twice, keys that are prefixes
/// of others, values with `=`). The folded rollup itself is compared with a rebuild in
/// `ReportRollupTests`.
@Suite(.timeLimit(.minutes(10))) struct FoldChunkTests {
    @Test func dimensionCutsEqualTheSQL() throws {
        let queue = try DatabaseQueue()
        var generator = SeededGenerator(seed: 349)
        let keys = [
            "category", "channel", "effective", "effectiveness", "hour", "item", "provider", "score", "type", "i",
        ]
        let values = ["1", "0", "daily_care.bathing", "P-7", "a=b", "", "09", "甲"]
        try queue.read { db in
            for _ in 0..<3_000 {
                var parts = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    "\(keys.randomElement(using: &generator)!)=\(values.randomElement(using: &generator)!)"
                }
                if Int.random(in: 0..<10, using: &generator) == 0 {
                    parts.insert("", at: Int.random(in: 0...parts.count, using: &generator))
                }
                let dims = parts.joined(separator: ";")
                let withoutItem = try String.fetchOne(
                    db, sql: "SELECT \(ReportRollup.withoutItem("d.dims")) FROM (SELECT ? AS dims) d", arguments: [dims]
                )
                #expect(FoldChunk.withoutItem(dims) == withoutItem, "\(dims)")
                for key in ["effective", "category", "score", "item", "i"] {
                    let pair = try String.fetchOne(
                        db,
                        sql: "SELECT \(ReportRollup.pair("d.dims", key: "d.key")) FROM (SELECT ? AS dims, ? AS key) d",
                        arguments: [dims, key])
                    #expect(FoldChunk.pair(dims, key: key) == pair, "\(dims) \(key)")
                }
            }
        }
    }
}
