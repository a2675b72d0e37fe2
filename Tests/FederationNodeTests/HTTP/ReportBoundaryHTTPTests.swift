import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Replication
import Reports
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

/// Issue 13: nothing a reader sends, and nothing stored, crashes a node through the reports. Every
/// report route and the dashboard, over generated queries of extreme and invalid dates, periods,
/// metrics, scopes and stray numbers, answers 200, or 400 (403 for a code outside the node's subtree)
/// with a message; and over stored cells and replicated rows of any Int64, every route still answers.
@Suite(.timeLimit(.minutes(10))) struct ReportBoundaryHTTPTests {
    static let reportRoutes = [
        "/api/v1/reports/summary", "/api/v1/reports/calls", "/api/v1/reports/services",
        "/api/v1/reports/satisfaction", "/api/v1/reports/roster", "/api/v1/reports/providers",
        "/api/v1/reports/health", "/api/v1/reports/series",
    ]
    static let dashboardRoutes = ["/", "/dashboard/figures"]

    static let dates = [
        "0001-01-01", "1969-12-31", "1970-01-01", "9998-12-31", "9999-12-31", "2026-02-29", "2024-02-29", "2026-01-15",
        "garbage", "99999999999999999999", "-1", "-2026-01-01", "", "2026-1-1", "2026-01-01T00:00:00", "0000-00-00",
        "2026-13-01", "9999-99-99", "２０２６-01-01", "2026-01-0\u{0}", String(repeating: "9", count: 5_000),
    ]
    static let periods = ["day", "month", "quarter", "week", "", "DAY", "today", "30d", "-1", "99999999999999999999"]
    static let metrics = ["calls", "effective_ratio", "satisfaction", "services", "visits", "", "-1"]
    static let numbers = [
        "0", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e308", "NaN", "",
    ]
    static let languages = ["zh", "en", "fr", "", "-1"]

    /// Codes in the district's subtree, codes outside it, and text that is no code at all.
    static let scopes = [
        Codes.district, Codes.street, Codes.community, Codes.city, Codes.otherDistrictCommunity, "130103000000",
        "000000000000", "999999999999", "1301020010010", "13010200100", "abc", "", "-1", "99999999999999999999",
        "130102001001 ", "１３０１０２００１００１", String(repeating: "1", count: 10_000), String(repeating: "社", count: 3_000),
    ]

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// One generated request: a route and some of its parameters, each drawn from the pools above.
    static func request(_ random: inout SeededGenerator) -> String {
        let dashboard = Int.random(in: 0..<5, using: &random) == 0
        let route = (dashboard ? dashboardRoutes : reportRoutes).randomElement(using: &random)!
        var parameters: [(String, String)] = []
        func maybe(_ name: String, _ pool: [String], odds: Int = 2) {
            if Int.random(in: 0..<odds, using: &random) == 0 {
                parameters.append((name, pool.randomElement(using: &random)!))
            }
        }
        if dashboard {
            maybe("scope", scopes)
            maybe("period", periods + ["today", "month", "30d", "quarter"])
            maybe("lang", languages)
        } else {
            maybe("from", dates)
            maybe("to", dates)
            maybe("period", periods, odds: 3)
            maybe("date", dates, odds: 3)
            maybe("scope", scopes)
            if route.hasSuffix("/series") { maybe("metric", metrics, odds: 1) }
        }
        for name in ["days", "limit", "offset"] { maybe(name, numbers, odds: 6) }
        parameters.shuffle(using: &random)
        guard !parameters.isEmpty else { return route }
        return route + "?" + parameters.map { "\($0.0)=\(encoded($0.1))" }.joined(separator: "&")
    }

    /// The status is 200, or 400/403 with an error code and a message a person can act on.
    static func expectAnswered(_ response: TestResponse, _ uri: String) throws {
        let status = response.status.code
        #expect(
            [200, 400, 403].contains(status),
            "\(uri.prefix(300)): \(status) \(NodeHTTPTests.text(response).prefix(300))")
        guard status != 200 else { return }
        guard case .object(let body) = try NodeHTTPTests.json(response), case .object(let error)? = body["error"],
            case .string(let code)? = error["code"], case .string(let message)? = error["message"]
        else {
            Issue.record("\(uri.prefix(300)): \(status) without an error body")
            return
        }
        #expect(code == (status == 403 ? "forbidden_scope" : "invalid_parameter"), "\(uri.prefix(300)): \(code)")
        #expect(message.count > 10, "\(uri.prefix(300)): \(message)")
        #expect(message.utf8.count < 2_000, "\(uri.prefix(300)): the message echoes the whole input")
    }

    /// A district node (the rollup answers its reports) and a street (its cells answer), both with
    /// some recorded events.
    static func nodes() throws -> [TestNode] {
        try [Codes.district, Codes.street].map { code in
            let node = try TestNode(code)
            var cells = [StatChange]()
            for (index, day) in ["1970-01-01", "2026-01-05", "9998-12-31"].enumerated() {
                cells.append(
                    StatChange(
                        key: StatKey(
                            origin: try NodeCode(Codes.community), community: try NodeCode(Codes.community),
                            metric: CallStatistics.metric,
                            dims: CallStatistics.dimensions(
                                channel: "hotline", type: "consultation", effective: true, hour: 9),
                            period: day),
                        value: Int64(index + 1),
                        clock: HybridTimestamp(
                            physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1_000), logical: 0)))
            }
            try node.store.merge(ChangeBatch(stats: cells))
            return node
        }
    }

    @Test(arguments: [13, 2026, 9_998] as [UInt64])
    func everyReportRouteAnswersEveryQuery(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        for node in try Self.nodes() {
            // The requests are drawn before the client runs (its closure may not capture the generator).
            let requests = (0..<250).map { _ in
                (uri: Self.request(&random), role: Bool.random(using: &random) ? AccessRole.viewer : .operator)
            }
            try await NodeHTTPTests.app(node).test(.router) { client in
                for (uri, role) in requests {
                    try Self.expectAnswered(try await client.authorized(uri: uri, method: .get, role: role), uri)
                }
            }
        }
    }

    /// The queries of issue 13 and the edges of the documented range, on every report route.
    @Test func theDocumentedRangeAndItsEdges() async throws {
        let node = try Self.nodes()[0]
        try await NodeHTTPTests.app(node).test(.router) { client in
            for route in Self.reportRoutes {
                let metric = route.hasSuffix("/series") ? "metric=calls&" : ""
                for query in [
                    "from=9999-12-31&to=9999-12-31", "period=day&date=9999-12-31", "period=month&date=9999-12-15",
                    "period=quarter&date=9999-12-31", "from=0001-01-01", "from=1969-12-31&to=1970-01-01",
                    "from=9998-12-31&to=9999-01-01", "from=2026-02-29&to=2026-03-01",
                ] {
                    let uri = "\(route)?\(metric)\(query)"
                    let response = try await client.authorized(uri: uri, method: .get, role: .viewer)
                    #expect(response.status == .badRequest, "\(uri): \(NodeHTTPTests.text(response))")
                    try Self.expectAnswered(response, uri)
                    if !query.contains("02-29") {
                        let text = NodeHTTPTests.text(response)
                        #expect(text.contains("1970-01-01") && text.contains("9998-12-31"), "\(uri): \(text)")
                    }
                }
                for query in [
                    "from=9998-12-31&to=9998-12-31", "period=quarter&date=9998-12-31", "from=1970-01-01&to=1970-01-31",
                ] {
                    let uri = "\(route)?\(metric)\(query)"
                    let response = try await client.authorized(uri: uri, method: .get, role: .viewer)
                    #expect(response.status == .ok, "\(uri): \(NodeHTTPTests.text(response).prefix(300))")
                }
            }
            // The whole range at once (every report but the series, which is limited to 1,100 days).
            for route in Self.reportRoutes where !route.hasSuffix("/series") {
                let uri = "\(route)?from=1970-01-01&to=9998-12-31"
                let response = try await client.authorized(uri: uri, method: .get, role: .viewer)
                #expect(response.status == .ok, "\(uri): \(NodeHTTPTests.text(response).prefix(300))")
            }
            let calls = try NodeHTTPTests.json(
                try await client.authorized(uri: "/api/v1/reports/calls?from=1970-01-01&to=9998-12-31", method: .get))
            #expect(calls["calls", "total"] == .integer(6))
        }
    }

    /// Cells of 2^62 stored straight into `crdt_stats` (past any merge check), replicated rows with
    /// monthly amounts and prices of any Int64: every report route and the dashboard still answer,
    /// and the cells outside 0…10^9 count as nothing.
    @Test func storedValuesOfAnySizeCrashNoReport() async throws {
        for code in [Codes.district, Codes.street] {
            let node = try TestNode(code)
            try node.store.merge(
                ChangeBatch(stats: [
                    StatChange(
                        key: StatKey(
                            origin: try NodeCode(Codes.community), community: try NodeCode(Codes.community),
                            metric: CallStatistics.metric,
                            dims: CallStatistics.dimensions(
                                channel: "hotline", type: "consultation", effective: true, hour: 9),
                            period: "2026-01-05"),
                        value: 7,
                        clock: HybridTimestamp(
                            physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1_000), logical: 0))
                ]))
            try await NodeHTTPTests.app(node).test(.router) { client in
                // The router installed the rollup: the cells below fire its triggers as a merge would.
                try await node.store.database.write { db in try Self.storeHostileData(db) }
                for route in Self.reportRoutes + Self.dashboardRoutes {
                    let metrics =
                        route.hasSuffix("/series") ? DailySeries.Metric.allCases.map { "metric=\($0.rawValue)&" } : [""]
                    for metric in metrics {
                        let uri = route.hasPrefix("/api") ? "\(route)?\(metric)from=2026-01-01&to=2026-01-31" : route
                        let response = try await client.authorized(uri: uri, method: .get, role: .viewer)
                        #expect(response.status == .ok, "\(code) \(uri): \(NodeHTTPTests.text(response).prefix(400))")
                    }
                }
                let calls = try NodeHTTPTests.json(
                    try await client.authorized(
                        uri: "/api/v1/reports/calls?from=2026-01-01&to=2026-01-31", method: .get))
                #expect(calls["calls", "total"] == .integer(7), "\(code): \(calls)")
                let roster = try NodeHTTPTests.json(
                    try await client.authorized(
                        uri: "/api/v1/reports/roster?from=2026-01-01&to=2026-01-31", method: .get))
                #expect(roster["roster", "active"] == .integer(4), "\(code): \(roster)")
                #expect(roster["roster", "monthly_subsidy_yuan"] == .integer(100), "\(code): \(roster)")
                #expect(roster["roster", "monthly_entitled_hours"] == .integer(30), "\(code): \(roster)")
                let providers = try await client.authorized(
                    uri: "/api/v1/reports/providers?from=2026-01-01&to=2026-01-31", method: .get)
                #expect(providers.status == .ok)
            }
        }
    }

    /// The node's folder skips the stored changes no cell within the bound can make, keeps folding the
    /// rest, and `/metrics` counts what it skipped.
    @Test func theFolderSkipsAndMetricsCountWhatItSkipped() async throws {
        let node = try TestNode(Codes.district)
        let app = Application(router: try NodeHTTP.makeRouter(context: node.context))  // installs the rollup
        func skippedOnMetrics() async throws -> Double? {
            try await app.test(.router) { client in
                let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                return MetricsHTTPTests.value(text, "eldercare_rollup_skipped_cells_total")
            }
        }
        try await node.store.database.write { db in try Self.storeHostileData(db) }
        let folder = RollupFolder(store: node.store, logger: Logger(label: "test.folder"))
        let folded = await folder.foldPending()
        // Ten cells inserted; the −2^63, 2^62 and Int64.max ones (all of them) are skipped.
        #expect(folded == 10)
        #expect(folder.skippedChanges == 10)
        #expect(try await node.store.database.read { db in try ReportRollup.pendingCount(db) } == 0)
        #expect(try await skippedOnMetrics() == 10)
        // Removing those cells (as the store's quarantine does when it opens) is skipped in turn, so
        // the rollup stays as it was; the counter only grows.
        try await node.store.database.write { db in
            try db.execute(
                sql: "DELETE FROM crdt_stats WHERE value NOT BETWEEN 0 AND ?", arguments: [StatisticGrammar.maxValue])
        }
        #expect(await folder.foldPending() == 10)
        #expect(try await skippedOnMetrics() == 20)
        #expect(
            try await node.store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_rollup") }
                == 0)
    }

    /// Two call cells and visit cells of 2^62 on one day, a cell of −2^63 and Int64.max, four
    /// active elders whose monthly amounts are 100 and 30, 2^62 twice and Int64.max, a catalog
    /// price of 2^62 fen and providers of other types than text.
    static func storeHostileData(_ db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO crdt_nodes(code) VALUES (?)", arguments: [Codes.community])
        let origin = try Int64.fetchOne(
            db, sql: "SELECT id FROM crdt_nodes WHERE code = ?", arguments: [Codes.community])!
        let huge: Int64 = 1 << 62
        let cells: [(String, String, Int64)] = [
            (
                CallStatistics.metric,
                CallStatistics.dimensions(channel: "hotline", type: "emergency", effective: true, hour: 1), huge
            ),
            (
                CallStatistics.metric,
                CallStatistics.dimensions(channel: "app", type: "emergency", effective: true, hour: 2), huge
            ),
            (
                CallStatistics.metric,
                CallStatistics.dimensions(channel: "app", type: "emergency", effective: false, hour: 3), .min
            ),
            (
                CallStatistics.metric,
                CallStatistics.dimensions(channel: "app", type: "emergency", effective: false, hour: 4), .max
            ),
            (
                ServiceStatistics.visitsMetric,
                ServiceStatistics.dimensions(category: "daily_care", provider: "P1", item: "x"), huge
            ),
            (
                ServiceStatistics.minutesMetric,
                ServiceStatistics.dimensions(category: "daily_care", provider: "P1", item: "x"), huge
            ),
            (
                ServiceStatistics.visitsMetric,
                ServiceStatistics.dimensions(category: "daily_care", provider: "P1", item: "y"), huge
            ),
            (
                ServiceStatistics.minutesMetric,
                ServiceStatistics.dimensions(category: "daily_care", provider: "P1", item: "y"), .max
            ),
            (
                SatisfactionStatistics.metric,
                SatisfactionStatistics.dimensions(score: "satisfied", complaint: true, provider: "P1"), huge
            ),
            (
                SatisfactionStatistics.metric,
                SatisfactionStatistics.dimensions(score: "dissatisfied", complaint: true, provider: "P1"), huge
            ),
        ]
        for (metric, dims, value) in cells {
            try db.execute(
                sql: """
                    INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via)
                    VALUES (?, ?, ?, ?, '2026-01-05', ?, 0, 0, 0)
                    """,
                arguments: [origin, Codes.community, metric, dims, value])
        }
        for (id, subsidy, hours) in [
            ("H1", 100, 30), ("H2", huge, huge), ("H3", huge, huge), ("H4", Int64.max, Int64.max),
        ] as [(String, Int64, Int64)] {
            try db.execute(
                sql: """
                    INSERT INTO elders(id, community, status, birth_date, monthly_subsidy, monthly_hours, _crdt)
                    VALUES (?, ?, 'active', '1940-01', ?, ?, X'')
                    """,
                arguments: [id, Codes.community, subsidy, hours])
        }
        if try db.tableExists("service_items") {
            try db.execute(
                sql:
                    "INSERT INTO service_items(id, category, unit, unit_price_fen, _crdt) VALUES ('x', 'daily_care', 'hour', ?, X''), ('y', 'daily_care', 'visit', 'abc', X'')",
                arguments: [huge])
        }
        if try db.tableExists("providers") {
            try db.execute(sql: "INSERT INTO providers(id, name, _crdt) VALUES (x'ff', x'fffe', X'')")
        }
    }
}
