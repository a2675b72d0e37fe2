import Eldercare
import Foundation
import GRDB
public import Hummingbird
import Replication
import Reports

/// The report endpoints, `GET /api/v1/reports/…` (docs/API.md, "Reports"; definitions in
/// docs/METRICS.md). Every report takes `scope` and either `from`/`to` or `period`/`date`
/// (`SummaryQuery`), reads one snapshot, and lists the scope's children with their own figures.
///
///     try ReportsAPI.register(on: router, context: context, now: now)
///     // GET /api/v1/reports/calls?period=month&date=2026-01-15&scope=130102000000
struct ReportsAPI: Sendable {
    let context: NodeContext
    let now: @Sendable () -> Date
    /// Roster counts reused between requests while the roster is unchanged (shared with the dashboard).
    let rosterCache: RosterCache

    /// Adds every report route to `router` (the store was opened by `NodeSchema.open`, which installs
    /// the report rollup).
    ///
    /// - Parameter rosterCache: the roster counts to share with the other readers of the router (the
    ///   dashboard).
    static func register(
        on router: Router<NodeRequestContext>, context: NodeContext, now: @escaping @Sendable () -> Date,
        rosterCache: RosterCache = RosterCache()
    ) throws {
        let api = ReportsAPI(context: context, now: now, rosterCache: rosterCache)
        let reports: [(String, @Sendable (ReportsAPI, Database, SummaryQuery, Date, Request) throws -> JSONValue)] = [
            ("summary", { api, db, query, asOf, _ in try api.summary(db, query, asOf) }),
            ("calls", { api, db, query, asOf, _ in try api.calls(db, query, asOf) }),
            ("services", { api, db, query, asOf, _ in try api.services(db, query, asOf) }),
            ("satisfaction", { api, db, query, asOf, _ in try api.satisfaction(db, query, asOf) }),
            ("roster", { api, db, query, asOf, _ in try api.roster(db, query, asOf) }),
            ("providers", { api, db, query, asOf, _ in try api.providers(db, query, asOf) }),
            ("health", { api, db, query, asOf, _ in try api.health(db, query, asOf) }),
            ("series", { api, db, query, asOf, request in try api.series(db, query, asOf, request) }),
        ]
        for (name, build) in reports {
            router.get(RouterPath("/api/v1/reports/\(name)")) { request, _ in try await api.respond(request, build) }
        }
    }

    func respond(
        _ request: Request,
        _ build: @escaping @Sendable (ReportsAPI, Database, SummaryQuery, Date, Request) throws -> JSONValue
    ) async throws -> Response {
        let parameters = request.uri.queryParameters
        let asOf = now()
        let query = try SummaryQuery({ parameters[Substring($0)] }, node: context.code, now: asOf)
        if request.uri.path.hasSuffix("/series") { _ = try Self.seriesMetric(request) }
        let document = try await Self.reading(context, request) {
            try await context.store.database.read { db in try build(self, db, query, asOf, request) }
        }
        return JSONResponse.make(document)
    }

    /// Runs a report's read; a figure that overflows (`ReportError`: a stored value far outside what
    /// the node records, docs/REPLICATION.md "Arithmetic") is logged and answered 500 with its
    /// message, the node serving on.
    static func reading<T>(_ context: NodeContext, _ request: Request, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ReportError {
            context.logger.error("report failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, .internalError, "this report cannot be computed: \(error.message)")
        }
    }

    /// `scope`, `level`, `from`, `to`, then `members`, then `as_of`.
    func header(_ query: SummaryQuery, _ asOf: Date, _ members: [(key: String, value: JSONValue)]) -> JSONValue {
        .object(
            JSONObject(
                [
                    (key: "scope", value: .string(query.scope.rawValue)),
                    (key: "level", value: .string(query.scope.level.description)),
                    (key: "from", value: .string(query.days.lowerBound.description)),
                    (key: "to", value: .string(query.days.upperBound.description)),
                ] + members + [(key: "as_of", value: .string(SummaryReport.rfc3339(asOf)))]))
    }

    func reporting(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> ReportingHealth {
        try ReportingHealth.compute(
            db, scope: query.scope, days: query.days,
            nowMilliseconds: UInt64(max(0, asOf.timeIntervalSince1970 * 1_000)), expected: context.expectedChildren())
    }

    /// The children to list: those expected to report and those with figures, in code order.
    func children(_ health: ReportingHealth, _ withData: some Sequence<NodeCode>) -> [NodeCode] {
        Array(Set(health.children.map(\.code)).union(withData)).sorted()
    }

    func child(_ code: NodeCode, _ members: [(key: String, value: JSONValue)]) -> JSONValue {
        .object(
            JSONObject(
                [(key: "code", value: .string(code.rawValue)), (key: "level", value: .string(code.level.description))]
                    + members))
    }

    /// `GET /api/v1/reports/summary`: the contract of docs/API.md plus `children`.
    func summary(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> JSONValue {
        let report = try SummaryReport.compute(
            db, scope: query.scope, days: query.days, asOf: asOf, expectedChildren: context.expectedChildren(),
            rosterCache: rosterCache)
        let breakdown = try SummaryChildren.compute(db, report: report, rosterCache: rosterCache)
        guard case .object(var document) = report.json else { return report.json }
        let list: [JSONValue] = breakdown.codes.map { code in
            let call = breakdown.calls[code] ?? .empty
            let service = breakdown.services[code] ?? .empty
            let rating = breakdown.satisfaction[code] ?? .empty
            var members: [(key: String, value: JSONValue)] = [
                ("calls", .integer(call.total)), ("effective", .integer(call.effective)),
                ("effective_ratio", call.effectiveRatio.json), ("completed", .integer(service.completed)),
                ("hours", .number(service.hours)), ("rated", .integer(rating.rated)),
                ("satisfaction_rate", rating.rate.json),
                ("active_elders", .integer(breakdown.roster[code]?.active ?? 0)),
            ]
            if let state = breakdown.health[code], case .object(let object) = state.json {
                members += object.members
            } else {
                members.append(("reported", .bool(false)))
            }
            return child(code, members)
        }
        document.members.insert((key: "children", value: .array(list)), at: document.members.count - 1)
        return .object(document)
    }

    /// `GET /api/v1/reports/calls`
    func calls(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> JSONValue {
        let total = try CallSummary.compute(db, scope: query.scope, days: query.days)
        let byChild = try CallSummary.computeByChild(db, scope: query.scope, days: query.days)
        let codes = children(try reporting(db, query, asOf), byChild.keys)
        return header(
            query, asOf,
            [
                ("calls", total.json),
                ("children", .array(codes.map { child($0, [("calls", (byChild[$0] ?? .empty).json)]) })),
            ])
    }

    /// `GET /api/v1/reports/services`
    func services(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> JSONValue {
        let total = try ServiceSummary.compute(db, scope: query.scope, days: query.days)
        let byChild = try ServiceSummary.computeByChild(db, scope: query.scope, days: query.days)
        let codes = children(try reporting(db, query, asOf), byChild.keys)
        return header(
            query, asOf,
            [
                ("services", total.json),
                ("children", .array(codes.map { child($0, [("services", (byChild[$0] ?? .empty).json)]) })),
            ])
    }

    /// `GET /api/v1/reports/satisfaction`
    func satisfaction(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> JSONValue {
        let total = try SatisfactionSummary.compute(db, scope: query.scope, days: query.days)
        let byChild = try SatisfactionSummary.computeByChild(db, scope: query.scope, days: query.days)
        let codes = children(try reporting(db, query, asOf), byChild.keys)
        return header(
            query, asOf,
            [
                ("satisfaction", total.json),
                (
                    "by_provider",
                    .object(
                        JSONObject(total.byProvider.keys.sorted().map { (key: $0, value: total.byProvider[$0]!.json) }))
                ),
                ("children", .array(codes.map { child($0, [("satisfaction", (byChild[$0] ?? .empty).json)]) })),
            ])
    }

    /// `GET /api/v1/reports/roster`: composition, subsidy, entitlement use and the services recorded
    /// for deceased elders.
    func roster(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> JSONValue {
        let days = query.days
        let total = try rosterCache.summary(db, scope: query.scope, asOf: days.upperBound)
        let byChild = try rosterCache.summaryByChild(db, scope: query.scope, asOf: days.upperBound)
        let services = try ServiceSummary.compute(db, scope: query.scope, days: days)
        let servicesByChild = try ServiceSummary.computeByChild(db, scope: query.scope, days: days)
        func use(_ roster: RosterSummary, _ minutes: Int64) -> Ratio {
            EntitlementUse.ratio(deliveredMinutes: minutes, monthlyHours: roster.monthlyEntitledHours, days: days)
        }
        let deceased = try DeceasedServices.list(db, scope: query.scope, days: days)
        let codes = children(try reporting(db, query, asOf), Set(byChild.keys).union(servicesByChild.keys))
        return header(
            query, asOf,
            [
                ("roster", total.json(entitlement: use(total, services.total.minutes))),
                (
                    "deceased_services",
                    .array(
                        deceased.map {
                            [
                                "visit_id": .string($0.visitID), "elder_id": .string($0.elderID),
                                "provider_id": .string($0.providerID), "community": .string($0.community),
                                "day": .string($0.day),
                            ]
                        })
                ),
                (
                    "children",
                    .array(
                        codes.map { code in
                            let roster = byChild[code] ?? .empty
                            let minutes = servicesByChild[code]?.total.minutes ?? 0
                            return child(code, [("roster", roster.json(entitlement: use(roster, minutes)))])
                        })
                ),
            ])
    }

    /// `GET /api/v1/reports/providers`
    func providers(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> JSONValue {
        let report = try ProviderReport.compute(db, scope: query.scope, days: query.days)
        let byChild = try ServiceSummary.computeByChild(db, scope: query.scope, days: query.days)
        let codes = children(try reporting(db, query, asOf), byChild.keys)
        return header(
            query, asOf,
            [
                ("catalog_available", .bool(report.catalogAvailable)),
                ("providers", .array(report.providers.map(\.json))),
                (
                    "children",
                    .array(
                        codes.map { code in
                            let services = byChild[code] ?? .empty
                            return child(
                                code,
                                [
                                    ("providers", .integer(Int64(services.byProvider.count))),
                                    ("completed", .integer(services.completed)), ("hours", .number(services.hours)),
                                ])
                        })
                ),
            ])
    }

    /// `GET /api/v1/reports/health`
    func health(_ db: Database, _ query: SummaryQuery, _ asOf: Date) throws -> JSONValue {
        let health = try reporting(db, query, asOf)
        return header(
            query, asOf,
            [
                ("reporting", health.summaryJSON),
                (
                    "children",
                    .array(
                        health.children.map { state in
                            guard case .object(let object) = state.json else { return .null }
                            return child(state.code, object.members)
                        })
                ),
            ])
    }

    /// `GET /api/v1/reports/series?metric=calls|effective_ratio|satisfaction|services`
    func series(_ db: Database, _ query: SummaryQuery, _ asOf: Date, _ request: Request) throws -> JSONValue {
        let metric = try Self.seriesMetric(request)
        let dayCount = query.days.upperBound.daysSinceEpoch - query.days.lowerBound.daysSinceEpoch + 1
        guard dayCount <= DailySeries.maxDays else {
            throw APIError(
                .badRequest, .invalidParameter,
                "a series covers at most \(DailySeries.maxDays) days, asked for \(dayCount); narrow from and to")
        }
        let series = try DailySeries.compute(db, metric: metric, scope: query.scope, days: query.days)
        return header(
            query, asOf, [("metric", .string(metric.rawValue)), ("points", .array(series.points.map(\.json)))])
    }

    static func seriesMetric(_ request: Request) throws(APIError) -> DailySeries.Metric {
        let text = request.uri.queryParameters["metric"].map(String.init) ?? ""
        guard let metric = DailySeries.Metric(rawValue: text) else {
            throw APIError(
                .badRequest, .invalidParameter,
                "metric: \"\(text.prefix(30))\" is not one of "
                    + DailySeries.Metric.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return metric
    }
}
