import ArgumentParser
import CSV
import Foundation

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send recorded events (calls, visits or callbacks) to a running node.",
        discussion: """
            FILE holds JSON lines (one event object per line), a JSON array, or CSV with a header row of field
            names (docs/API.md). Events are sent in batches; refused ones are listed with their line number
            and reason, the others are kept. An event already recorded counts as a duplicate, so running the
            same file again is safe.
            Writes need the node's operator token: --token T, --data DIR (read from the data directory) or
            the environment variable ELDERCARE_TOKEN.
            Example: fedctl ingest calls calls-2026-01.jsonl --node http://127.0.0.1:8100 --data ./data/city
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case calls, visits, callbacks
    }

    @Argument(help: "calls, visits or callbacks.") var kind: Kind
    @Argument(help: "The file (.jsonl, .json or .csv).") var file: String
    @Option(help: "The node's HTTP address, e.g. http://127.0.0.1:8100.") var node: String
    @OptionGroup var access: TokenOptions
    @Option(help: "Events per request (the node accepts up to 1000).") var batch = 500

    /// Fields whose CSV text is a boolean or a number in the JSON API.
    static let booleans: Set<String> = ["effective", "complaint"]
    static let integers: Set<String> = ["response_seconds", "photo_count"]

    func run() async throws {
        guard (1...1_000).contains(batch) else { throw ValidationError("--batch must be between 1 and 1000") }
        let client = try NodeClient(node: node, token: try access.resolve())
        guard let data = FileManager.default.contents(atPath: file) else {
            throw FedctlFailure(message: "cannot read \(file): check the path and that this user may read it")
        }
        let events = try Self.parse(data, name: file)
        var tally = UploadTally()
        var progress = ProgressLine(total: events.count, label: "sending \(kind.rawValue)")
        var offset = 0
        while offset < events.count {
            let chunk = events[offset..<min(offset + batch, events.count)]
            let body = try JSONSerialization.data(withJSONObject: chunk.map(\.object))
            let answer = try await client.post("api/v1/\(kind.rawValue)", body: body, contentType: "application/json")
            let base = offset
            tally.add(answer) { index in events[base + index].line }
            offset += chunk.count
            progress.update(offset)
        }
        try tally.finish("\(kind.rawValue) \(file)")
    }

    /// The events of a file with their line numbers.
    static func parse(_ data: Data, name: String) throws -> [(object: Any, line: Int)] {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") {
            guard let array = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [Any] else {
                throw FedctlFailure(
                    message: "\(name) starts with [ but is not a JSON array; fix it and run again (nothing was sent)")
            }
            return array.enumerated().map { ($0.element, $0.offset + 1) }
        }
        if trimmed.hasPrefix("{") {
            var events: [(Any, Int)] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let content = line.trimmingCharacters(in: .whitespaces)
                guard !content.isEmpty else { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(content.utf8)), object is [String: Any]
                else {
                    throw FedctlFailure(
                        message:
                            "\(name) line \(number + 1) is not a JSON object; fix it and run again (nothing was sent)")
                }
                events.append((object, number + 1))
            }
            return events
        }
        return try csv(text, name: name)
    }

    static func csv(_ text: String, name: String) throws -> [(object: Any, line: Int)] {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw FedctlFailure(
                message:
                    "\(name) is neither JSON lines, a JSON array nor CSV: \(error); save it as one JSON object a line or as CSV with a header row and run again"
            )
        }
        guard let header = reader.headerRow, !header.isEmpty else {
            throw FedctlFailure(
                message:
                    "\(name) has no header row of field names; add one (e.g. id,received_at,channel,type,effective,community — docs/API.md) and run again"
            )
        }
        var events: [(Any, Int)] = []
        var line = 1
        while let row = reader.next() {
            line += 1
            guard !row.allSatisfy({ $0.isEmpty }) else { continue }
            var object: [String: Any] = [:]
            for (field, value) in zip(header, row) where !value.isEmpty {
                let key = field.trimmingCharacters(in: .whitespaces)
                if booleans.contains(key) {
                    // Unrecognised text is sent as is, so the node names it in its refusal.
                    if ["true", "1", "yes", "是", "有效", "y"].contains(value.lowercased()) {
                        object[key] = true
                    } else if ["false", "0", "no", "否", "无效", "n"].contains(value.lowercased()) {
                        object[key] = false
                    } else {
                        object[key] = value
                    }
                } else if integers.contains(key), let number = Int(value) {
                    object[key] = number
                } else {
                    object[key] = value
                }
            }
            events.append((object, line))
        }
        return events
    }
}
