import Foundation
import Replication
import Testing

@testable import Eldercare
@testable import FederationNode

/// The roster fuzzing seed corpus (fuzz/corpus/csv, written by scripts/fuzz-seeds.py; docs/TESTING.md)
/// replayed through the importer, so it is exercised on every `swift test` even where libFuzzer is
/// not built; inputs a fuzzing run found crashing are kept there too and replayed the same way.
@Suite(.timeLimit(.minutes(10))) struct RosterCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus/csv")
    static let city = try! NodeCode("130100000000")

    /// Reads one file as the importer does: the file's refusal, or per row the accepted input or the
    /// field refused (lines whose quotes cannot be read among them), in line order.
    static func replay(_ name: String) throws -> (file: RosterCSV.FileError?, accepted: [ElderInput], refused: [String])
    {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
        let sheet: RosterCSV
        do throws(RosterCSV.FileError) {
            sheet = try RosterCSV(bytes)
        } catch {
            return (error, [], [])
        }
        var accepted: [ElderInput] = []
        var refused: [(line: Int, field: String)] = sheet.malformed.map { ($0.line, $0.error.field) }
        for row in sheet.rows {
            do throws(ElderFieldError) {
                accepted.append(try ElderInput(row.fields, node: city))
            } catch {
                refused.append((row.line, error.field))
            }
        }
        return (nil, accepted, refused.sorted { $0.line < $1.line }.map(\.field))
    }

    @Test(arguments: [
        ("utf8_english.csv", 4), ("utf8_bom_chinese.csv", 4), ("gb18030_chinese.csv", 4),
        ("gb18030_chinese_values.csv", 3),
        ("tab_separated.tsv.csv", 3), ("required_only.csv", 3), ("blank_rows.csv", 2),
        ("unknown_columns.csv", 2),
    ])
    func seedRostersAreReadWhole(_ name: String, _ elders: Int) throws {
        let result = try Self.replay(name)
        #expect(result.file == nil)
        #expect(result.refused == [])
        #expect(result.accepted.count == elders)
        for elder in result.accepted {
            let name = Self.value(elder, "name")?.textValue ?? ""
            #expect(name.count >= 2, "\(name)")
        }
    }

    static func value(_ elder: ElderInput, _ column: String) -> Value? {
        elder.values.first(where: { $0.column == column })?.value
    }

    @Test func chineseTextSurvivesGB18030AndQuoting() throws {
        let gb = try Self.replay("gb18030_chinese.csv").accepted
        #expect(gb.count == 4)
        for elder in gb {
            let address = Self.value(elder, "address")?.textValue ?? ""
            #expect(address.hasPrefix("石家庄市长安区"), "\(address)")
        }
        let utf8 = try Self.replay("utf8_english.csv").accepted
        #expect(utf8.first.flatMap { Self.value($0, "name") } == .text("王玉珍"))
        let quoted = try Self.replay("quoted_cells.csv")
        #expect(quoted.accepted.count == 2)
        #expect(quoted.accepted.first.flatMap { Self.value($0, "address") } == .text("石家庄市长安区\"幸福里\"小区, 3号楼2单元"))
        // The quoted cell with a line break: each of its two lines is refused on its own (a cell cannot
        // hold a line break; the quote opened in the address is not closed on line 4, and line 5 holds
        // a stray quote in its first column).
        #expect(quoted.refused == ["address", "id"])
    }

    @Test func seedRowsWithBadFieldsAreRefusedByField() throws {
        let result = try Self.replay("refused_rows.csv")
        #expect(result.accepted.isEmpty)
        #expect(result.refused == ["resident_id", "gender", "birth_date", "phone", "community", "monthly_hours"])
    }

    @Test func seedFilesThatAreNotRostersAreRefusedWithAReason() throws {
        #expect(try Self.replay("missing_columns.csv").file?.missingColumns == ["id", "resident_id", "community"])
        #expect(try Self.replay("xlsx_magic.csv").file?.message.contains("xlsx") == true)
    }

    /// What the fuzz target checks, without libFuzzer: no file of the corpus (seeds, and any crash a
    /// fuzzing run kept) crashes the importer, and every accepted row carries its required columns.
    @Test func wholeCorpusIsReadOrRefused() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter {
            !$0.hasPrefix(".")
        }
        #expect(names.count >= 12)
        for name in names {
            let result = try Self.replay(name)
            for elder in result.accepted {
                #expect(
                    Set(elder.values.map(\.column)).isSuperset(of: ["name", "resident_id", "community"]), "\(name)")
            }
        }
    }
}
