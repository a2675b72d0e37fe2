import Foundation
import Replication

@testable import Eldercare
@testable import FederationNode
@testable import Simulation

/// Sample elders as the API's clients send them.
enum RosterSamples {
    static let node = Codes.street
    static let communities = [Codes.community, Codes.neighbour]

    /// `count` valid elders of the street's two communities, as field maps.
    static func elders(_ count: Int, seed: UInt64 = 7) throws -> [[String: Value]] {
        var roster = SampleRoster(seed: seed, communities: try communities.map { try NodeCode($0) })
        return (0..<count).map { _ in
            let write = roster.next()
            var fields: [String: Value] = ["id": .text(write.key)]
            for (column, value) in write.values { fields[column] = value }
            return fields
        }
    }

    /// The fields `ElderInput` reads from a field map (categories as a list, like JSON sends them).
    static func input(_ elder: [String: Value]) -> [String: ElderFieldValue] {
        var fields: [String: ElderFieldValue] = [:]
        for (key, value) in elder {
            switch value {
            case .text(let text) where key == "categories":
                fields[key] = .list(text.split(separator: ",").map(String.init))
            case .text(let text): fields[key] = .text(text)
            case .integer(let number): fields[key] = .integer(number)
            default: break
            }
        }
        return fields
    }

    /// One elder as a JSON object.
    static func json(_ elder: [String: Value]) -> JSONValue {
        .object(
            JSONObject(
                ElderInput.fields.compactMap { key in
                    switch elder[key] {
                    case .text(let text)? where key == "categories":
                        (key, .array(text.split(separator: ",").map { .string(String($0)) }))
                    case .text(let text)?: (key, .string(text))
                    case .integer(let number)?: (key, .integer(number))
                    default: nil
                    }
                }))
    }

    /// A JSON array of elders, as text.
    static func body(_ elders: [[String: Value]]) -> String {
        JSONValue.array(elders.map(json)).serialized()
    }

    /// A resident ID with its last character replaced by a wrong check character.
    static func wrongCheckDigit(_ id: String) -> String {
        let check = id.last!
        return String(id.dropLast()) + (check == "1" ? "2" : "1")
    }

    /// Converts UTF-8 text to GB18030 bytes with iconv (independently of the importer's decoder).
    static func gb18030(_ text: String) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("utf8.csv")
        let target = directory.appendingPathComponent("gb.csv")
        try Data(text.utf8).write(to: source)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        process.arguments = ["-f", "UTF-8", "-t", "GB18030", "-o", target.path, source.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return Array(try Data(contentsOf: target))
    }
}
