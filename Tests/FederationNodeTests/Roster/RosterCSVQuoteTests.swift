import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

@testable import Eldercare
@testable import FederationNode

/// A roster CSV with quotes that do not pair up: every line under the header is accounted for —
/// accepted, a duplicate, or rejected naming its line and the reason — and the lines after a bad one
/// are still read (issue 13: one unmatched quote used to swallow every following row).
@Suite(.timeLimit(.minutes(10))) struct RosterCSVQuoteTests {
    static let header = "id,resident_id,name,address,community,phone"

    /// `count` valid elders as CSV lines (the address quoted, as Excel writes a cell with a comma),
    /// ids prefixed with `prefix` so several files can go to one node.
    static func lines(_ count: Int, seed: UInt64, prefix: String = "") throws -> [String] {
        try RosterSamples.elders(count, seed: seed).map { elder in
            let text = { (key: String) in elder[key]?.textValue ?? "" }
            let address = text("address").replacingOccurrences(of: "\"", with: "\"\"")
            return
                "\(prefix)\(text("id")),\(text("resident_id")),\(text("name")),\"\(address), 门口\",\(text("community")),\(text("phone"))"
        }
    }

    static func answer(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// The issue's file: 10 rows, the third with an unmatched quote. 9 accepted, 1 rejected on line 4.
    @Test func anUnmatchedQuoteLosesOnlyItsOwnLine() async throws {
        var lines = try Self.lines(10, seed: 13)
        lines[2] = lines[2].replacingOccurrences(of: ",\"", with: ",\"\"\"", options: [], range: nil)
            .replacingOccurrences(of: "门口\"", with: "门口")  // the address opens a quote it never closes
        let file = ([Self.header] + lines).joined(separator: "\r\n") + "\r\n"
        let sheet = try RosterCSV(Array(file.utf8))
        #expect(sheet.rows.map(\.number) == [1, 2, 4, 5, 6, 7, 8, 9, 10])
        #expect(sheet.malformed.map(\.line) == [4])
        #expect(sheet.malformed.first?.error.field == "address")

        let node = try TestNode(RosterSamples.node)
        try await RosterHTTPTests.app(node).test(.router) { client in
            let response = try await RosterHTTPTests.importCSV(client, Array(file.utf8))
            #expect(response.status == .ok)
            let answer = try Self.answer(response)
            #expect((answer["accepted"] as? NSNumber)?.intValue == 9)
            #expect((answer["duplicates"] as? NSNumber)?.intValue == 0)
            let rejected = try #require(answer["rejected"] as? [[String: Any]])
            #expect(rejected.count == 1)
            #expect((rejected.first?["index"] as? NSNumber)?.intValue == 3)
            #expect((rejected.first?["line"] as? NSNumber)?.intValue == 4)
            #expect(rejected.first?["field"] as? String == "address")
            let message = try #require(rejected.first?["error"] as? String)
            #expect(message.contains("column 4 (address)") && message.contains("not closed"), "\(message)")
            #expect(message.contains("引号不成对"), "\(message)")
        }
        #expect(try RosterHTTPTests.rows(node) == 9)
    }

    @Test func eachKindOfBadQuoteIsNamed() throws {
        let good = try Self.lines(4, seed: 5)
        let bad = [
            good[0].replacingOccurrences(of: "门口\"", with: "门口\"x"),  // text after the closing quote
            "E-Q\"1," + good[1].split(separator: ",", maxSplits: 1)[1],  // a quote inside an unquoted cell
            good[2] + ",\"",  // a cell opened at the end of the line
        ]
        let file = ([Self.header] + bad + [good[3]]).joined(separator: "\n")  // no line end after the last line
        let sheet = try RosterCSV(Array(file.utf8))
        #expect(sheet.rows.map(\.line) == [5])
        #expect(sheet.malformed.map(\.line) == [2, 3, 4])
        #expect(sheet.malformed.map(\.error.field) == ["address", "id", "csv"])
        #expect(sheet.malformed[0].error.message.contains("text follows the closing quote"))
        #expect(sheet.malformed[1].error.message.contains("多余的引号"))
        #expect(sheet.malformed[2].error.message.contains("column 7"))
    }

    /// Lines end at LF, CRLF or a lone CR; blank lines keep their numbers; quoted separators and
    /// doubled quotes are read as before.
    @Test func everyLineEndCountsOnce() throws {
        let good = try Self.lines(4, seed: 9)
        let file = Self.header + "\r" + good[0] + "\n\n" + good[1] + "\r\n" + ",,,,,\r" + good[2] + "\r\n" + good[3]
        let sheet = try RosterCSV(Array(file.utf8))
        #expect(sheet.malformed.isEmpty)
        #expect(sheet.rows.map(\.line) == [2, 4, 6, 7])  // line 3 blank, line 5 empty cells
        let address = sheet.rows.first?.fields["address"]
        #expect(address.map { "\($0)" }?.contains(", 门口") == true)
    }

    @Test func aHeaderWithAnOpenQuoteRefusesTheFile() {
        #expect(throws: RosterCSV.FileError.self) {
            try RosterCSV(Array("id,\"resident_id,name,community\nE-1,1,2,3\n".utf8))
        }
    }

    /// The law: for generated files with stray quotes put anywhere in random lines, accepted +
    /// duplicates + rejected equals the number of data lines, the rejected lines are exactly the
    /// lines given an odd number of stray quotes, and importing the file again turns every accepted
    /// line into a duplicate.
    @Test func acceptedDuplicatesAndRejectedAlwaysAddUpToTheLinesSent() async throws {
        let node = try TestNode(RosterSamples.node)
        var generator = SeededGenerator(seed: 20_261_205)
        var trials: [(lines: [String], strayLines: Set<Int>, file: [UInt8])] = []
        for trial in 0..<40 {
            let count = Int.random(in: 1...25, using: &generator)
            var lines = try Self.lines(count, seed: UInt64(trial + 1), prefix: "T\(trial)-")
            var strayLines: Set<Int> = []
            for index in lines.indices where Int.random(in: 0..<4, using: &generator) == 0 {
                var characters = Array(lines[index])
                for _ in 0..<[1, 1, 3].randomElement(using: &generator)! {
                    characters.insert("\"", at: Int.random(in: 0...characters.count, using: &generator))
                }
                lines[index] = String(characters)
                strayLines.insert(index + 2)  // the header is line 1
            }
            let end = ["\r\n", "\n", "\r"].randomElement(using: &generator)!
            trials.append((lines, strayLines, Array(([Self.header] + lines).joined(separator: end).utf8)))
        }
        let generated = trials
        try await RosterHTTPTests.app(node).test(.router) { client in
            for (trial, (lines, strayLines, file)) in generated.enumerated() {
                for round in 0..<2 {
                    let answer = try Self.answer(try await RosterHTTPTests.importCSV(client, file))
                    let accepted = (answer["accepted"] as? NSNumber)?.intValue ?? -1
                    let duplicates = (answer["duplicates"] as? NSNumber)?.intValue ?? -1
                    let rejected = answer["rejected"] as? [[String: Any]] ?? []
                    let context =
                        "trial \(trial) round \(round): \(lines.count) lines, stray quotes on \(strayLines.sorted())"
                    #expect(accepted + duplicates + rejected.count == lines.count, "\(context): \(answer)")
                    #expect(
                        Set(rejected.compactMap { ($0["line"] as? NSNumber)?.intValue }) == strayLines, "\(context)")
                    #expect((round == 0 ? accepted : duplicates) == lines.count - strayLines.count, "\(context)")
                }
            }
        }
    }
}
