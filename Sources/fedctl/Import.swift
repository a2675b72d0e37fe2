import ArgumentParser
import Eldercare
import Foundation

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload a file to a running node.",
        discussion: "Example: fedctl import roster roster.csv --node http://127.0.0.1:8103 --data ./data/community",
        subcommands: [Roster.self])

    struct Roster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an elder roster from CSV (as Excel saves it: UTF-8, with or without BOM, or GB18030).",
            discussion: """
                The header row names the columns (id, resident_id, name, community, … or 编号, 身份证号, 姓名, 社区, …;
                see docs/API.md). Each line is one row (a cell cannot hold a line break). Rows are sent in chunks;
                refused rows — a line whose quotes cannot be read among them — are listed with their line number
                and reason, the others are kept: accepted + duplicates + rejected is the number of rows. Running
                the same file again is safe.
                Writes need the node's operator token: --token T, --data DIR or ELDERCARE_TOKEN.
                Example: fedctl import roster roster.csv --node http://127.0.0.1:8103 --data ./data/community
                """)

        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The node's HTTP address, e.g. http://127.0.0.1:8103.") var node: String
        @OptionGroup var access: TokenOptions
        @Option(help: "Rows per request.") var rowsPerRequest = 5_000

        func run() async throws {
            guard rowsPerRequest > 0 else {
                throw ValidationError("--rows-per-request must be positive, e.g. --rows-per-request 5000")
            }
            let client = try NodeClient(node: node, token: try access.resolve())
            guard let data = FileManager.default.contents(atPath: file) else {
                throw FedctlFailure(message: "cannot read \(file): check the path and that this user may read it")
            }
            let records = CSVRecords.split(data)
            guard let header = records.first else {
                throw FedctlFailure(
                    message:
                        "\(file) is empty: export the roster with its header row (id, resident_id, name, community, …) and run again"
                )
            }
            let rows = Array(records.dropFirst())
            var tally = UploadTally()
            var progress = ProgressLine(total: rows.count, label: "importing")
            var offset = 0
            while offset < rows.count {
                let chunk = rows[offset..<min(offset + rowsPerRequest, rows.count)]
                var body = header.bytes
                for row in chunk { body.append(row.bytes) }
                let answer = try await client.post("api/v1/elders/import", body: body, contentType: "text/csv")
                let base = offset
                // The node numbers data rows from 1 within the request; lines count the header as 1.
                tally.add(answer) { index in rows[base + max(index - 1, 0)].line }
                offset += chunk.count
                progress.update(offset)
            }
            try tally.finish("roster \(file)")
        }
    }
}

/// Splits CSV bytes into records the way the node reads them (`RosterCSV`): one record per physical
/// line (ending at LF, CRLF or a lone CR), quotes or not, so a quote left open on one line never
/// carries the lines after it into another request, and the node's row numbers map back to lines of
/// the file. Keeps each record's bytes (with its line end) and its line number; blank lines are left
/// out. Works on UTF-8 and GB18030 alike: neither uses the bytes of CR or LF inside a multi-byte character.
struct CSVRecords {
    struct Record {
        var bytes: Data
        var line: Int
    }

    static func split(_ data: Data) -> [Record] {
        let bytes = [UInt8](data)
        var records: [Record] = []
        var start = 0
        var line = 1
        var index = 0
        func add(_ end: Int) {
            var record = Data(bytes[start..<end])
            if !record.allSatisfy({ $0 == 0x0A || $0 == 0x0D }) {
                if record.last != 0x0A && record.last != 0x0D { record.append(0x0A) }
                records.append(Record(bytes: record, line: line))
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                add(index + 1)
                start = index + 1
                line += 1
            }
            index += 1
        }
        if start < bytes.count { add(bytes.count) }
        return records
    }
}
