import Foundation
import Hummingbird
import Replication
import Reports

/// The dashboard's handlers: `GET /` (the page) and `GET /dashboard/figures` (the part the page's
/// script re-fetches every 3 s). Query: `scope` (any code in this node's subtree; default the node),
/// `period` (`today`, `month` — the default —, `30d`, `quarter`), `lang` (`zh` default, `en`).
///
/// Its figures are the report library's (`DashboardModel`), fast with the derived rollup: `register`
/// installs it, so any router serving the dashboard has it.
struct DashboardAPI: Sendable {
    let context: NodeContext
    /// The wall clock (tests fix it).
    let now: @Sendable () -> Date
    /// Roster counts shared with the report endpoints.
    let rosterCache: RosterCache

    /// Adds `GET /` and `GET /dashboard/figures` to `router`.
    static func register(
        on router: Router<NodeRequestContext>, context: NodeContext, now: @escaping @Sendable () -> Date,
        rosterCache: RosterCache
    ) throws {
        let dashboard = DashboardAPI(context: context, now: now, rosterCache: rosterCache)
        router.get("/") { request, _ in try await dashboard.page(request, fragmentOnly: false) }
        router.get("/dashboard/figures") { request, _ in try await dashboard.page(request, fragmentOnly: true) }
    }

    func page(_ request: Request, fragmentOnly: Bool) async throws -> Response {
        let parameters = request.uri.queryParameters
        let node = context.code
        var requested = node
        if let text = parameters["scope"] {
            do throws(ReplicationError) {
                requested = try NodeCode(String(text))
            } catch {
                throw APIError(.badRequest, .invalidParameter, SummaryQuery.scopeMessage(text, error))
            }
            guard node.contains(requested) else {
                throw APIError(
                    .forbidden, .forbiddenScope,
                    "scope \(requested) is outside this node's subtree (\(node)); open the dashboard of a node above it"
                )
            }
        }
        let period: DashboardPeriod
        if let text = parameters["period"] {
            guard let value = DashboardPeriod(rawValue: String(text)) else {
                throw APIError(
                    .badRequest, .invalidParameter,
                    "period: \"\(text.prefix(20))\" must be one of \(DashboardPeriod.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            period = value
        } else {
            period = .month
        }
        let language: DashboardLanguage
        if let text = parameters["lang"] {
            guard let value = DashboardLanguage(rawValue: String(text)) else {
                throw APIError(.badRequest, .invalidParameter, "lang: \"\(text.prefix(20))\" must be zh or en")
            }
            language = value
        } else {
            language = .zh
        }
        let asOf = now()
        let today = CalendarDay.today(unixSeconds: Int64(asOf.timeIntervalSince1970.rounded(.down)))
        let name = context.name
        let scope = requested
        let rosterCache = self.rosterCache
        let expected = context.expectedChildren()
        let model = try await ReportsAPI.reading(context, request) {
            try await context.store.database.read { db in
                try DashboardModel.build(
                    db, node: node, nodeName: name, scope: scope, period: period, today: today, asOf: asOf,
                    rosterCache: rosterCache, expectedChildren: expected)
            }
        }
        let html = DashboardPage.render(model, language: language, fragmentOnly: fragmentOnly)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
