import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Replication
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

/// Stores written by the code of 2026-12-08, before migrations were recorded (Tests/Fixtures/store-2026-12,
/// made by scripts/make-upgrade-fixture.sh: a city, a district, a street and two communities after 45
/// days of simulated activity), opened by today's `NodeSchema.open`: every report each node answered
/// then is answered the same now, and every migration is recorded once.
@Suite(.timeLimit(.minutes(5))) struct NodeSchemaUpgradeTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/store-2026-12/nodes")
    static let codes = ["130100000000", "130102000000", "130102001000", "130102001001", "130102001002"]
    static let reports = ["summary", "calls", "services", "satisfaction", "roster", "providers"]
    static let query = "from=2026-10-17&to=2026-11-30"

    /// A copy of the fixture's store of `code` (the test never writes into the committed file).
    static func copy(_ code: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("eldercare-upgrade-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("node.sqlite")
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("\(code)/node.sqlite"), to: path)
        return path
    }

    static func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// What a report says of its figures: everything but the time it was answered and the live state of
    /// each child's link (connected, last heard of, lag, behind), which went on between the last read of
    /// the reports and the nodes' shutdown.
    static func figures(_ report: [String: Any]) -> NSDictionary {
        var report = report
        report["as_of"] = nil
        if let children = report["children"] as? [[String: Any]] {
            report["children"] = children.map { child in
                var child = child
                for live in ["connected", "last_sync", "lag_seconds", "behind"] { child[live] = nil }
                return child
            }
        }
        return report as NSDictionary
    }

    /// The paths where two JSON values differ, with both values (empty when they are equal).
    static func differences(_ now: Any, _ then: Any, at path: String = "") -> [String] {
        if let now = now as? NSDictionary, let then = then as? NSDictionary {
            let keys = Set((now.allKeys + then.allKeys).compactMap { $0 as? String })
            return keys.sorted().flatMap { key in
                differences(now[key] ?? NSNull(), then[key] ?? NSNull(), at: "\(path)/\(key)")
            }
        }
        if let now = now as? NSArray, let then = then as? NSArray, now.count == then.count {
            return zip(now, then).enumerated().flatMap { differences($1.0, $1.1, at: "\(path)/\($0)") }
        }
        return NSArray(object: now).isEqual(to: [then]) ? [] : ["\(path): now \(now), then \(then)"]
    }

    @Test(arguments: codes)
    func everyReportOfAStoreOf2026_12IsUnchanged(code: String) async throws {
        let path = try Self.copy(code)
        defer { try? FileManager.default.removeItem(at: path.deletingLastPathComponent()) }
        let before = try await DatabaseQueue(path: path.path).read { db in try db.tableExists("grdb_migrations") }
        #expect(!before, "the fixture predates recorded migrations")

        var configuration = StoreConfiguration()
        configuration.statisticGrammar = DomainStatistics.grammar
        configuration.fsyncEveryCommit = false
        let node = try NodeCode(code)
        let store = try NodeSchema.open(path: path.path, node: node, configuration: configuration)
        #expect(store.quarantinedAtOpen == 0)
        let applied = try await store.database.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
        #expect(applied == NodeSchema.allMigrations.identifiers)

        let trusted = try String(
            contentsOf: Self.fixture.appendingPathComponent("\(code)/trusted.txt"), encoding: .utf8
        )
        .split(whereSeparator: \.isNewline).map { try NodeCode(String($0)) }
        let context = NodeContext(
            code: node, name: code, listen: "127.0.0.1:0", store: store, logger: Logger(label: "test.upgrade.\(code)"),
            tokens: TestTokens.tokens, expectedChildren: { trusted })
        var expected: [String: Data] = [:]
        for kind in Self.reports {
            expected[kind] = try Data(contentsOf: Self.fixture.appendingPathComponent("\(code)/expected/\(kind).json"))
        }
        // The reports' clock is the moment the fixture was read, so ages and lags are computed as then.
        let summary = try #require(expected["summary"])
        let answered = try #require(try Self.json(summary)["as_of"] as? String)
        let asOf = try #require(ISO8601DateFormatter().date(from: answered))
        let answers = expected
        let app = Application(router: try NodeHTTP.makeRouter(context: context, now: { asOf }))
        try await app.test(.router) { client in
            for kind in Self.reports {
                let response = try await client.authorized(uri: "/api/v1/reports/\(kind)?\(Self.query)", method: .get)
                #expect(response.status == .ok)
                let now = try Self.json(Data(response.body.readableBytesView))
                let then = try Self.json(try #require(answers[kind]))
                let differences = Self.differences(Self.figures(now), Self.figures(then))
                #expect(differences.isEmpty, "\(code) \(kind): \(differences.prefix(5))")
            }
        }
    }

    @Test func aStoreOpensAgainWithoutRunningAnyMigrationTwice() throws {
        let path = try Self.copy("130102000000")
        defer { try? FileManager.default.removeItem(at: path.deletingLastPathComponent()) }
        let node = try NodeCode("130102000000")
        let first = try NodeSchema.open(path: path.path, node: node)
        let elders = try first.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") }
        let again = try NodeSchema.open(path: path.path, node: node)
        let (migrations, eldersAgain, missing) = try again.database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders"),
                try ["calls", "visits", "callbacks", "node_links", "crdt_stats_refused", "report_rollup"].filter {
                    try !db.tableExists($0)
                }
            )
        }
        #expect(migrations == NodeSchema.allMigrations.steps.count)
        #expect(eldersAgain == elders)
        #expect(missing.isEmpty)
    }

    @Test func aNewStoreHasEveryTableOfTheSchema() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("eldercare-new-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fresh = try NodeSchema.open(
            path: directory.appendingPathComponent("node.sqlite").path, node: try NodeCode("130102000000"))
        // The same tables, columns and indexes as a store of 2026-12 that was opened and upgraded.
        let path = try Self.copy("130102000000")
        defer { try? FileManager.default.removeItem(at: path.deletingLastPathComponent()) }
        let upgraded = try NodeSchema.open(path: path.path, node: try NodeCode("130102000000"))
        func layout(_ store: ReplicaStore) throws -> [String] {
            try store.database.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
                ).map { row in
                    let name: String = row["name"]
                    let type: String = row["type"]
                    guard type == "table" else { return "\(type) \(name)" }
                    let columns = try db.columns(in: name).map { "\($0.name) \($0.type)" }.sorted()
                    return "table \(name)(\(columns.joined(separator: ", ")))"
                }
            }
        }
        #expect(try layout(fresh) == layout(upgraded))
    }
}
