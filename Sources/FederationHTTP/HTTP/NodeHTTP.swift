import Eldercare
import Foundation
public import Hummingbird
import Replication
import Reports

/// The node's HTTP server: health check, Prometheus `/metrics` (docs/OBSERVABILITY.md) and the JSON API
/// (docs/API.md), behind `AccessMiddleware` (viewer and operator tokens; `/healthz` and `/metrics` open).
///
/// The application is a swift-service-lifecycle `Service`; the daemon runs it in its `ServiceGroup`:
///
///     let http = try NodeHTTP.makeApplication(context: context)
///     let group = ServiceGroup(
///         services: [replication, http], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
///     try await group.run()
public enum NodeHTTP {
    /// An application bound to `context.listen`, with the event tables (`calls`, `visits`, `callbacks`) prepared.
    ///
    /// - Throws: `ListenAddressError` if `context.listen` is not `HOST:PORT`; a `ReplicationError`
    ///   if the `calls` table cannot be created.
    ///
    /// - Parameter onRunning: called with the bound port once the server listens (port 0 picks a free one).
    public static func makeApplication(
        context: NodeContext, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        guard let (host, port) = hostPort(context.listen) else { throw ListenAddressError(listen: context.listen) }
        return Application(
            router: try makeRouter(context: context),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "ElderCare-Federation/\(FederationVersion.software)"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: context.logger)
    }

    /// Splits `HOST:PORT` (IPv6 hosts in brackets); nil unless the port is 0…65535 and the host not empty.
    public static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port), !host.isEmpty else {
            return nil
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// The router with every route; `now` is the wall clock (for the reports' default dates).
    static func makeRouter(context: NodeContext, now: @escaping @Sendable () -> Date = { Date() }) throws
        -> Router<NodeRequestContext>
    {
        let api = NodeAPI(context: context, now: now)
        let roster = RosterAPI(context: context, now: now)
        let reference = ReferenceAPI(context: context)
        let enrolment = EnrolmentAPI(context: context, now: now)
        let router = Router(context: NodeRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware(metrics: context.metrics))
        router.add(middleware: JSONErrorMiddleware(logger: context.logger))
        router.add(middleware: AccessMiddleware(tokens: context.tokens))
        router.get("/healthz") { _, _ in api.health() }
        router.get("/metrics") { _, _ in try await api.metrics() }
        // The dashboard reads the same reports as /api/v1/reports/* and shares their roster cache.
        let rosterCache = RosterCache()
        try DashboardAPI.register(on: router, context: context, now: now, rosterCache: rosterCache)
        router.post("/api/v1/calls") { request, _ in try await api.recordCalls(request) }
        router.post("/api/v1/visits") { request, _ in try await api.recordVisits(request) }
        router.post("/api/v1/callbacks") { request, _ in try await api.recordCallbacks(request) }
        router.post("/api/v1/elders") { request, _ in try await roster.postElders(request) }
        router.post("/api/v1/elders/import") { request, _ in try await roster.importElders(request) }
        router.get("/api/v1/elders") { request, context in
            try await roster.listElders(request, unmasked: context.role == .operator)
        }
        router.get("/api/v1/elders/audit") { request, context in
            try await roster.audit(request, unmasked: context.role == .operator)
        }
        for step in [Enrolment.Step.apply, .review, .approve, .reject] {
            router.post(RouterPath("/api/v1/elders/:id/\(step.rawValue)")) { request, requestContext in
                try await enrolment.step(step, request, id: try requestContext.parameters.require("id"))
            }
        }
        router.get("/api/v1/enrolments") { request, context in
            try await enrolment.list(request, unmasked: context.role == .operator)
        }
        router.post("/api/v1/providers") { request, _ in try await reference.post(.providers, request) }
        router.get("/api/v1/providers") { _, _ in try await reference.list(.providers, key: "providers") }
        router.post("/api/v1/catalog") { request, _ in try await reference.post(.serviceItems, request) }
        router.post("/api/v1/catalog/defaults") { _, _ in try await reference.loadDefaults(.serviceItems) }
        router.get("/api/v1/catalog") { _, _ in try await reference.list(.serviceItems, key: "items") }
        router.post("/api/v1/subsidy-policy") { request, _ in try await reference.post(.subsidyPolicy, request) }
        router.post("/api/v1/subsidy-policy/defaults") { _, _ in try await reference.loadDefaults(.subsidyPolicy) }
        router.get("/api/v1/subsidy-policy") { _, _ in try await reference.list(.subsidyPolicy, key: "policy") }
        try ReportsAPI.register(on: router, context: context, now: now, rosterCache: rosterCache)
        return router
    }
}
