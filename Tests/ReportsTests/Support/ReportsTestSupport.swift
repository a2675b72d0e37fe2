import Foundation
import Replication

/// A folder under the system temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init(_ label: String = "reports") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("eldercare-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// SplitMix64: a small deterministic generator for randomized tests.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Stores for report tests: statistics cells only (no replicated tables needed).
enum ReportFixtures {
    static func store(_ code: String, in directory: TemporaryDirectory) throws -> ReplicaStore {
        var configuration = StoreConfiguration()
        configuration.fsyncEveryCommit = false
        return try ReplicaStore(
            path: directory.path("\(code).sqlite"), node: try NodeCode(code), schema: try ReplicatedSchema([]),
            configuration: configuration)
    }
}
