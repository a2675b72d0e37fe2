// libFuzzer target for the roster importer: the bytes of a spreadsheet someone uploads
// (UTF-8 with or without BOM, GB18030, tab- or comma-separated), then every row's validation.
// Built and run by `make fuzz` (scripts/fuzz.sh, docs/TESTING.md); seeds in fuzz/corpus/csv.
//
//     ELDERCARE_FUZZ=1 swift build --scratch-path .build-fuzz --product FuzzRosterCSV --sanitize=fuzzer \
//         -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//     .build-fuzz/debug/FuzzRosterCSV fuzz/corpus/csv -max_total_time=60
import Replication

@testable import Eldercare

/// The city: every community code of the seeds' city is inside its subtree, so rows get past the
/// community check into the field checks.
let city = try! NodeCode("130100000000")

/// Reading a file may refuse it with a `RosterCSV.FileError`, and each row may be refused with an
/// `ElderFieldError`; neither may crash, and an accepted row must write the four required columns.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRosterCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let sheet = try? RosterCSV(bytes) else { return 0 }
    for row in sheet.rows {
        guard row.number > 0, !row.fields.isEmpty else { fatalError("row \(row.number) is empty or misnumbered") }
        guard let elder = try? ElderInput(row.fields, node: city) else { continue }
        let columns = Set(elder.values.map(\.column))
        guard !elder.id.isEmpty, columns.isSuperset(of: ["name", "resident_id", "community"]) else {
            fatalError("row \(row.number) was accepted without its required columns: \(columns.sorted())")
        }
    }
    return 0
}
