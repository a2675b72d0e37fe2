import Foundation
import Replication
@_exported import TestSupport

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
